"""The report site: records beside reports, the index, each report's navigation bar, bad and hostile
records."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.report import page
from kpi_toolkit.report.site import (
    INDEX_NAME,
    KeyFigure,
    ReportRecord,
    build_site,
    read_records,
    sidecar_path,
    write_record,
)
from kpi_toolkit.report.site_links import body_links

HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"
RENDERED = pd.Timestamp("2026-11-26 10:00", tz="UTC")


def _report(
    root: Path, relative: str, *, kind="quarterly", period="2026Q3", lang="en", team=None, **extra
) -> Path:
    """A rendered report as the site sees it: an HTML page with an empty navigation slot, and its record."""
    html = root / relative
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(
        f'<!DOCTYPE html><html lang="{lang}"><body><nav class="kpi-site-nav">{page.NAV_START}{page.NAV_END}'
        f"</nav><main><h1>{kind} {period}</h1></main></body></html>",
        encoding="utf-8",
    )
    figures = (KeyFigure(key="sales_volume", label="Sales volume", text="1,234", value=1234.0),)
    record = ReportRecord.create(
        kind=kind,
        period=kt.parse_period(period),
        title=extra.pop("title", f"{kind} report {period}"),
        lang=lang,
        team=team,
        key_figures=extra.pop("key_figures", figures),
        data_fingerprint="sha256:" + "ab" * 32,
        data_as_of=pd.Timestamp("2026-09-30"),
        parameters={"period": period},
        rendered_at=extra.pop("rendered_at", RENDERED),
        **extra,
    )
    write_record(record, html)
    return html


def _nav(html: Path) -> dict[str, str]:
    """The navigation bar's links of a report: rel or language -> target, resolved to a path."""
    text = html.read_text(encoding="utf-8")
    nav = text[text.index(page.NAV_START) : text.index(page.NAV_END)]
    links = {}
    for attributes, label in re.findall(r"<a ([^>]*)>([^<]*)</a>", nav):
        href = re.search(r'href="([^"]*)"', attributes).group(1)
        rel = re.search(r'(?:rel|hreflang|data-related)="([^"]*)"', attributes)
        links[rel.group(1) if rel else "index"] = (html.parent / href).resolve()
        assert label.strip()
    return links


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "reports"
    _report(root, "2026Q2/quarterly.html", period="2026Q2")
    _report(root, "2026Q3/quarterly.html")
    _report(root, "2026Q3/quarterly.ru.html", lang="ru", title="Квартальный отчёт о продажах, 3 кв. 2026")
    _report(root, "2026Q3/quarterly_north.html", team="North")
    _report(root, "2026Q3/comparison.html", kind="comparison")
    _report(root, "2026-07/card.html", kind="card", period="2026-07")
    return root


def test_record_round_trip(tmp_path):
    html = _report(tmp_path, "2026Q3/quarterly_north.ru.html", lang="ru", team="North")
    assert sidecar_path(html).name == "quarterly_north.ru.report.json"
    ((path, record),) = read_records(tmp_path)[0]
    assert path == sidecar_path(html)
    assert (record.kind, record.period, record.team, record.lang, record.file) == (
        "quarterly",
        "2026Q3",
        "North",
        "ru",
        "quarterly_north.ru.html",
    )
    assert (record.previous_period, record.next_period, record.period_start) == (
        "2026Q2",
        "2026Q4",
        "2026-07-01",
    )
    assert record.key_figures[0] == KeyFigure(
        key="sales_volume", label="Sales volume", text="1,234", value=1234.0
    )
    assert record.rendered_at == "2026-11-26T10:00:00Z" and record.toolkit_version == kt.__version__
    assert ReportRecord.from_json(record.to_json()) == record


def test_index_lists_every_report_by_period_with_kind_team_and_key_figures(site):
    result = build_site(site)
    assert result.index == site.resolve() / INDEX_NAME and result.reports == 6 and result.problems == []
    index = result.index.read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", index)
    assert headings == ["2026Q3", "2026-07", "2026Q2"]  # newest period first
    q3 = index[index.index("<h2>2026Q3</h2>") : index.index("<h2>2026-07</h2>")]
    links = re.findall(r'<a href="([^"]+)" hreflang="(\w+)">', q3)
    # quarterly (all teams, then North; English, then Russian) before comparison
    assert links == [
        ("2026Q3/quarterly.html", "en"),
        ("2026Q3/quarterly.ru.html", "ru"),
        ("2026Q3/quarterly_north.html", "en"),
        ("2026Q3/comparison.html", "en"),
    ]
    for href, _ in links:
        assert (site / href).is_file()
    for text in ("Quarterly report", "Manager comparison", "KPI card and bonuses", "North", "all teams",
                 "Русский", "Sales volume", "1,234", "2026-09-30", "abababababab"):  # fmt: skip
        assert text in index
    assert index.count("<script>") == 1 and f"<script>{page.script()}</script>" in index


def test_reports_link_back_to_the_index_and_to_neighbouring_periods(site):
    build_site(site)
    index = (site / INDEX_NAME).resolve()
    q2, q3 = _nav(site / "2026Q2/quarterly.html"), _nav(site / "2026Q3/quarterly.html")
    assert q2 == {"index": index, "next": (site / "2026Q3/quarterly.html").resolve()}
    assert q3 == {
        "index": index,
        "prev": (site / "2026Q2/quarterly.html").resolve(),
        "ru": (site / "2026Q3/quarterly.ru.html").resolve(),
        "comparison": (site / "2026Q3/comparison.html").resolve(),  # the reports of the period, linked
    }
    # no Russian 2026Q2 and no North 2026Q2: no link to a report that does not exist; the Russian report
    # links to the Russian index, and to no English comparison
    assert _nav(site / "2026Q3/quarterly.ru.html") == {
        "index": (site / "index.ru.html").resolve(),
        "en": (site / "2026Q3/quarterly.html").resolve(),
    }
    assert _nav(site / "2026Q3/quarterly_north.html") == {"index": index}
    ru = (site / "2026Q3/quarterly.ru.html").read_text(encoding="utf-8")
    assert ">Все отчёты</a>" in ru and 'hreflang="en" lang="en"' in ru


def test_rebuilding_is_idempotent_and_links_earlier_reports_to_later_ones(site):
    first = build_site(site)
    assert len(first.updated) == 6
    before = {p: p.read_bytes() for p in site.rglob("*.html")}
    assert build_site(site).updated == []
    assert {p: p.read_bytes() for p in site.rglob("*.html")} == before
    _report(site, "2026Q4/quarterly.html", period="2026Q4")
    again = build_site(site)
    assert set(again.updated) == {
        site.resolve() / "2026Q3/quarterly.html",
        site.resolve() / "2026Q4/quarterly.html",
    }
    assert _nav(site / "2026Q3/quarterly.html")["next"] == (site / "2026Q4/quarterly.html").resolve()


def test_a_rerendered_report_replaces_its_older_self(site):
    _report(site, "copy/2026Q2/quarterly.html", period="2026Q2", rendered_at=RENDERED + pd.Timedelta(hours=1))
    build_site(site)
    assert _nav(site / "2026Q3/quarterly.html")["prev"] == (site / "copy/2026Q2/quarterly.html").resolve()


def test_hostile_text_in_records_stays_text(tmp_path):
    figures = (KeyFigure(key="x", label=HOSTILE, text=HOSTILE_IMG),)
    _report(
        tmp_path, "2026Q3/quarterly_x.html", team=HOSTILE_IMG, title=f"Report {HOSTILE}", key_figures=figures
    )
    _report(tmp_path, "2026Q3/failed.html", kind="comparison", status="failed", error=HOSTILE)
    (tmp_path / "2026Q3/failed.html").unlink()  # a failed render leaves no report, only its record
    index = build_site(tmp_path).index.read_text(encoding="utf-8")
    assert HOSTILE not in index and HOSTILE_IMG not in index
    assert "Report &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert "&lt;img src=x onerror=alert(1)&gt;" in index
    assert "Failed: &lt;script&gt;alert(1)&lt;/script&gt;" in index
    assert re.findall(r"<script[^>]*>", index) == ["<script>"]
    assert 'href="2026Q3/failed.html"' not in index


def test_bad_records_are_left_out_and_named(site):
    (site / "2026Q3" / "broken.report.json").write_text("{not json", encoding="utf-8")
    (site / "2026Q3" / "other.report.json").write_text(json.dumps({"kind": "x"}), encoding="utf-8")
    escape = _report(site, "2026Q1/quarterly.html", period="2026Q1")
    record = json.loads(sidecar_path(escape).read_text(encoding="utf-8"))
    sidecar_path(escape).write_text(json.dumps({**record, "file": "../../outside.html"}), encoding="utf-8")
    gone = _report(site, "2025Q4/quarterly.html", period="2025Q4")
    gone.unlink()
    undated = _report(site, "2025Q3/quarterly.html", period="2025Q3")
    record = json.loads(sidecar_path(undated).read_text(encoding="utf-8"))
    sidecar_path(undated).write_text(json.dumps({**record, "data_as_of": "yesterday"}), encoding="utf-8")
    result = build_site(site)
    assert result.reports == 6
    assert sorted(p.split(" ")[0] for p in result.problems) == [
        "2025Q3/quarterly.report.json",
        "2025Q4/quarterly.report.json",
        "2026Q1/quarterly.report.json",
        "2026Q3/broken.report.json",
        "2026Q3/other.report.json",
    ]
    assert "could not be read and are left out" in result.index.read_text(encoding="utf-8")


def test_concurrent_renders_lose_no_report(tmp_path):
    periods = [f"{year}Q{q}" for year in (2025, 2026) for q in (1, 2, 3, 4)]

    def render(period: str) -> None:
        _report(tmp_path, f"{period}/quarterly.html", period=period)
        build_site(tmp_path)

    threads = [threading.Thread(target=render, args=(p,)) for p in periods]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    index = (tmp_path / INDEX_NAME).read_text(encoding="utf-8")
    assert all(f'href="{p}/quarterly.html"' in index for p in periods)
    assert _nav(tmp_path / "2025Q4/quarterly.html").keys() == {"index", "prev", "next"}


def test_an_empty_folder_gets_an_index_that_says_how_to_make_a_report(tmp_path):
    index = build_site(tmp_path, lang="ru").index.read_text(encoding="utf-8")
    assert '<html lang="ru">' in index and "Отчётов пока нет" in index and "kpi-report quarterly" in index


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the folder lock is POSIX-only")
def test_a_rebuild_waits_for_one_in_progress(tmp_path):
    from kpi_toolkit.report import site as site_module

    done = threading.Event()
    with site_module._locked(tmp_path):
        worker = threading.Thread(target=lambda: (build_site(tmp_path), done.set()))
        worker.start()
        assert not done.wait(0.5), "build_site did not wait for the lock"
    assert done.wait(10)
    worker.join()


def test_reports_link_to_the_reports_that_answer_the_next_question(tmp_path):
    """Quarterly -> comparison (of its year too), plan gap, card, per-manager reports; per-manager -> their
    own plan gap (else the team's) and the card; all in the report's language (issue 20, item 10)."""
    root = tmp_path / "reports"
    for lang in ("en", "ru"):
        part = "" if lang == "en" else ".ru"
        _report(root, f"2026Q3/quarterly{part}.html", lang=lang)
        _report(root, f"2026/manager_comparison{part}.html", kind="comparison", period="2026", lang=lang,
                subject="conversion")  # fmt: skip
        _report(root, f"2026Q3/plan_gap{part}.html", kind="plan_gap", lang=lang)
        _report(root, f"2026Q3/card{part}.html", kind="card", lang=lang)
        for manager in ("M01", "M02"):
            _report(root, f"2026Q3/managers/{manager.lower()}{part}.html", kind="manager", lang=lang,
                    team="North", subject=manager)  # fmt: skip
    _report(root, "2026Q3/plan_gap_m01.ru.html", kind="plan_gap", lang="ru", subject="M01")
    build_site(root, lang="en")
    q3 = _nav(root / "2026Q3/quarterly.ru.html")
    assert q3["comparison"] == (root / "2026/manager_comparison.ru.html").resolve()
    assert q3["plan_gap"] == (root / "2026Q3/plan_gap.ru.html").resolve()
    assert q3["card"] == (root / "2026Q3/card.ru.html").resolve()
    assert q3["manager"] == (root / "index.ru.html#p-2026Q3").resolve()  # the period's row of the index
    text = (root / "2026Q3/quarterly.ru.html").read_text(encoding="utf-8")
    assert "Сравнение менеджеров: Конверсия" in text and "2 отчёта по менеджерам" in text
    assert "index.ru.html#p-2026Q3" in text and "kpi-report" not in text
    own, other = _nav(root / "2026Q3/managers/m01.ru.html"), _nav(root / "2026Q3/managers/m02.ru.html")
    assert own["plan_gap"] == (root / "2026Q3/plan_gap_m01.ru.html").resolve()  # their own gap
    assert other["plan_gap"] == (root / "2026Q3/plan_gap.ru.html").resolve()  # else the team's
    # that gap covers all teams (no team in its record): its label says so, not "the team's"
    other_text = (root / "2026Q3/managers/m02.ru.html").read_text(encoding="utf-8")
    assert "Разрыв с планом по всем командам" in other_text and "Разрыв с планом команды" not in other_text
    assert "Разрыв с планом этого менеджера" in (root / "2026Q3/managers/m01.ru.html").read_text(
        encoding="utf-8"
    )
    assert own["card"] == other["card"] == (root / "2026Q3/card.ru.html").resolve()
    assert _nav(root / "2026Q3/managers/m01.html")["plan_gap"] == (root / "2026Q3/plan_gap.html").resolve()


def test_an_index_per_language_whatever_ran_last(tmp_path):
    root = tmp_path / "reports"
    _report(root, "2026Q3/quarterly.html")
    _report(root, "2026Q3/quarterly.ru.html", lang="ru", title="Квартальный отчёт о продажах, 3 кв. 2026")
    build_site(root)  # as every command does now, in whichever language it rendered
    english = (root / "index.html").read_text(encoding="utf-8")
    russian = (root / "index.ru.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in english and '<html lang="ru">' in russian
    assert 'href="index.ru.html" hreflang="ru"' in english and 'href="index.html" hreflang="en"' in russian
    assert (
        "Отчёты по KPI продаж" in russian and "quarterly.ru.html" in russian and "quarterly.html" in russian
    )
    only_english = tmp_path / "en"
    _report(only_english, "2026Q3/quarterly.html")
    build_site(only_english)
    assert not (only_english / "index.ru.html").exists()


def test_the_quarterly_body_links_its_related_reports_in_a_site_and_names_commands_alone(tmp_path):
    """The quarterly report's paragraph of related reports (issue 20, item 10): the commands when it is
    alone in its folder, links in its language once the reports are there."""
    root = tmp_path / "reports"
    html = _report(root, "2026Q3/quarterly.ru.html", lang="ru")
    fallback = "Отчёт построен отдельно: kpi-report plan-gap --data DIR --period 2026Q3"
    text = html.read_text(encoding="utf-8").replace("</main>", body_links(fallback) + "</main>")
    html.write_text(text, encoding="utf-8")
    build_site(root)
    alone = html.read_text(encoding="utf-8")
    assert f">{fallback}</p>" in alone and "data-related" not in alone.split("<main>")[1]
    _report(root, "2026Q3/plan_gap.ru.html", kind="plan_gap", lang="ru")
    _report(root, "2026Q3/card.ru.html", kind="card", lang="ru")
    _report(root, "2026Q3/card.html", kind="card", lang="en")  # another language: not linked
    build_site(root)
    body = html.read_text(encoding="utf-8").split("<main>")[1]
    assert 'В этом наборе отчётов: <a href="plan_gap.ru.html" data-related="plan_gap">' in body
    assert 'href="card.ru.html" data-related="card"' in body and 'href="card.html"' not in body
    assert "kpi-report" not in re.sub(r'data-fallback="[^"]*"', "", body)  # the command only when alone
    build_site(root)  # idempotent
    assert html.read_text(encoding="utf-8").split("<main>")[1] == body
