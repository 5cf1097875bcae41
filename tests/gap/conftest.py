"""Fixtures of the plan-gap tests: the golden case 10 of ../shared/reference/stats_cases.json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "stats_cases.json"


@pytest.fixture
def case10_reference() -> dict:
    """The stored case 10, to check that the numbers pinned in the tests are still the reference's."""
    if not REFERENCE.exists():
        pytest.skip(f"{REFERENCE} is absent (the shared reference cases live next to the repository)")
    return json.loads(REFERENCE.read_text())["cases"]["case10_revenue_gap_decomposition"]


@pytest.fixture
def case10_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    """stats_cases.json case 10: plan 200 leads x 25 % x 1000, actual 180 x 20 % x 1100 (one manager)."""
    plan = pd.DataFrame({"leads": [200.0], "conversion": [0.25], "check": [1000.0]}, index=["ann"])
    actual = pd.DataFrame({"leads": [180.0], "conversion": [0.20], "check": [1100.0]}, index=["ann"])
    return plan, actual
