"""The quarterly report's sections whose prose names another report (issue 20, item 10).

The differences between managers point to the manager comparison of the year, the "why" section to the
plan-gap report of the period. Rendered alone, those words stay plain words (the commands that make the
reports are in the "Related reports" paragraph, :func:`kpi_toolkit.report.views.related_reports`); in a site
they link to those reports in the same language, when the site holds them
(:func:`kpi_toolkit.report.site_links.set_body_links`). The sections themselves are those of
:mod:`~kpi_toolkit.report.differences_views` and :mod:`~kpi_toolkit.report.why_views`; the words that
name the report are the locale's ``report_links.refs`` and must stand in the sentence as written (a test
checks both languages).
"""

from __future__ import annotations

from kpi_toolkit.data import SalesData
from kpi_toolkit.periods import Period
from kpi_toolkit.report import differences_views, html, why_views
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.quarterly import QuarterlyReport
from kpi_toolkit.report.site_links import link_words

__all__ = ["differences_section", "why_section"]


def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def differences_section(data: SalesData, q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """:func:`kpi_toolkit.report.differences_views.differences_section`, its last sentence naming the manager
    comparison of the year (:func:`~kpi_toolkit.report.site_links.report_ref`).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> section = differences_section(data, quarterly_report(data, period="2026Q3"))
    >>> '<span class="kpi-ref" data-period="2026" data-ref="comparison">the manager comparison' in section
    True
    """
    tr = _tr(tr)
    section = differences_views.differences_section(data, q, tr)
    year = Period.containing(q.period.start, "year", q.period.fiscal_year_start)
    sentence = tr.t("comparison.quarterly.pointer", period=tr.period(year))
    words = tr.t("report_links.refs.comparison")
    return html.Html(link_words(section, sentence, words, kind="comparison", period=str(year)))


def why_section(data: SalesData, q: QuarterlyReport, tr: Translator | None = None) -> html.Html:
    """:func:`kpi_toolkit.report.why_views.why_section` of the report's period and team, without the
    alerts (the first screen shows them), its pointer naming the plan-gap report of the period.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> from kpi_toolkit.report import quarterly_report
    >>> data = kt.from_frames(**make_demo_data())
    >>> section = why_section(data, quarterly_report(data, period="2026Q3"))
    >>> '<span class="kpi-ref" data-period="2026Q3" data-ref="plan_gap">The plan-gap report</span>' in section
    True
    """
    tr = _tr(tr)
    section = why_views.why_section(data, period=str(q.period), team=q.team, tr=tr, with_alerts=False)
    words = tr.t("report_links.refs.plan_gap")
    return html.Html(
        link_words(section, tr.t("plan_gap.why.more"), words, kind="plan_gap", period=str(q.period))
    )
