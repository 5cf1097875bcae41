"""Reading a data-set folder: one file per table, CSV or Parquet, the file's stem naming the table.

Files are read as they are, every CSV cell as text, so that nothing is converted (or lost) before the
validation sees it. Each frame gets a ``_row`` column with the row number the user sees in the file: the line
number for a CSV (the header is line 1; a blank line still counts), the 1-based position for Parquet and
in-memory frames. Exports in other shapes go through a mapping (:mod:`kpi_toolkit.mapping`), which produces
the same :class:`RawTable` objects.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.schema import TABLES
from kpi_toolkit.textfiles import TextColumns, decode_bytes, read_columns
from kpi_toolkit.textfiles_fast import read_columns_fast

__all__ = [
    "ROW",
    "RawTable",
    "StagedData",
    "check_file",
    "find_table_files",
    "frame_table",
    "read_file_bytes",
    "read_parquet_file",
    "read_table",
    "text_frame",
]

#: Name of the helper column that carries the user-visible row number through validation.
ROW = "_row"
SUFFIXES = (".csv", ".parquet")


@dataclass(frozen=True)
class RawTable:
    """A table as read, before validation: its name, where it came from, and the frame (with ``_row``).

    ``labels`` names, for a mapped table, the user's column behind each contract column (errors show it);
    ``rows_filtered`` counts the rows of the source file that a mapping's filter left out of the table.
    ``parts`` counts the rows of other files that fed the table, one ``(name, source, rows_read,
    rows_excluded, rows_filtered)`` each: the order lines whose amounts an orders table sums
    (``amount_from_lines``), as ``order_lines``.
    """

    name: str
    source: str
    frame: pd.DataFrame
    labels: Mapping[str, str] = field(default_factory=dict)
    rows_filtered: int = 0
    parts: tuple[tuple[str, str, int, int, int], ...] = ()


def check_file(path: Path, *, what: str) -> Path:
    """``path`` when it is a file one can open; else a :class:`ParameterError` that says what it is instead
    (missing, a folder, a loop of symbolic links, a link to a missing file). ``what`` names it in messages."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            problem = "is a loop of symbolic links"
        elif os.path.islink(path):
            problem = f"is a symbolic link to {os.readlink(path)!r}, which does not exist"
        elif exc.errno == errno.ENOENT:
            problem = "does not exist"
        else:
            problem = f"cannot be read ({exc.strerror})"
        raise ParameterError(f"{what} {str(path)!r} {problem}. Fix: {_FIX}") from None
    if os.path.isdir(path):
        raise ParameterError(f"{what} {str(path)!r} is a folder, not a file. Fix: {_FIX}")
    if not stat.S_ISREG(info.st_mode):
        raise ParameterError(f"{what} {str(path)!r} is not a regular file. Fix: {_FIX}")
    return path


_FIX = "pass (or put there) the file itself."


def read_file_bytes(path: Path, *, what: str) -> bytes:
    """The bytes of a data file, or a :class:`ParameterError` naming it when it cannot be read."""
    check_file(path, what=what)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ParameterError(
            f"{what} {str(path)!r} cannot be read ({exc.strerror or exc}). Fix: check its permissions "
            "(the user running the toolkit must be allowed to read it)."
        ) from None


def read_parquet_file(path: Path, *, table: str) -> pd.DataFrame:
    """A Parquet file as a frame; a :class:`DataValidationError` naming the file when it is empty or not
    Parquet."""
    import pyarrow as pa

    source = str(path)
    if check_file(path, what="file").stat().st_size == 0:
        raise DataValidationError(
            [Violation(table, source, None, "the file is empty (0 bytes)", fix="export it again")]
        )
    try:
        # one block per column, each Arrow column freed once converted: a third less peak memory while
        # reading, and a typed column that keeps a column as read (amounts) pins only that column
        return pd.read_parquet(path, to_pandas_kwargs={"split_blocks": True, "self_destruct": True})
    except (pa.ArrowException, OSError, ValueError) as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise DataValidationError(
            [
                Violation(
                    table,
                    source,
                    None,
                    f"the file cannot be read as Parquet ({detail})",
                    fix="export it again as Parquet, or as CSV",
                )
            ]
        ) from None


def find_table_files(folder: Path) -> dict[str, Path]:
    """Map each contract table found in ``folder`` to its file; fail on a missing folder or an ambiguity."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(
            f"data folder {str(folder)!r} does not exist or is not a folder. Fix: pass the folder that holds "
            "orders.csv (or orders.parquet), e.g. data/demo (run `make demo` to create it)."
        )
    found: dict[str, Path] = {}
    for name in TABLES:
        candidates = [
            folder / f"{name}{suffix}"
            for suffix in SUFFIXES
            if os.path.lexists(folder / f"{name}{suffix}")  # a broken link is named, not "missing"
        ]
        if len(candidates) > 1:
            raise ParameterError(
                f"data folder {str(folder)!r} has both {candidates[0].name} and {candidates[1].name}. "
                "Fix: keep one file per table."
            )
        if candidates:
            found[name] = check_file(candidates[0], what=f"the {name} table's file")
    if "orders" not in found:
        raise DataValidationError(
            [
                Violation(
                    table="orders",
                    source=str(folder),
                    column=None,
                    rule="the required table 'orders' is missing (no orders.csv or orders.parquet)",
                    fix="add orders.csv with columns order_id, manager, customer_id, ordered_at, amount",
                )
            ]
        )
    return found


def _normalise_headers(frame: pd.DataFrame, name: str, source: str) -> pd.DataFrame:
    headers = [str(c).strip().lower() for c in frame.columns]
    duplicated = sorted({h for h in headers if headers.count(h) > 1})
    if duplicated or ROW in headers:
        clash = duplicated or [ROW]
        raise DataValidationError(
            [
                Violation(
                    table=name,
                    source=source,
                    column=clash[0],
                    rule=f"column name(s) {clash} appear more than once (headers are compared "
                    f"without case and surrounding spaces) or use the reserved name {ROW!r}",
                    fix="rename or remove the repeated column",
                )
            ]
        )
    return frame.set_axis(headers, axis=1)


def read_table(name: str, path: Path) -> RawTable:
    """Read one table file (CSV as text, or Parquet) and number its rows as the user sees them.

    A CSV file is UTF-8 (with or without a byte-order mark) or UTF-16/32 with a byte-order mark, delimited by
    commas; any other encoding or delimiter needs a mapping file (see ``docs/mappings.md``).
    """
    path = Path(path)
    source = str(path)
    if path.suffix == ".parquet":
        return frame_table(name, read_parquet_file(path, table=name), source=source, first_row=1)
    data = read_file_bytes(path, what="file")
    fast = read_columns_fast(data, delimiter=",")  # None unless it provably reads what read_columns would
    if fast is not None:
        del data
        return frame_table(name, text_frame(fast), source=source, rows=fast.lines)
    text, _ = decode_bytes(data, table=name, source=source)
    del data
    if not text.strip():
        spec = TABLES[name]
        expected = ", ".join(c.name for c in spec.columns if c.required)
        raise DataValidationError(
            [Violation(name, source, None, "the file is empty", fix=f"write a header line: {expected}")]
        )
    table = read_columns(text, table=name, source=source, delimiter=",")
    del text
    return frame_table(name, text_frame(table), source=source, rows=table.lines)


def text_frame(table: TextColumns) -> pd.DataFrame:
    """A CSV file's records as a frame of text columns named by the header (empty names: ``unnamed: i``)."""
    names = [h if h.strip() else f"unnamed: {i}" for i, h in enumerate(table.header)]
    return pd.concat(table.columns, axis=1, ignore_index=True).set_axis(names, axis=1)


def frame_table(
    name: str,
    frame: pd.DataFrame,
    *,
    source: str,
    first_row: int = 1,
    rows: Sequence[int] | None = None,
) -> RawTable:
    """Wrap a frame as a raw table; its rows are numbered ``rows`` (e.g. CSV lines) or from ``first_row``."""
    frame = _normalise_headers(frame.reset_index(drop=True), name, source)
    if rows is None:
        frame[ROW] = range(first_row, first_row + len(frame))
    else:  # an array as is: a list of 306,000 NumPy integers took 0.1 s to build and convert back
        frame[ROW] = np.asarray(rows, dtype=np.int64) if len(rows) else list(rows)
    return RawTable(name=name, source=source, frame=frame)


@dataclass
class StagedData:
    """A data set read and (with a mapping) turned into the contract's tables, ready for validation.

    ``findings`` are the row-level problems met on the way (cells a mapping could not convert, invalid order
    lines ...): they are reported, or quarantined, together with the contract's rules. ``covered`` holds the
    cells ``(table, column, row)`` those findings already explain, so that the contract's checks do not
    report them a second time. ``originals`` holds each source file's rows as read (with ``_row``), for the
    quarantine.
    """

    tables: dict[str, RawTable]
    findings: list[Violation] = field(default_factory=list)
    covered: set[tuple[str, str, int]] = field(default_factory=set)
    originals: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Tables not read yet (a folder's files, in the order they are validated after ``tables``): each is read
    #: by :meth:`take` when validation reaches it, so that only one table's cells as read are in memory
    #: beside the typed tables (at 2 million orders the leads' text alone is about 100 MiB).
    readers: dict[str, Callable[[], RawTable]] = field(default_factory=dict)

    def names(self) -> list[str]:
        """Every table, read or not, in the order of validation."""
        return [*self.tables, *self.readers]

    def take(self, name: str, *, keep_original: bool) -> RawTable:
        """Table ``name`` as read, reading it now if it was not; its rows kept for the quarantine if asked."""
        reader = self.readers.pop(name, None)
        if reader is not None:
            raw = self.tables[name] = reader()
            if keep_original:
                self.originals[raw.source] = raw.frame
        return self.tables[name]
