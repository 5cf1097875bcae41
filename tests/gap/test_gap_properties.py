"""Property tests: the effects always add up to the gap, for any positive drivers and with zeros."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kpi_toolkit.gap import LEADS_DRIVERS, PLAN_GAP_COLUMNS, decompose_gap, decompose_product

# Deterministic (derandomized) so that a run is reproducible, as every random test here.
PROPERTY = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
EFFECTS = [c for c in PLAN_GAP_COLUMNS if c.endswith("_effect")]


def _pairs(elements: st.SearchStrategy[float]) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    shape = st.tuples(st.integers(1, 6), st.integers(1, 5))
    return shape.flatmap(
        lambda s: st.tuples(arrays("float64", s, elements=elements), arrays("float64", s, elements=elements))
    )


POSITIVE = st.floats(1e-4, 1e6, allow_nan=False, allow_infinity=False)
WITH_ZEROS = st.one_of(st.just(0.0), POSITIVE)


def _gap_error(x0: np.ndarray, x1: np.ndarray, effects: np.ndarray) -> np.ndarray:
    """|sum of effects - (V1 - V0)| / max(|V1|, |V0|), exact sums of the floats (math.fsum)."""
    errors = []
    for row0, row1, row in zip(x0, x1, effects, strict=True):
        v0, v1 = math.prod(row0), math.prod(row1)
        scale = max(abs(v0), abs(v1))
        errors.append(abs(math.fsum([*row, -v1, v0])) / scale if scale else abs(math.fsum(row)))
    return np.array(errors)


@PROPERTY
@given(_pairs(POSITIVE))
def test_lmdi_effects_add_up_for_any_positive_drivers(pair):
    x0, x1 = pair
    effects = decompose_product(pd.DataFrame(x0), pd.DataFrame(x1)).to_numpy()
    assert np.all(_gap_error(x0, x1, effects) <= 1e-9)


@PROPERTY
@given(_pairs(WITH_ZEROS))
def test_lmdi_effects_add_up_with_zeros(pair):
    x0, x1 = pair
    effects = decompose_product(pd.DataFrame(x0), pd.DataFrame(x1)).to_numpy()
    assert np.all(np.isfinite(effects))
    assert np.all(_gap_error(x0, x1, effects) <= 1e-9)


# Shapley's effects are sums of mixed products prod_S x1 prod_notS x0, which dwarf both totals when drivers
# move by orders of magnitude in opposite directions; a float effect is then exact only to an ulp of itself,
# and no set of floats can add up to 1e-9 of the totals. With drivers moving by up to x20 between the
# periods (and zeros), the bound holds (except when both totals are 0: then the bound is 0 but Shapley's
# effects need not be); in general the effects add up within an ulp of the largest effect.
BASE = st.floats(0.01, 1e4, allow_nan=False)


@st.composite
def _moves(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    x0 = draw(arrays("float64", (draw(st.integers(1, 6)), draw(st.integers(1, 5))), elements=BASE))
    ratio = draw(arrays("float64", x0.shape, elements=st.floats(0.05, 20.0)))
    zero0 = draw(arrays(bool, x0.shape, elements=st.booleans().map(lambda b: b and draw(st.booleans()))))
    zero1 = draw(arrays(bool, x0.shape, elements=st.booleans().map(lambda b: b and draw(st.booleans()))))
    return np.where(zero0, 0.0, x0), np.where(zero1, 0.0, x0 * ratio)


@PROPERTY
@given(_moves())
def test_shapley_effects_add_up_with_and_without_zeros(pair):
    x0, x1 = pair
    effects = decompose_product(pd.DataFrame(x0), pd.DataFrame(x1), method="shapley").to_numpy()
    # Both totals 0 through different factors: effects that cancel, not 0 (see the next test).
    both_zero = (x0.prod(axis=1) == 0) & (x1.prod(axis=1) == 0)
    assert np.all(_gap_error(x0, x1, effects)[~both_zero] <= 1e-9)


@PROPERTY
@given(_pairs(st.one_of(st.just(0.0), POSITIVE)))
def test_shapley_effects_add_up_within_an_ulp_of_the_largest_effect(pair):
    x0, x1 = pair
    effects = decompose_product(pd.DataFrame(x0), pd.DataFrame(x1), method="shapley").to_numpy()
    for row0, row1, row in zip(x0, x1, effects, strict=True):
        residual = abs(math.fsum([*row, -math.prod(row1), math.prod(row0)]))
        assert residual <= 4 * np.spacing(
            max(np.max(np.abs(row)), abs(math.prod(row1)), abs(math.prod(row0)))
        )


@PROPERTY
@given(_pairs(WITH_ZEROS))
def test_lmdi_and_shapley_are_antisymmetric_in_time(pair):
    x0, x1 = pair
    b, a = pd.DataFrame(x0), pd.DataFrame(x1)
    forward, backward = decompose_product(b, a).to_numpy(), decompose_product(a, b).to_numpy()
    scale = np.maximum(np.abs(x0.prod(axis=1)), np.abs(x1.prod(axis=1)))[:, None] + 1e-300
    assert np.all(np.abs(forward + backward) <= 1e-9 * scale)


COUNT = st.integers(0, 400)


@st.composite
def teams(draw: st.DrawFn) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Counts of a few managers (zeros included) and a baseline of drivers (zeros included)."""
    n = draw(st.integers(1, 6))
    rows, base = [], []
    for i in range(n):
        closed = draw(COUNT)
        won = draw(st.integers(0, closed))
        orders = draw(st.integers(0, 3 * won + 5))
        volume = draw(st.floats(1.0, 1e5)) * orders
        rows.append((f"m{i}", closed, won, orders, volume))
        base.append(
            (
                f"m{i}",
                float(draw(COUNT)),
                draw(st.one_of(st.just(0.0), st.floats(0.01, 1.0))),
                draw(st.one_of(st.just(0.0), st.floats(0.5, 4.0))),
                draw(st.floats(1.0, 1e5)),
            )
        )
    actual = pd.DataFrame(rows, columns=["manager", "leads_closed", "leads_won", "orders", "sales_volume"])
    baseline = pd.DataFrame(base, columns=["manager", *LEADS_DRIVERS])
    return actual, baseline


@PROPERTY
@given(teams(), st.sampled_from(["lmdi", "shapley"]))
def test_decompose_gap_adds_up_and_total_is_the_sum(team, method):
    actual, baseline = team
    gap = decompose_gap(actual, baseline, method=method)
    assert list(gap.columns) == list(PLAN_GAP_COLUMNS)
    managers, total = gap.iloc[:-1], gap.iloc[-1]
    assert total["manager"] == "TOTAL"
    # never a silent NaN: every manager is decomposed (zeros and orders without wins included)
    assert not managers["method"].str.startswith("none").any()
    scale = np.maximum(managers["actual"].abs(), managers["baseline_value"].abs())
    # zero to zero (e.g. 32 leads at 0 % -> 3 leads at 33 % with no orders): Shapley's effects are non-zero
    # and cancel, so their floating sum is exact only to some ulps of the largest effect: allow 1e-14 of it
    # (~45 ulps; summing six effects rounds up to ~6 ulps; a wrong effect would be off by its own size)
    largest = managers[EFFECTS].abs().max(axis=1).fillna(0.0)
    scale = scale.where(scale > 0, 1e-5 * largest) + 1e-300
    residual = managers[EFFECTS].sum(axis=1, min_count=1).fillna(0.0) - managers["gap"]
    assert np.all(np.abs(residual) <= 1e-9 * scale)
    # the TOTAL row: effects are the managers' sums and add up to the team's gap
    assert total[EFFECTS].astype(float).fillna(0).to_numpy() == pytest.approx(
        managers[EFFECTS].sum().to_numpy(), rel=1e-12, abs=1e-9
    )
    team_scale = max(abs(total["actual"]), abs(total["baseline_value"]), 1.0)
    assert abs(np.nansum(total[EFFECTS].astype(float)) - total["gap"]) <= 1e-9 * team_scale
