"""A seeded synthetic sales company for demos, tests and the bundled report.

Two teams of seven managers sell for two years, 1 October 2024 to 30 September 2026 (eight quarters,
2024Q4-2026Q3), with fixed dates so that the data is the same on every machine and every day. Leads arrive
with seasonality (strong autumn and December, weak January-February), are won or lost some weeks later, and a
won lead becomes an order from a new or an existing customer; customers then come back with repeat orders.
Order amounts are log-normal (skewed). Plans are set per manager and quarter from the manager's own level,
seasonality and a growth trend, with planning noise, so some managers beat them and some miss.

The differences that the analyses must find are planted on purpose (:data:`PLANTED`); every other manager
shares the same conversion probability and the same distribution of order amounts, so a method that flags
anyone else is flagging noise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DEMO_END", "DEMO_START", "PLANTED", "make_demo_data", "write_demo_data"]

DEMO_START = pd.Timestamp("2024-10-01")
DEMO_END = pd.Timestamp("2026-09-30 23:59:59")  # the last instant of the data; 2026Q3 is complete

#: What the generator plants, by manager id (documented in the README and checked by the tests).
PLANTED = {
    "M03": "truly converts worse: wins 12 % of closed leads against 28 % for everyone else",
    "M07": "truly larger average check: order amounts twice as large as everyone else's",
    "M10": "misses plan every quarter: works 60 % of the usual lead flow but is planned at the team norm",
    "M12": "very few leads: about 2 a month (a part-time manager with a plan to match)",
}

_MANAGERS = [
    ("M01", "Anna Petrova", "North"),
    ("M02", "Boris Sokolov", "North"),
    ("M03", "Clara Jensen", "North"),
    ("M04", "Dmitry Volkov", "North"),
    ("M05", "Elena Smirnova", "North"),
    ("M06", "Farid Aliyev", "North"),
    ("M07", "Grace Okafor", "North"),
    ("M08", "Hugo Martin", "South"),
    ("M09", "Irina Kuznetsova", "South"),
    ("M10", "James Carter", "South"),
    ("M11", "Ksenia Orlova", "South"),
    ("M12", "Leo Fischer", "South"),
    ("M13", "Maria Lopez", "South"),
    ("M14", "Nikolai Popov", "South"),
]
#: Lead arrivals by calendar month, relative to an average month (January first).
_SEASON = np.array([0.75, 0.8, 0.95, 1.0, 1.0, 0.95, 0.85, 0.85, 1.05, 1.15, 1.25, 1.35])
_BASE_LEADS = 24.0  # leads a month for a full-time manager in an average month
_CONVERSION = 0.28
_CHECK_MEDIAN, _CHECK_SIGMA = 45_000.0, 0.8  # log-normal order amounts
_REPEAT_RATE = 0.12  # repeat orders per customer and month
_REPEAT_SCALE = 0.6  # repeat orders are smaller than first orders
_INITIAL_CUSTOMERS = 12  # customers each manager already has when the data starts


def _profile(manager: str, rng: np.random.Generator) -> dict[str, float]:
    lead_flow = rng.uniform(0.85, 1.15)
    profile = {"lead_flow": lead_flow, "conversion": _CONVERSION, "check": 1.0, "plan_bias": 1.0}
    if manager == "M03":
        profile["conversion"] = 0.12
    if manager == "M07":
        profile["check"] = 2.0
    if manager == "M10":
        profile.update(lead_flow=0.6, plan_bias=1.0 / 0.6)
    if manager == "M12":
        profile["lead_flow"] = 2.0 / _BASE_LEADS
    return profile


def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per table, so adding a table never changes the others."""
    return np.random.default_rng([seed, sum(name.encode())])


def _leads(seed: int, profiles: dict[str, dict[str, float]]) -> pd.DataFrame:
    rng = _stream(seed, "leads")
    months = pd.period_range(DEMO_START, DEMO_END, freq="M")
    rows = []
    for manager, profile in profiles.items():
        for month in months:
            n = rng.poisson(_BASE_LEADS * profile["lead_flow"] * _SEASON[month.month - 1])
            start = month.start_time.value
            created = pd.to_datetime(rng.integers(start, (month + 1).start_time.value, size=n))
            days_to_close = rng.gamma(shape=2.0, scale=11.0, size=n)
            won = rng.random(n) < profile["conversion"]
            for c, d, w in zip(created, days_to_close, won, strict=True):
                rows.append((manager, c.floor("min"), (c + pd.Timedelta(days=float(d))).floor("min"), w))
    leads = pd.DataFrame(rows, columns=["manager", "created_at", "closed_at", "won"])
    leads = leads.sort_values(["created_at", "manager"], kind="stable").reset_index(drop=True)
    leads.insert(0, "lead_id", [f"L{i:05d}" for i in range(1, len(leads) + 1)])
    still_open = leads["closed_at"] > DEMO_END
    leads["status"] = np.where(still_open, "open", np.where(leads["won"], "won", "lost"))
    leads.loc[still_open, "closed_at"] = pd.NaT
    return leads.drop(columns="won")


def _orders(seed: int, leads: pd.DataFrame, profiles: dict[str, dict[str, float]]) -> pd.DataFrame:
    rng = _stream(seed, "orders")
    rows, n_customers = [], 0
    customers: dict[str, list[tuple[str, pd.Timestamp]]] = {}
    for manager in profiles:
        base = []
        for _ in range(_INITIAL_CUSTOMERS):
            n_customers += 1
            base.append((f"C{n_customers:05d}", DEMO_START))
        customers[manager] = base
    won = leads[leads["status"] == "won"]
    for lead in won.itertuples(index=False):
        profile = profiles[lead.manager]
        own = customers[lead.manager]
        if rng.random() < 0.2 and own:
            customer = own[rng.integers(len(own))][0]
        else:
            n_customers += 1
            customer = f"C{n_customers:05d}"
            own.append((customer, lead.closed_at))
        amount = profile["check"] * rng.lognormal(np.log(_CHECK_MEDIAN), _CHECK_SIGMA)
        rows.append((lead.manager, customer, lead.closed_at, amount, lead.lead_id))
    end = DEMO_END.value
    for manager, own in customers.items():
        profile = profiles[manager]
        for customer, since in own:
            span_months = (end - since.value) / (30.44 * 86_400e9)
            n = rng.poisson(_REPEAT_RATE * max(span_months, 0.0))
            times = pd.to_datetime(rng.integers(since.value, end, size=n)).floor("min")
            amounts = profile["check"] * _REPEAT_SCALE * rng.lognormal(np.log(_CHECK_MEDIAN), _CHECK_SIGMA, n)
            rows.extend((manager, customer, t, a, None) for t, a in zip(times, amounts, strict=True))
    orders = pd.DataFrame(rows, columns=["manager", "customer_id", "ordered_at", "amount", "lead_id"])
    orders = orders.sort_values(["ordered_at", "manager", "customer_id"], kind="stable").reset_index(
        drop=True
    )
    orders.insert(0, "order_id", [f"SO{i:06d}" for i in range(1, len(orders) + 1)])
    orders["amount"] = orders["amount"].round(2)
    orders["lines"] = 1 + rng.poisson(1.5, len(orders))
    orders["discount"] = rng.choice([0.0, 0.05, 0.1], size=len(orders), p=[0.6, 0.3, 0.1])
    return orders


def _plans(seed: int, orders: pd.DataFrame, profiles: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Quarterly sales_volume targets: the company's trend x season, shared out by each manager's level.

    The company's quarterly volume is fitted by a log-linear trend with quarter-of-year effects (what a
    planner would forecast); each manager gets their own share of it (M10 the median share, see
    :data:`PLANTED`), times a little planning noise, rounded to thousands.
    """
    rng = _stream(seed, "plans")
    quarters = pd.period_range(DEMO_START, DEMO_END, freq="Q")
    by_quarter = orders.assign(q=orders["ordered_at"].dt.to_period("Q"))
    volume = by_quarter.pivot_table(
        index="manager", columns="q", values="amount", aggfunc="sum", fill_value=0
    )
    trend = np.arange(len(quarters), dtype=float)
    season = (np.array([q.quarter for q in quarters])[:, None] == np.arange(1, 5)[None, :]).astype(float)
    design = np.column_stack([trend, season])
    coef, *_ = np.linalg.lstsq(design, np.log(volume.sum().to_numpy()), rcond=None)
    company = np.exp(design @ coef)
    share = volume.sum(axis=1) / volume.to_numpy().sum()
    fair = share[[m for m in share.index if m not in PLANTED]].median()
    rows = []
    for manager, profile in profiles.items():
        own = share[manager] if profile["plan_bias"] == 1.0 else fair
        for quarter, expected in zip(quarters, company, strict=True):
            target = own * expected * rng.lognormal(0.0, 0.05)
            rows.append((manager, f"{quarter.year}Q{quarter.quarter}", "sales_volume", round(target, -3)))
    return pd.DataFrame(rows, columns=["manager", "period", "metric", "target"])


def make_demo_data(*, seed: int = 2026) -> dict[str, pd.DataFrame]:
    """Generate the demo company's tables: ``orders``, ``leads``, ``plans`` and ``managers``.

    Parameters
    ----------
    seed
        Seed of the random streams (one per table). The default gives the bundled demo data.

    Returns
    -------
    dict of pandas.DataFrame
        The four tables of the data contract, keyed by table name.

    Examples
    --------
    >>> tables = make_demo_data()
    >>> sorted(tables), len(tables["managers"]), tables["managers"]["team"].nunique()
    (['leads', 'managers', 'orders', 'plans'], 14, 2)
    >>> str(tables["orders"]["ordered_at"].max().date())
    '2026-09-30'
    """
    managers = pd.DataFrame(_MANAGERS, columns=["manager", "name", "team"])
    profile_rng = _stream(seed, "profiles")
    profiles = {m: _profile(m, profile_rng) for m in managers["manager"]}
    leads = _leads(seed, profiles)
    orders = _orders(seed, leads, profiles)
    plans = _plans(seed, orders, profiles)
    return {"orders": orders, "leads": leads, "plans": plans, "managers": managers}


def write_demo_data(folder: str | Path, *, seed: int = 2026) -> Path:
    """Write the demo tables as CSV files into ``folder`` (created if needed) and return it."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in make_demo_data(seed=seed).items():
        table.to_csv(folder / f"{name}.csv", index=False, date_format="%Y-%m-%d %H:%M")
    return folder
