"""The projection intervals of :func:`kpi_toolkit.pacing`: the run rate's backtest (its log errors in
earlier periods at the same elapsed time), their scale by expected orders, the Mondrian split-conformal
quantiles, the leave-one-period-out coverage, the choice between the run-rate and pipeline projections,
and the status a projection gives (see :func:`kpi_toolkit.pacing`'s Notes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kpi_toolkit.pacing_phasing import order_count, volume
from kpi_toolkit.periods import Period
from kpi_toolkit.staffing import Employment

if TYPE_CHECKING:
    from kpi_toolkit.pacing_teams import TeamStaff

__all__ = [
    "MIN_BACKTEST",
    "ORDER_BANDS",
    "better_projection",
    "calibrate",
    "median_log_width",
    "projected_status",
    "run_rate_backtest",
    "with_expected_orders",
]

#: Bands of expected orders by ``as_of`` over which ``attrs["coverage_by_orders"]`` reports coverage.
ORDER_BANDS = ((0.0, 5.0, "under 5"), (5.0, 20.0, "5 to 19"), (20.0, np.inf, "20 or more"))
MIN_BACKTEST = 2  # past periods needed for a projection interval
_MIN_BAND = 20  # backtest errors a band of expected orders needs for quantiles of its own


def _scale_fit(e: np.ndarray, c: np.ndarray) -> tuple[float, float]:
    """Least squares ``e^2 = a / max(c, 1) + b``, ``a, b >= 0``: the errors' variance by expected orders."""
    x = 1.0 / np.maximum(c, 1.0)
    y = e**2
    if len(y) >= 2 and np.ptp(x) > 0:
        a, b = np.linalg.lstsq(np.column_stack([x, np.ones_like(x)]), y, rcond=None)[0]
        if a >= 0 and b >= 0:
            return float(a), float(b)
    a = float(np.sum(x * y) / np.sum(x * x)) if np.sum(x * x) > 0 else 0.0
    b = float(np.mean(y)) if len(y) else 0.0
    # the better of the two one-parameter fits
    if len(y) and np.sum((y - a * x) ** 2) <= np.sum((y - b) ** 2):
        return a, 0.0
    return 0.0, b


def _band(c: np.ndarray) -> np.ndarray:
    """The band of :data:`ORDER_BANDS` of each expected number of orders."""
    return np.searchsorted([hi for _, hi, _ in ORDER_BANDS[:-1]], c, side="right")


def _band_quantiles(
    scores: np.ndarray, c: np.ndarray, c_new: np.ndarray, tails: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Quantiles of the scores of the band of each ``c_new`` (all scores when its band has too few)."""
    pooled = _conformal(scores, tails)
    low, high = np.full(len(c_new), pooled[0]), np.full(len(c_new), pooled[1])
    band, band_new = _band(c), _band(c_new)
    for k in np.unique(band_new):
        mine = band == k
        if mine.sum() >= _MIN_BAND:
            low[band_new == k], high[band_new == k] = _conformal(scores[mine], tails)
    return low, high


def _conformal(scores: np.ndarray, tails: tuple[float, float]) -> tuple[float, float]:
    """Split-conformal quantiles: the order statistics ``floor((n + 1) a)`` and ``ceil((n + 1) b)``.

    With ``n`` calibration scores, a new exchangeable score falls between them with probability at least
    ``b - a`` (Lei et al. 2018, with the ``n + 1`` correction); beyond the sample's ends the extreme score
    is used.
    """
    ordered = np.sort(scores)
    n = len(ordered)
    lo = int(np.floor((n + 1) * tails[0]))
    hi = int(np.ceil((n + 1) * tails[1]))
    return float(ordered[min(max(lo, 1), n) - 1]), float(ordered[min(max(hi, 1), n) - 1])


def _sd(fit: tuple[float, float], c: np.ndarray) -> np.ndarray:
    sd = np.sqrt(fit[0] / np.maximum(c, 1.0) + fit[1])
    return np.where(sd > 0, sd, 1.0)


def with_expected_orders(back: pd.DataFrame) -> pd.DataFrame:
    """Each backtest row's expected orders: the mean of the manager's other backtest periods, so that a
    period's own orders never set its own scale; rows without a finite error or such a mean are dropped."""
    by_manager = back.groupby("manager", sort=True)["orders"]
    total, size = by_manager.transform("sum"), by_manager.transform("size")
    back = back.assign(expected_orders=((total - back["orders"]) / (size - 1)).where(size > 1))
    return back[np.isfinite(back["error"]) & back["expected_orders"].notna()]


def calibrate(
    back: pd.DataFrame, c_now: np.ndarray, tails: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, dict[str, float]]:
    """The calibrated log interval (and median) for managers expecting ``c_now`` orders, and its coverage.

    From the backtest's errors ``back`` (``error``, ``expected_orders``, ``period``): the scale fit and the
    Mondrian split-conformal quantiles of :func:`pacing`'s Notes; ``coverage`` is measured on this very
    scheme, each backtest period left out in turn (overall and by band of expected orders).
    """
    e, c = back["error"].to_numpy(), back["expected_orders"].to_numpy()
    fit = _scale_fit(e, c)
    scores = e / _sd(fit, c)
    q_low, q_high = _band_quantiles(scores, c, c_now, tails)
    mid_low, mid_high = _band_quantiles(scores, c, c_now, (0.5, 0.5))
    sd_now = _sd(fit, c_now)
    hits = np.zeros(len(back), dtype=bool)
    for label in sorted(set(back["period"])):
        own = (back["period"] == label).to_numpy()
        rest_fit = _scale_fit(e[~own], c[~own])
        lo, hi = _band_quantiles(e[~own] / _sd(rest_fit, c[~own]), c[~own], c[own], tails)
        score = e[own] / _sd(rest_fit, c[own])
        hits[own] = (score >= lo) & (score <= hi)
    coverage_by = {}
    for lo_band, hi_band, name in ORDER_BANDS:
        band = (c >= lo_band) & (c < hi_band)
        coverage_by[name] = float(hits[band].mean()) if band.any() else np.nan
    middle = (mid_low + mid_high) / 2 * sd_now
    return q_low * sd_now, q_high * sd_now, middle, float(hits.mean()), coverage_by


def median_log_width(low: pd.Series, high: pd.Series) -> float:
    """The median width of the intervals on the log scale (NaN without any)."""
    widths = np.log(high / low).to_numpy(dtype=float)
    widths = widths[np.isfinite(widths)]
    return float(np.median(widths)) if widths.size else np.nan


def better_projection(run_rate: tuple[float, float], pipe: tuple[float, float], level: float) -> str:
    """``"pipeline"`` when its backtest coverage is nearer ``level`` than the run rate's, or as near and its
    intervals narrower (median log width); else ``"run rate"``."""
    off_run, off_pipe = abs(run_rate[0] - level), abs(pipe[0] - level)
    if not np.isfinite(off_pipe):
        return "run rate"
    if not np.isfinite(off_run) or off_pipe < off_run - 1e-12:
        return "pipeline"
    if abs(off_pipe - off_run) <= 1e-12 and pipe[1] < run_rate[1]:
        return "pipeline"
    return "run rate"


def projected_status(
    projected: pd.Series, high: pd.Series, anything: pd.Series, target: pd.Series, evidence: pd.Series
) -> pd.Series:
    """``on track``, ``at risk`` (projected below target) or ``off track`` (even the interval's top below
    it, or nothing at all to project from while the target is positive; only with evidence)."""
    status = pd.Series("on track", index=projected.index, dtype="object")
    status[projected < target] = "at risk"
    below = (high < target) | (~anything & (target > 0))
    status[below & evidence] = "off track"
    return status


def run_rate_backtest(
    orders: pd.DataFrame,
    managers: list[str],
    p: Period,
    offset: pd.Timedelta,
    *,
    cutoff: pd.Timestamp,
    first: pd.Timestamp,
    share_of: Callable[[Period, pd.Timestamp], tuple[float, str, list[str]]],
    staff: Employment | TeamStaff,
) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """The run rate's backtest: every earlier whole period of the same kind, at the same elapsed time; per
    manager and period the log error of the projection and the number of orders by the same day.

    Returns the errors with each row's expected orders (:func:`with_expected_orders`; only the periods in
    the labels), each manager's expected orders by this day (the mean of their backtest periods), and the
    labels of the periods with a volume.
    """
    index = pd.Index(managers, name="manager")
    rows: list[pd.DataFrame] = []
    labels: list[str] = []
    q = p.previous()
    while q.start >= first:
        if q.end <= cutoff:
            q_share, _, _ = share_of(q, q.start)
            part = volume(orders, q.start, q.start + offset).reindex(index, fill_value=0.0)
            whole = volume(orders, q.start, q.end).reindex(index, fill_value=0.0)
            n_part = order_count(orders, q.start, q.start + offset).reindex(index, fill_value=0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                error = np.log(whole / (part / q_share))
            # only the managers employed on every day of q: a part-time period would bias the errors
            # and the expected orders (a joiner's months before hiring are not zeros)
            there = staff.whole(managers, q).to_numpy() if staff.dated else np.ones(len(index), bool)
            rows.append(
                pd.DataFrame(
                    {"manager": index, "period": str(q), "error": error, "orders": n_part.to_numpy()}
                )[there]
            )
            if ((part > 0) & (whole > 0) & there).any():
                labels.append(str(q))
        q = q.previous()
    back = (
        pd.concat(rows, ignore_index=True)
        if rows
        else pd.DataFrame({"manager": [], "period": [], "error": [], "orders": []})
    )
    # each manager's expected orders by this day: the mean of their backtest periods
    expected_orders = (
        back.groupby("manager", sort=True)["orders"].mean().reindex(index)
        if len(rows) >= 1
        else pd.Series(np.nan, index=index)
    )
    back = with_expected_orders(back)
    back = back[back["period"].isin(labels)]
    return back, expected_orders, labels
