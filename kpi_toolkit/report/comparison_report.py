"""The manager comparison report's numbers, computed once: :func:`comparison_report` returns them as one
object that the notebook ``notebooks/manager_comparison.ipynb`` shows piece by piece
(:mod:`kpi_toolkit.report.comparison_views` and the ``comparison_*_views`` modules beside it), and that
``kpi-report compare`` writes to ``manager_tests.csv``.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from kpi_toolkit.comparison import compare_managers, global_test
from kpi_toolkit.comparison_amounts import average_check_diagnostics, order_amounts
from kpi_toolkit.comparison_conversion import funnel, shrunk_rates
from kpi_toolkit.comparison_inputs import DEFAULT_MIN_N, EXTRA_METRICS, METRICS
from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.kpis import active_managers, period_sums
from kpi_toolkit.periods import Period, parse_span
from kpi_toolkit.report.detectability_views import detectability_frames
from kpi_toolkit.report.i18n import Message
from kpi_toolkit.stats import COMPARISON_COLUMNS, GLOBAL_TEST_COLUMNS

__all__ = [
    "PAGE_METRICS",
    "TESTS_COLUMNS",
    "ComparisonReport",
    "comparison_report",
    "detectable_difference",
    "page_metrics",
]

#: Columns of ``manager_tests.csv``: the comparison columns with each manager's name and team after its id.
TESTS_COLUMNS = ("metric", "manager", "name", "team", *COMPARISON_COLUMNS[2:])
#: The KPIs one page covers when no single metric is asked for, those the data allow (conversion needs leads,
#: the margin rate order costs). New customers count workload as much as skill: on their own page only.
PAGE_METRICS = ("conversion", "average_check", "margin_rate")
#: Power at which :func:`detectable_difference` reports the smallest difference found.
POWER = 0.8


@dataclass(frozen=True, eq=False)
class ComparisonReport:
    """Everything the manager comparison report shows, for one period or span of periods
    (``2025Q4:2026Q3``), team (``None``: all) and the KPIs of the page (:attr:`metrics`).

    The family of the page: with ``K`` KPIs on the page, each KPI's comparisons are adjusted among
    themselves (Holm) at ``alpha / K`` (Bonferroni across the KPIs), so that when all managers are alike in
    every KPI the chance that anyone is flagged on any KPI of the page is at most ``alpha``. The tables'
    ``p_adjusted`` are on the page's scale: ``min(1, K x`` the KPI's own Holm p-value ``)``; a verdict is
    ``above``/``below`` exactly when it is below ``alpha``. With one KPI (``K = 1``) they are
    :func:`kpi_toolkit.compare_managers`'s own.
    """

    period: Period
    team: str | None
    metric: str
    alpha: float
    p_adjust: str
    managers: list[str]
    names: dict[str, str]
    teams: dict[str, str]
    #: ``kt.compare_managers`` for ``metric``, each manager against the rest.
    table: pd.DataFrame
    #: ``kt.compare_managers`` for every metric the data allow, stacked (``manager_tests.csv``).
    tests: pd.DataFrame
    #: ``kt.global_test`` for every metric the data allow: ``metric`` and the global test's columns.
    global_tests: pd.DataFrame
    #: ``kt.funnel`` and ``kt.shrunk_rates`` (conversion only; ``None`` for the other metrics).
    funnel: pd.DataFrame | None
    shrunk: pd.DataFrame | None
    #: ``kt.average_check_diagnostics`` and the amounts behind them (average check only).
    diagnostics: pd.DataFrame | None
    amounts: pd.DataFrame | None
    #: The smallest difference the test finds with probability :data:`POWER` for the median manager.
    detectable: float
    data_as_of: pd.Timestamp
    first_date: pd.Timestamp
    source: str
    row_counts: pd.DataFrame
    has_leads: bool
    data_fingerprint: str = ""
    caveats: list[Message] = field(default_factory=list)
    #: The KPIs of the page, in order (``metric`` is the first), and each one's table (``table`` is the
    #: first's), detectability frames and :attr:`detectable`.
    metrics: list[str] = field(default_factory=list)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    detectabilities: dict[str, tuple] = field(default_factory=dict)
    detectables: dict[str, float] = field(default_factory=dict)
    #: ``kt.detectable_difference`` of the period and of the year ending with it (``None`` and ``[]``
    #: without one): what the data can tell apart (issue 17).
    detectability: pd.DataFrame | None = None
    detectability_longer: pd.DataFrame | None = None
    detectability_window: list[Period] = field(default_factory=list)

    @property
    def min_n(self) -> int | None:
        """Closed leads or orders a manager needs for a verdict on ``metric`` (None: no minimum)."""
        return self.table.attrs.get("min_n", DEFAULT_MIN_N[self.metric])

    @property
    def family(self) -> int:
        """The number of KPIs the page's p-values are adjusted across (Bonferroni)."""
        return max(1, len(self.metrics))

    def part(self, metric: str) -> ComparisonReport:
        """The report of one KPI of the page (``metric``, ``table``, the detectability its own), for the
        views that show one KPI at a time."""
        short, longer, window = self.detectabilities.get(metric, (None, None, []))
        return dataclasses.replace(
            self,
            metric=metric,
            table=self.tables[metric],
            detectability=short,
            detectability_longer=longer,
            detectability_window=window,
            detectable=self.detectables.get(metric, math.nan),
        )

    @property
    def page_tests(self) -> pd.DataFrame:
        """The tables of the page's KPIs stacked (``metric`` tells them apart), on the page's scale."""
        return pd.concat(
            [self.tables.get(m, self.table) for m in self.metrics or [self.metric]], ignore_index=True
        )

    @property
    def manager_tests(self) -> pd.DataFrame:
        """:attr:`tests` with the name and team after each manager id: the table of ``manager_tests.csv``."""
        frame = self.tests.copy()
        frame.insert(2, "name", [self.names.get(m, m) for m in frame["manager"]])
        frame.insert(3, "team", [self.teams.get(m, "") for m in frame["manager"]])
        return frame.loc[:, list(TESTS_COLUMNS)]


def detectable_difference(
    metric: str, n: float, versus_n: float, *, k: int, alpha: float = 0.05, center: float, spread: float = 0.0
) -> float:
    r"""The smallest true difference from the rest that the first step of Holm's procedure finds with
    probability 0.8, for a manager with ``n`` leads (orders) against a rest of ``versus_n``.

    Parameters
    ----------
    metric : {"conversion", "average_check", "new_customers"}
    n, versus_n : float
        The manager's and the rest's closed leads (conversion), orders (average check), or exposure (new
        customers, in active months).
    k : int
        The number of comparisons (Holm's first step tests at ``alpha / k``).
    alpha : float, default 0.05
    center : float
        The team's conversion (conversion) or new customers per active month (new customers); unused for
        the average check.
    spread : float, default 0
        The coefficient of variation (standard deviation / mean) of the amounts within a manager (average
        check).

    Returns
    -------
    float
        Conversion: a difference in rate (0.1 is 10 points); average check: the ratio of average checks
        above 1 found (1.3 is 30 % larger); new customers: the rate ratio above 1. NaN when it cannot be
        computed.

    Notes
    -----
    Normal approximation: :math:`(z_{1-\alpha/(2k)} + z_{0.8})\,\mathrm{SE}`, with the binomial standard
    error of the difference at the center rate, the delta-method standard error of the log ratio of means
    :math:`\mathrm{CV}\sqrt{1/n + 1/N}` mapped back by :math:`e^x`, or the Poisson one of the log rate
    ratio. It is a guide to what a window can show (a quarter against a year), not a test; with very skewed
    amounts and few orders the permutation test finds a little less than this says.

    References
    ----------
    Cohen J (1988). Statistical power analysis for the behavioral sciences, 2nd ed., chapter 6.

    Examples
    --------
    >>> round(detectable_difference("conversion", 60, 780, k=14, center=0.27), 3)
    0.223
    >>> round(detectable_difference("conversion", 200, 2600, k=14, center=0.27), 3)
    0.122
    """
    if not (n > 0 and versus_n > 0 and k >= 1):
        return math.nan
    z = float(stats.norm.ppf(1 - alpha / (2 * k)) + stats.norm.ppf(POWER))
    if metric == "conversion":
        return z * math.sqrt(center * (1 - center) * (1 / n + 1 / versus_n))
    if metric == "average_check":
        return math.exp(z * spread * math.sqrt(1 / n + 1 / versus_n)) if spread > 0 else math.nan
    if center <= 0:
        return math.nan
    return math.exp(z * math.sqrt(1 / (center * n) + 1 / (center * versus_n)))


def _detectable(data: SalesData, table: pd.DataFrame, metric: str, months: list[str], alpha: float) -> float:
    """:func:`detectable_difference` for the median manager with enough data, against the median rest."""
    tested = table[table["p_value"].notna()]
    k = len(tested)
    if k == 0:
        return math.nan
    n, versus_n = float(tested["n"].median()), float(tested["versus_n"].median())
    if metric == "conversion":
        center = float(tested["versus_estimate"].median())
        return detectable_difference(metric, n, versus_n, k=k, alpha=alpha, center=center)
    if metric == "margin_rate":  # the normal approximation from the intervals of the differences
        se = (tested["ci_high"] - tested["ci_low"]).to_numpy(float) / (2 * stats.norm.ppf(0.975))
        z = float(stats.norm.ppf(1 - alpha / (2 * k)) + stats.norm.ppf(POWER))
        return z * float(np.nanmedian(se)) if np.isfinite(se).any() else math.nan
    if metric == "new_customers":
        with np.errstate(divide="ignore", invalid="ignore"):
            exposure = float(np.nanmedian(tested["n"] / tested["estimate"]))  # active months
        return detectable_difference(
            metric, exposure, float(k - 1) * exposure, k=k, alpha=alpha,
            center=float(tested["estimate"].median()),
        )  # fmt: skip
    sums = period_sums(data, months=months, managers=list(tested["manager"]))
    orders = sums["orders"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums["sales_volume"].to_numpy(float) / orders
        var = (sums["sum_sq_amount"].to_numpy(float) - orders * mean**2) / (orders - 1)
        cv = np.where((orders > 1) & (mean > 0), np.sqrt(np.maximum(var, 0.0)) / mean, np.nan)
    spread = float(np.nanmedian(cv)) if np.isfinite(cv).any() else math.nan
    return detectable_difference(metric, n, versus_n, k=k, alpha=alpha, center=math.nan, spread=spread)


def _caveats(
    data: SalesData, period: Period, metrics: list[str], managers: list[str], notes: dict
) -> list[Message]:
    caveats = []
    if len(managers) < 2:
        caveats.append(Message("comparison.caveat.few_managers", count=len(managers)))
    if period.end - pd.Timedelta(days=1) > data.last_date.normalize():
        caveats.append(Message("comparison.caveat.incomplete", period=period, date=data.last_date))
    if period.start < data.first_date.normalize():
        caveats.append(Message("comparison.caveat.early", period=period, date=data.first_date))
    if "new_customers" in metrics and period.start < data.first_date + pd.DateOffset(years=1):
        caveats.append(Message("comparison.caveat.first_year", period=period, date=data.first_date))
    for manager, (total, kept) in notes.get("sampled", {}).items():
        caveats.append(
            Message("comparison.caveat.sampled", manager=manager, total=int(total), kept=int(kept))
        )
    return caveats


def page_metrics(data: SalesData, metric: str | None = None) -> list[str]:
    """The KPIs of a page: ``[metric]``, or when it is empty every one of :data:`PAGE_METRICS` the data allow
    (conversion needs a leads table, the margin rate order costs).

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> tables = make_demo_data()
    >>> page_metrics(kt.from_frames(**tables)), page_metrics(kt.from_frames(tables["orders"]))
    (['conversion', 'average_check', 'margin_rate'], ['average_check', 'margin_rate'])
    >>> page_metrics(kt.from_frames(**tables), "new_customers")
    ['new_customers']
    """
    if metric:
        return [metric]
    return [
        m
        for m in PAGE_METRICS
        if (m != "conversion" or data.leads is not None) and (m != "margin_rate" or data.has_costs)
    ]


def _on_page(table: pd.DataFrame, family: int, alpha: float) -> pd.DataFrame:
    """A KPI's table tested at ``alpha / family`` with its p-values on the page's scale (``family`` times the
    KPI's own adjusted p, at most 1): a verdict exactly when that is below ``alpha``."""
    out = table.copy()
    out["p_adjusted"] = np.minimum(1.0, family * out["p_adjusted"].astype(float))
    out.attrs.update(table.attrs, alpha=float(alpha), family=int(family))
    return out


def comparison_report(
    data: SalesData,
    *,
    period: str | Period,
    metric: Literal["", "conversion", "average_check", "new_customers", "margin_rate"] | None = None,
    team: str | None = None,
    alpha: float = 0.05,
    p_adjust: Literal["holm", "bh", "none"] = "holm",
) -> ComparisonReport:
    """Compute the manager comparison report for one period (a month, quarter or year) or a range of them
    (``2025Q4:2026Q3``: the run pooled, as :func:`kpi_toolkit.compare_managers` takes it), team and KPI.

    Without ``metric`` the page covers every KPI of :func:`page_metrics` the data allow (conversion, average
    check, margin rate), each tested at ``alpha / K`` (see :class:`ComparisonReport` for the family); with
    ``metric`` only that one. :attr:`ComparisonReport.tests` holds every KPI the data allow
    (``manager_tests.csv``): those of the page as the page tests them, the others (new customers) each
    adjusted among its own comparisons at ``alpha``. Errors (an unknown metric, period or team; conversion
    without leads; the margin rate without costs) are raised before anything is shown.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> r = comparison_report(kt.from_frames(**make_demo_data()), period="2026", metric="conversion")
    >>> r.table.loc[r.table["verdict"] == "below", "manager"].tolist(), r.funnel is not None
    (['M03'], True)
    >>> sorted(r.tests["metric"].unique()), [m.key for m in r.caveats]
    (['average_check', 'conversion', 'margin_rate', 'new_customers'], ['comparison.caveat.incomplete'])
    >>> round(r.detectable, 3)
    0.131
    >>> page = comparison_report(kt.from_frames(**make_demo_data()), period="2026")
    >>> page.metrics, page.family
    (['conversion', 'average_check', 'margin_rate'], 3)
    >>> str(comparison_report(kt.from_frames(**make_demo_data()), period="2025Q4:2026Q3").period)
    '2025Q4:2026Q3'
    """
    allowed = (*METRICS, *EXTRA_METRICS)
    if metric and metric not in allowed:
        raise ParameterError(f"metric={metric!r} is not one of {', '.join(allowed)}. Fix: pick one of them.")
    if metric == "margin_rate" and not data.has_costs:
        raise ParameterError(
            "metric='margin_rate' needs order costs (a cost column in orders). "
            "Fix: load costs, or pick another metric."
        )
    p = parse_span(period, fiscal_year_start=data.fiscal_year_start)
    managers = active_managers(data, list(p.periods), team)  # those active in the period, as compared
    shown = page_metrics(data, metric)
    family = len(shown)
    # the page's KPIs first (conversion without leads fails here), then the others the data allow
    others = [
        m
        for m in (*METRICS, *EXTRA_METRICS)
        if m not in shown
        and (m != "conversion" or data.leads is not None)
        and (m != "margin_rate" or data.has_costs)
    ]
    options = {"period": p, "team": team or None}
    tests, rows, notes = {}, {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # fewer than two managers: a caveat of the report
        for m in shown:
            own = compare_managers(data, metric=m, alpha=alpha / family, p_adjust=p_adjust, **options)
            tests[m] = _on_page(own, family, alpha)
        for m in others:
            tests[m] = compare_managers(data, metric=m, alpha=alpha, p_adjust=p_adjust, **options)
        for m in (*METRICS, *EXTRA_METRICS):
            if m in tests and m in METRICS:  # kt.global_test knows the KPIs of METRICS
                rows[m] = global_test(data, metric=m, **options).assign(metric=m)
        conversion = "conversion" in shown
        diagnostics = amounts = None
        if "average_check" in shown:
            diagnostics = average_check_diagnostics(data, alpha=alpha / family, p_adjust=p_adjust, **options)
            amounts = order_amounts(data, **options)
            notes["sampled"] = amounts.attrs["sampled"]
    info = data.manager_info
    detectabilities = {
        m: detectability_frames(data, period=p, metric=m, team=team or None, alpha=alpha / family)
        for m in shown
        if m in METRICS
    }
    detectables = {m: _detectable(data, tests[m], m, list(p.months), alpha / family) for m in shown}
    first = shown[0]
    short, longer, window = detectabilities.get(first, (None, None, []))
    order = [m for m in (*METRICS, *EXTRA_METRICS) if m in tests]
    return ComparisonReport(
        period=p,
        team=team or None,
        metric=first,
        alpha=float(alpha),
        p_adjust=p_adjust,
        managers=managers,
        names={str(m): str(n) for m, n in info["name"].items()},
        teams={str(m): ("" if pd.isna(t) else str(t)) for m, t in info["team"].items()},
        table=tests[first],
        tests=pd.concat([tests[m] for m in order], ignore_index=True),
        global_tests=pd.concat([rows[m] for m in METRICS if m in rows], ignore_index=True).loc[
            :, ["metric", *GLOBAL_TEST_COLUMNS]
        ],
        funnel=funnel(data, **options) if conversion else None,
        shrunk=shrunk_rates(data, **options) if conversion else None,
        diagnostics=diagnostics,
        amounts=amounts,
        detectable=detectables[first],
        data_as_of=data.last_date,
        first_date=data.first_date,
        source=data.source,
        row_counts=data.row_counts,
        has_leads=data.leads is not None,
        data_fingerprint=data_fingerprint(data),
        caveats=_caveats(data, p, shown, managers, notes),
        detectability=short,
        detectability_longer=longer,
        detectability_window=window,
        metrics=shown,
        tables={m: tests[m] for m in shown},
        detectabilities=detectabilities,
        detectables=detectables,
    )
