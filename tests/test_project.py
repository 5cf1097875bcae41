"""The project's own habits: environments in step, notebooks paired and without outputs, commands wired."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _name_and_spec(requirement: str) -> tuple[str, str]:
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    assert match, requirement
    return match.group(1).lower().replace("_", "-"), match.group(2).replace(" ", "")


def test_environment_yml_mirrors_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_name_and_spec(r) for r in project["dependencies"])
    for extra in ("dev", "lab", "spark"):
        wanted.update(_name_and_spec(r) for r in project["optional-dependencies"][extra])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    have = dict(_name_and_spec(d) for d in conda if not d.startswith(("python", "pip")))
    assert have == wanted
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip == ["-e ."]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_have_no_outputs_and_are_paired(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path.name} has outputs"
    paired = path.with_suffix(".py")
    assert paired.exists(), f"{path.name} has no jupytext pair"
    text = jupytext.read(paired)
    assert [c.source for c in text.cells] == [c.source for c in nb.cells], "pair out of sync: jupytext --sync"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_hold_no_logic(path):
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"^\s*(def|class|for|while|if)\b", code, flags=re.M), f"{path.name} holds logic"


def test_readme_and_ci_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make report" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_generated_output_is_ignored():
    ignored = (ROOT / ".gitignore").read_text()
    assert "reports/*" in ignored and "data/demo/" in ignored


def test_make_lab_starts_as_root_and_as_a_user():
    """JupyterLab refuses root without --allow-root; the Makefile passes it for root only."""
    import os
    import shutil
    import subprocess

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "lab"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    line = next(row for row in dry.splitlines() if "jupyter lab" in row)
    assert ("--allow-root" in line) == (os.geteuid() == 0)
    assert line.rstrip().endswith("notebooks/investigate.ipynb")  # the worksheet opens
