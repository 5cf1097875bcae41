"""The manager or the plan? Two verdicts on a manager's misses combined into one cause.

A manager who misses the plan may trail colleagues (training may help), or miss a plan that their own history
put out of reach (the plan is the problem), or both. :func:`miss_causes_from` sets the verdict against the
plan, the verdict against colleagues (both from :func:`kpi_toolkit.gap.miss_evidence`) and the realism of the
manager's targets (:func:`kpi_toolkit.plan_realism`) side by side and names the cause; :func:`plan_findings`
says, per team, whether most of the team misses a plan that was out of reach, so that a report can lead
with the plan before it names anyone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CAUSES", "MISS_CAUSE_COLUMNS", "PLAN_FINDING_COLUMNS", "miss_causes_from", "plan_findings"]

#: Columns of :func:`miss_causes_from` (and :func:`kpi_toolkit.miss_causes`).
MISS_CAUSE_COLUMNS = (
    "manager",
    "team",
    "versus_plan",
    "versus_team",
    "mean_attainment",
    "mean_vs_team",
    "targets_judged",
    "targets_out_of_reach",
    "plan_out_of_reach",
    "cause",
)
#: The values of ``cause`` (NA when neither verdict is ``systematic``).
CAUSES = ("behind colleagues", "behind an out-of-reach plan", "both", "behind plan")
#: Columns of :func:`plan_findings`.
PLAN_FINDING_COLUMNS = (
    "team",
    "managers_judged",
    "missing_plan",
    "missing_out_of_reach",
    "behind_colleagues",
    "plan_is_the_finding",
)
_JUDGED = ("realistic", "stretch", "out of reach")


def _cause(plan: bool, team: bool, out_of_reach: bool) -> object:
    if team and out_of_reach:
        return "both"
    if team:
        return "behind colleagues"
    if plan and out_of_reach:
        return "behind an out-of-reach plan"
    if plan:
        return "behind plan"
    return pd.NA


def miss_causes_from(
    versus_plan: pd.DataFrame, versus_team: pd.DataFrame, realism: pd.DataFrame, teams: pd.Series
) -> pd.DataFrame:
    """Combine the verdict against the plan, the verdict against colleagues and the targets' realism.

    Parameters
    ----------
    versus_plan, versus_team
        Verdicts with at least ``manager, mean_attainment, verdict``
        (:func:`kpi_toolkit.systematic_misses` with ``versus="plan"`` and ``versus="team"``).
    realism
        :func:`kpi_toolkit.plan_realism` over the same periods (its ``TOTAL`` rows are ignored).
    teams
        Each manager's team, indexed by manager.

    Returns
    -------
    pandas.DataFrame
        One row per manager of ``versus_plan`` (same order), columns :data:`MISS_CAUSE_COLUMNS`:
        ``versus_plan`` and ``versus_team`` the two verdicts; ``mean_attainment`` against the plan and
        ``mean_vs_team`` against the team's median attainment (1 = the median colleague);
        ``targets_judged`` the manager's targets in the periods with a realism verdict (``realistic``,
        ``stretch`` or ``out of reach``) and ``targets_out_of_reach`` how many were out of reach;
        ``plan_out_of_reach`` true when more than half of the judged targets were; ``cause`` one of
        :data:`CAUSES`: ``"both"`` (behind colleagues and behind an out-of-reach plan),
        ``"behind colleagues"``, ``"behind an out-of-reach plan"`` (systematic against the plan, not
        behind colleagues, the plan mostly out of reach) or ``"behind plan"`` (systematic against the plan
        only: neither colleagues nor the history explain it); NA when neither verdict is systematic.

    Examples
    --------
    >>> plan = pd.DataFrame({"manager": ["a", "b"], "mean_attainment": [0.6, 0.9],
    ...                      "verdict": ["systematic", "systematic"]})
    >>> team = pd.DataFrame({"manager": ["a", "b"], "mean_attainment": [0.7, 1.05],
    ...                      "verdict": ["systematic", "not systematic"]})
    >>> realism = pd.DataFrame({"manager": ["a", "b", "b"], "period": ["2026Q1"] * 3,
    ...                         "verdict": ["realistic", "out of reach", "out of reach"]})
    >>> miss_causes_from(plan, team, realism, pd.Series({"a": "T", "b": "T"}))["cause"].tolist()
    ['behind colleagues', 'behind an out-of-reach plan']
    """
    out = pd.DataFrame({"manager": versus_plan["manager"].astype("string").to_numpy()})
    # look-ups by manager id, vectorised (a manager missing from a table: no team, no colleague verdict)
    team = teams.reindex(out["manager"].to_numpy())
    out["team"] = pd.array([None if pd.isna(t) else str(t) for t in team], dtype="string")
    out["versus_plan"] = versus_plan["verdict"].astype("string").to_numpy()
    against = versus_team.set_index("manager")
    found = out["manager"].isin(against.index).to_numpy()
    verdict = against["verdict"].reindex(out["manager"].to_numpy()).astype("object")
    out["versus_team"] = pd.array(np.where(found, verdict.to_numpy(), "insufficient data"), dtype="string")
    out["mean_attainment"] = versus_plan["mean_attainment"].to_numpy(float)
    out["mean_vs_team"] = against["mean_attainment"].reindex(out["manager"].to_numpy()).to_numpy(float)
    own = realism[realism["manager"] != "TOTAL"]
    judged = own[own["verdict"].isin(_JUDGED)]
    out["targets_judged"] = judged.groupby("manager").size().reindex(out["manager"], fill_value=0).to_numpy()
    far = judged[judged["verdict"] == "out of reach"].groupby("manager").size()
    out["targets_out_of_reach"] = far.reindex(out["manager"], fill_value=0).to_numpy()
    out["plan_out_of_reach"] = (2 * out["targets_out_of_reach"] > out["targets_judged"]) & (
        out["targets_judged"] > 0
    )
    out["cause"] = pd.array(
        [
            _cause(p == "systematic", t == "systematic", bool(o))
            for p, t, o in zip(out["versus_plan"], out["versus_team"], out["plan_out_of_reach"], strict=True)
        ],
        dtype="string",
    )
    out = out.astype({"targets_judged": "int64", "targets_out_of_reach": "int64", "plan_out_of_reach": bool})
    return out.loc[:, list(MISS_CAUSE_COLUMNS)]


def plan_findings(causes: pd.DataFrame) -> pd.DataFrame:
    """Per team: does most of the team miss a plan that was out of reach?

    Parameters
    ----------
    causes
        :func:`miss_causes_from` (or :func:`kpi_toolkit.miss_causes`).

    Returns
    -------
    pandas.DataFrame
        One row per team (sorted; managers without a team form a team of NA), columns
        :data:`PLAN_FINDING_COLUMNS`: ``managers_judged`` (a verdict against the plan other than
        ``insufficient data``), ``missing_plan`` (systematic against the plan), ``missing_out_of_reach``
        (systematic against a plan mostly out of reach), ``behind_colleagues`` (systematic against the
        team), ``plan_is_the_finding``: more than half of the judged managers miss an out-of-reach plan.

    Examples
    --------
    >>> causes = pd.DataFrame({"manager": ["a", "b", "c"], "team": ["T"] * 3,
    ...     "versus_plan": ["systematic", "systematic", "not systematic"],
    ...     "versus_team": ["not systematic"] * 3, "plan_out_of_reach": [True, True, False]})
    >>> plan_findings(causes)[["team", "missing_out_of_reach", "plan_is_the_finding"]]
      team  missing_out_of_reach  plan_is_the_finding
    0    T                     2                 True
    """
    c = causes.assign(
        _judged=causes["versus_plan"] != "insufficient data",
        _missing=causes["versus_plan"] == "systematic",
        _far=(causes["versus_plan"] == "systematic") & causes["plan_out_of_reach"].astype(bool),
        _behind=causes["versus_team"] == "systematic",
    )
    grouped = c.groupby("team", dropna=False, sort=True)
    out = pd.DataFrame(
        {
            "managers_judged": grouped["_judged"].sum(),
            "missing_plan": grouped["_missing"].sum(),
            "missing_out_of_reach": grouped["_far"].sum(),
            "behind_colleagues": grouped["_behind"].sum(),
        }
    ).astype("int64")
    out["plan_is_the_finding"] = 2 * out["missing_out_of_reach"] > out["managers_judged"]
    out = out.reset_index()
    out["team"] = out["team"].astype("string")
    return out.loc[:, list(PLAN_FINDING_COLUMNS)]
