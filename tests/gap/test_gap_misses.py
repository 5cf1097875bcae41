"""Systematic misses: verdicts by hand, the noise model, the CUSUM's null, and simulations of error rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import (
    MISS_COLUMNS,
    MISS_EVIDENCE_COLUMNS,
    VERDICTS,
    amount_moment_ratio,
    attainment_noise,
    cusum_tail_probability,
    judge_misses,
    miss_evidence,
)
from kpi_toolkit.gap.misses import _holm
from kpi_toolkit.gap.noise import clipped_variance

QUARTERS = [f"{y}Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4)]


def _series(values: dict[str, list[float]], noise: float = 0.05) -> pd.DataFrame:
    rows = [(m, QUARTERS[i], a) for m, series in values.items() for i, a in enumerate(series)]
    return pd.DataFrame(rows, columns=["manager", "period", "attainment"]).assign(noise=noise)


def test_columns_are_the_constants():
    assert MISS_COLUMNS == (
        "manager",
        "periods_observed",
        "periods_missed",
        "mean_attainment",
        "rule",
        "verdict",
    )
    assert MISS_EVIDENCE_COLUMNS[:4] == MISS_COLUMNS[:4] and MISS_EVIDENCE_COLUMNS[-2:] == ("rule", "verdict")
    assert VERDICTS == ("systematic", "not systematic", "insufficient data")
    out = judge_misses(_series({"a": [1.0] * 4}))
    assert list(out.columns) == list(MISS_COLUMNS)
    assert list(miss_evidence(_series({"a": [1.0] * 4})).columns) == list(MISS_EVIDENCE_COLUMNS)


@pytest.mark.parametrize("extra_noise", ["team", 0.0])
def test_one_bad_quarter_is_not_systematic_every_quarter_missed_widely_is(extra_noise):
    series = _series(
        {
            "ann": [1.01, 0.98, 1.03, 0.99, 1.02, 0.97, 1.00, 1.01],  # on plan
            "bob": [1.02, 0.99, 1.01, 0.10, 1.00, 0.98, 1.03, 1.00],  # one disastrous quarter
            "cat": [1.00, 1.01, 0.99, 1.00],  # one bad quarter in four ...
            "eve": [0.70, 0.74, 0.68, 0.72, 0.75, 0.69, 0.71, 0.73],  # misses every quarter by ~30 %
            "joe": [0.85, 0.80, 0.88, 0.82],  # four quarters, all well below
        }
    )
    series.loc[(series["manager"] == "cat") & (series["period"] == "2024Q2"), "attainment"] = 0.2
    out = judge_misses(series, extra_noise=extra_noise).set_index("manager")
    assert out.loc[["ann", "bob", "cat"], "verdict"].tolist() == ["not systematic"] * 3
    assert out.loc[["eve", "joe"], "verdict"].tolist() == ["systematic"] * 2
    assert out.loc[["eve", "joe"], "rule"].tolist() == ["mean shortfall"] * 2
    assert out.loc["bob", ["periods_observed", "periods_missed"]].tolist() == [8, 3]
    assert out.loc["eve", "mean_attainment"] == pytest.approx(0.715)


def test_one_bad_quarter_weighs_at_most_two_standard_deviations():
    # cat: three quarters exactly on plan and one at 0: Z = -2 / sqrt(E psi^2 x 4) whatever the miss.
    series = _series({"cat": [1.0, 1.0, 0.0, 1.0]})
    evidence = miss_evidence(series, extra_noise=0.0, p_adjust="none").iloc[0]
    assert evidence["z_shortfall"] == pytest.approx(-2 / np.sqrt(clipped_variance(2.0) * 4))
    assert evidence["p_shortfall"] == pytest.approx(0.1487, abs=1e-4)  # scipy.stats.norm.cdf(-1.0422)
    assert evidence["verdict"] == "not systematic"
    assert (evidence["worst_period"], evidence["worst_attainment"]) == ("2024Q3", 0.0)


def test_one_bad_quarter_does_not_inflate_the_teams_extra_noise():
    quiet = {f"m{i}": [1.0 + 0.03 * np.sin(i + t) for t in range(8)] for i in range(6)}
    with_outlier = quiet | {"bob": [1.0, 1.02, 0.98, 0.05, 1.0, 0.99, 1.01, 1.0]}
    tau_quiet = miss_evidence(_series(quiet))["extra_noise"].iloc[0]
    tau_outlier = miss_evidence(_series(with_outlier))["extra_noise"].iloc[0]
    assert tau_quiet == 0.0
    assert tau_outlier < 0.01  # the quarter at 5 % is 19 standard deviations out, yet counts as 2


def test_extra_noise_is_estimated_when_the_team_varies_more_than_its_orders():
    rng = np.random.default_rng(7)
    values = {f"m{i}": list(1 + rng.normal(0, np.sqrt(0.05**2 + 0.1**2), 8)) for i in range(30)}
    tau = miss_evidence(_series(values))["extra_noise"].iloc[0]
    assert 0.07 < tau < 0.13  # simulated with an extra sd of 0.10 on top of the noise 0.05


def test_insufficient_data_and_unobserved_periods():
    series = _series({"ann": [0.5, 0.5, 0.5], "bob": [0.5, np.nan, 0.5, 0.5, 0.5], "cid": [np.nan]})
    series.loc[series["manager"] == "bob", "noise"] = [0.05, 0.05, np.nan, 0.05, 0.05]
    out = miss_evidence(series).set_index("manager")
    assert out.loc["ann", "verdict"] == "insufficient data" and np.isnan(out.loc["ann", "p_value"])
    assert out.loc["bob", "periods_observed"] == 3  # a NaN attainment or noise is not observed
    assert out.loc["cid", ["periods_observed", "periods_missed"]].tolist() == [0, 0]
    assert np.isnan(out.loc["cid", "mean_attainment"]) and pd.isna(out.loc["cid", "worst_period"])
    assert judge_misses(series, min_periods=3).set_index("manager").loc["ann", "verdict"] == "systematic"


def test_above_plan_is_never_systematic_and_margin_moves_the_bar():
    series = _series({"ann": [1.3] * 8, "bob": [0.96, 0.97, 0.95, 0.96, 0.97, 0.96, 0.95, 0.96]}, noise=0.01)
    out = judge_misses(series).set_index("manager")
    assert out["verdict"].tolist() == ["not systematic", "systematic"]
    relaxed = judge_misses(series, margin=0.05).set_index("manager")
    assert relaxed.loc["bob", "verdict"] == "not systematic"


def test_holm_adjustment():
    p = np.array([0.01, 0.04, 0.03, 0.005, 0.5])
    # statsmodels.stats.multitest.multipletests(p, method="holm")
    assert _holm(p) == pytest.approx(multipletests(p, method="holm")[1])
    values = {f"m{i}": [0.9] * 4 for i in range(5)}
    raw = miss_evidence(_series(values), p_adjust="none")
    holm = miss_evidence(_series(values))
    assert (holm["p_adjusted"] >= raw["p_adjusted"]).all()
    assert holm["p_adjusted"].to_numpy() == pytest.approx(_holm(raw["p_value"].to_numpy()))


def test_cusum_catches_a_shortfall_that_began_late():
    # 12 quarters on plan, then 6 at 90 % (two sd below): the mean over 18 is diluted, the CUSUM is not.
    values = [1.0, 1.01, 0.99] * 4 + [0.9] * 6
    rows = pd.DataFrame({"manager": "ann", "period": range(18), "attainment": values, "noise": 0.05})
    evidence = miss_evidence(rows, extra_noise=0.0).iloc[0]
    assert evidence["cusum_max"] == pytest.approx(6 * (2 - 0.5))  # six steps of psi(-2) - k
    assert evidence["p_cusum"] < evidence["p_shortfall"]
    assert evidence["p_value"] == pytest.approx(2 * evidence["p_cusum"])  # Bonferroni over the two rules
    assert (evidence["rule"], evidence["verdict"]) == ("cusum", "systematic")
    short = miss_evidence(rows.iloc[6:], extra_noise=0.0).iloc[0]  # 12 periods: still applied
    assert not np.isnan(short["p_cusum"])
    assert np.isnan(miss_evidence(rows.iloc[7:], extra_noise=0.0).iloc[0]["p_cusum"])  # 11: not applied


def test_cusum_tail_probability_against_simulation():
    # Brook & Evans' chain against 200 000 simulated CUSUMs of (clipped) standard normals, 12 periods;
    # Monte Carlo standard error <= 0.0011, the chain errs on the large side by < 1e-3.
    rng = np.random.default_rng(12)
    z = rng.standard_normal((200_000, 12))
    for clip in (np.inf, 2.0):
        c, top = np.zeros(len(z)), np.zeros(len(z))
        for t in range(12):
            c = np.maximum(0.0, c - np.clip(z[:, t], -clip, clip) - 0.5)
            top = np.maximum(top, c)
        for h in (1.0, 3.0, 5.0):
            simulated = float((top >= h).mean())
            assert cusum_tail_probability(h, periods=12, clip=clip) == pytest.approx(simulated, abs=0.004)
    assert cusum_tail_probability(0.0, periods=5) == 1.0


def test_attainment_noise_is_the_compound_poisson_sd():
    # 60 orders expected, lognormal amounts (sigma 0.8): simulated sd of V / P against the formula.
    rng = np.random.default_rng(3)
    sigma, lam = 0.8, 60.0
    mean_amount = np.exp(sigma**2 / 2)
    plan = lam * mean_amount
    n = rng.poisson(lam, 20_000)
    amounts = rng.lognormal(0.0, sigma, n.sum())
    volume = np.bincount(np.repeat(np.arange(n.size), n), weights=amounts, minlength=n.size)
    sd = attainment_noise(plan, sales_volume=amounts.sum(), sum_sq_amount=(amounts**2).sum())
    # exact: sqrt(E[X^2] / (mu P)) = sqrt(exp(sigma^2) / lam) = 0.1544; Monte Carlo se of an sd ~ 0.5 %
    assert float(sd) == pytest.approx(np.sqrt(np.exp(sigma**2) / lam), rel=0.02)
    assert np.std(volume / plan) == pytest.approx(float(sd), rel=0.03)
    assert np.isnan(attainment_noise([0.0, np.nan], sales_volume=10.0, sum_sq_amount=100.0)).all()
    with pytest.raises(ParameterError, match="target must be >= 0"):
        attainment_noise(-1.0, sales_volume=1.0, sum_sq_amount=1.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"alpha": 0.0}, "alpha=0.0"),
        ({"p_adjust": "bh"}, "p_adjust='bh'"),
        ({"extra_noise": "model"}, "extra_noise='model'"),
        ({"extra_noise": -0.1}, "extra_noise=-0.1"),
        ({"margin": 1.0}, "margin=1.0"),
        ({"min_periods": 1}, "min_periods=1"),
        ({"cusum_min_periods": 2.5}, "cusum_min_periods=2.5"),
        ({"cusum_k": -1.0}, "cusum_k=-1.0"),
    ],
)
def test_bad_options_raise_parameter_error(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        judge_misses(_series({"a": [1.0] * 4}), **kwargs)


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (
            pd.DataFrame({"manager": ["a"], "attainment": [1.0]}),
            "series must be a DataFrame with the columns",
        ),
        (_series({"a": [-0.1]}), "attainment must be finite and >= 0"),
        (_series({"a": [1.0]}, noise=0.0), "noise finite and > 0"),
    ],
)
def test_bad_series_raise_parameter_error(series, message):
    with pytest.raises(ParameterError, match=message):
        judge_misses(series)


# --- simulations ---------------------------------------------------------------------------------------
# A team of 10 managers; per quarter a manager's plan expects 20-80 orders (uniform) of lognormal amounts
# (sigma 0.8, a manager-specific median), so one quarter's attainment has a compound Poisson sd of
# 0.15-0.31. A fair plan: orders ~ Poisson(expected x level x shock) with level 1 and, for extra noise, a
# lognormal shock of mean 1 per manager and quarter. The noise given to the verdict is attainment_noise()
# of the manager's own orders pooled over the window. Monte Carlo tolerance: 3 binomial standard errors
# at the nominal rate (one-sided), sqrt(0.05 x 0.95 / reps).
ALPHA = 0.05


def _simulate(rng, *, periods=8, level=None, shock_sd=0.0, shift_from=None, managers=10):
    level = np.ones(managers) if level is None else np.asarray(level, dtype=float)
    lam = rng.uniform(20, 80, size=(managers, periods))
    median = rng.uniform(5, 8, size=managers)
    plan = lam * np.exp(median + 0.32)[:, None]  # E[amount] = exp(mu + sigma^2 / 2)
    levels = np.repeat(level[:, None], periods, axis=1)
    if shift_from is not None:
        levels[:, :shift_from] = 1.0
    shock = np.exp(rng.normal(-(shock_sd**2) / 2, shock_sd, size=lam.shape)) if shock_sd else 1.0
    n = rng.poisson(lam * levels * shock)
    amounts = rng.lognormal(np.repeat(np.repeat(median, periods), n.ravel()), 0.8)
    cell = np.repeat(np.arange(n.size), n.ravel())
    volume = np.bincount(cell, weights=amounts, minlength=n.size).reshape(n.shape)
    squares = np.bincount(cell, weights=amounts**2, minlength=n.size).reshape(n.shape)
    noise = attainment_noise(
        plan, sales_volume=volume.sum(1, keepdims=True), sum_sq_amount=squares.sum(1, keepdims=True)
    )
    return pd.DataFrame(
        {
            "manager": np.repeat([f"m{i:02d}" for i in range(managers)], periods),
            "period": np.tile(np.arange(periods), managers),
            "attainment": (volume / plan).ravel(),
            "noise": noise.ravel(),
        }
    )


def _flags(seed: int, reps: int, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Per replicate and manager: flagged by the verdict (Holm), and raw p-value <= ALPHA."""
    rng = np.random.default_rng(seed)
    flagged, raw = [], []
    for _ in range(reps):
        evidence = miss_evidence(_simulate(rng, **kwargs), alpha=ALPHA)
        flagged.append((evidence["verdict"] == "systematic").to_numpy())
        raw.append((evidence["p_value"] <= ALPHA).to_numpy())
    return np.array(flagged), np.array(raw)


def _tolerance(reps: int, rate: float = ALPHA) -> float:
    return 3 * np.sqrt(rate * (1 - rate) / reps)


@pytest.mark.slow
def test_simulation_fair_plans_are_flagged_at_most_at_the_nominal_rate():
    # 3000 teams x 8 quarters (seed 20260801). Measured: family-wise rate 0.039 (nominal 0.05,
    # tolerance +0.012); each manager's test alone at 5 %: 0.047 of 30 000 (tolerance +0.0038).
    reps = 3000
    flagged, raw = _flags(20260801, reps)
    assert flagged.any(axis=1).mean() <= ALPHA + _tolerance(reps)
    assert raw.mean() <= ALPHA + _tolerance(raw.size)


@pytest.mark.slow
def test_simulation_fair_plans_with_extra_noise_are_flagged_at_most_at_the_nominal_rate():
    # A planning/market shock with a coefficient of variation of 15 % per quarter on top of the orders'
    # noise; the team's extra noise is estimated. 2000 teams (seed 20260802). Measured: family-wise rate
    # 0.051 (8000 teams of other seeds: 0.042) (tolerance +0.015), each test alone 0.050 (tolerance +0.0046).
    # Trusting the compound Poisson noise instead (extra_noise=0) flags 0.165 of such teams (1000, same seed).
    reps = 2000
    flagged, raw = _flags(20260802, reps, shock_sd=0.15)
    assert flagged.any(axis=1).mean() <= ALPHA + _tolerance(reps)
    assert raw.mean() <= ALPHA + _tolerance(raw.size)


@pytest.mark.slow
def test_simulation_power_for_a_manager_missing_by_20_percent_every_quarter():
    # One manager of 10 sells 80 % of a fair plan every quarter (one quarter's sd 0.15-0.31, so a 20 %
    # miss is about one sd). Measured power over 8 quarters 0.56 (1000 teams, seed 20260803;
    # Monte Carlo se 0.016), over 4 quarters 0.17 (500 teams, seed 20260804; se 0.017); the
    # nine fair managers: family-wise rate 0.036 (tolerance +0.021).
    level = np.r_[0.8, np.ones(9)]
    flagged, _ = _flags(20260803, 1000, level=level)
    assert flagged[:, 0].mean() >= 0.50
    assert flagged[:, 1:].any(axis=1).mean() <= ALPHA + _tolerance(1000)
    flagged4, _ = _flags(20260804, 500, level=level, periods=4)
    assert flagged4[:, 0].mean() >= 0.12


@pytest.mark.slow
def test_simulation_long_series_with_cusum():
    # 16 quarters: the CUSUM rule applies (p-value by Brook & Evans, Bonferroni with the mean test).
    # 600 fair teams (seed 20260805): family-wise rate 0.025 (tolerance +0.027). A manager on plan
    # for 8 quarters and then at 80 % for 8 is flagged in 0.40 of 400 teams (seed 20260806).
    flagged, _ = _flags(20260805, 600, periods=16)
    assert flagged.any(axis=1).mean() <= ALPHA + _tolerance(600)
    late, _ = _flags(20260806, 400, periods=16, level=np.r_[0.8, np.ones(9)], shift_from=8)
    assert late[:, 0].mean() >= 0.30


# --- plans not fitted to the outcome (issue 22, point 2) --------------------------------------------------
# Each manager's plan is their expected volume, fixed before the period (lam expected orders x the mean
# amount); amounts from a distribution whose shape the team shares, scaled per manager. The noise given to
# the verdict comes from the orders as the toolkit sees them: amount_moment_ratio() of the window's orders
# (as miss_series does), or, to show what went wrong, each quarter's own orders.


def _unfitted(
    rng, *, managers=50, periods=8, orders=(10, 60), shape="lognormal", sigma=1.2, level=None, noise="window"
):
    lam = rng.uniform(*orders, size=(managers, 1)) * np.ones((1, periods))
    scale = np.exp(rng.uniform(5, 8, size=managers))
    mean = {"lognormal": np.exp(sigma**2 / 2), "pareto": 2.5 / 1.5}[shape]
    plan = lam * (scale * mean)[:, None]
    n = rng.poisson(lam * (np.ones((managers, 1)) if level is None else np.asarray(level)[:, None]))
    who = np.repeat(np.repeat(np.arange(managers), periods), n.ravel())
    base = rng.lognormal(0.0, sigma, n.sum()) if shape == "lognormal" else rng.pareto(2.5, n.sum()) + 1.0
    amounts = base * scale[who]
    cell = np.repeat(np.arange(n.size), n.ravel())
    volume = np.bincount(cell, weights=amounts, minlength=n.size).reshape(n.shape)
    squares = np.bincount(cell, weights=amounts**2, minlength=n.size).reshape(n.shape)
    if noise == "window":
        ratio = amount_moment_ratio(
            who,
            amounts,
            managers=np.arange(managers),
            sales_volume=volume.sum(1),
            sum_sq_amount=squares.sum(1),
        )
        sd = np.sqrt(ratio[:, None] / plan)
    else:  # each quarter's own orders (the window's for a quarter without orders)
        own = volume > 0
        v = np.where(own, volume, volume.sum(1, keepdims=True))
        q = np.where(own, squares, squares.sum(1, keepdims=True))
        sd = attainment_noise(plan, sales_volume=v, sum_sq_amount=q)
    return pd.DataFrame(
        {
            "manager": np.repeat([f"m{i:02d}" for i in range(managers)], periods),
            "period": np.tile(np.arange(periods), managers),
            "attainment": (volume / plan).ravel(),
            "noise": sd.ravel(),
        }
    )


def test_amount_moment_ratio_takes_the_larger_of_own_and_team_shaped_moments():
    # a: amounts 1, 1, 4 (own 18 / 6 = 3); b: 2, 2, 2 (own 2). z = x / median: 1, 1, 4, 1, 1, 1 -> K = 21 / 9
    ratio = amount_moment_ratio(
        ["a", "a", "a", "b", "b", "b"],
        [1.0, 1.0, 4.0, 2.0, 2.0, 2.0],
        managers=["a", "b", "c"],
        sales_volume=[6.0, 6.0, 0.0],
        sum_sq_amount=[18.0, 12.0, 0.0],
    )
    assert ratio[:2] == pytest.approx([max(3.0, 1.0 * 21 / 9), max(2.0, 2.0 * 21 / 9)])
    assert np.isnan(ratio[2])  # no orders: no noise


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["lognormal", "pareto"])
def test_simulation_unfitted_fair_plans_are_flagged_at_alpha_per_manager(shape):
    # 300 teams of 50 managers x 8 quarters, 10-60 orders a quarter, amounts log-normal (log sd 1.2) or
    # Pareto (tail index 2.5). Per-manager rate of raw p <= 0.05 over 15 000 tests, tolerance 3 binomial
    # se = 0.0053. Measured (seeds 22021, 22022): lognormal 0.042, Pareto 0.040; family-wise (Holm)
    # 0.000 and 0.017 (tolerance 0.038). Noise from each quarter's own orders instead: 0.25 per manager
    # (lognormal), the failure of issue 22; from the window's plain sum x^2 / sum x: 0.08 (150 teams).
    reps = 300
    rng = np.random.default_rng(22021 if shape == "lognormal" else 22022)
    raw, family = [], []
    for _ in range(reps):
        evidence = miss_evidence(_unfitted(rng, shape=shape), alpha=ALPHA)
        raw.append((evidence["p_value"] <= ALPHA).to_numpy())
        family.append((evidence["verdict"] == "systematic").any())
    raw = np.array(raw)
    assert raw.mean() <= ALPHA + _tolerance(raw.size)
    assert np.mean(family) <= ALPHA + _tolerance(reps)


def test_simulation_per_quarter_noise_flags_fair_managers_too_often():
    # The failure being fixed, so the test above can fail: 60 teams (seed 22023), per manager 0.25.
    rng = np.random.default_rng(22023)
    raw = [(miss_evidence(_unfitted(rng, noise="quarter"))["p_value"] <= ALPHA).mean() for _ in range(60)]
    assert np.mean(raw) > 0.15


@pytest.mark.slow
def test_simulation_power_is_what_the_evidence_states():
    # One manager of 10 at 85 % of a fair plan every quarter, 8 quarters of 20-80 orders, log-normal
    # amounts of log sd 0.8 and 1.2. Simulated share flagged (Holm) against the mean stated power, 400 teams
    # each (seed 22024), Monte Carlo se <= 0.022; the normal approximation may err by a few points:
    # tolerance 0.06. Measured: log sd 0.8 flagged 0.265, stated 0.259; log sd 1.2 flagged 0.100, stated
    # 0.091; the nine fair colleagues, family-wise 0.023 and 0.025.
    level = np.r_[0.85, np.ones(9)]
    for sigma in (0.8, 1.2):
        rng = np.random.default_rng(22024)
        flagged, stated = [], []
        for _ in range(400):
            sample = _unfitted(rng, managers=10, orders=(20, 80), level=level, sigma=sigma)
            evidence = miss_evidence(sample, alpha=ALPHA)
            flagged.append(evidence["verdict"].iloc[0] == "systematic")
            stated.append(evidence["power"].iloc[0])
        assert np.mean(stated) == pytest.approx(np.mean(flagged), abs=0.06)
    assert evidence.attrs["power_at"] == 0.85
