"""The manager or the plan? Whether each target was within reach of what the manager's own history and the
team's seasonality and trend predicted for the period.

When nearly everyone misses, the plan is the finding: :func:`plan_realism` sets each target beside an
expected volume computed only from data before the period, with an interval calibrated by a backtest on
earlier periods, and calls the target ``realistic``, ``stretch`` or ``out of reach``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import kpi_history
from kpi_toolkit.periods import Period, parse_periods

__all__ = ["REALISM_COLUMNS", "REALISM_VERDICTS", "plan_realism"]

#: Columns of :func:`plan_realism`, in order.
REALISM_COLUMNS = (
    "manager",
    "team",
    "period",
    "target",
    "actual",
    "expected",
    "expected_low",
    "expected_high",
    "target_vs_expected",
    "verdict",
    "share_out_of_reach",
)
#: The values of ``verdict``.
REALISM_VERDICTS = ("realistic", "stretch", "out of reach", "insufficient history", "no target")
_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
_MIN_ERRORS = 20  # backtest errors needed for an interval from the managers' errors
_MIN_TEAM_ERRORS = 6  # past periods needed for a team interval from the team's own errors


@dataclass(frozen=True)
class _Model:
    """The expected volume of series for column ``i`` from their columns before ``i`` only.

    Columns are periods in time order, column ``j`` at position ``j % per_year`` in the fiscal year; columns
    before the data starts are NaN.
    """

    per_year: int
    history: int
    min_history: int

    def seasonal(self, team: np.ndarray, i: int) -> np.ndarray:
        """Seasonal index of each position in the year, from the team's totals before column ``i``: the mean
        ratio of a period's volume to the centred moving average of a year around it (2 x k-MA)."""
        k = self.per_year
        if k == 1:
            return np.ones(1)
        weights = np.r_[0.5, np.ones(k - 1), 0.5] / k
        half = k // 2
        ratios: list[list[float]] = [[] for _ in range(k)]
        for j in range(half, i - half):
            window = team[j - half : j + half + 1]
            if not np.isnan(window).any() and (centre := float(weights @ window)) > 0:
                ratios[j % k].append(team[j] / centre)
        if min(len(r) for r in ratios) < 1:
            return np.ones(k)
        index = np.array([np.mean(r) for r in ratios])
        return index / index.mean()

    def trend(self, team: np.ndarray, season: np.ndarray, i: int) -> float:
        """The team's growth per period: the slope of its log deseasonalised volume over two years."""
        first = max(0, i - 2 * max(self.per_year, 4))
        flat = team[first:i] / season[np.arange(first, i) % self.per_year]
        ok = np.isfinite(flat) & (flat > 0)
        if ok.sum() < 4:
            return 1.0
        slope = np.polyfit(np.arange(first, i)[ok], np.log(flat[ok]), 1)[0]
        yearly = np.clip(np.exp(slope * self.per_year), 0.5, 2.0)
        return float(yearly ** (1.0 / self.per_year))

    def expected(self, series: np.ndarray, team: np.ndarray, i: int) -> np.ndarray:
        """What each row of ``series`` (2-D) predicts for column ``i`` (NaN with too little history).

        Vectorised over the rows: one mean per group of rows whose level starts at the same column (the
        same slice as a row-by-row loop, so the same floating-point sums)."""
        season = self.seasonal(team, i)
        growth = self.trend(team, season, i)
        out = np.full(series.shape[0], np.nan)
        if i == 0:
            return out
        sold = series[:, :i] > 0
        has = sold.any(axis=1)
        start = np.maximum(sold.argmax(axis=1), i - self.history)
        n = i - start
        ok = has & (n >= self.min_history)
        for first in np.unique(start[ok]):
            rows = np.flatnonzero(ok & (start == first))
            flat = series[rows, first:i] / season[np.arange(first, i) % self.per_year]
            level = np.mean(flat, axis=1)
            out[rows] = level * season[i % self.per_year] * growth ** ((i - first + 1) / 2)
        return out

    def expected_all(self, series: np.ndarray, team: np.ndarray, until: int) -> np.ndarray:
        """:meth:`expected` for every column ``0..until`` (columns of the result), each from the columns
        before it only."""
        out = np.full((series.shape[0], until + 1), np.nan)
        for i in range(until + 1):
            out[:, i] = self.expected(series, team, i)
        return out


def _errors(expected: np.ndarray, volumes: np.ndarray, until: int) -> list[np.ndarray]:
    """Log errors ln(actual / expected) of the rows of ``volumes`` in each column before ``until``
    (``expected``: :meth:`_Model.expected_all` of them)."""
    out = []
    for j in range(until):
        e, actual = expected[:, j], volumes[:, j]
        ok = np.isfinite(e) & (e > 0) & (actual > 0)
        out.append(np.log(actual[ok] / e[ok]))
    return out


def _interval(errors: list[np.ndarray], level: float, minimum: int) -> tuple[float, float, float]:
    """Quantiles of the pooled errors and their leave-one-period-out coverage (NaN with too few errors)."""
    pooled = np.concatenate(errors) if errors else np.zeros(0)
    if pooled.size < minimum:
        return np.nan, np.nan, np.nan
    tails = ((1 - level) / 2, (1 + level) / 2)
    low, high = np.quantile(pooled, tails)
    hits = []
    for j, own in enumerate(errors):
        rest = [e for i, e in enumerate(errors) if i != j and e.size]
        if own.size and rest:
            lo, hi = np.quantile(np.concatenate(rest), tails)
            hits.append((own >= lo) & (own <= hi))
    coverage = float(np.concatenate(hits).mean()) if hits else np.nan
    return float(low), float(high), coverage


def _verdict(target: float, expected: float, high: float) -> str:
    if not np.isfinite(target) or target <= 0:
        return "no target"
    if not np.isfinite(expected) or not np.isfinite(high):
        return "insufficient history"
    if target > high:
        return "out of reach"
    return "stretch" if target > expected else "realistic"


def _verdicts(target: np.ndarray, expected: np.ndarray, high: np.ndarray) -> np.ndarray:
    """:func:`_verdict` of each element."""
    with np.errstate(invalid="ignore"):
        return np.select(
            [
                ~np.isfinite(target) | (target <= 0),
                ~np.isfinite(expected) | ~np.isfinite(high),
                target > high,
                target > expected,
            ],
            ["no target", "insufficient history", "out of reach", "stretch"],
            "realistic",
        ).astype(object)


def _first_whole(data: SalesData, kind: str) -> Period:
    first = Period.containing(data.first_date, kind, data.fiscal_year_start)
    return first if first.start >= data.first_date.normalize() else first.shift(1)


def plan_realism(
    data: SalesData,
    *,
    periods: str | Period | Sequence[str | Period],
    team: str | None = None,
    level: float = 0.8,
    history: int = 8,
    min_history: int = 4,
) -> pd.DataFrame:
    """Whether each ``sales_volume`` target was within reach of what the data before its period predicted.

    Parameters
    ----------
    data
        A validated data set with plans.
    periods
        The periods judged (a label, a range ``"2025Q4:2026Q3"`` or a list), all of one kind.
    team
        Only this team (every team when ``None``; each gets its own ``TOTAL`` rows).
    level
        Nominal coverage of the interval ``expected_low``-``expected_high``.
    history
        At most this many earlier periods set a manager's level.
    min_history
        Fewer earlier periods with sales than this: ``insufficient history``.

    Returns
    -------
    pandas.DataFrame
        For each period and team: the team's managers (in id order), then its row ``manager="TOTAL"``; columns
        :data:`REALISM_COLUMNS`. ``target`` and ``actual`` are the period's ``sales_volume`` target and
        volume; ``expected`` what the history predicted, with its interval; ``target_vs_expected`` the ratio
        of target to expected; ``verdict`` one of :data:`REALISM_VERDICTS`; ``share_out_of_reach`` (team rows
        only, NaN on manager rows) the share of the team's judged targets (those with a verdict of
        ``realistic``, ``stretch`` or ``out of reach``) that were out of reach. ``attrs["coverage"]`` is the
        backtest's leave-one-period-out coverage of the managers' interval for each period and
        ``attrs["level"]`` the nominal one.

    Notes
    -----
    *Expected* for manager ``m`` and period ``P``, from the periods before ``P`` only: the team's seasonal
    index ``s_k`` of each position ``k`` in the year (classical decomposition: the mean ratio of the team's
    volume to the centred 2 x k moving average around it, with at least one such ratio for each position;
    else no seasonality), the manager's level ``L`` (the mean of their last ``n <= history``
    deseasonalised volumes, counted from their first sale), and the team's trend ``g`` (per period, from a
    least-squares line through the logarithm of its deseasonalised volume over the last two years, at least
    four periods; capped at 0.5-2 a year): ``expected = L s_k g^((n+1)/2)``. A team's ``TOTAL`` row applies
    the same model to the team's totals.

    *Interval*: the same model run on every earlier period (each from only what came before it) gives log
    errors ``ln(actual / expected)``; the interval is ``expected`` times ``exp`` of their
    ``(1 - level)/2`` and ``(1 + level)/2`` quantiles (split-conformal, Lei et al. 2018), from the team's
    managers pooled (at least 20 errors), and for a ``TOTAL`` row from the team's own past errors (at least
    6; else the managers'). Its coverage is measured by leaving each earlier period out in turn.

    *Verdict*: ``out of reach`` when the target lies above ``expected_high``, ``stretch`` when it lies
    above ``expected``, ``realistic`` otherwise; ``insufficient history`` without an expected value or an
    interval; ``no target`` without a positive target. With fair plans (targets at the expected volume) at
    most about ``(1 - level) / 2`` of targets are out of reach.

    Limits: a level and a trend, not a model of the market; a manager who changed territory or a team that
    changed shape breaks the assumption that the past predicts the period; pooled errors make the interval
    too narrow for a manager with far fewer orders than the team's typical one and too wide for a large one.

    References
    ----------
    Hyndman, R. J., & Athanasopoulos, G. (2021). *Forecasting: Principles and Practice* (3rd ed.), ch. 3
    (classical decomposition) and 5.5 (prediction intervals from residuals). OTexts.
    Lei, J., G'Sell, M., Rinaldo, A., Tibshirani, R. J., & Wasserman, L. (2018). Distribution-free
    predictive inference for regression. *JASA* 113(523), 1094-1111.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> realism = kt.plan_realism(data, periods="2026Q3", team="North")
    >>> realism.columns.tolist() == list(REALISM_COLUMNS), realism["manager"].iloc[-1]
    (True, 'TOTAL')
    """
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must lie between 0 and 1, e.g. 0.8.")
    for name, value in (("history", history), ("min_history", min_history)):
        if not isinstance(value, int) or value < 1:
            raise ParameterError(f"{name}={value!r} must be a positive whole number.")
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start, name="periods")
    kinds = {p.kind for p in window}
    if len(kinds) > 1:
        raise ParameterError(
            f"periods={periods!r} mixes kinds {sorted(kinds)}. Fix: judge one kind at a time."
        )
    kind = window[0].kind
    first = min(_first_whole(data, kind), min(window))
    last = max(window)
    span = parse_periods(f"{first}:{last}", fiscal_year_start=data.fiscal_year_start, name="periods")
    labels = [str(p) for p in span]
    table = kpi_history(data, periods=labels, team=team).reset_index()
    # a manager not employed in a period has no row there: no volume, no target
    volumes = table.pivot(index="manager", columns="period", values="sales_volume").loc[:, labels].fillna(0.0)
    targets = table.pivot(index="manager", columns="period", values="sales_plan").loc[:, labels]
    teams = data.manager_info["team"].reindex(volumes.index)
    model = _Model(per_year=_PER_YEAR[kind], history=history, min_history=min_history)
    per = 12 // model.per_year
    pad = ((span[0].start.month - data.fiscal_year_start) % 12) // per if kind != "year" else 0

    names = [c for c in REALISM_COLUMNS if c != "target_vs_expected"]
    chunks: list[dict[str, np.ndarray]] = []  # one per team and period: its managers, then its TOTAL row
    coverage = {}
    groups = {
        name: volumes.index.get_indexer(members.index)
        for name, members in teams.groupby(teams, dropna=False, sort=True)
    }
    places = {str(p): labels.index(str(p)) + pad for p in window}
    last = max(places.values())
    all_volumes, all_targets = volumes.to_numpy(float), targets.to_numpy(float)
    for team_name, at in groups.items():
        members = list(volumes.index[at])
        # column j of the padded arrays is at position j % per_year of the fiscal year
        v = np.concatenate([np.full((len(members), pad), np.nan), all_volumes[at]], axis=1)
        total = v.sum(axis=0)
        # each column's expected values (and so the backtest's errors) use only the columns before it:
        # computed once for the team, each judged period takes the columns before it
        expected_all = model.expected_all(v, total, last)
        errors_all = _errors(expected_all, v, last)
        team_all = model.expected_all(total[None, :], total, last)
        team_errors_all = _errors(team_all, total[None, :], last)
        member_targets = all_targets[at]
        for p in window:
            i = places[str(p)]
            low, high, cover = _interval(errors_all[:i], level, _MIN_ERRORS)
            coverage[(str(team_name) if pd.notna(team_name) else "", str(p))] = cover
            expected = expected_all[:, i]
            target = member_targets[:, i - pad]
            e_low, e_high = expected * np.exp(low), expected * np.exp(high)
            judged = _verdicts(target, expected, e_high)
            t_low, t_high, _ = _interval(team_errors_all[:i], level, _MIN_TEAM_ERRORS)
            if not np.isfinite(t_low):
                t_low, t_high = low, high
            team_expected = float(team_all[0, i])
            # the team's plan: its members' targets, when every member who sold has one (kpis.total_kpis)
            known = ~np.isnan(target)
            whole = known.any() and (known | ~(v[:, i] > 0)).all()
            team_target = float(pd.Series(target).sum()) if whole else np.nan
            verdict = _verdict(team_target, team_expected, team_expected * np.exp(t_high))
            counted = np.isin(judged, ("realistic", "stretch", "out of reach"))
            share = (judged[counted] == "out of reach").sum() / counted.sum() if counted.any() else np.nan
            chunks.append(
                {
                    "manager": np.array([*members, "TOTAL"], dtype=object),
                    "team": np.full(len(members) + 1, team_name, dtype=object),
                    "period": np.full(len(members) + 1, str(p), dtype=object),
                    "target": np.r_[target, team_target],
                    "actual": np.r_[v[:, i], total[i]],
                    "expected": np.r_[expected, team_expected],
                    "expected_low": np.r_[e_low, team_expected * np.exp(t_low)],
                    "expected_high": np.r_[e_high, team_expected * np.exp(t_high)],
                    "verdict": np.r_[judged, np.array([verdict], dtype=object)],
                    "share_out_of_reach": np.r_[np.full(len(members), np.nan), share],
                }
            )
    if chunks:
        out = pd.DataFrame({c: np.concatenate([chunk[c] for chunk in chunks]) for c in names})
    else:
        out = pd.DataFrame([], columns=names)
    out.insert(8, "target_vs_expected", out["target"] / out["expected"].where(out["expected"] > 0))
    order = {str(p): n for n, p in enumerate(window)}
    out = out.sort_values("period", key=lambda c: c.map(order), kind="stable", ignore_index=True)
    out = out.astype({"manager": "string", "team": "string", "period": "string", "verdict": "string"})
    out.attrs.update(level=level, coverage=coverage, history=history, min_history=min_history)
    return out.loc[:, list(REALISM_COLUMNS)]
