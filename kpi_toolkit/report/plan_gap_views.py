"""What the plan-gap report shows first and last, one function per part, each returning safe :class:`Html`:
its title (:func:`page_title`, :func:`title`), its key figures (:func:`key_figures`, :func:`headline`; the
site's index shows them too), the introduction and the provenance. The other sections have modules of their
own: the gap and its drivers, by driver and by manager (:mod:`~kpi_toolkit.report.plan_gap_driver_views`,
its waterfall :mod:`~kpi_toolkit.report.plan_gap_figures`), who misses systematically and who is off track
now (:mod:`~kpi_toolkit.report.plan_gap_miss_views`), the alert list
(:mod:`~kpi_toolkit.report.plan_gap_alert_views`), and the quarterly report's short "why" section
(:mod:`~kpi_toolkit.report.why_views`); what they share is :mod:`~kpi_toolkit.report.plan_gap_messages`.

Every function takes the report's numbers (:class:`~kpi_toolkit.report.plan_gap_report.PlanGapReport`) and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``); every word comes from the catalogues'
``plan_gap:`` section, every number is formatted by the translator, data (names, teams) is escaped by
:mod:`kpi_toolkit.report.html`.

The sections take the frames they draw (``gap=``, ``sources=``, ``evidence=``, ``pacing=``, ``alerts=``) as
the notebook's ``analysis`` cells show them, sorted or filtered by an analyst: the report object gives only
the context then (period, baseline, names, the manager in focus); without them, the report's own frames.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

import kpi_toolkit
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.plan_gap_margin_views import gap_metric
from kpi_toolkit.report.plan_gap_messages import _baseline_name, _focus, _signed, _tr
from kpi_toolkit.report.plan_gap_report import PlanGapReport
from kpi_toolkit.report.report_words import parameter_rows
from kpi_toolkit.report.site import KeyFigure

__all__ = ["headline", "introduction", "key_figures", "page_title", "provenance", "title"]


def page_title(r: PlanGapReport, tr: Translator | None = None) -> str:
    """The report's title as plain text (the page's ``<title>``, the site's index): the manager's when the
    report is about one manager."""
    tr = _tr(tr)
    if r.baseline == "plan" and r.has_plans:
        if r.manager:
            return tr.t("plan_gap.title_manager", period=tr.period(r.period), name=r.name(r.manager))
        if r.team:
            return tr.t("plan_gap.title_team", period=tr.period(r.period), team=r.team)
        return tr.t("plan_gap.title", period=tr.period(r.period))
    # a gap against another baseline, or no plan at all, is not "why was the target missed"
    heading = tr.t(f"plan_verdicts.heading.{r.baseline if r.baseline != 'plan' else 'no_plan'}")
    who = r.name(r.manager) if r.manager else r.team
    if who:
        return tr.t("plan_verdicts.title_named", heading=heading, period=tr.period(r.period), who=who)
    return tr.t("plan_verdicts.title", heading=heading, period=tr.period(r.period))


def title(r: PlanGapReport, tr: Translator | None = None) -> html.Html:
    """Title and subtitle: baseline, managers, data as of."""
    tr = _tr(tr)
    subtitle = tr.t(
        "plan_gap.subtitle",
        baseline=_baseline_name(tr, r.baseline),
        managers=tr.t("plan_gap.managers", count=len(r.gap) - 1),
        date=tr.date(r.data_as_of),
    )
    return html.heading(page_title(r, tr), level=1) + html.paragraphs([subtitle])


def _total(r: PlanGapReport) -> pd.Series:
    """The gap row the report is about: the manager's with ``--manager``, else the team's total."""
    return r.gap.set_index("manager").loc[_focus(r)]


def key_figures(r: PlanGapReport, tr: Translator | None = None) -> list[KeyFigure]:
    """Gap, baseline, managers missing systematically, managers off track (of the manager, with one)."""
    tr = _tr(tr)
    total = _total(r)
    ratio = total["actual"] / total["baseline_value"] if total["baseline_value"] > 0 else math.nan
    evidence, pace = r.evidence, r.pacing
    if r.manager:
        evidence, pace = evidence[evidence["manager"] == r.manager], pace[pace["manager"] == r.manager]
    systematic = int((evidence["verdict"] == "systematic").sum())
    off_track = int(pace["status"].isin(["off track", "missed"]).sum())
    closed = len(pace) > 0 and bool(pace["status"].isin(["met", "missed", "no target"]).all())
    return [
        KeyFigure(
            key="gap",
            label=tr.t("plan_gap.figure.gap"),
            value=None if pd.isna(total["gap"]) else float(total["gap"]),
            text=_signed(tr, float(total["gap"])),
            note=tr.t(
                "plan_gap.figure.gap_note", share=tr.rate(ratio), baseline=_baseline_name(tr, r.baseline)
            ),
        ),
        KeyFigure(
            key="actual",
            label=tr.t("plan_gap.figure.actual")
            if (metric := gap_metric(r.gap)) == "sales_volume"
            else tr.t(f"plan_gap_margin.figure_actual.{metric}"),
            value=float(total["actual"]),
            text=tr.money(total["actual"]),
        ),
        KeyFigure(
            key="systematic",
            label=tr.t("plan_gap.figure.systematic"),
            value=float(systematic) if r.has_plans else None,
            text=tr.count(systematic) if r.has_plans else "–",
            note=tr.t("plan_gap.figure.window", first=tr.period(r.window[0]), last=tr.period(r.window[-1]))
            if r.has_plans
            else tr.t("plan_verdicts.no_plans_figure"),
        ),
        KeyFigure(
            key="off_track",
            label=tr.t("report_words.missed_tile" if closed else "plan_gap.figure.off_track"),
            value=float(off_track),
            text=tr.count(off_track),
            note=tr.t("plan_gap.figure.as_of", date=tr.date(r.as_of)),
        ),
    ]


def headline(r: PlanGapReport, tr: Translator | None = None) -> html.Html:
    tr = _tr(tr)
    return html.figures_list(key_figures(r, tr), label=tr.t("plan_gap.key_figures"))


def introduction(r: PlanGapReport, tr: Translator | None = None) -> html.Html:
    """What the report shows, in the report's language: the drivers the data has (no lead or conversion
    drivers without leads), and no word of missing a plan without plans."""
    tr = _tr(tr)
    if r.has_leads and r.has_plans:
        return html.paragraphs([tr.t("plan_gap.introduction")])
    drivers = tr.t("plan_verdicts.introduction_leads" if r.has_leads else "plan_verdicts.introduction_orders")
    rest = tr.t(
        "plan_verdicts.introduction_rest_plans" if r.has_plans else "plan_verdicts.introduction_rest_no_plans"
    )
    return html.paragraphs([f"{drivers} {rest}"])


def provenance(r: PlanGapReport, tr: Translator | None = None, *, parameters: Mapping[str, Any]) -> html.Html:
    """How the report was made: parameters, data source and fingerprint, rows, data as of, version."""
    tr = _tr(tr)
    empty = tr.t("quarterly.provenance.empty")
    rows = [{"what": what, "value": value} for what, value in parameter_rows(parameters, tr, empty=empty)]
    rows += [
        {"what": tr.t("quarterly.provenance.source"), "value": r.source},
        {"what": tr.t("quarterly.provenance.fingerprint"), "value": r.data_fingerprint},
        {"what": tr.t("quarterly.provenance.data_as_of"), "value": tr.date(r.data_as_of)},
        {"what": tr.t("quarterly.provenance.first_date"), "value": tr.date(r.first_date)},
        {"what": tr.t("quarterly.provenance.version"), "value": kpi_toolkit.__version__},
    ]
    heading = html.section(tr.t("plan_gap.provenance.heading"), [tr.t("plan_gap.provenance.intro")])
    return heading + html.table(
        pd.DataFrame(rows),
        columns={"what": tr.t("plan_gap.provenance.what"), "value": tr.t("plan_gap.provenance.value")},
        classes={"value": "wrap"},
    )
