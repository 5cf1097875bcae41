"""Will we make it? The open pipeline of a day, its value weighted by the chance of winning, and its coverage
of what is left of the plan.

:func:`pipeline` rebuilds the leads open at the end of ``as_of`` from the leads table (created on or before
that day and not closed by it), so the pipeline of any past day can be seen again, and uses nothing later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.cycle_times import cumulative_incidence
from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period

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
_MIN_WON_FOR_OWN_CYCLE = 10  # won deals a manager needs for their own stale threshold (else the team's)


def win_chance_by_age(
    days: np.ndarray, outcome: np.ndarray, ages: np.ndarray, *, within: float | np.ndarray | None = None
) -> np.ndarray:
    """The chance that a lead still open at each age in ``ages`` is won in the end (or within ``within``).

    From the Aalen-Johansen estimates of past leads (``days`` and ``outcome`` as in
    :func:`kpi_toolkit.cycle_times.cumulative_incidence`): ``(F_won(last) - F_won(a)) / S(a)``, the wins still
    to come after age ``a`` among the leads still open at ``a``; with ``within = h``,
    ``(F_won(a + h) - F_won(a)) / S(a)``, the wins that come in the next ``h`` days. NaN where no past lead
    was still open at that age.

    Examples
    --------
    >>> days = np.array([5.0, 10.0, 20.0, 30.0])
    >>> outcome = np.array([2, 1, 1, 0])  # lost on day 5, won on days 10 and 20, open at 30
    >>> np.round(win_chance_by_age(days, outcome, np.array([0.0, 12.0, 25.0])), 3).tolist()
    [0.5, 0.5, 0.0]
    >>> np.round(win_chance_by_age(days, outcome, np.array([0.0]), within=15.0), 3).tolist()
    [0.25]
    """
    times, won, still_open = cumulative_incidence(days, outcome)
    ages = np.asarray(ages, dtype=float)
    if times.size == 0:
        return np.full(ages.shape, np.nan)

    def won_by(t: np.ndarray) -> np.ndarray:
        at = np.searchsorted(times, t, side="right") - 1  # the last event time at or before each t
        return np.where(at >= 0, won[np.maximum(at, 0)], 0.0)

    at = np.searchsorted(times, ages, side="right") - 1
    open_at = np.where(at >= 0, still_open[np.maximum(at, 0)], 1.0)
    until = won[-1] if within is None else won_by(ages + np.asarray(within, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        chance = (until - won_by(ages)) / open_at
    return np.where(open_at > 0, np.clip(chance, 0.0, 1.0), np.nan)


def win_chance_by_stage(
    position: np.ndarray, outcome: np.ndarray, n_stages: int
) -> tuple[np.ndarray, np.ndarray]:
    """The chance that a lead that reached each stage is won, from closed leads, and the leads behind it.

    ``position`` is each closed lead's stage (0 = the first of the data set's stages, -1 = none recorded)
    and ``outcome`` 1 won, 2 lost. A won lead went through every stage; a lost lead reached the stages up to
    the one it was lost at. So the chance at stage ``k`` is ``W / (W + L_k)``, ``W`` the won leads and
    ``L_k`` the lost ones whose stage is ``k`` or later. Leads without a recorded stage are left out (won
    and lost alike). Returns the chances (NaN where no lead reached the stage) and the counts ``W + L_k``.

    Examples
    --------
    >>> chance, n = win_chance_by_stage(np.array([2, 0, 1, 2, -1]), np.array([1, 2, 2, 2, 2]), 3)
    >>> np.round(chance, 3).tolist(), n.tolist()
    ([0.25, 0.333, 0.5], [4, 3, 2])
    """
    position = np.asarray(position)
    outcome = np.asarray(outcome)
    known = position >= 0
    wins = int((known & (outcome == 1)).sum())
    lost_at = np.bincount(position[known & (outcome == 2)], minlength=n_stages)[:n_stages]
    lost_from = np.cumsum(lost_at[::-1])[::-1]  # lost at stage k or later
    n = wins + lost_from
    with np.errstate(divide="ignore", invalid="ignore"):
        chance = np.where(n > 0, wins / n, np.nan)
    return chance, n.astype("int64")


def _leads(data: SalesData, managers: list[str], since: pd.Timestamp, cut: pd.Timestamp) -> pd.DataFrame:
    columns = ["manager", "status", "created_at", "closed_at"]
    present = nw.from_native(data.leads).lazy().collect_schema().names()
    columns += [c for c in ("expected_amount", "stage") if c in present]
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


def _shrunk(own: np.ndarray, team: np.ndarray, n: int, prior_leads: int) -> np.ndarray:
    own = np.where(np.isnan(own), team, own)
    return (n * own + prior_leads * team) / (n + prior_leads)


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
        Only the managers of this team (every manager when ``None``).
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
    book = open_book(
        data, managers, day, history_days=history_days, prior_leads=prior_leads, chance_by=chance_by
    )
    opened = book.leads
    to_date = _volume(data, managers, p.start, min(cut, p.end))
    target = data.plan_book.targets(managers, p, "sales_volume").reindex(managers).astype("float64")
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


def _day(as_of: str | pd.Timestamp) -> pd.Timestamp:
    try:
        day = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ParameterError(f"as_of={as_of!r} is not a date. Fix: e.g. as_of='2026-08-15'.") from None
    if day.tzinfo is not None:
        day = day.tz_convert(None)
    return day.normalize()


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
    """The leads open at the end of ``day`` (normalized), valued and weighted as :func:`pipeline` says.

    Each row has the lead's ``value``, its ``chance`` of being won in the end and ``weighted = value x
    chance``; with ``within_days``, ``within`` is ``value`` times the chance (by age, shrunk as the eventual
    chance) that it is won in the next ``within_days`` days (else NaN). Nothing after ``day`` is used.
    """
    cut = day + _DAY
    since = cut - pd.Timedelta(days=history_days)
    leads = _leads(data, managers, since, cut)
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


def _grouped_accumulate(
    ufunc: np.ufunc, values: np.ndarray, starts: np.ndarray, lengths: np.ndarray
) -> np.ndarray:
    """``ufunc.accumulate`` of each group's run ``values[starts[g]:starts[g] + lengths[g]]``, in one pass per
    bucket of groups of similar length (a padded 2-D block; the padding comes after a run, so it cannot
    change it): element by element the operations of an accumulate of each run alone."""
    out = np.empty_like(values)
    some = np.flatnonzero(lengths > 0)
    bucket = np.ceil(np.log2(lengths[some])).astype(int)
    for b in np.unique(bucket):
        gs = some[bucket == b]
        width = int(lengths[gs].max())
        step = np.arange(width)
        valid = step[None, :] < lengths[gs][:, None]
        index = (starts[gs][:, None] + step[None, :])[valid]
        block = np.full(valid.shape, ufunc.identity, dtype=values.dtype)
        block[valid] = values[index]
        out[index] = ufunc.accumulate(block, axis=1)[valid]
    return out


class _ByManager:
    """:func:`kpi_toolkit.cycle_times.cumulative_incidence` and :func:`win_chance_by_age` of each manager's
    leads at once: ``group`` each lead's manager (0 to ``n_groups - 1``), ``days`` and ``outcome`` as there.
    A manager and a day make one exact integer key (the manager times the number of distinct days, plus the
    day's rank), so that one sorted array and :func:`numpy.searchsorted` serve every manager."""

    def __init__(self, group: np.ndarray, days: np.ndarray, outcome: np.ndarray, n_groups: int) -> None:
        days = np.asarray(days, dtype=float)
        self.values = np.unique(days)  # every day, ranked exactly
        self.width = self.values.size + 1
        key = group.astype(np.int64) * self.width + np.searchsorted(self.values, days)
        closed = outcome != 0
        self.keys = np.unique(key[closed])  # each manager's distinct event times, in order
        times_of = self.keys // self.width
        self.starts = np.searchsorted(times_of, np.arange(n_groups))
        self.lengths = np.bincount(times_of, minlength=n_groups)
        every = np.sort(key)
        before = np.searchsorted(every, self.keys, side="left") - np.searchsorted(
            every, times_of * self.width, side="left"
        )
        at_risk = np.bincount(group, minlength=n_groups)[times_of] - before
        wins = _count_equal(np.sort(key[outcome == 1]), self.keys)
        closes = _count_equal(np.sort(key[closed]), self.keys)
        self.survival = _grouped_accumulate(np.multiply, 1.0 - closes / at_risk, self.starts, self.lengths)
        first = np.zeros(self.keys.size, dtype=bool)
        first[self.starts[self.lengths > 0]] = True
        before_s = np.where(first, 1.0, np.roll(self.survival, 1))
        self.won = _grouped_accumulate(np.add, before_s * wins / at_risk, self.starts, self.lengths)

    def _at(self, group: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # the key of the last day at or before t (one below the manager's first key if none is)
        key = group.astype(np.int64) * self.width + np.searchsorted(self.values, t, side="right") - 1
        count = np.searchsorted(self.keys, key, side="right") - self.starts[group]
        return count > 0, np.minimum(self.starts[group] + np.maximum(count, 1) - 1, self.keys.size - 1)

    def chances(
        self, group: np.ndarray, ages: np.ndarray, until_ages: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """:func:`win_chance_by_age` of the leads of ``group[i]`` at ``ages[i]``: in the end, and (with
        ``until_ages``) within ``until_ages - ages`` (given as the sum, computed as win_chance_by_age
        does). Fastest with the pairs ``(group, ages)`` in order."""
        if self.keys.size == 0:
            return np.full(ages.shape, np.nan), None if until_ages is None else np.full(ages.shape, np.nan)
        some, at = self._at(group, ages)
        open_at = np.where(some, self.survival[at], 1.0)
        won_by = np.where(some, self.won[at], 0.0)
        last = np.minimum(self.starts[group] + self.lengths[group] - 1, self.keys.size - 1)
        ends = [self.won[last]]
        if until_ages is not None:
            some_later, later = self._at(group, until_ages)
            ends.append(np.where(some_later, self.won[later], 0.0))
        out = []
        for until in ends:
            with np.errstate(divide="ignore", invalid="ignore"):
                chance = (until - won_by) / open_at
            chance = np.where(open_at > 0, np.clip(chance, 0.0, 1.0), np.nan)
            out.append(np.where(self.lengths[group] > 0, chance, np.nan))
        return out[0], out[1] if until_ages is not None else None


def _count_equal(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    return np.searchsorted(sorted_keys, keys, side="right") - np.searchsorted(sorted_keys, keys, side="left")


def _won_cycle_p90(
    group: np.ndarray, days: np.ndarray, outcome: np.ndarray, n_groups: int, team: float
) -> np.ndarray:
    """Each manager's 90th percentile of the days to a win (``team`` with fewer than 10 won): one
    :func:`numpy.quantile` per number of wins, over the managers with that many."""
    out = np.full(n_groups, team, dtype=float)
    won = outcome == 1
    order = np.argsort(group[won], kind="stable")
    cycles, owner = days[won][order], group[won][order]
    counts = np.bincount(owner, minlength=n_groups)
    starts = np.searchsorted(owner, np.arange(n_groups))
    for count in np.unique(counts[counts >= _MIN_WON_FOR_OWN_CYCLE]):
        gs = np.flatnonzero(counts == count)
        out[gs] = np.quantile(cycles[starts[gs][:, None] + np.arange(count)[None, :]], 0.9, axis=1)
    return out
