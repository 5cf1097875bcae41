"""The studentized permutation test of the average check against scipy, and its pieces."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.permutation import (
    LARGE_SAMPLE,
    PERMUTATION_COLUMNS,
    _subset_sums,
    mean_permutation_test,
)

X = [120.0, 80.0, 200.0, 150.0, 95.0, 0.0]
Y = [60.0, 90.0, 70.0, 40.0, 100.0, 55.0, 80.0]


def _welch(x, y):
    return stats.ttest_ind(x, y, equal_var=False).statistic


def test_matches_scipy_exact_permutation_test() -> None:
    # scipy.stats.permutation_test((X, Y), welch, n_resamples=np.inf): all 1716 splits, p = 0.22844
    exact = stats.permutation_test((X, Y), _welch, n_resamples=np.inf).pvalue
    assert exact == pytest.approx(0.228438, abs=1e-6)
    result = mean_permutation_test(X, Y, n_resamples=49_999, seed=7)
    assert tuple(result) == PERMUTATION_COLUMNS
    assert result["p_value"] == pytest.approx(exact, abs=3 * np.sqrt(exact * (1 - exact) / 50_000) + 1e-3)
    assert result["statistic"] == pytest.approx(_welch(X, Y))  # scipy.stats.ttest_ind(equal_var=False)
    assert result["ratio"] == pytest.approx(np.mean(X) / np.mean(Y))
    assert result["difference"] == pytest.approx(np.mean(X) - np.mean(Y))


def test_fieller_bounds_solve_their_equation() -> None:
    # the lower bound rho puts the studentized difference (m1 - rho m2)/sqrt(w1 + rho^2 w2) at the upper
    # permutation quantile, the upper bound at the lower one; both finite and around the ratio
    result = mean_permutation_test(X, Y, seed=3)
    m1, m2 = np.mean(X), np.mean(Y)
    w1, w2 = np.var(X, ddof=1) / len(X), np.var(Y, ddof=1) / len(Y)
    t_low = (m1 - result["ci_low"] * m2) / np.sqrt(w1 + result["ci_low"] ** 2 * w2)
    t_high = (m1 - result["ci_high"] * m2) / np.sqrt(w1 + result["ci_high"] ** 2 * w2)
    assert t_low > 0 > t_high
    assert result["ci_low"] < result["ratio"] < result["ci_high"]
    assert (result["p_value"] < 0.05) == (not result["ci_low"] <= 1 <= result["ci_high"])


def test_large_samples_use_the_normal_limit() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.lognormal(0, 1, LARGE_SAMPLE + 1), rng.lognormal(0.05, 1, LARGE_SAMPLE + 10)
    result = mean_permutation_test(x, y)
    t = _welch(x, y)
    assert result["n_resamples"] == 0
    assert result["p_value"] == pytest.approx(2 * stats.norm.sf(abs(t)))  # scipy.stats.norm, Welch's t


def test_near_equal_orders_cannot_give_an_absurd_p_value() -> None:
    # six near-equal orders gave p = 1.2e-21 with Welch on log amounts; a permutation p is >= 2/(B + 1)
    rng = np.random.default_rng(9)
    rest = rng.lognormal(7.0, 1.0, 2000)
    result = mean_permutation_test([1000.0, 1000.5, 999.8, 1000.1, 1000.2, 999.9], rest)
    assert result["p_value"] >= 2 / 2000


def test_degenerate_inputs() -> None:
    assert np.isnan(mean_permutation_test([5.0, 5.0, 5.0], [5.0, 5.0])["p_value"])  # nothing varies
    assert np.isnan(mean_permutation_test([5.0], [1.0, 2.0, 3.0])["p_value"])  # one order
    with pytest.raises(ParameterError, match="n_resamples"):
        mean_permutation_test(X, Y, n_resamples=10)
    with pytest.raises(ParameterError, match="finite"):
        mean_permutation_test([1.0, np.nan], Y)


def test_random_subsets_are_drawn_without_replacement() -> None:
    # the sum of a random m-subset of N values has mean m mu and variance m s^2 (N - m) / N (finite
    # population correction, s^2 the population variance): with replacement it would be m s^2
    values = np.arange(40, dtype=float) ** 1.5
    size, draws = 30, 20_000
    sums = _subset_sums(values, size, draws, np.random.default_rng(1))
    mu, var = values.mean(), values.var()
    assert sums[0].mean() == pytest.approx(size * mu, rel=0.01)
    expected = size * var * (values.size - size) / (values.size - 1)
    assert sums[0].var() == pytest.approx(expected, rel=0.05)  # with replacement it would be 3.9 times
    assert sums[1].mean() == pytest.approx(size * np.mean(values**2), rel=0.01)
