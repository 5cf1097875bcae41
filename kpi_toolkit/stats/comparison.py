"""Comparison tables of managers: what every table shares, whatever the KPI. Each manager is compared with
the (robust) rest of the team, or every pair; one row per comparison with the fixed columns
:data:`COMPARISON_COLUMNS`. The verdict follows the primary test alone, after adjusting the p-values across
the comparisons made.

The builders behind ``kt.compare_managers`` are :func:`~kpi_toolkit.stats.rate_comparison.compare_rates`,
:func:`~kpi_toolkit.stats.check_comparison.compare_checks`,
:func:`~kpi_toolkit.stats.count_comparison.compare_counts` and
:func:`~kpi_toolkit.stats.margin.compare_margin_rates`. Against ``"rest"``, an extreme colleague would distort
everyone else's rest; ``reference="robust"`` (the default) leaves extreme managers out of it by the rule
documented in :mod:`kpi_toolkit.stats.reference`. The global tests are in
:mod:`kpi_toolkit.stats.global_tests`, the secondary checks of the average check (rank tests, bootstrap, the
ratio of typical orders) in :mod:`kpi_toolkit.stats.diagnostics`; its test, a permutation test of the
arithmetic means, in :mod:`kpi_toolkit.stats.permutation`.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from kpi_toolkit.stats.multiple import adjust_pvalues

__all__ = ["COMPARISON_COLUMNS", "EFFECT_SIZE_TYPES", "VERDICTS"]


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
