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
from kpi_toolkit.kpis import targets_in_team
from kpi_toolkit.pacing_intervals import (
    MIN_BACKTEST,
    ORDER_BANDS,  # noqa: F401 (kpi_toolkit.pacing.ORDER_BANDS, as before)
    better_projection,
    calibrate,
    median_log_width,
    projected_status,
    run_rate_backtest,
)
from kpi_toolkit.pacing_phasing import employed_shares, expected_share, orders_until, volume
from kpi_toolkit.pacing_pipeline import pipeline_interval
from kpi_toolkit.pacing_teams import TeamStaff, in_team_by, team_orders, team_shares
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
_DAY = pd.Timedelta(days=1)


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
        Only this team's managers (their volume also shapes the seasonal phasing). With an ``assignments``
        table, a manager who moved is paced on their days in the team only: the orders of those days, the
        target pro-rated by them (as :func:`kpi_toolkit.manager_kpis`), the share expected over their span
        (:mod:`kpi_toolkit.pacing_teams`); their part is closed once they left the team.
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
    moves = bool(team) and data.membership.dated  # a mover: only their days in the team (pacing_teams)
    if moves:
        managers = in_team_by(data, str(team), managers, p, cutoff)
        staff = TeamStaff(staff, data.membership, str(team))
    orders = orders_until(data, managers, cutoff)
    if moves:
        orders = team_orders(data, str(team), orders)
    first = Period.containing(data.first_date, p.kind, data.fiscal_year_start).start
    if first < data.first_date.normalize():  # the data starts inside that period: it is not whole
        first = Period.containing(data.first_date, p.kind, data.fiscal_year_start).shift(1).start
    offset = min(cutoff, p.end) - p.start

    def share_of(q: Period, known_until: pd.Timestamp) -> tuple[float, str, list[str]]:
        if phasing == "linear":
            length = q.end - q.start
            return (1.0, "complete", []) if offset >= length else (offset / length, "linear", [])
        return expected_share(orders, q, offset, known_until=known_until, first=first)

    share, method, years = share_of(p, cutoff)
    index = pd.Index(managers, name="manager")
    to_date = volume(orders, p.start, min(cutoff, p.end)).reindex(index, fill_value=0.0)
    target = targets_in_team(data, data.plan_book.targets(managers, p, "sales_volume"), team, p)
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
        return expected_share(orders, p, at, known_until=cutoff, first=first)[0]

    shares, closed = employed_shares(data, managers, p, cutoff, share, method, cumulative)
    if moves and method != "complete":
        shares, closed = team_shares(data, str(team), managers, p, cutoff, shares, closed, cumulative)
    projected = to_date / shares.where(shares > 0)
    projected = projected.where(shares > 0, to_date)

    # backtest: every earlier whole period of the same kind, at the same elapsed time (none for a complete
    # period: no earlier period starts on or after its start)
    back, expected_orders, labels = run_rate_backtest(
        orders,
        managers,
        p,
        offset,
        cutoff=cutoff,
        first=first if method != "complete" else p.start,
        share_of=share_of,
        staff=staff,
    )

    tails = ((1 - level) / 2, (1 + level) / 2)
    low = high = pd.Series(np.nan, index=index)
    coverage = np.nan
    coverage_by: dict[str, float] = {}
    periods_used = sorted(set(back["period"]), key=labels.index)
    c_now = expected_orders.fillna(0.0).to_numpy()
    if method != "complete" and len(periods_used) >= MIN_BACKTEST:
        q_low, q_high, _, coverage, coverage_by = calibrate(back, c_now, tails)
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
        pipes, pipe_coverage, pipe_coverage_by, pipe_periods = pipeline_interval(
            data,
            orders,
            managers,
            p,
            offset,
            cutoff=cutoff,
            first=first,
            to_date=to_date,
            closed=closed,
            c_now=c_now,
            tails=tails,
            staff=staff,
        )
        pipe, pipe_low, pipe_high = pipes
    status_from = (
        "actual"
        if method == "complete"
        else better_projection(
            (coverage, median_log_width(projected_low, projected_high)),
            (pipe_coverage, median_log_width(pipe_low, pipe_high)),
            level,
        )
    )
    evidence = expected_orders.fillna(0.0) >= MIN_EXPECTED_ORDERS
    if status_from == "pipeline":
        status = projected_status(pipe, pipe_high, pipe > 0, target, evidence)
    else:
        status = projected_status(projected, projected_high, to_date > 0, target, evidence)
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
