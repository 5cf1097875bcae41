"""The words of the KPI card report, in every report language, and how the card's notes enter them.

Keyed as a catalogue would key them (``card.*``): headings, prose, table headers, axis titles, legends, and
the card's notes on a KPI that cannot be computed or a failed gate. A message the translator's catalogue has
(``locales/<lang>.yml``, section ``card:``) is taken from there; the others from :data:`MESSAGES`, in the
translator's language (``tests/card/test_card_report.py`` checks that both languages have every message, with
the same placeholders and every plural form). ``{name}`` placeholders take text already formatted for the
locale. The payroll files (``bonuses.xlsx``, ``bonuses.csv``) are data and stay English: only what the report
renders is translated, the notes included (:func:`notes_text`).
"""

from __future__ import annotations

import math
import re

from kpi_toolkit.report.formatting import decimals
from kpi_toolkit.report.i18n import Translator

__all__ = ["MESSAGES", "NOTES", "REASONS", "kpi_name", "message", "notes_text", "reason_text"]

#: The report's texts in English, by catalogue key; ``{name}`` placeholders take text already formatted
#: for the locale; a plural message maps CLDR plural tags (``one``, ``other``) to texts.
_EN: dict[str, str | dict[str, str]] = {
    "card.title": "KPI card and bonuses {period}",
    "card.title_team": "KPI card and bonuses {period} – {team}",
    "card.scope_all": "all teams",
    "card.scope_team": "team {team}",
    "card.subtitle": "{card} · {scope} · {managers} · data as of {date}",
    "card.managers": {"one": "{count} manager", "other": "{count} managers"},
    "card.key_figures": "Key figures",
    "card.kind.month": "month",
    "card.kind.quarter": "quarter",
    "card.kind.year": "year",
    "card.figure.cost": "Total cost",
    "card.figure.cost_note": "{share} of the cost at target",
    "card.figure.paid": "Paid a bonus",
    "card.figure.paid_text": "{paid} of {managers}",
    "card.figure.gate_failed": "Stopped by the gate",
    "card.figure.cost_at_target": "Cost at target",
    "card.figure.cost_at_target_note": "everyone at score 1",
    "card.intro": (
        "A KPI card says which KPIs a bonus depends on, with what weights, and how each KPI's achievement "
        "turns into pay. This report applies the card below to the period's numbers: first the card itself, "
        "then how its payout curve pays, then each manager's achievements and factors, the bonuses and what "
        "they cost in all. The workbook bonuses.xlsx beside this report holds the same bonuses, scorecard "
        "and card for payroll."
    ),
    # the card
    "card.card.heading": "The card",
    "card.card.name": "{name}.",
    "card.card.base": "Paid per {kind}: a base bonus of {amount} per manager, paid in full at score 1.",
    "card.card.base_column": (
        "Paid per {kind}: each manager's own base bonus, from column {column} of the managers table, paid in "
        "full at score 1."
    ),
    "card.card.rule": (
        "Each KPI's achievement is actual / target (target / actual where lower is better), so 100% is on "
        "target. Below its threshold a KPI pays factor 0; at the threshold it pays the threshold factor, "
        "rising in a straight line to 1 at target and on to the cap factor at the cap, and no more above "
        "the cap. The score is the sum of weight × factor; the bonus is base bonus × score, rounded to 0.01 "
        "once, at the end. A KPI that cannot be computed pays factor 0 and is named in the notes."
    ),
    "card.card.gate": "Gate: no bonus at all unless {kpi} reaches {minimum} of its target.",
    "card.card.gate_own": "Gate: no bonus at all unless {kpi} reaches {minimum} of a target of {target}.",
    "card.card.no_gate": "The card has no gate.",
    "card.card.caption": "The KPIs of the card, {name}",
    "card.card.kpi": "KPI",
    "card.card.weight": "Weight",
    "card.card.target": "Target",
    "card.card.plan": "the manager's plan",
    "card.card.direction": "Better",
    "card.card.higher": "higher",
    "card.card.lower": "lower",
    "card.card.threshold": "Threshold",
    "card.card.threshold_factor": "Factor at threshold",
    "card.card.cap": "Cap",
    "card.card.cap_factor": "Factor at cap",
    # the payout curve
    "card.curve.heading": "Payout curve",
    "card.curve.intro": (
        "How achievement turns into the payout factor, per KPI (KPIs with the same curve share a line). "
        "Open circle: just below the threshold the factor is 0; filled circle: the factor at the threshold; "
        "dotted line: on target."
    ),
    "card.curve.title": "Payout curve: {name}",
    "card.curve.xlabel": "Achievement (actual / target; target / actual when lower is better)",
    "card.curve.ylabel": "Payout factor",
    "card.curve.legend": "KPI",
    "card.curve.caption": "Payout factor against achievement, {name}.",
    "card.curve.alt": "Line chart of the payout factor against achievement. {items}.",
    "card.curve.alt_item": "{kpis}: {points}",
    "card.curve.alt_below": "factor 0 below {threshold}",
    "card.curve.alt_point": "{factor} at {achievement}",
    # the scorecard
    "card.scorecard.heading": "Achievements and factors",
    "card.scorecard.intro": (
        "Each manager's KPIs against the card's targets: achievement (100% is on target; below target in "
        "red), the payout factor it earns, and its weighted share of the score. Click a column's header to "
        "sort by it."
    ),
    "card.scorecard.caption": "Scorecard, {period}",
    "card.scorecard.manager": "Manager",
    "card.scorecard.kpi": "KPI",
    "card.scorecard.actual": "Actual",
    "card.scorecard.target": "Target",
    "card.scorecard.achievement": "Achievement",
    "card.scorecard.factor": "Factor",
    "card.scorecard.weight": "Weight",
    "card.scorecard.weighted": "Weighted",
    "card.scorecard.note": "Note",
    "card.scorecard.not_computed": "not computed ({reason}): factor 0",
    # why a KPI cannot be computed (the reasons of kpi_toolkit.card.rule.achievement, shown in words)
    "card.reason.actual_missing": "actual is missing",
    "card.reason.target_missing": "target is missing",
    "card.reason.actual_not_finite": "actual is not finite ({value})",
    "card.reason.target_not_finite": "target is not finite ({value})",
    "card.reason.target_zero": "target is 0",
    "card.reason.target_negative": "target is negative ({value})",
    "card.reason.actual_zero": "actual is 0 and lower is better",
    "card.reason.actual_negative": "actual is negative ({value}) and lower is better",
    "card.reason.no_plan": "no plan target for this manager and period",
    # the notes of a manager's bonus (column notes of the payouts, shown in words)
    "card.note.not_computed": "{kpi}: cannot be computed ({reason}): factor 0",
    "card.note.gate_not_computed": "gate failed: {kpi} cannot be computed ({reason}): no bonus",
    "card.note.gate_below": "gate failed: {kpi} achievement {achievement} is below {minimum}: no bonus",
    "card.note.no_base": "no base bonus for this manager (column {column}): bonus unknown",
    # the payouts
    "card.payouts.heading": "Bonuses",
    "card.payouts.intro": (
        "What each manager is paid: the score (sum of weighted factors), whether the gate let the bonus "
        "through, the base bonus and the bonus, rounded to 0.01. The total is the card's cost."
    ),
    "card.payouts.caption": "Bonuses, {period}",
    "card.payouts.manager": "Manager",
    "card.payouts.team": "Team",
    "card.payouts.score": "Score",
    "card.payouts.gate": "Gate",
    "card.payouts.passed": "passed",
    "card.payouts.failed": "failed",
    "card.payouts.base_bonus": "Base bonus",
    "card.payouts.bonus": "Bonus",
    "card.payouts.notes": "Notes",
    "card.payouts.total": "Total",
    # the total cost
    "card.cost.heading": "Total cost",
    "card.cost.total": (
        "Under this card {managers} are paid {cost} in all, {share} of the {at_target} the card would cost "
        "if every one of them scored 1."
    ),
    "card.cost.paid": {
        "one": "{count} manager is paid a bonus.",
        "other": "{count} managers are paid a bonus.",
    },
    "card.cost.unpaid": "No bonus for {names}.",
    "card.cost.gate": {
        "one": "The gate stops {count} manager's bonus: {names}.",
        "other": "The gate stops {count} managers' bonuses: {names}.",
    },
    "card.cost.highest": "The highest bonus is {name}'s ({bonus}, score {score}).",
    "card.cost.unknown": {
        "one": "{count} bonus is unknown (no base bonus) and not in the total: {names}.",
        "other": "{count} bonuses are unknown (no base bonus) and not in the total: {names}.",
    },
    # caveats
    "card.caveat.title": "Read with care",
    "card.caveat.not_computed": {
        "one": "{kpi} could not be computed for {count} manager, who gets factor 0 for it: {items}.",
        "other": "{kpi} could not be computed for {count} managers, who get factor 0 for it: {items}.",
    },
    "card.caveat.not_computed_item": "{name} ({reason})",
    "card.caveat.no_base": {
        "one": "{count} manager has no base bonus in column {column} of the managers table: {names}.",
        "other": "{count} managers have no base bonus in column {column} of the managers table: {names}.",
    },
    "card.caveat.no_leads": (
        "The data set has no leads table, so {kpis} cannot be computed: factor 0 for everyone."
    ),
    "card.caveat.first_year": (
        "{period} lies in the first year of the data's history (which starts on {date}): 'new customers' "
        "also counts customers who bought before the data starts."
    ),
    "card.caveat.incomplete": "The data ends on {date}, before {period} does: the period is incomplete.",
    # provenance
    "card.provenance.heading": "How this report was made",
    "card.provenance.intro": (
        "Everything needed to trace a bonus to its inputs and compute it again: the same card (by its "
        "fingerprint) on data with the same fingerprint gives the same bonuses."
    ),
    "card.provenance.caption": "How this report was made",
    "card.provenance.what": "Item",
    "card.provenance.value": "Value",
    "card.provenance.parameter": "parameter {name}",
    "card.provenance.card": "card",
    "card.provenance.card_source": "card file",
    "card.provenance.card_fingerprint": "card fingerprint (sha256 of every resolved value of the card)",
    "card.provenance.source": "data source",
    "card.provenance.fingerprint": "data fingerprint (sha256 of the validated tables)",
    "card.provenance.data_as_of": "data as of",
    "card.provenance.version": "toolkit version",
    "card.provenance.rows": "rows of {table}",
    "card.provenance.rows_value": "{read} read, {used} used, {excluded} excluded",
    "card.provenance.empty": "(empty)",
}

#: The report's texts in Russian, by the same keys and with the same placeholders as the English ones; a
#: plural message has the four CLDR forms Russian needs (``one``: 1, 21; ``few``: 2-4, 22; ``many``: 5-20,
#: 25; ``other``: fractions).
_RU: dict[str, str | dict[str, str]] = {
    "card.title": "Карта KPI и премии за {period}",
    "card.title_team": "Карта KPI и премии за {period} – {team}",
    "card.scope_all": "все команды",
    "card.scope_team": "команда {team}",
    "card.subtitle": "{card} · {scope} · {managers} · данные на {date}",
    "card.managers": {
        "one": "{count} менеджер",
        "few": "{count} менеджера",
        "many": "{count} менеджеров",
        "other": "{count} менеджера",
    },
    "card.key_figures": "Ключевые показатели",
    "card.kind.month": "месяц",
    "card.kind.quarter": "квартал",
    "card.kind.year": "год",
    "card.figure.cost": "Всего к выплате",
    "card.figure.cost_note": "{share} целевого фонда",
    "card.figure.paid": "Получают премию",
    "card.figure.paid_text": "{paid} из {managers}",
    "card.figure.gate_failed": "Не прошли условие допуска",
    "card.figure.cost_at_target": "Целевой фонд премий",
    "card.figure.cost_at_target_note": "итоговый коэффициент 1 у всех",
    "card.intro": (
        "Карта KPI определяет, от каких KPI зависит премия, с какими весами и как выполнение каждого KPI "
        "превращается в выплату. Этот отчёт применяет карту к показателям периода: сначала сама карта, затем "
        "шкала выплат, затем выполнение и коэффициенты каждого менеджера, премии и их общая сумма. Файл "
        "bonuses.xlsx рядом с отчётом содержит те же премии, выполнение KPI и карту для начисления зарплаты."
    ),
    # the card
    "card.card.heading": "Карта KPI",
    "card.card.name": "{name}.",
    "card.card.base": (
        "Выплачивается за {kind}: базовая премия {amount} на менеджера, в полном размере при итоговом "
        "коэффициенте 1."
    ),
    "card.card.base_column": (
        "Выплачивается за {kind}: у каждого менеджера своя базовая премия, из столбца {column} таблицы "
        "менеджеров, в полном размере при итоговом коэффициенте 1."
    ),
    "card.card.rule": (
        "Выполнение каждого KPI – это факт / цель (цель / факт, если лучше меньше), так что 100\xa0% "
        "означает достижение цели. Ниже порога KPI даёт коэффициент 0, на пороге – коэффициент порога; "
        "затем коэффициент растёт линейно: до 1 при достижении цели и до коэффициента потолка на потолке, "
        "а выше потолка не растёт. Итоговый коэффициент – сумма произведений веса на коэффициент; премия – "
        "базовая премия × итоговый коэффициент, округлённая до 0,01 один раз, в самом конце. KPI, который "
        "нельзя рассчитать, даёт коэффициент 0 и назван в примечаниях."
    ),
    "card.card.gate": (
        "Условие допуска: если показатель «{kpi}» выполнен меньше чем на {minimum}, премия не выплачивается "
        "вовсе."
    ),
    "card.card.gate_own": (
        "Условие допуска: если показатель «{kpi}» выполнен меньше чем на {minimum} от цели {target}, премия "
        "не выплачивается вовсе."
    ),
    "card.card.no_gate": "Условия допуска в карте нет.",
    "card.card.caption": "KPI карты «{name}»",
    "card.card.kpi": "KPI",
    "card.card.weight": "Вес",
    "card.card.target": "Цель",
    "card.card.plan": "план менеджера",
    "card.card.direction": "Лучше",
    "card.card.higher": "больше",
    "card.card.lower": "меньше",
    "card.card.threshold": "Порог",
    "card.card.threshold_factor": "Коэффициент на пороге",
    "card.card.cap": "Потолок",
    "card.card.cap_factor": "Коэффициент на потолке",
    # the payout curve
    "card.curve.heading": "Шкала выплат",
    "card.curve.intro": (
        "Как выполнение превращается в коэффициент выплаты по каждому KPI (KPI с одинаковой шкалой показаны "
        "одной линией). Пустой кружок: чуть ниже порога коэффициент равен 0; закрашенный кружок: коэффициент "
        "на пороге; пунктир: цель достигнута."
    ),
    "card.curve.title": "Шкала выплат: {name}",
    "card.curve.xlabel": "Выполнение (факт / цель; цель / факт, если лучше меньше)",
    "card.curve.ylabel": "Коэффициент выплаты",
    "card.curve.legend": "KPI",
    "card.curve.caption": "Коэффициент выплаты в зависимости от выполнения, {name}.",
    "card.curve.alt": "Линейный график коэффициента выплаты в зависимости от выполнения. {items}.",
    "card.curve.alt_item": "{kpis}: {points}",
    "card.curve.alt_below": "коэффициент 0 ниже {threshold}",
    "card.curve.alt_point": "{factor} при {achievement}",
    # the scorecard
    "card.scorecard.heading": "Выполнение и коэффициенты",
    "card.scorecard.intro": (
        "KPI каждого менеджера против целей карты: выполнение (100\xa0% – цель достигнута; ниже цели – "
        "красным), коэффициент выплаты, который оно даёт, и его взвешенный вклад в итоговый коэффициент. "
        "Нажмите на заголовок столбца, чтобы отсортировать по нему."
    ),
    "card.scorecard.caption": "Выполнение KPI за {period}",
    "card.scorecard.manager": "Менеджер",
    "card.scorecard.kpi": "KPI",
    "card.scorecard.actual": "Факт",
    "card.scorecard.target": "Цель",
    "card.scorecard.achievement": "Выполнение",
    "card.scorecard.factor": "Коэффициент",
    "card.scorecard.weight": "Вес",
    "card.scorecard.weighted": "Вклад",
    "card.scorecard.note": "Примечание",
    "card.scorecard.not_computed": "нельзя рассчитать ({reason}): коэффициент 0",
    # why a KPI cannot be computed
    "card.reason.actual_missing": "нет фактического значения",
    "card.reason.target_missing": "нет цели",
    "card.reason.actual_not_finite": "факт не является конечным числом ({value})",
    "card.reason.target_not_finite": "цель не является конечным числом ({value})",
    "card.reason.target_zero": "цель равна 0",
    "card.reason.target_negative": "цель отрицательная ({value})",
    "card.reason.actual_zero": "факт равен 0, а лучше меньше",
    "card.reason.actual_negative": "факт отрицательный ({value}), а лучше меньше",
    "card.reason.no_plan": "у менеджера нет плана на этот период",
    # the notes of a manager's bonus
    "card.note.not_computed": "показатель «{kpi}» нельзя рассчитать ({reason}): коэффициент 0",
    "card.note.gate_not_computed": (
        "условие допуска не пройдено: показатель «{kpi}» нельзя рассчитать ({reason}), премии нет"
    ),
    "card.note.gate_below": (
        "условие допуска не пройдено: показатель «{kpi}» выполнен на {achievement}, меньше {minimum}, "
        "премии нет"
    ),
    "card.note.no_base": "нет базовой премии (столбец {column}): премия неизвестна",
    # the payouts
    "card.payouts.heading": "Премии",
    "card.payouts.intro": (
        "Что получает каждый менеджер: итоговый коэффициент (сумма взвешенных коэффициентов), пройдено ли "
        "условие допуска, базовая премия и премия, округлённая до 0,01. Итог – общая сумма выплат по карте."
    ),
    "card.payouts.caption": "Премии за {period}",
    "card.payouts.manager": "Менеджер",
    "card.payouts.team": "Команда",
    "card.payouts.score": "Итоговый коэффициент",
    "card.payouts.gate": "Допуск",
    "card.payouts.passed": "пройден",
    "card.payouts.failed": "не пройден",
    "card.payouts.base_bonus": "Базовая премия",
    "card.payouts.bonus": "Премия",
    "card.payouts.notes": "Примечания",
    "card.payouts.total": "Итого",
    # the total cost
    "card.cost.heading": "Общая сумма премий",
    "card.cost.total": (
        "Всего по этой карте к выплате {cost} ({managers}): {share} от {at_target}, которые карта стоила бы, "
        "если бы итоговый коэффициент у каждого был равен 1."
    ),
    "card.cost.paid": {
        "one": "Премию получает {count} менеджер.",
        "few": "Премию получают {count} менеджера.",
        "many": "Премию получают {count} менеджеров.",
        "other": "Премию получают {count} менеджера.",
    },
    "card.cost.unpaid": "Без премии: {names}.",
    "card.cost.gate": {
        "one": "{count} менеджер не прошёл условие допуска и остаётся без премии: {names}.",
        "few": "{count} менеджера не прошли условие допуска и остаются без премии: {names}.",
        "many": "{count} менеджеров не прошли условие допуска и остаются без премии: {names}.",
        "other": "{count} менеджера не прошли условие допуска и остаются без премии: {names}.",
    },
    "card.cost.highest": "Самая большая премия – у {name} ({bonus}, итоговый коэффициент {score}).",
    "card.cost.unknown": {
        "one": "{count} премия неизвестна (нет базовой премии) и не вошла в итог: {names}.",
        "few": "{count} премии неизвестны (нет базовой премии) и не вошли в итог: {names}.",
        "many": "{count} премий неизвестны (нет базовой премии) и не вошли в итог: {names}.",
        "other": "{count} премии неизвестны (нет базовой премии) и не вошли в итог: {names}.",
    },
    # caveats
    "card.caveat.title": "Важно учесть",
    "card.caveat.not_computed": {
        "one": (
            "Показатель «{kpi}» не удалось рассчитать для {count} менеджера, коэффициент по нему 0: {items}."
        ),
        "few": (
            "Показатель «{kpi}» не удалось рассчитать для {count} менеджеров, коэффициент по нему 0: {items}."
        ),
        "many": (
            "Показатель «{kpi}» не удалось рассчитать для {count} менеджеров, коэффициент по нему 0: {items}."
        ),
        "other": (
            "Показатель «{kpi}» не удалось рассчитать для {count} менеджера, коэффициент по нему 0: {items}."
        ),
    },
    "card.caveat.not_computed_item": "{name} ({reason})",
    "card.caveat.no_base": {
        "one": "У {count} менеджера нет базовой премии в столбце {column} таблицы менеджеров: {names}.",
        "few": "У {count} менеджеров нет базовой премии в столбце {column} таблицы менеджеров: {names}.",
        "many": "У {count} менеджеров нет базовой премии в столбце {column} таблицы менеджеров: {names}.",
        "other": "У {count} менеджера нет базовой премии в столбце {column} таблицы менеджеров: {names}.",
    },
    "card.caveat.no_leads": (
        "В данных нет таблицы лидов, поэтому эти KPI рассчитать нельзя и у всех по ним коэффициент 0: {kpis}."
    ),
    "card.caveat.first_year": (
        "{period} приходится на первый год истории данных (она начинается {date}): в «новых клиентах» учтены "
        "и клиенты, покупавшие до начала данных."
    ),
    "card.caveat.incomplete": "Данные заканчиваются {date}, раньше конца периода {period}: период неполный.",
    # provenance
    "card.provenance.heading": "Как сделан этот отчёт",
    "card.provenance.intro": (
        "Всё, что нужно, чтобы проследить каждую премию до исходных данных и рассчитать её заново: та же "
        "карта (по её отпечатку) на данных с тем же отпечатком даёт те же премии."
    ),
    "card.provenance.caption": "Как сделан этот отчёт",
    "card.provenance.what": "Пункт",
    "card.provenance.value": "Значение",
    "card.provenance.parameter": "параметр {name}",
    "card.provenance.card": "карта",
    "card.provenance.card_source": "файл карты",
    "card.provenance.card_fingerprint": "отпечаток карты (sha256 всех итоговых значений карты)",
    "card.provenance.source": "источник данных",
    "card.provenance.fingerprint": "отпечаток данных (sha256 проверенных таблиц)",
    "card.provenance.data_as_of": "данные на",
    "card.provenance.version": "версия kpi-toolkit",
    "card.provenance.rows": "строки таблицы {table}",
    "card.provenance.rows_value": "прочитано {read}, использовано {used}, исключено {excluded}",
    "card.provenance.empty": "(пусто)",
}

#: The report's texts by language, then by catalogue key (:func:`_t` falls back to English).
MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {"en": _EN, "ru": _RU}

#: The reasons a KPI cannot be computed, as :func:`kpi_toolkit.card.rule.achievement` and
#: :mod:`kpi_toolkit.card.scoring` write them (English, in the data), with the keys of their words; ``value``
#: is a number, shown for the locale. A reason not listed here is shown as it is.
REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^actual is missing$", "card.reason.actual_missing"),
        (r"^target is missing$", "card.reason.target_missing"),
        (r"^actual is not finite \((?P<value>[^()]*)\)$", "card.reason.actual_not_finite"),
        (r"^target is not finite \((?P<value>[^()]*)\)$", "card.reason.target_not_finite"),
        (r"^target is 0$", "card.reason.target_zero"),
        (r"^target is negative \((?P<value>[^()]*)\)$", "card.reason.target_negative"),
        (r"^actual is 0 and lower is better$", "card.reason.actual_zero"),
        (r"^actual is negative \((?P<value>[^()]*)\) and lower is better$", "card.reason.actual_negative"),
        (r"^no plan target for this manager and period$", "card.reason.no_plan"),
    )
)
#: The notes of a manager's bonus (:func:`kpi_toolkit.card.scoring.payouts`, joined by ``"; "``), with the
#: keys of their words. A note not listed here is shown as it is.
NOTES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^(?P<kpi>\w+): cannot be computed \((?P<reason>.*)\): factor 0$", "card.note.not_computed"),
        (
            r"^gate failed: (?P<kpi>\w+) cannot be computed \((?P<reason>.*)\): no bonus$",
            "card.note.gate_not_computed",
        ),
        (
            r"^gate failed: (?P<kpi>\w+) achievement (?P<achievement>\S+) is below (?P<minimum>\S+): "
            r"no bonus$",
            "card.note.gate_below",
        ),
        (
            r"^no base bonus for this manager \(column (?P<q>['\"])(?P<column>.*)(?P=q)\): bonus unknown$",
            "card.note.no_base",
        ),
    )
)


def message(tr: Translator, key: str, /, *, count: float | None = None, **values: str) -> str:
    """The message ``key``: from the translator's catalogue when it has it, else from :data:`MESSAGES` in the
    translator's language (English when that language has no such message).

    >>> from kpi_toolkit.report.i18n import translator
    >>> message(translator("ru"), "card.managers", count=22)
    '22 менеджера'
    >>> message(translator("en"), "card.managers", count=1)
    '1 manager'
    """
    return tr.t_from(MESSAGES, key, count=count, **values)


def _number_text(tr: Translator, text: str) -> str:
    """A number the card's code wrote into a reason (``-5``, ``0.25``, ``inf``), shown for the locale."""
    try:
        value = float(text)
    except ValueError:
        return text
    return tr.number(value, digits=decimals(value, 4)) if math.isfinite(value) else text


def _pct_text(tr: Translator, text: str) -> str:
    """An achievement the card's code wrote into a note (``0.69``), as a percentage for the locale."""
    try:
        value = float(text)
    except ValueError:
        return text
    return tr.pct(value, digits=decimals(100 * value, 2)) if math.isfinite(value) else text


def reason_text(tr: Translator, reason: str) -> str:
    """Why a KPI cannot be computed, in the report's language.

    >>> from kpi_toolkit.report.i18n import translator
    >>> reason_text(translator("ru"), "target is negative (-2.5)")
    'цель отрицательная (-2,5)'
    >>> reason_text(translator("en"), "something new")
    'something new'
    """
    for pattern, key in REASONS:
        if match := pattern.match(reason):
            return message(tr, key, **{k: _number_text(tr, v) for k, v in match.groupdict().items()})
    return reason


def _note(tr: Translator, note: str) -> str:
    """One note of a manager's bonus in the report's language (the KPI named, numbers for the locale).

    >>> from kpi_toolkit.report.i18n import translator
    >>> _note(translator("ru"), "gate failed: sales_volume achievement 0.6 is below 0.7: no bonus")
    'условие допуска не пройдено: показатель «Объём продаж» выполнен на 60\\xa0%, меньше 70\\xa0%, премии нет'
    """
    for pattern, key in NOTES:
        if match := pattern.match(note):
            values = {k: v for k, v in match.groupdict().items() if k != "q"}
            if "kpi" in values:
                values["kpi"] = kpi_name(tr, values["kpi"])
            if "reason" in values:
                values["reason"] = reason_text(tr, values["reason"])
            for name in ("achievement", "minimum"):
                if name in values:
                    values[name] = _pct_text(tr, values[name])
            return message(tr, key, **values)
    return note


def notes_text(tr: Translator, notes: str) -> str:
    """The notes of a manager's bonus (``"; "``-separated, empty when none) in the report's language."""
    return "; ".join(_note(tr, n) for n in notes.split("; ")) if notes else ""


def kpi_name(tr: Translator, metric: str) -> str:
    return tr.t(f"kpi.{metric}") if tr.has(f"kpi.{metric}") else metric
