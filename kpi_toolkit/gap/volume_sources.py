""":func:`volume_sources`: each manager's sales volume split into lead-sourced and other orders."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.kpis import period_sums
from kpi_toolkit.periods import Period

#: Columns of :func:`volume_sources`.
VOLUME_SOURCE_COLUMNS = (
    "manager",
    "sales_volume",
    "lead_volume",
    "other_volume",
    "lead_share",
    "orders",
    "lead_orders",
    "other_orders",
)


def volume_sources(data: SalesData, *, period: str | Period, team: str | None = None) -> pd.DataFrame:
    """Each manager's sales volume split into orders that carry a lead (lead-sourced) and the others.

    Parameters
    ----------
    data : SalesData
        A validated data set.
    period : str or Period
        The period, e.g. ``"2026Q3"``.
    team : str, optional
        Only this team's managers.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VOLUME_SOURCE_COLUMNS`: ``manager, sales_volume, lead_volume, other_volume,
        lead_share, orders, lead_orders, other_orders``, one row per manager (sorted) and a row ``TOTAL``.

    Notes
    -----
    This is what the ``orders_per_win`` driver of :func:`plan_gap` mixes together: orders per won lead of
    the same period counts every order, also repeat orders of old customers and orders from leads closed
    in other periods. An order is lead-sourced when its ``lead_id`` is filled. When no order of the data
    set carries a ``lead_id`` (the column is absent or empty) the split is unknown: the lead and other
    columns are NaN. ``lead_share`` is NaN without volume.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-07-03", "2026-07-09"], "amount": [300.0, 100.0],
    ...                        "lead_id": ["L1", None]})
    >>> leads = pd.DataFrame({"lead_id": ["L1"], "manager": ["ann"], "created_at": ["2026-06-01"],
    ...                       "status": ["won"], "closed_at": ["2026-07-02"]})
    >>> kt.volume_sources(kt.from_frames(orders, leads=leads), period="2026Q3")[
    ...     ["manager", "lead_volume", "other_volume", "lead_share"]]
      manager  lead_volume  other_volume  lead_share
    0     ann        300.0         100.0        0.75
    1   TOTAL        300.0         100.0        0.75
    """
    p = data.period(period)
    managers = data.managers_of(team, period=p)  # the period's managers, as manager_kpis
    sums = period_sums(data, months=p.months, managers=managers, team=team)  # a mover's part in the team
    out = pd.DataFrame(
        {
            "manager": [str(m) for m in sums.index],
            "sales_volume": sums["sales_volume"].to_numpy(dtype="float64"),
            "lead_volume": sums["lead_volume"].to_numpy(dtype="float64"),
            "orders": sums["orders"].to_numpy(dtype="float64"),
            "lead_orders": sums["lead_orders"].to_numpy(dtype="float64"),
        }
    )
    total = out.drop(columns="manager").sum().to_frame().T.assign(manager="TOTAL")
    out = pd.concat([out, total], ignore_index=True)
    known = "lead_id" in data.orders.columns and bool(data.orders["lead_id"].notna().any())
    if not known:
        out[["lead_volume", "lead_orders"]] = np.nan
    out["other_volume"] = out["sales_volume"] - out["lead_volume"]
    out["other_orders"] = out["orders"] - out["lead_orders"]
    out["lead_share"] = (out["lead_volume"] / out["sales_volume"]).where(out["sales_volume"] > 0)
    return out.loc[:, list(VOLUME_SOURCE_COLUMNS)]
