"""The data fingerprint of a lazy table: the same canonical form as on pandas, streamed from the engine.

:func:`kpi_toolkit.fingerprint.data_fingerprint` hashes each table column by column, rows sorted by the
table's key. For a DuckDB relation or Spark DataFrame the rows are sorted in the engine (ids compared as
text) and streamed in Arrow batches; each batch's column bytes are computed by the very function the pandas
path uses and spooled to temporary files, one per column and chunk, which are then hashed in the canonical
order. Memory stays bounded by a batch; the same data gives the same fingerprint on every engine.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pyarrow as pa

from kpi_toolkit.canonical import column_bytes
from kpi_toolkit.engines.handover import to_arrow

__all__ = ["BATCH_ROWS", "lazy_table_columns"]

#: Rows per Arrow batch streamed from the engine.
BATCH_ROWS = 1 << 18


def _batches(frame: nw.LazyFrame) -> Iterator[pa.RecordBatch]:
    native = frame.to_native()
    if frame.implementation.is_pyspark() or frame.implementation.is_pyspark_connect():
        yield from to_arrow(native).to_batches(max_chunksize=BATCH_ROWS)
        return
    reader = getattr(native, "to_arrow_reader", None) or native.fetch_record_batch  # DuckDB < 1.4
    yield from reader(BATCH_ROWS)


def lazy_table_columns(
    frame: Any, *, keys: tuple[str, ...], kinds: dict[str, str], folder: Path
) -> tuple[int, list[tuple[str, str, bytes, list[Path]]]]:
    """Stream a lazy table sorted by ``keys`` and spool each column's canonical bytes under ``folder``.

    Returns the row count and, per column in sorted order, ``(column, type tag, packed missing mask, chunk
    files)``, exactly what :func:`kpi_toolkit.fingerprint.data_fingerprint` hashes for a pandas table.
    """
    lazy = nw.from_native(frame)
    columns = sorted(lazy.columns)
    as_text = [c for c, t in lazy.collect_schema().items() if kinds.get(c) == "id" and t != nw.String]
    ordered = lazy.with_columns(*(nw.col(c).cast(nw.String) for c in as_text)) if as_text else lazy
    ordered = ordered.sort(*[k for k in keys if k in columns], nulls_last=True)
    masks: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    tags: dict[str, str] = {}
    files: dict[str, list[Path]] = {}
    handles: dict[Path, Any] = {}
    n = 0
    try:
        for batch in _batches(ordered.select(*columns)):
            n += batch.num_rows
            table = batch.to_pandas()
            for i, column in enumerate(columns):
                tag, missing, chunks = column_bytes(kinds.get(column, "extra"), table[column])
                tags[column] = tag
                masks[column].append(missing)
                paths = files.setdefault(column, [folder / f"{i}-{j}" for j in range(len(chunks))])
                for path, chunk in zip(paths, chunks, strict=True):
                    handle = handles.get(path) or handles.setdefault(path, open(path, "wb"))
                    handle.write(chunk)
    finally:
        for handle in handles.values():
            handle.close()
    out = []
    for i, column in enumerate(columns):
        if column not in tags:  # no rows: the pandas path's bytes of an empty column of this kind
            import pandas as pd

            empty = pd.Series(
                [], dtype="string" if kinds.get(column) in ("id", "text", "status") else "float64"
            )
            if kinds.get(column) == "datetime":
                empty = pd.Series([], dtype="datetime64[ns]")
            tag, _, chunks = column_bytes(kinds.get(column, "extra"), empty)
            tags[column] = tag
            files[column] = []
            for j, chunk in enumerate(chunks):
                path = folder / f"{i}-{j}"
                path.write_bytes(chunk)
                files[column].append(path)
        missing = np.concatenate(masks[column]) if masks[column] else np.zeros(0, dtype=bool)
        out.append((column, tags[column], np.packbits(missing).tobytes(), files[column]))
    return n, out


def spool() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for the spooled column bytes (removed when the fingerprint is done)."""
    return tempfile.TemporaryDirectory(prefix="kpi-fingerprint-")
