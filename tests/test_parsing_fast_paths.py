"""The typing's shortcuts give exactly what the general path gives.

Text with nothing to strip is kept without a copy, and dates as exports write them are read by Arrow's
ISO 8601 cast instead of pandas' (:mod:`kpi_toolkit.parsing`); a folder's files are read one at a time,
each when its validation starts (:class:`kpi_toolkit.reading.StagedData`). Each shortcut is checked against
the path it replaces, on awkward cells drawn by Hypothesis.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kpi_toolkit as kt
from kpi_toolkit import parsing, reading
from kpi_toolkit.parsing import WHITESPACE, _parse, _plain_dates, _stripped
from kpi_toolkit.schema import TABLES

ORDERED_AT = next(c for c in TABLES["orders"].columns if c.name == "ordered_at")


def _full_strip(text: pa.Array | pa.ChunkedArray) -> list[str | None]:
    trimmed = pc.utf8_trim(text, characters=WHITESPACE)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.large_string()), trimmed).to_pylist()


_CELL = st.one_of(
    st.none(),
    st.text(
        alphabet=st.sampled_from(["a", "7", "-", "я", "€", *WHITESPACE[:6], "\u00a0", "\u3000"]), max_size=5
    ),
)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(_CELL, max_size=12), cut=st.integers(0, 4))
def test_stripping_keeps_clean_text_and_strips_the_rest(cells, cut):
    array = pa.array(cells, type=pa.large_string()).slice(min(cut, len(cells)))  # offsets not at 0
    assert _stripped(array).to_pylist() == _full_strip(array)
    chunked = pa.chunked_array([array, array], type=pa.large_string())
    assert _stripped(chunked).to_pylist() == _full_strip(chunked)


def test_clean_text_is_not_copied():
    ids = pa.array([f"SO{i}" for i in range(1000)] + [None], type=pa.large_string())
    assert _stripped(ids) is ids
    for padded in (["SO1", " SO2"], ["SO1", "SO2\u3000"], ["SO1", ""], ["\u00a0SO1"]):
        array = pa.array(padded, type=pa.large_string())
        assert _stripped(array) is not array
        assert _stripped(array).to_pylist() == _full_strip(array)


def _pandas_dates(cells: list[str | None]) -> pd.Series:
    """What ``_parse`` gives through pandas alone (the path before the Arrow cast)."""
    text = pd.Series(cells, dtype="string")
    parsed = pd.to_datetime(text, format="ISO8601", utc=True, errors="coerce").dt.tz_localize(None)
    if parsed.dtype != "datetime64[ns]":
        parsed = parsed.where((parsed >= parsing._FIRST_DAY) & (parsed <= parsing._LAST_DAY))
    return parsed.astype("datetime64[ns]")


_DATE = st.builds(
    lambda y, m, d, time, sep: f"{y:04d}-{m:02d}-{d:02d}" + ("" if time is None else sep + time),
    st.sampled_from([1600, 1677, 1678, 1970, 2023, 2024, 2026, 2261, 2262, 2263, 9999]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.one_of(
        st.none(),
        st.builds(
            lambda h, mi, s: f"{h:02d}:{mi:02d}:{s:02d}",
            st.integers(0, 25),
            st.integers(0, 60),
            st.integers(0, 61),
        ),
        st.builds(lambda h, mi: f"{h:02d}:{mi:02d}", st.integers(0, 25), st.integers(0, 60)),
        st.sampled_from(["10", "10:00:00.5", "10:00:00Z", "10:00:00+03:00", "1:2:3"]),
    ),
    st.sampled_from([" ", "T"]),
)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), _DATE), min_size=1, max_size=6))
def test_arrow_reads_dates_as_pandas_does(cells):
    typed = _parse(ORDERED_AT, pd.Series(cells, dtype="string"))
    pd.testing.assert_series_equal(typed, _pandas_dates(cells), check_names=False)


def test_dates_as_exports_write_them_take_the_arrow_path():
    cells = ["2026-07-01 14:30:00", "2024-02-29T23:59:59", "2026-07-01", "2026-07-01 14:30", None]
    fast = _plain_dates(pd.Series(cells, dtype="string"))
    assert fast is not None
    assert fast.tolist()[:4] == [
        pd.Timestamp("2026-07-01 14:30:00"),
        pd.Timestamp("2024-02-29 23:59:59"),
        pd.Timestamp("2026-07-01"),
        pd.Timestamp("2026-07-01 14:30"),
    ]
    assert pd.isna(fast.iloc[4])
    # a column with any other form, a date that is not in the calendar or is outside pandas' range: pandas
    for other in (
        "2026-07-01 14:30:00.5",
        "2026-07-01 14",
        "2023-02-29",
        "2026-07-01 24:00:00",
        "1600-01-01",
        "2262-04-12",
    ):
        assert _plain_dates(pd.Series([cells[0], other], dtype="string")) is None


def test_a_folder_is_read_one_table_at_a_time(demo_folder, monkeypatch):
    """Each file is read when its validation starts: only one table's text is held beside the typed ones."""
    events: list[str] = []
    read, parse = reading.read_table, parsing.parse_table

    def reading_table(name, path):
        events.append(f"read {name}")
        return read(name, path)

    def parsing_table(raw):
        events.append(f"type {raw.name}")
        return parse(raw)

    monkeypatch.setattr("kpi_toolkit.loading.read_table", reading_table)
    monkeypatch.setattr("kpi_toolkit.validated_data.parse_table", parsing_table)
    data = kt.load(demo_folder)
    names = [e.split()[1] for e in events[::2]]
    assert events == [f"{what} {name}" for name in names for what in ("read", "type")]
    assert set(names) == set(data.row_counts["table"]) and len(names) == 7
    assert data.row_counts["rows_read"].sum() == data.row_counts["rows_used"].sum()


@pytest.mark.parametrize("on_invalid", ["raise", "quarantine"])
def test_reading_one_table_at_a_time_keeps_the_messages_and_the_quarantine(tmp_path, demo_folder, on_invalid):
    for path in demo_folder.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    leads = (tmp_path / "leads.csv").read_text().splitlines()
    cells = leads[3].split(",")
    cells[leads[0].split(",").index("created_at")] = "2O24-10-01"  # a date that does not parse, on line 4
    leads[3] = ",".join(cells)
    (tmp_path / "leads.csv").write_text("\n".join(leads) + "\n")
    if on_invalid == "raise":
        with pytest.raises(kt.DataValidationError) as error:
            kt.load(tmp_path)
        found = error.value.violations
        assert {(v.table, v.rows) for v in found} == {("leads", (4,))}
        assert ("created_at", "value is not a date", ("2O24-10-01",)) in {
            (v.column, v.rule, v.examples) for v in found
        }
        return
    data = kt.load(tmp_path, on_invalid="quarantine")
    q = data.quarantine
    assert q.loc[q["table"] == "leads", "row"].unique().tolist() == [4]
    assert set(q["table"]) == {"leads", "activities"}  # activities (read last) naming the lead go with it
    assert q["values"].map(len).gt(0).all()  # the cells as read, kept for every table read later
    excluded = data.row_counts.set_index("table")["rows_excluded"]
    assert excluded.to_dict() == {**dict.fromkeys(excluded.index, 0), **q.groupby("table")["row"].nunique()}
