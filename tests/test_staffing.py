"""People over time (issue 15): joiners, leavers and group plans that do not vanish.

Golden values are worked by hand from the tables below (sums of the month targets of the months employed).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.errors import DataValidationError
from kpi_toolkit.kpis import total_kpis

MONTHS = [f"2026-{m:02d}" for m in range(1, 13)]


def _orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "order_id": [str(i) for i in range(len(rows))],
            "manager": [r[0] for r in rows],
            "customer_id": [f"c{i}" for i in range(len(rows))],
            "ordered_at": [r[1] for r in rows],
            "amount": [r[2] for r in rows],
        }
    )


def _plans(targets: dict[str, dict[str, float]]) -> pd.DataFrame:
    rows = [(m, p, "sales_volume", t) for m, by in targets.items() for p, t in by.items()]
    return pd.DataFrame(rows, columns=["manager", "period", "metric", "target"])


@pytest.fixture(scope="module")
def company() -> kt.SalesData:
    """ann: always employed, 100 a month; bob joins on 10 August (targets Aug 120, Sep 180 and on);
    cid leaves on 31 July (targets every month of the year, 90); dan: employed, never sells, no target;
    eve: employed, sells, targets for July and September but not August; fay joins on 1 October, no target."""
    managers = pd.DataFrame(
        {
            "manager": ["ann", "bob", "cid", "dan", "eve", "fay"],
            "name": ["Ann", "Bob", "Cid", "Dan", "Eve", "Fay"],
            "team": ["North", "North", "North", "North", "South", "South"],
            "hired_at": [None, "2026-08-10", None, None, None, "2026-10-01"],
            "left_at": [None, None, "2026-07-31", None, None, None],
        }
    )
    plans = _plans(
        {
            "ann": {m: 100.0 for m in MONTHS},
            "bob": {"2026-08": 120.0, "2026-09": 180.0, "2026-10": 150.0, "2026-11": 150.0, "2026-12": 150.0},
            "cid": {m: 90.0 for m in MONTHS},
            "eve": {"2026-07": 50.0, "2026-09": 50.0},
        }
    )
    orders = _orders(
        [
            ("ann", "2026-07-05", 250.0),
            ("bob", "2026-08-20", 200.0),
            ("cid", "2026-07-10", 60.0),
            ("eve", "2026-08-02", 70.0),
            ("ann", "2026-10-05", 300.0),
            ("fay", "2026-10-20", 40.0),
        ]
    )
    return kt.from_frames(orders, plans=plans, managers=managers)


def test_joiner_is_planned_the_months_employed(company):
    kpis = kt.manager_kpis(company, period="2026Q3")
    assert kpis.loc["bob", "sales_plan"] == 300.0  # Aug 120 + Sep 180
    assert kpis.loc["bob", "plan_attainment"] == pytest.approx(200.0 / 300.0)
    assert kpis.attrs["plan_prorated"]["bob"] == ["2026-08", "2026-09"]
    assert "ann" not in kpis.attrs["plan_prorated"]  # employed the whole quarter


def test_joiners_year_sums_the_quarters_employed(company):
    kpis = kt.manager_kpis(company, period="2026")
    assert kpis.loc["bob", "sales_plan"] == 300.0 + 450.0  # Q3 (Aug, Sep) + Q4 (rolled up from months)
    assert kpis.attrs["plan_prorated"]["bob"] == ["2026Q3", "2026Q4"]


def test_leaver_is_planned_the_months_before_leaving_and_then_absent(company):
    q3 = kt.manager_kpis(company, period="2026Q3")
    assert q3.loc["cid", "sales_plan"] == 90.0  # July only
    assert "cid" not in kt.manager_kpis(company, period="2026Q4").index
    assert "cid" in kt.manager_kpis(company, period="2026-07").index
    assert "cid" not in kt.manager_kpis(company, period="2026-08").index
    history = kt.kpi_history(company, periods="2026Q2:2026Q4")
    assert history.loc["cid"].index.tolist() == ["2026Q2", "2026Q3"]


def test_inactive_manager_is_not_listed(company):
    assert "fay" not in kt.manager_kpis(company, period="2026Q3").index
    assert "bob" not in kt.manager_kpis(company, period="2026Q2").index
    assert "fay" in kt.manager_kpis(company, period="2026Q4").index


def test_missing_month_inside_the_employment_is_named(company):
    kpis = kt.manager_kpis(company, period="2026Q3")
    assert math.isnan(kpis.loc["eve", "sales_plan"])
    assert kpis.attrs["plan_missing"]["eve"] == ["2026-08"]
    assert kpis.attrs["plan_missing"]["dan"] == ["2026Q3"]  # no target at all: the quarter


def test_group_plan_ignores_idle_managers_without_a_target(company):
    north = kt.manager_kpis(company, period="2026Q3", team="North")
    total = total_kpis(north)  # dan: no orders, no target
    assert total["sales_plan"] == 300.0 + 300.0 + 90.0  # ann + bob (Aug, Sep) + cid (July)
    assert total["plan_attainment"] == pytest.approx((250.0 + 200.0 + 60.0) / 690.0)
    assert total.attrs["plan_missing"] == []


def test_group_plan_names_whose_target_is_missing(company):
    south = total_kpis(kt.manager_kpis(company, period="2026Q3", team="South"))
    assert math.isnan(south["sales_plan"]) and math.isnan(south["plan_attainment"])
    assert south.attrs["plan_missing"] == ["eve"]
    assert south.attrs["plan_missing_periods"] == {"eve": ["2026-08"]}
    # Q4: fay joined and sold without a target; eve has none either (but did not sell)
    q4 = total_kpis(kt.manager_kpis(company, period="2026Q4", team="South"))
    assert q4.attrs["plan_missing"] == ["fay"]


def test_year_to_date_plan_counts_only_the_periods_employed(company):
    ytd = kt.year_to_date_kpis(company, period="2026Q3")
    assert ytd.loc["bob", "sales_plan"] == 300.0  # Q1, Q2 before hiring
    assert ytd.loc["cid", "sales_plan"] == 6 * 90.0 + 90.0  # Q1, Q2 and July
    assert "fay" not in ytd.index


def test_a_target_given_for_the_whole_period_wins_when_months_are_missing():
    managers = pd.DataFrame({"manager": ["bob"], "name": ["Bob"], "team": ["N"], "hired_at": ["2026-08-10"]})
    plans = _plans({"bob": {"2026Q3": 250.0}})
    data = kt.from_frames(_orders([("bob", "2026-08-20", 100.0)]), plans=plans, managers=managers)
    assert kt.manager_kpis(data, period="2026Q3").loc["bob", "sales_plan"] == 250.0


def test_without_dates_every_manager_is_active_as_before():
    orders = _orders([("ann", "2026-07-05", 10.0)])
    managers = pd.DataFrame({"manager": ["ann", "bob"], "name": ["A", "B"], "team": ["N", "N"]})
    data = kt.from_frames(orders, managers=managers)
    assert kt.manager_kpis(data, period="2020Q1").index.tolist() == ["ann", "bob"]


def test_left_before_hired_is_a_validation_error():
    managers = pd.DataFrame(
        {
            "manager": ["ann"],
            "name": ["Ann"],
            "team": ["N"],
            "hired_at": ["2026-08-10"],
            "left_at": ["2026-08-01"],
        }
    )
    with pytest.raises(DataValidationError, match="left_at is before hired_at"):
        kt.from_frames(_orders([("ann", "2026-07-05", 10.0)]), managers=managers)


def test_demo_headline_percent_of_plan_is_a_number_every_quarter():
    from kpi_toolkit.demo import make_demo_data

    data = kt.from_frames(**make_demo_data())
    for label in ["2024Q4", "2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]:
        for team in (None, *data.teams):
            total = total_kpis(kt.manager_kpis(data, period=label, team=team))
            assert np.isfinite(total["plan_attainment"]), (label, team, total.attrs["plan_missing"])


# --- team targets -------------------------------------------------------------------------------------


def _team_data(extra_plans: list[tuple] | None = None) -> kt.SalesData:
    managers = pd.DataFrame(
        {"manager": ["ann", "bob", "cid"], "name": ["A", "B", "C"], "team": ["North", "North", "South"]}
    )
    rows = [
        ("ann", None, "2026Q3", "sales_volume", 200.0),
        ("bob", None, "2026Q3", "sales_volume", 100.0),
        ("cid", None, "2026Q3", "sales_volume", 50.0),
        (None, "North", "2026-07", "sales_volume", 110.0),
        (None, "North", "2026-08", "sales_volume", 110.0),
        (None, "North", "2026-09", "sales_volume", 110.0),
        *(extra_plans or []),
    ]
    plans = pd.DataFrame(rows, columns=["manager", "team", "period", "metric", "target"])
    orders = _orders([("ann", "2026-07-05", 150.0), ("bob", "2026-08-05", 90.0), ("cid", "2026-09-05", 40.0)])
    return kt.from_frames(orders, plans=plans, managers=managers)


def test_a_teams_own_target_wins_and_the_company_sums_the_teams():
    data = _team_data()
    plans = kt.team_plans(data, period="2026Q3").set_index("team")
    assert plans.loc["North", "sales_plan"] == 330.0  # the team's months rolled up, not 200 + 100
    assert plans.loc["North", "members_plan"] == 300.0 and plans.loc["North", "source"] == "team"
    assert plans.loc["South", "sales_plan"] == 50.0 and plans.loc["South", "source"] == "members"
    assert kt.group_plan(data, period="2026Q3") == 380.0
    # managers' own plans are untouched by the team's
    assert kt.manager_kpis(data, period="2026Q3")["sales_plan"].tolist() == [200.0, 100.0, 50.0]


def test_quarterly_headline_uses_the_team_plan():
    from kpi_toolkit.report.quarterly import quarterly_report

    data = _team_data()
    q = quarterly_report(data, period="2026Q3")
    assert q.totals.loc["2026Q3", "sales_plan"] == 380.0
    assert q.totals.loc["2026Q3", "plan_attainment"] == pytest.approx(280.0 / 380.0)
    north = quarterly_report(data, period="2026Q3", team="North")
    assert north.totals.loc["2026Q3", "sales_plan"] == 330.0


@pytest.mark.parametrize(
    ("row", "rule"),
    [
        (("ann", "North", "2026Q4", "sales_volume", 1.0), "both manager and team are set"),
        ((None, None, "2026Q4", "sales_volume", 1.0), "neither manager nor team is set"),
        ((None, "West", "2026Q4", "sales_volume", 1.0), "unknown team"),
        ((None, "North", "2026-07", "sales_volume", 5.0), "the same team, period and metric"),
        ((None, "North", "2026Q3", "sales_volume", 300.0), "months' targets add up to 330"),
    ],
)
def test_bad_team_targets_are_validation_errors(row, rule):
    with pytest.raises(DataValidationError, match=rule):
        _team_data([row])


# --- history, change, misses and pacing follow the same rules -------------------------------------------


def test_a_leaver_misses_nothing_after_leaving(company):
    series = kt.miss_series(company, periods="2026Q3:2026Q4")
    cid = series[series["manager"] == "cid"].set_index("period")
    assert cid.loc["2026Q3", "target"] == 90.0  # July only
    assert math.isnan(cid.loc["2026Q4", "target"]) and math.isnan(cid.loc["2026Q4", "attainment"])
    change = kt.kpi_change(company, period="2026Q4")
    assert "cid" not in set(change["manager"]) and "fay" in set(change["manager"])
    fay = change[(change["manager"] == "fay") & (change["metric"] == "sales_volume")]
    assert fay["value"].tolist() == [40.0] and math.isnan(fay["reference_value"].iloc[0])  # not there in Q3


def test_pacing_lists_the_employed_with_their_pro_rated_plan(company):
    pace = kt.pacing(company, period="2026Q3", as_of="2026-08-31", phasing="linear").set_index("manager")
    assert "fay" not in pace.index
    assert pace.loc["bob", "target"] == 300.0
    assert pace.loc["cid", "target"] == 90.0


def test_systematic_misses_counts_only_the_months_employed(company):
    # cid has a target of 90 in every month but left on 31 July: judged on July only (60 of 90, a miss),
    # never "missing" August and September; bob (hired 10 August) on August (200 of 120) and September
    # (nothing of 180); ann, employed throughout, on all three months (250, then nothing twice)
    misses = kt.systematic_misses(company, periods="2026-07:2026-09", min_periods=2).set_index("manager")
    observed = misses["periods_observed"].to_dict()
    assert {m: observed[m] for m in ("ann", "bob", "cid")} == {"ann": 3, "bob": 2, "cid": 1}
    assert misses.loc[["ann", "bob", "cid"], "periods_missed"].tolist() == [2, 1, 1]
    assert misses.loc["cid", "verdict"] == "insufficient data"  # one month is not a pattern


def test_pacing_a_joiner_over_the_months_employed(company):
    # bob: hired 10 August, target Aug 120 + Sep 180 = 300, paced over those months' 61 days;
    # on 31 August 31 of them have passed (ann, employed throughout: 62 of the quarter's 92 days)
    pace = kt.pacing(company, period="2026Q3", as_of="2026-08-31", phasing="linear").set_index("manager")
    assert pace.loc["bob", "expected_to_date"] == pytest.approx(300.0 * 31 / 61)
    assert pace.loc["bob", "projected"] == pytest.approx(200.0 * 61 / 31)
    assert pace.loc["ann", "expected_to_date"] == pytest.approx(300.0 * 62 / 92)
    assert pace.loc["ann", "projected"] == pytest.approx(250.0 * 92 / 62)
    assert pace.attrs["expected_share_by_manager"]["bob"] == pytest.approx(31 / 61)
    assert "ann" not in pace.attrs["expected_share_by_manager"]


def test_pacing_closes_a_leavers_period_when_they_leave(company):
    # cid: left on 31 July, target July's 90; by 31 August the period is closed: 60 of 90, missed
    pace = kt.pacing(company, period="2026Q3", as_of="2026-08-31", phasing="linear").set_index("manager")
    cid = pace.loc["cid"]
    assert cid["expected_to_date"] == 90.0 and cid["projected"] == 60.0 and cid["status"] == "missed"
    assert math.isnan(cid["projected_low"]) and math.isnan(cid["projected_high"])
    assert pace.attrs["closed"] == ["cid"]
    # still employed on 20 July: paced over July, 20 of its 31 days
    early = kt.pacing(company, period="2026Q3", as_of="2026-07-20", phasing="linear").set_index("manager")
    assert early.loc["cid", "expected_to_date"] == pytest.approx(90.0 * 20 / 31)
    assert early.loc["cid", "projected"] == pytest.approx(60.0 * 31 / 20)
    assert early.attrs["closed"] == []


def test_pacing_does_not_list_a_manager_not_yet_hired(company):
    before = kt.pacing(company, period="2026Q3", as_of="2026-08-09", phasing="linear")
    assert "bob" not in set(before["manager"]) and "ann" in set(before["manager"])
    first_day = kt.pacing(company, period="2026Q3", as_of="2026-08-10", phasing="linear").set_index("manager")
    assert first_day.loc["bob", "expected_to_date"] == pytest.approx(300.0 * 10 / 61)
    assert first_day.loc["bob", "projected"] == 0.0 and math.isnan(first_day.loc["bob", "projected_high"])


# --- the reports' note --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_team_changes_note_names_joiners_leavers_and_plans(company, lang):
    from kpi_toolkit.report import translator
    from kpi_toolkit.report.people_views import team_changes_section

    changes = kt.team_changes(company, period="2026Q3")
    assert changes[["manager", "change"]].values.tolist() == [["cid", "left"], ["bob", "joined"]]
    assert changes["from_team"].isna().all()
    assert changes["team"].tolist() == ["North", "North"]
    kpis = kt.manager_kpis(company, period="2026Q3")
    names = {"bob": "Bob", "cid": "Cid", "eve": "Eve <x>", "dan": "Dan"}
    text = team_changes_section(changes, kpis, names=names, tr=translator(lang))
    assert "Bob" in text and "Cid" in text and "Eve &lt;x&gt;" in text
    expected = {
        "en": [
            "Bob joined on",
            "Cid left on",
            "plan covers only the time employed",
            "Eve &lt;x&gt; has no",
        ],
        "ru": [
            "Bob: начало работы",
            "Cid: последний рабочий день",
            "Bob: план только за",
            "Eve &lt;x&gt;: нет цели",
        ],
    }[lang]
    for phrase in expected:
        assert phrase in text
    assert team_changes_section(changes.iloc[:0], pd.DataFrame(), names=names) == ""


def test_the_per_manager_note_names_only_the_manager(company):
    from kpi_toolkit.report.people_views import team_changes_section

    changes = kt.team_changes(company, period="2026Q3", team="North")
    kpis = kt.manager_kpis(company, period="2026Q3", team="North")
    text = team_changes_section(changes, kpis, names={"bob": "Bob"}, manager="bob")
    assert "Bob joined on" in text and "plan covers only" in text
    assert "cid" not in text.lower()


def test_quarantine_sets_aside_only_the_contradicting_team_rows():
    managers = pd.DataFrame({"manager": ["ann"], "name": ["A"], "team": ["North"]})
    rows = [
        *[("ann", None, f"2026-0{m}", "sales_volume", 10.0) for m in (7, 8, 9)],
        ("ann", None, "2026Q3", "sales_volume", 10.0),  # ann's months add up to 30: these four rows
        (None, "North", "2026-07", "sales_volume", 110.0),
        (None, "North", "2026Q3", "sales_volume", 110.0),  # North's own: not compared with ann's
    ]
    plans = pd.DataFrame(rows, columns=["manager", "team", "period", "metric", "target"])
    data = kt.from_frames(
        _orders([("ann", "2026-07-05", 5.0)]), plans=plans, managers=managers, on_invalid="quarantine"
    )
    assert sorted(set(data.quarantine["row"].tolist())) == [1, 2, 3, 4]
    assert data.team_plan_book.target("North", kt.parse_period("2026Q3"), "sales_volume") == 110.0


# --- team moves (assignments) -------------------------------------------------------------------------


def _moves_data(assignments: pd.DataFrame | None = None) -> kt.SalesData:
    """ann moves from North to South on 16 August 2026 (46 of Q3's 92 days in each); bob stays in North."""
    managers = pd.DataFrame({"manager": ["ann", "bob"], "name": ["Ann", "Bob"]})
    if assignments is None:
        assignments = pd.DataFrame(
            {
                "manager": ["ann", "ann", "bob"],
                "team": ["North", "South", "North"],
                "valid_from": ["2025-01-01", "2026-08-16", "2025-01-01"],
            }
        )
    orders = _orders(
        [
            ("ann", "2026-07-05", 100.0),
            ("ann", "2026-08-10", 200.0),
            ("ann", "2026-08-20", 300.0),
            ("ann", "2026-09-05", 400.0),
            ("bob", "2026-08-20", 50.0),
        ]
    )
    leads = pd.DataFrame(
        {
            "lead_id": ["L1", "L2"],
            "manager": ["ann", "ann"],
            "created_at": ["2026-07-01", "2026-08-01"],
            "status": ["won", "lost"],
            "closed_at": ["2026-08-15", "2026-08-16"],
        }
    )
    plans = _plans({"ann": {"2026Q3": 920.0}, "bob": {"2026Q3": 100.0}})
    return kt.from_frames(orders, leads=leads, plans=plans, managers=managers, assignments=assignments)


def test_a_mover_counts_in_each_team_with_each_part():
    data = _moves_data()
    assert data.teams == ["North", "South"]
    assert data.manager_info.loc["ann", "team"] == "South"  # the current team
    north = kt.manager_kpis(data, period="2026Q3", team="North")
    south = kt.manager_kpis(data, period="2026Q3", team="South")
    assert north.index.tolist() == ["ann", "bob"] and south.index.tolist() == ["ann"]
    assert north.loc["ann", ["sales_volume", "orders", "leads_closed", "leads_won"]].tolist() == [
        300.0,
        2,
        1,
        1,
    ]
    assert south.loc["ann", ["sales_volume", "orders", "leads_closed", "leads_won"]].tolist() == [
        700.0,
        2,
        1,
        0,
    ]
    assert north.loc["ann", "sales_plan"] == pytest.approx(460.0)  # 920 x 46 / 92 days
    assert south.loc["ann", "sales_plan"] == pytest.approx(460.0)
    whole = kt.manager_kpis(data, period="2026Q3")
    assert whole.loc["ann", "sales_volume"] == 1000.0 and whole.loc["ann", "sales_plan"] == 920.0
    assert "ann" not in kt.manager_kpis(data, period="2026Q4", team="North").index
    assert kt.manager_kpis(data, period="2026-07", team="South").empty


def test_team_changes_list_the_move():
    changes = kt.team_changes(_moves_data(), period="2026Q3")
    assert changes[["manager", "change", "team"]].values.tolist() == [["ann", "moved", "South"]]
    assert changes["from_team"].tolist() == ["North"]
    from kpi_toolkit.report import translator
    from kpi_toolkit.report.people_views import team_changes_section

    kpis = kt.manager_kpis(_moves_data(), period="2026Q3", team="North")
    text = team_changes_section(changes, kpis, names={"ann": "Ann"}, tr=translator("ru"))
    assert "Ann: переход из команды «North» в «South»" in text
    assert "Ann: план разделён между командами по дням работы в каждой." in text  # pro-rated by team days
    english = team_changes_section(changes, kpis, names={"ann": "Ann"}, tr=translator("en"))
    assert "plan is split between the two teams by the days in each." in english
    assert kt.team_changes(_moves_data(), period="2026Q3", team="North")["change"].tolist() == ["moved"]


@pytest.mark.parametrize(
    ("rows", "rule"),
    [
        ([("ann", "North", "2025-01-01"), ("ann", "South", "2025-01-01")], "more than once"),
        ([("zed", "North", "2025-01-01")], "unknown manager"),
    ],
)
def test_bad_assignments_are_validation_errors(rows, rule):
    with pytest.raises(DataValidationError, match=rule):
        _moves_data(pd.DataFrame(rows, columns=["manager", "team", "valid_from"]))


def test_a_move_outside_the_employment_is_a_validation_error():
    managers = pd.DataFrame(
        {"manager": ["ann"], "name": ["Ann"], "hired_at": ["2026-01-01"], "left_at": [None]}
    )
    moves = pd.DataFrame({"manager": ["ann"], "team": ["North"], "valid_from": ["2025-06-01"]})
    with pytest.raises(DataValidationError, match="outside the manager's employment") as error:
        kt.from_frames(_orders([("ann", "2026-07-05", 1.0)]), managers=managers, assignments=moves)
    assert "assignments" in str(error.value) and "valid_from" in str(error.value)


def test_assignments_are_counted_and_fingerprinted():
    from kpi_toolkit.fingerprint import data_fingerprint

    data = _moves_data()
    counts = data.row_counts.set_index("table")
    assert counts.loc["assignments", ["rows_read", "rows_used", "rows_excluded"]].tolist() == [3, 3, 0]
    moved = pd.DataFrame(
        {
            "manager": ["ann", "ann", "bob"],
            "team": ["North", "South", "North"],
            "valid_from": ["2025-01-01", "2026-08-17", "2025-01-01"],
        }
    )
    assert data_fingerprint(_moves_data(moved)) != data_fingerprint(data)
    assert data_fingerprint(_moves_data(moved.iloc[::-1])) == data_fingerprint(_moves_data(moved))


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_an_order_outside_the_employment_is_an_error_not_dropped(tmp_path, engine):
    """Such an order would count in no period (a manager is listed only while employed): it is refused."""
    orders = pd.DataFrame({"order_id": ["1", "2", "3"], "manager": ["ann", "ann", "bob"],
                           "customer_id": ["c", "d", "e"], "amount": [1.0, 2.0, 3.0],
                           "ordered_at": ["2026-07-01", "2026-09-02", "2026-08-01"]})  # fmt: skip
    managers = pd.DataFrame({"manager": ["ann", "bob"], "name": ["A", "B"], "team": ["N", "N"],
                             "hired_at": ["2026-06-01", None], "left_at": ["2026-08-31", None]})  # fmt: skip
    orders.to_csv(tmp_path / "orders.csv", index=False)
    managers.to_csv(tmp_path / "managers.csv", index=False)
    with pytest.raises(kt.DataValidationError) as error:
        kt.load(tmp_path, engine=engine)
    (violation,) = error.value.violations
    assert (violation.column, violation.rows, violation.examples) == ("ordered_at", (3,), ("2026-09-02",))
    assert "outside the manager's employment" in violation.rule
    if engine == "pandas":
        kept = kt.load(tmp_path, on_invalid="quarantine")
        assert kept.row_counts.set_index("table").loc["orders", "rows_excluded"] == 1
        assert kept.quarantine["row"].tolist() == [3]


@pytest.mark.parametrize("engine", ["pandas", "duckdb", "spark"])
def test_a_lead_outside_the_employment_is_an_error_not_dropped(tmp_path, engine, request):
    """A lead closed outside the employment would count in no period's conversion; one created after
    leaving could not have been the manager's. One created before hired_at and closed inside: a hand-over."""
    connection = request.getfixturevalue("spark") if engine == "spark" else None
    orders = pd.DataFrame({"order_id": ["1"], "manager": ["ann"], "customer_id": ["c"], "amount": [1.0],
                           "ordered_at": ["2026-07-01"]})  # fmt: skip
    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3", "L4", "L5"], "manager": ["ann"] * 4 + ["bob"],
                          "created_at": ["2026-05-20", "2026-05-10", "2026-08-10", "2026-09-01",
                                         "2026-01-01"],
                          "status": ["won", "lost", "open", "won", "lost"],
                          "closed_at": ["2026-06-05", "2026-05-25", None, "2026-09-03", "2026-12-01"],
                          })  # fmt: skip
    managers = pd.DataFrame({"manager": ["ann", "bob"], "name": ["A", "B"], "team": ["N", "N"],
                             "hired_at": ["2026-06-01", None], "left_at": ["2026-08-31", None]})  # fmt: skip
    for name, table in {"orders": orders, "leads": leads, "managers": managers}.items():
        table.to_csv(tmp_path / f"{name}.csv", index=False)
    with pytest.raises(kt.DataValidationError) as error:
        kt.load(tmp_path, engine=engine, connection=connection)
    found = {v.column: (v.rows, v.examples) for v in error.value.violations}
    assert set(found) == {"closed_at", "created_at"}
    assert found["closed_at"][0] == (3, 5)  # L2 closed before the hire, L4 after leaving; L1: a hand-over
    assert found["created_at"][0] == (5,)  # L4 taken after leaving (L3, open, was taken before)
    if engine == "pandas":
        kept = kt.load(tmp_path, on_invalid="quarantine")
        assert kept.row_counts.set_index("table").loc["leads", "rows_excluded"] == 2
        assert sorted(kept.leads["lead_id"]) == ["L1", "L3", "L5"]
