"""Why was the target missed: the gap split into its drivers, and misses that are systematic.

The plan-gap analysis. Its data-independent core takes plain DataFrames of counts, drivers or attainment
series; the modules listed last take a data set and call it.

- :mod:`~kpi_toolkit.gap.lmdi`: exact additive decomposition of a product (LMDI-I, Shapley).
- :mod:`~kpi_toolkit.gap.drivers`: counts to drivers.
- :mod:`~kpi_toolkit.gap.baselines`: plan and team baselines for the drivers.
- :mod:`~kpi_toolkit.gap.decompose`: each manager's gap split into the effects of the drivers, and the team's.
- :mod:`~kpi_toolkit.gap.uncertainty`: bootstrap intervals of the drivers' effects.
- :mod:`~kpi_toolkit.gap.noise`: the noise a fair plan leaves, and the null distribution of a CUSUM.
- :mod:`~kpi_toolkit.gap.misses`: verdicts on systematic misses of the plan.
- :mod:`~kpi_toolkit.gap.causes`: the manager or the plan, the two verdicts combined.
- :mod:`~kpi_toolkit.gap.figures`: waterfall figures.

On a data set (:class:`~kpi_toolkit.data.SalesData`; the public names are in :mod:`kpi_toolkit.plan_gap`):

- :mod:`~kpi_toolkit.gap.period_counts`: a period's counts and rates per manager.
- :mod:`~kpi_toolkit.gap.period_baselines`: the plan, previous, last-year and team baselines of a period.
- :mod:`~kpi_toolkit.gap.gap_table`: ``plan_gap``, its TOTAL on the group's plan.
- :mod:`~kpi_toolkit.gap.volume_sources`: lead-sourced and other volume.
- :mod:`~kpi_toolkit.gap.miss_history`: attainment series and systematic misses.
- :mod:`~kpi_toolkit.gap.alert_list`: the manager or the plan, and the alert list.

>>> from kpi_toolkit import gap
>>> gap.PLAN_GAP_COLUMNS[:4]
('manager', 'actual', 'baseline_value', 'gap')
"""

from kpi_toolkit.gap.baselines import plan_baseline, pooled_drivers, team_baseline
from kpi_toolkit.gap.causes import CAUSES, MISS_CAUSE_COLUMNS, miss_causes_from, plan_findings
from kpi_toolkit.gap.decompose import GAP_METRICS, PLAN_GAP_COLUMNS, decompose_gap
from kpi_toolkit.gap.drivers import (
    BASELINE_COLUMNS,
    COUNT_COLUMNS,
    DRIVER_COLUMNS,
    LEADS_DRIVERS,
    ORDERS_DRIVERS,
    drivers_from_counts,
)
from kpi_toolkit.gap.figures import WATERFALL_STEPS, plot_gap_waterfall
from kpi_toolkit.gap.lmdi import DECOMPOSITION_METHODS, decompose_product, log_mean
from kpi_toolkit.gap.misses import (
    MISS_COLUMNS,
    MISS_EVIDENCE_COLUMNS,
    POWER_AT,
    VERDICTS,
    judge_misses,
    miss_evidence,
)
from kpi_toolkit.gap.noise import amount_moment_ratio, attainment_noise, cusum_tail_probability
from kpi_toolkit.gap.uncertainty import EFFECT_INTERVAL_COLUMNS, effect_intervals

__all__ = [
    "BASELINE_COLUMNS",
    "CAUSES",
    "COUNT_COLUMNS",
    "DECOMPOSITION_METHODS",
    "DRIVER_COLUMNS",
    "EFFECT_INTERVAL_COLUMNS",
    "GAP_METRICS",
    "LEADS_DRIVERS",
    "MISS_CAUSE_COLUMNS",
    "MISS_COLUMNS",
    "MISS_EVIDENCE_COLUMNS",
    "ORDERS_DRIVERS",
    "PLAN_GAP_COLUMNS",
    "POWER_AT",
    "VERDICTS",
    "WATERFALL_STEPS",
    "amount_moment_ratio",
    "attainment_noise",
    "cusum_tail_probability",
    "decompose_gap",
    "decompose_product",
    "drivers_from_counts",
    "effect_intervals",
    "judge_misses",
    "log_mean",
    "miss_causes_from",
    "miss_evidence",
    "plan_baseline",
    "plan_findings",
    "plot_gap_waterfall",
    "pooled_drivers",
    "team_baseline",
]
