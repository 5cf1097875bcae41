"""decompose_gap on net sales and gross margin: the net share and the margin rate as further factors.

Golden values are computed by hand from the LMDI-I formula (Ang 2005): effect_k = L(V1, V0) ln(x1_k / x0_k).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import PLAN_GAP_COLUMNS, decompose_gap

ALL_EFFECTS = [c for c in PLAN_GAP_COLUMNS if c.endswith("_effect")]


def _log_mean(a: float, b: float) -> float:
    return a if a == b else (a - b) / math.log(a / b)


def _actual() -> pd.DataFrame:
    # ann: 12 orders of 100 = 1200, returns 60 (net 1140), margin 456 (rate 0.4)
    # bob: 4 orders of 250 = 1000, no returns, margin 200 (rate 0.2)
    return pd.DataFrame(
        {
            "manager": ["ann", "bob"],
            "orders": [12, 4],
            "sales_volume": [1200.0, 1000.0],
            "returns": [60.0, 0.0],
            "gross_margin": [456.0, 200.0],
        }
    )


def _baseline() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "manager": ["ann", "bob"],
            "orders": [10.0, 4.0],
            "average_check": [100.0, 200.0],
            "return_rate": [0.0, 0.1],
            "margin_rate": [0.4, 0.5],
        }
    )


def test_net_sales_adds_the_returns_factor_golden():
    gap = decompose_gap(_actual(), _baseline(), metric="net_sales").set_index("manager")
    # ann: baseline 10 x 100 x (1 - 0) = 1000; actual 12 x 100 x 0.95 = 1140
    weight = _log_mean(1140.0, 1000.0)
    assert gap.at["ann", "actual"] == 1140.0
    assert gap.at["ann", "baseline_value"] == pytest.approx(1000.0, rel=1e-12)
    assert gap.at["ann", "orders_effect"] == pytest.approx(weight * math.log(1.2), rel=1e-12)
    assert gap.at["ann", "average_check_effect"] == pytest.approx(0.0, abs=1e-9)
    assert gap.at["ann", "returns_effect"] == pytest.approx(weight * math.log(0.95), rel=1e-12)
    assert (
        round(gap.at["ann", "returns_effect"], 2) == -54.81
    )  # by hand: L = 140 / ln 1.14 = 1068.46; x ln 0.95
    # bob: baseline 4 x 200 x 0.9 = 720; actual 4 x 250 x 1 = 1000: fewer returns than planned, a gain
    weight = _log_mean(1000.0, 720.0)
    assert gap.at["bob", "returns_effect"] == pytest.approx(weight * math.log(1 / 0.9), rel=1e-12)
    assert gap.at["bob", "returns_effect"] > 0
    assert gap["margin_effect"].isna().all()  # no margin factor on a net-sales gap


def test_gross_margin_adds_the_margin_factor_golden():
    gap = decompose_gap(_actual(), _baseline(), metric="gross_margin").set_index("manager")
    # bob: baseline 4 x 200 x 0.9 x 0.5 = 360; actual 4 x 250 x 1 x 0.2 = 200
    weight = _log_mean(200.0, 360.0)
    assert gap.at["bob", "baseline_value"] == pytest.approx(360.0, rel=1e-12)
    assert gap.at["bob", "actual"] == 200.0
    assert gap.at["bob", "average_check_effect"] == pytest.approx(weight * math.log(1.25), rel=1e-12)
    assert gap.at["bob", "returns_effect"] == pytest.approx(weight * math.log(1 / 0.9), rel=1e-12)
    assert gap.at["bob", "margin_effect"] == pytest.approx(weight * math.log(0.4), rel=1e-12)
    # the discounter's story: a higher check bought with a margin rate that fell by more
    assert gap.at["bob", "average_check_effect"] > 0 > gap.at["bob", "margin_effect"]
    assert gap.at["ann", "margin_effect"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("metric", ["sales_volume", "net_sales", "gross_margin"])
def test_columns_never_depend_on_the_metric(metric):
    gap = decompose_gap(_actual(), _baseline(), metric=metric)
    assert tuple(gap.columns) == PLAN_GAP_COLUMNS
    assert gap["returns_effect"].isna().all() == (metric == "sales_volume")
    assert gap["margin_effect"].isna().all() == (metric != "gross_margin")


def test_volume_gap_is_unchanged_by_the_rate_columns():
    with_rates = decompose_gap(_actual(), _baseline())
    without = decompose_gap(
        _actual()[["manager", "orders", "sales_volume"]], _baseline()[["manager", "orders", "average_check"]]
    )
    pd.testing.assert_frame_equal(with_rates, without)


def _random_case(rng: np.random.Generator, n: int, negative: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders = rng.integers(0, 40, n).astype(float)
    volume = orders * rng.uniform(50, 2000, n)
    returns = np.where(orders > 0, volume * rng.uniform(0, 0.3, n), 0.0)
    low = -0.3 if negative else 0.05
    margin = (volume - returns) * rng.uniform(low, 0.6, n)
    actual = pd.DataFrame(
        {
            "manager": [f"m{i:02d}" for i in range(n)],
            "leads_closed": orders * 3 + rng.integers(0, 5, n),
            "leads_won": orders,
            "orders": orders,
            "sales_volume": volume,
            "returns": returns,
            "gross_margin": margin,
        }
    )
    baseline = pd.DataFrame(
        {
            "manager": actual["manager"],
            "leads_closed": rng.uniform(10, 120, n),
            "conversion": rng.uniform(0.05, 0.5, n),
            "orders_per_win": rng.uniform(0.8, 1.5, n),
            "average_check": rng.uniform(50, 2000, n),
            "return_rate": rng.uniform(0, 0.2, n),
            "margin_rate": rng.uniform(low, 0.6, n),
        }
    )
    return actual, baseline


@pytest.mark.parametrize("method", ["lmdi", "shapley"])
@pytest.mark.parametrize("metric", ["net_sales", "gross_margin"])
@pytest.mark.parametrize("negative", [False, True])
def test_the_extended_identity_is_exact(method, metric, negative):
    rng = np.random.default_rng(14)
    actual, baseline = _random_case(rng, 40, negative)
    gap = decompose_gap(actual, baseline, method=method, metric=metric)
    done = gap[~gap["method"].str.startswith("none")]
    assert len(done) == len(gap)  # every row has a product form here
    scale = done[["actual", "baseline_value"]].abs().max(axis=1).clip(lower=1.0)
    residual = done[ALL_EFFECTS].sum(axis=1, min_count=1).fillna(0.0) - done["gap"]
    assert (residual.abs() <= 1e-9 * scale).all()
    expected = actual["sales_volume"] - actual["returns"] if metric == "net_sales" else actual["gross_margin"]
    assert done["actual"].iloc[:-1].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-12)
    if (
        negative and method == "lmdi" and metric == "gross_margin"
    ):  # a loss in either period: that row by Shapley, and it says so
        assert done["method"].str.startswith("shapley; a net share or margin rate below 0").any()
        assert "by Shapley" in done["method"].iloc[-1]


def test_returns_without_sales_have_no_product_form():
    actual = pd.DataFrame(
        {"manager": ["ann"], "orders": [0], "sales_volume": [0.0], "returns": [80.0], "gross_margin": [-30.0]}
    )
    gap = decompose_gap(actual, _baseline().iloc[:1], metric="net_sales")
    row = gap.iloc[0]
    assert row["actual"] == -80.0 and row["gap"] == pytest.approx(-1080.0)
    assert row["method"] == "none; returns booked in a period without sales (no product form)"
    assert row[ALL_EFFECTS].isna().all()
    assert "left out: ann, with -80 of actual net sales" in gap["method"].iloc[-1]


def test_metric_needs_its_columns():
    with pytest.raises(ParameterError, match="actual has no column 'gross_margin'"):
        decompose_gap(_actual().drop(columns="gross_margin"), _baseline(), metric="gross_margin")
    with pytest.raises(ParameterError, match="metric='margin_rate' is not allowed"):
        decompose_gap(_actual(), _baseline(), metric="margin_rate")  # type: ignore[arg-type]
    gap = decompose_gap(_actual(), _baseline().drop(columns="margin_rate"), metric="gross_margin")
    assert gap["method"].iloc[0] == "none; the baseline has no margin_rate"
