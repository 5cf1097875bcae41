"""The KPI card report's numbers, computed once: :func:`card_report` returns them as one object that the
notebook ``notebooks/kpi_card.ipynb`` shows piece by piece (:mod:`kpi_toolkit.report.card_views`), and that
``kpi-report card`` writes to ``bonuses.xlsx`` and ``bonuses.csv``."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kpi_toolkit.card.api import card_inputs
from kpi_toolkit.card.figures import payout_curve
from kpi_toolkit.card.rule import round_half_up
from kpi_toolkit.card.spec import Card, CardLike
from kpi_toolkit.data import SalesData
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.periods import Period

__all__ = ["CardReport", "bonus_workbook", "card_fingerprint", "card_report", "payroll_files"]

#: Metrics that need the leads table.
LEAD_METRICS = ("conversion", "leads_closed", "leads_won")


def card_fingerprint(card: Card) -> str:
    """The sha256 of every resolved value of a card, as ``sha256:<hex>``: the same rule, the same hash
    (comments, key order and values written out or left to the defaults do not change it).

    >>> from kpi_toolkit.card import load_card
    >>> a = load_card({"name": "A", "period": "month", "base_bonus": 1,
    ...                "kpis": [{"metric": "orders", "weight": 1, "target": 10}]})
    >>> b = load_card({"period": "month", "name": "A", "base_bonus": 1.0, "defaults": {"cap": 1},
    ...                "kpis": [{"target": 10, "metric": "orders", "weight": 1}]})
    >>> card_fingerprint(a) == card_fingerprint(b), card_fingerprint(a)[:7]
    (True, 'sha256:')
    """
    text = json.dumps(card.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, eq=False)
class CardReport:
    """Everything the KPI card report shows, for one period and team (``None``: all teams)."""

    period: Period
    team: str | None
    card: Card
    names: dict[str, str]
    teams: dict[str, str]
    #: ``kt.scorecard``: one row per manager and KPI.
    scorecard: pd.DataFrame
    #: ``kt.bonuses``: one row per manager.
    payouts: pd.DataFrame
    #: The knots of each KPI's payout curve (:func:`~kpi_toolkit.card.payout_curve`).
    curve: pd.DataFrame
    data_as_of: pd.Timestamp
    first_date: pd.Timestamp
    source: str
    row_counts: pd.DataFrame
    has_leads: bool
    data_fingerprint: str
    card_fingerprint: str
    #: What each manager's KPIs rest on: ``orders``, ``leads_closed`` and ``leads_won`` of the period, indexed
    #: by manager (for the small-sample warnings).
    sample: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def cost(self) -> float:
        """The card's total cost: the sum of the bonuses to pay (unknown bonuses left out), to 0.01."""
        return round_half_up(math.fsum(self.payouts["bonus"].dropna()))

    @property
    def cost_at_target(self) -> float:
        """What the card would cost at score 1 for everyone: the sum of the known base bonuses."""
        return round_half_up(math.fsum(self.payouts["base_bonus"].dropna()))

    @property
    def payroll(self) -> pd.DataFrame:
        """The payouts with each manager's ``name`` and ``team`` after ``manager``: the payroll's table."""
        frame = self.payouts.copy()
        frame.insert(1, "name", [self.names.get(m, m) for m in frame["manager"]])
        frame.insert(2, "team", [self.teams.get(m, "") for m in frame["manager"]])
        return frame


def bonus_workbook(report: CardReport, tr: Any = None) -> Callable[[Path], Path]:
    """What writes the report's payroll workbook at a path: the card, the scorecard and the payouts
    (:func:`kpi_toolkit.card.workbook.write_bonus_workbook`), with headers, sheets, KPI names and notes in
    ``tr``'s language (codes in English, what a payroll system reads)."""
    from kpi_toolkit.card.workbook import write_bonus_workbook
    from kpi_toolkit.report.report_words import payroll_for_people

    def write(path: Path) -> Path:
        if tr is None:
            return write_bonus_workbook(
                path, card=report.card, scorecard=report.scorecard, payouts=report.payroll
            )
        payroll, scorecard, labels = payroll_for_people(report.payroll, report.scorecard, tr)
        return write_bonus_workbook(
            path, card=report.card, scorecard=scorecard, payouts=payroll, labels=labels
        )

    return write


def payroll_files(report: CardReport, tr: Any) -> dict[str, Any]:
    """The card report's payroll files for :func:`kpi_toolkit.report.outputs.write_outputs`:
    ``bonuses.xlsx`` and ``bonuses.csv`` in English (codes), ``bonuses.<lang>.xlsx``/``.csv`` with the
    same numbers and the language's headers and notes otherwise."""
    from kpi_toolkit.report.report_words import payroll_for_people

    payroll, _, labels = payroll_for_people(report.payroll, report.scorecard, tr)
    part = "" if tr.lang == "en" else f".{tr.lang}"
    return {
        f"bonuses{part}.xlsx": bonus_workbook(report, tr),
        f"bonuses{part}.csv": payroll.rename(columns=labels),
    }


def card_report(
    data: SalesData,
    *,
    period: str | Period,
    card: CardLike,
    team: str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> CardReport:
    """Compute the KPI card report: the card applied to ``data`` for ``period`` (and ``team``).

    Parameters are those of :func:`kpi_toolkit.card.api.bonuses`; the errors too (an invalid card, a period
    of another kind than the card's, an unknown team or base-bonus column), raised before anything is shown.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> card = {"name": "Volume", "period": "quarter", "base_bonus": 1000,
    ...         "kpis": [{"metric": "sales_volume", "weight": 1, "target": "plan"}]}
    >>> r = card_report(kt.from_frames(**make_demo_data()), period="2026Q3", card=card, team="North")
    >>> str(r.period), len(r.payouts), r.cost, r.cost_at_target
    ('2026Q3', 8, 6897.75, 8000.0)
    >>> list(r.payroll.columns[:3])
    ['manager', 'name', 'team']
    """
    inputs = card_inputs(data, period=period, card=card, team=team or None, overrides=overrides)
    info = data.manager_info
    return CardReport(
        period=inputs.period,
        team=team or None,
        card=inputs.card,
        names={str(m): str(n) for m, n in info["name"].items()},
        teams={str(m): ("" if pd.isna(t) else str(t)) for m, t in info["team"].items()},
        scorecard=inputs.scorecard(),
        payouts=inputs.payouts(),
        curve=payout_curve(inputs.card),
        data_as_of=data.last_date,
        first_date=data.first_date,
        source=data.source,
        row_counts=data.row_counts,
        has_leads=data.leads is not None,
        data_fingerprint=data_fingerprint(data),
        card_fingerprint=card_fingerprint(inputs.card),
        sample=inputs.kpis.reindex(columns=["orders", "leads_closed", "leads_won"]),
    )
