"""Which practices are associated with winning a lead, within managers: :func:`practice_effects`.

A practice that good managers use more often would look effective in a pooled comparison even if it did
nothing: the practice would stand in for the manager's skill or the team's mix (Simpson's paradox). So the
association is estimated **within managers**: the leads are split into one 2x2 table per manager (practice
yes/no x won/lost) and combined by Mantel and Haenszel (1959); the pooled (crude) estimate is given beside it
(:func:`pooled_effects`, and ``attrs["pooled"]`` of the result) to show how much the mix mattered.

A practice happens at some moment of a lead's life, so the comparison is also made **in time**: on each day
after a lead's creation, the leads still open that have not taken up the practice yet are split into those
taking it up that day and the others (a time-varying exposure; :mod:`kpi_toolkit.practices.timing`). The
strata are manager x day. This is neither biased toward the leads that lived long enough to get the practice
(immortal time) nor by which leads are still open at a fixed landmark (the design before issue 22 kept only
leads open on day 14: a practice with no effect on winning that kept losing leads open longer was called
"negative", odds ratio 0.38).

This is an association in observational data, never proof of cause: a practice may be used on leads that
were more promising in the first place. Outputs say "associated with", not "causes".
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.contingency_tables import StratifiedTable
from statsmodels.stats.multitest import multipletests

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period
from kpi_toolkit.practices.features import PRACTICES
from kpi_toolkit.practices.timing import practice_times, risk_sets

__all__ = [
    "EFFECT_COLUMNS",
    "POOLED_COLUMNS",
    "VERDICTS",
    "pooled_effects",
    "practice_effects",
    "sequential_association",
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
    codes = np.unique(strata, return_inverse=True)[1].ravel()  # strata in sorted order, counted at once
    size = codes.max(initial=-1) + 1
    cells = np.stack([np.bincount(codes, weights=(exposed == e) & (won == w), minlength=size)
                      for e, w in ((1, 1), (1, 0), (0, 1), (0, 0))], axis=1).astype(int)  # fmt: skip
    tables, margins = [], []
    for a, b, c, d in cells.tolist():
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


def sequential_association(
    won: np.ndarray,
    tau: np.ndarray,
    close_days: np.ndarray,
    strata: np.ndarray,
    *,
    window_days: float = 14,
    n_permutations: int = N_PERMUTATIONS,
    seed: int = DEFAULT_SEED,
) -> dict[str, float]:
    """Association of a time-varying practice with winning, in day-by-day risk sets within ``strata``.

    Parameters
    ----------
    won : array of 0/1
        Each lead's outcome.
    tau, close_days : arrays of float
        When the lead took up the practice (days after creation; ``inf`` never) and when it closed.
    strata : array
        The lead's manager (or one value for all: pooled).
    window_days, n_permutations, seed
        The window of the practice and the permutation test of :func:`stratified_association`.

    Returns
    -------
    dict
        As :func:`stratified_association` on the lead-days at risk (:func:`kpi_toolkit.practices.timing.
        risk_sets`) with strata ``stratum x day``, except ``n`` (leads at risk at least one day),
        ``with_rate`` and ``without_rate`` (crude win rates of the leads that took up the practice in the
        window and of those that did not).

    Notes
    -----
    On day ``d`` a lead open at its start and not yet exposed is exposed when it takes up the practice that
    day. The Mantel-Haenszel odds ratio over the (stratum, day) tables compares, among leads with the same
    history up to that day, those taking the practice up with those not (yet) doing so; its score
    ``sum(a_k - E a_k)`` is the stratified log-rank-type score of Mantel (1966) and its null law is drawn
    from independent hypergeometrics as in :func:`stratified_association`. A lead is a control on several
    days, so the strata are not independent; the contributions are martingale differences (the argument of
    the log-rank test), and the simulations in ``tests/test_practices_timing.py`` check the error rate. A
    lead that takes the practice up later is a control before (an intention-to-treat comparison per day), so
    the odds ratio is somewhat diluted toward 1.

    References
    ----------
    Mantel N (1966). Evaluation of survival data and two new rank order statistics arising in its
    consideration. Cancer Chemother Rep 50:163-170.
    Hernán MA et al. (2008). Epidemiology 19:766-779. Schaubel DE et al. (2006). Biometrics 62:910-917.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> n = 4000
    >>> tau = np.where(rng.random(n) < 0.5, rng.uniform(0, 14, n), np.inf)
    >>> won = (rng.random(n) < 0.3).astype(int)
    >>> close = rng.gamma(2.0, 11.0, n)
    >>> close = np.where((won == 0) & (tau < close), close + 30, close)  # losing leads kept open longer
    >>> r = sequential_association(won, tau, close, np.zeros(n), n_permutations=999)
    >>> bool(0.8 < r["odds_ratio"] < 1.25), r["p_value"] > 0.05
    (True, True)
    """
    won = np.asarray(won, dtype=int)
    tau = np.asarray(tau, dtype=float)
    lead, day, exposed = risk_sets(tau, close_days, window_days)
    codes = pd.factorize(pd.Series(np.asarray(strata)), sort=True)[0]
    keys = codes[lead].astype(np.int64) * (int(np.ceil(window_days)) + 1) + day
    out = stratified_association(won[lead], exposed, keys, n_permutations=n_permutations, seed=seed)
    at_risk = np.unique(lead)
    ever = np.isfinite(tau[at_risk])
    out["n"] = float(at_risk.size)
    out["with_rate"] = float(won[at_risk][ever].mean()) if ever.any() else float("nan")
    out["without_rate"] = float(won[at_risk][~ever].mean()) if (~ever).any() else float("nan")
    return out


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
        Practices taken up in the first ``window_days`` days of a lead count (default 14; see
        :mod:`kpi_toolkit.practices.timing`).
    alpha
        Level of the Benjamini-Hochberg adjusted p-values for the verdict.
    n_permutations, seed
        The within-stratum permutation test (:func:`stratified_association`); seeded, so reproducible.
    managers
        Only the leads of these managers (e.g. a team); ``None``: all.

    Returns
    -------
    pandas.DataFrame
        One row per practice, columns :data:`EFFECT_COLUMNS`: ``kind`` (binary or numeric), ``n_leads`` (leads
        won or lost that were open at least at the start of their first day), ``with_rate`` and
        ``without_rate`` (crude win rates of the leads that took the practice up in the window and of the
        others), ``difference`` (Mantel-Haenszel risk difference, taking the practice up on a day versus not,
        within manager x day), ``odds_ratio`` with its 95 % interval ``ci_low, ci_high`` (Mantel-Haenszel
        within manager x day, Robins-Breslow-Greenland variance), ``p_value`` (permutation test within manager
        x day), ``p_adjusted`` (Benjamini-Hochberg across the practices of the call) and ``verdict``:
        ``positive`` (associated with winning more often: adjusted p < alpha and odds ratio > 1),
        ``negative`` (associated with winning less often) or ``no evidence``. ``attrs["pooled"]`` holds
        :func:`pooled_effects` for the same leads, ``attrs["thresholds"]`` the medians of the numeric
        practices.

    Notes
    -----
    Each practice is a time-varying exposure taken up at a moment of the lead's life (a numeric one when it
    first exceeds its median; :mod:`kpi_toolkit.practices.timing`), and the comparison is made day by day
    among the leads still open that have not taken it up yet, within managers
    (:func:`sequential_association`): not biased by how long leads stay open, which a practice may change.
    In simulation (``tests/test_practices_timing.py``) a practice with no effect on winning that keeps
    losing leads open three times longer is flagged at about the nominal rate (the landmark design before:
    odds ratio 0.38, always "negative"). Leads still open at the end of the data have no outcome and take no
    part: a practice that keeps leads open longer has more of its leads left out at the end of the data, so
    analyse periods that ended a few months before it (the demo's leads close within about two months).
    The estimate is an association in observational data: "associated with", not "causes". NaN where no
    manager and day has leads taking the practice up and not, and both outcomes.

    References
    ----------
    Mantel N, Haenszel W (1959). J Natl Cancer Inst 22:719-748.
    Hernán MA, Robins JM (2020). Causal inference: what if, ch. 19-20 (time-varying treatments, immortal
    time). Therneau TM, Grambsch PM (2000). Modeling survival data, ch. 3 (time-dependent covariates).
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
    times = practice_times(data, periods=periods, window_days=window_days, managers=managers)
    won, close = times["won"].to_numpy(), times["close_days"].to_numpy()
    strata = times["manager"].to_numpy()
    rows, pooled = [], []
    for name in chosen:
        tau = times[name].to_numpy()
        common = {"window_days": window_days, "n_permutations": n_permutations, "seed": seed}
        r = sequential_association(won, tau, close, strata, **common)
        crude = sequential_association(won, tau, close, np.zeros(len(won)), **common)
        stats = ("with_rate", "without_rate", "difference", "odds_ratio", "ci_low", "ci_high", "p_value")
        rows.append((name, PRACTICES[name], int(r["n"]), *(r[k] for k in stats)))
        pooled.append((name, int(r["n"]), crude["odds_ratio"], crude["ci_low"], crude["ci_high"],
                       r["odds_ratio"]))  # fmt: skip
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
    result.attrs["thresholds"] = times.attrs["thresholds"]
    result.attrs["n_permutations"] = n_permutations
    return result


def pooled_effects(
    data,
    *,
    periods: str | Sequence[str | Period] | None,
    practices: Sequence[str] | None = None,
    window_days: float = 14,
    managers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The odds ratio of each practice with all managers' leads pooled, beside the within-manager one.

    When the two differ much, the pooled figure mostly reflects *who* uses the practice (managers of
    different skill or mix), which is why :func:`practice_effects` reports the within-manager one. Both are
    compared day by day (:func:`sequential_association`): the pooled one within days only.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`POOLED_COLUMNS`: ``pooled_odds_ratio`` (Mantel-Haenszel within days, managers pooled)
        and its 95 % Robins-Breslow-Greenland interval (``pooled_ci_low``, ``pooled_ci_high``), and
        ``odds_ratio`` (within manager x day).

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
