"""Conversion beside the verdicts: the funnel of conversion rates against closed leads with control limits
(:func:`funnel`, drawn by :func:`plot_funnel`), and conversion rates shrunk toward the team's with a
ranking and its uncertainty (:func:`shrunk_rates`). Periods, teams and NaN policy as in
:func:`kpi_toolkit.comparison.compare_managers`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import pandas as pd

from kpi_toolkit.comparison_inputs import _check_metric, _needs_leads, _rates_input, _sums, _window
from kpi_toolkit.data import SalesData
from kpi_toolkit.kpis import active_managers
from kpi_toolkit.periods import Period
from kpi_toolkit.stats import funnel_table, shrink_rates
from kpi_toolkit.stats import plot_funnel as _plot_funnel

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "funnel",
    "plot_funnel",
    "shrunk_rates",
]


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
