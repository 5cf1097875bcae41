"""The open pipeline (kt.pipeline) on hand-made leads: which leads are open as of a day, their value, coverage
of the remaining plan, stale leads, and that nothing after ``as_of`` is used."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.pipeline import PIPELINE_COLUMNS, win_chance_by_age

LEADS = ["lead_id", "manager", "created_at", "status", "closed_at", "expected_amount"]


def _data(leads, plans=None):
    orders = pd.DataFrame(
        [
            ("o1", "ann", "c1", "2026-07-03", 300.0, "H1"),
            ("o2", "bob", "c2", "2026-07-20", 50.0, ""),
            ("o3", "ann", "c3", "2026-08-20", 999.0, ""),  # after as_of: not to date
        ],
        columns=["order_id", "manager", "customer_id", "ordered_at", "amount", "lead_id"],
    )
    plans = (
        plans
        if plans is not None
        else pd.DataFrame(
            [("ann", "2026Q3", "sales_volume", 1000.0)], columns=["manager", "period", "metric", "target"]
        )
    )
    return kt.from_frames(orders, leads=pd.DataFrame(leads, columns=LEADS), plans=plans)


HISTORY = [  # ann's past: 2 won after 10 and 30 days, 2 lost
    ("H1", "ann", "2026-05-01", "won", "2026-05-11", None),
    ("H2", "ann", "2026-05-01", "won", "2026-05-31", None),
    ("H3", "ann", "2026-05-01", "lost", "2026-05-06", None),
    ("H4", "ann", "2026-05-01", "lost", "2026-05-16", None),
]
NOW = [
    ("N1", "ann", "2026-07-30", "open", None, 400.0),  # open, 2 days old on 2026-07-31
    ("N2", "ann", "2026-06-01", "won", "2026-08-10", 500.0),  # closed after as_of: open then, 61 days old
    ("N3", "ann", "2026-07-01", "lost", "2026-07-15", 700.0),  # closed before as_of: not open
    ("N4", "ann", "2026-08-02", "open", None, 900.0),  # created after as_of: not there yet
    ("N5", "bob", "2026-07-10", "open", None, 100.0),
]


def test_open_leads_value_and_coverage_as_of_a_day():
    pipe = kt.pipeline(_data(HISTORY + NOW), period="2026Q3", as_of="2026-07-31", prior_leads=1)
    assert list(pipe.columns) == list(PIPELINE_COLUMNS)
    assert pipe["manager"].tolist() == ["ann", "bob", "TOTAL"]
    ann = pipe.set_index("manager").loc["ann"]
    assert ann["open_leads"] == 2 and ann["open_value"] == 900.0
    assert ann["to_date"] == 300.0 and ann["target"] == 1000.0 and ann["remaining_target"] == 700.0
    assert ann["coverage"] == pytest.approx(900.0 / 700.0)
    assert ann["median_age_days"] == pytest.approx((2 + 61) / 2)
    # ann's won cycles are 10 and 30 days (fewer than 10 won: the team's, the same leads): the 90th
    # percentile is 28 days, so the 61-day-old N2 is stale and the 2-day-old N1 is not.
    assert ann["stale_leads"] == 1
    bob = pipe.set_index("manager").loc["bob"]
    assert bob["open_leads"] == 1 and np.isnan(bob["target"]) and np.isnan(bob["coverage"])
    total = pipe.set_index("manager").loc["TOTAL"]
    assert total["open_leads"] == 3 and total["target"] == 1000.0 and total["remaining_target"] == 700.0
    assert pipe.attrs["without_target"] == ["bob"]


def test_weighted_value_uses_the_chance_of_winning_at_that_age():
    pipe = kt.pipeline(_data(HISTORY + NOW), period="2026Q3", as_of="2026-07-31", prior_leads=1)
    ann = pipe.set_index("manager").loc["ann"]
    # ann's history seen on 2026-07-31 (N2 open, censored at 61 days; N3 lost after 14 days): at age 2 the
    # chance to win in the end, at age 61 nothing past leads can tell (no lead was open so long) -> 0.
    days = np.array([10.0, 30.0, 5.0, 15.0, 61.0, 14.0, 2.0])
    outcome = np.array([1, 1, 2, 2, 0, 2, 0])
    own = win_chance_by_age(days, outcome, np.array([2.0]))[0]
    team = win_chance_by_age(np.append(days, 22.0), np.append(outcome, 0), np.array([2.0]))[0]  # + bob's N5
    expected = (5 * own + 1 * team) / (5 + 1) * 400.0  # shrunk: 5 closed leads, prior_leads=1
    assert ann["weighted_value"] == pytest.approx(expected)
    assert 0 < ann["weighted_coverage"] < ann["coverage"]


def test_nothing_after_as_of_is_used():
    later = [r if r[0] != "N1" else ("N1", "ann", "2026-07-30", "won", "2026-09-01", 400.0) for r in NOW]
    a = kt.pipeline(_data(HISTORY + NOW), period="2026Q3", as_of="2026-07-31")
    b = kt.pipeline(_data(HISTORY + later), period="2026Q3", as_of="2026-07-31")
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_leads_without_a_value_get_the_managers_volume_per_win():
    rows = [(*r[:5], None) for r in HISTORY + NOW]
    pipe = kt.pipeline(_data(rows), period="2026Q3", as_of="2026-07-31")
    ann = pipe.set_index("manager").loc["ann"]
    # ann's volume in the year before (300, order o1) per lead won in it (H1, H2): 150 per open lead.
    assert ann["open_value"] == pytest.approx(300.0)
    assert pipe.attrs["valued_by_average"] == 3


def test_options_are_checked(tiny):
    with pytest.raises(kt.ParameterError, match="history_days"):
        kt.pipeline(tiny, period="2026Q3", as_of="2026-08-01", history_days=0)
    with pytest.raises(kt.ParameterError, match="as_of"):
        kt.pipeline(tiny, period="2026Q3", as_of="not a day")


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_pipeline_and_cycle_times_agree_across_engines(demo_on, engine):
    expected = kt.pipeline(demo_on("pandas"), period="2026Q3", as_of="2026-08-15")
    got = kt.pipeline(demo_on(engine), period="2026Q3", as_of="2026-08-15")
    pd.testing.assert_frame_equal(got, expected, rtol=1e-9)
    expected = kt.cycle_times(demo_on("pandas"), periods="2026Q1", team="North")
    got = kt.cycle_times(demo_on(engine), periods="2026Q1", team="North")
    pd.testing.assert_frame_equal(got, expected, rtol=1e-9)


STAGED = [  # closed leads with the stage they were won or lost at; open ones with their stage today
    ("S1", "ann", "2026-05-01", "won", "2026-05-20", 100.0, "Proposal"),
    ("S2", "ann", "2026-05-01", "lost", "2026-05-10", 100.0, "Qualified"),
    ("S3", "ann", "2026-05-01", "lost", "2026-05-12", 100.0, "Qualified"),
    ("S4", "ann", "2026-05-01", "lost", "2026-05-25", 100.0, "Proposal"),
    ("S5", "ann", "2026-05-01", "lost", "2026-05-26", 100.0, None),  # stage unknown: left out
    ("O1", "ann", "2026-07-01", "open", None, 1000.0, "Qualified"),
    ("O2", "ann", "2026-07-20", "open", None, 1000.0, "Proposal"),
    ("O3", "ann", "2026-07-25", "open", None, 1000.0, None),  # no stage: by its age
]


def _staged(rows, stages=("Qualified", "Proposal")):
    data = _data([r[:6] for r in [*rows, ("H1", "bob", "2026-01-01", "lost", "2026-01-02", None, None)]])
    leads = pd.DataFrame(rows, columns=[*LEADS, "stage"])
    orders = data.orders.assign(lead_id=None)
    return kt.from_frames(orders, leads=leads, plans=data.plans, stages=list(stages))


def test_open_leads_are_weighted_by_the_win_chance_of_their_stage():
    data = _staged(STAGED)
    day = data.last_date  # stages are today's: usable from the last day of the data (2026-08-20)
    pipe = kt.pipeline(data, period="2026Q3", as_of=day, prior_leads=1)
    ann = pipe.set_index("manager").loc["ann"]
    # won S1 went through both stages; lost at Qualified: S2, S3; at Proposal: S4. Reached Qualified: 4
    # leads, 1 won (0.25); reached Proposal: S1, S4 (0.5). One manager: the team's chances are hers, shrunk
    # toward the team's rate over staged closed leads, 1/4 (prior_leads=1): (4 * 0.25 + 0.25) / 5 = 0.25,
    # (2 * 0.5 + 0.25) / 3 = 0.41667, and the same shrinkage again toward the team's own.
    team_q, team_p = (4 * 0.25 + 0.25) / 5, (2 * 0.5 + 0.25) / 3
    qualified, proposal = (4 * 0.25 + team_q) / 5, (2 * 0.5 + team_p) / 3
    # each scaled by the lead's chance at its age over a new lead's (Aalen-Johansen over ann's leads seen
    # on 2026-08-20: S1-S5 closed after 19, 9, 11, 24, 25 days; O1-O3 open, 51, 32 and 27 days old)
    days = np.array([19.0, 9.0, 11.0, 24.0, 25.0, 51.0, 32.0, 27.0])
    outcome = np.array([1, 2, 2, 2, 2, 0, 0, 0])
    by_age = win_chance_by_age(days, outcome, np.array([0.0, 51.0, 32.0, 27.0]))
    factor = np.nan_to_num(by_age[1:3]) / by_age[0]
    assert by_age[0] == pytest.approx(0.125) and factor.tolist() == [0.0, 0.0]  # no lead was won so late
    o3 = 1000 * np.nan_to_num(by_age[3])
    expected = 1000 * qualified * factor[0] + 1000 * proposal * factor[1] + o3
    assert ann["weighted_value"] == pytest.approx(expected, abs=1e-6)
    assert pipe.attrs["chance_by"] == "stage" and pipe.attrs["by_stage"] == 2
    age = kt.pipeline(data, period="2026Q3", as_of=day, prior_leads=1, chance_by="age")
    assert age.attrs["chance_by"] == "age"


def test_a_stage_chance_is_scaled_by_age():
    # the same leads seen when O1 and O2 are young: a lead at Proposal outweighs one at Qualified
    rows = [r if r[0] not in ("O1", "O2") else (*r[:2], "2026-08-18", *r[3:]) for r in STAGED]
    data = _staged(rows)
    pipe = kt.pipeline(data, period="2026Q3", as_of=data.last_date, prior_leads=1)
    assert pipe.attrs["by_stage"] == 2
    ann = pipe.set_index("manager").loc["ann"]
    age_only = kt.pipeline(data, period="2026Q3", as_of=data.last_date, prior_leads=1, chance_by="age")
    # stage chances 0.25 (Qualified) and 0.42 (Proposal) against 0.125 for any new lead: more than by age
    assert ann["weighted_value"] > age_only.set_index("manager").loc["ann", "weighted_value"]


def test_stages_of_today_are_not_used_for_a_past_day():
    data = _staged(STAGED)
    past = kt.pipeline(data, period="2026Q3", as_of="2026-07-26")
    by_age = kt.pipeline(data, period="2026Q3", as_of="2026-07-26", chance_by="age")
    assert past.attrs["chance_by"] == "age"
    pd.testing.assert_frame_equal(past, by_age)
