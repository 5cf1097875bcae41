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
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.periods import Period, parse_period
from kpi_toolkit.reading import ROW
from kpi_toolkit.schema import ADDITIVE_METRICS

__all__ = ["PlanBook", "check_plan_consistency"]

_SHORTER = {"year": "quarter", "quarter": "month"}


def _tolerance(target: float) -> float:
    return 0.005 + 1e-9 * abs(target)


class PlanBook:
    """Resolves targets from a validated ``plans`` table by the roll-up rule.

    Examples
    --------
    >>> plans = pd.DataFrame({"manager": ["m1"] * 3, "period": ["2026-07", "2026-08", "2026-09"],
    ...                       "metric": ["sales_volume"] * 3, "target": [100.0, 120.0, 80.0]})
    >>> book = PlanBook(plans)
    >>> book.target("m1", parse_period("2026Q3"), "sales_volume")
    300.0
    >>> book.target("m1", parse_period("2026"), "sales_volume")
    nan
    """

    def __init__(self, plans: pd.DataFrame | None, *, fiscal_year_start: int = 1) -> None:
        self.fiscal_year_start = fiscal_year_start
        # (period label, metric) -> {manager: target}: the given targets, and the resolved ones as asked for
        self._given: dict[tuple[str, str], dict[str, float]] = {}
        self._resolved: dict[tuple[str, str], Mapping[str, float]] = {}
        if plans is not None and len(plans):
            labels = {
                label: str(parse_period(label, fiscal_year_start=fiscal_year_start))
                for label in plans["period"].unique()
            }
            rows = zip(
                plans["manager"],
                plans["period"].map(labels),
                plans["metric"],
                plans["target"].astype(float),
                strict=True,
            )
            for manager, label, metric, target in rows:
                self._given.setdefault((label, metric), {})[manager] = target

    def _by_manager(self, period: Period, metric: str) -> Mapping[str, float]:
        """Every manager's target for ``period`` and ``metric`` (absent: none applies), resolved once."""
        key = (str(period), metric)
        resolved = self._resolved.get(key)
        if resolved is None:
            resolved = dict(self._given.get(key, {}))
            if metric in ADDITIVE_METRICS and period.kind in _SHORTER:
                parts = [self._by_manager(p, metric) for p in period.sub_periods(_SHORTER[period.kind])]
                for manager in set.intersection(*(set(part) for part in parts)) - resolved.keys():
                    resolved[manager] = math.fsum(part[manager] for part in parts)
            self._resolved[key] = resolved
        return resolved

    def target(self, manager: str, period: Period, metric: str) -> float:
        """The target of ``manager`` for ``period`` and ``metric``, or NaN when none applies."""
        return self._by_manager(period, metric).get(manager, math.nan)

    def targets(self, managers: list[str], period: Period, metric: str) -> pd.Series:
        """Targets of several managers as a float Series indexed by manager (NaN where none applies)."""
        resolved = self._by_manager(period, metric)
        values = [resolved.get(m, math.nan) for m in managers]
        return pd.Series(values, index=pd.Index(managers, name="manager"), dtype="float64", name=metric)


def check_plan_consistency(plans: pd.DataFrame, *, source: str, fiscal_year_start: int) -> list[Violation]:
    """Flag quarters (years) whose target differs from the sum of their months' (quarters') targets."""
    book = PlanBook(plans, fiscal_year_start=fiscal_year_start)
    violations = []
    additive = plans[plans["metric"].isin(ADDITIVE_METRICS)]
    for row in additive.to_dict("records"):
        period = parse_period(row["period"], fiscal_year_start=fiscal_year_start)
        if period.kind not in _SHORTER:
            continue
        parts = period.sub_periods(_SHORTER[period.kind])
        values = [book.target(row["manager"], p, row["metric"]) for p in parts]
        if any(math.isnan(v) for v in values):
            continue
        total = math.fsum(values)
        if abs(total - row["target"]) > _tolerance(row["target"]):
            violations.append(
                Violation(
                    table="plans",
                    source=source,
                    column="target",
                    rule=f"the {row['metric']} target of {row['manager']} for {period} is {row['target']:g} "
                    f"but its {_SHORTER[period.kind]}s' targets add up to {total:g}",
                    rows=(int(row[ROW]),),
                    n_rows=1,
                    fix=f"make the {period.kind}'s target equal to the sum, or drop one of them",
                )
            )
    return violations
