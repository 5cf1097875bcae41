"""kpi_toolkit: honest statistics and quarterly reports on sales managers' KPIs.

>>> import kpi_toolkit as kt
>>> kt.KPI_COLUMNS[:3]
('sales_volume', 'orders', 'average_check')
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kpi_toolkit.card.api import bonuses, compare_cards, scorecard
    from kpi_toolkit.comparison import compare_managers, global_test
    from kpi_toolkit.comparison_amounts import average_check_diagnostics
    from kpi_toolkit.comparison_conversion import funnel, plot_funnel, shrunk_rates
    from kpi_toolkit.comparison_inputs import active_months
    from kpi_toolkit.customers import customer_bridge, customer_changes
    from kpi_toolkit.cycle_times import cycle_times
    from kpi_toolkit.data import SalesData
    from kpi_toolkit.detectable import detectable_difference
    from kpi_toolkit.errors import (
        DataValidationError,
        KpiToolkitError,
        ParameterError,
        ReportError,
        Violation,
    )
    from kpi_toolkit.gap.causes import plan_findings

    # people and plans over time (issue 15)
    from kpi_toolkit.group_plans import group_plan, team_plans
    from kpi_toolkit.kpis import (
        KPI_COLUMNS,
        kpi_change,
        kpi_history,
        manager_kpis,
        total_kpis,
        year_to_date_kpis,
    )
    from kpi_toolkit.leads import lead_outcomes
    from kpi_toolkit.loading import from_frames, load
    from kpi_toolkit.margins import margin_units
    from kpi_toolkit.pacing import pacing
    from kpi_toolkit.people import team_changes
    from kpi_toolkit.periods import Period, Span, parse_period, parse_periods, parse_span
    from kpi_toolkit.pipeline import pipeline
    from kpi_toolkit.plan_gap import (
        alerts,
        miss_causes,
        miss_series,
        plan_gap,
        systematic_misses,
        volume_sources,
    )
    from kpi_toolkit.plan_realism import plan_realism
    from kpi_toolkit.practices import (
        performer_profiles,
        pooled_effects,
        practice_differences,
        practice_effects,
        practice_features,
        regression_check,
        top_performers,
    )
    from kpi_toolkit.ranking import attainment_ranking
    from kpi_toolkit.report.show import show

#: Where each public name lives: imported on first use (PEP 562), so that importing the package (and starting
#: ``kpi-report``, which installs its signal handlers first) does not wait for pandas, SciPy and the rest.
_EXPORTS = {
    "bonuses": "kpi_toolkit.card.api",
    "compare_cards": "kpi_toolkit.card.api",
    "scorecard": "kpi_toolkit.card.api",
    "active_months": "kpi_toolkit.comparison_inputs",
    "average_check_diagnostics": "kpi_toolkit.comparison_amounts",
    "compare_managers": "kpi_toolkit.comparison",
    "funnel": "kpi_toolkit.comparison_conversion",
    "global_test": "kpi_toolkit.comparison",
    "plot_funnel": "kpi_toolkit.comparison_conversion",
    "shrunk_rates": "kpi_toolkit.comparison_conversion",
    "cycle_times": "kpi_toolkit.cycle_times",
    "SalesData": "kpi_toolkit.data",
    "from_frames": "kpi_toolkit.loading",
    "load": "kpi_toolkit.loading",
    "detectable_difference": "kpi_toolkit.detectable",
    "DataValidationError": "kpi_toolkit.errors",
    "KpiToolkitError": "kpi_toolkit.errors",
    "ParameterError": "kpi_toolkit.errors",
    "ReportError": "kpi_toolkit.errors",
    "Violation": "kpi_toolkit.errors",
    "KPI_COLUMNS": "kpi_toolkit.kpis",
    "kpi_change": "kpi_toolkit.kpis",
    "kpi_history": "kpi_toolkit.kpis",
    "manager_kpis": "kpi_toolkit.kpis",
    "year_to_date_kpis": "kpi_toolkit.kpis",
    "pacing": "kpi_toolkit.pacing",
    "Period": "kpi_toolkit.periods",
    "parse_period": "kpi_toolkit.periods",
    "parse_periods": "kpi_toolkit.periods",
    "Span": "kpi_toolkit.periods",
    "parse_span": "kpi_toolkit.periods",
    "pipeline": "kpi_toolkit.pipeline",
    "alerts": "kpi_toolkit.plan_gap",
    "miss_series": "kpi_toolkit.plan_gap",
    "plan_gap": "kpi_toolkit.plan_gap",
    "systematic_misses": "kpi_toolkit.plan_gap",
    "volume_sources": "kpi_toolkit.plan_gap",
    "plan_realism": "kpi_toolkit.plan_realism",
    "performer_profiles": "kpi_toolkit.practices",
    "pooled_effects": "kpi_toolkit.practices",
    "practice_differences": "kpi_toolkit.practices",
    "practice_effects": "kpi_toolkit.practices",
    "practice_features": "kpi_toolkit.practices",
    "regression_check": "kpi_toolkit.practices",
    "top_performers": "kpi_toolkit.practices",
    "attainment_ranking": "kpi_toolkit.ranking",
    # issue 17: the manager or the plan
    "miss_causes": "kpi_toolkit.plan_gap",
    "plan_findings": "kpi_toolkit.gap.causes",
    # issue 18: the customer bridge and the report's formats in an analyst's cells
    "customer_bridge": "kpi_toolkit.customers",
    "customer_changes": "kpi_toolkit.customers",
    "lead_outcomes": "kpi_toolkit.leads",
    "show": "kpi_toolkit.report.show",
    # people and plans over time (issue 15)
    "group_plan": "kpi_toolkit.group_plans",
    "team_plans": "kpi_toolkit.group_plans",
    "total_kpis": "kpi_toolkit.kpis",
    "team_changes": "kpi_toolkit.people",
    "margin_units": "kpi_toolkit.margins",
}

__version__ = "0.1.0"

__all__ = [
    "KPI_COLUMNS",
    "DataValidationError",
    "KpiToolkitError",
    "ParameterError",
    "Period",
    "ReportError",
    "SalesData",
    "Span",
    "Violation",
    "__version__",
    "active_months",
    "alerts",
    "attainment_ranking",
    "average_check_diagnostics",
    "bonuses",
    "compare_cards",
    "compare_managers",
    "customer_bridge",
    "customer_changes",
    "cycle_times",
    "detectable_difference",
    "from_frames",
    "funnel",
    "global_test",
    # people and plans over time (issue 15)
    "group_plan",
    "kpi_change",
    "kpi_history",
    "lead_outcomes",
    "load",
    "manager_kpis",
    "margin_units",
    "miss_causes",
    "miss_series",
    "pacing",
    "parse_period",
    "parse_periods",
    "parse_span",
    "performer_profiles",
    "pipeline",
    "plan_findings",
    "plan_gap",
    "plan_realism",
    "plot_funnel",
    "pooled_effects",
    "practice_differences",
    "practice_effects",
    "practice_features",
    "regression_check",
    "scorecard",
    "show",
    "shrunk_rates",
    "systematic_misses",
    "team_changes",
    "team_plans",
    "top_performers",
    "total_kpis",
    "volume_sources",
    "year_to_date_kpis",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'kpi_toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return  # importing a submodule named as a public function (pacing, plan_gap): the function wins
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
