"""The codes of the data and the command line as a report's reader reads them (issue 20, item 6).

A report records how it was made: its parameters (``period``, ``on_invalid`` ...), the rows read of each table
(``orders`` ...), and the payroll files carry the card's column names (``gate_passed`` ...). Those are codes:
an English report shows them as they are, so that they can be typed again; a Russian one names them in
Russian (``период``, ``заказы``, ``Допуск пройден``) and shows their values as the rest of the page does
(``3 кв. 2026``, ``₽``, ``да``). The words live under ``report_words`` in the catalogues.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from kpi_toolkit.report.i18n import LANGUAGES, Translator

__all__ = ["parameter_rows", "payroll_for_people", "payroll_labels", "table_name"]

_PERIOD = re.compile(r"^\d{4}(Q[1-4]|-\d{2})?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _word(tr: Translator, key: str, default: str) -> str:
    return tr.t(f"report_words.{key}") if tr.has(f"report_words.{key}") else default


def table_name(table: str, tr: Translator) -> str:
    """A table of the data contract as the report's language names it.

    >>> from kpi_toolkit.report.i18n import translator
    >>> table_name("orders", translator("ru")), table_name("orders", translator("en"))
    ('заказы', 'orders')
    """
    return _word(tr, f"table.{table}", table)


def _value(name: str, value: Any, tr: Translator, empty: str) -> str:
    text = str(value)
    if not text:
        return empty
    if tr.lang == "en":  # the codes, as typed on the command line
        return text
    if isinstance(value, bool):
        return _word(tr, "value.yes" if value else "value.no", text)
    if name in ("top_share", "alpha") and isinstance(value, float):
        return tr.pct(value, digits=0 if round(value * 100, 6).is_integer() else 1)
    if name == "lang":
        return LANGUAGES.get(text, text)
    if name == "currency":
        return tr.currency_sign or text
    if name == "baseline" and tr.has(f"plan_gap.baseline.{text}"):
        return tr.t(f"plan_gap.baseline.{text}")
    if name in ("metric", "plan_metric") and tr.has(f"kpi.{text}"):
        return tr.t(f"kpi.{text}")
    if name == "on_invalid":
        return _word(tr, f"value.{text}", text)
    if name == "period" and _PERIOD.match(text):
        return tr.period(text)
    if name == "as_of" and _DATE.match(text):
        return tr.date(pd.Timestamp(text))
    return text


def parameter_rows(parameters: Mapping[str, Any], tr: Translator, *, empty: str) -> list[tuple[str, str]]:
    """The rows (what, value) of a report's parameters for its provenance table.

    >>> from kpi_toolkit.report.i18n import translator
    >>> params = {"period": "2026Q3", "lang": "ru", "currency": "RUB", "on_invalid": "raise", "team": ""}
    >>> ru = translator("ru", currency="RUB")
    >>> parameter_rows(params, ru, empty="(пусто)")  # doctest: +NORMALIZE_WHITESPACE
    [('период', '3 кв. 2026'), ('язык', 'Русский'), ('валюта', '₽'), ('ошибочные строки', 'остановить отчёт'),
     ('команда', '(пусто)')]
    >>> parameter_rows({"period": "2026Q3"}, translator("en"), empty="(empty)")
    [('parameter period', '2026Q3')]
    """
    rows = []
    for name, value in parameters.items():
        label = _word(tr, f"parameter.{name}", tr.t("quarterly.provenance.parameter", name=str(name)))
        rows.append((label, _value(str(name), value, tr, empty)))
    return rows


def payroll_labels(tr: Translator) -> dict[str, str]:
    """The headers of the payroll files' columns and the names of the workbook's sheets, by code.

    >>> from kpi_toolkit.report.i18n import translator
    >>> labels = payroll_labels(translator("ru"))
    >>> labels["gate_passed"], labels["sheet.bonuses"], payroll_labels(translator("en"))["gate_passed"]
    ('Допуск пройден', 'Премии', 'gate_passed')
    """
    prefix = "report_words."
    return {
        key[len(prefix) :].removeprefix("payroll."): str(text)
        for key, text in tr.messages.items()
        if key.startswith((f"{prefix}payroll.", f"{prefix}sheet."))
    }


def payroll_for_people(
    payroll: pd.DataFrame, scorecard: pd.DataFrame, tr: Translator
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """The payroll and scorecard with their notes in the report's language, and the labels of the payroll
    files (headers, sheets, KPI names) for :func:`kpi_toolkit.card.workbook.write_bonus_workbook`.

    English returns the frames as they are and labels that are the codes themselves; numbers are never
    touched (a spreadsheet formats them).
    """
    from kpi_toolkit.report.card_messages import kpi_name, notes_text

    labels = payroll_labels(tr)
    if tr.lang == "en":
        return payroll, scorecard, labels

    def said(notes: object) -> object:
        return notes_text(tr, notes) if isinstance(notes, str) and notes else notes

    metrics = scorecard["metric"].dropna().astype(str).unique() if "metric" in scorecard else []
    labels |= {f"metric.{m}": kpi_name(tr, m) for m in metrics}
    payroll = payroll.assign(notes=[said(n) for n in payroll["notes"]]) if "notes" in payroll else payroll
    scorecard = (
        scorecard.assign(note=[said(n) for n in scorecard["note"]]) if "note" in scorecard else scorecard
    )
    return payroll, scorecard, labels
