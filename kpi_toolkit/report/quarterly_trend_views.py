"""The quarterly report's trend: sales volume against plan per period, and each manager's plan attainment per
quarter as a heatmap, each with its values in the alternative text (:mod:`kpi_toolkit.report.views` has the
rest of the page).

The section comes from the history frames the notebook's analysis cells show
(``history_section(history, history_totals, ...)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from kpi_toolkit import figures
from kpi_toolkit.report import figure_text, html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.quarterly import QuarterlyReport
from kpi_toolkit.report.views import _tr

__all__ = [
    "heatmap_figure",
    "history_figures",
    "history_heatmap",
    "history_section",
    "trend_figures",
    "volume_figure",
]


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


def history_section(
    history: pd.DataFrame,
    history_totals: pd.DataFrame,
    *,
    names: Mapping[str, str],
    tr: Translator | None = None,
) -> html.Html:
    """The trend figures with their heading, from the frames (see :func:`history_figures`)."""
    tr = _tr(tr)
    figures_ = history_figures(history, history_totals, names=names, tr=tr)
    return html.section(tr.t("quarterly.trend.heading")) + figures_
