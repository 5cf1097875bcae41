"""Tests and intervals for conversion rates (proportions), vectorised over many comparisons at once.

Two proportions: the chi-square test with Yates' correction exactly as R's ``prop.test``, switching to
Fisher's exact test when an expected count is below 5; Newcombe's hybrid score interval for the difference;
Cohen's h. k proportions: the chi-square test of homogeneity (R ``prop.test`` on k groups), with a seeded
Monte Carlo p-value when expected counts are small.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats
from scipy.stats.contingency import odds_ratio

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.multiple import _check_choice, _check_probability, _data_error

__all__ = [
    "DEFAULT_SEED",
    "HOMOGENEITY_COLUMNS",
    "INTERVAL_COLUMNS",
    "RATE_RATIO_COLUMNS",
    "TWO_PROPORTION_COLUMNS",
    "chisq_homogeneity",
    "cohens_h",
    "newcombe_interval",
    "poisson_rate_test",
    "two_proportion_test",
    "wilson_interval",
]

#: Default seed of every seeded computation in :mod:`kpi_toolkit.stats` (Monte Carlo p, bootstrap).
DEFAULT_SEED = 20260701
#: Columns of :func:`two_proportion_test`.
TWO_PROPORTION_COLUMNS = ("test", "statistic", "df", "p_value", "min_expected")
#: Columns of :func:`newcombe_interval` and :func:`wilson_interval`.
INTERVAL_COLUMNS = ("estimate", "ci_low", "ci_high")
#: Columns of :func:`poisson_rate_test`.
RATE_RATIO_COLUMNS = ("estimate", "ci_low", "ci_high", "p_value")
#: Columns of :func:`chisq_homogeneity` (one row).
HOMOGENEITY_COLUMNS = ("test", "statistic", "df", "p_value", "n_groups", "min_expected")

CHI2_YATES = "chi-square (Yates)"
FISHER = "Fisher exact"


def _whole(name: str, values: ArrayLike) -> NDArray[np.float64]:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if np.any(~np.isfinite(array)) or np.any(array < 0) or np.any(array != np.round(array)):
        raise ParameterError(f"{name} must hold whole numbers >= 0 (counts); got {array.tolist()[:5]}")
    return array


def _pairs(x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike) -> list[NDArray[np.float64]]:
    arrays = [_whole(k, v) for k, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2))]
    try:
        a1, m1, a2, m2 = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ParameterError("x1, n1, x2 and n2 must have the same length (or be scalars)") from None
    if np.any(a1 > m1) or np.any(a2 > m2):
        raise ParameterError("successes exceed trials: need x1 <= n1 and x2 <= n2")
    return [a1, m1, a2, m2]


def _counts_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``manager, successes, trials`` frame; return it sorted by manager, counts as int64."""
    table = "counts"
    if not isinstance(counts, pd.DataFrame):
        raise ParameterError(
            f"counts must be a DataFrame with columns manager, successes, trials; got {type(counts).__name__}"
        )
    missing = [c for c in ("manager", "successes", "trials") if c not in counts.columns]
    if missing:
        raise _data_error(
            table,
            missing[0],
            f"column(s) {missing} missing; found {list(counts.columns)}",
            np.zeros(len(counts), bool),
            [],
            "pass one row per manager with columns "
            "manager, successes (e.g. leads won), trials (e.g. leads closed)",
        )
    frame = counts.loc[:, ["manager", "successes", "trials"]].reset_index(drop=True)
    for column in ("successes", "trials"):
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        if bad.any():
            raise _data_error(
                table,
                column,
                "not a whole number >= 0 (NaN is not allowed: a manager without leads has 0 trials)",
                bad.to_numpy(),
                frame.loc[bad, column].tolist(),
                f"fill {column} with counts; use 0 for none",
            )
        frame[column] = values.astype("int64")
    over = (frame["successes"] > frame["trials"]).to_numpy()
    if over.any():
        raise _data_error(
            table,
            "successes",
            "successes exceed trials",
            over,
            frame.loc[over, "manager"].tolist(),
            "successes must be <= trials",
        )
    dup = frame["manager"].duplicated(keep=False).to_numpy()
    if dup.any() or frame["manager"].isna().any():
        bad = dup | frame["manager"].isna().to_numpy()
        raise _data_error(
            table,
            "manager",
            "manager missing or repeated",
            bad,
            frame.loc[bad, "manager"].tolist(),
            "give one row per manager",
        )
    return frame.sort_values("manager", kind="stable").reset_index(drop=True)


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


def _wilson(x: NDArray[np.float64], n: NDArray[np.float64], z: float) -> tuple[NDArray, NDArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n
        center = (x + z * z / 2) / (n + z * z)
        half = z * np.sqrt(n) / (n + z * z) * np.sqrt(p * (1 - p) + z * z / (4 * n))
    return np.clip(center - half, 0, 1), np.clip(center + half, 0, 1)


def wilson_interval(x: ArrayLike, n: ArrayLike, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Wilson score interval of a proportion x/n, vectorised.

    Parameters
    ----------
    x, n : array-like of int
        Successes and trials.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INTERVAL_COLUMNS`: ``estimate`` (x/n), ``ci_low``, ``ci_high``; NaN where n = 0.

    Notes
    -----
    :math:`(\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}) / (1 + z^2/n)`, no continuity
    correction, as ``statsmodels.stats.proportion.proportion_confint(method="wilson")``. Good coverage
    also near 0 and 1, unlike the Wald interval.

    References
    ----------
    Wilson EB (1927). Probable inference, the law of succession, and statistical inference. JASA 22:209.

    Examples
    --------
    >>> wilson_interval([0, 7], [10, 20]).round(4)
       estimate  ci_low  ci_high
    0      0.00  0.0000   0.2775
    1      0.35  0.1812   0.5671
    """
    level = _check_probability("conf_level", conf_level)
    x_, n_ = _pairs(x, n, 0, 1)[:2]
    low, high = _wilson(x_, n_, float(stats.norm.isf((1 - level) / 2)))
    with np.errstate(divide="ignore", invalid="ignore"):
        estimate = np.where(n_ > 0, x_ / n_, np.nan)
    return pd.DataFrame({"estimate": estimate, "ci_low": low, "ci_high": high})


def newcombe_interval(
    x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike, *, conf_level: float = 0.95
) -> pd.DataFrame:
    """Newcombe's hybrid score interval for the difference of two proportions x1/n1 - x2/n2.

    Parameters
    ----------
    x1, n1, x2, n2 : array-like of int
        Successes and trials of the two groups (scalars broadcast).
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns :data:`INTERVAL_COLUMNS`: ``estimate`` (the difference), ``ci_low``, ``ci_high``; NaN where
        a group has 0 trials.

    Notes
    -----
    Newcombe's method 10: with Wilson limits :math:`(l_i, u_i)` of each proportion,
    :math:`\\delta - \\sqrt{(\\hat p_1 - l_1)^2 + (u_2 - \\hat p_2)^2}` to
    :math:`\\delta + \\sqrt{(u_1 - \\hat p_1)^2 + (\\hat p_2 - l_2)^2}`. It stays inside [-1, 1], behaves at
    0 and n successes, and its coverage is close to nominal from about 10 trials per group. It assumes
    independent binomial groups (each lead converts independently of the others).

    References
    ----------
    Newcombe RG (1998). Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Stat Med 17:873-890 (method 10).

    Examples
    --------
    >>> newcombe_interval(56, 70, 48, 80).round(4)  # Newcombe (1998), table II, example (a)
       estimate  ci_low  ci_high
    0       0.2  0.0524   0.3339
    """
    level = _check_probability("conf_level", conf_level)
    a, m1, c, m2 = _pairs(x1, n1, x2, n2)
    z = float(stats.norm.isf((1 - level) / 2))
    l1, u1 = _wilson(a, m1, z)
    l2, u2 = _wilson(c, m2, z)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1, p2 = a / m1, c / m2
    delta = p1 - p2
    low = delta - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = delta + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return pd.DataFrame({"estimate": delta, "ci_low": np.clip(low, -1, 1), "ci_high": np.clip(high, -1, 1)})


def cohens_h(p1: ArrayLike, p2: ArrayLike) -> NDArray[np.float64]:
    """Cohen's h effect size of two proportions: :math:`2\\arcsin\\sqrt{p_1} - 2\\arcsin\\sqrt{p_2}`.

    Parameters
    ----------
    p1, p2 : array-like of float
        Proportions in [0, 1] (NaN allowed).

    Returns
    -------
    numpy.ndarray of float
        h for each pair, NaN where a proportion is NaN.

    Notes
    -----
    The difference on the variance-stabilising arcsine scale; 0.2, 0.5 and 0.8 are Cohen's "small",
    "medium" and "large". NaN in, NaN out. Same as ``statsmodels``' ``proportion_effectsize``.

    References
    ----------
    Cohen J (1988). Statistical power analysis for the behavioral sciences, 2nd ed., section 6.2.

    Examples
    --------
    >>> cohens_h([83 / 86], [70 / 82]).round(5).tolist()
    [0.40935]
    """
    a, b = np.asarray(p1, dtype=float), np.asarray(p2, dtype=float)
    if np.any((a < 0) | (a > 1)) or np.any((b < 0) | (b > 1)):
        raise ParameterError("p1 and p2 must be proportions in [0, 1] (or NaN)")
    return 2 * np.arcsin(np.sqrt(a)) - 2 * np.arcsin(np.sqrt(b))


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


def poisson_rate_test(
    x1: ArrayLike, e1: ArrayLike, x2: ArrayLike, e2: ArrayLike, *, conf_level: float = 0.95
) -> pd.DataFrame:
    """Compare two Poisson rates x1/e1 and x2/e2 by the exact conditional binomial test, vectorised.

    Parameters
    ----------
    x1, x2 : array-like of int
        Event counts (e.g. new customers).
    e1, e2 : array-like of float
        Exposures (e.g. months active, leads handled), > 0.
    conf_level : float, default 0.95

    Returns
    -------
    pandas.DataFrame
        Columns :data:`RATE_RATIO_COLUMNS`: ``estimate`` the rate ratio :math:`(x_1/e_1)/(x_2/e_2)`, its exact
        ``ci_low``/``ci_high`` and the two-sided ``p_value``; NaN where an exposure is 0 or
        :math:`x_1 + x_2 = 0` (the ratio and upper limit are ``inf`` when :math:`x_2 = 0`).

    Notes
    -----
    With :math:`x_i \\sim \\mathrm{Poisson}(\\lambda_i e_i)`, given :math:`x_1 + x_2` the count :math:`x_1` is
    binomial with :math:`\\pi = \\lambda_1 e_1 / (\\lambda_1 e_1 + \\lambda_2 e_2)`. :math:`\\lambda_1 =
    \\lambda_2` is tested by ``scipy.stats.binomtest`` with :math:`\\pi_0 = e_1/(e_1 + e_2)` and the
    Clopper-Pearson interval of :math:`\\pi` maps to the ratio :math:`\\pi/(1-\\pi) \\cdot e_2/e_1`, as R's
    ``poisson.test(c(x1, x2), c(e1, e2))``. Exact at any count. Assumes independent events (Poisson): events
    in batches (one campaign bringing ten customers) make it too liberal.

    References
    ----------
    Przyborowski J, Wilenski H (1940). Homogeneity of results in testing samples from Poisson series.
    Biometrika 31:313-323. Clopper CJ, Pearson ES (1934). Biometrika 26:404-413.

    Examples
    --------
    >>> poisson_rate_test(30, 1, 32, 3).round(4)
       estimate  ci_low  ci_high  p_value
    0    2.8125   1.651   4.7793   0.0001
    """
    level = _check_probability("conf_level", conf_level)
    try:
        a, f1, c, f2 = np.broadcast_arrays(
            _whole("x1", x1),
            np.atleast_1d(np.asarray(e1, dtype=float)),
            _whole("x2", x2),
            np.atleast_1d(np.asarray(e2, dtype=float)),
        )
    except ValueError:
        raise ParameterError("x1, e1, x2 and e2 must have the same length (or be scalars)") from None
    if np.any(~np.isfinite(f1) | (f1 < 0)) or np.any(~np.isfinite(f2) | (f2 < 0)):
        raise ParameterError("e1 and e2 must be exposures >= 0 (e.g. months active); no NaN")
    ok = (f1 > 0) & (f2 > 0) & (a + c > 0)
    total = a + c
    with np.errstate(divide="ignore", invalid="ignore"):
        pi0 = f1 / (f1 + f2)
        # Clopper-Pearson limits of pi (as scipy's binomtest(...).proportion_ci(method="exact"))
        low = np.where(a > 0, stats.beta.ppf((1 - level) / 2, a, total - a + 1), 0.0)
        high = np.where(a < total, stats.beta.ppf((1 + level) / 2, a + 1, total - a), 1.0)
        pis = np.stack([a / total, low, high])
        ratios = pis / (1 - pis) * f2 / f1
    p = np.full(a.shape, np.nan)
    for i in np.flatnonzero(ok):  # two-sided: tables no more likely than the observed one (scipy, R)
        pmf = stats.binom.pmf(np.arange(total[i] + 1), total[i], pi0[i])
        p[i] = pmf[pmf <= pmf[int(a[i])] * (1 + 1e-7)].sum()
    out = pd.DataFrame({"estimate": ratios[0], "ci_low": ratios[1], "ci_high": ratios[2], "p_value": p})
    out[~ok] = np.nan
    out["p_value"] = out["p_value"].clip(upper=1.0)
    return out
