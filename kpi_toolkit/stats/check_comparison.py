"""Managers' average checks compared: each against the (robust) rest of the team, or every pair, by a
studentized permutation test of the arithmetic means (zeros included), with Fieller's interval of their ratio.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.amounts import _amounts_frame
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
from kpi_toolkit.stats.multiple import _check_min_n, _check_options
from kpi_toolkit.stats.permutation import LARGE_SAMPLE, mean_permutation_test
from kpi_toolkit.stats.proportions import DEFAULT_SEED
from kpi_toolkit.stats.reference import _family

__all__ = ["CHECK_TESTS", "compare_checks"]


#: ``test`` of the average check: the permutation test, or its normal limit for large samples on both sides.
CHECK_TESTS = ("studentized permutation", "Welch t (large samples)")


def _checks_family(
    amounts: pd.DataFrame, versus: str, p_adjust: str, alpha: float, min_n: int, reference: str,
    n_resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED, managers: Sequence[str] | None = None,
) -> tuple:  # fmt: skip
    """The table of :func:`compare_checks` with what :func:`check_diagnostics` needs to match its rows."""
    if not isinstance(amounts, pd.DataFrame) or "amount" not in amounts.columns:
        found = list(amounts.columns) if isinstance(amounts, pd.DataFrame) else type(amounts).__name__
        raise ParameterError(
            "the average check is compared by a permutation test, which needs the order amounts: pass "
            f"one row per order with columns manager, amount (zeros included); found {found}"
        )
    if isinstance(n_resamples, bool) or not isinstance(n_resamples, int | np.integer) or n_resamples < 99:
        raise ParameterError(f"n_resamples={n_resamples!r} must be a whole number >= 99, e.g. 1999")
    raw = _amounts_frame(amounts).sort_values("manager", kind="stable", ignore_index=True)
    groups = {m: g.to_numpy(float) for m, g in raw.groupby("manager", sort=True)["amount"]}
    for m in managers or ():
        groups.setdefault(m, np.array([], dtype=float))
    managers = np.array(sorted(groups), dtype=object)
    _too_few(managers)
    orders = np.array([groups[m].size for m in managers], dtype=float)
    volume = np.array([groups[m].sum() for m in managers], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(orders > 0, volume / orders, np.nan)
    var = np.array([groups[m].var(ddof=1) if groups[m].size > 1 else np.nan for m in managers])
    eligible = orders >= min_n
    common_var = float(np.nanmedian(var[eligible])) if np.isfinite(var[eligible]).any() else np.nan

    def build(rows: list, members: NDArray) -> pd.DataFrame:
        i = np.array([r for r, _ in rows], dtype=int)
        n1, n2 = orders[i], members @ orders
        tested = (n1 >= min_n) & (n2 >= min_n)
        family = int(tested.sum())
        needed = min(MAX_RESAMPLES, int(np.ceil(FAMILY_RESOLUTION * family / alpha)) - 1)
        resamples = max(int(n_resamples), needed)
        results = []
        for r, (row_i, _) in enumerate(rows):
            if not tested[r]:
                results.append(None)
                continue
            ref = [groups[managers[j]] for j in np.flatnonzero(members[r])]
            results.append(
                mean_permutation_test(
                    groups[managers[row_i]], np.concatenate(ref), n_resamples=resamples, seed=(seed, r)
                )
            )
        get = {
            key: np.array([np.nan if res is None else res[key] for res in results], dtype=float)
            for key in ("ratio", "ci_low", "ci_high", "statistic", "p_value")
        }
        with np.errstate(divide="ignore", invalid="ignore"):
            est, ref_est = mean[i], np.where(n2 > 0, (members @ volume) / n2, np.nan)
        cols = {
            "n": n1, "estimate": est, "versus_n": n2, "versus_estimate": ref_est,
            "ci_low": np.maximum(get["ci_low"], 0.0), "ci_high": get["ci_high"], "effect_size": get["ratio"],
            "test": np.where(n1.clip(max=n2) > LARGE_SAMPLE, CHECK_TESTS[1], CHECK_TESTS[0]),
            "statistic": get["statistic"], "p_value": get["p_value"],
        }  # fmt: skip
        return _table("average_check", EFFECT_SIZE_TYPES["average_check"], rows, managers, cols, tested,
                      est > ref_est, p_adjust, alpha)  # fmt: skip

    def null_se(center: float) -> NDArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.sqrt(common_var / orders)

    has_data = orders > 0
    table, rows, members = _family(
        managers, mean, null_se, eligible, has_data, build, versus=versus, reference=reference
    )
    return table, raw, managers, rows, members


def compare_checks(
    amounts: pd.DataFrame,
    *,
    versus: Versus = "rest",
    p_adjust: PAdjust = "holm",
    alpha: float = 0.05,
    min_n: int = 5,
    reference: Reference = "robust",
    n_resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Compare managers' average checks (arithmetic means, zeros included) by a permutation test.

    Parameters
    ----------
    amounts : pandas.DataFrame
        One row per order: ``manager``, ``amount`` (>= 0; orders of amount 0 count).
    versus, p_adjust, alpha, reference
        As in :func:`compare_rates`.
    min_n : int, default 5
        Orders (zeros included) that a manager (and its reference) needs for a test.
    n_resamples : int, default 1999
        Random splits per comparison; at least :data:`FAMILY_RESOLUTION` times the number of comparisons
        divided by ``alpha`` (up to :data:`MAX_RESAMPLES`), so that Holm's smallest threshold
        ``alpha / comparisons`` is reachable with room to spare.
    seed : int, default :data:`~kpi_toolkit.stats.proportions.DEFAULT_SEED`
        Row r uses ``numpy.random.default_rng((seed, r))``: the same data give the same table.
    managers : sequence of str, optional
        Managers to show even without any order (with NaN estimate and ``insufficient data``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`. ``n``/``versus_n`` count all orders, ``estimate``/
        ``versus_estimate`` are the average checks (arithmetic means, zeros included) and ``difference``
        their difference; ``effect_size`` is their ratio and ``ci_low``/``ci_high`` its 95 % interval
        (Fieller's, with the permutation quantile; NaN when unbounded); ``test`` names the test (see
        :data:`CHECK_TESTS`), ``statistic`` is Welch's t on the amounts.

    Notes
    -----
    Primary test: :func:`~kpi_toolkit.stats.permutation.mean_permutation_test`, a studentized permutation
    test of the difference in arithmetic means (Janssen 1997), so the verdict is about the KPI itself. When
    all managers' orders come from one distribution, each p-value is exact whatever the shape of the amounts
    (log-normal, Pareto, gamma with many tiny orders, many zeros, a mixture of small and large orders) and
    Holm keeps P(any above/below) <= alpha; two managers with the same average check but different spread
    are called different at about alpha (asymptotically exact; measured in
    ``tests/stats/test_check_simulations.py``). Above :data:`~kpi_toolkit.stats.permutation.LARGE_SAMPLE`
    orders on both sides the permutation distribution is replaced by its normal limit. The smallest p-value
    is 1 / (resamples + 1): a handful of orders can never give p = 1e-21. The comparison of typical orders
    (Welch's t on log amounts, the ratio of geometric means) is a check in :func:`check_diagnostics`, not
    the verdict. Assumes independent orders; a manager with a few huge repeat orders of one customer
    violates it. Rows whose test cannot be computed (every order of both sides equal) get ``insufficient
    data``. Other edge cases as :func:`compare_rates`.

    References
    ----------
    Janssen A (1997). Stat Probab Lett 36:9-21. Chung E, Romano JP (2013). Ann Stat 41:484-507. Fieller EC
    (1954). J R Stat Soc B 16:175-185. Holm S (1979). Scand J Stat 6:65-70.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> amounts = pd.DataFrame({"manager": np.repeat(["A", "B", "C"], 40),
    ...                         "amount": rng.lognormal(7, 0.5, 120) * np.repeat([1, 1, 2], 40)})
    >>> table = compare_checks(amounts)
    >>> table[["manager", "versus", "effect_size", "ci_low", "ci_high", "verdict"]].round(2)
      manager        versus  effect_size  ci_low  ci_high        verdict
    0       A  rest excl. C         1.12    0.92     1.35  no difference
    1       B  rest excl. C         0.89    0.75     1.10  no difference
    2       C          rest         2.06    1.77     2.44          above

    With ``reference="all"`` the extreme colleague C would make A and B look low.
    """
    alpha = _check_options(versus, p_adjust, alpha, reference)
    min_n = _check_min_n("min_n", min_n)
    return _checks_family(amounts, versus, p_adjust, alpha, min_n, reference, n_resamples, seed, managers)[0]
