"""The data contract: which tables a data set has, their columns, and the value types of each column.

The rules that cross rows or tables (unique ids, closed before created, unknown managers ...) live in
:mod:`kpi_toolkit.row_rules` and :mod:`kpi_toolkit.validation`; this module only says what the columns are.
README.md documents both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ADDITIVE_METRICS",
    "LEAD_STATUSES",
    "PLAN_ATTAINMENT_METRICS",
    "PLAN_METRICS",
    "RATE_METRICS",
    "TABLES",
    "Column",
    "TableSpec",
]

ColumnKind = Literal["id", "text", "datetime", "number", "integer", "status", "label"]
#: ``label`` is free text normalised to lower case (``Call`` and ``call`` are one activity type).

#: Lead statuses after normalisation (any case and surrounding white space are accepted in files).
LEAD_STATUSES = ("won", "lost", "open")

#: KPIs whose targets add up over time: a quarter's target is the sum of its months' targets.
ADDITIVE_METRICS = (
    "sales_volume", "orders", "leads_closed", "leads_won", "new_customers", "net_sales", "gross_margin",
)  # fmt: skip
#: KPIs that are ratios: their targets hold only for the period they are given for.
RATE_METRICS = ("conversion", "average_check", "orders_per_win", "margin_rate")
#: KPIs the plan attainment may be measured on (``kt.load(..., plan_metric=...)``).
PLAN_ATTAINMENT_METRICS = ("sales_volume", "net_sales", "gross_margin")
#: Every metric a row of ``plans`` may set a target for.
PLAN_METRICS = ADDITIVE_METRICS + RATE_METRICS


@dataclass(frozen=True)
class Column:
    """One column of a table: name, value kind, whether the file must have it and whether it may be empty."""

    name: str
    kind: ColumnKind
    required: bool = True
    nullable: bool = False
    description: str = ""


@dataclass(frozen=True)
class TableSpec:
    """A table of the contract: its columns and whether a data set must have it."""

    name: str
    columns: tuple[Column, ...]
    required: bool = False
    description: str = ""

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "orders",
            required=True,
            description="one row per order (sales document)",
            columns=(
                Column("order_id", "id", description="unique id of the order"),
                Column("manager", "id", description="the manager who took the order"),
                Column("customer_id", "id", description="the customer who placed it"),
                Column("ordered_at", "datetime", description="date or date-time of the order"),
                Column("amount", "number", description="net revenue of the order, >= 0"),
                Column("lead_id", "id", required=False, nullable=True, description="lead it came from"),
                Column("lines", "integer", required=False, nullable=True, description="items, >= 1"),
                Column("discount", "number", required=False, nullable=True, description="fraction 0-1"),
                Column(
                    "cost",
                    "number",
                    required=False,
                    description="cost of goods of the order, >= 0; given for every order or none",
                ),
            ),
        ),
        TableSpec(
            "leads",
            description="one row per lead (opportunity); needed for conversion",
            columns=(
                Column("lead_id", "id", description="unique id of the lead"),
                Column("manager", "id", description="the manager who owns the lead"),
                Column("created_at", "datetime", nullable=True, description="empty only for open leads"),
                Column("status", "status", description="won, lost or open (any case)"),
                Column("closed_at", "datetime", nullable=True, description="required when won or lost"),
                Column("customer_id", "id", required=False, nullable=True, description="the customer"),
                Column(
                    "expected_amount",
                    "number",
                    required=False,
                    nullable=True,
                    description="the deal's value as the CRM holds it, >= 0 (used for open leads)",
                ),
                Column(
                    "expected_close",
                    "datetime",
                    required=False,
                    nullable=True,
                    description="when the CRM expects the deal to close",
                ),
                Column("stage", "text", required=False, nullable=True, description="the deal's stage"),
            ),
        ),
        TableSpec(
            "plans",
            description="targets: one row per manager (or team), period and metric",
            columns=(
                Column(
                    "manager",
                    "id",
                    required=False,
                    nullable=True,
                    description="whose target; empty on a team's row",
                ),
                Column(
                    "team",
                    "text",
                    required=False,
                    nullable=True,
                    description="a team's own target instead of a manager's (exactly one of the two)",
                ),
                Column("period", "text", description="2026Q3, 2026-07 or 2026"),
                Column("metric", "text", description="a KPI name, e.g. sales_volume"),
                Column("target", "number", description="the target value, >= 0"),
            ),
        ),
        TableSpec(
            "managers",
            description="the list of managers; when given, every other table must use only these",
            columns=(
                Column("manager", "id", description="unique id used in the other tables"),
                Column("name", "text", nullable=True, description="display name"),
                Column(
                    "team",
                    "text",
                    required=False,
                    nullable=True,
                    description="team name (with assignments: may be absent; the current team is shown)",
                ),
                Column(
                    "hired_at",
                    "datetime",
                    required=False,
                    nullable=True,
                    description="first day employed (empty: since before the data)",
                ),
                Column(
                    "left_at",
                    "datetime",
                    required=False,
                    nullable=True,
                    description="last day employed (empty: still employed)",
                ),
            ),
        ),
        TableSpec(
            "assignments",
            description="team moves: a manager is in a team from valid_from until their next assignment",
            columns=(
                Column("manager", "id", description="the manager who moves"),
                Column("team", "text", description="the team joined"),
                Column("valid_from", "datetime", description="first day in that team"),
            ),
        ),
        TableSpec(
            "returns",
            description="one row per return or credit note; reduces net sales in the period it is booked in",
            columns=(
                Column("return_id", "id", description="unique id of the return"),
                Column("returned_at", "datetime", description="date the return is booked"),
                Column("amount", "number", description="revenue credited, > 0"),
                Column("order_id", "id", required=False, nullable=True, description="the order returned"),
                Column(
                    "manager",
                    "id",
                    required=False,
                    nullable=True,
                    description="the manager; required when order_id is empty (else the order's manager)",
                ),
                Column(
                    "cost",
                    "number",
                    required=False,
                    nullable=True,
                    description="cost of goods taken back, >= 0; empty: the order's cost ratio applies",
                ),
            ),
        ),
        TableSpec(
            "activities",
            description="one row per sales activity (call, meeting, email ...); needed for practice analysis",
            columns=(
                Column("manager", "id", description="the manager who did it"),
                Column("occurred_at", "datetime", description="when it happened"),
                Column("type", "label", description="call, meeting, email ... (free text, any case)"),
                Column("lead_id", "id", required=False, nullable=True, description="the lead it was for"),
                Column("duration_min", "number", required=False, nullable=True, description="minutes, >= 0"),
            ),
        ),
    )
}
