"""The payout rule of a KPI card, as small pure functions of plain numbers.

This module is the whole rule, and nothing else: how an actual and a target make an achievement, how
an achievement makes a payout factor, how factors and weights make a score, how the gate and the base
bonus make a bonus, and how the bonus is rounded. :mod:`kpi_toolkit.card.scoring` applies it to every
manager and KPI; ``docs/kpi_card.md`` states it in prose with a worked example.

The rule, exactly
-----------------
- achievement ``a = actual / target``; ``a = target / actual`` for a lower-is-better KPI;
- factor: 0 when ``a < threshold``; from ``threshold_factor`` at ``a = threshold`` rising linearly to 1 at
  ``a = 1``; from 1 at ``a = 1`` rising linearly to ``cap_factor`` at ``a = cap``; ``cap_factor`` above;
- score = sum of weight x factor;
- bonus = base bonus x score, or 0 when the gate failed; rounded to 0.01, half up, at the very end only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

__all__ = [
    "MONEY_STEP",
    "achievement",
    "bonus_amount",
    "card_score",
    "gate_passes",
    "payout_factor",
    "round_half_up",
]

#: The unit bonuses are rounded to (half up), once, at the very end.
MONEY_STEP = Decimal("0.01")
#: Significant digits a float amount is read with before rounding (a double carries 15 to 17).
_SIGNIFICANT = Context(prec=15, rounding=ROUND_HALF_UP)


def achievement(actual: float, target: float, *, lower_is_better: bool = False) -> tuple[float, str]:
    """How much of the target a manager achieved, or why that cannot be said.

    Parameters
    ----------
    actual
        The KPI's value for the manager and period.
    target
        The target for it.
    lower_is_better
        True for a KPI where less is better (e.g. days to close): the ratio is turned round.

    Returns
    -------
    tuple of (float, str)
        The achievement and an empty string; or NaN and the reason it cannot be computed.

    Notes
    -----
    ``a = actual / target``, or ``a = target / actual`` when lower is better, so that ``a = 1`` is always
    "on target" and more is always better.

    NaN policy and edge cases: the achievement is NaN, with a reason, when the actual or the target is
    missing (NaN) or infinite, when the target is 0 or negative, and, for a lower-is-better KPI, when the
    actual is 0 or negative (dividing by it says nothing). A negative actual of a higher-is-better KPI
    gives a negative achievement, which pays nothing.

    Examples
    --------
    >>> achievement(90.0, 100.0)
    (0.9, '')
    >>> achievement(4.0, 5.0, lower_is_better=True)
    (1.25, '')
    >>> achievement(90.0, float("nan"))
    (nan, 'target is missing')
    >>> achievement(0.0, 5.0, lower_is_better=True)
    (nan, 'actual is 0 and lower is better')
    """
    actual, target = float(actual), float(target)
    for name, value in (("actual", actual), ("target", target)):
        if math.isnan(value):
            return math.nan, f"{name} is missing"
        if math.isinf(value):
            return math.nan, f"{name} is not finite ({value})"
    if target == 0:
        return math.nan, "target is 0"
    if target < 0:
        return math.nan, f"target is negative ({target:g})"
    if not lower_is_better:
        return actual / target, ""
    if actual == 0:
        return math.nan, "actual is 0 and lower is better"
    if actual < 0:
        return math.nan, f"actual is negative ({actual:g}) and lower is better"
    return target / actual, ""


def payout_factor(
    achievement: float,
    *,
    threshold: float,
    threshold_factor: float,
    cap: float,
    cap_factor: float,
) -> float:
    """The payout factor of one KPI: the share of its weighted base bonus the achievement earns.

    Parameters
    ----------
    achievement
        ``actual / target`` (turned round for a lower-is-better KPI); NaN when it cannot be computed.
    threshold
        Achievement below which the KPI pays nothing, ``0 <= threshold <= 1``.
    threshold_factor
        Factor paid at the threshold, ``0 <= threshold_factor <= 1``.
    cap
        Achievement above which the factor stops rising, ``cap >= 1``.
    cap_factor
        Factor paid at and above the cap, ``cap_factor >= 1`` (exactly 1 when ``cap == 1``).

    Returns
    -------
    float
        The factor, from 0 to ``cap_factor``.

    Notes
    -----
    With ``t = threshold``, ``ft = threshold_factor``, ``c = cap``, ``fc = cap_factor``::

        factor = 0                                   if a < t
               = ft + (1 - ft) * (a - t) / (1 - t)   if t <= a < 1
               = 1 + (fc - 1) * (a - 1) / (c - 1)    if 1 <= a < c
               = fc                                  if a >= c

    The factor never falls as the achievement rises; it is continuous except at the threshold, where it jumps
    from 0 to ``ft``. At ``a = 1`` it is 1, so with ``t = 1`` the threshold factor is never used; with
    ``c = 1`` the card must have ``fc = 1`` (:mod:`kpi_toolkit.card.spec` checks the parameters).

    NaN policy: a NaN achievement (a KPI that cannot be computed) gives factor 0.

    References
    ----------
    A. A. Zoltners, P. Sinha and S. E. Lorimer, *The Complete Guide to Sales Force Incentive Compensation*,
    AMACOM, 2006, ch. 9 (performance thresholds, excellence points, accelerators and caps).

    Examples
    --------
    >>> curve = dict(threshold=0.8, threshold_factor=0.5, cap=1.2, cap_factor=1.5)
    >>> [round(payout_factor(a, **curve), 12) for a in (0.79, 0.8, 0.9, 1.0, 1.1, 1.2, 2.0)]
    [0.0, 0.5, 0.75, 1.0, 1.25, 1.5, 1.5]
    >>> payout_factor(float("nan"), **curve)
    0.0
    """
    a = float(achievement)
    if math.isnan(a) or a < threshold:
        return 0.0
    if a < 1:  # min(): keep binary rounding from lifting the line above its end point
        return min(threshold_factor + (1 - threshold_factor) * (a - threshold) / (1 - threshold), 1.0)
    if a < cap:
        return min(1 + (cap_factor - 1) * (a - 1) / (cap - 1), float(cap_factor))
    return float(cap_factor)


def card_score(weights: Iterable[float], factors: Iterable[float]) -> float:
    """The score of a manager: the sum of weight x factor over the card's KPIs.

    Parameters
    ----------
    weights, factors
        The weight and the payout factor of each KPI, in the same order (equal lengths, else ValueError).

    Returns
    -------
    float
        The score, unrounded.

    Notes
    -----
    Summed with :func:`math.fsum` (exact sum of the products), unrounded. The weights add up to 1 on a valid
    card, so the score runs from 0 to the largest cap factor. NaN policy: factors are never NaN (a KPI that
    cannot be computed has factor 0); a NaN passed in anyway makes the score NaN.

    Examples
    --------
    >>> card_score([0.5, 0.3, 0.2], [1.25, 0.0, 1.5])
    0.925
    """
    return math.fsum(w * f for w, f in zip(weights, factors, strict=True))


def gate_passes(achievement: float, *, min_achievement: float) -> bool:
    """Whether the gate's KPI lets the bonus through: ``achievement >= min_achievement``.

    Parameters
    ----------
    achievement
        The achievement of the gate's KPI (NaN when it cannot be computed).
    min_achievement
        The gate's floor.

    Returns
    -------
    bool

    Notes
    -----
    NaN policy: an achievement that cannot be computed does not pass the gate.

    Examples
    --------
    >>> gate_passes(0.7, min_achievement=0.7), gate_passes(0.69, min_achievement=0.7)
    (True, False)
    >>> gate_passes(float("nan"), min_achievement=0.7)
    False
    """
    a = float(achievement)
    return not math.isnan(a) and a >= min_achievement


def bonus_amount(base_bonus: float, score: float, *, gate_passed: bool) -> float:
    """The bonus paid: ``base_bonus x score`` rounded to 0.01 half up, or 0 when the gate failed.

    Parameters
    ----------
    base_bonus
        The manager's base bonus for the period (NaN when unknown).
    score
        The manager's score (:func:`card_score`).
    gate_passed
        Whether the gate let the bonus through (:func:`gate_passes`; True for a card without a gate).

    Returns
    -------
    float
        The amount to pay, a whole number of cents.

    Notes
    -----
    The product is computed unrounded and rounded once, here, by :func:`round_half_up`. NaN policy: a failed
    gate pays 0 whatever the base; otherwise a NaN base bonus (unknown for the manager) gives a NaN bonus.

    Examples
    --------
    >>> bonus_amount(100000, 0.925, gate_passed=True)
    92500.0
    >>> bonus_amount(100000, 0.925, gate_passed=False)
    0.0
    >>> bonus_amount(1000, 0.002675, gate_passed=True)
    2.68
    """
    if not gate_passed:
        return 0.0
    return round_half_up(float(base_bonus) * float(score))


def round_half_up(amount: float) -> float:
    """Round a money amount to 0.01, halves away from zero, as a person would on paper.

    Parameters
    ----------
    amount
        The unrounded amount.

    Returns
    -------
    float
        The float nearest to the rounded decimal amount; NaN for NaN.

    Notes
    -----
    ``round(2.675, 2)`` gives 2.67 because the float 2.675 is really 2.674999999999999822... in binary.
    Here the float is read as its shortest decimal representation (``repr``), limited to 15 significant
    digits (a double carries 15 to 17, so binary noise such as 2.6750000000000003 or 2.6749999999999998 from a
    product counts as 2.675), and that decimal is rounded to 0.01 with :data:`decimal.ROUND_HALF_UP`. The
    result is the float nearest to the rounded decimal (it prints as that decimal). NaN stays NaN.

    References
    ----------
    Python documentation, :mod:`decimal`, ``ROUND_HALF_UP``.

    Examples
    --------
    >>> round_half_up(0.125), round_half_up(2.675), round_half_up(1.005), round(2.675, 2)
    (0.13, 2.68, 1.01, 2.67)
    >>> round_half_up(2.6749)
    2.67
    """
    value = float(amount)
    if not math.isfinite(value):
        return value
    exact = _SIGNIFICANT.plus(Decimal(repr(value)))
    return float(exact.quantize(MONEY_STEP, rounding=ROUND_HALF_UP))
