"""Order amounts as the average-check tests take them: one row per order, or per-manager sufficient
statistics.

:func:`check_sufficient_stats` turns the amounts into the count, the sum of logs and the sum of squared logs
per manager, which add up over months and managers, so the log-scale tests (:mod:`kpi_toolkit.stats.means`)
run from aggregates at any scale. Zero amounts cannot be logged: they count in ``orders`` and ``sales_volume``
only (``orders`` minus ``positive_orders``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.multiple import _data_error

__all__ = ["CHECK_STATS_COLUMNS", "check_sufficient_stats"]


#: Sufficient statistics of the amounts per manager (names as in :mod:`kpi_toolkit.aggregate`).
CHECK_STATS_COLUMNS = (
    "manager",
    "orders",
    "positive_orders",
    "sales_volume",
    "sum_log_amount",
    "sum_sq_log_amount",
)


def _amounts_frame(amounts: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``manager, amount`` frame (amounts finite and >= 0); return it with float amounts."""
    if not isinstance(amounts, pd.DataFrame) or not {"manager", "amount"} <= set(amounts.columns):
        found = list(amounts.columns) if isinstance(amounts, pd.DataFrame) else type(amounts).__name__
        raise ParameterError(
            f"amounts must be a DataFrame with columns manager, amount (one row per order); found {found}"
        )
    frame = amounts.loc[:, ["manager", "amount"]].reset_index(drop=True)
    values = pd.to_numeric(frame["amount"], errors="coerce").astype(float)
    bad = (~np.isfinite(values) | (values < 0)).to_numpy()
    if bad.any():
        raise _data_error(
            "amounts",
            "amount",
            "amount is missing, not finite or negative",
            bad,
            frame.loc[bad, "amount"].tolist(),
            "drop or correct these orders first",
        )
    if frame["manager"].isna().any():
        missing = frame["manager"].isna().to_numpy()
        raise _data_error("amounts", "manager", "manager is missing", missing, [], "fill in the manager")
    frame["amount"] = values
    return frame


def _check_input(amounts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Sufficient statistics (and the raw amounts when given) from either accepted input shape."""
    if isinstance(amounts, pd.DataFrame) and "amount" in amounts.columns:
        raw = _amounts_frame(amounts)
        return check_sufficient_stats(raw), raw
    if not isinstance(amounts, pd.DataFrame) or not set(CHECK_STATS_COLUMNS) <= set(amounts.columns):
        found = list(amounts.columns) if isinstance(amounts, pd.DataFrame) else type(amounts).__name__
        raise ParameterError(
            f"amounts must have columns manager, amount (one row per order) or the "
            f"sufficient statistics {', '.join(CHECK_STATS_COLUMNS)}; found {found}"
        )
    frame = amounts.loc[:, list(CHECK_STATS_COLUMNS)].reset_index(drop=True)
    numbers = frame.iloc[:, 1:].apply(pd.to_numeric, errors="coerce").astype(float)
    bad = (
        ~np.isfinite(numbers).all(axis=1)
        | (numbers[["orders", "positive_orders"]] < 0).any(axis=1)
        | (numbers["positive_orders"] > numbers["orders"])
        | frame["manager"].duplicated(keep=False)
    )
    if bad.any():
        raise _data_error(
            "amounts",
            None,
            "sufficient statistics missing, negative, positive_orders > orders, or manager repeated",
            bad.to_numpy(),
            frame.loc[bad, "manager"].tolist(),
            "pass one row per manager with finite sums",
        )
    frame = pd.concat([frame[["manager"]], numbers], axis=1)
    frame = frame.astype({"orders": "int64", "positive_orders": "int64"})
    return frame.sort_values("manager", kind="stable").reset_index(drop=True), None


def check_sufficient_stats(amounts: pd.DataFrame) -> pd.DataFrame:
    """Per-manager sufficient statistics of order amounts for the log-scale Welch tests.

    Parameters
    ----------
    amounts : pandas.DataFrame
        One row per order, columns ``manager`` and ``amount`` (>= 0, no NaN).

    Returns
    -------
    pandas.DataFrame
        One row per manager (sorted), columns :data:`CHECK_STATS_COLUMNS`: ``orders`` (all),
        ``positive_orders`` (amount > 0), ``sales_volume`` (sum of amounts), ``sum_log_amount`` and
        ``sum_sq_log_amount`` (sums of :math:`\\ln a` and :math:`(\\ln a)^2` over the positive amounts).

    Notes
    -----
    These sums add up over months and managers, so the "rest" of a manager is a sum of rows. Zero amounts
    enter ``orders`` and ``sales_volume`` only. Raises ``DataValidationError`` for NaN or negative amounts.

    References
    ----------
    Welch BL (1947). Biometrika 34:28-35 (the test these statistics feed).

    Examples
    --------
    >>> frame = pd.DataFrame({"manager": ["B", "A", "A"], "amount": [0.0, 100.0, 1000.0]})
    >>> print(check_sufficient_stats(frame).round(3).to_string())
      manager  orders  positive_orders  sales_volume  sum_log_amount  sum_sq_log_amount
    0       A       2                2        1100.0          11.513             68.925
    1       B       1                0           0.0           0.000              0.000
    """
    frame = _amounts_frame(amounts)
    positive = frame["amount"] > 0
    logs = np.log(frame["amount"].where(positive, 1.0))
    parts = pd.DataFrame(
        {
            "manager": frame["manager"],
            "orders": 1,
            "positive_orders": positive.astype(int),
            "sales_volume": frame["amount"],
            "sum_log_amount": logs,
            "sum_sq_log_amount": logs**2,
        }
    )
    out = parts.groupby("manager", sort=True).sum().reset_index()
    return out.loc[:, list(CHECK_STATS_COLUMNS)].astype({"orders": "int64", "positive_orders": "int64"})
