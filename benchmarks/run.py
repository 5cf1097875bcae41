"""Run the aggregation benchmarks: each case in its own process, wall time and peak resident memory.

    python benchmarks/run.py --data benchmarks/output/large [--repeat 3] [--cases ...]
    python benchmarks/run.py --matrix [--orders 2_000_000] [--ids int text uuid] [--plans quarterly monthly]
                             [--formats parquet csv] [--repeat 2]

``--matrix`` generates (once, under ``benchmarks/output/matrix``) a data set per id kind x plan x file format
(``benchmarks/generate.py``) and runs every case on each, one quarter and all quarters; on CSV data sets it
also measures ``kt.load(folder, engine="duckdb")`` alone (scope ``load``) against DuckDB's own ``read_csv`` of
the same files (``duckdb-read-csv``).

``seconds`` is the wall time of the work (load, validate, aggregate, KPIs; for the references their query)
after the imports; ``setup_seconds`` the imports before it (and, for Spark, starting the local session).
Both sides exclude imports the same way: the references import pandas and duckdb as set-up, and since
``import kpi_toolkit`` is lazy (PEP 562: its modules load on first use), the toolkit cases import, as set-up,
the modules their work would otherwise import inside the timed part (``TOOLKIT_MODULES``: pandas, numpy,
pyarrow, narwhals, yaml, ``kpi_toolkit.loading``, ``.kpis``, ``.aggregate``, ``.engines.lazy``,
``.engines.queries``; plus duckdb and ``kpi_toolkit.engines.duckdb``, or ``kpi_toolkit.engines.spark``:
about 0.45 s on an idle core); ``cpu_seconds`` the CPU time of the work summed over the process's threads
(steadier than wall time on a shared machine; Spark's work runs in the JVM and is not in it). The worker
imports ``kpi_toolkit`` from ``PYTHONPATH`` (or the installed package), never from the current directory, so
that an A/B run with ``PYTHONPATH=<checkout>`` measures that checkout wherever it is started.
Peak memory is the resident set size of the process doing the work (``ru_maxrss``), which includes DuckDB's and
Arrow's native memory that Python's tracemalloc cannot see; for Spark the JVM is a child process and its peak
is reported as ``jvm_peak_rss_mib``. Results go to ``benchmarks/output/results.csv`` and a table on stdout,
with whether each case's KPI table agrees with the first case's (``agrees``: counts exactly, money to
1e-9 relative) and the ratios the goals in benchmarks/README.md are stated in (on the work, and on work
plus set-up).
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
sys.path.insert(0, {here!r})  # run with -P: PYTHONPATH (or the installed package) decides which kpi_toolkit
case, folder, scope = sys.argv[1], sys.argv[2], sys.argv[3]
started = time.perf_counter()
COLUMNS = ["sales_volume", "orders", "leads_closed", "leads_won", "new_customers"]
TOOLKIT_MODULES = ("pandas", "numpy", "pyarrow", "narwhals", "yaml", "kpi_toolkit.loading",
                   "kpi_toolkit.kpis", "kpi_toolkit.aggregate", "kpi_toolkit.engines.lazy",
                   "kpi_toolkit.engines.queries")
ENGINE_MODULES = {{"duckdb": ("duckdb", "kpi_toolkit.engines.duckdb"),
                  "spark": ("kpi_toolkit.engines.spark",)}}
if case in ("pandas-straightforward", "duckdb-sql", "duckdb-read-csv"):
    import references
else:
    import kpi_toolkit as kt
    engine = case.split("-", 1)[1]
    import importlib
    # kpi_toolkit's exports are lazy (PEP 562): import here, as set-up, what the work would import on first use
    for module in TOOLKIT_MODULES + ENGINE_MODULES.get(engine, ()):
        importlib.import_module(module)
    session = None
    if engine == "spark":
        from kpi_toolkit.engines.spark import get_session
        session = get_session("local[2]")  # started here: its ~18 s are set-up, reported apart
        session.sparkContext.setLogLevel("ERROR")
setup = time.perf_counter() - started
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
start, cpu_start = time.perf_counter(), cpu()
out = None
if case == "duckdb-read-csv":
    references.duckdb_read_csv(__import__("pathlib").Path(folder))
elif case == "pandas-straightforward":
    out = references.pandas_straightforward(__import__("pathlib").Path(folder), None if scope == "all" else {quarter!r})
elif case == "duckdb-sql":
    out = references.duckdb_sql(__import__("pathlib").Path(folder), None if scope == "all" else {quarter!r})
else:
    data = kt.load(folder, engine=engine, connection=session)
    if scope == "load":
        pass
    elif scope == "all":
        out = kt.kpi_history(data, periods={all!r})
    else:
        out = kt.manager_kpis(data, period={quarter!r})
seconds = time.perf_counter() - start
cpu_seconds = cpu() - cpu_start  # every thread of the process (DuckDB's too; not Spark's JVM)
if out is not None and case.startswith("toolkit"):  # the references' shape: one row per manager and quarter, five columns
    out = out.reset_index()
    if "period" not in out:
        out["period"] = {quarter!r}
    out = out.rename(columns={{"period": "quarter"}})
    out = out[(out[COLUMNS].fillna(0) != 0).any(axis=1)]  # the references list only managers with activity
if out is not None:
    out = out[["manager", "quarter", *COLUMNS]].astype({{"manager": str, "quarter": str}})
    out.sort_values(["manager", "quarter"], ignore_index=True).to_parquet(sys.argv[4])
rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
jvm_mib = 0.0
if case == "toolkit-spark":  # the JVM is a child process: its peak resident size (VmHWM) from /proc
    jvm = session.sparkContext._gateway.proc.pid
    status = open(f"/proc/{{jvm}}/status").read().splitlines()
    jvm_mib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024
print(json.dumps({{"seconds": seconds, "cpu_seconds": cpu_seconds, "setup_seconds": setup, "peak_rss_mib": rss_mib,
                  "jvm_peak_rss_mib": jvm_mib, "rows": 0 if out is None else len(out)}}))
"""


def run_case(case: str, folder: Path, scope: str, kpis: Path) -> dict[str, float]:
    """One run of ``case`` in a fresh process; its KPI table is written to ``kpis``."""
    code = WORKER.format(here=str(HERE), quarter=QUARTER, all=ALL)
    started = time.perf_counter()
    # -P: the current folder is not put first on sys.path, so PYTHONPATH chooses the code measured (an A/B of
    # two checkouts run from one of them would otherwise measure that one twice)
    done = subprocess.run([sys.executable, "-P", "-c", code, case, str(folder), scope, str(kpis)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"seconds": float("nan"), "peak_rss_mib": float("nan"), "rows": 0,
                "error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - started
    return result


def agrees(table: Path, reference: Path) -> bool:
    """Whether two KPI tables agree: the same managers and quarters, counts exactly, money to 1e-9 relative."""
    if not (table.exists() and reference.exists()):
        return False
    a, b = pd.read_parquet(table), pd.read_parquet(reference)
    if a[["manager", "quarter"]].values.tolist() != b[["manager", "quarter"]].values.tolist():
        return False
    counts = ["orders", "leads_closed", "leads_won", "new_customers"]
    money = ((a["sales_volume"] - b["sales_volume"]).abs() <= 1e-9 * b["sales_volume"].abs()).all()
    return bool(money and (a[counts].astype("int64").values == b[counts].astype("int64").values).all())


def run_cases(folder: Path, cases: list[str], scopes: tuple[str, ...], repeat: int, kpis: Path,
              **labels: object) -> list[dict]:  # fmt: skip
    """Best of ``repeat`` runs of each case and scope on ``folder``; tables checked against the first case's."""
    rows = []
    kpis.mkdir(parents=True, exist_ok=True)
    for scope in scopes:
        for case in cases:
            table = kpis / f"{scope}-{case}.parquet"
            table.unlink(missing_ok=True)
            runs = [run_case(case, folder, scope, table) for _ in range(repeat)]
            best = min(runs, key=lambda r: r["seconds"] if r["seconds"] == r["seconds"] else float("inf"))
            reference = kpis / f"{scope}-{cases[0]}.parquet"  # the first case is the reference
            # `load` and DuckDB's read_csv make no KPI table: nothing to compare
            agreed = agrees(table, reference) if scope != "load" and case != "duckdb-read-csv" else None
            rows.append({**labels, "scope": scope, "case": case, **best, "agrees": agreed})
            print(f"{' '.join(map(str, labels.values())):28s} {scope:8s} {case:24s} {best['seconds']:8.2f} s "
                  f"(+{best.get('setup_seconds', 0):5.2f} s set-up, {best.get('cpu_seconds', 0):6.2f} s CPU) "
                  f"{best['peak_rss_mib']:8.0f} MiB {best.get('jvm_peak_rss_mib', 0):8.0f} MiB JVM "
                  f"agrees: {agreed} {best.get('error', '')}", flush=True)
    return rows


def ratios(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per data set and scope: toolkit-duckdb / duckdb-sql and pandas-straightforward / toolkit-duckdb (wall and
    CPU), toolkit-pandas / pandas-straightforward peak memory; for ``load``, toolkit-duckdb / duckdb-read-csv."""
    out = []
    for key, group in table.groupby([*keys, "scope"], sort=False):
        base = group.set_index("case")
        row = dict(zip([*keys, "scope"], key if isinstance(key, tuple) else (key,), strict=True))
        if "toolkit-duckdb" not in base.index:
            continue
        duck = base.loc["toolkit-duckdb"]
        for what in ("seconds", "cpu_seconds"):
            if "duckdb-sql" in base.index:
                row[f"vs_sql_{what}"] = duck[what] / base.loc["duckdb-sql", what]
            if "pandas-straightforward" in base.index:
                row[f"pandas_speedup_{what}"] = base.loc["pandas-straightforward", what] / duck[what]
            if "duckdb-read-csv" in base.index:
                row[f"vs_read_csv_{what}"] = duck[what] / base.loc["duckdb-read-csv", what]
        row["duckdb_peak_mib"] = duck["peak_rss_mib"]
        if {"toolkit-pandas", "pandas-straightforward"} <= set(base.index):
            row["pandas_memory_ratio"] = (
                base.loc["toolkit-pandas", "peak_rss_mib"] / base.loc["pandas-straightforward", "peak_rss_mib"]
            )
        out.append(row)
    return pd.DataFrame(out)


def matrix(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(HERE))
    import generate

    leads = args.leads if args.leads is not None else int(args.orders * 0.4)
    rows = []
    for fmt in args.formats:
        for ids in args.ids:
            for plan in args.plans:
                name = f"{ids}-{plan}-{fmt}-{args.orders}"
                folder = HERE / "output" / "matrix" / name
                if not (folder / "done").exists():
                    started = time.perf_counter()
                    generate.generate(folder, orders=args.orders, leads=leads, managers=2_000, ids=ids, plan=plan,
                                      plan_metrics=3, fmt=fmt,
                                      managers_encoding="dict" if fmt == "parquet" else "plain")  # fmt: skip
                    (folder / "done").write_text("")
                    print(f"generated {name} in {time.perf_counter() - started:.1f} s", flush=True)
                labels = {"ids": ids, "plan": plan, "format": fmt, "orders": args.orders}
                rows += run_cases(folder, args.cases, tuple(args.scopes), args.repeat, folder / "kpis", **labels)
                if fmt == "csv":
                    rows += run_cases(folder, ["toolkit-duckdb", "duckdb-read-csv"], ("load",), args.repeat,
                                      folder / "kpis", **labels)  # fmt: skip
                pd.DataFrame(rows).to_csv(args.out, index=False)  # after every data set: nothing lost
    table = pd.DataFrame(rows)
    summary = ratios(table, ["ids", "plan", "format", "orders"])
    print(summary.to_string(float_format=lambda x: f"{x:.2f}"))
    summary.to_csv(args.out.with_name(args.out.stem + "-ratios.csv"), index=False)
    print(f"wrote {args.out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "output" / "large")
    parser.add_argument("--out", type=Path, default=HERE / "output" / "results.csv")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", nargs="*", default=["pandas-straightforward", "duckdb-sql", "toolkit-pandas",
                                                        "toolkit-duckdb", "toolkit-spark"])
    parser.add_argument("--matrix", action="store_true", help="generate and run the id kind x plan x format matrix")
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--leads", type=int, default=None)
    parser.add_argument("--ids", nargs="*", default=["int", "text", "uuid"])
    parser.add_argument("--plans", nargs="*", default=["quarterly", "monthly"])
    parser.add_argument("--formats", nargs="*", default=["parquet", "csv"])
    parser.add_argument("--scopes", nargs="*", default=["quarter", "all"], choices=["quarter", "all", "load"])
    args = parser.parse_args()
    if args.matrix:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        matrix(args)
        return
    kpis = args.out.parent / "kpis"
    rows = run_cases(args.data, args.cases, tuple(args.scopes), args.repeat, kpis)
    table = pd.DataFrame(rows)
    table["total_seconds"] = table["seconds"] + table["setup_seconds"]
    for scope, group in table.groupby("scope"):
        base = group.set_index("case")
        if {"toolkit-duckdb", "duckdb-sql", "pandas-straightforward"} <= set(base.index):
            for what in ("seconds", "total_seconds", "cpu_seconds"):
                t = base[what]
                print(f"{scope} ({what}): toolkit-duckdb / duckdb-sql = {t['toolkit-duckdb'] / t['duckdb-sql']:.2f}x; "
                      f"pandas-straightforward / toolkit-duckdb = "
                      f"{t['pandas-straightforward'] / t['toolkit-duckdb']:.2f}x")
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
