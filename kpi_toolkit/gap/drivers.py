"""From counts and sums to the drivers of sales volume, per manager.

Sales volume is an exact product of drivers (the identity telescopes whenever the counts are positive)::

    sales_volume = leads_closed x conversion x orders_per_win x average_check     (leads mode)
                 = leads_closed x (leads_won / leads_closed) x (orders / leads_won) x (sales_volume / orders)
    sales_volume = orders x average_check                                          (orders mode, no leads)

``orders_per_win`` is orders per won lead *in the same period*: it also carries repeat orders and orders from
leads closed in other periods, so it is a mix of "orders per deal" and "orders not from this period's leads".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError

__all__ = [
    "BASELINE_COLUMNS",
    "COUNT_COLUMNS",
    "DRIVER_COLUMNS",
    "LEADS_DRIVERS",
    "ORDERS_DRIVERS",
    "drivers_from_counts",
]


Mode = Literal["auto", "leads", "orders"]
MODES = ("auto", "leads", "orders")
#: Drivers whose product is the sales volume, in chain order (a driver is undefined after a zero one).
LEADS_DRIVERS = ("leads_closed", "conversion", "orders_per_win", "average_check")
ORDERS_DRIVERS = ("orders", "average_check")
#: Per-manager counts and sums, the input of :func:`drivers_from_counts` (and of ``decompose_gap``).
COUNT_COLUMNS = ("manager", "leads_closed", "leads_won", "orders", "sales_volume")
#: Columns of :func:`drivers_from_counts`.
DRIVER_COLUMNS = (
    "manager",
    "sales_volume",
    "leads_closed",
    "conversion",
    "orders_per_win",
    "orders",
    "average_check",
)
#: Columns of the baseline builders of :mod:`kpi_toolkit.gap.baselines`: drivers and where they came from.
BASELINE_COLUMNS = (*DRIVER_COLUMNS, "reference")
#: The ``manager`` label of the team row of :func:`kpi_toolkit.gap.decompose_gap`.
TOTAL = "TOTAL"


def _check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ParameterError(
            f"{name}={value!r} is not allowed. Fix: use one of {', '.join(map(repr, allowed))}."
        )


def _by_manager(frame: object, name: str, required: Sequence[str]) -> pd.DataFrame:
    """``frame`` indexed by its ``manager`` column (as text), sorted; numeric columns as float."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(
            f"{name} must be a pandas DataFrame with a 'manager' column, got {type(frame).__name__}."
        )
    missing = [c for c in ("manager", *required) if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{name} has no column {', '.join(map(repr, missing))} (it has {list(frame.columns)}). "
            f"Fix: give {name} the columns {['manager', *required]}."
        )
    out = frame.assign(manager=frame["manager"].astype("str")).set_index("manager").sort_index()
    duplicated = out.index[out.index.duplicated()].unique().tolist()
    if duplicated or TOTAL in out.index:
        raise ParameterError(
            f"{name}: each manager must appear once and none may be called {TOTAL!r}, found "
            f"{(duplicated or [TOTAL])[:5]}. Fix: aggregate to one row per manager."
        )
    for column in out.columns.intersection([*DRIVER_COLUMNS, "leads_won"]):
        try:
            out[column] = out[column].astype("float64")
        except (TypeError, ValueError):
            raise ParameterError(
                f"{name}: column {column!r} must hold numbers. Fix: convert it to numbers (NaN for missing)."
            ) from None
    return out


def _rows(mask: pd.Series) -> list[str]:
    return [str(m) for m in mask.index[mask][:5]]


def _has_leads(counts: pd.DataFrame) -> bool:
    """Whether ``counts`` carries lead counts (both columns, not all NaN)."""
    columns = ["leads_closed", "leads_won"]
    return set(columns) <= set(counts.columns) and bool(counts[columns].notna().any().all())


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return (numerator / denominator).where(denominator > 0)


def drivers_from_counts(counts: pd.DataFrame, *, mode: Mode = "auto") -> pd.DataFrame:
    """The drivers of each manager's sales volume, from counts and sums.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per manager: ``manager, orders, sales_volume`` and, for the leads mode,
        ``leads_closed, leads_won`` (:data:`COUNT_COLUMNS`).
    mode : {"auto", "leads", "orders"}, default "auto"
        ``"leads"``: the four drivers of the leads mode; ``"orders"``: ``orders x average_check`` only (the
        lead columns are NaN); ``"auto"``: leads when ``counts`` has lead counts (not all NaN).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DRIVER_COLUMNS`, one row per manager sorted by manager.

    Raises
    ------
    ParameterError
        If a column is missing, a count or sum is negative, ``leads_won > leads_closed``, or a manager
        has a non-zero ``sales_volume`` without orders.

    Notes
    -----
    ``conversion = leads_won / leads_closed``, ``orders_per_win = orders / leads_won``,
    ``average_check = sales_volume / orders``. NaN policy: a ratio is NaN when its denominator is 0 (0/0:
    the driver is undefined because an earlier driver in the chain is 0), except ``orders_per_win``, which
    is ``inf`` when there are orders but no won leads (the leads identity then has no finite drivers;
    :func:`kpi_toolkit.gap.decompose_gap` falls back to ``orders x average_check`` for that manager).
    NaN counts give NaN drivers.

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["b", "a"], "leads_closed": [10, 0], "leads_won": [0, 0],
    ...                        "orders": [3, 0], "sales_volume": [300.0, 0.0]})
    >>> drivers = drivers_from_counts(counts)
    >>> drivers[["manager", "leads_closed", "conversion", "orders_per_win", "average_check"]]
      manager  leads_closed  conversion  orders_per_win  average_check
    0       a           0.0         NaN             NaN            NaN
    1       b          10.0         0.0             inf          100.0
    """
    _check_choice("mode", mode, MODES)
    lead_columns = ("leads_closed", "leads_won") if mode == "leads" else ()
    frame = _by_manager(counts, "counts", ("orders", "sales_volume", *lead_columns))
    use_leads = mode == "leads" or (mode == "auto" and _has_leads(frame))
    checked = ["orders", "sales_volume", *(("leads_closed", "leads_won") if use_leads else ())]
    for column in checked:
        negative = frame[column] < 0
        if negative.any():
            raise ParameterError(
                f"counts: {column!r} is negative for managers {_rows(negative)}. "
                "Fix: counts and sales volumes are sums of non-negative amounts."
            )
    orders, volume = frame["orders"], frame["sales_volume"]
    if ((orders == 0) & (volume != 0)).any():
        raise ParameterError(
            f"counts: managers {_rows((orders == 0) & (volume != 0))} have a sales_volume without orders. "
            "Fix: sales_volume must be the sum of the managers' orders' amounts."
        )
    out = pd.DataFrame(index=frame.index)
    out["sales_volume"] = volume
    out["leads_closed"] = np.nan
    out["conversion"] = np.nan
    out["orders_per_win"] = np.nan
    out["orders"] = orders
    out["average_check"] = _ratio(volume, orders)
    if use_leads:
        closed, won = frame["leads_closed"], frame["leads_won"]
        if (won > closed).any():
            raise ParameterError(
                f"counts: leads_won exceeds leads_closed for managers {_rows(won > closed)}. "
                "Fix: a won lead is a closed lead; count it in both."
            )
        out["leads_closed"] = closed
        out["conversion"] = _ratio(won, closed)
        out["orders_per_win"] = _ratio(orders, won).mask((won == 0) & (orders > 0), np.inf)
    return out.reset_index().loc[:, list(DRIVER_COLUMNS)]
