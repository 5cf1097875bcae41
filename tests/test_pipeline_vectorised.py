"""The vectorised open book (every manager at once) equals the manager-by-manager loop it replaced
(tests/pipeline_loops.py) bit for bit: on the demo (kt.pipeline, and kt.pacing against a pipeline projection
that runs the loop a day at a time) and on a random data set of
50 managers with the edge cases (no leads, no closed, no won, no open leads, missing expected amounts, leads
with and without stages, ties in the days, managers with 10 won or more)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pipeline_loops import open_book as open_book_loops
from pipeline_loops import pipeline_projection_by_day

import kpi_toolkit as kt
import kpi_toolkit.pacing_pipeline as pacing_pipeline
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.pipeline import open_book

STAGES = ["Qualified", "Proposal", "Negotiation", "Contract"]


def _same_book(data, managers, day, **options):
    new = open_book(data, managers, day, **options)
    old = open_book_loops(data, managers, day, **options)
    assert new.valued_by_average == old.valued_by_average
    pd.testing.assert_frame_equal(new.leads, old.leads, check_exact=True)
    return new


def _random_data(seed: int = 13):
    rng = np.random.default_rng(seed)
    managers = [f"m{i:02d}" for i in range(50)]
    start = pd.Timestamp("2025-01-01")
    rows = []
    for i, manager in enumerate(managers):
        if i == 0:
            continue  # no leads at all
        n = int(rng.integers(1, 80)) if i > 5 else 25
        created = start + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
        if i % 7 == 0:  # some leads created at a time of day: ages and cycles that are not whole days
            created = created + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
        cycle = pd.to_timedelta(rng.integers(0, 120, n), unit="D")
        status = rng.choice(["won", "lost", "open"], n, p=[0.35, 0.4, 0.25])
        if i == 1:
            status[:] = "open"  # no closed leads
        elif i == 2:
            status = np.where(status == "won", "lost", status)  # no won leads
        elif i == 3:
            status = np.where(status == "open", "won", status)  # no open leads
        elif i == 4:
            status[:20] = "won"  # enough won for a cycle of its own
        closed = pd.Series(created + cycle).where(status != "open")
        amount = rng.uniform(100.0, 5_000.0, n).round(2)
        amount[rng.random(n) < 0.3] = np.nan  # missing expected amounts
        stage = rng.choice([*STAGES, None], n, p=[0.25, 0.2, 0.2, 0.15, 0.2])
        if i == 5:
            stage[:] = None  # no stage recorded
        for k in range(n):
            rows.append((f"L{i}_{k}", manager, created[k], status[k], closed.iloc[k], amount[k], stage[k]))
    leads = pd.DataFrame(
        rows, columns=["lead_id", "manager", "created_at", "status", "closed_at", "expected_amount", "stage"]
    )
    last = leads["created_at"].max()
    leads["closed_at"] = leads["closed_at"].where(leads["closed_at"] <= last)
    leads.loc[leads["closed_at"].isna(), "status"] = "open"
    n_orders = 3_000
    orders = pd.DataFrame(
        {
            "order_id": [f"o{k}" for k in range(n_orders)],
            "manager": rng.choice(managers[1:], n_orders),
            "customer_id": [f"c{k % 400}" for k in range(n_orders)],
            "ordered_at": start + pd.to_timedelta(rng.integers(0, 600, n_orders), unit="D"),
            "amount": rng.uniform(10.0, 2_000.0, n_orders).round(2),
        }
    )
    orders.loc[0, "ordered_at"] = last  # the data's last day is the leads' last day (stages usable there)
    plans = pd.DataFrame(
        [(m, "2026Q3", "sales_volume", 50_000.0) for m in managers],
        columns=["manager", "period", "metric", "target"],
    )
    return kt.from_frames(orders, leads=leads, plans=plans, stages=STAGES), managers


@pytest.fixture(scope="module")
def random_data():
    return _random_data()


@pytest.mark.parametrize("chance_by", ["auto", "age"])
@pytest.mark.parametrize("within_days", [None, 30.0, 0.0])
@pytest.mark.parametrize("when", ["last", "past"])
@pytest.mark.parametrize("history_days", [365, 90])
def test_open_book_equals_the_loop_on_random_leads(random_data, chance_by, within_days, when, history_days):
    data, managers = random_data
    last = data.last_date.normalize()
    day = last if when == "last" else last - pd.Timedelta(days=150)
    book = _same_book(
        data,
        managers,
        day,
        history_days=history_days,
        chance_by=chance_by,
        within_days=within_days,
        prior_leads=5,
    )
    if when == "last" and chance_by == "auto":
        assert book.leads["by_stage"].any()  # the stage branch is exercised


def test_open_book_equals_the_loop_for_a_subset_and_an_unknown_manager(random_data):
    data, _ = random_data
    day = data.last_date.normalize()
    _same_book(data, ["m03", "m00", "m01", "m02", "m04", "m48"], day, within_days=12.5)
    _same_book(data, ["m00"], day)
    _same_book(data, [], day)


@pytest.fixture(scope="module")
def demo():
    return kt.from_frames(**make_demo_data())


def test_open_book_and_pipeline_equal_the_loop_on_the_demo(demo):
    managers = demo.managers_of(None)
    for day in (demo.last_date.normalize(), pd.Timestamp("2026-05-15")):
        _same_book(demo, managers, day, within_days=40.0)
        _same_book(demo, managers, day, prior_leads=3)


def test_pacing_equals_the_loop_on_the_demo(demo, monkeypatch):
    new = kt.pacing(demo, period="2026Q3", as_of="2026-08-15")
    monkeypatch.setattr(pacing_pipeline, "pipeline_projection", pipeline_projection_by_day(open_book_loops))
    old = kt.pacing(demo, period="2026Q3", as_of="2026-08-15")
    pd.testing.assert_frame_equal(new, old, check_exact=True)
