"""How the KPI card report writes its values, shared by its sections (:mod:`kpi_toolkit.report.card_views`,
:mod:`kpi_toolkit.report.card_definition_views`, :mod:`kpi_toolkit.report.card_payout_views`): a KPI's actual
or target as the KPI is shown (money, a percentage or a count), a factor, a share, a manager's name, the
reason a KPI cannot be computed.
"""

from __future__ import annotations

import math
import re

from kpi_toolkit.report.card_report import CardReport
from kpi_toolkit.report.i18n import Translator, translator

_MONEY = ("sales_volume", "average_check", "returns", "net_sales", "gross_margin")
_RATES = ("conversion", "plan_attainment", "margin_rate")
_NOT_COMPUTED = re.compile(r"^cannot be computed \((?P<reason>.*)\): factor 0$")


def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def _value(metric: str, value: float, tr: Translator) -> str:
    """A KPI's actual or target as the KPI is shown: money, a percentage, or a count."""
    if metric in _MONEY:
        return tr.money(value)
    if metric in _RATES:
        return tr.rate(value)
    whole = isinstance(value, int | float) and math.isfinite(value) and float(value).is_integer()
    return tr.number(value, digits=0 if whole else 2)


def _factor(value: float, tr: Translator) -> str:
    return tr.number(value, digits=4)


def _name(r: CardReport, manager: str) -> str:
    return r.names.get(manager, manager)


def _share(part: float, whole: float, tr: Translator) -> str:
    return tr.pct(part / whole if whole else math.nan)


def _reason(note: str) -> str:
    match = _NOT_COMPUTED.match(note)
    return match.group("reason") if match else note
