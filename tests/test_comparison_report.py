"""The manager comparison report end to end (kpi-report compare), and the quarterly report's new section."""

from __future__ import annotations

import html as html_lib
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from babel import Locale

import kpi_toolkit as kt
from kpi_toolkit.demo import write_demo_data
from kpi_toolkit.report import comparison_amount_views as amount_views
from kpi_toolkit.report import comparison_appendix_views as appendix_views
from kpi_toolkit.report import comparison_conclusion_views as conclusion_views
from kpi_toolkit.report import comparison_conversion_views as conversion_views
from kpi_toolkit.report import (
    comparison_figures,
    differences_views,
    notebook_parameters,
    notebook_path,
    page,
    quarterly_report,
    translator,
)
from kpi_toolkit.report import comparison_verdict_views as verdict_views
from kpi_toolkit.report import comparison_views as views
from kpi_toolkit.report.comparison_messages import MESSAGES, QUARTERLY_KEYS, _t
from kpi_toolkit.report.comparison_report import TESTS_COLUMNS, comparison_report
from kpi_toolkit.report.i18n import placeholders

HOSTILE_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://x")'


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_toolkit", *args], capture_output=True, text=True, timeout=300, check=False
    )


def _alts(page_html: str) -> list[str]:
    """The images' alternative texts, unescaped (the page quotes an attribute with ' when it holds a ")."""
    return [html_lib.unescape(m.group(2)) for m in re.finditer(r"<img alt=([\"'])(.*?)\1", page_html)]


def _text(page_html: str) -> str:
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page_html, flags=re.S)
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture(scope="module")
def hostile_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company with two managers renamed: M01 as a script, M02 as a spreadsheet formula."""
    folder = write_demo_data(tmp_path_factory.mktemp("data") / "demo")
    managers = pd.read_csv(folder / "managers.csv")
    managers.loc[managers["manager"] == "M01", "name"] = HOSTILE_NAME
    managers.loc[managers["manager"] == "M02", "name"] = FORMULA_NAME
    managers.to_csv(folder / "managers.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, hostile_demo: Path) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = _cli("compare", "--data", str(hostile_demo), "--period", "2026", "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_notebook_declares_typed_documented_parameters():
    params = notebook_parameters(notebook_path("comparison"))
    assert set(params) == {"data_dir", "period", "team", "metric", "alpha", "lang", "currency", "mapping",
                           "on_invalid", "plan_metric", "output_dir"}  # fmt: skip
    assert params["lang"]["default"] == '"en"' and params["lang"]["inferred_type_name"] == "str"
    assert params["alpha"]["inferred_type_name"] == "float" and params["metric"]["default"] == '""'
    for name, spec in params.items():
        assert spec["help"], f"parameter {name} has no help comment"


def test_files_are_written(rendered):
    assert sorted(p.name for p in (rendered / "2026").iterdir()) == [
        "manager_comparison.html",
        "manager_comparison.report.json",
        "manager_tests.csv",
    ]
    index = (rendered / "index.html").read_text(encoding="utf-8")
    assert "Manager comparison 2026" in index and "2026/manager_comparison.html" in index


def test_report_content(rendered):
    page_html = (rendered / "2026" / "manager_comparison.html").read_text(encoding="utf-8")
    text = _text(page_html)
    assert "<title>Manager comparison 2026</title>" in page_html
    # the first screen: who is flagged on which KPI, strongest first, and the page's family in words
    first = text[: text.index("What the data say")]
    flagged = [
        "Clara Jensen: conversion below the rest of the team's, 12.1% against 28.4% (adjusted p < 0.001)",
        "Grace Okafor: average check above the rest of the team's, 84,171 against 46,245 "
        "(adjusted p = 0.020)",
        "Dmitry Volkov: margin rate below the rest of the team's, 11.8% against 31.5% (adjusted p = 0.020)",
    ]
    assert all(f in first for f in flagged), first
    assert first.index(flagged[0]) < first.index(flagged[1])
    assert "the level 5% is shared (Bonferroni: 1.67% each)" in first
    # plain-language conclusions, generated from the tables of every KPI on the page
    assert (
        "Clara Jensen's conversion is below the rest of the team's: 12.1% against 28.4% of closed leads "
        "(189 and 2,393); p < 0.001 after adjusting for 16 comparisons (Holm's method within each KPI, and "
        "Bonferroni's across the 3 KPIs of the page)."
    ) in text
    assert "Dmitry Volkov's margin rate is below the rest of the team's: 11.8% against 31.5%" in text
    assert "For every other manager and KPI no difference from the rest of the team was detected" in text
    for kpi in ("Conversion", "Average check", "Margin rate"):  # a verdict table per KPI
        assert f"{kpi}: each manager against the rest of the team" in text
        assert f"{kpi}: each manager against the rest, 2026" in text
    assert "The limits are exact binomial ones and not quite symmetric" in text  # what the funnel promises
    # the global test, the verdict table, the funnel, the ranking, the explanation
    assert "Are all managers alike?" in text and "chi-square (Monte Carlo p, 10,000 tables)" in text
    assert "Conversion: each manager against the rest, 2026" in text
    verdicts = re.findall(r"<tr>(?:(?!</tr>).)*Clara Jensen(?:(?!</tr>).)*</tr>", page_html, flags=re.S)
    assert any(">below</td>" in row for row in verdicts)
    assert "Funnel limits per manager, 2026" in text and "Outside the limits: Clara Jensen (below)" in text
    assert "Conversion ranking, raw and shrunk, 2026" in text
    assert "Why a funnel signal and a test verdict can disagree." in text
    assert "What each test assumes, and when not to trust it." in text
    assert "The data end on 2026-09-30, before 2026 does" in text  # the year is not over
    # no code, no warnings, no tracebacks leak into the page
    assert "import kpi_toolkit" not in page_html and "Warning" not in text and "Traceback" not in text


def test_figures_have_alternative_text(rendered):
    page_html = (rendered / "2026" / "manager_comparison.html").read_text(encoding="utf-8")
    alts = _alts(page_html)  # a forest plot per KPI, the funnel, the ranking, the amounts
    assert len(alts) == 6 and all(len(a) > 40 for a in alts)
    assert sum(a.startswith("Each manager's difference in margin rate against the rest") for a in alts) == 1
    funnel = next(a for a in alts if a.startswith("Funnel plot of conversion against closed leads"))
    assert (
        "Clara Jensen 12.1% of 189 leads, below" in funnel
        and "Leo Fischer 35.7% of 14 leads, within" in funnel
    )


def test_names_are_escaped_and_the_page_is_safe(rendered):
    page_html = (rendered / "2026" / "manager_comparison.html").read_text(encoding="utf-8")
    assert HOSTILE_NAME not in page_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html
    raw_alts = re.findall(r"<img alt=([\"'])(.*?)\1", page_html)
    assert len(raw_alts) == 6 and all("&lt;script&gt;alert(1)&lt;/script&gt;" in a for _, a in raw_alts)
    assert all(HOSTILE_NAME in a for a in _alts(page_html))  # the name itself, shown as text
    assert re.findall(r"<script[^>]*>", page_html) == ["<script>"]  # the toolkit's own sorter only
    assert f"<script>{page.script()}</script>" in page_html
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", page_html)


def test_manager_tests_csv(rendered):
    csv = pd.read_csv(rendered / "2026" / "manager_tests.csv")
    assert tuple(csv.columns) == TESTS_COLUMNS
    assert csv.groupby("metric").size().to_dict() == {
        "average_check": 16,  # 2026's 16 managers: the leaver M16 until May, the joiner M15 from August
        "conversion": 16,
        "margin_rate": 16,
        "new_customers": 16,
    }
    flagged = csv[csv["verdict"].isin(["above", "below"])]
    assert set(zip(flagged["metric"], flagged["manager"], flagged["verdict"], strict=True)) == {
        ("conversion", "M03", "below"),
        ("average_check", "M07", "above"),
        ("margin_rate", "M04", "below"),
        ("new_customers", "M03", "below"),
        ("new_customers", "M12", "below"),
    }
    names = csv.set_index(["metric", "manager"])["name"]
    assert names[("conversion", "M02")] == "'" + FORMULA_NAME  # neutralised for spreadsheets
    assert names[("conversion", "M01")] == HOSTILE_NAME  # plain text in a CSV
    # everyone has enough data over the year but the joiner M15 (four orders: no average-check test)
    assert set(csv.loc[csv["test"].isna(), "manager"]) <= {"M15"}


def test_record(rendered):
    record = json.loads((rendered / "2026" / "manager_comparison.report.json").read_text(encoding="utf-8"))
    assert record["kind"] == "comparison" and not record["subject"] and record["period"] == "2026"
    figures = {f["key"]: f for f in record["key_figures"]}
    assert figures["below"]["text"] == "Clara Jensen (Conversion) and Dmitry Volkov (Margin rate)"
    assert figures["above"]["text"] == "Grace Okafor (Average check)" and "global_p" not in figures
    assert record["parameters"]["metric"] == "" and record["parameters"]["alpha"] == "0.05"


def test_average_check_report_for_a_team(hostile_demo, tmp_path):
    result = _cli(
        "compare", "--data", str(hostile_demo), "--period", "2026Q3", "--team", "North",
        "--metric", "average_check", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    page_html = (tmp_path / "2026Q3" / "manager_comparison_average_check_north.html").read_text(
        encoding="utf-8"
    )
    text = _text(page_html)
    assert "Grace Okafor's average check is above the rest of the team's" in text
    assert "Checks beside the average-check verdicts, 2026Q3" in text
    assert "render this report with --metric conversion" in text  # no funnel for amounts
    alts = _alts(page_html)
    assert any(a.startswith("Box plots of order amounts per manager") for a in alts)
    assert (tmp_path / "2026Q3" / "manager_tests_north.csv").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--metric", "revenue"],
            "--metric revenue is not one of conversion, average_check, new_customers, margin_rate",
        ),
        (["--team", "West"], "--team West is not a team of this data set"),
        (["--alpha", "1.5"], "--alpha 1.5 is outside (0, 1)"),
    ],
)
def test_bad_options_fail_cleanly(hostile_demo, tmp_path, args, message):
    result = _cli(
        "compare", "--data", str(hostile_demo), "--period", "2026", "--out", str(tmp_path / "o"), *args
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").rglob("*.html"))


# the quarterly report's section -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_quarter(demo: kt.SalesData):
    return quarterly_report(demo, period="2026Q3")


def test_quarterly_section_shows_the_year_to_date_verdicts(demo, demo_quarter):
    text = _text(differences_views.differences_section(demo, demo_quarter))
    assert "Differences between managers" in text and "Over 2026Q1 – 2026Q3" in text
    assert (
        "Clara Jensen's conversion is below the rest of the team's: 12.1% against 28.4% (adjusted p < 0.001)."
        in text
    )
    assert "Grace Okafor's average check is above the rest of the team's: 84,171 against 46,245" in text
    assert "manager comparison report for 2026." in text
    south = _text(
        differences_views.differences_section(demo, quarterly_report(demo, period="2026Q3", team="South"))
    )
    assert "No manager's conversion or average check differs" in south


def test_quarterly_section_in_russian_has_no_english_message(demo, demo_quarter):
    text = _text(differences_views.differences_section(demo, demo_quarter, translator("ru", currency="RUB")))
    assert "Различия между менеджерами" in text and "1 кв. 2026 – 3 кв. 2026" in text
    assert "Clara Jensen: конверсия ниже, чем у остальной команды: 12,1 % против 28,4 %" in text
    for key in QUARTERLY_KEYS:
        messages = MESSAGES["en"][key]
        for message in messages.values() if isinstance(messages, dict) else [messages]:
            for fragment in re.split(r"\{[a-z_]+\}", message):
                fragment = fragment.strip(" .,:;()–-·")
                if len(fragment) >= 6 and " " in fragment:
                    assert fragment not in text, (key, fragment)


def test_quarterly_section_with_one_manager_or_no_leads(tiny):
    one = quarterly_report(tiny, period="2026Q3", team="South")  # cat, alone in South
    assert "Fewer than two managers" in _text(differences_views.differences_section(tiny, one))
    tables = {"orders": tiny.orders, "managers": tiny.managers}
    no_leads = kt.from_frames(**tables)
    text = _text(differences_views.differences_section(no_leads, quarterly_report(no_leads, period="2026Q3")))
    assert "no leads table: conversion is not compared" in text


def test_quarterly_keys_exist_in_every_language_with_the_same_placeholders():
    for lang, messages in MESSAGES.items():
        for key in QUARTERLY_KEYS:
            assert key in messages, (lang, key)
            english, other = MESSAGES["en"][key], messages[key]
            assert isinstance(english, dict) == isinstance(other, dict), key
            texts = (
                zip(english.values(), other.values(), strict=False)
                if isinstance(english, dict)
                else [(english, other)]
            )
            for en_text, text in texts:
                assert placeholders(en_text) == placeholders(text), (lang, key)
    assert set(MESSAGES["ru"]["comparison.quarterly.leads"]) == {"one", "few", "many", "other"}


def test_report_numbers_object(demo):
    r = comparison_report(demo, period="2026Q3", metric="conversion")
    assert r.table.set_index("manager").loc["M12", "verdict"] == "insufficient data"
    sentences = conclusion_views.conclusion_sentences(r)
    assert sentences[-1] == (
        # the leaver M16 (left in May) is not compared in 2026Q3: only the managers active in the period
        "Too few closed leads for a verdict on 1 manager (at least 10 needed): Leo Fischer (4)."
    )
    assert "M16" not in set(r.table["manager"]) and "M16" not in r.managers
    assert (
        "No manager's conversion differs from the rest of the team beyond what chance explains"
        in sentences[0]
    )
    assert r.shrunk is not None and r.shrunk.attrs["no_spread"]
    assert "no evidence that the managers differ" in _text(conversion_views.ranking_section(r))
    assert 0.15 < r.detectable < 0.3  # what a quarter can detect: about 20 points
    with pytest.raises(kt.ParameterError, match="needs the leads table"):
        comparison_report(
            kt.from_frames(demo.orders, managers=demo.managers), period="2026", metric="conversion"
        )
    # without one, a page of every KPI the data allow: those that need no leads
    assert comparison_report(
        kt.from_frames(demo.orders, managers=demo.managers), period="2026Q3"
    ).metrics == ["average_check", "margin_rate"]


# the report in Russian (issue #9) ---------------------------------------------------------------------------
NBSP = "\xa0"
#: Messages without words of a language: symbols, formulas and placeholders.
WORDLESS = {
    "comparison.p", "comparison.p_below", "comparison.p_above", "comparison.global.p", "comparison.col.p",
    "comparison.figure.tested_text", "comparison.conclusions.insufficient_item", "comparison.note.welch_df",
    "comparison.funnel.signal_item", "comparison.amounts.alt_item", "comparison.plot.pair",
    "comparison.page.figure_item",
}  # fmt: skip
#: English headings of the comparison report that a Russian page must not show.
ENGLISH_HEADINGS = (
    "What the data say", "Are all managers alike?", "Each manager against the rest of the team",
    "Funnel plot", "Ranking: raw and shrunk", "Order amounts", "Reading the tests and the funnel plot",
    "How this report was made", "Key figures", "Manager comparison",
)  # fmt: skip
RUSSIAN_HEADINGS = (
    "Что говорят данные", "Одинаковы ли все менеджеры?", "Каждый менеджер против остальной команды",
    "Контрольные границы конверсии", "Рейтинг: исходный и сглаженный",
    "Как читать тесты и график контрольных границ",
    "Как сделан этот отчёт",
)  # fmt: skip


def _plain(page_html: str) -> str:
    """The page's text as :func:`_text` gives it, but with its non-breaking spaces kept (the locale's)."""
    body = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page_html, flags=re.S)
    return html_lib.unescape(re.sub(r"[ \t\n\r\f\v]+", " ", re.sub(r"<[^>]+>", " ", body)))


def _forms(message: str | dict[str, str]) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


def test_every_message_has_a_russian_translation_with_the_same_placeholders():
    english, russian = MESSAGES["en"], MESSAGES["ru"]
    assert list(russian) == list(english)  # every key, in the same order
    russian_tags = set(Locale.parse("ru").plural_form.tags) | {"other"}
    assert russian_tags == {"one", "few", "many", "other"}
    plural = 0
    for key, message in english.items():
        other = russian[key]
        assert isinstance(other, dict) == isinstance(message, dict), key
        if isinstance(message, dict):
            plural += 1
            assert set(message) == {"one", "other"}, key
            assert set(other) == russian_tags, (key, sorted(other))
        wanted = set().union(*(placeholders(m) for m in _forms(message))) - {"count"}
        for text in _forms(other):
            # a form may leave out {count} (English "the other manager"), never add or drop another value
            assert placeholders(text) - {"count"} == wanted, (key, text)
            if key not in WORDLESS:
                assert re.search("[а-яё]", text, flags=re.I), (key, text)  # translated, not copied
        if isinstance(message, dict):
            assert all("{count}" in text for text in other.values()), key  # 21 is "one" in Russian
    assert plural >= 15
    # the module's fallback is English: nothing may rely on it in Russian any more
    tr = translator("ru")
    assert all(MESSAGES["ru"].get(key) for key in english) and tr.lang == "ru"


@pytest.mark.parametrize(
    ("key", "count", "expected"),
    [("comparison.managers", 1, "1 менеджер"), ("comparison.managers", 3, "3 менеджера"),
     ("comparison.managers", 14, "14 менеджеров"), ("comparison.managers", 21, "21 менеджер"),
     ("comparison.tests_count", 14, "14 сравнений"), ("comparison.tests_count", 22, "22 сравнения"),
     ("comparison.test_name.monte_carlo", 10_000, f"хи-квадрат (p методом Монте-Карло, 10{NBSP}000 таблиц)")],
)  # fmt: skip
def test_russian_plural_forms_of_the_comparison(key, count, expected):
    assert _t(translator("ru"), key, count=count) == expected


@pytest.fixture(scope="module")
def demo_year(demo: kt.SalesData):
    return {m: comparison_report(demo, period="2026", metric=m) for m in ("conversion", "average_check")}


def _russian_views(r) -> str:
    tr = translator("ru", currency="RUB")
    parts = [
        views.title(r, tr), views.headline(r, tr), views.caveats(r, tr), views.introduction(r, tr),
        conclusion_views.conclusions(r, tr),
        verdict_views.global_section(r, tr), verdict_views.verdicts_section(r, tr),
        conversion_views.funnel_section(r, tr), conversion_views.ranking_section(r, tr),
        amount_views.amounts_section(r, tr),
        appendix_views.reading_guide(r, tr),
        appendix_views.provenance(r, tr, parameters={"lang": "ru", "currency": "RUB"}),
    ]  # fmt: skip
    page_html = "".join(parts)
    alts = [html_lib.unescape(a) for a in re.findall(r'alt="([^"]*)"', page_html)]
    assert len(alts) >= 1
    return _plain(page_html) + " " + " ".join(alts)


def _english_fragments() -> set[str]:
    """The words of every English message (the text between its placeholders): none may show in Russian."""
    fragments = set()
    for key, message in MESSAGES["en"].items():
        if key in WORDLESS:
            continue
        for text in _forms(message):
            for fragment in re.split(r"\{[a-z_0-9]+\}", text):
                fragment = fragment.strip(" .,:;()–-·")
                if len(fragment) >= 6 and " " in fragment:
                    fragments.add(fragment)
    return fragments


@pytest.mark.parametrize("metric", ["conversion", "average_check"])
def test_russian_views_leave_no_english_message(demo_year, metric):
    r = demo_year[metric]
    text = _russian_views(r)
    for fragment in _english_fragments():
        assert fragment not in text, fragment
    for heading in ENGLISH_HEADINGS:
        assert heading not in text, heading
    # what is left in Latin letters is data (names, tables, the fingerprint), codes and test names of R
    rest = text.replace(r.source, " ").replace(r.data_fingerprint, " ")
    words = set(re.findall(r"[A-Za-z][A-Za-z_-]*[A-Za-z]", rest))
    names = {w for n in r.names.values() for w in n.split()} | set(r.teams.values())
    codes = {"CRM", "manager_tests", "csv", "prop", "test", "poisson", "kpi-toolkit", "sha", "lang", "ru"}
    codes |= {
        "currency",
        "RUB",
        "orders",
        "leads",
        "plans",
        "managers",
        "activities",
        "returns",
        "metric",
        "conversion",
    }
    assert words <= names | codes, words - names - codes


def test_russian_views_show_russian_words_and_locale_numbers(demo_year):
    conversion = _russian_views(demo_year["conversion"])
    for heading in RUSSIAN_HEADINGS:
        assert heading in conversion, heading
    assert "Конверсия: сравнение менеджеров за 2026 г." in conversion
    assert "все команды · 16 менеджеров · данные на 30.09.2026" in conversion
    assert (
        f"Clara Jensen: конверсия ниже, чем у остальной команды: 12,1{NBSP}% против 28,4{NBSP}% закрытых "
        f"лидов (189 и 2{NBSP}393); p < 0,001 с поправкой на 16 сравнений (метод Холма)."
    ) in conversion
    assert "Для 15 других менеджеров отличий от остальной команды не выявлено" in conversion
    assert f"хи-квадрат (p методом Монте-Карло, 10{NBSP}000 таблиц), статистика 35,14" in conversion
    assert "минимальное ожидаемое число 3,81 (< 5: приближение хи-квадрат сомнительно)" in conversion
    assert "За границами: Clara Jensen (ниже) и Dmitry Volkov (под наблюдением)." in conversion
    assert f"Clara Jensen 12,1{NBSP}% (закрытых лидов: 189), ниже" in conversion  # the funnel's alt text
    assert "Данные заканчиваются 30.09.2026, раньше конца периода 2026 г." in conversion
    check = _russian_views(demo_year["average_check"])
    # money as the locale writes it: non-breaking spaces between thousands, the rouble sign after
    assert (
        "Grace Okafor: средний чек выше, чем у остальной команды: "
        f"84{NBSP}171{NBSP}₽ против 46{NBSP}245{NBSP}₽ (заказов: 155 и 2{NBSP}086, включая заказы с нулевой "
        "суммой); отношение средних чеков – 1,82 (интервал 95 %: от 1,57 до 2,22)"
    ) in check
    assert "Отношение типичных заказов (средних геометрических)" in check  # the check beside the verdict
    # 15 managers judged in 2026 (the joiner M15's 4 orders are too few): F(14, ...)
    assert "F(14, 575,40); 0 нулевых сумм не логарифмировано" in check
    assert "Суммы заказов" in check and "Проверки рядом с выводами по среднему чеку, 2026 г." in check
    assert "84,171" not in check and "2,086" not in check


def test_russian_figures(demo_year):
    tr = translator("ru", currency="RUB")
    r = demo_year["conversion"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the font would warn
        axes = [
            comparison_figures.verdicts_plot(r, tr),
            comparison_figures.funnel_plot(r, tr),
            comparison_figures.ranking_plot(r, tr),
            comparison_figures.amounts_plot(demo_year["average_check"], tr),
        ]
        for ax in axes:
            ax.figure.canvas.draw()
    verdicts, funnel, ranking, amounts = axes
    assert verdicts.get_xlabel() == "разница в конверсии, п. п. (интервал 95 %)"
    assert "Clara Jensen" in [t.get_text() for t in verdicts.get_yticklabels()]  # against the whole rest
    # the name alone, also against a rest without a colleague (the table says whom): the labels take under
    # a third of the figure's width (62 % before, with the rest named), the intervals the remainder
    labels = [t.get_text() for t in verdicts.get_yticklabels()]
    assert "Anna Petrova" in labels and not any("остальная" in label for label in labels)
    renderer = verdicts.figure.canvas.get_renderer()
    left = min(t.get_window_extent(renderer).x0 for t in verdicts.get_yticklabels())
    share = (verdicts.get_window_extent(renderer).x0 - left) / verdicts.figure.bbox.width
    assert share < 0.3, share
    assert sorted(t.get_text() for t in verdicts.get_legend().get_texts()) == ["ниже", "различий не выявлено"]
    assert (funnel.get_xlabel(), funnel.get_ylabel()) == ("закрытые лиды", "конверсия")
    legend = {t.get_text() for t in funnel.get_legend().get_texts()}
    assert {f"границы 95{NBSP}%", f"границы 99,8{NBSP}%", "ниже", "под наблюдением", "в пределах"} == legend
    assert any(t.get_text().endswith(f"{NBSP}%") for t in funnel.get_yticklabels())
    assert ranking.get_xlabel() == "конверсия"
    assert {t.get_text() for t in ranking.get_legend().get_texts()} == {
        "сглаженная конверсия (интервал 95 %)", "исходная конверсия", "конверсия команды"
    }  # fmt: skip
    assert amounts.get_xlabel() == "сумма заказа, ₽ (логарифмическая шкала)"
    assert amounts.get_ylabel() == "Менеджер"
    assert any("тыс." in t.get_text() for t in amounts.get_xticklabels())
    # English figures keep English words, with the same machinery
    en = comparison_figures.funnel_plot(r, translator("en"))
    assert en.get_xlabel() == "closed leads" and "95% limits" in {
        t.get_text() for t in en.get_legend().get_texts()
    }
    plt.close("all")


@pytest.fixture(scope="module")
def rendered_ru(tmp_path_factory: pytest.TempPathFactory, hostile_demo: Path) -> Path:
    out = tmp_path_factory.mktemp("reports_ru")
    result = _cli(
        "compare", "--data", str(hostile_demo), "--period", "2026", "--lang", "ru", "--currency", "RUB",
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_russian_render_files_record_and_codes(rendered_ru):
    folder = rendered_ru / "2026"
    assert sorted(p.name for p in folder.iterdir()) == [
        "manager_comparison.ru.html",
        "manager_comparison.ru.report.json",
        "manager_tests.csv",
    ]
    record = json.loads((folder / "manager_comparison.ru.report.json").read_text(encoding="utf-8"))
    assert record["lang"] == "ru" and record["currency"] == "RUB" and record["kind"] == "comparison"
    assert record["title"] == "Сравнение менеджеров за 2026 г."
    assert record["parameters"]["lang"] == "ru" and record["parameters"]["currency"] == "RUB"
    figures = {f["key"]: f for f in record["key_figures"]}
    assert (
        figures["below"]["label"] == "Ниже остальных"
        and figures["above"]["text"] == "Grace Okafor (Средний чек)"
    )
    # the data file keeps English codes
    csv = pd.read_csv(folder / "manager_tests.csv")
    assert tuple(csv.columns) == TESTS_COLUMNS
    assert set(csv["verdict"]) == {"above", "below", "no difference", "insufficient data"}  # M15's 4 orders
    assert "chi-square (Yates)" in set(csv["test"])
    index = (rendered_ru / "index.html").read_text(encoding="utf-8")
    assert "2026/manager_comparison.ru.html" in index and "Сравнение менеджеров за 2026 г." in index


def test_russian_render_page(rendered_ru):
    page_html = (rendered_ru / "2026" / "manager_comparison.ru.html").read_text(encoding="utf-8")
    text = _plain(page_html)
    assert '<html lang="ru"' in page_html
    assert "<title>Сравнение менеджеров за 2026 г.</title>" in page_html
    headings = [_text(h) for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page_html, flags=re.S)]
    assert [h.strip() for h in headings] == [
        "Сравнение менеджеров за 2026 г.",
        "Кто отличается от остальной команды",
        *RUSSIAN_HEADINGS[:2],
        *(
            f"{kpi}: каждый менеджер против остальной команды"
            for kpi in ("Конверсия", "Средний чек", "Маржинальность")
        ),
        *RUSSIAN_HEADINGS[3:5],
        "Суммы заказов",
        *RUSSIAN_HEADINGS[5:],
    ]
    assert (
        f"Grace Okafor: средний чек выше, чем у остальной команды, 84{NBSP}171{NBSP}₽ "
        f"против 46{NBSP}245{NBSP}₽ "
        "(скорректированное p = 0,020)"
    ) in text
    for heading in ENGLISH_HEADINGS:
        assert heading not in text, heading
    assert "Что предполагает каждый тест и когда ему не стоит доверять." in text
    assert f"12,1{NBSP}% против 28,4{NBSP}%" in text and f"(189 и 2{NBSP}393)" in text
    verdicts = re.findall(r"<tr>(?:(?!</tr>).)*Clara Jensen(?:(?!</tr>).)*</tr>", page_html, flags=re.S)
    assert any(">ниже</td>" in row for row in verdicts)
    # hostile names stay text, in Russian as in English
    assert HOSTILE_NAME not in page_html and "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html
    raw_alts = re.findall(r"<img alt=([\"'])(.*?)\1", page_html)
    assert len(raw_alts) == 6 and all("&lt;script&gt;alert(1)&lt;/script&gt;" in a for _, a in raw_alts)
    alts = _alts(page_html)
    assert alts[3].startswith("График конверсии с контрольными границами в зависимости от числа")
    assert re.findall(r"<script[^>]*>", page_html) == ["<script>"]
    assert "import kpi_toolkit" not in page_html and "Traceback" not in text and "Warning" not in text


def test_the_page_of_every_kpi_controls_false_flags_across_its_kpis(demo):
    """Holm within each KPI at alpha / K, Bonferroni across the K KPIs of the page: the page's p-values are
    K times kt.compare_managers's at that level, and a verdict exactly when they are below alpha."""
    r = comparison_report(demo, period="2026Q3")
    assert r.metrics == ["conversion", "average_check", "margin_rate"] and r.family == 3
    for metric in r.metrics:
        own = kt.compare_managers(demo, period="2026Q3", metric=metric, alpha=0.05 / 3)
        page_table = r.tables[metric]
        assert page_table["verdict"].tolist() == own["verdict"].tolist(), metric
        expected = (3 * own["p_adjusted"]).clip(upper=1.0)
        pd.testing.assert_series_equal(page_table["p_adjusted"], expected, check_names=False)
        tested = page_table[page_table["p_adjusted"].notna()]
        flagged = tested["verdict"].isin(["above", "below"])
        assert (flagged == (tested["p_adjusted"] < 0.05)).all(), metric
    # the page's own words say how
    text = _text(views.first_screen(r))
    assert "the level 5% is shared (Bonferroni: 1.67% each)" in text
    assert "multiplied by 3" in text
    # one KPI asked for: the verdicts of kt.compare_managers at alpha itself
    one = comparison_report(demo, period="2026Q3", metric="margin_rate")
    assert one.metrics == ["margin_rate"] and one.family == 1
    pd.testing.assert_series_equal(
        one.table["p_adjusted"],
        kt.compare_managers(demo, period="2026Q3", metric="margin_rate")["p_adjusted"],
        check_names=False,
    )
