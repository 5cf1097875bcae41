"""KPI cards: a declarative, validated card of weighted KPIs, and the bonuses it pays (issue 6).

A card is a YAML file (``docs/kpi_card.md``, example ``data/cards/sales_manager.yml``) loaded with
:func:`load_card`; :func:`score_kpis` and :func:`payouts` apply it to a frame of managers' KPIs;
:func:`compare_payouts` puts two cards' payouts side by side. The rule is :mod:`kpi_toolkit.card.rule`.
:func:`scorecard`, :func:`bonuses` and :func:`compare_cards` (also ``kt.scorecard`` ...) apply a card to a
data set; :func:`write_bonus_workbook` writes the payroll workbook.

>>> from kpi_toolkit import card
>>> card.PAYOUT_COLUMNS
('manager', 'score', 'gate_passed', 'base_bonus', 'bonus', 'notes')
"""

from kpi_toolkit.card.api import bonuses, compare_cards, scorecard
from kpi_toolkit.card.comparison import (
    COMPARISON_COLUMNS,
    COMPARISON_TOTAL_COLUMNS,
    PayoutComparison,
    compare_payouts,
)
from kpi_toolkit.card.document import CardError, CardProblem
from kpi_toolkit.card.figures import PAYOUT_CURVE_COLUMNS, payout_curve, plot_payout_curve
from kpi_toolkit.card.rule import (
    achievement,
    bonus_amount,
    card_score,
    gate_passes,
    payout_factor,
    round_half_up,
)
from kpi_toolkit.card.scoring import PAYOUT_COLUMNS, SCORECARD_COLUMNS, payouts, score_kpis
from kpi_toolkit.card.spec import Card, CardKpi, CardLike, Gate, PayoutCurve, load_card, parse_card
from kpi_toolkit.card.spreadsheet import CARD_ENTRY_COLUMNS, card_entries, payroll_sheets
from kpi_toolkit.card.validate import CARD_METRICS, WEIGHT_TOLERANCE
from kpi_toolkit.card.workbook import write_bonus_workbook

__all__ = [
    "CARD_ENTRY_COLUMNS",
    "CARD_METRICS",
    "COMPARISON_COLUMNS",
    "COMPARISON_TOTAL_COLUMNS",
    "PAYOUT_COLUMNS",
    "PAYOUT_CURVE_COLUMNS",
    "SCORECARD_COLUMNS",
    "WEIGHT_TOLERANCE",
    "Card",
    "CardError",
    "CardKpi",
    "CardLike",
    "CardProblem",
    "Gate",
    "PayoutComparison",
    "PayoutCurve",
    "achievement",
    "bonus_amount",
    "bonuses",
    "card_entries",
    "card_score",
    "compare_cards",
    "compare_payouts",
    "gate_passes",
    "load_card",
    "parse_card",
    "payout_curve",
    "payout_factor",
    "payouts",
    "payroll_sheets",
    "plot_payout_curve",
    "round_half_up",
    "score_kpis",
    "scorecard",
    "write_bonus_workbook",
]
