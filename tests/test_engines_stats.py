"""The average-check comparison gives the same result on every engine.

The verdict is a permutation test on the order amounts, which every engine hands over in the same order
(by manager and order id), so the seeded test gives the same numbers. The global test (Welch's ANOVA on log
amounts) needs per manager only the count of positive amounts, the sum of their logs and the sum of their
squared logs, as they are in ``data.monthly``: sums computed by each engine, which agree to the last bits of a
parallel sum.
"""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.kpis import period_sums
from kpi_toolkit.stats import CHECK_STATS_COLUMNS, check_sufficient_stats, global_test_checks

PERIODS = ("2026Q3", "2026")


def _check_stats(data, period: str) -> pd.DataFrame:
    """Per-manager sufficient statistics of the order amounts in ``period``, from ``data.monthly``."""
    months = data.period(period).months
    sums = period_sums(data, months=months, managers=data.manager_ids).reset_index()
    return sums.loc[:, list(CHECK_STATS_COLUMNS)]


def test_the_sums_are_the_sufficient_statistics_of_the_raw_amounts(demo_on):
    data = demo_on("pandas")
    orders = data.orders[data.orders["ordered_at"].dt.to_period("Q").astype(str) == "2026Q3"]
    expected = check_sufficient_stats(orders[["manager", "amount"]])
    got = _check_stats(data, "2026Q3")
    got = got[got["orders"] > 0].reset_index(drop=True).astype({"manager": expected["manager"].dtype})
    pd.testing.assert_frame_equal(got, expected, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
@pytest.mark.parametrize("period", PERIODS)
def test_the_average_check_comparison_is_the_same_on_every_engine(demo_on, engine, period):
    expected_stats, got_stats = _check_stats(demo_on("pandas"), period), _check_stats(demo_on(engine), period)
    pd.testing.assert_frame_equal(got_stats, expected_stats, check_exact=False, rtol=1e-9)
    for versus in ("rest", "pairwise"):
        options = {"period": period, "metric": "average_check", "versus": versus}
        expected = kt.compare_managers(demo_on("pandas"), **options)
        got = kt.compare_managers(demo_on(engine), **options)
        numbers = list(expected.select_dtypes("float").columns)
        assert got.drop(columns=numbers).equals(expected.drop(columns=numbers))  # managers, n, verdicts
        pd.testing.assert_frame_equal(got[numbers], expected[numbers], check_exact=False, rtol=1e-9)
    anova = global_test_checks(got_stats)
    pd.testing.assert_frame_equal(anova, global_test_checks(expected_stats), check_exact=False, rtol=1e-9)
