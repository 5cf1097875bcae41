"""What the period's data can and cannot tell apart, in one sentence per metric, from
:func:`kpi_toolkit.detectable_difference`.

"With about 60 closed leads per manager in 2026Q3, only a gap in conversion of 17 pp or more is likely to be
detected; over 2025Q4 – 2026Q3, 9 pp." The sentence takes the typical manager of the comparison (the median
number of closed leads, orders or active months over the managers with enough data for a verdict, and the
median detectable difference over them) for the period, and the same over a longer window (the year that
ends with the period) when there is one, so that a reader sees how long to wait before a difference means
anything, and that "no difference detected" never means "the same".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.comparison_inputs import DEFAULT_MIN_N
from kpi_toolkit.data import SalesData
from kpi_toolkit.detectable import detectable_difference
from kpi_toolkit.periods import Period
from kpi_toolkit.report.i18n import Translator, translator

__all__ = ["detectability_frames", "detectability_sentence", "longer_window", "typical"]

_MIN_N = {**DEFAULT_MIN_N, "new_customers": 1}


def _tr(tr: Translator | None) -> Translator:
    return tr if tr is not None else translator("en")


def typical(table: pd.DataFrame) -> tuple[float, float]:
    """The typical manager of a :func:`kpi_toolkit.detectable_difference` table: the median ``n`` and the
    median ``detectable_difference`` over the managers with enough data for a verdict (NaN, NaN when none;
    the difference is NaN when none of them can detect any).

    >>> table = pd.DataFrame({"metric": ["conversion"] * 3, "n": [60.0, 80.0, 4.0],
    ...                       "detectable_difference": [0.2, 0.16, np.nan]})
    >>> typical(table)
    (70.0, 0.18)
    """
    if table.empty:
        return math.nan, math.nan
    metric = str(table["metric"].iloc[0])
    judged = table[table["n"] >= _MIN_N.get(metric, 1)]
    if judged.empty:
        return math.nan, math.nan
    sizes = judged["detectable_difference"].astype(float)
    size = float(sizes.median()) if sizes.notna().any() else math.nan
    return float(judged["n"].median()), round(size, 10)


def longer_window(data: SalesData, period: Period) -> list[Period]:
    """The year of periods that ends with ``period`` (four quarters, twelve months), from the data's first
    whole period on; empty for a year or when the data hold nothing before ``period``."""
    per_year = {"quarter": 4, "month": 12}.get(period.kind)
    if per_year is None:
        return []
    first = Period.containing(data.first_date, period.kind, data.fiscal_year_start)
    if first.start < data.first_date.normalize():
        first = first.shift(1)
    window = [period.shift(-k) for k in range(per_year - 1, -1, -1)]
    window = [p for p in window if p.start >= first.start]
    return window if len(window) > 1 else []


def detectability_frames(
    data: SalesData, *, period: Period, metric: str, team: str | None = None, alpha: float = 0.05
) -> tuple[pd.DataFrame, pd.DataFrame | None, list[Period]]:
    """:func:`kpi_toolkit.detectable_difference` of ``period`` and of :func:`longer_window` (``None`` and
    ``[]`` without one)."""
    short = detectable_difference(data, period=period, metric=metric, team=team, alpha=alpha)
    window = longer_window(data, period)
    longer = (
        detectable_difference(data, period=window, metric=metric, team=team, alpha=alpha) if window else None
    )
    return short, longer, window


def _size(tr: Translator, metric: str, value: float) -> str:
    if metric == "conversion":
        return tr.t("unit.pp", value=tr.number(100 * value, digits=0))
    return tr.t("detectability.times", value=tr.number(value, digits=2))


def detectability_sentence(
    short: pd.DataFrame,
    longer: pd.DataFrame | None = None,
    *,
    period: Period | str,
    window: Sequence[Period | str] = (),
    tr: Translator | None = None,
) -> str:
    """One sentence: what differences the period's data can tell apart, and over the longer window.

    ``short`` and ``longer`` are :func:`kpi_toolkit.detectable_difference` tables of one metric for
    ``period`` and for the periods ``window``; empty text when ``short`` has nobody with enough data.

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> p = data.period("2026Q3")
    >>> short, longer, window = detectability_frames(data, period=p, metric="conversion")
    >>> text = detectability_sentence(short, longer, period=p, window=window)
    >>> text.split(",")[0]
    'With about 61 closed leads per manager in 2026Q3'
    >>> text.split(", only ")[1].split(";")[0]
    'a gap in conversion of 21 pp or more is likely to be detected'
    >>> text.split("; ")[1]
    'over 2025Q4 – 2026Q3, 11 pp.'
    """
    tr = _tr(tr)
    if short.empty:
        return ""
    metric = str(short["metric"].iloc[0])
    n, size = typical(short)
    if not np.isfinite(n):
        return ""
    more = ""
    if longer is not None and len(window):
        _, longer_size = typical(longer)
        if np.isfinite(longer_size):
            span = tr.t("common.range", low=tr.period(window[0]), high=tr.period(window[-1]))
            more = tr.t("detectability.longer", window=span, size=_size(tr, metric, longer_size))
    if not np.isfinite(size):
        kpi = tr.t(f"comparison.phrase.{metric}")
        text = tr.t("detectability.none", period=tr.period(period), kpi=kpi, longer=more)
        return text[:-1] if text.endswith("..") else text
    text = tr.t(
        f"detectability.{metric}",
        count=round(n),
        period=tr.period(period),
        size=_size(tr, metric, size),
        longer=more,
    )
    return text[:-1] if text.endswith("..") else text  # a unit that ends in a point ("п. п.")
