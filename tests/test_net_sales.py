"""Returns, net sales and margin (issue 14): every number worked out by hand, the rules, every engine.

Orders (amount / cost): o1 ann 2026-07-05 1000 / 600; o2 ann 2026-09-20 500 / 200; o3 bob 2026-08-01
300 / 240.
Returns: r1 of o2 on 2026-10-03, 100, no cost (the order's ratio 200/500 -> 40), booked in Q4; r2 of o1 on
2026-07-20, 250, cost 150 (partial return, Q3); r3 without an order, bob, 2026-08-15, 30, no cost (-> 0).
2026Q3: ann sales 1500, returns 250, net 1250, margin 1250 - 800 + 150 = 600, rate 0.48;
        bob sales 300, returns 30, net 270, margin 270 - 240 + 0 = 30, rate 1/9.
2026Q4: ann sales 0, returns 100, net -100, margin -100 - 0 + 40 = -60, rate NaN (net sales not positive).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.errors import DataValidationError, ParameterError
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.kpis import COUNT_KPIS, total_kpis
from tests.conftest import write_tables

NEW = ["returns", "net_sales", "gross_margin", "margin_rate"]


def _tables(*, costs: bool = True) -> dict[str, pd.DataFrame]:
    orders = pd.DataFrame(
        {
            "order_id": ["o1", "o2", "o3"],
            "manager": ["ann", "ann", "bob"],
            "customer_id": ["c1", "c2", "c3"],
            "ordered_at": ["2026-07-05", "2026-09-20", "2026-08-01"],
            "amount": [1000.0, 500.0, 300.0],
        }
    )
    if costs:
        orders["cost"] = [600.0, 200.0, 240.0]
    returns = pd.DataFrame(
        {
            "return_id": ["r1", "r2", "r3"],
            "returned_at": ["2026-10-03", "2026-07-20", "2026-08-15"],
            "amount": [100.0, 250.0, 30.0],
            "order_id": ["o2", "o1", None],
            "manager": [None, None, "bob"],
            "cost": [None, 150.0, None],
        }
    )
    plans = pd.DataFrame(
        {
            "manager": ["ann", "ann", "ann", "bob"],
            "period": ["2026Q3"] * 4,
            "metric": ["sales_volume", "net_sales", "gross_margin", "net_sales"],
            "target": [2000.0, 1000.0, 500.0, 300.0],
        }
    )
    return {"orders": orders, "returns": returns, "plans": plans}


def test_columns_keep_the_nine_first_and_add_four_at_the_end() -> None:
    kpis = kt.manager_kpis(kt.from_frames(**_tables()), period="2026Q3")
    assert list(kpis.columns[:9]) == [
        "sales_volume", "orders", "average_check", "leads_closed", "leads_won", "conversion",
        "new_customers", "sales_plan", "plan_attainment",
    ]  # fmt: skip
    assert list(kpis.columns[9:]) == NEW


def test_returns_net_sales_and_margin_by_hand() -> None:
    data = kt.from_frames(**_tables())
    q3 = kt.manager_kpis(data, period="2026Q3")
    assert q3.loc["ann", NEW].tolist() == pytest.approx([250.0, 1250.0, 600.0, 0.48])
    assert q3.loc["bob", NEW].tolist() == pytest.approx([30.0, 270.0, 30.0, 1 / 9])
    q4 = kt.manager_kpis(data, period="2026Q4")  # the return of a Q3 order reduces Q4, the period booked
    assert q4.loc["ann", ["sales_volume", "returns", "net_sales", "gross_margin"]].tolist() == [
        0,
        100,
        -100,
        -60,
    ]
    assert math.isnan(q4.loc["ann", "margin_rate"])
    assert q4.loc["bob", NEW[:3]].tolist() == [0.0, 0.0, 0.0] and math.isnan(q4.loc["bob", "margin_rate"])


def test_group_totals_pool_the_sums() -> None:
    total = total_kpis(kt.manager_kpis(kt.from_frames(**_tables()), period="2026Q3"))
    assert total[NEW].tolist() == pytest.approx([280.0, 1520.0, 630.0, 630 / 1520])


def test_without_costs_margin_is_nan_and_without_returns_net_is_gross() -> None:
    tables = _tables(costs=False)
    kpis = kt.manager_kpis(kt.from_frames(**tables), period="2026Q3")
    assert kpis["net_sales"].tolist() == [1250.0, 270.0]
    assert kpis["gross_margin"].isna().all() and kpis["margin_rate"].isna().all()
    plain = kt.manager_kpis(kt.from_frames(tables["orders"]), period="2026Q3")
    assert plain["returns"].tolist() == [0.0, 0.0]
    assert plain["net_sales"].tolist() == plain["sales_volume"].tolist()


@pytest.mark.parametrize(
    ("metric", "plan", "attainment"),
    [("sales_volume", 2000.0, 0.75), ("net_sales", 1000.0, 1.25), ("gross_margin", 500.0, 1.2)],
)
def test_the_plan_metric_chooses_target_and_attainment(metric, plan, attainment) -> None:
    data = kt.from_frames(**_tables(), plan_metric=metric)
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert kpis.loc["ann", ["sales_plan", "plan_attainment"]].tolist() == pytest.approx([plan, attainment])
    assert kpis.attrs["plan_metric"] == metric


def test_the_plan_metric_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match=r"plan_metric='margin'.*net_sales"):
        kt.from_frames(**_tables(), plan_metric="margin")
    with pytest.raises(ParameterError, match=r"gross_margin.*no cost column"):
        kt.from_frames(**_tables(costs=False), plan_metric="gross_margin")
    folder = write_tables(tmp_path / "set", _tables())
    (folder / "dataset.yml").write_text("plan_metric: net_sales\n")
    data = kt.load(folder)
    assert data.plan_metric == "net_sales"
    assert kt.manager_kpis(data, period="2026Q3").loc["ann", "plan_attainment"] == pytest.approx(1.25)
    assert kt.load(folder, plan_metric="sales_volume").plan_metric == "sales_volume"
    assert data_fingerprint(data) != data_fingerprint(kt.load(folder, plan_metric="sales_volume"))


def _broken(**changes: object) -> dict[str, pd.DataFrame]:
    tables = _tables()
    for key, value in changes.items():
        table, column, row = key.split("__")
        tables[table].loc[int(row), column] = value
    return tables


@pytest.mark.parametrize(
    ("changes", "column", "rule"),
    [
        ({"orders__cost__1": -5.0}, "cost", "cost is negative"),
        ({"orders__cost__1": None}, "cost", "value is empty"),
        ({"returns__amount__0": 0.0}, "amount", "amount is not positive"),
        ({"returns__return_id__1": "r1"}, "return_id", "return_id is not unique"),
        ({"returns__order_id__2": None, "returns__manager__2": None}, "manager", "both order_id and manager"),
        ({"returns__order_id__0": "o9"}, "order_id", "order_id not found in the orders table"),
        (
            {"returns__manager__0": "bob"},
            "manager",
            "manager differs from the order's manager ('bob' on the return, 'ann' on the order)",
        ),
        ({"returns__returned_at__0": "2026-09-01"}, "returned_at", "returned_at is before the order's"),
        ({"returns__amount__0": 600.0}, "amount", "add up to more than the order's amount"),
    ],
)
def test_each_rule_names_the_table_column_and_row(changes, column, rule) -> None:
    with pytest.raises(DataValidationError) as error:
        kt.from_frames(**_broken(**changes))
    found = [v for v in error.value.violations if rule in v.rule]
    assert len(found) == 1, error.value
    assert found[0].column == column
    table = next(iter(changes)).split("__")[0]
    assert found[0].table == table
    row = int(next(iter(changes)).split("__")[2]) + 1
    assert found[0].rows == ((1, 2) if rule == "return_id is not unique" else (row,))


def test_two_returns_of_one_order_are_checked_together_and_quarantined() -> None:
    tables = _tables()
    extra = pd.DataFrame({"return_id": ["r4"], "returned_at": ["2026-10-10"], "amount": [450.0],
                          "order_id": ["o2"], "manager": [None], "cost": [None]})  # fmt: skip
    tables["returns"] = pd.concat([tables["returns"], extra], ignore_index=True)  # 100 + 450 > 500
    data = kt.from_frames(**tables, on_invalid="quarantine")
    assert data.quarantine["rule"].str.contains("more than the order's amount").all()
    assert sorted(data.quarantine["row"]) == [1, 4]
    counts = data.row_counts.set_index("table").loc["returns"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_excluded"]) == (4, 2, 2)


def _parquet(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_same_numbers_on_every_engine(tmp_path, request, engine, fmt) -> None:
    tables = _tables()
    if fmt == "parquet":
        tables["orders"]["ordered_at"] = pd.to_datetime(tables["orders"]["ordered_at"])
        folder = _parquet(tmp_path / "set", tables)
    else:
        folder = write_tables(tmp_path / "set", tables)
    connection = request.getfixturevalue("spark") if engine == "spark" else None
    expected = kt.load(folder, plan_metric="net_sales")
    lazy = kt.load(folder, engine=engine, connection=connection, plan_metric="net_sales")
    for period in ("2026Q3", "2026Q4", "2026"):
        want, got = kt.manager_kpis(expected, period=period), kt.manager_kpis(lazy, period=period)
        pd.testing.assert_frame_equal(got[list(COUNT_KPIS)], want[list(COUNT_KPIS)])
        floats = [c for c in want.columns if c not in COUNT_KPIS]
        pd.testing.assert_frame_equal(got[floats], want[floats], rtol=1e-9)
    assert data_fingerprint(lazy) == data_fingerprint(expected)


@pytest.mark.parametrize("engine", ["duckdb"])
def test_return_rules_on_a_lazy_engine(tmp_path, engine) -> None:
    folder = write_tables(tmp_path / "set", _broken(returns__manager__0="bob"))
    with pytest.raises(DataValidationError, match="manager differs from the order's manager"):
        kt.load(folder, engine=engine)


def test_margin_units_add_up_to_the_kpi() -> None:
    data = kt.from_frames(**_tables())
    units = kt.margin_units(data, period="2026Q3")
    assert units[["manager", "kind", "id"]].values.tolist() == [
        ["ann", "order", "o1"], ["ann", "order", "o2"], ["ann", "return", "r2"],
        ["bob", "order", "o3"], ["bob", "return", "r3"],
    ]  # fmt: skip
    rates = units.groupby("manager")[["margin", "sales"]].sum()
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert (rates["margin"] / rates["sales"]).tolist() == pytest.approx(kpis["margin_rate"].tolist())
    with pytest.raises(ParameterError, match="no cost column"):
        kt.margin_units(kt.from_frames(**_tables(costs=False)), period="2026Q3")


def test_compare_managers_finds_the_discounter() -> None:
    rng = np.random.default_rng(14)
    n = 60
    managers = np.repeat([f"M{i}" for i in range(1, 7)], n)
    amount = rng.lognormal(7, 0.9, managers.size)
    rate = np.clip(rng.normal(0.35, 0.08, managers.size) - 0.15 * (managers == "M6"), -0.2, 0.9)
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(managers.size)],
            "manager": managers,
            "customer_id": [f"c{i}" for i in range(managers.size)],
            "ordered_at": pd.Timestamp("2026-07-01")
            + pd.to_timedelta(rng.integers(0, 90, managers.size), "D"),
            "amount": amount,
            "cost": amount * (1 - rate),
        }
    )
    table = kt.compare_managers(kt.from_frames(orders), period="2026Q3", metric="margin_rate")
    assert table.loc[table["verdict"] != "no difference", "manager"].tolist() == ["M6"]
    m6 = table.set_index("manager").loc["M6"]
    assert m6["verdict"] == "below" and m6["ci_high"] < 0 and m6["versus"] == "rest"
    assert m6["effect_size"] == pytest.approx(m6["estimate"] - m6["versus_estimate"])
    assert table.attrs["metric"] == "margin_rate" and table.attrs["min_n"] == 10


def test_the_demo_plants_a_discounter_that_the_comparison_finds() -> None:
    from kpi_toolkit.demo import PLANTED, make_demo_data

    data = kt.from_frames(**make_demo_data())
    assert "M04" in PLANTED
    year = kt.manager_kpis(data, period="2026")
    assert "M04" in year["sales_volume"].nlargest(3).index
    assert year["margin_rate"].idxmin() == "M04" and year.loc["M04", "margin_rate"] == pytest.approx(
        0.118, abs=0.001
    )
    # returns for 15 of 2026's 16 managers: not the joiner M15, whose four September orders none came back yet
    assert (
        (year["returns"] > 0).sum() == 15
        and year.loc["M15", "returns"] == 0
        and 0.005 < year["returns"].sum() / year["sales_volume"].sum() < 0.05
    )
    table = kt.compare_managers(data, period="2026", metric="margin_rate")
    assert table.loc[table["verdict"].isin(["above", "below"]), "manager"].tolist() == ["M04"]
    next_quarter = data.returns.merge(data.orders, on="order_id", suffixes=("", "_order"))
    crossing = next_quarter["returned_at"].dt.quarter != next_quarter["ordered_at"].dt.quarter
    assert crossing.sum() >= 10  # some returns are booked in the quarter after their order


def test_the_margin_card_does_not_pay_for_discounted_volume() -> None:
    from kpi_toolkit.card import load_card
    from kpi_toolkit.demo import make_demo_data

    root = Path(__file__).resolve().parents[1] / "data" / "cards"
    data = kt.from_frames(**make_demo_data())
    volume = kt.bonuses(data, card=load_card(root / "sales_manager.yml"), period="2026Q3").set_index(
        "manager"
    )
    margin = kt.bonuses(data, card=load_card(root / "margin_with_volume_gate.yml"), period="2026Q3")
    margin = margin.set_index("manager")
    # M04 sells the most in 2026Q3, at a 11 % margin rate: the volume card pays well, the margin card little
    assert volume.loc["M04", "bonus"] > 100_000 and margin.loc["M04", "bonus"] == pytest.approx(
        30_000, rel=0.01
    )
    assert not margin.loc["M10", "gate_passed"]  # the volume gate still holds the plan
