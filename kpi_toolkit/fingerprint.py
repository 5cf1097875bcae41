"""A fingerprint of a validated data set: the same tables give the same hash, whatever file format held them.

A report records the fingerprint of the data it was made from, so that a number in it can be traced to the
exact data and reproduced.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from kpi_toolkit.canonical import column_bytes
from kpi_toolkit.data import SalesData
from kpi_toolkit.schema import TABLES

__all__ = ["FINGERPRINT_VERSION", "TABLE_KEYS", "data_fingerprint"]

#: Names the canonical form below; it changes only if the form changes.
#: 2: activities are part of the data; 3: optional columns empty throughout are left out (so a column the
#: contract gains later does not change the fingerprint of data without it), the leads' stages are hashed.
FINGERPRINT_VERSION = "kpi-toolkit-data-3"
#: The columns that order each table's rows (unique by the data contract, so the order is total); activities
#: have no key and are ordered by all their columns (rows alike are interchangeable).
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "orders": ("order_id",),
    "leads": ("lead_id",),
    "plans": ("manager", "team", "period", "metric"),
    "managers": ("manager",),
    "activities": (),
    "assignments": ("manager", "valid_from"),
    "returns": ("return_id",),
}


def data_fingerprint(data: SalesData) -> str:
    """The sha256 of the validated tables of ``data`` in a canonical form, as ``sha256:<hex>``.

    Parameters
    ----------
    data
        A validated data set (:func:`kpi_toolkit.load` or :func:`kpi_toolkit.from_frames`).

    Returns
    -------
    str
        ``"sha256:"`` and 64 hexadecimal digits.

    Notes
    -----
    The canonical form hashes, in this order: the version tag :data:`FINGERPRINT_VERSION`; the data set's
    ``fiscal_year_start`` (it changes what the period labels of ``plans`` mean), its ``plan_metric`` when it
    is not ``sales_volume`` and its leads' ``stages`` when set; then each table present, in the order of
    :data:`TABLE_KEYS`, as its name and row count followed by its columns in sorted order, leaving out the
    optional columns that are empty throughout (as if absent). Rows are sorted by the table's key
    (:data:`TABLE_KEYS`, unique by the contract; activities
    by all their columns). Each column contributes its name, a type tag, its missing-value mask and its
    values: dates as int64 nanoseconds (UTC), numbers (amounts, targets, counts) as float64 (``-0.0`` as
    ``0.0``), ids and text as length-prefixed UTF-8. Columns outside the contract are hashed as text
    (stripped, empty as missing, whole floats as integers), since a CSV file holds them as text and a Parquet
    file may type them.

    So the same data gives the same fingerprint whether it was read from CSV or Parquet, in any row or column
    order, and with any spelling the loader normalises (``WON`` and ``won``, ``2026-07-01T00:00`` and
    ``2026-07-01``); any change of a value, a row or a column gives another. The file paths and row counts
    of the reading are not part of it.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> orders = pd.DataFrame({"order_id": ["1", "2"], "manager": ["ann", "bob"], "customer_id": ["c1", "c2"],
    ...                        "ordered_at": ["2026-07-01", "2026-08-15"], "amount": [100.0, 250.0]})
    >>> a = data_fingerprint(kt.from_frames(orders))
    >>> a == data_fingerprint(kt.from_frames(orders.iloc[::-1, ::-1])), a[:7], len(a)
    (True, 'sha256:', 71)
    >>> a == data_fingerprint(kt.from_frames(orders.assign(amount=[100.0, 250.01])))
    False
    """
    digest = hashlib.sha256()

    def put(*chunks: bytes | Path) -> None:
        for chunk in chunks:
            if isinstance(chunk, Path):  # spooled bytes of a lazy engine's column (kpi_toolkit.engines)
                digest.update(chunk.stat().st_size.to_bytes(8, "little"))
                with chunk.open("rb") as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                continue
            digest.update(len(chunk).to_bytes(8, "little"))
            digest.update(chunk)

    put(FINGERPRINT_VERSION.encode(), str(int(data.fiscal_year_start)).encode())
    if data.plan_metric != "sales_volume":  # a setting that changes the attainment; absent by default
        put(b"plan_metric", data.plan_metric.encode())
    if data.stages:  # the stages' order changes the pipeline's weights
        put(b"stages", "\x1f".join(data.stages).encode("utf-8"))
    for name in TABLE_KEYS:
        frame: pd.DataFrame | None = getattr(data, name)
        if frame is None:
            continue
        if not isinstance(frame, pd.DataFrame):  # lazy (DuckDB, Spark): sorted and streamed in the engine
            from kpi_toolkit.engines.fingerprint import lazy_table_columns, spool

            kinds = {c.name: c.kind for c in TABLES[name].columns}
            optional = {c.name for c in TABLES[name].columns if not c.required}
            with spool() as folder:
                keys = TABLE_KEYS[name]
                n, columns = lazy_table_columns(frame, keys=keys, kinds=kinds, folder=Path(folder))
                put(name.encode(), str(n).encode())
                for column, tag, missing_bits, files in columns:
                    if column in optional and np.unpackbits(np.frombuffer(missing_bits, np.uint8))[:n].all():
                        continue  # empty throughout: as if absent
                    put(column.encode("utf-8"), tag.encode(), missing_bits, *files)
            continue
        keys = [k for k in TABLE_KEYS[name] if k in frame.columns] or sorted(frame.columns)
        ordered = frame.sort_values(keys, kind="stable", na_position="last") if keys else frame
        ordered = ordered.reset_index(drop=True)
        kinds = {c.name: c.kind for c in TABLES[name].columns}
        optional = {c.name for c in TABLES[name].columns if not c.required}
        put(name.encode(), str(len(ordered)).encode())
        for column in sorted(ordered.columns):
            if column in optional and bool(ordered[column].isna().all()):
                continue  # empty throughout: as if absent
            tag, missing, chunks = column_bytes(kinds.get(column, "extra"), ordered[column])
            put(column.encode("utf-8"), tag.encode(), np.packbits(missing).tobytes(), *chunks)
    return "sha256:" + digest.hexdigest()
