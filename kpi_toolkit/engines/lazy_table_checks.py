"""One lazy table's checks on DuckDB or Spark: every broken cell and row rule counted in one query.

The checks are those of :func:`kpi_toolkit.parsing.parse_table` (cells that do not parse, empty required
cells) and the row rules of :data:`kpi_toolkit.row_rules.ROW_RULES`; uniqueness of ids starts in the same
query and ends with a bitmap (integer ids) or a sort of the ids' 64-bit hashes (text ids, UUIDs), see
:func:`_table_violations`. Only counts and the first rows of each broken check come back to Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import narwhals as nw
import pandas as pd

from kpi_toolkit.engines.lazy_session import _Session
from kpi_toolkit.engines.tables import LazyTable, dirty_column, empty_column, hash_column, shown_column
from kpi_toolkit.errors import Violation
from kpi_toolkit.parsing import unparsed_rule
from kpi_toolkit.row_rules import row_rules
from kpi_toolkit.schema import TABLES, Column

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
        sums = [f.cast(nw.Int64).sum().alias(f"_v{i}") for i, f in flags.items()]
    else:  # one select of sums over the table: no relation with the flags as columns (each costs a bind);
        # DuckDB sums the truth values themselves (a missing one is skipped, as false): the same counts
        # without a fill and a cast per flag and row (10 million orders: 0.3 s less CPU in the query)
        sums = [c.flag().sum().alias(f"_v{i}") for i, c in flagged]  # type: ignore[misc]
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
    dirt = [nw.col(dirty_column(c)) for c in table.dirty]
    sums += [(d.cast(nw.Int64) if by_window else d).sum().alias(f"_d{j}") for j, d in enumerate(dirt)]
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
                different = _distinct_hashes(session, table.name, check.unique[0], counts, i)
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


def _distinct_hashes(session: _Session, table: str, key: str, counts: pd.Series, i: int) -> int:
    """Distinct present 64-bit hashes of a hashed id (``key``): a lower bound of its distinct ids, equal to
    their count only when every id differs (distinct hashes are distinct ids; equal ones are decided by the
    caller's group-by over the ids themselves). The hash is missing exactly where the id is."""
    values = int(counts[f"_c{i}"])
    if not values:
        return 0
    column = hash_column(key)
    frame = session.frame(table)  # settled: clean text is hashed as it is, untested
    found = session.backend.distinct_hashes(frame, column, values, present=key)
    if found is not None:
        return found
    unique = nw.col(column).n_unique().alias("_u")  # the engine has no cheaper way; a missing one counts
    missing = values < int(counts["_n"])
    return int(session.collect(frame.select(unique), session.lazy[table])["_u"].iloc[0]) - int(missing)
