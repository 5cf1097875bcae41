"""read_columns (used by read_table) reads in chunks: the result must not depend on the chunk size."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit import textfiles
from kpi_toolkit.errors import DataValidationError
from kpi_toolkit.reading import read_table, text_frame

TEXT = (
    "\ufefforder_id,manager,amount\r\n"
    "1,Анна,10\r\n"
    "\r\n"
    '2,"Петров, Иван",20\r\n'
    '3,"two\nlines",30\n'
    ",,\n"
    "4,x,40\r"
    "5,y,50\n"
    "   \n"
    "6,z,\n"
    '7,"q""q",70'
)


def _one_chunk(text: str, table: str = "orders") -> textfiles.TextColumns:
    """The reference: the whole text read as one chunk, in one block."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(textfiles, "CHUNK_RECORDS", 1 << 20)
        patch.setattr(textfiles, "_BLOCK", 1 << 20)
        return textfiles.read_columns(text, table=table, source=f"{table[0]}.csv")


def _old_frame(text: str) -> tuple[pd.DataFrame, list[int]]:
    table = _one_chunk(text)
    return text_frame(table), table.lines.tolist()


@pytest.mark.parametrize("chunk", [1, 2, 3, 1000])
def test_read_columns_gives_the_same_at_any_chunk_size(monkeypatch, chunk, tmp_path):
    monkeypatch.setattr(textfiles, "CHUNK_RECORDS", chunk)
    monkeypatch.setattr(textfiles, "_BLOCK", chunk * 5)
    columns = textfiles.read_columns(TEXT.removeprefix("\ufeff"), table="orders", source="o.csv")
    expected, lines = _old_frame(TEXT.removeprefix("\ufeff"))
    assert lines == [2, 4, 5, 8, 9, 11, 12]  # the line each record starts on (blank ones skipped)
    assert expected["manager"].tolist()[:3] == ["Анна", "Петров, Иван", "two\nlines"]
    assert columns.lines.dtype == np.int64 and columns.lines.tolist() == lines
    pd.testing.assert_frame_equal(text_frame(columns), expected, check_exact=True)
    for encoding in ("utf-8", "utf-16"):
        path = tmp_path / f"orders-{encoding}.csv"
        path.write_bytes(TEXT.encode(encoding))
        frame = read_table("orders", path).frame
        assert frame["_row"].tolist() == lines
        pd.testing.assert_frame_equal(frame.drop(columns="_row"), expected, check_exact=True)


def test_an_empty_body_gives_empty_text_columns(monkeypatch):
    monkeypatch.setattr(textfiles, "CHUNK_RECORDS", 2)
    columns = textfiles.read_columns("a,b\n\n", table="t", source="t.csv")
    expected, _ = _old_frame("a,b\n\n")
    pd.testing.assert_frame_equal(text_frame(columns), expected, check_exact=True)
    assert columns.lines.dtype == np.int64 and len(columns.lines) == 0


@pytest.mark.parametrize(
    "text",
    [
        "a,b\n" + "1,2\n" * 7 + "3\n" + "4,5\n" * 3 + "6,7,8\n",  # ragged rows after several chunks
        "a,b\n" + "1,2\n" * 7 + '3,"never closed\n4,5\n',  # an unclosed quote after several chunks
        "a,b\n" + "1,2\n" * 7 + '3,"x"y\n',  # a broken quote
    ],
)
def test_errors_after_several_chunks_are_the_same(monkeypatch, text):
    monkeypatch.setattr(textfiles, "CHUNK_RECORDS", 2)
    with pytest.raises(DataValidationError) as old:
        _one_chunk(text, "t")
    with pytest.raises(DataValidationError) as new:
        textfiles.read_columns(text, table="t", source="t.csv")
    assert new.value.violations == old.value.violations
    assert old.value.violations[0].rows[0] > 8


@pytest.mark.parametrize("text", [TEXT, "", "a", "\n", "\r", "\r\n\r\n", "a\r\rb\n\nc\r\n", "x\n\ry\r\n\n"])
@pytest.mark.parametrize("block", [1, 2, 3, 1 << 20])
def test_lines_split_exactly_as_stringio_does(monkeypatch, text, block):
    import io

    monkeypatch.setattr(textfiles, "_BLOCK", block)
    assert list(textfiles._lines(text)) == list(io.StringIO(text, newline=""))
