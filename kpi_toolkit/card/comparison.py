"""Two cards' payouts side by side: who gains, who loses, and what each card costs.

The what-if of a KPI card: pay the same KPIs under the current card and under a changed one (``load_card(card,
overrides=...)``) and compare the two results of :func:`~kpi_toolkit.card.scoring.payouts`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kpi_toolkit.card.rule import round_half_up
from kpi_toolkit.card.scoring import by_manager, result_frame
from kpi_toolkit.errors import ParameterError

__all__ = ["COMPARISON_COLUMNS", "COMPARISON_TOTAL_COLUMNS", "PayoutComparison", "compare_payouts"]

#: Columns of :attr:`PayoutComparison.managers`: one row per manager of either card.
COMPARISON_COLUMNS = ("manager", "score_a", "score_b", "bonus_a", "bonus_b", "change", "outcome")
#: Columns of :attr:`PayoutComparison.totals`: one row.
COMPARISON_TOTAL_COLUMNS = (
    "cost_a", "cost_b", "change", "gainers", "losers", "unchanged", "not_comparable",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class PayoutComparison:
    """Two cards' payouts side by side.

    Attributes
    ----------
    managers
        One row per manager of either card (:data:`COMPARISON_COLUMNS`), ordered by manager id.
    totals
        One row (:data:`COMPARISON_TOTAL_COLUMNS`): each card's total cost, the change, and how many
        managers gain, lose, keep their bonus, or cannot be compared.
    """

    managers: pd.DataFrame
    totals: pd.DataFrame


def compare_payouts(a: pd.DataFrame, b: pd.DataFrame) -> PayoutComparison:
    """Compare the payouts of card ``a`` with those of card ``b``: who gains, who loses, what it costs.

    Parameters
    ----------
    a, b
        Results of :func:`~kpi_toolkit.card.scoring.payouts` (at least ``manager``, ``score`` and
        ``bonus``), e.g. for the current card and a what-if.

    Returns
    -------
    PayoutComparison
        ``managers``: ``manager``, ``score_a``, ``score_b``, ``bonus_a``, ``bonus_b``, ``change``
        (``bonus_b - bonus_a``) and ``outcome``: ``gains``, ``loses``, ``same``, ``only in a``, ``only in b``
        or ``unknown`` (a bonus is NaN). ``totals``: ``cost_a``, ``cost_b`` (sums of the bonuses as paid),
        ``change`` and the counts ``gainers``, ``losers``, ``unchanged``, ``not_comparable``.

    Notes
    -----
    Bonuses are payments already rounded to 0.01, so sums and differences are exact sums of cents: they are
    added with :func:`math.fsum` and rounded to 0.01 only to drop binary noise. NaN policy: a manager in one
    result only, or with a NaN bonus, has a NaN ``change``; NaN bonuses are left out of the costs.

    Examples
    --------
    >>> a = pd.DataFrame({"manager": ["m1", "m2"], "score": [1.0, 0.5], "bonus": [100.0, 50.0]})
    >>> b = pd.DataFrame({"manager": ["m1", "m2"], "score": [1.1, 0.4], "bonus": [110.0, 40.0]})
    >>> result = compare_payouts(a, b)
    >>> result.managers[["manager", "change", "outcome"]]
      manager  change outcome
    0      m1    10.0   gains
    1      m2   -10.0   loses
    >>> result.totals[["cost_a", "cost_b", "change", "gainers", "losers"]]
       cost_a  cost_b  change  gainers  losers
    0   150.0   150.0     0.0        1       1
    """
    fix = "pass two results of kpi_toolkit.card.payouts"
    sides = {}
    for name, frame in (("a", a), ("b", b)):
        if not isinstance(frame, pd.DataFrame) or "manager" not in frame.columns:
            raise ParameterError(f"{name} must be a DataFrame with a manager column. Fix: {fix}.")
        sides[name] = by_manager(frame.set_index("manager"), name, ["score", "bonus"], fix)
    both = pd.merge(
        sides["a"][["score", "bonus"]], sides["b"][["score", "bonus"]], how="outer",
        left_index=True, right_index=True, suffixes=("_a", "_b"), sort=True,
    )  # fmt: skip
    in_a, in_b = both.index.isin(sides["a"].index), both.index.isin(sides["b"].index)
    change = [round_half_up(y - x) for x, y in zip(both["bonus_a"], both["bonus_b"], strict=True)]
    outcome = np.select(
        [~in_b, ~in_a, np.isnan(change), np.greater(change, 0), np.less(change, 0)],
        ["only in a", "only in b", "unknown", "gains", "loses"],
        default="same",
    )
    rows = {"manager": list(both.index), "change": change, "outcome": list(outcome)}
    rows |= {c: list(both[c]) for c in ("score_a", "score_b", "bonus_a", "bonus_b")}
    cost_a = round_half_up(math.fsum(both["bonus_a"].dropna()))
    cost_b = round_half_up(math.fsum(both["bonus_b"].dropna()))
    counts = pd.Series(list(outcome)).value_counts()
    totals = {
        "cost_a": [cost_a],
        "cost_b": [cost_b],
        "change": [round_half_up(cost_b - cost_a)],
        "gainers": [counts.get("gains", 0)],
        "losers": [counts.get("loses", 0)],
        "unchanged": [counts.get("same", 0)],
        "not_comparable": [len(outcome) - sum(counts.get(k, 0) for k in ("gains", "loses", "same"))],
    }
    return PayoutComparison(
        result_frame(rows, COMPARISON_COLUMNS), result_frame(totals, COMPARISON_TOTAL_COLUMNS)
    )
