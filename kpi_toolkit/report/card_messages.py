"""How the card's notes and numbers enter the words of the KPI card report.

The words themselves are the catalogues' ``card:`` sections (``locales/<lang>.yml``), in every report
language: headings, prose, table headers, axis titles, legends, and the card's notes on a KPI that cannot be
computed or a failed gate (``tests/test_i18n.py`` checks that the catalogues have the same keys, placeholders
and plural forms). The payroll files (``bonuses.xlsx``, ``bonuses.csv``) are data and stay English: only what
the report renders is translated, the notes included (:func:`notes_text`).
"""

from __future__ import annotations

import math
import re

from kpi_toolkit.report.formatting import decimals
from kpi_toolkit.report.i18n import LANGUAGES, Translator, catalogue

__all__ = ["MESSAGES", "NOTES", "REASONS", "kpi_name", "message", "notes_text", "reason_text"]

#: The messages by language (views of the catalogues' ``card:`` sections); English has every key.
MESSAGES: dict[str, dict[str, str | dict[str, str]]] = {
    lang: {k: v for k, v in catalogue(lang).items() if k.startswith("card.")} for lang in LANGUAGES
}

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
    """The message ``key`` of the translator's catalogue (:meth:`Translator.t`).

    >>> from kpi_toolkit.report.i18n import translator
    >>> message(translator("ru"), "card.managers", count=22)
    '22 менеджера'
    >>> message(translator("en"), "card.managers", count=1)
    '1 manager'
    """
    return tr.t(key, count=count, **values)


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


def _achievement_text(tr: Translator, text: str, minimum: str | None) -> str:
    """An achievement in a note, cut rather than rounded (0.6999 is not shown as the 70 % it misses).

    >>> from kpi_toolkit.report.i18n import translator
    >>> en = translator("en")
    >>> _achievement_text(en, "0.6", "0.7"), _achievement_text(en, "0.69996", "0.7")
    ('60%', '69.9%')
    """
    try:
        value = float(text)
        target = float(minimum) if minimum is not None else None
    except ValueError:
        return text
    if not math.isfinite(value):
        return text
    return tr.rate(value, digits=decimals(100 * value, 1), target=target)


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
            if "achievement" in values:
                values["achievement"] = _achievement_text(tr, values["achievement"], values.get("minimum"))
            if "minimum" in values:
                values["minimum"] = _pct_text(tr, values["minimum"])
            return message(tr, key, **values)
    return note


def notes_text(tr: Translator, notes: str) -> str:
    """The notes of a manager's bonus (``"; "``-separated, empty when none) in the report's language."""
    return "; ".join(_note(tr, n) for n in notes.split("; ")) if notes else ""


def kpi_name(tr: Translator, metric: str) -> str:
    return tr.t(f"kpi.{metric}") if tr.has(f"kpi.{metric}") else metric
