"""The payout curve of a KPI card: its knots as a table, and the figure drawn from them.

The curve is piecewise linear, so its knots (threshold, target, cap) describe it exactly: the table holds
them, computed with :func:`~kpi_toolkit.card.rule.payout_factor`, and the figure joins them with straight
lines. Nothing here changes global matplotlib settings; matplotlib is imported only when drawing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd

from kpi_toolkit.card.spec import CardKpi, CardLike, PayoutCurve, load_card
from kpi_toolkit.errors import ParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PAYOUT_CURVE_COLUMNS", "payout_curve", "plot_payout_curve"]

#: Columns of :func:`payout_curve`.
PAYOUT_CURVE_COLUMNS = ("metric", "segment", "achievement", "factor")


def _kpis(card: CardLike, metric: str | None) -> tuple[CardKpi, ...]:
    loaded = load_card(card)
    if metric is None:
        return loaded.kpis
    if metric not in loaded.metrics:
        raise ParameterError(
            f"metric={metric!r} is not on the card {loaded.name!r}. Fix: pass one of "
            f"{', '.join(loaded.metrics)}, or metric=None for all."
        )
    return tuple(k for k in loaded.kpis if k.metric == metric)


def _knots(curve: PayoutCurve, end: float) -> list[tuple[str, float, float]]:
    below = [("below threshold", 0.0, 0.0), ("below threshold", curve.threshold, 0.0)]
    xs = sorted({curve.threshold, 1.0, curve.cap, end})
    return below + [("paid", x, curve.factor(x)) for x in xs]


def payout_curve(card: CardLike, *, metric: str | None = None, up_to: float | None = None) -> pd.DataFrame:
    """The knots of each KPI's payout curve: achievement and factor where the curve bends.

    Parameters
    ----------
    card
        A card or anything :func:`~kpi_toolkit.card.spec.load_card` takes.
    metric
        One KPI of the card; None (the default) for all.
    up_to
        The largest achievement to show; by default the largest cap x 1.25, at least 1.5.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PAYOUT_CURVE_COLUMNS`: ``metric``; ``segment``, ``below threshold`` (from 0 up to the
        threshold, which it does not include: the factor there is 0) or ``paid`` (from the threshold on);
        ``achievement`` and ``factor`` at each knot, in the card's KPI order then by achievement.

    Notes
    -----
    Between two knots of a segment the factor is the straight line joining them (the rule is piecewise
    linear); at the threshold it jumps from 0 to ``threshold_factor``. No NaN.

    Examples
    --------
    >>> card = {"name": "A", "period": "month", "base_bonus": 1,
    ...         "kpis": [{"metric": "orders", "weight": 1, "target": 10, "threshold": 0.8,
    ...                   "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5}]}
    >>> payout_curve(card)
       metric          segment  achievement  factor
    0  orders  below threshold          0.0     0.0
    1  orders  below threshold          0.8     0.0
    2  orders             paid          0.8     0.5
    3  orders             paid          1.0     1.0
    4  orders             paid          1.2     1.5
    5  orders             paid          1.5     1.5
    """
    kpis = _kpis(card, metric)
    end = up_to if up_to is not None else max(1.5, 1.25 * max(k.curve.cap for k in kpis))
    rows = [(k.metric, *knot) for k in kpis for knot in _knots(k.curve, end) if knot[1] <= end]
    return pd.DataFrame(rows, columns=list(PAYOUT_CURVE_COLUMNS)).astype(
        {"metric": "str", "segment": "str", "achievement": "float64", "factor": "float64"}
    )


def plot_payout_curve(
    card: CardLike,
    *,
    metric: str | None = None,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Draw the payout factor against achievement for the card's KPIs (those with one curve share a line).

    Parameters
    ----------
    card
        A card or anything :func:`~kpi_toolkit.card.spec.load_card` takes.
    metric
        One KPI of the card; None (the default) for all.
    ax
        The Axes to draw on; a new figure when None.
    labels
        Display names of the metrics for the legend (metric -> name); the metric itself where none is given.

    Returns
    -------
    matplotlib.axes.Axes
        With one line per distinct curve and segment, an open circle where the factor is 0 just below the
        threshold and a filled one at the threshold, and a dotted line at the target (achievement 1).

    Notes
    -----
    Draws :func:`payout_curve`; changes no global settings. The legend names the KPIs of each curve.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> card = {"name": "A", "period": "month", "base_bonus": 1,
    ...         "defaults": {"threshold": 0.8, "threshold_factor": 0.5, "cap": 1.2, "cap_factor": 1.5},
    ...         "kpis": [{"metric": "orders", "weight": 0.5, "target": 10},
    ...                  {"metric": "conversion", "weight": 0.5, "target": 0.2}]}
    >>> ax = plot_payout_curve(card)
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['orders, conversion']
    >>> ax2 = plot_payout_curve(card, labels={"orders": "Orders"})
    >>> [t.get_text() for t in ax2.get_legend().get_texts()]
    ['Orders, conversion']
    >>> plt.close(ax2.figure)
    >>> plt.close(ax.figure)
    """
    import matplotlib.pyplot as plt

    card = load_card(card)
    kpis = _kpis(card, metric)
    table = payout_curve(card, metric=metric)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.5, 4), layout="constrained")
    groups: dict[PayoutCurve, list[str]] = {}
    for kpi in kpis:
        groups.setdefault(kpi.curve, []).append(kpi.metric)
    for curve, metrics in groups.items():
        knots = table[table["metric"] == metrics[0]]
        color = None
        for segment in ("below threshold", "paid"):
            part = knots[knots["segment"] == segment]
            (line,) = ax.plot(
                part["achievement"],
                part["factor"],
                color=color,
                linewidth=2,
                label=", ".join((labels or {}).get(m, m) for m in metrics) if segment == "paid" else None,
            )
            color = line.get_color()
        if curve.threshold > 0:
            ax.plot([curve.threshold], [0.0], "o", mfc="white", color=color, zorder=3)
            ax.plot([curve.threshold], [curve.factor(curve.threshold)], "o", color=color, zorder=3)
    ax.axvline(1.0, color="grey", linewidth=0.8, linestyle=":")
    ax.set_xlabel("achievement (actual / target; target / actual when lower is better)")
    ax.set_ylabel("payout factor")
    ax.set_title(f"Payout curve: {card.name}")
    ax.set_xlim(left=0)
    ax.set_ylim(bottom=-0.03)
    ax.legend(title="KPI", frameon=False)
    return ax
