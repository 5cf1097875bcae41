"""The plan-gap report's sections on missing the plan: who misses it systematically over the window, and
who only by chance (:func:`misses_section`), and who is off track in the current period
(:func:`pacing_section`).
"""

from __future__ import annotations

import math

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.plan_gap_messages import _tr, _with
from kpi_toolkit.report.plan_gap_report import PlanGapReport
from kpi_toolkit.report.plan_verdict_views import cause_columns

__all__ = ["misses_section", "pacing_section"]


def _series_text(series: pd.DataFrame, manager: str, tr: Translator) -> str:
    own = series[series["manager"] == manager]
    return " · ".join(
        f"{tr.period(p)} {tr.rate(a)}" for p, a in zip(own["period"], own["attainment"], strict=True)
    )


def misses_section(
    r: PlanGapReport, tr: Translator | None = None, *, evidence: pd.DataFrame | None = None
) -> html.Html:
    """Who misses the plan systematically over the window, and who only by chance; beside it, the verdict
    against colleagues and how many targets were out of reach (the manager or the plan?). Without plans, one
    sentence saying so."""
    r = _with(r, evidence=evidence)
    tr = _tr(tr)
    if not r.has_plans:
        no_plans = tr.t("plan_verdicts.no_plans", first=tr.period(r.window[0]), last=tr.period(r.window[-1]))
        return html.section(tr.t("plan_gap.misses.heading"), [no_plans])
    ev = r.evidence.copy()
    if r.manager:
        ev = ev[ev["manager"] == r.manager]
    ev["name"] = [r.name(m) for m in ev["manager"]]
    ev["series"] = [_series_text(r.series, m, tr) for m in ev["manager"]]
    ev["verdict_text"] = [tr.verdict(v) for v in ev["verdict"]]
    ev["missed"] = [
        tr.t("plan_gap.misses.missed_cell", missed=tr.count(m), observed=tr.count(n))
        for m, n in zip(ev["periods_missed"], ev["periods_observed"], strict=True)
    ]
    columns = {
        "name": tr.t("plan_gap.col.manager"),
        "missed": tr.t("plan_gap.col.missed"),
        "mean_attainment": tr.t("plan_gap.col.mean_attainment"),
        "p_adjusted": tr.t("plan_gap.col.p_adjusted"),
        "verdict_text": tr.t("plan_gap.col.verdict"),
    }
    if r.causes is not None and len(r.causes):
        cells = cause_columns(r.causes, tr)
        for column in cells.columns:
            ev[column] = [cells[column].get(m, "") for m in ev["manager"]]
        columns |= {
            "colleagues": tr.t("plan_verdicts.col.colleagues"),
            "out_of_reach": tr.t("plan_verdicts.col.out_of_reach"),
            "cause_text": tr.t("plan_verdicts.col.cause"),
        }
    columns["series"] = tr.t("plan_gap.col.series")
    ev["rank"] = ev["verdict"].map({"systematic": 0, "not systematic": 1}).fillna(2)
    ev = ev.sort_values(["rank", "mean_attainment", "manager"], kind="stable")
    table = html.table(
        ev,
        columns=columns,
        formats={"mean_attainment": tr.rate, "p_adjusted": tr.p_value},
        sort_by={"missed": "periods_missed"},
        sortable=True,
        row_class=lambda row: "flag" if row["verdict"] == "systematic" else "",
        caption=tr.t("plan_gap.misses.caption"),
        classes={"series": "wrap", "cause_text": "wrap"},
    )
    intro = [
        tr.t(
            "plan_gap.misses.intro",
            first=tr.period(r.window[0]),
            last=tr.period(r.window[-1]),
            alpha=tr.pct(0.05),
        )
    ]
    if r.causes is not None:
        intro.append(tr.t("plan_verdicts.misses_intro"))
    judged = r.evidence[r.evidence["power"].notna()]
    if len(judged):
        intro.append(
            tr.t(
                "plan_gap.i22.misses_power",
                periods=tr.t("plan_gap.i22.power_periods", count=int(judged["periods_observed"].median())),
                at=tr.pct(r.evidence.attrs.get("power_at", 0.85)),
                power=tr.pct(float(judged["power"].median())),
            )
        )
    return html.section(tr.t("plan_gap.misses.heading"), intro) + table


def pacing_section(
    r: PlanGapReport, tr: Translator | None = None, *, pacing: pd.DataFrame | None = None
) -> html.Html:
    """The pacing of the period at ``as_of``: to date, expected, projection with its interval, status."""
    r = _with(r, pacing=pacing)
    tr = _tr(tr)
    pace = r.pacing.copy()
    if r.manager:
        pace = pace[pace["manager"] == r.manager]
    pace["name"] = [r.name(m) for m in pace["manager"]]
    pace["status_text"] = [tr.verdict(s) for s in pace["status"]]
    pace["interval"] = [
        tr.t("common.range", low=tr.money(lo), high=tr.money(hi)) if lo == lo and hi == hi else "–"
        for lo, hi in zip(pace["projected_low"], pace["projected_high"], strict=True)
    ]
    rank = {"off track": 0, "missed": 0, "at risk": 1, "on track": 2, "met": 2, "no target": 3}
    pace = pace.assign(_rank=pace["status"].map(rank)).sort_values(["_rank", "manager"], kind="stable")
    attrs = r.pacing.attrs
    method = attrs.get("phasing", "linear")
    intro = [
        tr.t(
            f"plan_gap.pacing.intro_{method}",
            period=tr.period(r.pacing_period),
            date=tr.date(r.as_of),
            share=tr.pct(attrs.get("expected_share", math.nan)),
        )
    ]
    if method != "complete":
        coverage = attrs.get("coverage", math.nan)
        intro.append(
            tr.t(
                "plan_gap.pacing.interval",
                level=tr.pct(attrs.get("level", math.nan)),
                periods=tr.t("plan_gap.periods", count=len(attrs.get("backtest_periods", []))),
                coverage=tr.pct(coverage),
            )
        )
        bands = {k: v for k, v in attrs.get("coverage_by_orders", {}).items() if v == v}
        if bands:
            names = {"under 5": "under_5", "5 to 19": "5_to_19", "20 or more": "20_or_more"}
            intro.append(
                tr.t(
                    "plan_gap.i22.pacing_bands",
                    bands=", ".join(
                        tr.t(f"plan_gap.i22.band_{names[k]}", coverage=tr.pct(v)) for k, v in bands.items()
                    ),
                )
            )
    table = html.table(
        pace,
        columns={
            "name": tr.t("plan_gap.col.manager"),
            "to_date": tr.t("plan_gap.col.to_date"),
            "target": tr.t("plan_gap.col.target"),
            "expected_to_date": tr.t("plan_gap.col.expected"),
            "projected": tr.t("plan_gap.col.projected"),
            "interval": tr.t("plan_gap.col.interval"),
            "status_text": tr.t("plan_gap.col.status"),
        },
        formats={c: tr.money for c in ("to_date", "target", "expected_to_date", "projected")},
        sort_by={"interval": "projected_low"},
        sortable=True,
        row_class=lambda row: "flag" if row["status"] in ("off track", "missed") else "",
        caption=tr.t("plan_gap.pacing.caption"),
    )
    return html.section(tr.t("plan_gap.pacing.heading"), intro) + table
