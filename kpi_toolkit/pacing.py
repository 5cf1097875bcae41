"""Pacing inside a period: how far each manager is towards the target, and where the period will end.

:func:`pacing` compares each manager's sales volume to date with the share of the target expected by then
(linear in time, or phased by the shape of past years' same periods), projects the period's end with an
interval calibrated by a backtest on past periods, and gives a status. Nothing after ``as_of`` is used.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period

__all__ = ["PACING_COLUMNS", "PACING_STATUSES", "pacing"]

#: Columns of :func:`pacing`.
PACING_COLUMNS = (
    "manager",
    "to_date",
    "target",
    "expected_to_date",
    "projected",
    "projected_low",
    "projected_high",
    "status",
)
#: The values of ``status``.
PACING_STATUSES = ("on track", "at risk", "off track", "no target")
_DAY = pd.Timedelta(days=1)
_MIN_YEARS = 2  # earlier years needed for a seasonal phasing
_MIN_BACKTEST = 2  # past periods needed for a projection interval


def _volume(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    """Sales volume per manager of the orders in ``[start, stop)``."""
    at = orders["ordered_at"]
    part = orders[(at >= start) & (at < stop)]
    return part.groupby("manager", sort=True)["amount"].sum().astype("float64")


def _expected_share(
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
            whole = float(_volume(orders, past.start, past.end).sum())
            if whole > 0:
                shares.append(float(_volume(orders, past.start, past.start + offset).sum()) / whole)
                years.append(str(past))
        k += 1
    share = float(np.mean(shares)) if len(shares) >= _MIN_YEARS else 0.0
    if share > 0:
        return share, "seasonal", years
    return offset / length, "linear", []


def _level_check(level: float) -> None:
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must be between 0 and 1. Fix: e.g. level=0.8.")


def pacing(
    data: SalesData,
    *,
    period: str | Period,
    as_of: str | pd.Timestamp,
    team: str | None = None,
    level: float = 0.8,
    phasing: Literal["auto", "linear"] = "auto",
) -> pd.DataFrame:
    """Each manager's sales volume to date against the plan, projected to the end of the period.

    Parameters
    ----------
    data : SalesData
        A validated data set.
    period : str or Period
        The period under way, e.g. ``"2026Q3"``.
    as_of : str or Timestamp
        The day the pacing is judged at; orders up to the end of that day count, nothing later is used.
    team : str, optional
        Only this team's managers (their volume also shapes the seasonal phasing).
    level : float, default 0.8
        Nominal coverage of the projection interval.
    phasing : {"auto", "linear"}, default "auto"
        ``"auto"``: phased by past years' seasonality when at least two earlier years of the same period
        lie in the data, else linear; ``"linear"``: always linear.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PACING_COLUMNS`, one row per manager (sorted): ``to_date`` the volume from the
        period's start to ``as_of``; ``target`` the ``sales_volume`` target (NaN without one);
        ``expected_to_date`` the target times the expected share; ``projected`` the volume projected to the
        period's end with ``projected_low``, ``projected_high`` its interval; ``status`` one of
        :data:`PACING_STATUSES`. ``attrs`` holds ``as_of``, ``expected_share``, ``phasing`` (``"linear"``,
        ``"seasonal"`` or ``"complete"``), ``phasing_years``, ``level``, ``backtest_periods``,
        ``backtest_errors`` (the number of manager-periods) and ``coverage`` (the backtest's
        leave-one-period-out coverage of the interval; NaN when it cannot be measured).

    Raises
    ------
    ParameterError
        If ``as_of`` is before the period starts, or an option is invalid.

    Notes
    -----
    Expected share :math:`s`: the elapsed fraction of the period (linear), or the mean over the earlier
    years of the share of the team's volume of the same period that came by the same day (seasonal; at
    least two such years, wholly in the data and before ``as_of``). Projection: :math:`\\hat V = V_t / s`.
    Interval: every earlier period of the same kind in the data (same elapsed time, its own expected
    share, computed only from what came before it) gives each manager's error :math:`e = \\ln(V /
    \\hat V)`; the interval is :math:`\\hat V e^{q_{(1-\\ell)/2}}` to :math:`\\hat V e^{q_{(1+\\ell)/2}}`
    with :math:`q` the errors' empirical quantiles (a split-conformal interval on the log scale, Lei et al.
    2018). Coverage is measured by leaving each backtest period out in turn. Fewer than two backtest
    periods: no interval (NaN).

    Status: ``"no target"`` without a positive target; ``"off track"`` when even ``projected_high`` is
    below the target; ``"at risk"`` when ``projected`` is below it (or the interval is unknown and the
    projection misses); ``"on track"`` otherwise. A complete period (``as_of`` on or after its last day)
    has share 1 and ``projected = to_date`` exactly. A manager with nothing sold yet has ``projected`` 0
    and no upper end (a ratio cannot say where zero goes): ``"at risk"`` unless the period is complete.

    References
    ----------
    Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J., & Wasserman, L. (2018). Distribution-free
    predictive inference for regression. JASA 113(523), 1094-1111.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> pace = kt.pacing(demo, period="2026Q3", as_of="2026-08-15")
    >>> pace.loc[pace["manager"] == "M10", "status"].item(), pace.attrs["phasing"]
    ('off track', 'linear')
    """
    _level_check(level)
    if phasing not in ("auto", "linear"):
        raise ParameterError(f"phasing={phasing!r} is not allowed. Fix: use 'auto' or 'linear'.")
    p = data.period(period)
    try:
        day = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ParameterError(f"as_of={as_of!r} is not a date. Fix: e.g. as_of='2026-08-15'.") from None
    if day.tzinfo is not None:
        day = day.tz_convert(None)
    cutoff = day.normalize() + _DAY
    if cutoff <= p.start:
        raise ParameterError(
            f"as_of={str(as_of)!r} is before {p} starts ({p.start.date()}). Fix: a day inside the period."
        )
    managers = data.managers_of(team)
    orders = data.orders.loc[data.orders["manager"].isin(managers), ["manager", "ordered_at", "amount"]]
    orders = orders[orders["ordered_at"] < cutoff]
    first = Period.containing(data.first_date, p.kind, data.fiscal_year_start).start
    if first < data.first_date.normalize():  # the data starts inside that period: it is not whole
        first = Period.containing(data.first_date, p.kind, data.fiscal_year_start).shift(1).start
    offset = min(cutoff, p.end) - p.start

    def share_of(q: Period, known_until: pd.Timestamp) -> tuple[float, str, list[str]]:
        if phasing == "linear":
            length = q.end - q.start
            return (1.0, "complete", []) if offset >= length else (offset / length, "linear", [])
        return _expected_share(orders, q, offset, known_until=known_until, first=first)

    share, method, years = share_of(p, cutoff)
    index = pd.Index(managers, name="manager")
    to_date = _volume(orders, p.start, min(cutoff, p.end)).reindex(index, fill_value=0.0)
    target = data.plan_book.targets(managers, p, "sales_volume")
    target = target.where(target > 0)
    projected = to_date / share

    # backtest: every earlier whole period of the same kind, at the same elapsed time
    errors: list[np.ndarray] = []
    labels: list[str] = []
    if method != "complete":
        q = p.previous()
        while q.start >= first:
            if q.end <= cutoff:
                q_share, _, _ = share_of(q, q.start)
                part = _volume(orders, q.start, q.start + offset)
                whole = _volume(orders, q.start, q.end).reindex(part.index)
                ok = (part > 0) & (whole > 0)
                if ok.any():
                    errors.append(np.log(whole[ok].to_numpy() / (part[ok].to_numpy() / q_share)))
                    labels.append(str(q))
            q = q.previous()
    tails = ((1 - level) / 2, (1 + level) / 2)
    low = high = np.nan
    coverage = np.nan
    if method == "complete":
        low = high = 0.0
        coverage = 1.0
    elif len(errors) >= _MIN_BACKTEST:
        low, high = np.quantile(np.concatenate(errors), tails)
        hits = []
        for j, own in enumerate(errors):
            rest = np.concatenate([e for i, e in enumerate(errors) if i != j])
            lo, hi = np.quantile(rest, tails)
            hits.append((own >= lo) & (own <= hi))
        coverage = float(np.concatenate(hits).mean())
    projected_low = projected * np.exp(low)
    projected_high = projected * np.exp(high)
    if method != "complete":
        projected_high = projected_high.where(to_date > 0)

    status = pd.Series("on track", index=index, dtype="object")
    status[projected < target] = "at risk"
    status[projected_high < target] = "off track"
    status[target.isna()] = "no target"
    out = pd.DataFrame(
        {
            "to_date": to_date.to_numpy(dtype="float64"),
            "target": target.to_numpy(dtype="float64"),
            "expected_to_date": (target * share).to_numpy(dtype="float64"),
            "projected": projected.to_numpy(dtype="float64"),
            "projected_low": projected_low.to_numpy(dtype="float64"),
            "projected_high": projected_high.to_numpy(dtype="float64"),
            "status": status.to_numpy(),
        },
        index=index,
    ).reset_index()
    out["manager"] = out["manager"].astype("object").astype(str)
    out.attrs.update(
        {
            "period": str(p),
            "as_of": day.normalize(),
            "expected_share": float(share),
            "phasing": method,
            "phasing_years": years,
            "level": float(level),
            "backtest_periods": labels,
            "backtest_errors": int(sum(len(e) for e in errors)),
            "coverage": coverage,
        }
    )
    return out.loc[:, list(PACING_COLUMNS)]
