"""Reading a mapping file: YAML into the checked, immutable objects of :mod:`kpi_toolkit.mapping.spec`
(:func:`read_mapping`). Every key is checked: an unknown key, a contract column that does not exist or a
required column left unmapped is a :class:`~kpi_toolkit.errors.ParameterError` naming the mapping file, the
key's path and the fix. The keys of where rows come from and how to read them are checked by
:mod:`kpi_toolkit.mapping.source_reader`; this module checks the tables, their columns and the top level.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.mapping.source_reader import _SourceReader
from kpi_toolkit.mapping.spec import (
    READ_KEYS,
    UNPIVOT_PERIOD,
    UNPIVOT_VALUE,
    ColumnSource,
    LinesSpec,
    MappingSpec,
    ReadOptions,
    SourceSpec,
    TableMapping,
    UnpivotSpec,
)
from kpi_toolkit.row_rules import check_stages
from kpi_toolkit.schema import PLAN_ATTAINMENT_METRICS, TABLES
from kpi_toolkit.yamlfiles import YamlTooLarge, safe_load

__all__ = ["read_mapping"]

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
_UNPIVOT_KEYS = ("columns", "period", "scale")


class _Reader(_SourceReader):
    """Checks one mapping document, raising errors that name the file and the key's path."""

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
