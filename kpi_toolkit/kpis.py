"""The five KPIs every sales department measures, per manager and period, against plan.

Definitions for a period P and a manager m (README.md, "The KPIs"):

- ``sales_volume``: sum of ``amount`` of m's orders with ``ordered_at`` in P; ``orders``: their count;
  ``average_check = sales_volume / orders`` (NaN when no orders).
- ``leads_closed``, ``leads_won``: m's leads with status won or lost (resp. won) and ``closed_at`` in P;
  ``conversion = leads_won / leads_closed`` (NaN when none closed). NaN, all three, without a leads table.
- ``new_customers``: customers whose first order in the whole data set falls in P and was taken by m.
- ``sales_plan``: m's target for P of the data set's plan metric (``sales_volume`` unless
  ``kt.load(..., plan_metric=...)`` says ``net_sales`` or ``gross_margin``) by the roll-up rule
  (:mod:`kpi_toolkit.plans`); ``plan_attainment`` = that metric / ``sales_plan`` as a fraction (1.0 is 100 %),
  NaN without a positive target.
- ``returns``: sum of the amounts of m's returns booked (``returned_at``) in P (0 without a returns table);
  ``net_sales = sales_volume - returns``; ``gross_margin = net_sales - cost of m's orders in P + cost of m's
  returns in P`` (NaN when orders have no cost); ``margin_rate = gross_margin / net_sales`` (NaN unless
  net sales are positive and costs known). A return belongs to its order's manager
  (:mod:`kpi_toolkit.returns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.aggregate import SUM_COLUMNS, check_finite_sums
from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period, parse_periods

__all__ = [
    "CHANGE_COLUMNS",
    "COUNT_KPIS",
    "KPI_COLUMNS",
    "MONEY_KPIS",
    "RATE_KPIS",
    "kpi_change",
    "kpi_history",
    "manager_kpis",
    "period_sums",
    "total_kpis",
    "year_to_date_kpis",
]

KPI_COLUMNS = (
    "sales_volume",
    "orders",
    "average_check",
    "leads_closed",
    "leads_won",
    "conversion",
    "new_customers",
    "sales_plan",
    "plan_attainment",
    "returns",
    "net_sales",
    "gross_margin",
    "margin_rate",
)
#: Fractions: their change is reported in percentage points.
RATE_KPIS = ("conversion", "plan_attainment", "margin_rate")
MONEY_KPIS = ("sales_volume", "average_check", "sales_plan", "returns", "net_sales", "gross_margin")
COUNT_KPIS = ("orders", "leads_closed", "leads_won", "new_customers")
CHANGE_COLUMNS = (
    "manager",
    "metric",
    "period",
    "reference_period",
    "value",
    "reference_value",
    "absolute_change",
    "relative_change",
    "pp_change",
)


def period_sums(
    data: SalesData, *, months: Sequence[str], managers: Sequence[str], team: str | None = None
) -> pd.DataFrame:
    """Sums and counts of :data:`kpi_toolkit.aggregate.SUM_COLUMNS` over ``months``, one row per manager.

    Every manager of ``managers`` appears (zeros where there was no activity), in the given order. With
    ``team`` and an ``assignments`` table, only the orders and leads that belong to ``team`` (the manager's
    team on the order's or lead's day) count.
    """
    if team and data.membership.dated:
        monthly = data.monthly_by_team
        monthly = monthly[monthly["team"] == team]
    else:
        monthly = data.monthly
    rows = monthly[monthly["month"].isin(list(months))]
    sums = rows.groupby("manager", sort=True)[list(SUM_COLUMNS)].sum()
    check_finite_sums(sums, where=f"months {months[0]} to {months[-1]}" if len(months) else "no months")
    index = pd.Index(list(managers), name="manager", dtype="string")
    return sums.reindex(index, fill_value=0)


def active_managers(data: SalesData, periods: Sequence[Period], team: str | None = None) -> list[str]:
    """The managers of ``team`` (everyone when ``None``) active in at least one of ``periods``, sorted by id:
    employed on at least one of its days and, with ``assignments``, in ``team`` on some day of it (as
    :func:`manager_kpis` lists them, over a window of several periods)."""
    employed = {m for part in periods for m in data.managers_of(team, period=part)}
    return [m for m in data.managers_of(team) if m in employed]


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


def _kpis(data: SalesData, sums: pd.DataFrame, plan: pd.Series) -> pd.DataFrame:
    # numpy columns, one frame at the end: a third of the time of a column at a time into a frame
    n = len(sums)
    column = {c: sums[c].to_numpy(dtype="float64") for c in SUM_COLUMNS}
    missing = np.full(n, np.nan)
    has_leads = data.leads is not None
    closed, won = (column["leads_closed"], column["leads_won"]) if has_leads else (missing, missing)
    volume, returns = column["sales_volume"], column["returns"]
    net = volume - returns
    margin = net - column["order_cost"] + column["return_cost"] if data.has_costs else missing
    out = {
        "sales_volume": volume,
        "orders": sums["orders"].to_numpy(dtype="int64"),
        "average_check": _ratio(volume, column["orders"]),
        "leads_closed": closed,
        "leads_won": won,
        "conversion": _ratio(won, closed),
        "new_customers": sums["new_customers"].to_numpy(dtype="int64"),
        "returns": returns,
        "net_sales": net,
        "gross_margin": margin,
        "margin_rate": _ratio(margin, net),
        "sales_plan": plan.reindex(sums.index).astype("float64").to_numpy(),
    }
    out["plan_attainment"] = _ratio(out[data.plan_metric].astype("float64"), out["sales_plan"])
    return pd.DataFrame({c: out[c] for c in KPI_COLUMNS}, index=sums.index)


def targets_in_team(data: SalesData, plan: pd.Series, team: str | None, period: Period) -> pd.Series:
    """With ``assignments``, a manager's target inside ``team`` is pro-rated by their days in it (of their
    days employed in ``period``); ``attrs["prorated"]`` is kept."""
    if not team or not data.membership.dated:
        return plan
    share = data.membership.share(list(plan.index), team, period, data.employment)
    out = plan * share.to_numpy()
    out.attrs = plan.attrs
    return out


def manager_kpis(data: SalesData, *, period: str | Period, team: str | None = None) -> pd.DataFrame:
    """Every manager's KPIs for one period, with the sales plan and its attainment.

    Parameters
    ----------
    data
        A validated data set (:func:`kpi_toolkit.load`).
    period
        ``2026Q3`` (quarter), ``2026-07`` (month) or ``2026`` (year), in the data set's fiscal year.
    team
        Only this team's managers; every manager when ``None`` or empty. With an ``assignments`` table
        (team moves), every manager who was in the team on some day of the period, with only the orders
        (by ``ordered_at``) and leads (by ``closed_at``, ``created_at``) that belong to the team, and their
        target pro-rated by their days in the team (of their days employed in the period).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``manager`` (sorted), columns exactly :data:`KPI_COLUMNS`. Every manager active in the
        period appears (employed on at least one of its days, by ``hired_at`` and ``left_at`` of the
        managers table), also without activity (counts 0, ratios NaN). ``attrs["plan_prorated"]`` maps the
        managers employed on only part of the period to the sub-periods whose targets make their plan;
        ``attrs["plan_missing"]`` maps the managers without a plan to the periods whose targets are missing
        (e.g. ``{"bob": ["2026-09"]}``).

    Notes
    -----
    NaN policy: ``average_check`` is NaN without orders, ``conversion`` without closed leads; the three lead
    columns are NaN when the data set has no leads table; ``sales_plan`` is NaN without a ``sales_volume``
    target for the period (months roll up to quarters and years, never the reverse), and
    ``plan_attainment`` is NaN unless the plan is positive. Money is summed unrounded. A manager employed on
    only part of the period (a joiner, a leaver) is planned the sum of the targets of the sub-periods (months
    of a quarter, quarters of a year) in which they were employed; NaN when one of those has no target,
    unless a target is given for exactly the period (README, "Plans").

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2", "3"], "manager": ["ann", "ann", "bob"],
    ...                        "customer_id": ["c1", "c2", "c1"], "amount": [100.0, 300.0, 50.0],
    ...                        "ordered_at": ["2026-07-01", "2026-08-01", "2026-09-01"]})
    >>> plans = pd.DataFrame({"manager": ["ann"], "period": ["2026Q3"], "metric": ["sales_volume"],
    ...                       "target": [500.0]})
    >>> kpis = kt.manager_kpis(kt.from_frames(orders, plans=plans), period="2026Q3")
    >>> kpis[["sales_volume", "orders", "average_check", "new_customers", "plan_attainment"]]
             sales_volume  orders  average_check  new_customers  plan_attainment
    manager
    ann             400.0       2          200.0              2              0.8
    bob              50.0       1           50.0              0              NaN
    """
    p = data.period(period)
    managers = data.managers_of(team, period=p)
    sums = period_sums(data, months=p.months, managers=managers, team=team)
    plan = targets_in_team(data, data.plan_book.targets(managers, p, data.plan_metric), team, p)
    out = _kpis(data, sums, plan)
    out.attrs["plan_prorated"] = plan.attrs.get("prorated", {})
    out.attrs["plan_missing"] = data.plan_book.missing(managers, p, data.plan_metric)
    out.attrs["plan_metric"] = data.plan_metric
    return out


def year_to_date_kpis(data: SalesData, *, period: str | Period, team: str | None = None) -> pd.DataFrame:
    """KPIs from the start of the fiscal year to the end of ``period`` (the columns of :func:`manager_kpis`).

    ``sales_plan`` is the sum of the targets of the year's periods up to ``period`` (of ``period``'s kind)
    in which the manager was employed, NaN unless every one of them has a target. The managers employed in
    at least one of those periods appear.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "c"],
    ...                        "ordered_at": ["2026-02-01", "2026-08-01"], "amount": [10.0, 20.0]})
    >>> float(kt.year_to_date_kpis(kt.from_frames(orders), period="2026Q3").loc["ann", "sales_volume"])
    30.0
    """
    p = data.period(period)
    window = p.year_to_date()
    managers = active_managers(data, window, team)
    months = [m for part in window for m in part.months]
    sums = period_sums(data, months=months, managers=managers, team=team)
    targets = pd.concat(
        [
            targets_in_team(data, data.plan_book.targets(managers, part, data.plan_metric), team, part)
            for part in window
        ],
        axis=1,
    )
    active = pd.concat([data.employment.active(managers, part) for part in window], axis=1).to_numpy()
    plan = targets.where(active, 0.0).sum(axis=1).where((targets.notna() | ~active).all(axis=1))
    out = _kpis(data, sums, plan)
    out.attrs["plan_metric"] = data.plan_metric
    return out


def kpi_history(
    data: SalesData, *, periods: str | Sequence[str | Period], team: str | None = None
) -> pd.DataFrame:
    """:func:`manager_kpis` for each period of a window, stacked.

    Parameters
    ----------
    periods
        A list of labels or a range ``"2025Q4:2026Q3"`` (both ends included).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``manager``, ``period``), sorted by manager and then period in time order, with the
        columns :data:`KPI_COLUMNS`.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1"], "manager": ["ann"], "customer_id": ["c"],
    ...                        "ordered_at": ["2026-05-01"], "amount": [10.0]})
    >>> kt.kpi_history(kt.from_frames(orders), periods="2026Q2:2026Q3")["orders"].tolist()
    [1, 0]
    """
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start)
    frames = [manager_kpis(data, period=p, team=team).assign(period=str(p)) for p in window]
    history = pd.concat(frames).reset_index()
    history["period"] = pd.Categorical(history["period"], categories=[str(p) for p in window], ordered=True)
    history = history.sort_values(["manager", "period"], kind="stable")
    history["period"] = history["period"].astype("string")
    return history.set_index(["manager", "period"])


def kpi_change(
    data: SalesData,
    *,
    period: str | Period,
    versus: Literal["previous", "last_year"] = "previous",
    team: str | None = None,
) -> pd.DataFrame:
    """Change of every KPI against the previous period or the same period a year before.

    Returns
    -------
    pandas.DataFrame
        One row per manager active in ``period`` and KPI (managers sorted, KPIs in :data:`KPI_COLUMNS`
        order; ``reference_value`` NaN for a manager not employed in the reference period), columns
        :data:`CHANGE_COLUMNS`: ``value`` and ``reference_value``; ``absolute_change`` (value - reference,
        for counts and money; NaN for rates); ``relative_change`` (value / reference - 1; NaN when the
        reference is 0 or missing); ``pp_change`` (percentage points, 100 x (value - reference), for the
        rates ``conversion`` and ``plan_attainment``; NaN for the others).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2", "3"], "manager": ["ann"] * 3, "customer_id": ["c"] * 3,
    ...                        "ordered_at": ["2026-05-01", "2026-08-01", "2026-08-02"],
    ...                        "amount": [100.0, 100.0, 50.0]})
    >>> change = kt.kpi_change(kt.from_frames(orders), period="2026Q3")
    >>> columns = ["value", "absolute_change", "relative_change"]
    >>> change.set_index("metric").loc["sales_volume", columns].tolist()
    [150.0, 50.0, 0.5]
    """
    if versus not in ("previous", "last_year"):
        raise ParameterError(f"versus={versus!r} is not allowed. Fix: use 'previous' or 'last_year'.")
    p = data.period(period)
    reference = p.previous() if versus == "previous" else p.last_year()
    now = manager_kpis(data, period=p, team=team).astype("float64")
    # the managers active in the period; one who had left by then has no change to report
    then = manager_kpis(data, period=reference, team=team).astype("float64").reindex(now.index)
    value = now.stack(future_stack=True).rename("value")
    ref = then.stack(future_stack=True).rename("reference_value")
    out = pd.concat([value, ref], axis=1).reset_index(names=["manager", "metric"])
    is_rate = out["metric"].isin(RATE_KPIS)
    diff = out["value"] - out["reference_value"]
    out["absolute_change"] = diff.where(~is_rate)
    base = out["reference_value"]
    out["relative_change"] = (out["value"] / base - 1).where((base != 0) & base.notna())
    out["pp_change"] = (100 * diff).where(is_rate)
    out["period"] = str(p)
    out["reference_period"] = str(reference)
    out["metric"] = out["metric"].astype("string")
    return out.loc[:, list(CHANGE_COLUMNS)].reset_index(drop=True)


def total_kpis(kpis: pd.DataFrame, *, plan: float | None = None) -> pd.Series:
    """The KPIs of a group of managers together, from a :func:`manager_kpis` table.

    Counts and money are summed; ``average_check``, ``conversion``, ``margin_rate`` and ``plan_attainment``
    are recomputed from the sums (pooled, not averaged). The group's ``sales_plan`` is ``plan`` when given (a
    team's own target), else the sum of its managers' plans when every manager with orders or closed leads in
    the period has one: a manager with neither activity nor a plan does not blank the group's plan, and one
    with a plan but no activity counts with it. Otherwise it is NaN, and ``attrs["plan_missing"]`` lists the
    managers whose plan is missing (with ``attrs["plan_missing_periods"]``, the periods missing of each, when
    ``kpis`` comes from :func:`manager_kpis`), so that a report can say whose target is missing. The
    attainment is on the table's plan metric (``kpis.attrs["plan_metric"]``, set by :func:`manager_kpis`;
    ``sales_volume`` when absent); ``gross_margin`` is NaN when any manager's is.

    Examples
    --------
    >>> kpis = pd.DataFrame({"sales_volume": [100.0, 300.0, 0.0], "orders": [1, 3, 0],
    ...                      "average_check": [100.0, 100.0, np.nan], "leads_closed": [4.0, 6.0, 0.0],
    ...                      "leads_won": [1.0, 3.0, 0.0], "conversion": [0.25, 0.5, np.nan],
    ...                      "new_customers": [1, 0, 0], "sales_plan": [200.0, 200.0, np.nan],
    ...                      "plan_attainment": [0.5, 1.5, np.nan]},
    ...                     index=pd.Index(["ann", "bob", "cid"], name="manager"))
    >>> total_kpis(kpis)[["sales_volume", "conversion", "plan_attainment"]].tolist()
    [400.0, 0.4, 1.0]
    >>> total = total_kpis(kpis.assign(sales_plan=[200.0, np.nan, np.nan]))
    >>> float(total["sales_plan"]), total.attrs["plan_missing"]
    (nan, ['bob'])
    """
    sums = kpis[["sales_volume", "orders", "leads_closed", "leads_won", "new_customers"]].sum(min_count=1)
    check_finite_sums(sums.to_frame().T, where="the total of all managers")
    missing: list[str] = []
    if plan is None:
        planned = kpis["sales_plan"].notna()
        busy = (kpis["orders"] > 0) | (kpis["leads_closed"].fillna(0) > 0)
        missing = [str(m) for m in kpis.index[(busy & ~planned).to_numpy()]]
        group = float(kpis["sales_plan"].sum()) if planned.any() and not missing else np.nan
    else:
        group = float(plan)
    returns = float(kpis["returns"].sum()) if "returns" in kpis else 0.0
    net = float(kpis["sales_volume"].sum()) - returns
    margins = kpis["gross_margin"] if "gross_margin" in kpis else pd.Series(np.nan, index=kpis.index)
    margin = float(margins.sum()) if len(kpis) and margins.notna().all() else np.nan
    achieved = {"sales_volume": float(kpis["sales_volume"].sum()), "net_sales": net, "gross_margin": margin}
    metric = kpis.attrs.get("plan_metric", "sales_volume")
    total = pd.Series(
        {
            "sales_volume": float(kpis["sales_volume"].sum()),
            "orders": int(kpis["orders"].sum()),
            "average_check": sums["sales_volume"] / sums["orders"] if sums["orders"] > 0 else np.nan,
            "leads_closed": sums["leads_closed"],
            "leads_won": sums["leads_won"],
            "conversion": sums["leads_won"] / sums["leads_closed"] if sums["leads_closed"] > 0 else np.nan,
            "new_customers": int(kpis["new_customers"].sum()),
            "sales_plan": group,
            "plan_attainment": achieved[metric] / group if group > 0 else np.nan,
            "returns": returns,
            "net_sales": net,
            "gross_margin": margin,
            "margin_rate": margin / net if net > 0 else np.nan,
        },
        dtype="float64",
    ).loc[list(KPI_COLUMNS)]
    periods = kpis.attrs.get("plan_missing", {})
    total.attrs["plan_missing"] = missing
    total.attrs["plan_missing_periods"] = {m: list(periods[m]) for m in missing if m in periods}
    return total
