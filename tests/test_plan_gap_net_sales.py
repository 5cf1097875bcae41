"""kt.plan_gap when the plan is on net sales or gross margin (issue 14): hand-made tables, golden values.

The data: ann sells 10 orders of 100 in 2026Q2 and 12 in 2026Q3 (cost 60 each); one Q3 order is half
returned in Q3 (60, cost 36 from the order's ratio). bob sells 4 orders of 200 (cost 100) in Q2 and 4 of
250 (cost 200, a deep discount on the margin) in Q3.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.gap import PLAN_GAP_COLUMNS

EFFECTS = [c for c in PLAN_GAP_COLUMNS if c.endswith("_effect")]


def _log_mean(a: float, b: float) -> float:
    return a if a == b else (a - b) / math.log(a / b)


def _tables(plans: pd.DataFrame) -> dict[str, pd.DataFrame]:
    orders = pd.DataFrame(
        {
            "order_id": [f"a{i:02d}" for i in range(22)] + [f"b{i}" for i in range(8)],
            "manager": ["ann"] * 22 + ["bob"] * 8,
            "customer_id": [f"c{i}" for i in range(30)],
            "ordered_at": ["2026-05-10"] * 10 + ["2026-08-10"] * 12 + ["2026-05-10"] * 4 + ["2026-08-10"] * 4,
            "amount": [100.0] * 22 + [200.0] * 4 + [250.0] * 4,
            "cost": [60.0] * 22 + [100.0] * 4 + [200.0] * 4,
        }
    )
    returns = pd.DataFrame(
        {
            "return_id": ["r1"],
            "returned_at": ["2026-08-20"],
            "amount": [60.0],
            "order_id": ["a12"],
            "manager": [None],
        }
    )
    return {"orders": orders, "returns": returns, "plans": plans}


def _plans(metric: str, ann: float, bob: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"manager": ["ann", "bob"], "period": "2026Q3", "metric": metric, "target": [ann, bob]}
    )


def _data(metric: str, plans: pd.DataFrame) -> kt.SalesData:
    return kt.from_frames(**_tables(plans), plan_metric=metric)


def test_net_sales_plan_with_a_return_golden():
    gap = kt.plan_gap(_data("net_sales", _plans("net_sales", 1100.0, 900.0)), period="2026Q3")
    ann = gap.set_index("manager").loc["ann"]
    # actual net sales 1200 - 60 = 1140; the plan 1100 on ann's own Q2 mix (return rate 0) scaled by
    # s = sqrt(1100 / 1000) on orders and average check
    s = math.sqrt(1.1)
    weight = _log_mean(1140.0, 1100.0)
    assert (ann["actual"], ann["baseline_value"]) == (1140.0, pytest.approx(1100.0, rel=1e-12))
    assert ann["orders_effect"] == pytest.approx(weight * math.log(12 / (10 * s)), rel=1e-12)
    assert ann["average_check_effect"] == pytest.approx(weight * math.log(1 / s), rel=1e-12)
    assert ann["returns_effect"] == pytest.approx(weight * math.log(0.95), rel=1e-12)
    assert round(ann["returns_effect"], 2) == -57.44  # L(1140, 1100) = 1119.9; x ln 0.95
    assert np.isnan(ann["margin_effect"])
    assert ann["reference"].startswith(
        "plan: targets for net_sales; orders, average_check = own 2026Q2 mix x 1.04881"
    )
    assert ann["reference"].endswith("; return_rate = own 2026Q2 0")
    total = gap.iloc[-1]
    assert total[EFFECTS].sum() == pytest.approx(total["gap"], abs=1e-9 * 2000)
    assert gap.attrs["metric"] == "net_sales"
    intervals = gap.attrs["effect_intervals"]
    assert {"returns_effect"} <= set(intervals["effect"]) and "margin_effect" not in set(intervals["effect"])
    # the kpis agree: the plan's actual is the KPI table's net sales
    kpis = kt.manager_kpis(_data("net_sales", _plans("net_sales", 1100.0, 900.0)), period="2026Q3")
    assert gap.set_index("manager")["actual"].iloc[:2].tolist() == kpis["net_sales"].tolist()


def test_gross_margin_plan_golden():
    gap = kt.plan_gap(_data("gross_margin", _plans("gross_margin", 450.0, 400.0)), period="2026Q3")
    bob = gap.set_index("manager").loc["bob"]
    # bob: Q2 margin rate 400 / 800 = 0.5, so the plan 400 needs a volume of 800 = his Q2 volume (scale 1);
    # Q3: 4 x 250 at a margin rate of 200 / 1000 = 0.2
    weight = _log_mean(200.0, 400.0)
    assert bob["gap"] == -200.0
    assert bob["average_check_effect"] == pytest.approx(weight * math.log(250 / 200), rel=1e-12)
    assert bob["margin_effect"] == pytest.approx(weight * math.log(0.2 / 0.5), rel=1e-12)
    assert round(bob["margin_effect"], 2) == -264.39
    assert bob["returns_effect"] == 0.0
    assert "margin_rate = own 2026Q2 0.5" in bob["reference"]
    for row in gap.itertuples(index=False):
        assert sum(getattr(row, c) for c in EFFECTS if not np.isnan(getattr(row, c))) == pytest.approx(
            row.gap, abs=1e-9 * 1000
        )
    intervals = gap.attrs["effect_intervals"].set_index(["manager", "effect"])
    assert not intervals.loc[("bob", "margin_effect"), "within_noise"]  # every Q3 order lost margin


def test_the_plans_targets_imply_the_rates():
    plans = pd.concat(
        [
            _plans("gross_margin", 450.0, 400.0),
            _plans("net_sales", 1100.0, 1000.0),
            _plans("sales_volume", 1150.0, 1000.0),
        ]
    )
    gap = kt.plan_gap(_data("gross_margin", plans), period="2026Q3").set_index("manager")
    ann = gap.loc["ann"]
    # margin rate 450 / 1100, return rate 1 - 1100 / 1150: the plan's own, and the volume drivers reach 1150
    assert ann["baseline_value"] == pytest.approx(450.0, rel=1e-12)
    assert "return_rate = plan 0.04348; margin_rate = plan 0.4091" in ann["reference"]
    assert ann["reference"].startswith("plan: targets for sales_volume, net_sales, gross_margin;")


def test_a_volume_plan_has_no_returns_or_margin_effect():
    gap = kt.plan_gap(_data("sales_volume", _plans("sales_volume", 1100.0, 900.0)), period="2026Q3")
    assert tuple(gap.columns) == (*PLAN_GAP_COLUMNS, "team_plan_effect")
    assert gap["returns_effect"].isna().all() and gap["margin_effect"].isna().all()
    assert gap["actual"].iloc[:2].tolist() == [1200.0, 1000.0]  # the volume, returns or not


@pytest.mark.parametrize("baseline", ["previous", "team"])
def test_other_baselines_carry_the_rates(baseline):
    gap = kt.plan_gap(
        _data("gross_margin", _plans("gross_margin", 450.0, 400.0)), period="2026Q3", baseline=baseline
    )
    rows = gap.set_index("manager")
    if baseline == "previous":  # bob Q2: 800 at 0.5 = 400
        assert rows.at["bob", "baseline_value"] == pytest.approx(400.0)
    else:  # team: pooled return rate 60 / 2200 and margin rate 656 / 2140
        assert rows.loc["TOTAL", "reference"].endswith("average_check, return_rate, margin_rate")
        assert rows.at["TOTAL", "baseline_value"] == pytest.approx(656.0)
    residual = rows[EFFECTS].sum(axis=1) - rows["gap"]
    assert (residual.abs() <= 1e-9 * 1000).all()


def test_no_target_of_the_plan_metric_says_so():
    gap = kt.plan_gap(_data("net_sales", _plans("sales_volume", 1100.0, 900.0)), period="2026Q3")
    assert gap["reference"].iloc[0] == "plan: no net_sales target for 2026Q3"
    assert gap[EFFECTS].isna().all().all()


def _write(folder: Path, tables: dict[str, pd.DataFrame], metric: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    (folder / "dataset.yml").write_text(f"plan_metric: {metric}\n")
    return folder


@pytest.mark.parametrize("metric", ["net_sales", "gross_margin"])
def test_pandas_and_duckdb_agree(tmp_path, metric):
    folder = _write(
        tmp_path / metric, _tables(_plans(metric, 1100.0 if metric == "net_sales" else 450.0, 400.0)), metric
    )
    gaps = {
        engine: kt.plan_gap(kt.load(folder, engine=engine), period="2026Q3")
        for engine in ("pandas", "duckdb")
    }
    pd.testing.assert_frame_equal(gaps["pandas"], gaps["duckdb"], rtol=1e-9)
    assert gaps["duckdb"].attrs["metric"] == metric
    pd.testing.assert_frame_equal(
        gaps["pandas"].attrs["effect_intervals"], gaps["duckdb"].attrs["effect_intervals"], rtol=1e-9
    )


# --- a gross-margin plan with a margin-rate target: level targets win, none is dropped --------------------


def _gm_plans(volume: float, margin: float, rate: float, net: float | None = None) -> pd.DataFrame:
    rows = [("sales_volume", volume), ("gross_margin", margin), ("margin_rate", rate)]
    if net is not None:
        rows.append(("net_sales", net))
    return pd.DataFrame(
        {"manager": "ann", "period": "2026Q3", "metric": [r[0] for r in rows], "target": [r[1] for r in rows]}
    )


def test_volume_margin_and_margin_rate_targets_all_hold_through_the_implied_return_rate():
    # 450 at a margin rate of 0.4 is net sales of 1125: of the volume target 1150, a return rate of 25 / 1150
    gap = kt.plan_gap(_data("gross_margin", _gm_plans(1150.0, 450.0, 0.4)), period="2026Q3")
    ann = gap.set_index("manager").loc["ann"]
    assert ann["baseline_value"] == pytest.approx(450.0, rel=1e-12)
    assert "return_rate = plan 0.02174; margin_rate = plan 0.4" in ann["reference"]
    assert "not used" not in ann["reference"]
    # actual: volume 1200, net 1140, margin 456 (rate 0.4): the volume drivers go from 1150 (the volume
    # target, no longer 450 / 0.4 = 1125) to 1200, the return rate from 25 / 1150 to 0.05, the margin rate 0
    weight = _log_mean(456.0, 450.0)
    assert ann["orders_effect"] + ann["average_check_effect"] == pytest.approx(
        weight * math.log(1200.0 / 1150.0), rel=1e-12
    )
    assert ann["returns_effect"] == pytest.approx(weight * math.log(0.95 / (1125.0 / 1150.0)), rel=1e-12)
    assert ann["margin_effect"] == pytest.approx(0.0, abs=1e-9)


def test_a_margin_rate_target_that_contradicts_the_volume_and_margin_targets_is_not_used():
    # 500 at 0.4 would be net sales of 1250, above the volume target 1150: volume and margin win
    gap = kt.plan_gap(_data("gross_margin", _gm_plans(1150.0, 500.0, 0.4)), period="2026Q3")
    ann = gap.set_index("manager").loc["ann"]
    assert ann["baseline_value"] == pytest.approx(500.0, rel=1e-12)
    # the return rate of ann's own 2026Q2 (0), the margin rate 500 / 1150 the targets imply
    assert "return_rate = own 2026Q2 0; margin_rate = plan 0.4348" in ann["reference"]
    assert ann["reference"].endswith(
        "; margin_rate target 0.4 not used: with the gross_margin target it implies net sales of 1,250, not "
        "within the sales_volume target 1,150"
    )
    weight = _log_mean(456.0, 500.0)
    assert ann["orders_effect"] + ann["average_check_effect"] == pytest.approx(
        weight * math.log(1200.0 / 1150.0), rel=1e-12
    )


def test_with_a_net_sales_target_the_level_targets_fix_the_margin_rate():
    plans = _gm_plans(1150.0, 450.0, 0.4, net=1100.0)
    ann = kt.plan_gap(_data("gross_margin", plans), period="2026Q3").set_index("manager").loc["ann"]
    assert "return_rate = plan 0.04348; margin_rate = plan 0.4091" in ann["reference"]
    assert ann["reference"].endswith(
        "; margin_rate target 0.4 not used: the gross_margin and net_sales targets imply 0.4091"
    )
    consistent = _gm_plans(1150.0, 440.0, 0.4, net=1100.0)
    ann = kt.plan_gap(_data("gross_margin", consistent), period="2026Q3").set_index("manager").loc["ann"]
    assert "not used" not in ann["reference"] and "margin_rate = plan 0.4" in ann["reference"]


def test_a_margin_rate_target_without_a_gross_margin_target_is_no_gross_margin_plan():
    plans = _gm_plans(1150.0, 450.0, 0.4)
    plans = plans[plans["metric"] != "gross_margin"]
    data = _data("gross_margin", plans)
    gap = kt.plan_gap(data, period="2026Q3")
    assert (
        gap["reference"]
        .iloc[0]
        .startswith("plan: no gross_margin target for 2026Q3 (a margin_rate target does not make one")
    )
    assert np.isnan(kt.manager_kpis(data, period="2026Q3").at["ann", "sales_plan"])  # the same verdict
