"""Turning the cells of a raw table into typed columns, recording every cell that does not parse.

Normalisations, all documented in README.md: surrounding white space is stripped from every text cell and
an empty cell is missing; ids are text (``7`` and ``"7"`` are the same id); statuses are lower-cased;
dates are ISO 8601 (a date, or a date and time; a time-zone offset is converted to UTC and dropped).
A cell that is not empty but does not parse is never turned into a missing value silently: it is a violation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi_toolkit.errors import Violation
from kpi_toolkit.reading import ROW, RawTable
from kpi_toolkit.schema import LEAD_STATUSES, TABLES, Column

__all__ = ["MISSING_COLUMNS", "WHITESPACE", "missing_columns_violation", "parse_table", "unparsed_rule"]

#: How the violation of a missing required column starts (a file-level problem: never quarantined).
MISSING_COLUMNS = "required column(s)"

#: The dates a nanosecond timestamp holds (pandas' range); a date outside it is reported, not an error.
_FIRST_DAY, _LAST_DAY = pd.Timestamp("1677-09-22"), pd.Timestamp("2262-04-11")
_FIXES = {
    "datetime": "write dates as ISO 8601 between 1677-09-22 and 2262-04-11, e.g. 2026-07-01 or "
    "2026-07-01 14:30",
    "number": "write plain numbers with a decimal point, e.g. 1234.50 (no currency signs or thousands "
    "separators; describe other formats in a mapping file)",
    "integer": "write whole numbers, e.g. 3",
    "status": f"use one of {', '.join(LEAD_STATUSES)} (any case)",
}


#: Python's white space (what ``str.strip`` removes), stripped from every text cell (by the engines too).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _arrow_text(values: pd.Series) -> pd.Series | None:
    """Integer (or whole float), categorical or text cells as stripped text, in Arrow (ten times faster).

    ``None`` for other columns (mixed Python objects, fractional floats): those take the pandas path.
    """
    dtype = values.dtype
    if pd.api.types.is_float_dtype(dtype):  # integer ids with gaps arrive as floats: all whole, or not here
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        present = numbers[~np.isnan(numbers)]
        if not (
            np.isfinite(present).all()
            and (present == np.round(present)).all()
            and (np.abs(present) < 2.0**53).all()
        ):
            return None
        values = pd.Series(pd.array(numbers, dtype="Int64"), index=values.index, name=values.name)
        dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if not pd.api.types.is_string_dtype(dtype.categories.dtype):
            return None
    elif not (pd.api.types.is_integer_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
        return None
    array = pa.Array.from_pandas(values)
    if pa.types.is_integer(array.type):  # the text of an integer is never empty nor padded
        text = pc.cast(array, pa.large_string())
    elif pa.types.is_dictionary(array.type):  # categorical: each distinct word stripped once, then spread
        text = _stripped(array.dictionary.cast(pa.large_string())).take(array.indices)
    else:
        text = _stripped(pc.cast(array, pa.large_string()))
    return pd.Series(pd.array(text, dtype="string"), index=values.index, name=values.name)


def _stripped(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Arrow text without surrounding white space, an empty cell missing.

    Text with nothing to strip or blank out (as exports write ids, names and dates) is returned as it is:
    no copy (two copies of a column of 2 million ids are 60 MiB).
    """
    if not _may_need_stripping(text):
        return text
    text = pc.utf8_trim(text, characters=WHITESPACE)
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.large_string()), text)


def _edge_bytes(characters: str, *, last: bool) -> np.ndarray:
    """Which byte values may be the first (or the last) byte of one of ``characters`` in UTF-8."""
    table = np.zeros(256, dtype=bool)
    for character in characters:
        encoded = character.encode("utf-8")
        table[encoded[-1] if last else encoded[0]] = True
    return table


_FIRST_WHITE, _LAST_WHITE = _edge_bytes(WHITESPACE, last=False), _edge_bytes(WHITESPACE, last=True)


def _may_need_stripping(text: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a cell of large-string ``text`` is empty or may start or end with white space.

    Reads only each cell's first and last byte (the bytes a white-space character starts or ends with; a
    false alarm costs only the full strip): a thirtieth of :func:`pyarrow.compute.utf8_trim`'s time.
    """
    chunks = text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    for chunk in chunks:
        if not pa.types.is_large_string(chunk.type):
            return True
        if len(chunk) == chunk.null_count:
            continue
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
        starts, ends = offsets[:-1], offsets[1:]
        if chunk.null_count:
            present = chunk.is_valid().to_numpy(zero_copy_only=False)
            starts, ends = starts[present], ends[present]
        if (ends <= starts).any():  # an empty cell becomes missing
            return True
        data = np.frombuffer(data_buffer, dtype=np.uint8)
        if _FIRST_WHITE[data[starts]].any() or _LAST_WHITE[data[ends - 1]].any():
            return True
    return False


def _as_text(values: pd.Series) -> pd.Series:
    fast = _arrow_text(values)
    if fast is not None:
        return fast
    if pd.api.types.is_float_dtype(values):
        # Parquet ids stored as floats (e.g. 7.0) are the id "7".
        # (integer columns with gaps arrive as floats), so whole floats are written without ".0".
        whole = values.notna() & (values == values.round())
        text = values.astype("string").where(~whole, values.where(whole).astype("Int64").astype("string"))
        return text.mask(text == "")
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def _parse(column: Column, values: pd.Series, text: pd.Series | None = None) -> pd.Series:
    """``values`` typed as ``column`` says; ``text``, when given, is ``_as_text(values)`` computed already."""
    if column.kind == "datetime":
        if pd.api.types.is_datetime64_any_dtype(values):
            parsed = values
        else:
            text = _as_text(values) if text is None else text
            parsed = _plain_dates(text)
            if parsed is None:
                parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        if parsed.dtype != "datetime64[ns]":  # e.g. 2999-01-01 parses at a coarser unit: out of range
            parsed = parsed.where((parsed >= _FIRST_DAY) & (parsed <= _LAST_DAY))
        return parsed.astype("datetime64[ns]")
    if column.kind in ("number", "integer"):
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            parsed = values.astype("float64")
        else:
            text = _as_text(values) if text is None else text
            parsed = _numbers(text)
        parsed = parsed.where(np.isfinite(parsed))
        if column.kind == "integer":
            parsed = parsed.where(parsed.isna() | (parsed == np.round(parsed)))
        return parsed
    text = _as_text(values) if text is None else text
    if column.kind == "label":
        return text.str.lower()
    if column.kind == "status":
        text = text.str.lower()
        text = text.where(text.isna() | text.isin(LEAD_STATUSES))
    return text


#: Dates as exports write them: a day, or a day and a time to the minute or second (``T`` or a space between).
_PLAIN_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?$"


def _plain_dates(text: pd.Series) -> pd.Series | None:
    """Text cells of :data:`_PLAIN_DATE` dates only, as ``datetime64[ns]``; ``None`` for any other column.

    Arrow's ISO 8601 cast reads them without a Python object per cell: 0.13 s and 18 MiB instead of 0.46 s
    and 324 MiB for 2 million dates. It checks the calendar as pandas does (2023-02-29 and 24:00:00 are
    not dates), but a column with any such cell, or a date outside pandas' range, is left to pandas, which
    decides what is reported.
    """
    array = pa.array(text, from_pandas=True)
    if not pa.types.is_large_string(array.type) or array.null_count == len(array):
        return None
    if not pc.all(pc.match_substring_regex(array, _PLAIN_DATE)).as_py():
        return None
    try:
        seconds = pc.cast(array, pa.timestamp("s"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    lowest, highest = pc.min_max(seconds).values()
    if lowest.as_py() < _FIRST_DAY or highest.as_py() > _LAST_DAY:
        return None
    stamps = seconds.to_numpy(zero_copy_only=False).astype("datetime64[ns]")
    return pd.Series(stamps, index=text.index, name=text.name)


#: Plain decimal numbers (``-12``, ``1234.50``, ``.5``, ``1e-3``): the text Arrow's cast reads as pandas does.
_PLAIN_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def _numbers(text: pd.Series) -> pd.Series:
    """Text cells as float numbers, NaN where a cell is not a number: ``pd.to_numeric(errors="coerce")``.

    A column of plain decimal numbers only (as exports write them) is cast by Arrow, ten times faster with
    the same doubles (correctly rounded both; zeros, which pandas reads as integers and so never as -0.0,
    are read by pandas); any other column is read by pandas.
    """
    array = pa.array(text, from_pandas=True)
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        return pd.to_numeric(text, errors="coerce").astype("float64")
    if array.null_count == len(array) or not pc.all(pc.match_substring_regex(array, _PLAIN_NUMBER)).as_py():
        return pd.to_numeric(text, errors="coerce").astype("float64")
    try:
        numbers = pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")
    zero = np.flatnonzero(numbers == 0)
    if len(zero):
        numbers = numbers.copy()
        numbers[zero] = pd.to_numeric(text.iloc[zero], errors="coerce").to_numpy(dtype="float64")
    return pd.Series(numbers, index=text.index, name=text.name, dtype="float64")


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
            out[column.name] = _absent(column, frame.index)
            continue
        original = frame[column.name]
        textual = original.dtype == object or pd.api.types.is_string_dtype(original)
        text = _as_text(original) if textual else None  # stripped once: for the value and for emptiness
        parsed = _parse(column, original, text)
        empty = text.isna() if text is not None else original.isna()
        del text
        bad = parsed.isna() & ~empty
        if bad.any():
            violations.append(_cells(raw, column.name, bad, *unparsed_rule(column)))
        # an optional column that is empty throughout (e.g. a validated table written back) is absent
        absent = not column.required and len(empty) > 0 and bool(empty.all())
        if not column.nullable and empty.any() and not absent:
            violations.append(
                _cells(raw, column.name, empty, "value is empty", f"fill in every {column.name}")
            )
        out[column.name] = parsed
    extras = [c for c in frame.columns if c not in out and c != ROW]
    for name in extras:
        out[name] = frame[name]
    out[ROW] = frame[ROW]
    return pd.DataFrame(out, index=frame.index, copy=False), violations  # CoW: no copy of the columns


def _absent(column: Column, index: pd.Index) -> pd.Series:
    """An optional column the file lacks: missing in every row, with the column's dtype.

    A number or date column is one missing value repeated (a read-only array with no stride: 8 bytes
    instead of 8 per row, 46 MiB at 2 million orders for ``lines``, ``discount`` and ``cost``); pandas
    copies it on the first write, and every operation on it returns a column of its own.
    """
    if column.kind in ("id", "text", "status", "label"):  # Arrow's nulls: a bitmap, not a value per row
        return pd.Series(pd.array(pa.nulls(len(index), pa.large_string()), dtype="string"), index=index)
    missing = np.datetime64("NaT", "ns") if column.kind == "datetime" else np.float64(np.nan)
    return pd.Series(np.broadcast_to(missing, len(index)), index=index, copy=False)


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
