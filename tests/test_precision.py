"""The display precision policy: a rate or achievement just below its target never shows as a hit, and a
p-value never shows as 0.000 or 1.000, in every report kind and in both languages (issue 20, item 3)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.card import load_card
from kpi_toolkit.report import comparison_messages, formatting, manager_views, views
from kpi_toolkit.report.card_payout_views import scorecard_section
from kpi_toolkit.report.card_report import card_report
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.manager import manager_report
from kpi_toolkit.report.quarterly import quarterly_report
from kpi_toolkit.report.quarterly_kpi_views import kpi_table
from kpi_toolkit.report.quarterly_ranking_views import ranking_table
from tests.card.conftest import EXAMPLE_CARD

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("value", "en", "ru"),
    [
        (0.246, "24.6%", f"24,6{NBSP}%"),  # the conversion against a 25 % target
        (0.2496, "24.9%", f"24,9{NBSP}%"),  # rounded it would be 25.0 %
        (0.24999999, "24.9%", f"24,9{NBSP}%"),
        (0.25, "25.0%", f"25,0{NBSP}%"),  # a hit stays a hit
        (0.9996, "99.9%", f"99,9{NBSP}%"),  # the attainment: never 100 %
        (0.99996, "99.9%", f"99,9{NBSP}%"),
        (1.0, "100.0%", f"100,0{NBSP}%"),
        (0.1 + 0.15, "25.0%", f"25,0{NBSP}%"),  # float noise on an exact hit is not a miss
        (1.0004, "100.0%", f"100,0{NBSP}%"),
    ],
)
def test_rate_just_below_a_target_shows_below_it(value, en, ru):
    assert translator("en").rate(value) == en
    assert translator("ru").rate(value) == ru


def test_rate_shows_the_side_of_a_target_between_two_shown_steps():
    en = translator("en")
    assert en.rate(0.2464, target=0.2465) == "24.6%"
    assert en.rate(0.2466, target=0.2465) == "24.66%"  # cut to 24.6 it would read as a miss
    assert en.rate(0.9996, digits=0) == "99%" and formatting.cut(99.96) == 99.0


@pytest.mark.parametrize(
    ("p", "en", "ru"),
    [
        (0.0, "< 0.001", "< 0,001"),
        (0.0004, "< 0.001", "< 0,001"),
        (0.0012, "0.001", "0,001"),
        (0.0496, "0.0496", "0,0496"),  # three decimals would show 0.050, no longer below 5 %
        (0.0504, "0.0504", "0,0504"),  # and 0.050 would hide that this one is above it
        (0.5, "0.500", "0,500"),
        (0.9996, "> 0.999", "> 0,999"),
        (1.0, "> 0.999", "> 0,999"),
    ],
)
def test_p_values_never_show_zero_or_one(p, en, ru):
    assert translator("en").p_value(p) == en and translator("ru").p_value(p) == ru
    assert comparison_messages._p_cell(translator("en"), p) == en


def test_p_value_sentences_name_the_bound():
    en, ru = translator("en"), translator("ru")
    assert comparison_messages._p(en, 1.0, adjusted=True) == "adjusted p > 0.999"
    assert comparison_messages._p(ru, 0.0001) == "p < 0,001"
    assert comparison_messages._p(en, 0.0496) == "p = 0.0496"


def _just_below() -> kt.SalesData:
    """Two managers in 2026Q3. ann: 9,996 of a 10,000 plan (99.96 %), 49 of 197 leads won (24.87 %);
    bob: 10,000 of 10,000 (a hit), 50 of 200 leads (25 %)."""
    orders, leads = [], []
    for manager, amounts, won, closed in (
        ("ann", [5000.0, 4996.0], 49, 197),
        ("bob", [5000.0, 5000.0], 50, 200),
    ):
        for i, amount in enumerate(amounts):
            orders.append((f"o-{manager}-{i}", manager, f"c-{manager}-{i}", "2026-08-10", amount, ""))
        for i in range(closed):
            status = "won" if i < won else "lost"
            leads.append((f"L-{manager}-{i}", manager, "2026-07-01", status, "2026-08-01"))
    return kt.from_frames(
        orders=pd.DataFrame(
            orders, columns=["order_id", "manager", "customer_id", "ordered_at", "amount", "lead_id"]
        ),
        leads=pd.DataFrame(leads, columns=["lead_id", "manager", "created_at", "status", "closed_at"]),
        plans=pd.DataFrame(
            [("ann", "2026Q3", "sales_volume", 10000.0), ("bob", "2026Q3", "sales_volume", 10000.0)],
            columns=["manager", "period", "metric", "target"],
        ),
        managers=pd.DataFrame(
            [("ann", "Ann Lee", "North"), ("bob", "Bob Stone", "North")], columns=["manager", "name", "team"]
        ),
    )  # fmt: skip


def _text(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)).replace(NBSP, " ")


@pytest.fixture(scope="module")
def near_miss() -> kt.SalesData:
    return _just_below()


@pytest.mark.parametrize(
    ("lang", "miss", "hit", "conversion", "rounded"),
    [
        ("en", "99.9%", "100.0%", "24.8%", ("100%", "25%")),
        ("ru", "99,9 %", "100,0 %", "24,8 %", ("100 %", "25 %")),
    ],
)
def test_quarterly_manager_index_and_card_show_a_near_miss_as_a_miss(
    near_miss, lang, miss, hit, conversion, rounded
):
    tr = translator(lang)
    q = quarterly_report(near_miss, period="2026Q3")
    quarterly = _text(kpi_table(q, tr) + views.summary(q, tr) + ranking_table(q, tr))
    assert miss in quarterly and hit in quarterly and conversion in quarterly
    # the site's index shows the key figures: the team sold 19,996 of 20,000
    index = {f.key: f.text.replace(NBSP, " ") for f in views.key_figures(q, tr)}
    assert index["plan_attainment"] == miss
    own = manager_report(q, manager="ann")
    manager = _text(manager_views.summary(own, tr) + manager_views.headline(own, tr))
    assert miss in manager and conversion in manager
    card = card_report(near_miss, period="2026Q3", card=load_card(EXAMPLE_CARD))
    scorecard = _text(scorecard_section(card, tr))
    ann = scorecard[scorecard.index("Ann Lee") : scorecard.index("Bob Stone")]
    assert f" {miss} " in ann  # the sales volume's achievement
    assert conversion in ann
    for text in (quarterly, manager, ann, index["plan_attainment"]):
        for wrong in rounded:
            assert not re.search(rf"(?<![\d.,]){re.escape(wrong)}", text), (wrong, text)
