"""Returns and credit notes: whose they are, what they cost, and their sums per manager and month.

A return with an order belongs to the order's manager (also when it is booked in a later period: it reduces
the period it is booked in, as accounting does); one without an order to its own ``manager``. Its cost of
goods
is its ``cost`` when given, else the order's cost ratio (order cost / order amount) times the amount credited;
a return without an order and without a cost takes back no goods (cost 0, e.g. a goodwill credit note).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.engines.handover import to_pandas

__all__ = ["RESOLVED_RETURN_COLUMNS", "resolve_returns", "return_sums"]

#: Columns of :func:`resolve_returns`.
RESOLVED_RETURN_COLUMNS = ("return_id", "order_id", "manager", "returned_at", "amount", "cost")


def _lazy(frame: Any) -> nw.LazyFrame:
    native = nw.from_native(frame)
    return native.lazy() if isinstance(native, nw.DataFrame) else native


def _returned_orders(
    orders: Any, ids: list[str], *, has_costs: bool, lazy: Callable[[pd.DataFrame], nw.LazyFrame] | None
) -> pd.DataFrame:
    """The manager and the cost ratio (cost / amount; NaN without costs or when the amount is 0) of the orders
    ``ids``, indexed by ``order_id``. On a lazy engine (``lazy`` given) a semi-join with the ids put on the
    engine, so that only these orders, and only these two columns, come to pandas."""
    if not ids:
        return pd.DataFrame({"manager": pd.Series(dtype="string"), "ratio": pd.Series(dtype="float64")},
                            index=pd.Index([], dtype="string", name="order_id"))  # fmt: skip
    amount = nw.col("amount").cast(nw.Float64)
    ratio = nw.when(amount > 0).then(nw.col("cost").cast(nw.Float64) / amount) if has_costs else nw.lit(None)
    keyed = _lazy(orders).select(
        nw.col("order_id").cast(nw.String), "manager", "amount", *(["cost"] if has_costs else [])
    )
    if (
        lazy is None
    ):  # pandas (a hash look-up of the ids), or a lazy engine's frame with no way to put them on it
        wanted = keyed.filter(nw.col("order_id").is_in(ids))
    else:
        keys = pd.DataFrame({"order_id": pd.Series(ids, dtype="string")})
        wanted = keyed.join(lazy(keys), on="order_id", how="semi")
    found = to_pandas(wanted.select("order_id", "manager", ratio.cast(nw.Float64).alias("ratio")))
    return found.astype({"order_id": "string", "manager": "string", "ratio": "float64"}).set_index("order_id")


def resolve_returns(
    returns: pd.DataFrame,
    orders: Any,
    *,
    has_costs: bool | None = None,
    lazy: Callable[[pd.DataFrame], nw.LazyFrame] | None = None,
) -> pd.DataFrame:
    """Each return with its manager and cost of goods (columns :data:`RESOLVED_RETURN_COLUMNS`).

    ``orders`` is the validated orders table on any engine; only the orders the returns name are fetched, by
    a semi-join on the engine: ``lazy`` puts a small pandas frame (the returned orders' ids) on the orders'
    engine (:func:`kpi_toolkit.engines.lazy.small_frame`); without it (pandas) the orders are filtered by the
    list of ids.
    ``has_costs`` says whether the orders have costs (``SalesData.has_costs``; counted when ``None``).
    ``cost`` is NaN when the orders have no ``cost`` column and the return gives none.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": ["1"], "manager": ["ann"], "amount": [200.0], "cost": [120.0]})
    >>> returns = pd.DataFrame({"return_id": ["r1", "r2"], "order_id": ["1", None], "manager": [None, "bob"],
    ...                         "returned_at": pd.to_datetime(["2026-10-02", "2026-10-05"]),
    ...                         "amount": [50.0, 20.0], "cost": [np.nan, np.nan]})
    >>> resolve_returns(returns, orders)[["manager", "amount", "cost"]].values.tolist()
    [['ann', 50.0, 30.0], ['bob', 20.0, 0.0]]
    """
    if has_costs is None:
        frame = nw.from_native(orders)
        has_costs = "cost" in frame.columns and bool(
            to_pandas(_lazy(orders).select(nw.col("cost").count()))["cost"].iloc[0]
        )
    ids = returns["order_id"].dropna().astype("string").unique().tolist()
    found = _returned_orders(orders, ids, has_costs=has_costs, lazy=lazy)
    out = returns.loc[:, ["return_id", "order_id", "manager", "returned_at", "amount"]].copy()
    key = out["order_id"].astype("string")
    linked = key.notna()
    order_manager = key.map(found["manager"].astype("string"))
    out["manager"] = order_manager.where(linked, out["manager"].astype("string")).astype("string")
    given = returns["cost"].astype("float64") if "cost" in returns else pd.Series(np.nan, index=out.index)
    if has_costs:
        derived = key.map(found["ratio"]).astype("float64") * out["amount"]
        out["cost"] = given.fillna(derived.where(linked, 0.0)).fillna(0.0)
    else:
        out["cost"] = given.where(given.notna(), np.nan)
    return out.loc[:, list(RESOLVED_RETURN_COLUMNS)].reset_index(drop=True)


def return_sums(resolved: pd.DataFrame, *, by: Sequence[str] = ()) -> pd.DataFrame:
    """Per manager and month (``YYYY-MM`` of ``returned_at``), and the further columns ``by``: ``returns``
    (amounts) and ``return_cost``.

    ``return_cost`` sums the known costs (0 when none is known).
    """
    month = pd.to_datetime(resolved["returned_at"]).dt.strftime("%Y-%m")
    sums = (
        resolved.assign(month=month, return_cost=resolved["cost"].fillna(0.0))
        .groupby(["manager", "month", *by], sort=True)
        .agg(returns=("amount", "sum"), return_cost=("return_cost", "sum"))
        .reset_index()
    )
    return sums.astype(
        {"manager": "string", "month": "string", "returns": "float64", "return_cost": "float64"}
    )
