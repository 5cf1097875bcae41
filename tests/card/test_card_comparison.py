"""What-if: two cards' payouts side by side, who gains, who loses, and the total cost."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kpi_toolkit.card import (
    COMPARISON_COLUMNS,
    COMPARISON_TOTAL_COLUMNS,
    compare_payouts,
    load_card,
    payouts,
)
from kpi_toolkit.errors import ParameterError


def test_a_higher_cap_pays_more_above_the_old_cap(example_card, make_kpis):
    kpis = make_kpis({
        "a": (1300.0, 0.25, 10.0),  # volume 1.3: above the old cap 1.2
        "c": (600.0, 0.25, 10.0),  # gate failed under both cards
        "d": (1100.0, 0.25, 10.0),  # volume 1.1: the two curves agree below 1.2
        "f": (1000.0, 0.35, 10.0),  # conversion 1.4: at the new cap
    })  # fmt: skip
    targets = pd.DataFrame({"sales_volume": 1000.0}, index=list("acdf"))
    what_if = load_card(example_card, overrides={"defaults": {"cap": 1.4, "cap_factor": 2.0}})
    result = compare_payouts(
        payouts(kpis, card=example_card, targets=targets), payouts(kpis, card=what_if, targets=targets)
    )
    managers = result.managers.set_index("manager")
    # a: volume factor 1.5 (old cap) -> 1 + (2 - 1) x 0.3 / 0.4 = 1.75: 0.5 x 0.25 x 100000 = +12500.
    # d: 1 + 0.5 x 0.1 / 0.2 = 1.25 under both.  f: conversion 1.5 -> 2.0: 0.3 x 0.5 x 100000 = +15000.
    assert managers["change"].to_dict() == {"a": 12500.0, "c": 0.0, "d": 0.0, "f": 15000.0}
    assert managers["outcome"].to_dict() == {"a": "gains", "c": "same", "d": "same", "f": "gains"}
    assert managers.loc["a", "score_b"] == pytest.approx(1.375, abs=1e-12)
    totals = result.totals.iloc[0]
    # card a: 125000 + 0 + 112500 + 115000 = 352500; card b: 137500 + 0 + 112500 + 130000 = 380000.
    assert (totals["cost_a"], totals["cost_b"], totals["change"]) == (352500.0, 380000.0, 27500.0)
    assert (totals["gainers"], totals["losers"], totals["unchanged"], totals["not_comparable"]) == (
        2,
        0,
        2,
        0,
    )


def test_losers_one_sided_and_unknown_managers():
    a = pd.DataFrame({"manager": ["m1", "m2", "m3", "m4"], "score": [1.0, 0.5, 0.4, 1.0],
                      "bonus": [100.10, 50.20, 40.0, math.nan]})  # fmt: skip
    b = pd.DataFrame({"manager": ["m5", "m1", "m2", "m4"], "score": [1.0, 0.9, 0.5, 1.0],
                      "bonus": [10.0, 90.05, 50.20, 7.0]})  # fmt: skip
    result = compare_payouts(a, b)
    managers = result.managers.set_index("manager")
    assert list(managers.index) == ["m1", "m2", "m3", "m4", "m5"]
    assert list(managers["outcome"]) == ["loses", "same", "only in a", "unknown", "only in b"]
    assert managers.loc["m1", "change"] == -10.05  # 90.05 - 100.10, exact to the cent
    assert math.isnan(managers.loc["m3", "change"]) and math.isnan(managers.loc["m3", "bonus_b"])
    totals = result.totals.iloc[0]
    # cost a: 100.10 + 50.20 + 40 = 190.30 (m4 unknown left out); cost b: 10 + 90.05 + 50.20 + 7 = 157.25.
    assert (totals["cost_a"], totals["cost_b"], totals["change"]) == (190.3, 157.25, -33.05)
    assert (totals["gainers"], totals["losers"], totals["unchanged"], totals["not_comparable"]) == (
        0,
        1,
        1,
        3,
    )


def test_comparison_columns_are_fixed(example_card, make_kpis):
    kpis = make_kpis({"a": (1000.0, 0.25, 10.0)})
    paid = payouts(kpis, card=example_card, targets=pd.DataFrame({"sales_volume": [1000.0]}, index=["a"]))
    result = compare_payouts(paid, paid)
    assert tuple(result.managers.columns) == COMPARISON_COLUMNS == (
        "manager", "score_a", "score_b", "bonus_a", "bonus_b", "change", "outcome",
    )  # fmt: skip
    assert tuple(result.totals.columns) == COMPARISON_TOTAL_COLUMNS == (
        "cost_a", "cost_b", "change", "gainers", "losers", "unchanged", "not_comparable",
    )  # fmt: skip
    empty = compare_payouts(paid.iloc[:0], paid.iloc[:0])
    assert empty.managers.empty and empty.managers.dtypes.equals(result.managers.dtypes)
    assert empty.totals.iloc[0].tolist() == [0.0, 0.0, 0.0, 0, 0, 0, 0]


@pytest.mark.parametrize(
    ("a", "message"),
    [
        (pd.DataFrame({"score": [1.0], "bonus": [1.0]}), "a must be a DataFrame with a manager column"),
        (pd.DataFrame({"manager": ["x"], "bonus": [1.0]}), r"a has no column\(s\) \['score'\]"),
        (
            pd.DataFrame({"manager": ["x", "x"], "score": 1.0, "bonus": 1.0}),
            r"manager\(s\) \['x'\] more than once",
        ),
    ],
)
def test_bad_payouts_are_parameter_errors(a, message):
    b = pd.DataFrame({"manager": ["x"], "score": [1.0], "bonus": [1.0]})
    with pytest.raises(ParameterError, match=message):
        compare_payouts(a, b)
