"""Which practices are associated with winning a lead, within managers: :func:`practice_effects`.

A practice that good managers use more often would look effective in a pooled comparison even if it did
nothing: the practice would stand in for the manager's skill or the team's mix (Simpson's paradox). So the
association is estimated **within managers**: the leads are split into one 2x2 table per manager (practice
yes/no x won/lost) and combined by Mantel and Haenszel (1959); the pooled (crude) estimate is given beside it
(:func:`pooled_effects`, and ``attrs["pooled"]`` of the result) to show how much the mix mattered.

This is an association in observational data, never proof of cause: a practice may be used on leads that
were more promising in the first place. Outputs say "associated with", not "causes".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import StratifiedTable, Table2x2
from statsmodels.stats.multitest import multipletests

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period
from kpi_toolkit.practices.features import PRACTICES, practice_features

__all__ = [
    "EFFECT_COLUMNS",
    "POOLED_COLUMNS",
    "VERDICTS",
    "exposure",
    "pooled_effects",
    "practice_effects",
    "stratified_association",
]

#: Columns of :func:`practice_effects` (fixed; what does not apply is NaN).
EFFECT_COLUMNS = (
    "practice",
    "kind",
    "n_leads",
    "with_rate",
    "without_rate",
    "difference",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "p_adjusted",
    "verdict",
)
#: Columns of :func:`pooled_effects`: the crude (managers pooled) odds ratio beside the within-manager one.
POOLED_COLUMNS = ("practice", "n_leads", "pooled_odds_ratio", "pooled_ci_low", "pooled_ci_high", "odds_ratio")
#: Verdict codes (English in data files; reports translate them).
VERDICTS = ("positive", "negative", "no evidence")
#: Default number of within-manager permutations (the smallest attainable p-value is 1 / 10 000).
N_PERMUTATIONS = 9999
DEFAULT_SEED = 20261127


def exposure(values: pd.Series, kind: str) -> pd.Series:
    """The practice as yes (1.0) / no (0.0): a binary practice as it is, a numeric one *above its median*.

    The median is taken over the leads analysed (all managers together); values equal to the median count
    as "no", so "with" means strictly more (or slower, for ``hours_to_first_touch``) than the typical lead.
    Missing values stay missing.

    >>> exposure(pd.Series([1.0, 2.0, 3.0, 4.0, None]), "numeric").tolist()
    [0.0, 0.0, 1.0, 1.0, nan]
    """
    if kind == "binary":
        return values.astype("float64")
    median = values.median()
    return (values > median).astype("float64").where(values.notna())


def stratified_association(
    won: np.ndarray,
    exposed: np.ndarray,
    strata: np.ndarray,
    *,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
) -> dict[str, float]:
    """Mantel-Haenszel odds ratio and risk difference of ``won`` on ``exposed`` within ``strata``, with a
    within-stratum permutation p-value.

    Parameters
    ----------
    won, exposed
        0/1 arrays, one entry per lead (no missing values).
    strata
        The stratum (manager) of each lead.
    n_permutations
        Number of within-stratum permutations of ``exposed``.
    seed
        Seed of the permutations (same seed, same p-value).

    Returns
    -------
    dict
        ``n, with_rate, without_rate, difference, odds_ratio, ci_low, ci_high, p_value``.

    Notes
    -----
    Per stratum ``k``: ``a_k`` exposed and won, ``b_k`` exposed and lost, ``c_k`` unexposed and won, ``d_k``
    unexposed and lost, ``n_k`` leads. Strata without both exposed and unexposed leads, or without both
    outcomes, carry no information and are left out.

    - ``odds_ratio = sum(a_k d_k / n_k) / sum(b_k c_k / n_k)`` (Mantel and Haenszel 1959); its 95 % interval
      from the variance of Robins, Breslow and Greenland (1986) (statsmodels ``StratifiedTable``).
    - ``difference`` is the Mantel-Haenszel risk difference
      ``sum((a_k n0_k - c_k n1_k) / n_k) / sum(n1_k n0_k / n_k)``; ``with_rate`` and ``without_rate`` are the
      crude win rates of the exposed and unexposed leads (all strata together).
    - ``p_value``: two-sided permutation test. Under "no association within managers" the exposure labels are
      exchangeable within each manager, so they are permuted within managers; with the margins fixed the
      permuted ``a_k`` is exactly hypergeometric, and the statistic ``|sum(a_k) - sum(E a_k)|`` is drawn from
      independent hypergeometrics (the permutation distribution of the Cochran-Mantel-Haenszel statistic).
      ``p = (1 + #{T* >= T}) / (1 + n_permutations)`` (Phipson and Smyth 2010). It needs no large-sample
      approximation and stays valid with few managers or few leads per manager; it assumes the leads of one
      manager are exchangeable.

    NaN everywhere when no stratum is informative.

    References
    ----------
    Mantel N, Haenszel W (1959). J Natl Cancer Inst 22:719-748.
    Robins J, Breslow N, Greenland S (1986). Biometrics 42:311-323.
    Phipson B, Smyth GK (2010). Permutation p-values should never be zero. Stat Appl Genet Mol Biol 9:39.

    Examples
    --------
    >>> won = np.array([1, 1, 0, 0, 1, 0, 0, 0] * 5)
    >>> exposed = np.array([1, 1, 1, 0, 0, 0, 0, 1] * 5)
    >>> strata = np.array(["a"] * 20 + ["b"] * 20)
    >>> r = stratified_association(won, exposed, strata, n_permutations=999)
    >>> round(r["odds_ratio"], 3), round(r["difference"], 3), r["p_value"] < 0.05
    (2.96, 0.247, False)
    """
    won = np.asarray(won, dtype=int)
    exposed = np.asarray(exposed, dtype=int)
    strata = np.asarray(strata)
    nan = float("nan")
    out = dict.fromkeys(
        ("with_rate", "without_rate", "difference", "odds_ratio", "ci_low", "ci_high", "p_value"), nan
    )
    out["n"] = float(len(won))
    if len(won):
        if exposed.any():
            out["with_rate"] = float(won[exposed == 1].mean())
        if (exposed == 0).any():
            out["without_rate"] = float(won[exposed == 0].mean())
    tables, margins = [], []
    for key in np.unique(strata):
        sel = strata == key
        w, e = won[sel], exposed[sel]
        a, b = int(((e == 1) & (w == 1)).sum()), int(((e == 1) & (w == 0)).sum())
        c, d = int(((e == 0) & (w == 1)).sum()), int(((e == 0) & (w == 0)).sum())
        if min(a + b, c + d, a + c, b + d) == 0:
            continue
        tables.append(np.array([[a, b], [c, d]], dtype=float))
        margins.append((a, a + c, b + d, a + b))  # observed a, winners, losers, exposed
    if not tables:
        return out
    n1 = np.array([t[0].sum() for t in tables])
    n0 = np.array([t[1].sum() for t in tables])
    nk = n1 + n0
    a_k = np.array([t[0, 0] for t in tables])
    c_k = np.array([t[1, 0] for t in tables])
    out["difference"] = float(np.sum((a_k * n0 - c_k * n1) / nk) / np.sum(n1 * n0 / nk))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        st = StratifiedTable(tables)
        out["odds_ratio"] = float(st.oddsratio_pooled)
        low, high = st.oddsratio_pooled_confint(alpha=0.05)
    out["ci_low"], out["ci_high"] = float(low), float(high)
    m = np.array(margins)
    expected = float(np.sum(m[:, 1] * m[:, 3] / (m[:, 1] + m[:, 2])))
    observed = float(m[:, 0].sum())
    rng = np.random.default_rng(seed)
    draws = np.zeros(n_permutations)
    for _, good, bad, sample in margins:
        draws += rng.hypergeometric(good, bad, sample, size=n_permutations)
    extreme = np.abs(draws - expected) >= abs(observed - expected) - 1e-9
    out["p_value"] = float((1 + extreme.sum()) / (1 + n_permutations))
    return out


def _check(practices: Sequence[str] | None, n_permutations: int, alpha: float) -> list[str]:
    chosen = list(PRACTICES) if practices is None else list(practices)
    unknown = [p for p in chosen if p not in PRACTICES]
    if unknown or not chosen:
        raise ParameterError(
            f"practices={practices!r}: unknown or empty ({unknown}). Fix: choose from {', '.join(PRACTICES)}."
        )
    if not isinstance(n_permutations, int) or n_permutations < 99:
        raise ParameterError(
            f"n_permutations={n_permutations!r} is too small. Fix: use at least 99, e.g. 9999."
        )
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r} is not a probability. Fix: use e.g. 0.05.")
    return chosen


def _outcome_leads(data, periods, window_days: float) -> pd.DataFrame:
    features = practice_features(data, periods=periods, window_days=window_days, landmark_only=True)
    return features[features["won"].notna()]


def practice_effects(
    data,
    *,
    periods: str | Sequence[str | Period] | None,
    practices: Sequence[str] | None = None,
    window_days: float = 14,
    alpha: float = 0.05,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """For each practice, its association with winning a lead, within managers.

    Parameters
    ----------
    data
        A :class:`kpi_toolkit.SalesData` with ``leads`` and ``activities``.
    periods
        Leads created in these periods (label, list or range ``"2025Q4:2026Q3"``); ``None``: every lead.
    practices
        Names from :data:`kpi_toolkit.practices.PRACTICES` (default: all, in that order).
    window_days
        The measuring window after a lead's creation (landmark analysis, see
        :mod:`kpi_toolkit.practices.features`).
    alpha
        Level of the Benjamini-Hochberg adjusted p-values for the verdict.
    n_permutations, seed
        The within-manager permutation test (:func:`stratified_association`); seeded, so reproducible.
    managers
        Only the leads of these managers (e.g. a team); ``None``: all.

    Returns
    -------
    pandas.DataFrame
        One row per practice, columns :data:`EFFECT_COLUMNS`: ``kind`` (binary or numeric), ``n_leads`` (leads
        with an outcome that were open at the landmark and have the practice measured), ``with_rate`` and
        ``without_rate`` (crude win rates), ``difference`` (within-manager Mantel-Haenszel risk difference),
        ``odds_ratio`` with its 95 % interval ``ci_low, ci_high`` (within-manager Mantel-Haenszel),
        ``p_value`` (within-manager permutation test), ``p_adjusted`` (Benjamini-Hochberg across the
        practices of the call) and ``verdict``: ``positive`` (associated with winning more often: adjusted
        p < alpha and odds ratio > 1), ``negative`` (associated with winning less often) or ``no evidence``.
        ``attrs["pooled"]`` holds :func:`pooled_effects` for the same leads.

    Notes
    -----
    A numeric practice is compared above versus at-or-below its median (:func:`exposure`). Leads still open
    at the end of the data have no outcome and take no part; so do leads closed before the landmark. The
    estimate is an association in observational data: "associated with", not "causes". NaN where no manager
    has both leads with and without the practice and both outcomes.

    References
    ----------
    Mantel N, Haenszel W (1959). J Natl Cancer Inst 22:719-748.
    Benjamini Y, Hochberg Y (1995). J R Stat Soc B 57:289-300.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> effects = practice_effects(kt.from_frames(**make_demo_data()), periods="2025Q4:2026Q3")
    >>> effects.set_index("practice")["verdict"].to_dict()["had_meeting"]
    'positive'
    """
    chosen = _check(practices, n_permutations, alpha)
    leads = _outcome_leads(data, periods, window_days)
    if managers is not None:
        leads = leads[leads["manager"].isin(list(managers))]
    rows, pooled = [], []
    for name in chosen:
        kind = PRACTICES[name]
        x = exposure(leads[name], kind)
        keep = x.notna().to_numpy()
        won = leads["won"].to_numpy()[keep].astype(int)
        exposed = x.to_numpy()[keep].astype(int)
        r = stratified_association(
            won, exposed, leads["manager"].to_numpy()[keep], n_permutations=n_permutations, seed=seed
        )
        stats = ("with_rate", "without_rate", "difference", "odds_ratio", "ci_low", "ci_high", "p_value")
        rows.append((name, kind, int(keep.sum()), *(r[k] for k in stats)))
        pooled.append((name, int(keep.sum()), *_crude(won, exposed), r["odds_ratio"]))
    result = pd.DataFrame(
        [(*row, np.nan, "no evidence") for row in rows], columns=list(EFFECT_COLUMNS)
    ).astype({"n_leads": "int64"})
    p = result["p_value"].to_numpy(dtype=float)
    known = ~np.isnan(p)
    if known.any():
        adjusted = np.full(len(p), np.nan)
        adjusted[known] = multipletests(p[known], method="fdr_bh")[1]
        result["p_adjusted"] = adjusted
    significant = result["p_adjusted"] < alpha
    result.loc[significant & (result["odds_ratio"] > 1), "verdict"] = "positive"
    result.loc[significant & (result["odds_ratio"] < 1), "verdict"] = "negative"
    result.attrs["pooled"] = pd.DataFrame(pooled, columns=list(POOLED_COLUMNS))
    result.attrs["window_days"] = float(window_days)
    result.attrs["n_permutations"] = n_permutations
    return result


def _crude(won: np.ndarray, exposed: np.ndarray) -> tuple[float, float, float]:
    a = int(((exposed == 1) & (won == 1)).sum())
    b = int(((exposed == 1) & (won == 0)).sum())
    c = int(((exposed == 0) & (won == 1)).sum())
    d = int(((exposed == 0) & (won == 0)).sum())
    if min(a + b, c + d, a + c, b + d) == 0:
        return (float("nan"),) * 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        t = Table2x2(np.array([[a, b], [c, d]], dtype=float))
        low, high = t.oddsratio_confint(alpha=0.05)
        return float(t.oddsratio), float(low), float(high)


def pooled_effects(
    data,
    *,
    periods: str | Sequence[str | Period] | None,
    practices: Sequence[str] | None = None,
    window_days: float = 14,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The crude odds ratio of each practice, all managers' leads pooled, beside the within-manager one.

    When the two differ much, the pooled figure mostly reflects *who* uses the practice (managers of
    different skill or mix), which is why :func:`practice_effects` reports the within-manager one.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POOLED_COLUMNS`: ``pooled_odds_ratio`` and its 95 % Woolf interval
        (``pooled_ci_low``, ``pooled_ci_high``), and ``odds_ratio`` (within managers, Mantel-Haenszel).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> p = pooled_effects(kt.from_frames(**make_demo_data()), periods="2026Q3", practices=["had_meeting"])
    >>> list(p.columns) == list(POOLED_COLUMNS), bool(p["pooled_odds_ratio"].iloc[0] > 1)
    (True, True)
    """
    effects = practice_effects(
        data,
        periods=periods,
        practices=practices,
        window_days=window_days,
        n_permutations=99,
        managers=managers,
    )
    return effects.attrs["pooled"]
