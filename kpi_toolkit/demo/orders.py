"""The demo's orders: won leads' orders and customers' repeat orders (:func:`_orders`), each with a cost of
goods (:func:`_costs`; M04 sells at deep discounts), and the about 3 % of orders that come back
(:func:`_returns`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.demo.company import (
    _CHECK_MEDIAN,
    _CHECK_SIGMA,
    _INITIAL_CUSTOMERS,
    _REPEAT_RATE,
    _REPEAT_SCALE,
    DEMO_END,
    DEMO_START,
    _stream,
    _window,
)

_MARGIN, _MARGIN_SD, _DISCOUNTER_MARGIN = 0.32, 0.06, 0.12  # gross margin rate of an order
_DISCOUNTER = "M04"
_RETURN_SHARE, _RETURN_DAYS = 0.03, 20.0  # orders returned (in part or whole); mean days until the return


def _orders(
    seed: int,
    leads: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    *,
    part: int = 0,
    employment: dict[str, tuple[pd.Timestamp, pd.Timestamp]] | None = None,
    first_customer: int = 1,
    first_id: int = 1,
) -> pd.DataFrame:
    """Orders of won leads and repeat orders; with ``employment``, a joiner starts without customers and
    a leaver's customers order from them only until they leave."""
    rng = _stream(seed, "orders", part)
    rows, n_customers = [], first_customer - 1
    customers: dict[str, list[tuple[str, pd.Timestamp]]] = {}
    for manager in profiles:
        base = []
        joined = _window(manager, employment or {})[0] > DEMO_START.value
        for _ in range(0 if joined else _INITIAL_CUSTOMERS):
            n_customers += 1
            base.append((f"C{n_customers:05d}", DEMO_START))
        customers[manager] = base
    won = leads[leads["status"] == "won"]
    for lead in won.itertuples(index=False):
        profile = profiles[lead.manager]
        own = customers[lead.manager]
        if rng.random() < 0.2 and own:
            customer = own[rng.integers(len(own))][0]
        else:
            n_customers += 1
            customer = f"C{n_customers:05d}"
            own.append((customer, lead.closed_at))
        amount = profile["check"] * rng.lognormal(np.log(_CHECK_MEDIAN), _CHECK_SIGMA)
        rows.append((lead.manager, customer, lead.closed_at, amount, lead.lead_id))
    for manager, own in customers.items():
        profile = profiles[manager]
        end = min(DEMO_END.value, _window(manager, employment or {})[1])
        for customer, since in own:
            span_months = (end - since.value) / (30.44 * 86_400e9)
            n = rng.poisson(_REPEAT_RATE * max(span_months, 0.0))
            times = pd.to_datetime(rng.integers(since.value, end, size=n)).floor("min")
            amounts = profile["check"] * _REPEAT_SCALE * rng.lognormal(np.log(_CHECK_MEDIAN), _CHECK_SIGMA, n)
            rows.extend((manager, customer, t, a, None) for t, a in zip(times, amounts, strict=True))
    orders = pd.DataFrame(rows, columns=["manager", "customer_id", "ordered_at", "amount", "lead_id"])
    orders = orders.sort_values(["ordered_at", "manager", "customer_id"], kind="stable").reset_index(
        drop=True
    )
    orders.insert(0, "order_id", [f"SO{i:06d}" for i in range(first_id, first_id + len(orders))])
    orders["amount"] = orders["amount"].round(2)
    orders["lines"] = 1 + rng.poisson(1.5, len(orders))
    orders["discount"] = rng.choice([0.0, 0.05, 0.1], size=len(orders), p=[0.6, 0.3, 0.1])
    return orders


def _costs(seed: int, orders: pd.DataFrame, *, part: int = 0) -> np.ndarray:
    """Cost of goods per order: amount x (1 - margin rate), the rate ~ N(32 %, 6 %), M04's ~ N(12 %, 6 %)."""
    rng = _stream(seed, "costs", part)
    mean = np.where(orders["manager"] == _DISCOUNTER, _DISCOUNTER_MARGIN, _MARGIN)
    rate = np.clip(rng.normal(mean, _MARGIN_SD), -0.1, 0.8)
    return (orders["amount"].to_numpy() * (1 - rate)).round(2)


def _returns(
    seed: int, orders: pd.DataFrame, *, part: int = 0, until: pd.Series | None = None, first_id: int = 1
) -> pd.DataFrame:
    """About 3 % of orders come back, half whole, the rest in part, weeks later (some in the next quarter).

    Returns after the end of the data are not yet booked; their cost is left to the order's ratio.
    ``until`` (per order, the day after its manager left): a leaver's later returns are not in the data.
    """
    rng = _stream(seed, "returns", part)
    back = rng.random(len(orders)) < _RETURN_SHARE
    share = np.where(rng.random(len(orders)) < 0.5, 1.0, rng.uniform(0.2, 0.8, len(orders)))
    delay = pd.to_timedelta(1 + rng.exponential(_RETURN_DAYS, len(orders)), unit="D")
    returned = (orders["ordered_at"] + delay).dt.floor("min")
    keep = back & (returned <= DEMO_END).to_numpy()
    if until is not None:
        keep &= (returned < until).to_numpy()
    out = pd.DataFrame(
        {
            "returned_at": returned[keep].to_numpy(),
            "amount": (orders["amount"].to_numpy() * share)[keep].round(2),
            "order_id": orders["order_id"].to_numpy()[keep],
        }
    )
    out = out.sort_values(["returned_at", "order_id"], kind="stable", ignore_index=True)
    out.insert(0, "return_id", [f"RT{i:05d}" for i in range(first_id, first_id + len(out))])
    return out
