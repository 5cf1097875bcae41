"""What every section of the plan-gap report shares: the team's row (:data:`TOTAL`), the translator
(English when ``None``), money with its sign (:func:`signed`), the drivers' and baselines' words, whom a
sentence is about, and the report with the frames a notebook passes in (:func:`_with`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pandas as pd

from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.plan_gap_margin_views import driver_word
from kpi_toolkit.report.plan_gap_report import PlanGapReport

__all__ = ["TOTAL", "signed"]


TOTAL = "TOTAL"


def _tr(tr: Translator | None) -> Translator:
    return tr if tr is not None else translator("en")


def _with(r: PlanGapReport, **frames: pd.DataFrame | None) -> PlanGapReport:
    """``r`` with the frames a notebook passes in place of its own (a section is drawn from the frames the
    notebook shows and an analyst may have changed; the report gives the context: period, names, focus)."""
    given = {name: frame for name, frame in frames.items() if frame is not None}
    return replace(r, **given) if given else r


def signed(tr: Translator, value: float) -> str:
    """Money with its sign (``+1,200``, ``-3,400``)."""
    return _signed(tr, value)


def _signed(tr: Translator, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return tr.money(value)
    return ("+" if value > 0 else "") + tr.money(value)


def _driver(tr: Translator, column: str) -> str:
    return driver_word(tr, column)


def _baseline_name(tr: Translator, baseline: str) -> str:
    return tr.t(f"plan_gap.baseline.{baseline}")


def _who(tr: Translator, team: str | None) -> str:
    return tr.t("plan_gap.team_named", team=team) if team else tr.t("plan_gap.team_all")


def _focus(r: PlanGapReport) -> str:
    """The row the report is about: the manager's (``--manager``), else the team's total."""
    return r.manager or TOTAL
