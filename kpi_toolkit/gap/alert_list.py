"""The manager or the plan (:func:`miss_causes`), and the alert list (:func:`alerts`): who is off track now,
who misses systematically, who trails colleagues, with the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap.causes import miss_causes_from
from kpi_toolkit.gap.miss_history import _evidence
from kpi_toolkit.pacing import pacing
from kpi_toolkit.periods import Period, parse_periods
from kpi_toolkit.plan_realism import plan_realism

#: Columns of :func:`alerts`.
ALERT_COLUMNS = (
    "manager",
    "name",
    "team",
    "off_track",
    "systematic",
    "pacing_status",
    "to_date",
    "target",
    "projected",
    "projected_low",
    "projected_high",
    "miss_verdict",
    "periods_observed",
    "periods_missed",
    "mean_attainment",
    "rule",
    "p_adjusted",
    "attainment_series",
    "evidence",
    # issue 17: the manager or the plan (see miss_causes)
    "behind_colleagues",
    "colleague_verdict",
    "mean_vs_team",
    "targets_judged",
    "targets_out_of_reach",
    "plan_out_of_reach",
    "cause",
)


#: How the alert list and the miss causes judge misses (:func:`systematic_misses`' options): attainment of
#: the plan, Holm over the managers, the team's spread as extra noise, no margin, four periods at least.
_EVIDENCE: dict[str, object] = dict(
    metric="plan_attainment", p_adjust="holm", extra_noise="team", margin=0.0, min_periods=4
)


def _series_text(series: pd.DataFrame) -> pd.Series:
    """``2025Q4 71%, 2026Q1 64%, ...`` per manager (``-`` for a period without a target)."""
    cells = (
        series["period"]
        + " "
        + (series["attainment"] * 100).round(0).map(lambda v: "-" if pd.isna(v) else f"{v:.0f}%")
    )
    return cells.groupby(series["manager"], sort=True).agg(", ".join)


def _causes(
    data: SalesData,
    window: Sequence[str | Period],
    team: str | None,
    alpha: float,
    versus_plan: pd.DataFrame | None = None,
    series: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``versus_plan`` and ``series``: the verdicts against the plan and their :func:`miss_series`, when the
    caller has them (the series is the same for both verdicts: computed once)."""
    options = dict(periods=window, team=team, alpha=alpha, **_EVIDENCE)
    if versus_plan is None:
        versus_plan, series = _evidence(data, series=series, **options)  # type: ignore[arg-type]
    versus_team, _ = _evidence(data, versus="team", series=series, **options)  # type: ignore[arg-type]
    realism = plan_realism(data, periods=list(window), team=team)
    return miss_causes_from(versus_plan, versus_team, realism, data.manager_info["team"])


def miss_causes(
    data: SalesData,
    *,
    periods: str | Sequence[str | Period],
    team: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The manager or the plan? Who trails colleagues, who misses a plan that was out of reach, or both.

    Parameters
    ----------
    data : SalesData
        A validated data set with ``sales_volume`` targets.
    periods : str or sequence of str
        The periods judged, e.g. ``"2024Q4:2026Q3"`` (as for :func:`systematic_misses`).
    team : str, optional
        Only this team's managers.
    alpha : float, default 0.05
        Family-wise error rate of each of the two verdicts (Holm over the managers).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`kpi_toolkit.gap.causes.MISS_CAUSE_COLUMNS` (``manager, team, versus_plan,
        versus_team, mean_attainment, mean_vs_team, targets_judged, targets_out_of_reach,
        plan_out_of_reach, cause``), one row per manager (sorted): the verdicts of
        :func:`systematic_misses` with ``versus="plan"`` and ``versus="team"``, the realism of the
        manager's targets over the periods (:func:`kpi_toolkit.plan_realism`) and the ``cause``:
        ``"behind colleagues"`` (training may help), ``"behind an out-of-reach plan"`` (the plan is the
        problem), ``"both"``, ``"behind plan"`` (systematic against the plan, explained by neither), NA when
        neither verdict is systematic. :func:`kpi_toolkit.gap.causes.plan_findings` of it says, per team,
        whether most of the team misses a plan that was out of reach.

    Notes
    -----
    A plan is out of reach for a manager when more than half of their targets with a realism verdict lie
    above the interval of what their history predicted; a target without enough history to judge it is
    not counted (``targets_judged``), so with little history only the comparison with colleagues speaks.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> causes = kt.miss_causes(demo, periods="2024Q4:2026Q3")
    >>> causes.loc[causes["cause"].notna(), ["manager", "versus_plan", "versus_team", "cause"]]
      manager versus_plan versus_team              cause
    9     M10  systematic  systematic  behind colleagues
    """
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start, name="periods")
    return _causes(data, window, team, alpha)


def alerts(
    data: SalesData,
    *,
    period: str | Period,
    history: int = 8,
    team: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The alert list: who is off track in ``period`` now, who misses the plan systematically, who trails
    colleagues, and whether the plan they miss was out of reach.

    Parameters
    ----------
    data : SalesData
        A validated data set.
    period : str or Period
        The current period, e.g. ``"2026Q3"``.
    history : int, default 8
        Periods judged for systematic misses: the ``history`` periods that end with the last complete one
        at ``as_of`` (``period`` itself when complete, else the one before).
    team : str, optional
        Only this team's managers.
    as_of : str or Timestamp, optional
        The day the pacing is judged at (data after it is not used); default: the period's last day or the
        data's last date, whichever comes first.
    alpha : float, default 0.05
        Family-wise error rate of the systematic-miss verdicts.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ALERT_COLUMNS`, one row per manager with an alert (``off_track``, ``systematic`` or
        ``behind_colleagues``), sorted by: off track and a persistent alert (systematic or behind
        colleagues) first, then a persistent alert, then off track, then manager id. ``pacing_status``
        and the pacing numbers are those of :func:`kpi_toolkit.pacing`; ``miss_verdict`` to ``p_adjusted``
        those of :func:`kpi_toolkit.gap.miss_evidence`; ``attainment_series`` the judged periods'
        attainments as text; ``evidence`` a sentence in English (reports build theirs from the numbers).
        The columns after ``evidence`` are those of :func:`miss_causes` over the same history:
        ``behind_colleagues`` (systematic against the team's median attainment, ``versus="team"``),
        ``colleague_verdict`` (that verdict), ``mean_vs_team``, ``targets_judged``,
        ``targets_out_of_reach``, ``plan_out_of_reach`` (most judged targets above what the history
        predicted) and ``cause`` (``"behind colleagues"``, ``"behind an out-of-reach plan"``, ``"both"``,
        ``"behind plan"``, or NA for an alert of the current period only).

    Notes
    -----
    Off track: the pacing projection's upper end (or, for a complete period, the volume) is below the
    target. Systematic: the verdict of :func:`systematic_misses` over the history. Behind colleagues: the
    verdict of ``systematic_misses(versus="team")``. An empty table (with the columns) when nobody is on
    the list.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> kt.alerts(demo, period="2026Q3")[["manager", "off_track", "systematic", "cause"]].head(1)
      manager  off_track  systematic              cause
    0     M10       True        True  behind colleagues
    """
    if not (isinstance(history, int | np.integer) and history >= 1):
        raise ParameterError(f"history={history!r} must be a whole number >= 1. Fix: e.g. history=8.")
    p = data.period(period)
    day = (
        pd.Timestamp(as_of) if as_of not in (None, "") else min(p.end - pd.Timedelta(days=1), data.last_date)
    )
    pace = pacing(data, period=p, as_of=day, team=team).set_index("manager")
    last = p if day.normalize() + pd.Timedelta(days=1) >= p.end else p.previous()
    window = [last.shift(-k) for k in range(history - 1, -1, -1)]
    evidence, series = _evidence(data, periods=window, team=team, alpha=alpha, **_EVIDENCE)  # type: ignore[arg-type]
    causes = _causes(data, window, team, alpha, versus_plan=evidence, series=series).set_index("manager")
    evidence = evidence.set_index("manager")
    out = pace.join(evidence, how="left")
    out["off_track"] = out["status"].isin(["off track", "missed"])
    out["systematic"] = out["verdict"] == "systematic"
    own = causes.reindex(out.index)
    out["colleague_verdict"] = own["versus_team"]
    out["behind_colleagues"] = (own["versus_team"] == "systematic").fillna(False).astype(bool)
    out["mean_vs_team"] = own["mean_vs_team"]
    out["targets_judged"] = own["targets_judged"]
    out["targets_out_of_reach"] = own["targets_out_of_reach"]
    out["plan_out_of_reach"] = own["plan_out_of_reach"].fillna(False).astype(bool)
    out["cause"] = own["cause"]
    out = out[out["off_track"] | out["systematic"] | out["behind_colleagues"]].copy()
    info = data.manager_info
    out["name"] = [str(info.at[m, "name"]) for m in out.index]
    out["team"] = [None if pd.isna(info.at[m, "team"]) else str(info.at[m, "team"]) for m in out.index]
    out["attainment_series"] = _series_text(series).reindex(out.index)
    texts = []
    for _, row in out.iterrows():
        parts = []
        if row["off_track"]:
            if row["status"] == "missed":
                parts.append(
                    f"missed the plan in {p}: {row['to_date']:,.0f} against a target of {row['target']:,.0f}"
                )
            else:
                parts.append(
                    f"off track in {p}: {row['to_date']:,.0f} to date, projected {row['projected']:,.0f} "
                    f"({row['projected_low']:,.0f}-{row['projected_high']:,.0f}) against a target of "
                    f"{row['target']:,.0f}"
                )
        if row["systematic"]:
            parts.append(
                f"missed {int(row['periods_missed'])} of {int(row['periods_observed'])} periods, mean "
                f"attainment {row['mean_attainment']:.0%}, {row['rule']} "
                f"(adjusted p = {row['p_adjusted']:.2g})"
            )
        if row["behind_colleagues"]:
            parts.append(f"behind colleagues: {row['mean_vs_team']:.0%} of the median colleague's attainment")
        if row["plan_out_of_reach"] and row["systematic"]:
            parts.append(
                f"behind an out-of-reach plan: {int(row['targets_out_of_reach'])} of "
                f"{int(row['targets_judged'])} targets above what the history predicted"
            )
        texts.append("; ".join(parts))
    out["evidence"] = texts
    out = out.rename(columns={"status": "pacing_status", "verdict": "miss_verdict"})
    persistent = out["systematic"] | out["behind_colleagues"]
    out["_rank"] = np.where(out["off_track"] & persistent, 0, np.where(persistent, 1, 2))
    out = out.reset_index().sort_values(["_rank", "manager"], kind="stable")
    result = out.reindex(columns=list(ALERT_COLUMNS)).reset_index(drop=True)
    for column in ("off_track", "systematic", "behind_colleagues", "plan_out_of_reach"):
        result[column] = result[column].astype(bool)
    result = result.astype({"colleague_verdict": "string", "cause": "string", "mean_vs_team": float})
    return result
