"""Loading a KPI card: sources, resolved curves, overrides, and a clear error for every kind of bad card."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import kpi_toolkit as kt
from kpi_toolkit.card import (
    CARD_METRICS,
    Card,
    CardError,
    CardKpi,
    Gate,
    PayoutCurve,
    load_card,
    parse_card,
)
from kpi_toolkit.errors import ParameterError

ISSUE_CURVE = PayoutCurve(threshold=0.8, threshold_factor=0.5, cap=1.2, cap_factor=1.5)


def test_the_documented_example_card_is_the_card_of_issue_6(example_card, example_card_path):
    assert example_card == Card(
        name="Sales manager card",
        period="quarter",
        kpis=(
            CardKpi("sales_volume", 0.5, "plan", ISSUE_CURVE),
            CardKpi("conversion", 0.3, 0.25, ISSUE_CURVE),
            CardKpi("new_customers", 0.2, 10.0, PayoutCurve(0.5, 0.5, 1.2, 1.5)),
        ),
        defaults=ISSUE_CURVE,
        base_bonus=100000.0,
        gate=Gate("sales_volume", 0.7),
        description="Quarterly bonus of a sales manager: volume against plan, lead conversion and new "
        "customers.",
    )
    assert example_card.source == str(example_card_path)
    assert example_card.metrics == ("sales_volume", "conversion", "new_customers")
    assert example_card.plan_metrics == ("sales_volume",)
    assert example_card.required_metrics == example_card.metrics


def test_a_card_loads_the_same_from_a_path_text_a_dict_or_a_card(example_card, example_card_path, card_dict):
    text = example_card_path.read_text(encoding="utf-8")
    assert load_card(str(example_card_path)) == load_card(text) == parse_card(text) == example_card
    assert load_card(card_dict) == dataclasses.replace(example_card, description="")
    assert load_card(example_card) is example_card


def test_to_dict_loads_back_to_an_equal_card(example_card):
    assert load_card(example_card.to_dict()) == example_card


def test_card_metrics_are_the_kpis_of_the_data_layer_but_the_plan():
    assert set(CARD_METRICS) == set(kt.KPI_COLUMNS) - {"sales_plan"}


def test_unset_curve_keys_fall_back_to_the_defaults_then_to_the_neutral_curve(card_dict):
    del card_dict["defaults"]
    card = load_card(card_dict)
    assert card.defaults == PayoutCurve(0.0, 0.0, 1.0, 1.0)
    assert card.kpis[2].curve == PayoutCurve(0.5, 0.0, 1.0, 1.0)  # its own threshold, the rest neutral


def test_gate_with_its_own_target_may_use_a_metric_off_the_card(card_dict):
    card_dict["gate"] = {"metric": "orders", "min_achievement": 0.5, "target": 20}
    card = load_card(card_dict)
    assert card.gate == Gate("orders", 0.5, 20.0, False)
    assert card.required_metrics == ("sales_volume", "conversion", "new_customers", "orders")
    card_dict["gate"] = {
        "metric": "orders",
        "min_achievement": 0.5,
        "target": "plan",
        "lower_is_better": True,
    }
    card = load_card(card_dict)
    assert card.plan_metrics == ("sales_volume", "orders") and card.gate.lower_is_better


def test_gate_on_a_card_kpi_takes_its_direction(card_dict):
    card_dict["kpis"][1]["lower_is_better"] = True
    card_dict["gate"] = {"metric": "conversion", "min_achievement": 0.5}
    assert load_card(card_dict).gate == Gate("conversion", 0.5, None, True)


def test_period_must_match_the_card(example_card):
    example_card.check_period("2026Q3")
    with pytest.raises(ParameterError, match=r"period='2026' is a year, but the card .* pays per quarter"):
        example_card.check_period("2026")


# --- overrides -------------------------------------------------------------------------------------------


def test_overrides_merge_deeply_and_leave_the_rest(example_card):
    card = load_card(example_card, overrides={"defaults": {"cap": 1.3}})
    assert card.defaults == PayoutCurve(0.8, 0.5, 1.3, 1.5)
    assert card.kpis[2].curve == PayoutCurve(0.5, 0.5, 1.3, 1.5)
    assert card.kpis[0].weight == example_card.kpis[0].weight


def test_overrides_change_a_kpi_by_metric_and_stack(example_card):
    card = load_card(
        example_card,
        overrides={"kpis": {"sales_volume": {"weight": 0.4}, "conversion": {"weight": 0.4, "cap": 1.5}}},
    )
    assert [k.weight for k in card.kpis] == [0.4, 0.4, 0.2]
    assert card.kpis[1].curve.cap == 1.5
    again = load_card(card, overrides={"gate": None})
    assert again.gate is None and [k.weight for k in again.kpis] == [0.4, 0.4, 0.2]


def test_overrides_none_removes_a_key_and_a_list_replaces_the_kpis(example_card):
    card = load_card(
        example_card,
        overrides={"base_bonus": None, "base_bonus_column": "bonus_base",
                   "kpis": [{"metric": "sales_volume", "weight": 1, "target": "plan"}]},
    )  # fmt: skip
    assert card.base_bonus is None and card.base_bonus_column == "bonus_base"
    assert card.metrics == ("sales_volume",)


def test_overrides_must_be_a_mapping(example_card):
    with pytest.raises(ParameterError, match="overrides must be a mapping"):
        load_card(example_card, overrides=[("defaults", {})])


@pytest.mark.parametrize(
    ("overrides", "located", "fragment"),
    [
        ({"defaults": {"treshold": 0.9}}, "overrides, defaults.treshold", "did you mean 'threshold'"),
        ({"defaults": {"cap": 0.9}}, "overrides, defaults.cap", "cap must be at least 1"),
        ({"kpis": {"orders": {"weight": 1}}}, "overrides, kpis.orders", "no KPI with metric 'orders'"),
        ({"kpis": {"conversion": None}}, "overrides, kpis.conversion", "must be a mapping"),
        ({"kpis": {"conversion": {"weight": 0.4}}}, "line 16, kpis", "add up to 1.1 (0.5 + 0.4 + 0.2)"),
    ],
)
def test_problems_from_overrides_say_so(example_card, overrides, located, fragment):
    with pytest.raises(CardError) as error:
        load_card(example_card, overrides=overrides)
    assert f"{located}:" in str(error.value)
    assert fragment in str(error.value)


# --- sources that are not a card -------------------------------------------------------------------------


def test_a_missing_file_is_a_parameter_error(tmp_path: Path):
    with pytest.raises(ParameterError, match=r"card file .*nope\.yml' does not exist"):
        load_card(tmp_path / "nope.yml")


def test_a_file_that_is_not_utf8_is_a_card_error(tmp_path: Path):
    path = tmp_path / "card.yml"
    path.write_bytes("name: Карта\n".encode("cp1251"))
    with pytest.raises(CardError, match="not UTF-8"):
        load_card(path)


def test_something_else_is_a_parameter_error():
    with pytest.raises(ParameterError, match="card must be a path, YAML text, a mapping or a Card"):
        load_card(42)  # type: ignore[arg-type]


def test_card_error_is_a_parameter_error():
    assert issubclass(CardError, ParameterError) and issubclass(CardError, kt.KpiToolkitError)
