"""The open books of many days from one fetch (kpi_toolkit.open_book_days) equal the open book of each day
(kpi_toolkit.pipeline.open_book, a query and a sort per day) bit for bit, on pandas and DuckDB: the random
data set of tests/test_pipeline_vectorised.py (50 managers with the edge cases) and the demo; and kt.pacing
equals its pipeline projection computed a day at a time (tests/pipeline_loops.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from pipeline_loops import pipeline_projection_by_day
from test_pipeline_vectorised import _random_data

import kpi_toolkit as kt
import kpi_toolkit.pacing_pipeline as pacing_pipeline
from kpi_toolkit.open_book_days import expected_within
from kpi_toolkit.pipeline import open_book


def _by_day(data, managers, days, **options):
    index = pd.Index(managers, name="manager")
    out = []
    for day, within in days:
        book = open_book(data, managers, day, chance_by="age", within_days=within, **options).leads
        out.append(book.groupby("manager")["within"].sum().reindex(index, fill_value=0.0))
    return out


def _same(data, managers, days, **options):
    got = expected_within(data, managers, days, **options)
    assert len(got) == len(days)
    for new, old in zip(got, _by_day(data, managers, days, **options), strict=True):
        pd.testing.assert_series_equal(new, old, check_exact=True, check_names=False)
    return got


@pytest.fixture(scope="module")
def random_data():
    return _random_data()


def _days(last: pd.Timestamp) -> list[tuple[pd.Timestamp, float]]:
    # a year and a half of days a quarter apart (the first ones before most leads), days left 0 to 91
    return [(last - pd.Timedelta(days=45 * k), float(k * 13 % 92)) for k in range(13)]


@pytest.mark.parametrize("options", [{}, {"history_days": 90, "prior_leads": 5}])
def test_every_day_equals_its_own_open_book(random_data, options):
    data, managers = random_data
    got = _same(data, managers, _days(data.last_date.normalize()), **options)
    assert (got[0] == 0).all()  # no days left: nothing expected
    assert (got[1] > 0).sum() > 30 and (got[1] == 0).any()  # real sums; a manager without leads has 0


def test_a_subset_an_unknown_manager_and_none(random_data):
    data, _ = random_data
    days = _days(data.last_date.normalize())
    _same(data, ["m03", "m00", "m01", "m02", "m04", "m48", "nobody"], days)
    _same(data, ["m00"], days)
    assert _same(data, [], days)[0].empty
    assert expected_within(data, ["m07"], []) == []


def test_on_duckdb_as_on_pandas(random_data, tmp_path, demo_on):
    data, managers = random_data
    for name in ("orders", "leads"):
        getattr(data, name).dropna(axis=1, how="all").to_parquet(tmp_path / f"{name}.parquet")
    duck = kt.load(tmp_path, engine="duckdb")
    days = _days(duck.last_date.normalize())
    for new, old in zip(_same(duck, managers, days), expected_within(data, managers, days), strict=True):
        pd.testing.assert_series_equal(new, old, check_exact=False, rtol=1e-12)  # DuckDB sums the volume
    demo = demo_on("duckdb")
    _same(demo, demo.managers_of(None), _days(pd.Timestamp("2026-08-15")), prior_leads=3)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_pacing_equals_its_pipeline_projection_day_by_day(demo_on, engine, monkeypatch):
    data = demo_on(engine)
    calls = [("2026Q3", "2026-08-15", None), ("2026Q3", "2026-07-02", "North"), ("2026", "2026-05-20", None)]
    new = [kt.pacing(data, period=p, as_of=a, team=t) for p, a, t in calls]
    monkeypatch.setattr(pacing_pipeline, "pipeline_projection", pipeline_projection_by_day(open_book))
    for (p, a, t), got in zip(calls, new, strict=True):
        old = kt.pacing(data, period=p, as_of=a, team=t)
        pd.testing.assert_frame_equal(got, old, check_exact=True)
        assert repr(got.attrs) == repr(old.attrs)
    assert new[0]["pipeline_projected"].notna().sum() > 10


def test_on_spark_as_on_pandas(demo_on):
    """Spark shares the code (one conditional sum per day in one query); its sums may add in another order."""
    spark, pandas = demo_on("spark"), demo_on("pandas")
    managers = pandas.managers_of(None)
    days = _days(pd.Timestamp("2026-08-15"))
    got, want = expected_within(spark, managers, days), expected_within(pandas, managers, days)
    for new, old in zip(got, want, strict=True):
        pd.testing.assert_series_equal(new, old, check_exact=False, rtol=1e-9)
    pace = kt.pacing(spark, period="2026Q3", as_of="2026-08-15")
    expected = kt.pacing(pandas, period="2026Q3", as_of="2026-08-15")
    pd.testing.assert_frame_equal(pace, expected, check_exact=False, rtol=1e-9)
