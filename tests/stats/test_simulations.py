"""Simulations: family-wise error under the null, power against a planted difference, the extreme colleague.

Every simulation is seeded. A rate estimated from R replicates has Monte Carlo standard error
sqrt(p (1 - p) / R); a bound "rate <= alpha" is checked as rate <= alpha + 3 SE, so a correct method fails the
test with probability below ~0.2 %. The measured rates are in the assertion messages (run with -rA to see
them when they pass) and in the docstrings of the tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kpi_toolkit.stats import compare_checks, compare_counts, compare_rates

pytestmark = pytest.mark.slow

ALPHA = 0.05


def _tolerance(replicates: int, rate: float = ALPHA) -> float:
    """Three Monte Carlo standard errors of a rate estimated from ``replicates`` runs."""
    return 3 * np.sqrt(rate * (1 - rate) / replicates)


def _names(k: int) -> list[str]:
    return [f"M{i:02d}" for i in range(1, k + 1)]


def _rates(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"manager": _names(n.size), "successes": rng.binomial(n, p), "trials": n})


def _orders(rng: np.random.Generator, n: np.ndarray, factor: np.ndarray, zeros: float = 0.02) -> pd.DataFrame:
    managers = np.repeat(_names(n.size), n)
    amounts = rng.lognormal(7.0, 0.7, managers.size) * np.repeat(factor, n)
    amounts[rng.random(managers.size) < zeros] = 0.0
    return pd.DataFrame({"manager": managers, "amount": amounts})


def _flagged(table: pd.DataFrame) -> np.ndarray:
    return table["verdict"].isin(["above", "below"]).to_numpy()


@pytest.mark.parametrize(
    ("versus", "reference", "p_adjust", "replicates", "k"),
    [("rest", "robust", "holm", 800, 12), ("rest", "all", "holm", 400, 12),
     ("pairwise", "robust", "holm", 300, 8), ("rest", "robust", "bh", 300, 12)],
)  # fmt: skip
def test_rates_family_wise_error_under_the_null(versus, reference, p_adjust, replicates, k) -> None:
    """12 managers (8 for pairs), 5-250 closed leads each (some below min_n), all converting at 25 %.

    Measured P(any above/below): rest/robust/holm 0.031 (800 replicates), rest/all/holm 0.030 (400),
    pairwise/holm 0.020 (300), rest/robust/bh 0.040 (300); allowed alpha + 3 SE = 0.073 to 0.088.
    """
    rng = np.random.default_rng(101)
    any_flag = 0
    for _ in range(replicates):
        counts = _rates(rng, rng.integers(5, 250, k), np.full(k, 0.25))
        table = compare_rates(counts, versus=versus, reference=reference, p_adjust=p_adjust, alpha=ALPHA)
        any_flag += _flagged(table).any()
    fwer = any_flag / replicates
    print(f"measured FWER {fwer:.4f} over {replicates} replicates")
    assert fwer <= ALPHA + _tolerance(replicates), f"FWER {fwer:.4f} over {replicates} replicates"


# The family-wise error of the average check on log-normal, Pareto, gamma, zero-inflated and mixture
# amounts is simulated in tests/stats/test_check_simulations.py.


def test_counts_family_wise_error_under_the_null() -> None:
    """10 managers, Poisson new-customer counts with mean 12 and equal exposure; measured 0.040 (200)."""
    rng = np.random.default_rng(404)
    replicates, any_flag = 200, 0
    for _ in range(replicates):
        counts = pd.DataFrame({"manager": _names(10), "count": rng.poisson(12, 10)})
        any_flag += _flagged(compare_counts(counts, alpha=ALPHA)).any()
    fwer = any_flag / replicates
    print(f"measured FWER {fwer:.4f} over {replicates} replicates")
    assert fwer <= ALPHA + _tolerance(replicates), f"FWER {fwer:.4f}"


def test_rates_power_against_a_planted_manager() -> None:
    """10 managers with 150 closed leads; M03 converts at 12 %, the others at 25 %.

    Measured: M03 flagged ``below`` in 0.78 of 250 replicates; anyone else flagged in 0.028.
    """
    rng = np.random.default_rng(505)
    replicates, found, others = 250, 0, 0
    p = np.full(10, 0.25)
    p[2] = 0.12
    for _ in range(replicates):
        table = compare_rates(_rates(rng, np.full(10, 150), p))
        found += table["verdict"].iloc[2] == "below"
        others += np.delete(_flagged(table), 2).any()
    print(f"measured power {found / replicates:.3f}, others flagged {others / replicates:.3f}")
    assert found / replicates >= 0.5, f"power {found / replicates:.3f}"
    assert others / replicates <= ALPHA + _tolerance(replicates), f"others flagged {others / replicates:.3f}"


def test_checks_power_against_a_planted_manager() -> None:
    """8 managers with 60 orders; M05's amounts are 1.4 times the others' (log-normal, sigma 0.7).

    Measured (permutation test of the average checks, 199 resamples asked, 799 used): M05 flagged
    ``above`` in 0.68 of 100 replicates; anyone else flagged in 0.060 (allowed 0.05 + 0.065). Welch on log
    amounts, the former verdict, found 0.73: on exactly log-normal amounts the typical order is the sharper
    target, but it is not the KPI.
    """
    rng = np.random.default_rng(606)
    replicates, found, others = 100, 0, 0
    factor = np.ones(8)
    factor[4] = 1.4
    for _ in range(replicates):
        table = compare_checks(_orders(rng, np.full(8, 60), factor, zeros=0.0), n_resamples=199)
        found += table["verdict"].iloc[4] == "above"
        others += np.delete(_flagged(table), 4).any()
    print(f"measured power {found / replicates:.3f}, others flagged {others / replicates:.3f}")
    assert found / replicates >= 0.5, f"power {found / replicates:.3f}"
    assert others / replicates <= ALPHA + _tolerance(replicates), f"others flagged {others / replicates:.3f}"


def test_extreme_colleague_checks() -> None:
    """The issue's case: 8 managers with 400 orders, M01 sells checks twice as large as the others.

    Plain rest (``reference="all"``): some other manager is flagged ``below`` in 1.00 of 60 replicates
    (0.66 of the others on average). Robust rest: some other manager flagged in 0.017 (allowed 0.05 +
    0.084); M01 always found ``above``.
    """
    rng = np.random.default_rng(707)
    replicates = 60
    factor = np.ones(8)
    factor[0] = 2.0
    plain_any = robust_any = plain_share = robust_found = 0.0
    for _ in range(replicates):
        orders = _orders(rng, np.full(8, 400), factor, zeros=0.0)
        plain = compare_checks(orders, reference="all", n_resamples=199)
        robust = compare_checks(orders, reference="robust", n_resamples=199)
        plain_any += _flagged(plain)[1:].any()
        plain_share += _flagged(plain)[1:].mean()
        robust_any += _flagged(robust)[1:].any()
        robust_found += robust["verdict"].iloc[0] == "above"
        assert robust["versus"].iloc[1:].str.startswith("rest excl. M01").all()
    print(f"measured plain {plain_any / replicates:.3f} share {plain_share / replicates:.3f} robust "
          f"{robust_any / replicates:.3f}")  # fmt: skip
    assert plain_any / replicates >= 0.9, f"plain rest distorted in {plain_any / replicates:.3f} only"
    assert robust_any / replicates <= ALPHA + _tolerance(replicates), f"robust: {robust_any / replicates:.3f}"
    assert robust_found == replicates
    assert plain_share / replicates >= 0.5


def test_extreme_colleague_rates() -> None:
    """10 managers with 600 closed leads, M01 converts at 60 %, the others at 20 %.

    Measured: plain rest, some other manager flagged ``below`` in 0.99 of 250 replicates; robust rest,
    0.036 (allowed 0.05 + 0.041).
    """
    rng = np.random.default_rng(808)
    replicates = 250
    p = np.full(10, 0.20)
    p[0] = 0.60
    plain_any = robust_any = 0
    for _ in range(replicates):
        counts = _rates(rng, np.full(10, 600), p)
        plain_any += _flagged(compare_rates(counts, reference="all"))[1:].any()
        robust_any += _flagged(compare_rates(counts, reference="robust"))[1:].any()
    print(f"measured plain {plain_any / replicates:.3f} robust {robust_any / replicates:.3f}")
    assert plain_any / replicates >= 0.9, f"plain rest distorted in {plain_any / replicates:.3f} only"
    assert robust_any / replicates <= ALPHA + _tolerance(replicates), f"robust: {robust_any / replicates:.3f}"


def test_robust_screen_rarely_fires_under_the_null() -> None:
    """Under the null the extreme screen alone (nobody flagged) leaves someone out in 0.3 % of 300 tables.

    Step 4 (leaving out flagged managers) acts only after a false flag, i.e. within the FWER.
    """
    rng = np.random.default_rng(909)
    replicates, screen_only = 300, 0
    for _ in range(replicates):
        table = compare_rates(_rates(rng, rng.integers(20, 300, 12), np.full(12, 0.3)))
        screen_only += (table["versus"] != "rest").any() and not _flagged(table).any()
    print(f"measured screen-only {screen_only / replicates:.4f}")
    assert screen_only / replicates <= 0.02, f"screen fired in {screen_only / replicates:.3f} of null tables"
