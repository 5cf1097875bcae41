"""CSV on DuckDB: the typed fast path and the text path give the same tables and the same messages.

The fast path (:mod:`kpi_toolkit.engines.duckdb_csv`) asks DuckDB's reader for numbers and dates; a cell it
does not take makes the file be read as text and typed in SQL (the text path). Each case here is loaded
both ways: the fast path as ``kt.load`` runs it, the text path by forcing ``typed_csv=False``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.engines import duckdb_csv, to_pandas
from kpi_toolkit.engines.duckdb import DuckDBBackend
from kpi_toolkit.engines.duckdb_csv import SAMPLE_BYTES, sample_formats
from tests.conftest import tiny_tables, write_tables


def _tables() -> dict[str, pd.DataFrame]:
    """The tiny tables with dates in one format per column, an integer column and an extra column."""
    tables = tiny_tables()
    orders, leads = tables["orders"], tables["leads"]
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"], format="ISO8601").dt.strftime(
        "%Y-%m-%d %H:%M:%S"
    )
    orders["amount"] = orders["amount"].astype(object)
    orders["lines"] = [1, 2, 3, 1, "", 2, 5]
    orders["channel"] = ["web", "", " shop ", "web", "web", "shop", "web"]
    orders.loc[2, "manager"] = " ann\u00a0"  # white space is stripped on both paths
    leads["created_at"] = pd.to_datetime(leads["created_at"], format="ISO8601").dt.strftime("%Y-%m-%d")
    return tables


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> list[bool | str]:
    """Records each ``_read`` of a CSV file: True for the fast path, False for the text path, "exact"
    for the exact reader."""
    taken: list[bool | str] = []
    original = DuckDBBackend._read

    def spy(self, table, path, *, typed_csv, exact=False):
        if Path(path).suffix == ".csv":
            taken.append("exact" if exact else typed_csv)
        return original(self, table, path, typed_csv=typed_csv, exact=exact)

    monkeypatch.setattr(DuckDBBackend, "_read", spy)
    return taken


def _text_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        DuckDBBackend, "read", lambda self, table, path: self._read(table, Path(path), typed_csv=False)
    )


def _outcome(folder: Path) -> tuple[str, object]:
    """What loading gives: the typed orders and leads with every helper column, or the violations."""
    try:
        data = kt.load(folder, engine="duckdb")
    except kt.DataValidationError as error:
        return "invalid", [
            (v.table, v.column, v.rule, v.rows, v.n_rows, v.examples, v.fix) for v in error.violations
        ]
    frames = {}
    for name in ("orders", "leads"):
        frame = to_pandas(getattr(data, name))
        frames[name] = frame.sort_values(frame.columns[0], ignore_index=True)
    return "valid", (frames, kt.manager_kpis(data, period="2026Q3"))


def _assert_same(fast: tuple[str, object], text: tuple[str, object]) -> None:
    assert fast[0] == text[0]
    if fast[0] == "invalid":
        assert fast[1] == text[1]
        return
    (fast_frames, fast_kpis), (text_frames, text_kpis) = fast[1], text[1]
    for name in fast_frames:
        pd.testing.assert_frame_equal(fast_frames[name], text_frames[name])
    pd.testing.assert_frame_equal(fast_kpis, text_kpis)


def test_a_clean_file_takes_the_fast_path_and_gives_the_text_paths_table(tmp_path, paths, monkeypatch):
    folder = write_tables(tmp_path / "clean", _tables())
    fast = _outcome(folder)
    assert paths == [True, True]  # orders and leads, no fallback
    _text_path(monkeypatch)
    assert _outcome(folder)[0] == "valid"
    _assert_same(fast, _outcome(folder))


def test_the_stored_tables_are_the_same(tmp_path):
    """Every helper column the validation reads (flags, hashes, row numbers) agrees, row by row."""
    folder = write_tables(tmp_path / "clean", _tables())
    backend = DuckDBBackend()
    for table in ("orders", "leads"):
        fast = backend._read(table, folder / f"{table}.csv", typed_csv=True)
        text = backend._read(table, folder / f"{table}.csv", typed_csv=False)
        got, expected = to_pandas(fast.frame), to_pandas(text.frame)
        assert sorted(got.columns) == sorted(expected.columns)
        got = got[expected.columns].sort_values("_row", ignore_index=True)
        pd.testing.assert_frame_equal(got, expected.sort_values("_row", ignore_index=True), check_dtype=False)
    # the fast table stores fewer flags: a typed date or number is missing exactly where its cell is empty
    stored = backend.connection.sql(
        "SELECT table_name, list(column_name) FROM duckdb_columns() WHERE table_name LIKE '_kt_orders_%' "
        "GROUP BY ALL"
    ).fetchall()
    # written in that order; the names count on from the process's earlier tables ('_kt_orders_9' < '_10')
    (_, fast_columns), (_, text_columns) = sorted(stored, key=lambda row: int(row[0].rsplit("_", 1)[1]))
    assert {"_empty__ordered_at", "_empty__amount"} & set(fast_columns) == set()
    assert {"_empty__ordered_at", "_empty__amount"} <= set(text_columns)


# Each case: (table, column, row index, cell). The text path's message or value is the expected one.
CELLS = [
    ("orders", "amount", 1, "inf"),  # not finite: does not parse
    ("orders", "amount", 1, "nan"),
    ("orders", "amount", 1, "1e400"),
    ("orders", "amount", 1, "12,5"),
    ("orders", "amount", 1, "  "),  # blank: empty
    ("orders", "amount", 1, "\u00a012.5"),  # white space the reader does not strip
    ("orders", "amount", 1, "-5"),  # parses: a rule, on the fast path
    ("orders", "amount", 1, " 1e3 "),
    ("orders", "lines", 1, "2.5"),  # not whole
    ("orders", "lines", 1, "inf"),
    ("orders", "ordered_at", 2, "2026-07-10 10:00:00+03:00"),  # an offset: converted to UTC
    ("orders", "ordered_at", 2, "2026-07-10 10:00:00Z"),
    ("orders", "ordered_at", 2, "2026-07-10T10:00:00"),  # another format
    ("orders", "ordered_at", 2, "2026-07-10 10:00:00.5"),
    ("orders", "ordered_at", 2, "2026-02-30 10:00:00"),  # no such day
    ("orders", "ordered_at", 2, "2026-07-10 24:00:00"),
    ("orders", "ordered_at", 2, "10.07.2026"),
    ("orders", "ordered_at", 2, ""),  # required: empty
    ("orders", "ordered_at", 2, " 2026-07-10 10:00:00 "),
    ("leads", "created_at", 3, "2026-05-01 10:00"),  # a date-time among dates
    ("leads", "created_at", 3, "2026-13-01"),
    ("leads", "closed_at", 0, ""),  # won without closed_at: a rule
]


@pytest.mark.parametrize("sample", [SAMPLE_BYTES, 160], ids=["sampled", "after-the-sample"])
@pytest.mark.parametrize(("table", "column", "row", "cell"), CELLS, ids=[f"{c[1]}={c[3]!r}" for c in CELLS])
def test_a_cell_gives_the_text_paths_outcome(tmp_path, monkeypatch, table, column, row, cell, sample):
    """A cell in the sample leaves its column typed from text; one after it makes the fast read fail."""
    monkeypatch.setattr(duckdb_csv, "SAMPLE_BYTES", sample)
    tables = _tables()
    tables[table][column] = tables[table][column].astype(object)
    tables[table].loc[row, column] = cell
    folder = write_tables(tmp_path / "cell", tables)
    fast = _outcome(folder)
    _text_path(monkeypatch)
    _assert_same(fast, _outcome(folder))


@pytest.mark.parametrize(("sample", "taken"), [(SAMPLE_BYTES, [True, True]), (160, [True, False, True])])
def test_an_offset_is_converted_to_utc(tmp_path, paths, monkeypatch, sample, taken):
    """In the sample: the column is typed from text; after it: the fast read fails, the text path runs."""
    monkeypatch.setattr(duckdb_csv, "SAMPLE_BYTES", sample)
    tables = _tables()
    tables["orders"].loc[2, "ordered_at"] = "2026-07-10 10:00:00+03:00"
    data = kt.load(write_tables(tmp_path / "offset", tables), engine="duckdb")
    assert paths == taken
    orders = to_pandas(data.orders).set_index("order_id")
    assert orders.loc["o3", "ordered_at"] == pd.Timestamp("2026-07-10 07:00:00")


def test_a_ragged_row_gives_the_pandas_engines_message_after_the_fallbacks(tmp_path, paths):
    """DuckDB's typed and text reads refuse the file; the toolkit's own reader then words why."""
    folder = write_tables(tmp_path / "ragged", _tables())
    lines = (folder / "orders.csv").read_text().splitlines()
    lines[3] += ",extra"
    (folder / "orders.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(kt.DataValidationError, match=r"\[9\] fields where the header has 8") as info:
        kt.load(folder, engine="duckdb")
    assert info.value.violations[0].rows == (4,)
    assert paths == [True, False, "exact"]


def test_blank_records_are_left_out_on_both_paths(tmp_path, monkeypatch):
    folder = write_tables(tmp_path / "blank", _tables())
    lines = (folder / "orders.csv").read_text().splitlines()
    lines.insert(3, ",,,,,,,")
    lines.insert(5, ' , ,"",,,, ,')
    (folder / "orders.csv").write_text("\n".join(lines) + "\n")
    fast = _outcome(folder)
    _text_path(monkeypatch)
    _assert_same(fast, _outcome(folder))


def test_sample_formats_takes_one_format_per_column(tmp_path):
    path = tmp_path / "orders.csv"
    rows = [
        "a,b,c,d",
        "2026-01-02 10:00:00,2026-01-02T10:00:00,2026-01-02,",
        "2026-01-03 11:00:00,2026-01-03,2026-1-3,",
    ]
    path.write_text("\n".join(rows) + "\n")
    # b mixes two formats and d is empty in the sample: both are typed from text
    assert sample_formats(path, ["a", "b", "c", "d"], ["a", "b", "c", "d"]) == {
        "a": ("TIMESTAMP", "%Y-%m-%d %H:%M:%S"),
        "c": ("DATE", "%Y-%m-%d"),
    }
    # one TIMESTAMP format per file: the first column's
    path.write_text("a,b\n2026-01-02 10:00:00,2026-01-02T10:00:00\n")
    assert sample_formats(path, ["a", "b"], ["a", "b"]) == {"a": ("TIMESTAMP", "%Y-%m-%d %H:%M:%S")}
