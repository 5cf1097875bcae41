"""``kt.show``: toolkit frames with the reports' formats, in English and Russian, without importing the
report package when the toolkit is imported."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

import kpi_toolkit as kt
from kpi_toolkit.report import translator

NBSP = "\xa0"


def test_show_formats_a_plan_gap_like_frame_in_russian():
    frame = pd.DataFrame(
        {
            "manager": ["M10", "TOTAL"],
            "actual": [1234567.4, 2000000.0],
            "gap": [-250000.0, float("nan")],
            "plan_attainment": [0.9996, 1.0],
            "p_value": [0.0496, 0.0004],
            "period": ["2026Q3", "2026Q3"],
            "orders": [1234, 5678],
        }
    )
    shown = kt.show(frame, translator("ru", currency="RUB"))
    assert f"1{NBSP}234{NBSP}567{NBSP}₽" in shown  # money: whole roubles, grouped, with the sign
    assert f"99,9{NBSP}%" in shown and f"100,0{NBSP}%" in shown  # a miss is never shown as a hit
    assert "0,0496" in shown and "&lt; 0,001" in shown  # p-values: more digits next to the 5 % level
    assert "3 кв. 2026" in shown and f"1{NBSP}234" in shown
    assert "–" in shown  # NaN
    assert ">Объём продаж<" not in shown and ">actual<" in shown  # headers: KPI names, else the column
    assert frame["gap"].iloc[0] == -250000.0  # the frame is not changed


def test_show_puts_an_index_in_columns_and_writes_metrics_by_their_kind(tiny):
    kpis = kt.manager_kpis(tiny, period="2026Q3")
    shown = kt.show(kpis)
    assert ">manager<" in shown and ">Sales volume<" in shown and ">Conversion<" in shown
    change = pd.DataFrame(
        {"metric": ["conversion", "sales_volume"], "value": [0.2496, 1234.6], "relative_change": [0.1, -0.05]}
    )
    shown = kt.show(change)
    assert "24.9%" in shown and "1,235" in shown and "+10.0%" in shown and "-5.0%" in shown


def test_show_caps_the_rows():
    shown = kt.show(pd.DataFrame({"n": range(20)}), max_rows=5, caption="Leads")
    assert shown.count("<tr>") == 6 and "Leads (5 of 20 rows)" in shown


def test_kt_imports_no_report_code_until_show_is_called():
    code = (
        "import sys, kpi_toolkit as kt\n"
        "before = any(m.startswith('kpi_toolkit.report') for m in sys.modules)\n"
        "kt.show\n"
        "print(before, 'kpi_toolkit.report.show' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "True"]
