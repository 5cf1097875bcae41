"""What the funnel's exact limits promise (issue 22, point 8), as the report and the README state it."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from kpi_toolkit.stats import funnel_limits


def _outside(n: int, center: float) -> dict[str, float]:
    """Exact binomial chances (scipy.stats.binom) that a manager at ``center`` falls outside each limit."""
    limits = funnel_limits([n], center=center).set_index("level")
    rate = np.arange(n + 1) / n
    pmf = stats.binom.pmf(np.arange(n + 1), n, center)
    out = {}
    for level in (0.95, 0.998):
        out[f"above_{level}"] = pmf[rate > limits.loc[level, "upper"] + 1e-12].sum()
        out[f"below_{level}"] = pmf[rate < limits.loc[level, "lower"] - 1e-12].sum()
    return out


@pytest.mark.parametrize("center", [0.1, 0.27, 0.5])
def test_exact_limits_are_asymmetric_as_documented(center) -> None:
    for n in (100, 200, 500, 1000, 5000):
        chance = _outside(n, center)
        assert 0.025 <= chance["above_0.95"] <= 0.04, (n, chance)  # "about 2.5-4 %"
        assert 0.015 <= chance["below_0.95"] <= 0.025, (n, chance)  # "about 1.5-2.5 %"
        assert chance["above_0.998"] <= 0.002 and chance["below_0.998"] <= 0.001, (n, chance)  # 0.1-0.2 %
    for n in (20, 30, 50):  # "with fewer leads, up to about 6 % above and less below"
        chance = _outside(n, center)
        assert chance["above_0.95"] <= 0.065 and chance["below_0.95"] <= 0.025, (n, chance)
