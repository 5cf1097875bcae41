"""Baselines to measure a gap against: the plan's drivers, and the team's pooled drivers.

Each builder returns driver values per manager with the columns :data:`BASELINE_COLUMNS` (the drivers of
:func:`kpi_toolkit.gap.drivers_from_counts` and a ``reference`` text saying where they came from), ready for
:func:`kpi_toolkit.gap.decompose_gap`. A baseline for the previous period or the same period a year before is
:func:`kpi_toolkit.gap.drivers_from_counts` of that period's counts.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap.drivers import (
    BASELINE_COLUMNS,
    DRIVER_COLUMNS,
    LEADS_DRIVERS,
    MODES,
    ORDERS_DRIVERS,
    Mode,
    _by_manager,
    _check_choice,
    _rows,
    drivers_from_counts,
)

__all__ = ["plan_baseline", "pooled_drivers", "team_baseline"]


def pooled_drivers(counts: pd.DataFrame, *, mode: Mode = "auto") -> pd.Series:
    """The team's drivers: the drivers of the managers' summed counts.

    Parameters
    ----------
    counts : pandas.DataFrame
        Counts per manager, as for :func:`kpi_toolkit.gap.drivers_from_counts`.
    mode : {"auto", "leads", "orders"}, default "auto"
        As for :func:`kpi_toolkit.gap.drivers_from_counts`.

    Returns
    -------
    pandas.Series
        Indexed by the driver columns (``sales_volume, leads_closed, conversion, orders_per_win, orders,
        average_check``), named ``"team"``.

    Notes
    -----
    Pooled, not averaged: conversion is the team's won leads over its closed leads, so a manager with many
    leads weighs more. A NaN count of any manager makes the pooled value NaN (no silent partial sum).

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["a", "b"], "leads_closed": [10, 30], "leads_won": [5, 5],
    ...                        "orders": [5, 10], "sales_volume": [500.0, 500.0]})
    >>> pooled_drivers(counts)[["conversion", "orders_per_win", "average_check"]].round(4).tolist()
    [0.25, 1.5, 66.6667]
    """
    frame = _by_manager(counts, "counts", ("orders", "sales_volume"))
    columns = [c for c in ("leads_closed", "leads_won", "orders", "sales_volume") if c in frame.columns]
    total = frame[columns].sum(skipna=False).to_frame().T.assign(manager="team")
    return drivers_from_counts(total, mode=mode).set_index("manager").iloc[0].rename("team")


def team_baseline(counts: pd.DataFrame, *, mode: Mode = "auto") -> pd.DataFrame:
    """What each manager would have sold converting, repeating and pricing like the team.

    Parameters
    ----------
    counts : pandas.DataFrame
        Counts per manager for the period, as for :func:`kpi_toolkit.gap.drivers_from_counts`.
    mode : {"auto", "leads", "orders"}, default "auto"
        As for :func:`kpi_toolkit.gap.drivers_from_counts`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BASELINE_COLUMNS`, one row per manager: the manager's own ``leads_closed`` (orders
        mode: own ``orders``) with the team's pooled other drivers (:func:`pooled_drivers`).

    Notes
    -----
    Against this baseline the leads effect (orders mode: the orders effect) is 0 by construction: the gap
    is what the manager's conversion, orders per win and average check cost or earned with their own leads.
    NaN policy: a pooled driver after a zero one is undefined (NaN; e.g. the team won no lead, so orders per
    win and average check are 0/0) and the baseline volume is 0; :func:`kpi_toolkit.gap.decompose_gap`
    handles such drivers. When the team has orders but no won lead (pooled ``orders_per_win`` infinite)
    every row is NaN and ``reference`` says to use the orders mode.

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["a", "b"], "leads_closed": [10, 30], "leads_won": [5, 5],
    ...                        "orders": [5, 10], "sales_volume": [500.0, 500.0]})
    >>> team_baseline(counts)[["manager", "leads_closed", "conversion", "sales_volume"]]
      manager  leads_closed  conversion  sales_volume
    0       a          10.0        0.25         250.0
    1       b          30.0        0.25         750.0
    """
    own = drivers_from_counts(counts, mode=mode).set_index("manager")
    team = pooled_drivers(counts, mode=mode)
    use_leads = bool(own["leads_closed"].notna().any())
    drivers = list(LEADS_DRIVERS if use_leads else ORDERS_DRIVERS)
    free = drivers[1:]
    base = own.loc[:, list(DRIVER_COLUMNS[1:])].copy()
    base[free] = team[free].to_numpy()
    if use_leads:
        base["orders"] = _chain_product(base[drivers[:-1]])
    base["sales_volume"] = _chain_product(base[drivers])
    note = f"team: own {drivers[0]}, the team's pooled {', '.join(free)}"
    if use_leads and np.isinf(team["orders_per_win"]):
        base[list(DRIVER_COLUMNS[1:])] = np.nan
        note = "team: the team's orders come without won leads (orders_per_win infinite); use mode='orders'"
    return base.assign(reference=note).reset_index().loc[:, list(BASELINE_COLUMNS)]


def _chain_product(values: pd.DataFrame) -> pd.Series:
    """Product of the drivers of each row: 0 after a zero driver (the later ones are then undefined)."""
    with np.errstate(invalid="ignore"):  # 0 x inf: the row is masked to 0 or dropped anyway
        product = values.prod(axis=1, skipna=False)
    return product.mask((values == 0).any(axis=1), 0.0)


def plan_baseline(
    targets: pd.DataFrame,
    *,
    mix: pd.DataFrame | pd.Series,
    mode: Literal["leads", "orders"] = "leads",
    mix_name: str = "team",
) -> pd.DataFrame:
    """Driver values that multiply to each manager's ``sales_volume`` target: the plan as a baseline.

    Parameters
    ----------
    targets : pandas.DataFrame
        One row per manager: ``manager, sales_volume`` and any driver targets (``leads_closed,
        conversion, orders_per_win, average_check``; ``orders`` in the orders mode); NaN = no target.
    mix : pandas.DataFrame or pandas.Series
        The reference mix for the drivers without a target: one set of driver values for every manager
        (a Series indexed by driver, e.g. :func:`pooled_drivers` of the team in the same period) or one row
        per manager (a DataFrame with a ``manager`` column, e.g. each manager's drivers a year before).
    mode : {"leads", "orders"}, default "leads"
        The drivers: ``leads_closed x conversion x orders_per_win x average_check`` or
        ``orders x average_check``. Targets of drivers of the other mode are not used.
    mix_name : str, default "team"
        How ``reference`` names the mix.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`BASELINE_COLUMNS`, one row per manager of ``targets`` (sorted). ``reference`` says
        which drivers are targets and by how much the mix was scaled, or why the row is NaN.

    Raises
    ------
    ParameterError
        If a column is missing (``sales_volume``, or a free driver in ``mix``) or a target is negative.

    Notes
    -----
    Geometric scaling: the drivers with a target keep it, and every free driver (without a target) is the
    mix's value times the same factor :math:`s`, chosen so the drivers multiply to the volume target
    :math:`S`: with targeted drivers :math:`T` and free drivers :math:`F`,
    :math:`s = \\left(S / (\\prod_{k \\in T} t_k \\prod_{k \\in F} r_k)\\right)^{1/|F|}`. It keeps the mix's
    ratios between the free drivers and spreads the plan's ambition evenly over them in log terms (the
    LMDI metric). A scaled conversion can exceed 1 when the target is far above the mix; ``reference``
    shows :math:`s` so that the reader can judge.

    Rows that cannot be built are NaN with a note in ``reference`` (never a crash, never a silent NaN): no
    positive ``sales_volume`` target; a driver target of 0 with a positive volume target; every driver
    targeted but their product differs from the volume target (by more than half a cent plus 1e-9 of it);
    a free driver whose mix value is not positive and finite.

    Examples
    --------
    A plan of 53 240 with a target of 200 leads; the team converts 20 % at 1 order per win and 1000 a check
    (200 x 0.2 x 1 x 1000 = 40 000), so the three free drivers are scaled by (53 240 / 40 000)^(1/3) = 1.1:

    >>> targets = pd.DataFrame({"manager": ["ann"], "sales_volume": [53240.0], "leads_closed": [200.0]})
    >>> team = pd.Series({"conversion": 0.2, "orders_per_win": 1.0, "average_check": 1000.0})
    >>> base = plan_baseline(targets, mix=team)
    >>> base[["leads_closed", "conversion", "orders_per_win", "average_check"]].round(4)
       leads_closed  conversion  orders_per_win  average_check
    0         200.0        0.22             1.1         1100.0
    >>> print(base.loc[0, "reference"])
    plan: targets for sales_volume, leads_closed; conversion, orders_per_win, average_check = team mix x 1.1
    """
    _check_choice("mode", mode, MODES[1:])
    drivers = list(LEADS_DRIVERS if mode == "leads" else ORDERS_DRIVERS)
    frame = _by_manager(targets, "targets", ("sales_volume",))
    for column in frame.columns.intersection([*drivers, "sales_volume"]):
        if (frame[column] < 0).any():
            raise ParameterError(
                f"targets: {column!r} is negative for managers {_rows(frame[column] < 0)}. "
                "Fix: targets are >= 0 (NaN for no target)."
            )
    target = frame.reindex(columns=drivers)
    targeted = target.notna()
    free = ~targeted
    needed = [d for d in drivers if free[d].any()]
    if isinstance(mix, pd.Series):
        reference = pd.DataFrame(
            [mix.reindex(needed).to_numpy()] * len(frame), index=frame.index, columns=needed
        )
        absent = [d for d in needed if d not in mix.index]
    else:
        mix_frame = _by_manager(mix, "mix", ())
        absent = [d for d in needed if d not in mix_frame.columns]
        reference = mix_frame.reindex(index=frame.index, columns=needed)
    if absent:
        raise ParameterError(
            f"mix has no {', '.join(map(repr, absent))}, needed for drivers without a target. "
            "Fix: pass the reference drivers, e.g. pooled_drivers(counts) of the team."
        )
    reference = reference.reindex(columns=drivers).astype("float64")
    volume = frame["sales_volume"]
    fixed = target.where(targeted, 1.0).prod(axis=1)
    n_free = free.sum(axis=1)
    scale = (volume / (fixed * reference.where(free, 1.0).prod(axis=1))) ** (1.0 / n_free.where(n_free > 0))
    values = target.where(targeted, reference * scale.to_numpy()[:, None])

    tolerance = 0.005 + 1e-9 * volume
    usable = np.isfinite(reference) & (reference > 0)
    bad_mix = (free & ~usable).any(axis=1)
    notes = pd.Series("", index=frame.index, dtype="object")
    valid = pd.Series(False, index=frame.index)
    for manager in frame.index:
        given = [d for d in drivers if targeted.at[manager, d]]
        if not volume[manager] > 0:
            notes[manager] = "plan: no positive sales_volume target"
        elif any(target.at[manager, d] == 0 for d in given):
            notes[manager] = "plan: a driver target is 0 but the sales_volume target is positive"
        elif n_free[manager] == 0 and abs(fixed[manager] - volume[manager]) > tolerance[manager]:
            notes[manager] = (
                f"plan: the driver targets multiply to {fixed[manager]:.6g}, not the sales_volume "
                f"target {volume[manager]:.6g}; make them agree or drop a driver target"
            )
        elif bad_mix[manager]:
            lacking = [d for d in drivers if free.at[manager, d] and not usable.at[manager, d]]
            notes[manager] = f"plan: the {mix_name} mix has no positive {', '.join(lacking)}"
        elif n_free[manager] == 0:
            notes[manager], valid[manager] = "plan: targets for every driver", True
        else:
            valid[manager] = True
            names = [d for d in drivers if not targeted.at[manager, d]]
            notes[manager] = (
                f"plan: targets for {', '.join(['sales_volume', *given])}; {', '.join(names)} = "
                f"{mix_name} mix x {scale[manager]:.6g}"
            )
    values[~valid] = np.nan
    out = pd.DataFrame(np.nan, index=frame.index, columns=list(DRIVER_COLUMNS[1:]))
    out[drivers] = values
    if mode == "leads":
        out["orders"] = out["leads_closed"] * out["conversion"] * out["orders_per_win"]
    out["sales_volume"] = out[drivers].prod(axis=1, skipna=False)
    return out.assign(reference=notes).reset_index().loc[:, list(BASELINE_COLUMNS)]
