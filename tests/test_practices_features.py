"""Practice features on hand-made leads and activities: every formula worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.practices import FEATURE_COLUMNS, PRACTICES, practice_features

ORDERS = pd.DataFrame(
    {
        "order_id": ["o1"],
        "manager": ["ann"],
        "customer_id": ["c1"],
        "ordered_at": ["2026-09-30"],
        "amount": [1.0],
    }
)
LEADS = pd.DataFrame(
    [
        ("L1", "ann", "2026-07-01 00:00", "won", "2026-08-01"),  # open at the landmark (07-15)
        ("L2", "ann", "2026-07-01 00:00", "lost", "2026-07-10"),  # closed before the landmark: out
        ("L3", "bob", "2026-07-10 12:00", "lost", "2026-09-01"),  # no activity in the window
        ("L4", "bob", "2026-07-20 00:00", "open", ""),  # still open: in, won is NaN
        ("L5", "bob", "2026-09-25 00:00", "open", ""),  # window ends after the data: out
    ],
    columns=["lead_id", "manager", "created_at", "status", "closed_at"],
)
ACTIVITIES = pd.DataFrame(
    [
        ("ann", "2026-07-01 06:00", "Call", "L1", 4.0),
        ("ann", "2026-07-02 00:00", "email", "L1", None),
        ("ann", "2026-07-03 00:00", "email", "L1", None),
        ("ann", "2026-07-05 00:00", "MEETING", "L1", 50.0),
        ("ann", "2026-07-06 00:00", "call", "L1", 10.0),
        ("ann", "2026-07-20 00:00", "meeting", "L1", 30.0),  # after the landmark: not counted
        ("ann", "2026-06-30 00:00", "call", "L1", 99.0),  # before creation: not counted
        ("bob", "2026-07-30 00:00", "call", "L3", 5.0),  # after L3's landmark (07-24 12:00)
        ("bob", "2026-07-21 12:00", "call", "L4", None),  # a call without a duration
        ("bob", "2026-07-22 00:00", "call", "", 3.0),  # no lead: not counted
    ],
    columns=["manager", "occurred_at", "type", "lead_id", "duration_min"],
)


@pytest.fixture
def data() -> kt.SalesData:
    return kt.from_frames(ORDERS, leads=LEADS, activities=ACTIVITIES)


def test_columns_are_fixed(data):
    f = practice_features(data)
    assert tuple(f.columns) == FEATURE_COLUMNS
    assert set(PRACTICES) <= set(FEATURE_COLUMNS)
    assert set(PRACTICES.values()) == {"binary", "numeric"}


def test_landmark_selection(data):
    f = practice_features(data)
    assert f["lead_id"].tolist() == ["L1", "L3", "L4"]
    assert f["won"].tolist()[:2] == [1.0, 0.0] and math.isnan(f["won"].iloc[2])
    assert str(f["landmark"].iloc[1]) == "2026-07-24 12:00:00"
    everything = practice_features(data, landmark_only=False)
    assert everything["lead_id"].tolist() == ["L1", "L2", "L3", "L4"]


def test_formulas_by_hand(data):
    f = practice_features(data).set_index("lead_id")
    # L1: first touch 6 h after creation; 5 touches in the window (call, 2 emails, meeting, call)
    assert f.loc["L1", "hours_to_first_touch"] == 6.0
    assert f.loc["L1", "touched_within_24h"] == 1.0
    assert f.loc["L1", "touches_in_window"] == 4.0 + 1.0
    assert f.loc["L1", "emails_in_window"] == 2.0
    assert f.loc["L1", "had_meeting"] == 1.0
    assert f.loc["L1", "call_minutes"] == (4.0 + 10.0) / 2
    # L3: nothing in the window: first touch censored at 14 days = 336 h
    assert f.loc["L3", "hours_to_first_touch"] == 336.0
    assert f.loc["L3", ["touched_within_24h", "touches_in_window", "had_meeting"]].tolist() == [0.0, 0.0, 0.0]
    assert math.isnan(f.loc["L3", "call_minutes"])
    # L4: one call 36 h in, no duration
    assert f.loc["L4", "hours_to_first_touch"] == 36.0
    assert f.loc["L4", "touched_within_24h"] == 0.0
    assert math.isnan(f.loc["L4", "call_minutes"])


def test_window_and_periods(data):
    short = practice_features(data, window_days=3).set_index("lead_id")
    # L1 with a 3-day window: still open at 07-04; touches 06:00, 07-02, 07-03 -> 3, no meeting yet
    assert short.loc["L1", ["touches_in_window", "had_meeting"]].tolist() == [3.0, 0.0]
    # L2 closed 07-10, after its 3-day landmark; L5's 3-day window ends 09-28, before the data's last date
    assert short.index.tolist() == ["L1", "L2", "L3", "L4", "L5"]
    assert practice_features(data, periods="2026-07")["lead_id"].tolist() == ["L1", "L3", "L4"]
    assert practice_features(data, periods=["2026-08"]).empty


def test_errors(data, tiny):
    with pytest.raises(kt.ParameterError, match="window_days"):
        practice_features(data, window_days=0)
    with pytest.raises(kt.ParameterError, match="no activities table"):
        practice_features(tiny)
