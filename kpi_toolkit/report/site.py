"""The report site: ``index.html`` lists every rendered report, and every report links back to it and to the
same report for the previous and next period.

How it works
------------
Each render writes, next to its HTML, a small JSON record, ``<name>.report.json`` (:class:`ReportRecord`:
kind, period, team, language, title, key figures, data fingerprint, data as of, when and with which toolkit
version it was rendered, its parameters). :func:`build_site` discovers the records anywhere under the reports
folder and

- writes ``index.html``: the reports by period (newest first), each with its kind, team, language and key
  figures, in sortable tables; a failed render (a record with ``status="failed"``, as a batch writes) is
  listed with its error;
- rewrites each report's navigation bar (between :data:`~kpi_toolkit.report.page.NAV_START` and
  :data:`~kpi_toolkit.report.page.NAV_END`, which the report template leaves empty): a link to the index, to
  the same report (kind, team, subject, language, period length) for the previous and for the next period when
  those have been rendered, and to the same report in the other languages. The links are relative, so a copied
  or zipped reports folder keeps working.

Pseudonymised reports: a per-manager report shows its reader's colleagues under letters. The index does not
undo that: by default its rows of per-manager reports show neither the manager's name nor their key figures
(the kind and team only; the link stays). The switch is :data:`INDEX_NAMES_VARIABLE`
(``KPI_REPORT_INDEX_NAMES=show``, read by every command that rebuilds the index) or ``build_site(...,
show_names=True)``, for a folder that only people allowed to see everyone's figures can open.

Run it after every render (``kpi-report`` does), or once after many (a batch): it is idempotent, touches a
report only when its links change, and holds a lock on the folder so that concurrent renders cannot lose each
other's entries. A new report kind needs nothing here: write its record with :func:`write_record` and rebuild.
Everything shown comes from the records and is escaped; a record that does not parse, or whose ``file`` is not
a plain file name beside it, is left out and named in the index.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import jinja2
import pandas as pd

import kpi_toolkit
from kpi_toolkit.atomic import write_text_atomic
from kpi_toolkit.errors import ReportError
from kpi_toolkit.periods import Period
from kpi_toolkit.report import page
from kpi_toolkit.report.i18n import LANGUAGES, Translator, translator
from kpi_toolkit.report.site_links import index_name, related_links, set_body_links

__all__ = [
    "INDEX_NAME",
    "INDEX_NAMES_VARIABLE",
    "KINDS",
    "PSEUDONYMISED_KINDS",
    "RECORD_FORMAT",
    "SIDECAR_SUFFIX",
    "KeyFigure",
    "ReportRecord",
    "Site",
    "build_site",
    "check_index_owned",
    "read_records",
    "rendered_footer",
    "sidecar_path",
    "write_record",
]

SIDECAR_SUFFIX = ".report.json"
INDEX_NAME = "index.html"
RECORD_FORMAT = "kpi-toolkit/report-record/1"
#: Report kinds in the order the index lists them (kinds not listed here follow, alphabetically).
KINDS = ("quarterly", "comparison", "plan_gap", "showcase", "card")
#: Report kinds whose subject is a manager shown to colleagues under a pseudonym elsewhere in the folder.
PSEUDONYMISED_KINDS = ("manager",)
#: The environment variable that makes the index name the subjects of pseudonymised reports: ``show``.
INDEX_NAMES_VARIABLE = "KPI_REPORT_INDEX_NAMES"
_LOCK_NAME = ".kpi-site.lock"
#: How an index the toolkit wrote starts its head; an ``index.html`` without it is not the site's to replace.
_OWN_MARK = '<meta name="generator" content="kpi-toolkit'

_FILE_NAME = re.compile(r"^[^/\\:]+\.html$")


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of a report: a code, its label and text in the report's language, the raw number."""

    key: str
    label: str
    text: str
    value: float | None = None
    note: str = ""


@dataclass(frozen=True)
class ReportRecord:
    """What the site knows of one rendered report (its JSON sidecar). Build it with :meth:`create`."""

    kind: str
    period: str
    title: str
    lang: str = "en"
    #: The team reported on; ``None`` for all teams.
    team: str | None = None
    #: A narrower subject (e.g. one manager, in a per-manager batch report); ``None`` when none.
    subject: str | None = None
    period_kind: str = ""
    period_start: str = ""
    previous_period: str = ""
    next_period: str = ""
    currency: str | None = None
    key_figures: tuple[KeyFigure, ...] = ()
    data_fingerprint: str = ""
    data_as_of: str = ""
    rendered_at: str = ""
    toolkit_version: str = ""
    parameters: Mapping[str, str] = field(default_factory=dict)
    #: The report's HTML file, beside the record (set by :func:`write_record`).
    file: str = ""
    status: Literal["ok", "failed"] = "ok"
    error: str = ""
    #: The name(s) the file name was made from (see :mod:`kpi_toolkit.report.names`): a later run never
    #: overwrites this report for another name.
    owner: str = ""

    @classmethod
    def create(
        cls,
        *,
        kind: str,
        period: Period,
        title: str,
        lang: str = "en",
        team: str | None = None,
        subject: str | None = None,
        currency: str | None = None,
        key_figures: Sequence[KeyFigure] = (),
        data_fingerprint: str = "",
        data_as_of: pd.Timestamp | None = None,
        parameters: Mapping[str, Any] | None = None,
        rendered_at: pd.Timestamp | None = None,
        status: Literal["ok", "failed"] = "ok",
        error: str = "",
    ) -> ReportRecord:
        """A record of a report of ``kind`` for ``period``; ``rendered_at`` defaults to now (UTC).

        Examples
        --------
        >>> from kpi_toolkit.periods import parse_period
        >>> r = ReportRecord.create(kind="quarterly", period=parse_period("2026Q1"), title="Q1",
        ...                         rendered_at=pd.Timestamp("2026-04-02 10:00", tz="UTC"))
        >>> r.previous_period, r.next_period, r.period_kind, r.rendered_at
        ('2025Q4', '2026Q2', 'quarter', '2026-04-02T10:00:00Z')
        """
        moment = pd.Timestamp.now(tz="UTC") if rendered_at is None else pd.Timestamp(rendered_at)
        moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
        return cls(
            kind=kind,
            period=str(period),
            title=title,
            lang=lang,
            team=team or None,
            subject=subject or None,
            period_kind=period.kind,
            period_start=pd.Timestamp(period.start).date().isoformat(),
            previous_period=str(period.previous()),
            next_period=str(period.shift(1)),
            currency=currency or None,
            key_figures=tuple(key_figures),
            data_fingerprint=data_fingerprint,
            data_as_of="" if data_as_of is None else pd.Timestamp(data_as_of).date().isoformat(),
            rendered_at=moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
            toolkit_version=kpi_toolkit.__version__,
            parameters={str(k): str(v) for k, v in (parameters or {}).items()},
            status=status,
            error=error,
        )

    @property
    def series(self) -> tuple[str, str, str, str, str]:
        """What stays the same from one period's report to the next.

        Kind, team, subject, language and the period's length.
        """
        return (self.kind, self.team or "", self.subject or "", self.lang, self.period_kind)

    def to_json(self) -> dict[str, Any]:
        """The record as JSON-ready data (with the format tag)."""
        data = asdict(self)
        data["parameters"] = dict(self.parameters)
        data["key_figures"] = list(data["key_figures"])
        return {"format": RECORD_FORMAT, **data}

    @classmethod
    def from_json(cls, data: Any) -> ReportRecord:
        """A record from JSON data; ``ValueError`` naming the problem when it is not a valid record."""
        if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
            raise ValueError(f"not a report record (format is not {RECORD_FORMAT!r})")
        text_fields = [
            "kind", "period", "title", "lang", "period_kind", "period_start", "previous_period",
            "next_period", "data_fingerprint", "data_as_of", "rendered_at", "toolkit_version", "file",
            "error", "owner",
        ]  # fmt: skip
        values: dict[str, Any] = {}
        for name in text_fields:
            value = data.get(name, "")
            if not isinstance(value, str):
                raise ValueError(f"field {name!r} is not text")
            values[name] = value
        for name in ("team", "subject", "currency"):
            value = data.get(name)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"field {name!r} is not text")
            values[name] = value or None
        if not values["kind"] or not values["period"]:
            raise ValueError("fields 'kind' and 'period' are required")
        for name in ("period_start", "data_as_of", "rendered_at"):
            try:
                if values[name] and pd.isna(pd.Timestamp(values[name])):
                    raise ValueError
            except ValueError:
                raise ValueError(f"field {name!r} ({values[name]!r}) is not a date") from None
        if data.get("status", "ok") not in ("ok", "failed"):
            raise ValueError("field 'status' is neither 'ok' nor 'failed'")
        if data.get("status", "ok") == "ok" and not _FILE_NAME.match(values["file"]):
            raise ValueError(
                f"field 'file' ({values['file']!r}) is not the name of an HTML file beside the record"
            )
        parameters = data.get("parameters") or {}
        figures = data.get("key_figures") or []
        if not isinstance(parameters, dict) or not isinstance(figures, list):
            raise ValueError("fields 'parameters' and 'key_figures' have the wrong shape")
        key_figures = []
        for item in figures:
            if not isinstance(item, dict):
                raise ValueError("a key figure is not an object")
            value = item.get("value")
            key_figures.append(
                KeyFigure(
                    key=str(item.get("key", "")),
                    label=str(item.get("label", "")),
                    text=str(item.get("text", "")),
                    value=float(value) if isinstance(value, int | float) else None,
                    note=str(item.get("note", "")),
                )
            )
        return cls(
            **values,
            status=data.get("status", "ok"),
            key_figures=tuple(key_figures),
            parameters={str(k): str(v) for k, v in parameters.items()},
        )


@dataclass(frozen=True)
class Site:
    """What :func:`build_site` did: the index it wrote, how many reports it lists, what it left out."""

    index: Path
    reports: int
    updated: list[Path]
    problems: list[str]


def rendered_footer(record: ReportRecord) -> str:
    """The line at the foot of a report: when and with which toolkit it was rendered, from which data.

    >>> from kpi_toolkit.periods import parse_period
    >>> r = ReportRecord.create(kind="quarterly", period=parse_period("2026Q3"), title="t", lang="ru",
    ...                         data_as_of=pd.Timestamp("2026-09-30"), data_fingerprint="sha256:ab",
    ...                         rendered_at=pd.Timestamp("2026-11-26 14:05", tz="UTC"))
    >>> print(rendered_footer(r).replace("\xa0", " "))  # doctest: +ELLIPSIS
    Отчёт построен 26.11.2026, 14:05 UTC, kpi-toolkit ... Данные на 30.09.2026; отпечаток данных sha256:ab.
    """
    tr = translator(record.lang if record.lang in LANGUAGES else "en")
    return tr.t(
        "page.footer_rendered",
        time=tr.datetime(pd.Timestamp(record.rendered_at)),
        version=record.toolkit_version,
        date=tr.date(pd.Timestamp(record.data_as_of)) if record.data_as_of else tr.date(None),
        fingerprint=record.data_fingerprint or tr.date(None),
    )


def sidecar_path(html_path: str | Path) -> Path:
    """The record beside a report: ``quarterly.ru.html`` -> ``quarterly.ru.report.json``.

    >>> sidecar_path("reports/2026Q3/quarterly_north.ru.html").as_posix()
    'reports/2026Q3/quarterly_north.ru.report.json'
    """
    html_path = Path(html_path)
    return html_path.with_name(html_path.name.removesuffix(".html") + SIDECAR_SUFFIX)


def _write_atomic(path: Path, text: str) -> None:
    write_text_atomic(path, text)


def write_record(record: ReportRecord, html_path: str | Path) -> Path:
    """Write ``record`` as the sidecar of the report ``html_path`` (atomically); returns its path."""
    html_path = Path(html_path)
    record = replace(record, file=html_path.name)
    path = sidecar_path(html_path)
    _write_atomic(path, json.dumps(record.to_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return path


def read_records(root: str | Path) -> tuple[list[tuple[Path, ReportRecord]], list[str]]:
    """Every valid record under ``root`` (with its path), and a note for each that was left out."""
    root = Path(root)
    found: list[tuple[Path, ReportRecord]] = []
    problems: list[str] = []
    for path in sorted(root.rglob(f"*{SIDECAR_SUFFIX}")):
        relative = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # temporary folders of renders in progress
        try:
            record = ReportRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
            problems.append(f"{relative} ({exc})")
            continue
        if record.status == "ok" and not (path.parent / record.file).is_file():
            problems.append(f"{relative} (its report {record.file} is missing)")
            continue
        found.append((path, record))
    return found, problems


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    """Hold an exclusive lock on the reports folder (POSIX; elsewhere no lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    with open(root / _LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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


def _href(target: Path, start: Path) -> str:
    return quote(Path(os.path.relpath(target, start)).as_posix())


def _timestamp_key(text: str) -> str:
    try:
        return repr(pd.Timestamp(text).timestamp())
    except ValueError:
        return ""


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind), "") if kind in KINDS else (len(KINDS), kind)


def _navigation(
    path: Path, record: ReportRecord, root: Path, by_series: dict, by_subject: dict, default: str = "en"
) -> tuple[str, list[dict[str, str]], Translator]:
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


def _set_navigation(
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
    _write_atomic(html_path, updated)
    return True


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


def build_site(
    root: str | Path, *, lang: str = "en", force: bool = False, show_names: bool | None = None
) -> Site:
    """Rebuild the site of the reports folder ``root``: its ``index.html`` and every report's navigation bar.

    Parameters
    ----------
    root
        The reports folder (``kpi-report ... --out``); records are found in any folder below it.
    lang
        The language of the index page (each report's navigation bar is in the report's own language).
    force
        Replace an ``index.html`` the toolkit did not write (without it: a :class:`ReportError`).
    show_names
        Whether the index names the managers of per-manager reports and shows their key figures
        (:data:`PSEUDONYMISED_KINDS`); ``None``: as :data:`INDEX_NAMES_VARIABLE` says (``show``), else not.

    Returns
    -------
    Site
        The index written, the number of reports it lists, the reports whose navigation changed, and the
        records left out (unreadable, or their report is missing).

    Examples
    --------
    >>> import tempfile
    >>> site = build_site(tempfile.mkdtemp())
    >>> site.index.name, site.reports
    ('index.html', 0)
    """
    translator(lang)  # an unknown language fails before anything is written
    if show_names is None:
        show_names = os.environ.get(INDEX_NAMES_VARIABLE, "").strip().lower() == "show"
    root = Path(root).resolve()
    with _locked(root):
        check_index_owned(root, force=force)
        records, problems = read_records(root)
        newest: dict[tuple[Any, str], tuple[Path, ReportRecord]] = {}
        for path, record in records:
            key = (record.series, record.period)
            if record.status == "ok" and (
                key not in newest or newest[key][1].rendered_at < record.rendered_at
            ):
                newest[key] = (path, record)
        by_subject: dict[tuple[str, ...], list[tuple[Path, ReportRecord]]] = {}
        for (series, period), item in newest.items():
            kind, team, subject, _, period_kind = series
            by_subject.setdefault((kind, team, subject, period_kind, period), []).append(item)
        updated = []
        for path, record in records:
            if record.status != "ok":
                continue
            nav, related, nav_tr = _navigation(path, record, root, newest, by_subject, lang)
            if _set_navigation(path.parent / record.file, nav, related, nav_tr):
                updated.append(path.parent / record.file)
        # one index per language with reports: index.html in ``lang``, index.<other>.html in the others
        languages = [lang, *sorted({r.lang for _, r in records if r.lang in LANGUAGES} - {lang})]
        for other in languages[1:]:
            check_index_owned(root, force=force, name=index_name(other, lang))
        for shown in languages[::-1]:  # index.html last: its time says when the site was rebuilt
            _write_index(root, records, problems, translator(shown), languages, lang, show_names)
    return Site(index=root / INDEX_NAME, reports=len(records), updated=updated, problems=problems)


def _write_index(
    root: Path,
    records: list[tuple[Path, ReportRecord]],
    problems: list[str],
    tr: Translator,
    languages: list[str],
    default: str,
    show_names: bool,
) -> None:
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
    _write_atomic(index, text)
