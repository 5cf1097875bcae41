"""What the quarterly report notebook shows, one function per section, each returning safe :class:`Html`.

Every function takes the report's numbers (:class:`QuarterlyReport`) and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``): all words come from its catalogue and
all numbers are formatted for its locale. Data (names, teams) is escaped by :mod:`kpi_toolkit.report.html`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

import kpi_toolkit
from kpi_toolkit import figures
from kpi_toolkit.periods import Period
from kpi_toolkit.report import figure_text, html
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.narrative import LEVEL, summary_sentences
from kpi_toolkit.report.quarterly import QuarterlyReport
from kpi_toolkit.report.report_words import parameter_rows, table_name
from kpi_toolkit.report.site import KeyFigure
from kpi_toolkit.report.site_links import body_links

__all__ = [
    "attainment_figure",
    "attainment_section",
    "attainment_table",
    "caveats",
    "comparison_section",
    "comparison_table",
    "headline",
    "heatmap_figure",
    "history_figures",
    "history_heatmap",
    "history_section",
    "key_figures",
    "kpi_section",
    "kpi_table",
    "kpis_section",
    "kpis_table",
    "page_title",
    "provenance",
    "ranking_figure",
    "ranking_section",
    "ranking_table",
    "related_reports",
    "summary",
    "title",
    "totals_section",
    "totals_table",
    "trend_figures",
    "trend_section",
    "volume_figure",
]

#: The KPIs of the comparison table, in order.
COMPARED = (
    "sales_volume",
    "sales_plan",
    "plan_attainment",
    "orders",
    "average_check",
    "conversion",
    "leads_closed",
    "new_customers",
)


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


def _conversion(won: float, closed: float, rate: float, tr: Translator) -> str:
    if math.isnan(closed):
        return tr.pct(math.nan)
    if closed == 0:
        return tr.t("common.no_leads_closed")
    return tr.t(
        "common.conversion_cell", conversion=tr.rate(rate), won=tr.count(won), closed=tr.count(closed)
    )


def kpi_table(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """Every manager's KPIs against plan (sortable), with the group's total in the table's foot."""
    return kpis_table(q.kpis, q.totals, period=q.period, names=q.names, teams=q.teams, tr=tr)


def kpis_table(
    kpis: pd.DataFrame,
    totals: pd.DataFrame,
    *,
    period: Period,
    names: Mapping[str, str],
    teams: Mapping[str, str],
    tr: Translator | None = None,
) -> html.Html:
    """:func:`kpi_table` from the frames: ``kpis`` (:func:`kpi_toolkit.manager_kpis`), ``totals`` (the
    group's totals, a row per column of the comparison, ``str(period)`` the foot's), names and teams by id."""
    tr = _tr(tr)
    frame = kpis.reset_index()
    frame["who"] = [names.get(m, m) for m in frame["manager"]]
    frame["team"] = [teams.get(m, "") for m in frame["manager"]]
    foot = {"manager": "", "who": tr.t("common.total"), "team": "", **totals.loc[str(period)]}
    total = pd.DataFrame([foot])
    for part in (frame, total):
        part["conversion_text"] = [
            _conversion(w, c, r, tr)
            for w, c, r in zip(part["leads_won"], part["leads_closed"], part["conversion"], strict=True)
        ]
    columns = {
        "who": tr.t("quarterly.kpis.manager"),
        "team": tr.t("quarterly.kpis.team"),
        "sales_volume": tr.t("kpi.sales_volume"),
        "sales_plan": tr.t("kpi.sales_plan"),
        "plan_attainment": tr.t("kpi.plan_attainment"),
        "orders": tr.t("kpi.orders"),
        "average_check": tr.t("kpi.average_check"),
        "conversion_text": tr.t("quarterly.kpis.conversion"),
        "new_customers": tr.t("kpi.new_customers"),
    }
    formats = {c: (lambda v, c=c: tr.kpi_value(c, v)) for c in columns if c in COMPARED}
    return html.table(
        frame,
        columns=columns,
        formats=formats,
        caption=tr.t("quarterly.kpis.caption", period=tr.period(period)),
        row_class=lambda r: "miss" if r["plan_attainment"] < 1 else "",
        sortable=True,
        sort_by={"conversion_text": "conversion"},
        footer=total,
        classes={"plan_attainment": "attainment"},
    )


def kpi_section(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The KPI table with its heading and introduction."""
    return kpis_section(q.kpis, q.totals, period=q.period, names=q.names, teams=q.teams, tr=tr)


def kpis_section(
    kpis: pd.DataFrame,
    totals: pd.DataFrame,
    *,
    period: Period,
    names: Mapping[str, str],
    teams: Mapping[str, str],
    tr: Translator | None = None,
) -> html.Html:
    """:func:`kpi_section` from the frames (see :func:`kpis_table`)."""
    tr = _tr(tr)
    intro = [tr.t("quarterly.kpis.intro")]
    table = kpis_table(kpis, totals, period=period, names=names, teams=teams, tr=tr)
    return html.section(tr.t("quarterly.kpis.heading"), intro) + table


def comparison_table(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The group's KPIs this period against the previous period, a year before, and year to date."""
    return totals_table(q.totals, period=q.period, tr=tr)


def totals_table(totals: pd.DataFrame, *, period: Period, tr: Translator | None = None) -> html.Html:
    """:func:`comparison_table` from ``totals``: the group's KPIs by row ``str(period)``, the previous
    period, the same period a year before, ``YTD <period>`` and ``YTD <period a year before>``."""
    tr = _tr(tr)
    t = totals
    p, prev, last = str(period), str(period.previous()), str(period.last_year())
    ytd, ytd_last = f"YTD {period.last}", f"YTD {period.last_year().last}"

    rows = [
        {
            "kpi": tr.t(f"kpi.{metric}"),
            "now": tr.kpi_value(metric, t.loc[p, metric]),
            "prev": tr.kpi_value(metric, t.loc[prev, metric]),
            "d_prev": tr.kpi_change(metric, t.loc[p, metric], t.loc[prev, metric]),
            "last": tr.kpi_value(metric, t.loc[last, metric]),
            "d_last": tr.kpi_change(metric, t.loc[p, metric], t.loc[last, metric]),
            "ytd": tr.kpi_value(metric, t.loc[ytd, metric]),
            "ytd_last": tr.kpi_value(metric, t.loc[ytd_last, metric]),
            "d_ytd": tr.kpi_change(metric, t.loc[ytd, metric], t.loc[ytd_last, metric]),
        }
        for metric in COMPARED
    ]
    change = tr.t("common.change")
    columns = {
        "kpi": tr.t("quarterly.comparison.kpi"),
        "now": tr.period(p),
        "prev": tr.period(prev),
        "d_prev": change,
        "last": tr.period(last),
        "d_last": change,
        "ytd": tr.t("period.ytd", period=tr.period(period.last)),
        "ytd_last": tr.t("period.ytd", period=tr.period(period.last_year().last)),
        "d_ytd": change,
    }
    return html.table(
        pd.DataFrame(rows),
        columns=columns,
        caption=tr.t("quarterly.comparison.caption"),
        classes={c: "num" for c in columns if c != "kpi"},
    )


def comparison_section(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The comparison with earlier periods, with its heading and introduction."""
    return totals_section(q.totals, period=q.period, tr=tr)


def totals_section(totals: pd.DataFrame, *, period: Period, tr: Translator | None = None) -> html.Html:
    """:func:`comparison_section` from ``totals`` (see :func:`totals_table`)."""
    tr = _tr(tr)
    span = len(period.periods) > 1  # a range: the run against runs of the same length
    intro = [tr.t("period_range.comparison_intro" if span else "quarterly.comparison.intro")]
    table = totals_table(totals, period=period, tr=tr)
    return html.section(tr.t("quarterly.comparison.heading"), intro) + table


def ranking_table(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The ranking by plan attainment with each attainment's and each rank's 95 % interval (sortable)."""
    return attainment_table(q.ranking, period=q.period, names=q.names, tr=tr)


def attainment_table(
    ranking: pd.DataFrame, *, period: Period, names: Mapping[str, str], tr: Translator | None = None
) -> html.Html:
    """:func:`ranking_table` from ``ranking`` (:func:`kpi_toolkit.attainment_ranking`) and names by id."""
    tr = _tr(tr)
    r = ranking.copy()
    r["who"] = [names.get(m, m) for m in r["manager"]]
    r["interval"] = [
        tr.t("common.range", low=tr.rate(lo), high=tr.rate(hi)) if not math.isnan(lo) else tr.pct(math.nan)
        for lo, hi in zip(r["ci_low"], r["ci_high"], strict=True)
    ]
    r["rank_range"] = [
        tr.pct(math.nan) if math.isnan(lo) else tr.t("common.range", low=tr.count(lo), high=tr.count(hi))
        for lo, hi in zip(r["rank_low"], r["rank_high"], strict=True)
    ]
    columns = {  # the name first: it stays in view while the table scrolls sideways on a phone
        "who": tr.t("quarterly.kpis.manager"),
        "rank": tr.t("quarterly.ranking.rank"),
        "plan_attainment": tr.t("kpi.plan_attainment"),
        "interval": tr.t("quarterly.ranking.interval", level=tr.pct(LEVEL)),
        "rank_range": tr.t("quarterly.ranking.ranks"),
        "orders": tr.t("kpi.orders"),
    }
    formats = {"rank": tr.count, "plan_attainment": tr.rate, "orders": tr.count}
    return html.table(
        r,
        columns=columns,
        formats=formats,
        caption=tr.t("quarterly.ranking.caption", period=tr.period(period)),
        sortable=True,
        sort_by={"interval": "ci_low", "rank_range": "rank_low"},
    )


def attainment_figure(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """Plan attainment per manager with intervals."""
    return ranking_figure(q.ranking, names=q.names, tr=tr)


def ranking_figure(
    ranking: pd.DataFrame, *, names: Mapping[str, str], tr: Translator | None = None
) -> html.Html:
    """:func:`attainment_figure` from ``ranking`` (:func:`kpi_toolkit.attainment_ranking`)."""
    tr = _tr(tr)
    ax = figures.plot_attainment(ranking, names=names, **figure_text.attainment(tr))
    ranked = ranking.dropna(subset=["plan_attainment"])
    items = [
        tr.t("figure.attainment.alt_item", name=names.get(m, m), attainment=tr.rate(a))
        for m, a in zip(ranked["manager"], ranked["plan_attainment"], strict=True)
    ]
    alt = (
        tr.t("figure.attainment.alt", items="; ".join(items))
        if items
        else tr.t("figure.attainment.alt_empty")
    )
    caption = tr.t("figure.attainment.caption", level=tr.pct(LEVEL))
    return html.figure(ax.figure, alt=alt, caption=caption)


def volume_figure(totals: pd.DataFrame, tr: Translator, *, caption: str) -> html.Html:
    """Sales volume against plan per period (``totals``: ``sales_volume``, ``sales_plan`` by period)."""
    ax = figures.plot_volume_vs_plan(totals, **figure_text.volume(tr))
    items = [
        tr.t("figure.volume.alt_item", period=tr.period(p), volume=tr.money(v), plan=tr.money(pl))
        if not math.isnan(pl)
        else tr.t("figure.volume.alt_item_no_plan", period=tr.period(p), volume=tr.money(v))
        for p, v, pl in zip(totals.index, totals["sales_volume"], totals["sales_plan"], strict=True)
    ]
    return html.figure(ax.figure, alt=tr.t("figure.volume.alt", items="; ".join(items)), caption=caption)


def heatmap_figure(q: QuarterlyReport, tr: Translator) -> html.Html:
    """Each manager's plan attainment per quarter, with the values in the alternative text."""
    return history_heatmap(q.history, names=q.names, tr=tr)


def history_heatmap(history: pd.DataFrame, *, names: Mapping[str, str], tr: Translator) -> html.Html:
    """:func:`heatmap_figure` from ``history`` (:func:`kpi_toolkit.kpi_history`) and names by id."""
    ax = figures.plot_attainment_heatmap(history, names=names, **figure_text.heatmap(tr))
    grid = history["plan_attainment"].unstack("period")
    periods = list(dict.fromkeys(history.index.get_level_values("period")))
    rows = [
        tr.t(
            "figure.heatmap.alt_item",
            name=names.get(m, m),
            values=", ".join(tr.rate(grid.loc[m, p]) for p in periods),
        )
        for m in grid.index
    ]
    alt = tr.t(
        "figure.heatmap.alt", first=tr.period(periods[0]), last=tr.period(periods[-1]), items="; ".join(rows)
    )
    return html.figure(ax.figure, alt=alt, caption=tr.t("figure.heatmap.caption"))


def trend_figures(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """Sales volume against plan per quarter, and each manager's attainment per quarter."""
    return history_figures(q.history, q.history_totals, names=q.names, tr=tr)


def history_figures(
    history: pd.DataFrame,
    history_totals: pd.DataFrame,
    *,
    names: Mapping[str, str],
    tr: Translator | None = None,
) -> html.Html:
    """:func:`trend_figures` from ``history`` (:func:`kpi_toolkit.kpi_history`) and ``history_totals``
    (its group totals per period)."""
    tr = _tr(tr)
    volume = volume_figure(history_totals, tr, caption=tr.t("figure.volume.caption"))
    return volume + history_heatmap(history, names=names, tr=tr)


def trend_section(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The trend figures with their heading."""
    return history_section(q.history, q.history_totals, names=q.names, tr=tr)


def history_section(
    history: pd.DataFrame,
    history_totals: pd.DataFrame,
    *,
    names: Mapping[str, str],
    tr: Translator | None = None,
) -> html.Html:
    """:func:`trend_section` from the frames (see :func:`history_figures`)."""
    tr = _tr(tr)
    figures_ = history_figures(history, history_totals, names=names, tr=tr)
    return html.section(tr.t("quarterly.trend.heading")) + figures_


def ranking_section(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The ranking: heading, introduction, figure and table."""
    return attainment_section(q.ranking, period=q.period, names=q.names, tr=tr)


def attainment_section(
    ranking: pd.DataFrame, *, period: Period, names: Mapping[str, str], tr: Translator | None = None
) -> html.Html:
    """:func:`ranking_section` from ``ranking`` (:func:`kpi_toolkit.attainment_ranking`) and names by id."""
    tr = _tr(tr)
    intro = [tr.t("quarterly.ranking.intro", level=tr.pct(LEVEL))]
    return (
        html.section(tr.t("quarterly.ranking.heading"), intro)
        + ranking_figure(ranking, names=names, tr=tr)
        + attainment_table(ranking, period=period, names=names, tr=tr)
    )


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
