"""How each bonus was computed, small samples, the first screen of the KPI card report (issue 20, item 8)."""

from __future__ import annotations

import re

import pytest

from kpi_toolkit.report import card_views, translator
from kpi_toolkit.report.card_explain import bonus_sentences, small_samples
from kpi_toolkit.report.card_report import card_report
from kpi_toolkit.report.first_screens import card_answer
from tests.card.conftest import EXAMPLE_CARD

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def report(demo):
    return card_report(demo, period="2026Q3", card=EXAMPLE_CARD)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(NBSP, " ").replace("&#x27;", "'")


def test_each_bonus_is_a_calculation_a_manager_can_redo(report):
    text = _text(bonus_sentences(report, translator("ru", currency="RUB")))
    # 0.5 x 1.0955 + 0.3 x 0.9590 + 0.2 x 1.5 = 1.1354; x 100 000 = 113 544.43 (the payouts table's bonus)
    assert (
        "Anna Petrova: 100 000,00 ₽ × (50 % × 1,0955 («Объём продаж») + 30 % × 0,9590 («Конверсия») + "
        "20 % × 1,5000 («Новые клиенты»)) = 100 000,00 ₽ × 1,1354 = 113 544,43 ₽." in text
    )
    assert "James Carter: условие допуска не пройдено: показатель «Объём продаж» выполнен на 55,7 %" in text
    # the intro, every paid manager (14 of 15 with the joiner), none for the one the gate stops
    assert text.count(" = ") == 2 + 2 * 14


def test_small_samples_are_named_with_what_they_rest_on(report):
    assert small_samples(report, translator("ru")) == [
        "Мало данных: коэффициент по показателю «Объём продаж» рассчитан меньше чем по 15 заказам у "
        "Leo Fischer (8 заказов) и Olga Nowak (4 заказа); он мало говорит о мастерстве.",  # Olga: the joiner
        "Мало данных: коэффициент по показателю «Конверсия» рассчитан меньше чем по 10 закрытым лидам у "
        "Leo Fischer (выиграно 0 из 4); он мало говорит о мастерстве.",
    ]
    assert "Small sample: the factor for Conversion" in _text(card_views.caveats(report, translator("en")))


def test_first_screen_says_the_total_and_who_is_paid_what(report):
    text = _text(card_answer(report, translator("ru", currency="RUB")))
    assert (
        "К выплате всего 1 457 398,93 ₽, премию получают 14 из 15 менеджеров (97 % целевого фонда)." in text
    )
    assert text.index("Dmitry Volkov 150 000,00 ₽") < text.index("Leo Fischer 39 295,94 ₽")
    assert "James Carter 0,00 ₽ (допуск не пройден)" in text
