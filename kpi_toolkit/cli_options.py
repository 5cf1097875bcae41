"""The options the ``kpi-report`` commands share (``--data``, ``--out``, ``--period``, ``--lang`` ...).

Each is a typed ``Annotated`` parameter with its flag and help text, so that every report command spells and
explains an option the same way (:mod:`kpi_toolkit.cli_commands`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpi_toolkit.mapping.database import data_source
from kpi_toolkit.report.i18n import LANGUAGES

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
