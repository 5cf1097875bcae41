"""Many reports at once: ``kpi-report batch`` by team and by manager, failures, pseudonyms, and kernels that
carry nothing from one report to the next."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from typer.testing import CliRunner

import kpi_toolkit as kt
from kpi_toolkit.report import batch, notebook_parameters, notebook_path, render_notebook, shared
from kpi_toolkit.report.batch_plan import plan_batch
from kpi_toolkit.report.batch_render import parameterised_notebook
from kpi_toolkit.report.kernels import KernelPool, NotebookFailed
from kpi_toolkit.report.manager import OWN_KEY, VERSUS_COLUMNS, manager_report, team_of
from kpi_toolkit.report.names import unique_slugs
from kpi_toolkit.report.pseudonyms import pseudonym_letters
from kpi_toolkit.report.quarterly import quarterly_report
from kpi_toolkit.report.render import notebook_to_html

pytestmark = pytest.mark.slow

PERIOD = "2026Q3"
_DATA_URI = re.compile(r"data:image/svg\+xml;base64,[A-Za-z0-9+/=]+")


def _cli(*args: str) -> tuple[int, str]:
    from kpi_toolkit.cli import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _records(out: Path) -> dict[str, dict]:
    return {
        p.relative_to(out).as_posix(): json.loads(p.read_text(encoding="utf-8"))
        for p in out.rglob("*.report.json")
    }


def _text(html: str) -> str:
    """A page's text and attributes, without its embedded images (random letters could match anything)."""
    return _DATA_URI.sub("data:image/svg+xml;base64,", html)


def _tables(html: str) -> list[str]:
    return [str(t) for t in BeautifulSoup(html, "html.parser").find_all("table")]


def _pngs(html: str) -> list[str]:
    """The figures, as the sha256 of their SVG bytes."""
    found = re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", html)
    return [hashlib.sha256(base64.b64decode(png)).hexdigest() for png in found]


def _main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


# --- the parts ------------------------------------------------------------------------------------------


def test_pseudonyms_are_stable_keyed_and_not_in_id_order():
    ids = [f"M{i:02d}" for i in range(1, 31)]
    letters = pseudonym_letters(ids, key="sha256:data")
    assert sorted(letters.values(), key=lambda c: (len(c), c))[:3] == ["A", "B", "C"]
    assert len(set(letters.values())) == 30 and {"Z", "AA", "AD"} <= set(letters.values())
    assert letters == pseudonym_letters(list(reversed(ids)), key="sha256:data")
    assert letters != pseudonym_letters(ids, key="sha256:other data")
    assert [letters[m] for m in ids] != sorted(letters.values(), key=lambda c: (len(c), c))


def test_manager_report_holds_no_colleague_id_or_name(demo):
    q = quarterly_report(demo, period=PERIOD, team=team_of(demo, "M03"))
    r = manager_report(q, manager="M03")
    assert list(r.versus.columns) == list(VERSUS_COLUMNS)
    assert r.versus.loc["sales_volume", "manager"] == q.kpis.loc["M03", "sales_volume"]
    assert r.versus.loc["orders", "team_total"] == q.kpis["orders"].sum()
    assert r.versus.loc["conversion", "team_median"] == q.kpis["conversion"].median()
    team = r.team_report
    assert team.names == {} and list(team.kpis.index) == [OWN_KEY, *sorted(r.letters)]
    colleagues = set(q.kpis.index) - {"M03"}
    for frame in (team.kpis, team.history, team.ranking):
        shown = frame.reset_index().astype(str).to_numpy().ravel().tolist()
        assert not colleagues & set(shown)
    assert not any(c.key == "caveat.no_plan" for c in team.caveats)
    with pytest.raises(kt.ParameterError, match="'M09' is not in the report of team 'North'"):
        manager_report(q, manager="M09")
    with pytest.raises(kt.ParameterError, match="'nobody' is not a manager of this data set"):
        team_of(demo, "nobody")


def test_shared_memo_returns_the_same_objects_until_a_file_changes(tiny_folder):
    shared.enable()
    try:
        data = shared.load(tiny_folder)
        assert shared.load(tiny_folder, mapping="") is data
        q = shared.quarterly_report(data, period="2026Q3", team="North")
        assert shared.quarterly_report(data, period="2026Q3", team="North") is q
        assert shared.quarterly_report(data, period="2026Q3", team="South") is not q
        assert shared.quarterly_report(kt.load(tiny_folder), period="2026Q3", team="North") is not q
        orders = tiny_folder / "orders.csv"
        orders.write_text(orders.read_text() + "o8,bob,c9,2026-08-02,10.0,\n")
        assert shared.load(tiny_folder) is not data
    finally:
        shared.disable()
    assert shared.load(tiny_folder) is not shared.load(tiny_folder)


def test_manager_notebook_declares_typed_documented_parameters_and_holds_no_logic():
    params = notebook_parameters(notebook_path("manager"))
    assert set(params) == {"data_dir", "period", "manager", "lang", "currency", "mapping", "on_invalid",
                           "plan_metric", "output_dir"}  # fmt: skip
    for name, spec in params.items():
        assert spec["inferred_type_name"] == "str" and spec["help"], name
    code = "\n".join(c.source for c in parameterised_notebook("manager", {}).cells if c.cell_type == "code")
    assert not re.search(r"^\s*(def|class|for|while|if)\b", code, flags=re.M)


def test_plan_names_files_and_rejects_what_cannot_be_done(demo, tiny_tables_fixture):
    items = plan_batch(demo, data_dir="d", by="team", out="r", period="2026Q1:2026Q3", lang="ru")
    assert [(str(i.period), i.team) for i in items][:3] == [
        ("2026Q1", "North"),
        ("2026Q1", "South"),
        ("2026Q2", "North"),
    ]
    assert items[0].output.as_posix() == "r/2026Q1/quarterly_north.ru.html"
    # 2026Q2: 15 managers (the leaver M16 until May, not the joiner M15); 2026Q3: 15 (M15, not M16)
    assert len(plan_batch(demo, data_dir="d", by="manager", out="r", period="2026Q2,2026Q3")) == 30
    with pytest.raises(kt.ParameterError, match="by='teams' is not one of team, manager"):
        plan_batch(demo, data_dir="d", by="teams", out="r")  # type: ignore[arg-type]
    no_teams = kt.from_frames(**{k: v for k, v in tiny_tables_fixture.items() if k != "managers"})
    with pytest.raises(kt.ParameterError, match="--by team needs teams"):
        plan_batch(no_teams, data_dir="d", by="team", out="r")
    assert unique_slugs(["north!", "North", "North"]) == {"North": "north", "north!": "north-2"}


# --- whole batches ----------------------------------------------------------------------------------------


def test_batch_by_team_with_a_failing_report(demo_folder, tmp_path, monkeypatch):
    """One team's report fails: the other is written, the index (written once) lists both, exit status 3."""
    out = tmp_path / "reports"
    planned = batch.plan_batch
    site_builds = []
    build_site = batch.build_site

    def plan_with_a_bad_parameter(*args, **kwargs):
        items = planned(*args, **kwargs)
        bad = next(i for i in items if i.team == "South")
        items[items.index(bad)] = replace(bad, parameters={**bad.parameters, "period": "2026Q9"})
        return items

    def counting_build_site(*args, **kwargs):
        site_builds.append(args)
        return build_site(*args, **kwargs)

    monkeypatch.setattr(batch, "plan_batch", plan_with_a_bad_parameter)
    monkeypatch.setattr(batch, "build_site", counting_build_site)
    status, output = _cli(
        "batch",
        "--data",
        str(demo_folder),
        "--period",
        PERIOD,
        "--by",
        "team",
        "--out",
        str(out),
        "--jobs",
        "2",
    )
    assert status == 3, output
    assert "rendered 1 of 2 reports" in output and "failed: 2026Q3 South" in output and "2026Q9" in output
    assert len(site_builds) == 1
    folder = out / PERIOD
    assert (folder / "quarterly_north.html").exists() and (folder / "kpis_north.csv").exists()
    assert not (folder / "quarterly_south.html").exists()
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no half-written file
    records = _records(out)
    assert records[f"{PERIOD}/quarterly_north.report.json"]["status"] == "ok"
    failed = records[f"{PERIOD}/quarterly_south.report.json"]
    assert failed["status"] == "failed" and "2026Q9" in failed["error"] and failed["team"] == "South"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="2026Q3/quarterly_north.html"' in index
    assert "Failed: " in index and "2026Q9" in index
    kpis = pd.read_csv(folder / "kpis_north.csv")
    # North's 7 managers and the mover M13, in North from 17 August
    assert len(kpis) == 8 and kpis["sales_volume"].sum() == pytest.approx(
        kt.manager_kpis(kt.load(demo_folder), period=PERIOD, team="North")["sales_volume"].sum()
    )


def test_batch_by_manager_pseudonymises_colleagues(demo_folder, tmp_path):
    out = tmp_path / "reports"
    status, output = _cli(
        "batch", "--data", str(demo_folder), "--period", PERIOD, "--by", "manager", "--out", str(out),
        "--jobs", "2",
    )  # fmt: skip
    assert status == 0, output
    data = kt.load(demo_folder)
    employed = data.managers_of(None, period=data.period(PERIOD))  # not the leaver M16 (left in May)
    names = {m: n for m, n in data.manager_info["name"].to_dict().items() if m in employed}
    records = _records(out)
    assert len(records) == len(names) == 15
    index = (out / "index.html").read_text(encoding="utf-8")
    letter_volumes: dict[tuple[str, str], set[str]] = {}
    for manager, name in names.items():
        page = out / PERIOD / "managers" / f"{manager.lower()}.html"
        record = records[f"{PERIOD}/managers/{manager.lower()}.report.json"]
        assert record["kind"] == "manager" and record["subject"] == f"{name} ({manager})"
        assert record["team"] == data.manager_info.at[manager, "team"]
        assert f'href="{PERIOD}/managers/{manager.lower()}.html"' in index
        assert name not in index  # the index does not undo the pseudonyms (site.PSEUDONYMISED_KINDS)
        html = _text(page.read_text(encoding="utf-8"))
        assert name in html
        for other, other_name in names.items():
            if other != manager:
                assert other_name not in html, (manager, other_name)
                assert not re.search(rf"\b{other}\b", html), (manager, other)
        # the team table: the manager by name and first, every colleague as "Manager X"
        tables = BeautifulSoup(html, "html.parser").find_all("table")
        (table,) = [t for t in tables if t.caption and t.caption.get_text().startswith("KPIs by manager")]
        rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.tbody.find_all("tr")]
        assert rows[0][0] == name
        team = team_of(data, manager)
        in_team = data.managers_of(team, period=data.period(PERIOD))  # in the team on a day of the quarter
        assert len(rows) == len(in_team)
        for row in rows[1:]:
            assert re.fullmatch(r"Manager [A-Z]+", row[0])
            letter_volumes.setdefault((team, row[0]), set()).add(row[2])
    # a pseudonym is one colleague in every report of the run: the same letter, the same figures
    assert all(len(v) == 1 for v in letter_volumes.values())
    for team in data.teams:
        shown = sorted(next(iter(v)) for (t, _), v in letter_volumes.items() if t == team)
        # each colleague with their part in the team (the mover M13: South until 16 August, North after)
        real = sorted(f"{x:,.0f}" for x in kt.manager_kpis(data, period=PERIOD, team=team)["sales_volume"])
        assert shown == real


def test_a_reused_kernel_leaks_nothing_from_one_report_into_the_next(demo_folder, tmp_path):
    """A, then B, then A again in one kernel, with state left behind in between, give the same tables and
    figures, byte for byte, as each rendered alone in a fresh kernel."""
    common = {"data_dir": str(demo_folder), "period": PERIOD, "mapping": "", "on_invalid": "raise"}
    a = ("quarterly", {**common, "team": "North", "lang": "en", "currency": ""}, "en")
    b = ("manager", {**common, "manager": "M10", "lang": "ru", "currency": "RUB"}, "ru")
    alone = {
        kind: render_notebook(
            notebook_path(kind), parameters=p, output=tmp_path / f"{kind}.html", title="t", language=lang
        ).read_text(encoding="utf-8")
        for kind, p, lang in (a, b)
    }
    leave_state_behind = """
import random, numpy as np, pandas as pd, matplotlib, matplotlib.pyplot as plt, seaborn as sns
plt.style.use("dark_background"); sns.set_theme(style="whitegrid", palette="husl", font_scale=1.7)
matplotlib.rcParams["savefig.dpi"] = 40; plt.figure(); plt.plot([1, 2])
np.random.seed(0); random.seed(0); np.set_printoptions(precision=1); np.seterr(all="raise")
pd.set_option("display.precision", 1)
tr = report = data = views = "left behind"
"""

    async def in_one_kernel() -> list[str]:
        pages = []
        async with KernelPool(1, cwd=notebook_path("quarterly").parent) as pool:
            for kind, parameters, lang in (a, b, a):
                nb = await pool.execute(
                    parameterised_notebook(kind, parameters), cwd=notebook_path(kind).parent
                )
                pages.append(notebook_to_html(nb, title="t", language=lang))
                await pool.run_code(leave_state_behind)
            assert pool.notebooks_per_kernel == [3]
        return pages

    first_a, only_b, second_a = asyncio.run(in_one_kernel())
    for page, reference in (
        (first_a, alone["quarterly"]),
        (only_b, alone["manager"]),
        (second_a, alone["quarterly"]),
    ):
        assert _tables(page) == _tables(reference) and len(_tables(page)) >= 4
        assert _pngs(page) == _pngs(reference) and len(_pngs(page)) >= 3
        assert _main(page) == _main(reference)


def test_a_dead_kernel_fails_its_notebook_and_is_restarted_for_the_next(tmp_path):
    import nbformat

    def notebook(code: str) -> nbformat.NotebookNode:
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])

    async def run() -> tuple[str, str, list[int]]:
        async with KernelPool(1, cwd=tmp_path, preload=()) as pool:
            with pytest.raises(NotebookFailed, match="ZeroDivisionError") as raised:
                await pool.execute(notebook("1 / 0"), cwd=tmp_path)
            with pytest.raises(NotebookFailed, match=r"kernel failed .*restarted"):
                await pool.execute(notebook("import os\nos._exit(1)"), cwd=tmp_path)
            done = await pool.execute(notebook("import os\nos.getcwd()"), cwd=tmp_path)
            shown = done.cells[0].outputs[0]["data"]["text/plain"]
            return raised.value.ename, shown, pool.notebooks_per_kernel

    ename, cwd, counts = asyncio.run(run())
    assert ename == "ZeroDivisionError" and cwd == repr(str(tmp_path)) and counts == [1]


def test_batch_sets_invalid_rows_aside_with_on_invalid_quarantine(demo_folder, tmp_path):
    """`--on-invalid quarantine`: the broken order is set aside and listed; the team reports are made."""
    folder = tmp_path / "data"
    shutil.copytree(demo_folder, folder)
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    orders.loc[3, "amount"] = "-5"  # file line 5
    orders.to_csv(folder / "orders.csv", index=False)
    out = tmp_path / "reports"
    args = ("batch", "--data", str(folder), "--period", PERIOD, "--by", "team", "--out", str(out))
    with pytest.raises(kt.DataValidationError, match=r"orders\.csv, column 'amount', row 5"):
        _cli(*args)  # the default stops and says where (kpi-report prints it and exits with status 2)
    status, output = _cli(*args, "--on-invalid", "quarantine")
    assert status == 0, output
    assert "rendered 2 of 2 reports" in output
    quarantined = pd.read_csv(out / PERIOD / "quarantine.csv", dtype=str)
    assert quarantined[["table", "row", "column", "rule"]].values.tolist() == [
        ["orders", "5", "amount", "amount is negative"]
    ]
