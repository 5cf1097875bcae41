"""The words of the manager comparison report and of the quarterly report's "Differences between managers",
and how numbers, p-values, intervals and references enter them.

Keyed as a catalogue would key them (``comparison.*``). A message the translator's catalogue has
(``locales/<lang>.yml``, section ``comparison:``) is taken from there; the others from :data:`MESSAGES`, in
the report's language when this module has it, else in English. The comparison report itself is English; the
quarterly report's section (keys ``comparison.quarterly.*`` and those it uses) is here in every report
language, since the quarterly report is rendered in each (``tests/test_comparison_report.py`` checks it).
``{name}`` placeholders take text already formatted for the locale; a plural message maps CLDR plural tags to
texts, ``{count}`` being the number that chose the form.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from babel import Locale

from kpi_toolkit.report.formatting import MISSING, fmt_number
from kpi_toolkit.report.i18n import Message, Translator, translator

__all__ = ["MESSAGES", "QUARTERLY_KEYS"]

_EN: dict[str, str | dict[str, str]] = {
    "comparison.title": "Manager comparison {period}: {kpi}",
    "comparison.title_team": "Manager comparison {period}: {kpi} – {team}",
    "comparison.scope_all": "all teams",
    "comparison.scope_team": "team {team}",
    "comparison.subtitle": "{scope} · {managers} · data as of {date}",
    "comparison.managers": {"one": "{count} manager", "other": "{count} managers"},
    "comparison.key_figures": "Key figures",
    "comparison.figure.below": "Below the rest",
    "comparison.figure.above": "Above the rest",
    "comparison.figure.none": "none",
    "comparison.figure.global": "All alike? (global test)",
    "comparison.figure.tested": "Managers with a verdict",
    "comparison.figure.tested_text": "{tested} of {managers}",
    "comparison.p": "p = {p}",
    "comparison.p_below": "p < {p}",
    "comparison.adjusted_p": "adjusted p = {p}",
    "comparison.adjusted_p_below": "adjusted p < {p}",
    "comparison.rest": "the rest of the team",
    "comparison.rest_without": "the rest of the team without {names}",
    "comparison.rest_possessive": "the rest of the team's",
    "comparison.rest_without_possessive": "the rest of the team's (without {names})",
    "comparison.pair_possessive": "{name}'s",
    "comparison.more": "more",
    "comparison.fewer": "fewer",
    "comparison.tests_count": {"one": "{count} comparison", "other": "{count} comparisons"},
    "comparison.adjust.holm": "Holm's method",
    "comparison.adjust.bh": "the Benjamini-Hochberg method",
    "comparison.adjust.none": "no adjustment",
    "comparison.phrase.conversion": "conversion",
    "comparison.phrase.average_check": "average check",
    "comparison.phrase.new_customers": "number of new customers",
    "comparison.what.conversion": "closed leads",
    "comparison.what.average_check": "orders with a positive amount",
    "comparison.what.new_customers": "data",
    # conclusions
    "comparison.conclusions.heading": "What the data say",
    "comparison.conclusions.conversion": (
        "{name}'s conversion is {direction} {reference}: {estimate} against {versus_estimate} of closed "
        "leads ({n} and {versus_n}); {p} after adjusting for {tests} ({method})."
    ),
    "comparison.conclusions.average_check": (
        "{name}'s average check is {direction} {reference}: {estimate} against {versus_estimate} ({n} and "
        "{versus_n} orders); the typical order (geometric mean) is {ratio} times as large (95% interval "
        "{low} to {high}); {p} after adjusting for {tests} ({method})."
    ),
    "comparison.conclusions.new_customers": (
        "{name} won {direction} new customers than {reference} did on average: {estimate} against "
        "{versus_estimate}; {p} after adjusting for {tests} ({method})."
    ),
    "comparison.conclusions.none": (
        "No manager's {kpi} differs from the rest of the team beyond what chance explains ({tests}, "
        "adjusted by {method} at the {alpha} level)."
    ),
    "comparison.conclusions.no_tests": (
        "No manager has enough {what} for a verdict in this period: nothing can be said yet about who "
        "differs."
    ),
    "comparison.conclusions.others": {
        "one": (
            "For the other manager the data show no difference from the rest of the team: no evidence of "
            "one, which is not proof that there is none."
        ),
        "other": (
            "For the other {count} managers the data show no difference from the rest of the team: no "
            "evidence of one, which is not proof that there is none."
        ),
    },
    "comparison.conclusions.insufficient": {
        "one": "Too few {what} for a verdict on {count} manager (at least {min_n} needed): {items}.",
        "other": "Too few {what} for a verdict on {count} managers (at least {min_n} needed): {items}.",
    },
    "comparison.conclusions.insufficient_item": "{name} ({n})",
    "comparison.conclusions.few": "Fewer than two managers: there is nothing to compare.",
    # global tests
    "comparison.global.heading": "Are all managers alike?",
    "comparison.global.intro": (
        "A global test asks whether all managers are alike in a KPI, without saying who differs. It is shown "
        "beside the comparisons and does not decide them: it can find a difference that no single comparison "
        "pins down after adjustment, and the other way round."
    ),
    "comparison.global.result": {
        "one": "{kpi}: {test}, statistic {statistic} on {df} degrees of freedom, {p} ({count} manager).",
        "other": "{kpi}: {test}, statistic {statistic} on {df} degrees of freedom, {p} ({count} managers).",
    },
    "comparison.global.no_test": "{kpi}: no global test ({note}).",
    "comparison.global.caption": "Global tests, {period}",
    "comparison.global.kpi": "KPI",
    "comparison.global.test": "Test",
    "comparison.global.statistic": "Statistic",
    "comparison.global.df": "Degrees of freedom",
    "comparison.global.p": "p",
    "comparison.global.groups": "Managers",
    "comparison.global.note": "Note",
    # each against the rest
    "comparison.tests.heading": "Each manager against the rest of the team",
    "comparison.tests.intro": (
        "Each manager's {kpi} is tested against the rest of the team pooled. A manager who differs clearly "
        "is left out of the others' rest (the column 'Against' says so), so that one extreme colleague "
        "cannot make everyone else look low or high. The p-values are adjusted for the number of comparisons "
        "({method}): when all managers are alike, the chance that anyone is called above or below is at "
        "most {alpha}. Click a column's header to sort by it."
    ),
    "comparison.tests.method.conversion": (
        "Test: chi-square with Yates' correction (as R's prop.test), Fisher's exact test when an expected "
        "count is below 5. Interval: Newcombe's 95% interval of the difference. Effect size: Cohen's h "
        "(0.2 small, 0.5 medium, 0.8 large)."
    ),
    "comparison.tests.method.average_check": (
        "Test: Welch's t-test on log amounts, whose estimand is the ratio of geometric means (the typical "
        "order), shown with its 95% interval. The average checks (arithmetic means) are shown beside it: a "
        "few huge orders move them, not the test."
    ),
    "comparison.tests.method.new_customers": (
        "Test: the exact conditional test of two Poisson counts (as R's poisson.test), with the rate ratio "
        "and its exact 95% interval. A manager with fewer leads wins fewer new customers: the test compares "
        "counts, not skill."
    ),
    "comparison.tests.detectable.conversion": (
        "With a median of {n} closed leads per manager, this test finds a difference of about {size} from "
        "the rest four times in five; smaller differences can hide behind 'no difference'. A longer period "
        "(a year) finds smaller ones."
    ),
    "comparison.tests.detectable.average_check": (
        "With a median of {n} orders per manager, this test finds a typical order about {size} times the "
        "rest's (or that much smaller) four times in five; smaller differences can hide behind 'no "
        "difference'."
    ),
    "comparison.tests.detectable.new_customers": (
        "This test finds a manager winning about {size} times as many new customers as the others (or that "
        "many fewer) four times in five; smaller differences can hide behind 'no difference'."
    ),
    "comparison.tests.caption": "{kpi}: each manager against the rest, {period}",
    "comparison.tests.figure_caption": (
        "Each manager against the rest: the estimate with its 95% interval (unadjusted); colour: the verdict "
        "(adjusted)."
    ),
    "comparison.tests.figure_alt": "Each manager's {effect} against the rest with its 95% interval: {items}.",
    "comparison.tests.figure_alt_item": "{name} {value} ({low} to {high}), {verdict}",
    "comparison.effect.conversion": "difference in conversion",
    "comparison.effect.average_check": "ratio of geometric means",
    "comparison.effect.new_customers": "rate ratio",
    "comparison.col.manager": "Manager",
    "comparison.col.versus": "Against",
    "comparison.col.n.conversion": "Closed leads",
    "comparison.col.n.average_check": "Orders",
    "comparison.col.n.new_customers": "New customers",
    "comparison.col.versus_estimate": "The rest",
    "comparison.col.difference": "Difference",
    "comparison.col.interval": "95% interval",
    "comparison.col.effect.conversion": "Cohen's h",
    "comparison.col.effect.average_check": "Ratio of geometric means",
    "comparison.col.effect.new_customers": "Rate ratio",
    "comparison.col.test": "Test",
    "comparison.col.p": "p",
    "comparison.col.p_adjusted": "Adjusted p",
    "comparison.col.verdict": "Verdict",
    # funnel
    "comparison.funnel.heading": "Funnel plot",
    "comparison.funnel.intro": (
        "Each manager's conversion against the number of closed leads, with the limits within which a "
        "manager converting at the team's rate ({center}) falls 95% (dashed) and 99.8% (solid) of the time. "
        "The limits narrow as leads grow: a rate far from the team's on few leads may be chance, the same "
        "rate on many leads is not. Outside the 99.8% limits: above or below; outside the 95% limits only: "
        "watch."
    ),
    "comparison.funnel.overdispersion": (
        "The limits are widened by the overdispersion factor {phi}: the managers differ more than chance "
        "alone would make them."
    ),
    "comparison.funnel.signals": "Outside the limits: {items}.",
    "comparison.funnel.signal_item": "{name} ({signal})",
    "comparison.funnel.no_signals": "Every manager is within the 95% limits.",
    "comparison.funnel.caption": "Funnel plot of conversion, {period}",
    "comparison.funnel.alt": "Funnel plot of conversion against closed leads, centred on {center}: {items}.",
    "comparison.funnel.alt_item": "{name} {rate} of {n} leads, {signal}",
    "comparison.funnel.no_leads": "no closed leads",
    "comparison.funnel.table_caption": "Funnel limits per manager, {period}",
    "comparison.funnel.only_conversion": (
        "The funnel plot and the shrunk ranking are drawn for conversion, a rate of leads: render this "
        "report with --metric conversion to see them."
    ),
    "comparison.col.rate": "Conversion",
    "comparison.col.limits_95": "95% limits",
    "comparison.col.limits_998": "99.8% limits",
    "comparison.col.signal": "Signal",
    # ranking
    "comparison.ranking.heading": "Ranking: raw and shrunk",
    "comparison.ranking.intro": (
        "A raw ranking puts a manager with 4 wins out of 5 leads above one with 150 out of 300. The shrunk "
        "rate pulls each raw rate toward the team's, the more the fewer leads the manager has, by as much as "
        "the spread between managers in the data warrants (empirical Bayes, beta-binomial). Its 95% "
        "interval and the chance of converting above the team's rate show how uncertain each rank is: "
        "managers whose intervals overlap cannot be told apart."
    ),
    "comparison.ranking.no_spread": (
        "The data show no evidence that the managers differ in conversion at all: every shrunk rate is the "
        "team's rate, and the ranking only orders raw rates, carrying no evidence."
    ),
    "comparison.ranking.caption": "Conversion ranking, raw and shrunk, {period}",
    "comparison.ranking.figure_caption": (
        "Filled dots: shrunk rates with 95% intervals; hollow dots: raw rates; dashed line: the team's rate."
    ),
    "comparison.ranking.alt": (
        "Shrunk conversion rates with their 95% intervals, best first, raw rates beside them: {items}."
    ),
    "comparison.ranking.alt_item": "{name} {shrunk} (raw {raw})",
    "comparison.col.raw_rank": "Raw rank",
    "comparison.col.raw_rate": "Raw rate",
    "comparison.col.shrunk_rate": "Shrunk rate",
    "comparison.col.prob_above": "Chance above the team",
    "comparison.col.rank": "Shrunk rank",
    # order amounts
    "comparison.amounts.heading": "Order amounts",
    "comparison.amounts.intro": (
        "Each manager's orders on a log scale, the scale of the test. The checks beside the verdicts need "
        "every order: Mann-Whitney asks whether a manager's orders tend to be larger, the bootstrap interval "
        "bounds the ratio of average checks (arithmetic means, which a few huge orders move), Cliff's delta "
        "measures how often a manager's order beats the rest's (from -1 to 1). They are checks, not "
        "verdicts: when they disagree with the verdict, the distributions differ in shape, not only in level."
    ),
    "comparison.amounts.caption": "Order amounts per manager, {period} (log scale)",
    "comparison.amounts.alt": "Box plots of order amounts per manager on a log scale; median order: {items}.",
    "comparison.amounts.alt_item": "{name} {median}",
    "comparison.amounts.table_caption": "Checks beside the average-check verdicts, {period}",
    "comparison.col.ratio_of_means": "Ratio of average checks",
    "comparison.col.bootstrap": "Bootstrap 95% interval",
    "comparison.col.mann_whitney": "Mann-Whitney p",
    "comparison.col.cliffs_delta": "Cliff's delta",
    # caveats
    "comparison.caveat.few_managers": {
        "one": "Only {count} manager: there is nothing to compare.",
        "other": "Only {count} managers: there is nothing to compare.",
    },
    "comparison.caveat.incomplete": (
        "The data end on {date}, before {period} does: the comparison covers the months up to then."
    ),
    "comparison.caveat.early": (
        "{period} starts before the data do ({date}): the comparison covers the months from then on."
    ),
    "comparison.caveat.first_year": (
        "{period} lies in the first year of the data's history (which starts on {date}): 'new customers' "
        "also counts customers who bought before the data start."
    ),
    "comparison.caveat.sampled": (
        "{manager} has {total} orders in the period: {kept} of them, drawn at random with a fixed seed, "
        "enter the rank tests and the bootstrap (the verdicts use every order)."
    ),
    # provenance
    "comparison.provenance.heading": "How this report was made",
    "comparison.provenance.intro": (
        "Everything needed to trace a number in this report and to make it again: the same parameters on "
        "data with the same fingerprint give the same tables and figures."
    ),
    "comparison.provenance.caption": "How this report was made",
    "comparison.provenance.what": "Item",
    "comparison.provenance.value": "Value",
    "comparison.provenance.parameter": "parameter {name}",
    "comparison.provenance.source": "data source",
    "comparison.provenance.fingerprint": "data fingerprint (sha256 of the validated tables)",
    "comparison.provenance.data_as_of": "data as of",
    "comparison.provenance.first_date": "data start on",
    "comparison.provenance.version": "toolkit version",
    "comparison.provenance.seed": "seed of samples, bootstrap and Monte Carlo p-values",
    "comparison.provenance.rows": "rows of {table}",
    "comparison.provenance.rows_value": "{read} read, {used} used, {excluded} excluded",
    "comparison.provenance.empty": "(empty)",
    # the quarterly report's section
    "comparison.quarterly.heading": "Differences between managers",
    "comparison.quarterly.intro": (
        "Which differences between managers are real? Over {window}, each manager's conversion and average "
        "check are tested against the rest of the team, so that when all managers are alike the chance that "
        "anyone is called above or below is at most {alpha}. A verdict needs at least {leads} and {orders}."
    ),
    "comparison.quarterly.leads": {"one": "{count} closed lead", "other": "{count} closed leads"},
    "comparison.quarterly.orders": {"one": "{count} order", "other": "{count} orders"},
    "comparison.quarterly.caption": "Verdicts against the rest of the team, {window}",
    "comparison.quarterly.manager": "Manager",
    "comparison.quarterly.verdict": "Verdict",
    "comparison.quarterly.below": "below",
    "comparison.quarterly.above": "above",
    "comparison.quarterly.flagged_conversion": (
        "{name}'s conversion is {direction} the rest of the team's: {estimate} against {versus_estimate} "
        "({p})."
    ),
    "comparison.quarterly.flagged_average_check": (
        "{name}'s average check is {direction} the rest of the team's: {estimate} against {versus_estimate} "
        "({p})."
    ),
    "comparison.quarterly.none": (
        "No manager's conversion or average check differs from the rest of the team beyond what chance "
        "explains."
    ),
    "comparison.quarterly.insufficient": {
        "one": "Too little data for a verdict on {count} manager: {names}.",
        "other": "Too little data for a verdict on {count} managers: {names}.",
    },
    "comparison.quarterly.pointer": (
        "The tests behind these verdicts, the funnel plot and a ranking that allows for the number of leads "
        "are in the manager comparison report: {command}."
    ),
    "comparison.quarterly.few": "Fewer than two managers: there is nothing to compare.",
    "comparison.quarterly.no_leads": "The data set has no leads table: conversion is not compared.",
}

_RU: dict[str, str | dict[str, str]] = {
    "comparison.p": "p = {p}",
    "comparison.p_below": "p < {p}",
    "comparison.adjusted_p": "скорректированное p = {p}",
    "comparison.adjusted_p_below": "скорректированное p < {p}",
    "comparison.quarterly.heading": "Различия между менеджерами",
    "comparison.quarterly.intro": (
        "Какие различия между менеджерами реальны? За период {window} конверсия и средний чек каждого "
        "менеджера проверены против остальной команды так, что если все менеджеры одинаковы, вероятность "
        "назвать кого-то выше или ниже остальных не больше {alpha}. Для вывода нужно не меньше {leads} и "
        "{orders}."
    ),
    "comparison.quarterly.leads": {
        "one": "{count} закрытого лида",
        "few": "{count} закрытых лидов",
        "many": "{count} закрытых лидов",
        "other": "{count} закрытого лида",
    },
    "comparison.quarterly.orders": {
        "one": "{count} заказа",
        "few": "{count} заказов",
        "many": "{count} заказов",
        "other": "{count} заказа",
    },
    "comparison.quarterly.caption": "Выводы в сравнении с остальной командой, {window}",
    "comparison.quarterly.manager": "Менеджер",
    "comparison.quarterly.verdict": "Вывод",
    "comparison.quarterly.below": "ниже",
    "comparison.quarterly.above": "выше",
    "comparison.quarterly.flagged_conversion": (
        "{name}: конверсия {direction}, чем у остальной команды: {estimate} против {versus_estimate} ({p})."
    ),
    "comparison.quarterly.flagged_average_check": (
        "{name}: средний чек {direction}, чем у остальной команды: {estimate} против {versus_estimate} ({p})."
    ),
    "comparison.quarterly.none": (
        "Ни у одного менеджера конверсия или средний чек не отличаются от остальной команды сильнее, чем "
        "объясняет случай."
    ),
    "comparison.quarterly.insufficient": {
        "one": "Слишком мало данных для вывода по {count} менеджеру: {names}.",
        "few": "Слишком мало данных для вывода по {count} менеджерам: {names}.",
        "many": "Слишком мало данных для вывода по {count} менеджерам: {names}.",
        "other": "Слишком мало данных для вывода по {count} менеджера: {names}.",
    },
    "comparison.quarterly.pointer": (
        "Проверки, на которых основаны эти выводы, воронкообразный график и рейтинг с учётом числа лидов "
        "приведены в отчёте о сравнении менеджеров: {command}."
    ),
    "comparison.quarterly.few": "Меньше двух менеджеров: сравнивать не с кем.",
    "comparison.quarterly.no_leads": "В данных нет таблицы лидов: конверсия не сравнивается.",
}

#: The messages by language; English has every key.
MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {"en": _EN, "ru": _RU}
#: The keys the quarterly report's section uses: every report language has them.
QUARTERLY_KEYS: tuple[str, ...] = tuple(
    key
    for key in _EN
    if key.startswith("comparison.quarterly.")
    or key in ("comparison.p", "comparison.p_below", "comparison.adjusted_p", "comparison.adjusted_p_below")
)


# words and numbers ------------------------------------------------------------------------------------------
def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def _t(tr: Translator, key: str, /, *, count: float | None = None, **values: str) -> str:
    """The message ``key``: from the translator's catalogue when it has it, else from :data:`MESSAGES`."""
    if tr.has(key):
        return tr.t(key, count=count, **values)
    message = MESSAGES.get(tr.lang, {}).get(key) or MESSAGES["en"][key]
    if isinstance(message, dict):
        if count is None:
            raise TypeError(f"message {key!r} is a plural message: pass count=")
        number = abs(float(count))
        tag = Locale.parse(tr.lang).plural_form(int(number) if number.is_integer() else number)
        message = message.get(tag, message["other"])
    if count is not None:
        values = {"count": tr.count(count), **values}
    return message.format(**values)


def _say(tr: Translator, message: Message) -> str:
    """A :class:`Message` of this module in the translator's language, each value formatted by its type."""
    values = {}
    for name, value in message.values.items():
        if isinstance(value, str):
            values[name] = value
        elif isinstance(value, pd.Timestamp):
            values[name] = tr.date(value)
        elif isinstance(value, int | float):
            values[name] = tr.count(value)
        else:
            values[name] = tr.period(value)
    return _t(tr, message.key, count=message.count, **values)


def _kpi(tr: Translator, metric: str) -> str:
    return tr.t(f"kpi.{metric}") if tr.has(f"kpi.{metric}") else metric


def _name(names: Mapping[str, str], manager: object) -> str:
    return str(names.get(str(manager), manager))


def _p(tr: Translator, p: float, *, adjusted: bool = False) -> str:
    """``p = 0.012`` or ``p < 0.001`` (``adjusted p ...`` with ``adjusted``); a dash when missing."""
    if p is None or not np.isfinite(p):
        return MISSING
    prefix = "comparison.adjusted_p" if adjusted else "comparison.p"
    if p < 0.001:
        return _t(tr, prefix + "_below", p=tr.number(0.001, digits=3))
    return _t(tr, prefix, p=tr.number(p, digits=3))


def _p_cell(tr: Translator, p: float) -> str:
    if p is None or not np.isfinite(p):
        return MISSING
    return "< " + tr.number(0.001, digits=3) if p < 0.001 else tr.number(p, digits=3)


def _value(tr: Translator, metric: str, value: float) -> str:
    """A KPI value as the KPI is shown: conversion as a percentage, the check as money, counts as numbers."""
    if metric == "conversion":
        return tr.pct(value, digits=1)
    if metric == "average_check":
        return tr.money(value)
    whole = value is not None and np.isfinite(value) and float(value).is_integer()
    return tr.number(value, digits=0 if whole else 1)


def _difference(tr: Translator, metric: str, value: float) -> str:
    if metric == "conversion":
        return tr.pp(100 * value if value is not None and np.isfinite(value) else math.nan)
    if metric == "average_check":
        return tr.money(value)
    return fmt_number(value, locale=tr.lang, digits=1, signed=True)


def _interval(tr: Translator, metric: str, low: float, high: float) -> str:
    """The 95 % interval of a row: of the rate difference (points) or of the ratio."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return MISSING
    if metric == "conversion":
        low_text, high_text = tr.pp(100 * low), tr.pp(100 * high)
    else:
        low_text, high_text = tr.number(low, digits=2), tr.number(high, digits=2)
    return tr.t("common.range", low=low_text, high=high_text)


def _left_out(label: str) -> list[str]:
    return label.removeprefix("rest excl. ").split(", ") if label.startswith("rest excl. ") else []


def _versus(tr: Translator, names: Mapping[str, str], label: str, *, possessive: bool = False) -> str:
    """``rest`` / ``rest excl. M07`` / a manager id, in words."""
    if label == "rest":
        return _t(tr, "comparison.rest_possessive" if possessive else "comparison.rest")
    left_out = _left_out(label)
    if left_out:
        key = "comparison.rest_without_possessive" if possessive else "comparison.rest_without"
        return _t(tr, key, names=tr.names(_name(names, m) for m in left_out))
    other = _name(names, label)
    return _t(tr, "comparison.pair_possessive", name=other) if possessive else other


def _method(tr: Translator, p_adjust: str) -> str:
    return _t(tr, f"comparison.adjust.{p_adjust}")


def _range_pct(tr: Translator, low: float, high: float) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return MISSING
    return tr.t("common.range", low=tr.pct(low, digits=1), high=tr.pct(high, digits=1))
