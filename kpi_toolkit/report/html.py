"""Safe HTML fragments for report notebooks: tables, figures, prose and notes.

Every fragment is rendered by Jinja2 with autoescaping on, so any string that comes from data (names, teams,
ids) is escaped: a manager called ``<script>alert(1)</script>`` shows as that text. A fragment is an
:class:`Html` string that notebooks display as HTML (it has ``_repr_html_``).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jinja2
import pandas as pd
from matplotlib.figure import Figure

__all__ = ["Html", "figure", "heading", "notes", "paragraphs", "table"]

_ENV = jinja2.Environment(
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
)

_TABLE = _ENV.from_string(
    """<div class="kpi-table-wrap"><table class="kpi-table">
{% if caption %}<caption>{{ caption }}</caption>{% endif %}
<thead><tr>{% for h, numeric in headers %}<th scope="col"{% if numeric %} class="num"{% endif %}>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr{% if row.css %} class="{{ row.css }}"{% endif %}>{% for cell, numeric in row.cells %}<td{% if numeric %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></div>"""
)
_FIGURE = _ENV.from_string(
    """<figure class="kpi-figure"><img src="data:image/png;base64,{{ png }}" alt="{{ alt }}">
{% if caption %}<figcaption>{{ caption }}</figcaption>{% endif %}</figure>"""
)
_PARAGRAPHS = _ENV.from_string("""{% for p in items %}<p>{{ p }}</p>
{% endfor %}""")
_NOTES = _ENV.from_string(
    """<aside class="kpi-note">{% if title %}<strong>{{ title }}</strong>{% endif %}<ul>
{% for n in items %}<li>{{ n }}</li>
{% endfor %}</ul></aside>"""
)
_HEADING = _ENV.from_string("""<h{{ level }}>{{ text }}</h{{ level }}>""")


class Html(str):
    """An HTML fragment: displayed as HTML in notebooks and reports."""

    def _repr_html_(self) -> str:
        return str(self)

    def __add__(self, other: str) -> Html:
        return Html(str(self) + str(other))


def table(
    frame: pd.DataFrame,
    *,
    columns: Mapping[str, str],
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    caption: str = "",
    row_class: Callable[[pd.Series], str] | None = None,
) -> Html:
    """An HTML table of ``frame``'s ``columns`` (column -> header), each cell formatted and escaped.

    Examples
    --------
    >>> df = pd.DataFrame({"manager": ["<b>x</b>"], "sales": [1234.5]})
    >>> print(table(df, columns={"manager": "Manager", "sales": "Sales"}, formats={"sales": "{:,.0f}".format}))
    <div class="kpi-table-wrap"><table class="kpi-table">
    <thead><tr><th scope="col">Manager</th><th scope="col" class="num">Sales</th></tr></thead>
    <tbody>
    <tr><td>&lt;b&gt;x&lt;/b&gt;</td><td class="num">1,234</td></tr>
    </tbody></table></div>
    """
    formats = dict(formats or {})
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) for c in columns}
    rows = []
    for _, record in frame.iterrows():
        cells = [(formats.get(c, str)(record[c]), numeric[c]) for c in columns]
        rows.append({"cells": cells, "css": row_class(record) if row_class else ""})
    headers = [(h, numeric[c]) for c, h in columns.items()]
    return Html(_TABLE.render(headers=headers, rows=rows, caption=caption))


def figure(fig: Figure, *, alt: str, caption: str = "", dpi: int = 110) -> Html:
    """Embed a matplotlib figure as a PNG with alternative text, and close it.

    The image is inline (a data URI), so the report opens offline.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    fig.clf()
    import matplotlib.pyplot as plt

    plt.close(fig)
    png = base64.b64encode(buffer.getvalue()).decode("ascii")
    return Html(_FIGURE.render(png=png, alt=alt, caption=caption))


def paragraphs(items: Sequence[str]) -> Html:
    """Paragraphs of prose, escaped.

    >>> print(paragraphs(["a < b", "c"]))
    <p>a &lt; b</p>
    <p>c</p>
    """
    return Html(_PARAGRAPHS.render(items=list(items)))


def notes(items: Sequence[str], *, title: str = "") -> Html:
    """A boxed list of notes (caveats, alerts); empty when there is nothing to say."""
    return Html(_NOTES.render(items=list(items), title=title) if items else "")


def heading(text: str, *, level: int = 2) -> Html:
    """A heading whose text comes from data (escaped).

    >>> print(heading("North & South", level=3))
    <h3>North &amp; South</h3>
    """
    return Html(_HEADING.render(text=text, level=level))
