"""Plans with a column per month (unpivot), UTF-16 plan sheets, and the shipped ERP mapping on its sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kpi_toolkit as kt
from kpi_toolkit.mapping import read_mapping
from tests.test_mapping_lines import docs_yaml

ROOT = Path(__file__).resolve().parents[1]
ERP = ROOT / "tests" / "data" / "erp_sales"
SHIPPED = ROOT / "data" / "mappings" / "erp_sales.yml"


def _erp(tmp_path: Path) -> Path:
    folder = tmp_path / "erp"
    shutil.copytree(ERP, folder)
    return folder


def test_docs_example_is_the_shipped_mapping():
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert docs_yaml("an ERP's reseller sales and a plan sheet") == {"tables": shipped["tables"]}


def test_erp_sample_loads_with_the_docs_mapping():
    data = kt.load(ERP, mapping=docs_yaml("an ERP's reseller sales and a plan sheet"))
    plans = data.plans.set_index(["manager", "period"])["target"]
    # thousands with decimal commas, x 1000; '-' and NULL make no target
    assert plans[("272", "2026-01")] == 12500.0 and plans[("290", "2026-12")] == 20000.0
    assert ("281", "2026-03") not in plans.index and ("272", "2026-07") not in plans.index
    assert len(plans) == 6 + 5 + 12
    counts = data.row_counts.set_index("table")
    # 3 rows x 12 month columns = 36 cells: 23 targets, 13 without one ('-' x 12, NULL x 1)
    assert (counts.loc["plans", "rows_read"], counts.loc["plans", "rows_filtered"]) == (23, 13)
    # orders: one per SalesOrderNumber of the 88 lines
    lines = pd.read_csv(ERP / "sales_lines.csv", dtype={"EmployeeKey": str})
    assert counts.loc["orders", "rows_read"] == lines["SalesOrderNumber"].nunique()
    assert data.orders["lines"].sum() == len(lines)
    # KPIs equal those computed by hand from the lines
    lines["month"] = lines["OrderDate"].str[:7]
    q1 = lines[lines["month"] <= "2026-03"]
    kpis = kt.manager_kpis(data, period="2026Q1")
    by_hand = q1.groupby("EmployeeKey")["SalesAmount"].sum()
    for rep, volume in by_hand.items():
        assert kpis.loc[rep, "sales_volume"] == pytest.approx(volume, rel=1e-12)
    assert kpis.loc["272", "plan_attainment"] == pytest.approx(by_hand["272"] / 40000.0)
    assert kpis.loc["290", "plan_attainment"] == pytest.approx(by_hand["290"] / 60000.0)
    assert data.manager_info.loc["290", "name"] == "Cara Moss"


def test_plan_sheet_in_utf16_with_bom_is_read_without_an_encoding(tmp_path):
    folder = _erp(tmp_path)
    assert (folder / "plan.txt").read_bytes()[:2] == b"\xff\xfe"
    mapping = read_mapping(SHIPPED)
    assert mapping.tables["plans"].source.read.encoding is None
    assert len(kt.load(folder, mapping=SHIPPED).plans) == 23


def _plan_mapping(**unpivot) -> dict:
    spec = {"columns": r"M(?P<month>\d{2})", "period": "{Year}-{month}", **unpivot}
    return {
        "tables": {
            "orders": {
                "file": "orders.csv",
                "columns": {
                    "order_id": "a",
                    "manager": "b",
                    "customer_id": "c",
                    "ordered_at": "d",
                    "amount": "e",
                },
            },
            "plans": {
                "file": "plan.csv",
                "null_values": ["-", "NULL"],
                "columns": {"manager": "Rep"},
                "constants": {"metric": "sales_volume"},
                "unpivot": spec,
            },
        }
    }


def _plan_folder(tmp_path: Path, plan: str) -> Path:
    (tmp_path / "orders.csv").write_text("a,b,c,d,e\n1,ann,c1,2026-01-05,100\n")
    (tmp_path / "plan.csv").write_text(plan)
    return tmp_path


def test_month_names_quarters_and_scale(tmp_path):
    folder = _plan_folder(tmp_path, "Year,Rep,Jan,Feb,Mar\n2026,ann,1.1,-,2\n")
    mapping = _plan_mapping(columns="(?P<month>[a-z]{3})", scale=1000)
    with pytest.raises(kt.DataValidationError, match="column 'Rep': the column's month 'Rep' is not a month"):
        kt.load(folder, mapping=mapping)  # the pattern takes the rep's column too: named, not guessed
    mapping["tables"]["plans"]["unpivot"]["columns"] = "(?P<month>jan|feb|mar)"
    data = kt.load(folder, mapping=mapping)
    assert data.plans[["period", "target"]].values.tolist() == [["2026-01", 1100.0], ["2026-03", 2000.0]]
    folder = _plan_folder(tmp_path, "Year,Rep,Q1,Q2\n2026,ann,10,20\n")
    data = kt.load(folder, mapping=_plan_mapping(columns="Q(?P<quarter>[1-4])", period="{Year}Q{quarter}"))
    assert data.plans["period"].tolist() == ["2026Q1", "2026Q2"]


def test_a_month_column_that_is_not_a_month_is_named(tmp_path):
    folder = _plan_folder(tmp_path, "Year,Rep,M01,M13\n2026,ann,1,2\n")
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, mapping=_plan_mapping())
    (violation,) = info.value.violations
    assert violation.column == "M13" and violation.rule == "the column's month '13' is not a month"
    folder = _plan_folder(tmp_path, "Year,Rep,Target\n2026,ann,1\n")
    with pytest.raises(kt.DataValidationError, match="no column name matches the unpivot pattern"):
        kt.load(folder, mapping=_plan_mapping())


def test_a_bad_target_cell_names_the_line_and_quarantines_it(tmp_path):
    folder = _plan_folder(tmp_path, "Year,Rep,M01,M02\n2026,ann,1,x\n2026,bob,2,3\n")
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(folder, mapping=_plan_mapping())
    (violation,) = info.value.violations
    assert violation.column == "M02"  # the cell's own column, not the pattern
    assert (
        violation.rows == (2,)
        and violation.examples == ("x",)
        and "not a number for target" in violation.rule
    )
    data = kt.load(folder, mapping=_plan_mapping(), on_invalid="quarantine")
    assert data.plans["manager"].tolist() == ["bob", "bob"]
    counts = data.row_counts.set_index("table").loc["plans"]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_excluded"]) == (4, 2, 2)


@pytest.mark.parametrize(
    ("unpivot", "message"),
    [
        ({"columns": "M(", "period": "{Year}"}, "is not a regular expression"),
        ({"columns": "M(?P<month>..)", "period": "{Year}"}, "uses none of the pattern's named groups"),
        ({"columns": "M..", "period": ""}, "unpivot needs columns:"),
        ({"columns": "M(?P<month>..)", "period": "{Year}-{month}", "scale": -1}, "is not a positive number"),
    ],
)
def test_unpivot_mistakes_are_named(unpivot, message):
    mapping = _plan_mapping()
    mapping["tables"]["plans"]["unpivot"] = unpivot
    with pytest.raises(kt.ParameterError) as info:
        read_mapping(mapping)
    assert message in str(info.value) and "Fix:" in str(info.value)
    mapping = _plan_mapping()
    mapping["tables"]["plans"]["columns"]["target"] = "T"
    with pytest.raises(kt.ParameterError, match="both mapped and made by unpivot"):
        read_mapping(mapping)
