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
    others = conversion.drop(list(PLANTED))
    assert conversion["M03"] < 0.16 and others.min() > 0.22
    check = totals["sales_volume"] / totals["orders"]
    assert check["M07"] > 1.6 * check.drop(list(PLANTED)).max()
    assert (two_years.xs("M10", level="manager")["plan_attainment"] < 1).all()
    assert totals.loc["M12", "leads_closed"] < 0.15 * totals["leads_closed"].drop(list(PLANTED)).min()


@pytest.mark.parametrize("team", ["North", "South"])
def test_teams_have_seven_managers(demo, team):
    assert len(demo.managers_of(team)) == 7


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
