"""Where the heavy step runs: pandas (the default), DuckDB or Spark.

``kt.load(folder, engine="duckdb")`` (or ``"spark"``) keeps orders and leads lazy: DuckDB relations or Spark
DataFrames over the folder's Parquet or CSV files, typed and validated by queries in the engine
(:mod:`kpi_toolkit.engines.lazy`). Only small tables come back to pandas: the per-manager monthly sums of
:func:`kpi_toolkit.aggregate.monthly_stats`, a few counts and dates, the first rows of a broken rule, and a
seeded sample of orders when a check needs raw amounts. Everything after the aggregation (KPIs, statistics,
reports) works on those.

Engine-specific code lives in :mod:`kpi_toolkit.engines.duckdb` and :mod:`kpi_toolkit.engines.spark` (reading,
typing), the hand-over of small results to pandas in :mod:`kpi_toolkit.engines.handover`; everything else
is written once with Narwhals. The engines depend on the data contract (:mod:`kpi_toolkit.schema`,
:mod:`kpi_toolkit.row_rules`, :mod:`kpi_toolkit.validation` ...), never on :mod:`kpi_toolkit.data`,
:mod:`kpi_toolkit.loading` or :mod:`kpi_toolkit.fingerprint`, which use them (``tests/test_layering.py``
checks it).
"""

from __future__ import annotations

from typing import Any, Literal

from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.errors import ParameterError

__all__ = ["ENGINES", "EngineName", "check_engine", "to_pandas"]

EngineName = Literal["pandas", "duckdb", "spark"]
#: The engines :func:`kpi_toolkit.load` runs on.
ENGINES: tuple[str, ...] = ("pandas", "duckdb", "spark")


def check_engine(engine: str, *, connection: Any = None) -> None:
    """Reject an unknown engine, and a connection given to the pandas engine.

    Examples
    --------
    >>> check_engine("duckdb")
    >>> check_engine("polars")
    Traceback (most recent call last):
    ...
    kpi_toolkit.errors.ParameterError: engine='polars' is not an engine of kpi_toolkit. Fix: use one of ...
    """
    if engine not in ENGINES:
        raise ParameterError(
            f"engine={engine!r} is not an engine of kpi_toolkit. Fix: use one of "
            f"{', '.join(map(repr, ENGINES))} (pandas for data that fits in memory, duckdb for larger "
            "Parquet or CSV folders, spark on a cluster)."
        )
    if engine == "pandas" and connection is not None:
        raise ParameterError(
            "connection= is for engine='duckdb' (a duckdb connection) or engine='spark' (a SparkSession); "
            "the pandas engine needs none. Fix: drop connection= or choose one of those engines."
        )
