"""What the demo generator plants on purpose, by manager id, for the analyses to find (documented in the
README, checked by the tests): the managers' differences (:data:`PLANTED`), the practice that truly works
(:data:`PLANTED_PRACTICES`), the stale pipeline (:data:`PLANTED_PIPELINE`) and the people changes
(:data:`PLANTED_PEOPLE`).
"""

from __future__ import annotations

__all__ = ["PLANTED", "PLANTED_PEOPLE", "PLANTED_PIPELINE", "PLANTED_PRACTICES"]

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
