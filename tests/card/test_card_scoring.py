"""Scorecards and payouts under a card: hand-computed golden payouts for each branch of the rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.card import (
    PAYOUT_COLUMNS,
    SCORECARD_COLUMNS,
    load_card,
    payouts,
    score_kpis,
)
from kpi_toolkit.errors import ParameterError

# The example card (issue 6): sales_volume 0.5 (target: plan), conversion 0.3 (target 0.25), new_customers
# 0.2 (target 10, threshold 0.5); defaults threshold 0.8 -> 0.5, cap 1.2 -> 1.5; gate sales_volume >= 0.7;
# base bonus 100000. Plan sales_volume = 1000 for every manager but m08, who has none.
# Each manager is (sales_volume, conversion, new_customers); the comment works out the bonus.
GOLDEN = {
    # sv 0.75 below threshold -> 0 (gate 0.75 >= 0.7 passes); conv 1 -> 1; nc 1 -> 1.
    # score 0.5*0 + 0.3*1 + 0.2*1 = 0.5; bonus 50000.
    "m01": ((750.0, 0.25, 10.0), 0.5, True, 50000.0),
    # at the thresholds: sv 0.8 -> 0.5; conv 0.2/0.25 = 0.8 -> 0.5; nc 5/10 = 0.5 (its threshold) -> 0.5.
    # score 0.5; bonus 50000.
    "m02": ((800.0, 0.2, 5.0), 0.5, True, 50000.0),
    # between threshold and target: sv 0.9 -> 0.5 + 0.5 * 0.1/0.2 = 0.75; conv 0.9 -> 0.75;
    # nc 0.7 -> 0.5 + 0.5 * 0.2/0.5 = 0.7. score 0.375 + 0.225 + 0.14 = 0.74; bonus 74000.
    "m03": ((900.0, 0.225, 7.0), 0.74, True, 74000.0),
    # at target: every factor 1; score 1; bonus 100000.
    "m04": ((1000.0, 0.25, 10.0), 1.0, True, 100000.0),
    # between target and cap: 1.1 -> 1 + 0.5 * 0.1/0.2 = 1.25 for each; score 1.25; bonus 125000.
    "m05": ((1100.0, 0.275, 11.0), 1.25, True, 125000.0),
    # above the cap: 1.5, 2 and 3 -> 1.5 each; score 1.5; bonus 150000.
    "m06": ((1500.0, 0.5, 30.0), 1.5, True, 150000.0),
    # gate failed: sv 0.69 < 0.7 -> no bonus, although conv 1.2 -> 1.5 and nc 1.2 -> 1.5 score
    # 0.5*0 + 0.3*1.5 + 0.2*1.5 = 0.75.
    "m07": ((690.0, 0.3, 12.0), 0.75, False, 0.0),
    # gate KPI cannot be computed (no plan): sv factor 0, gate failed -> 0; score 0.3 + 0.2 = 0.5.
    "m08": ((1000.0, 0.25, 10.0), 0.5, False, 0.0),
    # a NaN KPI: conversion NaN -> factor 0 with a note; score 0.5*1 + 0 + 0.2*1 = 0.7; bonus 70000.
    "m09": ((1000.0, math.nan, 10.0), 0.7, True, 70000.0),
}


@pytest.fixture
def golden(make_kpis):
    kpis = make_kpis({m: row[0] for m, row in reversed(GOLDEN.items())})  # unsorted on purpose
    targets = pd.DataFrame({"sales_volume": 1000.0}, index=[m for m in GOLDEN if m != "m08"])
    return kpis, targets


def test_golden_payouts(example_card, golden):
    kpis, targets = golden
    result = payouts(kpis, card=example_card, targets=targets)
    assert list(result["manager"]) == list(GOLDEN)
    assert result["score"].to_numpy() == pytest.approx([g[1] for g in GOLDEN.values()], abs=1e-12)
    assert list(result["gate_passed"]) == [g[2] for g in GOLDEN.values()]
    assert list(result["bonus"]) == [g[3] for g in GOLDEN.values()]
    assert (result["base_bonus"] == 100000.0).all()


def test_golden_notes(example_card, golden):
    kpis, targets = golden
    notes = payouts(kpis, card=example_card, targets=targets).set_index("manager")["notes"]
    assert notes["m07"] == "gate failed: sales_volume achievement 0.69 is below 0.7: no bonus"
    assert notes["m08"] == (
        "sales_volume: cannot be computed (no plan target for this manager and period): factor 0; "
        "gate failed: sales_volume cannot be computed (no plan target for this manager and period): no bonus"
    )
    assert notes["m09"] == "conversion: cannot be computed (actual is missing): factor 0"
    assert (notes.drop(["m07", "m08", "m09"]) == "").all()


def test_golden_scorecard(example_card, golden):
    kpis, targets = golden
    scored = score_kpis(kpis, card=example_card, targets=targets)
    assert len(scored) == 3 * len(GOLDEN)
    m03 = scored[scored["manager"] == "m03"].set_index("metric")
    assert list(m03.index) == ["sales_volume", "conversion", "new_customers"]  # the card's order
    assert list(m03["target"]) == [1000.0, 0.25, 10.0]
    assert m03["achievement"].to_numpy() == pytest.approx([0.9, 0.9, 0.7], abs=1e-12)
    assert m03["factor"].to_numpy() == pytest.approx([0.75, 0.75, 0.7], abs=1e-12)
    assert m03["weighted"].to_numpy() == pytest.approx([0.375, 0.225, 0.14], abs=1e-12)
    m08 = scored[scored["manager"] == "m08"].iloc[0]
    assert math.isnan(m08["target"]) and math.isnan(m08["achievement"]) and m08["factor"] == 0.0


def test_result_columns_and_dtypes_are_fixed(example_card, golden):
    kpis, targets = golden
    scored = score_kpis(kpis, card=example_card, targets=targets)
    paid = payouts(kpis, card=example_card, targets=targets)
    assert tuple(scored.columns) == SCORECARD_COLUMNS == (
        "manager", "metric", "actual", "target", "achievement", "factor", "weight", "weighted", "note",
    )  # fmt: skip
    assert tuple(paid.columns) == PAYOUT_COLUMNS == (
        "manager", "score", "gate_passed", "base_bonus", "bonus", "notes",
    )  # fmt: skip
    empty = payouts(kpis.iloc[:0], card=example_card, targets=targets)
    assert tuple(empty.columns) == PAYOUT_COLUMNS and empty.dtypes.equals(paid.dtypes)
    assert score_kpis(kpis.iloc[:0], card=example_card, targets=targets).dtypes.equals(scored.dtypes)
    assert paid["gate_passed"].dtype == bool and paid["bonus"].dtype == "float64"


def test_a_card_without_a_gate_lets_everyone_through(card_dict, golden):
    kpis, targets = golden
    del card_dict["gate"]
    result = payouts(kpis, card=card_dict, targets=targets).set_index("manager")
    assert result["gate_passed"].all()
    assert result.loc["m07", "bonus"] == 75000.0  # 100000 x 0.75, no longer gated


def test_gate_with_its_own_target_off_the_card(card_dict, make_kpis):
    # Gate: orders >= 0.5 x 4 (a number target); orders is not on the card.
    card_dict["gate"] = {"metric": "orders", "min_achievement": 0.5, "target": 4}
    kpis = make_kpis({"a": (1000.0, 0.25, 10.0), "b": (1000.0, 0.25, 10.0)}).assign(orders=[2, 1])
    result = payouts(
        kpis, card=card_dict, targets=pd.DataFrame({"sales_volume": [1000.0] * 2}, index=["a", "b"])
    )
    assert list(result["gate_passed"]) == [True, False]  # 2/4 = 0.5 passes; 1/4 = 0.25 does not
    assert list(result["bonus"]) == [100000.0, 0.0]


# --- lower is better ---------------------------------------------------------------------------------------

LOWER = {
    "name": "Fewer is better",
    "period": "month",
    "base_bonus": 1000,
    "kpis": [{"metric": "average_check", "weight": 1, "target": 100, "lower_is_better": True}],
    "defaults": {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5},
}


@pytest.mark.parametrize(
    ("actual", "achievement", "bonus", "note"),
    [
        (80.0, 1.25, 1500.0, ""),  # 100 / 80 = 1.25 above the cap -> 1.5 -> 1500
        (100.0, 1.0, 1000.0, ""),  # on target
        (125.0, 0.8, 500.0, ""),  # 100 / 125 = 0.8 at the threshold -> 0.5 -> 500
        (200.0, 0.5, 0.0, ""),  # 100 / 200 = 0.5 below the threshold
        (0.0, math.nan, 0.0, "cannot be computed (actual is 0 and lower is better): factor 0"),
    ],
)
def test_lower_is_better(actual, achievement, bonus, note):
    kpis = pd.DataFrame({"average_check": [actual]}, index=pd.Index(["m1"], name="manager"))
    scored = score_kpis(kpis, card=LOWER).iloc[0]
    assert scored["achievement"] == pytest.approx(achievement, nan_ok=True)
    assert scored["note"] == note
    assert payouts(kpis, card=LOWER)["bonus"].iloc[0] == bonus


# --- per-manager base bonus and rounding -------------------------------------------------------------------

PER_MANAGER = {
    "name": "Own base bonus",
    "period": "quarter",
    "base_bonus_column": "bonus_base",
    "kpis": [{"metric": "orders", "weight": 1, "target": 10}],
}


def test_per_manager_base_bonus():
    kpis = pd.DataFrame({"orders": [8.0, 10.0, 10.0, 12.0, 5.0]}, index=["a", "b", "c", "d", "e"])
    base = pd.Series({"a": 50000, "b": None, "d": " 60000.5 ", "e": 1000.0, "z": 1.0})  # c missing, z extra
    result = payouts(kpis, card=PER_MANAGER, base_bonus=base).set_index("manager")
    # neutral curve: factor = achievement up to 1. a: 50000 x 0.8; d: 60000.5 x 1; e: 1000 x 0.5.
    assert result["bonus"].to_dict() == pytest.approx(
        {"a": 40000.0, "b": math.nan, "c": math.nan, "d": 60000.5, "e": 500.0}, nan_ok=True
    )
    assert result.loc["b", "notes"] == "no base bonus for this manager (column 'bonus_base'): bonus unknown"
    assert math.isnan(result.loc["c", "base_bonus"])


@pytest.mark.parametrize(
    ("base", "orders", "expected"),
    [
        (0.5, 2.5, 0.13),  # 0.5 x 0.25 = 0.125 -> 0.13 (round() gives 0.12)
        (10.7, 2.5, 2.68),  # 10.7 x 0.25 = 2.675 -> 2.68 (round() gives 2.67)
        (2.675, 10.0, 2.68),  # 2.675 x 1
        (1000.0, 0.02675, 2.68),  # 1000 x 0.002675 = 2.6750000000000003 in binary
        (333.33, 5.0, 166.67),  # 166.665 -> 166.67
    ],
)
def test_bonus_is_rounded_half_up_at_the_end(base, orders, expected):
    kpis = pd.DataFrame({"orders": [orders]}, index=["a"])
    result = payouts(kpis, card=PER_MANAGER, base_bonus=pd.Series({"a": base}))
    assert result["bonus"].iloc[0] == expected


@pytest.mark.parametrize(
    ("base", "message"),
    [
        (
            pd.Series({"a": -1.0}),
            r"base_bonus is not an amount >= 0 for 1 manager\(s\), e.g. a: -1.0\. Fix: ",
        ),
        (pd.Series({"a": "lots"}), "e.g. a: 'lots'"),
        (pd.Series({"a": np.inf}), "e.g. a: inf"),
        (pd.Series({"a": True}), "e.g. a: True"),
        (None, r"takes each manager's base bonus from column 'bonus_base', but base_bonus=NoneType"),
        (pd.Series([1.0, 2.0], index=["a", "a"]), "base_bonus repeats a manager"),
    ],
)
def test_bad_base_bonus_is_a_parameter_error(base, message):
    kpis = pd.DataFrame({"orders": [5.0]}, index=["a"])
    with pytest.raises(ParameterError, match=message):
        payouts(kpis, card=PER_MANAGER, base_bonus=base)


def test_base_bonus_given_twice_is_a_parameter_error(example_card, golden):
    kpis, targets = golden
    with pytest.raises(
        ParameterError, match="sets base_bonus: 100000 for everyone, and base_bonus= was passed"
    ):
        payouts(kpis, card=example_card, targets=targets, base_bonus=pd.Series({"m01": 1.0}))


# --- inputs ------------------------------------------------------------------------------------------------


def test_kpis_without_a_card_metric_is_a_parameter_error(example_card, golden):
    kpis, targets = golden
    with pytest.raises(ParameterError, match=r"kpis has no column\(s\) \['conversion'\]; it has \["):
        score_kpis(kpis.drop(columns="conversion"), card=example_card, targets=targets)


def test_plan_targets_are_needed_for_a_plan_card(example_card, golden):
    kpis, targets = golden
    with pytest.raises(
        ParameterError, match=r"takes the plan as target for \['sales_volume'\], but targets=None"
    ):
        score_kpis(kpis, card=example_card)
    with pytest.raises(ParameterError, match=r"targets has no column\(s\) \['sales_volume'\]"):
        score_kpis(kpis, card=example_card, targets=targets.rename(columns=str.upper))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda k: pd.concat([k, k.iloc[:1]]), r"kpis has manager\(s\) \['m09'\] more than once"),
        (lambda k: k.assign(orders="x"), None),  # a column the card does not use may be anything
        (lambda k: k.assign(conversion="x"), "kpis column 'conversion' is not numeric"),
        (lambda k: k.set_axis([None, *k.index[1:]]), "kpis has rows without a manager id"),
        (lambda k: k.to_dict(), "kpis must be a DataFrame indexed by manager, got dict"),
    ],
)
def test_bad_kpis(example_card, golden, change, message):
    kpis, targets = golden
    if message is None:
        score_kpis(change(kpis), card=example_card, targets=targets)
        return
    with pytest.raises(ParameterError, match=message):
        score_kpis(change(kpis), card=example_card, targets=targets)


def test_nullable_and_integer_kpis_are_read_as_floats(example_card, golden):
    kpis, targets = golden
    typed = kpis.astype({"conversion": "Float64", "new_customers": "int64"}, errors="ignore")
    typed["conversion"] = pd.array(
        [pd.NA if math.isnan(v) else v for v in kpis["conversion"]], dtype="Float64"
    )
    typed["new_customers"] = kpis["new_customers"].astype("int64")
    plain = payouts(kpis, card=example_card, targets=targets)
    pd.testing.assert_frame_equal(payouts(typed, card=example_card, targets=targets), plain)


def test_manager_ids_are_text_and_sorted(example_card, golden):
    kpis, targets = golden
    numbered = kpis.set_axis([f"{i:02d}" for i in range(len(kpis), 0, -1)])
    result = score_kpis(numbered, card=example_card, targets=targets.set_axis(
        [f"{i:02d}" for i in range(len(kpis), 0, -1) if i != 2]))  # fmt: skip
    assert list(result["manager"].unique()) == sorted(numbered.index)


def test_the_card_may_be_given_as_a_path(example_card_path, golden):
    kpis, targets = golden
    by_path = payouts(kpis, card=example_card_path, targets=targets)
    pd.testing.assert_frame_equal(by_path, payouts(kpis, card=load_card(example_card_path), targets=targets))


def test_inputs_are_not_changed(example_card, golden):
    kpis, targets = golden
    before = (kpis.copy(), targets.copy())
    payouts(kpis, card=example_card, targets=targets)
    pd.testing.assert_frame_equal(kpis, before[0])
    pd.testing.assert_frame_equal(targets, before[1])
