"""The manager-by-manager open book as it was before vectorising (a loop over managers, Aalen-Johansen
estimates and quantiles per manager): the oracle that :func:`kpi_toolkit.open_book.open_book` must equal."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.open_book import _DAY, OpenBook, _volume, fetch_leads
from kpi_toolkit.win_chances import _MIN_WON_FOR_OWN_CYCLE, _shrunk, win_chance_by_age, win_chance_by_stage


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
    """The leads open at the end of ``day`` (normalized), valued and weighted as :func:`pipeline` says.

    Each row has the lead's ``value``, its ``chance`` of being won in the end and ``weighted = value x
    chance``; with ``within_days``, ``within`` is ``value`` times the chance (by age, shrunk as the eventual
    chance) that it is won in the next ``within_days`` days (else NaN). Nothing after ``day`` is used.
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
    team_chance = win_chance_by_age(days[history], outcome[history], age)
    team_new = win_chance_by_age(days[history], outcome[history], np.zeros(1))  # a lead of age 0
    team_soon = (
        win_chance_by_age(days[history], outcome[history], age, within=horizon)
        if horizon is not None
        else None
    )
    won_days = days[history & (outcome == 1)]
    team_stale = np.quantile(won_days, 0.9) if won_days.size else np.nan
    chance = np.zeros(len(leads))
    soon = np.full(len(leads), np.nan)
    by_stage = np.zeros(len(leads), dtype=bool)
    stale_after = np.full(len(leads), np.nan)
    positions = leads.groupby("manager", sort=False).indices  # one pass, not a mask per manager
    for manager in managers:
        rows = positions.get(manager, np.zeros(0, dtype=np.intp))
        mine = rows[history[rows]]
        own = win_chance_by_age(days[mine], outcome[mine], age[rows])
        n = int((outcome[mine] != 0).sum())
        chance[rows] = _shrunk(own, np.nan_to_num(team_chance[rows]), n, prior_leads)
        if team_soon is not None:
            own_soon = win_chance_by_age(days[mine], outcome[mine], age[rows], within=horizon)
            soon[rows] = _shrunk(own_soon, np.nan_to_num(team_soon[rows]), n, prior_leads)
        if usable:
            mine_staged = mine[staged_closed[mine]]
            own_k, n_k = win_chance_by_stage(position[mine_staged], outcome[mine_staged], len(stages))
            shrunk_k = _shrunk(own_k, team_by_stage, n_k, prior_leads)
            at = position[rows]
            known = (at >= 0) & open_rows[rows]
            stage_chance = np.where(known, shrunk_k[np.maximum(at, 0)], np.nan)
            # how much being still open at its age lowers a lead's chance (1 at age 0): a stale lead at a
            # late stage is not as good as a fresh one there
            own_new = win_chance_by_age(days[mine], outcome[mine], np.zeros(1))
            new = _shrunk(own_new, np.nan_to_num(team_new), n, prior_leads)[0]
            factor = np.clip(chance[rows] / new, 0.0, None) if new > 0 else np.ones(len(rows))
            stage_chance = np.clip(stage_chance * factor, 0.0, 1.0)
            take = known & np.isfinite(stage_chance)
            chance[rows[take]] = stage_chance[take]
            by_stage[rows[take]] = True
        own_won = days[mine[outcome[mine] == 1]]
        enough = own_won.size >= _MIN_WON_FOR_OWN_CYCLE
        stale_after[rows] = np.quantile(own_won, 0.9) if enough else team_stale

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


def pipeline_projection_by_day(book=open_book):
    """The pipeline projection of :func:`kpi_toolkit.pacing` as it was before the open books of every day
    came from one fetch (:mod:`kpi_toolkit.open_book_days`): a query, a sort and :func:`open_book` per day
    (this module's loop over managers by default, or ``book``). The oracle of
    ``pacing_pipeline.pipeline_projection`` (its signature)."""
    from kpi_toolkit.pacing_pipeline import _backtest_periods, _backtest_rows, _volume

    def raw(data, orders, managers, start, stop, end):
        index = pd.Index(managers, name="manager")
        to_date = _volume(orders, start, stop).reindex(index, fill_value=0.0)
        days_left = max((end - stop) / _DAY, 0.0)
        leads = book(data, managers, stop - _DAY, chance_by="age", within_days=days_left).leads
        return to_date + leads.groupby("manager")["within"].sum().reindex(index, fill_value=0.0)

    def projection(data, orders, managers, period, offset, *, cutoff, first):
        index = pd.Index(managers, name="manager")
        now = raw(data, orders, managers, period.start, min(cutoff, period.end), period.end)
        periods = _backtest_periods(period, cutoff, first)
        raws = [raw(data, orders, managers, q.start, q.start + offset, q.end) for q in periods]
        return now, _backtest_rows(orders, index, periods, offset, raws)

    return projection
