"""A seeded synthetic sales company for demos, tests and the bundled report.

Two teams of seven managers sell for two years, 1 October 2024 to 30 September 2026 (eight quarters,
2024Q4-2026Q3), joined by a rep hired in August 2026 and one who left in May 2026, while one rep moves team
in August 2026 (:data:`PLANTED_PEOPLE`), with fixed dates so that the data is the same on every machine and
every day. Leads arrive with seasonality (strong autumn and December, weak January-February), are won or
lost some weeks later, and a won lead becomes an order from a new or an existing customer; customers then
come back with repeat orders. Order amounts are log-normal (skewed). Plans are set per manager and quarter
before the quarter, from the volume the manager is expected to sell (lead flow, season, conversion, check,
customer base), with planning noise; they are not fitted to what was sold, so some managers beat them and
some miss, by chance. The teams' own targets are 5 % above their members'.

The differences that the analyses must find are planted on purpose (:data:`PLANTED`); every other manager
shares the same conversion probability and the same distribution of order amounts, so a method that flags
anyone else is flagging noise.

**Activities.** Every lead gets calls, emails and perhaps a meeting (:data:`PLANTED_PRACTICES`). The
planted practice is *a meeting in the first ten days of the lead*: it truly raises the chance of winning,
from ``0.8 c`` to ``1.3 c`` where ``c`` is the manager's conversion (an odds ratio near 2), and 40 % of leads
get one. Everything else is noise by construction: how fast the first call comes, how many touches the lead
gets, how many emails and how long the calls are are drawn independently of the outcome and of the meeting
(the meeting replaces the second call, so the number of touches does not depend on it; emails are only ever
the third or later touch).

The outcomes are already drawn in ``_leads`` (changing them would change the bundled data), so the meeting
is drawn *given* the outcome, through Bayes' rule. The causal story is: the meeting ``P`` is assigned first,
``P ~ Bernoulli(p)`` with ``p = 0.4``, then the outcome ``W | P ~ Bernoulli(q_P)`` with ``q_1 = 1.3 c`` and
``q_0 = 0.8 c`` (so that ``p q_1 + (1 - p) q_0 = c``, the conversion the leads were drawn with). The same
joint law of ``(P, W)`` is obtained by drawing ``W ~ Bernoulli(c)`` first (as ``_leads`` does) and then
``P | W=1 ~ Bernoulli(p q_1 / c)``, ``P | W=0 ~ Bernoulli(p (1 - q_1) / (1 - c))``: no analysis of the
data can tell the two apart, so the meeting is exactly as "effective" as in the causal story. Leads still
open at the end of the data never show their outcome; they get the meeting with the marginal probability
``p``. Activities after a lead closed, or after the end of the data, are dropped. All of this uses its own
random stream, so no other table changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

__all__ = [
    "DEMO_END",
    "DEMO_STAGES",
    "DEMO_START",
    "PLANTED",
    "PLANTED_PEOPLE",
    "PLANTED_PIPELINE",
    "PLANTED_PRACTICES",
    "make_demo_data",
    "write_demo_data",
]

DEMO_START = pd.Timestamp("2024-10-01")
DEMO_END = pd.Timestamp("2026-09-30 23:59:59")  # the last instant of the data; 2026Q3 is complete

#: What the generator plants, by manager id (documented in the README and checked by the tests).
PLANTED = {
    "M03": "truly converts worse: wins 12 % of closed leads against 28 % for everyone else",
    "M07": "truly larger average check: order amounts twice as large as everyone else's",
    "M10": "misses plan every quarter: works 60 % of the usual lead flow but is planned at the team norm",
    "M12": "very few leads: about 2 a month (a part-time manager with a plan to match)",
    "M04": "sells at deep discounts: among the top three by volume in 2026, but a gross margin rate of about "
    "12 % against 32 % for everyone else",
}

#: The practices of the demo's activities (see the module docstring), by practice feature of
#: :mod:`kpi_toolkit.practices.features`: which one truly changes the chance of winning and which do not.
PLANTED_PRACTICES = {
    "had_meeting": "truly raises the chance of winning: win probability 1.3 c with a meeting, 0.8 c without",
    "hours_to_first_touch": "no effect: the first call comes after an exponential delay (mean 20 h)",
    "touched_within_24h": "no effect: follows from the first call's delay",
    "touches_in_window": "no effect: 2 + Poisson(3) touches in the window, whatever the meeting or outcome",
    "emails_in_window": "no effect: each touch after the second is an email with probability 0.4",
    "call_minutes": "no effect: call durations are log-normal (median 6 minutes) for every lead",
}
#: The demo's pipeline (leads' expected_amount, expected_close and stage; see :func:`_pipeline_columns`).
PLANTED_PIPELINE = {
    "M05": "plenty of leads but a thin, stale pipeline: besides her usual leads she keeps about 45 dead "
    "enquiries open for months (never closed), so she has the most open leads while their chance of winning, "
    "and so her weighted coverage, is thin, and most of them are stale",
}
#: The demo's people over time, by manager id: a joiner, a leaver and a mover (README, "People over time").
PLANTED_PEOPLE = {
    "M15": "joins South on 10 August 2026 without customers; planned by month from August, so her 2026Q3 "
    "target is August's plus September's (pro-rated)",
    "M16": "leaves North on 20 May 2026 (the last day employed); planned by month until May, so his 2026Q2 "
    "target is April's plus May's; no orders, leads or returns after leaving (his leads still open then "
    "were handed over and are not in the data)",
    "M13": "moves from South to North on 17 August 2026 (the assignments table): her 2026Q3 orders and leads "
    "split between the two teams",
    "teams": "each team has its own quarterly target, 5 % above the sum of its members' targets (a mover's "
    "pro-rated by the days in the team)",
}
#: The demo's stages, first to last (written to ``dataset.yml`` by :func:`write_demo_data`).
DEMO_STAGES = ("Qualified", "Meeting", "Proposal", "Negotiation")
_LOST_AT = (0.45, 0.3, 0.17, 0.08)  # where lost leads were lost, by stage
_STALE_MANAGER, _STALE_LEADS = "M05", 45
_MEETING_SHARE, _MEETING_WITH, _MEETING_WITHOUT = 0.4, 1.3, 0.8  # p, q_1 / c, q_0 / c (docstring)
_MEETING_DAYS = 10.0  # the meeting falls in the first ten days

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
#: The people added later (:data:`PLANTED_PEOPLE`): id, name, team, hired_at, left_at.
_NEW_PEOPLE = [
    ("M15", "Olga Nowak", "South", pd.Timestamp("2026-08-10"), None),
    ("M16", "Pedro Alves", "North", None, pd.Timestamp("2026-05-20")),
]
_MOVES = [("M13", "South", pd.Timestamp("2024-10-01")), ("M13", "North", pd.Timestamp("2026-08-17"))]
_TEAM_UPLIFT = 1.05  # a team's target over the sum of its members' (the director's plan)
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


def _stream(seed: int, name: str, part: int = 0) -> np.random.Generator:
    """An independent random stream per table, so adding a table never changes the others.

    ``part`` 1 gives the people added later (:data:`PLANTED_PEOPLE`) streams of their own, so that the first
    fourteen managers' tables stay as they were.
    """
    return np.random.default_rng([seed, sum(name.encode()), *([part] if part else [])])


def _window(manager: str, employment: dict[str, tuple[pd.Timestamp, pd.Timestamp]]) -> tuple[int, int]:
    """The manager's employment as nanoseconds ``[hired, until)`` (``until``: the day after ``left_at``)."""
    hired, until = employment.get(manager, (DEMO_START, DEMO_END.normalize() + pd.Timedelta(days=1)))
    return hired.value, until.value


def _leads(
    seed: int,
    profiles: dict[str, dict[str, float]],
    *,
    part: int = 0,
    employment: dict[str, tuple[pd.Timestamp, pd.Timestamp]] | None = None,
    first_id: int = 1,
) -> pd.DataFrame:
    """Leads month by month; with ``employment``, only inside it (a month's flow pro-rated by the days
    employed), and a leaver's leads that would close after leaving are not in the data (handed over)."""
    rng = _stream(seed, "leads", part)
    months = pd.period_range(DEMO_START, DEMO_END, freq="M")
    rows = []
    for manager, profile in profiles.items():
        hired, until = _window(manager, employment or {})
        for month in months:
            start = max(month.start_time.value, hired)
            stop = min((month + 1).start_time.value, until)
            if stop <= start:
                continue
            share = (stop - start) / ((month + 1).start_time.value - month.start_time.value)
            n = rng.poisson(_BASE_LEADS * profile["lead_flow"] * _SEASON[month.month - 1] * share)
            created = pd.to_datetime(rng.integers(start, stop, size=n))
            days_to_close = rng.gamma(shape=2.0, scale=11.0, size=n)
            won = rng.random(n) < profile["conversion"]
            for c, d, w in zip(created, days_to_close, won, strict=True):
                closed = (c + pd.Timedelta(days=float(d))).floor("min")
                if closed.value < until or closed > DEMO_END:  # a leaver's lead closing after: handed over
                    rows.append((manager, c.floor("min"), closed, w))
    leads = pd.DataFrame(rows, columns=["manager", "created_at", "closed_at", "won"])
    leads = leads.sort_values(["created_at", "manager"], kind="stable").reset_index(drop=True)
    leads.insert(0, "lead_id", [f"L{i:05d}" for i in range(first_id, first_id + len(leads))])
    still_open = leads["closed_at"] > DEMO_END
    leads["status"] = np.where(still_open, "open", np.where(leads["won"], "won", "lost"))
    leads.loc[still_open, "closed_at"] = pd.NaT
    return leads.drop(columns="won")


def _pipeline_columns(
    seed: int,
    leads: pd.DataFrame,
    orders: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    *,
    part: int = 0,
) -> pd.DataFrame:
    """The leads' ``expected_amount``, ``expected_close`` and ``stage``, and :data:`PLANTED_PIPELINE`'s leads.

    From a stream of its own, so no other table changes. ``expected_amount``: a won lead's order amount
    times a log-normal estimation error (sd 0.3); any other lead, a draw like an order of the manager
    (log-normal, the manager's check) times the same error. ``expected_close``: the day the manager expects
    it to close, ``created_at`` plus a gamma(2, 14) number of days. ``stage``: a won lead reached the last
    stage; a lost one the stage it was lost at (:data:`_LOST_AT`); an open one a stage by its age (a stage
    about every 10 days, with some leads ahead or behind). Then M05's dead enquiries are added at the end
    (ids after the last): open, created in the eight months before 2026Q3, mostly at the first stage, never
    closed, without activities or orders (not for ``part`` 1, the people added later).
    """
    rng = _stream(seed, "pipeline", part)
    n = len(leads)
    check = leads["manager"].map({m: p["check"] for m, p in profiles.items()}).to_numpy(dtype=float)
    drawn = check * rng.lognormal(np.log(_CHECK_MEDIAN), _CHECK_SIGMA, n)
    amount = leads["lead_id"].map(orders.dropna(subset=["lead_id"]).set_index("lead_id")["amount"])
    error = rng.lognormal(0.0, 0.3, n)
    leads = leads.copy()
    leads["expected_amount"] = (amount.fillna(pd.Series(drawn, index=leads.index)) * error).round(-2)
    leads["expected_close"] = (
        leads["created_at"] + pd.to_timedelta(rng.gamma(2.0, 14.0, n), unit="D")
    ).dt.floor("D")
    age = ((DEMO_END - leads["created_at"]).dt.total_seconds() / 86400.0).to_numpy()
    by_age = np.clip((age / 10.0 + rng.normal(0.0, 0.7, n)).astype(int), 0, len(DEMO_STAGES) - 1)
    lost_at = rng.choice(len(DEMO_STAGES), size=n, p=_LOST_AT)
    status = leads["status"].to_numpy()
    position = np.where(status == "won", len(DEMO_STAGES) - 1, np.where(status == "lost", lost_at, by_age))
    leads["stage"] = np.asarray(DEMO_STAGES)[position]
    if part:
        return leads
    # M05's dead enquiries
    k = _STALE_LEADS
    start, stop = pd.Timestamp("2025-11-01").value, pd.Timestamp("2026-07-01").value
    created = pd.to_datetime(np.sort(rng.integers(start, stop, size=k))).floor("min")
    stale = pd.DataFrame(
        {
            "lead_id": [f"L{i:05d}" for i in range(n + 1, n + k + 1)],
            "manager": _STALE_MANAGER,
            "created_at": created,
            "closed_at": pd.NaT,
            "status": "open",
            "expected_amount": (rng.lognormal(np.log(_CHECK_MEDIAN), _CHECK_SIGMA, k) * 0.5).round(-2),
            "expected_close": (created + pd.Timedelta(days=30)).floor("D"),
            "stage": np.asarray(DEMO_STAGES)[rng.choice(2, size=k, p=[0.8, 0.2])],
        }
    )
    return pd.concat([leads, stale], ignore_index=True)


def _orders(
    seed: int,
    leads: pd.DataFrame,
    profiles: dict[str, dict[str, float]],
    *,
    part: int = 0,
    employment: dict[str, tuple[pd.Timestamp, pd.Timestamp]] | None = None,
    first_customer: int = 1,
    first_id: int = 1,
) -> pd.DataFrame:
    """Orders of won leads and repeat orders; with ``employment``, a joiner starts without customers and
    a leaver's customers order from them only until they leave."""
    rng = _stream(seed, "orders", part)
    rows, n_customers = [], first_customer - 1
    customers: dict[str, list[tuple[str, pd.Timestamp]]] = {}
    for manager in profiles:
        base = []
        joined = _window(manager, employment or {})[0] > DEMO_START.value
        for _ in range(0 if joined else _INITIAL_CUSTOMERS):
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
    for manager, own in customers.items():
        profile = profiles[manager]
        end = min(DEMO_END.value, _window(manager, employment or {})[1])
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
    orders.insert(0, "order_id", [f"SO{i:06d}" for i in range(first_id, first_id + len(orders))])
    orders["amount"] = orders["amount"].round(2)
    orders["lines"] = 1 + rng.poisson(1.5, len(orders))
    orders["discount"] = rng.choice([0.0, 0.05, 0.1], size=len(orders), p=[0.6, 0.3, 0.1])
    return orders


def _activities(
    seed: int, leads: pd.DataFrame, profiles: dict[str, dict[str, float]], *, part: int = 0
) -> pd.DataFrame:
    """Calls, emails and meetings per lead; the meeting is drawn given the outcome (module docstring)."""
    rng = _stream(seed, "activities", part)
    n = len(leads)
    c = leads["manager"].map({m: p["conversion"] for m, p in profiles.items()}).to_numpy(dtype=float)
    status = leads["status"].to_numpy()
    p_won = _MEETING_SHARE * _MEETING_WITH
    p_lost = _MEETING_SHARE * (1.0 - _MEETING_WITH * c) / (1.0 - c)
    p_meeting = np.where(status == "won", p_won, np.where(status == "lost", p_lost, _MEETING_SHARE))
    meeting = rng.random(n) < p_meeting
    first_hours = np.minimum(rng.exponential(20.0, n), 47.0)
    n_touches = 2 + rng.poisson(3.0, n)
    day = 86_400e9
    created = leads["created_at"].to_numpy(dtype="datetime64[ns]").astype("int64")
    rows_lead, rows_time, rows_type = [], [], []
    for i in range(n):
        first = created[i] + first_hours[i] * 3_600e9
        rest = np.sort(rng.uniform(first, created[i] + 14 * day, n_touches[i] - 1))
        types = ["call", "call", *np.where(rng.random(n_touches[i] - 2) < 0.4, "email", "call")]
        times = [first, *rest]
        if meeting[i]:
            times[1] = created[i] + rng.uniform(2.0 * day, _MEETING_DAYS * day)
            types[1] = "meeting"
        later = rng.poisson(2.0)  # touches after the window
        times += list(created[i] + rng.uniform(14 * day, 45 * day, later))
        types += list(np.where(rng.random(later) < 0.5, "email", "call"))
        rows_lead += [i] * len(times)
        rows_time += times
        rows_type += types
    acts = pd.DataFrame(
        {
            "manager": leads["manager"].to_numpy()[rows_lead],
            "occurred_at": pd.to_datetime(np.asarray(rows_time, dtype="int64")).floor("min"),
            "type": rows_type,
            "lead_id": leads["lead_id"].to_numpy()[rows_lead],
        }
    )
    closed = leads["closed_at"].to_numpy(dtype="datetime64[ns]")[rows_lead]
    keep = (acts["occurred_at"] <= DEMO_END) & ~(acts["occurred_at"].to_numpy() > closed)
    acts = acts[keep].reset_index(drop=True)
    minutes = np.where(
        acts["type"] == "call",
        rng.lognormal(np.log(6.0), 0.6, len(acts)),
        np.where(acts["type"] == "meeting", rng.normal(45.0, 10.0, len(acts)).clip(10.0), np.nan),
    )
    acts["duration_min"] = np.round(minutes, 1)
    return acts.sort_values(["occurred_at", "manager", "lead_id"], kind="stable").reset_index(drop=True)


_PLAN_NOISE = 0.08  # log sd of a target around the expected volume (the planner's error)
_DAYS_PER_MONTH = 30.44


_MARGIN, _MARGIN_SD, _DISCOUNTER_MARGIN = 0.32, 0.06, 0.12  # gross margin rate of an order
_DISCOUNTER = "M04"
_RETURN_SHARE, _RETURN_DAYS = 0.03, 20.0  # orders returned (in part or whole); mean days until the return


def _costs(seed: int, orders: pd.DataFrame, *, part: int = 0) -> np.ndarray:
    """Cost of goods per order: amount x (1 - margin rate), the rate ~ N(32 %, 6 %), M04's ~ N(12 %, 6 %)."""
    rng = _stream(seed, "costs", part)
    mean = np.where(orders["manager"] == _DISCOUNTER, _DISCOUNTER_MARGIN, _MARGIN)
    rate = np.clip(rng.normal(mean, _MARGIN_SD), -0.1, 0.8)
    return (orders["amount"].to_numpy() * (1 - rate)).round(2)


def _returns(
    seed: int, orders: pd.DataFrame, *, part: int = 0, until: pd.Series | None = None, first_id: int = 1
) -> pd.DataFrame:
    """About 3 % of orders come back, half whole, the rest in part, weeks later (some in the next quarter).

    Returns after the end of the data are not yet booked; their cost is left to the order's ratio.
    ``until`` (per order, the day after its manager left): a leaver's later returns are not in the data.
    """
    rng = _stream(seed, "returns", part)
    back = rng.random(len(orders)) < _RETURN_SHARE
    share = np.where(rng.random(len(orders)) < 0.5, 1.0, rng.uniform(0.2, 0.8, len(orders)))
    delay = pd.to_timedelta(1 + rng.exponential(_RETURN_DAYS, len(orders)), unit="D")
    returned = (orders["ordered_at"] + delay).dt.floor("min")
    keep = back & (returned <= DEMO_END).to_numpy()
    if until is not None:
        keep &= (returned < until).to_numpy()
    out = pd.DataFrame(
        {
            "returned_at": returned[keep].to_numpy(),
            "amount": (orders["amount"].to_numpy() * share)[keep].round(2),
            "order_id": orders["order_id"].to_numpy()[keep],
        }
    )
    out = out.sort_values(["returned_at", "order_id"], kind="stable", ignore_index=True)
    out.insert(0, "return_id", [f"RT{i:05d}" for i in range(first_id, first_id + len(out))])
    return out


def _expected_volume(
    profile: dict[str, float], quarters: pd.PeriodIndex, *, window: tuple[int, int] | None = None
) -> np.ndarray:
    """A manager's expected sales volume per quarter under the generator's own model, known in advance.

    Leads arrive at ``_BASE_LEADS x lead_flow x season`` a month, are won with the manager's conversion
    and close a gamma(2, 11) number of days after they arrive (a won lead is an order at closing, of mean
    amount ``check x median x exp(sigma^2 / 2)``); 80 % of won leads bring a new customer, and every
    customer orders again at ``_REPEAT_RATE`` a month, at ``_REPEAT_SCALE`` of the amount. Computed day by
    day from the start of the data: no realised order enters it. ``quarters`` may be months too. With
    ``window`` (nanoseconds ``[hired, until)``), leads arrive only inside it, a joiner starts without
    customers, and nothing is sold after leaving.
    """
    days = pd.date_range(DEMO_START, DEMO_END.normalize(), freq="D")
    month_days = days.to_period("M")
    arrivals = (
        _BASE_LEADS
        * profile["lead_flow"]
        * _SEASON[days.month.to_numpy() - 1]
        / days.days_in_month.to_numpy()
    )
    employed = np.ones(len(days))
    if window is not None:
        employed = ((days.as_unit("ns").asi8 >= window[0]) & (days.as_unit("ns").asi8 < window[1])).astype(
            float
        )
        arrivals = arrivals * employed
    delay = np.diff(stats.gamma.cdf(np.arange(len(days) + 1), a=2.0, scale=11.0))
    won_closing = profile["conversion"] * np.convolve(arrivals, delay)[: len(days)] * employed
    initial = 0 if window is not None and window[0] > DEMO_START.value else _INITIAL_CUSTOMERS
    customers = initial + 0.8 * np.concatenate([[0.0], np.cumsum(won_closing)[:-1]])
    mean_amount = profile["check"] * _CHECK_MEDIAN * np.exp(_CHECK_SIGMA**2 / 2)
    daily = mean_amount * (won_closing + _REPEAT_SCALE * _REPEAT_RATE / _DAYS_PER_MONTH * customers)
    daily = daily * employed
    by_quarter = pd.Series(daily, index=month_days.asfreq(quarters.freqstr[0])).groupby(level=0).sum()
    return by_quarter.reindex(quarters).to_numpy()


def _plans(seed: int, profiles: dict[str, dict[str, float]]) -> pd.DataFrame:
    """Quarterly sales_volume targets, set before each quarter from what the manager is expected to sell.

    Each target is the manager's expected volume under the generator's model (:func:`_expected_volume`:
    their lead flow, the season, their conversion and check, the customers they are expected to have by
    then), times a planning error (log-normal, sd 8 %), rounded to thousands. Nothing realised enters a
    target, so a fair manager's attainment is a fair draw around 100 %. M10 is planned at the team's lead
    flow though working 60 % of it (see :data:`PLANTED`).
    """
    rng = _stream(seed, "plans")
    quarters = pd.period_range(DEMO_START, DEMO_END, freq="Q")
    rows = []
    for manager, profile in profiles.items():
        planned = {**profile, "lead_flow": profile["lead_flow"] * profile["plan_bias"]}
        expected = _expected_volume(planned, quarters)
        for quarter, value in zip(quarters, expected, strict=True):
            target = value * rng.lognormal(0.0, _PLAN_NOISE)
            rows.append((manager, f"{quarter.year}Q{quarter.quarter}", "sales_volume", round(target, -3)))
    return pd.DataFrame(rows, columns=["manager", "period", "metric", "target"])


def _employment() -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The added people's employment, ``[hired, until)`` with ``until`` the day after ``left_at``."""
    end = DEMO_END.normalize() + pd.Timedelta(days=1)
    return {
        m: (
            hired if hired is not None else DEMO_START,
            left + pd.Timedelta(days=1) if left is not None else end,
        )
        for m, _, _, hired, left in _NEW_PEOPLE
    }


def _monthly_plans(seed: int, profiles: dict[str, dict[str, float]]) -> pd.DataFrame:
    """The added people's targets, by month of their employment (as :func:`_plans`, its own stream)."""
    rng = _stream(seed, "plans", 1)
    months = pd.period_range(DEMO_START, DEMO_END, freq="M")
    employment = _employment()
    rows = []
    for manager, profile in profiles.items():
        window = _window(manager, employment)
        expected = _expected_volume(profile, months, window=window)
        for month, value in zip(months, expected, strict=True):
            if month.end_time.value < window[0] or month.start_time.value >= window[1]:
                continue
            target = value * rng.lognormal(0.0, _PLAN_NOISE)
            rows.append((manager, str(month), "sales_volume", round(target, -3)))
    return pd.DataFrame(rows, columns=["manager", "period", "metric", "target"])


def _team_plans(plans: pd.DataFrame, managers: pd.DataFrame) -> pd.DataFrame:
    """Each team's quarterly target: 5 % above its members' targets, a mover's pro-rated by days in the team.

    ``managers``: the teams at the start of the data (before the moves of :data:`_MOVES`).
    """
    quarters = pd.period_range(DEMO_START, DEMO_END, freq="Q")
    quarterly: dict[tuple[str, pd.Period], float] = {}
    for manager, period, target in plans[["manager", "period", "target"]].itertuples(index=False):
        quarter = pd.Period(period, freq="Q") if "Q" in period else pd.Period(period, freq="M").asfreq("Q")
        quarterly[manager, quarter] = quarterly.get((manager, quarter), 0.0) + target
    teams = managers.set_index("manager")["team"].to_dict()
    employment = _employment()
    rows = []
    for quarter in quarters:
        days = pd.date_range(quarter.start_time, quarter.end_time.normalize(), freq="D")
        totals: dict[str, float] = {}
        for manager in managers["manager"]:
            target = quarterly.get((manager, quarter))
            if target is None:
                continue
            hired, until = _window(manager, employment)
            employed = days[(days.as_unit("ns").asi8 >= hired) & (days.as_unit("ns").asi8 < until)]
            moves = [(team, start) for m, team, start in _MOVES if m == manager]
            team_of = pd.Series(teams[manager], index=employed)
            for team, start in sorted(moves, key=lambda move: move[1]):
                team_of[employed >= start] = team
            for team, share in team_of.value_counts(normalize=True).items():
                totals[team] = totals.get(team, 0.0) + target * share
        for team in sorted(totals):
            rows.append((team, f"{quarter.year}Q{quarter.quarter}", round(_TEAM_UPLIFT * totals[team], -3)))
    out = pd.DataFrame(rows, columns=["team", "period", "target"])
    out.insert(0, "manager", None)
    out.insert(3, "metric", "sales_volume")
    return out


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
