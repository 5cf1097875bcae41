"""Returns resolved on a lazy engine by a semi-join with the returned orders' ids (kpi_toolkit.returns):
the same managers and costs as on pandas, also for an order of amount 0 and a return without an order."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from kpi_toolkit.engines.lazy import small_frame
from kpi_toolkit.returns import resolve_returns

ORDERS = pd.DataFrame(
    {
        "order_id": ["1", "2", "3", "4"],
        "manager": ["ann", "bob", "ann", "cid"],
        "amount": [200.0, 0.0, 50.0, 80.0],
        "cost": [120.0, 10.0, 40.0, 20.0],
    }
)
RETURNS = pd.DataFrame(
    {
        "return_id": ["r1", "r2", "r3", "r4", "r5"],
        "order_id": pd.array(["1", "2", None, "1", "3"], dtype="string"),
        "manager": pd.array([None, None, "bob", None, None], dtype="string"),
        "returned_at": pd.to_datetime(["2026-10-02", "2026-10-03", "2026-10-05", "2026-11-01", "2026-11-02"]),
        "amount": [50.0, 5.0, 20.0, 10.0, 25.0],
        "cost": [np.nan, np.nan, np.nan, 9.0, np.nan],
    }
)


def test_the_semi_join_on_duckdb_resolves_as_pandas_does():
    connection = duckdb.connect()
    orders = connection.from_arrow(pa.Table.from_pandas(ORDERS, preserve_index=False))
    lazy = lambda small: small_frame("duckdb", connection, small)  # noqa: E731
    on_duckdb = resolve_returns(RETURNS, orders, has_costs=True, lazy=lazy)
    on_pandas = resolve_returns(RETURNS, ORDERS, has_costs=True)
    pd.testing.assert_frame_equal(on_duckdb, on_pandas, check_exact=True)
    # ann's order 1 has cost ratio 0.6, order 2 an amount of 0 (no ratio: cost 0), r3 no order (cost 0),
    # r4 its own cost, r5 order 3's ratio 0.8
    assert on_pandas["manager"].tolist() == ["ann", "bob", "bob", "ann", "ann"]
    assert on_pandas["cost"].tolist() == [30.0, 0.0, 0.0, 9.0, 20.0]
    without = resolve_returns(
        RETURNS, orders.select("order_id", "manager", "amount"), has_costs=False, lazy=lazy
    )
    assert without["manager"].tolist() == on_pandas["manager"].tolist()
    assert without["cost"].isna().tolist() == [True, True, True, False, True]
