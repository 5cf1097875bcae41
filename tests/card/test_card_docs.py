"""The numbers and messages that docs/kpi_card.md shows are the ones the code gives."""

from __future__ import annotations

import pandas as pd
import pytest

from kpi_toolkit.card import CardError, load_card, payouts, score_kpis


@pytest.fixture
def worked(example_card):
    # docs/kpi_card.md, "Worked example"; the second manager is the "had sales volume been 800,000" case.
    kpis = pd.DataFrame(
        {"sales_volume": [1_140_000.0, 800_000.0], "conversion": [0.30, 0.30], "new_customers": [4.0, 4.0]},
        index=pd.Index(["ann", "bob"], name="manager"),
    )
    targets = pd.DataFrame({"sales_volume": [1_200_000.0] * 2}, index=["ann", "bob"])
    return kpis, targets


def test_worked_example(example_card, worked):
    kpis, targets = worked
    scored = score_kpis(kpis, card=example_card, targets=targets).query("manager == 'ann'")
    assert scored["achievement"].tolist() == pytest.approx([0.95, 1.2, 0.4], abs=1e-12)
    assert scored["factor"].tolist() == pytest.approx([0.875, 1.5, 0.0], abs=1e-12)
    assert scored["weighted"].tolist() == pytest.approx([0.4375, 0.45, 0.0], abs=1e-12)
    paid = payouts(kpis, card=example_card, targets=targets).set_index("manager")
    assert paid.loc["ann", "score"] == pytest.approx(0.8875, abs=1e-12)
    assert paid.loc["ann", "bonus"] == 88750.0
    assert (paid.loc["bob", "gate_passed"], paid.loc["bob", "bonus"]) == (False, 0.0)


def test_worked_example_with_a_base_bonus_column(example_card, worked):
    kpis, targets = worked
    card = load_card(example_card, overrides={"base_bonus": None, "base_bonus_column": "bonus_base"})
    paid = payouts(kpis, card=card, targets=targets, base_bonus=pd.Series({"ann": 73334, "bob": 73334}))
    score = paid["score"].iloc[0]
    assert repr(score) == "np.float64(0.8874999999999998)" and round(73334 * score, 2) == 65083.92
    assert paid["bonus"].iloc[0] == 65083.93  # 65,083.925 half up


def test_validation_example(example_card_path, tmp_path):
    text = example_card_path.read_text(encoding="utf-8")
    text = text.replace("    weight: 0.5 ", "    weight: -0.5").replace(
        "    weight: 0.3\n", "    weight: 0.3\n    treshold: 0.7\n"
    )
    path = tmp_path / "sales_manager.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CardError) as error:
        load_card(path)
    assert str(error.value).replace(str(path), "data/cards/sales_manager.yml") == (
        "the KPI card data/cards/sales_manager.yml has 2 problems:\n"
        "  - line 18, kpis[0].weight: weight is negative (-0.5). "
        "Fix: use weights from 0 to 1 that add up to 1\n"
        "  - line 22, kpis[1].treshold: unknown key 'treshold' (did you mean 'threshold'?). Fix: use only "
        "metric, weight, target, lower_is_better, threshold, threshold_factor, cap, cap_factor"
    )
