"""Corrupted tables give a clear error (file, column, rows, fix) or a documented normalisation.

Each test corrupts the hand-computed tiny data set of ``conftest.py`` in one way that hypothesis varies (which
row, which column, which value) and checks the outcome: a :class:`kt.DataValidationError` naming the file, the
column, the rows as the user sees them (CSV lines: the header is line 1) and the fix; or, for the documented
normalisations (white space around cells and headers, the case of statuses and headers), exactly the KPIs of
the clean data. Never another exception, never a wrong number. With ``on_invalid="quarantine"`` the corrupted
rows are set aside instead and every row is accounted for.
"""

from __future__ import annotations

import datetime as dt
import string
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kpi_toolkit as kt
from kpi_toolkit.mapping.convert import DateOrderUnknown, convert_dates, convert_numbers
from kpi_toolkit.schema import TABLES
from tests.conftest import tiny_tables, write_tables

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TABLE_NAMES = ("orders", "leads", "plans", "managers")
CLEAN = kt.manager_kpis(kt.from_frames(**tiny_tables()), period="2026Q3")
JUNK = st.text(alphabet=string.ascii_letters + "€$%;,.:-/ ", min_size=1, max_size=8)


@contextmanager
def _folder(tables: dict[str, pd.DataFrame], edit: Callable[[Path], None] | None = None) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp) / "data", tables)
        if edit:
            edit(folder)
        yield folder


def _error(
    tables: dict[str, pd.DataFrame], edit: Callable[[Path], None] | None = None
) -> kt.DataValidationError:
    with _folder(tables, edit) as folder, pytest.raises(kt.DataValidationError) as info:
        kt.load(folder)
    return info.value


def _check(
    error: kt.DataValidationError, table: str, column: str | None, rule: str, rows: tuple[int, ...]
) -> None:
    hits = [v for v in error.violations if rule in v.rule and v.table == table]
    assert hits, str(error)
    violation = hits[0]
    assert violation.source.endswith(f"{table}.csv") and violation.column == column, str(error)
    assert set(rows) <= set(violation.rows) and violation.n_rows >= len(rows), str(error)
    message = str(error)
    assert f"{table}.csv" in message and "Fix:" in message and violation.fix


def _quarantined(tables: dict[str, pd.DataFrame], table: str, rows: tuple[int, ...]) -> kt.SalesData:
    with _folder(tables) as folder:
        data = kt.load(folder, on_invalid="quarantine")
    counts = data.row_counts
    assert (counts["rows_read"] == counts["rows_used"] + counts["rows_excluded"]).all()
    for _, row in counts.iterrows():
        assert len(getattr(data, row["table"])) == row["rows_used"]
    q = data.quarantine
    assert set(rows) <= set(q.loc[q["table"] == table, "row"]), q
    return data


def _is_number(text: str) -> bool:
    try:
        float(text.strip())
    except ValueError:
        return False
    return True


def _is_date(text: str) -> bool:
    return pd.notna(pd.to_datetime(pd.Series([text.strip()]), format="ISO8601", errors="coerce")[0])


REQUIRED = [(t, c.name) for t in TABLE_NAMES for c in TABLES[t].columns if c.required]


@SETTINGS
@given(st.sampled_from(REQUIRED), st.booleans())
def test_missing_required_column(target, quarantine):
    table, column = target
    tables = tiny_tables()
    tables[table] = tables[table].drop(columns=column)
    with _folder(tables) as folder, pytest.raises(kt.DataValidationError) as info:
        kt.load(
            folder, on_invalid="quarantine" if quarantine else "raise"
        )  # a file-level problem: never quarantined
    _check(info.value, table, column, f"required column(s) ['{column}'] missing", ())


TYPED = [
    ("orders", "amount", "value is not a finite number"),
    ("orders", "ordered_at", "value is not a date"),
    ("orders", "lines", "value is not a whole number"),
    ("leads", "created_at", "value is not a date"),
    ("plans", "target", "value is not a finite number"),
]


@SETTINGS
@given(st.sampled_from(TYPED), st.data())
def test_wrong_types(target, data):
    table, column, rule = target
    tables = tiny_tables()
    frame = tables[table].copy()
    row = data.draw(st.integers(0, len(frame) - 1), label="row")
    junk = data.draw(JUNK.filter(lambda s: s.strip() and not _is_number(s) and not _is_date(s)), label="junk")
    if column == "lines":
        frame["lines"] = "1"
        junk = data.draw(st.sampled_from([junk, "1.5", "2.25"]), label="lines")
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = junk
    tables[table] = frame
    _check(_error(tables), table, column, rule, (row + 2,))
    _quarantined(tables, table, (row + 2,))


@SETTINGS
@given(st.sampled_from(["orders", "leads", "managers", "plans"]), st.data())
def test_duplicates(table, data):
    tables = tiny_tables()
    frame = tables[table]
    row = data.draw(st.integers(0, len(frame) - 1), label="row")
    tables[table] = pd.concat([frame, frame.iloc[[row]]], ignore_index=True)
    rule = {"plans": "appear more than once"}.get(table, "is not unique")
    column = {"orders": "order_id", "leads": "lead_id", "managers": "manager", "plans": "metric"}[table]
    _check(_error(tables), table, column, rule, (row + 2, len(frame) + 2))
    _quarantined(tables, table, (row + 2, len(frame) + 2))


@SETTINGS
@given(
    st.sampled_from([("orders", "amount", "amount is negative"), ("plans", "target", "target is negative")]),
    st.data(),
    st.floats(min_value=0.001, max_value=1e9, allow_nan=False),
)
def test_negative_amounts_and_targets(target, data, value):
    table, column, rule = target
    tables = tiny_tables()
    row = data.draw(st.integers(0, len(tables[table]) - 1), label="row")
    tables[table].loc[row, column] = -value
    _check(_error(tables), table, column, rule, (row + 2,))


@SETTINGS
@given(st.data(), st.sampled_from(["12,5", "1 000", "$12", "12 EUR", "1.2.3", "--5", "five", "0x10"]))
def test_non_numeric_amounts_are_never_read_as_numbers(data, text):
    tables = tiny_tables()
    row = data.draw(st.integers(0, 6), label="row")
    tables["orders"]["amount"] = tables["orders"]["amount"].astype(object)
    tables["orders"].loc[row, "amount"] = text
    _check(_error(tables), "orders", "amount", "value is not a finite number", (row + 2,))


@SETTINGS
@given(
    st.data(),
    st.sampled_from(["ordered_at", "created_at", "closed_at"]),
    st.sampled_from(
        ["2026-02-30", "2026-13-01", "2026-00-10", "2026-04-31", "2025-02-29", "2026-07-01 25:00"]
    ),
)
def test_impossible_dates(data, column, text):
    tables = tiny_tables()
    table = "orders" if column == "ordered_at" else "leads"
    rows = [0, 1, 3, 4] if column == "closed_at" else range(len(tables[table]))  # leads 3 is open
    row = data.draw(st.sampled_from(list(rows)), label="row")
    tables[table].loc[row, column] = text
    _check(_error(tables), table, column, "value is not a date", (row + 2,))
    _quarantined(tables, table, (row + 2,))


@SETTINGS
@given(st.sampled_from([0, 1, 3, 4]), st.integers(1, 400))
def test_closed_before_created(row, days):
    tables = tiny_tables()
    leads = tables["leads"]
    created = pd.Timestamp(leads.loc[row, "created_at"])
    leads.loc[row, "closed_at"] = str((created - pd.Timedelta(days=days)).date())
    _check(_error(tables), "leads", "closed_at", "closed_at is before created_at", (row + 2,))
    data = _quarantined(tables, "leads", (row + 2,))
    if row == 0:  # L1 is o3's lead: the order goes too, since its lead is gone
        assert "o3" not in set(data.orders["order_id"])


IDS = st.text(alphabet=string.ascii_letters + string.digits + "_-. ", min_size=1, max_size=10).filter(
    lambda s: s.strip() and " ".join(s.split()).casefold() not in {"ann", "bob", "cat"}
)


@SETTINGS
@given(st.integers(0, 4), IDS)
def test_unknown_managers_in_plans(row, manager):
    tables = tiny_tables()
    tables["plans"].loc[row, "manager"] = manager
    error = _error(tables)
    _check(error, "plans", "manager", "unknown manager(s)", (row + 2,))
    assert repr(manager.strip()) in str(error)


@SETTINGS
@given(st.sampled_from(TABLE_NAMES), st.sampled_from(["", "\n", "\n\n  \n", " "]))
def test_empty_files(table, text):
    def edit(folder: Path) -> None:
        (folder / f"{table}.csv").write_text(text)

    error = _error(tiny_tables(), edit)
    _check(error, table, None, "the file is empty", ())


@SETTINGS
@given(st.sampled_from(TABLE_NAMES))
def test_header_only(table):
    tables = tiny_tables()
    tables[table] = tables[table].head(0)
    if table == "managers":  # an empty list of managers: everybody in the other tables is unknown
        _check(_error(tables), "orders", "manager", "unknown manager(s)", (2,))
        return
    if table == "leads":  # o3 names lead L1, which no longer exists
        _check(_error(tables), "orders", "lead_id", "lead_id not found in the leads table", (4,))
        tables["orders"]["lead_id"] = ""
    with _folder(tables) as folder:
        data = kt.load(folder)
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert list(kpis.index) == ["ann", "bob", "cat"]  # the managers table lists them
    if table == "orders":
        assert (kpis["sales_volume"] == 0).all() and (kpis["orders"] == 0).all()
        pd.testing.assert_series_equal(kpis["conversion"], CLEAN["conversion"])
    elif table == "leads":
        assert (kpis["leads_closed"] == 0).all() and kpis["conversion"].isna().all()
        pd.testing.assert_series_equal(kpis["sales_volume"], CLEAN["sales_volume"])
    else:
        assert kpis["sales_plan"].isna().all()


SPACE = st.text(alphabet=" \t", max_size=3)


@SETTINGS
@given(st.data())
def test_stray_whitespace_and_case_are_normalised(data):
    tables = tiny_tables()
    for name, frame in tables.items():
        for column in frame.columns:
            if frame[column].dtype == object or str(frame[column].dtype) in ("str", "string"):
                frame[column] = [
                    data.draw(SPACE) + str(v) + data.draw(SPACE) if str(v) else str(v) for v in frame[column]
                ]
        header = {c: data.draw(SPACE) + data.draw(st.sampled_from([c, c.upper(), c.title()])) for c in frame}
        tables[name] = frame.rename(columns=header)
    status = next(c for c in tables["leads"].columns if c.strip().lower() == "status")
    tables["leads"][status] = [
        data.draw(st.sampled_from([s.strip().upper(), s.strip().title(), s.strip().lower()]))
        for s in tables["leads"][status]
    ]
    with _folder(tables) as folder:
        kpis = kt.manager_kpis(kt.load(folder), period="2026Q3")
    pd.testing.assert_frame_equal(kpis, CLEAN)


@SETTINGS
@given(st.data(), st.booleans())
def test_case_of_manager_ids_is_never_silently_a_new_manager(data, with_managers):
    tables = tiny_tables()
    if not with_managers:
        del tables["managers"]
    table = data.draw(st.sampled_from(["orders", "leads", "plans"]), label="table")
    row = data.draw(st.integers(0, len(tables[table]) - 1), label="row")
    manager = tables[table].loc[row, "manager"]
    others = pd.concat([f["manager"] for f in tables.values()]).tolist()
    if others.count(manager) == 1:  # the manager's only row: a lone spelling is just an id, nothing clashes
        return
    tables[table].loc[row, "manager"] = data.draw(st.sampled_from([manager.upper(), manager.title()]))
    rule = "unknown manager(s)" if with_managers else "differ only in case or spaces"
    _check(_error(tables), table, "manager", rule, (row + 2,))


@SETTINGS
@given(st.decimals(min_value=0, max_value=10**12, places=2, allow_nan=False, allow_infinity=False))
def test_russian_number_formats_read_exactly(value):
    whole, cents = f"{value:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", "\u00a0")
    out, bad = convert_numbers(pd.Series([f"{groups},{cents}"], dtype=object), decimal=",")
    assert not bad[0] and float(out[0]) == float(Decimal(f"{value:.2f}"))
    out, bad = convert_numbers(pd.Series([f"{whole},{cents}"], dtype=object), decimal=".")
    assert bad[0]  # '1234,56' read with a decimal point is never a number (neither 1234.56 nor 123456)


@SETTINGS
@given(
    st.lists(
        st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)), min_size=1, max_size=20
    )
)
def test_day_first_dates_are_read_or_asked_for(dates):
    texts = pd.Series([d.strftime("%d.%m.%Y") for d in dates], dtype=object)
    if any(d.day > 12 for d in dates):  # some day tells: the column is read day-first
        out, bad = convert_dates(texts)
        assert not bad.any() and out.tolist() == [f"{d.isoformat()} 00:00:00" for d in dates]
    else:  # no day above 12: day-first or month-first cannot be told, so loading asks
        with pytest.raises(DateOrderUnknown):
            convert_dates(texts)
    out, bad = convert_dates(texts, dayfirst=True)
    assert not bad.any() and out.tolist() == [f"{d.isoformat()} 00:00:00" for d in dates]
