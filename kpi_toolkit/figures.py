"""Figures of the KPI reports. Each takes a table computed by the toolkit and draws on ``ax`` (a new one
when ``None``), returning the Axes (seaborn's convention); none changes global matplotlib or seaborn settings.

Axis titles and legends are given as text (``xlabel=``, ``volume_label=`` ...; English by default) and tick
numbers through formatting functions (``percent=``, ``money=`` ...), so that this module needs nothing of
the report package: the reports pass their translated words and locale formats
(:mod:`kpi_toolkit.report.figure_text`). Text that comes from data (names, periods) and the labels given are
drawn literally: a ``$`` never switches matplotlib into math mode.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from kpi_toolkit.errors import ParameterError

__all__ = [
    "BRIDGE_BARS",
    "literal",
    "plot_attainment",
    "plot_attainment_heatmap",
    "plot_customer_bridge",
    "plot_volume_vs_plan",
]

_BLUE, _RED, _GREY = "#2a6fb0", "#c0392b", "#7f8c8d"
#: The level of the attainment intervals drawn (those of :func:`kpi_toolkit.attainment_ranking`).
LEVEL = 0.95
#: Turns a number into the text drawn for it (a tick label, a cell of the heatmap).
Format = Callable[[float], str]


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _whole(value: float) -> str:
    """A number cut (not rounded) to a whole: 99.6 shows 99, never the 100 of a met plan."""
    return f"{math.floor(round(value, 9)):d}"


def _grouped(value: float) -> str:
    return f"{value:,.0f}"


def literal(text: object) -> str:
    """Text from data as matplotlib must receive it to draw it as is (``$`` escaped: no math mode).

    >>> literal("$5 <b>deal</b>")
    '\\\\$5 <b>deal</b>'
    """
    return str(text).replace("$", r"\$")


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _fit_period_labels(ax: Axes) -> None:
    """Slant the x axis's period labels when they are long (``3 кв. 2026``), so that they never overlap."""
    labels = ax.get_xticklabels()
    if max((len(t.get_text()) for t in labels), default=0) > 7:
        for text in labels:
            text.set_rotation(35)
            text.set_horizontalalignment("right")
            text.set_rotation_mode("anchor")


def _label(managers: pd.Series, names: Mapping[str, str] | None) -> list[str]:
    return [literal(names.get(m, m) if names else m) for m in managers]


def plot_attainment(
    ranking: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    xlabel: str = "Plan attainment (95% interval)",
    percent: Format = _percent,
    ax: Axes | None = None,
) -> Axes:
    """Plan attainment per manager with its interval, best first.

    ``ranking`` is the table of :func:`kpi_toolkit.attainment_ranking`; ``names`` maps ids to the names
    drawn, ``xlabel`` is the axis title and ``percent`` formats the ticks (fractions: 1.0 is 100 %).

    Examples
    --------
    >>> ranking = pd.DataFrame({"manager": ["a", "b"], "plan_attainment": [1.2, 0.8],
    ...                         "ci_low": [1.0, 0.5], "ci_high": [1.4, 1.1]})
    >>> ax = plot_attainment(ranking, xlabel="Выполнение плана")
    >>> len(ax.get_yticklabels()), ax.get_xlabel()
    (2, 'Выполнение плана')
    >>> plt.close("all")
    """
    ranked = ranking[ranking["plan_attainment"].notna()].reset_index(drop=True)
    ax = _axes(ax, (7, 0.35 * len(ranked) + 1.2))
    y = np.arange(len(ranked))[::-1]
    colors = [_BLUE if a >= 1 else _RED for a in ranked["plan_attainment"]]
    lower = (ranked["plan_attainment"] - ranked["ci_low"]).clip(lower=0).fillna(0)
    upper = (ranked["ci_high"] - ranked["plan_attainment"]).clip(lower=0).fillna(0)
    ax.errorbar(ranked["plan_attainment"], y, xerr=[lower, upper], fmt="none", ecolor=_GREY, elinewidth=1.5)
    ax.scatter(ranked["plan_attainment"], y, c=colors, zorder=3, s=36)
    ax.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, _label(ranked["manager"], names))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(percent(v))))
    ax.set_xlabel(literal(xlabel))
    ax.set_ylabel("")
    sns.despine(ax=ax)
    return ax


def plot_attainment_heatmap(
    history: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    colorbar_label: str = "% of plan",
    period_label: Callable[[str], str] = str,
    cell: Format = _whole,
    ax: Axes | None = None,
) -> Axes:
    """Plan attainment of each manager (rows) in each period (columns), from :func:`kpi_toolkit.kpi_history`.

    Cells show the attainment in whole per cent of plan, cut (not rounded: 99.6 % shows 99, never the 100
    of a met plan; ``cell`` formats the per cent); ``colorbar_label`` is the colour bar's title and
    ``period_label`` turns a period label into the column's title.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_product([["a", "b"], ["2026Q2", "2026Q3"]], names=["manager", "period"])
    >>> history = pd.DataFrame({"plan_attainment": [1.1, 0.9, 0.7, 1.3]}, index=idx)
    >>> ax = plot_attainment_heatmap(history)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['2026Q2', '2026Q3']
    >>> plt.close("all")
    """
    grid = history["plan_attainment"].unstack("period")
    periods = list(dict.fromkeys(history.index.get_level_values("period")))
    grid = grid.loc[:, periods] * 100
    grid.index = _label(pd.Series(grid.index), names)
    grid.columns = [literal(period_label(p)) for p in grid.columns]
    annotations = grid.map(lambda v: "" if pd.isna(v) else literal(cell(v)))
    ax = _axes(ax, (1.0 + 0.8 * grid.shape[1], 0.4 * grid.shape[0] + 1.2))
    sns.heatmap(
        grid,
        ax=ax,
        cmap="RdBu",
        center=100,
        vmin=40,
        vmax=160,
        annot=annotations.to_numpy(),
        fmt="",
        cbar_kws={"label": literal(colorbar_label)},
        linewidths=0.5,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=0)
    _fit_period_labels(ax)
    return ax


def plot_volume_vs_plan(
    totals: pd.DataFrame,
    *,
    volume_label: str = "Sales volume",
    plan_label: str = "Plan",
    ylabel: str | None = None,
    money: Format = _grouped,
    period_label: Callable[[str], str] = str,
    ax: Axes | None = None,
) -> Axes:
    """Sales volume (bars) against plan (line) per period, for a team or the company.

    ``totals`` has one row per period (index) and columns ``sales_volume`` and ``sales_plan``.
    ``volume_label`` and ``plan_label`` name them in the legend; ``ylabel`` is the axis title
    (``volume_label`` when ``None``); ``money`` formats the ticks and ``period_label`` the periods.

    Examples
    --------
    >>> totals = pd.DataFrame({"sales_volume": [90.0, 120.0], "sales_plan": [100.0, 110.0]},
    ...                       index=pd.Index(["2026Q2", "2026Q3"], name="period"))
    >>> ax = plot_volume_vs_plan(totals)
    >>> len(ax.patches), [t.get_text() for t in ax.get_legend().get_texts()]
    (2, ['Plan', 'Sales volume'])
    >>> plt.close("all")
    """
    ax = _axes(ax, (7, 3.2))
    x = np.arange(len(totals))
    ax.bar(x, totals["sales_volume"], color=_BLUE, alpha=0.85, label=literal(volume_label))
    ax.plot(
        x,
        totals["sales_plan"],
        color="black",
        marker="o",
        linewidth=1.5,
        label=literal(plan_label),
    )
    ax.set_xticks(x, [literal(period_label(p)) for p in totals.index])
    _fit_period_labels(ax)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(money(v))))
    ax.set_ylabel(literal(volume_label if ylabel is None else ylabel))
    ax.legend(frameon=False, loc="upper left")
    sns.despine(ax=ax)
    return ax


#: The bars of :func:`plot_customer_bridge`, in order (columns of :func:`kpi_toolkit.customer_bridge`).
BRIDGE_BARS = ("baseline", "new", "lost", "increased", "decreased", "actual")


def plot_customer_bridge(
    bridge: pd.DataFrame,
    *,
    manager: str = "TOTAL",
    labels: Mapping[str, str] | None = None,
    money: Format = _grouped,
    ax: Axes | None = None,
) -> Axes:
    """The customer bridge of one manager (or ``TOTAL``) as a waterfall: from the baseline volume through new,
    lost, grown and shrunk customers to the actual volume.

    ``bridge`` is the table of :func:`kpi_toolkit.customer_bridge`; ``labels`` renames the bars (keys
    :data:`BRIDGE_BARS`), ``money`` formats the ticks and the steps' values. A row whose baseline is unknown
    (NaN) draws no bars, only a note.

    Examples
    --------
    >>> bridge = pd.DataFrame({"manager": ["TOTAL"], "baseline": [450.0], "new": [80.0], "lost": [-50.0],
    ...                        "increased": [50.0], "decreased": [-100.0], "actual": [430.0]})
    >>> ax = plot_customer_bridge(bridge)
    >>> [t.get_text() for t in ax.get_xticklabels()][1:3], len(ax.patches)
    (['new customers', 'lost customers'], 6)
    >>> plt.close("all")
    """
    names = {
        "baseline": "baseline",
        "new": "new customers",
        "lost": "lost customers",
        "increased": "bought more",
        "decreased": "bought less",
        "actual": "actual",
    } | dict(labels or {})
    row = bridge[bridge["manager"] == manager]
    if row.empty:
        raise ParameterError(
            f"manager={manager!r} is not in the bridge (it has {bridge['manager'].tolist()[:5]}). "
            "Fix: pick one of those, or 'TOTAL' for the team."
        )
    row = row.iloc[0]
    ax = _axes(ax, (7, 3.8))
    if pd.isna(row["baseline"]):
        ax.text(
            0.5, 0.5, literal(names["baseline"]) + ": –", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_axis_off()
        return ax
    steps = [float(row[c]) for c in BRIDGE_BARS[1:-1]]
    start, end = float(row["baseline"]), float(row["actual"])
    bottoms = start + np.concatenate([[0.0], np.cumsum(steps)[:-1]])
    x = np.arange(len(BRIDGE_BARS))
    ax.bar(x[0], start, color=_GREY, width=0.6)
    ax.bar(x[1:-1], steps, bottom=bottoms, width=0.6, color=[_BLUE if s >= 0 else _RED for s in steps])
    ax.bar(x[-1], end, color=_GREY, width=0.6)
    for xi, step, bottom in zip(x[1:-1], steps, bottoms, strict=True):
        text = ("+" if step > 0 else "") + money(step)
        top = max(bottom, bottom + step)
        ax.annotate(
            literal(text), (xi, top), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8
        )
    ax.set_xticks(
        x, [literal(names[c]) for c in BRIDGE_BARS], rotation=20, ha="right", rotation_mode="anchor"
    )
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(money(v))))
    sns.despine(ax=ax)
    return ax
