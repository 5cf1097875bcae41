"""Secondary checks of the average-check comparison, row for row: rank tests, a bootstrap, Cliff's delta and
the comparison of typical orders (geometric means).

The verdicts of :func:`~kpi_toolkit.stats.check_comparison.compare_checks` follow the permutation test of the
average checks alone; the checks here are shown beside the verdicts, never instead of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.amounts import _amounts_frame
from kpi_toolkit.stats.check_comparison import _checks_family
from kpi_toolkit.stats.comparison import PAdjust, Reference, Versus
from kpi_toolkit.stats.means import log_welch_test
from kpi_toolkit.stats.multiple import _check_min_n, _check_options
from kpi_toolkit.stats.nonparametric import bootstrap_mean_ratio, cliffs_delta
from kpi_toolkit.stats.proportions import DEFAULT_SEED

__all__ = ["DIAGNOSTIC_COLUMNS", "check_diagnostics"]

#: Columns of :func:`check_diagnostics` (same rows as :func:`compare_checks`).
DIAGNOSTIC_COLUMNS = (
    "manager", "versus", "n", "n_zero", "versus_n", "versus_n_zero", "ratio_of_means", "ratio_ci_low",
    "ratio_ci_high", "mann_whitney_u", "mann_whitney_p", "cliffs_delta", "geometric_mean_ratio",
    "geometric_ci_low", "geometric_ci_high", "log_welch_p",
)  # fmt: skip


def check_diagnostics(
    amounts: pd.DataFrame,
    *,
    versus: Versus = "rest",
    p_adjust: PAdjust = "holm",
    alpha: float = 0.05,
    min_n: int = 5,
    reference: Reference = "robust",
    n_resamples: int = 2000,
    seed: int = DEFAULT_SEED,
    family_amounts: pd.DataFrame | None = None,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The secondary checks of :func:`compare_checks`, row for row: rank tests and a bootstrap.

    Parameters
    ----------
    amounts : pandas.DataFrame
        One row per order: ``manager``, ``amount`` (raw amounts are needed; sufficient statistics are not
        enough for rank tests).
    versus, p_adjust, alpha, min_n, reference
        As in :func:`compare_checks`, so that the rows and references are the same (the robust reference
        depends on the verdicts, hence on ``p_adjust`` and ``alpha``).
    n_resamples : int, default 2000
        Bootstrap resamples of each row.
    seed : int, default :data:`~kpi_toolkit.stats.proportions.DEFAULT_SEED`
        Row r uses ``numpy.random.default_rng(seed + r)``.
    family_amounts : pandas.DataFrame, optional
        Every order (``manager``, ``amount``) the primary table was computed from. When given, the rows and
        each row's reference are taken from it (exactly those of ``compare_checks(family_amounts, ...)``
        with its default ``n_resamples`` and ``seed``) and ``amounts`` may be a sample of the orders (e.g.
        at most a few thousand per manager); managers in ``amounts`` but not in ``family_amounts`` are
        ignored. When ``None``, everything comes from ``amounts``.
    managers : sequence of str, optional
        Managers to show even without any order, as in :func:`compare_checks`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DIAGNOSTIC_COLUMNS`: orders and zero-amount orders of both sides, the ratio of
        arithmetic means with its percentile bootstrap 95 % interval, Mann-Whitney's U (of the manager)
        and two-sided p (unadjusted), Cliff's delta, and the typical-order check: the ratio of geometric
        means of the positive amounts with its 95 % interval and the unadjusted p of Welch's t-test on log
        amounts (:func:`~kpi_toolkit.stats.means.log_welch_test`; zeros cannot be logged and are left out
        of it only). NaN where :func:`compare_checks` says insufficient data (or the amounts given hold
        fewer than ``min_n`` orders of a side; the log-scale check also below 2 positive amounts).
        ``n``, ``n_zero`` and their ``versus_`` twins count the amounts used.

    Notes
    -----
    These are checks, not verdicts: Mann-Whitney tests whether one manager's orders tend to be larger
    (stochastic dominance), the bootstrap bounds the ratio of average checks (sensitive to a few huge
    orders), Cliff's delta is the dominance effect size, and the ratio of geometric means compares typical
    orders: a manager whose orders are less spread out has a larger geometric mean at the same average
    check, so that ratio can differ from 1 while the average checks do not. When the checks disagree with
    the verdict, the distributions differ in shape, not just in level: look at the distributions
    (figures). Zeros are included except in the log-scale check. scipy's ``mannwhitneyu`` uses the exact
    distribution for small samples without ties, else the normal approximation with tie and continuity
    corrections.

    References
    ----------
    Mann HB, Whitney DR (1947). Ann Math Stat 18:50-60. Cliff N (1993). Psych Bull 114:494-509.
    Efron B, Tibshirani RJ (1993). An introduction to the bootstrap, chapter 13. Welch BL (1947).
    Biometrika 34:28-35.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> amounts = pd.DataFrame({"manager": np.repeat(["A", "B", "C"], 40),
    ...                         "amount": rng.lognormal(7, 0.5, 120) * np.repeat([1, 1, 2], 40)})
    >>> diag = check_diagnostics(amounts, n_resamples=500)
    >>> diag[["manager", "ratio_of_means", "ratio_ci_low", "mann_whitney_p", "cliffs_delta"]].round(2)
      manager  ratio_of_means  ratio_ci_low  mann_whitney_p  cliffs_delta
    0       A            1.12          0.93            0.36          0.12
    1       B            0.89          0.75            0.36         -0.12
    2       C            2.06          1.76            0.00          0.76
    """
    alpha = _check_options(versus, p_adjust, alpha, reference)
    min_n = _check_min_n("min_n", min_n)
    if not isinstance(amounts, pd.DataFrame) or "amount" not in amounts.columns:
        raise ParameterError(
            "check_diagnostics needs the raw amounts (columns manager, amount), not "
            "sufficient statistics: rank tests and the bootstrap use every order"
        )
    if family_amounts is None:
        family = _checks_family(amounts, versus, p_adjust, alpha, min_n, reference, managers=managers)
        _, raw, managers, rows, members = family
    else:
        family = _checks_family(family_amounts, versus, p_adjust, alpha, min_n, reference, managers=managers)
        _, _, managers, rows, members = family
        raw = _amounts_frame(amounts)
    by_manager = dict(tuple(raw.groupby("manager", sort=True)["amount"]))
    empty = np.array([], dtype=float)
    records = []
    for r, (i, label) in enumerate(rows):
        x = by_manager.get(managers[i], pd.Series(empty)).to_numpy()
        refs = [
            by_manager[managers[j]].to_numpy()
            for j in np.flatnonzero(members[r])
            if managers[j] in by_manager
        ]
        y = np.concatenate(refs) if refs else empty
        row = {
            "manager": managers[i],
            "versus": label,
            "n": x.size,
            "n_zero": int(np.sum(x == 0)),
            "versus_n": y.size,
            "versus_n_zero": int(np.sum(y == 0)),
        }
        if x.size >= min_n and y.size >= min_n:
            ratio = bootstrap_mean_ratio(x, y, n_resamples=n_resamples, seed=seed + r)
            mw = stats.mannwhitneyu(x, y, alternative="two-sided")
            row |= {
                "ratio_of_means": ratio[0],
                "ratio_ci_low": ratio[1],
                "ratio_ci_high": ratio[2],
                "mann_whitney_u": float(mw.statistic),
                "mann_whitney_p": float(mw.pvalue),
                "cliffs_delta": cliffs_delta(x, y),
            }
            lx, ly = np.log(x[x > 0]), np.log(y[y > 0])
            logs = log_welch_test(lx.size, lx.sum(), (lx**2).sum(), ly.size, ly.sum(), (ly**2).sum())
            row |= {
                "geometric_mean_ratio": float(logs["estimate"].iloc[0]),
                "geometric_ci_low": float(logs["ci_low"].iloc[0]),
                "geometric_ci_high": float(logs["ci_high"].iloc[0]),
                "log_welch_p": float(logs["p_value"].iloc[0]),
            }
        records.append(row)
    out = pd.DataFrame.from_records(records, columns=list(DIAGNOSTIC_COLUMNS))
    floats = [c for c in DIAGNOSTIC_COLUMNS[6:]]
    out[floats] = out[floats].astype(float)
    return out.astype({"n": "int64", "n_zero": "int64", "versus_n": "int64", "versus_n_zero": "int64"})
