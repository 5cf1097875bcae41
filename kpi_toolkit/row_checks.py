"""The row rules (:mod:`kpi_toolkit.row_rules`) applied to a typed pandas table: one violation per broken
rule, with the file, the column, the row numbers as the user sees them (first few and a count) and how to fix
it.
"""

from __future__ import annotations

import narwhals as nw
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi_toolkit.errors import Violation
from kpi_toolkit.plan_codes import plan_codes
from kpi_toolkit.reading import ROW
from kpi_toolkit.row_rules import row_rules

__all__ = ["check_rows"]


def _violation(table: str, source: str, column: str, rule: str, fix: str, hits: pd.DataFrame) -> Violation:
    hits = hits.sort_values(ROW)
    examples = hits[column].astype("string").dropna().head(3).tolist() if column in hits else []
    return Violation(
        table=table,
        source=source,
        column=column,
        rule=rule,
        rows=tuple(int(r) for r in hits[ROW]),
        n_rows=len(hits),
        examples=tuple(str(e) for e in examples),
        fix=fix,
    )


def check_rows(
    table: str,
    frame: pd.DataFrame,
    *,
    source: str,
    fiscal_year_start: int,
    raw: pd.DataFrame | None = None,
    stages: tuple[str, ...] | None = None,
) -> list[Violation]:
    """Apply the row rules of ``table`` to its typed ``frame``; plans' period labels are checked here too.

    ``raw``, the table as read (before typing), lets a uniqueness rule check integer ids as integers;
    ``stages``, the data set's stages, adds the rule that a lead's stage is one of them.
    """
    violations = []
    codes = None
    if table == "plans":  # coded once: these rules, the consistency check and the plan book share the codes
        codes = plan_codes(frame, fiscal_year_start=fiscal_year_start)
        unlabelled = (codes.period >= 0) & (codes.kind < 0)
        if unlabelled.any():
            violations.append(
                _violation(
                    table,
                    source,
                    "period",
                    "period is not a period label",
                    "write a quarter as 2026Q3, a month as 2026-07 or a year as 2026",
                    frame[unlabelled],
                )
            )
    native = nw.from_native(frame, eager_only=True)
    for rule in row_rules(table, stages):
        if codes is not None and rule.clean is not None and rule.clean(codes):
            continue  # no row can break it, by the codes: skip the rule's pass over the frame
        if rule.unique and _all_distinct(frame, rule.unique, raw):
            continue  # no row can break it: skip the rule's window over every id
        hits = native.filter(rule.violated().fill_null(value=False)).to_native()
        if len(hits):
            violations.append(_violation(table, source, rule.column, rule.rule, rule.fix, hits))
    return violations


def _all_distinct(frame: pd.DataFrame, keys: tuple[str, ...], raw: pd.DataFrame | None = None) -> bool:
    """Whether no two rows share ``keys`` (so no uniqueness rule flags a row): one hash pass, no window.

    One key: its present values all differ and at most one is missing, by one hash pass in Arrow (text ids,
    UUIDs and integers alike); ids that the file stores as integers (Parquet) are checked as integers, the
    text of an integer being unique to it (increasing ones, as most exports write them, with no hashing at
    all). Several keys: pandas' hashing of the rows (``duplicated``).
    """
    if len(keys) > 1:
        return not frame.duplicated(list(keys)).any()
    key = keys[0]
    numbers = None if raw is None or key not in raw else raw[key]
    if numbers is not None and numbers.dtype.kind in "iu":
        values = numbers.to_numpy()
        return bool((values[1:] > values[:-1]).all()) or bool(numbers.is_unique)
    array = pa.array(frame[key], from_pandas=True)
    present = array.drop_null()
    return array.null_count <= 1 and len(pc.unique(present)) == len(present)  # half count_distinct's CPU
