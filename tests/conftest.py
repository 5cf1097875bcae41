"""Shared fixtures: a seeded rng, a tiny hand-computable data set, its files, and edge cases; the demo
renders several test files read; how pytest-xdist shares the tests out.

Distribution (``-n``, :func:`pytest_xdist_make_scheduler`): one worker runs all the tests of a file, or of a
group of files (:data:`XDIST_GROUPS`), so a module's (and a group's) expensive fixtures are set up once
instead of on both workers; the groups holding a ``slow`` test are sent first, so the long ones do not start
last. Shared renders: :func:`demo_site` and :func:`demo_first_screens` render the demo company's reports
once a session; a test file that reads them joins the group :data:`DEMO_RENDERS` (else its worker renders
them again: correct, only slower).
"""

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
#: The xdist group of the test files that read :func:`demo_site` and :func:`demo_first_screens`.
DEMO_RENDERS = "demo_renders"
#: Test files that share a worker (and so its session's fixtures) with other files: file -> group name.
#: Any other file is a group of its own.
XDIST_GROUPS = {
    "tests/test_browser.py": DEMO_RENDERS,
    "tests/test_russian_words.py": DEMO_RENDERS,
    "tests/test_report_links.py": DEMO_RENDERS,
}


def xdist_group(nodeid: str) -> str:
    """The group of a test: its file's entry in :data:`XDIST_GROUPS`, else its file."""
    path = nodeid.split("::", 1)[0]
    return XDIST_GROUPS.get(path, path)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """With ``-n``: each group of :func:`xdist_group` runs on one worker, so that a module's or a group's
    expensive fixtures are set up once, not on each worker (``--dist load`` sends a file's tests to both).
    The groups go out in the order of the collection, which puts the slow ones first. (Not
    ``--dist loadgroup``: pytest-xdist 3.8 marks the groups by rewriting ``item._nodeid``, which pytest 9.2
    no longer reads.) An explicit ``--dist`` other than ``load`` (``each``, ``worksteal``, ...) is obeyed."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class GroupScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_group(nodeid)

    config.option.loadscopereorder = False  # keep the order of the collection
    return GroupScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The groups (:func:`xdist_group`) holding a ``slow`` test first, the demo renders' group first of all,
    each group's tests together and in their order: so the long groups do not start last."""
    slow = {xdist_group(item.nodeid) for item in items if item.get_closest_marker("slow")}
    order = {group: n for n, group in enumerate(dict.fromkeys(xdist_group(i.nodeid) for i in items))}

    def key(item: pytest.Item) -> tuple[bool, bool, int]:
        group = xdist_group(item.nodeid)
        return group != DEMO_RENDERS, group not in slow, order[group]

    items.sort(key=key)


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


# -- the demo company's reports, rendered once a session (test_browser.py, test_russian_words.py) ---------

#: The hostile names of :func:`demo_site`'s team report.
HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_TEAM = "<img src=x onerror=alert(1)>"
#: The KPI card the card reports are rendered with.
CARD = Path(__file__).resolve().parents[1] / "data" / "cards" / "sales_manager.yml"


def render_all(runs: list[list[str]]) -> None:
    """Run ``kpi-report *args`` for each argument list, two at a time (the machine has two cores); each must
    succeed."""
    import subprocess

    for start in range(0, len(runs), 2):
        batch = [
            subprocess.Popen([sys.executable, "-m", "kpi_toolkit", *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for args in runs[start : start + 2]
        ]  # fmt: skip
        for process in batch:
            _, stderr = process.communicate(timeout=300)
            assert process.returncode == 0, stderr


def copy_reports(source: Path, target: Path, relatives: list[str]) -> None:
    """Copy rendered reports (each page and the record beside it) from the reports folder ``source`` to
    ``target``: the next render into ``target`` rebuilds its index and every page's navigation bar from the
    records there, as if the reports had been rendered there."""
    import shutil

    from kpi_toolkit.report.site import sidecar_path

    for relative in relatives:
        for path in (source / relative, sidecar_path(source / relative)):
            destination = target / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


@pytest.fixture(scope="session")
def demo_site(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A reports folder rendered with the CLI: the demo company's 2026Q3 quarterly report in English
    (``2026Q3/quarterly.html``) and in Russian with roubles (``2026Q3/quarterly.ru.html``), its 2026Q2
    report in English, and the tiny data set's report of the team ``HOSTILE_TEAM`` whose managers have
    hostile names (``2026Q3/quarterly_img-src-x-onerror-alert-1.html``); with its index. Read it, do not
    write to it."""
    tables = tiny_tables()
    tables["managers"] = tables["managers"].assign(
        name=[HOSTILE_NAME, "Bob Stone", '=HYPERLINK("x")'], team=[HOSTILE_TEAM, HOSTILE_TEAM, "South"]
    )
    hostile = write_tables(tmp_path_factory.mktemp("hostile"), tables)
    out = tmp_path_factory.mktemp("site") / "reports"
    demo = ["quarterly", "--data", str(demo_folder), "--out", str(out)]
    render_all(
        [
            [*demo, "--period", "2026Q3"],
            [*demo, "--period", "2026Q3", "--lang", "ru", "--currency", "RUB"],
            [*demo, "--period", "2026Q2"],
            ["quarterly", "--data", str(hostile), "--out", str(out), "--team", HOSTILE_TEAM],
        ]
    )
    return out


@pytest.fixture(scope="session")
def demo_first_screens(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A reports folder rendered with the CLI: the demo company's 2026Q3 plan-gap, card (:data:`CARD`) and
    showcase reports, each in English and in Russian with roubles (``2026Q3/<kind>.html``,
    ``2026Q3/<kind>.ru.html``). Read it, do not write to it."""
    out = tmp_path_factory.mktemp("first") / "reports"
    runs = []
    for lang in ("en", "ru"):
        common = ["--data", str(demo_folder), "--out", str(out), "--period", "2026Q3", "--lang", lang]
        common += ["--currency", "RUB"] if lang == "ru" else []
        runs += [["plan-gap", *common], ["card", *common, "--card", str(CARD)], ["showcase", *common]]
    render_all(runs)
    return out
