"""The mappings the documentation shows work as shown: the README's amoCRM export, docs' Excel example."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kpi_toolkit as kt
from kpi_toolkit.mapping import read_mapping

ROOT = Path(__file__).resolve().parents[1]
NBSP = "\u00a0"

# An amoCRM deals export as Windows saves it: cp1251, ';', day-first dates, decimal commas, no-break spaces.
AMOCRM_DEALS = (
    "ID;Название сделки;Бюджет;Ответственный;Этап сделки;Дата создания;Дата закрытия;Компания\r\n"
    f"1001;Поставка серверов;1{NBSP}250{NBSP}000,50;Иван Петров;Успешно реализовано;03.09.2026 10:15;"
    "26.09.2026;ООО Ромашка\r\n"
    "1002;Лицензии;48 000;Анна Смирнова;Закрыто и не реализовано;14.08.2026 09:00;02.09.2026;АО Вектор\r\n"
    "1003;Сопровождение;96 500,00;Иван Петров;Переговоры;20.09.2026 16:40;;ООО Ромашка\r\n"
    "1004;Обучение;0;Анна Смирнова;Закрыто и не реализовано;01.07.2026 12:00;15.07.2026;ИП Орлов\r\n"
    f"1005;Склад;310{NBSP}000;Анна Смирнова;  успешно реализовано ;05.07.2026 08:30;30.07.2026;ИП Орлов\r\n"
    "1006;Аудит;;Иван Петров;Первичный контакт;28.09.2026 18:05;;АО Вектор\r\n"
)


def _readme_yaml(heading: str) -> dict:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(heading) :]
    block = re.search(r"```yaml\n(.*?)```", section, flags=re.S)
    assert block, f"no yaml block after {heading!r} in README.md"
    return yaml.safe_load(block.group(1))


@pytest.fixture
def amocrm(tmp_path: Path) -> Path:
    folder = tmp_path / "amocrm"
    folder.mkdir()
    (folder / "deals.csv").write_bytes(AMOCRM_DEALS.encode("cp1251"))
    mapping = folder / "amocrm.yml"
    mapping.write_text(yaml.safe_dump(_readme_yaml("### Example: an amoCRM deal export"), allow_unicode=True))
    return folder


def test_readme_amocrm_mapping_loads_the_export(amocrm):
    data = kt.load(amocrm, mapping=amocrm / "amocrm.yml")
    leads = data.leads.set_index("lead_id")
    assert leads["status"].to_dict() == {
        "1001": "won",
        "1002": "lost",
        "1003": "open",
        "1004": "lost",
        "1005": "won",
        "1006": "open",
    }
    assert str(leads.loc["1001", "created_at"]) == "2026-09-03 10:15:00"  # day-first, with the time
    assert leads.loc["1001", "deal"] == "Поставка серверов"
    orders = data.orders.set_index("order_id")
    assert orders["amount"].to_dict() == {"1001": 1250000.5, "1005": 310000.0}  # won deals only
    assert str(orders.loc["1001", "ordered_at"]) == "2026-09-26 00:00:00"
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert kpis.loc["Иван Петров", "sales_volume"] == 1250000.5
    assert kpis.loc["Анна Смирнова", "average_check"] == 310000.0  # the lost deals' 0 and 48 000 stay out
    assert kpis.loc["Анна Смирнова", "conversion"] == pytest.approx(1 / 3)
    # the pipeline: the budget is the expected amount, open deals keep their stage, closing stages are empty
    assert data.stages == ("Первичный контакт", "Переговоры", "Принимают решение", "Согласование договора")
    assert leads.loc["1003", "expected_amount"] == 96500.0 and leads.loc["1003", "stage"] == "Переговоры"
    assert leads.loc[leads["status"] != "open", "stage"].isna().all()


def test_readme_amocrm_mapping_through_the_command_line_errors(amocrm):
    # a stage the mapping does not list is named with the row, never mapped to a guess
    (amocrm / "deals.csv").write_bytes(AMOCRM_DEALS.replace("Переговоры", "Отложено").encode("cp1251"))
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(amocrm, mapping=amocrm / "amocrm.yml")
    # both the status and the stage read from that column break a rule, each naming the row and the value
    status, stage = info.value.violations
    for violation in (status, stage):
        assert (
            violation.column == "Этап сделки"
            and violation.rows == (4,)
            and violation.examples == ("Отложено",)
        )
    assert "Первичный контакт, Переговоры, Принимают решение, Согласование договора" in stage.rule


def test_without_the_encoding_setting(amocrm):
    mapping = yaml.safe_load((amocrm / "amocrm.yml").read_text())
    del mapping["defaults"]["encoding"]
    expected = kt.load(amocrm, mapping=amocrm / "amocrm.yml").orders
    # capitalised headers and names make the documented rule clear-cut, in either code page
    for encoding in ("cp1251", "koi8-r"):
        (amocrm / "deals.csv").write_bytes(AMOCRM_DEALS.encode(encoding))
        pd.testing.assert_frame_equal(kt.load(amocrm, mapping=mapping).orders, expected)
    # text in small letters only gives no evidence: loading asks
    lower = {
        "lead_id": "ид",
        "manager": "менеджер",
        "status": "этап",
        "created_at": "создана",
        "closed_at": "закрыта",
    }
    (amocrm / "deals.csv").write_bytes(
        "ид;менеджер;этап;создана;закрыта\r\n1;иван;переговоры;2026-09-01;\r\n".encode("cp1251")
    )
    mapping = {"tables": {"orders": {"from_leads": {"amount": "ид", "customer_id": "ид"}}}}
    mapping["tables"]["leads"] = {
        "file": "deals.csv",
        "columns": lower,
        "values": {"status": {"переговоры": "open"}},
    }
    with pytest.raises(kt.DataValidationError, match=r"cp1251 or koi8-r .*encoding: cp1251"):
        kt.load(amocrm, mapping=mapping)


def test_docs_excel_example(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    docs = (ROOT / "docs" / "mappings.md").read_text(encoding="utf-8")
    block = re.search(r"An Excel workbook.*?```yaml\n(.*?)```", docs, flags=re.S)
    assert block
    book = openpyxl.Workbook()
    orders = book.active
    orders.title = "Orders"
    orders.append(["ERP export 2026"])
    orders.append([])
    orders.append(["Doc No", "Sales rep", "Customer", "Date", "Net", "Status"])
    orders.append([1, "ann", "c1", pd.Timestamp("2026-07-03").to_pydatetime(), 100.0, "Posted"])
    orders.append([2, "ann", "c2", pd.Timestamp("2026-07-04").to_pydatetime(), 50.0, "Draft"])
    orders.append([3, "bob", "c1", pd.Timestamp("2026-08-04").to_pydatetime(), 70.0, "Posted"])
    targets = book.create_sheet("Targets")
    targets.append(["Targets"])
    targets.append([])
    targets.append(["Sales rep", "Quarter", "Target"])
    targets.append(["ann", "2026Q3", 200])
    targets.append(["bob", "2026Q3", 70])
    book.save(tmp_path / "sales_2026.xlsx")
    data = kt.load(tmp_path, mapping=yaml.safe_load(block.group(1)))
    kpis = kt.manager_kpis(data, period="2026Q3")
    assert kpis["sales_volume"].to_dict() == {"ann": 100.0, "bob": 70.0}
    assert kpis["plan_attainment"].to_dict() == {"ann": 0.5, "bob": 1.0}
    assert data.row_counts.set_index("table").loc["orders", "rows_filtered"] == 1


@pytest.mark.parametrize("path", sorted((ROOT / "data" / "mappings").glob("*.yml")), ids=lambda p: p.name)
def test_shipped_mappings_are_valid(path):
    spec = read_mapping(path)
    assert spec.description and "orders" in spec.tables
