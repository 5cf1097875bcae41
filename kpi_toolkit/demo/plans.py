"""The demo's plans: each manager's quarterly targets, set before the quarter from the volume the generator
expects of them (:func:`_expected_volume`, :func:`_plans`), the added people's monthly targets
(:func:`_monthly_plans`), and each team's own target, 5 % above its members' (:func:`_team_plans`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from kpi_toolkit.demo.company import (
    _BASE_LEADS,
    _CHECK_MEDIAN,
    _CHECK_SIGMA,
    _INITIAL_CUSTOMERS,
    _MOVES,
    _REPEAT_RATE,
    _REPEAT_SCALE,
    _SEASON,
    DEMO_END,
    DEMO_START,
    _employment,
    _stream,
    _window,
)

_PLAN_NOISE = 0.08  # log sd of a target around the expected volume (the planner's error)
_DAYS_PER_MONTH = 30.44
_TEAM_UPLIFT = 1.05  # a team's target over the sum of its members' (the director's plan)


def _expected_volume(
    profile: dict[str, float], quarters: pd.PeriodIndex, *, window: tuple[int, int] | None = None
) -> np.ndarray:
    """A manager's expected sales volume per quarter under the generator's own model, known in advance.

    Leads arrive at ``_BASE_LEADS x lead_flow x season`` a month, are won with the manager's conversion
    and close a gamma(2, 11) number of days after they arrive (a won lead is an order at closing, of mean
    amount ``check x median x exp(sigma^2 / 2)``); 80 % of won leads bring a new customer, and every
    customer orders again at ``_REPEAT_RATE`` a month, at ``_REPEAT_SCALE`` of the amount. Computed day by
    day from the start of the data: no realised order enters it. ``quarters`` may be months too. With
    ``window`` (nanoseconds ``[hired, until)``), leads arrive only inside it, a joiner starts without
    customers, and nothing is sold after leaving.
    """
    days = pd.date_range(DEMO_START, DEMO_END.normalize(), freq="D")
    month_days = days.to_period("M")
    arrivals = (
        _BASE_LEADS
        * profile["lead_flow"]
        * _SEASON[days.month.to_numpy() - 1]
        / days.days_in_month.to_numpy()
    )
    employed = np.ones(len(days))
    if window is not None:
        employed = ((days.as_unit("ns").asi8 >= window[0]) & (days.as_unit("ns").asi8 < window[1])).astype(
            float
        )
        arrivals = arrivals * employed
    delay = np.diff(stats.gamma.cdf(np.arange(len(days) + 1), a=2.0, scale=11.0))
    won_closing = profile["conversion"] * np.convolve(arrivals, delay)[: len(days)] * employed
    initial = 0 if window is not None and window[0] > DEMO_START.value else _INITIAL_CUSTOMERS
    customers = initial + 0.8 * np.concatenate([[0.0], np.cumsum(won_closing)[:-1]])
    mean_amount = profile["check"] * _CHECK_MEDIAN * np.exp(_CHECK_SIGMA**2 / 2)
    daily = mean_amount * (won_closing + _REPEAT_SCALE * _REPEAT_RATE / _DAYS_PER_MONTH * customers)
    daily = daily * employed
    by_quarter = pd.Series(daily, index=month_days.asfreq(quarters.freqstr[0])).groupby(level=0).sum()
    return by_quarter.reindex(quarters).to_numpy()


def _plans(seed: int, profiles: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Quarterly sales_volume targets, set before each quarter from what the manager is expected to sell.

    Each target is the manager's expected volume under the generator's model (:func:`_expected_volume`:
    their lead flow, the season, their conversion and check, the customers they are expected to have by
    then), times a planning error (log-normal, sd 8 %), rounded to thousands. Nothing realised enters a
    target, so a fair manager's attainment is a fair draw around 100 %. M10 is planned at the team's lead
    flow though working 60 % of it (see :data:`PLANTED`).
    """
    rng = _stream(seed, "plans")
    quarters = pd.period_range(DEMO_START, DEMO_END, freq="Q")
    rows = []
    for manager, profile in profiles.items():
        planned = {**profile, "lead_flow": profile["lead_flow"] * profile["plan_bias"]}
        expected = _expected_volume(planned, quarters)
        for quarter, value in zip(quarters, expected, strict=True):
            target = value * rng.lognormal(0.0, _PLAN_NOISE)
            rows.append((manager, f"{quarter.year}Q{quarter.quarter}", "sales_volume", round(target, -3)))
    return pd.DataFrame(rows, columns=["manager", "period", "metric", "target"])


def _monthly_plans(seed: int, profiles: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The added people's targets, by month of their employment (as :func:`_plans`, its own stream)."""
    rng = _stream(seed, "plans", 1)
    months = pd.period_range(DEMO_START, DEMO_END, freq="M")
    employment = _employment()
    rows = []
    for manager, profile in profiles.items():
        window = _window(manager, employment)
        expected = _expected_volume(profile, months, window=window)
        for month, value in zip(months, expected, strict=True):
            if month.end_time.value < window[0] or month.start_time.value >= window[1]:
                continue
            target = value * rng.lognormal(0.0, _PLAN_NOISE)
            rows.append((manager, str(month), "sales_volume", round(target, -3)))
    return pd.DataFrame(rows, columns=["manager", "period", "metric", "target"])


def _team_plans(plans: pd.DataFrame, managers: pd.DataFrame) -> pd.DataFrame:
    """Each team's quarterly target: 5 % above its members' targets, a mover's pro-rated by days in the team.

    ``managers``: the teams at the start of the data (before the moves of :data:`_MOVES`).
    """
    quarters = pd.period_range(DEMO_START, DEMO_END, freq="Q")
    quarterly: dict[tuple[str, pd.Period], float] = {}
    for manager, period, target in plans[["manager", "period", "target"]].itertuples(index=False):
        quarter = pd.Period(period, freq="Q") if "Q" in period else pd.Period(period, freq="M").asfreq("Q")
        quarterly[manager, quarter] = quarterly.get((manager, quarter), 0.0) + target
    teams = managers.set_index("manager")["team"].to_dict()
    employment = _employment()
    rows = []
    for quarter in quarters:
        days = pd.date_range(quarter.start_time, quarter.end_time.normalize(), freq="D")
        totals: dict[str, float] = {}
        for manager in managers["manager"]:
            target = quarterly.get((manager, quarter))
            if target is None:
                continue
            hired, until = _window(manager, employment)
            employed = days[(days.as_unit("ns").asi8 >= hired) & (days.as_unit("ns").asi8 < until)]
            moves = [(team, start) for m, team, start in _MOVES if m == manager]
            team_of = pd.Series(teams[manager], index=employed)
            for team, start in sorted(moves, key=lambda move: move[1]):
                team_of[employed >= start] = team
            for team, share in team_of.value_counts(normalize=True).items():
                totals[team] = totals.get(team, 0.0) + target * share
        for team in sorted(totals):
            rows.append((team, f"{quarter.year}Q{quarter.quarter}", round(_TEAM_UPLIFT * totals[team], -3)))
    out = pd.DataFrame(rows, columns=["team", "period", "target"])
    out.insert(0, "manager", None)
    out.insert(3, "metric", "sales_volume")
    return out
