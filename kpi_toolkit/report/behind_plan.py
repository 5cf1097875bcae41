"""The quarterly report's first screen: who is behind plan, by how much, the main reason, and the alerts.

A sales director opening the report asks one question first; :func:`behind_plan_section` answers it in plain
words right under the key figures: how many managers missed their plan and by how much in all, then one line
per manager (furthest behind first) with their % of plan, the amount short and the driver that lost the most
(the largest negative effect of :func:`kpi_toolkit.plan_gap` against the plan), then the alert list of
:func:`kpi_toolkit.alerts` that adds to it (who misses systematically, who is off track in a period still
under way; a miss of the closed period is in the list already). The "why" section further down
explains the drivers and draws the waterfall.
"""

from __future__ import annotations

import math

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.gap import WATERFALL_STEPS
from kpi_toolkit.plan_gap import alerts, miss_causes, plan_gap
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.plan_gap_alert_views import alert_items
from kpi_toolkit.report.plan_gap_margin_views import driver_word
from kpi_toolkit.report.plan_gap_messages import TOTAL, signed
from kpi_toolkit.report.plan_gap_report import history_window
from kpi_toolkit.report.plan_verdict_views import plan_lead
from kpi_toolkit.report.quarterly import QuarterlyReport

__all__ = ["behind_plan", "behind_plan_section"]

#: The alerts judge systematic misses over this many periods (as the quarterly report's "why" section).
HISTORY = 8


def behind_plan(q: QuarterlyReport, gap: pd.DataFrame) -> pd.DataFrame:
    """The managers below plan in ``q``'s period, furthest behind first, with their main reason.

    Columns: ``manager``, ``plan_attainment``, ``short`` (plan minus the KPI the plan is on, > 0: sales
    volume, or net sales or margin when ``kt.load(plan_metric=...)`` says so), ``driver`` (the effect
    column of :data:`kpi_toolkit.gap.WATERFALL_STEPS` that lost the most; empty when none lost or the gap
    could not be split) and ``effect`` (its amount, < 0; NaN without a driver).

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.quarterly import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> q = quarterly_report(data, period="2026Q3")
    >>> rows = behind_plan(q, kt.plan_gap(data, period="2026Q3"))
    >>> rows.iloc[0][["manager", "driver"]].tolist(), len(rows)
    (['M07', 'average_check_effect'], 5)
    """
    k = q.kpis
    metric = str(k.attrs.get("plan_metric", "sales_volume"))
    below = k[k["plan_attainment"].notna() & (k["plan_attainment"] < 1)]
    effects = gap[gap["manager"] != TOTAL].set_index("manager")
    rows = []
    for manager, row in below.iterrows():
        driver, effect = "", math.nan
        if manager in effects.index:
            found = {c: effects.at[manager, c] for c, _ in WATERFALL_STEPS}
            found = {c: float(v) for c, v in found.items() if pd.notna(v) and v < 0}
            if found:
                driver = min(found, key=lambda c: found[c])
                effect = found[driver]
        rows.append(
            {
                "manager": str(manager),
                "plan_attainment": float(row["plan_attainment"]),
                "short": float(row["sales_plan"] - row[metric]),
                "driver": driver,
                "effect": effect,
            }
        )
    frame = pd.DataFrame(rows, columns=["manager", "plan_attainment", "short", "driver", "effect"])
    return frame.sort_values(["short", "manager"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def _item(row: pd.Series, name: str, tr: Translator) -> str:
    values = {"name": name, "attainment": tr.rate(row["plan_attainment"]), "short": tr.money(row["short"])}
    if not row["driver"]:
        return tr.t("behind_plan.item", **values)
    driver = driver_word(tr, row["driver"])
    return tr.t("behind_plan.item_reason", driver=driver, effect=signed(tr, row["effect"]), **values)


def behind_plan_section(data: SalesData, q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The first screen's answer: who is behind plan, by how much, the main reason; then the alerts.

    When most of a team misses a plan that was out of reach (:func:`kpi_toolkit.miss_causes` over the
    alerts' history), the section says so first, before any name.

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.quarterly import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> section = behind_plan_section(data, quarterly_report(data, period="2026Q3"))
    >>> "Behind plan in 2026Q3: 5 of 15 managers" in section, "misses the plan systematically" in section
    (True, True)
    """
    tr = tr or translator("en")
    p = q.period
    gap = plan_gap(data, period=p, baseline="plan", team=q.team)
    rows = behind_plan(q, gap)
    with_plan = int(q.kpis["plan_attainment"].notna().sum())
    if rows.empty:
        intro = (
            [tr.t("behind_plan.none", period=tr.period(p))] if with_plan else [tr.t("behind_plan.no_plans")]
        )
    else:
        intro = [
            tr.t(
                "behind_plan.lead",
                count=with_plan,
                behind=tr.count(len(rows)),
                period=tr.period(p),
                short=tr.money(rows["short"].sum()),
            )
        ]
    items = [_item(r, q.names.get(r["manager"], r["manager"]), tr) for _, r in rows.iterrows()]
    if len(p.periods) > 1:  # a range: its gap, but no alerts (they judge one period's pacing and history)
        section = html.section(tr.t("behind_plan.heading"), intro)
        return section + html.bullets(items) if items else section
    as_of = min(data.last_date.normalize(), p.end - pd.Timedelta(days=1))
    window = history_window(p, as_of, HISTORY)
    lead = (
        plan_lead(miss_causes(data, periods=window, team=q.team), tr, name_teams=not q.team)
        if with_plan
        else []
    )
    section = html.section(tr.t("behind_plan.heading"), [*lead, *intro])
    if items:
        section += html.bullets(items)
        if (rows["driver"] != "").any():
            section += html.paragraphs([tr.t("behind_plan.reason_note")])
    found = alerts(data, period=p, history=HISTORY, team=q.team, as_of=as_of)
    # a miss of a closed period is in the list above already: the alerts add who misses systematically and
    # who is off track in a period still under way
    under_way = ~found["pacing_status"].isin(["met", "missed"])  # a finished period is met or missed
    found = found[found["systematic"] | found["behind_colleagues"] | (found["off_track"] & under_way)]
    names = {str(m): str(n) for m, n in data.manager_info["name"].items()}
    notes = alert_items(found, names, p, tr)
    if notes:
        return section + html.notes(notes, title=tr.t("plan_gap.alerts.heading"))
    return section + html.paragraphs([tr.t("plan_gap.alerts.none")])
