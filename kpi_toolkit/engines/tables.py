"""What an engine module provides and returns: a contract table read lazily and typed in the engine.

:class:`LazyTable` and :class:`Backend` are the interface between the generic validation
(:mod:`kpi_toolkit.engines.lazy`) and the engine modules (:mod:`kpi_toolkit.engines.duckdb`,
:mod:`kpi_toolkit.engines.spark`), with the helpers both sides share: how a file's columns match the
contract, the CSV header, the names of helper columns. It depends only on the data contract.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import narwhals as nw
import pandas as pd

from kpi_toolkit.errors import DataValidationError, Violation
from kpi_toolkit.parsing import missing_columns_violation
from kpi_toolkit.reading import ROW, RawTable, _normalise_headers, read_table
from kpi_toolkit.schema import TABLES, Column

__all__ = [
    "INTEGER_IDS",
    "OFFSET_PATTERN",
    "Backend",
    "ColumnPlan",
    "LazyTable",
    "csv_header",
    "dirty_column",
    "empty_column",
    "exact_text_table",
    "hash_column",
    "normalised_names",
    "plan_columns",
    "shown_column",
]


def exact_text_table(table: str, path: Path) -> tuple[Any, list[str]]:
    """The CSV file's records as the toolkit's own reader reads them (as the pandas engine does:
    :func:`kpi_toolkit.reading.read_table`), as an Arrow table for an engine to take in: ``_row`` (the line
    each record starts on), then the normalised columns as text, empty cells missing, blank records left
    out; and the column names. A file that reader refuses raises its
    :class:`~kpi_toolkit.errors.DataValidationError`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    frame = read_table(table, path).frame
    names = [c for c in frame.columns if c != ROW]
    arrays = {ROW: pa.array(frame[ROW].to_numpy(dtype=np.int64))}
    for name in names:
        cells = pa.array(frame[name].to_numpy(dtype=object), type=pa.string(), from_pandas=True)
        arrays[name] = pc.if_else(pc.equal(cells, ""), pa.scalar(None, pa.string()), cells)
    return pa.table(arrays), names


#: A date-time text that ends with a UTC offset (``14:30+03:00``, ``14:30:00Z``): converted to UTC.
OFFSET_PATTERN = r"\d{2}:\d{2}(:\d{2}(\.\d*)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)$"


def empty_column(column: str) -> str:
    """Helper column: true where the file's cell of ``column`` is empty (blank text or a missing value)."""
    return f"_empty__{column}"


def dirty_column(column: str) -> str:
    """Helper column: true where the file's text cell of ``column`` is not its own stripped text."""
    return f"_dirty__{column}"


def hash_column(column: str) -> str:
    """Helper column: a 64-bit hash of the typed ``column`` (missing where it is), for distinct counts."""
    return f"_hash__{column}"


def shown_column(column: str) -> str:
    """Helper column: the file's cell of ``column`` as text, shown as the value found."""
    return f"_shown__{column}"


#: Ids that the lazy engines keep as integers when the file stores them as integers (Parquet): an integer and
#: its text are the same id, and comparing integers is much cheaper than text on millions of rows. Where the
#: order of ids matters (the tie-break of a customer's first order, the order of a sample) they are cast to
#: text; wherever a table comes back to pandas they are text.
INTEGER_IDS = ("order_id", "customer_id", "lead_id")


@dataclass(frozen=True)
class ColumnPlan:
    """How a file's columns map to a table of the contract."""

    table: str
    present: tuple[Column, ...]  #: contract columns the file has
    absent: tuple[Column, ...]  #: optional contract columns it lacks (typed nulls)
    extras: tuple[str, ...]  #: further columns of the file, kept as read
    fatal: Violation | None  #: a required column is missing

    @property
    def columns(self) -> tuple[str, ...]:
        """The table's columns in ``SalesData``: the contract's, in contract order, then the extras."""
        return (*(c.name for c in TABLES[self.table].columns), *self.extras)


def plan_columns(table: str, names: list[str], source: str) -> ColumnPlan:
    """Match the file's column ``names`` (already normalised) with the contract's columns of ``table``."""
    spec = TABLES[table]
    present = tuple(c for c in spec.columns if c.name in names)
    absent = tuple(c for c in spec.columns if c.name not in names)
    extras = tuple(n for n in names if n not in {c.name for c in spec.columns})
    return ColumnPlan(table, present, absent, extras, missing_columns_violation(table, source, list(names)))


def normalised_names(table: str, names: list[str], source: str) -> list[str]:
    """Header names without case and surrounding spaces (empty: ``unnamed: i``); repeated names raise."""
    names = [n if str(n).strip() else f"unnamed: {i}" for i, n in enumerate(names)]
    return list(_normalise_headers(pd.DataFrame(columns=names), table, source).columns)


def csv_header(table: str, path: Path) -> list[str]:
    """The header of a UTF-8 CSV file (normalised); a file that is empty or not UTF-8 raises.

    The lazy engines read CSV as UTF-8 (with or without a byte-order mark), comma-delimited, ``"`` quoted;
    other encodings and delimiters need the pandas engine (and a mapping).
    """
    source = str(path)
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise DataValidationError(
            [
                Violation(
                    table,
                    source,
                    None,
                    "the file is UTF-16 or UTF-32 text: the DuckDB and Spark engines read CSV as UTF-8",
                    fix="save it as UTF-8 (or Parquet), or load with engine='pandas'",
                )
            ]
        )
    text = head.decode("utf-8-sig", errors="replace").removeprefix("\ufeff")  # a second mark, as read_table
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if "".join(r).strip()]  # as read_table
    if not text.strip() or not records:
        expected = ", ".join(c.name for c in TABLES[table].columns if c.required)
        raise DataValidationError(
            [Violation(table, source, None, "the file is empty", fix=f"write a header line: {expected}")]
        )
    return normalised_names(table, records[0], source)


@dataclass(frozen=True)
class LazyTable:
    """A table read lazily by an engine and typed there.

    ``frame`` holds every contract column typed (missing optional ones as nulls), the file's extra columns,
    ``_row`` and, for each contract column the file has (``present``), the helper columns
    :func:`empty_column` and :func:`shown_column` (the latter in ``raw`` instead where that is set).
    ``integer_ids`` lists the columns of :data:`INTEGER_IDS`
    kept as integers. ``fatal`` is set (and ``frame`` is ``None``) when the file lacks a required column.
    """

    name: str
    source: str
    frame: nw.LazyFrame | None
    columns: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    integer_ids: frozenset[str] = frozenset()
    fatal: Violation | None = None
    #: The file's cells as text by ``_row`` (:func:`shown_column` names), when ``frame`` lacks those helper
    #: columns (DuckDB: only the first rows of a broken rule are looked up here, to be shown).
    raw: nw.LazyFrame | None = None
    #: Id columns with a :func:`hash_column` in ``frame`` (uniqueness is counted on the hashes).
    hashed: frozenset[str] = frozenset()
    #: Text columns with a :func:`dirty_column` in ``frame``: the validation's counting query counts them and
    #: passes ``{column: count}`` to ``settle``, which returns the table to use from then on (DuckDB: the
    #: columns with no such cell are no longer tested on later scans).
    dirty: tuple[str, ...] = ()
    settle: Callable[[dict[str, int]], LazyTable] | None = None

    @property
    def data(self) -> nw.LazyFrame:
        """The table's own columns (contract columns, then extras): what ``SalesData`` holds."""
        assert self.frame is not None  # only called once the table was read without a fatal problem
        return self.frame.select(*self.columns)


class Backend(Protocol):
    """What an engine module provides: reading and typing a table, and small frames into the engine."""

    name: str
    connection: Any
    #: Check uniqueness with a window in the counting query (one job fewer: Spark) rather than a group-by
    #: (cheaper on millions of rows: DuckDB).
    unique_by_window: bool

    def read(self, table: str, path: Path) -> LazyTable: ...

    def lazy(self, frame: pd.DataFrame) -> nw.LazyFrame: ...

    def read_error(self, exc: BaseException, table: LazyTable) -> Violation | None:
        """The engine's error reading ``table``'s file as a violation (``None``: not a read error). May raise
        the toolkit reader's :class:`DataValidationError` instead (Spark, for a CSV record it refuses)."""
        ...

    def read_small(self, table: str, path: Path) -> RawTable | None:
        """A small table's file read by the engine as text (``None``: read by :func:`read_table`)."""
        ...

    def distinct_integers(self, frame: nw.LazyFrame, column: str, low: int, high: int) -> int | None:
        """How many distinct values the integer ``column`` of ``frame`` has, its values lying in
        ``low .. high`` (``None``: the engine has no cheaper way than a distinct count)."""
        ...

    def distinct_hashes(
        self, frame: nw.LazyFrame, column: str, values: int, *, present: str | None = None
    ) -> int | None:
        """How many distinct values the ``values`` present 64-bit hashes of ``column`` take (``None``: the
        engine has no cheaper way than a distinct count); ``present``: a column missing exactly where the
        hash is (the id it hashes), to skip the missing ones by."""
        ...

    def all_known(self, rows: nw.LazyFrame, known: nw.LazyFrame, column: str) -> bool:
        """Whether every present integer ``column`` of ``rows`` is one of ``known``'s, by a cheaper test than
        an anti-join (``False``: it cannot tell, or some is not; the anti-join then counts them)."""
        ...
