"""Loading a folder lazily on DuckDB or Spark: typed and validated by queries, never materialised in Python.

The engine module (:mod:`kpi_toolkit.engines.duckdb`, :mod:`kpi_toolkit.engines.spark`) reads ``orders`` and
``leads`` as lazy frames and types their cells in the engine (:class:`LazyTable`); this module, written once
with Narwhals, checks them: one query per table counts every broken cell and row rule
(:data:`kpi_toolkit.row_rules.ROW_RULES`, the same expressions the pandas engine applies; on DuckDB the
uniqueness of ids is a count in that same query and then a sort of the ids' 64-bit hashes, cheaper than a
window on millions of rows, or for integer ids a bitmap over their range), then the cross-table rules run
as small queries (distinct managers, anti-joins for unknown leads, or bitmaps where lead ids are integers on
both sides). Only counts and the first rows of each broken rule come back to Python. ``plans``, ``managers``
(and ``activities``) are small: they are read and checked by the pandas code (vectorised: a plan of 216,000
rows is no burden), in a thread of their own while the engine's queries check orders and leads.

This module reads the folder and runs the checks in order; one table's checks are in
:mod:`kpi_toolkit.engines.lazy_table_checks`, the cross-table rules in
:mod:`kpi_toolkit.engines.lazy_references`, and what both fetch from the engine goes through
:mod:`kpi_toolkit.engines.lazy_session`.

Row numbers in messages, per engine and format (the pandas engine numbers CSV lines exactly):

- Parquet, both engines: the row's 1-based position in the file (DuckDB's ``file_row_number``, Spark's
  ``_metadata.row_index``, plus one), as on the pandas engine.
- CSV, both engines: the record's position plus one (the header being line 1): the file's line number when
  no record spans two lines and no blank line precedes it (the engines skip blank lines without counting
  them).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd

from kpi_toolkit.engines.lazy_references import _references
from kpi_toolkit.engines.lazy_session import _Session
from kpi_toolkit.engines.lazy_table_checks import _table_violations
from kpi_toolkit.engines.tables import Backend
from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.parsing import parse_table
from kpi_toolkit.plan_codes import plans_with_labels
from kpi_toolkit.plans import check_plan_consistency
from kpi_toolkit.quarantine import shown
from kpi_toolkit.reading import ROW, find_table_files, read_table
from kpi_toolkit.row_checks import check_rows

__all__ = ["LAZY_TABLES", "LazyLoad", "check_lazy_options", "load_lazy", "small_frame"]

#: The tables that stay lazy in the engine; the others are small and come to pandas.
LAZY_TABLES = ("orders", "leads")


@dataclass(frozen=True)
class LazyLoad:
    """A folder read and validated on an engine: what :func:`kpi_toolkit.load` makes its ``SalesData`` of.

    The engines return plain tables and counts rather than a ``SalesData``, so that they depend on the data
    contract and never on :mod:`kpi_toolkit.data`, which uses them.
    """

    #: Per table: a native lazy frame (``orders``, ``leads``) or a pandas frame (the small tables).
    tables: dict[str, Any]
    #: Per table: the file it was read from.
    sources: dict[str, str]
    #: Per table: its rows (all used: the lazy engines set none aside).
    counts: dict[str, int]
    #: ``first``/``last`` order date and ``created``/``closed`` (latest lead dates), counted while validating.
    dates: dict[str, Any]
    #: The engine's connection (DuckDB) or session (Spark) the lazy frames live on.
    connection: Any


def _backend(engine: str, connection: Any) -> Backend:
    if engine == "duckdb":
        from kpi_toolkit.engines.duckdb import DuckDBBackend

        return DuckDBBackend(connection)
    from kpi_toolkit.engines.spark import SparkBackend

    return SparkBackend(connection)


def load_lazy(
    folder: Path,
    *,
    engine: str,
    fiscal_year_start: int,
    connection: Any = None,
    stages: tuple[str, ...] | None = None,
) -> LazyLoad:
    """Read, type and validate the canonical tables of ``folder`` on ``engine``; orders and leads stay lazy.

    Returns the validated tables (:class:`LazyLoad`), from which :func:`kpi_toolkit.load` builds its
    ``SalesData``: ``orders`` and ``leads`` as native lazy frames of the engine (a DuckDB relation, a Spark
    DataFrame), ``plans`` and ``managers`` as pandas frames. Raises :class:`DataValidationError` exactly where
    :func:`kpi_toolkit.load` does on pandas, with the row numbers of the module docstring.
    """
    files = find_table_files(folder)
    backend = _backend(engine, connection)
    session = _Session(backend)
    fatal: list[Violation] = []
    violations: list[Violation] = []
    with ThreadPoolExecutor(max_workers=1) as pool:  # the small tables in pandas, beside the engine's queries
        small_jobs = {
            name: _submit_small(pool, backend, name, path, fiscal_year_start)
            for name, path in files.items()
            if name not in LAZY_TABLES
        }
        for name, path in files.items():
            session.sources[name] = str(path)
            if name in LAZY_TABLES:
                table = backend.read(name, path)
                if table.fatal is not None:
                    fatal.append(table.fatal)
                    continue
                session.lazy[name] = table
                violations += _table_violations(session, table, stages)
                continue
            checked = small_jobs[name].result()  # in the files' order: the same first error as one by one
            fatal += checked.fatal
            violations += checked.violations
            if checked.frame is not None:
                session.small[name] = checked.frame
                session.counts[name] = len(checked.frame)
    if fatal or violations:
        raise DataValidationError([shown(v) for v in fatal + violations])
    plans = small_jobs["plans"].result() if "plans" in session.small else None
    if plans is not None:
        violations += plans.consistency
    if not violations:
        violations += _references(session)
    if violations:
        raise DataValidationError([shown(v) for v in violations])
    small = {name: frame.drop(columns=[ROW]).reset_index(drop=True) for name, frame in session.small.items()}
    if plans is not None:  # normalised labels; the codes (and roll-up) of the check go with them
        assert plans.labelled is not None
        small["plans"] = plans.labelled
    lazy = {name: table.data.to_native() for name, table in session.lazy.items()}
    return LazyLoad(
        tables={**lazy, **small},
        sources=dict(session.sources),
        counts=dict(session.counts),
        dates=dict(session.dates),
        connection=backend.connection,
    )


@dataclass(frozen=True)
class _SmallTable:
    """A small table read, typed and checked by the pandas code (:func:`_small_table`)."""

    #: The typed table with its row numbers (``None``: required columns are missing, see ``fatal``).
    frame: pd.DataFrame | None
    fatal: list[Violation]
    violations: list[Violation]
    #: Plans only: the contradictions between their grains (checked where the table has no violation).
    consistency: list[Violation]
    #: Plans only, where consistent: the plans with normalised labels, without row numbers.
    labelled: pd.DataFrame | None


def _submit_small(
    pool: ThreadPoolExecutor, backend: Backend, name: str, path: Path, fiscal_year_start: int
) -> Future[_SmallTable]:
    """:func:`_small_table` of a small table, started in ``pool``. The engine's reading of the file (which may
    use the connection) happens here, in the loading thread; its error is raised by the job, where the table
    comes in the files' order. The job runs in this load's context, where the plan's codes are shared
    (:func:`kpi_toolkit.plan_codes.sharing_plan_codes`)."""
    try:
        raw, error = backend.read_small(name, path), None
    except DataValidationError as exc:
        raw, error = None, exc
    return pool.submit(copy_context().run, _small_table, name, path, raw, error, fiscal_year_start)


def _small_table(
    name: str, path: Path, raw: Any, error: DataValidationError | None, fiscal_year_start: int
) -> _SmallTable:
    """Read (unless the engine has: ``raw``), type and check a small table, in pandas only: it runs in a
    thread of its own while the engine's queries check orders and leads (a plan of 306,000 rows: about
    0.2 s of Python that no longer adds to the load's wall time)."""
    if error is not None:
        raise error
    raw = raw or read_table(name, path)
    frame, problems = parse_table(raw)
    missing = [p for p in problems if p.rule.startswith("required column(s)")]
    if missing:
        return _SmallTable(None, missing, [], [], None)
    violations = problems + check_rows(name, frame, source=raw.source, fiscal_year_start=fiscal_year_start)
    consistency: list[Violation] = []
    labelled = None
    if name == "plans" and not violations:
        consistency = check_plan_consistency(frame, source=str(path), fiscal_year_start=fiscal_year_start)
        if not consistency:
            plain = frame.drop(columns=[ROW]).reset_index(drop=True)
            labelled = plans_with_labels(plain, frame, fiscal_year_start=fiscal_year_start)
    return _SmallTable(frame, [], violations, consistency, labelled)


def small_frame(engine: str, connection: Any, frame: pd.DataFrame) -> nw.LazyFrame:
    """A small pandas frame as a lazy frame of ``engine`` on ``connection`` (e.g. to join with orders)."""
    return _backend(engine, connection).lazy(frame)


def check_lazy_options(engine: str, *, mapping: Any, on_invalid: str) -> None:
    """Options the lazy engines do not support raise here, saying what to do instead."""
    if mapping is not None:
        raise ParameterError(
            f"mapping= is not supported with engine={engine!r}: mappings build the contract's tables in "
            "pandas. Fix: load the export with engine='pandas', or write it once as canonical Parquet files "
            "(orders.parquet, leads.parquet, ...) and load that folder with the engine."
        )
    if on_invalid != "raise":
        raise ParameterError(
            f"on_invalid={on_invalid!r} is not supported with engine={engine!r} (rows are never set aside in "
            "the engine). Fix: use on_invalid='raise' and correct the rows the error lists, or load with "
            "engine='pandas' to quarantine them."
        )
