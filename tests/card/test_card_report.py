"""The KPI card report: its notebook, its sections, and ``kpi-report card`` end to end (HTML, xlsx, csv)."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit.report import card_views, notebook_parameters, notebook_path, translator
from kpi_toolkit.report.card_report import card_report
from tests.card.conftest import EXAMPLE_CARD, PERIOD, card_tables

HOSTILE_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("x")'
SECTIONS = ("title", "headline", "caveats", "card_section", "curve_section", "scorecard_section",
            "payouts_section", "cost_section")  # fmt: skip


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kpi_toolkit", *args], capture_output=True, text=True, timeout=300, check=False
    )


def _page(r, tr=None) -> str:
    parts = [getattr(card_views, name)(r, tr) for name in SECTIONS]
    parts.append(card_views.provenance(r, tr, parameters={"card": "x.yml", "team": ""}))
    return "".join(parts)


def test_notebook_declares_typed_documented_parameters():
    path = notebook_path("card")
    assert path.name == "kpi_card.ipynb"
    params = notebook_parameters(path)
    assert set(params) == {"data_dir", "period", "card", "team", "currency", "mapping"}
    for name, spec in params.items():
        assert spec["inferred_type_name"] == "str", name
        assert spec["help"], f"parameter {name} has no help comment"


def test_every_message_the_views_use_is_defined():
    source = Path(card_views.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'_t\(\s*tr,\s*"(card\.[a-z_.]+)"', source))
    columns = ("kpi", "weight", "target", "direction", "threshold", "threshold_factor", "cap", "cap_factor")
    used |= {f"card.card.{c}" for c in (*columns, "higher", "lower")}
    used |= {f"card.kind.{k}" for k in ("month", "quarter", "year")}
    assert used <= set(card_views.MESSAGES)
    assert len(used) > 60


@pytest.fixture(scope="module")
def hostile() -> kt.SalesData:
    tables = card_tables()
    tables["managers"] = tables["managers"].assign(name=[HOSTILE_NAME, FORMULA_NAME, "Cat", "Dan", "Eve"])
    return kt.from_frames(**tables)


@pytest.fixture
def card(card_dict):
    card_dict["kpis"][2]["target"] = 2
    card_dict["base_bonus"] = 1000
    return card_dict


def test_sections_show_the_payouts_escaped(hostile, card):
    # The payouts of tests/card/test_api.py::test_golden_payouts.
    r = card_report(hostile, period=PERIOD, card=card)
    page = _page(r)
    for amount in ("937.50", "1,175.00", "1,050.00", "3,162.50"):
        assert amount in page
    assert HOSTILE_NAME not in page and html.escape(HOSTILE_NAME) in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#39;s" not in page  # the highest bonus is Bob's
    assert "The highest bonus is =HYPERLINK(&#34;x&#34;)&#39;s (1,175.00, score 1.1750)." in page
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "Under this card 5 managers are paid 3,162.50 in all, 63% of the 5,000.00" in text
    assert "No bonus for Dan and Eve." in text and "The gate stops 2 managers' bonuses: Dan and Eve." in text
    assert "Sales volume could not be computed for 1 manager, who gets factor 0 for it: Eve (no plan" in text
    assert "Conversion could not be computed for 1 manager" in text
    assert "Gate: no bonus at all unless Sales volume reaches 70% of its target." in text
    assert "Paid per quarter: a base bonus of 1,000.00 per manager" in text


def test_key_figures(hostile, card):
    r = card_report(hostile, period=PERIOD, card=card)
    figures = {f.key: f for f in card_views.key_figures(r)}
    assert figures["cost"].value == 3162.5 and figures["cost"].text == "3,162.50"
    assert figures["paid"].text == "3 of 5" and figures["gate_failed"].value == 2
    assert figures["cost_at_target"].value == 5000.0


def test_sections_of_other_cards(hostile, card):
    # per-manager base bonus (Cat's is missing: unknown, not in the total), no gate, an own gate target
    per_manager = {"base_bonus": None, "base_bonus_column": "bonus_base", "gate": None}
    text = html.unescape(_page(card_report(hostile, period=PERIOD, card=card, overrides=per_manager)))
    assert "each manager's own base bonus, from column bonus_base" in text
    assert "1 manager has no base bonus in column bonus_base of the managers table: Cat." in text
    assert "1 bonus is unknown (no base bonus) and not in the total: Cat." in text
    assert "The card has no gate." in text
    own = {"gate": {"metric": "orders", "min_achievement": 0.5, "target": 2}}
    text = html.unescape(_page(card_report(hostile, period=PERIOD, card=card, overrides=own)))
    assert "unless Orders reaches 50% of a target of 2." in text


def test_without_leads_and_with_a_currency(card):
    tables = card_tables()
    del tables["leads"]
    r = card_report(kt.from_frames(**tables), period=PERIOD, card=card)
    text = html.unescape(_page(r, translator("en", currency="EUR")))
    assert "The data set has no leads table, so Conversion cannot be computed: factor 0 for everyone." in text
    assert "Conversion could not be computed" not in text  # said once, not per manager
    assert "€1,000.00" in text


def test_bad_report_inputs_fail_before_anything_is_shown(hostile, card):
    with pytest.raises(kt.ParameterError, match="is a month"):
        card_report(hostile, period="2026-07", card=card)


# --- kpi-report card, end to end ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company with two hostile names: M01 a script tag, M02 a spreadsheet formula."""
    from kpi_toolkit.demo import write_demo_data

    folder = write_demo_data(tmp_path_factory.mktemp("demo"))
    managers = pd.read_csv(folder / "managers.csv", dtype=str)
    managers.loc[managers["manager"] == "M01", "name"] = HOSTILE_NAME
    managers.loc[managers["manager"] == "M02", "name"] = FORMULA_NAME
    managers.to_csv(folder / "managers.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, demo_hostile: Path) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = _cli("card", "--data", str(demo_hostile), "--period", "2026Q3", "--card", str(EXAMPLE_CARD),
                  "--out", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out


@pytest.mark.slow
def test_cli_writes_the_report_the_workbook_and_the_csv(rendered):
    assert sorted(p.name for p in (rendered / "2026Q3").iterdir()) == [
        "bonuses.csv",
        "bonuses.xlsx",
        "card.html",
        "card.report.json",
    ]
    assert (rendered / "index.html").is_file()
    record = json.loads((rendered / "2026Q3" / "card.report.json").read_text(encoding="utf-8"))
    assert record["kind"] == "card" and record["title"] == "KPI card and bonuses 2026Q3"


@pytest.mark.slow
def test_cli_report_has_every_payout_and_the_total_cost(rendered, demo_hostile):
    expected = kt.bonuses(kt.load(demo_hostile), period="2026Q3", card=EXAMPLE_CARD)
    page = (rendered / "2026Q3" / "card.html").read_text(encoding="utf-8")
    tr = translator("en")
    for bonus in expected["bonus"]:
        assert f">{tr.money(bonus, digits=2)}</td>" in page
    cost = tr.money(expected["bonus"].sum(), digits=2)
    assert f"paid {cost} in all" in page and f"<dd>{cost}</dd>" in page
    assert "<script src" not in page and "http://" not in page.replace("http://www.w3.org", "")
    assert HOSTILE_NAME not in page and html.escape(HOSTILE_NAME) in page
    assert 'src="data:image/png;base64,' in page and 'alt="Line chart of the payout factor' in page
    assert "Sales manager card" in page and "Payout curve" in page


@pytest.mark.slow
def test_cli_workbook_and_csv_are_spreadsheet_safe(rendered, demo_hostile):
    expected = kt.bonuses(kt.load(demo_hostile), period="2026Q3", card=EXAMPLE_CARD)
    csv = pd.read_csv(rendered / "2026Q3" / "bonuses.csv", dtype={"manager": str, "name": str})
    assert list(csv.columns) == ["manager", "name", "team", *expected.columns[1:]]
    assert csv["bonus"].tolist() == expected["bonus"].tolist()
    assert csv.loc[1, "name"] == "'" + FORMULA_NAME
    sheet = openpyxl.load_workbook(rendered / "2026Q3" / "bonuses.xlsx")["bonuses"]
    assert [c.value for c in sheet["B"]][:3] == ["name", HOSTILE_NAME, "'" + FORMULA_NAME]
    assert [c.value for c in sheet["G"]][1:] == expected["bonus"].tolist()
    assert {c.data_type for row in sheet.iter_rows() for c in row} <= {"s", "n", "b"}


@pytest.mark.slow
def test_cli_errors_print_cleanly_and_leave_no_report(tmp_path, demo_hostile):
    bad = tmp_path / "bad.yml"
    bad.write_text(EXAMPLE_CARD.read_text().replace("  min_achievement: 0.7", "  min_achievment: 0.7"))
    out = tmp_path / "reports"
    result = _cli("card", "--data", str(demo_hostile), "--period", "2026Q3", "--card", str(bad),
                  "--out", str(out))  # fmt: skip
    assert result.returncode == 2
    assert "unknown key 'min_achievment' (did you mean 'min_achievement'?)" in result.stderr
    assert "Traceback" not in result.stderr
    result = _cli("card", "--data", str(demo_hostile), "--period", "2026-07", "--card", str(EXAMPLE_CARD),
                  "--out", str(out))  # fmt: skip
    assert result.returncode == 2 and "is a month, but the card" in result.stderr
    assert not out.exists()
