"""A plan table as integer codes, computed once per load and shared by every step that reads the plan.

Loading a plan used to code it (factorize managers, metrics and period labels, parse each distinct label)
four times: for its row rules, for the consistency check, for the normalised labels and for the plan book,
and to roll it up twice. :func:`plan_codes` codes it once; within :func:`sharing_plan_codes` (one
:func:`kpi_toolkit.load`), later calls on the same frame object get the same :class:`PlanCodes`, and
everything derived from them (the roll-up, :attr:`PlanCodes.memo`) is computed once too. Outside such a
block nothing is cached: a frame changed in place between two calls is coded afresh.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kpi_toolkit.periods import parsed_labels
from kpi_toolkit.reading import ROW

__all__ = ["PlanCodes", "plan_codes", "plans_with_labels", "shared_plan_codes", "sharing_plan_codes"]

#: Kinds by their code (:attr:`PlanCodes.kind`).
KINDS = ("month", "quarter", "year")

#: Frames coded within the current load: ``id(frame) -> (frame, fiscal_year_start, codes)``.
_SHARED: ContextVar[dict[int, tuple[pd.DataFrame, int, PlanCodes]] | None] = ContextVar(
    "kpi_toolkit_plan_codes", default=None
)


@dataclass(frozen=True, eq=False)
class PlanCodes:
    """The rows of a plan as integer codes (-1 where the cell is missing; ``kind`` -1 also where the period
    is not a period label): ``manager``, ``team``, ``metric`` index ``managers``, ``teams``, ``metrics``;
    ``period`` indexes ``labels`` (the distinct labels as written) and ``periods`` (those labels parsed:
    ``period, kind, start`` as :func:`kpi_toolkit.periods.period_codes`); ``kind`` indexes :data:`KINDS`;
    ``start`` is the period's first month (:func:`kpi_toolkit.periods.month_number`); ``row`` the rows'
    numbers in the file (``None`` when the frame has none)."""

    manager: np.ndarray
    managers: pd.Index
    team: np.ndarray
    teams: pd.Index
    metric: np.ndarray
    metrics: pd.Index
    period: np.ndarray
    labels: pd.Index
    periods: pd.DataFrame
    kind: np.ndarray
    start: np.ndarray
    target: np.ndarray
    row: np.ndarray | None
    #: What is derived from the codes (the roll-up of each owner's targets), computed once.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.manager)


def _factorized(plans: pd.DataFrame, column: str) -> tuple[np.ndarray, pd.Index]:
    if column not in plans:
        return np.full(len(plans), -1, dtype=np.intp), pd.Index([], dtype="string")
    codes, names = pd.factorize(plans[column])
    return np.asarray(codes), pd.Index(names)


def _coded(plans: pd.DataFrame, fiscal_year_start: int) -> PlanCodes:
    manager, managers = _factorized(plans, "manager")
    team, teams = _factorized(plans, "team")
    metric, metrics = _factorized(plans, "metric")
    period, labels = _factorized(plans, "period")
    distinct = parsed_labels(labels, fiscal_year_start=fiscal_year_start)
    kinds = distinct["kind"].map({k: i for i, k in enumerate(KINDS)}).to_numpy("float64", na_value=-1.0)
    starts = distinct["start"].to_numpy("float64", na_value=-1.0)
    at = np.where(period >= 0, period, len(distinct))  # a missing label: past the end, kind -1
    return PlanCodes(
        manager=manager,
        managers=managers,
        team=team,
        teams=teams,
        metric=metric,
        metrics=metrics,
        period=period,
        labels=labels,
        periods=distinct,
        kind=np.append(kinds, -1.0)[at].astype(np.int64),
        start=np.append(starts, -1.0)[at].astype(np.int64),
        target=plans["target"].to_numpy("float64", na_value=np.nan),
        row=plans[ROW].to_numpy() if ROW in plans else None,
    )


def plan_codes(plans: pd.DataFrame, *, fiscal_year_start: int) -> PlanCodes:
    """The plan's rows as codes; labels parsed once per distinct label, never once per row.

    Within :func:`sharing_plan_codes` the codes of a frame object are computed once.

    Examples
    --------
    >>> plans = pd.DataFrame({"manager": ["m1", "m2", "m1"], "period": ["2026-07", "2026Q3", "x"],
    ...                       "metric": ["orders"] * 3, "target": [1.0, 2.0, 3.0]})
    >>> codes = plan_codes(plans, fiscal_year_start=1)
    >>> codes.manager.tolist(), codes.kind.tolist(), codes.start.tolist()
    ([0, 1, 0], [0, 1, -1], [24318, 24318, -1])
    """
    shared = _SHARED.get()
    if shared is not None:
        found = shared.get(id(plans))
        if found is not None and found[0] is plans and found[1] == fiscal_year_start:
            return found[2]
    codes = _coded(plans, fiscal_year_start)
    if shared is not None:
        shared[id(plans)] = (plans, fiscal_year_start, codes)
    return codes


def shared_plan_codes(plans: pd.DataFrame | None, *, fiscal_year_start: int) -> PlanCodes | None:
    """The codes of ``plans`` computed already within the current :func:`sharing_plan_codes`, else
    ``None``."""
    shared = _SHARED.get()
    if plans is None or shared is None:
        return None
    found = shared.get(id(plans))
    return found[2] if found is not None and found[0] is plans and found[1] == fiscal_year_start else None


@contextmanager
def sharing_plan_codes() -> Iterator[None]:
    """Within the block, a plan frame is coded (and rolled up) once however many steps read it."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def plans_with_labels(plans: pd.DataFrame, typed: pd.DataFrame, *, fiscal_year_start: int) -> pd.DataFrame:
    """``plans`` (the rows of ``typed`` in the same order, without row numbers) with normalised period labels
    (``str(parse_period(label))``; missing where a label is missing or is not one), sharing ``typed``'s codes.

    Labels that are normalised already (every label the contract accepts) keep their column: no copy.
    """
    codes = plan_codes(typed, fiscal_year_start=fiscal_year_start)
    normal = codes.periods["period"]
    if len(codes.labels) != len(normal) or not (
        normal.notna().all() and (normal.to_numpy(dtype=object) == codes.labels.to_numpy(dtype=object)).all()
    ):
        missing = pd.array([pd.NA], dtype=normal.dtype)
        labels = pd.concat([normal, pd.Series(missing)], ignore_index=True).take(codes.period)
        plans = plans.assign(period=pd.array(labels, dtype=normal.dtype))
    shared = _SHARED.get()
    if shared is not None:
        shared[id(plans)] = (plans, fiscal_year_start, codes)
    return plans
