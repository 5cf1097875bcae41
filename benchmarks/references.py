"""The two references the toolkit's aggregation is measured against (issue 8).

- ``pandas_straightforward``: what an analyst would write, one groupby per KPI, then joins.
- ``duckdb_sql``: the same KPIs as one hand-written DuckDB SQL query over the Parquet files (the practical
  limit on this machine).

Both return one row per (manager, quarter) with ``sales_volume, orders, leads_closed, leads_won,
new_customers`` (calendar quarters; ``quarter=None`` for all quarters).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

COLUMNS = ["sales_volume", "orders", "leads_closed", "leads_won", "new_customers"]


def _label(ts: pd.Series) -> pd.Series:
    return ts.dt.year.astype(str) + "Q" + ts.dt.quarter.astype(str)


def _read(folder: Path, table: str, dates: list[str]) -> pd.DataFrame:
    """A table as an analyst reads it: ``read_parquet``, or ``read_csv`` with its dates parsed."""
    if (folder / f"{table}.parquet").exists():
        return pd.read_parquet(folder / f"{table}.parquet")
    return pd.read_csv(folder / f"{table}.csv", parse_dates=dates)


def pandas_straightforward(folder: Path, quarter: str | None = None) -> pd.DataFrame:
    orders = _read(folder, "orders", ["ordered_at"])
    leads = _read(folder, "leads", ["created_at", "closed_at"])
    orders["quarter"] = _label(orders["ordered_at"])
    closed = leads[leads["status"] != "open"].copy()
    closed["quarter"] = _label(closed["closed_at"])
    first = orders.sort_values(["customer_id", "ordered_at", "order_id"]).drop_duplicates("customer_id")
    if quarter:
        orders, closed, first = (t[t["quarter"] == quarter] for t in (orders, closed, first))
    keys = ["manager", "quarter"]
    volume = orders.groupby(keys, observed=True)["amount"].sum().rename("sales_volume")
    count = orders.groupby(keys, observed=True)["order_id"].count().rename("orders")
    n_closed = closed.groupby(keys, observed=True)["lead_id"].count().rename("leads_closed")
    won = (
        closed[closed["status"] == "won"].groupby(keys, observed=True)["lead_id"].count().rename("leads_won")
    )
    new = first.groupby(keys, observed=True)["customer_id"].count().rename("new_customers")
    out = pd.concat([volume, count, n_closed, won, new], axis=1).fillna(0)
    out.index = out.index.set_names(keys)
    return out.reset_index().astype({"manager": str}).sort_values(keys, ignore_index=True)


SQL = """
with o as (
  select *, cast(year(ordered_at) as varchar) || 'Q' || cast(quarter(ordered_at) as varchar) as quarter
  from {orders}
), l as (
  select manager, status,
         cast(year(closed_at) as varchar) || 'Q' || cast(quarter(closed_at) as varchar) as quarter
  from {leads} where status <> 'open'
), firsts as (
  select arg_min(manager, (ordered_at, order_id)) as manager,
         arg_min(quarter, (ordered_at, order_id)) as quarter
  from o group by customer_id
), ord as (
  select manager, quarter, sum(amount) as sales_volume, count(*) as orders from o {where} group by all
), lds as (
  select manager, quarter, count(*) as leads_closed, count(*) filter (where status = 'won') as leads_won
  from l {where} group by all
), nc as (
  select manager, quarter, count(*) as new_customers from firsts {where} group by all
)
select manager, quarter,
       coalesce(ord.sales_volume, 0) as sales_volume, coalesce(ord.orders, 0) as orders,
       coalesce(lds.leads_closed, 0) as leads_closed, coalesce(lds.leads_won, 0) as leads_won,
       coalesce(nc.new_customers, 0) as new_customers
from ord full join lds using (manager, quarter) full join nc using (manager, quarter)
order by manager, quarter
"""


def _scan(folder: Path, table: str) -> str:
    if (folder / f"{table}.parquet").exists():
        return f"read_parquet('{folder / f'{table}.parquet'}')"
    return f"read_csv('{folder / f'{table}.csv'}')"  # DuckDB's own detection of types and dates


def _connect() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})


def duckdb_sql(folder: Path, quarter: str | None = None) -> pd.DataFrame:
    where = f"where quarter = '{quarter}'" if quarter else ""
    query = SQL.format(orders=_scan(folder, "orders"), leads=_scan(folder, "leads"), where=where)
    return _connect().sql(query).df().astype({"manager": str})


def duckdb_read_csv(folder: Path) -> dict[str, int]:
    """DuckDB's own ``read_csv`` of orders and leads into tables (types and dates detected): what loading a
    CSV export costs with no validation at all. Returns the rows read per table."""
    con = _connect()
    rows = {}
    for table in ("orders", "leads"):
        con.sql(f"CREATE TABLE {table} AS SELECT * FROM {_scan(folder, table)}")
        rows[table] = con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    return rows
