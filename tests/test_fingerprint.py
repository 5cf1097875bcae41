"""The data fingerprint: the same data gives the same hash in any file format, order or spelling; any change
gives another."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.fingerprint import data_fingerprint
from tests.conftest import tiny_tables, write_tables


def _as_parquet(folder, tables):
    folder.mkdir(parents=True)
    for name, frame in tables.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    return folder


def test_csv_and_parquet_give_the_same_fingerprint(tmp_path):
    tables = tiny_tables()
    csv = kt.load(write_tables(tmp_path / "csv", tables))
    typed = {
        "orders": tables["orders"].assign(
            ordered_at=pd.to_datetime(tables["orders"]["ordered_at"], format="ISO8601")
        ),
        "leads": tables["leads"],
        "plans": tables["plans"],
        "managers": tables["managers"],
    }
    parquet = kt.load(_as_parquet(tmp_path / "parquet", typed))
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", data_fingerprint(csv))
    assert data_fingerprint(csv) == data_fingerprint(parquet)


def test_demo_data_as_csv_and_parquet(demo_folder, demo, tmp_path):
    tables = {p.stem: pd.read_csv(p) for p in demo_folder.glob("*.csv")}
    folder = _as_parquet(tmp_path / "demo", tables)
    (folder / "dataset.yml").write_bytes((demo_folder / "dataset.yml").read_bytes())  # the stages setting
    assert data_fingerprint(kt.load(folder)) == data_fingerprint(demo)


def test_settings_and_empty_optional_columns():
    tables = tiny_tables()
    base = data_fingerprint(kt.from_frames(**tables))
    # an optional column empty throughout is as if absent (a column the contract gains does not change it)
    assert data_fingerprint(kt.from_frames(**tables | {"orders": tables["orders"].assign(cost=None)})) == base
    assert data_fingerprint(kt.from_frames(**tables, stages=["new", "offer"])) != base
    assert data_fingerprint(kt.from_frames(**tables, plan_metric="net_sales")) != base


def test_row_and_column_order_and_spelling_do_not_matter():
    tables = tiny_tables()
    shuffled = {name: frame.sample(frac=1, random_state=1).iloc[:, ::-1] for name, frame in tables.items()}
    shuffled["leads"] = shuffled["leads"].assign(status=lambda d: d["status"].str.upper())
    shuffled["orders"] = shuffled["orders"].assign(ordered_at=lambda d: d["ordered_at"].str.replace(" ", "T"))
    assert data_fingerprint(kt.from_frames(**tables)) == data_fingerprint(kt.from_frames(**shuffled))


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("orders", lambda d: d.assign(amount=d["amount"].where(d.index != 0, 100.01))),
        ("orders", lambda d: d.iloc[1:]),
        ("leads", lambda d: d.assign(created_at=d["created_at"].where(d.index != 2, "2026-07-16"))),
        ("plans", lambda d: d.assign(target=d["target"].where(d["metric"] == "conversion", 300.0))),
        ("managers", lambda d: d.assign(name=d["name"].str.replace("Ann Lee", "Ann  Lee"))),
        ("managers", lambda d: d.assign(region="x")),
    ],
)  # fmt: skip
def test_any_change_gives_another_fingerprint(table, change):
    tables = tiny_tables()
    before = data_fingerprint(kt.from_frames(**tables))
    tables[table] = change(tables[table])
    assert data_fingerprint(kt.from_frames(**tables)) != before


def test_activities_are_part_of_the_data(demo_folder):
    tables = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in demo_folder.glob("*.csv")}
    before = data_fingerprint(kt.from_frames(**tables))
    activities = tables["activities"]
    tables["activities"] = activities.sample(frac=1, random_state=3).iloc[:, ::-1]  # order does not matter
    assert data_fingerprint(kt.from_frames(**tables)) == before
    tables["activities"] = activities.iloc[1:]  # a row less does
    assert data_fingerprint(kt.from_frames(**tables)) != before
    without = {k: v for k, v in tables.items() if k != "activities"}
    assert data_fingerprint(kt.from_frames(**without)) != before


def test_the_fiscal_year_is_part_of_the_data():
    tables = tiny_tables()
    assert data_fingerprint(kt.from_frames(**tables)) != data_fingerprint(
        kt.from_frames(**tables, fiscal_year_start=7)
    )
