"""Numbers, money, percentages and dates for display, formatted by Babel for the report's locale.

Every number a report shows goes through one of these functions, which take the locale's own patterns from
CLDR (via Babel) and change only the number of decimals: grouping, decimal sign, the place of the currency
sign and of the percent sign, and the spaces between them all come from the locale. ``1 234 567,89 ₽`` and
``26.11.2026`` in Russian; ``1,234,567.89`` and ISO dates (``2026-11-26``) in English.

Only display rounds: the tables the toolkit computes keep full precision. Missing values show as an en dash.
A value that rounds to zero never shows as ``-0``.

The display precision policy (one rule for every report):

- A rate or an achievement that a reader may hold against a target (conversion, plan attainment, a KPI's
  achievement on a card) goes through :func:`fmt_rate`: one decimal, *cut* rather than rounded, so that a
  miss never shows as a hit: 24.96 % of a 25 % target shows ``24.9%``, never ``25%``; 99.96 % of plan shows
  ``99.9%``, never ``100%``. A hit stays a hit (a value at or above a target on the shown grid shows at or
  above it). When the target is known and lies between two shown steps (a 24.65 % target), more digits are
  shown until the value's side of the target is visible. :func:`cut` is the same rule for a bare number
  (the heatmap's cells).
- A p-value goes through :func:`fmt_p`: three decimals, ``< 0.001`` below and ``> 0.999`` above, never
  ``0.000`` or ``1.000``; more digits where three would move it across the significance level (0.0496 is
  not shown as ``0.050``).
- Levels, shares and changes (``95%`` intervals, ``+12%``) are not held against a target and round
  normally (:func:`fmt_pct`, :func:`fmt_ratio`).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from decimal import ROUND_FLOOR, Decimal
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
    "cut",
    "decimals",
    "fmt_compact",
    "fmt_count",
    "fmt_date",
    "fmt_datetime",
    "fmt_money",
    "fmt_month",
    "fmt_number",
    "fmt_p",
    "fmt_pct",
    "fmt_pp_number",
    "fmt_rate",
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


#: Differences below this (relative) are float noise: a sum that should equal its plan is taken to equal it.
_NOISE_DIGITS = 10


def _exact(value: float) -> Decimal:
    """``value`` as the decimal it stands for (``0.246``, not ``0.24599999999999999645``), float noise off."""
    return Decimal(repr(round(float(value), _NOISE_DIGITS)))


def cut(value: float, digits: int = 0) -> float:
    """``value`` cut (rounded toward minus infinity) to ``digits`` decimals: never shown above what it is.

    A value just below a round target stays below it; float noise (``0.1 + 0.2``) is ignored first.

    >>> cut(99.96, 0), cut(99.96, 1), cut(24.6, 0), cut(0.1 + 0.2, 1), cut(-0.04, 1)
    (99.0, 99.9, 24.0, 0.3, -0.1)
    """
    step = Decimal(1).scaleb(-digits)
    return float(_exact(value).quantize(step, rounding=ROUND_FLOOR))


def _rate_digits(value: Decimal, digits: int, target: float | None, most: int) -> int:
    """The fewest digits (from ``digits``) that keep the cut value on the value's side of ``target``."""
    if target is None or _missing(target):
        return digits
    goal = _exact(target) * 100
    for d in range(digits, most + 1):
        shown = value.quantize(Decimal(1).scaleb(-d), rounding=ROUND_FLOOR)
        if (shown >= goal) == (value >= goal):
            return d
    return most


def fmt_rate(value: float | None, *, locale: str = "en", digits: int = 1, target: float | None = None) -> str:
    """A rate or achievement (a fraction) as a percentage that a miss never rounds to a hit.

    The value is cut to ``digits`` decimals of a per cent, not rounded: what is shown is never more than
    the value, so a value below any target on the shown grid (25 %, 100 %) shows below it. With ``target``
    (a fraction), up to two more digits are shown when the cut would hide on which side of it the value is.

    >>> fmt_rate(0.246), fmt_rate(0.2496), fmt_rate(0.9996), fmt_rate(1.0), fmt_rate(0.25, locale="ru")
    ('24.6%', '24.9%', '99.9%', '100.0%', '25,0\xa0%')
    >>> fmt_rate(0.2466, target=0.2465), fmt_rate(0.2464, target=0.2465), fmt_rate(0.9996, digits=0)
    ('24.66%', '24.6%', '99%')
    """
    if _missing(value):
        return MISSING
    percent = _exact(value) * 100
    shown_digits = _rate_digits(percent, digits, target, digits + 2)
    shown = percent.quantize(Decimal(1).scaleb(-shown_digits), rounding=ROUND_FLOOR)
    shown = Decimal(0) if shown == 0 else shown
    return format_percent(shown / 100, format=_pattern(locale, "percent", shown_digits, False), locale=locale)


def _crosses(shown: float, value: float, level: float) -> bool:
    """Whether ``shown`` puts ``value`` on the wrong side of ``level``, or on it when it is not."""
    return (shown < level) != (value < level) or (shown == level and value != level)


def fmt_p(value: float | None, *, locale: str = "en", alpha: float = 0.05) -> str:
    """A p-value: three decimals, ``< 0.001`` and ``> 0.999`` at the ends (never ``0.000``/``1.000``).

    Where three decimals would carry it across ``alpha`` or onto it (0.0496 or 0.0504 -> ``0.050`` at 5 %),
    more are shown.

    >>> fmt_p(0.0000012), fmt_p(0.0123), fmt_p(0.0496), fmt_p(0.9996), fmt_p(1.0), fmt_p(0.5, locale="ru")
    ('< 0.001', '0.012', '0.0496', '> 0.999', '> 0.999', '0,500')
    """
    if _missing(value):
        return MISSING
    p = float(value)
    if p < 0.001:
        return "< " + fmt_number(0.001, locale=locale, digits=3)
    if p > 0.999:
        return "> " + fmt_number(0.999, locale=locale, digits=3)
    digits = 3
    while digits < 6 and _crosses(round(p, digits), p, alpha):
        digits += 1
    return fmt_number(p, locale=locale, digits=digits)


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
