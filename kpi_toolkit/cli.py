"""The ``kpi-report`` command: render reports and make the demo data.

Errors of the toolkit (bad data, bad parameters, a failed notebook) are printed without a traceback and end
the command with exit status 2 (1 is left to unexpected crashes).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from kpi_toolkit.data import load
from kpi_toolkit.errors import KpiToolkitError
from kpi_toolkit.kpis import manager_kpis
from kpi_toolkit.report.quarterly import default_period
from kpi_toolkit.report.render import notebook_path, render_notebook
from kpi_toolkit.spreadsheets import safe_for_spreadsheet

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sales KPI reports from a data folder.")
_err = Console(stderr=True)
_out = Console()

DataOption = Annotated[Path, typer.Option("--data", help="Data-set folder (orders.csv, leads.csv, ...).")]
OutOption = Annotated[Path, typer.Option("--out", help="Reports folder; files go to OUT/<period>/.")]
PeriodOption = Annotated[
    str, typer.Option("--period", help="Quarter, e.g. 2026Q3 (default: latest complete).")
]
TeamOption = Annotated[str, typer.Option("--team", help="One team's report (default: all teams).")]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "team"


@app.command()
def quarterly(
    data: DataOption,
    out: OutOption = Path("reports"),
    period: PeriodOption = "",
    team: TeamOption = "",
) -> None:
    """Render the quarterly KPI report: OUT/<period>/quarterly.html and kpis.csv."""
    sales = load(data)
    p = sales.period(period) if period else default_period(sales)
    kpis = manager_kpis(sales, period=p, team=team or None)
    suffix = f"_{_slug(team)}" if team else ""
    folder = out / str(p)
    html = render_notebook(
        notebook_path("quarterly"),
        parameters={"data_dir": str(data.resolve()), "period": str(p), "team": team},
        output=folder / f"quarterly{suffix}.html",
        title=f"Quarterly sales report {p}" + (f" - {team}" if team else ""),
    )
    csv = folder / f"kpis{suffix}.csv"
    safe_for_spreadsheet(kpis.reset_index()).to_csv(csv, index=False)
    _out.print(f"wrote {html} and {csv}")


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


def main() -> None:
    """Entry point of ``kpi-report``: run the command, print toolkit errors without a traceback."""
    try:
        app(standalone_mode=False)
    except KpiToolkitError as exc:
        _err.print("error:", style="bold red", end=" ")
        _err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except (typer.Abort, KeyboardInterrupt):
        raise SystemExit(130) from None
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            raise SystemExit(exc.exit_code) from None
        raise
