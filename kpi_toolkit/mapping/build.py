"""Building the contract's tables from an export by its mapping: the step before validation.

The result is a :class:`~kpi_toolkit.reading.StagedData`: the same raw tables a canonical folder gives
(contract columns as text, ``_row`` as the user sees it in the source file), so validation, quarantine and
every engine after it never see the export's shape. Cells that cannot be converted, and order lines that
cannot be summed, become findings (file, column as the user named it, rows, fix) that are reported or
quarantined with the rest.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.mapping.cell_reader import _CellReader
from kpi_toolkit.mapping.convert import (
    nullify,
    text_cells,
)
from kpi_toolkit.mapping.database import Database
from kpi_toolkit.mapping.files import SourceFile
from kpi_toolkit.mapping.lines import grouped_orders, line_amounts
from kpi_toolkit.mapping.spec import (
    LinesSpec,
    MappingSpec,
    SourceSpec,
    TableMapping,
)
from kpi_toolkit.mapping.wide import scale_numbers, unpivot
from kpi_toolkit.reading import ROW, RawTable, StagedData

__all__ = ["apply_mapping"]

_ORDER = ("leads", "orders", "plans", "managers")
_FROM_LEADS = {
    "order_id": "lead_id",
    "manager": "manager",
    "customer_id": "customer_id",
    "ordered_at": "closed_at",
}


def _status_is(status: pd.Series, word: str) -> pd.Series:
    """Per row: the status cell is ``word`` (any case, surrounding spaces; a missing cell: no)."""
    return status.astype(object).map(lambda v: isinstance(v, str) and v.strip().lower() == word).astype(bool)


class _Builder(_CellReader):
    """Builds the contract's tables of one mapping from the cells :class:`_CellReader` reads."""

    def table(self, mapping: TableMapping, source: SourceSpec) -> RawTable:
        name = mapping.name
        setting = f"tables.{name}"
        file = self.read(source, name)
        base, keep = self.select(file, source, name, setting)
        if mapping.group_lines is not None:
            return grouped_orders(self, mapping, file, base, file.frame[~keep])
        filtered = int((~keep).sum())
        wide = mapping.unpivot
        named: dict[str, str] = {}
        wide_column = pd.Series(dtype=object)
        if wide is not None:  # rows are cells: filtered counts those of rows left out, and empty ones
            file, base, filtered, wide_column = unpivot(
                file, base, wide, source.read.null_values, table=name, left_out=filtered
            )
            named = {"period": f"{wide.period!r} from the columns {wide.pattern!r}", "target": wide.pattern}
        rows = base[ROW]
        out: dict[str, pd.Series] = {}
        labels: dict[str, str] = {}
        for column, origin in mapping.columns.items():
            values, label = self.column_values(file, base, mapping, column, origin, setting)
            label = named.get(column, label)
            if wide is not None and column == "target":  # a bad cell names its own column (M05)
                parts = [
                    self.convert(name, column, values[hit], rows[hit], source.read, file.source, header)
                    for header in wide_column.unique()
                    if (hit := wide_column == header).any()
                ]
                out[column] = pd.concat(parts).reindex(values.index) if parts else values
            else:
                out[column] = self.convert(name, column, values, rows, source.read, file.source, label)
            labels[column] = label
        if wide is not None and wide.scale is not None:
            out["target"] = scale_numbers(out["target"], wide.scale)
        for new, column in mapping.extra.items():
            out[new] = text_cells(
                self.cells(file, base, column, name, f"{setting}.extra.{new}"), source.read.null_values
            )
        frame = pd.DataFrame(out, index=base.index)
        if mapping.ignore_close_date_of_open_leads and "closed_at" in frame:
            is_open = _status_is(frame["status"], "open")
            frame["closed_at"] = frame["closed_at"].where(~is_open, None)
        frame[ROW] = rows
        raw = RawTable(name, file.source, frame.reset_index(drop=True), labels, filtered)
        if mapping.lines is None:
            return raw
        return self.lines(raw, mapping.lines, self.order_ids(file, file.frame[~keep], mapping))

    def orders_from_leads(self, mapping: TableMapping, leads: RawTable, source: SourceSpec) -> RawTable:
        file = self.read(source, "leads")
        frame = leads.frame
        won = _status_is(frame["status"], "won")
        taken = frame[won].reset_index(drop=True)
        rows = taken[ROW]
        out = {target: taken[column] for target, column in _FROM_LEADS.items() if column in taken}
        labels = {target: leads.labels.get(column, column) for target, column in _FROM_LEADS.items()}
        taken_rows = set(rows)
        for table, column, row in list(self.staged.covered):  # cells the leads' findings explain
            if table == "leads" and row in taken_rows:
                for target, origin in _FROM_LEADS.items():
                    if origin == column:
                        self.staged.covered.add(("orders", target, row))
        by_row = file.frame.set_index(ROW)
        read = source.read
        where = "tables.orders.from_leads"
        if "customer_id" in mapping.from_leads:
            column = mapping.from_leads["customer_id"]
            cells = by_row.loc[rows, file.position(column, table="orders", setting=where)].reset_index(
                drop=True
            )
            out["customer_id"] = text_cells(cells, read.null_values)
            labels["customer_id"] = file.header(column, table="orders", setting=where)
        column = mapping.from_leads["amount"]
        cells = by_row.loc[rows, file.position(column, table="orders", setting=where)].reset_index(drop=True)
        labels["amount"] = file.header(column, table="orders", setting=where)
        values = nullify(cells, read.null_values)
        out["amount"] = self.convert("orders", "amount", values, rows, read, file.source, labels["amount"])
        out["lead_id"] = taken["lead_id"]
        labels["lead_id"] = labels["order_id"]
        result = pd.DataFrame(out)
        result[ROW] = rows
        total = len(frame) + leads.rows_filtered
        return RawTable("orders", file.source, result, labels, total - len(result))

    def lines(self, orders: RawTable, spec: LinesSpec, left_out: set[str]) -> RawTable:
        """Order amounts summed from the lines file; lines of orders ``where:`` left out go with them."""
        setting = "tables.orders.amount_from_lines"
        file = self.read(spec.source, "orders")
        base, kept = self.select(file, spec.source, "orders", setting)
        nulls = spec.source.read.null_values
        name = Path(file.source.split(", sheet ")[0]).name
        key = text_cells(self.cells(file, base, spec.order_id, "orders", setting), nulls)
        ids = orders.frame["order_id"]
        known = set(ids.dropna())
        gone = key.isin(left_out) & ~key.isin(known)  # lines of orders where: left out: filtered with them
        base, key = base[~gone], key[~gone]
        filtered = int((~kept).sum()) + int(gone.sum())
        rows = base[ROW]
        line_amount, invalid, formula = line_amounts(self, file, base, spec, setting)
        if key.isna().any():
            label = file.header(spec.order_id, table="orders", setting=setting)
            missing = key.isna()
            self.report(
                "orders",
                file.source,
                label,
                "the order line names no order",
                "fill in the order's id",
                rows[missing],
                key[missing],
            )
            invalid |= missing
        formula += f" summed over {name}"
        frame = orders.frame.copy()
        stray = key.notna() & ~key.isin(known)
        if stray.any():
            self.report(
                "orders",
                file.source,
                file.header(spec.order_id, table="orders", setting=setting),
                f"the order line's order is not in {Path(orders.source.split(', sheet ')[0]).name}",
                "add the order, correct the id, or filter the line out with where:",
                rows[stray],
                key[stray],
            )
            invalid |= stray
        valid = ~invalid
        sums = line_amount[valid].groupby(key[valid]).sum()
        counts = key.dropna().groupby(key.dropna()).size()
        broken = set(key[invalid & key.notna()])
        header_rows = frame[ROW]
        no_lines = ids.notna() & ~ids.isin(counts.index)
        if no_lines.any():
            self.report(
                "orders",
                orders.source,
                formula,
                f"the order has no lines in {name}",
                "add its lines, or filter the order out with where:",
                header_rows[no_lines],
                ids[no_lines],
                covers="amount",
            )
        hit = ids.isin(broken)
        if hit.any():
            self.report(
                "orders",
                orders.source,
                formula,
                f"the amount cannot be summed: some of the order's lines in {name} are invalid",
                f"correct the lines reported for {name}",
                header_rows[hit],
                ids[hit],
                covers="amount",
            )
        frame["amount"] = [repr(float(sums[i])) if i in sums.index and i not in broken else None for i in ids]
        if "lines" not in frame or frame["lines"].isna().all():
            frame["lines"] = [str(int(counts[i])) if i in counts.index else None for i in ids]
        labels = {**orders.labels, "amount": formula, "lines": f"number of lines in {name}"}
        # the lines file's own accounting: read (not filtered) = valid + invalid lines
        part = ("order_lines", file.source, len(key), int(invalid.sum()), filtered)
        return RawTable("orders", orders.source, frame, labels, orders.rows_filtered, parts=(part,))

    def order_ids(self, file: SourceFile, rows: pd.DataFrame, mapping: TableMapping) -> set[str]:
        """The order ids of ``rows`` (rows ``where:`` left out), read as the table reads them."""
        origin = mapping.columns["order_id"]
        values, _ = self.column_values(file, rows, mapping, "order_id", origin, "tables.orders", report=False)
        return set(text_cells(values).dropna())

    def build(self) -> StagedData:
        tables = self.spec.tables
        for name in _ORDER:
            if name not in tables:
                continue
            mapping = tables[name]
            leads_source = tables["leads"].source if "leads" in tables else None
            if mapping.from_leads and leads_source is not None:
                built = self.orders_from_leads(mapping, self.staged.tables["leads"], leads_source)
            elif mapping.source is not None:
                built = self.table(mapping, mapping.source)
            else:  # read_mapping never builds such a mapping
                raise ParameterError(
                    f"mapping {self.spec.path}: tables.{name} names no file. Fix: add file:."
                )
            self.staged.tables[name] = built
        return self.staged


def apply_mapping(
    spec: MappingSpec,
    folder: str | Path | None,
    *,
    database: Database | None = None,
    allow_outside_data: bool = False,
    keep_originals: bool = True,
) -> StagedData:
    """Read the files ``spec`` names under ``folder`` (or the tables and queries it names in ``database``)
    and build the contract's tables from them.

    A file outside ``folder`` (an absolute path, ``..``) is refused unless ``allow_outside_data``. Each file's
    rows are kept as text for the quarantine (``StagedData.originals``) unless ``keep_originals`` is false.

    Raises :class:`~kpi_toolkit.errors.DataValidationError` for problems with a whole file (missing column,
    ragged rows, undecidable encoding or date order, empty file); cells that do not convert are findings in
    the result, validated (or quarantined) with the contract's rules.
    """
    return _Builder(
        spec,
        None if folder is None else Path(folder),
        database,
        allow_outside_data=allow_outside_data,
        keep_originals=keep_originals,
    ).build()
