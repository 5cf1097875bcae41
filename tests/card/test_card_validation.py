"""Every kind of bad card fails, naming the key path and the YAML line (CardError, a ParameterError)."""

from __future__ import annotations

import pytest

from kpi_toolkit.card import CardError, load_card
from kpi_toolkit.errors import ParameterError

# A valid card; each case below changes some of its lines (numbered from 1) and expects one problem at
# "line N, key" whose message holds a fragment.
VALID = """\
name: Test card
period: quarter
base_bonus: 1000
kpis:
  - metric: sales_volume
    weight: 0.5
    target: plan
  - metric: conversion
    weight: 0.5
    target: 0.25
defaults: {threshold: 0.8, threshold_factor: 0.5, cap: 1.2, cap_factor: 1.5}
gate: {metric: sales_volume, min_achievement: 0.7}
"""


def edited(changes: dict[int, str | None]) -> str:
    """VALID with line n replaced by ``changes[n]`` (which may hold several lines) or removed (None)."""
    lines = VALID.splitlines()
    out = [changes.get(n, line) for n, line in enumerate(lines, start=1)]
    return "\n".join(line for line in out if line is not None) + "\n"


def defaults(**values: object) -> dict[int, str | None]:
    curve = {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5} | values
    return {11: "defaults: {" + ", ".join(f"{k}: {v}" for k, v in curve.items()) + "}"}


CASES = [
    # the weights
    pytest.param(
        {9: "    weight: 0.4"},
        "line 4, kpis",
        "the weights add up to 0.9 (0.5 + 0.4), not 1",
        id="weights do not add up",
    ),
    pytest.param(
        {9: "    weight: 0.6"},
        "line 4, kpis",
        "add up to 1.1",
        id="weights add up to more",
    ),
    pytest.param(
        {6: "    weight: -0.5", 9: "    weight: 1.5"},
        "line 6, kpis[0].weight",
        "weight is negative (-0.5)",
        id="negative weight",
    ),
    pytest.param(
        {6: "    weight: half"},
        "line 6, kpis[0].weight",
        "weight must be a number, got 'half' (text)",
        id="weight is text",
    ),
    pytest.param(
        {6: "    weight: .nan"},
        "line 6, kpis[0].weight",
        "weight must be a finite number, got nan",
        id="weight is NaN",
    ),
    pytest.param(
        {6: None},
        "line 5, kpis[0].weight",
        "weight is missing",
        id="weight is missing",
    ),
    # metrics and targets
    pytest.param(
        {8: "  - metric: sales"},
        "line 8, kpis[1].metric",
        "unknown metric 'sales' (did you mean 'net_sales'?); allowed: sales_volume, orders, average_check",
        id="unknown metric",
    ),
    pytest.param(
        {8: "  - metric: sales_plan"},
        "line 8, kpis[1].metric",
        "unknown metric 'sales_plan'",
        id="the plan is not a KPI",
    ),
    pytest.param(
        {8: "  - metric: sales_volume"},
        "line 8, kpis[1].metric",
        "metric 'sales_volume' is on the card twice (kpis[0] and kpis[1])",
        id="metric twice",
    ),
    pytest.param(
        {10: None},
        "line 8, kpis[1].target",
        "target is missing",
        id="missing target",
    ),
    pytest.param(
        {10: "    target: 0"},
        "line 10, kpis[1].target",
        "target must be above 0",
        id="target 0",
    ),
    pytest.param(
        {10: "    target: -1"},
        "line 10, kpis[1].target",
        "target must be above 0",
        id="negative target",
    ),
    pytest.param(
        {10: "    target: Plan"},
        "line 10, kpis[1].target",
        "target must be a number, got 'Plan'",
        id="target is text",
    ),
    pytest.param(
        {8: "  - metric: plan_attainment", 10: "    target: plan"},
        "line 10, kpis[1].target",
        "plans hold no target for 'plan_attainment'",
        id="no plans for the metric",
    ),
    pytest.param(
        {10: "    target: 0.25\n    lower_is_better: maybe"},
        "line 11, kpis[1].lower_is_better",
        "must be true or false, got 'maybe'",
        id="lower_is_better is text",
    ),
    pytest.param(
        {4: "kpis: []", 5: None, 6: None, 7: None, 8: None, 9: None, 10: None},
        "line 4, kpis",
        "kpis must be a non-empty list",
        id="kpis empty",
    ),
    pytest.param(
        {4: "kpis: sales_volume", 5: None, 6: None, 7: None, 8: None, 9: None, 10: None},
        "line 4, kpis",
        "kpis must be a non-empty list, got 'sales_volume' (text)",
        id="kpis not a list",
    ),
    pytest.param(
        {5: "  - sales_volume", 6: None, 7: None},
        "line 5, kpis[0]",
        "must be a mapping of keys",
        id="kpi not a mapping",
    ),
    # the curve
    pytest.param(
        defaults(threshold=1.3),
        "line 11, defaults.threshold",
        "threshold 1.3 (defaults.threshold) is above cap 1.2 (defaults.cap)",
        id="threshold above cap",
    ),
    pytest.param(
        {10: "    target: 0.25\n    threshold: 1.25"},
        "line 11, kpis[1].threshold",
        "threshold 1.25 (kpis[1].threshold) is above cap 1.2 (defaults.cap)",
        id="a KPI's threshold above the default cap",
    ),
    pytest.param(
        defaults(threshold=1.1),
        "line 11, defaults.threshold",
        "threshold 1.1 is above 1",
        id="threshold above the target",
    ),
    pytest.param(
        defaults(threshold=-0.1),
        "line 11, defaults.threshold",
        "threshold must be at least 0",
        id="negative threshold",
    ),
    pytest.param(
        defaults(threshold_factor=1.5),
        "line 11, defaults.threshold_factor",
        "threshold_factor must be from 0 to 1 (the factor paid at the threshold), got 1.5",
        id="threshold_factor above 1",
    ),
    pytest.param(
        defaults(threshold_factor=-0.1),
        "line 11, defaults.threshold_factor",
        "threshold_factor must be from 0 to 1",
        id="negative threshold_factor",
    ),
    pytest.param(
        {10: "    target: 0.25\n    threshold_factor: 2"},
        "line 11, kpis[1].threshold_factor",
        "threshold_factor must be from 0 to 1",
        id="a KPI's threshold_factor above 1",
    ),
    pytest.param(
        defaults(cap_factor=0.9),
        "line 11, defaults.cap_factor",
        "cap_factor must be at least 1",
        id="cap_factor below 1",
    ),
    pytest.param(
        defaults(cap=0.95),
        "line 11, defaults.cap",
        "cap must be at least 1 (the target), got 0.95",
        id="cap below 1",
    ),
    pytest.param(
        defaults(cap=1),
        "line 11, defaults.cap_factor",
        "cap is 1 (defaults.cap) but cap_factor is 1.5 (defaults.cap_factor)",
        id="cap at the target paying more",
    ),
    pytest.param(
        defaults(cap="high"),
        "line 11, defaults.cap",
        "cap must be a number, got 'high'",
        id="curve value is text",
    ),
    # unknown keys
    pytest.param(
        {10: "    target: 0.25\n    treshold: 0.9"},
        "line 11, kpis[1].treshold",
        "unknown key 'treshold' (did you mean 'threshold'?)",
        id="typo in a KPI",
    ),
    pytest.param(
        {11: "defaults: {treshold: 0.8}"},
        "line 11, defaults.treshold",
        "unknown key 'treshold' (did you mean 'threshold'?)",
        id="typo in defaults",
    ),
    pytest.param(
        {12: "gate: {metric: sales_volume, min_achievement: 0.7}\nbase_bonuss: 5"},
        "line 13, base_bonuss",
        "unknown key 'base_bonuss' (did you mean 'base_bonus'?)",
        id="typo at the top",
    ),
    pytest.param(
        {12: "gate: {metric: sales_volume, min_achievment: 0.7}"},
        "line 12, gate.min_achievment",
        "unknown key 'min_achievment' (did you mean 'min_achievement'?)",
        id="typo in the gate",
    ),
    pytest.param(
        {7: "    target: plan\n    target: 100"},
        "line 8, kpis[0].target",
        "the key is written twice (lines 7 and 8)",
        id="key written twice",
    ),
    # the gate
    pytest.param(
        {12: "gate: {metric: orders, min_achievement: 0.7}"},
        "line 12, gate.metric",
        "the gate's metric 'orders' is not on the card and the gate has no target of its own",
        id="gate metric neither on the card nor with a target",
    ),
    pytest.param(
        {12: "gate: {metric: volume, min_achievement: 0.7}"},
        "line 12, gate.metric",
        "unknown metric 'volume'",
        id="gate on an unknown metric",
    ),
    pytest.param(
        {12: "gate: {metric: sales_volume}"},
        "line 12, gate.min_achievement",
        "min_achievement is missing",
        id="gate without min_achievement",
    ),
    pytest.param(
        {12: "gate: {metric: sales_volume, min_achievement: -1}"},
        "line 12, gate.min_achievement",
        "min_achievement is negative",
        id="gate with a negative min_achievement",
    ),
    pytest.param(
        {12: "gate: {metric: sales_volume, min_achievement: 0.7, lower_is_better: true}"},
        "line 12, gate.lower_is_better",
        "lower_is_better on a gate without its own target",
        id="gate direction without its own target",
    ),
    pytest.param(
        {12: "gate: {metric: orders, min_achievement: 0.7, target: 0}"},
        "line 12, gate.target",
        "target must be above 0",
        id="gate with a bad target",
    ),
    pytest.param(
        {12: "gate: sales_volume"},
        "line 12, gate",
        "must be a mapping of keys",
        id="gate not a mapping",
    ),
    # the base bonus
    pytest.param(
        {3: "base_bonus: 1000\nbase_bonus_column: bonus_base"},
        "line 4, base_bonus_column",
        "both base_bonus and base_bonus_column are given",
        id="both base bonuses",
    ),
    pytest.param(
        {3: None},
        "line 1, (the card)",
        "neither base_bonus nor base_bonus_column is given",
        id="no base bonus",
    ),
    pytest.param(
        {3: "base_bonus: -5"},
        "line 3, base_bonus",
        "base_bonus is negative (-5)",
        id="negative base bonus",
    ),
    pytest.param(
        {3: "base_bonus: 100 000"},
        "line 3, base_bonus",
        "base_bonus must be a number, got '100 000' (text)",
        id="base bonus as text",
    ),
    pytest.param(
        {3: "base_bonus_column: ''"},
        "line 3, base_bonus_column",
        "base_bonus_column must be non-empty text",
        id="empty base bonus column",
    ),
    # the period and the name
    pytest.param(
        {2: "period: week"},
        "line 2, period",
        "period must be month, quarter or year, got 'week'",
        id="period week",
    ),
    pytest.param(
        {2: "period: 2026Q3"},
        "line 2, period",
        "got '2026Q3' (text)",
        id="period label",
    ),
    pytest.param(
        {2: None},
        "line 1, period",
        "period is missing",
        id="period missing",
    ),
    pytest.param(
        {1: None},
        "line 1, name",
        "name is missing",
        id="name missing",
    ),
    pytest.param(
        {1: "name: ''"},
        "line 1, name",
        "name must be non-empty text",
        id="name empty",
    ),
    # not YAML
    pytest.param(
        {11: "defaults: {threshold: 0.8"},
        "line 12, (the card)",
        "not valid YAML",
        id="broken YAML",
    ),
    pytest.param(
        {6: "     weight: 0.5"},
        "line 6, (the card)",
        "not valid YAML",
        id="bad indentation",
    ),
]


@pytest.mark.parametrize(("changes", "located", "fragment"), CASES)
def test_bad_card_names_the_key_and_the_line(changes, located, fragment):
    with pytest.raises(CardError) as error:
        load_card(edited(changes))
    message = str(error.value)
    assert message.startswith("the KPI card <string> has ")
    assert f"  - {located}: " in message, message
    assert fragment in message, message
    problem = next(p for p in error.value.problems if p.describe().startswith(f"{located}:"))
    assert problem.fix, "every problem says how to fix it"


def test_the_valid_card_is_valid():
    assert load_card(edited({})).metrics == ("sales_volume", "conversion")


def test_every_problem_is_reported_at_once_in_line_order():
    text = edited({2: "period: week", 6: "    weight: -0.5", 10: "    target: 0.25\n    treshold: 0.9"})
    with pytest.raises(CardError) as error:
        load_card(text)
    lines = [p.line for p in error.value.problems]
    assert lines == [2, 6, 11] and str(error.value).startswith("the KPI card <string> has 3 problems:")


def test_a_dict_card_names_the_key_without_a_line(card_dict):
    card_dict["kpis"][0]["weight"] = -0.5
    card_dict["kpis"][1]["weight"] = 1.3
    with pytest.raises(CardError, match=r"  - kpis\[0\]\.weight: weight is negative \(-0\.5\)\. Fix: "):
        load_card(card_dict)


def test_a_file_card_names_the_file(tmp_path):
    path = tmp_path / "card.yml"
    path.write_text(edited({9: "    weight: 0.4"}), encoding="utf-8")
    with pytest.raises(
        CardError, match=rf"the KPI card {path} has 1 problem:\n  - line 4, kpis: the weights"
    ):
        load_card(path)


def test_weights_that_add_up_to_one_in_decimal_pass_despite_binary_noise(card_dict):
    # 0.1 + 0.2 + 0.7 == 1.0000000000000002 in binary; within the tolerance of 1e-9.
    card_dict["kpis"] = [
        {"metric": "orders", "weight": 0.1, "target": 5},
        {"metric": "conversion", "weight": 0.2, "target": 0.2},
        {"metric": "sales_volume", "weight": 0.7, "target": "plan"},
    ]
    assert [k.weight for k in load_card(card_dict).kpis] == [0.1, 0.2, 0.7]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- a\n- b\n", "line 1, (the card): must be a mapping of keys, got ['a', 'b'] (a list)"),
        ("\n", "name: name is missing"),
    ],
)
def test_a_document_that_is_not_a_card(text, fragment):
    with pytest.raises(CardError) as error:
        load_card(text)
    assert fragment in str(error.value)


def test_card_errors_are_parameter_errors():
    with pytest.raises(ParameterError):
        load_card(edited({2: "period: week"}))
