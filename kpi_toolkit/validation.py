"""The contract's cross-table rules: references between tables (:func:`check_references`).

The row rules are in :mod:`kpi_toolkit.row_rules` (applied on pandas by
:func:`kpi_toolkit.row_checks.check_rows`); the groups of cross-table rules in
:mod:`kpi_toolkit.manager_rules`, :mod:`kpi_toolkit.employment_rules` and :mod:`kpi_toolkit.return_rules`. A
violation reports the file, the column, the row numbers as the user sees them (first few and a count) and how
to fix it.
"""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.employment_rules import check_lead_dates, check_order_dates
from kpi_toolkit.errors import Violation
from kpi_toolkit.manager_rules import (
    MANAGER_TABLES,
    _isin,
    check_assignments,
    check_manager_spellings,
    check_plan_teams,
    unknown_managers_rule,
)
from kpi_toolkit.return_rules import check_returns
from kpi_toolkit.row_checks import _violation

__all__ = ["UNKNOWN_LEAD", "check_references"]


#: The rule and the fix of an order whose ``lead_id`` is not a lead of the leads table.
UNKNOWN_LEAD = (
    "lead_id not found in the leads table",
    "correct the lead_id, leave it empty, or add the lead",
)


def check_references(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """Cross-table rules: manager ids spelt one way; every manager in ``managers``; known lead_ids; team moves
    inside the employment."""
    violations = check_manager_spellings(frames, sources) + check_assignments(frames, sources)
    violations += check_plan_teams(frames, sources)
    if "managers" in frames:
        known = frames["managers"]["manager"]
        for table in MANAGER_TABLES[1:]:
            if table not in frames:
                continue
            frame = frames[table]
            hits = frame[frame["manager"].notna() & ~_isin(frame["manager"], known)]
            if len(hits):
                rule, fix = unknown_managers_rule(sorted(hits["manager"].unique()), sources["managers"])
                violations.append(_violation(table, sources[table], "manager", rule, fix, hits))
    if "leads" in frames and frames["orders"]["lead_id"].notna().any():
        orders = frames["orders"]
        hits = orders[orders["lead_id"].notna() & ~_isin(orders["lead_id"], frames["leads"]["lead_id"])]
        if len(hits):
            violations.append(_violation("orders", sources["orders"], "lead_id", *UNKNOWN_LEAD, hits))
    activities = frames.get("activities")
    if "leads" in frames and activities is not None and activities["lead_id"].notna().any():
        known_lead = _isin(activities["lead_id"], frames["leads"]["lead_id"])
        hits = activities[activities["lead_id"].notna() & ~known_lead]
        if len(hits):
            violations.append(_violation("activities", sources["activities"], "lead_id", *UNKNOWN_LEAD, hits))
    if "managers" in frames:
        violations += check_order_dates(frames["orders"], frames["managers"], source=sources["orders"])
        if "leads" in frames:
            violations += check_lead_dates(frames["leads"], frames["managers"], source=sources["leads"])
    if "returns" in frames:
        wanted = frames["returns"]["order_id"].dropna()
        orders = frames["orders"]
        returned = orders.loc[_isin(orders["order_id"], wanted)] if len(wanted) else orders.iloc[:0]
        violations += check_returns(frames["returns"], returned, source=sources["returns"])
    return violations
