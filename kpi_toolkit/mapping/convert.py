"""Turning an export's cells into the contract's text: numbers with a decimal point, dates in ISO 8601.

Every function returns the converted column (text, ``None`` for missing) and the mask of cells that are not
empty but could not be converted, so that the caller reports them (never a silent missing value).

Numbers: ``decimal`` is ``.`` or ``,``; digits may be grouped by threes with ``thousands`` (spaces, including
the no-break and narrow no-break spaces of Russian exports, by default). ``12,5`` with ``decimal: "."`` is
an error, not 125. Dates: ISO 8601 always; otherwise ``date_format`` (strptime formats, tried in turn), or
day.month.year and month/day/year forms, which ``dayfirst`` decides; without it, a column in which some first
number exceeds 12 is day-first, one in which some second number does is month-first, and a column where
neither happens is ambiguous: :class:`DateOrderUnknown` stops the loading and asks.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi_toolkit.mapping.files import as_text
from kpi_toolkit.parsing import WHITESPACE

__all__ = [
    "DateOrderUnknown",
    "apply_values",
    "arrow_text",
    "convert_dates",
    "convert_numbers",
    "nullify",
    "nullify_column",
    "text_cells",
    "text_column",
]

_SPACES = " \u00a0\u202f\u2009"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ].*)?$")
_YMD = re.compile(r"^(\d{4})[./](\d{1,2})[./](\d{1,2})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?$")


class DateOrderUnknown(Exception):
    """A column's dates could be day-first or month-first (``mixed``: it holds both kinds)."""

    def __init__(self, examples: list[str], *, mixed: bool) -> None:
        super().__init__(examples)
        self.examples = examples
        self.mixed = mixed


def _map_cells(values: pd.Series, fn: Callable[[object], object]) -> pd.Series:
    """``values.map(fn).astype(object)`` without copying every string.

    pandas reads a mapped column of text as its Arrow-backed ``str`` dtype, and ``astype(object)`` then makes
    new Python strings of every cell (at 2 million orders, hundreds of MiB beside the file's own). When every
    result is text or ``None`` (with some text) that is what pandas would do, with ``NaN`` for ``None``; the
    same cells are kept here as they are. Anything else goes through pandas unchanged.

    >>> out = _map_cells(pd.Series(["a", None, "b"], dtype=object), lambda v: v)
    >>> out.tolist() == pd.Series(["a", None, "b"], dtype=object).map(lambda v: v).astype(object).tolist()
    True
    """
    cells = values.tolist()
    out = [fn(v) for v in cells]
    kinds = set(map(type, out))
    if str in kinds and kinds <= {str, type(None)}:
        missing = np.nan
        return pd.Series(
            [missing if v is None else v for v in out] if type(None) in kinds else out,
            index=values.index,
            dtype=object,
            name=values.name,
        )
    if arrow_text(values):  # pandas maps Arrow text to Arrow text (NaN, not None, for a missing result)
        values = values.astype(object)
    return values.map(fn).astype(object)


# -- Arrow-backed text (a CSV file's cells) kept as it is
#
# A CSV file's cells are pandas' Arrow-backed ``str`` columns (:mod:`kpi_toolkit.mapping.files`). The
# functions below give, for such a column, the cells the Python functions above give, as a ``str`` column
# again: a cell whose first and last bytes cannot belong to a white-space character (and that is not a null
# marker) is left as it is, without a Python object per cell; only the other cells (empty, padded, or starting
# or ending with a character beyond ASCII that might be white space) go through the Python function. A column
# in which no cell changes is returned as it is (its Arrow buffers shared with the file's).


def arrow_text(values: pd.Series) -> bool:
    """Whether ``values`` is Arrow-backed text (pandas' ``str`` dtype), as a CSV file's cells are."""
    dtype = values.dtype
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _edge_table(*, last: bool) -> np.ndarray:
    """Which byte values may be the first (or the last) byte of a white-space character in UTF-8."""
    table = np.zeros(256, dtype=bool)
    for character in WHITESPACE:
        encoded = character.encode("utf-8")
        table[encoded[-1] if last else encoded[0]] = True
    return table


_FIRST_WHITE, _LAST_WHITE = _edge_table(last=False), _edge_table(last=True)


def _chunks(values: pd.Series) -> pa.ChunkedArray:
    return pa.chunked_array(values.array.__arrow_array__())


def _plain(values: pd.Series) -> np.ndarray:
    """Per cell of Arrow-backed ``values``: present, not empty, and neither starting nor ending with a byte
    a white-space character may start or end with (so ``str.strip`` leaves it as it is)."""
    parts = []
    for chunk in _chunks(values).chunks:
        chunk = chunk.cast(pa.large_string())
        n = len(chunk)
        if n == 0:
            continue
        if chunk.null_count == n:
            parts.append(np.zeros(n, dtype=bool))
            continue
        _, offsets_buffer, data_buffer = chunk.buffers()
        offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[chunk.offset : chunk.offset + n + 1]
        starts, ends = offsets[:-1], offsets[1:]
        plain = ends > starts
        if data_buffer is not None and plain.any():
            data = np.frombuffer(data_buffer, dtype=np.uint8)
            first = np.where(plain, starts, 0)
            last = np.where(plain, ends - 1, 0)
            plain &= ~_FIRST_WHITE[data[first]] & ~_LAST_WHITE[data[last]]
        if chunk.null_count:
            plain &= chunk.is_valid().to_numpy(zero_copy_only=False)
        parts.append(plain)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def _is_in(values: pd.Series, words: tuple[str, ...]) -> np.ndarray:
    """Per cell: equal to one of ``words`` (a missing cell: no)."""
    if not words or not len(values):
        return np.zeros(len(values), dtype=bool)
    hit = pc.is_in(_chunks(values), value_set=pa.array(sorted(set(words)), pa.large_string()))
    return pc.fill_null(hit, False).to_numpy(zero_copy_only=False)


def _patched(values: pd.Series, odd: np.ndarray, fn: Callable[[object], object]) -> pd.Series:
    """``values`` with ``fn`` applied to the cells at positions ``odd`` (``None``: missing)."""
    if not len(odd):
        return values
    before = values.iloc[odd].tolist()
    after = [fn(v) for v in before]
    changed = [i for i, (b, a) in enumerate(zip(before, after, strict=True)) if a is not b and a != b]
    if not changed:
        return values
    out = values.copy()
    out.iloc[odd[changed]] = [np.nan if after[i] is None else after[i] for i in changed]
    return out


def _whole(values: pd.Series, fn: Callable[[object], object], null_values: tuple[str, ...]) -> pd.Series:
    """``fn`` on each cell of Arrow-backed ``values`` whose stripped text may differ from it, or is a null
    marker (the others: as they are)."""
    odd = ~_plain(values)
    odd |= _is_in(values, null_values)
    return _patched(values, np.flatnonzero(odd), fn)


def text_column(values: pd.Series, null_values: tuple[str, ...] = ()) -> pd.Series:
    """:func:`text_cells`, Arrow-backed text kept Arrow-backed (other columns: :func:`text_cells`).

    >>> text_column(pd.Series(["a", " b ", "", "NULL"], dtype="str"), ("NULL",)).tolist()
    ['a', 'b', nan, nan]
    """
    if not arrow_text(values):
        return text_cells(values, null_values)
    nulls = set(null_values)

    def clean(value: object) -> str | None:
        text = as_text(value)
        text = text.strip() if text is not None else None
        return None if not text or text in nulls else text

    return _whole(values, clean, null_values)


def nullify_column(values: pd.Series, nulls: tuple[str, ...]) -> pd.Series:
    """:func:`nullify`, Arrow-backed text kept Arrow-backed (other columns: :func:`nullify`).

    >>> nullify_column(pd.Series(["a", " b ", " ", "-"], dtype="str"), ("-",)).tolist()
    ['a', ' b ', nan, nan]
    """
    if not arrow_text(values):
        return nullify(values, nulls)

    def clean(value: object) -> object:
        text = as_text(value)
        return None if text is None or not text.strip() or text.strip() in nulls else value

    return _whole(values, clean, nulls)


def text_cells(values: pd.Series, null_values: tuple[str, ...] = ()) -> pd.Series:
    """Cells as stripped text; empty cells and ``null_values`` (e.g. ``NULL``) are ``None``."""
    nulls = set(null_values)

    def clean(value: object) -> str | None:
        text = as_text(value)
        text = text.strip() if text is not None else None
        return None if not text or text in nulls else text

    return _map_cells(values, clean)


def nullify(values: pd.Series, nulls: tuple[str, ...]) -> pd.Series:
    """Empty cells and null markers become ``None``; other cells keep their value (numbers stay numbers)."""

    def clean(value: object) -> object:
        text = as_text(value)
        return None if text is None or not text.strip() or text.strip() in nulls else value

    return _map_cells(values, clean)


def apply_values(values: pd.Series, table: Mapping[str, str | None] | None) -> pd.Series:
    """Replace cells by the value map (keys matched without case and surrounding spaces; ``""`` is empty)."""
    if not table:
        return values

    def swap(value: object) -> object:
        key = (as_text(value) or "").strip().casefold()
        return table[key] if key in table else value

    return _map_cells(values, swap)


def _number_pattern(decimal: str, thousands: str) -> re.Pattern[str]:
    sep = f"[{re.escape(_SPACES)}]" if thousands == " " else re.escape(thousands)
    whole = rf"(?:\d{{1,3}}(?:{sep}\d{{3}})+|\d+)" if thousands else r"\d+"
    dec = re.escape(decimal)
    return re.compile(rf"^[+-]?(?:{whole}(?:{dec}\d*)?|{dec}\d+)(?:[eE][+-]?\d+)?$")


def convert_numbers(
    values: pd.Series, *, decimal: str = ".", thousands: str = " "
) -> tuple[pd.Series, pd.Series]:
    """Numbers as text with a decimal point (``repr`` of the float: exact), and the cells that are not.

    >>> out, bad = convert_numbers(pd.Series(["1\u00a0234,50", "12.5", None, 7.0]), decimal=",")
    >>> out.tolist(), bad.tolist()
    (['1234.5', None, None, '7.0'], [False, True, False, False])
    """
    if arrow_text(values) and decimal == "." and thousands != ".":
        return _arrow_numbers(values, decimal=decimal, thousands=thousands)
    pattern = _number_pattern(decimal, thousands)
    strip = str.maketrans("", "", _SPACES if thousands == " " else thousands)
    out: list[str | None] = []
    bad: list[bool] = []
    for value in values.tolist():
        number: float | None = None
        if value is None or (isinstance(value, float) and math.isnan(value)):
            pass
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, (bool, np.bool_)
        ):
            number = float(value)
        else:
            text = str(value).strip().replace("\u2212", "-")
            if text and pattern.match(text):
                number = float(text.translate(strip).replace(decimal, "."))
            elif text:
                number = math.nan
        ok = number is not None and math.isfinite(number)
        out.append(repr(number) if ok else None)
        bad.append(number is not None and not ok)
    return pd.Series(out, index=values.index, dtype=object), pd.Series(bad, index=values.index, dtype=bool)


def _timestamp(y: int, m: int, d: int, hh: str | None, mm: str | None, ss: str | None) -> str | None:
    try:
        moment = dt.datetime(y, m, d, int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        return None
    return moment.isoformat(sep=" ")


def convert_dates(
    values: pd.Series, *, date_format: tuple[str, ...] = (), dayfirst: bool | None = None
) -> tuple[pd.Series, pd.Series]:
    """Dates as ISO 8601 text, and the cells that are not dates (see the module's rules).

    Raises :class:`DateOrderUnknown` when ``dayfirst`` and ``date_format`` are not given and the column's
    day.month.year dates could be read either way.

    Arrow-backed text (a CSV file's cells) gives Arrow-backed text (a date that is not: ``NaN``), the cells
    already in ISO 8601 kept as they are.

    >>> cells = ["26.11.2026", "03.04.2026 14:30", "2026-07-01", "31.02.2026"]
    >>> out, bad = convert_dates(pd.Series(cells, dtype=object))
    >>> out.tolist(), bad.tolist()
    (['2026-11-26 00:00:00', '2026-04-03 14:30:00', '2026-07-01', None], [False, False, False, True])
    >>> out, bad = convert_dates(pd.Series(cells, dtype="str"))
    >>> out.dtype, out.tolist()
    (<StringDtype(na_value=nan)>, ['2026-11-26 00:00:00', '2026-04-03 14:30:00', '2026-07-01', nan])
    """
    if arrow_text(values):
        return _arrow_dates(values, date_format=date_format, dayfirst=dayfirst)
    cells = values.tolist()
    out: list[str | None] = [None] * len(cells)
    bad = [False] * len(cells)
    pending: dict[int, re.Match[str]] = {}
    for i, value in enumerate(cells):
        if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, (dt.date, pd.Timestamp)):
            out[i] = as_text(value)
            continue
        text = str(value).strip()
        if not text:
            continue
        if _ISO.match(text):
            out[i] = text
        elif date_format:
            out[i] = _strptime(text, date_format)
            bad[i] = out[i] is None
        elif match := _YMD.match(text):
            y, m, d, hh, mm, ss = match.groups()
            out[i] = _timestamp(int(y), int(m), int(d), hh, mm, ss)
            bad[i] = out[i] is None
        elif match := _DMY.match(text):
            pending[i] = match
        else:
            bad[i] = True
    if pending:
        if dayfirst is None:
            dayfirst = _day_first(list(pending.values()))
        for i, match in pending.items():
            a, _, b, y, hh, mm, ss = match.groups()
            day, month = (int(a), int(b)) if dayfirst else (int(b), int(a))
            out[i] = _timestamp(int(y), month, day, hh, mm, ss)
            bad[i] = out[i] is None
    return pd.Series(out, index=values.index, dtype=object), pd.Series(bad, index=values.index, dtype=bool)


def _arrow_converted(
    values: pd.Series, fast: np.ndarray, convert: Callable[[pd.Series], tuple[pd.Series, pd.Series]]
) -> tuple[pd.Series, pd.Series]:
    """Arrow-backed ``values`` converted: the ``fast`` cells are their own result; the others are converted
    by ``convert`` (as Python objects, in file order: a column-wide decision such as the date order sees the
    same cells it would see in the whole column, the fast ones never being part of it)."""
    odd = np.flatnonzero(~fast)
    bad = np.zeros(len(values), dtype=bool)
    if not len(odd):
        return values, pd.Series(bad, index=values.index, dtype=bool)
    out, odd_bad = convert(values.iloc[odd].astype(object))
    bad[odd] = odd_bad.to_numpy(dtype=bool)
    result = values.copy()
    result.iloc[odd] = [np.nan if v is None else v for v in out.tolist()]
    return result, pd.Series(bad, index=values.index, dtype=bool)


#: ISO 8601 dates in ASCII digits (``_ISO`` also takes other Unicode digits: those take the Python path).
_ARROW_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][^\n]*)?$"


def _arrow_dates(
    values: pd.Series, *, date_format: tuple[str, ...], dayfirst: bool | None
) -> tuple[pd.Series, pd.Series]:
    """:func:`convert_dates` of Arrow-backed text: an ISO 8601 cell with nothing to strip is its own
    result."""
    fast = _plain(values)
    if fast.any():
        fast &= pc.fill_null(pc.match_substring_regex(_chunks(values), _ARROW_ISO), False).to_numpy(
            zero_copy_only=False
        )
    return _arrow_converted(
        values, fast, lambda cells: convert_dates(cells, date_format=date_format, dayfirst=dayfirst)
    )


#: Decimal numbers that are ``repr`` of their own float: at most 15 significant digits (so no shorter text
#: reads as the same float), the last one not 0, no leading zero, no exponent (``repr`` writes one below
#: 0.0001 and from 1e16 on).
_ARROW_REPR = r"^-?(?:[1-9][0-9]*\.[0-9]*[1-9]|0\.0{0,3}[1-9](?:[0-9]{0,13}[1-9])?)$"


def _arrow_numbers(values: pd.Series, *, decimal: str, thousands: str) -> tuple[pd.Series, pd.Series]:
    """:func:`convert_numbers` of Arrow-backed text with decimal point ``.``: a cell that is already the
    ``repr`` of its float (e.g. ``1234.5``, ``-0.25``) is its own result."""
    fast = _plain(values)
    if fast.any():
        text = _chunks(values)
        digits = pc.subtract(pc.utf8_length(text), pc.add(pc.cast(pc.starts_with(text, "-"), pa.int64()), 1))
        fast &= pc.fill_null(
            pc.and_(pc.match_substring_regex(text, _ARROW_REPR), pc.less_equal(digits, 15)), False
        ).to_numpy(zero_copy_only=False)
    return _arrow_converted(
        values, fast, lambda cells: convert_numbers(cells, decimal=decimal, thousands=thousands)
    )


def _strptime(text: str, formats: tuple[str, ...]) -> str | None:
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).isoformat(sep=" ")
        except ValueError:
            continue
    return None


def _day_first(matches: list[re.Match[str]]) -> bool:
    """Day-first when some first number exceeds 12, month-first when some second does; else ask."""
    first = [m.group(0) for m in matches if int(m.group(1)) > 12]
    second = [m.group(0) for m in matches if int(m.group(3)) > 12]
    if first and second:
        raise DateOrderUnknown(first[:2] + second[:2], mixed=True)
    if not first and not second:
        raise DateOrderUnknown([m.group(0) for m in matches[:4]], mixed=False)
    return bool(first)
