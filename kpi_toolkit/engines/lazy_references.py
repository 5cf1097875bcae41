"""The cross-table rules on DuckDB or Spark, as small queries over the validated tables.

As :func:`kpi_toolkit.validation.check_references` on pandas: managers spelt several ways or missing from
the managers table (distinct managers of each table in one query), lead ids that are no lead's (anti-joins,
or bitmaps where lead ids are integers on both sides), orders and leads dated outside their manager's
employment (joins with the employment dates), and returns of orders (the returned orders fetched by a
semi-join). Only counts and the first rows of each broken rule come back to Python.
"""

from __future__ import annotations

import narwhals as nw
import pandas as pd

from kpi_toolkit.employment_rules import LEAD_OUTSIDE_EMPLOYMENT, OUTSIDE_EMPLOYMENT, employment_dates
from kpi_toolkit.engines.lazy_session import _Session
from kpi_toolkit.engines.tables import shown_column
from kpi_toolkit.errors import Violation
from kpi_toolkit.manager_rules import (
    MANAGER_TABLES,
    check_assignments,
    check_plan_teams,
    spelling_groups,
    spelling_rule,
    unknown_managers_rule,
)
from kpi_toolkit.return_rules import check_returns
from kpi_toolkit.validation import UNKNOWN_LEAD

#: Tables whose ``lead_id``, when given, must be a lead of the leads table.
_LEAD_TABLES = ("orders", "activities")


def _references(session: _Session) -> list[Violation]:
    """The cross-table rules of :func:`kpi_toolkit.validation.check_references`, as queries."""
    order = [t for t in MANAGER_TABLES if t in session.sources]
    distinct = {t: set(session.small[t]["manager"].dropna().unique()) for t in order if t in session.small}
    lazy = [t for t in order if t in session.lazy]
    stacked = nw.concat(
        [session.frame(t).select(nw.col("manager"), nw.lit(t).alias("_table")) for t in lazy], how="vertical"
    )
    found = session.collect(stacked.group_by("_table", "manager").agg(nw.len()))  # one query for all
    for t in lazy:
        distinct[t] = {str(m) for m in found.loc[found["_table"] == t, "manager"].dropna()}
    groups = spelling_groups(set().union(*distinct.values()))
    clashing = {m for group in groups.values() for m in group}
    violations = []
    for t in order:
        hit = distinct[t] & clashing
        if hit:
            rows = session.frame(t).filter(nw.col("manager").is_in(sorted(hit)))
            rule, fix = spelling_rule(hit, groups)
            violations.append(
                session.violation(t, "manager", rule, fix, session.hits(t, rows, "manager", "manager"))
            )
    if "managers" in session.sources:
        for t in order[1:] if order[0] == "managers" else order:
            unknown = sorted(distinct[t] - distinct["managers"])
            if unknown:
                rows = session.frame(t).filter(nw.col("manager").is_in(unknown))
                rule, fix = unknown_managers_rule(unknown, session.sources["managers"])
                found = session.hits(t, rows, "manager", "manager")
                violations.append(session.violation(t, "manager", rule, fix, found))
    violations += check_assignments(session.small, session.sources)  # small tables: pandas
    violations += check_plan_teams(session.small, session.sources)
    if "leads" in session.lazy:
        for t in (t for t in _LEAD_TABLES if t in session.sources):
            if _integer_leads_known(session, t):
                continue  # every lead_id is a lead's: no anti-join
            found = session.hits(t, _unknown_leads(session, t), "lead_id", "lead_id")
            if found[0]:
                violations.append(session.violation(t, "lead_id", *UNKNOWN_LEAD, found))
    if "managers" in session.small and "orders" in session.lazy:
        dates = employment_dates(session.small["managers"])
        if dates is not None:
            orders = session.frame("orders")
            rows = orders.join(session.backend.lazy(dates), on="manager", how="inner").filter(
                (nw.col("ordered_at") < nw.col("_hired")) | (nw.col("ordered_at") >= nw.col("_until"))
            )
            found = session.hits("orders", rows, "ordered_at", shown_column("ordered_at"))
            if found[0]:
                violations.append(session.violation("orders", "ordered_at", *OUTSIDE_EMPLOYMENT, found))
            if "leads" in session.lazy:
                violations += _lead_dates(session, dates)
    if "returns" in session.small:
        returns = session.small["returns"]
        violations += check_returns(
            returns, _returned_orders(session, returns), source=session.sources["returns"]
        )
    return violations


def _lead_dates(session: _Session, dates: pd.DataFrame) -> list[Violation]:
    """Leads dated outside their manager's employment
    (:func:`kpi_toolkit.employment_rules.check_lead_dates`)."""
    leads = session.frame("leads").join(session.backend.lazy(dates), on="manager", how="inner")
    closed, created = nw.col("closed_at"), nw.col("created_at")
    outside = {
        "closed_at": ~closed.is_null() & ((closed < nw.col("_hired")) | (closed >= nw.col("_until"))),
        "created_at": ~created.is_null() & (created >= nw.col("_until")),
    }
    violations = []
    for column, flag in outside.items():
        found = session.hits("leads", leads.filter(flag), column, shown_column(column))
        if found[0]:
            violations.append(session.violation("leads", column, *LEAD_OUTSIDE_EMPLOYMENT[column], found))
    return violations


def _returned_orders(session: _Session, returns: pd.DataFrame) -> pd.DataFrame:
    """The orders the returns name (returns are a small table), fetched from the engine by a semi-join."""
    ids = returns["order_id"].dropna().astype("string").unique()
    orders = session.lazy["orders"]
    assert orders.frame is not None
    order_id = nw.col("order_id").cast(nw.String) if "order_id" in orders.integer_ids else nw.col("order_id")
    wanted = session.backend.lazy(pd.DataFrame({"order_id": pd.Series(ids, dtype="string")}))
    keyed = orders.frame.select(order_id.alias("order_id"), "manager", "ordered_at", "amount")
    return session.collect(keyed.join(wanted, on="order_id", how="semi"))


def _integer_leads_known(session: _Session, table: str) -> bool:
    """Whether every lead_id of the lazy ``table`` is a lead's, where both store them as integers: the
    engine's cheaper test (:meth:`Backend.all_known`); ``False`` when it cannot tell."""
    leads, rows = session.lazy["leads"], session.lazy.get(table)
    if rows is None or not {"lead_id"} <= leads.integer_ids & rows.integer_ids:
        return False
    assert leads.frame is not None and rows.frame is not None
    return session.backend.all_known(rows.frame, leads.frame, "lead_id")


def _unknown_leads(session: _Session, table: str) -> nw.LazyFrame:
    """The rows of ``table`` whose lead_id is not a lead: an anti-join in the engine."""
    leads = session.lazy["leads"]
    assert leads.frame is not None
    if table in session.lazy:
        rows = session.frame(table)
        as_int = "lead_id" in session.lazy[table].integer_ids
    else:  # a small table: its distinct lead ids go to the engine, the unknown ones come back
        frame = session.small[table]
        ids = frame["lead_id"].dropna().astype("string").unique()
        known = session.backend.lazy(pd.DataFrame({"lead_id": pd.Series(ids, dtype="string")}))
        lead_id = nw.col("lead_id").cast(nw.String) if "lead_id" in leads.integer_ids else nw.col("lead_id")
        missing = known.join(leads.frame.select(lead_id.alias("lead_id")), on="lead_id", how="anti")
        unknown = set(session.collect(missing)["lead_id"]) if len(ids) else set()
        return session.frame(table).filter(nw.col("lead_id").is_in(sorted(unknown)))
    lead_id = nw.col("lead_id")
    if as_int != ("lead_id" in leads.integer_ids):  # one side integers, the other text: compare as text
        lead_id = lead_id.cast(nw.String)
    return (
        rows.filter(~nw.col("lead_id").is_null())
        .with_columns(lead_id.alias("_lead"))
        .join(leads.frame.select(lead_id.alias("_lead")), on="_lead", how="anti")
    )
