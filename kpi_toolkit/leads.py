"""The leads a manager closed in a period, won and lost, by the age at which they closed or by their source.

The question behind it: are a manager's leads few, lost, or lost late? Leads closed in the period are
fetched from the data's engine (filtered there: only the period's closed leads of the chosen managers come
back) and counted per manager and group.
"""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period

__all__ = ["AGE_BANDS", "LEAD_OUTCOME_COLUMNS", "SOURCE_COLUMNS", "lead_outcomes"]

#: Columns of :func:`lead_outcomes`.
LEAD_OUTCOME_COLUMNS = ("manager", "group", "closed", "won", "lost", "conversion", "share")
#: The age bands of ``by="age"``: (label, most days), in order; the last is open-ended.
AGE_BANDS = (("0-7 days", 7), ("8-30 days", 30), ("31-90 days", 90), ("over 90 days", np.inf))
#: The leads columns ``by="source"`` looks for, in this order.
SOURCE_COLUMNS = ("source", "channel", "lead_source")
TOTAL = "TOTAL"
NO_SOURCE = "(none)"


def _source_column(columns: list[str]) -> str:
    found = [c for c in SOURCE_COLUMNS if c in columns]
    if not found:
        raise ParameterError(
            f"by='source' needs a source column in the leads table ({', '.join(SOURCE_COLUMNS)}); it has "
            f"{', '.join(columns)}. Fix: use by='age', or by= the name of a column that says where leads "
            "come from."
        )
    return found[0]


def lead_outcomes(
    data: SalesData,
    *,
    period: str | Period,
    team: str | None = None,
    manager: str | None = None,
    by: str = "age",
) -> pd.DataFrame:
    """Leads closed in ``period`` per manager, won and lost, by the age at closing or by their source.

    Parameters
    ----------
    data : SalesData
        A validated data set with a leads table, on any engine.
    period : str or Period
        The leads closed (won or lost) in this period.
    team : str, optional
        The managers of this team (every manager when ``None`` or empty); ``TOTAL`` pools them. With an
        ``assignments`` table (team moves), only the leads closed while their manager was in the team (by
        ``closed_at``, as :func:`kpi_toolkit.manager_kpis` counts closed leads): a mover shows in each team
        with the leads they closed there.
    manager : str, optional
        Only this manager's rows (and ``TOTAL``, the team's, to compare with).
    by : str, default "age"
        ``"age"``: days from ``created_at`` to ``closed_at``, in the bands :data:`AGE_BANDS`.
        ``"source"``: the leads table's ``source``, ``channel`` or ``lead_source``
        column (the first there is). Any other name: that column of the leads table.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEAD_OUTCOME_COLUMNS`: ``manager``, ``group`` (the age band or the column's value;
        missing values are ``"(none)"``), ``closed`` = ``won`` + ``lost``, ``conversion`` = won / closed,
        and ``share`` (the group's part of the manager's closed leads). One row per manager and group that
        has closed leads (managers in id order, groups in band order or sorted), then ``manager="TOTAL"``
        pooled over the team's managers. ``attrs``: ``period``, ``by`` (the column used, or ``"age"``).

    Notes
    -----
    NaN policy: none: a row exists only where a lead closed, so ``closed`` > 0. A lead's age counts whole
    days (a lead closed the day it was created is 0 days old).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1"], "manager": ["ann"], "customer_id": ["c"],
    ...                        "ordered_at": ["2026-07-10"], "amount": [10.0]})
    >>> leads = pd.DataFrame({"lead_id": ["a", "b", "c"], "manager": ["ann"] * 3,
    ...                       "status": ["won", "lost", "lost"],
    ...                       "created_at": ["2026-07-01", "2026-05-01", "2026-07-01"],
    ...                       "closed_at": ["2026-07-05", "2026-08-20", "2026-07-03"]})
    >>> kt.lead_outcomes(kt.from_frames(orders, leads=leads), period="2026Q3")
      manager         group  closed  won  lost  conversion     share
    0     ann      0-7 days       2    1     1         0.5  0.666667
    1     ann  over 90 days       1    0     1         0.0  0.333333
    2   TOTAL      0-7 days       2    1     1         0.5  0.666667
    3   TOTAL  over 90 days       1    0     1         0.0  0.333333
    """
    if data.leads is None:
        raise ParameterError(
            "lead_outcomes needs a leads table; this data set has none. Fix: load leads.csv too."
        )
    p = data.period(period)
    members = data.managers_of(team)
    if manager and str(manager) not in members:
        raise ParameterError(
            f"manager={manager!r} is not a manager{' of team ' + repr(team) if team else ''}. "
            f"Fix: use one of {', '.join(members[:20])}."
        )
    leads = nw.from_native(data.leads)
    leads = leads.lazy() if isinstance(leads, nw.DataFrame) else leads
    columns = leads.collect_schema().names()
    column = None
    if by == "source":
        column = _source_column(columns)
    elif by != "age":
        if by not in columns:
            raise ParameterError(
                f"by={by!r} is not a column of the leads table ({', '.join(columns)}). Fix: use 'age', "
                "'source' or one of those columns."
            )
        column = by
    closed_at = nw.col("closed_at")
    wanted = ["manager", "status", "created_at", "closed_at", *([column] if column else [])]
    frame = to_pandas(
        leads.filter(
            nw.col("manager").is_in(members)
            & (nw.col("status") != "open")
            & ~closed_at.is_null()
            & (closed_at >= p.start)
            & (closed_at < p.end)
        ).select(*wanted)
    )
    frame["manager"] = frame["manager"].astype("string")
    if team and data.membership.dated:  # a lead closed while its manager was in the team (closed_at)
        there = data.membership.holds(team, frame["manager"], frame["closed_at"])
        frame = frame[there].reset_index(drop=True)
    if column is None:
        days = (pd.to_datetime(frame["closed_at"]) - pd.to_datetime(frame["created_at"])).dt.days
        labels = [label for label, _ in AGE_BANDS]
        bins = [-np.inf, *(most for _, most in AGE_BANDS)]
        frame["group"] = pd.cut(days, bins=bins, labels=labels, right=True).astype("object")
        order = labels  # a won or lost lead always has created_at (the data contract)
    else:
        values = frame[column].astype("string").fillna(NO_SOURCE)
        frame["group"] = values.astype("object")
        order = sorted(values.unique())
    frame["won"] = (frame["status"] == "won").astype("int64")
    pooled = frame.assign(manager=TOTAL)
    shown = frame[frame["manager"] == str(manager)] if manager else frame
    rows = []
    for part in (shown, pooled):
        counts = part.groupby(["manager", "group"], sort=False).agg(
            closed=("won", "size"), won=("won", "sum")
        )
        counts = counts.reset_index()
        counts["_order"] = counts["group"].map({g: i for i, g in enumerate(order)})
        rows.append(counts.sort_values(["manager", "_order"], kind="stable").drop(columns="_order"))
    out = pd.concat(rows, ignore_index=True)
    out = out.astype({"closed": "int64", "won": "int64"})
    out["lost"] = out["closed"] - out["won"]
    out["conversion"] = out["won"] / out["closed"]
    out["share"] = out["closed"] / out.groupby("manager", sort=False)["closed"].transform("sum")
    out["manager"] = out["manager"].astype("string")
    out["group"] = out["group"].astype("string")
    out = out.loc[:, list(LEAD_OUTCOME_COLUMNS)].reset_index(drop=True)
    out.attrs.update(period=str(p), by=column or "age")
    return out
