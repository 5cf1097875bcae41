"""Loading and validating a sales data set: :func:`load` (a folder, or an export through a mapping) and
:func:`from_frames` (in memory).

Every path goes through the same steps: read (or build through a mapping) the contract's tables as text with
the rows numbered as the user sees them (:class:`~kpi_toolkit.reading.StagedData`), type the cells
(:mod:`kpi_toolkit.parsing`), check the row and cross-table rules (:mod:`kpi_toolkit.validation`), and then
either raise every broken rule at once or set the invalid rows aside (:mod:`kpi_toolkit.quarantine`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import narwhals as nw
import pandas as pd
import yaml

from kpi_toolkit.aggregate import monthly_stats
from kpi_toolkit.engines import EngineName, check_engine
from kpi_toolkit.engines.queries import aggregate, distinct_values, sample_rows
from kpi_toolkit.errors import DataValidationError, ParameterError, Violation
from kpi_toolkit.mapping import apply_mapping, read_mapping
from kpi_toolkit.mapping.database import Database, contract_tables, is_database_url
from kpi_toolkit.parsing import MISSING_COLUMNS, parse_table
from kpi_toolkit.periods import Period, parse_period
from kpi_toolkit.plan_codes import (
    PlanCodes,
    plan_codes,
    plans_with_labels,
    shared_plan_codes,
    sharing_plan_codes,
)
from kpi_toolkit.plans import PlanBook, check_plan_consistency
from kpi_toolkit.quarantine import (
    QUARANTINE_COLUMNS,
    empty_quarantine,
    label_columns,
    quarantine_frame,
    quarantine_rows,
    shown,
)
from kpi_toolkit.reading import (
    ROW,
    RawTable,
    StagedData,
    find_table_files,
    frame_table,
    read_file_bytes,
    read_table,
)
from kpi_toolkit.returns import resolve_returns
from kpi_toolkit.schema import PLAN_ATTAINMENT_METRICS
from kpi_toolkit.staffing import Employment, Membership, team_days
from kpi_toolkit.validation import check_references, check_rows, check_stages

__all__ = [
    "DATASET_FILE",
    "ON_INVALID",
    "QUARANTINE_COLUMNS",
    "ROW_COUNT_COLUMNS",
    "SalesData",
    "from_frames",
    "load",
]

#: Optional file in a data-set folder with options of the data set (``fiscal_year_start: 7``).
DATASET_FILE = "dataset.yml"
#: Columns of ``SalesData.row_counts``: per table, rows read = rows used + rows excluded; ``rows_filtered``
#: counts the rows of the source file that a mapping's filter left out (not part of the table; 0 without one).
#: An orders table that sums its amounts from a lines file (``amount_from_lines``) adds a row ``order_lines``
#: for that file: valid lines (used), invalid lines (excluded), lines filtered (by the lines'
#: own ``where:``, and the lines of orders that the orders' ``where:`` left out).
ROW_COUNT_COLUMNS = ("table", "source", "rows_read", "rows_used", "rows_excluded", "rows_filtered")
OnInvalid = Literal["raise", "quarantine"]
#: What :func:`load` may do with invalid rows.
ON_INVALID = ("raise", "quarantine")


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


def _dataset_options(folder: Path) -> dict[str, Any]:
    path = folder / DATASET_FILE
    if not os.path.lexists(path):
        return {}
    try:
        options = yaml.safe_load(read_file_bytes(path, what="settings file").decode("utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ParameterError(
            f"{path} is not a valid settings file ({first[:200]}). Fix: write plain YAML, e.g. "
            "fiscal_year_start: 7 (tags such as !!python/... are not allowed)."
        ) from None
    known = {"fiscal_year_start", "stages", "plan_metric"}
    unknown = set(options) - known if isinstance(options, dict) else {"<not a mapping>"}
    if unknown:
        raise ParameterError(
            f"{path}: unknown option(s) {sorted(unknown)}. Fix: the options are fiscal_year_start (1-12), "
            "stages (the leads' stages in their order) and plan_metric "
            f"({', '.join(PLAN_ATTAINMENT_METRICS)})."
        )
    check_stages(options.get("stages"), where=f"{path}: stages")
    if "plan_metric" in options:
        check_plan_metric(options["plan_metric"], where=f"{path}: plan_metric")
    month = options.get("fiscal_year_start", 1)
    if not isinstance(month, int) or isinstance(month, bool) or not 1 <= month <= 12:
        raise ParameterError(
            f"{path}: fiscal_year_start is {str(month)[:40]!r}, not a month number. Fix: write the number "
            "of the month in which the fiscal year starts, from 1 to 12 (e.g. fiscal_year_start: 7 for July)."
        )
    return options


def check_plan_metric(plan_metric: object, *, where: str = "plan_metric") -> None:
    """A :class:`ParameterError` unless ``plan_metric`` is ``None`` or a KPI plans may be measured on."""
    if plan_metric is not None and plan_metric not in PLAN_ATTAINMENT_METRICS:
        raise ParameterError(
            f"{where}={str(plan_metric)[:40]!r} is not a KPI the plan can be measured on. Fix: use one of "
            f"{', '.join(PLAN_ATTAINMENT_METRICS)} (gross_margin needs order costs)."
        )


def with_plan_metric(data: SalesData, plan_metric: str) -> SalesData:
    """``data`` with its plan attainment measured on ``plan_metric`` (checked against the data)."""
    check_plan_metric(plan_metric)
    if plan_metric == "gross_margin" and not data.has_costs:
        raise ParameterError(
            "plan_metric='gross_margin' needs the cost of goods of every order, and the orders have no cost "
            "column. Fix: add a cost column to orders (or derive it in the mapping), or measure the plan on "
            "sales_volume or net_sales."
        )
    if plan_metric == data.plan_metric:
        return data
    changed = replace(data, plan_metric=plan_metric)
    for cached in (
        "_dates",
        "_plan_codes",
        "monthly",
        "monthly_by_team",
        "resolved_returns",
        "has_costs",
    ):  # computed already: the same for any plan metric
        if cached in data.__dict__:
            changed.__dict__[cached] = data.__dict__[cached]
    return changed


def _uncovered(problems: list[Violation], table: str, covered: set[tuple[str, str, int]]) -> list[Violation]:
    """Drop from the contract's findings the cells a mapping already reported (a date it could not read)."""
    if not covered:
        return problems
    out = []
    for v in problems:
        rows = tuple(r for r in v.rows if (table, v.column or "", r) not in covered)
        if rows:
            out.append(replace(v, rows=rows, n_rows=len(rows)) if len(rows) != len(v.rows) else v)
    return out


def _release(staged: StagedData, name: str) -> None:
    """Drop the frame of table ``name`` as read from ``staged`` (its name, source and labels stay).

    With ``on_invalid="raise"`` the cells as read serve only the table's own messages (built while typing
    it) and the uniqueness check of integer ids: once the table is typed and checked, they would only hold
    memory (at 2 million orders the raw orders are about 65 MiB beside the typed ones).
    """
    raw = staged.tables[name]
    staged.originals.pop(raw.source, None)
    staged.tables[name] = replace(raw, frame=raw.frame.iloc[:0].copy())  # a view would pin the columns


def _validate(
    staged: StagedData,
    *,
    fiscal_year_start: int,
    source: str,
    on_invalid: OnInvalid,
    stages: tuple[str, ...] | None = None,
) -> SalesData:
    raws = staged.tables
    fatal: list[Violation] = []
    violations: list[Violation] = list(staged.findings)
    typed: dict[str, pd.DataFrame] = {}
    rows_read = {name: len(raw.frame) for name, raw in raws.items()}
    for name in list(raws):
        raw = raws[name]
        frame, problems = parse_table(raw)
        missing = [p for p in problems if p.rule.startswith(MISSING_COLUMNS)]
        if missing:
            fatal += missing
            continue
        violations += _uncovered(problems, name, staged.covered)
        violations += check_rows(
            name, frame, source=raw.source, fiscal_year_start=fiscal_year_start, raw=raw.frame, stages=stages
        )
        typed[name] = frame
        if on_invalid == "raise":  # the cells as read are not shown again: free them before the next table
            _release(staged, name)
        del raw
    sources = {name: raw.source for name, raw in raws.items()}
    violations = label_columns(violations, raws)
    if fatal or on_invalid == "raise":
        if not fatal and not violations and "plans" in typed:
            violations += check_plan_consistency(
                typed["plans"], source=sources["plans"], fiscal_year_start=fiscal_year_start
            )
        if not fatal and not violations:
            violations += label_columns(check_references(typed, sources), raws)
        if fatal or violations:
            raise DataValidationError([shown(v) for v in fatal + violations])
        findings: list[Violation] = []
    else:
        typed, findings, _ = quarantine_rows(typed, violations, raws, fiscal_year_start=fiscal_year_start)
        if rows_read["orders"] and not len(typed["orders"]):
            everything = Violation(
                "orders",
                sources["orders"],
                None,
                "every row is invalid: nothing is left to analyse",
                fix="correct the problems listed below",
            )
            raise DataValidationError([everything, *(shown(v) for v in findings)])
    counts = pd.DataFrame(
        [
            (
                name,
                raw.source,
                rows_read[name],
                len(typed[name]),  # rows, not row numbers: an unpivoted plan line gives several rows
                rows_read[name] - len(typed[name]),
                raw.rows_filtered,
            )
            for name, raw in raws.items()
        ]
        + [  # files that fed a table (order lines): read = used + excluded, and the lines filtered
            (part, part_source, read, read - excluded, excluded, filtered)
            for raw in raws.values()
            for part, part_source, read, excluded, filtered in raw.parts
        ],
        columns=list(ROW_COUNT_COLUMNS),
    )
    tables = {name: frame.drop(columns=[ROW]).reset_index(drop=True) for name, frame in typed.items()}
    if "plans" in tables:  # normalised labels; the codes (and roll-up) of the check go with them
        tables["plans"] = plans_with_labels(
            tables["plans"], typed["plans"], fiscal_year_start=fiscal_year_start
        )
    return SalesData(
        orders=tables["orders"],
        leads=tables.get("leads"),
        plans=tables.get("plans"),
        managers=tables.get("managers"),
        activities=tables.get("activities"),
        assignments=tables.get("assignments"),
        returns=tables.get("returns"),
        fiscal_year_start=fiscal_year_start,
        source=source,
        row_counts=counts,
        quarantine=quarantine_frame(findings, staged.originals),
        stages=stages,
    )


def _staged(raws: dict[str, RawTable]) -> StagedData:
    """The tables as read, ready for :func:`_validate`, each source's rows kept for the quarantine."""
    return StagedData(raws, originals={raw.source: raw.frame for raw in raws.values()})


def _check_on_invalid(on_invalid: str) -> None:
    if on_invalid not in ON_INVALID:
        raise ParameterError(
            f"on_invalid={on_invalid!r} is not allowed. Fix: use 'raise' (stop at invalid rows, the default) "
            "or 'quarantine' (set them aside, listed in data.quarantine)."
        )


def load(
    source: str | Path,
    *,
    mapping: str | Path | Mapping[str, Any] | None = None,
    on_invalid: OnInvalid = "raise",
    fiscal_year_start: int | None = None,
    engine: EngineName = "pandas",
    connection: Any = None,
    allow_outside_data: bool = False,
    stages: Sequence[str] | None = None,
    plan_metric: str | None = None,
) -> SalesData:
    """Load and validate a data set: a folder of canonical tables, or an export described by a mapping.

    Parameters
    ----------
    source
        The data folder. Without ``mapping`` it holds ``orders.csv`` (or ``.parquet``) and optionally
        ``leads``, ``plans`` and ``managers``; with it, the files the mapping names. Or a database URL
        (``postgresql://user@host:port/db``, ``sqlite:///path.db``): its tables named like the contract's, or
        the tables and queries the mapping names (see :mod:`kpi_toolkit.mapping.database`).
    mapping
        A YAML mapping file (or its content as a dict) that says how to build the contract's tables from the
        files of an export: which file, how to read it, which columns, value maps, filters and derivations.
        See ``docs/mappings.md``; ``data/mappings/`` has examples.
    on_invalid
        ``"raise"`` (default): any broken rule raises, nothing is dropped. ``"quarantine"``: rows that break a
        row or cross-table rule are set aside into ``data.quarantine`` with their reasons and the rest is
        loaded; problems with a whole file still raise.
    fiscal_year_start
        Month (1-12) in which the fiscal year starts. ``None`` takes it from the mapping
        (``fiscal_year_start:``), else from the folder's ``dataset.yml``, else 1 (the calendar year).
    engine
        Where orders and leads are read, typed, validated and aggregated: ``"pandas"`` (default; in memory),
        ``"duckdb"`` (Parquet or CSV folders larger than memory) or ``"spark"`` (``pip install
        kpi-toolkit[spark]``). On DuckDB and Spark they stay lazy in the engine and only aggregates come back
        (:mod:`kpi_toolkit.engines`: row numbers in messages, what is not supported); ``mapping`` and
        ``on_invalid="quarantine"`` need the pandas engine.
    connection
        For ``engine="duckdb"`` a DuckDB connection (default: a new in-memory one that downloads nothing);
        for ``engine="spark"`` a SparkSession (default: the active one, else a new local session).
    allow_outside_data
        Let ``mapping`` name files outside ``source`` (absolute paths, ``..``); refused by default.
    stages
        The leads' stages in their order, first to last (e.g. ``["Qualified", "Proposal", "Negotiation"]``).
        ``None`` takes them from the mapping (``stages:``), else from the folder's ``dataset.yml``
        (``stages:``), else the data set has none. When set, a lead whose ``stage`` is not one of them breaks
        a rule (raised, or quarantined with ``on_invalid="quarantine"``), and :func:`kpi_toolkit.pipeline`
        weighs open leads by the chance of winning from their stage.
    plan_metric
        The KPI the plan attainment is measured on: ``"sales_volume"``, ``"net_sales"`` or
        ``"gross_margin"`` (:data:`~kpi_toolkit.schema.PLAN_ATTAINMENT_METRICS`); ``sales_plan`` is then that
        metric's target. ``None`` takes it from the mapping (``plan_metric:``), else from the folder's
        ``dataset.yml`` (``plan_metric:``), else ``"sales_volume"``.

    Returns
    -------
    SalesData
        The validated tables; ``row_counts`` says per table how many rows were read, used, excluded (rows
        read = rows used + rows excluded) and left out by a mapping's filter; ``quarantine`` lists the rows
        set aside (empty unless ``on_invalid="quarantine"``).

    Raises
    ------
    DataValidationError
        When any table breaks the data contract (with ``on_invalid="raise"``), or a file cannot be read as a
        whole (always); the message lists every broken rule with the file, the column, the rows (as numbered
        in the file: the header is line 1), the values found and the fix.
    ParameterError
        When the folder does not exist, holds two files for one table, or the mapping is invalid.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "orders.csv").write_text(
    ...     "order_id,manager,customer_id,ordered_at,amount\\n1,ann,c1,2026-07-01,100\\n")
    >>> data = load(folder)
    >>> data.manager_ids, float(data.orders["amount"].sum())
    (['ann'], 100.0)

    An export with its own column names, a semicolon and a decimal comma, read through a mapping:

    >>> _ = (folder / "sales.csv").write_text("No;Rep;Client;Date;Total\\n7;Ann;c1;26.11.2026;1 234,50\\n")
    >>> mapping = {"tables": {"orders": {"file": "sales.csv", "decimal": ",", "columns": {
    ...     "order_id": "No", "manager": "Rep", "customer_id": "Client", "ordered_at": "Date",
    ...     "amount": "Total"}}}}
    >>> data = load(folder, mapping=mapping)
    >>> str(data.orders["ordered_at"][0]), float(data.orders["amount"][0])
    ('2026-11-26 00:00:00', 1234.5)
    """
    _check_on_invalid(on_invalid)
    check_plan_metric(plan_metric)
    check_engine(engine, connection=connection)
    stages = check_stages(stages, where="stages=")
    with sharing_plan_codes():  # the plan is coded and rolled up once: for its checks and its plan books
        data, mapped = _load(
            source, mapping, on_invalid, fiscal_year_start, engine, connection, allow_outside_data, stages
        )
        _keep_plan_codes(data)
    if plan_metric is None:
        plan_metric = mapped
    if plan_metric is None and not is_database_url(source):
        plan_metric = _dataset_options(Path(source)).get("plan_metric")
    return with_plan_metric(data, plan_metric or "sales_volume")


def _keep_plan_codes(data: SalesData) -> None:
    """Give ``data`` the codes (and roll-up) of its plan that validation computed: no second pass."""
    codes = shared_plan_codes(data.plans, fiscal_year_start=data.fiscal_year_start)
    if codes is not None:
        data.__dict__["_plan_codes"] = codes  # the cached property SalesData._plan_codes


def _load(
    source: str | Path,
    mapping: str | Path | Mapping[str, Any] | None,
    on_invalid: OnInvalid,
    fiscal_year_start: int | None,
    engine: EngineName,
    connection: Any,
    allow_outside_data: bool,
    stages: tuple[str, ...] | None,
) -> tuple[SalesData, str | None]:
    """:func:`load` but the plan metric applied after validation; with the mapping's ``plan_metric:``
    (``None`` without a mapping or when it does not set one)."""
    if is_database_url(source):
        return _load_database(str(source), mapping, on_invalid, fiscal_year_start, engine, stages)
    folder = Path(source)
    if engine != "pandas":
        from kpi_toolkit.engines.lazy import check_lazy_options, load_lazy

        check_lazy_options(engine, mapping=mapping, on_invalid=on_invalid)
        options = _dataset_options(folder)
        if fiscal_year_start is None:
            fiscal_year_start = int(options.get("fiscal_year_start", 1))
        if stages is None:
            stages = check_stages(options.get("stages"), where="dataset.yml: stages")
        parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
        lazy = load_lazy(
            folder, engine=engine, fiscal_year_start=fiscal_year_start, connection=connection, stages=stages
        )
        counts = pd.DataFrame(
            [(name, lazy.sources[name], n, n, 0, 0) for name, n in lazy.counts.items()],
            columns=list(ROW_COUNT_COLUMNS),
        )
        data = SalesData(
            **lazy.tables,
            fiscal_year_start=fiscal_year_start,
            source=str(folder),
            row_counts=counts,
            engine=engine,
            connection=lazy.connection,
            stages=stages,
        )
        data.__dict__["_dates"] = lazy.dates  # the cached property SalesData._dates, counted while validating
        return data, None
    if mapping is None:
        files = find_table_files(folder)
        options = _dataset_options(folder)
        if fiscal_year_start is None:
            fiscal_year_start = int(options.get("fiscal_year_start", 1))
        if stages is None:
            stages = check_stages(options.get("stages"), where="dataset.yml: stages")
        parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
        staged = _staged({name: read_table(name, path) for name, path in files.items()})
        validated = _validate(
            staged,
            fiscal_year_start=fiscal_year_start,
            source=str(folder),
            on_invalid=on_invalid,
            stages=stages,
        )
        return validated, None
    if not folder.is_dir():
        raise ParameterError(
            f"data folder {str(folder)!r} does not exist or is not a folder. Fix: pass the folder that holds "
            "the files the mapping names."
        )
    spec = read_mapping(mapping)
    if fiscal_year_start is None:
        fiscal_year_start = spec.fiscal_year_start
    if stages is None:
        stages = spec.stages
    if fiscal_year_start is None or stages is None:
        options = _dataset_options(folder)
        if fiscal_year_start is None:
            fiscal_year_start = int(options.get("fiscal_year_start", 1))
        if stages is None:
            stages = check_stages(options.get("stages"), where="dataset.yml: stages")
    parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
    staged = apply_mapping(spec, folder, allow_outside_data=allow_outside_data)
    validated = _validate(
        staged,
        fiscal_year_start=fiscal_year_start,
        source=f"{folder} (mapping {spec.path})",
        on_invalid=on_invalid,
        stages=stages,
    )
    return validated, spec.plan_metric


def _load_database(
    url: str,
    mapping: str | Path | Mapping[str, Any] | None,
    on_invalid: OnInvalid,
    fiscal_year_start: int | None,
    engine: str,
    stages: tuple[str, ...] | None = None,
) -> tuple[SalesData, str | None]:
    """:func:`load` from a database URL (see :mod:`kpi_toolkit.mapping.database`), with the mapping's
    ``plan_metric:``."""
    if engine != "pandas":
        raise ParameterError(f"engine={engine!r} cannot read a database URL. Fix: use engine='pandas'.")
    spec = read_mapping(mapping) if mapping is not None else None
    if fiscal_year_start is None:
        fiscal_year_start = (spec.fiscal_year_start if spec else None) or 1
    if stages is None and spec is not None:
        stages = spec.stages
    parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
    with Database(url) as database:
        staged = apply_mapping(spec, None, database=database) if spec else contract_tables(database)
        shown = database.shown + (f" (mapping {spec.path})" if spec else "")
    validated = _validate(
        staged, fiscal_year_start=fiscal_year_start, source=shown, on_invalid=on_invalid, stages=stages
    )
    return validated, spec.plan_metric if spec else None


def from_frames(
    orders: pd.DataFrame,
    *,
    leads: pd.DataFrame | None = None,
    plans: pd.DataFrame | None = None,
    managers: pd.DataFrame | None = None,
    activities: pd.DataFrame | None = None,
    assignments: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
    on_invalid: OnInvalid = "raise",
    stages: Sequence[str] | None = None,
    returns: pd.DataFrame | None = None,
    plan_metric: str = "sales_volume",
) -> SalesData:
    """Validate in-memory tables exactly as :func:`load` validates files.

    Row numbers in error messages (and in ``data.quarantine``) are 1-based positions in each frame;
    ``stages`` is the leads' stages in their order, as in :func:`load`.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": [1, 2], "manager": ["ann", "bob"], "customer_id": ["c1", "c2"],
    ...                        "ordered_at": ["2026-07-01", "2026-08-15"], "amount": [100.0, -250.0]})
    >>> from_frames(orders.head(1)).manager_ids
    ['ann']
    >>> data = from_frames(orders, on_invalid="quarantine")
    >>> data.manager_ids, data.quarantine[["row", "column", "rule"]].values.tolist()
    (['ann'], [[2, 'amount', 'amount is negative']])
    """
    _check_on_invalid(on_invalid)
    checked = check_stages(stages, where="stages=")
    given = {"orders": orders, "leads": leads, "plans": plans, "managers": managers}
    given["activities"] = activities
    given["assignments"] = assignments
    given["returns"] = returns
    check_plan_metric(plan_metric)
    for name, frame in given.items():
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise ParameterError(
                f"{name} must be a pandas DataFrame, got {type(frame).__name__}. Fix: pass a DataFrame "
                f"with the {name} table's columns (see README, 'Data contract'), e.g. pd.read_csv(...)."
            )
    raws = {
        name: frame_table(name, frame, source=f"<{name} frame>")
        for name, frame in given.items()
        if frame is not None
    }
    parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
    staged = _staged(raws)
    del raws  # the staged tables alone hold the frames as read: validation frees them table by table
    with sharing_plan_codes():
        data = _validate(
            staged,
            fiscal_year_start=fiscal_year_start,
            source="<memory>",
            on_invalid=on_invalid,
            stages=checked,
        )
        _keep_plan_codes(data)
    return with_plan_metric(data, plan_metric)
