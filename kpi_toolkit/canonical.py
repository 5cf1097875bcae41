"""The canonical bytes of a column: the form :func:`kpi_toolkit.fingerprint.data_fingerprint` hashes.

Part of the data contract (which kinds of column there are and how each is written down), so that the pandas
path and the lazy engines (:mod:`kpi_toolkit.engines.fingerprint`) share it without importing each other.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = ["column_bytes"]


def _text(values: pd.Series) -> pd.Series:
    """Any column as text: the canonical form of columns outside the contract."""
    if pd.api.types.is_float_dtype(values):
        values = values.map(lambda v: v if pd.isna(v) or not float(v).is_integer() else int(v))
    text = values.astype("string").str.strip()
    return text.mask(text == "")


def column_bytes(kind: str, values: pd.Series) -> tuple[str, np.ndarray, list[bytes]]:
    """The column's canonical type tag, its missing-value mask and its values as bytes."""
    if kind == "datetime":
        stamps = pd.to_datetime(values).astype("datetime64[ns]")
        missing = stamps.isna().to_numpy()
        ints = stamps.to_numpy().view("<i8").copy()
        ints[missing] = 0
        return "datetime64[ns]", missing, [ints.astype("<i8").tobytes()]
    if kind in ("number", "integer"):
        numbers = pd.to_numeric(values).astype("float64").to_numpy(copy=True)
        missing = np.isnan(numbers)
        numbers[missing] = 0.0
        numbers += 0.0  # -0.0 is 0.0
        return "float64", missing, [numbers.astype("<f8").tobytes()]
    text = _text(values) if kind == "extra" else values.astype("string")
    missing = text.isna().to_numpy()
    # Arrow's string layout is the canonical form: offsets give the lengths, the data buffer the bytes
    array = pa.array(text, from_pandas=True, type=pa.large_string()).fill_null("")
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    offsets = np.frombuffer(array.buffers()[1], dtype="<i8")[array.offset : array.offset + len(array) + 1]
    data = array.buffers()[2]
    payload = b"" if data is None or not len(array) else data.to_pybytes()[offsets[0] : offsets[-1]]
    return "utf-8", missing, [np.diff(offsets).astype("<i8").tobytes(), payload]
