"""Does a manager miss the plan systematically, or was it noise? Verdicts on plain attainment series.

Four to eight quarters are too few for a manager's own control limits. Each period's attainment is judged
against the plan (attainment 1) with the noise a fair plan would leave: the compound Poisson noise of the
manager's own orders (:func:`kpi_toolkit.gap.attainment_noise`) plus the team's extra-Poisson noise.
The test of a mean shortfall is adjusted for the number of managers judged (Holm), bounds what one bad
period can weigh, and is joined by a CUSUM rule only where the series is long enough to carry one.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap.noise import CLIP, _team_extra_noise, clipped_variance, cusum_tail_probability

__all__ = [
    "MISS_COLUMNS",
    "MISS_EVIDENCE_COLUMNS",
    "POWER_AT",
    "VERDICTS",
    "judge_misses",
    "miss_evidence",
]

#: Columns of :func:`judge_misses`.
MISS_COLUMNS = ("manager", "periods_observed", "periods_missed", "mean_attainment", "rule", "verdict")
#: Columns of :func:`miss_evidence`.
MISS_EVIDENCE_COLUMNS = (
    "manager",
    "periods_observed",
    "periods_missed",
    "mean_attainment",
    "weighted_attainment",
    "worst_period",
    "worst_attainment",
    "z_shortfall",
    "p_shortfall",
    "cusum_max",
    "p_cusum",
    "p_value",
    "p_adjusted",
    "extra_noise",
    "power",
    "rule",
    "verdict",
)
VERDICTS = ("systematic", "not systematic", "insufficient data")
#: The attainment at which :func:`miss_evidence` states its power (a manager selling 85 % of plan).
POWER_AT = 0.85
SERIES_COLUMNS = ("manager", "period", "attainment", "noise")


def _holm(p: NDArray[np.float64]) -> NDArray[np.float64]:
    """Holm's step-down adjusted p-values: max over j <= i of (m - j + 1) p_(j), capped at 1."""
    order = np.argsort(p, kind="stable")
    steps = (len(p) - np.arange(len(p))) * p[order]
    adjusted = np.empty_like(p)
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    return adjusted


def _cusum_max(z: NDArray[np.float64], k: float) -> float:
    c, top = 0.0, 0.0
    for value in z:
        c = max(0.0, c - value - k)
        top = max(top, c)
    return top


def _check_options(
    alpha: float, p_adjust: str, extra_noise: object, margin: float, min_periods: int, cusum_min_periods: int
) -> None:
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r} must be in (0, 1). Fix: e.g. alpha=0.05.")
    if p_adjust not in ("holm", "none"):
        raise ParameterError(f"p_adjust={p_adjust!r} is not allowed. Fix: use 'holm' or 'none'.")
    number = isinstance(extra_noise, float | int) and not isinstance(extra_noise, bool)
    if not (extra_noise == "team" or (number and 0 <= extra_noise < np.inf)):
        raise ParameterError(
            f"extra_noise={extra_noise!r} is not allowed. Fix: use 'team' (estimate it) or a number >= 0 "
            "(0 trusts the compound Poisson noise as it is)."
        )
    if not 0 <= margin < 1:
        raise ParameterError(f"margin={margin!r} must be in [0, 1). Fix: e.g. margin=0.05 for 5 %.")
    for name, value in (("min_periods", min_periods), ("cusum_min_periods", cusum_min_periods)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise ParameterError(f"{name}={value!r} must be a whole number >= 2. Fix: e.g. {name}=4.")


def _series(series: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(series, pd.DataFrame) or not set(SERIES_COLUMNS) <= set(series.columns):
        raise ParameterError(
            f"series must be a DataFrame with the columns {list(SERIES_COLUMNS)}, one row per manager and "
            "period in time order. Fix: e.g. attainment = sales_volume / sales_plan, noise from "
            "kpi_toolkit.gap.attainment_noise()."
        )
    frame = series.loc[:, list(SERIES_COLUMNS)].copy()
    frame["manager"] = frame["manager"].astype("str")
    for column in ("attainment", "noise"):
        frame[column] = frame[column].astype("float64")
    a, s = frame["attainment"], frame["noise"]
    bad = (a < 0) | np.isinf(a) | (a.notna() & ((s <= 0) | np.isinf(s)))
    if bad.any():
        rows = frame.loc[bad, ["manager", "period"]].astype(str).agg(" ".join, axis=1).tolist()[:5]
        raise ParameterError(
            f"series: attainment must be finite and >= 0, and noise finite and > 0, at {rows}. "
            "Fix: NaN marks a period without a target or without a noise estimate."
        )
    return frame.sort_values("manager", kind="stable").reset_index(drop=True)


def _clipped_moments(
    mu: NDArray[np.float64], sd: NDArray[np.float64], clip: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and variance of :math:`\\min(\\max(Y, -c), c)` for :math:`Y \\sim N(\\mu, sd^2)`."""
    a, b = (-clip - mu) / sd, (clip - mu) / sd
    fa, fb, pa, pb = stats.norm.cdf(a), stats.norm.cdf(b), stats.norm.pdf(a), stats.norm.pdf(b)
    inside = fb - fa
    mean = -clip * fa + clip * (1 - fb) + mu * inside + sd * (pa - pb)
    second = (
        clip**2 * (fa + 1 - fb)
        + mu**2 * inside
        + 2 * mu * sd * (pa - pb)
        + sd**2 * (inside + a * pa - b * pb)
    )
    return mean, np.maximum(second - mean**2, 0.0)


def _power(
    s: NDArray[np.float64],
    code: NDArray[np.intp],
    *,
    m: int,
    tau: float,
    level: float,
    centre: float,
    crit: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Chance that the mean-shortfall test flags each manager whose true attainment is ``level``.

    Normal approximation of both forms of the statistic, each period's attainment having mean ``level``
    and the compound Poisson variance of that level, :math:`level\\,s_t^2 + \\tau^2`; the test flags when
    both fall below ``crit`` (the less likely of the two is taken).
    """
    w = 1.0 / (s**2 + tau**2)
    sum_w = np.bincount(code, weights=w, minlength=m)
    shift = (level - centre) * np.sqrt(w)
    spread = np.sqrt((level * s**2 + tau**2) * w)
    psi_mean, psi_var = _clipped_moments(shift, spread, CLIP)
    with np.errstate(invalid="ignore", divide="ignore"):
        plain_mean = np.bincount(code, weights=np.sqrt(w) * shift, minlength=m) / np.sqrt(sum_w)
        plain_sd = np.sqrt(np.bincount(code, weights=w * spread**2, minlength=m) / sum_w)
        scale = np.sqrt(clipped_variance(CLIP) * sum_w)
        clipped_mean = np.bincount(code, weights=np.sqrt(w) * psi_mean, minlength=m) / scale
        clipped_sd = np.sqrt(np.bincount(code, weights=w * psi_var, minlength=m)) / scale
        plain = stats.norm.cdf((crit - plain_mean) / plain_sd)
        clipped = stats.norm.cdf((crit - clipped_mean) / clipped_sd)
    return np.fmin(plain, clipped)


def miss_evidence(
    series: pd.DataFrame,
    *,
    alpha: float = 0.05,
    p_adjust: Literal["holm", "none"] = "holm",
    extra_noise: Literal["team"] | float = "team",
    margin: float = 0.0,
    min_periods: int = 4,
    cusum_min_periods: int = 12,
    cusum_k: float = 0.5,
    power_at: float = POWER_AT,
) -> pd.DataFrame:
    """Per manager, the evidence that the plan is missed systematically, and the verdict.

    Parameters
    ----------
    series : pandas.DataFrame
        One row per manager and period, **in time order within each manager**, with the columns
        ``manager, period, attainment, noise``: attainment = sales volume / target (1.0 is 100 %),
        noise = its standard deviation under a fair plan (:func:`kpi_toolkit.gap.attainment_noise`). A
        period whose attainment or noise is NaN (no target, no noise estimate) is not observed.
    alpha : float, default 0.05
        Family-wise error rate over the managers judged.
    p_adjust : {"holm", "none"}, default "holm"
        Adjustment for the number of managers judged.
    extra_noise : "team" or float, default "team"
        Noise beyond the compound Poisson model (planning error, market swings), as a standard deviation
        of attainment per period: ``"team"`` estimates it from the team's period-to-period spread; a
        number fixes it (0 trusts the model's noise as it is).
    margin : float, default 0.0
        Shortfall tolerated: a manager is judged against attainment ``1 - margin``.
    min_periods : int, default 4
        Fewer observed periods give ``"insufficient data"``.
    cusum_min_periods : int, default 12
        The CUSUM rule is applied from this many observed periods on.
    cusum_k : float, default 0.5
        Reference value of the CUSUM, in standard deviations (0.5 detects a shift of one sd fastest).
    power_at : float, default 0.85
        The true attainment at which ``power`` is stated (0.85: a manager selling 85 % of plan).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MISS_EVIDENCE_COLUMNS`, one row per manager (sorted). ``periods_missed`` counts
        attainments below 1; ``mean_attainment`` is their plain mean, ``weighted_attainment`` the
        inverse-variance weighted one; ``worst_period`` and ``worst_attainment`` the period furthest below
        plan (in standard deviations); ``z_shortfall`` and ``p_shortfall`` the mean-shortfall test (the
        less extreme of its plain and clipped forms); ``cusum_max`` and ``p_cusum`` the CUSUM rule (NaN
        when the series is too short); ``p_value`` the manager's p-value and ``p_adjusted`` after Holm
        (NaN with insufficient data); ``extra_noise`` the extra standard deviation used; ``power`` the
        chance that this manager would be flagged, with the periods and noise they have, if their true
        attainment were ``power_at`` in every period (NaN with insufficient data; ``attrs["power_at"]``
        says at which attainment); ``rule`` the rule that fired (``"mean shortfall"``, ``"cusum"`` or
        ``"none"``); ``verdict`` one of :data:`VERDICTS`.

    Raises
    ------
    ParameterError
        If an option is invalid, a column is missing, or an attainment or noise value is invalid.

    Notes
    -----
    Model: :math:`A_t = \\mu + \\varepsilon_t` with :math:`\\operatorname{Var} \\varepsilon_t = s_t^2 +
    \\tau^2`: the noise :math:`s_t` of a fair plan's orders plus an extra :math:`\\tau` common to the team
    (a planning error or a market swing of a few percent does not shrink with the number of orders).
    :math:`H_0: \\mu \\ge c` (a fair or generous plan) against :math:`\\mu < c`,
    :math:`c = 1 - \\text{margin}`. Standardised residuals :math:`r_t = (A_t - c) / \\sqrt{s_t^2 + \\tau^2}`
    are clipped, :math:`\\psi(r) = \\min(\\max(r, -2), 2)` (Huber 1964), so that **no single period weighs
    more than 2 standard deviations**.

    - *Extra noise* (``"team"``): in the manner of Huber's Proposal 2, :math:`\\tau` and a robust level
      :math:`\\hat\\mu_m` per manager solve :math:`\\sum_t w_{mt} \\psi(e_{mt}) = 0` for each manager and
      :math:`\\sum_{m,t} \\psi(e_{mt})^2 = (N - M)\\,E\\,\\psi(Z)^2`, with :math:`e_{mt} = (A_{mt} -
      \\hat\\mu_m)\\sqrt{w_{mt}}`, :math:`w_{mt} = 1/(s_{mt}^2 + \\tau^2)`, over the :math:`M` managers with
      two or more periods (:math:`N` periods in all); :math:`\\tau = 0` when the model's noise already
      explains the spread. Around each manager's own level, so that a persistent shortfall is not counted
      as noise; clipped, so that one wild quarter inflates neither that manager's level nor everyone's
      noise. A noise that is a constant multiple of :math:`s_t` (e.g. amounts' moments misjudged) is
      absorbed only approximately.
    - *Mean shortfall*: the inverse-variance weighted mean, standardised, both as it is and with bounded
      influence: :math:`Z_1 = \\sum_t \\sqrt{w_t}\\,r_t / \\sqrt{\\sum_t w_t}` and
      :math:`Z_2 = \\sum_t \\sqrt{w_t}\\,\\psi(r_t) / \\sqrt{E\\,\\psi(Z)^2 \\sum_t w_t}`; the less extreme,
      :math:`Z = \\max(Z_1, Z_2)`, counts. :math:`Z_1` is valid, even conservative for right-skewed
      sales, but one disastrous quarter can decide it; :math:`Z_2` bounds what one period can weigh, but
      clipping a right-skewed residual biases it down (by about 0.05 sd over eight quarters of 20-80
      orders: some 10 % more false flags). Requiring both is an intersection-union test (Berger 1982):
      it rejects no more often than :math:`Z_1` alone. One bad period moves :math:`Z_2` by at most
      :math:`2/\\sqrt{0.92\\,T}` (1.04 for four equally noisy quarters, p = 0.15), so a manager on plan
      in every other period is never "systematic" for one bad quarter. :math:`Z` is referred to
      Student's t with :math:`N - M` degrees of freedom when :math:`\\tau` is estimated, to the normal
      otherwise.
    - *CUSUM* (Montgomery 2019, 9.1), from ``cusum_min_periods`` on: the lower tabular CUSUM of the
      clipped residuals (robust CUSUM, Lucas & Crosier 1982), :math:`C_t = \\max(0, C_{t-1} - \\psi(r_t)
      - k)`; its maximum is referred to its null distribution
      (:func:`kpi_toolkit.gap.cusum_tail_probability`). It catches a shortfall that began partway through
      a long series, which the mean dilutes. The threshold of 12 periods (three years of quarters, a year
      of months): in a shorter series a CUSUM mostly repeats the mean test while spending half of
      ``alpha``. The run rules (e.g. eight points in a row below the centre line) are not used: for a
      fair plan a compound Poisson volume falls below its mean more often than half the time (it is
      right-skewed), so their false-alarm rate would exceed the nominal one.
    - The manager's p-value is the mean-shortfall p-value, or twice the smaller of the two rules'
      (Bonferroni) when the CUSUM applies; Holm's step-down method then keeps the chance of flagging any
      fair manager at most ``alpha``, under any dependence between managers.

    - *Power*: the mean-shortfall test's chance to flag the manager if every period's attainment had mean
      ``power_at`` (and the compound Poisson variance of that level plus :math:`\\tau^2`), by a normal
      approximation of :math:`Z_1` and :math:`Z_2` (the clipped residuals' mean and variance in closed
      form), at the level Holm's first step uses, ``alpha`` over the number of managers judged (halved
      when the CUSUM applies), i.e. the power to find one such manager among fair colleagues. Against
      simulation it is within a few points (``tests/gap/test_gap_misses.py``). Eight quarters of 20-80
      orders find a manager at 85 % of plan in a team of 10 about a third of the time: a "not
      systematic" verdict is weak evidence that a manager is on plan.

    Verdict: ``"insufficient data"`` below ``min_periods`` observed periods, ``"systematic"`` when the
    adjusted p-value is at most ``alpha``, else ``"not systematic"``. Managers without any observed
    period still appear (``periods_observed`` 0, statistics NaN). The tests are one-sided: a manager
    above plan is never flagged.

    References
    ----------
    Huber, P. J. (1964). Robust estimation of a location parameter. Ann. Math. Statist. 35(1), 73-101.
    Huber, P. J., & Ronchetti, E. M. (2009). Robust Statistics, 2nd ed., Wiley, section 6.4 (Proposal 2).
    Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed., Wiley, ch. 9 (CUSUM).
    Lucas, J. M., & Crosier, R. B. (1982). Robust CUSUM: a robustness study for CUSUM quality control
    schemes. Communications in Statistics - Theory and Methods 11(23), 2669-2687.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist. 6, 65-70.
    Berger, R. L. (1982). Multiparameter hypothesis testing and acceptance sampling. Technometrics 24(4),
    295-300 (intersection-union tests).

    Examples
    --------
    >>> periods = ["2025Q1", "2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"]
    >>> series = pd.DataFrame({
    ...     "manager": ["ann"] * 6 + ["bob"] * 6 + ["eve"] * 6,
    ...     "period": periods * 3,
    ...     "attainment": [1.02, 0.97, 1.05, 0.99, 1.01, 0.96,   # on plan
    ...                    1.03, 0.98, 0.35, 1.01, 0.99, 1.02,   # one bad quarter
    ...                    0.72, 0.69, 0.75, 0.70, 0.74, 0.71],  # misses every quarter
    ...     "noise": 0.05})
    >>> evidence = miss_evidence(series)
    >>> evidence[["manager", "periods_missed", "worst_attainment", "z_shortfall", "verdict"]].round(2)
      manager  periods_missed  worst_attainment  z_shortfall         verdict
    0     ann               3              0.96         0.00  not systematic
    1     bob               3              0.35        -0.60  not systematic
    2     eve               6              0.69        -5.11      systematic

    Bob's quarter at 35 % is 13 standard deviations below plan but counts as 2, and it does not inflate
    the team's extra noise, which stays at 0:

    >>> float(evidence["extra_noise"].iloc[0])
    0.0
    """
    _check_options(alpha, p_adjust, extra_noise, margin, min_periods, cusum_min_periods)
    if not cusum_k >= 0:
        raise ParameterError(f"cusum_k={cusum_k!r} must be >= 0. Fix: e.g. cusum_k=0.5.")
    if not 0 < power_at < 1:
        raise ParameterError(f"power_at={power_at!r} must be in (0, 1). Fix: e.g. power_at=0.85.")
    frame = _series(series)
    managers = np.array(sorted(frame["manager"].unique()), dtype=object)
    seen = frame[frame["attainment"].notna() & frame["noise"].notna()]
    m = len(managers)
    code = np.searchsorted(managers, seen["manager"].to_numpy(dtype=object))
    a, s = seen["attainment"].to_numpy(), seen["noise"].to_numpy()
    if extra_noise == "team":
        tau, df = _team_extra_noise(a, s, code, n_groups=m)
    else:
        tau, df = float(extra_noise), np.inf
    n = np.bincount(code, minlength=m)
    w = 1.0 / (s**2 + tau**2)
    sum_w = np.bincount(code, weights=w, minlength=m)
    r = (a - (1.0 - margin)) * np.sqrt(w)
    psi = np.clip(r, -CLIP, CLIP)
    tested = n >= min_periods
    nan = np.full(m, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        # The mean shortfall must show both with the residuals as they are (valid, even conservative, for
        # right-skewed sales) and clipped (so that no single period decides): the larger z counts.
        z_plain = np.bincount(code, weights=np.sqrt(w) * r, minlength=m) / np.sqrt(sum_w)
        z_clipped = np.bincount(code, weights=np.sqrt(w) * psi, minlength=m) / np.sqrt(
            clipped_variance(CLIP) * sum_w
        )
        z = np.maximum(z_plain, z_clipped)
        mean = np.bincount(code, weights=a, minlength=m) / n
        weighted = np.bincount(code, weights=w * a, minlength=m) / sum_w
    order = np.lexsort((r, code))
    worst = order[np.searchsorted(code[order], np.arange(m))[n > 0]]
    worst_period = np.full(m, None, dtype=object)
    worst_period[n > 0] = seen["period"].astype(str).to_numpy()[worst]
    worst_attainment = nan.copy()
    worst_attainment[n > 0] = a[worst]
    z = np.where(tested, z, np.nan)
    p_shortfall = stats.t.cdf(z, df) if np.isfinite(df) else stats.norm.cdf(z)
    top, p_cusum = nan.copy(), nan.copy()
    for i in np.flatnonzero(n >= max(cusum_min_periods, min_periods)):
        top[i] = _cusum_max(psi[code == i], cusum_k)
        p_cusum[i] = cusum_tail_probability(top[i], periods=int(n[i]), k=cusum_k, clip=CLIP)
    p_value = np.where(np.isnan(p_cusum), p_shortfall, np.minimum(1.0, 2.0 * np.fmin(p_shortfall, p_cusum)))
    p_adjusted = nan.copy()
    if tested.any():
        p_adjusted[tested] = _holm(p_value[tested]) if p_adjust == "holm" else p_value[tested]
    flagged = p_adjusted <= alpha
    n_tested = max(int(tested.sum()), 1)
    share = alpha / n_tested if p_adjust == "holm" else alpha
    share = np.where(n >= max(cusum_min_periods, min_periods), share / 2, share)
    crit = stats.t.ppf(share, df) if np.isfinite(df) else stats.norm.ppf(share)
    power = np.where(
        tested, _power(s, code, m=m, tau=tau, level=power_at, centre=1.0 - margin, crit=crit), np.nan
    )
    rule = np.where(flagged, np.where(p_cusum < p_shortfall, "cusum", "mean shortfall"), "none")
    verdict = np.where(tested, np.where(flagged, "systematic", "not systematic"), "insufficient data")
    columns = (
        managers.astype(str),
        n,
        np.bincount(code, weights=a < 1.0, minlength=m).astype("int64"),
        mean,
        weighted,
        worst_period,
        worst_attainment,
        z,
        p_shortfall,
        top,
        p_cusum,
        p_value,
        p_adjusted,
        np.full(m, tau),
        power,
        rule,
        verdict,
    )
    out = pd.DataFrame(dict(zip(MISS_EVIDENCE_COLUMNS, columns, strict=True)))
    out.attrs["power_at"] = float(power_at)
    return out


def judge_misses(
    series: pd.DataFrame,
    *,
    alpha: float = 0.05,
    p_adjust: Literal["holm", "none"] = "holm",
    extra_noise: Literal["team"] | float = "team",
    margin: float = 0.0,
    min_periods: int = 4,
    cusum_min_periods: int = 12,
    cusum_k: float = 0.5,
) -> pd.DataFrame:
    """Per manager: systematic miss, not systematic, or insufficient data (see :func:`miss_evidence`).

    Parameters
    ----------
    series : pandas.DataFrame
        ``manager, period, attainment, noise``, in time order within each manager.
    alpha, p_adjust, extra_noise, margin, min_periods, cusum_min_periods, cusum_k
        As for :func:`miss_evidence`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`MISS_COLUMNS`, one row per manager (sorted); ``verdict`` one of :data:`VERDICTS`,
        ``rule`` the rule that fired (``"mean shortfall"``, ``"cusum"`` or ``"none"``).

    Notes
    -----
    The statistics, the thresholds and the NaN policy are those of :func:`miss_evidence`, which returns
    the p-values behind each verdict.

    References
    ----------
    Montgomery, D. C. (2019). Introduction to Statistical Quality Control, 8th ed., Wiley, ch. 9.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scand. J. Statist. 6, 65-70.

    Examples
    --------
    >>> series = pd.DataFrame({"manager": ["ann"] * 4 + ["bob"] * 2, "period": list("1234") + list("12"),
    ...                        "attainment": [0.6, 0.65, 0.62, 0.58, 0.9, 1.1], "noise": 0.08})
    >>> print(judge_misses(series).to_string())
      manager  periods_observed  periods_missed  mean_attainment            rule            verdict
    0     ann                 4               4           0.6125  mean shortfall         systematic
    1     bob                 2               1           1.0000            none  insufficient data
    """
    evidence = miss_evidence(
        series,
        alpha=alpha,
        p_adjust=p_adjust,
        extra_noise=extra_noise,
        margin=margin,
        min_periods=min_periods,
        cusum_min_periods=cusum_min_periods,
        cusum_k=cusum_k,
    )
    return evidence.loc[:, list(MISS_COLUMNS)]
