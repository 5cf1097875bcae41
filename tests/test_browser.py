"""The reports and their site in a real browser: Debian's chromium driven by Playwright, the network blocked.

One session renders a small site with the CLI (the demo company's 2026Q3 report in English and Russian,
its 2026Q2 report, and a team report of hostile names) and opens each page from disk. Every request that is
not for a local file is aborted and counted. Screenshots (a phone and a desktop) and an A4 PDF of each report
are kept in ``tests/artifacts/``. Where no chromium exists the browser tests skip, saying so; the checks of
the files themselves run anyway.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import HOSTILE_NAME, HOSTILE_TEAM, render_all

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("KPI_TOOLKIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1200, "height": 900}
#: The CSS width of an A4 page's printable area (210 mm less 2 x 15 mm margins, at 96 px per inch).
A4_CONTENT_PX = 680
MAX_BYTES = 2 * 1024 * 1024

REPORTS = {
    "quarterly-en": "2026Q3/quarterly.html",
    "quarterly-ru": "2026Q3/quarterly.ru.html",
    "quarterly-2026Q2-en": "2026Q2/quarterly.html",
    "quarterly-hostile": "2026Q3/quarterly_img-src-x-onerror-alert-1.html",
}


@pytest.fixture(scope="session")
def site(demo_site: Path) -> Path:
    """The rendered site (:func:`tests.conftest.demo_site`, shared with tests/test_russian_words.py)."""
    return demo_site


# -- the files ---------------------------------------------------------------------------------------------


def test_the_site_lists_every_report(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for relative in REPORTS.values():
        assert (site / relative).is_file()
        assert f'href="{relative}"' in index


def test_demo_report_is_small_and_self_contained(site):
    for name in ("quarterly-en", "quarterly-ru"):
        path = site / REPORTS[name]
        assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes"
        html = path.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
        assert "<link" not in html and "@import" not in html and "url(" not in html


# -- in the browser ----------------------------------------------------------------------------------------


@dataclass
class Watch:
    """What a page did that it must not: console errors, page errors, network requests, dialogs."""

    errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.blocked == [], f"{len(self.blocked)} request(s) to the network: {self.blocked}"
        assert self.failed == [], self.failed
        assert self.dialogs == [], self.dialogs


@pytest.fixture(scope="module")  # not "session": a live sync Playwright is a running event loop, and the
def browser() -> Iterator[object]:  # next file on this worker (the batch tests) needs asyncio.run()
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"no chromium at {CHROMIUM} (install Debian's chromium: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser):
    """Open a file of the site in a fresh page with the network blocked; returns (page, watch)."""
    contexts = []

    def _open(path: Path, *, viewport: dict[str, int] = PHONE):
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        watch = Watch()

        def route(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                watch.blocked.append(route.request.url)
                route.abort()

        page.route("**/*", route)
        page.on("console", lambda m: watch.errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: watch.errors.append(str(e)))
        page.on("requestfailed", lambda r: watch.failed.append(r.url))
        page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
        page.goto(path.resolve().as_uri(), wait_until="load")
        return page, watch

    yield _open
    for context in contexts:
        context.close()


@pytest.mark.parametrize("name", list(REPORTS))
def test_report_opens_offline_cleanly_and_fits_a_phone(site, open_page, name):
    page, watch = open_page(site / REPORTS[name])
    figures = page.evaluate(
        "Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.getAttribute('alt')])"
    )
    assert len(figures) >= 3 and all(loaded and (alt or "").strip() for loaded, alt in figures), figures
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1] == PHONE["width"], f"the page scrolls sideways on a phone: {width}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=ARTIFACTS / f"{name}-desktop.png", full_page=True)
    watch.assert_clean()


@pytest.mark.parametrize(
    ("name", "managers"), [("quarterly-en", 15), ("quarterly-ru", 15), ("quarterly-hostile", 2)]
)
def test_kpi_table_has_a_row_per_manager(site, open_page, name, managers):
    page, watch = open_page(site / REPORTS[name])
    table = page.locator("table.sortable").first
    assert table.locator("tbody tr").count() == managers
    assert table.locator("tfoot tr").count() == 1
    watch.assert_clean()


def test_hostile_names_stay_text(site, open_page):
    for path in (site / REPORTS["quarterly-hostile"], site / "index.html"):
        page, watch = open_page(path)
        assert page.evaluate("document.scripts.length") == 1  # the toolkit's sorter, nothing injected
        assert page.locator("img[src='x']").count() == 0
        text = page.inner_text("body")
        assert HOSTILE_TEAM in text
        if path.name != "index.html":
            assert HOSTILE_NAME in text and HOSTILE_TEAM in page.title()
            alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
            assert any(HOSTILE_NAME in a for a in alts)
        page.wait_for_timeout(100)
        watch.assert_clean()  # no dialog: alert(1) never ran


def test_tables_sort_in_the_browser(site, open_page):
    page, watch = open_page(site / REPORTS["quarterly-en"], viewport=DESKTOP)
    table = page.locator("table.sortable").first
    header = table.locator("thead th").nth(2)  # sales volume
    column = "Array.from(t.tBodies[0].rows).map(r => parseFloat(r.cells[2].dataset.sort))"
    before = table.evaluate(f"t => {column}")
    header.locator("button").click()
    ascending = table.evaluate(f"t => {column}")
    assert ascending == sorted(before) and header.get_attribute("aria-sort") == "ascending"
    header.locator("button").click()
    assert table.evaluate(f"t => {column}") == sorted(before, reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    table.locator("thead th").first.locator("button").click()  # names, alphabetically
    names = table.evaluate("t => Array.from(t.tBodies[0].rows).map(r => r.cells[0].textContent)")
    assert names == sorted(names)
    assert table.locator("tfoot td").first.inner_text() == "Total"  # the total never moves
    watch.assert_clean()


@pytest.mark.parametrize("name", ["quarterly-en", "quarterly-ru"])
def test_report_prints_to_a4(site, open_page, name):
    page, watch = open_page(site / REPORTS[name], viewport={"width": A4_CONTENT_PX, "height": 1000})
    page.emulate_media(media="print")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= A4_CONTENT_PX, f"printed on A4 the report is {width} px wide"
    assert page.locator("nav.kpi-site-nav").first.is_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    # 9 pages for the demo's 2026Q3 since net sales and margin, team changes and related reports joined it
    assert 2 <= pages <= 10, pages
    (ARTIFACTS / f"{name}.pdf").write_bytes(pdf)
    watch.assert_clean()


def test_site_navigation_in_the_browser(site, open_page):
    page, watch = open_page(site / "index.html")
    hrefs = page.evaluate(
        "Array.from(document.querySelectorAll('main td a')).map(a => a.getAttribute('href'))"
    )
    assert sorted(hrefs) == sorted(REPORTS.values())
    page.screenshot(path=ARTIFACTS / "index-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click(f"a[href='{REPORTS['quarterly-en']}']")
    assert page.url.endswith(REPORTS["quarterly-en"])
    page.click("nav a[rel=prev]")
    assert page.url.endswith(REPORTS["quarterly-2026Q2-en"])
    page.click("nav a[rel=next]")
    assert page.url.endswith(REPORTS["quarterly-en"])
    page.click("nav a[hreflang=ru]")
    assert page.url.endswith(REPORTS["quarterly-ru"]) and page.locator("html").get_attribute("lang") == "ru"
    assert page.locator("nav a[rel=prev]").count() == 0  # no Russian 2026Q2 was rendered
    page.click("nav a >> nth=0")  # the index in the report's language
    assert page.url.endswith("/index.ru.html") and page.locator("html").get_attribute("lang") == "ru"
    page.click("main p.lang a[hreflang=en]")
    assert page.url.endswith("/index.html") and page.locator("html").get_attribute("lang") == "en"
    watch.assert_clean()


#: What a figure's smallest text is, in the units of its view box, and how wide that box is.
_SVG_FONT = re.compile(r"font-size:\s*([\d.]+)px")
_SVG_BOX = re.compile(r'viewBox="[\d.\-]+ [\d.\-]+ ([\d.]+) [\d.]+"')


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["375", "1280"])
@pytest.mark.parametrize("name", ["quarterly-en", "quarterly-ru"])
def test_figure_text_and_wide_tables_read_on_a_phone(site, open_page, name, viewport):
    """Every figure is an SVG whose smallest text renders at least MIN_FONT_PX high; a table wider than its
    box keeps its first column in view; the page itself never scrolls sideways."""
    from kpi_toolkit.report.html import MIN_FONT_PX

    page, watch = open_page(site / REPORTS[name], viewport=viewport)
    images = page.evaluate("Array.from(document.images).map(i => [i.getAttribute('src'), i.clientWidth])")
    assert len(images) >= 3
    smallest = []
    for src, width in images:
        assert src.startswith("data:image/svg+xml;base64,"), src[:40]
        svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
        assert "<text" in svg and "<path" in svg  # text is text, not outlines
        box = float(_SVG_BOX.search(svg).group(1))
        smallest.append(min(float(s) for s in _SVG_FONT.findall(svg)) * width / box)
    assert min(smallest) >= MIN_FONT_PX - 0.05, [round(s, 1) for s in smallest]
    wide = page.evaluate(
        """Array.from(document.querySelectorAll('.kpi-table-wrap'))
             .filter(w => w.scrollWidth > w.clientWidth + 1)
             .map(w => getComputedStyle(w.querySelector('tbody td')).position)"""
    )
    assert all(p == "sticky" for p in wide), wide
    if viewport == PHONE:
        assert wide, "no table is wider than a phone: the check above checked nothing"
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    watch.assert_clean()


@pytest.mark.parametrize("name", ["quarterly-en", "quarterly-ru"])
def test_first_screen_says_who_is_behind_plan_with_the_alerts(site, open_page, name):
    page, watch = open_page(site / REPORTS[name])
    tops = page.evaluate(
        """[document.querySelector('h2').textContent,
            document.querySelector('h2').getBoundingClientRect().top,
            document.querySelector('aside.kpi-note').getBoundingClientRect().top,
            document.querySelector('table').getBoundingClientRect().top]"""
    )
    heading, behind, alerts, first_table = tops
    assert heading in ("Who is behind plan", "Кто не выполняет план")
    assert behind < PHONE["height"] / 2  # on the first screen of a phone
    assert alerts < first_table and alerts < 2 * PHONE["height"], tops
    watch.assert_clean()


# -- the first screens of the plan-gap, card and showcase reports (issue 20) --------------------------------

#: Each report kind's first-screen heading (en, ru), and a phrase of its answer that must be on that screen.
FIRST_SCREENS = {
    "plan_gap": (("The gap", "Разрыв с планом"), ("cost the most", "Больше всего потеряно")),
    "card": (("Who is paid what", "Кому сколько"), ("To pay:", "К выплате всего")),
    "showcase": (("What to teach, in brief", "Коротко: чему учить"), ("Teach", "Учить")),
}


@pytest.fixture(scope="session")
def first_screen_site(demo_first_screens: Path) -> Path:
    """:func:`tests.conftest.demo_first_screens`, shared with tests/test_russian_words.py."""
    return demo_first_screens


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("kind", list(FIRST_SCREENS))
def test_first_screen_answers_the_readers_question_with_the_alerts(first_screen_site, open_page, kind, lang):
    """At 375 px the first screen (812 px) holds the answer (its heading and its words) and the alerts."""
    (headings, phrases), i = FIRST_SCREENS[kind], ("en", "ru").index(lang)
    page, watch = open_page(first_screen_site / "2026Q3" / f"{kind}{'' if lang == 'en' else '.ru'}.html")
    heading, answer_top, answer, alerts_top = page.evaluate(
        """(() => { const h = document.querySelector('h2');
                    const p = h.nextElementSibling;
                    const a = document.querySelector('aside.kpi-note');
                    return [h.textContent, h.getBoundingClientRect().top, p.textContent,
                            a ? a.getBoundingClientRect().top : null]; })()"""
    )
    assert heading == headings[i]
    assert answer_top < PHONE["height"] / 2 and phrases[i] in answer, (answer_top, answer)
    assert alerts_top is not None and alerts_top < PHONE["height"], alerts_top
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"first-{kind}-{lang}-phone.png")
    watch.assert_clean()


# -- the manager comparison: every KPI on one page, its tables within their box (issue 20, item 9) ----------


@pytest.fixture(scope="session")
def comparison_site(demo_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("comparison") / "reports"
    runs = [
        ["compare", "--data", str(demo_folder), "--out", str(out), "--period", "2026"],
        ["compare", "--data", str(demo_folder), "--out", str(out), "--period", "2026", "--lang", "ru",
         "--currency", "RUB"],
    ]  # fmt: skip
    render_all(runs)
    return out


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 900}], ids=["375", "1280"])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_comparison_tables_fit_their_box_at_1280_and_scroll_with_their_names_at_375(
    comparison_site, open_page, lang, viewport
):
    """At 1280 px no table of the comparison page is wider than its box (the verdict tables were up to
    529 px wider, their Test and Note columns cut off); at 375 px a wider one scrolls inside its box with its
    first column in view, and the page itself never scrolls sideways."""
    page, watch = open_page(
        comparison_site / "2026" / f"manager_comparison{'' if lang == 'en' else '.ru'}.html",
        viewport=viewport,
    )
    tables = page.evaluate(
        """Array.from(document.querySelectorAll('.kpi-table-wrap')).map(w =>
             [w.querySelector('caption').textContent, w.scrollWidth - w.clientWidth,
              getComputedStyle(w.querySelector('tbody td')).position])"""
    )
    assert (
        len(tables) >= 8
    )  # the global tests, a verdict table per KPI (3), funnel, ranking, amounts, provenance
    if viewport == PHONE:
        assert any(over > 1 for _, over, _ in tables)  # the check below checks something
        assert all(sticky == "sticky" for _, over, sticky in tables if over > 1), tables
    else:
        assert [(caption, over) for caption, over, _ in tables if over > 1] == []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"
    watch.assert_clean()
