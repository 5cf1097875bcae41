"""Figures, checked on the Agg backend by what was drawn (not by pixels)."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats import (
    compare_checks,
    compare_rates,
    funnel_table,
    plot_check_distributions,
    plot_comparison,
    plot_funnel,
    plot_shrunk_rates,
    shrink_rates,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_comparison_rates_draws_one_interval_per_row(smokers) -> None:
    table = compare_rates(smokers)
    _, ax = plt.subplots()
    assert plot_comparison(table, ax=ax) is ax
    assert ax.get_xscale() == "linear" and "difference in rate" in ax.get_xlabel()
    horizontal = [line for line in ax.lines if len(line.get_ydata()) == 2]
    intervals = [line for line in horizontal if line.get_ydata()[0] == line.get_ydata()[1]]
    assert len(intervals) == len(table)
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "M4 vs rest"


def test_plot_comparison_checks_uses_a_log_ratio_axis(amounts) -> None:
    ax = plot_comparison(compare_checks(amounts))
    assert ax.get_xscale() == "log" and "ratio of means" in ax.get_xlabel()


def test_plot_shrunk_rates_and_funnel(smokers) -> None:
    ax = plot_shrunk_rates(shrink_rates(smokers))
    assert len(ax.get_yticklabels()) == 4 and ax.get_xlabel() == "conversion rate"
    table = funnel_table(smokers)
    ax = plot_funnel(table)
    curves = [line for line in ax.lines if len(line.get_xdata()) > 2]
    assert len(curves) == 4  # lower and upper at 95 % and 99.8 %
    points = np.concatenate([c.get_offsets() for c in ax.collections])
    assert sorted(points[:, 0].tolist()) == sorted(table["n"].tolist())


def test_plot_check_distributions_counts_zeros(amounts) -> None:
    ax = plot_check_distributions(amounts)
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel() == "order amount (log scale; 2 zero amounts not shown)"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C", "D", "E"]


def test_figures_change_no_global_settings(smokers, amounts) -> None:
    before = dict(mpl.rcParams)
    plot_comparison(compare_rates(smokers))
    plot_funnel(funnel_table(smokers))
    plot_shrunk_rates(shrink_rates(smokers))
    plot_check_distributions(amounts)
    after = dict(mpl.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()


def test_figures_reject_the_wrong_table(smokers) -> None:
    with pytest.raises(ParameterError, match="funnel_table"):
        plot_funnel(pd.DataFrame({"manager": ["A"]}))
    with pytest.raises(ParameterError, match="shrink_rates"):
        plot_shrunk_rates(compare_rates(smokers))
