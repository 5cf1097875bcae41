"""The payout rule on its own: every branch by hand, then properties of the curve and of the rounding."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from kpi_toolkit.card.rule import (
    achievement,
    bonus_amount,
    card_score,
    gate_passes,
    payout_factor,
    round_half_up,
)

# The curve of issue 6's defaults: threshold 0.8 pays 0.5, target pays 1, cap 1.2 pays 1.5.
CURVE = {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5}
factor = partial(payout_factor, **CURVE)


# --- achievement -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "lower", "expected"),
    [
        (90.0, 100.0, False, 0.9),  # 90 / 100
        (0.0, 100.0, False, 0.0),  # nothing sold: achievement 0, computable
        (-10.0, 100.0, False, -0.1),  # a negative actual pays nothing but is computable
        (4.0, 5.0, True, 1.25),  # lower is better: 5 / 4
        (10.0, 5.0, True, 0.5),  # lower is better: 5 / 10
    ],
)
def test_achievement_is_the_ratio_turned_round_when_lower_is_better(actual, target, lower, expected):
    assert achievement(actual, target, lower_is_better=lower) == (pytest.approx(expected, abs=1e-15), "")


@pytest.mark.parametrize(
    ("actual", "target", "lower", "reason"),
    [
        (math.nan, 100.0, False, "actual is missing"),
        (90.0, math.nan, False, "target is missing"),
        (math.inf, 100.0, False, "actual is not finite (inf)"),
        (90.0, -math.inf, False, "target is not finite (-inf)"),
        (90.0, 0.0, False, "target is 0"),
        (90.0, -5.0, False, "target is negative (-5)"),
        (0.0, 5.0, True, "actual is 0 and lower is better"),
        (-2.0, 5.0, True, "actual is negative (-2) and lower is better"),
        (3.0, 0.0, True, "target is 0"),
    ],
)
def test_achievement_that_cannot_be_computed_is_nan_with_the_reason(actual, target, lower, reason):
    value, why = achievement(actual, target, lower_is_better=lower)
    assert math.isnan(value)
    assert why == reason


@given(st.floats(0.01, 1e6), st.floats(0.01, 1e6))
def test_lower_is_better_is_the_inverse_ratio(actual, target):
    higher, _ = achievement(target, actual)
    lower, _ = achievement(actual, target, lower_is_better=True)
    assert lower == higher  # both are target / actual, computed the same way


# --- payout factor: one hand-computed case per branch ----------------------------------------------------


@pytest.mark.parametrize(
    ("a", "expected"),
    [
        (0.0, 0.0),  # below the threshold
        (0.79, 0.0),  # just below the threshold
        (0.8, 0.5),  # at the threshold: threshold_factor
        (0.9, 0.75),  # between: 0.5 + (1 - 0.5) * (0.9 - 0.8) / (1 - 0.8)
        (0.95, 0.875),  # between: 0.5 + 0.5 * 0.15 / 0.2
        (1.0, 1.0),  # at the target
        (1.1, 1.25),  # between target and cap: 1 + (1.5 - 1) * (1.1 - 1) / (1.2 - 1)
        (1.2, 1.5),  # at the cap: cap_factor
        (1.21, 1.5),  # above the cap
        (7.0, 1.5),  # far above the cap
        (-1.0, 0.0),  # a negative achievement
        (math.nan, 0.0),  # a KPI that cannot be computed pays nothing
    ],
)
def test_payout_factor_branches(a, expected):
    assert factor(a) == pytest.approx(expected, abs=1e-12)


def test_threshold_at_the_target_pays_nothing_below_and_one_at_the_target():
    # threshold 1: the threshold factor is never used, the factor jumps from 0 to 1 at the target.
    curve = {"threshold": 1.0, "threshold_factor": 0.3, "cap": 1.5, "cap_factor": 2.0}
    assert payout_factor(0.999, **curve) == 0.0
    assert payout_factor(1.0, **curve) == 1.0
    assert payout_factor(1.25, **curve) == 1.5  # 1 + (2 - 1) * 0.25 / 0.5


def test_cap_at_the_target_stops_the_factor_at_one():
    curve = {"threshold": 0.5, "threshold_factor": 0.0, "cap": 1.0, "cap_factor": 1.0}
    assert payout_factor(0.75, **curve) == 0.5  # 0 + 1 * 0.25 / 0.5
    assert payout_factor(1.0, **curve) == payout_factor(3.0, **curve) == 1.0


def test_neutral_curve_pays_the_achievement_up_to_one():
    curve = {"threshold": 0.0, "threshold_factor": 0.0, "cap": 1.0, "cap_factor": 1.0}
    assert [payout_factor(a, **curve) for a in (-0.5, 0.0, 0.25, 0.6, 1.0, 1.7)] == [
        0.0, 0.0, 0.25, 0.6, 1.0, 1.0,
    ]  # fmt: skip


# --- score, gate, bonus ----------------------------------------------------------------------------------


def test_card_score_is_the_weighted_sum():
    # 0.5 * 1.25 + 0.3 * 0 + 0.2 * 1.5 = 0.925
    assert card_score([0.5, 0.3, 0.2], [1.25, 0.0, 1.5]) == pytest.approx(0.925, abs=1e-15)
    with pytest.raises(ValueError):
        card_score([0.5, 0.5], [1.0])


@pytest.mark.parametrize(
    ("a", "passes"), [(0.7, True), (0.71, True), (0.6999, False), (0.0, False), (math.nan, False)]
)
def test_gate_passes_at_or_above_the_floor_and_never_on_nan(a, passes):
    assert gate_passes(a, min_achievement=0.7) is passes


@pytest.mark.parametrize(
    ("base", "score", "passed", "expected"),
    [
        (100000, 0.925, True, 92500.0),  # 100000 x 0.925
        (100000, 0.925, False, 0.0),  # gate failed: nothing, whatever the score
        (100000, 0.0, True, 0.0),
        (math.nan, 0.925, True, math.nan),  # base unknown: bonus unknown
        (math.nan, 0.925, False, 0.0),  # ... unless the gate failed
        (1000, 0.002675, True, 2.68),  # 2.6750000000000003 in binary: half up
        (10.7, 0.25, True, 2.68),  # 2.67499999999999982 in binary, 2.675 in decimal: half up
        (0.5, 0.25, True, 0.13),  # 0.125 -> 0.13 (round() gives 0.12)
    ],
)
def test_bonus_amount(base, score, passed, expected):
    result = bonus_amount(base, score, gate_passed=passed)
    assert result == expected or (math.isnan(expected) and math.isnan(result))


# --- rounding --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (0.125, 0.13),  # round(0.125, 2) == 0.12 (half to even)
        (2.675, 2.68),  # round(2.675, 2) == 2.67 (the float is 2.67499999...)
        (1.005, 1.01),  # round(1.005, 2) == 1.0
        (2.6749, 2.67),
        (2.6750000000000003, 2.68),  # binary noise of a product above the half cent
        (2.6749999999999998, 2.68),  # ... and below it: read with 15 significant digits, 2.675
        (2.67499999, 2.67),  # a real difference (1e-8) is kept
        (92500.0, 92500.0),
        (123456789.125, 123456789.13),
        (-2.675, -2.68),  # halves away from zero
        (0.0, 0.0),
    ],
)
def test_round_half_up(amount, expected):
    assert round_half_up(amount) == expected


def test_round_half_up_is_not_pythons_round():
    assert (round(0.125, 2), round(2.675, 2)) == (0.12, 2.67)
    assert (round_half_up(0.125), round_half_up(2.675)) == (0.13, 2.68)


def test_round_half_up_keeps_nan():
    assert math.isnan(round_half_up(math.nan))


@given(st.integers(0, 10**12))
def test_every_half_cent_rounds_up(cents):
    text = f"{cents // 100}.{cents % 100:02d}5"  # e.g. 2.675
    expected = Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert round_half_up(float(text)) == float(expected)


@given(st.floats(0, 1e9))
def test_rounding_moves_an_amount_by_at_most_half_a_cent(amount):
    assert abs(round_half_up(amount) - amount) <= 0.005 + 1e-6


# --- properties of the payout curve ----------------------------------------------------------------------


@st.composite
def curves(draw: st.DrawFn) -> dict[str, float]:
    """Valid curves (as the card validation allows), kept away from slopes over 100 so that float error
    stays below the tolerances; the edge cases threshold = 1 and cap = 1 are drawn on purpose."""
    threshold = draw(st.one_of(st.floats(0, 0.99), st.just(1.0), st.just(0.0)))
    cap = draw(st.one_of(st.floats(1.01, 5), st.just(1.0)))
    return {
        "threshold": threshold,
        "threshold_factor": draw(st.floats(0, 1)),
        "cap": cap,
        "cap_factor": 1.0 if cap == 1 else draw(st.floats(1, 5)),
    }


achievements = st.floats(-1, 8, allow_nan=False)


def _slope(curve: dict[str, float]) -> float:
    first = (1 - curve["threshold_factor"]) / (1 - curve["threshold"]) if curve["threshold"] < 1 else 0.0
    second = (curve["cap_factor"] - 1) / (curve["cap"] - 1) if curve["cap"] > 1 else 0.0
    return max(first, second)


@given(curves(), achievements, achievements)
def test_factor_is_monotone(curve, a, b):
    low, high = sorted((a, b))
    assert payout_factor(low, **curve) <= payout_factor(high, **curve)


@given(curves(), achievements)
def test_factor_stays_between_zero_and_the_cap_factor(curve, a):
    assert 0.0 <= payout_factor(a, **curve) <= curve["cap_factor"]


@given(curves(), achievements, st.floats(0, 1e-3))
def test_factor_is_continuous_except_for_the_jump_at_the_threshold(curve, a, h):
    b = a + h
    f = partial(payout_factor, **curve)
    jump = f(curve["threshold"]) if a < curve["threshold"] <= b else 0.0  # the threshold's jump, by design
    assert 0.0 <= f(b) - f(a) <= jump + _slope(curve) * (b - a) + 1e-9


@given(curves())
def test_factor_at_the_knots(curve):
    f = partial(payout_factor, **curve)
    assert f(curve["threshold"]) == (curve["threshold_factor"] if curve["threshold"] < 1 else 1.0)
    assert f(math.nextafter(curve["threshold"], -math.inf)) == 0.0  # just below the threshold
    assert f(1.0) == (1.0 if curve["cap"] > 1 else curve["cap_factor"])
    assert f(curve["cap"]) == f(curve["cap"] * 3) == curve["cap_factor"]


def _segment(curve: dict[str, float], a: float) -> int:
    return sum(a >= knot for knot in (curve["threshold"], 1.0, curve["cap"]))


@given(curves(), achievements, achievements, st.floats(0, 1))
def test_factor_is_linear_between_the_knots(curve, a, b, t):
    x = a + t * (b - a)
    assume(_segment(curve, a) == _segment(curve, b) == _segment(curve, x))
    f = partial(payout_factor, **curve)
    assert f(x) == pytest.approx(f(a) + t * (f(b) - f(a)), abs=1e-9)
