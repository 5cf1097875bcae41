"""The plan-gap report's returns, net sales and margin (issue 14): shown with returns or costs, and the
plan's metric named; nothing of them without. Small hand-made tables (tests/test_plan_gap_net_sales.py)."""

from __future__ import annotations

import pytest

import kpi_toolkit as kt
from kpi_toolkit.report import first_screens, translator
from kpi_toolkit.report import plan_gap_driver_views as driver_views
from kpi_toolkit.report import plan_gap_margin_views as margin_views
from kpi_toolkit.report import plan_gap_views as views
from kpi_toolkit.report.plan_gap_report import plan_gap_report
from tests.test_plan_gap_net_sales import _plans, _tables


def _report(metric: str, *, costs: bool = True, returns: bool = True, manager: str | None = None):
    target = {"sales_volume": 1100.0, "net_sales": 1100.0, "gross_margin": 450.0}[metric]
    tables = _tables(_plans(metric, target, 400.0))
    if not costs:
        tables["orders"] = tables["orders"].drop(columns="cost")
    if not returns:
        del tables["returns"]
    data = kt.from_frames(**tables, plan_metric=metric)
    r = plan_gap_report(data, period="2026Q3", history=2, manager=manager)
    return r, kt.manager_kpis(data, period="2026Q3")


@pytest.fixture(scope="module")
def margin_report():
    return _report("gross_margin")


def test_the_section_shows_returns_net_sales_and_margin(margin_report):
    r, kpis = margin_report
    text = str(margin_views.margin_section(r, translator("en"), kpis=kpis))
    assert "Returns, net sales and margin" in text
    # the team: sales 2200, returns 60, net 2140, margin 456 + 200 = 656 at 30.65 % (rates are cut)
    assert (
        "The team: sales 2,200, returns 60 (2.7% of sales), net sales 2,140, gross margin 656 "
        "at a margin rate of 30.6%" in text
    )
    assert "Against the plan: returns -" in text and "margin rate -" in text
    assert "Margin rate" in text and "Net sales" in text


def test_the_gap_section_names_the_metric_and_its_steps(margin_report):
    r, _ = margin_report
    text = str(driver_views.gap_section(r, translator("en")))
    assert "The plan is measured on gross margin" in text
    assert "the margin rate: volume bought with discounts" in text
    assert "The plan&#39;s return rate and margin rate" in text
    assert "Gross margin of the team: 656 against 850 (plan), a gap of -194." in text
    assert (
        "The plan sets only the gross margin, so its split into orders and average check is assumed" in text
    )
    assert "margin rate" in text and "returns" in text  # the waterfall's alternative text names the steps
    figures = {f.key: f for f in views.key_figures(r, translator("en"))}
    assert figures["actual"].label == "Gross margin" and figures["actual"].value == 656.0


def test_russian(margin_report):
    r, kpis = margin_report
    text = str(margin_views.margin_section(r, translator("ru"), kpis=kpis)) + str(
        driver_views.gap_section(r, translator("ru"))
    )
    assert "Возвраты, чистые продажи и маржа" in text
    assert "План измеряется в показателе «валовая маржа»" in text
    assert "Валовая маржа (команда): 656" in text
    assert "Валовая маржа (команда): 656" in text
    assert "маржинальность" in text


def test_net_sales_without_costs_shows_no_margin():
    r, kpis = _report("net_sales", costs=False)
    text = str(margin_views.margin_section(r, translator("en"), kpis=kpis))
    assert "net sales 2,140." in text and "The orders carry no cost of goods" in text
    assert "Gross margin" not in text and "margin rate" not in text.replace("Margin rate", "")
    assert "Against the plan: returns -" in text


def test_nothing_of_it_without_returns_or_costs():
    r, kpis = _report("sales_volume", costs=False, returns=False)
    assert str(margin_views.margin_section(r, translator("en"), kpis=kpis)) == ""
    text = str(driver_views.gap_section(r, translator("en"))) + str(
        driver_views.managers_section(r, translator("en"))
    )
    for word in ("returns", "net sales", "margin", "measured on"):
        assert word not in text.lower()


def test_a_volume_plan_with_returns_says_so():
    r, kpis = _report("sales_volume")
    text = str(margin_views.margin_section(r, translator("en"), kpis=kpis))
    assert "The plan is measured on sales volume, before returns" in text
    assert "Against the plan" not in text  # no returns or margin step on a volume plan
    assert "measured on" not in str(driver_views.gap_section(r, translator("en")))


def test_the_manager_in_focus():
    r, kpis = _report("gross_margin", manager="bob")
    text = str(margin_views.margin_section(r, translator("en"), kpis=kpis))
    assert (
        "sales 1,000, returns 0 (0.0% of sales), net sales 1,000, gross margin 200 at a margin rate of 20.0%"
        in text
    )
    assert "margin rate -264" in text


def test_the_first_screen_names_the_metric_and_the_margin_step(margin_report):
    r, _ = margin_report
    text = str(first_screens.plan_gap_answer(r, translator("en")))
    assert "The plan is measured on gross margin" in text
    assert "The two drivers that cost the most: margin rate (-264) and returns (-23)." in text
    ru = str(first_screens.plan_gap_answer(r, translator("ru")))
    assert "маржинальность (-264) и возвраты (-23)" in ru
