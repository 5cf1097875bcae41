"""What :func:`kpi_toolkit.plan_gap` measures a data set's period against: the plan's targets (driver targets,
the rates its targets imply, else the manager's own mix scaled to the plan), an earlier period, the team.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.gap import (
    LEADS_DRIVERS,
    ORDERS_DRIVERS,
    drivers_from_counts,
    plan_baseline,
    pooled_drivers,
    team_baseline,
)
from kpi_toolkit.gap.period_counts import (
    _RATES,
    _counts,
    _covered,
    _missing_baseline,
    _mode,
    _pooled_rates,
    _rates,
    _with_rates,
)
from kpi_toolkit.kpis import targets_in_team
from kpi_toolkit.periods import Period
from kpi_toolkit.schema import ADDITIVE_METRICS

# Driver targets a plan may carry, by mode (the ``sales_volume`` target is always needed).
_DRIVER_TARGETS = {
    "leads": ("leads_closed", "conversion", "orders_per_win", "average_check"),
    "orders": ("orders", "average_check"),
}


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
    pooled = pooled_drivers(actual, mode=mode)
    # the team's drivers per manager: pooled ratios, and the team's leads (orders) per manager
    pooled[["leads_closed", "orders", "sales_volume"]] /= max(len(managers), 1)
    team_mix = pd.DataFrame([pooled.to_numpy()] * len(managers), columns=pooled.index)
    team_mix = team_mix.assign(manager=managers)
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
