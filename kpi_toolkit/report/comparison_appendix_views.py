"""The manager comparison report's closing sections: how to read it (:func:`reading_guide`: why a funnel
signal and a test verdict can disagree, what each test assumes) and how it was made
(:func:`provenance`).

Every function takes the report's numbers (:class:`~kpi_toolkit.report.comparison_report.ComparisonReport`)
and a :class:`~kpi_toolkit.report.i18n.Translator` (English when ``None``); numbers, words and data enter
the page as :mod:`kpi_toolkit.report.comparison_views` describes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
import pandas as pd

import kpi_toolkit
from kpi_toolkit.report import html
from kpi_toolkit.report.comparison_messages import (
    _t,
    _tr,
)
from kpi_toolkit.report.comparison_report import ComparisonReport
from kpi_toolkit.report.formatting import MISSING
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.report_words import parameter_rows, table_name
from kpi_toolkit.stats import DEFAULT_SEED

__all__ = [
    "provenance",
    "reading_guide",
]


_GUIDE = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True).from_string(
    """<h2>{{ heading }}</h2>
<p><strong>{{ disagree_lead }}</strong> {{ disagree }}</p>
<p><strong>{{ assumptions_lead }}</strong></p>
<ul>
{% for lead, text in items %}<li><em>{{ lead }}</em> {{ text }}</li>
{% endfor %}</ul>
"""
)


# reading the report -----------------------------------------------------------------------------------------
def reading_guide(r: ComparisonReport, tr: Translator | None = None) -> html.Html:
    """Why a funnel signal and a test verdict can disagree, what each test assumes, when not to trust it."""
    tr = _tr(tr)
    items = [
        (_t(tr, f"comparison.guide.{part}_lead"), _t(tr, f"comparison.guide.{part}"))
        for part in ("conversion", "average_check", "new_customers", "margin_rate", "all")
        if part == "all" or part in (r.metrics or [r.metric])
    ]
    return html.Html(
        _GUIDE.render(
            heading=_t(tr, "comparison.guide.heading"),
            disagree_lead=_t(tr, "comparison.guide.disagree_lead"),
            disagree=_t(tr, "comparison.guide.disagree"),
            assumptions_lead=_t(tr, "comparison.guide.assumptions_lead"),
            items=items,
        )
    )


# provenance -------------------------------------------------------------------------------------------------
def provenance(
    r: ComparisonReport, tr: Translator | None = None, *, parameters: Mapping[str, Any] | None = None
) -> html.Html:
    """How the report was made: its parameters, the data's source, fingerprint and dates, the toolkit."""
    tr = _tr(tr)
    empty = _t(tr, "comparison.provenance.empty")
    rows = parameter_rows(parameters or {}, tr, empty=empty)
    rows += [
        (_t(tr, "comparison.provenance.source"), r.source),
        (_t(tr, "comparison.provenance.fingerprint"), r.data_fingerprint or MISSING),
        (_t(tr, "comparison.provenance.data_as_of"), tr.date(r.data_as_of)),
        (_t(tr, "comparison.provenance.first_date"), tr.date(r.first_date)),
        (_t(tr, "comparison.provenance.seed"), str(DEFAULT_SEED)),
        (_t(tr, "comparison.provenance.version"), kpi_toolkit.__version__),
    ]
    for _, c in r.row_counts.iterrows():
        rows.append(
            (
                _t(tr, "comparison.provenance.rows", table=table_name(str(c["table"]), tr)),
                _t(
                    tr,
                    "comparison.provenance.rows_value",
                    read=tr.count(c["rows_read"]),
                    used=tr.count(c["rows_used"]),
                    excluded=tr.count(c["rows_excluded"]),
                ),
            )
        )
    frame = pd.DataFrame(rows, columns=["what", "value"])
    table = html.table(
        frame,
        columns={
            "what": _t(tr, "comparison.provenance.what"),
            "value": _t(tr, "comparison.provenance.value"),
        },
        caption=_t(tr, "comparison.provenance.caption"),
    )
    return (
        html.section(_t(tr, "comparison.provenance.heading"), [_t(tr, "comparison.provenance.intro")]) + table
    )
