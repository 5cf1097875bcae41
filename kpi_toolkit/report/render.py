"""Rendering a report: papermill executes a parameterised notebook, nbconvert turns it into one HTML file.

The HTML uses the toolkit's own nbconvert template (``templates/kpi``): no code cells, no prompts, figures
inline, nothing loaded from a network, one small inline script of the toolkit's own (the table sorter,
allowed by the page's content security policy by its hash; see :mod:`kpi_toolkit.report.page`). A report is
written to a temporary file beside its target and moved into place only when complete, so a failed render
never leaves a half-written report.

A report notebook is also a worksheet: cells tagged :data:`ANALYSIS_TAG` (``analysis``) show the frames
behind each section to whoever opens the notebook, and are left out of the HTML (nbconvert's
``TagRemovePreprocessor``), as are their outputs.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
import papermill
from nbconvert import HTMLExporter
from traitlets.config import Config

import kpi_toolkit
from kpi_toolkit.errors import ReportError
from kpi_toolkit.report import page
from kpi_toolkit.report.i18n import translator

__all__ = [
    "ANALYSIS_TAG",
    "NOTEBOOKS",
    "TEMPLATE_DIR",
    "execute_notebook",
    "notebook_parameters",
    "notebook_path",
    "notebook_to_html",
    "render_notebook",
]

TEMPLATE_DIR = Path(__file__).parent / "templates"
#: Cells with this tag are the worksheet's: shown in JupyterLab, left out of the rendered report.
ANALYSIS_TAG = "analysis"
#: The report notebooks by kind.
NOTEBOOKS = {
    "quarterly": "quarterly_report.ipynb",
    "card": "kpi_card.ipynb",
    "manager": "manager_report.ipynb",
    "comparison": "manager_comparison.ipynb",
    "plan_gap": "plan_gap.ipynb",
    "showcase": "top_performers.ipynb",
}


def notebook_path(kind: str) -> Path:
    """The notebook of a report kind: packaged with the wheel, or in the source tree's ``notebooks/``."""
    if kind not in NOTEBOOKS:
        raise ReportError(f"unknown report kind {kind!r}; known kinds: {', '.join(NOTEBOOKS)}.")
    package = Path(__file__).resolve().parents[1]
    for folder in (package / "_notebooks", package.parent / "notebooks"):
        if (folder / NOTEBOOKS[kind]).exists():
            return folder / NOTEBOOKS[kind]
    raise ReportError(
        f"the notebook {NOTEBOOKS[kind]} is missing from the installation; reinstall kpi-toolkit."
    )


def notebook_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares in its ``parameters`` cell (name -> type, default, help)."""
    return papermill.inspect_notebook(str(path))


def _check_parameters(path: Path, parameters: Mapping[str, Any]) -> None:
    declared = notebook_parameters(path)
    unknown = sorted(set(parameters) - set(declared))
    if unknown:
        raise ReportError(
            f"{path.name} has no parameter(s) {unknown}; it takes {', '.join(declared)}. "
            "Fix: correct the parameter names."
        )


def _to_html(notebook: nbformat.NotebookNode, title: str, language: str, footer: str) -> str:
    tr = translator(language)
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {ANALYSIS_TAG}
    exporter = HTMLExporter(config=config, template_name="kpi", extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.language_code = language  # nbconvert sets the page's lang from this, not from resources
    kpi = {
        "css": page.style(),
        "script": page.script(),
        "csp": page.content_security_policy(),
        "version": kpi_toolkit.__version__,
        "footer": footer or tr.t("page.footer", version=kpi_toolkit.__version__),
        "nav_label": tr.t("nav.label"),
        "figure_alt": tr.t("page.figure"),
    }
    body, _ = exporter.from_notebook_node(
        notebook, resources={"metadata": {"name": title}, "language_code": language, "kpi": kpi}
    )
    return body


def notebook_to_html(
    notebook: nbformat.NotebookNode, *, title: str, language: str = "en", footer: str = ""
) -> str:
    """An executed notebook as one self-contained HTML page with the toolkit's template, as
    :func:`render_notebook` writes it (a batch uses it for the notebooks it executes itself)."""
    return _to_html(notebook, title, language, footer)


def execute_notebook(
    notebook: Path, *, parameters: Mapping[str, Any], workdir: Path
) -> nbformat.NotebookNode:
    """Execute ``notebook`` with ``parameters`` (papermill, a fresh kernel, in the notebook's folder) and
    return it executed; its executed copy is kept in ``workdir``.

    Raises
    ------
    ReportError
        When a parameter is unknown or the notebook fails. A toolkit error raised in a cell (bad data, bad
        parameters) keeps its own message; other errors are named with the failing notebook.
    """
    notebook = Path(notebook)
    _check_parameters(notebook, parameters)
    executed = Path(workdir) / notebook.name
    try:
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=dict(parameters),
            kernel_name="python3",
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            # the kernel's start-up chatter (e.g. its note on TCP transport) is not the user's concern;
            # errors in cells still reach us through papermill
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except papermill.PapermillExecutionError as exc:
        if exc.ename in _toolkit_errors():  # the toolkit's own message says what to fix
            raise ReportError(exc.evalue) from None
        raise ReportError(f"the report notebook {notebook.name} failed: {exc.ename}: {exc.evalue}") from None
    return nbformat.read(executed, as_version=4)


def _toolkit_errors() -> set[str]:
    """The names of the toolkit's exceptions (its own and every subclass imported so far)."""
    from kpi_toolkit.errors import KpiToolkitError

    names, todo = set(), [KpiToolkitError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo += cls.__subclasses__()
    return names


def render_notebook(
    notebook: Path,
    *,
    parameters: Mapping[str, Any],
    output: Path,
    title: str,
    language: str = "en",
    footer: str = "",
) -> Path:
    """Execute ``notebook`` with ``parameters`` and write it as self-contained HTML to ``output``.

    ``title`` is the page's title; ``language`` (a report language) its ``lang`` and the language of the
    page's own words; ``footer`` the line at its foot (say, when and with which toolkit version it was
    rendered). The report opens with an empty navigation bar that :func:`kpi_toolkit.report.site.build_site`
    fills in.

    Raises
    ------
    ReportError
        When a parameter is unknown or the notebook fails; the message names the failing cell's error
        (for bad data, the toolkit's own validation message).
    """
    notebook, output = Path(notebook), Path(output)
    translator(language)  # an unknown language fails before the notebook runs
    _check_parameters(notebook, parameters)
    output.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".render-", dir=output.parent))
    try:
        executed = execute_notebook(notebook, parameters=parameters, workdir=workdir)
        html = _to_html(executed, title, language, footer)
        partial = workdir / output.name
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, output)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return output
