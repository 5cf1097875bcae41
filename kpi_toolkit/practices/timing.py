"""When each lead takes up each practice, and the day-by-day risk sets that compare leads fairly in time.

A practice happens at some moment of a lead's life. Comparing leads "with" and "without" it in a fixed window
is biased by time to closing either way: counting every closed lead credits the practice with the leads that
lived long enough to get it (immortal time; Suissa 2008), and keeping only the leads still open at the end
of the window (a landmark) selects on how long a lead stays open, which the practice and the outcome may
both change: a practice with no effect on winning that keeps losing leads open longer then looks harmful.

So the practice is a **time-varying exposure** (Therneau and Grambsch 2000, ch. 3; Hernán and Robins 2020,
ch. 19-20 on immortal time): on each day ``d = 0, 1, ... window - 1`` after creation, the leads still open at
the start of the day that have not taken up the practice yet form a risk set; those taking it up that day
are compared with the others of the same risk set and manager (sequential trials, Hernán et al. 2008;
sequential stratification, Schaubel et al. 2006). Every lead of a risk set has the same history up to that
day (open, not yet exposed), so what happens after the practice (a lead kept open longer) cannot select
them. Leads enter as long as they are open and unexposed; a lead leaves the risk sets on the day it takes up
the practice or closes.

Moment a lead takes up each practice (``tau``, in days after creation; only activities before the lead
closed and within the first ``window`` days count; ``inf`` when never). Numeric practices mean "above the
median" (the median over the leads analysed, as :func:`kpi_toolkit.practices.effects.exposure`), so their
moment is when the count first exceeds it:

- ``had_meeting``: the first meeting.
- ``touched_within_24h``: the first touch, when it comes within 24 hours.
- ``hours_to_first_touch`` (slow first touch): the moment the median delay ``m`` passes without a touch.
- ``touches_in_window`` / ``emails_in_window``: the activity (email) that takes the count above the median.
- ``call_minutes`` (long calls): the first call longer than the median call of the leads analysed.

References
----------
Therneau TM, Grambsch PM (2000). Modeling survival data: extending the Cox model. Springer, ch. 3.
Hernán MA, Robins JM (2020). Causal inference: what if. Chapman & Hall/CRC, ch. 19-20.
Hernán MA, Alonso A, Logan R et al. (2008). Observational studies analyzed like randomized experiments.
Epidemiology 19:766-779.
Schaubel DE, Wolfe RA, Port FK (2006). A sequential stratification method for estimating the effect of a
time-dependent experimental treatment in observational studies. Biometrics 62:910-917.
Suissa S (2008). Immortal time bias in pharmacoepidemiology. Am J Epidemiol 167:492-499.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period, parse_periods
from kpi_toolkit.practices.features import PRACTICES

__all__ = ["TIMING_COLUMNS", "practice_times", "risk_sets"]

#: Columns of :func:`practice_times`: the lead, its outcome and time to closing, then each practice's ``tau``.
TIMING_COLUMNS = ("lead_id", "manager", "won", "close_days", *PRACTICES)
_DAY = pd.Timedelta(days=1)


def _first(times: pd.DataFrame, index: pd.Index) -> pd.Series:
    """The earliest ``t`` per lead (``inf`` for leads without one), aligned on ``index``."""
    return times.groupby("lead_id", sort=True)["t"].min().reindex(index).fillna(np.inf)


def _nth(times: pd.DataFrame, index: pd.Index, k: pd.Series | int) -> pd.Series:
    """The time of each lead's ``k``-th activity in ``times`` (1-based; ``inf`` when it has fewer)."""
    ordered = times.sort_values(["lead_id", "t"], kind="stable")
    ordered = ordered.assign(number=ordered.groupby("lead_id", sort=False).cumcount() + 1)
    return _first(ordered[ordered["number"] == k], index)


def practice_times(
    data,
    *,
    periods: str | Sequence[str | Period] | None,
    window_days: float = 14,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per closed lead: its outcome, its time to closing and the moment it took up each practice.

    Parameters
    ----------
    data
        A :class:`kpi_toolkit.SalesData` with ``leads`` and ``activities``.
    periods
        Leads created in these periods (label, list or range); ``None``: every lead.
    window_days
        Only practices taken up in the first ``window_days`` days of a lead count.
    managers
        Only the leads of these managers; ``None``: all.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TIMING_COLUMNS`, one row per lead won or lost (leads still open have no outcome and
        take no part), sorted by ``lead_id``: ``won`` (1/0), ``close_days`` (days from creation to closing)
        and per practice its moment ``tau`` in days (module docstring; ``inf`` when not taken up in the
        window before closing). ``attrs["thresholds"]``: the medians that define the numeric practices.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> t = practice_times(kt.from_frames(**make_demo_data()), periods="2026Q1")
    >>> met = np.isfinite(t["had_meeting"])
    >>> bool((t.loc[met, "had_meeting"] < t.loc[met, "close_days"]).all()), bool(t["had_meeting"].max() > 14)
    (True, True)
    """
    if not isinstance(window_days, int | float) or isinstance(window_days, bool) or not window_days > 0:
        raise ParameterError(
            f"window_days={window_days!r} is not allowed. Fix: give a positive number of days."
        )
    leads, activities = data.leads, getattr(data, "activities", None)
    if leads is None or activities is None:
        missing = "leads" if leads is None else "activities"
        raise ParameterError(
            f"the data set has no {missing} table, so practices cannot be measured. Fix: add {missing}.csv "
            "(see the data contract in README.md)."
        )
    frame = leads.loc[
        leads["created_at"].notna() & leads["status"].isin(["won", "lost"]) & leads["closed_at"].notna(),
        ["lead_id", "manager", "created_at", "closed_at", "status"],
    ]
    if periods is not None:
        inside = np.zeros(len(frame), dtype=bool)
        for p in parse_periods(periods, fiscal_year_start=data.fiscal_year_start):
            inside |= ((frame["created_at"] >= p.start) & (frame["created_at"] < p.end)).to_numpy()
        frame = frame[inside]
    if managers is not None:
        frame = frame[frame["manager"].isin(list(managers))]
    frame = frame.sort_values("lead_id", kind="stable").set_index("lead_id")
    close = (frame["closed_at"] - frame["created_at"]) / _DAY
    acts = activities.loc[activities["lead_id"].isin(frame.index), ["lead_id", "occurred_at", "type",
                                                                    "duration_min"]]  # fmt: skip
    t = (acts["occurred_at"].to_numpy() - frame.loc[acts["lead_id"], "created_at"].to_numpy()) / _DAY
    acts = acts.assign(t=t)
    acts = acts[(acts["t"] >= 0) & (acts["t"] < window_days) & (acts["t"] <= close.reindex(acts["lead_id"])
                                                                 .to_numpy())]  # fmt: skip
    index = frame.index
    first_touch = _first(acts, index)
    counts = acts.groupby("lead_id").size().reindex(index, fill_value=0)
    emails = acts[acts["type"] == "email"]
    email_counts = emails.groupby("lead_id").size().reindex(index, fill_value=0)
    calls = acts[(acts["type"] == "call") & acts["duration_min"].notna()]
    # thresholds of the numeric practices: medians over the leads analysed ("above the median" = exposed)
    seen = np.minimum(close, window_days)
    slow = float(np.median(np.minimum(first_touch, seen))) if len(index) else np.nan
    thresholds = {
        "hours_to_first_touch": 24.0 * slow,
        "touches_in_window": float(counts.median()) if len(index) else np.nan,
        "emails_in_window": float(email_counts.median()) if len(index) else np.nan,
        "call_minutes": float(calls["duration_min"].median()) if len(calls) else np.nan,
    }
    tau = {
        "hours_to_first_touch": pd.Series(np.where(first_touch > slow, slow, np.inf), index=index),
        "touched_within_24h": first_touch.where(first_touch <= 1.0, np.inf),
        "touches_in_window": _nth(acts, index, int(np.floor(thresholds["touches_in_window"])) + 1),
        "emails_in_window": _nth(emails, index, int(np.floor(thresholds["emails_in_window"])) + 1),
        "had_meeting": _first(acts[acts["type"] == "meeting"], index),
        "call_minutes": _first(calls[calls["duration_min"] > thresholds["call_minutes"]], index),
    }
    out = pd.DataFrame({"manager": frame["manager"], "won": (frame["status"] == "won").astype("int64"),
                        "close_days": close.astype("float64")})  # fmt: skip
    for name in PRACTICES:
        # a practice counts only if taken up while the lead was open, in the window
        value = tau[name].astype("float64")
        out[name] = value.where((value <= out["close_days"]) & (value < window_days), np.inf)
    out = out.reset_index()
    out.attrs["thresholds"] = thresholds
    return out.loc[:, list(TIMING_COLUMNS)]


def risk_sets(tau: np.ndarray, close_days: np.ndarray, window_days: float) -> tuple[np.ndarray, ...]:
    """The day-by-day risk sets of a time-varying exposure, one row per lead and day it is at risk.

    Lead ``i`` is at risk on day ``d`` (``0 <= d < ceil(window_days)``) when it is open at the start of the
    day (``close_days > d``) and has not taken up the practice before it (``tau >= d``); it is *exposed*
    that day when ``d <= tau < d + 1``.

    Returns
    -------
    tuple of numpy.ndarray
        ``lead`` (row index into the inputs), ``day`` and ``exposed`` (0/1), one entry per lead-day at risk.

    Examples
    --------
    >>> lead, day, exposed = risk_sets(np.array([2.5, np.inf]), np.array([10.0, 1.5]), 14)
    >>> lead.tolist(), day.tolist(), exposed.tolist()
    ([0, 0, 0, 1, 1], [0, 1, 2, 0, 1], [0, 0, 1, 0, 0])
    """
    tau = np.asarray(tau, dtype=float)
    close = np.asarray(close_days, dtype=float)
    last = np.minimum(np.ceil(close) - 1, np.ceil(window_days) - 1)
    last = np.minimum(last, np.where(np.isfinite(tau), np.floor(tau), np.inf)).astype(np.int64)
    size = np.maximum(last + 1, 0)
    lead = np.repeat(np.arange(tau.size), size)
    starts = np.repeat(np.cumsum(size) - size, size)
    day = np.arange(lead.size) - starts
    exposed = (np.isfinite(tau[lead]) & (np.floor(tau[lead]) == day)).astype(np.int64)
    return lead, day, exposed
