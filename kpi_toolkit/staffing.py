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

__all__ = ["Employment"]

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
