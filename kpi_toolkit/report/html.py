"""Safe HTML fragments for report notebooks: tables, figures, prose and notes.

Every fragment is rendered by Jinja2 with autoescaping on, so any string that comes from data (names, teams,
ids) is escaped: a manager called ``<script>alert(1)</script>`` shows as that text. A fragment is an
:class:`Html` string that notebooks display as HTML (it has ``_repr_html_``).
"""

from __future__ import annotations

import base64
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jinja2
import pandas as pd
from matplotlib.figure import Figure

__all__ = [
    "MIN_FONT_PX",
    "Html",
    "bullets",
    "figure",
    "figures_list",
    "heading",
    "min_readable_width",
    "notes",
    "paragraphs",
    "section",
    "table",
]

#: The smallest text a figure may show, in CSS pixels, however narrow the screen (a figure wider than the
#: screen at that size scrolls sideways in its own box).
MIN_FONT_PX = 9.0

_ENV = jinja2.Environment(
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
)

_TABLE = _ENV.from_string(
    """<div class="kpi-table-wrap"><table class="kpi-table{% if sortable %} sortable{% endif %}">
{% if caption %}<caption>{{ caption }}</caption>{% endif %}
<thead><tr>
{%- for h, numeric in headers -%}
<th scope="col"{% if numeric %} class="num"{% endif %}>{{ h }}</th>
{%- endfor -%}
</tr></thead>
{% for part, part_rows in (("tbody", rows), ("tfoot", footer)) if part_rows %}
<{{ part }}>
{% for row in part_rows %}<tr{% if row.css %} class="{{ row.css }}"{% endif %}>
{%- for cell, css, key in row.cells -%}
<td{% if css %} class="{{ css }}"{% endif %}
{%- if key is not none %} data-sort="{{ key }}"{% endif %}>{{ cell }}</td>
{%- endfor %}</tr>
{% endfor %}</{{ part }}>
{% endfor %}</table></div>"""
)
_FIGURE = _ENV.from_string(
    """<figure class="kpi-figure"><img src="data:image/svg+xml;base64,{{ svg }}" alt="{{ alt }}"
{%- if min_width %} style="min-width: {{ min_width }}px"{% endif %}>
{% if caption %}<figcaption>{{ caption }}</figcaption>{% endif %}</figure>"""
)
_PARAGRAPHS = _ENV.from_string("""{% for p in items %}<p>{{ p }}</p>
{% endfor %}""")
_NOTES = _ENV.from_string(
    """<aside class="kpi-note">{% if title %}<strong>{{ title }}</strong>{% endif %}<ul>
{% for n in items %}<li>{{ n }}</li>
{% endfor %}</ul></aside>"""
)
_BULLETS = _ENV.from_string("""<ul class="kpi-list">
{% for n in items %}<li>{{ n }}</li>
{% endfor %}</ul>""")
_HEADING = _ENV.from_string("""<h{{ level }}>{{ text }}</h{{ level }}>""")
_FIGURES_LIST = _ENV.from_string(
    """<dl class="kpi-key-figures"{% if label %} aria-label="{{ label }}"{% endif %}>
{% for f in items %}<div><dt>{{ f.label }}</dt><dd>{{ f.text }}</dd>
{%- if f.note %}<dd class="note">{{ f.note }}</dd>{% endif %}</div>
{% endfor %}</dl>"""
)


class Html(str):
    """An HTML fragment: displayed as HTML in notebooks and reports."""

    def _repr_html_(self) -> str:
        return str(self)

    def __add__(self, other: str) -> Html:
        return Html(str(self) + str(other))


def _sort_key(value: Any) -> str:
    """A cell's sort key for the page's table sorter: the number, or empty when missing."""
    if value is None or pd.isna(value):
        return ""
    return repr(float(value))


def table(
    frame: pd.DataFrame,
    *,
    columns: Mapping[str, str],
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    caption: str = "",
    row_class: Callable[[pd.Series], str] | None = None,
    sortable: bool = False,
    sort_by: Mapping[str, str] | None = None,
    footer: pd.DataFrame | None = None,
    classes: Mapping[str, str] | None = None,
) -> Html:
    """An HTML table of ``frame``'s ``columns`` (column -> header), each cell formatted and escaped.

    With ``sortable``, the page's small script lets a reader sort the rows by any column (click its
    header): numeric columns sort by their numbers (kept in ``data-sort``), a column named in ``sort_by``
    (display column -> column of ``frame`` with the numbers) by those numbers, text columns alphabetically.
    ``footer`` rows (a total) go into ``<tfoot>`` with the same columns and formats, and never move.
    ``classes`` gives the cells of a column a CSS class (column -> class); ``row_class`` one to a row.

    Examples
    --------
    >>> df = pd.DataFrame({"manager": ["<b>x</b>"], "sales": [1234.5]})
    >>> columns = {"manager": "Manager", "sales": "Sales"}
    >>> print(table(df, columns=columns, formats={"sales": "{:,.0f}".format}))
    <div class="kpi-table-wrap"><table class="kpi-table">
    <thead><tr><th scope="col">Manager</th><th scope="col" class="num">Sales</th></tr></thead>
    <tbody>
    <tr><td>&lt;b&gt;x&lt;/b&gt;</td><td class="num">1,234</td></tr>
    </tbody>
    </table></div>
    >>> print(table(df, columns={"sales": "Sales"}, sortable=True))
    <div class="kpi-table-wrap"><table class="kpi-table sortable">
    <thead><tr><th scope="col" class="num">Sales</th></tr></thead>
    <tbody>
    <tr><td class="num" data-sort="1234.5">1234.5</td></tr>
    </tbody>
    </table></div>
    """
    formats = dict(formats or {})
    sort_by = dict(sort_by or {})
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) or c in sort_by for c in columns}
    css = {
        c: " ".join(x for x in ("num" if numeric[c] else "", (classes or {}).get(c, "")) if x)
        for c in columns
    }

    def render_rows(part: pd.DataFrame | None) -> list[dict[str, Any]]:
        rows = []
        for _, record in (part if part is not None else frame.iloc[:0]).iterrows():
            cells = []
            for c in columns:
                key = None
                if sortable and numeric[c]:
                    key = _sort_key(record[sort_by.get(c, c)])
                cells.append((formats.get(c, str)(record[c]), css[c], key))
            rows.append({"cells": cells, "css": row_class(record) if row_class else ""})
        return rows

    headers = [(h, "num" in css[c].split()) for c, h in columns.items()]
    return Html(
        _TABLE.render(
            headers=headers,
            rows=render_rows(frame),
            footer=render_rows(footer),
            caption=caption,
            sortable=sortable,
        )
    )


def figure(fig: Figure, *, alt: str, caption: str = "", dpi: int = 110) -> Html:
    """Embed a matplotlib figure as an SVG image with alternative text, and close it.

    The image is inline (a data URI, which the report's content security policy allows), so the report opens
    offline. Its text is text (``svg.fonttype: none``), sharp at any size and zoom. On a narrow screen the
    image shrinks with the column, but never below the width at which its smallest text is
    :data:`MIN_FONT_PX` pixels high: a wider figure scrolls sideways in its own box instead (the page does
    not). ``dpi`` is kept for callers; an SVG has none.
    """
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kpi-toolkit"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    fig.clf()
    plt.close(fig)
    svg = buffer.getvalue()
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Html(_FIGURE.render(svg=encoded, alt=alt, caption=caption, min_width=min_readable_width(svg)))


def min_readable_width(svg: str) -> int:
    """The narrowest width (CSS pixels) at which the smallest text of ``svg`` (matplotlib's, sized in the
    units of its view box) is still :data:`MIN_FONT_PX` high; never more than the image's natural width.

    >>> svg = '<svg viewBox="0 0 360 180"><text style="font-size: 8px">a</text></svg>'
    >>> min_readable_width(svg)  # 8-unit text in a 360-unit box: 9 px at 405 px wide (natural: 480)
    405
    """
    box = re.search(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) [\d.]+"', svg)
    sizes = [float(s) for s in re.findall(r"font-size:\s*([\d.]+)px", svg)]
    if not box or not sizes:
        return 0
    width_units = float(box.group(1))
    natural = width_units * 96 / 72  # matplotlib's units are points
    return math.ceil(min(natural, MIN_FONT_PX * width_units / min(sizes)))


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


def bullets(items: Sequence[str]) -> Html:
    """A plain list of sentences, escaped; empty when there are none.

    >>> print(bullets(["a < b"]))
    <ul class="kpi-list">
    <li>a &lt; b</li>
    </ul>
    """
    return Html(_BULLETS.render(items=list(items)) if items else "")


def heading(text: str, *, level: int = 2) -> Html:
    """A heading whose text comes from data (escaped).

    >>> print(heading("North & South", level=3))
    <h3>North &amp; South</h3>
    """
    return Html(_HEADING.render(text=text, level=level))


def section(title: str, intro: Sequence[str] = (), *, level: int = 2) -> Html:
    """A section's heading and its introductory paragraphs, escaped.

    >>> print(section("Trend", ["Per quarter."]))
    <h2>Trend</h2><p>Per quarter.</p>
    <BLANKLINE>
    """
    return heading(title, level=level) + (paragraphs(intro) if intro else "")


def figures_list(items: Sequence[Any], *, label: str = "") -> Html:
    """Key figures as a row of labelled numbers; each item has ``label``, ``text`` and ``note`` attributes."""
    return Html(_FIGURES_LIST.render(items=list(items), label=label) if items else "")
