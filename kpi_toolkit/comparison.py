"""Comparing managers honestly, from a data set: which differences between managers are real.

The data-level API over :mod:`kpi_toolkit.stats`: each function takes a :class:`~kpi_toolkit.data.SalesData`,
a period and optionally a team, and returns the statistics module's table for the managers of that team.

- :func:`compare_managers`: each manager against the rest of the team (or every pair), with a verdict that
  holds the chance of any false ``above``/``below`` at ``alpha`` (Holm);
- :func:`global_test`: one test that all managers are alike, shown beside the comparisons;
- :func:`average_check_diagnostics`: rank tests, a bootstrap and Cliff's delta beside the average-check
  verdicts, from the raw order amounts;
- :func:`funnel` and :func:`plot_funnel`: conversion rates against the number of leads, with control limits;
- :func:`shrunk_rates`: conversion rates shrunk toward the team's by how much the data can tell managers
  apart, with a ranking and its uncertainty.

The tests of conversion and new customers run on per-manager sums (:func:`kpi_toolkit.kpis.period_sums`),
which any engine can compute at any scale. The average check's permutation test reads every order amount of
the period (:func:`order_amounts`); its work grows with the smaller side of each comparison (the manager),
not with the rest. The diagnostics read at most ``max_orders`` per manager: above that a seeded sample.

Periods: a label (``2026Q3``, ``2026-07``, ``2026``), a :class:`~kpi_toolkit.periods.Period`, a range
``"2026Q1:2026Q3"`` or a list of labels; a window of several periods pools their months. One quarter of a
manager's leads (60 or so) only detects large differences in conversion: a year detects a difference like
12 % against 28 % almost surely (see ``tests/test_comparison_simulation.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import active_managers, period_sums
from kpi_toolkit.margins import margin_units
from kpi_toolkit.periods import Period, parse_periods
from kpi_toolkit.stats import (
    CHECK_STATS_COLUMNS,
    DEFAULT_SEED,
    check_diagnostics,
    compare_checks,
    compare_counts,
    compare_rates,
    funnel_table,
    global_test_checks,
    global_test_counts,
    global_test_rates,
    shrink_rates,
)
from kpi_toolkit.stats import plot_funnel as _plot_funnel
from kpi_toolkit.stats.margin import compare_margin_rates

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "DEFAULT_MAX_ORDERS",
    "DEFAULT_MIN_N",
    "METRICS",
    "active_months",
    "average_check_diagnostics",
    "compare_managers",
    "funnel",
    "global_test",
    "order_amounts",
    "plot_funnel",
    "shrunk_rates",
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
#: Orders per manager above which :func:`order_amounts` draws a sample.
DEFAULT_MAX_ORDERS = 5000


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


def _in_team(data: SalesData, rows: pd.DataFrame, team: str) -> np.ndarray:
    """Per order of ``rows``: whether its manager was in ``team`` on ``ordered_at`` (``assignments``)."""
    spans = data.membership.intervals
    spans = spans[spans["team"] == team]
    when = pd.to_datetime(rows["ordered_at"]).dt.tz_localize(None).dt.normalize().to_numpy()
    who = rows["manager"].astype(str).to_numpy()
    keep = np.zeros(len(rows), dtype=bool)
    for manager, start, end in zip(spans["manager"], spans["start"], spans["end"], strict=True):
        keep |= (who == manager) & (when >= np.datetime64(start)) & (when < np.datetime64(end))
    return keep


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


def compare_managers(
    data: SalesData,
    *,
    period: str | Period | Sequence[str | Period],
    metric: Metric,
    team: str | None = None,
    versus: Literal["rest", "pairwise"] = "rest",
    p_adjust: Literal["holm", "bh", "none"] = "holm",
    alpha: float = 0.05,
    min_n: int | None = None,
    reference: Literal["robust", "all"] = "robust",
) -> pd.DataFrame:
    """Does a manager really convert worse, or sell bigger checks, than the rest of the team?

    Parameters
    ----------
    data : SalesData
        A validated data set (:func:`kpi_toolkit.load`).
    period : str, Period or sequence
        ``2026Q3``, ``2026-07``, ``2026``, a range ``"2026Q1:2026Q3"`` or a list of labels (their months
        pooled), in the data set's fiscal year.
    metric : {"conversion", "average_check", "new_customers", "margin_rate"}
        Conversion of closed leads (a proportion), the average check (order amounts), the number of new
        customers (a count) or the margin rate (gross margin / net sales; needs order costs).
    team : str, optional
        Compare the managers of this team; every manager when ``None`` or empty.
    versus : {"rest", "pairwise"}, default "rest"
        Each manager against the other managers pooled (k comparisons), or every pair (k(k-1)/2).
    p_adjust : {"holm", "bh", "none"}, default "holm"
        Adjustment of the p-values across the comparisons made.
    alpha : float, default 0.05
        A verdict is ``above``/``below`` when the adjusted p-value is below ``alpha``.
    min_n : int, optional
        Closed leads (conversion) or orders, zeros included (average check), a manager and its reference
        need for a test; ``None``: :data:`DEFAULT_MIN_N` (10 leads, 5 orders). Ignored for
        ``new_customers``, whose exact test holds at any count.
    reference : {"robust", "all"}, default "robust"
        Against ``"rest"``: leave clearly different colleagues out of the others' rest (``"robust"``, see
        :mod:`kpi_toolkit.stats.reference`), or pool every other manager (``"all"``).

    Returns
    -------
    pandas.DataFrame
        One row per comparison, managers (by id, in ``manager``) sorted, with exactly the columns
        :data:`kpi_toolkit.stats.COMPARISON_COLUMNS`: ``metric, manager, versus, n, estimate, versus_n,
        versus_estimate, difference, ci_low, ci_high, effect_size, effect_size_type, test, statistic,
        p_value, p_adjusted, verdict``. ``estimate``/``versus_estimate`` are the KPI values (conversion
        rates, arithmetic mean checks, new customers per active month); ``ci_low``/``ci_high`` bound the
        estimand named in ``effect_size_type`` (a rate difference, a ratio of average checks, a rate ratio);
        ``verdict`` is ``above``, ``below``, ``no difference`` or ``insufficient data``. ``attrs`` holds the
        options (``metric``, ``period``, ``team``, ``versus``, ``p_adjust``, ``alpha``, ``min_n``,
        ``reference``) and ``n_comparisons``, the number of tests the p-values were adjusted for.

    Raises
    ------
    ParameterError
        For an unknown metric, period, team or option, and for conversion without a leads table.

    Notes
    -----
    Methods (details and formulas in :func:`kpi_toolkit.stats.compare_rates`,
    :func:`~kpi_toolkit.stats.compare_checks` and :func:`~kpi_toolkit.stats.compare_counts`):

    - conversion: leads won out of leads closed in the period; chi-square test with Yates' correction
      (R ``prop.test``), Fisher's exact test when an expected count is below 5; Newcombe's interval of
      the difference; Cohen's h. Assumes leads convert independently at one rate per manager: many leads
      of one account, or a rate that drifts within the window, make it too liberal.
    - average check: a studentized permutation test of the difference in average checks (arithmetic
      means of every order, zeros included; Janssen 1997), with the ratio of average checks and its
      Fieller interval. Exact when the managers' orders come from one distribution, whatever its shape
      (log-normal, Pareto, many tiny or zero orders), so Holm keeps the family-wise error at ``alpha``;
      approximately right for the same average with different spread. Assumes independent orders. The
      smallest p-value is 2 / (resamples + 1) (at least 1,999 resamples, more for many comparisons). The
      typical order (Welch's t on log amounts, the ratio of geometric means), rank tests and a bootstrap
      are in :func:`average_check_diagnostics`, shown as checks, never as verdicts.
    - new customers: customers won in the period per active month (:func:`active_months`: a month with
      an order, a lead created or a lead closed), as Poisson counts with the active months as exposure, by
      the exact conditional binomial test (R ``poisson.test``); a manager with no activity at all gets
      ``insufficient data``. Within the active months the count still reflects workload as much as skill:
      a manager with few leads wins few new customers.
    - margin rate: a ratio of sums over the period's orders and returns (:func:`kpi_toolkit.margin_units`),
      tested by a studentized permutation test of the difference of the two ratios with the delta-method
      standard error (:func:`kpi_toolkit.stats.margin.compare_margin_rates`); ``ci_low``/``ci_high`` bound
      the difference of rates. Catches volume bought with discounts.

    The verdict follows the primary test alone, after adjusting across the comparisons made; with Holm,
    the chance that any manager gets ``above`` or ``below`` when all are alike stays at or below
    ``alpha`` (``tests/test_comparison_simulation.py`` shows it on the demo generator). "no difference"
    means no evidence of one, not equality. Managers below ``min_n`` (or whose rest is) get ``insufficient
    data`` and are not counted in the adjustment; their data stay in the others' rest.

    NaN policy: a manager without leads (or orders, or activity for new customers) appears, with NaN
    estimate and ``insufficient data``;
    what does not apply to a row is NaN. Fewer than two managers: an empty table with every column and a
    ``UserWarning``.

    References
    ----------
    Newcombe RG (1998). Stat Med 17:873-890. Janssen A (1997). Stat Probab Lett 36:9-21. Fieller EC
    (1954). J R Stat Soc B 16:175-185. Holm S (1979). Scand J Stat 6:65-70. Przyborowski J, Wilenski H
    (1940). Biometrika 31:313-323.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> table = kt.compare_managers(data, period="2026", metric="conversion")
    >>> table.loc[table["verdict"] != "no difference", ["manager", "n", "estimate", "verdict"]].round(3)
       manager    n  estimate verdict
    2      M03  189     0.122   below
    >>> table.attrs["n_comparisons"]
    16
    >>> checks = kt.compare_managers(data, period="2026", metric="average_check", team="North")
    >>> checks[["manager", "versus", "effect_size", "p_adjusted", "verdict"]].round(3)
      manager          versus  effect_size  p_adjusted        verdict
    0     M01  rest excl. M07        0.897       1.000  no difference
    1     M02  rest excl. M07        0.982       1.000  no difference
    2     M03  rest excl. M07        1.047       1.000  no difference
    3     M04  rest excl. M07        1.081       1.000  no difference
    4     M05  rest excl. M07        1.065       1.000  no difference
    5     M06  rest excl. M07        0.924       1.000  no difference
    6     M07            rest        1.831       0.009          above
    7     M13  rest excl. M07        0.908       1.000  no difference
    8     M16  rest excl. M07        1.062       1.000  no difference

    M07's p-value is the smallest 1,999 random splits can give (2/2000), times 9 managers (North's of 2026:
    the mover M13 and the leaver M16 too).
    """
    _check_metric(metric, (*METRICS, *EXTRA_METRICS))
    size = _min_n(metric, min_n)
    label, parts = _window(data, period)
    managers = active_managers(data, parts, team)
    if metric == "conversion":
        _needs_leads(data, "metric='conversion'")
    if metric == "margin_rate":
        table = compare_margin_rates(
            margin_units(data, period=parts, team=team), min_n=size, managers=managers, versus=versus,
            p_adjust=p_adjust, alpha=alpha, reference=reference,
        )  # fmt: skip
        return _with_attrs(table, metric, label, team, versus, p_adjust, alpha, size, reference)
    sums = _sums(data, parts, managers, team)
    options = {"versus": versus, "p_adjust": p_adjust, "alpha": alpha, "reference": reference}
    few = _few_managers(managers, team)
    with warnings.catch_warnings():
        if few:
            warnings.simplefilter("ignore", UserWarning)  # said above, in the data's terms
        if metric == "conversion":
            table = compare_rates(_rates_input(sums), min_n=size, **options)
        elif metric == "average_check":
            amounts = order_amounts(data, period=parts, team=team, max_orders=None)
            frame = amounts.loc[:, ["manager", "amount"]]
            table = compare_checks(frame, min_n=size, managers=managers, **options)
        else:
            exposure = active_months(data, period=parts, team=team)
            table = compare_counts(_counts_input(sums, exposure), metric="new_customers", **options)
    return _with_attrs(table, metric, label, team, versus, p_adjust, alpha, size, reference)


def _with_attrs(
    table: pd.DataFrame, metric: str, label: str, team: str | None, versus: str, p_adjust: str, alpha: float,
    size: int | None, reference: str,
) -> pd.DataFrame:  # fmt: skip
    table.attrs.update(
        metric=metric, period=label, team=team or None, versus=versus, p_adjust=p_adjust, alpha=float(alpha),
        min_n=size, reference=reference, n_comparisons=int(table["p_value"].notna().sum()),
    )  # fmt: skip
    return table


def global_test(
    data: SalesData,
    *,
    period: str | Period | Sequence[str | Period],
    metric: Metric,
    team: str | None = None,
    min_n: int | None = None,
) -> pd.DataFrame:
    """One test that all the team's managers are alike in ``metric``, reported beside the comparisons.

    Parameters
    ----------
    data, period, metric, team, min_n
        As in :func:`compare_managers`; managers below ``min_n`` are left out (named in ``note``).

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`kpi_toolkit.stats.GLOBAL_TEST_COLUMNS`: ``test, statistic, df, p_value,
        n_groups, note``; ``attrs``: ``metric``, ``period``, ``team``.

    Notes
    -----
    Conversion: chi-square test of homogeneity (R ``prop.test`` on k groups; a Monte Carlo p-value when an
    expected count is below 5). Average check: Welch's ANOVA on log amounts (R ``oneway.test``), from the
    sums. New customers: the Poisson dispersion test (chi-square of the counts against equal expected
    counts per active month; Monte Carlo below an expected count of 5). The average check's global test is
    about typical orders (geometric means), not the average checks the comparisons test. A significant
    global test says "not all alike"
    without saying who; it never gates the comparisons, and the two can disagree (a global p of 0.006 with
    no pair significant after Holm is reference case 2). Kruskal-Wallis on the raw amounts:
    ``kpi_toolkit.stats.global_test_checks(order_amounts(...), method="kruskal")``.

    References
    ----------
    Agresti A (2013). Categorical data analysis, 3rd ed., section 3.2. Welch BL (1951). Biometrika
    38:330-336. Cochran WG (1954). Biometrics 10:417-451.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> row = kt.global_test(data, period="2026", metric="average_check")
    >>> row[["test", "df", "n_groups"]]
                             test    df  n_groups
    0  Welch ANOVA on log amounts  14.0        15
    >>> bool(row["p_value"].iloc[0] < 0.001)
    True
    """
    _check_metric(metric)
    size = _min_n(metric, min_n)
    label, parts = _window(data, period)
    managers = active_managers(data, parts, team)
    if metric == "conversion":
        _needs_leads(data, "metric='conversion'")
    sums = _sums(data, parts, managers, team)
    if metric == "conversion":
        row = global_test_rates(_rates_input(sums), min_n=size)
    elif metric == "average_check":
        row = global_test_checks(sums.loc[:, list(CHECK_STATS_COLUMNS)], method="welch", min_n=size)
    else:
        row = global_test_counts(_counts_input(sums, active_months(data, period=parts, team=team)))
    row.attrs.update(metric=metric, period=label, team=team or None)
    return row


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
        rows = rows[_in_team(data, rows, team)].copy()
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


def funnel(
    data: SalesData,
    *,
    period: str | Period | Sequence[str | Period],
    metric: Literal["conversion"] = "conversion",
    team: str | None = None,
    target: float | None = None,
    overdispersion: bool = False,
) -> pd.DataFrame:
    """Each manager's conversion against its closed leads, with funnel limits (95 % and 99.8 %) and a signal.

    Parameters
    ----------
    data, period, team
        As in :func:`compare_managers`.
    metric : {"conversion"}, default "conversion"
        The rate on the funnel (a proportion of leads; the only one so far).
    target : float, optional
        The funnel's center (e.g. the planned conversion, as a fraction); the team's pooled rate when None.
    overdispersion : bool, default False
        Widen the limits by the estimated overdispersion factor when it exceeds 1 (managers who truly
        differ a little make most points signal on plain binomial limits).

    Returns
    -------
    pandas.DataFrame
        One row per manager (by id, sorted), columns :data:`kpi_toolkit.stats.FUNNEL_COLUMNS`: ``manager, n,
        rate, center, lower_95, upper_95, lower_998, upper_998, signal`` with ``signal`` ``above``/``below``
        (outside the 99.8 % limits), ``watch`` (outside the 95 % limits only) or ``within``; NaN rate, limits
        and signal for a manager without closed leads. ``attrs``: ``phi``, ``phi_estimate``, ``metric``,
        ``period``, ``team``.

    Notes
    -----
    Exact binomial limits with interpolation (Spiegelhalter 2005, appendix A.1.1), clipped to [0, 1]
    (:func:`kpi_toolkit.stats.funnel_table`). A funnel signal and a verdict of :func:`compare_managers` can
    disagree: the funnel's center includes the manager itself, its limits are not adjusted for the number
    of managers (with 20 managers one is expected outside the 95 % limits by chance), and ``watch`` has no
    counterpart among the verdicts. Assumes independent leads at the center rate. The exact limits are not
    quite symmetric: a manager truly at the center with 100 closed leads or more falls above the upper 95 %
    limit about 2.5-4 % of the time and below the lower one about 1.5-2.5 % (with fewer leads up to about
    6 % above and less below); outside the 99.8 % limits about 0.1-0.2 % above and under 0.1 % below (binomial
    probabilities of the limits, ``scipy.stats.binom``, centers 0.1-0.5).

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med 24:1185-1202.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> table = kt.funnel(data, period="2026")
    >>> table.loc[table["signal"] != "within", ["manager", "n", "rate", "lower_998", "signal"]].round(3)
      manager    n   rate  lower_998 signal
    2     M03  189  0.122      0.173  below
    3     M04  215  0.335      0.179  watch
    """
    _check_metric(metric, ("conversion",))
    _needs_leads(data, "the funnel of conversion")
    label, parts = _window(data, period)
    managers = active_managers(data, parts, team)
    table = funnel_table(
        _rates_input(_sums(data, parts, managers, team)), target=target, overdispersion=overdispersion
    )
    table.attrs.update(metric=metric, period=label, team=team or None)
    return table


def plot_funnel(
    table: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    label: Literal["signals", "all"] = "signals",
    ax: Axes | None = None,
) -> Axes:
    """Draw a funnel table (:func:`funnel`): rates against closed leads, limits, signals.

    Parameters
    ----------
    table : pandas.DataFrame
        The output of :func:`funnel` (or :func:`kpi_toolkit.stats.funnel_table`).
    names : mapping of str to str, optional
        Labels of the points by manager id (e.g. ``data.manager_info["name"]``); the id otherwise. Drawn
        literally (a ``$`` in a name is a dollar sign).
    label : {"signals", "all"}, default "signals"
        Label the points outside the 95 % limits only (a crowded funnel stays legible), or every point.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes
        Points coloured by signal, the center line, the 95 % (dashed) and 99.8 % (solid) limits.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> ax = kt.plot_funnel(kt.funnel(data, period="2026"), names=data.manager_info["name"].to_dict())
    >>> ax.get_xlabel(), "Clara Jensen" in [t.get_text() for t in ax.texts]
    ('closed leads', True)
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    return _plot_funnel(table, names=names, label=label, ax=ax)


def shrunk_rates(
    data: SalesData,
    *,
    period: str | Period | Sequence[str | Period],
    metric: Literal["conversion"] = "conversion",
    team: str | None = None,
    method: Literal["bayes", "mle", "moments"] = "bayes",
) -> pd.DataFrame:
    """Conversion rates shrunk toward the team's (hierarchical Bayes), ranked with their uncertainty.

    Parameters
    ----------
    data, period, team
        As in :func:`compare_managers`.
    metric : {"conversion"}, default "conversion"
        The rate to shrink (a proportion of leads; the only one so far).
    method : {"bayes", "mle", "moments"}, default "bayes"
        Fully Bayesian robust beta-binomial (intervals carry the uncertainty of the spread between managers),
        or the empirical-Bayes plug-in (maximum marginal likelihood or moment estimator; too narrow).

    Returns
    -------
    pandas.DataFrame
        One row per manager (by id, sorted), columns :data:`kpi_toolkit.stats.SHRINK_COLUMNS`: ``manager,
        n, successes, raw_rate, shrunk_rate, ci_low, ci_high, prob_above_center, rank, rank_low, rank_high,
        rank_low_joint, rank_high_joint`` (rank 1 is the highest shrunk rate; ties broken by raw rate, then
        id; ``rank_low``/``rank_high``: each manager's own 95 % rank interval; ``..._joint``: all managers'
        ranks inside theirs together with 95 %; ``<NA>`` without closed leads). ``attrs``: ``no_spread`` and
        ``note`` (no evidence of spread between managers), the prior's parameters, ``metric``, ``period``,
        ``team``.

    Notes
    -----
    Hierarchical beta-binomial with a robust prior (:func:`kpi_toolkit.stats.shrink_rates`): a manager with
    4 wins out of 5 leads is pulled far toward the team's rate, one with 150 out of 300 hardly at all, and one
    truly unlike the rest keeps most of their own record. Assumes the managers are exchangeable a priori.

    References
    ----------
    Gelman A et al. (2013). Bayesian Data Analysis, 3rd ed., section 5.3. Berger J, Berliner LM (1986). Ann
    Stat 14:461-486. Besag J et al. (1995). Stat Sci 10:3-66. Marshall EC, Spiegelhalter DJ (1998). BMJ
    316:1701-1705.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> table = kt.shrunk_rates(data, period="2026")
    >>> table.sort_values("rank")[["manager", "n", "raw_rate", "shrunk_rate", "rank"]].tail(3).round(3)
       manager    n  raw_rate  shrunk_rate  rank
    9      M10  121     0.231        0.279    14
    14     M15   28     0.143        0.258    15
    2      M03  189     0.122        0.126    16
    >>> m03 = table.set_index("manager").loc["M03"]
    >>> m03[["ci_low", "ci_high"]].round(3).tolist(), int(m03["rank_low"]), int(m03["rank_high"])
    ([0.083, 0.181], 15, 16)
    >>> kt.shrunk_rates(data, period="2026Q3").attrs["no_spread"]
    True
    """
    _check_metric(metric, ("conversion",))
    _needs_leads(data, "shrunk conversion rates")
    label, parts = _window(data, period)
    managers = active_managers(data, parts, team)
    table = shrink_rates(_rates_input(_sums(data, parts, managers, team)), method=method)
    table.attrs.update(metric=metric, period=label, team=team or None)
    return table
