"""``notebooks/investigate.ipynb``, the "why did we miss?" worksheet: it runs top to bottom from
``notebooks/`` with its defaults, an analyst's own cell on its frames runs too, and on the demo it finds the
planted under-performer (M10: 60 % of the usual lead flow, planned at the team norm) and its
driver, the leads.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest

from kpi_toolkit.demo import write_demo_data

papermill = pytest.importorskip("papermill")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "investigate.ipynb"


@pytest.fixture(scope="module")
def layout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's layout: notebooks/ next to data/demo (the default ``data_dir`` is ``../data/demo``)."""
    root = tmp_path_factory.mktemp("project")
    (root / "notebooks").mkdir()
    shutil.copy(NOTEBOOK, root / "notebooks" / NOTEBOOK.name)
    write_demo_data(root / "data" / "demo")
    return root / "notebooks"


def _run(folder: Path, name: str, extra: str = "", **parameters: str) -> nbformat.NotebookNode:
    source = folder / NOTEBOOK.name
    if extra:
        nb = nbformat.read(source, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(extra))
        source = folder / f"{name}-input.ipynb"
        nbformat.write(nb, source)
    out = folder / f"{name}.ipynb"
    papermill.execute_notebook(
        str(source),
        str(out),
        parameters=parameters,
        cwd=str(folder),
        kernel_name="python3",
        progress_bar=False,
    )
    return nbformat.read(out, as_version=4)


def _text(nb: nbformat.NotebookNode, start: str) -> str:
    """The plain-text output of the code cell whose source starts with ``start``."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start))
    return "\n".join(o.get("data", {}).get("text/plain", o.get("text", "")) for o in cell.outputs)


def test_runs_with_its_defaults_and_flags_the_systematic_misser(layout):
    nb = _run(layout, "defaults")
    assert all(o.get("output_type") != "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    steps = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert len(steps) == 8 and all(s.startswith("## ") and s.endswith("?") for s in steps[1:])
    by_gap = _text(nb, "by_gap =").splitlines()
    assert by_gap[1].split()[1] == "M07" and by_gap[2].split()[1] == "M10"  # the two largest shortfalls
    misses = [row.split() for row in _text(nb, "misses =").splitlines() if " M10 " in row]
    assert misses and misses[0][2:4] == ["8", "8"]  # M10 missed 8 of 8 periods: systematic
    assert _text(nb, "focus =") == "'M07'"


def test_on_the_planted_team_it_finds_the_manager_and_the_driver(layout):
    extra = 'gap.sort_values("gap").head(3)\nplot_gap_waterfall(gap, manager=focus)\nkt.show(changes)'
    nb = _run(layout, "south", extra=extra, team="South")
    assert _text(nb, "focus =") == "'M10'"
    drivers = _text(nb, "intervals =").splitlines()
    first = drivers[1].split()
    assert first[1:3] == ["M10", "leads_effect"]  # the largest loss: the leads, as planted
    noise = drivers[next(i for i, r in enumerate(drivers) if "within_noise" in r) + 1]
    assert noise.split() == ["0", "False"]  # its interval excludes 0: not noise
    assert "M10" in _text(nb, "changes =") and "new" in _text(nb, "changes =")
    last = nb.cells[-1]
    assert last.outputs and all(o.get("output_type") != "error" for o in last.outputs)
