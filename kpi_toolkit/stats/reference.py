"""The family of comparisons against the rest: who is compared with whom, and the robust reference.

Against ``"rest"``, one extreme colleague distorts the pooled rest of everyone else: a manager with twice the
team's average check lifts the rest's average and makes every other manager look low. With
``reference="robust"`` (the default of the comparison builders) the pooled rest leaves out *extreme*
managers, found by a screen that an extreme colleague cannot mask:

1. each manager with enough data (``min_n``) gets a z-score against the median manager, using the sampling
   error of its own KPI at the team's median value (rates: binomial; average check: log amounts with the
   median within-manager variance; counts: Poisson);
2. the z-scores are scaled by a robust spread, :math:`s = \\max(1, 1.4826\\,\\mathrm{MAD}(z))`, so that
   real but ordinary differences between managers (overdispersion) do not make everyone extreme;
3. managers with :math:`|z - \\mathrm{median}(z)|/s >` :data:`EXTREME_Z` (3.5) are extreme, none when
   fewer than 3 managers have enough data. If more than :func:`max_left_out` of the k managers with enough
   data are extreme (a fifth of them, at least one), the team is not one group with a few outliers but a
   split one (say 4 managers at 15 % and 7 at 32 %), and nobody is left out: leaving out one side would
   make a manager at the team's average look low against the other side;
4. the table is computed with each manager against the pooled other managers minus the extreme ones; then
   the managers found ``above`` or ``below`` in it are left out as well and the table is computed once
   more (a second pass, not iterated; skipped if it would leave out more than :func:`max_left_out`).
   Step 4 catches a colleague who is clearly, but not extremely, different.

An extreme or flagged manager itself is compared with the rest of the others minus the left-out ones; the
``versus`` column names who was left out (``"rest excl. M07"``). Under the null (all managers alike) the
screen almost never fires (|z| > 3.5 has probability ~5e-4 per manager) and step 4 only acts once a manager
has already been flagged, so the family-wise error rate is that of the plain rest; with one colleague
different, the others are compared with a rest that does not contain it. ``tests/stats/test_simulations.py``
shows both, and that a manager at the average of a split team is called ``below`` no more often than
``alpha`` allows. Managers below ``min_n`` are never left out and their data stay in the others' rest.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["EXTREME_Z", "max_left_out"]

#: Robust z beyond which a manager is left out of the others' reference (``reference="robust"``).
EXTREME_Z = 3.5


def max_left_out(k: int) -> int:
    """How many of ``k`` managers with enough data the robust reference may leave out: a fifth, at least 1.

    >>> [max_left_out(k) for k in (3, 4, 7, 10, 14, 20)]
    [1, 1, 1, 2, 2, 4]
    """
    return max(1, min(k // 5, (k - 1) // 2))


def _extremes(z: NDArray, eligible: NDArray) -> NDArray:
    """The robust screen of the module docstring: a boolean mask of extreme managers."""
    out = np.zeros(z.shape, dtype=bool)
    idx = np.flatnonzero(eligible & np.isfinite(z))
    if idx.size < 3:
        return out
    dev = np.abs(z[idx] - np.median(z[idx]))
    score = dev / max(1.0, 1.4826 * float(np.median(dev)))
    extreme = idx[score > EXTREME_Z]
    if extreme.size <= max_left_out(idx.size):  # more: a split team, not a few outliers (step 3)
        out[extreme] = True
    return out


def _rows(managers: NDArray, has_data: NDArray, extreme: NDArray, versus: str) -> tuple[list, NDArray]:
    """Who is compared with whom: (row manager index, versus label) and the reference membership matrix."""
    k = managers.size
    if k < 2:
        return [], np.zeros((0, k))
    if versus == "pairwise":
        pairs = list(combinations(range(k), 2))
        members = np.zeros((len(pairs), k))
        for r, (_, j) in enumerate(pairs):
            members[r, j] = 1.0
        return [(i, str(managers[j])) for i, j in pairs], members
    members = np.zeros((k, k))
    rows = []
    for i in range(k):
        keep = has_data & ~extreme
        keep[i] = False
        members[i] = keep
        left_out = [str(m) for j, m in enumerate(managers) if extreme[j] and j != i]
        rows.append((i, "rest" if not left_out else "rest excl. " + ", ".join(left_out)))
    return rows, members


def _family(
    managers: NDArray,
    estimate: NDArray,
    null_se: Callable[[float], NDArray],
    eligible: NDArray,
    has_data: NDArray,
    build: Callable[[list[tuple[int, str]], NDArray], pd.DataFrame],
    *,
    versus: str,
    reference: str,
) -> tuple[pd.DataFrame, list[tuple[int, str]], NDArray]:
    """Build a comparison table by ``build(rows, members)`` with the robust reference when it applies.

    ``null_se(center)`` gives each manager's standard error of ``estimate`` if its true value were
    ``center`` (the median manager's); ``has_data`` marks managers whose data may enter a reference. Returns
    the table and the rows and reference membership it was built on (module docstring, steps 1-4).
    """
    extreme = np.zeros(estimate.shape, dtype=bool)
    robust = versus == "rest" and reference == "robust"
    if robust and eligible.any():
        center = float(np.median(estimate[eligible]))
        with np.errstate(divide="ignore", invalid="ignore"):
            extreme = _extremes((estimate - center) / null_se(center), eligible)
    rows, members = _rows(managers, has_data, extreme, versus)
    table = build(rows, members)
    if robust:
        left_out = extreme | table["verdict"].isin(("above", "below")).to_numpy()
        if (left_out != extreme).any() and left_out.sum() <= max_left_out(int(eligible.sum())):
            rows, members = _rows(managers, has_data, left_out, versus)
            table = build(rows, members)
    return table, rows, members
