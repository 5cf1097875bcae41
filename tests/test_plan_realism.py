"""Plan realism (kt.plan_realism): the model on hand-made series, the verdicts, and a simulation with fair
plans (targets at the expected volume: few out of reach) and plans raised 60 % (most out of reach)."""

from __future__ import annotations

import numpy as np
import pandas as pd
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


def _random_company(seed: int, *, fiscal_year_start: int, monthly: bool):
    """Managers in three teams and none, some starting late, some leaving gaps, targets missing at random."""
    rng = np.random.default_rng(seed)
    managers = [f"m{m:02d}" for m in range(24)]
    teams = rng.choice(["A", "B", "C", None], size=len(managers), p=[0.35, 0.3, 0.25, 0.1])
    starts = np.where(rng.random(len(managers)) < 0.3, rng.integers(0, 700, len(managers)), 0)
    n = 6_000
    who = rng.integers(0, len(managers), n)
    day = starts[who] + rng.integers(0, 1096, n) % (1096 - starts[who])
    orders = pd.DataFrame(
        {
            "order_id": [f"o{k}" for k in range(n)],
            "manager": np.array(managers)[who],
            "customer_id": [f"c{k % 900}" for k in range(n)],
            "ordered_at": pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D"),
            "amount": np.round(rng.lognormal(7, 0.8, n), 2),
        }
    )
    span = "2024-01:2026-12" if monthly else "2024Q1:2026Q4"
    labels = [str(p) for p in kt.parse_periods(span, fiscal_year_start=fiscal_year_start)]
    plans = [
        (m, label, "sales_volume", float(np.round(rng.uniform(6e3, 1.5e4) * (1 if monthly else 3))))
        for m in managers
        for label in labels
        if rng.random() > 0.1
    ]
    return kt.from_frames(
        orders,
        plans=pd.DataFrame(plans, columns=["manager", "period", "metric", "target"]),
        managers=pd.DataFrame({"manager": managers, "name": managers, "team": teams}),
        fiscal_year_start=fiscal_year_start,
    )


@pytest.mark.parametrize(
    ("seed", "fiscal_year_start", "periods", "team"),
    [
        (1, 1, "2025Q1:2026Q4", None),
        (2, 4, "2025Q3:2026Q3", None),
        (3, 1, "2025-06:2026-11", "A"),
    ],
)
def test_vectorised_realism_equals_the_row_by_row_one(seed, fiscal_year_start, periods, team):
    # the vectorised model (one backtest per team, every manager at once) against the loops it replaced
    from plan_realism_loops import plan_realism as loops

    data = _random_company(seed, fiscal_year_start=fiscal_year_start, monthly="-" in periods)
    new = kt.plan_realism(data, periods=periods, team=team)
    old = loops(data, periods=periods, team=team)
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    assert new.attrs == old.attrs or str(new.attrs) == str(old.attrs)  # NaN coverage compares unequal
    assert new["verdict"].nunique() >= 3  # the data set exercises several verdicts
