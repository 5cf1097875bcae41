"""KPI definitions on the tiny data set (tests/conftest.py), every number worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from tests.conftest import tiny_tables


def test_columns_and_managers_are_fixed(tiny):
    kpis = kt.manager_kpis(tiny, period="2026Q3")
    assert list(kpis.columns) == list(kt.KPI_COLUMNS)
    assert list(kpis.index) == ["ann", "bob", "cat"]
    assert kpis.index.name == "manager"


def test_sales_orders_and_average_check(tiny):
    kpis = kt.manager_kpis(tiny, period="2026Q3")
    # ann: o2 200 + o3 300 + o6 70 (o1 is in June) ; bob: o4 50 + o5 150
    assert kpis.loc["ann", "sales_volume"] == 570.0
    assert kpis.loc["ann", "orders"] == 3
    assert kpis.loc["ann", "average_check"] == pytest.approx(190.0)
    assert kpis.loc["bob", "sales_volume"] == 200.0
    assert kpis.loc["bob", "average_check"] == pytest.approx(100.0)


def test_manager_without_orders_appears_with_zeros_and_nan(tiny):
    cat = kt.manager_kpis(tiny, period="2026Q3").loc["cat"]
    assert cat["sales_volume"] == 0.0 and cat["orders"] == 0 and cat["new_customers"] == 0
    assert math.isnan(cat["average_check"]) and math.isnan(cat["conversion"])
    assert cat["leads_closed"] == 0


def test_leads_count_by_close_date_and_conversion(tiny):
    kpis = kt.manager_kpis(tiny, period="2026Q3")
    # ann closed L1 (won, 07-04) and L2 (lost, 07-20); L3 is open
    assert (kpis.loc["ann", "leads_closed"], kpis.loc["ann", "leads_won"]) == (2, 1)
    assert kpis.loc["ann", "conversion"] == 0.5
    # bob closed L4 in June and L5 in October: nothing in Q3, so conversion is NaN, not 0
    assert kpis.loc["bob", "leads_closed"] == 0
    assert math.isnan(kpis.loc["bob", "conversion"])
    assert kt.manager_kpis(tiny, period="2026Q4").loc["bob", "conversion"] == 1.0


def test_period_without_leads_and_data_without_leads_table():
    tables = tiny_tables()
    no_leads = kt.from_frames(tables["orders"], plans=tables["plans"], managers=tables["managers"])
    kpis = kt.manager_kpis(no_leads, period="2026Q3")
    assert kpis[["leads_closed", "leads_won", "conversion"]].isna().all().all()
    assert kpis.loc["ann", "sales_volume"] == 570.0


def test_new_customers_first_order_in_whole_history(tiny):
    q3 = kt.manager_kpis(tiny, period="2026Q3")
    # c1's first order (o1) precedes Q3, so c1 is not new in Q3; c2 is ann's new customer
    assert q3.loc["ann", "new_customers"] == 1
    # c4 ordered from bob (o5) and ann (o6) at the same minute: the tie goes to order_id "o5" < "o6"
    assert q3.loc["bob", "new_customers"] == 2
    assert kt.manager_kpis(tiny, period="2026Q2").loc[["ann", "cat"], "new_customers"].tolist() == [1, 1]


def test_monthly_plans_roll_up_to_quarter_and_attainment(tiny):
    kpis = kt.manager_kpis(tiny, period="2026Q3")
    assert kpis.loc["ann", "sales_plan"] == 600.0  # 200 + 200 + 200 from months
    assert kpis.loc["ann", "plan_attainment"] == pytest.approx(570 / 600)
    assert kpis.loc["bob", "sales_plan"] == 400.0
    assert kpis.loc["bob", "plan_attainment"] == 0.5
    assert math.isnan(kpis.loc["cat", "sales_plan"]) and math.isnan(kpis.loc["cat", "plan_attainment"])


def test_month_plan_and_quarter_plan_never_split(tiny):
    july = kt.manager_kpis(tiny, period="2026-07")
    assert july.loc["ann", "sales_plan"] == 200.0
    assert math.isnan(july.loc["bob", "sales_plan"])  # bob's quarter target is not split into months


def test_year_rolls_up_only_when_every_quarter_has_a_target():
    tables = tiny_tables()
    quarters = pd.DataFrame(
        [("bob", q, "sales_volume", 100.0) for q in ("2026Q1", "2026Q2", "2026Q4")],
        columns=["manager", "period", "metric", "target"],
    )
    data = kt.from_frames(**{**tables, "plans": pd.concat([tables["plans"], quarters])})
    assert kt.manager_kpis(data, period="2026").loc["bob", "sales_plan"] == 700.0
    assert math.isnan(kt.manager_kpis(data, period="2026").loc["ann", "sales_plan"])


def test_quarter_target_differing_from_months_is_an_error():
    tables = tiny_tables()
    extra = pd.DataFrame([("ann", "2026Q3", "sales_volume", 650.0)], columns=tables["plans"].columns)
    with pytest.raises(kt.DataValidationError, match=r"2026Q3 is 650 but its months' targets add up to 600"):
        kt.from_frames(**{**tables, "plans": pd.concat([tables["plans"], extra])})
    consistent = pd.DataFrame([("ann", "2026Q3", "sales_volume", 600.0)], columns=tables["plans"].columns)
    data = kt.from_frames(**{**tables, "plans": pd.concat([tables["plans"], consistent])})
    assert kt.manager_kpis(data, period="2026Q3").loc["ann", "sales_plan"] == 600.0


def test_team_filter(tiny):
    assert list(kt.manager_kpis(tiny, period="2026Q3", team="North").index) == ["ann", "bob"]
    with pytest.raises(kt.ParameterError, match="Known teams: North, South"):
        kt.manager_kpis(tiny, period="2026Q3", team="West")


def test_kpi_history_is_stacked_in_time_order(tiny):
    history = kt.kpi_history(tiny, periods="2026Q2:2026Q3")
    assert list(history.index.names) == ["manager", "period"]
    assert history.loc[("ann", "2026Q2"), "sales_volume"] == 100.0
    assert history.loc[("ann", "2026Q3"), "sales_volume"] == 570.0
    assert list(history.columns) == list(kt.KPI_COLUMNS)
    assert history.index.get_level_values("period").tolist()[:2] == ["2026Q2", "2026Q3"]


def test_kpi_change_absolute_relative_and_pp(tiny):
    change = kt.kpi_change(tiny, period="2026Q3", versus="previous").set_index(["manager", "metric"])
    assert list(change.columns) == list(kt.kpis.CHANGE_COLUMNS)[2:]
    ann_volume = change.loc[("ann", "sales_volume")]
    assert (ann_volume["value"], ann_volume["reference_value"]) == (570.0, 100.0)
    assert ann_volume["absolute_change"] == 470.0 and ann_volume["relative_change"] == pytest.approx(4.7)
    assert np.isnan(ann_volume["pp_change"])
    bob_conv = change.loc[("bob", "conversion")]  # Q2: 0 of 1; Q3: no closed leads
    assert bob_conv["reference_value"] == 0.0 and np.isnan(bob_conv["pp_change"])
    cat_volume = change.loc[("cat", "sales_volume")]  # 80 in Q2, 0 in Q3
    assert cat_volume["relative_change"] == -1.0
    last_year = kt.kpi_change(tiny, period="2026Q3", versus="last_year")
    assert set(last_year["reference_period"]) == {"2025Q3"}
    with pytest.raises(kt.ParameterError, match="versus"):
        kt.kpi_change(tiny, period="2026Q3", versus="lastyear")


def test_pp_change_of_rates(tiny):
    change = kt.kpi_change(tiny, period="2026Q4", versus="previous").set_index(["manager", "metric"])
    # ann's attainment: Q4 has no plan -> NaN; bob's conversion Q4 1.0 against NaN in Q3
    assert np.isnan(change.loc[("bob", "conversion"), "pp_change"])
    two = kt.kpi_change(tiny, period="2026Q3", versus="previous").set_index(["manager", "metric"])
    assert np.isnan(two.loc[("ann", "plan_attainment"), "absolute_change"])


def test_year_to_date(tiny):
    ytd = kt.year_to_date_kpis(tiny, period="2026Q3")
    assert ytd.loc["ann", "sales_volume"] == 670.0  # 100 (June) + 570
    assert math.isnan(ytd.loc["ann", "sales_plan"])  # Q1 and Q2 have no target


def test_money_is_summed_unrounded():
    orders = pd.DataFrame(
        {
            "order_id": [str(i) for i in range(3)],
            "manager": ["a"] * 3,
            "customer_id": ["c"] * 3,
            "ordered_at": ["2026-07-01"] * 3,
            "amount": [0.1, 0.2, 0.3333333333],
        }
    )
    kpis = kt.manager_kpis(kt.from_frames(orders), period="2026Q3")
    assert kpis.loc["a", "sales_volume"] == pytest.approx(0.6333333333, abs=1e-12)


def test_fiscal_year(tiny_tables_fixture):
    data = kt.from_frames(**tiny_tables_fixture, fiscal_year_start=7)
    # with a July fiscal year, 2027Q1 is July-September 2026
    fiscal = kt.manager_kpis(data, period="2027Q1")
    calendar = kt.manager_kpis(kt.from_frames(**tiny_tables()), period="2026Q3")
    pd.testing.assert_series_equal(fiscal["sales_volume"], calendar["sales_volume"])
