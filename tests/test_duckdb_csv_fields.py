"""CSV records DuckDB's reader reads where the toolkit's refuses them: the DuckDB engine reads them exactly.

DuckDB's ``read_csv`` (2.0.1, ``strict_mode=true, null_padding=false``) reads a record whose fields beyond
the header's are empty (``o2,...,200.0,,`` under six names) as if they were not there, and a NUL byte as a
character; the pandas engine refuses both files ("a row has [7] fields where the header has 6", "the file
holds NUL bytes"). It also takes a blank first line for the header, which the pandas engine skips. The
engine finds these from the file's bytes (:func:`kpi_toolkit.engines.duckdb_csv.line_numbers`) and reads
the file with the toolkit's own reader: the pandas engine's violations, word for word. A record whose last
field is empty at the header's width (the tiny orders' empty ``lead_id``) is an ordinary export's: it
costs one count of the file's commas, not a scan of its records, and DuckDB's read is kept.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.engines import duckdb_csv
from kpi_toolkit.engines.duckdb import DuckDBBackend
from tests.conftest import tiny_tables, write_tables
from tests.test_duckdb_csv import paths  # noqa: F401 (a fixture)


def _folder(root: Path, table: str, edits: dict[bytes, bytes]) -> Path:
    folder = write_tables(root, tiny_tables())
    path = folder / f"{table}.csv"
    data = path.read_bytes()
    for old, new in edits.items():
        assert old in data
        data = data.replace(old, new)
    path.write_bytes(data)
    return folder


def _violations(folder: Path, engine: str) -> list[tuple]:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, engine=engine)
    return sorted((v.table, v.column, v.rule, v.rows, v.n_rows, v.fix) for v in info.value.violations)


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Records each table's ``read_small`` of a CSV file: True where DuckDB's read was kept, False where the
    exact reader reads the file."""
    kept: dict[str, bool] = {}
    original = DuckDBBackend.read_small

    def spy(self, table, path):
        found = original(self, table, path)
        kept[table] = found is not None
        return found

    monkeypatch.setattr(DuckDBBackend, "read_small", spy)
    return kept


WIDE = {  # the edits, the lines cited, the widths found
    # o2 (line 3): one empty field more than the header's six
    "one": ({b",200.0,\n": b",200.0,,\n"}, (3,), "[7]"),
    # o2 and o4 (lines 3 and 5): two more, and one more written as a quoted empty field
    "two": ({b",200.0,\n": b",200.0,,,\n", b",50.0,\n": b',50.0,,""\n'}, (3, 5), "[7, 8]"),
    # o7, the last record, without a line end after it
    "last": ({b",80.0,\n": b",80.0,,"}, (8,), "[7]"),
    # with \r\n line ends
    "crlf": ({b"\n": b"\r\n", b",200.0,\r\n": b",200.0,,\r\n"}, (3,), "[7]"),
    # after a quoted value holding a line break (o1's lead id): records no longer one a line
    "multiline": ({b",100.0,\n": b',100.0,"L\nx"\n', b",200.0,\n": b",200.0,,\n"}, (4,), "[7]"),
    # after a quoted comma (o1's lead id): the commas alone do not tell
    "quoted": ({b",100.0,\n": b',100.0,"L,x"\n', b",200.0,\n": b",200.0,,\n"}, (3,), "[7]"),
}


def _refused_by_pandas(folder: Path, table: str, rows: tuple[int, ...], widths: str) -> list[tuple]:
    """The pandas engine's violations of ``folder``: one, the ragged rows of ``table`` (``widths``: the
    message's "[7] fields where the header has 6")."""
    pandas = _violations(folder, "pandas")
    assert [(v[0], v[1], v[3], v[4]) for v in pandas] == [(table, None, rows, len(rows))]
    assert pandas[0][2].startswith(f"a row has {widths}")
    return pandas


@pytest.mark.parametrize("route", ["typed", "text"])
@pytest.mark.parametrize("case", WIDE)
def test_empty_fields_beyond_the_header_are_refused_as_on_pandas(tmp_path, paths, case, route):  # noqa: F811
    """DuckDB's reader read these records with the header's six fields, and the file loaded."""
    edits, rows, widths = WIDE[case]
    if route == "text":  # o3's amount sends the file from DuckDB's typed read to its text read
        edits = {**edits, b",300.0,": b",lots,"}
    folder = _folder(tmp_path / case, "orders", edits)
    pandas = _refused_by_pandas(folder, "orders", rows, f"{widths} fields where the header has 6")
    paths.clear()
    assert _violations(folder, "duckdb") == pandas
    assert paths == ([True] if route == "typed" else [True, False]) + ["exact"]


PLANS = {  # the edits, the lines cited, the widths found
    "one": ({b"2026-08,sales_volume,200.0\n": b"2026-08,sales_volume,200.0,\n"}, (3,), "[5]"),
    "two": (
        {b"2026-08,sales_volume,200.0\n": b"2026-08,sales_volume,200.0,\n", b",0.5\n": b",0.5,,\n"},
        (3, 6),
        "[5, 6]",
    ),
}


@pytest.mark.parametrize("case", PLANS)
def test_plans_with_empty_fields_beyond_the_header_are_refused_as_on_pandas(tmp_path, small, case):
    """Plans are read by ``read_small``, which hands a file DuckDB did not provably read to the exact
    reader."""
    edits, rows, widths = PLANS[case]
    folder = _folder(tmp_path / case, "plans", edits)
    pandas = _refused_by_pandas(folder, "plans", rows, f"{widths} fields where the header has 4")
    small.clear()
    assert _violations(folder, "duckdb") == pandas
    assert small == {"plans": False, "managers": True}


@pytest.mark.parametrize("table", ["orders", "plans"])
def test_a_nul_byte_is_refused_as_on_pandas(tmp_path, paths, small, table):  # noqa: F811
    """DuckDB's reader read the NUL as a character of the manager's name (orders: an unknown manager)."""
    folder = _folder(
        tmp_path / table,
        table,
        {b"\nann,": b"\na\x00nn,"} if table == "plans" else {b"o2,ann": b"o2,a\x00nn"},
    )
    pandas = _violations(folder, "pandas")
    assert [v[:2] for v in pandas] == [(table, None)]
    assert pandas[0][2].startswith("the file holds NUL bytes")
    paths.clear()
    small.clear()
    assert _violations(folder, "duckdb") == pandas
    if table == "orders":
        assert paths[-1] == "exact"
    else:
        assert small == {"plans": False, "managers": True}


def test_an_empty_last_field_at_the_headers_width_keeps_duckdbs_read(tmp_path, paths, small, monkeypatch):  # noqa: F811
    """The tiny orders' empty lead ids (and a lead's closed_at): the commas are counted, the records not
    scanned."""
    folder = write_tables(tmp_path / "plain", tiny_tables())
    assert (folder / "orders.csv").read_bytes().count(b",\n") == 6
    monkeypatch.setattr(duckdb_csv, "record_lines", lambda data, width: pytest.fail("scanned"))
    pandas = kt.manager_kpis(kt.load(folder, engine="pandas"), period="2026Q3")
    paths.clear()
    small.clear()
    duck = kt.manager_kpis(kt.load(folder, engine="duckdb"), period="2026Q3")
    assert paths == [True, True]
    assert small == {"plans": True, "managers": True}
    pd.testing.assert_frame_equal(pandas, duck, check_exact=False)


def test_a_quoted_comma_keeps_duckdbs_read_once_the_fields_are_counted(tmp_path, paths):  # noqa: F811
    """More commas than ``width - 1`` a line: each record's fields are counted, outside quoted values."""
    folder = _folder(tmp_path / "quoted", "orders", {b"o3,ann,c2,": b'o3,ann,"c2,x",'})
    pandas = kt.manager_kpis(kt.load(folder, engine="pandas"), period="2026Q3")
    paths.clear()
    duck = kt.manager_kpis(kt.load(folder, engine="duckdb"), period="2026Q3")
    assert paths == [True, True]
    pd.testing.assert_frame_equal(pandas, duck, check_exact=False)


@pytest.mark.parametrize(
    "first", [b"\n", b" \n", b",,\n", b" , ,\r\n"], ids=["empty", "space", "commas", "crlf"]
)
def test_a_blank_first_line_is_skipped_as_on_pandas(tmp_path, paths, first):  # noqa: F811
    """DuckDB's reader took it for the header and the header for a record (violations on line 2), or the
    names were read from it (required columns missing)."""
    folder = write_tables(tmp_path / "blank", tiny_tables())
    path = folder / "orders.csv"
    path.write_bytes(first + path.read_bytes().replace(b",200.0,", b",lots,"))
    pandas = _violations(folder, "pandas")
    assert [(v[1], v[3]) for v in pandas] == [("amount", (4,))]
    paths.clear()
    assert _violations(folder, "duckdb") == pandas
    assert paths == [True, False, "exact", True]  # orders (the header read as a record), leads
