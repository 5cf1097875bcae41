"""Reading a data-set folder: one file per table, CSV or Parquet, the file's stem naming the table.

Files are read as they are, every CSV cell as text, so that nothing is converted (or lost) before the
validation sees it. Each frame gets a ``_row`` column with the row number the user sees in the file: the line
number for a CSV (the header is line 1), the 1-based position for Parquet and in-memory frames.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.schema import TABLES

__all__ = ["ROW", "RawTable", "find_table_files", "frame_table", "read_table"]

#: Name of the helper column that carries the user-visible row number through validation.
ROW = "_row"
SUFFIXES = (".csv", ".parquet")


@dataclass(frozen=True)
class RawTable:
    """A table as read, before validation: its name, where it came from, and the frame (with ``_row``)."""

    name: str
    source: str
    frame: pd.DataFrame


def find_table_files(folder: Path) -> dict[str, Path]:
    """Map each contract table found in ``folder`` to its file; fail on a missing folder or an ambiguity."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ParameterError(
            f"data folder {str(folder)!r} does not exist or is not a folder. Fix: pass the folder that holds "
            "orders.csv (or orders.parquet), e.g. data/demo (run `make demo` to create it)."
        )
    found: dict[str, Path] = {}
    for name in TABLES:
        candidates = [
            folder / f"{name}{suffix}" for suffix in SUFFIXES if (folder / f"{name}{suffix}").exists()
        ]
        if len(candidates) > 1:
            raise ParameterError(
                f"data folder {str(folder)!r} has both {candidates[0].name} and {candidates[1].name}. "
                "Fix: keep one file per table."
            )
        if candidates:
            found[name] = candidates[0]
    if "orders" not in found:
        raise DataValidationError(
            [
                Violation(
                    table="orders",
                    source=str(folder),
                    column=None,
                    rule="the required table 'orders' is missing (no orders.csv or orders.parquet)",
                    fix="add orders.csv with columns order_id, manager, customer_id, ordered_at, amount",
                )
            ]
        )
    return found


def _normalise_headers(frame: pd.DataFrame, name: str, source: str) -> pd.DataFrame:
    headers = [str(c).strip().lower() for c in frame.columns]
    duplicated = sorted({h for h in headers if headers.count(h) > 1})
    if duplicated or ROW in headers:
        clash = duplicated or [ROW]
        raise DataValidationError(
            [
                Violation(
                    table=name,
                    source=source,
                    column=clash[0],
                    rule=f"column name(s) {clash} appear more than once (headers are compared "
                    f"without case and surrounding spaces) or use the reserved name {ROW!r}",
                    fix="rename or remove the repeated column",
                )
            ]
        )
    return frame.set_axis(headers, axis=1)


def _field_count_violation(path: Path, name: str) -> Violation:
    """Scan a CSV whose rows do not all have the header's number of fields, and list the bad lines."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        bad: list[int] = []
        counts: set[int] = set()
        for record in reader:
            if len(record) != len(header) and record:
                bad.append(reader.line_num)
                counts.add(len(record))
    return Violation(
        table=name,
        source=str(path),
        column=None,
        rule=f"a row has {sorted(counts)} fields where the header has {len(header)}",
        rows=tuple(bad[:20]),
        n_rows=len(bad),
        fix="quote fields that contain the delimiter (e.g. addresses with commas) and export again; "
        "the file is not loaded at all rather than half-parsed",
    )


def read_table(name: str, path: Path) -> RawTable:
    """Read one table file (CSV as text, or Parquet) and number its rows as the user sees them."""
    path = Path(path)
    source = str(path)
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        first_row = 1
    else:
        try:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                encoding="utf-8-sig",
                skipinitialspace=False,
            )
        except pd.errors.EmptyDataError:
            spec = TABLES[name]
            expected = ", ".join(c.name for c in spec.columns if c.required)
            raise DataValidationError(
                [
                    Violation(
                        name,
                        source,
                        None,
                        "the file is empty",
                        fix=f"write a header line: {expected}",
                    )
                ]
            ) from None
        except pd.errors.ParserError:
            raise DataValidationError([_field_count_violation(path, name)]) from None
        except UnicodeDecodeError as exc:
            raise DataValidationError(
                [
                    Violation(
                        name,
                        source,
                        None,
                        f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                        fix="save it as UTF-8, or describe its encoding in a mapping file",
                    )
                ]
            ) from None
        first_row = 2
    return frame_table(name, frame, source=source, first_row=first_row)


def frame_table(name: str, frame: pd.DataFrame, *, source: str, first_row: int = 1) -> RawTable:
    """Wrap an in-memory frame as a raw table, numbering its rows from ``first_row``."""
    frame = _normalise_headers(frame.reset_index(drop=True), name, source)
    frame[ROW] = range(first_row, first_row + len(frame))
    return RawTable(name=name, source=source, frame=frame)
