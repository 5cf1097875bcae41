"""What the plan-gap report shows, one function per section, each returning safe :class:`Html`.

Every function takes the report's numbers (:class:`~kpi_toolkit.report.plan_gap_report.PlanGapReport`) and a
:class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``); every word comes from the catalogues'
``plan_gap:`` section, every number is formatted by the translator, data (names, teams) is escaped by
:mod:`kpi_toolkit.report.html`. :func:`why_section` is the short "why" section and alert list of the
quarterly report.

The sections take the frames they draw (``gap=``, ``sources=``, ``evidence=``, ``pacing=``, ``alerts=``) as
the notebook's ``analysis`` cells show them, sorted or filtered by an analyst: the report object gives only
the context then (period, baseline, names, the manager in focus); without them, the report's own frames.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

import kpi_toolkit
from kpi_toolkit.data import SalesData
from kpi_toolkit.figures import literal
from kpi_toolkit.gap import WATERFALL_STEPS, plot_gap_waterfall
from kpi_toolkit.periods import Period, parse_span
from kpi_toolkit.plan_gap import TEAM_PLAN_EFFECT, alerts, plan_gap
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.plan_gap_margin_views import driver_word, gap_metric, identity_sentences
from kpi_toolkit.report.plan_gap_report import PlanGapReport
from kpi_toolkit.report.plan_verdict_views import cause_columns, cause_phrase, plan_lead
from kpi_toolkit.report.report_words import parameter_rows
from kpi_toolkit.report.site import KeyFigure

__all__ = [
    "alert_items",
    "alerts_section",
    "assumed_split",
    "gap_section",
    "headline",
    "key_figures",
    "managers_section",
    "misses_section",
    "pacing_section",
    "page_title",
    "provenance",
    "signed",
    "title",
    "waterfall",
    "why_section",
]

TOTAL = "TOTAL"


def _tr(tr: Translator | None) -> Translator:
    return tr if tr is not None else translator("en")


def _with(r: PlanGapReport, **frames: pd.DataFrame | None) -> PlanGapReport:
    """``r`` with the frames a notebook passes in place of its own (a section is drawn from the frames the
    notebook shows and an analyst may have changed; the report gives the context: period, names, focus)."""
    given = {name: frame for name, frame in frames.items() if frame is not None}
    return replace(r, **given) if given else r


def signed(tr: Translator, value: float) -> str:
    """Money with its sign (``+1,200``, ``-3,400``)."""
    return _signed(tr, value)


def _signed(tr: Translator, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return tr.money(value)
    return ("+" if value > 0 else "") + tr.money(value)


def _driver(tr: Translator, column: str) -> str:
    return driver_word(tr, column)


def _baseline_name(tr: Translator, baseline: str) -> str:
    return tr.t(f"plan_gap.baseline.{baseline}")


def _who(tr: Translator, team: str | None) -> str:
    return tr.t("plan_gap.team_named", team=team) if team else tr.t("plan_gap.team_all")


def _focus(r: PlanGapReport) -> str:
    """The row the report is about: the manager's (``--manager``), else the team's total."""
    return r.manager or TOTAL


def page_title(r: PlanGapReport, tr: Translator | None = None) -> str:
    """The report's title as plain text (the page's ``<title>``, the site's index): the manager's when the
    report is about one manager."""
    tr = _tr(tr)
    if r.baseline == "plan" and r.has_plans:
        if r.manager:
            return tr.t("plan_gap.title_manager", period=tr.period(r.period), name=r.name(r.manager))
        if r.team:
            return tr.t("plan_gap.title_team", period=tr.period(r.period), team=r.team)
        return tr.t("plan_gap.title", period=tr.period(r.period))
    # a gap against another baseline, or no plan at all, is not "why was the target missed"
    heading = tr.t(f"plan_verdicts.heading.{r.baseline if r.baseline != 'plan' else 'no_plan'}")
    who = r.name(r.manager) if r.manager else r.team
    if who:
        return tr.t("plan_verdicts.title_named", heading=heading, period=tr.period(r.period), who=who)
    return tr.t("plan_verdicts.title", heading=heading, period=tr.period(r.period))


def title(r: PlanGapReport, tr: Translator | None = None) -> html.Html:
    """Title and subtitle: baseline, managers, data as of."""
    tr = _tr(tr)
    subtitle = tr.t(
        "plan_gap.subtitle",
        baseline=_baseline_name(tr, r.baseline),
        managers=tr.t("plan_gap.managers", count=len(r.gap) - 1),
        date=tr.date(r.data_as_of),
    )
    return html.heading(page_title(r, tr), level=1) + html.paragraphs([subtitle])


def _total(r: PlanGapReport) -> pd.Series:
    """The gap row the report is about: the manager's with ``--manager``, else the team's total."""
    return r.gap.set_index("manager").loc[_focus(r)]


def key_figures(r: PlanGapReport, tr: Translator | None = None) -> list[KeyFigure]:
    """Gap, baseline, managers missing systematically, managers off track (of the manager, with one)."""
    tr = _tr(tr)
    total = _total(r)
    ratio = total["actual"] / total["baseline_value"] if total["baseline_value"] > 0 else math.nan
    evidence, pace = r.evidence, r.pacing
    if r.manager:
        evidence, pace = evidence[evidence["manager"] == r.manager], pace[pace["manager"] == r.manager]
    systematic = int((evidence["verdict"] == "systematic").sum())
    off_track = int(pace["status"].isin(["off track", "missed"]).sum())
    closed = len(pace) > 0 and bool(pace["status"].isin(["met", "missed", "no target"]).all())
    return [
        KeyFigure(
            key="gap",
            label=tr.t("plan_gap.figure.gap"),
            value=None if pd.isna(total["gap"]) else float(total["gap"]),
            text=_signed(tr, float(total["gap"])),
            note=tr.t(
                "plan_gap.figure.gap_note", share=tr.rate(ratio), baseline=_baseline_name(tr, r.baseline)
            ),
        ),
        KeyFigure(
            key="actual",
            label=tr.t("plan_gap.figure.actual")
            if (metric := gap_metric(r.gap)) == "sales_volume"
            else tr.t(f"plan_gap_margin.figure_actual.{metric}"),
            value=float(total["actual"]),
            text=tr.money(total["actual"]),
        ),
        KeyFigure(
            key="systematic",
            label=tr.t("plan_gap.figure.systematic"),
            value=float(systematic) if r.has_plans else None,
            text=tr.count(systematic) if r.has_plans else "–",
            note=tr.t("plan_gap.figure.window", first=tr.period(r.window[0]), last=tr.period(r.window[-1]))
            if r.has_plans
            else tr.t("plan_verdicts.no_plans_figure"),
        ),
        KeyFigure(
            key="off_track",
            label=tr.t("report_words.missed_tile" if closed else "plan_gap.figure.off_track"),
            value=float(off_track),
            text=tr.count(off_track),
            note=tr.t("plan_gap.figure.as_of", date=tr.date(r.as_of)),
        ),
    ]


def headline(r: PlanGapReport, tr: Translator | None = None) -> html.Html:
    tr = _tr(tr)
    return html.figures_list(key_figures(r, tr), label=tr.t("plan_gap.key_figures"))


def introduction(r: PlanGapReport, tr: Translator | None = None) -> html.Html:
    """What the report shows, in the report's language: the drivers the data has (no lead or conversion
    drivers without leads), and no word of missing a plan without plans."""
    tr = _tr(tr)
    if r.has_leads and r.has_plans:
        return html.paragraphs([tr.t("plan_gap.introduction")])
    drivers = tr.t("plan_verdicts.introduction_leads" if r.has_leads else "plan_verdicts.introduction_orders")
    rest = tr.t(
        "plan_verdicts.introduction_rest_plans" if r.has_plans else "plan_verdicts.introduction_rest_no_plans"
    )
    return html.paragraphs([f"{drivers} {rest}"])


def _steps(gap: pd.DataFrame, manager: str, by: str, names: Mapping[str, str], tr: Translator):
    row = gap.set_index("manager").loc[manager]
    if by == "driver":
        steps = [(_driver(tr, c), float(row[c])) for c, _ in WATERFALL_STEPS if pd.notna(row[c])]
    else:
        rows = gap[(gap["manager"] != TOTAL) & ~gap["method"].str.startswith("none")]
        steps = [(names.get(m, m), float(g)) for m, g in zip(rows["manager"], rows["gap"], strict=True)]
    team_plan = float(row.get(TEAM_PLAN_EFFECT, 0.0))
    if team_plan and not np.isnan(team_plan):  # the group's plan off its members' targets: a step of its own
        steps.append((_driver(tr, TEAM_PLAN_EFFECT), team_plan))
    return row, steps


def waterfall(
    gap: pd.DataFrame,
    tr: Translator | None = None,
    *,
    manager: str = TOTAL,
    by: str = "driver",
    baseline: str = "plan",
    names: Mapping[str, str] | None = None,
    team: str | None = None,
) -> html.Html:
    """The waterfall from baseline to actual (:func:`kpi_toolkit.gap.plot_gap_waterfall`) in the report's
    language, embedded with its alternative text."""
    tr = _tr(tr)
    names = dict(names or {})
    who = _who(tr, team) if manager == TOTAL else names.get(manager, manager)
    row, steps = _steps(gap, manager, by, names, tr)
    _, ax = plt.subplots(figsize=(9, 4.6) if by == "manager" else (7.5, 4.2), layout="constrained")
    base_label, actual_label = _baseline_name(tr, baseline), tr.t("plan_gap.figure.actual_bar")
    plot_gap_waterfall(
        gap, manager=manager, by=by, baseline_label=base_label, actual_label=actual_label, ax=ax
    )  # type: ignore[arg-type]
    key = "plan_gap.figure.title_by_manager" if by == "manager" else "plan_gap.figure.title"
    heading = tr.t(key, who=who, baseline=base_label)
    ax.set_title(literal(heading[:1].upper() + heading[1:]))
    decomposed = not str(row["method"]).startswith("none")
    if decomposed:
        labels = [base_label, *[s[0] for s in steps], actual_label]
        rotation = 45 if len(labels) > 8 else 30 if len(labels) > 6 else 0
        ax.set_xticks(
            ax.get_xticks(),
            [literal(x) for x in labels],
            rotation=rotation,
            ha="right" if rotation else "center",
        )
        for text, (_, effect) in zip(ax.texts, steps, strict=False):
            text.set_text(literal(("+" if effect > 0 else "") + tr.compact(effect)))
            text.set_fontsize(7 if len(steps) > 6 else 8)
            text.set_rotation(90 if len(steps) > 8 else 0)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tr.compact(v)))
        metric = gap_metric(gap)
        ylabel = "plan_gap.figure.ylabel" if metric == "sales_volume" else f"plan_gap_margin.metric.{metric}"
        ax.set_ylabel(tr.t(ylabel))
        caption = _zoom(ax, float(row["baseline_value"]), float(row["actual"]), [e for _, e in steps], tr)
        described = tr.names(f"{label} {_signed(tr, value)}" for label, value in steps)
        alt = tr.t(
            "plan_gap.figure.alt",
            who=who,
            baseline=base_label,
            baseline_value=tr.money(row["baseline_value"]),
            actual=tr.money(row["actual"]),
            steps=described or "–",
        )
    else:
        caption = ""
        for text in ax.texts:
            text.set_text(tr.t("plan_gap.figure.none"))
        alt = tr.t("plan_gap.figure.alt_none", who=who, baseline=base_label)
    return html.figure(ax.figure, alt=alt, caption=caption)


def _zoom(ax: Any, start: float, end: float, effects: list[float], tr: Translator) -> str:
    """Start the value axis near the steps (so that they show next to the totals); the caption says so."""
    levels = start + np.concatenate([[0.0], np.cumsum(effects)]) if effects else np.array([start])
    low, high = float(min(levels.min(), end)), float(max(levels.max(), end))
    span = max(high - low, 1e-9 * max(abs(high), 1.0))
    bottom = max(0.0, low - 1.5 * span)
    ax.set_ylim(bottom, high + (0.6 if len(effects) > 8 else 0.3) * span)
    return tr.t("plan_gap.figure.zoom", bottom=tr.compact(bottom)) if bottom > 0 else ""


def _biggest(total: pd.Series, tr: Translator) -> str:
    effects = {c: total[c] for c, _ in WATERFALL_STEPS if pd.notna(total[c])}
    ranked = sorted(effects, key=lambda c: effects[c])
    return tr.names(f"{_driver(tr, c)} ({_signed(tr, effects[c])})" for c in ranked[:2] if effects[c] < 0)


def _gap_sentence(
    r_gap: pd.DataFrame,
    baseline: str,
    tr: Translator,
    team: str | None,
    *,
    who: str | None = None,
    row: str = TOTAL,
) -> str:
    total = r_gap.set_index("manager").loc[row]
    if pd.isna(total["gap"]):
        return tr.t("plan_gap.gap.none", baseline=_baseline_name(tr, baseline))
    losses = _biggest(total, tr)
    key = "plan_gap.gap.sentence_losses" if losses else "plan_gap.gap.sentence"
    values = {}
    if (metric := gap_metric(r_gap)) != "sales_volume":  # "Net sales of the team: ..."
        key = key.replace("plan_gap.gap.", "plan_gap_margin.")
        values["metric"] = tr.t(f"plan_gap_margin.figure_actual.{metric}")
    return tr.t(
        key,
        **values,
        who=who or _who(tr, team),
        actual=tr.money(total["actual"]),
        baseline=_baseline_name(tr, baseline),
        baseline_value=tr.money(total["baseline_value"]),
        gap=_signed(tr, total["gap"]),
        losses=losses,
    )


def _noise_sentences(r: PlanGapReport, tr: Translator) -> list[str]:
    """Which of the team's (or the chosen manager's) effects could be noise, and who the totals leave out."""
    out = []
    intervals = r.gap.attrs.get("effect_intervals")
    if intervals is not None and len(intervals):
        own = intervals[(intervals["manager"] == (r.manager or TOTAL)) & intervals["within_noise"]]
        drivers = [_driver(tr, c) for c, _ in WATERFALL_STEPS if c in set(own["effect"])]
        if drivers:
            out.append(tr.t("plan_gap.i22.within_noise", drivers=tr.names(drivers)))
    left = r.gap.attrs.get("left_out", {})
    decomposed = not r.gap["method"].iloc[-1].startswith("none")
    if left.get("managers") and decomposed and not r.manager:
        out.append(
            tr.t(
                "plan_gap.i22.left_out",
                managers=tr.t("plan_gap.managers", count=len(left["managers"])),
                names=tr.names(r.name(m) for m in left["managers"]),
                volume=tr.money(left["actual"]),
            )
        )
    return out


def _orders_step(gap: pd.DataFrame, names: Mapping[str, str], tr: Translator, focus: str) -> str:
    """What the waterfall's "orders" step is, when it has one: the managers without won leads."""
    rows = gap[(gap["manager"] != TOTAL) & gap["orders_effect"].notna()]
    if focus != TOTAL:
        rows = rows[rows["manager"] == focus]
    if rows.empty:
        return ""
    return tr.t(
        "plan_gap.gap.orders_step",
        names=tr.names(names.get(m, m) for m in rows["manager"]),
        effect=_signed(tr, float(rows["orders_effect"].sum())),
    )


_ASSUMED = re.compile(
    r"^plan: targets for (?P<metric>sales_volume|net_sales|gross_margin); (?P<drivers>[a-z_, ]+) = "
    r"(?P<source>own \S+|team) mix"
)


def assumed_split(gap: pd.DataFrame, tr: Translator | None = None, *, manager: str | None = None) -> str:
    """The sentence saying that a volume-only plan's split into drivers is assumed, not planned, and from
    whose mix (:func:`kpi_toolkit.plan_gap`'s ``reference``); empty when no plan row is split that way.

    >>> gap = pd.DataFrame({"manager": ["a", "TOTAL"], "reference": [
    ...     "plan: targets for sales_volume; orders, average_check = team mix x 1.1", "sum of the managers"]})
    >>> print(assumed_split(gap))  # doctest: +NORMALIZE_WHITESPACE
    The plan sets only the sales volume, so its split into orders and average check is assumed, not planned:
    from the team's mix, scaled to the target.
    """
    tr = _tr(tr)
    rows = gap[gap["manager"] != TOTAL]
    if manager is not None:
        rows = rows[rows["manager"] == manager]
    found = [m for m in (_ASSUMED.match(str(ref)) for ref in rows["reference"]) if m]
    if not found:
        return ""
    drivers = list(dict.fromkeys(d.strip() for m in found for d in m["drivers"].split(",")))
    own = sum(m["source"] != "team" for m in found)
    team = len(found) - own
    if own and team:
        source = tr.t(
            "plan_verdicts.source_mixed",
            own=tr.t("plan_gap.managers", count=own),
            team=tr.t("plan_gap.managers", count=team),
        )
    else:
        source = tr.t("plan_verdicts.source_own" if own else "plan_verdicts.source_team")
    names = tr.names(_driver(tr, "leads" if d == "leads_closed" else d) for d in drivers)
    metric = found[0]["metric"]
    if metric != "sales_volume":  # a plan of net sales or gross margin alone
        what = tr.t(f"plan_gap_margin.metric.{metric}")
        return tr.t("plan_gap_margin.assumed", metric=what, drivers=names, source=source)
    return tr.t("plan_verdicts.assumed", drivers=names, source=source)


def gap_section(
    r: PlanGapReport,
    tr: Translator | None = None,
    *,
    gap: pd.DataFrame | None = None,
    sources: pd.DataFrame | None = None,
) -> html.Html:
    """The gap against the baseline and its drivers (the team's, or the manager's with ``--manager``): a
    sentence, the waterfall, a note."""
    r = _with(r, gap=gap, sources=sources)
    tr = _tr(tr)
    focus = _focus(r)
    who = r.name(r.manager) if r.manager else None
    identity = tr.t("plan_gap.gap.identity" if r.has_leads else "plan_verdicts.identity_orders")
    intro = [_gap_sentence(r.gap, r.baseline, tr, r.team, who=who, row=focus), identity]
    intro += identity_sentences(r.gap, tr, baseline=r.baseline)
    if r.has_leads and (orders_step := _orders_step(r.gap, r.names, tr, focus)):
        intro.append(orders_step)
    sources = r.sources.set_index("manager")
    total_sources = sources.loc[focus] if focus in sources.index else sources.loc[TOTAL]
    if pd.notna(total_sources["lead_share"]):
        intro.append(
            tr.t(
                "plan_gap.gap.sources",
                lead=tr.money(total_sources["lead_volume"]),
                share=tr.pct(total_sources["lead_share"]),
                other=tr.money(total_sources["other_volume"]),
            )
        )
    intro += _noise_sentences(r, tr)
    figure = waterfall(r.gap, tr, manager=focus, baseline=r.baseline, names=r.names, team=r.team)
    other = {"previous": r.period.previous(), "last_year": r.period.last_year()}.get(r.baseline)
    values = {"period": tr.period(other)} if other is not None else {}
    notes = [tr.t(f"plan_gap.gap.reference_{r.baseline}", **values)]
    if r.baseline == "plan" and (assumed := assumed_split(r.gap, tr, manager=r.manager)):
        notes.append(assumed)
    if r.baseline == "plan" and gap_metric(r.gap) != "sales_volume":
        notes.append(tr.t("plan_gap_margin.reference_rates"))
    return html.section(tr.t("plan_gap.gap.heading"), intro) + figure + html.notes(notes)


def managers_section(
    r: PlanGapReport, tr: Translator | None = None, *, gap: pd.DataFrame | None = None
) -> html.Html:
    """The managers that drive the team's gap: the waterfall by manager and the table of effects."""
    r = _with(r, gap=gap)
    tr = _tr(tr)
    gap = r.gap
    rows = gap[gap["manager"] != TOTAL].copy()
    if r.manager:
        rows = rows[rows["manager"] == r.manager]
    rows["name"] = [r.name(m) for m in rows["manager"]]
    rows = rows.sort_values(["gap", "manager"], kind="stable", na_position="last")
    effect_columns = [c for c, _ in WATERFALL_STEPS if gap[c].notna().any()]
    columns = {
        "name": tr.t("plan_gap.col.manager"),
        "actual": tr.t("plan_gap.col.actual"),
        "baseline_value": _baseline_name(tr, r.baseline),
        "gap": tr.t("plan_gap.col.gap"),
        **{c: _driver(tr, c) for c in effect_columns},
    }
    formats = {c: (lambda v: _signed(tr, v)) for c in ["gap", *effect_columns]}
    formats |= {"actual": tr.money, "baseline_value": tr.money}
    table = html.table(
        rows, columns=columns, formats=formats, sortable=True, caption=tr.t("plan_gap.managers_table.caption")
    )
    parts = html.section(tr.t("plan_gap.managers_section.heading"), [tr.t("plan_gap.managers_section.intro")])
    decomposed = int((~gap["method"].str.startswith("none")).sum()) - 1
    if not r.manager and decomposed > 1:
        parts += waterfall(gap, tr, by="manager", baseline=r.baseline, names=r.names, team=r.team)
    return parts + table


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


def _alert_items(
    frame: pd.DataFrame, names: Mapping[str, str], period: Period | str, tr: Translator
) -> list[str]:
    items = []
    for _, row in frame.iterrows():
        parts = []
        if row["off_track"] and row["pacing_status"] == "missed":  # a complete period
            parts.append(
                tr.t(
                    "plan_gap.alerts.missed",
                    period=tr.period(period),
                    actual=tr.money(row["to_date"]),
                    target=tr.money(row["target"]),
                    attainment=tr.rate(row["to_date"] / row["target"]),
                )
            )
        elif row["off_track"]:
            parts.append(
                tr.t(
                    "plan_gap.alerts.off_track",
                    period=tr.period(period),
                    projected=tr.money(row["projected"]),
                    target=tr.money(row["target"]),
                )
            )
        if row["systematic"]:
            parts.append(
                tr.t(
                    "plan_gap.alerts.systematic",
                    missed=tr.count(row["periods_missed"]),
                    observed=tr.count(row["periods_observed"]),
                    mean=tr.rate(row["mean_attainment"]),
                )
            )
        if "cause" in row.index and (cause := cause_phrase(row, tr)):
            parts.append(cause)
        items.append(
            tr.t(
                "plan_gap.alerts.item", name=names.get(row["manager"], row["manager"]), what="; ".join(parts)
            )
        )
    return items


def alert_items(
    frame: pd.DataFrame, names: Mapping[str, str], period: Period | str, tr: Translator
) -> list[str]:
    """One plain sentence per alert of :func:`kpi_toolkit.alerts` (who is off track or missed, who misses
    systematically, and whether they trail colleagues or miss an out-of-reach plan), as the alert list and
    the quarterly report's first screen show them."""
    return _alert_items(frame, names, period, tr)


def alerts_section(
    r: PlanGapReport,
    tr: Translator | None = None,
    *,
    alerts: pd.DataFrame | None = None,
    extra: Sequence[str] = (),
) -> html.Html:
    """The alert list: who is off track now, who misses systematically, with the evidence and the cause;
    ``extra`` alerts (already sentences, e.g. :func:`kpi_toolkit.report.pipeline_views.pipeline_alerts`)
    follow.

    When most of a team misses a plan that was out of reach, that comes first, in plain words, before any
    name (:func:`kpi_toolkit.report.plan_verdict_views.plan_lead`)."""
    r = _with(r, alerts=alerts)
    tr = _tr(tr)
    frame = r.alerts[r.alerts["manager"] == r.manager] if r.manager else r.alerts
    items = _alert_items(frame, r.names, r.pacing_period, tr) + list(extra)
    lead = plan_lead(r.causes, tr, name_teams=not r.team) if r.causes is not None else []
    head = html.section(tr.t("plan_gap.alerts.heading"), lead)
    if not r.has_plans:
        return head + html.paragraphs([tr.t("plan_verdicts.alerts_no_plans")])
    if not items:
        return head + html.paragraphs([tr.t("plan_gap.alerts.none")])
    return head + html.notes(items)


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


def provenance(r: PlanGapReport, tr: Translator | None = None, *, parameters: Mapping[str, Any]) -> html.Html:
    """How the report was made: parameters, data source and fingerprint, rows, data as of, version."""
    tr = _tr(tr)
    empty = tr.t("quarterly.provenance.empty")
    rows = [{"what": what, "value": value} for what, value in parameter_rows(parameters, tr, empty=empty)]
    rows += [
        {"what": tr.t("quarterly.provenance.source"), "value": r.source},
        {"what": tr.t("quarterly.provenance.fingerprint"), "value": r.data_fingerprint},
        {"what": tr.t("quarterly.provenance.data_as_of"), "value": tr.date(r.data_as_of)},
        {"what": tr.t("quarterly.provenance.first_date"), "value": tr.date(r.first_date)},
        {"what": tr.t("quarterly.provenance.version"), "value": kpi_toolkit.__version__},
    ]
    heading = html.section(tr.t("plan_gap.provenance.heading"), [tr.t("plan_gap.provenance.intro")])
    return heading + html.table(
        pd.DataFrame(rows),
        columns={"what": tr.t("plan_gap.provenance.what"), "value": tr.t("plan_gap.provenance.value")},
        classes={"value": "wrap"},
    )
