"""Command-line details seen on public samples: compare's default metric, CLI wording of errors, output names
that carry every option changing the content, money rounded in the CSV files people read."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from kpi_toolkit.cli import _cli_words, app


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_messages_speak_the_command_line():
    assert _cli_words("Fix: compare metric='average_check' or 'new_customers'.") == (
        "Fix: compare --metric average_check or 'new_customers'."
    )
    assert _cli_words("alpha=1.5 is outside (0, 1); as_of='2026-13-01'") == (
        "--alpha 1.5 is outside (0, 1); --as-of 2026-13-01"
    )
    assert _cli_words("fiscal_year_start=13 is not a month") == "fiscal_year_start=13 is not a month"


@pytest.mark.slow
def test_compare_defaults_to_a_metric_the_data_support(demo_folder, tmp_path):
    folder = tmp_path / "no_leads"
    shutil.copytree(demo_folder, folder)
    (folder / "leads.csv").unlink()
    (folder / "activities.csv").unlink()
    status, output = _run(
        "compare", "--data", str(folder), "--period", "2026Q2", "--out", str(tmp_path / "r")
    )
    assert status == 0, output
    # the page of every KPI the data allow: without leads, the average check and the margin rate
    page = (tmp_path / "r" / "2026Q2" / "manager_comparison.html").read_text(encoding="utf-8")
    assert "Average check: each manager against the rest of the team" in page and "Conversion:" not in page


@pytest.mark.slow
def test_plan_gap_names_carry_the_options_and_round_money(demo_folder, tmp_path):
    out = tmp_path / "r"
    args = ("--baseline", "previous", "--history", "4")
    status, output = _run(
        "plan-gap", "--data", str(demo_folder), "--period", "2026Q2", "--out", str(out), *args
    )
    assert status == 0, output
    # the plan-baseline report (plan_gap.html) of the same period is not overwritten
    names = sorted(p.name for p in (out / "2026Q2").glob("plan_gap*") if p.suffix in (".csv", ".html"))
    assert names == ["plan_gap_baselineprevious_history4.csv", "plan_gap_baselineprevious_history4.html"]
    path = out / "2026Q2" / "plan_gap_baselineprevious_history4.csv"
    money = pd.read_csv(path).select_dtypes("number")
    assert len(money) and ((money.fillna(0) * 100).round(6) % 1 == 0).all().all()  # cents at most
    assert "00000000" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", ["quarterly", "card", "compare", "plan-gap", "showcase", "batch"])
def test_every_report_command_reads_a_mapping_and_quarantines(command):
    status, output = _run(command, "--help")
    assert status == 0 and "--mapping" in output and "--on-invalid" in output


def test_one_rule_names_the_files():
    """File names from team and manager names come from kpi_toolkit.report.names alone."""
    from pathlib import Path

    import kpi_toolkit.cli_commands
    import kpi_toolkit.cli_render
    import kpi_toolkit.report.batch_plan

    for module in (kpi_toolkit.cli_commands, kpi_toolkit.cli_render, kpi_toolkit.report.batch_plan):
        text = Path(module.__file__).read_text(encoding="utf-8")
        assert "def _slug" not in text and "def slug" not in text and "kpi_toolkit.report.names" in text


def test_a_relative_out_folder_works_from_anywhere(demo_folder, tmp_path, capsys, monkeypatch):
    """`make report` passes --out reports: the notebook runs in notebooks/, so the folder it writes its record
    into must be absolute (a relative one was resolved against notebooks/ and the record was not found)."""
    from kpi_toolkit import cli_render
    from tests.conftest import execute_in_process, run_cli

    monkeypatch.setattr(cli_render, "execute_notebook", execute_in_process)  # runs in the notebook folder too
    monkeypatch.chdir(tmp_path)
    code, output = run_cli(capsys, monkeypatch, "quarterly", "--data", demo_folder, "--out", "reports")
    assert code == 0, output
    assert (tmp_path / "reports" / "2026Q3" / "quarterly.html").is_file()
    assert (tmp_path / "reports" / "2026Q3" / "kpis.csv").is_file()
