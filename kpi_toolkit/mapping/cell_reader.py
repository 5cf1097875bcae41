"""Reading an export's files and turning their cells into contract values, for the builder of
:mod:`kpi_toolkit.mapping.build`: the files and database tables a mapping names (each read once, its
original rows kept for the quarantine), the rows ``where:`` keeps, each contract column's cells (a
column, a template, a constant, a lookup, a value map) and their conversion, and the findings for cells
that do not convert.
"""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.mapping.convert import (
    DateOrderUnknown,
    apply_values,
    arrow_text,
    convert_dates,
    convert_numbers,
    nullify,
    nullify_column,
    text_cells,
    text_column,
)
from kpi_toolkit.mapping.database import Database
from kpi_toolkit.mapping.files import SourceFile, as_text, read_sources
from kpi_toolkit.mapping.spec import (
    ColumnSource,
    LookupSpec,
    MappingSpec,
    ReadOptions,
    SourceSpec,
    TableMapping,
)
from kpi_toolkit.reading import ROW, StagedData
from kpi_toolkit.schema import TABLES

__all__: list[str] = []


def file_nulls(mapping: TableMapping) -> tuple[str, ...]:
    """The null markers of the table's file."""
    return mapping.source.read.null_values if mapping.source is not None else ()


def _date_how(read: ReadOptions) -> str:
    if read.date_format:
        return "formats " + ", ".join(repr(f) for f in read.date_format) + " or ISO 8601"
    if read.dayfirst is None:
        return "ISO 8601 or day.month.year"
    return "ISO 8601 or " + ("day.month.year" if read.dayfirst else "month/day/year")


def _text_or_empty(value: object) -> str:
    """A cell of :func:`text_cells` as text to fill in: a missing one (``None`` or ``NaN``) is empty."""
    return value if isinstance(value, str) else ""


def _as_text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame.map(as_text)``: a file's cells as text, for the quarantine. An Arrow-backed text column (a CSV
    file's) is that already: it is kept as it is, its buffers shared with the file's, not copied."""
    if len(frame) and all(arrow_text(frame[c]) for c in frame.columns):
        return frame.copy(deep=False)
    return frame.map(as_text)


class _CellReader:
    """Reads the files of one mapping and the cells of its contract columns, collecting findings in
    ``staged``."""

    def __init__(
        self,
        spec: MappingSpec,
        folder: Path | None,
        database: Database | None = None,
        *,
        allow_outside_data: bool = False,
        keep_originals: bool = True,
    ) -> None:
        self.spec = spec
        self.folder = Path(folder) if folder is not None else None
        self.database = database
        self.allow_outside_data = allow_outside_data
        #: Whether each file's rows are kept as text for the quarantine (``on_invalid="quarantine"``)
        self.keep_originals = keep_originals
        self.files: dict[tuple[object, ...], SourceFile] = {}
        self.staged = StagedData(tables={})

    # -- reading and selecting
    def read(self, source: SourceSpec, table: str) -> SourceFile:
        key = (source.file, source.table, source.query, source.read)
        if key not in self.files:
            if source.in_database:
                if self.database is None:
                    raise ParameterError(
                        f"mapping {self.spec.path}: {table} names a database table: or query:, which needs a "
                        "database to read. Fix: load from its URL, e.g. kt.load('postgresql://user@host/db', "
                        "mapping=...), or name a file: instead."
                    )
                file = self.database.read(table=source.table, query=source.query, of=table)
            elif self.folder is None:
                raise ParameterError(
                    f"mapping {self.spec.path}: {table} names the file {source.file!r}, but the data come "
                    "from a database, which has no files. Fix: name the database's table: or query: instead."
                )
            else:
                file = read_sources(
                    self.folder, source, table=table, allow_outside_data=self.allow_outside_data
                )
            self.files[key] = file
            if not self.keep_originals:  # nothing is quarantined: the rows as text would only hold memory
                return file
            names, seen = [], {}
            for header in file.headers:
                seen[header] = seen.get(header, 0) + 1
                names.append(header if seen[header] == 1 else f"{header} ({seen[header]})")
            original = _as_text_frame(file.frame.drop(columns=[ROW])).set_axis(names, axis=1)
            for part, first, last, offset in file.parts:  # several files: which file and line a row is
                inside = file.frame[ROW].between(first, last)
                original.loc[inside, "(file)"] = Path(part).name
                original.loc[inside, "(line)"] = (file.frame[ROW] - offset).astype(str)
            original[ROW] = file.frame[ROW]
            self.staged.originals[file.source] = original
        return self.files[key]

    def select(
        self, file: SourceFile, source: SourceSpec, table: str, setting: str
    ) -> tuple[pd.DataFrame, pd.Series]:
        """The rows that meet every ``where:`` condition, and the mask of them."""
        keep = pd.Series(True, index=file.frame.index)
        for condition in source.where:
            cells = text_cells(
                file.column(condition.column, table=table, setting=f"{setting}.where"),
                source.read.null_values,
            )
            if condition.op == "empty":
                hit = cells.isna() if condition.empty else cells.notna()
            else:
                hit = cells.map(lambda v: v.casefold() if isinstance(v, str) else "").isin(condition.values)
                hit = hit if condition.op == "in" else ~hit
            keep &= hit
        return file.frame[keep], keep

    # -- findings
    def report(
        self,
        table: str,
        source: str,
        label: str,
        rule: str,
        fix: str,
        rows: pd.Series,
        examples: pd.Series,
        *,
        covers: str | None = None,
    ) -> None:
        rows = rows.drop_duplicates()  # a wide table's row gives several (one per unpivoted column)
        shown = list(dict.fromkeys(as_text(v) or "" for v in examples))[:3]
        self.staged.findings.append(
            Violation(table, source, label, rule, tuple(int(r) for r in rows), len(rows), tuple(shown), fix)
        )
        if covers:
            self.staged.covered.update((table, covers, int(r)) for r in rows)

    def convert(
        self,
        table: str,
        column: str,
        values: pd.Series,
        rows: pd.Series,
        read: ReadOptions,
        source: str,
        label: str,
    ) -> pd.Series:
        kind = (
            TABLES[table].column(column).kind if column in {c.name for c in TABLES[table].columns} else "text"
        )
        if kind == "datetime":
            try:
                out, bad = convert_dates(values, date_format=read.date_format, dayfirst=read.dayfirst)
            except DateOrderUnknown as exc:
                problem = (
                    "holds both day-first and month-first dates"
                    if exc.mixed
                    else "holds dates that could be day-first or month-first (no number above 12 tells which)"
                )
                raise DataValidationError(
                    [
                        Violation(
                            table,
                            source,
                            label,
                            f"the column {problem}",
                            examples=tuple(exc.examples),
                            fix="set dayfirst: true (03.04.2026 is 3 April) or dayfirst: false (March 4), or "
                            "date_format: '%d.%m.%Y', for this file in the mapping",
                        )
                    ]
                ) from None
            if bad.any():
                self.report(
                    table,
                    source,
                    label,
                    f"not a date for {column} (read as {_date_how(read)})",
                    "correct the cells, or describe the format with date_format: or dayfirst: in the mapping",
                    rows[bad],
                    values[bad],
                    covers=column,
                )
            return out
        if kind in ("number", "integer"):
            out, bad = convert_numbers(values, decimal=read.decimal, thousands=read.thousands)
            if bad.any():
                self.report(
                    table,
                    source,
                    label,
                    f"not a number for {column} (read with decimal mark {read.decimal!r} and thousands "
                    f"separator {'a space' if read.thousands == ' ' else repr(read.thousands)})",
                    "correct the cells, or set decimal: and thousands: for this file in the mapping",
                    rows[bad],
                    values[bad],
                    covers=column,
                )
            return out
        return text_column(values)

    # -- a contract column's cells
    def cells(self, file: SourceFile, base: pd.DataFrame, name: str, table: str, setting: str) -> pd.Series:
        return base[file.position(name, table=table, setting=setting)]

    def column_values(
        self,
        file: SourceFile,
        base: pd.DataFrame,
        mapping: TableMapping,
        column: str,
        origin: ColumnSource,
        setting: str,
        *,
        report: bool = True,
    ) -> tuple[pd.Series, str]:
        """A contract column's cells as the mapping reads them (before conversion), and its label."""
        name, nulls = mapping.name, file_nulls(mapping)
        where = f"{setting}.columns.{column}"
        if origin.column is not None:
            values = nullify_column(self.cells(file, base, origin.column, name, where), nulls)
            label = file.header(origin.column, table=name, setting=where)
        elif origin.template is not None:
            parts = {f: text_cells(self.cells(file, base, f, name, where), nulls) for f in origin.fields}
            values = pd.Series(
                [self.fill(origin.template, {f: parts[f][i] for f in parts}) for i in base.index],
                index=base.index,
                dtype=object,
            )
            label = origin.template
        else:
            values = pd.Series(origin.constant, index=base.index, dtype=object)
            label = f"constant {origin.constant!r}"
        lookup = mapping.lookup.get(column)
        if lookup is not None:
            values = self.look_up(values, lookup, name, column, label, file.source, base[ROW], report=report)
        return apply_values(values, mapping.values.get(column)), label

    def look_up(
        self,
        values: pd.Series,
        spec: LookupSpec,
        table: str,
        column: str,
        label: str,
        source: str,
        rows: pd.Series,
        *,
        report: bool,
    ) -> pd.Series:
        """Cells replaced through the lookup file; a cell not among its keys is reported, never dropped."""
        setting = f"tables.{table}.lookup.{column}"
        file = self.read(spec.source, table)
        base, _ = self.select(file, spec.source, table, setting)
        nulls = spec.source.read.null_values
        keys = text_cells(self.cells(file, base, spec.key, table, f"{setting}.key"), nulls)
        found = nullify(self.cells(file, base, spec.value, table, f"{setting}.value"), nulls)
        pairs = pd.DataFrame({"key": keys, "value": found.map(as_text)}).dropna(subset=["key"])
        twice = pairs.groupby("key")["value"].nunique(dropna=False)
        clash = pairs["key"].isin(twice.index[twice > 1])
        if clash.any():
            hit = base.loc[clash[clash].index, ROW]
            raise DataValidationError(
                [
                    Violation(
                        table,
                        file.source,
                        file.header(spec.key, table=table, setting=setting),
                        f"the lookup's key column holds a key twice with different values of {spec.value!r}",
                        rows=tuple(int(r) for r in hit[:20]),
                        n_rows=len(hit),
                        examples=tuple(dict.fromkeys(pairs.loc[clash, "key"]))[:3],
                        fix="keep one row per key in the lookup file, or filter the others out with where:",
                    )
                ]
            )
        first = ~pairs["key"].duplicated()
        lookup = dict(zip(pairs.loc[first, "key"], found[pairs.index[first]], strict=True))
        cells = text_cells(values)
        unmatched = cells.notna() & ~cells.isin(list(lookup))
        if unmatched.any() and report:
            self.report(
                table,
                source,
                label,
                f"not found in the column {file.header(spec.key, table=table, setting=setting)!r} of "
                f"{Path(file.source.split(', sheet ')[0]).name} (the lookup of {column})",
                f"add the missing keys to {Path(file.source).name}, or correct the cells",
                rows[unmatched],
                values[unmatched],
                covers=column,
            )
        return pd.Series(
            [None if c is None else lookup.get(c) for c in cells], index=cells.index, dtype=object
        )

    @staticmethod
    def fill(template: str, values: dict[str, str | None]) -> str | None:
        text = "".join(
            literal + ("" if field is None else _text_or_empty(values[field]))
            for literal, field, _, _ in string.Formatter().parse(template)
        ).strip()
        return text or None
