"""The roll-up of a coded plan (:mod:`kpi_toolkit.plan_codes`): given targets, quarters summed from months,
years from quarters, and which target applies, as NumPy arrays of codes; computed once per owner kind
(managers, teams' own targets) and memoised on the codes, for the consistency check and the plan books
(:mod:`kpi_toolkit.plans`, where the roll-up rule is written down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi_toolkit.plan_codes import KINDS, PlanCodes, plan_codes
from kpi_toolkit.schema import ADDITIVE_METRICS

__all__ = ["RollUp", "Targets", "coded_plan", "rolled_up"]

SHORTER = {"year": "quarter", "quarter": "month"}
#: Months per kind: a period of that kind covers ``start .. start + n - 1`` (:func:`month_number`).
MONTHS = {"month": 1, "quarter": 3, "year": 12}
#: Bits of a key below the owner and metric: the kind (2 bits) over the first month (20 bits).
KIND_BITS, START_BITS = 2, 20


@dataclass(frozen=True)
class Targets:
    """Targets as arrays of codes: ``owner`` indexes the owners' names, ``metric`` the metrics', ``kind``
    :data:`KINDS`; ``start`` is the first month (:func:`month_number`)."""

    owner: np.ndarray
    metric: np.ndarray
    kind: np.ndarray
    start: np.ndarray
    target: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)

    def key(self, n_metrics: int) -> np.ndarray:
        """One integer per (owner, metric, kind, start): equal keys, equal periods and targets' owners."""
        owner = self.owner.astype(np.int64) * n_metrics + self.metric
        return (((owner << KIND_BITS) + self.kind) << START_BITS) + self.start

    def take(self, at: np.ndarray) -> Targets:
        return Targets(self.owner[at], self.metric[at], self.kind[at], self.start[at], self.target[at])

    @staticmethod
    def stacked(*parts: Targets) -> Targets:
        return Targets(*(np.concatenate([getattr(p, c) for p in parts]) for c in Targets._COLUMNS))

    _COLUMNS = ("owner", "metric", "kind", "start", "target")


@dataclass(frozen=True)
class RollUp:
    """One owner kind's targets (managers', or teams' own) rolled up once: for the check and the book.

    ``rows`` are the plan's positions of the rows that name an owner, a metric and a period (all of them,
    repeated keys too) and ``every`` their targets, ``additive`` which of them are of additive metrics;
    ``quarters`` are rolled up from months and ``years`` from (given or rolled-up) quarters, ``resolved``
    every target that applies: the given ones (the last of a repeated key), then the rolled-up ones no
    target is given for.
    """

    owners: pd.Index
    metrics: pd.Index
    rows: np.ndarray
    every: Targets
    additive: np.ndarray
    quarters: Targets
    years: Targets
    resolved: Targets
    n_given: int


def roll_up(parts: Targets, kind: str, fiscal_year_start: int, n_metrics: int) -> Targets:
    """Sums of additive ``parts`` (months, quarters) over each ``kind`` they tile, where every part has one.

    A fiscal quarter (year) starts in a month whose distance from the fiscal year's first month is a multiple
    of 3 (12): the part's period of ``kind`` starts at ``start - (start - first) mod n``. One group-by on one
    integer key packing owner, metric and start (its sums depend on the order of the rows: a bitmap grid
    that summed each period's parts apart was no faster and differed in the last bit).
    """
    n_months = MONTHS[kind]
    n_parts = n_months // MONTHS[SHORTER[kind]]
    start = parts.start
    owner = parts.owner.astype(np.int64, copy=False) * n_metrics + parts.metric
    key = (owner << START_BITS) + start - (start - (fiscal_year_start - 1)) % n_months
    rolled = pd.Series(parts.target, index=key).groupby(level=0, sort=False).agg(["sum", "size"])
    full = rolled["size"].to_numpy() == n_parts
    key = rolled.index.to_numpy(np.int64)[full]
    return Targets(
        owner=(key >> START_BITS) // n_metrics,
        metric=(key >> START_BITS) % n_metrics,
        kind=np.full(len(key), KINDS.index(kind), dtype=np.int64),
        start=key & ((1 << START_BITS) - 1),
        target=rolled["sum"].to_numpy()[full],
    )


def not_in(rows: Targets, keys: np.ndarray, n_metrics: int) -> Targets:
    """``rows`` whose key no target of ``keys`` has: a given target wins."""
    return rows.take(~pd.Index(rows.key(n_metrics)).isin(keys))


def owners(codes: PlanCodes, who: str) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """The owner codes and names of ``who`` (``manager``: rows naming a manager; ``manager-only``: those
    naming no team either; ``team``: rows naming a team) and which rows name one, a metric and a period."""
    owner, names = (codes.team, codes.teams) if who == "team" else (codes.manager, codes.managers)
    named = (owner >= 0) & (codes.metric >= 0) & (codes.kind >= 0)
    if who == "manager-only":
        named &= codes.team < 0
    return owner, names, named


def rolled_up(codes: PlanCodes, who: str, fiscal_year_start: int) -> RollUp:
    """The roll-up of ``who``'s targets (:func:`owners`), computed once per codes
    (:attr:`PlanCodes.memo`)."""
    found = codes.memo.get(("roll-up", who, fiscal_year_start))
    if found is not None:
        return found
    owner, names, named = owners(codes, who)
    n_metrics = len(codes.metrics)
    every = Targets(owner, codes.metric, codes.kind, codes.start, codes.target)
    if named.all():  # as usual: every row names an owner, a metric and a period (no copies)
        rows = np.arange(len(named))
    else:
        rows = np.flatnonzero(named)
        every = every.take(rows)
    is_additive = np.zeros(n_metrics, dtype=bool)
    is_additive[additive_codes(codes.metrics)] = True
    if distinct_keys(codes, every, rows, n_metrics):
        given = every
    else:  # the last target of a repeated key wins
        given = every.take(~pd.Index(every.key(n_metrics)).duplicated(keep="last"))
    longer = given.kind > 0
    given_keys = given.key(n_metrics)[longer] if longer.any() else np.zeros(0, dtype=np.int64)
    additive_given = is_additive[given.metric]
    additive = given if additive_given.all() else given.take(additive_given)
    quarters = roll_up(additive.take(additive.kind == 0), "quarter", fiscal_year_start, n_metrics)
    given_quarters = additive.take(additive.kind == 1)
    in_quarters = Targets.stacked(given_quarters, not_in(quarters, given_quarters.key(n_metrics), n_metrics))
    years = roll_up(in_quarters, "year", fiscal_year_start, n_metrics)
    resolved = Targets.stacked(given, not_in(Targets.stacked(quarters, years), given_keys, n_metrics))
    found = RollUp(
        names, codes.metrics, rows, every, is_additive[every.metric], quarters, years, resolved, len(given)
    )
    codes.memo[("roll-up", who, fiscal_year_start)] = found
    return found


def distinct_keys(codes: PlanCodes, every: Targets, rows: np.ndarray, n_metrics: int) -> bool:
    """Whether no two targets share owner, metric and period: a count per (owner, metric, period) on a
    bitmap when they span little (periods numbered by kind and first month), else a hash pass."""
    periods = codes.periods
    if not len(every):
        return True
    kind = periods["kind"].map({k: i for i, k in enumerate(KINDS)}).to_numpy("float64", na_value=-1.0)
    start = periods["start"].to_numpy("float64", na_value=-1.0)
    canonical = np.unique(kind * (1 << START_BITS) + start, return_inverse=True)[1].reshape(-1)
    n_periods = int(canonical.max()) + 1
    span = (int(every.owner.max()) + 1) * n_metrics * n_periods
    if span > 4 * len(every) + (1 << 20):
        return bool(pd.Index(every.key(n_metrics)).is_unique)
    owner = every.owner.astype(np.int64, copy=False) * n_metrics + every.metric
    return int(np.bincount(owner * n_periods + canonical[codes.period[rows]]).max()) <= 1


def additive_codes(metrics: pd.Index) -> np.ndarray:
    return np.flatnonzero(metrics.isin(list(ADDITIVE_METRICS)))


def coded_plan(plans: pd.DataFrame | None, fiscal_year_start: int) -> PlanCodes | None:
    if plans is None or not len(plans):
        return None
    return plan_codes(plans, fiscal_year_start=fiscal_year_start)
