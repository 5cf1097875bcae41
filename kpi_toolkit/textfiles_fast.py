"""Reading a plain CSV export's text columns with PyArrow, when that provably gives what the csv module gives.

:func:`kpi_toolkit.textfiles.read_columns` (Python's :mod:`csv`, strict) defines what a CSV file means and
words every error. :func:`read_columns_fast` reads the same bytes with :func:`pyarrow.csv.read_csv`, about
five times faster and without decoding the whole file into one Python string, but only when cheap checks
over the bytes (NumPy, a few MB at a time) guarantee that both readers split the file alike; on any doubt it
returns ``None`` and the caller reads the file the exact way, which then gives the messages. The checks:

- UTF-8, with or without one byte-order mark (a second mark, which the exact reader also removes, NUL bytes,
  and bytes Arrow finds not to be UTF-8 send the file back);
- every line ends with ``\\n`` or ``\\r\\n`` (a lone ``\\r`` ends a line for the csv module);
- quotes only around whole fields, and inside them only doubled: counted from the file's start, a quote
  with an even number before it (which opens a field, or is the second of a doubled quote) is at the file's
  start or right after a delimiter, a line end or a quote, and one with an odd number before it (which closes
  a field, or is the first of a doubled quote) is at the file's end or right before a delimiter, a line end or
  a quote; and the file does not end inside a quoted field. For both readers a run of quotes that starts
  outside a field opens one, each pair inside a field is one quote, and the field is outside again exactly
  when the count is even, so both read the same fields: no unquoted field holds a quote, ``a,"b"c`` (an error
  for the strict csv reader, ``bc`` for Arrow) is never read, a line end with an even number of quotes before
  it ends a record and one with an odd number is part of a quoted value (both readers keep its bytes,
  ``\\r\\n`` included; Arrow then reads with ``newlines_in_values``);
- the header is the first record, read by the csv module itself, and holds a non-blank cell;
- every row Arrow returns has the header's number of fields (a ragged row is an Arrow error: back to the
  exact reader, which reports it) and Arrow returns one row for each non-empty record after the header (a
  record is empty when it is a line of nothing or of ``\\r``). A record starts on the line after the last
  line end before it, as the csv module counts lines (``line_num``): one plus the number of line ends, those
  inside quoted values too, before its first byte;
- rows whose every field is empty or white space are dropped as the exact reader drops them (the rows none
  of whose cells holds a printable ASCII character are tested with Python's ``str.strip``).
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from kpi_toolkit.textfiles import TextColumns

__all__ = ["Counts", "count_bytes", "read_columns_fast", "record_lines"]

#: Bytes examined at a time by the NumPy checks (their temporary arrays stay a few times this size).
SCAN_BLOCK = 1 << 22
#: Arrow's CSV block size (and so its chunks): with 16 MB, ``kt.load`` of 2M orders peaked at 880-895 MiB and
#: took 3.8-4.3 s CPU; with Arrow's 1 MB default or 4 MB, 913-935 MiB and 4.3-4.7 s.
ARROW_BLOCK = 1 << 24
_QUOTE, _LF, _CR, _COMMA = ord('"'), ord("\n"), ord("\r"), ord(",")
_PRINTABLE = "[!-~]"  # a cell holding one of these is not white space for str.strip


class Counts(NamedTuple):
    """What :func:`count_bytes` finds in a file's bytes."""

    #: Its ``\n`` bytes.
    line_ends: int
    #: Its ``\r`` bytes, and of them those followed by a ``\n``.
    returns: int
    crlf: int
    #: Its commas, quoted ones included.
    commas: int
    #: Whether it holds a NUL byte (the exact reader refuses the file).
    nul: bool
    #: Whether its last line has no line end.
    open_end: bool

    @property
    def lines(self) -> int:
        """Its lines (line ends, plus one for a last line without one); ``-1`` when a ``\\r`` stands without a
        ``\\n`` after it (the exact reader ends a line there too, even inside a quoted value, so the lines
        cannot be told from the ``\\n`` alone)."""
        return -1 if self.returns != self.crlf else self.line_ends + self.open_end

    @property
    def alike(self) -> bool:
        """Whether every line ends in ``\\n`` or every one in ``\\r\\n``."""
        return not self.returns or self.returns == self.crlf == self.line_ends


def count_bytes(path: Path) -> Counts:
    """The file's line ends, commas and NUL bytes (:class:`Counts`). NumPy over a memory map, 4 MB at a time,
    each block's pages dropped from the process once counted (2 million orders, 129 MB: 0.05 s of CPU, of
    which the commas and NUL bytes 0.013 s; reading the file into a buffer and ``bytes.count``, 0.19 s); a
    file with ``\\r`` also has its ``\\r\\n`` counted.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> files = (b"a,b\\n1,\\n", b"a\\r\\n1\\0", b'a\\n"1\\r2"\\n')
    >>> counts = [count_bytes(path) for data in files if path.write_bytes(data)]
    >>> [(c.lines, c.commas, c.nul, c.alike) for c in counts]
    [(2, 2, False, True), (2, 0, True, True), (-1, 0, False, False)]
    """
    size = path.stat().st_size
    if not size:
        return Counts(0, 0, 0, 0, False, False)
    ends = cr = crlf = commas = 0
    nul = False
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        arr = np.frombuffer(data, dtype=np.uint8)
        for lo in range(0, size, SCAN_BLOCK):
            block = arr[lo : lo + SCAN_BLOCK + 1]  # one byte more: a \r\n across two blocks
            ends += int(np.count_nonzero(block[:SCAN_BLOCK] == _LF))
            commas += int(np.count_nonzero(block[:SCAN_BLOCK] == _COMMA))
            nul = nul or not block.all()
            returns = block[:SCAN_BLOCK] == _CR
            if returns.any():
                cr += int(np.count_nonzero(returns))
                crlf += int(np.count_nonzero(returns[: len(block) - 1] & (block[1:] == _LF)))
            if hasattr(data, "madvise"):
                data.madvise(mmap.MADV_DONTNEED, lo, min(SCAN_BLOCK, size - lo))
        last = int(arr[-1])
        del arr, block, returns
    return Counts(ends, cr, crlf, commas, nul, last != _LF)


def read_columns_fast(data: bytes, *, delimiter: str = ",") -> TextColumns | None:
    """The :class:`~kpi_toolkit.textfiles.TextColumns` that ``read_columns`` gives for these bytes (header
    on line 1), read by PyArrow; ``None`` when the checks (see the module) cannot guarantee the same result.

    >>> t = read_columns_fast(b'a,b\\r\\n1,"x,y"\\r\\n\\r\\n2,\\r\\n')
    >>> t.header, [c.tolist() for c in t.columns], t.lines.tolist()
    (['a', 'b'], [['1', '2'], ['x,y', '']], [2, 4])
    >>> read_columns_fast(b'a,b\\n1,"x"y\\n') is None  # the exact reader rejects it; Arrow would not
    True
    """
    if len(delimiter) != 1 or not (" " < delimiter < "\x7f" or delimiter == "\t") or delimiter == '"':
        return None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    if data.startswith(codecs.BOM_UTF8, start) or b"\x00" in data or data.count(b"\r") != data.count(b"\r\n"):
        return None
    scanned = _records(data, start, ord(delimiter))
    if scanned is None:
        return None
    lines, header_end, multiline, _ = scanned
    header = _header(data, start, header_end, delimiter)
    if header is None:
        return None
    names = [f"c{i}" for i in range(len(header))]
    if not len(lines):  # nothing but line ends after the header (Arrow calls that an empty file)
        return TextColumns(header, [pd.Series([], dtype="str") for _ in header], lines, header_line=1)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[header_end:]),
            read_options=pacsv.ReadOptions(use_threads=False, block_size=ARROW_BLOCK, column_names=names),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=multiline,  # only when needed: Arrow splits its blocks more slowly then
                ignore_empty_lines=True,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowException, ValueError):  # ragged rows, invalid UTF-8 ...: the exact reader says what
        return None
    if table.num_rows != len(lines):
        return None
    blank = _blank_rows(table)
    if blank is not None:
        keep = pa.array(~blank)
        table, lines = table.filter(keep), lines[~blank]
    columns = [pd.Series(pd.array(table.column(i), dtype="str")) for i in range(len(header))]
    return TextColumns(header=header, columns=columns, lines=lines, header_line=1)


def record_lines(
    data: bytes | memoryview, *, delimiter: str = ",", width: int | None = None
) -> np.ndarray | None:
    """The line each non-empty record after the header starts on (int64), as the exact reader numbers the
    records, or ``None`` when the checks of the quotes and line ends (see the module) fail, or (``width``
    given) when a record has more than ``width`` fields. For the DuckDB engine, whose CSV reader returns the
    same records (blank lines left out) but does not number their lines, and reads a record with empty fields
    beyond the header's as if they were not there; ``data`` may be any buffer (a memory map of the file).

    >>> record_lines(b'a,b\\n1,"x\\ny"\\n\\n2,z\\n').tolist()
    [2, 5]
    >>> [record_lines(b'a,b\\n1,"x,y"\\n2,' + end, width=2) is None for end in (b"\\n", b",\\n", b',""')]
    [False, True, True]
    """
    if len(delimiter) != 1 or ord(delimiter) > 127 or delimiter in '"\\r\\n':
        return None
    arr = np.frombuffer(data, dtype=np.uint8)
    for lo in range(0, len(arr), SCAN_BLOCK):  # a lone \r ends a line for the csv module
        cr = np.flatnonzero(arr[lo : lo + SCAN_BLOCK] == _CR) + lo + 1
        if len(cr) and (cr[-1] == len(arr) or (arr[cr] != _LF).any()):
            return None
    start = len(codecs.BOM_UTF8) if bytes(arr[:3]) == codecs.BOM_UTF8 else 0
    scanned = _records(arr, start, ord(delimiter), width=width)
    return None if scanned is None or scanned[3] else scanned[0]


def _header(data: bytes, start: int, end: int, delimiter: str) -> list[str] | None:
    """The first record's fields (the bytes from ``start`` to ``end``) as the csv module reads them, or
    ``None`` (not UTF-8, blank)."""
    try:
        text = data[start:end].decode("utf-8")
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except (UnicodeDecodeError, csv.Error):
        return None
    if len(records) != 1 or not "".join(records[0]).strip():
        return None
    return records[0]


def _records(
    data: bytes, start: int, delimiter: int, *, width: int | None = None
) -> tuple[np.ndarray, int, bool, bool] | None:
    """The lines on which the non-empty records after the first start (int64), where the first record ends
    (the byte after its line end), whether a quoted value holds a line end and whether a record has more than
    ``width`` fields (``None``: not counted); ``None`` when a quote is not around a whole field, or the first
    record has no line end (see the module).

    A record's fields are its delimiters outside quoted values plus one. The delimiters of each record are
    counted first with those inside quoted values (2 million orders: 0.1 s of CPU); only where that makes
    more than ``width`` fields, and in the record a block ends in, is each found inside or outside (the
    quotes before it: 0.2 s more where every record must be examined)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    size = len(arr)
    kept: list[np.ndarray] = []  # per block: the lines of its non-empty records
    quotes_before, lines_before, multiline = 0, 0, False
    wide, pending = False, 0  # a record wider than ``width`` seen; the delimiters of the one not ended yet
    record_start, record_line = start, 1  # of the record that has not ended yet
    header_end = -1
    for lo in range(start, size, SCAN_BLOCK):
        block = arr[lo : lo + SCAN_BLOCK]
        lf = np.flatnonzero(block == _LF)
        quotes = np.flatnonzero(block == _QUOTE)
        outside = quotes_before % 2 == 0  # at the block's start
        if len(quotes):
            # a line end with an odd number of quotes before it is inside a quoted value
            ends = (np.searchsorted(quotes, lf) + quotes_before) % 2 == 0
            opening = (np.arange(len(quotes)) + quotes_before) % 2 == 0
            at = quotes + lo
            before = arr[np.maximum(at - 1, 0)]
            after = arr[np.minimum(at + 1, size - 1)]
            ok_open = (at == start) | (before == delimiter) | (before == _LF) | (before == _QUOTE)
            ok_close = (at == size - 1) | (after == delimiter) | (after == _LF) | (after == _CR)
            ok_close |= after == _QUOTE
            if not np.where(opening, ok_open, ok_close).all():
                return None
            quotes_before += len(quotes)
        else:  # a block without quotes: all its line ends are inside a quoted value, or none
            ends = np.full(len(lf), quotes_before % 2 == 0)
        if len(lf):
            number = np.arange(lines_before + 1, lines_before + len(lf) + 1)  # of the line each ends
            if not ends.all():
                multiline = True
                lf, number = lf[ends], number[ends]
            lines_before += len(ends)
        if width is not None:
            wider, pending = _wider(block, lf, quotes, outside, delimiter, width, pending)
            wide = wide or wider
        if len(lf):
            lf += lo
            if header_end < 0:
                header_end = int(lf[0]) + 1
            starts = np.concatenate(([record_start], lf[:-1] + 1))
            first = np.concatenate(([record_line], number[:-1] + 1))  # the line each record starts on
            length = lf - starts  # of each record ending in the block, sans \n
            empty = (length == 0) | ((length == 1) & (arr[lf - 1] == _CR))
            kept.append(first[~empty])
            record_start, record_line = int(lf[-1]) + 1, int(number[-1]) + 1
    if quotes_before % 2 or header_end < 0:  # the file ends inside a quoted value; the header has no end
        return None
    if record_start < size:  # a last record without line end (not empty: a lone \r was refused)
        kept.append(np.array([record_line]))
        wide = wide or (width is not None and pending >= width)
    lines = np.concatenate(kept).astype(np.int64, copy=False)
    if not len(lines) or lines[0] != 1:  # the first record is empty: the exact reader reads on
        return None
    return lines[1:], header_end, multiline, wide


def _wider(
    block: np.ndarray,
    ends: np.ndarray,
    quotes: np.ndarray,
    outside: bool,
    delimiter: int,
    width: int,
    pending: int,
) -> tuple[bool, int]:
    """Whether a record that ends in ``block`` (at ``ends``, the line ends outside quoted values) has more
    than ``width`` fields, and the delimiters outside quoted values of the record that goes on past the block;
    ``pending``: those of the record going on when the block starts, ``outside``: whether the block starts
    outside a quoted value, ``quotes``: the block's quotes (see :func:`_records`)."""
    delimiters = np.flatnonzero(block == delimiter)
    record = np.searchsorted(ends, delimiters)  # the record each is in: the last one goes on
    counts = np.bincount(record, minlength=len(ends) + 1)  # quoted delimiters too, first
    counts[0] += pending
    doubt = counts >= width
    doubt[-1] = True  # the record going on past the block: its count goes on, quoted ones left out
    if len(quotes):  # a delimiter with an odd number of quotes before it is quoted
        chosen = doubt[record]
        inside = (np.searchsorted(quotes, delimiters[chosen]) % 2 == 1) == outside
        counts -= np.bincount(record[chosen][inside], minlength=len(counts))
    elif not outside:  # no quote in the block, which is inside one quoted value: no delimiter counts
        counts[-1] = pending
    return bool((counts[:-1] >= width).any()), int(counts[-1])


def _blank_rows(table: pa.Table) -> np.ndarray | None:
    """Which rows have only empty or white-space fields (``str.strip`` of their concatenation is empty), or
    ``None`` when none has; only rows without a printable ASCII character in any cell are tested in Python."""
    candidates = np.arange(table.num_rows)
    for column in table.columns:
        if not len(candidates):
            return None
        cells = column.take(pa.array(candidates)) if len(candidates) < table.num_rows else column
        printable = pc.match_substring_regex(cells, _PRINTABLE).to_numpy(zero_copy_only=False)
        candidates = candidates[~printable]
    if not len(candidates):
        return None
    rows = table.take(pa.array(candidates)).to_pylist()
    blank = np.zeros(table.num_rows, dtype=bool)
    blank[candidates] = [not "".join(row.values()).strip() for row in rows]
    return blank if blank.any() else None
