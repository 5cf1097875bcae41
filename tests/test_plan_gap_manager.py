"""The plan-gap report for one manager is about that manager, its charts carry their own titles, the
waterfall's "orders" step is explained, and ``as_of`` cuts every number (issue 20, item 5)."""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from kpi_toolkit.report import plan_gap_driver_views as driver_views
from kpi_toolkit.report import plan_gap_views as views
from kpi_toolkit.report import translator
from kpi_toolkit.report.plan_gap_report import data_as_of, plan_gap_report


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(markup)))).replace("\xa0", " ")


@pytest.fixture
def titles(monkeypatch) -> list[str]:
    """The titles the views give their charts (drawn into the images, so not in the page's text)."""
    from matplotlib.axes import Axes

    seen: list[str] = []
    original = Axes.set_title

    def record(self, label, *args, **kwargs):
        seen.append(str(label))
        return original(self, label, *args, **kwargs)

    monkeypatch.setattr(Axes, "set_title", record)
    return seen


@pytest.fixture(scope="module")
def m10(demo):
    return plan_gap_report(demo, period="2026Q3", manager="M10")


@pytest.fixture(scope="module")
def team(demo):
    return plan_gap_report(demo, period="2026Q3")


def test_one_managers_report_has_their_title_tiles_and_gap(m10, team, titles):
    en = translator("en")
    assert views.page_title(m10, en) == "Why was the target missed? 2026Q3 – James Carter"
    assert views.page_title(team, en) == "Why was the target missed? 2026Q3"
    own = m10.gap.set_index("manager").loc["M10"]
    tiles = {f.key: f for f in views.key_figures(m10, en)}
    assert tiles["gap"].value == pytest.approx(own["gap"]) and tiles["actual"].value == pytest.approx(
        own["actual"]
    )
    assert tiles["gap"].value != pytest.approx(team.gap.set_index("manager").loc["TOTAL", "gap"])
    assert tiles["systematic"].value <= 1 and tiles["off_track"].value <= 1
    gap = _text(driver_views.gap_section(m10, en))
    assert gap.startswith(" The gap and its drivers Sales of James Carter: ")  # the manager's own gap first
    assert titles[-1] == "James Carter: from the plan to the actual"  # drawn over the plot's own
    ru = _text(driver_views.gap_section(m10, translator("ru")) + views.title(m10, translator("ru")))
    assert "James Carter" in ru and "Почему не выполнен план? 3 кв. 2026 – James Carter" in ru
    plt.close("all")


def test_the_chart_by_manager_has_its_own_title_and_the_orders_step_is_explained(team, titles):
    en = translator("en")
    driver_views.managers_section(team, en)
    assert titles[-1] == "The team: the gap to the plan, manager by manager"
    gap = _text(driver_views.gap_section(team, en))
    # M12 won no leads in 2026Q3: their volume splits into orders x average check only
    assert 'The "orders" step: Leo Fischer won no leads, so their volume splits' in gap, gap
    ru = _text(driver_views.gap_section(team, translator("ru")))
    assert "Шаг «заказы»: у Leo Fischer нет выигранных лидов" in ru
    plt.close("all")


def test_as_of_cuts_every_number_on_the_page(demo):
    day = pd.Timestamp("2026-08-15")
    r = plan_gap_report(demo, period="2026Q3", as_of=day)
    cut = data_as_of(demo, day)
    assert r.data_as_of < day + pd.Timedelta(days=1) and cut.last_date < day + pd.Timedelta(days=1)
    assert r.data_fingerprint == plan_gap_report(demo, period="2026Q3").data_fingerprint  # of the data loaded
    until = demo.orders[demo.orders["ordered_at"] < day + pd.Timedelta(days=1)]
    total = r.gap.set_index("manager").loc["TOTAL"]
    in_q3 = until[until["ordered_at"] >= "2026-07-01"]["amount"].sum()
    assert total["actual"] == pytest.approx(in_q3)  # the gap tile: nothing after that day
    tiles = {f.key: f for f in views.key_figures(r, translator("en"))}
    assert tiles["actual"].value == pytest.approx(in_q3)
    full = plan_gap_report(demo, period="2026Q3")
    assert full.gap.set_index("manager").loc["TOTAL", "actual"] > in_q3
    # leads closed after that day are still open on it
    assert not (cut.leads["closed_at"] >= day + pd.Timedelta(days=1)).any()
    after = day + pd.Timedelta(days=1)
    later = demo.leads[(demo.leads["created_at"] < after) & (demo.leads["closed_at"] >= after)]["lead_id"]
    assert len(later) > 10
    assert set(cut.leads.loc[cut.leads["lead_id"].isin(later), "status"]) == {"open"}
    assert "2026-08-15" in _text(views.title(r, translator("en")))
