"""Returns and their orders: a known order, its manager, not booked before it, never more than its amount."""

from __future__ import annotations

import pandas as pd

from kpi_toolkit.errors import Violation
from kpi_toolkit.row_checks import _violation

__all__ = ["check_returns"]


def check_returns(returns: pd.DataFrame, orders: pd.DataFrame, *, source: str) -> list[Violation]:
    """The rules between returns and their orders (``orders``: at least the orders the returns name).

    A return's ``order_id`` must be an order; when it names a ``manager`` too, the order's; it is not booked
    before its order; and the returns of one order never credit more than the order's amount.
    """
    linked = returns[returns["order_id"].notna()]
    if not len(linked):
        return []
    keyed = orders.loc[:, ["order_id", "manager", "ordered_at", "amount"]].astype({"order_id": "string"})
    joined = linked.astype({"order_id": "string"}).merge(
        keyed, on="order_id", how="left", suffixes=("", "_order"), indicator=True
    )
    joined.index = linked.index
    known = joined["_merge"] == "both"
    violations = []
    unknown = linked[~known]
    if len(unknown):
        violations.append(
            _violation(
                "returns",
                source,
                "order_id",
                "order_id not found in the orders table",
                "correct the order_id, or leave it empty and name the manager",
                unknown,
            )
        )
    clash = joined[known & joined["manager"].notna() & (joined["manager"] != joined["manager_order"])]
    if len(clash):
        pairs = sorted(
            {(str(a), str(b)) for a, b in zip(clash["manager"], clash["manager_order"], strict=True)}
        )
        shown = "; ".join(f"{a!r} on the return, {b!r} on the order" for a, b in pairs[:3])
        violations.append(
            _violation(
                "returns",
                source,
                "manager",
                f"manager differs from the order's manager ({shown})",
                "a return belongs to its order's manager: correct or clear the return's manager",
                linked.loc[clash.index],
            )
        )
    early = joined[known & (joined["returned_at"] < joined["ordered_at"])]
    if len(early):
        violations.append(
            _violation(
                "returns",
                source,
                "returned_at",
                "returned_at is before the order's ordered_at",
                "check both dates: a return is booked on or after its order",
                linked.loc[early.index],
            )
        )
    credited = joined[known].groupby("order_id", sort=False)["amount"].transform("sum")
    order_amount = joined.loc[known, "amount_order"]
    over = credited > order_amount * (1 + 1e-9) + 1e-9
    if over.any():
        violations.append(
            _violation(
                "returns",
                source,
                "amount",
                "the returns of an order add up to more than the order's amount",
                "check the amounts: an order cannot be credited more than it was sold for",
                linked.loc[over[over].index],
            )
        )
    return violations
