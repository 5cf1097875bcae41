"""The comparison table of managers' margin rates: orders (and returns) as units, a ratio of sums each.

The builder behind ``kt.compare_managers(metric="margin_rate")``: each manager against the (robust) rest or
every pair, by :func:`~kpi_toolkit.stats.ratio.ratio_permutation_test` (a studentized permutation test of the
difference of the two ratios of sums), with the columns
:data:`~kpi_toolkit.stats.comparison.COMPARISON_COLUMNS`
and the verdict rules of the other metrics (Holm across the comparisons made, the robust rest of
:mod:`kpi_toolkit.stats.reference`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.comparison import (
    DEFAULT_RESAMPLES,
    EFFECT_SIZE_TYPES,
    FAMILY_RESOLUTION,
    MAX_RESAMPLES,
    PAdjust,
    Reference,
    Versus,
    _table,
    _too_few,
)
from kpi_toolkit.stats.multiple import _check_min_n, _check_options, _data_error
from kpi_toolkit.stats.permutation import LARGE_SAMPLE
from kpi_toolkit.stats.proportions import DEFAULT_SEED
from kpi_toolkit.stats.ratio import ratio_permutation_test
from kpi_toolkit.stats.reference import _family

__all__ = ["MARGIN_TESTS", "compare_margin_rates"]

#: ``test`` of the margin rate: the permutation test, or its normal limit for large samples on both sides.
MARGIN_TESTS = ("studentized permutation (ratio of sums)", "delta-method z (large samples)")
EFFECT_SIZE_TYPES.setdefault("margin_rate", "difference of margin rates (CI: studentized permutation)")


def _units(units: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(units, pd.DataFrame) or not {"manager", "margin", "sales"} <= set(units.columns):
        found = list(units.columns) if isinstance(units, pd.DataFrame) else type(units).__name__
        raise ParameterError(
            "the margin rate is compared on its units: pass one row per order (and per return, with negative "
            f"values) with columns manager, margin, sales; found {found}"
        )
    frame = units.loc[:, ["manager", "margin", "sales"]].reset_index(drop=True)
    for column in ("margin", "sales"):
        values = pd.to_numeric(frame[column], errors="coerce").astype(float)
        bad = ~np.isfinite(values)
        if bad.any():
            raise _data_error("units", column, "missing", bad.to_numpy(), frame.loc[bad, column].tolist(),
                              f"fill {column}")  # fmt: skip
        frame[column] = values
    return frame.sort_values("manager", kind="stable", ignore_index=True)


def compare_margin_rates(
    units: pd.DataFrame,
    *,
    versus: Versus = "rest",
    p_adjust: PAdjust = "holm",
    alpha: float = 0.05,
    min_n: int = 10,
    reference: Reference = "robust",
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Compare managers' margin rates (gross margin / net sales) with orders as the units.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per order: ``manager``, ``margin`` (amount - cost) and ``sales`` (amount); a return is a
        row with both negative (minus the amount credited, minus its margin), so that each manager's ratio
        of sums is the KPI ``margin_rate``.
    versus, p_adjust, alpha, reference
        As in :func:`~kpi_toolkit.stats.compare_rates`.
    min_n : int, default 10
        Units a manager (and its reference) needs for a test.
    n_resamples : int, default 1999
        Random splits per comparison; raised as for the average check so that Holm's smallest threshold is
        reachable (:data:`~kpi_toolkit.stats.comparison.FAMILY_RESOLUTION`).
    seed : int, default :data:`~kpi_toolkit.stats.proportions.DEFAULT_SEED`
        Row r uses ``numpy.random.default_rng((seed, r))``.
    managers : sequence of str, optional
        Managers to show even without any unit (NaN estimate, ``insufficient data``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~kpi_toolkit.stats.COMPARISON_COLUMNS`. ``estimate``/``versus_estimate`` are the margin
        rates (ratios of sums), ``difference`` their difference, ``effect_size`` the same difference and
        ``ci_low``/``ci_high`` its 95 % interval; ``test`` is one of :data:`MARGIN_TESTS`, ``statistic`` the
        studentized difference. NaN policy as the other metrics: a manager without units, or whose net sales
        are not positive, gets NaN and ``insufficient data``.

    Notes
    -----
    The test (:func:`~kpi_toolkit.stats.ratio.ratio_permutation_test`) is exact when the managers' units come
    from one distribution and asymptotically exact when only the rates agree (studentized; Chung and Romano
    2013); ``tests/stats/test_ratio.py`` measures its error rates and power. Assumes independent orders.

    References
    ----------
    Cochran WG (1977). Sampling Techniques, section 6.4. Chung E, Romano JP (2013). Ann Stat 41:484-507.
    Holm S (1979). Scand J Stat 6:65-70.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> sales = rng.lognormal(7, 0.8, 400)
    >>> rate = np.repeat([0.35, 0.35, 0.35, 0.35, 0.20], 80) + rng.normal(0, 0.08, 400)
    >>> units = pd.DataFrame({"manager": np.repeat(list("ABCDE"), 80), "margin": rate * sales,
    ...                       "sales": sales})
    >>> table = compare_margin_rates(units)
    >>> table[["manager", "versus", "estimate", "ci_low", "ci_high", "verdict"]].round(3)
      manager        versus  estimate  ci_low  ci_high        verdict
    0       A  rest excl. E     0.363  -0.018    0.051  no difference
    1       B  rest excl. E     0.348  -0.032    0.025  no difference
    2       C  rest excl. E     0.348  -0.031    0.025  no difference
    3       D  rest excl. E     0.347  -0.037    0.027  no difference
    4       E          rest     0.186  -0.193   -0.139          below

    ``ci_low``/``ci_high`` bound the difference from the rest: E's margin rate is 14-19 points lower.
    """
    alpha = _check_options(versus, p_adjust, alpha, reference)
    min_n = _check_min_n("min_n", min_n)
    frame = _units(units)
    groups = {
        str(m): (g["margin"].to_numpy(float), g["sales"].to_numpy(float))
        for m, g in frame.groupby("manager", sort=True)
    }
    for m in managers or ():
        groups.setdefault(str(m), (np.array([]), np.array([])))
    names = np.array(sorted(groups), dtype=object)
    _too_few(names)
    n = np.array([groups[m][0].size for m in names], dtype=float)
    margin = np.array([groups[m][0].sum() for m in names], dtype=float)
    sales = np.array([groups[m][1].sum() for m in names], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(sales > 0, margin / sales, np.nan)
    eligible = (n >= min_n) & np.isfinite(rate)

    def build(rows: list, members: NDArray) -> pd.DataFrame:
        i = np.array([r for r, _ in rows], dtype=int)
        n1, n2 = n[i], members @ n
        with np.errstate(divide="ignore", invalid="ignore"):
            ref_rate = np.where(members @ sales > 0, (members @ margin) / (members @ sales), np.nan)
        tested = (n1 >= min_n) & (n2 >= min_n) & np.isfinite(rate[i]) & np.isfinite(ref_rate)
        needed = min(MAX_RESAMPLES, int(np.ceil(FAMILY_RESOLUTION * int(tested.sum()) / alpha)) - 1)
        resamples = max(int(n_resamples), needed)
        results = []
        for r, (row_i, _) in enumerate(rows):
            if not tested[r]:
                results.append(None)
                continue
            ref = [groups[names[j]] for j in np.flatnonzero(members[r])]
            own = groups[names[row_i]]
            results.append(
                ratio_permutation_test(
                    own[0],
                    own[1],
                    np.concatenate([m for m, _ in ref]),
                    np.concatenate([s for _, s in ref]),
                    n_resamples=resamples,
                    seed=(seed, r),
                )
            )
        get = {
            key: np.array([np.nan if res is None else res[key] for res in results], dtype=float)
            for key in ("difference", "ci_low", "ci_high", "statistic", "p_value")
        }
        cols = {
            "n": n1, "estimate": rate[i], "versus_n": n2, "versus_estimate": ref_rate,
            "ci_low": get["ci_low"], "ci_high": get["ci_high"], "effect_size": get["difference"],
            "test": np.where(n1.clip(max=n2) > LARGE_SAMPLE, MARGIN_TESTS[1], MARGIN_TESTS[0]),
            "statistic": get["statistic"], "p_value": get["p_value"],
        }  # fmt: skip
        return _table("margin_rate", EFFECT_SIZE_TYPES["margin_rate"], rows, names, cols, tested,
                      rate[i] > ref_rate, p_adjust, alpha)  # fmt: skip

    def null_se(center: float) -> NDArray:
        se = np.full(names.size, np.nan)
        for k, m in enumerate(names):
            y, x = groups[m]
            if y.size > 1 and x.sum() > 0:
                se[k] = np.sqrt(y.size / (y.size - 1) * np.sum((y - center * x) ** 2) / x.sum() ** 2)
        return se

    table, _, _ = _family(names, rate, null_se, eligible, n > 0, build, versus=versus, reference=reference)
    return table
