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

Row numbers in messages, per engine and format (the pandas engine numbers CSV lines exactly):

- Parquet, both engines: the row's 1-based position in the file (DuckDB's ``file_row_number``, Spark's
  ``_metadata.row_index``, plus one), as on the pandas engine.
- CSV, both engines: the record's position plus one (the header being line 1): the file's line number when
  no record spans two lines and no blank line precedes it (the engines skip blank lines without counting
  them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd

from kpi_toolkit.employment_rules import LEAD_OUTSIDE_EMPLOYMENT, OUTSIDE_EMPLOYMENT, employment_dates
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.engines.tables import (
    Backend,
    LazyTable,
    dirty_column,
    empty_column,
    hash_column,
    shown_column,
)
from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.manager_rules import (
    MANAGER_TABLES,
    check_assignments,
    check_plan_teams,
    spelling_groups,
    spelling_rule,
    unknown_managers_rule,
)
from kpi_toolkit.parsing import parse_table, unparsed_rule
from kpi_toolkit.plan_codes import plans_with_labels
from kpi_toolkit.plans import check_plan_consistency
from kpi_toolkit.quarantine import shown
from kpi_toolkit.reading import ROW, find_table_files, read_table
from kpi_toolkit.return_rules import check_returns
from kpi_toolkit.row_checks import check_rows
from kpi_toolkit.row_rules import row_rules
from kpi_toolkit.schema import TABLES, Column
from kpi_toolkit.validation import UNKNOWN_LEAD

__all__ = ["LAZY_TABLES", "LazyLoad", "check_lazy_options", "load_lazy", "small_frame"]

#: The tables that stay lazy in the engine; the others are small and come to pandas.
LAZY_TABLES = ("orders", "leads")
#: How many rows of each broken rule are fetched (and shown; ``n_rows`` counts them all).
FIRST_ROWS = 20
#: Dates ``SalesData`` needs (``first_date``, ``last_date``): counted by the validation query.
_DATES = {
    "orders": {"first": ("ordered_at", "min"), "last": ("ordered_at", "max")},
    "leads": {"created": ("created_at", "max"), "closed": ("closed_at", "max")},
}


@dataclass(frozen=True)
class _Check:
    column: str
    rule: str
    fix: str
    flag: Callable[[], nw.Expr] | None = None
    shown: str = ""
    unique: tuple[str, ...] = ()


def _checks(table: LazyTable, stages: tuple[str, ...] | None = None) -> list[_Check]:
    """The table's cell checks (as :func:`kpi_toolkit.parsing.parse_table`) then its row rules, in order."""
    checks: list[_Check] = []
    for column in TABLES[table.name].columns:
        if column.name not in table.present:
            continue
        if column.kind not in ("id", "text"):  # text never fails to parse
            rule, fix = unparsed_rule(column)
            checks.append(_Check(column.name, rule, fix, _unparsed(column), shown_column(column.name)))
        if not column.nullable:
            empty = _empty(column.name)
            fix = f"fill in every {column.name}"
            checks.append(_Check(column.name, "value is empty", fix, empty, shown_column(column.name)))
    for rule in row_rules(table.name, stages):
        checks.append(_Check(rule.column, rule.rule, rule.fix, rule.violated, rule.column, rule.unique))
    return checks


def _unparsed(column: Column) -> Callable[[], nw.Expr]:
    return lambda: nw.col(column.name).is_null() & ~nw.col(empty_column(column.name))


def _empty(column: str) -> Callable[[], nw.Expr]:
    return lambda: nw.col(empty_column(column))


@dataclass
class _Session:
    backend: Backend
    lazy: dict[str, LazyTable] = field(default_factory=dict)
    small: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    dates: dict[str, Any] = field(default_factory=dict)

    def collect(self, frame: nw.LazyFrame, table: LazyTable | None = None) -> pd.DataFrame:
        try:
            return to_pandas(frame)
        except Exception as exc:
            found = None if table is None else self.backend.read_error(exc, table)
            if found is None:
                raise
            raise DataValidationError([found]) from None

    def hits(
        self, table: str, frame: nw.LazyFrame, column: str, shown_as: str, n: int | None = None
    ) -> tuple[int, tuple[int, ...], tuple[str, ...]]:
        """Count of ``frame``'s rows, its first rows and up to three values of ``shown_as`` among them."""
        if n is None:
            n = int(self.collect(frame.select(nw.len().alias("_n")))["_n"].iloc[0])
        if not n:
            return 0, (), ()
        raw = self.lazy[table].raw if table in self.lazy else None
        if raw is not None and shown_as not in frame.collect_schema().names():
            # the cells as found are looked up in the file by row, for the first rows only
            rows = self.collect(frame.select(ROW).sort(ROW).head(FIRST_ROWS))[ROW].tolist()
            found = raw.filter(nw.col(ROW).is_in([int(r) for r in rows])).select(ROW, shown_as)
            first = self.collect(found, self.lazy[table]).sort_values(ROW, ignore_index=True)
        else:
            first = self.collect(frame.select(ROW, shown_as).sort(ROW).head(FIRST_ROWS))
        examples = first[shown_as].astype("string").dropna().head(3).tolist()
        return n, tuple(int(r) for r in first[ROW]), tuple(str(e) for e in examples)

    def violation(
        self,
        table: str,
        column: str,
        rule: str,
        fix: str,
        found: tuple[int, tuple[int, ...], tuple[str, ...]],
    ) -> Violation:
        n, rows, examples = found
        return Violation(table, self.sources[table], column, rule, rows, n, examples, fix)

    def frame(self, table: str) -> nw.LazyFrame:
        if table in self.lazy:
            assert self.lazy[table].frame is not None
            return self.lazy[table].frame
        return nw.from_native(self.small[table].reset_index(drop=True), eager_only=True).lazy()


def _table_violations(
    session: _Session, table: LazyTable, stages: tuple[str, ...] | None = None
) -> list[Violation]:
    """Count every check of ``table`` in one query; fetch the first rows of each broken one.

    Uniqueness starts in the same scan, which counts each key's values: for integer ids it also takes their
    range and a bitmap over it counts the distinct ones (:meth:`Backend.distinct_integers`, a seventh of the
    CPU); text ids and UUIDs have their distinct 64-bit hashes counted apart (:meth:`Backend.distinct_hashes`,
    on DuckDB a sort: half the CPU of a distinct count in the scan at 10 million ids). Only when the counts
    differ does a group-by over the ids themselves find the repeated ones and their rows (equal hashes of
    different ids are never reported). Spark flags repeated ids with a
    window instead (``unique_by_window``: one job fewer there).
    """
    assert table.frame is not None
    checks = _checks(table, stages)
    by_window = session.backend.unique_by_window
    flagged = [(i, c) for i, c in enumerate(checks) if c.flag is not None and (by_window or not c.unique)]
    distinct = [(i, c.unique[0]) for i, c in enumerate(checks) if c.unique and not by_window]
    assert all(
        len(c.unique) == 1 for c in checks if c.unique and not by_window
    )  # lazy tables: one-column ids
    flags = {i: c.flag().fill_null(value=False) for i, c in flagged}  # type: ignore[misc]
    frame = table.frame
    if by_window:  # a window (Spark's repeated ids) cannot sit inside a sum: the flags become columns first
        frame = frame.with_columns(*(f.alias(f"_v{i}") for i, f in flags.items()))
        flags = {i: nw.col(f"_v{i}") for i in flags}
    # else one select of sums over the table: no relation with the flags as columns (each costs a bind)
    sums = [f.cast(nw.Int64).sum().alias(f"_v{i}") for i, f in flags.items()]
    keyed = {i: hash_column(k) if k in table.hashed else k for i, k in distinct}
    # integer ids: their range here, their distinct values below by a bitmap (a seventh of n_unique's CPU)
    ranged = {i for i, k in distinct if k in table.integer_ids}
    # hashed ids (text, UUIDs): their distinct hashes below, sorted apart (cheaper than n_unique in this scan)
    hashes = {i for i, k in distinct if k in table.hashed}
    sums += [nw.col(k).count().alias(f"_c{i}") for i, k in distinct]  # a hash is missing where its id is
    sums += [nw.col(keyed[i]).n_unique().alias(f"_u{i}") for i, _ in distinct if i not in ranged | hashes]
    sums += [
        e
        for i in ranged
        for e in (nw.col(keyed[i]).min().alias(f"_lo{i}"), nw.col(keyed[i]).max().alias(f"_hi{i}"))
    ]
    sums += [nw.col(dirty_column(c)).cast(nw.Int64).sum().alias(f"_d{j}") for j, c in enumerate(table.dirty)]
    dates = [getattr(nw.col(c), how)().alias(k) for k, (c, how) in _DATES.get(table.name, {}).items()]
    counts = session.collect(frame.select(nw.len().alias("_n"), *sums, *dates), table).iloc[0]
    session.counts[table.name] = int(counts["_n"])
    if table.settle is not None:  # later scans use the table as the counts allow (e.g. untested clean text)
        dirty = {
            c: int(0 if pd.isna(counts[f"_d{j}"]) else counts[f"_d{j}"]) for j, c in enumerate(table.dirty)
        }
        session.lazy[table.name] = table.settle(dirty)
    session.dates |= {k: (None if pd.isna(counts[k]) else counts[k]) for k in _DATES.get(table.name, {})}
    violations = []
    for i, check in enumerate(checks):
        if check.unique and not by_window:
            values = int(counts[f"_c{i}"])
            if i in ranged:
                different = _distinct_integers(session, table, check.unique[0], counts, i)
            elif i in hashes:
                different = _distinct_hashes(session, table.name, keyed[i], counts, i)
            else:
                # n_unique counts a missing value as one more distinct value; distinct hashes are distinct
                # ids, and where two hashes are equal the group-by below finds whether the ids are
                different = int(counts[f"_u{i}"]) - int(values < int(counts["_n"]))
            if values == different:
                continue  # every present value differs: nothing to look up
            keys = list(check.unique)
            groups = (
                table.frame.filter(*(~nw.col(k).is_null() for k in keys))
                .group_by(*keys)
                .agg(nw.len().alias("_n"))
                .filter(nw.col("_n") > 1)
            )
            total = session.collect(groups.select(nw.col("_n").sum()), table)["_n"].iloc[0]
            n = 0 if pd.isna(total) else int(total)
            rows = table.frame.join(groups.select(*keys), on=keys, how="semi")
            found = session.hits(table.name, rows, check.column, check.shown, n)
        else:
            n = int(counts[f"_v{i}"])
            if not n:
                continue  # nothing broken: no relation to build
            found = session.hits(table.name, frame.filter(flags[i]), check.column, check.shown, n)
        if found[0]:
            violations.append(session.violation(table.name, check.column, check.rule, check.fix, found))
    return violations


def _distinct_integers(session: _Session, table: LazyTable, column: str, counts: pd.Series, i: int) -> int:
    """Distinct present values of the integer id ``column``, in the range the counting query found."""
    if not int(counts[f"_c{i}"]):
        return 0
    assert table.frame is not None
    low, high = int(counts[f"_lo{i}"]), int(counts[f"_hi{i}"])
    found = session.backend.distinct_integers(table.frame, column, low, high)
    if found is not None:
        return found
    unique = nw.col(column).n_unique().alias("_u")  # ids too sparse for a bitmap; a missing one counts
    missing = int(counts[f"_c{i}"]) < int(counts["_n"])
    return int(session.collect(table.frame.select(unique), table)["_u"].iloc[0]) - int(missing)


def _distinct_hashes(session: _Session, table: str, column: str, counts: pd.Series, i: int) -> int:
    """Distinct present 64-bit hashes of a hashed id (``column``): a lower bound of its distinct ids, equal to
    their count only when every id differs (distinct hashes are distinct ids; equal ones are decided by the
    caller's group-by over the ids themselves)."""
    values = int(counts[f"_c{i}"])
    if not values:
        return 0
    frame = session.frame(table)  # settled: clean text is hashed as it is, untested
    found = session.backend.distinct_hashes(frame, column, values)
    if found is not None:
        return found
    unique = nw.col(column).n_unique().alias("_u")  # the engine has no cheaper way; a missing one counts
    missing = values < int(counts["_n"])
    return int(session.collect(frame.select(unique), session.lazy[table])["_u"].iloc[0]) - int(missing)


#: Tables whose ``lead_id``, when given, must be a lead of the leads table.
_LEAD_TABLES = ("orders", "activities")


def _references(session: _Session) -> list[Violation]:
    """The cross-table rules of :func:`kpi_toolkit.validation.check_references`, as queries."""
    order = [t for t in MANAGER_TABLES if t in session.sources]
    distinct = {t: set(session.small[t]["manager"].dropna().unique()) for t in order if t in session.small}
    lazy = [t for t in order if t in session.lazy]
    stacked = nw.concat(
        [session.frame(t).select(nw.col("manager"), nw.lit(t).alias("_table")) for t in lazy], how="vertical"
    )
    found = session.collect(stacked.group_by("_table", "manager").agg(nw.len()))  # one query for all
    for t in lazy:
        distinct[t] = {str(m) for m in found.loc[found["_table"] == t, "manager"].dropna()}
    groups = spelling_groups(set().union(*distinct.values()))
    clashing = {m for group in groups.values() for m in group}
    violations = []
    for t in order:
        hit = distinct[t] & clashing
        if hit:
            rows = session.frame(t).filter(nw.col("manager").is_in(sorted(hit)))
            rule, fix = spelling_rule(hit, groups)
            violations.append(
                session.violation(t, "manager", rule, fix, session.hits(t, rows, "manager", "manager"))
            )
    if "managers" in session.sources:
        for t in order[1:] if order[0] == "managers" else order:
            unknown = sorted(distinct[t] - distinct["managers"])
            if unknown:
                rows = session.frame(t).filter(nw.col("manager").is_in(unknown))
                rule, fix = unknown_managers_rule(unknown, session.sources["managers"])
                found = session.hits(t, rows, "manager", "manager")
                violations.append(session.violation(t, "manager", rule, fix, found))
    violations += check_assignments(session.small, session.sources)  # small tables: pandas
    violations += check_plan_teams(session.small, session.sources)
    if "leads" in session.lazy:
        for t in (t for t in _LEAD_TABLES if t in session.sources):
            if _integer_leads_known(session, t):
                continue  # every lead_id is a lead's: no anti-join
            found = session.hits(t, _unknown_leads(session, t), "lead_id", "lead_id")
            if found[0]:
                violations.append(session.violation(t, "lead_id", *UNKNOWN_LEAD, found))
    if "managers" in session.small and "orders" in session.lazy:
        dates = employment_dates(session.small["managers"])
        if dates is not None:
            orders = session.frame("orders")
            rows = orders.join(session.backend.lazy(dates), on="manager", how="inner").filter(
                (nw.col("ordered_at") < nw.col("_hired")) | (nw.col("ordered_at") >= nw.col("_until"))
            )
            found = session.hits("orders", rows, "ordered_at", shown_column("ordered_at"))
            if found[0]:
                violations.append(session.violation("orders", "ordered_at", *OUTSIDE_EMPLOYMENT, found))
            if "leads" in session.lazy:
                violations += _lead_dates(session, dates)
    if "returns" in session.small:
        returns = session.small["returns"]
        violations += check_returns(
            returns, _returned_orders(session, returns), source=session.sources["returns"]
        )
    return violations


def _lead_dates(session: _Session, dates: pd.DataFrame) -> list[Violation]:
    """Leads dated outside their manager's employment
    (:func:`kpi_toolkit.employment_rules.check_lead_dates`)."""
    leads = session.frame("leads").join(session.backend.lazy(dates), on="manager", how="inner")
    closed, created = nw.col("closed_at"), nw.col("created_at")
    outside = {
        "closed_at": ~closed.is_null() & ((closed < nw.col("_hired")) | (closed >= nw.col("_until"))),
        "created_at": ~created.is_null() & (created >= nw.col("_until")),
    }
    violations = []
    for column, flag in outside.items():
        found = session.hits("leads", leads.filter(flag), column, shown_column(column))
        if found[0]:
            violations.append(session.violation("leads", column, *LEAD_OUTSIDE_EMPLOYMENT[column], found))
    return violations


def _returned_orders(session: _Session, returns: pd.DataFrame) -> pd.DataFrame:
    """The orders the returns name (returns are a small table), fetched from the engine by a semi-join."""
    ids = returns["order_id"].dropna().astype("string").unique()
    orders = session.lazy["orders"]
    assert orders.frame is not None
    order_id = nw.col("order_id").cast(nw.String) if "order_id" in orders.integer_ids else nw.col("order_id")
    wanted = session.backend.lazy(pd.DataFrame({"order_id": pd.Series(ids, dtype="string")}))
    keyed = orders.frame.select(order_id.alias("order_id"), "manager", "ordered_at", "amount")
    return session.collect(keyed.join(wanted, on="order_id", how="semi"))


def _integer_leads_known(session: _Session, table: str) -> bool:
    """Whether every lead_id of the lazy ``table`` is a lead's, where both store them as integers: the
    engine's cheaper test (:meth:`Backend.all_known`); ``False`` when it cannot tell."""
    leads, rows = session.lazy["leads"], session.lazy.get(table)
    if rows is None or not {"lead_id"} <= leads.integer_ids & rows.integer_ids:
        return False
    assert leads.frame is not None and rows.frame is not None
    return session.backend.all_known(rows.frame, leads.frame, "lead_id")


def _unknown_leads(session: _Session, table: str) -> nw.LazyFrame:
    """The rows of ``table`` whose lead_id is not a lead: an anti-join in the engine."""
    leads = session.lazy["leads"]
    assert leads.frame is not None
    if table in session.lazy:
        rows = session.frame(table)
        as_int = "lead_id" in session.lazy[table].integer_ids
    else:  # a small table: its distinct lead ids go to the engine, the unknown ones come back
        frame = session.small[table]
        ids = frame["lead_id"].dropna().astype("string").unique()
        known = session.backend.lazy(pd.DataFrame({"lead_id": pd.Series(ids, dtype="string")}))
        lead_id = nw.col("lead_id").cast(nw.String) if "lead_id" in leads.integer_ids else nw.col("lead_id")
        missing = known.join(leads.frame.select(lead_id.alias("lead_id")), on="lead_id", how="anti")
        unknown = set(session.collect(missing)["lead_id"]) if len(ids) else set()
        return session.frame(table).filter(nw.col("lead_id").is_in(sorted(unknown)))
    lead_id = nw.col("lead_id")
    if as_int != ("lead_id" in leads.integer_ids):  # one side integers, the other text: compare as text
        lead_id = lead_id.cast(nw.String)
    return (
        rows.filter(~nw.col("lead_id").is_null())
        .with_columns(lead_id.alias("_lead"))
        .join(leads.frame.select(lead_id.alias("_lead")), on="_lead", how="anti")
    )


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
