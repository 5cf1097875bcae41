"""The family of comparisons: who is compared with whom, the robust reference, and p-value adjustment.

The robust reference
--------------------
Against ``"rest"``, one extreme colleague distorts the pooled rest of everyone else: a manager with twice the
team's average check lifts the rest's average and makes every other manager look low. With
``reference="robust"`` (the default of the comparison builders) the pooled rest leaves out *extreme*
managers, found by a screen that an extreme colleague cannot mask:

1. each manager with enough data (``min_n``) gets a z-score against the median manager, using the sampling
   error of its own KPI at the team's median value (rates: binomial; average check: log amounts with the
   median within-manager variance; counts: Poisson);
2. the z-scores are scaled by a robust spread, :math:`s = \\max(1, 1.4826\\,\\mathrm{MAD}(z))`, so that
   real but ordinary differences between managers (overdispersion) do not make everyone extreme;
3. managers with :math:`|z - \\mathrm{median}(z)|/s >` :data:`EXTREME_Z` (3.5) are extreme, at most
   ``(k - 1) // 2`` of them (the largest), none when fewer than 3 managers have enough data.

4. the table is computed with each manager against the pooled other managers minus the extreme ones; then
   the managers found ``above`` or ``below`` in it are left out as well and the table is computed once
   more (a second pass, not iterated; skipped if it would leave out more than ``(k - 1) // 2`` managers).
   Step 4 catches a colleague who is clearly, but not extremely, different.

An extreme or flagged manager itself is compared with the rest of the others minus the left-out ones; the
``versus`` column names who was left out (``"rest excl. M07"``). Under the null (all managers alike) the
screen almost never fires (|z| > 3.5 has probability ~5e-4 per manager) and step 4 only acts once a manager
has already been flagged, so the family-wise error rate is that of the plain rest; with one colleague
different, the others are compared with a rest that does not contain it. ``tests/stats/test_simulations.py``
shows both. Managers below ``min_n`` are never left out and their data stay in the others' rest.

Also holds the small parameter checks shared by the statistics modules, so that every module rejects a bad
option with the same kind of message: the parameter, what came, what is allowed and how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation

__all__ = ["EXTREME_Z", "P_ADJUST_METHODS", "adjust_pvalues"]

#: The adjustment methods accepted by ``p_adjust`` / ``method`` throughout :mod:`kpi_toolkit.stats`.
P_ADJUST_METHODS = ("holm", "bh", "none")

#: Robust z beyond which a manager is left out of the others' reference (``reference="robust"``).
EXTREME_Z = 3.5


def _check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ParameterError(f"{name}={value!r} is not allowed; use one of {choices}")


def _check_probability(name: str, value: float, *, open_interval: bool = True) -> float:
    """Raise :class:`ParameterError` unless ``value`` is a number in (0, 1) (or [0, 1])."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r} is not a number; give a number in (0, 1)") from None
    inside = 0.0 < number < 1.0 if open_interval else 0.0 <= number <= 1.0
    if not inside:
        bounds = "(0, 1), e.g. 0.05" if open_interval else "[0, 1]"
        raise ParameterError(f"{name}={value!r} is outside {bounds}; give a number in {bounds}")
    return number


def _check_min_n(name: str, value: int) -> int:
    """Raise :class:`ParameterError` unless ``value`` is a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ParameterError(f"{name}={value!r} must be a whole number >= 1, e.g. {name}=10")
    return int(value)


def _check_options(versus: str, p_adjust: str, alpha: float, reference: str) -> float:
    """Check the options shared by the comparison builders; return ``alpha`` as a float."""
    _check_choice("versus", versus, ("rest", "pairwise"))
    _check_choice("p_adjust", p_adjust, P_ADJUST_METHODS)
    _check_choice("reference", reference, ("robust", "all"))
    return _check_probability("alpha", alpha)


def _extremes(z: NDArray, eligible: NDArray) -> NDArray:
    """The robust screen of the module docstring: a boolean mask of extreme managers."""
    out = np.zeros(z.shape, dtype=bool)
    idx = np.flatnonzero(eligible & np.isfinite(z))
    if idx.size < 3:
        return out
    dev = np.abs(z[idx] - np.median(z[idx]))
    score = dev / max(1.0, 1.4826 * float(np.median(dev)))
    ranked = np.argsort(-score, kind="stable")[: (idx.size - 1) // 2]
    out[idx[ranked[score[ranked] > EXTREME_Z]]] = True
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
        if (left_out != extreme).any() and left_out.sum() <= (managers.size - 1) // 2:
            rows, members = _rows(managers, has_data, left_out, versus)
            table = build(rows, members)
    return table, rows, members


def _data_error(
    table: str, column: str | None, rule: str, rows: NDArray[np.bool_], examples: Sequence[object], fix: str
) -> DataValidationError:
    """A :class:`DataValidationError` for an in-memory frame: 1-based row positions, a few examples."""
    positions = tuple(int(i) + 1 for i in np.flatnonzero(rows))
    shown = tuple(str(e) for e in examples[:3])
    violation = Violation(table, f"the {table} frame", column, rule, positions, len(positions), shown, fix)
    return DataValidationError([violation])


def adjust_pvalues(p: ArrayLike, *, method: Literal["holm", "bh", "none"] = "holm") -> NDArray[np.float64]:
    """Adjust a family of p-values for multiple comparisons.

    Parameters
    ----------
    p : array-like of float
        Raw p-values in [0, 1]. NaN marks a comparison that was not made (e.g. too little data).
    method : {"holm", "bh", "none"}, default "holm"
        ``"holm"``: Holm's step-down method, which controls the family-wise error rate (the chance of any
        false positive) under any dependence between the tests. ``"bh"``: Benjamini-Hochberg, which controls
        the false discovery rate (the expected share of false positives among the positives) for independent
        or positively dependent tests. ``"none"``: the raw p-values.

    Returns
    -------
    numpy.ndarray of float
        The adjusted p-values, same shape and order as ``p``, capped at 1.

    Raises
    ------
    ParameterError
        If ``method`` is not one of the allowed values, or a p-value is outside [0, 1].

    Notes
    -----
    Holm: with the m p-values sorted, :math:`p_{(1)} \\le \\dots \\le p_{(m)}`, the adjusted value is
    :math:`\\max_{j \\le i} \\min(1, (m - j + 1) p_{(j)})`.
    BH: :math:`\\min_{j \\ge i} \\min(1, m p_{(j)} / j)`.
    These are the formulas of R's ``p.adjust`` and of :func:`statsmodels.stats.multitest.multipletests`
    (``"holm"``, ``"fdr_bh"``), against which the tests check them; they are computed here directly
    because statsmodels' Holm runs a full garbage collection on every call, too slow for simulations.

    NaN policy: NaN p-values are not part of the family (m counts only the finite ones) and come back as
    NaN. An empty input gives an empty array.

    References
    ----------
    Holm S (1979). A simple sequentially rejective multiple test procedure. Scand J Stat 6:65-70.
    Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57:289-300.

    Examples
    --------
    >>> adjust_pvalues([0.01, 0.04, 0.03, float("nan")], method="holm").round(4).tolist()
    [0.03, 0.06, 0.06, nan]
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    _check_choice("method", method, P_ADJUST_METHODS)
    values = np.asarray(p, dtype=float)
    out = np.full(values.shape, np.nan)
    finite = ~np.isnan(values)
    if np.any((values[finite] < 0) | (values[finite] > 1)):
        raise ParameterError("p contains values outside [0, 1]; pass p-values (NaN for tests not made)")
    if not finite.any():
        return out
    if method == "none":
        out[finite] = values[finite]
        return out
    kept = values[finite]
    m = kept.size
    order = np.argsort(kept, kind="stable")
    ranked = kept[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    else:
        adjusted = np.minimum.accumulate(np.minimum(1.0, m * ranked / np.arange(1, m + 1))[::-1])[::-1]
    result = np.empty(m)
    result[order] = adjusted
    out[finite] = result
    return out
