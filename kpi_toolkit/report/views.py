"""What the quarterly report notebook shows, one function per section, each returning safe :class:`Html`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

import kpi_toolkit
from kpi_toolkit import figures
from kpi_toolkit.report import html
from kpi_toolkit.report.formatting import fmt_count, fmt_date, fmt_money, fmt_pct, fmt_pp, fmt_ratio
from kpi_toolkit.report.narrative import summary_sentences
from kpi_toolkit.report.quarterly import QuarterlyReport

__all__ = [
    "attainment_figure",
    "caveats",
    "comparison_table",
    "kpi_table",
    "provenance",
    "ranking_table",
    "summary",
    "title",
    "trend_figures",
]


def _conversion(won: float, closed: float, rate: float) -> str:
    if math.isnan(closed):
        return "–"
    if closed == 0:
        return "– (0 leads)"
    return f"{fmt_pct(rate)} ({fmt_count(won)}/{fmt_count(closed)})"


def title(q: QuarterlyReport) -> html.Html:
    """The report's title and subtitle."""
    scope = f"team {q.team}" if q.team else "all teams"
    subtitle = f"{scope} · {len(q.kpis)} managers · data as of {fmt_date(q.data_as_of)}"
    return html.heading(f"Quarterly sales report {q.period}", level=1) + html.paragraphs([subtitle])


def summary(q: QuarterlyReport) -> html.Html:
    """The opening paragraph, generated from the numbers."""
    return html.paragraphs([" ".join(summary_sentences(q))])


def caveats(q: QuarterlyReport) -> html.Html:
    """What a reader must know before trusting the numbers (empty when nothing)."""
    return html.notes(q.caveats, title="Read with care")


def kpi_table(q: QuarterlyReport) -> html.Html:
    """Every manager's KPIs against plan, with the team total in the last row."""
    frame = q.kpis.reset_index()
    total = q.totals.loc[str(q.period)]
    frame.loc[len(frame)] = {"manager": "__total__", **total.to_dict()}
    frame["who"] = [("Total" if m == "__total__" else q.names.get(m, m)) for m in frame["manager"]]
    frame["team"] = [q.teams.get(m, "") for m in frame["manager"]]
    frame["conversion_text"] = [
        _conversion(w, c, r)
        for w, c, r in zip(frame["leads_won"], frame["leads_closed"], frame["conversion"], strict=True)
    ]
    columns = {
        "who": "Manager",
        "team": "Team",
        "sales_volume": "Sales volume",
        "sales_plan": "Plan",
        "plan_attainment": "% of plan",
        "orders": "Orders",
        "average_check": "Average check",
        "conversion_text": "Conversion (won/closed)",
        "new_customers": "New customers",
    }
    formats = {
        "sales_volume": fmt_money,
        "sales_plan": fmt_money,
        "plan_attainment": fmt_pct,
        "orders": fmt_count,
        "average_check": fmt_money,
        "new_customers": fmt_count,
    }
    return html.table(
        frame,
        columns=columns,
        formats=formats,
        caption=f"KPIs by manager, {q.period}",
        row_class=lambda r: (
            "total" if r["manager"] == "__total__" else ("miss" if r["plan_attainment"] < 1 else "")
        ),
    )


def comparison_table(q: QuarterlyReport) -> html.Html:
    """The group's KPIs this period against the previous period, a year before, and year to date."""
    t = q.totals
    p, prev, last = str(q.period), str(q.period.previous()), str(q.period.last_year())
    ytd, ytd_last = f"YTD {q.period}", f"YTD {q.period.last_year()}"
    labels = {
        "sales_volume": "Sales volume",
        "sales_plan": "Plan",
        "plan_attainment": "% of plan",
        "orders": "Orders",
        "average_check": "Average check",
        "conversion": "Conversion",
        "leads_closed": "Leads closed",
        "new_customers": "New customers",
    }
    rows = []
    for metric, label in labels.items():
        is_rate = metric in ("plan_attainment", "conversion")
        show = (
            fmt_pct
            if is_rate
            else (fmt_count if metric in ("orders", "leads_closed", "new_customers") else fmt_money)
        )

        def delta(a: float, b: float, *, rate: bool = is_rate) -> str:
            if rate:
                return fmt_pp(100 * (a - b))
            return fmt_ratio(a / b - 1) if b and not math.isnan(b) else "–"

        rows.append(
            {
                "kpi": label,
                "now": show(t.loc[p, metric]),
                "prev": show(t.loc[prev, metric]),
                "d_prev": delta(t.loc[p, metric], t.loc[prev, metric]),
                "last": show(t.loc[last, metric]),
                "d_last": delta(t.loc[p, metric], t.loc[last, metric]),
                "ytd": show(t.loc[ytd, metric]),
                "ytd_last": show(t.loc[ytd_last, metric]),
                "d_ytd": delta(t.loc[ytd, metric], t.loc[ytd_last, metric]),
            }
        )
    columns = {
        "kpi": "KPI",
        "now": p,
        "prev": prev,
        "d_prev": "change",
        "last": last,
        "d_last": "change",
        "ytd": ytd,
        "ytd_last": ytd_last,
        "d_ytd": "change",
    }
    return html.table(pd.DataFrame(rows), columns=columns, caption="This quarter against earlier periods")


def ranking_table(q: QuarterlyReport) -> html.Html:
    """The ranking by plan attainment with each attainment's and each rank's 95 % interval."""
    r = q.ranking.copy()
    r["who"] = [q.names.get(m, m) for m in r["manager"]]
    r["interval"] = [
        f"{fmt_pct(lo)} – {fmt_pct(hi)}" for lo, hi in zip(r["ci_low"], r["ci_high"], strict=True)
    ]
    r["rank_range"] = [
        "–" if math.isnan(lo) else f"{lo:.0f} – {hi:.0f}"
        for lo, hi in zip(r["rank_low"], r["rank_high"], strict=True)
    ]
    columns = {
        "rank": "Rank",
        "who": "Manager",
        "plan_attainment": "% of plan",
        "interval": "95 % interval",
        "rank_range": "Plausible ranks",
        "orders": "Orders",
    }
    formats = {
        "rank": lambda v: "–" if math.isnan(v) else f"{v:.0f}",
        "plan_attainment": fmt_pct,
        "orders": fmt_count,
    }
    return html.table(r, columns=columns, formats=formats, caption=f"Ranking by plan attainment, {q.period}")


def attainment_figure(q: QuarterlyReport) -> html.Html:
    """Plan attainment per manager with intervals."""
    ax = figures.plot_attainment(q.ranking, names=q.names)
    ranked = q.ranking.dropna(subset=["plan_attainment"])
    alt = "Plan attainment by manager, best first: " + "; ".join(
        f"{q.names.get(m, m)} {fmt_pct(a)}"
        for m, a in zip(ranked["manager"], ranked["plan_attainment"], strict=True)
    )
    return html.figure(ax.figure, alt=alt, caption="Dots: attainment; lines: 95 % interval; dashed: plan.")


def trend_figures(q: QuarterlyReport) -> html.Html:
    """Sales volume against plan per quarter, and each manager's attainment per quarter."""
    totals = q.history_totals
    ax = figures.plot_volume_vs_plan(totals)
    alt = "Sales volume and plan per period: " + "; ".join(
        f"{p} {fmt_money(v)} of {fmt_money(pl)}"
        for p, v, pl in zip(totals.index, totals["sales_volume"], totals["sales_plan"], strict=True)
    )
    first = html.figure(ax.figure, alt=alt, caption="Sales volume (bars) against plan (line).")
    ax = figures.plot_attainment_heatmap(q.history, names=q.names)
    second = html.figure(
        ax.figure,
        alt="Heat map of each manager's plan attainment per period; red below plan, blue above.",
        caption="Plan attainment per manager and quarter (% of plan).",
    )
    return first + second


def provenance(q: QuarterlyReport, parameters: Mapping[str, Any]) -> html.Html:
    """How the report was made: parameters, data source and rows, toolkit version, data as of."""
    rows = [{"what": f"parameter {k}", "value": str(v)} for k, v in parameters.items()]
    rows += [
        {"what": "data source", "value": q.source},
        {"what": "data as of", "value": fmt_date(q.data_as_of)},
        {"what": "toolkit version", "value": kpi_toolkit.__version__},
    ]
    rows += [
        {
            "what": f"rows of {r['table']}",
            "value": f"{r['rows_read']} read, {r['rows_used']} used, {r['rows_excluded']} excluded",
        }
        for _, r in q.row_counts.iterrows()
    ]
    return html.table(
        pd.DataFrame(rows), columns={"what": "", "value": ""}, caption="How this report was made"
    )
