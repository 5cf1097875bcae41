"""Reading the keys of a mapping that say where a table's rows come from and how to read them: a file (or
several), a database table or query, the read settings (``encoding``, ``delimiter``, ``thousands`` ...),
the row filters (``where:``) and the lookups through another file (``lookup:``). Each is checked into the
objects of :mod:`kpi_toolkit.mapping.spec`; :mod:`kpi_toolkit.mapping.reader` reads the rest of a mapping
on top of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.mapping.spec import (
    READ_KEYS,
    ColumnSource,
    Condition,
    LookupSpec,
    ReadOptions,
    SourceSpec,
)

__all__: list[str] = []

_LOOKUP_KEYS = ("file", "table", "query", "where", "key", "value")
_THOUSANDS = (" ", ",", ".", "'", "")
_DELIMITER_WORDS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_OPS = ("equals", "not_equals", "in", "not_in", "empty")


class _SourceReader:
    """Checks the keys of one mapping document that say where rows come from and how to read them, raising
    errors that name the file and the key's path."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, problem: str, fix: str) -> ParameterError:
        return ParameterError(f"mapping {self.path}, {where}: {problem}. Fix: {fix}.")

    def mapping(self, value: Any, where: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(
                where, f"expected a mapping of keys to values, found {value!r}", "see docs/mappings.md"
            )
        keys = [self.key(k, where) for k in value]
        if allowed is not None:
            unknown = [k for k in keys if k not in allowed]
            if unknown:
                raise self.fail(
                    where,
                    f"unknown key(s) {unknown}",
                    f"use only {', '.join(allowed)} (see docs/mappings.md)",
                )
        return dict(zip(keys, value.values(), strict=True))

    def key(self, key: Any, where: str) -> str:
        if isinstance(key, bool) or isinstance(key, float):
            raise self.fail(where, f"the key {key!r} was read by YAML as a {type(key).__name__}", "quote it")
        if key is None:
            return ""
        return str(key)

    def text(self, value: Any, where: str, *, allow_none: bool = False) -> str | None:
        if value is None and allow_none:
            return None
        if isinstance(value, bool) or isinstance(value, float):
            raise self.fail(
                where, f"{value!r} was read by YAML as a {type(value).__name__}", "quote the value"
            )
        if not isinstance(value, (str, int)):
            raise self.fail(where, f"expected text, found {value!r}", "write a single value")
        return str(value)

    def read_options(self, raw: dict[str, Any], where: str, base: ReadOptions) -> ReadOptions:
        options = dict(base.__dict__)
        for key in READ_KEYS:
            if key not in raw:
                continue
            value, at = raw[key], f"{where}.{key}"
            if key == "encoding":
                options[key] = self.text(value, at, allow_none=True)
            elif key == "delimiter":
                text = self.text(value, at, allow_none=True)
                text = _DELIMITER_WORDS.get(text, text) if text else None
                if text is not None and len(text) != 1:
                    raise self.fail(at, f"{value!r} is not one character", "write e.g. ';', ',', '|' or tab")
                options[key] = text
            elif key == "sheet":
                if isinstance(value, int) and not isinstance(value, bool) and value < 1:
                    raise self.fail(at, "sheet positions start at 1", "name the sheet or give its position")
                options[key] = value if isinstance(value, int) else self.text(value, at, allow_none=True)
            elif key == "header_row":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise self.fail(
                        at, f"{value!r} is not a line number", "give the header's line, 1 or more"
                    )
                options[key] = value
            elif key == "decimal":
                if value not in (".", ","):
                    raise self.fail(at, f"{value!r} is not a decimal mark", "write '.' or ','")
                options[key] = value
            elif key == "thousands":
                value = "" if value is None else value
                if value not in _THOUSANDS:
                    raise self.fail(
                        at, f"{value!r} is not a thousands separator", "write ' ', ',', '.', \"'\" or ''"
                    )
                options[key] = value
            elif key == "date_format":
                formats = [value] if isinstance(value, str) else value
                if not isinstance(formats, list) or not all(isinstance(f, str) and "%" in f for f in formats):
                    raise self.fail(at, f"{value!r} is not a strptime format", "write e.g. '%d.%m.%Y %H:%M'")
                options[key] = tuple(formats)
            elif key == "dayfirst":
                if not isinstance(value, bool):
                    raise self.fail(at, f"{value!r} is not true or false", "write dayfirst: true or false")
                options[key] = value
            elif key == "null_values":
                values = value if isinstance(value, list) else [value]
                if any(v is None for v in values):
                    raise self.fail(
                        at,
                        "YAML read a value (NULL, null, ~ or an empty item) as a null, not as text",
                        "quote it: null_values: ['NULL', '-']",
                    )
                options[key] = tuple(self.text(v, at) or "" for v in values)
            elif key == "header":
                if not isinstance(value, bool):
                    raise self.fail(at, f"{value!r} is not true or false", "write header: false and names:")
                options[key] = value
            elif key == "names":
                names = value if isinstance(value, list) else None
                texts = [self.text(v, at) or "" for v in names or []]
                if (
                    not texts
                    or any(not t.strip() for t in texts)
                    or len({t.strip().lower() for t in texts}) < len(texts)
                ):
                    raise self.fail(
                        at,
                        f"{value!r} is not a list of distinct column names",
                        "write e.g. names: [id, name]",
                    )
                options[key] = tuple(t.strip() for t in texts)
        if options["header"] == bool(options["names"]):
            raise self.fail(
                where,
                "names: names the columns of a file without a header row, and such a file needs names:",
                "write header: false together with names: [first column, second column, ...]",
            )
        if options["thousands"] == options["decimal"]:
            raise self.fail(where, "the decimal mark and the thousands separator are the same", "change one")
        return ReadOptions(**options)

    def source(self, raw: dict[str, Any], where: str, base: ReadOptions) -> SourceSpec:
        given = [k for k in ("file", "table", "query") if raw.get(k) is not None]
        if len(given) > 1:
            raise self.fail(
                where, f"{given} are given", "name one source: a file:, a database table: or a query:"
            )
        if given and given[0] != "file":
            text = self.text(raw[given[0]], f"{where}.{given[0]}") or ""
            if not text.strip():
                raise self.fail(where, f"{given[0]} is empty", f"write the database {given[0]}")
            return SourceSpec(
                "",
                self.read_options(raw, where, base),
                self.conditions(raw.get("where"), where),
                **{given[0]: text.strip()},
            )
        value = raw.get("file")
        file: str | tuple[str, ...] | None
        if isinstance(value, list):
            file = tuple(self.text(v, f"{where}.file") or "" for v in value)
            if not file or not all(file) or len(set(file)) < len(file):
                raise self.fail(
                    f"{where}.file", "a list of files must name distinct files", "write file: [a.csv, b.csv]"
                )
        else:
            file = self.text(value, f"{where}.file", allow_none=True)
        if not file:
            raise self.fail(
                where,
                "no file given",
                "add file: <name of the file under the data folder> (reading a database: table: or query:)",
            )
        return SourceSpec(file, self.read_options(raw, where, base), self.conditions(raw.get("where"), where))

    def lookups(
        self, raw: Any, where: str, base: ReadOptions, columns: Mapping[str, ColumnSource]
    ) -> dict[str, LookupSpec]:
        out = {}
        for column, spec in self.mapping(raw, where).items():
            at = f"{where}.{column}"
            if column not in columns or columns[column].constant is not None:
                raise self.fail(
                    where, f"{column!r} is not a column mapped from the file", "map it under columns"
                )
            spec = self.mapping(spec, at, (*_LOOKUP_KEYS, *READ_KEYS))
            named = {k: self.text(spec.get(k), f"{at}.{k}", allow_none=True) for k in ("key", "value")}
            if not named["key"] or not named["value"]:
                raise self.fail(
                    at,
                    "a lookup needs the other file's key column and value column",
                    "write e.g. {file: employees.csv, key: NationalID, value: EmployeeKey}",
                )
            out[column] = LookupSpec(self.source(spec, at, base), str(named["key"]), str(named["value"]))
        return out

    def conditions(self, raw: Any, where: str) -> tuple[Condition, ...]:
        out = []
        for column, rule in self.mapping(raw, f"{where}.where").items():
            at = f"{where}.where.{column}"
            if isinstance(rule, dict):
                ops = self.mapping(rule, at, _OPS)
                if len(ops) != 1:
                    raise self.fail(
                        at, "give exactly one condition per column", f"use one of {', '.join(_OPS)}"
                    )
                ((op, value),) = ops.items()
            else:
                op, value = ("in" if isinstance(rule, list) else "equals"), rule
            if op == "empty":
                if not isinstance(value, bool):
                    raise self.fail(at, "empty takes true or false", "write empty: true (or false)")
                out.append(Condition(column, "empty", empty=value))
                continue
            values = value if isinstance(value, list) else [value]
            texts = tuple((self.text(v, at, allow_none=True) or "").strip().casefold() for v in values)
            out.append(Condition(column, "not_in" if op in ("not_in", "not_equals") else "in", texts))
        return tuple(out)
