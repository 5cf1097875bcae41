"""Orders built from order lines: a lines file alone (group_lines), and lines of filtered orders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import kpi_toolkit as kt
from kpi_toolkit.mapping import read_mapping

ROOT = Path(__file__).resolve().parents[1]


def docs_yaml(marker: str) -> dict:
    """The first YAML block of docs/mappings.md whose first line contains ``marker``, as written there."""
    docs = (ROOT / "docs" / "mappings.md").read_text(encoding="utf-8")
    for block in re.findall(r"```yaml\n(.*?)```", docs, flags=re.S):
        if marker in block.splitlines()[0]:
            return yaml.safe_load(block)
    raise AssertionError(f"no yaml block starting with {marker!r} in docs/mappings.md")


# Made-up ERP order lines (header line 1): SO1 two lines, SO2 one, SO3 cancelled (two lines), SO4 one.
SALES_LINES = (
    "SalesOrderNumber,LineNo,OrderDate,CustomerKey,EmployeeKey,Status,OrderQuantity,UnitPrice,DiscountPct\n"
    "SO1,1,2026-07-01,C1,E1,Shipped,2,10.5,0\n"
    "SO1,2,2026-07-01,C1,E1,Shipped,1,100,0.25\n"
    "SO2,1,2026-07-02,C2,E2,Shipped,3,1.1,\n"
    "SO3,1,2026-07-03,C1,E2,Cancelled,1,50,0\n"
    "SO3,2,2026-07-03,C1,E2,Cancelled,x,50,0\n"
    "SO4,1,2026-08-04,C3,E1,Shipped,4,25,0.1\n"
)


def _folder(tmp_path: Path, text: str = SALES_LINES) -> Path:
    (tmp_path / "sales_lines.csv").write_text(text, encoding="utf-8")
    return tmp_path


def test_docs_group_lines_example(tmp_path):
    mapping = docs_yaml("an ERP's order lines")
    data = kt.load(_folder(tmp_path), mapping=mapping)
    orders = data.orders.set_index("order_id")
    # SO1: 2 x 10.5 + 1 x 100 x 0.75; SO2: 3 x 1.1; SO4: 4 x 25 x 0.9 (unrounded)
    assert orders["amount"].to_dict() == {"SO1": 2 * 10.5 + 100 * 0.75, "SO2": 3 * 1.1, "SO4": 4 * 25 * 0.9}
    assert orders["lines"].tolist() == [2, 1, 1]
    assert orders["manager"].tolist() == ["E1", "E2", "E1"]
    assert [str(d.date()) for d in orders["ordered_at"]] == ["2026-07-01", "2026-07-02", "2026-08-04"]
    # one row per order: 3 orders read and used; the cancelled order SO3 (both lines) filtered, and its
    # unreadable quantity is never looked at
    counts = data.row_counts.set_index("table").loc["orders"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_excluded"], counts["rows_filtered"]) == (
        3,
        3,
        0,
        1,
    )
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert kpis.loc["E1", "sales_volume"] == pytest.approx(96.0 + 90.0)
    assert kpis.loc["E1", "average_check"] == pytest.approx(93.0)


def test_line_amount_column(tmp_path):
    text = (
        "Order,Rep,Client,Date,LineTotal\n"
        "A,ann,c1,2026-07-01,10\nA,ann,c1,2026-07-01,5.5\nB,bob,c2,2026-07-02,7\n"
    )
    (tmp_path / "lines.csv").write_text(text)
    mapping = {
        "tables": {
            "orders": {
                "file": "lines.csv",
                "columns": {
                    "order_id": "Order",
                    "manager": "Rep",
                    "customer_id": "Client",
                    "ordered_at": "Date",
                },
                "group_lines": {"amount": "LineTotal"},
            }
        }
    }
    data = kt.load(tmp_path, mapping=mapping)
    assert data.orders["amount"].tolist() == [15.5, 7.0] and data.orders["lines"].tolist() == [2, 1]


def test_lines_of_one_order_that_disagree_are_named(tmp_path):
    text = SALES_LINES.replace("SO1,2,2026-07-01,C1,E1", "SO1,2,2026-07-02,C1,E9")
    mapping = docs_yaml("an ERP's order lines")
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(_folder(tmp_path, text), mapping=mapping)
    found = {v.column: v for v in info.value.violations}
    assert set(found) == {"EmployeeKey", "OrderDate"}, str(info.value)
    rep = found["EmployeeKey"]
    assert rep.rows == (2, 3) and rep.examples == ("order SO1: 'E1' / 'E9'",)
    assert "disagree on manager" in rep.rule and rep.source.endswith("sales_lines.csv")
    # quarantined: the order leaves with every reason, the other orders stay
    data = kt.load(_folder(tmp_path, text), mapping=mapping, on_invalid="quarantine")
    assert data.orders["order_id"].tolist() == ["SO2", "SO4"]
    assert sorted(set(data.quarantine["row"])) == [2, 3]
    counts = data.row_counts.set_index("table").loc["orders"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_excluded"]) == (3, 2, 1)


def test_an_invalid_line_makes_its_order_unknown(tmp_path):
    text = SALES_LINES.replace("SO1,2,2026-07-01,C1,E1,Shipped,1,", "SO1,2,2026-07-01,C1,E1,Shipped,-1,")
    mapping = docs_yaml("an ERP's order lines")
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(_folder(tmp_path, text), mapping=mapping)
    rules = {v.rule: v.rows for v in info.value.violations}
    assert rules["the quantity of an order line is negative"] == (3,)
    assert rules["the amount cannot be summed: some of the order's lines are invalid"] == (2,)  # SO1's row
    data = kt.load(_folder(tmp_path, text), mapping=mapping, on_invalid="quarantine")
    assert data.orders["order_id"].tolist() == ["SO2", "SO4"]


def test_group_lines_mistakes_are_named():
    mapping = docs_yaml("an ERP's order lines")
    orders = mapping["tables"]["orders"]
    for change, message in [
        (lambda t: t["group_lines"].update(amount="X"), "either quantity and unit_price"),
        (lambda t: t["columns"].update(amount="X"), "both mapped and computed"),
        (lambda t: t["columns"].pop("order_id"), "order_id, which is not mapped"),
        (lambda t: t.update(amount_from_lines={"file": "x.csv"}), "exclude each other"),
    ]:
        table = yaml.safe_load(yaml.safe_dump(orders))
        change(table)
        with pytest.raises(kt.ParameterError, match=message):
            read_mapping({"tables": {"orders": table}})
    with pytest.raises(kt.ParameterError, match="group_lines builds only the orders"):
        read_mapping(
            {
                "tables": {
                    **mapping["tables"],
                    "managers": {
                        "file": "m.csv",
                        "columns": {"manager": "a"},
                        "group_lines": {"amount": "b"},
                    },
                }
            }
        )


# amount_from_lines: a where on the orders leaves the cancelled order's lines out with it
ORDERS_CSV = (
    "orderNumber,status,customerNumber,orderDate\n"
    "10100,Shipped,103,2026-07-01\n10101,Cancelled,112,2026-07-02\n10102,Shipped,112,2026-07-03\n"
)
DETAILS_CSV = (
    "orderNumber,quantityOrdered,priceEach\n10100,2,10\n10101,5,100\n10101,1,100\n10102,1,20\n10102,3,1\n"
)
CUSTOMERS = {"order_id": "orderNumber", "manager": "status", "customer_id": "customerNumber"}


def test_lines_of_filtered_orders_leave_with_them(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS_CSV)
    (tmp_path / "orderdetails.csv").write_text(DETAILS_CSV)
    mapping = {
        "tables": {
            "orders": {
                "file": "orders.csv",
                "where": {"status": {"not_in": ["Cancelled"]}},
                "columns": {**CUSTOMERS, "ordered_at": "orderDate"},
                "amount_from_lines": {
                    "file": "orderdetails.csv",
                    "order_id": "orderNumber",
                    "quantity": "quantityOrdered",
                    "unit_price": "priceEach",
                },
            }
        }
    }
    data = kt.load(tmp_path, mapping=mapping)
    assert data.orders.set_index("order_id")["amount"].to_dict() == {"10100": 20.0, "10102": 23.0}
    counts = data.row_counts.set_index("table").loc["orders"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_filtered"]) == (2, 2, 1)
    # a line whose order is in no file at all is still an error
    (tmp_path / "orderdetails.csv").write_text(DETAILS_CSV + "99999,1,1\n")
    with pytest.raises(kt.DataValidationError, match=r"row 7 .*the order line's order is not in orders.csv"):
        kt.load(tmp_path, mapping=mapping)


def test_yaml_null_in_null_values_says_to_quote_it(tmp_path):
    (tmp_path / "m.yml").write_text(
        "tables:\n  orders:\n    file: sales.csv\n    null_values: [NULL, '-']\n"
        "    columns: {order_id: a, manager: b, customer_id: c, ordered_at: d, amount: e}\n"
    )
    with pytest.raises(kt.ParameterError) as info:
        read_mapping(tmp_path / "m.yml")
    message = str(info.value)
    assert "tables.orders.null_values" in message and "as a null" in message
    assert "quote it: null_values: ['NULL'" in message
