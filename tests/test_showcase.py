"""The top-performers showcase: one render through the CLI on the demo, anonymity, and its sections."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.demo import make_demo_data, write_demo_data
from kpi_toolkit.practices import EFFECT_COLUMNS
from kpi_toolkit.report import showcase_views as views
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.render import NOTEBOOKS, notebook_parameters, notebook_path
from kpi_toolkit.report.showcase import showcase_report


@pytest.fixture(scope="module")
def demo():
    return kt.from_frames(**make_demo_data())


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    root = tmp_path_factory.mktemp("showcase")
    data = write_demo_data(root / "data")
    out = root / "reports"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kpi_toolkit",
            "showcase",
            "--data",
            str(data),
            "--period",
            "2026Q3",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


def _text_without_images(html: str) -> str:
    return re.sub(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+", "", html)


def test_render_writes_report_csv_and_site(rendered):
    folder = rendered / "2026Q3"
    assert (folder / "showcase.html").exists() and (folder / "showcase.report.json").exists()
    csv = pd.read_csv(folder / "practices.csv")
    assert tuple(csv.columns) == EFFECT_COLUMNS
    assert csv.set_index("practice").loc["had_meeting", "verdict"] == "positive"
    assert "showcase.html" in (rendered / "index.html").read_text(encoding="utf-8")


def test_no_real_name_of_a_non_showcased_manager_anywhere(rendered, demo):
    top = kt.top_performers(demo, period="2026Q3")
    showcased = set(top.loc[top["top"], "manager"])
    info = demo.manager_info
    hidden = info.loc[~info.index.isin(showcased), "name"].tolist()
    assert len(hidden) == 12  # 16 managers (with the joiner and the leaver) less the 4 showcased
    for path in rendered.rglob("*"):
        if path.suffix not in (".html", ".json", ".csv"):
            continue
        text = path.read_text(encoding="utf-8")
        for name in hidden:
            for part in [name, *name.split()]:
                assert part not in text, (path.name, part)
        # nor their ids, outside the embedded images' bytes
        plain = _text_without_images(text)
        for manager in sorted(set(info.index) - showcased):
            assert not re.search(rf"\b{manager}\b", plain), (path.name, manager)
    html = (rendered / "2026Q3" / "showcase.html").read_text(encoding="utf-8")
    for manager in showcased:
        assert info.loc[manager, "name"] in html
    assert "Manager A" in html or "Manager B" in html


def test_managers_below_min_leads_are_not_ranked(demo):
    r = showcase_report(demo, period="2026Q3", min_leads=20)
    assert "M12" not in set(r.ranking["manager"]) and r.unranked == 1
    html = views.top_section(r, translator("en"))
    # in the ranking table (the text before it explains pseudonyms as "Manager A, B ...", and the letters
    # follow the data's fingerprint, so M12 may well be Manager A)
    assert r.names["M12"] not in html[html.index("<table") :]


def test_pseudonyms_are_stable_across_periods_and_off_when_not_anonymised(demo):
    q2 = showcase_report(demo, period="2026Q2")
    q3 = showcase_report(demo, period="2026Q3")
    for manager in set(q2.names) & set(q3.names):
        if q2.names[manager].startswith("Manager ") and q3.names[manager].startswith("Manager "):
            assert q2.names[manager] == q3.names[manager]
    named = showcase_report(demo, period="2026Q3", anonymize=False)
    assert set(named.ranking["display"]) <= set(demo.manager_info["name"])


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_sections_render_in_both_languages(demo, lang):
    tr = translator(lang)
    r = showcase_report(demo, period="2026Q3", tr=tr)
    html = "".join(
        [
            views.title(r, tr),
            views.headline(r, tr),
            views.caveats(r, tr),
            views.top_section(r, tr),
            views.recommendations(r, tr),
            views.practices_section(r, tr),
            views.practices_figure(r, tr),
            views.profile_section(r, tr),
            views.profile_figure(r, tr),
            views.regression_section(r, tr),
            views.provenance(r, tr, parameters={"period": "2026Q3"}),
        ]
    )
    assert html.count("<img") == 2 and html.count('alt="') >= 2
    word = {"en": "associated with winning", "ru": "связана с выигрышем"}[lang]
    assert word in html
    assert "causes" not in html


def test_notebook_is_registered_and_typed():
    assert NOTEBOOKS["showcase"] == "top_performers.ipynb"
    params = notebook_parameters(notebook_path("showcase"))
    assert {"data_dir", "period", "team", "top_share", "anonymize", "min_leads", "lang"} <= set(params)
    source = Path(notebook_path("showcase")).with_suffix(".py").read_text(encoding="utf-8")
    assert "top_share: float = 0.25" in source and "anonymize: bool = True" in source
