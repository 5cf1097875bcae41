"""Reading from databases: SQLite files built here, a throwaway PostgreSQL cluster (tests/postgres_server.py).

The same rows give the same KPIs and the same data fingerprint whether they came from files or a database;
bad input through the database path gets the same clear errors (table or query, column, row) as files.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

import kpi_toolkit as kt
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.mapping import read_mapping
from kpi_toolkit.mapping.database import redact
from tests.postgres_server import Server, postgres  # noqa: F401 (the session fixture)

ROOT = Path(__file__).resolve().parents[1]
ERP = ROOT / "tests" / "data" / "erp_sales"
SHIPPED = ROOT / "data" / "mappings" / "erp_sales.yml"
NUMBERS = {"amount", "target", "duration_min", "discount", "lines"}


def demo_frames(folder: Path) -> dict[str, pd.DataFrame]:
    """The demo CSV files as typed frames, as a database would hold them (dates, numbers, text ids)."""
    frames = {}
    for path in sorted(folder.glob("*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
        for column in frame:
            if column.endswith("_at"):
                frame[column] = pd.to_datetime(frame[column])
            elif column in NUMBERS:
                frame[column] = pd.to_numeric(frame[column])
        frames[path.stem] = frame
    return frames


def erp_frames() -> dict[str, pd.DataFrame]:
    """The ERP sample's three files as database tables: the fact table, the wide plan, the employees."""
    lines = pd.read_csv(ERP / "sales_lines.csv", dtype={"EmployeeKey": "Int64"}, parse_dates=["OrderDate"])
    plan = pd.read_csv(ERP / "plan.txt", sep="\t", encoding="utf-16", dtype=str, keep_default_na=False)
    months = [c for c in plan if c.startswith("M")]
    for month in months:  # thousands as numbers; '-' and NULL as NULL
        plan[month] = pd.to_numeric(plan[month].str.replace(",", "."), errors="coerce")
    plan["Year"] = plan["Year"].astype(int)
    names = ["EmployeeKey", "NationalID", "FirstName", "LastName", "Team"]
    employees = pd.read_csv(ERP / "employees.txt", sep="|", header=None, names=names, dtype=str)
    return {"fact_reseller_sales": lines, "sales_plan": plan, "dim_employee": employees}


def erp_database_mapping() -> dict:
    """The shipped ERP mapping with the database's tables and a query instead of its files."""
    mapping = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    tables = mapping["tables"]
    del (
        tables["orders"]["file"],
        tables["plans"]["file"],
        tables["plans"]["decimal"],
        tables["managers"]["file"],
    )
    tables["orders"]["table"] = "fact_reseller_sales"
    tables["plans"]["query"] = 'SELECT * FROM sales_plan ORDER BY "EmployeeNationalID"'
    tables["plans"]["lookup"]["manager"] = {
        "table": "dim_employee",
        "key": "NationalID",
        "value": "EmployeeKey",
    }
    for key in ("delimiter", "header", "names"):
        del tables["managers"][key]
    tables["managers"]["table"] = "dim_employee"
    return mapping


def sqlite_db(path: Path, frames: dict[str, pd.DataFrame]) -> str:
    with sqlite3.connect(path) as connection:
        for name, frame in frames.items():
            frame.to_sql(name, connection, index=False)
    return f"sqlite:////{str(path.resolve()).lstrip('/')}"  # four slashes: an absolute path


def postgres_db(server: Server, database: str, frames: dict[str, pd.DataFrame]) -> str:
    import adbc_driver_postgresql.dbapi as driver
    import pyarrow as pa

    with driver.connect(server.url(), autocommit=True) as connection:
        cursor = connection.cursor()
        cursor.execute(f"CREATE DATABASE {database}")
        cursor.close()
    with driver.connect(server.url(database=database)) as connection:
        cursor = connection.cursor()
        for name, frame in frames.items():
            cursor.adbc_ingest(name, pa.Table.from_pandas(frame, preserve_index=False), mode="create")
        cursor.close()
        connection.commit()
    return server.url(database=database)


def same_kpis(a: kt.SalesData, b: kt.SalesData, period: str) -> None:
    pd.testing.assert_frame_equal(kt.manager_kpis(a, period=period), kt.manager_kpis(b, period=period))


# -- SQLite


def test_sqlite_demo_data_equals_the_files(tmp_path, demo_folder):
    url = sqlite_db(tmp_path / "sales.db", demo_frames(demo_folder))
    files = kt.load(demo_folder)
    database = kt.load(url, stages=files.stages)  # a setting of the folder (dataset.yml), not a table
    assert data_fingerprint(database) == data_fingerprint(files)
    same_kpis(files, database, "2026Q2")
    assert database.source == url
    counts = database.row_counts.set_index("table")
    assert counts.loc["orders", "source"] == f"{url}, table 'orders'"
    assert counts["rows_read"].to_dict() == files.row_counts.set_index("table")["rows_read"].to_dict()


def test_sqlite_erp_through_a_mapping_equals_the_files(tmp_path):
    url = sqlite_db(tmp_path / "erp.db", erp_frames())
    files = kt.load(ERP, mapping=SHIPPED)
    database = kt.load(url, mapping=erp_database_mapping())
    for period in ("2026Q1", "2026Q2"):
        same_kpis(files, database, period)
    assert data_fingerprint(database) == data_fingerprint(files)
    assert database.source == f"{url} (mapping <dict>)"
    counts = database.row_counts.set_index("table")
    assert counts.loc["plans", "source"] == f"{url}, the query of plans"
    assert (counts.loc["plans", "rows_read"], counts.loc["plans", "rows_filtered"]) == (23, 13)


def test_bad_input_through_the_database_gets_the_same_errors(tmp_path):
    frames = erp_frames()
    frames["fact_reseller_sales"].loc[3, "SalesAmount"] = -5.0
    url = sqlite_db(tmp_path / "bad.db", frames)
    mapping = erp_database_mapping()
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(url, mapping=mapping)
    (negative, summed) = info.value.violations
    assert negative.source == f"{url}, table 'fact_reseller_sales'" and negative.column == "SalesAmount"
    assert negative.rows == (4,) and "negative" in negative.rule  # the 4th row of the result
    assert summed.rule.startswith("the amount cannot be summed")
    assert len(kt.load(url, mapping=mapping, on_invalid="quarantine").quarantine) == 2
    mapping["tables"]["orders"]["columns"]["manager"] = "SalesRep"
    with pytest.raises(kt.DataValidationError, match=r"table 'fact_reseller_sales'.*no column 'SalesRep'"):
        kt.load(url, mapping=mapping)
    mapping["tables"]["orders"]["table"] = "fact_sales"
    with pytest.raises(kt.ParameterError, match=r"reading table 'fact_sales' failed \(.*no such table"):
        kt.load(url, mapping=mapping)
    del mapping["tables"]["orders"]["table"]
    mapping["tables"]["orders"]["query"] = "SELEC nothing"
    with pytest.raises(kt.ParameterError, match=r"reading the query of orders failed"):
        kt.load(url, mapping=mapping)


def test_files_and_databases_are_not_mixed_up(tmp_path):
    url = sqlite_db(tmp_path / "erp.db", erp_frames())
    with pytest.raises(
        kt.ParameterError, match=r"names the file 'sales_lines.csv', but the data come from a data"
    ):
        kt.load(url, mapping=SHIPPED)
    with pytest.raises(kt.ParameterError, match=r"names a database table: or query:, which needs a database"):
        kt.load(ERP, mapping=erp_database_mapping())
    with pytest.raises(kt.ParameterError, match=r"does not exist.*four slashes"):
        kt.load(f"sqlite:///{tmp_path.name}/nothing.db")
    with pytest.raises(kt.DataValidationError, match=r"no table 'orders' \(tables seen: dim_employee"):
        kt.load(url)
    with pytest.raises(kt.ParameterError, match="name one source"):
        read_mapping({"tables": {"orders": {"file": "a.csv", "table": "b", "columns": {}}}})


def test_redact():
    assert redact("postgresql://kt:pw@h:5/db") == "postgresql://kt@h:5/db"
    assert redact("postgresql://h/db?password=pw&sslmode=require") == "postgresql://h/db?sslmode=require"
    assert redact("postgres://kt@h/db") == "postgres://kt@h/db"


# -- PostgreSQL (a cluster of the test session's own)


def test_postgres_demo_and_erp_equal_the_files(postgres, demo_folder):  # noqa: F811
    url = postgres_db(postgres, "demo", demo_frames(demo_folder))
    files = kt.load(demo_folder)
    database = kt.load(url, stages=files.stages)  # a setting of the folder (dataset.yml), not a table
    assert data_fingerprint(database) == data_fingerprint(files)
    same_kpis(files, database, "2026Q2")
    assert postgres.password not in database.source and database.source == redact(url)
    url = postgres_db(postgres, "erp", erp_frames())
    files, database = kt.load(ERP, mapping=SHIPPED), kt.load(url, mapping=erp_database_mapping())
    for period in ("2026Q1", "2026Q2"):
        same_kpis(files, database, period)
    assert data_fingerprint(database) == data_fingerprint(files)
    assert all(postgres.password not in s for s in database.row_counts["source"])


def test_postgres_credentials_from_the_environment(postgres, demo_folder, tmp_path, monkeypatch):  # noqa: F811
    url = postgres_db(postgres, "creds", {"orders": demo_frames(demo_folder)["orders"].head(50)})
    bare = url.replace(f":{postgres.password}@", "@")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
    with pytest.raises(kt.ParameterError) as info:
        kt.load(bare)
    assert str(info.value).startswith(f"cannot connect to {bare}") and "PGPASSWORD" in str(info.value)
    monkeypatch.setenv("PGPASSWORD", postgres.password)
    assert len(kt.load(bare).orders) == 50
    monkeypatch.delenv("PGPASSWORD")
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"127.0.0.1:{postgres.port}:*:{postgres.user}:{postgres.password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert len(kt.load(bare).orders) == 50
    # a wrong password in the URL is refused and never shown
    wrong = url.replace(postgres.password, "wrong-secret")
    with pytest.raises(kt.ParameterError) as info:
        kt.load(wrong)
    assert "wrong-secret" not in str(info.value) and redact(wrong) in str(info.value)


def test_postgres_errors_name_the_table_and_column(postgres):  # noqa: F811
    frames = erp_frames()
    frames["fact_reseller_sales"]["OrderDate"] = frames["fact_reseller_sales"]["OrderDate"].astype(str)
    fact = frames["fact_reseller_sales"]
    fact.loc[fact["SalesOrderNumber"] == fact["SalesOrderNumber"][0], "OrderDate"] = "someday"  # every line
    url = postgres_db(postgres, "bad", frames)
    mapping = erp_database_mapping()
    mapping["tables"]["orders"]["table"] = "Fact_Reseller_Sales"  # PostgreSQL spells it in lower case
    with pytest.raises(kt.DataValidationError) as info:
        kt.load(url, mapping=mapping)
    (violation,) = info.value.violations
    assert violation.source == f"{redact(url)}, table 'Fact_Reseller_Sales'"
    assert violation.column == "OrderDate"
    assert violation.examples == ("someday",) and "not a date" in violation.rule and violation.rows == (1,)


def test_unreachable_database_is_a_clear_error_not_a_hang():
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    with pytest.raises(kt.ParameterError, match=rf"cannot connect to postgresql://kt@127.0.0.1:{port}/db"):
        kt.load(f"postgresql://kt:pw@127.0.0.1:{port}/db")
    # a server that accepts the connection and never answers: the connect timeout ends the wait
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    port = silent.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    start = time.monotonic()
    try:
        with pytest.raises(kt.ParameterError, match=r"cannot connect to .*(timeout|timed out)"):
            kt.load(f"postgresql://kt@127.0.0.1:{port}/db?connect_timeout=2")
    finally:
        silent.close()
    assert time.monotonic() - start < 15


def test_readme_database_example(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Reading from a database") :]
    block = re.search(r"```yaml\n(.*?)```", section, flags=re.S)
    assert block
    url = sqlite_db(tmp_path / "erp.db", erp_frames())
    database = kt.load(url, mapping=yaml.safe_load(block.group(1)))
    files = kt.load(ERP, mapping=SHIPPED)
    for period in ("2026Q1", "2026Q2"):
        same_kpis(files, database, period)
    assert data_fingerprint(database) == data_fingerprint(files)


@pytest.mark.slow
def test_kpi_report_reads_a_database_like_a_folder(postgres, demo_folder, tmp_path, monkeypatch):  # noqa: F811
    from typer.testing import CliRunner

    from kpi_toolkit.cli import app

    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = postgres_db(postgres, "cli", demo_frames(demo_folder))
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        app, ["quarterly", "--data", url, "--period", "2026Q2", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    html = (out / "2026Q2" / "quarterly.html").read_text(encoding="utf-8")
    assert redact(url) in html and postgres.password not in html
    # the same rows as the files: the same fingerprint (the folder's stages setting is not in the database)
    assert data_fingerprint(replace(kt.load(demo_folder), stages=None)) in html
    assert os.environ["PGPASSWORD"] == postgres.password  # handed to the notebook's kernel, not its text
