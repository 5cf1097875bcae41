"""What pacing costs for a large sales force, and how much of it is the open book (issue 13's follow-up):
``kt.pacing`` of all 2,000 managers (the generator of ``benchmarks/alerts_cost.py``: 40 teams, 12 quarters, a
quarterly ``sales_volume`` target each) and ``kt.alerts``, with the open books of every day from one fetch as
they are (``kpi_toolkit.open_book_days``) and, with ``--by-day``, a query, a sort and ``open_book`` per day as
before, or with ``--loops`` the manager-by-manager ``open_book`` per day (both from tests/pipeline_loops.py),
each run on a freshly loaded data set. Reported: wall and CPU seconds (``time.process_time``, all threads) and
the load average before the run; best of ``--repeat``. The period is judged on a day inside it (``--as-of``),
so that the pipeline projection counts (``kt.alerts`` of a complete period does not use it).

    python benchmarks/pacing_cost.py --out benchmarks/output/alerts [--engine duckdb] [--by-day | --loops] \\
        [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import generate

import kpi_toolkit as kt
import kpi_toolkit.pacing_pipeline as pacing_pipeline
import kpi_toolkit.plan_gap  # imports outside the measurement


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/output/alerts"))
    parser.add_argument("--engine", default="pandas")
    parser.add_argument("--orders", type=int, default=400_000)
    parser.add_argument("--leads", type=int, default=160_000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--by-day", action="store_true", help="a query, a sort and open_book per day")
    parser.add_argument("--loops", action="store_true", help="the manager-by-manager open book (the oracle)")
    parser.add_argument("--cases", default="pacing,alerts")
    parser.add_argument("--period", default="2026Q4")
    parser.add_argument("--as-of", default="2026-11-15", help="a day inside the period: its pipeline counts")
    args = parser.parse_args()
    if not (args.out / "plans.parquet").exists():
        generate.generate(args.out, orders=args.orders, leads=args.leads, managers=2_000, plan="quarterly")
    book = "one fetch"
    if args.loops or args.by_day:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from pipeline_loops import open_book, pipeline_projection_by_day

        from kpi_toolkit.open_book import open_book as vectorised

        pacing_pipeline.pipeline_projection = pipeline_projection_by_day(
            open_book if args.loops else vectorised
        )
        book = "loops, by day" if args.loops else "vectorised, by day"
    print(f"open book: {book}, engine {args.engine}, load {os.getloadavg()}")
    print("case          wall s   CPU s")
    for case in args.cases.split(","):
        runs = []
        for _ in range(args.repeat):
            data = kt.load(args.out, engine=args.engine)  # each run on a freshly loaded data set (no caches)
            wall, cpu = time.perf_counter(), time.process_time()
            if case == "pacing":
                kt.pacing(data, period=args.period, as_of=args.as_of)
            else:
                kt.alerts(data, period=args.period, as_of=args.as_of)
            runs.append((time.perf_counter() - wall, time.process_time() - cpu))
        print(f"{case:12s} {min(r[0] for r in runs):7.2f} {min(r[1] for r in runs):7.2f}", flush=True)


if __name__ == "__main__":
    main()
