"""Numbers, money, percentages and dates for display, formatted by Babel for the report's locale.

Every number a report shows goes through one of these functions, which take the locale's own patterns from
CLDR (via Babel) and change only the number of decimals: grouping, decimal sign, the place of the currency
sign and of the percent sign, and the spaces between them all come from the locale. ``1 234 567,89 ₽`` and
``26.11.2026`` in Russian; ``1,234,567.89`` and ISO dates (``2026-11-26``) in English.

Only display rounds: the tables the toolkit computes keep full precision. Missing values show as an en dash.
A value that rounds to zero never shows as ``-0``.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from functools import cache

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import (
    NumberPattern,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_plus_sign_symbol,
)

__all__ = [
    "MISSING",
    "decimals",
    "fmt_compact",
    "fmt_count",
    "fmt_date",
    "fmt_datetime",
    "fmt_money",
    "fmt_month",
    "fmt_number",
    "fmt_pct",
    "fmt_pp_number",
    "fmt_ratio",
]

MISSING = "–"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or bool(pd.isna(value))


@cache
def _pattern(locale: str, kind: str, digits: int, signed: bool) -> NumberPattern:
    """The locale's decimal, percent or currency pattern with ``digits`` decimals (and a plus sign)."""
    babel_locale = Locale.parse(locale)
    base = {
        "decimal": babel_locale.decimal_formats[None],
        "percent": babel_locale.percent_formats[None],
        "currency": babel_locale.currency_formats["standard"],
    }[kind]
    pattern = copy.copy(base)
    pattern.frac_prec = (digits, digits)
    if signed:
        pattern.prefix = (get_plus_sign_symbol(locale) + pattern.prefix[0], pattern.prefix[1])
    return pattern


def _no_negative_zero(value: float, digits: int, *, scale: int = 0) -> float:
    value = float(value)
    return 0.0 if round(value * 10**scale, digits) == 0 else value


def decimals(value: float, most: int) -> int:
    """The fewest decimals, up to ``most``, that show ``value`` as it is (a tick at 2.5 needs one).

    >>> decimals(2.0, 2), decimals(2.5, 2), decimals(1 / 3, 2)
    (0, 1, 2)
    """
    for digits in range(most):
        if abs(value - round(value, digits)) < 1e-9 * max(1.0, abs(value)):
            return digits
    return most


def fmt_number(value: float | None, *, locale: str = "en", digits: int = 0, signed: bool = False) -> str:
    """A plain number with the locale's grouping and decimal sign.

    >>> fmt_number(1234567.891, digits=2), fmt_number(1234567.891, locale="ru", digits=2)
    ('1,234,567.89', '1\\xa0234\\xa0567,89')
    >>> fmt_number(-0.04), fmt_number(2.53, digits=1, signed=True)
    ('0', '+2.5')
    """
    if _missing(value):
        return MISSING
    value = _no_negative_zero(value, digits)
    return format_decimal(value, format=_pattern(locale, "decimal", digits, signed), locale=locale)


def fmt_money(
    value: float | None, *, locale: str = "en", currency: str | None = None, digits: int = 0
) -> str:
    """Money rounded for display, with the currency sign where the locale puts it when ``currency`` is given.

    >>> fmt_money(1234567.891)
    '1,234,568'
    >>> fmt_money(1234567.891, currency="USD", digits=2)
    '$1,234,567.89'
    >>> fmt_money(1234567.891, locale="ru", currency="RUB", digits=2)
    '1\\xa0234\\xa0567,89\\xa0₽'
    """
    if not currency:
        return fmt_number(value, locale=locale, digits=digits)
    if _missing(value):
        return MISSING
    value = _no_negative_zero(value, digits)
    return format_currency(
        value,
        currency,
        format=_pattern(locale, "currency", digits, False),
        locale=locale,
        currency_digits=False,
    )


def fmt_count(value: float | None, *, locale: str = "en") -> str:
    """A whole count with grouping: ``12,345``.

    >>> fmt_count(12345.0), fmt_count(12345, locale="ru")
    ('12,345', '12\\xa0345')
    """
    if _missing(value):
        return MISSING
    return fmt_number(round(float(value)), locale=locale)


def fmt_pct(value: float | None, *, locale: str = "en", digits: int = 0) -> str:
    """A fraction as a percentage, as the locale writes it: ``0.284 -> '28%'`` (``'28 %'`` in Russian).

    >>> fmt_pct(0.2849, digits=1), fmt_pct(0.2849, locale="ru")
    ('28.5%', '28\\xa0%')
    """
    if _missing(value):
        return MISSING
    value = _no_negative_zero(value, digits, scale=2)
    return format_percent(value, format=_pattern(locale, "percent", digits, False), locale=locale)


def fmt_pp_number(value: float | None, *, locale: str = "en", digits: int = 1) -> str:
    """The number of a change in percentage points, with its sign (the unit is the caller's: ``pp``).

    >>> fmt_pp_number(-2.53), fmt_pp_number(2.53, locale="ru")
    ('-2.5', '+2,5')
    """
    return fmt_number(value, locale=locale, digits=digits, signed=True)


def fmt_ratio(value: float | None, *, locale: str = "en", digits: int = 0) -> str:
    """A relative change with its sign: ``0.123 -> '+12%'``.

    >>> fmt_ratio(0.123), fmt_ratio(-0.5), fmt_ratio(-0.001)
    ('+12%', '-50%', '+0%')
    """
    if _missing(value):
        return MISSING
    value = _no_negative_zero(value, digits, scale=2)
    return format_percent(value, format=_pattern(locale, "percent", digits, True), locale=locale)


def fmt_compact(value: float | None, *, locale: str = "en") -> str:
    """A large number in short form for axis ticks: ``1.2M`` (``1,2 млн`` in Russian).

    >>> fmt_compact(1_234_567), fmt_compact(950)
    ('1.2M', '950')
    """
    if _missing(value):
        return MISSING
    return format_compact_decimal(value, format_type="short", locale=locale, fraction_digits=1)


def fmt_date(value: pd.Timestamp | dt.date | None, *, locale: str = "en") -> str:
    """A date: ISO ``2026-09-30`` in English, the locale's short date (``30.09.2026``) otherwise.

    >>> fmt_date(pd.Timestamp("2026-09-30 14:00")), fmt_date(pd.Timestamp("2026-11-26"), locale="ru")
    ('2026-09-30', '26.11.2026')
    """
    if _missing(value):
        return MISSING
    day = pd.Timestamp(value).date()
    if locale.startswith("en"):
        return day.isoformat()
    return format_date(day, format="short", locale=locale)


def fmt_month(label: str, *, locale: str = "en") -> str:
    """A month label ``2026-07`` as the locale names the month standing alone (``июль 2026``).

    >>> fmt_month("2026-07"), fmt_month("2026-07", locale="ru")
    ('July 2026', 'июль 2026')
    """
    return format_date(pd.Timestamp(f"{label}-01").date(), format="LLLL y", locale=locale)


def fmt_datetime(value: pd.Timestamp | dt.datetime | None, *, locale: str = "en") -> str:
    """A moment in UTC to the minute: ISO ``2026-11-26 14:05`` in English, ``26.11.2026, 14:05`` in Russian.

    A naive value is taken to be UTC already.

    >>> moment = pd.Timestamp("2026-11-26 14:05:59")
    >>> fmt_datetime(moment), fmt_datetime(moment, locale="ru")
    ('2026-11-26 14:05', '26.11.2026, 14:05')
    """
    if _missing(value):
        return MISSING
    moment = pd.Timestamp(value)
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    if locale.startswith("en"):
        return moment.strftime("%Y-%m-%d %H:%M")
    return format_datetime(moment.to_pydatetime(), format="short", tzinfo=dt.UTC, locale=locale)
