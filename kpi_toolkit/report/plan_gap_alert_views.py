"""The plan-gap report's alert list: one plain sentence per alert of :func:`kpi_toolkit.alerts`
(:func:`alert_items`, also on the quarterly report's first screen), and the section that lists them
(:func:`alerts_section`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from kpi_toolkit.periods import Period
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.plan_gap_messages import _tr, _with
from kpi_toolkit.report.plan_gap_report import PlanGapReport
from kpi_toolkit.report.plan_verdict_views import cause_phrase, plan_lead

__all__ = ["alert_items", "alerts_section"]


def _alert_items(
    frame: pd.DataFrame, names: Mapping[str, str], period: Period | str, tr: Translator
) -> list[str]:
    items = []
    for _, row in frame.iterrows():
        parts = []
        if row["off_track"] and row["pacing_status"] == "missed":  # a complete period
            parts.append(
                tr.t(
                    "plan_gap.alerts.missed",
                    period=tr.period(period),
                    actual=tr.money(row["to_date"]),
                    target=tr.money(row["target"]),
                    attainment=tr.rate(row["to_date"] / row["target"]),
                )
            )
        elif row["off_track"]:
            parts.append(
                tr.t(
                    "plan_gap.alerts.off_track",
                    period=tr.period(period),
                    projected=tr.money(row["projected"]),
                    target=tr.money(row["target"]),
                )
            )
        if row["systematic"]:
            parts.append(
                tr.t(
                    "plan_gap.alerts.systematic",
                    missed=tr.count(row["periods_missed"]),
                    observed=tr.count(row["periods_observed"]),
                    mean=tr.rate(row["mean_attainment"]),
                )
            )
        if "cause" in row.index and (cause := cause_phrase(row, tr)):
            parts.append(cause)
        items.append(
            tr.t(
                "plan_gap.alerts.item", name=names.get(row["manager"], row["manager"]), what="; ".join(parts)
            )
        )
    return items


def alert_items(
    frame: pd.DataFrame, names: Mapping[str, str], period: Period | str, tr: Translator
) -> list[str]:
    """One plain sentence per alert of :func:`kpi_toolkit.alerts` (who is off track or missed, who misses
    systematically, and whether they trail colleagues or miss an out-of-reach plan), as the alert list and
    the quarterly report's first screen show them."""
    return _alert_items(frame, names, period, tr)


def alerts_section(
    r: PlanGapReport,
    tr: Translator | None = None,
    *,
    alerts: pd.DataFrame | None = None,
    extra: Sequence[str] = (),
) -> html.Html:
    """The alert list: who is off track now, who misses systematically, with the evidence and the cause;
    ``extra`` alerts (already sentences, e.g. :func:`kpi_toolkit.report.pipeline_views.pipeline_alerts`)
    follow.

    When most of a team misses a plan that was out of reach, that comes first, in plain words, before any
    name (:func:`kpi_toolkit.report.plan_verdict_views.plan_lead`)."""
    r = _with(r, alerts=alerts)
    tr = _tr(tr)
    frame = r.alerts[r.alerts["manager"] == r.manager] if r.manager else r.alerts
    items = _alert_items(frame, r.names, r.pacing_period, tr) + list(extra)
    lead = plan_lead(r.causes, tr, name_teams=not r.team) if r.causes is not None else []
    head = html.section(tr.t("plan_gap.alerts.heading"), lead)
    if not r.has_plans:
        return head + html.paragraphs([tr.t("plan_verdicts.alerts_no_plans")])
    if not items:
        return head + html.paragraphs([tr.t("plan_gap.alerts.none")])
    return head + html.notes(items)
