"""Who misses the plan systematically, over a data set's periods: :func:`miss_series` (attainment and the
noise a fair plan leaves in it), :func:`relative_to_team`, :func:`systematic_misses` and what its
verdicts could find (:func:`power_summary`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import MISS_COLUMNS, amount_moment_ratio, miss_evidence
from kpi_toolkit.gap.drivers import _check_choice
from kpi_toolkit.kpis import period_sums, targets_in_team
from kpi_toolkit.periods import Period, parse_periods


def _window(data: SalesData, periods: str | Sequence[str | Period]) -> list[Period]:
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start, name="periods")
    if not window:
        raise ParameterError("periods is empty. Fix: pass period labels or a range such as '2025Q4:2026Q3'.")
    return window


def miss_series(
    data: SalesData, *, periods: str | Sequence[str | Period], team: str | None = None
) -> pd.DataFrame:
    """Per manager and period, plan attainment and the noise a fair plan leaves in it.

    Parameters
    ----------
    data : SalesData
        A validated data set.
    periods : str or sequence of str
        Period labels or a range ``"2025Q4:2026Q3"`` (both ends included), in time order.
    team : str, optional
        Only this team's managers. With an ``assignments`` table (team moves), every manager who was ever in
        the team, judged only on the team's part: the orders of their days in it (by ``ordered_at``) and
        their target pro-rated by those days (:func:`kpi_toolkit.manager_kpis` with ``team``); a period
        they spent wholly in another team is not observed (no target), and the amounts behind ``noise``
        are their orders in the team.

    Returns
    -------
    pandas.DataFrame
        Columns ``manager, period, sales_volume, target, attainment, noise``, sorted by manager and then
        period in time order: the input of :func:`kpi_toolkit.gap.miss_evidence`.

    Notes
    -----
    ``attainment = sales_volume / target``, NaN without a positive ``sales_volume`` target and for a period
    the data does not cover (it ends before the data's first date, or the data stops before the period's
    last week: a period under way, or planned ahead). ``noise`` is the compound Poisson sd of attainment
    under a fair plan, :math:`\\sqrt{r / \\text{target}}` (:func:`kpi_toolkit.gap.attainment_noise`),
    with the amounts' :math:`r = E[X^2]/E[X]` of the manager's orders **pooled over the whole window**
    and made robust to the largest orders (:func:`kpi_toolkit.gap.amount_moment_ratio`, from up to 5000
    orders per manager, a seeded sample): a quarter's noise taken from that quarter's own orders follows
    its volume (a quarter without a big deal looks both low and quiet), which flagged fair managers
    about twice as often as promised. NaN when the manager has no order in the window.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-07-03", "2026-09-28"], "amount": [300.0, 100.0]})
    >>> plans = pd.DataFrame({"manager": ["ann"], "period": ["2026Q3"], "metric": ["sales_volume"],
    ...                       "target": [500.0]})
    >>> kt.miss_series(kt.from_frames(orders, plans=plans), periods=["2026Q3"]).round(3)
      manager  period  sales_volume  target  attainment  noise
    0     ann  2026Q3         400.0   500.0         0.8  0.707
    """
    window = _window(data, periods)
    managers = data.managers_of(team)
    frames = []
    for p in window:
        # with team moves, only the team's part: its orders, the target pro-rated by the days in the team
        sums = period_sums(data, months=p.months, managers=managers, team=team)
        target = targets_in_team(data, data.plan_book.targets(managers, p, "sales_volume"), team, p)
        if team and data.membership.dated:  # a period spent wholly in another team has no target here
            target = target.where(target.index.isin(data.membership.members(team, managers, p)))
        frames.append(
            pd.DataFrame(
                {
                    "manager": [str(m) for m in sums.index],
                    "period": str(p),
                    "order": len(frames),
                    "sales_volume": sums["sales_volume"].to_numpy(dtype="float64"),
                    "sum_sq_amount": sums["sum_sq_amount"].to_numpy(dtype="float64"),
                    "target": target.to_numpy(dtype="float64"),
                }
            )
        )
    series = pd.concat(frames, ignore_index=True).sort_values(["manager", "order"], kind="stable")
    pooled = series.groupby("manager", sort=True)[["sales_volume", "sum_sq_amount"]].sum()
    sample = data.sample_orders(periods=window, managers=managers, max_orders=5000)
    if team and data.membership.dated:  # a mover's amounts: their orders in the team only
        sample = sample[data.membership.holds(team, sample["manager"], sample["ordered_at"])]
    ratio = amount_moment_ratio(
        sample["manager"].astype(str).to_numpy(),
        sample["amount"].to_numpy(dtype="float64"),
        managers=pooled.index.astype(str).to_numpy(),
        sales_volume=pooled["sales_volume"].to_numpy(),
        sum_sq_amount=pooled["sum_sq_amount"].to_numpy(),
    )
    moments = pd.Series(ratio, index=pooled.index.astype(str))
    target = series["target"].where(series["target"] > 0)
    # a period the data does not cover (it ends before the data starts, or the data stops before its last
    # week) is not observed: its volume would be 0 or partial against a whole period's target
    reach = data.last_date + pd.Timedelta(days=7)
    covered = {str(p): bool(p.end > data.first_date and p.end <= reach) for p in window}
    target = target.where(series["period"].map(covered))
    series["attainment"] = series["sales_volume"] / target
    series["noise"] = np.sqrt(series["manager"].map(moments).astype("float64") / target)
    columns = ["manager", "period", "sales_volume", "target", "attainment", "noise"]
    return series.loc[:, columns].reset_index(drop=True)


#: Fewest colleagues with an attainment whose median a manager is judged against (``versus="team"``).
_MIN_PEERS = 3


def relative_to_team(series: pd.DataFrame, teams: pd.Series) -> pd.DataFrame:
    """A :func:`miss_series` with attainment and noise divided by the median attainment of the manager's
    team in the same period, so that 1 is the median colleague and a plan nobody meets moves everyone
    alike; NaN where fewer than three of the team's managers have an attainment that period.

    Examples
    --------
    >>> series = pd.DataFrame({"manager": list("abcd"), "period": "2026Q3",
    ...                        "attainment": [0.5, 0.6, 0.4, 0.3], "noise": [0.1] * 4})
    >>> relative_to_team(series, pd.Series("T", index=list("abcd")))["attainment"].round(2).tolist()
    [1.11, 1.33, 0.89, 0.67]
    """
    out = series.copy()
    team = out["manager"].map(teams).astype("object").fillna("")
    grouped = out.groupby([team, out["period"]], sort=False)["attainment"]
    median = grouped.transform("median").where(grouped.transform("count") >= _MIN_PEERS)
    out["attainment"] = out["attainment"] / median
    out["noise"] = out["noise"] / median
    return out


def _evidence(
    data: SalesData,
    *,
    periods: str | Sequence[str | Period],
    metric: str,
    team: str | None,
    alpha: float,
    p_adjust: Literal["holm", "none"],
    extra_noise: Literal["team"] | float,
    margin: float,
    min_periods: int,
    versus: str = "plan",
    series: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``series``: the :func:`miss_series` of the same periods and team, when already at hand."""
    _check_choice("metric", metric, ("plan_attainment",))
    _check_choice("versus", versus, ("plan", "team"))
    if series is None:
        series = miss_series(data, periods=periods, team=team)
    if versus == "team":  # with ``team``, every row is that team's part (a mover's too)
        teams = data.manager_info["team"]
        if team:
            teams = pd.Series(team, index=teams.index, dtype="string")
        series = relative_to_team(series, teams)
    evidence = miss_evidence(
        series[["manager", "period", "attainment", "noise"]],
        alpha=alpha,
        p_adjust=p_adjust,
        extra_noise=extra_noise,
        margin=margin,
        min_periods=min_periods,
    )
    return evidence, series


def systematic_misses(
    data: SalesData,
    *,
    periods: str | Sequence[str | Period],
    metric: Literal["plan_attainment"] = "plan_attainment",
    team: str | None = None,
    alpha: float = 0.05,
    p_adjust: Literal["holm", "none"] = "holm",
    extra_noise: Literal["team"] | float = "team",
    margin: float = 0.0,
    min_periods: int = 4,
    versus: Literal["plan", "team"] = "plan",
) -> pd.DataFrame:
    """Who misses the sales plan systematically, and who only by chance.

    Parameters
    ----------
    data : SalesData
        A validated data set with ``sales_volume`` targets.
    periods : str or sequence of str
        Period labels or a range such as ``"2025Q4:2026Q3"`` (both ends included).
    metric : {"plan_attainment"}, default "plan_attainment"
        What is judged: attainment of the ``sales_volume`` target.
    team : str, optional
        Only this team's managers (they are the family the adjustment counts, and the team whose spread
        estimates the extra noise). With an ``assignments`` table, a manager who moved is judged only on
        their days in the team (:func:`miss_series`).
    alpha, p_adjust, extra_noise, margin, min_periods
        As for :func:`kpi_toolkit.gap.miss_evidence`: family-wise error rate (Holm over the managers
        judged), noise beyond the compound Poisson model, shortfall tolerated, fewest periods judged.
    versus : {"plan", "team"}, default "plan"
        ``"plan"``: attainment against the plan (1 = the target). ``"team"``: attainment against the median
        attainment of the manager's team in the same periods (:func:`relative_to_team`; 1 = the median
        colleague), so a plan that nobody meets flags nobody, and a manager who trails colleagues under a
        lenient plan is still found: training may help the one, the plan is the problem of the other.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`kpi_toolkit.gap.MISS_COLUMNS` (``manager, periods_observed, periods_missed,
        mean_attainment, rule, verdict``), one row per manager (sorted); with ``versus="team"``
        ``periods_missed`` and ``mean_attainment`` are below and relative to the team's median, and ``rule``
        ends in ``" vs team"``; ``verdict`` one of
        ``"systematic"``, ``"not systematic"``, ``"insufficient data"``. ``attrs`` says what the verdicts
        could find (:func:`power_summary`): ``power_at`` (0.85), ``power`` per manager, ``power_median``,
        ``power_periods`` and ``power_statement``.

    Notes
    -----
    The series is :func:`miss_series` (attainment and the noise a fair plan leaves in it, from the
    manager's orders pooled over the window), judged by :func:`kpi_toolkit.gap.miss_evidence`: a
    one-sided test of the mean shortfall whose residuals are clipped at 2 standard deviations (so one
    bad quarter never makes a miss "systematic"), a CUSUM from 12 periods on, Holm's adjustment over the
    managers. A period without a target is not observed. Use :func:`miss_series` and
    :func:`kpi_toolkit.gap.miss_evidence` for the p-values.

    References
    ----------
    Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed., Wiley, ch. 9.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist. 6, 65-70.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> misses = kt.systematic_misses(demo, periods="2024Q4:2026Q3")
    >>> misses.loc[misses["verdict"] == "systematic", ["manager", "periods_missed", "rule"]]
      manager  periods_missed            rule
    9     M10               8  mean shortfall
    """
    evidence, _ = _evidence(
        data,
        periods=periods,
        metric=metric,
        team=team,
        alpha=alpha,
        p_adjust=p_adjust,
        extra_noise=extra_noise,
        margin=margin,
        min_periods=min_periods,
        versus=versus,
    )
    out = evidence.loc[:, list(MISS_COLUMNS)]
    out.attrs.update(power_summary(evidence), versus=versus)
    if versus == "team":
        out["rule"] = out["rule"].where(out["rule"] == "none", out["rule"] + " vs team")
        statement = str(out.attrs["power_statement"]).replace("of plan", "of what the median colleague sells")
        out.attrs["power_statement"] = statement
    return out


def power_summary(evidence: pd.DataFrame) -> dict[str, object]:
    """What the systematic-miss verdicts could find: ``attrs`` of :func:`systematic_misses`.

    Keys: ``power_at`` (the true attainment the power is stated at), ``power`` (per manager judged, the
    chance to be flagged at that attainment), ``power_median`` and ``power_periods`` (the median power and
    number of periods observed over the managers judged; NaN when nobody is judged) and ``power_statement``
    (an English sentence, e.g. "With 8 periods, a manager selling 85% of plan in every period is flagged
    in about 31% of cases.").
    """
    at = float(evidence.attrs.get("power_at", np.nan))
    judged = evidence[evidence["power"].notna()]
    power = {str(m): float(v) for m, v in zip(judged["manager"], judged["power"], strict=True)}
    median = float(judged["power"].median()) if len(judged) else np.nan
    periods = float(judged["periods_observed"].median()) if len(judged) else np.nan
    if len(judged):
        statement = (
            f"With {periods:.0f} periods, a manager selling {at:.0%} of plan in every period is flagged in "
            f"about {median:.0%} of cases (median over {len(judged)} managers)."
        )
    else:
        statement = "No manager has enough periods to be judged."
    return {
        "power_at": at,
        "power": power,
        "power_median": median,
        "power_periods": periods,
        "power_statement": statement,
    }
