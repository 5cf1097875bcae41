"""on_invalid="quarantine": invalid rows set aside with their reasons, the rest loaded, every row counted."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.quarantine import QUARANTINE_COLUMNS
from kpi_toolkit.validated_data import ROW_COUNT_COLUMNS
from tests.conftest import tiny_tables, write_tables


def _accounting_holds(data: kt.SalesData) -> None:
    counts = data.row_counts
    assert list(counts.columns) == list(ROW_COUNT_COLUMNS)
    assert (counts["rows_read"] == counts["rows_used"] + counts["rows_excluded"]).all()
    for _, row in counts.iterrows():
        q = data.quarantine
        if row["table"] == "order_lines":  # the lines file of amount_from_lines: its findings are orders'
            assert (
                q[(q["table"] == "orders") & (q["source"] == row["source"])]["row"].nunique()
                == (row["rows_excluded"])
            )
            continue
        table = getattr(data, row["table"])
        assert len(table) == row["rows_used"]
        assert (
            q[(q["table"] == row["table"]) & (q["source"] == row["source"])]["row"].nunique()
            == row["rows_excluded"]
        )


def _broken_tables() -> dict[str, pd.DataFrame]:
    tables = tiny_tables()
    orders = tables["orders"].copy()
    orders.loc[1, "amount"] = -200.0  # o2: negative
    orders.loc[3, "ordered_at"] = "2026-13-01"  # o4: not a date
    tables["orders"] = orders
    return tables


def test_invalid_rows_are_set_aside_with_reasons(tmp_path):
    folder = write_tables(tmp_path / "d", _broken_tables())
    with pytest.raises(kt.DataValidationError):
        kt.load(folder)
    data = kt.load(folder, on_invalid="quarantine")
    _accounting_holds(data)
    assert sorted(data.orders["order_id"]) == ["o1", "o3", "o5", "o6", "o7"]
    q = data.quarantine
    assert list(q.columns) == list(QUARANTINE_COLUMNS)
    assert q[["row", "column", "rule"]].values.tolist() == [
        [3, "amount", "amount is negative"],
        [5, "ordered_at", "value is not a date"],
    ]
    assert json.loads(q["values"][0])["amount"] == "-200.0"  # the row as read, as text
    assert q["source"].str.endswith("orders.csv").all() and q["fix"].str.len().gt(0).all()
    # the KPIs are those of the valid rows
    clean = tiny_tables()
    clean["orders"] = clean["orders"][~clean["orders"]["order_id"].isin(["o2", "o4"])]
    expected = kt.manager_kpis(kt.from_frames(**clean), period="2026Q3")
    pd.testing.assert_frame_equal(kt.manager_kpis(data, period="2026Q3"), expected)


def test_every_row_of_a_repeated_id_is_set_aside():
    tables = tiny_tables()
    tables["orders"] = tables["orders"].assign(order_id=["o1", "o1", "o3", "o4", "o5", "o6", "o7"])
    data = kt.from_frames(**tables, on_invalid="quarantine")
    assert "o1" not in set(data.orders["order_id"]) and data.quarantine["row"].tolist() == [1, 2]
    _accounting_holds(data)


def test_dropping_a_lead_orphans_its_order_and_that_is_caught():
    tables = tiny_tables()
    leads = tables["leads"].copy()
    leads.loc[0, "closed_at"] = "2026-05-01"  # L1 closed before it was created
    tables["leads"] = leads
    data = kt.from_frames(**tables, on_invalid="quarantine")
    _accounting_holds(data)
    assert "L1" not in set(data.leads["lead_id"]) and "o3" not in set(data.orders["order_id"])
    rules = dict(zip(data.quarantine["table"], data.quarantine["rule"], strict=True))
    assert rules == {
        "leads": "closed_at is before created_at",
        "orders": "lead_id not found in the leads table",
    }


def test_a_repeated_manager_cascades_to_their_rows():
    tables = tiny_tables()
    tables["managers"] = pd.concat([tables["managers"], tables["managers"].iloc[[1]]])  # bob twice
    data = kt.from_frames(**tables, on_invalid="quarantine")
    _accounting_holds(data)
    assert "bob" not in data.manager_ids
    assert not (data.orders["manager"] == "bob").any() and not (data.leads["manager"] == "bob").any()
    assert set(data.quarantine["table"]) == {"managers", "orders", "leads", "plans"}


def test_a_contradicting_target_is_set_aside_with_its_parts():
    tables = tiny_tables()
    extra = pd.DataFrame([("ann", "2026Q3", "sales_volume", 999.0)], columns=tables["plans"].columns)
    tables["plans"] = pd.concat([tables["plans"], extra], ignore_index=True)
    with pytest.raises(kt.DataValidationError, match="months' targets add up to 600"):
        kt.from_frames(**tables)
    data = kt.from_frames(**tables, on_invalid="quarantine")
    _accounting_holds(data)
    assert sorted(data.quarantine["row"]) == [1, 2, 3, 6]  # the three months and the quarter
    assert pd.isna(kt.manager_kpis(data, period="2026Q3").loc["ann", "sales_plan"])


def test_manager_ids_that_differ_only_in_case():
    tables = tiny_tables()
    del tables["managers"]
    tables["orders"] = tables["orders"].assign(manager=["ann", "ANN", "ann", "bob", "bob", "ann", "cat"])
    with pytest.raises(kt.DataValidationError, match="differ only in case or spaces: 'ANN' and 'ann'"):
        kt.from_frames(**tables)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text.replace("amount", "amt", 1), "required column(s) ['amount'] missing"),
        (lambda text: text.replace("o3,ann", "o3,ann,extra", 1), "fields where the header has"),
        (lambda text: "", "the file is empty"),
    ],
)
def test_file_level_problems_still_raise(tmp_path, edit, message):
    folder = write_tables(tmp_path / "d", tiny_tables())
    (folder / "orders.csv").write_text(edit((folder / "orders.csv").read_text()))
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, on_invalid="quarantine")
    assert message in str(info.value)


def test_nothing_left_raises():
    tables = tiny_tables()
    tables["orders"] = tables["orders"].assign(amount=-1.0)
    with pytest.raises(kt.DataValidationError, match="every row is invalid"):
        kt.from_frames(**tables, on_invalid="quarantine")


def test_on_invalid_is_checked():
    with pytest.raises(kt.ParameterError, match="on_invalid='drop'"):
        kt.from_frames(tiny_tables()["orders"], on_invalid="drop")


def test_clean_data_has_an_empty_quarantine(tiny):
    assert list(tiny.quarantine.columns) == list(QUARANTINE_COLUMNS) and tiny.quarantine.empty
    assert tiny.row_counts["rows_excluded"].sum() == 0


LINES_MAPPING = {
    "tables": {
        "orders": {
            "file": "orders.csv",
            "columns": {"order_id": "OrderID", "manager": "Emp", "customer_id": "Cust", "ordered_at": "Date"},
            "amount_from_lines": {
                "file": "lines.csv",
                "order_id": "OrderID",
                "quantity": "Qty",
                "unit_price": "Price",
            },
        }
    }
}


def test_mapped_export_quarantines_bad_lines_their_orders_and_orphans(tmp_path):
    (tmp_path / "orders.csv").write_text(
        "OrderID,Emp,Cust,Date\n1,5,c1,2026-07-01\n2,6,c2,2026-07-02\n3,6,c3,x\n"
    )
    (tmp_path / "lines.csv").write_text("OrderID,Qty,Price\n1,2,10\n2,one,5\n2,1,5\n3,1,1\n9,1,1\n")
    data = kt.load(tmp_path, mapping=LINES_MAPPING, on_invalid="quarantine")
    _accounting_holds(data)
    assert data.orders["order_id"].tolist() == ["1"] and data.orders["amount"].tolist() == [20.0]
    q = data.quarantine
    lines = q[q["source"].str.endswith("lines.csv")]
    assert lines[["row", "column"]].values.tolist() == [[3, "Qty"], [6, "OrderID"]]
    headers = q[q["source"].str.endswith("orders.csv")]
    assert headers["row"].tolist() == [3, 4] and headers["column"].tolist()[1] == "Date"  # the export's names
    assert json.loads(lines["values"].iloc[0]) == {"OrderID": "2", "Qty": "one", "Price": "5"}
    # the lines file's own row: 5 lines read, the 2 invalid ones excluded, none filtered
    counts = data.row_counts.set_index("table").loc["order_lines"]
    assert counts[["rows_read", "rows_used", "rows_excluded", "rows_filtered"]].tolist() == [5, 3, 2, 0]


def test_report_states_what_was_excluded(tmp_path):
    from kpi_toolkit.report import quarterly_report
    from kpi_toolkit.report.i18n import translator

    data = kt.from_frames(**_broken_tables(), on_invalid="quarantine")
    report = quarterly_report(data, period="2026Q3")
    said = [translator("en").say(c) for c in report.caveats]
    assert any("2 of 7 rows of orders (<orders frame>) were set aside as invalid" in c for c in said), said
    assert any("amount is negative (1)" in c and "value is not a date (1)" in c for c in said)


def test_command_line_writes_quarantine_csv_beside_the_report(tmp_path):
    tables = _broken_tables()
    tables["orders"].loc[4, "amount"] = -1.0
    folder = write_tables(tmp_path / "d", tables)
    args = [
        sys.executable,
        "-m",
        "kpi_toolkit",
        "quarterly",
        "--data",
        str(folder),
        "--out",
        str(tmp_path / "r"),
    ]
    failed = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert (
        failed.returncode == 2 and "Traceback" not in failed.stderr and "amount is negative" in failed.stderr
    )
    done = subprocess.run([*args, "--on-invalid", "quarantine"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    quarantine = pd.read_csv(tmp_path / "r" / "2026Q3" / "quarantine.csv", dtype=str)
    assert quarantine["row"].tolist() == ["3", "5", "6"]
    assert quarantine["values"].str.startswith("{").all()
    html = (tmp_path / "r" / "2026Q3" / "quarterly.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "3 of 7 rows of orders" in text and "quarantine.csv" in text
    assert "parameter on_invalid quarantine" in text


def test_quarantine_mode_on_clean_data_sets_nothing_aside(tmp_path):
    data = kt.load(write_tables(tmp_path / "d", tiny_tables()), on_invalid="quarantine")
    assert data.quarantine.empty and Path(data.source).name == "d"
