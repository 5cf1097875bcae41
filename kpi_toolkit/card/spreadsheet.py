"""The tables of a payroll workbook for a KPI card, safe to open in a spreadsheet program.

Every table passes through :func:`kpi_toolkit.spreadsheets.safe_for_spreadsheet` (the toolkit's one
formula-injection guard, issue 9): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading apostrophe; numbers stay numbers. Writing the workbook (openpyxl) is left to the caller,
which only has to write these frames as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from kpi_toolkit.card.document import KeyPath, format_key
from kpi_toolkit.card.spec import CardLike, load_card
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.spreadsheets import safe_for_spreadsheet

__all__ = ["CARD_ENTRY_COLUMNS", "card_entries", "payroll_sheets"]

#: Columns of :func:`card_entries`.
CARD_ENTRY_COLUMNS = ("key", "value")


def _flatten(value: Any, path: KeyPath) -> list[tuple[str, Any]]:
    if isinstance(value, Mapping):
        return [row for key, item in value.items() for row in _flatten(item, (*path, key))]
    if isinstance(value, list):
        return [row for i, item in enumerate(value) for row in _flatten(item, (*path, i))]
    return [(format_key(path), value)]


def card_entries(card: CardLike) -> pd.DataFrame:
    """Every value of a card, its curves resolved, one row per key path: what the card pays, for the record.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CARD_ENTRY_COLUMNS`: ``key`` (e.g. ``kpis[0].cap``) and ``value`` (a number, text or
        true/false, kept as such), in the order of :meth:`Card.to_dict`.

    Examples
    --------
    >>> card = {"name": "A", "period": "month", "base_bonus": 100,
    ...         "kpis": [{"metric": "orders", "weight": 1, "target": 10}]}
    >>> card_entries(card).head(4)
                       key  value
    0                 name      A
    1               period  month
    2           base_bonus  100.0
    3   defaults.threshold    0.0
    """
    rows = _flatten(load_card(card).to_dict(), ())
    return pd.DataFrame(
        {
            "key": pd.Series([k for k, _ in rows], dtype="str"),
            "value": pd.Series([v for _, v in rows], dtype=object),
        }
    )


def payroll_sheets(
    *, card: CardLike, scorecard: pd.DataFrame, payouts: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The sheets of the payroll workbook, each safe against formula injection.

    Parameters
    ----------
    card
        The card paid.
    scorecard, payouts
        The results of :func:`~kpi_toolkit.card.scoring.score_kpis` and
        :func:`~kpi_toolkit.card.scoring.payouts` for that card.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``bonuses`` (the payouts: the amounts to pay), ``scorecard`` (how each was computed) and ``card``
        (:func:`card_entries`), in that order; same columns as their sources, the index not meant to be
        written.

    Raises
    ------
    ParameterError
        When ``scorecard`` or ``payouts`` is not a DataFrame.

    Notes
    -----
    Text cells that a spreadsheet would run as a formula get a leading apostrophe, column names too; numbers,
    true/false and missing values are left as they are (NaN is an empty cell). Nothing is rounded here: the
    bonuses already are (to 0.01, half up).

    Examples
    --------
    >>> card = {"name": "A", "period": "month", "base_bonus": 100,
    ...         "kpis": [{"metric": "orders", "weight": 1, "target": 10}]}
    >>> payouts = pd.DataFrame({"manager": ["=HYPERLINK(1)"], "bonus": [-0.0]})
    >>> payroll_sheets(card=card, scorecard=payouts.iloc[:0], payouts=payouts)["bonuses"].to_dict("list")
    {'manager': ["'=HYPERLINK(1)"], 'bonus': [-0.0]}
    """
    for name, frame in (("scorecard", scorecard), ("payouts", payouts)):
        if not isinstance(frame, pd.DataFrame):
            raise ParameterError(
                f"{name} must be a DataFrame, got {type(frame).__name__}. Fix: pass the result of "
                f"kpi_toolkit.card.{'score_kpis' if name == 'scorecard' else 'payouts'}."
            )
    sheets = {"bonuses": payouts, "scorecard": scorecard, "card": card_entries(card)}
    return {name: safe_for_spreadsheet(frame.reset_index(drop=True)) for name, frame in sheets.items()}
