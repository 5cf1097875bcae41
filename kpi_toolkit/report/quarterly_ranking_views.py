"""The quarterly report's ranking by plan attainment: the figure and the table, each attainment and each rank
with its 95 % interval (:mod:`kpi_toolkit.report.views` has the rest of the page).

Each section comes from the report object (``ranking_section(q, tr)``) or from the ranking frame that the
notebook's analysis cells show (``attainment_section(ranking, ...)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from kpi_toolkit import figures
from kpi_toolkit.periods import Period
from kpi_toolkit.report import figure_text, html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.narrative import LEVEL
from kpi_toolkit.report.quarterly import QuarterlyReport
from kpi_toolkit.report.views import _tr

__all__ = [
    "attainment_figure",
    "attainment_section",
    "attainment_table",
    "ranking_figure",
    "ranking_section",
    "ranking_table",
]


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
