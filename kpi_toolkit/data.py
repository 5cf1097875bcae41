"""The validated sales data set, :class:`SalesData`: the contract's tables as typed frames and the small
queries every engine answers. :mod:`kpi_toolkit.loading` builds it (``kt.load``, ``kt.from_frames``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import narwhals as nw
import pandas as pd

from kpi_toolkit.aggregate import monthly_stats
from kpi_toolkit.engines.queries import aggregate, distinct_values, sample_rows
from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.periods import Period, parse_period
from kpi_toolkit.plan_codes import PlanCodes, plan_codes
from kpi_toolkit.plans import PlanBook
from kpi_toolkit.quarantine import empty_quarantine
from kpi_toolkit.returns import resolve_returns
from kpi_toolkit.staffing import Employment, Membership, team_days

__all__ = ["SalesData"]


@dataclass(frozen=True, eq=False)
class SalesData:
    """A validated sales data set: the contract's tables as typed pandas frames.

    Build it with :func:`load` or :func:`from_frames`, never by hand. ``leads``, ``plans`` and ``managers``
    are ``None`` when the data set has no such table. ``row_counts`` says, per table, how many rows were
    read, used and excluded (rows read = rows used + rows excluded); ``quarantine`` lists the rows set aside
    with ``on_invalid="quarantine"``, one row per broken rule (columns: :data:`QUARANTINE_COLUMNS`).

    ``engine`` says where ``orders`` and ``leads`` live: ``"pandas"`` (frames), or ``"duckdb"``/``"spark"``
    (lazy DuckDB relations or Spark DataFrames on ``connection``; see :mod:`kpi_toolkit.engines`). Everything
    the toolkit computes from them goes through :attr:`monthly` and the small queries below, so it works on
    every engine; :meth:`sample_orders` gives raw orders, sampled, for checks that need them.
    """

    orders: pd.DataFrame
    leads: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    managers: pd.DataFrame | None = None
    fiscal_year_start: int = 1
    source: str = "<memory>"
    row_counts: pd.DataFrame = field(default_factory=pd.DataFrame)
    quarantine: pd.DataFrame = field(default_factory=empty_quarantine)
    #: Optional ``activities`` table (calls, meetings, emails ...; see README); pandas only.
    activities: pd.DataFrame | None = None
    #: Where orders and leads live: "pandas", "duckdb" or "spark" (:data:`kpi_toolkit.engines.ENGINES`).
    engine: str = "pandas"
    #: The DuckDB connection or SparkSession of a lazy engine (``None`` on pandas).
    connection: Any = field(default=None, repr=False)
    #: The leads' stages in their order, first to last (``kt.load(stages=...)``, ``stages:`` in the mapping
    #: or ``dataset.yml``); ``None`` when the data set does not set them. Every lead's stage is one of them.
    stages: tuple[str, ...] | None = None

    #: Optional ``assignments`` table (team moves: ``manager, team, valid_from``; see README).
    assignments: pd.DataFrame | None = None
    #: Optional ``returns`` table (returns and credit notes; see README); pandas on every engine.
    returns: pd.DataFrame | None = None
    #: The KPI whose targets ``sales_plan`` and ``plan_attainment`` use (:data:`PLAN_ATTAINMENT_METRICS`).
    plan_metric: str = "sales_volume"

    @cached_property
    def manager_ids(self) -> list[str]:
        """Every manager, sorted: the managers table when given, else all ids in orders, leads and plans."""
        if self.managers is not None:
            return sorted(self.managers["manager"])
        ids: set[str] = set(distinct_values(self.orders, "manager"))
        for table in (self.leads, self.plans):
            if table is not None:
                ids.update(distinct_values(table, "manager"))
        return sorted(ids)

    @cached_property
    def manager_info(self) -> pd.DataFrame:
        """``name`` and ``team`` per manager (index ``manager``); name defaults to the id, team to missing."""
        info = pd.DataFrame(index=pd.Index(self.manager_ids, name="manager", dtype="string"))
        if self.managers is not None:
            extra = self.managers.set_index("manager")
            info = info.join(extra)
        else:
            info["name"] = pd.Series(pd.NA, index=info.index, dtype="string")
            info["team"] = pd.Series(pd.NA, index=info.index, dtype="string")
        if self.membership.dated:  # the current team: the latest assignment's
            current = self.membership.current()
            info["team"] = current.reindex(info.index).fillna(info["team"].astype("string"))
        info["name"] = info["name"].fillna(pd.Series(info.index, index=info.index))
        return info

    @cached_property
    def teams(self) -> list[str]:
        """The team names, sorted."""
        if self.membership.dated:
            return self.membership.teams()
        return sorted(self.manager_info["team"].dropna().unique())

    def managers_of(self, team: str | None, *, period: Period | None = None) -> list[str]:
        """The managers of ``team`` (every manager when ``None``), sorted by id; with ``period``, only those
        employed on at least one of its days (``hired_at``, ``left_at``; :mod:`kpi_toolkit.staffing`)."""
        if team is None or team == "":
            managers = list(self.manager_ids)
        else:
            if team not in self.teams:
                known = ", ".join(self.teams) or "none (the data set has no managers table with teams)"
                raise ParameterError(f"team={team!r} is not a team of this data set. Known teams: {known}.")
            if self.membership.dated:  # everyone who was in the team on some day of the period (or ever)
                managers = self.membership.members(team, list(self.manager_ids), period)
            else:
                info = self.manager_info
                managers = sorted(info.index[info["team"] == team])
        if period is not None and self.employment.dated:
            active = self.employment.active(managers, period).to_numpy()
            managers = [m for m, on in zip(managers, active, strict=True) if on]
        return managers

    @cached_property
    def team_plan_book(self) -> PlanBook:
        """The teams' own targets (plan rows naming a ``team``), by team, with the same roll-up rule."""
        return PlanBook.of_codes(self._plan_codes, fiscal_year_start=self.fiscal_year_start, teams=True)

    @cached_property
    def _plan_codes(self) -> PlanCodes | None:
        """The plan as integer codes, rolled up once for both plan books (shared with validation by
        :func:`load`)."""
        if self.plans is None:
            return None
        return plan_codes(self.plans, fiscal_year_start=self.fiscal_year_start)

    @cached_property
    def membership(self) -> Membership:
        """Which team each manager was in, day by day (``assignments``, else the fixed ``team``)."""
        return Membership(self.managers, self.assignments)

    @cached_property
    def monthly_by_team(self) -> pd.DataFrame:
        """:attr:`monthly` split by the team each order and lead belongs to (``team`` column); with
        ``assignments`` only (see :func:`kpi_toolkit.aggregate.monthly_stats`)."""
        intervals = self.membership.intervals
        if self.engine != "pandas":
            from kpi_toolkit.engines.lazy import small_frame

            days = team_days(intervals)
            return monthly_stats(
                self.orders,
                self.leads,
                teams=small_frame(self.engine, self.connection, days),
                returns=self.resolved_returns,
            )
        return monthly_stats(
            self.orders, self.leads, teams=team_days(intervals), returns=self.resolved_returns
        )

    @cached_property
    def employment(self) -> Employment:
        """The managers' employment dates (everyone always employed without ``hired_at``/``left_at``)."""
        return Employment(self.managers)

    @cached_property
    def has_costs(self) -> bool:
        """Whether orders carry a cost of goods (a ``cost`` column with values), so margins can be computed.

        The contract makes ``cost`` all or nothing: when the column is given, every order needs one.
        """
        if "cost" not in nw.from_native(self.orders).columns:
            return False
        return bool(aggregate(self.orders, n=nw.col("cost").count())["n"])

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """Per-manager, per-month sums and counts (see :func:`kpi_toolkit.aggregate.monthly_stats`)."""
        return monthly_stats(self.orders, self.leads, returns=self.resolved_returns)

    @cached_property
    def resolved_returns(self) -> pd.DataFrame | None:
        """Each return with its manager and cost of goods (:func:`kpi_toolkit.returns.resolve_returns`),
        resolved once for every KPI, team split and margin comparison; ``None`` without returns."""
        if self.returns is None or not len(self.returns):
            return None
        lazy = None
        if self.engine != "pandas":
            from kpi_toolkit.engines.lazy import small_frame

            lazy = lambda small: small_frame(self.engine, self.connection, small)  # noqa: E731
        return resolve_returns(self.returns, self.orders, has_costs=self.has_costs, lazy=lazy)

    @cached_property
    def plan_book(self) -> PlanBook:
        return PlanBook.of_codes(
            self._plan_codes, fiscal_year_start=self.fiscal_year_start, employment=self.employment
        )

    @cached_property
    def _dates(self) -> dict[str, Any]:
        """The first and last order date, the last created_at and closed_at of leads: one query per table."""
        when = nw.col("ordered_at")
        dates = aggregate(self.orders, first=when.min(), last=when.max())
        if self.leads is not None:
            ends = {"created": nw.col("created_at").max(), "closed": nw.col("closed_at").max()}
            dates |= aggregate(self.leads, **ends)
        return dates

    @cached_property
    def first_date(self) -> pd.Timestamp:
        """The earliest order date: where the data's history starts."""
        return pd.Timestamp(self._dates["first"])

    @cached_property
    def last_date(self) -> pd.Timestamp:
        """The latest date in orders and leads (``data as of``)."""
        dates = [self._dates[key] for key in ("last", "created", "closed") if key in self._dates]
        known = [pd.Timestamp(d) for d in dates if d is not None and pd.notna(d)]
        if not known:
            raise DataValidationError(
                [
                    Violation(
                        "orders",
                        self.source,
                        None,
                        "the data set holds no dates (orders and leads have no rows): nothing to report on",
                        fix="load a data set with orders (a file with only a header is an empty table)",
                    )
                ]
            )
        return pd.Timestamp(max(known))

    def period(self, label: str | Period, *, name: str = "period") -> Period:
        """Parse a period label with this data set's fiscal year."""
        return parse_period(label, fiscal_year_start=self.fiscal_year_start, name=name)

    def sample_orders(
        self,
        *,
        periods: Sequence[Period] | None = None,
        managers: Sequence[str] | None = None,
        max_orders: int | None = 5000,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """Raw orders for checks that need them (rank tests, bootstrap): every one, or a seeded sample.

        Parameters
        ----------
        periods
            Orders with ``ordered_at`` in one of these periods (every order when ``None``).
        managers
            Only these managers' orders (every manager when ``None``).
        max_orders
            A manager with more orders is represented by ``max_orders`` of them; ``None`` keeps every order.
        seed
            Seed of the sample; ``None`` is :data:`kpi_toolkit.stats.DEFAULT_SEED`.

        Returns
        -------
        pandas.DataFrame
            Columns ``order_id, manager, customer_id, ordered_at, amount`` (ids as text), and ``cost`` when
            the orders have costs, sorted by manager and ``order_id``. ``attrs["sampled"]`` is
            ``{manager: [orders, orders kept]}`` for each manager
            sampled (empty when none was); ``attrs["seed"]`` and ``attrs["max_orders"]`` say how.

        Notes
        -----
        The same sample on every engine: each manager's orders are sorted by ``order_id`` (as text); for
        the managers in id order, ``numpy.random.default_rng(seed).choice(n, max_orders, replace=False)``
        picks the positions kept of each manager with more than ``max_orders`` orders. On DuckDB and Spark
        the engine counts the orders, Python draws the positions and only the chosen orders are fetched.

        Examples
        --------
        >>> from kpi_toolkit.demo import make_demo_data
        >>> from kpi_toolkit.loading import from_frames
        >>> data = from_frames(**make_demo_data())
        >>> quarter = [data.period("2026Q3")]
        >>> sample = data.sample_orders(periods=quarter, managers=["M01", "M02"], max_orders=40)
        >>> sample.groupby("manager").size().tolist(), sample.attrs["sampled"]["M01"]
        ([40, 40], [62, 40])
        """
        if seed is None:
            from kpi_toolkit.stats import DEFAULT_SEED

            seed = DEFAULT_SEED
        columns = ["order_id", "manager", "customer_id", "ordered_at", "amount", *(["cost"] * self.has_costs)]
        frame = nw.from_native(self.orders).select(*columns)
        if periods is not None:
            months = sorted({int(m.replace("-", "")) for p in periods for m in p.months})
            when = nw.col("ordered_at")
            frame = frame.filter((when.dt.year() * 100 + when.dt.month()).is_in(months))
        if managers is not None:
            frame = frame.filter(nw.col("manager").is_in(list(managers)))
        lazy = None
        if self.engine != "pandas":
            from kpi_toolkit.engines.lazy import small_frame

            lazy = lambda small: small_frame(self.engine, self.connection, small)  # noqa: E731
        rows, sampled = sample_rows(
            frame.to_native(), by="manager", order="order_id", max_rows=max_orders, seed=seed, lazy=lazy
        )
        ids = {"order_id": "string", "manager": "string", "customer_id": "string"}
        rows = rows.loc[:, columns].astype(ids)
        rows.attrs.update(sampled=sampled, seed=seed, max_orders=max_orders)
        return rows
