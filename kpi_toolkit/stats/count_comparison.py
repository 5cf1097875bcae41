"""Managers' event counts (e.g. new customers) compared as Poisson rates per unit of exposure: each against
the (robust) rest of the team, or every pair, by the exact conditional binomial test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.stats.comparison import EFFECT_SIZE_TYPES, PAdjust, Reference, Versus, _table, _too_few
from kpi_toolkit.stats.counts import _events_frame
from kpi_toolkit.stats.multiple import _check_options
from kpi_toolkit.stats.poisson import poisson_rate_test
from kpi_toolkit.stats.reference import _family

__all__ = ["compare_counts"]


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
