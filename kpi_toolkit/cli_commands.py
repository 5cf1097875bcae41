"""The ``kpi-report`` commands: one report each (quarterly, card, compare, plan-gap, showcase), batch, demo.

Every report command checks what it alone knows (a KPI card, the names its options give the files) and
renders through :func:`kpi_toolkit.cli_render._report`; the options they share are in
:mod:`kpi_toolkit.cli_options`. :mod:`kpi_toolkit.cli` runs :data:`app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi_toolkit.cli_options import (
    CurrencyOption,
    DataOption,
    ForceOption,
    LangOption,
    MappingOption,
    OnInvalidOption,
    OutOption,
    PeriodOption,
    PlanMetricOption,
    TeamOption,
)
from kpi_toolkit.cli_render import _err, _out, _report, _warn
from kpi_toolkit.interrupts import Interrupted
from kpi_toolkit.report.names import slug
from kpi_toolkit.report.publish import prepare_out
from kpi_toolkit.report.site import ReportRecord

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sales KPI reports from a data folder.")


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
