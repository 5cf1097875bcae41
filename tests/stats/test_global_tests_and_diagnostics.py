"""The global test of counts, diagnostics that follow the primary rows, and figures that show names."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats import (
    GLOBAL_TEST_COLUMNS,
    check_diagnostics,
    compare_checks,
    compare_rates,
    funnel_table,
    global_test_counts,
    plot_comparison,
    plot_funnel,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_global_test_counts_golden():
    row = global_test_counts(pd.DataFrame({"manager": list("ABCD"), "count": [12, 9, 11, 30]})).iloc[0]
    # R: chisq.test(c(12, 9, 11, 30)) -> X-squared = 18.387, df = 3, p-value = 0.000366
    assert row["test"] == "chi-square" and row["df"] == 3 and row["n_groups"] == 4
    assert row["statistic"] == pytest.approx(18.387097, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.0003659554, rel=1e-6)
    exposed = pd.DataFrame({"manager": list("ABC"), "count": [5, 20, 12], "exposure": [1.0, 2.0, 1.0]})
    row = global_test_counts(exposed).iloc[0]
    # R: chisq.test(c(5, 20, 12), p = c(0.25, 0.5, 0.25)) -> X-squared = 2.8919, df = 2, p-value = 0.2355
    assert row["statistic"] == pytest.approx(2.891892, abs=1e-6)
    assert row["p_value"] == pytest.approx(0.2355232, rel=1e-6)


def test_global_test_counts_small_counts_and_edge_cases():
    small = pd.DataFrame({"manager": list("ABCD"), "count": [0, 1, 6, 1], "exposure": [1, 1, 1, 0]})
    row = global_test_counts(small, seed=3).iloc[0]
    assert tuple(row.index) == GLOBAL_TEST_COLUMNS
    assert row["test"] == "chi-square (Monte Carlo p, 10000 tables)" and 0 < row["p_value"] <= 1
    assert "left out (no exposure): D" in row["note"] and row["n_groups"] == 3
    assert row["p_value"] == global_test_counts(small, seed=3).iloc[0]["p_value"]  # seeded
    none = global_test_counts(pd.DataFrame({"manager": ["A", "B"], "count": [0, 0]})).iloc[0]
    assert np.isnan(none["statistic"]) and np.isnan(none["p_value"]) and "no events" in none["note"]
    with pytest.raises(ParameterError, match="simulate='sometimes' is not allowed"):
        global_test_counts(small, simulate="sometimes")


def test_diagnostics_take_their_rows_from_every_order(amounts):
    sample = amounts.groupby("manager", group_keys=False).head(20)  # a sample of the orders
    diagnostics = check_diagnostics(sample, family_amounts=amounts, n_resamples=200)
    primary = compare_checks(amounts)
    assert diagnostics[["manager", "versus"]].equals(primary[["manager", "versus"]])
    assert diagnostics["n"].tolist() == [20] * 5  # the amounts used
    # without every order, the rows come from the sample itself (and can differ in general)
    assert check_diagnostics(sample, n_resamples=200)["n"].tolist() == [20] * 5


def test_figures_label_managers_by_name_and_ratios_plainly(smokers, amounts):
    names = {"M1": "$5 deal", "M4": "Dora"}
    ax = plot_comparison(compare_rates(smokers), names=names)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == r"\$5 deal vs rest excl. Dora" and labels[-1] == "Dora vs rest"
    ax.figure.canvas.draw()
    ax = plot_comparison(compare_checks(amounts))
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "1" in ticks and all("^" not in t and "$" not in t for t in ticks)
    table = funnel_table(smokers)
    assert len(plot_funnel(table, label="all").texts) == 4
    flagged = table.loc[table["signal"] != "within", "manager"].tolist()
    assert [t.get_text() for t in plot_funnel(table).texts] == flagged
    with pytest.raises(ParameterError, match="label='some' is not allowed"):
        plot_funnel(table, label="some")
