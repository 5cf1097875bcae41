"""Tests of conversion rates (proportions), vectorised over many comparisons at once.

Two proportions: the chi-square test with Yates' correction exactly as R's ``prop.test``, switching to
Fisher's exact test when an expected count is below 5. k proportions: the chi-square test of homogeneity
(R ``prop.test`` on k groups), with a seeded Monte Carlo p-value when expected counts are small. Intervals
and effect sizes of proportions are in :mod:`kpi_toolkit.stats.proportion_intervals`, the test of two
Poisson rates in :mod:`kpi_toolkit.stats.poisson`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.stats.contingency import odds_ratio

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.counts import _pairs
from kpi_toolkit.stats.multiple import _check_choice

__all__ = [
    "DEFAULT_SEED",
    "HOMOGENEITY_COLUMNS",
    "TWO_PROPORTION_COLUMNS",
    "chisq_homogeneity",
    "two_proportion_test",
]


#: Default seed of every seeded computation in :mod:`kpi_toolkit.stats` (Monte Carlo p, bootstrap).
DEFAULT_SEED = 20260701
#: Columns of :func:`two_proportion_test`.
TWO_PROPORTION_COLUMNS = ("test", "statistic", "df", "p_value", "min_expected")
#: Columns of :func:`chisq_homogeneity` (one row).
HOMOGENEITY_COLUMNS = ("test", "statistic", "df", "p_value", "n_groups", "min_expected")

CHI2_YATES = "chi-square (Yates)"
FISHER = "Fisher exact"


def two_proportion_test(
    x1: ArrayLike,
    n1: ArrayLike,
    x2: ArrayLike,
    n2: ArrayLike,
    *,
    exact: Literal["auto", "always", "never"] = "auto",
) -> pd.DataFrame:
    """Compare two proportions x1/n1 and x2/n2, vectorised: R's ``prop.test`` or Fisher's exact test.

    Parameters
    ----------
    x1, n1, x2, n2 : array-like of int
        Successes and trials of the first and second group (scalars broadcast).
    exact : {"auto", "always", "never"}, default "auto"
        ``"auto"``: Fisher's exact test where any expected count of the 2x2 table is below 5, else the
        chi-square test with Yates' correction. ``"always"``/``"never"`` force one of the two.

    Returns
    -------
    pandas.DataFrame
        One row per comparison, columns :data:`TWO_PROPORTION_COLUMNS`: ``test`` (``"chi-square (Yates)"``
        or ``"Fisher exact"``), ``statistic`` (X-squared, or for Fisher the conditional maximum-likelihood
        odds ratio, as R's ``fisher.test`` estimate), ``df`` (1; NaN for Fisher), ``p_value`` (two-sided),
        ``min_expected``.

    Notes
    -----
    Table ``[[x1, n1 - x1], [x2, n2 - x2]]``, expected counts :math:`E = r_i c_j / N`. Yates:
    :math:`X^2 = \\sum (|O - E| - \\min(0.5, |O - E|))^2 / E` on 1 df, as R's ``prop.test`` and
    ``scipy.stats.chi2_contingency(correction=True)``. Fisher: the two-sided p sums the tables with the
    margins fixed whose probability is at most the observed one (``scipy.stats.fisher_exact``, as R).
    The odds ratio is the conditional MLE (``scipy.stats.contingency.odds_ratio``), not the sample
    ``ad/bc`` that ``fisher_exact`` reports.

    The chi-square p is an approximation that Yates makes conservative; the switch to Fisher below an
    expected count of 5 (Cochran's rule) keeps small tables honest. Both tests condition on the margins.
    A group with 0 trials gives NaN everywhere (``test`` NaN); if all outcomes are successes (or all
    failures) the expected counts contain 0 and Fisher gives p = 1.

    References
    ----------
    Yates F (1934). Contingency tables involving small numbers and the chi-square test. JRSS Suppl 1:217.
    Fisher RA (1935). The logic of inductive inference. JRSS 98:39-82.
    Cochran WG (1954). Some methods for strengthening the common chi-square tests. Biometrics 10:417.

    Examples
    --------
    >>> two_proportion_test([83, 3], [86, 4], [70, 1], [82, 4]).round(4)
                     test  statistic   df  p_value  min_expected
    0  chi-square (Yates)     5.1155  1.0   0.0237        7.3214
    1        Fisher exact     6.4083  NaN   0.4857        2.0000
    """
    _check_choice("exact", exact, ("auto", "always", "never"))
    a, n1a, c, n2a = _pairs(x1, n1, x2, n2)
    b, d = n1a - a, n2a - c
    total = n1a + n2a
    with np.errstate(divide="ignore", invalid="ignore"):
        s, f = a + c, b + d
        expected = np.stack([n1a * s, n1a * f, n2a * s, n2a * f]) / total
        min_expected = expected.min(axis=0)
        dev = np.abs(a * d - b * c) / total
        chi2 = (dev - np.minimum(0.5, dev)) ** 2 * (1.0 / expected).sum(axis=0)
    valid = (n1a > 0) & (n2a > 0)
    use_fisher = {"auto": min_expected < 5, "always": np.ones_like(valid), "never": np.zeros_like(valid)}
    fisher = use_fisher[exact].astype(bool) & valid
    chi2 = np.where(valid & ~fisher & (min_expected > 0), chi2, np.nan)
    p = stats.chi2.sf(chi2, 1)
    ratios = np.full(a.shape, np.nan)
    for i in np.flatnonzero(fisher):
        table = np.array([[a[i], b[i]], [c[i], d[i]]], dtype=np.int64)
        p[i] = stats.fisher_exact(table).pvalue
        if (table.sum(axis=0) > 0).all():
            ratios[i] = odds_ratio(table, kind="conditional").statistic
    test = np.where(fisher, FISHER, CHI2_YATES).astype(object)
    test[~valid] = np.nan
    return pd.DataFrame(
        {
            "test": pd.Series(test, dtype="str"),
            "statistic": np.where(fisher, ratios, chi2),
            "df": np.where(valid & ~fisher, 1.0, np.nan),
            "p_value": np.minimum(p, 1.0),
            "min_expected": np.where(valid, min_expected, np.nan),
        },
        columns=list(TWO_PROPORTION_COLUMNS),
    )


def _pearson(x: NDArray, n: NDArray) -> NDArray:
    """Pearson X^2 of the k x 2 tables in the rows of ``x`` (successes) given group sizes ``n``."""
    p = x.sum(axis=-1, keepdims=True) / n.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((x - n * p) ** 2 / (n * p * (1 - p))).sum(axis=-1)


def chisq_homogeneity(
    successes: ArrayLike,
    trials: ArrayLike,
    *,
    simulate: Literal["auto", "always", "never"] = "auto",
    n_sim: int = 10_000,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """Chi-square test that k proportions are equal (R ``prop.test`` on k groups), one-row result.

    Parameters
    ----------
    successes, trials : array-like of int
        One entry per group; every group needs trials > 0.
    simulate : {"auto", "always", "never"}, default "auto"
        ``"auto"``: a Monte Carlo p-value (as R's ``chisq.test(simulate.p.value = TRUE)``) when an expected
        count is below 5, else the chi-square distribution.
    n_sim : int, default 10000
        Tables simulated for the Monte Carlo p-value.
    seed : int, default :data:`DEFAULT_SEED`
        Seed of ``numpy.random.default_rng`` for the simulation.

    Returns
    -------
    pandas.DataFrame
        One row, columns :data:`HOMOGENEITY_COLUMNS`: ``test``, ``statistic`` (X-squared), ``df`` (k - 1),
        ``p_value``, ``n_groups``, ``min_expected``.

    Notes
    -----
    :math:`X^2 = \\sum_i (x_i - n_i\\bar p)^2 / (n_i \\bar p (1 - \\bar p))` with the pooled rate
    :math:`\\bar p`, on k - 1 df. With two groups Yates' correction is applied, as R does. The Monte Carlo
    p-value draws tables with both margins fixed (multivariate hypergeometric) and reports
    :math:`(1 + \\#\\{X^2_{sim} \\ge X^2\\}) / (1 + B)` on the uncorrected statistic. If the pooled rate is
    0 or 1 there is nothing to test: statistic and p are NaN. A significant global test does not say which
    managers differ, and a non-significant one does not forbid a pairwise finding (case 2 of the reference
    cases: global p = 0.0056, no pair significant after Holm).

    References
    ----------
    Pearson K (1900). Phil Mag 50:157-175. Hope ACA (1968). A simplified Monte Carlo significance test
    procedure. JRSS B 30:582-598.

    Examples
    --------
    >>> chisq_homogeneity([83, 90, 129, 70], [86, 93, 136, 82]).round(4)  # R: prop.test(smokers, patients)
             test  statistic  df  p_value  n_groups  min_expected
    0  chi-square    12.6004   3   0.0056         4        5.1637
    """
    _check_choice("simulate", simulate, ("auto", "always", "never"))
    x, n = _pairs(successes, trials, 0, 1)[:2]
    if x.size < 2 or np.any(n == 0):
        raise ParameterError(
            "chisq_homogeneity needs at least 2 groups, each with trials > 0; drop the groups without trials"
        )
    k = x.size
    pooled = x.sum() / n.sum()
    min_expected = float(np.minimum(n * pooled, n * (1 - pooled)).min())
    row = {
        "test": "chi-square" if k > 2 else CHI2_YATES,
        "df": k - 1,
        "n_groups": k,
        "min_expected": min_expected,
    }
    if pooled in (0.0, 1.0):
        return pd.DataFrame([row | {"statistic": np.nan, "p_value": np.nan}], columns=HOMOGENEITY_COLUMNS)
    if simulate == "always" or (simulate == "auto" and min_expected < 5):
        rng = np.random.default_rng(seed)
        observed = float(_pearson(x, n))
        sims = stats.multivariate_hypergeom.rvs(
            n.astype(np.int64), int(x.sum()), size=int(n_sim), random_state=rng
        )
        exceed = np.sum(_pearson(sims.astype(float), n) >= observed * (1 - 1e-7))
        row |= {
            "test": f"chi-square (Monte Carlo p, {int(n_sim)} tables)",
            "statistic": observed,
            "p_value": (1 + exceed) / (1 + n_sim),
        }
    elif k == 2:
        two = two_proportion_test(x[0], n[0], x[1], n[1], exact="never")
        row |= {"statistic": float(two["statistic"].iloc[0]), "p_value": float(two["p_value"].iloc[0])}
    else:
        observed = float(_pearson(x, n))
        row |= {"statistic": observed, "p_value": float(stats.chi2.sf(observed, k - 1))}
    return pd.DataFrame([row], columns=HOMOGENEITY_COLUMNS)
