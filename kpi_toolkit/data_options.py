"""Options of a data set: the folder's ``dataset.yml`` (:data:`DATASET_FILE`) and the KPI its plan is measured
on (``plan_metric``).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.reading import read_file_bytes
from kpi_toolkit.row_rules import check_stages
from kpi_toolkit.schema import PLAN_ATTAINMENT_METRICS

__all__ = ["DATASET_FILE", "check_plan_metric", "with_plan_metric"]

#: Optional file in a data-set folder with options of the data set (``fiscal_year_start: 7``).
DATASET_FILE = "dataset.yml"


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
