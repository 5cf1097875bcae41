"""Will we make it? The open pipeline of a day, its value weighted by the chance of winning, and its coverage
of what is left of the plan.

:func:`pipeline` rebuilds the leads open at the end of ``as_of`` from the leads table (created on or before
that day and not closed by it), so the pipeline of any past day can be seen again, and uses nothing later.
"""

from __future__ import annotations

from typing import Literal

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import targets_in_team
from kpi_toolkit.open_book import OpenBook, _volume, open_book
from kpi_toolkit.periods import Period
from kpi_toolkit.win_chances import win_chance_by_age, win_chance_by_stage

__all__ = [
    "PIPELINE_COLUMNS",
    "OpenBook",
    "open_book",
    "pipeline",
    "win_chance_by_age",
    "win_chance_by_stage",
]

#: Columns of :func:`pipeline`, in order.
PIPELINE_COLUMNS = (
    "manager",
    "open_leads",
    "open_value",
    "weighted_value",
    "to_date",
    "target",
    "remaining_target",
    "coverage",
    "weighted_coverage",
    "median_age_days",
    "stale_leads",
)
_DAY = pd.Timedelta(days=1)


def pipeline(
    data: SalesData,
    *,
    period: str | Period,
    as_of: str | pd.Timestamp,
    team: str | None = None,
    history_days: int = 365,
    prior_leads: int = 20,
    chance_by: Literal["auto", "age"] = "auto",
) -> pd.DataFrame:
    """The leads open at the end of ``as_of``, their value weighted by the chance of winning, and how much of
    the plan still to make they cover.

    Parameters
    ----------
    data
        A validated data set with a ``leads`` table.
    period
        The period whose plan the pipeline must close, e.g. ``"2026Q3"``.
    as_of
        The day the pipeline is seen from (its end): nothing later is used.
    team
        Only the managers of this team (every manager when ``None``). With an ``assignments`` table (team
        moves), the managers in the team on some day of ``period``, each with only the team's part: the
        volume to date of their orders of their days in it, their target pro-rated by those days (as
        :func:`kpi_toolkit.manager_kpis`), and their open leads only when they are in the team at the
        end of ``as_of`` (the leads go with the manager: a lead's future closing counts where its manager
        is then). The chances of winning and the deal cycle still come from the manager's own history in
        every team (how they sell, not where), shrunk toward the team's managers' pooled leads.
    history_days
        How far back the leads that estimate the chances of winning and the deal cycle reach.
    prior_leads
        Weight, in closed leads, of the team's chances in a manager's shrunk chances.
    chance_by
        ``"auto"``: an open lead's chance of winning from its stage where the data set has stages and the
        stage can be used (see Notes), else from its age; ``"age"``: always from its age.

    Returns
    -------
    pandas.DataFrame
        One row per manager (in id order) and a last row ``manager="TOTAL"``; columns
        :data:`PIPELINE_COLUMNS`: ``open_leads`` and ``open_value`` (their ``expected_amount``),
        ``weighted_value`` (each open lead's value times its chance of being won), ``to_date`` (sales volume
        from the period's start to ``as_of``), ``target`` (the ``sales_volume`` target), ``remaining_target``
        (``target - to_date``, at least 0), ``coverage = open_value / remaining_target`` and
        ``weighted_coverage``, ``median_age_days`` of the open leads and ``stale_leads`` (open leads older
        than the 90th percentile of the manager's won-deal cycle times).

    Notes
    -----
    *Open*: ``created_at`` on or before ``as_of`` and ``closed_at`` empty or after it (so a lead closed later
    counts as open, as it was then); leads without ``created_at`` cannot be placed in time and are counted in
    ``attrs["leads_without_created_at"]``.

    *Value*: ``expected_amount``; an open lead without one (or a data set without the column) is valued at the
    manager's volume per won lead over the last ``history_days`` (the team's when the manager won none);
    ``attrs["valued_by_average"]`` counts them.

    *Chance of winning* a lead open at age ``a``: ``(F_won(last) - F_won(a)) / S(a)`` from the Aalen-Johansen
    estimates (:func:`win_chance_by_age`) of the manager's leads created in the ``history_days`` before
    ``as_of``, seen as of ``as_of`` (open ones censored), shrunk toward the team's as
    ``(n p_m + k p_team) / (n + k)`` with ``n`` the manager's closed leads and ``k = prior_leads``.

    *Chance of winning by stage* (a data set with stages, :attr:`SalesData.stages`, ``chance_by="auto"``):
    a lead's ``stage`` is what the table holds when it was exported, so for a lead still open it is its
    stage on the data's last day, and for a closed lead the stage it was won or lost at. Stages are
    therefore used only when ``as_of`` is on or after the last date in the data (else a lead's later
    progress would leak into a past day's pipeline; ages are used, ``attrs["chance_by"]`` says which).
    The chance that a lead at stage ``k`` is won is estimated from the leads of the history closed before
    ``as_of`` whose stage is recorded: a won lead went through every stage, a lost one reached the stages
    up to the one it was lost at, so the chance is ``W / (W + L_k)`` with ``L_k`` the leads lost at stage
    ``k`` or later (:func:`win_chance_by_stage`). A CRM that moves lost deals to a "lost" stage loses
    where they were lost: map ``stage`` only for open leads there (a mapping's ``values:`` can blank the
    closing stages), and the stage chances then rest on the leads whose stage is known. The manager's
    chance is shrunk toward the team's as above (``n`` the manager's closed leads that reached ``k``), the
    team's toward the team's win rate of all staged closed leads (weight ``prior_leads``). A stage's chance
    is of leads that reached it at any age, so it is then scaled by the lead's age: times its chance by age
    (above) over that of a lead of age 0, the share of its chances a lead loses by staying open so long;
    stage and age are assumed to act independently (multiplicatively), capped at 1. So a lead left open for
    months at an early stage weighs little. An open lead without a stage, or at a stage no closed lead
    reached, is weighted by its age alone. The chances are those of leads that closed: leads still open are
    not in them (a lead stuck at a stage counts only once it closes).

    ``attrs["chance_by"]`` is ``"stage"`` when stages weighted at least one open lead, else ``"age"``;
    ``attrs["by_stage"]`` counts the open leads weighted by their stage.

    *Stale*: older than the 90th percentile of the time from creation to winning of the manager's won leads
    of the history (the team's with fewer than 10 won).

    TOTAL: sums; its ``target`` is the sum of the targets the managers have (``attrs["without_target"]`` lists
    those without one); its ``remaining_target`` is that target less the same managers' volume to date, so
    one manager's surplus covers another's shortfall, as in a team plan.

    NaN policy: ``target`` NaN without a positive ``sales_volume`` target, and then ``remaining_target`` and
    the coverages are NaN; coverages are NaN when nothing remains (the target is met); ``median_age_days``
    NaN without open leads.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> pipe = kt.pipeline(data, period="2026Q3", as_of="2026-08-15", team="North")
    >>> pipe.columns.tolist() == list(PIPELINE_COLUMNS), pipe["manager"].iloc[-1]
    (True, 'TOTAL')
    """
    if data.leads is None:
        raise ParameterError("pipeline needs a leads table; this data set has none. Fix: load leads.csv too.")
    for name, value in (("history_days", history_days), ("prior_leads", prior_leads)):
        if not isinstance(value, int) or value < 1:
            raise ParameterError(f"{name}={value!r} must be a positive whole number.")
    if chance_by not in ("auto", "age"):
        raise ParameterError(f"chance_by={chance_by!r} is not allowed. Fix: use 'auto' or 'age'.")
    p = data.period(period)
    day = _day(as_of)
    cut = day + _DAY
    managers = data.managers_of(team)
    moves = bool(team) and data.membership.dated
    if moves:  # a mover: only their part in the team (README, "Team moves")
        managers = data.membership.members(str(team), managers, p)
    book = open_book(
        data, managers, day, history_days=history_days, prior_leads=prior_leads, chance_by=chance_by
    )
    opened = book.leads
    if moves:  # the leads open at the end of as_of are the team's the manager is in on that day
        on = pd.Series(day, index=opened.index, dtype="datetime64[ns]")
        opened = opened[data.membership.holds(str(team), opened["manager"], on)]
        to_date = _team_volume(data, str(team), managers, p.start, min(cut, p.end))
    else:
        to_date = _volume(data, managers, p.start, min(cut, p.end))
    target = data.plan_book.targets(managers, p, "sales_volume").reindex(managers).astype("float64")
    target = targets_in_team(data, target, team, p)
    target = target.where(target > 0)
    grouped = opened.groupby("manager")
    out = pd.DataFrame(index=pd.Index(managers, name="manager"))
    out["open_leads"] = grouped.size().reindex(managers, fill_value=0).astype("int64")
    out["open_value"] = grouped["value"].sum().reindex(managers, fill_value=0.0)
    out["weighted_value"] = grouped["weighted"].sum().reindex(managers, fill_value=0.0)
    out["to_date"] = to_date
    out["target"] = target
    out["remaining_target"] = (target - to_date).clip(lower=0)
    out["median_age_days"] = grouped["age"].median().reindex(managers)
    out["stale_leads"] = grouped["stale"].sum().reindex(managers, fill_value=0).astype("int64")
    has_target = target.notna()
    total = {
        "open_leads": int(out["open_leads"].sum()),
        "open_value": float(out["open_value"].sum()),
        "weighted_value": float(out["weighted_value"].sum()),
        "to_date": float(to_date.sum()),
        "target": float(target[has_target].sum()) if has_target.any() else np.nan,
        "remaining_target": max(float(target[has_target].sum() - to_date[has_target].sum()), 0.0)
        if has_target.any()
        else np.nan,
        "median_age_days": float(opened["age"].median()) if len(opened) else np.nan,
        "stale_leads": int(out["stale_leads"].sum()),
    }
    out = pd.concat([out, pd.DataFrame(total, index=pd.Index(["TOTAL"], name="manager"))])
    remaining = out["remaining_target"].where(out["remaining_target"] > 0)
    out["coverage"] = out["open_value"] / remaining
    out["weighted_coverage"] = out["weighted_value"] / remaining
    out = out.reset_index()
    out["manager"] = out["manager"].astype("string")
    out = out.astype({"open_leads": "int64", "stale_leads": "int64"}).loc[:, list(PIPELINE_COLUMNS)]
    undated = (
        nw.from_native(data.leads)
        .lazy()
        .filter(nw.col("created_at").is_null() & nw.col("manager").is_in(managers))
    )
    by_stage = int(opened["by_stage"].sum())
    out.attrs.update(
        period=str(p),
        as_of=day,
        history_days=history_days,
        prior_leads=prior_leads,
        valued_by_average=book.valued_by_average,
        leads_without_created_at=int(to_pandas(undated.select(nw.len().alias("n")))["n"].iloc[0]),
        without_target=[m for m in managers if not has_target[m]],
        chance_by="stage" if by_stage else "age",
        by_stage=by_stage,
    )
    return out


def _team_volume(
    data: SalesData, team: str, managers: list[str], start: pd.Timestamp, stop: pd.Timestamp
) -> pd.Series:
    """Sales volume per manager of their orders in ``[start, stop)`` that belong to ``team``."""
    at = nw.col("ordered_at")
    frame = (
        nw.from_native(data.orders)
        .lazy()
        .filter(nw.col("manager").is_in(managers) & (at >= start) & (at < stop))
        .select("manager", "ordered_at", "amount")
    )
    rows = to_pandas(frame)
    rows = rows[data.membership.holds(team, rows["manager"].astype(str), rows["ordered_at"])]
    sums = rows.groupby(rows["manager"].astype(str), sort=True)["amount"].sum()
    return sums.astype("float64").reindex(managers, fill_value=0.0)


def _day(as_of: str | pd.Timestamp) -> pd.Timestamp:
    try:
        day = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ParameterError(f"as_of={as_of!r} is not a date. Fix: e.g. as_of='2026-08-15'.") from None
    if day.tzinfo is not None:
        day = day.tz_convert(None)
    return day.normalize()
