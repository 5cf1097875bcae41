"""The quarterly report's short "why" section: the team's gap to plan and its drivers, the waterfall, and the
alerts (:func:`why_section`), in the words of the plan-gap report
(:mod:`~kpi_toolkit.report.plan_gap_views`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.periods import Period, parse_span
from kpi_toolkit.plan_gap import alerts, plan_gap
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.plan_gap_alert_views import _alert_items
from kpi_toolkit.report.plan_gap_driver_views import _gap_sentence, _orders_step
from kpi_toolkit.report.plan_gap_figures import waterfall
from kpi_toolkit.report.plan_gap_messages import TOTAL, _signed, _tr

__all__ = ["why_section"]


def why_section(
    data: SalesData,
    *,
    period: str | Period,
    team: str | None = None,
    history: int = 8,
    tr: Translator | None = None,
    with_alerts: bool = True,
) -> html.Html:
    """The quarterly report's short "why" section: the team's gap to plan and its drivers, and the alerts
    (``with_alerts=False`` when the report shows them on its first screen already:
    :func:`kpi_toolkit.report.behind_plan.behind_plan_section`).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> section = why_section(kt.from_frames(**make_demo_data()), period="2026Q3")
    >>> "James Carter" in section and "<img" in section
    True
    """
    tr = _tr(tr)
    team = team or None
    p = parse_span(period, fiscal_year_start=data.fiscal_year_start)  # a range: the gap over the run
    gap = plan_gap(data, period=p, baseline="plan", team=team)
    as_of = min(data.last_date.normalize(), p.end - pd.Timedelta(days=1))
    # alerts judge one period's pacing: none for a range
    found = alerts(data, period=p, history=history, team=team, as_of=as_of) if len(p.periods) == 1 else None
    names = {str(m): str(n) for m, n in data.manager_info["name"].items()}
    rows = gap[(gap["manager"] != TOTAL) & gap["gap"].notna()].sort_values("gap").head(3)
    drivers = [
        tr.t("plan_gap.why.manager", name=names.get(m, m), gap=_signed(tr, g))
        for m, g in zip(rows["manager"], rows["gap"], strict=True)
        if g < 0
    ]
    intro = [_gap_sentence(gap, "plan", tr, team)]
    if data.leads is not None and (orders_step := _orders_step(gap, names, tr, TOTAL)):
        intro.append(orders_step)
    if drivers:
        intro.append(tr.t("plan_gap.why.managers", managers=tr.names(drivers)))
    intro.append(tr.t("plan_gap.why.more"))
    items = _alert_items(found, names, p, tr) if found is not None else []
    alert_html = (
        html.notes(items, title=tr.t("plan_gap.alerts.heading"))
        if items
        else html.paragraphs([tr.t("plan_gap.alerts.none")])
    )
    if not with_alerts or found is None:
        alert_html = html.Html("")
    figure = (
        waterfall(gap, tr, baseline="plan", names=names, team=team)
        if not np.isnan(gap["gap"].iloc[-1])
        else ""
    )
    return html.section(tr.t("plan_gap.why.heading"), intro) + figure + alert_html
