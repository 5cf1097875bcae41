"""kpi_toolkit: honest statistics and quarterly reports on sales managers' KPIs.

>>> import kpi_toolkit as kt
>>> sorted(kt.KPI_COLUMNS)[:3]
['average_check', 'conversion', 'leads_closed']
"""

from kpi_toolkit.card.api import bonuses, compare_cards, scorecard
from kpi_toolkit.data import SalesData, from_frames, load
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
from kpi_toolkit.periods import Period, parse_period, parse_periods
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
    "attainment_ranking",
    "bonuses",
    "compare_cards",
    "from_frames",
    "kpi_change",
    "kpi_history",
    "load",
    "manager_kpis",
    "parse_period",
    "parse_periods",
    "scorecard",
    "year_to_date_kpis",
]
