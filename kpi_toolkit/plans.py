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

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.periods import Period, month_number, period_codes
from kpi_toolkit.reading import ROW
from kpi_toolkit.schema import ADDITIVE_METRICS

__all__ = ["PlanBook", "check_plan_consistency", "resolve_targets"]

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

    def __init__(self, plans: pd.DataFrame | None, *, fiscal_year_start: int = 1) -> None:
        self.fiscal_year_start = fiscal_year_start
        coded, resolved = _resolved(plans, fiscal_year_start)
        self._coded = coded
        self._managers = resolved["manager"].to_numpy()
        self._targets = resolved["target"].to_numpy()
        # (kind, first month, metric) -> positions of its rows: one group-by, no per-period work until asked
        self._groups = resolved.groupby(["kind", "start", "metric"], sort=False).indices
        self._metric_codes = {} if coded is None else {str(m): i for i, m in enumerate(coded.metrics)}
        self._cache: dict[tuple[str, int, str], pd.Series] = {}

    def _by_manager(self, period: Period, metric: str) -> pd.Series:
        """Every manager's target for ``period`` and ``metric`` (a manager absent: none applies).

        A span of periods (:class:`~kpi_toolkit.periods.Span`, ``2025Q4:2026Q3``) has the sum of its
        periods' targets of an additive metric, where every one of them has a target; none otherwise."""
        if len(period.periods) > 1:
            return self._span(period, metric)
        key = (period.kind, month_number(period.start), metric)
        found = self._cache.get(key)
        if found is None:
            code = (_KINDS.index(period.kind), key[1], self._metric_codes.get(metric, -1))
            rows = self._groups.get(code, np.zeros(0, dtype=np.intp))
            names = [] if self._coded is None else self._coded.managers.take(self._managers[rows])
            found = pd.Series(self._targets[rows], index=pd.Index(names, dtype="string"), dtype="float64")
            self._cache[key] = found
        return found

    def _span(self, span: Period, metric: str) -> pd.Series:
        if metric not in ADDITIVE_METRICS:
            return pd.Series([], index=pd.Index([], dtype="string"), dtype="float64")
        parts = pd.concat([self._by_manager(p, metric) for p in span.periods], axis=1)
        summed = parts.sum(axis=1, min_count=len(span.periods))[parts.notna().all(axis=1)]
        return summed.astype("float64")

    def target(self, manager: str, period: Period, metric: str) -> float:
        """The target of ``manager`` for ``period`` and ``metric``, or NaN when none applies."""
        return float(self._by_manager(period, metric).get(manager, math.nan))

    def targets(self, managers: list[str], period: Period, metric: str) -> pd.Series:
        """Targets of several managers as a float Series indexed by manager (NaN where none applies)."""
        found = self._by_manager(period, metric)
        values = found.reindex(pd.Index(managers, dtype=found.index.dtype) if len(found) else managers)
        return pd.Series(
            values.to_numpy(dtype="float64", na_value=np.nan),
            index=pd.Index(managers, name="manager"),
            dtype="float64",
            name=metric,
        )


def check_plan_consistency(plans: pd.DataFrame, *, source: str, fiscal_year_start: int) -> list[Violation]:
    """Flag quarters (years) whose target differs from the sum of their months' (quarters') targets.

    Two joins: the given quarters with the quarters rolled up from months, the given years with the years
    rolled up from quarters (given, else rolled up). One violation per contradicting row, in row order.
    """
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
