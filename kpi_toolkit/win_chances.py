"""The chance that an open lead is won, from the leads before it: by its age (Aalen-Johansen estimates,
:func:`win_chance_by_age`) and by its stage (:func:`win_chance_by_stage`); the same estimates of every
manager's leads at once (``_ByManager``: one sort and :func:`numpy.searchsorted` for all managers); a
manager's chance shrunk toward the team's; each manager's 90th-percentile won cycle.

Used by :func:`kpi_toolkit.open_book.open_book` (the pipeline of a day) and
:mod:`kpi_toolkit.open_book_days` (pacing's open books of many days).
"""

from __future__ import annotations

import numpy as np

from kpi_toolkit.cycle_times import cumulative_incidence

__all__ = ["win_chance_by_age", "win_chance_by_stage"]

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


def _shrunk(own: np.ndarray, team: np.ndarray, n: int, prior_leads: int) -> np.ndarray:
    own = np.where(np.isnan(own), team, own)
    return (n * own + prior_leads * team) / (n + prior_leads)


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
