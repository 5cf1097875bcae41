"""A simulated company for the plan simulations: managers over 12 quarters with seasonality and growth, and
targets at each manager's expected volume (fair plans, not fitted to the outcome), optionally raised."""

from __future__ import annotations

import numpy as np
import pandas as pd

import kpi_toolkit as kt

QUARTERS = [str(p) for p in kt.parse_periods("2024Q1:2026Q4")]
SEASON = np.array([0.8, 1.0, 1.0, 1.2])  # by quarter of the year
GROWTH = 1.02  # per quarter


def company(rng, *, raise_by=0.0, managers=12, orders=40, mean_amount=1000.0, weaker=1.0):
    """Orders of ``managers`` over 12 quarters with seasonality and growth; targets at the expected volume
    (times ``1 + raise_by``); manager ``m00`` sells ``weaker`` times what the plan expects of them."""
    sizes = rng.uniform(0.6, 1.4, managers)
    rows, plans = [], []
    sd = 0.8
    mu = np.log(mean_amount) - sd**2 / 2
    for q, label in enumerate(QUARTERS):
        start = pd.Period(label, freq="Q").start_time
        rate = orders * SEASON[q % 4] * GROWTH**q
        for m in range(managers):
            n = rng.poisson(rate * sizes[m] * (weaker if m == 0 else 1.0))
            days = rng.integers(0, 90, n)
            for k, (day, amount) in enumerate(zip(days, rng.lognormal(mu, sd, n), strict=True)):
                rows.append(
                    (
                        f"o{q}-{m}-{k}",
                        f"m{m:02d}",
                        f"c{m}-{k % 7}",
                        start + pd.Timedelta(days=int(day)),
                        amount,
                    )
                )
            target = rate * sizes[m] * mean_amount * (1 + raise_by)
            plans.append((f"m{m:02d}", label, "sales_volume", round(target, 2)))
    orders_frame = pd.DataFrame(rows, columns=["order_id", "manager", "customer_id", "ordered_at", "amount"])
    ids = [f"m{m:02d}" for m in range(managers)]
    managers_frame = pd.DataFrame({"manager": ids, "name": ids, "team": "T"})
    return kt.from_frames(
        orders_frame,
        plans=pd.DataFrame(plans, columns=["manager", "period", "metric", "target"]),
        managers=managers_frame,
    )
