"""The quarterly report's first screen says who is behind plan, by how much and why, with the alerts near the
top, in plain English and Russian (issue 20, item 2)."""

from __future__ import annotations

import html
import inspect
import re

import pytest

import kpi_toolkit as kt
from kpi_toolkit.report import notebook_path, quarterly_links
from kpi_toolkit.report.behind_plan import behind_plan, behind_plan_section
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.quarterly import quarterly_report


def _text(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", str(markup)))).replace("\xa0", " ")


@pytest.fixture(scope="module")
def q3(demo):
    return quarterly_report(demo, period="2026Q3")


def test_who_is_behind_plan_by_how_much_and_why(demo, q3):
    # 15 with a plan in 2026Q3: the fourteen and the joiner M15 (1.22 of a pro-rated plan), not the leaver
    rows = behind_plan(q3, kt.plan_gap(demo, period="2026Q3"))
    k = q3.kpis
    below = k[k["plan_attainment"] < 1]
    assert sorted(rows["manager"]) == sorted(below.index)  # everyone below plan, nobody else
    short = (below["sales_plan"] - below["sales_volume"]).sort_values(ascending=False)
    assert rows["short"].tolist() == pytest.approx(short.tolist())  # furthest behind first
    assert (rows["effect"] < 0).all() and rows["driver"].str.endswith("_effect").all()
    text = _text(behind_plan_section(demo, q3, translator("en")))
    first = rows.iloc[0]
    name = q3.names[first["manager"]]
    assert text.startswith(" Who is behind plan Behind plan in 2026Q3: 5 of 15 managers with a plan, ")
    assert re.search(rf"{name}: \d+\.\d% of plan, [\d,]+ short; main reason: [a-z ]+ \(-[\d,]+\)\.", text)
    assert text.index(name) < text.index(q3.names[rows.iloc[-1]["manager"]])
    # the alert list follows: James Carter misses systematically (8 of 8 quarters)
    alerts = text[text.index("Alerts") :]
    assert "James Carter: missed the plan in 2026Q3" in alerts and "misses the plan systematically" in alerts
    assert all(q3.names[m] not in alerts for m in rows["manager"] if m != "M10")  # listed above already


def test_first_screen_in_russian_is_gender_neutral(demo, q3):
    text = _text(behind_plan_section(demo, q3, translator("ru", currency="RUB")))
    assert "Кто не выполняет план План на 3 кв. 2026 не выполнен у 5 из 15 менеджеров с планом" in text
    assert "главная причина — «" in text and "Сигналы" in text
    assert "не выполнил" not in text and "план на 3 кв. 2026 не выполнен:" in text
    assert not re.search(r"\b(of plan|short|main reason|Alerts)\b", text)


def test_nobody_behind_plan(tiny):
    q = quarterly_report(tiny, period="2026Q3")
    text = _text(behind_plan_section(tiny, q, translator("en")))
    behind = int((q.kpis["plan_attainment"] < 1).sum())
    assert ("Every manager with a plan met it" in text) == (behind == 0)


def test_the_first_screen_comes_right_after_the_key_figures():
    source = notebook_path("quarterly").with_suffix(".py").read_text(encoding="utf-8")
    order = [source.index(s) for s in ("views.headline(", "behind_plan_section(", "views.summary(")]
    assert order == sorted(order)
    # the alerts are on the first screen, not again further down: the body's "why" section leaves them out
    assert "quarterly_links.why_section(" in source
    assert "with_alerts=False" in inspect.getsource(quarterly_links.why_section)
