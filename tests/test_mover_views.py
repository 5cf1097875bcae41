"""A manager who moves team (an ``assignments`` table) in every team view: with ``team=T`` a mover
counts only with the orders, leads and pro-rated targets of their days in T, as ``manager_kpis(team=T)``
does (issue 15, README "Team moves"); each team's part of a mover between North and South, pandas and
DuckDB alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.gap import amount_moment_ratio

# dan is in North until 16 August 2026 and in South from 17 August: 47 of 2026Q3's 92 days in North
NORTH_Q3, SOUTH_Q3 = 47 / 92, 45 / 92


def _tables() -> dict[str, pd.DataFrame]:
    rows = [
        ("ann", "2026-04-10", 300.0),
        ("ann", "2026-07-10", 200.0),
        ("ann", "2026-08-20", 150.0),
        ("dan", "2026-05-10", 400.0),  # North
        ("dan", "2026-07-05", 100.0),  # North
        ("dan", "2026-08-16", 200.0),  # North, the last day there
        ("dan", "2026-08-17", 300.0),  # South, the first day there
        ("dan", "2026-09-20", 500.0),  # South
        ("eve", "2026-05-03", 250.0),
        ("eve", "2026-07-20", 250.0),
        ("eve", "2026-09-29", 50.0),
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
    targets = {"ann": (400.0, 400.0), "dan": (460.0, 920.0), "eve": (300.0, 300.0)}
    plans = pd.DataFrame(
        [
            {"manager": m, "period": q, "metric": "sales_volume", "target": t[k]}
            for m, t in targets.items()
            for k, q in enumerate(("2026Q2", "2026Q3"))
        ]
    )
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3", "L4", "L5"],
            "manager": ["dan", "dan", "dan", "ann", "eve"],
            "created_at": ["2026-07-01", "2026-06-01", "2026-08-20", "2026-07-05", "2026-07-02"],
            "status": ["open", "won", "lost", "open", "open"],
            "closed_at": [None, "2026-07-15", "2026-09-25", None, None],
            "expected_amount": [1000.0, 500.0, 200.0, 300.0, 400.0],
        }
    )
    return {
        "orders": orders,
        "leads": leads,
        "plans": plans,
        "managers": managers,
        "assignments": assignments,
    }


@pytest.fixture(scope="module")
def data() -> kt.SalesData:
    return kt.from_frames(**_tables())


def _by(series: pd.DataFrame) -> pd.DataFrame:
    return series.set_index(["manager", "period"])


def test_miss_series_takes_each_teams_part_of_a_mover(data):
    north = _by(kt.miss_series(data, periods="2026Q2:2026Q3", team="North"))
    south = _by(kt.miss_series(data, periods="2026Q2:2026Q3", team="South"))
    # North: dan's whole 2026Q2, and 300 (100 + 200) of 2026Q3 against 920 x 47/92 = 470
    assert north.loc[("dan", "2026Q2"), ["sales_volume", "target", "attainment"]].tolist() == pytest.approx(
        [400.0, 460.0, 400 / 460]
    )
    assert north.loc[("dan", "2026Q3"), ["sales_volume", "target"]].tolist() == pytest.approx(
        [300.0, 920 * NORTH_Q3]
    )
    assert north.loc[("dan", "2026Q3"), "attainment"] == pytest.approx(300 / 470)
    # South: 2026Q2 spent wholly in North is not observed; 800 of 2026Q3 against 920 x 45/92 = 450
    assert south.loc[("dan", "2026Q2"), "sales_volume"] == 0.0
    assert np.isnan(south.loc[("dan", "2026Q2"), "target"])
    assert np.isnan(south.loc[("dan", "2026Q2"), "attainment"])
    assert south.loc[("dan", "2026Q3"), ["sales_volume", "target", "attainment"]].tolist() == pytest.approx(
        [800.0, 450.0, 800 / 450]
    )
    # the whole team's members without a move are as before: ann 350/400, eve 300/300
    assert north.loc[("ann", "2026Q3"), "attainment"] == pytest.approx(350 / 400)
    assert south.loc[("eve", "2026Q3"), "attainment"] == pytest.approx(1.0)
    # the noise's amounts are the mover's orders in the team: r from 400, 100, 200 in North
    amounts = np.array([400.0, 100.0, 200.0])
    r = amount_moment_ratio(
        np.array(["dan"] * 3),
        amounts,
        managers=np.array(["dan"]),
        sales_volume=np.array([amounts.sum()]),
        sum_sq_amount=np.array([(amounts**2).sum()]),
    )[0]
    assert north.loc[("dan", "2026Q3"), "noise"] == pytest.approx(np.sqrt(r / 470))


def test_systematic_misses_of_a_team_count_the_movers_periods_in_it(data):
    options = {"periods": "2026Q2:2026Q3", "min_periods": 2}
    north = kt.systematic_misses(data, team="North", **options).set_index("manager")
    south = kt.systematic_misses(data, team="South", **options).set_index("manager")
    assert north.loc["dan", "periods_observed"] == 2
    assert north.loc["dan", "mean_attainment"] == pytest.approx((400 / 460 + 300 / 470) / 2)
    assert south.loc["dan", "periods_observed"] == 1
    assert south.loc["dan", "mean_attainment"] == pytest.approx(800 / 450)
    assert south.loc["dan", "verdict"] == "insufficient data"


def test_pandas_and_duckdb_agree_on_the_movers_series(tmp_path):
    for name, frame in _tables().items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    engines = {engine: kt.load(tmp_path, engine=engine) for engine in ("pandas", "duckdb")}
    for team in ("North", "South"):
        series = {e: kt.miss_series(d, periods="2026Q2:2026Q3", team=team) for e, d in engines.items()}
        pd.testing.assert_frame_equal(series["pandas"], series["duckdb"], rtol=1e-9, check_dtype=False)


def _pace(data: kt.SalesData, team: str, as_of: str) -> pd.DataFrame:
    return kt.pacing(data, period="2026Q3", as_of=as_of, team=team, phasing="linear").set_index("manager")


def test_pacing_a_mover_in_the_team_they_left_closes_their_part(data):
    pace = _pace(data, "North", "2026-09-10")
    # out of North since 17 August: 300 sold there against 920 x 47/92 = 470, closed
    assert pace.loc["dan", ["to_date", "target", "projected"]].tolist() == pytest.approx(
        [300.0, 470.0, 300.0]
    )
    assert pace.loc["dan", "status"] == "missed"
    assert pace.attrs["closed"] == ["dan"]
    # while still there (10 August), paced over their 47 days in North: 41 of them gone
    before = _pace(data, "North", "2026-08-10")
    assert before.loc["dan", ["to_date", "target"]].tolist() == pytest.approx([100.0, 470.0])
    assert before.loc["dan", "expected_to_date"] == pytest.approx(470.0 * 41 / 47)
    assert before.loc["dan", "projected"] == pytest.approx(100.0 * 47 / 41)
    assert before.loc["ann", "expected_to_date"] == pytest.approx(400.0 * 41 / 92)


def test_pacing_a_mover_in_the_team_they_joined_from_their_first_day_there(data):
    pace = _pace(data, "South", "2026-09-10")
    # 300 sold in South by 10 September, target 920 x 45/92 = 450, paced over 25 of their 45 days
    assert pace.loc["dan", ["to_date", "target"]].tolist() == pytest.approx([300.0, 450.0])
    assert pace.loc["dan", "expected_to_date"] == pytest.approx(450.0 * 25 / 45)
    assert pace.loc["dan", "projected"] == pytest.approx(300.0 * 45 / 25)
    assert pace.loc["dan", "status"] == "on track"
    # on 10 August dan is not in South yet: not paced there
    assert "dan" not in _pace(data, "South", "2026-08-10").index


def test_pipeline_of_a_team_takes_the_movers_part_and_open_leads_where_they_are(data):
    def view(team: str, as_of: str) -> pd.DataFrame:
        return kt.pipeline(data, period="2026Q3", as_of=as_of, team=team).set_index("manager")

    columns = ["open_leads", "open_value", "to_date", "target"]
    # 10 August: dan in North, with L1 open; in South he is listed with his future target only
    assert view("North", "2026-08-10").loc["dan", columns].tolist() == pytest.approx(
        [1, 1000.0, 100.0, 470.0]
    )
    assert view("South", "2026-08-10").loc["dan", columns].tolist() == pytest.approx([0, 0.0, 0.0, 450.0])
    # 10 September: in South, with L1 and L3 open; North keeps his 300 sold there and no open lead
    north, south = view("North", "2026-09-10"), view("South", "2026-09-10")
    assert north.loc["dan", columns].tolist() == pytest.approx([0, 0.0, 300.0, 470.0])
    assert south.loc["dan", columns].tolist() == pytest.approx([2, 1200.0, 300.0, 450.0])
    assert north.loc["TOTAL", "target"] == pytest.approx(400.0 + 470.0)
    assert south.loc["TOTAL", "to_date"] == pytest.approx(300.0 + 250.0)


def test_pandas_and_duckdb_agree_on_pacing_and_pipeline_of_a_mover(tmp_path):
    for name, frame in _tables().items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    engines = {engine: kt.load(tmp_path, engine=engine) for engine in ("pandas", "duckdb")}
    for team in ("North", "South"):
        pace = {e: _pace(d, team, "2026-09-10") for e, d in engines.items()}
        pd.testing.assert_frame_equal(pace["pandas"], pace["duckdb"], rtol=1e-9, check_dtype=False)
        pipe = {e: kt.pipeline(d, period="2026Q3", as_of="2026-09-10", team=team) for e, d in engines.items()}
        pd.testing.assert_frame_equal(pipe["pandas"], pipe["duckdb"], rtol=1e-9, check_dtype=False)


def test_customer_bridge_of_a_team_takes_the_movers_orders_in_it(data):
    north = kt.customer_bridge(data, period="2026Q3", team="North").set_index("manager")
    south = kt.customer_bridge(data, period="2026Q3", team="South").set_index("manager")
    # dan: 2026Q2's 400 in North (c3, lost there); 2026Q3's 300 in North (c4, c5) and 800 in South (c6, c7)
    assert north.loc["dan", ["baseline", "new", "lost", "actual"]].tolist() == pytest.approx(
        [400, 300, -400, 300]
    )
    assert south.loc["dan", ["baseline", "new", "lost", "actual"]].tolist() == pytest.approx([0, 800, 0, 800])
    for team, bridge in (("North", north), ("South", south)):
        kpis = kt.manager_kpis(data, period="2026Q3", team=team)
        assert bridge.loc["TOTAL", "actual"] == pytest.approx(kpis["sales_volume"].sum())
    changes = kt.customer_changes(data, period="2026Q3", team="South", manager="dan")
    assert sorted(changes["customer_id"]) == ["c6", "c7"]


def test_cycle_times_of_a_team_follow_the_leads_the_mover_created_in_it(data):
    # leads created in 2026Q3: L1 in North (1 July, open), L3 in South (20 August, lost 25 September)
    north = kt.cycle_times(data, periods="2026Q3", team="North").set_index("manager")
    south = kt.cycle_times(data, periods="2026Q3", team="South").set_index("manager")
    assert north.loc["dan", ["won", "lost", "open"]].tolist() == [0, 0, 1]
    assert south.loc["dan", ["won", "lost", "open"]].tolist() == [0, 1, 0]


def test_lead_outcomes_of_a_team_take_the_leads_the_mover_closed_in_it(data):
    # leads closed in 2026Q3: L2 won on 15 July in North, L3 lost on 25 September in South
    closed = {
        team: kt.lead_outcomes(data, period="2026Q3", team=team).groupby("manager")[["won", "lost"]].sum()
        for team in ("North", "South")
    }
    assert closed["North"].loc["dan"].tolist() == [1, 0]
    assert closed["South"].loc["dan"].tolist() == [0, 1]


def test_detectable_difference_of_a_team_counts_the_movers_orders_in_it(data):
    for team, rest in (("North", "ann"), ("South", "eve")):
        table = kt.detectable_difference(data, period="2026Q3", metric="average_check", team=team)
        table = table.set_index("manager")
        # dan's 2 orders in each team (not his 4 of the quarter) against the other member's 2
        assert table.loc["dan", ["n", "versus_n"]].tolist() == [2, 2]
        assert table.loc[rest, ["n", "versus_n"]].tolist() == [2, 2]


def test_pandas_and_duckdb_agree_on_the_movers_customers_and_leads(tmp_path):
    for name, frame in _tables().items():
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    engines = {engine: kt.load(tmp_path, engine=engine) for engine in ("pandas", "duckdb")}
    for team in ("North", "South"):
        for view in (kt.customer_bridge, kt.lead_outcomes):
            frames = {e: view(d, period="2026Q3", team=team) for e, d in engines.items()}
            pd.testing.assert_frame_equal(frames["pandas"], frames["duckdb"], rtol=1e-9, check_dtype=False)
        times = {e: kt.cycle_times(d, periods="2026Q3", team=team) for e, d in engines.items()}
        pd.testing.assert_frame_equal(times["pandas"], times["duckdb"], rtol=1e-9, check_dtype=False)
