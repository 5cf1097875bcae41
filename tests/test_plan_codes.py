"""The plan is coded and rolled up once per load, and the faster paths give what the plain ones give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt
import kpi_toolkit.plan_codes
import kpi_toolkit.plan_rollup
from kpi_toolkit.parsing import _numbers
from kpi_toolkit.periods import parse_period
from kpi_toolkit.plan_codes import plan_codes, sharing_plan_codes
from kpi_toolkit.plans import PlanBook, check_plan_consistency, team_rows


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_a_plan_is_coded_and_rolled_up_once_per_load(engine, demo_folder, monkeypatch):
    coded, rolled = [], []
    code, roll = kpi_toolkit.plan_codes._coded, kpi_toolkit.plan_rollup.roll_up
    monkeypatch.setattr(kpi_toolkit.plan_codes, "_coded", lambda *a: coded.append(1) or code(*a))
    monkeypatch.setattr(kpi_toolkit.plan_rollup, "roll_up", lambda *a: rolled.append(a[1]) or roll(*a))
    data = kt.load(demo_folder, engine=engine)
    kt.manager_kpis(data, period="2025Q2")
    assert not data.team_plan_book.empty
    # the row rules, the consistency check (managers' and teams' targets), the labels and both books
    assert len(coded) == 1
    assert sorted(rolled) == ["quarter", "quarter", "year", "year"]


def test_the_books_of_the_shared_codes_are_the_books_of_the_plan(demo):
    data = demo
    alone = PlanBook(data.plans, fiscal_year_start=1, employment=data.employment)
    teams = PlanBook(team_rows(data.plans), fiscal_year_start=1)
    for label in ("2025-02", "2025Q1", "2025Q2", "2025", "2024Q4"):
        period = parse_period(label)
        pd.testing.assert_series_equal(
            data.plan_book.targets(data.manager_ids, period, "sales_volume"),
            alone.targets(data.manager_ids, period, "sales_volume"),
        )
        pd.testing.assert_series_equal(
            data.team_plan_book.targets(data.teams, period, "sales_volume"),
            teams.targets(data.teams, period, "sales_volume"),
        )


def test_codes_are_shared_only_within_a_load():
    plans = pd.DataFrame(
        {"manager": ["m1"] * 4, "period": ["2026-07", "2026-08", "2026-09", "2026Q3"]}
        | {"metric": ["orders"] * 4, "target": [1.0, 2.0, 3.0, 6.0]}
    )
    assert plan_codes(plans, fiscal_year_start=1) is not plan_codes(plans, fiscal_year_start=1)
    with sharing_plan_codes():
        first = plan_codes(plans, fiscal_year_start=1)
        assert plan_codes(plans, fiscal_year_start=1) is first
        assert plan_codes(plans, fiscal_year_start=4) is not first
    assert check_plan_consistency(plans, source="p", fiscal_year_start=1) == []
    plans.loc[3, "target"] = 7.0  # changed in place after a check outside a load: checked afresh
    (found,) = check_plan_consistency(plans, source="p", fiscal_year_start=1)
    assert found.rule == "the orders target of m1 for 2026Q3 is 7 but its months' targets add up to 6"


def test_numbers_are_read_as_pandas_reads_them():
    rng = np.random.default_rng(13)
    digits = ["".join(rng.choice(list("0123456789"), int(rng.integers(1, 20)))) for _ in range(20_000)]
    plain = [
        ("-" if rng.random() < 0.2 else "") + d[: len(d) // 2] + "." + d[len(d) // 2 :] for d in digits
    ] + [d + "e" + str(int(rng.integers(-320, 320))) for d in digits[:2_000]]
    odd = ["-0", "+0", "0", "-0.0", "5.", ".5", "+5", "1e400", "-1e400", "1e-400", "007", None]
    for cells in (plain, plain + odd, odd, ["1,5", "2"], ["Infinity", "2"], ["1_000"], ["x"], [None], []):
        text = pd.Series(pd.array(cells, dtype="string"), name="target")
        expected = pd.to_numeric(text, errors="coerce").astype("float64")
        got = _numbers(text)
        pd.testing.assert_series_equal(got, expected, check_exact=True)
        assert np.array_equal(np.signbit(got.to_numpy()), np.signbit(expected.to_numpy()))
