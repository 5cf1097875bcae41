"""Setting invalid rows aside (``on_invalid="quarantine"``) instead of stopping, and saying so.

A row that breaks a row rule, or a cross-table rule, is dropped from its table and kept with every reason in
``SalesData.quarantine`` (one row per broken rule and row: table, source, row as the user sees it, column,
rule, fix, and the row's original values as JSON text). Dropping a row can break another (an order whose lead
was dropped), so the cross-table rules run again until nothing changes. A target that contradicts the sum of
its shorter periods is set aside together with them: which of them is right cannot be told. Problems with a
whole file (a missing required column, ragged rows, an undecidable encoding, an empty file) are never
quarantined: they raise.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.mapping.files import as_text
from kpi_toolkit.periods import period_columns
from kpi_toolkit.plans import check_plan_consistency
from kpi_toolkit.reading import ROW, RawTable
from kpi_toolkit.validation import check_references

__all__ = [
    "QUARANTINE_COLUMNS",
    "QuarantineSummary",
    "empty_quarantine",
    "label_columns",
    "quarantine_frame",
    "quarantine_rows",
    "quarantine_summary",
    "shown",
]

#: Columns of ``SalesData.quarantine``.
QUARANTINE_COLUMNS = ("table", "source", "row", "column", "rule", "fix", "values")
_SHOWN_ROWS = 20


def shown(violation: Violation) -> Violation:
    """The violation with only its first rows kept (for messages; ``n_rows`` still counts all)."""
    return replace(violation, rows=violation.rows[:_SHOWN_ROWS])


def label_columns(violations: list[Violation], raws: Mapping[str, RawTable]) -> list[Violation]:
    """Name each violation's column as the user's file does (a mapped contract column -> its source)."""
    out = []
    for v in violations:
        raw = raws.get(v.table)
        if raw is not None and v.source == raw.source and v.column in raw.labels:
            v = replace(v, column=raw.labels[v.column])
        out.append(v)
    return out


def empty_quarantine() -> pd.DataFrame:
    """A quarantine without rows (the columns of :data:`QUARANTINE_COLUMNS`)."""
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in QUARANTINE_COLUMNS})
    return frame.astype({"row": "int64"})


def _plan_parts(plans: pd.DataFrame, violations: list[Violation], fiscal_year_start: int) -> list[Violation]:
    """Widen plan-consistency violations to the shorter periods' targets they were compared with.

    One join of the flagged rows with the plan rows of the same manager and metric, kept where the row's
    period lies inside the flagged one (periods as first and last month, parsed once per distinct label).
    """
    if not violations:
        return []
    spans = period_columns(plans["period"], fiscal_year_start=fiscal_year_start)
    keyed = pd.DataFrame(
        {
            # a team's target (issue 15) is owned by the team: never joined with a manager's rows
            "manager": (
                plans["manager"].fillna("\0team " + plans["team"]) if "team" in plans else plans["manager"]
            ).to_numpy(),
            "metric": plans["metric"].to_numpy(),
            "start": spans["start"].to_numpy(),
            "end": (spans["start"] + spans["kind"].map(_MONTHS).astype("Int64")).to_numpy(),
            ROW: plans[ROW].to_numpy(),
        }
    ).dropna(subset=["start"])
    flagged = keyed[keyed[ROW].isin({r for v in violations for r in v.rows})]
    pairs = flagged.merge(keyed, on=["manager", "metric"], suffixes=("", "_part"))
    inside = pairs[(pairs["start"] <= pairs["start_part"]) & (pairs["end_part"] <= pairs["end"])]
    parts = inside.groupby(ROW)[f"{ROW}_part"].agg(lambda rows: set(rows.astype(int)))
    out = []
    for violation in violations:
        rows = set(violation.rows).union(*(parts.get(r, set()) for r in violation.rows))
        ordered = tuple(sorted(rows))
        out.append(replace(violation, rows=ordered, n_rows=len(ordered)))
    return out


_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def quarantine_rows(
    typed: dict[str, pd.DataFrame],
    findings: list[Violation],
    raws: Mapping[str, RawTable],
    *,
    fiscal_year_start: int,
) -> tuple[dict[str, pd.DataFrame], list[Violation], dict[str, set[int]]]:
    """Drop the rows of ``findings`` and then, until stable, those breaking cross-table and plan rules.

    Returns the remaining tables, every finding (the given ones and those found on the way) and, per table,
    the rows excluded.
    """
    sources = {name: raw.source for name, raw in raws.items()}
    excluded: dict[str, set[int]] = {name: set() for name in typed}
    findings = list(findings)

    def absorb(violations: list[Violation]) -> None:
        for v in violations:
            if v.table in typed and v.source == sources[v.table]:
                excluded[v.table].update(set(v.rows) & set(typed[v.table][ROW]))

    absorb(findings)
    while True:
        current = {name: frame[~frame[ROW].isin(excluded[name])] for name, frame in typed.items()}
        new: list[Violation] = []
        if "plans" in current and len(current["plans"]):
            inconsistent = check_plan_consistency(
                current["plans"], source=sources["plans"], fiscal_year_start=fiscal_year_start
            )
            new += _plan_parts(current["plans"], inconsistent, fiscal_year_start)
        new += check_references(current, sources)
        if not new:
            return current, findings, excluded
        new = label_columns(new, raws)
        findings += new
        absorb(new)


def quarantine_frame(findings: list[Violation], originals: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per finding and row: where, what, the fix and the row's original values (JSON text)."""
    if not findings:
        return empty_quarantine()
    lookups = {source: frame.set_index(ROW) for source, frame in originals.items()}
    records = []
    for v in findings:
        lookup = lookups.get(v.source)
        for row in v.rows:
            values = ""
            if lookup is not None and row in lookup.index:
                cells = lookup.loc[row]
                values = json.dumps({str(k): as_text(x) or "" for k, x in cells.items()}, ensure_ascii=False)
            records.append((v.table, v.source, int(row), v.column or "", v.rule, v.fix, values))
    frame = pd.DataFrame(records, columns=list(QUARANTINE_COLUMNS))
    frame = frame.sort_values(["table", "source", "row", "column", "rule"], kind="stable")
    return frame.reset_index(drop=True).astype({c: "str" for c in QUARANTINE_COLUMNS if c != "row"})


@dataclass(frozen=True)
class QuarantineSummary:
    """What a report says about the rows set aside from one file: how many, of how many, and why.

    ``rows_read`` is ``None`` for a file that is not a table's own (e.g. the order lines behind the orders'
    amounts); ``reasons`` are the rules broken, each with its number of rows, most frequent first.
    """

    table: str
    source: str
    rows: int
    rows_read: int | None
    reasons: tuple[str, ...]


def quarantine_summary(quarantine: pd.DataFrame, row_counts: pd.DataFrame) -> list[QuarantineSummary]:
    """Per table and file, how many rows were set aside and why (empty when nothing was).

    >>> q = pd.DataFrame({"table": ["orders"] * 3, "source": ["o.csv"] * 3, "row": [2, 2, 5],
    ...                   "rule": ["amount is negative", "order_id is not unique", "amount is negative"]})
    >>> counts = pd.DataFrame({"table": ["orders"], "source": ["o.csv"], "rows_read": [9]})
    >>> quarantine_summary(q, counts)[0].reasons
    ('amount is negative (2)', 'order_id is not unique (1)')
    """
    if quarantine is None or not len(quarantine):
        return []
    read = {(r["table"], r["source"]): int(r["rows_read"]) for _, r in row_counts.iterrows()}
    out = []
    for (table, source), group in quarantine.groupby(["table", "source"], sort=True):
        reasons = (
            group.groupby("rule", sort=False)["row"].nunique().sort_values(ascending=False, kind="stable")
        )
        out.append(
            QuarantineSummary(
                str(table),
                str(source),
                int(group["row"].nunique()),
                read.get((table, source)),
                tuple(f"{rule} ({k})" for rule, k in reasons.items()),
            )
        )
    return out
