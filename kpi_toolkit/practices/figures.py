"""Figures of the practice analysis: compute first (the public functions' tables), then draw.

- :func:`plot_practice_effects`: a forest plot of the within-manager odds ratios with their 95 % intervals.
- :func:`plot_profile`: the top group against the rest, as Hedges' g per measure.

Both take the result tables (not the data), ``labels`` for what to call each row, and an ``ax``; names and
labels go through :func:`kpi_toolkit.figures.literal` so data is drawn as text. No global style is changed.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from kpi_toolkit.figures import literal

__all__ = ["plot_practice_effects", "plot_profile"]

_COLOURS = {"positive": "#1b7837", "negative": "#b2182b", "no evidence": "#777777"}


def _axes(ax: Axes | None, rows: int) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=(7.0, 0.45 * rows + 1.4), layout="constrained")
    return ax


def plot_practice_effects(
    effects: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    xlabel: str = "Odds ratio of winning, within managers (log scale)",
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of :func:`kpi_toolkit.practice_effects`: one row per practice, its odds ratio and 95 %
    interval on a log scale, a line at 1 (no association), coloured by verdict.

    Examples
    --------
    >>> eff = pd.DataFrame({"practice": ["a", "b"], "odds_ratio": [2.0, 0.9], "ci_low": [1.5, 0.7],
    ...                     "ci_high": [2.6, 1.2], "verdict": ["positive", "no evidence"]})
    >>> ax = plot_practice_effects(eff)
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_xscale()
    (['b', 'a'], 'log')
    """
    rows = effects.dropna(subset=["odds_ratio"]).iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, len(rows))
    y = np.arange(len(rows))
    for i, row in rows.iterrows():
        colour = _COLOURS.get(str(row["verdict"]), "#777777")
        ax.plot([row["ci_low"], row["ci_high"]], [i, i], color=colour, linewidth=2)
        ax.plot([row["odds_ratio"]], [i], marker="s", color=colour, markersize=7)
    ax.axvline(1.0, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_xscale("log")
    ax.set_yticks(y, [literal((labels or {}).get(p, p)) for p in rows["practice"]])
    ax.set_xlabel(literal(xlabel))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    return ax


def plot_profile(
    profile: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    xlabel: str = "Hedges' g: top group minus the rest, in standard deviations",
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of :func:`kpi_toolkit.performer_profiles`: Hedges' g of each measure (NaN rows left out),
    bars to the right where the top group is higher.

    Examples
    --------
    >>> prof = pd.DataFrame({"measure": ["x", "y", "z"], "hedges_g": [1.2, -0.3, float("nan")]})
    >>> ax = plot_profile(prof)
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (2, ['y', 'x'])
    """
    rows = profile.dropna(subset=["hedges_g"]).iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, len(rows))
    colours = ["#2166ac" if g >= 0 else "#b2182b" for g in rows["hedges_g"]]
    ax.barh(np.arange(len(rows)), rows["hedges_g"], color=colours)
    ax.axvline(0.0, color="#444444", linewidth=0.8)
    ax.set_yticks(np.arange(len(rows)), [literal((labels or {}).get(m, m)) for m in rows["measure"]])
    ax.set_xlabel(literal(xlabel))
    return ax
