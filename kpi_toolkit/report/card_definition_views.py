"""The KPI card report's account of the card itself: its KPIs, weights, targets, thresholds, caps, gate and
rule, and its payout curve (:mod:`kpi_toolkit.report.card_views` has the rest of the page).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kpi_toolkit.card.figures import plot_payout_curve
from kpi_toolkit.report import html
from kpi_toolkit.report.card_formats import _factor, _tr, _value
from kpi_toolkit.report.card_messages import kpi_name as _kpi
from kpi_toolkit.report.card_messages import message as _t
from kpi_toolkit.report.card_report import CardReport
from kpi_toolkit.report.formatting import decimals
from kpi_toolkit.report.i18n import Translator

__all__ = ["card_section", "card_table", "curve_figure", "curve_section"]


def _kind(tr: Translator, kind: str) -> str:
    return _t(tr, f"card.kind.{kind}")


def card_table(r: CardReport, tr: Translator | None = None) -> html.Html:
    """The card's KPIs: weight, target, direction and payout curve of each."""
    tr = _tr(tr)
    rows = [
        {
            "kpi": _kpi(tr, k.metric),
            "weight": tr.pct(k.weight, digits=1),
            "target": _t(tr, "card.card.plan")
            if k.target == "plan"
            else _value(k.metric, float(k.target), tr),
            "direction": _t(tr, "card.card.lower" if k.lower_is_better else "card.card.higher"),
            "threshold": tr.pct(k.curve.threshold, digits=1),
            "threshold_factor": _factor(k.curve.threshold_factor, tr),
            "cap": tr.pct(k.curve.cap, digits=1),
            "cap_factor": _factor(k.curve.cap_factor, tr),
        }
        for k in r.card.kpis
    ]
    columns = {
        name: _t(tr, f"card.card.{name}")
        for name in (
            "kpi",
            "weight",
            "target",
            "direction",
            "threshold",
            "threshold_factor",
            "cap",
            "cap_factor",
        )
    }
    numeric = ("weight", "target", "threshold", "threshold_factor", "cap", "cap_factor")
    return html.table(
        pd.DataFrame(rows, columns=list(columns)),
        columns=columns,
        caption=_t(tr, "card.card.caption", name=r.card.name),
        classes={c: "num" for c in numeric},
    )


def card_section(r: CardReport, tr: Translator | None = None) -> html.Html:
    """The card itself: its name and description, base bonus, KPIs, weights, thresholds, caps, gate, rule."""
    tr = _tr(tr)
    card = r.card
    kind = _kind(tr, card.period)
    intro = [_t(tr, "card.card.name", name=card.name)] + ([card.description] if card.description else [])
    if card.base_bonus is not None:
        intro.append(_t(tr, "card.card.base", kind=kind, amount=tr.money(card.base_bonus, digits=2)))
    else:
        intro.append(_t(tr, "card.card.base_column", kind=kind, column=str(card.base_bonus_column)))
    gate = card.gate
    if gate is None:
        gate_text = _t(tr, "card.card.no_gate")
    elif gate.target is None:
        gate_text = _t(tr, "card.card.gate", kpi=_kpi(tr, gate.metric), minimum=tr.pct(gate.min_achievement))
    else:
        target = (
            _t(tr, "card.card.plan") if gate.target == "plan" else _value(gate.metric, float(gate.target), tr)
        )
        gate_text = _t(
            tr,
            "card.card.gate_own",
            kpi=_kpi(tr, gate.metric),
            minimum=tr.pct(gate.min_achievement),
            target=target,
        )
    return (
        html.section(_t(tr, "card.card.heading"), intro)
        + card_table(r, tr)
        + html.paragraphs([gate_text, _t(tr, "card.card.rule")])
    )


def _curve_alt(r: CardReport, tr: Translator) -> str:
    groups: dict[Any, list[str]] = {}
    for kpi in r.card.kpis:
        groups.setdefault(kpi.curve, []).append(kpi.metric)
    items = []
    for curve, metrics in groups.items():
        knots = r.curve[(r.curve["metric"] == metrics[0]) & (r.curve["segment"] == "paid")]
        points = []
        if curve.threshold > 0:
            points.append(_t(tr, "card.curve.alt_below", threshold=tr.pct(curve.threshold)))
        points += [
            _t(tr, "card.curve.alt_point", factor=tr.number(f, digits=2), achievement=tr.pct(a))
            for a, f in zip(knots["achievement"], knots["factor"], strict=True)
        ]
        items.append(
            _t(
                tr,
                "card.curve.alt_item",
                kpis=tr.names(_kpi(tr, m) for m in metrics),
                points=", ".join(points),
            )
        )
    return _t(tr, "card.curve.alt", items="; ".join(items))


def _literal(text: str) -> str:
    """Text as matplotlib must receive it to draw it as is (``$`` escaped: no math mode)."""
    return text.replace("$", r"\$")


def curve_figure(r: CardReport, tr: Translator | None = None) -> html.Html:
    """The payout-curve figure (:func:`~kpi_toolkit.card.plot_payout_curve`) with its alternative text."""
    tr = _tr(tr)
    ax = plot_payout_curve(r.card, labels={m: _literal(_kpi(tr, m)) for m in r.card.metrics})
    ax.set_title(_literal(_t(tr, "card.curve.title", name=r.card.name)))
    ax.set_xlabel(_literal(_t(tr, "card.curve.xlabel")))
    ax.set_ylabel(_literal(_t(tr, "card.curve.ylabel")))
    ax.get_legend().set_title(_literal(_t(tr, "card.curve.legend")))
    ax.xaxis.set_major_formatter(lambda x, _: tr.pct(x))
    ax.yaxis.set_major_formatter(lambda y, _: tr.number(y, digits=max(1, decimals(y, 2))))
    return html.figure(
        ax.figure, alt=_curve_alt(r, tr), caption=_t(tr, "card.curve.caption", name=r.card.name)
    )


def curve_section(r: CardReport, tr: Translator | None = None) -> html.Html:
    """The payout curve with its heading and how to read it."""
    tr = _tr(tr)
    return html.section(_t(tr, "card.curve.heading"), [_t(tr, "card.curve.intro")]) + curve_figure(r, tr)
