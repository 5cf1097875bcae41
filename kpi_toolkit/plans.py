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

Both the roll-up and the check are set operations on the whole table (group-bys and joins keyed by manager,
metric, kind and first month): period labels are parsed once per distinct label
(:func:`kpi_toolkit.periods.period_columns`), never once per row, so a plan of 2,000 managers x 36 months x
several metrics costs a fraction of a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.periods import Period, month_number, period_codes
from kpi_toolkit.reading import ROW
from kpi_toolkit.schema import ADDITIVE_METRICS
from kpi_toolkit.staffing import Employment

__all__ = ["PlanBook", "check_plan_consistency", "resolve_targets", "team_rows"]

_SHORTER = {"year": "quarter", "quarter": "month"}
#: Months per kind: a period of that kind covers ``start .. start + n - 1`` (:func:`month_number`).
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
#: Kinds by their code in the coded tables below.
_KINDS = ("month", "quarter", "year")
_KEYS = ["manager", "metric", "kind", "start"]


def _tolerance(target: pd.Series) -> pd.Series:
    return 0.005 + 1e-9 * target.abs()


@dataclass(frozen=True)
class _Coded:
    """A plan as integer codes: ``manager``, ``metric`` index ``managers``, ``metrics``; ``kind`` indexes
    :data:`_KINDS`, ``start`` is the first month (:func:`month_number`), ``period`` indexes ``periods``."""

    frame: pd.DataFrame
    managers: Any
    metrics: Any
    periods: pd.DataFrame

    def key(self, frame: pd.DataFrame) -> np.ndarray:
        """One integer per (manager, metric, kind, start): equal keys, equal periods and targets' owners."""
        owner = frame["manager"].to_numpy(np.int64) * len(self.metrics) + frame["metric"].to_numpy(np.int64)
        return ((owner * 4 + frame["kind"].to_numpy(np.int64)) << 20) + frame["start"].to_numpy(np.int64)

    def additive(self, frame: pd.DataFrame) -> pd.DataFrame:
        codes = [i for i, metric in enumerate(self.metrics) if metric in ADDITIVE_METRICS]
        return frame[frame["metric"].isin(codes)]


def _coded(plans: pd.DataFrame, fiscal_year_start: int) -> _Coded:
    """The plan's rows as codes (labels parsed once per distinct label; rows with a missing key left out)."""
    managers, manager_names = pd.factorize(plans["manager"])
    metrics, metric_names = pd.factorize(plans["metric"])
    periods, distinct = period_codes(plans["period"], fiscal_year_start=fiscal_year_start)
    kinds = distinct["kind"].map({k: i for i, k in enumerate(_KINDS)}).to_numpy("float64", na_value=-1.0)
    starts = distinct["start"].to_numpy("float64", na_value=-1.0)
    at = np.where(periods >= 0, periods, len(distinct))  # a missing label: past the end, kind -1
    kind = np.append(kinds, -1.0)[at].astype(np.int64)
    frame = pd.DataFrame(
        {
            "manager": managers,
            "metric": metrics,
            "kind": kind,
            "start": np.append(starts, -1.0)[at].astype(np.int64),
            "period": periods,
            "target": plans["target"].to_numpy("float64", na_value=np.nan),
        }
    )
    if ROW in plans:
        frame[ROW] = plans[ROW].to_numpy()
    frame = frame[(managers >= 0) & (metrics >= 0) & (kind >= 0)]
    return _Coded(frame, manager_names, metric_names, distinct)


def _roll_up(parts: pd.DataFrame, kind: str, fiscal_year_start: int, n_metrics: int) -> pd.DataFrame:
    """Sums of additive ``parts`` (months, quarters) over each ``kind`` they tile, where every part has one.

    A fiscal quarter (year) starts in a month whose distance from the fiscal year's first month is a multiple
    of 3 (12): the part's period of ``kind`` starts at ``start - (start - first) mod n``. One group-by on one
    integer key packing manager, metric and start.
    """
    n_months = _MONTHS[kind]
    n_parts = n_months // _MONTHS[_SHORTER[kind]]
    start = parts["start"].to_numpy(np.int64)
    owner = parts["manager"].to_numpy(np.int64) * n_metrics + parts["metric"].to_numpy(np.int64)
    key = (owner << 20) + start - (start - (fiscal_year_start - 1)) % n_months
    rolled = (
        pd.Series(parts["target"].to_numpy(), index=key).groupby(level=0, sort=False).agg(["sum", "size"])
    )
    rolled = rolled[rolled["size"].to_numpy() == n_parts]
    key = rolled.index.to_numpy(np.int64)
    return pd.DataFrame(
        {
            "manager": (key >> 20) // n_metrics,
            "metric": (key >> 20) % n_metrics,
            "start": key & ((1 << 20) - 1),
            "target": rolled["sum"].to_numpy(),
            "kind": _KINDS.index(kind),
        }
    )


def _without(coded: _Coded, rows: pd.DataFrame, given: pd.DataFrame) -> pd.DataFrame:
    """``rows`` whose key (manager, metric, kind, start) no given target has: a given target wins."""
    return rows[~pd.Index(coded.key(rows)).isin(coded.key(given))]


def _rolled(coded: _Coded, given: pd.DataFrame, fiscal_year_start: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quarters rolled up from months and the years rolled up from (given or rolled-up) quarters."""
    additive = coded.additive(given)
    quarters = _roll_up(additive[additive["kind"] == 0], "quarter", fiscal_year_start, len(coded.metrics))
    given_quarters = additive.loc[additive["kind"] == 1, [*_KEYS, "target"]]
    resolved = pd.concat([given_quarters, _without(coded, quarters, given_quarters)], ignore_index=True)
    years = _roll_up(resolved, "year", fiscal_year_start, len(coded.metrics))
    return quarters, years


def _resolved(plans: pd.DataFrame | None, fiscal_year_start: int) -> tuple[_Coded | None, pd.DataFrame]:
    """Every target that applies, coded: given ones, then those rolled up where none is given."""
    columns = [*_KEYS, "target"]
    if plans is None or not len(plans):
        return None, pd.DataFrame({c: pd.Series([], dtype="int64") for c in _KEYS}).assign(target=0.0)[
            columns
        ]
    coded = _coded(plans, fiscal_year_start)
    given = coded.frame[~pd.Index(coded.key(coded.frame)).duplicated(keep="last")][columns]
    quarters, years = _rolled(coded, given, fiscal_year_start)
    rolled = pd.concat([quarters, years], ignore_index=True)[columns]
    return coded, pd.concat([given, _without(coded, rolled, given)], ignore_index=True)


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
    coded, resolved = _resolved(plans, fiscal_year_start)
    if coded is None:
        return resolved.astype({"manager": "string", "metric": "string", "kind": "string"})
    return resolved.assign(
        manager=pd.array(coded.managers.take(resolved["manager"].to_numpy()), dtype="string"),
        metric=pd.array(coded.metrics.take(resolved["metric"].to_numpy()), dtype="string"),
        kind=pd.array(np.array(_KINDS)[resolved["kind"].to_numpy()], dtype="string"),
    )


class PlanBook:
    """Resolves targets from a validated ``plans`` table by the roll-up rule.

    Every target is resolved at once (:func:`resolve_targets`); a look-up is then a dictionary access per
    period and metric and a re-indexing by manager.

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
        coded, resolved = _resolved(plans, fiscal_year_start)
        self._coded = coded
        self._managers = resolved["manager"].to_numpy()
        self._targets = resolved["target"].to_numpy()
        # given for exactly that period (not rolled up): such a target wins over a sum of sub-periods
        self._given = (
            np.zeros(0, dtype=bool)
            if coded is None
            else pd.Index(coded.key(resolved)).isin(coded.key(coded.frame))
        )
        # (kind, first month, metric) -> positions of its rows: one group-by, no per-period work until asked
        self._groups = resolved.groupby(["kind", "start", "metric"], sort=False).indices
        self._metric_codes = {} if coded is None else {str(m): i for i, m in enumerate(coded.metrics)}
        self._cache: dict[tuple[str, int, str], tuple[pd.Series, pd.Series]] = {}

    @property
    def empty(self) -> bool:
        """Whether the plan has no target at all."""
        return self._coded is None

    def _by_manager(self, period: Period, metric: str) -> tuple[pd.Series, pd.Series]:
        """Every manager's target for ``period`` and ``metric`` (a manager absent: none applies), and
        whether it is given for exactly that period."""
        key = (period.kind, month_number(period.start), metric)
        found = self._cache.get(key)
        if found is None:
            code = (_KINDS.index(period.kind), key[1], self._metric_codes.get(metric, -1))
            rows = self._groups.get(code, np.zeros(0, dtype=np.intp))
            names = [] if self._coded is None else self._coded.managers.take(self._managers[rows])
            index = pd.Index(names, dtype="string")
            found = (
                pd.Series(self._targets[rows], index=index, dtype="float64"),
                pd.Series(self._given[rows] if len(rows) else [], index=index, dtype=bool),
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
        for sub in period.sub_periods(_SHORTER[period.kind]):
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
        if self._coded is None:
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
        subs = period.sub_periods(_SHORTER[period.kind])
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

    Two joins: the given quarters with the quarters rolled up from months, the given years with the years
    rolled up from quarters (given, else rolled up). One violation per contradicting row, in row order.
    Managers' and teams' targets are checked apart (a team's target need not be its members' sum).
    """
    teams = team_rows(plans)
    if teams is not None:
        managers = plans[plans["team"].isna()]
        return check_plan_consistency(
            managers, source=source, fiscal_year_start=fiscal_year_start
        ) + check_plan_consistency(
            teams.drop(columns="team"), source=source, fiscal_year_start=fiscal_year_start
        )
    coded = _coded(plans, fiscal_year_start)
    given = coded.frame
    quarters, years = _rolled(
        coded, given[~pd.Index(coded.key(given)).duplicated(keep="last")], fiscal_year_start
    )
    additive = coded.additive(given)
    compared = pd.concat(
        [
            additive[additive["kind"] == _KINDS.index(kind)].merge(rolled, on=_KEYS, suffixes=("", "_sum"))
            for kind, rolled in (("quarter", quarters), ("year", years))
        ],
        ignore_index=True,
    )
    wrong = compared[(compared["target_sum"] - compared["target"]).abs() > _tolerance(compared["target"])]
    if ROW in wrong:
        wrong = wrong.sort_values(ROW, kind="stable")
    wrong = wrong.assign(  # names for the few rows that are wrong
        manager=coded.managers.take(wrong["manager"].to_numpy()),
        metric=coded.metrics.take(wrong["metric"].to_numpy()),
        period=coded.periods["period"].take(wrong["period"].to_numpy()).to_numpy(),
        kind=np.array(_KINDS)[wrong["kind"].to_numpy()],
    )
    return [
        Violation(
            table="plans",
            source=source,
            column="target",
            rule=f"the {metric} target of {manager} for {period} is {target:g} "
            f"but its {_SHORTER[kind]}s' targets add up to {total:g}",
            rows=(int(row),) if row is not None else (),
            n_rows=1,
            fix=f"make the {kind}'s target equal to the sum, or drop one of them",
        )
        for metric, manager, period, kind, target, total, row in zip(
            wrong["metric"],
            wrong["manager"],
            wrong["period"],
            wrong["kind"],
            wrong["target"],
            wrong["target_sum"],
            wrong[ROW] if ROW in wrong else [None] * len(wrong),
            strict=True,
        )
    ]
