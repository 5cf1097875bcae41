"""How large a difference a comparison can detect: power and sample size of the manager comparisons.

Each function answers for one manager against the rest: the smallest true difference the test finds with a
given power, and how much data the manager needs to find a given one. ``alpha`` is the level the test
meets: with Holm's adjustment over ``k`` managers, the first (most stringent) step is ``alpha / k``.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

__all__ = [
    "detectable_mean_ratio",
    "detectable_proportion_difference",
    "detectable_rate_ratio",
    "leads_needed",
    "leads_needed_against",
    "orders_needed",
    "periods_needed",
]


def _z(alpha: float, power: float) -> float:
    return float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))


def leads_needed(p1: float, p2: float, *, ratio: float, alpha: float, power: float) -> float:
    """Closed leads the manager needs (rate ``p1``) against a rest of ``ratio`` times as many (rate ``p2``).

    The two-sample test of proportions with Yates' continuity correction (Fleiss, Levin & Paik 2003,
    *Statistical Methods for Rates and Proportions*, eqs. 4.19 and 4.21, unequal groups).

    Examples
    --------
    >>> round(leads_needed(0.15, 0.30, ratio=1.0, alpha=0.05, power=0.8), 1)  # 120.5 before the correction
    133.5
    """
    d = abs(p1 - p2)
    if d == 0:
        return np.inf
    q1, q2 = 1 - p1, 1 - p2
    mean = (p1 + ratio * p2) / (1 + ratio)
    za, zb = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    root = za * np.sqrt((ratio + 1) * mean * (1 - mean)) + zb * np.sqrt(ratio * p1 * q1 + p2 * q2)
    plain = root**2 / (ratio * d**2)
    return float(plain / 4 * (1 + np.sqrt(1 + 2 * (ratio + 1) / (plain * ratio * d))) ** 2)


def leads_needed_against(p1: float, p2: float, versus_n: float, *, alpha: float, power: float) -> float:
    """Closed leads a manager with rate ``p1`` needs against a rest of ``versus_n`` leads with rate ``p2``
    (:func:`leads_needed` solved for a rest of fixed size; inf when the rest's own noise alone is too large).

    Examples
    --------
    >>> round(leads_needed_against(0.18, 0.28, 800, alpha=0.05 / 14, power=0.8))
    397
    """
    if p1 == p2 or versus_n <= 0:
        return np.inf

    def gap(n: float) -> float:
        return leads_needed(p1, p2, ratio=versus_n / n, alpha=alpha, power=power) - n

    if gap(1e8) > 0:
        return np.inf
    return float(optimize.brentq(gap, 1e-6, 1e8, xtol=1e-6))


def detectable_proportion_difference(
    p: float, n: float, versus_n: float, *, alpha: float, power: float
) -> float:
    """The smallest difference of proportions from the rest's ``p`` detected with ``power`` at ``n`` leads.

    Both directions are solved (the manager's rate below and above ``p``) and the smaller one is returned;
    NaN when ``p`` is 0 or 1 or ``n`` or ``versus_n`` is 0.

    Examples
    --------
    >>> round(detectable_proportion_difference(0.28, 60, 800, alpha=0.05 / 14, power=0.8), 3)
    0.212
    """
    if not (0 < p < 1) or n <= 0 or versus_n <= 0:
        return np.nan
    ratio = versus_n / n
    best = np.inf
    for side, room in ((-1, p), (1, 1 - p)):

        def gap(d: float, side: int = side) -> float:
            return leads_needed(p + side * d, p, ratio=ratio, alpha=alpha, power=power) - n

        high = room - 1e-9
        if gap(high) > 0:
            continue  # not even the largest difference on this side is detectable
        best = min(best, optimize.brentq(gap, 1e-9, high, xtol=1e-9))
    return float(best) if np.isfinite(best) else np.nan


def detectable_mean_ratio(cv: float, n: float, versus_n: float, *, alpha: float, power: float) -> float:
    """The smallest ratio of average checks (>= 1, either way) detected with ``power`` at ``n`` orders.

    A large-sample test of the log ratio of two arithmetic means, whose variance is about ``cv**2 / n``
    for each (the delta method; ``cv`` is the amounts' coefficient of variation, taken to be the rest's).

    Examples
    --------
    >>> round(detectable_mean_ratio(1.0, 60, 800, alpha=0.05 / 14, power=0.8), 3)
    1.653
    """
    if not np.isfinite(cv) or n <= 0 or versus_n <= 0:
        return np.nan
    return float(np.exp(_z(alpha, power) * cv * np.sqrt(1 / n + 1 / versus_n)))


def orders_needed(cv: float, ratio: float, versus_n: float, *, alpha: float, power: float) -> float:
    """Orders the manager needs to detect a ratio of average checks ``ratio`` (inf when the rest's own noise
    alone is too large).

    Examples
    --------
    >>> round(orders_needed(1.0, 1.25, 800, alpha=0.05 / 14, power=0.8))
    438
    """
    target = (np.log(ratio) / _z(alpha, power)) ** 2 / cv**2 - 1 / versus_n
    return float(1 / target) if target > 0 else np.inf


def detectable_rate_ratio(
    rate: float, exposure: float, versus_exposure: float, *, alpha: float, power: float
) -> float:
    """The smallest ratio of Poisson rates (>= 1, either way) detected with ``power`` at ``exposure``.

    The log rate ratio's variance is about ``1 / (rate * exposure) + 1 / (rate * versus_exposure)`` under
    equal rates (a large-sample approximation of the exact conditional test; Breslow & Day 1987, ch. 7).

    Examples
    --------
    >>> round(detectable_rate_ratio(5.0, 3, 39, alpha=0.05 / 14, power=0.8), 3)
    2.735
    """
    if not rate > 0 or exposure <= 0 or versus_exposure <= 0:
        return np.nan
    return float(np.exp(_z(alpha, power) * np.sqrt(1 / (rate * exposure) + 1 / (rate * versus_exposure))))


def periods_needed(rate: float, ratio: float, versus_exposure: float, *, alpha: float, power: float) -> float:
    """Exposure (active months) the manager needs to detect a rate ratio ``ratio``.

    Examples
    --------
    >>> round(periods_needed(5.0, 1.5, 39, alpha=0.05 / 14, power=0.8), 1)
    30.6
    """
    target = rate * (np.log(ratio) / _z(alpha, power)) ** 2 - 1 / versus_exposure
    return float(1 / target) if target > 0 else np.inf
