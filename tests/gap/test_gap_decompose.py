"""decompose_gap: golden case 10 through counts, the zero cases by hand, fallbacks, TOTAL, input checks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import PLAN_GAP_COLUMNS, decompose_gap, decompose_product, log_mean

# the volume drivers (returns_effect and margin_effect: tests/gap/test_gap_net_sales.py)
EFFECTS = [
    c for c in PLAN_GAP_COLUMNS if c.endswith("_effect") and c not in ("returns_effect", "margin_effect")
]


def _counts(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["manager", "leads_closed", "leads_won", "orders", "sales_volume"])


def _drivers(*rows: tuple, reference: str = "plan") -> pd.DataFrame:
    columns = ["manager", "leads_closed", "conversion", "orders_per_win", "average_check"]
    return pd.DataFrame(rows, columns=columns).assign(reference=reference)


def _row(gap: pd.DataFrame, manager: str) -> pd.Series:
    return gap.set_index("manager").loc[manager]


def test_columns_are_the_constant():
    assert PLAN_GAP_COLUMNS == (
        "manager",
        "actual",
        "baseline_value",
        "gap",
        "leads_effect",
        "conversion_effect",
        "orders_per_win_effect",
        "orders_effect",
        "average_check_effect",
        "reference",
        "method",
        "returns_effect",
        "margin_effect",
    )


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # ../shared/reference/stats_cases.json case 10, "lmdi_effects_leads_conv_check"
        ("lmdi", [-4698.88, -9951.77, 4250.65]),
        # ../shared/reference/stats_cases.json case 10, "shapley_effects_leads_conv_check"
        ("shapley", [-4716.67, -9966.67, 4283.33]),
    ],
)
def test_case10_from_counts(method, expected):
    # Case 10's actual 180 leads x 20 % x 1100 as counts: 36 won leads, one order each, 36 x 1100 = 39600.
    actual = _counts(("ann", 180, 36, 36, 39600.0))
    plan = _drivers(("ann", 200.0, 0.25, 1.0, 1000.0))
    row = _row(decompose_gap(actual, plan, method=method), "ann")
    assert row["actual"] == 39600.0 and row["baseline_value"] == 50000.0  # case 10 "R_actual", "R_plan"
    assert row["gap"] == pytest.approx(-10400.0)  # case 10 "gap"
    assert [row["leads_effect"], row["conversion_effect"], row["average_check_effect"]] == pytest.approx(
        expected, abs=0.005
    )
    assert row["orders_per_win_effect"] == 0.0  # one order per win in both
    assert np.isnan(row["orders_effect"])  # not a driver of the leads mode
    assert row["method"] == method and row["reference"] == "plan"


# --- zeros in the driver chain, by hand (baseline 200 x 0.25 x 1 x 1000 = 50 000) -----------------------
PLAN = ("ann", 200.0, 0.25, 1.0, 1000.0)


@pytest.mark.parametrize(
    ("counts", "column"),
    [
        (("ann", 0, 0, 0, 0.0), "leads_effect"),  # no lead closed: conversion, orders/win, check undefined
        (("ann", 150, 0, 0, 0.0), "conversion_effect"),  # leads closed, none won: orders/win, check undefined
        (("ann", 150, 30, 0, 0.0), "orders_per_win_effect"),  # wins without orders: check undefined
    ],
)
def test_lmdi_the_first_zero_driver_carries_the_whole_loss(counts, column):
    # The undefined drivers take the baseline's values, so their effects are 0; by Ang & Liu's limit the
    # zero driver takes -V0 = -50 000 and every other driver 0, however much it changed.
    row = _row(decompose_gap(_counts(counts), _drivers(PLAN)), "ann")
    assert row["gap"] == -50000.0
    assert row[column] == -50000.0
    others = [c for c in EFFECTS if c not in (column, "orders_effect")]
    assert row[others].tolist() == [0.0, 0.0, 0.0]
    assert row["method"] == "lmdi"


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        # L 200 -> 0: v(S) = 0 whenever L is switched; every other driver is filled from the baseline.
        (("ann", 0, 0, 0, 0.0), [-50000.0, 0.0, 0.0, 0.0]),
        # L 200 -> 150, C 0.25 -> 0 (orders/win and check filled, x 1 x 1000):
        # L = 1/2 (150-200)(0.25 + 0) 1000 = -6250; C = 1/2 (0-0.25)(200 + 150) 1000 = -43750.
        (("ann", 150, 0, 0, 0.0), [-6250.0, -43750.0, 0.0, 0.0]),
        # L 200 -> 150, C 0.25 -> 0.2, O 1 -> 0 (check filled, x 1000), weights 1/3, 1/6, 1/3:
        # O = -1 x (200*0.25/3 + (150*0.25 + 200*0.2)/6 + 150*0.2/3) x 1000 = -39583.33;
        # L = -50 x (0.25*1/3 + 0.2*1/6) x 1000 = -5833.33; C = -0.05 x (200/3 + 150/6) x 1000 = -4583.33.
        (("ann", 150, 30, 0, 0.0), [-5833.333333, -4583.333333, -39583.333333, 0.0]),
    ],
)
def test_shapley_shares_a_zero_with_the_drivers_that_changed_before_it(counts, expected):
    row = _row(decompose_gap(_counts(counts), _drivers(PLAN), method="shapley"), "ann")
    columns = ["leads_effect", "conversion_effect", "orders_per_win_effect", "average_check_effect"]
    assert row[columns].tolist() == pytest.approx(expected)
    assert row[columns].sum() == pytest.approx(-50000.0)


@pytest.mark.parametrize("method", ["lmdi", "shapley"])
def test_a_zero_baseline_gives_the_whole_gain_to_the_driver_that_appeared(method):
    # The previous period had no closed leads (its other drivers undefined), this one sold 39 600: the
    # leads effect is +39 600 and the others 0 (they take this period's values in the baseline).
    previous = pd.DataFrame(
        {
            "manager": ["ann"],
            "leads_closed": [0.0],
            "conversion": [np.nan],
            "orders_per_win": [np.nan],
            "average_check": [np.nan],
        }
    )
    row = _row(decompose_gap(_counts(("ann", 180, 36, 36, 39600.0)), previous, method=method), "ann")
    assert row["baseline_value"] == 0.0 and row["gap"] == 39600.0
    assert row["leads_effect"] == pytest.approx(39600.0)
    assert row[["conversion_effect", "orders_per_win_effect", "average_check_effect"]].tolist() == [0, 0, 0]


@pytest.mark.parametrize("method", ["lmdi", "shapley"])
def test_zero_in_both_periods_gives_zero_effects(method):
    previous = pd.DataFrame(
        {
            "manager": ["ann"],
            "leads_closed": [10.0],
            "conversion": [0.0],
            "orders_per_win": [np.nan],
            "average_check": [np.nan],
        }
    )
    row = _row(decompose_gap(_counts(("ann", 0, 0, 0, 0.0)), previous, method=method), "ann")
    assert row["gap"] == 0.0 and row["baseline_value"] == 0.0
    assert row[
        ["leads_effect", "conversion_effect", "orders_per_win_effect", "average_check_effect"]
    ].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert row["method"] == method


def test_orders_without_won_leads_fall_back_to_orders_times_check():
    # 4 orders for 2000 with 10 leads closed and none won: orders_per_win = 4/0. Baseline 10 x 0.3 x 1 x 600
    # = 3 orders x 600 = 1800. LMDI: L(2000, 1800) = 200 / ln(10/9) = 1898.2466;
    # orders: 1898.2466 x ln(4/3) = 546.0909; check: 1898.2466 x ln(500/600) = -346.0909.
    # Shapley: orders (4-3)(600+500)/2 = 550; check (500-600)(3+4)/2 = -350.
    actual = _counts(("cid", 10, 0, 4, 2000.0))
    plan = _drivers(("cid", 10.0, 0.3, 1.0, 600.0))
    weight = 200 / math.log(10 / 9)
    row = _row(decompose_gap(actual, plan), "cid")
    assert row["orders_effect"] == pytest.approx(weight * math.log(4 / 3))
    assert row["average_check_effect"] == pytest.approx(weight * math.log(5 / 6))
    assert row[["leads_effect", "conversion_effect", "orders_per_win_effect"]].isna().all()
    assert row["method"] == "lmdi; orders x average_check: orders without won leads in the actual period"
    shapley = _row(decompose_gap(actual, plan, method="shapley"), "cid")
    assert [shapley["orders_effect"], shapley["average_check_effect"]] == pytest.approx([550.0, -350.0])
    # The same in the baseline (e.g. the previous period's counts): orders come from its 'orders' column.
    previous = pd.DataFrame(
        {
            "manager": ["cid"],
            "leads_closed": [10.0],
            "conversion": [0.0],
            "orders_per_win": [np.inf],
            "orders": [3.0],
            "average_check": [600.0],
        }
    )
    row = _row(decompose_gap(_counts(("cid", 10, 2, 4, 2000.0)), previous), "cid")
    assert row["baseline_value"] == 1800.0
    assert row["orders_effect"] == pytest.approx(weight * math.log(4 / 3))
    assert row["method"].endswith("in the baseline period")


def test_rows_that_cannot_be_decomposed_say_why_and_total_leaves_them_out():
    actual = _counts(
        ("ann", 180, 36, 36, 39600.0),
        ("dan", 20, 5, 5, 3000.0),
        ("eve", 5, 1, 1, 100.0),
        ("gus", np.nan, np.nan, 3, 30.0),
    )
    plan = _drivers(
        PLAN, ("dan", np.nan, 0.2, 1.0, 500.0), ("fay", 5.0, 0.2, 1.0, 100.0), ("gus", 3.0, 1.0, 1.0, 10.0)
    )
    gap = decompose_gap(actual, plan).set_index("manager")
    assert list(gap.index) == ["ann", "dan", "eve", "fay", "gus", "TOTAL"]
    assert gap.loc["dan", "method"] == "none; the baseline has no leads_closed"
    assert gap.loc["eve", "method"] == "none; no baseline for this manager"
    assert gap.loc["eve", "reference"] == "baseline"
    assert gap.loc["fay", "method"] == "none; no actual counts for this manager"
    assert gap.loc["gus", "method"] == "none; the actual counts give no leads_closed"
    for manager in ("dan", "eve", "fay", "gus"):
        assert gap.loc[manager, EFFECTS].isna().all()
    assert gap.loc["dan", "actual"] == 3000.0 and np.isnan(gap.loc["dan", "gap"])
    assert gap.loc["fay", "baseline_value"] == 100.0 and np.isnan(gap.loc["fay", "actual"])
    assert gap.loc["TOTAL", "gap"] == gap.loc["ann", "gap"]
    assert gap.loc["TOTAL", "method"] == (
        "lmdi; sum of 1 of 5 managers (the others could not be decomposed); "
        "left out: dan, eve, fay, gus, with 3,130 of actual volume"
    )


def test_an_empty_baseline_row_points_to_its_reference():
    plan = pd.DataFrame(
        {
            "manager": ["ann"],
            "leads_closed": [np.nan],
            "conversion": [np.nan],
            "orders_per_win": [np.nan],
            "average_check": [np.nan],
            "reference": ["plan: no positive sales_volume target"],
        }
    )
    row = _row(decompose_gap(_counts(("ann", 180, 36, 36, 39600.0)), plan), "ann")
    assert row["method"] == "none; the baseline is empty (see reference)"
    assert row["reference"] == "plan: no positive sales_volume target"


def _random_team(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    closed = rng.integers(20, 300, n)
    won = rng.binomial(closed, 0.25)
    orders = won + rng.integers(0, 10, n)
    actual = pd.DataFrame(
        {
            "manager": [f"m{i}" for i in range(n)],
            "leads_closed": closed,
            "leads_won": won,
            "orders": orders,
            "sales_volume": orders * rng.uniform(500, 1500, n),
        }
    )
    plan = pd.DataFrame(
        {
            "manager": actual["manager"],
            "leads_closed": rng.uniform(50, 250, n),
            "conversion": rng.uniform(0.15, 0.35, n),
            "orders_per_win": rng.uniform(1, 1.5, n),
            "average_check": rng.uniform(600, 1400, n),
        }
    )
    return actual, plan


def test_total_is_the_lmdi_decomposition_of_the_team_with_managers_as_subcategories(rng):
    # Ang & Liu (2001): for V = sum_m prod_k x_mk, the additive LMDI-I effect of driver k is
    # sum_m L(V_m^T, V_m^0) ln(x_mk^T / x_mk^0), which is exactly the sum of the managers' effects.
    actual, plan = _random_team(rng, 7)
    gap = decompose_gap(actual, plan)
    drivers = ["leads_closed", "conversion", "orders_per_win", "average_check"]
    x0 = plan[drivers].to_numpy()
    x1 = np.column_stack(
        [
            actual["leads_closed"],
            actual["leads_won"] / actual["leads_closed"],
            actual["orders"] / actual["leads_won"],
            actual["sales_volume"] / actual["orders"],
        ]
    )
    weight = log_mean(x1.prod(axis=1), x0.prod(axis=1))
    expected = (weight[:, None] * np.log(x1 / x0)).sum(axis=0)
    total = gap.iloc[-1]
    assert total[
        ["leads_effect", "conversion_effect", "orders_per_win_effect", "average_check_effect"]
    ].to_numpy(dtype=float) == pytest.approx(expected, rel=1e-12)
    assert total["gap"] == pytest.approx(actual["sales_volume"].sum() - x0.prod(axis=1).sum(), rel=1e-12)
    assert total[EFFECTS].astype(float).sum() == pytest.approx(total["gap"], rel=1e-12)
    # ... and it is not the decomposition of the team's pooled drivers (that would mix in who sold what).
    pooled_actual = np.array(
        [
            actual["leads_closed"].sum(),
            actual["leads_won"].sum() / actual["leads_closed"].sum(),
            actual["orders"].sum() / actual["leads_won"].sum(),
            actual["sales_volume"].sum() / actual["orders"].sum(),
        ]
    )
    leads0 = x0[:, 0].sum()
    pooled_plan = np.array(
        [
            leads0,
            (x0[:, 0] * x0[:, 1]).sum() / leads0,
            (x0[:, 0] * x0[:, 1] * x0[:, 2]).sum() / (x0[:, 0] * x0[:, 1]).sum(),
            x0.prod(axis=1).sum() / (x0[:, 0] * x0[:, 1] * x0[:, 2]).sum(),
        ]
    )
    pooled = decompose_product(pd.DataFrame([pooled_plan]), pd.DataFrame([pooled_actual])).iloc[0].to_numpy()
    assert pooled.sum() == pytest.approx(total["gap"], rel=1e-9)
    assert not np.allclose(pooled, expected, rtol=1e-3)


def test_total_of_shapley_is_the_sum_of_the_managers(rng):
    actual, plan = _random_team(rng, 5)
    gap = decompose_gap(actual, plan, method="shapley")
    managers, total = gap.iloc[:-1], gap.iloc[-1]
    assert total[EFFECTS].astype(float).fillna(0).to_numpy() == pytest.approx(
        managers[EFFECTS].sum().to_numpy()
    )
    assert total["method"] == "shapley"


def test_mixed_modes_in_total_and_reference_kinds():
    actual = _counts(("ann", 180, 36, 36, 39600.0), ("cid", 10, 0, 4, 2000.0))
    plan = pd.DataFrame(
        {
            "manager": ["ann", "cid"],
            "leads_closed": [200.0, 10.0],
            "conversion": [0.25, 0.3],
            "orders_per_win": [1.0, 1.0],
            "average_check": [1000.0, 600.0],
            "reference": ["plan: targets x 1.1", "plan: targets x 0.9"],
        }
    )
    gap = decompose_gap(actual, plan).set_index("manager")
    assert gap.loc["TOTAL", "orders_effect"] == gap.loc["cid", "orders_effect"]
    assert gap.loc["TOTAL", "leads_effect"] == gap.loc["ann", "leads_effect"]
    assert gap.loc["TOTAL", "method"] == "lmdi; 1 of them in orders x average_check"
    assert gap.loc["TOTAL", "reference"] == "plan"


def test_orders_mode():
    # Without lead counts: sales_volume = orders x average_check. 36 x 1100 against 50 x 1000:
    # L(39600, 50000) = 44598.1 (case 10's weight); orders 44598.1 x ln(0.72); check 44598.1 x ln(1.1).
    actual = pd.DataFrame({"manager": ["ann"], "orders": [36], "sales_volume": [39600.0]})
    plan = pd.DataFrame({"manager": ["ann"], "orders": [50.0], "average_check": [1000.0]})
    row = _row(decompose_gap(actual, plan), "ann")
    assert row["orders_effect"] == pytest.approx(44598.1 * math.log(0.72), abs=0.05)
    assert row["average_check_effect"] == pytest.approx(44598.1 * math.log(1.1), abs=0.05)
    assert row[["leads_effect", "conversion_effect", "orders_per_win_effect"]].isna().all()
    # NaN lead counts (no leads table) also give the orders mode; a leads baseline gives its orders.
    actual_nan = _counts(("ann", np.nan, np.nan, 36, 39600.0))
    same = _row(decompose_gap(actual_nan, _drivers(("ann", 200.0, 0.25, 1.0, 1000.0))), "ann")
    assert same["orders_effect"] == pytest.approx(row["orders_effect"])
    forced = _row(decompose_gap(_counts(("ann", 180, 36, 36, 39600.0)), plan, mode="orders"), "ann")
    assert forced["orders_effect"] == pytest.approx(row["orders_effect"])


def test_output_is_sorted_and_typed():
    actual = _counts(("bob", 10, 2, 2, 200.0), ("ann", 180, 36, 36, 39600.0))
    plan = _drivers(("bob", 10.0, 0.2, 1.0, 100.0), PLAN)
    gap = decompose_gap(actual, plan, reference="ignored")
    assert gap["manager"].tolist() == ["ann", "bob", "TOTAL"]
    assert all(gap[c].dtype == "float64" for c in PLAN_GAP_COLUMNS[1:-4] + PLAN_GAP_COLUMNS[-2:])
    assert gap["reference"].tolist() == ["plan", "plan", "plan"]
    no_reference = decompose_gap(actual, plan.drop(columns="reference"), reference="previous")
    assert set(no_reference["reference"]) == {"previous"}


@pytest.mark.parametrize(
    ("actual", "baseline", "kwargs", "message"),
    [
        (_counts(("ann", 1, 1, 1, 1.0)), _drivers(PLAN), {"method": "ols"}, "method='ols'"),
        (_counts(("ann", 1, 1, 1, 1.0)), _drivers(PLAN), {"mode": "leeds"}, "mode='leeds'"),
        (_counts(("ann", 1, 2, 1, 1.0)), _drivers(PLAN), {}, "leads_won exceeds leads_closed"),
        (_counts(("ann", 1, 1, -1, 1.0)), _drivers(PLAN), {}, "'orders' is negative"),
        (_counts(("ann", 1, 1, 0, 5.0)), _drivers(PLAN), {}, "sales_volume without orders"),
        (
            _counts(("ann", 1, 1, 1, 1.0), ("ann", 1, 1, 1, 1.0)),
            _drivers(PLAN),
            {},
            "each manager must appear once",
        ),
        (_counts(("TOTAL", 1, 1, 1, 1.0)), _drivers(PLAN), {}, "none may be called 'TOTAL'"),
        (
            _counts(("ann", 1, 1, 1, 1.0)),
            _drivers(("ann", 1.0, -0.1, 1.0, 1.0)),
            {},
            "'conversion' is negative",
        ),
        (pd.DataFrame({"manager": ["ann"]}), _drivers(PLAN), {}, "actual has no column 'orders'"),
        (
            _counts(("ann", 1, 1, 1, 1.0)),
            pd.DataFrame({"manager": ["ann"], "orders": [1.0]}),
            {"mode": "leads"},
            "mode='leads' needs",
        ),
        ("counts", _drivers(PLAN), {}, "actual must be a pandas DataFrame"),
    ],
)
def test_bad_input_raises_parameter_error(actual, baseline, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        decompose_gap(actual, baseline, **kwargs)
