"""Orders and leads dated outside their manager's employment (``hired_at``, ``left_at`` of the managers
table).
"""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.row_checks import _violation

__all__ = [
    "LEAD_OUTSIDE_EMPLOYMENT",
    "OUTSIDE_EMPLOYMENT",
    "check_lead_dates",
    "check_order_dates",
    "employment_dates",
]


#: The rule and the fix of an order dated outside its manager's employment.
OUTSIDE_EMPLOYMENT = (
    "ordered_at is outside the manager's employment (before hired_at or after left_at)",
    "correct the order's manager or date, or hired_at / left_at in the managers table (an order outside "
    "the employment would count in no period's KPIs)",
)


#: The rules and fixes of a lead dated outside its manager's employment: closed (``closed_at``, the day
#: that credits it in the KPIs) before ``hired_at`` or after ``left_at``, or created after ``left_at``. A
#: lead created before ``hired_at`` and closed inside the employment is fine (handed over to a new rep).
LEAD_OUTSIDE_EMPLOYMENT = {
    "closed_at": (
        "closed_at is outside the manager's employment (before hired_at or after left_at)",
        "give the lead to the manager who closed it, or correct its date or hired_at / left_at in the "
        "managers table (a lead closed outside the employment would count in no period's conversion)",
    ),
    "created_at": (
        "created_at is after the manager's left_at",
        "give the lead to the manager who took it, or correct its date or left_at in the managers table",
    ),
}


def employment_dates(managers: pd.DataFrame) -> pd.DataFrame | None:
    """``manager, _hired, _until`` of the managers with a ``hired_at`` or ``left_at`` (``_until``: the day
    after ``left_at``); ``None`` when nobody has one."""
    if "hired_at" not in managers or "left_at" not in managers:
        return None
    dated = managers[managers["hired_at"].notna() | managers["left_at"].notna()]
    if not len(dated):
        return None
    return pd.DataFrame(
        {
            "manager": dated["manager"].astype("string").to_numpy(),
            "_hired": dated["hired_at"]
            .dt.normalize()
            .fillna(pd.Timestamp("1678-01-01"))
            .astype("datetime64[ns]")
            .to_numpy(),
            "_until": (dated["left_at"].dt.normalize() + pd.Timedelta(days=1))
            .fillna(pd.Timestamp("2262-01-01"))
            .astype("datetime64[ns]")
            .to_numpy(),
        }
    )


def _employment_of(rows: pd.DataFrame, managers: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """Each row's manager's first day employed and first day no longer employed (None without dates)."""
    dates = employment_dates(managers)
    if dates is None:
        return None
    keyed = dates.set_index("manager")
    manager = rows["manager"].astype("string")
    return (
        manager.map(keyed["_hired"]).astype("datetime64[ns]"),
        manager.map(keyed["_until"]).astype("datetime64[ns]"),
    )


def check_order_dates(orders: pd.DataFrame, managers: pd.DataFrame, *, source: str) -> list[Violation]:
    """Orders dated outside their manager's employment (they would silently count in no period)."""
    bounds = _employment_of(orders, managers)
    if bounds is None:
        return []
    hired, until = bounds
    hits = orders[(orders["ordered_at"] < hired) | (orders["ordered_at"] >= until)]
    return [_violation("orders", source, "ordered_at", *OUTSIDE_EMPLOYMENT, hits)] if len(hits) else []


def check_lead_dates(leads: pd.DataFrame, managers: pd.DataFrame, *, source: str) -> list[Violation]:
    """Leads dated outside their manager's employment (:data:`LEAD_OUTSIDE_EMPLOYMENT`)."""
    bounds = _employment_of(leads, managers)
    if bounds is None:
        return []
    hired, until = bounds
    outside = {
        "closed_at": (leads["closed_at"] < hired) | (leads["closed_at"] >= until),
        "created_at": leads["created_at"] >= until,
    }
    return [
        _violation("leads", source, column, *LEAD_OUTSIDE_EMPLOYMENT[column], leads[flag])
        for column, flag in outside.items()
        if flag.any()
    ]
