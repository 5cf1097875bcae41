"""The optional activities table: typing, row rules, cross-table rules, folders and the demo."""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import PLANTED_PRACTICES, make_demo_data
from tests.conftest import tiny_tables, write_tables


def _activities(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "manager": ["ann", "bob", "ann"],
            "occurred_at": ["2026-07-02 10:00", "2026-08-02", "2026-07-16"],
            "type": [" Call ", "MEETING", "email"],
            "lead_id": ["L2", "L5", ""],
            "duration_min": ["5.5", "", ""],
        }
    )
    for column, (row, value) in changes.items():
        frame.loc[row, column] = value
    return frame


def test_activities_are_typed_and_types_lower_cased():
    data = kt.from_frames(**tiny_tables(), activities=_activities())
    acts = data.activities
    assert list(acts.columns) == ["manager", "occurred_at", "type", "lead_id", "duration_min"]
    assert acts["type"].tolist() == ["call", "meeting", "email"]
    assert acts["lead_id"].isna().tolist() == [False, False, True]
    assert acts["duration_min"].iloc[0] == 5.5
    assert str(acts["occurred_at"].iloc[1]) == "2026-08-02 00:00:00"


def test_without_activities_the_field_is_none(tiny):
    assert tiny.activities is None


def test_activities_from_a_folder(tmp_path):
    folder = write_tables(tmp_path / "d", {**tiny_tables(), "activities": _activities()})
    data = kt.load(folder)
    assert len(data.activities) == 3


@pytest.mark.parametrize(
    ("changes", "column", "rule"),
    [
        ({"duration_min": (0, "-3")}, "duration_min", "duration_min is negative"),
        ({"lead_id": (1, "L99")}, "lead_id", "lead_id not found"),
        ({"manager": (2, "zed")}, "manager", "unknown manager"),
        ({"occurred_at": (0, "yesterday")}, "occurred_at", "not a date"),
        ({"type": (0, "")}, "type", "empty"),
    ],
)
def test_broken_rules_raise_and_quarantine(changes, column, rule):
    with pytest.raises(kt.DataValidationError, match=rule):
        kt.from_frames(**tiny_tables(), activities=_activities(**changes))
    data = kt.from_frames(**tiny_tables(), activities=_activities(**changes), on_invalid="quarantine")
    assert len(data.activities) == 2
    found = data.quarantine[data.quarantine["table"] == "activities"]
    assert found["column"].tolist() == [column]
    counts = data.row_counts.set_index("table").loc["activities"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_excluded"]) == (3, 2, 1)


def test_demo_has_activities_with_documented_practices():
    tables = make_demo_data()
    assert sorted(tables) == ["activities", "assignments", "leads", "managers", "orders", "plans", "returns"]
    acts = tables["activities"]
    assert set(acts["type"]) == {"call", "email", "meeting"}
    assert acts["lead_id"].isin(tables["leads"]["lead_id"]).all()
    assert "had_meeting" in PLANTED_PRACTICES and len(PLANTED_PRACTICES) >= 4
    data = kt.from_frames(**tables)
    assert len(data.activities) == len(acts) > 20_000
