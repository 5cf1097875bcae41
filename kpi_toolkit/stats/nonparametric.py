"""Checks of order amounts that need the raw amounts: Cliff's delta, a bootstrap interval of the ratio of
arithmetic means, and Dunn's rank test for every pair of managers.

Zero amounts are kept here (unlike the log-scale tests of :mod:`kpi_toolkit.stats.means`).
"""

from __future__ import annotations

from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.amounts import _amounts_frame
from kpi_toolkit.stats.multiple import _check_probability, adjust_pvalues
from kpi_toolkit.stats.proportions import DEFAULT_SEED

__all__ = ["DUNN_COLUMNS", "bootstrap_mean_ratio", "cliffs_delta", "dunn_test"]


#: Columns of :func:`dunn_test`.
DUNN_COLUMNS = ("manager", "versus", "mean_rank", "versus_mean_rank", "z", "p_value", "p_adjusted")


def cliffs_delta(x: ArrayLike, y: ArrayLike) -> float:
    """Cliff's delta: :math:`P(X > Y) - P(X < Y)` over all pairs of the two samples.

    Parameters
    ----------
    x, y : array-like of float
        The two samples, without NaN.

    Returns
    -------
    float
        Cliff's delta in [-1, 1], positive when x tends to be larger.

    Notes
    -----
    Computed from the Mann-Whitney U of x (ties count one half): :math:`\\delta = 2U/(n_x n_y) - 1`. In
    [-1, 1], 0 when neither sample tends to be larger; |delta| of 0.15, 0.33 and 0.47 are often read as
    small, medium, large (Romano et al. 2006). NaN if a sample is empty. NaN values are not allowed.

    References
    ----------
    Cliff N (1993). Dominance statistics: ordinal analyses to answer ordinal questions. Psych Bull 114:494.

    Examples
    --------
    >>> cliffs_delta([3, 4, 5], [1, 2, 3])
    0.8888888888888888
    """
    a, b = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if np.isnan(a).any() or np.isnan(b).any():
        raise ParameterError("x and y must not contain NaN; drop the missing values first")
    if a.size == 0 or b.size == 0:
        return float("nan")
    u = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic").statistic
    return float(2 * u / (a.size * b.size) - 1)


def _resampled_means(values: NDArray, n_resamples: int, rng: np.random.Generator) -> NDArray:
    n = values.size
    if n > 10_000:  # the bootstrap distribution of a mean of > 10k orders is normal to display precision
        return rng.normal(values.mean(), values.std(ddof=0) / np.sqrt(n), size=n_resamples)
    batch = max(1, 2_000_000 // max(n, 1))
    means = [
        values[rng.integers(0, n, size=(min(batch, n_resamples - i), n))].mean(axis=1)
        for i in range(0, n_resamples, batch)
    ]
    return np.concatenate(means)


def bootstrap_mean_ratio(
    x: ArrayLike,
    y: ArrayLike,
    *,
    n_resamples: int = 2000,
    conf_level: float = 0.95,
    seed: int = DEFAULT_SEED,
) -> tuple[float, float, float]:
    """Percentile bootstrap interval of the ratio of arithmetic means mean(x) / mean(y).

    Parameters
    ----------
    x, y : array-like of float
        The two samples (e.g. a manager's order amounts and its reference's); zeros included, no NaN.
    n_resamples : int, default 2000
        Bootstrap resamples.
    conf_level : float, default 0.95
    seed : int, default :data:`~kpi_toolkit.stats.proportions.DEFAULT_SEED`
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    tuple of float
        ``(ratio, ci_low, ci_high)``; NaN if a sample is empty or mean(y) is 0.

    Notes
    -----
    Each sample is resampled with replacement separately (stratified), ``n_resamples`` times with
    ``numpy.random.default_rng(seed)``; the interval is the percentiles of the resampled ratios. For a
    sample of more than 10,000 values the resampled mean is drawn from its normal limit
    :math:`N(\\bar x, s^2/n)`, to which the bootstrap distribution of a mean converges. The percentile
    interval undercovers for small, very skewed samples (below ~30 orders): use it as a check, not a verdict.

    References
    ----------
    Efron B, Tibshirani RJ (1993). An introduction to the bootstrap. Chapman & Hall, chapter 13.

    Examples
    --------
    >>> x, y = [120.0, 80.0, 200.0, 150.0, 95.0], [60.0, 90.0, 70.0, 40.0, 100.0]
    >>> [round(v, 2) for v in bootstrap_mean_ratio(x, y, seed=1)]
    [1.79, 1.21, 2.66]
    """
    level = _check_probability("conf_level", conf_level)
    a, b = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if a.size == 0 or b.size == 0 or b.mean() == 0:
        return (float("nan"), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = _resampled_means(a, n_resamples, rng) / _resampled_means(b, n_resamples, rng)
    low, high = np.nanquantile(ratios, [(1 - level) / 2, (1 + level) / 2])
    return (float(a.mean() / b.mean()), float(low), float(high))


def dunn_test(amounts: pd.DataFrame, *, p_adjust: Literal["holm", "bh", "none"] = "holm") -> pd.DataFrame:
    """Dunn's rank test for every pair of managers (the post-hoc companion of Kruskal-Wallis).

    Parameters
    ----------
    amounts : pandas.DataFrame
        One row per order: ``manager``, ``amount`` (>= 0, no NaN).
    p_adjust : {"holm", "bh", "none"}, default "holm"
        Adjustment across the pairs (see :func:`~kpi_toolkit.stats.multiple.adjust_pvalues`).

    Returns
    -------
    pandas.DataFrame
        One row per pair (managers sorted, ``manager < versus``), columns :data:`DUNN_COLUMNS`.

    Notes
    -----
    Ranks over all orders (mid-ranks for ties), :math:`\\bar R_i` per manager,
    :math:`z = (\\bar R_i - \\bar R_j)/\\sqrt{(N(N+1)/12 - \\sum(t^3 - t)/(12(N-1)))(1/n_i + 1/n_j)}`,
    two-sided normal p (R's ``dunn.test`` prints one-sided p, half of these). Compares mean ranks in the
    pooled ranking, so it is about stochastic dominance, not about means or medians.

    References
    ----------
    Dunn OJ (1964). Multiple comparisons using rank sums. Technometrics 6:241-252.

    Examples
    --------
    >>> frame = pd.DataFrame({"manager": list("AAABBBCCC"), "amount": [1, 2, 3, 4, 5, 6, 7, 8, 9]})
    >>> dunn_test(frame, p_adjust="none").round(4)
      manager versus  mean_rank  versus_mean_rank       z  p_value  p_adjusted
    0       A      B        2.0               5.0 -1.3416   0.1797      0.1797
    1       A      C        2.0               8.0 -2.6833   0.0073      0.0073
    2       B      C        5.0               8.0 -1.3416   0.1797      0.1797
    """
    frame = _amounts_frame(amounts)
    ranks = stats.rankdata(frame["amount"])
    total = ranks.size
    _, ties = np.unique(frame["amount"], return_counts=True)
    scale = total * (total + 1) / 12 - np.sum(ties**3 - ties) / (12 * (total - 1))
    grouped = pd.Series(ranks).groupby(frame["manager"].to_numpy(), sort=True).agg(["mean", "size"])
    rows = []
    for i, j in combinations(grouped.index, 2):
        (ri, ni), (rj, nj) = grouped.loc[i], grouped.loc[j]
        z = (ri - rj) / np.sqrt(scale * (1 / ni + 1 / nj))
        rows.append(
            {
                "manager": i,
                "versus": j,
                "mean_rank": ri,
                "versus_mean_rank": rj,
                "z": z,
                "p_value": 2 * stats.norm.sf(abs(z)),
            }
        )
    out = pd.DataFrame(rows, columns=list(DUNN_COLUMNS))
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(float), method=p_adjust)
    return out
