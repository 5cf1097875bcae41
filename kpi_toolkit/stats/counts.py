"""Counts as the statistics take them: whole numbers, successes out of trials, and the per-manager count
frames (``manager, successes, trials`` and ``manager, count[, exposure]``), each checked with an error that
names the row and says how to fix it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.multiple import _data_error


def _whole(name: str, values: ArrayLike) -> NDArray[np.float64]:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if np.any(~np.isfinite(array)) or np.any(array < 0) or np.any(array != np.round(array)):
        raise ParameterError(f"{name} must hold whole numbers >= 0 (counts); got {array.tolist()[:5]}")
    return array


def _pairs(x1: ArrayLike, n1: ArrayLike, x2: ArrayLike, n2: ArrayLike) -> list[NDArray[np.float64]]:
    arrays = [_whole(k, v) for k, v in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2))]
    try:
        a1, m1, a2, m2 = np.broadcast_arrays(*arrays)
    except ValueError:
        raise ParameterError("x1, n1, x2 and n2 must have the same length (or be scalars)") from None
    if np.any(a1 > m1) or np.any(a2 > m2):
        raise ParameterError("successes exceed trials: need x1 <= n1 and x2 <= n2")
    return [a1, m1, a2, m2]


def _counts_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``manager, successes, trials`` frame; return it sorted by manager, counts as int64."""
    table = "counts"
    if not isinstance(counts, pd.DataFrame):
        raise ParameterError(
            f"counts must be a DataFrame with columns manager, successes, trials; got {type(counts).__name__}"
        )
    missing = [c for c in ("manager", "successes", "trials") if c not in counts.columns]
    if missing:
        raise _data_error(
            table,
            missing[0],
            f"column(s) {missing} missing; found {list(counts.columns)}",
            np.zeros(len(counts), bool),
            [],
            "pass one row per manager with columns "
            "manager, successes (e.g. leads won), trials (e.g. leads closed)",
        )
    frame = counts.loc[:, ["manager", "successes", "trials"]].reset_index(drop=True)
    for column in ("successes", "trials"):
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        if bad.any():
            raise _data_error(
                table,
                column,
                "not a whole number >= 0 (NaN is not allowed: a manager without leads has 0 trials)",
                bad.to_numpy(),
                frame.loc[bad, column].tolist(),
                f"fill {column} with counts; use 0 for none",
            )
        frame[column] = values.astype("int64")
    over = (frame["successes"] > frame["trials"]).to_numpy()
    if over.any():
        raise _data_error(
            table,
            "successes",
            "successes exceed trials",
            over,
            frame.loc[over, "manager"].tolist(),
            "successes must be <= trials",
        )
    dup = frame["manager"].duplicated(keep=False).to_numpy()
    if dup.any() or frame["manager"].isna().any():
        bad = dup | frame["manager"].isna().to_numpy()
        raise _data_error(
            table,
            "manager",
            "manager missing or repeated",
            bad,
            frame.loc[bad, "manager"].tolist(),
            "give one row per manager",
        )
    return frame.sort_values("manager", kind="stable").reset_index(drop=True)


def _events_frame(counts: pd.DataFrame) -> pd.DataFrame:
    """Validate a ``manager, count[, exposure]`` frame; return it sorted with an ``exposure`` column."""
    if not isinstance(counts, pd.DataFrame) or not {"manager", "count"} <= set(counts.columns):
        found = list(counts.columns) if isinstance(counts, pd.DataFrame) else type(counts).__name__
        raise ParameterError(
            f"counts must be a DataFrame with columns manager, count and optionally exposure; found {found}"
        )
    frame = counts.reset_index(drop=True)
    exposure = frame["exposure"] if "exposure" in frame.columns else 1.0
    frame = pd.DataFrame({"manager": frame["manager"], "count": frame["count"], "exposure": exposure})
    for column, whole in (("count", True), ("exposure", False)):
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~np.isfinite(values) | (values < 0) | ((values != np.round(values)) & whole)
        if bad.any():
            raise _data_error(
                "counts",
                column,
                "missing, negative" + (" or not whole" if whole else ""),
                bad.to_numpy(),
                frame.loc[bad, column].tolist(),
                f"fill {column} (0 for none)",
            )
        frame[column] = values
    bad = frame["manager"].isna() | frame["manager"].duplicated(keep=False)
    if bad.any():
        raise _data_error(
            "counts",
            "manager",
            "manager missing or repeated",
            bad.to_numpy(),
            frame.loc[bad, "manager"].tolist(),
            "give one row per manager",
        )
    return frame.sort_values("manager", kind="stable").reset_index(drop=True)
