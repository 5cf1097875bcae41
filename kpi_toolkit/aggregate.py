"""The heavy step: from raw orders and leads to per-manager, per-month sufficient statistics.

Every KPI of :func:`kpi_toolkit.manager_kpis` is a ratio of sums and counts, and every period is a run of
months, so one table of monthly sums per manager is all the later steps need. It is computed with
Narwhals expressions only, so the same code runs on pandas, DuckDB or Spark frames; only this small table
comes back as pandas.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.eager_sums import order_sums
from kpi_toolkit.engines import duckdb_aggregate
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import DataValidationError, Violation
from kpi_toolkit.returns import return_sums

__all__ = ["MONTHLY_COLUMNS", "SUM_COLUMNS", "check_finite_sums", "first_orders", "monthly_stats"]

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
    "order_cost",
    "returns",
    "return_cost",
)
#: Sums that stay money (float); the others are counts.
FLOAT_SUMS = (
    "sales_volume", "sum_sq_amount", "sum_log_amount", "sum_sq_log_amount", "lead_volume", "order_cost",
    "returns", "return_cost",
)  # fmt: skip
MONTHLY_COLUMNS = ("manager", "month", *SUM_COLUMNS)
#: The sums of amounts, which overflow to infinity when amounts are absurdly large.
AMOUNT_SUMS = ("sales_volume", "sum_sq_amount", "lead_volume", "order_cost", "returns")


def check_finite_sums(frame: pd.DataFrame, *, where: str) -> pd.DataFrame:
    """``frame`` when its sums of amounts are finite; a :class:`DataValidationError` when one overflowed.

    Floating-point sums past 1.8e308 become infinity, which would make every KPI built on them wrong
    (a sales volume of ``inf``, an attainment of NaN) without a word.

    >>> check_finite_sums(pd.DataFrame({"sales_volume": [1.7e308 * 2]}), where="2026Q3")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.DataValidationError: ...the sum of the amounts overflows (2026Q3)...
    """
    columns = [c for c in AMOUNT_SUMS if c in frame.columns]
    values = frame[columns].to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(values).any():
        first = frame.iloc[int(np.flatnonzero(np.isinf(values).any(axis=1))[0])]
        if "manager" in frame.columns and "month" in frame.columns:
            where = f"manager {first['manager']}, month {first['month']}"
        elif frame.index.name == "manager":
            where = f"manager {first.name}, {where}"
        raise DataValidationError(
            [
                Violation(
                    "orders",
                    "the data set",
                    "amount",
                    f"the sum of the amounts overflows ({where}): it is larger than a number can hold "
                    "(about 1.8e308), or the sum of their squares is (amounts above about 1e154)",
                    fix="check the amounts: sums this large are not real sales (a unit or a column mixed "
                    "up); correct them, or quarantine the rows",
                )
            ]
        )
    return frame


def _month_keys(column: str) -> list[nw.Expr]:
    return [nw.col(column).dt.year().alias("_year"), nw.col(column).dt.month().alias("_month")]


def _order_sums(orders: Any, keys: tuple[str, ...] = ("manager", "_year", "_month")) -> Any:
    cost = nw.col("cost").fill_null(0.0) if "cost" in orders.columns else nw.lit(0.0)
    amount = nw.col("amount")
    positive = amount > 0
    from_lead = ~nw.col("lead_id").is_null()
    return (
        orders.with_columns(
            *_month_keys("ordered_at"),
            _sq=amount * amount,
            _pos=positive.cast(nw.Int64),
            _log=nw.when(positive).then(amount).otherwise(1.0).log(),  # ln 1 = 0 for a zero amount
            _lead=from_lead.cast(nw.Int64),
            _lead_amount=nw.when(from_lead).then(amount).otherwise(0.0),
            _cost=cost.cast(nw.Float64),
        )
        .with_columns(_log2=nw.col("_log") * nw.col("_log"))  # the column, not the expression again
        .group_by(*keys)
        .agg(
            nw.col("amount").count().alias("orders"),
            nw.col("amount").sum().alias("sales_volume"),
            nw.col("_sq").sum().alias("sum_sq_amount"),
            nw.col("_pos").sum().alias("positive_orders"),
            nw.col("_log").sum().alias("sum_log_amount"),
            nw.col("_log2").sum().alias("sum_sq_log_amount"),
            nw.col("_lead").sum().alias("lead_orders"),
            nw.col("_lead_amount").sum().alias("lead_volume"),
            nw.col("_cost").sum().alias("order_cost"),
        )
    )


def first_orders(orders: Any) -> Any:
    """Each customer's first order in the data: ``customer_id, manager, ordered_at``, one row per customer.

    Ties (two orders of a customer at the same first time) are broken by ``order_id`` compared as text (the
    lazy engines may keep ids stored as integers: they are cast to text here, on the tied rows only). Two
    window minima per customer, no join: one shuffle on Spark. DuckDB runs an aggregate per customer in SQL
    instead (:func:`kpi_toolkit.engines.duckdb_aggregate.first_orders`), for less CPU than the windows.
    """
    keyed = nw.from_native(orders).select("order_id", "manager", "customer_id", "ordered_at")
    if keyed.implementation is nw.Implementation.DUCKDB:
        text_ids = keyed.collect_schema()["order_id"] == nw.String
        return nw.from_native(duckdb_aggregate.first_orders(keyed.to_native(), text_ids=text_ids))
    first_time = nw.col("ordered_at").min().over("customer_id")
    at_first = keyed.filter(nw.col("ordered_at") == first_time).with_columns(
        _id=nw.col("order_id").cast(nw.String)
    )
    firsts = at_first.filter(nw.col("_id") == nw.col("_id").min().over("customer_id"))
    return firsts.select("customer_id", "manager", "ordered_at")


def _order_part(orders: Any, teams: Any, keys: tuple[str, ...]) -> Any:
    """:func:`_order_sums` of ``orders`` (lazy); without teams, on a pandas frame the same sums computed one
    derived column at a time (:mod:`kpi_toolkit.eager_sums`: a sixth of the temporary memory), on DuckDB in
    SQL (:func:`kpi_toolkit.engines.duckdb_aggregate.order_sums`)."""
    native = nw.to_native(orders)
    if teams is None and isinstance(native, pd.DataFrame) and not native["ordered_at"].hasnans:
        return nw.from_native(order_sums(native)).lazy()
    if teams is None and orders.implementation is nw.Implementation.DUCKDB:
        return nw.from_native(duckdb_aggregate.order_sums(native))
    return _order_sums(_in_team(orders, teams, "ordered_at"), keys)


def _new_customer_counts(firsts: Any, keys: tuple[str, ...] = ("manager", "_year", "_month")) -> Any:
    """Count, per manager and month, the customers whose first order (``firsts``) falls there."""
    return (
        firsts.with_columns(*_month_keys("ordered_at"))
        .group_by(*keys)
        .agg(nw.col("customer_id").count().alias("new_customers"))
    )


def _lead_counts(leads: Any, teams: Any = None) -> tuple[Any, Any]:
    keys = _KEYS if teams is None else (*_KEYS, "_team")
    closed = (
        _in_team(leads.filter(nw.col("status") != "open"), teams, "closed_at")
        .with_columns(*_month_keys("closed_at"), _won=(nw.col("status") == "won").cast(nw.Int64))
        .group_by(*keys)
        .agg(nw.col("_won").count().alias("leads_closed"), nw.col("_won").sum().alias("leads_won"))
    )
    created = (
        _in_team(leads.filter(~nw.col("created_at").is_null()), teams, "created_at")
        .with_columns(*_month_keys("created_at"))
        .group_by(*keys)
        .agg(nw.col("lead_id").count().alias("leads_created"))
    )
    return closed, created


def _in_team(frame: Any, teams: Any, column: str) -> Any:
    """``frame`` with the team (``_team``) its manager was in on ``column``'s day: a join with the small
    table of membership intervals (:func:`kpi_toolkit.staffing.team_days`); unchanged without ``teams``."""
    if teams is None:
        return frame
    when = nw.col(column)
    day = when.dt.year() * 10000 + when.dt.month() * 100 + when.dt.day()
    joined = frame.with_columns(nw.col("manager").cast(nw.String), _day=day.cast(nw.Int64)).join(
        teams, on="manager", how="inner"
    )
    return joined.filter((nw.col("_day") >= nw.col("_first_day")) & (nw.col("_day") < nw.col("_end_day")))


_KEYS = ("manager", "_year", "_month")


def _lazy(frame: Any) -> Any:
    frame = nw.from_native(frame)
    return frame.lazy() if isinstance(frame, nw.DataFrame) else frame


def _monthly_plan(orders: Any, leads: Any | None, teams: Any = None) -> Any:
    """The four partial aggregates stacked (zeros where a part has no such sum) and summed: one query plan.
    With ``teams`` (membership intervals), each row is also keyed by the team it belongs to (``_team``)."""
    orders = _lazy(orders)
    if teams is not None:
        teams = _lazy(teams)
    keys = _KEYS if teams is None else (*_KEYS, "_team")
    parts = [
        _order_part(orders, teams, keys),
        _new_customer_counts(_in_team(first_orders(orders), teams, "ordered_at"), keys),
    ]
    if leads is not None:
        leads = nw.from_native(leads)
        parts.extend(_lead_counts(leads.lazy() if isinstance(leads, nw.DataFrame) else leads, teams))
    aligned = [
        part.select(
            nw.col("manager").cast(nw.String),
            nw.col("_year").cast(nw.Int64),
            nw.col("_month").cast(nw.Int64),
            *([nw.col("_team").cast(nw.String)] if teams is not None else []),
            *((nw.col(c) if c in part.columns else nw.lit(0)).cast(nw.Float64).alias(c) for c in SUM_COLUMNS),
        )
        for part in parts
    ]
    stacked = nw.concat(aligned, how="vertical")
    return stacked.group_by(*keys).agg(*(nw.col(c).sum() for c in SUM_COLUMNS))


def monthly_stats(
    orders: Any, leads: Any | None = None, *, teams: Any = None, returns: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per-manager, per-month sums and counts of orders and leads (the sufficient statistics of the KPIs).

    Parameters
    ----------
    orders, leads
        Validated tables as any frame Narwhals accepts (pandas, DuckDB relation, Spark DataFrame ...).
    teams
        Membership intervals (:func:`kpi_toolkit.staffing.team_days`) on the same engine: each sum is then
        also split by the team the row belongs to (its manager's team on the order's or lead's day), in a
        column ``team`` after ``month``; rows of a manager without a team are left out.
    returns
        The returns with their manager and cost (:func:`kpi_toolkit.returns.resolve_returns`), if any.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MONTHLY_COLUMNS`: ``manager``, ``month`` (``YYYY-MM``) and the sums, one row per
        manager and month with any activity, sorted by manager and month. Orders count in the month of
        ``ordered_at``; ``leads_closed``/``leads_won`` in the month of ``closed_at``; ``leads_created`` in
        the month of ``created_at``. ``sum_log_amount`` and ``sum_sq_log_amount`` cover the orders with a
        positive amount (``positive_orders`` of them), since a zero amount has no logarithm. ``order_cost``
        sums the orders' ``cost`` (0 without the column); ``returns`` and ``return_cost`` the returns booked
        in the month (``returned_at``), by their manager (:func:`kpi_toolkit.returns.resolve_returns`).

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
    with np.errstate(over="ignore"):  # an overflow is reported below, in words
        merged = to_pandas(_monthly_plan(orders, leads, teams))  # the one hand-over: a small table
    # one label per distinct month (tens), not per row (2,000 managers x 36 months: 72,000 rows)
    codes = merged["_year"].to_numpy(np.int64) * 12 + merged["_month"].to_numpy(np.int64) - 1
    distinct, at = np.unique(codes, return_inverse=True)
    labels = [f"{code // 12:04d}-{code % 12 + 1:02d}" for code in distinct.tolist()]
    merged["month"] = pd.array(labels, dtype=pd.StringDtype(na_value=np.nan)).take(at.reshape(-1))
    merged["manager"] = merged["manager"].astype("string")
    merged = _with_returns(merged, returns, teams)
    for column in SUM_COLUMNS:
        merged[column] = merged[column].astype("float64" if column in FLOAT_SUMS else "int64")
    if teams is not None:  # split by team: the team of each part (``team`` after ``month``)
        merged["team"] = merged["_team"].astype("string")
        columns = ["manager", "month", "team", *SUM_COLUMNS]
        out = merged.loc[:, columns].sort_values(["manager", "month", "team"], kind="stable")
        return check_finite_sums(out.reset_index(drop=True), where="a month")
    out = merged.loc[:, list(MONTHLY_COLUMNS)].sort_values(["manager", "month"], kind="stable")
    return check_finite_sums(out.reset_index(drop=True), where="a month")


def _with_returns(merged: pd.DataFrame, resolved: pd.DataFrame | None, teams: Any) -> pd.DataFrame:
    """``merged`` (manager, month[, _team], sums) with the returns' sums: ``returns``, ``return_cost``."""
    merged = merged.drop(columns=["returns", "return_cost"])
    keys = ["manager", "month", *(["_team"] if teams is not None else [])]
    if resolved is None or not len(resolved):
        return merged.assign(returns=0.0, return_cost=0.0)
    if teams is not None:  # each return in the team its manager was in on the day it is booked
        small = to_pandas(_lazy(teams))
        placed = _in_team(nw.from_native(resolved).lazy(), nw.from_native(small).lazy(), "returned_at")
        resolved = placed.collect().to_pandas()
    credited = return_sums(resolved, by=keys[2:])
    merged = merged.merge(credited, on=keys, how="outer")
    for column in SUM_COLUMNS:
        merged[column] = merged[column].fillna(0)
    return merged
