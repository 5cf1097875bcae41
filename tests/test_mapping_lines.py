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
    # the lines file adds up too: 5 lines = 3 read (all used) + the cancelled order's 2 filtered with it
    lines = data.row_counts.set_index("table").loc["order_lines"]
    assert lines["source"].endswith("orderdetails.csv")
    assert (lines["rows_read"], lines["rows_used"], lines["rows_excluded"], lines["rows_filtered"]) == (
        3,
        3,
        0,
        2,
    )
    # a line whose order is in no file at all is still an error
    (tmp_path / "orderdetails.csv").write_text(DETAILS_CSV + "99999,1,1\n")
    with pytest.raises(kt.DataValidationError, match=r"row 7 .*the order line's order is not in orders.csv"):
        kt.load(tmp_path, mapping=mapping)


def test_line_accounting_with_invalid_lines_and_a_filter_of_the_lines(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS_CSV)
    # 10100: one line with no price (invalid), one good; 10102: a free line filtered by the lines' own where
    (tmp_path / "orderdetails.csv").write_text(
        "orderNumber,quantityOrdered,priceEach,kind\n10100,2,10,sale\n10100,1,,sale\n10101,5,100,sale\n"
        "10101,1,100,sale\n10102,1,20,sale\n10102,3,1,sale\n10102,9,0,free\n"
    )
    mapping = {
        "tables": {
            "orders": {
                "file": "orders.csv",
                "where": {"status": {"not_in": ["Cancelled"]}},
                "columns": {**CUSTOMERS, "ordered_at": "orderDate"},
                "amount_from_lines": {
                    "file": "orderdetails.csv",
                    "where": {"kind": {"in": ["sale"]}},
                    "order_id": "orderNumber",
                    "quantity": "quantityOrdered",
                    "unit_price": "priceEach",
                },
            }
        }
    }
    data = kt.load(tmp_path, mapping=mapping, on_invalid="quarantine")
    assert data.orders.set_index("order_id")["amount"].to_dict() == {"10102": 23.0}
    counts = data.row_counts.set_index("table")
    assert counts.loc["orders", ["rows_read", "rows_used", "rows_excluded", "rows_filtered"]].tolist() == [
        2,
        1,
        1,
        1,
    ]
    # 7 lines: 1 free (the lines' where) + 2 of the cancelled order filtered; of the 4 read, 1 invalid
    lines = counts.loc["order_lines", ["rows_read", "rows_used", "rows_excluded", "rows_filtered"]].tolist()
    assert lines == [4, 3, 1, 3]
    assert lines[0] + lines[3] == 7 and lines[0] == lines[1] + lines[2]
    # every excluded row is in the quarantine, once: the invalid line and its order
    assert int(counts["rows_excluded"].sum()) == len(data.quarantine) == 2


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


# -- lookups, files without a header row, several files
CUSTOMERS_CSV = "customerNumber,customerName,salesRepEmployeeNumber\n103,Atelier,1370\n112,Signal,1166\n"


def _wholesaler(tmp_path: Path, customers: str = CUSTOMERS_CSV) -> Path:
    (tmp_path / "orders.csv").write_text(ORDERS_CSV)
    (tmp_path / "orderdetails.csv").write_text(DETAILS_CSV)
    (tmp_path / "customers.csv").write_text(customers)
    return tmp_path


def test_docs_lookup_example(tmp_path):
    data = kt.load(_wholesaler(tmp_path), mapping=docs_yaml("a wholesaler's orders"))
    orders = data.orders.set_index("order_id")
    assert orders["manager"].to_dict() == {"10100": "1370", "10102": "1166"}
    assert orders["customer_id"].to_dict() == {"10100": "103", "10102": "112"}
    assert orders["amount"].to_dict() == {"10100": 20.0, "10102": 23.0}
    counts = data.row_counts.set_index("table").loc["orders"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_filtered"]) == (2, 2, 1)


def test_a_key_missing_from_the_lookup_is_named_never_dropped(tmp_path):
    folder = _wholesaler(tmp_path, CUSTOMERS_CSV.replace("112,Signal,1166\n", ""))
    mapping = docs_yaml("a wholesaler's orders")
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, mapping=mapping)
    (violation,) = info.value.violations
    assert violation.column == "customerNumber" and violation.rows == (4,) and violation.examples == ("112",)
    assert (
        "not found in the column 'customerNumber' of customers.csv (the lookup of manager)" in violation.rule
    )
    data = kt.load(folder, mapping=mapping, on_invalid="quarantine")
    assert data.orders["order_id"].tolist() == ["10100"]
    assert data.quarantine["row"].tolist() == [4]
    counts = data.row_counts.set_index("table").loc["orders"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_excluded"]) == (2, 1, 1)


def test_a_lookup_key_with_two_values_stops(tmp_path):
    folder = _wholesaler(tmp_path, CUSTOMERS_CSV + "112,Signal2,1370\n")
    with pytest.raises(kt.DataValidationError, match=r"customers.csv, column 'customerNumber', rows 3, 4"):
        kt.load(folder, mapping=docs_yaml("a wholesaler's orders"))


def test_docs_several_files_without_header_example(tmp_path):
    (tmp_path / "sales_2025.txt").write_text("1|2025-12-01|ann|c1|10\n2|2025-12-02|bob|c2|20\n")
    (tmp_path / "sales_2026-01.txt").write_text("\n3|2026-01-05|ann|c1|30\n")
    mapping = docs_yaml("a year's export and a month appended")
    data = kt.load(tmp_path, mapping=mapping)
    assert data.orders["amount"].tolist() == [10.0, 20.0, 30.0]
    assert data.row_counts.set_index("table").loc["orders", "rows_read"] == 3
    # the pattern reads the same files; a bad cell names the running row, the quarantine the file and line
    mapping["tables"]["orders"]["file"] = "sales_*.txt"
    (tmp_path / "sales_2026-01.txt").write_text("\n3|2026-01-05|ann|c1|x\n")
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(tmp_path, mapping=mapping)
    (violation,) = info.value.violations
    assert violation.rows == (4,) and "sales_2025.txt, sales_2026-01.txt" in violation.source
    data = kt.load(tmp_path, mapping=mapping, on_invalid="quarantine")
    (values,) = data.quarantine["values"]
    assert '"(file)": "sales_2026-01.txt", "(line)": "2"' in values


def test_several_files_must_share_their_columns(tmp_path):
    (tmp_path / "a.csv").write_text("No,Rep,Client,Date,Total\n1,ann,c1,2026-07-01,1\n")
    (tmp_path / "b.csv").write_text("Total,Date,Client,Rep,No\n2,2026-07-02,c2,bob,2\n")
    columns = {
        "order_id": "No",
        "manager": "Rep",
        "customer_id": "Client",
        "ordered_at": "Date",
        "amount": "Total",
    }
    mapping = {"tables": {"orders": {"file": ["a.csv", "b.csv"], "columns": columns}}}
    data = kt.load(tmp_path, mapping=mapping)  # the same columns in another order
    assert data.orders["amount"].tolist() == [1.0, 2.0] and data.orders["manager"].tolist() == ["ann", "bob"]
    (tmp_path / "b.csv").write_text("No,Rep,Client,Date,Sum\n2,bob,c2,2026-07-02,2\n")
    with pytest.raises(kt.DataValidationError, match=r"b.csv: the file's columns .* differ from those of"):
        kt.load(tmp_path, mapping=mapping)
    mapping["tables"]["orders"]["file"] = "nothing_*.csv"
    with pytest.raises(kt.ParameterError, match=r"no file matches .*nothing_\*\.csv"):
        kt.load(tmp_path, mapping=mapping)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"header": False}, "such a file needs names:"),
        ({"names": ["a", "b"]}, "such a file needs names:"),
        ({"header": False, "names": ["a", "A"]}, "not a list of distinct column names"),
        ({"header": "no"}, "is not true or false"),
        ({"file": ["a.csv", "a.csv"]}, "must name distinct files"),
        (
            {"lookup": {"manager": {"file": "c.csv", "key": "k"}}},
            "needs the other file's key column and value",
        ),
        ({"lookup": {"team": {"file": "c.csv", "key": "k", "value": "v"}}}, "'team' is not a column mapped"),
    ],
)
def test_lookup_and_file_mistakes_are_named(change, message):
    columns = {
        "order_id": "No",
        "manager": "Rep",
        "customer_id": "Client",
        "ordered_at": "Date",
        "amount": "Total",
    }
    with pytest.raises(kt.ParameterError) as info:
        read_mapping({"tables": {"orders": {"file": "s.csv", "columns": columns, **change}}})
    assert message in str(info.value) and "Fix:" in str(info.value)
