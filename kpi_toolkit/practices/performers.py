"""Who the top performers are (:func:`top_performers`) and how they differ from the rest
(:func:`performer_profiles`), with a check of regression to the mean (:func:`regression_check`).

Everything here is **descriptive**: the top group is chosen on the outcome, so any difference between it and
the rest describes the group and proves nothing about what makes a manager good. With a dozen managers a
difference can be large by chance, hence Hedges' g with a permutation test, and a check of how much of the
top group's lead survives into the next period.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import KPI_COLUMNS, manager_kpis
from kpi_toolkit.periods import Period
from kpi_toolkit.practices.features import PRACTICES, practice_features

__all__ = [
    "HABITS",
    "PROFILE_COLUMNS",
    "REGRESSION_COLUMNS",
    "TOP_COLUMNS",
    "hedges_g",
    "performer_profiles",
    "regression_check",
    "top_performers",
]

#: Columns of :func:`top_performers`.
TOP_COLUMNS = ("manager", "name", "team", "leads", "value", "rank", "ranked", "top")
#: Columns of :func:`performer_profiles`: one row per measure.
PROFILE_COLUMNS = (
    "measure",
    "group",
    "n_top",
    "n_rest",
    "top_mean",
    "rest_mean",
    "difference",
    "hedges_g",
    "p_value",
)
#: Columns of :func:`regression_check`: the top and the rest chosen on the previous period.
REGRESSION_COLUMNS = (
    "group",
    "n_managers",
    "chosen_on",
    "judged_on",
    "previous_mean",
    "current_mean",
    "change",
    "expected_change",
    "correlation",
)
#: Order-level habits of :func:`performer_profiles` (per manager, over the period).
HABITS = ("lines_per_order", "discount", "days_to_close")
#: The KPIs of the profile (``sales_plan`` is a target, not a performance).
PROFILE_KPIS = tuple(k for k in KPI_COLUMNS if k != "sales_plan")
DEFAULT_SEED = 20261127
By = Literal[
    "plan_attainment", "sales_volume", "conversion", "average_check", "orders", "leads_won", "new_customers"
]


def _check(share: float, min_leads: int, by: str) -> None:
    if not 0 < share < 1:
        raise ParameterError(f"share={share!r} is not a fraction. Fix: use e.g. 0.25 for the top quarter.")
    if not isinstance(min_leads, int) or min_leads < 0:
        raise ParameterError(f"min_leads={min_leads!r} is not allowed. Fix: a whole number >= 0, e.g. 20.")
    if by not in PROFILE_KPIS:
        raise ParameterError(f"by={by!r} is not a KPI. Fix: choose from {', '.join(PROFILE_KPIS)}.")


def top_performers(
    data,
    *,
    period: str | Period,
    by: By = "plan_attainment",
    share: float = 0.25,
    min_leads: int = 20,
    team: str | None = None,
) -> pd.DataFrame:
    """Rank the managers of a period by a KPI and mark the top ``share`` of them.

    Parameters
    ----------
    data
        A :class:`kpi_toolkit.SalesData`.
    period
        The period (e.g. ``"2026Q3"``).
    by
        The KPI that ranks (higher is better), default ``plan_attainment``.
    share
        Fraction of the ranked managers in the top group: ``ceil(share * n_ranked)``, at least one.
    min_leads
        Managers with fewer closed leads in the period (``leads_closed``) are not ranked at all: their KPIs
        rest on too little to say who is "top" (they appear with ``ranked=False``).
    team
        Only this team's managers.

    Returns
    -------
    pandas.DataFrame
        One row per manager (sorted by rank, then id; unranked last), columns :data:`TOP_COLUMNS`: ``leads``
        (closed leads), ``value`` (the KPI), ``rank`` (1 = best among the ranked; ties broken by manager id;
        NaN when not ranked), ``ranked``, ``top``.

    Notes
    -----
    A manager whose KPI is missing (no plan for attainment, no closed lead for conversion) is not ranked. The
    ranking is descriptive; :func:`kpi_toolkit.attainment_ranking` gives the uncertainty of each rank.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> top = top_performers(kt.from_frames(**make_demo_data()), period="2026Q3")
    >>> int(top["top"].sum()), int(top["ranked"].sum()), top.loc[~top["ranked"], "manager"].tolist()
    (4, 14, ['M12'])
    """
    _check(share, min_leads, by)
    kpis = manager_kpis(data, period=period, team=team)
    info = data.manager_info.reindex(kpis.index)
    frame = pd.DataFrame(
        {
            "manager": kpis.index.astype("string"),
            "name": info["name"].astype("string").to_numpy(),
            "team": info["team"].astype("string").to_numpy(),
            "leads": kpis["leads_closed"].fillna(0).astype("int64").to_numpy(),
            "value": kpis[by].astype("float64").to_numpy(),
        }
    )
    frame["ranked"] = (frame["leads"] >= min_leads) & frame["value"].notna()
    ranked = frame[frame["ranked"]].sort_values(["value", "manager"], ascending=[False, True], kind="stable")
    frame["rank"] = pd.Series(np.arange(1, len(ranked) + 1, dtype=float), index=ranked.index)
    n_top = max(1, math.ceil(share * len(ranked))) if len(ranked) else 0
    frame["top"] = frame["rank"] <= n_top
    frame = frame.sort_values(["rank", "manager"], na_position="last", kind="stable").reset_index(drop=True)
    return frame[list(TOP_COLUMNS)]


def hedges_g(top: np.ndarray, rest: np.ndarray) -> float:
    """Hedges' g: the standardised mean difference with the small-sample correction.

    ``g = J (mean_top - mean_rest) / s_pooled``, ``s_pooled = sqrt(((n1-1) s1^2 + (n2-1) s2^2) / (n1+n2-2))``,
    ``J = 1 - 3 / (4 (n1 + n2) - 9)`` (Hedges 1981; Hedges and Olkin 1985, ch. 5). NaN with fewer than two
    values on a side or no spread.

    >>> round(hedges_g(np.array([3.0, 4.0, 5.0]), np.array([1.0, 2.0, 3.0])), 4)
    1.6
    """
    top, rest = np.asarray(top, dtype=float), np.asarray(rest, dtype=float)
    n1, n2 = len(top), len(rest)
    if n1 < 2 or n2 < 2:
        return float("nan")
    pooled = ((n1 - 1) * top.var(ddof=1) + (n2 - 1) * rest.var(ddof=1)) / (n1 + n2 - 2)
    if not pooled > 0:
        return float("nan")
    return float((1 - 3 / (4 * (n1 + n2) - 9)) * (top.mean() - rest.mean()) / math.sqrt(pooled))


def _permutation_p(values: np.ndarray, is_top: np.ndarray, *, n_permutations: int, seed: int) -> float:
    """Two-sided permutation p-value of the difference in means: exact when the splits are few."""
    n, k = len(values), int(is_top.sum())
    if k == 0 or k == n:
        return float("nan")
    observed = abs(values[is_top].mean() - values[~is_top].mean())
    total = values.sum()
    if math.comb(n, k) <= n_permutations:
        sums = np.array([values[list(c)].sum() for c in combinations(range(n), k)])
        diffs = np.abs(sums / k - (total - sums) / (n - k))
        return float(np.mean(diffs >= observed - 1e-12))
    rng = np.random.default_rng(seed)
    sums = np.array([values[rng.permutation(n)[:k]].sum() for _ in range(n_permutations)])
    diffs = np.abs(sums / k - (total - sums) / (n - k))
    return float((1 + np.sum(diffs >= observed - 1e-12)) / (1 + n_permutations))


def _manager_measures(data, *, period: str | Period, managers: list[str], window_days: float) -> pd.DataFrame:
    """Per manager: the KPIs, the mean of each practice feature, and the order-level habits."""
    p = data.period(period)
    kpis = manager_kpis(data, period=period)[list(PROFILE_KPIS)].reindex(managers)
    out = kpis.astype("float64")
    if data.leads is not None and getattr(data, "activities", None) is not None:
        features = practice_features(data, periods=[p], window_days=window_days, landmark_only=False)
        practices = features.groupby("manager")[list(PRACTICES)].mean()
        out = out.join(practices.reindex(managers))
    else:
        for name in PRACTICES:
            out[name] = np.nan
    orders = data.orders[(data.orders["ordered_at"] >= p.start) & (data.orders["ordered_at"] < p.end)]
    grouped = orders.groupby("manager")
    out["lines_per_order"] = grouped["lines"].mean().reindex(managers).astype("float64")
    out["discount"] = grouped["discount"].mean().reindex(managers).astype("float64")
    if data.leads is not None:
        won = data.leads[
            (data.leads["status"] == "won")
            & (data.leads["closed_at"] >= p.start)
            & (data.leads["closed_at"] < p.end)
        ]
        days = (won["closed_at"] - won["created_at"]).dt.total_seconds() / 86_400.0
        out["days_to_close"] = days.groupby(won["manager"]).mean().reindex(managers).astype("float64")
    else:
        out["days_to_close"] = np.nan
    return out


def performer_profiles(
    data,
    *,
    period: str | Period,
    by: By = "plan_attainment",
    share: float = 0.25,
    min_leads: int = 20,
    team: str | None = None,
    window_days: float = 14,
    n_permutations: int = 9999,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """The top group against the rest on every KPI, practice and order-level habit (descriptive).

    Parameters
    ----------
    data, period, by, share, min_leads, team
        Choose the top group as :func:`top_performers` does; only ranked managers are compared.
    window_days
        The window of the practice features (:func:`kpi_toolkit.practices.practice_features`; here every lead
        created in the period whose window ended counts, whatever its outcome).
    n_permutations, seed
        The permutation test: every split of the ranked managers into a group of the top's size and the rest
        when there are at most ``n_permutations`` of them (exact), else that many seeded random splits.

    Returns
    -------
    pandas.DataFrame
        One row per measure, columns :data:`PROFILE_COLUMNS`: ``group`` (``kpi``, ``practice`` or ``habit``),
        ``n_top`` and ``n_rest`` (managers with the measure), the group means (of the per-manager values),
        ``difference = top_mean - rest_mean``, ``hedges_g`` (:func:`hedges_g`) and ``p_value`` (two-sided
        permutation test of the difference in means). ``attrs["top"]`` holds the ids of the top group.

    Notes
    -----
    Descriptive: the top group is selected on ``by`` itself, so the row of ``by`` (and of KPIs that make it)
    differs by construction, and its p-value is meaningless; no p-value here is adjusted for the number of
    measures. Habits: ``lines_per_order`` and ``discount`` are the means over the period's orders (NaN
    without those columns); ``days_to_close`` is the mean number of days from creation to closing of the
    leads won in the period. Practices are per-manager means of the lead features.

    References
    ----------
    Hedges LV (1981). J Educ Stat 6:107-128. Good PI (2005). Permutation, Parametric and Bootstrap Tests of
    Hypotheses, 3rd ed., Springer.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> prof = performer_profiles(kt.from_frames(**make_demo_data()), period="2026Q3")
    >>> row = prof.set_index("measure").loc["plan_attainment"]
    >>> row["group"], int(row["n_top"]), int(row["n_rest"]), bool(row["hedges_g"] > 0)
    ('kpi', 4, 10, True)
    """
    top = top_performers(data, period=period, by=by, share=share, min_leads=min_leads, team=team)
    ranked = top[top["ranked"]]
    managers = ranked["manager"].tolist()
    is_top = ranked["top"].to_numpy(dtype=bool)
    measures = _manager_measures(data, period=period, managers=managers, window_days=window_days)
    groups = {**dict.fromkeys(PROFILE_KPIS, "kpi"), **dict.fromkeys(PRACTICES, "practice")}
    groups.update(dict.fromkeys(HABITS, "habit"))
    rows = []
    for measure, group in groups.items():
        values = measures[measure].to_numpy(dtype=float)
        known = ~np.isnan(values)
        v, t = values[known], is_top[known]
        top_v, rest_v = v[t], v[~t]
        top_mean = float(top_v.mean()) if len(top_v) else float("nan")
        rest_mean = float(rest_v.mean()) if len(rest_v) else float("nan")
        p = _permutation_p(v, t, n_permutations=n_permutations, seed=seed) if len(v) else float("nan")
        g = hedges_g(top_v, rest_v)
        rows.append(
            (measure, group, len(top_v), len(rest_v), top_mean, rest_mean, top_mean - rest_mean, g, p)
        )
    result = pd.DataFrame(rows, columns=list(PROFILE_COLUMNS))
    result.attrs["top"] = ranked.loc[ranked["top"], "manager"].tolist()
    return result


def regression_check(
    data,
    *,
    period: str | Period,
    by: By = "plan_attainment",
    share: float = 0.25,
    min_leads: int = 20,
    team: str | None = None,
) -> pd.DataFrame:
    """Regression to the mean: the top group chosen on the previous period, judged on this one.

    A group chosen for extreme values in one period comes back towards the average in the next even if
    nothing changed, because part of what made it extreme was luck (Barnett, van der Pols and Dobson 2005).
    So the top and the rest are chosen on ``period``'s previous period and their mean ``by`` compared between
    the two periods; the expected change under pure regression to the mean is
    ``(r - 1) (previous group mean - previous mean of all)``, with ``r`` the correlation of ``by`` between the
    periods over the managers ranked in both.

    Returns
    -------
    pandas.DataFrame
        Two rows (``top``, ``rest``), columns :data:`REGRESSION_COLUMNS`: ``chosen_on`` and ``judged_on``
        (period labels), the group's mean ``by`` in each, ``change``, ``expected_change`` (regression to the
        mean alone) and ``correlation`` ``r``. When the top group's ``change`` is about its
        ``expected_change``, its lead was largely luck; a top group that keeps its lead is a better model.

    References
    ----------
    Barnett AG, van der Pols JC, Dobson AJ (2005). Regression to the mean: what it is and how to deal with it.
    Int J Epidemiol 34:215-220.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> r = regression_check(kt.from_frames(**make_demo_data()), period="2026Q3")
    >>> r[["group", "chosen_on", "judged_on"]].values.tolist()
    [['top', '2026Q2', '2026Q3'], ['rest', '2026Q2', '2026Q3']]
    """
    current = data.period(period)
    previous = current.previous()
    before = top_performers(data, period=previous, by=by, share=share, min_leads=min_leads, team=team)
    after = top_performers(data, period=current, by=by, share=share, min_leads=0, team=team)
    both = before[before["ranked"]].merge(
        after[["manager", "value"]], on="manager", suffixes=("_prev", "_now")
    )
    both = both[both["value_now"].notna()]
    r = float(np.corrcoef(both["value_prev"], both["value_now"])[0, 1]) if len(both) > 2 else float("nan")
    overall = float(both["value_prev"].mean()) if len(both) else float("nan")
    rows = []
    for group, chosen in (("top", both[both["top"]]), ("rest", both[~both["top"]])):
        prev_mean = float(chosen["value_prev"].mean()) if len(chosen) else float("nan")
        now_mean = float(chosen["value_now"].mean()) if len(chosen) else float("nan")
        expected = (r - 1) * (prev_mean - overall)
        labels = (str(previous), str(current))
        rows.append((group, len(chosen), *labels, prev_mean, now_mean, now_mean - prev_mean, expected, r))
    return pd.DataFrame(rows, columns=list(REGRESSION_COLUMNS)).astype({"n_managers": "int64"})
