"""Order amounts, the raw data of the average check: every order of the team's managers in a period, or a
seeded sample of the large (:func:`order_amounts`, what the average check's permutation test reads), and
the checks beside the average-check verdicts (:func:`average_check_diagnostics`: rank tests, a bootstrap,
Cliff's delta, typical orders). Periods, teams and NaN policy as in
:func:`kpi_toolkit.comparison.compare_managers`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.comparison_inputs import _few_managers, _min_n, _window
from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import active_managers
from kpi_toolkit.periods import Period
from kpi_toolkit.stats import DEFAULT_SEED, check_diagnostics

__all__ = [
    "DEFAULT_MAX_ORDERS",
    "average_check_diagnostics",
    "order_amounts",
]

#: Orders per manager above which :func:`order_amounts` draws a sample.
DEFAULT_MAX_ORDERS = 5000


def order_amounts(
    data: SalesData,
    *,
    period: str | Period | Sequence[str | Period],
    team: str | None = None,
    max_orders: int | None = DEFAULT_MAX_ORDERS,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """The order amounts of the team's managers in ``period``: every order, or a seeded sample of the large.

    Parameters
    ----------
    data, period, team
        As in :func:`compare_managers`.
    max_orders : int or None, default :data:`DEFAULT_MAX_ORDERS` (5,000)
        A manager with more orders in the period is represented by ``max_orders`` of them, drawn at random
        without replacement; ``None`` keeps every order.
    seed : int, default :data:`kpi_toolkit.stats.DEFAULT_SEED`
        Seed of the sample.

    Returns
    -------
    pandas.DataFrame
        Columns ``order_id, manager, amount``, sorted by manager and order id. ``attrs``: ``period``,
        ``team``, ``max_orders``, ``seed`` and ``sampled`` ({manager: [orders, orders kept]} for each manager
        sampled; empty when none was).

    Notes
    -----
    Orders with ``ordered_at`` in the period (``start <= ordered_at < end``) of the team's managers active in
    it; with ``assignments``, only those of the days the manager was in the team (a mover's sample is drawn
    from all their orders of the period, then cut to the team's part, so it may hold fewer than
    ``max_orders``; ``sampled`` counts what is kept). The sample: managers in id order, each one's orders
    sorted by ``order_id``, and
    ``numpy.random.default_rng(seed).choice(orders, max_orders, replace=False)`` drawn for each manager that
    needs it, in that order. The same data, period and seed give the same sample. Rank tests and the
    bootstrap on 5,000 orders per manager are as decisive as on all of them; the primary tests always use
    every order through the sums.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> amounts = order_amounts(data, period="2026Q3", team="North", max_orders=40)
    >>> amounts.groupby("manager").size().tolist()
    [40, 40, 31, 40, 40, 40, 40, 18]
    >>> amounts.attrs["sampled"]["M01"]
    [62, 40]
    """
    label, parts = _window(data, period)
    managers = active_managers(data, parts, team)
    if max_orders is not None and (
        isinstance(max_orders, bool) or not isinstance(max_orders, int | np.integer) or max_orders < 1
    ):
        raise ParameterError(
            f"max_orders={max_orders!r} must be a whole number >= 1, or None for every order."
        )
    # the same seeded sample on every engine (DuckDB and Spark fetch only the chosen orders)
    rows = data.sample_orders(periods=parts, managers=managers, max_orders=max_orders, seed=seed)
    sampled = dict(rows.attrs["sampled"])
    if team and data.membership.dated and len(rows):  # a mover's orders of their time in the team only
        # (drawn from all their orders of the period, then kept in the team: a mover's sample is smaller)
        rows = rows[data.membership.holds(team, rows["manager"], rows["ordered_at"])].copy()
        rows.attrs = {"sampled": {m: (a, int((rows["manager"] == m).sum())) for m, (a, _) in sampled.items()}}
    frame = pd.DataFrame(
        {
            "order_id": rows["order_id"].astype(str).to_numpy(),
            "manager": rows["manager"].astype(str).to_numpy(),
            "amount": rows["amount"].astype(float).to_numpy(),
        }
    )
    sampled = {str(m): [int(a), int(b)] for m, (a, b) in rows.attrs["sampled"].items()}
    frame.attrs.update(period=label, team=team or None, max_orders=max_orders, seed=seed, sampled=sampled)
    return frame


def average_check_diagnostics(
    data: SalesData,
    *,
    period: str | Period | Sequence[str | Period],
    team: str | None = None,
    versus: Literal["rest", "pairwise"] = "rest",
    p_adjust: Literal["holm", "bh", "none"] = "holm",
    alpha: float = 0.05,
    min_n: int | None = None,
    reference: Literal["robust", "all"] = "robust",
    max_orders: int | None = DEFAULT_MAX_ORDERS,
    n_resamples: int = 2000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Checks beside the average-check verdicts, row for row: Mann-Whitney, Cliff's delta, a bootstrap.

    Parameters
    ----------
    data, period, team, versus, p_adjust, alpha, min_n, reference
        As in :func:`compare_managers` with ``metric="average_check"``: the rows and each row's reference
        are exactly those of that table.
    max_orders : int or None, default 5000
        Raw amounts per manager at most (a seeded sample above it, see :func:`order_amounts`).
    n_resamples : int, default 2000
        Bootstrap resamples per row.
    seed : int, default :data:`kpi_toolkit.stats.DEFAULT_SEED`
        Seed of the sample and of the bootstrap.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`kpi_toolkit.stats.DIAGNOSTIC_COLUMNS`: ``manager, versus, n, n_zero, versus_n,
        versus_n_zero, ratio_of_means, ratio_ci_low, ratio_ci_high, mann_whitney_u, mann_whitney_p,
        cliffs_delta``. ``attrs``: ``period``, ``team``, ``sampled`` (as :func:`order_amounts`) and ``notes``
        (plain sentences, e.g. which managers were sampled).

    Notes
    -----
    Checks, not verdicts (:func:`kpi_toolkit.stats.check_diagnostics`): Mann-Whitney asks whether one
    manager's orders tend to be larger, the bootstrap bounds the ratio of arithmetic average checks (which
    a few huge orders move), Cliff's delta measures dominance, and ``geometric_mean_ratio`` with its
    interval and ``log_welch_p`` compare typical orders (Welch's t on log amounts, positive amounts only):
    at the same average check, the manager with less spread orders has the larger typical order.
    Disagreement with the verdict (the permutation test of the average checks) means the distributions
    differ in shape, not only in level: look at them. The rows and references are those of
    :func:`compare_managers`, computed from every order; with a sample, ``n`` counts the amounts used.

    References
    ----------
    Mann HB, Whitney DR (1947). Ann Math Stat 18:50-60. Cliff N (1993). Psych Bull 114:494-509. Efron B,
    Tibshirani RJ (1993). An introduction to the bootstrap, chapter 13.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> diag = kt.average_check_diagnostics(data, period="2026", team="North", n_resamples=500)
    >>> diag.set_index("manager").loc["M07", ["ratio_of_means", "ratio_ci_low", "cliffs_delta"]].round(2)
    ratio_of_means    1.83
    ratio_ci_low      1.53
    cliffs_delta      0.35
    Name: M07, dtype: float64
    """
    size = _min_n("average_check", min_n)
    label, parts = _window(data, period)
    managers = active_managers(data, parts, team)
    every = order_amounts(data, period=parts, team=team, max_orders=None).loc[:, ["manager", "amount"]]
    amounts = order_amounts(data, period=parts, team=team, max_orders=max_orders, seed=seed)
    few = _few_managers(managers, team)
    with warnings.catch_warnings():
        if few:
            warnings.simplefilter("ignore", UserWarning)
        table = check_diagnostics(
            amounts.loc[:, ["manager", "amount"]], versus=versus, p_adjust=p_adjust, alpha=alpha, min_n=size,
            reference=reference, n_resamples=n_resamples, seed=seed, family_amounts=every,
            managers=managers,
        )  # fmt: skip
    sampled = amounts.attrs["sampled"]
    notes = [
        f"{m}: {kept:,} of {total:,} orders, drawn at random (seed {seed}), enter the rank tests and "
        "the bootstrap"
        for m, (total, kept) in sampled.items()
    ]
    table.attrs.update(period=label, team=team or None, sampled=sampled, notes=notes)
    return table
