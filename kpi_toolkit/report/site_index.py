"""The site's index: every rendered report by period (newest first), with its kind, team, language and key
figures, in sortable tables; one index per language (:func:`~kpi_toolkit.report.site_links.index_name`).
Per-manager reports (:data:`PSEUDONYMISED_KINDS`) are listed without their manager's name and key figures
unless the site is told to show them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

import kpi_toolkit
from kpi_toolkit.atomic import write_text_atomic
from kpi_toolkit.errors import ReportError
from kpi_toolkit.report import page
from kpi_toolkit.report.i18n import LANGUAGES, Translator
from kpi_toolkit.report.site_links import _href, index_name
from kpi_toolkit.report.site_records import ReportRecord

__all__ = ["INDEX_NAME", "KINDS", "PSEUDONYMISED_KINDS", "check_index_owned", "write_index"]

INDEX_NAME = "index.html"
#: Report kinds in the order the index lists them (kinds not listed here follow, alphabetically).
KINDS = ("quarterly", "comparison", "plan_gap", "showcase", "card")
#: Report kinds whose subject is a manager shown to colleagues under a pseudonym elsewhere in the folder.
PSEUDONYMISED_KINDS = ("manager",)
#: How an index the toolkit wrote starts its head; an ``index.html`` without it is not the site's to replace.
_OWN_MARK = '<meta name="generator" content="kpi-toolkit'

_ENV = jinja2.Environment(
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
)
_INDEX = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="{{ tr.lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="generator" content="kpi-toolkit {{ version }}">
<title>{{ tr.t("site.title") }}</title>
<style>
{{ css | safe }}
</style>
</head>
<body>
<main>
<h1>{{ tr.t("site.title") }}</h1>
{% if languages %}
<p class="lang">
{%- for o in languages %}{% if not loop.first %} · {% endif %}
<a href="{{ o.href }}" hreflang="{{ o.lang }}" lang="{{ o.lang }}">{{ o.name }}</a>
{%- endfor %}</p>
{% endif %}
{% if groups %}
<p>{{ tr.t("site.intro", count=count) }}</p>
<nav class="kpi-site-nav" aria-label="{{ tr.t('site.periods') }}"><span>{{ tr.t("site.periods") }}</span>
{% for g in groups %}<a href="#{{ g.anchor }}">{{ g.label }}</a>
{% endfor %}</nav>
{% else %}
<p>{{ tr.t("site.empty", folder=folder) }}</p>
{% endif %}
{% if problems %}
<aside class="kpi-note"><ul><li>
{{- tr.t("site.unreadable", count=problems | length, files=problems | join("; ")) -}}
</li></ul></aside>
{% endif %}
{% for g in groups %}
<section id="{{ g.anchor }}">
<h2>{{ g.label }}</h2>
<div class="kpi-table-wrap"><table class="kpi-table sortable site-index">
<caption>{{ tr.t("site.caption", period=g.label) }}</caption>
<thead><tr>
{%- for h in headers -%}
<th scope="col">{{ tr.t("site." + h) }}</th>
{%- endfor -%}
</tr></thead>
<tbody>
{% for r in g.rows %}
<tr data-kind="{{ r.kind_code }}">
<td class="title">
{%- if r.href %}<a href="{{ r.href }}" hreflang="{{ r.lang_code }}">{{ r.title }}</a>
{%- else %}{{ r.title }}{% endif -%}
</td>
<td data-label="{{ tr.t('site.kind') }}">{{ r.kind }}</td>
<td data-label="{{ tr.t('site.team') }}">{{ r.team }}</td>
<td data-label="{{ tr.t('site.language') }}">{{ r.lang }}</td>
<td class="wrap">
{%- if r.error %}<span class="failed">{{ r.error }}</span>
{%- else %}<dl>
{%- for f in r.figures %}<div><dt>{{ f.label }}</dt><dd>{{ f.text }}</dd></div>{% endfor -%}
</dl>{% endif -%}
</td>
<td data-sort="{{ r.as_of_key }}" data-label="{{ tr.t('site.data_as_of') }}">{{ r.as_of }}</td>
<td data-label="{{ tr.t('site.fingerprint') }}">
{{- "" }}<abbr title="{{ r.fingerprint_title }}">{{ r.fingerprint }}</abbr></td>
<td data-sort="{{ r.rendered_key }}" data-label="{{ tr.t('site.rendered') }}">{{ r.rendered }}</td>
</tr>
{% endfor %}
</tbody></table></div>
</section>
{% endfor %}
</main>
<footer>{{ tr.t("page.footer", version=version) }}</footer>
<script>{{ script | safe }}</script>
</body>
</html>
"""
)


def _timestamp_key(text: str) -> str:
    try:
        return repr(pd.Timestamp(text).timestamp())
    except ValueError:
        return ""


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind), "") if kind in KINDS else (len(KINDS), kind)


def _index_rows(
    records: list[tuple[Path, ReportRecord]], root: Path, tr: Translator, *, show_names: bool = False
) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for path, record in records:
        group = groups.setdefault(
            (record.period_start, record.period),
            {"label": tr.period(record.period), "anchor": "p-" + re.sub(r"[^A-Za-z0-9-]", "-", record.period),
             "rows": []},
        )  # fmt: skip
        short = record.data_fingerprint.removeprefix("sha256:")[:12]
        hidden = not show_names and record.kind in PSEUDONYMISED_KINDS
        subject = None if hidden else record.subject
        group["rows"].append(
            {
                "sort": (_kind_order(record.kind), record.team or "", subject or "", record.lang),
                "href": _href(path.parent / record.file, root) if record.status == "ok" else "",
                "title": tr.t("site.hidden_subject", kind=tr.kind(record.kind)) if hidden else record.title,
                "kind": tr.kind(record.kind),
                "kind_code": record.kind,
                "team": " · ".join(x for x in (record.team or tr.t("site.all_teams"), subject) if x),
                "lang": LANGUAGES.get(record.lang, record.lang),
                "lang_code": record.lang,
                "figures": [] if hidden else [f for f in record.key_figures if f.text],
                "error": tr.t("site.failed", error=record.error) if record.status == "failed" else "",
                "as_of": tr.date(pd.Timestamp(record.data_as_of)) if record.data_as_of else "",
                "as_of_key": _timestamp_key(record.data_as_of),
                "fingerprint": short,
                "fingerprint_title": tr.t("site.fingerprint_title", fingerprint=record.data_fingerprint),
                "rendered": tr.datetime(pd.Timestamp(record.rendered_at)) if record.rendered_at else "",
                "rendered_key": _timestamp_key(record.rendered_at),
            }
        )
    ordered = [groups[k] for k in sorted(groups, reverse=True)]
    for group in ordered:
        group["rows"].sort(key=lambda row: row["sort"])
    return ordered


def check_index_owned(root: str | Path, *, force: bool = False, name: str = INDEX_NAME) -> None:
    """Refuse to replace an ``index.html`` in ``root`` that the toolkit did not write (unless ``force``).

    The site writes only files it owns: its index carries the toolkit's ``generator`` tag, its reports a
    record beside them.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "index.html").write_text("<h1>My own page</h1>")
    >>> check_index_owned(root)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.ReportError: .../index.html was not written by kpi-toolkit; ... Fix: ... --force ...
    """
    index = Path(root) / name
    if force or not index.exists():
        return
    try:
        with open(index, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise ReportError(f"{index} cannot be read ({exc.strerror}). Fix: check its permissions.") from None
    if _OWN_MARK not in head:
        raise ReportError(
            f"{index} was not written by kpi-toolkit; the report site would replace it. Fix: choose "
            "another --out folder, move the file away, or pass --force to replace it."
        )


def write_index(
    root: Path,
    records: list[tuple[Path, ReportRecord]],
    problems: list[str],
    tr: Translator,
    languages: list[str],
    default: str,
    show_names: bool,
) -> None:
    """Write the index of ``root`` in the language of ``tr`` (``index_name(tr.lang, default)``), linking the
    indexes in the other ``languages``."""
    index = root / index_name(tr.lang, default)
    text = _INDEX.render(
        tr=tr,
        languages=[
            {"href": index_name(o, default), "lang": o, "name": LANGUAGES.get(o, o)}
            for o in languages
            if o != tr.lang
        ],
        groups=_index_rows(records, root, tr, show_names=show_names),
        count=len(records),
        problems=problems,
        folder=str(root),
        headers=(
            "report",
            "kind",
            "team",
            "language",
            "key_figures",
            "data_as_of",
            "fingerprint",
            "rendered",
        ),
        css=page.style(),
        script=page.script(),
        csp=page.content_security_policy(),
        version=kpi_toolkit.__version__,
    )
    write_text_atomic(index, text)
