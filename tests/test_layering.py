"""The package's layering: the engines depend on the data contract, never on the modules that use them.

Imports are read from the source (every ``import``, also those inside functions, which a test importing the
modules would not see as a circle), so a back door such as ``engines/lazy.py`` importing ``data.py`` inside a
function is found as well.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kpi_toolkit"


def _module(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Per module of the package, the package's modules it imports (anywhere in its source)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                targets = [base, *(f"{base}.{a.name}" for a in node.names)]
            graph[name].update(t for t in targets if t in modules and t != name)
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    return _imports()


def test_the_import_graph_is_read(imports):
    assert "kpi_toolkit.engines.lazy" in imports["kpi_toolkit.loading"]  # imported inside load(): seen
    assert "kpi_toolkit.engines.tables" in imports["kpi_toolkit.engines.duckdb"]


@pytest.mark.parametrize(
    "user", ["kpi_toolkit.data", "kpi_toolkit.loading", "kpi_toolkit.fingerprint", "kpi_toolkit"]
)
def test_no_engine_module_imports_the_modules_that_use_the_engines(imports, user):
    engines = [m for m in imports if m == "kpi_toolkit.engines" or m.startswith("kpi_toolkit.engines.")]
    assert len(engines) >= 6
    back_doors = sorted(m for m in engines if user in _reachable(imports, m))
    assert back_doors == []


def test_the_data_layer_has_no_import_circle(imports):
    # the report package (report/, its own layer above the data) is left to its own check
    data_layer = {
        m: {d for d in deps if not d.startswith("kpi_toolkit.report")}
        for m, deps in imports.items()
        if not m.startswith("kpi_toolkit.report")
    }
    try:
        graphlib.TopologicalSorter(data_layer).prepare()
    except graphlib.CycleError as circle:
        pytest.fail(f"import circle: {' -> '.join(circle.args[1])}")


#: The only modules outside ``report/`` that may import it: the command line, which renders reports, and the
#: package's lazy facade (``kt.show`` is imported on first use, never by ``import kpi_toolkit``).
REPORT_DOORS = {
    "kpi_toolkit.cli",
    "kpi_toolkit.cli_commands",
    "kpi_toolkit.cli_options",
    "kpi_toolkit.cli_render",
    "kpi_toolkit",
}


def test_only_the_report_package_imports_the_report_package(imports):
    report = {m for m in imports if m == "kpi_toolkit.report" or m.startswith("kpi_toolkit.report.")}
    assert "kpi_toolkit.report.i18n" in report
    users = sorted(
        m for m, deps in imports.items() if m not in report and m not in REPORT_DOORS and deps & report
    )
    assert users == []


def test_the_analysis_layer_never_reaches_the_report_package(imports):
    # the figures and the facade's public functions are below the reports: importing them loads no
    # papermill, nbconvert or site code
    report = {m for m in imports if m.startswith("kpi_toolkit.report")}
    commands = REPORT_DOORS | {"kpi_toolkit.__main__"}  # python -m kpi_toolkit runs the command line
    layer = [m for m in imports if m not in report and m not in commands]
    assert "kpi_toolkit.figures" in layer
    reached = sorted(m for m in layer if _reachable(imports, m) & report)
    assert reached == []


def test_importing_the_toolkit_and_its_figures_loads_no_report_code():
    import subprocess
    import sys

    code = (
        "import sys, kpi_toolkit, kpi_toolkit.figures, kpi_toolkit.gap, kpi_toolkit.stats\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('kpi_toolkit.report') or m in "
        "('papermill', 'nbconvert', 'nbformat'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
