"""The customer bridge and the customers behind it: golden values on hand-made orders, the identity
``new + lost + increased + decreased == actual - baseline``, and the same numbers on every engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.customers import BRIDGE_COLUMNS, BRIDGE_PARTS, CUSTOMER_CHANGE_COLUMNS


def _orders(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [str(i) for i in range(1, len(rows) + 1)],
            "manager": [r[0] for r in rows],
            "customer_id": [r[1] for r in rows],
            "ordered_at": [r[2] for r in rows],
            "amount": [r[3] for r in rows],
        }
    )


#: ann: "new" buys only in Q3 (70 + 30), "gone" only in Q2 (250), "grown" 100 -> 175, "shrunk" 400 -> 150,
#: "flat" 60 -> 60 (two orders); bob: "moved" left ann for bob (ann 90 in Q2, bob 90 in Q3), and a zero-amount
#: order of "zero" in Q2 makes it a customer of both periods (0 -> 40: increased, not new).
#: cid has no order in either period. Q1 orders (the year before is not asked) must be ignored.
GOLDEN = _orders(
    [
        ("ann", "new", "2026-07-02", 70.0),
        ("ann", "new", "2026-09-30", 30.0),
        ("ann", "gone", "2026-05-15", 250.0),
        ("ann", "grown", "2026-04-01", 100.0),
        ("ann", "grown", "2026-08-01", 175.0),
        ("ann", "shrunk", "2026-06-30", 400.0),
        ("ann", "shrunk", "2026-07-31", 150.0),
        ("ann", "flat", "2026-04-20", 60.0),
        ("ann", "flat", "2026-07-20", 25.0),
        ("ann", "flat", "2026-08-20", 35.0),
        ("ann", "moved", "2026-06-01", 90.0),
        ("bob", "moved", "2026-08-01", 90.0),
        ("bob", "zero", "2026-05-01", 0.0),
        ("bob", "zero", "2026-07-01", 40.0),
        ("ann", "early", "2026-02-01", 1000.0),
        ("cid", "early", "2026-01-05", 5.0),
    ]
)


@pytest.fixture(scope="module")
def golden() -> kt.SalesData:
    return kt.from_frames(GOLDEN)


def test_golden_bridge_by_hand(golden):
    bridge = kt.customer_bridge(golden, period="2026Q3", versus="previous")
    assert bridge.columns.tolist() == list(BRIDGE_COLUMNS)
    assert bridge["manager"].tolist() == ["ann", "bob", "cid", "TOTAL"]
    rows = bridge.set_index("manager")
    # ann: baseline 250 + 100 + 400 + 60 + 90 = 900; actual 100 + 175 + 150 + 60 = 485
    assert rows.loc["ann"].tolist() == [900.0, 100.0, -340.0, 75.0, -250.0, 485.0]
    # bob: baseline 0 (zero's order of 0); actual 90 + 40
    assert rows.loc["bob"].tolist() == [0.0, 90.0, 0.0, 40.0, 0.0, 130.0]
    assert rows.loc["cid"].tolist() == [0.0] * 6
    assert rows.loc["TOTAL"].tolist() == [900.0, 190.0, -340.0, 115.0, -250.0, 615.0]
    parts = bridge[list(BRIDGE_PARTS)].sum(axis=1)
    assert (parts == bridge["actual"] - bridge["baseline"]).all()  # whole amounts: exactly
    assert bridge.attrs["reference"] == "previous: 2026Q2"


def test_the_bridge_matches_the_kpis(golden):
    kpis = kt.manager_kpis(golden, period="2026Q3")
    before = kt.manager_kpis(golden, period="2026Q2")
    rows = kt.customer_bridge(golden, period="2026Q3").set_index("manager").drop(index="TOTAL")
    assert rows["actual"].tolist() == kpis["sales_volume"].tolist()
    assert rows["baseline"].tolist() == before["sales_volume"].tolist()


def test_last_year_and_a_baseline_the_data_does_not_cover(golden):
    bridge = kt.customer_bridge(golden, period="2026Q3", versus="last_year")
    assert bridge.attrs["reference_period"] == "2025Q3"
    assert "not covered by the data" in bridge.attrs["reference"]
    assert bridge[["baseline", *BRIDGE_PARTS]].isna().all().all()
    assert bridge["actual"].tolist() == [485.0, 130.0, 0.0, 615.0]


def test_golden_changes(golden):
    changes = kt.customer_changes(golden, period="2026Q3", n=3)
    assert changes.columns.tolist() == list(CUSTOMER_CHANGE_COLUMNS)
    got = list(changes[["manager", "customer_id", "kind", "change"]].itertuples(index=False, name=None))
    assert got == [
        ("ann", "new", "new", 100.0),
        ("bob", "moved", "new", 90.0),
        ("ann", "grown", "increased", 75.0),
        ("ann", "gone", "lost", -250.0),
        ("ann", "shrunk", "decreased", -250.0),
        ("ann", "moved", "lost", -90.0),
    ]
    one = kt.customer_changes(golden, period="2026Q3", manager="bob")
    assert one["customer_id"].tolist() == ["moved", "zero"] and one["kind"].tolist() == ["new", "increased"]


def test_changes_sum_to_the_bridge(golden):
    changes = kt.customer_changes(golden, period="2026Q3", n=100)
    bridge = kt.customer_bridge(golden, period="2026Q3").set_index("manager")
    assert changes["change"].sum() == bridge.loc["TOTAL", "actual"] - bridge.loc["TOTAL", "baseline"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"versus": "plan"}, "versus='plan' is not allowed"),
        ({"period": "2027Q1"}, "starts after the data's last date"),
        ({"manager": "zoe"}, "manager='zoe' is not a manager"),
        ({"n": 0}, "n=0 must be a positive whole number"),
    ],
)
def test_bad_options_say_how_to_fix(golden, options, message):
    with pytest.raises(kt.ParameterError, match=message):
        kt.customer_changes(golden, **{"period": "2026Q3", **options})


def test_float_amounts_add_up_to_rounding(rng):
    n = 4000
    orders = pd.DataFrame(
        {
            "order_id": [str(i) for i in range(n)],
            "manager": rng.choice(["a", "b", "c"], n),
            "customer_id": [f"c{i}" for i in rng.integers(0, 300, n)],
            "ordered_at": pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 270, n), unit="D"),
            "amount": np.round(rng.lognormal(6, 1.2, n), 2),
        }
    )
    bridge = kt.customer_bridge(kt.from_frames(orders), period="2026Q3")
    change = bridge["actual"] - bridge["baseline"]
    np.testing.assert_allclose(bridge[list(BRIDGE_PARTS)].sum(axis=1), change, rtol=0, atol=1e-9 * 1e6)
    assert (bridge["new"] > 0).all() and (bridge["lost"] < 0).all()


def test_the_demo_bridge_by_team(demo):
    """North's members of 2026Q3 or 2026Q2 with their orders in North: the mover M13 (in North from 17
    August) with her part, as manager_kpis(team="North") counts it, and the leaver M16 (left in May) with
    nothing in 2026Q3 and the customers lost since."""
    bridge = kt.customer_bridge(demo, period="2026Q3", team="North")
    members = [*(f"M0{i}" for i in range(1, 8)), "M13", "M16"]
    assert bridge["manager"].tolist() == [*members, "TOTAL"]
    kpis = kt.manager_kpis(demo, period="2026Q3", team="North").reindex(members, fill_value=0.0)
    np.testing.assert_allclose(bridge["actual"].iloc[:-1], kpis["sales_volume"], rtol=1e-12)
    m16 = bridge.set_index("manager").loc["M16"]
    assert m16["actual"] == 0 and m16["lost"] == -m16["baseline"] < 0
    parts = bridge[list(BRIDGE_PARTS)].sum(axis=1)
    np.testing.assert_allclose(parts, bridge["actual"] - bridge["baseline"], rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_the_same_bridge_and_changes_on_every_engine(demo_on, engine):
    lazy, eager = demo_on(engine), demo_on("pandas")
    for versus in ("previous", "last_year"):
        got = kt.customer_bridge(lazy, period="2026Q3", versus=versus)
        want = kt.customer_bridge(eager, period="2026Q3", versus=versus)
        assert got["manager"].tolist() == want["manager"].tolist()
        for column in BRIDGE_COLUMNS[1:]:
            np.testing.assert_allclose(got[column], want[column], rtol=1e-9, atol=1e-6)
    got = kt.customer_changes(lazy, period="2026Q3", manager="M10", n=5)
    want = kt.customer_changes(eager, period="2026Q3", manager="M10", n=5)
    pd.testing.assert_frame_equal(got, want, rtol=1e-9)


def test_the_bridge_figure_and_its_errors():
    import matplotlib.pyplot as plt

    from kpi_toolkit.figures import plot_customer_bridge

    bridge = kt.customer_bridge(kt.from_frames(GOLDEN), period="2026Q3")
    ax = plot_customer_bridge(bridge, manager="ann")
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [900.0, 100.0, -340.0, 75.0, -250.0, 485.0]
    with pytest.raises(kt.ParameterError, match="manager='zoe' is not in the bridge"):
        plot_customer_bridge(bridge, manager="zoe")
    plt.close("all")


def test_the_bridge_section_in_english_and_russian(demo):
    from kpi_toolkit.report import translator
    from kpi_toolkit.report.customer_views import customer_bridge_section

    bridge = kt.customer_bridge(demo, period="2026Q3", team="South")
    names = {"M10": "James <b>Carter</b>"}
    en = customer_bridge_section(bridge, translator("en"), names=names)
    ru = customer_bridge_section(bridge, translator("ru", currency="RUB"), names=names, manager="M10")
    total = bridge.set_index("manager").loc["TOTAL"]
    assert "The customers behind the change" in en and "The team: against 2026Q2" in en
    assert f"{total['actual']:,.0f}" in en and "James &lt;b&gt;Carter&lt;/b&gt;" in en
    assert (
        "Клиенты, стоящие за изменением" in ru
        and "James &lt;b&gt;Carter&lt;/b&gt;: по сравнению с периодом 2 кв. 2026" in ru
    )
    assert "The team" not in ru and "Команда" in ru  # the footer row
    assert 'alt="Waterfall chart of the customers behind the change, The team: 2026Q2' in en
    assert "Каскадная диаграмма клиентов" in ru and "<svg" not in ru.split("<img")[0]
