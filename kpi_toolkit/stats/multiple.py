"""Adjusting p-values across a family of comparisons, and the small parameter checks shared by the
statistics modules, so that every module rejects a bad option with the same kind of message: the parameter,
what came, what is allowed and how to fix it.

Who is compared with whom, and the robust reference that keeps an extreme colleague out of the others'
rest, are in :mod:`kpi_toolkit.stats.reference`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from kpi_toolkit.errors import DataValidationError, ParameterError, Violation

__all__ = ["P_ADJUST_METHODS", "adjust_pvalues"]

#: The adjustment methods accepted by ``p_adjust`` / ``method`` throughout :mod:`kpi_toolkit.stats`.
P_ADJUST_METHODS = ("holm", "bh", "none")


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
