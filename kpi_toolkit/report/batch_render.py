"""How a batch renders its reports: each notebook parameterised as papermill prepares it, executed in a kernel
of the pool, exported to HTML in this process and written atomically beside its record; a report that fails
is recorded as failed, and the others go on (:mod:`kpi_toolkit.report.batch` runs the whole).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from kpi_toolkit.errors import KpiToolkitError
from kpi_toolkit.report.batch_plan import BatchItem
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.kernels import KernelPool
from kpi_toolkit.report.outputs import read_outputs
from kpi_toolkit.report.render import notebook_path, notebook_to_html
from kpi_toolkit.report.site import ReportRecord, rendered_footer, write_record

__all__ = ["BatchOutcome", "parameterised_notebook"]


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one report: its record (``status`` ``"ok"`` or ``"failed"``, with the error)."""

    item: BatchItem
    record: ReportRecord

    @property
    def ok(self) -> bool:
        return self.record.status == "ok"


@functools.cache
def _notebook(kind: str) -> nbformat.NotebookNode:
    return load_notebook_node(str(notebook_path(kind)))


def parameterised_notebook(kind: str, parameters: Mapping[str, Any]) -> nbformat.NotebookNode:
    """The notebook of report ``kind`` with ``parameters`` injected, as papermill prepares it to execute."""
    notebook = copy.deepcopy(_notebook(kind))
    return parameterize_notebook(notebook, dict(parameters), kernel_name="python3", language="python")


def _failed_record(item: BatchItem, tr: Translator, error: str) -> ReportRecord:
    return ReportRecord.create(
        kind=item.kind,
        period=item.period,
        title=item.label,
        lang=tr.lang,
        team=item.team,
        subject=item.subject,
        currency=tr.currency,
        parameters=item.parameters,
        status="failed",
        error=error,
    )


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(partial, 0o644)
        os.replace(partial, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KpiToolkitError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


@contextlib.contextmanager
def _progress_bar(console: Any, total: int) -> Iterator[Callable[[BatchOutcome], None]]:
    """A rich progress bar on ``console`` (none when ``None``); yields what to call when a report is done."""
    if console is None:
        yield lambda outcome: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Rendering", total=total, failed="", last="")
        failures = 0

        def done(outcome: BatchOutcome) -> None:
            nonlocal failures
            failures += not outcome.ok
            progress.update(
                task,
                advance=1,
                failed=f"{failures} failed" if failures else "",
                last=outcome.item.label + ("" if outcome.ok else " (failed)"),
            )

        yield done


async def _render_all(
    items: list[BatchItem],
    *,
    scratch: Path,
    pool: KernelPool,
    tr: Translator,
    worker: ThreadPoolExecutor,
    done: Callable[[BatchOutcome], None],
) -> list[BatchOutcome]:
    loop = asyncio.get_running_loop()

    async def render(number: int, item: BatchItem) -> BatchOutcome:
        try:
            # the notebook computes the report once: its last cell writes the record (and kpis.csv) here
            folder = scratch / str(number)
            notebook = parameterised_notebook(item.kind, {**item.parameters, "output_dir": str(folder)})
            executed = await pool.execute(notebook, cwd=notebook_path(item.kind).parent)
            result = read_outputs(folder)
            record = result.record

            def export() -> None:
                html = notebook_to_html(
                    executed, title=record.title, language=tr.lang, footer=rendered_footer(record)
                )
                _write_atomic(item.output, html)
                if item.csv is not None and "kpis.csv" in result.files:
                    _write_atomic(item.csv, result.files["kpis.csv"].read_text(encoding="utf-8"))
                write_record(replace(record, owner=item.owner), item.output)

            await loop.run_in_executor(worker, export)
            outcome = BatchOutcome(item=item, record=replace(record, file=item.output.name))
        except Exception as exc:  # one report's failure never stops the others
            failed = replace(_failed_record(item, tr, _error_text(exc)), owner=item.owner)
            await loop.run_in_executor(worker, write_record, failed, item.output)
            outcome = BatchOutcome(item=item, record=replace(failed, file=item.output.name))
        done(outcome)
        return outcome

    return list(await asyncio.gather(*(render(n, i) for n, i in enumerate(items))))
