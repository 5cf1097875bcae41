"""What the KPI card report notebook shows, one function per section, each returning safe :class:`Html`.

Every function takes the report's numbers (:class:`~kpi_toolkit.report.card_report.CardReport`) and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``): numbers, money, percentages, dates and
the KPIs' names are formatted and named by the translator for its locale; data (names, teams, the card's
name) is escaped by :mod:`kpi_toolkit.report.html`.

The report's own words, in English and Russian, are the catalogues' ``card:`` sections
(:mod:`kpi_toolkit.report.card_messages` puts the card's notes into them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

import kpi_toolkit
from kpi_toolkit.card.figures import plot_payout_curve
from kpi_toolkit.report import html
from kpi_toolkit.report.card_messages import MESSAGES
from kpi_toolkit.report.card_messages import kpi_name as _kpi
from kpi_toolkit.report.card_messages import message as _t
from kpi_toolkit.report.card_messages import notes_text as _notes
from kpi_toolkit.report.card_messages import reason_text as _why
from kpi_toolkit.report.card_report import LEAD_METRICS, CardReport
from kpi_toolkit.report.formatting import decimals
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.report_words import parameter_rows, table_name
from kpi_toolkit.report.site import KeyFigure

__all__ = [
    "MESSAGES",
    "card_section",
    "card_table",
    "caveats",
    "cost_section",
    "curve_figure",
    "curve_section",
    "headline",
    "introduction",
    "key_figures",
    "page_title",
    "payouts_section",
    "payouts_table",
    "provenance",
    "scorecard_section",
    "scorecard_table",
    "title",
]


_MONEY = ("sales_volume", "average_check", "returns", "net_sales", "gross_margin")
_RATES = ("conversion", "plan_attainment", "margin_rate")
_NOT_COMPUTED = re.compile(r"^cannot be computed \((?P<reason>.*)\): factor 0$")


def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def _value(metric: str, value: float, tr: Translator) -> str:
    """A KPI's actual or target as the KPI is shown: money, a percentage, or a count."""
    if metric in _MONEY:
        return tr.money(value)
    if metric in _RATES:
        return tr.rate(value)
    whole = isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer()
    return tr.number(value, digits=0 if whole else 2)


def _factor(value: float, tr: Translator) -> str:
    return tr.number(value, digits=4)


def _kind(tr: Translator, kind: str) -> str:
    return _t(tr, f"card.kind.{kind}")


def _name(r: CardReport, manager: str) -> str:
    return r.names.get(manager, manager)


def page_title(r: CardReport, tr: Translator | None = None) -> str:
    """The report's title as plain text (the page's ``<title>``, the site's index)."""
    tr = _tr(tr)
    period = tr.period(r.period)
    if r.team:
        return _t(tr, "card.title_team", period=period, team=r.team)
    return _t(tr, "card.title", period=period)


def title(r: CardReport, tr: Translator | None = None) -> html.Html:
    """The report's title and subtitle (the card, the team, how many managers, data as of)."""
    tr = _tr(tr)
    scope = _t(tr, "card.scope_team", team=r.team) if r.team else _t(tr, "card.scope_all")
    subtitle = _t(
        tr,
        "card.subtitle",
        card=r.card.name,
        scope=scope,
        managers=_t(tr, "card.managers", count=len(r.payouts)),
        date=tr.date(r.data_as_of),
    )
    return html.heading(page_title(r, tr), level=1) + html.paragraphs([subtitle])


def _share(part: float, whole: float, tr: Translator) -> str:
    return tr.pct(part / whole if whole else math.nan)


def key_figures(r: CardReport, tr: Translator | None = None) -> list[KeyFigure]:
    """The report's key figures (its head, and the site's index): total cost, managers paid, managers
    stopped by the gate, cost at target."""
    tr = _tr(tr)
    p = r.payouts
    paid = int((p["bonus"] > 0).sum())
    failed = int((~p["gate_passed"]).sum())
    return [
        KeyFigure(
            key="cost",
            label=_t(tr, "card.figure.cost"),
            value=r.cost,
            text=tr.money(r.cost, digits=2),
            note=_t(tr, "card.figure.cost_note", share=_share(r.cost, r.cost_at_target, tr)),
        ),
        KeyFigure(
            key="paid",
            label=_t(tr, "card.figure.paid"),
            value=float(paid),
            text=_t(tr, "card.figure.paid_text", paid=tr.count(paid), managers=tr.count(len(p))),
        ),
        KeyFigure(
            key="gate_failed",
            label=_t(tr, "card.figure.gate_failed"),
            value=float(failed),
            text=tr.count(failed),
        ),
        KeyFigure(
            key="cost_at_target",
            label=_t(tr, "card.figure.cost_at_target"),
            value=r.cost_at_target,
            text=tr.money(r.cost_at_target, digits=2),
            note=_t(tr, "card.figure.cost_at_target_note"),
        ),
    ]


def headline(r: CardReport, tr: Translator | None = None) -> html.Html:
    """The key figures as a row of labelled numbers."""
    tr = _tr(tr)
    return html.figures_list(key_figures(r, tr), label=_t(tr, "card.key_figures"))


def introduction(r: CardReport, tr: Translator | None = None) -> html.Html:
    """What a KPI card is and what the report shows, in a few sentences."""
    tr = _tr(tr)
    return html.paragraphs([_t(tr, "card.intro")])


def _reason(note: str) -> str:
    match = _NOT_COMPUTED.match(note)
    return match.group("reason") if match else note


def caveats(r: CardReport, tr: Translator | None = None) -> html.Html:
    """What a reader must know before trusting the bonuses (empty when nothing)."""
    tr = _tr(tr)
    items = []
    card = r.card
    if r.period.end - pd.Timedelta(days=1) > pd.Timestamp(r.data_as_of).normalize():
        items.append(_t(tr, "card.caveat.incomplete", date=tr.date(r.data_as_of), period=tr.period(r.period)))
    lead_kpis = [m for m in card.required_metrics if m in LEAD_METRICS]
    if not r.has_leads and lead_kpis:
        items.append(_t(tr, "card.caveat.no_leads", kpis=tr.names(_kpi(tr, m) for m in lead_kpis)))
    if "new_customers" in card.required_metrics and r.period.start < r.first_date + pd.DateOffset(years=1):
        items.append(_t(tr, "card.caveat.first_year", period=tr.period(r.period), date=tr.date(r.first_date)))
    s = r.scorecard
    for metric in card.metrics:
        if metric in lead_kpis and not r.has_leads:
            continue
        rows = s[(s["metric"] == metric) & (s["note"] != "")]
        if len(rows):
            listed = [
                _t(tr, "card.caveat.not_computed_item", name=_name(r, m), reason=_why(tr, _reason(n)))
                for m, n in zip(rows["manager"], rows["note"], strict=True)
            ]
            items.append(
                _t(
                    tr,
                    "card.caveat.not_computed",
                    count=len(rows),
                    kpi=_kpi(tr, metric),
                    items="; ".join(listed),
                )
            )
    if card.base_bonus_column is not None:
        missing = r.payouts[r.payouts["base_bonus"].isna()]
        if len(missing):
            items.append(
                _t(
                    tr,
                    "card.caveat.no_base",
                    count=len(missing),
                    column=card.base_bonus_column,
                    names=tr.names(_name(r, m) for m in missing["manager"]),
                )
            )
    from kpi_toolkit.report.card_explain import small_samples

    items += small_samples(r, tr)
    return html.notes(items, title=_t(tr, "card.caveat.title"))


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


def provenance(r: CardReport, tr: Translator | None = None, *, parameters: Mapping[str, Any]) -> html.Html:
    """How the report was made: parameters, the card and its fingerprint, the data and its fingerprint.

    The time of rendering is in the page's footer, so that this table is the same whenever the same card is
    applied to the same data again.
    """
    tr = _tr(tr)
    empty = _t(tr, "card.provenance.empty")
    rows = [{"what": what, "value": value} for what, value in parameter_rows(parameters, tr, empty=empty)]
    rows += [
        {"what": _t(tr, "card.provenance.card"), "value": r.card.name},
        {"what": _t(tr, "card.provenance.card_source"), "value": r.card.source},
        {"what": _t(tr, "card.provenance.card_fingerprint"), "value": r.card_fingerprint},
        {"what": _t(tr, "card.provenance.source"), "value": r.source},
        {"what": _t(tr, "card.provenance.fingerprint"), "value": r.data_fingerprint},
        {"what": _t(tr, "card.provenance.data_as_of"), "value": tr.date(r.data_as_of)},
        {"what": _t(tr, "card.provenance.version"), "value": kpi_toolkit.__version__},
    ]
    rows += [
        {
            "what": _t(tr, "card.provenance.rows", table=table_name(str(row["table"]), tr)),
            "value": _t(
                tr,
                "card.provenance.rows_value",
                read=tr.count(row["rows_read"]),
                used=tr.count(row["rows_used"]),
                excluded=tr.count(row["rows_excluded"]),
            ),
        }
        for _, row in r.row_counts.iterrows()
    ]
    heading = html.section(_t(tr, "card.provenance.heading"), [_t(tr, "card.provenance.intro")])
    return heading + html.table(
        pd.DataFrame(rows),
        columns={"what": _t(tr, "card.provenance.what"), "value": _t(tr, "card.provenance.value")},
        caption=_t(tr, "card.provenance.caption"),
        classes={"value": "wrap"},
    )
