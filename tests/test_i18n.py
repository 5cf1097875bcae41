"""The report languages: catalogues in step, locale formats, plural forms, and nothing left untranslated."""

from __future__ import annotations

import re
import warnings

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from babel import Locale

import kpi_toolkit as kt
from kpi_toolkit import figures
from kpi_toolkit.report import figure_text, formatting, views
from kpi_toolkit.report import quarterly_kpi_views as kpi_views
from kpi_toolkit.report import quarterly_ranking_views as ranking_views
from kpi_toolkit.report import quarterly_trend_views as trend_views
from kpi_toolkit.report.i18n import LANGUAGES, Message, catalogue, placeholders, translator
from kpi_toolkit.report.quarterly import quarterly_report

NBSP = "\xa0"


def _messages(lang: str) -> dict[str, list[str]]:
    """Every text of a catalogue by key (a plural message: its forms)."""
    return {k: (list(v.values()) if isinstance(v, dict) else [v]) for k, v in catalogue(lang).items()}


@pytest.mark.parametrize("lang", sorted(set(LANGUAGES) - {"en"}))
def test_catalogues_have_the_same_keys_and_placeholders(lang):
    english, other = catalogue("en"), catalogue(lang)
    assert sorted(other) == sorted(english)
    for key in english:
        wanted = set().union(*(placeholders(m) for m in _messages("en")[key]))
        for message in _messages(lang)[key]:
            if key.startswith("period."):
                # a period's label is written with whichever of the values the language needs
                assert placeholders(message) <= {"label", "year", "quarter", "month", "period"}, (
                    key,
                    message,
                )
                continue
            # a form may leave out {count}, never add or drop another value
            assert placeholders(message) - {"count"} == wanted - {"count"}, (lang, key, message)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_plural_messages_have_every_form_the_language_needs(lang):
    tags = set(Locale.parse(lang).plural_form.tags) | {"other"}
    plural = {k: v for k, v in catalogue(lang).items() if isinstance(v, dict)}
    assert plural, "no plural messages at all"
    for key, forms in plural.items():
        assert set(forms) == tags, (lang, key, sorted(forms))
    english_plural = {k for k, v in catalogue("en").items() if isinstance(v, dict)}
    assert set(plural) == english_plural


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "1 менеджер"), (2, "2 менеджера"), (5, "5 менеджеров"), (11, "11 менеджеров"), (21, "21 менеджер"),
     (22, "22 менеджера"), (14.0, "14 менеджеров"), (1234, f"1{NBSP}234 менеджера")],
)  # fmt: skip
def test_russian_plural_forms(count, expected):
    assert translator("ru").t("quarterly.managers", count=count) == expected


def test_locale_formats_of_the_issue():
    ru = translator("ru", currency="RUB")
    assert ru.money(1234567.891, digits=2) == f"1{NBSP}234{NBSP}567,89{NBSP}₽"
    assert ru.date(pd.Timestamp("2026-11-26")) == "26.11.2026"
    en = translator("en")
    assert en.number(1234567.891, digits=2) == "1,234,567.89"
    assert en.money(1234567.891, digits=2) == "1,234,567.89"  # no currency given: no sign
    assert en.date(pd.Timestamp("2026-11-26 15:00")) == "2026-11-26"
    assert translator("en", currency="USD").money(1234567.891, digits=2) == "$1,234,567.89"
    assert translator("en", currency="eur").money(-5) == "-€5"


def test_formats_of_changes_and_missing_values():
    ru, en = translator("ru"), translator("en")
    assert (en.pct(0.284), ru.pct(0.284)) == ("28%", f"28{NBSP}%")
    assert (en.ratio(0.123), ru.ratio(-0.5)) == ("+12%", f"-50{NBSP}%")
    assert (en.pp(2.53), ru.pp(-2.53)) == ("+2.5 pp", "-2,5 п. п.")
    assert en.ratio(-0.001) == "+0%" and en.number(-0.2) == "0"  # never "-0"
    for value in (None, float("nan"), pd.NA, pd.NaT):
        assert en.money(value) == ru.pct(value) == ru.date(value) == formatting.MISSING
    assert (en.period("2026Q3"), ru.period("2026Q3"), ru.period("2026-07"), ru.period("2026")) == (
        "2026Q3",
        "3 кв. 2026",
        "июль 2026",
        "2026 г.",
    )
    assert ru.datetime(pd.Timestamp("2026-11-26 14:05", tz="Europe/Moscow")) == "26.11.2026, 11:05 UTC"
    assert ru.names(["Ann", "Bob", "Cat"]) == "Ann, Bob и Cat"
    assert (ru.verdict("no difference"), ru.verdict("insufficient data"), ru.verdict("on track")) == (
        "различий не выявлено",
        "мало данных",
        "в графике",
    )
    assert ru.verdict("some new code") == "some new code" and ru.kind("quarterly") == "Квартальный отчёт"


def test_numbers_cannot_be_glued_into_messages():
    tr = translator("en")
    with pytest.raises(TypeError, match="not text; format numbers"):
        tr.t("summary.change_on", change=0.12, period="2026Q3")
    with pytest.raises(kt.ParameterError, match=r"no message 'no\.such\.key'"):
        tr.t("no.such.key")
    with pytest.raises(TypeError, match="plural message"):
        tr.t("quarterly.managers")


def test_bad_language_or_currency_is_a_parameter_error():
    with pytest.raises(
        kt.ParameterError, match=r"lang='de' is not a report language\. Fix: use one of en, ru"
    ):
        translator("de")
    with pytest.raises(kt.ParameterError, match="currency='rubles' is not an ISO 4217"):
        translator("ru", currency="rubles")
    assert translator("ru", currency=" rub ").currency == "RUB"
    assert translator("ru", currency="").currency is None


def test_messages_translate_values_by_type():
    q3 = kt.parse_period("2026Q3")
    message = Message("caveat.incomplete", period=q3, date=pd.Timestamp("2026-08-15"))
    assert (
        translator("ru").say(message)
        == "Данные заканчиваются 15.08.2026, раньше конца периода 3 кв. 2026: период неполный."
    )
    assert (
        translator("en").say(message)
        == "The data ends on 2026-08-15, before 2026Q3 does: the period is incomplete."
    )
    with pytest.raises(TypeError, match="cannot show value"):
        translator("en").say(Message("caveat.incomplete", period=q3, date=0.5))


@pytest.fixture(scope="module")
def demo_report(demo) -> kt.SalesData:
    return quarterly_report(demo)


def _russian_report_text(report) -> str:
    tr = translator("ru", currency="RUB")
    parts = [
        views.title(report, tr),
        views.headline(report, tr),
        views.summary(report, tr),
        views.caveats(report, tr),
        kpi_views.kpi_section(report, tr),
        kpi_views.comparison_section(report, tr),
        ranking_views.ranking_table(report, tr),
        views.provenance(report, tr, parameters={"lang": "ru"}),
    ]
    html = "".join(parts)
    alts = " ".join(
        re.findall(
            r'alt="([^"]*)"',
            trend_views.trend_figures(report, tr) + ranking_views.attainment_figure(report, tr),
        )
    )
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)) + " " + alts


def test_russian_report_leaves_no_english_message(demo_report):
    text = _russian_report_text(demo_report)
    assert "Квартальный отчёт о продажах, 3 кв. 2026" in text and "Итого" in text
    russian = {m for texts in _messages("ru").values() for m in texts}
    for key, texts in _messages("en").items():
        for message in texts:
            # the words of each English message (its text between placeholders) must not show up
            for fragment in re.split(r"\{[a-z_]+\}", message):
                fragment = fragment.strip(" .,:;()–-·")
                if len(fragment) >= 6 and " " in fragment and fragment not in str(russian):
                    assert fragment not in text, (key, fragment)
    # what is left in Latin letters is data (names, teams, table and parameter codes, the data's path and
    # fingerprint) and the toolkit's name, never prose
    rest = text.replace(demo_report.source, " ").replace(demo_report.data_fingerprint, " ")
    words = set(re.findall(r"[A-Za-z][A-Za-z-]+", rest))
    names = {w for n in demo_report.names.values() for w in n.split()} | set(demo_report.teams.values())
    codes = {"kpi-toolkit", "KPI", "UTC", "sha", "lang", "ru", "orders", "leads", "plans", "managers"}
    codes.add("activities")
    assert words <= names | codes, words - names - codes


def test_figures_speak_the_language(demo_report):
    tr = translator("ru", currency="RUB")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a glyph missing from the font would warn
        ax = figures.plot_volume_vs_plan(demo_report.history_totals, **figure_text.volume(tr))
        ax.figure.canvas.draw()
    assert ax.get_ylabel() == "Объём продаж, ₽"  # the sign the amounts show, not the ISO code
    assert sorted(t.get_text() for t in ax.get_legend().get_texts()) == ["Объём продаж", "План"]
    assert ax.get_xticklabels()[-1].get_text() == "3 кв. 2026"
    assert any("млн" in t.get_text() for t in ax.get_yticklabels())
    ax = figures.plot_attainment_heatmap(
        demo_report.history, names=demo_report.names, **figure_text.heatmap(tr)
    )
    assert ax.collections[0].colorbar.ax.get_ylabel() == "% плана"
    ax = figures.plot_attainment(
        demo_report.ranking, names={"M01": "$x$ and $y$"}, **figure_text.attainment(tr)
    )
    ax.figure.canvas.draw()  # a "$" in a name is drawn as a dollar, not parsed as math
    assert r"\$x\$ and \$y\$" in [t.get_text() for t in ax.get_yticklabels()]
    assert ax.get_xticklabels()[0].get_text().endswith(f"{NBSP}%")
    plt.close("all")
