"""Issue 14 in the per-manager and KPI card reports: returns, net sales, margin and margin rate when the data
has them, nothing when it has neither; the words saying which KPI the plan is measured on; both languages."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.report import behind_plan, manager_views, narrative
from kpi_toolkit.report.card_report import card_report
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.manager import manager_report, team_of
from kpi_toolkit.report.manager_views import display_names
from kpi_toolkit.report.margin_reports import (
    card_margin_section,
    card_plan_metric_note,
    manager_margin_section,
    plan_metric_note,
)
from kpi_toolkit.report.quarterly import quarterly_report
from tests.test_russian_words import latin_words

MARGIN_CARD = Path(__file__).resolve().parents[1] / "data" / "cards" / "margin_with_volume_gate.yml"


def _text(fragment: object) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", str(fragment)).split())


def _frames(*, costs: bool = True, returns: bool = True) -> dict:
    frames = make_demo_data()
    if not costs:
        frames["orders"] = frames["orders"].drop(columns="cost")
    if not returns:
        frames.pop("returns")
    return frames


@pytest.fixture(scope="module")
def demo() -> kt.SalesData:
    return kt.from_frames(**_frames())


def _manager(data: kt.SalesData, manager: str = "M04"):
    r = manager_report(quarterly_report(data, period="2026Q3", team=team_of(data, manager)), manager=manager)
    return r, {lang: manager_margin_section(r, display_names(r, translator(lang)), translator(lang))
               for lang in ("en", "ru")}  # fmt: skip


def _names(data: kt.SalesData) -> set[str]:
    info = data.manager_info
    return {w for v in [*info["name"], *info["team"].dropna()] for w in str(v).split()}


def test_the_manager_report_shows_their_returns_net_sales_and_margin(demo):
    r, pages = _manager(demo)
    kpis = r.team_report.kpis
    me = kpis.loc["00"]
    en = _text(pages["en"])
    assert en.startswith("Net sales and margin In 2026Q3 Dmitry Volkov had returns of")
    assert f"net sales of {me['net_sales']:,.0f}" in en
    assert f"a margin rate of {me['margin_rate']:.1%}" in en  # the discounter: about 11 %
    assert me["margin_rate"] < 0.15 < kpis["margin_rate"].median()
    colleagues = demo.manager_info.loc[demo.managers_of(r.team, period=r.period), "name"].drop("M04")
    assert len(re.findall(r"Manager [A-Z]+ ", en)) == len(kpis) - 1 == len(colleagues)
    assert not any(name in en for name in colleagues)  # colleagues under pseudonyms only
    ru = _text(pages["ru"])
    assert ru.startswith("Чистые продажи и маржа За 3 кв. 2026 у менеджера Dmitry Volkov возвраты на")
    assert latin_words(str(pages["ru"]), _names(demo)) == set()


def test_returns_without_costs_show_net_sales_only(demo):
    data = kt.from_frames(**_frames(costs=False))
    _, pages = _manager(data)
    en = _text(pages["en"])
    assert "which leaves net sales of" in en and "margin rate of" not in en
    assert "The orders carry no cost of goods" in en
    assert latin_words(str(pages["ru"]), _names(data)) == set()


def test_nothing_on_margin_without_costs_or_returns():
    data = kt.from_frames(**_frames(costs=False, returns=False))
    _, pages = _manager(data)
    assert pages == {"en": "", "ru": ""}
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert str(card_margin_section(kpis, {}, translator("en"))) == ""


def test_the_card_report_shows_net_sales_and_margin_beside_the_bonuses(demo):
    kpis = kt.manager_kpis(demo, period="2026Q3")
    names = {str(m): str(n) for m, n in demo.manager_info["name"].items()}
    en = _text(card_margin_section(kpis, names, translator("en")))
    assert en.startswith("Net sales and margin Beside the bonuses")
    assert "Dmitry Volkov 4,244,275 29,955 4,214,320 472,645 11.2%" in en  # lowest margin rate first
    ru = card_margin_section(kpis, names, translator("ru"))
    assert "Dmitry Volkov 4 244 275 29 955 4 214 320 472 645 11,2 %" in _text(ru).replace("\u00a0", " ")
    assert latin_words(str(ru), _names(demo)) == set()


def test_the_margin_card_shows_margin_rate_as_a_rate_and_names_its_kpis(demo):
    from kpi_toolkit.report import card_definition_views, card_explain

    r = card_report(demo, period="2026Q3", card=MARGIN_CARD)
    en = _text(card_definition_views.card_table(r, translator("en")))
    assert "Margin rate 30.0% 30.0% higher" in en  # weight, then the target as a rate (was 0.30)
    sentences = _text(card_explain.bonus_sentences(r, translator("en")))
    assert "for Gross margin + 30% × " in sentences and " for Net sales) = " in sentences
    ru = card_explain.bonus_sentences(r, translator("ru"))
    assert "(«Валовая маржа») + 30 % × " in _text(ru).replace("\u00a0", " ")
    assert latin_words(str(ru), _names(demo)) == set()


def test_the_plan_metric_is_named_in_both_languages():
    for lang in ("en", "ru"):
        tr = translator(lang)
        assert str(plan_metric_note("sales_volume", tr)) == ""
        for metric in ("net_sales", "gross_margin"):
            note = plan_metric_note(metric, tr)
            assert tr.t(f"kpi.{metric}").lower().split()[0][:5] in _text(note).lower()
            assert lang == "en" or latin_words(str(note), set()) == set()
            assert str(card_plan_metric_note(("sales_volume",), metric, tr)) == ""
            assert str(card_plan_metric_note(("plan_attainment",), metric, tr)) != ""


def test_plan_metric_option_reaches_the_report(demo_folder, tmp_path):
    out = tmp_path / "reports"
    command = [
        sys.executable,
        "-m",
        "kpi_toolkit",
        "quarterly",
        "--data",
        str(demo_folder),
        "--out",
        str(out),
    ]
    done = subprocess.run(
        [*command, "--period", "2026Q3", "--plan-metric", "net_sales"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    page = _text((out / "2026Q3" / "quarterly.html").read_text(encoding="utf-8"))
    assert "The plan is set on net sales: Plan and % of plan in this report are the net-sales target" in page
    assert "parameter plan_metric net_sales" in page  # the provenance records it
    bad = subprocess.run([*command, "--plan-metric", "margin"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "--plan-metric margin is not a KPI the plan can be measured on" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_a_plan_on_net_sales_is_spoken_of_as_net_sales():
    frames = _frames()
    frames["plans"] = frames["plans"].assign(metric="net_sales")  # the same targets, set on net sales
    data = kt.from_frames(**frames, plan_metric="net_sales")
    q = quarterly_report(data, period="2026Q3")
    total = q.totals.loc["2026Q3"]
    first, second = narrative.summary_sentences(q)[:2]
    assert "against a plan" not in first  # the volume sentence no longer carries the plan
    assert second == (
        f"Net sales were {total['net_sales']:,.0f} against a net-sales plan of {total['sales_plan']:,.0f} "
        f"({translator('en').rate(total['plan_attainment'])} of plan)."
    )
    rows = behind_plan.behind_plan(q, kt.plan_gap(data, period="2026Q3"))
    k = q.kpis.loc[rows["manager"]]
    assert rows["short"].tolist() == pytest.approx((k["sales_plan"] - k["net_sales"]).tolist())
    assert (rows["short"] > 0).all()  # below plan on net sales: short of it (not of the volume)
    r = manager_report(quarterly_report(data, period="2026Q3", team=team_of(data, "M04")), manager="M04")
    words = {"en": "Net sales of Dmitry Volkov were ", "ru": "Чистые продажи Dmitry Volkov – "}
    for lang in ("en", "ru"):
        text = _text(manager_views.summary(r, translator(lang)))
        assert words[lang] in text
        assert lang == "en" or latin_words(text, _names(data)) == set()
