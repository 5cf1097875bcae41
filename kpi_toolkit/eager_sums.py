"""The orders' per-manager, per-month sums on the pandas engine, one derived column at a time.

:func:`kpi_toolkit.aggregate.monthly_stats` states the sums once, as Narwhals expressions, for every engine.
On pandas those expressions are computed eagerly: the eight helper columns they derive (squares, logarithms,
flags) exist side by side, and the group-by copies them into one block again, about 230 MiB of temporary
memory at 2 million orders, more than the loading's own peak. Here the group of each order (manager and
month) is computed once as an integer code, and each sum is derived, summed per group and dropped in turn:
the temporary memory is a few columns (about 60 MiB there). The money sums are pandas' group-by sums over
the same rows in the same order as the expressions', so they are the same numbers (``tests/test_engines.py``
compares the engines, ``tests/test_eager_sums.py`` this against the expressions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["order_sums"]


def order_sums(orders: pd.DataFrame) -> pd.DataFrame:
    """Per manager and calendar month of ``ordered_at``: the order sums of ``monthly_stats``.

    Returns the columns ``manager``, ``_year``, ``_month`` (int64) and ``orders``, ``sales_volume``,
    ``sum_sq_amount``, ``positive_orders``, ``sum_log_amount``, ``sum_sq_log_amount``, ``lead_orders``,
    ``lead_volume``, ``order_cost``, one row per manager and month with orders, in no particular order.

    Examples
    --------
    >>> orders = pd.DataFrame({"manager": ["a", "a", "b"], "amount": [10.0, 0.0, 5.0],
    ...                        "ordered_at": pd.to_datetime(["2026-07-03", "2026-07-09", "2026-08-01"]),
    ...                        "lead_id": pd.Series(["L1", None, None], dtype="string")})
    >>> order_sums(orders)[["manager", "_month", "orders", "sales_volume", "positive_orders", "lead_volume"]]
      manager  _month  orders  sales_volume  positive_orders  lead_volume
    0       a       7       2          10.0                1         10.0
    1       b       8       1           5.0                1          0.0
    """
    managers, names = pd.factorize(orders["manager"], use_na_sentinel=False)
    months = orders["ordered_at"].to_numpy().astype("datetime64[M]").astype("int64")  # months since 1970-01
    first = int(months.min()) if len(months) else 0
    span = int(months.max()) - first + 1 if len(months) else 1
    key = managers.astype("int64") * span + (months - first)
    del managers, months
    group, keys = pd.factorize(key)
    del key
    n = len(keys)
    amount = orders["amount"].to_numpy(dtype="float64", na_value=np.nan)
    out: dict[str, object] = {
        "manager": pd.array(np.asarray(names, dtype=object)[keys // span], dtype=orders["manager"].dtype),
        "_year": (keys % span + first) // 12 + 1970,
        "_month": (keys % span + first) % 12 + 1,
        "orders": np.bincount(group, weights=~np.isnan(amount), minlength=n).astype("int64"),
    }

    def total(values: np.ndarray) -> np.ndarray:  # pandas' group sum: compensated, rows in order
        return pd.Series(values, copy=False).groupby(group, sort=True).sum().to_numpy()

    def count(flags: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=flags, minlength=n).astype("int64")

    out["sales_volume"] = total(amount)
    out["sum_sq_amount"] = total(amount * amount)
    positive = amount > 0
    out["positive_orders"] = count(positive)
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(positive, amount, 1.0))
    del positive
    out["sum_log_amount"] = total(logs)
    out["sum_sq_log_amount"] = total(logs * logs)
    del logs
    from_lead = orders["lead_id"].notna().to_numpy() if "lead_id" in orders else np.zeros(len(group), bool)
    out["lead_orders"] = count(from_lead)
    out["lead_volume"] = total(np.where(from_lead, amount, 0.0))
    del from_lead
    if "cost" in orders:
        out["order_cost"] = total(orders["cost"].fillna(0.0).to_numpy(dtype="float64", na_value=np.nan))
    else:
        out["order_cost"] = np.zeros(n)
    return pd.DataFrame(out)
