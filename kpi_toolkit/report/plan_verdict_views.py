"""The manager or the plan, in the reports' words: built from :func:`kpi_toolkit.miss_causes` (and the alert
rows of :func:`kpi_toolkit.alerts`, which carry the same columns) and a translator.

:func:`plan_lead` is what a report says first, before any name, when most of a team misses a plan that was
out of reach; :func:`cause_phrase` adds to a manager's alert whether they trail colleagues (training may
help), miss an out-of-reach plan (the plan is the problem), or both; :func:`cause_columns` gives the misses
table its two verdicts side by side.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpi_toolkit.gap.causes import plan_findings
from kpi_toolkit.report.i18n import Translator, translator

__all__ = ["cause_columns", "cause_phrase", "plan_lead"]


def _tr(tr: Translator | None) -> Translator:
    return tr if tr is not None else translator("en")


def plan_lead(causes: pd.DataFrame, tr: Translator | None = None, *, name_teams: bool = True) -> list[str]:
    """One sentence per team where more than half of the judged managers miss a plan that was out of reach
    (:func:`kpi_toolkit.plan_findings`), naming no manager; empty when no team is in that case.

    ``name_teams=False`` (a report about one team, or with one team) leaves the team's name out.

    >>> causes = pd.DataFrame({"manager": ["a", "b", "c"], "team": ["North"] * 3,
    ...     "versus_plan": ["systematic", "systematic", "not systematic"],
    ...     "versus_team": ["not systematic"] * 3, "plan_out_of_reach": [True, True, False]})
    >>> plan_lead(causes)[0][:60]
    '2 of 3 managers miss a plan that was out of reach: their tar'
    """
    tr = _tr(tr)
    if causes.empty:
        return []
    findings = plan_findings(causes)
    found = findings[findings["plan_is_the_finding"]]
    named = name_teams and findings["team"].notna().sum() > 1
    out = []
    for _, row in found.iterrows():
        values = {"missing": tr.count(row["missing_out_of_reach"])}
        if named and pd.notna(row["team"]):
            out.append(
                tr.t("plan_verdicts.lead_team", count=row["managers_judged"], team=row["team"], **values)
            )
        else:
            out.append(tr.t("plan_verdicts.lead_all", count=row["managers_judged"], **values))
    return out


def cause_phrase(row: Mapping[str, object] | pd.Series, tr: Translator | None = None) -> str:
    """What a manager's row of :func:`kpi_toolkit.alerts` (or :func:`kpi_toolkit.miss_causes`) says about
    the cause: behind colleagues, behind an out-of-reach plan, both, or neither; empty without a cause.

    >>> row = {"cause": "both", "mean_vs_team": 0.75, "targets_out_of_reach": 6, "targets_judged": 6}
    >>> print(cause_phrase(row))  # doctest: +NORMALIZE_WHITESPACE
    behind colleagues (75% of the median colleague's attainment): training or support may help; the plan
    was out of reach (6 of 6 targets above what the sales history predicted): the plan is the problem
    """
    tr = _tr(tr)
    cause = row.get("cause")
    if cause is None or pd.isna(cause):
        return ""
    parts = []
    if cause in ("behind colleagues", "both"):
        parts.append(tr.t("plan_verdicts.behind_colleagues", ratio=tr.pct(float(row["mean_vs_team"]))))
    if cause in ("behind an out-of-reach plan", "both"):
        parts.append(
            tr.t(
                "plan_verdicts.out_of_reach",
                far=tr.count(row["targets_out_of_reach"]),
                judged=tr.count(row["targets_judged"]),
            )
        )
    if cause == "behind plan":
        key = "plan_verdicts.within_reach" if int(row["targets_judged"]) > 0 else "plan_verdicts.no_history"
        parts.append(tr.t(key))
    return "; ".join(parts)


def cause_columns(causes: pd.DataFrame, tr: Translator | None = None) -> pd.DataFrame:
    """The misses table's added cells, indexed by manager: ``colleagues`` (the verdict against colleagues
    with the attainment relative to the median colleague), ``out_of_reach`` (targets out of reach of those
    judged) and ``cause_text`` (the cause in words; empty without one)."""
    tr = _tr(tr)
    out = pd.DataFrame(index=pd.Index(causes["manager"], name="manager"))
    out["colleagues"] = [
        tr.t("plan_verdicts.colleagues_cell", verdict=tr.verdict(v), ratio=tr.pct(r))
        if pd.notna(r)
        else tr.verdict(v)
        for v, r in zip(causes["versus_team"], causes["mean_vs_team"], strict=True)
    ]
    out["out_of_reach"] = [
        tr.t("plan_verdicts.out_of_reach_cell", far=tr.count(f), judged=tr.count(j)) if j else "–"
        for f, j in zip(causes["targets_out_of_reach"], causes["targets_judged"], strict=True)
    ]
    out["cause_text"] = [
        "" if pd.isna(c) else tr.t(f"plan_verdicts.cause.{str(c).replace(' ', '_').replace('-', '_')}")
        for c in causes["cause"]
    ]
    return out
