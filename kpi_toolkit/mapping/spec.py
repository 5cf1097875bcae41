"""The mapping file: what it may say, read from YAML into checked, immutable objects.

Every key is checked: an unknown key, a contract column that does not exist or a required column left
unmapped is a :class:`~kpi_toolkit.errors.ParameterError` naming the mapping file, the key's path and the fix,
never a silently ignored setting. ``docs/mappings.md`` documents the schema with examples.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.schema import PLAN_ATTAINMENT_METRICS, TABLES
from kpi_toolkit.validation import check_stages
from kpi_toolkit.yamlfiles import YamlTooLarge, safe_load

__all__ = [
    "READ_KEYS",
    "ColumnSource",
    "Condition",
    "LinesSpec",
    "LookupSpec",
    "MappingSpec",
    "ReadOptions",
    "SourceSpec",
    "TableMapping",
    "UnpivotSpec",
    "read_mapping",
]

#: Settings of how to read a file; allowed under ``defaults:``, in a table and in ``amount_from_lines:``.
READ_KEYS = (
    "encoding",
    "delimiter",
    "sheet",
    "header_row",
    "decimal",
    "thousands",
    "date_format",
    "dayfirst",
    "null_values",
    "header",
    "names",
)
_TABLE_KEYS = (
    "file",
    "table",
    "query",
    "where",
    "columns",
    "values",
    "constants",
    "extra",
    "from_leads",
    "amount_from_lines",
    "group_lines",
    "lookup",
    "unpivot",
    "ignore_close_date_of_open_leads",
)
_TOP_KEYS = (
    "version",
    "description",
    "fiscal_year_start",
    "stages",
    "plan_metric",
    "defaults",
    "tables",
)
_LINES_KEYS = ("file", "table", "query", "where", "order_id", "quantity", "unit_price", "discount", "amount")
_GROUP_KEYS = ("quantity", "unit_price", "discount", "amount")
_LOOKUP_KEYS = ("file", "table", "query", "where", "key", "value")
_UNPIVOT_KEYS = ("columns", "period", "scale")
#: The names under which an unpivoted table's period and value reach ``columns`` (never a file's header).
UNPIVOT_PERIOD, UNPIVOT_VALUE = "(period from the column name)", "(value of the column)"
_GLOB = set("*?[")
_THOUSANDS = (" ", ",", ".", "'", "")
_DELIMITER_WORDS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_OPS = ("equals", "not_equals", "in", "not_in", "empty")


@dataclass(frozen=True)
class ReadOptions:
    """How to read one file (``None``: detect, or the default stated in ``docs/mappings.md``)."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    header_row: int = 1
    decimal: str = "."
    thousands: str = " "
    date_format: tuple[str, ...] = ()
    dayfirst: bool | None = None
    null_values: tuple[str, ...] = ()
    #: ``False``: the file has no header row; ``names`` names its columns in order.
    header: bool = True
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Condition:
    """A filter on a file's column: ``op`` is ``in``, ``not_in`` or ``empty`` (values compared casefolded)."""

    column: str
    op: Literal["in", "not_in", "empty"]
    values: tuple[str, ...] = ()
    empty: bool = True


@dataclass(frozen=True)
class SourceSpec:
    """A file under the data folder (or several: a list, or a pattern such as ``sales_*.csv``), how to read
    it and which of its rows to take."""

    file: str | tuple[str, ...]
    read: ReadOptions
    where: tuple[Condition, ...] = ()
    #: Instead of a file (``file`` is then ""): a database table or query (``kt.load(<database URL>)``).
    table: str | None = None
    query: str | None = None

    @property
    def several(self) -> bool:
        """Whether the table comes from several files (a list or a pattern)."""
        return isinstance(self.file, tuple) or bool(_GLOB & set(self.file))

    @property
    def in_database(self) -> bool:
        """Whether the rows come from a database table or query."""
        return self.table is not None or self.query is not None


@dataclass(frozen=True)
class UnpivotSpec:
    """A wide table made long: each column whose name matches ``pattern`` gives one row per file row, with
    ``period`` filled from the pattern's named groups and the file's columns, and the cell (x ``scale``)."""

    pattern: str
    period: str
    scale: str | None = None


@dataclass(frozen=True)
class LookupSpec:
    """A column's cells replaced through another file: a cell is found in ``key``; ``value`` replaces it."""

    source: SourceSpec
    key: str
    value: str


@dataclass(frozen=True)
class ColumnSource:
    """Where a contract column comes from: a column of the file, a template joining columns, or a constant."""

    column: str | None = None
    template: str | None = None
    constant: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The file's columns this source reads."""
        if self.column is not None:
            return (self.column,)
        if self.template is not None:
            return tuple(f for _, f, _, _ in string.Formatter().parse(self.template) if f is not None)
        return ()


@dataclass(frozen=True)
class LinesSpec:
    """Order amounts summed from order lines: ``quantity x unit_price x (1 - discount)``, or ``amount``."""

    source: SourceSpec
    order_id: str
    quantity: str | None = None
    unit_price: str | None = None
    discount: str | None = None
    amount: str | None = None


@dataclass(frozen=True)
class TableMapping:
    """How one contract table is built."""

    name: str
    source: SourceSpec | None
    columns: Mapping[str, ColumnSource] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)
    from_leads: Mapping[str, str] = field(default_factory=dict)
    lines: LinesSpec | None = None
    ignore_close_date_of_open_leads: bool = False
    #: Orders built from a file of order lines alone: one order per ``order_id``, amounts summed.
    group_lines: LinesSpec | None = None
    #: Contract columns whose cells are replaced through another file (``lookup:``).
    lookup: Mapping[str, LookupSpec] = field(default_factory=dict)
    #: Plans kept with a column per month (``unpivot:``).
    unpivot: UnpivotSpec | None = None


@dataclass(frozen=True)
class MappingSpec:
    """A checked mapping: the tables it builds, and the data set's options."""

    path: str
    tables: Mapping[str, TableMapping]
    fiscal_year_start: int | None = None
    description: str = ""
    #: The leads' stages in their order (``stages:``); ``None`` when the mapping does not set them.
    stages: tuple[str, ...] | None = None
    #: The KPI the plan attainment is measured on (``plan_metric:``); ``None`` when the mapping does not say.
    plan_metric: str | None = None


class _Reader:
    """Checks one mapping document, raising errors that name the file and the key's path."""

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

    def unpivot(self, raw: Any, where: str, name: str, columns: dict[str, ColumnSource]) -> UnpivotSpec:
        if name != "plans":
            raise self.fail(where, "unpivot makes the plans' period and target", "remove it")
        clash = [c for c in ("period", "target") if c in columns]
        if clash:
            raise self.fail(where, f"{clash} both mapped and made by unpivot", "remove them from columns")
        raw = self.mapping(raw, where, _UNPIVOT_KEYS)
        pattern = self.text(raw.get("columns"), f"{where}.columns", allow_none=True)
        period = self.text(raw.get("period"), f"{where}.period", allow_none=True)
        if not pattern or not period:
            raise self.fail(
                where,
                "unpivot needs columns: (a pattern of the wide columns' names) and period: (a template)",
                "write e.g. {columns: 'M(?P<month>\\d{2})', period: '{Year}-{month}'}",
            )
        try:
            groups = set(re.compile(pattern).groupindex)
        except re.error as exc:
            raise self.fail(
                f"{where}.columns", f"{pattern!r} is not a regular expression ({exc})", "correct it"
            ) from None
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(period) if f is not None]
        except ValueError as exc:
            raise self.fail(
                f"{where}.period", f"bad template ({exc})", "write e.g. '{Year}-{month}'"
            ) from None
        if not groups & set(fields):
            raise self.fail(
                f"{where}.period",
                f"the period {period!r} uses none of the pattern's named groups {sorted(groups)}",
                "name the part of the column name that differs, e.g. M(?P<month>\\d{2}), and use {month}",
            )
        scale = raw.get("scale")
        if scale is not None and (
            isinstance(scale, bool) or not isinstance(scale, (int, float)) or not 0 < scale < float("inf")
        ):
            raise self.fail(f"{where}.scale", f"{scale!r} is not a positive number", "write e.g. scale: 1000")
        columns["period"] = ColumnSource(column=UNPIVOT_PERIOD)
        columns["target"] = ColumnSource(column=UNPIVOT_VALUE)
        return UnpivotSpec(pattern, period, None if scale is None else repr(scale))

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

    def column_source(self, value: Any, where: str) -> ColumnSource:
        if isinstance(value, dict):
            spec = self.mapping(value, where, ("template",))
            template = self.text(spec.get("template"), f"{where}.template")
            try:
                fields = [f for _, f, _, _ in string.Formatter().parse(template or "") if f is not None]
            except ValueError as exc:
                raise self.fail(
                    where, f"bad template ({exc})", "write e.g. '{FirstName} {LastName}'"
                ) from None
            if not fields or any(not f for f in fields):
                raise self.fail(where, "a template names no column", "write e.g. '{FirstName} {LastName}'")
            return ColumnSource(template=template)
        return ColumnSource(column=self.text(value, where))

    def table(self, name: str, raw: Any, base: ReadOptions) -> TableMapping:
        where = f"tables.{name}"
        if name not in TABLES:
            raise self.fail("tables", f"unknown table {name!r}", f"map the tables {', '.join(TABLES)}")
        raw = self.mapping(raw, where, (*_TABLE_KEYS, *READ_KEYS))
        spec = TABLES[name]
        known = [c.name for c in spec.columns]
        columns = {}
        for column, value in self.mapping(raw.get("columns"), f"{where}.columns").items():
            if column not in known:
                raise self.fail(
                    f"{where}.columns", f"{column!r} is not a column of {name}", f"use {', '.join(known)}"
                )
            columns[column] = self.column_source(value, f"{where}.columns.{column}")
        for column, value in self.mapping(raw.get("constants"), f"{where}.constants").items():
            if column not in known or column in columns:
                raise self.fail(
                    f"{where}.constants",
                    f"{column!r} is not a column of {name}, or is mapped twice",
                    f"set each of {', '.join(known)} once",
                )
            columns[column] = ColumnSource(constant=self.text(value, f"{where}.constants.{column}"))
        values: dict[str, dict[str, str | None]] = {}
        for column, table in self.mapping(raw.get("values"), f"{where}.values").items():
            if column not in columns:
                raise self.fail(
                    f"{where}.values", f"{column!r} is not a mapped column", "map it under columns"
                )
            at = f"{where}.values.{column}"
            values[column] = {
                (k or "").strip().casefold(): self.text(v, f"{at}.{k}", allow_none=True)
                for k, v in self.mapping(table, at).items()
            }
        extra = {}
        for new, column in self.mapping(raw.get("extra"), f"{where}.extra").items():
            if new.strip().lower() in known or not new.strip():
                raise self.fail(
                    f"{where}.extra", f"{new!r} clashes with a contract column", "choose another name"
                )
            extra[new.strip().lower()] = self.text(column, f"{where}.extra.{new}")
        unpivot = None
        if "unpivot" in raw:
            unpivot = self.unpivot(raw["unpivot"], f"{where}.unpivot", name, columns)
        from_leads = self.mapping(raw.get("from_leads"), f"{where}.from_leads", ("amount", "customer_id"))
        if "from_leads" in raw:
            return self.derived_orders(name, raw, from_leads, where)
        source = self.source(raw, where, base)
        lines = grouped = None
        if "group_lines" in raw:
            grouped = self.group_lines(raw, f"{where}.group_lines", source, name, columns)
        if "amount_from_lines" in raw:
            lines = self.lines(raw["amount_from_lines"], f"{where}.amount_from_lines", base, name, columns)
        lookup = self.lookups(raw.get("lookup"), f"{where}.lookup", base, columns)
        ignore = raw.get("ignore_close_date_of_open_leads", False)
        if not isinstance(ignore, bool) or (ignore and name != "leads"):
            raise self.fail(
                f"{where}.ignore_close_date_of_open_leads",
                "takes true or false, in the leads table only",
                "write ignore_close_date_of_open_leads: true under tables.leads",
            )
        provided = set(columns) | ({"amount", "lines"} if lines or grouped else set())
        missing = [c.name for c in spec.columns if c.required and c.name not in provided]
        if missing:
            raise self.fail(where, f"required column(s) {missing} not mapped", "map them under columns")
        return TableMapping(
            name,
            source,
            columns,
            values,
            extra,
            lines=lines,
            ignore_close_date_of_open_leads=ignore,
            group_lines=grouped,
            lookup=lookup,
            unpivot=unpivot,
        )

    def derived_orders(
        self, name: str, raw: dict[str, Any], spec: dict[str, Any], where: str
    ) -> TableMapping:
        if name != "orders":
            raise self.fail(where, "from_leads builds only the orders table", "remove from_leads")
        other = [k for k in raw if k != "from_leads"]
        if other:
            raise self.fail(where, f"from_leads takes the rest from the leads; found {other}", "remove them")
        if "amount" not in spec:
            raise self.fail(
                f"{where}.from_leads", "no amount", "name the column with the deal's value: amount: ..."
            )
        clean = {k: self.text(v, f"{where}.from_leads.{k}") or "" for k, v in spec.items()}
        return TableMapping(name, None, from_leads=clean)

    def line_amount(self, raw: dict[str, Any], where: str) -> dict[str, str | None]:
        named = {k: self.text(raw.get(k), f"{where}.{k}", allow_none=True) for k in _GROUP_KEYS}
        if bool(named["amount"]) == bool(named["quantity"] and named["unit_price"]) or (
            named["amount"] and (named["quantity"] or named["unit_price"] or named["discount"])
        ):
            raise self.fail(
                where,
                "give either quantity and unit_price (and optionally discount), or amount",
                "name the lines' columns: quantity, unit_price, discount; or amount for a line total",
            )
        return named

    def group_lines(
        self,
        table: dict[str, Any],
        where: str,
        source: SourceSpec,
        name: str,
        columns: Mapping[str, ColumnSource],
    ) -> LinesSpec:
        if name != "orders":
            raise self.fail(where, "group_lines builds only the orders table", "remove it")
        if "amount_from_lines" in table:
            raise self.fail(
                where,
                "group_lines (orders from a lines file alone) and amount_from_lines (a header file and "
                "a lines file) exclude each other",
                "keep one of the two",
            )
        clash = [c for c in ("amount", "lines") if c in columns]
        if clash:
            raise self.fail(where, f"{clash} both mapped and computed from the lines", "remove them")
        order_id = columns.get("order_id")
        if order_id is None or order_id.constant is not None:
            raise self.fail(
                where, "the lines are grouped by order_id, which is not mapped", "map order_id under columns"
            )
        raw = self.mapping(table["group_lines"], where, _GROUP_KEYS)
        return LinesSpec(source, "", **self.line_amount(raw, where))

    def lines(
        self, raw: Any, where: str, base: ReadOptions, name: str, columns: Mapping[str, ColumnSource]
    ) -> LinesSpec:
        if name != "orders":
            raise self.fail(where, "amount_from_lines builds only order amounts", "remove it")
        if "amount" in columns:
            raise self.fail(where, "amount is both mapped and summed from lines", "keep one of the two")
        raw = self.mapping(raw, where, (*_LINES_KEYS, *READ_KEYS))
        source = self.source(raw, where, base)
        if not raw.get("order_id"):
            raise self.fail(where, "no order_id", "name the lines' column holding the order's id")
        return LinesSpec(source, str(raw["order_id"]), **self.line_amount(raw, where))


def read_mapping(mapping: str | Path | Mapping[str, Any]) -> MappingSpec:
    """Read and check a mapping: a YAML file's path, or the same content as a dict.

    Examples
    --------
    >>> spec = read_mapping({"tables": {"orders": {"file": "sales.csv", "columns": {
    ...     "order_id": "No", "manager": "Rep", "customer_id": "Client", "ordered_at": "Date",
    ...     "amount": "Total"}}}})
    >>> spec.tables["orders"].columns["amount"].column
    'Total'
    >>> read_mapping({"tables": {"orders": {"file": "sales.csv", "columns": {"amout": "Total"}}}})
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.ParameterError: mapping <dict>, tables.orders.columns: 'amout' is not a column ...
    """
    if isinstance(mapping, Mapping):
        document, path = dict(mapping), "<dict>"
    else:
        path = str(mapping)
        file = Path(mapping)
        if not file.is_file():
            raise ParameterError(
                f"mapping file {path!r} does not exist. Fix: pass the path of a YAML mapping."
            )
        try:
            document = safe_load(file.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, YamlTooLarge) as exc:
            raise ParameterError(
                f"mapping {path} is not valid YAML ({exc}). Fix: correct the file."
            ) from None
    reader = _Reader(path)
    document = reader.mapping(document, "top level", _TOP_KEYS)
    if document.get("version", 1) != 1:
        raise reader.fail("version", f"unsupported version {document['version']!r}", "write version: 1")
    base = reader.read_options(
        reader.mapping(document.get("defaults"), "defaults", READ_KEYS), "defaults", ReadOptions()
    )
    raw_tables = reader.mapping(document.get("tables"), "tables")
    if "orders" not in raw_tables:
        raise reader.fail("tables", "no orders table", "map at least the orders table")
    tables = {name: reader.table(name, raw, base) for name, raw in raw_tables.items()}
    if tables["orders"].from_leads:
        leads = tables.get("leads")
        if leads is None:
            raise reader.fail(
                "tables.orders.from_leads", "there is no leads table", "map the leads table too"
            )
        if "customer_id" not in tables["orders"].from_leads and "customer_id" not in leads.columns:
            raise reader.fail(
                "tables.orders.from_leads",
                "orders need customer_id, and the leads mapping has none",
                "map customer_id in the leads table, or add customer_id: <column> under from_leads",
            )
    fiscal = document.get("fiscal_year_start")
    if fiscal is not None and (
        not isinstance(fiscal, int) or isinstance(fiscal, bool) or not 1 <= fiscal <= 12
    ):
        raise reader.fail(
            "fiscal_year_start", f"{fiscal!r} is not a month number", "write a month from 1 to 12"
        )
    description = reader.text(document.get("description", ""), "description") or ""
    stages = check_stages(document.get("stages"), where=f"{path}: stages")
    plan_metric = document.get("plan_metric")
    if plan_metric is not None and plan_metric not in PLAN_ATTAINMENT_METRICS:
        raise reader.fail(
            "plan_metric",
            f"{str(plan_metric)[:40]!r} is not a KPI the plan can be measured on",
            f"write one of {', '.join(PLAN_ATTAINMENT_METRICS)} (gross_margin needs order costs)",
        )
    return MappingSpec(path, tables, fiscal, description, stages, plan_metric)
