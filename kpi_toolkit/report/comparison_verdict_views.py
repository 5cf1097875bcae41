"""The manager comparison report's tests: the global test of each KPI (:func:`global_section`) and each
manager against the rest (:func:`verdicts_section`: how it is tested, what the period's data can detect,
the verdict table and the forest plot), one such section for each KPI of the page.

Every function takes the report's numbers (:class:`~kpi_toolkit.report.comparison_report.ComparisonReport`)
and a :class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``); numbers, words and data enter
the page as :mod:`kpi_toolkit.report.comparison_views` describes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_amount_views import typical_columns
from kpi_toolkit.report.comparison_figures import verdicts_plot
from kpi_toolkit.report.comparison_messages import (
    _difference,
    _interval,
    _kpi,
    _method,
    _name,
    _note,
    _p,
    _p_cell,
    _period,
    _t,
    _test_name,
    _tr,
    _value,
    _versus,
)
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.detectability_views import detectability_sentence
from kpi_toolkit.report.formatting import MISSING
from kpi_toolkit.report.i18n import Translator

__all__ = [
    "global_section",
    "verdicts_section",
    "verdicts_table",
]


# global tests -----------------------------------------------------------------------------------------------
def _global_result(r: ComparisonReport, tr: Translator, row: pd.Series) -> str:
    metric = str(row["metric"])
    if np.isfinite(row["p_value"]):
        return _t(
            tr,
            "comparison.global.result",
            count=int(row["n_groups"]),
            kpi=_kpi(tr, metric),
            test=_test_name(tr, row["test"]),
            statistic=tr.number(row["statistic"], digits=2),
            df=tr.number(row["df"], digits=0),
            p=_p(tr, row["p_value"]),
        )
    return _t(tr, "comparison.global.no_test", kpi=_kpi(tr, metric), note=_note(tr, row["note"], r.names))


def global_section(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """The global tests (one per KPI), with the report's KPI in a sentence; shown beside the comparisons."""
    tr = _tr(tr)
    frame = r.global_tests.copy()
    results = [
        _global_result(r, tr, row)
        for _, row in frame.iterrows()
        if row["metric"] in (r.metrics or [r.metric])
    ]
    frame["kpi"] = [_kpi(tr, m) for m in frame["metric"]]
    frame["test"] = [_test_name(tr, t) for t in frame["test"]]
    frame["note"] = [_note(tr, n, r.names) for n in frame["note"]]
    columns = {
        "kpi": _t(tr, "comparison.global.kpi"),
        "test": _t(tr, "comparison.global.test"),
        "statistic": _t(tr, "comparison.global.statistic"),
        "df": _t(tr, "comparison.global.df"),
        "p_value": _t(tr, "comparison.global.p"),
        "n_groups": _t(tr, "comparison.global.groups"),
        "note": _t(tr, "comparison.global.note"),
    }
    formats = {
        "statistic": lambda v: tr.number(v, digits=2),
        "df": lambda v: tr.number(v, digits=0),
        "p_value": lambda v: _p_cell(tr, v),
        "n_groups": tr.count,
    }
    table = html.table(
        frame,
        columns=columns,
        formats=formats,
        caption=_t(tr, "comparison.global.caption", period=_period(tr, r)),
        classes={"test": "wrap-narrow", "note": "wrap"},  # the long texts wrap: no column cut at 1280 px
    )
    return (
        html.section(_t(tr, "comparison.global.heading"), [_t(tr, "comparison.global.intro"), *results])
        + table
    )


# each manager against the rest ------------------------------------------------------------------------------
def verdicts_table(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """The comparison table: each manager against the rest, with estimates, interval, p-values, verdict."""
    tr = _tr(tr)
    metric = r.metric
    frame = r.table.copy()
    frame["who"] = [_name(r.names, m) for m in frame["manager"]]
    frame["against"] = [_versus(tr, r.names, v) for v in frame["versus"]]
    frame["interval"] = [
        _interval(tr, metric, lo, hi) for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)
    ]
    frame["verdict_text"] = [tr.verdict(v) for v in frame["verdict"]]
    frame["test"] = [_test_name(tr, t) for t in frame["test"].fillna(MISSING)]
    columns = {
        "who": _t(tr, "comparison.col.manager"),
        "against": _t(tr, "comparison.col.versus"),
        "n": _t(tr, f"comparison.col.n.{metric}"),
        "estimate": _kpi(tr, metric),
    }
    if metric == "new_customers":  # the count, and the rate per active month that is compared
        columns["estimate"] = _t(tr, "comparison.col.per_active_month")
    columns |= {
        "versus_estimate": _t(tr, "comparison.col.versus_estimate"),
        "difference": _t(tr, "comparison.col.difference"),
    }
    if metric == "average_check":  # the ratio says it (the CSV keeps the difference): the table fits 1280 px
        del columns["difference"]
    if metric != "margin_rate":  # the margin rate's effect is the difference itself
        columns["effect_size"] = _t(tr, f"comparison.col.effect.{metric}")
    columns |= {
        "interval": _t(tr, "comparison.col.interval"),
        "test": _t(tr, "comparison.col.test"),
        # the adjusted p the verdict rests on (the unadjusted one is in manager_tests.csv): the table fits
        "p_adjusted": _t(tr, "comparison.col.p_adjusted"),
        "verdict_text": _t(tr, "comparison.col.verdict"),
    }
    if metric == "average_check":  # the typical check beside the arithmetic average the verdict is about
        frame = typical_columns(frame, r.amounts, r.diagnostics)
        at = list(columns).index("versus_estimate") + 1
        items = list(columns.items())
        items[at:at] = [
            ("typical_check", tr.t("detectability.col.typical")),
            ("typical_ratio", tr.t("detectability.col.typical_ratio")),
        ]
        columns = dict(items)
    formats = {
        "n": tr.count,
        "typical_check": tr.money,
        "typical_ratio": lambda v: tr.number(v, digits=2),
        "estimate": lambda v: _value(tr, metric, v),
        "versus_estimate": lambda v: _value(tr, metric, v),
        "difference": lambda v: _difference(tr, metric, v),
        "effect_size": lambda v: tr.number(v, digits=2),
        "p_value": lambda v: _p_cell(tr, v),
        "p_adjusted": lambda v: _p_cell(tr, v),
    }
    return html.table(
        frame,
        columns=columns,
        formats=formats,
        caption=_t(tr, "comparison.tests.caption", kpi=_kpi(tr, metric), period=_period(tr, r)),
        sortable=True,
        classes={"who": "wrap-name"}
        | {c: "wrap-narrow" for c in ("test", "against", "interval", "verdict_text")},
    )


def _verdicts_figure(r: ComparisonReport, tr: Translator) -> html.Html:
    table = r.table
    if table.empty:
        return html.Html("")
    ax = verdicts_plot(r, tr)
    is_rate = r.metric in ("conversion", "margin_rate")
    items = []
    for _, row in table.iterrows():
        value = row["difference"] if is_rate else row["effect_size"]
        shown = _difference(tr, r.metric, value) if is_rate else tr.number(value, digits=2)
        low, high = (
            (tr.pp(100 * row["ci_low"]), tr.pp(100 * row["ci_high"]))
            if is_rate
            else (tr.number(row["ci_low"], digits=2), tr.number(row["ci_high"], digits=2))
        )
        items.append(
            _t(
                tr,
                "comparison.tests.figure_alt_item",
                name=_name(r.names, row["manager"]),
                value=shown,
                low=low,
                high=high,
                verdict=tr.verdict(row["verdict"]),
            )
        )
    alt = _t(
        tr,
        "comparison.tests.figure_alt",
        effect=_t(tr, f"comparison.effect.{r.metric}"),
        items="; ".join(items),
    )
    return html.figure(ax.figure, alt=alt, caption=_t(tr, "comparison.tests.figure_caption"))


def verdicts_section(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """Each manager against the rest: how it is tested, what the period can detect, the table and figure;
    one such section for each KPI of the page."""
    tr = _tr(tr)
    if r.family == 1:
        return _verdicts_one(r, tr, _t(tr, "comparison.tests.heading"))
    parts = [
        _verdicts_one(r.part(m), tr, _t(tr, "comparison.page.tests_heading", kpi=_kpi(tr, m)))
        for m in r.metrics
    ]
    return html.Html("".join(parts))


def _verdicts_one(r: ComparisonReport, tr: Translator, heading: str) -> html.Html:
    intro = [
        _t(
            tr,
            "comparison.tests.intro",
            kpi=_t(tr, f"comparison.phrase.{r.metric}"),
            method=_method(tr, r.p_adjust, r.family),
            alpha=tr.pct(r.alpha),
        ),
        _t(tr, f"comparison.tests.method.{r.metric}"),
    ]
    if r.detectability is not None:  # what the period's data can tell apart (kt.detectable_difference)
        sentence = detectability_sentence(
            r.detectability,
            r.detectability_longer,
            period=r.period,
            window=r.detectability_window,
            tr=tr,
        )
        if sentence:
            intro += [sentence, tr.t("detectability.note")]
        if r.metric == "average_check":
            intro.append(tr.t("detectability.typical_intro"))
    elif np.isfinite(r.detectable):
        tested = r.table[r.table["p_value"].notna()]
        size = (
            tr.t("unit.pp", value=tr.number(100 * r.detectable, digits=1))
            if r.metric in ("conversion", "margin_rate")
            else tr.number(r.detectable, digits=2)
        )
        intro.append(
            _t(
                tr,
                f"comparison.tests.detectable.{r.metric}",
                n=tr.count(float(tested["n"].median())),
                size=size,
            )
        )
    return html.section(heading, intro) + verdicts_table(r, tr) + _verdicts_figure(r, tr)
