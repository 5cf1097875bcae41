"""A large canonical data set in Parquet for the benchmarks: fast, seeded, written in chunks.

Default: 10 million orders, 4 million leads, 2,000 managers in 40 teams, three years (2024-2026).
Ids are integers (the loader treats ids as text); managers and statuses are dictionary-encoded strings.

    python benchmarks/generate.py --out benchmarks/output/large --orders 10_000_000 --leads 4_000_000
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_S = int((np.datetime64("2027-01-01T00:00:00", "s") - START).astype(np.int64))
CHUNK = 1_000_000


def _managers(n: int) -> pa.Array:
    return pa.array([f"M{i:05d}" for i in range(n)])


def _dict(indices: np.ndarray, dictionary: pa.Array) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), dictionary)


def write_orders(path: Path, *, n: int, n_managers: int, n_leads: int, seed: int) -> None:
    rng = np.random.default_rng([seed, 1])
    managers = _managers(n_managers)
    writer = None
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        manager = rng.integers(0, n_managers, size)
        at = START + rng.integers(0, SPAN_S, size).astype("timedelta64[s]")
        lead = rng.integers(1, n_leads + 1, size).astype(np.float64)
        lead[rng.random(size) < 0.6] = np.nan  # 40 % of orders come from a lead
        table = pa.table(
            {
                "order_id": pa.array(np.arange(start + 1, start + size + 1, dtype=np.int64)),
                "manager": _dict(manager, managers),
                "customer_id": pa.array(rng.integers(1, n // 8, size, dtype=np.int64)),
                "ordered_at": pa.array(at.astype("datetime64[us]")),
                "amount": pa.array(np.round(rng.lognormal(10.5, 0.9, size), 2)),
                "lead_id": pa.array(lead, mask=np.isnan(lead)).cast(pa.int64()),
            }
        )
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    if writer:
        writer.close()


def write_leads(path: Path, *, n: int, n_managers: int, seed: int) -> None:
    rng = np.random.default_rng([seed, 2])
    managers = _managers(n_managers)
    statuses = pa.array(["won", "lost", "open"])
    writer = None
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        created = START + rng.integers(0, SPAN_S - 90 * 86_400, size).astype("timedelta64[s]")
        closed = created + rng.integers(3_600, 60 * 86_400, size).astype("timedelta64[s]")
        status = rng.choice(3, size, p=[0.25, 0.65, 0.10])
        closed_us = closed.astype("datetime64[us]")
        table = pa.table(
            {
                "lead_id": pa.array(np.arange(start + 1, start + size + 1, dtype=np.int64)),
                "manager": _dict(rng.integers(0, n_managers, size), managers),
                "created_at": pa.array(created.astype("datetime64[us]")),
                "status": _dict(status, statuses),
                "closed_at": pa.array(closed_us, mask=status == 2),
            }
        )
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    if writer:
        writer.close()


def write_managers(path: Path, *, n_managers: int) -> None:
    ids = [f"M{i:05d}" for i in range(n_managers)]
    pq.write_table(
        pa.table({"manager": ids, "name": [f"Manager {i}" for i in range(n_managers)],
                  "team": [f"T{i % 40:02d}" for i in range(n_managers)]}),
        path,
    )


def generate(out: Path, *, orders: int, leads: int, managers: int, seed: int = 8) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    write_orders(out / "orders.parquet", n=orders, n_managers=managers, n_leads=leads, seed=seed)
    write_leads(out / "leads.parquet", n=leads, n_managers=managers, seed=seed)
    write_managers(out / "managers.parquet", n_managers=managers)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/output/large"))
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--leads", type=int, default=4_000_000)
    parser.add_argument("--managers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    generate(args.out, orders=args.orders, leads=args.leads, managers=args.managers, seed=args.seed)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
