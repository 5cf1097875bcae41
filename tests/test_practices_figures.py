"""Figures of the practice analysis, tested by what was drawn (Agg backend), not by pixels."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.practices import PRACTICES
from kpi_toolkit.practices.figures import plot_practice_effects, plot_profile


@pytest.fixture(scope="module")
def demo():
    return kt.from_frames(**make_demo_data())


def test_forest_plot_draws_one_interval_per_practice(demo):
    effects = kt.practice_effects(demo, periods="2025Q4:2026Q3", n_permutations=199)
    ax = plot_practice_effects(effects, labels={"had_meeting": "Meeting $1"})
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == len(PRACTICES) and r"Meeting \$1" in labels  # data drawn as text, no math mode
    assert ax.get_xscale() == "log"
    intervals = [
        line for line in ax.get_lines() if len(line.get_xdata()) == 2 and line.get_linestyle() == "-"
    ]
    assert len(intervals) == len(PRACTICES)
    plt.close(ax.figure)


def test_profile_chart_draws_one_bar_per_measure(demo):
    profile = kt.performer_profiles(demo, period="2026Q3", n_permutations=199)
    fig, ax = plt.subplots()
    assert plot_profile(profile, ax=ax) is ax
    assert len(ax.patches) == profile["hedges_g"].notna().sum()
    plt.close(fig)
