r"""Funnel plots of conversion rates: exact binomial control limits, with optional overdispersion.

A funnel plot shows each manager's rate against the number of leads, with control limits around a center
(the pooled rate or a target) that narrow as the number of leads grows. A point outside the 99.8 % limits
is a signal; outside the 95 % limits only, a reason to watch. Unlike the comparison tests, the limits are
not adjusted for the number of managers, and the center is the whole team, the manager included: the two
can disagree near the limits.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.counts import _counts_frame
from kpi_toolkit.stats.multiple import _check_probability

__all__ = ["FUNNEL_COLUMNS", "FUNNEL_LIMIT_COLUMNS", "SIGNALS", "funnel_limits", "funnel_table"]

#: Columns of :func:`funnel_limits` (long format: one row per n and level).
FUNNEL_LIMIT_COLUMNS = ("n", "level", "lower", "upper")
#: Columns of :func:`funnel_table`.
FUNNEL_COLUMNS = (
    "manager", "n", "rate", "center", "lower_95", "upper_95", "lower_998", "upper_998", "signal",
)  # fmt: skip
#: Values of ``signal``.
SIGNALS = ("above", "below", "watch", "within")


def _exact_limit(n: np.ndarray, center: float, p: float) -> np.ndarray:
    """Spiegelhalter (2005) A.1.1: the interpolated p-quantile of Binomial(n, center) divided by n."""
    r = stats.binom.ppf(p, n, center)
    upper_cdf = stats.binom.cdf(r, n, center)
    lower_cdf = stats.binom.cdf(r - 1, n, center)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(upper_cdf > lower_cdf, (upper_cdf - p) / (upper_cdf - lower_cdf), 0.0)
        return np.where(n > 0, (r - alpha) / n, np.nan)


def funnel_limits(
    n: ArrayLike,
    *,
    center: float,
    levels: Sequence[float] = (0.95, 0.998),
    overdispersion_phi: float | None = None,
) -> pd.DataFrame:
    r"""Exact binomial control limits of a proportion at sample sizes ``n`` around ``center``.

    Parameters
    ----------
    n : array-like of int
        Sample sizes (closed leads), >= 0; a grid of sizes draws the funnel.
    center : float
        The rate the limits are centred on, in [0, 1] (pooled rate or target).
    levels : sequence of float, default (0.95, 0.998)
        Two-sided coverage of each pair of limits.
    overdispersion_phi : float, optional
        Multiplicative overdispersion factor (>= 1 makes the limits wider; see :func:`funnel_table`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FUNNEL_LIMIT_COLUMNS`, one row per level and n (levels in the given order, n in
        input order); ``lower``/``upper`` are NaN where n = 0.

    Notes
    -----
    Appendix A.1.1 of Spiegelhalter (2005): for the tail probability p, :math:`r_p` is the smallest r with
    :math:`F(r) \ge p` for the Binomial(n, center) distribution F, and the limit is :math:`(r_p - a)/n`
    with :math:`a = (F(r_p) - p)/(F(r_p) - F(r_p - 1))`, an interpolation that makes the limits smooth in n.
    p is :math:`(1 \mp \text{level})/2`. As published, the interpolation spreads the mass of r over
    (r - 1, r], so for large n the limits sit about 0.5/n below the normal approximation
    :math:`\theta_0 \pm z\sqrt{\theta_0(1-\theta_0)/n}`. With overdispersion the distance from the
    center is multiplied by :math:`\sqrt\phi` (the exact-limit analogue of Spiegelhalter's
    :math:`\theta_0 \pm z\sqrt{\phi\theta_0(1-\theta_0)/n}`). Limits are clipped to [0, 1]. They assume
    independent binomial trials at the center rate.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med 24:1185-1202.

    Examples
    --------
    >>> funnel_limits([20, 200], center=0.25, levels=(0.95,)).round(4)
         n  level   lower   upper
    0   20   0.95  0.0505  0.4294
    1  200   0.95  0.1886  0.3087
    """
    center = _check_probability("center", center, open_interval=False)
    sizes = np.atleast_1d(np.asarray(n, dtype=float))
    if np.any(~np.isfinite(sizes) | (sizes < 0) | (sizes != np.round(sizes))):
        raise ParameterError("n must hold whole numbers >= 0 (numbers of leads)")
    phi = 1.0 if overdispersion_phi is None else float(overdispersion_phi)
    if not np.isfinite(phi) or phi <= 0:
        raise ParameterError(f"overdispersion_phi={overdispersion_phi!r} must be a number > 0, e.g. 1.5")
    frames = []
    for level in levels:
        level = _check_probability("levels", level)
        lower, upper = (_exact_limit(sizes, center, p) for p in ((1 - level) / 2, (1 + level) / 2))
        lower, upper = (np.clip(center + np.sqrt(phi) * (lim - center), 0, 1) for lim in (lower, upper))
        frames.append(
            pd.DataFrame({"n": sizes.astype("int64"), "level": level, "lower": lower, "upper": upper})
        )
    if not frames:
        raise ParameterError("levels is empty; give at least one level, e.g. levels=(0.95, 0.998)")
    return pd.concat(frames, ignore_index=True)


def _overdispersion(x: np.ndarray, n: np.ndarray, center: float) -> float:
    """Spiegelhalter's winsorised estimate of phi: the mean of the squared z-scores, 10 % winsorised."""
    use = n > 0
    if use.sum() < 2 or center in (0.0, 1.0):
        return float("nan")
    z = np.sort((x[use] / n[use] - center) / np.sqrt(center * (1 - center) / n[use]))
    k = int(np.floor(0.1 * z.size))
    if k > 0:
        z = np.clip(z, z[k], z[-k - 1])
    return float(np.mean(z**2))


def funnel_table(
    counts: pd.DataFrame, *, target: float | None = None, overdispersion: bool = False
) -> pd.DataFrame:
    r"""Each manager's conversion rate with its funnel limits (95 % and 99.8 %) and a signal.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per manager: ``manager``, ``successes`` (leads won), ``trials`` (leads closed).
    target : float, optional
        Center of the funnel; the pooled rate (total won / total closed) when ``None``.
    overdispersion : bool, default False
        Widen the limits by the estimated overdispersion factor (only if it exceeds 1).

    Returns
    -------
    pandas.DataFrame
        One row per manager (sorted), columns :data:`FUNNEL_COLUMNS`. ``signal``: ``above``/``below`` outside
        the 99.8 % limits, ``watch`` outside the 95 % limits only, ``within`` otherwise; NaN with the rate and
        limits for a manager without leads. ``attrs["phi"]`` is the factor used (1 without overdispersion) and
        ``attrs["phi_estimate"]`` the estimate.

    Notes
    -----
    Limits by :func:`funnel_limits`. A rate exactly on a limit is within it. Overdispersion (Spiegelhalter
    2005, section on overdispersion): with :math:`z_i = (y_i - \theta_0)/\sqrt{\theta_0(1-\theta_0)/n_i}`,
    the 10 % most extreme z at each end are winsorised (set to the next value; no winsorising below 10
    managers) and :math:`\hat\phi = \frac1I \sum z_i^2`; :math:`I\hat\phi` is about :math:`\chi^2_I` without
    overdispersion. Real differences between managers (not only chance) make :math:`\hat\phi > 1` and most
    managers would signal on plain binomial limits; widening the limits asks "unusual even given that
    managers differ?". With few managers (< 10) the estimate is rough. The limits do not adjust for
    multiplicity: with 20 managers about one is expected outside the 95 % limits by chance.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med 24:1185-1202.

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["A", "B", "C", "D"], "successes": [50, 20, 9, 30],
    ...                        "trials": [200, 60, 80, 120]})
    >>> funnel_table(counts)[["manager", "rate", "lower_95", "upper_95", "signal"]].round(3)
      manager   rate  lower_95  upper_95  signal
    0       A  0.250     0.177     0.295  within
    1       B  0.333     0.125     0.341  within
    2       C  0.112     0.140     0.327   watch
    3       D  0.250     0.159     0.311  within
    """
    frame = _counts_frame(counts)
    x, n = frame["successes"].to_numpy(float), frame["trials"].to_numpy(float)
    if target is None:
        center = float(x.sum() / n.sum()) if n.sum() > 0 else float("nan")
    else:
        center = _check_probability("target", target, open_interval=False)
    phi_hat = _overdispersion(x, n, center)
    phi = max(1.0, phi_hat) if overdispersion and np.isfinite(phi_hat) else 1.0
    out = pd.DataFrame({"manager": frame["manager"], "n": frame["trials"]})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate"] = np.where(n > 0, x / n, np.nan)
    out["center"] = center
    for level, tag in ((0.95, "95"), (0.998, "998")):
        if np.isfinite(center):
            limits = funnel_limits(n, center=center, levels=(level,), overdispersion_phi=phi)
            out[f"lower_{tag}"], out[f"upper_{tag}"] = limits["lower"].to_numpy(), limits["upper"].to_numpy()
        else:
            out[f"lower_{tag}"] = out[f"upper_{tag}"] = np.nan
    rate = out["rate"].to_numpy()
    signal = np.select(
        [
            rate > out["upper_998"],
            rate < out["lower_998"],
            (rate > out["upper_95"]) | (rate < out["lower_95"]),
        ],
        ["above", "below", "watch"],
        "within",
    ).astype(object)
    signal[~np.isfinite(rate) | ~np.isfinite(out["lower_95"].to_numpy())] = np.nan
    out["signal"] = pd.Series(signal, dtype="str")
    out.attrs.update(phi=phi, phi_estimate=phi_hat)
    return out.loc[:, list(FUNNEL_COLUMNS)]
