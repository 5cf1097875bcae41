"""What the alert list costs for a large sales force: 2,000 managers in 40 teams, 12 quarters, a quarterly
``sales_volume`` target for each manager, on the pandas engine.

The data set is the generator's (``benchmarks/generate.py --plan quarterly``, 400,000 orders, 160,000 leads).
Each case runs in its own process after ``kt.load``; reported: wall and CPU seconds (CPU summed over threads,
steadier on a shared machine) of ``kt.alerts(data, period="2026Q3")`` (pacing, the systematic-miss verdicts
against the plan and against colleagues, and the plan's realism over 8 quarters) and of
``kt.plan_realism(data, periods="2024Q4:2026Q3")`` alone, each on a freshly loaded data set. Best of
``--repeat`` runs.

    python benchmarks/alerts_cost.py --out benchmarks/output/alerts [--repeat 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import generate

WORKER = r"""
import resource, sys, time
import kpi_toolkit as kt
import kpi_toolkit.plan_gap, kpi_toolkit.plan_realism, scipy.stats  # imports outside the measurement
folder, case = sys.argv[1], sys.argv[2]
data = kt.load(folder, engine="pandas")
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
wall, start = time.perf_counter(), cpu()
if case == "alerts":
    kt.alerts(data, period="2026Q3")
else:
    kt.plan_realism(data, periods="2024Q4:2026Q3")
print(f"{time.perf_counter() - wall:.3f} {cpu() - start:.3f}")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/output/alerts"))
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    if not (args.out / "plans.parquet").exists():
        generate.generate(args.out, orders=400_000, leads=160_000, managers=2_000, plan="quarterly")
    print("case          wall s   CPU s")
    for case in ("alerts", "plan_realism"):
        runs = []
        for _ in range(args.repeat):
            command = [sys.executable, "-c", WORKER, str(args.out), case]
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            runs.append([float(x) for x in done.stdout.split()])
        wall, cpu = min(r[0] for r in runs), min(r[1] for r in runs)
        print(f"{case:12s} {wall:7.2f} {cpu:7.2f}", flush=True)


if __name__ == "__main__":
    main()
