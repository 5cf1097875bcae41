"""The pandas engine's order sums (kpi_toolkit.eager_sums) against the expressions every engine runs.

Same numbers to the last bit: the money sums are pandas' group sums over the same rows in the same order.
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd
import pytest

from kpi_toolkit import aggregate
from kpi_toolkit.eager_sums import order_sums

KEYS = ["manager", "_year", "_month"]


def _expressions(orders: pd.DataFrame) -> pd.DataFrame:
    return nw.to_native(aggregate._order_sums(nw.from_native(orders).lazy()).collect())


def _orders(n: int, seed: int, *, with_cost: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    amount = np.round(rng.lognormal(5, 2, n), 2)
    amount[rng.random(n) < 0.1] = 0.0  # zero amounts have no logarithm
    orders = pd.DataFrame(
        {
            "order_id": pd.array([f"O{i}" for i in range(n)], dtype="string"),
            "manager": pd.array(rng.choice(["ann", "bob", "cy", "dee"], n), dtype="string"),
            # before and after 1970, across years: months are counted from 1970-01 here
            "ordered_at": pd.Timestamp("1968-11-15") + pd.to_timedelta(rng.integers(0, 30_000, n), unit="D"),
            "amount": amount,
            "lead_id": pd.array([f"L{i}" if i % 3 else None for i in range(n)], dtype="string"),
        }
    )
    if with_cost:
        orders["cost"] = np.where(rng.random(n) < 0.2, np.nan, amount * 0.6)
    return orders


@pytest.mark.parametrize("with_cost", [True, False])
def test_eager_order_sums_equal_the_expressions(with_cost: bool) -> None:
    orders = _orders(5_000, 13, with_cost=with_cost)
    eager = order_sums(orders).sort_values(KEYS, ignore_index=True)
    expected = _expressions(orders).sort_values(KEYS, ignore_index=True)
    assert list(eager.columns) == list(expected.columns)
    assert len(eager) == len(expected) > 100
    assert eager["manager"].tolist() == expected["manager"].tolist()
    for column in eager.columns[1:]:
        assert (eager[column].to_numpy() == expected[column].to_numpy()).all(), column  # bit for bit


def test_eager_order_sums_without_lead_ids_and_with_no_rows() -> None:
    orders = _orders(300, 5, with_cost=False).drop(columns="lead_id")
    assert order_sums(orders)["lead_orders"].sum() == 0
    assert order_sums(orders)["orders"].sum() == 300
    empty = order_sums(_orders(0, 5, with_cost=True))
    assert len(empty) == 0 and "sales_volume" in empty


def test_monthly_stats_on_pandas_is_the_same_with_the_expressions(monkeypatch: pytest.MonkeyPatch) -> None:
    orders = _orders(2_000, 7, with_cost=True).assign(customer_id=lambda f: "C" + (f.index % 300).astype(str))
    eager = aggregate.monthly_stats(orders)
    monkeypatch.setattr(
        aggregate,
        "_order_part",
        lambda o, teams, keys: aggregate._order_sums(aggregate._in_team(o, teams, ""), keys),
    )
    pd.testing.assert_frame_equal(eager, aggregate.monthly_stats(orders))
    assert eager["orders"].sum() == 2_000
