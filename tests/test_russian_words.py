"""Every report kind rendered in Russian from the demo data shows no English word (issue 20, item 6).

Each page is read as its reader sees it: the text, the figures' alternative text and the text inside the SVG
figures. What is left in Latin letters must be a name from the data (managers, teams, the KPI card's own
text), a file name, a path or fingerprint of the provenance, or one of the few documented abbreviations
below. Anything else is English left on a Russian page.
"""

from __future__ import annotations

import base64
import html as htmllib
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from kpi_toolkit.report.i18n import LANGUAGES
from kpi_toolkit.report.render import notebook_path, render_notebook
from tests.conftest import CARD, copy_reports, render_all

pytestmark = pytest.mark.slow

#: The Latin words a Russian report may show that are not data: abbreviations a Russian sales director
#: reads as they are (KPI, CRM, UTC), the toolkit's name, the hash of the fingerprints, the method and
#: software the statistics cite (LMDI, R) and the authors cited. Single letters are statistical symbols
#: (p, t, F, g, h) or the letters of pseudonyms (Менеджер A). A link to a page in another language names
#: that language in its own words ("English").
ALLOWED = {
    "KPI",
    "CRM",
    "UTC",
    "kpi-toolkit",
    "sha",
    "LMDI-I",
    "LMDI",
    "R",
    "Ang",
    "Barnett",
    *LANGUAGES.values(),
}
#: A file name (manager_tests.csv, bonuses.ru.xlsx), a fingerprint (sha256:3f...), a path (/tmp/...).
_FILE = re.compile(r"[\w.-]+\.(csv|xlsx|html|json|yml|yaml)\b")
_FINGERPRINT = re.compile(r"sha256:[0-9a-f]+")
_PATH = re.compile(r"(?<![\w.])/[^\s<>\"']+")
_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z_-]*(?![\w])")

PAGES = {
    "quarterly": "2026Q3/quarterly.ru.html",
    "card": "2026Q3/card.ru.html",
    "comparison": "2026/manager_comparison.ru.html",
    "plan_gap": "2026Q3/plan_gap.ru.html",
    "showcase": "2026Q3/showcase.ru.html",
    "manager": "2026Q3/managers/m12.ru.html",
    "index": "index.ru.html",  # index.html is the site's default language, English
}


@pytest.fixture(scope="module")
def site(
    demo_folder: Path, demo_site: Path, demo_first_screens: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Every report kind in Russian: the pages the browser tests render too are copied from their folders
    (tests/conftest.py renders them once a session), the comparison is rendered with the CLI (which rebuilds
    the index and the navigation bars over all of them), the manager's report with its notebook."""
    out = tmp_path_factory.mktemp("ru") / "reports"
    copy_reports(demo_site, out, [PAGES["quarterly"]])
    copy_reports(demo_first_screens, out, [PAGES[kind] for kind in ("card", "plan_gap", "showcase")])
    common = ["--data", str(demo_folder), "--out", str(out), "--lang", "ru", "--currency", "RUB"]
    render_all([["compare", *common, "--period", "2026"]])
    parameters = {
        "data_dir": str(demo_folder),
        "period": "2026Q3",
        "manager": "M12",
        "lang": "ru",
        "currency": "RUB",
    }
    render_notebook(
        notebook_path("manager"),
        parameters=parameters,
        output=out / PAGES["manager"],
        title="Отчёт менеджера",
        language="ru",
    )
    return out


def _visible_text(page: str) -> str:
    soup = BeautifulSoup(page, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    texts = [soup.get_text(" ")]
    for image in soup.find_all("img"):
        texts.append(image.get("alt") or "")
        source = image.get("src") or ""
        if source.startswith("data:image/svg+xml;base64,"):
            svg = base64.b64decode(source.split(",", 1)[1]).decode("utf-8")
            texts += [
                htmllib.unescape(re.sub(r"<[^>]+>", "", t))
                for t in re.findall(r"<text\b.*?</text>", svg, re.S)
            ]
    return " ".join(texts)


def _data_words(demo_folder: Path) -> set[str]:
    managers = pd.read_csv(demo_folder / "managers.csv")
    words = set()
    for column in ("name", "team"):
        for value in managers[column].dropna().astype(str):
            words |= set(_WORD.findall(value))
    words |= set(_WORD.findall(CARD.read_text(encoding="utf-8")))  # the card's name and description
    return words


def latin_words(page: str, data: set[str]) -> set[str]:
    """The Latin words of a page that are neither data nor allowed."""
    text = _FINGERPRINT.sub(" ", _visible_text(page))
    text = _PATH.sub(" ", _FILE.sub(" ", text))
    return {w for w in _WORD.findall(text) if len(w) > 1 and w not in data and w not in ALLOWED}


def test_the_check_finds_english(demo_folder):
    page = '<p>Продажи James Carter: parameter data_dir, 95 % interval</p><img alt="x" src="">'
    assert latin_words(page, {"James", "Carter"}) == {"parameter", "data_dir", "interval"}


@pytest.mark.parametrize("kind", list(PAGES))
def test_russian_page_has_no_english_word(site, demo_folder, kind):
    page = (site / PAGES[kind]).read_text(encoding="utf-8")
    assert 'lang="ru"' in page
    assert latin_words(page, _data_words(demo_folder)) == set(), kind
