"""The Spark engine: orders and leads as Spark DataFrames over the folder's Parquet or CSV files.

Needs the optional extra (``pip install kpi-toolkit[spark]``: PySpark 4, which runs on Java 17 or later).
Cells are typed with ``try_cast`` (Spark 4 runs in ANSI mode, where a plain ``cast`` of a bad cell fails the
query). Dates never depend on ``spark.sql.session.timeZone``: they are ``TIMESTAMP_NTZ`` holding UTC
wall-clock time. A text date with an offset (``2026-07-01 14:30+03:00``) is shifted to UTC explicitly, one
without is taken as written, a ``TIMESTAMP`` (an instant, e.g. from a time-zone-aware Parquet column) is
converted through its microseconds since the epoch. Year and month of a ``TIMESTAMP_NTZ`` are the same in
every session time zone.

Row numbers: Parquet's ``_metadata.row_index`` plus one; for CSV the line the record starts on (the header
being line 1), as the pandas engine numbers it. Spark's reader (``multiLine``, so each file is one partition
in file order) numbers records by position, which is the line when every record, and the header, fills one
line, no blank line comes between them and every line ends alike (:func:`positions_are_lines`: NumPy over the
file's bytes). Any other file is read by the pandas engine's reader (:func:`kpi_toolkit.reading.read_table`)
and its text handed to Spark (:func:`exact_frame`): the same rows, cells, lines and messages as on pandas.
Spark's reader reads such files otherwise than the toolkit's: a quoted ``\\n`` makes a record of several
lines, numbered by position; in a ``\\r\\n`` file, a quoted ``\\r\\n`` is read as ``\\n`` and a header holding
a line break leaves ``\\r`` in each record's last cell; line ends mixed between records and a blank ``\\r\\n``
line in a ``\\n`` file are refused as malformed; a lone ``\\r`` in a quoted value is read as ``\\n``; bytes
that are not UTF-8 are read as U+FFFD and NUL bytes as characters, silently (the toolkit's reader refuses
both: :func:`positions_are_lines` checks for them too).

A ragged row (more or fewer fields than the header) in an otherwise ordinary file is Spark's to read: its
reader refuses the record as malformed when the validation's first query scans the file, and
:meth:`SparkBackend.read_error` then reads the file with the toolkit's reader and raises that reader's error,
as the pandas engine words it (``a row has [8] fields where the header has 7``, with every such line).

The hand-over to pandas (:func:`to_arrow`) goes through Arrow (``DataFrame.toArrow``), never through PySpark's
pandas conversion; PySpark's warning that it does not fully support pandas 3 is silenced there and only there.
"""

from __future__ import annotations

import mmap
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
import pyarrow as pa

from kpi_toolkit.engines.handover import PANDAS_WARNING, to_arrow
from kpi_toolkit.engines.tables import (
    INTEGER_IDS,
    OFFSET_PATTERN,
    LazyTable,
    csv_header,
    empty_column,
    exact_text_table,
    normalised_names,
    plan_columns,
    shown_column,
)
from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.parsing import WHITESPACE
from kpi_toolkit.reading import ROW, RawTable, read_table
from kpi_toolkit.schema import Column
from kpi_toolkit.textfiles_fast import SCAN_BLOCK, count_bytes, record_lines

__all__ = [
    "PANDAS_WARNING",
    "SESSION_CONFIG",
    "SparkBackend",
    "exact_frame",
    "get_session",
    "positions_are_lines",
    "to_arrow",
]

#: The start of PySpark's warning about pandas versions, silenced in :func:`to_arrow` only.
#: Settings of a local session the toolkit starts when none is active (tests use the same).
SESSION_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
#: A plain number (what the pandas engine reads as one): Spark's own cast also takes '12d' or 'Infinity'.
NUMBER_PATTERN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_OFFSET = r"\s*(Z|[+-]\d{2}(:?\d{2})?)$"


def get_session(master: str = "local[*]") -> Any:
    """The active SparkSession, or a new local one with :data:`SESSION_CONFIG`."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - depends on the environment
        raise ParameterError(
            "engine='spark' needs PySpark. Fix: pip install 'kpi-toolkit[spark]' (PySpark 4 and Java 17+)."
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    builder = SparkSession.builder.master(master).appName("kpi-toolkit")
    for key, value in SESSION_CONFIG.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def _ident(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _family(dtype: Any) -> str:
    from pyspark.sql import types as T

    if isinstance(dtype, T.StringType):
        return "text"
    if isinstance(dtype, T.ByteType | T.ShortType | T.IntegerType | T.LongType):
        return "integer"
    if isinstance(dtype, T.FloatType | T.DoubleType):
        return "float"
    if isinstance(dtype, T.DecimalType):
        return "decimal"
    if isinstance(dtype, T.TimestampNTZType | T.DateType):
        return "timestamp"
    if isinstance(dtype, T.TimestampType):
        return "instant"
    return "other"


def _text(x: str, family: str) -> str:
    """The cell as stripped text, empty as NULL (whole floats without '.0', as the pandas engine)."""
    if family == "text":
        return f"nullif(btrim({x}, {_literal(WHITESPACE)}), '')"
    if family == "integer":
        return f"CAST({x} AS STRING)"
    if family == "float":
        return (
            f"CASE WHEN isnan({x}) THEN NULL WHEN abs({x}) < 9.2e18 AND {x} = round({x}, 0) "
            f"THEN CAST(CAST({x} AS BIGINT) AS STRING) ELSE CAST({x} AS STRING) END"
        )
    return f"nullif(btrim(CAST({x} AS STRING), {_literal(WHITESPACE)}), '')"


def _empty(x: str, family: str) -> str:
    if family == "text":
        return f"({_text(x, family)} IS NULL)"
    if family == "float":
        return f"({x} IS NULL OR isnan({x}))"
    return f"({x} IS NULL)"


def _typed(column: Column, x: str, family: str) -> str:
    kind = column.kind
    if kind in ("id", "text"):
        return _text(x, family)
    if kind == "status":
        text = f"lower({_text(x, family)})"
        return f"CASE WHEN {text} IN ('won', 'lost', 'open') THEN {text} END"
    if kind == "datetime":
        if family == "timestamp":
            return f"CAST({x} AS TIMESTAMP_NTZ)"
        if family == "instant":
            return f"timestampadd(MICROSECOND, unix_micros({x}), TIMESTAMP_NTZ'1970-01-01 00:00:00')"
        text = _text(x, family)
        offset = f"regexp_extract({text}, {_literal(_OFFSET)}, 1)"
        minutes = (
            f"(CASE WHEN {offset} = 'Z' THEN 0 ELSE "
            f"(CASE WHEN substr({offset}, 1, 1) = '-' THEN -1 ELSE 1 END) * "
            f"(CAST(substr({offset}, 2, 2) AS INT) * 60 + "
            f"coalesce(try_cast(substr(replace({offset}, ':', ''), 4, 2) AS INT), 0)) END)"
        )
        local = f"try_cast(regexp_replace({text}, {_literal(_OFFSET)}, '') AS TIMESTAMP_NTZ)"
        return (
            f"CASE WHEN {text} RLIKE {_literal(OFFSET_PATTERN)} "
            f"THEN timestampadd(MINUTE, -{minutes}, {local}) ELSE try_cast({text} AS TIMESTAMP_NTZ) END"
        )
    if family in ("integer", "float", "decimal"):
        number = f"CAST({x} AS DOUBLE)"
    else:
        text = _text(x, family)
        number = f"CASE WHEN {text} RLIKE {_literal(NUMBER_PATTERN)} THEN try_cast({text} AS DOUBLE) END"
    finite = f"CASE WHEN NOT isnan({number}) AND abs({number}) != double('infinity') THEN {number} END"
    if kind == "integer":
        return f"CASE WHEN {finite} = round({finite}, 0) THEN {finite} END"
    return finite


_LF, _CR = ord("\n"), ord("\r")


#: Bytes of a blank line that is not empty (white space and commas): a record the exact reader leaves out,
#: which Spark's reader refuses when it has fewer fields than the header.
_BLANK = np.zeros(256, dtype=bool)
_BLANK[list(b" \t,")] = True


def _blank_line(data: Any) -> bool:
    """Whether some line of ``data`` holds only white space and commas (an empty line aside). The byte
    before each line end (and its ``\\r``) decides for most lines; only lines ending in such bytes are
    followed further back, one byte a step for all of them at once."""
    arr = np.frombuffer(data, dtype=np.uint8)
    size = len(arr)
    for lo in range(0, size + 1, SCAN_BLOCK):
        ends = np.flatnonzero(arr[lo : lo + SCAN_BLOCK] == _LF) + lo
        if lo + SCAN_BLOCK >= size:  # the last line, when it has no line end
            ends = np.append(ends, size) if size and arr[-1] != _LF else ends
        at = ends - 1
        at = at - ((at >= 0) & (arr[np.maximum(at, 0)] == _CR))  # before the \r of a \r\n
        at = at[(at >= 0) & (arr[np.maximum(at, 0)] != _LF)]  # empty lines are the line count's business
        while len(at):
            at = at[_BLANK[arr[at]]]  # lines whose byte there is blank: look one byte further back
            at -= 1
            if ((at < 0) | (arr[np.maximum(at, 0)] == _LF)).any():
                return True
    return False


def _utf8(data: Any) -> bool:
    """Whether ``data`` (a memory map) is valid UTF-8 (Arrow validates the bytes as one string). 130 MB of
    orders: about 10 ms."""
    size = pa.array([0, len(data)], pa.int64()).buffers()[1]
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, size, pa.py_buffer(data)])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def positions_are_lines(path: Path) -> bool:
    """Whether Spark's reader reads ``path`` (a CSV file) as the toolkit's reader does, each record numbered
    by its position plus one being the line it starts on: the bytes are UTF-8 without NUL bytes (Spark's
    reader reads others as U+FFFD and NUL as a character, silently, where the toolkit's refuses the file),
    the quotes and line ends pass the checks of
    :func:`~kpi_toolkit.textfiles_fast.record_lines`, the header and every record fill one line each, no
    blank line comes between them (nor one of white space and commas anywhere: Spark's reader refuses it
    when it has fewer fields than the header), and every line ends in ``\\n`` or every one in ``\\r\\n``.
    NumPy over a memory map of the file (2 million orders: about 0.45 s of CPU, most of it finding the
    quoted cells).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> files = (b"a,b\\n1,2\\n", b'a,b\\r\\n"1",2\\r\\n\\r\\n', b'a,b\\n1,"x\\ny"\\n2,3', b"a,b\\n\\n1,2\\n")
    >>> files += (b"a,b\\r\\n1,2\\n", b'a,b\\n1,"x\\ry"\\n', b"a,b\\n1,2\\n , \\n", b"a,b\\r\\n1,2\\r\\n,")
    >>> files += ("a,b\\n1,é\\n".encode(), b"a,b\\n1,\\xe9\\n", b"a,b\\n1,\\x00\\n")
    >>> [positions_are_lines(path) for data in files if path.write_bytes(data)]
    [True, True, False, False, False, False, False, False, True, False, False]
    """
    if not path.stat().st_size:
        return True
    counts = count_bytes(path)
    if counts.nul or not counts.alike:
        return False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if not _utf8(data) or _blank_line(data):
            return False
        lines = record_lines(data)
    # the lines only grow, the first record's is at least 2: len + 1 for the last means 2, 3, ... for all
    return lines is not None and (len(lines) == 0 or int(lines[-1]) == len(lines) + 1)


def exact_frame(spark: Any, table: str, path: Path) -> tuple[Any, list[str]]:
    """The file's records as the toolkit's own reader reads them (as the pandas engine does:
    :func:`kpi_toolkit.reading.read_table`), as a Spark DataFrame: ``_row`` (the line each record starts on),
    then the normalised columns as text, empty cells missing, blank records left out; and the column names. A
    file that reader refuses raises its :class:`~kpi_toolkit.errors.DataValidationError`."""
    arrays, names = exact_text_table(table, path)
    return spark.createDataFrame(arrays), names


def _null(column: Column) -> str:
    sql = {"datetime": "TIMESTAMP_NTZ", "number": "DOUBLE", "integer": "DOUBLE"}.get(column.kind, "STRING")
    return f"CAST(NULL AS {sql})"


class SparkBackend:
    """Reads and types tables on one SparkSession (the active one, or a new local one, unless given)."""

    name = "spark"
    unique_by_window = True

    def __init__(self, connection: Any = None) -> None:
        if connection is None:
            connection = get_session()
        elif not hasattr(connection, "read") or not hasattr(connection, "createDataFrame"):
            raise ParameterError(
                f"connection must be a SparkSession for engine='spark'; found {type(connection).__name__}. "
                "Fix: pass your SparkSession, or leave connection= out for the active (or a new local) one."
            )
        self.connection = connection

    def _source(self, table: str, path: Path) -> tuple[Any, list[tuple[str, str]]]:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T

        spark = self.connection
        if path.suffix == ".parquet":
            frame = spark.read.parquet(str(path))
            originals = list(frame.columns)
            names = normalised_names(table, originals, str(path))
            families = {n: _family(frame.schema[o].dataType) for o, n in zip(originals, names, strict=True)}
            frame = frame.select(
                (F.col("_metadata.row_index") + 1).alias(ROW),
                *(F.col(_ident(o)).alias(n) for o, n in zip(originals, names, strict=True)),
            )
            return frame, [(n, families[n]) for n in names]
        if not positions_are_lines(path):  # Spark's reader would read it otherwise: read it exactly
            frame, names = exact_frame(spark, table, path)
            return frame, [(n, "text") for n in names]
        names = csv_header(table, path)
        schema = T.StructType([T.StructField(n, T.StringType()) for n in names])
        frame = spark.read.csv(
            str(path), schema=schema, header=True, multiLine=True, mode="FAILFAST", quote='"', escape='"',
            encoding="UTF-8", ignoreLeadingWhiteSpace=False, ignoreTrailingWhiteSpace=False,
        )  # fmt: skip
        # a multiLine file is not split: one partition, so the ids are the positions 0, 1, 2 ... (Spark's id
        # is the partition's index shifted left by 33 bits, plus the record's position in the partition)
        frame = frame.select((F.monotonically_increasing_id() + 2).alias(ROW), *frame.columns)
        blank = " AND ".join(f"{_text(_ident(n), 'text')} IS NULL" for n in names)
        return frame.where(F.expr(f"NOT ({blank})")), [(n, "text") for n in names]

    def read(self, table: str, path: Path) -> LazyTable:
        """The table of ``path``, typed with Spark SQL expressions, with the helper columns of LazyTable."""
        source = str(path)
        frame, columns = self._source(table, Path(path))
        plan = plan_columns(table, [n for n, _ in columns], source)
        if plan.fatal is not None:
            return LazyTable(table, source, None, fatal=plan.fatal)
        families = dict(columns)
        integer_ids = {
            c.name for c in plan.present if c.name in INTEGER_IDS and families[c.name] == "integer"
        }
        select = []
        for column in plan.present:
            x, family = _ident(column.name), families[column.name]
            typed = f"CAST({x} AS BIGINT)" if column.name in integer_ids else _typed(column, x, family)
            select += [
                f"{typed} AS {x}",
                f"{_empty(x, family)} AS {_ident(empty_column(column.name))}",
                f"coalesce(CAST({x} AS STRING), '') AS {_ident(shown_column(column.name))}",
            ]
        select += [f"{_null(c)} AS {_ident(c.name)}" for c in plan.absent]
        select += [_ident(e) for e in plan.extras]
        typed_frame = frame.selectExpr(*select, ROW)  # one call: every expression parsed at once
        return LazyTable(
            table,
            source,
            nw.from_native(typed_frame),
            columns=plan.columns,
            present=tuple(c.name for c in plan.present),
            integer_ids=frozenset(integer_ids),
        )

    def distinct_integers(self, frame: nw.LazyFrame, column: str, low: int, high: int) -> int | None:
        """Never asked (:attr:`unique_by_window`): Spark flags repeated ids with a window."""
        return None

    def distinct_hashes(
        self, frame: nw.LazyFrame, column: str, values: int, *, present: str | None = None
    ) -> int | None:
        """Never asked (:attr:`unique_by_window`): Spark flags repeated ids with a window."""
        return None

    def all_known(self, rows: nw.LazyFrame, known: nw.LazyFrame, column: str) -> bool:
        """Spark cannot tell without the anti-join."""
        return False

    def read_small(self, table: str, path: Path) -> RawTable | None:
        """``None``: small tables are read by the pandas code (a Spark job would cost more than it saves)."""
        return None

    def lazy(self, frame: pd.DataFrame) -> nw.LazyFrame:
        """A small pandas frame as a Spark DataFrame (through Arrow)."""
        return nw.from_native(
            self.connection.createDataFrame(pa.Table.from_pandas(frame, preserve_index=False))
        )

    def read_error(self, exc: BaseException, table: LazyTable) -> Violation | None:
        """A file Spark could not read, as the pandas engine words it; ``None`` for other errors.

        Spark's reader refuses a CSV record with more or fewer fields than the header as malformed, and
        only when a query scans the file (the validation's first count), not at :meth:`read`. The file is
        then read by the toolkit's own reader (:func:`~kpi_toolkit.reading.read_table`), whose
        :class:`~kpi_toolkit.errors.DataValidationError` is raised from here: every such line, in the pandas
        engine's words (``a row has [8] fields where the header has 7``). An ordinary file pays nothing
        for it. A file Spark refuses and that reader reads (none is known), or a Parquet file Spark cannot
        read, gets Spark's own reason as a violation.
        """
        message = str(exc)
        if not any(key in message for key in ("MALFORMED", "FAILED_READ_FILE", "Malformed")):
            return None
        if Path(table.source).suffix == ".csv":
            try:
                read_table(table.name, Path(table.source))
            except DataValidationError as error:
                raise error from None  # the exact reader's words, without Spark's traceback
        reason = next((line.strip() for line in message.splitlines() if "Malformed" in line), "")
        return Violation(
            table.name,
            table.source,
            None,
            f"the file cannot be read: {reason or 'Spark reports a malformed record'}",
            fix="every row must have as many fields as the header, in UTF-8; load with engine='pandas' to "
            "see every offending line",
        )
