"""Statistics for comparing managers honestly: tests, intervals, funnel limits, shrinkage and their figures.

The functions work on per-manager counts or order amounts (not on :class:`~kpi_toolkit.data.SalesData`), so
they can be checked against reference implementations and reused on any aggregate.
"""

from kpi_toolkit.stats.amounts import CHECK_STATS_COLUMNS, check_sufficient_stats
from kpi_toolkit.stats.check_comparison import compare_checks
from kpi_toolkit.stats.comparison import COMPARISON_COLUMNS, EFFECT_SIZE_TYPES, VERDICTS
from kpi_toolkit.stats.count_comparison import compare_counts
from kpi_toolkit.stats.diagnostics import DIAGNOSTIC_COLUMNS, check_diagnostics
from kpi_toolkit.stats.figures import (
    plot_check_distributions,
    plot_comparison,
    plot_funnel,
    plot_shrunk_rates,
)
from kpi_toolkit.stats.funnel import (
    FUNNEL_COLUMNS,
    FUNNEL_LIMIT_COLUMNS,
    SIGNALS,
    funnel_limits,
    funnel_table,
)
from kpi_toolkit.stats.global_tests import (
    GLOBAL_TEST_COLUMNS,
    global_test_checks,
    global_test_counts,
    global_test_rates,
)
from kpi_toolkit.stats.means import log_welch_test, welch_anova, welch_ttest
from kpi_toolkit.stats.multiple import P_ADJUST_METHODS, adjust_pvalues
from kpi_toolkit.stats.nonparametric import bootstrap_mean_ratio, cliffs_delta, dunn_test
from kpi_toolkit.stats.permutation import mean_permutation_test
from kpi_toolkit.stats.poisson import poisson_rate_test
from kpi_toolkit.stats.proportion_intervals import cohens_h, newcombe_interval, wilson_interval
from kpi_toolkit.stats.proportions import DEFAULT_SEED, chisq_homogeneity, two_proportion_test
from kpi_toolkit.stats.rate_comparison import compare_rates
from kpi_toolkit.stats.ratio import RATIO_TEST_COLUMNS, ratio_permutation_test, ratio_variance
from kpi_toolkit.stats.reference import EXTREME_Z
from kpi_toolkit.stats.shrinkage import SHRINK_COLUMNS, shrink_rates

__all__ = [
    "CHECK_STATS_COLUMNS",
    "COMPARISON_COLUMNS",
    "DEFAULT_SEED",
    "DIAGNOSTIC_COLUMNS",
    "EFFECT_SIZE_TYPES",
    "EXTREME_Z",
    "FUNNEL_COLUMNS",
    "FUNNEL_LIMIT_COLUMNS",
    "GLOBAL_TEST_COLUMNS",
    "P_ADJUST_METHODS",
    "RATIO_TEST_COLUMNS",
    "SHRINK_COLUMNS",
    "SIGNALS",
    "VERDICTS",
    "adjust_pvalues",
    "bootstrap_mean_ratio",
    "check_diagnostics",
    "check_sufficient_stats",
    "chisq_homogeneity",
    "cliffs_delta",
    "cohens_h",
    "compare_checks",
    "compare_counts",
    "compare_rates",
    "dunn_test",
    "funnel_limits",
    "funnel_table",
    "global_test_checks",
    "global_test_counts",
    "global_test_rates",
    "log_welch_test",
    "mean_permutation_test",
    "newcombe_interval",
    "plot_check_distributions",
    "plot_comparison",
    "plot_funnel",
    "plot_shrunk_rates",
    "poisson_rate_test",
    "ratio_permutation_test",
    "ratio_variance",
    "shrink_rates",
    "two_proportion_test",
    "welch_anova",
    "welch_ttest",
    "wilson_interval",
]
