"""Simulations of the average-check verdict on amounts shaped like real sales (issue 22, point 1).

The verdict is a studentized permutation test of the arithmetic means (zeros included). Every simulation is
seeded; a rate estimated from R replicates has Monte Carlo standard error sqrt(p (1 - p) / R), and a bound
"rate <= alpha" is checked as rate <= alpha + 3 SE (a correct method fails with probability ~0.1 %). The
measured rates are in the docstrings (machine with numpy's default_rng; run with -rA to see them printed).

Shapes (all with the same distribution for every manager under the null): log-normal (sdlog 1), Pareto with
tail index 2.5 (finite variance, infinite third moment), gamma with shape 0.3 (many tiny orders), log-normal
with 40 % orders of amount 0, and a mixture of 90 % small orders with 10 % orders ~400 times larger. On these
shapes Welch's t on log amounts (the former verdict) flagged someone in 11-27 % of runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.stats import compare_checks, compare_counts, compare_rates
from kpi_toolkit.stats.permutation import mean_permutation_test

pytestmark = pytest.mark.slow

ALPHA = 0.05
SHAPES = ("lognormal", "pareto", "gamma", "zeros", "mixture")


def _tolerance(replicates: int, rate: float = ALPHA) -> float:
    return 3 * np.sqrt(rate * (1 - rate) / replicates)


def _amounts(rng: np.random.Generator, shape: str, size: int) -> np.ndarray:
    if shape == "lognormal":
        return rng.lognormal(7.0, 1.0, size)
    if shape == "pareto":
        return (rng.pareto(2.5, size) + 1.0) * 1000.0
    if shape == "gamma":
        return rng.gamma(0.3, 1000.0, size)
    if shape == "zeros":
        values = rng.lognormal(7.0, 0.8, size)
        values[rng.random(size) < 0.4] = 0.0
        return values
    small = rng.random(size) < 0.9
    return np.where(small, rng.lognormal(3.0, 0.5, size), rng.lognormal(9.0, 0.5, size))


def _frame(n: np.ndarray, values: np.ndarray) -> pd.DataFrame:
    names = [f"M{i:02d}" for i in range(1, n.size + 1)]
    return pd.DataFrame({"manager": np.repeat(names, n), "amount": values})


def _flagged(table: pd.DataFrame) -> np.ndarray:
    return table["verdict"].isin(["above", "below"]).to_numpy()


@pytest.mark.parametrize("shape", SHAPES)
def test_one_comparison_holds_its_level_from_5_to_300_orders(shape) -> None:
    """One manager (5-300 orders, log-uniform) against a rest of 7 colleagues alike, unadjusted at 5 %.

    Measured P(p < 0.05) over 600 runs: log-normal 0.032, Pareto 0.048, gamma 0.035, zeros 0.032,
    mixture 0.025 (allowed 0.05 + 0.027). The test is exact here (same distribution); this checks the code.
    """
    rng = np.random.default_rng(2201)
    replicates, rejected = 600, 0
    for r in range(replicates):
        n = int(np.exp(rng.uniform(np.log(5), np.log(300))))
        x, y = _amounts(rng, shape, n), _amounts(rng, shape, 7 * n)
        rejected += mean_permutation_test(x, y, n_resamples=199, seed=r)["p_value"] < ALPHA
    rate = rejected / replicates
    print(f"{shape}: P(p < 0.05) = {rate:.4f} over {replicates} runs")
    assert rate <= ALPHA + _tolerance(replicates), f"{shape}: {rate:.4f}"


@pytest.mark.parametrize("shape", SHAPES)
def test_family_wise_error_at_5_to_30_orders(shape) -> None:
    """8 managers alike with 5-30 orders each, each against the robust rest, Holm.

    Measured P(any above/below) over 250 runs: log-normal 0.036, Pareto 0.028, gamma 0.040, zeros 0.040,
    mixture 0.056 (allowed 0.05 + 0.041); Welch on log amounts gave 0.11-0.27 on the last four.
    """
    rng = np.random.default_rng(2202)
    replicates, any_flag = 250, 0
    for _ in range(replicates):
        n = rng.integers(5, 31, 8)
        table = compare_checks(_frame(n, _amounts(rng, shape, n.sum())), alpha=ALPHA, n_resamples=199)
        any_flag += _flagged(table).any()
    fwer = any_flag / replicates
    print(f"{shape}: FWER {fwer:.4f} over {replicates} runs")
    assert fwer <= ALPHA + _tolerance(replicates), f"{shape}: FWER {fwer:.4f}"


@pytest.mark.parametrize("shape", ["pareto", "mixture"])
def test_family_wise_error_at_100_to_300_orders(shape) -> None:
    """4 managers alike with 100-300 orders each, robust rest, Holm (the heaviest tails).

    Measured P(any above/below) over 150 runs: Pareto 0.053, mixture 0.013 (allowed 0.05 + 0.053); with 8
    managers and 150 runs: gamma 0.067, zeros 0.047, log-normal 0.040, Pareto 0.047, mixture 0.040 (not
    repeated here, for time).
    """
    rng = np.random.default_rng(2203)
    replicates, any_flag = 150, 0
    for _ in range(replicates):
        n = rng.integers(100, 301, 4)
        table = compare_checks(_frame(n, _amounts(rng, shape, n.sum())), alpha=ALPHA, n_resamples=199)
        any_flag += _flagged(table).any()
    fwer = any_flag / replicates
    print(f"{shape}: FWER {fwer:.4f} over {replicates} runs")
    assert fwer <= ALPHA + _tolerance(replicates), f"{shape}: FWER {fwer:.4f}"


@pytest.mark.parametrize("sdlog", [0.4, 1.2])
def test_same_average_check_different_spread_is_not_a_difference(sdlog) -> None:
    """M01's orders are log-normal with sdlog 0.4 (or 1.2), its 7 colleagues' with 0.8, all with the same
    arithmetic mean; 60 orders each. Welch on log amounts called the narrower manager above in 83 % of runs.

    Measured P(M01 above/below) over 100 runs: 0.01 (sdlog 0.4), 0.00 (sdlog 1.2); allowed 0.05 + 0.065
    (200 runs with 1,999 resamples: 0.010 and 0.025).
    """
    rng = np.random.default_rng(2204)
    replicates, flagged = 100, 0
    mu = 7.0 + 0.8**2 / 2 - sdlog**2 / 2  # the same mean exp(mu + s^2 / 2) as the colleagues'
    for _ in range(replicates):
        values = rng.lognormal(7.0, 0.8, (8, 60))
        values[0] = rng.lognormal(mu, sdlog, 60)
        table = compare_checks(_frame(np.full(8, 60), values.ravel()), alpha=ALPHA, n_resamples=199)
        flagged += _flagged(table)[0]
    rate = flagged / replicates
    print(f"sdlog {sdlog}: P(M01 flagged) {rate:.4f} over {replicates} runs")
    assert rate <= ALPHA + _tolerance(replicates), f"{rate:.4f}"


def test_many_zero_orders_lower_the_average_check_and_are_found() -> None:
    """M01 has 40 % orders of amount 0 (its positive orders 1.18 times the others'): an average check 0.71
    times the 7 colleagues'. 300 orders each. Welch on log amounts left the zeros out and saw no difference.

    Measured: M01 called below in 0.80 of 40 runs (0.82 of 60; 0.51 at 150 orders); asserted >= 0.6.
    """
    rng = np.random.default_rng(2205)
    replicates, found = 40, 0
    for _ in range(replicates):
        values = rng.lognormal(7.0, 0.8, (8, 300))
        values[0] *= 1.18
        values[0][rng.random(300) < 0.4] = 0.0
        table = compare_checks(_frame(np.full(8, 300), values.ravel()), alpha=ALPHA, n_resamples=199)
        found += table["verdict"].iloc[0] == "below"
    power = found / replicates
    print(f"power against 40 % zeros: {power:.3f} over {replicates} runs")
    assert power >= 0.6, f"{power:.3f}"


def test_a_one_and_a_half_times_average_check_is_found() -> None:
    """M01's orders are 1.5 times its 7 colleagues' (log-normal, sdlog 0.8), 100 orders each.

    Measured: found (above) in 0.90 of 60 runs (0.95 of 100 with 1,999 resamples); asserted >= 0.75.
    """
    rng = np.random.default_rng(2206)
    replicates, found = 60, 0
    for _ in range(replicates):
        values = rng.lognormal(7.0, 0.8, (8, 100))
        values[0] *= 1.5
        table = compare_checks(_frame(np.full(8, 100), values.ravel()), alpha=ALPHA, n_resamples=199)
        found += table["verdict"].iloc[0] == "above"
    power = found / replicates
    print(f"power against 1.5x: {power:.3f} over {replicates} runs")
    assert power >= 0.75, f"{power:.3f}"


def test_a_part_time_manager_is_not_below_per_active_month() -> None:
    """10 managers win new customers at 2 a month; M01 was active 6 of 24 months (2 of 8 quarters), the
    others all 24. Compared per active month M01 is below in 0.00 of 150 runs (the exact test is
    conservative at small counts); compared per period (the old exposure of 1) it is below in all of them.
    """
    rng = np.random.default_rng(2207)
    months = np.array([6] + [24] * 9, dtype=float)
    names = [f"M{i:02d}" for i in range(1, 11)]
    replicates, below, below_per_period = 150, 0, 0
    counts = rng.poisson(2.0 * months, (replicates, 10))
    for row in counts:
        frame = pd.DataFrame({"manager": names, "count": row, "exposure": months})
        below += compare_counts(frame, alpha=ALPHA)["verdict"].iloc[0] == "below"
        flat = frame.drop(columns="exposure")
        below_per_period += compare_counts(flat, alpha=ALPHA)["verdict"].iloc[0] == "below"
    assert below / replicates <= ALPHA + _tolerance(replicates)
    assert below_per_period / replicates > 0.9  # what the issue saw: a part-time rep "below" on raw counts
    no_activity = pd.DataFrame({"manager": names, "count": counts[0] * (months > 6), "exposure": months})
    no_activity.loc[0, "exposure"] = 0.0
    assert compare_counts(no_activity)["verdict"].iloc[0] == "insufficient data"


def test_a_manager_at_the_average_of_a_split_team_is_not_below() -> None:
    """4 managers convert at 15 %, 7 at 32 %, M12 at their average (25.5 %), 400 closed leads each.

    The robust rest used to leave the 4 low managers out and call M12 below in 7 % of runs (9 % in the
    issue's audit); leaving out at most a fifth of the team, and nobody from a split team, it is 0.003
    (300 runs; allowed 0.05 + 0.038; 0.020 with another seed).
    """
    rng = np.random.default_rng(2208)
    rates = np.append(np.r_[[0.15] * 4, [0.32] * 7], np.mean(np.r_[[0.15] * 4, [0.32] * 7]))
    names = [f"M{i:02d}" for i in range(1, 13)]
    replicates, below = 300, 0
    for _ in range(replicates):
        counts = pd.DataFrame({"manager": names, "successes": rng.binomial(400, rates), "trials": 400})
        below += compare_rates(counts, alpha=ALPHA)["verdict"].iloc[-1] == "below"
    rate = below / replicates
    print(f"split team: P(M12 below) {rate:.4f} over {replicates} runs")
    assert rate <= ALPHA + _tolerance(replicates), f"{rate:.4f}"
