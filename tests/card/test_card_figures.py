"""The payout curve: its knots, and the figure drawn from them (tested by what was drawn, on Agg)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest

from kpi_toolkit.card import PAYOUT_CURVE_COLUMNS, payout_curve, payout_factor, plot_payout_curve
from kpi_toolkit.errors import ParameterError


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_curve_knots_of_the_example_card(example_card):
    table = payout_curve(example_card)
    assert tuple(table.columns) == PAYOUT_CURVE_COLUMNS
    knots = table[table["metric"] == "new_customers"]
    assert list(zip(knots["segment"], knots["achievement"], knots["factor"], strict=True)) == [
        ("below threshold", 0.0, 0.0),
        ("below threshold", 0.5, 0.0),
        ("paid", 0.5, 0.5),
        ("paid", 1.0, 1.0),
        ("paid", 1.2, 1.5),
        ("paid", 1.5, 1.5),  # the default end: max(1.5, 1.25 x the largest cap)
    ]
    assert list(table["metric"].unique()) == ["sales_volume", "conversion", "new_customers"]


def test_curve_knots_agree_with_the_rule(example_card):
    table = payout_curve(example_card, up_to=3.0)
    curves = {k.metric: k.curve for k in example_card.kpis}
    paid = table[table["segment"] == "paid"]
    for metric, a, f in zip(paid["metric"], paid["achievement"], paid["factor"], strict=True):
        assert f == payout_factor(a, **vars(curves[metric]))
    assert table["achievement"].max() == 3.0


def test_curve_of_one_metric(example_card):
    assert set(payout_curve(example_card, metric="conversion")["metric"]) == {"conversion"}
    with pytest.raises(ParameterError, match="metric='orders' is not on the card 'Sales manager card'"):
        payout_curve(example_card, metric="orders")


def test_plot_draws_one_line_per_distinct_curve(example_card):
    before = dict(matplotlib.rcParams)
    ax = plot_payout_curve(example_card)
    assert dict(matplotlib.rcParams) == before  # no global theme change
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["sales_volume, conversion", "new_customers"]  # the first two share a curve
    solid = [line for line in ax.get_lines() if line.get_linestyle() == "-" and len(line.get_xdata()) > 1]
    assert len(solid) == 4  # two segments per curve
    paid = next(line for line in solid if line.get_label() == "new_customers")
    assert list(paid.get_xdata()) == [0.5, 1.0, 1.2, 1.5] and list(paid.get_ydata()) == [0.5, 1.0, 1.5, 1.5]
    assert ax.get_title() == "Payout curve: Sales manager card"
    assert ax.get_xlabel().startswith("achievement") and ax.get_ylabel() == "payout factor"


def test_plot_on_given_axes_for_one_metric(example_card):
    _, ax = plt.subplots()
    assert plot_payout_curve(example_card, metric="new_customers", ax=ax) is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["new_customers"]
