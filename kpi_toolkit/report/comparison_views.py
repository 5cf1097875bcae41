"""What the manager comparison report shows first, one function per part, each returning safe :class:`Html`:
its title (:func:`page_title`, :func:`title`), its key figures (:func:`key_figures`, :func:`headline`; the
site's index shows them too), the first screen (each manager flagged on any KPI of the page), the caveats
and the introduction. The other sections have modules of their own: the conclusions
(:mod:`~kpi_toolkit.report.comparison_conclusion_views`), the tests
(:mod:`~kpi_toolkit.report.comparison_verdict_views`), conversion's funnel and ranking
(:mod:`~kpi_toolkit.report.comparison_conversion_views`), order amounts
(:mod:`~kpi_toolkit.report.comparison_amount_views`), the reading guide and provenance
(:mod:`~kpi_toolkit.report.comparison_appendix_views`); the quarterly report's section "Differences
between managers" is :mod:`~kpi_toolkit.report.differences_views`.

Every function of these modules takes the report's numbers
(:class:`~kpi_toolkit.report.comparison_report.ComparisonReport`) and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``): numbers, money, percentages and dates
are formatted by the translator for its locale, words come from the catalogues' ``comparison:`` sections,
and data (names, teams) is escaped by :mod:`kpi_toolkit.report.html`. Figures are drawn by
:mod:`kpi_toolkit.stats.figures` with the managers' names, drawn literally; their axis titles, legends and
tick numbers are then put in the translator's language (:mod:`kpi_toolkit.report.comparison_figures`). The
notebook's prose (:func:`introduction`, :func:`~kpi_toolkit.report.comparison_appendix_views.reading_guide`)
comes from the messages too, so a report holds no word outside its language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_messages import (
    _FLAGGED,
    _kpi,
    _method,
    _name,
    _p,
    _period,
    _say,
    _t,
    _tr,
    _value,
)
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.formatting import decimals
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.site import KeyFigure

__all__ = [
    "caveats",
    "first_screen",
    "headline",
    "introduction",
    "key_figures",
    "page_title",
    "title",
]


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
