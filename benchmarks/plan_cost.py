"""What a realistic plan table adds to loading: the same small orders and leads with and without a plan of
2,000 managers x 36 months x 3 metrics (216,000 month rows) plus its quarters and years (306,000 rows), on
DuckDB and pandas, from Parquet and CSV. CPU time (user + system, every thread) and wall time, best of N.

    python benchmarks/plan_cost.py --out benchmarks/output/plan-cost [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

import generate

import kpi_toolkit as kt


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/output/plan-cost"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for fmt in ("parquet", "csv"):
        with_plan = generate.generate(args.out / f"plan-{fmt}", orders=20_000, leads=8_000, managers=2_000,
                                      plan="monthly", plan_metrics=3, fmt=fmt)  # fmt: skip
        without = args.out / f"none-{fmt}"
        without.mkdir(parents=True, exist_ok=True)
        for table in ("orders", "leads", "managers"):
            shutil.copy(with_plan / f"{table}.{fmt}", without / f"{table}.{fmt}")
        for engine in ("duckdb", "pandas"):
            best = {}
            for name, folder in (("without plan", without), ("with plan", with_plan)):
                runs = []
                for _ in range(args.repeat):
                    wall, cpu = time.perf_counter(), _cpu()
                    data = kt.load(folder, engine=engine)
                    kt.manager_kpis(data, period="2025Q2")
                    runs.append((time.perf_counter() - wall, _cpu() - cpu))
                best[name] = (min(r[0] for r in runs), min(r[1] for r in runs))
            added = [best["with plan"][i] - best["without plan"][i] for i in (0, 1)]
            (wall0, cpu0), (wall1, cpu1) = best["without plan"], best["with plan"]
            print(
                f"{fmt:8s} {engine:7s} without plan {wall0:6.2f} s ({cpu0:5.2f} CPU)  "
                f"with plan {wall1:6.2f} s ({cpu1:5.2f} CPU)  "
                f"added {added[0]:5.2f} s ({added[1]:5.2f} s CPU)",
                flush=True,
            )


if __name__ == "__main__":
    main()
