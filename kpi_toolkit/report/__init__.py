"""Reports: the numbers each report shows, its sections as safe HTML, and rendering notebooks to HTML."""

from kpi_toolkit.report.quarterly import QuarterlyReport, default_period, quarterly_report
from kpi_toolkit.report.render import notebook_parameters, notebook_path, render_notebook

__all__ = [
    "QuarterlyReport",
    "default_period",
    "notebook_parameters",
    "notebook_path",
    "quarterly_report",
    "render_notebook",
]
