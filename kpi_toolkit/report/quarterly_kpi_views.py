"""The quarterly report's tables of KPIs: every manager's KPIs against plan, and the group's KPIs against
earlier periods (:mod:`kpi_toolkit.report.views` has the rest of the page).

Each section comes twice: from the report object (``kpi_section(q, tr)``) and from the frames the notebook's
analysis cells show (``kpis_section(kpis, totals, ...)``), which an analyst may filter before rerunning it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from kpi_toolkit.periods import Period
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.quarterly import COMPARED, QuarterlyReport
from kpi_toolkit.report.views import _tr

__all__ = [
    "comparison_section",
    "kpi_section",
    "kpi_table",
    "kpis_section",
    "kpis_table",
    "totals_section",
    "totals_table",
]


def _conversion(won: float, closed: float, rate: float, tr: Translator) -> str:
    if math.isnan(closed):
        return tr.pct(math.nan)
    if closed == 0:
        return tr.t("common.no_leads_closed")
    return tr.t(
        "common.conversion_cell", conversion=tr.rate(rate), won=tr.count(won), closed=tr.count(closed)
    )


def kpi_table(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """Every manager's KPIs against plan (sortable), with the group's total in the table's foot."""
    return kpis_table(q.kpis, q.totals, period=q.period, names=q.names, teams=q.teams, tr=tr)


def kpis_table(
    kpis: pd.DataFrame,
    totals: pd.DataFrame,
    *,
    period: Period,
    names: Mapping[str, str],
    teams: Mapping[str, str],
    tr: Translator | None = None,
) -> html.Html:
    """:func:`kpi_table` from the frames: ``kpis`` (:func:`kpi_toolkit.manager_kpis`), ``totals`` (the
    group's totals, a row per column of the comparison, ``str(period)`` the foot's), names and teams by id."""
    tr = _tr(tr)
    frame = kpis.reset_index()
    frame["who"] = [names.get(m, m) for m in frame["manager"]]
    frame["team"] = [teams.get(m, "") for m in frame["manager"]]
    foot = {"manager": "", "who": tr.t("common.total"), "team": "", **totals.loc[str(period)]}
    total = pd.DataFrame([foot])
    for part in (frame, total):
        part["conversion_text"] = [
            _conversion(w, c, r, tr)
            for w, c, r in zip(part["leads_won"], part["leads_closed"], part["conversion"], strict=True)
        ]
    columns = {
        "who": tr.t("quarterly.kpis.manager"),
        "team": tr.t("quarterly.kpis.team"),
        "sales_volume": tr.t("kpi.sales_volume"),
        "sales_plan": tr.t("kpi.sales_plan"),
        "plan_attainment": tr.t("kpi.plan_attainment"),
        "orders": tr.t("kpi.orders"),
        "average_check": tr.t("kpi.average_check"),
        "conversion_text": tr.t("quarterly.kpis.conversion"),
        "new_customers": tr.t("kpi.new_customers"),
    }
    formats = {c: (lambda v, c=c: tr.kpi_value(c, v)) for c in columns if c in COMPARED}
    return html.table(
        frame,
        columns=columns,
        formats=formats,
        caption=tr.t("quarterly.kpis.caption", period=tr.period(period)),
        row_class=lambda r: "miss" if r["plan_attainment"] < 1 else "",
        sortable=True,
        sort_by={"conversion_text": "conversion"},
        footer=total,
        classes={"plan_attainment": "attainment"},
    )


def kpi_section(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The KPI table with its heading and introduction."""
    return kpis_section(q.kpis, q.totals, period=q.period, names=q.names, teams=q.teams, tr=tr)


def kpis_section(
    kpis: pd.DataFrame,
    totals: pd.DataFrame,
    *,
    period: Period,
    names: Mapping[str, str],
    teams: Mapping[str, str],
    tr: Translator | None = None,
) -> html.Html:
    """:func:`kpi_section` from the frames (see :func:`kpis_table`)."""
    tr = _tr(tr)
    intro = [tr.t("quarterly.kpis.intro")]
    table = kpis_table(kpis, totals, period=period, names=names, teams=teams, tr=tr)
    return html.section(tr.t("quarterly.kpis.heading"), intro) + table


def totals_table(totals: pd.DataFrame, *, period: Period, tr: Translator | None = None) -> html.Html:
    """The group's KPIs this period against the previous period, a year before, and year to date, from
    ``totals``: rows ``str(period)``, the previous period, the same period a year before, ``YTD <period>`` and
    ``YTD <period a year before>``."""
    tr = _tr(tr)
    t = totals
    p, prev, last = str(period), str(period.previous()), str(period.last_year())
    ytd, ytd_last = f"YTD {period.last}", f"YTD {period.last_year().last}"

    rows = [
        {
            "kpi": tr.t(f"kpi.{metric}"),
            "now": tr.kpi_value(metric, t.loc[p, metric]),
            "prev": tr.kpi_value(metric, t.loc[prev, metric]),
            "d_prev": tr.kpi_change(metric, t.loc[p, metric], t.loc[prev, metric]),
            "last": tr.kpi_value(metric, t.loc[last, metric]),
            "d_last": tr.kpi_change(metric, t.loc[p, metric], t.loc[last, metric]),
            "ytd": tr.kpi_value(metric, t.loc[ytd, metric]),
            "ytd_last": tr.kpi_value(metric, t.loc[ytd_last, metric]),
            "d_ytd": tr.kpi_change(metric, t.loc[ytd, metric], t.loc[ytd_last, metric]),
        }
        for metric in COMPARED
    ]
    change = tr.t("common.change")
    columns = {
        "kpi": tr.t("quarterly.comparison.kpi"),
        "now": tr.period(p),
        "prev": tr.period(prev),
        "d_prev": change,
        "last": tr.period(last),
        "d_last": change,
        "ytd": tr.t("period.ytd", period=tr.period(period.last)),
        "ytd_last": tr.t("period.ytd", period=tr.period(period.last_year().last)),
        "d_ytd": change,
    }
    return html.table(
        pd.DataFrame(rows),
        columns=columns,
        caption=tr.t("quarterly.comparison.caption"),
        classes={c: "num" for c in columns if c != "kpi"},
    )


def comparison_section(q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """The comparison with earlier periods, with its heading and introduction."""
    return totals_section(q.totals, period=q.period, tr=tr)


def totals_section(totals: pd.DataFrame, *, period: Period, tr: Translator | None = None) -> html.Html:
    """:func:`comparison_section` from ``totals`` (see :func:`totals_table`)."""
    tr = _tr(tr)
    span = len(period.periods) > 1  # a range: the run against runs of the same length
    intro = [tr.t("period_range.comparison_intro" if span else "quarterly.comparison.intro")]
    table = totals_table(totals, period=period, tr=tr)
    return html.section(tr.t("quarterly.comparison.heading"), intro) + table
