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
    assert pace["manager"].tolist() == data.managers_of(None, period=data.period("2026Q3"))  # not the leaver
    assert set(pace["status"]) <= set(PACING_STATUSES)
    # 46 of the quarter's 92 days have passed; only one earlier 2026Q3-like year (2025Q3): linear
    assert pace.attrs["phasing"] == "linear" and pace.attrs["expected_share"] == pytest.approx(46 / 92)
    # the joiner M15 (hired 10 August, target Aug + Sep 392,000) is paced over those 61 days: 15 of them
    share = np.where(pace["manager"] == "M15", 15 / 61, 0.5)
    assert pace.attrs["expected_share_by_manager"] == {"M15": pytest.approx(15 / 61)}
    assert pace["expected_to_date"].to_numpy() == pytest.approx(pace["target"].to_numpy() * share)
    assert pace["projected"].to_numpy() == pytest.approx(pace["to_date"].to_numpy() / share)
    sold = pace["manager"] != "M15"  # the joiner has sold nothing yet: a run rate of 0 has no interval
    assert (pace["projected_low"] <= pace["projected"])[sold].all() and (
        pace["projected"] <= pace["projected_high"]
    )[sold].all()
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
    returns = tables["returns"]  # returns of the orders left out go with them
    returns = returns[
        returns["order_id"].isin(cut["order_id"])
        & (pd.to_datetime(returns["returned_at"]) < pd.Timestamp(as_of) + pd.Timedelta(days=1))
    ]
    truncated = kt.from_frames(**{**tables, "orders": cut, "returns": returns})
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
    # the joiner M15 (hired 10 August) has sold nothing yet: a run rate of 0 has no interval
    assert pace.loc[pace["projected_high"].isna(), "manager"].tolist() == ["M15"]
    assert (wider["projected_high"] >= pace["projected_high"])[pace["projected_high"].notna()].all()
    assert wider.attrs["coverage"] >= attrs["coverage"]


def test_seasonal_phasing_with_two_earlier_years(data, tables):
    # 2026Q4 has 2025Q4 and 2024Q4 before it: the expected share is their mean share by the same day
    pace = kt.pacing(data, period="2026Q4", as_of="2026-10-31")
    assert pace.attrs["phasing"] == "seasonal"
    assert pace.attrs["phasing_years"] == ["2025Q4", "2024Q4"]
    orders = tables["orders"].assign(at=lambda o: pd.to_datetime(o["ordered_at"]))
    orders = orders[orders["manager"] != "M16"]  # the managers of 2026Q4: not the leaver

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
    assert (pace["projected"] == pace["to_date"]).all()
    # a finished period is met or missed: no projection, no interval of zero width
    assert pace[["projected_low", "projected_high"]].isna().all().all()
    missed = kpis["plan_attainment"] < 1
    assert (pace.loc[missed, "status"] == "missed").all()
    assert (pace.loc[~missed, "status"] == "met").all()


def test_no_target_and_nothing_sold_yet(tiny):
    pace = kt.pacing(tiny, period="2026Q3", as_of="2026-07-02").set_index("manager")
    assert pace.loc["cat", "status"] == "no target" and np.isnan(pace.loc["cat", "target"])
    # nothing sold and no earlier period to say how many orders were due by now: at risk, not off track
    assert pace.loc["bob", "to_date"] == 0 and pace.loc["bob", "status"] == "at risk"
    assert np.isnan(pace.loc["bob", "projected_high"])


def test_bad_as_of_is_named(data):
    with pytest.raises(kt.ParameterError, match="before 2026Q3 starts"):
        kt.pacing(data, period="2026Q3", as_of="2026-06-30")
    with pytest.raises(kt.ParameterError, match="as_of"):
        kt.pacing(data, period="2026Q3", as_of="soon")
    with pytest.raises(kt.ParameterError, match="level"):
        kt.pacing(data, period="2026Q3", as_of="2026-08-01", level=1.5)


# --- calibration per volume and a monotone status (issue 22, point 7) ------------------------------------


def _team(rng, *, low=8, high=4, quarters=12):
    """``low`` managers expecting 8 orders a quarter, ``high`` expecting 40-150; log-normal amounts (log sd
    1.0), each manager-quarter's rate shaken by a log-normal shock (sd 0.1); plans at the expected volume."""
    lam = np.r_[np.full(low, 8.0), rng.uniform(40, 150, high)]
    names = [f"m{i:02d}" for i in range(len(lam))]
    quarters_ = pd.period_range("2023Q1", periods=quarters, freq="Q")
    frames = []
    for q in quarters_:
        days = (q.end_time.normalize() - q.start_time).days + 1
        n = rng.poisson(lam * np.exp(rng.normal(-0.005, 0.1, len(lam))))
        who = np.repeat(np.arange(len(lam)), n)
        frames.append(
            pd.DataFrame(
                {
                    "manager": np.array(names)[who],
                    "ordered_at": q.start_time + pd.to_timedelta(rng.integers(0, days, n.sum()), unit="D"),
                    "amount": rng.lognormal(7.0, 1.0, n.sum()),
                }
            )
        )
    orders = pd.concat(frames, ignore_index=True)
    orders = orders.assign(order_id=np.arange(len(orders)).astype(str), customer_id="c")
    plans = pd.DataFrame(
        [
            (m, str(q), "sales_volume", rate * np.exp(7.5))
            for q in quarters_
            for m, rate in zip(names, lam, strict=True)
        ],
        columns=["manager", "period", "metric", "target"],
    )
    return kt.from_frames(orders, plans=plans), [str(q) for q in quarters_]


@pytest.mark.slow
def test_simulation_interval_covers_a_low_volume_manager_near_nominal():
    # 4 teams (seed 12) x the last 5 quarters judged on day 45 with 7-11 earlier quarters as backtest:
    # 8 managers expecting 8 orders a quarter (about 4 by day 45), 4 expecting 40-150. Coverage of the
    # final volume by the nominal 80 % interval, where one is given (something sold): low-volume managers
    # 0.80 of 153 (Monte Carlo se 0.032, tolerance 0.10); seeds 11-14 gave 0.73, 0.80, 0.79, 0.77 (0.77 of
    # 624); high-volume 0.79-0.86. The interval pooled over managers (before issue 22) covered the
    # low-volume managers 0.66 and the others 0.99 in the same runs.
    rng = np.random.default_rng(12)
    low_hits, high_hits = [], []
    for _ in range(4):
        data, quarters = _team(rng)
        orders = data.orders
        for label in quarters[7:]:
            p = data.period(label)
            pace = kt.pacing(data, period=p, as_of=p.start + pd.Timedelta(days=44), phasing="linear")
            inside_p = (orders["ordered_at"] >= p.start) & (orders["ordered_at"] < p.end)
            final = (
                orders[inside_p].groupby("manager")["amount"].sum().reindex(pace["manager"], fill_value=0.0)
            )
            final = final.to_numpy()
            given = pace["projected_low"].notna().to_numpy()
            inside = (final >= pace["projected_low"].to_numpy()) & (
                final <= pace["projected_high"].to_numpy()
            )
            low_hits += list(inside[:8][given[:8]])
            high_hits += list(inside[8:][given[8:]])
            assert set(pace.attrs["coverage_by_orders"]) == {"under 5", "5 to 19", "20 or more"}
    assert np.mean(low_hits) == pytest.approx(0.8, abs=0.10)
    assert np.mean(high_hits) == pytest.approx(0.8, abs=0.12)


def test_status_is_monotone_in_the_volume_to_date():
    # One manager's orders to date in the current quarter replaced by 0, 1, 2, ... orders: the status never
    # improves when less is sold (nothing sold is never better than a little sold).
    data, quarters = _team(np.random.default_rng(5), low=2, high=2, quarters=8)
    orders = data.orders
    p = data.period(quarters[-1])
    as_of = p.start + pd.Timedelta(days=44)
    mine = (orders["manager"] == "m02") & (orders["ordered_at"] >= p.start)
    base = orders[~mine]
    rank = {"off track": 0, "at risk": 1, "on track": 2}
    statuses = []
    for k in (0, 1, 2, 5, 10, 20, 40, 80, 160):
        extra = pd.DataFrame(
            {
                "manager": "m02",
                "ordered_at": p.start + pd.Timedelta(days=1),
                "amount": 1500.0,
                "order_id": [f"x{i}" for i in range(k)],
                "customer_id": "c",
            }
        )
        tables = {"orders": pd.concat([base, extra], ignore_index=True), "plans": data.plans}
        pace = kt.pacing(kt.from_frames(**tables), period=p, as_of=as_of).set_index("manager")
        statuses.append(pace.loc["m02", "status"])
    ranks = [rank[s] for s in statuses]
    assert ranks == sorted(ranks), statuses
    assert statuses[0] == "off track" and statuses[-1] == "on track"


@pytest.mark.parametrize("as_of", ["2026-07-20", "2026-08-15", "2026-09-10"])
def test_pipeline_projection_backtest_coverage_near_nominal_on_the_demo(data, as_of):
    # Leave-one-period-out coverage of the nominal 80 % pipeline interval over the demo's 7 earlier
    # quarters x 14 managers (98 errors; binomial se ~0.04): 0.74, 0.81, 0.77 at these days.
    pace = kt.pacing(data, period="2026Q3", as_of=as_of, level=0.8)
    assert len(pace.attrs["pipeline_backtest_periods"]) == 7
    assert pace.attrs["pipeline_coverage"] == pytest.approx(0.8, abs=0.10)
    assert set(pace["status_from"]) <= {"run rate", "pipeline"} and pace["status_from"].nunique() == 1
    assert pace.attrs["status_from"] == pace["status_from"].iloc[0]
    inside = (pace["pipeline_low"] <= pace["pipeline_projected"]) & (
        pace["pipeline_projected"] <= pace["pipeline_high"]
    )
    # the joiner M15 (hired 10 August) is not listed on 20 July; later she has open leads: an interval
    assert ("M15" in set(pace["manager"])) == (as_of != "2026-07-20")
    assert pace.loc[~inside, "manager"].tolist() == []
    inside |= pace["pipeline_low"].isna()
    assert inside.all() and (pace["pipeline_projected"] >= pace["to_date"]).all()


def test_status_follows_the_projection_it_names(data):
    for as_of in ("2026-07-20", "2026-08-15"):
        pace = kt.pacing(data, period="2026Q3", as_of=as_of)
        prefix = "pipeline_" if pace.attrs["status_from"] == "pipeline" else ""
        point = pace[f"{prefix}projected" if prefix else "projected"]
        high = pace[f"{prefix}high" if prefix else "projected_high"]
        has_target = pace["target"].notna()
        assert ((pace["status"] == "on track") == (point >= pace["target"]))[has_target].all()
        off = pace["status"] == "off track"
        assert (high[off] < pace["target"][off]).all()


def test_pipeline_projection_uses_nothing_after_as_of(tables):
    # The leads table as it stood at the end of as_of: later leads gone, leads closed later open again.
    as_of = pd.Timestamp("2026-08-15")
    cut = as_of + pd.Timedelta(days=1)
    leads = tables["leads"].copy()
    leads = leads[leads["created_at"] < cut]
    later = leads["closed_at"] >= cut
    leads.loc[later, "status"] = "open"
    leads.loc[later, "closed_at"] = pd.NaT
    orders = tables["orders"][pd.to_datetime(tables["orders"]["ordered_at"]) < cut]
    orders = orders.assign(lead_id=orders["lead_id"].where(orders["lead_id"].isin(leads["lead_id"])))
    acts = tables["activities"][tables["activities"]["lead_id"].isin(leads["lead_id"])]
    returns = tables["returns"]
    returns = returns[returns["order_id"].isin(orders["order_id"]) & (returns["returned_at"] < cut)]
    then = kt.from_frames(
        **{**tables, "orders": orders, "leads": leads, "activities": acts, "returns": returns}
    )
    full = kt.pacing(kt.from_frames(**tables), period="2026Q3", as_of=as_of)
    pd.testing.assert_frame_equal(kt.pacing(then, period="2026Q3", as_of=as_of), full)


def test_without_leads_the_status_comes_from_the_run_rate(tables):
    data = kt.from_frames(
        tables["orders"].drop(columns="lead_id"),
        plans=tables["plans"],
        managers=tables["managers"],
        assignments=tables["assignments"],
    )
    pace = kt.pacing(data, period="2026Q3", as_of="2026-08-15")
    assert pace["pipeline_projected"].isna().all() and (pace["status_from"] == "run rate").all()
    assert np.isnan(pace.attrs["pipeline_coverage"])
    done = kt.pacing(data, period="2026Q3", as_of="2026-09-30")
    assert (done["status_from"] == "actual").all() and done["pipeline_projected"].isna().all()
