"""The payroll workbook's tables: safe against formula injection (issue 9), numbers kept as numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpi_toolkit.card import CARD_ENTRY_COLUMNS, card_entries, payouts, payroll_sheets, score_kpis
from kpi_toolkit.errors import ParameterError

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = {
    '=HYPERLINK("http://x","y")': '\'=HYPERLINK("http://x","y")',
    "+7 999 123-45-67": "'+7 999 123-45-67",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
    "Ann": "Ann",
    "O'Brien": "O'Brien",
    "a=b": "a=b",
    "1-2": "1-2",
}


@pytest.fixture
def sheets(example_card, make_kpis):
    managers = list(HOSTILE)
    kpis = make_kpis({m: (900.0 + i, 0.25, 10.0) for i, m in enumerate(managers)})
    targets = pd.DataFrame({"sales_volume": 1000.0}, index=managers)
    scored = score_kpis(kpis, card=example_card, targets=targets)
    paid = payouts(kpis, card=example_card, targets=targets)
    return payroll_sheets(card=example_card, scorecard=scored, payouts=paid), scored, paid


def test_sheets_are_bonuses_scorecard_and_card(sheets):
    result, scored, paid = sheets
    assert list(result) == ["bonuses", "scorecard", "card"]
    assert list(result["bonuses"].columns) == list(paid.columns)
    assert list(result["scorecard"].columns) == list(scored.columns)
    assert tuple(result["card"].columns) == CARD_ENTRY_COLUMNS


def test_text_cells_that_would_run_as_formulas_get_an_apostrophe(sheets):
    result, scored, paid = sheets
    expected = [HOSTILE[m] for m in paid["manager"]]
    assert list(result["bonuses"]["manager"]) == expected
    assert list(result["scorecard"]["manager"]) == [HOSTILE[m] for m in scored["manager"]]
    for frame in result.values():
        for column in frame.columns:
            cells = [v for v in frame[column] if isinstance(v, str)]
            assert not any(v.startswith(TRIGGERS) for v in cells), column


def test_numbers_stay_numbers(sheets):
    result, _, paid = sheets
    bonuses = result["bonuses"]
    pd.testing.assert_frame_equal(bonuses.drop(columns="manager"), paid.drop(columns="manager"))
    assert bonuses["bonus"].dtype == "float64" and bonuses["gate_passed"].dtype == bool
    card = result["card"].set_index("key")["value"]
    assert card["base_bonus"] == 100000.0 and isinstance(card["kpis[0].weight"], float)
    assert card["kpis[0].lower_is_better"] is False and card["kpis[0].target"] == "plan"


def test_negative_numbers_and_missing_values_are_left_alone():
    frame = pd.DataFrame({"manager": ["-a", None], "bonus": [-1.5, math.nan], "note": [math.nan, "=x"]})
    card = {
        "name": "A",
        "period": "month",
        "base_bonus": 1,
        "kpis": [{"metric": "orders", "weight": 1, "target": 1}],
    }
    safe = payroll_sheets(card=card, scorecard=frame, payouts=frame)["bonuses"]
    assert safe["manager"].tolist()[0] == "'-a" and pd.isna(safe["manager"].tolist()[1])
    assert safe["bonus"].tolist()[0] == -1.5 and math.isnan(safe["bonus"].tolist()[1])
    assert pd.isna(safe["note"].tolist()[0]) and safe["note"].tolist()[1] == "'=x"


def test_a_hostile_card_name_is_neutralised_too():
    card = {"name": "=cmd|' /C calc'!A0", "period": "month", "base_bonus": 1,
            "kpis": [{"metric": "orders", "weight": 1, "target": 1}]}  # fmt: skip
    sheet = payroll_sheets(card=card, scorecard=pd.DataFrame(), payouts=pd.DataFrame())["card"]
    assert sheet.set_index("key").loc["name", "value"] == "'=cmd|' /C calc'!A0"


@given(st.text(max_size=20))
def test_any_manager_id_is_safe_and_only_triggers_change(manager):
    frame = pd.DataFrame({"manager": [manager], "bonus": [1.0]})
    card = {
        "name": "A",
        "period": "month",
        "base_bonus": 1,
        "kpis": [{"metric": "orders", "weight": 1, "target": 1}],
    }
    cell = payroll_sheets(card=card, scorecard=frame, payouts=frame)["bonuses"]["manager"].iloc[0]
    assert not cell.startswith(TRIGGERS)
    assert cell == ("'" + manager if manager.startswith(TRIGGERS) else manager)


def test_card_entries_list_every_resolved_value(example_card):
    entries = card_entries(example_card).set_index("key")["value"]
    assert entries["kpis[2].threshold"] == 0.5 and entries["kpis[2].cap"] == 1.2  # its own, then the default
    assert entries["gate.metric"] == "sales_volume" and entries["gate.min_achievement"] == 0.7
    assert len(entries) == 4 + 4 + 3 * 8 + 2  # name, description, period, base bonus; defaults; KPIs; gate


def test_sheets_need_frames(example_card):
    with pytest.raises(ParameterError, match="scorecard must be a DataFrame, got list"):
        payroll_sheets(card=example_card, scorecard=[], payouts=pd.DataFrame())
