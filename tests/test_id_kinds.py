"""Data shaped like real exports: text ids, UUIDs, leading zeros, CSV and Parquet, large plan tables.

The KPI tables must be identical whatever the ids look like, the file format and the engine (counts exactly,
money to 1e-9 relative), on small data written by the benchmark generator (``benchmarks/generate.py``), and
a plan table of 216,000 month rows (plus its quarters and years) must validate with no per-row Python: the
period parser runs once per distinct label, not once per row.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
import kpi_toolkit.periods

ROOT = Path(__file__).resolve().parents[1]
COUNTS = ["orders", "leads_closed", "leads_won", "new_customers", "customers"]
MONEY = ["sales_volume", "sales_plan"]
ALL = "2024Q1:2026Q4"


def _generator():
    spec = importlib.util.spec_from_file_location("kt_bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


generate = _generator()


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory):
    made: dict[tuple[str, str], Path] = {}

    def get(ids: str, fmt: str) -> Path:
        if (ids, fmt) not in made:
            out = tmp_path_factory.mktemp(f"{ids}-{fmt}")
            encoding = "plain" if fmt == "csv" else "dict"
            generate.generate(out, orders=3_000, leads=1_200, managers=12, seed=5, ids=ids, plan="monthly",
                              plan_metrics=2, fmt=fmt, managers_encoding=encoding)  # fmt: skip
            made[ids, fmt] = out
        return made[ids, fmt]

    return get


def _history(folder: Path, engine: str, connection=None) -> pd.DataFrame:
    data = kt.load(folder, engine=engine, connection=connection)
    history = kt.kpi_history(data, periods=ALL).reset_index()
    return history.sort_values(["manager", "period"], ignore_index=True)


@pytest.fixture(scope="module")
def reference(folders) -> pd.DataFrame:
    return _history(folders("int", "parquet"), "pandas")


def _assert_same(found: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert found[["manager", "period"]].astype(str).values.tolist() == (
        expected[["manager", "period"]].astype(str).values.tolist()
    )
    for column in COUNTS:
        if column in expected:
            assert found[column].astype("float64").tolist() == expected[column].astype("float64").tolist(), (
                column
            )
    for column in MONEY:
        np.testing.assert_allclose(
            found[column].astype("float64"), expected[column].astype("float64"), rtol=1e-9
        )


def test_the_reference_has_numbers_to_compare(reference):
    assert len(reference) == 12 * 12  # 12 managers x 12 quarters
    assert reference["orders"].sum() == 3_000 and reference["new_customers"].sum() > 300
    assert reference["sales_plan"].notna().all()  # every quarter rolled up from its months (or given)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
@pytest.mark.parametrize("ids", ["int", "text", "uuid", "padded"])
@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_the_same_kpis_whatever_the_ids_format_and_engine(folders, reference, ids, fmt, engine):
    _assert_same(_history(folders(ids, fmt), engine), reference)


def test_leading_zeros_stay_text(folders):
    data = kt.load(folders("padded", "csv"), engine="duckdb")
    sample = data.sample_orders(max_orders=3)
    assert sample["order_id"].str.len().eq(12).all() and sample["order_id"].str.startswith("0").all()


@pytest.mark.parametrize("ids", ["uuid"])
def test_the_same_kpis_on_spark(folders, reference, request, ids):
    _assert_same(_history(folders(ids, "parquet"), "spark", request.getfixturevalue("spark")), reference)


@pytest.mark.parametrize("ids", ["text", "uuid"])
def test_repeated_text_ids_are_found_on_every_engine(folders, tmp_path, ids):
    source = folders(ids, "parquet")
    orders = pd.read_parquet(source / "orders.parquet")
    orders.loc[len(orders) - 1, "order_id"] = orders.loc[10, "order_id"]  # far apart
    for name in ("leads", "managers", "plans"):
        (tmp_path / f"{name}.parquet").write_bytes((source / f"{name}.parquet").read_bytes())
    orders.to_parquet(tmp_path / "orders.parquet", index=False)
    for engine in ("pandas", "duckdb"):
        with pytest.raises(kt.DataValidationError, match="order_id is not unique") as raised:
            kt.load(tmp_path, engine=engine)
        (violation,) = [v for v in raised.value.violations if v.rule == "order_id is not unique"]
        assert violation.rows == (11, len(orders)), engine


def test_a_216000_row_plan_validates_with_no_per_row_python(tmp_path, monkeypatch):
    plans = generate.plan_table(n_managers=2_000, grain="monthly", metrics=3, seed=1).to_pandas()
    months = plans["period"].str.len() == 7
    assert months.sum() == 216_000 and len(plans) == 216_000 + 72_000 + 18_000  # months, quarters, years
    ids = sorted(plans["manager"].unique())
    managers = pd.DataFrame({"manager": ids, "name": ids, "team": ["T1"] * len(ids)})
    orders = pd.DataFrame({"order_id": ["o1"], "manager": ["M00007"], "customer_id": ["c1"],
                           "ordered_at": ["2025-05-02"], "amount": [10.0]})  # fmt: skip
    distinct = plans["period"].nunique()
    calls = []
    parse = kpi_toolkit.periods.parse_period

    def counted(label, **options):
        calls.append(label)
        return parse(label, **options)

    monkeypatch.setattr(kpi_toolkit.periods, "parse_period", counted)
    data = kt.from_frames(orders, plans=plans, managers=managers)
    kpis = kt.manager_kpis(data, period="2025Q2")
    given = plans.query("manager == 'M00007' and period == '2025Q2' and metric == 'sales_volume'")
    assert kpis.loc["M00007", "sales_plan"] == given["target"].item()
    # each step (label rule, consistency, normalised labels, plan book) parses each distinct label (51) once
    assert 0 < len(calls) <= 4 * distinct
    # the same on DuckDB, where plans are read and checked by the pandas code
    calls.clear()
    pd.DataFrame(orders).to_parquet(tmp_path / "orders.parquet")
    plans.to_parquet(tmp_path / "plans.parquet")
    managers.to_parquet(tmp_path / "managers.parquet")
    lazy = kt.load(tmp_path, engine="duckdb")
    assert (
        kt.manager_kpis(lazy, period="2025").loc["M00007", "sales_plan"]
        == kt.manager_kpis(data, period="2025").loc["M00007", "sales_plan"]
    )
    assert 0 < len(calls) <= 4 * distinct


def test_an_inconsistent_target_in_a_large_plan_is_still_found(monkeypatch):
    plans = generate.plan_table(n_managers=200, grain="monthly", metrics=2, seed=1).to_pandas()
    wrong = plans.index[
        (plans["manager"] == "M00150") & (plans["period"] == "2026Q1") & (plans["metric"] == "orders")
    ]
    plans.loc[wrong, "target"] += 2
    orders = pd.DataFrame({"order_id": ["o1"], "manager": ["M00007"], "customer_id": ["c1"],
                           "ordered_at": ["2025-05-02"], "amount": [10.0]})  # fmt: skip
    with pytest.raises(kt.DataValidationError) as raised:
        kt.from_frames(orders, plans=plans)
    rules = [v.rule for v in raised.value.violations]
    assert len(rules) == 2  # the quarter against its months, and the year against its quarters
    assert rules[0].startswith("the orders target of M00150 for 2026Q1 is")
    assert rules[1].startswith("the orders target of M00150 for 2026 is")
    assert raised.value.violations[0].rows == (int(wrong[0]) + 1,)  # frames: 1-based positions
