"""Fixtures of the KPI card tests: the documented example card, a hand-made card with its KPIs, and a small
data set whose every payout under the example card is worked out by hand (tests/card/test_api.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kpi_toolkit.card import Card, load_card

EXAMPLE_CARD = Path(__file__).resolve().parents[2] / "data" / "cards" / "sales_manager.yml"
#: The period of :func:`card_tables`.
PERIOD = "2026Q3"


@pytest.fixture
def example_card_path() -> Path:
    return EXAMPLE_CARD


@pytest.fixture
def example_card() -> Card:
    """The card of issue 6, as documented in data/cards/sales_manager.yml."""
    return load_card(EXAMPLE_CARD)


@pytest.fixture
def card_dict() -> dict[str, Any]:
    """The example card's rule as a dict (description dropped), for tests that change one key."""
    return {
        "name": "Sales manager card",
        "period": "quarter",
        "base_bonus": 100000,
        "kpis": [
            {"metric": "sales_volume", "weight": 0.5, "target": "plan"},
            {"metric": "conversion", "weight": 0.3, "target": 0.25},
            {"metric": "new_customers", "weight": 0.2, "target": 10, "threshold": 0.5},
        ],
        "defaults": {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5},
        "gate": {"metric": "sales_volume", "min_achievement": 0.7},
    }


def kpi_frame(rows: dict[str, tuple[float, float, float]]) -> pd.DataFrame:
    """KPIs shaped as the data layer returns them (index ``manager``), from rows of
    (sales_volume, conversion, new_customers)."""
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["sales_volume", "conversion", "new_customers"]
    )
    frame.index.name = "manager"
    # The other columns of kt.manager_kpis, which a card that does not pay for them ignores.
    return frame.assign(orders=1, average_check=1.0, leads_closed=1.0, leads_won=1.0, sales_plan=1.0,
                        plan_attainment=1.0)  # fmt: skip


@pytest.fixture
def make_kpis():
    return kpi_frame


def _leads(manager: str, won: int, lost: int) -> list[tuple[str, str, str, str, str]]:
    rows = [("won", i) for i in range(won)] + [("lost", i) for i in range(lost)]
    return [(f"L-{manager}-{status}-{i}", manager, "2026-07-01", status, "2026-08-01") for status, i in rows]


def card_tables() -> dict[str, pd.DataFrame]:
    """Five managers, 2026Q3. Per manager: sales volume (plan), leads won/closed, new customers.

    a: 950 of plan 1000, 1 won of 4, 2 new customers
    b: 1100 of 1000, 3 won of 10, 1 new
    c: 1300 of 1000, 1 won of 10, 3 new
    d: 600 of 1000 (monthly plans 300 + 300 + 400), 1 won of 4, 1 new
    e: 200, no plan, no leads closed, 0 new (its customer bought in 2026Q2 already)
    Managers a, b, c in team North, d, e in South; column bonus_base: 2000, "2000", empty, 1000, 1000.
    """
    orders = pd.DataFrame(
        [
            ("o1", "a", "ca1", "2026-07-10", 500.0),
            ("o2", "a", "ca2", "2026-08-10", 450.0),
            ("o3", "b", "cb1", "2026-07-15", 1100.0),
            ("o4", "c", "cc1", "2026-07-20", 400.0),
            ("o5", "c", "cc2", "2026-08-20", 400.0),
            ("o6", "c", "cc3", "2026-09-20", 500.0),
            ("o7", "d", "cd1", "2026-09-01", 600.0),
            ("o8", "e", "ce1", "2026-05-01", 50.0),
            ("o9", "e", "ce1", "2026-09-30 23:00", 200.0),
        ],
        columns=["order_id", "manager", "customer_id", "ordered_at", "amount"],
    )
    leads = pd.DataFrame(
        _leads("a", 1, 3) + _leads("b", 3, 7) + _leads("c", 1, 9) + _leads("d", 1, 3)
        + [("L-e-open", "e", "2026-09-01", "open", "")],
        columns=["lead_id", "manager", "created_at", "status", "closed_at"],
    )  # fmt: skip
    plans = pd.DataFrame(
        [
            ("a", "2026Q3", "sales_volume", 1000.0),
            ("b", "2026Q3", "sales_volume", 1000.0),
            ("c", "2026Q3", "sales_volume", 1000.0),
            ("d", "2026-07", "sales_volume", 300.0),
            ("d", "2026-08", "sales_volume", 300.0),
            ("d", "2026-09", "sales_volume", 400.0),
        ],
        columns=["manager", "period", "metric", "target"],
    )
    managers = pd.DataFrame(
        [
            ("a", "Ann", "North", "2000"),
            ("b", "Bob", "North", "2000"),
            ("c", "Cat", "North", ""),
            ("d", "Dan", "South", "1000"),
            ("e", "Eve", "South", "1000"),
        ],
        columns=["manager", "name", "team", "bonus_base"],
    )
    return {"orders": orders, "leads": leads, "plans": plans, "managers": managers}
