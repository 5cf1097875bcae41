"""Who was employed when: the managers' ``hired_at`` and ``left_at`` applied to periods.

A manager is *active* in a period when employed on at least one of its days: ``hired_at`` (the first day
employed; empty: since before the data) is before the period's end and ``left_at`` (the last day employed;
empty: still employed) is on or after its first day. Without the columns every manager is active in every
period. A period is *wholly* covered when the manager was employed on every one of its days, *partly*
covered otherwise (README.md, "Plans").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.periods import Period

__all__ = ["Employment", "Membership", "team_days"]

_DAY = pd.Timedelta(days=1)


class Employment:
    """The employment dates of every manager (``hired_at``, ``left_at`` as dates, NaT where open).

    Examples
    --------
    >>> from kpi_toolkit.periods import parse_period
    >>> managers = pd.DataFrame({"manager": ["ann", "bob", "cid"],
    ...                          "hired_at": pd.to_datetime([None, "2026-08-10", None]),
    ...                          "left_at": pd.to_datetime([None, None, "2026-07-31"])})
    >>> staff = Employment(managers)
    >>> q3, q4 = parse_period("2026Q3"), parse_period("2026Q4")
    >>> staff.active(["ann", "bob", "cid"], q4).tolist(), staff.whole(["ann", "bob", "cid"], q3).tolist()
    ([True, True, False], [True, False, False])
    """

    def __init__(self, managers: pd.DataFrame | None) -> None:
        hired = left = None
        if managers is not None and len(managers):
            index = pd.Index(managers["manager"].astype("string"), name="manager")
            if "hired_at" in managers and managers["hired_at"].notna().any():
                hired = pd.Series(pd.to_datetime(managers["hired_at"]).dt.normalize().to_numpy(), index=index)
            if "left_at" in managers and managers["left_at"].notna().any():
                left = pd.Series(pd.to_datetime(managers["left_at"]).dt.normalize().to_numpy(), index=index)
        self._hired = hired
        self._left = left

    @property
    def dated(self) -> bool:
        """Whether any manager has a hiring or leaving date (else everyone is active in every period)."""
        return self._hired is not None or self._left is not None

    def dates(self, managers: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """``hired_at`` and ``left_at`` of each manager (``datetime64[ns]``, NaT where open or unknown)."""
        return self._dates(list(managers))

    def _dates(self, managers: list[str]) -> tuple[np.ndarray, np.ndarray]:
        nat = np.full(len(managers), np.datetime64("NaT"), dtype="datetime64[ns]")
        hired = nat if self._hired is None else self._hired.reindex(managers).to_numpy("datetime64[ns]")
        left = nat if self._left is None else self._left.reindex(managers).to_numpy("datetime64[ns]")
        return hired, left

    def active(self, managers: list[str], period: Period) -> pd.Series:
        """Whether each manager was employed on at least one day of ``period`` (bool, indexed by manager)."""
        hired, left = self._dates(list(managers))
        start, end = np.datetime64(period.start, "ns"), np.datetime64(period.end, "ns")
        on = (np.isnat(hired) | (hired < end)) & (np.isnat(left) | (left >= start))
        return pd.Series(on, index=pd.Index(list(managers), name="manager"), dtype=bool)

    def whole(self, managers: list[str], period: Period) -> pd.Series:
        """Whether each manager was employed on every day of ``period`` (bool, indexed by manager)."""
        hired, left = self._dates(list(managers))
        start, last = np.datetime64(period.start, "ns"), np.datetime64(period.end - _DAY, "ns")
        on = (np.isnat(hired) | (hired <= start)) & (np.isnat(left) | (left >= last))
        return pd.Series(on, index=pd.Index(list(managers), name="manager"), dtype=bool)

    def changes(self, managers: list[str], period: Period) -> pd.DataFrame:
        """Joiners and leavers of ``period``: ``manager, change ("joined"/"left"), date``, in date order."""
        hired, left = self._dates(list(managers))
        start, end = np.datetime64(period.start, "ns"), np.datetime64(period.end, "ns")
        rows = []
        for manager, h, lf in zip(managers, hired, left, strict=True):
            if not np.isnat(h) and start <= h < end:
                rows.append((manager, "joined", pd.Timestamp(h)))
            if not np.isnat(lf) and start <= lf < end:
                rows.append((manager, "left", pd.Timestamp(lf)))
        out = pd.DataFrame(rows, columns=["manager", "change", "date"])
        out = out.astype({"manager": "string", "change": "string", "date": "datetime64[ns]"})
        return out.sort_values(["date", "manager"], kind="stable").reset_index(drop=True)


_FIRST, _LAST = pd.Timestamp("1677-09-22"), pd.Timestamp("2262-04-11")


class Membership:
    """Which team each manager was in, day by day: the ``assignments`` table (``manager, team,
    valid_from``), else the managers table's fixed ``team``.

    A manager is in the team of an assignment from its ``valid_from`` until their next assignment; before
    their first one, in the first one's team (the data's history starts before it).

    Examples
    --------
    >>> from kpi_toolkit.periods import parse_period
    >>> moves = pd.DataFrame({"manager": ["ann", "ann"], "team": ["North", "South"],
    ...                       "valid_from": pd.to_datetime(["2025-01-01", "2026-08-16"])})
    >>> teams = Membership(None, moves)
    >>> q3 = parse_period("2026Q3")
    >>> teams.members("North", ["ann"], q3), teams.members("South", ["ann"], parse_period("2026-07"))
    (['ann'], [])
    >>> float(teams.share(["ann"], "North", q3, Employment(None)).iloc[0])  # 46 of 92 days
    0.5
    """

    def __init__(self, managers: pd.DataFrame | None, assignments: pd.DataFrame | None) -> None:
        rows: list[tuple[str, str, pd.Timestamp, pd.Timestamp]] = []
        moved: set[str] = set()
        if assignments is not None and len(assignments):
            ordered = assignments.sort_values(["manager", "valid_from"], kind="stable")
            for manager, group in ordered.groupby("manager", sort=True):
                starts = list(pd.to_datetime(group["valid_from"]).dt.normalize())
                ends = [*starts[1:], _LAST]
                starts[0] = _FIRST
                for team, start, end in zip(group["team"], starts, ends, strict=True):
                    rows.append((str(manager), str(team), start, end))
                moved.add(str(manager))
        if managers is not None and "team" in managers:
            for manager, team in zip(managers["manager"], managers["team"], strict=True):
                if str(manager) not in moved and pd.notna(team):
                    rows.append((str(manager), str(team), _FIRST, _LAST))
        self.dated = assignments is not None and len(assignments) > 0
        self.intervals = pd.DataFrame(rows, columns=["manager", "team", "start", "end"])

    def current(self) -> pd.Series:
        """Each manager's latest team (index ``manager``)."""
        last = self.intervals.sort_values(["manager", "start"], kind="stable").groupby("manager").tail(1)
        return pd.Series(last["team"].to_numpy(), index=last["manager"].to_numpy(), dtype="string")

    def teams(self) -> list[str]:
        return sorted(set(self.intervals["team"]))

    def _overlap(self, team: str, period: Period) -> pd.DataFrame:
        rows = self.intervals[self.intervals["team"] == team]
        return rows[(rows["start"] < period.end) & (rows["end"] > period.start)]

    def members(self, team: str, managers: list[str], period: Period | None = None) -> list[str]:
        """Of ``managers``, those in ``team`` on some day of ``period`` (ever, when ``None``), in order."""
        if period is None:
            inside = set(self.intervals.loc[self.intervals["team"] == team, "manager"])
        else:
            inside = set(self._overlap(team, period)["manager"])
        return [m for m in managers if m in inside]

    def share(self, managers: list[str], team: str, period: Period, staff: Employment) -> pd.Series:
        """Per manager, the share of their days employed in ``period`` that they spent in ``team``."""
        hired, left = staff._dates(list(managers))
        rows = self._overlap(team, period)
        out = []
        for manager, h, lf in zip(managers, hired, left, strict=True):
            first = max(period.start, pd.Timestamp(h)) if not np.isnat(h) else period.start
            end = min(period.end, pd.Timestamp(lf) + _DAY) if not np.isnat(lf) else period.end
            employed = max((end - first).days, 0)
            mine = rows[rows["manager"] == manager]
            days = sum(
                max((min(end, e) - max(first, s)).days, 0)
                for s, e in zip(mine["start"], mine["end"], strict=True)
            )
            out.append(days / employed if employed else np.nan)
        return pd.Series(out, index=pd.Index(list(managers), name="manager"), dtype="float64")

    def span(
        self, team: str, managers: list[str], start: pd.Timestamp, end: pd.Timestamp
    ) -> tuple[pd.Series, pd.Series]:
        """Per manager, the first day in ``team`` within ``[start, end)`` and the day after the last one
        (``NaT`` when not in it then): the span from the first to the last day in the team, days away
        between two stays included.

        Examples
        --------
        >>> moves = pd.DataFrame({"manager": ["ann", "ann"], "team": ["North", "South"],
        ...                       "valid_from": pd.to_datetime(["2025-01-01", "2026-08-17"])})
        >>> first, end = Membership(None, moves).span(
        ...     "North", ["ann"], pd.Timestamp("2026-07-01"), pd.Timestamp("2026-10-01"))
        >>> str(first["ann"].date()), str(end["ann"].date())
        ('2026-07-01', '2026-08-17')
        """
        rows = self.intervals[
            (self.intervals["team"] == team)
            & (self.intervals["start"] < end)
            & (self.intervals["end"] > start)
        ]
        first = rows.groupby("manager")["start"].min().clip(lower=start)
        last = rows.groupby("manager")["end"].max().clip(upper=end)
        index = pd.Index(list(managers), name="manager")
        return first.reindex(index).astype("datetime64[ns]"), last.reindex(index).astype("datetime64[ns]")

    def holds(self, team: str, managers: pd.Series, days: pd.Series) -> np.ndarray:
        """Per row: whether the row's manager was in ``team`` on the row's day (an order's ``ordered_at``, a
        return's ``returned_at``): the rows that belong to ``team``.

        Examples
        --------
        >>> moves = pd.DataFrame({"manager": ["ann", "ann"], "team": ["North", "South"],
        ...                       "valid_from": pd.to_datetime(["2025-01-01", "2026-08-16"])})
        >>> days = pd.Series(pd.to_datetime(["2026-08-15", "2026-08-16"]))
        >>> Membership(None, moves).holds("South", pd.Series(["ann", "ann"]), days).tolist()
        [False, True]
        """
        spans = self.intervals[self.intervals["team"] == team]
        when = pd.to_datetime(days).dt.tz_localize(None).dt.normalize().to_numpy("datetime64[ns]")
        # one join of the rows with the team's spans by manager (a manager has a span per stay in the team),
        # not a pass over every row per span: a team of 2,000 managers costs one merge, not 2,000 passes
        rows = pd.DataFrame(
            {"manager": managers.astype(str).to_numpy(), "when": when, "row": np.arange(len(when))}
        )
        hit = rows.merge(spans[["manager", "start", "end"]], on="manager", how="inner")
        inside = (hit["when"] >= hit["start"]) & (hit["when"] < hit["end"])
        keep = np.zeros(len(when), dtype=bool)
        keep[hit.loc[inside, "row"].to_numpy()] = True
        return keep

    def moves(self, managers: list[str], period: Period) -> pd.DataFrame:
        """Team moves inside ``period``: ``manager, from_team, to_team, date`` (first day in the new team)."""
        rows = []
        keep = set(managers)
        for manager, group in self.intervals.sort_values(["manager", "start"]).groupby("manager", sort=True):
            if manager not in keep:
                continue
            teams, starts = list(group["team"]), list(group["start"])
            for k in range(1, len(teams)):
                if period.start <= starts[k] < period.end and teams[k] != teams[k - 1]:
                    rows.append((manager, teams[k - 1], teams[k], starts[k]))
        out = pd.DataFrame(rows, columns=["manager", "from_team", "to_team", "date"])
        return out.astype(
            {"manager": "string", "from_team": "string", "to_team": "string", "date": "datetime64[ns]"}
        )


def team_days(intervals: pd.DataFrame) -> pd.DataFrame:
    """:attr:`Membership.intervals` with the days as integers ``YYYYMMDD`` (``first_day`` included,
    ``end_day`` excluded): every engine compares them alike, whatever its time zone or timestamp unit."""

    def day(values: pd.Series) -> np.ndarray:
        stamps = pd.to_datetime(values)
        return (stamps.dt.year * 10000 + stamps.dt.month * 100 + stamps.dt.day).to_numpy("int64")

    return pd.DataFrame(
        {
            "manager": intervals["manager"].astype(str).to_numpy(),
            "_team": intervals["team"].astype(str).to_numpy(),
            "_first_day": day(intervals["start"]),
            "_end_day": day(intervals["end"]),
        }
    )
