"""Period labels: ``2026Q3`` (quarter), ``2026-07`` (month), ``2026`` (year), and windows of them.

A month is the atom: every period is a run of calendar months, so every KPI of a period is a sum over the
months it covers. Quarters and years follow the data set's fiscal year, which starts in month
``fiscal_year_start`` (1 = January, the calendar year) and is named by the calendar year in which it ends,
as pandas' ``Q-JUN``/``Y-JUN`` anchored frequencies do: with ``fiscal_year_start=7``, ``2026Q1`` is
July-September 2025 and ``2026`` is July 2025 - June 2026.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError

__all__ = [
    "Period",
    "Span",
    "latest_complete_quarter",
    "month_number",
    "parse_period",
    "parse_periods",
    "parse_span",
    "period_codes",
    "period_columns",
    "require_data",
]

Kind = Literal["month", "quarter", "year"]

_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_PATTERNS: dict[Kind, re.Pattern[str]] = {
    "quarter": re.compile(r"^(\d{4})Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
    "year": re.compile(r"^(\d{4})$"),
}


def _check_fiscal_start(fiscal_year_start: int) -> None:
    if (
        not isinstance(fiscal_year_start, int)
        or isinstance(fiscal_year_start, bool)  # True is an int, but no month
        or not 1 <= fiscal_year_start <= 12
    ):
        raise ParameterError(
            f"fiscal_year_start must be a month number from 1 to 12, got {fiscal_year_start!r}. "
            "Fix: pass the month in which the fiscal year starts (1 for the calendar year)."
        )


def _freq(kind: Kind, fiscal_year_start: int) -> str:
    if kind == "month":
        return "M"
    end_month = _MONTH_NAMES[(fiscal_year_start - 2) % 12]
    return f"{'Q' if kind == 'quarter' else 'Y'}-{end_month}"


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: a month, a fiscal quarter or a fiscal year.

    Build it with :func:`parse_period`; ``str(period)`` gives back the label.

    Examples
    --------
    >>> q = parse_period("2026Q1", fiscal_year_start=7)
    >>> q.months[0], q.months[-1]
    ('2025-07', '2025-09')
    >>> str(q.previous()), str(q.last_year())
    ('2025Q4', '2025Q1')
    """

    start: pd.Timestamp
    kind: Kind
    fiscal_year_start: int = 1

    @classmethod
    def containing(cls, moment: pd.Timestamp, kind: Kind, fiscal_year_start: int = 1) -> Period:
        """The period of ``kind`` that contains ``moment``."""
        start = pd.Timestamp(moment).to_period(_freq(kind, fiscal_year_start)).start_time
        return cls(start, kind, fiscal_year_start)

    @property
    def _pd(self) -> pd.Period:
        return pd.Timestamp(self.start).to_period(_freq(self.kind, self.fiscal_year_start))

    @property
    def label(self) -> str:
        p = self._pd
        if self.kind == "quarter":
            return f"{p.qyear}Q{p.quarter}"
        if self.kind == "year":
            return str(p.year)
        return p.strftime("%Y-%m")

    def __str__(self) -> str:
        return self.label

    @property
    def end(self) -> pd.Timestamp:
        """The first instant after the period (periods are half-open: ``start <= t < end``)."""
        return (self._pd + 1).start_time

    @property
    def months(self) -> tuple[str, ...]:
        """The calendar months the period covers, as ``YYYY-MM`` labels, in order."""
        months = pd.period_range(self.start, self.end - pd.Timedelta(days=1), freq="M")
        return tuple(m.strftime("%Y-%m") for m in months)

    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (earlier when negative), of the same kind."""
        return Period((self._pd + n).start_time, self.kind, self.fiscal_year_start)

    def previous(self) -> Period:
        """The period just before this one."""
        return self.shift(-1)

    def last_year(self) -> Period:
        """The same period one year earlier."""
        steps = {"month": 12, "quarter": 4, "year": 1}[self.kind]
        return self.shift(-steps)

    def year_to_date(self) -> list[Period]:
        """The periods of the same kind from the start of this fiscal year up to and including this one."""
        year = Period.containing(self.start, "year", self.fiscal_year_start)
        out, p = [], Period.containing(year.start, self.kind, self.fiscal_year_start)
        while p.start <= self.start:
            out.append(p)
            p = p.shift(1)
        return out

    def sub_periods(self, kind: Kind) -> list[Period]:
        """The periods of a shorter ``kind`` that tile this one (a year's quarters, a quarter's months)."""
        out, p = [], Period.containing(self.start, kind, self.fiscal_year_start)
        while p.start < self.end:
            out.append(p)
            p = p.shift(1)
        return out

    @property
    def periods(self) -> tuple[Period, ...]:
        """The periods of ``kind`` this one is made of: itself (a :class:`Span` has several)."""
        return (self,)

    @property
    def first(self) -> Period:
        """The first period of ``kind`` it covers: itself (a :class:`Span`'s first)."""
        return self

    @property
    def last(self) -> Period:
        """The last period of ``kind`` it covers: itself (a :class:`Span`'s last)."""
        return self


@dataclass(frozen=True, order=True)
class Span(Period):
    """A run of ``count`` consecutive periods of one kind, first to last: the range ``2025Q4:2026Q3``.

    It stands where a :class:`Period` does: ``start``, ``end`` and ``months`` cover the whole run, so a
    KPI of a span is the sum over its months (a sales plan the sum of its periods' targets). ``shift``
    moves by whole spans (``previous()`` is the run of the same length just before), ``last_year()`` is the
    same run one year earlier, and ``year_to_date()`` is that of its last period. Build it with
    :func:`parse_span`.

    Examples
    --------
    >>> s = parse_span("2025Q4:2026Q3")
    >>> str(s), s.kind, len(s.months), str(s.first), str(s.last)
    ('2025Q4:2026Q3', 'quarter', 12, '2025Q4', '2026Q3')
    >>> str(s.previous()), str(parse_span("2026-01:2026-03").last_year())
    ('2024Q4:2025Q3', '2025-01:2025-03')
    """

    count: int = 1

    @property
    def first(self) -> Period:
        return Period(self.start, self.kind, self.fiscal_year_start)

    @property
    def last(self) -> Period:
        return self.first.shift(self.count - 1)

    @property
    def periods(self) -> tuple[Period, ...]:
        return tuple(self.first.shift(i) for i in range(self.count))

    @property
    def label(self) -> str:
        return f"{self.first}:{self.last}"

    def __str__(self) -> str:
        return self.label

    @property
    def end(self) -> pd.Timestamp:
        return self.last.end

    def shift(self, n: int) -> Span:
        """The span ``n`` whole spans later (earlier when negative)."""
        return Span(self.first.shift(n * self.count).start, self.kind, self.fiscal_year_start, self.count)

    def last_year(self) -> Span:
        """The same run of periods one year earlier."""
        return Span(self.first.last_year().start, self.kind, self.fiscal_year_start, self.count)

    def year_to_date(self) -> list[Period]:
        """The year to date of its last period."""
        return self.last.year_to_date()


def parse_period(label: str | Period, *, fiscal_year_start: int = 1, name: str = "period") -> Period:
    """Parse a period label: ``2026Q3`` (quarter), ``2026-07`` (month) or ``2026`` (year).

    Parameters
    ----------
    label
        The label (surrounding white space is ignored), or a :class:`Period`, returned as is.
    fiscal_year_start
        Month (1-12) in which the fiscal year starts; quarters and years are fiscal, named by the calendar
        year in which they end (pandas' ``Q-JUN`` convention for ``fiscal_year_start=7``).
    name
        The parameter's name, used in the error message.

    Raises
    ------
    ParameterError
        When the label is none of the three forms.

    Examples
    --------
    >>> p = parse_period("2026Q3")
    >>> p.kind, p.months
    ('quarter', ('2026-07', '2026-08', '2026-09'))
    >>> parse_period("2026", fiscal_year_start=4).months[0]
    '2025-04'
    """
    if isinstance(label, Period):
        return label
    _check_fiscal_start(fiscal_year_start)
    text = str(label).strip()
    for kind, pattern in _PATTERNS.items():
        if pattern.match(text):
            pd_period = pd.Period(text, freq=_freq(kind, fiscal_year_start))
            return Period(pd_period.start_time, kind, fiscal_year_start)
    raise ParameterError(
        f"{name}={label!r} is not a period label. Fix: write a quarter as 2026Q3, a month as 2026-07 "
        "or a year as 2026."
    )


def month_number(moment: pd.Timestamp) -> int:
    """A month as one integer, ``year * 12 + month - 1``: consecutive months are consecutive numbers.

    Examples
    --------
    >>> month_number(pd.Timestamp("2026-07-15")) - month_number(pd.Timestamp("2025-12-01"))
    7
    """
    return int(moment.year) * 12 + int(moment.month) - 1


#: Columns of :func:`period_columns`.
PERIOD_COLUMNS = ("period", "kind", "start")


def period_columns(labels: pd.Series, *, fiscal_year_start: int = 1) -> pd.DataFrame:
    """Parse a column of period labels once per distinct label: the label, the kind and the first month.

    Parameters
    ----------
    labels
        Period labels, one per row (typically ``plans["period"]``); missing values are allowed.
    fiscal_year_start
        Month (1-12) in which the fiscal year starts.

    Returns
    -------
    pandas.DataFrame
        Aligned with ``labels`` (same index): ``period`` the normalised label (``str(parse_period(label))``),
        ``kind`` (``month``, ``quarter`` or ``year``) and ``start`` the period's first month as
        :func:`month_number` (``Int64``). All three are missing where the label is missing or is not a period
        label. The labels are parsed in Python once per *distinct* label and mapped onto the rows by a hash
        look-up, so a plan table of hundreds of thousands of rows costs what its few dozen periods cost.

    Examples
    --------
    >>> period_columns(pd.Series(["2026Q1", "2026-07", "2026Q1", "x"]), fiscal_year_start=7)
        period     kind  start
    0   2026Q1  quarter  24306
    1  2026-07    month  24318
    2   2026Q1  quarter  24306
    3     <NA>     <NA>   <NA>
    """
    codes, distinct = period_codes(labels, fiscal_year_start=fiscal_year_start)
    missing = pd.DataFrame({c: pd.array([pd.NA], dtype=distinct[c].dtype) for c in PERIOD_COLUMNS})
    out = pd.concat([distinct, missing], ignore_index=True).take(codes)  # -1 (missing label): the last row
    out.index = labels.index
    return out


def period_codes(labels: pd.Series, *, fiscal_year_start: int = 1) -> tuple[np.ndarray, pd.DataFrame]:
    """The distinct labels of ``labels`` parsed (``period, kind, start`` as :func:`period_columns`), and per
    row the position of its label among them (-1 where missing): the form for joins and group-bys on codes."""
    codes, uniques = pd.factorize(labels, use_na_sentinel=True)
    return np.asarray(codes), parsed_labels(uniques, fiscal_year_start=fiscal_year_start)


def parsed_labels(uniques: Iterable[Any], *, fiscal_year_start: int = 1) -> pd.DataFrame:
    """Distinct period labels parsed (``period, kind, start`` as :func:`period_columns`), one row each."""
    parsed: list[tuple[Any, Any, Any]] = []
    for text in uniques:
        try:
            period = parse_period(text, fiscal_year_start=fiscal_year_start)
        except ParameterError:
            parsed.append((pd.NA, pd.NA, pd.NA))
            continue
        parsed.append((period.label, period.kind, month_number(period.start)))
    return pd.DataFrame(
        {
            "period": pd.array([p[0] for p in parsed], dtype="string"),
            "kind": pd.array([p[1] for p in parsed], dtype="string"),
            "start": pd.array([p[2] for p in parsed], dtype="Int64"),
        }
    )


def parse_periods(
    periods: str | Period | Sequence[str | Period], *, fiscal_year_start: int = 1, name: str = "periods"
) -> list[Period]:
    """Parse a window of periods: a list of labels or a range ``"2025Q4:2026Q3"`` (both ends included).

    Examples
    --------
    >>> [str(p) for p in parse_periods("2025Q4:2026Q2")]
    ['2025Q4', '2026Q1', '2026Q2']
    >>> [str(p) for p in parse_periods(["2026-01", "2026-02"])]
    ['2026-01', '2026-02']
    """
    if isinstance(periods, Period):
        return [periods]
    if isinstance(periods, str) and ":" in periods:
        first_label, _, last_label = periods.partition(":")
        first = parse_period(first_label, fiscal_year_start=fiscal_year_start, name=name)
        last = parse_period(last_label, fiscal_year_start=fiscal_year_start, name=name)
        if first.kind != last.kind or last < first:
            raise ParameterError(
                f"{name}={periods!r} is not a range: both ends must be of the same kind and the first "
                "must not come after the last. Fix: write e.g. '2025Q4:2026Q3'."
            )
        out, p = [], first
        while p <= last:
            out.append(p)
            p = p.shift(1)
        return out
    items: Iterable[str | Period] = [periods] if isinstance(periods, str) else periods
    parsed = [parse_period(p, fiscal_year_start=fiscal_year_start, name=name) for p in items]
    if not parsed:
        raise ParameterError(f"{name} is empty. Fix: give at least one period label.")
    return parsed


def parse_span(label: str | Period, *, fiscal_year_start: int = 1, name: str = "period") -> Period:
    """Parse one period (``2026Q3``) or a range of them (``2025Q4:2026Q3``, both ends included) as one span.

    A range of one period is that :class:`Period`; a longer one a :class:`Span`. A :class:`Period` (or
    :class:`Span`) is returned as is.

    Examples
    --------
    >>> str(parse_span("2003:2004")), parse_span("2003:2004").months[-1], str(parse_span("2026Q3:2026Q3"))
    ('2003:2004', '2004-12', '2026Q3')
    """
    if isinstance(label, Period):
        return label
    if isinstance(label, str) and ":" in label:
        parts = parse_periods(label, fiscal_year_start=fiscal_year_start, name=name)
        if len(parts) == 1:
            return parts[0]
        return Span(parts[0].start, parts[0].kind, fiscal_year_start, len(parts))
    return parse_period(label, fiscal_year_start=fiscal_year_start, name=name)


def latest_complete_quarter(last_date: pd.Timestamp, *, fiscal_year_start: int = 1) -> Period:
    """The latest quarter that ends on or before ``last_date`` (the data's last day counts as complete).

    Examples
    --------
    >>> str(latest_complete_quarter(pd.Timestamp("2026-09-30")))
    '2026Q3'
    >>> str(latest_complete_quarter(pd.Timestamp("2026-09-29 18:00")))
    '2026Q2'
    """
    day_after = pd.Timestamp(last_date).normalize() + pd.Timedelta(days=1)
    return Period.containing(day_after, "quarter", fiscal_year_start).previous()


def require_data(period: Period, *, first: pd.Timestamp, last: pd.Timestamp, name: str = "period") -> Period:
    """``period`` when it overlaps the data (from ``first`` to ``last``), else a :class:`ParameterError`:
    a report about a period with no data in it would be empty.

    Examples
    --------
    >>> first, last = pd.Timestamp("2024-10-01"), pd.Timestamp("2026-09-30 18:00")
    >>> str(require_data(parse_period("2026Q3"), first=first, last=last))
    '2026Q3'
    >>> require_data(parse_period("2031"), first=first, last=last)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.ParameterError: period='2031' has no data: the data runs from 2024-10-01 to ...
    """
    if pd.isna(first) or pd.isna(last) or period.end <= first or period.start > last:
        span = (
            "the data holds no dates"
            if pd.isna(first) or pd.isna(last)
            else (f"the data runs from {pd.Timestamp(first).date()} to {pd.Timestamp(last).date()}")
        )
        latest = (
            latest_complete_quarter(last, fiscal_year_start=period.fiscal_year_start)
            if not pd.isna(last)
            else None
        )
        example = f", e.g. {latest}" if latest is not None else ""
        raise ParameterError(
            f"{name}={str(period)!r} has no data: {span}. Fix: choose a period the data covers{example}."
        )
    return period
