"""A mapped CSV export's cells stay pandas' Arrow-backed text (``str``): a column the mapping only renames
goes through as it is, and every reader of the file gives what it gave on object columns of Python strings."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import kpi_toolkit as kt
from kpi_toolkit.mapping import files, read_mapping
from kpi_toolkit.mapping.cell_reader import _as_text_frame
from kpi_toolkit.mapping.convert import (
    arrow_text,
    convert_dates,
    convert_numbers,
    nullify,
    nullify_column,
    text_cells,
    text_column,
)
from kpi_toolkit.mapping.files import as_text
from kpi_toolkit.mapping.spec import ReadOptions
from kpi_toolkit.parsing import WHITESPACE

#: Cells that test every branch: white space of every kind at either end, empty, null markers, text beyond
#: ASCII (whose first or last byte may be that of a white-space character), numbers and dates of each form.
AWKWARD = [
    "a", "O1", " O2", "O3 ", "\tO4\n", "", " ", "  ", "NULL", " NULL ", "-", "Ж", "Иван", "ан\u00a0",
    "\u3000x", "x\u2028", "\x1cx", "x\x1f", "\u0085", "\u200bx", "é", "x\u00e0", "中", "12.5", "7.0",
    "1 234,5", "1e3", "-0.0", "0.0", "0.00001", "0.0001", "0.00012", "12345678901234567.5",
    "123456789012345.6", "1234567890123.45", "abc", " 12.5 ", "+3.25", "٣.٥", "10.10", "0.5", "-2.75", "1,5",
    "1\u00a0234.5", "inf", "nan", "−5.5", ".5", "5.", "0012.5", "99.99", "-0.25", "2026-01-05",
    "2026-01-05 10:00:00", " 2026-02-03", "2026-02-30", "05.01.2026", "13.01.2026", "01/13/2026",
    "2026/01/05",
    "2026-01-05T10:00", "٢٠٢٦-01-05", "2026-1-5", "2026-01-05 10:00\u00a0", "2026-01-05\nx", "2026-01-05 x",
    "31.12.2025 23:59",
]  # fmt: skip


def _pair(cells: list[str]) -> tuple[pd.Series, pd.Series]:
    index = pd.RangeIndex(3, 3 + len(cells))
    return pd.Series(cells, dtype=object, index=index), pd.Series(cells, dtype="str", index=index)


def _same(arrow: pd.Series, python: pd.Series, *, kept: bool = True) -> None:
    """The Arrow result (Arrow-backed unless not ``kept``) holds the cells the Python result holds (missing:
    ``NaN`` or ``None``)."""
    assert arrow_text(arrow) == kept, arrow.dtype
    assert arrow.index.equals(python.index)
    want = [None if v is None or v != v else v for v in python.tolist()]
    got = [None if v != v else v for v in arrow.tolist()]
    assert got == want


def test_white_space_is_what_python_strips():
    """The byte tables that let a cell skip Python are built from exactly the characters str.strip removes."""
    assert {chr(i) for i in range(0x110000) if chr(i).isspace()} == set(WHITESPACE)


@pytest.mark.parametrize("nulls", [(), ("NULL", "-"), ("",)])
def test_text_and_nullify_give_on_arrow_text_what_they_give_on_python_strings(nulls):
    python, arrow = _pair(AWKWARD)
    _same(text_column(arrow, nulls), text_cells(python, nulls))
    _same(nullify_column(arrow, nulls), nullify(python, nulls))
    # the public functions keep their object results for Arrow-backed input (where:, lookups, templates)
    assert text_cells(arrow, nulls).dtype == object
    assert text_cells(arrow, nulls).tolist() == text_cells(python, nulls).tolist()
    assert nullify(arrow, nulls).tolist() == nullify(python, nulls).tolist()


def test_a_column_with_nothing_to_change_is_returned_as_it_is():
    _, arrow = _pair(["O1", "O2", "Иван", "x y"])
    assert text_column(arrow) is arrow
    assert nullify_column(arrow, ("NULL",)) is arrow


def test_columns_of_empty_and_missing_cells_alike():
    for cells in (["", " ", "\u00a0"], []):
        python, arrow = _pair(cells)
        _same(text_column(arrow), text_cells(python))
        _same(nullify_column(arrow, ()), nullify(python, ()))
    python, arrow = _pair(["a", "b"])
    arrow.iloc[1] = np.nan
    _same(text_column(arrow), text_cells(python.where(python != "b", None)))


@pytest.mark.parametrize(
    ("decimal", "thousands"), [(".", " "), (".", ","), (".", ""), (",", " "), (",", ".")]
)
def test_numbers_on_arrow_text_are_those_on_python_strings(decimal, thousands):
    python, arrow = _pair(AWKWARD)
    out, bad = convert_numbers(arrow, decimal=decimal, thousands=thousands)
    want, want_bad = convert_numbers(python, decimal=decimal, thousands=thousands)
    _same(out, want, kept=decimal == ".")  # a decimal comma changes every number: Python's objects
    assert bad.tolist() == want_bad.tolist() and bad.index.equals(want_bad.index)


def test_random_decimals_keep_their_repr():
    """The cells kept as they are must be the repr of their float: random decimals of every length and
    scale, and the floats' own repr, compared with the Python conversion."""
    rng = random.Random(13)
    cells = []
    for _ in range(20_000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 19)))
        point = rng.randint(0, len(digits))
        text = (digits[:point] or "0") + "." + (digits[point:] or "0")
        cells.append(("-" if rng.random() < 0.3 else "") + text.lstrip("0").rjust(1, "0"))
        cells.append(repr(rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-8, 12)))
    cells += [repr(x) for x in (0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e15 + 0.5, 9007199254740993.0, 5e-324, 1e-4)]
    python, arrow = _pair(cells)
    out, bad = convert_numbers(arrow)
    want, want_bad = convert_numbers(python)
    _same(out, want)
    assert bad.tolist() == want_bad.tolist()


@pytest.mark.parametrize(
    ("date_format", "dayfirst"), [((), True), ((), False), (("%d.%m.%Y", "%Y/%m/%d"), None)]
)
def test_dates_on_arrow_text_are_those_on_python_strings(date_format, dayfirst):
    python, arrow = _pair(AWKWARD)
    out, bad = convert_dates(arrow, date_format=date_format, dayfirst=dayfirst)
    want, want_bad = convert_dates(python, date_format=date_format, dayfirst=dayfirst)
    _same(out, want)
    assert bad.tolist() == want_bad.tolist()


def test_the_date_order_is_decided_on_the_same_cells():
    """Cells in ISO 8601 skip Python; the day.month.year ones decide the order (or ask) as before."""
    for cells in (["2026-01-01", "05.01.2026", "04.02.2026"], ["2026-01-01", "13.01.2026", "01.02.2026"]):
        python, arrow = _pair(cells)
        try:
            want = convert_dates(python)
        except Exception as exc:  # DateOrderUnknown: the same question, with the same examples
            with pytest.raises(type(exc)) as info:
                convert_dates(arrow)
            assert info.value.args == exc.args
            continue
        out, bad = convert_dates(arrow)
        _same(out, want[0])
        assert bad.tolist() == want[1].tolist()


def test_the_quarantine_originals_are_the_file_columns_themselves():
    frame = pd.DataFrame({0: pd.Series(AWKWARD, dtype="str"), 1: pd.Series(AWKWARD[::-1], dtype="str")})
    kept = _as_text_frame(frame)
    pd.testing.assert_frame_equal(kept, frame.map(as_text), check_exact=True)
    assert kept[0].array._pa_array.chunks[0].buffers()[2].address == (
        frame[0].array._pa_array.chunks[0].buffers()[2].address
    )
    empty = frame.iloc[:0]
    pd.testing.assert_frame_equal(_as_text_frame(empty), empty.map(as_text), check_exact=True)


SALES = (
    "No;Rep;Client;Date;Total;Kind;First;Last\n"
    "1;ann;c1;26.11.2026;1 234,50;sale;Ann;Lee\n"
    "2; bob ;c2;03.11.2026;99;;Bo;\n"
    "3;NULL;c3;2026-11-04;12,5;test;;Kim\n"
    "4;Иван;;2026-11-05 10:00;;Sale ;Иван;Петров\n"
    " ;ann;c5;x;7;sale;Ann;Lee\n"
)
MAPPING = {
    "tables": {
        "orders": {
            "file": "sales.csv",
            "decimal": ",",
            "dayfirst": True,
            "null_values": ["NULL"],
            "where": {"Kind": ["sale", ""]},
            "columns": {
                "order_id": "No",
                "manager": "Rep",
                "customer_id": "Client",
                "ordered_at": "Date",
                "amount": "Total",
            },
            "values": {"customer_id": {"c2": "C2"}},
            "extra": {"kind": "Kind", "who": "First"},
        },
        "managers": {
            "file": "sales.csv",
            "where": {"Kind": ["sale"]},
            "columns": {"manager": "Rep", "name": {"template": "{First} {Last}"}, "team": "Kind"},
        },
    }
}


def _objects(monkeypatch) -> None:
    """Read CSV files as before: every cell a Python string in an object column."""
    original = files._csv

    def as_objects(*args, **kwargs):
        read = original(*args, **kwargs)
        frame = read.frame.copy()
        for column in frame.columns[:-1]:
            frame[column] = frame[column].astype(object)
        return dataclasses.replace(read, frame=frame)

    monkeypatch.setattr(files, "_csv", as_objects)


def _outcome(folder: Path, on_invalid: str) -> dict | str:
    try:
        data = kt.load(folder, mapping=MAPPING, on_invalid=on_invalid)
    except kt.DataValidationError as exc:
        return str(exc)
    return {n: getattr(data, n) for n in ("orders", "managers", "row_counts", "quarantine")}


@pytest.mark.parametrize("on_invalid", ["raise", "quarantine"])
def test_a_mapped_export_gives_on_arrow_text_what_python_strings_gave(tmp_path, monkeypatch, on_invalid):
    """where: over empty cells, a value map, a template with an empty field, null markers, bad dates and
    numbers: the same tables, messages and quarantine as with object columns of Python strings."""
    (tmp_path / "sales.csv").write_text(SALES, encoding="utf-8")
    arrow = _outcome(tmp_path, on_invalid)
    with monkeypatch.context() as patch:
        _objects(patch)
        python = _outcome(tmp_path, on_invalid)
    if isinstance(python, str):
        assert arrow == python
        return
    assert isinstance(arrow, dict)
    for name, frame in python.items():
        pd.testing.assert_frame_equal(arrow[name], frame, check_exact=True)
    if on_invalid == "quarantine":
        assert len(arrow["quarantine"]) and "Total" in json.loads(arrow["quarantine"]["values"].iloc[0])


def _buffer(column: pd.Series) -> int:
    return column.array._pa_array.chunks[0].buffers()[2].address


def test_a_renamed_column_goes_through_as_the_file_holds_it(tmp_path):
    """Ids, names, ISO dates and numbers written as their repr need no Python object: the raw table's
    columns are the file's Arrow columns (the same buffers, not copies)."""
    from kpi_toolkit.mapping.build import _Builder

    text = "No,Rep,Client,Date,Total\nO1,ann,C1,2026-01-05,12.5\nO2,Иван,C2,2026-01-06 10:00:00,-0.25\n"
    (tmp_path / "sales.csv").write_text(text, encoding="utf-8")
    spec = read_mapping({"tables": {"orders": {"file": "sales.csv", "columns": {
        "order_id": "No", "manager": "Rep", "customer_id": "Client", "ordered_at": "Date", "amount": "Total",
    }}}})  # fmt: skip
    builder = _Builder(spec, tmp_path, keep_originals=False)
    frame = builder.build().tables["orders"].frame
    (file,) = builder.files.values()
    for position, column in enumerate(("order_id", "manager", "customer_id", "ordered_at", "amount")):
        assert arrow_text(frame[column]), (column, frame[column].dtype)
        assert _buffer(frame[column]) == _buffer(file.frame[position]), column
    assert frame["manager"].tolist() == ["ann", "Иван"] and frame["amount"].tolist() == ["12.5", "-0.25"]


def test_the_file_is_decoded_once_when_pyarrow_declines_it(tmp_path, monkeypatch):
    """A quoted line break sends the file to the csv module: the text decoded for the delimiter serves it."""
    calls = []
    decode = files.decode_bytes

    def counted(data, **kwargs):
        calls.append(len(data))
        return decode(data, **kwargs)

    monkeypatch.setattr(files, "decode_bytes", counted)
    for data, fast in ((b'a;b\n1;"x\ny"\n2;z\n', False), (b"a;b\n1;x\n2;z\n", True)):
        path = tmp_path / "export.csv"
        path.write_bytes(data)
        calls.clear()
        read = files._csv(path, str(path), "orders", ReadOptions())
        assert len(calls) == 1
        assert read.frame[1].tolist() == (["x\ny", "z"] if not fast else ["x", "z"])
        assert all(arrow_text(read.frame[c]) for c in (0, 1))
        assert pa.types.is_large_string(read.frame[1].array._pa_array.type)


def test_missing_cells_are_empty_to_where_templates_and_statuses(tmp_path):
    """A cell text_cells makes missing (NaN) is empty text to where:, a template and the status checks
    (they read ``v or ""``, which a NaN passed through: AttributeError / TypeError)."""
    (tmp_path / "leads.csv").write_text(
        "Lead,Rep,Made,State,Closed,Value,Kind,First,Last\n"
        "L1,ann,2026-01-05,won,2026-01-09,10.5,sale,Ann,\n"
        "L2,ann,2026-01-06,,2026-01-10,3,,,Lee\n"
        "L3,bob,2026-01-07,open,2026-01-11,,sale,Bo,Kim\n",
        encoding="utf-8",
    )
    leads = {"lead_id": "Lead", "manager": "Rep", "created_at": "Made", "status": "State"}
    leads["closed_at"] = "Closed"
    mapping = {
        "tables": {
            "leads": {
                "file": "leads.csv",
                "where": {"Kind": ["sale", ""]},
                "ignore_close_date_of_open_leads": True,
                "columns": leads,
            },
            "orders": {"from_leads": {"amount": "Value", "customer_id": "Rep"}},
            "managers": {
                "file": "leads.csv",
                "where": {"Kind": ["sale"]},
                "columns": {"manager": "Rep", "name": {"template": "{First} {Last}"}, "team": "Kind"},
            },
        }
    }
    data = kt.load(tmp_path, mapping=mapping, on_invalid="quarantine")
    assert data.orders["order_id"].tolist() == ["L1"] and data.orders["amount"].tolist() == [10.5]
    assert data.leads["closed_at"].isna().tolist() == [False, True]  # L3 is open
    assert data.managers["name"].tolist() == ["Ann", "Bo Kim"]
    assert data.quarantine["row"].tolist() == [3]  # the lead without a status
