r"""Empirical-Bayes shrinkage of conversion rates (beta-binomial), for rankings that respect sample size.

A manager with 4 wins out of 5 leads should not top a ranking above one with 150 out of 300. Shrinkage pulls
each raw rate toward the team's rate, the more the fewer leads the manager has, by as much as the spread
between managers seen in the data warrants; the posterior intervals show how uncertain each rate (and so
each rank) stays.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats

from kpi_toolkit.stats.multiple import _check_choice, _check_probability
from kpi_toolkit.stats.proportions import _counts_frame

__all__ = ["SHRINK_COLUMNS", "shrink_rates"]

#: Columns of :func:`shrink_rates`.
SHRINK_COLUMNS = (
    "manager", "n", "successes", "raw_rate", "shrunk_rate", "ci_low", "ci_high", "prob_above_center", "rank",
)  # fmt: skip
#: Intra-class correlations below this count as "no spread" (a prior worth more than a million leads).
_RHO_FLOOR = 1e-6
_BOUNDS = [(1e-9, 1 - 1e-9), (0.0, 1 - 1e-9)]
_TOLERANCES = {"ftol": 1e-15, "gtol": 1e-10}


def _tail_counts(values: NDArray) -> NDArray:
    """w[j] = number of managers with value > j, for j = 0 .. max - 1."""
    top = int(values.max()) if values.size else 0
    return np.bincount(values.astype(np.int64), minlength=top + 1)[::-1].cumsum()[::-1][1:]


def _mle(x: NDArray, n: NDArray) -> tuple[float, float]:
    """Maximum-likelihood (mean, intra-class correlation) of the beta-binomial, product form.

    log L = sum_j w_s[j] log(mu(1-rho) + j rho) + sum_j w_f[j] log((1-mu)(1-rho) + j rho)
            - sum_j w_n[j] log((1-rho) + j rho), exact also at rho = 0 (binomial).
    """
    ws, wf, wn = _tail_counts(x), _tail_counts(n - x), _tail_counts(n)
    js, jf, jn = np.arange(ws.size), np.arange(wf.size), np.arange(wn.size)

    def negloglik(theta: NDArray) -> tuple[float, NDArray]:
        mu, rho = theta
        a, b, c = mu * (1 - rho) + js * rho, (1 - mu) * (1 - rho) + jf * rho, (1 - rho) + jn * rho
        value = ws @ np.log(a) + wf @ np.log(b) - wn @ np.log(c)
        d_mu = (1 - rho) * (ws @ (1 / a) - wf @ (1 / b))
        d_rho = ws @ ((js - mu) / a) + wf @ ((jf - 1 + mu) / b) - wn @ ((jn - 1) / c)
        return -value, -np.array([d_mu, d_rho])

    pooled = x.sum() / n.sum()
    best = None
    for rho0 in (1e-3, 0.05, 0.3):
        fit = optimize.minimize(
            negloglik, [pooled, rho0], jac=True, method="L-BFGS-B", bounds=_BOUNDS, options=_TOLERANCES
        )
        if best is None or fit.fun < best.fun:
            best = fit
    return float(best.x[0]), float(best.x[1])


def _moments(x: NDArray, n: NDArray) -> tuple[float, float]:
    """ANOVA (moment) estimate of the mean and intra-class correlation of binary outcomes (Fleiss)."""
    k, total = x.size, n.sum()
    pooled, p = x.sum() / total, x / n
    msb = np.sum(n * (p - pooled) ** 2) / (k - 1)
    msw = np.sum(n * p * (1 - p)) / (total - k) if total > k else 0.0
    n0 = (total - np.sum(n**2) / total) / (k - 1)
    denominator = msb + (n0 - 1) * msw
    return float(pooled), float((msb - msw) / denominator) if denominator > 0 else 0.0


def shrink_rates(
    counts: pd.DataFrame, *, method: Literal["mle", "moments"] = "mle", center: float | None = None
) -> pd.DataFrame:
    r"""Empirical-Bayes (beta-binomial) shrunk conversion rates with credible intervals and a ranking.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per manager: ``manager``, ``successes`` (leads won), ``trials`` (leads closed).
    method : {"mle", "moments"}, default "mle"
        How the Beta prior is fitted: maximum marginal likelihood, or the ANOVA moment estimator.
    center : float, optional
        Rate for ``prob_above_center`` (e.g. a target); the pooled rate when ``None``.

    Returns
    -------
    pandas.DataFrame
        One row per manager (sorted), columns :data:`SHRINK_COLUMNS`: ``raw_rate`` (NaN without leads),
        ``shrunk_rate`` (posterior mean), ``ci_low``/``ci_high`` (equal-tailed 95 % credible interval),
        ``prob_above_center`` (posterior P(rate > center)), ``rank`` (1 = highest shrunk rate; ties broken by
        raw rate, then manager; ``<NA>`` for managers without leads). ``attrs``: ``no_spread`` (bool, see
        Notes), ``note``, ``method``, ``prior_mean``, ``prior_icc``, ``prior_alpha``, ``prior_beta``,
        ``center``.

    Notes
    -----
    Model: manager i's rate :math:`\theta_i \sim \mathrm{Beta}(\alpha, \beta)`, wins
    :math:`x_i \sim \mathrm{Binomial}(n_i, \theta_i)`. The prior is fitted on the managers with leads, in the
    parametrisation mean :math:`\mu = \alpha/(\alpha+\beta)` and intra-class correlation
    :math:`\rho = 1/(\alpha+\beta+1)`, by maximising the beta-binomial likelihood (in a product form that is
    exact at :math:`\rho = 0`; L-BFGS-B from three starts) or by the ANOVA estimator. Posterior:
    :math:`\mathrm{Beta}(\alpha + x_i, \beta + n_i - x_i)`, mean
    :math:`(\alpha + x_i)/(\alpha + \beta + n_i)`.

    No evidence of spread: when the fitted :math:`\rho` is at the boundary (below 1e-6, i.e. the data are
    consistent with all managers converting alike), with fewer than two managers with leads, or a pooled
    rate of 0 or 1, ``attrs["no_spread"]`` is True, ``attrs["note"]`` says so, every shrunk rate is the pooled
    rate and the interval and probability are those of the common rate (Jeffreys posterior
    :math:`\mathrm{Beta}(X + 1/2, N - X + 1/2)`). The ranking then only orders raw rates and carries no
    evidence. Empirical Bayes ignores the uncertainty of the fitted prior, so the intervals are somewhat
    narrow with few managers (< 10); it assumes managers are exchangeable (no known reason for one to differ).
    NaN counts are rejected; a manager with 0 trials gets the prior as posterior.

    References
    ----------
    Efron B, Morris C (1975). Data analysis using Stein's estimator and its generalizations. JASA 70:311.
    Griffiths DA (1973). Maximum likelihood estimation for the beta-binomial distribution. Biometrics 29:637.
    Fleiss JL, Levin B, Paik MC (2003). Statistical methods for rates and proportions, 3rd ed., ch. 15.
    Marshall EC, Spiegelhalter DJ (1998). Reliability of league tables of in vitro fertilisation clinics.
    BMJ 316:1701-1705.

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["A", "B", "C", "D", "E"], "successes": [4, 150, 30, 60, 10],
    ...                        "trials": [5, 300, 200, 150, 80]})
    >>> table = shrink_rates(counts)
    >>> table[["manager", "raw_rate", "shrunk_rate", "ci_low", "ci_high", "rank"]].round(3)
      manager  raw_rate  shrunk_rate  ci_low  ci_high  rank
    0       A     0.800        0.555   0.270    0.821     1
    1       B     0.500        0.497   0.441    0.553     2
    2       C     0.150        0.156   0.110    0.208     4
    3       D     0.400        0.398   0.323    0.476     3
    4       E     0.125        0.141   0.076    0.221     5
    >>> table.attrs["no_spread"]
    False
    """
    _check_choice("method", method, ("mle", "moments"))
    frame = _counts_frame(counts)
    x, n = frame["successes"].to_numpy(float), frame["trials"].to_numpy(float)
    has = n > 0
    total_x, total_n = x[has].sum(), n[has].sum()
    pooled = total_x / total_n if total_n > 0 else float("nan")
    center = pooled if center is None else _check_probability("center", center, open_interval=False)
    mu, rho, note = pooled, 0.0, ""
    if has.sum() < 2 or pooled in (0.0, 1.0) or not np.isfinite(pooled):
        note = "fewer than two managers with leads, or every lead won (or lost): nothing to shrink"
    else:
        mu, rho = _mle(x[has], n[has]) if method == "mle" else _moments(x[has], n[has])
    no_spread = rho < _RHO_FLOOR
    out = pd.DataFrame({"manager": frame["manager"], "n": frame["trials"], "successes": frame["successes"]})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["raw_rate"] = np.where(has, x / n, np.nan)
    if no_spread:
        note = note or ("no evidence of spread between managers (fitted prior at the boundary): every rate "
                        "is shrunk to the pooled rate and the ranking carries no evidence")  # fmt: skip
        alpha = beta = float("inf")
        post_a, post_b = np.full(x.shape, total_x + 0.5), np.full(x.shape, total_n - total_x + 0.5)
        out["shrunk_rate"] = pooled
    else:
        alpha, beta = mu * (1 - rho) / rho, (1 - mu) * (1 - rho) / rho
        post_a, post_b = alpha + x, beta + n - x
        out["shrunk_rate"] = post_a / (post_a + post_b)
    out["ci_low"], out["ci_high"] = (
        stats.beta.ppf(0.025, post_a, post_b),
        stats.beta.ppf(0.975, post_a, post_b),
    )
    out["prob_above_center"] = stats.beta.sf(center, post_a, post_b) if np.isfinite(center) else np.nan
    order = np.lexsort((frame["manager"].astype(str).to_numpy(), -out["raw_rate"].fillna(-1).to_numpy(),
                        -out["shrunk_rate"].fillna(-1).to_numpy()))  # fmt: skip
    order = order[has[order]]
    rank = pd.Series(pd.NA, index=out.index, dtype="Int64")
    rank.iloc[order] = np.arange(1, order.size + 1)
    out["rank"] = rank
    out.attrs.update(no_spread=bool(no_spread), note=note, method=method, prior_mean=mu, prior_icc=rho,
                     prior_alpha=alpha, prior_beta=beta, center=float(center))  # fmt: skip
    return out.loc[:, list(SHRINK_COLUMNS)]
