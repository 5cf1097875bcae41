"""Drivers from counts, the team's pooled drivers, the team baseline and the plan baseline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import (
    BASELINE_COLUMNS,
    DRIVER_COLUMNS,
    decompose_gap,
    drivers_from_counts,
    plan_baseline,
    pooled_drivers,
    team_baseline,
)

COUNTS = pd.DataFrame(
    {
        "manager": ["b", "a", "c"],
        "leads_closed": [30, 10, 0],
        "leads_won": [5, 5, 0],
        "orders": [10, 5, 0],
        "sales_volume": [500.0, 500.0, 0.0],
    }
)


def test_driver_columns_are_the_constants():
    assert DRIVER_COLUMNS == (
        "manager",
        "sales_volume",
        "leads_closed",
        "conversion",
        "orders_per_win",
        "orders",
        "average_check",
    )
    assert BASELINE_COLUMNS == (*DRIVER_COLUMNS, "reference")


def test_drivers_from_counts_by_hand():
    drivers = drivers_from_counts(COUNTS).set_index("manager")
    assert list(drivers.index) == ["a", "b", "c"]
    # a: 10 leads, 5 won (50 %), 5 orders (1 per win), 500 (100 a check)
    assert drivers.loc["a", ["leads_closed", "conversion", "orders_per_win", "average_check"]].tolist() == [
        10.0,
        0.5,
        1.0,
        100.0,
    ]
    # b: 30 leads, 5 won (1/6), 10 orders (2 per win), 50 a check
    assert drivers.loc["b", ["conversion", "orders_per_win", "average_check"]].tolist() == pytest.approx(
        [1 / 6, 2.0, 50.0]
    )
    # c: no leads closed: conversion, orders per win and average check are undefined (NaN, not 0)
    assert drivers.loc["c", ["conversion", "orders_per_win", "average_check"]].isna().all()
    # the identity telescopes: the drivers multiply to the sales volume
    product = drivers[["leads_closed", "conversion", "orders_per_win", "average_check"]].prod(axis=1)
    assert product.loc[["a", "b"]].tolist() == pytest.approx([500.0, 500.0], rel=1e-15)


def test_orders_without_won_leads_is_inf_and_orders_mode_has_no_lead_drivers():
    counts = pd.DataFrame(
        {"manager": ["x"], "leads_closed": [10], "leads_won": [0], "orders": [3], "sales_volume": [30.0]}
    )
    assert drivers_from_counts(counts)["orders_per_win"].tolist() == [np.inf]
    orders = drivers_from_counts(counts, mode="orders")
    assert orders[["leads_closed", "conversion", "orders_per_win"]].isna().all(axis=None)
    assert orders[["orders", "average_check"]].iloc[0].tolist() == [3.0, 10.0]
    no_leads = drivers_from_counts(counts.drop(columns=["leads_closed", "leads_won"]))
    assert no_leads["leads_closed"].isna().all()
    with pytest.raises(ParameterError, match="no column 'leads_closed'"):
        drivers_from_counts(counts.drop(columns=["leads_closed"]), mode="leads")


def test_pooled_drivers_are_ratios_of_sums():
    team = pooled_drivers(COUNTS)
    # 40 leads, 10 won, 15 orders, 1000: conversion 0.25, 1.5 orders per win, 66.67 a check
    assert team[["leads_closed", "conversion", "orders_per_win", "average_check"]].tolist() == pytest.approx(
        [40.0, 0.25, 1.5, 1000 / 15]
    )
    assert team.name == "team"
    with_nan = COUNTS.assign(leads_won=[5, np.nan, 0])
    assert np.isnan(pooled_drivers(with_nan, mode="leads")["conversion"])  # no silent partial sum


def test_team_baseline_has_zero_leads_effect():
    base = team_baseline(COUNTS)
    assert list(base.columns) == list(BASELINE_COLUMNS)
    # a: own 10 leads x 0.25 x 1.5 x 66.67 = 250; b: 30 leads -> 750; c: 0 leads -> 0
    assert base["sales_volume"].tolist() == pytest.approx([250.0, 750.0, 0.0])
    assert base["reference"].iloc[0] == (
        "team: own leads_closed, the team's pooled conversion, orders_per_win, average_check"
    )
    gap = decompose_gap(COUNTS, base).set_index("manager")
    assert gap.loc[["a", "b", "TOTAL"], "leads_effect"].tolist() == [0.0, 0.0, 0.0]
    # c sold nothing from nothing: gap 0, every effect 0
    assert gap.loc["c", ["gap", "conversion_effect", "average_check_effect"]].tolist() == [0.0, 0.0, 0.0]
    # the team total of this baseline is the team's volume: the effects show who converts and prices how
    assert gap.loc["TOTAL", "gap"] == pytest.approx(0.0, abs=1e-9)
    assert gap.loc["a", "gap"] == pytest.approx(250.0)


def test_team_baseline_with_undefined_pooled_drivers_is_zero():
    # Nobody won a lead: the team's conversion is 0, its orders per win and average check 0/0.
    counts = COUNTS.assign(leads_won=0, orders=0, sales_volume=0.0)
    base = team_baseline(counts)
    assert base["conversion"].tolist() == [0.0, 0.0, 0.0]
    assert base[["orders_per_win", "average_check"]].isna().all(axis=None)
    assert base[["orders", "sales_volume"]].to_numpy().tolist() == [[0.0, 0.0]] * 3
    gap = decompose_gap(counts, base)
    assert gap["method"].tolist() == ["lmdi"] * 4
    assert gap[["gap", "leads_effect", "conversion_effect", "average_check_effect"]].abs().sum().sum() == 0.0


def test_team_baseline_with_orders_without_wins_is_nan_with_a_note():
    counts = COUNTS.assign(leads_won=0)
    base = team_baseline(counts)
    assert base[["conversion", "orders_per_win", "sales_volume"]].isna().all(axis=None)
    assert base["reference"].iloc[0] == (
        "team: the team's orders come without won leads (orders_per_win infinite); use mode='orders'"
    )
    gap = decompose_gap(counts, base)
    assert gap["method"].iloc[0] == "none; the baseline is empty (see reference)"


def test_team_baseline_orders_mode():
    base = team_baseline(COUNTS.drop(columns=["leads_closed", "leads_won"]))
    # own orders x the team's average check 1000/15
    assert base["sales_volume"].tolist() == pytest.approx([5000 / 15, 10000 / 15, 0.0])
    assert base["leads_closed"].isna().all()


def test_plan_baseline_scales_free_drivers_geometrically():
    # 200 leads targeted; free drivers from the team mix 0.2 x 1 x 1000 (40 000 with the leads); the target
    # 53 240 = 40 000 x 1.1^3, so each free driver is scaled by 1.1.
    targets = pd.DataFrame({"manager": ["ann"], "sales_volume": [53240.0], "leads_closed": [200.0]})
    team = pd.Series({"conversion": 0.2, "orders_per_win": 1.0, "average_check": 1000.0})
    base = plan_baseline(targets, mix=team).iloc[0]
    assert base[["leads_closed", "conversion", "orders_per_win", "average_check"]].tolist() == pytest.approx(
        [200.0, 0.22, 1.1, 1100.0]
    )
    assert base["sales_volume"] == pytest.approx(53240.0, rel=1e-15)
    assert base["orders"] == pytest.approx(200 * 0.22 * 1.1)
    assert base["reference"] == (
        "plan: targets for sales_volume, leads_closed; "
        "conversion, orders_per_win, average_check = team mix x 1.1"
    )


def test_plan_baseline_without_driver_targets_and_with_a_per_manager_mix():
    targets = pd.DataFrame({"manager": ["ann", "bob"], "sales_volume": [16.0, 1.0]})
    mix = pd.DataFrame(
        {
            "manager": ["bob", "ann"],
            "leads_closed": [1.0, 1.0],
            "conversion": [1.0, 1.0],
            "orders_per_win": [1.0, 1.0],
            "average_check": [1.0, 1.0],
        }
    )
    base = plan_baseline(targets, mix=mix, mix_name="last year")
    # ann: all four drivers x 16^(1/4) = 2; bob: x 1
    assert base.loc[
        0, ["leads_closed", "conversion", "orders_per_win", "average_check"]
    ].tolist() == pytest.approx([2.0, 2.0, 2.0, 2.0])
    assert base.loc[1, "reference"].endswith("= last year mix x 1")


def test_plan_baseline_orders_mode_and_every_driver_targeted():
    targets = pd.DataFrame(
        {
            "manager": ["ann", "bob"],
            "sales_volume": [1000.0, 1000.0],
            "orders": [10.0, 10.0],
            "average_check": [100.0, 120.0],
        }
    )
    base = plan_baseline(targets, mix=pd.Series({"orders": 1.0, "average_check": 1.0}), mode="orders")
    assert base.loc[0, ["orders", "average_check", "sales_volume"]].tolist() == [10.0, 100.0, 1000.0]
    assert base.loc[0, "reference"] == "plan: targets for every driver"
    assert base.loc[1, ["orders", "average_check"]].isna().all()
    assert base.loc[1, "reference"] == (
        "plan: the driver targets multiply to 1200, not the sales_volume target 1000; "
        "make them agree or drop a driver target"
    )


@pytest.mark.parametrize(
    ("row", "mix", "note"),
    [
        ({"sales_volume": np.nan}, {}, "plan: no positive sales_volume target"),
        ({"sales_volume": 0.0}, {}, "plan: no positive sales_volume target"),
        ({"sales_volume": 100.0, "leads_closed": 0.0}, {}, "plan: a driver target is 0 but the sales_volume"),
        ({"sales_volume": 100.0}, {"conversion": 0.0}, "plan: the team mix has no positive conversion"),
        (
            {"sales_volume": 100.0},
            {"average_check": np.nan},
            "plan: the team mix has no positive average_check",
        ),
    ],
)
def test_plan_baseline_rows_that_cannot_be_built_are_nan_with_a_note(row, mix, note):
    targets = pd.DataFrame([{"manager": "ann", **row}])
    team = pd.Series(
        {"leads_closed": 10.0, "conversion": 0.2, "orders_per_win": 1.0, "average_check": 50.0} | mix
    )
    base = plan_baseline(targets, mix=team).iloc[0]
    assert (
        base[["leads_closed", "conversion", "orders_per_win", "average_check", "sales_volume"]].isna().all()
    )
    assert base["reference"].startswith(note)


def test_plan_baseline_errors():
    targets = pd.DataFrame({"manager": ["ann"], "sales_volume": [100.0]})
    with pytest.raises(ParameterError, match="mix has no 'average_check'"):
        plan_baseline(targets, mix=pd.Series({"leads_closed": 1.0, "conversion": 1.0, "orders_per_win": 1.0}))
    with pytest.raises(ParameterError, match="'sales_volume' is negative"):
        plan_baseline(targets.assign(sales_volume=-1.0), mix=pd.Series(dtype=float))
    with pytest.raises(ParameterError, match="mode='auto'"):
        plan_baseline(targets, mix=pd.Series(dtype=float), mode="auto")
    with pytest.raises(ParameterError, match="targets has no column 'sales_volume'"):
        plan_baseline(targets.drop(columns="sales_volume"), mix=pd.Series(dtype=float))


def test_plan_baseline_feeds_decompose_gap():
    targets = pd.DataFrame({"manager": ["ann"], "sales_volume": [53240.0], "leads_closed": [200.0]})
    base = plan_baseline(
        targets, mix=pd.Series({"conversion": 0.2, "orders_per_win": 1.0, "average_check": 1000.0})
    )
    actual = pd.DataFrame(
        {
            "manager": ["ann"],
            "leads_closed": [200],
            "leads_won": [44],
            "orders": [44],
            "sales_volume": [48400.0],
        }
    )
    row = decompose_gap(actual, base).iloc[0]
    # leads on target (effect 0); conversion on target 0.22 (0); 1 order per win instead of 1.1; check 1100
    assert row["baseline_value"] == pytest.approx(53240.0)
    assert row[["leads_effect", "conversion_effect", "average_check_effect"]].tolist() == pytest.approx(
        [0.0, 0.0, 0.0], abs=1e-9
    )
    assert row["orders_per_win_effect"] == pytest.approx(48400.0 - 53240.0)
    assert row["reference"].startswith("plan: targets for sales_volume, leads_closed;")
