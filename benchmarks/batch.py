"""Batch rendering benchmark: ``kpi-report batch`` against papermill and nbconvert run once per report.

    python benchmarks/batch.py [--out benchmarks/output/batch] [--jobs 2] [--repeat 1] [--no-parallel-cli]

The reports: the per-manager report of each of 20 managers for 2026Q3, from the demo company grown to 20
managers in two teams of 10 (the 14 demo managers and 6 more, each a copy of a demo manager's orders, leads
and plans under new ids, names and customers; written to ``OUT/data20``). Three ways of rendering them:

- ``cli-sequential``: what a user would script: per manager ``papermill notebooks/manager_report.ipynb ...``
  then ``jupyter nbconvert --to html --no-input ...``, one after the other;
- ``cli-parallel``: the same commands, two reports at a time (``xargs -P 2``);
- ``batch``: ``kpi-report batch --by manager --jobs N`` (the toolkit's template, the site's index as well).

Each runs in its own runner process; we report its wall time, the CPU time of the processes doing the work
(user + system, less sensitive than wall time to other load on the machine), the peak resident memory of the
whole process tree doing the work (the runner, the commands and every kernel, summed, sampled every 20 ms with
psutil when it is installed) and the largest resident size of any single process in it (``ru_maxrss`` of the
runner's children). Results go to ``OUT/results.json`` and a table on stdout. Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
NOTEBOOK = ROOT / "notebooks" / "manager_report.ipynb"
PERIOD = "2026Q3"
#: The six managers added to the demo company: (new id, name, team, the demo manager copied).
EXTRA_MANAGERS = [
    ("M15", "Olga Nemtsova", "North", "M01"),
    ("M16", "Pavel Ivanov", "North", "M02"),
    ("M17", "Quentin Moreau", "North", "M04"),
    ("M18", "Rosa Alvarez", "South", "M05"),
    ("M19", "Sergei Titov", "South", "M06"),
    ("M20", "Tomas Novak", "South", "M08"),
]
PATHS = ("cli-sequential", "cli-parallel", "batch")


def make_data(folder: Path) -> Path:
    """Write the 20-manager data set into ``folder`` (from the seeded demo company); returns it."""
    import pandas as pd

    from kpi_toolkit.demo import write_demo_data

    demo = write_demo_data(folder / "demo")
    tables = {
        name: pd.read_csv(demo / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in ("orders", "leads", "plans", "managers")
    }
    out = {name: [frame] for name, frame in tables.items()}
    for new, name, team, source in EXTRA_MANAGERS:
        orders = tables["orders"][tables["orders"]["manager"] == source].copy()
        leads = tables["leads"][tables["leads"]["manager"] == source].copy()
        renamed = ((orders, ("order_id", "customer_id", "lead_id")), (leads, ("lead_id", "customer_id")))
        for frame, ids in renamed:
            frame["manager"] = new
            for column in ids:
                if column in frame:
                    frame[column] = frame[column].where(frame[column] == "", frame[column] + f"-{new}")
        plans = tables["plans"][tables["plans"]["manager"] == source].assign(manager=new)
        managers = pd.DataFrame([{"manager": new, "name": name, "team": team}])
        for table, frame in (("orders", orders), ("leads", leads), ("plans", plans), ("managers", managers)):
            out[table].append(frame)
    target = folder / "data20"
    target.mkdir(parents=True, exist_ok=True)
    for name, frames in out.items():
        pd.concat(frames, ignore_index=True).to_csv(target / f"{name}.csv", index=False)
    return target


def _managers(data: Path) -> list[str]:
    with (data / "managers.csv").open(encoding="utf-8", newline="") as handle:
        return sorted(row["manager"] for row in csv.DictReader(handle))


def _one_by_cli(data: Path, manager: str, work: Path, html: Path) -> None:
    executed = work / f"{manager}.ipynb"
    subprocess.run(
        [str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-p", "data_dir", str(data), "-p", "period",
         PERIOD, "-p", "manager", manager, "--cwd", str(NOTEBOOK.parent), "-k", "python3",
         "--no-progress-bar", "--log-level", "ERROR"],
        check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed), "--output-dir",
         str(html), "--log-level", "ERROR"],
        check=True, capture_output=True,
    )  # fmt: skip


def run_path(path: str, data: Path, out: Path, jobs: int) -> dict[str, float]:
    """Render every report one way (in this process and its children); returns the time and memory."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    managers = _managers(data)
    start = time.perf_counter()
    if path == "batch":
        subprocess.run(
            [str(BIN / "kpi-report"), "batch", "--data", str(data), "--period", PERIOD, "--by", "manager",
             "--out", str(out), "--jobs", str(jobs)],
            check=True, capture_output=True,
        )  # fmt: skip
        written = list((out / PERIOD / "managers").glob("*.html"))
    else:
        work = out / "executed"
        work.mkdir()
        with ThreadPoolExecutor(max_workers=1 if path == "cli-sequential" else jobs) as pool:
            list(pool.map(lambda m: _one_by_cli(data, m, work, out), managers))
        written = list(out.glob("*.html"))
    seconds = time.perf_counter() - start
    if len(written) != len(managers):
        raise RuntimeError(f"{path}: {len(written)} reports written, {len(managers)} expected")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu_seconds": children.ru_utime + children.ru_stime,
        "reports": len(written),
        "largest_process_mib": children.ru_maxrss / 1024,
    }


def _tree_rss_peak(pid: int, stop: threading.Event, result: dict[str, float]) -> None:
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with ipykernel
        return
    root = psutil.Process(pid)
    peak = 0
    while not stop.is_set():
        total = 0
        try:
            for process in [root, *root.children(recursive=True)]:
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            break
        peak = max(peak, total)
        stop.wait(0.02)
    result["tree_peak_mib"] = peak / 2**20


def measure(path: str, data: Path, out: Path, jobs: int) -> dict[str, float]:
    """Run one path in a fresh runner process, sampling the memory of its whole process tree."""
    command = [sys.executable, __file__, "--run", path, "--data", str(data), "--out", str(out)]
    runner = subprocess.Popen([*command, "--jobs", str(jobs)], stdout=subprocess.PIPE, text=True)
    stop, sampled = threading.Event(), {}
    sampler = threading.Thread(target=_tree_rss_peak, args=(runner.pid, stop, sampled))
    sampler.start()
    stdout, _ = runner.communicate()
    stop.set()
    sampler.join()
    if runner.returncode != 0:
        raise RuntimeError(f"{path} failed with status {runner.returncode}")
    return {"path": path, **json.loads(stdout.strip().splitlines()[-1]), **sampled}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "output" / "batch")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each path (the fastest is kept)")
    parser.add_argument("--no-parallel-cli", action="store_true", help="skip cli-parallel")
    parser.add_argument("--run", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:  # the runner process of one path (it imports nothing heavy: its memory counts too)
        print(json.dumps(run_path(args.run, args.data, args.out, args.jobs)))
        return
    import pandas as pd

    data = make_data(args.out)
    paths = [p for p in PATHS if not (args.no_parallel_cli and p == "cli-parallel")]
    load_before = os.getloadavg()[0]  # the machine may be busy with other work: wall times suffer
    print(f"{len(_managers(data))} per-manager reports of {PERIOD}, {os.cpu_count()} cores, "
          f"jobs={args.jobs}, load average before: {load_before:.1f}", flush=True)  # fmt: skip
    rows = []
    for path in paths:
        runs = [measure(path, data, args.out / path, args.jobs) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        rows.append(best)
        peak = best.get("tree_peak_mib", float("nan"))
        print(f"{path:15s} {best['seconds']:7.1f} s, {best['cpu_seconds']:5.0f} s CPU, "
              f"tree peak {peak:6.0f} MiB, largest process {best['largest_process_mib']:5.0f} MiB",
              flush=True)  # fmt: skip
    table = pd.DataFrame(rows).set_index("path")
    base = table.loc["cli-sequential", "seconds"]
    table["speed_up"] = base / table["seconds"]
    table["cpu_ratio"] = table.loc["cli-sequential", "cpu_seconds"] / table["cpu_seconds"]
    print(table.round(2).to_string())
    results = {
        "reports": int(table["reports"].iloc[0]),
        "period": PERIOD,
        "cores": os.cpu_count(),
        "jobs": args.jobs,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg()[0],
        "paths": table.reset_index().to_dict(orient="records"),
    }
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.out / 'results.json'}")


if __name__ == "__main__":
    main()
