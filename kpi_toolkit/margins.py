"""The units behind a manager's margin rate: each order and each return of a period, with its margin.

``margin_rate`` (:func:`kpi_toolkit.manager_kpis`) is a ratio of sums over these units: an order adds its
amount to net sales and ``amount - cost`` to the margin; a return booked in the period takes its amount and
``amount - cost`` back (negative rows). A comparison of margin rates tests these units
(:func:`kpi_toolkit.stats.margin.compare_margin_rates`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import active_managers
from kpi_toolkit.periods import Period, parse_periods

__all__ = ["MARGIN_UNIT_COLUMNS", "margin_units"]

#: Columns of :func:`margin_units`.
MARGIN_UNIT_COLUMNS = ("manager", "kind", "id", "at", "sales", "margin")


def margin_units(
    data: SalesData, *, period: str | Period | Sequence[str | Period], team: str | None = None
) -> pd.DataFrame:
    """Every order and return of ``period`` of the team's managers, with its sales and margin.

    Parameters
    ----------
    data : SalesData
        A validated data set whose orders have costs (``data.has_costs``).
    period : str, Period or sequence
        A period label, a range ``"2026Q1:2026Q3"`` or a list of labels.
    team : str, optional
        Only this team's managers; every manager when ``None`` or empty. With an ``assignments`` table (team
        moves), a manager who was in the team on some day of the period, with only the orders (by
        ``ordered_at``) and returns (by ``returned_at``) of their days in it, as
        :func:`kpi_toolkit.manager_kpis`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MARGIN_UNIT_COLUMNS`: ``kind`` is ``order`` or ``return``, ``id`` the order or return
        id, ``at`` its date; orders have ``sales = amount`` and ``margin = amount - cost``; returns booked in
        the period have ``sales = -amount`` and ``margin = -(amount - cost)`` (their cost as in
        :mod:`kpi_toolkit.returns`). Sorted by manager, kind and id. Per manager, ``margin.sum() /
        sales.sum()`` is ``manager_kpis``'s ``margin_rate`` (when the period is one period; with ``team``,
        ``manager_kpis(team=team)``'s).

    Raises
    ------
    ParameterError
        When the orders have no costs.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-07-01", "2026-08-01"], "amount": [100.0, 300.0],
    ...                        "cost": [60.0, 150.0]})
    >>> returns = pd.DataFrame({"return_id": ["r"], "returned_at": ["2026-08-10"], "amount": [100.0],
    ...                         "order_id": ["2"]})
    >>> units = margin_units(kt.from_frames(orders, returns=returns), period="2026Q3")
    >>> units[["kind", "id", "sales", "margin"]].values.tolist()
    [['order', '1', 100.0, 40.0], ['order', '2', 300.0, 150.0], ['return', 'r', -100.0, -50.0]]
    """
    if not data.has_costs:
        raise ParameterError(
            "the margin rate needs the cost of goods of every order, and the orders have no cost column. "
            "Fix: add a cost column to orders (or derive it in the mapping)."
        )
    parts = (
        [period]
        if isinstance(period, Period)
        else parse_periods(period, fiscal_year_start=data.fiscal_year_start, name="period")
    )
    managers = active_managers(data, parts, team)
    months = sorted({m for p in parts for m in p.months})
    orders = data.sample_orders(periods=parts, managers=managers, max_orders=None)
    moved = (
        bool(team) and data.membership.dated
    )  # a mover: only the orders and returns of their days in the team
    if moved:
        orders = orders[data.membership.holds(str(team), orders["manager"], orders["ordered_at"])]
    frames = [
        pd.DataFrame(
            {
                "manager": orders["manager"],
                "kind": "order",
                "id": orders["order_id"],
                "at": orders["ordered_at"],
                "sales": orders["amount"].astype("float64"),
                "margin": (orders["amount"] - orders["cost"]).astype("float64"),
            }
        )
    ]
    resolved = data.resolved_returns
    if resolved is not None:
        inside = resolved["returned_at"].dt.strftime("%Y-%m").isin(months) & resolved["manager"].isin(
            managers
        )
        booked = resolved[inside]
        if moved:
            booked = booked[data.membership.holds(str(team), booked["manager"], booked["returned_at"])]
        frames.append(
            pd.DataFrame(
                {
                    "manager": booked["manager"],
                    "kind": "return",
                    "id": booked["return_id"].astype("string"),
                    "at": booked["returned_at"],
                    "sales": -booked["amount"].astype("float64"),
                    "margin": -(booked["amount"] - booked["cost"].fillna(0.0)).astype("float64"),
                }
            )
        )
    units = pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)
    units = units.astype({"manager": "string", "kind": "string", "id": "string"})
    units = units.sort_values(["manager", "kind", "id"], kind="stable", ignore_index=True)
    assert np.isfinite(units["margin"]).all()
    return units.loc[:, list(MARGIN_UNIT_COLUMNS)]
