"""The plan-gap report's pipeline section and alert (report/pipeline_views.py), in English and Russian."""

from __future__ import annotations

import pytest

import kpi_toolkit as kt
from kpi_toolkit.report import translator
from kpi_toolkit.report.pipeline_views import pipeline_alerts, pipeline_section, short_of_plan


@pytest.fixture(scope="module")
def frames(demo):
    day = "2026-08-15"
    pipe = kt.pipeline(demo, period="2026Q3", as_of=day)
    pace = kt.pacing(demo, period="2026Q3", as_of=day)
    cycles = kt.cycle_times(demo, periods="2025Q3:2026Q2", as_of=day)
    names = {str(m): str(n) for m, n in demo.manager_info["name"].items()}
    return pipe, pace, cycles, names


def test_the_alert_names_the_managers_whose_pipeline_cannot_close_the_plan(frames):
    pipe, pace, _, names = frames
    short = short_of_plan(pipe, pace)
    # the planted thin, stale pipeline (M05) and the manager working 60 % of the lead flow (M10) among them
    assert {"M05", "M10"} <= set(short["manager"])
    assert (short["pipeline_high"] < short["target"]).all() and (short["remaining_target"] > 0).all()
    en = pipeline_alerts(pipe, pace, names=names, tr=translator("en"))
    assert len(en) == len(short) and any(
        s.startswith("Elena Smirnova: the open pipeline cannot close") for s in en
    )
    ru = pipeline_alerts(pipe, pace, names=names, tr=translator("ru"), manager="M05")
    assert len(ru) == 1 and ru[0].startswith("Elena Smirnova: открытой воронки не хватит")
    assert "7\xa0%" in ru[0]  # weighted coverage, formatted for the locale


def test_nobody_is_named_for_a_complete_period_or_without_leads(demo, frames):
    pipe, _, _, names = frames
    done = kt.pacing(demo, period="2026Q3", as_of="2026-09-30")
    assert short_of_plan(pipe, done).empty
    assert pipeline_alerts(None, done, names=names) == []
    assert pipeline_section(None, None, names=names) == ""


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Will we make it?", "55 leads are stale", "How long deals take"]),
        ("ru", ["Успеем ли?", "55 лидов зависли", "Сколько длятся сделки"]),
    ],
)
def test_section_in_both_languages(frames, lang, words):
    pipe, _, cycles, names = frames
    page = pipeline_section(pipe, cycles, names={**names, "M05": "Elena <b>"}, tr=translator(lang))
    for word in words:
        assert word in page
    assert "Elena &lt;b&gt;" in page and "Elena <b>" not in page
    assert page.count("<table") == 2


def test_section_for_one_manager(frames):
    pipe, _, cycles, names = frames
    page = pipeline_section(pipe, cycles, names=names, manager="M05")
    assert "Elena Smirnova" in page and "James Carter" not in page
