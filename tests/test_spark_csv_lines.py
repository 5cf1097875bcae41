"""CSV row numbers and awkward CSV files on the Spark engine: the pandas engine's lines and rows.

Spark's reader numbers records by position; a file whose records do not each fill one line (a quoted line
break, blank lines, a header of two lines), or whose line ends differ, is read by the toolkit's own reader
and handed to Spark (``kpi_toolkit.engines.spark.exact_frame``). The cases of ``test_duckdb_csv_lines.py``
and ``test_duckdb_csv_safeguards.py``, on Spark (a few small files: a Spark load costs a second or two).
"""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.engines import spark as spark_engine
from kpi_toolkit.engines import to_pandas
from tests import test_duckdb_csv_lines as lines_cases
from tests import test_duckdb_csv_safeguards as safeguards
from tests.conftest import tiny_tables, write_tables


def _violations(folder, engine, connection=None) -> list[tuple]:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, engine=engine, connection=connection)
    return sorted((v.table, v.column, v.rule, v.rows, v.n_rows, v.examples) for v in info.value.violations)


_outcome = safeguards._outcome


def test_records_of_several_lines_and_blank_lines_are_cited_by_their_lines(tmp_path, spark):
    folder = lines_cases._folder(tmp_path, bad=True)
    assert not spark_engine.positions_are_lines(folder / "orders.csv")
    pandas = _violations(folder, "pandas")
    assert [(v[0], v[1], v[3]) for v in pandas] == [("orders", "amount", (5, 9)), ("plans", "target", (6,))]
    assert _violations(folder, "spark", spark) == pandas  # by position Spark cited (3, 5)
    clean = lines_cases._folder(tmp_path, bad=False)
    data = kt.load(clean, engine="spark", connection=spark)
    orders = to_pandas(data.orders)
    assert orders["notes"].fillna("").tolist() == lines_cases.NOTES  # "a\r\nb\r\nc" kept as written
    pd.testing.assert_frame_equal(
        kt.manager_kpis(kt.load(clean), period="2026Q3"),
        kt.manager_kpis(data, period="2026Q3"),
        check_exact=False,
    )


def test_a_crlf_file_whose_header_holds_a_line_break(tmp_path, spark):
    """Spark's reader left \\r in each record's last cell and numbered the records from line 2."""
    folder = write_tables(tmp_path / "header", tiny_tables())
    path = folder / "orders.csv"
    rows = path.read_text().splitlines()
    rows = [rows[0] + ',"my\nnotes"'] + [row + ",x" for row in rows[1:]]
    path.write_bytes("\r\n".join(rows).encode() + b"\r\n")
    pandas, spark_found = _outcome(folder, "pandas"), _outcome(folder, "spark", spark)
    assert pandas[0] == spark_found[0] == "valid"
    assert spark_found[1][0] == pandas[1][0] == ["o1", "o2", "o3", "o4", "o5", "o6", "o7"]
    pd.testing.assert_frame_equal(pandas[1][1], spark_found[1][1], check_exact=False)
    safeguards._bad_amounts(folder)
    found = _violations(folder, "spark", spark)
    assert found == _violations(folder, "pandas")
    assert [v[3] for v in found] == [(4, 7)]  # the header fills lines 1 and 2


def test_line_ends_mixed_between_records(tmp_path, spark):
    """Spark's reader refused the file as malformed."""
    folder = write_tables(tmp_path / "mixed", tiny_tables())
    path = folder / "orders.csv"
    rows = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join(row + b"\r" if i % 2 and row else row for i, row in enumerate(rows)))
    assert not spark_engine.positions_are_lines(path)
    pandas, spark_found = _outcome(folder, "pandas"), _outcome(folder, "spark", spark)
    assert pandas[0] == spark_found[0] == "valid"
    assert spark_found[1][0] == pandas[1][0]
    pd.testing.assert_frame_equal(pandas[1][1], spark_found[1][1], check_exact=False)
    safeguards._bad_amounts(folder)
    found = _violations(folder, "spark", spark)
    assert found == _violations(folder, "pandas")
    assert [v[3] for v in found] == [(3, 6)]


def test_an_ordinary_file_is_read_by_spark_with_positions_as_lines(tmp_path, spark, monkeypatch):
    """One record a line, no blank line, line ends alike (\\r\\n here): the exact reader is not asked."""
    folder = write_tables(tmp_path / "plain", tiny_tables())
    path = folder / "orders.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert spark_engine.positions_are_lines(path)
    monkeypatch.setattr(spark_engine, "exact_frame", lambda *a: pytest.fail("read exactly"))
    safeguards._bad_amounts(folder)
    assert [v[3] for v in _violations(folder, "spark", spark)] == [(3, 6)]


@pytest.mark.parametrize("seed", [1, 4, 9, 22, 31, 47])
def test_random_awkward_files_load_alike(tmp_path, spark, seed):
    """Seeded files of ``test_duckdb_csv_safeguards`` (quoted line breaks, blank lines, mixed line ends,
    a BOM, ragged rows, bad amounts): the same outcome, ids, KPIs or violations as on pandas."""
    safeguards.check(tmp_path, seed, "spark", spark)
