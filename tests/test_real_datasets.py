"""The public data sets of ../shared/data through the shipped mappings: the figures of its README, exactly.

The data are not copied here; these tests skip, saying why, where ../shared/data is absent.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kpi_toolkit as kt

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MAPPINGS = ROOT / "data" / "mappings"


def _folder(name: str) -> Path:
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip(
            f"{folder} is absent: the public data sets are read from ../shared/data, never copied here"
        )
    return folder


@pytest.fixture(scope="module")
def crm() -> kt.SalesData:
    folder = _folder("crm_sales_opportunities")
    return kt.load(folder, mapping=MAPPINGS / "crm_sales_opportunities.yml")


@pytest.fixture(scope="module")
def northwind() -> kt.SalesData:
    return kt.load(_folder("northwind"), mapping=MAPPINGS / "northwind.yml")


def test_crm_figures(crm):
    # ../shared/data/README.md: 4,238 Won, 2,473 Lost, 1,589 Engaging, 500 Prospecting;
    # won revenue 10,005,534; win rate Won/(Won+Lost) 63.15 %
    status = crm.leads["status"].value_counts().to_dict()
    assert status == {"won": 4238, "lost": 2473, "open": 1589 + 500}
    assert crm.leads["created_at"].isna().sum() == 500  # Prospecting deals have no engage date
    assert len(crm.orders) == 4238 and crm.orders["amount"].sum() == 10_005_534
    assert round(100 * status["won"] / (status["won"] + status["lost"]), 2) == 63.15
    # through the KPIs: every deal closed in 2017
    kpis = kt.manager_kpis(crm, period="2017")
    assert kpis["sales_volume"].sum() == 10_005_534 and kpis["orders"].sum() == 4238
    assert kpis["leads_won"].sum() == 4238 and kpis["leads_closed"].sum() == 4238 + 2473
    # lost deals' close_value 0 never enters the average check
    assert kpis["sales_volume"].sum() / kpis["orders"].sum() == pytest.approx(10_005_534 / 4238)
    assert (crm.orders["amount"] > 0).all()


def test_crm_pipeline_columns(crm):
    # open deals carry no value: the expected amount is the product's list price (products.csv; the pipeline's
    # GTXPro is GTX Pro's 4,821); the stage of open deals is their deal_stage, closed deals' is left empty
    leads = crm.leads
    assert crm.stages == ("Prospecting", "Engaging")
    assert leads["expected_amount"].notna().all() and leads["expected_amount"].sum() == 20_936_165
    assert leads.loc[leads["lead_id"] == "Z063OYW0", "expected_amount"].item() == 4821  # a GTXPro deal
    stages = leads.groupby(["status", "stage"]).size().to_dict()
    assert stages == {("open", "Engaging"): 1589, ("open", "Prospecting"): 500}
    pipe = kt.pipeline(crm, period="2017Q4", as_of="2017-12-31")
    total = pipe.set_index("manager").loc["TOTAL"]
    assert total["open_leads"] == 1589 and pipe.attrs["leads_without_created_at"] == 500


def test_crm_managers_and_teams(crm):
    # the toolkit's manager is sales_agent; sales_teams.csv's manager (the supervisor) is the team
    assert len(crm.manager_ids) == 35 and len(crm.teams) == 6
    assert crm.manager_info.loc["Moses Frase", "team"] == "Dustin Brinkmann"
    idle = set(crm.manager_ids) - set(crm.leads["manager"])
    assert len(idle) == 5  # in sales_teams.csv without deals: reported with zero activity
    kpis = kt.manager_kpis(crm, period="2017Q4")
    assert (kpis.loc[sorted(idle), "orders"] == 0).all()
    counts = crm.row_counts.set_index("table")
    assert counts.loc["leads", "rows_read"] == 8800 and counts.loc["orders", "rows_filtered"] == 8800 - 4238
    assert counts["rows_excluded"].sum() == 0 and crm.quarantine.empty


def test_northwind_figures(northwind):
    # ../shared/data/README.md: net revenue 1,265,793.04 over 830 orders; employee 4 (Peacock) 232,890.85
    # in 156 orders
    orders = northwind.orders
    assert len(orders) == 830 and round(orders["amount"].sum(), 2) == 1_265_793.04
    peacock = orders[orders["manager"] == "4"]
    assert len(peacock) == 156 and round(peacock["amount"].sum(), 2) == 232_890.85
    assert northwind.manager_info.loc["4", "name"] == "Margaret Peacock"
    years = pd.concat([kt.manager_kpis(northwind, period=y) for y in ("1996", "1997", "1998")])
    assert round(years["sales_volume"].sum(), 2) == 1_265_793.04 and years["orders"].sum() == 830
    by_manager = years.groupby("manager")["sales_volume"].sum()
    assert round(by_manager["4"], 2) == 232_890.85
    assert orders["lines"].sum() == 2155 and str(orders["ordered_at"].min()) == "1996-07-04 00:00:00"


def _ragged_lines(path: Path) -> list[int]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        width = len(next(reader))
        return [reader.line_num for record in reader if len(record) != width]


@pytest.mark.parametrize("on_invalid", ["raise", "quarantine"])
def test_northwind_malformed_is_rejected_whole(tmp_path, on_invalid):
    folder = _folder("northwind_malformed")
    mapping = yaml.safe_load((MAPPINGS / "northwind.yml").read_text(encoding="utf-8"))
    mapping["tables"]["orders"]["amount_from_lines"]["file"] = "order-details.csv"
    expected = _ragged_lines(folder / "orders.csv")
    assert len(expected) == 176  # ../shared/data/northwind_malformed/NOTE.txt
    for how in ({"mapping": mapping}, {}):
        with pytest.raises(kt.DataValidationError) as info:
            kt.load(folder, on_invalid=on_invalid, **how)
        (violation,) = info.value.violations
        assert violation.source.endswith("orders.csv") and violation.n_rows == 176
        assert list(violation.rows) == expected[: len(violation.rows)]
        message = str(info.value)
        assert "orders.csv, rows 4, 5, 6, 7, 10 and 171 more (176 in all)" in message
        assert "[15] fields where the header has 14" in message and "not loaded at all" in message


def _render(tmp_path: Path, name: str, mapping: str) -> Path:
    out = tmp_path / "reports"
    command = [
        "quarterly",
        "--data",
        str(_folder(name)),
        "--mapping",
        str(MAPPINGS / mapping),
        "--out",
        str(out),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "kpi_toolkit", *command],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "mapping", "period"),
    [
        ("crm_sales_opportunities", "crm_sales_opportunities.yml", "2017Q4"),
        ("northwind", "northwind.yml", "1998Q1"),
    ],
)
def test_quarterly_report_renders(tmp_path, name, mapping, period):
    out = _render(tmp_path, name, mapping)
    html = (out / period / "quarterly.html").read_text(encoding="utf-8")
    assert f"Quarterly sales report {period}" in html and "(mapping " in html
    kpis = pd.read_csv(out / period / "kpis.csv", dtype={"manager": str})
    data = kt.load(_folder(name), mapping=MAPPINGS / mapping)
    expected = kt.manager_kpis(data, period=period)
    assert kpis["sales_volume"].sum() == pytest.approx(expected["sales_volume"].sum(), rel=1e-12)
    assert not (out / period / "quarantine.csv").exists()
