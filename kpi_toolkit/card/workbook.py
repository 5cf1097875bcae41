"""The payroll workbook of a KPI card (``bonuses.xlsx``): what to pay, how it was computed, and the card.

The sheets are those of :func:`~kpi_toolkit.card.spreadsheet.payroll_sheets`, already neutralised against
formula injection by :mod:`kpi_toolkit.spreadsheets`. Writing them adds a second guard: every text cell is
stored as a string (openpyxl would store a text starting with ``=`` as a formula), so the workbook holds no
formula at all. Numbers stay numbers, with number formats for money, rates and factors; a missing value is an
empty cell. The same inputs give the same bytes: the workbook's created and modified times and the times of
the files inside it are fixed (:data:`WORKBOOK_TIMESTAMP`), not the time of writing.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kpi_toolkit.atomic import replacing
from kpi_toolkit.card.spec import CardLike
from kpi_toolkit.card.spreadsheet import payroll_sheets
from kpi_toolkit.errors import ParameterError

__all__ = ["NUMBER_FORMATS", "WORKBOOK_TIMESTAMP", "write_bonus_workbook"]

#: The created and modified time written into every workbook (and the time of the files in it): fixed, so
#: that the same payouts give a byte-identical file. 1980-01-01 is the earliest time a zip file can hold.
WORKBOOK_TIMESTAMP = dt.datetime(1980, 1, 1)
MONEY = "#,##0.00"
RATE = "0.0%"
FACTOR = "0.0000"
#: Number formats by column name (any sheet). The scorecard's ``actual`` and ``target`` are formatted by
#: the row's metric (:data:`METRIC_FORMATS`).
NUMBER_FORMATS: Mapping[str, str] = {
    "base_bonus": MONEY,
    "bonus": MONEY,
    "score": FACTOR,
    "achievement": RATE,
    "factor": FACTOR,
    "weight": RATE,
    "weighted": FACTOR,
}
#: Number formats of a scorecard's ``actual`` and ``target`` by metric (others: General).
METRIC_FORMATS: Mapping[str, str] = {
    "sales_volume": MONEY,
    "average_check": MONEY,
    "conversion": RATE,
    "plan_attainment": RATE,
}
_MAX_WIDTH = 60
# Characters XML 1.0 cannot hold (openpyxl refuses them); shown as U+FFFD instead.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class _ReproducibleZip(zipfile.ZipFile):
    """A zip file whose members all carry :data:`WORKBOOK_TIMESTAMP`, not the time they were written."""

    def write(  # type: ignore[override]
        self,
        filename: str | os.PathLike[str],
        arcname: str | None = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        data = Path(filename).read_bytes()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(str(zinfo_or_arcname), date_time=WORKBOOK_TIMESTAMP.timetuple()[:6])
            info.compress_type = self.compression if compress_type is None else compress_type
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)


def _cell_value(value: Any) -> Any:
    """A cell's value for openpyxl: None (an empty cell) for missing values, infinite numbers and empty text;
    plain Python values otherwise."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        return _ILLEGAL.sub("\ufffd", value) if value else None
    return _ILLEGAL.sub("\ufffd", str(value))


def _write_sheet(ws: Any, frame: pd.DataFrame, labels: Mapping[str, str]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    columns = [str(c) for c in frame.columns]
    metrics = frame["metric"].tolist() if "metric" in frame.columns else None
    widths = [len(labels.get(c, c)) for c in columns]
    for j, name in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j, value=_cell_value(labels.get(name, name)))
        cell.data_type = "s"
        cell.font = Font(bold=True)
    for j, name in enumerate(columns, start=1):
        number_format = NUMBER_FORMATS.get(name)
        for i, raw in enumerate(frame.iloc[:, j - 1].tolist()):
            value = _cell_value(raw)
            if name == "metric" and isinstance(value, str):
                value = labels.get(f"metric.{value}", value)
            if value is None:
                continue
            cell = ws.cell(row=i + 2, column=j, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif not isinstance(value, bool):
                fmt = number_format
                if metrics is not None and name in ("actual", "target"):
                    fmt = METRIC_FORMATS.get(str(metrics[i]))
                if fmt:
                    cell.number_format = fmt
            widths[j - 1] = max(widths[j - 1], len(str(value)) + 2)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(width + 2, _MAX_WIDTH)
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"


def write_bonus_workbook(
    path: str | os.PathLike[str],
    *,
    card: CardLike,
    scorecard: pd.DataFrame,
    payouts: pd.DataFrame,
    labels: Mapping[str, str] | None = None,
) -> Path:
    """Write the payroll workbook of a card: sheets ``bonuses``, ``scorecard`` and ``card``.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (its folder is created; an existing file is replaced).
    card
        The card paid (anything :func:`~kpi_toolkit.card.load_card` takes).
    scorecard, payouts
        The card's scorecard and payouts (``kt.scorecard`` and ``kt.bonuses``, or
        :func:`~kpi_toolkit.card.score_kpis` and :func:`~kpi_toolkit.card.payouts`); further columns, such as
        the managers' names, are written as they are.
    labels
        What the reader sees instead of a code: a column's header by its name, a sheet's name by
        ``sheet.<name>``, a KPI in a ``metric`` column by ``metric.<code>`` (e.g. a report language's words,
        :func:`kpi_toolkit.report.report_words.payroll_for_people`); by default the codes themselves.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ParameterError
        When ``path`` does not end in ``.xlsx``, or ``scorecard`` or ``payouts`` is not a DataFrame.

    Notes
    -----
    Each sheet has its column names in a bold, frozen first row with an auto filter, then one row per row of
    its frame, in order. Text cells are stored as strings (a name such as ``=HYPERLINK("x")`` arrives
    neutralised as ``'=HYPERLINK("x")``, and could not run even if it had not been); numbers as numbers,
    formatted: money ``#,##0.00``, achievements and weights as percentages, scores and factors with four
    decimals (:data:`NUMBER_FORMATS`); true/false as booleans. NaN, None, infinite numbers and empty text are
    empty cells. Characters that a workbook cannot hold (control characters other than tab, line feed and
    carriage return) are replaced by U+FFFD. The file is written to a temporary file beside ``path`` and
    moved into place when complete. Nothing is rounded: the bonuses already are (to 0.01).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from kpi_toolkit.card import payouts, score_kpis
    >>> card = {"name": "A", "period": "quarter", "base_bonus": 1000,
    ...         "kpis": [{"metric": "orders", "weight": 1, "target": 10}]}
    >>> kpis = pd.DataFrame({"orders": [12.0, 4.0]}, index=["=HYPERLINK(1)", "m2"])
    >>> folder = tempfile.mkdtemp()
    >>> path = write_bonus_workbook(f"{folder}/bonuses.xlsx", card=card,
    ...                             scorecard=score_kpis(kpis, card=card), payouts=payouts(kpis, card=card))
    >>> sheet = openpyxl.load_workbook(path)["bonuses"]
    >>> [(c.value, c.data_type) for c in sheet["A"]]
    [('manager', 's'), ("'=HYPERLINK(1)", 's'), ('m2', 's')]
    >>> sheet["E2"].value, sheet["E2"].number_format
    (1000, '#,##0.00')
    """
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ParameterError(f"path={str(path)!r} is not an .xlsx file. Fix: name it e.g. bonuses.xlsx.")
    sheets = payroll_sheets(card=card, scorecard=scorecard, payouts=payouts)
    workbook = Workbook()
    workbook.remove(workbook.active)
    labels = labels or {}
    for name, frame in sheets.items():
        _write_sheet(workbook.create_sheet(title=labels.get(f"sheet.{name}", name)), frame, labels)
    properties = workbook.properties
    properties.creator = properties.lastModifiedBy = "kpi-toolkit"
    properties.created = properties.modified = WORKBOOK_TIMESTAMP
    with (
        replacing(path) as temporary,
        _ReproducibleZip(temporary, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive,
    ):
        ExcelWriter(workbook, archive).write_data()
    return path
