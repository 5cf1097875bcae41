"""Order lines: each line's amount, and orders built from a file of order lines alone (``group_lines:``).

An ERP's sales fact table often has one row per order line and no order header file: every line repeats the
order's number, date, customer and sales rep. ``group_lines`` makes one order per ``order_id`` from such a
file: the order-level columns are taken from its lines, which must agree (two lines of one order naming two
reps is an error naming the order and its lines, never a silent pick), ``amount`` is the sum of the lines'
amounts and ``lines`` their number. An order's row, in messages and in the quarantine, is its first line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from kpi_toolkit.mapping.convert import convert_numbers, nullify, text_cells
from kpi_toolkit.mapping.files import SourceFile
from kpi_toolkit.mapping.spec import LinesSpec, TableMapping
from kpi_toolkit.reading import ROW, RawTable


class _Builder(Protocol):
    """What the lines functions ask of the mapping's builder (:class:`kpi_toolkit.mapping.build._Builder`),
    named here so that the builder can call them without an import circle."""

    def report(
        self, table: str, source: str, label: str, rule: str, fix: str, rows: pd.Series, examples: pd.Series,
        *, covers: str | None = None,
    ) -> None: ...  # fmt: skip

    def cells(
        self, file: SourceFile, base: pd.DataFrame, name: str, table: str, setting: str
    ) -> pd.Series: ...

    def column_values(
        self, file: SourceFile, base: pd.DataFrame, mapping: TableMapping, column: str, origin: Any,
        setting: str, *, report: bool = True,
    ) -> tuple[pd.Series, str]: ...  # fmt: skip


__all__ = ["grouped_orders", "line_amounts"]

_SHOWN_ORDERS = 3


def line_amounts(
    builder: _Builder, file: SourceFile, base: pd.DataFrame, spec: LinesSpec, setting: str
) -> tuple[pd.Series, pd.Series, str]:
    """Each line's amount (``quantity x unit_price x (1 - discount)`` or the amount column), the mask of
    invalid lines (reported, with file, column and line) and the formula as the file names its columns."""
    read = spec.source.read
    rows = base[ROW]
    invalid = pd.Series(False, index=base.index)

    def problem(mask: pd.Series, column: str, rule: str, fix: str, values: pd.Series) -> None:
        nonlocal invalid
        if mask.any():
            label = file.header(column, table="orders", setting=setting)
            builder.report("orders", file.source, label, rule, fix, rows[mask], values[mask])
            invalid |= mask

    def number(column: str, what: str, *, empty_ok: bool = False) -> pd.Series:
        raw = nullify(builder.cells(file, base, column, "orders", setting), read.null_values)
        out, bad = convert_numbers(raw, decimal=read.decimal, thousands=read.thousands)
        problem(
            bad,
            column,
            f"the {what} of an order line is not a number (decimal mark {read.decimal!r})",
            "correct the cells, or set decimal: and thousands: for the lines in the mapping",
            raw,
        )
        values = out.astype("float64")
        if not empty_ok:
            problem(
                values.isna() & ~bad,
                column,
                f"the {what} of an order line is empty",
                f"fill in every {what}",
                raw,
            )
        problem(
            values < 0,
            column,
            f"the {what} of an order line is negative",
            "amounts are net revenue >= 0; record returns outside the orders",
            raw,
        )
        return values

    def header(column: str | None) -> str:
        return file.header(str(column), table="orders", setting=setting)

    if spec.amount:
        return number(spec.amount, "amount"), invalid, header(spec.amount)
    quantity = number(str(spec.quantity), "quantity")  # the spec guarantees both columns here
    price = number(str(spec.unit_price), "unit price")
    formula = f"{header(spec.quantity)} × {header(spec.unit_price)}"
    amount = quantity * price
    if spec.discount:
        discount = number(spec.discount, "discount", empty_ok=True)
        problem(
            discount > 1,
            spec.discount,
            "the discount of an order line is above 1",
            "write discounts as fractions, e.g. 0.15 for 15 %",
            discount,
        )
        amount = amount * (1 - discount.fillna(0.0))
        formula += f" × (1 − {header(spec.discount)})"
    return amount, invalid, formula


def _disagreements(
    builder: _Builder,
    file: SourceFile,
    key: pd.Series,
    rows: pd.Series,
    values: dict[str, pd.Series],
    labels: dict[str, str],
) -> None:
    """Report every order whose lines disagree on an order-level column (rows: all the order's lines)."""
    for column, cells in values.items():
        if column == "order_id":
            continue
        text = text_cells(cells).fillna("")
        distinct = text.groupby(key).nunique()
        split = distinct.index[distinct > 1]
        if not len(split):
            continue
        hit = key.isin(split)
        examples = pd.Series(
            [
                f"order {order}: " + " / ".join(repr(v) for v in dict.fromkeys(text[key == order]))
                for order in list(split)[:_SHOWN_ORDERS]
            ],
            dtype=object,
        )
        builder.report(
            "orders",
            file.source,
            labels[column],
            f"the lines of one order disagree on {column}, which an order has once ({len(split)} order(s))",
            f"correct the lines, or map {column} from a column that is the same on every line of an order",
            rows[hit],
            examples,
            covers=column,
        )


def grouped_orders(
    builder: _Builder, mapping: TableMapping, file: SourceFile, base: pd.DataFrame, left_out: pd.DataFrame
) -> RawTable:
    """One order per ``order_id`` of the lines in ``base`` (``group_lines:``); see the module's rules.

    ``rows_filtered`` counts the orders every line of which ``where:`` left out (``left_out``: those lines).
    """
    spec = mapping.group_lines
    assert spec is not None and mapping.source is not None
    setting = "tables.orders"
    read = mapping.source.read
    rows = base[ROW]
    values: dict[str, pd.Series] = {}
    labels: dict[str, str] = {}
    for column, origin in mapping.columns.items():
        values[column], labels[column] = builder.column_values(file, base, mapping, column, origin, setting)
    for new, column in mapping.extra.items():
        at = f"{setting}.extra.{new}"
        values[new] = text_cells(builder.cells(file, base, column, "orders", at), read.null_values)
        labels[new] = file.header(column, table="orders", setting=at)
    key = text_cells(values["order_id"])
    line_amount, invalid, formula = line_amounts(builder, file, base, spec, f"{setting}.group_lines")
    missing = key.isna()
    if missing.any():
        builder.report(
            "orders",
            file.source,
            labels["order_id"],
            "the order line names no order",
            "fill in the order's id, or filter the line out with where:",
            rows[missing],
            key[missing],
        )
    has = ~missing
    key, rows, line_amount, invalid = key[has], rows[has], line_amount[has], invalid[has]
    values = {column: cells[has] for column, cells in values.items()}
    _disagreements(builder, file, key, rows, values, labels)
    first = key.index[~key.duplicated()]
    order_rows = rows.loc[first]
    out: dict[str, pd.Series] = {}
    for column, cells in values.items():
        if column in mapping.columns:
            out[column] = builder.convert(
                "orders", column, cells.loc[first], order_rows, read, file.source, labels[column]
            )
        else:
            out[column] = text_cells(cells.loc[first])
    frame = pd.DataFrame(out, index=first)
    ids = frame["order_id"]
    sums = line_amount[~invalid].groupby(key[~invalid]).sum()
    counts = key.groupby(key).size()
    broken = set(key[invalid])
    name = Path(file.source.split(", sheet ")[0]).name
    formula += f" summed per order over {name}"
    hit = ids.isin(broken)
    if hit.any():
        builder.report(
            "orders",
            file.source,
            formula,
            "the amount cannot be summed: some of the order's lines are invalid",
            "correct the lines reported",
            order_rows[hit],
            ids[hit],
            covers="amount",
        )
    frame["amount"] = [repr(float(sums[i])) if i in sums.index and i not in broken else None for i in ids]
    frame["lines"] = [str(int(counts[i])) for i in ids]
    frame[ROW] = order_rows
    labels |= {"amount": formula, "lines": f"number of lines in {name}"}
    dropped = builder.order_ids(file, left_out, mapping) - set(ids)
    return RawTable("orders", file.source, frame.reset_index(drop=True), labels, len(dropped))
