"""The demo's activities: every lead gets calls, emails and perhaps a meeting
(:data:`~kpi_toolkit.demo.PLANTED_PRACTICES`). The planted practice is *a meeting in the first ten days of the
lead*: it truly raises the chance of winning, from ``0.8 c`` to ``1.3 c`` where ``c`` is the manager's
conversion (an odds ratio near 2), and 40 % of leads get one. Everything else is noise by construction: how
fast the first call comes, how many touches the lead gets, how many emails and how long the calls are are
drawn independently of the outcome and of the meeting (the meeting replaces the second call, so the number of
touches does not depend on it; emails are only ever the third or later touch).

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

import numpy as np
import pandas as pd

from kpi_toolkit.demo.company import DEMO_END, _stream

_MEETING_SHARE, _MEETING_WITH = 0.4, 1.3  # p, q_1 / c (docstring; q_0 / c = 0.8 follows from them)
_MEETING_DAYS = 10.0  # the meeting falls in the first ten days


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
