"""Waterfall figures of a decomposed gap: from the baseline, driver by driver (or manager by manager), to
the actual. They draw a table of :func:`kpi_toolkit.gap.decompose_gap` on ``ax`` (a new one when ``None``)
and return the Axes; none changes global matplotlib settings."""

from __future__ import annotations

from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.gap.decompose import PLAN_GAP_COLUMNS
from kpi_toolkit.gap.drivers import TOTAL

__all__ = ["WATERFALL_STEPS", "plot_gap_waterfall"]

_BLUE, _RED, _GREY = "#2a6fb0", "#c0392b", "#7f8c8d"
#: The driver steps of the waterfall: effect column and label, in the order drawn.
WATERFALL_STEPS = (
    ("leads_effect", "leads closed"),
    ("conversion_effect", "conversion"),
    ("orders_per_win_effect", "orders per win"),
    ("orders_effect", "orders"),
    ("average_check_effect", "average check"),
    ("returns_effect", "returns"),
    ("margin_effect", "margin rate"),
)


def _steps(gap: pd.DataFrame, row: pd.Series, by: str) -> tuple[list[str], list[float]]:
    if by == "driver":
        steps = [(label, float(row.get(c, np.nan))) for c, label in WATERFALL_STEPS if pd.notna(row.get(c))]
    else:
        managers = gap[(gap["manager"] != TOTAL) & ~gap["method"].str.startswith("none")]
        steps = [(str(m), float(g)) for m, g in zip(managers["manager"], managers["gap"], strict=True)]
    team_plan = float(row.get("team_plan_effect", 0.0))
    if team_plan and not np.isnan(team_plan):  # plan_gap's TOTAL against the group's plan (issue 15)
        steps.append(("team target vs managers' targets", team_plan))
    return [s[0] for s in steps], [s[1] for s in steps]


def plot_gap_waterfall(
    gap: pd.DataFrame,
    *,
    manager: str = TOTAL,
    by: Literal["driver", "manager"] = "driver",
    baseline_label: str = "baseline",
    actual_label: str = "actual",
    ax: Axes | None = None,
) -> Axes:
    """Waterfall from a manager's (or the team's) baseline to the actual sales volume.

    Parameters
    ----------
    gap : pandas.DataFrame
        A table of :func:`kpi_toolkit.gap.decompose_gap` (columns :data:`PLAN_GAP_COLUMNS`).
    manager : str, default "TOTAL"
        The manager to draw; ``"TOTAL"`` for the team.
    by : {"driver", "manager"}, default "driver"
        Steps: the drivers' effects, or (team only) each decomposed manager's gap.
    baseline_label, actual_label : str
        Labels of the first and the last bar (e.g. ``"plan"``).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        The first bar is ``baseline_value``, then one floating bar per step (blue up, red down, labelled
        with its signed value), and the last bar ``actual``.

    Raises
    ------
    ParameterError
        If ``gap`` lacks a column, ``manager`` is not in it, or ``by="manager"`` for a single manager.

    Notes
    -----
    Steps whose effect is NaN (drivers the row does not use) are left out. A row that could not be
    decomposed (``method`` starting with ``"none"``) draws no bars, only its note, so that a notebook looping
    over managers never stops on one.

    Examples
    --------
    >>> gap = pd.DataFrame({"manager": ["TOTAL"], "actual": [39600.0], "baseline_value": [50000.0],
    ...                     "gap": [-10400.0], "leads_effect": [-4698.88], "conversion_effect": [-9951.77],
    ...                     "orders_per_win_effect": [0.0], "orders_effect": [np.nan],
    ...                     "average_check_effect": [4250.65], "reference": ["plan"], "method": ["lmdi"]})
    >>> ax = plot_gap_waterfall(gap, baseline_label="plan")
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['plan', 'leads closed', 'conversion', 'orders per win', 'average check', 'actual']
    >>> plt.close("all")
    """
    if by not in ("driver", "manager"):
        raise ParameterError(f"by={by!r} is not allowed. Fix: use 'driver' or 'manager'.")
    required = PLAN_GAP_COLUMNS[: PLAN_GAP_COLUMNS.index("method") + 1]  # the rates' effects may be absent
    missing = [c for c in required if not isinstance(gap, pd.DataFrame) or c not in gap.columns]
    if missing:
        raise ParameterError(
            f"gap has no column {missing[:3]}. Fix: pass the table of kpi_toolkit.gap.decompose_gap."
        )
    rows = gap[gap["manager"] == manager]
    if rows.empty:
        raise ParameterError(
            f"manager={manager!r} is not in gap (it has {gap['manager'].tolist()[:5]}). "
            "Fix: pick one of those, or 'TOTAL' for the team."
        )
    if by == "manager" and manager != TOTAL:
        raise ParameterError(
            "by='manager' draws the team's gap manager by manager. Fix: use manager='TOTAL'."
        )
    row = rows.iloc[0]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    ax.set_title(f"{manager}: from {baseline_label} to {actual_label}")
    if str(row["method"]).startswith("none"):
        ax.text(
            0.5,
            0.5,
            f"no decomposition: {row['method'][6:]}",
            ha="center",
            va="center",
            transform=ax.transAxes,
            wrap=True,
        )
        ax.set_axis_off()
        return ax
    labels, effects = _steps(gap, row, by)
    start, end = float(row["baseline_value"]), float(row["actual"])
    bottoms = start + np.concatenate([[0.0], np.cumsum(effects)[:-1]]) if effects else np.empty(0)
    x = np.arange(len(effects) + 2)
    ax.bar(x[0], start, color=_GREY, width=0.6)
    ax.bar(x[1:-1], effects, bottom=bottoms, width=0.6, color=[_BLUE if e >= 0 else _RED for e in effects])
    ax.bar(x[-1], end, color=_GREY, width=0.6)
    levels = np.concatenate([[start], bottoms + np.asarray(effects), [end]]) if effects else [start, end]
    for i in range(len(x) - 1):
        ax.plot([x[i] + 0.3, x[i + 1] - 0.3], [levels[i], levels[i]], color="black", linewidth=0.6)
    for xi, e, b in zip(x[1:-1], effects, bottoms, strict=True):
        ax.annotate(
            f"{e:+,.0f}",
            (xi, b + e if e >= 0 else b),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(x, [baseline_label, *labels, actual_label], rotation=30 if len(x) > 6 else 0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_ylabel("sales volume")
    ax.spines[["top", "right"]].set_visible(False)
    return ax
