"""Small questions asked of a table on any engine: its distinct values, its extremes, a seeded sample.

Each works on a pandas frame as on a lazy DuckDB relation or Spark DataFrame, through Narwhals, and brings
back only the (small) answer.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from kpi_toolkit.engines.handover import to_pandas

__all__ = ["aggregate", "distinct_values", "sample_rows"]


def _lazy(frame: Any) -> nw.LazyFrame:
    native = nw.from_native(frame)
    return native.lazy() if isinstance(native, nw.DataFrame) else native


def distinct_values(frame: Any, column: str) -> list[Any]:
    """The distinct non-missing values of ``column``, sorted.

    Examples
    --------
    >>> distinct_values(pd.DataFrame({"m": ["b", "a", "b", None]}), "m")
    ['a', 'b']
    """
    if isinstance(frame, pd.DataFrame):
        return sorted(frame[column].dropna().unique().tolist())
    values = to_pandas(_lazy(frame).group_by(column).agg(nw.len()))[column]  # a group-by: no window
    return sorted(values.dropna().tolist())


def aggregate(frame: Any, **exprs: nw.Expr) -> dict[str, Any]:
    """Evaluate named aggregate Narwhals expressions on ``frame``; one value each (missing: ``None``).

    Examples
    --------
    >>> frame = pd.DataFrame({"t": pd.to_datetime(["2026-07-01", "2026-08-15"])})
    >>> aggregate(frame, first=nw.col("t").min(), last=nw.col("t").max())
    {'first': Timestamp('2026-07-01 00:00:00'), 'last': Timestamp('2026-08-15 00:00:00')}
    """
    row = to_pandas(_lazy(frame).select(**exprs)).iloc[0]
    return {name: (None if pd.isna(row[name]) else row[name]) for name in exprs}


def sample_rows(
    frame: Any,
    *,
    by: str,
    order: str,
    max_rows: int | None,
    seed: int,
    lazy: Any = None,
) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """At most ``max_rows`` rows per value of ``by``, drawn the same way on every engine.

    The rows of each group are sorted by ``order`` (unique within the group); for the groups in sorted order,
    ``numpy.random.default_rng(seed).choice(n, max_rows, replace=False)`` picks the positions kept in each
    group with more than ``max_rows`` rows. A lazy engine counts the groups, draws the positions in Python and
    fetches only the chosen rows (numbering each group's rows by ``order`` in the engine; ``lazy`` turns the
    small table of chosen positions into a frame of that engine). Returns the rows (sorted by ``by`` and
    ``order``) and ``{group: [rows, rows kept]}`` for each group sampled.

    Examples
    --------
    >>> frame = pd.DataFrame({"m": ["a"] * 5 + ["b"], "id": list("54321") + ["9"]})
    >>> rows, sampled = sample_rows(frame, by="m", order="id", max_rows=2, seed=1)
    >>> rows["id"].tolist(), sampled
    (['2', '3', '9'], {'a': [5, 2]})
    """
    native = nw.from_native(frame)
    counts = to_pandas(_lazy(frame).group_by(by).agg(nw.len().alias("_n")))
    counts = counts.sort_values(by, kind="stable", ignore_index=True)
    rng = np.random.default_rng(seed)
    chosen: dict[str, np.ndarray] = {}
    sampled: dict[str, list[int]] = {}
    if max_rows is not None:
        for group, n in zip(counts[by], counts["_n"], strict=True):
            if n > max_rows:
                chosen[str(group)] = np.sort(rng.choice(int(n), size=int(max_rows), replace=False)) + 1
                sampled[str(group)] = [int(n), int(max_rows)]
    if isinstance(native, nw.DataFrame):
        rows = native.to_pandas().sort_values([by, order], kind="stable", ignore_index=True)
        if chosen:
            position = rows.groupby(by, sort=False).cumcount() + 1
            keep = pd.Series(True, index=rows.index)
            for group, picks in chosen.items():
                inside = rows[by] == group
                keep &= ~inside | position.isin(picks)
            rows = rows.loc[keep].reset_index(drop=True)
        return rows, sampled
    whole = native.filter(~nw.col(by).is_in(list(chosen))) if chosen else native
    parts = [to_pandas(whole)]
    if chosen:
        picks = pd.DataFrame(
            [(group, int(p)) for group, positions in chosen.items() for p in positions],
            columns=[by, "_position"],
        ).astype({by: "string", "_position": "int64"})
        ranked = native.filter(nw.col(by).is_in(list(chosen))).with_columns(
            nw.col(order).rank(method="ordinal").over(by).cast(nw.Int64).alias("_position")
        )
        parts.append(to_pandas(ranked.join(lazy(picks), on=[by, "_position"], how="inner").drop("_position")))
    rows = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    return rows.sort_values([by, order], kind="stable", ignore_index=True), sampled
