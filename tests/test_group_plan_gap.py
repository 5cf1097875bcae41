"""Issue 15 on hand-made tables: plan_gap's TOTAL against the group's plan (a team's own target, else its
members'; the company's, the sum of the teams'), and the comparisons of only the period's active managers."""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.gap import PLAN_GAP_COLUMNS
from kpi_toolkit.report import plan_gap_figures
from kpi_toolkit.report.i18n import translator

EFFECTS = [c for c in PLAN_GAP_COLUMNS if c.endswith("_effect")]


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


def _plan_data(team_targets: dict[str, float]) -> kt.SalesData:
    """ann and bob in North (targets 200 and 200), cid in South (target 100), in 2026Q2 and 2026Q3."""
    orders = _orders(
        [
            ("ann", "2026-04-03", 200.0),
            ("ann", "2026-07-03", 150.0),
            ("ann", "2026-08-03", 150.0),
            ("bob", "2026-05-03", 200.0),
            ("bob", "2026-07-05", 100.0),
            ("cid", "2026-04-05", 100.0),
            ("cid", "2026-07-07", 120.0),
        ]
    )
    managers = pd.DataFrame(
        {"manager": ["ann", "bob", "cid"], "name": ["Ann", "Bob", "Cid"], "team": ["North", "North", "South"]}
    )
    rows = [("ann", None, 200.0), ("bob", None, 200.0), ("cid", None, 100.0)]
    rows += [(None, team, target) for team, target in team_targets.items()]
    plans = pd.DataFrame(
        {
            "manager": [r[0] for r in rows],
            "team": [r[1] for r in rows],
            "period": "2026Q3",
            "metric": "sales_volume",
            "target": [r[2] for r in rows],
        }
    )
    return kt.from_frames(orders, plans=plans, managers=managers)


def _identity(gap: pd.DataFrame) -> pd.Series:
    return gap[[*EFFECTS, "team_plan_effect"]].sum(axis=1, min_count=1) - gap["gap"]


def test_total_is_measured_on_the_team_target_and_the_difference_is_its_own_effect():
    data = _plan_data({"North": 420.0})
    gap = kt.plan_gap(data, period="2026Q3", team="North").set_index("manager")
    assert gap.loc["ann", "gap"] == pytest.approx(100.0) and gap.loc["bob", "gap"] == pytest.approx(-100.0)
    total = gap.loc["TOTAL"]
    assert (total["actual"], total["baseline_value"], total["gap"]) == pytest.approx((400.0, 420.0, -20.0))
    assert total["team_plan_effect"] == pytest.approx(-20.0)  # 400 of members' targets - 420 of the team's
    assert total[EFFECTS].sum() == pytest.approx(0.0, abs=1e-9)  # the members' gaps: +100 and -100
    assert _identity(gap.reset_index()).abs().max() == pytest.approx(0.0, abs=1e-9)
    assert (gap.drop(index="TOTAL")["team_plan_effect"] == 0.0).all()
    assert "plan: the team's target, +20 on the members'" in total["method"]
    assert kt.group_plan(data, period="2026Q3", team="North") == 420.0


def test_company_total_is_the_sum_of_the_teams_plans():
    # North by its own target (420), South by its member's (100): the company's plan is 520, as total_kpis
    data = _plan_data({"North": 420.0})
    total = kt.plan_gap(data, period="2026Q3").set_index("manager").loc["TOTAL"]
    assert (total["actual"], total["baseline_value"], total["gap"]) == pytest.approx((520.0, 520.0, 0.0))
    assert total["team_plan_effect"] == pytest.approx(500.0 - 520.0)
    assert total[EFFECTS].sum() == pytest.approx(20.0)  # the members' gaps: +100 - 100 + 20
    headline = kt.total_kpis(kt.manager_kpis(data, period="2026Q3"))
    assert kt.group_plan(data, period="2026Q3") == pytest.approx(total["baseline_value"])
    assert headline["sales_volume"] == pytest.approx(total["actual"])


def test_a_team_target_below_the_members_gives_a_positive_effect():
    total = kt.plan_gap(_plan_data({"North": 380.0}), period="2026Q3", team="North").iloc[-1]
    assert (total["baseline_value"], total["gap"], total["team_plan_effect"]) == pytest.approx(
        (380.0, 20.0, 20.0)
    )


def test_without_team_targets_and_against_other_baselines_nothing_changes():
    plain = kt.plan_gap(_plan_data({}), period="2026Q3").iloc[-1]
    assert (plain["baseline_value"], plain["team_plan_effect"]) == (500.0, 0.0)
    previous = kt.plan_gap(_plan_data({"North": 420.0}), period="2026Q3", baseline="previous")
    total = previous.iloc[-1]
    assert total["baseline_value"] == pytest.approx(500.0)  # 2026Q2's volume, not a plan
    assert (previous["team_plan_effect"] == 0.0).all()
    assert list(previous.columns) == list(plain.index)  # the same columns whatever the options


def test_the_waterfall_has_a_step_for_the_team_target():
    gap = kt.plan_gap(_plan_data({"North": 420.0}), period="2026Q3", team="North")
    for lang, label in (("en", "team target vs managers' targets"), ("ru", "план команды против суммы")):
        for by in ("driver", "manager"):
            _, steps = plan_gap_figures._steps(gap, "TOTAL", by, {}, translator(lang))
            assert steps[-1][0].startswith(label) and steps[-1][1] == pytest.approx(-20.0)
            assert 420.0 + sum(e for _, e in steps) == pytest.approx(400.0)  # from the plan to the actual


# --- compare_managers: only the managers active in the period ---------------------------------------


def _staff_data(assignments: pd.DataFrame | None = None) -> kt.SalesData:
    """ann, bob and cid sell in North; cid left on 2026-05-20; dan moves from North to South on 2026-08-17."""
    rows = [
        (m, f"2026-{mo:02d}-{d:02d}", 100.0 + d)
        for m in ("ann", "bob")
        for mo in (4, 7, 8)
        for d in range(1, 8)
    ]
    rows += [("cid", f"2026-04-{d:02d}", 90.0 + d) for d in range(1, 8)]
    rows += [("dan", f"2026-07-{d:02d}", 100.0) for d in range(1, 4)]  # in North
    rows += [("dan", f"2026-09-{d:02d}", 300.0) for d in range(1, 6)]  # in South
    rows += [("eve", f"2026-{mo:02d}-{d:02d}", 100.0) for mo in (7, 8, 9) for d in range(1, 4)]
    managers = pd.DataFrame(
        {
            "manager": ["ann", "bob", "cid", "dan", "eve"],
            "name": ["Ann", "Bob", "Cid", "Dan", "Eve"],
            "team": ["North", "North", "North", "South", "South"],
            "left_at": [None, None, "2026-05-20", None, None],
        }
    )
    return kt.from_frames(_orders(rows), managers=managers, assignments=assignments)


def _moves() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "manager": ["ann", "bob", "cid", "dan", "dan", "eve"],
            "team": ["North", "North", "North", "North", "South", "South"],
            "valid_from": [
                "2025-01-01",
                "2025-01-01",
                "2025-01-01",
                "2025-01-01",
                "2026-08-17",
                "2025-01-01",
            ],
        }
    )


def test_a_leaver_is_not_compared_after_leaving():
    data = _staff_data()
    q3 = kt.compare_managers(data, period="2026Q3", metric="average_check", team="North")
    assert q3["manager"].tolist() == ["ann", "bob"]  # cid left in May: not "insufficient data" in Q3
    q2 = kt.compare_managers(data, period="2026Q2", metric="average_check", team="North")
    assert q2["manager"].tolist() == ["ann", "bob", "cid"]
    year = kt.compare_managers(data, period="2026", metric="new_customers", team="North")
    assert year["manager"].tolist() == ["ann", "bob", "cid"]  # active in a part of the year
    assert kt.active_months(data, period="2026Q3", team="North").to_dict() == {"ann": 2, "bob": 2}


def test_a_mover_is_compared_in_each_team_with_each_part():
    data = _staff_data(_moves())
    north = kt.compare_managers(data, period="2026Q3", metric="new_customers", team="North").set_index(
        "manager"
    )
    south = kt.compare_managers(data, period="2026Q3", metric="new_customers", team="South").set_index(
        "manager"
    )
    assert north.index.tolist() == ["ann", "bob", "dan"] and south.index.tolist() == ["dan", "eve"]
    assert north.loc["dan", "n"] == 3 and south.loc["dan", "n"] == 5  # new customers in each team
    months = kt.active_months(data, period="2026Q3", team="South")
    assert months.to_dict() == {"dan": 1, "eve": 3}
    with pytest.warns(UserWarning, match="1 manager"):  # dan was not in South in Q2: eve alone
        q2 = kt.compare_managers(data, period="2026Q2", metric="new_customers", team="South")
    assert q2.empty
    checks = kt.compare_managers(data, period="2026Q3", metric="average_check", team="South")
    assert checks.set_index("manager").loc["dan", "estimate"] == pytest.approx(300.0)  # South's orders only
    north_checks = kt.compare_managers(data, period="2026Q3", metric="average_check", team="North")
    assert north_checks.set_index("manager").loc["dan", "estimate"] == pytest.approx(100.0)
