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
rows is no burden).

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
        raw = backend.read_small(name, path) or read_table(name, path)
        frame, problems = parse_table(raw)
        missing = [p for p in problems if p.rule.startswith("required column(s)")]
        if missing:
            fatal += missing
            continue
        violations += problems
        violations += check_rows(name, frame, source=raw.source, fiscal_year_start=fiscal_year_start)
        session.small[name] = frame
        session.counts[name] = len(frame)
    if fatal or violations:
        raise DataValidationError([shown(v) for v in fatal + violations])
    if "plans" in session.small:
        violations += check_plan_consistency(
            session.small["plans"], source=session.sources["plans"], fiscal_year_start=fiscal_year_start
        )
    if not violations:
        violations += _references(session)
    if violations:
        raise DataValidationError([shown(v) for v in violations])
    small = {name: frame.drop(columns=[ROW]).reset_index(drop=True) for name, frame in session.small.items()}
    if "plans" in small:  # normalised labels; the codes (and roll-up) of the check go with them
        small["plans"] = plans_with_labels(
            small["plans"], session.small["plans"], fiscal_year_start=fiscal_year_start
        )
    lazy = {name: table.data.to_native() for name, table in session.lazy.items()}
    return LazyLoad(
        tables={**lazy, **small},
        sources=dict(session.sources),
        counts=dict(session.counts),
        dates=dict(session.dates),
        connection=backend.connection,
    )


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
