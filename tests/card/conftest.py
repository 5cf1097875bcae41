"""Fixtures of the KPI card tests: the documented example card and a hand-made card with its KPIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from kpi_toolkit.card import Card, load_card

EXAMPLE_CARD = Path(__file__).resolve().parents[2] / "data" / "cards" / "sales_manager.yml"


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
