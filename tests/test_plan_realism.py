"""Plan realism (kt.plan_realism): the model on hand-made series, the verdicts, and a simulation with fair
plans (targets at the expected volume: few out of reach) and plans raised 60 % (most out of reach)."""

from __future__ import annotations

import numpy as np
import pytest
from simulated_company import GROWTH, SEASON, company

import kpi_toolkit as kt
from kpi_toolkit.plan_realism import REALISM_COLUMNS, REALISM_VERDICTS, _Model, _verdict


def test_the_model_follows_level_season_and_trend():
    model = _Model(per_year=4, history=8, min_history=4)
    quarters = np.arange(12)
    team = 100 * SEASON[quarters % 4] * GROWTH**quarters
    expected = model.expected(team[None, :], team, 11)[0]
    assert expected == pytest.approx(team[11], rel=0.005)  # a noiseless series is predicted closely
    short = model.expected(team[None, :3], team[:3], 3)[0]
    assert np.isnan(short)  # fewer than four earlier periods


@pytest.mark.parametrize(
    ("target", "expected", "high", "verdict"),
    [
        (90.0, 100.0, 130.0, "realistic"),
        (110.0, 100.0, 130.0, "stretch"),
        (131.0, 100.0, 130.0, "out of reach"),
        (110.0, np.nan, np.nan, "insufficient history"),
        (np.nan, 100.0, 130.0, "no target"),
    ],
)
def test_verdicts(target, expected, high, verdict):
    assert _verdict(target, expected, high) == verdict
    assert verdict in REALISM_VERDICTS


@pytest.mark.slow
def test_simulation_fair_plans_are_rarely_out_of_reach_raised_plans_mostly_are():
    rng = np.random.default_rng(20261204)
    fair, raised, coverage = [], [], []
    for _ in range(4):
        seed = int(rng.integers(2**31))
        for raise_by, store in ((0.0, fair), (0.6, raised)):
            data = company(np.random.default_rng(seed), raise_by=raise_by)
            realism = kt.plan_realism(data, periods="2026Q1:2026Q4")
            assert list(realism.columns) == list(REALISM_COLUMNS)
            judged = realism[(realism["manager"] != "TOTAL") & (realism["verdict"] != "insufficient history")]
            store.extend(judged["verdict"].tolist())
            if raise_by == 0.0:
                coverage.extend(v for v in realism.attrs["coverage"].values() if np.isfinite(v))
    fair_out = np.mean([v == "out of reach" for v in fair])
    raised_out = np.mean([v == "out of reach" for v in raised])
    n = len(fair)
    assert n >= 150
    # nominal (1 - 0.8) / 2 = 0.10 above the interval; three binomial standard errors of tolerance
    assert fair_out <= 0.10 + 3 * np.sqrt(0.1 * 0.9 / n)
    assert raised_out >= 0.7
    assert 0.65 <= np.mean(coverage) <= 0.95  # the backtest's own coverage of its nominal 0.8
