"""The open books of many days from one fetch: what the pipeline projection of :func:`kpi_toolkit.pacing`
needs of its current day and of each backtest day.

For each day, each manager's sum of ``within`` of :func:`kpi_toolkit.pipeline.open_book` (with
``chance_by="age"``): the leads open at the end of the day, valued at ``expected_amount`` (else the
manager's volume per won lead of the history), times the chance, by age, that each is won in the next
``within_days`` days (the manager's Aalen-Johansen estimate shrunk toward the team's). ``open_book`` fetches
the leads and the volume of one day and sorts that day's history; here the leads every day needs come in
one query, the volumes of every day's history in another (one scan of the orders), and the leads are
sorted once:

- a closed lead's time to its close does not depend on the day, so one sort of the closed leads by manager
  and that time serves every day: a day's events are the closed leads of its history taken in that order
  (a mask keeps the order), its distinct event times the runs of equal keys;
- only the open leads' ages depend on the day; they are ranked among the closed leads' times (one
  :func:`numpy.searchsorted` each), which gives the leads at risk at each event time and the last event
  time at or before each open lead's age (and age plus ``within_days``) as exact integer keys.

The counts (leads at risk, closes, wins) are the same integers as ``open_book``'s and the products and sums
along each manager's times are the same ``ufunc.accumulate`` of the same values, so the results are equal
bit for bit (``tests/test_open_book_days.py``), as long as the engine returns the rows of a filter in table
order (pandas and DuckDB do) and sums each manager's orders in the same order in both queries.
"""

from __future__ import annotations

from collections.abc import Sequence

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.open_book import _DAY, fetch_leads
from kpi_toolkit.win_chances import _grouped_accumulate, _shrunk

__all__ = ["expected_within"]


def expected_within(
    data: SalesData,
    managers: list[str],
    days: Sequence[tuple[pd.Timestamp, float]],
    *,
    history_days: int = 365,
    prior_leads: int = 20,
) -> list[pd.Series]:
    """For each ``(day, within_days)`` of ``days``: per manager (in the order of ``managers``), the value of
    the leads open at the end of ``day`` expected to be won in the next ``within_days`` days, i.e.
    ``open_book(data, managers, day, chance_by="age", within_days=within_days).leads["within"]`` summed by
    manager (0 without open leads).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> now, before = expected_within(demo, ["M01", "M02"], [(pd.Timestamp("2026-08-15"), 46.0),
    ...                                                      (pd.Timestamp("2026-05-15"), 46.0)])
    >>> now.index.tolist(), bool((now > 0).all())
    (['M01', 'M02'], True)
    """
    index = pd.Index(managers, name="manager")
    if not days:
        return []
    if not managers:
        return [pd.Series(0.0, index=index) for _ in days]
    history = pd.Timedelta(days=history_days)
    cuts = [pd.Timestamp(day) + _DAY for day, _ in days]  # as open_book: the end of the day
    # every lead that the open book of a day between them uses (``open_book``'s filter, widest bounds)
    leads = fetch_leads(data, managers, min(cuts) - history, max(cuts), stage=False)
    volumes = _volumes(data, managers, [(cut - history, cut) for cut in cuts])
    book = _Leads(leads, index)
    return [
        book.expected(cut, cut - history, float(within), volume, prior_leads)
        for cut, (_, within), volume in zip(cuts, days, volumes, strict=True)
    ]


def _volumes(
    data: SalesData, managers: list[str], windows: list[tuple[pd.Timestamp, pd.Timestamp]]
) -> list[pd.Series]:
    """Each manager's sales volume of each window ``[start, stop)``: on a lazy engine one query (one scan,
    a filtered sum per window); on pandas the rows of all windows taken once, then each window's."""
    at = nw.col("ordered_at")
    lo, hi = min(start for start, _ in windows), max(stop for _, stop in windows)
    orders = (
        nw.from_native(data.orders)
        .lazy()
        .filter(nw.col("manager").is_in(managers) & (at >= lo) & (at < hi))
        .select("manager", "ordered_at", "amount")
    )
    if isinstance(data.orders, pd.DataFrame):
        part = nw.from_native(to_pandas(orders)).lazy()
        sums = [
            to_pandas(
                part.filter((at >= start) & (at < stop)).group_by("manager").agg(nw.col("amount").sum())
            ).set_index("manager")["amount"]
            for start, stop in windows
        ]
    else:
        wide = to_pandas(
            orders.group_by("manager").agg(
                *(
                    nw.when((at >= start) & (at < stop)).then(nw.col("amount")).sum().alias(f"w{k}")
                    for k, (start, stop) in enumerate(windows)
                )
            )
        ).set_index("manager")
        sums = [wide[f"w{k}"] for k in range(len(windows))]
    return [s.astype("float64").reindex(managers, fill_value=0.0).fillna(0.0) for s in sums]


class _Leads:
    """The fetched leads, with what does not depend on the day computed once: each lead's manager as a
    number, its time to close (days), and the closed leads sorted by manager and by that time."""

    def __init__(self, leads: pd.DataFrame, index: pd.Index) -> None:
        self.index = index
        self.n_groups = len(index)
        self.manager = leads["manager"].to_numpy()
        self.code = index.get_indexer(leads["manager"])
        self.created = leads["created_at"]
        self.created64 = self.created.to_numpy()
        closed = leads["closed_at"]
        self.closed64 = closed.to_numpy()
        self.has_closed = closed.notna().to_numpy()
        self.won = (leads["status"] == "won").to_numpy()
        cycle = ((closed - self.created).dt.total_seconds() / 86400.0).to_numpy(dtype=float)
        self.amount = leads["expected_amount"].to_numpy(dtype=float)
        # every time to close, sorted and distinct: a time's rank (how many are at or below it) is an exact
        # integer key, and an age is ranked among them the same way
        closable = np.flatnonzero(self.has_closed)
        times = np.sort(cycle[closable])
        self.times = times[np.concatenate([[True], times[1:] != times[:-1]])] if times.size else times
        self.width = self.times.size + 1
        self.rank = np.zeros(len(leads), dtype=np.int64)
        self.rank[closable] = np.searchsorted(self.times, cycle[closable], side="right")
        key = self.code[closable].astype(np.int64) * self.width + self.rank[closable]
        self.by_manager = closable[np.argsort(key, kind="stable")]  # by manager, then time to close
        self.by_time = closable[np.argsort(self.rank[closable], kind="stable")]

    def expected(
        self, cut: pd.Timestamp, since: pd.Timestamp, within: float, volume: pd.Series, prior_leads: int
    ) -> pd.Series:
        """``open_book``'s ``within``, summed by manager, of the day that ``cut`` ends."""
        cut64, since64 = cut.to_datetime64(), since.to_datetime64()
        rows = (self.created64 < cut64) & (~self.has_closed | (self.closed64 >= since64))
        still_open = ~self.has_closed | (self.closed64 >= cut64)
        history = rows & (self.created64 >= since64)
        event = history & ~still_open  # closed on the day or before, created in the history
        opened = np.flatnonzero(rows & still_open)
        code = self.code[opened]
        age = ((cut - self.created.iloc[opened]).dt.total_seconds() / 86400.0).to_numpy(dtype=float)
        rank_now = np.searchsorted(self.times, age, side="right")
        rank_later = np.searchsorted(self.times, age + within, side="right")
        in_history = history[opened]

        team_events = self.by_time[event[self.by_time]]
        team = _Incidence(
            np.zeros(team_events.size, dtype=np.int64),
            self.rank[team_events],
            self.won[team_events],
            np.sort(rank_now[in_history]),
            1,
            self.width,
        )
        team_soon = team.within(np.zeros(opened.size, dtype=np.int64), rank_now, rank_later)
        events = self.by_manager[event[self.by_manager]]
        group = self.code[events].astype(np.int64)
        own = _Incidence(
            group,
            self.rank[events],
            self.won[events],
            np.sort(code[in_history].astype(np.int64) * self.width + rank_now[in_history]),
            self.n_groups,
            self.width,
        )
        n = np.bincount(group, minlength=self.n_groups)
        soon = _shrunk(own.within(code, rank_now, rank_later), np.nan_to_num(team_soon), n[code], prior_leads)

        won = pd.Series(np.bincount(group[self.won[events]], minlength=self.n_groups), index=self.index)
        team_per_win = volume.sum() / won.sum() if won.sum() else np.nan
        per_win = (volume / won.where(won > 0)).fillna(team_per_win)
        value = self.amount[opened]
        value = np.where(np.isnan(value), per_win.to_numpy(dtype=float)[code], value)
        # summed as open_book's rows are (pandas sums a group with integer keys in another order)
        book = pd.DataFrame({"manager": self.manager[opened], "within": value * soon})
        return book.groupby("manager")["within"].sum().reindex(self.index, fill_value=0.0)


class _Incidence:
    """The Aalen-Johansen estimates of each group's leads (as ``kpi_toolkit.win_chances._ByManager``) from the
    day's closed leads sorted by group and time (``group``, ``rank`` the time's rank, ``won``) and the sorted
    keys (group x width + rank of the age) of its open leads, which are censored at their age."""

    def __init__(
        self,
        group: np.ndarray,
        rank: np.ndarray,
        won: np.ndarray,
        open_keys: np.ndarray,
        n_groups: int,
        width: int,
    ) -> None:
        self.width = width
        key = group * width + rank
        n = key.size
        first = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]])) if n else np.zeros(0, np.int64)
        self.keys = key[first]  # each group's distinct event times, in order
        closes = np.diff(np.append(first, n))
        wins = np.add.reduceat(won.astype(np.int64), first) if n else np.zeros(0, np.int64)
        owner = group[first]
        self.starts = np.searchsorted(owner, np.arange(n_groups))
        self.lengths = np.bincount(owner, minlength=n_groups)
        # at risk at each event time: the group's closed leads from that time on and its open leads as old
        closed_from = np.searchsorted(group, owner, side="right") - first
        open_from = np.searchsorted(open_keys, (owner + 1) * width, side="left") - np.searchsorted(
            open_keys, self.keys, side="left"
        )
        at_risk = closed_from + open_from
        self.survival = _grouped_accumulate(np.multiply, 1.0 - closes / at_risk, self.starts, self.lengths)
        starting = np.zeros(self.keys.size, dtype=bool)
        starting[self.starts[self.lengths > 0]] = True
        before_s = np.where(starting, 1.0, np.roll(self.survival, 1))
        self.won = _grouped_accumulate(np.add, before_s * wins / at_risk, self.starts, self.lengths)

    def _at(self, group: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # the last event time at or before a time of that rank (one below the group's first if none is)
        count = np.searchsorted(self.keys, group * self.width + rank, side="right") - self.starts[group]
        return count > 0, np.minimum(self.starts[group] + np.maximum(count, 1) - 1, self.keys.size - 1)

    def within(self, group: np.ndarray, rank: np.ndarray, rank_later: np.ndarray) -> np.ndarray:
        """The chance that a lead of ``group`` open at an age of rank ``rank`` is won by an age of rank
        ``rank_later`` (``win_chance_by_age`` with ``within``; NaN for a group without events)."""
        if self.keys.size == 0:
            return np.full(group.shape, np.nan)
        some, at = self._at(group, rank)
        open_at = np.where(some, self.survival[at], 1.0)
        won_by = np.where(some, self.won[at], 0.0)
        some_later, later = self._at(group, rank_later)
        until = np.where(some_later, self.won[later], 0.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            chance = (until - won_by) / open_at
        chance = np.where(open_at > 0, np.clip(chance, 0.0, 1.0), np.nan)
        return np.where(self.lengths[group] > 0, chance, np.nan)
