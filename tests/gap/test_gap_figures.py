"""The waterfall figure: what it draws (on the Agg backend), not how it looks."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import decompose_gap, plot_gap_waterfall

matplotlib.use("Agg")


@pytest.fixture
def gap() -> pd.DataFrame:
    actual = pd.DataFrame(
        {
            "manager": ["ann", "bob", "cid"],
            "leads_closed": [180, 0, 10],
            "leads_won": [36, 0, 0],
            "orders": [36, 0, 4],
            "sales_volume": [39600.0, 0.0, 2000.0],
        }
    )
    plan = pd.DataFrame(
        {
            "manager": ["ann", "bob", "cid", "dan"],
            "leads_closed": [200.0, 100.0, 10.0, 5.0],
            "conversion": [0.25, 0.2, 0.3, 0.2],
            "orders_per_win": [1.0, 1.0, 1.0, 1.0],
            "average_check": [1000.0, 500.0, 600.0, 100.0],
            "reference": "plan",
        }
    )
    return decompose_gap(actual, plan)


def _bars(ax) -> list[tuple[float, float]]:
    """(bottom, height) of each bar, left to right."""
    return [(p.get_y(), p.get_height()) for p in sorted(ax.patches, key=lambda p: p.get_x())]


def test_manager_waterfall_steps_through_the_drivers(gap):
    ax = plot_gap_waterfall(gap, manager="ann", baseline_label="plan")
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["plan", "leads closed", "conversion", "orders per win", "average check", "actual"]
    bars = _bars(ax)
    row = gap.set_index("manager").loc["ann"]
    assert bars[0] == (0.0, 50000.0) and bars[-1] == (0.0, 39600.0)
    steps = [
        row["leads_effect"],
        row["conversion_effect"],
        row["orders_per_win_effect"],
        row["average_check_effect"],
    ]
    assert [h for _, h in bars[1:-1]] == pytest.approx(steps)
    # each step starts where the previous ended, and the last one ends at the actual
    assert [b for b, _ in bars[1:-1]] == pytest.approx(
        50000.0 + np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    )
    assert bars[-2][0] + bars[-2][1] == pytest.approx(39600.0)
    assert [t.get_text() for t in ax.texts] == ["-4,699", "-9,952", "+0", "+4,251"]
    assert ax.get_title() == "ann: from plan to actual"
    plt.close("all")


def test_fallback_row_shows_orders_and_check_only(gap):
    ax = plot_gap_waterfall(gap, manager="cid")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["baseline", "orders", "average check", "actual"]
    plt.close("all")


def test_team_waterfall_by_driver_and_by_manager(gap):
    fig, (left, right) = plt.subplots(1, 2)
    assert plot_gap_waterfall(gap, ax=left) is left
    total = gap.set_index("manager").loc["TOTAL"]
    assert _bars(left)[0] == (0.0, total["baseline_value"])
    by_manager = plot_gap_waterfall(gap, by="manager", ax=right)
    # the decomposed managers only (dan has no actual counts), in order, adding up to the team's actual
    assert [t.get_text() for t in by_manager.get_xticklabels()] == ["baseline", "ann", "bob", "cid", "actual"]
    heights = [h for _, h in _bars(by_manager)[1:-1]]
    assert sum(heights) == pytest.approx(total["gap"])
    plt.close(fig)


def test_row_without_decomposition_draws_its_note(gap):
    ax = plot_gap_waterfall(gap, manager="dan")
    assert not ax.patches
    assert ax.texts[0].get_text() == "no decomposition: no actual counts for this manager"
    plt.close("all")


def test_no_global_style_change(gap):
    before = dict(matplotlib.rcParams)
    plot_gap_waterfall(gap, manager="ann")
    plt.close("all")
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"manager": "zed"}, "manager='zed' is not in gap"),
        ({"by": "month"}, "by='month' is not allowed"),
        ({"manager": "ann", "by": "manager"}, "use manager='TOTAL'"),
    ],
)
def test_bad_parameters(gap, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        plot_gap_waterfall(gap, **kwargs)
    with pytest.raises(ParameterError, match="gap has no column"):
        plot_gap_waterfall(gap.drop(columns="method"))
