"""Comparison tables of managers: each manager against the (robust) rest of the team, or every pair.

These are the builders behind ``kt.compare_managers``; they work on per-manager counts or amounts and return
one row per comparison with the fixed columns :data:`COMPARISON_COLUMNS`. The verdict follows the primary
test alone, after adjusting the p-values across the comparisons made.

Against ``"rest"``, an extreme colleague would distort everyone else's rest; ``reference="robust"`` (the
default) leaves extreme managers out of it by the rule documented in :mod:`kpi_toolkit.stats.reference`.
The global tests are in :mod:`kpi_toolkit.stats.global_tests`, the secondary checks of the average check
(rank tests, bootstrap, the ratio of typical orders) in :mod:`kpi_toolkit.stats.diagnostics`; its test, a
permutation test of the arithmetic means, in :mod:`kpi_toolkit.stats.permutation`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.means import _amounts_frame
from kpi_toolkit.stats.multiple import _check_min_n, _check_options, _data_error, adjust_pvalues
from kpi_toolkit.stats.permutation import LARGE_SAMPLE, mean_permutation_test
from kpi_toolkit.stats.proportions import (
    DEFAULT_SEED,
    _counts_frame,
    cohens_h,
    newcombe_interval,
    poisson_rate_test,
    two_proportion_test,
)
from kpi_toolkit.stats.reference import _family

__all__ = [
    "CHECK_TESTS",
    "COMPARISON_COLUMNS",
    "EFFECT_SIZE_TYPES",
    "VERDICTS",
    "compare_checks",
    "compare_counts",
    "compare_rates",
]

#: Columns of every comparison table, fixed whatever the options.
COMPARISON_COLUMNS = (
    "metric", "manager", "versus", "n", "estimate", "versus_n", "versus_estimate", "difference",
    "ci_low", "ci_high", "effect_size", "effect_size_type", "test", "statistic", "p_value", "p_adjusted",
    "verdict",
)  # fmt: skip
#: The values of ``verdict``.
VERDICTS = ("above", "below", "no difference", "insufficient data")
#: What ``effect_size`` holds and what ``ci_low``/``ci_high`` bound, per metric.
EFFECT_SIZE_TYPES = {
    "conversion": "Cohen's h (CI: rate difference, Newcombe)",
    "average_check": "ratio of means (CI: Fieller, permutation)",
    "new_customers": "rate ratio",
}

#: ``test`` of the average check: the permutation test, or its normal limit for large samples on both sides.
CHECK_TESTS = ("studentized permutation", "Welch t (large samples)")
#: Resamples of the average-check permutation test per comparison when not set.
DEFAULT_RESAMPLES = 1999
#: The resamples are at least this many times (comparisons / alpha), Holm's smallest threshold's inverse.
FAMILY_RESOLUTION = 5
#: The most resamples the family rule asks for (more only if ``n_resamples`` says so).
MAX_RESAMPLES = 9999

Versus = Literal["rest", "pairwise"]
Reference = Literal["robust", "all"]
PAdjust = Literal["holm", "bh", "none"]


def _table(
    metric: str, effect_type: str, rows: list, managers: NDArray, cols: dict, tested: NDArray, up: NDArray,
    p_adjust: str, alpha: float,
) -> pd.DataFrame:  # fmt: skip
    """Assemble the fixed columns; ``tested`` marks rows in the adjustment family, ``up`` their direction."""
    out = pd.DataFrame(
        {
            "metric": metric,
            "manager": managers[np.array([i for i, _ in rows], dtype=int)],
            "versus": [v for _, v in rows],
        }
        | cols
    )
    out["difference"] = out["estimate"] - out["versus_estimate"]
    out["effect_size_type"] = effect_type
    tested = tested & np.isfinite(out["p_value"].to_numpy(float))
    for column in ("ci_low", "ci_high", "effect_size", "statistic", "p_value"):
        out.loc[~tested, column] = np.nan
    out["test"] = out["test"].where(tested, np.nan).astype("str")
    out["p_adjusted"] = adjust_pvalues(out["p_value"].to_numpy(float), method=p_adjust)
    significant = tested & (out["p_adjusted"].to_numpy(float) < alpha)
    verdict = np.where(tested, "no difference", "insufficient data").astype(object)
    verdict[significant] = np.where(up[significant], "above", "below")
    out["verdict"] = pd.Series(verdict, dtype="str")
    out = out.astype({"n": "int64", "versus_n": "int64", "metric": "str", "versus": "str"})
    return out.loc[:, list(COMPARISON_COLUMNS)]


def _too_few(managers: NDArray) -> None:
    if managers.size < 2:
        warnings.warn(
            f"only {managers.size} manager(s) to compare: the comparison table is empty; "
            f"pass the counts of at least two managers",
            UserWarning,
            stacklevel=3,
        )


def compare_rates(
    counts: pd.DataFrame,
    *,
    versus: Versus = "rest",
    p_adjust: PAdjust = "holm",
    alpha: float = 0.05,
    min_n: int = 10,
    reference: Reference = "robust",
) -> pd.DataFrame:
    """Compare managers' conversion rates: each against the rest of the team, or every pair.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per manager: ``manager``, ``successes`` (leads won), ``trials`` (leads closed).
    versus : {"rest", "pairwise"}, default "rest"
        ``"rest"``: each manager against the other managers pooled (k tests); ``"pairwise"``: every pair
        (k(k-1)/2 tests, ``manager`` < ``versus``).
    p_adjust : {"holm", "bh", "none"}, default "holm"
        Adjustment across the comparisons that were made (see :func:`adjust_pvalues`).
    alpha : float, default 0.05
        Level of the verdict: ``above``/``below`` when the adjusted p is below ``alpha``.
    min_n : int, default 10
        Closed leads a manager (and its reference) needs for a test; below it the verdict is
        ``insufficient data`` and the row is left out of the adjustment family.
    reference : {"robust", "all"}, default "robust"
        With ``versus="rest"``: ``"robust"`` leaves extreme and clearly different managers out of the
        others' rest (rule in :mod:`kpi_toolkit.stats.reference`); ``"all"`` pools every other manager.
        Ignored for pairs.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`, rows in manager order. ``n``/``versus_n`` are closed leads,
        ``estimate``/``versus_estimate`` the conversion rates, ``ci_low``/``ci_high`` Newcombe's 95 %
        interval of ``difference`` (whatever ``alpha``), ``effect_size`` Cohen's h, ``test`` the test used
        (``"chi-square (Yates)"`` or ``"Fisher exact"``), ``statistic`` X-squared or, for Fisher, the
        conditional-MLE odds ratio, ``verdict`` one of :data:`VERDICTS`.

    Notes
    -----
    Primary test: :func:`two_proportion_test` (R ``prop.test``, Fisher below an expected count of 5). It
    assumes leads convert independently with a common rate per manager; clustered leads (one big account
    with many leads) make it too liberal. "no difference" means no evidence of one, not equality. Unlike
    R's ``pairwise.prop.test``, which keeps the chi-square test (with a warning) for small tables, pairs
    with an expected count below 5 use Fisher's test; the Holm-adjusted p-values of reference case 2 are
    still R's.
    Under the null (all alike), Holm keeps P(any above/below) <= alpha for any dependence between the k
    tests; ``"bh"`` controls the false discovery rate instead. The robust reference changes which data form
    the rest, not the test. Edge cases: a manager with 0 trials appears with NaN rate and ``insufficient
    data``; fewer than two managers give an empty table (all columns) and a ``UserWarning``. NaN counts are
    rejected (``DataValidationError``): a manager without leads has 0 trials.

    References
    ----------
    Newcombe RG (1998). Stat Med 17:873-890. Holm S (1979). Scand J Stat 6:65-70. Spiegelhalter DJ (2005).
    Funnel plots for comparing institutional performance. Stat Med 24:1185-1202 (on extreme units).

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["M1", "M2", "M3", "M4"], "successes": [83, 90, 129, 70],
    ...                        "trials": [86, 93, 136, 82]})
    >>> table = compare_rates(counts, versus="pairwise")
    >>> table[["manager", "versus", "test", "p_value", "p_adjusted", "verdict"]].round(4)
      manager versus                test  p_value  p_adjusted        verdict
    0      M1     M2        Fisher exact   1.0000      1.0000  no difference
    1      M1     M3        Fisher exact   0.7442      1.0000  no difference
    2      M1     M4  chi-square (Yates)   0.0237      0.1186  no difference
    3      M2     M3        Fisher exact   0.7438      1.0000  no difference
    4      M2     M4  chi-square (Yates)   0.0155      0.0932  no difference
    5      M3     M4  chi-square (Yates)   0.0309      0.1238  no difference

    Each against the rest: M4 is extreme, so the others' rest leaves it out.

    >>> compare_rates(counts)[["manager", "versus", "difference", "p_adjusted", "verdict"]].round(3)
      manager         versus  difference  p_adjusted        verdict
    0      M1  rest excl. M4       0.009       1.000  no difference
    1      M2  rest excl. M4       0.013       1.000  no difference
    2      M3  rest excl. M4      -0.018       1.000  no difference
    3      M4           rest      -0.105       0.005          below
    """
    alpha = _check_options(versus, p_adjust, alpha, reference)
    min_n = _check_min_n("min_n", min_n)
    frame = _counts_frame(counts)
    managers = frame["manager"].to_numpy()
    _too_few(managers)
    x, n = frame["successes"].to_numpy(float), frame["trials"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, x / n, np.nan)

    def build(rows: list, members: NDArray) -> pd.DataFrame:
        i = np.array([r for r, _ in rows], dtype=int)
        x1, n1, x2, n2 = x[i], n[i], members @ x, members @ n
        with np.errstate(divide="ignore", invalid="ignore"):
            p1, p2 = rate[i], np.where(n2 > 0, x2 / n2, np.nan)
        test, ci = two_proportion_test(x1, n1, x2, n2), newcombe_interval(x1, n1, x2, n2)
        cols = {
            "n": n1, "estimate": p1, "versus_n": n2, "versus_estimate": p2, "ci_low": ci["ci_low"],
            "ci_high": ci["ci_high"], "effect_size": cohens_h(p1, p2), "test": test["test"],
            "statistic": test["statistic"], "p_value": test["p_value"],
        }  # fmt: skip
        tested = (n1 >= min_n) & (n2 >= min_n)
        return _table("conversion", EFFECT_SIZE_TYPES["conversion"], rows, managers, cols, tested, p1 > p2,
                      p_adjust, alpha)  # fmt: skip

    def null_se(center: float) -> NDArray:
        return np.sqrt(center * (1 - center) / n)

    return _family(managers, rate, null_se, n >= min_n, n > 0, build, versus=versus, reference=reference)[0]


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


def compare_counts(
    counts: pd.DataFrame,
    *,
    versus: Versus = "rest",
    p_adjust: PAdjust = "holm",
    alpha: float = 0.05,
    reference: Reference = "robust",
    metric: str = "new_customers",
) -> pd.DataFrame:
    """Compare managers' event counts (e.g. new customers) as Poisson rates per unit of exposure.

    Parameters
    ----------
    counts : pandas.DataFrame
        One row per manager: ``manager``, ``count`` (whole number >= 0) and optionally ``exposure`` (> 0,
        e.g. months active or leads handled; 1 for everyone when absent).
    versus, p_adjust, alpha, reference
        As in :func:`compare_rates`.
    metric : str, default "new_customers"
        Label of the ``metric`` column (``effect_size_type`` is ``"rate ratio"``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COMPARISON_COLUMNS`: ``n``/``versus_n`` the counts, ``estimate``/``versus_estimate``
        the rates per unit of exposure, ``effect_size`` the rate ratio with its exact 95 % interval,
        ``test`` ``"exact conditional binomial"``, ``statistic`` the manager's count.

    Notes
    -----
    With counts :math:`x_1 \\sim \\mathrm{Poisson}(\\lambda_1 e_1)` and :math:`x_2 \\sim
    \\mathrm{Poisson}(\\lambda_2 e_2)`, given :math:`x_1 + x_2` the count :math:`x_1` is binomial with
    :math:`\\pi = \\lambda_1 e_1 / (\\lambda_1 e_1 + \\lambda_2 e_2)`; :math:`\\lambda_1 = \\lambda_2` is
    tested by ``scipy.stats.binomtest`` with :math:`\\pi_0 = e_1/(e_1 + e_2)` (as R's ``poisson.test``),
    and the Clopper-Pearson interval of :math:`\\pi` maps to the rate ratio
    :math:`\\pi/(1-\\pi) \\cdot e_2/e_1`. Exact at any count, so there is no ``min_n``: rows with no
    exposure or no events at all get ``insufficient data``. Assumes events independent in time
    (Poisson); if new customers come in batches (one campaign), the test is too liberal.

    References
    ----------
    Przyborowski J, Wilenski H (1940). Homogeneity of results in testing samples from Poisson series.
    Biometrika 31:313-323. Clopper CJ, Pearson ES (1934). Biometrika 26:404-413.

    Examples
    --------
    >>> counts = pd.DataFrame({"manager": ["A", "B", "C", "D"], "count": [12, 9, 11, 30]})
    >>> compare_counts(counts)[["manager", "versus", "versus_estimate", "p_adjusted", "verdict"]].round(3)
      manager        versus  versus_estimate  p_adjusted        verdict
    0       A  rest excl. D           10.000         1.0  no difference
    1       B  rest excl. D           11.500         1.0  no difference
    2       C  rest excl. D           10.500         1.0  no difference
    3       D          rest           10.667         0.0          above
    """
    alpha = _check_options(versus, p_adjust, alpha, reference)
    frame = _events_frame(counts)
    managers = frame["manager"].to_numpy()
    _too_few(managers)
    x, e = frame["count"].to_numpy(float), frame["exposure"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(e > 0, x / e, np.nan)

    def build(rows: list, members: NDArray) -> pd.DataFrame:
        i = np.array([r for r, _ in rows], dtype=int)
        x1, e1, x2, e2 = x[i], e[i], members @ x, members @ e
        with np.errstate(divide="ignore", invalid="ignore"):
            est, ref = rate[i], np.where(e2 > 0, x2 / e2, np.nan)
        test = poisson_rate_test(x1, e1, x2, e2)
        cols = {
            "n": x1, "estimate": est, "versus_n": x2, "versus_estimate": ref, "ci_low": test["ci_low"],
            "ci_high": test["ci_high"], "effect_size": test["estimate"], "test": "exact conditional binomial",
            "statistic": x1, "p_value": test["p_value"],
        }  # fmt: skip
        tested = (e1 > 0) & (e2 > 0)
        return _table(metric, EFFECT_SIZE_TYPES["new_customers"], rows, managers, cols, tested, est > ref,
                      p_adjust, alpha)  # fmt: skip

    def null_se(center: float) -> NDArray:
        return np.sqrt(center / e)

    return _family(managers, rate, null_se, e > 0, e > 0, build, versus=versus, reference=reference)[0]
