"""Figures of the KPI reports. Each takes a table computed by the toolkit and draws on ``ax`` (a new one
when ``None``), returning the Axes; none changes global matplotlib or seaborn settings.

Axis titles, legends and tick numbers are in the language of ``tr`` (a
:class:`kpi_toolkit.report.i18n.Translator`; English when ``None``). Text that comes from data (names,
periods) is drawn literally: a ``$`` never switches matplotlib into math mode.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter

from kpi_toolkit.report.formatting import cut
from kpi_toolkit.report.i18n import Translator, translator

__all__ = ["literal", "plot_attainment", "plot_attainment_heatmap", "plot_volume_vs_plan"]

_BLUE, _RED, _GREY = "#2a6fb0", "#c0392b", "#7f8c8d"
#: The level of the attainment intervals drawn (those of :func:`kpi_toolkit.attainment_ranking`).
LEVEL = 0.95


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
    tr: Translator | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plan attainment per manager with its interval, best first.

    ``ranking`` is the table of :func:`kpi_toolkit.attainment_ranking`.

    Examples
    --------
    >>> ranking = pd.DataFrame({"manager": ["a", "b"], "plan_attainment": [1.2, 0.8],
    ...                         "ci_low": [1.0, 0.5], "ci_high": [1.4, 1.1]})
    >>> ax = plot_attainment(ranking, tr=translator("ru"))
    >>> len(ax.get_yticklabels()), ax.get_xlabel()
    (2, 'Выполнение плана (95\\xa0% интервал)')
    >>> plt.close("all")
    """
    tr = tr or translator("en")
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
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(tr.pct(v))))
    ax.set_xlabel(literal(tr.t("figure.attainment.xlabel", level=tr.pct(LEVEL))))
    ax.set_ylabel("")
    sns.despine(ax=ax)
    return ax


def plot_attainment_heatmap(
    history: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    tr: Translator | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Plan attainment of each manager (rows) in each period (columns), from :func:`kpi_toolkit.kpi_history`.

    Cells show the attainment in whole per cent of plan, cut (not rounded: 99.6 % shows 99, never the 100
    of a met plan); the colour bar's title names it.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_product([["a", "b"], ["2026Q2", "2026Q3"]], names=["manager", "period"])
    >>> history = pd.DataFrame({"plan_attainment": [1.1, 0.9, 0.7, 1.3]}, index=idx)
    >>> ax = plot_attainment_heatmap(history)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['2026Q2', '2026Q3']
    >>> plt.close("all")
    """
    tr = tr or translator("en")
    grid = history["plan_attainment"].unstack("period")
    periods = list(dict.fromkeys(history.index.get_level_values("period")))
    grid = grid.loc[:, periods] * 100
    grid.index = _label(pd.Series(grid.index), names)
    grid.columns = [literal(tr.period(p)) for p in grid.columns]
    annotations = grid.map(lambda v: "" if pd.isna(v) else literal(tr.number(cut(v))))
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
        cbar_kws={"label": literal(tr.t("figure.heatmap.colorbar"))},
        linewidths=0.5,
    )
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=0)
    _fit_period_labels(ax)
    return ax


def plot_volume_vs_plan(
    totals: pd.DataFrame, *, tr: Translator | None = None, ax: Axes | None = None
) -> Axes:
    """Sales volume (bars) against plan (line) per period, for a team or the company.

    ``totals`` has one row per period (index) and columns ``sales_volume`` and ``sales_plan``.

    Examples
    --------
    >>> totals = pd.DataFrame({"sales_volume": [90.0, 120.0], "sales_plan": [100.0, 110.0]},
    ...                       index=pd.Index(["2026Q2", "2026Q3"], name="period"))
    >>> ax = plot_volume_vs_plan(totals)
    >>> len(ax.patches), [t.get_text() for t in ax.get_legend().get_texts()]
    (2, ['Plan', 'Sales volume'])
    >>> plt.close("all")
    """
    tr = tr or translator("en")
    ax = _axes(ax, (7, 3.2))
    x = np.arange(len(totals))
    ax.bar(x, totals["sales_volume"], color=_BLUE, alpha=0.85, label=literal(tr.t("kpi.sales_volume")))
    ax.plot(
        x,
        totals["sales_plan"],
        color="black",
        marker="o",
        linewidth=1.5,
        label=literal(tr.t("kpi.sales_plan")),
    )
    ax.set_xticks(x, [literal(tr.period(p)) for p in totals.index])
    _fit_period_labels(ax)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: literal(tr.compact(v))))
    ylabel = tr.t("kpi.sales_volume")
    if tr.currency:
        ylabel = tr.t("figure.volume.ylabel_currency", label=ylabel, currency=tr.currency_sign or "")
    ax.set_ylabel(literal(ylabel))
    ax.legend(frameon=False, loc="upper left")
    sns.despine(ax=ax)
    return ax
