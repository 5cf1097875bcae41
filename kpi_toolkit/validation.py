"""The contract's rules beyond a cell's type: unique ids, the order of dates, references between tables.

Each row rule is a Narwhals expression that is true on a violating row, so the same rule runs on any
engine Narwhals supports: on pandas here, as a query on DuckDB or Spark. A violation reports the file, the
column, the row numbers as the user sees them (first few and a count) and how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import narwhals as nw
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kpi_toolkit.errors import ParameterError, Violation
from kpi_toolkit.plan_codes import PlanCodes, plan_codes
from kpi_toolkit.reading import ROW
from kpi_toolkit.schema import PLAN_METRICS

__all__ = [
    "MANAGER_TABLES",
    "ROW_RULES",
    "UNKNOWN_LEAD",
    "RowRule",
    "check_assignments",
    "check_manager_spellings",
    "check_order_dates",
    "check_plan_teams",
    "check_references",
    "check_returns",
    "check_rows",
    "check_stages",
    "row_rules",
    "spelling_groups",
    "spelling_rule",
    "unknown_managers_rule",
]


@dataclass(frozen=True)
class RowRule:
    """A rule that flags individual rows of one table."""

    table: str
    column: str
    rule: str
    fix: str
    violated: Callable[[], nw.Expr]
    needs: tuple[str, ...] = ()
    #: For a uniqueness rule, the columns whose values must be unique together: lazy engines check it with a
    #: group-by (cheaper than the window of ``violated`` on millions of rows).
    unique: tuple[str, ...] = ()
    #: Plans: whether no row can break the rule, judged on the plan's integer codes
    #: (:mod:`kpi_toolkit.plan_codes`): when it says so, the rule's pass over the frame is skipped.
    clean: Callable[[PlanCodes], bool] | None = None


def _duplicated(*columns: str) -> Callable[[], nw.Expr]:
    return lambda: nw.len().over(*columns) > 1


ROW_RULES: tuple[RowRule, ...] = (
    RowRule(
        "orders",
        "order_id",
        "order_id is not unique",
        "give every order its own id, or remove the repeated rows",
        _duplicated("order_id"),
        unique=("order_id",),
    ),
    RowRule(
        "orders",
        "amount",
        "amount is negative",
        "amounts are revenue >= 0; record returns and credit notes in the returns table",
        lambda: nw.col("amount") < 0,
    ),
    RowRule(
        "orders",
        "cost",
        "cost is negative",
        "cost is the cost of goods of the order, >= 0",
        lambda: nw.col("cost") < 0,
    ),
    RowRule(
        "orders",
        "discount",
        "discount is outside 0-1",
        "write the discount as a fraction, e.g. 0.15 for 15 %",
        lambda: (nw.col("discount") < 0) | (nw.col("discount") > 1),
    ),
    RowRule(
        "orders",
        "lines",
        "lines is below 1",
        "lines counts the items of the order (>= 1)",
        lambda: nw.col("lines") < 1,
    ),
    RowRule(
        "leads",
        "lead_id",
        "lead_id is not unique",
        "give every lead its own id",
        _duplicated("lead_id"),
        unique=("lead_id",),
    ),
    RowRule(
        "leads",
        "created_at",
        "created_at is empty on a won or lost lead",
        "fill in when the lead was created; only open leads may lack it",
        lambda: nw.col("created_at").is_null() & (nw.col("status") != "open"),
    ),
    RowRule(
        "leads",
        "closed_at",
        "closed_at is empty on a won or lost lead",
        "fill in when the lead was won or lost",
        lambda: nw.col("closed_at").is_null() & (nw.col("status") != "open"),
    ),
    RowRule(
        "leads",
        "closed_at",
        "closed_at is set on an open lead",
        "clear closed_at, or set the status to won or lost",
        lambda: ~nw.col("closed_at").is_null() & (nw.col("status") == "open"),
    ),
    RowRule(
        "leads",
        "closed_at",
        "closed_at is before created_at",
        "check both dates",
        lambda: nw.col("closed_at") < nw.col("created_at"),
    ),
    RowRule(
        "leads",
        "expected_amount",
        "expected_amount is negative",
        "the expected deal value is >= 0; leave the cell empty when unknown",
        lambda: nw.col("expected_amount") < 0,
    ),
    RowRule(
        "plans",
        "metric",
        f"unknown metric; allowed: {', '.join(PLAN_METRICS)}",
        "use one of the allowed metric names",
        lambda: ~nw.col("metric").is_in(PLAN_METRICS),
        clean=lambda codes: bool(codes.metrics.isin(PLAN_METRICS).all()),
    ),
    RowRule(
        "plans",
        "target",
        "target is negative",
        "targets are >= 0",
        lambda: nw.col("target") < 0,
        clean=lambda codes: not (codes.target < 0).any(),
    ),
    RowRule(
        "plans",
        "target",
        "a conversion target is above 1",
        "write conversion targets as a fraction, e.g. 0.25 for 25 %",
        lambda: (nw.col("metric") == "conversion") & (nw.col("target") > 1),
        clean=lambda codes: (
            "conversion" not in codes.metrics
            or not ((codes.metric == codes.metrics.get_loc("conversion")) & (codes.target > 1)).any()
        ),
    ),
    RowRule(
        "plans",
        "metric",
        "the same manager, period and metric appear more than once",
        "keep one target per manager, period and metric",
        lambda: ~nw.col("manager").is_null() & (nw.len().over("manager", "period", "metric") > 1),
        unique=("manager", "team", "period", "metric"),
        clean=lambda codes: _plan_keys_distinct(codes),
    ),
    RowRule(
        "plans",
        "metric",
        "the same team, period and metric appear more than once",
        "keep one target per team, period and metric",
        lambda: ~nw.col("team").is_null() & (nw.len().over("team", "period", "metric") > 1),
        unique=("manager", "team", "period", "metric"),
        clean=lambda codes: _plan_keys_distinct(codes),
    ),
    RowRule(
        "plans",
        "manager",
        "neither manager nor team is set",
        "name the manager whose target it is, or the team for a team's own target",
        lambda: nw.col("manager").is_null() & nw.col("team").is_null(),
        clean=lambda codes: not ((codes.manager < 0) & (codes.team < 0)).any(),
    ),
    RowRule(
        "plans",
        "team",
        "both manager and team are set",
        "leave team empty on a manager's target (a manager's team comes from the managers table), or "
        "manager empty on a team's own target",
        lambda: ~nw.col("manager").is_null() & ~nw.col("team").is_null(),
        clean=lambda codes: not ((codes.manager >= 0) & (codes.team >= 0)).any(),
    ),
    RowRule(
        "managers",
        "manager",
        "manager is not unique",
        "list every manager once",
        _duplicated("manager"),
        unique=("manager",),
    ),
    RowRule(
        "managers",
        "left_at",
        "left_at is before hired_at",
        "check both dates: left_at is the last day employed, on or after hired_at",
        lambda: nw.col("left_at") < nw.col("hired_at"),
    ),
    RowRule(
        "assignments",
        "valid_from",
        "the same manager and valid_from appear more than once (overlapping assignments)",
        "keep one team per manager and day: a manager is in one team at a time",
        _duplicated("manager", "valid_from"),
        unique=("manager", "valid_from"),
    ),
    RowRule(
        "returns",
        "return_id",
        "return_id is not unique",
        "give every return its own id, or remove the repeated rows",
        _duplicated("return_id"),
        unique=("return_id",),
    ),
    RowRule(
        "returns",
        "amount",
        "amount is not positive",
        "a return credits revenue: write its amount as a positive number (not negative); drop empty returns",
        lambda: nw.col("amount") <= 0,
    ),
    RowRule(
        "returns",
        "cost",
        "cost is negative",
        "cost is the cost of goods taken back, >= 0; leave it empty to use the order's cost ratio",
        lambda: nw.col("cost") < 0,
    ),
    RowRule(
        "returns",
        "manager",
        "both order_id and manager are empty",
        "name the order returned, or the manager the return belongs to when it has no order",
        lambda: nw.col("order_id").is_null() & nw.col("manager").is_null(),
    ),
    RowRule(
        "activities",
        "duration_min",
        "duration_min is negative",
        "durations are minutes >= 0; leave the cell empty when unknown",
        lambda: nw.col("duration_min") < 0,
    ),
)


def check_stages(stages: object, *, where: str) -> tuple[str, ...] | None:
    """The data set's ``stages`` setting, checked: ``None``, or distinct non-empty texts in their order.

    ``where`` names the setting in the error (``"stages="``, ``"dataset.yml: stages"``, ...).

    Examples
    --------
    >>> check_stages(["Qualified", " Proposal "], where="stages=")
    ('Qualified', 'Proposal')
    """
    if stages is None:
        return None
    fix = "list the stages in their order, first to last, e.g. stages: [Qualified, Proposal, Negotiation]"
    if isinstance(stages, (str, bytes)) or not hasattr(stages, "__iter__"):
        raise ParameterError(f"{where} {str(stages)[:60]!r} is not a list of stage names. Fix: {fix}.")
    names = tuple(str(s).strip() if isinstance(s, (str, int, float)) else "" for s in stages)  # type: ignore[union-attr]
    if not names or any(not n for n in names):
        raise ParameterError(f"{where} holds an empty or non-text stage name (or none). Fix: {fix}.")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ParameterError(f"{where} names {', '.join(repeated)} more than once. Fix: {fix}, each once.")
    return names


def stage_rule(stages: tuple[str, ...]) -> RowRule:
    """The leads rule of a data set with ``stages``: every non-empty ``stage`` is one of them."""
    allowed = list(stages)
    shown = ", ".join(allowed)
    return RowRule(
        "leads",
        "stage",
        f"stage is not one of the data set's stages ({shown[:300]})",
        "write one of the listed stages (same spelling), or add the stage to the data set's stages setting "
        "(kt.load(stages=...), stages: in the mapping or dataset.yml) in its place in the order",
        lambda: ~nw.col("stage").is_null() & ~nw.col("stage").is_in(allowed),
    )


def row_rules(table: str, stages: tuple[str, ...] | None = None) -> tuple[RowRule, ...]:
    """The row rules of ``table``: :data:`ROW_RULES`, and the stage rule for leads when stages are set."""
    rules = tuple(rule for rule in ROW_RULES if rule.table == table)
    if table == "leads" and stages:
        rules += (stage_rule(stages),)
    return rules


def _violation(table: str, source: str, column: str, rule: str, fix: str, hits: pd.DataFrame) -> Violation:
    hits = hits.sort_values(ROW)
    examples = hits[column].astype("string").dropna().head(3).tolist() if column in hits else []
    return Violation(
        table=table,
        source=source,
        column=column,
        rule=rule,
        rows=tuple(int(r) for r in hits[ROW]),
        n_rows=len(hits),
        examples=tuple(str(e) for e in examples),
        fix=fix,
    )


def check_rows(
    table: str,
    frame: pd.DataFrame,
    *,
    source: str,
    fiscal_year_start: int,
    raw: pd.DataFrame | None = None,
    stages: tuple[str, ...] | None = None,
) -> list[Violation]:
    """Apply the row rules of ``table`` to its typed ``frame``; plans' period labels are checked here too.

    ``raw``, the table as read (before typing), lets a uniqueness rule check integer ids as integers;
    ``stages``, the data set's stages, adds the rule that a lead's stage is one of them.
    """
    violations = []
    codes = None
    if table == "plans":  # coded once: these rules, the consistency check and the plan book share the codes
        codes = plan_codes(frame, fiscal_year_start=fiscal_year_start)
        unlabelled = (codes.period >= 0) & (codes.kind < 0)
        if unlabelled.any():
            violations.append(
                _violation(
                    table,
                    source,
                    "period",
                    "period is not a period label",
                    "write a quarter as 2026Q3, a month as 2026-07 or a year as 2026",
                    frame[unlabelled],
                )
            )
    native = nw.from_native(frame, eager_only=True)
    for rule in row_rules(table, stages):
        if codes is not None and rule.clean is not None and rule.clean(codes):
            continue  # no row can break it, by the codes: skip the rule's pass over the frame
        if rule.unique and _all_distinct(frame, rule.unique, raw):
            continue  # no row can break it: skip the rule's window over every id
        hits = native.filter(rule.violated().fill_null(value=False)).to_native()
        if len(hits):
            violations.append(_violation(table, source, rule.column, rule.rule, rule.fix, hits))
    return violations


def _plan_keys_distinct(codes: PlanCodes) -> bool:
    """Whether no two plan rows share manager, team, period and metric: one integer per row packing the four
    codes (missing ones as 0), then a count per value (a bitmap when the codes span little) or a hash pass."""
    key = np.zeros(len(codes), dtype=np.int64)
    span = 1
    for part, names in (
        (codes.manager, codes.managers),
        (codes.team, codes.teams),
        (codes.period, codes.labels),
        (codes.metric, codes.metrics),
    ):
        size = len(names) + 1
        if span > (1 << 62) // size:
            return (
                not pd.DataFrame(
                    {
                        "manager": codes.manager,
                        "team": codes.team,
                        "period": codes.period,
                        "metric": codes.metric,
                    }
                )
                .duplicated()
                .any()
            )
        key = key * size + (part + 1)
        span *= size
    if span <= 4 * len(key) + (1 << 20):
        return len(key) == 0 or int(np.bincount(key, minlength=1).max()) <= 1
    return bool(pd.Index(key).is_unique)


def _all_distinct(frame: pd.DataFrame, keys: tuple[str, ...], raw: pd.DataFrame | None = None) -> bool:
    """Whether no two rows share ``keys`` (so no uniqueness rule flags a row): one hash pass, no window.

    One key: its present values all differ and at most one is missing, by one hash pass in Arrow (text ids,
    UUIDs and integers alike); ids that the file stores as integers (Parquet) are checked as integers, the
    text of an integer being unique to it (increasing ones, as most exports write them, with no hashing at
    all). Several keys: pandas' hashing of the rows (``duplicated``).
    """
    if len(keys) > 1:
        return not frame.duplicated(list(keys)).any()
    key = keys[0]
    numbers = None if raw is None or key not in raw else raw[key]
    if numbers is not None and numbers.dtype.kind in "iu":
        values = numbers.to_numpy()
        return bool((values[1:] > values[:-1]).all()) or bool(numbers.is_unique)
    array = pa.array(frame[key], from_pandas=True)
    present = array.drop_null()
    return array.null_count <= 1 and len(pc.unique(present)) == len(present)  # half count_distinct's CPU


def _spelling(manager: str) -> str:
    return " ".join(manager.split()).casefold()


#: The rule and the fix of an order whose ``lead_id`` is not a lead of the leads table.
UNKNOWN_LEAD = (
    "lead_id not found in the leads table",
    "correct the lead_id, leave it empty, or add the lead",
)


#: Tables with a ``manager`` column: spelt one way and (but ``managers``) in the managers table; this order.
MANAGER_TABLES = ("managers", "orders", "leads", "plans", "returns", "activities", "assignments")


def spelling_groups(ids: set[str]) -> dict[str, set[str]]:
    """Manager ids grouped by their spelling without case and inner spaces; only groups of two or more."""
    groups: dict[str, set[str]] = {}
    for manager in ids:
        groups.setdefault(_spelling(manager), set()).add(manager)
    return {key: group for key, group in groups.items() if len(group) > 1}


def spelling_rule(hit: set[str], groups: dict[str, set[str]]) -> tuple[str, str]:
    """The rule and the fix for the clashing ids ``hit`` of a table (``groups``: :func:`spelling_groups`)."""
    spellings = sorted({tuple(sorted(groups[_spelling(m)])) for m in hit})
    shown = "; ".join(" and ".join(repr(m) for m in group) for group in spellings[:5])
    return (
        f"manager ids that differ only in case or spaces: {shown}",
        "write each manager's id the same way in every table (ids are compared exactly)",
    )


def unknown_managers_rule(names: list[str], managers_source: str) -> tuple[str, str]:
    """The rule and the fix for managers (sorted ``names``) missing from the managers table."""
    return (
        f"unknown manager(s) {names[:10]}{' ...' if len(names) > 10 else ''}: not in the managers table",
        f"add them to {managers_source} or correct the ids",
    )


def check_manager_spellings(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """Flag manager ids that differ only in case or inner spaces (``ann`` and ``ANN``) across all tables.

    Ids are compared exactly, so such ids would silently count as two managers; they are an error instead.
    """
    ids: set[str] = set()
    for table in MANAGER_TABLES:
        if table in frames:
            ids.update(frames[table]["manager"].dropna().unique())
    groups = spelling_groups(ids)
    clashing = {m for group in groups.values() for m in group}
    violations = []
    for table in MANAGER_TABLES:
        if table not in frames or not clashing:
            continue
        frame = frames[table]
        hits = frame[frame["manager"].isin(clashing)]
        if len(hits):
            rule, fix = spelling_rule(set(hits["manager"].unique()), groups)
            violations.append(_violation(table, sources[table], "manager", rule, fix, hits))
    return violations


def _isin(values: pd.Series, allowed: pd.Series) -> pd.Series:
    """``values.isin(allowed)`` for text columns, through Arrow: pandas' own loops in Python (30x slower)."""
    found = pc.is_in(
        pa.array(values.astype("string"), from_pandas=True),
        value_set=pa.array(allowed.astype("string"), from_pandas=True).drop_null(),  # repeats are harmless
    )
    return pd.Series(found.to_numpy(zero_copy_only=False), index=values.index, dtype=bool)


def check_assignments(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """Team moves inside the employment: no ``valid_from`` before ``hired_at`` or after ``left_at``."""
    if "assignments" not in frames or "managers" not in frames:
        return []
    moves, managers = frames["assignments"], frames["managers"].set_index("manager")
    hired = moves["manager"].map(managers["hired_at"]).astype("datetime64[ns]")
    left = moves["manager"].map(managers["left_at"]).astype("datetime64[ns]")
    day = moves["valid_from"].dt.normalize()
    hits = moves[(day < hired.dt.normalize()) | (day > left.dt.normalize())]
    if not len(hits):
        return []
    return [
        _violation(
            "assignments",
            sources["assignments"],
            "valid_from",
            "valid_from is outside the manager's employment (before hired_at or after left_at)",
            "move the date inside the employment, or correct hired_at / left_at in the managers table",
            hits,
        )
    ]


def check_plan_teams(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """A team's target (a plan row naming a ``team``) names a team of the managers table or assignments."""
    violations: list[Violation] = []
    plans = frames.get("plans")
    if plans is not None and "team" in plans and plans["team"].notna().any():
        teams = frames["managers"]["team"] if "managers" in frames else pd.Series([], dtype="string")
        if "assignments" in frames:
            teams = pd.concat([teams.astype("string"), frames["assignments"]["team"].astype("string")])
        hits = plans[plans["team"].notna() & ~_isin(plans["team"], teams)]
        if len(hits):
            names = sorted(hits["team"].astype(str).unique())
            violations.append(
                _violation(
                    "plans",
                    sources["plans"],
                    "team",
                    f"unknown team(s) {names[:10]}: no manager of the managers table is in them",
                    "correct the team's name as the managers table spells it, or add the managers table "
                    "with each manager's team",
                    hits,
                )
            )
    return violations


def check_references(frames: dict[str, pd.DataFrame], sources: dict[str, str]) -> list[Violation]:
    """Cross-table rules: manager ids spelt one way; every manager in ``managers``; known lead_ids; team moves
    inside the employment."""
    violations = check_manager_spellings(frames, sources) + check_assignments(frames, sources)
    violations += check_plan_teams(frames, sources)
    if "managers" in frames:
        known = frames["managers"]["manager"]
        for table in MANAGER_TABLES[1:]:
            if table not in frames:
                continue
            frame = frames[table]
            hits = frame[frame["manager"].notna() & ~_isin(frame["manager"], known)]
            if len(hits):
                rule, fix = unknown_managers_rule(sorted(hits["manager"].unique()), sources["managers"])
                violations.append(_violation(table, sources[table], "manager", rule, fix, hits))
    if "leads" in frames and frames["orders"]["lead_id"].notna().any():
        orders = frames["orders"]
        hits = orders[orders["lead_id"].notna() & ~_isin(orders["lead_id"], frames["leads"]["lead_id"])]
        if len(hits):
            violations.append(_violation("orders", sources["orders"], "lead_id", *UNKNOWN_LEAD, hits))
    activities = frames.get("activities")
    if "leads" in frames and activities is not None and activities["lead_id"].notna().any():
        known_lead = _isin(activities["lead_id"], frames["leads"]["lead_id"])
        hits = activities[activities["lead_id"].notna() & ~known_lead]
        if len(hits):
            violations.append(_violation("activities", sources["activities"], "lead_id", *UNKNOWN_LEAD, hits))
    if "managers" in frames:
        violations += check_order_dates(frames["orders"], frames["managers"], source=sources["orders"])
        if "leads" in frames:
            violations += check_lead_dates(frames["leads"], frames["managers"], source=sources["leads"])
    if "returns" in frames:
        wanted = frames["returns"]["order_id"].dropna()
        orders = frames["orders"]
        returned = orders.loc[_isin(orders["order_id"], wanted)] if len(wanted) else orders.iloc[:0]
        violations += check_returns(frames["returns"], returned, source=sources["returns"])
    return violations


#: The rule and the fix of an order dated outside its manager's employment.
OUTSIDE_EMPLOYMENT = (
    "ordered_at is outside the manager's employment (before hired_at or after left_at)",
    "correct the order's manager or date, or hired_at / left_at in the managers table (an order outside "
    "the employment would count in no period's KPIs)",
)


#: The rules and fixes of a lead dated outside its manager's employment: closed (``closed_at``, the day
#: that credits it in the KPIs) before ``hired_at`` or after ``left_at``, or created after ``left_at``. A
#: lead created before ``hired_at`` and closed inside the employment is fine (handed over to a new rep).
LEAD_OUTSIDE_EMPLOYMENT = {
    "closed_at": (
        "closed_at is outside the manager's employment (before hired_at or after left_at)",
        "give the lead to the manager who closed it, or correct its date or hired_at / left_at in the "
        "managers table (a lead closed outside the employment would count in no period's conversion)",
    ),
    "created_at": (
        "created_at is after the manager's left_at",
        "give the lead to the manager who took it, or correct its date or left_at in the managers table",
    ),
}


def employment_dates(managers: pd.DataFrame) -> pd.DataFrame | None:
    """``manager, _hired, _until`` of the managers with a ``hired_at`` or ``left_at`` (``_until``: the day
    after ``left_at``); ``None`` when nobody has one."""
    if "hired_at" not in managers or "left_at" not in managers:
        return None
    dated = managers[managers["hired_at"].notna() | managers["left_at"].notna()]
    if not len(dated):
        return None
    return pd.DataFrame(
        {
            "manager": dated["manager"].astype("string").to_numpy(),
            "_hired": dated["hired_at"]
            .dt.normalize()
            .fillna(pd.Timestamp("1678-01-01"))
            .astype("datetime64[ns]")
            .to_numpy(),
            "_until": (dated["left_at"].dt.normalize() + pd.Timedelta(days=1))
            .fillna(pd.Timestamp("2262-01-01"))
            .astype("datetime64[ns]")
            .to_numpy(),
        }
    )


def _employment_of(rows: pd.DataFrame, managers: pd.DataFrame) -> tuple[pd.Series, pd.Series] | None:
    """Each row's manager's first day employed and first day no longer employed (None without dates)."""
    dates = employment_dates(managers)
    if dates is None:
        return None
    keyed = dates.set_index("manager")
    manager = rows["manager"].astype("string")
    return (
        manager.map(keyed["_hired"]).astype("datetime64[ns]"),
        manager.map(keyed["_until"]).astype("datetime64[ns]"),
    )


def check_order_dates(orders: pd.DataFrame, managers: pd.DataFrame, *, source: str) -> list[Violation]:
    """Orders dated outside their manager's employment (they would silently count in no period)."""
    bounds = _employment_of(orders, managers)
    if bounds is None:
        return []
    hired, until = bounds
    hits = orders[(orders["ordered_at"] < hired) | (orders["ordered_at"] >= until)]
    return [_violation("orders", source, "ordered_at", *OUTSIDE_EMPLOYMENT, hits)] if len(hits) else []


def check_lead_dates(leads: pd.DataFrame, managers: pd.DataFrame, *, source: str) -> list[Violation]:
    """Leads dated outside their manager's employment (:data:`LEAD_OUTSIDE_EMPLOYMENT`)."""
    bounds = _employment_of(leads, managers)
    if bounds is None:
        return []
    hired, until = bounds
    outside = {
        "closed_at": (leads["closed_at"] < hired) | (leads["closed_at"] >= until),
        "created_at": leads["created_at"] >= until,
    }
    return [
        _violation("leads", source, column, *LEAD_OUTSIDE_EMPLOYMENT[column], leads[flag])
        for column, flag in outside.items()
        if flag.any()
    ]


def check_returns(returns: pd.DataFrame, orders: pd.DataFrame, *, source: str) -> list[Violation]:
    """The rules between returns and their orders (``orders``: at least the orders the returns name).

    A return's ``order_id`` must be an order; when it names a ``manager`` too, the order's; it is not booked
    before its order; and the returns of one order never credit more than the order's amount.
    """
    linked = returns[returns["order_id"].notna()]
    if not len(linked):
        return []
    keyed = orders.loc[:, ["order_id", "manager", "ordered_at", "amount"]].astype({"order_id": "string"})
    joined = linked.astype({"order_id": "string"}).merge(
        keyed, on="order_id", how="left", suffixes=("", "_order"), indicator=True
    )
    joined.index = linked.index
    known = joined["_merge"] == "both"
    violations = []
    unknown = linked[~known]
    if len(unknown):
        violations.append(
            _violation(
                "returns",
                source,
                "order_id",
                "order_id not found in the orders table",
                "correct the order_id, or leave it empty and name the manager",
                unknown,
            )
        )
    clash = joined[known & joined["manager"].notna() & (joined["manager"] != joined["manager_order"])]
    if len(clash):
        pairs = sorted(
            {(str(a), str(b)) for a, b in zip(clash["manager"], clash["manager_order"], strict=True)}
        )
        shown = "; ".join(f"{a!r} on the return, {b!r} on the order" for a, b in pairs[:3])
        violations.append(
            _violation(
                "returns",
                source,
                "manager",
                f"manager differs from the order's manager ({shown})",
                "a return belongs to its order's manager: correct or clear the return's manager",
                linked.loc[clash.index],
            )
        )
    early = joined[known & (joined["returned_at"] < joined["ordered_at"])]
    if len(early):
        violations.append(
            _violation(
                "returns",
                source,
                "returned_at",
                "returned_at is before the order's ordered_at",
                "check both dates: a return is booked on or after its order",
                linked.loc[early.index],
            )
        )
    credited = joined[known].groupby("order_id", sort=False)["amount"].transform("sum")
    order_amount = joined.loc[known, "amount_order"]
    over = credited > order_amount * (1 + 1e-9) + 1e-9
    if over.any():
        violations.append(
            _violation(
                "returns",
                source,
                "amount",
                "the returns of an order add up to more than the order's amount",
                "check the amounts: an order cannot be credited more than it was sold for",
                linked.loc[over[over].index],
            )
        )
    return violations
