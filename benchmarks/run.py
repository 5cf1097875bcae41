"""Run the aggregation benchmarks: each case in its own process, wall time and peak resident memory.

    python benchmarks/run.py --data benchmarks/output/large [--repeat 3] [--cases ...]

Peak memory is the resident set size of the process doing the work (``ru_maxrss``), which includes DuckDB's and
Arrow's native memory that Python's tracemalloc cannot see. Results go to ``benchmarks/output/results.csv``
and a table on stdout, with the ratios the goals in benchmarks/README.md are stated in.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
QUARTER, ALL = "2025Q2", "2024Q1:2026Q4"

WORKER = r"""
import json, resource, sys, time, warnings
sys.path.insert(0, {here!r})
case, folder, scope = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if case == "pandas-straightforward":
    from references import pandas_straightforward
    out = pandas_straightforward(__import__("pathlib").Path(folder), None if scope == "all" else {quarter!r})
elif case == "duckdb-sql":
    from references import duckdb_sql
    out = duckdb_sql(__import__("pathlib").Path(folder), None if scope == "all" else {quarter!r})
else:
    import kpi_toolkit as kt
    engine = case.split("-", 1)[1]
    data = kt.load(folder, engine=engine) if engine != "pandas" else kt.load(folder)
    if scope == "all":
        out = kt.kpi_history(data, periods={all!r})
    else:
        out = kt.manager_kpis(data, period={quarter!r})
seconds = time.perf_counter() - start
rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_rss_mib": rss_mib, "rows": len(out)}}))
"""


def run_case(case: str, folder: Path, scope: str) -> dict[str, float]:
    code = WORKER.format(here=str(HERE), quarter=QUARTER, all=ALL)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code, case, str(folder), scope], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        return {"seconds": float("nan"), "peak_rss_mib": float("nan"), "rows": 0,
                "error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "output" / "large")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", nargs="*", default=["pandas-straightforward", "duckdb-sql", "toolkit-pandas",
                                                        "toolkit-duckdb", "toolkit-spark"])
    args = parser.parse_args()
    rows = []
    for scope in ("quarter", "all"):
        for case in args.cases:
            runs = [run_case(case, args.data, scope) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"] if r["seconds"] == r["seconds"] else float("inf"))
            rows.append({"scope": scope, "case": case, **best})
            print(f"{scope:8s} {case:24s} {best['seconds']:8.2f} s {best['peak_rss_mib']:8.0f} MiB "
                  f"{best.get('error', '')}", flush=True)
    table = pd.DataFrame(rows)
    for scope, group in table.groupby("scope"):
        base = group.set_index("case")["seconds"]
        if "toolkit-duckdb" in base:
            print(f"{scope}: toolkit-duckdb / duckdb-sql = {base['toolkit-duckdb'] / base['duckdb-sql']:.2f}x; "
                  f"pandas-straightforward / toolkit-duckdb = "
                  f"{base['pandas-straightforward'] / base['toolkit-duckdb']:.2f}x")
    out = HERE / "output" / "results.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
