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
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook

from kpi_toolkit.data import SalesData, load
from kpi_toolkit.errors import KpiToolkitError, ParameterError, ReportError
from kpi_toolkit.mapping.database import report_source
from kpi_toolkit.periods import Period, parse_periods, require_data
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.kernels import PRELOAD, KernelPool, imported_modules
from kpi_toolkit.report.manager import team_of
from kpi_toolkit.report.names import claim, unique_slugs
from kpi_toolkit.report.outputs import read_outputs
from kpi_toolkit.report.quarterly import default_period
from kpi_toolkit.report.render import notebook_parameters, notebook_path, notebook_to_html
from kpi_toolkit.report.site import (
    ReportRecord,
    Site,
    build_site,
    check_index_owned,
    rendered_footer,
    write_record,
)
from kpi_toolkit.spreadsheets import safe_for_spreadsheet

__all__ = [
    "BY",
    "BatchItem",
    "BatchOutcome",
    "BatchResult",
    "default_jobs",
    "parameterised_notebook",
    "plan_batch",
    "run_batch",
]

BY = ("team", "manager")
By = Literal["team", "manager"]


@dataclass(frozen=True)
class BatchItem:
    """One report of a batch: what to render, with which parameters, to which file."""

    kind: Literal["quarterly", "manager"]
    period: Period
    #: The team reported on (a team report), or the manager's team (``None``: the manager has none).
    team: str | None
    #: The manager's id (a per-manager report), else ``None``.
    manager: str | None
    #: What the site shows beside the team: the manager's name and id (a per-manager report), else ``None``.
    subject: str | None
    #: How the report is named in the progress bar and in messages.
    label: str
    parameters: dict[str, str]
    output: Path
    #: The KPI table for machines, beside a team's report (as ``kpi-report quarterly --team`` writes it).
    csv: Path | None = None
    #: The name the file name was made from (the team, or the manager's id), kept in the report's record.
    owner: str = ""


@dataclass(frozen=True)
class BatchOutcome:
    """What became of one report: its record (``status`` ``"ok"`` or ``"failed"``, with the error)."""

    item: BatchItem
    record: ReportRecord

    @property
    def ok(self) -> bool:
        return self.record.status == "ok"


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


def _periods(data: SalesData, period: str | Sequence[str] | None) -> list[Period]:
    if not period:
        return [default_period(data)]
    if isinstance(period, str):
        period = [p.strip() for p in period.split(",")] if "," in period else period
    periods = parse_periods(period, fiscal_year_start=data.fiscal_year_start, name="period")
    for p in periods:
        require_data(p, first=data.first_date, last=data.last_date)
    return periods


def plan_batch(
    data: SalesData,
    *,
    data_dir: str | Path,
    by: By,
    out: str | Path,
    period: str | Sequence[str] | None = None,
    lang: str = "en",
    currency: str = "",
    mapping: str | Path | None = None,
    on_invalid: str = "raise",
    plan_metric: str = "",
) -> list[BatchItem]:
    """The reports of a batch, by period, then team (and manager id), with their parameters and files.

    Parameters
    ----------
    data
        The data set (loaded from ``data_dir``), for its teams, managers and periods.
    by
        ``"team"``: the quarterly report of each team; ``"manager"``: the report of each manager.
    period
        A period (``2026Q3``), a range (``2025Q4:2026Q3``) or a comma-separated list; empty or ``None``: the
        latest complete quarter.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> items = plan_batch(data, data_dir="data/demo", by="team", out="reports", period="2026Q2:2026Q3")
    >>> [(str(i.period), i.team, i.output.as_posix()) for i in items][:2]  # doctest: +NORMALIZE_WHITESPACE
    [('2026Q2', 'North', 'reports/2026Q2/quarterly_north.html'),
     ('2026Q2', 'South', 'reports/2026Q2/quarterly_south.html')]
    >>> [i.output.name for i in plan_batch(data, data_dir="d", by="manager", out="r", lang="ru")][:2]
    ['m01.ru.html', 'm02.ru.html']
    """
    if by not in BY:
        raise ParameterError(f"by={by!r} is not one of {', '.join(BY)}. Fix: --by team or --by manager.")
    tr = translator(lang, currency=currency)  # an unknown language or currency fails before anything runs
    out = Path(out)
    suffix = "" if lang == "en" else f".{lang}"
    common = {
        "data_dir": report_source(data_dir),
        "lang": lang,
        "currency": tr.currency or "",
        "mapping": str(Path(mapping).resolve()) if mapping else "",
        "on_invalid": on_invalid,
        "plan_metric": plan_metric,
    }
    items: list[BatchItem] = []
    periods = _periods(data, period)
    if by == "team":
        if not data.teams:
            raise ParameterError(
                "--by team needs teams, and this data set has none (no managers table with a 'team' "
                "column). Fix: add one, or use --by manager."
            )
        slugs = unique_slugs(data.teams)
        for p in periods:
            taken: set[str] = set()
            for team in data.teams:
                part = claim(
                    slugs[team], owner=team, taken=taken | (set(slugs.values()) - {slugs[team]}),
                    path_of=lambda s, p=p: out / str(p) / f"quarterly_{s}{suffix}.html",
                )  # fmt: skip
                taken.add(part)
                items.append(
                    BatchItem(
                        kind="quarterly",
                        period=p,
                        team=team,
                        manager=None,
                        subject=None,
                        label=f"{p} {team}",
                        parameters={**common, "period": str(p), "team": team},
                        output=out / str(p) / f"quarterly_{part}{suffix}.html",
                        csv=out / str(p) / f"kpis_{part}.csv",
                        owner=team,
                    )
                )
        return items
    info = data.manager_info
    slugs = unique_slugs(str(m) for m in info.index)
    for p in periods:
        taken = set()
        # no report on a period before the manager joined or after they left
        employed = set(data.managers_of(None, period=p))
        for manager, name in info["name"].items():
            if manager not in employed:
                continue
            part = claim(
                slugs[str(manager)], owner=str(manager),
                taken=taken | (set(slugs.values()) - {slugs[str(manager)]}),
                path_of=lambda s, p=p: out / str(p) / "managers" / f"{s}{suffix}.html",
            )  # fmt: skip
            taken.add(part)
            items.append(
                BatchItem(
                    kind="manager",
                    period=p,
                    team=team_of(data, manager),
                    manager=str(manager),
                    subject=str(manager) if str(name) == str(manager) else f"{name} ({manager})",
                    label=f"{p} {manager}",
                    parameters={**common, "period": str(p), "manager": str(manager)},
                    output=out / str(p) / "managers" / f"{part}{suffix}.html",
                    owner=str(manager),
                )
            )
    return items


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
