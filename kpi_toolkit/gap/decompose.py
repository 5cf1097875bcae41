"""The gap between actual and baseline sales volume, split manager by manager into its drivers' effects.

The drivers are those of :mod:`kpi_toolkit.gap.drivers`; the split is the exact additive decomposition of
:mod:`kpi_toolkit.gap.lmdi`; the baselines come from :mod:`kpi_toolkit.gap.baselines` or from another
period's counts.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap.drivers import (
    DRIVER_COLUMNS,
    LEADS_DRIVERS,
    MODES,
    ORDERS_DRIVERS,
    TOTAL,
    Mode,
    _by_manager,
    _check_choice,
    _has_leads,
    _rows,
    drivers_from_counts,
)
from kpi_toolkit.gap.lmdi import DECOMPOSITION_METHODS, _effects

__all__ = ["GAP_METRICS", "PLAN_GAP_COLUMNS", "decompose_gap"]


#: Columns of :func:`decompose_gap`.
PLAN_GAP_COLUMNS = (
    "manager",
    "actual",
    "baseline_value",
    "gap",
    "leads_effect",
    "conversion_effect",
    "orders_per_win_effect",
    "orders_effect",
    "average_check_effect",
    "reference",
    "method",
    # issue 14: the plan on net sales or gross margin
    "returns_effect",
    "margin_effect",
)
_EFFECT = {
    "leads_closed": "leads_effect",
    "conversion": "conversion_effect",
    "orders_per_win": "orders_per_win_effect",
    "orders": "orders_effect",
    "average_check": "average_check_effect",
    "net_share": "returns_effect",
    "margin_rate": "margin_effect",
}
#: The metrics a gap can be measured on, and the factors each adds to the volume drivers.
GAP_METRICS = {
    "sales_volume": (),
    "net_sales": ("net_share",),
    "gross_margin": ("net_share", "margin_rate"),
}
#: The numeric columns of :data:`PLAN_GAP_COLUMNS` (``actual`` to the effects).
NUMERIC_COLUMNS = ("actual", "baseline_value", "gap", *_EFFECT.values())


def _chain_status(x: NDArray[np.float64]) -> tuple[NDArray[np.bool_], NDArray[np.intp]]:
    """Undefined cells (NaN after a zero driver in the chain), each row's first missing driver (-1: none)."""
    zero = x == 0
    zero_before = (np.cumsum(zero, axis=1) - zero) > 0
    undefined = np.isnan(x) & zero_before
    missing = np.isnan(x) & ~zero_before
    return undefined, np.where(missing.any(axis=1), missing.argmax(axis=1), -1)


def _decompose_rows(x0: NDArray[np.float64], x1: NDArray[np.float64], method: str) -> tuple[NDArray, ...]:
    """Effects (NaN where a driver is missing), baseline values, each period's first missing driver, and
    the rows decomposed by Shapley because a factor is negative (a net share or margin rate below 0)."""
    undefined0, missing0 = _chain_status(x0)
    undefined1, missing1 = _chain_status(x1)
    # An undefined driver takes the other period's value (its effect is 0); undefined in both: 1.
    filled0 = np.where(undefined0 & undefined1, 1.0, np.where(undefined0, x1, x0))
    filled1 = np.where(undefined0 & undefined1, 1.0, np.where(undefined1, x0, x1))
    ok = (missing0 < 0) & (missing1 < 0)
    # LMDI needs factors >= 0; a loss (margin rate < 0) or returns above sales (net share < 0) go to Shapley
    negative = ok & ((filled0 < 0) | (filled1 < 0)).any(axis=1)
    regular = ok & ~negative
    effects = np.full_like(x0, np.nan)
    effects[regular] = _effects(filled0[regular], filled1[regular], method)
    if negative.any():
        effects[negative] = _effects(filled0[negative], filled1[negative], "shapley")
    baseline_value = np.where(missing0 < 0, np.prod(filled0, axis=1), np.nan)
    return effects, baseline_value, missing0, missing1, negative & (method != "shapley")


def _note(
    method: str,
    chain: tuple[str, ...],
    missing0: int,
    missing1: int,
    no_counts: bool,
    absent: bool,
    empty: bool,
    side: str | None,
    negative: bool = False,
    broken: str = "",
) -> str:
    """The ``method`` text of one row: the method, a fallback note, or why the row was not decomposed."""
    if broken:
        return "none; " + broken
    if missing1 >= 0:
        return "none; " + (
            "no actual counts for this manager"
            if no_counts
            else f"the actual counts give no {_factor_name(chain[missing1])}"
        )
    if missing0 >= 0:
        if absent:
            return "none; no baseline for this manager"
        if empty:
            return "none; the baseline is empty (see reference)"
        return f"none; the baseline has no {_factor_name(chain[missing0])}"
    notes = [method]
    if negative:
        notes = ["shapley", f"a {_NEGATIVE} below 0 (LMDI needs factors >= 0)"]
    if side is not None:
        notes.append(f"orders x average_check: orders without won leads in the {side} period")
    return "; ".join(notes)


_NEGATIVE = "net share or margin rate"


def _factor_name(factor: str) -> str:
    """The name a note gives a factor: the baseline's column (``return_rate`` for the net share)."""
    return "return_rate" if factor == "net_share" else factor


def _baseline_frame(baseline: pd.DataFrame, use_leads: bool, extras: tuple[str, ...]) -> pd.DataFrame:
    base = baseline.reindex(columns=list(DRIVER_COLUMNS[1:]))
    for factor in extras:
        column = _factor_name(factor)
        try:
            values = baseline.get(column, pd.Series(np.nan, index=baseline.index)).astype("float64")
        except (TypeError, ValueError):
            raise ParameterError(
                f"baseline: column {column!r} must hold numbers. Fix: convert it (NaN for missing)."
            ) from None
        if np.isinf(values).any():
            raise ParameterError(
                f"baseline: {column!r} is infinite for managers {_rows(np.isinf(values))}. "
                "Fix: give a finite rate (NaN for none)."
            )
        base[factor] = 1.0 - values if factor == "net_share" else values
    drivers = LEADS_DRIVERS if use_leads else ORDERS_DRIVERS
    for column in drivers:
        values = base[column]
        bad = (values < 0) | (np.isinf(values) & (column != "orders_per_win"))
        if bad.any():
            raise ParameterError(
                f"baseline: {column!r} is negative or infinite for managers {_rows(bad)}. "
                "Fix: drivers are >= 0 (orders_per_win may be inf: orders without won leads)."
            )
    lead_orders = base["leads_closed"] * base["conversion"] * base["orders_per_win"]
    base["orders"] = lead_orders.where(np.isfinite(lead_orders), base["orders"])
    return base


def decompose_gap(
    actual: pd.DataFrame,
    baseline: pd.DataFrame,
    *,
    method: Literal["lmdi", "shapley"] = "lmdi",
    mode: Mode = "auto",
    reference: str | None = None,
    metric: Literal["sales_volume", "net_sales", "gross_margin"] = "sales_volume",
) -> pd.DataFrame:
    """Split each manager's gap between actual and baseline sales volume (or net sales, or gross margin)
    into the effects of its drivers.

    Parameters
    ----------
    actual : pandas.DataFrame
        The period's counts per manager: ``manager, leads_closed, leads_won, orders, sales_volume``
        (:data:`COUNT_COLUMNS`; the lead columns may be absent or NaN in the orders mode), and ``returns``
        (``metric="net_sales"``), ``returns`` and ``gross_margin`` (``metric="gross_margin"``; NaN without
        costs), as in :func:`kpi_toolkit.manager_kpis`.
    baseline : pandas.DataFrame
        Driver values per manager: ``manager`` and ``leads_closed, conversion, orders_per_win,
        average_check`` (leads mode) or ``orders, average_check`` (orders mode; derived as
        ``leads_closed x conversion x orders_per_win`` when absent), optionally ``reference`` (text saying
        where the values came from), e.g. from :func:`kpi_toolkit.gap.plan_baseline`,
        :func:`kpi_toolkit.gap.team_baseline` or :func:`drivers_from_counts` of another period; and
        ``return_rate`` (``returns / sales_volume``; for ``metric`` ``"net_sales"`` and ``"gross_margin"``)
        and ``margin_rate`` (``gross_margin / net_sales``; for ``"gross_margin"``).
    method : {"lmdi", "shapley"}, default "lmdi"
        Additive LMDI-I or Shapley (:func:`kpi_toolkit.gap.decompose_product`).
    mode : {"auto", "leads", "orders"}, default "auto"
        The drivers: ``"auto"`` uses the leads mode when ``actual`` has lead counts and ``baseline`` has the
        leads drivers, else the orders mode.
    reference : str, optional
        Text for the ``reference`` column where ``baseline`` has none (default ``"baseline"``).
    metric : {"sales_volume", "net_sales", "gross_margin"}, default "sales_volume"
        What the gap is measured on: the sales volume (the product of the drivers), net sales (the volume
        times the net share ``1 - return_rate``) or gross margin (net sales times ``margin_rate``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PLAN_GAP_COLUMNS`, one row per manager of ``actual`` or ``baseline`` (sorted), then
        a row ``manager="TOTAL"``. ``actual`` is the ``metric`` (the sales volume by default),
        ``baseline_value`` the product of the baseline drivers, ``gap = actual - baseline_value``; the
        effects add up to the gap. An effect the row's drivers do not include is NaN: ``orders_effect`` in
        the leads mode, the three lead effects in the orders mode, ``returns_effect`` unless ``metric`` is
        ``"net_sales"`` or ``"gross_margin"``, ``margin_effect`` unless it is ``"gross_margin"``.
        ``method`` is ``"lmdi"`` or ``"shapley"``, followed by a note when a fallback applied, or
        ``"none; <why>"`` for a row that could not be decomposed.

    Raises
    ------
    ParameterError
        If an option is unknown, a column is missing, or a count or driver is invalid.

    Notes
    -----
    Drivers and effects: see :func:`drivers_from_counts` and :func:`kpi_toolkit.gap.decompose_product`.
    ``orders_per_win_effect`` is the effect of orders per won lead of the same period, which also carries
    repeat orders and orders from leads closed in other periods.

    Net sales and gross margin extend the product by one factor each (the identity stays exact):
    ``net_sales = sales_volume x (1 - return_rate)`` with ``return_rate = returns / sales_volume`` (the
    returns booked in the period over its sales, also when they return orders of an earlier period), and
    ``gross_margin = net_sales x margin_rate``. ``returns_effect`` is the effect of the net share
    ``1 - return_rate`` (negative when more was returned than in the baseline), ``margin_effect`` that of
    the margin rate; both are effects of factors like the drivers' (Ang 2005), so on a margin plan a
    volume bought with a discount shows as a positive volume effect and a negative margin effect.

    Edge cases (never a crash, never a silent NaN):

    - *A driver is undefined* (0/0 after a zero earlier in the chain: no leads closed, no lead won, no
      orders): it takes the other period's value, so its effect is 0 and the zero driver carries the change
      (LMDI: all of it, by the Ang & Liu 2007 limit; Shapley: shared with the drivers that changed too);
      undefined in both periods, both totals are 0 and every effect is 0. E.g. no leads closed against a
      baseline of 50 000: ``leads_effect = -50 000``.
    - *Orders without won leads* (``leads_won = 0 < orders`` in either period, ``orders_per_win`` infinite):
      that manager falls back to ``orders x average_check`` (``orders_effect`` and
      ``average_check_effect`` filled, the lead effects NaN); ``method`` says so.
    - *No baseline* (a baseline driver is NaN not explained by a zero, or the manager is absent) or *no
      actual counts*: the effects and the gap are NaN, ``method`` is ``"none; <why>"``, and ``reference``
      keeps the baseline builder's note when it has one.
    - *A net share or margin rate below 0* (returns above the period's sales, a loss): LMDI needs factors
      >= 0, so that row is decomposed by Shapley (exact for any finite factors); ``method`` says so.
    - *No product form*: returns booked in a period without sales (``sales_volume = 0 < returns``), or a
      gross margin other than 0 on net sales of 0: the metric is not a product of the factors; the row is
      ``"none; <why>"``.

    The TOTAL row sums ``actual``, ``baseline_value``, ``gap`` and each effect over the decomposed managers
    only, so its effects add up to its gap; ``method`` then says how many managers it sums, which were
    left out and how much actual volume they had (``"lmdi; sum of 13 of 14 managers (...); left out:
    M05, with 4,012,345 of actual volume"``). With LMDI-I this is not
    merely a sum: LMDI-I is consistent in aggregation (Ang & Liu 2001), so the TOTAL effects are exactly the
    additive LMDI-I decomposition of the team volume :math:`V = \\sum_m \\prod_k x_{mk}` with the managers as
    sub-categories (Ang 2005, eq. 3). It differs from decomposing the team's pooled drivers, which would
    fold shifts of volume between managers into conversion or average check.

    References
    ----------
    Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical guide. Energy Policy 33(7),
    867-871.
    Ang, B. W., & Liu, F. L. (2001). A new energy decomposition method: perfect in decomposition and
    consistent in aggregation. Energy 26(6), 537-548.
    Ang, B. W., & Liu, N. (2007). Handling zero values in the logarithmic mean Divisia index decomposition
    approach. Energy Policy 35(1), 238-246.

    Examples
    --------
    >>> actual = pd.DataFrame({"manager": ["ann", "bob"], "leads_closed": [180, 0], "leads_won": [36, 0],
    ...                        "orders": [36, 0], "sales_volume": [39600.0, 0.0]})
    >>> plan = pd.DataFrame({"manager": ["ann", "bob"], "leads_closed": [200.0, 100.0],
    ...                      "conversion": [0.25, 0.2], "orders_per_win": [1.0, 1.0],
    ...                      "average_check": [1000.0, 500.0], "reference": "plan"})
    >>> gap = decompose_gap(actual, plan)
    >>> gap[["manager", "gap", "leads_effect", "conversion_effect", "average_check_effect"]].round(2)
      manager      gap  leads_effect  conversion_effect  average_check_effect
    0     ann -10400.0      -4698.88           -9951.77               4250.65
    1     bob -10000.0     -10000.00               0.00                  0.00
    2   TOTAL -20400.0     -14698.88           -9951.77               4250.65
    """
    _check_choice("method", method, DECOMPOSITION_METHODS)
    _check_choice("mode", mode, MODES)
    _check_choice("metric", metric, tuple(GAP_METRICS))
    counts = _by_manager(actual, "actual", ("orders", "sales_volume"))
    base = _by_manager(baseline, "baseline", ())
    base_has_leads = set(LEADS_DRIVERS) <= set(base.columns)
    if mode == "leads" and not (_has_leads(counts) and base_has_leads):
        raise ParameterError(
            "mode='leads' needs leads_closed and leads_won in actual and the columns "
            f"{list(LEADS_DRIVERS)} in baseline. Fix: add them, or use mode='orders'."
        )
    if mode == "orders" and not ({"orders", "average_check"} <= set(base.columns) or base_has_leads):
        raise ParameterError(
            "mode='orders' needs orders and average_check in baseline. Fix: add those columns."
        )
    use_leads = mode == "leads" or (mode == "auto" and _has_leads(counts) and base_has_leads)
    extras = GAP_METRICS[metric]
    act = drivers_from_counts(counts.reset_index(), mode="leads" if use_leads else "orders")
    managers = sorted(set(act["manager"]) | set(base.index))
    in_baseline = pd.Series(managers, index=managers).isin(base.index)
    act = act.set_index("manager").reindex(managers)
    act_value, broken = _metric_factors(act, counts.reindex(managers), metric)
    default_reference = reference if reference is not None else "baseline"
    references = base.get("reference", pd.Series(dtype="str")).reindex(managers)
    references = references.astype("object").where(references.notna(), default_reference)
    base = _baseline_frame(base.reindex(managers), use_leads, extras)

    n_rows = len(managers)
    effects = np.full((n_rows, len(_EFFECT)), np.nan)
    baseline_value = np.full(n_rows, np.nan)
    notes = np.full(n_rows, method, dtype=object)
    opw = act["orders_per_win"].to_numpy(dtype="float64"), base["orders_per_win"].to_numpy(dtype="float64")
    fallback = (np.isinf(opw[0]) | np.isinf(opw[1])) if use_leads else np.zeros(n_rows, dtype=bool)
    chains = (
        [((*LEADS_DRIVERS, *extras), ~fallback), ((*ORDERS_DRIVERS, *extras), fallback)]
        if use_leads
        else [((*ORDERS_DRIVERS, *extras), ~fallback)]
    )
    for chain, rows in chains:
        if not rows.any():
            continue
        x0 = base[list(chain)].to_numpy(dtype="float64")[rows]
        x1 = act[list(chain)].to_numpy(dtype="float64")[rows]
        rows_effects, rows_baseline, missing0, missing1, negative = _decompose_rows(x0, x1, method)
        rows_effects[broken[rows] != ""] = np.nan
        effects[np.ix_(rows, [list(_EFFECT).index(d) for d in chain])] = rows_effects
        baseline_value[rows] = rows_baseline
        empty = np.isnan(x0[:, : len(chain) - len(extras)]).all(axis=1)
        for j, i in enumerate(np.flatnonzero(rows)):
            side = ("actual" if np.isinf(opw[0][i]) else "baseline") if fallback[i] else None
            no_counts, absent = bool(np.isnan(act["sales_volume"].iat[i])), not in_baseline.iat[i]
            notes[i] = _note(
                method,
                chain,
                missing0[j],
                missing1[j],
                no_counts,
                absent,
                empty[j],
                side,
                negative[j],
                broken[i],
            )
    actual_value = act_value
    out = pd.DataFrame(
        {
            "actual": actual_value,
            "baseline_value": baseline_value,
            "gap": actual_value - baseline_value,
            **dict(zip(_EFFECT.values(), effects.T, strict=True)),
            "reference": references.astype("str").to_numpy(),
            "method": notes.astype(str),
        },
        index=pd.Index(managers, name="manager"),
    )
    return _with_total(out, method=method, default_reference=default_reference, metric=metric)


def _metric_factors(
    act: pd.DataFrame, counts: pd.DataFrame, metric: str
) -> tuple[NDArray[np.float64], NDArray[np.object_]]:
    """Add the actual ``net_share`` and ``margin_rate`` to ``act``; the metric's actual values; per row,
    why the metric has no product form (``""`` when it has one)."""
    volume = act["sales_volume"].to_numpy(dtype="float64")
    broken = np.full(len(act), "", dtype=object)
    act["net_share"], act["margin_rate"] = np.nan, np.nan
    if metric == "sales_volume":
        return volume, broken
    needed = ["returns", *(["gross_margin"] if metric == "gross_margin" else [])]
    missing = [c for c in needed if c not in counts.columns]
    if missing:
        raise ParameterError(
            f"actual has no column {', '.join(map(repr, missing))}, needed for metric={metric!r}. "
            "Fix: give the period's returns (and gross_margin) per manager, as kt.manager_kpis does."
        )
    returns = counts["returns"].to_numpy(dtype="float64")
    net = volume - returns
    with np.errstate(divide="ignore", invalid="ignore"):
        act["net_share"] = np.where(volume != 0, net / volume, np.nan)
    broken[(volume == 0) & (returns != 0)] = "returns booked in a period without sales (no product form)"
    if metric == "net_sales":
        return net, broken
    margin = counts["gross_margin"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        act["margin_rate"] = np.where(net != 0, margin / net, np.nan)
    lost = (net == 0) & (margin != 0) & ~np.isnan(margin) & (broken == "")
    broken[lost] = "a gross margin on net sales of 0 (no product form)"
    return margin, broken


def _with_total(
    out: pd.DataFrame, *, method: str, default_reference: str, metric: str = "sales_volume"
) -> pd.DataFrame:
    done = ~out["method"].str.startswith("none")
    used = out[done]
    total: dict[str, object] = {column: used[column].sum(min_count=1) for column in list(_EFFECT.values())}
    total["actual"] = float(used["actual"].sum())
    total["baseline_value"] = float(used["baseline_value"].sum())
    total["gap"] = total["actual"] - total["baseline_value"]
    references = sorted(set(used["reference"]))
    if len(references) > 1:  # e.g. each manager's plan scaled differently: name the kinds only
        references = sorted({r.split(":")[0] for r in references})
    total["reference"] = " | ".join(references) if references else default_reference
    notes = [method]
    if len(used) < len(out):
        left = out[~done]
        volume = float(left["actual"].sum(min_count=1)) if left["actual"].notna().any() else 0.0
        names = ", ".join(map(str, left.index[:10])) + (" ..." if len(left) > 10 else "")
        notes.append(
            f"sum of {len(used)} of {len(out)} managers (the others could not be decomposed); "
            f"left out: {names}, with {volume:,.0f} of actual "
            + ("volume" if metric == "sales_volume" else metric.replace("_", " "))
        )
    n_fallback = int(used["method"].str.contains("orders x average_check").sum())
    if n_fallback:
        notes.append(f"{n_fallback} of them in orders x average_check")
    n_negative = int(used["method"].str.contains(_NEGATIVE).sum()) if method != "shapley" else 0
    if n_negative:
        notes.append(f"{n_negative} of them by Shapley (a {_NEGATIVE} below 0)")
    total["method"] = "; ".join(notes)
    result = pd.concat([out, pd.DataFrame([total], index=pd.Index([TOTAL], name="manager"))])
    for column in NUMERIC_COLUMNS:
        result[column] = result[column].astype("float64")
    return result.reset_index().loc[:, list(PLAN_GAP_COLUMNS)]
