"""The languages of the reports: message catalogues (English, Russian) and the locale's number formats.

Everything a report renders for people (headings, labels, prose, axis titles, legends, table headers,
verdicts) comes from a catalogue, ``locales/<lang>.yml``: nested keys (``quarterly.kpis.heading``) whose
messages hold named placeholders (``{period}``). Codes written to data files (``kpis.csv`` columns, verdict
codes such as ``above``) stay English; only what is rendered is translated.

Numbers never enter a message as numbers: :meth:`Translator.t` accepts only strings for its placeholders, so
each number has been formatted by Babel for the locale first (:meth:`Translator.money`,
:meth:`~Translator.pct` ...). The one exception is ``count``, which picks the plural form by the locale's
CLDR plural rules (Russian has ``one``, ``few``, ``many`` and ``other``) and is itself formatted by Babel.

Adding a report kind: put its messages under its own top-level key (``comparison:``, ``plan_gap:`` ...) in
every catalogue, its display name under ``kind:`` and its verdict codes under ``verdict:``;
``tests/test_i18n.py`` checks that the catalogues have the same keys, the same placeholders and every plural
form their language needs. Adding a language: a new ``locales/<lang>.yml`` and an entry in :data:`LANGUAGES`.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from babel import Locale
from babel.lists import format_list
from babel.numbers import is_currency

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period
from kpi_toolkit.report import formatting

__all__ = ["LANGUAGES", "Lang", "Message", "Translator", "catalogue", "placeholders", "translator"]

Lang = Literal["en", "ru"]
#: The report languages, by code, with their own names.
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}

LOCALES_DIR = Path(__file__).parent / "locales"
_PLURAL_TAGS = frozenset({"zero", "one", "two", "few", "many", "other"})
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^\d{4}$")
#: KPIs shown as percentages (changes in percentage points) and as counts; the others are money.
_RATE_KPIS = ("plan_attainment", "conversion", "margin_rate")
_COUNT_KPIS = ("orders", "leads_closed", "new_customers")


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str | dict[str, str]]:
    flat: dict[str, str | dict[str, str]] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and set(value) <= _PLURAL_TAGS:
            flat[name] = {str(k): str(v) for k, v in value.items()}
        elif isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(lang: str) -> dict[str, str | dict[str, str]]:
    """The messages of ``lang`` by dotted key; a plural message is a mapping of CLDR plural tags to texts.

    >>> catalogue("ru")["kpi.sales_volume"]
    'Объём продаж'
    """
    if lang not in LANGUAGES:
        raise ParameterError(_lang_message(lang))
    with (LOCALES_DIR / f"{lang}.yml").open(encoding="utf-8") as handle:
        return _flatten(yaml.safe_load(handle))


def _plural_operand(count: float) -> int | float:
    """A whole count as an int (``12.0`` is ``12``, not a fraction with one visible decimal)."""
    value = abs(float(count))
    return int(value) if value.is_integer() else value


def _lang_message(lang: object) -> str:
    return f"lang={lang!r} is not a report language. Fix: use one of {', '.join(LANGUAGES)}."


def placeholders(message: str) -> set[str]:
    """The named placeholders of a message.

    >>> sorted(placeholders("{who} sold {amount}"))
    ['amount', 'who']
    """
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


class Message:
    """A message kept as a catalogue key and raw values, translated only when shown (:meth:`Translator.say`).

    Analysis code returns notes and caveats as messages, so that it stays free of any language. Values may be
    text (shown as is), a :class:`~kpi_toolkit.periods.Period`, a date
    (``pandas.Timestamp``), or a list of names; ``count`` picks the plural form.

    >>> Message("caveat.no_leads")
    Message('caveat.no_leads')
    """

    __slots__ = ("count", "key", "values")

    def __init__(self, key: str, /, *, count: int | None = None, **values: Any) -> None:
        self.key, self.count, self.values = key, count, values

    def __repr__(self) -> str:
        extra = "".join(
            f", {k}={v!r}" for k, v in {"count": self.count, **self.values}.items() if v is not None
        )
        return f"Message({self.key!r}{extra})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.key, self.count, self.values) == (
            other.key,
            other.count,
            other.values,
        )

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Translator:
    """Messages and number formats of one report language; build it with :func:`translator`.

    Examples
    --------
    >>> tr = translator("ru", currency="RUB")
    >>> day = pd.Timestamp("2026-11-26")
    >>> tr.t("quarterly.managers", count=14), tr.money(1234567.891, digits=2), tr.date(day)
    ('14 менеджеров', '1\\xa0234\\xa0567,89\\xa0₽', '26.11.2026')
    >>> en = translator("en")
    >>> en.t("quarterly.managers", count=1), en.pp(2.53), en.period("2026Q3"), en.names(["Ann", "Bob", "Cat"])
    ('1 manager', '+2.5 pp', '2026Q3', 'Ann, Bob, and Cat')
    """

    lang: Lang = "en"
    currency: str | None = None

    @property
    def messages(self) -> dict[str, str | dict[str, str]]:
        return catalogue(self.lang)

    @property
    def currency_sign(self) -> str | None:
        """The currency as the language writes it next to an amount (``₽`` for RUB in Russian, ``$`` for
        USD), as the amounts themselves show it, for axis titles; none without a currency.

        >>> translator("ru", currency="RUB").currency_sign, translator("en", currency="USD").currency_sign
        ('₽', '$')
        """
        if not self.currency:
            return None
        from babel.numbers import get_currency_symbol

        return get_currency_symbol(self.currency, locale=self.lang)

    def has(self, key: str) -> bool:
        """Whether the catalogue has a message ``key``."""
        return key in self.messages

    def t(self, key: str, /, *, count: float | None = None, **values: str) -> str:
        """The message ``key`` with its placeholders filled in.

        ``count`` chooses the plural form of a plural message (and fills ``{count}``, formatted for the
        locale); every other value must already be text, formatted for the locale.
        """
        try:
            message = self.messages[key]
        except KeyError:
            raise ParameterError(
                f"the {LANGUAGES[self.lang]} catalogue has no message {key!r}. "
                f"Fix: add it to every file in {LOCALES_DIR}."
            ) from None
        return self._fill(key, message, count, values)

    def _fill(
        self, key: str, message: str | dict[str, str], count: float | None, values: dict[str, str]
    ) -> str:
        for name, value in values.items():
            if not isinstance(value, str):
                raise TypeError(
                    f"message {key!r}: value {name}={value!r} is not text; format numbers and dates for the "
                    "locale first (Translator.money, .count, .pct, .date ...)."
                )
        if isinstance(message, dict):
            if count is None:
                raise TypeError(f"message {key!r} is a plural message: pass count=")
            tag = Locale.parse(self.lang).plural_form(_plural_operand(count))
            message = message.get(tag, message["other"])
        if count is not None:
            values = {"count": self.count(count), **values}
        for name, value in values.items():  # "за 2026 г." ends a sentence with one point, not two
            if value.endswith("."):
                message = message.replace(f"{{{name}}}.", f"{{{name}}}")
        return message.format(**values)

    def say(self, message: Message) -> str:
        """A :class:`Message` in this language, each value formatted by its type.

        >>> from kpi_toolkit.periods import parse_period
        >>> q3 = parse_period("2026Q3")
        >>> translator("ru").say(Message("caveat.no_plan", count=2, period=q3, names=["Ann", "Bob"]))
        'У 2 менеджеров нет плана продаж на 3 кв. 2026: Ann и Bob.'
        >>> translator("ru").t("comparison.quarterly.pointer", period="2026 г.")[-10:]
        'за 2026 г.'
        """
        values = {}
        for name, value in message.values.items():
            if isinstance(value, str):
                values[name] = value
            elif isinstance(value, Period):
                values[name] = self.period(value)
            elif isinstance(value, pd.Timestamp):
                values[name] = self.date(value)
            elif isinstance(value, list | tuple):
                values[name] = self.names(str(v) for v in value)
            else:
                raise TypeError(f"message {message.key!r}: cannot show value {name}={value!r}")
        return self.t(message.key, count=message.count, **values)

    # numbers, money, dates -------------------------------------------------------------------------------
    def kpi_value(self, metric: str, value: float | None) -> str:
        """A KPI's value as the reports show it: rates as percentages, counts as counts, the rest as money.

        >>> en = translator("en")
        >>> en.kpi_value("conversion", 0.25), en.kpi_value("orders", 1200), en.kpi_value("sales_volume", 1e6)
        ('25.0%', '1,200', '1,000,000')
        """
        if metric in _RATE_KPIS:
            return self.rate(value)
        if metric in _COUNT_KPIS:
            return self.count(value)
        return self.money(value)

    def kpi_change(self, metric: str, value: float, reference: float) -> str:
        """How far ``value`` is from ``reference``: percentage points for rates, else relative.

        >>> en = translator("en")
        >>> en.kpi_change("conversion", 0.30, 0.25), en.kpi_change("sales_volume", 120.0, 100.0)
        ('+5.0 pp', '+20%')
        """
        if metric in _RATE_KPIS:
            return self.pp(100 * (value - reference))
        ok = reference and not math.isnan(reference)
        return self.ratio(value / reference - 1) if ok else self.ratio(math.nan)

    def number(self, value: float | None, *, digits: int = 0) -> str:
        return formatting.fmt_number(value, locale=self.lang, digits=digits)

    def money(self, value: float | None, *, digits: int = 0) -> str:
        """Money, with the currency sign when the translator has a currency."""
        return formatting.fmt_money(value, locale=self.lang, currency=self.currency, digits=digits)

    def count(self, value: float | None) -> str:
        return formatting.fmt_count(value, locale=self.lang)

    def pct(self, value: float | None, *, digits: int = 0) -> str:
        """A fraction as a percentage (1.0 is 100 %)."""
        return formatting.fmt_pct(value, locale=self.lang, digits=digits)

    def rate(self, value: float | None, *, digits: int = 1, target: float | None = None) -> str:
        """A rate or achievement that may be read against a target: cut, never rounded up onto it.

        >>> translator("ru").rate(0.2496), translator("en").rate(0.9996)
        ('24,9\xa0%', '99.9%')
        """
        return formatting.fmt_rate(value, locale=self.lang, digits=digits, target=target)

    def p_value(self, value: float | None, *, alpha: float = 0.05) -> str:
        """A p-value: ``< 0.001`` and ``> 0.999`` at the ends, never ``0.000`` or ``1.000``."""
        return formatting.fmt_p(value, locale=self.lang, alpha=alpha)

    def ratio(self, value: float | None, *, digits: int = 0) -> str:
        """A relative change with its sign (0.1 is +10 %)."""
        return formatting.fmt_ratio(value, locale=self.lang, digits=digits)

    def pp(self, value: float | None, *, digits: int = 1) -> str:
        """A change in percentage points (``value`` already in points), with its sign and unit."""
        number = formatting.fmt_pp_number(value, locale=self.lang, digits=digits)
        return number if number == formatting.MISSING else self.t("unit.pp", value=number)

    def compact(self, value: float | None) -> str:
        return formatting.fmt_compact(value, locale=self.lang)

    def date(self, value: pd.Timestamp | None) -> str:
        return formatting.fmt_date(value, locale=self.lang)

    def datetime(self, value: pd.Timestamp | None) -> str:
        """A moment to the minute, in UTC, with the zone named."""
        text = formatting.fmt_datetime(value, locale=self.lang)
        return text if text == formatting.MISSING else self.t("unit.utc", time=text)

    # words ------------------------------------------------------------------------------------------------
    def period(self, period: str | Period) -> str:
        """A period label for people: ``2026Q3`` in English, ``3 кв. 2026`` in Russian; a range
        ``2025Q4:2026Q3`` as ``2025Q4–2026Q3`` (``4 кв. 2025 – 3 кв. 2026``); other text as is.

        >>> translator("ru").period("2025Q4:2026Q3"), translator("en").period("2003:2004")
        ('4 кв. 2025 – 3 кв. 2026', '2003–2004')
        """
        label = str(period)
        first, colon, last = label.partition(":")
        if colon and ":" not in last:
            return self.t("period_range.span", first=self.period(first), last=self.period(last))
        if match := _QUARTER.match(label):
            return self.t("period.quarter", label=label, year=match.group(1), quarter=match.group(2))
        if _MONTH.match(label):
            return self.t("period.month", label=label, month=formatting.fmt_month(label, locale=self.lang))
        if _YEAR.match(label):
            return self.t("period.year", label=label)
        return label

    def names(self, items: Iterable[str]) -> str:
        """A list of names joined as the language does (``A, B, and C``; ``A, B и C``)."""
        return format_list(list(items), locale=self.lang)

    def kind(self, kind: str) -> str:
        """The display name of a report kind (the code itself when the catalogue has none)."""
        return self.t(f"kind.{kind}") if self.has(f"kind.{kind}") else kind

    def verdict(self, code: str) -> str:
        """The display text of a verdict or status code (the code itself when the catalogue has none)."""
        key = "verdict." + re.sub(r"[^a-z0-9]+", "_", str(code).lower()).strip("_")
        return self.t(key) if self.has(key) else str(code)


def translator(lang: str = "en", *, currency: str | None = None) -> Translator:
    """The :class:`Translator` of report language ``lang`` with ``currency`` (an ISO 4217 code, or none).

    Raises
    ------
    ParameterError
        When the language is not one of :data:`LANGUAGES` or the currency is not an ISO 4217 code.

    Examples
    --------
    >>> translator("ru", currency="eur").money(1500)
    '1\\xa0500\\xa0€'
    >>> translator("de")
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.ParameterError: lang='de' is not a report language. Fix: use one of en, ru.
    """
    if lang not in LANGUAGES:
        raise ParameterError(_lang_message(lang))
    code = (currency or "").strip().upper() or None
    if code is not None and not is_currency(code):
        raise ParameterError(
            f"currency={currency!r} is not an ISO 4217 currency code. Fix: use a code such as RUB, USD or "
            "EUR, or leave it empty for amounts without a currency sign."
        )
    return Translator(lang=lang, currency=code)  # type: ignore[arg-type]
