"""How a ``kpi-report`` command renders one report: check the options, run the notebook, publish the files.

:func:`_report` is the one call each report command makes (:mod:`kpi_toolkit.cli_commands`): the report is
computed in its notebook, whose last cell writes the record and data files into a staging folder
(:mod:`kpi_toolkit.report.outputs`); the files are named here (:mod:`kpi_toolkit.report.names`) and published
together or not at all (:mod:`kpi_toolkit.report.publish`). The consoles the commands print to live here too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from kpi_toolkit.data_options import check_plan_metric
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import parse_span
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.names import file_part, period_folder
from kpi_toolkit.report.outputs import QUARANTINE_FILE, read_outputs
from kpi_toolkit.report.publish import ReportSet, prepare_out
from kpi_toolkit.report.render import execute_notebook, notebook_path, notebook_to_html
from kpi_toolkit.report.site import ReportRecord, Site, rendered_footer

_err = Console(stderr=True, emoji=False)  # a cell ":x:" in an error stays ":x:"
_out = Console(emoji=False)


def _warn(site: Site) -> None:
    for problem in site.problems:
        _err.print(f"warning: left out of {site.index}: {problem}", markup=False, highlight=False)


def _wrote(files: ReportSet, written: list[Path], site: Site) -> None:
    shown = [str(files.published(p.name)) for p in written] + [str(site.index)]
    _out.print(f"wrote {', '.join(shown[:-1])} and {shown[-1]}", soft_wrap=True, markup=False)


#: Report commands whose ``--period`` takes a range (``2025Q4:2026Q3``): one report over the whole run.
_RANGE_COMMANDS = ("quarterly", "compare", "showcase")
#: Why the other report commands take one period.
_ONE_PERIOD = {
    "card": "a card pays one period of its kind (run card once per period)",
    "plan-gap": "the gap to plan and the pacing are about one period (--history sets how many periods are "
    "judged for systematic misses)",
}


def _one_period(command: str, period: str) -> None:
    """Refuse a range in ``--period`` of a command about one period, saying which commands take one (the
    labels' syntax does not depend on the fiscal year; whether the period has data, the notebook checks)."""
    if not period:
        return
    span = parse_span(period, name="period")  # a label that is no period or range fails here, in one line
    if len(span.periods) > 1 and command not in _RANGE_COMMANDS:
        why = _ONE_PERIOD.get(command, "this report is about one period")
        raise ParameterError(
            f"{command} --period takes one period, e.g. {span.last}, not the range {span}: {why}. "
            f"--period takes a range in {', '.join(_RANGE_COMMANDS)} (and batch: one report per period)."
        )


def _report(
    kind: str,
    *,
    data: Path,
    out: Path,
    lang: str,
    force: bool,
    options: dict[str, Any],
    name: str | Callable[[ReportRecord], str],
    named_by: Sequence[tuple[str, str]] = (),
    currency: str | None = "",
    mapping: Path | None = None,
    on_invalid: str = "raise",
    plan_metric: str = "",
    renames: Mapping[str, str] | None = None,
    command: str = "",
) -> None:
    """Render one report: check the options, execute the ``kind`` notebook (the one place the report is
    computed: its last cell writes the record and the data files), name the files and publish the set.

    ``options`` are the notebook's own parameters; ``name`` the stem of the page's file name (or a function
    of the record); ``named_by`` the names that go into the file name, as ``("team" | "manager", value)``;
    ``currency`` ``None`` for a notebook without amounts; ``renames`` gives a data file another stem than
    the notebook's (``plan_gap.csv`` named as the page).
    """
    tr = translator(lang, currency=currency or "")  # an unknown language or currency fails first
    check_plan_metric(plan_metric or None, where="plan_metric")
    _one_period(command or kind, str(options.get("period") or ""))
    prepare_out(out, force=force)
    parameters = {
        "data_dir": str(data.resolve()),
        **options,
        "lang": lang,
        **({} if currency is None else {"currency": tr.currency or ""}),
        "mapping": str(mapping.resolve()) if mapping else "",
        "on_invalid": on_invalid,
        "plan_metric": plan_metric,
    }
    with ReportSet(out, force=force) as files:
        assert files.staging is not None
        # absolute: the notebook runs in notebooks/, not here
        workdir = Path(tempfile.mkdtemp(prefix=".render-", dir=files.staging)).resolve()
        parameters["output_dir"] = str(workdir)
        executed = execute_notebook(notebook_path(kind), parameters=parameters, workdir=workdir)
        result = read_outputs(workdir)
        record = result.record
        files.for_period(record.period)
        stem = name(record) if callable(name) else name
        universe = {"team": result.teams, "manager": result.managers}
        suffix, owner = file_part(
            out / period_folder(record.period), stem, lang, [(value, universe[of]) for of, value in named_by]
        )
        html = files.path(f"{stem}{suffix}{'' if lang == 'en' else '.' + lang}.html")
        page = notebook_to_html(executed, title=record.title, language=lang, footer=rendered_footer(record))
        html.write_text(page, encoding="utf-8")
        written = [html]
        for base, path in result.files.items():
            base_stem, dot, ext = base.partition(".")
            target = files.path(f"{(renames or {}).get(base_stem, base_stem)}{suffix}{dot}{ext}")
            path.rename(target)  # not os.replace: the publisher alone replaces files
            written += [] if base == QUARANTINE_FILE else [target]
        site = files.publish(html, record, owner=owner)
    if result.quarantined:
        _out.print(
            f"set aside {result.quarantined} invalid row(s): {files.published(f'quarantine{suffix}.csv')}",
            markup=False,
        )
    _wrote(files, written, site)
