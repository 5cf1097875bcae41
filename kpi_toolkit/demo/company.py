"""The demo company: its dates, its managers and the people added later, the team move, the parameters every
table shares (season, lead flow, conversion, order amounts, repeat orders), each manager's profile, and the
random streams (one per table, so adding a table never changes the others).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DEMO_END", "DEMO_START"]

DEMO_START = pd.Timestamp("2024-10-01")
DEMO_END = pd.Timestamp("2026-09-30 23:59:59")  # the last instant of the data; 2026Q3 is complete
_MANAGERS = [
    ("M01", "Anna Petrova", "North"),
    ("M02", "Boris Sokolov", "North"),
    ("M03", "Clara Jensen", "North"),
    ("M04", "Dmitry Volkov", "North"),
    ("M05", "Elena Smirnova", "North"),
    ("M06", "Farid Aliyev", "North"),
    ("M07", "Grace Okafor", "North"),
    ("M08", "Hugo Martin", "South"),
    ("M09", "Irina Kuznetsova", "South"),
    ("M10", "James Carter", "South"),
    ("M11", "Ksenia Orlova", "South"),
    ("M12", "Leo Fischer", "South"),
    ("M13", "Maria Lopez", "South"),
    ("M14", "Nikolai Popov", "South"),
]

#: The people added later (:data:`PLANTED_PEOPLE`): id, name, team, hired_at, left_at.
_NEW_PEOPLE = [
    ("M15", "Olga Nowak", "South", pd.Timestamp("2026-08-10"), None),
    ("M16", "Pedro Alves", "North", None, pd.Timestamp("2026-05-20")),
]
_MOVES = [("M13", "South", pd.Timestamp("2024-10-01")), ("M13", "North", pd.Timestamp("2026-08-17"))]

#: Lead arrivals by calendar month, relative to an average month (January first).
_SEASON = np.array([0.75, 0.8, 0.95, 1.0, 1.0, 0.95, 0.85, 0.85, 1.05, 1.15, 1.25, 1.35])
_BASE_LEADS = 24.0  # leads a month for a full-time manager in an average month
_CONVERSION = 0.28
_CHECK_MEDIAN, _CHECK_SIGMA = 45_000.0, 0.8  # log-normal order amounts
_REPEAT_RATE = 0.12  # repeat orders per customer and month
_REPEAT_SCALE = 0.6  # repeat orders are smaller than first orders
_INITIAL_CUSTOMERS = 12  # customers each manager already has when the data starts


def _profile(manager: str, rng: np.random.Generator) -> dict[str, float]:
    lead_flow = rng.uniform(0.85, 1.15)
    profile = {"lead_flow": lead_flow, "conversion": _CONVERSION, "check": 1.0, "plan_bias": 1.0}
    if manager == "M03":
        profile["conversion"] = 0.12
    if manager == "M07":
        profile["check"] = 2.0
    if manager == "M10":
        profile.update(lead_flow=0.6, plan_bias=1.0 / 0.6)
    if manager == "M12":
        profile["lead_flow"] = 2.0 / _BASE_LEADS
    return profile


def _stream(seed: int, name: str, part: int = 0) -> np.random.Generator:
    """An independent random stream per table, so adding a table never changes the others.

    ``part`` 1 gives the people added later (:data:`PLANTED_PEOPLE`) streams of their own, so that the first
    fourteen managers' tables stay as they were.
    """
    return np.random.default_rng([seed, sum(name.encode()), *([part] if part else [])])


def _window(manager: str, employment: dict[str, tuple[pd.Timestamp, pd.Timestamp]]) -> tuple[int, int]:
    """The manager's employment as nanoseconds ``[hired, until)`` (``until``: the day after ``left_at``)."""
    hired, until = employment.get(manager, (DEMO_START, DEMO_END.normalize() + pd.Timedelta(days=1)))
    return hired.value, until.value


def _employment() -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The added people's employment, ``[hired, until)`` with ``until`` the day after ``left_at``."""
    end = DEMO_END.normalize() + pd.Timedelta(days=1)
    return {
        m: (
            hired if hired is not None else DEMO_START,
            left + pd.Timedelta(days=1) if left is not None else end,
        )
        for m, _, _, hired, left in _NEW_PEOPLE
    }
