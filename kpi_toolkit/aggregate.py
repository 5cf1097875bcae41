"""The heavy step: from raw orders and leads to per-manager, per-month sufficient statistics.

Every KPI of :func:`kpi_toolkit.manager_kpis` is a ratio of sums and counts, and every period is a run of
months, so one table of monthly sums per manager is all the later steps need. It is computed with
Narwhals expressions only, so the same code runs on pandas, DuckDB or Spark frames; only this small table
comes back as pandas.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

__all__ = ["MONTHLY_COLUMNS", "SUM_COLUMNS", "monthly_stats"]

#: Sums and counts per manager and month (all additive over months).
SUM_COLUMNS = (
    "orders",
    "sales_volume",
    "sum_sq_amount",
    "positive_orders",
    "sum_log_amount",
    "sum_sq_log_amount",
    "lead_orders",
    "lead_volume",
    "leads_created",
    "leads_closed",
    "leads_won",
    "new_customers",
)
MONTHLY_COLUMNS = ("manager", "month", *SUM_COLUMNS)


def _month_keys(column: str) -> list[nw.Expr]:
    return [nw.col(column).dt.year().alias("_year"), nw.col(column).dt.month().alias("_month")]


def _order_sums(orders: Any) -> Any:
    amount = nw.col("amount")
    positive = amount > 0
    log_amount = nw.when(positive).then(amount.clip(lower_bound=1e-300).log()).otherwise(0.0)
    from_lead = ~nw.col("lead_id").is_null()
    return (
        orders.with_columns(
            *_month_keys("ordered_at"),
            _sq=amount * amount,
            _pos=positive.cast(nw.Int64),
            _log=log_amount,
            _log2=log_amount * log_amount,
            _lead=from_lead.cast(nw.Int64),
            _lead_amount=nw.when(from_lead).then(amount).otherwise(0.0),
        )
        .group_by("manager", "_year", "_month")
        .agg(
            nw.col("amount").count().alias("orders"),
            nw.col("amount").sum().alias("sales_volume"),
            nw.col("_sq").sum().alias("sum_sq_amount"),
            nw.col("_pos").sum().alias("positive_orders"),
            nw.col("_log").sum().alias("sum_log_amount"),
            nw.col("_log2").sum().alias("sum_sq_log_amount"),
            nw.col("_lead").sum().alias("lead_orders"),
            nw.col("_lead_amount").sum().alias("lead_volume"),
        )
    )


def _new_customer_counts(orders: Any) -> Any:
    """Count, per manager and month, the customers whose first order in the data falls there.

    Ties (two orders of a customer at the same first time) are broken by ``order_id`` compared as text.
    """
    keyed = orders.select("order_id", "manager", "customer_id", "ordered_at")
    first_time = keyed.group_by("customer_id").agg(nw.col("ordered_at").min().alias("_first"))
    at_first = keyed.join(first_time, on="customer_id").filter(nw.col("ordered_at") == nw.col("_first"))
    first_id = at_first.group_by("customer_id").agg(nw.col("order_id").min().alias("_first_id"))
    firsts = at_first.join(first_id, on="customer_id").filter(nw.col("order_id") == nw.col("_first_id"))
    return (
        firsts.with_columns(*_month_keys("ordered_at"))
        .group_by("manager", "_year", "_month")
        .agg(nw.col("customer_id").count().alias("new_customers"))
    )


def _lead_counts(leads: Any) -> tuple[Any, Any]:
    closed = (
        leads.filter(nw.col("status") != "open")
        .with_columns(*_month_keys("closed_at"), _won=(nw.col("status") == "won").cast(nw.Int64))
        .group_by("manager", "_year", "_month")
        .agg(nw.col("_won").count().alias("leads_closed"), nw.col("_won").sum().alias("leads_won"))
    )
    created = (
        leads.filter(~nw.col("created_at").is_null())
        .with_columns(*_month_keys("created_at"))
        .group_by("manager", "_year", "_month")
        .agg(nw.col("lead_id").count().alias("leads_created"))
    )
    return closed, created


def _to_pandas(frame: Any) -> pd.DataFrame:
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect(backend="pandas")
    return frame.to_pandas()


def monthly_stats(orders: Any, leads: Any | None = None) -> pd.DataFrame:
    """Per-manager, per-month sums and counts of orders and leads (the sufficient statistics of the KPIs).

    Parameters
    ----------
    orders, leads
        Validated tables as any frame Narwhals accepts (pandas, DuckDB relation, Spark DataFrame ...).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MONTHLY_COLUMNS`: ``manager``, ``month`` (``YYYY-MM``) and the sums, one row per
        manager and month with any activity, sorted by manager and month. Orders count in the month of
        ``ordered_at``; ``leads_closed``/``leads_won`` in the month of ``closed_at``; ``leads_created`` in
        the month of ``created_at``. ``sum_log_amount`` and ``sum_sq_log_amount`` cover the orders with a
        positive amount (``positive_orders`` of them), since a zero amount has no logarithm.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["a", "a"], "customer_id": ["c", "c"],
    ...                        "ordered_at": pd.to_datetime(["2026-07-03", "2026-08-01"]),
    ...                        "amount": [100.0, 50.0], "lead_id": pd.Series([None, None], dtype="string")})
    >>> monthly_stats(orders)[["manager", "month", "orders", "sales_volume", "new_customers"]]
      manager    month  orders  sales_volume  new_customers
    0       a  2026-07       1         100.0              1
    1       a  2026-08       1          50.0              0
    """
    native_orders = nw.from_native(orders)
    parts = [_order_sums(native_orders), _new_customer_counts(native_orders)]
    if leads is not None:
        parts.extend(_lead_counts(nw.from_native(leads)))
    keys = ["manager", "_year", "_month"]
    frames = [_to_pandas(part).set_index(keys) for part in parts]
    merged = pd.concat(frames, axis=1, join="outer") if frames else pd.DataFrame()
    merged = merged.reindex(columns=list(SUM_COLUMNS)).fillna(0.0)
    for column in SUM_COLUMNS:
        if column not in (
            "sales_volume",
            "sum_sq_amount",
            "sum_log_amount",
            "sum_sq_log_amount",
            "lead_volume",
        ):
            merged[column] = merged[column].astype("int64")
        else:
            merged[column] = merged[column].astype("float64")
    merged = merged.reset_index()
    merged["month"] = [
        f"{int(y):04d}-{int(m):02d}" for y, m in zip(merged["_year"], merged["_month"], strict=True)
    ]
    merged["manager"] = merged["manager"].astype("string")
    out = merged.loc[:, list(MONTHLY_COLUMNS)].sort_values(["manager", "month"], kind="stable")
    return out.reset_index(drop=True)
