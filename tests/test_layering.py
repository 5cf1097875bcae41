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
    assert "kpi_toolkit.engines.lazy" in imports["kpi_toolkit.data"]  # imported inside load(): seen
    assert "kpi_toolkit.engines.tables" in imports["kpi_toolkit.engines.duckdb"]


@pytest.mark.parametrize("user", ["kpi_toolkit.data", "kpi_toolkit.fingerprint", "kpi_toolkit"])
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
