"""Short prose generated from the numbers of a quarterly report, for a sales director, in its language.

Sentences state the numbers and their basis (how many leads or orders stand behind a rate), never a cause.
Each sentence is one message of the catalogue (:mod:`kpi_toolkit.report.i18n`) with its numbers formatted for
the locale: no sentence is glued together from pieces, so a translation can order its words freely.
"""

from __future__ import annotations

import math

from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.quarterly import QuarterlyReport

__all__ = ["FEW_ORDERS", "summary_sentences"]

#: Below this many orders an attainment is called uncertain in the prose.
FEW_ORDERS = 15
#: The level of the intervals the ranking shows.
LEVEL = 0.95


def _change(now: float, before: float, tr: Translator) -> str:
    if math.isnan(now) or math.isnan(before) or before == 0:
        return ""
    return tr.ratio(now / before - 1)


def _volume_sentence(q: QuarterlyReport, tr: Translator) -> str:
    t = q.totals
    p, prev, last = str(q.period), str(q.period.previous()), str(q.period.last_year())
    now = t.loc[p, "sales_volume"]
    values = {
        "period": tr.period(p),
        "who": tr.t("summary.team", team=q.team) if q.team else tr.t("summary.company"),
        "volume": tr.money(now),
        "plan": tr.money(t.loc[p, "sales_plan"]),
        "attainment": tr.rate(t.loc[p, "plan_attainment"]),
    }
    changes = [
        tr.t("summary.change_on", change=change, period=tr.period(ref))
        for ref in dict.fromkeys((prev, last))  # a year (a run of four quarters): the previous one once
        if (change := _change(now, t.loc[ref, "sales_volume"], tr))
    ]
    on_volume = _plan_metric(q) == "sales_volume"  # else the plan has a sentence of its own
    key = "summary.sold_plan" if on_volume and not math.isnan(t.loc[p, "sales_plan"]) else "summary.sold"
    if changes:
        return tr.t(key + "_changes", changes=tr.names(changes), **values)
    return tr.t(key, **values)


def _plan_metric(q: QuarterlyReport) -> str:
    """The KPI the report's plan is on (``kt.load(plan_metric=...)``, as :func:`kpi_toolkit.manager_kpis`
    keeps it)."""
    return str(q.kpis.attrs.get("plan_metric", "sales_volume"))


def _metric_plan_sentence(q: QuarterlyReport, tr: Translator) -> str:
    """Net sales or margin against their plan, when the plan is on one of them (issue 14)."""
    t, p, metric = q.totals, str(q.period), _plan_metric(q)
    if metric == "sales_volume" or math.isnan(t.loc[p, "sales_plan"]):
        return ""
    return tr.t(
        f"margin_reports.quarterly_plan.{metric}",
        value=tr.money(t.loc[p, metric]),
        plan=tr.money(t.loc[p, "sales_plan"]),
        attainment=tr.rate(t.loc[p, "plan_attainment"]),
    )


def _plan_sentence(q: QuarterlyReport, tr: Translator) -> str:
    ranked = q.ranking[q.ranking["plan_attainment"].notna()]
    if ranked.empty:
        return tr.t("summary.no_plans")
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return tr.t(
        "summary.plans_met",
        count=len(ranked),
        met=tr.count(int((ranked["plan_attainment"] >= 1).sum())),
        best=q.names.get(best["manager"], best["manager"]),
        best_attainment=tr.rate(best["plan_attainment"]),
        worst=q.names.get(worst["manager"], worst["manager"]),
        worst_attainment=tr.rate(worst["plan_attainment"]),
    )


def _conversion_sentences(q: QuarterlyReport, tr: Translator) -> list[str]:
    t = q.totals
    p, prev = str(q.period), str(q.period.previous())
    sentences = []
    closed = t.loc[p, "leads_closed"]
    if closed == 0:
        sentences.append(tr.t("summary.no_leads_closed", period=tr.period(p)))
    elif not math.isnan(closed):
        conversion = tr.rate(t.loc[p, "conversion"])
        before = t.loc[prev, "conversion"]
        if math.isnan(before):
            sentences.append(tr.t("summary.conversion", count=closed, conversion=conversion))
        else:
            sentences.append(
                tr.t(
                    "summary.conversion_change",
                    count=closed,
                    conversion=conversion,
                    change=tr.pp(100 * (t.loc[p, "conversion"] - before)),
                    period=tr.period(prev),
                )
            )
    if t.loc[p, "orders"] > 0:
        sentences.append(
            tr.t("summary.average_check", count=t.loc[p, "orders"], check=tr.money(t.loc[p, "average_check"]))
        )
    sentences.append(tr.t("summary.new_customers", count=t.loc[p, "new_customers"]))
    return sentences


def _uncertainty_sentence(q: QuarterlyReport, tr: Translator) -> str:
    few = q.ranking[q.ranking["plan_attainment"].notna() & (q.ranking["orders"] < FEW_ORDERS)]
    if few.empty:
        return ""
    items = [
        tr.t(
            "summary.uncertain_item",
            count=r["orders"],
            name=q.names.get(r["manager"], r["manager"]),
            attainment=tr.rate(r["plan_attainment"]),
            interval=tr.t("common.range", low=tr.rate(r["ci_low"]), high=tr.rate(r["ci_high"])),
            level=tr.pct(LEVEL),
        )
        for _, r in few.iterrows()
    ]
    return tr.t("summary.uncertain", count=FEW_ORDERS, items="; ".join(items))


def summary_sentences(q: QuarterlyReport, tr: Translator | None = None) -> list[str]:
    """The report's opening paragraph, as a list of sentences (empty ones left out), in ``tr``'s language.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.quarterly import quarterly_report
    >>> q = quarterly_report(kt.from_frames(**make_demo_data()), team="South")
    >>> print(summary_sentences(q)[0])  # doctest: +NORMALIZE_WHITESPACE
    In 2026Q3 the South team sold 15,808,169 against a plan of 17,091,000 (92.4% of plan),
    +0% on 2026Q2 and +70% on 2025Q3.
    >>> print(summary_sentences(q, translator("ru", currency="RUB"))[0].replace("\\xa0", " "))
    ... # doctest: +NORMALIZE_WHITESPACE
    В 3 кв. 2026 команда South продала на 15 808 169 ₽ при плане 17 091 000 ₽ (92,4 % плана):
    +0 % к 2 кв. 2026 и +70 % к 3 кв. 2025.
    """
    tr = tr or translator("en")
    sentences = [
        _volume_sentence(q, tr),
        _metric_plan_sentence(q, tr),
        _plan_sentence(q, tr),
        *_conversion_sentences(q, tr),
        _uncertainty_sentence(q, tr),
    ]
    return [s for s in sentences if s]
