"""The pipeline projection of :func:`kpi_toolkit.pacing`: the volume to date plus the open leads expected
to be won by the period's end, now and as of the same day of every earlier period (its backtest).

Only the leads table as it stood at the end of each day is used (:func:`kpi_toolkit.pipeline.open_book`):
the leads open then, valued at their ``expected_amount`` (else the manager's volume per won lead), times
the chance, from their age, that they are won in the days left of the period (Aalen-Johansen estimates of
the leads of the year before, the manager's shrunk toward the team's). Stages and ``expected_close`` are
not used: both are the export's snapshot, which would leak a past lead's outcome into the backtest.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.periods import Period
from kpi_toolkit.pipeline import open_book

__all__ = ["pipeline_backtest", "pipeline_raw"]

_DAY = pd.Timedelta(days=1)


def _volume(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    at = orders["ordered_at"]
    return orders[(at >= start) & (at < stop)].groupby("manager")["amount"].sum().astype("float64")


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
    to_date = _volume(orders, start, stop).reindex(index, fill_value=0.0)
    days_left = max((end - stop) / _DAY, 0.0)
    book = open_book(data, managers, stop - _DAY, chance_by="age", within_days=days_left).leads
    expected = book.groupby("manager")["within"].sum().reindex(index, fill_value=0.0)
    return to_date + expected


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
    rows = []
    q = period.previous()
    while q.start >= first:
        if q.end <= cutoff:
            stop = q.start + offset
            raw = pipeline_raw(data, orders, managers, q.start, stop, q.end)
            whole = _volume(orders, q.start, q.end).reindex(index, fill_value=0.0)
            at = orders["ordered_at"]
            seen = orders[(at >= q.start) & (at < stop)]
            count = seen.groupby("manager").size().reindex(index, fill_value=0).astype("float64")
            with np.errstate(divide="ignore", invalid="ignore"):
                error = np.log(whole / raw)
            rows.append(
                pd.DataFrame({"manager": index, "period": str(q), "error": error, "orders": count.to_numpy()})
            )
        q = q.previous()
    if not rows:
        return pd.DataFrame({"manager": [], "period": [], "error": [], "orders": []})
    return pd.concat(rows, ignore_index=True)
