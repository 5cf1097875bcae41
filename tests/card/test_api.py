"""kt.scorecard, kt.bonuses and kt.compare_cards on a small data set (tests/card/conftest.py: card_tables)
whose every payout is worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.card import (
    COMPARISON_COLUMNS,
    PAYOUT_COLUMNS,
    SCORECARD_COLUMNS,
    CardError,
    load_card,
    payouts,
)
from tests.card.conftest import PERIOD, card_tables


@pytest.fixture(scope="module")
def data() -> kt.SalesData:
    return kt.from_frames(**card_tables())


@pytest.fixture
def card(card_dict):
    """The example card of issue 6 (conftest.py) with a base bonus of 1000 and a new-customer target of 2, to
    suit five small managers."""
    card_dict["kpis"][2]["target"] = 2
    card_dict["base_bonus"] = 1000
    return card_dict


def _per_manager(card):
    """``card`` paying each manager's own base bonus, column ``bonus_base`` of the managers table."""
    return {k: v for k, v in card.items() if k != "base_bonus"} | {"base_bonus_column": "bonus_base"}


def test_result_columns_are_the_phase_one_constants(data, card):
    assert tuple(kt.scorecard(data, period=PERIOD, card=card).columns) == SCORECARD_COLUMNS
    assert tuple(kt.bonuses(data, period=PERIOD, card=card).columns) == PAYOUT_COLUMNS
    comparison = kt.compare_cards(data, period=PERIOD, card_a=card, card_b=card)
    assert tuple(comparison.managers.columns) == COMPARISON_COLUMNS


def test_golden_payouts(data, card):
    # By hand, card: sales_volume 0.5 (target plan), conversion 0.3 (target 0.25), new_customers 0.2
    # (target 2, threshold 0.5); curve threshold 0.8 -> 0.5, 1 -> 1, cap 1.2 -> 1.5; gate sales_volume >= 0.7;
    # base bonus 1000.
    # a: volume 950/1000 = 0.95 -> 0.5 + 0.5 x 0.15/0.2 = 0.875 (between threshold and target);
    #    conversion 1/4 = 0.25 -> 1.0 -> 1; new 2/2 -> 1.          score 0.4375 + 0.3 + 0.2 = 0.9375 -> 937.50
    # b: volume 1.1 -> 1 + 0.5 x 0.1/0.2 = 1.25 (between target and cap); conversion 0.3/0.25 = 1.2 -> at
    #    the cap 1.5; new 1/2 = 0.5 -> at its own threshold 0.5.   score 0.625 + 0.45 + 0.1 = 1.175 -> 1175.00
    # c: volume 1.3 -> above the cap 1.5; conversion 0.1/0.25 = 0.4 -> below threshold 0; new 1.5 -> 1.5.
    #                                                            score 0.75 + 0 + 0.3 = 1.05 -> 1050.00
    # d: volume 600 / (300 + 300 + 400, months rolled up) = 0.6 -> below threshold 0; conversion 1; new 0.5 ->
    #    0.5.  score 0 + 0.3 + 0.1 = 0.4, but 0.6 < 0.7: the gate fails -> 0
    # e: no plan: volume cannot be computed (factor 0) and neither can the gate -> 0; no leads closed:
    #    conversion NaN -> factor 0; new 0/2 = 0 -> 0.               score 0 -> 0
    paid = kt.bonuses(data, period=PERIOD, card=card)
    assert paid["manager"].tolist() == ["a", "b", "c", "d", "e"]
    assert paid["score"].tolist() == pytest.approx([0.9375, 1.175, 1.05, 0.4, 0.0], abs=1e-12)
    assert paid["gate_passed"].tolist() == [True, True, True, False, False]
    assert paid["base_bonus"].tolist() == [1000.0] * 5
    assert paid["bonus"].tolist() == [937.5, 1175.0, 1050.0, 0.0, 0.0]
    assert paid["notes"].tolist()[:3] == ["", "", ""]
    assert paid.loc[3, "notes"] == "gate failed: sales_volume achievement 0.6 is below 0.7: no bonus"
    assert paid.loc[4, "notes"] == (
        "sales_volume: cannot be computed (no plan target for this manager and period): factor 0; "
        "conversion: cannot be computed (actual is missing): factor 0; "
        "gate failed: sales_volume cannot be computed (no plan target for this manager and period): no bonus"
    )


def test_scorecard_takes_plan_targets_by_the_plan_rules(data, card):
    scored = kt.scorecard(data, period=PERIOD, card=card).set_index(["manager", "metric"])
    assert len(scored) == 5 * 3
    volume = scored.xs("sales_volume", level="metric")
    assert volume["actual"].tolist() == [950.0, 1100.0, 1300.0, 600.0, 200.0]
    assert volume["target"].tolist()[:4] == [1000.0] * 4  # d's quarter rolled up from its three months
    assert math.isnan(volume.loc["e", "target"]) and volume.loc["e", "factor"] == 0
    assert volume["factor"].tolist() == pytest.approx([0.875, 1.25, 1.5, 0.0, 0.0])
    conversion = scored.xs("conversion", level="metric")
    assert conversion["target"].tolist() == [0.25] * 5
    assert conversion.loc["e", "note"] == "cannot be computed (actual is missing): factor 0"


def test_the_wrappers_agree_with_the_phase_one_core(data, card):
    kpis = kt.manager_kpis(data, period=PERIOD)
    targets = pd.DataFrame({"sales_volume": data.plan_book.targets(list(kpis.index), data.period(PERIOD),
                                                                   "sales_volume")})  # fmt: skip
    pd.testing.assert_frame_equal(
        kt.bonuses(data, period=PERIOD, card=card), payouts(kpis, card=card, targets=targets)
    )


def test_team(data, card):
    north = kt.bonuses(data, period=PERIOD, card=card, team="North")
    assert north["manager"].tolist() == ["a", "b", "c"]
    assert north["bonus"].tolist() == [937.5, 1175.0, 1050.0]
    with pytest.raises(kt.ParameterError, match="team='West' is not a team"):
        kt.bonuses(data, period=PERIOD, card=card, team="West")


def test_what_if_cap_changes_only_those_between_target_and_the_old_cap(data, card):
    # With cap 1.3 (factor 1.5 still), only achievements between 1 and 1.3 pay differently:
    # b: volume 1.1 -> 1 + 0.5 x 0.1/0.3 = 1.16667, conversion 1.2 -> 1 + 0.5 x 0.2/0.3 = 1.33333;
    #    score 0.583333 + 0.4 + 0.1 = 1.083333 -> 1083.33.  a (<= 1), c (1.3 and 1.5: at or above both caps,
    #    conversion below threshold), d and e (gate) do not change.
    before = kt.bonuses(data, period=PERIOD, card=card)
    after = kt.bonuses(data, period=PERIOD, card=card, overrides={"defaults": {"cap": 1.3}})
    assert after["bonus"].tolist() == [937.5, 1083.33, 1050.0, 0.0, 0.0]
    changed = before["manager"][before["bonus"] != after["bonus"]].tolist()
    assert changed == ["b"]
    scored = kt.scorecard(data, period=PERIOD, card=card, overrides={"defaults": {"cap": 1.3}})
    b = scored[scored["manager"] == "b"].set_index("metric")
    assert b.loc["sales_volume", "factor"] == pytest.approx(1 + 0.5 * 0.1 / 0.3)
    assert b.loc["conversion", "factor"] == pytest.approx(1 + 0.5 * 0.2 / 0.3)


def test_what_if_overrides_of_a_card_file_and_a_kpi(data, example_card_path):
    # The example card file (base bonus 100000) with new customers targeted at 2 and the gate dropped: the
    # scores of test_golden_payouts x 100000, and d is paid its 0.4.
    paid = kt.bonuses(
        data, period=PERIOD, card=example_card_path,
        overrides={"kpis": {"new_customers": {"target": 2}}, "gate": None},
    )  # fmt: skip
    assert paid["bonus"].tolist() == [93750.0, 117500.0, 105000.0, 40000.0, 0.0]
    assert paid["gate_passed"].all()


def test_invalid_overrides_are_a_card_error(data, card):
    with pytest.raises(CardError, match=r"kpis: the weights add up to 1.1 \(0.5 \+ 0.4 \+ 0.2\), not 1"):
        kt.bonuses(data, period=PERIOD, card=card, overrides={"kpis": {"conversion": {"weight": 0.4}}})


def test_compare_cards_gains_losses_and_total_cost(data, card):
    # Card b: cap 1.3 (b loses 1175 - 1083.33 = 91.67, see above) and no gate (d gains its 0.4 x 1000 = 400;
    # e's score is 0, so it stays at 0).  Costs: a 937.5 + 1175 + 1050 = 3162.50;
    # b 937.5 + 1083.33 + 1050 + 400 = 3470.83; change +308.33.
    what_if = load_card(card, overrides={"defaults": {"cap": 1.3}, "gate": None})
    result = kt.compare_cards(data, period=PERIOD, card_a=card, card_b=what_if)
    m = result.managers.set_index("manager")
    assert m["outcome"].tolist() == ["same", "loses", "same", "gains", "same"]
    assert m.loc["b", "change"] == -91.67 and m.loc["d", "change"] == 400.0
    assert m.loc["d", "bonus_a"] == 0.0 and m.loc["d", "bonus_b"] == 400.0
    totals = result.totals.iloc[0]
    assert (totals["cost_a"], totals["cost_b"], totals["change"]) == (3162.5, 3470.83, 308.33)
    counts = totals[["gainers", "losers", "unchanged", "not_comparable"]].tolist()
    assert counts == [1, 1, 3, 0]


def test_compare_cards_for_one_team(data, card):
    result = kt.compare_cards(data, period=PERIOD, card_a=card, card_b=card, team="South")
    assert result.managers["manager"].tolist() == ["d", "e"]
    assert result.totals.loc[0, "unchanged"] == 2


def test_base_bonus_column_from_the_managers_table(data, card):
    # a: 2000 x 0.9375 = 1875.00; b: "2000" (text in the table) x 1.175 = 2350.00; c: no base bonus, gate
    # passed -> unknown (NaN) with a note, never a silent 0; d, e: gate failed -> 0 whatever the base.
    per_manager = {"base_bonus": None, "base_bonus_column": "bonus_base"}
    paid = kt.bonuses(data, period=PERIOD, card=card, overrides=per_manager)
    assert paid["base_bonus"].tolist()[:2] == [2000.0, 2000.0]
    assert math.isnan(paid.loc[2, "base_bonus"]) and math.isnan(paid.loc[2, "bonus"])
    assert paid.loc[2, "notes"] == "no base bonus for this manager (column 'bonus_base'): bonus unknown"
    assert paid["bonus"].tolist()[:2] == [1875.0, 2350.0] and paid["bonus"].tolist()[3:] == [0.0, 0.0]
    # compared with the flat card, c cannot be compared
    result = kt.compare_cards(data, period=PERIOD, card_a=card, card_b=load_card(card, overrides=per_manager))
    assert result.managers.set_index("manager").loc["c", "outcome"] == "unknown"
    assert result.totals.loc[0, "not_comparable"] == 1


def test_base_bonus_column_is_matched_like_the_loader_matches_headers(data, card):
    card = _per_manager(card) | {"base_bonus_column": " Bonus_Base "}
    assert kt.bonuses(data, period=PERIOD, card=card)["bonus"].tolist()[:2] == [1875.0, 2350.0]


def test_unknown_base_bonus_column(data, card):
    card = _per_manager(card) | {"base_bonus_column": "bonus_basis"}
    with pytest.raises(
        kt.ParameterError,
        match=r"column 'bonus_basis', which is not a column of the managers table .*its columns are: "
        r"manager, name, team, hired_at, left_at, bonus_base\. Fix: add the column",
    ):
        kt.bonuses(data, period=PERIOD, card=card)
    card["base_bonus_column"] = "manager"
    with pytest.raises(kt.ParameterError, match="holds the managers' ids"):
        kt.bonuses(data, period=PERIOD, card=card)


def test_base_bonus_column_without_a_managers_table(card):
    tables = card_tables()
    del tables["managers"]
    card = _per_manager(card)
    with pytest.raises(kt.ParameterError, match="the data set has no managers table"):
        kt.bonuses(kt.from_frames(**tables), period=PERIOD, card=card)


def test_base_bonus_that_is_not_an_amount(card):
    tables = card_tables()
    tables["managers"].loc[1, "bonus_base"] = "a lot"
    card = _per_manager(card)
    with pytest.raises(kt.ParameterError, match=r"base_bonus is not an amount >= 0 .* b: 'a lot'"):
        kt.bonuses(kt.from_frames(**tables), period=PERIOD, card=card)


@pytest.mark.parametrize(
    ("period", "kind"), [("2026-07", "month"), ("2026", "year")]
)  # fmt: skip
def test_period_of_another_kind_than_the_card(data, card, period, kind):
    match = rf"period='{period}' is a {kind}, but the card 'Sales manager card' pays per quarter\. Fix: "
    match += "pass a "
    for function in (kt.scorecard, kt.bonuses):
        with pytest.raises(kt.ParameterError, match=match + r"quarter \(e\.g\. 2026Q3\)"):
            function(data, period=period, card=card)
    with pytest.raises(kt.ParameterError, match=match):
        kt.compare_cards(data, period=period, card_a=card, card_b=card)


def test_compare_cards_checks_both_cards(data, card):
    monthly = dict(card, period="month")
    with pytest.raises(kt.ParameterError, match="pays per month"):
        kt.compare_cards(data, period=PERIOD, card_a=card, card_b=monthly)


def test_a_monthly_card(data):
    # d's plan for 2026-09 is 400 and it sold 600 there: achievement 1.5, above the neutral cap -> factor 1.
    monthly = {"name": "M", "period": "month", "base_bonus": 100,
               "kpis": [{"metric": "sales_volume", "weight": 1, "target": "plan"}]}  # fmt: skip
    paid = kt.bonuses(data, period="2026-09", card=monthly).set_index("manager")
    assert paid.loc["d", "bonus"] == 100.0
    scored = kt.scorecard(data, period="2026-09", card=monthly).set_index("manager")
    assert math.isnan(scored.loc["a", "target"])  # a's plan is for the quarter only: never split


def test_bad_arguments(data, card):
    with pytest.raises(kt.ParameterError, match=r"data must be a validated data set"):
        kt.bonuses(card_tables(), period=PERIOD, card=card)
    with pytest.raises(kt.ParameterError, match=r"card file 'no/such/card\.yml' does not exist"):
        kt.bonuses(data, period=PERIOD, card="no/such/card.yml")
    with pytest.raises(kt.ParameterError):
        kt.bonuses(data, period="2026Q5", card=card)
