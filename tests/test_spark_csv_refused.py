"""CSV files the toolkit's reader refuses, on the Spark engine: the pandas engine's violations, word for word.

A ragged row (more or fewer fields than the header) in an otherwise ordinary file passes
``positions_are_lines``: Spark's reader refuses it as malformed only when the validation's first query runs,
and the engine then reads the file with the toolkit's reader, whose error is raised
(``SparkBackend.read_error``). Bytes that are not UTF-8 and NUL bytes Spark's reader reads silently (as
U+FFFD, as a character): ``positions_are_lines`` sends such files to the toolkit's reader before Spark reads
them. A second byte-order mark, which the toolkit's reader removes, no longer names the first column. Each
case is compared with ``engine="pandas"`` and ``engine="duckdb"``.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path

import pytest

import kpi_toolkit as kt
from kpi_toolkit.engines import spark as spark_engine
from tests import test_duckdb_csv_safeguards as safeguards
from tests.conftest import tiny_tables, write_tables


def _folder(root: Path, table: str, edit: Callable[[bytes], bytes]) -> Path:
    folder = write_tables(root, tiny_tables())
    path = folder / f"{table}.csv"
    path.write_bytes(edit(path.read_bytes()))
    return folder


def _violations(folder: Path, engine: str, connection=None) -> list[tuple]:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, engine=engine, connection=connection)
    return sorted((v.table, v.column, v.rule, v.rows, v.n_rows, v.fix) for v in info.value.violations)


def _replaced(data: bytes, edits: dict[bytes, bytes]) -> bytes:
    for old, new in edits.items():
        assert old in data
        data = data.replace(old, new)
    return data


RAGGED = {  # table, the file's bytes -> the edited ones, the lines cited, the widths found
    # o2's record (line 3) with two more fields, its last not empty
    "more": ("orders", {b",200.0,\n": b",200.0,,x,y\n"}, (3,), "[8]"),
    # o2 and o7 (lines 3 and 8, the last record) without their last field
    "fewer": ("orders", {b",200.0,\n": b",200.0\n", b",80.0,\n": b",80.0\n"}, (3, 8), "[5]"),
    # a leads record of six fields, with its quoted status
    "leads": ("leads", {b"L3,ann,2026-07-15,open,": b'L3,ann,2026-07-15,"open",x,y'}, (4,), "[6]"),
}


@pytest.mark.parametrize("case", RAGGED)
def test_a_ragged_row_is_worded_as_on_pandas(tmp_path, spark, case):
    """Spark said "the file cannot be read: Malformed records are detected ..." without the line."""
    table, edits, rows, widths = RAGGED[case]
    folder = _folder(tmp_path / case, table, lambda data: _replaced(data, edits))
    assert spark_engine.positions_are_lines(folder / f"{table}.csv")  # Spark's reader reads it, and refuses
    pandas = _violations(folder, "pandas")
    assert [(v[0], v[3], v[4]) for v in pandas] == [(table, rows, len(rows))]
    assert pandas[0][2].startswith(f"a row has {widths} fields where the header has ")
    assert _violations(folder, "spark", spark) == pandas
    assert _violations(folder, "duckdb") == pandas


@pytest.mark.parametrize(
    "bad", [b"\xe9", b"\xff\xfe", b"\xed\xa0\x80", b"\x00"], ids=["latin1", "invalid", "surrogate", "nul"]
)
def test_bytes_the_toolkit_refuses_are_not_read_by_spark(tmp_path, spark, bad):
    """Spark's reader read them as U+FFFD (or a NUL character) and the load went on: an unknown manager."""
    folder = _folder(tmp_path / "bytes", "orders", lambda d: d.replace(b"o2,ann", b"o2,a" + bad + b"nn"))
    assert not spark_engine.positions_are_lines(folder / "orders.csv")
    pandas = _violations(folder, "pandas")
    assert [v[:2] for v in pandas] == [("orders", None)]
    assert "not UTF-8 text" in pandas[0][2]
    assert _violations(folder, "spark", spark) == pandas
    assert _violations(folder, "duckdb") == pandas


def test_a_second_byte_order_mark_is_read_as_on_pandas(tmp_path, spark):
    """Both lazy engines named the first column '\\ufefforder_id' (a required column missing)."""
    folder = _folder(tmp_path / "boms", "orders", lambda d: codecs.BOM_UTF8 * 2 + d)
    safeguards._bad_amounts(folder)
    pandas = _violations(folder, "pandas")
    assert [(v[1], v[3]) for v in pandas] == [("amount", (3, 6))]
    assert _violations(folder, "spark", spark) == _violations(folder, "duckdb") == pandas


def test_duckdb_reads_a_row_with_one_empty_field_too_many(tmp_path):
    """DuckDB's reader took ``o2,ann,x,c1,2026-07-05,200.0,`` (seven fields, the last empty) for six and the
    load cited shifted cells; pandas refuses the file, and so does the DuckDB engine now
    (``tests/test_duckdb_csv_fields.py``). Spark's reader refuses it (``RAGGED`` covers Spark)."""
    folder = _folder(tmp_path / "trailing", "orders", lambda d: d.replace(b"o2,ann,", b"o2,ann,x,"))
    assert _violations(folder, "duckdb") == _violations(folder, "pandas")
