"""Net sales and margin in the per-manager and KPI card reports, and which KPI the plan is measured on (#14).

Built on :mod:`kpi_toolkit.report.margin_views` (the quarterly report's section: its table of sales,
returns, net sales, margin and margin rate per manager) from public frames: :func:`kpi_toolkit.manager_kpis`
and the per-manager report's pseudonymised team numbers. A data set without returns and without costs gets
nothing, as in the quarterly report; a data set whose plan is on sales volume (the default) gets no note.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.manager import OWN_KEY, ManagerReport
from kpi_toolkit.report.margin_views import has_margin_data, margin_section

__all__ = ["card_margin_section", "card_plan_metric_note", "manager_margin_section", "plan_metric_note"]

#: The KPIs of the section, in the order they are spoken of.
MARGIN_KPIS = ("returns", "net_sales", "gross_margin", "margin_rate")


def plan_metric_note(plan_metric: str, tr: Translator) -> html.Html:
    """Which KPI the report's plan and % of plan are measured on (``data.plan_metric``); nothing when it is
    sales volume, the default.

    >>> from kpi_toolkit.report.i18n import translator
    >>> str(plan_metric_note("sales_volume", translator("en")))
    ''
    >>> "The plan is set on net sales" in plan_metric_note("net_sales", translator("en"))
    True
    """
    if plan_metric == "sales_volume":
        return html.Html("")
    return html.paragraphs([tr.t(f"margin_reports.plan_metric.{plan_metric}")])


def card_plan_metric_note(metrics: tuple[str, ...], plan_metric: str, tr: Translator) -> html.Html:
    """:func:`plan_metric_note` for a KPI card: only when the card (or its gate) uses % of plan
    (``metrics``: :attr:`kpi_toolkit.card.Card.required_metrics`)."""
    if "plan_attainment" not in metrics or plan_metric == "sales_volume":
        return html.Html("")
    return html.paragraphs([tr.t(f"margin_reports.card_plan_metric.{plan_metric}")])


def _manager_sentence(r: ManagerReport, tr: Translator) -> str:
    q = r.team_report
    kpis = q.kpis.loc[:, list(MARGIN_KPIS)].astype("float64")
    me, median = kpis.loc[OWN_KEY], kpis.median(skipna=True)
    total = q.totals.loc[str(q.period)] if str(q.period) in q.totals.index else pd.Series(dtype="float64")
    values = {
        "period": tr.period(r.period),
        "name": r.name,
        "returns": tr.money(me["returns"]),
        "net": tr.money(me["net_sales"]),
    }
    if math.isnan(me["gross_margin"]):
        return tr.t("margin_reports.manager.net_only", median=tr.money(median["net_sales"]), **values)
    return tr.t(
        "margin_reports.manager.margin",
        margin=tr.money(me["gross_margin"]),
        rate=tr.rate(me["margin_rate"]),
        median=tr.rate(median["margin_rate"]),
        total=tr.rate(total.get("margin_rate", math.nan)),
        **values,
    )


def manager_margin_section(r: ManagerReport, names: Mapping[str, str], tr: Translator) -> html.Html:
    """The manager's returns, net sales, gross margin and margin rate against the team's median manager and
    the team as a whole, then the team's table of :func:`~kpi_toolkit.report.margin_views.margin_section`
    (colleagues under their pseudonyms: ``names`` is
    :func:`~kpi_toolkit.report.manager_views.display_names`). Nothing when the team has neither returns nor
    costs in the period.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.i18n import translator
    >>> from kpi_toolkit.report.manager import manager_report, team_of
    >>> from kpi_toolkit.report.manager_views import display_names
    >>> from kpi_toolkit.report.quarterly import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> r = manager_report(quarterly_report(data, period="2026Q3", team=team_of(data, "M04")), manager="M04")
    >>> text = manager_margin_section(r, display_names(r), translator("en"))
    >>> "Dmitry Volkov had returns of" in text, "Manager D" in text, "Anna Petrova" in text
    (True, True, False)
    """
    kpis = r.team_report.kpis
    if not has_margin_data(kpis):
        return html.Html("")
    return margin_section(kpis, None, names=names, tr=tr, lead=[_manager_sentence(r, tr)])


def card_margin_section(kpis: pd.DataFrame, names: Mapping[str, str], tr: Translator) -> html.Html:
    """Beside the bonuses, what the sales left after returns and the cost of goods: the table of
    :func:`~kpi_toolkit.report.margin_views.margin_section` for the card's period and managers (``kpis``:
    :func:`kpi_toolkit.manager_kpis`), with a sentence saying why it is there; nothing when the period has
    neither returns nor costs."""
    if not has_margin_data(kpis):
        return html.Html("")
    return margin_section(kpis, None, names=names, tr=tr, lead=[tr.t("margin_reports.card.lead")])
