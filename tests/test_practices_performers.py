"""top_performers, performer_profiles and the regression-to-the-mean check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.practices import PROFILE_COLUMNS, REGRESSION_COLUMNS, TOP_COLUMNS, hedges_g
from kpi_toolkit.practices.performers import HABITS, PROFILE_KPIS, _permutation_p


@pytest.fixture(scope="module")
def demo():
    return kt.from_frames(**make_demo_data())


def test_hedges_g_golden():
    # by hand: means 4 and 2, pooled sd 1, J = 1 - 3 / (4 * 6 - 9) = 0.8 -> g = 1.6
    assert hedges_g(np.array([3.0, 4.0, 5.0]), np.array([1.0, 2.0, 3.0])) == pytest.approx(1.6)
    top, rest = np.array([2.0, 5.0, 7.0, 9.0]), np.array([1.0, 3.0, 2.0, 4.0, 0.5])
    d = (top.mean() - rest.mean()) / math.sqrt((3 * top.var(ddof=1) + 4 * rest.var(ddof=1)) / 7)
    assert hedges_g(top, rest) == pytest.approx(d * (1 - 3 / (4 * 9 - 9)))
    assert math.isnan(hedges_g(np.array([1.0]), rest))


def test_exact_permutation_p_matches_scipy():
    values = np.array([5.0, 7.0, 6.5, 1.0, 2.0, 3.0, 2.5, 4.0])
    is_top = np.array([True, True, True, False, False, False, False, False])
    # scipy.stats.permutation_test enumerates the same 56 splits; statistic |mean difference|
    ref = stats.permutation_test(
        (values[is_top], values[~is_top]),
        lambda x, y: abs(np.mean(x) - np.mean(y)),
        permutation_type="independent",
        alternative="greater",
        n_resamples=np.inf,
    )
    assert _permutation_p(values, is_top, n_permutations=9999, seed=1) == pytest.approx(ref.pvalue)


def test_top_performers_on_the_demo(demo):
    top = kt.top_performers(demo, period="2026Q3")
    assert tuple(top.columns) == TOP_COLUMNS
    ranked = top[top["ranked"]]
    # 2026Q3's 15 managers (the joiner M15 too, not the leaver M16) but M12, with too few leads to rank
    assert len(ranked) == 14 and "M12" not in set(ranked["manager"])
    assert top["top"].sum() == math.ceil(0.25 * 14)
    assert ranked["value"].is_monotonic_decreasing
    assert top.loc[top["top"], "value"].min() >= top.loc[~top["top"] & top["ranked"], "value"].max()
    assert "M10" not in set(top.loc[top["top"], "manager"])  # planted: misses plan every quarter
    assert kt.top_performers(demo, period="2026Q3", share=0.5)["top"].sum() == 7
    north = kt.top_performers(demo, period="2026Q3", team="North")
    assert set(north["team"]) == {"North"}


def test_profiles_columns_and_rows(demo):
    prof = kt.performer_profiles(demo, period="2026Q3")
    assert tuple(prof.columns) == PROFILE_COLUMNS
    assert set(prof["group"]) == {"kpi", "practice", "habit"}
    assert set(HABITS) | set(PROFILE_KPIS) <= set(prof["measure"])
    row = prof.set_index("measure").loc["plan_attainment"]
    assert row["hedges_g"] > 0 and row["difference"] > 0
    assert prof["p_value"].between(0, 1).all()
    assert len(prof.attrs["top"]) == 4


def test_regression_check(demo):
    r = kt.regression_check(demo, period="2026Q3")
    assert tuple(r.columns) == REGRESSION_COLUMNS
    top, rest = r.set_index("group").loc["top"], r.set_index("group").loc["rest"]
    # the top of 2026Q2 falls back and the rest comes up: regression to the mean
    assert top["change"] < 0 < rest["change"]
    assert top["expected_change"] < 0 and -1 <= top["correlation"] <= 1


def test_parameter_errors(demo):
    with pytest.raises(kt.ParameterError, match="share"):
        kt.top_performers(demo, period="2026Q3", share=1.5)
    with pytest.raises(kt.ParameterError, match="by="):
        kt.top_performers(demo, period="2026Q3", by="charm")
    with pytest.raises(kt.ParameterError, match="min_leads"):
        kt.top_performers(demo, period="2026Q3", min_leads=-1)
