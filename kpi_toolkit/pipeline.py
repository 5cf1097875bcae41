"""Will we make it? The open pipeline of a day, its value weighted by the chance of winning, and its coverage
of what is left of the plan.

:func:`pipeline` rebuilds the leads open at the end of ``as_of`` from the leads table (created on or before
that day and not closed by it), so the pipeline of any past day can be seen again, and uses nothing later.
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.cycle_times import cumulative_incidence
from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period

__all__ = ["PIPELINE_COLUMNS", "pipeline", "win_chance_by_age"]

#: Columns of :func:`pipeline`, in order.
PIPELINE_COLUMNS = (
    "manager",
    "open_leads",
    "open_value",
    "weighted_value",
    "to_date",
    "target",
    "remaining_target",
    "coverage",
    "weighted_coverage",
    "median_age_days",
    "stale_leads",
)
_DAY = pd.Timedelta(days=1)
_MIN_WON_FOR_OWN_CYCLE = 10  # won deals a manager needs for their own stale threshold (else the team's)


def win_chance_by_age(days: np.ndarray, outcome: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """The chance that a lead still open at each age in ``ages`` is won in the end.

    From the Aalen-Johansen estimates of past leads (``days`` and ``outcome`` as in
    :func:`kpi_toolkit.cycle_times.cumulative_incidence`): ``(F_won(last) - F_won(a)) / S(a)``, the wins still
    to come after age ``a`` among the leads still open at ``a``. NaN where no past lead was still open at
    that age.

    Examples
    --------
    >>> days = np.array([5.0, 10.0, 20.0, 30.0])
    >>> outcome = np.array([2, 1, 1, 0])  # lost on day 5, won on days 10 and 20, open at 30
    >>> np.round(win_chance_by_age(days, outcome, np.array([0.0, 12.0, 25.0])), 3).tolist()
    [0.5, 0.5, 0.0]
    """
    times, won, still_open = cumulative_incidence(days, outcome)
    ages = np.asarray(ages, dtype=float)
    if times.size == 0:
        return np.full(ages.shape, np.nan)
    at = np.searchsorted(times, ages, side="right") - 1  # the last event time at or before each age
    won_by = np.where(at >= 0, won[np.maximum(at, 0)], 0.0)
    open_at = np.where(at >= 0, still_open[np.maximum(at, 0)], 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        chance = (won[-1] - won_by) / open_at
    return np.where(open_at > 0, np.clip(chance, 0.0, 1.0), np.nan)


def _leads(data: SalesData, managers: list[str], since: pd.Timestamp, cut: pd.Timestamp) -> pd.DataFrame:
    columns = ["manager", "status", "created_at", "closed_at"]
    if "expected_amount" in nw.from_native(data.leads).lazy().collect_schema().names():
        columns.append("expected_amount")
    created = nw.col("created_at")
    frame = (
        nw.from_native(data.leads)
        .lazy()
        .filter(nw.col("manager").is_in(managers) & ~created.is_null() & (created < cut))
        .filter(nw.col("closed_at").is_null() | (nw.col("closed_at") >= since))
        .select(*columns)
    )
    leads = to_pandas(frame)
    if "expected_amount" not in leads:
        leads["expected_amount"] = np.nan
    return leads


def _volume(data: SalesData, managers: list[str], start: pd.Timestamp, stop: pd.Timestamp) -> pd.Series:
    at = nw.col("ordered_at")
    frame = (
        nw.from_native(data.orders)
        .lazy()
        .filter(nw.col("manager").is_in(managers) & (at >= start) & (at < stop))
        .group_by("manager")
        .agg(nw.col("amount").sum())
    )
    sums = to_pandas(frame)
    return sums.set_index("manager")["amount"].astype("float64").reindex(managers, fill_value=0.0)


def _shrunk(own: np.ndarray, team: np.ndarray, n: int, prior_leads: int) -> np.ndarray:
    own = np.where(np.isnan(own), team, own)
    return (n * own + prior_leads * team) / (n + prior_leads)


def pipeline(
    data: SalesData,
    *,
    period: str | Period,
    as_of: str | pd.Timestamp,
    team: str | None = None,
    history_days: int = 365,
    prior_leads: int = 20,
) -> pd.DataFrame:
    """The leads open at the end of ``as_of``, their value weighted by the chance of winning, and how much of
    the plan still to make they cover.

    Parameters
    ----------
    data
        A validated data set with a ``leads`` table.
    period
        The period whose plan the pipeline must close, e.g. ``"2026Q3"``.
    as_of
        The day the pipeline is seen from (its end): nothing later is used.
    team
        Only the managers of this team (every manager when ``None``).
    history_days
        How far back the leads that estimate the chances of winning and the deal cycle reach.
    prior_leads
        Weight, in closed leads, of the team's chances in a manager's shrunk chances.

    Returns
    -------
    pandas.DataFrame
        One row per manager (in id order) and a last row ``manager="TOTAL"``; columns
        :data:`PIPELINE_COLUMNS`: ``open_leads`` and ``open_value`` (their ``expected_amount``),
        ``weighted_value`` (each open lead's value times its chance of being won), ``to_date`` (sales volume
        from the period's start to ``as_of``), ``target`` (the ``sales_volume`` target), ``remaining_target``
        (``target - to_date``, at least 0), ``coverage = open_value / remaining_target`` and
        ``weighted_coverage``, ``median_age_days`` of the open leads and ``stale_leads`` (open leads older
        than the 90th percentile of the manager's won-deal cycle times).

    Notes
    -----
    *Open*: ``created_at`` on or before ``as_of`` and ``closed_at`` empty or after it (so a lead closed later
    counts as open, as it was then); leads without ``created_at`` cannot be placed in time and are counted in
    ``attrs["leads_without_created_at"]``.

    *Value*: ``expected_amount``; an open lead without one (or a data set without the column) is valued at the
    manager's volume per won lead over the last ``history_days`` (the team's when the manager won none);
    ``attrs["valued_by_average"]`` counts them.

    *Chance of winning* a lead open at age ``a``: ``(F_won(last) - F_won(a)) / S(a)`` from the Aalen-Johansen
    estimates (:func:`win_chance_by_age`) of the manager's leads created in the ``history_days`` before
    ``as_of``, seen as of ``as_of`` (open ones censored), shrunk toward the team's as
    ``(n p_m + k p_team) / (n + k)`` with ``n`` the manager's closed leads and ``k = prior_leads``.
    Stages are not used yet: a lead's stage as of a past day is not in the table.

    *Stale*: older than the 90th percentile of the time from creation to winning of the manager's won leads
    of the history (the team's with fewer than 10 won).

    TOTAL: sums; its ``target`` is the sum of the targets the managers have (``attrs["without_target"]`` lists
    those without one); its ``remaining_target`` is that target less the same managers' volume to date, so
    one manager's surplus covers another's shortfall, as in a team plan.

    NaN policy: ``target`` NaN without a positive ``sales_volume`` target, and then ``remaining_target`` and
    the coverages are NaN; coverages are NaN when nothing remains (the target is met); ``median_age_days``
    NaN without open leads.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> pipe = kt.pipeline(data, period="2026Q3", as_of="2026-08-15", team="North")
    >>> pipe.columns.tolist() == list(PIPELINE_COLUMNS), pipe["manager"].iloc[-1]
    (True, 'TOTAL')
    """
    if data.leads is None:
        raise ParameterError("pipeline needs a leads table; this data set has none. Fix: load leads.csv too.")
    for name, value in (("history_days", history_days), ("prior_leads", prior_leads)):
        if not isinstance(value, int) or value < 1:
            raise ParameterError(f"{name}={value!r} must be a positive whole number.")
    p = data.period(period)
    try:
        day = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ParameterError(f"as_of={as_of!r} is not a date. Fix: e.g. as_of='2026-08-15'.") from None
    cut = day.normalize() + _DAY
    since = cut - pd.Timedelta(days=history_days)
    managers = data.managers_of(team)
    leads = _leads(data, managers, since, cut)
    is_open = leads["closed_at"].isna() | (leads["closed_at"] >= cut)
    age = ((cut - leads["created_at"]).dt.total_seconds() / 86400.0).to_numpy(dtype=float)
    history = (leads["created_at"] >= since).to_numpy()
    closed = ~is_open.to_numpy()
    outcome = np.where(closed & (leads["status"] == "won").to_numpy(), 1, np.where(closed, 2, 0))
    days = np.where(closed, (leads["closed_at"] - leads["created_at"]).dt.total_seconds() / 86400.0, age)
    open_rows = is_open.to_numpy()

    volume = _volume(data, managers, since, cut)
    won = pd.Series(outcome[history] == 1).groupby(leads.loc[history, "manager"].to_numpy()).sum()
    won = won.reindex(managers, fill_value=0)
    team_per_win = volume.sum() / won.sum() if won.sum() else np.nan
    per_win = (volume / won.where(won > 0)).fillna(team_per_win)
    value = leads["expected_amount"].to_numpy(dtype=float)
    missing = open_rows & np.isnan(value)
    value = np.where(missing, per_win.reindex(leads["manager"]).to_numpy(dtype=float), value)

    team_chance = win_chance_by_age(days[history], outcome[history], age)
    won_days = days[history & (outcome == 1)]
    team_stale = np.quantile(won_days, 0.9) if won_days.size else np.nan
    chance = np.zeros(len(leads))
    stale_after = np.full(len(leads), np.nan)
    by_manager = leads["manager"].to_numpy()
    positions = leads.groupby("manager", sort=False).indices  # one pass, not a mask per manager
    for manager in managers:
        rows = positions.get(manager, np.zeros(0, dtype=np.intp))
        mine = rows[history[rows]]
        own = win_chance_by_age(days[mine], outcome[mine], age[rows])
        n = int((outcome[mine] != 0).sum())
        chance[rows] = _shrunk(own, np.nan_to_num(team_chance[rows]), n, prior_leads)
        own_won = days[mine[outcome[mine] == 1]]
        enough = own_won.size >= _MIN_WON_FOR_OWN_CYCLE
        stale_after[rows] = np.quantile(own_won, 0.9) if enough else team_stale

    to_date = _volume(data, managers, p.start, min(cut, p.end))
    target = data.plan_book.targets(managers, p, "sales_volume").reindex(managers).astype("float64")
    target = target.where(target > 0)
    opened = pd.DataFrame(
        {
            "manager": by_manager[open_rows],
            "value": value[open_rows],
            "weighted": (value * chance)[open_rows],
            "age": age[open_rows],
            "stale": (age > stale_after)[open_rows],
        }
    )
    grouped = opened.groupby("manager")
    out = pd.DataFrame(index=pd.Index(managers, name="manager"))
    out["open_leads"] = grouped.size().reindex(managers, fill_value=0).astype("int64")
    out["open_value"] = grouped["value"].sum().reindex(managers, fill_value=0.0)
    out["weighted_value"] = grouped["weighted"].sum().reindex(managers, fill_value=0.0)
    out["to_date"] = to_date
    out["target"] = target
    out["remaining_target"] = (target - to_date).clip(lower=0)
    out["median_age_days"] = grouped["age"].median().reindex(managers)
    out["stale_leads"] = grouped["stale"].sum().reindex(managers, fill_value=0).astype("int64")
    has_target = target.notna()
    total = {
        "open_leads": int(out["open_leads"].sum()),
        "open_value": float(out["open_value"].sum()),
        "weighted_value": float(out["weighted_value"].sum()),
        "to_date": float(to_date.sum()),
        "target": float(target[has_target].sum()) if has_target.any() else np.nan,
        "remaining_target": max(float(target[has_target].sum() - to_date[has_target].sum()), 0.0)
        if has_target.any()
        else np.nan,
        "median_age_days": float(opened["age"].median()) if len(opened) else np.nan,
        "stale_leads": int(out["stale_leads"].sum()),
    }
    out = pd.concat([out, pd.DataFrame(total, index=pd.Index(["TOTAL"], name="manager"))])
    remaining = out["remaining_target"].where(out["remaining_target"] > 0)
    out["coverage"] = out["open_value"] / remaining
    out["weighted_coverage"] = out["weighted_value"] / remaining
    out = out.reset_index()
    out["manager"] = out["manager"].astype("string")
    out = out.astype({"open_leads": "int64", "stale_leads": "int64"}).loc[:, list(PIPELINE_COLUMNS)]
    undated = (
        nw.from_native(data.leads)
        .lazy()
        .filter(nw.col("created_at").is_null() & nw.col("manager").is_in(managers))
    )
    out.attrs.update(
        period=str(p),
        as_of=day.normalize(),
        history_days=history_days,
        prior_leads=prior_leads,
        valued_by_average=int(missing.sum()),
        leads_without_created_at=int(to_pandas(undated.select(nw.len().alias("n")))["n"].iloc[0]),
        without_target=[m for m in managers if not has_target[m]],
    )
    return out
