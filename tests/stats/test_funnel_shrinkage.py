"""Funnel limits and signals; empirical-Bayes shrinkage and its ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from scipy.special import betaln

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats import (
    FUNNEL_COLUMNS,
    SHRINK_COLUMNS,
    SIGNALS,
    funnel_limits,
    funnel_table,
    shrink_rates,
)


def _counts(successes, trials, names=None) -> pd.DataFrame:
    names = names or [f"M{i:02d}" for i in range(1, len(trials) + 1)]
    return pd.DataFrame({"manager": names, "successes": successes, "trials": trials})


# --- funnel -------------------------------------------------------------------------------------------


def _spiegelhalter(n: int, theta: float, p: float) -> float:
    """Appendix A.1.1 of Spiegelhalter (2005), written out from scipy's binomial, one value at a time."""
    r = next(r for r in range(n + 1) if stats.binom.cdf(r, n, theta) >= p)
    upper, lower = stats.binom.cdf(r, n, theta), stats.binom.cdf(r - 1, n, theta)
    return (r - (upper - p) / (upper - lower)) / n


@pytest.mark.parametrize(("n", "theta"), [(5, 0.25), (37, 0.1), (200, 0.25), (1000, 0.6)])
def test_funnel_limits_follow_appendix_a11(n, theta) -> None:
    limits = funnel_limits([n], center=theta).set_index("level")
    for level in (0.95, 0.998):
        expected_low = max(0.0, _spiegelhalter(n, theta, (1 - level) / 2))
        expected_high = min(1.0, _spiegelhalter(n, theta, (1 + level) / 2))
        assert limits.loc[level, "lower"] == pytest.approx(expected_low, abs=1e-12)
        assert limits.loc[level, "upper"] == pytest.approx(expected_high, abs=1e-12)


def test_funnel_limits_shape_clipping_and_normal_limit() -> None:
    grid = np.arange(1, 2001)
    limits = funnel_limits(grid, center=0.05, levels=(0.998,))
    assert (limits["lower"] >= 0).all() and (limits["upper"] <= 1).all()
    width = (limits["upper"] - limits["lower"]).to_numpy()
    assert width[-1] < width[100] < width[10]  # the funnel narrows
    big = funnel_limits([100_000], center=0.3, levels=(0.95,)).iloc[0]
    se = np.sqrt(0.3 * 0.7 / 100_000)
    assert big["upper"] == pytest.approx(0.3 + 1.959964 * se, abs=1e-4)  # normal limit for large n
    assert np.isnan(funnel_limits([0], center=0.3)["lower"]).all()


def test_funnel_overdispersion_widens_by_sqrt_phi() -> None:
    plain = funnel_limits([150], center=0.3, levels=(0.95,)).iloc[0]
    wide = funnel_limits([150], center=0.3, levels=(0.95,), overdispersion_phi=4.0).iloc[0]
    assert wide["upper"] - 0.3 == pytest.approx(2 * (plain["upper"] - 0.3))


def test_funnel_limits_bad_parameters() -> None:
    with pytest.raises(ParameterError, match="center"):
        funnel_limits([10], center=1.5)
    with pytest.raises(ParameterError, match="levels"):
        funnel_limits([10], center=0.5, levels=(95,))
    with pytest.raises(ParameterError, match="overdispersion_phi"):
        funnel_limits([10], center=0.5, overdispersion_phi=-1)


def test_funnel_table_columns_center_and_signals() -> None:
    counts = _counts([50, 20, 9, 30, 70, 0], [200, 60, 80, 120, 150, 0])
    table = funnel_table(counts)
    assert tuple(table.columns) == FUNNEL_COLUMNS
    assert table["center"].iloc[0] == pytest.approx(179 / 610)
    assert table["signal"].iloc[:5].tolist() == ["within", "within", "below", "within", "above"]
    assert set(table["signal"].dropna()) <= set(SIGNALS)
    assert np.isnan(table["rate"].iloc[5]) and pd.isna(table["signal"].iloc[5])  # no leads: NaN
    row = table.iloc[2]
    assert row["lower_998"] <= row["lower_95"] <= row["center"] <= row["upper_95"] <= row["upper_998"]
    target = funnel_table(counts, target=0.2)
    assert (target["center"] == 0.2).all()


def test_funnel_watch_between_the_limits() -> None:
    table = funnel_table(_counts([9, 30, 30, 30], [80, 120, 120, 120]), target=0.25)
    row = table.iloc[0]
    assert row["lower_998"] < row["rate"] < row["lower_95"] and row["signal"] == "watch"


def test_funnel_overdispersion_estimate_is_winsorised() -> None:
    rng = np.random.default_rng(5)
    n = rng.integers(50, 400, 20)
    x = rng.binomial(n, rng.beta(6, 14, 20))  # real spread between managers: overdispersed
    table = funnel_table(_counts(x, n), overdispersion=True)
    center = x.sum() / n.sum()
    z = np.sort((x / n - center) / np.sqrt(center * (1 - center) / n))
    z = np.clip(z, z[2], z[-3])  # 10 % of 20 = 2 at each end (Spiegelhalter 2005)
    assert table.attrs["phi_estimate"] == pytest.approx(np.mean(z**2))
    assert table.attrs["phi"] == pytest.approx(max(1.0, np.mean(z**2))) and table.attrs["phi"] > 1
    plain = funnel_table(_counts(x, n))
    assert plain.attrs["phi"] == 1.0
    assert (table["upper_95"] - table["lower_95"] > plain["upper_95"] - plain["lower_95"]).all()
    assert (table["signal"] != "within").sum() <= (plain["signal"] != "within").sum()


# --- shrinkage ----------------------------------------------------------------------------------------


def _direct_mle(x: np.ndarray, n: np.ndarray) -> tuple[float, float]:
    """The beta-binomial MLE by the textbook log-likelihood (betaln), Nelder-Mead on log(a), log(b)."""

    def nll(theta):
        a, b = np.exp(theta)
        return -np.sum(betaln(x + a, n - x + b) - betaln(a, b))

    fit = optimize.minimize(nll, [0.0, 1.0], method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-12,
                                                                          "maxiter": 10_000})  # fmt: skip
    a, b = np.exp(fit.x)
    return a / (a + b), 1 / (a + b + 1)


def test_shrinkage_mle_matches_the_textbook_likelihood() -> None:
    x, n = np.array([4, 150, 30, 60, 10]), np.array([5, 300, 200, 150, 80])
    table = shrink_rates(_counts(x, n), method="mle")
    mu, rho = _direct_mle(x.astype(float), n.astype(float))
    assert table.attrs["prior_mean"] == pytest.approx(mu, abs=1e-5)
    assert table.attrs["prior_icc"] == pytest.approx(rho, abs=1e-5)
    a, b = table.attrs["prior_alpha"], table.attrs["prior_beta"]
    assert table["shrunk_rate"].to_numpy() == pytest.approx((a + x) / (a + b + n))
    assert table["ci_low"].to_numpy() == pytest.approx(stats.beta.ppf(0.025, a + x, b + n - x))
    assert table["prob_above_center"].iloc[1] == pytest.approx(stats.beta.sf(x.sum() / n.sum(), a + 150,
                                                                             b + 150))  # fmt: skip
    assert tuple(table.columns) == SHRINK_COLUMNS and not table.attrs["no_spread"]


def test_shrinkage_moments_estimator() -> None:
    x, n = np.array([4, 150, 30, 60, 10.0]), np.array([5, 300, 200, 150, 80.0])
    table = shrink_rates(_counts(x, n), method="moments")
    p, pooled, k, total = x / n, x.sum() / n.sum(), 5, n.sum()
    msb = np.sum(n * (p - pooled) ** 2) / (k - 1)
    msw = np.sum(n * p * (1 - p)) / (total - k)
    n0 = (total - np.sum(n**2) / total) / (k - 1)
    assert table.attrs["prior_icc"] == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw))  # Fleiss ANOVA
    assert table.attrs["prior_mean"] == pytest.approx(pooled)


def test_shrinkage_moves_small_samples_most() -> None:
    table = shrink_rates(_counts([4, 150, 30, 60, 10], [5, 300, 200, 150, 80])).set_index("manager")
    pull = (table["raw_rate"] - table["shrunk_rate"]).abs()
    assert pull.idxmax() == "M01"  # 4 of 5 leads: pulled the most
    assert (table["ci_low"] <= table["shrunk_rate"]).all() and (
        table["shrunk_rate"] <= table["ci_high"]
    ).all()


@pytest.mark.parametrize("method", ["mle", "moments"])
def test_plug_in_no_spread_shrinks_to_pooled_rate_and_says_so(method) -> None:
    n = np.array([100, 200, 300, 400, 500])
    table = shrink_rates(_counts(0.3 * n, n), method=method)  # identical rates: MLE at the boundary
    assert table.attrs["no_spread"] and "no evidence of spread" in table.attrs["note"]
    assert table["shrunk_rate"].to_numpy() == pytest.approx(np.full(5, 0.3))
    low = stats.beta.ppf(0.025, 450 + 0.5, 1050 + 0.5)  # Jeffreys interval of the pooled rate
    assert table["ci_low"].to_numpy() == pytest.approx(np.full(5, low))
    assert tuple(table.columns) == SHRINK_COLUMNS


def test_rank_ties_broken_by_raw_rate_then_name_and_no_leads_unranked() -> None:
    n = np.array([100, 200, 100, 300, 0])
    counts = _counts([30, 60, 30, 90, 0], n, ["B", "A", "C", "D", "E"])
    table = shrink_rates(counts, method="mle").set_index("manager")
    assert table.attrs["no_spread"]
    # all shrunk to 0.3 and all raw rates 0.3: the name decides; E has no leads and no rank
    assert table.loc[["A", "B", "C", "D"], "rank"].tolist() == [1, 2, 3, 4]
    assert pd.isna(table.loc["E", "rank"]) and np.isnan(table.loc["E", "raw_rate"])
    spread = shrink_rates(_counts([10, 12, 60, 5], [20, 20, 100, 50], ["A", "B", "C", "D"]), method="mle")
    assert spread["rank"].tolist() == list(spread["shrunk_rate"].rank(ascending=False).astype(int))


def test_shrinkage_edge_cases() -> None:
    table = shrink_rates(_counts([0, 0], [10, 20]), method="mle")
    assert table.attrs["no_spread"] and (table["shrunk_rate"] == 0).all()
    bayes = shrink_rates(_counts([0, 0], [10, 20]))  # no win yet is not a proof of a zero rate
    assert bayes.attrs["no_spread"] and (bayes["shrunk_rate"] < 0.03).all() and (bayes["ci_high"] > 0).all()
    with pytest.raises(ParameterError, match="method"):
        shrink_rates(_counts([1, 2], [5, 6]), method="eb")
    with pytest.raises(ParameterError, match="n_draws"):
        shrink_rates(_counts([1, 2], [5, 6]), n_draws=10)
    with pytest.raises(ParameterError, match="center"):
        shrink_rates(_counts([1, 2], [5, 6]), center=2.0)


def test_bayes_no_spread_keeps_each_managers_own_evidence() -> None:
    # identical rates: no fitted spread, yet the fully Bayesian intervals stay each manager's own (not the
    # pooled rate's), widest for the fewest leads, and every rank interval spans (almost) every rank
    n = np.array([100, 200, 300, 400, 500])
    table = shrink_rates(_counts(0.3 * n, n))
    assert table.attrs["no_spread"] and "no evidence of spread" in table.attrs["note"]
    width = (table["ci_high"] - table["ci_low"]).to_numpy()
    assert (np.diff(width) < 0).all()  # more leads, narrower
    pooled = stats.beta.ppf([0.025, 0.975], 450.5, 1050.5)
    assert width[0] > 1.5 * (pooled[1] - pooled[0])
    assert table["shrunk_rate"].to_numpy() == pytest.approx(np.full(5, 0.3), abs=5e-3)
    assert (table["rank_high_joint"] - table["rank_low_joint"] >= 3).all()


def test_bayes_outlier_is_not_pulled_into_the_crowd() -> None:
    # 13 managers at 28 % and one at 12 %, 60 leads each: the plug-in gives the outlier the pooled interval
    # (no spread fitted), the robust Bayesian fit keeps it near its own record
    x = np.r_[7, np.full(13, 17)]
    n = np.full(14, 60)
    plug_in = shrink_rates(_counts(x, n), method="mle").iloc[0]
    bayes = shrink_rates(_counts(x, n)).iloc[0]
    assert plug_in["ci_low"] > 0.2  # the audit's finding: 12 % shown at well above 20 %
    assert bayes["ci_low"] < 0.12 < bayes["ci_high"] and bayes["shrunk_rate"] < 0.2
    assert bayes["rank"] == bayes["rank_high"] == 14


def test_bayes_columns_ranks_and_reproducibility() -> None:
    counts = _counts([4, 150, 30, 60, 10, 0], [5, 300, 200, 150, 80, 0])
    table = shrink_rates(counts)
    again = shrink_rates(counts)
    pd.testing.assert_frame_equal(table, again)  # seeded
    assert tuple(table.columns) == SHRINK_COLUMNS and table.attrs["method"] == "bayes"
    ranked = table.iloc[:5]
    assert (ranked["rank_low_joint"] <= ranked["rank_low"]).all()
    assert (ranked["rank_high"] <= ranked["rank_high_joint"]).all()
    assert (ranked["rank_low"] <= ranked["rank"]).all() and (ranked["rank"] <= ranked["rank_high"]).all()
    assert table.iloc[5][["rank", "rank_low", "rank_high", "rank_low_joint", "rank_high_joint"]].isna().all()
    assert 0 < table.iloc[5]["ci_low"] < table.iloc[5]["ci_high"] < 1  # no leads: the prior
    # many leads each: hardly any shrinkage
    big = shrink_rates(_counts([3000, 5000, 2000], [10_000, 10_000, 10_000]))
    assert big["shrunk_rate"].to_numpy() == pytest.approx([0.3, 0.5, 0.2], abs=2e-4)
    assert big["rank_low_joint"].tolist() == big["rank_high_joint"].tolist() == [2, 1, 3]
