"""Wide tables made long (``unpivot:``): a plan sheet with a column per month becomes one target per row.

Almost every sales plan is kept as ``Year, Rep, M01 ... M12``. Each column whose name matches the pattern
(the whole name, any case) gives one row per file row: the period is the template filled from the pattern's
named groups and the file's columns (``{Year}-{month}``), the value is the cell. A ``month`` group must be a
month (1-12, ``01``-``12`` or an English month name, written as two digits), a ``quarter`` group 1-4: a
matching column that is not one is an error naming the column. Empty cells and null markers (``-``,
``NULL``) are no target: they make no row and are counted as filtered.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal, InvalidOperation

import pandas as pd

from kpi_toolkit.errors import DataValidationError, Violation
from kpi_toolkit.mapping.convert import nullify, text_cells
from kpi_toolkit.mapping.files import SourceFile
from kpi_toolkit.mapping.spec import UNPIVOT_PERIOD, UNPIVOT_VALUE, UnpivotSpec
from kpi_toolkit.reading import ROW

__all__ = ["scale_numbers", "unpivot"]

_FULL = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december")  # fmt: skip
_MONTHS = {name: i + 1 for i, name in enumerate(_FULL)} | {name[:3]: i + 1 for i, name in enumerate(_FULL)}


def _part(group: str, value: str) -> str | None:
    """A named group's text as the period needs it (``None``: not a month or quarter)."""
    text = value.strip()
    if group == "month":
        number = int(text) if text.isdigit() else _MONTHS.get(text.lower().rstrip("."))
        return f"{number:02d}" if number is not None and 1 <= number <= 12 else None
    if group == "quarter":
        digits = text.upper().removeprefix("Q")
        return digits if digits in ("1", "2", "3", "4") else None
    return text


def _text(value: object) -> str:
    """A cell of ``text_cells`` to fill in: a missing one (``None`` or ``NaN``) is empty."""
    return value if isinstance(value, str) else ""


def unpivot(
    file: SourceFile,
    base: pd.DataFrame,
    spec: UnpivotSpec,
    nulls: tuple[str, ...],
    *,
    table: str,
    left_out: int,
) -> tuple[SourceFile, pd.DataFrame, int, pd.Series]:
    """The long form of ``base``: the file with the period and value columns added, its rows (one per
    row and matching column, in file order), the cells filtered (those of the ``left_out`` rows that
    ``where:`` left out, and those without a value: no row made), and each row's column name."""
    pattern = re.compile(spec.pattern, flags=re.IGNORECASE)
    matched = [(i, m) for i, h in enumerate(file.headers) if (m := pattern.fullmatch(str(h).strip()))]
    if not matched:
        raise DataValidationError(
            [
                Violation(
                    table,
                    file.source,
                    None,
                    f"no column name matches the unpivot pattern {spec.pattern!r}",
                    fix="correct unpivot: columns: in the mapping; the file's columns are "
                    f"{list(file.headers)}",
                )
            ]
        )
    fields = [f for _, f, _, _ in string.Formatter().parse(spec.period) if f is not None]
    width = len(file.headers)
    parts = []
    for position, match in matched:
        groups = {}
        for group, value in match.groupdict().items():
            groups[group] = _part(group, value or "")
            if groups[group] is None:
                raise DataValidationError(
                    [
                        Violation(
                            table,
                            file.source,
                            file.headers[position],
                            f"the column's {group} {value!r} is not a {group}",
                            fix=f"rename the column, or narrow the unpivot pattern {spec.pattern!r} so that "
                            "it leaves the column out",
                        )
                    ]
                )
        cells = {
            f: text_cells(base[file.position(f, table=table, setting=f"tables.{table}.unpivot.period")])
            for f in fields
            if f not in groups
        }
        period = [
            "".join(
                literal + ("" if f is None else (groups[f] if f in groups else _text(cells[f][i])))
                for literal, f, _, _ in string.Formatter().parse(spec.period)
            ).strip()
            or None
            for i in base.index
        ]
        part = base.copy()
        part[width] = period
        part[width + 1] = nullify(base[position], nulls)
        part["_order"] = position
        parts.append(part)
    long = pd.concat(parts).sort_values([ROW, "_order"], kind="stable")
    empty = long[width + 1].isna()
    long = long[~empty].reset_index(drop=True)
    columns = [*range(width), width, width + 1, ROW]
    headers = (*file.headers, UNPIVOT_PERIOD, UNPIVOT_VALUE)
    wide = SourceFile(file.source, headers, long[columns], file.how, file.header_line, file.parts)
    origin = long["_order"].map(lambda i: str(file.headers[i]).strip())
    return wide, long[columns], left_out * len(matched) + int(empty.sum()), origin


def scale_numbers(values: pd.Series, scale: str) -> pd.Series:
    """Numbers as text times ``scale``, in decimal arithmetic (1.1 x 1000 is 1100, not 1100.0000000000002).

    >>> scale_numbers(pd.Series(["1.1", None, "7500.0"], dtype=object), "1000").tolist()
    ['1100.0', None, '7500000.0']
    """
    factor = Decimal(scale)

    def times(value: object) -> str | None:
        if value is None or value != value:  # missing (None, or NaN in a text column)
            return None
        try:
            return repr(float(Decimal(str(value)) * factor))
        except InvalidOperation:
            return None

    return pd.Series([times(v) for v in values], index=values.index, dtype=object)
