"""Golden values: cases 1, 2, 3, 4 and 6 of ../shared/reference/stats_cases.json, and published tables.

Each expected number names its source. The values are copied here (the tests run without ../shared); one
test re-reads the JSON when it is present, so a copy cannot drift from the reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep

from kpi_toolkit.stats import (
    adjust_pvalues,
    chisq_homogeneity,
    cohens_h,
    compare_rates,
    dunn_test,
    global_test_checks,
    global_test_rates,
    newcombe_interval,
    two_proportion_test,
    welch_anova,
    welch_ttest,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "stats_cases.json"
WON, LEADS = [83, 90, 129, 70], [86, 93, 136, 82]  # R: smokers, patients (cases 1 and 2)
PAIRS = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]  # case 2 pair_order 1-2, 1-3, 1-4, 2-3, 2-4, 3-4


def approx(value, rel=1e-5):  # the JSON gives 6 significant digits
    return pytest.approx(value, rel=rel, abs=1e-9)


# --- case 1: chi-square of homogeneity --------------------------------------------------------------


def test_case01_a_homogeneity_of_four_rates(smokers: pd.DataFrame) -> None:
    row = chisq_homogeneity(WON, LEADS).iloc[0]
    assert row["statistic"] == approx(12.6004)  # R: prop.test(smokers, patients) X-squared = 12.600411
    assert row["df"] == 3  # R: df = 3
    assert row["p_value"] == approx(0.00558548)  # R: p = 0.005585; case01 a_p
    assert row["min_expected"] == approx(5.16373)  # case01 a_min_expected_count (scipy expected_freq)
    table = global_test_rates(smokers).iloc[0]
    assert table["statistic"] == approx(12.6004)  # same R prop.test through the table builder
    assert "5.16" in table["note"]


def test_case01_b_two_by_three_table() -> None:
    # R: chisq.test(M) with M = rbind(c(762, 327, 468), c(484, 239, 477)): X-squared = 30.070149, df = 2
    won, other = np.array([762, 327, 468]), np.array([484, 239, 477])
    row = chisq_homogeneity(won, won + other).iloc[0]
    assert row["statistic"] == approx(30.0701)  # R: X-squared = 30.070149
    assert row["df"] == 2
    assert row["p_value"] == approx(2.95359e-07)  # R: p = 2.953589e-07


def test_case01_c_yates_on_two_by_two() -> None:
    # R: chisq.test(matrix(c(12, 5, 7, 7), ncol = 2)) [Yates]: X-squared = 0.64112, p = 0.423305
    row = two_proportion_test(12, 19, 5, 12).iloc[0]
    assert row["test"] == "chi-square (Yates)"
    assert row["statistic"] == approx(0.64112)  # R: X-squared = 0.64112
    assert row["p_value"] == approx(0.423305)  # R: p = 0.423305
    two = chisq_homogeneity([12, 5], [19, 12]).iloc[0]  # k = 2: R prop.test applies Yates too
    assert two["statistic"] == approx(0.64112)


# --- case 2: pairwise proportions, Holm / BH, Cohen's h ---------------------------------------------


def test_case02_pairwise_yates_p_values() -> None:
    i, j = np.array(PAIRS).T
    w, n = np.array(WON), np.array(LEADS)
    result = two_proportion_test(w[i], n[i], w[j], n[j], exact="never")
    # scipy.stats.chi2_contingency(2x2, correction=True) == R prop.test, case02 p_raw_yates:
    expected = [1.0, 0.803862, 0.023713, 0.711772, 0.0155362, 0.030942]
    assert result["p_value"].to_numpy() == approx(expected)
    # R: pairwise.prop.test(smokers, patients): 1, 1, 0.118565, 1, 0.093217, 0.123768 (case02 p_holm_yates)
    holm = adjust_pvalues(result["p_value"], method="holm")
    assert holm == approx([1.0, 1.0, 0.118565, 1.0, 0.0932173, 0.123768])


def test_case02_compare_rates_pairwise_matches_r_after_holm(smokers: pd.DataFrame) -> None:
    table = compare_rates(smokers, versus="pairwise")
    # Pairs 1-2, 1-3, 2-3 have expected counts < 5 and switch to Fisher (R keeps chi-square and warns);
    # the chi-square pairs and every Holm-adjusted p agree with R's pairwise.prop.test (case02 p_holm_yates).
    assert table["test"].tolist() == ["Fisher exact", "Fisher exact", "chi-square (Yates)", "Fisher exact",
                                      "chi-square (Yates)", "chi-square (Yates)"]  # fmt: skip
    chi = table["test"] == "chi-square (Yates)"
    assert table.loc[chi, "p_value"].to_numpy() == approx([0.023713, 0.0155362, 0.030942])  # R prop.test
    assert table["p_adjusted"].to_numpy() == approx([1.0, 1.0, 0.118565, 1.0, 0.0932173, 0.123768])
    assert (table["verdict"] == "no difference").all()  # case02 note: global p = 0.0056, no pair < 0.05


def test_case02_holm_and_bh_on_z_test_p_values() -> None:
    p_raw_z = [0.92232, 0.561587, 0.011329, 0.484739, 0.00714096, 0.0161433]  # case02 p_raw_z
    # statsmodels multipletests(p, 'holm') == R p.adjust(p, 'holm'): case02 p_holm_z
    assert adjust_pvalues(p_raw_z, method="holm") == approx([1.0, 1.0, 0.0566448, 1.0, 0.0428458, 0.0645732])
    # statsmodels multipletests(p, 'fdr_bh') == R p.adjust(p, 'BH'): case02 p_bh_z
    bh = [0.92232, 0.673904, 0.0322866, 0.673904, 0.0322866, 0.0322866]
    assert adjust_pvalues(p_raw_z, method="bh") == approx(bh)


def test_adjust_pvalues_matches_statsmodels(rng: np.random.Generator) -> None:
    p = rng.uniform(0, 0.2, 40)
    for ours, theirs in (("holm", "holm"), ("bh", "fdr_bh")):
        assert adjust_pvalues(p, method=ours) == pytest.approx(multipletests(p, method=theirs)[1], rel=1e-12)


def test_case02_cohens_h() -> None:
    i, j = np.array(PAIRS).T
    rate = np.array(WON) / np.array(LEADS)
    # statsmodels proportion_effectsize(p_i, p_j), case02 cohens_h:
    expected = [-0.0145798, 0.0819778, 0.40935, 0.0965576, 0.42393, 0.327373]
    assert cohens_h(rate[i], rate[j]) == approx(expected)


# --- case 3: Fisher's exact test and the conditional MLE odds ratio --------------------------------


def test_case03_fisher_and_conditional_odds_ratio() -> None:
    sales = two_proportion_test(2, 10, 9, 12, exact="always").iloc[0]
    assert sales["p_value"] == approx(0.0299731)  # scipy.stats.fisher_exact(sales), case03 sales_p_fisher
    assert sales["statistic"] == approx(0.0961261)  # scipy odds_ratio(kind='conditional'): case03
    conv = two_proportion_test(2, 17, 10, 13, exact="always").iloc[0]
    assert conv["p_value"] == approx(0.000536724)  # R: fisher.test(Convictions) p = 0.000537
    assert conv["statistic"] == approx(0.0469366)  # R: fisher.test(Convictions) odds ratio 0.046937
    tea = two_proportion_test(3, 4, 1, 4).iloc[0]  # expected counts 2 < 5: Fisher automatically
    assert tea["test"] == "Fisher exact"
    assert tea["statistic"] == approx(6.40832)  # R: fisher.test(TeaTasting) odds ratio 6.408309
    # R: fisher.test(TeaTasting, alternative = 'greater') p = 0.242857; the table is symmetric, so the
    # two-sided p (tables with probability <= observed on both sides) is twice that.
    assert tea["p_value"] == approx(2 * 0.242857)


def test_case03_sales_min_expected_exactly_five_keeps_chi_square() -> None:
    # Cochran's rule switches below 5; sales_AB has a minimum expected count of exactly 5.
    row = two_proportion_test(2, 10, 9, 12).iloc[0]
    assert row["min_expected"] == approx(5.0)
    assert row["test"] == "chi-square (Yates)"


# --- case 4: Kruskal-Wallis and Dunn ---------------------------------------------------------------

LUNG = pd.DataFrame(
    {"manager": ["Normal"] * 5 + ["COPD"] * 4 + ["Asbestosis"] * 5,
     "amount": [2.9, 3.0, 2.5, 2.6, 3.2, 3.8, 2.7, 4.0, 2.4, 2.8, 3.4, 3.7, 2.2, 2.0]}
)  # fmt: skip
MTCARS_WT = [2.62, 2.875, 2.32, 3.215, 3.44, 3.46, 3.57, 3.19, 3.15, 3.44, 3.44, 4.07, 3.73, 3.78, 5.25,
             5.424, 5.345, 2.2, 1.615, 1.835, 2.465, 3.52, 3.435, 3.84, 3.845, 1.935, 2.14, 1.513, 3.17,
             2.77, 3.57, 2.78]  # fmt: skip
MTCARS_CYL = [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4, 4, 8, 6, 8, 4]


def test_case04_a_kruskal_wallis() -> None:
    row = global_test_checks(LUNG, method="kruskal", min_n=2).iloc[0]
    assert row["statistic"] == approx(0.771429)  # R: kruskal.test(list(x, y, z)) chi-squared = 0.771429
    assert row["df"] == 2
    assert row["p_value"] == approx(0.679965)  # R: p = 0.679965


def test_case04_a_dunn() -> None:
    table = dunn_test(LUNG, p_adjust="holm").set_index(["manager", "versus"])
    # R dunn.test(method='none') |z|: COPD-Asb 0.855235, Normal-Asb 0.226778, Normal-COPD 0.641426 (case04);
    # our pairs are sorted by name, so the sign is (first - second) in mean rank.
    assert table.loc[("Asbestosis", "COPD"), "z"] == approx(-0.855236)
    assert table.loc[("Asbestosis", "Normal"), "z"] == approx(-0.226779)
    assert table.loc[("COPD", "Normal"), "z"] == approx(0.641427)
    assert table.loc[("COPD", "Normal"), "p_value"] == approx(0.521245)  # two-sided = 2 x R's one-sided
    assert (table["p_adjusted"] == 1.0).all()  # case04 a_dunn_p_holm
    assert table.loc[("COPD", "Normal"), "mean_rank"] == approx(9.0)  # case04 a_mean_ranks


def test_case04_b_mtcars_with_ties() -> None:
    frame = pd.DataFrame({"manager": [str(c) for c in MTCARS_CYL], "amount": MTCARS_WT})
    row = global_test_checks(frame, method="kruskal", min_n=2).iloc[0]
    assert row["statistic"] == approx(22.8067)  # scipy.stats.kruskal (tie-corrected), R kruskal.test 22.8
    assert row["p_value"] == approx(1.11581e-05)  # case04 b_p
    holm = dunn_test(frame, p_adjust="holm")
    # R: dunn.test(mtcars$wt, mtcars$cyl) Z = -1.84 (4-6), -4.76 (4-8), -2.22 (6-8); case04 b_dunn_z
    assert holm["z"].to_numpy() == approx([-1.83626, -4.75594, -2.22161])
    assert holm["p_adjusted"].to_numpy() == approx([0.0663192, 5.9257e-06, 0.05262])  # case04 b_dunn_p_holm
    bh = dunn_test(frame, p_adjust="bh")
    assert bh["p_adjusted"].to_numpy() == approx([0.0663192, 5.9257e-06, 0.039465])  # case04 b_dunn_p_bh


# --- case 6: Welch ANOVA ---------------------------------------------------------------------------

SLEEP = (
    [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0],
    [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4],
)
PLANT = (
    [4.17, 5.58, 5.18, 6.11, 4.5, 4.61, 5.17, 4.53, 5.33, 5.14],
    [4.81, 4.17, 4.41, 3.59, 5.87, 3.83, 6.03, 4.89, 4.32, 4.69],
    [6.31, 5.12, 5.54, 5.5, 5.37, 5.29, 4.92, 6.15, 5.8, 5.26],
)


def _moments(groups):
    arrays = [np.asarray(g) for g in groups]
    return [a.size for a in arrays], [a.mean() for a in arrays], [a.var(ddof=1) for a in arrays]


def test_case06_welch_anova_sleep() -> None:
    row = welch_anova(*_moments(SLEEP)).iloc[0]
    assert row["statistic"] == approx(3.46263)  # R: oneway.test(extra ~ group, sleep) F = 3.462627
    assert row["df1"] == 1
    assert row["df2"] == approx(17.7765)  # R: denom df = 17.776474
    assert row["p_value"] == approx(0.0793941)  # R: p = 0.079394


def test_case06_welch_anova_plant_growth() -> None:
    row = welch_anova(*_moments(PLANT)).iloc[0]
    assert row["statistic"] == approx(5.18097)  # R: oneway.test(weight ~ group, PlantGrowth) F = 5.181
    assert row["df2"] == approx(17.1284)  # R: denom df = 17.128
    assert row["p_value"] == approx(0.0173928)  # R: p = 0.01739


def test_welch_ttest_sleep() -> None:
    (n1, n2), (m1, m2), (v1, v2) = _moments(SLEEP)
    row = welch_ttest(n1, m1, v1, n2, m2, v2).iloc[0]
    # R: t.test(extra ~ group, data = sleep): t = -1.8608, df = 17.776, p = 0.07939, CI -3.3654832 0.2054832
    assert row["statistic"] == pytest.approx(-1.8608, abs=1e-4)
    assert row["df"] == pytest.approx(17.776, abs=1e-3)
    assert row["p_value"] == pytest.approx(0.07939, abs=1e-5)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx([-3.3654832, 0.2054832], abs=1e-6)


def test_welch_anova_on_logs_from_sufficient_statistics() -> None:
    frame = pd.DataFrame(
        {"manager": np.repeat(["ctrl", "trt1", "trt2"], 10), "amount": np.concatenate(PLANT)}
    )
    row = global_test_checks(frame).iloc[0]
    logs = [np.log(g) for g in PLANT]
    direct = welch_anova(*_moments(logs)).iloc[0]  # the same R oneway.test on log(weight)
    assert row["statistic"] == pytest.approx(direct["statistic"], rel=1e-10)
    assert row["p_value"] == pytest.approx(direct["p_value"], rel=1e-10)
    assert "F(2, " in row["note"]
    pair = stats.ttest_ind(logs[0], logs[1], equal_var=False)  # k = 2: F = t^2
    two = global_test_checks(frame[frame["manager"] != "trt2"]).iloc[0]
    assert two["statistic"] == pytest.approx(pair.statistic**2, rel=1e-10)


# --- Newcombe (1998) -------------------------------------------------------------------------------

NEWCOMBE = [  # Newcombe (1998) Stat Med 17:873, table II, method 10 (a)-(h); statsmodels agrees to 4 dp
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE)
def test_newcombe_method_10(counts, expected) -> None:
    row = newcombe_interval(*counts).iloc[0]
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(expected, abs=5e-5)
    low, high = confint_proportions_2indep(*counts, method="newcomb", compare="diff")
    assert [row["ci_low"], row["ci_high"]] == pytest.approx([low, high], abs=1e-10)  # statsmodels


# --- the copied numbers are the reference's -------------------------------------------------------


@pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference/stats_cases.json is not present")
def test_copied_values_match_the_reference_file() -> None:
    cases = json.loads(REFERENCE.read_text())["cases"]
    one, two = cases["case01_chi2_homogeneity"]["outputs"], cases["case02_pairwise_proportions"]["outputs"]
    assert (one["a_chi2"], one["a_p"], one["c_chi2_yates"]) == (12.6004, 0.00558548, 0.64112)
    assert two["p_holm_yates"] == [1.0, 1.0, 0.118565, 1.0, 0.0932173, 0.123768]
    assert two["cohens_h"] == [-0.0145798, 0.0819778, 0.40935, 0.0965576, 0.42393, 0.327373]
    three = cases["case03_fisher_small_counts"]["outputs"]
    assert (three["sales_p_fisher"], three["conv_conditional_MLE_OR"]) == (0.0299731, 0.0469366)
    four = cases["case04_kruskal_dunn_R_anchored"]["outputs"]
    assert (four["a_H"], four["b_H_tie_corrected"]) == (0.771429, 22.8067)
    six = cases["case06_welch_anova_games_howell"]["outputs"]
    assert (six["plant_welch_F"], six["plant_welch_df2"], six["sleep_p"]) == (5.18097, 17.1284, 0.0793941)
