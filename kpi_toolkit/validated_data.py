"""From the contract's tables as read (:class:`~kpi_toolkit.reading.StagedData`) to a :class:`SalesData`: type
the cells (:mod:`kpi_toolkit.parsing`), check the row and cross-table rules (:mod:`kpi_toolkit.validation`),
then either raise every broken rule at once or set the invalid rows aside (:mod:`kpi_toolkit.quarantine`), and
count the rows read, used and excluded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Literal

import pandas as pd
import pyarrow as pa

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.parsing import MISSING_COLUMNS, parse_table
from kpi_toolkit.plan_codes import plans_with_labels
from kpi_toolkit.plans import check_plan_consistency
from kpi_toolkit.quarantine import label_columns, quarantine_frame, quarantine_rows, shown
from kpi_toolkit.reading import ROW, RawTable, StagedData
from kpi_toolkit.row_checks import check_rows
from kpi_toolkit.validation import check_references

__all__ = ["ON_INVALID", "ROW_COUNT_COLUMNS"]

#: Columns of ``SalesData.row_counts``: per table, rows read = rows used + rows excluded; ``rows_filtered``
#: counts the rows of the source file that a mapping's filter left out (not part of the table; 0 without one).
#: An orders table that sums its amounts from a lines file (``amount_from_lines``) adds a row ``order_lines``
#: for that file: valid lines (used), invalid lines (excluded), lines filtered (by the lines'
#: own ``where:``, and the lines of orders that the orders' ``where:`` left out).
ROW_COUNT_COLUMNS = ("table", "source", "rows_read", "rows_used", "rows_excluded", "rows_filtered")
OnInvalid = Literal["raise", "quarantine"]
#: What :func:`load` may do with invalid rows.
ON_INVALID = ("raise", "quarantine")


def _uncovered(problems: list[Violation], table: str, covered: set[tuple[str, str, int]]) -> list[Violation]:
    """Drop from the contract's findings the cells a mapping already reported (a date it could not read)."""
    if not covered:
        return problems
    out = []
    for v in problems:
        rows = tuple(r for r in v.rows if (table, v.column or "", r) not in covered)
        if rows:
            out.append(replace(v, rows=rows, n_rows=len(rows)) if len(rows) != len(v.rows) else v)
    return out


def _release(staged: StagedData, name: str) -> None:
    """Drop the frame of table ``name`` as read from ``staged`` (its name, source and labels stay).

    With ``on_invalid="raise"`` the cells as read serve only the table's own messages (built while typing
    it) and the uniqueness check of integer ids: once the table is typed and checked, they would only hold
    memory (at 2 million orders the raw orders are about 200 MiB of text beside the typed ones).
    """
    raw = staged.tables[name]
    staged.originals.pop(raw.source, None)
    staged.tables[name] = replace(raw, frame=raw.frame.iloc[:0].copy())  # a view would pin the columns
    # Arrow's allocator keeps freed pages for its next arrays; the next file is read by Python's allocator
    pa.default_memory_pool().release_unused()


def _validate(
    staged: StagedData,
    *,
    fiscal_year_start: int,
    source: str,
    on_invalid: OnInvalid,
    stages: tuple[str, ...] | None = None,
) -> SalesData:
    raws = staged.tables
    fatal: list[Violation] = []
    violations: list[Violation] = list(staged.findings)
    typed: dict[str, pd.DataFrame] = {}
    rows_read: dict[str, int] = {}
    for name in staged.names():
        raw = staged.take(name, keep_original=on_invalid == "quarantine")
        rows_read[name] = len(raw.frame)
        frame, problems = parse_table(raw)
        missing = [p for p in problems if p.rule.startswith(MISSING_COLUMNS)]
        if missing:
            fatal += missing
            continue
        violations += _uncovered(problems, name, staged.covered)
        violations += check_rows(
            name, frame, source=raw.source, fiscal_year_start=fiscal_year_start, raw=raw.frame, stages=stages
        )
        typed[name] = frame
        if on_invalid == "raise":  # the cells as read are not shown again: free them before the next table
            _release(staged, name)
        del raw
    sources = {name: raw.source for name, raw in raws.items()}
    violations = label_columns(violations, raws)
    if fatal or on_invalid == "raise":
        if not fatal and not violations and "plans" in typed:
            violations += check_plan_consistency(
                typed["plans"], source=sources["plans"], fiscal_year_start=fiscal_year_start
            )
        if not fatal and not violations:
            violations += label_columns(check_references(typed, sources), raws)
        if fatal or violations:
            raise DataValidationError([shown(v) for v in fatal + violations])
        findings: list[Violation] = []
    else:
        typed, findings, _ = quarantine_rows(typed, violations, raws, fiscal_year_start=fiscal_year_start)
        if rows_read["orders"] and not len(typed["orders"]):
            everything = Violation(
                "orders",
                sources["orders"],
                None,
                "every row is invalid: nothing is left to analyse",
                fix="correct the problems listed below",
            )
            raise DataValidationError([everything, *(shown(v) for v in findings)])
    counts = pd.DataFrame(
        [
            (
                name,
                raw.source,
                rows_read[name],
                len(typed[name]),  # rows, not row numbers: an unpivoted plan line gives several rows
                rows_read[name] - len(typed[name]),
                raw.rows_filtered,
            )
            for name, raw in raws.items()
        ]
        + [  # files that fed a table (order lines): read = used + excluded, and the lines filtered
            (part, part_source, read, read - excluded, excluded, filtered)
            for raw in raws.values()
            for part, part_source, read, excluded, filtered in raw.parts
        ],
        columns=list(ROW_COUNT_COLUMNS),
    )
    tables = {name: frame.drop(columns=[ROW]).reset_index(drop=True) for name, frame in typed.items()}
    if "plans" in tables:  # normalised labels; the codes (and roll-up) of the check go with them
        tables["plans"] = plans_with_labels(
            tables["plans"], typed["plans"], fiscal_year_start=fiscal_year_start
        )
    return SalesData(
        orders=tables["orders"],
        leads=tables.get("leads"),
        plans=tables.get("plans"),
        managers=tables.get("managers"),
        activities=tables.get("activities"),
        assignments=tables.get("assignments"),
        returns=tables.get("returns"),
        fiscal_year_start=fiscal_year_start,
        source=source,
        row_counts=counts,
        quarantine=quarantine_frame(findings, staged.originals),
        stages=stages,
    )


def _staged(raws: dict[str, RawTable]) -> StagedData:
    """The tables as read, ready for :func:`_validate`, each source's rows kept for the quarantine."""
    return StagedData(raws, originals={raw.source: raw.frame for raw in raws.values()})


def _staged_files(readers: dict[str, Callable[[], RawTable]]) -> StagedData:
    """Tables to read, each when :func:`_validate` reaches it (which keeps its rows for the quarantine)."""
    return StagedData({}, readers=readers)


def _check_on_invalid(on_invalid: str) -> None:
    if on_invalid not in ON_INVALID:
        raise ParameterError(
            f"on_invalid={on_invalid!r} is not allowed. Fix: use 'raise' (stop at invalid rows, the default) "
            "or 'quarantine' (set them aside, listed in data.quarantine)."
        )
