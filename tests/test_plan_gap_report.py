"""The plan-gap report end to end: one render through ``kpi-report plan-gap``, its files, content, safety."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data
from kpi_toolkit.report import notebook_parameters, notebook_path, translator
from kpi_toolkit.report import plan_gap_alert_views as alert_views
from kpi_toolkit.report import plan_gap_driver_views as driver_views
from kpi_toolkit.report import plan_gap_miss_views as miss_views
from kpi_toolkit.report import plan_gap_views as views
from kpi_toolkit.report.plan_gap_report import data_as_of, plan_gap_report
from tests.conftest import write_tables

HOSTILE_NAME = "<script>alert(1)</script>"

pytestmark = pytest.mark.slow


def test_notebook_declares_typed_documented_parameters():
    params = notebook_parameters(notebook_path("plan_gap"))
    assert set(params) == {
        "data_dir", "period", "team", "manager", "baseline", "history", "as_of", "lang", "currency",
        "mapping", "on_invalid", "plan_metric", "output_dir",
    }  # fmt: skip
    assert params["history"]["inferred_type_name"] == "int"
    for name, spec in params.items():
        assert spec["help"], f"parameter {name} has no help comment"


STEM = "plan_gap_asof2026-08-15"


@pytest.fixture(scope="module")
def hostile_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tables = make_demo_data()
    managers = tables["managers"].copy()
    managers.loc[managers["manager"] == "M10", "name"] = HOSTILE_NAME
    return write_tables(tmp_path_factory.mktemp("data") / "demo", {**tables, "managers": managers})


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, hostile_demo: Path) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = subprocess.run(
        [sys.executable, "-m", "kpi_toolkit", "plan-gap", "--data", str(hostile_demo), "--period", "2026Q3",
         "--as-of", "2026-08-15", "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


def test_files_csv_and_site(rendered, hostile_demo):
    folder = rendered / "2026Q3"
    # --as-of changes the content, so it names the files (never over the report of the whole period)
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{STEM}.csv",
        f"{STEM}.html",
        f"{STEM}.report.json",
    ]
    csv = pd.read_csv(folder / f"{STEM}.csv")
    # --as-of 2026-08-15: the gap is of the data as it stood at the end of that day
    expected = kt.plan_gap(data_as_of(kt.load(hostile_demo), pd.Timestamp("2026-08-15")), period="2026Q3")
    assert csv.columns.tolist() == list(expected.columns)
    assert csv["gap"].to_numpy() == pytest.approx(expected["gap"].to_numpy())
    record = json.loads((folder / f"{STEM}.report.json").read_text(encoding="utf-8"))
    assert record["kind"] == "plan_gap" and record["period"] == "2026Q3"
    assert f"{STEM}.html" in (rendered / "index.html").read_text(encoding="utf-8")


def test_content_safety_and_alt_text(rendered):
    html = (rendered / "2026Q3" / f"{STEM}.html").read_text(encoding="utf-8")
    for heading in ("The gap and its drivers", "The managers that drive it", "Systematic misses",
                    "Pacing of the period", "Alerts", "The customers behind the change"):  # fmt: skip
        assert heading in html, heading
    assert "import kpi_toolkit" not in html
    assert HOSTILE_NAME not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    alts = re.findall(r'<img\b[^>]*\balt="([^"]*)"', html)
    assert len(alts) == 3 and all(a.startswith("Waterfall chart") for a in alts)  # + customers
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in a for a in alts)  # the by-manager waterfall
    # the planted manager: systematic, and off track at mid-quarter
    assert "misses the plan systematically: missed 7 of 7 periods" in html  # 2024Q3-2026Q2, 2024Q3 unplanned
    assert "off track in 2026Q3" in html


def test_views_in_russian_for_one_manager(demo):
    report = plan_gap_report(demo, period="2026Q3", manager="M10", baseline="last_year", as_of="2026-08-15")
    tr = translator("ru")
    sections = (
        views.title,
        views.headline,
        views.introduction,
        driver_views.gap_section,
        driver_views.managers_section,
    )
    sections += (miss_views.misses_section, miss_views.pacing_section, alert_views.alerts_section)
    text = "".join(str(f(report, tr)) for f in sections)
    # a gap against last year is not titled "why was the target missed" (issue 17)
    assert "Что изменилось по сравнению с тем же периодом прошлого года? 3 кв. 2026 – James Carter" in text
    assert "Почему не выполнен план" not in text
    assert "<p>Разрыв между объёмом продаж и базой сравнения точно раскладывается" in text
    assert "The gap between" not in text  # the introduction was English prose in the notebook
    assert "систематически не выполняет план" in text
    assert "M10" not in re.sub(r"<[^>]+>", "", text).replace("James Carter", "")
    with pytest.raises(kt.ParameterError, match="manager"):
        plan_gap_report(demo, period="2026Q3", manager="M99")
