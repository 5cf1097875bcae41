"""Who joined and who left a team in a period: the frame behind the reports' "team changes" note."""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.periods import Period

__all__ = ["TEAM_CHANGE_COLUMNS", "team_changes"]

#: Columns of :func:`team_changes`.
TEAM_CHANGE_COLUMNS = ("manager", "team", "change", "date", "from_team")


def team_changes(data: SalesData, *, period: str | Period, team: str | None = None) -> pd.DataFrame:
    """The joiners, leavers and team moves of ``period`` (of ``team``; every team when ``None``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TEAM_CHANGE_COLUMNS`, one row per change, in date order then by manager: ``change``
        is ``"joined"`` (``date``: ``hired_at``, the first day employed), ``"left"`` (``date``:
        ``left_at``, the last day employed) or ``"moved"`` (``date``: the first day in ``team``, coming
        from ``from_team``; from ``assignments``); ``team`` is the manager's (current) team, missing
        without one; ``from_team`` is missing but on moves. With ``team``, the moves into and out of it.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1"], "manager": ["ann"], "customer_id": ["c"],
    ...                        "ordered_at": ["2026-07-03"], "amount": [300.0]})
    >>> managers = pd.DataFrame({"manager": ["ann", "bob"], "name": ["Ann", "Bob"], "team": ["N", "N"],
    ...                          "hired_at": [None, "2026-08-10"]})
    >>> team_changes(kt.from_frames(orders, managers=managers), period="2026Q3")
      manager team  change       date from_team
    0     bob    N  joined 2026-08-10      <NA>
    """
    p = data.period(period)
    managers = data.managers_of(team, period=p)
    changes = data.employment.changes(managers, p)
    teams = data.manager_info["team"].astype("string")
    changes.insert(1, "team", teams.reindex(changes["manager"]).to_numpy())
    changes["from_team"] = pd.Series(pd.NA, index=changes.index, dtype="string")
    moves = data.membership.moves(data.managers_of(None, period=p), p)
    if team:
        moves = moves[(moves["to_team"] == team) | (moves["from_team"] == team)]
    moves = moves.rename(columns={"to_team": "team"}).assign(change="moved")
    out = pd.concat([changes, moves.loc[:, list(TEAM_CHANGE_COLUMNS)]], ignore_index=True)
    out = out.astype({"manager": "string", "team": "string", "change": "string", "from_team": "string"})
    out = out.sort_values(["date", "manager"], kind="stable", ignore_index=True)
    return out.loc[:, list(TEAM_CHANGE_COLUMNS)]
