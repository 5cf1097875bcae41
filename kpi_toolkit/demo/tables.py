"""The demo's tables put together: the fourteen managers' tables, then the added people's from streams of
their own (:func:`_new_people`), the team move and the teams' targets (:func:`make_demo_data`), and the CSV
files with the stages' ``dataset.yml`` (:func:`write_demo_data`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from kpi_toolkit.demo.activities import _activities
from kpi_toolkit.demo.company import _MANAGERS, _MOVES, _NEW_PEOPLE, _employment, _profile, _stream
from kpi_toolkit.demo.leads import DEMO_STAGES, _leads, _pipeline_columns
from kpi_toolkit.demo.orders import _costs, _orders, _returns
from kpi_toolkit.demo.plans import _monthly_plans, _plans, _team_plans

__all__ = ["make_demo_data", "write_demo_data"]


def _new_people(seed: int, tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The added people's tables (:data:`PLANTED_PEOPLE`): streams of their own, ids after the others'."""
    profile_rng = _stream(seed, "profiles", 1)
    profiles = {m: _profile(m, profile_rng) for m, *_ in _NEW_PEOPLE}
    employment = _employment()
    leads = _leads(seed, profiles, part=1, employment=employment, first_id=len(tables["leads"]) + 1)
    first_customer = int(tables["orders"]["customer_id"].str[1:].astype(int).max()) + 1
    orders = _orders(
        seed,
        leads,
        profiles,
        part=1,
        employment=employment,
        first_customer=first_customer,
        first_id=len(tables["orders"]) + 1,
    )
    activities = _activities(seed, leads, profiles, part=1)
    leads = _pipeline_columns(seed, leads, orders, profiles, part=1)
    orders["cost"] = _costs(seed, orders, part=1)
    until = orders["manager"].map({m: u for m, (_, u) in employment.items()})
    returns = _returns(seed, orders, part=1, until=until, first_id=len(tables["returns"]) + 1)
    return {
        "orders": orders,
        "leads": leads,
        "plans": _monthly_plans(seed, profiles),
        "activities": activities,
        "returns": returns,
    }


def make_demo_data(*, seed: int = 2026) -> dict[str, pd.DataFrame]:
    """Generate the demo company's tables: ``orders``, ``leads``, ``plans``, ``managers``, ``activities``,
    ``returns`` and ``assignments``.

    Fourteen managers sell the whole two years; two more were added later (:data:`PLANTED_PEOPLE`): a joiner
    and a leaver (``managers.hired_at``, ``left_at``), from random streams of their own, so the first
    fourteen's tables are as before; one of the fourteen moves team (``assignments``). Each team has its
    own quarterly target (plan rows naming a ``team``), 5 % above its members' targets.

    Parameters
    ----------
    seed
        Seed of the random streams (one per table). The default gives the bundled demo data.

    Returns
    -------
    dict of pandas.DataFrame
        The seven tables of the data contract, keyed by table name.

    Examples
    --------
    >>> tables = make_demo_data()
    >>> sorted(tables), len(tables["managers"]), tables["managers"]["team"].nunique()
    (['activities', 'assignments', 'leads', 'managers', 'orders', 'plans', 'returns'], 16, 2)
    >>> str(tables["orders"]["ordered_at"].max().date())
    '2026-09-30'
    """
    managers = pd.DataFrame(_MANAGERS, columns=["manager", "name", "team"])
    profile_rng = _stream(seed, "profiles")
    profiles = {m: _profile(m, profile_rng) for m in managers["manager"]}
    leads = _leads(seed, profiles)
    orders = _orders(seed, leads, profiles)
    plans = _plans(seed, profiles)
    activities = _activities(seed, leads, profiles)
    leads = _pipeline_columns(seed, leads, orders, profiles)
    orders["cost"] = _costs(seed, orders)
    returns = _returns(seed, orders)
    tables = {
        "orders": orders,
        "leads": leads,
        "plans": plans,
        "managers": managers,
        "activities": activities,
        "returns": returns,
    }
    added = _new_people(seed, tables)
    for name, table in added.items():
        tables[name] = pd.concat([tables[name], table], ignore_index=True)
    people = pd.DataFrame(_NEW_PEOPLE, columns=["manager", "name", "team", "hired_at", "left_at"])
    managers = pd.concat([managers.assign(hired_at=pd.NaT, left_at=pd.NaT), people], ignore_index=True)
    team_plans = _team_plans(tables["plans"], managers)
    current = {m: team for m, team, _ in sorted(_MOVES, key=lambda move: move[2])}  # the last move wins
    managers["team"] = managers["manager"].map(current).fillna(managers["team"])
    tables["managers"] = managers.astype({"hired_at": "datetime64[ns]", "left_at": "datetime64[ns]"})
    tables["assignments"] = pd.DataFrame(_MOVES, columns=["manager", "team", "valid_from"])
    plans = tables["plans"]
    plans.insert(1, "team", pd.Series([None] * len(plans), dtype="object"))
    tables["plans"] = pd.concat([plans, team_plans], ignore_index=True)
    return tables


def write_demo_data(folder: str | Path, *, seed: int = 2026) -> Path:
    """Write the demo tables as CSV files into ``folder`` (created if needed) and return it.

    ``dataset.yml`` beside them sets the leads' stages (:data:`DEMO_STAGES`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stages = "".join(f"  - {stage}\n" for stage in DEMO_STAGES)
    (folder / "dataset.yml").write_text(f"stages:\n{stages}", encoding="utf-8")
    for name, table in make_demo_data(seed=seed).items():
        table.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d %H:%M")
    return folder
