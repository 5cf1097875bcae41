"""Welch's tests of means from group sizes, means and variances: two groups, two groups on the log scale from
sufficient statistics (the ratio of geometric means), and k groups (Welch's ANOVA).

The log-scale test needs only the count, the sum of logs and the sum of squared logs per manager
(:func:`~kpi_toolkit.stats.amounts.check_sufficient_stats`): it runs from aggregates at any scale. Its
estimand is the ratio of geometric means. Rank-based and resampling checks, which need the raw amounts, are
in :mod:`kpi_toolkit.stats.nonparametric`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.multiple import _check_probability

__all__ = ["WELCH_ANOVA_COLUMNS", "WELCH_COLUMNS", "log_welch_test", "welch_anova", "welch_ttest"]


#: Columns of :func:`welch_ttest` and :func:`log_welch_test`.
WELCH_COLUMNS = ("estimate", "ci_low", "ci_high", "statistic", "df", "p_value")
#: Columns of :func:`welch_anova` (one row).
WELCH_ANOVA_COLUMNS = ("statistic", "df1", "df2", "p_value", "n_groups")


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
