"""What the KPI card report notebook shows, one function per section, each returning safe :class:`Html`.

Every function takes the report's numbers (:class:`~kpi_toolkit.report.card_report.CardReport`) and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``): numbers, money, percentages, dates and
the KPIs' names are formatted and named by the translator for its locale; data (names, teams, the card's
name) is escaped by :mod:`kpi_toolkit.report.html`.

This module holds the page's head and tail: title, key figures (what the report's record and the site's index
read), caveats, introduction and provenance. The card itself and its payout curve are in
:mod:`kpi_toolkit.report.card_definition_views`, the scorecard, the bonuses and their cost in
:mod:`kpi_toolkit.report.card_payout_views`; how values are written is in
:mod:`kpi_toolkit.report.card_formats`.

The report's own words, in English and Russian, are the catalogues' ``card:`` sections
(:mod:`kpi_toolkit.report.card_messages` puts the card's notes into them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

import kpi_toolkit
from kpi_toolkit.report import html
from kpi_toolkit.report.card_formats import _name, _reason, _share, _tr
from kpi_toolkit.report.card_messages import kpi_name as _kpi
from kpi_toolkit.report.card_messages import message as _t
from kpi_toolkit.report.card_messages import reason_text as _why
from kpi_toolkit.report.card_report import LEAD_METRICS, CardReport
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.report_words import parameter_rows, table_name
from kpi_toolkit.report.site import KeyFigure

__all__ = [
    "caveats",
    "headline",
    "introduction",
    "key_figures",
    "page_title",
    "provenance",
    "title",
]


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
