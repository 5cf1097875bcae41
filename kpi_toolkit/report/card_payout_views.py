"""The KPI card report's results: each manager's achievement and factor on each KPI (the scorecard), each
manager's bonus (the payouts), and what the card costs in all (:mod:`kpi_toolkit.report.card_views` has the
rest of the page).
"""

from __future__ import annotations

import math

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.card_formats import _factor, _name, _reason, _share, _tr, _value
from kpi_toolkit.report.card_messages import kpi_name as _kpi
from kpi_toolkit.report.card_messages import message as _t
from kpi_toolkit.report.card_messages import notes_text as _notes
from kpi_toolkit.report.card_messages import reason_text as _why
from kpi_toolkit.report.card_report import CardReport
from kpi_toolkit.report.i18n import Translator

__all__ = ["cost_section", "payouts_section", "payouts_table", "scorecard_section", "scorecard_table"]


def scorecard_table(r: CardReport, tr: Translator | None = None) -> html.Html:
    """Each manager's achievement and factor on each KPI (sortable)."""
    tr = _tr(tr)
    frame = r.scorecard.copy()
    frame["who"] = [_name(r, m) for m in frame["manager"]]
    frame["kpi"] = [_kpi(tr, m) for m in frame["metric"]]
    frame["actual_text"] = [_value(m, v, tr) for m, v in zip(frame["metric"], frame["actual"], strict=True)]
    frame["target_text"] = [_value(m, v, tr) for m, v in zip(frame["metric"], frame["target"], strict=True)]
    frame["note_text"] = [
        _t(tr, "card.scorecard.not_computed", reason=_why(tr, _reason(n))) if n else "" for n in frame["note"]
    ]
    columns = {
        "who": _t(tr, "card.scorecard.manager"),
        "kpi": _t(tr, "card.scorecard.kpi"),
        "actual_text": _t(tr, "card.scorecard.actual"),
        "target_text": _t(tr, "card.scorecard.target"),
        "achievement": _t(tr, "card.scorecard.achievement"),
        "factor": _t(tr, "card.scorecard.factor"),
        "weight": _t(tr, "card.scorecard.weight"),
        "weighted": _t(tr, "card.scorecard.weighted"),
        "note_text": _t(tr, "card.scorecard.note"),
    }
    formats = {
        "achievement": tr.rate,
        "factor": lambda v: _factor(v, tr),
        "weight": lambda v: tr.pct(v, digits=1),
        "weighted": lambda v: _factor(v, tr),
    }
    return html.table(
        frame,
        columns=columns,
        formats=formats,
        caption=_t(tr, "card.scorecard.caption", period=tr.period(r.period)),
        row_class=lambda row: "" if row["achievement"] >= 1 else "miss",
        sortable=True,
        sort_by={"actual_text": "actual", "target_text": "target"},
        classes={"achievement": "attainment", "note_text": "wrap"},
    )


def scorecard_section(r: CardReport, tr: Translator | None = None) -> html.Html:
    """Each manager's achievements and factors, with heading and introduction."""
    tr = _tr(tr)
    return html.section(_t(tr, "card.scorecard.heading"), [_t(tr, "card.scorecard.intro")]) + scorecard_table(
        r, tr
    )


def payouts_table(r: CardReport, tr: Translator | None = None) -> html.Html:
    """Each manager's score, gate, base bonus and bonus (sortable), with the total cost in the foot."""
    tr = _tr(tr)
    frame = r.payroll
    frame["gate_text"] = [
        _t(tr, "card.payouts.passed" if g else "card.payouts.failed") for g in frame["gate_passed"]
    ]
    frame["notes_text"] = [_notes(tr, n) for n in frame["notes"]]
    total = pd.DataFrame(
        [
            {
                "name": _t(tr, "card.payouts.total"),
                "team": "",
                "score": math.nan,
                "gate_text": "",
                "base_bonus": r.cost_at_target,
                "bonus": r.cost,
                "notes_text": "",
            }
        ]
    )
    columns = {
        "name": _t(tr, "card.payouts.manager"),
        "team": _t(tr, "card.payouts.team"),
        "score": _t(tr, "card.payouts.score"),
        "gate_text": _t(tr, "card.payouts.gate"),
        "base_bonus": _t(tr, "card.payouts.base_bonus"),
        "bonus": _t(tr, "card.payouts.bonus"),
        "notes_text": _t(tr, "card.payouts.notes"),
    }
    if r.card.gate is None:
        del columns["gate_text"]
    formats = {
        "score": lambda v: _factor(v, tr),
        "base_bonus": lambda v: tr.money(v, digits=2),
        "bonus": lambda v: tr.money(v, digits=2),
    }
    return html.table(
        frame,
        columns=columns,
        formats=formats,
        caption=_t(tr, "card.payouts.caption", period=tr.period(r.period)),
        sortable=True,
        footer=total,
        classes={"notes_text": "wrap"},
    )


def payouts_section(r: CardReport, tr: Translator | None = None) -> html.Html:
    """The bonuses, with heading and introduction."""
    tr = _tr(tr)
    return html.section(_t(tr, "card.payouts.heading"), [_t(tr, "card.payouts.intro")]) + payouts_table(r, tr)


def cost_section(r: CardReport, tr: Translator | None = None) -> html.Html:
    """What the card costs in all, against its cost at target; who is paid, who is stopped by the gate."""
    tr = _tr(tr)
    p = r.payouts
    sentences = [
        _t(
            tr,
            "card.cost.total",
            managers=_t(tr, "card.managers", count=len(p)),
            cost=tr.money(r.cost, digits=2),
            share=_share(r.cost, r.cost_at_target, tr),
            at_target=tr.money(r.cost_at_target, digits=2),
        )
    ]
    paid = p[p["bonus"] > 0]
    unpaid = p[(p["bonus"] == 0) & p["gate_passed"]]  # those stopped by the gate are named just below
    sentences.append(_t(tr, "card.cost.paid", count=len(paid)))
    if len(unpaid):
        sentences.append(_t(tr, "card.cost.unpaid", names=tr.names(_name(r, m) for m in unpaid["manager"])))
    failed = p[~p["gate_passed"]]
    if len(failed):
        names = tr.names(_name(r, m) for m in failed["manager"])
        sentences.append(_t(tr, "card.cost.gate", count=len(failed), names=names))
    if len(paid):
        best = paid.sort_values(["bonus", "manager"], ascending=[False, True], kind="stable").iloc[0]
        sentences.append(
            _t(
                tr,
                "card.cost.highest",
                name=_name(r, best["manager"]),
                bonus=tr.money(best["bonus"], digits=2),
                score=_factor(best["score"], tr),
            )
        )
    unknown = p[p["bonus"].isna()]
    if len(unknown):
        names = tr.names(_name(r, m) for m in unknown["manager"])
        sentences.append(_t(tr, "card.cost.unknown", count=len(unknown), names=names))
    return html.section(_t(tr, "card.cost.heading")) + html.paragraphs([" ".join(sentences)])
