"""Files for spreadsheets (CSV, Excel) that cannot run as formulas when opened.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by spreadsheet
programs as a formula (CSV/formula injection, OWASP). Such cells get a leading apostrophe; numbers stay
numbers, and so do missing values.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_cell", "safe_for_spreadsheet"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Prefix a text value that a spreadsheet would run as a formula with an apostrophe.

    >>> neutralise_cell("=HYPERLINK(1)"), neutralise_cell("-5"), neutralise_cell(-5.0), neutralise_cell("Ann")
    ("'=HYPERLINK(1)", "'-5", -5.0, 'Ann')
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and text column names) cannot run as formulas.

    >>> df = pd.DataFrame({"manager": ["=1+1", "Bob"], "sales": [-3.0, 2.0]})
    >>> safe_for_spreadsheet(df).to_dict("list")
    {'manager': ["'=1+1", 'Bob'], 'sales': [-3.0, 2.0]}
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)):
            out[column] = values.map(neutralise_cell, na_action="ignore")
    return out.rename(columns=neutralise_cell)
