"""What the per-manager report notebook shows, one function per section, each returning safe :class:`Html`.

Every function takes a :class:`~kpi_toolkit.report.manager.ManagerReport` and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``). The manager is shown by name, every
colleague as "Manager A", "Manager B" ... (:func:`display_names`); the team's tables and figures are those of
the quarterly report (:mod:`kpi_toolkit.report.views`), drawn from the pseudonymised team numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from kpi_toolkit.report import html, views
from kpi_toolkit.report import quarterly_kpi_views as kpi_views
from kpi_toolkit.report import quarterly_ranking_views as ranking_views
from kpi_toolkit.report import quarterly_trend_views as trend_views
from kpi_toolkit.report.i18n import Message, Translator, translator
from kpi_toolkit.report.manager import OWN_KEY, ManagerReport
from kpi_toolkit.report.quarterly import COMPARED, QuarterlyReport
from kpi_toolkit.report.site import KeyFigure
from kpi_toolkit.report.site_links import body_links

__all__ = [
    "caveats",
    "display_names",
    "headline",
    "key_figures",
    "page_title",
    "provenance",
    "ranking_section",
    "related_reports",
    "summary",
    "team_section",
    "title",
    "trend_section",
    "versus_section",
    "versus_table",
]


def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def display_names(r: ManagerReport, tr: Translator | None = None) -> dict[str, str]:
    """Pseudonymous key -> what the report shows: the manager's name, "Manager A" for a colleague."""
    tr = _tr(tr)
    return {OWN_KEY: r.name} | {k: tr.t("manager.pseudonym", letter=code) for k, code in r.letters.items()}


def _team(r: ManagerReport, tr: Translator) -> QuarterlyReport:
    """The team's numbers as the quarterly views draw them, with the names this report may show."""
    return replace(r.team_report, names=display_names(r, tr))


def page_title(r: ManagerReport, tr: Translator | None = None) -> str:
    """The report's title as plain text (the page's ``<title>``, the site's index)."""
    tr = _tr(tr)
    return tr.t("manager.title", period=tr.period(r.period), name=r.name)


def title(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The report's title and subtitle (team, its size, data as of)."""
    tr = _tr(tr)
    scope = tr.t("quarterly.scope_team", team=r.team) if r.team else tr.t("manager.scope_all")
    subtitle = tr.t(
        "quarterly.subtitle",
        scope=scope,
        managers=tr.t("quarterly.managers", count=len(r.team_report.kpis)),
        date=tr.date(r.team_report.data_as_of),
    )
    return html.heading(page_title(r, tr), level=1) + html.paragraphs([subtitle])


def key_figures(r: ManagerReport, tr: Translator | None = None) -> list[KeyFigure]:
    """The manager's key figures (the head of the report, and the site's index), each with the team's
    median: volume, % of plan, conversion, average check."""
    tr = _tr(tr)
    out = []
    for metric in ("sales_volume", "plan_attainment", "conversion", "average_check"):
        value, median = r.versus.loc[metric, "manager"], r.versus.loc[metric, "team_median"]
        out.append(
            KeyFigure(
                key=metric,
                label=tr.t(f"kpi.{metric}"),
                value=None if pd.isna(value) else float(value),
                text=tr.kpi_value(metric, value),
                note=tr.t("manager.team_median", value=tr.kpi_value(metric, median)),
            )
        )
    return out


def headline(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The key figures as a row of labelled numbers."""
    tr = _tr(tr)
    return html.figures_list(key_figures(r, tr), label=tr.t("quarterly.key_figures"))


def summary(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The opening paragraph: the manager's sales, plan, conversion and average check against the team's
    median manager."""
    tr = _tr(tr)
    v = r.versus
    me, median = v["manager"], v["team_median"]
    values = {"period": tr.period(r.period), "name": r.name, "volume": tr.money(me["sales_volume"])}
    metric = str(r.team_report.kpis.attrs.get("plan_metric", "sales_volume"))
    if math.isnan(me["sales_plan"]) or metric != "sales_volume":
        sentences = [tr.t("manager.summary.sold", median=tr.money(median["sales_volume"]), **values)]
        if not math.isnan(me["sales_plan"]):  # a plan on net sales or margin (issue 14)
            sentences.append(
                tr.t(
                    f"margin_reports.manager_plan.{metric}",
                    name=r.name,
                    value=tr.money(r.team_report.kpis.at[OWN_KEY, metric]),
                    plan=tr.money(me["sales_plan"]),
                    attainment=tr.rate(me["plan_attainment"]),
                    median=tr.rate(median["plan_attainment"]),
                )
            )
    else:
        sentences = [
            tr.t(
                "manager.summary.sold_plan",
                plan=tr.money(me["sales_plan"]),
                attainment=tr.rate(me["plan_attainment"]),
                median=tr.rate(median["plan_attainment"]),
                **values,
            )
        ]
    if me["leads_closed"] == 0:
        sentences.append(tr.t("manager.summary.no_leads_closed", name=r.name, period=tr.period(r.period)))
    elif not math.isnan(me["leads_closed"]):
        sentences.append(
            tr.t(
                "manager.summary.conversion",
                count=me["leads_closed"],
                conversion=tr.rate(me["conversion"]),
                median=tr.rate(median["conversion"]),
            )
        )
    if me["orders"] > 0:
        sentences.append(
            tr.t(
                "manager.summary.average_check",
                count=me["orders"],
                check=tr.money(me["average_check"]),
                median=tr.money(median["average_check"]),
            )
        )
    return html.paragraphs([" ".join(sentences)])


def caveats(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """What a reader must know before trusting the numbers; managers without a plan under their pseudonyms."""
    tr = _tr(tr)
    q = r.team_report
    notes = [tr.say(c) for c in q.caveats]
    no_plan = list(q.kpis.index[q.kpis["sales_plan"].isna()])
    if no_plan:
        names = display_names(r, tr)
        message = Message(
            "caveat.no_plan", count=len(no_plan), period=r.period, names=[names[k] for k in no_plan]
        )
        notes.append(tr.say(message))
    return html.notes(notes, title=tr.t("common.read_with_care"))


def versus_table(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The manager's KPIs against the team's median manager and the team's total."""
    tr = _tr(tr)
    v = r.versus
    rows = [
        {
            "kpi": tr.t(f"kpi.{metric}"),
            "manager": tr.kpi_value(metric, v.loc[metric, "manager"]),
            "median": tr.kpi_value(metric, v.loc[metric, "team_median"]),
            "difference": tr.kpi_change(metric, v.loc[metric, "manager"], v.loc[metric, "team_median"]),
            "total": tr.kpi_value(metric, v.loc[metric, "team_total"]),
        }
        for metric in COMPARED
    ]
    columns = {
        "kpi": tr.t("manager.versus.kpi"),
        "manager": r.name,
        "median": tr.t("manager.versus.median"),
        "difference": tr.t("manager.versus.difference"),
        "total": tr.t("manager.versus.total"),
    }
    return html.table(
        pd.DataFrame(rows),
        columns=columns,
        caption=tr.t("manager.versus.caption", name=r.name, period=tr.period(r.period)),
        classes={c: "num" for c in columns if c != "kpi"},
    )


def versus_section(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The manager against the team: heading, introduction and table."""
    tr = _tr(tr)
    intro = [tr.t("manager.versus.intro", name=r.name)]
    return html.section(tr.t("manager.versus.heading", name=r.name), intro) + versus_table(r, tr)


def team_section(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """Every manager of the team with their KPIs, colleagues under pseudonyms (the manager first)."""
    tr = _tr(tr)
    intro = [tr.t("manager.team.intro", name=r.name)]
    return html.section(tr.t("manager.team.heading"), intro) + kpi_views.kpi_table(_team(r, tr), tr)


def trend_section(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The manager's sales against plan per quarter, and the team's attainment per manager and quarter."""
    tr = _tr(tr)
    return (
        html.section(tr.t("quarterly.trend.heading"))
        + trend_views.volume_figure(r.own_history, tr, caption=tr.t("manager.trend.caption", name=r.name))
        + trend_views.heatmap_figure(_team(r, tr), tr)
    )


def ranking_section(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The team's ranking by plan attainment with intervals, colleagues under pseudonyms."""
    return ranking_views.ranking_section(_team(r, _tr(tr)), _tr(tr))


def related_reports(r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The reports that answer the manager's next questions (the plan gap about them, the bonuses of the
    period): links when they are in the same site (the site puts them in,
    :func:`kpi_toolkit.report.site_links.set_body_links`), else a sentence that names them in words (the
    manager who reads this report does not run commands; no code on the page in any language).

    >>> from kpi_toolkit.demo import make_demo_data
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.report import quarterly_report
    >>> from kpi_toolkit.report.manager import manager_report
    >>> team = quarterly_report(kt.from_frames(**make_demo_data()), period="2026Q3", team="South")
    >>> print(related_reports(manager_report(team, manager="M10")))  # doctest: +ELLIPSIS
    <h2>Related reports</h2><p class="kpi-related" data-fallback="Rendered alone. The plan-gap report ...
    """
    tr = _tr(tr)
    alone = tr.t("report_links.manager_alone", name=r.name, period=tr.period(r.period))
    return html.section(tr.t("report_links.heading")) + html.Html(body_links(alone))


def provenance(r: ManagerReport, tr: Translator | None = None, *, parameters: Mapping[str, Any]) -> html.Html:
    """How the report was made: parameters, data source, fingerprint, rows, data as of, toolkit version."""
    return views.provenance(r.team_report, _tr(tr), parameters=parameters)
