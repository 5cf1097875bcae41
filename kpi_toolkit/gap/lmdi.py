"""Exact additive decomposition of the change in a product of factors: LMDI-I and Shapley.

A quantity that is a product of factors, :math:`V = \\prod_k x_k`, moves from a baseline :math:`V^0` to an
actual :math:`V^T`. An additive decomposition splits the change into one effect per factor that add up to it
exactly: :math:`V^T - V^0 = \\sum_k \\Delta V_{x_k}`. Two methods are offered, both exact (no residual):

- ``"lmdi"``, the additive logarithmic mean Divisia index method I (Ang 2005), with zeros handled by the
  analytical limits of Ang & Liu (2007), never by a small-value substitution;
- ``"shapley"``, the average marginal contribution of a factor over all orders in which the factors can be
  switched from baseline to actual (Shapley value), which is Sun's (1998) complete decomposition.
"""

from __future__ import annotations

import math
from itertools import combinations
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from kpi_toolkit.errors import ParameterError

__all__ = ["DECOMPOSITION_METHODS", "decompose_product", "log_mean"]

#: The values accepted by ``method``.
DECOMPOSITION_METHODS = ("lmdi", "shapley")

_MAX_SHAPLEY_FACTORS = 16


def log_mean(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    """Logarithmic mean :math:`L(a, b) = (a - b) / (\\ln a - \\ln b)` of non-negative numbers, elementwise.

    Parameters
    ----------
    a, b : array-like of float
        Non-negative values, broadcast against each other.

    Returns
    -------
    numpy.ndarray of float
        :math:`L(a, b)`, with the limits :math:`L(a, a) = a` and :math:`L(a, 0) = L(0, b) = 0`; NaN where
        ``a`` or ``b`` is NaN.

    Raises
    ------
    ParameterError
        If a value is negative or infinite.

    Notes
    -----
    Computed as :math:`(a - b) / \\operatorname{log1p}((a - b) / b)` when ``a`` and ``b`` are within 50 % of
    each other (where the textbook formula divides two tiny, badly rounded numbers), and as
    :math:`(a - b) / (\\ln a - \\ln b)` otherwise (where ``log1p`` of a number close to -1 would lose digits).

    References
    ----------
    Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical guide. Energy Policy 33(7),
    867-871.

    Examples
    --------
    >>> # ../shared/reference/stats_cases.json, case 10: "logmean_weight" 44598.1
    >>> round(float(log_mean(39600.0, 50000.0)), 1)
    44598.1
    >>> log_mean([2.0, 0.0], [2.0, 5.0]).tolist()
    [2.0, 0.0]
    """
    a_arr, b_arr = np.broadcast_arrays(np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64"))
    for name, arr in (("a", a_arr), ("b", b_arr)):
        if np.any(arr < 0) or np.any(np.isinf(arr)):
            raise ParameterError(
                f"log_mean: {name} must be finite and >= 0, got {arr[(arr < 0) | np.isinf(arr)][:3]}. "
                "Fix: the logarithmic mean is defined for non-negative numbers only."
            )
    out = np.full(a_arr.shape, np.nan)
    diff = a_arr - b_arr
    equal = diff == 0
    zero = ((a_arr == 0) | (b_arr == 0)) & ~equal
    regular = ~equal & ~zero & ~np.isnan(diff)
    out[equal] = a_arr[equal]
    out[zero] = 0.0
    close = regular & (np.abs(diff) <= 0.5 * b_arr)
    far = regular & ~close
    out[close] = diff[close] / np.log1p(diff[close] / b_arr[close])
    out[far] = diff[far] / (np.log(a_arr[far]) - np.log(b_arr[far]))
    return out


def _lmdi(x0: NDArray[np.float64], x1: NDArray[np.float64]) -> NDArray[np.float64]:
    """Additive LMDI-I effects of rows of non-negative factors, zeros by the Ang & Liu (2007) limits."""
    effects = np.zeros_like(x0)
    zero0, zero1 = x0 == 0, x1 == 0
    v0, v1 = np.prod(x0, axis=1), np.prod(x1, axis=1)
    regular = ~zero0.any(axis=1) & ~zero1.any(axis=1)
    if regular.any():
        weight = log_mean(v1[regular], v0[regular])
        effects[regular] = weight[:, None] * np.log(x1[regular] / x0[regular])
    # The total appears (V0 = 0 < VT): the factors that were zero share VT; the others get 0.
    appear = zero0.any(axis=1) & ~zero1.any(axis=1)
    share = v1[appear] / zero0[appear].sum(axis=1)
    effects[appear] = np.where(zero0[appear], share[:, None], 0.0)
    # The total vanishes (V0 > 0 = VT): the factors that became zero share -V0; the others get 0.
    vanish = ~zero0.any(axis=1) & zero1.any(axis=1)
    share = -v0[vanish] / zero1[vanish].sum(axis=1)
    effects[vanish] = np.where(zero1[vanish], share[:, None], 0.0)
    # Zero in both periods: every effect is 0 (already).
    return effects


def _shapley(x0: NDArray[np.float64], x1: NDArray[np.float64]) -> NDArray[np.float64]:
    """Exact Shapley effects: for factor j, (x1_j - x0_j) times the weighted sum of mixed products."""
    n_factors = x0.shape[1]
    weights = [
        math.factorial(s) * math.factorial(n_factors - s - 1) / math.factorial(n_factors)
        for s in range(n_factors)
    ]
    effects = np.empty_like(x0)
    for j in range(n_factors):
        others = [i for i in range(n_factors) if i != j]
        mixed = np.zeros(x0.shape[0]) if others else np.ones(x0.shape[0])
        for size in range(n_factors):
            for switched in combinations(others, size) if others else ():
                columns = [x1[:, i] if i in switched else x0[:, i] for i in others]
                mixed += weights[size] * np.prod(np.column_stack(columns), axis=1)
        effects[:, j] = (x1[:, j] - x0[:, j]) * mixed
    # Rounding: the effects are exact to a few ulps of the largest mixed product, which can dwarf the gap;
    # the residual of their exact sum against the gap (as small as that) goes to the largest effect.
    gaps = np.prod(x1, axis=1) - np.prod(x0, axis=1)
    largest = np.argmax(np.abs(effects), axis=1)
    for row in range(effects.shape[0]):
        effects[row, largest[row]] += math.fsum([gaps[row], *(-effects[row])])
    return effects


def _check_frames(baseline: pd.DataFrame, actual: pd.DataFrame) -> pd.DataFrame:
    for name, frame in (("baseline", baseline), ("actual", actual)):
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(
                f"{name} must be a pandas DataFrame (one row per unit, one column per factor), "
                f"got {type(frame).__name__}. Fix: pass e.g. pd.DataFrame({{'price': [1.0], 'qty': [2.0]}})."
            )
        if frame.shape[1] == 0:
            raise ParameterError(f"{name} has no factor columns. Fix: give one column per factor.")
        if not frame.index.is_unique:
            raise ParameterError(f"{name} has a duplicated index. Fix: give each row a unique label.")
    if list(baseline.columns) != list(actual.columns):
        raise ParameterError(
            f"actual has the columns {list(actual.columns)} but baseline has {list(baseline.columns)}. "
            "Fix: give both frames the same factor columns in the same order."
        )
    if not baseline.index.equals(actual.index):
        if set(baseline.index) != set(actual.index):
            missing = sorted(map(str, set(baseline.index) ^ set(actual.index)))[:5]
            raise ParameterError(
                f"baseline and actual have different rows (e.g. {missing}). "
                "Fix: give both frames the same row labels (reindex them to the same units)."
            )
        actual = actual.loc[baseline.index]
    return actual


def decompose_product(
    baseline: pd.DataFrame,
    actual: pd.DataFrame,
    *,
    method: Literal["lmdi", "shapley"] = "lmdi",
) -> pd.DataFrame:
    """Split the change of a product of factors into one additive effect per factor, row by row.

    Parameters
    ----------
    baseline, actual : pandas.DataFrame
        One row per unit (e.g. manager), one numeric column per factor :math:`x_k`; the same columns in the
        same order and the same row labels in both (``actual`` is aligned to ``baseline``'s row order).
    method : {"lmdi", "shapley"}, default "lmdi"
        ``"lmdi"``: additive LMDI-I (factors must be >= 0). ``"shapley"``: exact Shapley values over the
        :math:`K!` orders of switching the factors (any finite values; cost grows as :math:`K 2^K`).

    Returns
    -------
    pandas.DataFrame
        Same index and columns as ``baseline``: the effect of each factor on :math:`V^T - V^0`, where
        :math:`V = \\prod_k x_k` per row. Each row's effects add up to :math:`V^T - V^0`.

    Raises
    ------
    ParameterError
        If ``method`` is unknown, the frames do not match, a value is infinite, or (LMDI) negative.

    Notes
    -----
    LMDI-I (Ang 2005, additive form): :math:`\\Delta V_{x_k} = L(V^T, V^0) \\ln(x_k^T / x_k^0)` with the
    logarithmic mean :math:`L` (:func:`log_mean`); the effects add up exactly because
    :math:`\\sum_k \\ln(x_k^T/x_k^0) = \\ln(V^T/V^0)` and :math:`L(V^T, V^0) \\ln(V^T/V^0) = V^T - V^0`.

    Shapley (Sun 1998; Ang, Liu & Chew 2003): with :math:`v(S) = \\prod_{k \\in S} x_k^T
    \\prod_{k \\notin S} x_k^0`, :math:`\\Delta V_{x_j} = \\sum_{S \\not\\ni j} \\frac{|S|!(K-|S|-1)!}{K!}
    [v(S \\cup j) - v(S)] = (x_j^T - x_j^0) \\sum_{S \\not\\ni j} \\frac{|S|!(K-|S|-1)!}{K!}
    \\prod_{k \\in S} x_k^T \\prod_{k \\notin S \\cup j} x_k^0`. It needs no special case for zeros.

    Zeros. LMDI takes the limits of its formula as the zero values tend to 0 (Ang & Liu 2007; Table 2 of
    Ang, Zhang & Choi 1998): exact values, not a small-value substitution whose split depends on the value
    chosen. Shapley needs no special case. Per row:

    - *A factor is 0 in the baseline only* (:math:`V^0 = 0 < V^T`). LMDI: that factor gets :math:`V^T`, every
      other factor 0 (in log terms the change from 0 is infinitely larger than any other). Shapley: every
      factor that changed gets a share, e.g. with two factors :math:`x` (from 0) and :math:`y`,
      :math:`\\Delta V_y = \\tfrac12 x^T (y^T - y^0)`.
    - *A factor is 0 in the actual only* (:math:`V^T = 0 < V^0`). LMDI: that factor gets :math:`-V^0`, the
      others 0. Shapley: shares as above.
    - *Several factors are 0 in the same period*. LMDI: they share :math:`V^T` (or :math:`-V^0`) equally, the
      limit when they tend to 0 at the same rate (Ang & Liu's table covers one zero factor; this is its
      generalisation). Shapley: the formula above.
    - *A factor is 0 in both periods*. Both methods: every effect is 0, and so is the gap.
    - *The total is 0 in both periods through different factors* (:math:`x^0 = 0` for one factor,
      :math:`x^T = 0` for another). LMDI: every effect 0. Shapley: effects that add up to 0 but are not 0,
      e.g. :math:`(0, 2, 3) \to (4, 0, 6)` gives :math:`(16, -20, 4)`.

    NaN policy: a row with a NaN factor in either frame gets NaN effects (the other rows are unaffected).
    Accuracy: LMDI effects add up to :math:`V^T - V^0` within a few ulps of :math:`\\max(|V^T|, |V^0|)`.
    Shapley effects are sums of mixed products :math:`v(S)`, which exceed both totals when factors move in
    opposite directions by orders of magnitude, so each is exact only to a few ulps of the largest
    :math:`|v(S)|`; the rounding residual of their sum against the gap (of that size) is added to the
    largest effect, so that they add up to the gap within an ulp of the largest effect.

    References
    ----------
    Ang, B. W. (2005). The LMDI approach to decomposition analysis: a practical guide. Energy Policy 33(7),
    867-871.
    Ang, B. W., & Liu, N. (2007). Handling zero values in the logarithmic mean Divisia index decomposition
    approach. Energy Policy 35(1), 238-246.
    Ang, B. W., Zhang, F. Q., & Choi, K.-H. (1998). Factorizing changes in energy and environmental
    indicators through decomposition. Energy 23(6), 489-495.
    Sun, J. W. (1998). Changes in energy consumption and energy intensity: a complete decomposition model.
    Energy Economics 20(1), 85-100.
    Ang, B. W., Liu, F. L., & Chew, E. P. (2003). Perfect decomposition techniques in energy and
    environmental analysis. Energy Policy 31(14), 1561-1566.

    Examples
    --------
    ``../shared/reference/stats_cases.json`` case 10: plan 200 leads x 25 % x 1000, actual 180 x 20 % x 1100.

    >>> plan = pd.DataFrame({"leads": [200.0], "conversion": [0.25], "check": [1000.0]})
    >>> actual = pd.DataFrame({"leads": [180.0], "conversion": [0.20], "check": [1100.0]})
    >>> decompose_product(plan, actual).round(2)
         leads  conversion   check
    0 -4698.88    -9951.77  4250.65
    >>> decompose_product(plan, actual, method="shapley").round(2)
         leads  conversion    check
    0 -4716.67    -9966.67  4283.33

    A factor that drops to zero takes the whole loss under LMDI:

    >>> decompose_product(plan, actual.assign(conversion=0.0)).round(2)
       leads  conversion  check
    0    0.0    -50000.0    0.0
    """
    if method not in DECOMPOSITION_METHODS:
        raise ParameterError(
            f"method={method!r} is not allowed. "
            f"Fix: use one of {', '.join(map(repr, DECOMPOSITION_METHODS))}."
        )
    actual = _check_frames(baseline, actual)
    try:
        x0 = baseline.to_numpy(dtype="float64", na_value=np.nan)
        x1 = actual.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise ParameterError(
            "baseline and actual must hold numbers only. Fix: convert the factor columns to float."
        ) from None
    for name, values, frame in (("baseline", x0, baseline), ("actual", x1, actual)):
        bad = np.isinf(values) | ((values < 0) if method == "lmdi" else False)
        if bad.any():
            rows = [str(r) for r in frame.index[bad.any(axis=1)][:5]]
            what = "infinite or negative" if method == "lmdi" else "infinite"
            fix = (
                "LMDI needs finite factors >= 0; use method='shapley' for negative values"
                if method == "lmdi"
                else "give finite factors"
            )
            raise ParameterError(f"{name} has {what} factors in rows {rows}. Fix: {fix}.")
    if method == "shapley" and x0.shape[1] > _MAX_SHAPLEY_FACTORS:
        raise ParameterError(
            f"method='shapley' with {x0.shape[1]} factors would take 2^{x0.shape[1]} products per row. "
            f"Fix: use at most {_MAX_SHAPLEY_FACTORS} factors, or method='lmdi'."
        )
    return pd.DataFrame(_effects(x0, x1, method), index=baseline.index, columns=baseline.columns)


def _effects(x0: NDArray[np.float64], x1: NDArray[np.float64], method: str) -> NDArray[np.float64]:
    """Effects of checked arrays (rows x factors); NaN rows where a factor is NaN."""
    effects = np.full_like(x0, np.nan)
    complete = ~(np.isnan(x0).any(axis=1) | np.isnan(x1).any(axis=1))
    solver = _lmdi if method == "lmdi" else _shapley
    if complete.any():
        effects[complete] = solver(x0[complete], x1[complete])
    return effects
