"""The payroll workbook read back: text stays text (no formula anywhere), numbers stay numbers, formats,
frozen header, filter, fixed timestamps, the same bytes for the same payouts."""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from kpi_toolkit.card import payouts, score_kpis, write_bonus_workbook
from kpi_toolkit.card.workbook import WORKBOOK_TIMESTAMP
from kpi_toolkit.errors import ParameterError

HOSTILE = ['=HYPERLINK("x")', "@SUM(A1)", "+7 999", "-1", "\tTab", "Ann"]


@pytest.fixture
def card(card_dict):
    """One KPI, orders against 10, on the neutral curve (factor = achievement up to 1), without a gate."""
    card = card_dict | {"kpis": [{"metric": "orders", "weight": 1, "target": 10}]}
    del card["gate"], card["defaults"]
    return card


@pytest.fixture
def kpis() -> pd.DataFrame:
    """Hostile manager ids (and a control character no workbook can hold), orders 12, 4, ... and one NaN."""
    ids = [*HOSTILE, "bell\x07"]
    return pd.DataFrame({"orders": [12.0, 4.0, 10.0, 0.0, 7.5, float("nan"), 10.0]}, index=ids)


@pytest.fixture
def written(tmp_path, card, kpis):
    scored, paid = score_kpis(kpis, card=card), payouts(kpis, card=card)
    path = write_bonus_workbook(tmp_path / "out" / "bonuses.xlsx", card=card, scorecard=scored, payouts=paid)
    return path, scored, paid


def _rows(sheet) -> list[list[object]]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_sheets_and_their_rows(written):
    path, scored, paid = written
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["bonuses", "scorecard", "card"]
    bonuses = _rows(book["bonuses"])
    assert bonuses[0] == ["manager", "score", "gate_passed", "base_bonus", "bonus", "notes"]
    assert len(bonuses) == len(paid) + 1 and len(_rows(book["scorecard"])) == len(scored) + 1
    card = dict(_rows(book["card"])[1:])
    assert (
        card["name"] == "Sales manager card" and card["kpis[0].weight"] == 1 and card["base_bonus"] == 100000
    )


def test_hostile_text_stays_text_with_a_leading_apostrophe(written):
    path, *_ = written
    sheet = openpyxl.load_workbook(path)["bonuses"]
    managers = {c.value: c.data_type for c in sheet["A"][1:]}
    assert set(managers.values()) == {"s"}
    # payroll_sheets sorted them by id as text: the neutralised ids, as the spreadsheet will show them
    assert sorted(managers) == sorted(
        ['\'=HYPERLINK("x")', "'@SUM(A1)", "'+7 999", "'-1", "'\tTab", "Ann", "bell\ufffd"]
    )


def test_no_formula_anywhere(written):
    path, *_ = written
    book = openpyxl.load_workbook(path)
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s"
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    assert "<f>" not in xml and "<f " not in xml


def test_numbers_stay_numbers_with_formats_and_nan_is_empty(written):
    path, scored, _ = written
    book = openpyxl.load_workbook(path)
    sheet = book["bonuses"]
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in _rows(sheet)[1:]}
    # base 100000 x factor: "=HYPERLINK": orders 12 of 10 -> 1.2 -> factor 1 -> 100000; "@SUM": 4 -> 0.4;
    # "-1": 0 -> 0; "\tTab": 7.5 -> 75000; "Ann": NaN -> factor 0, bonus 0 with a note
    assert rows['\'=HYPERLINK("x")']["bonus"] == 100000 and rows["'-1"]["bonus"] == 0
    assert rows["'\tTab"]["bonus"] == 75000 and rows["'@SUM(A1)"]["score"] == pytest.approx(0.4)
    assert rows["Ann"]["notes"] == "orders: cannot be computed (actual is missing): factor 0"
    assert rows["'-1"]["notes"] is None  # empty text: an empty cell
    assert rows["Ann"]["gate_passed"] is True
    column = {name: i + 1 for i, name in enumerate(header)}
    for row in range(2, sheet.max_row + 1):
        assert sheet.cell(row, column["bonus"]).data_type == "n"
        assert sheet.cell(row, column["bonus"]).number_format == "#,##0.00"
        assert sheet.cell(row, column["score"]).number_format == "0.0000"
        assert sheet.cell(row, column["gate_passed"]).data_type == "b"
    scorecard = book["scorecard"]
    header = [c.value for c in scorecard[1]]
    achievement = [r[header.index("achievement")] for r in _rows(scorecard)[1:]]
    assert sum(a is None for a in achievement) == 1  # Ann's NaN achievement: an empty cell
    assert scorecard.cell(2, header.index("achievement") + 1).number_format == "0.0%"
    assert [r[header.index("target")] for r in _rows(scorecard)[1:]] == [10] * len(scored)


def test_header_frozen_filtered_and_fixed_timestamps(written):
    path, _, paid = written
    book = openpyxl.load_workbook(path)
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        assert all(c.font.bold for c in sheet[1])
    assert book["bonuses"].auto_filter.ref == f"A1:F{len(paid) + 1}"
    assert book.properties.created == book.properties.modified == WORKBOOK_TIMESTAMP
    with zipfile.ZipFile(path) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_same_payouts_give_the_same_bytes(written, tmp_path, card):
    path, scored, paid = written
    again = write_bonus_workbook(tmp_path / "again.xlsx", card=card, scorecard=scored, payouts=paid)
    assert again.read_bytes() == path.read_bytes()
    assert sorted(p.name for p in path.parent.iterdir()) == ["bonuses.xlsx"]  # no temporary file left


def test_names_and_money_formats_of_a_payroll_table(tmp_path, card_dict, make_kpis):
    # The report's payroll table: the payouts with name and team; a hostile name stays text.
    kpis = make_kpis({"m1": (1_140_000.0, 0.30, 4.0), "m2": (800_000.0, 0.25, 10.0)})
    targets = pd.DataFrame({"sales_volume": [1_200_000.0, 1_200_000.0]}, index=["m1", "m2"])
    paid = payouts(kpis, card=card_dict, targets=targets)
    paid.insert(1, "name", ['=HYPERLINK("x")', "-1"])
    scored = score_kpis(kpis, card=card_dict, targets=targets)
    path = write_bonus_workbook(tmp_path / "b.xlsx", card=card_dict, scorecard=scored, payouts=paid)
    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["bonuses"]["B"]] == ["name", '\'=HYPERLINK("x")', "'-1"]
    assert [c.value for c in book["bonuses"]["F"]][1:] == [88750, 0]  # docs/kpi_card.md, worked example
    sheet = book["scorecard"]
    formats = {(r[1].value, r[2].number_format) for r in sheet.iter_rows(min_row=2)}
    assert formats == {("sales_volume", "#,##0.00"), ("conversion", "0.0%"), ("new_customers", "General")}


def test_nan_and_infinite_numbers_are_empty(tmp_path, card):
    paid = pd.DataFrame({"manager": ["m"], "score": [math.inf], "bonus": [math.nan]})
    path = write_bonus_workbook(tmp_path / "b.xlsx", card=card, scorecard=paid.iloc[:0], payouts=paid)
    assert _rows(openpyxl.load_workbook(path)["bonuses"]) == [
        ["manager", "score", "bonus"],
        ["m", None, None],
    ]


def test_bad_arguments(tmp_path, card, written):
    _, scored, paid = written
    with pytest.raises(ParameterError, match=r"is not an \.xlsx file"):
        write_bonus_workbook(tmp_path / "b.csv", card=card, scorecard=scored, payouts=paid)
    with pytest.raises(ParameterError, match="payouts must be a DataFrame"):
        write_bonus_workbook(tmp_path / "b.xlsx", card=card, scorecard=scored, payouts=None)
    assert not Path(tmp_path / "b.xlsx").exists()
