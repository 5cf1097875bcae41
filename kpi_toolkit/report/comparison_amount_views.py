"""Order amounts in the manager comparison report: the typical check (the geometric mean of a manager's
orders) beside the average check its verdicts judge (:func:`typical_checks`, :func:`typical_columns`, also
used by the verdict table and the quarterly report's differences), and the section on order amounts and
the checks beside the average-check verdicts (:func:`amounts_section`).

Every function takes the report's numbers (:class:`~kpi_toolkit.report.comparison_report.ComparisonReport`)
and a :class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``); numbers, words and data enter
the page as :mod:`kpi_toolkit.report.comparison_views` describes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_figures import amounts_plot
from kpi_toolkit.report.comparison_messages import (
    _name,
    _p_cell,
    _period,
    _t,
    _tr,
    _versus,
)
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.formatting import MISSING
from kpi_toolkit.report.i18n import Translator

__all__ = [
    "amounts_section",
    "typical_checks",
    "typical_columns",
]


# the typical check beside the average check (issue 17) ------------------------------------------------------
def typical_checks(amounts: pd.DataFrame) -> pd.Series:
    """The typical check of each manager: the geometric mean of their positive order amounts (NaN without
    one), indexed by manager; ``amounts`` as :func:`kpi_toolkit.comparison_amounts.order_amounts`.

    >>> typical_checks(pd.DataFrame({"manager": ["a", "a", "b"], "amount": [10.0, 1000.0, 0.0]})).round(1)
    manager
    a    100.0
    b      NaN
    Name: typical_check, dtype: float64
    """
    positive = amounts[amounts["amount"] > 0]
    logs = np.log(positive["amount"].astype(float))
    out = np.exp(logs.groupby(positive["manager"]).mean())
    managers = pd.Index(sorted(amounts["manager"].unique()), name="manager")
    return out.reindex(managers).rename("typical_check").astype(float)


def typical_columns(
    frame: pd.DataFrame, amounts: pd.DataFrame | None, diagnostics: pd.DataFrame | None
) -> pd.DataFrame:
    """``frame`` (one row per ``manager``) with ``typical_check`` (:func:`typical_checks`) and
    ``typical_ratio`` (the ratio of typical checks to the verdict's reference, ``geometric_mean_ratio`` of
    :func:`kpi_toolkit.average_check_diagnostics`) added; NaN where not known."""
    out = frame.copy()
    typical = typical_checks(amounts) if amounts is not None else pd.Series(dtype=float)
    out["typical_check"] = [float(typical.get(m, np.nan)) for m in out["manager"]]
    ratio = (
        diagnostics.set_index("manager")["geometric_mean_ratio"]
        if diagnostics is not None and len(diagnostics)
        else pd.Series(dtype=float)
    )
    out["typical_ratio"] = [float(ratio.get(m, np.nan)) for m in out["manager"]]
    return out


# order amounts ----------------------------------------------------------------------------------------------
def amounts_section(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """Order amounts per manager and the checks beside the average-check verdicts (average check only;
    empty for the other KPIs)."""
    tr = _tr(tr)
    if r.amounts is None or r.diagnostics is None:
        return html.Html("")
    medians = r.amounts[r.amounts["amount"] > 0].groupby("manager", sort=True)["amount"].median()
    items = "; ".join(
        _t(tr, "comparison.amounts.alt_item", name=_name(r.names, m), median=tr.money(v))
        for m, v in medians.items()
    )
    figure = html.Html("")
    if len(r.amounts):
        ax = amounts_plot(r, tr)
        figure = html.figure(
            ax.figure,
            alt=_t(tr, "comparison.amounts.alt", items=items),
            caption=_t(tr, "comparison.amounts.caption", period=_period(tr, r)),
        )
    d = r.diagnostics.copy()
    d["who"] = [_name(r.names, m) for m in d["manager"]]
    d["against"] = [_versus(tr, r.names, v) for v in d["versus"]]
    d["bootstrap"] = [
        tr.t("common.range", low=tr.number(lo, digits=2), high=tr.number(hi, digits=2))
        if np.isfinite(lo) and np.isfinite(hi)
        else MISSING
        for lo, hi in zip(d["ratio_ci_low"], d["ratio_ci_high"], strict=True)
    ]
    table = html.table(
        d,
        columns={
            "who": _t(tr, "comparison.col.manager"),
            "against": _t(tr, "comparison.col.versus"),
            "n": _t(tr, "comparison.col.n.average_check"),
            "ratio_of_means": _t(tr, "comparison.col.ratio_of_means"),
            "bootstrap": _t(tr, "comparison.col.bootstrap"),
            "mann_whitney_p": _t(tr, "comparison.col.mann_whitney"),
            "cliffs_delta": _t(tr, "comparison.col.cliffs_delta"),
            "geometric_mean_ratio": _t(tr, "comparison.col.typical_order"),
            "log_welch_p": _t(tr, "comparison.col.typical_order_p"),
        },
        formats={
            "n": tr.count,
            "ratio_of_means": lambda v: tr.number(v, digits=2),
            "mann_whitney_p": lambda v: _p_cell(tr, v),
            "cliffs_delta": lambda v: tr.number(v, digits=2),
            "geometric_mean_ratio": lambda v: tr.number(v, digits=2),
            "log_welch_p": lambda v: _p_cell(tr, v),
        },
        caption=_t(tr, "comparison.amounts.table_caption", period=_period(tr, r)),
        sortable=True,
    )
    return (
        html.section(_t(tr, "comparison.amounts.heading"), [_t(tr, "comparison.amounts.intro")])
        + figure
        + table
    )
