"""The customer bridge: which customers carry a manager's change in sales volume against a baseline period.

Sales directors read it next to the funnel drivers of :func:`kpi_toolkit.plan_gap`: the drivers say *how*
the volume changed (fewer leads, lower conversion, a smaller check), the bridge says *who* (customers won,
customers gone, customers who bought more or less). Both functions aggregate in the data's engine (pandas,
DuckDB or Spark) with one group-by per manager and customer; only the per-manager sums (or the ``n`` largest
changes) come back to pandas.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.aggregate import _in_team
from kpi_toolkit.data import SalesData
from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period
from kpi_toolkit.staffing import team_days

__all__ = [
    "BRIDGE_COLUMNS",
    "BRIDGE_PARTS",
    "CHANGE_KINDS",
    "CUSTOMER_CHANGE_COLUMNS",
    "customer_bridge",
    "customer_changes",
]

Versus = Literal["previous", "last_year"]
#: The parts of the bridge, in order: together they are ``actual - baseline``.
BRIDGE_PARTS = ("new", "lost", "increased", "decreased")
#: Columns of :func:`customer_bridge`.
BRIDGE_COLUMNS = ("manager", "baseline", *BRIDGE_PARTS, "actual")
#: Columns of :func:`customer_changes`.
CUSTOMER_CHANGE_COLUMNS = ("manager", "customer_id", "kind", "baseline", "actual", "change")
#: The ``kind`` of a customer's change in :func:`customer_changes` (``unchanged`` is never listed).
CHANGE_KINDS = ("new", "lost", "increased", "decreased", "unchanged")


def _periods(data: SalesData, period: str | Period, versus: str) -> tuple[Period, Period]:
    if versus not in ("previous", "last_year"):
        raise ParameterError(f"versus={versus!r} is not allowed. Fix: use 'previous' or 'last_year'.")
    p = data.period(period)
    if p.start > data.last_date:
        raise ParameterError(
            f"period={str(p)!r} starts after the data's last date {data.last_date.date()}. "
            "Fix: choose a period the data covers."
        )
    return p, (p.previous() if versus == "previous" else p.last_year())


def _known(data: SalesData, reference: Period) -> bool:
    """Whether the data covers ``reference`` from its first month (else its customers are not all known)."""
    first_month = data.first_date.to_period("M").start_time
    return reference.start >= first_month


def _month_codes(period: Period) -> list[int]:
    return [int(m.replace("-", "")) for m in period.months]


def _team_spans(data: SalesData, team: str) -> Any:
    """The membership intervals of ``team`` (:func:`kpi_toolkit.staffing.team_days`) as a lazy frame of the
    data's engine, to join with its orders."""
    days = team_days(data.membership.intervals)
    days = days[days["_team"] == team].reset_index(drop=True)
    if data.engine == "pandas":
        return nw.from_native(days).lazy()
    from kpi_toolkit.engines.lazy import small_frame

    return small_frame(data.engine, data.connection, days)


def _pairs(
    data: SalesData, period: Period, reference: Period, managers: Sequence[str], team: str | None = None
) -> Any:
    """Lazy per (manager, customer): volume and orders in ``period`` and ``reference``, and the part; with
    ``team`` and ``assignments``, of the orders that belong to the team (a mover's of their days in it)."""
    at = nw.col("ordered_at")
    month = at.dt.year() * 100 + at.dt.month()
    now, then = _month_codes(period), _month_codes(reference)
    amount = nw.col("amount").cast(nw.Float64)
    frame = nw.from_native(data.orders)
    frame = frame.lazy() if isinstance(frame, nw.DataFrame) else frame
    frame = frame.filter(nw.col("manager").is_in(list(managers)))
    if team and data.membership.dated:
        frame = _in_team(frame, _team_spans(data, team), "ordered_at")
    pairs = (
        frame.with_columns(_month=month)
        .filter(nw.col("_month").is_in(now + then))
        .with_columns(
            _now=nw.when(nw.col("_month").is_in(now)).then(amount).otherwise(0.0),
            _then=nw.when(nw.col("_month").is_in(then)).then(amount).otherwise(0.0),
            _n_now=nw.col("_month").is_in(now).cast(nw.Int64),
            _n_then=nw.col("_month").is_in(then).cast(nw.Int64),
        )
        .group_by("manager", "customer_id")
        .agg(
            nw.col("_now").sum().alias("actual"),
            nw.col("_then").sum().alias("baseline"),
            nw.col("_n_now").sum().alias("_n_now"),
            nw.col("_n_then").sum().alias("_n_then"),
        )
    )
    bought_now, bought_then = nw.col("_n_now") > 0, nw.col("_n_then") > 0
    change = nw.col("actual") - nw.col("baseline")
    return pairs.with_columns(
        change=change,
        kind=nw.when(~bought_then)
        .then(nw.lit("new"))
        .when(~bought_now)
        .then(nw.lit("lost"))
        .when(change > 0)
        .then(nw.lit("increased"))
        .when(change < 0)
        .then(nw.lit("decreased"))
        .otherwise(nw.lit("unchanged")),
    )


def _members(data: SalesData, team: str | None, p: Period, reference: Period) -> list[str]:
    """The managers of ``team`` (of every team when ``None``) employed in ``p`` or in ``reference``, by id: a
    leaver's lost customers still show in the quarter after, a joiner's new ones from the first."""
    inside = set(data.managers_of(team, period=p)) | set(data.managers_of(team, period=reference))
    return [m for m in data.managers_of(team) if m in inside]


def customer_bridge(
    data: SalesData,
    *,
    period: str | Period,
    versus: Versus = "previous",
    team: str | None = None,
) -> pd.DataFrame:
    """Each manager's change in sales volume against a baseline period, split by the customers behind it.

    Parameters
    ----------
    data : SalesData
        A validated data set (:func:`kpi_toolkit.load`), on any engine.
    period : str or Period
        The period explained, e.g. ``"2026Q3"``.
    versus : {"previous", "last_year"}, default "previous"
        The baseline period: the previous one, or the same period a year before.
    team : str, optional
        Only this team's managers; every manager when ``None`` or empty. With an ``assignments`` table (team
        moves), only the orders that belong to the team (the manager's team on ``ordered_at``): a mover's
        customers they kept across the move are ``lost`` in the team they left and ``new`` in the one they
        joined, as for a customer who moves between managers, and the team's ``TOTAL`` is the change of
        the team's volume (:func:`kpi_toolkit.manager_kpis` with ``team``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BRIDGE_COLUMNS` (``manager, baseline, new, lost, increased, decreased, actual``), one
        row per manager of the team (sorted by id; every one, zeros without orders) and a last row
        ``manager="TOTAL"``, the sum of the managers' rows. Over the customers of each manager (the
        customers who placed an order with that manager in one of the two periods):

        - ``baseline``, ``actual``: the manager's sales volume in the baseline period and in ``period``;
        - ``new``: the volume in ``period`` of the customers who ordered from the manager in ``period`` and
          not in the baseline period;
        - ``lost``: minus the baseline volume of those who ordered in the baseline period and not in
          ``period`` (zero or negative);
        - ``increased``, ``decreased``: the change of those who ordered in both, summed over the customers
          whose volume grew (positive) and over those whose volume fell (negative).

        ``new + lost + increased + decreased == actual - baseline``. ``attrs``: ``period``,
        ``reference_period``, ``reference`` (``"previous: 2026Q2"``, or why the baseline is unknown) and
        ``data_starts`` (the day of the data's first order).

    Notes
    -----
    A customer "ordered" in a period when it placed at least one order (also of amount 0). A customer served
    by two managers is bridged under each with that manager's orders, so a customer who moved from one
    manager to another is ``lost`` for the first and ``new`` for the second, in their rows and in TOTAL.

    The parts add up to ``actual - baseline`` exactly in exact arithmetic; in floating point to rounding
    (far below a cent for real amounts), and exactly when the amounts are whole numbers.

    NaN policy: when the data starts after the first month of the baseline period, the baseline's customers
    are not all known: ``baseline`` and the four parts are NaN (``actual`` is known), and ``reference`` says
    why. Nothing else is NaN.

    Raises
    ------
    ParameterError
        If ``versus`` or ``team`` is unknown, or ``period`` starts after the data's last date.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({
    ...     "order_id": ["1", "2", "3", "4", "5", "6", "7"],
    ...     "manager": ["ann"] * 7,
    ...     "customer_id": ["grew", "shrank", "gone", "grew", "shrank", "new", "grew"],
    ...     "ordered_at": ["2026-04-10", "2026-05-02", "2026-06-01",
    ...                    "2026-07-03", "2026-08-04", "2026-09-05", "2026-09-20"],
    ...     "amount": [100.0, 300.0, 50.0, 120.0, 200.0, 80.0, 30.0]})
    >>> kt.customer_bridge(kt.from_frames(orders), period="2026Q3")
      manager  baseline   new   lost  increased  decreased  actual
    0     ann     450.0  80.0  -50.0       50.0     -100.0   430.0
    1   TOTAL     450.0  80.0  -50.0       50.0     -100.0   430.0
    """
    p, reference = _periods(data, period, versus)
    managers = _members(data, team, p, reference)
    pairs = _pairs(data, p, reference, managers, team)
    part = {
        "new": nw.when(nw.col("kind") == "new").then(nw.col("actual")).otherwise(0.0),
        "lost": nw.when(nw.col("kind") == "lost").then(-nw.col("baseline")).otherwise(0.0),
        "increased": nw.when(nw.col("kind") == "increased").then(nw.col("change")).otherwise(0.0),
        "decreased": nw.when(nw.col("kind") == "decreased").then(nw.col("change")).otherwise(0.0),
    }
    sums = to_pandas(
        pairs.with_columns(**part)
        .with_columns(nw.col("manager").cast(nw.String))
        .group_by("manager")
        .agg(*(nw.col(c).sum() for c in ("baseline", *BRIDGE_PARTS, "actual")))
    )
    index = pd.Index([str(m) for m in managers], name="manager", dtype="string")
    sums["manager"] = sums["manager"].astype("string")
    rows = sums.set_index("manager").reindex(index, fill_value=0.0).astype("float64")
    rows = rows.loc[:, list(BRIDGE_COLUMNS[1:])]
    note = f"{versus}: {reference}"
    if not _known(data, reference):
        rows.loc[:, ["baseline", *BRIDGE_PARTS]] = np.nan
        note = f"{versus}: {reference} is not covered by the data (it starts {data.first_date.date()})"
    total = rows.sum(min_count=1) if len(rows) else pd.Series(0.0, index=rows.columns)
    if not _known(data, reference):
        total[["baseline", *BRIDGE_PARTS]] = np.nan
    rows.loc["TOTAL"] = total
    out = rows.reset_index()
    out["manager"] = out["manager"].astype("string")
    out = out.loc[:, list(BRIDGE_COLUMNS)]
    out.attrs.update(
        period=str(p),
        reference_period=str(reference),
        reference=note,
        data_starts=str(data.first_date.date()),
    )
    return out


def customer_changes(
    data: SalesData,
    *,
    period: str | Period,
    versus: Versus = "previous",
    team: str | None = None,
    manager: str | None = None,
    n: int = 10,
) -> pd.DataFrame:
    """The customers with the largest gains and the largest losses of volume against a baseline period.

    Parameters
    ----------
    data, period, versus, team
        As in :func:`customer_bridge`.
    manager : str, optional
        Only this manager's customers; every manager of ``team`` when ``None`` or empty.
    n : int, default 10
        How many gains and how many losses to list (at most ``2 n`` rows).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CUSTOMER_CHANGE_COLUMNS`: ``manager, customer_id`` (as text), ``kind`` (``new``,
        ``lost``, ``increased`` or ``decreased``, as in :func:`customer_bridge`), ``baseline`` and ``actual``
        (the customer's volume with that manager in the baseline period and in ``period``) and ``change``
        (``actual - baseline``). First the ``n`` largest gains (largest first), then the ``n`` largest losses
        (largest first); ties by manager and customer id. Customers whose volume did not change are not
        listed. ``attrs``: ``period``, ``reference_period``.

    Notes
    -----
    A row is a (manager, customer) pair, as in :func:`customer_bridge`; summed over every pair, ``change``
    gives the bridge's ``actual - baseline``. NaN policy: nothing is NaN; when the data starts after the
    first month of the baseline period, ``attrs["reference"]`` says so (every customer then looks new or
    grown).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({
    ...     "order_id": ["1", "2", "3", "4", "5"], "manager": ["ann"] * 5,
    ...     "customer_id": ["grew", "gone", "grew", "new", "grew"],
    ...     "ordered_at": ["2026-04-10", "2026-06-01", "2026-07-03", "2026-09-05", "2026-09-20"],
    ...     "amount": [100.0, 50.0, 120.0, 80.0, 30.0]})
    >>> kt.customer_changes(kt.from_frames(orders), period="2026Q3", n=5)
      manager customer_id       kind  baseline  actual  change
    0     ann         new        new       0.0    80.0    80.0
    1     ann        grew  increased     100.0   150.0    50.0
    2     ann        gone       lost      50.0     0.0   -50.0
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r} must be a positive whole number, e.g. 10.")
    p, reference = _periods(data, period, versus)
    managers = _members(data, team, p, reference)
    if manager:
        if str(manager) not in managers:
            where = f"team {team!r}" if team else "this data set"
            known = ", ".join(managers[:20])
            raise ParameterError(f"manager={manager!r} is not a manager of {where}. Fix: use one of {known}.")
        managers = [str(manager)]
    pairs = _pairs(data, p, reference, managers, team).with_columns(
        nw.col("manager").cast(nw.String), nw.col("customer_id").cast(nw.String)
    )
    columns = list(CUSTOMER_CHANGE_COLUMNS)
    keys = ["manager", "customer_id"]
    gains = pairs.filter(nw.col("change") > 0).sort(["change", *keys], descending=[True, False, False])
    losses = pairs.filter(nw.col("change") < 0).sort(["change", *keys], descending=[False, False, False])
    parts = [to_pandas(part.head(int(n)).select(*columns)) for part in (gains, losses)]
    out = pd.concat(parts, ignore_index=True) if any(len(x) for x in parts) else parts[0]
    out = out.astype(
        {
            "manager": "string",
            "customer_id": "string",
            "kind": "string",
            "baseline": "float64",
            "actual": "float64",
            "change": "float64",
        }
    )
    note = f"{versus}: {reference}"
    if not _known(data, reference):
        note = f"{versus}: {reference} is not covered by the data (it starts {data.first_date.date()})"
    out.attrs.update(period=str(p), reference_period=str(reference), reference=note)
    return out.reset_index(drop=True)
