"""Issue 14 in the reports: the quarterly report shows net sales and margin when the data has them, and the
discounter of the demo (M04: top-three volume, the lowest margin rate) is named before any table."""

from __future__ import annotations

import re

import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.margin_views import margin_section, margin_tests
from tests.conftest import tiny_tables


def _text(fragment: object) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", str(fragment)).split())


@pytest.fixture(scope="module")
def demo_2026():
    data = kt.from_frames(**make_demo_data())
    names = {str(m): str(n) for m, n in data.manager_info["name"].items()}
    return data, kt.manager_kpis(data, period="2026"), margin_tests(data, period=data.period("2026")), names


def test_the_discounter_is_named_first_in_english_and_russian(demo_2026):
    _, kpis, tests, names = demo_2026
    assert tests.loc[tests["verdict"].isin(["above", "below"]), "manager"].tolist() == ["M04"]
    # the joiner M15's four orders are too few to judge
    assert tests.loc[tests["verdict"] == "insufficient data", "manager"].tolist() == ["M15"]
    en = _text(margin_section(kpis, tests, names=names, tr=translator("en")))
    assert en.startswith(
        "Net sales and margin Dmitry Volkov, number 2 of 16 by sales volume, sells at a margin rate"
    )
    assert "11.8% against 31.5% for the rest of the team" in en
    ru = _text(margin_section(kpis, tests, names=names, tr=translator("ru")))
    assert ru.startswith("Чистые продажи и маржа Dmitry Volkov: 2-е место из 16 по объёму продаж")
    assert "маржинальность 11,8" in ru


def test_nothing_is_said_without_returns_or_costs():
    data = kt.from_frames(**tiny_tables())
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert margin_tests(data, period=data.period("2026Q3")) is None
    assert str(margin_section(kpis, None, names={}, tr=translator("en"))) == ""
