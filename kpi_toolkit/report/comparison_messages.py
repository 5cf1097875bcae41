"""The words of the manager comparison report and of the quarterly report's "Differences between managers",
and how numbers, p-values, intervals and references enter them.

Keyed as a catalogue would key them (``comparison.*``). A message the translator's catalogue has
(``locales/<lang>.yml``, section ``comparison:``) is taken from there; the others from :data:`MESSAGES`, in
the report's language when this module has it, else in English. Every report language has every message
(headings, prose, table headers, axis titles and legends of the figures, the names of the tests and their
notes); ``tests/test_comparison_report.py`` checks that they have the same placeholders and every plural form
the language needs. ``{name}`` placeholders take text already formatted for the locale; a plural message maps
CLDR plural tags to texts, ``{count}`` being the number that chose the form. Codes written to data files
(``manager_tests.csv``: verdicts, test names, notes) stay English: they are translated only when shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

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
    "comparison.intro": (
        "CRM dashboards rank managers by their raw numbers, and a manager with 4 wins out of 5 leads tops "
        "the table while one with 36 out of 200 looks worst. This report asks which differences between "
        "managers are real: does a manager truly convert worse, or sell bigger checks, than the rest of the "
        "team, or could chance alone have made the numbers differ this much? It first states what the data "
        "say in plain words, then shows the tests behind each statement, a funnel plot and a ranking that "
        "allows for how many leads each manager had. The file manager_tests.csv beside this report holds "
        "every test, for every KPI."
    ),
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
    # the names of the tests and the notes of the global tests (English codes in manager_tests.csv)
    "comparison.test_name.chi_square": "chi-square",
    "comparison.test_name.chi_square_yates": "chi-square (Yates)",
    "comparison.test_name.fisher_exact": "Fisher exact",
    "comparison.test_name.welch_t_on_log_amounts": "Welch t on log amounts",
    "comparison.test_name.exact_conditional_binomial": "exact conditional binomial",
    "comparison.test_name.welch_anova_on_log_amounts": "Welch ANOVA on log amounts",
    "comparison.test_name.kruskal_wallis": "Kruskal-Wallis",
    "comparison.test_name.monte_carlo": {
        "one": "chi-square (Monte Carlo p, {count} table)",
        "other": "chi-square (Monte Carlo p, {count} tables)",
    },
    "comparison.note.min_expected": "minimum expected count {value}",
    "comparison.note.min_expected_low": (
        "minimum expected count {value} (< 5: chi-square approximation doubtful)"
    ),
    "comparison.note.welch_df": "F({df1}, {df2})",
    "comparison.note.zeros": {
        "one": "{count} zero amount not logged",
        "other": "{count} zero amounts not logged",
    },
    "comparison.note.left_out": "left out ({why}): {names}",
    "comparison.note.why_leads": {
        "one": "fewer than {count} closed lead",
        "other": "fewer than {count} closed leads",
    },
    "comparison.note.why_orders": {"one": "fewer than {count} order", "other": "fewer than {count} orders"},
    "comparison.note.why_positive_orders": {
        "one": "fewer than {count} positive order or no spread",
        "other": "fewer than {count} positive orders or no spread",
    },
    "comparison.note.why_exposure": "no exposure",
    "comparison.note.few_leads": {
        "one": "fewer than 2 managers with at least {count} closed lead",
        "other": "fewer than 2 managers with at least {count} closed leads",
    },
    "comparison.note.few_positive_orders": {
        "one": "fewer than 2 managers with {count} positive order",
        "other": "fewer than 2 managers with {count} positive orders",
    },
    "comparison.note.few_orders": {
        "one": "fewer than 2 managers with {count} order",
        "other": "fewer than 2 managers with {count} orders",
    },
    "comparison.note.few_exposure": "fewer than 2 managers with exposure, or no events",
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
    # axis titles and legends of the figures
    "comparison.plot.pair": "{name} vs {versus}",
    "comparison.plot.axis.conversion": "difference in conversion, pp (95% interval)",
    "comparison.plot.axis.average_check": "ratio of geometric means (95% interval)",
    "comparison.plot.axis.new_customers": "rate ratio (95% interval)",
    "comparison.plot.closed_leads": "closed leads",
    "comparison.plot.conversion": "conversion",
    "comparison.plot.limits": "{level} limits",
    "comparison.plot.shrunk": "shrunk rate (95% interval)",
    "comparison.plot.raw": "raw rate",
    "comparison.plot.center": "the team's rate",
    "comparison.plot.amount": "order amount (log scale)",
    "comparison.plot.amount_currency": "order amount, {currency} (log scale)",
    "comparison.plot.zeros": {
        "one": "{label}; {count} zero amount not shown",
        "other": "{label}; {count} zero amounts not shown",
    },
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
    # how to read the report
    "comparison.guide.heading": "Reading the tests and the funnel plot",
    "comparison.guide.disagree_lead": "Why a funnel signal and a test verdict can disagree.",
    "comparison.guide.disagree": (
        "They answer different questions. The test asks whether one manager differs from the rest of the "
        "team (the others pooled, without any colleague who clearly differs), and its p-values are adjusted "
        "for the number of managers tested, so that when all managers are alike the chance of flagging "
        "anyone is at most the chosen level. The funnel plot asks whether a manager's rate is unusual for "
        "the team as a whole (the manager's own leads included in the center), one manager at a time, with "
        "no adjustment: with 20 managers, one is expected outside the 95% limits by chance alone. So a "
        'manager can be outside the 95% limits ("watch") without a verdict, a manager can sit just inside '
        "the 99.8% limits and still be called below (the rest without the manager is a sharper reference "
        "than the team's center), and a manager with very few leads gets wide limits in the funnel but "
        '"insufficient data" from the test. Read the funnel as a picture of who to look at, and the verdict '
        "as the finding that survives chance across the whole team."
    ),
    "comparison.guide.assumptions_lead": "What each test assumes, and when not to trust it.",
    "comparison.guide.conversion_lead": "Conversion",
    "comparison.guide.conversion": (
        "(chi-square with Yates' correction, Fisher's exact test for small counts; funnel limits from the "
        "binomial distribution): every lead converts independently, at one rate per manager over the period. "
        "Distrust it when many leads belong to one account or campaign (they win or lose together, and the "
        "test is too quick to flag), when leads are not assigned alike (one manager gets the hard segment: "
        "the test then compares segments, not people), or when the rate changed within the period."
    ),
    "comparison.guide.average_check_lead": "Average check",
    "comparison.guide.average_check": (
        "(Welch's t-test on log amounts): orders are independent and roughly log-normal; the test compares "
        "typical orders (geometric means), not totals. Distrust it with fewer than about 30 orders per "
        "manager, with a few very large repeat orders of one customer, or with amounts piled up near zero. "
        "The checks beside it (Mann-Whitney, the bootstrap of the ratio of average checks, Cliff's delta) do "
        "not decide anything; when they disagree with the verdict, look at the distributions."
    ),
    "comparison.guide.new_customers_lead": "New customers",
    "comparison.guide.new_customers": (
        "(exact test of Poisson counts): customers arrive independently over the period. The count reflects "
        "workload as much as skill: a manager with fewer leads wins fewer new customers."
    ),
    "comparison.guide.all_lead": "All of them:",
    "comparison.guide.all": (
        '"no difference" means no evidence of a difference, not proof of equality; the sentence on the size '
        "a test can detect says how large a difference could still hide. A quarter of leads detects only "
        "large differences in conversion; a year detects much smaller ones. The shrunk ranking assumes the "
        "managers are alike a priori (exchangeable); its intervals are a little narrow with fewer than about "
        "ten managers."
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
    "comparison.title": "{kpi}: сравнение менеджеров за {period}",
    "comparison.title_team": "{kpi}: сравнение менеджеров за {period} – {team}",
    "comparison.scope_all": "все команды",
    "comparison.scope_team": "команда {team}",
    "comparison.subtitle": "{scope} · {managers} · данные на {date}",
    "comparison.managers": {
        "one": "{count} менеджер",
        "few": "{count} менеджера",
        "many": "{count} менеджеров",
        "other": "{count} менеджера",
    },
    "comparison.key_figures": "Ключевые показатели",
    "comparison.figure.below": "Ниже остальных",
    "comparison.figure.above": "Выше остальных",
    "comparison.figure.none": "никого",
    "comparison.figure.global": "Все одинаковы? (общий тест)",
    "comparison.figure.tested": "Менеджеры с выводом",
    "comparison.figure.tested_text": "{tested} из {managers}",
    "comparison.p": "p = {p}",
    "comparison.p_below": "p < {p}",
    "comparison.adjusted_p": "скорректированное p = {p}",
    "comparison.adjusted_p_below": "скорректированное p < {p}",
    "comparison.rest": "остальная команда",
    "comparison.rest_without": "остальная команда без {names}",
    "comparison.rest_possessive": "у остальной команды",
    "comparison.rest_without_possessive": "у остальной команды (без {names})",
    "comparison.pair_possessive": "у {name}",
    "comparison.more": "больше",
    "comparison.fewer": "меньше",
    "comparison.tests_count": {
        "one": "{count} сравнение",
        "few": "{count} сравнения",
        "many": "{count} сравнений",
        "other": "{count} сравнения",
    },
    "comparison.adjust.holm": "метод Холма",
    "comparison.adjust.bh": "метод Бенджамини – Хохберга",
    "comparison.adjust.none": "без поправки",
    "comparison.phrase.conversion": "конверсия",
    "comparison.phrase.average_check": "средний чек",
    "comparison.phrase.new_customers": "число новых клиентов",
    "comparison.what.conversion": "закрытых лидов",
    "comparison.what.average_check": "заказов с положительной суммой",
    "comparison.what.new_customers": "данных",
    "comparison.intro": (
        "CRM-панели ранжируют менеджеров по исходным цифрам, и менеджер с 4 выигранными лидами из 5 "
        "возглавляет таблицу, а менеджер с 36 из 200 выглядит худшим. Этот отчёт отвечает на вопрос, какие "
        "различия между менеджерами реальны: действительно ли менеджер хуже конвертирует лиды или продаёт с "
        "более крупным чеком, чем остальная команда, или цифры могли так разойтись по чистой случайности? "
        "Сначала простыми словами сказано, что говорят данные, затем показаны проверки за каждым выводом, "
        "воронкообразный график и рейтинг, учитывающий число лидов у каждого менеджера. Файл "
        "manager_tests.csv рядом с отчётом содержит все проверки по всем показателям."
    ),
    # conclusions
    "comparison.conclusions.heading": "Что говорят данные",
    "comparison.conclusions.conversion": (
        "{name}: конверсия {direction}, чем {reference}: {estimate} против {versus_estimate} закрытых лидов "
        "({n} и {versus_n}); {p} с поправкой на {tests} ({method})."
    ),
    "comparison.conclusions.average_check": (
        "{name}: средний чек {direction}, чем {reference}: {estimate} против {versus_estimate} (заказов: {n} "
        "и {versus_n}); отношение типичных заказов (средних геометрических) – {ratio} (95-процентный "
        "интервал от {low} до {high}); {p} с поправкой на {tests} ({method})."
    ),
    "comparison.conclusions.new_customers": (
        "{name}: новых клиентов {direction}, чем в среднем в группе сравнения ({reference}): {estimate} "
        "против {versus_estimate}; {p} с поправкой на {tests} ({method})."
    ),
    "comparison.conclusions.none": (
        "Ни у одного менеджера {kpi} не отличается от остальной команды сильнее, чем можно объяснить "
        "случайностью ({tests}, {method}, уровень значимости {alpha})."
    ),
    "comparison.conclusions.no_tests": (
        "Ни у одного менеджера за этот период недостаточно {what} для вывода: о том, кто отличается, пока "
        "ничего сказать нельзя."
    ),
    "comparison.conclusions.others": {
        "one": (
            "Для {count} другого менеджера данные не показывают отличий от остальной команды: это отсутствие "
            "свидетельств различия, а не доказательство того, что его нет."
        ),
        "few": (
            "Для {count} других менеджеров данные не показывают отличий от остальной команды: это отсутствие "
            "свидетельств различия, а не доказательство того, что его нет."
        ),
        "many": (
            "Для {count} других менеджеров данные не показывают отличий от остальной команды: это отсутствие "
            "свидетельств различия, а не доказательство того, что его нет."
        ),
        "other": (
            "Для {count} другого менеджера данные не показывают отличий от остальной команды: это отсутствие "
            "свидетельств различия, а не доказательство того, что его нет."
        ),
    },
    "comparison.conclusions.insufficient": {
        "one": "Слишком мало {what} для вывода по {count} менеджеру (нужно не меньше {min_n}): {items}.",
        "few": "Слишком мало {what} для вывода по {count} менеджерам (нужно не меньше {min_n}): {items}.",
        "many": "Слишком мало {what} для вывода по {count} менеджерам (нужно не меньше {min_n}): {items}.",
        "other": "Слишком мало {what} для вывода по {count} менеджера (нужно не меньше {min_n}): {items}.",
    },
    "comparison.conclusions.insufficient_item": "{name} ({n})",
    "comparison.conclusions.few": "Меньше двух менеджеров: сравнивать не с кем.",
    # global tests
    "comparison.global.heading": "Одинаковы ли все менеджеры?",
    "comparison.global.intro": (
        "Общий тест проверяет, одинаковы ли все менеджеры по показателю, не говоря, кто именно отличается. "
        "Он приведён рядом со сравнениями и не решает их исход: он может найти различие, которое после "
        "поправки не подтверждает ни одно отдельное сравнение, и наоборот."
    ),
    "comparison.global.result": {
        "one": "{kpi}: {test}, статистика {statistic}, степеней свободы: {df}, {p} ({count} менеджер).",
        "few": "{kpi}: {test}, статистика {statistic}, степеней свободы: {df}, {p} ({count} менеджера).",
        "many": "{kpi}: {test}, статистика {statistic}, степеней свободы: {df}, {p} ({count} менеджеров).",
        "other": "{kpi}: {test}, статистика {statistic}, степеней свободы: {df}, {p} ({count} менеджера).",
    },
    "comparison.global.no_test": "{kpi}: общий тест не проводился ({note}).",
    "comparison.global.caption": "Общие тесты, {period}",
    "comparison.global.kpi": "Показатель",
    "comparison.global.test": "Тест",
    "comparison.global.statistic": "Статистика",
    "comparison.global.df": "Степени свободы",
    "comparison.global.p": "p",
    "comparison.global.groups": "Менеджеры",
    "comparison.global.note": "Примечание",
    # the names of the tests and the notes of the global tests
    "comparison.test_name.chi_square": "хи-квадрат",
    "comparison.test_name.chi_square_yates": "хи-квадрат (с поправкой Йейтса)",
    "comparison.test_name.fisher_exact": "точный тест Фишера",
    "comparison.test_name.welch_t_on_log_amounts": "t-тест Уэлча по логарифмам сумм",
    "comparison.test_name.exact_conditional_binomial": "точный условный биномиальный тест",
    "comparison.test_name.welch_anova_on_log_amounts": "дисперсионный анализ Уэлча по логарифмам сумм",
    "comparison.test_name.kruskal_wallis": "тест Краскела – Уоллиса",
    "comparison.test_name.monte_carlo": {
        "one": "хи-квадрат (p методом Монте-Карло, {count} таблица)",
        "few": "хи-квадрат (p методом Монте-Карло, {count} таблицы)",
        "many": "хи-квадрат (p методом Монте-Карло, {count} таблиц)",
        "other": "хи-квадрат (p методом Монте-Карло, {count} таблицы)",
    },
    "comparison.note.min_expected": "минимальное ожидаемое число {value}",
    "comparison.note.min_expected_low": (
        "минимальное ожидаемое число {value} (< 5: приближение хи-квадрат сомнительно)"
    ),
    "comparison.note.welch_df": "F({df1}, {df2})",
    "comparison.note.zeros": {
        "one": "{count} нулевая сумма не логарифмирована",
        "few": "{count} нулевые суммы не логарифмированы",
        "many": "{count} нулевых сумм не логарифмировано",
        "other": "{count} нулевой суммы не логарифмировано",
    },
    "comparison.note.left_out": "исключены ({why}): {names}",
    "comparison.note.why_leads": {
        "one": "меньше {count} закрытого лида",
        "few": "меньше {count} закрытых лидов",
        "many": "меньше {count} закрытых лидов",
        "other": "меньше {count} закрытого лида",
    },
    "comparison.note.why_orders": {
        "one": "меньше {count} заказа",
        "few": "меньше {count} заказов",
        "many": "меньше {count} заказов",
        "other": "меньше {count} заказа",
    },
    "comparison.note.why_positive_orders": {
        "one": "меньше {count} заказа с положительной суммой или нет разброса",
        "few": "меньше {count} заказов с положительной суммой или нет разброса",
        "many": "меньше {count} заказов с положительной суммой или нет разброса",
        "other": "меньше {count} заказа с положительной суммой или нет разброса",
    },
    "comparison.note.why_exposure": "нулевая экспозиция",
    "comparison.note.few_leads": {
        "one": "меньше двух менеджеров, у которых не меньше {count} закрытого лида",
        "few": "меньше двух менеджеров, у которых не меньше {count} закрытых лидов",
        "many": "меньше двух менеджеров, у которых не меньше {count} закрытых лидов",
        "other": "меньше двух менеджеров, у которых не меньше {count} закрытого лида",
    },
    "comparison.note.few_positive_orders": {
        "one": "меньше двух менеджеров, у которых {count} заказ с положительной суммой",
        "few": "меньше двух менеджеров, у которых {count} заказа с положительной суммой",
        "many": "меньше двух менеджеров, у которых {count} заказов с положительной суммой",
        "other": "меньше двух менеджеров, у которых {count} заказа с положительной суммой",
    },
    "comparison.note.few_orders": {
        "one": "меньше двух менеджеров, у которых {count} заказ",
        "few": "меньше двух менеджеров, у которых {count} заказа",
        "many": "меньше двух менеджеров, у которых {count} заказов",
        "other": "меньше двух менеджеров, у которых {count} заказа",
    },
    "comparison.note.few_exposure": "меньше двух менеджеров с ненулевой экспозицией, или событий нет",
    # each against the rest
    "comparison.tests.heading": "Каждый менеджер против остальной команды",
    "comparison.tests.intro": (
        "У каждого менеджера {kpi} сравнивается с объединёнными данными остальной команды. Менеджер, который "
        "явно отличается, исключается из «остальной команды» для других (об этом говорит столбец «База "
        "сравнения»), чтобы один крайний коллега не делал всех остальных хуже или лучше. p-значения "
        "скорректированы на число сравнений ({method}): если все менеджеры одинаковы, вероятность назвать "
        "кого-либо выше или ниже остальных не больше {alpha}. Нажмите на заголовок столбца, чтобы "
        "отсортировать по нему."
    ),
    "comparison.tests.method.conversion": (
        "Тест: хи-квадрат с поправкой Йейтса (как prop.test в R), точный тест Фишера, если ожидаемое число "
        "меньше 5. Интервал: 95-процентный интервал Ньюкомба для разности. Размер эффекта: h Коэна (0,2 – "
        "малый, 0,5 – средний, 0,8 – большой)."
    ),
    "comparison.tests.method.average_check": (
        "Тест: t-тест Уэлча по логарифмам сумм; он оценивает отношение средних геометрических (типичного "
        "заказа), показанное с 95-процентным интервалом. Средние чеки (средние арифметические) приведены "
        "рядом: их сдвигают несколько очень крупных заказов, а тест – нет."
    ),
    "comparison.tests.method.new_customers": (
        "Тест: точный условный тест для двух пуассоновских количеств (как poisson.test в R), с отношением "
        "интенсивностей и его точным 95-процентным интервалом. Менеджер с меньшим числом лидов привлекает "
        "меньше новых клиентов: тест сравнивает количества, а не мастерство."
    ),
    "comparison.tests.detectable.conversion": (
        "Медиана закрытых лидов на менеджера – {n}: при таком объёме этот тест находит отличие от остальных "
        "примерно на {size} в четырёх случаях из пяти; меньшие отличия могут скрываться за выводом «без "
        "различий». За более длинный период (год) находятся и меньшие."
    ),
    "comparison.tests.detectable.average_check": (
        "Медиана заказов на менеджера – {n}: при таком объёме этот тест находит типичный заказ, примерно в "
        "{size} раза больший, чем у остальных (или во столько же раз меньший), в четырёх случаях из пяти; "
        "меньшие отличия могут скрываться за выводом «без различий»."
    ),
    "comparison.tests.detectable.new_customers": (
        "Этот тест находит менеджера, который привлекает примерно в {size} раза больше новых клиентов, чем "
        "остальные (или во столько же раз меньше), в четырёх случаях из пяти; меньшие отличия могут "
        "скрываться за выводом «без различий»."
    ),
    "comparison.tests.caption": "{kpi}: каждый менеджер против остальной команды, {period}",
    "comparison.tests.figure_caption": (
        "Каждый менеджер против остальной команды: оценка с 95-процентным интервалом (без поправки); цвет – "
        "вывод (с поправкой)."
    ),
    "comparison.tests.figure_alt": (
        "Для каждого менеджера {effect} в сравнении с остальной командой, с 95-процентным интервалом: "
        "{items}."
    ),
    "comparison.tests.figure_alt_item": "{name} {value} (от {low} до {high}), {verdict}",
    "comparison.effect.conversion": "разница в конверсии",
    "comparison.effect.average_check": "отношение средних геометрических",
    "comparison.effect.new_customers": "отношение интенсивностей",
    "comparison.col.manager": "Менеджер",
    "comparison.col.versus": "База сравнения",
    "comparison.col.n.conversion": "Закрытые лиды",
    "comparison.col.n.average_check": "Заказы",
    "comparison.col.n.new_customers": "Новые клиенты",
    "comparison.col.versus_estimate": "Остальные",
    "comparison.col.difference": "Разница",
    "comparison.col.interval": "Интервал 95 %",
    "comparison.col.effect.conversion": "h Коэна",
    "comparison.col.effect.average_check": "Отношение средних геометрических",
    "comparison.col.effect.new_customers": "Отношение интенсивностей",
    "comparison.col.test": "Тест",
    "comparison.col.p": "p",
    "comparison.col.p_adjusted": "Скорректированное p",
    "comparison.col.verdict": "Вывод",
    # axis titles and legends of the figures
    "comparison.plot.pair": "{name} – {versus}",
    "comparison.plot.axis.conversion": "разница в конверсии, п. п. (интервал 95 %)",
    "comparison.plot.axis.average_check": "отношение средних геометрических (интервал 95 %)",
    "comparison.plot.axis.new_customers": "отношение интенсивностей (интервал 95 %)",
    "comparison.plot.closed_leads": "закрытые лиды",
    "comparison.plot.conversion": "конверсия",
    "comparison.plot.limits": "границы {level}",
    "comparison.plot.shrunk": "сглаженная конверсия (интервал 95 %)",
    "comparison.plot.raw": "исходная конверсия",
    "comparison.plot.center": "конверсия команды",
    "comparison.plot.amount": "сумма заказа (логарифмическая шкала)",
    "comparison.plot.amount_currency": "сумма заказа, {currency} (логарифмическая шкала)",
    "comparison.plot.zeros": {
        "one": "{label}; {count} нулевая сумма не показана",
        "few": "{label}; {count} нулевые суммы не показаны",
        "many": "{label}; {count} нулевых сумм не показано",
        "other": "{label}; {count} нулевой суммы не показано",
    },
    # funnel
    "comparison.funnel.heading": "Воронкообразный график",
    "comparison.funnel.intro": (
        "Конверсия каждого менеджера в зависимости от числа закрытых лидов и границы, в которые менеджер с "
        "конверсией команды ({center}) попадает в 95 % (пунктир) и 99,8 % (сплошная линия) случаев. С ростом "
        "числа лидов границы сужаются: конверсия, далёкая от командной, на малом числе лидов может быть "
        "случайностью, та же конверсия на большом числе лидов – нет. За границами 99,8 %: выше или ниже; "
        "только за границами 95 %: под наблюдением."
    ),
    "comparison.funnel.overdispersion": (
        "Границы расширены на коэффициент избыточной дисперсии {phi}: менеджеры различаются сильнее, чем "
        "объясняет одна лишь случайность."
    ),
    "comparison.funnel.signals": "За границами: {items}.",
    "comparison.funnel.signal_item": "{name} ({signal})",
    "comparison.funnel.no_signals": "Все менеджеры в пределах границ 95 %.",
    "comparison.funnel.caption": "Воронкообразный график конверсии, {period}",
    "comparison.funnel.alt": (
        "Воронкообразный график конверсии в зависимости от числа закрытых лидов, центр – {center}: {items}."
    ),
    "comparison.funnel.alt_item": "{name} {rate} (закрытых лидов: {n}), {signal}",
    "comparison.funnel.no_leads": "нет закрытых лидов",
    "comparison.funnel.table_caption": "Границы воронки по менеджерам, {period}",
    "comparison.funnel.only_conversion": (
        "Воронкообразный график и сглаженный рейтинг строятся для конверсии, доли лидов: постройте этот "
        "отчёт с --metric conversion, чтобы их увидеть."
    ),
    "comparison.col.rate": "Конверсия",
    "comparison.col.limits_95": "Границы 95 %",
    "comparison.col.limits_998": "Границы 99,8 %",
    "comparison.col.signal": "Сигнал",
    # ranking
    "comparison.ranking.heading": "Рейтинг: исходный и сглаженный",
    "comparison.ranking.intro": (
        "Исходный рейтинг ставит менеджера с 4 выигранными лидами из 5 выше менеджера со 150 из 300. "
        "Сглаженная конверсия подтягивает исходную конверсию каждого менеджера к командной – тем сильнее, "
        "чем меньше у менеджера лидов, и настолько, насколько это оправдывает разброс между менеджерами в "
        "данных (эмпирический байесовский подход, бета-биномиальная модель). Её 95-процентный интервал и "
        "вероятность конверсии выше командной показывают, насколько неопределённо каждое место: менеджеров с "
        "перекрывающимися интервалами различить нельзя."
    ),
    "comparison.ranking.no_spread": (
        "Данные не показывают, что менеджеры вообще различаются по конверсии: каждая сглаженная конверсия "
        "равна командной, а рейтинг лишь упорядочивает исходные значения и ничего не доказывает."
    ),
    "comparison.ranking.caption": "Рейтинг по конверсии, исходный и сглаженный, {period}",
    "comparison.ranking.figure_caption": (
        "Закрашенные точки – сглаженная конверсия с 95-процентными интервалами; полые точки – исходная "
        "конверсия; пунктир – конверсия команды."
    ),
    "comparison.ranking.alt": (
        "Сглаженная конверсия с 95-процентными интервалами, от лучшей к худшей, рядом – исходная: {items}."
    ),
    "comparison.ranking.alt_item": "{name} {shrunk} (исходная {raw})",
    "comparison.col.raw_rank": "Исходное место",
    "comparison.col.raw_rate": "Исходная конверсия",
    "comparison.col.shrunk_rate": "Сглаженная конверсия",
    "comparison.col.prob_above": "Вероятность быть выше команды",
    "comparison.col.rank": "Место (сглаженное)",
    # order amounts
    "comparison.amounts.heading": "Суммы заказов",
    "comparison.amounts.intro": (
        "Заказы каждого менеджера в логарифмической шкале, шкале теста. Проверкам рядом с выводами нужен "
        "каждый заказ: тест Манна – Уитни проверяет, склонны ли заказы менеджера быть крупнее, "
        "бутстреп-интервал ограничивает отношение средних чеков (средних арифметических, которые сдвигают "
        "несколько очень крупных заказов), дельта Клиффа показывает, как часто заказ менеджера крупнее "
        "заказа остальных (от -1 до 1). Это проверки, а не выводы: если они расходятся с выводом, "
        "распределения различаются формой, а не только уровнем."
    ),
    "comparison.amounts.caption": "Суммы заказов по менеджерам, {period} (логарифмическая шкала)",
    "comparison.amounts.alt": (
        "Диаграммы размаха сумм заказов по менеджерам в логарифмической шкале; медианный заказ: {items}."
    ),
    "comparison.amounts.alt_item": "{name} {median}",
    "comparison.amounts.table_caption": "Проверки рядом с выводами по среднему чеку, {period}",
    "comparison.col.ratio_of_means": "Отношение средних чеков",
    "comparison.col.bootstrap": "Бутстреп-интервал 95 %",
    "comparison.col.mann_whitney": "p (Манн – Уитни)",
    "comparison.col.cliffs_delta": "Дельта Клиффа",
    # caveats
    "comparison.caveat.few_managers": {
        "one": "Всего {count} менеджер: сравнивать не с кем.",
        "few": "Всего {count} менеджера: сравнивать не с кем.",
        "many": "Всего {count} менеджеров: сравнивать не с кем.",
        "other": "Всего {count} менеджера: сравнивать не с кем.",
    },
    "comparison.caveat.incomplete": (
        "Данные заканчиваются {date}, раньше конца периода {period}: сравнение охватывает месяцы до этой "
        "даты."
    ),
    "comparison.caveat.early": (
        "Период {period} начинается раньше данных ({date}): сравнение охватывает месяцы начиная с этой даты."
    ),
    "comparison.caveat.first_year": (
        "Период {period} приходится на первый год истории данных (она начинается {date}): «новыми клиентами» "
        "считаются и клиенты, покупавшие до начала данных."
    ),
    "comparison.caveat.sampled": (
        "{manager}: заказов за период – {total}; в ранговые тесты и бутстреп входят {kept} из них, выбранные "
        "случайно с фиксированным зерном (выводы используют все заказы)."
    ),
    # how to read the report
    "comparison.guide.heading": "Как читать тесты и воронкообразный график",
    "comparison.guide.disagree_lead": "Почему сигнал воронки и вывод теста могут расходиться.",
    "comparison.guide.disagree": (
        "Они отвечают на разные вопросы. Тест спрашивает, отличается ли менеджер от остальной команды "
        "(остальных вместе, без коллег, которые явно отличаются), и его p-значения скорректированы на число "
        "проверенных менеджеров, так что если все менеджеры одинаковы, вероятность отметить кого-либо не "
        "больше выбранного уровня. Воронкообразный график спрашивает, необычна ли конверсия менеджера для "
        "команды в целом (в центр входят и лиды самого менеджера), по одному менеджеру, без поправки: из 20 "
        "менеджеров один окажется за границами 95 % просто случайно. Поэтому менеджер может быть за "
        "границами 95 % («под наблюдением») без вывода, может находиться чуть внутри границ 99,8 % и всё же "
        "получить вывод «ниже» (остальная команда без этого менеджера – более точная база сравнения, чем "
        "центр команды), а менеджер с очень малым числом лидов получает широкие границы на графике, но вывод "
        "«мало данных» в тесте. Читайте воронку как подсказку, на кого посмотреть, а вывод теста – как "
        "результат, который выдерживает проверку на случайность по всей команде."
    ),
    "comparison.guide.assumptions_lead": "Что предполагает каждый тест и когда ему не стоит доверять.",
    "comparison.guide.conversion_lead": "Конверсия",
    "comparison.guide.conversion": (
        "(хи-квадрат с поправкой Йейтса, точный тест Фишера для малых чисел; границы воронки по "
        "биномиальному распределению): каждый лид конвертируется независимо, с одной долей на менеджера за "
        "весь период. Не доверяйте ему, если много лидов относятся к одному клиенту или кампании (они "
        "выигрываются или проигрываются вместе, и тест слишком легко находит различия), если лиды "
        "распределяются неодинаково (одному менеджеру достаётся трудный сегмент: тест тогда сравнивает "
        "сегменты, а не людей) или если конверсия менялась в течение периода."
    ),
    "comparison.guide.average_check_lead": "Средний чек",
    "comparison.guide.average_check": (
        "(t-тест Уэлча по логарифмам сумм): заказы независимы и распределены примерно логнормально; тест "
        "сравнивает типичные заказы (средние геометрические), а не суммы. Не доверяйте ему, если у менеджера "
        "меньше примерно 30 заказов, если есть несколько очень крупных повторных заказов одного клиента или "
        "если суммы скапливаются около нуля. Проверки рядом с ним (тест Манна – Уитни, бутстреп отношения "
        "средних чеков, дельта Клиффа) ничего не решают; если они расходятся с выводом, посмотрите на "
        "распределения."
    ),
    "comparison.guide.new_customers_lead": "Новые клиенты",
    "comparison.guide.new_customers": (
        "(точный тест для пуассоновских количеств): клиенты приходят независимо в течение периода. Их число "
        "отражает нагрузку не меньше, чем мастерство: менеджер с меньшим числом лидов привлекает меньше "
        "новых клиентов."
    ),
    "comparison.guide.all_lead": "Все тесты:",
    "comparison.guide.all": (
        "«без различий» означает отсутствие свидетельств различия, а не доказательство равенства; фраза о "
        "размере различия, которое тест может обнаружить, говорит, насколько большое различие ещё может "
        "скрываться. Лиды за квартал позволяют обнаружить только крупные различия в конверсии, за год – "
        "гораздо меньшие. Сглаженный рейтинг предполагает, что менеджеры априори одинаковы "
        "(перестановочны); при менее чем примерно десяти менеджерах его интервалы немного узковаты."
    ),
    # provenance
    "comparison.provenance.heading": "Как построен этот отчёт",
    "comparison.provenance.intro": (
        "Всё, что нужно, чтобы проследить любое число этого отчёта и построить его заново: те же параметры "
        "на данных с тем же отпечатком дают те же таблицы и рисунки."
    ),
    "comparison.provenance.caption": "Как построен этот отчёт",
    "comparison.provenance.what": "Что",
    "comparison.provenance.value": "Значение",
    "comparison.provenance.parameter": "параметр {name}",
    "comparison.provenance.source": "источник данных",
    "comparison.provenance.fingerprint": "отпечаток данных (sha256 проверенных таблиц)",
    "comparison.provenance.data_as_of": "данные на",
    "comparison.provenance.first_date": "данные начинаются",
    "comparison.provenance.version": "версия kpi-toolkit",
    "comparison.provenance.seed": "зерно выборок, бутстрепа и p-значений методом Монте-Карло",
    "comparison.provenance.rows": "строки таблицы {table}",
    "comparison.provenance.rows_value": "прочитано {read}, использовано {used}, исключено {excluded}",
    "comparison.provenance.empty": "(пусто)",
    # the quarterly report's section
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
    return tr.t_from(MESSAGES, key, count=count, **values)


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


_MONTE_CARLO = re.compile(r"^chi-square \(Monte Carlo p, (\d+) tables\)$")


def _test_name(tr: Translator, code: object) -> str:
    """A test's name (an English code of ``manager_tests.csv``) in the report's language; unknown codes as is.

    >>> _test_name(translator("ru"), "chi-square (Monte Carlo p, 10000 tables)")
    'хи-квадрат (p методом Монте-Карло, 10\\xa0000 таблиц)'
    >>> _test_name(translator("en"), "Fisher exact"), _test_name(translator("ru"), "–")
    ('Fisher exact', '–')
    """
    text = str(code)
    if match := _MONTE_CARLO.match(text):
        return _t(tr, "comparison.test_name.monte_carlo", count=int(match.group(1)))
    key = "comparison.test_name." + re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return _t(tr, key) if key in MESSAGES["en"] else text


#: The parts of a global test's note (``kpi_toolkit.stats.global_tests``), each as its message and values.
_NOTE_PARTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), key)
    for pattern, key in (
        (r"^minimum expected count (?P<value>[\d.]+)$", "comparison.note.min_expected"),
        (
            r"^minimum expected count (?P<value>[\d.]+) \(< 5: chi-square approximation doubtful\)$",
            "comparison.note.min_expected_low",
        ),
        (r"^F\((?P<df1>\d+), (?P<df2>[\d.]+)\)$", "comparison.note.welch_df"),
        (r"^(?P<count>\d+) zero amounts not logged$", "comparison.note.zeros"),
        (r"^fewer than 2 managers with at least (?P<count>\d+) trials$", "comparison.note.few_leads"),
        (
            r"^fewer than 2 managers with (?P<count>\d+) positive orders$",
            "comparison.note.few_positive_orders",
        ),
        (r"^fewer than 2 managers with (?P<count>\d+) orders$", "comparison.note.few_orders"),
        (r"^fewer than 2 managers with exposure, or no events$", "comparison.note.few_exposure"),
        (r"^fewer than (?P<count>\d+) trials$", "comparison.note.why_leads"),
        (r"^fewer than (?P<count>\d+) orders$", "comparison.note.why_orders"),
        (r"^fewer than (?P<count>\d+) positive orders or no spread$", "comparison.note.why_positive_orders"),
        (r"^no exposure$", "comparison.note.why_exposure"),
    )
)
_LEFT_OUT = re.compile(r"^left out \((?P<why>.+)\): (?P<managers>.+)$")


def _note_part(tr: Translator, part: str, names: Mapping[str, str]) -> str:
    if match := _LEFT_OUT.match(part):
        managers = tr.names(_name(names, m) for m in match.group("managers").split(", "))
        return _t(
            tr, "comparison.note.left_out", why=_note_part(tr, match.group("why"), names), names=managers
        )
    for pattern, key in _NOTE_PARTS:
        if match := pattern.match(part):
            values = match.groupdict()
            count = values.pop("count", None)
            values = {k: tr.number(float(v), digits=len(v.partition(".")[2])) for k, v in values.items() if v}
            return _t(tr, key, count=None if count is None else int(count), **values)
    return part


def _note(tr: Translator, note: object, names: Mapping[str, str] | None = None) -> str:
    """A global test's note (English text of ``kpi_toolkit.stats``) in the report's language, numbers
    formatted for the locale and managers by name; a part it does not know stays as it is.

    >>> note = "F(13, 544.86); 0 zero amounts not logged; left out (fewer than 10 trials): M01, M02"
    >>> _note(translator("ru"), note, {"M01": "Ann"})
    'F(13, 544,86); 0 нулевых сумм не логарифмировано; исключены (меньше 10 закрытых лидов): Ann и M02'
    >>> _note(translator("en"), "minimum expected count 3.82 (< 5: chi-square approximation doubtful)")
    'minimum expected count 3.82 (< 5: chi-square approximation doubtful)'
    """
    if note is None or (isinstance(note, float) and math.isnan(note)) or not str(note):
        return MISSING
    return "; ".join(_note_part(tr, part, names or {}) for part in str(note).split("; "))


def _range_pct(tr: Translator, low: float, high: float) -> str:
    if not (np.isfinite(low) and np.isfinite(high)):
        return MISSING
    return tr.t("common.range", low=tr.pct(low, digits=1), high=tr.pct(high, digits=1))
