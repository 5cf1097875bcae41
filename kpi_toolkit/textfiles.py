"""Reading text tables exactly: the encoding, the delimiter, and every record with the line it starts on.

Nothing here guesses where a guess could be wrong. UTF-8 (with or without a byte-order mark) and UTF-16/32
with a byte-order mark are recognised. Bytes that are not UTF-8 decode under every single-byte code page, so
for them the caller either names the encoding or, with ``guess_cyrillic=True``, accepts the one documented
heuristic (:func:`guess_cyrillic_encoding`) when it is clear-cut; otherwise reading stops and asks. The
delimiter is sniffed among ``,``, ``;``, tab and ``|`` and accepted only when exactly one of them splits the
header and the first records into the same number of fields.

Records are read with the :mod:`csv` module, not pandas, because pandas silently pads short rows and drops the
extra fields of long ones: here a row with the wrong number of fields rejects the whole file, with its lines.
The csv module's reading is the definition: :mod:`kpi_toolkit.textfiles_fast` reads a plain UTF-8 export with
PyArrow instead only where cheap checks over the bytes prove that gives the same columns and lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation

__all__ = [
    "DELIMITERS",
    "SINGLE_BYTE_CANDIDATES",
    "TextColumns",
    "decode_bytes",
    "guess_cyrillic_encoding",
    "read_columns",
    "sniff_delimiter",
]

#: Delimiters a CSV file may use when none is given.
DELIMITERS = (",", ";", "\t", "|")
#: The code pages offered when bytes are not UTF-8 (both decode any bytes, so neither is ever assumed).
SINGLE_BYTE_CANDIDATES = ("cp1251", "koi8-r")
_SNIFF_RECORDS = 200
#: Records :func:`read_columns` holds as Python strings at a time before turning them into Arrow columns.
CHUNK_RECORDS = 65_536
_BLOCK = 1 << 20
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CYR = "А-Яа-яЁё"
_NATURAL = re.compile(rf"(?<![{_CYR}])[А-ЯЁ][а-яё]+(?![{_CYR}])")
_INVERTED = re.compile(rf"(?<![{_CYR}])[а-яё][А-ЯЁ]+(?![{_CYR}])")
_WORD = re.compile(rf"[{_CYR}]{{3,}}")


def _fail(table: str, source: str, rule: str, fix: str, *, rows: tuple[int, ...] = ()) -> DataValidationError:
    return DataValidationError([Violation(table, source, None, rule, rows=rows, n_rows=len(rows), fix=fix)])


def guess_cyrillic_encoding(data: bytes) -> str | None:
    """Tell cp1251 from koi8-r by the case of Cyrillic words, or return ``None`` when it is not clear-cut.

    The two code pages hold the Cyrillic capitals and small letters in swapped halves, so text read with the
    wrong one turns ``Иван Петров`` into ``хБЮМ оЕРПНБ``: a small letter followed by capitals, which Russian
    text never has. The rule: the encoding under which at least 5 words are capitalised (``Иван``) and at most
    1 in 20 as many are "inverted" (``хБЮМ``), while under the other it is the reverse. Text without
    capitalised words (only small letters, or only capitals) gives no evidence: ``None``.

    Examples
    --------
    >>> guess_cyrillic_encoding("Иван Петров, Анна Смирнова, Олег Орлов".encode("cp1251"))
    'cp1251'
    >>> guess_cyrillic_encoding("Иван Петров, Анна Смирнова, Олег Орлов".encode("koi8-r"))
    'koi8-r'
    >>> guess_cyrillic_encoding("успешно реализовано".encode("cp1251")) is None
    True
    """
    counts = {}
    for encoding in SINGLE_BYTE_CANDIDATES:
        text = data.decode(encoding, errors="replace")
        counts[encoding] = (len(_NATURAL.findall(text)), len(_INVERTED.findall(text)))
    (a, (nat_a, inv_a)), (b, (nat_b, inv_b)) = counts.items()
    if nat_a >= 5 and inv_a * 20 <= nat_a and nat_b * 20 <= inv_b:
        return a
    if nat_b >= 5 and inv_b * 20 <= nat_b and nat_a * 20 <= inv_a:
        return b
    return None


def _sample_words(data: bytes, encoding: str) -> str:
    words = _WORD.findall(data.decode(encoding, errors="replace"))
    return " ".join(dict.fromkeys(words))[:40] if words else data[:40].decode(encoding, errors="replace")


def decode_bytes(
    data: bytes, *, table: str, source: str, encoding: str | None = None, guess_cyrillic: bool = False
) -> tuple[str, str]:
    """Decode a file's bytes; return the text and the encoding used.

    ``encoding`` given: that encoding (a UTF-8 or UTF-16 byte-order mark is removed). Not given: a byte-order
    mark decides; else UTF-8; else, with ``guess_cyrillic``, :func:`guess_cyrillic_encoding` when it is
    clear-cut; else a :class:`DataValidationError` that names the candidates and asks for ``encoding:``.
    """
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ParameterError(
                f"{source}: unknown encoding {encoding!r}. Fix: use a Python codec name such as utf-8, "
                "cp1251, koi8-r, utf-16 or cp1252."
            ) from None
        codec = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}.get(codec, codec)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise _fail(
                table,
                source,
                f"the file is not {encoding} text ({exc.reason} at byte {exc.start}, line {line})",
                "check the encoding: setting for this file in the mapping",
                rows=(line,),
            ) from None
        return text.removeprefix("\ufeff"), codec
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec).removeprefix("\ufeff"), codec
    if b"\x00" in data:
        raise _fail(
            table,
            source,
            "the file holds NUL bytes, so it is not UTF-8 text: it looks like UTF-16 or UTF-32 without a "
            "byte-order mark (or not a text file at all)",
            "set encoding: utf-16-le (or utf-16-be) for this file in the mapping, or save it as UTF-8",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        where = f"{exc.reason} at byte {exc.start}, line {line}"
    if guess_cyrillic:
        guessed = guess_cyrillic_encoding(data)
        if guessed:
            return data.decode(guessed), guessed
    samples = "; ".join(f"as {e}: {_sample_words(data, e)!r}" for e in SINGLE_BYTE_CANDIDATES)
    raise _fail(
        table,
        source,
        f"the file is not UTF-8 text ({where}). Single-byte code pages decode any bytes, so the encoding "
        f"cannot be told for sure; it could be {' or '.join(SINGLE_BYTE_CANDIDATES)} ({samples}) or another "
        "code page such as cp1252",
        "name the encoding in a mapping file (encoding: cp1251 for most Russian Windows exports, koi8-r, "
        "cp1252 ...), or save the file as UTF-8",
    )


def _reader(text: str, delimiter: str, *, strict: bool = False) -> Any:
    """A :mod:`csv` reader of ``text``; a cell may be as long as the text (the module's default limit,
    131,072 characters, would refuse a valid long cell with a misleading message)."""
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)
    return csv.reader(_lines(text), delimiter=delimiter, strict=strict)


def _lines(text: str) -> Any:
    """The lines of ``text`` exactly as ``io.StringIO(text, newline="")`` yields them, without its copy of
    the whole text (a StringIO holds 4 bytes a character: 520 MB for a 130 MB file): StringIOs of blocks of
    about :data:`_BLOCK` characters, each cut right after a ``\\n``, which always ends a line."""
    start = 0
    while start < len(text):
        end = text.find("\n", start + _BLOCK) + 1 or len(text)
        yield from io.StringIO(text[start:end], newline="")
        start = end


def _records(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = _reader(text, delimiter)
    out: list[list[str]] = []
    try:
        for record in reader:
            if record and any(field.strip() for field in record):
                out.append(record)
                if len(out) >= limit:
                    break
    except csv.Error:
        return []
    return out


def sniff_delimiter(text: str, *, table: str, source: str) -> str:
    """The delimiter among :data:`DELIMITERS` that splits the header and the first records alike.

    Exactly one consistent candidate is taken. Several (e.g. a header ``a,b;c`` with rows alike) are
    ambiguous: a :class:`DataValidationError` asks for ``delimiter:``. None consistent means ragged rows: the
    delimiter that splits the header most is taken, and reading then reports the ragged lines.

    >>> sniff_delimiter("id;amount\\n1;2,5\\n", table="orders", source="x.csv")
    ';'
    """
    if not text.strip():
        return ","
    header_line = text.lstrip().split("\n", 1)[0]
    try:
        sniffed = csv.Sniffer().sniff(header_line, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    consistent, width = [], {}
    for delimiter in DELIMITERS:
        records = _records(text, delimiter, _SNIFF_RECORDS)
        width[delimiter] = len(records[0]) if records else 0
        if width[delimiter] > 1 and all(len(r) == width[delimiter] for r in records):
            consistent.append(delimiter)
    if len(consistent) == 1:
        return consistent[0]
    if len(consistent) > 1:
        shown = " and ".join(repr(d) for d in consistent)
        raise _fail(
            table,
            source,
            f"cannot tell the delimiter: {shown} both split the header and the first rows into equal "
            "numbers of fields",
            f"set delimiter: {consistent[0]!r} (or the right one) for this file in the mapping",
        )
    if sniffed and width.get(sniffed, 0) > 1:
        return sniffed
    best = max(DELIMITERS, key=lambda d: width[d])
    return best if width[best] > 1 else ","


@dataclass(frozen=True)
class TextColumns:
    """A CSV file's header, its data as one text array per column (pandas ``str``), the line each record
    starts on (an int64 array) and the header's line."""

    header: list[str]
    columns: list[pd.Series]
    lines: np.ndarray
    header_line: int


def read_columns(
    text: str,
    *,
    table: str,
    source: str,
    delimiter: str = ",",
    header_row: int = 1,
    names: Sequence[str] | None = None,
) -> TextColumns:
    """Split CSV text into text columns; a row whose field count differs from the header's rejects the file.

    Blank lines, lines of only white space and rows whose every field is empty are skipped (they hold no
    data). ``header_row`` is the line of the header (lines before it, e.g. a report title, are skipped).
    Raises :class:`DataValidationError` for an empty file, a file without a header, and ragged rows.
    ``names`` given: the file has no header row (``header_line`` is 0) and these are its columns.

    Records are turned into Arrow-backed text arrays :data:`CHUNK_RECORDS` at a time, so at most that many
    records are Python strings at once (a list of lists holds ~60 bytes per cell: 700 MB for 2 million
    orders).

    >>> t = read_columns("a,b\\n1,x\\n\\n2,y\\n", table="t", source="t.csv")
    >>> t.header, [c.tolist() for c in t.columns], t.lines.tolist()
    (['a', 'b'], [['1', '2'], ['x', 'y']], [2, 4])
    """
    parts: list[list[pd.Series]] = []
    line_parts: list[np.ndarray] = []

    def keep(chunk: list[list[str]], starts: list[int]) -> None:
        line_parts.append(np.asarray(starts, dtype=np.int64))
        # through pa.array: twice as fast as pd.array of the Python strings
        parts.append(
            [
                pd.Series(pd.array(pa.array(column, type=pa.large_string()), dtype="str"))
                for column in zip(*chunk, strict=True)
            ]
        )

    header, header_line = _scan(
        text, table=table, source=source, delimiter=delimiter, header_row=header_row, names=names, keep=keep
    )
    if parts:
        columns = [
            pd.concat([part[i] for part in parts], ignore_index=True) if len(parts) > 1 else parts[0][i]
            for i in range(len(header))
        ]
        lines = np.concatenate(line_parts)
    else:
        columns = [pd.Series([], dtype="str") for _ in header]
        lines = np.empty(0, dtype=np.int64)
    return TextColumns(header=header, columns=columns, lines=lines, header_line=header_line)


def _scan(
    text: str,
    *,
    table: str,
    source: str,
    delimiter: str,
    header_row: int,
    names: Sequence[str] | None,
    keep: Any,
) -> tuple[list[str], int]:
    """Read the records, handing them to ``keep(records, lines)`` :data:`CHUNK_RECORDS` at a time; return
    the header and its line, or raise for a file without header, ragged rows or a broken quote."""
    reader = _reader(text, delimiter, strict=True)  # strict: a quote never closed is an error, not a cell
    header: list[str] | None = list(names) if names is not None else None
    header_line = 0
    records: list[list[str]] = []
    lines: list[int] = []
    bad: list[int] = []
    widths: set[int] = set()
    previous = 0
    chunk = CHUNK_RECORDS
    try:
        for record in reader:
            start, previous = previous + 1, reader.line_num
            if start < header_row or not "".join(record).strip():  # blank, or every field empty
                continue
            if header is None:
                header, header_line = record, start
                continue
            if len(record) != len(header):
                bad.append(start)
                widths.add(len(record))
                continue
            if bad:  # the file is rejected: its records are no longer needed
                continue
            records.append(record)
            lines.append(start)
            if len(records) >= chunk:
                keep(records, lines)
                records, lines = [], []
    except csv.Error as exc:
        start = previous + 1  # the line the failing record starts on
        if "unexpected end of data" in str(exc):
            rule = f"a quoted field that opens on line {start} is never closed (the file ends inside it)"
            fix = 'close the quote on that line, or write a quote inside a quoted field as two ("")'
        else:
            rule = f"the file cannot be read as CSV ({exc}, in the record that starts on line {start})"
            fix = (
                'check the quotes on that line (a quoted field must end with " right before the '
                "delimiter), the file's encoding and its delimiter (set encoding: and delimiter: in a "
                "mapping)"
            )
        raise _fail(table, source, rule, fix, rows=(start,)) from None
    if header is None:
        raise _fail(table, source, "the file is empty", "write a header line naming the columns")
    if bad:
        raise DataValidationError(
            [
                Violation(
                    table=table,
                    source=source,
                    column=None,
                    rule=f"a row has {sorted(widths)} fields where the header has {len(header)} "
                    f"(delimiter {delimiter!r})",
                    rows=tuple(bad[:20]),
                    n_rows=len(bad),
                    fix="quote fields that contain the delimiter (e.g. addresses with commas) and export "
                    "again; the file is not loaded at all rather than half-parsed",
                )
            ]
        )
    if records:
        keep(records, lines)
    return header, header_line
