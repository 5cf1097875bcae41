"""How sure is a driver's effect? A seeded bootstrap of the period's leads and orders.

A driver's effect in :func:`kpi_toolkit.gap.decompose_gap` is exact arithmetic on counts that are themselves
samples: 60 closed leads at a true 25 % conversion win anywhere from 10 to 20. :func:`effect_intervals`
redraws the period's leads and orders many times, decomposes each redraw against the same baseline, and
says which effects could be noise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap.decompose import _EFFECT, decompose_gap
from kpi_toolkit.gap.drivers import TOTAL, Mode, _by_manager

__all__ = ["EFFECT_INTERVAL_COLUMNS", "effect_intervals"]

#: Columns of :func:`effect_intervals`.
EFFECT_INTERVAL_COLUMNS = ("manager", "effect", "estimate", "low", "high", "within_noise")


def _redraw(
    counts: pd.DataFrame,
    amounts: Mapping[str, NDArray[np.float64]],
    replicates: int,
    rng: np.random.Generator,
    use_leads: bool,
    costs: Mapping[str, NDArray[np.float64]] | None = None,
    returns: Mapping[str, NDArray[np.float64]] | None = None,
) -> pd.DataFrame:
    """``replicates`` redraws of each manager's counts, managers renamed ``<manager>\\x1f<replicate>``;
    with ``returns`` (and ``gross_margin``) in ``counts``, those are redrawn too."""
    money = "returns" in counts.columns
    frames = []
    for manager, row in counts.iterrows():
        orders = float(row["orders"])
        if use_leads and row["leads_closed"] > 0:
            closed = rng.poisson(float(row["leads_closed"]), replicates)
            won = rng.binomial(closed, float(row["leads_won"]) / float(row["leads_closed"]))
            per_win = orders / float(row["leads_won"]) if row["leads_won"] > 0 else np.nan
            n = rng.poisson(per_win * won) if np.isfinite(per_win) else rng.poisson(orders, replicates)
        else:
            closed = np.full(replicates, float(row.get("leads_closed", np.nan)))
            won = np.full(replicates, float(row.get("leads_won", np.nan)))
            n = rng.poisson(orders, replicates)
        pool = np.asarray(amounts.get(str(manager), np.array([])), dtype="float64")
        if len(pool) == 0:  # no amounts to redraw: the period's average check stays as it is
            pool = np.array([float(row["sales_volume"]) / orders]) if orders > 0 else np.array([0.0])
        picks = rng.integers(0, len(pool), int(n.sum()))
        owner = np.repeat(np.arange(replicates), n)
        volume = np.bincount(owner, weights=pool[picks], minlength=replicates)
        frame = pd.DataFrame(
            {
                "manager": [f"{manager}\x1f{b}" for b in range(replicates)],
                "leads_closed": closed.astype("float64"),
                "leads_won": won.astype("float64"),
                "orders": n.astype("float64"),
                "sales_volume": volume,
            }
        )
        if money:
            frame["returns"], frame["gross_margin"] = _redraw_money(
                row, pool, picks, owner, replicates, rng, manager=str(manager), costs=costs, returns=returns
            )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def _redraw_money(
    row: pd.Series,
    pool: NDArray[np.float64],
    picks: NDArray[np.intp],
    owner: NDArray[np.intp],
    replicates: int,
    rng: np.random.Generator,
    *,
    manager: str,
    costs: Mapping[str, NDArray[np.float64]] | None,
    returns: Mapping[str, NDArray[np.float64]] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Redrawn returns and gross margin of one manager: the returns a Poisson number of draws from the
    period's returns (amount, cost), the cost of goods that of the redrawn orders (drawn with their
    amounts). Without the pools, the returns and the cost stay in the proportion of the data."""
    volume = np.bincount(owner, weights=pool[picks], minlength=replicates)
    booked = np.asarray((returns or {}).get(manager, np.empty((0, 2))), dtype="float64").reshape(-1, 2)
    if len(booked):
        k = rng.poisson(len(booked), replicates)
        drawn = booked[rng.integers(0, len(booked), int(k.sum()))]
        which = np.repeat(np.arange(replicates), k)
        back = np.bincount(which, weights=drawn[:, 0], minlength=replicates)
        back_cost = np.bincount(which, weights=drawn[:, 1], minlength=replicates)
    else:  # no pool: the data's returns (and their cost) in proportion to the redrawn volume
        share = float(row["returns"]) / float(row["sales_volume"]) if row["sales_volume"] > 0 else 0.0
        back = share * volume
        back_cost = np.zeros(replicates)
    margin = np.full(replicates, np.nan)
    if np.isfinite(float(row.get("gross_margin", np.nan))):
        order_costs = np.asarray((costs or {}).get(manager, np.array([])), dtype="float64")
        if len(order_costs) == len(pool) and len(pool):
            spent = np.bincount(owner, weights=order_costs[picks], minlength=replicates)
        else:  # no costs drawn with the amounts: the data's margin rate on the redrawn net sales
            net = float(row["sales_volume"]) - float(row["returns"])
            rate = float(row["gross_margin"]) / net if net != 0 else 0.0
            return back, rate * (volume - back)
        margin = volume - back - spent + back_cost
    return back, margin


def effect_intervals(
    actual: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    amounts: Mapping[str, NDArray[np.float64]],
    replicates: int = 400,
    level: float = 0.95,
    seed: int = 20260522,
    method: Literal["lmdi", "shapley"] = "lmdi",
    mode: Mode = "auto",
    metric: Literal["sales_volume", "net_sales", "gross_margin"] = "sales_volume",
    costs: Mapping[str, NDArray[np.float64]] | None = None,
    returns: Mapping[str, NDArray[np.float64]] | None = None,
) -> pd.DataFrame:
    """Bootstrap intervals of each manager's (and the team's) driver effects, and which are within noise.

    Parameters
    ----------
    actual, baseline : pandas.DataFrame
        As for :func:`kpi_toolkit.gap.decompose_gap` (counts of the period; baseline drivers).
    amounts : mapping of str to array
        Each manager's order amounts of the period (all of them or a sample), redrawn for the check.
    replicates : int, default 400
        Number of redraws.
    level : float, default 0.95
        Coverage of the percentile intervals.
    seed : int, default 20260522
        Seed of the redraws: the same input gives the same intervals.
    method, mode, metric
        As for :func:`kpi_toolkit.gap.decompose_gap`.
    costs : mapping of str to array, optional
        Each manager's cost of goods of the orders in ``amounts`` (same order), for ``metric="gross_margin"``.
    returns : mapping of str to array, optional
        Each manager's returns booked in the period, rows of (amount, cost), for ``metric`` ``"net_sales"``
        and ``"gross_margin"``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EFFECT_INTERVAL_COLUMNS`, one row per decomposed manager (and ``TOTAL``) and
        effect that applies to it: ``estimate`` the effect of the data, ``low``, ``high`` the percentile
        interval of the redrawn effects, ``within_noise`` True when the interval holds 0 (that effect
        could be noise). Rows of managers that could not be decomposed are left out.

    Notes
    -----
    A parametric bootstrap of the period's counts (Efron & Tibshirani 1993, ch. 6), the baseline held
    fixed: closed leads :math:`L^* \\sim \\text{Poisson}(L)`, won leads :math:`W^* \\sim
    \\text{Binomial}(L^*, W/L)`, orders :math:`O^* \\sim \\text{Poisson}(O/W \\cdot W^*)` and :math:`O^*`
    amounts drawn with replacement from the manager's orders (without leads: :math:`O^* \\sim
    \\text{Poisson}(O)`). Each redraw is decomposed exactly as the data; the TOTAL row's effects are the
    sums over the managers of each redraw. A plan is fixed, so its interval is the whole uncertainty; a
    baseline taken from another period (or the plan's mix, from the manager's previous period) is a
    sample too, which this interval leaves out: it is then narrower than the uncertainty of the gap.

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman & Hall, ch. 6 and 13.

    Examples
    --------
    >>> actual = pd.DataFrame({"manager": ["ann"], "leads_closed": [100], "leads_won": [14],
    ...                        "orders": [14], "sales_volume": [14000.0]})
    >>> base = pd.DataFrame({"manager": ["ann"], "leads_closed": [100.0], "conversion": [0.28],
    ...                      "orders_per_win": [1.0], "average_check": [1000.0]})
    >>> out = effect_intervals(actual, base, amounts={"ann": np.full(14, 1000.0)}, replicates=200)
    >>> out[out["manager"] == "ann"].set_index("effect")["within_noise"].tolist()  # conversion is not noise
    [True, False, True, True]
    """
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 20:
        raise ParameterError(f"replicates={replicates!r} must be a whole number >= 20. Fix: e.g. 400.")
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must be between 0 and 1. Fix: e.g. level=0.95.")
    point = decompose_gap(actual, baseline, method=method, mode=mode, metric=metric)
    done = point[(point["manager"] != TOTAL) & ~point["method"].str.startswith("none")]
    counts = _by_manager(actual, "actual", ("orders", "sales_volume")).reindex(done["manager"])
    if metric == "sales_volume":
        counts = counts.drop(columns=["returns", "gross_margin"], errors="ignore")
    if counts.empty:
        return pd.DataFrame({c: [] for c in EFFECT_INTERVAL_COLUMNS})
    use_leads = "leads_closed" in counts.columns and bool(counts["leads_closed"].notna().any())
    rng = np.random.default_rng(seed)
    redrawn = _redraw(counts, amounts, replicates, rng, use_leads, costs=costs, returns=returns)
    base = _by_manager(baseline, "baseline", ()).reindex(done["manager"])
    base_rep = base.loc[base.index.repeat(replicates)].reset_index()
    base_rep["manager"] = redrawn["manager"].to_numpy()
    rep = decompose_gap(redrawn, base_rep, method=method, mode=mode, metric=metric)
    rep = rep[rep["manager"] != TOTAL]
    rep = rep.assign(
        owner=rep["manager"].str.split("\x1f").str[0],
        replicate=rep["manager"].str.split("\x1f").str[1].astype(int),
    )
    effects = list(_EFFECT.values())
    team = rep.groupby("replicate")[effects].sum(min_count=1).assign(owner=TOTAL)
    tails = [(1 - level) / 2, (1 + level) / 2]
    rows = []
    point = point.set_index("manager")
    for owner, group in [*rep.groupby("owner", sort=True), (TOTAL, team)]:
        for effect in effects:
            estimate = float(point.at[owner, effect])
            if np.isnan(estimate):
                continue
            values = group[effect].to_numpy(dtype="float64")
            values = values[np.isfinite(values)]
            low, high = np.quantile(values, tails) if len(values) else (np.nan, np.nan)
            rows.append((owner, effect, estimate, float(low), float(high), bool(low <= 0 <= high)))
    return pd.DataFrame(rows, columns=list(EFFECT_INTERVAL_COLUMNS))
