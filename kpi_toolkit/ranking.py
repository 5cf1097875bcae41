"""Ranking managers by plan attainment, with the uncertainty of each attainment and of each rank.

A quarter's sales volume is a sum of a random number of random order amounts. Treated as a compound
Poisson sum, its variance is ``lambda E[X^2]``, estimated without bias by the sum of the squared amounts
(Klugman, Panjer & Willmot, *Loss Models*, 4th ed., Wiley 2012, section 9.3), which the aggregation already
keeps. Attainment intervals follow from a normal approximation; rank intervals from simulating all managers'
volumes together (Goldstein & Spiegelhalter 1996, "League tables and their limitations", JRSS A 159:385;
Marshall & Spiegelhalter 1998, BMJ 316:1701).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import manager_kpis, period_sums
from kpi_toolkit.periods import Period

__all__ = ["RANKING_COLUMNS", "attainment_ranking"]

RANKING_COLUMNS = (
    "manager",
    "rank",
    "plan_attainment",
    "ci_low",
    "ci_high",
    "rank_low",
    "rank_high",
    "orders",
    "sales_volume",
    "sales_plan",
)


def attainment_ranking(
    data: SalesData,
    *,
    period: str | Period,
    team: str | None = None,
    level: float = 0.95,
    n_sim: int = 4000,
    seed: int = 20261126,
) -> pd.DataFrame:
    """Rank managers by plan attainment, with an interval for each attainment and each rank.

    Parameters
    ----------
    data, period, team
        As for :func:`kpi_toolkit.manager_kpis`.
    level
        Coverage of the intervals (0.95 by default).
    n_sim
        Simulated league tables behind the rank intervals.
    seed
        Seed of the simulation (the same input gives the same output).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RANKING_COLUMNS`, one row per manager: ranked managers first by ``rank`` (1 is the
        highest attainment; ties broken by sales volume, then id), then managers without a plan (``rank``
        and the intervals NaN).

    Notes
    -----
    ``ci_low, ci_high`` = (volume -/+ z * sqrt(sum of squared amounts)) / plan, clipped at 0. The normal
    approximation is rough for a manager with few orders (say under 10): read those intervals as a warning,
    not as exact limits. A manager with no orders gets NaN limits (no amounts to estimate the spread from).
    ``rank_low, rank_high`` are the ``level`` percentile interval of the manager's rank across ``n_sim``
    simulated league tables (volumes drawn from their normal approximations, truncated at 0).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> ranking = attainment_ranking(data, period="2026Q3")
    >>> ranking.loc[0, "manager"], int(ranking["rank"].max())
    ('M04', 15)
    """
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if n_sim < 100:
        raise ParameterError(f"n_sim={n_sim!r} is too small for rank intervals; use at least 100.")
    p = data.period(period)
    kpis = manager_kpis(data, period=p, team=team)
    sums = period_sums(data, months=p.months, managers=list(kpis.index))
    se = np.sqrt(sums["sum_sq_amount"].astype("float64")).where(sums["orders"] > 0)
    z = stats.norm.ppf(0.5 + level / 2)
    plan = kpis["sales_plan"].where(kpis["sales_plan"] > 0)
    out = pd.DataFrame(
        {
            "manager": kpis.index.astype("string"),
            "plan_attainment": kpis["plan_attainment"].to_numpy(),
            "ci_low": ((kpis["sales_volume"] - z * se).clip(lower=0) / plan).to_numpy(),
            "ci_high": ((kpis["sales_volume"] + z * se) / plan).to_numpy(),
            "orders": kpis["orders"].to_numpy(),
            "sales_volume": kpis["sales_volume"].to_numpy(),
            "sales_plan": plan.to_numpy(),
        }
    )
    ranked = out["plan_attainment"].notna().to_numpy()
    order = out[ranked].sort_values(
        ["plan_attainment", "sales_volume", "manager"],
        ascending=[False, False, True],
        kind="stable",
    )
    out["rank"] = np.nan
    out.loc[order.index, "rank"] = np.arange(1, len(order) + 1, dtype=float)
    out["rank_low"] = np.nan
    out["rank_high"] = np.nan
    if ranked.sum() > 0:
        rng = np.random.default_rng(seed)
        volume = out.loc[ranked, "sales_volume"].to_numpy()
        spread = np.nan_to_num(se.to_numpy()[ranked], nan=0.0)
        draws = np.clip(rng.normal(volume, spread, size=(n_sim, ranked.sum())), 0, None)
        attainment = draws / out.loc[ranked, "sales_plan"].to_numpy()
        ranks = (-attainment).argsort(axis=1).argsort(axis=1) + 1
        tail = (1 - level) / 2 * 100
        out.loc[ranked, "rank_low"] = np.percentile(ranks, tail, axis=0, method="lower")
        out.loc[ranked, "rank_high"] = np.percentile(ranks, 100 - tail, axis=0, method="higher")
    out = pd.concat([out.loc[order.index], out[~ranked]])
    return out.loc[:, list(RANKING_COLUMNS)].reset_index(drop=True)
