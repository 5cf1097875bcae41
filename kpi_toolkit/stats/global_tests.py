"""Global tests that all managers are alike (one row each), shown beside the comparisons, never gating them.

A significant global test says "not all alike" without saying who; the comparisons
(:mod:`kpi_toolkit.stats.comparison`) say who, after adjusting for the number of comparisons, and can all be
non-significant when the global test is (reference case 2), or the other way round.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.amounts import _check_input
from kpi_toolkit.stats.counts import _counts_frame, _events_frame
from kpi_toolkit.stats.means import _moments, welch_anova
from kpi_toolkit.stats.multiple import _check_choice, _check_min_n
from kpi_toolkit.stats.proportions import DEFAULT_SEED, chisq_homogeneity

__all__ = ["GLOBAL_TEST_COLUMNS", "global_test_checks", "global_test_counts", "global_test_rates"]

#: Columns of the one-row global tests.
GLOBAL_TEST_COLUMNS = ("test", "statistic", "df", "p_value", "n_groups", "note")


def _global_row(test: str, statistic: float, df: float, p: float, k: int, note: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"test": test, "statistic": statistic, "df": df, "p_value": p, "n_groups": k, "note": note}],
        columns=list(GLOBAL_TEST_COLUMNS),
    )


def _left_out(managers: NDArray, keep: NDArray, why: str) -> str:
    dropped = [str(m) for m in managers[~keep]]
    return f"; left out ({why}): {', '.join(dropped)}" if dropped else ""


def global_test_rates(
    counts: pd.DataFrame,
    *,
    min_n: int = 10,
    simulate: Literal["auto", "always", "never"] = "auto",
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Global test that all managers convert alike: chi-square test of homogeneity (R ``prop.test``).

    Parameters
    ----------
    counts : pandas.DataFrame
        ``manager, successes, trials`` as in :func:`compare_rates`.
    min_n : int, default 10
        Managers with fewer trials are left out (as in :func:`compare_rates`), and named in ``note``.
    simulate, seed
        Monte Carlo p-value when an expected count is below 5 (see
        :func:`~kpi_toolkit.stats.proportions.chisq_homogeneity`).

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`GLOBAL_TEST_COLUMNS`; ``df`` = k - 1; ``note`` gives the minimum expected
        count and who was left out. NaN statistic with a note when fewer than 2 managers qualify.

    Notes
    -----
    Reported beside the comparisons, never gating them: a significant global test says "not all alike"
    without saying who; pairwise tests can be all non-significant after adjustment (reference case 2).

    References
    ----------
    Agresti A (2013). Categorical data analysis, 3rd ed., Wiley, section 3.2.

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["M1", "M2", "M3", "M4"], "successes": [83, 90, 129, 70],
    ...                        "trials": [86, 93, 136, 82]})
    >>> row = global_test_rates(counts)  # R: prop.test(smokers, patients)
    >>> row[["test", "statistic", "df", "p_value", "n_groups"]].round(4)
             test  statistic  df  p_value  n_groups
    0  chi-square    12.6004   3   0.0056         4
    >>> row["note"].iloc[0]
    'minimum expected count 5.16'
    """
    min_n = _check_min_n("min_n", min_n)
    frame = _counts_frame(counts)
    keep = (frame["trials"] >= min_n).to_numpy()
    dropped = _left_out(frame["manager"].to_numpy(), keep, f"fewer than {min_n} trials")
    if keep.sum() < 2:
        return _global_row(
            "chi-square",
            np.nan,
            np.nan,
            np.nan,
            int(keep.sum()),
            f"fewer than 2 managers with at least {min_n} trials{dropped}",
        )
    result = chisq_homogeneity(
        frame.loc[keep, "successes"], frame.loc[keep, "trials"], simulate=simulate, seed=seed
    ).iloc[0]
    note = f"minimum expected count {result['min_expected']:.2f}"
    if result["min_expected"] < 5:
        note += " (< 5: chi-square approximation doubtful)"
    return _global_row(
        result["test"],
        result["statistic"],
        result["df"],
        result["p_value"],
        int(result["n_groups"]),
        note + dropped,
    )


def global_test_checks(
    amounts: pd.DataFrame,
    *,
    method: Literal["welch", "kruskal"] = "welch",
    min_n: int = 5,
) -> pd.DataFrame:
    """Global test that all managers' order amounts are alike: Welch ANOVA on logs, or Kruskal-Wallis.

    Parameters
    ----------
    amounts : pandas.DataFrame
        Raw amounts (``manager, amount``) or sufficient statistics, as :func:`compare_checks`;
        ``"kruskal"`` needs the raw amounts.
    method : {"welch", "kruskal"}, default "welch"
        ``"welch"``: Welch's ANOVA (R ``oneway.test``) on log amounts, from sufficient statistics; tests
        equal geometric means. ``"kruskal"``: Kruskal-Wallis on the amounts (zeros included), tie-corrected.
    min_n : int, default 5
        Managers with fewer positive orders (Welch; fewer orders for Kruskal-Wallis) are left out.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`GLOBAL_TEST_COLUMNS`; ``df`` is the numerator df k - 1 (Welch's
        denominator df is in ``note``).

    Notes
    -----
    Welch: see :func:`~kpi_toolkit.stats.means.welch_anova`; managers whose log amounts have no spread
    are left out too. Kruskal-Wallis: :math:`H` with the tie correction (``scipy.stats.kruskal``, as R's
    ``kruskal.test``), chi-square on k - 1 df; it tests whether some manager's orders tend to be larger.
    Reported beside the comparisons, never gating them.

    References
    ----------
    Welch BL (1951). Biometrika 38:330-336. Kruskal WH, Wallis WA (1952). JASA 47:583-621.

    Examples
    --------
    >>> amounts = pd.DataFrame({"manager": ["N"] * 5 + ["C"] * 4 + ["A"] * 5,
    ...                         "amount": [2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4,
    ...                                    2.8, 3.4, 3.7, 2.2, 2.0]})
    >>> row = global_test_checks(amounts, method="kruskal", min_n=2)  # R: kruskal.test(list(x, y, z))
    >>> row[["test", "statistic", "df", "p_value", "n_groups"]].round(6)
                 test  statistic  df  p_value  n_groups
    0  Kruskal-Wallis   0.771429   2 0.679965         3
    """
    _check_choice("method", method, ("welch", "kruskal"))
    min_n = _check_min_n("min_n", min_n)
    stats_, raw = _check_input(amounts)
    managers = stats_["manager"].to_numpy()
    if method == "kruskal":
        if raw is None:
            raise ParameterError(
                "method='kruskal' needs the raw amounts (columns manager, amount); with "
                "sufficient statistics use method='welch'"
            )
        keep = (stats_["orders"] >= min_n).to_numpy()
        dropped = _left_out(managers, keep, f"fewer than {min_n} orders")
        groups = [raw.loc[raw["manager"] == m, "amount"].to_numpy() for m in managers[keep]]
        if len(groups) < 2 or np.ptp(np.concatenate(groups)) == 0:
            return _global_row(
                "Kruskal-Wallis",
                np.nan,
                np.nan,
                np.nan,
                len(groups),
                f"fewer than 2 managers with {min_n} orders, or all amounts equal{dropped}",
            )
        h = stats.kruskal(*groups)
        return _global_row(
            "Kruskal-Wallis",
            float(h.statistic),
            len(groups) - 1,
            float(h.pvalue),
            len(groups),
            "tie-corrected H" + dropped,
        )
    pos = stats_["positive_orders"].to_numpy(float)
    mean, var = _moments(
        pos, stats_["sum_log_amount"].to_numpy(float), stats_["sum_sq_log_amount"].to_numpy(float)
    )
    keep = (pos >= min_n) & (var > 0)
    dropped = _left_out(managers, keep, f"fewer than {min_n} positive orders or no spread")
    if keep.sum() < 2:
        return _global_row(
            "Welch ANOVA on log amounts",
            np.nan,
            np.nan,
            np.nan,
            int(keep.sum()),
            f"fewer than 2 managers with {min_n} positive orders{dropped}",
        )
    result = welch_anova(pos[keep], mean[keep], var[keep]).iloc[0]
    zeros = int((stats_["orders"] - stats_["positive_orders"])[keep].sum())
    note = f"F({int(result['df1'])}, {result['df2']:.2f}); {zeros} zero amounts not logged{dropped}"
    return _global_row(
        "Welch ANOVA on log amounts",
        result["statistic"],
        result["df1"],
        result["p_value"],
        int(result["n_groups"]),
        note,
    )


def global_test_counts(
    counts: pd.DataFrame,
    *,
    simulate: Literal["auto", "always", "never"] = "auto",
    n_sim: int = 10_000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    r"""Global test that all managers' event counts (e.g. new customers) come from one Poisson rate.

    Parameters
    ----------
    counts : pandas.DataFrame
        ``manager, count[, exposure]`` as in :func:`~kpi_toolkit.stats.count_comparison.compare_counts`.
    simulate : {"auto", "always", "never"}, default "auto"
        ``"auto"``: a Monte Carlo p-value when an expected count is below 5, else the chi-square distribution.
    n_sim : int, default 10000
        Multinomial tables drawn for the Monte Carlo p-value.
    seed : int, default :data:`~kpi_toolkit.stats.proportions.DEFAULT_SEED`
        Seed of ``numpy.random.default_rng`` for the simulation.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`GLOBAL_TEST_COLUMNS`; ``df`` = k - 1 over the managers with exposure > 0;
        ``note`` gives the minimum expected count and who was left out (no exposure).

    Notes
    -----
    Poisson dispersion test: given the total :math:`N = \sum x_i`, equal rates make the counts multinomial
    with probabilities :math:`\pi_i = e_i / \sum e_j`, and
    :math:`X^2 = \sum_i (x_i - N\pi_i)^2 / (N\pi_i)` is about :math:`\chi^2_{k-1}`. The Monte Carlo p-value
    draws multinomial tables and reports :math:`(1 + \#\{X^2_{sim} \ge X^2\})/(1 + B)`. Without events
    (N = 0) there is nothing to test: statistic and p are NaN. Assumes events independent in time; counts
    that come in batches (one campaign) make it too liberal. Reported beside the comparisons, never gating
    them.

    References
    ----------
    Cochran WG (1954). Some methods for strengthening the common chi-square tests. Biometrics 10:417-451.
    Hope ACA (1968). A simplified Monte Carlo significance test procedure. JRSS B 30:582-598.

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["A", "B", "C", "D"], "count": [12, 9, 11, 30]})
    >>> row = global_test_counts(counts)  # R: chisq.test(c(12, 9, 11, 30))
    >>> row[["test", "statistic", "df", "p_value", "n_groups"]].round(6)
             test  statistic  df  p_value  n_groups
    0  chi-square  18.387097   3 0.000366         4
    """
    _check_choice("simulate", simulate, ("auto", "always", "never"))
    frame = _events_frame(counts)
    managers = frame["manager"].to_numpy()
    keep = (frame["exposure"] > 0).to_numpy()
    dropped = _left_out(managers, keep, "no exposure")
    x, e = frame.loc[keep, "count"].to_numpy(float), frame.loc[keep, "exposure"].to_numpy(float)
    total = float(x.sum())
    if keep.sum() < 2 or total == 0:
        return _global_row(
            "chi-square", np.nan, np.nan, np.nan, int(keep.sum()),
            f"fewer than 2 managers with exposure, or no events{dropped}",
        )  # fmt: skip
    expected = total * e / e.sum()

    def x2(table: NDArray) -> NDArray:
        return ((table - expected) ** 2 / expected).sum(axis=-1)

    observed, k = float(x2(x)), int(x.size)
    note = f"minimum expected count {expected.min():.2f}"
    if simulate == "always" or (simulate == "auto" and expected.min() < 5):
        rng = np.random.default_rng(seed)
        sims = rng.multinomial(int(total), e / e.sum(), size=int(n_sim)).astype(float)
        exceed = int(np.sum(x2(sims) >= observed * (1 - 1e-7)))
        test, p = f"chi-square (Monte Carlo p, {int(n_sim)} tables)", (1 + exceed) / (1 + n_sim)
    else:
        test, p = "chi-square", float(stats.chi2.sf(observed, k - 1))
    return _global_row(test, observed, k - 1, p, k, note + dropped)
