"""The plan metric as a mapping key and as the ``--plan-metric`` option of the report commands (#14)."""

from __future__ import annotations

from pathlib import Path

import pytest

import kpi_toolkit as kt
from kpi_toolkit.mapping import read_mapping

SALES = "No;Rep;Client;Date;Total\n1;ann;c1;2026-07-01;100\n2;bob;c2;2026-08-03;99\n"
MAPPING = """\
plan_metric: {metric}
tables:
  orders:
    file: sales.csv
    columns: {{order_id: "No", manager: Rep, customer_id: Client, ordered_at: Date, amount: Total}}
"""


def _folder(tmp_path: Path, metric: str) -> tuple[Path, Path]:
    (tmp_path / "sales.csv").write_text(SALES)
    mapping = tmp_path / "export.yml"
    mapping.write_text(MAPPING.format(metric=metric))
    return tmp_path, mapping


def test_the_mapping_sets_the_plan_metric_below_the_argument_above_dataset_yml(tmp_path):
    folder, mapping = _folder(tmp_path, "net_sales")
    assert read_mapping(mapping).plan_metric == "net_sales"
    assert kt.load(folder, mapping=mapping).plan_metric == "net_sales"
    (folder / "dataset.yml").write_text("plan_metric: sales_volume\n")
    assert kt.load(folder, mapping=mapping).plan_metric == "net_sales"  # the mapping wins over the folder
    assert kt.load(folder, mapping=mapping, plan_metric="sales_volume").plan_metric == "sales_volume"


def test_a_mapping_without_the_key_keeps_the_default(tmp_path):
    folder, mapping = _folder(tmp_path, "net_sales")
    mapping.write_text(MAPPING.format(metric="net_sales").replace("plan_metric: net_sales\n", ""))
    assert read_mapping(mapping).plan_metric is None
    assert kt.load(folder, mapping=mapping).plan_metric == "sales_volume"


def test_a_bad_plan_metric_in_the_mapping_names_the_file_and_the_choices(tmp_path):
    folder, mapping = _folder(tmp_path, "margin")
    with pytest.raises(kt.ParameterError) as info:
        kt.load(folder, mapping=mapping)
    message = str(info.value)
    assert f"mapping {mapping}, plan_metric: 'margin' is not a KPI the plan can be measured on" in message
    assert "sales_volume, net_sales, gross_margin" in message and "Fix:" in message


def test_gross_margin_from_the_mapping_needs_costs(tmp_path):
    folder, mapping = _folder(tmp_path, "gross_margin")
    with pytest.raises(kt.ParameterError, match="plan_metric='gross_margin' needs the cost of goods"):
        kt.load(folder, mapping=mapping)
