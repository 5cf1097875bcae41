"""Pacing inside a period: how far each manager is towards the target, and where the period will end.

:func:`pacing` compares each manager's sales volume to date with the share of the target expected by then
(linear in time, or phased by the shape of past years' same periods), projects the period's end with an
interval calibrated by a backtest on past periods, and gives a status. Nothing after ``as_of`` is used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.pacing_pipeline import pipeline_projection
from kpi_toolkit.periods import Period

__all__ = ["MIN_EXPECTED_ORDERS", "PACING_COLUMNS", "PACING_STATUSES", "STATUS_SOURCES", "pacing"]

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
    "pipeline_projected",
    "pipeline_low",
    "pipeline_high",
    "status_from",
)
#: The values of ``status_from``: which projection ``status`` comes from (``actual`` for a complete period).
STATUS_SOURCES = ("run rate", "pipeline", "actual")
#: The values of ``status``: ``met``/``missed`` for a complete period, the others while it is under way.
PACING_STATUSES = ("on track", "at risk", "off track", "met", "missed", "no target")
#: Orders a manager is expected to have by ``as_of`` (from earlier periods) before "off track" can be said.
MIN_EXPECTED_ORDERS = 3.0
#: Bands of expected orders by ``as_of`` over which ``attrs["coverage_by_orders"]`` reports coverage.
ORDER_BANDS = ((0.0, 5.0, "under 5"), (5.0, 20.0, "5 to 19"), (20.0, np.inf, "20 or more"))
_DAY = pd.Timedelta(days=1)
_MIN_YEARS = 2  # earlier years needed for a seasonal phasing
_MIN_BACKTEST = 2  # past periods needed for a projection interval
_MIN_BAND = 20  # backtest errors a band of expected orders needs for quantiles of its own


def _volume(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    """Sales volume per manager of the orders in ``[start, stop)``."""
    at = orders["ordered_at"]
    part = orders[(at >= start) & (at < stop)]
    return part.groupby("manager", sort=True)["amount"].sum().astype("float64")


def _count(orders: pd.DataFrame, start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    """Number of orders per manager in ``[start, stop)``."""
    at = orders["ordered_at"]
    return orders[(at >= start) & (at < stop)].groupby("manager", sort=True).size().astype("float64")


def _scale_fit(e: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """Least squares ``e^2 = a / max(c, 1) + b``, ``a, b >= 0``: the errors' variance by expected orders."""
    x = 1.0 / np.maximum(c, 1.0)
    y = e**2
    if len(y) >= 2 and np.ptp(x) > 0:
        a, b = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]
        if a >= 0 and b >= 0:
            return float(a), float(b)
    a = float(np.sum(x * y) / np.sum(x * x)) if np.sum(x * x) > 0 else 0.0
    b = float(np.mean(y)) if len(y) else 0.0
    # the better of the two one-parameter fits
    if len(y) and np.sum((y - a * x) ** 2) <= np.sum((y - b) ** 2):
        return a, 0.0
    return 0.0, b


def _band(c: np.ndarray) -> np.ndarray:
    """The band of :data:`ORDER_BANDS` of each expected number of orders."""
    return np.searchsorted([hi for _, hi, _ in ORDER_BANDS[:-1]], c, side="right")


def _band_quantiles(
    scores: np.ndarray, c: np.ndarray, c_new: np.ndarray, tails: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of the scores of the band of each ``c_new`` (all scores when its band has too few)."""
    pooled = _conformal(scores, tails)
    low, high = np.full(len(c_new), pooled[0]), np.full(len(c_new), pooled[1])
    band, band_new = _band(c), _band(c_new)
    for k in np.unique(band_new):
        mine = band == k
        if mine.sum() >= _MIN_BAND:
            low[band_new == k], high[band_new == k] = _conformal(scores[mine], tails)
    return low, high


def _conformal(scores: np.ndarray, tails: tuple[float, float]) -> tuple[float, float]:
    """Split-conformal quantiles: the order statistics ``floor((n + 1) a)`` and ``ceil((n + 1) b)``.

    With ``n`` calibration scores, a new exchangeable score falls between them with probability at least
    ``b - a`` (Lei et al. 2018, with the ``n + 1`` correction); beyond the sample's ends the extreme score
    is used.
    """
    ordered = np.sort(scores)
    n = len(ordered)
    lo = int(np.floor((n + 1) * tails[0]))
    hi = int(np.ceil((n + 1) * tails[1]))
    return float(ordered[min(max(lo, 1), n) - 1]), float(ordered[min(max(hi, 1), n) - 1])


def _sd(fit: tuple[float, float], c: np.ndarray) -> np.ndarray:
    sd = np.sqrt(fit[0] / np.maximum(c, 1.0) + fit[1])
    return np.where(sd > 0, sd, 1.0)


def _with_expected_orders(back: pd.DataFrame) -> pd.DataFrame:
    """Each backtest row's expected orders: the mean of the manager's other backtest periods, so that a
    period's own orders never set its own scale; rows without a finite error or such a mean are dropped."""
    by_manager = back.groupby("manager", sort=True)["orders"]
    total, size = by_manager.transform("sum"), by_manager.transform("size")
    back = back.assign(expected_orders=((total - back["orders"]) / (size - 1)).where(size > 1))
    return back[np.isfinite(back["error"]) & back["expected_orders"].notna()]


def _calibrate(
    back: pd.DataFrame, c_now: np.ndarray, tails: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, dict[str, float]]:
    """The calibrated log interval (and median) for managers expecting ``c_now`` orders, and its coverage.

    From the backtest's errors ``back`` (``error``, ``expected_orders``, ``period``): the scale fit and the
    Mondrian split-conformal quantiles of :func:`pacing`'s Notes; ``coverage`` is measured on this very
    scheme, each backtest period left out in turn (overall and by band of expected orders).
    """
    e, c = back["error"].to_numpy(), back["expected_orders"].to_numpy()
    fit = _scale_fit(e, c)
    scores = e / _sd(fit, c)
    q_low, q_high = _band_quantiles(scores, c, c_now, tails)
    mid_low, mid_high = _band_quantiles(scores, c, c_now, (0.5, 0.5))
    sd_now = _sd(fit, c_now)
    hits = np.zeros(len(back), dtype=bool)
    for label in sorted(set(back["period"])):
        own = (back["period"] == label).to_numpy()
        rest_fit = _scale_fit(e[~own], c[~own])
        lo, hi = _band_quantiles(e[~own] / _sd(rest_fit, c[~own]), c[~own], c[own], tails)
        score = e[own] / _sd(rest_fit, c[own])
        hits[own] = (score >= lo) & (score <= hi)
    coverage_by = {}
    for lo_band, hi_band, name in ORDER_BANDS:
        band = (c >= lo_band) & (c < hi_band)
        coverage_by[name] = float(hits[band].mean()) if band.any() else np.nan
    middle = (mid_low + mid_high) / 2 * sd_now
    return q_low * sd_now, q_high * sd_now, middle, float(hits.mean()), coverage_by


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


def _status(
    projected: pd.Series, high: pd.Series, anything: pd.Series, target: pd.Series, evidence: pd.Series
) -> pd.Series:
    """``on track``, ``at risk`` (projected below target) or ``off track`` (even the interval's top below
    it, or nothing at all to project from while the target is positive; only with evidence)."""
    status = pd.Series("on track", index=projected.index, dtype="object")
    status[projected < target] = "at risk"
    below = (high < target) | (~anything & (target > 0))
    status[below & evidence] = "off track"
    return status


def _width(low: pd.Series, high: pd.Series) -> float:
    """The median width of the intervals on the log scale (NaN without any)."""
    widths = np.log(high / low).to_numpy(dtype=float)
    widths = widths[np.isfinite(widths)]
    return float(np.median(widths)) if widths.size else np.nan


def _better(run_rate: tuple[float, float], pipe: tuple[float, float], level: float) -> str:
    """``"pipeline"`` when its backtest coverage is nearer ``level`` than the run rate's, or as near and its
    intervals narrower (median log width); else ``"run rate"``."""
    off_run, off_pipe = abs(run_rate[0] - level), abs(pipe[0] - level)
    if not np.isfinite(off_pipe):
        return "run rate"
    if not np.isfinite(off_run) or off_pipe < off_run - 1e-12:
        return "pipeline"
    if abs(off_pipe - off_run) <= 1e-12 and pipe[1] < run_rate[1]:
        return "pipeline"
    return "run rate"


def _level_check(level: float) -> None:
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must be between 0 and 1. Fix: e.g. level=0.8.")


def _employed_shares(
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


def _orders_until(data: SalesData, managers: list[str], cutoff: pd.Timestamp) -> pd.DataFrame:
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
        :data:`PACING_STATUSES`; ``pipeline_projected`` with ``pipeline_low``, ``pipeline_high`` the pipeline
        projection (Notes; NaN without a leads table or enough backtest, and for a complete period);
        ``status_from`` which projection ``status`` comes from (:data:`STATUS_SOURCES`: ``"run rate"``,
        ``"pipeline"``, or ``"actual"`` for a complete period; the same on every row). ``attrs`` holds
        ``as_of``, ``expected_share``, ``phasing`` (``"linear"``, ``"seasonal"`` or ``"complete"``),
        ``phasing_years``, ``expected_share_by_manager`` (the managers paced over their months employed,
        Notes), ``closed`` (the leavers whose period closed when they left), ``level``, ``backtest_periods``,
        ``backtest_errors`` (the number of manager-periods), ``expected_orders`` (per manager, the orders
        expected by ``as_of`` from the earlier periods), ``coverage`` (the leave-one-period-out coverage
        of the interval as it is applied; NaN when it cannot be measured) and ``coverage_by_orders`` (the
        same by band of expected orders: ``"under 5"``, ``"5 to 19"``, ``"20 or more"``; NaN for a band
        without errors), and for the pipeline projection ``pipeline_backtest_periods``,
        ``pipeline_coverage`` and ``pipeline_coverage_by_orders``; ``status_from``.

    Raises
    ------
    ParameterError
        If ``as_of`` is before the period starts, or an option is invalid.

    Notes
    -----
    Expected share :math:`s`: the elapsed fraction of the period (linear), or the mean over the earlier
    years of the share of the team's volume of the same period that came by the same day (seasonal; at
    least two such years, wholly in the data and before ``as_of``). Projection: :math:`\\hat V = V_t / s`.

    Interval, calibrated per manager: every earlier period of the same kind in the data (same elapsed
    time, its own expected share, computed only from what came before it) gives each manager's error
    :math:`e = \\ln(V / \\hat V)` and their orders by the same day. A manager's error shrinks with the
    orders behind the projection, so each is scaled by :math:`\\sigma(c) = \\sqrt{a / \\max(c, 1) + b}`,
    :math:`c` the manager's expected orders by that day (the mean of their other earlier periods; for
    the period under way, of all of them) and :math:`a, b \\ge 0` fitted by least squares to
    :math:`e^2` (compound Poisson noise plus a part that does not shrink). The interval is
    :math:`\\hat V e^{\\sigma(c) q_{lo}}` to :math:`\\hat V e^{\\sigma(c) q_{hi}}` with :math:`q` the
    split-conformal quantiles (the ``n + 1`` correction) of the scaled errors :math:`e / \\sigma` of the
    manager's band of expected orders (:data:`ORDER_BANDS`; all bands together when it has fewer than
    20 errors): a locally weighted, Mondrian split-conformal interval on the log scale (Lei et al. 2018,
    section 5.2; Vovk et al. 2005). Pooled over managers instead, a manager with few orders was covered
    about 55-65 % of the time at a nominal 80 % and a large one 99 %; simulated
    (``tests/test_pacing.py``) the low-volume manager is covered 0.77 of the time. ``coverage`` is
    measured on this very scheme, each backtest period left out in turn (its scale and quantiles fitted
    without it). Fewer than two backtest periods: no interval (NaN).

    Pipeline projection (:mod:`kpi_toolkit.pacing_pipeline`): the volume to date plus, for each lead open at
    the end of ``as_of`` (:func:`kpi_toolkit.pipeline.open_book`), its value (``expected_amount``, else the
    manager's volume per won lead) times the chance that a lead of its age is won within the days left of
    the period (Aalen-Johansen, the manager's leads of the year before shrunk toward the team's; stages and
    ``expected_close`` are not used, being the export's snapshot that would leak outcomes into the
    backtest). The backtest rebuilds the pipeline as of the same day of every earlier whole period from the
    leads table (nothing later than that day), and the interval is calibrated on its log errors exactly as
    the run rate's (scale by expected orders, Mondrian split-conformal quantiles, leave-one-period-out
    ``pipeline_coverage``). The point projection is the raw one times the backtest's median error factor
    (revenue the pipeline does not hold, such as repeat orders, and any bias of the weights), and neither
    it nor the interval goes below the volume to date; nothing to project from (no sales and no open
    leads) gives 0 and no interval.

    ``status`` uses the better-calibrated projection: the one whose leave-one-period-out coverage is
    nearer ``level``; as near, the one with narrower intervals (median log width); the run rate without
    a pipeline projection.

    Status, monotone in the volume to date (more sold never gives a worse status): ``"no target"``
    without a positive target; for a complete period (``as_of`` on or after its last day) ``"met"`` or
    ``"missed"``, with ``projected = to_date`` and no interval (NaN); while it is under way ``"off
    track"`` when even ``projected_high`` is below the target, ``"at risk"`` when ``projected`` is below
    it, ``"on track"`` otherwise. "Off track" needs evidence: the manager must be expected to have at
    least :data:`MIN_EXPECTED_ORDERS` (3) orders by ``as_of`` (else the worst status is ``"at risk"``).
    Nothing sold has ``projected`` 0 and no interval (a ratio cannot say where zero goes): ``"off
    track"`` when orders were due by now, ``"at risk"`` otherwise, never better than a little sold. The
    pipeline projection still gives such a manager (a joiner, say) an interval when they have open leads.

    Employment (``hired_at``, ``left_at``; :mod:`kpi_toolkit.staffing`): a manager hired after ``as_of`` is
    not listed. One employed on only part of a quarter or year, whose target is the sum of the months
    employed (:meth:`kpi_toolkit.plans.PlanBook.targets`), is paced over those same months: with
    :math:`S(t)` the period's cumulative expected share (linear or seasonal as above) and :math:`[w_0, w_1)`
    the months employed, their share is :math:`(S(\\min(t, w_1)) - S(w_0)) / (S(w_1) - S(w_0))`, used for
    ``expected_to_date`` and the projection (``attrs["expected_share_by_manager"]``; e.g. hired on 10
    August, on 15 August: 15/61 of the August and September targets). The months, not the days employed,
    because the target is the months' whole targets; a month period's target is not pro-rated, so a
    joiner is paced over the whole month. A leaver whose ``left_at`` is on or before ``as_of`` (and before
    the period's last day) is closed: ``"met"`` or ``"missed"`` against their pro-rated target,
    ``projected = to_date``, no interval, no pipeline projection (``attrs["closed"]``). The backtests use a
    manager's earlier periods only when they were employed on every day of them (else their errors and
    expected orders would count months before hiring as zeros); ``attrs["expected_orders"]`` leaves out a
    manager without such a period.

    References
    ----------
    Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J., & Wasserman, L. (2018). Distribution-free
    predictive inference for regression. JASA 113(523), 1094-1111.
    Vovk, V., Gammerman, A., & Shafer, G. (2005). Algorithmic Learning in a Random World. Springer,
    section 4.5 (Mondrian conformal predictors).

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
    managers = data.managers_of(team, period=p)
    staff = data.employment
    if staff.dated:  # a manager not yet hired on as_of is not paced
        hired, _ = staff.dates(managers)
        managers = [m for m, h in zip(managers, hired, strict=True) if np.isnat(h) or h < cutoff]
    orders = _orders_until(data, managers, cutoff)
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
    # each manager's own share: over the months (quarters) employed, which the pro-rated target sums
    length = p.end - p.start

    def cumulative(t: pd.Timestamp) -> float:  # the expected share of the period by the instant t
        at = t - p.start
        if at <= pd.Timedelta(0):
            return 0.0
        if at >= length:
            return 1.0
        if method != "seasonal":
            return at / length
        return _expected_share(orders, p, at, known_until=cutoff, first=first)[0]

    shares, closed = _employed_shares(data, managers, p, cutoff, share, method, cumulative)
    projected = to_date / shares.where(shares > 0)
    projected = projected.where(shares > 0, to_date)

    # backtest: every earlier whole period of the same kind, at the same elapsed time; per manager and
    # period the log error of the projection and the number of orders by the same day
    rows: list[pd.DataFrame] = []
    labels: list[str] = []
    if method != "complete":
        q = p.previous()
        while q.start >= first:
            if q.end <= cutoff:
                q_share, _, _ = share_of(q, q.start)
                part = _volume(orders, q.start, q.start + offset).reindex(index, fill_value=0.0)
                whole = _volume(orders, q.start, q.end).reindex(index, fill_value=0.0)
                n_part = _count(orders, q.start, q.start + offset).reindex(index, fill_value=0.0)
                with np.errstate(divide="ignore", invalid="ignore"):
                    error = np.log(whole / (part / q_share))
                # only the managers employed on every day of q: a part-time period would bias the errors
                # and the expected orders (a joiner's months before hiring are not zeros)
                there = staff.whole(managers, q).to_numpy() if staff.dated else np.ones(len(index), bool)
                rows.append(
                    pd.DataFrame(
                        {"manager": index, "period": str(q), "error": error, "orders": n_part.to_numpy()}
                    )[there]
                )
                if ((part > 0) & (whole > 0) & there).any():
                    labels.append(str(q))
            q = q.previous()
    back = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame({"manager": [], "period": [], "error": [], "orders": []})
    )
    # each manager's expected orders by this day: the mean of their backtest periods
    expected_orders = (
        back.groupby("manager", sort=True)["orders"].mean().reindex(index)
        if len(rows) >= 1
        else pd.Series(np.nan, index=index)
    )
    back = _with_expected_orders(back)
    back = back[back["period"].isin(labels)]

    tails = ((1 - level) / 2, (1 + level) / 2)
    low = high = pd.Series(np.nan, index=index)
    coverage = np.nan
    coverage_by: dict[str, float] = {}
    periods_used = sorted(set(back["period"]), key=labels.index)
    c_now = expected_orders.fillna(0.0).to_numpy()
    if method != "complete" and len(periods_used) >= _MIN_BACKTEST:
        q_low, q_high, _, coverage, coverage_by = _calibrate(back, c_now, tails)
        low, high = pd.Series(q_low, index=index), pd.Series(q_high, index=index)
    projected_low = projected * np.exp(low)
    projected_high = projected * np.exp(high)
    if method == "complete":
        projected_low = projected_high = pd.Series(np.nan, index=index)
    else:  # a ratio cannot say where nothing sold goes
        projected_low = projected_low.where((to_date > 0) & ~closed)
        projected_high = projected_high.where((to_date > 0) & ~closed)

    # the pipeline projection, calibrated by its own backtest as of the same day of earlier periods
    pipe = pipe_low = pipe_high = pd.Series(np.nan, index=index)
    pipe_coverage, pipe_coverage_by, pipe_periods = np.nan, {}, []
    if method != "complete" and data.leads is not None:
        raw, pback = pipeline_projection(data, orders, managers, p, offset, cutoff=cutoff, first=first)
        if staff.dated and len(pback):  # as the run rate's: only periods employed throughout
            keep = np.zeros(len(pback), dtype=bool)
            for label in pback["period"].unique():
                mine = (pback["period"] == label).to_numpy()
                whole = staff.whole(managers, data.period(label))
                keep[mine] = whole.reindex(pback.loc[mine, "manager"].astype(str)).to_numpy(dtype=bool)
            pback = pback[keep]
        pback = _with_expected_orders(pback)
        pipe_periods = sorted(set(pback["period"]), key=lambda label: data.period(label).start, reverse=True)
        if len(pipe_periods) >= _MIN_BACKTEST:
            lo, hi, middle, pipe_coverage, pipe_coverage_by = _calibrate(pback, c_now, tails)
            floor = to_date.to_numpy(dtype=float)  # what is sold stays sold
            pipe = (raw * np.exp(middle)).clip(lower=floor).where(raw > 0, 0.0)
            pipe_low = (raw * np.exp(lo)).clip(lower=floor).where(raw > 0)
            pipe_high = (raw * np.exp(hi)).clip(lower=floor).where(raw > 0)
            pipe, pipe_low, pipe_high = (x.where(~closed) for x in (pipe, pipe_low, pipe_high))
    status_from = (
        "actual"
        if method == "complete"
        else _better(
            (coverage, _width(projected_low, projected_high)),
            (pipe_coverage, _width(pipe_low, pipe_high)),
            level,
        )
    )
    evidence = expected_orders.fillna(0.0) >= MIN_EXPECTED_ORDERS
    if status_from == "pipeline":
        status = _status(pipe, pipe_high, pipe > 0, target, evidence)
    else:
        status = _status(projected, projected_high, to_date > 0, target, evidence)
    if method == "complete":
        status[:] = np.where(to_date >= target, "met", "missed")
    status[closed] = np.where(to_date >= target, "met", "missed")[closed.to_numpy()]
    status[target.isna()] = "no target"
    out = pd.DataFrame(
        {
            "to_date": to_date.to_numpy(dtype="float64"),
            "target": target.to_numpy(dtype="float64"),
            "expected_to_date": (target * shares).to_numpy(dtype="float64"),
            "projected": projected.to_numpy(dtype="float64"),
            "projected_low": projected_low.to_numpy(dtype="float64"),
            "projected_high": projected_high.to_numpy(dtype="float64"),
            "status": status.to_numpy(),
            "pipeline_projected": pipe.to_numpy(dtype="float64"),
            "pipeline_low": pipe_low.to_numpy(dtype="float64"),
            "pipeline_high": pipe_high.to_numpy(dtype="float64"),
            "status_from": status_from,
        },
        index=index,
    ).reset_index()
    out["manager"] = out["manager"].astype("object").astype(str)
    out.attrs.update(
        {
            "period": str(p),
            "as_of": day.normalize(),
            "expected_share": float(share),
            "expected_share_by_manager": {str(m): float(v) for m, v in shares.items() if v != share},
            "closed": [str(m) for m in closed.index[closed.to_numpy()]],
            "phasing": method,
            "phasing_years": years,
            "level": float(level),
            "backtest_periods": periods_used,
            "backtest_errors": len(back) if method != "complete" else 0,
            "coverage": coverage,
            "coverage_by_orders": coverage_by,
            "pipeline_backtest_periods": pipe_periods,
            "pipeline_coverage": pipe_coverage,
            "pipeline_coverage_by_orders": pipe_coverage_by,
            "status_from": status_from,
            "expected_orders": {str(m): float(v) for m, v in expected_orders.items() if pd.notna(v)},
        }
    )
    return out.loc[:, list(PACING_COLUMNS)]
