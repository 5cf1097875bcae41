"""Figures of the practice analysis: compute first (the public functions' tables), then draw.

- :func:`plot_practice_effects`: a forest plot of the within-manager odds ratios with their 95 % intervals.
- :func:`plot_profile`: the top group against the rest, as Hedges' g per measure.
- :func:`plot_win_rates`: how often leads were won with and without each practice (a slide for a trainer).

Both take the result tables (not the data), ``labels`` for what to call each row, and an ``ax``; names and
labels go through :func:`kpi_toolkit.figures.literal` so data is drawn as text. No global style is changed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from kpi_toolkit.figures import literal

__all__ = ["plot_practice_effects", "plot_profile", "plot_win_rates"]

#: Ticks of a log axis of odds ratios, labelled as plain numbers (never "10⁰" or "2 × 10⁰").
_RATIO_TICKS = (0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0)

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
    number: Callable[[float], str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Forest plot of :func:`kpi_toolkit.practice_effects`: one row per practice, its odds ratio and 95 %
    interval on a log scale, a line at 1 (no association), coloured by verdict. The axis is labelled with
    plain numbers (``number`` formats them, e.g. for a locale's decimal comma).

    Examples
    --------
    >>> eff = pd.DataFrame({"practice": ["a", "b"], "odds_ratio": [2.0, 0.9], "ci_low": [1.5, 0.7],
    ...                     "ci_high": [2.6, 1.2], "verdict": ["positive", "no evidence"]})
    >>> ax = plot_practice_effects(eff)
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_xscale()
    (['b', 'a'], 'log')
    >>> ax.figure.canvas.draw(); [t.get_text() for t in ax.get_xticklabels()]
    ['0.75', '1', '1.5', '2']
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
    low, high = ax.get_xlim()
    ticks = [t for t in _RATIO_TICKS if low <= t <= high] or [1.0]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(number(v) if number else f"{v:g}")))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(y, [literal((labels or {}).get(p, p)) for p in rows["practice"]])
    ax.set_xlabel(literal(xlabel))
    ax.set_ylim(-0.7, len(rows) - 0.3)
    return ax


def plot_profile(
    profile: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    xlabel: str = "Hedges' g: top group minus the rest, in standard deviations",
    lower_is_better: Collection[str] = (),
    number: Callable[[float], str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Bar chart of :func:`kpi_toolkit.performer_profiles`: Hedges' g of each measure (NaN rows left out),
    bars to the right where the top group is higher; blue where that is better, red where worse (for the
    measures in ``lower_is_better``, such as days to win a lead, a lower value is better: a faster cycle is
    never drawn red). ``number`` formats the axis's ticks (a locale's decimal comma); matplotlib's own when
    ``None``.

    Examples
    --------
    >>> prof = pd.DataFrame({"measure": ["x", "y", "z"], "hedges_g": [1.2, -0.3, float("nan")]})
    >>> ax = plot_profile(prof)
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (2, ['y', 'x'])
    >>> [p.get_facecolor()[0] < 0.5 for p in plot_profile(prof, lower_is_better=["y"]).patches]  # both blue
    [True, True]
    """
    rows = profile.dropna(subset=["hedges_g"]).iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, len(rows))
    better = [
        (g < 0) == (m in lower_is_better) for m, g in zip(rows["measure"], rows["hedges_g"], strict=True)
    ]
    colours = ["#2166ac" if b else "#b2182b" for b in better]
    ax.barh(np.arange(len(rows)), rows["hedges_g"], color=colours)
    ax.axvline(0.0, color="#444444", linewidth=0.8)
    ax.set_yticks(np.arange(len(rows)), [literal((labels or {}).get(m, m)) for m in rows["measure"]])
    if number is not None:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(number(v))))
    ax.set_xlabel(literal(xlabel))
    return ax


def plot_win_rates(
    effects: pd.DataFrame,
    *,
    labels: Mapping[str, str] | None = None,
    with_label: str = "with the practice",
    without_label: str = "without it",
    xlabel: str = "Leads won",
    number: Callable[[float], str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """How often leads were won with and without each practice of ``effects`` (rows of
    :func:`kpi_toolkit.practice_effects`, e.g. those with a positive verdict): two bars per practice, each
    labelled with its rate (``number`` formats a share, e.g. ``0.376`` as ``37.6%``).

    Examples
    --------
    >>> eff = pd.DataFrame({"practice": ["meeting"], "with_rate": [0.376], "without_rate": [0.215]})
    >>> ax = plot_win_rates(eff)
    >>> len(ax.patches), sorted(t.get_text().strip() for t in ax.texts)
    (2, ['21.5%', '37.6%'])
    """
    rows = effects.dropna(subset=["with_rate", "without_rate"]).iloc[::-1].reset_index(drop=True)
    ax = _axes(ax, 1.6 * len(rows))
    shown = number or (lambda v: f"{100 * v:.1f}%")
    y = np.arange(len(rows))
    height = 0.38
    bars = [
        (rows["with_rate"], y + height / 2, "#1b7837", with_label),
        (rows["without_rate"], y - height / 2, "#9e9e9e", without_label),
    ]
    for values, positions, colour, label in bars:
        ax.barh(positions, values, height=height, color=colour, label=literal(label))
        for value, position in zip(values, positions, strict=True):
            ax.text(value, position, " " + literal(shown(value)), va="center", ha="left")
    ax.set_yticks(y, [literal((labels or {}).get(p, p)) for p in rows["practice"]])
    ax.set_xlim(0, max(1e-9, float(rows[["with_rate", "without_rate"]].to_numpy().max())) * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(shown(v))))
    ax.set_xlabel(literal(xlabel))
    ax.legend(frameon=False, loc="lower right")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
