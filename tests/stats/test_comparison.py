"""The comparison tables: fixed columns, edge cases, NaN policy, errors, the two input shapes of checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from kpi_toolkit.errors import DataValidationError, ParameterError
from kpi_toolkit.stats import (
    COMPARISON_COLUMNS,
    DIAGNOSTIC_COLUMNS,
    GLOBAL_TEST_COLUMNS,
    VERDICTS,
    adjust_pvalues,
    check_diagnostics,
    check_sufficient_stats,
    compare_checks,
    compare_counts,
    compare_rates,
    global_test_checks,
    global_test_rates,
    newcombe_interval,
    poisson_rate_test,
    two_proportion_test,
    wilson_interval,
)

EXPECTED_COLUMNS = (
    "metric", "manager", "versus", "n", "estimate", "versus_n", "versus_estimate", "difference", "ci_low",
    "ci_high", "effect_size", "effect_size_type", "test", "statistic", "p_value", "p_adjusted", "verdict",
)  # fmt: skip


def _counts(successes, trials, names=None) -> pd.DataFrame:
    names = names or [f"M{i}" for i in range(1, len(trials) + 1)]
    return pd.DataFrame({"manager": names, "successes": successes, "trials": trials})


def test_comparison_columns_constant() -> None:
    assert COMPARISON_COLUMNS == EXPECTED_COLUMNS
    assert GLOBAL_TEST_COLUMNS == ("test", "statistic", "df", "p_value", "n_groups", "note")
    assert VERDICTS == ("above", "below", "no difference", "insufficient data")


@pytest.mark.parametrize("versus", ["rest", "pairwise"])
@pytest.mark.parametrize("reference", ["robust", "all"])
@pytest.mark.parametrize("p_adjust", ["holm", "bh", "none"])
def test_columns_do_not_depend_on_options(smokers, amounts, versus, reference, p_adjust) -> None:
    options = {"versus": versus, "reference": reference, "p_adjust": p_adjust}
    counts = pd.DataFrame({"manager": ["A", "B", "C"], "count": [3, 9, 20]})
    for table in (compare_rates(smokers, **options), compare_checks(amounts, **options),
                  compare_counts(counts, **options)):  # fmt: skip
        assert tuple(table.columns) == EXPECTED_COLUMNS
        assert set(table["verdict"]) <= set(VERDICTS)
        assert table["n"].dtype == "int64" and table["versus_n"].dtype == "int64"


def test_rows_rest_and_pairwise(smokers) -> None:
    assert compare_rates(smokers)["manager"].tolist() == ["M1", "M2", "M3", "M4"]
    pairs = compare_rates(smokers, versus="pairwise")
    assert list(zip(pairs["manager"], pairs["versus"], strict=True))[:3] == [("M1", "M2"), ("M1", "M3"),
                                                                           ("M1", "M4")]  # fmt: skip
    assert len(pairs) == 6


def test_rest_values_plain_reference(smokers) -> None:
    table = compare_rates(smokers, reference="all").set_index("manager")
    row = table.loc["M4"]
    assert row["versus_n"] == 86 + 93 + 136 and row["versus_estimate"] == pytest.approx(302 / 315)
    assert row["difference"] == pytest.approx(70 / 82 - 302 / 315)
    direct = two_proportion_test(70, 82, 302, 315).iloc[0]
    assert row["p_value"] == pytest.approx(direct["p_value"]) and row["test"] == direct["test"]
    ci = newcombe_interval(70, 82, 302, 315).iloc[0]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci["ci_low"], ci["ci_high"]))
    assert row["verdict"] == "below"


@pytest.mark.parametrize("builder", ["rates", "checks", "counts"])
def test_single_manager_gives_empty_table_and_warning(builder) -> None:
    calls = {
        "rates": lambda: compare_rates(_counts([3], [20])),
        "checks": lambda: compare_checks(pd.DataFrame({"manager": ["A"] * 6, "amount": np.arange(1.0, 7.0)})),
        "counts": lambda: compare_counts(pd.DataFrame({"manager": ["A"], "count": [4]})),
    }
    with pytest.warns(UserWarning, match="only 1 manager"):
        table = calls[builder]()
    assert table.empty and tuple(table.columns) == EXPECTED_COLUMNS


def test_zero_trials_and_small_managers_are_insufficient_and_outside_the_family() -> None:
    counts = _counts([0, 3, 40, 60, 25], [0, 9, 100, 150, 120])
    table = compare_rates(counts, min_n=10, p_adjust="holm", reference="all")
    assert table["verdict"].tolist()[:2] == ["insufficient data"] * 2
    assert np.isnan(table["estimate"].iloc[0])  # zero leads: NaN conversion, not 0
    assert table[["p_value", "p_adjusted", "ci_low", "effect_size"]].iloc[:2].isna().all().all()
    assert table["test"].iloc[:2].isna().all()
    tested = table["p_value"].iloc[2:].to_numpy()
    assert table["p_adjusted"].iloc[2:].to_numpy() == pytest.approx(adjust_pvalues(tested, method="holm"))
    assert table["versus_n"].iloc[2] == 9 + 150 + 120  # small managers' data stay in the rest


def test_all_won_gives_no_difference() -> None:
    table = compare_rates(_counts([20, 30, 25], [20, 30, 25]))
    assert (table["estimate"] == 1.0).all() and (table["test"] == "Fisher exact").all()
    assert (table["p_value"] == 1.0).all() and (table["verdict"] == "no difference").all()


def test_tiny_sample_never_gets_a_verdict() -> None:
    table = compare_rates(_counts([5, 1, 1, 1], [5, 40, 40, 40]), min_n=10)
    assert table["verdict"].iloc[0] == "insufficient data"
    small = compare_rates(_counts([5, 1, 1, 1], [5, 40, 40, 40]), min_n=5)
    assert small["test"].iloc[0] == "Fisher exact"


def test_min_n_boundary() -> None:
    table = compare_rates(_counts([2, 3, 30], [9, 10, 100]), min_n=10)
    assert table["verdict"].tolist()[:2] == ["insufficient data", "no difference"]


@pytest.mark.parametrize(
    ("frame", "column"),
    [(_counts([1, np.nan], [5, 6]), "successes"), (_counts([7, 1], [5, 6]), "successes"),
     (_counts([1, 2], [5, -6]), "trials"), (_counts([1, 2], [5, 6], ["A", "A"]), "manager"),
     (pd.DataFrame({"manager": ["A"], "won": [1]}), "successes")],
)  # fmt: skip
def test_bad_counts_raise_data_validation_error(frame, column) -> None:
    with pytest.raises(DataValidationError, match=column):
        compare_rates(frame)


@pytest.mark.parametrize(
    ("options", "name"),
    [({"versus": "others"}, "versus"), ({"p_adjust": "bonferroni"}, "p_adjust"), ({"alpha": 1.5}, "alpha"),
     ({"min_n": 0}, "min_n"), ({"reference": "median"}, "reference")],
)  # fmt: skip
def test_bad_options_raise_parameter_error_naming_the_parameter(smokers, options, name) -> None:
    with pytest.raises(ParameterError, match=name):
        compare_rates(smokers, **options)


def test_parameter_error_lists_allowed_values(smokers) -> None:
    with pytest.raises(ParameterError, match="'rest', 'pairwise'"):
        compare_rates(smokers, versus="all")


def test_adjust_pvalues_nan_policy() -> None:
    adjusted = adjust_pvalues([0.01, np.nan, 0.02], method="holm")
    assert np.isnan(adjusted[1]) and adjusted[[0, 2]] == pytest.approx([0.02, 0.02])  # family of 2
    assert adjust_pvalues([], method="bh").size == 0
    with pytest.raises(ParameterError, match=r"\[0, 1\]"):
        adjust_pvalues([1.2])
    with pytest.raises(ParameterError, match="method"):
        adjust_pvalues([0.1], method="hs")


# --- average check ----------------------------------------------------------------------------------


def test_checks_need_the_order_amounts_and_are_seeded(amounts) -> None:
    with pytest.raises(ParameterError, match="needs the order amounts"):
        compare_checks(check_sufficient_stats(amounts))
    pd.testing.assert_frame_equal(compare_checks(amounts), compare_checks(amounts))  # same seed, same table
    other = compare_checks(amounts, seed=1)
    assert not np.allclose(other["p_value"], compare_checks(amounts)["p_value"])  # the seed is used


def test_checks_test_the_arithmetic_mean_with_zeros(amounts) -> None:
    table = compare_checks(amounts, reference="all").set_index("manager")
    a = amounts[amounts["manager"] == "A"]["amount"]
    rest = amounts[amounts["manager"] != "A"]["amount"]  # zeros included
    assert table.loc["A", "n"] == 30 and table.loc["A", "estimate"] == pytest.approx(a.mean())
    direct = stats.ttest_ind(a, rest, equal_var=False)  # scipy Welch t on the raw amounts, zeros included
    assert table.loc["A", "statistic"] == pytest.approx(direct.statistic)
    assert table.loc["A", "effect_size"] == pytest.approx(a.mean() / rest.mean())
    assert table.loc["A", "test"] == "studentized permutation"
    # scipy.stats.permutation_test of the same statistic (its own random splits): p within Monte Carlo error
    welch = lambda x, y: stats.ttest_ind(x, y, equal_var=False).statistic  # noqa: E731
    reference = stats.permutation_test((a, rest), welch, n_resamples=4999, random_state=3).pvalue
    assert table.loc["A", "p_value"] == pytest.approx(reference, abs=0.03)
    diagnostics = check_diagnostics(amounts, reference="all").set_index("manager")
    assert diagnostics.loc["A", "n_zero"] == 1 and diagnostics["n_zero"].sum() == 2
    positive, rest_pos = np.log(a[a > 0]), np.log(rest[rest > 0])
    logs = stats.ttest_ind(positive, rest_pos, equal_var=False)  # scipy Welch on the logs: the typical order
    assert diagnostics.loc["A", "log_welch_p"] == pytest.approx(logs.pvalue)
    ratio = np.exp(positive.mean() - rest_pos.mean())
    assert diagnostics.loc["A", "geometric_mean_ratio"] == pytest.approx(ratio)


def test_diagnostics_rows_match_compare_checks(amounts) -> None:
    amounts = amounts.copy()
    amounts.loc[amounts["manager"] == "C", "amount"] *= 3  # an extreme colleague: both drop it from the rest
    table, diagnostics = compare_checks(amounts), check_diagnostics(amounts, n_resamples=200)
    assert tuple(diagnostics.columns) == DIAGNOSTIC_COLUMNS
    assert diagnostics[["manager", "versus"]].equals(table[["manager", "versus"]])
    assert table["versus"].drop(index=2).str.contains("C").all()
    c = diagnostics.set_index("manager").loc["C"]
    left_out = {"C", *c["versus"].removeprefix("rest").removeprefix(" excl. ").split(", ")}
    x, y = amounts[amounts["manager"] == "C"]["amount"], amounts[~amounts["manager"].isin(left_out)]["amount"]
    assert c["mann_whitney_p"] == pytest.approx(stats.mannwhitneyu(x, y).pvalue)
    assert c["ratio_of_means"] == pytest.approx(x.mean() / y.mean())
    assert c["ratio_ci_low"] < c["ratio_of_means"] < c["ratio_ci_high"]
    again = check_diagnostics(amounts, n_resamples=200)
    pd.testing.assert_frame_equal(diagnostics, again)  # seeded


def test_diagnostics_need_raw_amounts(amounts) -> None:
    with pytest.raises(ParameterError, match="raw amounts"):
        check_diagnostics(check_sufficient_stats(amounts))


def test_checks_all_equal_amounts_are_insufficient() -> None:
    frame = pd.DataFrame({"manager": np.repeat(["A", "B"], 6), "amount": 100.0})
    assert (compare_checks(frame)["verdict"] == "insufficient data").all()


def test_checks_bad_amounts() -> None:
    with pytest.raises(DataValidationError, match="amount"):
        compare_checks(pd.DataFrame({"manager": ["A", "B"], "amount": [1.0, -2.0]}))
    with pytest.raises(DataValidationError, match="amount"):
        compare_checks(pd.DataFrame({"manager": ["A", "B"], "amount": [1.0, np.nan]}))
    with pytest.raises(ParameterError, match="order amounts"):
        compare_checks(pd.DataFrame({"manager": ["A"], "value": [1.0]}))


# --- counts -----------------------------------------------------------------------------------------


def test_counts_against_scipy_binomtest() -> None:
    counts = pd.DataFrame({"manager": ["A", "B", "C"], "count": [30, 10, 12], "exposure": [2.0, 1.0, 1.0]})
    row = compare_counts(counts, reference="all").iloc[0]
    expected = stats.binomtest(30, 52, 2 / 4)  # x1 | x1 + x2 ~ Binomial(52, e1 / (e1 + e2))
    assert row["p_value"] == pytest.approx(expected.pvalue)
    assert row["estimate"] == 15 and row["versus_estimate"] == 11
    assert row["effect_size"] == pytest.approx(15 / 11)
    ci = expected.proportion_ci(method="exact")
    assert row["ci_low"] == pytest.approx(ci.low / (1 - ci.low) * 2 / 2)


def test_counts_zero_exposure_and_no_events() -> None:
    counts = pd.DataFrame({"manager": ["A", "B", "C"], "count": [0, 0, 0], "exposure": [0.0, 1.0, 1.0]})
    table = compare_counts(counts)
    assert (table["verdict"] == "insufficient data").all()
    result = poisson_rate_test([0, 3], [1, 1], [0, 0], [1, 1])
    assert np.isnan(result["p_value"].iloc[0]) and np.isinf(result["estimate"].iloc[1])


# --- global tests -----------------------------------------------------------------------------------


def test_global_rates_small_expected_uses_seeded_monte_carlo() -> None:
    counts = _counts([1, 4, 2], [12, 15, 11])
    first, second = global_test_rates(counts, seed=3), global_test_rates(counts, seed=3)
    pd.testing.assert_frame_equal(first, second)
    row = first.iloc[0]
    assert row["test"].startswith("chi-square (Monte Carlo p") and "< 5" in row["note"]
    exact = stats.chi2_contingency(np.array([[1, 11], [4, 11], [2, 9]]), correction=False)
    assert row["statistic"] == pytest.approx(exact.statistic)
    assert abs(row["p_value"] - exact.pvalue) < 0.1  # same order; the simulation is the honest one here


def test_global_tests_with_too_few_managers() -> None:
    row = global_test_rates(_counts([3, 4], [20, 5])).iloc[0]
    assert np.isnan(row["p_value"]) and "M2" in row["note"] and tuple(row.index) == GLOBAL_TEST_COLUMNS
    row = global_test_checks(pd.DataFrame({"manager": ["A"] * 5, "amount": [1.0, 2, 3, 4, 5]})).iloc[0]
    assert np.isnan(row["statistic"]) and row["n_groups"] == 1


def test_global_checks_kruskal_needs_raw_amounts(amounts) -> None:
    with pytest.raises(ParameterError, match="raw amounts"):
        global_test_checks(check_sufficient_stats(amounts), method="kruskal")
    with pytest.raises(ParameterError, match="method"):
        global_test_checks(amounts, method="anova")


# --- properties ---------------------------------------------------------------------------------------

counts_pair = st.tuples(st.integers(0, 60), st.integers(1, 60), st.integers(0, 60), st.integers(1, 60)).map(
    lambda t: (min(t[0], t[1]), t[1], min(t[2], t[3]), t[3])
)


@settings(max_examples=150, deadline=None)
@given(counts_pair)
def test_intervals_and_tests_are_well_formed(values) -> None:
    x1, n1, x2, n2 = values
    ci = newcombe_interval(x1, n1, x2, n2).iloc[0]
    assert -1 <= ci["ci_low"] <= ci["estimate"] + 1e-12 and ci["estimate"] - 1e-12 <= ci["ci_high"] <= 1
    wilson = wilson_interval(x1, n1).iloc[0]
    assert 0 <= wilson["ci_low"] <= wilson["estimate"] + 1e-12 <= wilson["ci_high"] + 2e-12 <= 1 + 2e-12
    test = two_proportion_test(x1, n1, x2, n2).iloc[0]
    assert 0 <= test["p_value"] <= 1
