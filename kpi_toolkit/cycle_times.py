"""How long deals take: time from a lead's creation to winning, with open leads and lost ones counted right.

The naive answer, the median age of the deals won so far, runs short: the slow deals are still open when it is
computed, and a lost deal is neither fast nor slow. :func:`cycle_times` treats the leads as a competing-risks
sample: winning and losing are two outcomes, a lead still open at ``as_of`` is censored at its age, and the
Aalen-Johansen estimator gives the cumulative incidence of winning, ``F_won(t)``, the probability that a lead
is won within ``t`` days. The median time to win is where ``F_won`` reaches half of its last value: half of
the deals that are won are won by then.

References
----------
Aalen, O. O., & Johansen, S. (1978). An empirical transition matrix for non-homogeneous Markov chains based on
censored observations. *Scandinavian Journal of Statistics*, 5(3), 141-150.
Putter, H., Fiocco, M., & Geskus, R. B. (2007). Tutorial in biostatistics: competing risks and multi-state
models. *Statistics in Medicine*, 26(11), 2389-2430.
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, ch. 13 (percentile intervals).
"""

from __future__ import annotations

from collections.abc import Sequence

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period, parse_periods

__all__ = ["CYCLE_TIME_COLUMNS", "cumulative_incidence", "cycle_times"]

#: Columns of :func:`cycle_times`, in order.
CYCLE_TIME_COLUMNS = (
    "manager",
    "won",
    "lost",
    "open",
    "median_days_to_win",
    "median_low",
    "median_high",
    "median_days_to_close",
)
_WON, _LOST, _OPEN = 1, 2, 0


def cumulative_incidence(days: np.ndarray, outcome: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Aalen-Johansen cumulative incidence of winning and the Kaplan-Meier chance of still being open.

    ``days`` is each lead's time to its outcome (or to censoring), ``outcome`` 1 for won, 2 for lost and 0 for
    open (censored). Returns the distinct event times ``t``, ``F_won(t)`` and ``S(t)`` (the chance that a
    lead is neither won nor lost by ``t``), each right-continuous at ``t``.

    Examples
    --------
    >>> t, won, still_open = cumulative_incidence(np.array([1, 2, 2, 3, 4]), np.array([1, 2, 1, 0, 1]))
    >>> t.tolist(), np.round(won, 3).tolist(), np.round(still_open, 3).tolist()
    ([1.0, 2.0, 4.0], [0.2, 0.4, 0.8], [0.8, 0.4, 0.0])
    """
    days = np.asarray(days, dtype=float)
    outcome = np.asarray(outcome)
    times = np.unique(days[outcome != _OPEN])
    if times.size == 0:
        return times, np.zeros(0), np.ones(0)
    order = np.sort(days)
    at_risk = days.size - np.searchsorted(order, times, side="left")
    wins = np.bincount(np.searchsorted(times, days[outcome == _WON]), minlength=times.size)
    closes = np.bincount(np.searchsorted(times, days[outcome != _OPEN]), minlength=times.size)
    survival = np.cumprod(1.0 - closes / at_risk)
    before = np.concatenate(([1.0], survival[:-1]))
    won = np.cumsum(before * wins / at_risk)
    return times, won, survival


def _median_to_win(days: np.ndarray, outcome: np.ndarray) -> float:
    times, won, _ = cumulative_incidence(days, outcome)
    if won.size == 0 or won[-1] <= 0:
        return np.nan
    return float(times[np.searchsorted(won, won[-1] / 2.0 - 1e-12, side="left")])


def _median_to_close(days: np.ndarray, outcome: np.ndarray) -> float:
    times, _, still_open = cumulative_incidence(days, outcome)
    reached = np.flatnonzero(still_open <= 0.5 + 1e-12)
    return float(times[reached[0]]) if reached.size else np.nan


def _interval(
    days: np.ndarray, outcome: np.ndarray, *, n_boot: int, level: float, rng: np.random.Generator
) -> tuple[float, float]:
    if int((outcome == _WON).sum()) < 2:
        return np.nan, np.nan
    picks = rng.integers(0, days.size, size=(n_boot, days.size))
    medians = np.array([_median_to_win(days[p], outcome[p]) for p in picks])
    medians = medians[np.isfinite(medians)]
    if medians.size < n_boot // 2:
        return np.nan, np.nan
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(medians, [tail, 1.0 - tail], method="inverted_cdf")
    return float(low), float(high)


def _leads(data: SalesData, start: pd.Timestamp, end: pd.Timestamp, managers: list[str]) -> pd.DataFrame:
    created = nw.col("created_at")
    frame = (
        nw.from_native(data.leads)
        .lazy()
        .filter(~created.is_null() & (created >= start) & (created < end))
        .filter(nw.col("manager").is_in(managers))
        .select("manager", "status", "created_at", "closed_at")
    )
    return to_pandas(frame)


def cycle_times(
    data: SalesData,
    *,
    periods: str | Period | Sequence[str | Period],
    team: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    level: float = 0.95,
    n_boot: int = 200,
    seed: int | None = None,
) -> pd.DataFrame:
    """Time from a lead's creation to winning it, per manager, with open leads and lost ones counted right.

    Parameters
    ----------
    data
        A validated data set with a ``leads`` table.
    periods
        The leads created in these periods (a label, a range ``"2025Q4:2026Q3"`` or a list) are followed.
    team
        Only the managers of this team (every manager when ``None``). With an ``assignments`` table (team
        moves), only the leads created while their manager was in the team (a lead belongs to the team on
        ``created_at``, as its created count does in :func:`kpi_toolkit.manager_kpis`), followed to their
        close wherever the manager is then: a mover shows in each team with the leads they opened there.
    as_of
        The day the leads are seen from: a lead closed after it counts as open, a lead created after it is
        left out, and nothing later is used. Default: the last date in the data.
    level
        Level of the bootstrap interval of the median time to win.
    n_boot
        Bootstrap resamples of each manager's leads.
    seed
        Seed of the bootstrap (``None``: :data:`kpi_toolkit.stats.DEFAULT_SEED`).

    Returns
    -------
    pandas.DataFrame
        One row per manager of the team (in id order) and a last row ``manager="TOTAL"`` that pools their
        leads; columns :data:`CYCLE_TIME_COLUMNS`: ``won``, ``lost``, ``open`` (leads of the window by their
        status as of ``as_of``), ``median_days_to_win`` with its interval ``median_low``-``median_high``, and
        ``median_days_to_close`` (the median time to either outcome).

    Notes
    -----
    Each lead's time is ``closed_at - created_at`` in days when it was won or lost by ``as_of``, else it is
    censored at ``as_of - created_at``. Winning and losing are competing outcomes: the Aalen-Johansen estimate
    ``F_won(t)`` is the chance of a win within ``t`` days (Aalen & Johansen 1978; Putter et al. 2007), and
    ``median_days_to_win`` is the first event time at which ``F_won`` reaches half of its last value.
    ``median_days_to_close`` is where the Kaplan-Meier chance of still being open falls to one half.
    The interval is the bootstrap percentile interval over the manager's leads (Efron & Tibshirani 1993,
    ch. 13), seeded, so the same data give the same interval.

    NaN policy: a manager with no won lead has NaN median and interval; with fewer than two won leads, NaN
    interval; ``median_days_to_close`` is NaN while fewer than half of the leads are closed. Leads without
    ``created_at`` (allowed for open leads) cannot be aged and are left out;
    ``attrs["leads_without_created_at"]`` counts them. This is never the naive median age of the deals won
    so far, which leaves out the slow deals still open and so runs short.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> times = kt.cycle_times(data, periods="2026Q1", team="North")
    >>> times.columns.tolist() == list(CYCLE_TIME_COLUMNS), times["manager"].iloc[-1]
    (True, 'TOTAL')
    """
    if data.leads is None:
        raise ParameterError(
            "cycle_times needs a leads table; this data set has none. Fix: load leads.csv too."
        )
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r} must lie between 0 and 1, e.g. 0.95.")
    if not isinstance(n_boot, int) or n_boot < 20:
        raise ParameterError(f"n_boot={n_boot!r} must be an integer of at least 20, e.g. 200.")
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start, name="periods")
    seen = data.last_date if as_of is None else pd.Timestamp(as_of)
    cut = seen.normalize() + pd.Timedelta(days=1)  # the end of the day as_of
    start, end = min(p.start for p in window), min(max(p.end for p in window), cut)
    managers = data.managers_of(team)
    leads = _leads(data, start, end, managers)
    if team and data.membership.dated:  # a lead is followed in the team its manager was in on created_at
        there = data.membership.holds(team, leads["manager"], leads["created_at"])
        leads = leads[there].reset_index(drop=True)
    undated = (
        nw.from_native(data.leads)
        .lazy()
        .filter(nw.col("created_at").is_null() & nw.col("manager").is_in(managers))
    )
    without_created = int(to_pandas(undated.select(nw.len().alias("n")))["n"].iloc[0])
    closed = leads["status"].isin(["won", "lost"]) & (leads["closed_at"] < cut)
    outcome = np.where(closed & (leads["status"] == "won"), _WON, np.where(closed, _LOST, _OPEN))
    until = leads["closed_at"].where(closed, cut)
    days = ((until - leads["created_at"]).dt.total_seconds() / 86400.0).to_numpy(dtype=float)
    if seed is None:
        from kpi_toolkit.stats import DEFAULT_SEED

        seed = DEFAULT_SEED
    rng = np.random.default_rng(seed)
    rows = []
    positions = leads.groupby("manager", sort=False).indices  # one pass, not a mask per manager
    empty = np.zeros(0, dtype=np.intp)
    groups = [(m, positions.get(m, empty)) for m in managers]
    for manager, mask in [*groups, ("TOTAL", np.arange(len(leads)))]:
        d, o = days[mask], outcome[mask]
        low, high = _interval(d, o, n_boot=n_boot, level=level, rng=rng)
        rows.append(
            (
                manager,
                int((o == _WON).sum()),
                int((o == _LOST).sum()),
                int((o == _OPEN).sum()),
                _median_to_win(d, o),
                low,
                high,
                _median_to_close(d, o),
            )
        )
    out = pd.DataFrame(rows, columns=list(CYCLE_TIME_COLUMNS))
    out["manager"] = out["manager"].astype("string")
    out.attrs.update(
        as_of=seen,
        periods=[str(p) for p in window],
        level=level,
        n_boot=n_boot,
        seed=seed,
        leads_without_created_at=without_created,
    )
    return out
