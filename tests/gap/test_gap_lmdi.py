"""LMDI-I and Shapley decomposition of a product: golden case 10, the zero cases by hand, input checks."""

from __future__ import annotations

import math
from itertools import permutations

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import DECOMPOSITION_METHODS, decompose_product, log_mean

# ../shared/reference/stats_cases.json, case10_revenue_gap_decomposition, "outputs" (6 significant digits):
CASE10_LOGMEAN = 44598.1  # "logmean_weight": L(R1, R0) = (39600 - 50000) / ln(39600 / 50000)
CASE10_LMDI = [-4698.88, -9951.77, 4250.65]  # "lmdi_effects_leads_conv_check"
CASE10_SHAPLEY = [-4716.67, -9966.67, 4283.33]  # "shapley_effects_leads_conv_check"
CASE10_LOG_SHARES = [0.451815, 0.956901, -0.408716]  # "log_shares": ln(x1/x0) / ln(R1/R0)


def test_case10_lmdi(case10_frames):
    plan, actual = case10_frames
    effects = decompose_product(plan, actual)
    assert effects.to_numpy()[0] == pytest.approx(CASE10_LMDI, abs=0.005)
    assert float(log_mean(39600.0, 50000.0)) == pytest.approx(CASE10_LOGMEAN, abs=0.05)
    # LMDI-I's effects are the multiplicative log shares times the gap (stats_cases.json "log_shares").
    assert (effects.to_numpy()[0] / -10400.0) == pytest.approx(CASE10_LOG_SHARES, abs=5e-7)
    assert effects.sum(axis=1).iloc[0] == pytest.approx(-10400.0, abs=1e-9)  # "gap"


def test_case10_shapley(case10_frames):
    plan, actual = case10_frames
    effects = decompose_product(plan, actual, method="shapley")
    assert effects.to_numpy()[0] == pytest.approx(CASE10_SHAPLEY, abs=0.005)
    assert effects.sum(axis=1).iloc[0] == pytest.approx(-10400.0, abs=1e-9)


def test_case10_pinned_numbers_are_the_references(case10_reference):
    outputs = case10_reference["outputs"]
    assert outputs["lmdi_effects_leads_conv_check"] == CASE10_LMDI
    assert outputs["shapley_effects_leads_conv_check"] == CASE10_SHAPLEY
    assert outputs["log_shares"] == CASE10_LOG_SHARES
    assert outputs["logmean_weight"] == CASE10_LOGMEAN
    assert case10_reference["inputs"] == {
        "plan_L_C_A": [200, 0.25, 1000.0],
        "actual_L_C_A": [180, 0.2, 1100.0],
    }


def test_result_keeps_labels_and_aligns_actual_to_baseline():
    baseline = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]}, index=["a", "b"])
    actual = pd.DataFrame({"x": [4.0, 2.0], "y": [4.0, 6.0]}, index=["b", "a"])
    effects = decompose_product(baseline, actual)
    assert list(effects.index) == ["a", "b"] and list(effects.columns) == ["x", "y"]
    # row "a": 1 x 3 -> 2 x 6, both factors doubled: equal effects that add up to 9
    assert effects.loc["a"].tolist() == pytest.approx([4.5, 4.5])
    assert effects.loc["b"].sum() == pytest.approx(16.0 - 8.0)


# --- zeros, by hand -----------------------------------------------------------------------------------
# Factors (a, b, c); Shapley weights for 3 factors: |S| = 0 -> 1/3, 1 -> 1/6, 2 -> 1/3.
ZERO_CASES = {
    # a is 0 in the baseline only: V0 = 0, V1 = 4*5*6 = 120.
    # LMDI (Ang & Liu 2007, case V0 = 0, x0 = 0): a gets V1, b and c get 0.
    # Shapley: a = 1/3*(4*2*3) + 1/6*(4*5*3 + 4*2*6) + 1/3*(4*5*6) = 8 + 18 + 40 = 66;
    #          b = (5-2) * [1/6*(4*3) + 1/3*(4*6)] = 3 * 10 = 30; c = (6-3) * [1/6*(4*2) + 1/3*(4*5)] = 24.
    "zero in the baseline": ((0, 2, 3), (4, 5, 6), (120, 0, 0), (66, 30, 24)),
    # The reverse: a drops to 0. LMDI: -V0 to a. Shapley is antisymmetric in time: minus the above.
    "zero in the actual": ((4, 5, 6), (0, 2, 3), (-120, 0, 0), (-66, -30, -24)),
    # a and b are 0 in the baseline: V1 = 2*5*6 = 60. LMDI: equal shares 30, 30 (common-rate limit).
    # Shapley: a = 2 * [1/6*(5*3) + 1/3*(5*6)] = 25; b = 5 * [1/6*(2*3) + 1/3*(2*6)] = 25;
    #          c = 3 * [1/3*(2*5)] = 10.
    "two zeros in one period": ((0, 0, 3), (2, 5, 6), (30, 30, 0), (25, 25, 10)),
    # a is 0 in both periods: nothing changes, every effect 0 for both methods.
    "zero in both periods": ((0, 2, 3), (0, 5, 6), (0, 0, 0), (0, 0, 0)),
    # The total is 0 in both periods through different factors. LMDI: 0. Shapley: v(S) = 0 unless a is
    # switched and b is not: v({a}) = 4*2*3 = 24, v({a,c}) = 4*2*6 = 48; a = 1/3*24 + 1/6*48 = 16;
    # b = 1/6*(0-24) + 1/3*(0-48) = -20; c = 1/6*(48-24) = 4 (they add up to 0).
    "total zero in both, different factors": ((0, 2, 3), (4, 0, 6), (0, 0, 0), (16, -20, 4)),
}


@pytest.mark.parametrize("case", list(ZERO_CASES), ids=list(ZERO_CASES))
def test_zero_cases_by_hand(case):
    x0, x1, lmdi, shapley = ZERO_CASES[case]
    baseline = pd.DataFrame([x0], columns=list("abc"), dtype="float64")
    actual = pd.DataFrame([x1], columns=list("abc"), dtype="float64")
    assert decompose_product(baseline, actual).iloc[0].tolist() == pytest.approx(lmdi, abs=1e-12)
    assert decompose_product(baseline, actual, method="shapley").iloc[0].tolist() == pytest.approx(shapley)


def test_lmdi_zero_limit_is_where_small_values_slowly_lead():
    # The small-value strategy (replace 0 by delta) converges to the analytical limit only like
    # 1 / ln(1/delta): with delta = 1e-300 the other factors still take about 0.1 % of the change each.
    baseline = pd.DataFrame({"a": [0.0], "b": [2.0], "c": [3.0]})
    actual = pd.DataFrame({"a": [4.0], "b": [5.0], "c": [6.0]})
    exact = decompose_product(baseline, actual).iloc[0]
    small = decompose_product(baseline.replace(0.0, 1e-300), actual).iloc[0]
    assert exact.tolist() == [120.0, 0.0, 0.0]
    assert small["b"] == pytest.approx(120 * math.log(5 / 2) / math.log(120 / 6e-300), rel=1e-6)
    assert 0 < small["b"] < 0.002 * 120


def test_shapley_is_the_average_over_factor_orderings(rng):
    x0 = rng.uniform(0.1, 10, size=(5, 4))
    x1 = rng.uniform(0.1, 10, size=(5, 4))
    x0[0, 1] = 0.0  # a zero too
    effects = decompose_product(pd.DataFrame(x0), pd.DataFrame(x1), method="shapley").to_numpy()
    brute = np.zeros_like(x0)
    for order in permutations(range(4)):
        current = x0.copy()
        for j in order:
            before = current.prod(axis=1)
            current[:, j] = x1[:, j]
            brute[:, j] += current.prod(axis=1) - before
    assert effects == pytest.approx(brute / math.factorial(4), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("method", DECOMPOSITION_METHODS)
def test_single_factor_gets_the_whole_change(method):
    effects = decompose_product(
        pd.DataFrame({"x": [3.0, 0.0]}), pd.DataFrame({"x": [5.0, 2.0]}), method=method
    )
    assert effects["x"].tolist() == pytest.approx([2.0, 2.0])


@pytest.mark.parametrize("method", DECOMPOSITION_METHODS)
def test_nan_row_gets_nan_effects_and_other_rows_are_unaffected(method):
    baseline = pd.DataFrame({"x": [1.0, np.nan], "y": [2.0, 2.0]})
    actual = pd.DataFrame({"x": [2.0, 1.0], "y": [2.0, 2.0]})
    effects = decompose_product(baseline, actual, method=method)
    assert effects.loc[0].tolist() == pytest.approx([2.0, 0.0])
    assert effects.loc[1].isna().all()


def test_shapley_takes_negative_values_lmdi_refuses_them():
    baseline = pd.DataFrame({"x": [-2.0], "y": [3.0]})
    actual = pd.DataFrame({"x": [1.0], "y": [4.0]})
    effects = decompose_product(baseline, actual, method="shapley")
    assert effects.sum(axis=1).iloc[0] == pytest.approx(4.0 - (-6.0))
    with pytest.raises(ParameterError, match=r"negative.*method='shapley'"):
        decompose_product(baseline, actual)


def test_log_mean_limits_and_accuracy():
    assert log_mean([5.0, 0.0, 0.0, 3.0], [5.0, 4.0, 0.0, 0.0]).tolist() == [5.0, 0.0, 0.0, 0.0]
    assert float(log_mean(2.0, 8.0)) == pytest.approx(6.0 / math.log(4.0))
    assert float(log_mean(2.0, 8.0)) == float(log_mean(8.0, 2.0))
    # Close values: L(a, a(1+e)) = a(1 + e/2 - e^2/12 + ...); the naive formula loses most digits here.
    a, e = 1234.5, 1e-9
    assert float(log_mean(a * (1 + e), a)) == pytest.approx(a * (1 + e / 2), rel=1e-15)
    assert np.isnan(log_mean(np.nan, 1.0))
    with pytest.raises(ParameterError, match="a must be finite and >= 0"):
        log_mean(-1.0, 2.0)


@pytest.mark.parametrize(
    ("baseline", "actual", "kwargs", "message"),
    [
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": [1.0]}), {"method": "ols"}, "method='ols'"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"y": [1.0]}), {}, "same factor columns"),
        (pd.DataFrame({"x": [1.0]}), pd.DataFrame({"x": [1.0]}, index=[7]), {}, "different rows"),
        (pd.DataFrame({"x": [np.inf]}), pd.DataFrame({"x": [1.0]}), {}, "infinite"),
        (pd.DataFrame({"x": ["a"]}), pd.DataFrame({"x": ["b"]}), {}, "numbers only"),
        ([1.0], pd.DataFrame({"x": [1.0]}), {}, "baseline must be a pandas DataFrame"),
        (pd.DataFrame(index=[0]), pd.DataFrame(index=[0]), {}, "no factor columns"),
        (pd.DataFrame({"x": [1.0, 2.0]}, index=[0, 0]), pd.DataFrame({"x": [1.0, 2.0]}), {}, "duplicated"),
    ],
)
def test_bad_input_raises_parameter_error(baseline, actual, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        decompose_product(baseline, actual, **kwargs)
