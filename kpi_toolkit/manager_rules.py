"""Managers across tables: one spelling per manager, every manager in the managers table, team moves
(``assignments``) and team plans that name known managers and teams.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi_toolkit.errors import Violation
from kpi_toolkit.row_checks import _violation

__all__ = [
    "MANAGER_TABLES",
    "check_assignments",
    "check_manager_spellings",
    "check_plan_teams",
    "spelling_groups",
    "spelling_rule",
    "unknown_managers_rule",
]


def _spelling(manager: str) -> str:
    return " ".join(manager.split()).casefold()


#: Tables with a ``manager`` column: spelt one way and (but ``managers``) in the managers table; this order.
MANAGER_TABLES = ("managers", "orders", "leads", "plans", "returns", "activities", "assignments")


def spelling_groups(ids: set[str]) -> dict[str, set[str]]:
    """Manager ids grouped by their spelling without case and inner spaces; only groups of two or more."""
    groups: dict[str, set[str]] = {}
    for manager in ids:
        groups.setdefault(_spelling(manager), set()).add(manager)
    return {key: group for key, group in groups.items() if len(group) > 1}


def spelling_rule(hit: set[str], groups: dict[str, set[str]]) -> tuple[str, str]:
    """The rule and the fix for the clashing ids ``hit`` of a table (``groups``: :func:`spelling_groups`)."""
    spellings = sorted({tuple(sorted(groups[_spelling(m)])) for m in hit})
    shown = "; ".join(" and ".join(repr(m) for m in group) for group in spellings[:5])
    return (
        f"manager ids that differ only in case or spaces: {shown}",
        "write each manager's id the same way in every table (ids are compared exactly)",
    )


def unknown_managers_rule(names: list[str], managers_source: str) -> tuple[str, str]:
    """The rule and the fix for managers (sorted ``names``) missing from the managers table."""
    return (
        f"unknown manager(s) {names[:10]}{' ...' if len(names) > 10 else ''}: not in the managers table",
        f"add them to {managers_source} or correct the ids",
    )


def check_manager_spellings(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """Flag manager ids that differ only in case or inner spaces (``ann`` and ``ANN``) across all tables.

    Ids are compared exactly, so such ids would silently count as two managers; they are an error instead.
    """
    ids: set[str] = set()
    for table in MANAGER_TABLES:
        if table in frames:
            ids.update(frames[table]["manager"].dropna().unique())
    groups = spelling_groups(ids)
    clashing = {m for group in groups.values() for m in group}
    violations = []
    for table in MANAGER_TABLES:
        if table not in frames or not clashing:
            continue
        frame = frames[table]
        hits = frame[frame["manager"].isin(clashing)]
        if len(hits):
            rule, fix = spelling_rule(set(hits["manager"].unique()), groups)
            violations.append(_violation(table, sources[table], "manager", rule, fix, hits))
    return violations


def _isin(values: pd.Series, allowed: pd.Series) -> pd.Series:
    """``values.isin(allowed)`` for text columns, through Arrow: pandas' own loops in Python (30x slower)."""
    found = pc.is_in(
        pa.array(values.astype("string"), from_pandas=True),
        value_set=pa.array(allowed.astype("string"), from_pandas=True).drop_null(),  # repeats are harmless
    )
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def check_assignments(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """Team moves inside the employment: no ``valid_from`` before ``hired_at`` or after ``left_at``."""
    if "assignments" not in frames or "managers" not in frames:
        return []
    moves, managers = frames["assignments"], frames["managers"].set_index("manager")
    hired = moves["manager"].map(managers["hired_at"]).astype("datetime64[ns]")
    left = moves["manager"].map(managers["left_at"]).astype("datetime64[ns]")
    day = moves["valid_from"].dt.normalize()
    hits = moves[(day < hired.dt.normalize()) | (day > left.dt.normalize())]
    if not len(hits):
        return []
    return [
        _violation(
            "assignments",
            sources["assignments"],
            "valid_from",
            "valid_from is outside the manager's employment (before hired_at or after left_at)",
            "move the date inside the employment, or correct hired_at / left_at in the managers table",
            hits,
        )
    ]


def check_plan_teams(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """A team's target (a plan row naming a ``team``) names a team of the managers table or assignments."""
    violations: list[Violation] = []
    plans = frames.get("plans")
    if plans is not None and "team" in plans and plans["team"].notna().any():
        teams = frames["managers"]["team"] if "managers" in frames else pd.Series([], dtype="string")
        if "assignments" in frames:
            teams = pd.concat([teams.astype("string"), frames["assignments"]["team"].astype("string")])
        hits = plans[plans["team"].notna() & ~_isin(plans["team"], teams)]
        if len(hits):
            names = sorted(hits["team"].astype(str).unique())
            violations.append(
                _violation(
                    "plans",
                    sources["plans"],
                    "team",
                    f"unknown team(s) {names[:10]}: no manager of the managers table is in them",
                    "correct the team's name as the managers table spells it, or add the managers table "
                    "with each manager's team",
                    hits,
                )
            )
    return violations
