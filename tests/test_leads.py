"""``kt.lead_outcomes``: leads closed in a period, won and lost, by age at closing or by source."""

from __future__ import annotations

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.leads import LEAD_OUTCOME_COLUMNS

ORDERS = pd.DataFrame(
    {
        "order_id": ["1"],
        "manager": ["ann"],
        "customer_id": ["c"],
        "ordered_at": ["2026-07-10"],
        "amount": [1.0],
    }
)
#: ann closes in Q3: a (0 days, won, web), b (7 days, lost, web), c (8 days, won, fair), d (120 days, lost, no
#: source); bob: e (30 days, won, web), h (17 days, lost, fair); f is still open, g closed in Q2.
LEADS = pd.DataFrame(
    {
        "lead_id": list("abcdefgh"),
        "manager": ["ann", "ann", "ann", "ann", "bob", "bob", "bob", "bob"],
        "status": ["won", "lost", "won", "lost", "won", "open", "won", "lost"],
        "created_at": ["2026-07-01", "2026-07-01", "2026-07-01", "2026-04-01", "2026-07-01", "2026-07-01",
                       "2026-04-01", "2026-07-15"],
        "closed_at": ["2026-07-01", "2026-07-08", "2026-07-09", "2026-07-30", "2026-07-31", "", "2026-06-01",
                      "2026-08-01"],
        "source": ["web", "web", "fair", None, "web", "web", "web", "fair"],
    }
)  # fmt: skip


@pytest.fixture(scope="module")
def data() -> kt.SalesData:
    return kt.from_frames(ORDERS, leads=LEADS)


def test_by_age_by_hand(data):
    out = kt.lead_outcomes(data, period="2026Q3")
    assert out.columns.tolist() == list(LEAD_OUTCOME_COLUMNS)
    got = list(out[["manager", "group", "closed", "won", "lost"]].itertuples(index=False, name=None))
    assert got == [
        ("ann", "0-7 days", 2, 1, 1),
        ("ann", "8-30 days", 1, 1, 0),
        ("ann", "over 90 days", 1, 0, 1),
        ("bob", "8-30 days", 2, 1, 1),
        ("TOTAL", "0-7 days", 2, 1, 1),
        ("TOTAL", "8-30 days", 3, 2, 1),
        ("TOTAL", "over 90 days", 1, 0, 1),
    ]
    assert out["share"].iloc[:3].tolist() == [0.5, 0.25, 0.25]
    assert out.attrs["by"] == "age"


def test_by_source_for_one_manager(data):
    out = kt.lead_outcomes(data, period="2026Q3", manager="ann", by="source")
    got = list(out[["manager", "group", "closed", "won"]].itertuples(index=False, name=None))
    assert got == [
        ("ann", "(none)", 1, 0),
        ("ann", "fair", 1, 1),
        ("ann", "web", 2, 1),
        ("TOTAL", "(none)", 1, 0),
        ("TOTAL", "fair", 2, 1),
        ("TOTAL", "web", 3, 2),
    ]
    assert out.attrs["by"] == "source"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"by": "channel"}, "by='channel' is not a column of the leads table"),
        ({"manager": "zoe"}, "manager='zoe' is not a manager"),
    ],
)
def test_bad_options(data, options, message):
    with pytest.raises(kt.ParameterError, match=message):
        kt.lead_outcomes(data, period="2026Q3", **options)


def test_no_source_column_says_how_to_fix():
    data = kt.from_frames(ORDERS, leads=LEADS.drop(columns="source"))
    with pytest.raises(kt.ParameterError, match="by='source' needs a source column"):
        kt.lead_outcomes(data, period="2026Q3", by="source")


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
def test_the_demo_on_every_engine(demo_on, engine):
    want = kt.lead_outcomes(demo_on("pandas"), period="2026Q3", team="South")
    got = kt.lead_outcomes(demo_on(engine), period="2026Q3", team="South")
    pd.testing.assert_frame_equal(got, want)
    total = want[want["manager"] == "TOTAL"]
    # the team's leads: the mover M13 (South until 16 August) with those she closed in South, as
    # manager_kpis(team="South") counts them
    kpis = kt.manager_kpis(demo_on("pandas"), period="2026Q3", team="South")
    assert (
        total["closed"].sum() == kpis["leads_closed"].sum() and total["won"].sum() == kpis["leads_won"].sum()
    )
