"""The ``kpi-report`` command: render reports and make the demo data.

Errors of the toolkit (bad data, bad parameters, a failed notebook), files that cannot be read or written
and mistyped options are printed in a line or two, without a traceback, and end the command with exit status
2 (1 is left to unexpected crashes). Ctrl-C and SIGTERM stop a command with exit status 130 and one line
saying whether the report was published: a report's files are published together or not at all
(:mod:`kpi_toolkit.report.publish`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer
from rich.console import Console

from kpi_toolkit.data import SalesData, load
from kpi_toolkit.errors import DataValidationError, KpiToolkitError, Violation
from kpi_toolkit.interrupts import Interrupted, handling_signals, interrupted_line
from kpi_toolkit.mapping.database import data_source
from kpi_toolkit.periods import Period, require_data
from kpi_toolkit.report.i18n import LANGUAGES, translator
from kpi_toolkit.report.names import file_part, slug
from kpi_toolkit.report.publish import ReportSet, prepare_out
from kpi_toolkit.report.quarterly import quarterly_report
from kpi_toolkit.report.render import notebook_path, render_notebook
from kpi_toolkit.report.site import ReportRecord, Site, rendered_footer
from kpi_toolkit.spreadsheets import safe_for_spreadsheet

if TYPE_CHECKING:
    from kpi_toolkit.report.i18n import Translator

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
    str, typer.Option("--period", help="Quarter, e.g. 2026Q3 (default: latest complete).")
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
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace an OUT/index.html that kpi-toolkit did not write.")
]


def _warn(site: Site) -> None:
    for problem in site.problems:
        _err.print(f"warning: left out of {site.index}: {problem}", markup=False, highlight=False)


def _load(data: Path, **options: Any) -> SalesData:
    """Load the data set; refuse one without orders (there is nothing to report on)."""
    sales = load(data, **options)
    if pd.isna(sales.first_date):
        raise DataValidationError(
            [
                Violation(
                    "orders",
                    str(data),
                    None,
                    "the orders table has no rows (only a header): there is nothing to report on",
                    fix="export the orders again, with the period you want to report on",
                )
            ]
        )
    return sales


def _covered(sales: SalesData, period: Period | str) -> None:
    """Refuse a period with no data in it (checked before the report is computed when it is given)."""
    if period:
        require_data(sales.period(period), first=sales.first_date, last=sales.last_date)


def _render(
    kind: str,
    report: Any,
    views: Any,
    tr: Translator,
    *,
    files: ReportSet,
    stem: str,
    parameters: dict[str, Any],
    team: str = "",
    subject: str | None = None,
) -> tuple[Path, ReportRecord]:
    """Render the ``kind`` notebook into the report set as ``<stem>.html`` (``<stem>.<lang>.html`` but in
    English) with its record: title and key figures from ``views``, fingerprint and data date from
    ``report``."""
    record = ReportRecord.create(
        kind=kind,
        period=report.period,
        title=views.page_title(report, tr),
        lang=tr.lang,
        team=team,
        subject=subject,
        currency=tr.currency,
        key_figures=views.key_figures(report, tr),
        data_fingerprint=report.data_fingerprint,
        data_as_of=report.data_as_of,
        parameters=parameters,
    )
    html = render_notebook(
        notebook_path(kind),
        parameters=parameters,
        output=files.path(f"{stem}{'' if tr.lang == 'en' else '.' + tr.lang}.html"),
        title=record.title,
        language=tr.lang,
        footer=rendered_footer(record),
    )
    return html, record


def _spreadsheet(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV with text cells a spreadsheet would run as formulas neutralised."""
    safe_for_spreadsheet(frame).to_csv(path, index=False)
    return path


def _wrote(files: ReportSet, written: list[Path], site: Site) -> None:
    shown = [str(files.published(p.name)) for p in written] + [str(site.index)]
    _out.print(f"wrote {', '.join(shown[:-1])} and {shown[-1]}", soft_wrap=True, markup=False)


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
    force: ForceOption = False,
) -> None:
    """Render the quarterly KPI report: OUT/<period>/quarterly.html (quarterly.ru.html in Russian), kpis.csv,
    and rebuild the site's OUT/index.html."""
    from kpi_toolkit.report import views

    tr = translator(lang, currency=currency)
    prepare_out(out, force=force)
    sales = _load(data, mapping=mapping, on_invalid=on_invalid)
    _covered(sales, period)
    report = quarterly_report(sales, period=period or None, team=team or None)
    _covered(sales, report.period)
    suffix, owner = file_part(out / str(report.period), "quarterly", lang, [(team, sales.teams)])
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "team": team,
        "lang": lang,
        "currency": tr.currency or "",
        "mapping": str(mapping.resolve()) if mapping else "",
        "on_invalid": on_invalid,
    }
    with ReportSet(out, str(report.period), force=force) as files:
        html, record = _render(
            "quarterly", report, views, tr, files=files, stem=f"quarterly{suffix}", parameters=parameters,
            team=team,
        )  # fmt: skip
        csv = _spreadsheet(report.kpis.reset_index(), files.path(f"kpis{suffix}.csv"))
        if len(sales.quarantine):
            _spreadsheet(sales.quarantine, files.path(f"quarantine{suffix}.csv"))
        site = files.publish(html, record, owner=owner)
    if len(sales.quarantine):
        _out.print(
            f"set aside {sales.row_counts['rows_excluded'].sum()} invalid row(s): "
            f"{files.published(f'quarantine{suffix}.csv')}",
            markup=False,
        )
    _wrote(files, [html, csv], site)


@app.command("card")
def card_command(
    data: DataOption,
    period: Annotated[
        str, typer.Option("--period", help="Period to pay, of the card's kind: 2026Q3, 2026-07 or 2026.")
    ],
    card: Annotated[Path, typer.Option("--card", help="The KPI card (YAML), see docs/kpi_card.md.")],
    out: OutOption = Path("reports"),
    team: TeamOption = "",
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    force: ForceOption = False,
) -> None:
    """Pay a period under a KPI card: OUT/<period>/card.html (card.ru.html in Russian), bonuses.xlsx and
    bonuses.csv for payroll (bonuses.ru.xlsx and .csv in Russian: the same numbers, Russian headers and
    notes), and rebuild the site's OUT/index.html."""
    from kpi_toolkit.card.workbook import write_bonus_workbook
    from kpi_toolkit.report import card_views
    from kpi_toolkit.report.card_report import card_report
    from kpi_toolkit.report.report_words import payroll_for_people

    tr = translator(lang, currency=currency)
    prepare_out(out, force=force)
    sales = _load(data, mapping=mapping)
    _covered(sales, period)
    report = card_report(sales, period=period, card=card, team=team or None)
    _covered(sales, report.period)
    suffix, owner = file_part(out / str(report.period), "card", lang, [(team, sales.teams)])
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "card": str(card.resolve()),
        "team": team,
        "lang": lang,
        "currency": tr.currency or "",
        "mapping": str(mapping.resolve()) if mapping else "",
    }
    with ReportSet(out, str(report.period), force=force) as files:
        html, record = _render(
            "card", report, card_views, tr, files=files, stem=f"card{suffix}", parameters=parameters,
            team=team,
        )  # fmt: skip
        payroll, scorecard, labels = payroll_for_people(report.payroll, report.scorecard, tr)
        lang_part = "" if tr.lang == "en" else f".{tr.lang}"
        workbook = write_bonus_workbook(
            files.path(f"bonuses{suffix}{lang_part}.xlsx"),
            card=report.card,
            scorecard=scorecard,
            payouts=payroll,
            labels=labels,
        )
        csv = _spreadsheet(payroll.rename(columns=labels), files.path(f"bonuses{suffix}{lang_part}.csv"))
        site = files.publish(html, record, owner=owner)
    _wrote(files, [html, workbook, csv], site)


@app.command("compare")
def compare_command(
    data: DataOption,
    period: Annotated[
        str,
        typer.Option("--period", help="Period to compare: a year (2026, tells most), 2026Q3 or 2026-07."),
    ],
    out: OutOption = Path("reports"),
    team: TeamOption = "",
    metric: Annotated[
        str,
        typer.Option(
            "--metric",
            help="KPI shown in detail: conversion, average_check or new_customers (default: conversion, or "
            "average_check for data without leads).",
        ),
    ] = "",
    alpha: Annotated[
        float, typer.Option("--alpha", help="Level of the verdicts (chance of any false flag), e.g. 0.05.")
    ] = 0.05,
    lang: LangOption = "en",
    currency: CurrencyOption = "",
    mapping: MappingOption = None,
    force: ForceOption = False,
) -> None:
    """Compare managers honestly: OUT/<period>/manager_comparison.html (the tests, a funnel plot, a shrunk
    ranking; manager_comparison.ru.html in Russian), manager_tests.csv (every test of every KPI), and rebuild
    the site's OUT/index.html."""
    from kpi_toolkit.report import comparison_views
    from kpi_toolkit.report.comparison_report import comparison_report

    tr = translator(lang, currency=currency)
    prepare_out(out, force=force)
    sales = _load(data, mapping=mapping)
    _covered(sales, period)
    metric = metric or ("conversion" if sales.leads is not None else "average_check")  # the first it supports
    report = comparison_report(sales, period=period, metric=metric, team=team or None, alpha=alpha)  # type: ignore[arg-type]
    _covered(sales, report.period)
    name = "manager_comparison" + ("" if metric == "conversion" else f"_{metric}")
    # every option that changes the content names the file
    name += "" if alpha == 0.05 else f"_alpha{alpha:g}"
    suffix, owner = file_part(out / str(report.period), name, lang, [(team, sales.teams)])
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "team": team,
        "metric": metric,
        "alpha": float(alpha),
        "lang": lang,
        "currency": tr.currency or "",
        "mapping": str(mapping.resolve()) if mapping else "",
    }
    with ReportSet(out, str(report.period), force=force) as files:
        html, record = _render(
            "comparison", report, comparison_views, tr, files=files, stem=name + suffix,
            parameters=parameters, team=team, subject=metric,
        )  # fmt: skip
        csv = _spreadsheet(report.manager_tests, files.path(f"manager_tests{suffix}.csv"))
        site = files.publish(html, record, owner=owner)
    _wrote(files, [html, csv], site)


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
    force: ForceOption = False,
) -> None:
    """Render one report per team (quarterly) or per manager (against the team, colleagues pseudonymised),
    then the site's OUT/index.html once. Exit status 3 when some reports failed (listed in the index)."""
    from kpi_toolkit.report.batch import run_batch

    prepare_out(out, force=force)
    try:
        result = run_batch(
            data, by=by, out=out, period=period or None, jobs=jobs or None, lang=lang, currency=currency,
            mapping=mapping, on_invalid=on_invalid, console=_err, force=force,
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
    period: Annotated[str, typer.Option("--period", help="Period to explain, e.g. 2026Q3.")],
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
    force: ForceOption = False,
) -> None:
    """Explain the gap to plan: OUT/<period>/plan_gap.html (the gap's drivers, systematic misses, pacing),
    plan_gap.csv, and rebuild the site's OUT/index.html."""
    from kpi_toolkit.report import plan_gap_views
    from kpi_toolkit.report.plan_gap_report import plan_gap_report

    tr = translator(lang, currency=currency)
    prepare_out(out, force=force)
    sales = _load(data)
    _covered(sales, period)
    report = plan_gap_report(
        sales, period=period, team=team, manager=manager, baseline=baseline, history=history, as_of=as_of
    )
    _covered(sales, report.period)
    options = {"baseline": baseline != "plan", "history": history != 8, "asof": bool(as_of)}
    values = {"baseline": baseline, "history": history, "asof": as_of}
    # every option that changes the content names the file: plan_gap_baselineprevious_history4.html
    name = "plan_gap" + "".join(f"_{k}{slug(str(values[k]))}" for k, on in options.items() if on)
    suffix, owner = file_part(
        out / str(report.period), name, lang, [(team, sales.teams), (manager, sales.manager_ids)]
    )
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "team": team,
        "manager": manager,
        "baseline": baseline,
        "history": history,
        "as_of": as_of,
        "lang": lang,
        "currency": tr.currency or "",
    }
    with ReportSet(out, str(report.period), force=force) as files:
        html, record = _render(
            "plan_gap", report, plan_gap_views, tr, files=files, stem=f"{name}{suffix}",
            parameters=parameters, team=team, subject=manager or None,
        )  # fmt: skip
        # money in cents for people
        csv = _spreadsheet(report.gap.round(2), files.path(f"{name}{suffix}.csv"))
        site = files.publish(html, record, owner=owner)
    _wrote(files, [html, csv], site)


@app.command("showcase")
def showcase_command(
    data: DataOption,
    period: Annotated[str, typer.Option("--period", help="Period to showcase, e.g. 2026Q3.")],
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
    force: ForceOption = False,
) -> None:
    """What top performers do differently: OUT/<period>/showcase.html (the top group, the practices
    associated with winning, what to teach), practices.csv, and rebuild the site's OUT/index.html."""
    from kpi_toolkit.report import showcase_views
    from kpi_toolkit.report.showcase import showcase_report

    tr = translator(lang, currency=currency)
    prepare_out(out, force=force)
    sales = _load(data)
    _covered(sales, period)
    report = showcase_report(
        sales, period=period, team=team, top_share=top_share, anonymize=anonymize, min_leads=min_leads, tr=tr
    )
    _covered(sales, report.period)
    suffix, owner = file_part(out / str(report.period), "showcase", lang, [(team, sales.teams)])
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "team": team,
        "top_share": top_share,
        "anonymize": anonymize,
        "min_leads": min_leads,
        "lang": lang,
        "currency": tr.currency or "",
    }
    with ReportSet(out, str(report.period), force=force) as files:
        html, record = _render(
            "showcase", report, showcase_views, tr, files=files, stem=f"showcase{suffix}",
            parameters=parameters, team=team,
        )  # fmt: skip
        csv = _spreadsheet(report.effects, files.path(f"practices{suffix}.csv"))
        site = files.publish(html, record, owner=owner)
    _wrote(files, [html, csv], site)


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
                "lang", "currency", "on_invalid", "top_share", "min_leads")  # fmt: skip
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
