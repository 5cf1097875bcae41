"""The PyArrow fast path reads exactly what the csv module reads, or steps aside.

``read_columns_fast`` returns ``None`` when its checks cannot prove that PyArrow splits the bytes as
``read_columns`` does; ``read_table`` then reads them the exact way (which words every error). Every file here
goes through both: the same frame (values, dtypes, header, ``_row``) or the same error message.
"""

from __future__ import annotations

import csv
import io
import random

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit import reading, textfiles_fast
from kpi_toolkit.errors import DataValidationError
from kpi_toolkit.reading import read_table, text_frame
from kpi_toolkit.textfiles import decode_bytes, read_columns
from kpi_toolkit.textfiles_fast import read_columns_fast

BOM = "\ufeff".encode()

# (bytes, whether the fast path must take the file)
CASES: list[tuple[bytes, bool]] = [
    (b"a,b\n1,2\n", True),
    (b"a,b\n1,2", True),  # no final line end
    (b"a,b\r\n1,2\r\n3,4", True),
    (b"a,b\n1,2\n\n\n", True),  # trailing blank lines
    (b"a,b\n\n1,2\n\r\n3,4\n", True),  # blank lines between records: their numbers still count
    (BOM + b"a,b\n1,2\n", True),
    (BOM + b'"a","b"\r\n"1","x,y"\r\n', True),
    (b'"a","b"\n"",""\n1,""\n', True),  # an all-empty quoted row is dropped, as the csv module drops it
    (b"a,b,c\n,,\n1,2,3\n,,\n", True),  # ",," rows dropped
    (b"a,b\n , \n1,2\n", True),  # a row of white space dropped
    ("a,b\n\u00a0,\u3000\n1,2\n".encode(), True),  # Unicode white space: dropped
    ("a,b\n\x1c,\x85\n1,2\n".encode(), True),  # what str.strip() counts as white space
    ("a,b\n\u200b,\n1,2\n".encode(), True),  # a zero-width space is not white space: kept
    (b"a,b\n 1 , 2 \n", True),  # white space kept as is
    ("заказ,сумма\nИван,10\n".encode(), True),  # no ASCII letter in a row: checked in Python
    (b"a,b\n", True),  # header only
    (b"a,b\n\n\n", True),
    (b"a,a\n1,2\n", True),  # duplicate names: the header check reports them
    (b"a,,b\n1,2,3\n", True),  # an empty name
    (b'" a ","b,c"\n1,2\n', True),  # quoted names
    (b"a\n1\n\n2\n", True),  # one column
    (b'a\n""\n1\n', True),  # one column, an empty quoted cell: dropped
    (b"a;b\n1;2\n", True),  # one column named "a;b"
    (b'a,b\n1,b"c\n', False),  # a quote inside an unquoted field: literal for both, but not proven
    (b'a,b\n1,"b"c\n', False),  # an error for the strict csv module, "bc" for Arrow
    (b'a,b\n1,"b""c"\n', True),  # doubled quotes inside a quoted field
    (b'a,b\n"""",""""""\n"""x",""\n', True),
    (b'"a""",b\n1,2\n', True),
    (b'a,b\n1,"b"""c"\n', False),  # an error for the strict csv module
    (b'a,b\n1,""x\n', False),
    (b'a,b\n1,b""\n', False),
    (b'a,b\n1,"b""\n2,"\n', True),  # the doubled quote leaves the field open across the line end
    (b'a,b\n1,"two\nlines"\n2,x\n', True),  # a quoted line end
    (b'a,b\n1,"never closed\n', False),
    (b'a,b\n1,"never closed', False),
    (b'a,b\n1, "x"\n', False),  # a space before the quote: an unquoted field
    (b"a,b\n1,2,3\n4,5\n", False),  # ragged rows
    (b"a,b,c\n1,2\n", False),
    (b"a,b\n \n1,2\n", False),  # a blank line of one field: Arrow calls it ragged; the csv module skips it
    (b"a,b\r1,2\r", False),  # lone carriage returns end lines for the csv module
    (b"a,b\n1,2\r3\n", False),
    (b"\na,b\n1,2\n", False),  # a blank line before the header
    (b" , \na,b\n1,2\n", False),  # a blank header
    (b"", False),
    (b"   \n", False),
    (b"\n", False),  # nothing but line ends
    (b"\r\n\n", False),
    (b"a,b", False),  # header only, no line end
    (b"a,b\n1,\xff\n", False),  # not UTF-8
    (b"a,b\n1,\xed\xa0\x80\n", False),  # an encoded surrogate: not UTF-8 for Python either
    ("a,b\n1,Иван\n".encode("cp1251"), False),
    ("a,b\n1,2\n".encode("utf-16"), False),
    ("a,b\n1,2\n".encode("utf-32"), False),
    ("a,b\n1,2\n".encode("utf-16-le"), False),  # NUL bytes
    (b"a,b\n1,\x002\n", False),
    (BOM + BOM + b"a,b\n1,2\n", False),  # a second mark: decode_bytes removes it too
    (b'a,"b\n1,2\n', False),
    (b'a,b"\n1,2\n', False),
    # quoted line breaks: a record starts on the line after the last line end before it, quoted ones included
    (b'a,b\n"x\ny",2\n3,4\n', True),  # in the first field
    (b'a,b\n1,"x\ny"', True),  # in the last field, at the end of the file
    (b'a,b\n1,"x\n"\n', True),
    (b'a,b\n1,"x\n"', True),
    (b'a,b\r\n1,"x\r\ny"\r\n2,z\r\n', True),  # \r\n inside: both readers keep both bytes
    (b'a,b\n1,"x\n\ny"\n\n\r\n2,"\n"\n\n3,4\n', True),  # blank lines between records
    (b'a,b\n"\n","\r\n"\n1,2\n', True),  # a record of line breaks only: white space, dropped
    (b'a,b\n"",""\n"\n\n",""\n1,2\n', True),
    (b'a,b\n1,"\nx"\n', True),  # right after the opening quote
    (b'a,b\n1,"\n\n\n"\n2,"x\n\r\n\ny"\n', True),  # several in a row
    (b'a,b\n1,"x\n \ny"\n2,"\n,\n"\n', True),  # a line of white space or a delimiter inside the value
    (b'a,b\n1,"""\n"""\n2,"x""\n""y"\n', True),  # next to doubled quotes
    (b'"a\nb",c\n1,2\n', True),  # in the header
    (BOM + b'a,"b\r\nc"\r\n1,2\r\n', True),
    (b'"a\n"\n"x\ny"\n\n"\n"\n2\n', True),  # one column
    ('a,b\n1,"Иван\nПетров"\n2,"\u00a0\n\u3000"\n'.encode(), True),
    (b'a,b\n1,"x\ry"\n', False),  # a lone \r inside a quoted value
    (b'a,b\n1,"x\ny\n', False),  # never closed
    (b'a,b\n1,"x\ny",3\n4,5\n', False),  # ragged after a record of two lines: the exact reader's lines
    (b'a,b\n1,"x\ny"z\n', False),
    (b'a,b\n1,"x\ny" \n', False),
    (b'"a\nb\n', False),  # the header never ends
    (b'a,"b\n', False),
]


def _exact(data: bytes, tmp_path, monkeypatch) -> tuple[str, object]:
    """read_table without the fast path: ("frame", frame) or ("error", message)."""
    monkeypatch.setattr(reading, "read_columns_fast", lambda data, delimiter: None)
    try:
        return _run(data, tmp_path)
    finally:
        monkeypatch.undo()


def _run(data: bytes, tmp_path) -> tuple[str, object]:
    path = tmp_path / "orders.csv"
    path.write_bytes(data)
    try:
        return "frame", read_table("orders", path).frame
    except DataValidationError as exc:
        return "error", str(exc)


def _same(data: bytes, tmp_path, monkeypatch) -> None:
    kind, fast = _run(data, tmp_path)
    exact_kind, exact = _exact(data, tmp_path, monkeypatch)
    assert kind == exact_kind, (data, fast, exact)
    if kind == "frame":
        assert fast[reading.ROW].dtype == exact[reading.ROW].dtype
        pd.testing.assert_frame_equal(fast, exact, check_exact=True)
    else:
        assert fast == exact


@pytest.mark.parametrize(("data", "taken"), CASES)
def test_the_fast_path_gives_the_exact_readers_frame_or_steps_aside(data, taken, tmp_path, monkeypatch):
    fast = read_columns_fast(data)
    assert (fast is not None) == taken
    if fast is not None:  # then the exact reader must give the very same columns and lines
        text, _ = decode_bytes(data, table="t", source="t.csv")
        exact = read_columns(text, table="t", source="t.csv")
        assert fast.header == exact.header and fast.header_line == exact.header_line == 1
        assert fast.lines.dtype == exact.lines.dtype == np.int64
        assert fast.lines.tolist() == exact.lines.tolist()
        pd.testing.assert_frame_equal(text_frame(fast), text_frame(exact), check_exact=True)
    _same(data, tmp_path, monkeypatch)


def test_random_files_read_alike(tmp_path, monkeypatch):
    """600 files of awkward pieces at random, half of them rows of awkward cells: all read alike."""
    pieces = ["a", "1", ",", ",", '"', '""', "\n", "\r\n", " ", "\u00a0", "é", "\x1c", "\r", '","', '"\n']
    cells = ["", "", "1", "x y", " ", "\u00a0", "é", "\x1c", '""', '"a,b"', '" "', '"a""b"', '"""x"']
    cells += ['"x\ny"', '"\n"', '"\r\n"', '"a\r\n\r\nb"', '"\n,\n"', '""""\n"', '"\n \n"']  # line breaks
    good = len(cells)
    cells += ['"a', 'a"', "\r", '"x""y', '"x\ry"']  # these break the fast path's proof, or the file
    rng = random.Random(13)
    taken = multiline = 0
    for i in range(600):
        width = rng.randint(1, 3)
        header = ",".join(rng.choice(["a", '"b"', "c d"]) for _ in range(width)) + rng.choice(["\n", "\r\n"])
        if i % 2:
            body = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        else:
            rows = [
                ",".join(rng.choice(cells[:good]) for _ in range(width)) for _ in range(rng.randint(0, 6))
            ]
            if rng.random() < 0.3:  # one row with a cell that breaks the fast path's proof, or the file
                rows.append(",".join(rng.choice(cells) for _ in range(width + rng.choice([-1, 0, 0, 1]))))
            body = "".join(row + rng.choice(["\n", "\r\n", "\n\n", "\n \n"]) for row in rows)
            body = body.rstrip("\n") if rng.random() < 0.3 else body
        data = (BOM if rng.random() < 0.2 else b"") + (header + body).encode()
        fast = read_columns_fast(data)
        taken += fast is not None
        multiline += fast is not None and any(c.str.contains("\n").any() for c in fast.columns)
        _same(data, tmp_path, monkeypatch)
    assert taken > 120 and multiline > 40


@pytest.mark.parametrize("block", [1, 2, 3, 7])
def test_the_byte_checks_do_not_depend_on_the_block_size(block, monkeypatch, tmp_path):
    """Quotes and line ends at block edges: a quoted field may span blocks, a line end inside quotes not."""
    monkeypatch.setattr(textfiles_fast, "SCAN_BLOCK", block)
    good = BOM + b'"a","b"\r\n"1","x,y"\r\n\r\n"",2\n,\n"3",""'
    fast = read_columns_fast(good)
    assert fast is not None and fast.lines.tolist() == [2, 4, 6]
    assert [c.tolist() for c in fast.columns] == [["1", "", "3"], ["x,y", "2", ""]]
    assert read_columns_fast(b'a,b\n1,"x\ny\n') is None
    assert read_columns_fast(b'a,b\n1,"xyzxyz\n"z\n') is None
    _same(good, tmp_path, monkeypatch)
    multiline = BOM + b'a,"b\r\nc"\r\n"1\n","x\n\ny"\r\n\r\n"\r\n",2\n,\n"3","\n"\n\n"xyzxyzxyz\n\n",4'
    fast = read_columns_fast(multiline)
    assert fast is not None and fast.header == ["a", "b\r\nc"] and fast.lines.tolist() == [3, 8, 11, 14]
    assert [c.tolist() for c in fast.columns] == [
        ["1\n", "\r\n", "3", "xyzxyzxyz\n\n"],
        ["x\n\ny", "2", "\n", "4"],
    ]
    _same(multiline, tmp_path, monkeypatch)


def test_a_plain_export_takes_the_fast_path(tmp_path, monkeypatch):
    """read_table of a generated export never decodes the file into a Python string (the exact path does)."""
    rows = "".join(f'"O{i}","M{i % 7:05d}",{i * 1.5},\n' for i in range(1, 5001))
    path = tmp_path / "orders.csv"
    path.write_bytes(('"order_id","manager","amount","lead_id"\n' + rows).encode())

    def refuse(*args, **kwargs):
        raise AssertionError("the exact path was taken")

    monkeypatch.setattr(reading, "decode_bytes", refuse)
    frame = read_table("orders", path).frame
    assert frame[reading.ROW].tolist() == list(range(2, 5002))
    assert frame["lead_id"].eq("").all() and str(frame["amount"].dtype) == "str"


def test_an_export_with_quoted_line_breaks_takes_the_fast_path(tmp_path, monkeypatch):
    """Notes of several lines in some records: read by Arrow, each record numbered by its first line."""
    rows, starts = [], [2]
    for i in range(1, 5001):
        note = ["", "call back", "line one\r\nline two", 'said ""no""\n\nthen yes'][i % 4 if i % 3 else 0]
        rows.append(f'"O{i}",{i * 1.5},"{note}"\r\n')
        starts.append(starts[-1] + 1 + note.count("\n"))
    path = tmp_path / "orders.csv"
    path.write_bytes(('"order_id","amount","notes"\r\n' + "".join(rows)).encode())

    def refuse(*args, **kwargs):
        raise AssertionError("the exact path was taken")

    monkeypatch.setattr(reading, "decode_bytes", refuse)
    fast = read_table("orders", path).frame
    monkeypatch.undo()
    exact = _exact(path.read_bytes(), tmp_path, monkeypatch)[1]
    pd.testing.assert_frame_equal(fast, exact, check_exact=True)
    assert fast[reading.ROW].tolist() == starts[:-1]
    assert fast["notes"].str.contains("\r\n").sum() > 800 and fast["notes"].str.contains('"no"\n').sum() > 800


def _mapped(data: bytes, tmp_path, options) -> tuple[str, object]:
    from kpi_toolkit.mapping import files

    path = tmp_path / "export.csv"
    path.write_bytes(data)
    try:
        read = files._csv(path, str(path), "orders", options)
    except DataValidationError as exc:
        return "error", str(exc)
    return "file", (read.headers, read.frame, read.how, read.header_line)


MAPPED = [*CASES, (b"a;b\n1;2\n\n3;\n", True), (b"a\tb\n1\t\n\t\n", True), (b"a\tb\n1\t \n", True)]


@pytest.mark.parametrize(("data", "taken"), MAPPED)
@pytest.mark.parametrize("delimiter", [None, ","])
def test_a_mapped_csv_reads_alike_by_either_path(data, taken, delimiter, tmp_path, monkeypatch):
    """The mapping's CSV reader (text cells, delimiter sniffed or given): same file or same message."""
    from kpi_toolkit.mapping import files
    from kpi_toolkit.mapping.spec import ReadOptions

    options = ReadOptions(delimiter=delimiter)
    kind, fast = _mapped(data, tmp_path, options)
    monkeypatch.setattr(files, "read_columns_fast", lambda data, delimiter: None)
    exact_kind, exact = _mapped(data, tmp_path, options)
    assert kind == exact_kind, (fast, exact)
    if kind == "error":
        assert fast == exact
        return
    assert fast[0] == exact[0] and fast[2:] == exact[2:]
    pd.testing.assert_frame_equal(fast[1], exact[1], check_exact=True)
    assert all(isinstance(v, str) for c in fast[1].columns[:-1] for v in fast[1][c])


def test_a_mapped_csv_gives_the_cells_the_list_reader_gave(tmp_path):
    """Arrow-backed text columns (pandas' str) of the same strings, _row as before (float for a file without
    records)."""
    from kpi_toolkit.mapping.spec import ReadOptions

    for text, records, lines in [
        ("a;b\n1;x\n\n2;y\n", [["1", "x"], ["2", "y"]], [2, 4]),
        ("a,b\n", [], []),
        ('"a","b"\r\n"1",""\r\n', [["1", ""]], [2]),
    ]:
        _kind, got = _mapped(text.encode(), tmp_path, ReadOptions())
        old = pd.DataFrame(records, columns=range(2), dtype=object).astype("str")
        old[reading.ROW] = lines
        pd.testing.assert_frame_equal(got[1], old, check_exact=True)


def test_a_mapped_utf8_csv_takes_the_fast_path(tmp_path, monkeypatch):
    from kpi_toolkit.mapping import files
    from kpi_toolkit.mapping.spec import ReadOptions

    results = []

    def spy(data, delimiter):
        results.append(read_columns_fast(data, delimiter=delimiter))
        return results[-1]

    monkeypatch.setattr(files, "read_columns_fast", spy)
    for data in [b"a;b\n1;2\n\n3;\n", b"a\tb\n1\t\n\t\n", BOM + '"имя","сумма"\r\n"Иван","1,5"\r\n'.encode()]:
        assert _mapped(data, tmp_path, ReadOptions())[0] == "file"
    assert len(results) == 3 and all(r is not None for r in results)
    cp1251 = "a;b\nИван;1\n".encode("cp1251")
    assert _mapped(cp1251, tmp_path, ReadOptions(encoding="cp1251"))[0] == "file"
    assert len(results) == 3  # another encoding: the exact path only


@pytest.mark.parametrize("block", [1, 2, 3, 5, 64])
def test_record_lines_counts_each_records_fields_as_the_csv_module(block, monkeypatch):
    """``width``: ``None`` exactly when a record has more fields than that, quoted delimiters and line ends,
    and records across block edges, aside (500 seeded files)."""
    monkeypatch.setattr(textfiles_fast, "SCAN_BLOCK", block)
    rng = random.Random(block)
    wide = 0
    for _ in range(500):
        width = rng.randint(1, 4)
        rows = []
        for _ in range(rng.randint(1, 5)):
            cells = [
                rng.choice(["", "a", '"x,y"', '"q""q"', '"l\nm,n"', '"r\r\ns"', '""']) for _ in range(width)
            ]
            rows.append(",".join(cells + [""] * rng.choice([0, 0, 0, 1, 2])))
        end = rng.choice(["\n", "\r\n"])
        text = ",".join(f"h{i}" for i in range(width)) + end + end.join(rows) + rng.choice([end, ""])
        widest = max(len(r) for r in csv.reader(io.StringIO(text, newline="")))
        wide += widest > width
        assert textfiles_fast.record_lines(text.encode()) is not None
        assert (textfiles_fast.record_lines(text.encode(), width=width) is None) == (widest > width), text
    assert 100 < wide < 400
