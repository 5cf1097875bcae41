"""The hand-over from an engine to Python: small (aggregated) results collected as Arrow, then pandas.

Imports nothing of the engines' modules, so that each of them (and the data layer above them) can use it.
"""

from __future__ import annotations

import warnings
from typing import Any

import narwhals as nw
import pandas as pd
import pyarrow as pa

__all__ = ["PANDAS_WARNING", "to_arrow", "to_pandas"]

#: The start of PySpark 4's warning that it does not support pandas 3 fully (silenced around hand-overs).
PANDAS_WARNING = "PySpark does not yet fully support pandas"


def to_arrow(frame: Any) -> pa.Table:
    """Collect a (small) Spark DataFrame as an Arrow table: the Spark engine's one hand-over to Python.

    PySpark 4 warns, on conversions, that it does not fully support pandas 3; Arrow conversion does not use
    pandas, so that warning (a ``FutureWarning`` starting with :data:`PANDAS_WARNING`) is silenced here.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=PANDAS_WARNING, category=FutureWarning)
        return frame.toArrow()


def to_pandas(frame: Any) -> pd.DataFrame:
    """Collect a small (aggregated) frame of any engine as pandas: the one hand-over from an engine to pandas.

    Accepts a pandas frame (returned as is), a Narwhals DataFrame or LazyFrame, or a native DuckDB relation or
    Spark DataFrame. DuckDB and Spark results come through Arrow; Spark's warnings about pandas versions are
    silenced only around its hand-over (:func:`to_arrow`).

    Examples
    --------
    >>> to_pandas(nw.from_native(pd.DataFrame({"a": [1, 2]})).lazy().select(nw.col("a").sum()))
       a
    0  3
    """
    if isinstance(frame, pd.DataFrame):
        return frame
    native = frame.to_native() if isinstance(frame, nw.LazyFrame) else frame
    if type(native).__module__.startswith("duckdb") and hasattr(native, "to_arrow_table"):
        return native.to_arrow_table().to_pandas()  # a relation's Arrow table, without Narwhals' frame around
    frame = nw.from_native(frame)
    if isinstance(frame, nw.DataFrame):
        return frame.to_pandas()
    if frame.implementation.is_pyspark() or frame.implementation.is_pyspark_connect():
        return to_arrow(frame.to_native()).to_pandas()
    if frame.implementation.is_pandas():
        return frame.collect(backend="pandas").to_native()
    return frame.collect(backend="pyarrow").to_native().to_pandas()
