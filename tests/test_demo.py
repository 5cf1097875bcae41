"""The demo company: the same everywhere, and with the planted differences it documents."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import PLANTED, make_demo_data


def _digest(tables: dict[str, pd.DataFrame]) -> str:
    h = hashlib.sha256()
    for name in sorted(tables):
        h.update(pd.util.hash_pandas_object(tables[name], index=False).to_numpy().tobytes())
    return h.hexdigest()


def test_same_seed_same_data_and_fixed_dates():
    a, b = make_demo_data(), make_demo_data()
    assert _digest(a) == _digest(b)
    assert _digest(make_demo_data(seed=1)) != _digest(a)
    assert str(a["orders"]["ordered_at"].min().date()) == "2024-10-01"
    assert str(a["orders"]["ordered_at"].max().date()) == "2026-09-30"


def test_shape_of_the_company(demo):
    assert len(demo.manager_ids) >= 12 and len(demo.teams) >= 2
    history = kt.kpi_history(demo, periods="2024Q4:2026Q3")
    assert history["sales_plan"].notna().all()
    attainment = history["plan_attainment"]
    assert (attainment >= 1).sum() > 30 and (attainment < 1).sum() > 30  # some beat plans, some miss
    assert set(demo.leads["status"]) == {"won", "lost", "open"}
    first = demo.orders.groupby("customer_id")["ordered_at"].transform("min")
    assert (demo.orders["ordered_at"] > first).mean() > 0.2  # returning customers
    amounts = demo.orders["amount"]
    assert amounts.mean() > 1.2 * amounts.median()  # skewed


def test_planted_differences(demo):
    assert set(PLANTED) == {"M03", "M04", "M07", "M10", "M12"}  # M04's margin: tests/test_net_sales.py
    two_years = kt.kpi_history(demo, periods="2024Q4:2026Q3")
    totals = two_years.groupby(level="manager")[["leads_won", "leads_closed", "sales_volume", "orders"]].sum()
    conversion = totals["leads_won"] / totals["leads_closed"]
    # the joiner M15 (seven weeks: 28 leads closed, 4 orders) is too short a record to compare with
    assert totals.loc["M15", "leads_closed"] < 40 and totals.loc["M15", "orders"] < 10
    fair = totals.index.drop([*PLANTED, "M15"])
    assert conversion["M03"] < 0.16 and conversion[fair].min() > 0.22
    check = totals["sales_volume"] / totals["orders"]
    assert check["M07"] > 1.6 * check[fair].max()
    assert (two_years.xs("M10", level="manager")["plan_attainment"] < 1).all()
    assert totals.loc["M12", "leads_closed"] < 0.15 * totals.loc[fair, "leads_closed"].min()


@pytest.mark.parametrize(("team", "members"), [("North", 9), ("South", 8)])
def test_teams_have_seven_managers_and_the_people_who_came_left_or_moved(demo, team, members):
    """Seven each all along; North also has the leaver M16 and the mover M13 (from August 2026), South the
    joiner M15 (and M13 until then)."""
    assert len(demo.managers_of(team)) == members
    first = kt.manager_kpis(demo, period="2024Q4", team=team)
    assert len(first) == 7 + (team == "North")  # the leaver M16 is in North until May 2026


def test_planted_people(demo):
    """The joiner, the leaver, the mover and the teams' own targets (PLANTED_PEOPLE)."""
    from kpi_toolkit.demo import PLANTED_PEOPLE

    assert set(PLANTED_PEOPLE) == {"M13", "M15", "M16", "teams"}
    q3 = kt.manager_kpis(demo, period="2026Q3")
    assert "M16" not in q3.index and q3.attrs["plan_prorated"] == {"M15": ["2026-08", "2026-09"]}
    months = demo.plans.set_index(["manager", "period"])["target"]
    assert q3.loc["M15", "sales_plan"] == months["M15", "2026-08"] + months["M15", "2026-09"]
    q2 = kt.manager_kpis(demo, period="2026Q2")
    assert q2.attrs["plan_prorated"] == {"M16": ["2026-04", "2026-05"]}
    assert q2.loc["M16", "sales_plan"] == months["M16", "2026-04"] + months["M16", "2026-05"]
    # nothing of the leaver after leaving, nothing of the joiner before joining
    assert demo.orders.loc[demo.orders["manager"] == "M16", "ordered_at"].max() < pd.Timestamp("2026-05-21")
    leads = demo.leads
    assert leads.loc[leads["manager"] == "M16", "closed_at"].max() < pd.Timestamp("2026-05-21")
    assert leads.loc[leads["manager"] == "M15", "created_at"].min() >= pd.Timestamp("2026-08-10")
    changes = kt.team_changes(demo, period="2026Q3")
    assert changes[["manager", "change"]].values.tolist() == [["M15", "joined"], ["M13", "moved"]]
    assert kt.team_changes(demo, period="2026Q2")[["manager", "change"]].values.tolist() == [["M16", "left"]]
    # the mover's 2026Q3 in both teams, and the teams' own targets 5 % above their members' (to 1,000)
    north = kt.manager_kpis(demo, period="2026Q3", team="North")
    south = kt.manager_kpis(demo, period="2026Q3", team="South")
    assert north.loc["M13", "sales_volume"] + south.loc["M13", "sales_volume"] == pytest.approx(
        q3.loc["M13", "sales_volume"]
    )
    for quarter in ("2024Q4", "2026Q2", "2026Q3"):
        plans = kt.team_plans(demo, period=quarter).set_index("team")
        assert (plans["source"] == "team").all()
        ratio = plans["sales_plan"] / plans["members_plan"]
        assert ratio.between(1.05 - 1e-3, 1.05 + 1e-3).all(), (quarter, ratio)


def test_planted_pipeline(demo):
    from kpi_toolkit.demo import DEMO_STAGES, PLANTED_PIPELINE

    assert set(PLANTED_PIPELINE) == {"M05"} and demo.stages == DEMO_STAGES
    leads = demo.leads
    assert leads[["expected_amount", "expected_close", "stage"]].notna().all().all()
    won = leads[leads["status"] == "won"]
    assert (won["stage"] == DEMO_STAGES[-1]).all()
    # M05: the most open leads, most of them stale, and the thinnest weighted coverage of the plan still
    # to make but for the managers short of leads or plan (M06-M07, M10 at 60 % of the lead flow)
    pipe = kt.pipeline(demo, period="2026Q3", as_of="2026-08-15").set_index("manager").drop("TOTAL")
    assert (
        pipe["open_leads"].idxmax() == "M05"
        and pipe.loc["M05", "open_leads"] > 2.5 * pipe["open_leads"].drop("M05").max()
    )
    assert pipe.loc["M05", "stale_leads"] > 0.7 * pipe.loc["M05", "open_leads"]
    assert pipe.loc["M05", "coverage"] > 1 and pipe.loc["M05", "weighted_coverage"] < 0.1
    assert pipe["stale_leads"].drop("M05").max() <= 5
