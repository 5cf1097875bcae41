"""The comparison report's figures: the stats module's plots with their words and numbers in the report's
language (axis titles, tick labels for the locale, legends), placed by the comparison views
(:mod:`kpi_toolkit.report.comparison_verdict_views`, :mod:`~kpi_toolkit.report.comparison_conversion_views`,
:mod:`~kpi_toolkit.report.comparison_amount_views`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from kpi_toolkit.figures import literal
from kpi_toolkit.report.comparison_messages import _name, _t, _tr, _versus
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.formatting import decimals
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.stats import plot_check_distributions, plot_comparison, plot_shrunk_rates
from kpi_toolkit.stats import plot_funnel as plot_funnel_table

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["amounts_plot", "funnel_plot", "ranking_plot", "verdicts_plot"]


def _ticks(tr: Translator, kind: str) -> FuncFormatter:
    """Tick labels formatted for the locale: ``rate`` (a fraction as a percentage), ``points`` (a fraction
    as percentage points), ``ratio``, ``number`` or ``money`` (compact: 10 тыс.)."""

    def show(value: float, _: object = None) -> str:
        if kind == "rate":
            return tr.pct(value, digits=decimals(100 * value, 1))
        if kind == "points":
            return tr.number(100 * value, digits=decimals(100 * value, 1))
        if kind == "money":
            return tr.compact(value)
        return tr.number(value, digits=decimals(value, 2 if kind == "ratio" else 1))

    return FuncFormatter(show)


def _legend(ax: Axes, tr: Translator, labels: Mapping[str, str]) -> None:
    """The legend again, each entry's text in the report's language: ``labels`` by the drawn (English) label,
    a verdict or signal code by :meth:`Translator.verdict`."""
    handles, codes = ax.get_legend_handles_labels()
    entries = dict(zip(codes, handles, strict=True))
    if entries:
        texts = [literal(labels[c] if c in labels else tr.verdict(c)) for c in entries]
        ax.legend(list(entries.values()), texts, loc="best", fontsize="small")


def verdicts_plot(r: ComparisonReport, tr: Translator | None = None) -> Axes:
    """Each manager against the rest (:func:`kpi_toolkit.stats.plot_comparison`), its words and numbers in
    the translator's language."""
    tr = _tr(tr)
    table = r.table
    ax = plot_comparison(table, names=r.names)
    # the name alone against the rest, with or without a colleague left out (the table's column 'Against'
    # says whom): the labels leave the intervals most of the width, on a phone too
    labels = [
        literal(
            _name(r.names, m)
            if v == "rest" or str(v).startswith("rest excl. ")
            else _t(tr, "comparison.plot.pair", name=_name(r.names, m), versus=_versus(tr, r.names, v))
        )
        for m, v in zip(table["manager"], table["versus"], strict=True)
    ]
    ax.set_yticks(np.arange(len(table))[::-1], labels)
    ax.xaxis.set_major_formatter(
        _ticks(tr, "points" if r.metric in ("conversion", "margin_rate") else "ratio")
    )
    ax.set_xlabel(literal(_t(tr, f"comparison.plot.axis.{r.metric}")))
    _legend(ax, tr, {})
    return ax


def funnel_plot(r: ComparisonReport, tr: Translator | None = None) -> Axes:
    """The funnel plot (:func:`kpi_toolkit.stats.plot_funnel`), its words and numbers in the translator's
    language; conversion only."""
    tr = _tr(tr)
    if r.funnel is None:
        raise ValueError(
            "the funnel plot is drawn for conversion: compute the report for metric='conversion'"
        )
    ax = plot_funnel_table(r.funnel, names=r.names)
    ax.xaxis.set_major_formatter(_ticks(tr, "number"))
    ax.yaxis.set_major_formatter(_ticks(tr, "rate"))
    ax.set_xlabel(literal(_t(tr, "comparison.plot.closed_leads")))
    ax.set_ylabel(literal(_t(tr, "comparison.plot.conversion")))
    limits = {
        "95% limits": _t(tr, "comparison.plot.limits", level=tr.pct(0.95)),
        "99.8% limits": _t(tr, "comparison.plot.limits", level=tr.pct(0.998, digits=1)),
        "no leads": _t(tr, "comparison.funnel.no_leads"),
    }
    _legend(ax, tr, limits)
    return ax


def ranking_plot(r: ComparisonReport, tr: Translator | None = None) -> Axes:
    """The shrunk ranking (:func:`kpi_toolkit.stats.plot_shrunk_rates`), its words and numbers in the
    translator's language; conversion only."""
    tr = _tr(tr)
    if r.shrunk is None:
        raise ValueError("the shrunk ranking is drawn for conversion: compute it for metric='conversion'")
    ax = plot_shrunk_rates(r.shrunk, names=r.names)
    ax.xaxis.set_major_formatter(_ticks(tr, "rate"))
    ax.set_xlabel(literal(_t(tr, "comparison.plot.conversion")))
    labels = {
        "shrunk rate (95 % interval)": _t(tr, "comparison.plot.shrunk"),
        "raw rate": _t(tr, "comparison.plot.raw"),
        "center": _t(tr, "comparison.plot.center"),
    }
    _legend(ax, tr, labels)
    return ax


def amounts_plot(r: ComparisonReport, tr: Translator | None = None) -> Axes:
    """Order amounts per manager (:func:`kpi_toolkit.stats.plot_check_distributions`), its words and numbers
    in the translator's language; average check only."""
    tr = _tr(tr)
    if r.amounts is None:
        raise ValueError("order amounts are drawn for the average check: compute the report with "
                         "metric='average_check'")  # fmt: skip
    ax = plot_check_distributions(r.amounts.loc[:, ["manager", "amount"]], names=r.names)
    low, high = ax.get_xlim()
    decades = math.log10(high / low) if low > 0 and high > low else 0.0
    subs = (1.0,) if decades >= 2 else (1.0, 2.0, 5.0) if decades >= 0.7 else tuple(range(1, 10))
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(_ticks(tr, "money"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    if tr.currency:
        label = _t(tr, "comparison.plot.amount_currency", currency=tr.currency_sign or "")
    else:
        label = _t(tr, "comparison.plot.amount")
    zeros = int((r.amounts["amount"] == 0).sum())
    if zeros:
        label = _t(tr, "comparison.plot.zeros", count=zeros, label=label)
    ax.set_xlabel(literal(label))
    ax.set_ylabel(literal(_t(tr, "comparison.col.manager")))
    return ax
