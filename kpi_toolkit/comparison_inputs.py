"""What every data-level comparison (:mod:`kpi_toolkit.comparison`) shares: the KPIs it can compare and the
default ``min_n`` of each, how its options are checked, the window of periods it pools, and what its tests
read from a data set: each manager's sums (:func:`kpi_toolkit.kpis.period_sums`) and active months
(:func:`active_months`, the exposure of count comparisons).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import active_managers, period_sums
from kpi_toolkit.periods import Period, parse_periods

__all__ = [
    "DEFAULT_MIN_N",
    "EXTRA_METRICS",
    "METRICS",
    "active_months",
]

Metric = Literal["conversion", "average_check", "new_customers", "margin_rate"]
#: The KPIs :func:`compare_managers` can test.
METRICS: tuple[str, ...] = ("conversion", "average_check", "new_customers")
#: ``min_n`` when ``None``: closed leads (conversion), orders, zeros included (average check). New
#: customers are tested exactly at any count and have no ``min_n``.
DEFAULT_MIN_N: dict[str, int | None] = {
    "conversion": 10, "average_check": 5, "new_customers": None, "margin_rate": 10,
}  # fmt: skip
#: Compared by :func:`compare_managers` beyond :data:`METRICS` (which the comparison report covers): the
#: margin rate, when orders have costs.
EXTRA_METRICS: tuple[str, ...] = ("margin_rate",)


def _window(data: SalesData, period: str | Period | Sequence[str | Period]) -> tuple[str, list[Period]]:
    """The periods of ``period`` and their label: the label, ``first:last``, or labels joined by commas."""
    if isinstance(period, Period):
        parts = [period]
    else:
        parts = parse_periods(period, fiscal_year_start=data.fiscal_year_start, name="period")
    if len(parts) == 1:
        return str(parts[0]), parts
    consecutive = all(b == a.shift(1) for a, b in pairwise(parts))
    label = f"{parts[0]}:{parts[-1]}" if consecutive else ",".join(str(p) for p in parts)
    return label, parts


def _months(parts: list[Period]) -> list[str]:
    return sorted({m for p in parts for m in p.months})


def _check_metric(metric: str, allowed: Sequence[str] = METRICS) -> None:
    if metric not in allowed:
        raise ParameterError(
            f"metric={metric!r} cannot be compared here. Fix: use one of {', '.join(map(repr, allowed))}."
        )


def _min_n(metric: str, min_n: int | None) -> int | None:
    if min_n is None:
        return DEFAULT_MIN_N[metric]
    if isinstance(min_n, bool) or not isinstance(min_n, int | np.integer) or min_n < 1:
        raise ParameterError(f"min_n={min_n!r} must be a whole number >= 1 (or None for the default).")
    return int(min_n)


def _needs_leads(data: SalesData, what: str) -> None:
    if data.leads is None:
        raise ParameterError(
            f"{what} needs the leads table, and this data set has none. Fix: add leads.csv to the data set, "
            "or compare metric='average_check' or 'new_customers'."
        )


def _sums(data: SalesData, parts: list[Period], managers: list[str], team: str | None) -> pd.DataFrame:
    """Each manager's sums over ``parts`` (with ``assignments``, only what belongs to ``team``)."""
    sums = period_sums(data, months=_months(parts), managers=managers, team=team).reset_index()
    sums["manager"] = sums["manager"].astype(object)
    return sums


def _rates_input(sums: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"manager": sums["manager"], "successes": sums["leads_won"], "trials": sums["leads_closed"]}
    )


def active_months(
    data: SalesData, *, period: str | Period | Sequence[str | Period], team: str | None = None
) -> pd.Series:
    """How many months of ``period`` each manager was active in: the exposure of count comparisons.

    Parameters
    ----------
    data, period, team
        As in :func:`compare_managers`.

    Returns
    -------
    pandas.Series
        Active months per manager (every manager of the team active in the period, as
        :func:`kpi_toolkit.manager_kpis` lists them, by id, 0 for none), named ``active_months``.

    Notes
    -----
    A manager is *active* in a month when it has at least one order, one lead created or one lead closed
    in that month (the order and lead tables; activities such as calls do not count). A count like new
    customers is compared per active month, so that a manager who worked 2 of 8 quarters is compared with
    colleagues on the months they all worked, and a manager with no activity at all gets ``insufficient
    data`` rather than ``below``. A manager who was on leave for part of a month counts that month fully.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> active_months(data, period="2026Q3").value_counts().to_dict()  # M15 joined in August (M16 left)
    {3: 14, 2: 1}
    """
    _, parts = _window(data, period)
    managers = active_managers(data, parts, team)
    if team and data.membership.dated:  # only the months the manager was active in the team
        monthly = data.monthly_by_team
        monthly = monthly[monthly["team"] == team]
    else:
        monthly = data.monthly
    rows = monthly[monthly["month"].isin(_months(parts))]
    activity = rows["orders"].astype(float) + rows["leads_created"].astype(float)
    activity = activity + rows["leads_closed"].astype(float)
    active = rows.loc[(activity > 0).to_numpy()].groupby("manager", sort=True)["month"].nunique()
    active.index = active.index.astype(str)
    out = active.reindex([str(m) for m in managers], fill_value=0).astype("int64")
    out.index.name = "manager"
    return out.rename("active_months")


def _counts_input(sums: pd.DataFrame, exposure: pd.Series) -> pd.DataFrame:
    months = exposure.reindex(sums["manager"].astype(str)).to_numpy(float)
    return pd.DataFrame({"manager": sums["manager"], "count": sums["new_customers"], "exposure": months})


def _few_managers(managers: list[str], team: str | None) -> bool:
    """Warn (once, here) when there are fewer than two managers to compare; True if so."""
    if len(managers) >= 2:
        return False
    scope = f"team {team!r}" if team else "the data set"
    warnings.warn(
        f"{scope} has {len(managers)} manager(s): nothing to compare, the table is empty. "
        "Fix: compare a team with at least two managers, or all teams (team=None).",
        UserWarning,
        stacklevel=3,
    )
    return True
