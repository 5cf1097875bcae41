"""Returns, net sales and margin in the plan-gap report (issue 14), one function per piece of safe Html.

Built from public frames: :func:`kpi_toolkit.manager_kpis` of the period (``returns, net_sales,
gross_margin, margin_rate``; ``attrs["plan_metric"]``) and :func:`kpi_toolkit.plan_gap` (``returns_effect``,
``margin_effect``; ``attrs["metric"]``). A data set without returns and costs, whose plan is on the sales
volume, gets nothing: the report says nothing of what it cannot know. Words come from the catalogues'
``plan_gap_margin:`` section.
"""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.margin_views import has_margin_data
from kpi_toolkit.report.plan_gap_report import PlanGapReport

__all__ = ["driver_word", "gap_metric", "identity_sentences", "margin_section", "shows_margin"]

TOTAL = "TOTAL"
#: The steps of the rates in a plan gap, with their word in ``plan_gap_margin.driver``.
RATE_STEPS = (("returns_effect", "returns"), ("margin_effect", "margin"))


def driver_word(tr: Translator, column: str) -> str:
    """The report's word for an effect column of :func:`kpi_toolkit.plan_gap` (``"average_check_effect"``:
    average check; ``"returns_effect"``: returns; ``"margin_effect"``: margin rate)."""
    name = column.removesuffix("_effect")
    if name == "team_plan":  # issue 15: the group's plan above its members' targets
        return tr.t("group_plan_gap.driver.team_plan")
    section = "plan_gap_margin" if name in ("returns", "margin") else "plan_gap"
    return tr.t(f"{section}.driver.{name}")


def gap_metric(gap: pd.DataFrame) -> str:
    """The metric a :func:`kpi_toolkit.plan_gap` table is measured on (``attrs["metric"]``; else inferred from
    which rate effects it has, ``sales_volume`` when none)."""
    metric = gap.attrs.get("metric")
    if metric:
        return str(metric)
    if "margin_effect" in gap and gap["margin_effect"].notna().any():
        return "gross_margin"
    if "returns_effect" in gap and gap["returns_effect"].notna().any():
        return "net_sales"
    return "sales_volume"


def shows_margin(kpis: pd.DataFrame | None, gap: pd.DataFrame | None = None) -> bool:
    """Whether the report speaks of returns and margin: the period has returns or costs, or the plan is
    on net sales or gross margin."""
    on_money = gap is not None and gap_metric(gap) != "sales_volume"
    return bool(on_money or (kpis is not None and len(kpis) and has_margin_data(kpis)))


def identity_sentences(gap: pd.DataFrame, tr: Translator, *, baseline: str) -> list[str]:
    """What a gap on net sales or gross margin measures, and its extra factors (none on sales volume)."""
    metric = gap_metric(gap)
    if metric == "sales_volume":
        return []
    name = tr.t(f"plan_gap_margin.metric.{metric}")
    return [
        tr.t("plan_gap_margin.measured_on", metric=name, baseline=tr.t(f"plan_gap.baseline.{baseline}")),
        tr.t(f"plan_gap_margin.identity.{metric}"),
    ]


def _step_sentence(row: pd.Series, tr: Translator, baseline: str) -> str:
    steps = []
    for column, word in RATE_STEPS:
        value = row.get(column)
        if value is not None and pd.notna(value):
            effect = ("+" if value > 0 else "") + tr.money(float(value))
            steps.append(tr.t(f"plan_gap_margin.step_{word}", effect=effect))
    if not steps:
        return ""
    return tr.t(
        "plan_gap_margin.steps", baseline=tr.t(f"plan_gap.baseline.{baseline}"), steps=tr.names(steps)
    )


def margin_section(
    r: PlanGapReport,
    tr: Translator | None = None,
    *,
    kpis: pd.DataFrame,
    gap: pd.DataFrame | None = None,
) -> html.Html:
    """Returns, net sales, gross margin and margin rate of the team (or the manager in focus), the plan's
    metric, the returns and margin steps of the gap, and the table per manager; empty Html when the data
    has no returns and no costs and the plan is on the sales volume.

    Parameters
    ----------
    r : PlanGapReport
        The context: period, team, manager in focus, baseline, names.
    tr : Translator, optional
        The report's language (English when ``None``).
    kpis : pandas.DataFrame
        :func:`kpi_toolkit.manager_kpis` of the period (and team).
    gap : pandas.DataFrame, optional
        :func:`kpi_toolkit.plan_gap` of the period (the report's when ``None``).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.plan_gap_report import plan_gap_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> r = plan_gap_report(data, period="2026Q3", team="South")
    >>> text = margin_section(r, kpis=kt.manager_kpis(data, period="2026Q3", team="South"))
    >>> "The plan is measured on sales volume" in text, "Margin rate" in text
    (True, True)
    """
    tr = tr if tr is not None else translator("en")
    gap = r.gap if gap is None else gap
    if not shows_margin(kpis, gap):
        return html.Html("")
    has_costs = bool(kpis["gross_margin"].notna().any())
    rows = kpis if not r.manager else kpis.loc[[m for m in kpis.index if str(m) == r.manager]]
    volume, returns = float(rows["sales_volume"].sum()), float(rows["returns"].sum())
    net = volume - returns
    who = (
        r.name(r.manager)
        if r.manager
        else tr.t("plan_gap.team_named", team=r.team)
        if r.team
        else tr.t("plan_gap.team_all")
    )
    values = {
        "who": who[:1].upper() + who[1:],
        "volume": tr.money(volume),
        "returns": tr.money(returns),
        "rate": tr.rate(returns / volume if volume > 0 else float("nan")),
        "net": tr.money(net),
    }
    lead = []
    if gap_metric(gap) == "sales_volume":
        lead.append(tr.t("plan_gap_margin.measured_on_volume"))
    if has_costs:
        margin = float(rows["gross_margin"].sum())
        rate = margin / net if net > 0 else float("nan")
        lead.append(
            tr.t(
                "plan_gap_margin.figures_margin", margin=tr.money(margin), margin_rate=tr.rate(rate), **values
            )
        )
    else:
        lead.append(tr.t("plan_gap_margin.figures_net", **values))
        lead.append(tr.t("plan_gap_margin.no_costs"))
    focus = gap[gap["manager"] == (r.manager or TOTAL)]
    if len(focus) and (steps := _step_sentence(focus.iloc[0], tr, r.baseline)):
        lead.append(steps)
    table = kpis.reset_index()
    table["manager"] = [r.name(str(m)) for m in table["manager"]]
    shown = [
        "manager",
        "sales_volume",
        "returns",
        "net_sales",
        *(["gross_margin", "margin_rate"] if has_costs else []),
    ]
    formats = {c: tr.money for c in ("sales_volume", "returns", "net_sales", "gross_margin")}
    formats["margin_rate"] = tr.rate
    body = html.table(
        table,
        columns={c: tr.t(f"plan_gap_margin.col.{c}") for c in shown},
        formats=formats,
        caption=tr.t("plan_gap_margin.caption"),
    )
    return html.section(tr.t("plan_gap_margin.heading"), lead) + body
