"""Net sales and margin in the quarterly report: who buys volume with discounts, in plain words first.

Built from public frames: :func:`kpi_toolkit.manager_kpis` (``returns, net_sales, gross_margin, margin_rate``)
and :func:`kpi_toolkit.compare_managers` with ``metric="margin_rate"`` (the verdict and its interval). A data
set without returns and without costs gets nothing: the report says nothing of what it cannot know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from kpi_toolkit.comparison import compare_managers
from kpi_toolkit.data import SalesData
from kpi_toolkit.periods import Period
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator

__all__ = ["has_margin_data", "margin_section", "margin_tests"]


def margin_tests(data: SalesData, *, period: Period, team: str | None = None) -> pd.DataFrame | None:
    """:func:`kpi_toolkit.compare_managers` of the margin rate (``None`` when the orders have no costs)."""
    if not data.has_costs:
        return None
    return compare_managers(data, period=period, metric="margin_rate", team=team or None)


def has_margin_data(kpis: pd.DataFrame) -> bool:
    """Whether the period has returns or costs to speak of."""
    return bool(kpis["returns"].fillna(0).ne(0).any() or kpis["gross_margin"].notna().any())


def margin_section(
    kpis: pd.DataFrame,
    tests: pd.DataFrame | None,
    *,
    names: Mapping[str, str],
    tr: Translator,
    lead: Sequence[str] = (),
) -> html.Html:
    """The section: a sentence per manager whose margin rate is below the rest's (volume rank, rate, the
    rest's rate, the interval of the difference), or that none is; then the table of sales, returns, net
    sales, margin and margin rate. ``tests`` is the margin-rate comparison (``None`` without costs, or where
    the report makes no comparison); ``lead`` sentences come first (the other reports' own words).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.i18n import translator
    >>> data = kt.from_frames(**make_demo_data())
    >>> kpis = kt.manager_kpis(data, period="2026")
    >>> tests = kt.compare_managers(data, period="2026", metric="margin_rate")
    >>> names = {str(m): str(n) for m, n in data.manager_info["name"].items()}
    >>> text = margin_section(kpis, tests, names=names, tr=translator("en"))
    >>> "Dmitry Volkov, number 2 of 16 by sales volume, sells at a margin rate of 11.8%" in text
    True
    """
    if not has_margin_data(kpis):
        return html.Html("")
    sentences = list(lead)
    rank = kpis["sales_volume"].rank(ascending=False, method="min")
    if tests is not None and len(tests):
        below = tests[tests["verdict"] == "below"]
        for row in below.itertuples(index=False):
            sentences.append(
                tr.t(
                    "margin.below",
                    name=names.get(row.manager, row.manager),
                    rank=tr.count(int(rank.get(row.manager, 0))),
                    count=tr.count(len(kpis)),
                    rate=tr.rate(row.estimate),
                    rate_rest=tr.rate(row.versus_estimate),
                    low=tr.number(-row.ci_high * 100, digits=1),
                    high=tr.number(-row.ci_low * 100, digits=1),
                )
            )
        if not len(below):
            sentences.append(tr.t("margin.none_below"))
    elif kpis["gross_margin"].isna().all():
        sentences.append(tr.t("margin.no_costs"))
    frame = kpis.reset_index()
    frame["who"] = [names.get(m, m) for m in frame["manager"]]
    columns = {"who": tr.t("quarterly.kpis.manager")} | {
        c: tr.t(f"kpi.{c}") for c in ("sales_volume", "returns", "net_sales", "gross_margin", "margin_rate")
    }
    formats = {c: (lambda v, c=c: tr.kpi_value(c, v)) for c in columns if c != "who"}
    table = html.table(
        frame.sort_values("margin_rate", kind="stable"),
        columns=columns,
        formats=formats,
        caption=tr.t("margin.caption"),
    )
    return html.section(tr.t("margin.heading"), [*sentences, tr.t("margin.intro")]) + table
