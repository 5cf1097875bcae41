"""CPU seconds of ``kt.load`` + ``manager_kpis`` on DuckDB outside the queries: the engine's fixed costs.

    PYTHONPATH=<checkout> python -P benchmarks/fixed_costs.py <folder> [quarter|all]

Prints one line: ``load``, its queries, the rest (Python: validation, relations, plan, hand-overs), then the
same for ``manager_kpis`` (``all``: ``kpi_history`` of every quarter), and how many relations DuckDB bound.
The queries are timed around DuckDB's one call that runs a statement (``duckdb._seam.submit``, whose CPU
includes DuckDB's worker threads); what is left is the work that does not grow with the orders. Run it
alternately on two checkouts (``PYTHONPATH``) and compare the best of several runs: on a busy machine the
queries' CPU varies by a tenth, the rest far less. Imports are set-up, as in ``benchmarks/run.py``.
"""

from __future__ import annotations

import importlib
import resource
import sys

MODULES = (
    "pandas", "numpy", "pyarrow", "narwhals", "yaml", "duckdb", "kpi_toolkit.loading", "kpi_toolkit.kpis",
    "kpi_toolkit.aggregate", "kpi_toolkit.engines.lazy", "kpi_toolkit.engines.queries",
    "kpi_toolkit.engines.duckdb",
)  # fmt: skip


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(folder: str, scope: str = "quarter") -> None:
    import duckdb._seam as seam

    import kpi_toolkit as kt

    for module in MODULES:
        importlib.import_module(module)
    spent = {"queries": 0.0, "binds": 0}
    submit, bind = seam.submit, seam.bind

    def timed_submit(*args, **kwargs):
        start = _cpu()
        try:
            return submit(*args, **kwargs)
        finally:
            spent["queries"] += _cpu() - start

    def counted_bind(*args, **kwargs):
        spent["binds"] += 1
        return bind(*args, **kwargs)

    seam.submit, seam.bind = timed_submit, counted_bind
    start = _cpu()
    data = kt.load(folder, engine="duckdb")
    load, load_queries = _cpu() - start, spent["queries"]
    start = _cpu()
    if scope == "quarter":
        kt.manager_kpis(data, period="2025Q2")
    else:
        kt.kpi_history(data, periods="2024Q1:2026Q4")
    kpis, kpis_queries = _cpu() - start, spent["queries"] - load_queries
    print(
        f"load {load:.3f} (queries {load_queries:.3f}, rest {load - load_queries:.3f})  "
        f"kpis {kpis:.3f} (queries {kpis_queries:.3f}, rest {kpis - kpis_queries:.3f})  "
        f"relations bound {spent['binds']}"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
