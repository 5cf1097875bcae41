"""Pacing inside one team when managers move between teams (an ``assignments`` table): a mover is paced
in the team only on their days in it, as :func:`kpi_toolkit.manager_kpis` counts them (README, "Team
moves").

In ``pacing(team=T)`` a mover's volume to date is that of their orders of their days in T, their target
is pro-rated by those days (:func:`kpi_toolkit.kpis.targets_in_team`), and they are paced over the span
of those days: with :math:`S(t)` the period's cumulative expected share and :math:`[w_0, w_1)` the span
(clipped to the employment), the share expected by ``as_of`` is
:math:`(S(\\min(t, w_1)) - S(w_0)) / (S(w_1) - S(w_0))`. One who left T on or before ``as_of`` has their
part in T closed (``"met"``/``"missed"``); one who joins T after ``as_of`` is not paced in T yet. The
backtests take a manager's earlier periods only when they were in T on every day of them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.periods import Period
from kpi_toolkit.staffing import Employment, Membership

__all__ = ["TeamStaff", "in_team_by", "team_orders", "team_shares"]

_DAY = pd.Timedelta(days=1)


class TeamStaff:
    """The employment of :class:`kpi_toolkit.staffing.Employment` narrowed to one team: a manager is
    *wholly* there in a period when employed and in the team on every one of its days (what the pacing
    backtests ask)."""

    dated = True

    def __init__(self, staff: Employment, membership: Membership, team: str) -> None:
        self._staff, self._membership, self._team = staff, membership, team

    def whole(self, managers: list[str], period: Period) -> pd.Series:
        employed = self._staff.whole(managers, period) if self._staff.dated else None
        share = self._membership.share(list(managers), self._team, period, Employment(None))
        there = share.to_numpy() >= 1.0
        if employed is not None:
            there &= employed.to_numpy()
        return pd.Series(there, index=pd.Index(list(managers), name="manager"), dtype=bool)


def in_team_by(
    data: SalesData, team: str, managers: list[str], period: Period, cutoff: pd.Timestamp
) -> list[str]:
    """Of ``managers``, those in ``team`` on some day of ``period`` before ``cutoff`` (in order)."""
    first, _ = data.membership.span(team, managers, period.start, min(cutoff, period.end))
    return [m for m in managers if pd.notna(first[m])]


def team_orders(data: SalesData, team: str, orders: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``orders`` (``manager, ordered_at, ...``) that belong to ``team``."""
    return orders[data.membership.holds(team, orders["manager"], orders["ordered_at"])]


def team_shares(
    data: SalesData,
    team: str,
    managers: list[str],
    period: Period,
    cutoff: pd.Timestamp,
    shares: pd.Series,
    closed: pd.Series,
    cumulative: Callable[[pd.Timestamp], float],
) -> tuple[pd.Series, pd.Series]:
    """``shares`` and ``closed`` of :func:`kpi_toolkit.pacing_phasing.employed_shares` for the managers in
    ``team`` on only part of their days employed in ``period``: paced over the span of their days in the
    team, closed when it ended on or before ``as_of`` (and before the period's end)."""
    shares, closed = shares.copy(), closed.copy()
    if not managers:
        return shares, closed
    part = data.membership.share(managers, team, period, data.employment).to_numpy() < 1.0
    first, end = data.membership.span(team, managers, period.start, period.end)
    hired, left = data.employment.dates(managers)
    for i in np.flatnonzero(part):
        w0, w1 = first.iloc[i], end.iloc[i]
        if not np.isnat(hired[i]):
            w0 = max(w0, pd.Timestamp(hired[i]))
        if not np.isnat(left[i]):
            w1 = min(w1, pd.Timestamp(left[i]) + _DAY)
        if w1 <= cutoff and w1 < period.end:  # their part in the team is over by as_of
            closed.iloc[i], shares.iloc[i] = True, 1.0
            continue
        now = min(cutoff, w1)
        s0, s1 = cumulative(w0), cumulative(w1)
        if s1 > s0:
            shares.iloc[i] = (cumulative(now) - s0) / (s1 - s0)
        else:  # nothing came in that span in the years phased on: linear inside it
            shares.iloc[i] = (now - w0) / (w1 - w0)
    return shares, closed
