"""Issue 21: hostile, broken and unusual inputs give one clear error (exit status 2), never a traceback, and
nothing half-written or overwritten.

The commands run in this process (``kpi_toolkit.cli.main`` with ``sys.argv`` set), with the notebook
notebook executed in this process (no kernel) where the test is about files and names rather than the
report's content: a report's content is tested in test_report.py, its interruption in test_interruptions.py.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import time
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import kpi_toolkit as kt
from kpi_toolkit import cli_render
from kpi_toolkit.card.spec import load_card
from kpi_toolkit.mapping.reader import read_mapping
from kpi_toolkit.report.batch_plan import plan_batch
from tests.conftest import execute_in_process, tiny_tables, write_tables
from tests.conftest import run_cli as _run

ROOT = Path(__file__).resolve().parents[1]
CARD = ROOT / "data" / "cards" / "sales_manager.yml"


@pytest.fixture
def stub_render(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Execute the report notebooks in this process (no kernel: seconds); the list collects the output
    folders of the notebooks that ran to the end."""
    rendered: list[Path] = []

    def execute(notebook: Path, *, parameters: dict, workdir: Path, **_: object) -> nbformat.NotebookNode:
        done = execute_in_process(notebook, parameters=parameters, workdir=workdir)
        rendered.append(Path(parameters["output_dir"]))
        return done

    monkeypatch.setattr(cli_render, "execute_notebook", execute)
    return rendered


def _edit_orders(folder: Path, column: str, row: int, value: str) -> None:
    orders = pd.read_csv(folder / "orders.csv", dtype=str, keep_default_na=False)
    orders.loc[row, column] = value
    orders.to_csv(folder / "orders.csv", index=False)


# --- Harmful 1 and 7: a card made of aliases, a file that is no card, mapping files outside the data -------


def _alias_bomb(levels: int, key: str) -> str:
    lines = ["l0: &l0 lol"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join([*lines, f"{key}: *l{levels}", ""])


@pytest.mark.parametrize("levels", [5, 9])
def test_card_made_of_aliases_is_refused_in_one_line(tmp_path, levels):
    card = tmp_path / "bomb.yml"
    card.write_text(_alias_bomb(levels, "name"))
    start = time.perf_counter()
    with pytest.raises(kt.ParameterError, match="expands, through its aliases") as info:
        load_card(card)
    assert time.perf_counter() - start < 5  # 9 levels: 387 million values if expanded (18.9 GB in the issue)
    assert len(str(info.value)) < 400


def test_mapping_made_of_aliases_is_refused(tmp_path):
    mapping = tmp_path / "bomb.yml"
    mapping.write_text(_alias_bomb(9, "tables"))
    with pytest.raises(kt.ParameterError, match="expands, through its aliases"):
        read_mapping(mapping)


def test_card_aliases_of_normal_size_still_work(tmp_path):
    text = CARD.read_text(encoding="utf-8")
    card = tmp_path / "card.yml"
    card.write_text("x-note: &n Sales\n" + text.replace("name:", "name: *n\nold-name:", 1))
    with pytest.raises(kt.ParameterError, match="unknown key 'x-note'"):  # refused for its key, not its alias
        load_card(card)


def test_a_file_that_is_no_card_is_quoted_only_in_part(tmp_path, capsys, monkeypatch):
    passwd = tmp_path / "passwd"
    passwd.write_text("".join(f"user{i}:x:{i}:{i}:secret-{i}:/home/u{i}:/bin/sh\n" for i in range(100)))
    code, output = _run(capsys, monkeypatch, "card", "--data", write_tables(tmp_path / "d", tiny_tables()),
                        "--period", "2026-07", "--card", passwd, "--out", tmp_path / "out")  # fmt: skip
    assert code == 2 and "Traceback" not in output
    assert "user0:x:0" in output and "secret-5" not in output and "characters" in output
    assert len(output) < 600


def test_mapping_files_stay_inside_the_data_folder(tmp_path):
    outside = write_tables(tmp_path / "elsewhere", tiny_tables())
    data = tmp_path / "data"
    data.mkdir()
    columns = {c: c for c in ("order_id", "manager", "customer_id", "ordered_at", "amount")}
    for file in (str(outside / "orders.csv"), "../elsewhere/orders.csv"):
        mapping = {"tables": {"orders": {"file": file, "columns": columns}}}
        with pytest.raises(kt.ParameterError, match="is outside the data folder"):
            kt.load(data, mapping=mapping)
        assert kt.load(data, mapping=mapping, allow_outside_data=True).manager_ids == ["ann", "bob", "cat"]


# --- Harmful 4 and 5: names that clash, files the toolkit does not own --------------------------------------


@pytest.fixture
def clashing_folder(tmp_path: Path) -> Path:
    tables = tiny_tables()
    tables["managers"] = tables["managers"].assign(team=["North", "North", "north!"])
    return write_tables(tmp_path / "clash", tables)


def test_teams_whose_names_clash_get_their_own_files(clashing_folder, tmp_path, capsys, monkeypatch,
                                                     stub_render):  # fmt: skip
    out = tmp_path / "out"
    (out / "2026Q3").mkdir(parents=True)
    own = out / "2026Q3" / "quarterly_north-3.html"
    own.write_text("the user's own page")
    for team in ("north!", "North", "north!"):  # the order does not change the names; a re-run keeps them
        code, output = _run(capsys, monkeypatch, "quarterly", "--data", clashing_folder, "--out", out,
                            "--team", team)  # fmt: skip
        assert code == 0, output
    folder = out / "2026Q3"
    records = {p.name: json.loads(p.read_text()) for p in folder.glob("*.report.json")}
    assert {name: r["owner"] for name, r in records.items()} == {
        "quarterly_north.report.json": "North",
        "quarterly_north-2.report.json": "north!",
    }
    assert (folder / "kpis_north.csv").exists() and (folder / "kpis_north-2.csv").exists()
    assert own.read_text() == "the user's own page"
    index = (out / "index.html").read_text()
    assert 'href="2026Q3/quarterly_north.html"' in index and 'href="2026Q3/quarterly_north-2.html"' in index


def test_a_report_never_takes_a_file_another_name_produced(clashing_folder, tmp_path, capsys, monkeypatch,
                                                           stub_render):  # fmt: skip
    out = tmp_path / "out"
    folder = out / "2026Q3"
    folder.mkdir(parents=True)
    (folder / "quarterly_north.html").write_text("renamed team's old report")
    (folder / "quarterly_north.report.json").write_text(json.dumps({"team": "Nord", "owner": "Nord"}))
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", clashing_folder, "--out", out,
                        "--team", "North")  # fmt: skip
    assert code == 0, output
    assert (folder / "quarterly_north.html").read_text() == "renamed team's old report"
    assert "quarterly_north-3.html" in output  # north-2 is north!'s in this data set
    data = kt.load(clashing_folder)
    items = plan_batch(data, data_dir=clashing_folder, by="team", out=out, period="2026Q3")
    assert [(i.team, i.output.name) for i in items] == [
        ("North", "quarterly_north-3.html"),
        ("north!", "quarterly_north-2.html"),
    ]


def test_the_site_replaces_only_its_own_index(tiny_folder, tmp_path, capsys, monkeypatch, stub_render):
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("<h1>My team's start page</h1>")
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", out)
    assert code == 2 and "was not written by kpi-toolkit" in output and "--force" in output
    assert (out / "index.html").read_text() == "<h1>My team's start page</h1>"
    assert not stub_render and sorted(p.name for p in out.iterdir()) == ["index.html"]
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", out, "--force")
    assert code == 0, output
    assert '<meta name="generator" content="kpi-toolkit' in (out / "index.html").read_text()
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", out)
    assert code == 0, output  # now the index is the site's own


# --- Harmful 6 and 8: overflow, periods without data --------------------------------------------------------


def test_sums_that_overflow_are_an_error():
    orders = tiny_tables()["orders"].assign(amount=1.7e308)
    with pytest.raises(kt.DataValidationError, match="the sum of the amounts overflows"):
        kt.manager_kpis(kt.from_frames(orders), period="2026Q3")


@pytest.mark.parametrize(
    "command",
    [
        ["quarterly"],
        ["compare"],
        ["plan-gap"],
        ["showcase"],
        ["card", "--card", str(CARD)],
        ["batch", "--by", "team"],
    ],
)
@pytest.mark.parametrize("period", ["2031", "2019Q1"])
def test_every_command_refuses_a_period_without_data(tiny_folder, tmp_path, capsys, monkeypatch, command,
                                                     period, stub_render):  # fmt: skip
    label = period if command[0] != "card" else period.replace("Q1", "-01")
    code, output = _run(capsys, monkeypatch, *command, "--data", tiny_folder, "--out", tmp_path / "out",
                        "--period", label)  # fmt: skip
    assert code == 2, output
    assert f"--period {label} has no data: the data runs from 2026-04-01 to 2026-10-02" in output
    assert "Traceback" not in output and not (tmp_path / "out").exists()


# --- Tracebacks that are now messages ----------------------------------------------------------------------


def test_dates_outside_the_supported_range(tiny_folder):
    _edit_orders(tiny_folder, "ordered_at", 1, "2999-01-01")
    with pytest.raises(kt.DataValidationError, match=r"orders.csv, column 'ordered_at', row 3 .*2262-04-11"):
        kt.load(tiny_folder)
    orders = tiny_tables()["orders"].assign(ordered_at=[dt.date(1, 1, 1), *[dt.date(2026, 7, 1)] * 6])
    with pytest.raises(kt.DataValidationError, match=r"column 'ordered_at', row 1 .*'0001-01-01'"):
        kt.from_frames(orders)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fiscal_year_start: july\n", "fiscal_year_start is 'july', not a month number"),
        ("fiscal_year_start: true\n", "fiscal_year_start is 'True', not a month number"),
        ("fiscal_year_start: !!python/object/apply:os.system ['echo hi']\n", "is not a valid settings file"),
        ("[1, 2\n", "is not a valid settings file"),
    ],
)
def test_a_bad_settings_file_is_named(tiny_folder, text, message):
    (tiny_folder / "dataset.yml").write_text(text)
    with pytest.raises(kt.ParameterError, match=message) as info:
        kt.load(tiny_folder)
    assert "dataset.yml" in str(info.value)


def test_fiscal_year_start_true_is_no_month():
    with pytest.raises(kt.ParameterError, match="got True"):
        kt.from_frames(tiny_tables()["orders"], fiscal_year_start=True)


def test_an_empty_or_corrupt_parquet_file_is_named(tiny_folder):
    (tiny_folder / "orders.csv").unlink()
    (tiny_folder / "orders.parquet").write_bytes(b"")
    with pytest.raises(kt.DataValidationError, match=r"orders.parquet: the file is empty \(0 bytes\)"):
        kt.load(tiny_folder)
    (tiny_folder / "orders.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(
        kt.DataValidationError, match=re.escape("orders.parquet: the file cannot be read as Parquet")
    ):
        kt.load(tiny_folder)


def test_a_folder_or_a_symlink_loop_named_like_a_table(tiny_folder):
    (tiny_folder / "orders.csv").unlink()
    (tiny_folder / "orders.csv").mkdir()
    with pytest.raises(kt.ParameterError, match=re.escape("orders.csv' is a folder, not a file")):
        kt.load(tiny_folder)
    (tiny_folder / "orders.csv").rmdir()
    (tiny_folder / "orders.csv").symlink_to("orders.csv")
    with pytest.raises(kt.ParameterError, match=re.escape("orders.csv' is a loop of symbolic links")):
        kt.load(tiny_folder)
    (tiny_folder / "orders.csv").unlink()
    (tiny_folder / "orders.csv").symlink_to("gone.csv")
    with pytest.raises(
        kt.ParameterError, match=re.escape("is a symbolic link to 'gone.csv', which does not exist")
    ):
        kt.load(tiny_folder)


def test_an_unreadable_file_is_named(tiny_folder, monkeypatch):
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "leads.csv":  # chmod 000 does not stop root, so the refusal is simulated
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(kt.ParameterError, match=r"leads.csv' cannot be read \(Permission denied\)"):
        kt.load(tiny_folder)


def test_from_frames_checks_its_arguments():
    with pytest.raises(kt.ParameterError, match="orders must be a pandas DataFrame, got list"):
        kt.from_frames([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(kt.ParameterError, match="leads must be a pandas DataFrame, got dict"):
        kt.from_frames(tiny_tables()["orders"], leads={"lead_id": ["L1"]})  # type: ignore[arg-type]


def test_orders_with_a_header_and_no_rows(tiny_folder, tmp_path, capsys, monkeypatch, stub_render):
    (tiny_folder / "orders.csv").write_text("order_id,manager,customer_id,ordered_at,amount\n")
    assert kt.load(tiny_folder).orders.empty  # valid data: leads but no orders yet
    for command in (["quarterly"], ["compare", "--period", "2026"]):
        code, output = _run(capsys, monkeypatch, *command, "--data", tiny_folder, "--out", tmp_path / "out")
        assert code == 2 and "Traceback" not in output
        assert "the orders table has no rows (only a header): there is nothing to report on" in output
    assert not stub_render


@pytest.mark.parametrize("where", ["file", "read-only"])
def test_an_out_folder_that_cannot_take_reports(tiny_folder, tmp_path, capsys, monkeypatch, stub_render,
                                                where):  # fmt: skip
    out = tmp_path / "out"
    if where == "file":
        out.write_text("not a folder")
        message = f"--out {out} is a file, not a folder"
    else:
        out.mkdir()
        import kpi_toolkit.report.publish as publish

        def refuse(*args: object, **kwargs: object) -> str:  # root may write anywhere: simulate the refusal
            raise PermissionError(errno.EACCES, "Permission denied")

        monkeypatch.setattr(publish.tempfile, "mkdtemp", refuse)
        message = f"--out {out} cannot be written (Permission denied)"
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", out)
    assert code == 2 and message in output and "Traceback" not in output
    assert not stub_render


def test_a_period_folder_that_cannot_be_written_keeps_the_old_report(tiny_folder, tmp_path, capsys,
                                                                      monkeypatch, stub_render):  # fmt: skip
    out = tmp_path / "out"
    assert _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", out)[0] == 0
    before = {p.name: p.read_bytes() for p in (out / "2026Q3").iterdir()}
    import kpi_toolkit.report.publish as publish

    real, calls = os.replace, []

    def replace(src: object, dst: object) -> None:
        calls.append(dst)
        if len(calls) == 3:  # the old page and csv have moved aside, the new page is in: then a refusal
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        real(src, dst)

    monkeypatch.setattr(publish.os, "replace", replace)
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", out)
    assert code == 2 and "could not be published into" in output and "nothing was changed" in output
    assert {p.name: p.read_bytes() for p in (out / "2026Q3").iterdir()} == before
    assert not [p for p in out.iterdir() if p.name.startswith(".publish-")]


def test_a_mistyped_option_is_a_short_usage_error(tiny_folder, capsys, monkeypatch):
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--perod", "2026Q3")
    assert code == 2 and "No such option: --perod" in output
    assert "Traceback" not in output and len(output) < 400


# --- Unclear messages ---------------------------------------------------------------------------------------


def test_an_unterminated_quote_is_blamed_on_the_line_it_opens(tiny_folder):
    rows = "".join(f"x{i},ann,c1,2026-07-01,1.0\n" for i in range(3000))
    text = "order_id,manager,customer_id,ordered_at,amount\n" + rows
    lines = text.splitlines(keepends=True)
    lines[50] = 'x50,ann,c1,2026-07-01,"1.0\n'  # line 51 opens a quote that never closes
    (tiny_folder / "orders.csv").write_text("".join(lines))
    (tiny_folder / "leads.csv").unlink()
    with pytest.raises(kt.DataValidationError, match="a quoted field that opens on line 51 is never closed"):
        kt.load(tiny_folder)


def test_a_long_valid_cell_is_read(tiny_folder):
    orders = pd.read_csv(tiny_folder / "orders.csv", dtype=str, keep_default_na=False)
    orders["note"] = ["x" * 10_000_000, *[""] * (len(orders) - 1)]
    orders.to_csv(tiny_folder / "orders.csv", index=False)
    data = kt.load(tiny_folder)
    assert data.manager_ids == ["ann", "bob", "cat"]


def test_emoji_codes_in_bad_cells_are_printed_as_written(tiny_folder, tmp_path, capsys, monkeypatch):
    _edit_orders(tiny_folder, "amount", 0, ":x:")
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", tmp_path / "out")
    assert code == 2 and "':x:'" in output and "❌" not in output


def test_a_failed_render_leaves_no_folder_behind(tiny_folder, tmp_path, capsys, monkeypatch):
    def fail(*args: object, **kwargs: object) -> Path:
        raise kt.ReportError("the report notebook failed: RuntimeError: boom")

    monkeypatch.setattr(cli_render, "execute_notebook", fail)
    out = tmp_path / "out"
    code, output = _run(capsys, monkeypatch, "quarterly", "--data", tiny_folder, "--out", out)
    assert code == 2 and "RuntimeError: boom" in output
    assert not out.exists()  # no period folder, no staging folder, no reports folder made for nothing
