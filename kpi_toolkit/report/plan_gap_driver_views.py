"""The plan-gap report's sections on the gap and its drivers: the team's (or the manager's) gap against the
baseline in a sentence, the waterfall and its notes (:func:`gap_section`), whether a volume-only plan's
split into drivers is assumed (:func:`assumed_split`), and the managers that drive the team's gap
(:func:`managers_section`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from kpi_toolkit.gap import WATERFALL_STEPS
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.plan_gap_figures import waterfall
from kpi_toolkit.report.plan_gap_margin_views import gap_metric, identity_sentences
from kpi_toolkit.report.plan_gap_messages import (
    TOTAL,
    _baseline_name,
    _driver,
    _focus,
    _signed,
    _tr,
    _who,
    _with,
)
from kpi_toolkit.report.plan_gap_report import PlanGapReport

__all__ = ["assumed_split", "gap_section", "managers_section"]


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
