"""The per-manager report's numbers: one manager against their team, with the colleagues pseudonymised.

:func:`manager_report` derives everything from the team's :class:`~kpi_toolkit.report.QuarterlyReport`
(computed once per team, however many of its managers get a report) and replaces every colleague by a
pseudonymous key before anything is shown: the result holds neither the colleagues' names nor their ids, so
no table, figure, alternative text or sort order of the report can give them away. Rows follow the
pseudonyms (the manager first, then Manager A, B, ...), never the ids. The letters come from
:func:`kpi_toolkit.report.pseudonyms.report_letters` (the letters of the whole data set, keyed by the data
fingerprint): one person has the same letter in every report made from the same data, the showcase included.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period
from kpi_toolkit.report.pseudonyms import letter, pseudonym_letters
from kpi_toolkit.report.quarterly import COMPARED, QuarterlyReport

__all__ = ["OWN_KEY", "VERSUS_COLUMNS", "ManagerReport", "manager_report", "team_of"]

#: The columns of :attr:`ManagerReport.versus`.
VERSUS_COLUMNS = ("manager", "team_median", "team_total")
#: The key that stands for the manager in the pseudonymised team tables (it sorts before every colleague's).
OWN_KEY = "00"


@dataclass(frozen=True)
class ManagerReport:
    """One manager's report: their numbers, the team's, and the colleagues under pseudonyms."""

    #: The manager's id and name (the only manager shown by name).
    manager: str
    name: str
    #: The manager's team (``None``: the manager has no team and is compared with every manager).
    team: str | None
    period: Period
    #: Pseudonymous key -> letter code of each colleague (``OWN_KEY`` is the manager).
    letters: dict[str, str]
    #: The team's numbers with every manager id replaced by its key and no names (``names`` is empty).
    team_report: QuarterlyReport
    #: One row per KPI of :data:`COMPARED`: the manager's value, the team's median manager, the team's total
    #: (sums, and rates pooled over the team's orders and leads). Columns :data:`VERSUS_COLUMNS`.
    versus: pd.DataFrame
    #: The manager's KPIs per period of the trend (index ``period``).
    own_history: pd.DataFrame


def team_of(data: SalesData, manager: str) -> str | None:
    """The team of ``manager`` (``None`` when the manager has none).

    Raises
    ------
    ParameterError
        When ``manager`` is not a manager id of the data set.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> team_of(kt.from_frames(**make_demo_data()), "M09")
    'South'
    """
    info = data.manager_info
    if manager not in info.index:
        known = list(info.index)
        shown = ", ".join(known[:10]) + (f" and {len(known) - 10} more" if len(known) > 10 else "")
        raise ParameterError(
            f"manager={manager!r} is not a manager of this data set (known: {shown}). "
            "Fix: use an id of the 'manager' column."
        )
    team = info.at[manager, "team"]
    return None if pd.isna(team) else str(team)


def _keys(members: pd.Index, manager: str, every: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Manager id -> pseudonymous key, and key -> letter code of each colleague (``every``: the letters of
    the whole data set, of which the team's members keep theirs)."""
    team = set(map(str, members))
    missing = sorted(team - set(every))  # not in the data set's manager list: lettered after everyone
    every = {**every, **{m: letter(len(every) + i) for i, m in enumerate(missing)}}
    letters = {m: every[m] for m in sorted(team, key=lambda m: (len(every[m]), every[m]))}
    keys = {m: OWN_KEY if m == manager else f"{len(code):02d}{code}" for m, code in letters.items()}
    return keys, {keys[m]: code for m, code in letters.items() if m != manager}


def _rekey_index(frame: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
    """``frame`` with its ``manager`` index (level) renamed to the keys and sorted by them, nothing else."""
    if isinstance(frame.index, pd.MultiIndex):
        frame = frame.rename(index=keys, level="manager")
        return frame.sort_index(level="manager", sort_remaining=False, kind="stable")
    return frame.rename(index=keys).sort_index(kind="stable")


def manager_report(team_report: QuarterlyReport, *, manager: str) -> ManagerReport:
    """The report of ``manager`` from their team's numbers (:func:`kpi_toolkit.report.quarterly_report`).

    Parameters
    ----------
    team_report
        The quarterly report of the manager's team (see :func:`team_of`), or of every manager when the
        manager has no team.
    manager
        The manager's id.

    Returns
    -------
    ManagerReport
        ``versus`` has one row per KPI of :data:`COMPARED` and the columns :data:`VERSUS_COLUMNS`.

    Notes
    -----
    The team's median is taken over the team's managers, the manager included, each KPI on its own, leaving
    out managers for whom it is NaN (a rate without leads or orders, attainment without a plan); NaN when
    none has it. The team's total pools the sums and recomputes the rates
    (:func:`kpi_toolkit.kpis.total_kpis`); its plan, and so its attainment, is NaN unless every manager of
    the team has a plan.

    Raises
    ------
    ParameterError
        When ``manager`` is not in the team's report.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report.quarterly import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> r = manager_report(quarterly_report(data, team=team_of(data, "M03")), manager="M03")
    >>> r.name, r.team, len(r.letters)
    ('Clara Jensen', 'North', 7)
    >>> list(r.team_report.kpis.index[:1]), list(r.versus.columns)
    (['00'], ['manager', 'team_median', 'team_total'])
    """
    q = team_report
    members = q.kpis.index
    if manager not in members:
        scope = f"team {q.team!r}" if q.team else "the data set"
        raise ParameterError(
            f"manager={manager!r} is not in the report of {scope}. Fix: give the report of the manager's "
            "own team (kpi_toolkit.report.manager.team_of)."
        )
    every = q.letters or pseudonym_letters(q.names, key=q.data_fingerprint)
    keys, letters = _keys(members, manager, every)
    kpis = _rekey_index(q.kpis, keys)
    ranking = q.ranking.assign(manager=q.ranking["manager"].map(keys))
    ranking = ranking.sort_values(["rank", "manager"], na_position="last", kind="stable")
    ranking = ranking.reset_index(drop=True)
    history = _rekey_index(q.history, keys)
    pseudonymised = replace(
        q,
        names={},
        teams={keys[m]: q.teams.get(m, "") for m in members},
        kpis=kpis,
        ranking=ranking,
        history=history,
        caveats=[c for c in q.caveats if c.key != "caveat.no_plan"],  # it names managers: rebuilt when shown
    )
    period = str(q.period)
    numbers = kpis.loc[:, list(COMPARED)].astype("float64")
    versus = pd.DataFrame(
        {
            "manager": numbers.loc[OWN_KEY],
            "team_median": numbers.median(skipna=True),
            "team_total": q.totals.loc[period, list(COMPARED)].astype("float64"),
        },
        index=pd.Index(COMPARED, name="kpi"),
    ).loc[:, list(VERSUS_COLUMNS)]
    return ManagerReport(
        manager=manager,
        name=str(q.names.get(manager, manager)),
        team=q.team,
        period=q.period,
        letters=letters,
        team_report=pseudonymised,
        versus=versus,
        own_history=history.xs(OWN_KEY, level="manager"),
    )
