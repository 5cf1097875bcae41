"""The DuckDB engine: orders and leads as DuckDB relations over the folder's Parquet or CSV files.

Cells are typed in SQL (``TRY_CAST``), so a cell that does not parse is a null the validation counts, never
an error halfway through a query. Connections are created with DuckDB's automatic extension install and load
switched off: nothing is downloaded at run time (Parquet, JSON and ICU are built into the Python package).
Dates are typed without reference to the connection's ``TimeZone``: a date-time with an offset is converted
to UTC (``timezone('UTC', ...)``), one without is taken as written, a ``TIMESTAMP WITH TIME ZONE`` column is
converted to UTC.

Each CSV file is read and typed once, into a temporary table of the connection (``_kt_orders_0`` ...), which
lives as long as the connection (DuckDB keeps it in memory up to its ``memory_limit`` and spills the rest to
its temporary directory); every later query scans that table. Parquet files stay views (their columns are
typed in the file; see :meth:`DuckDBBackend.read`).

Row numbers: Parquet's ``file_row_number`` plus one; for CSV the record's position (the stored table's
``rowid``: DuckDB inserts the records in file order though several threads read them) plus one, so the header
is line 1, or the line the record starts on where records span lines or follow blank lines
(``duckdb_csv.number_rows``).

The SQL that types each cell is built in :mod:`kpi_toolkit.engines.duckdb_sql`; the counts of distinct and
known ids (bitmaps, sorted hashes) are in :mod:`kpi_toolkit.engines.duckdb_distinct`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from pathlib import Path
from typing import Any

import narwhals as nw
import pandas as pd
import pyarrow as pa

from kpi_toolkit.engines.duckdb_csv import (
    KEEP,
    POSITION,
    Unmatched,
    exact_scan,
    line_numbers,
    number_rows,
    numbered,
    records,
    renumbered,
    text_frame,
    typed_scan,
)
from kpi_toolkit.engines.duckdb_distinct import DistinctCounts
from kpi_toolkit.engines.duckdb_sql import (
    _empty,
    _family,
    _ident,
    _literal,
    _missing_when_empty,
    _null,
    _printable,
    _strip,
    _text,
    _typed,
)
from kpi_toolkit.engines.tables import (
    INTEGER_IDS,
    LazyTable,
    csv_header,
    dirty_column,
    empty_column,
    hash_column,
    normalised_names,
    plan_columns,
    shown_column,
)
from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.reading import ROW, RawTable, frame_table

__all__ = ["CONFIG", "DuckDBBackend", "connect"]

#: Settings of the connections the toolkit creates: no extension is installed or loaded automatically.
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
#: Numbers the temporary tables of typed files (a connection may load several folders).
_TABLES = itertools.count()


def connect() -> Any:
    """A new in-memory DuckDB connection that never downloads extensions.

    Examples
    --------
    >>> settings = "select name, value from duckdb_settings() where name like 'auto%_known_extensions'"
    >>> sorted(connect().sql(settings).fetchall())
    [('autoinstall_known_extensions', 'false'), ('autoload_known_extensions', 'false')]
    """
    import duckdb

    connection = duckdb.connect(config=dict(CONFIG))
    connection.execute("SET enable_progress_bar = false")  # a library prints no progress of its own
    return connection


def _refused(exc: BaseException) -> bool:
    """Whether the typed CSV read failed on the file's contents (not interrupted): the text path decides."""
    import duckdb

    return isinstance(exc, duckdb.Error) and not isinstance(exc, duckdb.InterruptException)


class DuckDBBackend(DistinctCounts):
    """Reads and types tables on one DuckDB connection (a new one unless ``connection`` is given)."""

    name = "duckdb"
    unique_by_window = False

    def __init__(self, connection: Any = None) -> None:
        if connection is None:
            connection = connect()
        elif not hasattr(connection, "sql") or not hasattr(connection, "read_parquet"):
            raise ParameterError(
                "connection must be a duckdb connection for engine='duckdb'; found "
                f"{type(connection).__name__}. Fix: pass duckdb.connect(...), or leave connection= out "
                "for a new in-memory one."
            )
        self.connection = connection

    def _source(self, path: Path) -> tuple[str, list[tuple[str, str]]]:
        """The SQL of the file's rows and each column's name and type: for Parquet ``_row`` and the normalised
        columns; for CSV the normalised columns and :data:`~kpi_toolkit.engines.duckdb_csv.KEEP`, in file
        order (:func:`~kpi_toolkit.engines.duckdb_csv.records`)."""
        location = _literal(str(path))
        if path.suffix == ".parquet":
            scan = f"read_parquet({location}, file_row_number=true)"
            relation = self.connection.sql(f"SELECT * FROM {scan}")
            originals = [c for c in relation.columns if c != "file_row_number"]
            types = dict(zip(relation.columns, (str(t) for t in relation.types), strict=True))
            names = normalised_names(path.stem, originals, str(path))
            select = ", ".join(f"{_ident(o)} AS {_ident(n)}" for o, n in zip(originals, names, strict=True))
            sql = f"SELECT file_row_number + 1 AS {ROW}, {select} FROM {scan}"
            return sql, [(n, types[o]) for o, n in zip(originals, names, strict=True)]
        names = csv_header(path.stem, path)
        columns = "{" + ", ".join(f"{_literal(n)}: 'VARCHAR'" for n in names) + "}"
        scan = (
            f"read_csv({location}, header=true, auto_detect=false, columns={columns}, delim=',', quote='\"', "
            "escape='\"', strict_mode=true, null_padding=false, encoding='utf-8')"
        )
        blank = " AND ".join(f"{_text(_ident(n), 'text')} IS NULL" for n in names)
        # a record whose first cell starts with a printable character is not blank: the full test only runs
        # on the others
        first = f"ascii({_ident(names[0])}) BETWEEN 33 AND 126"
        keep = f"CASE WHEN {first} THEN true ELSE NOT ({blank}) END"
        return records(f"SELECT * FROM {scan}", keep), [(n, "VARCHAR") for n in names]

    def read(self, table: str, path: Path) -> LazyTable:
        """The table of ``path`` typed in SQL, with :class:`LazyTable`'s helpers.

        A CSV file is read and every cell typed in one pass (white space stripped once per text cell) into a
        temporary table of the connection: the validation queries, the cross-table checks and the aggregation
        then scan typed columns instead of parsing the file again on each scan (orders are scanned about five
        times). The table holds only what every scan needs: the typed columns, ``_row``, the extras and the
        ``_empty__*`` flags that cannot be told from the typed value; the other flags, the optional columns
        the file lacks and the file's cells as found (``raw``, for messages only) are views.

        A Parquet file stays a view that types its cells on each scan: its columns are typed already, and
        writing a table cost more than the scans save (10 million orders with text ids: 7.8 s of CPU to
        write, 1.7 GiB held). Its text columns are typed by a test whether the cell starts and ends with a
        printable character; the counting query of the validation counts the cells that fail it
        (``dirty``), and :attr:`LazyTable.settle` then drops the test from every later scan of the columns
        where there are none (each such cell is its own stripped text).

        A CSV file is first read with the contract's types by DuckDB's own reader (numbers, and dates in the
        one format a sample of the file shows: :mod:`kpi_toolkit.engines.duckdb_csv`), which parses each
        cell once; if any cell does not parse that way, the file is read as text and typed in SQL instead,
        giving the same table and the same messages.
        """
        return self._read(table, Path(path), typed_csv=True)

    def _read(self, table: str, path: Path, *, typed_csv: bool, exact: bool = False) -> LazyTable:
        source = str(path)
        # exact: the records the toolkit's own reader reads (duckdb_csv.exact_scan), where DuckDB's differ
        sql, columns = exact_scan(self.connection, table, path) if exact else self._source(Path(path))
        plan = plan_columns(table, [n for n, _ in columns], source)
        if plan.fatal is not None:
            return LazyTable(table, source, None, fatal=plan.fatal)
        csv = not exact and path.suffix == ".csv"  # records in file order, numbered once stored
        text_sql = numbered(sql) if csv else sql  # the file's cells as text: shown in messages
        if typed_csv and csv:
            blank = {n: f"{_text(_ident(n), 'text')} IS NULL" for n, _ in columns}
            sql, columns = typed_scan(table, path, [n for n, _ in columns], blank)
        families = {n: _family(t) for n, t in columns}
        integer_ids = {
            c.name for c in plan.present if c.name in INTEGER_IDS and families[c.name] == "integer"
        }
        texts = {c.name: _ident(f"_t__{c.name}") for c in plan.present if families[c.name] == "text"}
        hashed = frozenset(c.name for c in plan.present if c.kind == "id" and c.name not in integer_ids)
        store = Path(path).suffix != ".parquet"
        # a CSV table is numbered by its rowid, which follows the file only where DuckDB keeps insertion
        # order; elsewhere by a window over the scan (one thread)
        setting = "SELECT current_setting('preserve_insertion_order')"
        ordered = not csv or self.connection.sql(setting).fetchall()[0][0]
        position = "rowid" if ordered else POSITION
        if not ordered:
            sql = f"SELECT row_number() OVER () - 1 AS {POSITION}, * FROM ({sql})"
        tail = ROW if not csv else KEEP if ordered else f"{KEEP}, {POSITION}"

        def typed(clean: frozenset[str], dirty: bool) -> tuple[str, list[str]]:
            """The typed query and the view's select list (``clean``: text columns known to need no strip)."""
            source = sql
            stripped = [
                f"{_ident(n) if n in clean else _text(_ident(n), 'text')} AS {t}" for n, t in texts.items()
            ]
            if dirty:  # the printable test once per cell, for the typed text and the dirty flag alike
                tests = ", ".join(f"{_printable(_ident(n))} AS {_ident(f'_p__{n}')}" for n in texts)
                source = f"SELECT *, {tests} FROM ({sql})"
                stripped = [
                    f"CASE WHEN {_ident(f'_p__{n}')} THEN {_ident(n)} ELSE {_strip(_ident(n))} END AS {t}"
                    for n, t in texts.items()
                ]
            stored: list[str] = []
            view: list[str] = []
            for column in plan.present:
                x, family = _ident(column.name), families[column.name]
                empty_name = _ident(empty_column(column.name))
                text = texts.get(column.name)
                if column.name in integer_ids:
                    value = f"CAST({x} AS BIGINT)"
                else:
                    value = _typed(column, x, family, text)
                stored.append(f"{value} AS {x}")
                view.append(x)
                if _missing_when_empty(column, family):  # missing exactly when empty: no flag to store
                    view.append(f"({x} IS NULL) AS {empty_name}")
                else:
                    empty = f"({text} IS NULL)" if text is not None else _empty(x, family)
                    stored.append(f"{empty} AS {empty_name}")
                    view.append(empty_name)
                if column.name in hashed:  # distinct counts of 64-bit hashes: cheaper than of text
                    view.append(
                        f"CASE WHEN {x} IS NOT NULL THEN hash({x}) END AS {_ident(hash_column(column.name))}"
                    )
            if dirty:
                stored += [
                    f"({_ident(n)} IS NOT NULL AND NOT coalesce({_ident(f'_p__{n}')}, false)) "
                    f"AS {_ident(dirty_column(n))}"
                    for n in texts
                ]
                view += [_ident(dirty_column(n)) for n in texts]
            stored += [_ident(e) for e in plan.extras]
            view += [f"{_null(c)} AS {_ident(c.name)}" for c in plan.absent]
            view += [_ident(e) for e in plan.extras]
            query = (
                f"SELECT {', '.join(stored)}, {tail} FROM "
                f"(SELECT *{''.join(', ' + s for s in stripped)} FROM ({source}))"
            )
            return query, view

        query, view = typed(frozenset(), dirty=not store)
        if store:
            name = f"_kt_{table}_{next(_TABLES)}"
            try:
                self.connection.execute(f"CREATE TEMP TABLE {name} AS {query}")
            except Exception as exc:
                if csv and _refused(exc):  # a cell the typed reader does not take: read as text, typed in
                    # SQL; a file DuckDB's text reader refuses: the exact reader reads it or words why
                    return self._read(table, path, typed_csv=False, exact=not typed_csv)
                found = self.read_error(exc, LazyTable(table, source, None))
                if found is None:
                    raise
                raise DataValidationError([found]) from None
            if csv:
                try:
                    name, lines = number_rows(self.connection, name, path, len(columns), position=position)
                except Unmatched:  # DuckDB's records are not provably the file's: read it exactly
                    self.connection.execute(f"DROP TABLE {name}")
                    return self._read(table, path, typed_csv=False, exact=True)
                if lines is not None:  # records that span lines, blank lines: numbered by their lines
                    text_sql = renumbered(text_sql, lines)
        else:
            name = f"({query})"
        raw = ", ".join(
            f"coalesce(CAST({_ident(c.name)} AS VARCHAR), '') AS {_ident(shown_column(c.name))}"
            for c in plan.present
        )
        found = LazyTable(
            table,
            source,
            nw.from_native(self.connection.sql(f"SELECT {', '.join(view)}, {ROW} FROM {name}")),
            columns=plan.columns,
            present=tuple(c.name for c in plan.present),
            integer_ids=frozenset(integer_ids),
            raw=nw.from_native(self.connection.sql(f"SELECT {ROW}, {raw} FROM ({text_sql})")),
            hashed=hashed,
        )
        if store or not texts:
            return found

        def settle(dirty: dict[str, int]) -> LazyTable:
            clean = frozenset(n for n in texts if dirty.get(n) == 0)
            plain, select = typed(clean, dirty=False)
            frame = nw.from_native(self.connection.sql(f"SELECT {', '.join(select)}, {ROW} FROM ({plain})"))
            return dataclasses.replace(found, frame=frame, dirty=(), settle=None)

        return dataclasses.replace(found, dirty=tuple(texts), settle=settle)

    def read_small(self, table: str, path: Path) -> RawTable | None:
        """A small table's CSV file (plans, managers ...) as text, by DuckDB's CSV reader; ``None`` otherwise.

        Hundreds of thousands of plan rows are read in a fraction of the time Python's ``csv`` module takes;
        the cells stay text (empty ones missing) and are typed by the pandas code like any other small table.
        Rows are numbered as for the lazy tables (the record's position plus one).
        """
        path = Path(path)
        if path.suffix != ".csv":
            return None
        sql, _ = self._source(path)
        try:
            frame = text_frame(self.connection.sql(numbered(sql)))
        except Exception as exc:
            if _refused(exc):  # the exact reader reads or words what DuckDB's refused
                return None
            found = self.read_error(exc, LazyTable(table, str(path), None))
            if found is None:
                raise
            raise DataValidationError([found]) from None
        rows = frame.pop(ROW).to_numpy()
        try:
            lines = line_numbers(path, frame.shape[1], int(rows.max()) if len(rows) else None)
        except Unmatched:  # DuckDB's records are not provably the file's: the exact reader reads it
            return None
        if lines is not None:  # records that span lines, blank lines: the line each record starts on
            rows = lines[rows - 2]
        return frame_table(table, frame, source=str(path), rows=rows)

    def lazy(self, frame: pd.DataFrame) -> nw.LazyFrame:
        """A small pandas frame as a relation on this connection."""
        return nw.from_native(self.connection.from_arrow(pa.Table.from_pandas(frame, preserve_index=False)))

    def read_error(self, exc: BaseException, table: LazyTable) -> Violation | None:
        """A file DuckDB could not read (ragged CSV rows, bytes that are not UTF-8) as a violation."""
        import duckdb

        if not isinstance(exc, duckdb.Error):
            return None
        message = str(exc)
        line = re.search(r"Line: (\d+)", message)
        first = message.splitlines()[0] if message else type(exc).__name__
        detail = next((m for m in message.splitlines() if "Expected Number of Columns" in m), "")
        return Violation(
            table.name,
            table.source,
            None,
            f"the file cannot be read: {first}{'; ' + detail if detail else ''}",
            rows=(int(line.group(1)),) if line else (),
            n_rows=1 if line else 0,
            fix="every row must have as many fields as the header, in UTF-8; load with engine='pandas' to "
            "see every offending line",
        )
