"""Why was the target missed: the data-level API of the plan-gap analysis.

Thin wrappers that take a :class:`~kpi_toolkit.data.SalesData` and a period and call the data-independent core
of :mod:`kpi_toolkit.gap`: :func:`plan_gap` splits each manager's gap against a baseline into the effects of
the drivers, :func:`volume_sources` splits the volume into lead-sourced and other orders,
:func:`systematic_misses` says who misses the plan persistently rather than by chance, and :func:`alerts`
lists who is off track now and who misses systematically, with the evidence. Pacing inside a period is in
:mod:`kpi_toolkit.pacing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap import (
    BASELINE_COLUMNS,
    LEADS_DRIVERS,
    MISS_COLUMNS,
    ORDERS_DRIVERS,
    PLAN_GAP_COLUMNS,
    amount_moment_ratio,
    decompose_gap,
    drivers_from_counts,
    miss_evidence,
    plan_baseline,
    pooled_drivers,
    team_baseline,
)
from kpi_toolkit.gap.causes import miss_causes_from
from kpi_toolkit.gap.decompose import NUMERIC_COLUMNS
from kpi_toolkit.gap.drivers import _check_choice
from kpi_toolkit.gap.uncertainty import EFFECT_INTERVAL_COLUMNS, effect_intervals
from kpi_toolkit.group_plans import group_plan
from kpi_toolkit.kpis import period_sums, targets_in_team
from kpi_toolkit.pacing import pacing
from kpi_toolkit.periods import Period, parse_periods
from kpi_toolkit.plan_realism import plan_realism
from kpi_toolkit.schema import ADDITIVE_METRICS

__all__ = [
    "ALERT_COLUMNS",
    "BASELINES",
    "TEAM_PLAN_EFFECT",
    "VOLUME_SOURCE_COLUMNS",
    "alerts",
    "miss_causes",
    "miss_series",
    "plan_gap",
    "power_summary",
    "systematic_misses",
    "volume_sources",
]

Baseline = Literal["plan", "previous", "last_year", "team"]
#: The baselines of :func:`plan_gap`.
BASELINES = ("plan", "previous", "last_year", "team")
#: The column :func:`plan_gap` adds after :data:`kpi_toolkit.gap.PLAN_GAP_COLUMNS` (issue 15): the part of the
#: TOTAL's gap that is the group's plan above (or below) its members' targets.
TEAM_PLAN_EFFECT = "team_plan_effect"
#: Columns of :func:`volume_sources`.
VOLUME_SOURCE_COLUMNS = (
    "manager",
    "sales_volume",
    "lead_volume",
    "other_volume",
    "lead_share",
    "orders",
    "lead_orders",
    "other_orders",
)
#: Columns of :func:`alerts`.
ALERT_COLUMNS = (
    "manager",
    "name",
    "team",
    "off_track",
    "systematic",
    "pacing_status",
    "to_date",
    "target",
    "projected",
    "projected_low",
    "projected_high",
    "miss_verdict",
    "periods_observed",
    "periods_missed",
    "mean_attainment",
    "rule",
    "p_adjusted",
    "attainment_series",
    "evidence",
    # issue 17: the manager or the plan (see miss_causes)
    "behind_colleagues",
    "colleague_verdict",
    "mean_vs_team",
    "targets_judged",
    "targets_out_of_reach",
    "plan_out_of_reach",
    "cause",
)
# Driver targets a plan may carry, by mode (the ``sales_volume`` target is always needed).
_DRIVER_TARGETS = {
    "leads": ("leads_closed", "conversion", "orders_per_win", "average_check"),
    "orders": ("orders", "average_check"),
}


def _mode(data: SalesData) -> Literal["leads", "orders"]:
    return "leads" if data.leads is not None else "orders"


def _counts(
    data: SalesData, period: Period, managers: Sequence[str], team: str | None = None
) -> pd.DataFrame:
    """Counts per manager (``COUNT_COLUMNS``; the lead counts NaN without a leads table), then ``returns``
    and ``gross_margin`` (NaN without costs), as :func:`kpi_toolkit.manager_kpis` counts them (with ``team``
    and ``assignments``, only the orders, leads and returns that belong to the team)."""
    sums = period_sums(data, months=period.months, managers=managers, team=team)
    counts = pd.DataFrame(
        {
            "manager": [str(m) for m in sums.index],
            "orders": sums["orders"].to_numpy(dtype="float64"),
            "sales_volume": sums["sales_volume"].to_numpy(dtype="float64"),
        }
    )
    if data.leads is not None:
        counts["leads_closed"] = sums["leads_closed"].to_numpy(dtype="float64")
        counts["leads_won"] = sums["leads_won"].to_numpy(dtype="float64")
    else:
        counts["leads_closed"] = np.nan
        counts["leads_won"] = np.nan
    returns = sums["returns"].to_numpy(dtype="float64")
    counts["returns"] = returns
    margin = counts["sales_volume"] - returns - sums["order_cost"].to_numpy(dtype="float64")
    counts["gross_margin"] = (
        (margin + sums["return_cost"].to_numpy(dtype="float64")) if data.has_costs else np.nan
    )
    return counts.loc[:, ["manager", "leads_closed", "leads_won", "orders", "sales_volume", *_MONEY]]


#: The sums of :func:`_counts` after the counts of ``COUNT_COLUMNS``.
_MONEY = ("returns", "gross_margin")
#: The rates each plan metric adds to the volume drivers (:data:`kpi_toolkit.gap.GAP_METRICS`).
_RATES = {"sales_volume": (), "net_sales": ("return_rate",), "gross_margin": ("return_rate", "margin_rate")}


def _rates(counts: pd.DataFrame) -> pd.DataFrame:
    """Per manager: ``return_rate = returns / sales_volume`` and ``margin_rate = gross_margin / net_sales``
    (NaN where the denominator is 0): the extra factors of a baseline taken from counts."""
    volume = counts["sales_volume"].astype("float64")
    net = volume - counts["returns"].astype("float64")
    return pd.DataFrame(
        {
            "manager": counts["manager"].astype("str").to_numpy(),
            "return_rate": (counts["returns"] / volume).where(volume != 0).to_numpy(dtype="float64"),
            "margin_rate": (counts["gross_margin"] / net).where(net != 0).to_numpy(dtype="float64"),
        }
    )


def _with_rates(base: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """``base`` with the ``return_rate`` and ``margin_rate`` of ``rates`` (matched by manager)."""
    table = rates.set_index("manager").reindex(columns=["return_rate", "margin_rate"])
    keys = base["manager"].astype("str")
    return base.assign(
        return_rate=keys.map(table["return_rate"]).astype("float64").to_numpy(),
        margin_rate=keys.map(table["margin_rate"]).astype("float64").to_numpy(),
    )


def _pooled_rates(counts: pd.DataFrame, managers: Sequence[str]) -> pd.DataFrame:
    """The team's pooled rates (summed returns over summed volume, summed margin over summed net sales),
    one row per manager."""
    total = counts[["sales_volume", "returns", "gross_margin"]].sum(min_count=1).to_frame().T
    pooled = _rates(total.assign(manager="team")).iloc[0]
    return pd.DataFrame(
        {
            "manager": list(managers),
            "return_rate": pooled["return_rate"],
            "margin_rate": pooled["margin_rate"],
        }
    )


def _return_pools(data: SalesData, period: Period, team: str | None = None) -> dict[str, np.ndarray]:
    """Each manager's returns booked in ``period`` (in ``team``, with ``assignments``: those booked while the
    manager was in it): rows of (amount, cost; 0 without costs)."""
    returns = data.resolved_returns
    if returns is None:
        return {}
    when = pd.to_datetime(returns["returned_at"])
    booked = returns[(when >= period.start) & (when < period.end)]
    if team and data.membership.dated:
        booked = booked[data.membership.holds(team, booked["manager"], booked["returned_at"])]
    pairs = booked.assign(cost=booked["cost"].astype("float64").fillna(0.0))
    return {
        str(m): g[["amount", "cost"]].to_numpy(dtype="float64")
        for m, g in pairs.groupby("manager", sort=True)
    }


def _missing_baseline(managers: Sequence[str], note: str) -> pd.DataFrame:
    base = pd.DataFrame(np.nan, index=range(len(managers)), columns=list(BASELINE_COLUMNS[1:-1]))
    base.insert(0, "manager", [str(m) for m in managers])
    return base.assign(reference=note)


def _covered(data: SalesData, period: Period) -> bool:
    """Whether the data covers ``period`` at least in part (it does not end before the data starts)."""
    return period.end > data.first_date.normalize() and period.start <= data.last_date


def _usable_mix(mix: pd.DataFrame, targets: pd.DataFrame, drivers: Sequence[str]) -> pd.Series:
    """Per manager: every driver without a target has a positive, finite value in ``mix``."""
    free = targets.set_index("manager")[list(drivers)].isna()
    values = mix.set_index("manager").reindex(free.index)[list(drivers)].astype("float64")
    good = np.isfinite(values) & (values > 0)
    return (good | ~free).all(axis=1)


def _usable_rates(rates: pd.DataFrame, free: pd.DataFrame) -> pd.Series:
    """Per manager: every free rate of ``rates`` makes a positive factor (a return rate below 1, a positive
    margin rate), so that the plan's volume drivers can be scaled to its target."""
    values = rates.set_index("manager").reindex(free.index)
    good = pd.DataFrame(
        {
            "return_rate": np.isfinite(values["return_rate"]) & (values["return_rate"] < 1),
            "margin_rate": np.isfinite(values["margin_rate"]) & (values["margin_rate"] > 0),
        },
        index=free.index,
    )
    return (good[free.columns] | ~free).all(axis=1)


def _plan_baseline(
    data: SalesData, period: Period, managers: list[str], actual: pd.DataFrame, team: str | None = None
) -> pd.DataFrame:
    """The plan's drivers: driver targets where given, else each manager's own mix scaled to the plan.

    The mix of the drivers without a target is the manager's own of the previous period, else of the
    same period a year before, else (a new manager, or a driver that was 0) the team's of this period;
    ``reference`` names the one used. A plan of the volume alone therefore keeps the manager's own ratios
    between leads, conversion, orders per win and average check, and a driver that changed since is
    where the gap lands (the team's current mix would split a gap the whole team shares evenly over the
    drivers).

    On a plan of net sales or gross margin (``data.plan_metric``) the return rate and the margin rate are
    further factors. Each is the plan's where its targets imply it (:func:`_pinned_rates`: level targets
    win over a ``margin_rate`` target and none is dropped), else the manager's own of the same reference
    period as the mix (unscaled: the plan's ambition lands on the volume drivers); the volume drivers are
    then scaled to ``target / ((1 - return rate) x margin rate)``.

    With ``team`` and ``assignments``, ``actual`` holds a mover's part in the team and their level targets
    (volume, net sales, gross margin, leads, orders) are pro-rated by their days in it, as in
    :func:`kpi_toolkit.manager_kpis`; their own mix and rates are of their whole period (ratios, not levels).
    """
    mode = _mode(data)
    metric = data.plan_metric
    drivers = list(LEADS_DRIVERS if mode == "leads" else ORDERS_DRIVERS)
    rates = list(_RATES[metric])
    book = data.plan_book
    targets = pd.DataFrame({"manager": managers})
    levels = ("sales_volume", "net_sales", "gross_margin", "margin_rate")
    for name in dict.fromkeys((*levels, *_DRIVER_TARGETS[mode])):
        if name in levels[1:] and metric == "sales_volume":
            targets[name] = np.nan
            continue
        given = book.targets(managers, period, name)
        if name in ADDITIVE_METRICS:  # a mover's part in the team (rates hold whatever the days)
            given = targets_in_team(data, given, team, period)
        targets[name] = given.to_numpy()
    if targets[metric].isna().all():
        note = f"plan: no {metric} target for {period}"
        if metric == "gross_margin" and targets["margin_rate"].notna().any():
            note += (
                " (a margin_rate target does not make one: add gross_margin targets, net sales x margin rate,"
                " or plan on sales_volume or net_sales)"
            )
        return _missing_baseline(managers, note)
    pinned, free, unused = _pinned_rates(targets.set_index(pd.Index(managers, name="manager")), rates)
    drivers_free = targets.reindex(columns=["manager", *drivers])
    team = pooled_drivers(actual, mode=mode)
    # the team's drivers per manager: pooled ratios, and the team's leads (orders) per manager
    team[["leads_closed", "orders", "sales_volume"]] /= max(len(managers), 1)
    team_mix = pd.DataFrame([team.to_numpy()] * len(managers), columns=team.index).assign(manager=managers)
    sources: list[tuple[str, pd.DataFrame, pd.DataFrame]] = []
    for other in (period.previous(), period.last_year()):
        if _covered(data, other):
            counts = _counts(data, other, managers)
            own = drivers_from_counts(counts, mode=mode)
            sources.append((f"own {other}", own, _rates(counts)))
    sources.append(("team", team_mix, _pooled_rates(actual, managers)))
    chosen = pd.Series(len(sources) - 1, index=pd.Index(managers, name="manager"))
    for k in range(len(sources) - 2, -1, -1):
        usable = _usable_mix(sources[k][1], drivers_free, drivers)
        if rates:
            usable &= _usable_rates(sources[k][2], free)
        chosen[usable.to_numpy()] = k
    parts = []
    for k, (name, mix, mix_rates) in enumerate(sources):
        rows = chosen.index[chosen == k]
        if not len(rows):
            continue
        mine = targets[targets["manager"].isin(rows)].set_index("manager")
        own_rates = mix_rates.set_index("manager").reindex(mine.index)[rates]
        used = pinned.loc[mine.index].fillna(own_rates)
        if "margin_rate" in rates:  # a margin rate from the sales_volume and gross_margin targets alone
            from_volume = mine["gross_margin"] / (mine["sales_volume"] * (1.0 - used["return_rate"]))
            late = pinned.loc[mine.index, "margin_rate"].isna() & ~free.loc[mine.index, "margin_rate"]
            used["margin_rate"] = used["margin_rate"].mask(late, from_volume)
        factor = (1.0 - used["return_rate"]) if "return_rate" in rates else 1.0
        if "margin_rate" in rates:
            factor = factor * used["margin_rate"]
        scaled = (mine[metric] / factor).where(np.isfinite(factor) & (factor > 0)) if rates else mine[metric]
        wanted = mine.reset_index()[["manager", *drivers]].assign(sales_volume=scaled.to_numpy())
        base = plan_baseline(wanted, mix=mix[mix["manager"].isin(rows)], mode=mode, mix_name=name)
        if rates:
            base = _rated_reference(base, mine, used, free, name, metric, unused)
        parts.append(base)
    return pd.concat(parts, ignore_index=True).sort_values("manager", kind="stable").reset_index(drop=True)


def _pinned_rates(
    targets: pd.DataFrame, rates: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """The rates the plan's own targets fix (``pinned``; NaN where they leave a rate open), which rates are
    left to a mix (``free``), and per manager a note on a ``margin_rate`` target that is not used.

    Level targets win over a rate target, and no level target is ever dropped: ``return_rate = 1 -
    net_sales / sales_volume``; ``margin_rate = gross_margin / net_sales``. Without a net-sales target, a
    ``margin_rate`` target with the ``sales_volume`` and ``gross_margin`` targets implies the plan's net sales
    ``gross_margin / margin_rate`` and so its return rate ``1 - gross_margin / (margin_rate x
    sales_volume)``: all three targets hold. When that return rate is not in [0, 1) (the margin target asks
    more than the volume target at the target margin rate can give), or when ``gross_margin / net_sales``
    differs from the margin-rate target, the margin-rate target is not used (the note says so), and without
    a net-sales target the margin rate is the one the volume and margin targets imply at the return rate of
    the mix: ``gross_margin / (sales_volume x (1 - return_rate))``.
    """
    volume, net, margin, rate = (
        targets[c] for c in ("sales_volume", "net_sales", "gross_margin", "margin_rate")
    )
    pinned = pd.DataFrame(index=targets.index)
    pinned["return_rate"] = (1.0 - net / volume).where(volume > 0)
    by_rate = (1.0 - margin / (rate * volume)).where((rate > 0) & (volume > 0) & net.isna())
    fits = (by_rate >= 0) & (by_rate < 1)
    pinned["return_rate"] = pinned["return_rate"].fillna(by_rate.where(fits))
    by_levels = (margin / net).where(net > 0)
    unused = pd.Series("", index=targets.index, dtype="object")
    differs = rate.notna() & by_levels.notna() & ~np.isclose(rate, by_levels, rtol=1e-9, atol=0.0)
    for manager in targets.index[differs]:
        unused[manager] = (
            f"; margin_rate target {rate[manager]:.4g} not used: the gross_margin and net_sales targets "
            f"imply {by_levels[manager]:.4g}"
        )
    conflict = by_rate.notna() & ~fits
    for manager in targets.index[conflict]:
        unused[manager] = (
            f"; margin_rate target {rate[manager]:.4g} not used: with the gross_margin target it implies net "
            f"sales of {margin[manager] / rate[manager]:,.0f}, not within the sales_volume target "
            f"{volume[manager]:,.0f}"
        )
    pinned["margin_rate"] = by_levels.fillna(rate.where(~conflict))
    pinned = pinned[list(rates)]
    free = pinned.isna()
    if "margin_rate" in rates:  # from the volume and margin targets at the mix's return rate
        free["margin_rate"] &= ~(volume.notna() & margin.notna())
    return pinned, free, unused


def _rated_reference(
    base: pd.DataFrame,
    targets: pd.DataFrame,
    used: pd.DataFrame,
    free: pd.DataFrame,
    mix_name: str,
    metric: str,
    unused: pd.Series,
) -> pd.DataFrame:
    """A plan baseline with its rates, and a ``reference`` that names the metric's targets and the rates."""
    out = _with_rates(base, used.reset_index())
    notes = []
    for row in out.itertuples(index=False):
        manager, note = str(row.manager), str(row.reference)
        given = [m for m in ("sales_volume", "net_sales", "gross_margin") if pd.notna(targets.at[manager, m])]
        if note.startswith("plan: no positive sales_volume target"):
            note = f"plan: no positive {metric} target, or rates that make it no positive volume"
        note = note.replace("targets for sales_volume", "targets for " + ", ".join(given), 1)
        for rate in used.columns:
            source = mix_name if free.at[manager, rate] else "plan"
            note += f"; {rate} = {source} {used.at[manager, rate]:.4g}"
        if "margin_rate" in used.columns:
            note += str(unused.get(manager, ""))
        notes.append(note)
    return out.assign(reference=notes)


def _baseline(
    data: SalesData,
    period: Period,
    managers: list[str],
    actual: pd.DataFrame,
    baseline: str,
    team: str | None = None,
) -> pd.DataFrame:
    """The drivers of ``baseline``, with the ``return_rate`` and ``margin_rate`` columns (the plan's, the
    period's own, or the team's pooled of the period); a mover's part in ``team`` (``assignments``): their
    pro-rated targets, or what they sold in the team in the earlier period."""
    mode = _mode(data)
    if baseline == "team":
        base = _with_rates(team_baseline(actual, mode=mode), _pooled_rates(actual, managers))
        rates = _RATES[data.plan_metric]
        return base.assign(reference=base["reference"] + "".join(f", {r}" for r in rates)) if rates else base
    if baseline == "plan":
        base = _plan_baseline(data, period, managers, actual, team)
        return base if "return_rate" in base else base.assign(return_rate=np.nan, margin_rate=np.nan)
    other = period.previous() if baseline == "previous" else period.last_year()
    if not _covered(data, other):
        start = data.first_date.date().isoformat()
        missing = _missing_baseline(managers, f"{baseline}: {other} is outside the data (it starts {start})")
        return missing.assign(return_rate=np.nan, margin_rate=np.nan)
    counts = _counts(data, other, managers, team)
    base = drivers_from_counts(counts, mode=mode)
    return _with_rates(base, _rates(counts)).assign(reference=f"{baseline}: {other}")


def plan_gap(
    data: SalesData,
    *,
    period: str | Period,
    baseline: Baseline = "plan",
    team: str | None = None,
    method: Literal["lmdi", "shapley"] = "lmdi",
) -> pd.DataFrame:
    """Each manager's sales volume against a baseline, the gap split into the effects of its drivers.

    Parameters
    ----------
    data : SalesData
        A validated data set (:func:`kpi_toolkit.load`).
    period : str or Period
        The period to explain, e.g. ``"2026Q3"``.
    baseline : {"plan", "previous", "last_year", "team"}, default "plan"
        What the actual is measured against: the plan (its ``sales_volume`` target and any driver targets;
        the drivers without a target from the manager's **own** mix of the previous period, else of the
        same period a year before, else the team's, scaled to the target, see
        :func:`kpi_toolkit.gap.plan_baseline`); the previous period; the same period a year before; or the
        manager's own leads (orders, without a leads table) at the team's pooled conversion, orders per win
        and average check (:func:`kpi_toolkit.gap.team_baseline`; the leads effect is then 0).
    team : str, optional
        Only this team's managers (the team's mix for the plan baseline); every manager when ``None``. With
        an ``assignments`` table (team moves), as in :func:`kpi_toolkit.manager_kpis`: every manager who was
        in the team on some day of the period, with only the orders, leads and returns that belong to the
        team and their level targets pro-rated by their days in it (the previous and last-year baselines:
        what they sold in the team then); the rows and the TOTAL then agree with ``manager_kpis(team=...)``
        and the team's plan.
    method : {"lmdi", "shapley"}, default "lmdi"
        Additive LMDI-I (Ang 2005) or Shapley.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`kpi_toolkit.gap.PLAN_GAP_COLUMNS` (``manager, actual, baseline_value, gap,
        leads_effect, conversion_effect, orders_per_win_effect, orders_effect, average_check_effect,
        reference, method, returns_effect, margin_effect``) and :data:`TEAM_PLAN_EFFECT`
        (``team_plan_effect``), one row per manager (sorted) and a last row ``manager="TOTAL"`` whose
        values are the sums over the decomposed managers (its ``method`` names the managers left out and
        their volume), except that against the plan its ``baseline_value`` is the group's plan, as in
        :func:`kpi_toolkit.total_kpis` and the report headlines: a team's own target when the plan has
        one, else the sum of its members' targets; the company's, the sum of the teams'
        (:func:`kpi_toolkit.group_plans.group_plan`). ``team_plan_effect`` is then the members' targets
        minus the group's plan (negative when the team's target is above its members'), so that the
        driver effects plus ``team_plan_effect`` add up to ``gap`` in every row; it is 0 in the managers'
        rows, against the other baselines, and when the TOTAL keeps the members' sum (the group's plan
        missing, a manager not decomposed, a plan metric other than ``sales_volume``).
        ``attrs["effect_intervals"]``:
        :func:`kpi_toolkit.gap.effect_intervals` (per manager, TOTAL and effect, a 95 % bootstrap interval
        and ``within_noise``: could that effect be noise?); ``attrs["left_out"]``: ``{"managers": [...],
        "actual": volume}`` of the managers not decomposed (e.g. without a plan); ``attrs["metric"]``: the
        metric the gap is measured on (``data.plan_metric``).

    Raises
    ------
    ParameterError
        If ``baseline``, ``method`` or ``team`` is unknown, or the period starts after the data's last date.

    Notes
    -----
    Drivers: with a leads table, ``sales_volume = leads_closed x conversion x orders_per_win x
    average_check``, where ``orders_per_win = orders / leads_won`` of the same period; it therefore also
    carries repeat orders and orders from leads closed in other periods (see :func:`volume_sources` for the
    split of the volume into lead-sourced and other orders). Without leads, ``orders x average_check``.
    The effects add up to the gap exactly (LMDI-I; zeros by the limits of Ang & Liu 2007), see
    :func:`kpi_toolkit.gap.decompose_gap` for the edge cases.

    The gap is measured on the data set's plan metric (``kt.load(..., plan_metric=...)``), against every
    baseline. On ``net_sales`` the product gains the factor ``1 - return_rate`` (``returns_effect``), on
    ``gross_margin`` also the margin rate (``margin_effect``); both NaN on ``sales_volume``. The plan's
    rates are those its targets imply (``1 - net_sales / sales_volume``; ``gross_margin / net_sales``; with
    volume, gross-margin and margin-rate targets but no net-sales target, the net sales ``gross_margin /
    margin_rate`` and so the return rate they imply, all three targets holding; a margin-rate target that
    contradicts the level targets is not used and ``reference`` says so; README, "Margin targets"), else the
    manager's own of the same reference period as the mix (else the team's pooled), unscaled, so that the
    plan's ambition lands on the volume drivers; the previous and last-year baselines take that period's
    rates, the team baseline the team's pooled rates of the period.

    A plan of the volume alone says nothing about leads or conversion; the team's mix of the same period
    would split a gap the whole team shares (conversion fell for everyone) evenly over the four drivers.
    The manager's own previous mix, scaled to the plan, is a reference that exists: the drivers that
    changed since carry the gap. It is a sample too: the effects come with bootstrap intervals
    (``attrs``), and an effect whose interval holds 0 is within noise.

    ``reference`` says what the baseline was built from (``"plan: targets for sales_volume; ... = own
    2026Q2 mix x 1.02"``, ``"previous: 2026Q2"``, ``"last_year: 2025Q3"``, ``"team: own leads_closed,
    ..."``). A baseline that does not exist (no plan for the period, a previous period before the data
    starts) gives the managers rows of NaN, ``method`` ``"none; ..."`` and the reason in ``reference``,
    never a crash; the TOTAL row is then NaN too.

    References
    ----------
    Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical guide. Energy Policy 33(7),
    867-871.
    Ang, B. W., & Liu, N. (2007). Handling zero values in the logarithmic mean Divisia index decomposition
    approach. Energy Policy 35(1), 238-246.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-04-03", "2026-07-01"], "amount": [1000.0, 1100.0]})
    >>> data = kt.from_frames(orders)
    >>> gap = kt.plan_gap(data, period="2026Q3", baseline="previous")
    >>> gap[["manager", "actual", "baseline_value", "gap", "orders_effect", "average_check_effect"]].round(2)
      manager  actual  baseline_value    gap  orders_effect  average_check_effect
    0     ann  1100.0          1000.0  100.0            0.0                 100.0
    1   TOTAL  1100.0          1000.0  100.0            0.0                 100.0
    >>> print(gap.loc[0, "reference"])
    previous: 2026Q2
    """
    _check_choice("baseline", baseline, BASELINES)
    _check_choice("method", method, ("lmdi", "shapley"))
    p = data.period(period)
    if p.start > data.last_date:
        raise ParameterError(
            f"period={str(p)!r} starts after the data's last date {data.last_date.date()}. "
            "Fix: choose a period the data covers."
        )
    managers = data.managers_of(team, period=p)
    actual = _counts(data, p, managers, team)
    base = _baseline(data, p, managers, actual, baseline, team)
    metric = data.plan_metric
    gap = decompose_gap(actual, base, method=method, mode=_mode(data), reference=baseline, metric=metric)
    managers_rows = gap.iloc[:-1]
    left = managers_rows[managers_rows["method"].str.startswith("none")]
    left_out = {"managers": left["manager"].tolist(), "actual": float(left["actual"].fillna(0.0).sum())}
    intervals = pd.DataFrame({c: [] for c in EFFECT_INTERVAL_COLUMNS})
    if len(left) < len(managers_rows):
        sample = data.sample_orders(periods=[p], managers=managers, max_orders=5000)
        if team and data.membership.dated:  # a mover's orders of their days in the team
            sample = sample[data.membership.holds(team, sample["manager"], sample["ordered_at"])]
        groups = dict(list(sample.groupby("manager")))
        amounts = {str(m): g["amount"].to_numpy(dtype="float64") for m, g in groups.items()}
        costs = (
            {str(m): g["cost"].to_numpy(dtype="float64") for m, g in groups.items()}
            if data.has_costs
            else None
        )
        intervals = effect_intervals(
            actual,
            base,
            amounts=amounts,
            method=method,
            mode=_mode(data),
            metric=metric,
            costs=costs,
            returns=_return_pools(data, p, team) if metric != "sales_volume" else None,
        )
    if len(managers_rows) and managers_rows["method"].str.startswith("none").all():
        # nothing decomposed: the team's gap is unknown too (not a sum over no manager, 0)
        last = gap.index[-1]
        gap.loc[last, list(NUMERIC_COLUMNS[1:])] = np.nan
        gap.loc[last, "actual"] = float(managers_rows["actual"].sum())
        gap.loc[last, "reference"] = str(managers_rows["reference"].iloc[0])
        gap.loc[last, "method"] = "none; no manager could be decomposed"
    out = gap.loc[:, list(PLAN_GAP_COLUMNS)]
    out[TEAM_PLAN_EFFECT] = 0.0
    if baseline == "plan":
        _group_total(data, p, team, out, left_out)
    out.attrs.update({"effect_intervals": intervals, "left_out": left_out, "metric": metric})
    return out


def _group_total(
    data: SalesData, period: Period, team: str | None, out: pd.DataFrame, left_out: dict[str, object]
) -> None:
    """Measure the TOTAL row against the group's plan (:func:`kpi_toolkit.group_plans.group_plan`: a team's
    own target, else its members'; the company's, the sum of the teams'), as ``total_kpis`` and the report
    headlines do; ``team_plan_effect`` is the members' targets minus that plan, so that the drivers' effects
    and it add up to the TOTAL's gap. Left as the members' sum when the group's plan is missing, when a
    manager could not be decomposed (the drivers would not cover the group's volume), or on a plan metric
    other than the sales volume (the team targets are volume targets)."""
    last = out.index[-1]
    if data.plan_metric != "sales_volume" or left_out["managers"] or pd.isna(out.at[last, "gap"]):
        return
    plan = group_plan(data, period=period, team=team)
    members = float(out.at[last, "baseline_value"])
    if np.isnan(plan) or np.isclose(plan, members, rtol=1e-12, atol=1e-9):
        return
    out.at[last, "baseline_value"] = plan
    out.at[last, "gap"] = float(out.at[last, "actual"]) - plan
    out.at[last, TEAM_PLAN_EFFECT] = members - plan
    source = "the team's target" if team else "the teams' plans"
    out.at[last, "method"] = (
        f"{out.at[last, 'method']}; plan: {source}, {plan - members:+,.0f} on the members'"
    )


def volume_sources(data: SalesData, *, period: str | Period, team: str | None = None) -> pd.DataFrame:
    """Each manager's sales volume split into orders that carry a lead (lead-sourced) and the others.

    Parameters
    ----------
    data : SalesData
        A validated data set.
    period : str or Period
        The period, e.g. ``"2026Q3"``.
    team : str, optional
        Only this team's managers.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`VOLUME_SOURCE_COLUMNS`: ``manager, sales_volume, lead_volume, other_volume,
        lead_share, orders, lead_orders, other_orders``, one row per manager (sorted) and a row ``TOTAL``.

    Notes
    -----
    This is what the ``orders_per_win`` driver of :func:`plan_gap` mixes together: orders per won lead of
    the same period counts every order, also repeat orders of old customers and orders from leads closed
    in other periods. An order is lead-sourced when its ``lead_id`` is filled. When no order of the data
    set carries a ``lead_id`` (the column is absent or empty) the split is unknown: the lead and other
    columns are NaN. ``lead_share`` is NaN without volume.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-07-03", "2026-07-09"], "amount": [300.0, 100.0],
    ...                        "lead_id": ["L1", None]})
    >>> leads = pd.DataFrame({"lead_id": ["L1"], "manager": ["ann"], "created_at": ["2026-06-01"],
    ...                       "status": ["won"], "closed_at": ["2026-07-02"]})
    >>> kt.volume_sources(kt.from_frames(orders, leads=leads), period="2026Q3")[
    ...     ["manager", "lead_volume", "other_volume", "lead_share"]]
      manager  lead_volume  other_volume  lead_share
    0     ann        300.0         100.0        0.75
    1   TOTAL        300.0         100.0        0.75
    """
    p = data.period(period)
    managers = data.managers_of(team, period=p)  # the period's managers, as manager_kpis
    sums = period_sums(data, months=p.months, managers=managers, team=team)  # a mover's part in the team
    out = pd.DataFrame(
        {
            "manager": [str(m) for m in sums.index],
            "sales_volume": sums["sales_volume"].to_numpy(dtype="float64"),
            "lead_volume": sums["lead_volume"].to_numpy(dtype="float64"),
            "orders": sums["orders"].to_numpy(dtype="float64"),
            "lead_orders": sums["lead_orders"].to_numpy(dtype="float64"),
        }
    )
    total = out.drop(columns="manager").sum().to_frame().T.assign(manager="TOTAL")
    out = pd.concat([out, total], ignore_index=True)
    known = "lead_id" in data.orders.columns and bool(data.orders["lead_id"].notna().any())
    if not known:
        out[["lead_volume", "lead_orders"]] = np.nan
    out["other_volume"] = out["sales_volume"] - out["lead_volume"]
    out["other_orders"] = out["orders"] - out["lead_orders"]
    out["lead_share"] = (out["lead_volume"] / out["sales_volume"]).where(out["sales_volume"] > 0)
    return out.loc[:, list(VOLUME_SOURCE_COLUMNS)]


def _window(data: SalesData, periods: str | Sequence[str | Period]) -> list[Period]:
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start, name="periods")
    if not window:
        raise ParameterError("periods is empty. Fix: pass period labels or a range such as '2025Q4:2026Q3'.")
    return window


def miss_series(
    data: SalesData, *, periods: str | Sequence[str | Period], team: str | None = None
) -> pd.DataFrame:
    """Per manager and period, plan attainment and the noise a fair plan leaves in it.

    Parameters
    ----------
    data : SalesData
        A validated data set.
    periods : str or sequence of str
        Period labels or a range ``"2025Q4:2026Q3"`` (both ends included), in time order.
    team : str, optional
        Only this team's managers.

    Returns
    -------
    pandas.DataFrame
        Columns ``manager, period, sales_volume, target, attainment, noise``, sorted by manager and then
        period in time order: the input of :func:`kpi_toolkit.gap.miss_evidence`.

    Notes
    -----
    ``attainment = sales_volume / target``, NaN without a positive ``sales_volume`` target and for a period
    the data does not cover (it ends before the data's first date, or the data stops before the period's
    last week: a period under way, or planned ahead). ``noise`` is the compound Poisson sd of attainment
    under a fair plan, :math:`\\sqrt{r / \\text{target}}` (:func:`kpi_toolkit.gap.attainment_noise`),
    with the amounts' :math:`r = E[X^2]/E[X]` of the manager's orders **pooled over the whole window**
    and made robust to the largest orders (:func:`kpi_toolkit.gap.amount_moment_ratio`, from up to 5000
    orders per manager, a seeded sample): a quarter's noise taken from that quarter's own orders follows
    its volume (a quarter without a big deal looks both low and quiet), which flagged fair managers
    about twice as often as promised. NaN when the manager has no order in the window.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "ann"], "customer_id": ["c", "d"],
    ...                        "ordered_at": ["2026-07-03", "2026-09-28"], "amount": [300.0, 100.0]})
    >>> plans = pd.DataFrame({"manager": ["ann"], "period": ["2026Q3"], "metric": ["sales_volume"],
    ...                       "target": [500.0]})
    >>> kt.miss_series(kt.from_frames(orders, plans=plans), periods=["2026Q3"]).round(3)
      manager  period  sales_volume  target  attainment  noise
    0     ann  2026Q3         400.0   500.0         0.8  0.707
    """
    window = _window(data, periods)
    managers = data.managers_of(team)
    frames = []
    for p in window:
        sums = period_sums(data, months=p.months, managers=managers)
        frames.append(
            pd.DataFrame(
                {
                    "manager": [str(m) for m in sums.index],
                    "period": str(p),
                    "order": len(frames),
                    "sales_volume": sums["sales_volume"].to_numpy(dtype="float64"),
                    "sum_sq_amount": sums["sum_sq_amount"].to_numpy(dtype="float64"),
                    "target": data.plan_book.targets(managers, p, "sales_volume").to_numpy(),
                }
            )
        )
    series = pd.concat(frames, ignore_index=True).sort_values(["manager", "order"], kind="stable")
    pooled = series.groupby("manager", sort=True)[["sales_volume", "sum_sq_amount"]].sum()
    sample = data.sample_orders(periods=window, managers=managers, max_orders=5000)
    ratio = amount_moment_ratio(
        sample["manager"].astype(str).to_numpy(),
        sample["amount"].to_numpy(dtype="float64"),
        managers=pooled.index.astype(str).to_numpy(),
        sales_volume=pooled["sales_volume"].to_numpy(),
        sum_sq_amount=pooled["sum_sq_amount"].to_numpy(),
    )
    moments = pd.Series(ratio, index=pooled.index.astype(str))
    target = series["target"].where(series["target"] > 0)
    # a period the data does not cover (it ends before the data starts, or the data stops before its last
    # week) is not observed: its volume would be 0 or partial against a whole period's target
    reach = data.last_date + pd.Timedelta(days=7)
    covered = {str(p): bool(p.end > data.first_date and p.end <= reach) for p in window}
    target = target.where(series["period"].map(covered))
    series["attainment"] = series["sales_volume"] / target
    series["noise"] = np.sqrt(series["manager"].map(moments).astype("float64") / target)
    columns = ["manager", "period", "sales_volume", "target", "attainment", "noise"]
    return series.loc[:, columns].reset_index(drop=True)


#: Fewest colleagues with an attainment whose median a manager is judged against (``versus="team"``).
_MIN_PEERS = 3


def relative_to_team(series: pd.DataFrame, teams: pd.Series) -> pd.DataFrame:
    """A :func:`miss_series` with attainment and noise divided by the median attainment of the manager's
    team in the same period, so that 1 is the median colleague and a plan nobody meets moves everyone
    alike; NaN where fewer than three of the team's managers have an attainment that period.

    Examples
    --------
    >>> series = pd.DataFrame({"manager": list("abcd"), "period": "2026Q3",
    ...                        "attainment": [0.5, 0.6, 0.4, 0.3], "noise": [0.1] * 4})
    >>> relative_to_team(series, pd.Series("T", index=list("abcd")))["attainment"].round(2).tolist()
    [1.11, 1.33, 0.89, 0.67]
    """
    out = series.copy()
    team = out["manager"].map(teams).astype("object").fillna("")
    grouped = out.groupby([team, out["period"]], sort=False)["attainment"]
    median = grouped.transform("median").where(grouped.transform("count") >= _MIN_PEERS)
    out["attainment"] = out["attainment"] / median
    out["noise"] = out["noise"] / median
    return out


def _evidence(
    data: SalesData,
    *,
    periods: str | Sequence[str | Period],
    metric: str,
    team: str | None,
    alpha: float,
    p_adjust: Literal["holm", "none"],
    extra_noise: Literal["team"] | float,
    margin: float,
    min_periods: int,
    versus: str = "plan",
    series: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``series``: the :func:`miss_series` of the same periods and team, when already at hand."""
    _check_choice("metric", metric, ("plan_attainment",))
    _check_choice("versus", versus, ("plan", "team"))
    if series is None:
        series = miss_series(data, periods=periods, team=team)
    if versus == "team":
        series = relative_to_team(series, data.manager_info["team"])
    evidence = miss_evidence(
        series[["manager", "period", "attainment", "noise"]],
        alpha=alpha,
        p_adjust=p_adjust,
        extra_noise=extra_noise,
        margin=margin,
        min_periods=min_periods,
    )
    return evidence, series


def systematic_misses(
    data: SalesData,
    *,
    periods: str | Sequence[str | Period],
    metric: Literal["plan_attainment"] = "plan_attainment",
    team: str | None = None,
    alpha: float = 0.05,
    p_adjust: Literal["holm", "none"] = "holm",
    extra_noise: Literal["team"] | float = "team",
    margin: float = 0.0,
    min_periods: int = 4,
    versus: Literal["plan", "team"] = "plan",
) -> pd.DataFrame:
    """Who misses the sales plan systematically, and who only by chance.

    Parameters
    ----------
    data : SalesData
        A validated data set with ``sales_volume`` targets.
    periods : str or sequence of str
        Period labels or a range such as ``"2025Q4:2026Q3"`` (both ends included).
    metric : {"plan_attainment"}, default "plan_attainment"
        What is judged: attainment of the ``sales_volume`` target.
    team : str, optional
        Only this team's managers (they are the family the adjustment counts, and the team whose spread
        estimates the extra noise).
    alpha, p_adjust, extra_noise, margin, min_periods
        As for :func:`kpi_toolkit.gap.miss_evidence`: family-wise error rate (Holm over the managers
        judged), noise beyond the compound Poisson model, shortfall tolerated, fewest periods judged.
    versus : {"plan", "team"}, default "plan"
        ``"plan"``: attainment against the plan (1 = the target). ``"team"``: attainment against the median
        attainment of the manager's team in the same periods (:func:`relative_to_team`; 1 = the median
        colleague), so a plan that nobody meets flags nobody, and a manager who trails colleagues under a
        lenient plan is still found: training may help the one, the plan is the problem of the other.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`kpi_toolkit.gap.MISS_COLUMNS` (``manager, periods_observed, periods_missed,
        mean_attainment, rule, verdict``), one row per manager (sorted); with ``versus="team"``
        ``periods_missed`` and ``mean_attainment`` are below and relative to the team's median, and ``rule``
        ends in ``" vs team"``; ``verdict`` one of
        ``"systematic"``, ``"not systematic"``, ``"insufficient data"``. ``attrs`` says what the verdicts
        could find (:func:`power_summary`): ``power_at`` (0.85), ``power`` per manager, ``power_median``,
        ``power_periods`` and ``power_statement``.

    Notes
    -----
    The series is :func:`miss_series` (attainment and the noise a fair plan leaves in it, from the
    manager's orders pooled over the window), judged by :func:`kpi_toolkit.gap.miss_evidence`: a
    one-sided test of the mean shortfall whose residuals are clipped at 2 standard deviations (so one
    bad quarter never makes a miss "systematic"), a CUSUM from 12 periods on, Holm's adjustment over the
    managers. A period without a target is not observed. Use :func:`miss_series` and
    :func:`kpi_toolkit.gap.miss_evidence` for the p-values.

    References
    ----------
    Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed., Wiley, ch. 9.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist. 6, 65-70.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> misses = kt.systematic_misses(demo, periods="2024Q4:2026Q3")
    >>> misses.loc[misses["verdict"] == "systematic", ["manager", "periods_missed", "rule"]]
      manager  periods_missed            rule
    9     M10               8  mean shortfall
    """
    evidence, _ = _evidence(
        data,
        periods=periods,
        metric=metric,
        team=team,
        alpha=alpha,
        p_adjust=p_adjust,
        extra_noise=extra_noise,
        margin=margin,
        min_periods=min_periods,
        versus=versus,
    )
    out = evidence.loc[:, list(MISS_COLUMNS)]
    out.attrs.update(power_summary(evidence), versus=versus)
    if versus == "team":
        out["rule"] = out["rule"].where(out["rule"] == "none", out["rule"] + " vs team")
        statement = str(out.attrs["power_statement"]).replace("of plan", "of what the median colleague sells")
        out.attrs["power_statement"] = statement
    return out


def power_summary(evidence: pd.DataFrame) -> dict[str, object]:
    """What the systematic-miss verdicts could find: ``attrs`` of :func:`systematic_misses`.

    Keys: ``power_at`` (the true attainment the power is stated at), ``power`` (per manager judged, the
    chance to be flagged at that attainment), ``power_median`` and ``power_periods`` (the median power and
    number of periods observed over the managers judged; NaN when nobody is judged) and ``power_statement``
    (an English sentence, e.g. "With 8 periods, a manager selling 85% of plan in every period is flagged
    in about 31% of cases.").
    """
    at = float(evidence.attrs.get("power_at", np.nan))
    judged = evidence[evidence["power"].notna()]
    power = {str(m): float(v) for m, v in zip(judged["manager"], judged["power"], strict=True)}
    median = float(judged["power"].median()) if len(judged) else np.nan
    periods = float(judged["periods_observed"].median()) if len(judged) else np.nan
    if len(judged):
        statement = (
            f"With {periods:.0f} periods, a manager selling {at:.0%} of plan in every period is flagged in "
            f"about {median:.0%} of cases (median over {len(judged)} managers)."
        )
    else:
        statement = "No manager has enough periods to be judged."
    return {
        "power_at": at,
        "power": power,
        "power_median": median,
        "power_periods": periods,
        "power_statement": statement,
    }


def _series_text(series: pd.DataFrame) -> pd.Series:
    """``2025Q4 71%, 2026Q1 64%, ...`` per manager (``-`` for a period without a target)."""
    cells = (
        series["period"]
        + " "
        + (series["attainment"] * 100).round(0).map(lambda v: "-" if pd.isna(v) else f"{v:.0f}%")
    )
    return cells.groupby(series["manager"], sort=True).agg(", ".join)


def _causes(
    data: SalesData,
    window: Sequence[str | Period],
    team: str | None,
    alpha: float,
    versus_plan: pd.DataFrame | None = None,
    series: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``versus_plan`` and ``series``: the verdicts against the plan and their :func:`miss_series`, when the
    caller has them (the series is the same for both verdicts: computed once)."""
    options = dict(
        periods=window,
        metric="plan_attainment",
        team=team,
        alpha=alpha,
        p_adjust="holm",
        extra_noise="team",
        margin=0.0,
        min_periods=4,
    )
    if versus_plan is None:
        versus_plan, series = _evidence(data, series=series, **options)  # type: ignore[arg-type]
    versus_team, _ = _evidence(data, versus="team", series=series, **options)  # type: ignore[arg-type]
    realism = plan_realism(data, periods=list(window), team=team)
    return miss_causes_from(versus_plan, versus_team, realism, data.manager_info["team"])


def miss_causes(
    data: SalesData,
    *,
    periods: str | Sequence[str | Period],
    team: str | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The manager or the plan? Who trails colleagues, who misses a plan that was out of reach, or both.

    Parameters
    ----------
    data : SalesData
        A validated data set with ``sales_volume`` targets.
    periods : str or sequence of str
        The periods judged, e.g. ``"2024Q4:2026Q3"`` (as for :func:`systematic_misses`).
    team : str, optional
        Only this team's managers.
    alpha : float, default 0.05
        Family-wise error rate of each of the two verdicts (Holm over the managers).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`kpi_toolkit.gap.causes.MISS_CAUSE_COLUMNS` (``manager, team, versus_plan,
        versus_team, mean_attainment, mean_vs_team, targets_judged, targets_out_of_reach,
        plan_out_of_reach, cause``), one row per manager (sorted): the verdicts of
        :func:`systematic_misses` with ``versus="plan"`` and ``versus="team"``, the realism of the
        manager's targets over the periods (:func:`kpi_toolkit.plan_realism`) and the ``cause``:
        ``"behind colleagues"`` (training may help), ``"behind an out-of-reach plan"`` (the plan is the
        problem), ``"both"``, ``"behind plan"`` (systematic against the plan, explained by neither), NA when
        neither verdict is systematic. :func:`kpi_toolkit.gap.causes.plan_findings` of it says, per team,
        whether most of the team misses a plan that was out of reach.

    Notes
    -----
    A plan is out of reach for a manager when more than half of their targets with a realism verdict lie
    above the interval of what their history predicted; a target without enough history to judge it is
    not counted (``targets_judged``), so with little history only the comparison with colleagues speaks.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> causes = kt.miss_causes(demo, periods="2024Q4:2026Q3")
    >>> causes.loc[causes["cause"].notna(), ["manager", "versus_plan", "versus_team", "cause"]]
      manager versus_plan versus_team              cause
    9     M10  systematic  systematic  behind colleagues
    """
    window = parse_periods(periods, fiscal_year_start=data.fiscal_year_start, name="periods")
    return _causes(data, window, team, alpha)


def alerts(
    data: SalesData,
    *,
    period: str | Period,
    history: int = 8,
    team: str | None = None,
    as_of: str | pd.Timestamp | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """The alert list: who is off track in ``period`` now, who misses the plan systematically, who trails
    colleagues, and whether the plan they miss was out of reach.

    Parameters
    ----------
    data : SalesData
        A validated data set.
    period : str or Period
        The current period, e.g. ``"2026Q3"``.
    history : int, default 8
        Periods judged for systematic misses: the ``history`` periods that end with the last complete one
        at ``as_of`` (``period`` itself when complete, else the one before).
    team : str, optional
        Only this team's managers.
    as_of : str or Timestamp, optional
        The day the pacing is judged at (data after it is not used); default: the period's last day or the
        data's last date, whichever comes first.
    alpha : float, default 0.05
        Family-wise error rate of the systematic-miss verdicts.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`ALERT_COLUMNS`, one row per manager with an alert (``off_track``, ``systematic`` or
        ``behind_colleagues``), sorted by: off track and a persistent alert (systematic or behind
        colleagues) first, then a persistent alert, then off track, then manager id. ``pacing_status``
        and the pacing numbers are those of :func:`kpi_toolkit.pacing`; ``miss_verdict`` to ``p_adjusted``
        those of :func:`kpi_toolkit.gap.miss_evidence`; ``attainment_series`` the judged periods'
        attainments as text; ``evidence`` a sentence in English (reports build theirs from the numbers).
        The columns after ``evidence`` are those of :func:`miss_causes` over the same history:
        ``behind_colleagues`` (systematic against the team's median attainment, ``versus="team"``),
        ``colleague_verdict`` (that verdict), ``mean_vs_team``, ``targets_judged``,
        ``targets_out_of_reach``, ``plan_out_of_reach`` (most judged targets above what the history
        predicted) and ``cause`` (``"behind colleagues"``, ``"behind an out-of-reach plan"``, ``"both"``,
        ``"behind plan"``, or NA for an alert of the current period only).

    Notes
    -----
    Off track: the pacing projection's upper end (or, for a complete period, the volume) is below the
    target. Systematic: the verdict of :func:`systematic_misses` over the history. Behind colleagues: the
    verdict of ``systematic_misses(versus="team")``. An empty table (with the columns) when nobody is on
    the list.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> demo = kt.from_frames(**make_demo_data())
    >>> kt.alerts(demo, period="2026Q3")[["manager", "off_track", "systematic", "cause"]].head(1)
      manager  off_track  systematic              cause
    0     M10       True        True  behind colleagues
    """
    if not (isinstance(history, int | np.integer) and history >= 1):
        raise ParameterError(f"history={history!r} must be a whole number >= 1. Fix: e.g. history=8.")
    p = data.period(period)
    day = (
        pd.Timestamp(as_of) if as_of not in (None, "") else min(p.end - pd.Timedelta(days=1), data.last_date)
    )
    pace = pacing(data, period=p, as_of=day, team=team).set_index("manager")
    last = p if day.normalize() + pd.Timedelta(days=1) >= p.end else p.previous()
    window = [last.shift(-k) for k in range(history - 1, -1, -1)]
    evidence, series = _evidence(
        data,
        periods=window,
        metric="plan_attainment",
        team=team,
        alpha=alpha,
        p_adjust="holm",
        extra_noise="team",
        margin=0.0,
        min_periods=4,
    )
    causes = _causes(data, window, team, alpha, versus_plan=evidence, series=series).set_index("manager")
    evidence = evidence.set_index("manager")
    out = pace.join(evidence, how="left")
    out["off_track"] = out["status"].isin(["off track", "missed"])
    out["systematic"] = out["verdict"] == "systematic"
    own = causes.reindex(out.index)
    out["colleague_verdict"] = own["versus_team"]
    out["behind_colleagues"] = (own["versus_team"] == "systematic").fillna(False).astype(bool)
    out["mean_vs_team"] = own["mean_vs_team"]
    out["targets_judged"] = own["targets_judged"]
    out["targets_out_of_reach"] = own["targets_out_of_reach"]
    out["plan_out_of_reach"] = own["plan_out_of_reach"].fillna(False).astype(bool)
    out["cause"] = own["cause"]
    out = out[out["off_track"] | out["systematic"] | out["behind_colleagues"]].copy()
    info = data.manager_info
    out["name"] = [str(info.at[m, "name"]) for m in out.index]
    out["team"] = [None if pd.isna(info.at[m, "team"]) else str(info.at[m, "team"]) for m in out.index]
    out["attainment_series"] = _series_text(series).reindex(out.index)
    texts = []
    for _, row in out.iterrows():
        parts = []
        if row["off_track"]:
            if row["status"] == "missed":
                parts.append(
                    f"missed the plan in {p}: {row['to_date']:,.0f} against a target of {row['target']:,.0f}"
                )
            else:
                parts.append(
                    f"off track in {p}: {row['to_date']:,.0f} to date, projected {row['projected']:,.0f} "
                    f"({row['projected_low']:,.0f}-{row['projected_high']:,.0f}) against a target of "
                    f"{row['target']:,.0f}"
                )
        if row["systematic"]:
            parts.append(
                f"missed {int(row['periods_missed'])} of {int(row['periods_observed'])} periods, mean "
                f"attainment {row['mean_attainment']:.0%}, {row['rule']} "
                f"(adjusted p = {row['p_adjusted']:.2g})"
            )
        if row["behind_colleagues"]:
            parts.append(f"behind colleagues: {row['mean_vs_team']:.0%} of the median colleague's attainment")
        if row["plan_out_of_reach"] and row["systematic"]:
            parts.append(
                f"behind an out-of-reach plan: {int(row['targets_out_of_reach'])} of "
                f"{int(row['targets_judged'])} targets above what the history predicted"
            )
        texts.append("; ".join(parts))
    out["evidence"] = texts
    out = out.rename(columns={"status": "pacing_status", "verdict": "miss_verdict"})
    persistent = out["systematic"] | out["behind_colleagues"]
    out["_rank"] = np.where(out["off_track"] & persistent, 0, np.where(persistent, 1, 2))
    out = out.reset_index().sort_values(["_rank", "manager"], kind="stable")
    result = out.reindex(columns=list(ALERT_COLUMNS)).reset_index(drop=True)
    for column in ("off_track", "systematic", "behind_colleagues", "plan_out_of_reach"):
        result[column] = result[column].astype(bool)
    result = result.astype({"colleague_verdict": "string", "cause": "string", "mean_vs_team": float})
    return result
