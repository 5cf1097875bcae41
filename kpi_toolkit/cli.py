"""The ``kpi-report`` command: render reports and make the demo data.

A report is computed once, in its notebook: a command checks its options, executes the report's notebook
(whose last cell writes the report's record and data files into a staging folder, see
:mod:`kpi_toolkit.report.outputs`), names the files and publishes the set (:mod:`kpi_toolkit.report.publish`).
This process never loads the data itself.

Errors of the toolkit (bad data, bad parameters, a failed notebook), files that cannot be read or written
and mistyped options are printed in a line or two, without a traceback, and end the command with exit status
2 (1 is left to unexpected crashes). Ctrl-C and SIGTERM stop a command with exit status 130 and one line
saying whether the report was published: a report's files are published together or not at all
(:mod:`kpi_toolkit.report.publish`).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from kpi_toolkit.data_options import check_plan_metric
from kpi_toolkit.errors import KpiToolkitError, ParameterError
from kpi_toolkit.interrupts import Interrupted, handling_signals, interrupted_line
from kpi_toolkit.mapping.database import data_source
from kpi_toolkit.periods import parse_span
from kpi_toolkit.report.i18n import LANGUAGES, translator
from kpi_toolkit.report.names import file_part, period_folder, slug
from kpi_toolkit.report.outputs import QUARANTINE_FILE, read_outputs
from kpi_toolkit.report.publish import ReportSet, prepare_out
from kpi_toolkit.report.render import execute_notebook, notebook_path, notebook_to_html
from kpi_toolkit.report.site import ReportRecord, Site, rendered_footer

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sales KPI reports from a data folder.")
_err = Console(stderr=True, emoji=False)  # a cell ":x:" in an error stays ":x:"
_out = Console(emoji=False)

DataOption = Annotated[
    Path,
    typer.Option(
        "--data",
        help="Data-set folder (orders.csv, leads.csv, ...) or database URL (postgresql://..., sqlite:///...).",
        parser=data_source,
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Reports folder; files go to OUT/<period>/.")]
PeriodOption = Annotated[
    str,
    typer.Option(
        "--period", help="Quarter, e.g. 2026Q3, or a range such as 2025Q4:2026Q3 (default: latest complete)."
    ),
]
TeamOption = Annotated[str, typer.Option("--team", help="One team's report (default: all teams).")]
LangOption = Annotated[
    str,
    typer.Option(
        "--lang", help=f"Language of the report: {' or '.join(LANGUAGES)} (files: name.<lang>.html)."
    ),
]
CurrencyOption = Annotated[
    str,
    typer.Option(
        "--currency", help="ISO 4217 code of the amounts, e.g. RUB, USD, EUR (default: no currency sign)."
    ),
]

MappingOption = Annotated[
    Path | None,
    typer.Option("--mapping", help="Mapping (YAML) that reads an export in DATA, see docs/mappings.md."),
]
OnInvalidOption = Annotated[
    str,
    typer.Option(
        "--on-invalid",
        help="raise: stop at invalid rows; quarantine: set them aside, in OUT/<period>/quarantine.csv.",
    ),
]
PlanMetricOption = Annotated[
    str,
    typer.Option(
        "--plan-metric",
        help="KPI the plan attainment is measured on: sales_volume, net_sales or gross_margin (default: the "
        "mapping's or dataset.yml's plan_metric, else sales_volume).",
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace an OUT/index.html that kpi-toolkit did not write.")
]


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


@app.command()
def quarterly(
    data: DataOption,
    out: OutOption = Path("reports"),
    period: PeriodOption = "",
    team: TeamOption = "",
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    on_invalid: OnInvalidOption = "raise",
    plan_metric: PlanMetricOption = "",
    force: ForceOption = False,
) -> None:
    """Render the quarterly KPI report: OUT/<period>/quarterly.html (quarterly.ru.html in Russian), kpis.csv,
    and rebuild the site's OUT/index.html."""
    _report(
        "quarterly", data=data, out=out, lang=lang, currency=currency, mapping=mapping, on_invalid=on_invalid,
        plan_metric=plan_metric,
        force=force, options={"period": period, "team": team}, name="quarterly", named_by=[("team", team)],
    )  # fmt: skip


@app.command("card")
def card_command(
    data: DataOption,
    period: Annotated[
        str,
        typer.Option(
            "--period", help="Period to pay, of the card's kind: 2026Q3, 2026-07 or 2026 (one, not a range)."
        ),
    ],
    card: Annotated[Path, typer.Option("--card", help="The KPI card (YAML), see docs/kpi_card.md.")],
    out: OutOption = Path("reports"),
    team: TeamOption = "",
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    on_invalid: OnInvalidOption = "raise",
    plan_metric: PlanMetricOption = "",
    force: ForceOption = False,
) -> None:
    """Pay a period under a KPI card: OUT/<period>/card.html (card.ru.html in Russian), bonuses.xlsx and
    bonuses.csv for payroll (bonuses.ru.xlsx and .csv in Russian: the same numbers, Russian headers and
    notes), and rebuild the site's OUT/index.html."""
    from kpi_toolkit.card.spec import load_card

    load_card(card)  # a bad card fails before the notebook runs
    _report(
        "card", data=data, out=out, lang=lang, currency=currency, mapping=mapping, on_invalid=on_invalid,
        plan_metric=plan_metric,
        force=force, options={"period": period, "card": str(card.resolve()), "team": team}, name="card",
        named_by=[("team", team)],
    )  # fmt: skip


@app.command("compare")
def compare_command(
    data: DataOption,
    period: Annotated[
        str,
        typer.Option(
            "--period",
            help="Period to compare: a year (2026, tells most), 2026Q3, 2026-07, or a range 2025Q4:2026Q3.",
        ),
    ],
    out: OutOption = Path("reports"),
    team: TeamOption = "",
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help="One KPI only: conversion, average_check, margin_rate or new_customers (default: every KPI "
            "the data allow on one page: conversion, average check, margin rate).",
        ),
    ] = "",
    alpha: Annotated[
        float, typer.Option("--alpha", help="Level of the verdicts (chance of any false flag), e.g. 0.05.")
    ] = 0.05,
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    on_invalid: OnInvalidOption = "raise",
    plan_metric: PlanMetricOption = "",
    force: ForceOption = False,
) -> None:
    """Compare managers honestly: OUT/<period>/manager_comparison.html (the tests, a funnel plot, a shrunk
    ranking; manager_comparison.ru.html in Russian), manager_tests.csv (every test of every KPI), and rebuild
    the site's OUT/index.html."""

    def name(record: ReportRecord) -> str:  # every option that changes the content names the file
        metric = record.subject or ""
        return (
            "manager_comparison"
            + (f"_{metric}" if metric else "")
            + ("" if alpha == 0.05 else f"_alpha{alpha:g}")
        )

    _report(
        "comparison", data=data, out=out, lang=lang, currency=currency, mapping=mapping,
        on_invalid=on_invalid, plan_metric=plan_metric, force=force, command="compare",
        options={"period": period, "team": team, "metric": metric, "alpha": float(alpha)}, name=name,
        named_by=[("team", team)],
    )  # fmt: skip


@app.command("batch")
def batch_command(
    data: DataOption,
    by: Annotated[str, typer.Option("--by", help="team: one report per team; manager: one per manager.")],
    out: OutOption = Path("reports"),
    period: Annotated[
        str, typer.Option("--period", help="2026Q3, a range 2025Q4:2026Q3 or a list (default: latest).")
    ] = "",
    jobs: Annotated[
        int, typer.Option("--jobs", help="Reports rendered at the same time (default: the number of cores).")
    ] = 0,
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    on_invalid: OnInvalidOption = "raise",
    plan_metric: PlanMetricOption = "",
    force: ForceOption = False,
) -> None:
    """Render one report per team (quarterly) or per manager (against the team, colleagues pseudonymised),
    then the site's OUT/index.html once. Exit status 3 when some reports failed (listed in the index)."""
    from kpi_toolkit.report.batch import run_batch

    prepare_out(out, force=force)
    try:
        result = run_batch(
            data, by=by, out=out, period=period or None, jobs=jobs or None, lang=lang, currency=currency,
            mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric, console=_err,
            force=force,
        )  # fmt: skip
    except Interrupted as exc:
        exc.outcome = (
            "the reports finished before it are in place, each whole; the others and the site's index "
            "are not (run the batch again)."
        )
        raise
    _warn(result.site)
    for failed in result.failed:
        _err.print(f"failed: {failed.item.label}: {failed.record.error}", markup=False, highlight=False)
    _out.print(
        f"rendered {len(result.rendered)} of {len(result.outcomes)} reports in {result.seconds:.1f} s "
        f"with {result.jobs} kernel(s); wrote {result.site.index}",
        soft_wrap=True,
    )
    if result.failed:
        raise SystemExit(3)  # not typer.Exit: main() runs the app with standalone_mode=False


@app.command("plan-gap")
def plan_gap_command(
    data: DataOption,
    period: Annotated[
        str, typer.Option("--period", help="Period to explain, e.g. 2026Q3 (one, not a range).")
    ],
    out: OutOption = Path("reports"),
    manager: Annotated[str, typer.Option("--manager", help="One manager to focus on (default: all).")] = "",
    team: TeamOption = "",
    baseline: Annotated[
        str, typer.Option("--baseline", help="plan, previous, last_year or team (default: plan).")
    ] = "plan",
    history: Annotated[int, typer.Option("--history", help="Periods judged for systematic misses.")] = 8,
    as_of: Annotated[
        str, typer.Option("--as-of", help="Day the pacing is judged at (default: the end of the data).")
    ] = "",
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    on_invalid: OnInvalidOption = "raise",
    plan_metric: PlanMetricOption = "",
    force: ForceOption = False,
) -> None:
    """Explain the gap to plan: OUT/<period>/plan_gap.html (the gap's drivers, systematic misses, pacing),
    plan_gap.csv, and rebuild the site's OUT/index.html."""
    options = {"baseline": baseline != "plan", "history": history != 8, "asof": bool(as_of)}
    values = {"baseline": baseline, "history": history, "asof": as_of}
    # every option that changes the content names the file: plan_gap_baselineprevious_history4.html
    name = "plan_gap" + "".join(f"_{k}{slug(str(values[k]))}" for k, on in options.items() if on)
    _report(
        "plan_gap", data=data, out=out, lang=lang, currency=currency, mapping=mapping, on_invalid=on_invalid,
        plan_metric=plan_metric,
        force=force, name=name, named_by=[("team", team), ("manager", manager)], renames={"plan_gap": name},
        command="plan-gap",
        options={"period": period, "team": team, "manager": manager, "baseline": baseline,
                 "history": history, "as_of": as_of},
    )  # fmt: skip


@app.command("showcase")
def showcase_command(
    data: DataOption,
    period: Annotated[
        str, typer.Option("--period", help="Period to showcase, e.g. 2026Q3, or a range 2025Q4:2026Q3.")
    ],
    out: OutOption = Path("reports"),
    team: TeamOption = "",
    top_share: Annotated[
        float, typer.Option("--top-share", help="Share of the ranked managers showcased (default 0.25).")
    ] = 0.25,
    min_leads: Annotated[
        int, typer.Option("--min-leads", help="Managers with fewer closed leads are not ranked (default 20).")
    ] = 20,
    anonymize: Annotated[
        bool, typer.Option("--anonymize/--no-anonymize", help="Pseudonyms outside the showcased group.")
    ] = True,
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    on_invalid: OnInvalidOption = "raise",
    plan_metric: PlanMetricOption = "",
    force: ForceOption = False,
) -> None:
    """What top performers do differently: OUT/<period>/showcase.html (the top group, the practices
    associated with winning, what to teach), practices.csv, and rebuild the site's OUT/index.html."""
    _report(
        "showcase", data=data, out=out, lang=lang, currency=currency, mapping=mapping, on_invalid=on_invalid,
        plan_metric=plan_metric,
        force=force, name="showcase", named_by=[("team", team)],
        options={"period": period, "team": team, "top_share": top_share, "anonymize": anonymize,
                 "min_leads": min_leads},
    )  # fmt: skip


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the demo data set into.")] = Path(
        "data/demo"
    ),
    seed: Annotated[int, typer.Option(help="Seed of the generator.")] = 2026,
) -> None:
    """Write the seeded demo company (orders, leads, plans, managers) as CSV files."""
    from kpi_toolkit.demo import write_demo_data

    folder = write_demo_data(out, seed=seed)
    _out.print(f"wrote the demo data set to {folder}")


#: Python parameters named in the toolkit's messages that are options of the command line.
_CLI_OPTIONS = ("metric", "period", "team", "manager", "alpha", "baseline", "history", "as_of", "by", "jobs",
                "lang", "currency", "on_invalid", "top_share", "min_leads",
                "plan_metric")  # fmt: skip
_PYTHON_PARAMETER = re.compile(rf"\b({'|'.join(_CLI_OPTIONS)})=('([^']*)'|\"([^\"]*)\"|([\w.:-]+))")


def _cli_words(message: str) -> str:
    """A toolkit message as the command line speaks: ``metric='average_check'`` becomes ``--metric
    average_check``.

    >>> _cli_words("or compare metric='average_check' (on_invalid='x')")
    'or compare --metric average_check (--on-invalid x)'
    """

    def option(match: re.Match[str]) -> str:
        value = next(v for v in match.group(3, 4, 5) if v is not None)
        return f"--{match.group(1).replace('_', '-')} {value}"

    return _PYTHON_PARAMETER.sub(option, message)


def main() -> None:
    """Entry point of ``kpi-report``: run the command; print errors, interruptions and usage mistakes in a
    line or two, without a traceback."""
    try:
        with handling_signals():
            code = app(standalone_mode=False)
    except Interrupted as exc:
        _err.print(interrupted_line(exc), markup=False, highlight=False)
        raise SystemExit(130) from None
    except KpiToolkitError as exc:
        _err.print("error:", style="bold red", end=" ")
        _err.print(_cli_words(str(exc)), markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except OSError as exc:  # a file that cannot be read or written, named by the system's message
        where = f"{exc.filename}: " if exc.filename else ""
        _err.print("error:", style="bold red", end=" ")
        _err.print(f"{where}{exc.strerror or exc}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except (typer.Abort, KeyboardInterrupt):
        _err.print(interrupted_line(), markup=False, highlight=False)
        raise SystemExit(130) from None
    except typer.TyperException as exc:  # usage errors (an unknown option such as --perod): click's message
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    if isinstance(code, int) and code:
        if code == 130:
            _err.print(interrupted_line(), markup=False, highlight=False)
        raise SystemExit(code)
