"""Reading text tables exactly: the encoding, the delimiter, and every record with the line it starts on.

Nothing here guesses where a guess could be wrong. UTF-8 (with or without a byte-order mark) and UTF-16/32
with a byte-order mark are recognised. Bytes that are not UTF-8 decode under every single-byte code page, so
for them the caller either names the encoding or, with ``guess_cyrillic=True``, accepts the one documented
heuristic (:func:`guess_cyrillic_encoding`) when it is clear-cut; otherwise reading stops and asks. The
delimiter is sniffed among ``,``, ``;``, tab and ``|`` and accepted only when exactly one of them splits the
header and the first records into the same number of fields.

Records are read with the :mod:`csv` module, not pandas, because pandas silently pads short rows and drops the
extra fields of long ones: here a row with the wrong number of fields rejects the whole file, with its lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation

__all__ = [
    "DELIMITERS",
    "SINGLE_BYTE_CANDIDATES",
    "TextTable",
    "decode_bytes",
    "guess_cyrillic_encoding",
    "read_records",
    "sniff_delimiter",
]

#: Delimiters a CSV file may use when none is given.
DELIMITERS = (",", ";", "\t", "|")
#: The code pages offered when bytes are not UTF-8 (both decode any bytes, so neither is ever assumed).
SINGLE_BYTE_CANDIDATES = ("cp1251", "koi8-r")
_SNIFF_RECORDS = 200
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
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)


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
class TextTable:
    """A CSV file's header, its data records and the line each record starts on (the header is line 1)."""

    header: list[str]
    records: list[list[str]]
    lines: list[int]
    header_line: int


def read_records(
    text: str,
    *,
    table: str,
    source: str,
    delimiter: str = ",",
    header_row: int = 1,
    names: Sequence[str] | None = None,
) -> TextTable:
    """Split CSV text into records, rejecting the file when a row's field count differs from the header's.

    Blank lines, lines of only white space and rows whose every field is empty are skipped (they hold no
    data). ``header_row`` is the line of the header (lines before it, e.g. a report title, are skipped).
    Raises :class:`DataValidationError` for an empty file, a file without a header, and ragged rows.
    ``names`` given: the file has no header row (``header_line`` is 0) and these are its columns.
    """
    reader = _reader(text, delimiter, strict=True)  # strict: a quote never closed is an error, not a cell
    header: list[str] | None = list(names) if names is not None else None
    header_line = 0
    records: list[list[str]] = []
    lines: list[int] = []
    bad: list[int] = []
    widths: set[int] = set()
    previous = 0
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
            records.append(record)
            lines.append(start)
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
    return TextTable(header=header, records=records, lines=lines, header_line=header_line)
