"""The plan-gap waterfall in the report's language: :func:`kpi_toolkit.gap.plot_gap_waterfall` from the
baseline to the actual, by driver or by manager, with translated labels, compact numbers, a value axis that
starts near the steps, and its alternative text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from kpi_toolkit.figures import literal
from kpi_toolkit.gap import WATERFALL_STEPS, plot_gap_waterfall
from kpi_toolkit.plan_gap import TEAM_PLAN_EFFECT
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator
from kpi_toolkit.report.plan_gap_margin_views import gap_metric
from kpi_toolkit.report.plan_gap_messages import TOTAL, _baseline_name, _driver, _signed, _tr, _who

__all__ = ["waterfall"]


def _steps(gap: pd.DataFrame, manager: str, by: str, names: Mapping[str, str], tr: Translator):
    row = gap.set_index("manager").loc[manager]
    if by == "driver":
        steps = [(_driver(tr, c), float(row[c])) for c, _ in WATERFALL_STEPS if pd.notna(row[c])]
    else:
        rows = gap[(gap["manager"] != TOTAL) & ~gap["method"].str.startswith("none")]
        steps = [(names.get(m, m), float(g)) for m, g in zip(rows["manager"], rows["gap"], strict=True)]
    team_plan = float(row.get(TEAM_PLAN_EFFECT, 0.0))
    if team_plan and not np.isnan(team_plan):  # the group's plan off its members' targets: a step of its own
        steps.append((_driver(tr, TEAM_PLAN_EFFECT), team_plan))
    return row, steps


def waterfall(
    gap: pd.DataFrame,
    tr: Translator | None = None,
    *,
    manager: str = TOTAL,
    by: str = "driver",
    baseline: str = "plan",
    names: Mapping[str, str] | None = None,
    team: str | None = None,
) -> html.Html:
    """The waterfall from baseline to actual (:func:`kpi_toolkit.gap.plot_gap_waterfall`) in the report's
    language, embedded with its alternative text."""
    tr = _tr(tr)
    names = dict(names or {})
    who = _who(tr, team) if manager == TOTAL else names.get(manager, manager)
    row, steps = _steps(gap, manager, by, names, tr)
    _, ax = plt.subplots(figsize=(9, 4.6) if by == "manager" else (7.5, 4.2), layout="constrained")
    base_label, actual_label = _baseline_name(tr, baseline), tr.t("plan_gap.figure.actual_bar")
    plot_gap_waterfall(
        gap, manager=manager, by=by, baseline_label=base_label, actual_label=actual_label, ax=ax
    )  # type: ignore[arg-type]
    key = "plan_gap.figure.title_by_manager" if by == "manager" else "plan_gap.figure.title"
    heading = tr.t(key, who=who, baseline=base_label)
    ax.set_title(literal(heading[:1].upper() + heading[1:]))
    decomposed = not str(row["method"]).startswith("none")
    if decomposed:
        labels = [base_label, *[s[0] for s in steps], actual_label]
        rotation = 45 if len(labels) > 8 else 30 if len(labels) > 6 else 0
        ax.set_xticks(
            ax.get_xticks(),
            [literal(x) for x in labels],
            rotation=rotation,
            ha="right" if rotation else "center",
        )
        for text, (_, effect) in zip(ax.texts, steps, strict=False):
            text.set_text(literal(("+" if effect > 0 else "") + tr.compact(effect)))
            text.set_fontsize(7 if len(steps) > 6 else 8)
            text.set_rotation(90 if len(steps) > 8 else 0)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: tr.compact(v)))
        metric = gap_metric(gap)
        ylabel = "plan_gap.figure.ylabel" if metric == "sales_volume" else f"plan_gap_margin.metric.{metric}"
        ax.set_ylabel(tr.t(ylabel))
        caption = _zoom(ax, float(row["baseline_value"]), float(row["actual"]), [e for _, e in steps], tr)
        described = tr.names(f"{label} {_signed(tr, value)}" for label, value in steps)
        alt = tr.t(
            "plan_gap.figure.alt",
            who=who,
            baseline=base_label,
            baseline_value=tr.money(row["baseline_value"]),
            actual=tr.money(row["actual"]),
            steps=described or "–",
        )
    else:
        caption = ""
        for text in ax.texts:
            text.set_text(tr.t("plan_gap.figure.none"))
        alt = tr.t("plan_gap.figure.alt_none", who=who, baseline=base_label)
    return html.figure(ax.figure, alt=alt, caption=caption)


def _zoom(ax: Any, start: float, end: float, effects: list[float], tr: Translator) -> str:
    """Start the value axis near the steps (so that they show next to the totals); the caption says so."""
    levels = start + np.concatenate([[0.0], np.cumsum(effects)]) if effects else np.array([start])
    low, high = float(min(levels.min(), end)), float(max(levels.max(), end))
    span = max(high - low, 1e-9 * max(abs(high), 1.0))
    bottom = max(0.0, low - 1.5 * span)
    ax.set_ylim(bottom, high + (0.6 if len(effects) > 8 else 0.3) * span)
    return tr.t("plan_gap.figure.zoom", bottom=tr.compact(bottom)) if bottom > 0 else ""
