"""One person, one letter: the showcase and every per-manager report of the same data agree, and the site's
index does not undo the pseudonyms (issue 20, item 4)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kpi_toolkit
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.manager import manager_report
from kpi_toolkit.report.pseudonyms import report_letters
from kpi_toolkit.report.quarterly import quarterly_report
from kpi_toolkit.report.showcase import showcase_report

PERIOD = "2026Q3"


@pytest.fixture(scope="module")
def letters(demo) -> dict[str, str]:
    return report_letters(demo)


def test_showcase_and_per_manager_reports_give_one_person_one_letter(demo, letters):
    assert len(letters) == len(demo.manager_ids) and len(set(letters.values())) == len(letters)
    # the showcase: everyone outside the top group under the letter of the whole data set
    for lang in ("en", "ru"):
        showcase = showcase_report(demo, period=PERIOD, tr=translator(lang))
        hidden = {m: n for m, n in showcase.names.items() if n != demo.manager_info.at[m, "name"]}
        assert len(hidden) >= 5
        for manager, shown in hidden.items():
            assert shown == translator(lang).t("manager.pseudonym", letter=letters[manager])
    # every per-manager report: a colleague's letter is that same letter, with that person's figures
    checked = 0
    for team in demo.teams:
        q = quarterly_report(demo, period=PERIOD, team=team)
        by_letter = {letters[m]: m for m in q.kpis.index}
        for manager in q.kpis.index:
            r = manager_report(q, manager=manager)
            assert manager not in {by_letter[c] for c in r.letters.values()}  # the reader is not lettered
            for key, code in r.letters.items():
                colleague = by_letter[code]
                assert colleague in demo.managers_of(team, period=demo.period(PERIOD))  # M13 moved in August
                shown = r.team_report.kpis.loc[key, "sales_volume"]
                assert shown == q.kpis.loc[colleague, "sales_volume"], (manager, code, colleague)
                checked += 1
    # 2026Q3's members: eight in each team (the mover M13 in both, the joiner M15 in South)
    sizes = [len(demo.managers_of(team, period=demo.period(PERIOD))) for team in demo.teams]
    assert sizes == [8, 8] and checked == sum(n * (n - 1) for n in sizes)


def test_every_report_kind_letters_managers_with_the_one_function():
    # the showcase and the per-manager report letter through report_letters; no other module letters anyone
    package = Path(kpi_toolkit.__file__).parent
    users = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if re.search(r"\bpseudonym_letters\(", p.read_text(encoding="utf-8"))
    }
    assert users <= {"report/pseudonyms.py", "report/manager.py", "report/showcase.py"}, users
    for name in ("report/manager.py", "report/showcase.py", "report/quarterly.py"):
        assert "report_letters" in (package / name).read_text(encoding="utf-8"), name


def test_site_index_hides_the_names_and_figures_of_per_manager_reports(tmp_path, monkeypatch):
    from kpi_toolkit.report.site import INDEX_NAMES_VARIABLE, KeyFigure, build_site
    from tests.test_site import _report

    root = tmp_path / "reports"
    _report(root, "2026Q3/quarterly_north.html", team="North")
    figures = (KeyFigure(key="plan_attainment", label="% of plan", text="61.3%", value=0.613),)
    for lang in ("en", "ru"):
        suffix = "" if lang == "en" else ".ru"
        _report(
            root, f"2026Q3/managers/M03{suffix}.html", kind="manager", lang=lang, team="North",
            subject="Clara Jensen (M03)", title="Clara Jensen: sales, 2026Q3", key_figures=figures,
        )  # fmt: skip
    monkeypatch.delenv(INDEX_NAMES_VARIABLE, raising=False)
    for lang, hidden in (("en", "name not shown"), ("ru", "имя не показано")):
        index = build_site(root, lang=lang).index.read_text(encoding="utf-8")
        assert "Clara Jensen" not in index and "61.3%" not in index and "M03" in index  # the link stays
        assert hidden in index
    # the documented switch: the index names them again
    shown = build_site(root, show_names=True).index.read_text(encoding="utf-8")
    assert "Clara Jensen" in shown and "61.3%" in shown
    monkeypatch.setenv(INDEX_NAMES_VARIABLE, "show")
    assert "Clara Jensen" in build_site(root).index.read_text(encoding="utf-8")
