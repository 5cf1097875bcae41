"""The contract's row rules: unique ids, the order of dates, values in range, the leads' stages.

Each row rule is a Narwhals expression that is true on a violating row, so the same rule runs on any
engine Narwhals supports: on pandas (:func:`kpi_toolkit.row_checks.check_rows`), as a query on DuckDB or Spark
(:mod:`kpi_toolkit.engines.lazy`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.plan_codes import PlanCodes
from kpi_toolkit.schema import PLAN_METRICS

__all__ = ["ROW_RULES", "RowRule", "check_stages", "row_rules", "stage_rule"]


@dataclass(frozen=True)
class RowRule:
    """A rule that flags individual rows of one table."""

    table: str
    column: str
    rule: str
    fix: str
    violated: Callable[[], nw.Expr]
    needs: tuple[str, ...] = ()
    #: For a uniqueness rule, the columns whose values must be unique together: lazy engines check it with a
    #: group-by (cheaper than the window of ``violated`` on millions of rows).
    unique: tuple[str, ...] = ()
    #: Plans: whether no row can break the rule, judged on the plan's integer codes
    #: (:mod:`kpi_toolkit.plan_codes`): when it says so, the rule's pass over the frame is skipped.
    clean: Callable[[PlanCodes], bool] | None = None


def _duplicated(*columns: str) -> Callable[[], nw.Expr]:
    return lambda: nw.len().over(*columns) > 1


ROW_RULES: tuple[RowRule, ...] = (
    RowRule(
        "orders",
        "order_id",
        "order_id is not unique",
        "give every order its own id, or remove the repeated rows",
        _duplicated("order_id"),
        unique=("order_id",),
    ),
    RowRule(
        "orders",
        "amount",
        "amount is negative",
        "amounts are revenue >= 0; record returns and credit notes in the returns table",
        lambda: nw.col("amount") < 0,
    ),
    RowRule(
        "orders",
        "cost",
        "cost is negative",
        "cost is the cost of goods of the order, >= 0",
        lambda: nw.col("cost") < 0,
    ),
    RowRule(
        "orders",
        "discount",
        "discount is outside 0-1",
        "write the discount as a fraction, e.g. 0.15 for 15 %",
        lambda: (nw.col("discount") < 0) | (nw.col("discount") > 1),
    ),
    RowRule(
        "orders",
        "lines",
        "lines is below 1",
        "lines counts the items of the order (>= 1)",
        lambda: nw.col("lines") < 1,
    ),
    RowRule(
        "leads",
        "lead_id",
        "lead_id is not unique",
        "give every lead its own id",
        _duplicated("lead_id"),
        unique=("lead_id",),
    ),
    RowRule(
        "leads",
        "created_at",
        "created_at is empty on a won or lost lead",
        "fill in when the lead was created; only open leads may lack it",
        lambda: nw.col("created_at").is_null() & (nw.col("status") != "open"),
    ),
    RowRule(
        "leads",
        "closed_at",
        "closed_at is empty on a won or lost lead",
        "fill in when the lead was won or lost",
        lambda: nw.col("closed_at").is_null() & (nw.col("status") != "open"),
    ),
    RowRule(
        "leads",
        "closed_at",
        "closed_at is set on an open lead",
        "clear closed_at, or set the status to won or lost",
        lambda: ~nw.col("closed_at").is_null() & (nw.col("status") == "open"),
    ),
    RowRule(
        "leads",
        "closed_at",
        "closed_at is before created_at",
        "check both dates",
        lambda: nw.col("closed_at") < nw.col("created_at"),
    ),
    RowRule(
        "leads",
        "expected_amount",
        "expected_amount is negative",
        "the expected deal value is >= 0; leave the cell empty when unknown",
        lambda: nw.col("expected_amount") < 0,
    ),
    RowRule(
        "plans",
        "metric",
        f"unknown metric; allowed: {', '.join(PLAN_METRICS)}",
        "use one of the allowed metric names",
        lambda: ~nw.col("metric").is_in(PLAN_METRICS),
        clean=lambda codes: bool(codes.metrics.isin(PLAN_METRICS).all()),
    ),
    RowRule(
        "plans",
        "target",
        "target is negative",
        "targets are >= 0",
        lambda: nw.col("target") < 0,
        clean=lambda codes: not (codes.target < 0).any(),
    ),
    RowRule(
        "plans",
        "target",
        "a conversion target is above 1",
        "write conversion targets as a fraction, e.g. 0.25 for 25 %",
        lambda: (nw.col("metric") == "conversion") & (nw.col("target") > 1),
        clean=lambda codes: (
            "conversion" not in codes.metrics
            or not ((codes.metric == codes.metrics.get_loc("conversion")) & (codes.target > 1)).any()
        ),
    ),
    RowRule(
        "plans",
        "metric",
        "the same manager, period and metric appear more than once",
        "keep one target per manager, period and metric",
        lambda: ~nw.col("manager").is_null() & (nw.len().over("manager", "period", "metric") > 1),
        unique=("manager", "team", "period", "metric"),
        clean=lambda codes: _plan_keys_distinct(codes),
    ),
    RowRule(
        "plans",
        "metric",
        "the same team, period and metric appear more than once",
        "keep one target per team, period and metric",
        lambda: ~nw.col("team").is_null() & (nw.len().over("team", "period", "metric") > 1),
        unique=("manager", "team", "period", "metric"),
        clean=lambda codes: _plan_keys_distinct(codes),
    ),
    RowRule(
        "plans",
        "manager",
        "neither manager nor team is set",
        "name the manager whose target it is, or the team for a team's own target",
        lambda: nw.col("manager").is_null() & nw.col("team").is_null(),
        clean=lambda codes: not ((codes.manager < 0) & (codes.team < 0)).any(),
    ),
    RowRule(
        "plans",
        "team",
        "both manager and team are set",
        "leave team empty on a manager's target (a manager's team comes from the managers table), or "
        "manager empty on a team's own target",
        lambda: ~nw.col("manager").is_null() & ~nw.col("team").is_null(),
        clean=lambda codes: not ((codes.manager >= 0) & (codes.team >= 0)).any(),
    ),
    RowRule(
        "managers",
        "manager",
        "manager is not unique",
        "list every manager once",
        _duplicated("manager"),
        unique=("manager",),
    ),
    RowRule(
        "managers",
        "left_at",
        "left_at is before hired_at",
        "check both dates: left_at is the last day employed, on or after hired_at",
        lambda: nw.col("left_at") < nw.col("hired_at"),
    ),
    RowRule(
        "assignments",
        "valid_from",
        "the same manager and valid_from appear more than once (overlapping assignments)",
        "keep one team per manager and day: a manager is in one team at a time",
        _duplicated("manager", "valid_from"),
        unique=("manager", "valid_from"),
    ),
    RowRule(
        "returns",
        "return_id",
        "return_id is not unique",
        "give every return its own id, or remove the repeated rows",
        _duplicated("return_id"),
        unique=("return_id",),
    ),
    RowRule(
        "returns",
        "amount",
        "amount is not positive",
        "a return credits revenue: write its amount as a positive number (not negative); drop empty returns",
        lambda: nw.col("amount") <= 0,
    ),
    RowRule(
        "returns",
        "cost",
        "cost is negative",
        "cost is the cost of goods taken back, >= 0; leave it empty to use the order's cost ratio",
        lambda: nw.col("cost") < 0,
    ),
    RowRule(
        "returns",
        "manager",
        "both order_id and manager are empty",
        "name the order returned, or the manager the return belongs to when it has no order",
        lambda: nw.col("order_id").is_null() & nw.col("manager").is_null(),
    ),
    RowRule(
        "activities",
        "duration_min",
        "duration_min is negative",
        "durations are minutes >= 0; leave the cell empty when unknown",
        lambda: nw.col("duration_min") < 0,
    ),
)


def check_stages(stages: object, *, where: str) -> tuple[str, ...] | None:
    """The data set's ``stages`` setting, checked: ``None``, or distinct non-empty texts in their order.

    ``where`` names the setting in the error (``"stages="``, ``"dataset.yml: stages"``, ...).

    Examples
    --------
    >>> check_stages(["Qualified", " Proposal "], where="stages=")
    ('Qualified', 'Proposal')
    """
    if stages is None:
        return None
    fix = "list the stages in their order, first to last, e.g. stages: [Qualified, Proposal, Negotiation]"
    if isinstance(stages, (str, bytes)) or not hasattr(stages, "__iter__"):
        raise ParameterError(f"{where} {str(stages)[:60]!r} is not a list of stage names. Fix: {fix}.")
    names = tuple(str(s).strip() if isinstance(s, (str, int, float)) else "" for s in stages)  # type: ignore[union-attr]
    if not names or any(not n for n in names):
        raise ParameterError(f"{where} holds an empty or non-text stage name (or none). Fix: {fix}.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ParameterError(f"{where} names {', '.join(repeated)} more than once. Fix: {fix}, each once.")
    return names


def stage_rule(stages: tuple[str, ...]) -> RowRule:
    """The leads rule of a data set with ``stages``: every non-empty ``stage`` is one of them."""
    allowed = list(stages)
    shown = ", ".join(allowed)
    return RowRule(
        "leads",
        "stage",
        f"stage is not one of the data set's stages ({shown[:300]})",
        "write one of the listed stages (same spelling), or add the stage to the data set's stages setting "
        "(kt.load(stages=...), stages: in the mapping or dataset.yml) in its place in the order",
        lambda: ~nw.col("stage").is_null() & ~nw.col("stage").is_in(allowed),
    )


def row_rules(table: str, stages: tuple[str, ...] | None = None) -> tuple[RowRule, ...]:
    """The row rules of ``table``: :data:`ROW_RULES`, and the stage rule for leads when stages are set."""
    rules = tuple(rule for rule in ROW_RULES if rule.table == table)
    if table == "leads" and stages:
        rules += (stage_rule(stages),)
    return rules


def _plan_keys_distinct(codes: PlanCodes) -> bool:
    """Whether no two plan rows share manager, team, period and metric: one integer per row packing the four
    codes (missing ones as 0), then a count per value (a bitmap when the codes span little) or a hash pass."""
    key = np.zeros(len(codes), dtype=np.int64)
    span = 1
    for part, names in (
        (codes.manager, codes.managers),
        (codes.team, codes.teams),
        (codes.period, codes.labels),
        (codes.metric, codes.metrics),
    ):
        size = len(names) + 1
        if span > (1 << 62) // size:
            return (
                not pd.DataFrame(
                    {
                        "manager": codes.manager,
                        "team": codes.team,
                        "period": codes.period,
                        "metric": codes.metric,
                    }
                )
                .duplicated()
                .any()
            )
        key = key * size + (part + 1)
        span *= size
    if span <= 4 * len(key) + (1 << 20):
        return len(key) == 0 or int(np.bincount(key, minlength=1).max()) <= 1
    return bool(pd.Index(key).is_unique)
