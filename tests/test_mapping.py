"""Mappings: reading exports in other shapes, and refusing to guess where a guess could be wrong."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.mapping import read_mapping
from kpi_toolkit.textfiles import guess_cyrillic_encoding

ORDERS = {
    "order_id": "No",
    "manager": "Rep",
    "customer_id": "Client",
    "ordered_at": "Date",
    "amount": "Total",
}


def _orders_mapping(**table) -> dict:
    return {"tables": {"orders": {"file": "sales.csv", "columns": dict(ORDERS), **table}}}


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))
    return folder


def _error(folder: Path, mapping, **kwargs) -> kt.DataValidationError:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, mapping=mapping, **kwargs)
    return info.value


SALES = "No;Rep;Client;Date;Total\n1;ann;c1;26.11.2026;1 234,50\n2;bob;c2;03.11.2026;99\n"


def test_semicolon_decimal_comma_and_day_first_are_read(tmp_path):
    folder = _write(tmp_path, "sales.csv", SALES.replace("1 234", "1\u00a0234"))
    data = kt.load(folder, mapping=_orders_mapping(decimal=","))
    assert data.orders["amount"].tolist() == [1234.5, 99.0]
    assert data.orders["ordered_at"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-26", "2026-11-03"]
    assert data.row_counts["rows_read"].tolist() == [2]


def test_decimal_comma_without_the_setting_is_an_error_not_a_guess(tmp_path):
    folder = _write(tmp_path, "sales.csv", SALES)
    error = _error(folder, _orders_mapping())
    (violation,) = error.violations
    assert violation.column == "Total" and violation.rows == (2,)
    assert "not a number for amount" in violation.rule and "decimal" in violation.fix
    assert violation.examples == ("1 234,50",)


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "expected"),
    [
        ("1 234,50", ",", " ", 1234.5),
        ("1\u202f234\u202f567", ",", " ", 1234567.0),
        ("1.234.567,8", ",", ".", 1234567.8),
        ("1,234.5", ".", ",", 1234.5),
        ("-12", ".", " ", -12.0),
        ("1e3", ".", " ", 1000.0),
    ],
)
def test_number_formats(text, decimal, thousands, expected):
    from kpi_toolkit.mapping.convert import convert_numbers

    out, bad = convert_numbers(pd.Series([text], dtype=object), decimal=decimal, thousands=thousands)
    assert not bad[0] and float(out[0]) == expected


@pytest.mark.parametrize(
    "text", ["12,5", "1 23", "1 2345", "1,234", "abc", "1.2.3", "∞", "nan", "inf", "--1"]
)
def test_not_numbers(text):
    from kpi_toolkit.mapping.convert import convert_numbers

    _, bad = convert_numbers(pd.Series([text], dtype=object), decimal=".", thousands=" ")
    assert bad[0], text


def test_ambiguous_dates_stop_and_ask(tmp_path):
    text = "No;Rep;Client;Date;Total\n1;ann;c1;03.04.2026;1\n2;bob;c2;05.06.2026;2\n"
    folder = _write(tmp_path, "sales.csv", text)
    error = _error(folder, _orders_mapping())
    assert "day-first or month-first" in str(error) and "dayfirst: true" in str(error)
    assert "sales.csv" in str(error) and "'Date'" in str(error)
    # quarantine does not help: the whole column is undecided
    _error(folder, _orders_mapping(), on_invalid="quarantine")
    data = kt.load(folder, mapping=_orders_mapping(dayfirst=True))
    assert data.orders["ordered_at"].dt.strftime("%Y-%m-%d").tolist() == ["2026-04-03", "2026-06-05"]
    data = kt.load(folder, mapping=_orders_mapping(dayfirst=False))
    assert data.orders["ordered_at"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-04", "2026-05-06"]
    data = kt.load(folder, mapping=_orders_mapping(date_format="%d.%m.%Y"))
    assert data.orders["ordered_at"].dt.strftime("%Y-%m-%d").tolist() == ["2026-04-03", "2026-06-05"]


def test_month_first_is_read_when_a_second_number_exceeds_12(tmp_path):
    text = "No,Rep,Client,Date,Total\n1,ann,c1,11/26/2026 14:30,1\n2,bob,c2,03/04/2026,2\n"
    data = kt.load(_write(tmp_path, "sales.csv", text), mapping=_orders_mapping())
    assert [str(d) for d in data.orders["ordered_at"]] == ["2026-11-26 14:30:00", "2026-03-04 00:00:00"]


def test_mixed_date_orders_are_an_error(tmp_path):
    text = "No,Rep,Client,Date,Total\n1,ann,c1,26.11.2026,1\n2,bob,c2,11.26.2026,2\n"
    error = _error(_write(tmp_path, "sales.csv", text), _orders_mapping())
    assert "both day-first and month-first" in str(error)


def test_impossible_dates_name_the_cell(tmp_path):
    text = "No;Rep;Client;Date;Total\n1;ann;c1;31.02.2026;1\n2;bob;c2;26.11.2026;2\n3;cat;c3;yesterday;3\n"
    error = _error(_write(tmp_path, "sales.csv", text), _orders_mapping())
    (violation,) = error.violations
    assert violation.column == "Date" and violation.rows == (2, 4)
    assert violation.examples == ("31.02.2026", "yesterday")
    assert "empty" not in str(error)  # the mapping's finding is not repeated as 'value is empty'


CYRILLIC = (
    "No;Rep;Client;Date;Total\n"
    "1;Иван Петров;ООО Ромашка;2026-11-26;10\n"
    "2;Анна Смирнова;АО Вектор;2026-11-27;20\n"
)


def test_cp1251_is_refused_with_both_readings_unless_named(tmp_path):
    # two capitalised words are too little evidence for the heuristic (it needs five): loading asks
    text = "No;Rep;Client;Date;Total\n1;Иван;c1;2026-11-26;10\n2;Анна;c2;2026-11-27;20\n"
    folder = _write(tmp_path, "sales.csv", text, "cp1251")
    error = _error(folder, _orders_mapping())
    message = str(error)
    assert "not UTF-8" in message and "cp1251" in message and "koi8-r" in message and "encoding:" in message
    assert "Иван" in message  # the cp1251 reading is shown, so the user can pick
    data = kt.load(folder, mapping=_orders_mapping(encoding="cp1251"))
    assert data.manager_ids == ["Анна", "Иван"]


def test_koi8r_named(tmp_path):
    folder = _write(tmp_path, "sales.csv", CYRILLIC, "koi8-r")
    assert kt.load(folder, mapping=_orders_mapping(encoding="koi8-r")).manager_ids[1] == "Иван Петров"


def test_cyrillic_heuristic_decides_only_when_clear_cut(tmp_path):
    names = "Иван Петров, Анна Смирнова, Олег Орлов, Мария Волкова, Павел Зайцев"
    for encoding in ("cp1251", "koi8-r"):
        assert guess_cyrillic_encoding(names.encode(encoding)) == encoding
    assert guess_cyrillic_encoding("иван петров анна смирнова олег орлов мария".encode("cp1251")) is None
    assert guess_cyrillic_encoding("ИВАН ПЕТРОВ АННА СМИРНОВА ОЛЕГ ОРЛОВ".encode("cp1251")) is None
    assert guess_cyrillic_encoding("Иван Петров".encode("cp1251")) is None  # too little evidence
    assert guess_cyrillic_encoding("Müller Straße Café".encode("cp1252")) is None
    rows = "".join(f"{i};{n.strip()};c{i};2026-11-26;1\n" for i, n in enumerate(names.split(",")))
    folder = _write(tmp_path, "sales.csv", "No;Rep;Client;Date;Total\n" + rows, "koi8-r")
    assert "Павел Зайцев" in kt.load(folder, mapping=_orders_mapping()).manager_ids


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_byte_order_marks_are_detected(tmp_path, bom, encoding):
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "sales.csv").write_bytes(bom + CYRILLIC.encode(encoding))
    folder = tmp_path
    assert kt.load(folder, mapping=_orders_mapping()).orders["amount"].sum() == 30.0


def test_utf16_without_bom_asks(tmp_path):
    folder = _write(tmp_path, "sales.csv", CYRILLIC, "utf-16-le")
    assert "utf-16-le" in str(_error(folder, _orders_mapping()))
    assert len(kt.load(folder, mapping=_orders_mapping(encoding="utf-16-le")).orders) == 2


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path, delimiter):
    text = SALES.replace("1 234,50", "1234.5").replace(";", delimiter)
    data = kt.load(_write(tmp_path, "sales.csv", text), mapping=_orders_mapping())
    assert data.orders["amount"].tolist() == [1234.5, 99.0]


def test_ambiguous_delimiter_asks(tmp_path):
    text = "No,Rep;Client,Date;Total\n1,ann;c1,x;1\n"
    error = _error(_write(tmp_path, "sales.csv", text), _orders_mapping())
    assert "cannot tell the delimiter" in str(error) and "delimiter:" in str(error)


def test_ragged_export_is_rejected_whole_with_its_lines(tmp_path):
    text = "No,Rep,Client,Date,Total\n1,ann,c1,2026-11-26,1\n2,bob,Main St, 5,2026-11-26,2\n3,cat\n"
    error = _error(_write(tmp_path, "sales.csv", text), _orders_mapping())
    (violation,) = error.violations
    assert violation.rows == (3, 4) and "[2, 6] fields where the header has 5" in violation.rule


def test_lines_as_the_user_sees_them_with_blank_lines_and_quoted_newlines(tmp_path):
    text = 'No,Rep,Client,Date,Total\n1,ann,"c1\nsecond line",2026-11-26,1\n\n2,bob,c2,2026-11-26,-5\n'
    error = _error(_write(tmp_path, "sales.csv", text), _orders_mapping())
    assert error.violations[0].rows == (5,)


def test_header_row_null_values_and_trailing_empty_rows(tmp_path):
    text = "Sales report October\n\nNo,Rep,Client,Date,Total,Note\n1,ann,c1,2026-10-01,5,NULL\n,,,,,\n"
    mapping = _orders_mapping(header_row=3, null_values=["NULL"], extra={"note": "Note"})
    data = kt.load(_write(tmp_path, "sales.csv", text), mapping=mapping)
    assert len(data.orders) == 1 and pd.isna(data.orders["note"][0])


def test_filters_value_maps_constants_templates_and_extras(tmp_path):
    text = (
        "No,First,Last,Client,Date,Total,Pipeline,Office\n"
        "1,Ann,Lee,c1,2026-10-01,5,Sales,North\n"
        "2,Bob,Stone,c2,2026-10-02,7,test,South\n"
        "3,Ann,Lee,c3,2026-10-03,9, SALES ,North\n"
    )
    mapping = {
        "tables": {
            "orders": {
                "file": "sales.csv",
                "where": {"Pipeline": "sales"},
                "columns": {**ORDERS, "manager": {"template": "{First} {Last}"}},
                "values": {"manager": {"ann lee": "A. Lee"}},
                "extra": {"office": "Office"},
            },
            "managers": {
                "file": "sales.csv",
                "where": {"No": ["1"]},
                "columns": {"manager": {"template": "{First} {Last}"}, "name": "First"},
                "values": {"manager": {"ann lee": "A. Lee"}},
                "constants": {"team": "North"},
            },
        }
    }
    data = kt.load(_write(tmp_path, "sales.csv", text), mapping=mapping)
    assert data.orders["order_id"].tolist() == ["1", "3"]
    assert data.orders["manager"].unique().tolist() == ["A. Lee"] and data.orders["office"][0] == "North"
    assert data.manager_info.loc["A. Lee", "team"] == "North"
    counts = data.row_counts.set_index("table")
    assert counts.loc["orders", "rows_read"] == 2 and counts.loc["orders", "rows_filtered"] == 1


def test_errors_name_the_exports_column_and_line(tmp_path):
    text = "No;Rep;Client;Date;Total\n1;ann;c1;2026-11-26;5\n1;bob;c2;2026-11-26;-7\n"
    error = _error(_write(tmp_path, "sales.csv", text), _orders_mapping())
    columns = {v.column for v in error.violations}
    assert columns == {"No", "Total"}
    assert "sales.csv, column 'Total', row 3 (1 in all): amount is negative" in str(error)


def test_missing_source_column_and_file(tmp_path):
    folder = _write(tmp_path, "sales.csv", SALES)
    mapping = _orders_mapping()
    mapping["tables"]["orders"]["columns"]["amount"] = "Sum"
    error = _error(folder, mapping)
    assert "no column 'Sum'" in str(error) and "tables.orders.columns.amount" in str(error)
    mapping["tables"]["orders"]["file"] = "nope.csv"
    with pytest.raises(kt.ParameterError, match=r"nope\.csv does not exist"):
        kt.load(folder, mapping=mapping)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["tables"]["orders"]["columns"].update(amout="x"), "'amout' is not a column of orders"),
        (
            lambda m: m["tables"]["orders"]["columns"].pop("amount"),
            "required column(s) ['amount'] not mapped",
        ),
        (lambda m: m["tables"]["orders"].update(delimeter=";"), "unknown key(s) ['delimeter']"),
        (lambda m: m["tables"].update(deals={}), "unknown table 'deals'"),
        (lambda m: m["tables"]["orders"].update(decimal=";"), "is not a decimal mark"),
        (lambda m: m["tables"]["orders"].update(decimal=",", thousands=","), "are the same"),
        (lambda m: m["tables"]["orders"].update(dayfirst="yes"), "is not true or false"),
        (lambda m: m["tables"]["orders"].update(date_format="dd.mm.yyyy"), "is not a strptime format"),
        (lambda m: m["tables"]["orders"].update(values={"status": {"Won": "won"}}), "not a mapped column"),
        (lambda m: m["tables"]["orders"].update(values={"manager": {True: "x"}}), "quote it"),
        (lambda m: m["tables"]["orders"].update(from_leads={"amount": "x"}), "from_leads takes the rest"),
        (lambda m: m.update(version=2), "unsupported version"),
        (lambda m: m.update(fiscal_year_start=13), "not a month number"),
    ],
)
def test_mapping_mistakes_are_named(change, message):
    mapping = _orders_mapping()
    change(mapping)
    with pytest.raises(kt.ParameterError) as info:
        read_mapping(mapping)
    assert message in str(info.value) and "Fix:" in str(info.value)


def test_mapping_file_errors(tmp_path):
    with pytest.raises(kt.ParameterError, match="does not exist"):
        read_mapping(tmp_path / "nope.yml")
    (tmp_path / "bad.yml").write_text("tables: [1\n")
    with pytest.raises(kt.ParameterError, match="not valid YAML"):
        read_mapping(tmp_path / "bad.yml")
    (tmp_path / "m.yml").write_text("tables:\n  orders:\n    file: sales.csv\n    columns: {amount: Total}\n")
    with pytest.raises(kt.ParameterError, match=r"m.yml, tables.orders: required column"):
        read_mapping(tmp_path / "m.yml")


LEADS = (
    "ID;Owner;Stage;Created;Closed;Value;Account\n"
    "L1;ann;Won;2026-07-01;2026-07-20;100;a1\n"
    "L2;ann;Lost;2026-07-02;2026-07-21;0;a2\n"
    "L3;bob;In progress;2026-07-03;2026-09-30;50;a3\n"
    "L4;bob;won;2026-07-04;2026-08-01;1 000,5;a4\n"
)
LEADS_MAPPING = {
    "defaults": {"decimal": ","},
    "tables": {
        "leads": {
            "file": "deals.csv",
            "columns": {
                "lead_id": "ID",
                "manager": "Owner",
                "status": "Stage",
                "created_at": "Created",
                "closed_at": "Closed",
                "customer_id": "Account",
            },
            "values": {"status": {"Won": "won", "Lost": "lost", "In progress": "open"}},
            "ignore_close_date_of_open_leads": True,
        },
        "orders": {"from_leads": {"amount": "Value"}},
    },
}


def test_orders_from_won_leads(tmp_path):
    data = kt.load(_write(tmp_path, "deals.csv", LEADS), mapping=LEADS_MAPPING)
    orders = data.orders.set_index("order_id")
    assert list(orders.index) == ["L1", "L4"]  # the lost deal's 0 never becomes an order
    assert orders["amount"].tolist() == [100.0, 1000.5] and orders["lead_id"].tolist() == ["L1", "L4"]
    assert [str(d.date()) for d in orders["ordered_at"]] == ["2026-07-20", "2026-08-01"]
    assert orders["customer_id"].tolist() == ["a1", "a4"]
    assert data.leads["closed_at"].isna().tolist() == [False, False, True, False]  # planned date dropped
    counts = data.row_counts.set_index("table")
    assert counts.loc["orders", "rows_read"] == 2 and counts.loc["orders", "rows_filtered"] == 2
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert kpis.loc["ann", "average_check"] == 100.0 and kpis.loc["ann", "conversion"] == 0.5


def test_unknown_stage_is_named_not_guessed(tmp_path):
    folder = _write(tmp_path, "deals.csv", LEADS.replace("In progress", "Negotiation"))
    error = _error(folder, LEADS_MAPPING)
    (violation,) = error.violations
    assert violation.column == "Stage" and violation.rows == (4,) and violation.examples == ("Negotiation",)


LINES = "OrderID,Quantity,UnitPrice,Discount\n1,2,10.5,0\n1,1,100,0.25\n2,3,1.1,\n"
HEADERS = "OrderID,Emp,Cust,Date\n1,5,c1,2026-07-01\n2,6,c2,2026-07-02\n"
LINES_MAPPING = {
    "tables": {
        "orders": {
            "file": "orders.csv",
            "columns": {"order_id": "OrderID", "manager": "Emp", "customer_id": "Cust", "ordered_at": "Date"},
            "amount_from_lines": {
                "file": "lines.csv",
                "order_id": "OrderID",
                "quantity": "Quantity",
                "unit_price": "UnitPrice",
                "discount": "Discount",
            },
        }
    }
}


def _lines_folder(tmp_path: Path, lines: str = LINES, headers: str = HEADERS) -> Path:
    _write(tmp_path, "orders.csv", headers)
    return _write(tmp_path, "lines.csv", lines)


def test_amounts_summed_from_lines(tmp_path):
    data = kt.load(_lines_folder(tmp_path), mapping=LINES_MAPPING)
    assert data.orders["amount"].tolist() == [2 * 10.5 + 100 * 0.75, 3 * 1.1]  # unrounded
    assert data.orders["lines"].tolist() == [2.0, 1.0]


@pytest.mark.parametrize(
    ("lines", "file", "rule", "rows"),
    [
        (LINES + "3,1,1,0\n", "lines.csv", "the order line's order is not in orders.csv", (5,)),
        (
            LINES.replace("2,3,1.1,", "2,x,1.1,"),
            "lines.csv",
            "quantity of an order line is not a number",
            (4,),
        ),
        (
            LINES.replace("1,1,100,0.25", "1,1,100,25"),
            "lines.csv",
            "discount of an order line is above 1",
            (3,),
        ),
        (
            LINES.replace("1,2,10.5,0", "1,-2,10.5,0"),
            "lines.csv",
            "quantity of an order line is negative",
            (2,),
        ),
        (LINES.replace("2,3,1.1,", "2,3,1.1,"), None, None, ()),
    ],
)
def test_bad_lines_are_named_and_their_order_too(tmp_path, lines, file, rule, rows):
    folder = _lines_folder(tmp_path, lines)
    if rule is None:
        kt.load(folder, mapping=LINES_MAPPING)
        return
    error = _error(folder, LINES_MAPPING)
    hit = [v for v in error.violations if v.rule.endswith(rule) or rule in v.rule]
    assert hit and hit[0].source.endswith(file) and hit[0].rows == rows, str(error)
    if "not in orders.csv" not in rule:
        assert any("cannot be summed" in v.rule and v.source.endswith("orders.csv") for v in error.violations)
        assert not any(v.rule == "value is empty" for v in error.violations)


def test_order_without_lines(tmp_path):
    folder = _lines_folder(tmp_path, headers=HEADERS + "3,5,c3,2026-07-03\n")
    error = _error(folder, LINES_MAPPING)
    (violation,) = error.violations
    assert violation.rows == (4,) and "no lines in lines.csv" in violation.rule


def test_excel_and_parquet_sources(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(["Monthly sales"])
    sheet.append([])
    sheet.append(["No", "Rep", "Client", "Date", "Total"])
    sheet.append([1001, "ann", "c1", pd.Timestamp("2026-07-01 10:30").to_pydatetime(), 1234.5])
    sheet.append([1002.0, "bob", "c2", "26.07.2026", "99,5"])
    book.create_sheet("Other")
    book.save(tmp_path / "sales.xlsx")
    mapping = _orders_mapping(file="sales.xlsx", header_row=3, decimal=",")
    with pytest.raises(kt.ParameterError, match="several sheets"):
        kt.load(tmp_path, mapping=mapping)
    mapping["tables"]["orders"]["sheet"] = "Orders"
    data = kt.load(tmp_path, mapping=mapping)
    assert data.orders["order_id"].tolist() == ["1001", "1002"]  # Excel numbers as ids: no '.0'
    assert data.orders["amount"].tolist() == [1234.5, 99.5]  # stored numbers stay numbers; text is read
    assert str(data.orders["ordered_at"][0]) == "2026-07-01 10:30:00"
    sheet = book["Orders"]
    sheet.append([1003, "cat", "c3", "2026-07-03", -1])
    book.save(tmp_path / "sales.xlsx")
    error = _error(tmp_path, mapping)
    assert "sales.xlsx, sheet 'Orders', column 'Total', row 6" in str(error)

    pd.DataFrame(
        {"No": [7.0], "Rep": ["ann"], "Client": ["c1"], "Date": [pd.Timestamp("2026-07-01")], "Total": [3]}
    ).to_parquet(tmp_path / "sales.parquet")
    data = kt.load(tmp_path, mapping=_orders_mapping(file="sales.parquet"))
    assert data.orders["order_id"].tolist() == ["7"] and data.orders["amount"].tolist() == [3.0]


def test_old_xls_is_refused(tmp_path):
    (tmp_path / "sales.xls").write_text("<html></html>")
    with pytest.raises(kt.ParameterError, match=r"\.xls.*HTML"):
        kt.load(tmp_path, mapping=_orders_mapping(file="sales.xls"))


def test_canonical_folder_reads_utf16_but_not_cp1251(tmp_path, tiny_folder):
    text = (tiny_folder / "managers.csv").read_text()
    (tiny_folder / "managers.csv").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    assert kt.load(tiny_folder).manager_info.loc["ann", "name"] == "Ann Lee"
    (tiny_folder / "managers.csv").write_bytes(text.replace("Ann Lee", "Анна Ли").encode("cp1251"))
    with pytest.raises(kt.DataValidationError, match="not UTF-8"):
        kt.load(tiny_folder)


def test_canonical_semicolon_file_gets_a_hint(tmp_path, tiny_folder):
    text = (tiny_folder / "orders.csv").read_text().replace(",", ";")
    (tiny_folder / "orders.csv").write_text(text)
    with pytest.raises(kt.DataValidationError, match="describe the file in a mapping"):
        kt.load(tiny_folder)


def test_mapping_fiscal_year_and_data_source(tmp_path):
    folder = _write(tmp_path, "sales.csv", SALES)
    data = kt.load(folder, mapping={**_orders_mapping(decimal=","), "fiscal_year_start": 7})
    assert data.fiscal_year_start == 7 and "(mapping <dict>)" in data.source
    assert (
        kt.load(folder, mapping={**_orders_mapping(decimal=",")}, fiscal_year_start=4).fiscal_year_start == 4
    )


def test_canonical_folder_counts_blank_lines_and_skips_empty_rows(tiny_folder):
    lines = (tiny_folder / "orders.csv").read_text().splitlines()
    lines[3:3] = ["", ",,,,,"]  # a blank line and an empty row after line 3
    lines[6] = lines[6].replace("50.0", "-50.0")  # o4, now on line 7
    (tiny_folder / "orders.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(tiny_folder)
    assert info.value.violations[0].rows == (7,)
    data = kt.load(tiny_folder, on_invalid="quarantine")
    assert data.row_counts.set_index("table").loc["orders", "rows_read"] == 7


def test_canonical_repeated_header_is_named_not_renamed(tiny_folder):
    text = (tiny_folder / "orders.csv").read_text().splitlines()
    text = [line + ("," + line.split(",")[4]) for line in text]  # a second 'amount' column
    (tiny_folder / "orders.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(kt.DataValidationError, match=r"column name\(s\) \['amount'\] appear more than once"):
        kt.load(tiny_folder)


@pytest.mark.parametrize(
    "cells",
    [
        ["a", None, "b"],
        ["a", "", " b "],
        [None, None],
        [],
        ["a", 1.5, None],
        [float("nan"), "x"],
        ["NULL", "y", 7],
        [pd.Timestamp("2026-01-02"), "z"],
    ],
)
def test_map_cells_is_pandas_map(cells: list[object]) -> None:
    """The copy-free mapping of cells gives what ``map(...).astype(object)`` gives, NaN and None alike."""
    from kpi_toolkit.mapping.convert import _map_cells, nullify, text_cells
    from kpi_toolkit.mapping.files import as_text

    values = pd.Series(cells, dtype=object, index=range(10, 10 + len(cells)), name="c")

    def clean(value: object) -> str | None:
        text = as_text(value)
        return None if not text or not text.strip() or text.strip() == "NULL" else text.strip()

    for fn in (clean, as_text, lambda v: v):
        expected = values.map(fn).astype(object)
        pd.testing.assert_series_equal(_map_cells(values, fn), expected, check_exact=True)
        got = _map_cells(values, fn).tolist()
        assert [type(v) for v in got] == [type(v) for v in expected.tolist()]
    assert text_cells(values, ("NULL",)).index.equals(values.index)
    assert nullify(values, ("NULL",)).name == "c"


def test_rows_as_text_are_kept_only_for_the_quarantine(tmp_path):
    """With ``on_invalid="raise"`` nothing is quarantined: the export's rows are not copied as text (at 2
    million orders that copy cost about 130 MiB and 6 s of CPU); with the quarantine they are shown."""
    from kpi_toolkit.mapping import apply_mapping

    folder = _write(tmp_path, "sales.csv", SALES.replace("1 234,50", "lots"))
    spec = read_mapping(_orders_mapping(decimal=","))
    assert apply_mapping(spec, folder, keep_originals=False).originals == {}
    kept = apply_mapping(spec, folder).originals
    assert [list(frame.columns) for frame in kept.values()] == [[*ORDERS.values(), "_row"]]
    error = _error(folder, _orders_mapping(decimal=","))
    assert [(v.column, v.rows, v.examples) for v in error.violations] == [("Total", (2,), ("lots",))]
    data = kt.load(folder, mapping=_orders_mapping(decimal=","), on_invalid="quarantine")
    assert data.quarantine["row"].tolist() == [2]
    assert json.loads(data.quarantine["values"].iloc[0]) == dict(
        zip(ORDERS.values(), ["1", "ann", "c1", "26.11.2026", "lots"], strict=True)
    )
