"""The manager comparison report's conclusions: what the data say, in plain language, generated from the
comparison tables (each manager found above or below the rest, strongest first, then those without a
difference and those without enough data).

Every function takes the report's numbers (:class:`~kpi_toolkit.report.comparison_report.ComparisonReport`)
and a :class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``); numbers, words and data enter
the page as :mod:`kpi_toolkit.report.comparison_views` describes.
"""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_messages import (
    _FLAGGED,
    _method,
    _name,
    _p,
    _t,
    _tr,
    _value,
    _versus,
)
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.formatting import MISSING
from kpi_toolkit.report.i18n import Translator

__all__ = [
    "conclusion_sentences",
    "conclusions",
]


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
