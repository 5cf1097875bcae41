"""Loading and validating a sales data set: :func:`load` (a folder, or an export through a mapping) and
:func:`from_frames` (in memory).

Every path goes through the same steps: read (or build through a mapping) the contract's tables as text with
the rows numbered as the user sees them (:class:`~kpi_toolkit.reading.StagedData`), type the cells
(:mod:`kpi_toolkit.parsing`), check the row and cross-table rules (:mod:`kpi_toolkit.validation`), and then
either raise every broken rule at once or set the invalid rows aside (:mod:`kpi_toolkit.quarantine`): those
steps are :mod:`kpi_toolkit.validated_data`'s; the result is a :class:`~kpi_toolkit.data.SalesData`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.data_options import _dataset_options, check_plan_metric, with_plan_metric
from kpi_toolkit.engines import EngineName, check_engine
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.mapping import apply_mapping, read_mapping
from kpi_toolkit.mapping.database import Database, contract_tables, is_database_url
from kpi_toolkit.periods import parse_period
from kpi_toolkit.plan_codes import shared_plan_codes, sharing_plan_codes
from kpi_toolkit.reading import find_table_files, frame_table, read_table
from kpi_toolkit.row_rules import check_stages
from kpi_toolkit.validated_data import (
    ROW_COUNT_COLUMNS,
    OnInvalid,
    _check_on_invalid,
    _staged,
    _staged_files,
    _validate,
)

__all__ = ["from_frames", "load"]


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
        fiscal_year_start, stages = _folder_options(folder, fiscal_year_start, stages)
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
        fiscal_year_start, stages = _folder_options(folder, fiscal_year_start, stages)
        staged = _staged_files({name: partial(read_table, name, path) for name, path in files.items()})
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
        fiscal_year_start, stages = _folder_options(folder, fiscal_year_start, stages)
    parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
    staged = apply_mapping(
        spec, folder, allow_outside_data=allow_outside_data, keep_originals=on_invalid == "quarantine"
    )
    validated = _validate(
        staged,
        fiscal_year_start=fiscal_year_start,
        source=f"{folder} (mapping {spec.path})",
        on_invalid=on_invalid,
        stages=stages,
    )
    return validated, spec.plan_metric


def _folder_options(
    folder: Path, fiscal_year_start: int | None, stages: Sequence[str] | None
) -> tuple[int, Sequence[str] | None]:
    """``fiscal_year_start`` and ``stages`` as given, else from the folder's ``dataset.yml`` (read and checked
    either way); the fiscal year's first month is checked."""
    options = _dataset_options(folder)
    if fiscal_year_start is None:
        fiscal_year_start = int(options.get("fiscal_year_start", 1))
    if stages is None:
        stages = check_stages(options.get("stages"), where="dataset.yml: stages")
    parse_period("2026", fiscal_year_start=fiscal_year_start, name="fiscal_year_start")
    return fiscal_year_start, stages


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
        staged = (
            apply_mapping(spec, None, database=database, keep_originals=on_invalid == "quarantine")
            if spec
            else contract_tables(database)
        )
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
