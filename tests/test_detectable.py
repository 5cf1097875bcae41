"""How much data a verdict needs (kt.detectable_difference): the power formulas against a simulated power
curve of the tests the comparison runs, and the table's shape and NaN policy."""

from __future__ import annotations

import numpy as np
import pytest

import kpi_toolkit as kt
from kpi_toolkit.detectable import DETECTABLE_COLUMNS
from kpi_toolkit.stats.power import (
    detectable_mean_ratio,
    detectable_proportion_difference,
    leads_needed,
    leads_needed_against,
)
from kpi_toolkit.stats.proportions import two_proportion_test


def test_sample_size_formula():
    # Fleiss, Levin & Paik (2003) eq. 4.19: n' = 120.5 per group for 0.15 vs 0.30 at 5 %, 80 %; with the
    # continuity correction (eq. 4.21) n = n'/4 (1 + sqrt(1 + 4 / (n' |d|)))^2 = 133.5.
    assert leads_needed(0.15, 0.30, ratio=1.0, alpha=0.05, power=0.8) == pytest.approx(133.5, abs=0.05)
    # a fixed rest: the manager's own leads solve the same equation with ratio = versus_n / n
    n = leads_needed_against(0.18, 0.28, 800, alpha=0.05, power=0.8)
    assert leads_needed(0.18, 0.28, ratio=800 / n, alpha=0.05, power=0.8) == pytest.approx(n, rel=1e-6)


@pytest.mark.slow
def test_detectable_conversion_difference_matches_simulated_power():
    """At the detectable difference, the comparison's own test (Yates chi-square or Fisher, at alpha / k)
    finds the manager in about 80 % of simulated quarters."""
    rng = np.random.default_rng(20261204)
    p, n, versus_n, level = 0.28, 60, 730, 0.05 / 13
    d = detectable_proportion_difference(p, n, versus_n, alpha=level, power=0.8)
    assert d == pytest.approx(0.211, abs=0.001)
    reps = 4000
    x1 = rng.binomial(n, p - d, reps)
    x2 = rng.binomial(versus_n, p, reps)
    found = two_proportion_test(x1, n, x2, versus_n)["p_value"].to_numpy() < level
    se = np.sqrt(0.8 * 0.2 / reps)
    assert abs(found.mean() - 0.8) < 0.03 + 3 * se  # measured 0.80


@pytest.mark.slow
def test_detectable_mean_ratio_matches_simulated_power():
    """A large-sample test of the log ratio of means, log-normal amounts (cv 1.0), at the detectable ratio."""
    rng = np.random.default_rng(7)
    sd = np.sqrt(np.log(2.0))  # cv = 1 for a log-normal
    n, versus_n, level = 200, 2000, 0.05 / 14
    ratio = detectable_mean_ratio(1.0, n, versus_n, alpha=level, power=0.8)
    reps = 2000
    own = rng.lognormal(np.log(ratio) - sd**2 / 2, sd, (reps, n))
    rest = rng.lognormal(-(sd**2) / 2, sd, (reps, versus_n))
    log_ratio = np.log(own.mean(axis=1) / rest.mean(axis=1))
    se = np.sqrt(own.var(axis=1, ddof=1) / own.mean(axis=1) ** 2 / n + rest.var(axis=1, ddof=1) / versus_n)
    from scipy.stats import norm

    found = 2 * norm.sf(np.abs(log_ratio / se)) < level
    assert abs(found.mean() - 0.8) < 0.05  # measured about 0.8


def test_table_on_the_demo(demo):
    table = kt.detectable_difference(demo, period="2026Q3", metric="conversion")
    assert list(table.columns) == list(DETECTABLE_COLUMNS)
    assert table["manager"].tolist() == sorted(demo.manager_ids)
    m12 = table.set_index("manager").loc["M12"]
    assert np.isnan(m12["detectable_difference"])  # 4 closed leads: no difference is likely to be found
    quarter = table.set_index("manager").loc["M03", "detectable_difference"]
    year = kt.detectable_difference(demo, period="2025Q4:2026Q3", metric="conversion")
    assert quarter > 0.18 and year.set_index("manager").loc["M03", "detectable_difference"] < 0.11
    for metric in ("average_check", "new_customers"):
        other = kt.detectable_difference(demo, period="2026Q3", metric=metric)
        assert list(other.columns) == list(DETECTABLE_COLUMNS)
        sold = other["manager"] != "M16"  # the leaver: left in May, nothing in 2026Q3
        assert other.loc[~sold, "detectable_difference"].isna().all()
        assert (other["detectable_difference"] > 1)[sold].all() and (other["n_needed"] > 0)[sold].all()


def test_bad_options(demo):
    with pytest.raises(kt.ParameterError, match="metric"):
        kt.detectable_difference(demo, period="2026Q3", metric="volume")
    with pytest.raises(kt.ParameterError, match="power"):
        kt.detectable_difference(demo, period="2026Q3", metric="conversion", power=80)
    with pytest.raises(kt.ParameterError, match="difference"):
        kt.detectable_difference(demo, period="2026Q3", metric="average_check", difference=0.9)
