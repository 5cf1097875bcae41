"""Many reports at once: one per team or one per manager, for one period or several, in parallel.

``kpi-report batch`` (and :func:`run_batch`) renders the quarterly report of each team, or the per-manager
report of each manager (their figures against the team's, colleagues pseudonymised), for each period asked,
then writes the site's ``index.html`` once. It is the same as rendering each report with ``kpi-report
quarterly --team`` (or :func:`~kpi_toolkit.report.render_notebook`): the same notebooks, executed the same way
(parameterised by papermill, executed by nbclient), exported with the same template, with the same tables and
figures, only much faster:

- kernels and imports are reused: a :class:`~kpi_toolkit.report.kernels.KernelPool` of ``jobs`` kernels
  (default: one per core) executes every notebook; each kernel is reset before each report
  (:mod:`kpi_toolkit.report.isolation`);
- the shared analysis runs once: each kernel loads and validates the data once and computes each team's
  numbers once (:mod:`kpi_toolkit.report.shared`); each report is computed in its notebook alone, whose last
  cell writes its record and ``kpis.csv`` (:mod:`kpi_toolkit.report.outputs`); this process loads the data
  only to plan the reports (the teams, managers and periods);
- reports render in parallel, one per kernel, while this process exports the finished ones to HTML.

A report that fails (its notebook raises, its kernel dies) does not stop the others: it is recorded with
``status="failed"`` and its error, listed as failed in the index, and counted in :class:`BatchResult`
(``kpi-report batch`` then exits with status 3). A report is written atomically, so a failed one leaves no
half-written file.

Files: ``OUT/<period>/quarterly_<team>.html`` (with ``kpis_<team>.csv``, as ``kpi-report quarterly --team``
writes them) and ``OUT/<period>/managers/<manager>.html``; ``.ru.html`` in Russian; a record beside each.

:mod:`kpi_toolkit.report.batch_plan` plans the batch (the reports, their parameters and files);
:mod:`kpi_toolkit.report.batch_render` renders each report.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kpi_toolkit.errors import ParameterError, ReportError
from kpi_toolkit.loading import load
from kpi_toolkit.report.batch_plan import BatchItem, By, plan_batch
from kpi_toolkit.report.batch_render import BatchOutcome, _notebook, _progress_bar, _render_all
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.kernels import PRELOAD, KernelPool, imported_modules
from kpi_toolkit.report.render import notebook_parameters, notebook_path
from kpi_toolkit.report.site import Site, build_site, check_index_owned
from kpi_toolkit.spreadsheets import safe_for_spreadsheet

__all__ = ["BatchResult", "default_jobs", "run_batch"]


@dataclass(frozen=True)
class BatchResult:
    """The outcome of every report of a batch, in the order planned, and the site's index."""

    outcomes: list[BatchOutcome]
    site: Site
    seconds: float
    jobs: int
    #: How many notebooks each kernel executed.
    notebooks_per_kernel: list[int] = field(default_factory=list)

    @property
    def failed(self) -> list[BatchOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def rendered(self) -> list[BatchOutcome]:
        return [o for o in self.outcomes if o.ok]


def default_jobs() -> int:
    """The number of cores this process may use (the default of ``--jobs``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _check_parameters(items: Sequence[BatchItem]) -> None:
    for kind in {i.kind for i in items}:
        declared = notebook_parameters(notebook_path(kind))
        unknown = sorted({k for i in items if i.kind == kind for k in i.parameters} - set(declared))
        if unknown:
            raise ReportError(
                f"{notebook_path(kind).name} has no parameter(s) {unknown}; it takes {', '.join(declared)}."
            )


def run_batch(
    data_dir: str | Path,
    *,
    by: By,
    out: str | Path,
    period: str | Sequence[str] | None = None,
    jobs: int | None = None,
    lang: str = "en",
    currency: str = "",
    mapping: str | Path | None = None,
    on_invalid: str = "raise",
    plan_metric: str = "",
    console: Any = None,
    cell_timeout: int | None = None,
    force: bool = False,
) -> BatchResult:
    """Render one report per team or per manager (and period) and write the site's index once, at the end.

    Parameters
    ----------
    data_dir
        The data set's folder (read through ``mapping`` when given).
    by
        ``"team"`` or ``"manager"`` (see :func:`plan_batch`).
    plan_metric
        The KPI the plan attainment is measured on (``kt.load(plan_metric=...)``); empty: the data set's.
    out
        The reports folder (the site).
    period
        A period, a range ``2025Q4:2026Q3`` or a comma-separated list; default the latest complete quarter.
    jobs
        Kernels, i.e. reports rendered at the same time; default :func:`default_jobs`, never more than the
        number of reports.
    console
        A :class:`rich.console.Console` to show a progress bar on; ``None``: none.
    cell_timeout
        Seconds a notebook cell may run; ``None``: no limit.
    force
        Replace an ``OUT/index.html`` that the toolkit did not write (else a :class:`ReportError`, before
        anything is rendered).

    Returns
    -------
    BatchResult
        Every report's outcome (its record), the site, the time taken.

    Raises
    ------
    KpiToolkitError
        When nothing can be rendered: the data does not load or validate, a parameter is wrong, no kernel
        starts. A failing report is not an error here: it is in ``BatchResult.failed``.
    """
    start = time.perf_counter()
    if jobs is not None and jobs < 1:
        raise ParameterError(
            f"jobs={jobs}: at least one report must render at a time. Fix: --jobs 1 or more."
        )
    tr = translator(lang, currency=currency)
    check_index_owned(out, force=force)
    data = load(data_dir, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric or None)  # type: ignore[arg-type]
    items = plan_batch(
        data,
        data_dir=data_dir,
        by=by,
        out=out,
        period=period,
        lang=lang,
        currency=currency,
        mapping=mapping,
        on_invalid=on_invalid,
        plan_metric=plan_metric,
    )
    _check_parameters(items)
    jobs = max(1, min(jobs or default_jobs(), len(items) or 1))
    per_kernel: list[int] = []

    async def main() -> list[BatchOutcome]:
        notebooks = [_notebook(kind) for kind in sorted({i.kind for i in items})]
        preload = [*PRELOAD, *imported_modules(notebooks)]
        pool = KernelPool(
            jobs, cwd=notebook_path("quarterly").parent, preload=preload, cell_timeout=cell_timeout
        )
        # this process's own work (HTML export) runs in one thread, beside the kernels' work
        with (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="kpi-batch") as worker,
            tempfile.TemporaryDirectory(prefix=".batch-", dir=out) as scratch,  # hidden: the site skips it
        ):
            async with pool:
                with _progress_bar(console, len(items)) as done:
                    outcomes = await _render_all(
                        items, scratch=Path(scratch).resolve(), pool=pool, tr=tr, worker=worker, done=done
                    )
                per_kernel.extend(pool.notebooks_per_kernel)
                return outcomes

    if items:
        Path(out).mkdir(parents=True, exist_ok=True)
    outcomes = asyncio.run(main()) if items else []
    if len(data.quarantine):
        for p in sorted({i.period for i in items}, key=str):
            folder = Path(out) / str(p)
            folder.mkdir(parents=True, exist_ok=True)
            safe_for_spreadsheet(data.quarantine).to_csv(folder / "quarantine.csv", index=False)
    site = build_site(out, force=force)  # the index's language is the site's, not this batch's
    return BatchResult(
        outcomes=outcomes,
        site=site,
        seconds=time.perf_counter() - start,
        jobs=jobs,
        notebooks_per_kernel=per_kernel,
    )
