"""What a batch renders: one report per team or per manager, per period, with its notebook's parameters and
its files (:mod:`kpi_toolkit.report.batch` renders them). File names come from the teams' names and the
managers' ids through :mod:`kpi_toolkit.report.names`, unique within each period's folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.mapping.database import report_source
from kpi_toolkit.periods import Period, parse_periods, require_data
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.manager import team_of
from kpi_toolkit.report.names import claim, unique_slugs
from kpi_toolkit.report.quarterly import default_period

__all__ = ["BY", "BatchItem", "plan_batch"]

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
