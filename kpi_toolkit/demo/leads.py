"""The demo's leads: month by month, seasonal, won or lost some weeks later (:func:`_leads`), and their
pipeline columns, ``expected_amount``, ``expected_close`` and ``stage`` (:data:`DEMO_STAGES`), with M05's
dead enquiries (:func:`_pipeline_columns`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kpi_toolkit.demo.company import (
    _BASE_LEADS,
    _CHECK_MEDIAN,
    _CHECK_SIGMA,
    _SEASON,
    DEMO_END,
    DEMO_START,
    _stream,
    _window,
)

__all__ = ["DEMO_STAGES"]

#: The demo's stages, first to last (written to ``dataset.yml`` by :func:`write_demo_data`).
DEMO_STAGES = ("Qualified", "Meeting", "Proposal", "Negotiation")
_LOST_AT = (0.45, 0.3, 0.17, 0.08)  # where lost leads were lost, by stage
_STALE_MANAGER, _STALE_LEADS = "M05", 45


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
