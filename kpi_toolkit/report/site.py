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

Where it lives: the records in :mod:`~kpi_toolkit.report.site_records`, the index in
:mod:`~kpi_toolkit.report.site_index`, the navigation bar in :mod:`~kpi_toolkit.report.site_navigation`, the
links between reports in :mod:`~kpi_toolkit.report.site_links`; this module rebuilds the site from them (and
exports their public names, as before).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpi_toolkit.report.i18n import LANGUAGES, translator
from kpi_toolkit.report.site_index import (
    INDEX_NAME,
    KINDS,
    PSEUDONYMISED_KINDS,
    check_index_owned,
    write_index,
)
from kpi_toolkit.report.site_links import index_name
from kpi_toolkit.report.site_navigation import navigation, set_navigation
from kpi_toolkit.report.site_records import (
    RECORD_FORMAT,
    SIDECAR_SUFFIX,
    KeyFigure,
    ReportRecord,
    read_records,
    rendered_footer,
    sidecar_path,
    write_record,
)

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

#: The environment variable that makes the index name the subjects of pseudonymised reports: ``show``.
INDEX_NAMES_VARIABLE = "KPI_REPORT_INDEX_NAMES"
_LOCK_NAME = ".kpi-site.lock"


@dataclass(frozen=True)
class Site:
    """What :func:`build_site` did: the index it wrote, how many reports it lists, what it left out."""

    index: Path
    reports: int
    updated: list[Path]
    problems: list[str]


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
            nav, related, nav_tr = navigation(path, record, root, newest, by_subject, lang)
            if set_navigation(path.parent / record.file, nav, related, nav_tr):
                updated.append(path.parent / record.file)
        # one index per language with reports: index.html in ``lang``, index.<other>.html in the others
        languages = [lang, *sorted({r.lang for _, r in records if r.lang in LANGUAGES} - {lang})]
        for other in languages[1:]:
            check_index_owned(root, force=force, name=index_name(other, lang))
        for shown in languages[::-1]:  # index.html last: its time says when the site was rebuilt
            write_index(root, records, problems, translator(shown), languages, lang, show_names)
    return Site(index=root / INDEX_NAME, reports=len(records), updated=updated, problems=problems)
