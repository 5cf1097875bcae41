"""Plan targets: which target applies to a manager, a period and a metric.

The roll-up rule (README.md, "Plans"):

1. A target given for exactly the period asked wins.
2. Additive KPIs (``sales_volume, orders, leads_closed, leads_won, new_customers``) roll up: a quarter's
   target is the sum of its three months' targets when every month has one, and a year's target the sum of
   its four quarters' targets (each given or rolled up from months) when every quarter has one.
3. Targets of rates (``conversion, average_check, orders_per_win``) hold only for the period they are given
   for.
4. A longer period's target is never split into shorter ones.

A quarter's target that differs from the sum of its months' targets (and a year's from its quarters') is a
validation error, with a tolerance of half a cent plus 1e-9 of the target.

Both the roll-up and the check are set operations on the whole table (a group-by and look-ups on one integer
key packing owner, metric, kind and first month): the plan is coded once (:mod:`kpi_toolkit.plan_codes`;
period labels parsed once per distinct label, never once per row) and rolled up once per load
(:mod:`kpi_toolkit.plan_rollup`), for the check and the plan book alike, so a plan of 2,000 managers x 36
months x several metrics costs a few hundredths of a second.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.periods import Period, month_number
from kpi_toolkit.plan_codes import KINDS, PlanCodes
from kpi_toolkit.plan_rollup import SHORTER, coded_plan, rolled_up
from kpi_toolkit.schema import ADDITIVE_METRICS
from kpi_toolkit.staffing import Employment

__all__ = ["PlanBook", "check_plan_consistency", "resolve_targets", "team_rows"]

_KEYS = ["manager", "metric", "kind", "start"]


def _tolerance(target: np.ndarray) -> np.ndarray:
    return 0.005 + 1e-9 * np.abs(target)


def resolve_targets(plans: pd.DataFrame | None, *, fiscal_year_start: int = 1) -> pd.DataFrame:
    """Every target that applies by the roll-up rule: given ones and those rolled up from shorter periods.

    Returns
    -------
    pandas.DataFrame
        Columns ``manager, metric, kind, start, target``: one row per manager, metric and period (``kind`` and
        ``start``, the first month as :func:`kpi_toolkit.periods.month_number`) with a target.

    Examples
    --------
    >>> plans = pd.DataFrame({"manager": ["m1"] * 3, "period": ["2026-07", "2026-08", "2026-09"],
    ...                       "metric": ["sales_volume"] * 3, "target": [100.0, 120.0, 80.0]})
    >>> resolve_targets(plans).query("kind == 'quarter'")[["manager", "start", "target"]]
      manager  start  target
    3      m1  24318   300.0
    """
    codes = coded_plan(plans, fiscal_year_start)
    if codes is None:
        empty = {c: pd.Series([], dtype="string") for c in ("manager", "metric", "kind")}
        return pd.DataFrame({**empty, "start": pd.Series([], dtype="int64"), "target": 0.0})[
            [*_KEYS, "target"]
        ]
    book = rolled_up(codes, "manager", fiscal_year_start)
    resolved = book.resolved
    return pd.DataFrame(
        {
            "manager": pd.array(book.owners.take(resolved.owner), dtype="string"),
            "metric": pd.array(book.metrics.take(resolved.metric), dtype="string"),
            "kind": pd.array(np.array(KINDS)[resolved.kind], dtype="string"),
            "start": resolved.start.astype(np.int64),
            "target": resolved.target.astype(np.float64),
        }
    )


class PlanBook:
    """Resolves targets from a validated ``plans`` table by the roll-up rule.

    Every target is resolved at once (:func:`resolve_targets`), as arrays of codes; a look-up is then one
    mask over them per period and metric (kept for the next one) and a re-indexing by manager. Within
    :func:`kpi_toolkit.load` the roll-up is the one the consistency check computed (:meth:`of_codes`).

    Examples
    --------
    >>> plans = pd.DataFrame({"manager": ["m1"] * 3, "period": ["2026-07", "2026-08", "2026-09"],
    ...                       "metric": ["sales_volume"] * 3, "target": [100.0, 120.0, 80.0]})
    >>> from kpi_toolkit.periods import parse_period
    >>> book = PlanBook(plans)
    >>> book.target("m1", parse_period("2026Q3"), "sales_volume")
    300.0
    >>> book.target("m1", parse_period("2026"), "sales_volume")
    nan
    """

    def __init__(
        self,
        plans: pd.DataFrame | None,
        *,
        fiscal_year_start: int = 1,
        employment: Employment | None = None,
    ) -> None:
        self.fiscal_year_start = fiscal_year_start
        self.employment = employment
        codes = coded_plan(plans, fiscal_year_start)
        self._book = None if codes is None else rolled_up(codes, "manager", fiscal_year_start)
        self._cache: dict[tuple[str, int, str], tuple[pd.Series, pd.Series]] = {}

    @classmethod
    def of_codes(
        cls,
        codes: PlanCodes | None,
        *,
        fiscal_year_start: int = 1,
        employment: Employment | None = None,
        teams: bool = False,
    ) -> PlanBook:
        """The book of a plan coded already (:func:`kpi_toolkit.plan_codes.plan_codes`): the managers'
        targets, or with ``teams`` the teams' own (rows naming a ``team``, as :func:`team_rows`)."""
        book = cls(None, fiscal_year_start=fiscal_year_start, employment=employment)
        if codes is not None and len(codes) and (not teams or (codes.team >= 0).any()):
            book._book = rolled_up(codes, "team" if teams else "manager", fiscal_year_start)
        return book

    @property
    def empty(self) -> bool:
        """Whether the plan has no target at all."""
        return self._book is None

    def _by_manager(self, period: Period, metric: str) -> tuple[pd.Series, pd.Series]:
        """Every manager's target for ``period`` and ``metric`` (a manager absent: none applies), and
        whether it is given for exactly that period."""
        key = (period.kind, month_number(period.start), metric)
        found = self._cache.get(key)
        if found is None:
            rows, names = np.zeros(0, dtype=np.intp), pd.Index([], dtype="string")
            book = self._book
            if book is not None and metric in book.metrics:
                resolved = book.resolved
                metric_code = book.metrics.get_loc(metric)
                rows = np.flatnonzero(
                    (resolved.start == key[1])
                    & (resolved.kind == KINDS.index(period.kind))
                    & (resolved.metric == metric_code)
                )
                names = book.owners.take(resolved.owner[rows])
            index = pd.Index(names, dtype="string")
            targets = np.zeros(0) if self._book is None else self._book.resolved.target[rows]
            found = (
                pd.Series(targets, index=index, dtype="float64"),
                pd.Series(rows < (0 if self._book is None else self._book.n_given), index=index, dtype=bool),
            )
            self._cache[key] = found
        return found

    def target(self, manager: str, period: Period, metric: str) -> float:
        """The target of ``manager`` for ``period`` and ``metric``, or NaN when none applies."""
        return float(self.targets([manager], period, metric).iloc[0])

    def _plain(self, managers: list[str], period: Period, metric: str) -> tuple[pd.Series, pd.Series]:
        found, given = self._by_manager(period, metric)
        index = pd.Index(managers, dtype=found.index.dtype) if len(found) else managers
        values = found.reindex(index).to_numpy(dtype="float64", na_value=np.nan)
        exact = (
            given.reindex(index).to_numpy(dtype=bool, na_value=False)
            if len(given)
            else np.zeros(len(managers), dtype=bool)
        )
        at = pd.Index(managers, name="manager")
        return pd.Series(values, index=at, dtype="float64", name=metric), pd.Series(exact, index=at)

    def _employed(self, managers: list[str], period: Period, metric: str) -> tuple[pd.Series, dict]:
        """Targets by the employment rule, and ``{manager: [sub-periods summed]}`` of the pro-rated ones."""
        plain, exact = self._plain(managers, period, metric)
        staff = self.employment
        if staff is None or not staff.dated:
            return plain, {}
        active = staff.active(managers, period)
        plain = plain.where(active.to_numpy())  # no plan while not employed: a leaver misses nothing
        if metric not in ADDITIVE_METRICS or period.kind == "month":
            return plain, {}
        partial = active & ~staff.whole(managers, period)
        if not partial.any():
            return plain, {}
        movers = [str(m) for m in partial.index[partial.to_numpy()]]
        total = pd.Series(0.0, index=pd.Index(movers, name="manager"))
        complete = pd.Series(True, index=total.index)
        summed: dict[str, list[str]] = {m: [] for m in movers}
        for sub in period.sub_periods(SHORTER[period.kind]):
            on = staff.active(movers, sub).to_numpy()
            part, _ = self._employed(movers, sub, metric)
            values = part.to_numpy()
            complete &= ~on | ~np.isnan(values)
            total += np.where(on, np.nan_to_num(values), 0.0)
            for m in np.asarray(movers, dtype=object)[on]:
                summed[m].append(str(sub))
        out = plain.copy()
        use_sum = complete.to_numpy()
        out.loc[total.index[use_sum]] = total.to_numpy()[use_sum]
        keep_given = exact.reindex(total.index).to_numpy()
        out.loc[total.index[~use_sum & ~keep_given]] = np.nan
        return out, {m: summed[m] for m in total.index[use_sum]}

    def targets(self, managers: list[str], period: Period, metric: str) -> pd.Series:
        """Targets of several managers as a float Series indexed by manager (NaN where none applies).

        With ``employment``, a manager not employed on any day of ``period`` has no target (NaN), and one
        employed on only part of it gets the sum of the targets of the sub-periods (a year's quarters, a
        quarter's months) in which they were employed, each by the same rule; NaN when one of them has
        none, unless a target is given for exactly ``period``.
        ``attrs["prorated"]`` maps such managers to the sub-periods summed.
        """
        if len(period.periods) > 1:
            return self._span(list(managers), period, metric)
        out, prorated = self._employed(list(managers), period, metric)
        out.attrs["prorated"] = prorated
        return out

    def _span(self, managers: list[str], span: Period, metric: str) -> pd.Series:
        """A span of periods (:class:`~kpi_toolkit.periods.Span`, ``2025Q4:2026Q3``): the sum of its periods'
        targets of an additive metric over the periods a manager was active in, where every one of them has
        a target; none otherwise (and never for a rate)."""
        index = pd.Index(managers, name="manager")
        if metric not in ADDITIVE_METRICS:
            out = pd.Series(np.nan, index=index, dtype="float64", name=metric)
            out.attrs["prorated"] = {}
            return out
        parts = [self.targets(managers, p, metric) for p in span.periods]
        staff = self.employment
        values = np.column_stack([part.to_numpy(dtype="float64") for part in parts])
        on = np.column_stack(
            [
                np.ones(len(managers), bool)
                if staff is None or not staff.dated
                else staff.active(managers, p)
                for p in span.periods
            ]
        ).astype(bool)
        complete = (~on | ~np.isnan(values)).all(axis=1) & on.any(axis=1)
        total = np.where(on, np.nan_to_num(values), 0.0).sum(axis=1)
        out = pd.Series(np.where(complete, total, np.nan), index=index, dtype="float64", name=metric)
        prorated: dict[str, list[str]] = {}
        for part in parts:
            for m, subs in part.attrs["prorated"].items():
                prorated.setdefault(m, []).extend(subs)
        out.attrs["prorated"] = prorated
        return out

    def missing(self, managers: list[str], period: Period, metric: str) -> dict[str, list[str]]:
        """The periods whose targets are missing, for each manager active in ``period`` without a target.

        Sub-periods are named where only some of them lack a target (``["2026-09"]``, or the months of
        employment of a joiner), the period itself where every one does; managers with a target are absent.
        """
        if self._book is None:
            return {}
        managers = list(managers)
        if len(period.periods) > 1:  # a span: what each of its periods misses
            out: dict[str, list[str]] = {}
            for part in period.periods:
                for m, labels in self.missing(managers, part, metric).items():
                    out.setdefault(m, []).extend(labels)
            return out
        values = self.targets(managers, period, metric).to_numpy()
        staff = self.employment
        on = np.ones(len(managers), bool) if staff is None else staff.active(managers, period).to_numpy()
        lacking = [m for m, v, a in zip(managers, values, on, strict=True) if a and np.isnan(v)]
        if not lacking:
            return {}
        if period.kind == "month" or metric not in ADDITIVE_METRICS:
            return {m: [str(period)] for m in lacking}
        whole = np.ones(len(lacking), bool) if staff is None else staff.whole(lacking, period).to_numpy()
        subs = period.sub_periods(SHORTER[period.kind])
        below = [self.missing(lacking, sub, metric) for sub in subs]
        out = {}
        for m, w in zip(lacking, whole, strict=True):
            shown = [(str(sub), found.get(m)) for sub, found in zip(subs, below, strict=True)]
            shown = [(label, parts) for label, parts in shown if parts is not None]
            everything = w and len(shown) == len(subs) and all(p == [lb] for lb, p in shown)
            out[m] = [str(period)] if everything or not shown else [x for _, p in shown for x in p]
        return out


def team_rows(plans: pd.DataFrame | None) -> pd.DataFrame | None:
    """The plan's team targets (rows naming a ``team``) with the team in ``manager``: the team is the owner
    of the target, and the roll-up rule applies to it as to a manager; ``None`` when there are none."""
    if plans is None or "team" not in plans or not plans["team"].notna().any():
        return None
    rows = plans[plans["team"].notna()]
    return rows.assign(manager=rows["team"].astype("string"))


def check_plan_consistency(plans: pd.DataFrame, *, source: str, fiscal_year_start: int) -> list[Violation]:
    """Flag quarters (years) whose target differs from the sum of their months' (quarters') targets.

    Two look-ups on integer keys: the given quarters among the quarters rolled up from months, the given
    years among the years rolled up from quarters (given, else rolled up). One violation per contradicting
    row, in row order. Managers' and teams' targets are checked apart (a team's target need not be its
    members' sum). The roll-up is the one the plan book uses (:func:`kpi_toolkit.plan_codes.plan_codes`).
    """
    codes = coded_plan(plans, fiscal_year_start)
    if codes is None:
        return []
    teams = bool((codes.team >= 0).any())
    managers = "manager-only" if teams and ((codes.manager >= 0) & (codes.team >= 0)).any() else "manager"
    return _contradictions(codes, managers, source, fiscal_year_start) + (
        _contradictions(codes, "team", source, fiscal_year_start) if teams else []
    )


def _contradictions(codes: PlanCodes, who: str, source: str, fiscal_year_start: int) -> list[Violation]:
    """The rows of ``who``'s given quarters (years) that differ from the sum of their months (quarters)."""
    book = rolled_up(codes, who, fiscal_year_start)
    rows, given, additive = book.rows, book.every, book.additive  # repeated keys too
    n_metrics = len(book.metrics)
    at: list[np.ndarray] = []
    sums: list[np.ndarray] = []
    for kind, rolled in ((1, book.quarters), (2, book.years)):
        which = np.flatnonzero(additive & (given.kind == kind))
        found = pd.Index(rolled.key(n_metrics)).get_indexer(given.take(which).key(n_metrics))
        at.append(which[found >= 0])
        sums.append(rolled.target[found[found >= 0]])
    compared, total = np.concatenate(at), np.concatenate(sums)
    target = given.target[compared]
    wrong = np.abs(total - target) > _tolerance(target)
    compared, total, target = compared[wrong], total[wrong], target[wrong]
    if codes.row is not None:
        order = np.argsort(codes.row[rows[compared]], kind="stable")
        compared, total, target = compared[order], total[order], target[order]
    labels = codes.periods["period"].to_numpy(dtype=object)
    return [
        Violation(
            table="plans",
            source=source,
            column="target",
            rule=f"the {metric} target of {manager} for {period} is {value:g} "
            f"but its {SHORTER[kind]}s' targets add up to {added:g}",
            rows=(int(codes.row[row]),) if codes.row is not None else (),
            n_rows=1,
            fix=f"make the {kind}'s target equal to the sum, or drop one of them",
        )
        for metric, manager, period, kind, value, added, row in zip(
            book.metrics.take(given.metric[compared]),
            book.owners.take(given.owner[compared]),
            labels[codes.period[rows[compared]]],
            np.array(KINDS)[given.kind[compared]],
            target,
            total,
            rows[compared],
            strict=True,
        )
    ]
