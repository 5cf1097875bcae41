"""Comparing managers honestly, from a data set: which differences between managers are real.

The data-level API over :mod:`kpi_toolkit.stats`: each function takes a :class:`~kpi_toolkit.data.SalesData`,
a period and optionally a team, and returns the statistics module's table for the managers of that team.

- :func:`compare_managers`: each manager against the rest of the team (or every pair), with a verdict that
  holds the chance of any false ``above``/``below`` at ``alpha`` (Holm);
- :func:`global_test`: one test that all managers are alike, shown beside the comparisons;

and beside them, in modules of their own:

- :func:`~kpi_toolkit.comparison_amounts.average_check_diagnostics`: rank tests, a bootstrap and Cliff's
  delta beside the average-check verdicts, from the raw order amounts
  (:func:`~kpi_toolkit.comparison_amounts.order_amounts`);
- :func:`~kpi_toolkit.comparison_conversion.funnel` and
  :func:`~kpi_toolkit.comparison_conversion.plot_funnel`: conversion rates against the number of leads, with
  control limits;
- :func:`~kpi_toolkit.comparison_conversion.shrunk_rates`: conversion rates shrunk toward the team's by how
  much the data can tell managers apart, with a ranking and its uncertainty;
- :mod:`kpi_toolkit.comparison_inputs`: what they share (the KPIs, ``min_n`` defaults, the window of
  periods, each manager's sums and :func:`~kpi_toolkit.comparison_inputs.active_months`).

The tests of conversion and new customers run on per-manager sums (:func:`kpi_toolkit.kpis.period_sums`),
which any engine can compute at any scale. The average check's permutation test reads every order amount of
the period (:func:`~kpi_toolkit.comparison_amounts.order_amounts`); its work grows with the smaller side of
each comparison (the manager), not with the rest. The diagnostics read at most ``max_orders`` per manager:
above that a seeded sample.

Periods: a label (``2026Q3``, ``2026-07``, ``2026``), a :class:`~kpi_toolkit.periods.Period`, a range
``"2026Q1:2026Q3"`` or a list of labels; a window of several periods pools their months. One quarter of a
manager's leads (60 or so) only detects large differences in conversion: a year detects a difference like
12 % against 28 % almost surely (see ``tests/test_comparison_simulation.py``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import pandas as pd

from kpi_toolkit.comparison_amounts import order_amounts
from kpi_toolkit.comparison_inputs import (
    EXTRA_METRICS,
    METRICS,
    Metric,
    _check_metric,
    _counts_input,
    _few_managers,
    _min_n,
    _needs_leads,
    _rates_input,
    _sums,
    _window,
    active_months,
)
from kpi_toolkit.data import SalesData
from kpi_toolkit.kpis import active_managers
from kpi_toolkit.margins import margin_units
from kpi_toolkit.periods import Period
from kpi_toolkit.stats import (
    CHECK_STATS_COLUMNS,
    compare_checks,
    compare_counts,
    compare_rates,
    global_test_checks,
    global_test_counts,
    global_test_rates,
)
from kpi_toolkit.stats.margin import compare_margin_rates

__all__ = [
    "compare_managers",
    "global_test",
]


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
        need for a test; ``None``: :data:`~kpi_toolkit.comparison_inputs.DEFAULT_MIN_N` (10 leads, 5
        orders). Ignored for ``new_customers``, whose exact test holds at any count.
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
      are in :func:`~kpi_toolkit.comparison_amounts.average_check_diagnostics`, shown as checks, never as
      verdicts.
    - new customers: customers won in the period per active month
      (:func:`~kpi_toolkit.comparison_inputs.active_months`: a month with an order, a lead created or a lead
      closed), as Poisson counts with the active months as exposure, by
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
