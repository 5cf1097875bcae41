""":func:`plan_gap`: each manager's gap against a baseline split into the effects of the drivers, and the
TOTAL measured on the group's plan (a team's target, else its members'; the company's, the teams').
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import PLAN_GAP_COLUMNS, decompose_gap
from kpi_toolkit.gap.decompose import NUMERIC_COLUMNS
from kpi_toolkit.gap.drivers import _check_choice
from kpi_toolkit.gap.period_baselines import _baseline
from kpi_toolkit.gap.period_counts import _counts, _mode, _return_pools
from kpi_toolkit.gap.uncertainty import EFFECT_INTERVAL_COLUMNS, effect_intervals
from kpi_toolkit.group_plans import group_plan
from kpi_toolkit.periods import Period

Baseline = Literal["plan", "previous", "last_year", "team"]
#: The baselines of :func:`plan_gap`.
BASELINES = ("plan", "previous", "last_year", "team")
#: The column :func:`plan_gap` adds after :data:`kpi_toolkit.gap.PLAN_GAP_COLUMNS` (issue 15): the part of the
#: TOTAL's gap that is the group's plan above (or below) its members' targets.
TEAM_PLAN_EFFECT = "team_plan_effect"


def plan_gap(
    data: SalesData,
    *,
    period: str | Period,
    baseline: Baseline = "plan",
    team: str | None = None,
    method: Literal["lmdi", "shapley"] = "lmdi",
) -> pd.DataFrame:
    """Each manager's sales volume against a baseline, the gap split into the effects of its drivers.

    Parameters
    ----------
    data : SalesData
        A validated data set (:func:`kpi_toolkit.load`).
    period : str or Period
        The period to explain, e.g. ``"2026Q3"``.
    baseline : {"plan", "previous", "last_year", "team"}, default "plan"
        What the actual is measured against: the plan (its ``sales_volume`` target and any driver targets;
        the drivers without a target from the manager's **own** mix of the previous period, else of the
        same period a year before, else the team's, scaled to the target, see
        :func:`kpi_toolkit.gap.plan_baseline`); the previous period; the same period a year before; or the
        manager's own leads (orders, without a leads table) at the team's pooled conversion, orders per win
        and average check (:func:`kpi_toolkit.gap.team_baseline`; the leads effect is then 0).
    team : str, optional
        Only this team's managers (the team's mix for the plan baseline); every manager when ``None``. With
        an ``assignments`` table (team moves), as in :func:`kpi_toolkit.manager_kpis`: every manager who was
        in the team on some day of the period, with only the orders, leads and returns that belong to the
        team and their level targets pro-rated by their days in it (the previous and last-year baselines:
        what they sold in the team then); the rows and the TOTAL then agree with ``manager_kpis(team=...)``
        and the team's plan.
    method : {"lmdi", "shapley"}, default "lmdi"
        Additive LMDI-I (Ang 2005) or Shapley.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`kpi_toolkit.gap.PLAN_GAP_COLUMNS` (``manager, actual, baseline_value, gap,
        leads_effect, conversion_effect, orders_per_win_effect, orders_effect, average_check_effect,
        reference, method, returns_effect, margin_effect``) and :data:`TEAM_PLAN_EFFECT`
        (``team_plan_effect``), one row per manager (sorted) and a last row ``manager="TOTAL"`` whose
        values are the sums over the decomposed managers (its ``method`` names the managers left out and
        their volume), except that against the plan its ``baseline_value`` is the group's plan, as in
        :func:`kpi_toolkit.total_kpis` and the report headlines: a team's own target when the plan has
        one, else the sum of its members' targets; the company's, the sum of the teams'
        (:func:`kpi_toolkit.group_plans.group_plan`). ``team_plan_effect`` is then the members' targets
        minus the group's plan (negative when the team's target is above its members'), so that the
        driver effects plus ``team_plan_effect`` add up to ``gap`` in every row; it is 0 in the managers'
        rows, against the other baselines, and when the TOTAL keeps the members' sum (the group's plan
        missing, a manager not decomposed, a plan metric other than ``sales_volume``).
        ``attrs["effect_intervals"]``:
        :func:`kpi_toolkit.gap.effect_intervals` (per manager, TOTAL and effect, a 95 % bootstrap interval
        and ``within_noise``: could that effect be noise?); ``attrs["left_out"]``: ``{"managers": [...],
        "actual": volume}`` of the managers not decomposed (e.g. without a plan); ``attrs["metric"]``: the
        metric the gap is measured on (``data.plan_metric``).

    Raises
    ------
    ParameterError
        If ``baseline``, ``method`` or ``team`` is unknown, or the period starts after the data's last date.

    Notes
    -----
    Drivers: with a leads table, ``sales_volume = leads_closed x conversion x orders_per_win x
    average_check``, where ``orders_per_win = orders / leads_won`` of the same period; it therefore also
    carries repeat orders and orders from leads closed in other periods (see :func:`volume_sources` for the
    split of the volume into lead-sourced and other orders). Without leads, ``orders x average_check``.
    The effects add up to the gap exactly (LMDI-I; zeros by the limits of Ang & Liu 2007), see
    :func:`kpi_toolkit.gap.decompose_gap` for the edge cases.

    The gap is measured on the data set's plan metric (``kt.load(..., plan_metric=...)``), against every
    baseline. On ``net_sales`` the product gains the factor ``1 - return_rate`` (``returns_effect``), on
    ``gross_margin`` also the margin rate (``margin_effect``); both NaN on ``sales_volume``. The plan's
    rates are those its targets imply (``1 - net_sales / sales_volume``; ``gross_margin / net_sales``; with
    volume, gross-margin and margin-rate targets but no net-sales target, the net sales ``gross_margin /
    margin_rate`` and so the return rate they imply, all three targets holding; a margin-rate target that
    contradicts the level targets is not used and ``reference`` says so; README, "Margin targets"), else the
    manager's own of the same reference period as the mix (else the team's pooled), unscaled, so that the
    plan's ambition lands on the volume drivers; the previous and last-year baselines take that period's
    rates, the team baseline the team's pooled rates of the period.

    A plan of the volume alone says nothing about leads or conversion; the team's mix of the same period
    would split a gap the whole team shares (conversion fell for everyone) evenly over the four drivers.
    The manager's own previous mix, scaled to the plan, is a reference that exists: the drivers that
    changed since carry the gap. It is a sample too: the effects come with bootstrap intervals
    (``attrs``), and an effect whose interval holds 0 is within noise.

    ``reference`` says what the baseline was built from (``"plan: targets for sales_volume; ... = own
    2026Q2 mix x 1.02"``, ``"previous: 2026Q2"``, ``"last_year: 2025Q3"``, ``"team: own leads_closed,
    ..."``). A baseline that does not exist (no plan for the period, a previous period before the data
    starts) gives the managers rows of NaN, ``method`` ``"none; ..."`` and the reason in ``reference``,
    never a crash; the TOTAL row is then NaN too.

    References
    ----------
    Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical guide. Energy Policy 33(7),
    867-871.
    Ang, B. W., & Liu, N. (2007). Handling zero values in the logarithmic mean Divisia index decomposition
    approach. Energy Policy 35(1), 238-246.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-04-03", "2026-07-01"], "amount": [1000.0, 1100.0]})
    >>> data = kt.from_frames(orders)
    >>> gap = kt.plan_gap(data, period="2026Q3", baseline="previous")
    >>> gap[["manager", "actual", "baseline_value", "gap", "orders_effect", "average_check_effect"]].round(2)
      manager  actual  baseline_value    gap  orders_effect  average_check_effect
    0     ann  1100.0          1000.0  100.0            0.0                 100.0
    1   TOTAL  1100.0          1000.0  100.0            0.0                 100.0
    >>> print(gap.loc[0, "reference"])
    previous: 2026Q2
    """
    _check_choice("baseline", baseline, BASELINES)
    _check_choice("method", method, ("lmdi", "shapley"))
    p = data.period(period)
    if p.start > data.last_date:
        raise ParameterError(
            f"period={str(p)!r} starts after the data's last date {data.last_date.date()}. "
            "Fix: choose a period the data covers."
        )
    managers = data.managers_of(team, period=p)
    actual = _counts(data, p, managers, team)
    base = _baseline(data, p, managers, actual, baseline, team)
    metric = data.plan_metric
    gap = decompose_gap(actual, base, method=method, mode=_mode(data), reference=baseline, metric=metric)
    managers_rows = gap.iloc[:-1]
    left = managers_rows[managers_rows["method"].str.startswith("none")]
    left_out = {"managers": left["manager"].tolist(), "actual": float(left["actual"].fillna(0.0).sum())}
    intervals = pd.DataFrame({c: [] for c in EFFECT_INTERVAL_COLUMNS})
    if len(left) < len(managers_rows):
        sample = data.sample_orders(periods=[p], managers=managers, max_orders=5000)
        if team and data.membership.dated:  # a mover's orders of their days in the team
            sample = sample[data.membership.holds(team, sample["manager"], sample["ordered_at"])]
        groups = dict(list(sample.groupby("manager")))
        amounts = {str(m): g["amount"].to_numpy(dtype="float64") for m, g in groups.items()}
        costs = (
            {str(m): g["cost"].to_numpy(dtype="float64") for m, g in groups.items()}
            if data.has_costs
            else None
        )
        intervals = effect_intervals(
            actual,
            base,
            amounts=amounts,
            method=method,
            mode=_mode(data),
            metric=metric,
            costs=costs,
            returns=_return_pools(data, p, team) if metric != "sales_volume" else None,
        )
    if len(managers_rows) and managers_rows["method"].str.startswith("none").all():
        # nothing decomposed: the team's gap is unknown too (not a sum over no manager, 0)
        last = gap.index[-1]
        gap.loc[last, list(NUMERIC_COLUMNS[1:])] = np.nan
        gap.loc[last, "actual"] = float(managers_rows["actual"].sum())
        gap.loc[last, "reference"] = str(managers_rows["reference"].iloc[0])
        gap.loc[last, "method"] = "none; no manager could be decomposed"
    out = gap.loc[:, list(PLAN_GAP_COLUMNS)]
    out[TEAM_PLAN_EFFECT] = 0.0
    if baseline == "plan":
        _group_total(data, p, team, out, left_out)
    out.attrs.update({"effect_intervals": intervals, "left_out": left_out, "metric": metric})
    return out


def _group_total(
    data: SalesData, period: Period, team: str | None, out: pd.DataFrame, left_out: dict[str, object]
) -> None:
    """Measure the TOTAL row against the group's plan (:func:`kpi_toolkit.group_plans.group_plan`: a team's
    own target, else its members'; the company's, the sum of the teams'), as ``total_kpis`` and the report
    headlines do; ``team_plan_effect`` is the members' targets minus that plan, so that the drivers' effects
    and it add up to the TOTAL's gap. Left as the members' sum when the group's plan is missing, when a
    manager could not be decomposed (the drivers would not cover the group's volume), or on a plan metric
    other than the sales volume (the team targets are volume targets)."""
    last = out.index[-1]
    if data.plan_metric != "sales_volume" or left_out["managers"] or pd.isna(out.at[last, "gap"]):
        return
    plan = group_plan(data, period=period, team=team)
    members = float(out.at[last, "baseline_value"])
    if np.isnan(plan) or np.isclose(plan, members, rtol=1e-12, atol=1e-9):
        return
    out.at[last, "baseline_value"] = plan
    out.at[last, "gap"] = float(out.at[last, "actual"]) - plan
    out.at[last, TEAM_PLAN_EFFECT] = members - plan
    source = "the team's target" if team else "the teams' plans"
    out.at[last, "method"] = (
        f"{out.at[last, 'method']}; plan: {source}, {plan - members:+,.0f} on the members'"
    )
