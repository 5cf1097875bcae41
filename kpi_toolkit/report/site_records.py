"""The record beside each rendered report (``<name>.report.json``): what the site knows of a report.

:class:`ReportRecord` holds its kind, period, team, language, title, key figures (:class:`KeyFigure`), data
fingerprint, data date, when and with which toolkit version it was rendered, and its parameters;
:func:`write_record` writes it beside the report, :func:`read_records` finds every valid one under a reports
folder (:mod:`kpi_toolkit.report.site` builds the index and the navigation from them).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import pandas as pd

import kpi_toolkit
from kpi_toolkit.atomic import write_text_atomic
from kpi_toolkit.periods import Period
from kpi_toolkit.report.i18n import LANGUAGES, translator

__all__ = [
    "RECORD_FORMAT",
    "SIDECAR_SUFFIX",
    "KeyFigure",
    "ReportRecord",
    "read_records",
    "rendered_footer",
    "sidecar_path",
    "write_record",
]

SIDECAR_SUFFIX = ".report.json"
RECORD_FORMAT = "kpi-toolkit/report-record/1"

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


def write_record(record: ReportRecord, html_path: str | Path) -> Path:
    """Write ``record`` as the sidecar of the report ``html_path`` (atomically); returns its path."""
    html_path = Path(html_path)
    record = replace(record, file=html_path.name)
    path = sidecar_path(html_path)
    write_text_atomic(path, json.dumps(record.to_json(), ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return path


def _sidecars(root: Path) -> list[Path]:
    """The records under ``root``, sorted, never looking into hidden folders: those are the staging folders
    of renders in progress (``.publish-*``, :mod:`kpi_toolkit.report.publish`), which another process may
    remove while we walk (``Path.rglob`` then fails with FileNotFoundError; ``os.walk`` skips a folder that
    vanished)."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        names = [name for name in files if name.endswith(SIDECAR_SUFFIX) and not name.startswith(".")]
        found += [Path(folder) / name for name in names]
    return sorted(found)


def read_records(root: str | Path) -> tuple[list[tuple[Path, ReportRecord]], list[str]]:
    """Every valid record under ``root`` (with its path), and a note for each that was left out."""
    root = Path(root)
    found: list[tuple[Path, ReportRecord]] = []
    problems: list[str] = []
    for path in _sidecars(root):
        relative = path.relative_to(root).as_posix()
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
