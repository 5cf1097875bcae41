"""What the manager comparison report shows, one function per section, each returning safe :class:`Html`, and
the quarterly report's section "Differences between managers" (:func:`differences_section`).

Every function takes the report's numbers (:class:`~kpi_toolkit.report.comparison_report.ComparisonReport`)
and a :class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``): numbers, money, percentages and
dates are formatted by the translator for its locale, words come from the catalogues' ``comparison:``
sections, and data (names, teams) is escaped by :mod:`kpi_toolkit.report.html`.
Figures are drawn by :mod:`kpi_toolkit.stats.figures` with the managers' names, drawn literally; their axis
titles, legends and tick numbers are then put in the translator's language
(:mod:`kpi_toolkit.report.comparison_figures`). The notebook's prose (:func:`introduction`,
:func:`reading_guide`) comes from the messages too, so a report holds no word outside its language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

import kpi_toolkit
from kpi_toolkit.comparison import (
    DEFAULT_MIN_N,
    average_check_diagnostics,
    compare_managers,
    order_amounts,
)
from kpi_toolkit.data import SalesData
from kpi_toolkit.kpis import active_managers
from kpi_toolkit.periods import Period
from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_figures import amounts_plot, funnel_plot, ranking_plot, verdicts_plot
from kpi_toolkit.report.comparison_messages import (
    _difference,
    _interval,
    _kpi,
    _method,
    _name,
    _note,
    _p,
    _p_cell,
    _range_pct,
    _say,
    _t,
    _test_name,
    _tr,
    _value,
    _versus,
)
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.detectability_views import detectability_frames, detectability_sentence
from kpi_toolkit.report.formatting import MISSING, decimals
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.quarterly import QuarterlyReport
from kpi_toolkit.report.report_words import parameter_rows, table_name
from kpi_toolkit.report.site import KeyFigure
from kpi_toolkit.stats import DEFAULT_SEED

if TYPE_CHECKING:
    pass

__all__ = [
    "amounts_plot",
    "amounts_section",
    "caveats",
    "conclusion_sentences",
    "conclusions",
    "differences_section",
    "first_screen",
    "funnel_plot",
    "funnel_section",
    "global_section",
    "headline",
    "introduction",
    "key_figures",
    "page_title",
    "provenance",
    "ranking_plot",
    "ranking_section",
    "reading_guide",
    "title",
    "verdicts_plot",
    "verdicts_section",
    "verdicts_table",
]

_FLAGGED = ("above", "below")
_GUIDE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<h2>{{ heading }}</h2>
<p><strong>{{ disagree_lead }}</strong> {{ disagree }}</p>
<p><strong>{{ assumptions_lead }}</strong></p>
<ul>
{% for lead, text in items %}<li><em>{{ lead }}</em> {{ text }}</li>
{% endfor %}</ul>
"""
)


def _period(tr: Translator, r: ComparisonReport) -> str:
    return tr.period(r.period)


# title, key figures, caveats --------------------------------------------------------------------------------
def page_title(r: ComparisonReport, tr: Translator | None = None) -> str:
    """The report's title as plain text (the page's ``<title>``, the site's index)."""
    tr = _tr(tr)
    values = {"period": _period(tr, r), "kpi": _kpi(tr, r.metric)}
    if r.family > 1:
        if r.team:
            return _t(tr, "comparison.page.title_team", period=values["period"], team=r.team)
        return _t(tr, "comparison.page.title", period=values["period"])
    if r.team:
        return _t(tr, "comparison.title_team", team=r.team, **values)
    return _t(tr, "comparison.title", **values)


def title(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """The report's title and subtitle (the team, how many managers, data as of)."""
    tr = _tr(tr)
    scope = _t(tr, "comparison.scope_team", team=r.team) if r.team else _t(tr, "comparison.scope_all")
    subtitle = _t(
        tr,
        "comparison.subtitle",
        scope=scope,
        managers=_t(tr, "comparison.managers", count=len(r.managers)),
        date=tr.date(r.data_as_of),
    )
    return html.heading(page_title(r, tr), level=1) + html.paragraphs([subtitle])


def _flagged(table: pd.DataFrame, verdict: str) -> pd.DataFrame:
    return table[table["verdict"] == verdict].sort_values(["p_adjusted", "manager"], kind="stable")


def _all_flagged(r: ComparisonReport, verdict: str | None = None) -> pd.DataFrame:
    """The managers flagged on any KPI of the page (``metric`` beside each row), strongest first."""
    frames = [r.tables.get(m, r.table).assign(metric=m) for m in (r.metrics or [r.metric])]
    table = pd.concat(frames, ignore_index=True)
    verdicts = (verdict,) if verdict else _FLAGGED
    return table[table["verdict"].isin(verdicts)].sort_values(["p_adjusted", "manager"], kind="stable")


def key_figures(r: ComparisonReport, tr: Translator | None = None) -> list[KeyFigure]:
    """The report's key figures (its head and the site's index): who is below and above the rest (on which
    KPI, when the page has several), the global test (a page of one KPI), how many managers got a verdict."""
    tr = _tr(tr)
    figures = []
    for verdict in ("below", "above"):
        flagged = _all_flagged(r, verdict)
        if r.family > 1:
            items = (
                _t(tr, "comparison.page.figure_item", name=_name(r.names, m), kpi=_kpi(tr, k))
                for m, k in zip(flagged["manager"], flagged["metric"], strict=True)
            )
        else:
            items = (_name(r.names, m) for m in flagged["manager"])
        text = tr.names(items) or _t(tr, "comparison.figure.none")
        figures.append(
            KeyFigure(
                key=verdict,
                label=_t(tr, f"comparison.figure.{verdict}"),
                value=float(len(flagged)),
                text=text,
            )
        )
    if r.family == 1:
        row = (
            r.global_tests.set_index("metric").loc[r.metric]
            if r.metric in set(r.global_tests["metric"])
            else None
        )
        if row is not None:
            figures.append(
                KeyFigure(
                    key="global_p",
                    label=_t(tr, "comparison.figure.global"),
                    value=float(row["p_value"]) if np.isfinite(row["p_value"]) else None,
                    text=_p(tr, float(row["p_value"])),
                )
            )
    tested = len(
        {
            m
            for t in (r.tables or {r.metric: r.table}).values()
            for m in t.loc[t["verdict"] != "insufficient data", "manager"]
        }
    )
    figures.append(
        KeyFigure(
            key="tested",
            label=_t(tr, "comparison.figure.tested"),
            value=float(tested),
            text=_t(
                tr,
                "comparison.figure.tested_text",
                tested=tr.count(tested),
                managers=tr.count(len(r.managers)),
            ),
        )
    )
    return figures


def first_screen(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """The first screen: each manager flagged on any KPI of the page (which KPI, above or below, the
    estimate against the rest's, the adjusted p-value), strongest first, and how the page controls false
    flags across its KPIs.

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.comparison_report import comparison_report
    >>> r = comparison_report(kt.from_frames(**make_demo_data()), period="2026")
    >>> import html
    >>> text = html.unescape(first_screen(r))
    >>> "Clara Jensen: conversion below the rest of the team's, 12.1% against 28.4% (adjusted p < 0.001)" in (
    ...     text
    ... )
    True
    """
    tr = _tr(tr)
    flagged = _all_flagged(r)
    items = [
        _t(
            tr,
            "comparison.page.item",
            name=_name(r.names, row["manager"]),
            kpi=_t(tr, f"comparison.phrase.{row['metric']}"),
            direction=_t(tr, f"comparison.quarterly.{row['verdict']}"),
            estimate=_value(tr, row["metric"], row["estimate"]),
            versus_estimate=_value(tr, row["metric"], row["versus_estimate"]),
            p=_p(tr, row["p_adjusted"], adjusted=True),
        )
        for _, row in flagged.iterrows()
    ]
    kpis = tr.names(_t(tr, f"comparison.phrase.{m}") for m in (r.metrics or [r.metric]))
    intro = [_t(tr, "comparison.page.intro" if items else "comparison.page.none", kpis=kpis)]
    family = _t(
        tr,
        "comparison.page.family" if r.family > 1 else "comparison.page.family_one",
        count=r.family,
        alpha=tr.pct(r.alpha),
        method=_method(tr, r.p_adjust),
        level=tr.pct(r.alpha / r.family, digits=decimals(100 * r.alpha / r.family, 2)),
    )
    return (
        html.section(_t(tr, "comparison.page.heading"), intro)
        + html.bullets(items)
        + html.paragraphs([family])
    )


def headline(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """The key figures as a row of labelled numbers."""
    tr = _tr(tr)
    return html.figures_list(key_figures(r, tr), label=_t(tr, "comparison.key_figures"))


def caveats(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """What a reader must know before trusting the numbers (empty when nothing)."""
    tr = _tr(tr)
    return html.notes([_say(tr, c) for c in r.caveats], title=tr.t("common.read_with_care"))


def introduction(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """What the report asks and how it answers, before the conclusions."""
    tr = _tr(tr)
    return html.paragraphs([_t(tr, "comparison.intro")])


# conclusions ------------------------------------------------------------------------------------------------
def _sentence(r: ComparisonReport, row: pd.Series, tr: Translator, tests: int) -> str:
    metric = r.metric
    common = {
        "name": _name(r.names, row["manager"]),
        "estimate": _value(tr, metric, row["estimate"]),
        "versus_estimate": _value(tr, metric, row["versus_estimate"]),
        "p": _p(tr, row["p_adjusted"]),
        "tests": _t(tr, "comparison.tests_count", count=tests),
        "method": _method(tr, r.p_adjust, r.family),
    }
    if metric == "new_customers":
        direction = _t(tr, "comparison.more" if row["verdict"] == "above" else "comparison.fewer")
        reference = _versus(tr, r.names, row["versus"])
        return _t(
            tr, "comparison.conclusions.new_customers", direction=direction, reference=reference, **common
        )
    values = {
        "direction": tr.verdict(row["verdict"]),
        "reference": _versus(tr, r.names, row["versus"], possessive=True),
        "n": tr.count(row["n"]),
        "versus_n": tr.count(row["versus_n"]),
        **common,
    }
    if metric == "average_check":
        values |= {
            "ratio": tr.number(row["effect_size"], digits=2),
            "low": tr.number(row["ci_low"], digits=2),
            "high": tr.number(row["ci_high"], digits=2),
        }
    return _t(tr, f"comparison.conclusions.{metric}", **values)


def conclusion_sentences(r: ComparisonReport, tr: Translator | None = None) -> list[str]:
    """The plain-language conclusions: each manager found above or below the rest (strongest first), then
    those without a difference and those without enough data."""
    tr = _tr(tr)
    table = r.table
    if len(r.managers) < 2 or table.empty:
        return [_t(tr, "comparison.conclusions.few")]
    tests = int(r.table.attrs.get("n_comparisons", table["p_value"].notna().sum()))
    flagged = table[table["verdict"].isin(_FLAGGED)].sort_values(["p_adjusted", "manager"], kind="stable")
    sentences = [_sentence(r, row, tr, tests) for _, row in flagged.iterrows()]
    others = int((table["verdict"] == "no difference").sum())
    if tests == 0:
        sentences.append(
            _t(tr, "comparison.conclusions.no_tests", what=_t(tr, f"comparison.what.{r.metric}"))
        )
    elif flagged.empty:
        sentences.append(
            _t(
                tr,
                "comparison.conclusions.none",
                kpi=_t(tr, f"comparison.phrase.{r.metric}"),
                tests=_t(tr, "comparison.tests_count", count=tests),
                method=_method(tr, r.p_adjust, r.family),
                alpha=tr.pct(r.alpha),
            )
        )
    elif others:
        sentences.append(_t(tr, "comparison.conclusions.others", count=others))
    few = table[table["verdict"] == "insufficient data"]
    if len(few):
        items = ", ".join(
            _t(tr, "comparison.conclusions.insufficient_item", name=_name(r.names, m), n=tr.count(n))
            for m, n in zip(few["manager"], few["n"], strict=True)
        )
        sentences.append(
            _t(
                tr,
                "comparison.conclusions.insufficient",
                count=len(few),
                what=_t(tr, f"comparison.what.{r.metric}"),
                min_n=tr.count(r.min_n) if r.min_n is not None else MISSING,
                items=items,
            )
        )
    return sentences


def conclusions(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """What the data say, in plain language, generated from the comparison tables (each KPI of the page)."""
    tr = _tr(tr)
    if r.family == 1:
        return html.section(_t(tr, "comparison.conclusions.heading"), conclusion_sentences(r, tr))
    # several KPIs: what each finds, then one sentence for everyone without a difference
    sentences = []
    others = False
    for m in r.metrics:
        part = r.part(m)
        said = conclusion_sentences(part, tr)
        other = int((part.table["verdict"] == "no difference").sum())
        if other and part.table["verdict"].isin(_FLAGGED).any():
            said.remove(_t(tr, "comparison.conclusions.others", count=other))
            others = True
        sentences += said
    if others:
        sentences.append(_t(tr, "comparison.page.others"))
    return html.section(_t(tr, "comparison.conclusions.heading"), sentences)


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


# the typical check beside the average check (issue 17) ------------------------------------------------------
def typical_checks(amounts: pd.DataFrame) -> pd.Series:
    """The typical check of each manager: the geometric mean of their positive order amounts (NaN without
    one), indexed by manager; ``amounts`` as :func:`kpi_toolkit.comparison.order_amounts`.

    >>> typical_checks(pd.DataFrame({"manager": ["a", "a", "b"], "amount": [10.0, 1000.0, 0.0]})).round(1)
    manager
    a    100.0
    b      NaN
    Name: typical_check, dtype: float64
    """
    positive = amounts[amounts["amount"] > 0]
    logs = np.log(positive["amount"].astype(float))
    out = np.exp(logs.groupby(positive["manager"]).mean())
    managers = pd.Index(sorted(amounts["manager"].unique()), name="manager")
    return out.reindex(managers).rename("typical_check").astype(float)


def typical_columns(
    frame: pd.DataFrame, amounts: pd.DataFrame | None, diagnostics: pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` (one row per ``manager``) with ``typical_check`` (:func:`typical_checks`) and
    ``typical_ratio`` (the ratio of typical checks to the verdict's reference, ``geometric_mean_ratio`` of
    :func:`kpi_toolkit.average_check_diagnostics`) added; NaN where not known."""
    out = frame.copy()
    typical = typical_checks(amounts) if amounts is not None else pd.Series(dtype=float)
    out["typical_check"] = [float(typical.get(m, np.nan)) for m in out["manager"]]
    ratio = (
        diagnostics.set_index("manager")["geometric_mean_ratio"]
        if diagnostics is not None and len(diagnostics)
        else pd.Series(dtype=float)
    )
    out["typical_ratio"] = [float(ratio.get(m, np.nan)) for m in out["manager"]]
    return out


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


# order amounts ----------------------------------------------------------------------------------------------
def amounts_section(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """Order amounts per manager and the checks beside the average-check verdicts (average check only;
    empty for the other KPIs)."""
    tr = _tr(tr)
    if r.amounts is None or r.diagnostics is None:
        return html.Html("")
    medians = r.amounts[r.amounts["amount"] > 0].groupby("manager", sort=True)["amount"].median()
    items = "; ".join(
        _t(tr, "comparison.amounts.alt_item", name=_name(r.names, m), median=tr.money(v))
        for m, v in medians.items()
    )
    figure = html.Html("")
    if len(r.amounts):
        ax = amounts_plot(r, tr)
        figure = html.figure(
            ax.figure,
            alt=_t(tr, "comparison.amounts.alt", items=items),
            caption=_t(tr, "comparison.amounts.caption", period=_period(tr, r)),
        )
    d = r.diagnostics.copy()
    d["who"] = [_name(r.names, m) for m in d["manager"]]
    d["against"] = [_versus(tr, r.names, v) for v in d["versus"]]
    d["bootstrap"] = [
        tr.t("common.range", low=tr.number(lo, digits=2), high=tr.number(hi, digits=2))
        if np.isfinite(lo) and np.isfinite(hi)
        else MISSING
        for lo, hi in zip(d["ratio_ci_low"], d["ratio_ci_high"], strict=True)
    ]
    table = html.table(
        d,
        columns={
            "who": _t(tr, "comparison.col.manager"),
            "against": _t(tr, "comparison.col.versus"),
            "n": _t(tr, "comparison.col.n.average_check"),
            "ratio_of_means": _t(tr, "comparison.col.ratio_of_means"),
            "bootstrap": _t(tr, "comparison.col.bootstrap"),
            "mann_whitney_p": _t(tr, "comparison.col.mann_whitney"),
            "cliffs_delta": _t(tr, "comparison.col.cliffs_delta"),
            "geometric_mean_ratio": _t(tr, "comparison.col.typical_order"),
            "log_welch_p": _t(tr, "comparison.col.typical_order_p"),
        },
        formats={
            "n": tr.count,
            "ratio_of_means": lambda v: tr.number(v, digits=2),
            "mann_whitney_p": lambda v: _p_cell(tr, v),
            "cliffs_delta": lambda v: tr.number(v, digits=2),
            "geometric_mean_ratio": lambda v: tr.number(v, digits=2),
            "log_welch_p": lambda v: _p_cell(tr, v),
        },
        caption=_t(tr, "comparison.amounts.table_caption", period=_period(tr, r)),
        sortable=True,
    )
    return (
        html.section(_t(tr, "comparison.amounts.heading"), [_t(tr, "comparison.amounts.intro")])
        + figure
        + table
    )


# reading the report -----------------------------------------------------------------------------------------
def reading_guide(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """Why a funnel signal and a test verdict can disagree, what each test assumes, when not to trust it."""
    tr = _tr(tr)
    items = [
        (_t(tr, f"comparison.guide.{part}_lead"), _t(tr, f"comparison.guide.{part}"))
        for part in ("conversion", "average_check", "new_customers", "margin_rate", "all")
        if part == "all" or part in (r.metrics or [r.metric])
    ]
    return html.Html(
        _GUIDE.render(
            heading=_t(tr, "comparison.guide.heading"),
            disagree_lead=_t(tr, "comparison.guide.disagree_lead"),
            disagree=_t(tr, "comparison.guide.disagree"),
            assumptions_lead=_t(tr, "comparison.guide.assumptions_lead"),
            items=items,
        )
    )


# provenance -------------------------------------------------------------------------------------------------
def provenance(
    r: ComparisonReport, tr: Translator | None = None, *, parameters: Mapping[str, Any] | None = None
) -> html.Html:
    """How the report was made: its parameters, the data's source, fingerprint and dates, the toolkit."""
    tr = _tr(tr)
    empty = _t(tr, "comparison.provenance.empty")
    rows = parameter_rows(parameters or {}, tr, empty=empty)
    rows += [
        (_t(tr, "comparison.provenance.source"), r.source),
        (_t(tr, "comparison.provenance.fingerprint"), r.data_fingerprint or MISSING),
        (_t(tr, "comparison.provenance.data_as_of"), tr.date(r.data_as_of)),
        (_t(tr, "comparison.provenance.first_date"), tr.date(r.first_date)),
        (_t(tr, "comparison.provenance.seed"), str(DEFAULT_SEED)),
        (_t(tr, "comparison.provenance.version"), kpi_toolkit.__version__),
    ]
    for _, c in r.row_counts.iterrows():
        rows.append(
            (
                _t(tr, "comparison.provenance.rows", table=table_name(str(c["table"]), tr)),
                _t(
                    tr,
                    "comparison.provenance.rows_value",
                    read=tr.count(c["rows_read"]),
                    used=tr.count(c["rows_used"]),
                    excluded=tr.count(c["rows_excluded"]),
                ),
            )
        )
    frame = pd.DataFrame(rows, columns=["what", "value"])
    table = html.table(
        frame,
        columns={
            "what": _t(tr, "comparison.provenance.what"),
            "value": _t(tr, "comparison.provenance.value"),
        },
        caption=_t(tr, "comparison.provenance.caption"),
    )
    return (
        html.section(_t(tr, "comparison.provenance.heading"), [_t(tr, "comparison.provenance.intro")]) + table
    )


# the quarterly report's section -----------------------------------------------------------------------------
def differences_section(
    data: SalesData, q: QuarterlyReport, tr: Translator | None = None, *, alpha: float = 0.05
) -> html.Html:
    """The quarterly report's "Differences between managers": the verdicts of :func:`kt.compare_managers
    <kpi_toolkit.compare_managers>` for conversion and average check over the year to date, the managers
    found above or below the rest, and where the full comparison is.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> import html
    >>> text = html.unescape(differences_section(data, quarterly_report(data, period="2026Q3")))
    >>> "Clara Jensen's conversion is below the rest of the team's" in text
    True
    >>> "Grace Okafor's average check is above the rest of the team's" in text
    True
    """
    tr = _tr(tr)
    # the year to date; a report on a range (2025Q4:2026Q3): that range
    parts = list(q.period.periods) if len(q.period.periods) > 1 else q.period.year_to_date()
    label = str(parts[0]) if len(parts) == 1 else f"{parts[0]}:{parts[-1]}"
    window = (
        tr.period(parts[0])
        if len(parts) == 1
        else tr.t("common.range", low=tr.period(parts[0]), high=tr.period(parts[-1]))
    )
    metrics = ["conversion", "average_check"] if data.leads is not None else ["average_check"]
    managers = active_managers(data, parts, q.team)  # those active in the window, as compared
    heading = _t(tr, "comparison.quarterly.heading")
    if len(managers) < 2:
        return html.section(heading, [_t(tr, "comparison.quarterly.few")])
    tables = {m: compare_managers(data, period=label, metric=m, team=q.team, alpha=alpha) for m in metrics}
    intro = [
        _t(
            tr,
            "comparison.quarterly.intro",
            window=window,
            alpha=tr.pct(alpha),
            leads=_t(tr, "comparison.quarterly.leads", count=DEFAULT_MIN_N["conversion"]),
            orders=_t(tr, "comparison.quarterly.orders", count=DEFAULT_MIN_N["average_check"]),
        )
    ]
    if data.leads is None:
        intro.append(_t(tr, "comparison.quarterly.no_leads"))
    # what the quarter's data can tell apart, and a year's (kt.detectable_difference), one sentence a metric
    found = []
    for metric in metrics:
        short, longer, span = detectability_frames(
            data, period=q.period, metric=metric, team=q.team, alpha=alpha
        )
        found.append(detectability_sentence(short, longer, period=q.period, window=span, tr=tr))
    if any(found):
        intro += [*filter(None, found), tr.t("detectability.note")]
    if "average_check" in metrics:
        intro.append(tr.t("detectability.typical_intro"))
    sentences = []
    for metric, table in tables.items():
        for _, row in (
            table[table["verdict"].isin(_FLAGGED)].sort_values("p_adjusted", kind="stable").iterrows()
        ):
            sentences.append(
                _t(
                    tr,
                    f"comparison.quarterly.flagged_{metric}",
                    name=_name(q.names, row["manager"]),
                    direction=_t(tr, f"comparison.quarterly.{row['verdict']}"),
                    estimate=_value(tr, metric, row["estimate"]),
                    versus_estimate=_value(tr, metric, row["versus_estimate"]),
                    p=_p(tr, row["p_adjusted"], adjusted=True),
                )
            )
    if not sentences:
        sentences.append(_t(tr, "comparison.quarterly.none"))
    few = sorted({m for t in tables.values() for m in t.loc[t["verdict"] == "insufficient data", "manager"]})
    if few:
        names = tr.names(_name(q.names, m) for m in few)
        sentences.append(_t(tr, "comparison.quarterly.insufficient", count=len(few), names=names))
    year = Period.containing(q.period.start, "year", q.period.fiscal_year_start)
    sentences.append(_t(tr, "comparison.quarterly.pointer", period=tr.period(year)))
    frame = pd.DataFrame({"manager": managers})
    frame["who"] = [_name(q.names, m) for m in managers]
    columns = {"who": _t(tr, "comparison.quarterly.manager")}
    formats: dict[str, Any] = {}
    for metric, table in tables.items():
        t = table.set_index("manager")
        frame[metric] = t.loc[managers, "estimate"].to_numpy(float)
        frame[f"{metric}_verdict"] = [tr.verdict(v) for v in t.loc[managers, "verdict"]]
        columns[metric] = _kpi(tr, metric)
        if metric == "average_check":  # the orders and the typical check beside the average it judges
            amounts = order_amounts(data, period=label, team=q.team)
            diagnostics = average_check_diagnostics(
                data, period=label, team=q.team, alpha=alpha, n_resamples=200
            )
            frame = typical_columns(frame, amounts, diagnostics)
            frame["orders"] = t.loc[managers, "n"].to_numpy(float)
            columns |= {
                "orders": tr.t("detectability.col.orders"),
                "typical_check": tr.t("detectability.col.typical"),
                "typical_ratio": tr.t("detectability.col.typical_ratio"),
            }
            formats |= {
                "orders": tr.count,
                "typical_check": tr.money,
                "typical_ratio": lambda v: tr.number(v, digits=2),
            }
        columns[f"{metric}_verdict"] = _t(tr, "comparison.quarterly.verdict")
        formats[metric] = lambda v, metric=metric: _value(tr, metric, v)
    table_html = html.table(
        frame, columns=columns, formats=formats, caption=_t(tr, "comparison.quarterly.caption", window=window)
    )
    return html.section(heading, intro) + table_html + html.paragraphs(sentences)
