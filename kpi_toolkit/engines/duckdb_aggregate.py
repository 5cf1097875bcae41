"""DuckDB's SQL for the heavy parts of the monthly sums: the order sums, each customer's first order.

:func:`kpi_toolkit.aggregate.monthly_stats` builds its query plan with Narwhals expressions, which run on
every engine. On DuckDB, these two parts are written in SQL instead: the same rows, for less CPU than the SQL
that Narwhals writes (10 million orders, idle machine; ``benchmarks/README.md``, "Ninth round").

- :data:`ORDER_SUMS_SQL`: ``FILTER`` clauses and ``ln`` where the expressions build ``CASE`` columns and
  ``log(x) / log(e)``, then sum them: 0.61 -> 0.53 s of wall time.
- :data:`FIRST_ORDERS_BY_TEXT_SQL` and :data:`FIRST_ORDERS_BY_JOIN_SQL`: one aggregate per customer instead of
  two window minima over a partition of every order.

Each query reads the relation named ``_orders`` (:meth:`duckdb.DuckDBPyRelation.query`).
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FIRST_ORDERS_BY_JOIN_SQL", "FIRST_ORDERS_BY_TEXT_SQL", "ORDER_SUMS_SQL", "first_orders", "order_sums",
]  # fmt: skip

#: Per manager and month (``_year``, ``_month``) the sums of :func:`kpi_toolkit.aggregate._order_sums`: the
#: orders with an amount, their amounts and its squares, the positive amounts (a zero amount has no logarithm:
#: it adds 0 to the sums of logarithms), the orders from a lead and their amounts, the cost (missing as 0).
ORDER_SUMS_SQL = """
SELECT manager, year(ordered_at) AS _year, month(ordered_at) AS _month,
       count(amount) AS orders,
       coalesce(sum(amount), 0) AS sales_volume,
       coalesce(sum(amount * amount), 0) AS sum_sq_amount,
       count(*) FILTER (amount > 0) AS positive_orders,
       coalesce(sum(ln(amount)) FILTER (amount > 0), 0) AS sum_log_amount,
       coalesce(sum(ln(amount) * ln(amount)) FILTER (amount > 0), 0) AS sum_sq_log_amount,
       count(*) FILTER (lead_id IS NOT NULL) AS lead_orders,
       coalesce(sum(amount) FILTER (lead_id IS NOT NULL), 0) AS lead_volume,
       {cost} AS order_cost
FROM _orders GROUP BY manager, _year, _month
"""

#: Each customer's first order where ids are stored as text. One hash aggregate per customer takes
#: ``arg_min`` over the time alone and the two earliest times (``min(ordered_at, 2)``, in ascending order);
#: where they differ (or the customer has one order), and no order lacks its time or manager (``arg_min``
#: skips a missing manager), the earliest order is the only one at its time, and its manager is the one
#: ``arg_min`` over ``(ordered_at, order_id)`` picks. Only the other customers (a tie at the first time; a
#: missing time or manager, which validated data never has) are aggregated again over ``(ordered_at,
#: order_id)``, their orders found by a semi-join (none at all: an empty join, nothing re-aggregated). The
#: same rows as ``arg_min(manager, (ordered_at, order_id))`` for every customer, at about two thirds of its
#: CPU (10 million orders, 1.25 million customers: building a struct per order and comparing structs is
#: what the time alone avoids).
FIRST_ORDERS_BY_TEXT_SQL = """
WITH _first AS MATERIALIZED (
    SELECT customer_id, arg_min(manager, ordered_at) AS manager, min(ordered_at, 2) AS _two,
           count(ordered_at) = count(*) AND count(manager) = count(*)
               AND coalesce(len(_two) = 1 OR _two[1] < _two[2], false) AS _alone
    FROM _orders GROUP BY customer_id
)
SELECT customer_id, manager, _two[1] AS ordered_at FROM _first WHERE _alone
UNION ALL
SELECT o.customer_id, arg_min(o.manager, (o.ordered_at, o.order_id)) AS manager,
       min(o.ordered_at) AS ordered_at
FROM _orders AS o SEMI JOIN (SELECT customer_id FROM _first WHERE NOT _alone) AS t
    ON o.customer_id IS NOT DISTINCT FROM t.customer_id
GROUP BY o.customer_id
"""

#: Each customer's first order where ids are stored as integers: the earliest time per customer, the orders
#: at it found by a join, and among them the manager of the smallest id as text: the rows the window minima of
#: :func:`kpi_toolkit.aggregate.first_orders` give on the other engines (``arg_min_null`` keeps a missing
#: manager as they do, which validated data never has). With few ties the join finds one order per customer,
#: and the aggregate over those rows replaces a window over them: 10 million orders, 0.93-0.97 -> 0.80-0.86 s
#: of wall time; with text ids it is no faster than :data:`FIRST_ORDERS_BY_TEXT_SQL`.
FIRST_ORDERS_BY_JOIN_SQL = """
WITH _times AS (SELECT customer_id, min(ordered_at) AS ordered_at FROM _orders GROUP BY customer_id)
SELECT o.customer_id, arg_min_null(o.manager, CAST(o.order_id AS VARCHAR)) AS manager,
       min(o.ordered_at) AS ordered_at
FROM _orders AS o JOIN _times AS t
    ON o.ordered_at = t.ordered_at AND o.customer_id IS NOT DISTINCT FROM t.customer_id
GROUP BY o.customer_id
"""


def order_sums(orders: Any) -> Any:
    """:data:`ORDER_SUMS_SQL` over the relation ``orders`` (its ``cost`` 0 where ``orders`` has none)."""
    cost = "coalesce(sum(CAST(cost AS DOUBLE)), 0)" if "cost" in orders.columns else "0.0"
    return orders.query("_orders", ORDER_SUMS_SQL.format(cost=cost))


def first_orders(orders: Any, *, text_ids: bool) -> Any:
    """Each customer's first order (``customer_id, manager, ordered_at``) of the relation ``orders``."""
    return orders.query("_orders", FIRST_ORDERS_BY_TEXT_SQL if text_ids else FIRST_ORDERS_BY_JOIN_SQL)
