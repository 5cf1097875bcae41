"""Practice features per lead, measured in a fixed window after the lead's creation (a landmark analysis).

A practice is what a manager does with a lead: how fast the first touch comes, how many touches, whether
there is a meeting. Measured over the lead's whole life, practices and outcomes shape each other (a lead
that is won quickly has no time for a tenth call; a lead that drags on collects touches). So every feature is
measured only in the **window** ``[created_at, created_at + window_days]`` and only leads still open at its
end (the *landmark*) take part: their outcome is decided after their practice was measured (Anderson,
Cain and Gelber 1983; Dafni 2011).

These per-lead features describe what managers do (profiles). The association of a practice with winning
(:func:`kpi_toolkit.practice_effects`) does not use the landmark: a fixed landmark selects on how long a lead
stays open, which a practice may change, so it compares leads day by day instead
(:mod:`kpi_toolkit.practices.timing`).

Features (``W`` is the window, ``A`` the lead's activities with ``created_at <= occurred_at <= landmark``):

- ``hours_to_first_touch`` = ``(min over A of occurred_at - created_at)`` in hours; a lead with no activity
  in ``W`` counts as ``24 * window_days`` (censored at the landmark: slower than any touched lead).
- ``touched_within_24h`` = 1 when ``hours_to_first_touch <= 24``, else 0.
- ``touches_in_window`` = ``|A|``, every activity of any type.
- ``emails_in_window`` = the number of activities in ``A`` of type ``email``.
- ``had_meeting`` = 1 when ``A`` holds an activity of type ``meeting``, else 0.
- ``call_minutes`` = the mean ``duration_min`` of the calls (type ``call``) in ``A``; missing (NaN) when the
  lead has no call with a duration in ``W`` (that lead then takes no part for this practice).

Activity types are lower-cased at loading, so ``Meeting`` and ``meeting`` are one type. Activities without
a ``lead_id`` belong to no lead and are not counted here.

References
----------
Anderson JR, Cain KC, Gelber RD (1983). Analysis of survival by tumor response. J Clin Oncol 1:710-719.
Dafni U (2011). Landmark analysis at the 25-year landmark point. Circ Cardiovasc Qual Outcomes 4:363-371.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period, parse_periods

__all__ = ["FEATURE_COLUMNS", "PRACTICES", "practice_features"]

#: Every practice feature: name -> kind (``binary`` 0/1 or ``numeric``), in the order of the results.
PRACTICES: dict[str, str] = {
    "hours_to_first_touch": "numeric",
    "touched_within_24h": "binary",
    "touches_in_window": "numeric",
    "emails_in_window": "numeric",
    "had_meeting": "binary",
    "call_minutes": "numeric",
}
#: Columns of :func:`practice_features`: the lead, its manager, dates, outcome, then one column per practice.
FEATURE_COLUMNS = ("lead_id", "manager", "created_at", "landmark", "status", "won", *PRACTICES)


def _check_window(window_days: float) -> float:
    if not isinstance(window_days, int | float) or isinstance(window_days, bool) or not window_days > 0:
        raise ParameterError(
            f"window_days={window_days!r} is not allowed. Fix: give a positive number of days, e.g. 14."
        )
    return float(window_days)


def practice_features(
    data,
    *,
    periods: str | Sequence[str | Period] | None = None,
    window_days: float = 14,
    landmark_only: bool = True,
) -> pd.DataFrame:
    """One row per lead with its practice features measured in the window after its creation.

    Parameters
    ----------
    data
        A :class:`kpi_toolkit.SalesData` with ``leads`` and ``activities``.
    periods
        Only leads created in these periods (a label, a list or a range ``"2025Q4:2026Q3"``); ``None``: all.
    window_days
        Length of the window after creation in which practices are measured (default 14 days).
    landmark_only
        ``True`` (default): only leads still open at the landmark (``closed_at`` empty or after it) and whose
        window ended by the data's last date. ``False``: every lead whose window ended by then (for profiles
        of what managers do, where the outcome is not used).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FEATURE_COLUMNS`: ``lead_id, manager, created_at, landmark`` (``created_at + window``),
        ``status``, ``won`` (1.0 won, 0.0 lost, NaN still open) and one column per practice (float; the module
        docstring gives each formula), sorted by ``lead_id``.

    Raises
    ------
    ParameterError
        When the data set has no leads or no activities table, or ``window_days`` is not positive.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> leads = pd.DataFrame({"lead_id": ["L1", "L2"], "manager": ["ann", "ann"],
    ...     "created_at": ["2026-07-01", "2026-07-01"], "status": ["won", "lost"],
    ...     "closed_at": ["2026-08-01", "2026-07-05"]})
    >>> orders = pd.DataFrame({"order_id": ["o1"], "manager": ["ann"], "customer_id": ["c1"],
    ...     "ordered_at": ["2026-08-01"], "amount": [10.0]})
    >>> acts = pd.DataFrame({"manager": ["ann"] * 3, "lead_id": ["L1", "L1", "L1"],
    ...     "occurred_at": ["2026-07-01 06:00", "2026-07-03", "2026-07-20"],
    ...     "type": ["Call", "meeting", "call"], "duration_min": [5.0, 60.0, 9.0]})
    >>> data = kt.from_frames(orders, leads=leads, activities=acts)
    >>> f = practice_features(data)
    >>> f[["lead_id", "won", "hours_to_first_touch", "touches_in_window", "had_meeting"]].values.tolist()
    [['L1', 1.0, 6.0, 2.0, 1.0]]
    """
    window = _check_window(window_days)
    leads, activities = data.leads, getattr(data, "activities", None)
    if leads is None or activities is None:
        missing = "leads" if leads is None else "activities"
        raise ParameterError(
            f"the data set has no {missing} table, so practices cannot be measured. Fix: add {missing}.csv "
            "(see the data contract in README.md)."
        )
    span = pd.Timedelta(days=window)
    frame = leads.loc[
        leads["created_at"].notna(), ["lead_id", "manager", "created_at", "status", "closed_at"]
    ]
    if periods is not None:
        chosen = parse_periods(periods, fiscal_year_start=data.fiscal_year_start)
        inside = np.zeros(len(frame), dtype=bool)
        for p in chosen:
            inside |= ((frame["created_at"] >= p.start) & (frame["created_at"] < p.end)).to_numpy()
        frame = frame[inside]
    frame = frame.assign(landmark=frame["created_at"] + span)
    frame = frame[frame["landmark"] <= data.last_date]
    if landmark_only:
        frame = frame[frame["closed_at"].isna() | (frame["closed_at"] > frame["landmark"])]
    frame = frame.drop(columns="closed_at").sort_values("lead_id", kind="stable").reset_index(drop=True)
    frame["won"] = frame["status"].map({"won": 1.0, "lost": 0.0}).astype("float64")

    acts = activities.loc[activities["lead_id"].notna(), ["lead_id", "occurred_at", "type", "duration_min"]]
    acts = acts.merge(frame[["lead_id", "created_at", "landmark"]], on="lead_id", how="inner")
    acts = acts[(acts["occurred_at"] >= acts["created_at"]) & (acts["occurred_at"] <= acts["landmark"])]
    hours = (acts["occurred_at"] - acts["created_at"]).dt.total_seconds() / 3600.0
    acts = acts.assign(hours=hours, email=(acts["type"] == "email"), meeting=(acts["type"] == "meeting"))
    calls = acts[(acts["type"] == "call") & acts["duration_min"].notna()]
    grouped = acts.groupby("lead_id", sort=True)
    per_lead = pd.DataFrame(
        {
            "hours_to_first_touch": grouped["hours"].min(),
            "touches_in_window": grouped.size().astype("float64"),
            "emails_in_window": grouped["email"].sum().astype("float64"),
            "had_meeting": grouped["meeting"].any().astype("float64"),
            "call_minutes": calls.groupby("lead_id", sort=True)["duration_min"].mean(),
        }
    )
    frame = frame.merge(per_lead, left_on="lead_id", right_index=True, how="left")
    frame["hours_to_first_touch"] = frame["hours_to_first_touch"].fillna(24.0 * window)
    frame["touched_within_24h"] = (frame["hours_to_first_touch"] <= 24.0).astype("float64")
    for name in ("touches_in_window", "emails_in_window", "had_meeting"):
        frame[name] = frame[name].fillna(0.0).astype("float64")
    frame["call_minutes"] = frame["call_minutes"].astype("float64")
    return frame[list(FEATURE_COLUMNS)]
