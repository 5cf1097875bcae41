"""What checking text ids of one prefix and a number ("O123", "L456") as integers would save on DuckDB.

Times, on a generated folder with text ids, the queries the DuckDB engine runs for uniqueness and unknown lead
ids (a distinct count of 64-bit hashes, an anti-join) against the same checks on the ids' numbers, with the
text-to-number mapping proven one to one in the scan: an id counts as a number only where it equals the
prefix followed by that number written back as text (``order_id = 'O' || n::VARCHAR``): DuckDB's cast alone
reads "O+5", "O 5", "O05" and "O5.0" as the number of "O5", and "O1_000", "O1e3" as that of "O1000".
CPU seconds of each query (every thread), best of N; see benchmarks/README.md, "Text ids of one prefix".

    python benchmarks/text_id_numbers.py --data /tmp/text-monthly-parquet-10000000 [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder from generate.py with --ids text")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    con = duckdb.connect()
    orders, leads = (f"'{args.data / name}.parquet'" for name in ("orders", "leads"))
    [(rows,)] = con.sql(f"SELECT count(*) FROM {orders}").fetchall()
    top = 4 * int(rows)  # a guessed range for a bitmap in the same scan (ids outside it fail the check)
    base = "count(order_id), count(lead_id), sum(amount), min(ordered_at), max(ordered_at)"
    number = "try_cast(substr({}, 2) AS BIGINT)"
    n, m = number.format("order_id"), number.format("lead_id")
    fits = f"n BETWEEN 0 AND {top}"
    queries = {
        "orders: counting without uniqueness": f"SELECT {base} FROM {orders}",
        "orders: + distinct count of hashes (the engine's)": (
            f"SELECT {base}, count(DISTINCT hash(order_id)) FROM {orders}"
        ),
        "orders: + round-trip check, range of the numbers": (
            f"SELECT {base}, count(*) FILTER (WHERE order_id = 'O' || n::VARCHAR), min(n), max(n) "
            f"FROM (SELECT *, {n} AS n FROM {orders})"
        ),
        "orders: bitmap over the numbers (a scan of its own)": (
            f"SELECT bit_count(bitstring_agg({n}, 0, {top})) FROM {orders}"
        ),
        "orders: + check and bitmap in the same scan": (
            f"SELECT {base}, count(*) FILTER (WHERE order_id = 'O' || n::VARCHAR AND {fits}), "
            f"bit_count(bitstring_agg(CASE WHEN {fits} THEN n END, 0, {top})) "
            f"FROM (SELECT *, {n} AS n FROM {orders})"
        ),
        "leads: + distinct count of hashes": (
            f"SELECT count(lead_id), count(DISTINCT hash(lead_id)) FROM {leads}"
        ),
        "leads: + check and bitmap in the same scan": (
            f"SELECT count(lead_id), count(*) FILTER (WHERE lead_id = 'L' || n::VARCHAR AND {fits}), "
            f"bit_count(bitstring_agg(CASE WHEN {fits} THEN n END, 0, {top})) "
            f"FROM (SELECT *, {m} AS n FROM {leads})"
        ),
        "unknown leads: anti-join": (
            f"SELECT count(*) FROM {orders} o ANTI JOIN {leads} l ON o.lead_id = l.lead_id "
            "WHERE o.lead_id IS NOT NULL"
        ),
        "unknown leads: two bitmaps of the numbers": (
            f"SELECT bit_count(a & ~b) FROM (SELECT bitstring_agg({m}, 0, {top}) AS a FROM {orders}), "
            f"(SELECT bitstring_agg({m}, 0, {top}) AS b FROM {leads})"
        ),
    }
    for name, query in queries.items():
        best = float("inf")
        for _ in range(args.repeat):
            start = time.process_time()
            con.sql(query).fetchall()
            best = min(best, time.process_time() - start)
        print(f"{best:7.3f} s  {name}", flush=True)


if __name__ == "__main__":
    main()
