"""How numbers, p-values, intervals, test names and references enter the words of the manager comparison
report and of the quarterly report's "Differences between managers".

The words themselves are the catalogues' ``comparison:`` sections (``locales/<lang>.yml``), in every report
language: headings, prose, table headers, axis titles and legends of the figures, the names of the tests and
their notes. ``tests/test_i18n.py`` checks that the catalogues have the same keys, placeholders and plural
forms. Codes written to data files (``manager_tests.csv``: verdicts, test names, notes) stay English: they
are translated only when shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpi_toolkit.report.formatting import MISSING, fmt_number
from kpi_toolkit.report.i18n import LANGUAGES, Message, Translator, catalogue, translator

if TYPE_CHECKING:
    from kpi_toolkit.report.comparison_report import ComparisonReport

__all__ = ["MESSAGES", "QUARTERLY_KEYS"]

#: The messages by language (views of the catalogues' ``comparison:`` sections); English has every key.
MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    lang: {k: v for k, v in catalogue(lang).items() if k.startswith("comparison.")} for lang in LANGUAGES
}
#: The keys the quarterly report's section uses: every report language has them.
QUARTERLY_KEYS: tuple[str, ...] = tuple(
    key
    for key in MESSAGES["en"]
    if key.startswith("comparison.quarterly.")
    or key
    in (
        "comparison.p",
        "comparison.p_below",
        "comparison.p_above",
        "comparison.adjusted_p",
        "comparison.adjusted_p_below",
        "comparison.adjusted_p_above",
    )
)


#: The KPIs that are rates: their differences and intervals are in percentage points.
_RATES = ("conversion", "margin_rate")
#: The verdicts that flag a manager (the others: no difference, insufficient data).
_FLAGGED = ("above", "below")


# words and numbers ------------------------------------------------------------------------------------------
def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def _t(tr: Translator, key: str, /, *, count: float | None = None, **values: str) -> str:
    """The message ``key`` of the translator's catalogue (:meth:`Translator.t`)."""
    return tr.t(key, count=count, **values)


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
    if p > 0.999:
        return _t(tr, prefix + "_above", p=tr.number(0.999, digits=3))
    return _t(tr, prefix, p=tr.p_value(p))


def _p_cell(tr: Translator, p: float) -> str:
    if p is None or not np.isfinite(p):
        return MISSING
    return tr.p_value(p)


def _value(tr: Translator, metric: str, value: float) -> str:
    """A KPI value as the KPI is shown: conversion as a percentage, the check as money, counts as numbers."""
    if metric in _RATES:
        return tr.rate(value)
    if metric == "average_check":
        return tr.money(value)
    whole = value is not None and np.isfinite(value) and float(value).is_integer()
    return tr.number(value, digits=0 if whole else 1)


def _difference(tr: Translator, metric: str, value: float) -> str:
    if metric in _RATES:
        return tr.pp(100 * value if value is not None and np.isfinite(value) else math.nan)
    if metric == "average_check":
        return tr.money(value)
    return fmt_number(value, locale=tr.lang, digits=1, signed=True)


def _interval(tr: Translator, metric: str, low: float, high: float) -> str:
    """The 95 % interval of a row: of the rate difference (points) or of the ratio."""
    if not (np.isfinite(low) and np.isfinite(high)):
        return MISSING
    if metric in _RATES:
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


def _method(tr: Translator, p_adjust: str, family: int = 1) -> str:
    """The adjustment in words; with ``family`` KPIs on a page, Bonferroni's across them too."""
    method = _t(tr, f"comparison.adjust.{p_adjust}")
    if family > 1:
        return _t(tr, "comparison.page.method", method=method, count=family)
    return method


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
    return _t(tr, key) if tr.has(key) else text


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


def _period(tr: Translator, r: ComparisonReport) -> str:
    return tr.period(r.period)
