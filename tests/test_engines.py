"""The DuckDB and Spark engines give the pandas engine's KPIs, validation messages, samples and fingerprints.

Counts must agree exactly and money to 1e-9 relative (parallel sums differ in the last bits). Spark runs in
one session-scoped local session (tests/conftest.py); each data set is loaded once per engine.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import narwhals as nw
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.engines import to_pandas
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.kpis import COUNT_KPIS, KPI_COLUMNS
from tests.conftest import tiny_tables, write_tables

ENGINES = ["duckdb", "spark"]
FLOATS = [c for c in KPI_COLUMNS if c not in COUNT_KPIS]


def _connection(request: pytest.FixtureRequest, engine: str):
    return request.getfixturevalue("spark") if engine == "spark" else None


def _parquet(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def _typed(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tiny tables as a typed Parquet export would hold them: dates, floats, missing values."""
    out = {name: frame.copy() for name, frame in tables.items()}
    out["orders"]["ordered_at"] = pd.to_datetime(out["orders"]["ordered_at"], format="ISO8601")
    out["orders"]["lead_id"] = out["orders"]["lead_id"].replace("", None)
    for column in ("created_at", "closed_at"):
        out["leads"][column] = pd.to_datetime(out["leads"][column].replace("", None), format="ISO8601")
    return out


def _integer_ids(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Ids stored as integers; o5 and o6 (the same customer at the same time) become 10 and 9, so the
    tie-break "smaller order_id as text" ('10' < '9') differs from the numeric one."""
    out = _typed(tables)
    orders, leads = out["orders"], out["leads"]
    orders["order_id"] = orders["order_id"].map({"o5": "10", "o6": "9"}).fillna(orders["order_id"].str[1:])
    orders["order_id"] = orders["order_id"].astype("int64")
    orders["customer_id"] = orders["customer_id"].str[1:].astype("int64")
    orders["lead_id"] = orders["lead_id"].str[1:].astype("Int64")
    leads["lead_id"] = leads["lead_id"].str[1:].astype("int64")
    return out


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory, demo_folder: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("engines")
    tables = tiny_tables()
    return {
        "tiny-csv": write_tables(root / "tiny-csv", tables),
        "tiny-parquet": _parquet(root / "tiny-parquet", _typed(tables)),
        "tiny-integer-ids": _parquet(root / "tiny-int", _integer_ids(tables)),
        "demo-csv": demo_folder,
    }


WINDOWS = {
    "tiny-csv": "2026Q2:2026Q4",
    "tiny-parquet": "2026Q2:2026Q4",
    "tiny-integer-ids": "2026Q2:2026Q4",
    "demo-csv": "2024Q4:2026Q3",
}


@pytest.fixture(scope="module")
def loaded(folders, request, demo_on):
    """``loaded(name, engine)``: each data set on each engine, loaded once (on first use)."""
    cache: dict[tuple[str, str], kt.SalesData] = {}

    def get(name: str, engine: str) -> kt.SalesData:
        if name == "demo-csv":
            return demo_on(engine)
        if (name, engine) not in cache:
            connection = _connection(request, engine) if engine != "pandas" else None
            cache[name, engine] = kt.load(folders[name], engine=engine, connection=connection)
        return cache[name, engine]

    return get


def assert_same_kpis(expected: pd.DataFrame, got: pd.DataFrame) -> None:
    """Counts exactly, money and rates to 1e-9 relative; the same rows and columns in the same order."""
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_index_equal(got.index, expected.index)
    pd.testing.assert_frame_equal(got[list(COUNT_KPIS)], expected[list(COUNT_KPIS)], check_exact=True)
    floats = [c for c in got.columns if c not in COUNT_KPIS]
    pd.testing.assert_frame_equal(got[floats], expected[floats], check_exact=False, rtol=1e-9, atol=0)


@pytest.mark.parametrize(
    ("name", "engine"),
    [
        (name, engine)
        for name in ("tiny-csv", "tiny-parquet", "tiny-integer-ids", "demo-csv")
        for engine in ENGINES
        if (name, engine) != ("tiny-parquet", "spark")  # typed Parquet on Spark: tiny-integer-ids
    ],
)
def test_same_kpis_on_every_engine(loaded, name, engine):
    pandas, lazy = loaded(name, "pandas"), loaded(name, engine)
    assert lazy.engine == engine and pandas.engine == "pandas"
    window = WINDOWS[name]
    assert_same_kpis(kt.kpi_history(pandas, periods=window), kt.kpi_history(lazy, periods=window))
    last = kt.parse_periods(window)[-1]
    for period in (last, last.months[-1], str(last)[:4]):
        assert_same_kpis(kt.manager_kpis(pandas, period=period), kt.manager_kpis(lazy, period=period))
    monthly, expected = lazy.monthly, pandas.monthly
    pd.testing.assert_frame_equal(monthly, expected, check_exact=False, rtol=1e-9, atol=0)
    assert (lazy.first_date, lazy.last_date) == (pandas.first_date, pandas.last_date)
    assert lazy.manager_ids == pandas.manager_ids
    pd.testing.assert_frame_equal(lazy.row_counts, pandas.row_counts)


def test_integer_ids_break_ties_as_text(loaded):
    # c4's first orders, o5 (bob) and o6 (ann), are at the same time; as ids 10 and 9, '10' < '9' as text.
    for engine in ("pandas", "duckdb"):
        kpis = kt.manager_kpis(loaded("tiny-integer-ids", engine), period="2026Q3")
        assert kpis["new_customers"].to_dict() == {"ann": 1, "bob": 2, "cat": 0}


@pytest.mark.parametrize("ids", ["text", "integer"])
def test_first_orders_on_duckdb_break_ties_as_arg_min_over_time_and_id_as_text(ids):
    # the cheaper queries give every customer what the slower ones give: text ids (arg_min over the time,
    # over (time, id) only for customers tied at their first time) what arg_min over (time, id) gives;
    # integer ids (the orders at each customer's first time, joined) what the window minima give on pandas.
    # Many ties (40 distinct times), customers with one order, a missing customer, and (never in validated
    # data) a missing time or manager
    import numpy as np

    from kpi_toolkit.aggregate import first_orders
    from kpi_toolkit.engines.duckdb import connect

    rng = np.random.default_rng(13)
    n = 300_000
    orders = pd.DataFrame(
        {
            "order_id": pd.Series(rng.permutation(n)).map(lambda i: f"O{i}" if ids == "text" else i),
            "manager": pd.Series(rng.integers(0, 50, n)).map(lambda i: f"m{i}"),
            "customer_id": pd.Series(rng.integers(0, 60_000, n)).map(lambda i: f"C{i}"),
            "ordered_at": pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 40, n), unit="D"),
        }
    )
    orders.loc[rng.choice(n, 50, replace=False), "customer_id"] = None
    orders.loc[rng.choice(n, 20, replace=False), "ordered_at"] = pd.NaT
    orders.loc[rng.choice(n, 20, replace=False), "manager"] = None
    single = {
        "order_id": "X1" if ids == "text" else n,
        "manager": "m1",
        "customer_id": "S1",
        "ordered_at": pd.Timestamp("2025-03"),
    }
    orders = pd.concat([orders, pd.DataFrame([single])], ignore_index=True)
    con = connect()
    relation = con.from_df(orders)
    got = to_pandas(first_orders(relation))
    if ids == "text":
        expected = relation.aggregate(
            "customer_id, arg_min(manager, (ordered_at, order_id)) AS manager, min(ordered_at) AS ordered_at",
            "customer_id",
        ).df()
    else:
        expected = nw.to_native(first_orders(orders))
    key = ["customer_id"]
    got, expected = (f.sort_values(key, ignore_index=True, na_position="first") for f in (got, expected))
    assert len(got) == orders["customer_id"].nunique(dropna=False)
    assert got["customer_id"].tolist() == expected["customer_id"].tolist()
    assert got["manager"].tolist() == expected["manager"].tolist()
    assert got["ordered_at"].tolist() == expected["ordered_at"].tolist()


@pytest.mark.parametrize("ids", ["integer", "sparse integer", "text"])
def test_unsorted_unique_ids_pass_and_unsorted_duplicates_fail(tmp_path, ids):
    # uniqueness is a distinct count of hashed text ids in the table's one counting query; integer ids are
    # counted by a bitmap over their range, or by a distinct count where the range is too wide for one
    tables = _typed(tiny_tables()) if ids == "text" else _integer_ids(tiny_tables())
    if ids == "sparse integer":
        from kpi_toolkit.engines.duckdb_distinct import BITMAP_BITS

        tables["orders"]["order_id"] *= BITMAP_BITS  # ids 1 .. 10 x 2^28: wider than a bitmap
    tables["orders"] = tables["orders"].iloc[::-1].reset_index(drop=True)
    folder = _parquet(tmp_path / "unsorted", tables)
    kt.load(folder, engine="duckdb")  # no repeated id
    tables["orders"].loc[0, "order_id"] = tables["orders"]["order_id"].iloc[-1]  # the same id, far apart
    _parquet(folder, tables)
    with pytest.raises(kt.DataValidationError, match="order_id is not unique") as raised:
        kt.load(folder, engine="duckdb")
    (violation,) = [v for v in raised.value.violations if v.rule == "order_id is not unique"]
    assert violation.rows == (1, len(tables["orders"])) and violation.n_rows == 2  # Parquet: 1-based rows


@pytest.mark.parametrize("repeated", [False, True])
def test_colliding_hashes_of_text_ids_never_make_a_false_repeat(tmp_path, monkeypatch, repeated):
    # text ids' uniqueness counts their distinct 64-bit hashes (sorted apart from the counting query); here
    # every hash is the same, as if all ids collided: the group-by over the ids themselves must decide
    from kpi_toolkit.engines.duckdb import DuckDBBackend

    sort = DuckDBBackend.distinct_hashes
    seen: list[int] = []

    def colliding(self, frame, column, values, **options):
        frame = frame.with_columns(nw.lit(7, dtype=nw.UInt64).alias(column))
        found = sort(self, frame, column, values, **options)
        seen.append(found)
        return found

    monkeypatch.setattr(DuckDBBackend, "distinct_hashes", colliding)
    tables = _typed(tiny_tables())
    if repeated:
        tables["orders"].loc[0, "order_id"] = tables["orders"]["order_id"].iloc[-1]
    folder = _parquet(tmp_path / "colliding", tables)
    if not repeated:
        kt.load(folder, engine="duckdb")  # every id differs, though every hash is equal
        assert seen == [1, 1]  # orders' and leads' ids, each one distinct hash
        return
    got = _violations(folder, "duckdb")
    assert got == _violations(folder, "pandas")
    assert [v[2:5] for v in got] == [("order_id is not unique", (1, len(tables["orders"])), 2)]


def test_distinct_hashes_skip_missing_ids_by_the_id_itself():
    # the hashes' scan skips a missing id by the id (DuckDB tests it as it reads), not by its hash: the same
    # hashes, as the hash is missing exactly where the id is
    from kpi_toolkit.engines.duckdb import DuckDBBackend, connect

    ids = pd.DataFrame({"x": ["a", None, "b", "a", None, "c ", "c"]})
    relation = connect().from_df(ids).project("x, CASE WHEN x IS NOT NULL THEN hash(x) END AS h")
    frame = nw.from_native(relation)
    assert DuckDBBackend().distinct_hashes(frame, "h", 5, present="x") == 4
    assert DuckDBBackend().distinct_hashes(frame, "h", 5) == 4


@pytest.mark.parametrize("size", [0, 1, 7, 100_003])
def test_hashes_sorted_in_parts_are_sorted_as_one(monkeypatch, size):
    # parts of at least SORTED_PART values are sorted on their own cores, then merged: the same array as one
    # sort, repeated values (across parts too) and the largest hashes included
    import numpy as np

    from kpi_toolkit.engines import duckdb_distinct

    monkeypatch.setattr(duckdb_distinct, "SORTED_PART", 3)
    monkeypatch.setattr(duckdb_distinct.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    rng = np.random.default_rng(size)
    values = rng.integers(0, 2**64 - 1, size, dtype=np.uint64, endpoint=True)
    values[: size // 10] = values[-(size // 10) or size :][: size // 10]  # repeats far apart
    values[: min(size, 2)] = np.iinfo(np.uint64).max
    expected = np.sort(values)
    duckdb_distinct.sort_on_every_core(values)
    assert values.tolist() == expected.tolist()


def test_too_many_hashed_ids_for_a_sort_are_counted_by_duckdb(tmp_path, monkeypatch):
    # above SORTED_HASHES ids the hashes stay in DuckDB (a distinct count that can spill): same verdicts
    from kpi_toolkit.engines import duckdb_distinct as engine

    monkeypatch.setattr(engine, "SORTED_HASHES", 0)
    tables = _typed(tiny_tables())
    folder = _parquet(tmp_path / "many", tables)
    kt.load(folder, engine="duckdb")  # no repeated id
    tables["orders"].loc[0, "order_id"] = tables["orders"]["order_id"].iloc[-1]
    _parquet(folder, tables)
    assert _violations(folder, "duckdb") == _violations(folder, "pandas")


@pytest.mark.parametrize("unknown", [None, "inside", "outside"])
def test_unknown_integer_lead_ids_inside_or_outside_the_leads_range(tmp_path, unknown):
    # integer lead ids on both sides: a bitmap test stands in for the anti-join where it finds none
    tables = _integer_ids(tiny_tables())
    tables["leads"]["lead_id"] *= 2  # even ids: an odd one inside their range is unknown
    tables["orders"]["lead_id"] *= 2
    at = tables["orders"]["lead_id"].first_valid_index()
    if unknown is not None:
        tables["orders"].loc[at, "lead_id"] = 3 if unknown == "inside" else 10**6
    folder = _parquet(tmp_path / "leads", tables)
    if unknown is None:
        kt.load(folder, engine="duckdb")  # every lead_id known
        return
    got = _violations(folder, "duckdb")
    assert got == _violations(folder, "pandas")
    rules = [v for v in got if v[2] == "lead_id not found in the leads table"]
    assert len(rules) == 1 and rules[0][3] == (at + 1,)  # Parquet: 1-based positions


def test_orders_and_leads_stay_lazy(loaded):
    import duckdb

    data = loaded("tiny-parquet", "duckdb")
    assert isinstance(data.orders, duckdb.DuckDBPyRelation) and isinstance(
        data.leads, duckdb.DuckDBPyRelation
    )
    assert isinstance(data.plans, pd.DataFrame) and isinstance(data.managers, pd.DataFrame)
    assert list(data.orders.columns) == list(loaded("tiny-parquet", "pandas").orders.columns)


def test_duckdb_types_each_csv_file_once(folders, tmp_path):
    """The typed orders and leads of a CSV folder are tables of the connection, not views over the files:
    every later scan (validation, references, aggregation) reads them, so the KPIs come out the same with the
    files gone."""
    import shutil

    folder = shutil.copytree(folders["tiny-csv"], tmp_path / "copy")
    data = kt.load(folder, engine="duckdb")
    expected = kt.manager_kpis(kt.load(folders["tiny-csv"], engine="pandas"), period="2026Q3")
    for name in ("orders", "leads"):
        (folder / f"{name}.csv").unlink()
    assert_same_kpis(expected, kt.manager_kpis(data, period="2026Q3"))


def test_parquet_text_with_white_space_on_duckdb(tmp_path):
    """Parquet stays a view; after the counting query, columns with no cell to strip are read as they are
    and the others are still stripped on every scan: the KPIs and the uniqueness of ids are the pandas
    engine's."""
    tables = _typed(tiny_tables())
    orders = tables["orders"]
    orders.loc[orders["order_id"] == "o4", "customer_id"] = "\tc3 "  # the same customer, white space around
    orders.loc[orders["order_id"] == "o5", "manager"] = " bob"
    folder = _parquet(tmp_path / "spaces", tables)
    expected = kt.manager_kpis(kt.load(folder, engine="pandas"), period="2026Q3")
    assert_same_kpis(expected, kt.manager_kpis(kt.load(folder, engine="duckdb"), period="2026Q3"))
    orders.loc[orders["order_id"] == "o2", "order_id"] = "o1 "  # a repeated id hidden by white space
    _parquet(folder, tables)
    for engine in ("pandas", "duckdb"):
        with pytest.raises(kt.DataValidationError, match="order_id is not unique") as raised:
            kt.load(folder, engine=engine)
        (violation,) = [v for v in raised.value.violations if v.rule == "order_id is not unique"]
        assert violation.rows == (1, 2), engine


@pytest.mark.parametrize("collation", [None, "nocase"])
def test_the_printable_test_is_first_and_last_character_printable_ascii(collation):
    # the fast path of stripping on DuckDB: a cell passes exactly where its first and last characters are
    # 33 .. 126 (then it has no white space to strip), whatever the connection's default collation
    from kpi_toolkit.engines.duckdb import connect
    from kpi_toolkit.engines.duckdb_sql import _printable

    connection = connect()
    if collation is not None:
        connection.execute(f"SET default_collation = '{collation}'")
    values = ["", "!", "~", "a", "AB", "!~", " a", "a ", "\t", "\x7f", "\x7fa", "a\x7f", "\x00a", "é", "éa",
              "aé", "\u3000x", "x\u00a0", "\u0080", "a\U0001f600", "A\u0301", "İx", "K", None]  # fmt: skip
    query = f"SELECT x, {_printable('x')} FROM (SELECT unnest(?::VARCHAR[]) AS x)"
    got = dict(connection.execute(query, [values]).fetchall())
    printable = set(range(33, 127))
    expected = {v: None if v is None else bool(v) and {ord(v[0]), ord(v[-1])} <= printable for v in values}
    assert got == expected


def test_orders_stay_lazy_on_spark(loaded):
    from pyspark.sql import DataFrame

    data = loaded("tiny-csv", "spark")
    assert isinstance(data.orders, DataFrame) and isinstance(data.leads, DataFrame)


@pytest.mark.parametrize("engine", ["pandas", *ENGINES])
def test_the_same_fingerprint_on_every_engine(loaded, engine):
    for name in ("demo-csv", "tiny-integer-ids"):
        assert data_fingerprint(loaded(name, engine)) == data_fingerprint(loaded(name, "pandas"))


@pytest.mark.parametrize("engine", ENGINES)
def test_the_same_seeded_sample_on_every_engine(loaded, engine):
    pandas, lazy = loaded("demo-csv", "pandas"), loaded("demo-csv", engine)
    options = {
        "periods": [pandas.period("2026Q3")],
        "managers": pandas.managers_of("North"),
        "max_orders": 40,
    }
    expected, got = pandas.sample_orders(**options), lazy.sample_orders(**options)
    assert got.attrs["sampled"] == expected.attrs["sampled"] and expected.attrs["sampled"]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_quarterly_report_numbers_on_duckdb(loaded):
    from kpi_toolkit.report.quarterly import quarterly_report

    expected, got = (
        quarterly_report(loaded("demo-csv", "pandas")),
        quarterly_report(loaded("demo-csv", "duckdb")),
    )
    assert_same_kpis(expected.kpis, got.kpis)
    pd.testing.assert_frame_equal(got.ranking, expected.ranking, check_exact=False, rtol=1e-9)
    assert got.data_fingerprint == expected.data_fingerprint and got.caveats == expected.caveats


# --- validation: the same rules, rows and counts as on pandas ---------------------------------------------


def _row_rules_broken() -> dict[str, pd.DataFrame]:
    tables = tiny_tables()
    orders, leads = tables["orders"], tables["leads"]
    orders.loc[1, "amount"] = -5.0  # line 3: negative
    orders.loc[3, "order_id"] = "o3"  # lines 4 and 5: o3 twice
    orders.loc[6, "ordered_at"] = "2026-13-01"  # line 8: not a date
    orders["amount"] = orders["amount"].astype(object)
    orders.loc[5, "amount"] = "12,5"  # line 7: not a number
    leads.loc[0, "closed_at"] = ""  # line 2: won without closed_at
    leads.loc[1, "closed_at"] = "2026-06-20"  # line 3: closed before created
    leads.loc[3, "status"] = "maybe"  # line 5: unknown status
    return tables


def _references_broken() -> dict[str, pd.DataFrame]:
    tables = tiny_tables()
    tables["orders"].loc[6, "manager"] = "zed"  # line 8: not in managers
    tables["orders"].loc[3, "lead_id"] = "L9"  # line 5: no such lead
    tables["leads"].loc[4, "manager"] = "ANN"  # line 6: 'ANN' and 'ann'
    return tables


def _violations(folder: Path, engine: str, connection=None) -> list[tuple]:
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, engine=engine, connection=connection)
    return [(v.table, v.column, v.rule, v.rows, v.n_rows, v.examples) for v in info.value.violations]


@pytest.mark.parametrize(
    ("broken", "fmt", "engine"),
    [
        pytest.param(broken, fmt, engine, id=f"{name}-{fmt}-{engine}")
        for name, broken in (("row-rules", _row_rules_broken), ("references", _references_broken))
        for fmt in ("csv", "parquet")
        for engine in ENGINES
        if (name, fmt, engine) != ("references", "parquet", "spark")  # Spark's Parquet rows: row-rules
    ],
)
def test_validation_reports_the_same_rules_and_rows(tmp_path, request, broken, fmt, engine):
    tables = broken()
    if fmt == "csv":
        folder = write_tables(tmp_path / "broken", tables)
    else:
        folder = _parquet(tmp_path / "broken", {n: f.astype("string") for n, f in tables.items()})
    expected = _violations(folder, "pandas")
    got = _violations(folder, engine, _connection(request, engine))
    assert got == expected
    rules = {(t, c, r) for t, c, r, *_ in got}
    if broken is _row_rules_broken:
        assert ("orders", "amount", "amount is negative") in rules
        assert ("orders", "order_id", "order_id is not unique") in rules
        assert ("leads", "closed_at", "closed_at is empty on a won or lost lead") in rules
        assert ("leads", "closed_at", "closed_at is before created_at") in rules
        rows = (4, 5) if fmt == "csv" else (3, 4)  # CSV: lines (the header is line 1); Parquet: positions
        assert next(v for v in got if v[2] == "order_id is not unique")[3:5] == (rows, 2)
    else:
        assert ("orders", "lead_id", "lead_id not found in the leads table") in rules
        assert any(t == "orders" and r.startswith("unknown manager(s) ['zed']") for t, _, r in rules)


def test_a_ragged_csv_row_rejects_the_file(tmp_path):
    folder = write_tables(tmp_path / "ragged", tiny_tables())
    text = (folder / "orders.csv").read_text().splitlines()
    text[3] += ",extra"
    (folder / "orders.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(kt.DataValidationError, match="fields where the header has") as info:
        kt.load(folder, engine="duckdb")
    assert info.value.violations[0].rows == (4,)


def test_a_utf16_csv_asks_for_utf8(tmp_path):
    folder = write_tables(tmp_path / "utf16", tiny_tables())
    path = folder / "orders.csv"
    path.write_bytes(path.read_text().encode("utf-16"))
    with pytest.raises(kt.DataValidationError, match="UTF-16 or UTF-32"):
        kt.load(folder, engine="duckdb")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engine": "polars"}, "engine='polars' is not an engine"),
        ({"engine": "duckdb", "mapping": {"tables": {}}}, "mapping= is not supported with engine='duckdb'"),
        ({"engine": "duckdb", "on_invalid": "quarantine"}, "on_invalid='quarantine' is not supported"),
        ({"connection": object()}, "the pandas engine needs none"),
        ({"engine": "duckdb", "connection": object()}, "connection must be a duckdb connection"),
    ],
)
def test_options_the_engines_do_not_take(tiny_folder, options, message):
    with pytest.raises(kt.ParameterError, match=message):
        kt.load(tiny_folder, **options)


# --- time zones and the hand-over from Spark -------------------------------------------------------------


def _quarter_end_orders() -> dict[str, pd.DataFrame]:
    """Two orders at 23:30 UTC on 30 June 2026 (one written with an offset) and one on 30 September."""
    orders = pd.DataFrame(
        {
            "order_id": ["a", "b", "c"],
            "manager": ["ann", "ann", "bob"],
            "customer_id": ["c1", "c2", "c3"],
            "ordered_at": ["2026-06-30 23:30", "2026-07-01T01:30:00+02:00", "2026-09-30 23:30:00Z"],
            "amount": [10.0, 20.0, 30.0],
        }
    )
    return {"orders": orders}


def _check_quarter_end(data: kt.SalesData) -> None:
    history = kt.kpi_history(data, periods="2026Q2:2026Q3")
    assert history["orders"].to_dict() == {("ann", "2026Q2"): 2, ("ann", "2026Q3"): 0,
                                           ("bob", "2026Q2"): 0, ("bob", "2026Q3"): 1}  # fmt: skip
    assert data.first_date == pd.Timestamp("2026-06-30 23:30")
    assert data.last_date == pd.Timestamp("2026-09-30 23:30")


@pytest.fixture(scope="module")
def quarter_end_folders(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("quarter-end")
    tables = _quarter_end_orders()
    stamps = pd.to_datetime(tables["orders"]["ordered_at"], format="ISO8601", utc=True)
    return {
        "csv": write_tables(root / "csv", tables),
        "naive": _parquet(
            root / "naive", {"orders": tables["orders"].assign(ordered_at=stamps.dt.tz_localize(None))}
        ),
        "aware": _parquet(root / "aware", {"orders": tables["orders"].assign(ordered_at=stamps)}),
    }


@pytest.mark.parametrize("fmt", ["csv", "naive", "aware"])
def test_duckdb_dates_do_not_shift_with_the_time_zone(quarter_end_folders, fmt):
    from kpi_toolkit.engines.duckdb import connect

    _check_quarter_end(kt.load(quarter_end_folders[fmt]))
    connection = connect()
    connection.sql("SET TimeZone = 'Asia/Tokyo'")
    _check_quarter_end(kt.load(quarter_end_folders[fmt], engine="duckdb", connection=connection))


def test_spark_dates_do_not_shift_with_the_session_time_zone(quarter_end_folders, spark):
    before = spark.conf.get("spark.sql.session.timeZone")
    try:
        for zone, fmt in (("Asia/Tokyo", "csv"), ("America/Los_Angeles", "aware"), ("Asia/Tokyo", "naive")):
            spark.conf.set("spark.sql.session.timeZone", zone)
            _check_quarter_end(kt.load(quarter_end_folders[fmt], engine="spark", connection=spark))
    finally:
        spark.conf.set("spark.sql.session.timeZone", before)


def test_the_spark_hand_over_is_arrow_and_warns_nothing(spark):
    frame = spark.createDataFrame([("ann", 1.5, pd.Timestamp("2026-06-30 23:30").to_pydatetime())],
                                  "manager string, amount double, at timestamp_ntz")  # fmt: skip
    filters = list(warnings.filters)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning (PySpark's about pandas 3 included) fails
        out = to_pandas(frame)
    assert warnings.filters == filters  # the filter was local to the hand-over
    assert out.to_dict("records") == [
        {"manager": "ann", "amount": 1.5, "at": pd.Timestamp("2026-06-30 23:30")}
    ]


def _staffed_tables() -> dict[str, pd.DataFrame]:
    """The tiny tables with people over time (issue 15): bob joins on 10 May, cat leaves on 30 June, and
    North has its own 2026Q3 target."""
    tables = tiny_tables()
    tables["managers"] = tables["managers"].assign(
        hired_at=["", "2026-05-10", ""], left_at=["", "", "2026-06-30"]
    )
    team_row = pd.DataFrame(
        [(None, "North", "2026Q3", "sales_volume", 1100.0)],
        columns=["manager", "team", *tables["plans"].columns[1:]],
    )
    tables["plans"] = pd.concat([tables["plans"].assign(team=None), team_row], ignore_index=True)
    return tables


def _moved_tables() -> dict[str, pd.DataFrame]:
    """The staffed tables, and ann moves from North to South on 16 August 2026 (o6 and L5's close count
    in South; everything before in North)."""
    tables = _staffed_tables()
    tables["assignments"] = pd.DataFrame(
        {
            "manager": ["ann", "ann", "bob", "cat"],
            "team": ["North", "South", "North", "South"],
            "valid_from": ["2026-01-01", "2026-08-16", "2026-05-10", "2026-01-01"],
        }
    )
    return tables


@pytest.mark.parametrize("engine", ENGINES)
def test_team_moves_agree_on_every_engine(tmp_path, request, engine):
    folder = write_tables(tmp_path / "moved", _moved_tables())
    pandas = kt.load(folder)
    lazy = kt.load(folder, engine=engine, connection=_connection(request, engine))
    pd.testing.assert_frame_equal(lazy.monthly_by_team, pandas.monthly_by_team, check_exact=False, rtol=1e-9)
    for team in ("North", "South"):
        expected = kt.kpi_history(pandas, periods="2026Q2:2026Q4", team=team)
        assert_same_kpis(expected, kt.kpi_history(lazy, periods="2026Q2:2026Q4", team=team))
    south = kt.manager_kpis(pandas, period="2026Q3", team="South")
    assert south.loc["ann", "sales_volume"] == 70.0  # o6 on 30 September
    assert kt.manager_kpis(pandas, period="2026Q3", team="North").loc["ann", "sales_volume"] == 500.0
    assert data_fingerprint(lazy) == data_fingerprint(pandas)
    pd.testing.assert_frame_equal(lazy.row_counts, pandas.row_counts)


@pytest.mark.parametrize("engine", ENGINES)
def test_people_over_time_agree_on_every_engine(tmp_path, request, engine):
    folder = write_tables(tmp_path / "staffed", _staffed_tables())
    pandas = kt.load(folder)
    lazy = kt.load(folder, engine=engine, connection=_connection(request, engine))
    window = "2026Q1:2026Q4"
    expected = kt.kpi_history(pandas, periods=window)
    assert_same_kpis(expected, kt.kpi_history(lazy, periods=window))
    assert expected.loc["cat"].index.tolist() == ["2026Q1", "2026Q2"]  # left on 30 June
    assert expected.loc["bob"].index.tolist() == ["2026Q2", "2026Q3", "2026Q4"]  # joined on 10 May
    for period in ("2026Q2", "2026Q3", "2026"):
        a, b = kt.manager_kpis(pandas, period=period), kt.manager_kpis(lazy, period=period)
        assert a.attrs == b.attrs
        pd.testing.assert_frame_equal(
            kt.team_plans(pandas, period=period), kt.team_plans(lazy, period=period)
        )
        same = [kt.group_plan(pandas, period=period), kt.group_plan(lazy, period=period)]
        assert same[0] == same[1] or all(x != x for x in same)  # NaN (Q2: cat sold without a target)
    assert kt.group_plan(lazy, period="2026Q3") == 1100.0  # North's own target; South (cat) has nobody
    assert data_fingerprint(lazy) == data_fingerprint(pandas)


def test_pacing_and_alerts_on_duckdb(demo_on):
    """pacing fetched the orders with pandas indexing and failed on a lazy engine ('no column loc')."""
    pandas, duck = demo_on("pandas"), demo_on("duckdb")
    want = kt.pacing(pandas, period="2026Q3", as_of="2026-08-15")
    got = kt.pacing(duck, period="2026Q3", as_of="2026-08-15")
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-9)
    alerts = kt.alerts(duck, period="2026Q3")
    assert alerts["manager"].tolist() == kt.alerts(pandas, period="2026Q3")["manager"].tolist()
