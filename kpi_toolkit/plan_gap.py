"""Why was the target missed: the data-level API of the plan-gap analysis.

Thin wrappers that take a :class:`~kpi_toolkit.data.SalesData` and a period and call the data-independent core
of :mod:`kpi_toolkit.gap`: :func:`plan_gap` splits each manager's gap against a baseline into the effects of
the drivers, :func:`volume_sources` splits the volume into lead-sourced and other orders,
:func:`systematic_misses` says who misses the plan persistently rather than by chance, and :func:`alerts`
lists who is off track now and who misses systematically, with the evidence. Pacing inside a period is in
:mod:`kpi_toolkit.pacing`.

The code lives in :mod:`kpi_toolkit.gap`: ``gap_table`` (:func:`plan_gap`), ``period_baselines`` and
``period_counts`` (what it measures against, and the counts it decomposes), ``volume_sources``,
``miss_history`` (:func:`miss_series`, :func:`systematic_misses`) and ``alert_list`` (:func:`miss_causes`,
:func:`alerts`); this module keeps the public names where they have always been.
"""

from __future__ import annotations

from kpi_toolkit.gap.alert_list import ALERT_COLUMNS, alerts, miss_causes
from kpi_toolkit.gap.gap_table import BASELINES, TEAM_PLAN_EFFECT, Baseline, plan_gap  # noqa: F401
from kpi_toolkit.gap.miss_history import (  # noqa: F401 (relative_to_team: imported from here too)
    miss_series,
    power_summary,
    relative_to_team,
    systematic_misses,
)
from kpi_toolkit.gap.volume_sources import VOLUME_SOURCE_COLUMNS, volume_sources

__all__ = [
    "ALERT_COLUMNS",
    "BASELINES",
    "TEAM_PLAN_EFFECT",
    "VOLUME_SOURCE_COLUMNS",
    "alerts",
    "miss_causes",
    "miss_series",
    "plan_gap",
    "power_summary",
    "systematic_misses",
    "volume_sources",
]
