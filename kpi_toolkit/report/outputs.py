"""What a report notebook hands back: its record and its data files, written by its last cell.

A report is computed once, in its notebook. Its last cell calls :func:`write_outputs`: the report's record
(:class:`~kpi_toolkit.report.site.ReportRecord`: title, key figures, data fingerprint, data date, parameters)
goes to ``record.json`` and the report's data files (``kpis.csv``, ``bonuses.xlsx`` ...) go, under their
base names, into the notebook's ``output_dir`` parameter. ``kpi-report`` and the batch give the notebook a
hidden folder of their staging area as ``output_dir``, read the outputs back (:func:`read_outputs`), name
the files for the team or manager and publish the set (:mod:`kpi_toolkit.report.publish`). With
``output_dir`` empty (a run in JupyterLab) nothing is written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ReportError
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.site import ReportRecord
from kpi_toolkit.spreadsheets import safe_for_spreadsheet

__all__ = [
    "QUARANTINE_FILE",
    "RECORD_FILE",
    "Outputs",
    "manager_subject",
    "read_outputs",
    "report_record",
    "write_outputs",
]

RECORD_FILE = "record.json"
#: The rows set aside by ``on_invalid="quarantine"``, written beside every report that set some aside.
QUARANTINE_FILE = "quarantine.csv"

#: A data file: a frame (written as CSV, formulas neutralised) or a function that writes the file at a path.
DataFile = pd.DataFrame | Callable[[Path], Any]


@dataclass(frozen=True)
class Outputs:
    """A report's outputs as read back from its ``output_dir``."""

    record: ReportRecord
    #: Base name (``kpis.csv``) -> the file written, in the order the notebook gave them.
    files: dict[str, Path]
    #: Every team and manager id of the data set (file names are unique among them, see ``names``).
    teams: list[str]
    managers: list[str]
    #: Rows set aside by ``on_invalid="quarantine"`` (in ``quarantine.csv`` when any).
    quarantined: int


def report_record(
    kind: str,
    report: Any,
    views: Any,
    tr: Translator,
    *,
    parameters: Mapping[str, Any],
    team: str | None = None,
    subject: str | None = None,
    numbers: Any = None,
) -> ReportRecord:
    """The record of a report object: title and key figures from its ``views`` module (``page_title``,
    ``key_figures``), period, data fingerprint and data date from ``numbers`` (default ``report``)."""
    numbers = report if numbers is None else numbers
    return ReportRecord.create(
        kind=kind,
        period=numbers.period,
        title=views.page_title(report, tr),
        lang=tr.lang,
        team=team,
        subject=subject,
        currency=tr.currency,
        key_figures=views.key_figures(report, tr),
        data_fingerprint=numbers.data_fingerprint,
        data_as_of=numbers.data_as_of,
        parameters=parameters,
    )


def manager_subject(data: SalesData, manager: str) -> str:
    """What the site shows beside a per-manager report's team: the manager's name and id (the id alone
    when it is the name)."""
    name = str(data.manager_info["name"].get(manager, manager))
    return manager if name == str(manager) else f"{name} ({manager})"


def write_outputs(
    output_dir: str | Path,
    *,
    record: ReportRecord,
    data: SalesData,
    files: Mapping[str, DataFile] | None = None,
) -> Path | None:
    """Write ``record`` and ``files`` (base name -> frame or writer) into ``output_dir``, with the rows
    ``data`` set aside (``quarantine.csv``) and the names of its teams and managers; nothing when
    ``output_dir`` is empty. Returns the record's path (``None`` when nothing was written)."""
    if not output_dir:
        return None
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(files or {})
    for name, content in (files or {}).items():
        if isinstance(content, pd.DataFrame):
            safe_for_spreadsheet(content).to_csv(folder / name, index=False)
        else:
            content(folder / name)
    quarantined = int(data.row_counts["rows_excluded"].sum()) if len(data.quarantine) else 0
    if quarantined:
        safe_for_spreadsheet(data.quarantine).to_csv(folder / QUARANTINE_FILE, index=False)
    payload = {
        **record.to_json(),
        "file": record.file or "report.html",  # named by the publisher
        "outputs": {
            "files": names,
            "teams": [str(t) for t in data.teams],
            "managers": [str(m) for m in data.manager_ids],
            "quarantined": quarantined,
        },
    }
    path = folder / RECORD_FILE
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read_outputs(output_dir: str | Path) -> Outputs:
    """The outputs a report notebook wrote into ``output_dir`` (:func:`write_outputs`)."""
    folder = Path(output_dir)
    try:
        payload = json.loads((folder / RECORD_FILE).read_text(encoding="utf-8"))
        record = ReportRecord.from_json(payload)
        extra = payload["outputs"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(
            f"the report notebook wrote no readable record into {folder} ({exc}). Fix: its last cell must "
            "call kpi_toolkit.report.outputs.write_outputs(output_dir, ...)."
        ) from None
    files = {name: folder / name for name in extra.get("files", [])}
    if extra.get("quarantined"):
        files[QUARANTINE_FILE] = folder / QUARANTINE_FILE
    return Outputs(
        record=record,
        files=files,
        teams=list(extra.get("teams", [])),
        managers=list(extra.get("managers", [])),
        quarantined=int(extra.get("quarantined", 0)),
    )
