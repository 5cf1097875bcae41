"""The manager comparison report's conversion-only sections: the funnel plot with its limits
(:func:`funnel_section`) and the shrunk ranking beside the raw one (:func:`ranking_section`); for the
other KPIs each says that it shows conversion only.

Every function takes the report's numbers (:class:`~kpi_toolkit.report.comparison_report.ComparisonReport`)
and a :class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``); numbers, words and data enter
the page as :mod:`kpi_toolkit.report.comparison_views` describes.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_figures import funnel_plot, ranking_plot
from kpi_toolkit.report.comparison_messages import (
    _name,
    _period,
    _range_pct,
    _t,
    _tr,
)
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.formatting import MISSING
from kpi_toolkit.report.i18n import Translator

__all__ = [
    "funnel_section",
    "ranking_section",
]


# funnel -----------------------------------------------------------------------------------------------------
def _only_conversion(r: ComparisonReport, tr: Translator, heading: str) -> html.Html:
    return html.section(_t(tr, heading), [_t(tr, "comparison.funnel.only_conversion")])


def funnel_section(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """The funnel plot of conversion with its limits and the managers outside them (conversion only)."""
    tr = _tr(tr)
    if r.funnel is None:
        return _only_conversion(r, tr, "comparison.funnel.heading")
    f = r.funnel
    center = float(f["center"].iloc[0]) if len(f) else math.nan
    intro = [
        _t(tr, "comparison.funnel.intro", center=tr.pct(center, digits=1)),
        _t(tr, "comparison.funnel.limits_note"),
    ]
    if f.attrs.get("phi", 1.0) > 1.0:
        intro.append(_t(tr, "comparison.funnel.overdispersion", phi=tr.number(f.attrs["phi"], digits=2)))
    outside = f[f["signal"].isin(("above", "below", "watch"))]
    if len(outside):
        items = tr.names(
            _t(tr, "comparison.funnel.signal_item", name=_name(r.names, m), signal=tr.verdict(s))
            for m, s in zip(outside["manager"], outside["signal"], strict=True)
        )
        intro.append(_t(tr, "comparison.funnel.signals", items=items))
    else:
        intro.append(_t(tr, "comparison.funnel.no_signals"))
    items = [
        _t(
            tr,
            "comparison.funnel.alt_item",
            name=_name(r.names, row["manager"]),
            rate=tr.rate(row["rate"]),
            n=tr.count(row["n"]),
            signal=tr.verdict(row["signal"])
            if pd.notna(row["signal"])
            else _t(tr, "comparison.funnel.no_leads"),
        )
        for _, row in f.iterrows()
    ]
    ax = funnel_plot(r, tr)
    figure = html.figure(
        ax.figure,
        alt=_t(tr, "comparison.funnel.alt", center=tr.pct(center, digits=1), items="; ".join(items)),
        caption=_t(tr, "comparison.funnel.caption", period=_period(tr, r)),
    )
    frame = f.copy()
    frame["who"] = [_name(r.names, m) for m in frame["manager"]]
    frame["limits_95"] = [
        _range_pct(tr, lo, hi) for lo, hi in zip(frame["lower_95"], frame["upper_95"], strict=True)
    ]
    frame["limits_998"] = [
        _range_pct(tr, lo, hi) for lo, hi in zip(frame["lower_998"], frame["upper_998"], strict=True)
    ]
    frame["signal_text"] = [tr.verdict(s) if pd.notna(s) else MISSING for s in frame["signal"]]
    table = html.table(
        frame,
        columns={
            "who": _t(tr, "comparison.col.manager"),
            "n": _t(tr, "comparison.col.n.conversion"),
            "rate": _t(tr, "comparison.col.rate"),
            "limits_95": _t(tr, "comparison.col.limits_95"),
            "limits_998": _t(tr, "comparison.col.limits_998"),
            "signal_text": _t(tr, "comparison.col.signal"),
        },
        formats={"n": tr.count, "rate": tr.rate},
        caption=_t(tr, "comparison.funnel.table_caption", period=_period(tr, r)),
        sortable=True,
    )
    return html.section(_t(tr, "comparison.funnel.heading"), intro) + figure + table


# ranking ----------------------------------------------------------------------------------------------------
def ranking_section(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """The shrunk ranking of conversion next to the raw one, with intervals (conversion only)."""
    tr = _tr(tr)
    if r.shrunk is None:
        return _only_conversion(r, tr, "comparison.ranking.heading")
    s = r.shrunk.copy()
    intro = [_t(tr, "comparison.ranking.intro")]
    if s.attrs.get("no_spread"):
        intro.append(_t(tr, "comparison.ranking.no_spread"))
    has = s["raw_rate"].notna().to_numpy()
    order = np.lexsort((s["manager"].astype(str).to_numpy(), -s["raw_rate"].fillna(-1).to_numpy()))
    order = order[has[order]]
    raw_rank = pd.Series(pd.NA, index=s.index, dtype="Int64")
    raw_rank.iloc[order] = np.arange(1, order.size + 1)
    s["raw_rank"] = raw_rank
    s["who"] = [_name(r.names, m) for m in s["manager"]]
    s["interval"] = [_range_pct(tr, lo, hi) for lo, hi in zip(s["ci_low"], s["ci_high"], strict=True)]
    for column, suffix in (("rank_range", ""), ("rank_range_joint", "_joint")):
        s[column] = [
            MISSING if pd.isna(lo) else tr.t("common.range", low=tr.count(lo), high=tr.count(hi))
            for lo, hi in zip(s[f"rank_low{suffix}"], s[f"rank_high{suffix}"], strict=True)
        ]
    s = s.assign(_order=s["rank"].astype("Float64").fillna(np.inf)).sort_values("_order", kind="stable")
    table = html.table(
        s,
        columns={
            "rank": _t(tr, "comparison.col.rank"),
            "rank_range": _t(tr, "comparison.col.rank_range"),
            "rank_range_joint": _t(tr, "comparison.col.rank_range_joint"),
            "who": _t(tr, "comparison.col.manager"),
            "n": _t(tr, "comparison.col.n.conversion"),
            "shrunk_rate": _t(tr, "comparison.col.shrunk_rate"),
            "interval": _t(tr, "comparison.col.interval"),
            "prob_above_center": _t(tr, "comparison.col.prob_above"),
            "raw_rate": _t(tr, "comparison.col.raw_rate"),
            "raw_rank": _t(tr, "comparison.col.raw_rank"),
        },
        formats={
            "rank": lambda v: MISSING if pd.isna(v) else tr.count(v),
            "raw_rank": lambda v: MISSING if pd.isna(v) else tr.count(v),
            "n": tr.count,
            "shrunk_rate": tr.rate,
            "raw_rate": tr.rate,
            "prob_above_center": lambda v: tr.pct(v),
        },
        caption=_t(tr, "comparison.ranking.caption", period=_period(tr, r)),
        sortable=True,
        sort_by={"interval": "ci_low", "rank_range": "rank_low", "rank_range_joint": "rank_low_joint"},
    )
    items = "; ".join(
        _t(
            tr,
            "comparison.ranking.alt_item",
            name=name,
            shrunk=tr.rate(shrunk),
            raw=tr.rate(raw),
        )
        for name, shrunk, raw in zip(s["who"], s["shrunk_rate"], s["raw_rate"], strict=True)
    )
    ax = ranking_plot(r, tr)
    figure = html.figure(
        ax.figure,
        alt=_t(tr, "comparison.ranking.alt", items=items),
        caption=_t(tr, "comparison.ranking.figure_caption"),
    )
    return html.section(_t(tr, "comparison.ranking.heading"), intro) + table + figure
