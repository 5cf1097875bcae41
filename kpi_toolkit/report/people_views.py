"""The reports' "team changes" note: who joined or left in the period, whose plan covers only part of it, and
whose target is missing (issue 15). Built from public frames: :func:`kpi_toolkit.people.team_changes` and a
:func:`kpi_toolkit.manager_kpis` table (its ``attrs["plan_prorated"]`` and ``attrs["plan_missing"]``)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator, translator

__all__ = ["team_changes_section"]


def team_changes_section(
    changes: pd.DataFrame,
    kpis: pd.DataFrame,
    *,
    names: Mapping[str, str],
    manager: str | None = None,
    tr: Translator | None = None,
) -> html.Html:
    """A short note: joiners, leavers and moves (``changes``; a mover's plan split between the teams by the
    days in each), pro-rated plans and missing targets (``kpis.attrs``).

    ``names`` maps manager ids to the names shown. ``manager``: only that manager's lines (a per-manager
    report names no colleague). Empty when there is nothing to say.

    Examples
    --------
    >>> changes = pd.DataFrame({"manager": ["bob"], "team": ["N"], "change": ["joined"],
    ...                         "date": pd.to_datetime(["2026-08-10"]), "from_team": [None]})
    >>> kpis = pd.DataFrame(index=pd.Index(["bob"], name="manager"))
    >>> kpis.attrs["plan_prorated"] = {"bob": ["2026-08", "2026-09"]}
    >>> text = team_changes_section(changes, kpis, names={"bob": "Bob <b>"})
    >>> "Bob &lt;b&gt; joined on" in text, "the targets of" in text
    (True, True)
    """
    tr = tr or translator("en")
    mine = lambda m: manager is None or str(m) == manager  # noqa: E731
    shown = lambda m: str(names.get(str(m), str(m)))  # noqa: E731
    periods = lambda labels: tr.names([tr.period(x) for x in labels])  # noqa: E731
    lines = []
    for row in changes.itertuples(index=False):
        if not mine(row.manager) or row.change not in ("joined", "left", "moved"):
            continue
        teams = {"team": str(row.team), "from_team": str(row.from_team)} if row.change == "moved" else {}
        lines.append(
            tr.t(f"team_changes.{row.change}", name=shown(row.manager), date=tr.date(row.date), **teams)
        )
        if row.change == "moved":  # a mover's target inside each team is pro-rated by the days in it
            lines.append(tr.t("team_changes.split", name=shown(row.manager)))
    for key in ("prorated", "missing"):
        for who, parts in sorted(kpis.attrs.get(f"plan_{key}", {}).items()):
            if mine(who):
                lines.append(tr.t(f"team_changes.{key}", name=shown(who), periods=periods(parts)))
    return html.notes(lines, title=tr.t("team_changes.title")) if lines else html.Html("")
