"""``kt.practice_differences``: one manager's practices against the colleagues' (investigation, step 6)."""

from __future__ import annotations

import numpy as np
import pytest

import kpi_toolkit as kt
from kpi_toolkit.practices import DIFFERENCE_COLUMNS, PRACTICES


def test_the_manager_against_the_colleagues_by_hand(demo):
    out = kt.practice_differences(demo, periods="2026Q3", manager="M10", team="South")
    assert out.columns.tolist() == list(DIFFERENCE_COLUMNS)
    assert out["practice"].tolist() == list(PRACTICES)
    features = kt.practice_features(demo, periods="2026Q3")
    south = features[features["manager"].isin(demo.managers_of("South"))]
    means = south.groupby("manager")[list(PRACTICES)].mean()
    row = out.set_index("practice").loc["had_meeting"]
    assert row["value"] == pytest.approx(means.loc["M10", "had_meeting"])
    others = means.drop(index="M10")["had_meeting"]
    assert row["colleagues_median"] == pytest.approx(np.median(others))
    assert row["colleagues_low"] == pytest.approx(np.quantile(others, 0.25))
    assert row["rank"] == 1 + int((others > means.loc["M10", "had_meeting"]).sum())
    # South in 2026Q3: M08-M14 (M13 until 16 August) and the joiner M15
    assert row["managers"] == 8 and row["leads"] == int((south["manager"] == "M10").sum())


def test_an_unknown_manager_says_how_to_fix(demo):
    with pytest.raises(kt.ParameterError, match="manager='M01' is not a manager of team 'South'"):
        kt.practice_differences(demo, periods="2026Q3", manager="M01", team="South")
