"""The ``kpi-report`` command: render reports and make the demo data.

Errors of the toolkit (bad data, bad parameters, a failed notebook) are printed without a traceback and end
the command with exit status 2 (1 is left to unexpected crashes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from kpi_toolkit.data import load
from kpi_toolkit.errors import KpiToolkitError
from kpi_toolkit.mapping.database import data_source
from kpi_toolkit.report.i18n import LANGUAGES, translator
from kpi_toolkit.report.quarterly import quarterly_report
from kpi_toolkit.report.render import notebook_path, render_notebook
from kpi_toolkit.report.site import ReportRecord, build_site, rendered_footer, write_record
from kpi_toolkit.spreadsheets import safe_for_spreadsheet

if TYPE_CHECKING:
    import pandas as pd

    from kpi_toolkit.report.i18n import Translator

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sales KPI reports from a data folder.")
_err = Console(stderr=True)
_out = Console()

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


def _slug(text: str) -> str:
    return re.sub(r"[\W_]+", "-", text).strip("-").lower() or "team"


def rebuild_site(out: Path, *, lang: str = "en") -> Path:
    """Rebuild the report site of ``out``: ``OUT/index.html`` and every report's navigation bar.

    Every command that renders a report calls it after writing the report's record
    (:func:`kpi_toolkit.report.site.write_record`; :func:`_publish` does both); a batch calls it once, at
    the end.
    """
    site = build_site(out, lang=lang)
    for problem in site.problems:
        _err.print(f"warning: left out of {site.index}: {problem}", markup=False, highlight=False)
    return site.index


def _publish(html: Path, record: ReportRecord, *, out: Path) -> Path:
    """Record a rendered report beside its HTML and rebuild the site; returns the index."""
    write_record(record, html)
    return rebuild_site(out, lang=record.lang)


def _render(
    kind: str,
    report: Any,
    views: Any,
    tr: Translator,
    *,
    out: Path,
    stem: str,
    parameters: dict[str, Any],
    team: str = "",
    subject: str | None = None,
) -> tuple[Path, ReportRecord]:
    """Render the ``kind`` notebook into ``OUT/<period>/<stem>.html`` (``<stem>.<lang>.html`` but in English)
    with its record: title and key figures from ``views``, fingerprint and data date from ``report``."""
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
        output=out / str(report.period) / f"{stem}{'' if tr.lang == 'en' else '.' + tr.lang}.html",
        title=record.title,
        language=tr.lang,
        footer=rendered_footer(record),
    )
    return html, record


def _spreadsheet(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV with text cells a spreadsheet would run as formulas neutralised."""
    safe_for_spreadsheet(frame).to_csv(path, index=False)
    return path


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
) -> None:
    """Render the quarterly KPI report: OUT/<period>/quarterly.html (quarterly.ru.html in Russian), kpis.csv,
    and rebuild the site's OUT/index.html."""
    from kpi_toolkit.report import views

    tr = translator(lang, currency=currency)
    sales = load(data, mapping=mapping, on_invalid=on_invalid)  # type: ignore[arg-type]
    report = quarterly_report(sales, period=period or None, team=team or None)
    suffix = f"_{_slug(team)}" if team else ""
    folder = out / str(report.period)
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "team": team,
        "lang": lang,
        "currency": tr.currency or "",
        "mapping": str(mapping.resolve()) if mapping else "",
        "on_invalid": on_invalid,
    }
    html, record = _render(
        "quarterly", report, views, tr, out=out, stem=f"quarterly{suffix}", parameters=parameters, team=team
    )
    csv = _spreadsheet(report.kpis.reset_index(), folder / f"kpis{suffix}.csv")
    if len(sales.quarantine):
        quarantined = _spreadsheet(sales.quarantine, folder / f"quarantine{suffix}.csv")
        _out.print(f"set aside {sales.row_counts['rows_excluded'].sum()} invalid row(s): {quarantined}")
    index = _publish(html, record, out=out)
    _out.print(f"wrote {html}, {csv} and {index}", soft_wrap=True)


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
) -> None:
    """Pay a period under a KPI card: OUT/<period>/card.html (card.ru.html in Russian), bonuses.xlsx and
    bonuses.csv for payroll (data: the same in every language), and rebuild the site's OUT/index.html."""
    from kpi_toolkit.card.workbook import write_bonus_workbook
    from kpi_toolkit.report import card_views
    from kpi_toolkit.report.card_report import card_report

    tr = translator(lang, currency=currency)
    sales = load(data, mapping=mapping)
    report = card_report(sales, period=period, card=card, team=team or None)
    suffix = f"_{_slug(team)}" if team else ""
    folder = out / str(report.period)
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "card": str(card.resolve()),
        "team": team,
        "lang": lang,
        "currency": tr.currency or "",
        "mapping": str(mapping.resolve()) if mapping else "",
    }
    html, record = _render(
        "card", report, card_views, tr, out=out, stem=f"card{suffix}", parameters=parameters, team=team
    )
    workbook = write_bonus_workbook(
        folder / f"bonuses{suffix}.xlsx", card=report.card, scorecard=report.scorecard, payouts=report.payroll
    )
    csv = _spreadsheet(report.payroll, folder / f"bonuses{suffix}.csv")
    index = _publish(html, record, out=out)
    _out.print(f"wrote {html}, {workbook}, {csv} and {index}", soft_wrap=True)


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
) -> None:
    """Compare managers honestly: OUT/<period>/manager_comparison.html (the tests, a funnel plot, a shrunk
    ranking; manager_comparison.ru.html in Russian), manager_tests.csv (every test of every KPI), and rebuild
    the site's OUT/index.html."""
    from kpi_toolkit.report import comparison_views
    from kpi_toolkit.report.comparison_report import comparison_report

    tr = translator(lang, currency=currency)
    sales = load(data, mapping=mapping)
    metric = metric or ("conversion" if sales.leads is not None else "average_check")  # the first it supports
    report = comparison_report(sales, period=period, metric=metric, team=team or None, alpha=alpha)  # type: ignore[arg-type]
    suffix = f"_{_slug(team)}" if team else ""
    folder = out / str(report.period)
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
    name = "manager_comparison" + ("" if metric == "conversion" else f"_{metric}") + suffix
    name += (
        "" if alpha == 0.05 else f"_alpha{alpha:g}"
    )  # every option that changes the content names the file
    html, record = _render(
        "comparison", report, comparison_views, tr, out=out, stem=name, parameters=parameters, team=team,
        subject=metric,
    )  # fmt: skip
    csv = _spreadsheet(report.manager_tests, folder / f"manager_tests{suffix}.csv")
    index = _publish(html, record, out=out)
    _out.print(f"wrote {html}, {csv} and {index}", soft_wrap=True)


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
) -> None:
    """Render one report per team (quarterly) or per manager (against the team, colleagues pseudonymised),
    then the site's OUT/index.html once. Exit status 3 when some reports failed (listed in the index)."""
    from kpi_toolkit.report.batch import run_batch

    result = run_batch(
        data, by=by, out=out, period=period or None, jobs=jobs or None, lang=lang, currency=currency,
        mapping=mapping, on_invalid=on_invalid, console=_err,
    )  # fmt: skip
    for problem in result.site.problems:
        _err.print(f"warning: left out of {result.site.index}: {problem}", markup=False, highlight=False)
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
) -> None:
    """Explain the gap to plan: OUT/<period>/plan_gap.html (the gap's drivers, systematic misses, pacing),
    plan_gap.csv, and rebuild the site's OUT/index.html."""
    from kpi_toolkit.report import plan_gap_views
    from kpi_toolkit.report.plan_gap_report import plan_gap_report

    tr = translator(lang, currency=currency)
    sales = load(data)
    report = plan_gap_report(
        sales, period=period, team=team, manager=manager, baseline=baseline, history=history, as_of=as_of
    )
    suffix = "".join(f"_{_slug(x)}" for x in (team, manager) if x)
    options = {"baseline": baseline != "plan", "history": history != 8, "as-of": bool(as_of)}
    values = {"baseline": baseline, "history": history, "as-of": as_of}
    suffix += "".join(f"_{k.replace('-', '')}{_slug(str(values[k]))}" for k, on in options.items() if on)
    folder = out / str(report.period)
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
    html, record = _render(
        "plan_gap",
        report,
        plan_gap_views,
        tr,
        out=out,
        stem=f"plan_gap{suffix}",
        parameters=parameters,
        team=team,
        subject=manager or None,
    )
    csv = _spreadsheet(report.gap.round(2), folder / f"plan_gap{suffix}.csv")  # money in cents for people
    index = _publish(html, record, out=out)
    _out.print(f"wrote {html}, {csv} and {index}", soft_wrap=True)


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
) -> None:
    """What top performers do differently: OUT/<period>/showcase.html (the top group, the practices
    associated with winning, what to teach), practices.csv, and rebuild the site's OUT/index.html."""
    from kpi_toolkit.report import showcase_views
    from kpi_toolkit.report.showcase import showcase_report

    tr = translator(lang)
    sales = load(data)
    report = showcase_report(
        sales, period=period, team=team, top_share=top_share, anonymize=anonymize, min_leads=min_leads, tr=tr
    )
    suffix = f"_{_slug(team)}" if team else ""
    folder = out / str(report.period)
    parameters = {
        "data_dir": str(data.resolve()),
        "period": str(report.period),
        "team": team,
        "top_share": top_share,
        "anonymize": anonymize,
        "min_leads": min_leads,
        "lang": lang,
    }
    html, record = _render(
        "showcase",
        report,
        showcase_views,
        tr,
        out=out,
        stem=f"showcase{suffix}",
        parameters=parameters,
        team=team,
    )
    csv = _spreadsheet(report.effects, folder / f"practices{suffix}.csv")
    index = _publish(html, record, out=out)
    _out.print(f"wrote {html}, {csv} and {index}", soft_wrap=True)


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
    """Entry point of ``kpi-report``: run the command, print toolkit errors without a traceback."""
    try:
        app(standalone_mode=False)
    except KpiToolkitError as exc:
        _err.print("error:", style="bold red", end=" ")
        _err.print(_cli_words(str(exc)), markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except (typer.Abort, KeyboardInterrupt):
        raise SystemExit(130) from None
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            raise SystemExit(exc.exit_code) from None
        raise
