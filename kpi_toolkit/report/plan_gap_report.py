"""The plan-gap report's numbers, computed once: :func:`plan_gap_report` returns them as one object that
``notebooks/plan_gap.ipynb`` shows section by section (:mod:`kpi_toolkit.report.plan_gap_views`) and that
``kpi-report plan-gap`` writes to ``plan_gap.csv``."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from kpi_toolkit.cycle_times import cycle_times
from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.gap import miss_evidence
from kpi_toolkit.pacing import pacing
from kpi_toolkit.periods import Period
from kpi_toolkit.pipeline import pipeline
from kpi_toolkit.plan_gap import BASELINES, alerts, miss_causes, miss_series, plan_gap, volume_sources

__all__ = ["PlanGapReport", "data_as_of", "history_window", "plan_gap_report"]


@dataclass(frozen=True, eq=False)
class PlanGapReport:
    """Everything the plan-gap report shows, for one period, team (``None``: all) and manager (``None``)."""

    period: Period
    team: str | None
    manager: str | None
    baseline: str
    #: :func:`kpi_toolkit.plan_gap` of the period against the baseline.
    gap: pd.DataFrame
    #: :func:`kpi_toolkit.volume_sources` of the period.
    sources: pd.DataFrame
    #: The periods judged for systematic misses, and :func:`kpi_toolkit.gap.miss_evidence` over them.
    window: list[str]
    evidence: pd.DataFrame
    series: pd.DataFrame
    #: The period under way at ``as_of`` and :func:`kpi_toolkit.pacing` of it.
    pacing_period: Period
    as_of: pd.Timestamp
    pacing: pd.DataFrame
    #: :func:`kpi_toolkit.alerts` at ``as_of``.
    alerts: pd.DataFrame
    names: dict[str, str]
    data_as_of: pd.Timestamp
    first_date: pd.Timestamp
    source: str
    row_counts: pd.DataFrame
    has_leads: bool
    data_fingerprint: str
    #: :func:`kpi_toolkit.miss_causes` over ``window``: behind colleagues, behind an out-of-reach plan, both.
    causes: pd.DataFrame | None = None
    #: Whether the data has any target of its plan metric (else nothing is said about missing a plan).
    has_plans: bool = True
    #: :func:`kpi_toolkit.pipeline` at ``as_of`` and :func:`kpi_toolkit.cycle_times` of the leads created in
    #: the last four periods of ``window`` (``None`` without leads).
    pipeline: pd.DataFrame | None = None
    cycles: pd.DataFrame | None = None

    def name(self, manager: str) -> str:
        return self.names.get(manager, manager)


def history_window(period: Period, as_of: pd.Timestamp, history: int) -> list[Period]:
    """The ``history`` periods that end with the last one complete at ``as_of`` (``period`` or earlier)."""
    last = period if as_of.normalize() + pd.Timedelta(days=1) >= period.end else period.previous()
    return [last.shift(-k) for k in range(history - 1, -1, -1)]


def data_as_of(data: SalesData, day: pd.Timestamp) -> SalesData:
    """``data`` as it stood at the end of ``day``: orders, leads and activities after it left out, leads
    closed after it still open, the stages setting dropped (a lead's stage is the export's snapshot, not the
    day's). Plans stay (they are known in advance). Returns ``data`` itself when
    nothing is after ``day``, or when its tables are not pandas frames (a lazy engine is not cut).

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> cut = data_as_of(data, pd.Timestamp("2026-08-15"))
    >>> str(cut.last_date.date()), bool((cut.leads["closed_at"] > "2026-08-16").any())
    ('2026-08-15', False)
    """
    cutoff = day.normalize() + pd.Timedelta(days=1)
    if data.engine != "pandas" or data.last_date < cutoff:
        return data
    orders = data.orders[data.orders["ordered_at"] < cutoff]
    leads = data.leads
    if leads is not None:
        leads = leads[(leads["created_at"] < cutoff) | leads["created_at"].isna()].copy()
        later = leads["closed_at"] >= cutoff
        leads.loc[later, "status"] = "open"
        leads.loc[later, "closed_at"] = pd.NaT
    activities = data.activities
    if activities is not None:
        activities = activities[activities["occurred_at"] < cutoff]
    returns = data.returns
    if returns is not None:  # a return booked after the day is not known yet (its order is before it)
        returns = returns[returns["returned_at"] < cutoff]
    # a lead's stage is the export's, not the day's: a past day's pipeline is weighted by age
    return replace(data, orders=orders, leads=leads, activities=activities, returns=returns, stages=None)


def plan_gap_report(
    data: SalesData,
    *,
    period: str | Period,
    team: str | None = None,
    manager: str | None = None,
    baseline: str = "plan",
    history: int = 8,
    as_of: str | pd.Timestamp | None = None,
) -> PlanGapReport:
    """Compute the plan-gap report of ``period``: the gap and its drivers, systematic misses, pacing.

    ``as_of`` (default: the data's last date; at most the period's last day) is the day the report stands
    at: every number on the page is of the data as it was at the end of that day (:func:`data_as_of`: the
    gap, the sources, the misses, the pacing and the alerts; nothing after it). Bad parameters raise
    :class:`~kpi_toolkit.errors.ParameterError` before anything is shown.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> r = plan_gap_report(kt.from_frames(**make_demo_data()), period="2026Q3", team="South")
    >>> str(r.period), str(r.pacing_period), r.window[0], r.alerts["manager"].iloc[0]
    ('2026Q3', '2026Q3', '2024Q4', 'M10')
    """
    if baseline not in BASELINES:
        raise ParameterError(f"baseline={baseline!r} is not allowed. Fix: use one of {', '.join(BASELINES)}.")
    if not (isinstance(history, int) and history >= 1):
        raise ParameterError(f"history={history!r} must be a whole number >= 1. Fix: e.g. history=8.")
    p = data.period(period)
    if len(p.periods) > 1:  # a Span object (a range label fails in data.period already)
        raise ParameterError(
            f"period={str(p)!r} is a range, but the plan-gap report is about one period: the gap to plan and "
            f"the pacing. Fix: pass one period (e.g. {p.last}); history sets the periods judged for misses."
        )
    team = team or None
    members = data.managers_of(team)
    manager = manager or None
    if manager is not None and manager not in members:
        raise ParameterError(
            f"manager={manager!r} is not a manager{' of team ' + repr(team) if team else ''}. "
            f"Known: {', '.join(members[:20])}."
        )
    day = pd.Timestamp(as_of) if as_of not in (None, "") else data.last_date
    day = min(day.normalize(), p.end - pd.Timedelta(days=1))
    fingerprint = data_fingerprint(data)  # of the data loaded: the same as its other reports'
    data = data_as_of(data, day)
    current = p
    window = [str(q) for q in history_window(current, day, history)]
    series = miss_series(data, periods=window, team=team)
    evidence = miss_evidence(series[["manager", "period", "attainment", "noise"]])
    info = data.manager_info
    return PlanGapReport(
        period=p,
        team=team,
        manager=manager,
        baseline=baseline,
        gap=plan_gap(data, period=p, baseline=baseline, team=team),  # type: ignore[arg-type]
        sources=volume_sources(data, period=p, team=team),
        window=window,
        evidence=evidence,
        series=series,
        pacing_period=current,
        as_of=day,
        pacing=pacing(data, period=current, as_of=day, team=team),
        alerts=alerts(data, period=current, history=history, team=team, as_of=day),
        names={str(m): str(n) for m, n in info["name"].items()},
        data_as_of=data.last_date,
        first_date=data.first_date,
        source=data.source,
        row_counts=data.row_counts,
        has_leads=data.leads is not None,
        data_fingerprint=fingerprint,
        causes=miss_causes(data, periods=window, team=team),
        has_plans=_has_plans(data),
        pipeline=pipeline(data, period=current, as_of=day, team=team) if data.leads is not None else None,
        cycles=cycle_times(data, periods=window[-4:], team=team, as_of=day)
        if data.leads is not None
        else None,
    )


def _has_plans(data: SalesData) -> bool:
    plans = data.plans
    if plans is None or not isinstance(plans, pd.DataFrame):
        return plans is not None
    volume = plans[plans["metric"] == data.plan_metric]
    return bool(len(volume)) and bool((volume["target"] > 0).any())
