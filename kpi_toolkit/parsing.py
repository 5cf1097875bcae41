"""Turning the cells of a raw table into typed columns, recording every cell that does not parse.

Normalisations, all documented in README.md: surrounding white space is stripped from every text cell and
an empty cell is missing; ids are text (``7`` and ``"7"`` are the same id); statuses are lower-cased;
dates are ISO 8601 (a date, or a date and time; a time-zone offset is converted to UTC and dropped).
A cell that is not empty but does not parse is never turned into a missing value silently: it is a violation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.reading import ROW, RawTable
from kpi_toolkit.schema import LEAD_STATUSES, TABLES, Column

__all__ = ["MISSING_COLUMNS", "missing_columns_violation", "parse_table", "unparsed_rule"]

#: How the violation of a missing required column starts (a file-level problem: never quarantined).
MISSING_COLUMNS = "required column(s)"

_FIXES = {
    "datetime": "write dates as ISO 8601, e.g. 2026-07-01 or 2026-07-01 14:30",
    "number": "write plain numbers with a decimal point, e.g. 1234.50 (no currency signs or thousands "
    "separators; describe other formats in a mapping file)",
    "integer": "write whole numbers, e.g. 3",
    "status": f"use one of {', '.join(LEAD_STATUSES)} (any case)",
}


def _as_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values):
        # Parquet ids stored as floats (e.g. 7.0) are the id "7".
        # (integer columns with gaps arrive as floats), so whole floats are written without ".0".
        whole = values.notna() & (values == values.round())
        text = values.astype("string").where(~whole, values.where(whole).astype("Int64").astype("string"))
        return text.mask(text == "")
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _parse(column: Column, values: pd.Series) -> pd.Series:
    if column.kind == "datetime":
        if pd.api.types.is_datetime64_any_dtype(values):
            parsed = values
        else:
            parsed = pd.to_datetime(_as_text(values), format="ISO8601", utc=True, errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        return parsed.astype("datetime64[ns]")
    if column.kind in ("number", "integer"):
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            parsed = values.astype("float64")
        else:
            parsed = pd.to_numeric(_as_text(values), errors="coerce").astype("float64")
        parsed = parsed.where(np.isfinite(parsed))
        if column.kind == "integer":
            parsed = parsed.where(parsed.isna() | (parsed == np.round(parsed)))
        return parsed
    text = _as_text(values)
    if column.kind == "label":
        return text.str.lower()
    if column.kind == "status":
        text = text.str.lower()
        text = text.where(text.isna() | text.isin(LEAD_STATUSES))
    return text


def unparsed_rule(column: Column) -> tuple[str, str]:
    """The rule and the fix reported for a cell of ``column`` that is not empty but does not parse."""
    what = {"datetime": "a date", "number": "a finite number", "integer": "a whole number"}
    rule = f"value is not {what.get(column.kind, 'valid')}"
    if column.kind == "status":
        rule = f"unknown status; allowed: {', '.join(LEAD_STATUSES)}"
    return rule, _FIXES.get(column.kind, "")


def missing_columns_violation(table: str, source: str, columns: list[str]) -> Violation | None:
    """The violation of a table whose (normalised) ``columns`` lack a required column, else ``None``."""
    missing = [c.name for c in TABLES[table].columns if c.required and c.name not in columns]
    if not missing:
        return None
    found = [c for c in columns if c != ROW]
    fix = f"add or rename the column(s) to {', '.join(missing)} (names are case-insensitive)"
    if len(found) == 1 and any(d in found[0] for d in (";", "\t", "|")):
        fix += "; the header looks split by another delimiter than ',': describe the file in a mapping"
    return Violation(
        table, source, missing[0], f"{MISSING_COLUMNS} {missing} missing; the file has {found}", fix=fix
    )


def parse_table(raw: RawTable) -> tuple[pd.DataFrame, list[Violation]]:
    """Type the columns of ``raw`` by the contract and list what could not be parsed or is missing.

    Returns the typed frame (contract columns first, in contract order, then any extra columns as text,
    then ``_row``) and the violations: missing required columns, empty required cells, cells that do not
    parse. Each violation lists every row it concerns (callers show the first few).
    """
    spec = TABLES[raw.name]
    frame = raw.frame
    violations: list[Violation] = []
    violation = missing_columns_violation(raw.name, raw.source, list(frame.columns))
    if violation is not None:
        violations.append(violation)
        return frame, violations

    out = {}
    for column in spec.columns:
        if column.name not in frame.columns:
            dtype = "datetime64[ns]" if column.kind == "datetime" else "float64"
            dtype = "string" if column.kind in ("id", "text", "status", "label") else dtype
            out[column.name] = pd.Series(pd.NA if dtype == "string" else None, index=frame.index, dtype=dtype)
            continue
        original = frame[column.name]
        parsed = _parse(column, original)
        textual = original.dtype == object or pd.api.types.is_string_dtype(original)
        empty = _as_text(original).isna() if textual else original.isna()
        bad = parsed.isna() & ~empty
        if bad.any():
            violations.append(_cells(raw, column.name, bad, *unparsed_rule(column)))
        if not column.nullable and empty.any():
            violations.append(
                _cells(raw, column.name, empty, "value is empty", f"fill in every {column.name}")
            )
        out[column.name] = parsed
    extras = [c for c in frame.columns if c not in out and c != ROW]
    for name in extras:
        out[name] = frame[name]
    out[ROW] = frame[ROW]
    return pd.DataFrame(out, index=frame.index), violations


def _cells(raw: RawTable, column: str, mask: pd.Series, rule: str, fix: str) -> Violation:
    rows = raw.frame.loc[mask, ROW]
    examples = raw.frame.loc[mask, column].astype("string").head(3).tolist()
    return Violation(
        table=raw.name,
        source=raw.source,
        column=column,
        rule=rule,
        rows=tuple(int(r) for r in rows),
        n_rows=int(mask.sum()),
        examples=tuple(str(e) for e in examples),
        fix=fix,
    )
