"""How much data a verdict needs: the smallest difference from the rest that the comparison of managers would
detect at each manager's current numbers, and how much data a given difference needs."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period, parse_periods
from kpi_toolkit.stats.power import (
    detectable_mean_ratio,
    detectable_proportion_difference,
    detectable_rate_ratio,
    leads_needed_against,
    orders_needed,
    periods_needed,
)

__all__ = ["DEFAULT_DIFFERENCE", "DETECTABLE_COLUMNS", "detectable_difference"]

#: Columns of :func:`detectable_difference`, in order.
DETECTABLE_COLUMNS = ("manager", "metric", "n", "versus_n", "detectable_difference", "difference", "n_needed")
#: The difference ``n_needed`` is computed for when none is given: 10 points of conversion, average checks
#: 1.25 times apart, new customers at 1.5 times the rate.
DEFAULT_DIFFERENCE = {"conversion": 0.10, "average_check": 1.25, "new_customers": 1.5}
_MIN_N = {"conversion": 10, "average_check": 5, "new_customers": 1}


def _window_months(data: SalesData, period: str | Period | Sequence[str | Period]) -> list[str]:
    parts = parse_periods(period, fiscal_year_start=data.fiscal_year_start, name="period")
    return sorted({m for p in parts for m in p.months})


def _check(value: float, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ParameterError(f"{name}={value!r} must lie between 0 and 1, e.g. {name}=0.8.")
    return float(value)


def detectable_difference(
    data: SalesData,
    *,
    period: str | Period | Sequence[str | Period],
    metric: str,
    team: str | None = None,
    power: float = 0.8,
    alpha: float = 0.05,
    difference: float | None = None,
) -> pd.DataFrame:
    """The smallest difference from the rest that the comparison of managers would likely detect.

    Parameters
    ----------
    data
        A validated data set.
    period
        A label, a range ``"2026Q1:2026Q3"`` or a list, as in :func:`kpi_toolkit.compare_managers`.
    metric
        ``"conversion"``, ``"average_check"`` or ``"new_customers"``.
    team
        Only this team's managers (every manager when ``None``). With an ``assignments`` table (team moves),
        a mover counts with their orders and leads of their days in the team, as
        :func:`kpi_toolkit.compare_managers` with ``team`` compares them.
    power
        The chance of detecting the difference.
    alpha
        The family-wise level of the comparison (Holm over the managers compared).
    difference
        The difference ``n_needed`` is computed for (default :data:`DEFAULT_DIFFERENCE` of the metric): a
        difference of proportions for conversion (0.10 is 10 points), a ratio for the others.

    Returns
    -------
    pandas.DataFrame
        One row per manager (in id order), columns :data:`DETECTABLE_COLUMNS`: ``n`` and ``versus_n`` the
        manager's and the rest's closed leads (conversion), orders (average check) or active months (new
        customers); ``detectable_difference`` the smallest difference detected with ``power``: a difference
        of proportions (0.17 is 17 points) for conversion, a ratio (>= 1, either way) of average checks or of
        new customers per active month otherwise; ``difference`` and ``n_needed``: the closed leads, orders
        or active months the manager would need, against the same rest, to detect ``difference``.

    Notes
    -----
    The test is taken at ``alpha / k``, the first step of Holm's adjustment over the ``k`` managers with at
    least the comparison's minimum data (10 closed leads, 5 orders, 1 active month): the level at which one
    manager who truly differs among colleagues who do not is found. The rest is every other manager of the
    team (not the robust rest: close when no colleague is extreme).

    - conversion: the test of two proportions with Yates' correction (Fleiss, Levin & Paik 2003, eqs. 4.19
      and 4.21) at the rest's conversion; the smaller of the differences below and above it. ``n_needed``
      is for a manager ``difference`` below the rest (above when the rest's rate is lower than that).
    - average check: the log ratio of arithmetic means, variance ``cv^2 (1/n + 1/versus_n)`` with ``cv`` the
      coefficient of variation of the rest's order amounts (delta method).
    - new customers: the log ratio of Poisson rates per active month, variance ``(1/n + 1/versus_n) / rate``
      at the rest's rate (Breslow & Day 1987, ch. 7). An active month has an order, a lead created or a lead
      closed.

    NaN policy: NaN ``detectable_difference`` where the rest has no data or no variation (a conversion of 0
    or 1), and for conversion where no difference at all is likely to be found at these numbers (a manager
    with a handful of closed leads); ``n_needed`` is ``inf`` when the rest's own noise alone hides
    ``difference``.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> table = kt.detectable_difference(data, period="2026Q3", metric="conversion")
    >>> table.columns.tolist() == list(DETECTABLE_COLUMNS)
    True
    >>> round(float(table.set_index("manager").loc["M01", "detectable_difference"]), 2)  # 21 points
    0.21
    """
    if metric not in DEFAULT_DIFFERENCE:
        raise ParameterError(
            f"metric={metric!r} cannot be judged here. "
            f"Fix: use one of {', '.join(map(repr, DEFAULT_DIFFERENCE))}."
        )
    power, alpha = _check(power, "power"), _check(alpha, "alpha")
    if metric == "conversion" and data.leads is None:
        raise ParameterError(
            "metric='conversion' needs the leads table. Fix: load leads.csv, or another metric."
        )
    wanted = DEFAULT_DIFFERENCE[metric] if difference is None else float(difference)
    if not wanted > 0 or (metric != "conversion" and wanted <= 1):
        raise ParameterError(
            f"difference={difference!r} is not a difference of {metric}. Fix: a difference of proportions "
            "above 0 (0.1 for 10 points) for conversion, a ratio above 1 (e.g. 1.25) otherwise."
        )
    managers = data.managers_of(team)
    monthly = data.monthly
    if team and data.membership.dated:  # a mover's part in the team, as compare_managers(team=) takes it
        monthly = data.monthly_by_team
        monthly = monthly[monthly["team"] == team]
    rows = monthly[monthly["month"].isin(_window_months(data, period)) & monthly["manager"].isin(managers)]
    sums = rows.groupby("manager").sum(numeric_only=True).reindex(managers, fill_value=0)
    if metric == "conversion":
        n = sums["leads_closed"].astype(float)
        hits = sums["leads_won"].astype(float)
    elif metric == "average_check":
        n = sums["orders"].astype(float)
    else:
        activity = rows["orders"] + rows["leads_created"] + rows["leads_closed"]
        n = rows.loc[activity.to_numpy() > 0].groupby("manager")["month"].nunique()
        n = n.reindex(managers, fill_value=0).astype(float)
    k = max(int((n >= _MIN_N[metric]).sum()), 1)
    level = alpha / k
    totals = sums.sum(numeric_only=True)
    out = []
    for manager in managers:
        # the rest is everybody less the manager: totals minus own, not a sum over a list per manager
        own = float(n[manager])
        versus = float(n.sum()) - own
        rest = totals - sums.loc[manager, totals.index]
        if metric == "conversion":
            p = float((hits.sum() - hits[manager]) / versus) if versus else np.nan
            found = detectable_proportion_difference(p, own, versus, alpha=level, power=power)
            lower = p - wanted if p - wanted > 0 else p + wanted  # a lower converter, where there is room
            usable = np.isfinite(p) and 0 < p < 1 and 0 < lower < 1
            needed = leads_needed_against(lower, p, versus, alpha=level, power=power) if usable else np.nan
        elif metric == "average_check":
            volume, squares = rest["sales_volume"], rest["sum_sq_amount"]
            mean = volume / versus if versus else np.nan
            var = (squares - versus * mean**2) / (versus - 1) if versus > 1 else np.nan
            cv = float(np.sqrt(var) / mean) if mean and var > 0 else np.nan
            found = detectable_mean_ratio(cv, own, versus, alpha=level, power=power)
            needed = (
                orders_needed(cv, wanted, versus, alpha=level, power=power) if np.isfinite(cv) else np.nan
            )
        else:
            rate = float(rest["new_customers"] / versus) if versus else np.nan
            found = detectable_rate_ratio(rate, own, versus, alpha=level, power=power)
            needed = periods_needed(rate, wanted, versus, alpha=level, power=power) if rate > 0 else np.nan
        out.append((manager, metric, own, versus, found, wanted, needed))
    table = pd.DataFrame(out, columns=list(DETECTABLE_COLUMNS))
    table = table.astype({"manager": "string", "metric": "string"})
    table.attrs.update(power=power, alpha=alpha, comparisons=k, level_per_test=level)
    return table
