"""The first screen of the plan-gap, card and showcase reports: their reader's question, plainly answered.

Each report opens, under its key figures, with a short section that answers the question its reader comes
with, before the alerts and long before the tables (issue 20, "a first screen per report kind"):

* plan gap (:func:`plan_gap_answer`): how far from the baseline, and the two drivers that cost the most;
* KPI card (:func:`card_answer`): what the card costs in all, and who is paid what (largest first);
* showcase (:func:`showcase_answer`): what to teach, with the one practice that has the strongest evidence.

Each takes the report's own frames and a translator and returns safe :class:`~kpi_toolkit.report.html.Html`.
"""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.gap import WATERFALL_STEPS
from kpi_toolkit.report import html
from kpi_toolkit.report.card_report import CardReport
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.manager import ManagerReport
from kpi_toolkit.report.plan_gap_margin_views import driver_word, identity_sentences
from kpi_toolkit.report.plan_gap_report import PlanGapReport
from kpi_toolkit.report.showcase import ShowcaseReport

__all__ = ["card_answer", "manager_alerts", "plan_gap_answer", "showcase_answer"]


def _signed(tr: Translator, value: float) -> str:
    return ("+" if value > 0 else "") + tr.money(value)


def _drivers(row: pd.Series, tr: Translator) -> list[tuple[str, float]]:
    """The two effects that cost the most (negative, largest loss first), else the two largest."""
    effects = {c: float(row[c]) for c, _ in WATERFALL_STEPS if c in row and pd.notna(row[c])}
    losses = sorted((c for c in effects if effects[c] < 0), key=lambda c: effects[c])
    chosen = losses[:2] or sorted(effects, key=lambda c: -abs(effects[c]))[:2]
    return [(driver_word(tr, c), effects[c]) for c in chosen]


def plan_gap_answer(r: PlanGapReport, tr: Translator | None = None) -> html.Html:
    """The gap (of the manager the report is about, else of the team) and its two largest drivers.

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.plan_gap_report import plan_gap_report
    >>> r = plan_gap_report(kt.from_frames(**make_demo_data()), period="2026Q3")
    >>> text = plan_gap_answer(r)
    >>> "All teams sold 37,246,157 against a plan of 40,468,000: 3,221,843 short (92.0% of it)." in text
    True
    >>> "The plan is the team targets, 1,927,000 above the sum of the managers" in text
    True
    >>> "The two drivers that cost the most: leads closed (-3,839,823) and orders (-167,539)." in text
    True
    """
    tr = tr or translator("en")
    focus = r.manager or "TOTAL"
    row = r.gap.set_index("manager").loc[focus]
    who = r.name(r.manager) if r.manager else (r.team or tr.t("report_words.first.everyone"))
    heading = tr.t("report_words.first.gap_heading")
    if pd.isna(row["gap"]) or not row["baseline_value"] > 0:
        return html.section(
            heading, [tr.t("plan_gap.gap.none", baseline=tr.t(f"plan_gap.baseline.{r.baseline}"))]
        )
    gap = float(row["gap"])
    values = {
        "who": who,
        "actual": tr.money(row["actual"]),
        "baseline": tr.t(f"report_words.first.baseline.{r.baseline}"),
        "baseline_value": tr.money(row["baseline_value"]),
        "gap": tr.money(abs(gap)),
        "share": tr.rate(row["actual"] / row["baseline_value"], target=1.0),
    }
    sentences = [tr.t("report_words.first.short" if gap < 0 else "report_words.first.ahead", **values)]
    sentences += identity_sentences(r.gap, tr, baseline=r.baseline)[:1]  # on net sales or gross margin
    team_plan = float(row.get("team_plan_effect", 0.0))
    if team_plan and pd.notna(team_plan):  # the teams' own targets, not the managers' sum (issue 15)
        members = float(row["baseline_value"]) + team_plan
        sentences.append(
            tr.t(
                "group_plan_gap.above" if team_plan < 0 else "group_plan_gap.below",
                difference=tr.money(abs(team_plan)),
                members=tr.money(members),
            )
        )
    drivers = _drivers(row, tr)
    if drivers:
        items = [tr.t("report_words.first.driver", driver=d, effect=_signed(tr, e)) for d, e in drivers]
        key = "report_words.first.drivers_lost" if drivers[0][1] < 0 else "report_words.first.drivers"
        sentences.append(tr.t(key, count=len(items), drivers=tr.names(items)))
    return html.section(heading, [" ".join(sentences)])


def card_answer(r: CardReport, tr: Translator | None = None) -> html.Html:
    """What the card costs in all and who is paid what, largest bonus first (names as the report shows them).

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.card_report import card_report
    >>> card = {"name": "A", "period": "quarter", "base_bonus": 1000,
    ...         "kpis": [{"metric": "orders", "weight": 1, "target": 50}]}
    >>> r = card_report(kt.from_frames(**make_demo_data()), period="2026Q3", card=card)
    >>> text = card_answer(r)
    >>> text = text.replace("\\xa0", " ")  # each item is kept on one line
    >>> "To pay: 12,740.00 in all, to 15 of 15 managers" in text, "Clara Jensen 620.00" in text
    (True, True)
    """
    tr = tr or translator("en")
    p = r.payouts.sort_values(
        ["bonus", "manager"], ascending=[False, True], kind="stable", na_position="last"
    )
    paid = p[p["bonus"] > 0]
    lead = tr.t(
        "report_words.first.cost",
        cost=tr.money(r.cost, digits=2),
        paid=tr.count(len(paid)),
        managers=tr.t("card.managers", count=len(p)),
        share=tr.pct(r.cost / r.cost_at_target) if r.cost_at_target > 0 else "–",
    )
    who = [
        tr.t(
            "report_words.first.paid_item" if passed else "report_words.first.paid_item_gate",
            name=r.names.get(str(m), str(m)),
            bonus=tr.money(b, digits=2) if pd.notna(b) else "–",
        ).replace(" ", "\u00a0")  # an item never breaks across lines; the list breaks between items
        for m, b, passed in zip(p["manager"], p["bonus"], p["gate_passed"], strict=True)
    ]
    return html.section(tr.t("report_words.first.card_heading"), [lead, " · ".join(who)])


def showcase_answer(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """What to teach: the practices associated with winning (strongest first), or that none is."""
    from kpi_toolkit.report.showcase_views import measure_label

    tr = tr or translator("en")
    heading = tr.t("report_words.first.teach_heading")
    effects = r.effects
    positive = effects[effects["verdict"] == "positive"] if not effects.empty else effects
    if positive.empty:
        return html.section(heading, [tr.t("showcase.recommend.none")])
    positive = positive.sort_values(["odds_ratio", "practice"], ascending=[False, True], kind="stable")
    items = []
    for _, row in positive.iterrows():
        items.append(
            tr.t(
                "report_words.first.teach",
                practice=measure_label(row["practice"], tr),
                with_rate=tr.rate(row["with_rate"]),
                without_rate=tr.rate(row["without_rate"]),
            )
        )
    return html.section(heading, [*items, tr.t("report_words.first.teach_caveat")])


def manager_alerts(data: SalesData, r: ManagerReport, tr: Translator | None = None) -> html.Html:
    """The per-manager report's alerts: whether the manager missed the plan of the period, and whether they
    miss it systematically (:func:`kpi_toolkit.alerts` over the quarterly report's eight periods); empty when
    neither. Only the manager is named: the colleagues' alerts are not theirs to read.

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.manager import manager_report
    >>> from kpi_toolkit.report.quarterly import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> team = quarterly_report(data, period="2026Q3", team="South")
    >>> notes = manager_alerts(data, manager_report(team, manager="M10"))
    >>> "James Carter: missed the plan" in notes, "misses the plan systematically" in notes
    (True, True)
    >>> manager_alerts(data, manager_report(team, manager="M13"))  # Maria Lopez: 108.8% of plan
    ''
    """
    from kpi_toolkit.plan_gap import alerts
    from kpi_toolkit.report.behind_plan import HISTORY
    from kpi_toolkit.report.plan_gap_alert_views import alert_items

    tr = tr or translator("en")
    p = r.period
    as_of = min(data.last_date.normalize(), p.end - pd.Timedelta(days=1))
    found = alerts(data, period=p, history=HISTORY, team=r.team, as_of=as_of)
    found = found[found["manager"].astype(str) == r.manager]
    notes = alert_items(found, {r.manager: r.name}, p, tr)
    return html.notes(notes, title=tr.t("plan_gap.alerts.heading")) if notes else html.Html("")
