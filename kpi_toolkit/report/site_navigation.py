"""Each report's navigation bar: the index, the same report for the previous and next period, the same report
in the other languages, the related reports (:func:`~kpi_toolkit.report.site_links.related_links`), and the
body's words that name them (:func:`~kpi_toolkit.report.site_links.set_body_links`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from kpi_toolkit.atomic import write_text_atomic
from kpi_toolkit.report import page
from kpi_toolkit.report.i18n import LANGUAGES, Translator, translator
from kpi_toolkit.report.site_links import _href, index_name, related_links, set_body_links
from kpi_toolkit.report.site_records import ReportRecord

__all__ = ["navigation", "set_navigation"]

_ENV = jinja2.Environment(
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
)
_NAV = _ENV.from_string(
    """<a href="{{ index }}">{{ tr.t("nav.index") }}</a>
{% if related %}
<span class="related">
{%- for l in related %}{% if not loop.first %} · {% endif %}
<a href="{{ l.href }}" data-related="{{ l.kind }}">{{ l.label }}</a>{% endfor -%}
</span>
{% endif %}
{% if prev %}
<a href="{{ prev.href }}" rel="prev" title="{{ tr.t('nav.previous_title') }}">
{{- tr.t("nav.previous", period=prev.period) }}</a>
{% endif %}
{% if next %}
<a href="{{ next.href }}" rel="next" title="{{ tr.t('nav.next_title') }}">
{{- tr.t("nav.next", period=next.period) }}</a>
{% endif %}
{% if others %}
<span class="lang">
{%- for o in others %}{% if not loop.first %} · {% endif %}
<a href="{{ o.href }}" hreflang="{{ o.lang }}" lang="{{ o.lang }}" title="{{ tr.t('nav.language_title') }}">
{{- o.name }}</a>
{%- endfor %}</span>
{% endif %}"""
)


def navigation(
    path: Path, record: ReportRecord, root: Path, by_series: dict, by_subject: dict, default: str = "en"
) -> tuple[str, list[dict[str, str]], Translator]:
    """The navigation bar of the report of ``record`` (its record at ``path``, the site at ``root``), its
    related reports and the translator of its language; ``by_series`` holds the newest record of each
    (series, period), ``by_subject`` the same report's records in each language."""
    tr = translator(record.lang if record.lang in LANGUAGES else "en")
    here = path.parent
    index = root / index_name(tr.lang, default)
    links: dict[str, Any] = {"index": _href(index, here), "tr": tr, "prev": None, "next": None}
    links["related"] = related_links(path, record, by_series.values(), tr, index=index)
    for direction, period in (("prev", record.previous_period), ("next", record.next_period)):
        target = by_series.get((record.series, period))
        if target is not None:
            links[direction] = {
                "href": _href(target[0].parent / target[1].file, here),
                "period": tr.period(period),
            }
    subject = (record.kind, record.team or "", record.subject or "", record.period_kind, record.period)
    links["others"] = [
        {"href": _href(p.parent / r.file, here), "lang": r.lang, "name": LANGUAGES.get(r.lang, r.lang)}
        for p, r in sorted(by_subject.get(subject, []), key=lambda item: item[1].lang)
        if r.lang != record.lang
    ]
    return _NAV.render(**links), links["related"], tr


def set_navigation(
    html_path: Path, nav: str, related: list[dict[str, str]] | None = None, tr: Translator | None = None
) -> bool:
    """Put ``nav`` between the report's navigation markers, and ``related`` into the body's paragraph of
    related reports (:func:`~kpi_toolkit.report.site_links.set_body_links`); True when the file changed."""
    text = html_path.read_text(encoding="utf-8")
    start = text.find(page.NAV_START)
    body = text.find("<main")
    end = text.find(page.NAV_END, start)
    if start < 0 or end < 0 or (0 <= body < start):
        return False  # a report without a navigation slot (rendered by an older toolkit): leave it as it is
    updated = text[: start + len(page.NAV_START)] + nav + text[end:]
    if tr is not None:
        updated = set_body_links(updated, related or [], tr)
    if updated == text:
        return False
    write_text_atomic(html_path, updated)
    return True
