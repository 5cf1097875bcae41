"""The plan of a group of managers: a team's own target, else its members' targets; the company's, the teams'.

The rule (README.md, "Plans"): a team's plan for a period is the team's own target when the plan has one (a
plan row naming the ``team``; months roll up to quarters and years as for a manager), else the sum of the
targets of its members active in the period, provided every member with orders or closed leads in it has one
(:func:`kpi_toolkit.kpis.total_kpis`). The company's plan is the sum of the teams' plans (and of the
members' targets of the managers without a team), NaN when one of them is missing.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.kpis import manager_kpis, total_kpis
from kpi_toolkit.periods import Period

__all__ = ["TEAM_PLAN_COLUMNS", "group_plan", "team_plans"]

#: Columns of :func:`team_plans`.
TEAM_PLAN_COLUMNS = ("team", "sales_plan", "members_plan", "source", "missing")


def _members(data: SalesData, period: Period, team: str | None) -> tuple[float, list[str], int]:
    kpis = manager_kpis(data, period=period, team=team)
    total = total_kpis(kpis)
    return float(total["sales_plan"]), list(total.attrs["plan_missing"]), len(kpis)


def team_plans(data: SalesData, *, period: str | Period) -> pd.DataFrame:
    """Each team's plan for ``period``, and where it comes from.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TEAM_PLAN_COLUMNS`, one row per team (sorted): ``sales_plan`` (the team's plan, NaN
        when missing), ``members_plan`` (the sum of its members' targets by the group rule, NaN when one
        is missing), ``source`` (``"team"``: the team's own target; ``"members"``: the sum of its members';
        ``"missing"``: neither; ``"no members"``: nobody of the team was employed in the period), ``missing``
        (the managers whose target is missing, comma-separated; empty when none).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "bob"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-07-03", "2026-08-03"], "amount": [300.0, 100.0]})
    >>> managers = pd.DataFrame({"manager": ["ann", "bob"], "name": ["Ann", "Bob"], "team": ["N", "N"]})
    >>> plans = pd.DataFrame({"manager": ["ann", "bob", None], "team": [None, None, "N"],
    ...                       "period": ["2026Q3"] * 3, "metric": ["sales_volume"] * 3,
    ...                       "target": [200.0, 200.0, 420.0]})
    >>> data = kt.from_frames(orders, plans=plans, managers=managers)
    >>> team_plans(data, period="2026Q3")[["team", "sales_plan", "members_plan", "source"]]
      team  sales_plan  members_plan source
    0    N       420.0         400.0   team
    """
    p = data.period(period)
    teams = list(data.teams)
    own = data.team_plan_book.targets(teams, p, "sales_volume")
    rows = []
    for team in teams:
        members, missing, n = _members(data, p, team)
        target = float(own[team])
        if not math.isnan(target):
            source, plan = "team", target
        else:
            source = "members" if not math.isnan(members) else ("no members" if n == 0 else "missing")
            plan = members
        rows.append((team, plan, members, source, ", ".join(missing)))
    out = pd.DataFrame(rows, columns=list(TEAM_PLAN_COLUMNS))
    return out.astype(
        {
            "team": "string",
            "sales_plan": "float64",
            "members_plan": "float64",
            "source": "string",
            "missing": "string",
        }
    )


def group_plan(data: SalesData, *, period: str | Period, team: str | None = None) -> float:
    """The plan of ``team`` (the company's when ``None``) for ``period``: the module's rule; NaN when missing.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1"], "manager": ["ann"], "customer_id": ["c"],
    ...                        "ordered_at": ["2026-07-03"], "amount": [300.0]})
    >>> managers = pd.DataFrame({"manager": ["ann", "bob"], "name": ["Ann", "Bob"], "team": ["N", "S"]})
    >>> plans = pd.DataFrame({"manager": ["ann", None], "team": [None, "S"], "period": ["2026Q3"] * 2,
    ...                       "metric": ["sales_volume"] * 2, "target": [200.0, 50.0]})
    >>> data = kt.from_frames(orders, plans=plans, managers=managers)
    >>> group_plan(data, period="2026Q3"), group_plan(data, period="2026Q3", team="S")
    (250.0, 50.0)
    """
    p = data.period(period)
    if team:
        plans = team_plans(data, period=p)
        data.managers_of(team)  # an unknown team: the usual error
        return float(plans.loc[plans["team"] == team, "sales_plan"].iloc[0])
    if data.team_plan_book.empty:
        return _members(data, p, None)[0]
    plans = team_plans(data, period=p)
    parts = plans.loc[plans["source"] != "no members", "sales_plan"].to_numpy(dtype="float64")
    info = data.manager_info
    loose = [m for m in data.managers_of(None, period=p) if pd.isna(info.at[m, "team"])]
    if loose:
        kpis = manager_kpis(data, period=p).loc[loose]
        parts = np.append(parts, total_kpis(kpis)["sales_plan"])
    if not len(parts) or np.isnan(parts).any():
        return math.nan
    return float(parts.sum())
