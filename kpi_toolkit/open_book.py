"""The leads open at the end of a day (:func:`open_book`), valued and weighted by their chance of being
won, as :func:`kpi_toolkit.pipeline` and the pipeline projection of :func:`kpi_toolkit.pacing` use them.

The leads of the day are rebuilt from the leads table (created on or before that day and not closed by
it), the chances estimated from the leads of the history before it (:mod:`kpi_toolkit.win_chances`):
nothing after the day is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.win_chances import (
    _ByManager,
    _shrunk,
    _won_cycle_p90,
    win_chance_by_stage,
)

__all__ = ["OpenBook", "open_book"]

_DAY = pd.Timedelta(days=1)


def fetch_leads(
    data: SalesData, managers: list[str], since: pd.Timestamp, cut: pd.Timestamp, *, stage: bool = True
) -> pd.DataFrame:
    """The leads of ``managers`` created before ``cut`` and not closed before ``since``, in table order, with
    ``expected_amount`` (NaN where the data has none) and, with ``stage``, the stage (missing where none)."""
    columns = ["manager", "status", "created_at", "closed_at"]
    present = nw.from_native(data.leads).lazy().collect_schema().names()
    columns += [c for c in ("expected_amount", "stage") if c in present and (stage or c != "stage")]
    created = nw.col("created_at")
    frame = (
        nw.from_native(data.leads)
        .lazy()
        .filter(nw.col("manager").is_in(managers) & ~created.is_null() & (created < cut))
        .filter(nw.col("closed_at").is_null() | (nw.col("closed_at") >= since))
        .select(*columns)
    )
    leads = to_pandas(frame)
    if "expected_amount" not in leads:
        leads["expected_amount"] = np.nan
    if not stage:
        return leads
    if "stage" not in leads:
        leads["stage"] = pd.Series(pd.NA, index=leads.index, dtype="string")
    return leads


def _volume(data: SalesData, managers: list[str], start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    at = nw.col("ordered_at")
    frame = (
        nw.from_native(data.orders)
        .lazy()
        .filter(nw.col("manager").is_in(managers) & (at >= start) & (at < stop))
        .group_by("manager")
        .agg(nw.col("amount").sum())
    )
    sums = to_pandas(frame)
    return sums.set_index("manager")["amount"].astype("float64").reindex(managers, fill_value=0.0)


@dataclass(frozen=True)
class OpenBook:
    """The leads open at the end of a day (:func:`open_book`): one row each, and what had to be assumed."""

    #: ``manager, value, chance, weighted, within, age, stale, by_stage``.
    leads: pd.DataFrame
    #: Open leads valued at the manager's volume per won lead (no ``expected_amount``).
    valued_by_average: int


def open_book(
    data: SalesData,
    managers: list[str],
    day: pd.Timestamp,
    *,
    history_days: int = 365,
    prior_leads: int = 20,
    chance_by: Literal["auto", "age"] = "auto",
    within_days: float | None = None,
) -> OpenBook:
    """The leads open at the end of ``day``, valued and weighted as :func:`kpi_toolkit.pipeline` says.

    ``day`` is a midnight (normalized). Each row has the lead's ``value``, its ``chance`` of being won in
    the end and ``weighted = value x chance``; with ``within_days``, ``within`` is ``value`` times the
    chance (by age, shrunk as the eventual chance) that it is won in the next ``within_days`` days (else
    NaN). Nothing after ``day`` is used.
    """
    cut = day + _DAY
    since = cut - pd.Timedelta(days=history_days)
    leads = fetch_leads(data, managers, since, cut)
    is_open = leads["closed_at"].isna() | (leads["closed_at"] >= cut)
    age = ((cut - leads["created_at"]).dt.total_seconds() / 86400.0).to_numpy(dtype=float)
    history = (leads["created_at"] >= since).to_numpy()
    closed = ~is_open.to_numpy()
    outcome = np.where(closed & (leads["status"] == "won").to_numpy(), 1, np.where(closed, 2, 0))
    days = np.where(closed, (leads["closed_at"] - leads["created_at"]).dt.total_seconds() / 86400.0, age)
    open_rows = is_open.to_numpy()

    volume = _volume(data, managers, since, cut)
    won = pd.Series(outcome[history] == 1).groupby(leads.loc[history, "manager"].to_numpy()).sum()
    won = won.reindex(managers, fill_value=0)
    team_per_win = volume.sum() / won.sum() if won.sum() else np.nan
    per_win = (volume / won.where(won > 0)).fillna(team_per_win)
    value = leads["expected_amount"].to_numpy(dtype=float)
    missing = open_rows & np.isnan(value)
    value = np.where(missing, per_win.reindex(leads["manager"]).to_numpy(dtype=float), value)

    stages = list(data.stages or ())
    usable = chance_by == "auto" and bool(stages) and day >= data.last_date.normalize()
    position = np.full(len(leads), -1)
    if usable:
        where = {name: k for k, name in enumerate(stages)}
        position = leads["stage"].map(where).fillna(-1).to_numpy(dtype=int)
    staged_closed = history & closed & (position >= 0)
    team_by_stage, n_team = win_chance_by_stage(position[staged_closed], outcome[staged_closed], len(stages))
    staged_won = outcome[staged_closed] == 1
    team_rate = staged_won.mean() if staged_won.size else np.nan
    team_by_stage = _shrunk(team_by_stage, np.full(len(stages), team_rate), n_team, prior_leads)

    horizon = None if within_days is None else float(within_days)
    # the team's chances (win_chance_by_age of all the history's leads) in one estimate, the ages in order
    by_age = np.argsort(age, kind="stable")
    sorted_ages = age[by_age]
    later = None if horizon is None else sorted_ages + horizon
    team = _ByManager(
        np.zeros(int(history.sum()), dtype=np.int64),
        days[history],
        outcome[history],
        1,
    )
    team_chance, team_soon = np.empty(len(leads)), None if horizon is None else np.empty(len(leads))
    eventual, within = team.chances(np.zeros(len(leads), dtype=np.int64), sorted_ages, later)
    team_chance[by_age] = eventual
    if team_soon is not None:
        team_soon[by_age] = within
    team_new = team.chances(np.zeros(1, dtype=np.int64), np.zeros(1))[0]  # a lead of age 0
    won_days = days[history & (outcome == 1)]
    team_stale = np.quantile(won_days, 0.9) if won_days.size else np.nan
    chance = np.zeros(len(leads))
    soon = np.full(len(leads), np.nan)
    by_stage = np.zeros(len(leads), dtype=bool)
    stale_after = np.full(len(leads), np.nan)

    # every manager at once (each lead's manager as a number): the same estimates as one manager at a time
    code = pd.Index(managers).get_indexer(leads["manager"]) if managers else np.full(len(leads), -1)
    rows = np.flatnonzero(code >= 0)
    rows = rows[np.lexsort((age[rows], code[rows]))]  # by manager and age: the searches below go in order
    g = code[rows]
    mine = rows[history[rows]]
    incidence = _ByManager(code[mine], days[mine], outcome[mine], len(managers))
    n = np.bincount(code[mine][outcome[mine] != 0], minlength=len(managers))
    own, own_soon = incidence.chances(g, age[rows], None if horizon is None else age[rows] + horizon)
    chance[rows] = _shrunk(own, np.nan_to_num(team_chance[rows]), n[g], prior_leads)
    if team_soon is not None:
        soon[rows] = _shrunk(own_soon, np.nan_to_num(team_soon[rows]), n[g], prior_leads)
    if usable:
        staged = mine[staged_closed[mine]]
        wins = np.bincount(code[staged][outcome[staged] == 1], minlength=len(managers))
        lost = staged[outcome[staged] == 2]
        lost_at = np.bincount(
            code[lost] * len(stages) + position[lost], minlength=len(managers) * len(stages)
        ).reshape(len(managers), len(stages))
        n_k = wins[:, None] + np.cumsum(lost_at[:, ::-1], axis=1)[:, ::-1]  # reached stage k
        with np.errstate(divide="ignore", invalid="ignore"):
            own_k = np.where(n_k > 0, wins[:, None] / n_k, np.nan)
        shrunk_k = _shrunk(own_k, team_by_stage[None, :], n_k, prior_leads)
        at = position[rows]
        known = (at >= 0) & open_rows[rows]
        stage_chance = np.where(known, shrunk_k[g, np.maximum(at, 0)], np.nan)
        # how much being still open at its age lowers a lead's chance (1 at age 0): a stale lead at a
        # late stage is not as good as a fresh one there
        every = np.arange(len(managers))
        own_new = incidence.chances(every, np.zeros(len(managers)))[0]
        new = _shrunk(own_new, np.nan_to_num(team_new), n, prior_leads)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(new[g] > 0, np.clip(chance[rows] / new[g], 0.0, None), 1.0)
        stage_chance = np.clip(stage_chance * factor, 0.0, 1.0)
        take = known & np.isfinite(stage_chance)
        chance[rows[take]] = stage_chance[take]
        by_stage[rows[take]] = True
    stale_after[rows] = _won_cycle_p90(code[mine], days[mine], outcome[mine], len(managers), team_stale)[g]

    opened = pd.DataFrame(
        {
            "manager": leads["manager"].to_numpy()[open_rows],
            "value": value[open_rows],
            "chance": chance[open_rows],
            "weighted": (value * chance)[open_rows],
            "within": (value * soon)[open_rows],
            "age": age[open_rows],
            "stale": (age > stale_after)[open_rows],
            "by_stage": by_stage[open_rows],
        }
    )
    return OpenBook(opened, int(missing.sum()))
