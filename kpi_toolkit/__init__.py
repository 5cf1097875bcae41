"""kpi_toolkit: honest statistics and quarterly reports on sales managers' KPIs.

>>> import kpi_toolkit as kt
>>> sorted(kt.KPI_COLUMNS)[:3]
['average_check', 'conversion', 'leads_closed']
"""

from kpi_toolkit.card.api import bonuses, compare_cards, scorecard
from kpi_toolkit.comparison import (
    active_months,
    average_check_diagnostics,
    compare_managers,
    funnel,
    global_test,
    plot_funnel,
    shrunk_rates,
)
from kpi_toolkit.cycle_times import cycle_times
from kpi_toolkit.data import SalesData, from_frames, load
from kpi_toolkit.detectable import detectable_difference
from kpi_toolkit.errors import (
    DataValidationError,
    KpiToolkitError,
    ParameterError,
    ReportError,
    Violation,
)
from kpi_toolkit.kpis import (
    KPI_COLUMNS,
    kpi_change,
    kpi_history,
    manager_kpis,
    year_to_date_kpis,
)
from kpi_toolkit.pacing import pacing
from kpi_toolkit.periods import Period, parse_period, parse_periods
from kpi_toolkit.pipeline import pipeline
from kpi_toolkit.plan_gap import alerts, miss_series, plan_gap, systematic_misses, volume_sources
from kpi_toolkit.plan_realism import plan_realism
from kpi_toolkit.practices import (
    performer_profiles,
    pooled_effects,
    practice_effects,
    practice_features,
    regression_check,
    top_performers,
)
from kpi_toolkit.ranking import attainment_ranking

__version__ = "0.1.0"

__all__ = [
    "KPI_COLUMNS",
    "DataValidationError",
    "KpiToolkitError",
    "ParameterError",
    "Period",
    "ReportError",
    "SalesData",
    "Violation",
    "__version__",
    "active_months",
    "alerts",
    "attainment_ranking",
    "average_check_diagnostics",
    "bonuses",
    "compare_cards",
    "compare_managers",
    "cycle_times",
    "detectable_difference",
    "from_frames",
    "funnel",
    "global_test",
    "kpi_change",
    "kpi_history",
    "load",
    "manager_kpis",
    "miss_series",
    "pacing",
    "parse_period",
    "parse_periods",
    "performer_profiles",
    "pipeline",
    "plan_gap",
    "plan_realism",
    "plot_funnel",
    "pooled_effects",
    "practice_effects",
    "practice_features",
    "regression_check",
    "scorecard",
    "shrunk_rates",
    "systematic_misses",
    "top_performers",
    "volume_sources",
    "year_to_date_kpis",
]
