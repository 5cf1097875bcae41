"""What :func:`kpi_toolkit.pacing` expects by a day, and the orders it is computed from: the share of a
period's volume expected in its first days (linear in time, or phased by the same periods of earlier
years), each manager's share over the months employed, and the managers' orders before the cut-off (in
pandas on any engine).
"""

from __future__ import annotations

from collections.abc import Callable

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.periods import Period

__all__ = ["employed_shares", "expected_share", "order_count", "orders_until", "volume"]

_DAY = pd.Timedelta(days=1)
_MIN_YEARS = 2  # earlier years needed for a seasonal phasing


def volume(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    """Sales volume per manager of the orders in ``[start, stop)``."""
    at = orders["ordered_at"]
    part = orders[(at >= start) & (at < stop)]
    return part.groupby("manager", sort=True)["amount"].sum().astype("float64")


def order_count(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    """Number of orders per manager in ``[start, stop)``."""
    at = orders["ordered_at"]
    return orders[(at >= start) & (at < stop)].groupby("manager", sort=True).size().astype("float64")


def expected_share(
    orders: pd.DataFrame,
    period: Period,
    offset: pd.Timedelta,
    *,
    known_until: pd.Timestamp,
    first: pd.Timestamp,
) -> tuple[float, str, list[str]]:
    """The share of a period's volume expected in its first ``offset``, the method, and the years used."""
    length = period.end - period.start
    if offset >= length:
        return 1.0, "complete", []
    steps = {"month": 12, "quarter": 4, "year": 1}[period.kind]
    shares, years = [], []
    k = 1
    while True:
        past = period.shift(-k * steps)
        if past.start < first:
            break
        if past.end <= known_until:
            whole = float(volume(orders, past.start, past.end).sum())
            if whole > 0:
                shares.append(float(volume(orders, past.start, past.start + offset).sum()) / whole)
                years.append(str(past))
        k += 1
    share = float(np.mean(shares)) if len(shares) >= _MIN_YEARS else 0.0
    if share > 0:
        return share, "seasonal", years
    return offset / length, "linear", []


def employed_shares(
    data: SalesData,
    managers: list[str],
    period: Period,
    cutoff: pd.Timestamp,
    share: float,
    method: str,
    cumulative: Callable[[pd.Timedelta], float],
) -> tuple[pd.Series, pd.Series]:
    """Each manager's expected share by ``cutoff`` and whether their period closed when they left.

    A manager employed on only part of a quarter or year is paced over the months employed (the months
    whose targets their pro-rated target sums): with :math:`S(t)` the period's cumulative expected share,
    the share is :math:`(S(\\min(t, w_1)) - S(w_0)) / (S(w_1) - S(w_0))` for the window :math:`[w_0, w_1)`
    of those months. A leaver whose last day is on or before ``as_of`` (and before the period's last day)
    is closed: share 1. Everyone else has ``share``.
    """
    index = pd.Index(managers, name="manager")
    shares = pd.Series(share, index=index, dtype="float64")
    closed = pd.Series(False, index=index, dtype=bool)
    staff = data.employment
    if not staff.dated or not managers or method == "complete":
        return shares, closed
    _, left = staff.dates(managers)
    end = np.datetime64(period.end, "ns")
    day = np.datetime64(cutoff - _DAY, "ns")
    gone = ~np.isnat(left) & (left <= day) & (left < end - np.timedelta64(1, "D"))
    closed[:] = gone
    if period.kind != "month":
        months = period.sub_periods("month")
        on = np.column_stack([staff.active(managers, m).to_numpy() for m in months])
        partial = ~staff.whole(managers, period).to_numpy() & on.any(axis=1)
        for i in np.flatnonzero(partial & ~gone):
            w0 = months[int(on[i].argmax())].start
            w1 = months[len(months) - 1 - int(on[i][::-1].argmax())].end
            s0, s1, now = cumulative(w0), cumulative(w1), cumulative(min(cutoff, w1))
            if s1 > s0:
                shares.iloc[i] = (now - s0) / (s1 - s0)
            else:  # nothing came in that window in the years phased on: linear inside it
                shares.iloc[i] = (min(cutoff, w1) - w0) / (w1 - w0)
    shares[closed] = 1.0
    return shares, closed


def orders_until(data: SalesData, managers: list[str], cutoff: pd.Timestamp) -> pd.DataFrame:
    """``manager, ordered_at, amount`` of the managers' orders before ``cutoff``, in pandas on any engine
    (a lazy engine filters and sends back only these three columns)."""
    if isinstance(data.orders, pd.DataFrame):
        orders = data.orders.loc[data.orders["manager"].isin(managers), ["manager", "ordered_at", "amount"]]
        return orders[orders["ordered_at"] < cutoff]
    frame = (
        nw.from_native(data.orders).lazy()
        if not hasattr(nw.from_native(data.orders), "collect")
        else nw.from_native(data.orders)
    )
    wanted = frame.filter(
        nw.col("manager").is_in(list(managers)), nw.col("ordered_at") < cutoff.to_pydatetime()
    )
    out = to_pandas(wanted.select("manager", "ordered_at", "amount"))
    out["manager"] = out["manager"].astype("string")
    out["ordered_at"] = pd.to_datetime(out["ordered_at"]).astype("datetime64[ns]")
    return out.reset_index(drop=True)
