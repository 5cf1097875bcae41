"""The fast path of a CSV file on DuckDB: the contract's types read by DuckDB's own CSV reader.

:meth:`kpi_toolkit.engines.duckdb.DuckDBBackend.read` first asks ``read_csv`` for the contract's types
(:func:`typed_scan`): numbers as ``DOUBLE``, dates and date-times as ``DATE``/``TIMESTAMP`` with the one
format a sample of the file shows, everything else as text, which the engine then types in SQL as always
(white space, status, ids). The reader parses each cell once, in its own loop, instead of a text cell that a
regular expression and a ``TRY_CAST`` then read again (2 million orders: about a third less CPU to load).

The fast path never decides what a cell means: a cell it accepts has the value the text path gives it, and
any cell it does not accept makes the whole read fail, after which the file is read as text and typed as
before (so every message, row and value shown is the text path's). This holds because

- a date-time column is only typed by the reader with an explicit format (``%Y-%m-%d %H:%M:%S``,
  ``%Y-%m-%d %H:%M``, the same with ``T``, or the date ``%Y-%m-%d``): DuckDB's ``TIMESTAMP`` without a
  format would take ``10:00+03:00`` as 10:00, where the contract converts it to 07:00 UTC; with a format,
  a cell with an offset, fractions of a second, a time zone name or anything else does not parse, and the
  text path takes over. Every cell such a format accepts is one that ``TRY_CAST(... AS TIMESTAMP)``
  reads the same;
- a number the reader parses (``inf``, ``nan`` and overflows included) is what ``TRY_CAST(... AS DOUBLE)``
  of the stripped cell gives; the contract counts a non-finite number (and, for integers, a fraction) as a
  cell that does not parse, so such a value raises (``error()``) and the text path takes over;
- an empty cell is missing on both paths; a cell of white space only fails the typed reader.

``tests/test_duckdb_csv.py`` checks the two paths give identical tables and identical messages.

Rows are numbered by the record's position plus one, which is its line when every record is one line and no
blank line comes before it. The position is the stored table's ``rowid`` (:func:`number_rows`): DuckDB keeps
the file's order when it inserts the records it read on several threads, whereas ``row_number() OVER ()``
over the scan keeps it by reading on one thread (2 million orders: the read took the wall time of its CPU).
When the file's line count shows otherwise (a quoted value holding a line break, blank lines),
:func:`number_rows` gives each record the line it starts on, as the pandas engine numbers it
(:func:`kpi_toolkit.textfiles_fast.record_lines`, NumPy over the file's bytes): the cost of an ordinary export
is one count of its line ends and commas.

DuckDB's reader does not read every file as the toolkit's own reader does: it returned no record at all for a
file with ``\\r\\n`` line ends whose header holds a quoted line break, refuses line ends mixed between
records, reads a record whose fields beyond the header's are empty as if they were not there and a NUL byte as
a character (the toolkit's reader refuses both files), and takes a blank first line for the header. So its
records must be provably the file's (:func:`line_numbers`: the same count as the bytes hold, blank records at
the end aside, none wider than the header, no NUL byte); where that cannot be shown (:class:`Unmatched`), or
where DuckDB's reader refuses the file, the engine reads it with :func:`kpi_toolkit.reading.read_table`, as
the pandas engine does, and hands DuckDB its text (:func:`exact_scan`): the same rows, lines and messages; a
file that reader refuses raises its :class:`~kpi_toolkit.errors.DataValidationError`.
``tests/test_duckdb_csv_safeguards.py`` loads random awkward files on both engines,
``tests/test_duckdb_csv_fields.py`` the records DuckDB read too wide, NUL bytes and a blank first line.
"""

from __future__ import annotations

import csv
import io
import itertools
import mmap
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kpi_toolkit.engines.tables import exact_text_table
from kpi_toolkit.reading import ROW
from kpi_toolkit.schema import TABLES
from kpi_toolkit.textfiles_fast import SCAN_BLOCK, count_bytes, record_lines

__all__ = [
    "FINITE",
    "KEEP",
    "POSITION",
    "Unmatched",
    "exact_scan",
    "line_numbers",
    "number_rows",
    "numbered",
    "records",
    "renumbered",
    "sample_formats",
    "text_frame",
    "typed_scan",
]

#: The type :func:`typed_scan` reports for a number column: a ``DOUBLE`` that is never NaN nor infinite
#: (the engine then needs no flag for its empty cells: the value is missing exactly where the cell is empty).
FINITE = "DOUBLE (finite)"
#: How many bytes of the file's start are sampled for the format of its dates.
SAMPLE_BYTES = 1 << 16
#: Formats the reader is given, each with the pattern its sampled cells must all match: (type, format).
_FORMATS = (
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}:\d{1,2}"), "TIMESTAMP", "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{1,2}:\d{1,2}"), "TIMESTAMP", "%Y-%m-%dT%H:%M:%S"),
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2}"), "TIMESTAMP", "%Y-%m-%d %H:%M"),
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}T\d{1,2}:\d{1,2}"), "TIMESTAMP", "%Y-%m-%dT%H:%M"),
    (re.compile(r"\d{4}-\d{1,2}-\d{1,2}"), "DATE", "%Y-%m-%d"),
)


def sample_formats(path: Path, names: list[str], columns: list[str]) -> dict[str, tuple[str, str]]:
    """The reader's type and format for each of ``columns`` (dates) whose sampled cells all share one.

    The sample is the records in the file's first 64 KiB (the last, perhaps cut, is left out). A column with
    no cell in the sample, or with cells in several formats or none of :data:`_FORMATS`, is left out (typed
    from text). At most one ``TIMESTAMP`` format per file (DuckDB's reader takes one); the first column's.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "leads.csv").write_text("a,b,c\\n2025-01-02 10:00:00,2025-01-02,x\\n,2025-1-3,y\\n")
    >>> sample_formats(folder / "leads.csv", ["a", "b", "c"], ["a", "b"])
    {'a': ('TIMESTAMP', '%Y-%m-%d %H:%M:%S'), 'b': ('DATE', '%Y-%m-%d')}
    """
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES)
    complete = len(head) < SAMPLE_BYTES
    text = head.decode("utf-8-sig", errors="replace")
    if not complete:
        text = text[: text.rfind("\n") + 1]
    records = list(csv.reader(io.StringIO(text, newline="")))[1:]
    if not complete:
        records = records[:-1]  # a quoted cell with a line break may have been cut
    found: dict[str, tuple[str, str]] = {}
    timestamp = None
    for column in columns:
        index = names.index(column)
        cells = [r[index] for r in records if len(r) > index and r[index] != ""]
        for pattern, sql_type, fmt in _FORMATS:
            if cells and all(pattern.fullmatch(c) for c in cells):
                if sql_type == "TIMESTAMP" and timestamp not in (None, fmt):
                    break
                if sql_type == "TIMESTAMP":
                    timestamp = fmt
                found[column] = (sql_type, fmt)
                break
    return found


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


#: The column of :func:`records` that is false for a blank record (left out, but still counted in positions).
KEEP = "_kt_keep"
#: A record's 0-based position, stored beside it where a table's ``rowid`` does not follow the file.
POSITION = "_kt_position"


def records(select: str, keep: str) -> str:
    """The SQL of a CSV scan's records in file order, each with :data:`KEEP` (``keep``: not a blank record;
    a ``CASE``, so that its costly branches run only on the rows its first test leaves).

    The records are not numbered here: ``row_number() OVER ()`` is a streaming window that keeps the reader's
    order by running the whole scan on one thread. A stored table numbers them by its ``rowid`` instead
    (:func:`number_rows`); :func:`numbered` gives the numbered query where nothing is stored.
    """
    return f"SELECT *, {keep} AS {KEEP} FROM ({select})"


def numbered(sql: str) -> str:
    """The records of ``sql`` (:func:`records`) numbered by position plus one (the header is line 1), blank
    records left out: ``_row``, then the columns.

    >>> import duckdb
    >>> scan = records("SELECT * FROM (VALUES ('a'), (' '), ('b')) t(x)", "(x <> ' ')")
    >>> duckdb.sql(numbered(scan)).fetchall()
    [(2, 'a'), (4, 'b')]
    """
    return (
        f"SELECT * EXCLUDE ({KEEP}) FROM (SELECT row_number() OVER () + 1 AS {ROW}, * FROM ({sql})) "
        f"WHERE {KEEP}"
    )


def typed_scan(
    table: str, path: Path, names: list[str], blank: dict[str, str]
) -> tuple[str, list[tuple[str, str]]]:
    """The SQL of the file's records with the contract's types read by ``read_csv``, and each column's type.

    ``names`` are the file's normalised header names; ``blank`` gives, for each text column, the SQL that is
    true where its cell is blank (the engine's white-space rule). The result has the shape of the text scan
    (:func:`records`: the columns, then :data:`KEEP`) and the types :func:`kpi_toolkit.engines.duckdb` types
    from: ``VARCHAR``, ``TIMESTAMP``, ``DATE`` and :data:`FINITE`.
    """
    kinds = {c.name: c.kind for c in TABLES[table].columns}
    dates = [n for n in names if kinds.get(n) == "datetime"]
    formats = sample_formats(path, names, dates)
    types: dict[str, str] = {}
    select: list[str] = []
    for name in names:
        x = _ident(name)
        if kinds.get(name) in ("number", "integer"):
            types[name] = FINITE
            whole = f" AND {x} = trunc({x})" if kinds[name] == "integer" else ""
            message = _literal(f"{name}: not a finite number{' that is whole' if whole else ''}")
            select.append(
                f"CASE WHEN {x} IS NULL OR (isfinite({x}){whole}) THEN {x} ELSE error({message}) END AS {x}"
            )
        elif name in formats:
            types[name] = formats[name][0]
            select.append(x)
        else:
            types[name] = "VARCHAR"
            select.append(x)
    read_types = {n: ("DOUBLE" if t == FINITE else t) for n, t in types.items()}
    columns = "{" + ", ".join(f"{_literal(n)}: {_literal(t)}" for n, t in read_types.items()) + "}"
    options = "".join(
        f", {option}={_literal(fmt)}"
        for option, sql_type in (("timestampformat", "TIMESTAMP"), ("dateformat", "DATE"))
        for fmt in sorted({f for t, f in formats.values() if t == sql_type})
    )
    scan = (
        f"read_csv({_literal(str(path))}, header=true, auto_detect=false, columns={columns}, delim=',', "
        f"quote='\"', escape='\"', strict_mode=true, null_padding=false, encoding='utf-8'{options})"
    )
    empty = " AND ".join(blank[n] if types[n] == "VARCHAR" else f"{_ident(n)} IS NULL" for n in names)
    first = names[0]
    starts = (
        f"ascii({_ident(first)}) BETWEEN 33 AND 126"
        if types[first] == "VARCHAR"
        else f"{_ident(first)} IS NOT NULL"
    )
    sql = records(
        f"SELECT {', '.join(select)} FROM {scan}", f"CASE WHEN {starts} THEN true ELSE NOT ({empty}) END"
    )
    return sql, list(types.items())


def text_frame(relation: Any) -> pd.DataFrame:
    """A DuckDB relation of text columns as pandas, through Arrow (a third of the CPU of ``.df()``).

    Text columns get pandas' default string dtype (``str``: Arrow-backed, missing as NaN), as ``.df()``
    gives them; other columns (the row numbers) their usual dtypes.

    Examples
    --------
    >>> import duckdb
    >>> text_frame(duckdb.sql("SELECT 2 AS _row, 'a' AS x UNION ALL SELECT 3, NULL")).dtypes.tolist()
    [dtype('int32'), <StringDtype(na_value=nan)>]
    """
    text = pd.StringDtype("pyarrow", na_value=np.nan)
    return relation.to_arrow_table().to_pandas(types_mapper={pa.string(): text, pa.large_string(): text}.get)


_LINES = itertools.count()
_LF = ord("\n")


class Unmatched(Exception):
    """DuckDB's reader did not provably read the records the exact reader reads: the file is read exactly
    (:func:`exact_scan`)."""


#: Bytes that make a record blank for both readers (its cells empty or white space) wherever they stand.
_BLANK = np.zeros(256, dtype=bool)
_BLANK[list(b" \t,\r\n")] = True


def _blank_from(arr: np.ndarray, line: int) -> bool:
    """Whether every byte from the start of line ``line`` (1-based) on is one of :data:`_BLANK`: the records
    there are blank for both readers (both leave them out)."""
    end = len(arr)
    while end > 0:  # the last byte that is not blank, a block at a time from the end
        lo = max(0, end - SCAN_BLOCK)
        found = np.flatnonzero(~_BLANK[arr[lo:end]])
        if len(found):
            last = lo + int(found[-1])
            ends = sum(
                int(np.count_nonzero(arr[i : min(i + SCAN_BLOCK, last)] == _LF))
                for i in range(0, last, SCAN_BLOCK)
            )
            return ends + 1 < line
        end = lo
    return True


def _filled(line: bytes) -> bool:
    """Whether the exact reader takes this line (the file's first) as a record: its fields are not all
    empty or white space (it skips such a line, where DuckDB's reader takes it for the header)."""
    text = line.decode("utf-8", errors="replace").replace("\ufeff", "")
    return bool("".join(next(csv.reader([text]), [])).strip())


def line_numbers(path: Path, width: int, last_row: int | None) -> np.ndarray | None:
    """The line each record starts on, by the row number DuckDB's reader gives it (``lines[row - 2]``), when
    some record does not start on line ``row``; ``None`` when every one does. Raises :class:`Unmatched` when
    DuckDB's records cannot be shown to be the exact reader's (then the caller reads the file exactly).

    ``last_row`` is the largest row number read (``None``: no record), ``width`` the header's fields. The
    file's bytes are counted first (:func:`~kpi_toolkit.textfiles_fast.count_bytes`): it must hold no NUL
    byte (the exact reader refuses it, DuckDB's reads a character), and its first line must be the header
    (DuckDB's reader takes the first line for the header even where the exact reader skips it as blank), in
    one line.

    DuckDB's reader reads a record whose fields beyond the header's are empty (``1,2,3,`` or ``1,2,3,,""``
    under ``a,b,c``) as if they were not there, where the exact reader refuses the file; it refuses a record
    with fewer fields. Each record it read up to row ``last_row``, and the header, thus holds at least
    ``width - 1`` commas: when the file holds ``(width - 1) * last_row``, no record has more fields than the
    header (nor does a quoted value hold a comma). Every record then starts on its row's line when the file
    has ``last_row`` lines: each record, and the header, fills one line and no blank line comes first. The
    cost of an ordinary export: one count of its line ends and commas (2 million orders: 0.05 s of CPU).

    Otherwise the records are found in the bytes (:func:`~kpi_toolkit.textfiles_fast.record_lines`, NumPy:
    0.32 s for 2 million orders, 0.51 s where the fields of each record are counted too) and must be
    DuckDB's: the checks of the quotes and line ends pass, no record has more fields than the header (where
    the commas did not show it), the file has at least two columns (DuckDB reads a blank line of a
    one-column file as a record), and DuckDB read as many records, save blank ones at the end (a record
    DuckDB left out silently would show here).
    """
    counts = count_bytes(path)
    if counts.nul or not counts.lines:
        raise Unmatched
    fits = last_row is not None and counts.commas == (width - 1) * last_row
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        header_end = data.find(b"\n")  # DuckDB's reader mishandles a header holding a line break: a file
        # with \r\n line ends was read as no record at all
        if header_end < 0 or data[:header_end].count(b'"') % 2 or not _filled(data[:header_end]):
            raise Unmatched
        if fits and counts.lines == last_row:
            return None
        lines = record_lines(data, width=None if fits else width) if width >= 2 else None
        if lines is not None and counts.lines == last_row:  # quoted commas, no record wider than the header
            return None
        read = 0 if last_row is None else last_row - 1  # records DuckDB read, blank ones at the end aside
        if lines is None or read > len(lines):
            raise Unmatched
        if read < len(lines) and not _blank_from(np.frombuffer(data, dtype=np.uint8), int(lines[read])):
            raise Unmatched
    return None if last_row is None else lines


def exact_scan(connection: Any, table: str, path: Path) -> tuple[str, list[tuple[str, str]]]:
    """The SQL of the file's records read by the toolkit's own reader (as the pandas engine reads them:
    :func:`kpi_toolkit.reading.read_table`), in the shape of the engine's text scan: ``_row`` (the line
    each record starts on), then the normalised columns as text, empty cells missing, blank records left
    out. A file that reader refuses raises its :class:`~kpi_toolkit.errors.DataValidationError`."""
    arrays, names = exact_text_table(table, path)
    registered = f"_kt_exact_{next(_LINES)}"
    connection.register(registered, arrays)
    return f"SELECT * FROM {registered}", [(n, "VARCHAR") for n in names]


def number_rows(
    connection: Any, table: str, path: Path, width: int, *, position: str = "rowid"
) -> tuple[str, str | None]:
    """Number the records of ``table`` (read by DuckDB from ``path``, ``width`` columns, in file order, each
    with :data:`KEEP`) by position plus one, or by the lines they start on where those differ
    (:func:`line_numbers`); ``position`` is the 0-based position of a record (the table's ``rowid``, which
    follows the order the records were inserted in).

    Returns the SQL of the kept records with ``_row`` (the table itself, or a query over it), and the name of
    the registered table of positions and lines for :func:`renumbered` (``None``: the rows are numbered by
    position). Raises :class:`Unmatched` as :func:`line_numbers` does. An ordinary export (no blank record,
    every record on its line) keeps its table and is numbered by a query over it: storing ``_row`` would
    take a window over the scan, which DuckDB runs on one thread to keep the order.
    """
    last_row, dropped = connection.sql(
        f"SELECT max({position}) FILTER (WHERE {KEEP}) + 2, count(*) FILTER (WHERE NOT {KEEP}) FROM {table}"
    ).fetchall()[0]
    lines = line_numbers(path, width, last_row)
    if lines is None and not dropped:
        return f"(SELECT *, {position} + 2 AS {ROW} FROM {table})", None
    kept = f"{table}_kept"
    connection.execute(
        f"CREATE TEMP TABLE {kept} AS SELECT * EXCLUDE ({KEEP}), {position} + 2 AS {ROW} FROM {table} "
        f"WHERE {KEEP}"
    )
    connection.execute(f"DROP TABLE {table}")
    if lines is None:
        return kept, None
    name = f"_kt_lines_{next(_LINES)}"
    positions = np.arange(2, len(lines) + 2, dtype=np.int64)
    connection.register(name, pa.table({"position": positions, "line": lines}))
    connection.execute(f"UPDATE {kept} SET {ROW} = m.line FROM {name} m WHERE {kept}.{ROW} = m.position")
    return kept, name


def renumbered(sql: str, lines: str) -> str:
    """The rows of ``sql`` (numbered by position) numbered as :func:`number_rows` numbered its table."""
    return (
        f"SELECT m.line AS {ROW}, s.* EXCLUDE ({ROW}) FROM ({sql}) s JOIN {lines} m ON m.position = s.{ROW}"
    )
