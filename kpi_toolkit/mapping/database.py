"""Reading sales data straight from a database (PostgreSQL or SQLite) through Arrow, with the ADBC drivers.

``kt.load("postgresql://user@host:5432/sales")`` reads the contract's tables (``orders``, ``leads``,
``plans``, ``managers``, ``activities``) like a folder; with a mapping, a table names a database ``table:``
or a ``query:`` instead of a ``file:``, and everything else in the mapping works as for files.

- URLs: ``postgresql://user[:password]@host[:port]/database[?options]`` (libpq's URI; ``postgres://`` too) and
  ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db`` (SQLAlchemy's convention). A SQLite file
  is opened read-only and must exist (SQLite would otherwise create an empty one).
- Credentials: from the URL, or as libpq finds them (``PGPASSWORD``, ``~/.pgpass``, ``PGUSER`` ...). They
  are never written into a report: :func:`redact` drops the password from every name the toolkit shows.
- A server that cannot be reached is an error after ``connect_timeout`` seconds (default
  :data:`CONNECT_TIMEOUT`, unless the URL sets one), not a hang.
- Cells keep their database types, as a Parquet file's do (exact decimals become floats, as a CSV's text
  does); rows are numbered by their position in the result (1 is the first row): write ``ORDER BY`` in a
  query for stable numbers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import pandas as pd

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.mapping.files import SourceFile
from kpi_toolkit.reading import ROW, StagedData, frame_table
from kpi_toolkit.schema import TABLES

__all__ = [
    "CONNECT_TIMEOUT",
    "SCHEMES",
    "Database",
    "DatabaseURL",
    "contract_tables",
    "data_source",
    "is_database_url",
    "redact",
    "report_source",
]

#: Seconds to wait for a PostgreSQL server before giving up (a URL's own ``connect_timeout`` wins).
CONNECT_TIMEOUT = 10
#: URL schemes read as databases.
SCHEMES = ("postgresql", "postgres", "sqlite")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


def is_database_url(source: object) -> bool:
    """Whether ``source`` is a database URL (``postgresql://...``, ``sqlite:///...``), not a folder.

    >>> is_database_url("postgresql://kt@localhost/sales"), is_database_url("data/demo")
    (True, False)
    """
    return isinstance(source, str) and source.split("://", 1)[0].lower() in SCHEMES and "://" in source


def redact(url: str) -> str:
    """The URL without its password (in the user part or a ``password=`` option): safe to show and record.

    >>> redact("postgresql://kt:s3cret@db.example:5432/sales?sslmode=require&password=x")
    'postgresql://kt@db.example:5432/sales?sslmode=require'
    >>> redact("sqlite:////srv/sales.db")
    'sqlite:////srv/sales.db'
    """
    parts = urlsplit(url)
    shown = url
    if parts.password is not None:
        user, host = parts.netloc.rsplit("@", 1)
        shown = shown.replace(parts.netloc, f"{user.split(':', 1)[0]}@{host}", 1)
    if any(k.lower() == "password" for k, _ in parse_qsl(parts.query)):
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k.lower() != "password"])
        shown = shown.replace("?" + parts.query, f"?{query}" if query else "", 1)
    return shown


def _quoted(table: str) -> str:
    """A table name (``schema.table`` allowed) quoted for SQL; names outside plain identifiers are refused."""
    parts = table.split(".")
    if not all(_IDENTIFIER.match(p) for p in parts):
        raise ParameterError(
            f"table name {table!r} is not a plain name (letters, digits, _; schema.table allowed). "
            "Fix: name the table as it is, or write a query: instead."
        )
    return ".".join(f'"{p}"' for p in parts)


class Database:
    """One database, connected on first use; ``close()`` (or ``with``) ends the connection."""

    def __init__(self, url: str, *, connect_timeout: int = CONNECT_TIMEOUT) -> None:
        if not is_database_url(url):
            raise ParameterError(
                f"{url!r} is not a database URL. Fix: write postgresql://... or sqlite:///..."
            )
        self.url = url
        self.shown = redact(url)
        self.scheme = url.split("://", 1)[0].lower()
        self.connect_timeout = connect_timeout
        self._connection: Any = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> Any:
        if self._connection is not None:
            return self._connection
        try:
            if self.scheme == "sqlite":
                import adbc_driver_sqlite.dbapi as driver

                path = Path(self.url.split("://", 1)[1].removeprefix("/").split("?", 1)[0])
                if not path.is_file():
                    raise ParameterError(
                        f"{self.shown}: the SQLite file {str(path)!r} does not exist. Fix: correct the URL "
                        "(sqlite:///relative/path.db, or four slashes for an absolute path: "
                        "sqlite:////home/me/sales.db)."
                    )
                self._connection = driver.connect(f"file:{path.resolve()}?mode=ro")
            else:
                import adbc_driver_postgresql.dbapi as driver

                self._connection = driver.connect(self._libpq_uri())
        except ImportError as exc:
            raise ParameterError(
                f"reading {self.shown} needs the ADBC driver ({exc.name}). Fix: pip install "
                "adbc-driver-postgresql adbc-driver-sqlite (part of kpi-toolkit's dependencies)."
            ) from None
        except ParameterError:
            raise
        except Exception as exc:  # the driver's own errors: unreachable, refused, bad credentials
            raise ParameterError(
                f"cannot connect to {self.shown} ({_clean(exc, self.url)}). Fix: check the host, port, "
                "database and user in the URL, that the server runs and accepts connections, and the "
                "password (in the URL, PGPASSWORD or ~/.pgpass)."
            ) from None
        return self._connection

    def _libpq_uri(self) -> str:
        parts = urlsplit(self.url)
        options = parse_qsl(parts.query)
        if not any(k == "connect_timeout" for k, _ in options):
            options.append(("connect_timeout", str(self.connect_timeout)))
        scheme = "postgresql"
        return urlunsplit((scheme, parts.netloc, parts.path, urlencode(options), parts.fragment))

    def fetch(self, sql: str, *, what: str) -> pd.DataFrame:
        """The result of ``sql`` as a frame of cells (database types; exact decimals as floats)."""
        import pyarrow as pa

        connection = self._connect()
        cursor = connection.cursor()
        try:
            cursor.execute(sql)
            table = cursor.fetch_arrow_table()
        except Exception as exc:
            raise ParameterError(
                f"{self.shown}: reading {what} failed ({_clean(exc, self.url)}). Fix: correct the table's "
                "name or the query in the mapping."
            ) from None
        finally:
            cursor.close()
        columns = []
        for field, column in zip(table.schema, table.columns, strict=True):
            if pa.types.is_decimal(field.type):
                column = column.cast(pa.float64())
            columns.append(column)
        return pa.table(columns, names=table.column_names).to_pandas()

    def tables(self) -> set[str]:
        """The names of the tables (and views) the connection sees without a schema."""
        if self.scheme == "sqlite":
            sql = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        else:
            sql = (
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = ANY (current_schemas(false))"
            )
        frame = self.fetch(sql, what="the list of tables")
        return {str(name) for name in frame.iloc[:, 0]}

    def _spelled(self, table: str) -> str:
        """The table's name as the database spells it: ``FactSales`` finds a table created as ``factsales``
        (PostgreSQL folds unquoted names to lower case) when exactly one name matches without case."""
        if "." in table:
            return table
        names = self.tables()
        if table in names:
            return table
        matches = [name for name in names if name.lower() == table.lower()]
        return matches[0] if len(matches) == 1 else table

    def read(self, *, table: str | None = None, query: str | None = None, of: str) -> SourceFile:
        """A database table or a query's result as a mapping's source (rows numbered from 1)."""
        if table is not None:
            source, sql = f"{self.shown}, table {table!r}", f"SELECT * FROM {_quoted(self._spelled(table))}"
        else:
            assert query is not None
            source, sql = f"{self.shown}, the query of {of}", query
        native = self.fetch(sql, what=source.removeprefix(f"{self.shown}, "))
        frame = pd.DataFrame({i: native.iloc[:, i].astype(object) for i in range(native.shape[1])})
        frame[ROW] = range(1, len(frame) + 1)
        return SourceFile(source, tuple(str(c).strip() for c in native.columns), frame, "database", 0)


def _clean(exc: Exception, url: str) -> str:
    """The driver's message on one line, without the URL's password should the driver repeat it."""
    text = " ".join(str(exc).split())
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


def contract_tables(database: Database) -> StagedData:
    """The raw tables of a database without a mapping: its tables named like the contract's (a mapping's
    tables and queries are read by :func:`kpi_toolkit.mapping.apply_mapping`)."""
    present = {name.lower(): name for name in database.tables()}
    raws = {}
    for name in TABLES:
        if name in present:
            source = f"{database.shown}, table {present[name]!r}"
            frame = database.fetch(f"SELECT * FROM {_quoted(present[name])}", what=f"table {present[name]!r}")
            raws[name] = frame_table(name, frame, source=source)
    if "orders" not in raws:
        raise DataValidationError(
            [
                Violation(
                    "orders",
                    database.shown,
                    None,
                    "the database has no table 'orders' (tables seen: "
                    f"{', '.join(sorted(present.values())) or 'none'})",
                    fix="create the contract's tables (orders, leads, plans, managers) in the database's "
                    "schema, or pass a mapping that names the database's own tables or queries",
                )
            ]
        )
    return StagedData(raws, originals={raw.source: raw.frame for raw in raws.values()})


def report_source(source: str | Path) -> str:
    """A data source as a report's notebook is handed it: a folder's absolute path, or a database URL without
    its password (the password moves to ``PGPASSWORD`` of this process, which the notebook's kernel inherits,
    so that it never lands in the executed notebook).

    >>> report_source("postgresql://kt@db/sales")
    'postgresql://kt@db/sales'
    """
    text = str(source)
    if not is_database_url(text):
        return str(Path(source).resolve())
    password = urlsplit(text).password
    if password is not None:
        os.environ["PGPASSWORD"] = unquote(password)
    return redact(text)


class DatabaseURL(str):
    """A database URL given where a folder is expected (``kpi-report --data``): ``resolve()``, as a folder's
    path has, gives what a report's notebook is handed (:func:`report_source`)."""

    def resolve(self) -> str:
        return report_source(self)


def data_source(value: str) -> Path | DatabaseURL:
    """``--data``: a database URL, or a folder."""
    return DatabaseURL(value) if is_database_url(value) else Path(value)
