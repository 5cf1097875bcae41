"""Tests for order amounts (average check): Welch on log amounts from sufficient statistics, and checks.

The primary test works on the log scale, where order amounts are roughly symmetric, and needs only the
count, the sum of logs and the sum of squared logs per manager: it runs from aggregates at any scale. Its
estimand is the ratio of geometric means. Rank-based and resampling checks (Mann-Whitney, Cliff's delta,
bootstrap ratio of arithmetic means, Kruskal-Wallis, Dunn) need the raw amounts.

Zero amounts cannot be logged: they are left out of the log-scale tests (and counted: ``orders`` minus
``positive_orders``) but kept in the arithmetic means, the rank tests and the bootstrap.
"""

from __future__ import annotations

from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.multiple import _check_probability, _data_error, adjust_pvalues
from kpi_toolkit.stats.proportions import DEFAULT_SEED

__all__ = [
    "CHECK_STATS_COLUMNS",
    "DUNN_COLUMNS",
    "WELCH_ANOVA_COLUMNS",
    "WELCH_COLUMNS",
    "bootstrap_mean_ratio",
    "check_sufficient_stats",
    "cliffs_delta",
    "dunn_test",
    "log_welch_test",
    "welch_anova",
    "welch_ttest",
]

#: Sufficient statistics of the amounts per manager (names as in :mod:`kpi_toolkit.aggregate`).
CHECK_STATS_COLUMNS = (
    "manager",
    "orders",
    "positive_orders",
    "sales_volume",
    "sum_log_amount",
    "sum_sq_log_amount",
)
#: Columns of :func:`welch_ttest` and :func:`log_welch_test`.
WELCH_COLUMNS = ("estimate", "ci_low", "ci_high", "statistic", "df", "p_value")
#: Columns of :func:`welch_anova` (one row).
WELCH_ANOVA_COLUMNS = ("statistic", "df1", "df2", "p_value", "n_groups")
#: Columns of :func:`dunn_test`.
DUNN_COLUMNS = ("manager", "versus", "mean_rank", "versus_mean_rank", "z", "p_value", "p_adjusted")


def _amounts_frame(amounts: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``manager, amount`` frame (amounts finite and >= 0); return it with float amounts."""
    if not isinstance(amounts, pd.DataFrame) or not {"manager", "amount"} <= set(amounts.columns):
        found = list(amounts.columns) if isinstance(amounts, pd.DataFrame) else type(amounts).__name__
        raise ParameterError(
            f"amounts must be a DataFrame with columns manager, amount (one row per order); found {found}"
        )
    frame = amounts.loc[:, ["manager", "amount"]].reset_index(drop=True)
    values = pd.to_numeric(frame["amount"], errors="coerce").astype(float)
    bad = (~np.isfinite(values) | (values < 0)).to_numpy()
    if bad.any():
        raise _data_error(
            "amounts",
            "amount",
            "amount is missing, not finite or negative",
            bad,
            frame.loc[bad, "amount"].tolist(),
            "drop or correct these orders first",
        )
    if frame["manager"].isna().any():
        missing = frame["manager"].isna().to_numpy()
        raise _data_error("amounts", "manager", "manager is missing", missing, [], "fill in the manager")
    frame["amount"] = values
    return frame


def _check_input(amounts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sufficient statistics (and the raw amounts when given) from either accepted input shape."""
    if isinstance(amounts, pd.DataFrame) and "amount" in amounts.columns:
        raw = _amounts_frame(amounts)
        return check_sufficient_stats(raw), raw
    if not isinstance(amounts, pd.DataFrame) or not set(CHECK_STATS_COLUMNS) <= set(amounts.columns):
        found = list(amounts.columns) if isinstance(amounts, pd.DataFrame) else type(amounts).__name__
        raise ParameterError(
            f"amounts must have columns manager, amount (one row per order) or the "
            f"sufficient statistics {', '.join(CHECK_STATS_COLUMNS)}; found {found}"
        )
    frame = amounts.loc[:, list(CHECK_STATS_COLUMNS)].reset_index(drop=True)
    numbers = frame.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").astype(float)
    bad = (
        ~np.isfinite(numbers).all(axis=1)
        | (numbers[["orders", "positive_orders"]] < 0).any(axis=1)
        | (numbers["positive_orders"] > numbers["orders"])
        | frame["manager"].duplicated(keep=False)
    )
    if bad.any():
        raise _data_error(
            "amounts",
            None,
            "sufficient statistics missing, negative, positive_orders > orders, or manager repeated",
            bad.to_numpy(),
            frame.loc[bad, "manager"].tolist(),
            "pass one row per manager with finite sums",
        )
    frame = pd.concat([frame[["manager"]], numbers], axis=1)
    frame = frame.astype({"orders": "int64", "positive_orders": "int64"})
    return frame.sort_values("manager", kind="stable").reset_index(drop=True), None


def check_sufficient_stats(amounts: pd.DataFrame) -> pd.DataFrame:
    """Per-manager sufficient statistics of order amounts for the log-scale Welch tests.

    Parameters
    ----------
    amounts : pandas.DataFrame
        One row per order, columns ``manager`` and ``amount`` (>= 0, no NaN).

    Returns
    -------
    pandas.DataFrame
        One row per manager (sorted), columns :data:`CHECK_STATS_COLUMNS`: ``orders`` (all),
        ``positive_orders`` (amount > 0), ``sales_volume`` (sum of amounts), ``sum_log_amount`` and
        ``sum_sq_log_amount`` (sums of :math:`\\ln a` and :math:`(\\ln a)^2` over the positive amounts).

    Notes
    -----
    These sums add up over months and managers, so the "rest" of a manager is a sum of rows. Zero amounts
    enter ``orders`` and ``sales_volume`` only. Raises ``DataValidationError`` for NaN or negative amounts.

    References
    ----------
    Welch BL (1947). Biometrika 34:28-35 (the test these statistics feed).

    Examples
    --------
    >>> frame = pd.DataFrame({"manager": ["B", "A", "A"], "amount": [0.0, 100.0, 1000.0]})
    >>> print(check_sufficient_stats(frame).round(3).to_string())
      manager  orders  positive_orders  sales_volume  sum_log_amount  sum_sq_log_amount
    0       A       2                2        1100.0          11.513             68.925
    1       B       1                0           0.0           0.000              0.000
    """
    frame = _amounts_frame(amounts)
    positive = frame["amount"] > 0
    logs = np.log(frame["amount"].where(positive, 1.0))
    parts = pd.DataFrame(
        {
            "manager": frame["manager"],
            "orders": 1,
            "positive_orders": positive.astype(int),
            "sales_volume": frame["amount"],
            "sum_log_amount": logs,
            "sum_sq_log_amount": logs**2,
        }
    )
    out = parts.groupby("manager", sort=True).sum().reset_index()
    return out.loc[:, list(CHECK_STATS_COLUMNS)].astype({"orders": "int64", "positive_orders": "int64"})


def _moments(n: NDArray, total: NDArray, total_sq: NDArray) -> tuple[NDArray, NDArray]:
    """Mean and sample variance from n, sum and sum of squares (variance NaN below n = 2)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        var = np.maximum(total_sq - total * mean, 0.0) / (n - 1)
    return np.where(n > 0, mean, np.nan), np.where(n > 1, var, np.nan)


def welch_ttest(
    n1: ArrayLike,
    mean1: ArrayLike,
    var1: ArrayLike,
    n2: ArrayLike,
    mean2: ArrayLike,
    var2: ArrayLike,
    *,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Welch's two-sample t-test from group sizes, means and sample variances, vectorised.

    Parameters
    ----------
    n1, mean1, var1, n2, mean2, var2 : array-like of float
        Per group: size, mean and sample variance (ddof = 1); scalars broadcast.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WELCH_COLUMNS`: ``estimate`` (mean1 - mean2), its ``ci_low``/``ci_high``, the
        ``statistic`` t, the Welch-Satterthwaite ``df``, the two-sided ``p_value``. NaN where a group has
        fewer than 2 values or both variances are 0.

    Notes
    -----
    :math:`t = (\\bar x_1 - \\bar x_2)/\\sqrt{s_1^2/n_1 + s_2^2/n_2}`,
    :math:`\\nu = (s_1^2/n_1 + s_2^2/n_2)^2 / \\sum_i (s_i^2/n_i)^2/(n_i - 1)`. Assumes independent values
    and approximately normal means (fine from a few dozen values unless the data are very skewed); does
    not assume equal variances. Same as R ``t.test(var.equal = FALSE)``.

    References
    ----------
    Welch BL (1947). The generalization of Student's problem when several different population variances
    are involved. Biometrika 34:28-35.

    Examples
    --------
    >>> welch_ttest(10, 0.75, 3.2006, 10, 2.33, 4.009).round(4)  # R: t.test(extra ~ group, sleep)
       estimate  ci_low  ci_high  statistic       df  p_value
    0     -1.58 -3.3655   0.2055    -1.8608  17.7765   0.0794
    """
    level = _check_probability("conf_level", conf_level)
    a = [np.atleast_1d(np.asarray(v, dtype=float)) for v in (n1, mean1, var1, n2, mean2, var2)]
    m1, x1, v1, m2, x2, v2 = np.broadcast_arrays(*a)
    with np.errstate(divide="ignore", invalid="ignore"):
        w1, w2 = v1 / m1, v2 / m2
        se = np.sqrt(w1 + w2)
        df = (w1 + w2) ** 2 / (w1**2 / (m1 - 1) + w2**2 / (m2 - 1))
        t = (x1 - x2) / se
    ok = (m1 >= 2) & (m2 >= 2) & (se > 0)
    t, df = np.where(ok, t, np.nan), np.where(ok, df, np.nan)
    half = stats.t.isf((1 - level) / 2, df) * se
    diff = np.where(ok, x1 - x2, np.nan)
    return pd.DataFrame(
        {
            "estimate": diff,
            "ci_low": diff - half,
            "ci_high": diff + half,
            "statistic": t,
            "df": df,
            "p_value": 2 * stats.t.sf(np.abs(t), df),
        }
    )


def log_welch_test(
    n1: ArrayLike,
    sum_log1: ArrayLike,
    sum_sq_log1: ArrayLike,
    n2: ArrayLike,
    sum_log2: ArrayLike,
    sum_sq_log2: ArrayLike,
    *,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Welch's t-test on log amounts from sufficient statistics; estimand: the ratio of geometric means.

    Parameters
    ----------
    n1, sum_log1, sum_sq_log1, n2, sum_log2, sum_sq_log2 : array-like
        Per group: the number of positive amounts, the sum of their natural logs and of squared logs.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns :data:`WELCH_COLUMNS`: ``estimate`` is the ratio of geometric means
        :math:`\\exp(\\bar y_1 - \\bar y_2)` with :math:`y = \\ln a`; ``ci_low``/``ci_high`` its interval
        (exp of the Welch interval of the mean log difference); ``statistic``, ``df``, ``p_value`` of Welch's
        test on the logs.

    Notes
    -----
    :math:`\\bar y = S/n`, :math:`s^2 = (Q - S^2/n)/(n - 1)` from the sums S and Q, then
    :func:`welch_ttest`. Order amounts are typically right-skewed and close to log-normal; on the log
    scale the t-test is well behaved and the ratio of geometric means (the "typical" check) is robust to a
    few huge orders. It is not the ratio of average checks: if one manager's amounts are more spread out,
    the two ratios differ, and for strongly non-log-normal data (e.g. many identical small orders plus
    a few large ones) neither summarises the difference well; look at the checks of
    :func:`kpi_toolkit.stats.check_diagnostics`. Zero amounts must be excluded from the sums by the caller.
    The sums of squares lose precision only for log spreads below ~1e-6 of the mean log (irrelevant here).

    References
    ----------
    Welch BL (1947). Biometrika 34:28-35. Limpert E, Stahel WA, Abbt M (2001). Log-normal distributions
    across the sciences. BioScience 51:341-352.

    Examples
    --------
    >>> import numpy as np
    >>> y1, y2 = np.log([120.0, 80.0, 200.0, 150.0]), np.log([60.0, 90.0, 70.0, 40.0, 100.0])
    >>> log_welch_test(4, y1.sum(), (y1**2).sum(), 5, y2.sum(), (y2**2).sum()).round(4)
       estimate  ci_low  ci_high  statistic      df  p_value
    0    1.9008  1.0339   3.4948     2.5468  6.3477   0.0416
    """
    a = [
        np.atleast_1d(np.asarray(v, dtype=float))
        for v in (n1, sum_log1, sum_sq_log1, n2, sum_log2, sum_sq_log2)
    ]
    mean1, var1 = _moments(*a[:3])
    mean2, var2 = _moments(*a[3:])
    out = welch_ttest(a[0], mean1, var1, a[3], mean2, var2, conf_level=conf_level)
    out[["estimate", "ci_low", "ci_high"]] = np.exp(out[["estimate", "ci_low", "ci_high"]])
    return out


def welch_anova(n: ArrayLike, mean: ArrayLike, var: ArrayLike) -> pd.DataFrame:
    """Welch's heteroscedastic one-way ANOVA (R ``oneway.test``) from group sizes, means and variances.

    Parameters
    ----------
    n, mean, var : array-like of float
        Per group: size, mean and sample variance (ddof = 1).

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`WELCH_ANOVA_COLUMNS`: ``statistic`` F, ``df1`` = k - 1, ``df2``, ``p_value``,
        ``n_groups``.

    Notes
    -----
    Weights :math:`w_i = n_i / s_i^2`, :math:`W = \\sum w_i`, :math:`\\tilde x = \\sum w_i \\bar x_i / W`,
    :math:`\\Lambda = \\sum (1 - w_i/W)^2/(n_i - 1)`;
    :math:`F = \\frac{\\sum w_i (\\bar x_i - \\tilde x)^2/(k-1)}{1 + 2(k-2)\\Lambda/(k^2-1)}` on
    :math:`k - 1` and :math:`(k^2 - 1)/(3\\Lambda)` df. Needs k >= 2 groups, each with n >= 2 and a positive
    variance (otherwise ``ParameterError``). Assumes approximately normal group means; unequal variances
    are fine.

    References
    ----------
    Welch BL (1951). On the comparison of several mean values: an alternative approach. Biometrika
    38:330-336.

    Examples
    --------
    >>> welch_anova([10, 10], [0.75, 2.33], [3.2006, 4.009]).round(4)  # R: oneway.test(extra ~ group, sleep)
       statistic  df1      df2  p_value  n_groups
    0     3.4626    1  17.7765   0.0794         2
    """
    n_, m_, v_ = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (n, mean, var))
    if n_.size < 2 or np.any(~(n_ >= 2)) or np.any(~(v_ > 0)) or not (n_.size == m_.size == v_.size):
        raise ParameterError(
            "welch_anova needs >= 2 groups, each with n >= 2 and variance > 0 (same "
            "lengths); drop the groups that do not qualify"
        )
    k = n_.size
    w = n_ / v_
    center = np.sum(w * m_) / w.sum()
    lam = np.sum((1 - w / w.sum()) ** 2 / (n_ - 1))
    f = np.sum(w * (m_ - center) ** 2) / (k - 1) / (1 + 2 * (k - 2) * lam / (k**2 - 1))
    df2 = (k**2 - 1) / (3 * lam)
    row = {"statistic": f, "df1": k - 1, "df2": df2, "p_value": stats.f.sf(f, k - 1, df2), "n_groups": k}
    return pd.DataFrame([row], columns=WELCH_ANOVA_COLUMNS)


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
