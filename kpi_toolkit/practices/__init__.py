"""What top performers do differently: practice features per lead, their association with winning, and
profiles of the top performers against the rest (README: "What top performers do differently")."""

from kpi_toolkit.practices.differences import DIFFERENCE_COLUMNS, practice_differences
from kpi_toolkit.practices.effects import (
    EFFECT_COLUMNS,
    POOLED_COLUMNS,
    VERDICTS,
    pooled_effects,
    practice_effects,
    sequential_association,
    stratified_association,
)
from kpi_toolkit.practices.features import FEATURE_COLUMNS, PRACTICES, practice_features
from kpi_toolkit.practices.performers import (
    PROFILE_COLUMNS,
    REGRESSION_COLUMNS,
    TOP_COLUMNS,
    hedges_g,
    performer_profiles,
    regression_check,
    top_performers,
)
from kpi_toolkit.practices.timing import TIMING_COLUMNS, practice_times, risk_sets

__all__ = [
    "DIFFERENCE_COLUMNS",
    "EFFECT_COLUMNS",
    "FEATURE_COLUMNS",
    "POOLED_COLUMNS",
    "PRACTICES",
    "PROFILE_COLUMNS",
    "REGRESSION_COLUMNS",
    "TIMING_COLUMNS",
    "TOP_COLUMNS",
    "VERDICTS",
    "hedges_g",
    "performer_profiles",
    "pooled_effects",
    "practice_differences",
    "practice_effects",
    "practice_features",
    "practice_times",
    "regression_check",
    "risk_sets",
    "sequential_association",
    "stratified_association",
    "top_performers",
]
