"""Issue 19: the command line takes a period range (``--period 2025Q4:2026Q3``, ``2003:2004``) wherever the
Python functions behind the report take one; the reports over a range are about the whole run; the commands
that are about one period say so in one line.

The commands run in this process (``kpi_toolkit.cli.main``); the notebook run is replaced by a stub where
the test is about the command (parsing, files, records), and run for real once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit import cli_render
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Span, parse_span
from kpi_toolkit.report.comparison_report import comparison_report
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.quarterly import quarterly_report
from kpi_toolkit.report.showcase import showcase_report
from tests.conftest import execute_in_process, run_cli

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "data" / "cards" / "sales_manager.yml"
RANGE = "2025Q4:2026Q3"
QUARTERS = ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]


@pytest.fixture
def stub_render(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, dict]]:
    """Run the notebooks in this process (no kernel); the list collects the notebooks and parameters."""
    rendered: list[tuple[Path, dict]] = []

    def execute(notebook: Path, *, parameters: dict, workdir: Path, **options: object):
        rendered.append((notebook, parameters))
        return execute_in_process(notebook, parameters=parameters, workdir=workdir, **options)

    monkeypatch.setattr(cli_render, "execute_notebook", execute)
    return rendered


# --- the span -----------------------------------------------------------------------------------------------


def test_a_span_covers_its_periods():
    span = parse_span("2025Q4:2026Q3")
    assert isinstance(span, Span) and span.kind == "quarter" and span.count == 4
    assert [str(p) for p in span.periods] == QUARTERS
    assert (span.months[0], span.months[-1], len(span.months)) == ("2025-10", "2026-09", 12)
    assert (str(span.start.date()), str(span.end.date())) == ("2025-10-01", "2026-10-01")
    assert (str(span.previous()), str(span.last_year()), str(span.shift(1))) == (
        "2024Q4:2025Q3",
        "2024Q4:2025Q3",
        "2026Q4:2027Q3",
    )
    years = parse_span("2003:2004")
    assert (str(years), years.months[0], years.months[-1], str(years.previous())) == (
        "2003:2004",
        "2003-01",
        "2004-12",
        "2001:2002",
    )
    assert str(parse_span("2026-01:2026-03").last_year()) == "2025-01:2025-03"
    assert [str(p) for p in parse_span("2026Q3:2026Q4", fiscal_year_start=7).periods] == ["2026Q3", "2026Q4"]
    assert parse_span("2026Q3:2026Q3") == parse_span("2026Q3") == kt.parse_period("2026Q3")  # one period
    with pytest.raises(ParameterError, match="is not a range"):
        parse_span("2026Q3:2025Q4")
    with pytest.raises(ParameterError, match="is not a range"):
        parse_span("2026Q3:2026")


def test_kpis_and_plan_of_a_span_are_the_sums_of_its_periods(demo):
    span = parse_span(RANGE)
    whole = kt.manager_kpis(demo, period=span)
    parts = [kt.manager_kpis(demo, period=q) for q in QUARTERS]
    # a manager counts in the periods they were active (the joiner M15 only in 2026Q3, the leaver M16 until
    # 2026Q2): the span's sums are the sums over the periods that list them
    summed = pd.concat(parts).groupby(level="manager").sum(min_count=1).reindex(whole.index)
    assert set(whole.index) == set().union(*(p.index for p in parts))
    for column in ("sales_volume", "orders", "leads_won", "leads_closed", "sales_plan"):
        assert whole[column].tolist() == pytest.approx(summed[column].tolist(), rel=1e-12)
    assert whole["plan_attainment"].tolist() == pytest.approx(
        (whole["sales_volume"] / whole["sales_plan"]).tolist()
    )
    # a span with a period without a target has no plan (2026Q4 has none in the demo)
    assert kt.manager_kpis(demo, period=parse_span("2026Q3:2026Q4"))["sales_plan"].isna().all()


# --- the report objects -------------------------------------------------------------------------------------


def test_the_quarterly_report_of_a_range(demo):
    q = quarterly_report(demo, period=RANGE, team="North")
    assert str(q.period) == RANGE
    assert list(q.totals.index) == [RANGE, "2024Q4:2025Q3", "YTD 2026Q3", "YTD 2025Q3"]
    one = [quarterly_report(demo, period=p, team="North").totals.loc[p, "sales_volume"] for p in QUARTERS]
    assert q.totals.loc[RANGE, "sales_volume"] == pytest.approx(sum(one), rel=1e-12)
    # the trend: the last eight quarters up to the range's last
    assert list(dict.fromkeys(q.history.index.get_level_values("period")))[-1] == "2026Q3"
    assert translator("ru").period(q.period) == "4 кв. 2025 – 3 кв. 2026"
    assert translator("en").period(q.period) == "2025Q4–2026Q3"


def test_the_comparison_report_of_a_range_is_the_api_s(demo):
    r = comparison_report(demo, period=RANGE, metric="conversion")
    direct = kt.compare_managers(demo, period=RANGE, metric="conversion")
    assert str(r.period) == RANGE
    pd.testing.assert_frame_equal(r.table, direct)


def test_the_showcase_of_a_range(demo):
    r = showcase_report(demo, period=RANGE)
    assert str(r.period) == RANGE
    assert [str(p) for p in r.practice_periods] == ["2025Q4", "2026Q3"]
    kpis = kt.manager_kpis(demo, period=parse_span(RANGE))
    ranked = r.ranking.set_index("manager")
    assert (kpis.loc[ranked.index, "leads_closed"] >= 20).all()


# --- the command line ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "extra", "name"),
    [
        ("quarterly", (), "quarterly.html"),
        ("compare", ("--metric", "average_check"), "manager_comparison_average_check.html"),
        ("showcase", (), "showcase.html"),
    ],
)
def test_commands_take_a_range(command, extra, name, demo_folder, tmp_path, capsys, monkeypatch, stub_render):
    out = tmp_path / "r"
    code, output = run_cli(
        capsys, monkeypatch, command, "--data", demo_folder, "--out", out, "--period", RANGE, *extra
    )
    assert code == 0, output
    folder = out / "2025Q4_2026Q3"  # a range's folder: no ':' in a file name
    assert (folder / name).is_file()
    record = json.loads((folder / name.replace(".html", ".report.json")).read_text(encoding="utf-8"))
    assert (record["period"], record["previous_period"], record["period_start"]) == (
        RANGE,
        "2024Q4:2025Q3",
        "2025-10-01",
    )
    assert "2025Q4–2026Q3" in record["title"]
    assert stub_render[-1][1]["period"] == RANGE  # the notebook gets the range
    assert "2025Q4–2026Q3" in (out / "index.html").read_text(encoding="utf-8")


def test_years_as_a_range(demo_folder, tmp_path, capsys, monkeypatch, stub_render):
    code, output = run_cli(
        capsys, monkeypatch, "compare", "--data", demo_folder, "--out", tmp_path, "--period", "2025:2026"
    )
    assert code == 0, output
    assert (tmp_path / "2025_2026" / "manager_comparison.html").is_file()


@pytest.mark.parametrize(
    ("command", "extra", "why"),
    [
        ("card", ("--card", CARD), "a card pays one period of its kind (run card once per period)"),
        (
            "plan-gap",
            (),
            "the gap to plan and the pacing are about one period (--history sets how many periods are judged "
            "for systematic misses)",
        ),
    ],
)
def test_one_period_commands_refuse_a_range_in_one_line(
    command, extra, why, demo_folder, tmp_path, capsys, monkeypatch, stub_render
):
    code, output = run_cli(
        capsys, monkeypatch, command, "--data", demo_folder, "--out", tmp_path, "--period", RANGE, *extra
    )
    assert code == 2
    assert output == (
        f"error: {command} --period takes one period, e.g. 2026Q3, not the range {RANGE}: {why}. "
        "--period takes a range in quarterly, compare, showcase (and batch: one report per period)."
    )
    assert not stub_render and not (tmp_path / "2025Q4_2026Q3").exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026Q3:2025Q4", "--period 2026Q3:2025Q4 is not a range"),
        ("2026Q3:2026", "--period 2026Q3:2026 is not a range"),
        ("2031:2032", "--period 2031:2032 has no data"),
    ],
)
def test_bad_ranges(period, message, demo_folder, tmp_path, capsys, monkeypatch, stub_render):
    code, output = run_cli(
        capsys, monkeypatch, "quarterly", "--data", demo_folder, "--out", tmp_path, "--period", period
    )
    assert code == 2 and output.startswith("error: ") and message in output, output
    assert not any(p.is_dir() for p in tmp_path.iterdir() if not p.name.startswith("."))  # nothing published


@pytest.mark.slow
def test_a_quarterly_report_of_a_range_renders_in_russian(demo_folder, tmp_path, capsys, monkeypatch):
    code, output = run_cli(
        capsys, monkeypatch, "quarterly", "--data", demo_folder, "--out", tmp_path, "--period", RANGE,
        "--lang", "ru", "--team", "North",
    )  # fmt: skip
    assert code == 0, output
    text = (tmp_path / "2025Q4_2026Q3" / "quarterly_north.ru.html").read_text(encoding="utf-8")
    assert "Квартальный отчёт о продажах, 4 кв. 2025 – 3 кв. 2026" in text.replace("\xa0", " ")
    assert "Период в сравнении с предыдущим периодом той же длины" in text.replace("\xa0", " ")
    kpis = pd.read_csv(tmp_path / "2025Q4_2026Q3" / "kpis_north.csv")
    direct = kt.manager_kpis(kt.load(demo_folder), period=parse_span(RANGE), team="North")
    assert kpis["sales_volume"].tolist() == pytest.approx(direct["sales_volume"].tolist())


def test_a_card_refuses_a_span_in_python_too(demo):
    with pytest.raises(ParameterError, match=r"is a range, but the card .* pays one quarter at a time"):
        kt.bonuses(demo, period=parse_span(RANGE), card=CARD)


def test_the_plan_gap_report_refuses_a_span_in_python_too(demo):
    from kpi_toolkit.report.plan_gap_report import plan_gap_report

    with pytest.raises(ParameterError, match="is a range, but the plan-gap report is about one period"):
        plan_gap_report(demo, period=parse_span(RANGE))
