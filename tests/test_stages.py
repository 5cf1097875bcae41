"""The leads' stages as a data-set setting: kt.load(stages=...), ``stages:`` in a mapping or dataset.yml; an
unknown stage breaks a rule that names the file, row, value and the allowed stages, and can be quarantined."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

import kpi_toolkit as kt
from kpi_toolkit.errors import DataValidationError, ParameterError

STAGES = ["Qualified", "Proposal", "Negotiation"]
ORDERS = "order_id,manager,customer_id,ordered_at,amount\no1,ann,c1,2026-07-01,100\n"
LEADS = (
    "lead_id,manager,created_at,status,closed_at,stage\n"
    "L1,ann,2026-06-01,open,,Proposal\n"
    "L2,ann,2026-06-02,open,,Demo\n"
    "L3,ann,2026-06-03,lost,2026-06-20,Qualified\n"
    "L4,ann,2026-06-04,open,,\n"
)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "orders.csv").write_text(ORDERS)
    (tmp_path / "leads.csv").write_text(LEADS)
    return tmp_path


def test_an_unknown_stage_names_the_file_row_value_and_the_allowed_stages(folder):
    with pytest.raises(DataValidationError) as caught:
        kt.load(folder, stages=STAGES)
    message = str(caught.value)
    assert "leads.csv" in message and "row 3" in message and "'Demo'" in message
    assert "Qualified, Proposal, Negotiation" in message


def test_an_unknown_stage_can_be_quarantined(folder):
    data = kt.load(folder, stages=STAGES, on_invalid="quarantine")
    assert data.stages == tuple(STAGES)
    assert data.leads["lead_id"].tolist() == ["L1", "L3", "L4"]  # an empty stage is allowed
    assert data.quarantine[["row", "column"]].values.tolist() == [[3, "stage"]]


def test_without_stages_any_stage_is_text(folder):
    data = kt.load(folder)
    assert data.stages is None and len(data.leads) == 4


def test_stages_from_dataset_yml_and_the_argument_wins(folder):
    (folder / "dataset.yml").write_text(yaml.safe_dump({"stages": [*STAGES, "Demo"]}))
    assert kt.load(folder).stages == (*STAGES, "Demo")
    with pytest.raises(DataValidationError):
        kt.load(folder, stages=STAGES)


def test_stages_from_a_mapping(folder):
    mapping = {
        "stages": [*STAGES, "Demo"],
        "tables": {
            "orders": {"file": "orders.csv", "columns": {c: c for c in ORDERS.split("\n")[0].split(",")}},
            "leads": {"file": "leads.csv", "columns": {c: c for c in LEADS.split("\n")[0].split(",")}},
        },
    }
    assert kt.load(folder, mapping=mapping).stages == (*STAGES, "Demo")
    with pytest.raises(DataValidationError, match="Demo"):
        kt.load(folder, mapping={**mapping, "stages": STAGES})


def test_stages_on_duckdb(folder):
    pytest.importorskip("duckdb")
    with pytest.raises(DataValidationError, match="'Demo'"):
        kt.load(folder, stages=STAGES, engine="duckdb")
    assert kt.load(folder, stages=[*STAGES, "Demo"], engine="duckdb").stages == (*STAGES, "Demo")


@pytest.mark.parametrize(
    ("stages", "says"),
    [("Qualified", "not a list"), (["A", "A"], "more than once"), (["A", ""], "empty"), ([], "empty")],
)
def test_a_bad_stages_setting_is_a_parameter_error(folder, stages, says):
    with pytest.raises(ParameterError, match=says):
        kt.load(folder, stages=stages)
    (folder / "dataset.yml").write_text(yaml.safe_dump({"stages": stages}))
    with pytest.raises(ParameterError, match=r"dataset\.yml: stages"):
        kt.load(folder)


def test_from_frames_takes_stages():
    leads = pd.read_csv(__import__("io").StringIO(LEADS), dtype=str)
    orders = pd.read_csv(__import__("io").StringIO(ORDERS), dtype=str)
    with pytest.raises(DataValidationError, match="row 2"):
        kt.from_frames(orders, leads=leads, stages=STAGES)
