"""Row numbers of CSV records that span lines (a quoted line break) or follow blank lines, on DuckDB.

DuckDB's reader numbers records by position; the pandas engine by the line each record starts on (the csv
module's count). ``kpi_toolkit.engines.duckdb_csv.number_rows`` makes DuckDB cite the pandas engine's lines:
the same rows in every violation, on the typed fast path, on the text path and for the small tables.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.engines import duckdb_csv
from kpi_toolkit.engines.duckdb import DuckDBBackend
from kpi_toolkit.engines.duckdb_csv import line_numbers
from kpi_toolkit.reading import ROW, read_table
from kpi_toolkit.textfiles_fast import count_bytes
from tests.conftest import tiny_tables, write_tables

NOTES = ["two\nlines", "", "a\r\nb\r\nc", "", "\n", "x", "last\n"]


def _folder(tmp_path: Path, *, bad: bool) -> Path:
    """The tiny tables with multi-line notes in orders and plans, blank lines, and (``bad``) broken cells
    right after records of several lines."""
    tables = tiny_tables()
    orders, plans = tables["orders"], tables["plans"]
    orders["amount"] = orders["amount"].astype(object)
    orders["notes"] = NOTES
    plans["comment"] = ["", "see\nbelow", "", "", ""]
    plans["target"] = plans["target"].astype(object)
    if bad:
        orders.loc[1, "amount"] = "12x"  # the record after o1's two lines
        orders.loc[3, "amount"] = "bad"  # after o3's three
        plans.loc[2, "target"] = "lots"  # after a plan of two lines
    folder = write_tables(tmp_path / ("bad" if bad else "clean"), tables)
    for name in ("orders", "plans"):
        lines = (folder / f"{name}.csv").read_bytes().split(b"\n")
        lines.insert(3, b"")  # orders: a blank line 4 after o1's two lines; plans: inside "see\nbelow"
        (folder / f"{name}.csv").write_bytes(b"\n".join(lines))
    return folder


def _violations(folder: Path, engine: str) -> list[tuple]:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, engine=engine)
    return sorted((v.table, v.column, v.rule, v.rows, v.n_rows, v.examples) for v in info.value.violations)


@pytest.mark.parametrize("typed", [True, False], ids=["typed-path", "text-path"])
def test_a_bad_cell_after_a_record_of_several_lines_is_cited_by_its_line(tmp_path, monkeypatch, typed):
    folder = _folder(tmp_path, bad=True)
    lines = (folder / "orders.csv").read_bytes().split(b"\n")
    assert lines[4].startswith(b"o2,") and lines[8].startswith(b"o4,")
    assert (folder / "plans.csv").read_bytes().split(b"\n")[5].startswith(b"ann,2026-09,")
    pandas = _violations(folder, "pandas")
    assert [(v[0], v[1], v[3]) for v in pandas] == [("orders", "amount", (5, 9)), ("plans", "target", (6,))]
    if not typed:
        monkeypatch.setattr(
            DuckDBBackend, "read", lambda self, table, path: self._read(table, Path(path), typed_csv=False)
        )
    assert _violations(folder, "duckdb") == pandas


def test_a_clean_file_of_several_line_records_loads_alike(tmp_path):
    folder = _folder(tmp_path, bad=False)
    pandas = kt.load(folder, engine="pandas")
    duck = kt.load(folder, engine="duckdb")
    pd.testing.assert_frame_equal(
        kt.manager_kpis(pandas, period="2026Q3"), kt.manager_kpis(duck, period="2026Q3"), check_exact=False
    )
    (stored,) = duck.connection.sql(
        "SELECT table_name FROM duckdb_tables() WHERE table_name LIKE '_kt_orders_%'"
    ).fetchall()[0]
    rows = duck.connection.sql(f"SELECT order_id, notes, _row FROM {stored} ORDER BY _row").fetchall()
    assert [r[0] for r in rows] == pandas.orders["order_id"].tolist()
    assert [r[1] or "" for r in rows] == NOTES
    lines = read_table("orders", folder / "orders.csv").frame[ROW].tolist()
    assert [r[2] for r in rows] == lines == [2, 5, 6, 9, 10, 12, 13]


def test_one_line_records_cost_one_count_of_the_line_ends(tmp_path, monkeypatch):
    """A file whose records each fill one line keeps DuckDB's numbers; the bytes are not scanned."""
    folder = write_tables(tmp_path / "plain", tiny_tables())
    monkeypatch.setattr(duckdb_csv, "record_lines", lambda data, width: pytest.fail("scanned"))
    counts = count_bytes(folder / "orders.csv")
    assert (counts.lines, counts.commas, counts.nul) == (8, 5 * 8, False)
    assert line_numbers(folder / "orders.csv", 6, 8) is None
    kt.load(folder, engine="duckdb")


def test_the_file_is_read_exactly_where_the_lines_cannot_be_told(tmp_path):
    """One column (DuckDB reads a blank line as a record there), a header of two lines (DuckDB's reader
    mishandles it), quotes the checks refuse, lone \\r line ends, fewer records than the bytes hold: DuckDB's
    records are not provably the file's, and the caller reads it exactly."""
    path = tmp_path / "x.csv"
    for data, width, last_row in [
        (b'a\n"x\ny"\n\n2\n', 1, 3),
        (b'"a\nb",c\n1,2\n', 2, 2),
        (b'"a\nb",c\r\n1,2\r\n', 2, None),  # DuckDB read this as no record at all
        (b'a,b\n1,x"y\n2,"z\nw"\n', 2, 3),
        (b"a,b\r1,2\r\r3,4\r", 2, 3),
        (b'a,b\n1,"x\ny"\n\n2,z\n3,w', 2, 3),  # the last record is missing
        (b"a,b\n1,2\n", 2, None),
    ]:
        path.write_bytes(data)
        with pytest.raises(duckdb_csv.Unmatched):
            line_numbers(path, width, last_row)
    path.write_bytes(b"a,b\n1,2\n\n , \n,\r\n")  # blank records at the end: left out by both readers
    assert line_numbers(path, 2, 2).tolist() == [2, 4, 5]
    for data in (b"a,b\n\n,\n \n", b"a,b\r\n"):
        path.write_bytes(data)
        assert line_numbers(path, 2, None) is None
    path.write_bytes(b'a,b\n1,"x\ny"\n\n2,z\n3,w')
    assert line_numbers(path, 2, 4).tolist() == [2, 5, 6]
    assert line_numbers(path, 2, 4).dtype == np.int64
