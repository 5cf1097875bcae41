"""The data-level comparison API (kt.compare_managers and friends) on a small hand-made data set.

Five managers: a, b, c, e in team North, d in South. In 2026Q1 (January-March 2026) a closed 20 leads and won
10, b 30 and 6, c 5 and 1 (below the default min_n of 10), d 12 and 3, e none; a, b and d took orders, c and e
none.
"""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.comparison_amounts import order_amounts
from kpi_toolkit.comparison_inputs import DEFAULT_MIN_N, METRICS
from kpi_toolkit.stats import (
    COMPARISON_COLUMNS,
    DIAGNOSTIC_COLUMNS,
    FUNNEL_COLUMNS,
    GLOBAL_TEST_COLUMNS,
    SHRINK_COLUMNS,
    VERDICTS,
    compare_checks,
    compare_counts,
    compare_rates,
)

CLOSED = {"a": (20, 10), "b": (30, 6), "c": (5, 1), "d": (12, 3)}
AMOUNTS = {
    "a": [100.0, 200.0, 300.0, 400.0, 500.0, 600.0],
    "b": [50.0, 60.0, 70.0, 80.0, 90.0],
    "d": [1000.0, 0.0, 2000.0, 1500.0, 1200.0, 800.0],
}


def _tables() -> dict[str, pd.DataFrame]:
    leads, orders = [], []
    for manager, (closed, won) in CLOSED.items():
        for i in range(closed):
            day = pd.Timestamp("2026-01-05") + pd.Timedelta(days=2 * i)
            status = "won" if i < won else "lost"
            leads.append((f"L-{manager}-{i}", manager, day - pd.Timedelta(days=3), status, day))
    leads.append(("L-a-open", "a", pd.Timestamp("2026-02-01"), "open", pd.NaT))
    leads.append(("L-a-q2", "a", pd.Timestamp("2026-03-20"), "won", pd.Timestamp("2026-04-02")))
    for manager, amounts in AMOUNTS.items():
        for i, amount in enumerate(amounts):
            when = pd.Timestamp("2026-01-10") + pd.Timedelta(days=7 * i)
            orders.append((f"O-{manager}-{i}", manager, f"C-{manager}-{i}", when, amount))
    orders.append(("O-a-late", "a", "C-a-x", pd.Timestamp("2026-04-01 00:00"), 9999.0))  # 2026Q2
    orders.append(("O-a-early", "a", "C-a-y", pd.Timestamp("2025-12-31 23:59"), 9999.0))  # 2025Q4
    managers = pd.DataFrame(
        {
            "manager": ["a", "b", "c", "d", "e"],
            "name": ["Ann", "Bob", "Cat", "Dan", "Eve"],
            "team": ["North", "North", "North", "South", "North"],
        }
    )
    return {
        "orders": pd.DataFrame(
            orders, columns=["order_id", "manager", "customer_id", "ordered_at", "amount"]
        ),
        "leads": pd.DataFrame(leads, columns=["lead_id", "manager", "created_at", "status", "closed_at"]),
        "managers": managers,
    }


@pytest.fixture(scope="module")
def data() -> kt.SalesData:
    return kt.from_frames(**_tables())


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    out.attrs = {}
    return out


def test_conversion_is_tested_on_the_period_s_closed_leads(data):
    table = kt.compare_managers(data, period="2026Q1", metric="conversion")
    assert tuple(table.columns) == COMPARISON_COLUMNS
    assert table["manager"].tolist() == ["a", "b", "c", "d", "e"]
    assert table["n"].tolist() == [20, 30, 5, 12, 0]  # the open lead and the lead closed in April are out
    np.testing.assert_allclose(table["estimate"], [0.5, 0.2, 0.2, 0.25, np.nan])
    # the same as the statistics module on the counts by hand
    counts = pd.DataFrame(
        {"manager": list("abcde"), "successes": [10, 6, 1, 3, 0], "trials": [20, 30, 5, 12, 0]}
    )
    pd.testing.assert_frame_equal(_plain(table), compare_rates(counts))
    assert (
        table.attrs["n_comparisons"] == 3 and table.attrs["min_n"] == 10 and table.attrs["period"] == "2026Q1"
    )


def test_nan_policy_and_insufficient_data(data):
    table = kt.compare_managers(data, period="2026Q1", metric="conversion").set_index("manager")
    for manager in ("c", "e"):  # 5 closed leads (below min_n) and none at all
        row = table.loc[manager]
        assert row["verdict"] == "insufficient data"
        assert row[["p_value", "p_adjusted", "ci_low", "ci_high", "effect_size", "statistic"]].isna().all()
        assert pd.isna(row["test"])
    assert np.isnan(table.loc["e", "estimate"]) and table.loc["c", "estimate"] == 0.2
    assert table.loc["a", "versus_n"] == 30 + 5 + 12  # c's leads stay in the others' rest
    checks = kt.compare_managers(data, period="2026Q1", metric="average_check").set_index("manager")
    assert checks.loc["c", "n"] == 0 and np.isnan(checks.loc["c", "estimate"])
    assert checks.loc["c", "verdict"] == "insufficient data"


def test_average_check_of_the_data_equals_the_raw_amounts(data):
    table = kt.compare_managers(data, period="2026Q1", metric="average_check")
    raw = pd.DataFrame(
        [(m, a) for m, amounts in AMOUNTS.items() for a in amounts], columns=["manager", "amount"]
    )
    # the raw amounts know only a, b and d; c and e have no orders and no verdict
    pd.testing.assert_frame_equal(_plain(table), compare_checks(raw, managers=list("abcde")))
    shown = _plain(table[table["manager"].isin(["a", "b", "d"])].reset_index(drop=True))
    np.testing.assert_allclose(shown["estimate"], [350.0, 70.0, 6500.0 / 6])
    assert table.set_index("manager").loc["d", "n"] == 6  # the zero amount counts as an order
    assert (table["metric"] == "average_check").all()


def test_new_customers_are_poisson_counts(data):
    table = kt.compare_managers(data, period="2026Q1", metric="new_customers")
    assert table["n"].tolist() == [6, 5, 0, 6, 0]
    # active months: a orders and leads in Jan-Mar, b leads to March, c leads in January only, d leads in
    # January and orders to February, e nothing at all
    active = kt.active_months(data, period="2026Q1")
    assert active.tolist() == [3, 3, 1, 2, 0]
    counts = pd.DataFrame({"manager": list("abcde"), "count": [6, 5, 0, 6, 0], "exposure": [3, 3, 1, 2, 0]})
    pd.testing.assert_frame_equal(_plain(table), compare_counts(counts))
    assert table.attrs["min_n"] is None
    assert table.set_index("manager").loc["e", "verdict"] == "insufficient data"  # no activity, no verdict


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("versus", ["rest", "pairwise"])
@pytest.mark.parametrize("p_adjust", ["holm", "bh", "none"])
@pytest.mark.parametrize("reference", ["robust", "all"])
def test_columns_are_fixed_whatever_the_options(data, metric, versus, p_adjust, reference):
    table = kt.compare_managers(
        data, period="2026Q1", metric=metric, versus=versus, p_adjust=p_adjust, reference=reference
    )
    assert tuple(table.columns) == COMPARISON_COLUMNS
    assert len(table) == (5 if versus == "rest" else 10)
    assert table["n"].dtype == "int64" and table["versus_n"].dtype == "int64"
    assert set(table["verdict"]) <= set(VERDICTS)
    assert table.attrs["metric"] == metric and table.attrs["versus"] == versus


def test_a_single_manager_gives_an_empty_table_and_one_warning(data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = kt.compare_managers(data, period="2026Q1", metric="conversion", team="South")
    assert [str(w.message) for w in caught] == [
        "team 'South' has 1 manager(s): nothing to compare, the table is empty. Fix: compare a team with at "
        "least two managers, or all teams (team=None)."
    ]
    assert table.empty and tuple(table.columns) == COMPARISON_COLUMNS
    with pytest.warns(UserWarning, match="nothing to compare"):
        diagnostics = kt.average_check_diagnostics(data, period="2026Q1", team="South")
    assert diagnostics.empty and tuple(diagnostics.columns) == DIAGNOSTIC_COLUMNS


def test_team_filter_compares_only_the_team(data):
    table = kt.compare_managers(data, period="2026Q1", metric="conversion", team="North")
    assert table["manager"].tolist() == ["a", "b", "c", "e"]
    assert table.set_index("manager").loc["a", "versus_n"] == 30 + 5  # d (South) is not in the rest
    assert table.attrs["team"] == "North"
    with pytest.raises(kt.ParameterError, match="team='West' is not a team"):
        kt.compare_managers(data, period="2026Q1", metric="conversion", team="West")


def test_windows_pool_their_months(data):
    q1 = kt.compare_managers(data, period=["2026-01", "2026-02", "2026-03"], metric="conversion")
    assert q1.attrs["period"] == "2026-01:2026-03"
    pd.testing.assert_frame_equal(
        _plain(q1), _plain(kt.compare_managers(data, period="2026Q1", metric="conversion"))
    )
    half = kt.compare_managers(data, period="2026Q1:2026Q2", metric="conversion")
    assert half.attrs["period"] == "2026Q1:2026Q2" and half.set_index("manager").loc["a", "n"] == 21
    odd = kt.compare_managers(data, period=["2026-01", "2026-03"], metric="average_check")
    assert odd.attrs["period"] == "2026-01,2026-03"
    assert (
        kt.compare_managers(data, period=data.period("2026"), metric="conversion").attrs["period"] == "2026"
    )


def test_min_n_default_and_override(data):
    assert DEFAULT_MIN_N == {"conversion": 10, "average_check": 5, "new_customers": None, "margin_rate": 10}
    table = kt.compare_managers(data, period="2026Q1", metric="conversion", min_n=5).set_index("manager")
    assert table.loc["c", "verdict"] != "insufficient data" and table.loc["c", "test"] == "Fisher exact"
    assert table.attrs["n_comparisons"] == 4
    for bad in (0, 2.5, True, "10"):
        with pytest.raises(kt.ParameterError, match="min_n="):
            kt.compare_managers(data, period="2026Q1", metric="conversion", min_n=bad)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"metric": "revenue"}, "metric='revenue' cannot be compared"),
        ({"metric": "conversion", "period": "2026Q5"}, "period='2026Q5' is not a period label"),
        ({"metric": "conversion", "alpha": 2}, "alpha=2 is outside"),
        ({"metric": "conversion", "versus": "all"}, "versus='all' is not allowed"),
        ({"metric": "conversion", "p_adjust": "bonferroni"}, "p_adjust='bonferroni' is not allowed"),
        ({"metric": "conversion", "reference": "median"}, "reference='median' is not allowed"),
    ],
)
def test_bad_parameters_are_named(data, options, message):
    options = {"period": "2026Q1"} | options
    with pytest.raises(kt.ParameterError, match=message):
        kt.compare_managers(data, **options)


def test_conversion_needs_the_leads_table():
    tables = _tables()
    data = kt.from_frames(tables["orders"], managers=tables["managers"])
    for call in (
        lambda: kt.compare_managers(data, period="2026Q1", metric="conversion"),
        lambda: kt.global_test(data, period="2026Q1", metric="conversion"),
        lambda: kt.funnel(data, period="2026Q1"),
        lambda: kt.shrunk_rates(data, period="2026Q1"),
    ):
        with pytest.raises(kt.ParameterError, match="needs the leads table"):
            call()
    assert len(kt.compare_managers(data, period="2026Q1", metric="average_check")) == 5


@pytest.mark.parametrize("metric", METRICS)
def test_global_test_has_fixed_columns(data, metric):
    row = kt.global_test(data, period="2026Q1", metric=metric)
    assert tuple(row.columns) == GLOBAL_TEST_COLUMNS and len(row) == 1
    assert row.attrs == {"metric": metric, "period": "2026Q1", "team": None}
    if metric == "conversion":  # c (5 leads) and e (none) are left out and named
        assert row["n_groups"].iloc[0] == 3 and "c, e" in row["note"].iloc[0]


def test_order_amounts_filter_the_period_and_sample_with_a_seed(data):
    amounts = order_amounts(data, period="2026Q1")
    assert amounts.groupby("manager").size().to_dict() == {"a": 6, "b": 5, "d": 6}
    assert 9999.0 not in amounts["amount"].tolist()  # the orders of 2025-12-31 and 2026-04-01 are out
    assert amounts.attrs["sampled"] == {}
    sample = order_amounts(data, period="2026Q1", max_orders=4, seed=7)
    assert sample.groupby("manager").size().to_dict() == {"a": 4, "b": 4, "d": 4}
    assert sample.attrs["sampled"] == {"a": [6, 4], "b": [5, 4], "d": [6, 4]}
    again = order_amounts(data, period="2026Q1", max_orders=4, seed=7)
    pd.testing.assert_frame_equal(sample, again)
    assert not sample.equals(order_amounts(data, period="2026Q1", max_orders=4, seed=8))
    assert len(order_amounts(data, period="2026Q1", max_orders=None)) == 17
    with pytest.raises(kt.ParameterError, match="max_orders=0"):
        order_amounts(data, period="2026Q1", max_orders=0)


def test_diagnostics_rows_follow_the_primary_table_also_when_sampled(data):
    primary = kt.compare_managers(data, period="2026Q1", metric="average_check", min_n=3)
    diagnostics = kt.average_check_diagnostics(data, period="2026Q1", min_n=3, max_orders=4, n_resamples=200)
    assert tuple(diagnostics.columns) == DIAGNOSTIC_COLUMNS
    assert diagnostics[["manager", "versus"]].equals(primary[["manager", "versus"]])
    assert diagnostics.set_index("manager").loc["a", "n"] == 4  # the sample
    assert len(diagnostics.attrs["notes"]) == 3 and "4 of 6 orders" in diagnostics.attrs["notes"][0]
    tested = diagnostics["mann_whitney_p"].notna()
    assert tested.tolist() == (primary["verdict"] != "insufficient data").tolist()


def test_funnel_and_shrunk_rates(data):
    funnel = kt.funnel(data, period="2026Q1", team="North")
    assert tuple(funnel.columns) == FUNNEL_COLUMNS and funnel["manager"].tolist() == ["a", "b", "c", "e"]
    assert funnel["center"].iloc[0] == pytest.approx(17 / 55)
    assert pd.isna(funnel.set_index("manager").loc["e", "signal"])  # no leads: no signal
    assert funnel.attrs["period"] == "2026Q1" and funnel.attrs["team"] == "North"
    shrunk = kt.shrunk_rates(data, period="2026Q1", method="moments")
    assert tuple(shrunk.columns) == SHRINK_COLUMNS and shrunk.attrs["method"] == "moments"
    assert pd.isna(shrunk.set_index("manager").loc["e", "rank"])
    with pytest.raises(kt.ParameterError, match="metric='average_check' cannot be compared here"):
        kt.funnel(data, period="2026Q1", metric="average_check")
    with pytest.raises(kt.ParameterError, match="metric='new_customers'"):
        kt.shrunk_rates(data, period="2026Q1", metric="new_customers")


def test_plot_funnel_draws_names_literally(data):
    table = kt.funnel(data, period="2026Q1")
    ax = kt.plot_funnel(table, names={"a": "$x$ <b>"}, label="all")
    texts = [t.get_text() for t in ax.texts]
    assert r"\$x\$ <b>" in texts and "Bob" not in texts and len(texts) == 4  # e has no rate to draw
    ax.figure.canvas.draw()  # a "$" drawn as a dollar sign, not parsed as math
    assert table.set_index("manager")["signal"].tolist()[:4] == ["watch", "within", "within", "within"]
    assert [t.get_text() for t in kt.plot_funnel(table, names={"a": "Ann"}).texts] == ["Ann"]  # signals only


def test_top_level_api_is_exported():
    for name in ("compare_managers", "global_test", "average_check_diagnostics", "funnel", "plot_funnel",
                 "shrunk_rates", "active_months"):  # fmt: skip
        assert name in kt.__all__ and callable(getattr(kt, name))


def test_new_customers_per_active_month_spare_a_part_time_rep():
    """a and b win one new customer in each of 24 months; c does the same in the 6 months it worked (2 of
    8 quarters); d never sold. Per period c had 6 against 24 and was called below; per active month it
    wins what the others win, and d, with no activity, gets no verdict."""
    months = pd.date_range("2024-01-01", periods=24, freq="MS")
    rows = [(m, when) for m in ("a", "b") for when in months] + [("c", when) for when in months[9:15]]
    orders = pd.DataFrame(
        {
            "order_id": [f"O{i}" for i in range(len(rows))],
            "manager": [m for m, _ in rows],
            "customer_id": [f"C{i}" for i in range(len(rows))],  # every order a new customer
            "ordered_at": [when + pd.Timedelta(days=3) for _, when in rows],
            "amount": 100.0,
        }
    )
    managers = pd.DataFrame({"manager": list("abcd"), "name": list("ABCD"), "team": "T"})
    data = kt.from_frames(orders=orders, managers=managers)
    assert kt.active_months(data, period="2024Q1:2025Q4").tolist() == [24, 24, 6, 0]
    table = kt.compare_managers(data, period="2024Q1:2025Q4", metric="new_customers").set_index("manager")
    assert table["verdict"].tolist() == ["no difference"] * 3 + ["insufficient data"]
    np.testing.assert_allclose(table["estimate"].iloc[:3], 1.0)
    per_period = compare_counts(pd.DataFrame({"manager": list("abc"), "count": [24, 24, 6]}))
    assert per_period["verdict"].iloc[2] == "below"  # what raw counts said
