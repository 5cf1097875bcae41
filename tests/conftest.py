"""Shared fixtures: a seeded rng, a tiny hand-computable data set, its files, and edge cases."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import pandas as pd
import pytest

import kpi_toolkit as kt

matplotlib.use("Agg")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)


def tiny_tables() -> dict[str, pd.DataFrame]:
    """Three managers; every KPI of 2026Q3 is worked out by hand in tests/test_kpis.py."""
    orders = pd.DataFrame(
        [
            ("o1", "ann", "c1", "2026-06-20", 100.0, ""),
            ("o2", "ann", "c1", "2026-07-05", 200.0, ""),
            ("o3", "ann", "c2", "2026-07-10", 300.0, "L1"),
            ("o4", "bob", "c3", "2026-08-01", 50.0, ""),
            ("o5", "bob", "c4", "2026-09-30 23:00", 150.0, ""),
            ("o6", "ann", "c4", "2026-09-30 23:00", 70.0, ""),
            ("o7", "cat", "c5", "2026-04-01", 80.0, ""),
        ],
        columns=["order_id", "manager", "customer_id", "ordered_at", "amount", "lead_id"],
    )
    leads = pd.DataFrame(
        [
            ("L1", "ann", "2026-06-01", "won", "2026-07-04"),
            ("L2", "ann", "2026-07-01", "Lost", "2026-07-20"),
            ("L3", "ann", "2026-07-15", "open", ""),
            ("L4", "bob", "2026-05-01", "lost", "2026-06-30"),
            ("L5", "bob", "2026-08-01", " WON ", "2026-10-02"),
        ],
        columns=["lead_id", "manager", "created_at", "status", "closed_at"],
    )
    plans = pd.DataFrame(
        [
            ("ann", "2026-07", "sales_volume", 200.0),
            ("ann", "2026-08", "sales_volume", 200.0),
            ("ann", "2026-09", "sales_volume", 200.0),
            ("bob", "2026Q3", "sales_volume", 400.0),
            ("ann", "2026Q3", "conversion", 0.5),
        ],
        columns=["manager", "period", "metric", "target"],
    )
    managers = pd.DataFrame(
        [("ann", "Ann Lee", "North"), ("bob", "Bob Stone", "North"), ("cat", "Cat Moss", "South")],
        columns=["manager", "name", "team"],
    )
    return {"orders": orders, "leads": leads, "plans": plans, "managers": managers}


@pytest.fixture
def tiny_tables_fixture() -> dict[str, pd.DataFrame]:
    return tiny_tables()


@pytest.fixture
def tiny() -> kt.SalesData:
    return kt.from_frames(**tiny_tables())


def write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(folder / f"{name}.csv", index=False)
    return folder


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    return write_tables(tmp_path / "tiny", tiny_tables())


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kpi_toolkit.demo import write_demo_data

    return write_demo_data(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="session")
def demo(demo_folder: Path) -> kt.SalesData:
    return kt.load(demo_folder)


#: The local Spark session of the engine tests: two cores, no UI, few shuffle partitions, UTC.
SPARK_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.codegen.wholeStage": "false",  # tiny data: compiling code costs more than it saves
}


@pytest.fixture(scope="session")
def spark():
    """One local SparkSession for the whole run (about 18 s to start); skipped without PySpark or Java."""
    import shutil

    pytest.importorskip("pyspark", reason="PySpark is not installed: pip install -e '.[spark]'")
    if not shutil.which("java") and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java is not installed (PySpark needs Java 17 or later on PATH or in JAVA_HOME)")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("kpi-toolkit-tests")
    for key, value in SPARK_CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("OFF")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def demo_on(demo_folder: Path, request: pytest.FixtureRequest):
    """``demo_on(engine)``: the demo data loaded on ``engine`` ("pandas", "duckdb" or "spark"), once a run."""
    cache: dict[str, kt.SalesData] = {}

    def get(engine: str) -> kt.SalesData:
        if engine not in cache:
            connection = request.getfixturevalue("spark") if engine == "spark" else None
            cache[engine] = kt.load(demo_folder, engine=engine, connection=connection)
        return cache[engine]

    return get


def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: object
) -> tuple[int, str]:
    """Run ``kpi-report *args`` in this process: its exit status and its output (stdout and stderr, white
    space collapsed)."""
    from kpi_toolkit import cli

    monkeypatch.setattr(sys, "argv", ["kpi-report", *map(str, args)])
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, " ".join((captured.out + captured.err).split())


def execute_in_process(
    notebook: Path, *, parameters: dict[str, object], workdir: Path, **_: object
) -> nbformat.NotebookNode:
    """Run a report notebook's code cells in this process, in the notebook's folder, with ``parameters``
    set after its parameters cell, as papermill would: a stand-in for
    :func:`kpi_toolkit.report.render.execute_notebook` without a kernel (seconds instead of a kernel's
    start). Errors propagate as they are; the returned notebook has no outputs."""
    nb = nbformat.read(notebook, as_version=4)
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    here = os.getcwd()
    os.chdir(Path(notebook).parent)
    try:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, str(notebook), "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(parameters)
    finally:
        os.chdir(here)
    return nb
