"""A large canonical data set for the benchmarks: fast, seeded, written in chunks, shaped like real exports.

Default: 10 million orders, 4 million leads, 2,000 managers in 40 teams, three years (2024-2026), Parquet,
integer ids that increase, dictionary-encoded managers, no plan. Options make it look like other exports:

- ``--ids``: ``int`` (1, 2, ...), ``text`` (``O123``, ``L456``, ``C789``, as CRMs and ERPs write them) or
  ``uuid`` (random UUIDs, in no order) or ``padded`` (``000000000123``: leading zeros that must stay text);
- ``--managers-encoding``: ``dict`` (Parquet dictionary-encoded strings) or ``plain`` (plain strings);
- ``--plan``: ``none``, ``quarterly`` (a ``sales_volume`` target per manager and quarter) or ``monthly``
  (targets per manager and month for ``--plan-metrics`` additive metrics, plus the quarterly and yearly
  targets that are their sums: 2,000 managers x 36 months x 3 metrics = 216,000 month rows);
- ``--format``: ``parquet`` or ``csv`` (UTF-8, comma-delimited, ISO dates, as a database export writes).

    python benchmarks/generate.py --out benchmarks/output/large --orders 10_000_000 --leads 4_000_000 \\
        --ids text --plan monthly --format csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

START = np.datetime64("2024-01-01T00:00:00", "s")
SPAN_S = int((np.datetime64("2027-01-01T00:00:00", "s") - START).astype(np.int64))
CHUNK = 1_000_000
ID_KINDS = ("int", "text", "uuid", "padded")
PLANS = ("none", "quarterly", "monthly")
FORMATS = ("parquet", "csv")
METRICS = ("sales_volume", "orders", "leads_closed")
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _managers(n: int) -> pa.Array:
    return pa.array([f"M{i:05d}" for i in range(n)])


def _uuids(numbers: np.ndarray, salt: int) -> pa.Array:
    """A random-looking, version-4 UUID per number (the same number, the same UUID), as text."""
    rng = np.random.Generator(np.random.PCG64(salt))
    keys = rng.integers(0, 2**63, 2, dtype=np.uint64)
    x = numbers.astype(np.uint64)
    halves = []
    for key in keys:  # a splitmix64-style mix of the number with a key: distinct numbers, distinct UUIDs
        z = x * np.uint64(0x9E3779B97F4A7C15) ^ key
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        halves.append(z ^ (z >> np.uint64(31)))
    raw = np.stack([h.astype(">u8") for h in halves], axis=1).view(np.uint8).reshape(-1, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    digits = np.empty((len(x), 32), dtype=np.uint8)
    digits[:, 0::2] = _HEX[raw >> 4]
    digits[:, 1::2] = _HEX[raw & 0x0F]
    text = np.full((len(x), 36), ord("-"), dtype=np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        text[:, at : at + stop - start] = digits[:, start:stop]
    offsets = pa.py_buffer((np.arange(len(x) + 1, dtype=np.int32) * 36).tobytes())
    return pa.Array.from_buffers(pa.string(), len(x), [None, offsets, pa.py_buffer(text.tobytes())])


def ids(numbers: np.ndarray, kind: str, prefix: str, *, mask: np.ndarray | None = None) -> pa.Array:
    """Ids of ``kind`` for the integers ``numbers`` (``mask``: missing); the same number, the same id."""
    if kind == "int":
        return pa.array(numbers.astype(np.int64), mask=mask)
    if kind == "text":
        text = pc.binary_join_element_wise(
            prefix, pc.cast(pa.array(numbers.astype(np.int64)), pa.string()), ""
        )
    elif kind == "padded":
        text = pc.utf8_lpad(pc.cast(pa.array(numbers.astype(np.int64)), pa.string()), 12, "0")
    else:
        text = _uuids(numbers, salt=ord(prefix))
    return text if mask is None else pc.if_else(pa.array(mask), pa.nulls(len(text), pa.string()), text)


def _manager_column(indices: np.ndarray, dictionary: pa.Array, encoding: str) -> pa.Array:
    encoded = pa.DictionaryArray.from_arrays(pa.array(indices.astype(np.int32)), dictionary)
    return encoded if encoding == "dict" else encoded.cast(dictionary.type)


class _Writer:
    """Writes a table chunk by chunk as Parquet or CSV (dictionaries decoded, ISO dates, missing empty)."""

    def __init__(self, path: Path, fmt: str) -> None:
        self.path, self.fmt, self.writer = path, fmt, None

    def write(self, table: pa.Table) -> None:
        if self.fmt == "csv":
            table = pa.table(
                {
                    name: column.cast(column.type.value_type)
                    if pa.types.is_dictionary(column.type)
                    else column
                    for name, column in zip(table.column_names, table.columns, strict=True)
                }
            )
            table = pa.table(
                {
                    name: pc.strftime(column.cast(pa.timestamp("s")), "%Y-%m-%d %H:%M:%S")
                    if pa.types.is_timestamp(column.type)
                    else column
                    for name, column in zip(table.column_names, table.columns, strict=True)
                }
            )
            options = pacsv.WriteOptions(include_header=self.writer is None, quoting_style="needed")
            self.writer = self.writer or pacsv.CSVWriter(self.path, table.schema, write_options=options)
        else:
            self.writer = self.writer or pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def write_orders(
    path: Path, *, n: int, n_managers: int, n_leads: int, seed: int, id_kind: str = "int",
    managers_encoding: str = "dict", fmt: str = "parquet",
) -> None:  # fmt: skip
    rng = np.random.default_rng([seed, 1])
    managers = _managers(n_managers)
    writer = _Writer(path, fmt)
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        manager = rng.integers(0, n_managers, size)
        at = START + rng.integers(0, SPAN_S, size).astype("timedelta64[s]")
        lead = rng.integers(1, n_leads + 1, size)
        no_lead = rng.random(size) < 0.6  # 40 % of orders come from a lead
        customer = rng.integers(1, max(n // 8, 2), size, dtype=np.int64)
        table = pa.table(
            {
                "order_id": ids(np.arange(start + 1, start + size + 1, dtype=np.int64), id_kind, "O"),
                "manager": _manager_column(manager, managers, managers_encoding),
                "customer_id": ids(customer, id_kind, "C"),
                "ordered_at": pa.array(at.astype("datetime64[us]")),
                "amount": pa.array(np.round(rng.lognormal(10.5, 0.9, size), 2)),
                "lead_id": ids(lead, id_kind, "L", mask=no_lead),
            }
        )
        writer.write(table)
    writer.close()


def write_leads(
    path: Path, *, n: int, n_managers: int, seed: int, id_kind: str = "int", managers_encoding: str = "dict",
    fmt: str = "parquet",
) -> None:  # fmt: skip
    rng = np.random.default_rng([seed, 2])
    managers = _managers(n_managers)
    statuses = pa.array(["won", "lost", "open"])
    writer = _Writer(path, fmt)
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        created = START + rng.integers(0, SPAN_S - 90 * 86_400, size).astype("timedelta64[s]")
        closed = created + rng.integers(3_600, 60 * 86_400, size).astype("timedelta64[s]")
        status = rng.choice(3, size, p=[0.25, 0.65, 0.10])
        closed_us = closed.astype("datetime64[us]")
        table = pa.table(
            {
                "lead_id": ids(np.arange(start + 1, start + size + 1, dtype=np.int64), id_kind, "L"),
                "manager": _manager_column(rng.integers(0, n_managers, size), managers, managers_encoding),
                "created_at": pa.array(created.astype("datetime64[us]")),
                "status": _manager_column(status, statuses, managers_encoding),
                "closed_at": pa.array(closed_us, mask=status == 2),
            }
        )
        writer.write(table)
    writer.close()


def write_managers(path: Path, *, n_managers: int, fmt: str = "parquet") -> None:
    ids_ = [f"M{i:05d}" for i in range(n_managers)]
    writer = _Writer(path, fmt)
    writer.write(
        pa.table({"manager": ids_, "name": [f"Manager {i}" for i in range(n_managers)],
                  "team": [f"T{i % 40:02d}" for i in range(n_managers)]})
    )  # fmt: skip
    writer.close()


def plan_table(*, n_managers: int, grain: str, metrics: int, seed: int) -> pa.Table:
    """Targets for 2024-2026: per manager and quarter (``sales_volume``), or per month for ``metrics`` metrics
    with the quarters' and years' targets equal to the sums of their months (so the plan is consistent)."""
    rng = np.random.default_rng([seed, 3])
    names = METRICS[:metrics] if grain == "monthly" else METRICS[:1]
    managers = np.repeat(np.array([f"M{i:05d}" for i in range(n_managers)]), 36)
    months = np.tile(np.arange(36), n_managers)  # 0 = 2024-01
    years, month = 2024 + months // 12, months % 12 + 1
    parts = []
    for metric in names:
        scale = {"sales_volume": 1_000_000.0, "orders": 25.0, "leads_closed": 12.0}[metric]
        target = np.round(rng.uniform(0.5, 1.5, len(months)) * scale, 0)  # whole numbers: sums are exact
        frame = {"manager": managers, "year": years, "month": month, "target": target}
        parts.append((metric, frame))
    rows: dict[str, list[np.ndarray]] = {"manager": [], "period": [], "metric": [], "target": []}

    def add(manager: np.ndarray, period: np.ndarray, metric: str, target: np.ndarray) -> None:
        rows["manager"].append(manager)
        rows["period"].append(period)
        rows["metric"].append(np.full(len(manager), metric))
        rows["target"].append(target)

    for metric, f in parts:
        quarter = (f["month"] - 1) // 3 + 1
        q_key = f["year"].astype(str) + "Q" + quarter.astype(str)
        # sums over the 3 months of each (manager, quarter), the 12 of each (manager, year): reshape, no loop
        q_target = f["target"].reshape(-1, 3).sum(axis=1)
        q_manager, q_period = f["manager"][::3], q_key[::3]
        if grain == "monthly":
            month_label = np.char.add(
                np.char.add(f["year"].astype(str), "-"), np.char.zfill(f["month"].astype(str), 2)
            )
            add(f["manager"], month_label, metric, f["target"])
            add(q_manager, q_period, metric, q_target)
            add(
                f["manager"][::12],
                f["year"][::12].astype(str),
                metric,
                f["target"].reshape(-1, 12).sum(axis=1),
            )
        else:
            add(q_manager, q_period, metric, q_target)
    return pa.table({k: pa.array(np.concatenate(v)) for k, v in rows.items()})


def generate(
    out: Path, *, orders: int, leads: int, managers: int, seed: int = 8, ids: str = "int",
    managers_encoding: str = "dict", plan: str = "none", plan_metrics: int = 3, fmt: str = "parquet",
) -> Path:  # fmt: skip
    """Write ``orders``, ``leads``, ``managers`` (and ``plans``) into ``out`` in the format ``fmt``."""
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("*.*"):
        if stale.suffix in (".csv", ".parquet"):
            stale.unlink()  # one file per table: a previous run's other format must go
    ext = "csv" if fmt == "csv" else "parquet"
    options = {"id_kind": ids, "managers_encoding": managers_encoding, "fmt": fmt}
    write_orders(out / f"orders.{ext}", n=orders, n_managers=managers, n_leads=leads, seed=seed, **options)
    write_leads(out / f"leads.{ext}", n=leads, n_managers=managers, seed=seed, **options)
    write_managers(out / f"managers.{ext}", n_managers=managers, fmt=fmt)
    if plan != "none":
        writer = _Writer(out / f"plans.{ext}", fmt)
        writer.write(plan_table(n_managers=managers, grain=plan, metrics=plan_metrics, seed=seed))
        writer.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/output/large"))
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--leads", type=int, default=4_000_000)
    parser.add_argument("--managers", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--ids", choices=ID_KINDS, default="int")
    parser.add_argument("--managers-encoding", choices=("dict", "plain"), default="dict")
    parser.add_argument("--plan", choices=PLANS, default="none")
    parser.add_argument("--plan-metrics", type=int, choices=(1, 2, 3), default=3)
    parser.add_argument("--format", choices=FORMATS, default="parquet")
    args = parser.parse_args()
    generate(args.out, orders=args.orders, leads=args.leads, managers=args.managers, seed=args.seed,
             ids=args.ids, managers_encoding=args.managers_encoding, plan=args.plan,
             plan_metrics=args.plan_metrics, fmt=args.format)  # fmt: skip
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
