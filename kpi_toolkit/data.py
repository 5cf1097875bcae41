"""Loading and validating a sales data set: :func:`load` (a folder) and :func:`from_frames` (in memory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd
import yaml

from kpi_toolkit.aggregate import monthly_stats
from kpi_toolkit.errors import DataValidationError, ParameterError
from kpi_toolkit.parsing import parse_table
from kpi_toolkit.periods import Period, parse_period
from kpi_toolkit.plans import PlanBook, check_plan_consistency
from kpi_toolkit.reading import ROW, RawTable, find_table_files, frame_table, read_table
from kpi_toolkit.validation import check_references, check_rows

__all__ = ["DATASET_FILE", "ROW_COUNT_COLUMNS", "SalesData", "from_frames", "load"]

#: Optional file in a data-set folder with options of the data set (``fiscal_year_start: 7``).
DATASET_FILE = "dataset.yml"
ROW_COUNT_COLUMNS = ("table", "source", "rows_read", "rows_used", "rows_excluded")


@dataclass(frozen=True, eq=False)
class SalesData:
    """A validated sales data set: the contract's tables as typed pandas frames.

    Build it with :func:`load` or :func:`from_frames`, never by hand. ``leads``, ``plans`` and ``managers``
    are ``None`` when the data set has no such table. ``row_counts`` says, per table, how many rows were
    read, used and excluded (rows read = rows used + rows excluded).
    """

    orders: pd.DataFrame
    leads: pd.DataFrame | None = None
    plans: pd.DataFrame | None = None
    managers: pd.DataFrame | None = None
    fiscal_year_start: int = 1
    source: str = "<memory>"
    row_counts: pd.DataFrame = field(default_factory=pd.DataFrame)

    @cached_property
    def manager_ids(self) -> list[str]:
        """Every manager, sorted: the managers table when given, else all ids in orders, leads and plans."""
        if self.managers is not None:
            return sorted(self.managers["manager"])
        ids: set[str] = set(self.orders["manager"])
        for table in (self.leads, self.plans):
            if table is not None:
                ids.update(table["manager"])
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
        info["name"] = info["name"].fillna(pd.Series(info.index, index=info.index))
        return info

    @cached_property
    def teams(self) -> list[str]:
        """The team names, sorted."""
        return sorted(self.manager_info["team"].dropna().unique())

    def managers_of(self, team: str | None) -> list[str]:
        """The managers of ``team`` (every manager when ``None``), sorted by id."""
        if team is None or team == "":
            return list(self.manager_ids)
        if team not in self.teams:
            known = ", ".join(self.teams) or "none (the data set has no managers table with teams)"
            raise ParameterError(f"team={team!r} is not a team of this data set. Known teams: {known}.")
        info = self.manager_info
        return sorted(info.index[info["team"] == team])

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """Per-manager, per-month sums and counts (see :func:`kpi_toolkit.aggregate.monthly_stats`)."""
        return monthly_stats(self.orders, self.leads)

    @cached_property
    def plan_book(self) -> PlanBook:
        return PlanBook(self.plans, fiscal_year_start=self.fiscal_year_start)

    @cached_property
    def first_date(self) -> pd.Timestamp:
        """The earliest order date: where the data's history starts."""
        return pd.Timestamp(self.orders["ordered_at"].min())

    @cached_property
    def last_date(self) -> pd.Timestamp:
        """The latest date in orders and leads (``data as of``)."""
        dates = [self.orders["ordered_at"].max()]
        if self.leads is not None:
            dates += [self.leads["created_at"].max(), self.leads["closed_at"].max()]
        return pd.Timestamp(max(d for d in dates if pd.notna(d)))

    def period(self, label: str | Period, *, name: str = "period") -> Period:
        """Parse a period label with this data set's fiscal year."""
        return parse_period(label, fiscal_year_start=self.fiscal_year_start, name=name)


def _dataset_options(folder: Path) -> dict[str, int]:
    path = folder / DATASET_FILE
    if not path.exists():
        return {}
    options = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(options) - {"fiscal_year_start"} if isinstance(options, dict) else {"<not a mapping>"}
    if unknown:
        raise ParameterError(
            f"{path}: unknown option(s) {sorted(unknown)}. Fix: the only option is fiscal_year_start (1-12)."
        )
    return options


def _validate(raws: dict[str, RawTable], *, fiscal_year_start: int, source: str) -> SalesData:
    violations = []
    typed: dict[str, pd.DataFrame] = {}
    for name, raw in raws.items():
        frame, problems = parse_table(raw)
        violations += problems
        if not any(p.rule.startswith("required column") for p in problems):
            violations += check_rows(name, frame, source=raw.source, fiscal_year_start=fiscal_year_start)
            typed[name] = frame
    sources = {name: raw.source for name, raw in raws.items()}
    if not violations and "plans" in typed:
        violations += check_plan_consistency(
            typed["plans"], source=sources["plans"], fiscal_year_start=fiscal_year_start
        )
    if not violations:
        violations += check_references(typed, sources)
    if violations:
        raise DataValidationError(violations)
    if "plans" in typed:
        plans = typed["plans"]
        labels = {
            p: str(parse_period(p, fiscal_year_start=fiscal_year_start)) for p in plans["period"].unique()
        }
        typed["plans"] = plans.assign(period=plans["period"].map(labels).astype("string"))
    counts = pd.DataFrame(
        [(name, raw.source, len(raw.frame), len(raw.frame), 0) for name, raw in raws.items()],
        columns=list(ROW_COUNT_COLUMNS),
    )
    tables = {name: frame.drop(columns=[ROW]).reset_index(drop=True) for name, frame in typed.items()}
    return SalesData(
        orders=tables["orders"],
        leads=tables.get("leads"),
        plans=tables.get("plans"),
        managers=tables.get("managers"),
        fiscal_year_start=fiscal_year_start,
        source=source,
        row_counts=counts,
    )


def load(folder: str | Path, *, fiscal_year_start: int | None = None) -> SalesData:
    """Load and validate a data-set folder (one CSV or Parquet file per table).

    Parameters
    ----------
    folder
        Folder holding ``orders.csv`` (or ``.parquet``) and optionally ``leads``, ``plans`` and ``managers``.
    fiscal_year_start
        Month (1-12) in which the fiscal year starts. ``None`` takes it from the folder's ``dataset.yml``
        (key ``fiscal_year_start``), or 1 (the calendar year) when there is none.

    Returns
    -------
    SalesData
        The validated tables.

    Raises
    ------
    DataValidationError
        When any table breaks the data contract; the message lists every broken rule with the file, the
        column, the rows (as numbered in the file: the header is line 1) and the fix. Nothing is dropped.
    ParameterError
        When the folder does not exist or holds two files for one table.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "orders.csv").write_text(
    ...     "order_id,manager,customer_id,ordered_at,amount\\n1,ann,c1,2026-07-01,100\\n")
    >>> data = load(folder)
    >>> data.manager_ids, float(data.orders["amount"].sum())
    (['ann'], 100.0)
    """
    folder = Path(folder)
    files = find_table_files(folder)
    if fiscal_year_start is None:
        fiscal_year_start = int(_dataset_options(folder).get("fiscal_year_start", 1))
    parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
    raws = {name: read_table(name, path) for name, path in files.items()}
    return _validate(raws, fiscal_year_start=fiscal_year_start, source=str(folder))


def from_frames(
    orders: pd.DataFrame,
    *,
    leads: pd.DataFrame | None = None,
    plans: pd.DataFrame | None = None,
    managers: pd.DataFrame | None = None,
    fiscal_year_start: int = 1,
) -> SalesData:
    """Validate in-memory tables exactly as :func:`load` validates files.

    Row numbers in error messages are 1-based positions in each frame.

    Examples
    --------
    >>> orders = pd.DataFrame({"order_id": [1, 2], "manager": ["ann", "bob"], "customer_id": ["c1", "c2"],
    ...                        "ordered_at": ["2026-07-01", "2026-08-15"], "amount": [100.0, 250.0]})
    >>> from_frames(orders).manager_ids
    ['ann', 'bob']
    """
    given = {"orders": orders, "leads": leads, "plans": plans, "managers": managers}
    raws = {
        name: frame_table(name, frame, source=f"<{name} frame>")
        for name, frame in given.items()
        if frame is not None
    }
    parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
    return _validate(raws, fiscal_year_start=fiscal_year_start, source="<memory>")
