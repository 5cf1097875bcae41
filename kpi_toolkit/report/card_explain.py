"""The KPI card report's explanations: how each bonus was computed, and which factors rest on too little data.

:func:`bonus_sentences` writes one sentence per manager that a manager can check with a calculator:
``base × (weight × factor + ...) = base × score = bonus`` (or why there is no bonus). :func:`small_samples`
warns where a KPI's factor rests on fewer than the documented minimum: a rate of closed leads on fewer than
:data:`MIN_LEADS` closed leads (the minimum the manager comparison needs for a verdict), an amount, an
attainment or a margin rate on fewer than :data:`MIN_ORDERS` orders (below which the quarterly report calls an
attainment uncertain). Both take the report's frames and a translator.
"""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.card_messages import kpi_name, notes_text
from kpi_toolkit.report.card_messages import message as _t
from kpi_toolkit.report.card_report import CardReport
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.narrative import FEW_ORDERS

__all__ = ["MIN_LEADS", "MIN_ORDERS", "bonus_sentences", "small_samples"]

#: Closed leads below which a lead rate's factor is called a small sample (the comparison's ``min_n``).
MIN_LEADS = 10
#: Orders below which an amount's or an attainment's factor is called a small sample.
MIN_ORDERS = FEW_ORDERS
_LEAD_RATES = ("conversion",)
_ORDER_METRICS = (
    "sales_volume",
    "average_check",
    "plan_attainment",
    "net_sales",
    "gross_margin",
    "margin_rate",
)


def _name(r: CardReport, manager: str) -> str:
    return r.names.get(str(manager), str(manager))


def small_samples(r: CardReport, tr: Translator | None = None) -> list[str]:
    """One warning per KPI of the card whose factor rests, for some managers, on too small a sample.

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.card_report import card_report
    >>> card = {"name": "A", "period": "quarter", "base_bonus": 1000,
    ...         "kpis": [{"metric": "conversion", "weight": 1, "target": 0.25}]}
    >>> r = card_report(kt.from_frames(**make_demo_data()), period="2026Q3", card=card)
    >>> [warning] = small_samples(r)
    >>> warning.startswith("Small sample: the factor for Conversion rests on fewer than 10 closed leads")
    True
    >>> "for Leo Fischer (0 won of 4); it says little about skill." in warning
    True
    """
    tr = tr or translator("en")
    if r.sample.empty:
        return []
    items = []
    for metric in r.card.metrics:
        if metric in _LEAD_RATES:
            column, minimum, unit = "leads_closed", MIN_LEADS, "card_explain.leads"
        elif metric in _ORDER_METRICS:
            column, minimum, unit = "orders", MIN_ORDERS, "card_explain.orders"
        else:
            continue
        counts = r.sample[column].reindex(r.payouts["manager"]).fillna(0)
        few = counts[counts < minimum]
        if few.empty:
            continue
        listed = []
        for manager, n in few.items():
            if column == "leads_closed":
                won = r.sample["leads_won"].get(manager, 0)
                detail = _t(
                    tr, "card_explain.won_of", won=tr.count(0 if pd.isna(won) else won), closed=tr.count(n)
                )
            else:
                detail = _t(tr, "card_explain.order_count", count=int(n))
            listed.append(_t(tr, "card_explain.item", name=_name(r, manager), detail=detail))
        items.append(
            _t(
                tr,
                "card_explain.small_sample",
                kpi=kpi_name(tr, metric),
                minimum=_t(tr, unit, count=minimum),
                items=tr.names(listed),
            )
        )
    return items


def _sentence(r: CardReport, row: pd.Series, lines: pd.DataFrame, tr: Translator) -> str:
    name = _name(r, row["manager"])
    if pd.isna(row["bonus"]) or not row["gate_passed"]:
        return _t(tr, "card_explain.no_bonus", name=name, notes=notes_text(tr, str(row["notes"] or "")))
    terms = [
        _t(
            tr,
            "card_explain.term",
            weight=tr.pct(w, digits=0 if round(w * 100, 6).is_integer() else 1),
            factor=tr.number(f, digits=4),
            kpi=kpi_name(tr, m),
        )
        for m, w, f in zip(lines["metric"], lines["weight"], lines["factor"], strict=True)
    ]
    base = tr.money(row["base_bonus"], digits=2)
    return _t(
        tr,
        "card_explain.sentence",
        name=name,
        base=base,
        terms=" + ".join(terms),
        score=tr.number(row["score"], digits=4),
        bonus=tr.money(row["bonus"], digits=2),
    )


def bonus_sentences(r: CardReport, tr: Translator | None = None) -> html.Html:
    """How each manager's bonus was computed, one sentence each, in the order of the payouts table.

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.card_report import card_report
    >>> card = {"name": "A", "period": "quarter", "base_bonus": 1000,
    ...         "kpis": [{"metric": "orders", "weight": 1, "target": 50}]}
    >>> r = card_report(kt.from_frames(**make_demo_data()), period="2026Q3", card=card)
    >>> text = bonus_sentences(r)
    >>> "Clara Jensen: 1,000.00 × (100% × 0.6200 for Orders) = 1,000.00 × 0.6200 = 620.00." in text
    True
    """
    tr = tr or translator("en")
    s = r.scorecard
    items = [_sentence(r, row, s[s["manager"] == row["manager"]], tr) for _, row in r.payouts.iterrows()]
    intro = [_t(tr, "card_explain.intro")]
    return html.section(_t(tr, "card_explain.heading"), intro) + html.bullets(items)
