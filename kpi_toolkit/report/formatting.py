"""Numbers, money, percentages and dates for display, formatted by Babel for the report's locale.

Only display rounds: the tables the toolkit computes keep full precision. Missing values show as an en dash.
"""

from __future__ import annotations

import math

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

__all__ = ["MISSING", "fmt_count", "fmt_date", "fmt_money", "fmt_pct", "fmt_pp", "fmt_ratio"]

MISSING = "–"


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value)


def fmt_money(
    value: float | None, *, locale: str = "en", currency: str | None = None, digits: int = 0
) -> str:
    """Money rounded for display: ``1,234,568`` (or ``1 234 567,89 ₽`` in Russian with ``currency='RUB'``).

    >>> fmt_money(1234567.891)
    '1,234,568'
    >>> fmt_money(1234567.891, currency="USD", digits=2)
    '$1,234,567.89'
    """
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if currency:
        return format_currency(
            value,
            currency,
            format=pattern + " ¤" if locale.startswith("ru") else "¤" + pattern,
            locale=locale,
            currency_digits=False,
        )
    return format_decimal(value, format=pattern, locale=locale)


def fmt_count(value: float | None, *, locale: str = "en") -> str:
    """A whole count with grouping: ``12,345``.

    >>> fmt_count(12345.0)
    '12,345'
    """
    if _missing(value):
        return MISSING
    return format_decimal(round(float(value)), format="#,##0", locale=locale)


def fmt_pct(value: float | None, *, locale: str = "en", digits: int = 0) -> str:
    """A fraction as a percentage: ``0.284 -> '28%'``.

    >>> fmt_pct(0.2849, digits=1)
    '28.5%'
    """
    if _missing(value):
        return MISSING
    return format_percent(value, format="#,##0" + ("." + "0" * digits if digits else "") + "%", locale=locale)


def fmt_pp(value: float | None, *, locale: str = "en", digits: int = 1) -> str:
    """A change in percentage points with its sign: ``+2.5 pp``.

    >>> fmt_pp(-2.53)
    '-2.5 pp'
    """
    if _missing(value):
        return MISSING
    return (
        format_decimal(value, format="+#,##0." + "0" * digits + ";-#,##0." + "0" * digits, locale=locale)
        + " pp"
    )


def fmt_ratio(value: float | None, *, locale: str = "en", digits: int = 0) -> str:
    """A relative change with its sign: ``0.123 -> '+12%'``.

    >>> fmt_ratio(0.123), fmt_ratio(-0.5)
    ('+12%', '-50%')
    """
    if _missing(value):
        return MISSING
    body = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, format=f"+{body};-{body}", locale=locale)


def fmt_date(value: pd.Timestamp | None, *, locale: str = "en") -> str:
    """A date: ISO ``2026-09-30`` in English, ``30.09.2026`` in Russian.

    >>> fmt_date(pd.Timestamp("2026-09-30 14:00"))
    '2026-09-30'
    """
    if _missing(value):
        return MISSING
    if locale.startswith("en"):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    return format_date(pd.Timestamp(value).date(), format="dd.MM.yyyy", locale=locale)
