"""The pipeline projection of :func:`kpi_toolkit.pacing`: the volume to date plus the open leads expected
to be won by the period's end, now and as of the same day of every earlier period (its backtest).

Only the leads table as it stood at the end of each day is used (:func:`kpi_toolkit.pipeline.open_book`):
the leads open then, valued at their ``expected_amount`` (else the manager's volume per won lead), times
the chance, from their age, that they are won in the days left of the period (Aalen-Johansen estimates of
the leads of the year before, the manager's shrunk toward the team's). Stages and ``expected_close`` are
not used: both are the export's snapshot, which would leak a past lead's outcome into the backtest.

The open books of the current day and of every backtest day come from one fetch of the leads and one of
the volumes (:func:`kpi_toolkit.open_book_days.expected_within`), not from a query and a sort per day.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.open_book_days import expected_within
from kpi_toolkit.pacing_intervals import MIN_BACKTEST, calibrate, with_expected_orders
from kpi_toolkit.periods import Period

if TYPE_CHECKING:
    from kpi_toolkit.pacing_teams import TeamStaff
    from kpi_toolkit.staffing import Employment

__all__ = ["pipeline_backtest", "pipeline_interval", "pipeline_projection", "pipeline_raw"]

_DAY = pd.Timedelta(days=1)


def _volume(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    at = orders["ordered_at"]
    return orders[(at >= start) & (at < stop)].groupby("manager")["amount"].sum().astype("float64")


def _book_day(stop: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, float]:
    """The day the pipeline is seen from (the one ``stop`` ends) and the days left until ``end``."""
    return stop - _DAY, max((end - stop) / _DAY, 0.0)


def _raw(orders: pd.DataFrame, index: pd.Index, start: pd.Timestamp, stop: pd.Timestamp, expected: pd.Series):
    return _volume(orders, start, stop).reindex(index, fill_value=0.0) + expected


def pipeline_raw(
    data: SalesData,
    orders: pd.DataFrame,
    managers: list[str],
    start: pd.Timestamp,
    stop: pd.Timestamp,
    end: pd.Timestamp,
) -> pd.Series:
    """Per manager: the volume of ``[start, stop)`` plus the open leads expected to be won by ``end``.

    ``stop`` is the end of the day the pipeline is seen from (midnight after it).
    """
    index = pd.Index(managers, name="manager")
    (expected,) = expected_within(data, managers, [_book_day(stop, end)])
    return _raw(orders, index, start, stop, expected)


def _backtest_periods(period: Period, cutoff: pd.Timestamp, first: pd.Timestamp) -> list[Period]:
    """Every earlier whole period of the same kind that starts on or after ``first``, latest first."""
    periods = []
    q = period.previous()
    while q.start >= first:
        if q.end <= cutoff:
            periods.append(q)
        q = q.previous()
    return periods


def _backtest_rows(
    orders: pd.DataFrame, index: pd.Index, periods: list[Period], offset: pd.Timedelta, raws: list[pd.Series]
) -> pd.DataFrame:
    rows = []
    for q, raw in zip(periods, raws, strict=True):
        stop = q.start + offset
        whole = _volume(orders, q.start, q.end).reindex(index, fill_value=0.0)
        at = orders["ordered_at"]
        seen = orders[(at >= q.start) & (at < stop)]
        count = seen.groupby("manager").size().reindex(index, fill_value=0).astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            error = np.log(whole / raw)
        rows.append(
            pd.DataFrame({"manager": index, "period": str(q), "error": error, "orders": count.to_numpy()})
        )
    if not rows:
        return pd.DataFrame({"manager": [], "period": [], "error": [], "orders": []})
    return pd.concat(rows, ignore_index=True)


def pipeline_projection(
    data: SalesData,
    orders: pd.DataFrame,
    managers: list[str],
    period: Period,
    offset: pd.Timedelta,
    *,
    cutoff: pd.Timestamp,
    first: pd.Timestamp,
) -> tuple[pd.Series, pd.DataFrame]:
    """:func:`pipeline_raw` of the current day (``period``'s start plus ``offset``, at most its end) and
    :func:`pipeline_backtest`, with the open books of all their days from one fetch."""
    index = pd.Index(managers, name="manager")
    stop = min(cutoff, period.end)
    periods = _backtest_periods(period, cutoff, first)
    days = [_book_day(stop, period.end)] + [_book_day(q.start + offset, q.end) for q in periods]
    expected = expected_within(data, managers, days)
    raw = _raw(orders, index, period.start, stop, expected[0])
    raws = [
        _raw(orders, index, q.start, q.start + offset, e) for q, e in zip(periods, expected[1:], strict=True)
    ]
    return raw, _backtest_rows(orders, index, periods, offset, raws)


def pipeline_backtest(
    data: SalesData,
    orders: pd.DataFrame,
    managers: list[str],
    period: Period,
    offset: pd.Timedelta,
    *,
    cutoff: pd.Timestamp,
    first: pd.Timestamp,
) -> pd.DataFrame:
    """The pipeline projection of every earlier whole period at the same elapsed time, against its outcome.

    One row per manager and period: ``manager, period, error`` (the log of the period's volume over the
    projection; NaN where either is 0) and ``orders`` (the manager's orders by that day).
    """
    index = pd.Index(managers, name="manager")
    periods = _backtest_periods(period, cutoff, first)
    expected = expected_within(data, managers, [_book_day(q.start + offset, q.end) for q in periods])
    raws = [_raw(orders, index, q.start, q.start + offset, e) for q, e in zip(periods, expected, strict=True)]
    return _backtest_rows(orders, index, periods, offset, raws)


def pipeline_interval(
    data: SalesData,
    orders: pd.DataFrame,
    managers: list[str],
    period: Period,
    offset: pd.Timedelta,
    *,
    cutoff: pd.Timestamp,
    first: pd.Timestamp,
    to_date: pd.Series,
    closed: pd.Series,
    c_now: np.ndarray,
    tails: tuple[float, float],
    staff: Employment | TeamStaff | None = None,
) -> tuple[tuple[pd.Series, pd.Series, pd.Series], float, dict[str, float], list[str]]:
    """The pipeline projection calibrated by its own backtest (:func:`pipeline_projection`), as the run
    rate's is: ``(projected, low, high)``, its leave-one-period-out coverage overall and by band of expected
    orders, and the backtest periods used (latest first). Fewer than two periods: NaN, no coverage.
    ``staff``: whose earlier periods count (the data's employment when ``None``; in one team, a
    :class:`kpi_toolkit.pacing_teams.TeamStaff`)."""
    index = pd.Index(managers, name="manager")
    pipe = pipe_low = pipe_high = pd.Series(np.nan, index=index)
    pipe_coverage, pipe_coverage_by = np.nan, {}
    staff = data.employment if staff is None else staff
    raw, pback = pipeline_projection(data, orders, managers, period, offset, cutoff=cutoff, first=first)
    if staff.dated and len(pback):  # as the run rate's: only periods employed throughout
        keep = np.zeros(len(pback), dtype=bool)
        for label in pback["period"].unique():
            mine = (pback["period"] == label).to_numpy()
            whole = staff.whole(managers, data.period(label))
            keep[mine] = whole.reindex(pback.loc[mine, "manager"].astype(str)).to_numpy(dtype=bool)
        pback = pback[keep]
    pback = with_expected_orders(pback)
    pipe_periods = sorted(set(pback["period"]), key=lambda label: data.period(label).start, reverse=True)
    if len(pipe_periods) >= MIN_BACKTEST:
        lo, hi, middle, pipe_coverage, pipe_coverage_by = calibrate(pback, c_now, tails)
        floor = to_date.to_numpy(dtype=float)  # what is sold stays sold
        pipe = (raw * np.exp(middle)).clip(lower=floor).where(raw > 0, 0.0)
        pipe_low = (raw * np.exp(lo)).clip(lower=floor).where(raw > 0)
        pipe_high = (raw * np.exp(hi)).clip(lower=floor).where(raw > 0)
        pipe, pipe_low, pipe_high = (x.where(~closed) for x in (pipe, pipe_low, pipe_high))
    return (pipe, pipe_low, pipe_high), pipe_coverage, pipe_coverage_by, pipe_periods
