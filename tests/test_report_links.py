"""Words of a report's body that name another report (issue 20, item 10): links to that report in the same
language when a site holds it, plain words (or the commands that make it) when the report is alone. The
quarterly report's pointers to the manager comparison and the plan gap, the per-manager report's related
reports."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.report import manager_views, page
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.manager import manager_report, team_of
from kpi_toolkit.report.quarterly import quarterly_report
from kpi_toolkit.report.site import ReportRecord, build_site, write_record
from kpi_toolkit.report.site_links import link_words, report_ref, set_body_links
from tests.conftest import HOSTILE_NAME, copy_reports

PERIOD = "2026Q3"
ANCHOR = re.compile(r'<a class="kpi-ref" data-period="[^"]*" data-ref="([^"]*)" href="([^"]*)">([^<]*)</a>')
RELATED = re.compile(r'<a href="([^"]*)" data-related="([^"]*)">([^<]*)</a>')


def _stub(root: Path, relative: str, *, kind: str, period: str, lang: str, body: str = "", **extra) -> Path:
    """A rendered report as the site sees it: a page with an empty navigation slot, ``body`` in its main
    part, and its record."""
    html = root / relative
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(
        f'<!DOCTYPE html><html lang="{lang}"><body><nav class="kpi-site-nav">{page.NAV_START}{page.NAV_END}'
        f"</nav><main><h1>{kind} {period}</h1>{body}</main></body></html>",
        encoding="utf-8",
    )
    record = ReportRecord.create(
        kind=kind,
        period=kt.parse_period(period),
        title=f"{kind} {period}",
        lang=lang,
        key_figures=(),
        data_fingerprint="sha256:" + "ab" * 32,
        data_as_of=pd.Timestamp("2026-09-30"),
        parameters={"period": period, **extra.pop("parameters", {})},
        rendered_at=pd.Timestamp("2026-11-26 10:00", tz="UTC"),
        **extra,
    )
    write_record(record, html)
    return html


def _main(html: Path) -> str:
    text = html.read_text(encoding="utf-8")
    return text[text.index("<main") :]


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_words_that_name_a_report_stand_in_their_sentences(lang):
    """The quarterly's links mark these words inside the sentences of the comparison and plan-gap sections:
    a rewording of either must keep them (else the words would silently stay unlinked)."""
    tr = translator(lang)
    pointer = tr.t("comparison.quarterly.pointer", period=tr.period(kt.parse_period("2026")))
    assert tr.t("report_links.refs.comparison") in pointer
    assert tr.t("report_links.refs.plan_gap") in tr.t("plan_gap.why.more")


def test_report_words_link_to_the_report_of_their_kind_and_period_and_back():
    words = report_ref(HOSTILE_NAME, "comparison", "2026")  # words are escaped, whatever they hold
    assert HOSTILE_NAME not in words and "&lt;" in words
    body = f"<p>{words}</p><p>{report_ref('the plan gap', 'plan_gap')}</p>"
    related = [
        {"href": "../2026Q3/comparison.html", "label": "C", "kind": "comparison", "period": "2026Q3"},
        {"href": "../2026/comparison.html", "label": "C", "kind": "comparison", "period": "2026"},
    ]
    linked = set_body_links(body, related, translator("en"))
    (anchor,) = ANCHOR.findall(linked)
    assert anchor[:2] == ("comparison", "../2026/comparison.html")  # the year's, as the words say
    assert 'data-period="" data-ref="plan_gap">the plan gap</span>' in linked  # none in the site: words
    assert set_body_links(linked, [], translator("en")) == body  # the site is rebuilt: back to words
    assert set_body_links(linked, related, translator("en")) == linked  # idempotent
    # a sentence the fragment does not hold, or words the sentence does not hold: nothing marked
    assert link_words("<p>Other.</p>", "A report.", "report", kind="plan_gap") == "<p>Other.</p>"
    assert link_words("<p>A report.</p>", "A report.", "the gap", kind="plan_gap") == "<p>A report.</p>"


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_quarterly_body_links_the_comparison_and_the_plan_gap_in_a_site(
    demo_site, demo_first_screens, tmp_path, lang
):
    """The demo's quarterly page alone names the two reports in plain words; copied into a folder with the
    plan gap of its period and the comparison of its year (in both languages), the same words link to those
    pages in its own language, and every link resolves to a file."""
    suffix = "" if lang == "en" else ".ru"
    quarterly = f"{PERIOD}/quarterly{suffix}.html"
    alone = _main(demo_site / quarterly)
    assert 'class="kpi-ref"' in alone and not ANCHOR.search(alone)
    tr = translator(lang)
    for key in ("comparison", "plan_gap"):
        assert f'">{tr.t(f"report_links.refs.{key}")}</span>' in alone
    root = tmp_path / "reports"
    copy_reports(demo_site, root, [quarterly])
    copy_reports(demo_first_screens, root, [f"{PERIOD}/plan_gap.html", f"{PERIOD}/plan_gap.ru.html"])
    for other in ("", ".ru"):
        _stub(root, f"2026/manager_comparison{other}.html", kind="comparison", period="2026",
              lang="en" if not other else "ru")  # fmt: skip
    _stub(root, f"{PERIOD}/manager_comparison.html", kind="comparison", period=PERIOD, lang=lang)
    build_site(root)
    page_path = root / quarterly
    body = _main(page_path)
    anchors = {kind: (href, words) for kind, href, words in ANCHOR.findall(body)}
    assert anchors == {
        "comparison": (f"../2026/manager_comparison{suffix}.html", tr.t("report_links.refs.comparison")),
        "plan_gap": (f"plan_gap{suffix}.html", tr.t("report_links.refs.plan_gap")),
    }
    for href, _ in anchors.values():
        assert (page_path.parent / href).resolve().is_file()
    for href, _, _ in RELATED.findall(body):  # the "Related reports" paragraph too
        assert (page_path.parent / href.split("#")[0]).resolve().is_file()
    build_site(root)  # idempotent
    assert _main(page_path) == body


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_manager_body_names_its_related_reports_alone_and_links_them_in_a_site(demo, tmp_path, lang):
    """The per-manager report's "Related reports": alone, a sentence naming their plan gap and the card's
    bonuses; in a site, links to the plan gap about them (not the team's, nor another manager's) and to the
    card, in its language."""
    tr = translator(lang)
    q = quarterly_report(demo, period=PERIOD, team=team_of(demo, "M10"))
    fragment = manager_views.related_reports(manager_report(q, manager="M10"), tr)
    assert tr.t("report_links.heading") in fragment
    alone = tr.t("report_links.manager_alone", name="James Carter", period=tr.period(kt.parse_period(PERIOD)))
    assert alone in fragment and "kpi-report" not in fragment  # words for its reader, no command
    suffix = "" if lang == "en" else ".ru"
    root = tmp_path / "reports"
    # as the commands write them: the per-manager report's subject is "Name (id)", the plan gap's the id
    mine = {"manager": "M10"}
    manager_page = _stub(root, f"{PERIOD}/managers/m10{suffix}.html", kind="manager", period=PERIOD,
                         lang=lang, body=str(fragment), subject="James Carter (M10)", team="South",
                         parameters=mine)  # fmt: skip
    build_site(root)
    assert alone in _main(manager_page) and not RELATED.search(_main(manager_page))
    _stub(root, f"{PERIOD}/plan_gap{suffix}.html", kind="plan_gap", period=PERIOD, lang=lang)
    _stub(root, f"{PERIOD}/plan_gap_m10{suffix}.html", kind="plan_gap", period=PERIOD, lang=lang,
          subject="M10", parameters=mine)  # fmt: skip
    _stub(root, f"{PERIOD}/plan_gap_m03{suffix}.html", kind="plan_gap", period=PERIOD, lang=lang,
          subject="M03", parameters={"manager": "M03"})  # another manager's: not linked  # fmt: skip
    _stub(root, f"{PERIOD}/card{suffix}.html", kind="card", period=PERIOD, lang=lang)
    _stub(root, f"{PERIOD}/card{'.ru' if lang == 'en' else ''}.html", kind="card", period=PERIOD,
          lang="ru" if lang == "en" else "en")  # another language: not linked  # fmt: skip
    build_site(root)
    body = _main(manager_page)
    links = RELATED.findall(body)
    assert [(href, kind) for href, kind, _ in links] == [
        (f"../plan_gap_m10{suffix}.html", "plan_gap"),
        (f"../card{suffix}.html", "card"),
    ]
    assert [label for _, _, label in links] == [tr.t("site_links.own_gap"), tr.t("site_links.bonus")]
    assert body.count(tr.t("report_links.linked")) == 1
    for href, _, _ in links:
        assert (manager_page.parent / href).resolve().is_file()
    assert alone not in re.sub(r'data-fallback="[^"]*"', "", body)  # the words only alone
