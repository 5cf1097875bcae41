"""Short prose generated from the numbers of a quarterly report, for a sales director.

Sentences state the numbers and their basis (how many leads or orders stand behind a rate), never a cause.
"""

from __future__ import annotations

import math

from kpi_toolkit.report.formatting import fmt_count, fmt_money, fmt_pct, fmt_pp, fmt_ratio
from kpi_toolkit.report.quarterly import QuarterlyReport

__all__ = ["summary_sentences"]

#: Below this many orders an attainment is called uncertain in the prose.
FEW_ORDERS = 15


def _change(now: float, before: float) -> str:
    if math.isnan(now) or math.isnan(before) or before == 0:
        return ""
    return fmt_ratio(now / before - 1)


def _volume_sentence(q: QuarterlyReport, who: str) -> str:
    t = q.totals
    p, prev, last = str(q.period), str(q.period.previous()), str(q.period.last_year())
    now = t.loc[p, "sales_volume"]
    text = f"In {p} {who} sold {fmt_money(now)}"
    if not math.isnan(t.loc[p, "sales_plan"]):
        text += f" against a plan of {fmt_money(t.loc[p, 'sales_plan'])} ({fmt_pct(t.loc[p, 'plan_attainment'])} of plan)"
    parts = []
    vs_prev, vs_last = (
        _change(now, t.loc[prev, "sales_volume"]),
        _change(now, t.loc[last, "sales_volume"]),
    )
    if vs_prev:
        parts.append(f"{vs_prev} on {prev}")
    if vs_last:
        parts.append(f"{vs_last} on {last}")
    return text + (f", {' and '.join(parts)}" if parts else "") + "."


def _plan_sentence(q: QuarterlyReport) -> str:
    ranked = q.ranking[q.ranking["plan_attainment"].notna()]
    if ranked.empty:
        return "No manager has a sales plan for this period."
    met = int((ranked["plan_attainment"] >= 1).sum())
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    return (
        f"{met} of {len(ranked)} managers with a plan met it; the highest attainment was "
        f"{q.names[best['manager']]}'s ({fmt_pct(best['plan_attainment'])}), the lowest "
        f"{q.names[worst['manager']]}'s ({fmt_pct(worst['plan_attainment'])})."
    )


def _conversion_sentence(q: QuarterlyReport) -> str:
    t = q.totals
    p, prev = str(q.period), str(q.period.previous())
    closed = t.loc[p, "leads_closed"]
    if math.isnan(closed):
        return ""
    if closed == 0:
        return f"No leads were closed in {p}."
    text = f"Conversion was {fmt_pct(t.loc[p, 'conversion'])} of {fmt_count(closed)} closed leads"
    if not math.isnan(t.loc[prev, "conversion"]):
        text += f" ({fmt_pp(100 * (t.loc[p, 'conversion'] - t.loc[prev, 'conversion']))} on {prev})"
    text += (
        f"; the average check was {fmt_money(t.loc[p, 'average_check'])} over {fmt_count(t.loc[p, 'orders'])} "
        f"orders, and {fmt_count(t.loc[p, 'new_customers'])} customers bought for the first time."
    )
    return text


def _uncertainty_sentence(q: QuarterlyReport) -> str:
    few = q.ranking[q.ranking["plan_attainment"].notna() & (q.ranking["orders"] < FEW_ORDERS)]
    if few.empty:
        return ""
    parts = [
        f"{q.names[r['manager']]} ({fmt_pct(r['plan_attainment'])} on {fmt_count(r['orders'])} orders, "
        f"95 % interval {fmt_pct(r['ci_low'])}–{fmt_pct(r['ci_high'])})"
        for _, r in few.iterrows()
    ]
    return (
        f"Attainment resting on fewer than {FEW_ORDERS} orders says little about skill: "
        + "; ".join(parts)
        + "."
    )


def summary_sentences(q: QuarterlyReport) -> list[str]:
    """The report's opening paragraph, as a list of sentences (empty ones left out).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.quarterly import quarterly_report
    >>> q = quarterly_report(kt.from_frames(**make_demo_data()), team="South")
    >>> summary_sentences(q)[0]
    'In 2026Q3 the South team sold 16,334,547 against a plan of 17,622,000 (93% of plan), +4% on 2026Q2 and +76% on 2025Q3.'
    """
    who = f"the {q.team} team" if q.team else "the company"
    sentences = [
        _volume_sentence(q, who),
        _plan_sentence(q),
        _conversion_sentence(q),
        _uncertainty_sentence(q),
    ]
    return [s for s in sentences if s]
