"""The report notebooks are worksheets (issue 18): each runs from ``notebooks/`` with its defaults, names the
frames behind its sections, takes an analyst's own cell, keeps its ``analysis`` cells out of the rendered
HTML, and a render computes the report once, in the notebook (this process never loads the data)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

import kpi_toolkit.loading
from kpi_toolkit.cli import app
from kpi_toolkit.demo import write_demo_data
from kpi_toolkit.report.outputs import read_outputs
from kpi_toolkit.report.render import ANALYSIS_TAG, NOTEBOOKS, render_notebook

ROOT = Path(__file__).resolve().parents[1]

#: The frames each worksheet names in its ``analysis`` cells (what an analyst sorts and filters).
FRAMES = {
    "quarterly_report": ["kpis", "totals", "history", "history_totals", "ranking"],
    "plan_gap": ["alerts", "gap", "sources", "evidence", "pace", "kpis"],
    "kpi_card": ["curve", "scorecard", "payouts"],
    "manager_comparison": ["global_tests", "table", "funnel", "shrunk", "tests"],
    "manager_report": ["versus", "team_kpis", "own_history", "ranking"],
    "top_performers": ["ranking", "effects", "profiles", "regression"],
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's notebooks/ and data/cards/, with the demo data in data/demo/ (the notebooks'
    defaults point there, as after ``make demo``)."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data" / "cards", root / "data" / "cards")
    write_demo_data(root / "data" / "demo")
    return root


def _run(notebook: Path, parameters: dict[str, object], extra: str = "") -> dict[str, object]:
    """Run the notebook's code cells (and ``extra``, a cell an analyst appends) in its folder, as a kernel
    started there would; the names it defined."""
    nb = nbformat.read(notebook, as_version=4)
    namespace: dict[str, object] = {"__name__": "__notebook__"}
    sources = [c for c in nb.cells if c.cell_type == "code"]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(notebook.parent)
        for cell in sources:
            exec(compile(cell.source, notebook.name, "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(parameters)
        if extra:
            exec(compile(extra, "analyst cell", "exec"), namespace)
    return namespace


def test_every_report_notebook_is_covered():
    assert sorted(FRAMES) == sorted(Path(n).stem for n in NOTEBOOKS.values())


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FRAMES))
def test_each_notebook_runs_from_notebooks_with_its_defaults(tree, tmp_path, name):
    names = _run(tree / "notebooks" / f"{name}.ipynb", {"output_dir": str(tmp_path)})
    for frame in FRAMES[name]:
        assert frame in names, frame
        assert names[frame] is None or isinstance(names[frame], pd.DataFrame), frame
    # the last cell wrote the record the command line publishes, from the same computation
    outputs = read_outputs(tmp_path)
    assert outputs.record.title and outputs.record.key_figures
    numbers = names["team"] if name == "manager_report" else names["report"]  # the team's numbers
    assert outputs.record.data_fingerprint == numbers.data_fingerprint  # type: ignore[attr-defined]
    assert all(path.is_file() for path in outputs.files.values())


def test_each_frame_is_shown_in_an_analysis_cell():
    for name, frames in FRAMES.items():
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        shown = [
            c.source.strip().splitlines()[-1]
            for c in nb.cells
            if c.cell_type == "code" and ANALYSIS_TAG in c.metadata.get("tags", [])
        ]
        assert set(frames) <= set(shown), name
        assert "output_dir" in nb.cells[0].source, name  # the last cell writes the outputs there


@pytest.mark.slow
def test_an_analyst_cell_sorts_and_filters_the_gap_and_redraws_a_waterfall(tree):
    extra = (
        "worst = gap[gap['manager'] != 'TOTAL'].sort_values('gap').head(3)\n"
        "one = worst['manager'].iloc[0]\n"
        "figure = figures.waterfall(gap, tr, manager=one, names=report.names)\n"
        "section = driver_views.managers_section(report, tr, gap=gap[gap['manager'].isin([one, 'TOTAL'])])\n"
    )
    names = _run(tree / "notebooks" / "plan_gap.ipynb", {}, extra=extra)
    worst = names["worst"]
    assert list(worst["gap"]) == sorted(worst["gap"]) and len(worst) == 3  # type: ignore[index]
    assert "<svg" in str(names["figure"]) or "<img" in str(names["figure"])
    # the section is drawn from the frame the analyst filtered: one manager's row, no one else's
    report = names["report"]
    shown = [m for m in report.gap["manager"] if m != "TOTAL" and report.name(m) in str(names["section"])]  # type: ignore[attr-defined]
    assert shown == [names["one"]]


@pytest.mark.slow
def test_the_rendered_report_leaves_out_the_analysis_cells(tree, tmp_path):
    notebook = tree / "notebooks" / "plan_gap.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    marker = "ANALYSIS-CELL-MARKER"
    nb.cells.insert(
        3,
        nbformat.v4.new_code_cell(
            f"from IPython.display import HTML\nHTML('<p>{marker}</p>')", metadata={"tags": [ANALYSIS_TAG]}
        ),
    )
    marked = tree / "notebooks" / "plan_gap_marked.ipynb"
    nbformat.write(nb, marked)
    html = render_notebook(marked, parameters={}, output=tmp_path / "r.html", title="t").read_text()
    assert marker not in html
    assert 'class="dataframe"' not in html  # no frame an analysis cell shows
    assert "Worksheet" not in html and "worksheet" not in html  # nor the worksheet's markdown
    assert "<svg" in html or "data:image" in html  # the polished sections are there


@pytest.mark.slow
def test_a_render_loads_the_data_once_in_the_notebook(demo_folder, tmp_path, monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the command loaded the data itself")

    monkeypatch.setattr(kpi_toolkit.loading, "load", refuse)  # this process; the kernel loads it once
    out = tmp_path / "r"
    result = CliRunner().invoke(
        app, ["plan-gap", "--data", str(demo_folder), "--period", "2026Q3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    record = json.loads((out / "2026Q3" / "plan_gap.report.json").read_text(encoding="utf-8"))
    assert record["title"] and record["data_fingerprint"].startswith("sha256:")
    assert (out / "2026Q3" / "plan_gap.csv").is_file()


def test_plan_gap_reads_an_export_through_a_mapping(tmp_path, capsys, monkeypatch):
    """--mapping reaches the plan-gap notebook (it loaded the canonical folder alone before)."""
    from kpi_toolkit import cli_render
    from tests.conftest import execute_in_process, run_cli

    monkeypatch.setattr(cli_render, "execute_notebook", execute_in_process)  # the notebook, without a kernel
    mapping = ROOT / "data" / "mappings" / "erp_sales.yml"
    out = tmp_path / "r"
    code, output = run_cli(capsys, monkeypatch, "plan-gap", "--data", ROOT / "tests" / "data" / "erp_sales",
                           "--mapping", mapping, "--period", "2026Q2", "--out", out)  # fmt: skip
    assert code == 0, output
    record = json.loads((out / "2026Q2" / "plan_gap.report.json").read_text(encoding="utf-8"))
    assert record["parameters"]["mapping"] == str(mapping)
    gap = pd.read_csv(out / "2026Q2" / "plan_gap.csv", dtype={"manager": str})
    assert set(gap["manager"]) == {"272", "281", "290", "TOTAL"}


@pytest.mark.slow
def test_a_toolkit_error_in_the_notebook_keeps_its_own_message(tmp_path):
    from kpi_toolkit.errors import ReportError
    from kpi_toolkit.report.render import execute_notebook

    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("period: str = ''  # a parameter", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import kpi_toolkit as kt\nraise kt.ParameterError(f'period={period!r} has no data')"
        ),
    ]
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ReportError) as info:
        execute_notebook(path, parameters={"period": "2031"}, workdir=tmp_path)
    assert str(info.value) == "period='2031' has no data"  # as the command line prints it: --period 2031
