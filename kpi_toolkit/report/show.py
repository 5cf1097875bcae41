"""``kt.show``: any frame of the toolkit as the reports show it, for an analyst's own notebook cells.

Columns are formatted by what they hold, read from their names (the toolkit's documented columns) and dtypes,
with the report's precision policy (:mod:`kpi_toolkit.report.formatting`): money rounded to whole units,
rates and plan attainment cut to one decimal (a miss never shows as a hit), p-values with three decimals and
``< 0.001`` at the ends, counts with grouping, periods and dates as the language writes them. The numbers in
the frame are not changed: only their display is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.formatting import decimals
from kpi_toolkit.report.i18n import Translator, translator

__all__ = ["column_format", "show"]

_MONEY = {
    "sales_volume", "average_check", "sales_plan", "actual", "baseline", "baseline_value", "gap", "new",
    "increased", "decreased", "change", "target", "projected", "projected_low", "projected_high", "to_date",
    "amount", "expected_amount", "lead_volume", "other_volume", "pipeline_value", "bonus", "payout",
}  # fmt: skip
_RATES = {
    "conversion", "plan_attainment", "attainment", "rate", "shrunk_rate", "center", "lower_95", "upper_95",
    "lower_998", "upper_998", "win_rate",
}  # fmt: skip
_P_VALUES = {"p_value", "p_adjusted", "q_value", "p_global"}
_COUNTS = {"orders", "leads_closed", "leads_won", "leads_created", "new_customers", "n", "versus_n"}
#: In a frame with a ``metric`` column (``compare_managers``, ``kpi_change``): columns holding that metric.
_BY_METRIC = {"estimate", "versus_estimate", "ci_low", "ci_high", "value", "reference_value"}
_RATE_METRICS = {"conversion", "plan_attainment"}
_MONEY_METRICS = {"sales_volume", "average_check", "sales_plan"}


def _number(tr: Translator) -> Callable[[Any], str]:
    def fmt(value: Any) -> str:
        if pd.isna(value):
            return tr.number(None)
        return tr.number(float(value), digits=decimals(float(value), 2))

    return fmt


def column_format(column: str, series: pd.Series, tr: Translator) -> Callable[[Any], str]:
    """How ``show`` writes the values of ``column`` (its name and dtype say what it holds).

    >>> tr = translator("en")
    >>> column_format("plan_attainment", pd.Series([0.9996]), tr)(0.9996)
    '99.9%'
    >>> column_format("p_value", pd.Series([0.0004]), tr)(0.0004)
    '< 0.001'
    >>> column_format("gap", pd.Series([1.0]), tr)(-1234.6), column_format("n", pd.Series([1]), tr)(12345)
    ('-1,235', '12,345')
    """
    name = column.lower()
    if pd.api.types.is_bool_dtype(series):
        return str
    if pd.api.types.is_datetime64_any_dtype(series):
        return lambda v: tr.date(None if pd.isna(v) else pd.Timestamp(v))
    if name in ("period", "reference_period") or name.endswith("_period"):
        return lambda v: tr.number(None) if pd.isna(v) else tr.period(str(v))
    if not pd.api.types.is_numeric_dtype(series):
        return lambda v: tr.number(None) if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
    if name in _P_VALUES or name.startswith("p_"):
        return lambda v: tr.p_value(None if pd.isna(v) else float(v))
    if name in _RATES or name.endswith(("_rate", "_attainment", "conversion")):
        return lambda v: tr.rate(None if pd.isna(v) else float(v))
    if name.endswith("_share") or name in ("share", "level"):
        return lambda v: tr.pct(None if pd.isna(v) else float(v), digits=1)
    if name == "relative_change" or name.endswith("_ratio_change"):
        return lambda v: tr.ratio(None if pd.isna(v) else float(v), digits=1)
    if name.endswith("pp_change"):
        return lambda v: tr.pp(None if pd.isna(v) else float(v))
    if name in _MONEY or (name == "lost" and not pd.api.types.is_integer_dtype(series)):
        return lambda v: tr.money(None if pd.isna(v) else float(v))
    if name.endswith(("_effect", "_volume", "_amount", "_value", "_plan")):
        return lambda v: tr.money(None if pd.isna(v) else float(v))
    if name in _COUNTS or pd.api.types.is_integer_dtype(series):
        return lambda v: tr.count(None if pd.isna(v) else float(v))
    return _number(tr)


def _by_metric(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The columns that hold the row's ``metric`` (a rate, money or a count), written as that metric."""
    out = frame.copy()
    for column in _BY_METRIC & set(frame.columns):
        if not pd.api.types.is_numeric_dtype(frame[column]):
            continue
        texts = []
        for metric, value in zip(frame["metric"], frame[column], strict=True):
            v = None if pd.isna(value) else float(value)
            if metric in _RATE_METRICS:
                texts.append(tr.rate(v))
            elif metric in _MONEY_METRICS:
                texts.append(tr.money(v))
            else:
                texts.append(_number(tr)(value))
        out[column] = pd.Series(texts, index=frame.index, dtype="object")
    return out


def show(
    frame: pd.DataFrame, tr: Translator | None = None, *, caption: str = "", max_rows: int = 500
) -> html.Html:
    """``frame`` as an HTML table with the reports' number formats; Jupyter displays it as the reports do.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any frame of the toolkit (or the analyst's own, derived from one). A named index (``manager`` of
        :func:`kpi_toolkit.manager_kpis`) is shown as columns.
    tr : Translator, optional
        The report language and currency (``kpi_toolkit.report.translator("ru", currency="RUB")``);
        English without a currency sign when ``None``.
    caption : str, default ""
        A caption above the table.
    max_rows : int, default 500
        At most this many rows are shown (the caption then says how many were left out).

    Returns
    -------
    Html
        Safe HTML (every value escaped); the frame itself is not changed. Headers are the KPIs' names in
        the language where the toolkit has one (``sales_volume``: "Sales volume"), else the column names.

    Notes
    -----
    Formats by column: p-values (``p_value``, ``p_adjusted``) as the reports write them (``< 0.001``);
    rates and attainment (``conversion``, ``plan_attainment``, ``*_rate``) cut to one decimal, so that a
    miss never shows as a hit; money (``sales_volume``, ``actual``, ``gap``, ``*_effect``, the customer
    bridge's parts ...) in whole units with the currency; counts with grouping; shares and relative changes
    as percentages; ``period`` columns and dates in the language; in frames with a ``metric`` column the
    estimates in that metric's format. Other numbers show up to two decimals. NaN shows as an en dash.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> gap = pd.DataFrame({"manager": ["M01", "TOTAL"], "gap": [-1234.567, 10.0],
    ...                     "conversion": [0.2496, 0.3], "p_value": [0.0004, 0.5]})
    >>> shown = kt.show(gap)
    >>> "<td class=\\"num\\">-1,235</td>" in shown, "24.9%" in shown, "&lt; 0.001" in shown
    (True, True, True)
    """
    tr = tr or translator("en")
    if not isinstance(frame, pd.DataFrame):
        frame = pd.DataFrame(frame)
    if not isinstance(frame.index, pd.RangeIndex) or any(n is not None for n in frame.index.names):
        frame = frame.reset_index()
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    left_out = max(len(frame) - max_rows, 0)
    frame = frame.iloc[:max_rows]
    formats = {c: column_format(c, frame[c], tr) for c in frame.columns}
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    if "metric" in frame.columns:
        shown = _by_metric(frame, tr)
        for column in _BY_METRIC & set(frame.columns):
            if column in numeric:
                formats[column] = str
        frame = shown
    headers = {c: tr.t(f"kpi.{c}") if tr.has(f"kpi.{c}") else c for c in frame.columns}
    if left_out:
        caption = f"{caption} ({len(frame)} of {len(frame) + left_out} rows)".strip()
    return html.table(
        frame,
        columns=headers,
        formats=formats,
        caption=caption,
        classes={c: "num" for c in numeric if c not in frame.select_dtypes("number").columns},
    )
