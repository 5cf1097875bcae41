"""The quarterly report's numbers, computed once: :func:`quarterly_report` returns them as one object that the
notebook's cells show piece by piece (:mod:`kpi_toolkit.report.views`)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.group_plans import group_plan
from kpi_toolkit.kpis import KPI_COLUMNS, kpi_history, manager_kpis, total_kpis, year_to_date_kpis
from kpi_toolkit.periods import Period, latest_complete_quarter, parse_span
from kpi_toolkit.quarantine import quarantine_summary
from kpi_toolkit.ranking import attainment_ranking
from kpi_toolkit.report.i18n import Message
from kpi_toolkit.report.pseudonyms import report_letters

__all__ = ["COMPARED", "QuarterlyReport", "default_period", "quarterly_report"]

#: The KPIs the reports compare, in order: the group's totals against earlier periods (the quarterly report's
#: comparison table) and a manager's KPIs against the team's (the per-manager report's ``versus`` rows).
COMPARED = (
    "sales_volume",
    "sales_plan",
    "plan_attainment",
    "orders",
    "average_check",
    "conversion",
    "leads_closed",
    "new_customers",
)


@dataclass(frozen=True)
class QuarterlyReport:
    """Everything the quarterly report shows, for one period or span of periods (``2025Q4:2026Q3``) and
    team (``None``: all teams)."""

    period: Period
    team: str | None
    names: dict[str, str]
    teams: dict[str, str]
    kpis: pd.DataFrame
    ranking: pd.DataFrame
    history: pd.DataFrame
    #: Group totals, one row per column of the comparison: this period, the previous one, a year before,
    #: year to date, year to date a year before; plus one row per period of ``history``.
    totals: pd.DataFrame
    history_totals: pd.DataFrame
    data_as_of: pd.Timestamp
    first_date: pd.Timestamp
    source: str
    row_counts: pd.DataFrame
    #: sha256 of the validated tables (see :func:`kpi_toolkit.fingerprint.data_fingerprint`).
    data_fingerprint: str = ""
    #: What a reader must know before trusting the numbers, as messages translated when shown.
    caveats: list[Message] = field(default_factory=list)
    #: Manager id -> pseudonym letter of every manager of the data set
    #: (:func:`kpi_toolkit.report.pseudonyms.report_letters`), for reports that hide names.
    letters: dict[str, str] = field(default_factory=dict)


def default_period(data: SalesData) -> Period:
    """The latest quarter that ends on or before the last date in the data."""
    return latest_complete_quarter(data.last_date, fiscal_year_start=data.fiscal_year_start)


def _caveats(data: SalesData, period: Period, kpis: pd.DataFrame) -> list[Message]:
    caveats = []
    if period.start < data.first_date + pd.DateOffset(years=1):
        caveats.append(Message("caveat.first_year", period=period, date=data.first_date))
    if data.leads is None:
        caveats.append(Message("caveat.no_leads"))
    if period.end - pd.Timedelta(days=1) > data.last_date.normalize():
        caveats.append(Message("caveat.incomplete", period=period, date=data.last_date))
    for s in quarantine_summary(data.quarantine, data.row_counts):  # set aside by on_invalid="quarantine"
        where = {"table": s.table, "source": s.source, "reasons": list(s.reasons)}
        if s.rows_read is None:
            caveats.append(Message("caveat.quarantine_file", count=s.rows, **where))
        else:
            caveats.append(Message("caveat.quarantine", count=s.rows, read=str(s.rows_read), **where))
    no_plan = list(kpis.index[kpis["sales_plan"].isna()])
    if no_plan:
        names = data.manager_info["name"]
        caveats.append(
            Message(
                "caveat.no_plan", count=len(no_plan), period=period, names=[str(names[m]) for m in no_plan]
            )
        )
    return caveats


def _total(data: SalesData, kpis: pd.DataFrame, parts: list[Period], team: str | None) -> pd.Series:
    """The group's KPIs over ``parts``: with team targets in the plan, the group's plan is the teams'
    (:func:`kpi_toolkit.group_plans.group_plan`); else the members' (:func:`kpi_toolkit.kpis.total_kpis`)."""
    if data.team_plan_book.empty:
        return total_kpis(kpis)
    plans = [group_plan(data, period=part, team=team) for part in parts]
    return total_kpis(kpis, plan=math.nan if any(math.isnan(x) for x in plans) else sum(plans))


def quarterly_report(
    data: SalesData,
    *,
    period: str | Period | None = None,
    team: str | None = None,
    history: int = 8,
) -> QuarterlyReport:
    """Compute the quarterly report of ``period`` (default: the latest complete quarter) for ``team``.

    Parameters
    ----------
    data
        A validated data set.
    period
        The quarter (any period label works), or a range of periods of one kind such as ``2025Q4:2026Q3``
        (a :class:`~kpi_toolkit.periods.Span`: KPIs over the whole run, compared with the run of the same
        length before it and a year before; year to date is that of its last period); ``None`` or empty
        for the latest complete quarter.
    team
        One team, or ``None``/empty for all.
    history
        How many periods the trend shows, ending with ``period`` (with its last period for a range).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> q = quarterly_report(kt.from_frames(**make_demo_data()), team="North")
    >>> str(q.period), len(q.kpis), list(q.totals.index[:3])
    ('2026Q3', 8, ['2026Q3', '2026Q2', '2025Q3'])
    >>> s = quarterly_report(kt.from_frames(**make_demo_data()), period="2026Q1:2026Q3")
    >>> list(s.totals.index), str(s.history.index[-1][1])
    (['2026Q1:2026Q3', '2025Q2:2025Q4', '2025Q1:2025Q3', 'YTD 2026Q3', 'YTD 2025Q3'], '2026Q2')
    """
    p = parse_span(period, fiscal_year_start=data.fiscal_year_start) if period else default_period(data)
    team = team or None
    kpis = manager_kpis(data, period=p, team=team)
    window = [p.last.shift(-i) for i in range(history - 1, -1, -1)]
    hist = kpi_history(data, periods=window, team=team)
    periods = hist.index.get_level_values("period")
    history_totals = pd.DataFrame(
        {str(w): _total(data, hist[periods == str(w)].droplevel("period"), [w], team) for w in window}
    ).T.rename_axis("period")
    before = p.last_year()
    ytd_now = _total(data, year_to_date_kpis(data, period=p.last, team=team), p.last.year_to_date(), team)
    ytd_before = _total(
        data, year_to_date_kpis(data, period=before.last, team=team), before.last.year_to_date(), team
    )
    totals = pd.DataFrame(
        {
            str(p): _total(data, kpis, [p], team),
            str(p.previous()): _total(
                data, manager_kpis(data, period=p.previous(), team=team), [p.previous()], team
            ),
            str(before): _total(data, manager_kpis(data, period=before, team=team), [before], team),
            f"YTD {p.last}": ytd_now,
            f"YTD {before.last}": ytd_before,
        }
    ).T.loc[:, list(KPI_COLUMNS)]
    info = data.manager_info
    fingerprint = data_fingerprint(data)
    return QuarterlyReport(
        period=p,
        team=team,
        names={str(m): str(n) for m, n in info["name"].items()},
        teams={str(m): ("" if pd.isna(t) else str(t)) for m, t in info["team"].items()},
        kpis=kpis,
        ranking=attainment_ranking(data, period=p, team=team),
        history=hist,
        totals=totals,
        history_totals=history_totals,
        data_as_of=data.last_date,
        first_date=data.first_date,
        source=data.source,
        row_counts=data.row_counts,
        data_fingerprint=fingerprint,
        caveats=_caveats(data, p, kpis),
        letters=report_letters(data, fingerprint=fingerprint),
    )
