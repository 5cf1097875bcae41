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

from kpi_toolkit.mapping.files import as_text

__all__ = ["DateOrderUnknown", "apply_values", "convert_dates", "convert_numbers", "nullify", "text_cells"]

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
    return values.map(fn).astype(object)


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

    >>> out, bad = convert_dates(pd.Series(["26.11.2026", "03.04.2026 14:30", "2026-07-01", "31.02.2026"]))
    >>> out.tolist(), bad.tolist()
    (['2026-11-26 00:00:00', '2026-04-03 14:30:00', '2026-07-01', None], [False, False, False, True])
    """
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
