"""What returns cost on a lazy engine: orders with costs and returns of 3 % of them, loaded on DuckDB.

The data set is the generator's (``benchmarks/generate.py``, text ids) plus a ``cost`` per order (60 % of its
amount) and a ``returns`` table naming 3 % of the orders (returned 1-30 days later, part of the amount; cost
left empty, so that the order's cost ratio applies). Each case runs in its own process; reported: the wall
time of ``kt.load`` (validation includes the rules between returns and orders), of resolving the returns
(``SalesData.resolved_returns``: each return's manager and cost, from the orders it names; with its CPU
time, steadier on a shared machine) and of ``kt.manager_kpis`` for one quarter after it, and the peak
resident memory of the process (``ru_maxrss``, after loading and after resolving). Best of ``--repeat``.

    python benchmarks/returns_cost.py --out benchmarks/output/returns [--orders 1_500_000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import generate
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent

WORKER = r"""
import resource, sys, time
import kpi_toolkit as kt
folder, engine = sys.argv[1], sys.argv[2]
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
t0 = time.perf_counter()
data = kt.load(folder, engine=engine)
t1, c1 = time.perf_counter(), cpu(); load_peak = peak()
resolved = data.resolved_returns
t2, c2 = time.perf_counter(), cpu(); resolve_peak = peak()
kt.manager_kpis(data, period="2025Q2")
t3 = time.perf_counter()
print(f"{t1 - t0:.3f} {t2 - t1:.3f} {c2 - c1:.3f} {t3 - t2:.3f} {load_peak:.0f} {resolve_peak:.0f}")
"""


def add_returns(folder: Path, *, share: float, seed: int) -> int:
    """Give every order a cost (60 % of its amount) and write ``returns.parquet`` for ``share`` of them."""
    orders = pq.read_table(folder / "orders.parquet")
    orders = orders.append_column("cost", pc.round(pc.multiply(orders["amount"], 0.6), 2))
    pq.write_table(orders, folder / "orders.parquet")
    rng = np.random.default_rng([seed, 4])
    picked = np.sort(rng.choice(orders.num_rows, int(orders.num_rows * share), replace=False))
    returned = orders.take(pa.array(picked))
    n = returned.num_rows
    later = rng.integers(1, 31, n).astype("timedelta64[D]").astype("timedelta64[us]")
    at = returned["ordered_at"].to_numpy().astype("datetime64[us]") + later
    fraction = rng.uniform(0.1, 1.0, n)
    amount = np.maximum(np.floor(returned["amount"].to_numpy() * fraction * 100) / 100, 0.01)
    returns = pa.table(
        {
            "return_id": pa.array([f"R{i}" for i in range(1, n + 1)]),
            "returned_at": pa.array(at),
            "amount": pa.array(amount),
            "order_id": returned["order_id"],
            "manager": pa.nulls(n, pa.string()),
            "cost": pa.nulls(n, pa.float64()),
        }
    )
    pq.write_table(returns, folder / "returns.parquet")
    return n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/output/returns"))
    parser.add_argument("--orders", type=int, default=1_500_000)
    parser.add_argument("--share", type=float, default=0.03)
    parser.add_argument("--engines", nargs="+", default=["duckdb"])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not (args.out / "returns.parquet").exists():
        generate.generate(
            args.out, orders=args.orders, leads=args.orders * 2 // 5, managers=2_000, ids="text"
        )
        print(f"{add_returns(args.out, share=args.share, seed=8):,} returns of {args.orders:,} orders")
    print("engine   load s  resolve s (CPU s)  kpis s  peak after load MiB  peak after resolve MiB")
    for engine in args.engines:
        runs = []
        for _ in range(args.repeat):
            done = subprocess.run(
                [sys.executable, "-c", WORKER, str(args.out), engine],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append([float(x) for x in done.stdout.split()])
        best = [min(r[i] for r in runs) for i in range(6)]
        print(
            f"{engine:8s} {best[0]:6.2f} {best[1]:10.2f} ({best[2]:5.2f}) {best[3]:7.2f} {best[4]:20,.0f} "
            f"{best[5]:23,.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
