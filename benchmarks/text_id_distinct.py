"""Cheaper exact checks of text ids on DuckDB: candidates for uniqueness, unknown leads and white space.

Times, on a generated folder with text ids or UUIDs (Parquet), the DuckDB engine's checks the hand-written SQL
does not make, each against the candidates that would replace it: the distinct count of the ids' 64-bit hashes
(in the counting query, or apart: by partitions of the hashes, a sort in DuckDB, or the hashes fetched as one
``uint64`` array and sorted in NumPy), the anti-join of unknown lead ids, and the printable test of a text
column (first and last character). Every candidate gives the same answer; a hash only proves two ids differ.
CPU seconds of each query (every thread), best of N; see benchmarks/README.md, "Fifth round: text ids at 10
million".

    python benchmarks/text_id_distinct.py --data /tmp/text-monthly-parquet-10000000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np


def _neighbours(hashes: np.ndarray) -> int:
    """Distinct values of sorted ``hashes``."""
    return int(np.count_nonzero(hashes[1:] != hashes[:-1])) + int(hashes.size > 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="a folder from generate.py, --ids text/uuid")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    con = duckdb.connect()
    orders, leads = (f"'{args.data / name}.parquet'" for name in ("orders", "leads"))
    base = "count(order_id), count(lead_id), sum(amount), min(ordered_at), max(ordered_at)"
    hashed = f"(SELECT hash(order_id) AS h FROM {orders} WHERE order_id IS NOT NULL)"

    def query(sql: str) -> Callable[[], object]:
        return lambda: con.sql(sql).fetchall()

    def query_numpy(sql: str) -> Callable[[], object]:
        return lambda: con.sql(sql).fetchnumpy()

    def sorted_in_numpy(sql: str) -> Callable[[], object]:
        def run() -> int:
            hashes = con.sql(sql).fetchnumpy()["h"]
            hashes.sort()
            return _neighbours(hashes)

        return run

    def partitioned_in_numpy() -> int:  # by the top 8 bits (a radix pass), then a sort per partition
        hashes = con.sql(f"SELECT h FROM {hashed}").fetchnumpy()["h"]
        part = (hashes >> np.uint64(56)).astype(np.uint8)
        grouped = hashes[np.argsort(part, kind="stable")]
        ends = np.cumsum(np.bincount(part, minlength=256))
        return sum(_neighbours(np.sort(c)) for c in np.split(grouped, ends[:-1]))

    def printable(first: str) -> str:
        return f"count(*) FILTER (WHERE {first} AND ascii(customer_id[-1]) BETWEEN 33 AND 126)"

    by_bytes = "(customer_id COLLATE C) >= '!' AND (customer_id COLLATE C) < chr(127)"
    candidates: dict[str, Callable[[], object]] = {
        "orders: counting without uniqueness (a stand-in)": query(f"SELECT {base} FROM {orders}"),
        "orders: + distinct count of hashes in it (main)": query(
            f"SELECT {base}, count(DISTINCT hash(order_id)) FROM {orders}"
        ),
        "orders: distinct count of hashes, own query": query(f"SELECT count(DISTINCT h) FROM {hashed}"),
        "orders: GROUP BY 16 partitions of the hashes, h": query(
            f"SELECT count(*) FROM (SELECT h FROM {hashed} GROUP BY h >> 60, h)"
        ),
        "orders: 8 queries, one per top-3-bit partition": lambda: [
            con.sql(f"SELECT count(DISTINCT h) FROM {hashed} WHERE h >> 61 = {k}").fetchall()
            for k in range(8)
        ],
        "orders: sorted in DuckDB, neighbours by a window": query(
            f"SELECT count(*) FROM (SELECT h = lag(h) OVER (ORDER BY h) AS e FROM {hashed}) WHERE e"
        ),
        "orders: sorted in DuckDB, fetched, neighbours in NumPy": lambda: _neighbours(
            con.sql(f"SELECT h FROM {hashed} ORDER BY h").fetchnumpy()["h"]
        ),
        "orders: hashes fetched (uint64), nothing else": query_numpy(f"SELECT h FROM {hashed}"),
        "orders: hashes fetched, sorted in NumPy (kept)": sorted_in_numpy(f"SELECT h FROM {hashed}"),
        "orders: hashes fetched, 256 partitions sorted in NumPy": partitioned_in_numpy,
        "leads: count": query(f"SELECT count(lead_id) FROM {leads}"),
        "leads: + distinct count of hashes in it (main)": query(
            f"SELECT count(lead_id), count(DISTINCT hash(lead_id)) FROM {leads}"
        ),
        "leads: hashes fetched, sorted in NumPy (kept)": sorted_in_numpy(
            f"SELECT hash(lead_id) AS h FROM {leads} WHERE lead_id IS NOT NULL"
        ),
        "unknown leads: anti-join (main)": query(
            f"SELECT count(*) FROM {orders} o ANTI JOIN {leads} l ON o.lead_id = l.lead_id "
            "WHERE o.lead_id IS NOT NULL"
        ),
        "unknown leads: anti-join on (hash, text)": query(
            f"SELECT count(*) FROM (SELECT lead_id, hash(lead_id) h FROM {orders} WHERE lead_id IS NOT NULL) "
            f"o ANTI JOIN (SELECT lead_id, hash(lead_id) h FROM {leads}) l "
            "ON o.h = l.h AND o.lead_id = l.lead_id"
        ),
        "unknown leads: semi-join count": query(
            f"SELECT count(*) FROM {orders} o SEMI JOIN {leads} l ON o.lead_id = l.lead_id"
        ),
        "unknown leads: distinct lead ids of orders, then anti-join": query(
            f"SELECT count(*) FROM (SELECT DISTINCT lead_id FROM {orders} WHERE lead_id IS NOT NULL) o "
            f"ANTI JOIN {leads} l ON o.lead_id = l.lead_id"
        ),
        "printable, one column: no test (count only)": query(
            f"SELECT count(*) FILTER (WHERE customer_id IS NOT NULL) FROM {orders}"
        ),
        "printable: ascii(x) and ascii(x[-1]) (main)": query(
            f"SELECT {printable('ascii(customer_id) BETWEEN 33 AND 126')} FROM {orders}"
        ),
        "printable: first byte by comparison, COLLATE C (kept)": query(
            f"SELECT {printable(by_bytes)} FROM {orders}"
        ),
        "printable: last character by right(x, 1)": query(
            f"SELECT count(*) FILTER (WHERE ascii(right(customer_id, 1)) BETWEEN 33 AND 126) FROM {orders}"
        ),
        "printable: last character by a glob class": query(
            f"SELECT count(*) FILTER (WHERE customer_id GLOB '*[\"-~!]') FROM {orders}"
        ),
        "printable: last character by ascii(reverse(x))": query(
            f"SELECT count(*) FILTER (WHERE ascii(reverse(customer_id)) BETWEEN 33 AND 126) FROM {orders}"
        ),
        "printable: last character by ascii(x[-1]) (main, kept)": query(
            f"SELECT count(*) FILTER (WHERE ascii(customer_id[-1]) BETWEEN 33 AND 126) FROM {orders}"
        ),
    }
    for name, run in candidates.items():
        best = float("inf")
        for _ in range(args.repeat):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
        print(f"{best:7.3f} s  {name}", flush=True)


if __name__ == "__main__":
    main()
