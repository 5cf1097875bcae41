"""Coverage of the shrunk rates' intervals and of the rank intervals, by simulation (issue 22, point 4).

The audit found the empirical-Bayes plug-in intervals overconfident: with no fitted spread every manager got
the pooled rate's interval, so an outlying manager (12 % among 28 %) was covered 0 % of the time; the rank
intervals held 0.93 each but all 14 together only 0.37. The fully Bayesian robust fit must cover at or near
its level: with no spread, with real spread, and for the outlier; the marginal rank intervals each, the
joint ones all together. Replications are modest; each tolerance is about three Monte Carlo standard errors.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from kpi_toolkit.stats import shrink_rates

K = 14
NAMES = [f"M{i:02d}" for i in range(1, K + 1)]
#: Real spread: the 14 managers' true rates at the quantiles of Beta(8.4, 21.6) (mean 28 %, sd 8 points).
SPREAD = stats.beta.ppf((np.arange(K) + 0.5) / K, 0.28 * 30, 0.72 * 30)


def _simulate(theta: np.ndarray, leads: int, reps: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = np.full(theta.size, leads)
    true_rank = theta.size - stats.rankdata(theta, method="ordinal") + 1
    covered, rank_each, rank_all = np.zeros(theta.size), np.zeros(theta.size), 0
    for rep in range(reps):
        counts = pd.DataFrame({"manager": NAMES, "successes": rng.binomial(n, theta), "trials": n})
        t = shrink_rates(counts, n_draws=2000, seed=rep)
        covered += (t["ci_low"].to_numpy() <= theta) & (theta <= t["ci_high"].to_numpy())
        low, high = t["rank_low"].to_numpy(float), t["rank_high"].to_numpy(float)
        rank_each += (low <= true_rank) & (true_rank <= high)
        low, high = t["rank_low_joint"].to_numpy(float), t["rank_high_joint"].to_numpy(float)
        rank_all += bool(((low <= true_rank) & (true_rank <= high)).all())
    return {"rates": covered / reps, "rank_each": rank_each / reps, "rank_all": rank_all / reps}


def test_no_spread_intervals_cover() -> None:
    # all 14 alike at 28 %, a quarter's 60 leads each; measured 0.99 (fully Bayesian intervals are a little
    # conservative when the truth sits at the boundary of no spread); the plug-in gives 0.95 here
    result = _simulate(np.full(K, 0.28), 60, reps=50, seed=1)
    assert result["rates"].mean() >= 0.95 - 0.02  # 700 manager-runs: MC se < 0.01
    assert result["rates"].min() >= 0.85


def test_real_spread_rate_and_rank_intervals_cover() -> None:
    # measured: rates 0.956 on average (extremes 0.92), ranks 0.99 each and 0.98 all together; the plug-in
    # covers the extremes 0.76-0.81
    result = _simulate(SPREAD, 60, reps=80, seed=2)
    assert abs(result["rates"].mean() - 0.95) <= 0.03
    assert result["rates"].min() >= 0.95 - 0.12  # a single manager over 80 runs: se 0.025, and shrinkage
    assert result["rank_each"].mean() >= 0.95 - 0.03  # marginal: each manager's own interval
    assert result["rank_all"] >= 0.95 - 0.07  # joint: all 14 at once (80 runs: se 0.024)


def test_outlier_is_covered() -> None:
    # 12 % among 13 colleagues at 28 %, 60 leads each: the plug-in covered the outlier 0.00-0.23 of the time;
    # measured 0.86-0.89 here (0.92-0.94 at 240 leads): the robust prior lets it keep most of its own record
    result = _simulate(np.r_[0.12, np.full(K - 1, 0.28)], 60, reps=100, seed=3)
    assert result["rates"][0] >= 0.80  # 100 runs: se 0.034 around 0.87
    assert result["rates"][1:].mean() >= 0.95 - 0.02
