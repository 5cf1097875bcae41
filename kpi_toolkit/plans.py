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

import numpy as np
import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.periods import Period, month_number, period_columns
from kpi_toolkit.reading import ROW
from kpi_toolkit.schema import ADDITIVE_METRICS

__all__ = ["PlanBook", "check_plan_consistency", "resolve_targets"]

_SHORTER = {"year": "quarter", "quarter": "month"}
#: Months per kind: a period of that kind covers ``start .. start + n - 1`` (:func:`month_number`).
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_KEYS = ["manager", "metric", "kind", "start"]


def _tolerance(target: pd.Series) -> pd.Series:
    return 0.005 + 1e-9 * target.abs()


def _given(plans: pd.DataFrame, fiscal_year_start: int) -> pd.DataFrame:
    """The plan's rows keyed by ``manager, metric, kind, start`` (labels parsed once per distinct label)."""
    periods = period_columns(plans["period"], fiscal_year_start=fiscal_year_start)
    given = pd.DataFrame(
        {
            "manager": plans["manager"].astype("string").to_numpy(),
            "metric": plans["metric"].astype("string").to_numpy(),
            "kind": periods["kind"].to_numpy(),
            "start": periods["start"].to_numpy(),
            "period": periods["period"].to_numpy(),
            "target": plans["target"].astype("float64").to_numpy(),
        }
    )
    if ROW in plans:
        given[ROW] = plans[ROW].to_numpy()
    given = given[given["kind"].notna() & given["manager"].notna() & given["metric"].notna()]
    return given.astype({"start": "int64"})


def _roll_up(parts: pd.DataFrame, kind: str, fiscal_year_start: int) -> pd.DataFrame:
    """Sums of additive ``parts`` (months, quarters) over each ``kind`` they tile, where every part has one.

    A fiscal quarter (year) starts in a month whose distance from the fiscal year's first month is a multiple
    of 3 (12): the part's period of ``kind`` starts at ``start - (start - first) mod n``.
    """
    n_months = _MONTHS[kind]
    n_parts = n_months // _MONTHS[_SHORTER[kind]]
    first = fiscal_year_start - 1
    keyed = parts.loc[:, ["manager", "metric", "start", "target"]]
    keyed["start"] = keyed["start"] - (keyed["start"] - first) % n_months
    rolled = keyed.groupby(["manager", "metric", "start"], sort=False, observed=True)["target"].agg(
        ["sum", "size"]
    )
    rolled = rolled[rolled["size"] == n_parts].reset_index()
    return rolled.rename(columns={"sum": "target"}).drop(columns="size").assign(kind=kind)


def _without(rows: pd.DataFrame, given: pd.DataFrame) -> pd.DataFrame:
    """``rows`` whose key (manager, metric, kind, start) no given target has: a given target wins."""
    known = pd.MultiIndex.from_frame(given[_KEYS])
    return rows[~pd.MultiIndex.from_frame(rows[_KEYS]).isin(known)]


def _rolled(given: pd.DataFrame, fiscal_year_start: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The quarters rolled up from months and the years rolled up from (given or rolled-up) quarters."""
    additive = given[given["metric"].isin(ADDITIVE_METRICS)]
    quarters = _roll_up(additive[additive["kind"] == "month"], "quarter", fiscal_year_start)
    given_quarters = additive.loc[additive["kind"] == "quarter", [*_KEYS, "target"]]
    resolved = pd.concat([given_quarters, _without(quarters, given_quarters)], ignore_index=True)
    years = _roll_up(resolved, "year", fiscal_year_start)
    return quarters, years


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
    columns = [*_KEYS, "target"]
    if plans is None or not len(plans):
        return pd.DataFrame({c: pd.Series([], dtype="string") for c in _KEYS}).assign(
            start=pd.Series([], dtype="int64"), target=pd.Series([], dtype="float64")
        )
    given = _given(plans, fiscal_year_start).drop_duplicates(_KEYS, keep="last")[columns]
    quarters, years = _rolled(given, fiscal_year_start)
    rolled = pd.concat([quarters, years], ignore_index=True)[columns]
    return pd.concat([given, _without(rolled, given)], ignore_index=True)


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
        resolved = resolve_targets(plans, fiscal_year_start=fiscal_year_start)
        # (kind, first month, metric) -> targets indexed by manager
        self._by_period: dict[tuple[str, int, str], pd.Series] = {
            (str(kind), int(start), str(metric)): group.set_index("manager")["target"]
            for (kind, start, metric), group in resolved.groupby(["kind", "start", "metric"], sort=False)
        }

    def _by_manager(self, period: Period, metric: str) -> pd.Series:
        """Every manager's target for ``period`` and ``metric`` (a manager absent: none applies)."""
        key = (period.kind, month_number(period.start), metric)
        found = self._by_period.get(key)
        return found if found is not None else pd.Series([], dtype="float64")

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
    given = _given(plans, fiscal_year_start)
    quarters, years = _rolled(given.drop_duplicates(_KEYS, keep="last"), fiscal_year_start)
    additive = given[given["metric"].isin(ADDITIVE_METRICS)]
    compared = pd.concat(
        [
            additive[additive["kind"] == kind].merge(rolled, on=_KEYS, suffixes=("", "_sum"))
            for kind, rolled in (("quarter", quarters), ("year", years))
        ],
        ignore_index=True,
    )
    wrong = compared[(compared["target_sum"] - compared["target"]).abs() > _tolerance(compared["target"])]
    if ROW in wrong:
        wrong = wrong.sort_values(ROW, kind="stable")
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
