"""The words and number formats of the report's figures in the report's language.

The figure functions of :mod:`kpi_toolkit.figures` take their labels and formatting functions as arguments
(the analysis layer imports nothing of the report package); these give them the translator's words and
locale formats, as keyword arguments: ``plot_attainment(ranking, names=names, **attainment(tr))``.
"""

from __future__ import annotations

from typing import Any

from kpi_toolkit.figures import LEVEL
from kpi_toolkit.report.formatting import cut
from kpi_toolkit.report.i18n import Translator

__all__ = ["attainment", "bridge", "heatmap", "volume"]


def attainment(tr: Translator) -> dict[str, Any]:
    """Arguments of :func:`kpi_toolkit.figures.plot_attainment`.

    >>> from kpi_toolkit.report.i18n import translator
    >>> attainment(translator("ru"))["xlabel"]
    'Выполнение плана (интервал 95\\xa0%)'
    """
    return {"xlabel": tr.t("figure.attainment.xlabel", level=tr.pct(LEVEL)), "percent": tr.pct}


def heatmap(tr: Translator) -> dict[str, Any]:
    """Arguments of :func:`kpi_toolkit.figures.plot_attainment_heatmap` (cells cut, never rounded up)."""
    return {
        "colorbar_label": tr.t("figure.heatmap.colorbar"),
        "period_label": tr.period,
        "cell": lambda v: tr.number(cut(v)),
    }


def volume(tr: Translator) -> dict[str, Any]:
    """Arguments of :func:`kpi_toolkit.figures.plot_volume_vs_plan` (the currency in the axis title)."""
    label = tr.t("kpi.sales_volume")
    ylabel = (
        tr.t("figure.volume.ylabel_currency", label=label, currency=tr.currency_sign or "")
        if tr.currency
        else label
    )
    return {
        "volume_label": label,
        "plan_label": tr.t("kpi.sales_plan"),
        "ylabel": ylabel,
        "money": tr.compact,
        "period_label": tr.period,
    }


def bridge(tr: Translator, *, period: str, reference: str) -> dict[str, Any]:
    """Arguments of :func:`kpi_toolkit.figures.plot_customer_bridge` (bars named as the table's columns)."""
    parts = {part: tr.t(f"customer_bridge.col.{part}") for part in ("new", "lost", "increased", "decreased")}
    labels = {"baseline": tr.period(reference), **parts, "actual": tr.period(period)}
    return {"labels": labels, "money": tr.compact}
