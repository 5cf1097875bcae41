"""Reading the files a mapping names: CSV (encoding and delimiter detected when not given), Excel, Parquet.

A file is read once, as it is: CSV cells as text (pandas' Arrow-backed ``str`` columns: a column a mapping
only renames goes through as read, and :mod:`kpi_toolkit.mapping.convert` makes Python objects only of the
cells a conversion changes), Excel and Parquet cells as the values they hold (a number stays a number, a date
a date). Columns are found by name without case and surrounding spaces; repeated names
are allowed until a mapping uses one of them. Each row keeps its number as the user sees it: the CSV line (the
header is line 1), the Excel row, the 1-based Parquet position.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.mapping.spec import ReadOptions, SourceSpec
from kpi_toolkit.reading import ROW, check_file, read_file_bytes, read_parquet_file
from kpi_toolkit.textfiles import decode_bytes, read_columns, sniff_delimiter
from kpi_toolkit.textfiles_fast import read_columns_fast

__all__ = ["EXCEL_SUFFIXES", "SourceFile", "inside", "read_source", "read_sources"]

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_CSV_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class SourceFile:
    """A file as read: its headers as written, the cells (columns by position) and ``_row``."""

    source: str
    headers: tuple[str, ...]
    frame: pd.DataFrame
    how: str = ""
    #: The header's line or row (0: the file has none); rows of a later file of several continue after it.
    header_line: int = 1
    #: For a table read from several files: each file, the rows (first, last) it holds, and the number to
    #: subtract from a row to get the file's own line.
    parts: tuple[tuple[str, int, int, int], ...] = ()

    def position(self, name: str, *, table: str, setting: str) -> int:
        """The position of the column ``name`` (case and surrounding spaces ignored); an error if absent."""
        wanted = name.strip().lower()
        hits = [i for i, h in enumerate(self.headers) if str(h).strip().lower() == wanted]
        if len(hits) == 1:
            return hits[0]
        if hits:
            problem = f"the file has {len(hits)} columns named {name!r}"
            fix = "rename one of them in the file"
        else:
            problem = f"the file has no column {name!r} (the mapping names it in {setting})"
            fix = f"correct the mapping; the file's columns are {list(self.headers)}"
        raise DataValidationError([Violation(table, self.source, name, problem, fix=fix)])

    def column(self, name: str, *, table: str, setting: str) -> pd.Series:
        """The cells of column ``name``."""
        return self.frame[self.position(name, table=table, setting=setting)]

    def header(self, name: str, *, table: str, setting: str) -> str:
        """The column's name as written in the file."""
        return str(self.headers[self.position(name, table=table, setting=setting)]).strip()


def _csv(path: Path, source: str, table: str, options: ReadOptions) -> SourceFile:
    data = read_file_bytes(path, what="file")
    text, encoding = decode_bytes(
        data,
        table=table,
        source=source,
        encoding=options.encoding,
        guess_cyrillic=True,
    )
    if not text.strip():
        raise DataValidationError(
            [Violation(table, source, None, "the file is empty", fix="export it again")]
        )
    delimiter = options.delimiter
    if delimiter is None:
        body = text.split("\n", options.header_row - 1)[-1] if options.header_row > 1 else text
        delimiter = sniff_delimiter(body, table=table, source=source)
    records = None
    if encoding in ("utf-8", "utf-8-sig") and options.header_row == 1 and options.header:
        # PyArrow reads the bytes when it provably reads them as the csv module would; the text is kept
        # until it has answered, for the csv module when it declines (decoding anew took seconds)
        records = read_columns_fast(data, delimiter=delimiter)
        if records is not None:
            del text
    del data
    if records is None:
        records = read_columns(
            text,
            table=table,
            source=source,
            delimiter=delimiter,
            header_row=options.header_row,
            names=None if options.header else options.names,
        )
        del text
    # the cells as pandas' Arrow-backed text, as read: a column the mapping only renames goes through as it
    # is, and the mapping's conversions make Python objects only of the cells that need them
    cells = list(records.columns)
    frame = pd.concat(cells, axis=1, ignore_index=True) if cells else pd.DataFrame(index=range(0))
    frame[ROW] = records.lines if len(records.lines) else []  # an empty file's _row: float, as before
    how = f"encoding {encoding}, delimiter {delimiter!r}"
    return SourceFile(source, tuple(h.strip() for h in records.header), frame, how, records.header_line)


def _excel(path: Path, source: str, table: str, options: ReadOptions) -> SourceFile:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors on broken files
        raise DataValidationError(
            [
                Violation(
                    table,
                    source,
                    None,
                    f"the file is not a readable Excel workbook ({exc})",
                    fix="save it again as .xlsx",
                )
            ]
        ) from None
    try:
        names = book.sheetnames
        sheet = options.sheet
        if sheet is None:
            if len(names) > 1:
                raise ParameterError(
                    f"{source} has several sheets ({', '.join(names)}). "
                    "Fix: name one with sheet: in the mapping."
                )
            sheet = names[0]
        if isinstance(sheet, int):
            if sheet > len(names):
                raise ParameterError(f"{source} has {len(names)} sheet(s); sheet: {sheet} does not exist.")
            sheet = names[sheet - 1]
        if sheet not in names:
            raise ParameterError(f"{source} has no sheet {sheet!r}; its sheets are {', '.join(names)}.")
        rows = list(book[sheet].iter_rows(min_row=options.header_row, values_only=True))
    finally:
        book.close()
    source = f"{source}, sheet {sheet!r}"
    numbered = [
        (options.header_row + i, row)
        for i, row in enumerate(rows)
        if any(v is not None and str(v).strip() for v in row)
    ]
    if not numbered:
        raise DataValidationError(
            [Violation(table, source, None, "the sheet is empty", fix="check the sheet")]
        )
    if options.header:
        (header_line, header), data = numbered[0], numbered[1:]
    else:
        header_line, header, data = 0, options.names, numbered
    width = max((i + 1 for i, v in enumerate(header) if v is not None and str(v).strip()), default=0)
    beyond = [n for n, row in data if any(v is not None and str(v).strip() for v in row[width:])]
    if beyond:
        raise DataValidationError(
            [
                Violation(
                    table,
                    source,
                    None,
                    f"rows hold values to the right of the last named column (column {width})",
                    rows=tuple(beyond[:20]),
                    n_rows=len(beyond),
                    fix="name every column in the header row, or remove the stray values",
                )
            ]
        )
    cells = [list(row[:width]) + [None] * (width - len(row)) for _, row in data]
    frame = pd.DataFrame(cells, columns=range(width), dtype=object)
    frame[ROW] = [n for n, _ in data]
    headers = tuple("" if v is None else str(v).strip() for v in header[:width])
    return SourceFile(source, headers, frame, "Excel", header_line)


def _parquet(path: Path, source: str, table: str) -> SourceFile:
    native = read_parquet_file(path, table=table)
    frame = pd.DataFrame({i: native[c].astype(object) for i, c in enumerate(native.columns)})
    frame[ROW] = range(1, len(frame) + 1)
    return SourceFile(source, tuple(str(c).strip() for c in native.columns), frame, "Parquet", 0)


def _paths(folder: Path, spec: SourceSpec, table: str) -> tuple[list[str], str]:
    """The files ``spec`` names (a list, or a pattern matched in sorted order), and the source's name."""
    names = spec.file if isinstance(spec.file, tuple) else (spec.file,)
    paths = [Path(n) if Path(n).is_absolute() else Path(folder) / n for n in names]
    if isinstance(spec.file, tuple):
        return list(names), " + ".join(str(p) for p in paths)
    pattern = paths[0]
    found = sorted(p for p in pattern.parent.glob(pattern.name) if p.is_file())
    if not found:
        raise ParameterError(
            f"no file matches {pattern} (the mapping's file for {table}). Fix: correct file: in the mapping, "
            "or pass the data folder that holds the files."
        )
    names = [str(p.relative_to(folder)) if p.is_relative_to(folder) else str(p) for p in found]
    return names, f"{pattern} ({', '.join(p.name for p in found)})"


def _combine(parts: list[SourceFile], source: str, table: str) -> SourceFile:
    """Several files of one table as one: same columns (any order), rows numbered on across the files."""
    first = parts[0]
    wanted = [h.strip().lower() for h in first.headers]
    frames, spans, last = [], [], 0
    for part in parts:
        have = [h.strip().lower() for h in part.headers]
        if have != wanted and (sorted(have) != sorted(wanted) or len(set(have)) < len(have)):
            raise DataValidationError(
                [
                    Violation(
                        table,
                        part.source,
                        None,
                        f"the file's columns {list(part.headers)} differ from those of {first.source} "
                        f"({list(first.headers)})",
                        fix="export every file of the table with the same columns",
                    )
                ]
            )
        frame = part.frame[[have.index(h) for h in wanted] + [ROW]].set_axis(
            [*range(len(wanted)), ROW], axis=1
        )
        offset = last - part.header_line
        frame[ROW] = frame[ROW] + offset
        last = int(frame[ROW].max()) if len(frame) else last
        spans.append((part.source, int(frame[ROW].min()) if len(frame) else 0, last, offset))
        frames.append(frame)
    combined = pd.concat(frames, ignore_index=True)
    how = "; ".join(f"{Path(p.source).name}: {p.how}" for p in parts)
    return SourceFile(source, first.headers, combined, how, first.header_line, tuple(spans))


def read_sources(
    folder: Path, spec: SourceSpec, *, table: str, allow_outside_data: bool = False
) -> SourceFile:
    """Read the file or files ``spec`` names (a list, or a pattern: one after another, as one table); each
    inside ``folder`` unless ``allow_outside_data``."""
    if not spec.several:
        return read_source(folder, spec, table=table, allow_outside_data=allow_outside_data)
    paths, source = _paths(folder, spec, table)
    parts = [
        read_source(folder, replace(spec, file=path), table=table, allow_outside_data=allow_outside_data)
        for path in paths
    ]
    return parts[0] if len(parts) == 1 and isinstance(spec.file, str) else _combine(parts, source, table)


def inside(folder: Path, file: str) -> Path:
    """The path of a mapping's ``file:`` in the data ``folder``; a :class:`ParameterError` when it leads out
    of it (an absolute path, ``..``): a mapping reads the data set, not any file on the machine.

    >>> inside(Path("data/export"), "sales.csv").as_posix()
    'data/export/sales.csv'
    >>> inside(Path("data/export"), "../../etc/passwd")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.ParameterError: the mapping's file '../../etc/passwd' is outside the data folder ...
    """
    path = Path(folder) / file
    root = os.path.normpath(os.path.abspath(folder))
    target = os.path.normpath(os.path.abspath(path))
    if os.path.commonpath([root, target]) != root:
        raise ParameterError(
            f"the mapping's file {file!r} is outside the data folder {str(folder)!r}. Fix: put the file in "
            "the data folder and name it relative to it, or load with allow_outside_data=True (Python "
            "API) if reading it from there is intended."
        )
    return path


def read_source(
    folder: Path, spec: SourceSpec, *, table: str, allow_outside_data: bool = False
) -> SourceFile:
    """Read the file ``spec`` names under ``folder`` with its read options (a file outside ``folder`` only
    with ``allow_outside_data``)."""
    assert isinstance(spec.file, str), "several files are read by read_sources"
    if allow_outside_data:
        path = Path(spec.file) if Path(spec.file).is_absolute() else Path(folder) / spec.file
    else:
        path = inside(Path(folder), spec.file)
    source = str(path)
    if not os.path.lexists(path):
        raise ParameterError(
            f"{source} does not exist (the mapping's file for {table}). Fix: correct file: in the mapping, "
            "or pass the data folder that holds it."
        )
    check_file(path, what=f"the mapping's file for {table}")
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _excel(path, source, table, spec.read)
    if suffix == ".parquet":
        if not spec.read.header:
            raise ParameterError(
                f"{source}: a Parquet file names its columns. Fix: remove header: and names:."
            )
        return _parquet(path, source, table)
    if suffix == ".xls":
        raise ParameterError(
            f"{source} is an old-style .xls file, which the toolkit does not read (Bitrix24's 'Excel' export "
            "is an HTML page named .xls). Fix: export or save it as .xlsx or CSV."
        )
    if suffix not in _CSV_SUFFIXES:
        raise ParameterError(f"{source}: unknown file type {suffix!r}. Fix: use CSV, .xlsx or Parquet.")
    return _csv(path, source, table, spec.read)


def as_text(value: object) -> str | None:
    """A cell as text as the user would write it (numbers without a trailing ``.0``, dates in ISO 8601)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
