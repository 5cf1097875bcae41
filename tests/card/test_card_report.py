"""The KPI card report: its notebook, its sections, and ``kpi-report card`` end to end (HTML, xlsx, csv)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from babel import Locale

import kpi_toolkit as kt
from kpi_toolkit.report import (
    card_definition_views,
    card_formats,
    card_messages,
    card_payout_views,
    card_views,
    notebook_parameters,
    notebook_path,
    translator,
)
from kpi_toolkit.report.card_report import card_report
from kpi_toolkit.report.i18n import LANGUAGES, placeholders
from tests.card.conftest import EXAMPLE_CARD, PERIOD, card_tables

HOSTILE_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("x")'
SECTIONS = ((card_views, "title"), (card_views, "headline"), (card_views, "caveats"),
            (card_views, "introduction"), (card_definition_views, "card_section"),
            (card_definition_views, "curve_section"), (card_payout_views, "scorecard_section"),
            (card_payout_views, "payouts_section"), (card_payout_views, "cost_section"))  # fmt: skip
VIEWS = (card_views, card_definition_views, card_payout_views, card_formats)
NBSP = "\xa0"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_toolkit", *args], capture_output=True, text=True, timeout=300, check=False
    )


def _page(r, tr=None) -> str:
    parts = [getattr(module, name)(r, tr) for module, name in SECTIONS]
    parts.append(card_views.provenance(r, tr, parameters={"card": "x.yml", "team": ""}))
    return "".join(parts)


def test_notebook_declares_typed_documented_parameters():
    path = notebook_path("card")
    assert path.name == "kpi_card.ipynb"
    params = notebook_parameters(path)
    assert set(params) == {"data_dir", "period", "card", "team", "lang", "currency", "mapping", "on_invalid",
                           "plan_metric", "output_dir"}  # fmt: skip
    for name, spec in params.items():
        assert spec["inferred_type_name"] == "str", name
        assert spec["help"], f"parameter {name} has no help comment"


def test_every_message_the_views_use_is_defined():
    source = "".join(Path(module.__file__).read_text(encoding="utf-8") for module in VIEWS)
    used = set(re.findall(r'_t\(\s*tr,\s*"(card\.[a-z_.]+)"', source))
    columns = ("kpi", "weight", "target", "direction", "threshold", "threshold_factor", "cap", "cap_factor")
    used |= {f"card.card.{c}" for c in (*columns, "higher", "lower")}
    used |= {f"card.kind.{k}" for k in ("month", "quarter", "year")}
    used |= {key for _, key in card_messages.REASONS + card_messages.NOTES}
    assert set(card_messages.MESSAGES) == set(LANGUAGES)
    for lang in LANGUAGES:
        assert used <= set(card_messages.MESSAGES[lang]), (lang, used - set(card_messages.MESSAGES[lang]))
    assert len(used) > 70


def _texts(message: str | dict[str, str]) -> list[str]:
    return list(message.values()) if isinstance(message, dict) else [message]


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {"en"}))
def test_every_message_is_in_every_language_with_the_same_placeholders(lang):
    english, other = card_messages.MESSAGES["en"], card_messages.MESSAGES[lang]
    assert sorted(other) == sorted(english)
    tags = set(Locale.parse(lang).plural_form.tags) | {"other"}
    plural = {key for key, message in english.items() if isinstance(message, dict)}
    assert {key for key, message in other.items() if isinstance(message, dict)} == plural
    assert len(plural) == 6
    for key, message in english.items():
        if key in plural:
            assert set(other[key]) == tags, (key, sorted(other[key]))
        wanted = set().union(*(placeholders(m) for m in _texts(message)))
        for text in _texts(other[key]):
            # a plural form may leave out {count}, never add or drop another value
            assert placeholders(text) - {"count"} == wanted - {"count"}, (key, text)
            # no English word left: only the codes and names every language writes alike
            words = set(re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[a-z_]+\}", "", text)))
            assert words <= {"KPI", "bonuses", "xlsx", "sha", "kpi", "toolkit"}, (key, text)


def test_russian_has_every_plural_form_cldr_needs():
    assert set(Locale.parse("ru").plural_form.tags) | {"other"} == {"one", "few", "many", "other"}


@pytest.mark.parametrize(
    ("count", "managers", "paid"),
    [
        (1, "1 менеджер", "Премию получает 1 менеджер."),
        (3, "3 менеджера", "Премию получают 3 менеджера."),
        (5, "5 менеджеров", "Премию получают 5 менеджеров."),
        (11, "11 менеджеров", "Премию получают 11 менеджеров."),
        (21, "21 менеджер", "Премию получает 21 менеджер."),
        (1234, f"1{NBSP}234 менеджера", f"Премию получают 1{NBSP}234 менеджера."),
    ],
)
def test_russian_plural_forms(count, managers, paid):
    ru = translator("ru")
    assert card_messages.message(ru, "card.managers", count=count) == managers
    assert card_messages.message(ru, "card.cost.paid", count=count) == paid


@pytest.fixture(scope="module")
def hostile() -> kt.SalesData:
    tables = card_tables()
    tables["managers"] = tables["managers"].assign(name=[HOSTILE_NAME, FORMULA_NAME, "Cat", "Dan", "Eve"])
    return kt.from_frames(**tables)


@pytest.fixture
def card(card_dict):
    card_dict["kpis"][2]["target"] = 2
    card_dict["base_bonus"] = 1000
    return card_dict


def test_sections_show_the_payouts_escaped(hostile, card):
    # The payouts of tests/card/test_api.py::test_golden_payouts.
    r = card_report(hostile, period=PERIOD, card=card)
    page = _page(r)
    for amount in ("937.50", "1,175.00", "1,050.00", "3,162.50"):
        assert amount in page
    assert HOSTILE_NAME not in page and html.escape(HOSTILE_NAME) in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#39;s" not in page  # the highest bonus is Bob's
    assert "The highest bonus is =HYPERLINK(&#34;x&#34;)&#39;s (1,175.00, score 1.1750)." in page
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Under this card 5 managers are paid 3,162.50 in all, 63% of the 5,000.00" in text
    # the cost paragraph names those the gate stops once, not also as "no bonus"
    assert "No bonus for" not in text and "The gate stops 2 managers' bonuses: Dan and Eve." in text
    assert "Sales volume could not be computed for 1 manager, who gets factor 0 for it: Eve (no plan" in text
    assert "Conversion could not be computed for 1 manager" in text
    assert "Gate: no bonus at all unless Sales volume reaches 70% of its target." in text
    assert "Paid per quarter: a base bonus of 1,000.00 per manager" in text
    # the payouts' notes in words: the KPI's name, the achievement as a percentage
    assert "gate failed: Sales volume achievement 60% is below 70%: no bonus" in text
    assert "Conversion: cannot be computed (actual is missing): factor 0" in text


def _words(page: str) -> str:
    """The text of a page as a reader sees it (tags dropped, entities decoded, white space, no-break spaces
    too, collapsed to one space)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


#: Headings of the English report, none of which a Russian report may show.
ENGLISH_HEADINGS = ("KPI card and bonuses", "Key figures", "Read with care", "The card", "Payout curve",
                    "Achievements and factors", "Bonuses", "Total cost",
                    "How this report was made")  # fmt: skip
RUSSIAN_HEADINGS = ("Карта KPI", "Шкала выплат", "Выполнение и коэффициенты", "Премии", "Общая сумма премий",
                    "Как сделан этот отчёт")  # fmt: skip


def test_sections_in_russian(hostile, card):
    r = card_report(hostile, period=PERIOD, card=card)
    page = _page(r, translator("ru", currency="RUB"))
    for heading in RUSSIAN_HEADINGS:
        assert f"<h2>{heading}</h2>" in page, heading
    assert "<h1>Карта KPI и премии за 3 кв. 2026</h1>" in page
    for amount in ("937,50", f"1{NBSP}175,00", f"1{NBSP}050,00", f"3{NBSP}162,50"):
        assert f">{amount}{NBSP}₽</td>" in page, amount  # the bonuses and their total
    assert HOSTILE_NAME not in page and html.escape(HOSTILE_NAME) in page
    text = _words(page)
    for heading in ENGLISH_HEADINGS:
        assert heading not in text, heading
    assert "Sales manager card · все команды · 5 менеджеров · данные на 30.09.2026" in text
    assert "Всего к выплате 3 162,50 ₽ 63 % целевого фонда Получают премию 3 из 5" in text
    assert (
        "Всего по этой карте к выплате 3 162,50 ₽ (5 менеджеров): 63 % от 5 000,00 ₽, которые карта стоила бы"
        in text
    )
    assert "Премию получают 3 менеджера. 2 менеджера не прошли" in text and "Без премии" not in text
    assert "2 менеджера не прошли условие допуска и остаются без премии: Dan и Eve." in text
    assert 'Самая большая премия – у =HYPERLINK("x") (1 175,00 ₽, итоговый коэффициент 1,1750).' in text
    assert (
        "Показатель «Объём продаж» не удалось рассчитать для 1 менеджера, коэффициент по нему 0: "
        "Eve (у менеджера нет плана на этот период)." in text
    )
    assert "Условие допуска: если показатель «Объём продаж» выполнен меньше чем на 70 %, премия" in text
    assert "Выплачивается за квартал: базовая премия 1 000,00 ₽ на менеджера" in text
    assert "Менеджер Команда Итоговый коэффициент Допуск Базовая премия Премия Примечания" in text
    assert (
        "Dan South 0,4000 не пройден 1 000,00 ₽ 0,00 ₽ условие допуска не пройдено: показатель «Объём" in text
    )
    assert (
        "Eve Конверсия – 25,0 % – 0,0000 30,0 % 0,0000 нельзя рассчитать (нет фактического значения)" in text
    )
    assert "Итого – 5 000,00 ₽ 3 162,50 ₽" in text
    # no English message shows up, not even in part ...
    for key, message in card_messages.MESSAGES["en"].items():
        for form in _texts(message):
            for fragment in re.split(r"\{[a-z_]+\}", form):
                fragment = fragment.strip(" .,:;()–-·'")
                if len(fragment) >= 6 and " " in fragment:
                    assert fragment not in text, (key, fragment)
    # ... and what is left in Latin letters is data (names, teams, the card's name, the parameters' names,
    # fingerprints) and codes (KPI, file and table names)
    for value in (r.data_fingerprint, r.card_fingerprint, r.source, r.card.source):  # <memory>, <dict>
        text = text.replace(value, " ")
    words = set(re.findall(r"[A-Za-z][A-Za-z-]+", text))
    data = {"script", "alert", "HYPERLINK", "Cat", "Dan", "Eve", "North", "South", "Sales", "manager", "card"}
    codes = {
        "KPI",
        "bonuses",
        "ru",
        "xlsx",
        "sha",
        "kpi-toolkit",
        "yml",
        "team",
        "orders",
        "leads",
        "plans",
        "managers",
    }
    assert words <= data | codes, words - data - codes


def test_russian_sections_of_other_cards(hostile, card):
    tr = translator("ru")
    per_manager = {"base_bonus": None, "base_bonus_column": "bonus_base", "gate": None}
    text = _words(_page(card_report(hostile, period=PERIOD, card=card, overrides=per_manager), tr))
    assert "у каждого менеджера своя базовая премия, из столбца bonus_base таблицы менеджеров" in text
    assert "У 1 менеджера нет базовой премии в столбце bonus_base таблицы менеджеров: Cat." in text
    assert "1 премия неизвестна (нет базовой премии) и не вошла в итог: Cat." in text
    assert "Cat North 1,0500 – – нет базовой премии (столбец bonus_base): премия неизвестна" in text
    assert "Условия допуска в карте нет." in text and "Допуск" not in text  # no gate, no gate column
    own = {"gate": {"metric": "orders", "min_achievement": 0.5, "target": 2}}
    text = _words(_page(card_report(hostile, period=PERIOD, card=card, overrides=own), tr))
    assert "если показатель «Заказы» выполнен меньше чем на 50 % от цели 2, премия" in text


def test_payout_curve_speaks_russian(hostile, card, monkeypatch):
    drawn = {}

    def capture(fig, *, alt, caption="", dpi=110):
        ax = fig.axes[0]
        fig.canvas.draw()
        legend = ax.get_legend()
        drawn.update(
            title=ax.get_title(),
            xlabel=ax.get_xlabel(),
            ylabel=ax.get_ylabel(),
            legend=legend.get_title().get_text(),
            labels=[t.get_text() for t in legend.get_texts()],
            xticks=[t.get_text() for t in ax.get_xticklabels()],
            yticks=[t.get_text() for t in ax.get_yticklabels()],
            alt=alt,
            caption=caption,
        )
        return figure(fig, alt=alt, caption=caption, dpi=dpi)

    from kpi_toolkit.report.html import figure

    monkeypatch.setattr(card_definition_views.html, "figure", capture)
    card_definition_views.curve_figure(card_report(hostile, period=PERIOD, card=card), translator("ru"))
    assert drawn["title"] == "Шкала выплат: Sales manager card"
    assert drawn["xlabel"] == "Выполнение (факт / цель; цель / факт, если лучше меньше)"
    assert drawn["ylabel"] == "Коэффициент выплаты" and drawn["legend"] == "KPI"
    assert drawn["labels"] == ["Объём продаж, Конверсия", "Новые клиенты"]
    assert f"100{NBSP}%" in drawn["xticks"] and {"0,4", "1,0"} <= set(drawn["yticks"])
    assert drawn["alt"].startswith(
        f"Линейный график коэффициента выплаты в зависимости от выполнения. Объём продаж и Конверсия: "
        f"коэффициент 0 ниже 80{NBSP}%, 0,50 при 80{NBSP}%, 1,00 при 100{NBSP}%, 1,50 при 120{NBSP}%"
    )
    assert drawn["caption"] == "Коэффициент выплаты в зависимости от выполнения, Sales manager card."


def test_key_figures(hostile, card):
    r = card_report(hostile, period=PERIOD, card=card)
    figures = {f.key: f for f in card_views.key_figures(r)}
    assert figures["cost"].value == 3162.5 and figures["cost"].text == "3,162.50"
    assert figures["paid"].text == "3 of 5" and figures["gate_failed"].value == 2
    assert figures["cost_at_target"].value == 5000.0


def test_sections_of_other_cards(hostile, card):
    # per-manager base bonus (Cat's is missing: unknown, not in the total), no gate, an own gate target
    per_manager = {"base_bonus": None, "base_bonus_column": "bonus_base", "gate": None}
    text = html.unescape(_page(card_report(hostile, period=PERIOD, card=card, overrides=per_manager)))
    assert "each manager's own base bonus, from column bonus_base" in text
    assert "1 manager has no base bonus in column bonus_base of the managers table: Cat." in text
    assert "1 bonus is unknown (no base bonus) and not in the total: Cat." in text
    assert "The card has no gate." in text
    own = {"gate": {"metric": "orders", "min_achievement": 0.5, "target": 2}}
    text = html.unescape(_page(card_report(hostile, period=PERIOD, card=card, overrides=own)))
    assert "unless Orders reaches 50% of a target of 2." in text


def test_without_leads_and_with_a_currency(card):
    tables = card_tables()
    del tables["leads"]
    r = card_report(kt.from_frames(**tables), period=PERIOD, card=card)
    text = html.unescape(_page(r, translator("en", currency="EUR")))
    assert "The data set has no leads table, so Conversion cannot be computed: factor 0 for everyone." in text
    assert "Conversion could not be computed" not in text  # said once, not per manager
    assert "€1,000.00" in text


def test_bad_report_inputs_fail_before_anything_is_shown(hostile, card):
    with pytest.raises(kt.ParameterError, match="is a month"):
        card_report(hostile, period="2026-07", card=card)


# --- kpi-report card, end to end ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company with two hostile names: M01 a script tag, M02 a spreadsheet formula."""
    from kpi_toolkit.demo import write_demo_data

    folder = write_demo_data(tmp_path_factory.mktemp("demo"))
    managers = pd.read_csv(folder / "managers.csv", dtype=str)
    managers.loc[managers["manager"] == "M01", "name"] = HOSTILE_NAME
    managers.loc[managers["manager"] == "M02", "name"] = FORMULA_NAME
    managers.to_csv(folder / "managers.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, demo_hostile: Path) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = _cli("card", "--data", str(demo_hostile), "--period", "2026Q3", "--card", str(EXAMPLE_CARD),
                  "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_cli_writes_the_report_the_workbook_and_the_csv(rendered):
    assert sorted(p.name for p in (rendered / "2026Q3").iterdir()) == [
        "bonuses.csv",
        "bonuses.xlsx",
        "card.html",
        "card.report.json",
    ]
    assert (rendered / "index.html").is_file()
    record = json.loads((rendered / "2026Q3" / "card.report.json").read_text(encoding="utf-8"))
    assert record["kind"] == "card" and record["title"] == "KPI card and bonuses 2026Q3"


@pytest.mark.slow
def test_cli_report_has_every_payout_and_the_total_cost(rendered, demo_hostile):
    expected = kt.bonuses(kt.load(demo_hostile), period="2026Q3", card=EXAMPLE_CARD)
    page = (rendered / "2026Q3" / "card.html").read_text(encoding="utf-8")
    tr = translator("en")
    for bonus in expected["bonus"]:
        assert f">{tr.money(bonus, digits=2)}</td>" in page
    cost = tr.money(expected["bonus"].sum(), digits=2)
    assert f"paid {cost} in all" in page and f"<dd>{cost}</dd>" in page
    assert "<script src" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert HOSTILE_NAME not in page and html.escape(HOSTILE_NAME) in page
    assert 'src="data:image/svg+xml;base64,' in page and 'alt="Line chart of the payout factor' in page
    assert "Sales manager card" in page and "Payout curve" in page


@pytest.mark.slow
def test_cli_workbook_and_csv_are_spreadsheet_safe(rendered, demo_hostile):
    expected = kt.bonuses(kt.load(demo_hostile), period="2026Q3", card=EXAMPLE_CARD)
    csv = pd.read_csv(rendered / "2026Q3" / "bonuses.csv", dtype={"manager": str, "name": str})
    assert list(csv.columns) == ["manager", "name", "team", *expected.columns[1:]]
    assert csv["bonus"].tolist() == expected["bonus"].tolist()
    assert csv.loc[1, "name"] == "'" + FORMULA_NAME
    sheet = openpyxl.load_workbook(rendered / "2026Q3" / "bonuses.xlsx")["bonuses"]
    assert [c.value for c in sheet["B"]][:3] == ["name", HOSTILE_NAME, "'" + FORMULA_NAME]
    assert [c.value for c in sheet["G"]][1:] == expected["bonus"].tolist()
    assert {c.data_type for row in sheet.iter_rows() for c in row} <= {"s", "n", "b"}


@pytest.fixture(scope="module")
def rendered_ru(tmp_path_factory: pytest.TempPathFactory, demo_hostile: Path) -> Path:
    out = tmp_path_factory.mktemp("reports_ru")
    result = _cli("card", "--data", str(demo_hostile), "--period", "2026Q3", "--card", str(EXAMPLE_CARD),
                  "--lang", "ru", "--currency", "RUB", "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_cli_in_russian(rendered_ru, demo_hostile):
    folder = rendered_ru / "2026Q3"
    assert sorted(p.name for p in folder.iterdir()) == [
        "bonuses.ru.csv",
        "bonuses.ru.xlsx",
        "card.ru.html",
        "card.ru.report.json",
    ]
    record = json.loads((folder / "card.ru.report.json").read_text(encoding="utf-8"))
    assert (record["lang"], record["currency"], record["title"]) == (
        "ru",
        "RUB",
        "Карта KPI и премии за 3 кв. 2026",
    )
    assert record["parameters"]["lang"] == "ru"
    figures = {f["key"]: f for f in record["key_figures"]}
    # 14 of 15 with the joiner M15
    assert figures["paid"]["label"] == "Получают премию" and figures["paid"]["text"] == "14 из 15"
    page = (folder / "card.ru.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "<title>Карта KPI и премии за 3 кв. 2026</title>" in page
    for heading in RUSSIAN_HEADINGS:
        assert f"<h2>{heading}</h2>" in page, heading
    text = _words(page)
    for heading in ENGLISH_HEADINGS:
        assert heading not in text, heading
    assert "A KPI card says" not in text and "Карта KPI определяет, от каких KPI зависит премия" in text
    # every bonus, the total and the key figures in Russian money: 1 234 567,89 ₽
    expected = kt.bonuses(kt.load(demo_hostile), period="2026Q3", card=EXAMPLE_CARD)
    tr = translator("ru", currency="RUB")
    for bonus in expected["bonus"]:
        assert f">{tr.money(bonus, digits=2)}</td>" in page
    cost = tr.money(expected["bonus"].sum(), digits=2)
    assert cost == f"1{NBSP}457{NBSP}398,93{NBSP}₽" and f"<dd>{cost}</dd>" in page
    assert f"Всего по этой карте к выплате {cost} (15 менеджеров)" in page
    assert "Премию получают 14 менеджеров." in page
    assert "данные на 30.09.2026" in page
    assert 'alt="Линейный график коэффициента выплаты' in page
    assert HOSTILE_NAME not in page and html.escape(HOSTILE_NAME) in page
    assert "<script src" not in page and "http://" not in page.replace("http://www.w3.org", "")


@pytest.mark.slow
def test_cli_payroll_files_have_the_same_numbers_in_every_language(rendered, rendered_ru):
    """English keeps the codes a payroll system reads; Russian names the columns, sheets, KPIs and notes."""
    sheet = openpyxl.load_workbook(rendered / "2026Q3" / "bonuses.xlsx")["bonuses"]
    assert [c.value for c in sheet[1]][:7] == [
        "manager",
        "name",
        "team",
        "score",
        "gate_passed",
        "base_bonus",
        "bonus",
    ]
    assert not (rendered_ru / "2026Q3" / "bonuses.xlsx").exists()
    book = openpyxl.load_workbook(rendered_ru / "2026Q3" / "bonuses.ru.xlsx")
    assert book.sheetnames == ["Премии", "Выполнение KPI", "Карта"]
    russian = book["Премии"]
    assert [c.value for c in russian[1]][:7] == [
        "Код менеджера",
        "Менеджер",
        "Команда",
        "Итоговый коэффициент",
        "Допуск пройден",
        "Базовая премия",
        "Премия",
    ]
    assert [c.value for c in russian["G"]][1:] == [c.value for c in sheet["G"]][1:]  # the same bonuses
    assert {c.value for c in book["Выполнение KPI"]["B"]} >= {"KPI", "Объём продаж", "Конверсия"}
    english = pd.read_csv(rendered / "2026Q3" / "bonuses.csv")
    ru = pd.read_csv(rendered_ru / "2026Q3" / "bonuses.ru.csv")
    assert (
        list(ru.columns[:2]) == ["Код менеджера", "Менеджер"]
        and ru["Премия"].tolist() == english["bonus"].tolist()
    )
    notes = " ".join(ru["Примечания"].dropna())
    assert "условие допуска не пройдено" in notes and not re.search(r"gate|achievement", notes)


@pytest.mark.slow
def test_cli_errors_print_cleanly_and_leave_no_report(tmp_path, demo_hostile):
    bad = tmp_path / "bad.yml"
    bad.write_text(EXAMPLE_CARD.read_text().replace("  min_achievement: 0.7", "  min_achievment: 0.7"))
    out = tmp_path / "reports"
    result = _cli("card", "--data", str(demo_hostile), "--period", "2026Q3", "--card", str(bad),
                  "--out", str(out))  # fmt: skip
    assert result.returncode == 2
    assert "unknown key 'min_achievment' (did you mean 'min_achievement'?)" in result.stderr
    assert "Traceback" not in result.stderr
    result = _cli("card", "--data", str(demo_hostile), "--period", "2026-07", "--card", str(EXAMPLE_CARD),
                  "--out", str(out))  # fmt: skip
    assert result.returncode == 2 and "is a month, but the card" in result.stderr
    assert not out.exists()
