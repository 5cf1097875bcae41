"""Applying a KPI card to managers' KPIs: each manager's scorecard and payout.

The functions take what the data layer computes (a frame of KPIs indexed by manager, a frame of plan targets,
each manager's base bonus) so that they are pure and testable on hand-made frames; ``kt.scorecard`` and
``kt.bonuses`` compute those from a data set and call them. The rule itself is :mod:`kpi_toolkit.card.rule`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from kpi_toolkit.card.rule import (
    achievement,
    bonus_amount,
    card_score,
    gate_passes,
)
from kpi_toolkit.card.spec import Card, CardLike, load_card
from kpi_toolkit.errors import ParameterError

__all__ = [
    "PAYOUT_COLUMNS",
    "SCORECARD_COLUMNS",
    "payouts",
    "score_kpis",
]

#: Columns of :func:`score_kpis`: one row per manager and KPI.
SCORECARD_COLUMNS = (
    "manager", "metric", "actual", "target", "achievement", "factor", "weight", "weighted", "note",
)  # fmt: skip
#: Columns of :func:`payouts`: one row per manager.
PAYOUT_COLUMNS = ("manager", "score", "gate_passed", "base_bonus", "bonus", "notes")

_TEXT = ("manager", "metric", "note", "notes", "outcome")
_COUNTS = ("gainers", "losers", "unchanged", "not_comparable")


def result_frame(data: dict[str, Sequence[object]], columns: Sequence[str]) -> pd.DataFrame:
    """A result frame with its columns in order and fixed dtypes, also when it has no rows."""
    dtypes = {c: "str" if c in _TEXT else "bool" if c == "gate_passed" else "float64" for c in columns}
    dtypes |= {c: "int64" for c in _COUNTS if c in columns}
    return pd.DataFrame({c: pd.Series(data[c], dtype=dtypes[c]) for c in columns})


def by_manager(frame: object, name: str, columns: Sequence[str], fix: str) -> pd.DataFrame:
    """``frame`` with text manager ids, sorted, checked to have ``columns`` and unique, non-empty ids."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(
            f"{name} must be a DataFrame indexed by manager, got {type(frame).__name__}. Fix: {fix}."
        )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"{name} has no column(s) {missing}; it has {list(map(str, frame.columns))}. Fix: {fix}."
        )
    if frame.index.hasnans:
        raise ParameterError(f"{name} has rows without a manager id (NaN in the index). Fix: {fix}.")
    out = frame.set_axis(frame.index.astype(str)).sort_index(kind="stable")
    if out.index.has_duplicates:
        dups = sorted(set(out.index[out.index.duplicated()]))
        raise ParameterError(f"{name} has manager(s) {dups[:10]} more than once. Fix: {fix}.")
    for column in columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(out[column])):
            raise ParameterError(
                f"{name} column {column!r} is not numeric ({out[column].dtype}). Fix: {fix}."
            )
    return out


def _columns(kpis: pd.DataFrame, card: Card, targets: pd.DataFrame | None) -> dict[str, np.ndarray]:
    """Actuals (``metric``) and targets (``metric@target``) as float arrays in the order of ``kpis``."""
    out = {m: kpis[m].to_numpy(dtype="float64", na_value=np.nan) for m in card.required_metrics}
    if card.plan_metrics:
        if targets is None:
            raise ParameterError(
                f"the card {card.name!r} takes the plan as target for "
                f"{list(card.plan_metrics)}, but targets=None. Fix: pass targets, a frame "
                "indexed by manager with one column of plan targets per metric."
            )
        plan = by_manager(
            targets,
            "targets",
            card.plan_metrics,
            "pass a frame indexed by manager with one column of plan targets per metric",
        )
        plan = plan.reindex(kpis.index)
        out |= {f"{m}@plan": plan[m].to_numpy(dtype="float64", na_value=np.nan) for m in card.plan_metrics}
    return out


def _achieve(actual: float, target: float, *, plan: bool, lower_is_better: bool) -> tuple[float, str]:
    a, why = achievement(actual, target, lower_is_better=lower_is_better)
    if plan and math.isnan(target):
        why = "no plan target for this manager and period"
    return a, why


def score_kpis(kpis: pd.DataFrame, *, card: CardLike, targets: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score every manager on every KPI of a card: achievement, payout factor and weighted factor.

    Parameters
    ----------
    kpis
        One row per manager (the index: manager ids, taken as text) with a numeric column per metric of the
        card, as returned by ``kt.manager_kpis(data, period=...)``; other columns are ignored.
    card
        A :class:`~kpi_toolkit.card.spec.Card`, or anything :func:`~kpi_toolkit.card.spec.load_card` takes.
    targets
        Plan targets: one row per manager, one column per metric the card targets with ``plan``
        (:attr:`Card.plan_metrics`); needed only then. A manager missing from it has no plan target.

    Returns
    -------
    pandas.DataFrame
        One row per manager and KPI, ordered by manager id then the card's KPI order, with the columns
        :data:`SCORECARD_COLUMNS`: ``manager``, ``metric``, ``actual``, ``target`` (the number used: the
        card's or the plan), ``achievement``, ``factor``, ``weight``, ``weighted`` (weight x factor) and
        ``note`` (why a KPI could not be computed; empty otherwise).

    Raises
    ------
    ParameterError
        When ``kpis`` or ``targets`` lacks a needed column, has a non-numeric one, or repeats a manager.

    Notes
    -----
    ``achievement = actual / target`` (``target / actual`` for a lower-is-better KPI); the factor follows
    :func:`~kpi_toolkit.card.rule.payout_factor`; ``weighted = weight x factor``; nothing is rounded.

    NaN policy: a KPI that cannot be computed (NaN actual or target, no plan target, a target of 0 or below,
    an actual of 0 or below when lower is better) has a NaN achievement, factor 0 and a note saying why;
    it never raises. A manager with no rows in ``targets`` has NaN plan targets.

    Examples
    --------
    >>> card = {"name": "A", "period": "quarter", "base_bonus": 1000,
    ...         "defaults": {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5},
    ...         "kpis": [{"metric": "sales_volume", "weight": 0.6, "target": "plan"},
    ...                  {"metric": "conversion", "weight": 0.4, "target": 0.25}]}
    >>> kpis = pd.DataFrame({"sales_volume": [110.0, 50.0], "conversion": [0.2, float("nan")]},
    ...                     index=pd.Index(["m2", "m1"], name="manager"))
    >>> targets = pd.DataFrame({"sales_volume": [100.0, 100.0]}, index=["m1", "m2"])
    >>> scored = score_kpis(kpis, card=card, targets=targets)
    >>> print(scored[["manager", "metric", "target", "achievement", "factor"]].round(6).to_string())
      manager        metric  target  achievement  factor
    0      m1  sales_volume  100.00          0.5    0.00
    1      m1    conversion    0.25          NaN    0.00
    2      m2  sales_volume  100.00          1.1    1.25
    3      m2    conversion    0.25          0.8    0.50
    >>> scored.loc[1, "note"]
    'cannot be computed (actual is missing): factor 0'
    """
    card = load_card(card)
    managers, values = _prepare(kpis, card, targets)
    return _scorecard(card, managers, values)


def _prepare(
    kpis: pd.DataFrame, card: Card, targets: pd.DataFrame | None
) -> tuple[pd.Index, dict[str, np.ndarray]]:
    """The sorted manager ids, and the actuals and plan targets the card needs, aligned to them."""
    kpis = by_manager(
        kpis,
        "kpis",
        card.required_metrics,
        "pass the frame of kt.manager_kpis(data, period=...), indexed by manager",
    )
    return kpis.index, _columns(kpis, card, targets)


def _scorecard(card: Card, managers: pd.Index, values: dict[str, np.ndarray]) -> pd.DataFrame:
    rows: dict[str, list[object]] = {c: [] for c in SCORECARD_COLUMNS}
    for i, manager in enumerate(managers):
        for kpi in card.kpis:
            plan = kpi.target == "plan"
            actual = values[kpi.metric][i]
            target = values[f"{kpi.metric}@plan"][i] if plan else float(kpi.target)
            a, why = _achieve(actual, target, plan=plan, lower_is_better=kpi.lower_is_better)
            factor = kpi.curve.factor(a)
            note = f"cannot be computed ({why}): factor 0" if why else ""
            row = (manager, kpi.metric, actual, target, a, factor, kpi.weight, kpi.weight * factor, note)
            for column, value in zip(SCORECARD_COLUMNS, row, strict=True):
                rows[column].append(value)
    return result_frame(rows, SCORECARD_COLUMNS)


def _amount(value: object) -> float | None:
    """A base bonus cell as a float (NaN when empty), or None when it is not an amount >= 0."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    if isinstance(value, str) and not value.strip():
        return math.nan
    if isinstance(value, bool | np.bool_) or not isinstance(value, str | int | float | np.number):
        return None
    try:
        amount = float(value)
    except ValueError:
        return None
    return amount if math.isfinite(amount) and amount >= 0 else None


def _base_bonus(card: Card, base_bonus: pd.Series | None, managers: pd.Index) -> np.ndarray:
    """Each manager's base bonus (NaN where unknown), in the order of ``managers``."""
    if card.base_bonus is not None:
        if base_bonus is not None:
            raise ParameterError(
                f"the card {card.name!r} sets base_bonus: {card.base_bonus:g} for everyone, and base_bonus= "
                "was passed too. Fix: drop base_bonus=, or override the card with "
                "{'base_bonus': None, 'base_bonus_column': ...} to use each manager's own."
            )
        return np.full(len(managers), card.base_bonus)
    column = card.base_bonus_column
    fix = f"pass base_bonus=managers[{column!r}], a Series of amounts >= 0 indexed by manager"
    if not isinstance(base_bonus, pd.Series):
        raise ParameterError(
            f"the card {card.name!r} takes each manager's base bonus from column "
            f"{column!r}, but base_bonus={type(base_bonus).__name__}. Fix: {fix}."
        )
    given = base_bonus.set_axis(base_bonus.index.astype(str))
    if given.index.has_duplicates or given.index.hasnans:
        raise ParameterError(f"base_bonus repeats a manager or has a NaN manager id. Fix: {fix}.")
    amounts = {m: _amount(v) for m, v in given.items()}
    bad = [f"{m}: {given[m]!r}" if isinstance(given[m], str) else f"{m}: {given[m]}"
           for m, v in amounts.items() if v is None]  # fmt: skip
    if bad:
        raise ParameterError(
            f"base_bonus is not an amount >= 0 for {len(bad)} manager(s), e.g. {'; '.join(bad[:5])}. "
            f"Fix: correct column {column!r} of the managers table (plain numbers, e.g. 100000)."
        )
    return np.array([amounts.get(m, math.nan) for m in managers], dtype="float64")


def _gate(card: Card, values: dict[str, np.ndarray], i: int) -> tuple[bool, str]:
    """Whether manager ``i`` passes the card's gate, and the note when not."""
    gate = card.gate
    if gate is None:
        return True, ""
    on_card = {k.metric: k.target for k in card.kpis}
    target_spec = gate.target if gate.target is not None else on_card[gate.metric]
    plan = target_spec == "plan"
    target = values[f"{gate.metric}@plan"][i] if plan else float(target_spec)
    a, why = _achieve(values[gate.metric][i], target, plan=plan, lower_is_better=gate.lower_is_better)
    if gate_passes(a, min_achievement=gate.min_achievement):
        return True, ""
    if math.isnan(a):
        return False, f"gate failed: {gate.metric} cannot be computed ({why}): no bonus"
    return (
        False,
        f"gate failed: {gate.metric} achievement {a:.6g} is below {gate.min_achievement:g}: no bonus",
    )


def payouts(
    kpis: pd.DataFrame,
    *,
    card: CardLike,
    targets: pd.DataFrame | None = None,
    base_bonus: pd.Series | None = None,
) -> pd.DataFrame:
    """Each manager's score, gate and bonus under a card.

    Parameters
    ----------
    kpis, card, targets
        As for :func:`score_kpis`; the gate's metric must be a column of ``kpis`` too.
    base_bonus
        Each manager's base bonus per period (a Series indexed by manager, numbers or numeric text), for a
        card with ``base_bonus_column``: ``kt.bonuses`` passes that column of the managers table. Must
        be None for a card with one ``base_bonus`` for everyone.

    Returns
    -------
    pandas.DataFrame
        One row per manager, ordered by manager id, with the columns :data:`PAYOUT_COLUMNS`: ``manager``,
        ``score`` (sum of weight x factor, unrounded), ``gate_passed`` (True when the card has no gate),
        ``base_bonus``, ``bonus`` (what is paid, rounded to 0.01 half up) and ``notes`` (KPIs that could not
        be computed, a failed gate, a missing base bonus; "; "-separated, empty when nothing to say).

    Raises
    ------
    ParameterError
        As :func:`score_kpis`; and when ``base_bonus`` is missing, given for a card that does not take it, or
        holds a negative, infinite or non-numeric amount.

    Notes
    -----
    ``score = sum(weight x factor)``; ``bonus = base_bonus x score``, or 0 when the gate's achievement is
    below ``min_achievement`` or cannot be computed; rounded once, at the end
    (:func:`~kpi_toolkit.card.rule.bonus_amount`). NaN policy: a KPI that cannot be computed counts with
    factor 0 and is named in ``notes``; a manager whose base bonus is missing (NaN, empty, or not in
    ``base_bonus``) gets a NaN bonus and a note, unless the gate failed (then 0).

    Examples
    --------
    >>> card = {"name": "A", "period": "quarter", "base_bonus": 1000,
    ...         "kpis": [{"metric": "orders", "weight": 1, "target": 10}],
    ...         "gate": {"metric": "orders", "min_achievement": 0.5}}
    >>> kpis = pd.DataFrame({"orders": [12.0, 4.0, 7.0]}, index=["m1", "m2", "m3"])
    >>> result = payouts(kpis, card=card)
    >>> print(result[["manager", "score", "gate_passed", "base_bonus", "bonus"]].to_string())
      manager  score  gate_passed  base_bonus   bonus
    0      m1    1.0         True      1000.0  1000.0
    1      m2    0.4        False      1000.0     0.0
    2      m3    0.7         True      1000.0   700.0
    >>> result.loc[1, "notes"]
    'gate failed: orders achievement 0.4 is below 0.5: no bonus'
    """
    card = load_card(card)
    managers, values = _prepare(kpis, card, targets)
    scored = _scorecard(card, managers, values)
    base = _base_bonus(card, base_bonus, managers)
    k = len(card.kpis)
    factors = scored["factor"].to_numpy().reshape(-1, k)
    notes_by_kpi = scored["note"].to_numpy().reshape(-1, k)
    weights = [kpi.weight for kpi in card.kpis]
    rows: dict[str, list[object]] = {c: [] for c in PAYOUT_COLUMNS}
    for i, manager in enumerate(managers):
        score = card_score(weights, factors[i])
        passed, gate_note = _gate(card, values, i)
        notes = [f"{m}: {n}" for m, n in zip(card.metrics, notes_by_kpi[i], strict=True) if n]
        notes += [gate_note] if gate_note else []
        if passed and math.isnan(base[i]):
            notes.append(f"no base bonus for this manager (column {card.base_bonus_column!r}): bonus unknown")
        bonus = bonus_amount(base[i], score, gate_passed=passed)
        for column, value in zip(
            PAYOUT_COLUMNS, (manager, score, passed, base[i], bonus, "; ".join(notes)), strict=True
        ):
            rows[column].append(value)
    return result_frame(rows, PAYOUT_COLUMNS)
