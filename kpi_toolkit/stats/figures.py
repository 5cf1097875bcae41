"""Figures of the manager comparison: intervals per manager, the funnel plot, the spread of order amounts.

Each function takes a table computed by :mod:`kpi_toolkit.stats` (or the raw amounts), draws on ``ax`` (a new
figure when ``None``) and returns the Axes. None changes global matplotlib settings; pyplot is imported when
a figure is drawn, not when the package is imported. Managers are labelled by id, or by ``names`` (id ->
label) when given; labels are drawn literally (a ``$`` never switches matplotlib into math mode). Plain
matplotlib is used (seaborn 0.13's box plot calls an API that matplotlib 3.11 deprecates, which the strict
test settings turn into an error).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.stats.amounts import _amounts_frame
from kpi_toolkit.stats.funnel import funnel_limits
from kpi_toolkit.stats.multiple import _check_choice

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_check_distributions", "plot_comparison", "plot_funnel", "plot_shrunk_rates"]

_COLORS = {"above": "#2a7d3b", "below": "#c0392b", "watch": "#e67e22", "within": "#7f8c8d",
           "no difference": "#7f8c8d", "insufficient data": "#bdc3c7"}  # fmt: skip


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def _label(manager: object, names: Mapping[str, str] | None) -> str:
    """A manager's label as matplotlib must receive it to draw it as is (``$`` escaped)."""
    text = str(names.get(manager, manager)) if names else str(manager)
    return text.replace("$", r"\$")


def _versus_label(versus: object, names: Mapping[str, str] | None) -> str:
    """``rest``, ``rest excl. <labels>`` or the other manager's label."""
    text = str(versus)
    if text == "rest":
        return text
    if text.startswith("rest excl. "):
        return "rest excl. " + ", ".join(
            _label(m, names) for m in text.removeprefix("rest excl. ").split(", ")
        )
    return _label(text, names)


#: Mantissas of the ticks of a ratio axis, from sparse to dense: the first that gives 3 ticks is used.
_RATIO_MANTISSAS = (
    (1.0, 2.0, 5.0),
    (1.0, 1.5, 2.0, 3.0, 5.0, 7.0),
    (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0),
)


def _ratio_axis(ax: Axes) -> None:
    """A log-scale x axis for ratios, with ticks at plain ratios (0.5, 1, 2) instead of powers of ten."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ticks: list[float] = []
    for mantissas in _RATIO_MANTISSAS:
        ticks = [m * 10.0**e for e in range(-4, 5) for m in mantissas if low <= m * 10.0**e <= high]
        if len(ticks) >= 3:
            break
    ax.xaxis.set_major_locator(FixedLocator(ticks or [1.0]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_locator(NullLocator())


def _require(table: pd.DataFrame, columns: tuple[str, ...], producer: str) -> None:
    missing = [c for c in columns if c not in getattr(table, "columns", ())]
    if missing:
        raise ParameterError(f"table lacks column(s) {missing}; pass the output of {producer}")


def plot_comparison(
    table: pd.DataFrame, *, names: Mapping[str, str] | None = None, ax: Axes | None = None
) -> Axes:
    """Each comparison's estimate with its 95 % interval, coloured by verdict.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`compare_rates`, :func:`compare_checks` or :func:`compare_counts`.
    names : mapping of str to str, optional
        Labels of the managers by id (e.g. their names); the id where a manager has none.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        One horizontal interval per row (label ``manager vs versus``): for conversion the rate difference
        with its Newcombe interval around 0; for ratios (average check, counts) the ratio on a log axis
        around 1. Rows without a test show the point estimate only.

    Notes
    -----
    Draws what :func:`compare_rates` / :func:`compare_checks` / :func:`compare_counts` computed; the colour
    follows ``verdict`` (adjusted), the interval is the unadjusted 95 % interval, so an interval can exclude
    0 (or 1) while the verdict is ``no difference`` after adjustment.

    References
    ----------
    Cumming G, Finch S (2005). Inference by eye: confidence intervals and how to read pictures of data.
    American Psychologist 60:170-180.

    Examples
    --------
    >>> from kpi_toolkit.stats import compare_rates
    >>> counts = pd.DataFrame({"manager": ["A", "B", "C"], "successes": [30, 45, 12],
    ...                        "trials": [100, 110, 90]})
    >>> ax = plot_comparison(compare_rates(counts))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A vs rest', 'B vs rest', 'C vs rest']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    _require(table, ("manager", "versus", "difference", "effect_size", "ci_low", "ci_high", "verdict",
                     "effect_size_type"), "compare_rates, compare_checks or compare_counts")  # fmt: skip
    ax = _axes(ax, (7, 0.4 * len(table) + 1.5))
    is_difference = table["effect_size_type"].astype(str).str.startswith("Cohen").all()
    point = table["difference" if is_difference else "effect_size"].to_numpy(float)
    if not is_difference and table["effect_size"].isna().any():
        point = np.where(np.isnan(point), table["estimate"] / table["versus_estimate"], point)
    y = np.arange(len(table))[::-1]
    for yi, (_, row), value in zip(y, table.iterrows(), point, strict=True):
        color = _COLORS.get(str(row["verdict"]), "#7f8c8d")
        ax.plot([row["ci_low"], row["ci_high"]], [yi, yi], color=color, linewidth=2)
        ax.plot([value], [yi], "o", color=color, label=row["verdict"])
    ax.axvline(0.0 if is_difference else 1.0, color="black", linewidth=0.8)
    if not is_difference:
        _ratio_axis(ax)
    labels = [
        f"{_label(m, names)} vs {_versus_label(v, names)}"
        for m, v in zip(table["manager"], table["versus"], strict=True)
    ]
    ax.set_yticks(y, labels)
    metric = str(table["metric"].iloc[0]) if len(table) else ""
    kind = (
        "difference in rate"
        if is_difference
        else str(table["effect_size_type"].iloc[0])
        if len(table)
        else ""
    )
    ax.set_xlabel(f"{metric}: {kind} (95 % interval)")
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    if unique:
        ax.legend(unique.values(), unique.keys(), loc="best", fontsize="small")
    return ax


def plot_shrunk_rates(
    table: pd.DataFrame, *, names: Mapping[str, str] | None = None, ax: Axes | None = None
) -> Axes:
    """Shrunk conversion rates with 95 % credible intervals, raw rates beside them, in rank order.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`shrink_rates`.
    names : mapping of str to str, optional
        Labels of the managers by id (e.g. their names); the id where a manager has none.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Managers top to bottom by rank (unranked last); filled dots the shrunk rates with their intervals,
        hollow dots the raw rates, a dashed line at the center (``table.attrs["center"]`` when present).

    Notes
    -----
    Draws what :func:`shrink_rates` computed. Overlapping intervals mean the ranks are uncertain: a ranking
    is never shown without them.

    References
    ----------
    Marshall EC, Spiegelhalter DJ (1998). Reliability of league tables of in vitro fertilisation clinics.
    BMJ 316:1701-1705.

    Examples
    --------
    >>> from kpi_toolkit.stats import shrink_rates
    >>> counts = pd.DataFrame({"manager": ["A", "B", "C"], "successes": [4, 45, 12], "trials": [5, 110, 90]})
    >>> ax = plot_shrunk_rates(shrink_rates(counts))
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['A', 'B', 'C']
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    _require(table, ("manager", "raw_rate", "shrunk_rate", "ci_low", "ci_high", "rank"), "shrink_rates")
    ordered = table.assign(_r=table["rank"].astype("Float64").fillna(np.inf)).sort_values("_r", kind="stable")
    ax = _axes(ax, (7, 0.4 * len(ordered) + 1.5))
    y = np.arange(len(ordered))[::-1]
    ax.hlines(y, ordered["ci_low"], ordered["ci_high"], color="#2a6fb0", linewidth=2)
    ax.plot(ordered["shrunk_rate"], y, "o", color="#2a6fb0", label="shrunk rate (95 % interval)")
    ax.plot(ordered["raw_rate"], y, "o", markerfacecolor="none", color="#7f8c8d", label="raw rate")
    center = table.attrs.get("center")
    if center is not None and np.isfinite(center):
        ax.axvline(center, color="black", linestyle="--", linewidth=0.8, label="center")
    ax.set_yticks(y, [_label(m, names) for m in ordered["manager"]])
    ax.set_xlabel("conversion rate")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_funnel(
    table: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    label: Literal["signals", "all"] = "signals",
    ax: Axes | None = None,
) -> Axes:
    """Funnel plot: each manager's rate against its leads, with the 95 % and 99.8 % limits.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`funnel_table` (its ``attrs["phi"]`` widens the drawn limits as in the table).
    names : mapping of str to str, optional
        Labels of the managers by id (e.g. their names); the id where a manager has none.
    label : {"signals", "all"}, default "signals"
        Which points carry their manager's label: those outside the 95 % limits (``above``, ``below``,
        ``watch``), so that a crowded funnel stays legible, or every point.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Points coloured by ``signal``, labelled with the manager (see ``label``), the center line and the
        limit curves computed by :func:`funnel_limits` on a grid of lead counts.

    Notes
    -----
    Limits as in :func:`funnel_table` (exact binomial with interpolation, widened by ``attrs["phi"]``), drawn
    on a grid of 200 sizes up to 1.1 times the largest manager.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance. Stat Med 24:1185-1202.

    Examples
    --------
    >>> from kpi_toolkit.stats import funnel_table
    >>> counts = pd.DataFrame({"manager": ["A", "B", "C"], "successes": [30, 45, 12],
    ...                        "trials": [100, 110, 90]})
    >>> ax = plot_funnel(funnel_table(counts))
    >>> ax.get_xlabel(), len(ax.lines), [t.get_text() for t in ax.texts]
    ('closed leads', 5, ['B', 'C'])
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    _require(table, ("manager", "n", "rate", "center", "signal"), "funnel_table")
    _check_choice("label", label, ("signals", "all"))
    ax = _axes(ax, (7, 4.5))
    center = float(table["center"].iloc[0]) if len(table) else float("nan")
    top = int(max(10, table["n"].max() * 1.1)) if len(table) else 10
    if np.isfinite(center):
        grid = np.unique(np.linspace(1, top, 200).round())
        limits = funnel_limits(grid, center=center, overdispersion_phi=table.attrs.get("phi", 1.0))
        for level, style in ((0.95, "--"), (0.998, "-")):
            part = limits[limits["level"] == level]
            for side in ("lower", "upper"):
                legend = f"{level * 100:g}% limits" if side == "lower" else None
                ax.plot(part["n"], part[side], style, color="#7f8c8d", linewidth=1, label=legend)
        ax.axhline(center, color="black", linewidth=0.8)
    for signal, group in table.groupby(table["signal"].fillna("no leads"), sort=True):
        ax.scatter(
            group["n"], group["rate"], color=_COLORS.get(str(signal), "#bdc3c7"), label=signal, zorder=3
        )
    for _, row in table.iterrows():
        if np.isfinite(row["rate"]) and (label == "all" or row["signal"] in ("above", "below", "watch")):
            ax.annotate(_label(row["manager"], names), (row["n"], row["rate"]), textcoords="offset points",
                        xytext=(4, 4), fontsize="small")  # fmt: skip
    ax.set_xlabel("closed leads")
    ax.set_ylabel("conversion rate")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_check_distributions(
    amounts: pd.DataFrame, *, names: Mapping[str, str] | None = None, ax: Axes | None = None
) -> Axes:
    """Order amounts per manager on a log scale: a box per manager with the orders as points.

    Parameters
    ----------
    amounts : pandas.DataFrame
        One row per order: ``manager``, ``amount`` (>= 0).
    names : mapping of str to str, optional
        Labels of the managers by id (e.g. their names); the id where a manager has none.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        Managers on the y axis (sorted), amounts on a log x axis. Zero amounts cannot be drawn on a log
        scale: they are left out and counted in the x label.

    Notes
    -----
    Boxes without outliers (whiskers at 1.5 IQR) and every positive order as a jittered point (fixed seed).
    The log scale shows the spread of skewed amounts; the verdict (:func:`compare_checks`) compares the
    arithmetic means, zeros included, which a few large orders on the right move.

    References
    ----------
    Limpert E, Stahel WA, Abbt M (2001). Log-normal distributions across the sciences. BioScience 51:341.

    Examples
    --------
    >>> amounts = pd.DataFrame({"manager": ["A"] * 3 + ["B"] * 3, "amount": [100, 250, 0, 80, 90, 1200]})
    >>> ax = plot_check_distributions(amounts)
    >>> [t.get_text() for t in ax.get_yticklabels()], ax.get_xlabel()
    (['A', 'B'], 'order amount (log scale; 1 zero amount not shown)')
    >>> import matplotlib.pyplot as plt; plt.close(ax.figure)
    """
    frame = _amounts_frame(amounts)
    positive = frame[frame["amount"] > 0]
    order = sorted(frame["manager"].unique(), key=str)
    ax = _axes(ax, (7, 0.4 * len(order) + 1.5))
    groups = [positive.loc[positive["manager"] == m, "amount"].to_numpy() for m in order]
    y = np.arange(1, len(order) + 1)
    style = {"boxprops": {"facecolor": "#d6e4f0"}, "medianprops": {"color": "black"}}
    ax.boxplot(groups, positions=y, orientation="horizontal", showfliers=False, widths=0.6, patch_artist=True,
               **style)  # fmt: skip
    jitter = np.random.default_rng(0)  # fixed seed: the same figure every time
    for yi, values in zip(y, groups, strict=True):
        ax.scatter(values, yi + jitter.uniform(-0.2, 0.2, values.size), s=6, alpha=0.5, color="#2a6fb0")
    ax.set_xscale("log")
    ax.set_yticks(y, [_label(m, names) for m in order])
    zeros = int((frame["amount"] == 0).sum())
    note = f"; {zeros} zero amount{'s' if zeros != 1 else ''} not shown" if zeros else ""
    ax.set_xlabel(f"order amount (log scale{note})")
    ax.set_ylabel("manager")
    return ax
