"""Pacing inside a period: expected share, projection, backtest interval, status, nothing after as_of."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.pacing import PACING_COLUMNS, PACING_STATUSES


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return make_demo_data()


@pytest.fixture(scope="module")
def data(tables) -> kt.SalesData:
    return kt.from_frames(**tables)


def test_columns_statuses_and_linear_share(data):
    pace = kt.pacing(data, period="2026Q3", as_of="2026-08-15")
    assert tuple(pace.columns) == PACING_COLUMNS
    assert pace["manager"].tolist() == data.manager_ids
    assert set(pace["status"]) <= set(PACING_STATUSES)
    # 46 of the quarter's 92 days have passed; only one earlier 2026Q3-like year (2025Q3): linear
    assert pace.attrs["phasing"] == "linear" and pace.attrs["expected_share"] == pytest.approx(46 / 92)
    assert pace["expected_to_date"].to_numpy() == pytest.approx(pace["target"].to_numpy() * 0.5)
    assert pace["projected"].to_numpy() == pytest.approx(pace["to_date"].to_numpy() / 0.5)
    assert (pace["projected_low"] <= pace["projected"]).all() and (
        pace["projected"] <= pace["projected_high"]
    ).all()
    assert pace.set_index("manager").loc["M10", "status"] == "off track"  # the planted under-performer


def test_to_date_counts_orders_up_to_the_end_of_as_of(data, tables):
    pace = kt.pacing(data, period="2026Q3", as_of="2026-08-15").set_index("manager")
    orders = tables["orders"].assign(ordered_at=lambda o: pd.to_datetime(o["ordered_at"]))
    mine = orders[
        (orders["manager"] == "M04") & orders["ordered_at"].between("2026-07-01", "2026-08-15 23:59:59")
    ]
    assert pace.loc["M04", "to_date"] == pytest.approx(mine["amount"].sum())


def test_nothing_after_as_of_is_used(data, tables):
    as_of = "2026-08-15"
    full = kt.pacing(data, period="2026Q3", as_of=as_of)
    orders = tables["orders"]
    cut = orders[pd.to_datetime(orders["ordered_at"]) < pd.Timestamp(as_of) + pd.Timedelta(days=1)]
    truncated = kt.from_frames(**{**tables, "orders": cut})
    pd.testing.assert_frame_equal(kt.pacing(truncated, period="2026Q3", as_of=as_of), full)
    assert kt.pacing(truncated, period="2026Q3", as_of=as_of).attrs == full.attrs


def test_backtest_interval_and_its_coverage(data):
    pace = kt.pacing(data, period="2026Q3", as_of="2026-08-15", level=0.8)
    attrs = pace.attrs
    assert attrs["backtest_periods"] == ["2026Q2", "2026Q1", "2025Q4", "2025Q3", "2025Q2", "2025Q1", "2024Q4"]
    assert attrs["backtest_errors"] > 50
    # leave-one-period-out coverage of the nominal 80 % interval; Monte Carlo-free, pinned on the demo seed
    assert 0.65 <= attrs["coverage"] <= 0.95
    wider = kt.pacing(data, period="2026Q3", as_of="2026-08-15", level=0.95)
    assert (wider["projected_high"] >= pace["projected_high"]).all()
    assert wider.attrs["coverage"] >= attrs["coverage"]


def test_seasonal_phasing_with_two_earlier_years(data, tables):
    # 2026Q4 has 2025Q4 and 2024Q4 before it: the expected share is their mean share by the same day
    pace = kt.pacing(data, period="2026Q4", as_of="2026-10-31")
    assert pace.attrs["phasing"] == "seasonal"
    assert pace.attrs["phasing_years"] == ["2025Q4", "2024Q4"]
    orders = tables["orders"].assign(at=lambda o: pd.to_datetime(o["ordered_at"]))

    def share(start: str, stop: str, end: str) -> float:
        quarter = orders[(orders["at"] >= start) & (orders["at"] < end)]["amount"].sum()
        return orders[(orders["at"] >= start) & (orders["at"] < stop)]["amount"].sum() / quarter

    expected = (
        share("2025-10-01", "2025-11-01", "2026-01-01") + share("2024-10-01", "2024-11-01", "2025-01-01")
    ) / 2
    assert pace.attrs["expected_share"] == pytest.approx(expected)
    linear = kt.pacing(data, period="2026Q4", as_of="2026-10-31", phasing="linear")
    assert linear.attrs["expected_share"] == pytest.approx(31 / 92)


def test_complete_period_projects_the_actual(data):
    pace = kt.pacing(data, period="2026Q3", as_of="2026-09-30").set_index("manager")
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert pace["to_date"].to_numpy() == pytest.approx(kpis["sales_volume"].to_numpy())
    assert (pace["projected_low"] == pace["projected"]).all() and (
        pace["projected_high"] == pace["projected"]
    ).all()
    missed = kpis["plan_attainment"] < 1
    assert (pace.loc[missed, "status"] == "off track").all()
    assert (pace.loc[~missed, "status"] == "on track").all()


def test_no_target_and_nothing_sold_yet(tiny):
    pace = kt.pacing(tiny, period="2026Q3", as_of="2026-07-02").set_index("manager")
    assert pace.loc["cat", "status"] == "no target" and np.isnan(pace.loc["cat", "target"])
    assert pace.loc["bob", "to_date"] == 0 and pace.loc["bob", "status"] == "at risk"
    assert np.isnan(pace.loc["bob", "projected_high"])


def test_bad_as_of_is_named(data):
    with pytest.raises(kt.ParameterError, match="before 2026Q3 starts"):
        kt.pacing(data, period="2026Q3", as_of="2026-06-30")
    with pytest.raises(kt.ParameterError, match="as_of"):
        kt.pacing(data, period="2026Q3", as_of="soon")
    with pytest.raises(kt.ParameterError, match="level"):
        kt.pacing(data, period="2026Q3", as_of="2026-08-01", level=1.5)
