"""Row numbers of a CSV file DuckDB reads on several threads.

The engine stores a CSV file's typed records in a table and numbers them by the table's ``rowid``, which
follows the file because DuckDB keeps insertion order (``preserve_insertion_order``, on by default); a window
(``row_number() OVER ()``) would keep the order too, but only by reading the file on one thread. On a
connection that does not keep insertion order the engine numbers the records with that window. Either way a
bad cell is cited by its line, as the pandas engine cites it, in a file large enough for DuckDB to split it
between threads (about 8 MB per piece).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.engines.duckdb import DuckDBBackend, connect
from tests.conftest import tiny_tables, write_tables

N = 300_000
#: Positions (0-based, among the records) of the bad amounts: the start, the middle and the end of the file.
BAD = (5, 150_000, N - 10)
#: The line after which a blank line is added (the file's lines 1 .. N + 1: header, records).
BLANK_AFTER = 100_000


def _folder(tmp_path: Path, *, blank: bool) -> Path:
    tables = tiny_tables()
    i = np.arange(N)
    orders = pd.DataFrame(
        {
            "order_id": [f"o{k}" for k in i],
            "manager": np.array(["ann", "bob", "cat"])[i % 3],
            "customer_id": [f"c{k % 1000}" for k in i],
            "ordered_at": "2026-07-05",
            "amount": (i % 500 + 1.0).astype(object),
            "lead_id": "",
        }
    )
    orders.loc[list(BAD), "amount"] = "n/a"
    tables["orders"] = orders
    folder = write_tables(tmp_path / ("blank" if blank else "plain"), tables)
    if blank:
        path = folder / "orders.csv"
        lines = path.read_bytes().split(b"\n")
        lines.insert(BLANK_AFTER, b"")
        path.write_bytes(b"\n".join(lines))
    assert (folder / "orders.csv").stat().st_size > 8_000_000  # DuckDB gives each thread 8 MB at a time
    return folder


def _lines(*, blank: bool) -> tuple[int, ...]:
    """The lines of the bad amounts: record k is on line k + 2, one more after the blank line."""
    return tuple(k + 2 + (blank and k + 2 > BLANK_AFTER) for k in BAD)


def _connection(*, ordered: bool):
    connection = connect()
    connection.execute("SET threads = 4")  # several threads read the file, whatever the machine's cores
    if not ordered:
        connection.execute("SET preserve_insertion_order = false")
    return connection


def _amount_rows(folder: Path, **options) -> tuple[int, ...]:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, **options)
    (violation,) = [v for v in info.value.violations if v.table == "orders"]
    assert violation.column == "amount" and violation.n_rows == len(BAD)
    return violation.rows


@pytest.mark.parametrize("blank", [False, True], ids=["one-line-records", "a-blank-line"])
@pytest.mark.parametrize("ordered", [True, False], ids=["insertion-order", "no-insertion-order"])
def test_bad_cells_are_cited_by_their_lines_on_several_threads(tmp_path, blank, ordered):
    folder = _folder(tmp_path, blank=blank)
    expected = _lines(blank=blank)
    assert _amount_rows(folder, engine="pandas") == expected
    assert _amount_rows(folder, engine="duckdb", connection=_connection(ordered=ordered)) == expected


@pytest.mark.parametrize("ordered", [True, False], ids=["insertion-order", "no-insertion-order"])
def test_every_record_gets_its_line_and_only_an_unordered_connection_stores_positions(tmp_path, ordered):
    folder = _folder(tmp_path, blank=False)
    backend = DuckDBBackend(_connection(ordered=ordered))
    table = backend._read("orders", folder / "orders.csv", typed_csv=False)  # the bad amounts are text
    query = table.frame.to_native().sql_query()
    got = backend.connection.sql(
        f"SELECT CAST(order_id AS VARCHAR) AS id, _row FROM ({query}) ORDER BY _row"
    ).fetchnumpy()
    assert got["_row"].tolist() == list(range(2, N + 2))
    assert got["id"][[0, 150_000, N - 1]].tolist() == ["o0", "o150000", f"o{N - 1}"]
    (columns,) = backend.connection.sql(
        "SELECT list(column_name ORDER BY column_index) FROM duckdb_columns() "
        "WHERE table_name LIKE '_kt_orders_%'"
    ).fetchall()[0]
    # the stored table holds no row number: a window over the scan would read the file on one thread
    assert "_row" not in columns and "_kt_keep" in columns
    assert ("_kt_position" in columns) is not ordered
