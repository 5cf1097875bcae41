"""What the quarterly report notebook shows, one function per section, each returning safe :class:`Html`.

Every function takes the report's numbers (:class:`QuarterlyReport`) and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``): all words come from its catalogue and
all numbers are formatted for its locale. Data (names, teams) is escaped by :mod:`kpi_toolkit.report.html`.

This module holds the page's head and tail: title, key figures (what the report's record and the site's index
read), summary, caveats, related reports and provenance. The sections between have modules of their own:
the KPI tables (:mod:`~kpi_toolkit.report.quarterly_kpi_views`), the trend figures
(:mod:`~kpi_toolkit.report.quarterly_trend_views`) and the ranking
(:mod:`~kpi_toolkit.report.quarterly_ranking_views`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

import kpi_toolkit
from kpi_toolkit.periods import Period
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.narrative import summary_sentences
from kpi_toolkit.report.quarterly import QuarterlyReport
from kpi_toolkit.report.report_words import parameter_rows, table_name
from kpi_toolkit.report.site import KeyFigure
from kpi_toolkit.report.site_links import body_links

__all__ = [
    "caveats",
    "headline",
    "key_figures",
    "page_title",
    "provenance",
    "related_reports",
    "summary",
    "title",
]


def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def page_title(q: QuarterlyReport, tr: Translator | None = None) -> str:
    """The report's title as plain text (the page's ``<title>``, the site's index)."""
    tr = _tr(tr)
    period = tr.period(q.period)
    return (
        tr.t("quarterly.title_team", period=period, team=q.team)
        if q.team
        else tr.t("quarterly.title", period=period)
    )


def title(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The report's title and subtitle."""
    tr = _tr(tr)
    scope = tr.t("quarterly.scope_team", team=q.team) if q.team else tr.t("quarterly.scope_all")
    subtitle = tr.t(
        "quarterly.subtitle",
        scope=scope,
        managers=tr.t("quarterly.managers", count=len(q.kpis)),
        date=tr.date(q.data_as_of),
    )
    return html.heading(page_title(q, tr), level=1) + html.paragraphs([subtitle])


def key_figures(q: QuarterlyReport, tr: Translator | None = None) -> list[KeyFigure]:
    """The report's key figures (the head of the report, and the site's index): volume, % of plan,
    conversion, average check."""
    tr = _tr(tr)
    t = q.totals
    p, prev = str(q.period), str(q.period.previous())
    figures_ = []
    for metric in ("sales_volume", "plan_attainment", "conversion", "average_check"):
        value = t.loc[p, metric]
        note = ""
        before = t.loc[prev, metric]
        if metric == "sales_volume" and before and not math.isnan(before) and not math.isnan(value):
            note = tr.t("quarterly.vs_previous", change=tr.ratio(value / before - 1), period=tr.period(prev))
        figures_.append(
            KeyFigure(
                key=metric,
                label=tr.t(f"kpi.{metric}"),
                value=None if pd.isna(value) else float(value),
                text=tr.kpi_value(metric, value),
                note=note,
            )
        )
    return figures_


def headline(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The key figures as a row of labelled numbers."""
    tr = _tr(tr)
    return html.figures_list(key_figures(q, tr), label=tr.t("quarterly.key_figures"))


def summary(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The opening paragraph, generated from the numbers."""
    return html.paragraphs([" ".join(summary_sentences(q, _tr(tr)))])


def caveats(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """What a reader must know before trusting the numbers (empty when nothing)."""
    tr = _tr(tr)
    return html.notes([tr.say(c) for c in q.caveats], title=tr.t("common.read_with_care"))


def related_reports(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The reports that answer the quarterly report's next questions (the manager comparison of the year,
    the plan gap, the KPI card, the per-manager reports): links when they are in the same site (the site
    puts them in, :func:`kpi_toolkit.report.site_links.set_body_links`), else the commands that make them.

    >>> from kpi_toolkit.demo import make_demo_data
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.report import quarterly_report
    >>> q = quarterly_report(kt.from_frames(**make_demo_data()), period="2026Q3", team="North")
    >>> "kpi-report compare --data DIR --period 2026 --team North" in related_reports(q)
    True
    """
    tr = _tr(tr)
    year = Period.containing(q.period.start, "year", q.period.fiscal_year_start)
    options = (f" --team {q.team}" if q.team else "") + (f" --lang {tr.lang}" if tr.lang != "en" else "")
    commands = [
        f"kpi-report compare --data DIR --period {year}{options}",
        f"kpi-report plan-gap --data DIR --period {q.period}{options}",
        f"kpi-report card --data DIR --period {q.period} --card CARD{options}",
        f"kpi-report batch --data DIR --by manager --period {q.period}{options}",
    ]
    heading = tr.t("report_links.heading")
    return html.section(heading) + html.Html(
        body_links(tr.t("report_links.fallback", commands="; ".join(commands)))
    )


def provenance(
    q: QuarterlyReport, tr: Translator | None = None, *, parameters: Mapping[str, Any]
) -> html.Html:
    """How the report was made: parameters, data source, fingerprint and rows, data as of, toolkit version.

    The time of rendering is in the page's footer (written by :func:`kpi_toolkit.report.render_notebook`),
    so that this table is the same whenever the same data is rendered again with the same parameters.
    """
    tr = _tr(tr)
    empty = tr.t("quarterly.provenance.empty")
    rows = [{"what": what, "value": value} for what, value in parameter_rows(parameters, tr, empty=empty)]
    rows += [
        {"what": tr.t("quarterly.provenance.source"), "value": q.source},
        {"what": tr.t("quarterly.provenance.fingerprint"), "value": q.data_fingerprint},
        {"what": tr.t("quarterly.provenance.data_as_of"), "value": tr.date(q.data_as_of)},
        {"what": tr.t("quarterly.provenance.first_date"), "value": tr.date(q.first_date)},
        {"what": tr.t("quarterly.provenance.version"), "value": kpi_toolkit.__version__},
    ]
    rows += [
        {
            "what": tr.t("quarterly.provenance.rows", table=table_name(str(r["table"]), tr)),
            "value": tr.t(
                "quarterly.provenance.rows_value",
                read=tr.count(r["rows_read"]),
                used=tr.count(r["rows_used"]),
                excluded=tr.count(r["rows_excluded"]),
            ),
        }
        for _, r in q.row_counts.iterrows()
    ]
    heading = html.section(tr.t("quarterly.provenance.heading"), [tr.t("quarterly.provenance.intro")])
    return heading + html.table(
        pd.DataFrame(rows),
        columns={"what": tr.t("quarterly.provenance.what"), "value": tr.t("quarterly.provenance.value")},
        caption=tr.t("quarterly.provenance.caption"),
        classes={"value": "wrap"},
    )
