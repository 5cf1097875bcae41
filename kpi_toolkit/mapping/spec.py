"""The mapping file: what it may say, as checked, immutable objects (read from YAML by
:func:`kpi_toolkit.mapping.reader.read_mapping`).

Every key is checked: an unknown key, a contract column that does not exist or a required column left
unmapped is a :class:`~kpi_toolkit.errors.ParameterError` naming the mapping file, the key's path and the fix,
never a silently ignored setting. ``docs/mappings.md`` documents the schema with examples.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

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
#: The names under which an unpivoted table's period and value reach ``columns`` (never a file's header).
UNPIVOT_PERIOD, UNPIVOT_VALUE = "(period from the column name)", "(value of the column)"
_GLOB = set("*?[")


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
