"""A KPI card applied to a data set: ``kt.scorecard``, ``kt.bonuses`` and ``kt.compare_cards``.

These are the data-level entry points of issue 6. Each loads the card (with what-if ``overrides``), checks
that the period is of the kind the card pays for, computes the managers' KPIs for the period
(:func:`~kpi_toolkit.kpis.manager_kpis`), their plan targets for the metrics the card targets with ``plan``
(the plan rules of the data set), and each manager's base bonus from the managers table when the card says
``base_bonus_column``; the pure functions of :mod:`kpi_toolkit.card.scoring` do the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kpi_toolkit.card.comparison import PayoutComparison, compare_payouts
from kpi_toolkit.card.scoring import payouts, score_kpis
from kpi_toolkit.card.spec import Card, CardLike, load_card
from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.kpis import manager_kpis
from kpi_toolkit.periods import Period

__all__ = ["CardInputs", "base_bonus_of", "bonuses", "card_inputs", "compare_cards", "scorecard"]


@dataclass(frozen=True, eq=False)
class CardInputs:
    """What applying a card to a data set takes: the card, the period, and its managers' numbers.

    Attributes
    ----------
    card
        The loaded card (overrides applied).
    period
        The period paid for (of the card's kind).
    kpis
        :func:`~kpi_toolkit.kpis.manager_kpis` of the period (and team), indexed by manager.
    targets
        The plan targets of :attr:`Card.plan_metrics`, one column per metric, indexed like ``kpis``; None
        when the card targets no metric with ``plan``.
    base_bonus
        Each manager's base bonus from the managers table (as written there), for a card with
        ``base_bonus_column``; None for a card with one ``base_bonus`` for everyone.
    """

    card: Card
    period: Period
    kpis: pd.DataFrame
    targets: pd.DataFrame | None
    base_bonus: pd.Series | None

    def scorecard(self) -> pd.DataFrame:
        """:func:`~kpi_toolkit.card.scoring.score_kpis` of these inputs."""
        return score_kpis(self.kpis, card=self.card, targets=self.targets)

    def payouts(self) -> pd.DataFrame:
        """:func:`~kpi_toolkit.card.scoring.payouts` of these inputs."""
        return payouts(self.kpis, card=self.card, targets=self.targets, base_bonus=self.base_bonus)


def _column(managers: pd.DataFrame, wanted: str) -> str | None:
    """The managers table's column called ``wanted``, compared like the loader compares headers."""
    if wanted in managers.columns:
        return wanted
    key = wanted.strip().lower()
    matches = [c for c in managers.columns if str(c).strip().lower() == key]
    return matches[0] if len(matches) == 1 else None


def base_bonus_of(data: SalesData, card: Card, managers: list[str] | pd.Index) -> pd.Series | None:
    """Each of ``managers``' base bonus from the managers table's ``card.base_bonus_column``.

    None for a card with one ``base_bonus`` for everyone. The values are as the table holds them (numbers or
    numeric text, empty where missing); :func:`~kpi_toolkit.card.scoring.payouts` checks them.

    Raises
    ------
    ParameterError
        When the data set has no managers table, or the table has no such column (the message lists its
        columns).
    """
    column = card.base_bonus_column
    if column is None:
        return None
    if data.managers is None:
        raise ParameterError(
            f"the card {card.name!r} takes each manager's base bonus from column {column!r} of the managers "
            "table, but the data set has no managers table. Fix: add managers.csv with columns manager, "
            f"name, team and {column}, or give the card one base_bonus for everyone."
        )
    found = _column(data.managers, column)
    if found == "manager":
        raise ParameterError(
            f"the card {card.name!r} takes each manager's base bonus from column {column!r}, which holds the "
            "managers' ids. Fix: set base_bonus_column to the column of the managers table with the amounts."
        )
    if found is None:
        columns = ", ".join(map(str, data.managers.columns))
        raise ParameterError(
            f"the card {card.name!r} takes each manager's base bonus from column {column!r}, which is not a "
            f"column of the managers table ({data.source}); its columns are: {columns}. Fix: add the column "
            "to the managers table, or correct base_bonus_column on the card."
        )
    info = data.manager_info
    return info[found].reindex(pd.Index(managers, dtype=info.index.dtype)).rename(found)


def card_inputs(
    data: SalesData,
    *,
    period: str | Period,
    card: CardLike,
    team: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    kpis: pd.DataFrame | None = None,
) -> CardInputs:
    """Load the card and gather what it needs from ``data`` for ``period`` (see :func:`bonuses`).

    ``kpis``, when given, is the frame of ``manager_kpis(data, period=period, team=team)`` already computed
    (:func:`compare_cards` computes it once for both cards).
    """
    if not isinstance(data, SalesData):
        raise ParameterError(
            f"data must be a validated data set (kt.SalesData), got {type(data).__name__}. "
            "Fix: pass kt.load(folder) or kt.from_frames(...)."
        )
    loaded = load_card(card, overrides=overrides)
    p = data.period(period)
    loaded.check_period(p)
    if kpis is None:
        kpis = manager_kpis(data, period=p, team=team or None)
    managers = list(kpis.index)
    targets = None
    if loaded.plan_metrics:
        targets = pd.DataFrame(
            {m: data.plan_book.targets(managers, p, m) for m in loaded.plan_metrics}, index=kpis.index
        )
    return CardInputs(loaded, p, kpis, targets, base_bonus_of(data, loaded, kpis.index))


def scorecard(
    data: SalesData,
    *,
    period: str | Period,
    card: CardLike,
    team: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Every manager's scorecard under a KPI card: each KPI's actual, target, achievement and factor.

    Parameters
    ----------
    data
        A validated data set (:func:`kpi_toolkit.load`, :func:`kpi_toolkit.from_frames`).
    period
        The period paid for, of the kind the card pays for: ``2026Q3`` for a quarterly card, ``2026-07``
        for a monthly one, ``2026`` for a yearly one (in the data set's fiscal year).
    card
        A path to the card's YAML file, YAML text, a dict, or a :class:`~kpi_toolkit.card.Card`
        (``docs/kpi_card.md``).
    team
        Only this team's managers; every manager when None or empty.
    overrides
        What-if changes merged into the card before it is validated, e.g. ``{"defaults": {"cap": 1.3}}``
        (see :func:`~kpi_toolkit.card.load_card`).

    Returns
    -------
    pandas.DataFrame
        One row per manager and KPI, ordered by manager id then the card's KPI order, with the columns
        :data:`~kpi_toolkit.card.SCORECARD_COLUMNS`: ``manager``, ``metric``, ``actual`` (the KPI of
        :func:`~kpi_toolkit.kpis.manager_kpis`), ``target`` (the card's number, or the manager's plan),
        ``achievement``, ``factor``, ``weight``, ``weighted`` (weight x factor) and ``note`` (why a KPI
        could not be computed; empty otherwise).

    Raises
    ------
    CardError
        When the card (or the card with ``overrides``) is invalid: every problem, with its key and line.
    ParameterError
        When ``period`` is not of the card's kind, ``team`` is unknown, or the card's ``base_bonus_column``
        is not a column of the managers table.

    Notes
    -----
    ``achievement = actual / target`` (``target / actual`` for a lower-is-better KPI); the factor is the
    card's payout curve at that achievement; nothing is rounded. A target ``plan`` takes the manager's
    target for the metric and period by the data set's plan rules (a quarter's additive target rolls up from
    its months). NaN policy: a KPI that cannot be computed (no plan target, no leads closed, ...) has a NaN
    achievement, factor 0 and a note; it never raises. Every manager of the team appears.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> card = {"name": "Volume and conversion", "period": "quarter", "base_bonus": 100000,
    ...         "kpis": [{"metric": "sales_volume", "weight": 0.7, "target": "plan"},
    ...                  {"metric": "conversion", "weight": 0.3, "target": 0.25}],
    ...         "defaults": {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5}}
    >>> scored = kt.scorecard(data, period="2026Q3", card=card, team="South")
    >>> print(scored.head(4).round(3).to_string())
      manager        metric       actual      target  achievement  factor  weight  weighted note
    0     M08  sales_volume  3164271.250  2866000.00        1.104   1.260     0.7     0.882
    1     M08    conversion        0.222        0.25        0.889   0.722     0.3     0.217
    2     M09  sales_volume  3228582.100  3510000.00        0.920   0.800     0.7     0.560
    3     M09    conversion        0.286        0.25        1.143   1.357     0.3     0.407
    """
    return card_inputs(data, period=period, card=card, team=team, overrides=overrides).scorecard()


def bonuses(
    data: SalesData,
    *,
    period: str | Period,
    card: CardLike,
    team: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Every manager's bonus under a KPI card: score, gate, base bonus and the amount to pay.

    Parameters
    ----------
    data, period, card, team, overrides
        As for :func:`scorecard`. A card with ``base_bonus_column`` takes each manager's base bonus from
        that column of the data set's managers table (header compared without case and surrounding spaces,
        as the loader compares them).

    Returns
    -------
    pandas.DataFrame
        One row per manager, ordered by manager id, with the columns
        :data:`~kpi_toolkit.card.PAYOUT_COLUMNS`: ``manager``, ``score`` (sum of weight x factor,
        unrounded), ``gate_passed`` (True when the card has no gate), ``base_bonus``, ``bonus`` (what is
        paid, rounded to 0.01 half up) and ``notes`` (KPIs that could not be computed, a failed gate, a
        missing base bonus; empty when there is nothing to say).

    Raises
    ------
    CardError
        When the card (or the card with ``overrides``) is invalid.
    ParameterError
        As :func:`scorecard`; and when the data set has no managers table for a card with
        ``base_bonus_column``, or a cell of that column is not an amount >= 0.

    Notes
    -----
    ``bonus = base_bonus x score``, or 0 when the gate's achievement is below its ``min_achievement`` or
    cannot be computed; rounded once, at the end, half up (``docs/kpi_card.md``, "The rule, exactly").
    NaN policy: a manager without a base bonus (an empty cell) gets a NaN bonus and a note, never a silent
    0, unless the gate failed (then 0).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> card = {"name": "Volume and conversion", "period": "quarter", "base_bonus": 100000,
    ...         "kpis": [{"metric": "sales_volume", "weight": 0.7, "target": "plan"},
    ...                  {"metric": "conversion", "weight": 0.3, "target": 0.25}],
    ...         "defaults": {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5},
    ...         "gate": {"metric": "sales_volume", "min_achievement": 0.7}}
    >>> paid = kt.bonuses(data, period="2026Q3", card=card, team="South")
    >>> print(paid[["manager", "score", "gate_passed", "bonus"]].round(4).to_string())
      manager   score  gate_passed      bonus
    0     M08  1.0988         True  109879.32
    1     M09  0.9668         True   96683.48
    2     M10  0.3000        False       0.00
    3     M11  1.2737         True  127371.45
    4     M12  0.5501         True   55014.32
    5     M13  0.4500        False       0.00
    6     M14  1.1833         True  118326.10
    7     M15  1.0500         True  105000.00
    >>> paid.loc[paid["manager"] == "M10", "notes"].item()
    'gate failed: sales_volume achievement 0.557784 is below 0.7: no bonus'

    The what-if: a higher cap pays more to those above target.

    >>> richer = kt.bonuses(data, period="2026Q3", card=card, team="South",
    ...                     overrides={"defaults": {"cap": 1.3, "cap_factor": 2.0}})
    >>> bool((richer["bonus"] >= paid["bonus"]).all())
    True
    """
    return card_inputs(data, period=period, card=card, team=team, overrides=overrides).payouts()


def compare_cards(
    data: SalesData,
    *,
    period: str | Period,
    card_a: CardLike,
    card_b: CardLike,
    team: str | None = None,
) -> PayoutComparison:
    """Pay the same period under two cards and compare: who gains, who loses, what each card costs.

    Parameters
    ----------
    data, period, team
        As for :func:`bonuses`; ``period`` must be of the kind both cards pay for.
    card_a, card_b
        The two cards (paths, YAML text, dicts or cards), typically the current card and a what-if made
        with ``kpi_toolkit.card.load_card(card_a, overrides=...)``.

    Returns
    -------
    PayoutComparison
        ``managers``: one row per manager (:data:`~kpi_toolkit.card.COMPARISON_COLUMNS`: ``score_a``,
        ``score_b``, ``bonus_a``, ``bonus_b``, ``change`` = bonus_b - bonus_a, and ``outcome``: ``gains``,
        ``loses``, ``same`` or ``unknown``); ``totals``: one row
        (:data:`~kpi_toolkit.card.COMPARISON_TOTAL_COLUMNS`) with each card's total cost, the change and
        how many managers gain, lose, keep their bonus or cannot be compared.

    Raises
    ------
    CardError, ParameterError
        As :func:`bonuses`, for either card.

    Notes
    -----
    The KPIs are computed once and paid under both cards (see
    :func:`~kpi_toolkit.card.compare_payouts`: costs are sums of the bonuses as paid; a NaN bonus is left
    out of its card's cost and makes the manager's outcome ``unknown``).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.card import load_card
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> now = load_card({"name": "Volume", "period": "quarter", "base_bonus": 100000,
    ...                  "kpis": [{"metric": "sales_volume", "weight": 1, "target": "plan"}],
    ...                  "defaults": {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2,
    ...                               "cap_factor": 1.5}})
    >>> what_if = load_card(now, overrides={"defaults": {"threshold": 0.9}})
    >>> result = kt.compare_cards(data, period="2026Q3", card_a=now, card_b=what_if)
    >>> print(result.totals[["cost_a", "cost_b", "change", "gainers", "losers", "unchanged"]].to_string())
           cost_a      cost_b    change  gainers  losers  unchanged
    0  1390714.77  1349262.64 -41452.13        0       2         13
    >>> result.managers.loc[result.managers["outcome"] == "loses", ["manager", "bonus_a", "bonus_b"]]
       manager   bonus_a   bonus_b
    8      M09  79955.99  59911.98
    11     M12  78591.89  57183.77
    """
    first = card_inputs(data, period=period, card=card_a, team=team)
    second = card_inputs(data, period=first.period, card=card_b, team=team, kpis=first.kpis)
    return compare_payouts(first.payouts(), second.payouts())
