"""The quarterly report's section "Differences between managers" (:func:`differences_section`): the
verdicts of :func:`kt.compare_managers <kpi_toolkit.compare_managers>` for conversion and average check
over the year to date, what the data can tell apart, and where the full comparison is. Its words are the
catalogues' ``comparison.quarterly`` keys (:data:`kpi_toolkit.report.comparison_messages.QUARTERLY_KEYS`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from kpi_toolkit.comparison import compare_managers
from kpi_toolkit.comparison_amounts import average_check_diagnostics, order_amounts
from kpi_toolkit.comparison_inputs import DEFAULT_MIN_N
from kpi_toolkit.data import SalesData
from kpi_toolkit.kpis import active_managers
from kpi_toolkit.periods import Period
from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_amount_views import typical_columns
from kpi_toolkit.report.comparison_messages import (
    _FLAGGED,
    _kpi,
    _name,
    _p,
    _t,
    _tr,
    _value,
)
from kpi_toolkit.report.detectability_views import detectability_frames, detectability_sentence
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.quarterly import QuarterlyReport

__all__ = [
    "differences_section",
]


# the quarterly report's section -----------------------------------------------------------------------------
def differences_section(
    data: SalesData, q: QuarterlyReport, tr: Translator | None = None, *, alpha: float = 0.05
) -> html.Html:
    """The quarterly report's "Differences between managers": the verdicts of :func:`kt.compare_managers
    <kpi_toolkit.compare_managers>` for conversion and average check over the year to date, the managers
    found above or below the rest, and where the full comparison is.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> import html
    >>> text = html.unescape(differences_section(data, quarterly_report(data, period="2026Q3")))
    >>> "Clara Jensen's conversion is below the rest of the team's" in text
    True
    >>> "Grace Okafor's average check is above the rest of the team's" in text
    True
    """
    tr = _tr(tr)
    # the year to date; a report on a range (2025Q4:2026Q3): that range
    parts = list(q.period.periods) if len(q.period.periods) > 1 else q.period.year_to_date()
    label = str(parts[0]) if len(parts) == 1 else f"{parts[0]}:{parts[-1]}"
    window = (
        tr.period(parts[0])
        if len(parts) == 1
        else tr.t("common.range", low=tr.period(parts[0]), high=tr.period(parts[-1]))
    )
    metrics = ["conversion", "average_check"] if data.leads is not None else ["average_check"]
    managers = active_managers(data, parts, q.team)  # those active in the window, as compared
    heading = _t(tr, "comparison.quarterly.heading")
    if len(managers) < 2:
        return html.section(heading, [_t(tr, "comparison.quarterly.few")])
    tables = {m: compare_managers(data, period=label, metric=m, team=q.team, alpha=alpha) for m in metrics}
    intro = [
        _t(
            tr,
            "comparison.quarterly.intro",
            window=window,
            alpha=tr.pct(alpha),
            leads=_t(tr, "comparison.quarterly.leads", count=DEFAULT_MIN_N["conversion"]),
            orders=_t(tr, "comparison.quarterly.orders", count=DEFAULT_MIN_N["average_check"]),
        )
    ]
    if data.leads is None:
        intro.append(_t(tr, "comparison.quarterly.no_leads"))
    # what the quarter's data can tell apart, and a year's (kt.detectable_difference), one sentence a metric
    found = []
    for metric in metrics:
        short, longer, span = detectability_frames(
            data, period=q.period, metric=metric, team=q.team, alpha=alpha
        )
        found.append(detectability_sentence(short, longer, period=q.period, window=span, tr=tr))
    if any(found):
        intro += [*filter(None, found), tr.t("detectability.note")]
    if "average_check" in metrics:
        intro.append(tr.t("detectability.typical_intro"))
    sentences = []
    for metric, table in tables.items():
        for _, row in (
            table[table["verdict"].isin(_FLAGGED)].sort_values("p_adjusted", kind="stable").iterrows()
        ):
            sentences.append(
                _t(
                    tr,
                    f"comparison.quarterly.flagged_{metric}",
                    name=_name(q.names, row["manager"]),
                    direction=_t(tr, f"comparison.quarterly.{row['verdict']}"),
                    estimate=_value(tr, metric, row["estimate"]),
                    versus_estimate=_value(tr, metric, row["versus_estimate"]),
                    p=_p(tr, row["p_adjusted"], adjusted=True),
                )
            )
    if not sentences:
        sentences.append(_t(tr, "comparison.quarterly.none"))
    few = sorted({m for t in tables.values() for m in t.loc[t["verdict"] == "insufficient data", "manager"]})
    if few:
        names = tr.names(_name(q.names, m) for m in few)
        sentences.append(_t(tr, "comparison.quarterly.insufficient", count=len(few), names=names))
    year = Period.containing(q.period.start, "year", q.period.fiscal_year_start)
    sentences.append(_t(tr, "comparison.quarterly.pointer", period=tr.period(year)))
    frame = pd.DataFrame({"manager": managers})
    frame["who"] = [_name(q.names, m) for m in managers]
    columns = {"who": _t(tr, "comparison.quarterly.manager")}
    formats: dict[str, Any] = {}
    for metric, table in tables.items():
        t = table.set_index("manager")
        frame[metric] = t.loc[managers, "estimate"].to_numpy(float)
        frame[f"{metric}_verdict"] = [tr.verdict(v) for v in t.loc[managers, "verdict"]]
        columns[metric] = _kpi(tr, metric)
        if metric == "average_check":  # the orders and the typical check beside the average it judges
            amounts = order_amounts(data, period=label, team=q.team)
            diagnostics = average_check_diagnostics(
                data, period=label, team=q.team, alpha=alpha, n_resamples=200
            )
            frame = typical_columns(frame, amounts, diagnostics)
            frame["orders"] = t.loc[managers, "n"].to_numpy(float)
            columns |= {
                "orders": tr.t("detectability.col.orders"),
                "typical_check": tr.t("detectability.col.typical"),
                "typical_ratio": tr.t("detectability.col.typical_ratio"),
            }
            formats |= {
                "orders": tr.count,
                "typical_check": tr.money,
                "typical_ratio": lambda v: tr.number(v, digits=2),
            }
        columns[f"{metric}_verdict"] = _t(tr, "comparison.quarterly.verdict")
        formats[metric] = lambda v, metric=metric: _value(tr, metric, v)
    table_html = html.table(
        frame, columns=columns, formats=formats, caption=_t(tr, "comparison.quarterly.caption", window=window)
    )
    return html.section(heading, intro) + table_html + html.paragraphs(sentences)
