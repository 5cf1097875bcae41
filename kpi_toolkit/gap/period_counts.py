"""A data set's counts and rates of a period, per manager, as :func:`kpi_toolkit.plan_gap` decomposes them.

The sums of :func:`kpi_toolkit.kpis.period_sums` (a mover's part in a team with ``assignments``), the return
and margin rates they give, and the returns booked in a period (the bootstrap's pools).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.gap import BASELINE_COLUMNS
from kpi_toolkit.kpis import period_sums
from kpi_toolkit.periods import Period


def _mode(data: SalesData) -> Literal["leads", "orders"]:
    return "leads" if data.leads is not None else "orders"


def _counts(
    data: SalesData, period: Period, managers: Sequence[str], team: str | None = None
) -> pd.DataFrame:
    """Counts per manager (``COUNT_COLUMNS``; the lead counts NaN without a leads table), then ``returns``
    and ``gross_margin`` (NaN without costs), as :func:`kpi_toolkit.manager_kpis` counts them (with ``team``
    and ``assignments``, only the orders, leads and returns that belong to the team)."""
    sums = period_sums(data, months=period.months, managers=managers, team=team)
    counts = pd.DataFrame(
        {
            "manager": [str(m) for m in sums.index],
            "orders": sums["orders"].to_numpy(dtype="float64"),
            "sales_volume": sums["sales_volume"].to_numpy(dtype="float64"),
        }
    )
    if data.leads is not None:
        counts["leads_closed"] = sums["leads_closed"].to_numpy(dtype="float64")
        counts["leads_won"] = sums["leads_won"].to_numpy(dtype="float64")
    else:
        counts["leads_closed"] = np.nan
        counts["leads_won"] = np.nan
    returns = sums["returns"].to_numpy(dtype="float64")
    counts["returns"] = returns
    margin = counts["sales_volume"] - returns - sums["order_cost"].to_numpy(dtype="float64")
    counts["gross_margin"] = (
        (margin + sums["return_cost"].to_numpy(dtype="float64")) if data.has_costs else np.nan
    )
    return counts.loc[:, ["manager", "leads_closed", "leads_won", "orders", "sales_volume", *_MONEY]]


#: The sums of :func:`_counts` after the counts of ``COUNT_COLUMNS``.
_MONEY = ("returns", "gross_margin")
#: The rates each plan metric adds to the volume drivers (:data:`kpi_toolkit.gap.GAP_METRICS`).
_RATES = {"sales_volume": (), "net_sales": ("return_rate",), "gross_margin": ("return_rate", "margin_rate")}


def _rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Per manager: ``return_rate = returns / sales_volume`` and ``margin_rate = gross_margin / net_sales``
    (NaN where the denominator is 0): the extra factors of a baseline taken from counts."""
    volume = counts["sales_volume"].astype("float64")
    net = volume - counts["returns"].astype("float64")
    return pd.DataFrame(
        {
            "manager": counts["manager"].astype("str").to_numpy(),
            "return_rate": (counts["returns"] / volume).where(volume != 0).to_numpy(dtype="float64"),
            "margin_rate": (counts["gross_margin"] / net).where(net != 0).to_numpy(dtype="float64"),
        }
    )


def _with_rates(base: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """``base`` with the ``return_rate`` and ``margin_rate`` of ``rates`` (matched by manager)."""
    table = rates.set_index("manager").reindex(columns=["return_rate", "margin_rate"])
    keys = base["manager"].astype("str")
    return base.assign(
        return_rate=keys.map(table["return_rate"]).astype("float64").to_numpy(),
        margin_rate=keys.map(table["margin_rate"]).astype("float64").to_numpy(),
    )


def _pooled_rates(counts: pd.DataFrame, managers: Sequence[str]) -> pd.DataFrame:
    """The team's pooled rates (summed returns over summed volume, summed margin over summed net sales),
    one row per manager."""
    total = counts[["sales_volume", "returns", "gross_margin"]].sum(min_count=1).to_frame().T
    pooled = _rates(total.assign(manager="team")).iloc[0]
    return pd.DataFrame(
        {
            "manager": list(managers),
            "return_rate": pooled["return_rate"],
            "margin_rate": pooled["margin_rate"],
        }
    )


def _return_pools(data: SalesData, period: Period, team: str | None = None) -> dict[str, np.ndarray]:
    """Each manager's returns booked in ``period`` (in ``team``, with ``assignments``: those booked while the
    manager was in it): rows of (amount, cost; 0 without costs)."""
    returns = data.resolved_returns
    if returns is None:
        return {}
    when = pd.to_datetime(returns["returned_at"])
    booked = returns[(when >= period.start) & (when < period.end)]
    if team and data.membership.dated:
        booked = booked[data.membership.holds(team, booked["manager"], booked["returned_at"])]
    pairs = booked.assign(cost=booked["cost"].astype("float64").fillna(0.0))
    return {
        str(m): g[["amount", "cost"]].to_numpy(dtype="float64")
        for m, g in pairs.groupby("manager", sort=True)
    }


def _missing_baseline(managers: Sequence[str], note: str) -> pd.DataFrame:
    base = pd.DataFrame(np.nan, index=range(len(managers)), columns=list(BASELINE_COLUMNS[1:-1]))
    base.insert(0, "manager", [str(m) for m in managers])
    return base.assign(reference=note)


def _covered(data: SalesData, period: Period) -> bool:
    """Whether the data covers ``period`` at least in part (it does not end before the data starts)."""
    return period.end > data.first_date.normalize() and period.start <= data.last_date
