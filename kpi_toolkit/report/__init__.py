"""Reports: the numbers each report shows, its sections as safe HTML in English or Russian, rendering
notebooks to HTML, and the site that links the rendered reports."""

from kpi_toolkit.report.i18n import LANGUAGES, Message, Translator, translator
from kpi_toolkit.report.quarterly import QuarterlyReport, default_period, quarterly_report
from kpi_toolkit.report.render import notebook_parameters, notebook_path, render_notebook
from kpi_toolkit.report.site import KeyFigure, ReportRecord, Site, build_site, write_record

__all__ = [
    "LANGUAGES",
    "KeyFigure",
    "Message",
    "QuarterlyReport",
    "ReportRecord",
    "Site",
    "Translator",
    "build_site",
    "default_period",
    "notebook_parameters",
    "notebook_path",
    "quarterly_report",
    "render_notebook",
    "translator",
    "write_record",
]
