"""A manager who moves team inside the period (an ``assignments`` table): ``plan_gap(team=T)`` and
``margin_units(team=T)`` take only their orders, leads, returns and target of the days in T, as
``manager_kpis(team=T)`` does, so that the team's rows, TOTAL and plan agree (issue 15, closing note 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.gap import PLAN_GAP_COLUMNS

EFFECTS = [c for c in PLAN_GAP_COLUMNS if c.endswith("_effect")]
# 2026Q3 has 92 days: dan is in North from 1 July to 16 August (47 days), in South from 17 August (45 days)
NORTH_DAYS, SOUTH_DAYS = 47, 45


def _tables(*, with_costs: bool = False) -> dict[str, pd.DataFrame]:
    rows = [
        ("ann", "2026-04-10", 300.0, 180.0),
        ("ann", "2026-07-10", 200.0, 120.0),
        ("ann", "2026-08-20", 150.0, 90.0),
        ("dan", "2026-05-10", 400.0, 200.0),  # in North
        ("dan", "2026-07-05", 100.0, 50.0),  # in North
        ("dan", "2026-08-16", 200.0, 100.0),  # in North, the last day there
        ("dan", "2026-08-17", 300.0, 240.0),  # in South, the first day there
        ("dan", "2026-09-20", 500.0, 400.0),  # in South
        ("eve", "2026-05-03", 250.0, 150.0),
        ("eve", "2026-07-20", 250.0, 150.0),
    ]
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(rows))],
            "manager": [r[0] for r in rows],
            "customer_id": [f"c{i}" for i in range(len(rows))],
            "ordered_at": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
        }
    )
    if with_costs:
        orders["cost"] = [r[3] for r in rows]
    managers = pd.DataFrame(
        {"manager": ["ann", "dan", "eve"], "name": ["Ann", "Dan", "Eve"], "team": ["North", "South", "South"]}
    )
    assignments = pd.DataFrame(
        {
            "manager": ["ann", "dan", "dan", "eve"],
            "team": ["North", "North", "South", "South"],
            "valid_from": ["2025-01-01", "2025-01-01", "2026-08-17", "2025-01-01"],
        }
    )
    plan_rows = [("ann", None, 400.0), ("dan", None, 920.0), ("eve", None, 300.0), (None, "North", 900.0)]
    plans = pd.DataFrame(
        {
            "manager": [r[0] for r in plan_rows],
            "team": [r[1] for r in plan_rows],
            "period": "2026Q3",
            "metric": "sales_volume",
            "target": [r[2] for r in plan_rows],
        }
    )
    # a return of dan's North order o5, booked on 2026-09-01 while dan is in South: South's (returned_at)
    returns = pd.DataFrame(
        {"return_id": ["r1"], "returned_at": ["2026-09-01"], "amount": [50.0], "order_id": ["o5"]}
    )
    tables = {"orders": orders, "plans": plans, "managers": managers, "assignments": assignments}
    return {**tables, "returns": returns} if with_costs else tables


def _data(*, with_costs: bool = False) -> kt.SalesData:
    return kt.from_frames(**_tables(with_costs=with_costs))


def _identity(gap: pd.DataFrame) -> pd.Series:
    return gap[[*EFFECTS, "team_plan_effect"]].sum(axis=1, min_count=1) - gap["gap"]


def test_a_mover_counts_in_each_team_with_each_part_and_a_prorated_target():
    data = _data()
    north = kt.plan_gap(data, period="2026Q3", team="North").set_index("manager")
    south = kt.plan_gap(data, period="2026Q3", team="South").set_index("manager")
    assert north.index.tolist() == ["ann", "dan", "TOTAL"] and south.index.tolist() == ["dan", "eve", "TOTAL"]
    assert north.loc["dan", "actual"] == pytest.approx(300.0)  # 5 July and 16 August
    assert south.loc["dan", "actual"] == pytest.approx(800.0)  # 17 August and 20 September
    assert north.loc["dan", "baseline_value"] == pytest.approx(920.0 * NORTH_DAYS / 92)  # 470
    assert south.loc["dan", "baseline_value"] == pytest.approx(920.0 * SOUTH_DAYS / 92)  # 450
    whole = kt.plan_gap(data, period="2026Q3").set_index("manager").loc["dan"]
    assert north.loc["dan", "actual"] + south.loc["dan", "actual"] == pytest.approx(whole["actual"])
    assert north.loc["dan", "gap"] + south.loc["dan", "gap"] == pytest.approx(whole["gap"])
    # North: its own target 900 against the members' 400 + 470 = 870
    total = north.loc["TOTAL"]
    assert (total["actual"], total["baseline_value"], total["gap"]) == pytest.approx((650.0, 900.0, -250.0))
    assert total["team_plan_effect"] == pytest.approx(870.0 - 900.0)
    # South has no team target: the members' 450 + 300
    total = south.loc["TOTAL"]
    assert (total["actual"], total["baseline_value"], total["team_plan_effect"]) == pytest.approx(
        (1050.0, 750.0, 0.0)
    )
    for gap in (north, south):
        assert _identity(gap).abs().max() == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("team", ["North", "South"])
def test_the_team_view_agrees_with_manager_kpis_and_the_team_plan(team):
    data = _data()
    gap = kt.plan_gap(data, period="2026Q3", team=team).set_index("manager")
    kpis = kt.manager_kpis(data, period="2026Q3", team=team)
    rows = gap.drop(index="TOTAL")
    assert rows.index.tolist() == kpis.index.tolist()
    np.testing.assert_allclose(rows["actual"], kpis["sales_volume"])
    np.testing.assert_allclose(rows["baseline_value"], kpis["sales_plan"])
    headline = kt.total_kpis(kpis, plan=kt.group_plan(data, period="2026Q3", team=team))
    assert gap.loc["TOTAL", "actual"] == pytest.approx(headline["sales_volume"])
    assert gap.loc["TOTAL", "baseline_value"] == pytest.approx(headline["sales_plan"])


def test_the_previous_baseline_takes_what_the_mover_sold_in_the_team_then():
    data = _data()
    north = kt.plan_gap(data, period="2026Q3", team="North", baseline="previous").set_index("manager")
    south = kt.plan_gap(data, period="2026Q3", team="South", baseline="previous").set_index("manager")
    assert north.loc["dan", "baseline_value"] == pytest.approx(400.0)  # 2026Q2: dan was in North
    assert south.loc["dan", "baseline_value"] == pytest.approx(0.0)  # and not in South
    assert north.loc["TOTAL", "baseline_value"] == pytest.approx(700.0)  # North's 2026Q2: ann 300 + dan 400
    assert _identity(north).abs().max() == pytest.approx(0.0, abs=1e-9)


def test_volume_sources_of_a_team_take_the_movers_part():
    sources = kt.volume_sources(_data(), period="2026Q3", team="North").set_index("manager")
    assert sources.loc["dan", "sales_volume"] == pytest.approx(300.0)
    assert sources.loc["TOTAL", "sales_volume"] == pytest.approx(650.0)


def test_margin_units_of_a_team_take_the_movers_orders_and_returns_of_their_days_in_it():
    data = _data(with_costs=True)
    north = kt.margin_units(data, period="2026Q3", team="North")
    south = kt.margin_units(data, period="2026Q3", team="South")
    dan_north = north[north["manager"] == "dan"]
    dan_south = south[south["manager"] == "dan"]
    assert dan_north["id"].tolist() == ["o4", "o5"]
    assert dan_south["id"].tolist() == ["o6", "o7", "r1"]  # the return is booked while dan is in South
    assert dan_south.loc[dan_south["kind"] == "return", "sales"].tolist() == [-50.0]
    everyone = kt.margin_units(data, period="2026Q3")
    assert len(dan_north) + len(dan_south) == int((everyone["manager"] == "dan").sum())
    for team, units in (("North", north), ("South", south)):
        kpis = kt.manager_kpis(data, period="2026Q3", team=team)
        sums = units.groupby("manager")[["sales", "margin"]].sum()
        np.testing.assert_allclose(sums["sales"], kpis.loc[sums.index, "net_sales"])
        np.testing.assert_allclose(sums["margin"] / sums["sales"], kpis.loc[sums.index, "margin_rate"])


def test_pandas_and_duckdb_agree_on_a_movers_part(tmp_path):
    for name, frame in _tables(with_costs=True).items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    engines = {engine: kt.load(tmp_path, engine=engine) for engine in ("pandas", "duckdb")}
    for team in ("North", "South"):
        gaps = {e: kt.plan_gap(d, period="2026Q3", team=team) for e, d in engines.items()}
        pd.testing.assert_frame_equal(gaps["pandas"], gaps["duckdb"], rtol=1e-9)
        pd.testing.assert_frame_equal(
            gaps["pandas"].attrs["effect_intervals"], gaps["duckdb"].attrs["effect_intervals"], rtol=1e-9
        )
        units = {e: kt.margin_units(d, period="2026Q3", team=team) for e, d in engines.items()}
        pd.testing.assert_frame_equal(units["pandas"], units["duckdb"], check_dtype=False)


@pytest.fixture(scope="module")
def demo() -> kt.SalesData:
    return kt.from_frames(**make_demo_data())


@pytest.mark.parametrize("team", ["North", "South"])
def test_demo_teams_with_the_mover_add_up(demo, team):
    # M13 moved South -> North on 2026-08-17: her 2026Q3 target is split 45/92 North, 47/92 South
    gap = kt.plan_gap(demo, period="2026Q3", team=team).set_index("manager")
    kpis = kt.manager_kpis(demo, period="2026Q3", team=team)
    total = gap.loc["TOTAL"]
    assert _identity(gap).abs().max() < 1e-6
    assert total["actual"] == pytest.approx(kpis["sales_volume"].sum())
    assert total["baseline_value"] == pytest.approx(kt.group_plan(demo, period="2026Q3", team=team))
    members = kpis["sales_plan"].sum()
    assert total["team_plan_effect"] == pytest.approx(members - total["baseline_value"])
    # the team's target is 5 % above its members' (demo rule), M13 counted by her days in the team
    assert total["baseline_value"] / members == pytest.approx(1.05, abs=1e-3)
    whole = demo.plan_book.targets(["M13"], demo.period("2026Q3"), "sales_volume").iloc[0]
    share = (45 if team == "North" else 47) / 92
    assert gap.loc["M13", "baseline_value"] == pytest.approx(whole * share)


def test_demo_north_pinned(demo):
    # before the fix North counted M13's whole quarter (2,385,688 sold, 2,192,000 planned): actual
    # 22,819,863 and team_plan_effect +7,000; now her 45 days in North, as manager_kpis(team="North")
    total = kt.plan_gap(demo, period="2026Q3", team="North").iloc[-1]
    assert (total["actual"], total["baseline_value"], total["gap"]) == pytest.approx(
        (21_437_987.49, 23_377_000.0, -1_939_012.51)
    )
    assert total["team_plan_effect"] == pytest.approx(22_264_173.91 - 23_377_000.0)
