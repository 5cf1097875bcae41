"""Fixtures of the statistics tests: a seeded generator, small canonical tables, the Agg backend."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator (never a global seed)."""
    return np.random.default_rng(20260701)


@pytest.fixture
def smokers() -> pd.DataFrame:
    """R's ``smokers``/``patients`` example (reference cases 1 and 2) as managers M1-M4."""
    return pd.DataFrame(
        {"manager": ["M1", "M2", "M3", "M4"], "successes": [83, 90, 129, 70], "trials": [86, 93, 136, 82]}
    )


@pytest.fixture
def amounts(rng: np.random.Generator) -> pd.DataFrame:
    """Log-normal order amounts of five managers, with a few zero amounts."""
    managers = np.repeat(["A", "B", "C", "D", "E"], [30, 45, 60, 25, 40])
    values = rng.lognormal(7.0, 0.6, managers.size)
    values[[3, 70]] = 0.0
    return pd.DataFrame({"manager": managers, "amount": values})
