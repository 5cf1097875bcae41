"""How one manager works their leads compared with the colleagues: each practice's average over the
manager's leads against the spread of the colleagues' averages (descriptive, not a test)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period
from kpi_toolkit.practices.features import PRACTICES, practice_features

__all__ = ["DIFFERENCE_COLUMNS", "practice_differences"]

#: Columns of :func:`practice_differences`.
DIFFERENCE_COLUMNS = (
    "practice",
    "manager",
    "value",
    "colleagues_median",
    "colleagues_low",
    "colleagues_high",
    "rank",
    "managers",
    "leads",
)


def practice_differences(
    data,
    *,
    periods: str | Period | Sequence[str | Period],
    manager: str,
    team: str | None = None,
    window_days: float = 14,
) -> pd.DataFrame:
    """Each practice (:data:`kpi_toolkit.practices.PRACTICES`): the manager's average against the colleagues'.

    Parameters
    ----------
    data : SalesData
        A data set with ``leads`` and ``activities`` (pandas engine).
    periods : str, Period or list
        The leads created in these periods (as in :func:`kpi_toolkit.practice_features`).
    manager : str
        The manager to compare.
    team : str, optional
        The colleagues: the other managers of this team (of the data set when ``None`` or empty).
    window_days : float, default 14
        The window after a lead's creation in which its practices are measured.

    Returns
    -------
    pandas.DataFrame
        One row per practice (in :data:`PRACTICES` order), columns :data:`DIFFERENCE_COLUMNS`: ``value``, the
        practice's mean over the manager's leads; ``colleagues_median``, ``colleagues_low`` and
        ``colleagues_high``, the median, 25th and 75th percentile of the colleagues' own means; ``rank``, the
        manager's place from the highest value (1) among the ``managers`` with leads; ``leads``, the
        manager's leads measured.

    Notes
    -----
    Descriptive: a practice on which the manager stands apart is a lead to follow, not a cause
    (:func:`kpi_toolkit.practice_effects` tests which practices go with winning). NaN policy: ``value`` is
    NaN for a practice none of the manager's leads could measure; the colleagues' columns are NaN without
    colleagues with leads; ``rank`` is NaN where ``value`` is.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> out = kt.practice_differences(data, periods="2026Q3", manager="M10", team="South")
    >>> out.set_index("practice").loc["had_meeting", ["rank", "managers"]].tolist()
    [4, 8]
    """
    members = data.managers_of(team)
    if str(manager) not in members:
        raise ParameterError(
            f"manager={manager!r} is not a manager{' of team ' + repr(team) if team else ''}. "
            f"Fix: use one of {', '.join(members[:20])}."
        )
    features = practice_features(data, periods=periods, window_days=window_days)
    features = features[features["manager"].isin(members)]
    practices = list(PRACTICES)
    means = features.groupby("manager")[practices].mean()
    mine = means.loc[manager] if manager in means.index else pd.Series(float("nan"), index=practices)
    others = means.drop(index=manager, errors="ignore")
    ranks = means.rank(ascending=False, method="min")
    out = pd.DataFrame(
        {
            "practice": practices,
            "manager": str(manager),
            "value": mine.to_numpy(dtype="float64"),
            "colleagues_median": others.median().to_numpy(dtype="float64"),
            "colleagues_low": others.quantile(0.25).to_numpy(dtype="float64"),
            "colleagues_high": others.quantile(0.75).to_numpy(dtype="float64"),
            "rank": (ranks.loc[manager] if manager in ranks.index else mine).to_numpy(dtype="float64"),
            "managers": means.notna().sum().to_numpy(dtype="int64"),
            "leads": int((features["manager"] == manager).sum()),
        }
    )
    out["rank"] = out["rank"].where(out["value"].notna()).astype("Int64")
    out["practice"] = out["practice"].astype("string")
    out["manager"] = out["manager"].astype("string")
    return out.loc[:, list(DIFFERENCE_COLUMNS)]
