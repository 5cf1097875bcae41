"""How DuckDB's SQL types a cell of the contract: stripped text, numbers, dates, empty cells.

The SQL expressions :class:`kpi_toolkit.engines.duckdb.DuckDBBackend` builds its typed queries of: a column's
family of DuckDB types (:func:`_family`), its cell as stripped text (:func:`_text`, which skips the regular
expression for cells that start and end with a printable ASCII character), its typed value (:func:`_typed`,
``TRY_CAST``: a cell that does not parse is a null the validation counts) and whether it is empty.
"""

from __future__ import annotations

from kpi_toolkit.engines.duckdb_csv import FINITE
from kpi_toolkit.engines.tables import OFFSET_PATTERN
from kpi_toolkit.parsing import WHITESPACE
from kpi_toolkit.schema import Column

_INTEGERS = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
}  # fmt: skip
_FLOATS = {"FLOAT", "DOUBLE"}
_TIMESTAMPS = {"TIMESTAMP", "TIMESTAMP_NS", "TIMESTAMP_MS", "TIMESTAMP_S", "DATE"}
_SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
_STRIP = f"^{_SPACE}+|{_SPACE}+$"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _family(dtype: str) -> str:
    if dtype == "VARCHAR":
        return "text"
    if dtype in _INTEGERS:
        return "integer"
    if dtype in _FLOATS:
        return "float"
    if dtype.startswith("DECIMAL") or dtype == FINITE:  # never NaN nor infinite
        return "decimal"
    if dtype in _TIMESTAMPS:
        return "timestamp"
    if dtype == "TIMESTAMP WITH TIME ZONE":
        return "timestamptz"
    return "other"


def _strip(text: str) -> str:
    # A regular expression: trim() with a list of characters is ten times slower on millions of rows.
    return f"nullif(regexp_replace({text}, {_literal(_STRIP)}, '', 'g'), '')"


def _printable(x: str) -> str:
    """True where the text starts and ends with a printable ASCII character: its stripped text is itself."""
    # The first character by comparing bytes (COLLATE C: whatever the connection's default collation):
    # x >= '!' AND x < chr(127) holds exactly where the first byte is 33 .. 126, i.e. a printable ASCII
    # character (UTF-8 encodes no other character with such a byte); half the CPU of ascii(x). The last
    # character: {x}[-1] is a third cheaper than substring({x}, length({x}), 1), which counts them.
    first = f"({x} COLLATE C)"
    return f"{first} >= '!' AND {first} < chr(127) AND ascii({x}[-1]) BETWEEN 33 AND 126"


def _text(x: str, family: str) -> str:
    """The cell as stripped text, empty as NULL (whole floats without '.0', as the pandas engine)."""
    if family == "text":
        # most cells start and end with a printable ASCII character, which is never white space: they skip
        # the regular expression (a third less CPU on text ids and UUIDs, scanned several times)
        return f"CASE WHEN {_printable(x)} THEN {x} ELSE {_strip(x)} END"
    if family == "integer":
        return f"CAST({x} AS VARCHAR)"
    if family == "float":
        return (
            f"CASE WHEN isnan({x}) THEN NULL WHEN isfinite({x}) AND {x} = trunc({x}) "
            f"THEN CAST(CAST({x} AS HUGEINT) AS VARCHAR) ELSE CAST({x} AS VARCHAR) END"
        )
    return _strip(f"CAST({x} AS VARCHAR)")


def _empty(x: str, family: str) -> str:
    if family == "text":
        return f"({_text(x, family)} IS NULL)"
    if family == "float":
        return f"({x} IS NULL OR isnan({x}))"
    return f"({x} IS NULL)"


def _typed(column: Column, x: str, family: str, text: str | None = None) -> str:
    """The cell typed for ``column``; ``text`` is the cell as stripped text when already computed."""
    kind = column.kind
    stripped = _text(x, family) if text is None else text
    if kind in ("id", "text"):
        return stripped
    if kind == "status":
        text = f"lower({stripped})"
        return f"CASE WHEN {text} IN ('won', 'lost', 'open') THEN {text} END"
    if kind == "datetime":
        if family == "timestamp":
            return f"CAST({x} AS TIMESTAMP)"
        if family == "timestamptz":
            return f"timezone('UTC', {x})"
        text = stripped
        return (
            f"CASE WHEN regexp_matches({text}, {_literal(OFFSET_PATTERN)}) "
            f"THEN timezone('UTC', TRY_CAST({text} AS TIMESTAMPTZ)) ELSE TRY_CAST({text} AS TIMESTAMP) END"
        )
    number = (
        f"CAST({x} AS DOUBLE)"
        if family in ("integer", "float", "decimal")
        else f"TRY_CAST({stripped} AS DOUBLE)"
    )
    finite = f"CASE WHEN isfinite({number}) THEN {number} END"
    if kind == "integer":
        return f"CASE WHEN {finite} = trunc({finite}) THEN {finite} END"
    return finite


def _missing_when_empty(column: Column, family: str) -> bool:
    """Whether the typed cell is missing exactly when the file's cell is empty (its flag needs no storing)."""
    if column.kind in ("id", "text"):
        return True  # stripped text, empty as missing
    if column.kind in ("number", "integer"):
        return family in ("integer", "decimal")  # never NaN nor infinite, always whole for integers
    return column.kind == "datetime" and family in ("timestamp", "timestamptz")


def _null(column: Column) -> str:
    sql = {"datetime": "TIMESTAMP", "number": "DOUBLE", "integer": "DOUBLE"}.get(column.kind, "VARCHAR")
    return f"CAST(NULL AS {sql})"
