"""What the reports of a batch share: the loaded data set and each team's numbers, computed once per worker.

The report notebooks load their data with :func:`load` and compute a team's numbers with
:func:`quarterly_report`. Outside a batch (a notebook run alone, in JupyterLab or by ``kpi-report
quarterly``) both simply call :func:`kpi_toolkit.load` and :func:`kpi_toolkit.report.quarterly_report`. In
a batch worker (a long-lived kernel that renders many reports, see :mod:`kpi_toolkit.report.batch`),
:func:`enable` turns on memoisation: the data set is loaded and validated once, and each (period, team) is
computed once, however many reports need it.

A memoised result is returned only for exactly the same inputs: the same folder, mapping, ``on_invalid`` and
plan metric, with every file of the folder (and the mapping file) unchanged in name, size and modification
time; the same period, team and history length. Loading another data set forgets the previous one. The
results are shared objects: the report code treats them as read-only (every function of the toolkit is
pure), and ``tests/test_batch.py`` checks that a report rendered after others is identical to one rendered
alone.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import DataValidationError, Violation
from kpi_toolkit.loading import load as _load
from kpi_toolkit.periods import Period, parse_span, require_data
from kpi_toolkit.report import quarterly as _quarterly
from kpi_toolkit.report.quarterly import QuarterlyReport

__all__ = [
    "MAX_REPORTS",
    "clear",
    "covered",
    "disable",
    "enable",
    "enabled",
    "load",
    "quarterly_report",
]

#: How many team reports a worker keeps (the least recently used are dropped first).
MAX_REPORTS = 64

_state: dict[str, Any] = {"enabled": False, "data_key": None, "data": None}
_reports: OrderedDict[tuple[Any, ...], QuarterlyReport] = OrderedDict()


def enable() -> None:
    """Memoise :func:`load` and :func:`quarterly_report` in this process (a batch worker)."""
    _state["enabled"] = True


def disable() -> None:
    """Stop memoising and forget what was kept."""
    _state["enabled"] = False
    clear()


def enabled() -> bool:
    """Whether this process memoises (it is a batch worker)."""
    return bool(_state["enabled"])


def clear() -> None:
    """Forget the memoised data set and team reports."""
    _state["data_key"] = _state["data"] = None
    _reports.clear()


def _stat(path: Path) -> tuple[str, int, int]:
    info = path.stat()
    return (path.name, info.st_size, info.st_mtime_ns)


def _data_key(source: str | Path, mapping: str | Path | None, on_invalid: str) -> tuple[Any, ...]:
    folder = Path(source).resolve()
    files = tuple(_stat(p) for p in sorted(folder.iterdir()) if p.is_file()) if folder.is_dir() else ()
    mapping_key: tuple[Any, ...] = ()
    if mapping:
        mapping_path = Path(mapping).resolve()
        mapping_key = (str(mapping_path), *(_stat(mapping_path) if mapping_path.is_file() else ()))
    return (str(folder), files, mapping_key, on_invalid)


def _with_orders(data: SalesData, source: str | Path) -> SalesData:
    """Refuse a data set without orders: there is nothing to report on."""
    if pd.isna(data.first_date):
        raise DataValidationError(
            [
                Violation(
                    "orders",
                    str(source),
                    None,
                    "the orders table has no rows (only a header): there is nothing to report on",
                    fix="export the orders again, with the period you want to report on",
                )
            ]
        )
    return data


def covered(data: SalesData, period: str | Period | None) -> SalesData:
    """``data``, after refusing a ``period`` it has no data for (nothing to check when ``period`` is empty).

    A report checks its period this way before it computes anything, with the same message whichever
    report it is (``period='2031' has no data: the data runs from ...``).
    """
    if period:
        span = (
            parse_span(period, fiscal_year_start=data.fiscal_year_start)
            if isinstance(period, str)
            else period
        )
        require_data(span, first=data.first_date, last=data.last_date)
    return data


def load(
    source: str | Path,
    *,
    mapping: str | Path | None = None,
    on_invalid: str = "raise",
    plan_metric: str | None = None,
) -> SalesData:
    """:func:`kpi_toolkit.load` (``mapping`` empty or ``None``: canonical tables; ``plan_metric`` empty or
    ``None``: the mapping's or the folder's setting), once per batch worker; a data set without orders is
    refused (a report on it would be empty).

    >>> import tempfile
    >>> from kpi_toolkit.demo import write_demo_data
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = write_demo_data(tmp)
    ...     enable()
    ...     memoised = load(folder) is load(folder)
    ...     disable()
    ...     afresh = load(folder) is load(folder)
    >>> memoised, afresh
    (True, False)
    """
    mapping = mapping or None
    plan_metric = plan_metric or None
    if not _state["enabled"]:
        return _with_orders(
            _load(source, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric),  # type: ignore[arg-type]
            source,
        )
    key = (*_data_key(source, mapping, on_invalid), plan_metric)
    if _state["data_key"] != key:
        clear()
        data = _load(source, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric)  # type: ignore[arg-type]
        _state["data"] = _with_orders(data, source)
        _state["data_key"] = key
    return _state["data"]


def quarterly_report(
    data: SalesData, *, period: str | Period | None = None, team: str | None = None, history: int = 8
) -> QuarterlyReport:
    """:func:`kpi_toolkit.report.quarterly_report`, computed once per (period, team) in a batch worker.

    Memoised only for the data set that :func:`load` returned; any other data is computed afresh. A period
    without data is refused (:func:`covered`; the default period too).
    """
    p = (
        parse_span(period, fiscal_year_start=data.fiscal_year_start)
        if period
        else _quarterly.default_period(data)
    )
    covered(data, p)
    if not _state["enabled"] or data is not _state["data"]:
        return _quarterly.quarterly_report(data, period=p, team=team, history=history)
    key = (str(p), team or "", history)
    if key in _reports:
        _reports.move_to_end(key)
        return _reports[key]
    report = _quarterly.quarterly_report(data, period=p, team=team, history=history)
    _reports[key] = report
    while len(_reports) > MAX_REPORTS:
        _reports.popitem(last=False)
    return report
