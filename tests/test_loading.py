"""The loader: files in, typed tables out, and one clear error per broken rule of the data contract."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from tests.conftest import tiny_tables, write_tables


def _broken(tmp_path: Path, table: str, edit) -> Path:
    tables = tiny_tables()
    tables[table] = edit(tables[table].copy())
    return write_tables(tmp_path / "broken", tables)


def _error(folder: Path) -> kt.DataValidationError:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder)
    return info.value


def test_load_types_and_normalises(tiny_folder):
    data = kt.load(tiny_folder)
    assert str(data.orders["ordered_at"].dtype) == "datetime64[ns]"
    assert data.orders["amount"].dtype == "float64"
    assert data.leads["status"].tolist() == ["won", "lost", "open", "lost", "won"]  # case and spaces
    assert data.orders["lead_id"].isna().sum() == 6  # empty cells are missing
    assert data.row_counts["rows_read"].tolist() == [7, 5, 5, 3]
    assert (
        data.row_counts["rows_read"] == data.row_counts["rows_used"] + data.row_counts["rows_excluded"]
    ).all()


def test_csv_and_parquet_give_the_same_kpis(tiny_folder, tmp_path):
    parquet = tmp_path / "pq"
    parquet.mkdir()
    for name in ("orders", "leads", "plans", "managers"):
        pd.read_csv(tiny_folder / f"{name}.csv", dtype=str, keep_default_na=False).to_parquet(
            parquet / f"{name}.parquet"
        )
    a = kt.manager_kpis(kt.load(tiny_folder), period="2026Q3")
    b = kt.manager_kpis(kt.load(parquet), period="2026Q3")
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("table", "edit", "column", "rule", "rows"),
    [
        ("orders", lambda t: t.drop(columns="amount"), "amount", "required column(s) ['amount'] missing", ()),
        (
            "orders",
            lambda t: t.assign(order_id=["o1", "o1", *t["order_id"][2:]]),
            "order_id",
            "not unique",
            (2, 3),
        ),
        (
            "orders",
            lambda t: t.assign(ordered_at=["2026-13-01", *t["ordered_at"][1:]]),
            "ordered_at",
            "not a date",
            (2,),
        ),
        ("orders", lambda t: t.assign(amount=[-5.0, *t["amount"][1:]]), "amount", "amount is negative", (2,)),
        (
            "orders",
            lambda t: t.assign(amount=["12,5", *t["amount"][1:]]),
            "amount",
            "not a finite number",
            (2,),
        ),
        ("orders", lambda t: t.assign(manager=["", *t["manager"][1:]]), "manager", "value is empty", (2,)),
        (
            "orders",
            lambda t: t.assign(lead_id=["", "", "L9", "", "", "", ""]),
            "lead_id",
            "lead_id not found",
            (4,),
        ),
        ("orders", lambda t: t.assign(discount=[1.5] + [0.0] * 6), "discount", "outside 0-1", (2,)),
        (
            "leads",
            lambda t: t.assign(status=["won", "maybe", "open", "lost", "won"]),
            "status",
            "unknown status",
            (3,),
        ),
        (
            "leads",
            lambda t: t.assign(closed_at=["", *t["closed_at"][1:]]),
            "closed_at",
            "closed_at is empty on a won or lost lead",
            (2,),
        ),
        (
            "leads",
            lambda t: t.assign(closed_at=["2026-05-01", *t["closed_at"][1:]]),
            "closed_at",
            "closed_at is before created_at",
            (2,),
        ),
        (
            "leads",
            lambda t: t.assign(created_at=["", *t["created_at"][1:]]),
            "created_at",
            "created_at is empty on a won or lost lead",
            (2,),
        ),
        (
            "leads",
            lambda t: t.assign(closed_at=[*t["closed_at"][:2], "2026-07-30", *t["closed_at"][3:]]),
            "closed_at",
            "closed_at is set on an open lead",
            (4,),
        ),
        (
            "leads",
            lambda t: t.assign(lead_id=["L1", "L1", "L3", "L4", "L5"]),
            "lead_id",
            "not unique",
            (2, 3),
        ),
        (
            "plans",
            lambda t: t.assign(period=["2026-7", *t["period"][1:]]),
            "period",
            "not a period label",
            (2,),
        ),
        ("plans", lambda t: t.assign(metric=["revenue", *t["metric"][1:]]), "metric", "unknown metric", (2,)),
        ("plans", lambda t: t.assign(target=[-1.0, *t["target"][1:]]), "target", "negative", (2,)),
        (
            "plans",
            lambda t: t.assign(target=[*t["target"][:4], 25.0]),
            "target",
            "conversion target is above 1",
            (6,),
        ),
        (
            "plans",
            lambda t: t.assign(period=["2026-07", "2026-07", *t["period"][2:]]),
            "metric",
            "appear more than once",
            (2, 3),
        ),
        (
            "plans",
            lambda t: t.assign(manager=["zed", *t["manager"][1:]]),
            "manager",
            "unknown manager(s) ['zed']",
            (2,),
        ),
        ("managers", lambda t: t.assign(manager=["ann", "ann", "cat"]), "manager", "not unique", (2, 3)),
    ],
)
def test_each_rule_names_file_column_rows_and_fix(tmp_path, table, edit, column, rule, rows):
    error = _error(_broken(tmp_path, table, edit))
    matching = [v for v in error.violations if rule in v.rule]
    assert matching, str(error)
    violation = matching[0]
    assert violation.column == column
    assert violation.source.endswith(f"{table}.csv")
    assert violation.rows == rows  # CSV line numbers: the header is line 1
    assert violation.fix
    message = str(error)
    assert f"{table}.csv" in message and column in message and "Fix:" in message


def test_unknown_manager_in_orders_is_named(tmp_path):
    error = _error(_broken(tmp_path, "managers", lambda t: t[t["manager"] != "bob"]))
    assert any("unknown manager(s) ['bob']" in v.rule and v.table == "orders" for v in error.violations)


def test_all_violations_are_reported_at_once(tmp_path):
    tables = tiny_tables()
    tables["orders"] = tables["orders"].assign(amount=[-1.0] * 7)
    tables["leads"] = tables["leads"].assign(status=["x"] * 5)
    error = _error(write_tables(tmp_path / "many", tables))
    assert {v.table for v in error.violations} == {"orders", "leads"}
    assert "rows 2, 3, 4, 5, 6 and 2 more (7 in all)" in str(error)


def test_missing_orders_file_and_folder(tmp_path):
    with pytest.raises(kt.ParameterError, match="does not exist"):
        kt.load(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(kt.DataValidationError, match="required table 'orders' is missing"):
        kt.load(tmp_path / "empty")


def test_empty_file_and_header_only(tmp_path):
    folder = write_tables(tmp_path / "d", {"orders": tiny_tables()["orders"].drop(columns="lead_id")})
    (folder / "leads.csv").write_text("")
    with pytest.raises(kt.DataValidationError, match=r"leads.csv: the file is empty"):
        kt.load(folder)
    (folder / "leads.csv").write_text("lead_id,manager,created_at,status,closed_at\n")
    data = kt.load(folder)
    assert len(data.leads) == 0
    assert kt.manager_kpis(data, period="2026Q3").loc["ann", "leads_closed"] == 0


def test_ragged_csv_is_rejected_whole(tmp_path):
    folder = write_tables(tmp_path / "d", {"orders": tiny_tables()["orders"]})
    text = (folder / "orders.csv").read_text().splitlines()
    text[3] += ",extra"
    (folder / "orders.csv").write_text("\n".join(text) + "\n")
    error = _error(folder)
    assert error.violations[0].rows == (4,)
    assert "fields where the header has 6" in str(error)


def test_headers_are_case_and_space_insensitive(tmp_path):
    orders = tiny_tables()["orders"].rename(columns={"amount": " Amount ", "manager": "MANAGER"})
    data = kt.load(write_tables(tmp_path / "d", {"orders": orders}))
    assert data.orders["amount"].sum() == pytest.approx(950.0)


def test_two_files_for_one_table(tmp_path, tiny_folder):
    pd.read_csv(tiny_folder / "orders.csv").to_parquet(tiny_folder / "orders.parquet")
    with pytest.raises(kt.ParameterError, match=r"both orders\.csv and orders\.parquet"):
        kt.load(tiny_folder)


def test_not_utf8(tmp_path):
    folder = write_tables(tmp_path / "d", {"orders": tiny_tables()["orders"]})
    (folder / "managers.csv").write_bytes("manager,name,team\nann,Анна,Север\n".encode("cp1251"))
    with pytest.raises(kt.DataValidationError, match="not UTF-8"):
        kt.load(folder)


def test_dataset_options_file(tiny_folder):
    (tiny_folder / "dataset.yml").write_text("fiscal_year_start: 7\n")
    assert kt.load(tiny_folder).fiscal_year_start == 7
    (tiny_folder / "dataset.yml").write_text("fiscal_start: 7\n")
    with pytest.raises(kt.ParameterError, match="unknown option"):
        kt.load(tiny_folder)


def test_managers_without_table_come_from_all_tables():
    tables = tiny_tables()
    plans = pd.concat(
        [
            tables["plans"],
            pd.DataFrame([("dan", "2026Q3", "sales_volume", 5.0)], columns=tables["plans"].columns),
        ]
    )
    data = kt.from_frames(tables["orders"], leads=tables["leads"], plans=plans)
    assert data.manager_ids == ["ann", "bob", "cat", "dan"]
    assert kt.manager_kpis(data, period="2026Q3").loc["dan", "sales_plan"] == 5.0


def test_timezone_offsets_are_converted_to_utc():
    orders = tiny_tables()["orders"].assign(ordered_at=["2026-07-01T02:00:00+03:00"] * 7)
    data = kt.from_frames(orders)
    assert str(data.orders["ordered_at"].iloc[0]) == "2026-06-30 23:00:00"


def _typed_parquet(tmp_path: Path, order_ids: list[int]) -> Path:
    """The shape of a warehouse export: integer ids, integer lead ids with gaps, categorical managers."""
    folder = tmp_path / "typed"
    folder.mkdir()
    n = len(order_ids)
    pd.DataFrame(
        {
            "order_id": pd.Series(order_ids, dtype="int64"),
            "manager": pd.Categorical(["\x1cann\u3000", "bob"] * (n // 2) + ["ann"] * (n % 2)),
            "customer_id": pd.Series(range(100, 100 + n), dtype="int64"),
            "ordered_at": pd.date_range("2026-07-01", periods=n, freq="D"),
            "amount": 10.0,
            "lead_id": pd.Series([7.0, None] * (n // 2) + [None] * (n % 2), dtype="float64"),
        }
    ).to_parquet(folder / "orders.parquet")
    pd.DataFrame(
        {
            "lead_id": [7],
            "manager": ["ann"],
            "created_at": ["2026-06-01"],
            "status": ["won"],
            "closed_at": ["2026-06-20"],
        }
    ).to_parquet(folder / "leads.parquet")
    return folder


def test_typed_parquet_ids_become_the_same_text_as_csv(tmp_path):
    data = kt.load(_typed_parquet(tmp_path, [3, 1, 2, 10]))
    assert data.orders["order_id"].tolist() == ["3", "1", "2", "10"]
    assert data.orders["lead_id"].tolist() == ["7", pd.NA, "7", pd.NA]  # 7.0 is the id "7"
    assert data.orders["manager"].tolist() == ["ann", "bob", "ann", "bob"]  # Python's white space stripped
    assert isinstance(data.orders["order_id"].dtype, pd.StringDtype)


@pytest.mark.parametrize("ids", [[1, 2, 2, 3], [5, 1, 9, 1]])
def test_repeated_integer_ids_are_found_sorted_or_not(tmp_path, ids):
    error = _error(_typed_parquet(tmp_path, ids))
    (violation,) = [v for v in error.violations if v.column == "order_id"]
    assert violation.rule == "order_id is not unique"
    repeated = [i for i in ids if ids.count(i) > 1]
    assert violation.n_rows == len(repeated) == 2
    assert violation.rows == tuple(1 + i for i, v in enumerate(ids) if v in repeated)  # Parquet: 1-based
