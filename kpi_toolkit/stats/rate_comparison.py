"""Managers' conversion rates compared: each against the (robust) rest of the team, or every pair, by R's
``prop.test`` (Fisher's exact test for small tables), with Newcombe's interval and Cohen's h.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.stats.comparison import EFFECT_SIZE_TYPES, PAdjust, Reference, Versus, _table, _too_few
from kpi_toolkit.stats.counts import _counts_frame
from kpi_toolkit.stats.multiple import _check_min_n, _check_options
from kpi_toolkit.stats.proportion_intervals import cohens_h, newcombe_interval
from kpi_toolkit.stats.proportions import two_proportion_test
from kpi_toolkit.stats.reference import _family

__all__ = ["compare_rates"]


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
