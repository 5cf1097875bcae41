"""Rendering the quarterly report end to end: parameters, content, safety, failures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.fingerprint import data_fingerprint as kt_fingerprint
from kpi_toolkit.report import notebook_parameters, notebook_path, page, render_notebook
from tests.conftest import tiny_tables, write_tables

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_TEAM = "<img src=x onerror=alert(1)>"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_toolkit", *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_notebook_declares_typed_documented_parameters():
    params = notebook_parameters(notebook_path("quarterly"))
    assert set(params) == {"data_dir", "period", "team", "lang", "currency", "mapping", "on_invalid",
                           "plan_metric", "output_dir"}  # fmt: skip
    for name, spec in params.items():
        assert spec["inferred_type_name"] == "str", name
        assert spec["help"], f"parameter {name} has no help comment"


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tables = tiny_tables()
    tables["managers"] = tables["managers"].assign(
        name=[HOSTILE_NAME, "Bob Stone", '=HYPERLINK("x")'], team=[HOSTILE_TEAM, HOSTILE_TEAM, "South"]
    )
    return write_tables(tmp_path_factory.mktemp("data") / "hostile", tables)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, hostile_folder: Path) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = _cli("quarterly", "--data", str(hostile_folder), "--out", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_report_files_are_written(rendered):
    assert sorted(p.name for p in (rendered / "2026Q3").iterdir()) == [
        "kpis.csv",
        "quarterly.html",
        "quarterly.report.json",
    ]
    assert (rendered / "index.html").exists()


def test_report_content(rendered):
    html = (rendered / "2026Q3" / "quarterly.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))
    assert "Quarterly sales report 2026Q3" in text
    # cat has neither a plan nor a sale in 2026Q3: the company's plan is ann's and bob's (issue 15)
    assert "In 2026Q3 the company sold 770 against a plan of 1,000 (77.0% of plan)" in text
    assert "Bob Stone" in text and "50.0% (1/2)" in text  # ann's conversion with the leads behind it
    assert "Ranking by plan attainment" in text and "Plausible ranks" in text
    assert "first year of the data's history" in text  # the new-customers caveat
    assert html.count("<img") >= 3 and 'alt=""' not in html


def test_report_is_self_contained_and_has_no_code(rendered):
    html = (rendered / "2026Q3" / "quarterly.html").read_text(encoding="utf-8")
    # one script: the toolkit's own table sorter, inline, and the only one the page's policy lets run
    assert re.findall(r"<script[^>]*>", html) == ["<script>"]
    assert f"<script>{page.script()}</script>" in html
    assert f'content="{page.content_security_policy()}"' in html
    assert "default-src 'none'" in page.content_security_policy()
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html)
    assert "import kpi_toolkit" not in html and "In&nbsp;[" not in html
    assert "<link" not in html


def test_hostile_names_are_escaped(rendered):
    html = (rendered / "2026Q3" / "quarterly.html").read_text(encoding="utf-8")
    assert HOSTILE_NAME not in html and HOSTILE_TEAM not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # in the figures' alternative text too
    alts = re.findall(r'<img\b[^>]*\balt="([^"]*)"', html)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in a for a in alts)


def test_hostile_team_report_title_and_index_are_escaped(tiny_folder, tmp_path):
    tables = tiny_tables()
    tables["managers"] = tables["managers"].assign(team=[HOSTILE_TEAM, HOSTILE_TEAM, "South"])
    folder = write_tables(tmp_path / "hostile", tables)
    result = _cli("quarterly", "--data", str(folder), "--out", str(tmp_path / "out"), "--team", HOSTILE_TEAM)
    assert result.returncode == 0, result.stderr
    (report,) = (tmp_path / "out" / "2026Q3").glob("quarterly_*.html")
    html = report.read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
    assert title == "Quarterly sales report 2026Q3 – &lt;img src=x onerror=alert(1)&gt;"
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    for text in (html, index):
        assert HOSTILE_TEAM not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert report.name == "quarterly_img-src-x-onerror-alert-1.html"


def test_report_records_how_it_was_made(rendered, hostile_folder):
    html = (rendered / "2026Q3" / "quarterly.html").read_text(encoding="utf-8")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    fingerprint = kt_fingerprint(kt.load(hostile_folder))
    for item in (
        "parameter data_dir",
        "parameter period 2026Q3",
        "parameter lang en",
        "data as of 2026-10-02",
    ):
        assert item in text
    assert f"data fingerprint (sha256 of the validated tables) {fingerprint}" in text
    assert f"toolkit version {kt.__version__}" in text
    assert re.search(
        r"Rendered \d{4}-\d\d-\d\d \d\d:\d\d UTC with kpi-toolkit " + re.escape(kt.__version__), text
    )
    record = json.loads((rendered / "2026Q3" / "quarterly.report.json").read_text(encoding="utf-8"))
    assert record["data_fingerprint"] == fingerprint and record["data_as_of"] == "2026-10-02"
    assert record["parameters"]["period"] == "2026Q3" and record["toolkit_version"] == kt.__version__


def test_rendering_twice_gives_the_same_tables_and_figures(rendered, hostile_folder, tmp_path):
    # same data, a second render in a fresh process: every table and every SVG byte is the same
    again = _cli("quarterly", "--data", str(hostile_folder), "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr
    first, second = (
        (d / "2026Q3" / "quarterly.html").read_text(encoding="utf-8") for d in (rendered, tmp_path)
    )
    for pattern in (r"<table.*?</table>", r'src="data:image/svg\+xml;base64,[^"]+"'):
        tables = [re.findall(pattern, html, flags=re.S) for html in (first, second)]
        assert tables[0] == tables[1] and len(tables[0]) >= 3
    assert (rendered / "2026Q3" / "kpis.csv").read_bytes() == (tmp_path / "2026Q3" / "kpis.csv").read_bytes()


def test_kpis_csv_matches_manager_kpis(rendered, tiny):
    csv = pd.read_csv(rendered / "2026Q3" / "kpis.csv", index_col="manager")
    expected = kt.manager_kpis(tiny, period="2026Q3")
    assert list(csv.columns) == list(kt.KPI_COLUMNS)
    pd.testing.assert_series_equal(
        csv["sales_volume"], expected["sales_volume"].rename_axis("manager"), check_index_type=False
    )


def test_team_report_and_default_period(tiny_folder, tmp_path):
    result = _cli("quarterly", "--data", str(tiny_folder), "--out", str(tmp_path), "--team", "North")
    assert result.returncode == 0, result.stderr
    # the data ends on 2026-10-02, so the latest complete quarter is 2026Q3
    assert (tmp_path / "2026Q3" / "quarterly_north.html").exists()
    csv = pd.read_csv(tmp_path / "2026Q3" / "kpis_north.csv")
    assert csv["manager"].tolist() == ["ann", "bob"]


def test_bad_data_fails_cleanly_without_a_report(tmp_path):
    tables = tiny_tables()
    tables["orders"] = tables["orders"].assign(amount=[-1.0, *tables["orders"]["amount"][1:]])
    folder = write_tables(tmp_path / "bad", tables)
    result = _cli("quarterly", "--data", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "orders.csv, column 'amount', row 2" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.html"))


def test_unknown_parameter_is_rejected(tmp_path):
    with pytest.raises(kt.ReportError, match=r"has no parameter\(s\) \['teams'\]"):
        render_notebook(
            notebook_path("quarterly"), parameters={"teams": "x"}, output=tmp_path / "r.html", title="t"
        )


def test_failing_notebook_leaves_no_half_written_report(tmp_path):
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("x: int = 1  # a parameter", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise RuntimeError('boom')"),
    ]
    path = tmp_path / "failing.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(kt.ReportError, match="RuntimeError: boom"):
        render_notebook(path, parameters={"x": 2}, output=tmp_path / "out" / "r.html", title="t")
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--lang", "de"], "--lang de is not a report language. Fix: use one of en, ru."),
        (["--currency", "rubles"], "--currency rubles is not an ISO 4217 currency code"),
    ],
)
def test_bad_language_or_currency_fails_cleanly(tiny_folder, tmp_path, option, message):
    result = _cli("quarterly", "--data", str(tiny_folder), "--out", str(tmp_path / "out"), *option)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "out").exists()
