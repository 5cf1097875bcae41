"""The numbers of the top-performers showcase (:func:`showcase_report`), with the managers' names already
replaced by what the report may show (:func:`display_names`).

With ``anonymize=True`` only the showcased group (the top performers) is named; every other manager is a
pseudonym, "Manager A", "Manager B" ..., from :func:`kpi_toolkit.report.pseudonyms.report_letters` keyed by
the data fingerprint, so the letters are the same in every report made from the same data (every period of
one run). Names are replaced here, before any view sees them, so no table, sentence or figure of the report
can hold a real name of someone outside the group. Managers below ``min_leads`` are not ranked at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from kpi_toolkit.data import SalesData
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.fingerprint import data_fingerprint
from kpi_toolkit.periods import Period, parse_span
from kpi_toolkit.practices.effects import practice_effects
from kpi_toolkit.practices.performers import performer_profiles, regression_check, top_performers
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.pseudonyms import pseudonym_letters, report_letters

__all__ = ["ShowcaseReport", "display_names", "showcase_report"]

#: How many periods (the reported one and those before it) the practice analysis pools.
PRACTICE_PERIODS = 4
WINDOW_DAYS = 14


@dataclass(frozen=True)
class ShowcaseReport:
    """Everything the showcase shows. ``ranking`` and ``names`` carry display names only."""

    period: Period
    team: str | None
    top_share: float
    min_leads: int
    anonymize: bool
    ranking: pd.DataFrame  # manager, display, leads, value, rank, top (ranked managers only)
    unranked: int
    profiles: pd.DataFrame
    regression: pd.DataFrame
    effects: pd.DataFrame
    pooled: pd.DataFrame
    practice_periods: tuple[Period, Period]
    window_days: int
    names: dict[str, str] = field(default_factory=dict)
    data_fingerprint: str = ""
    data_as_of: pd.Timestamp | None = None
    source: str = ""
    has_activities: bool = True

    @property
    def top(self) -> list[str]:
        """Display names of the showcased group, best first."""
        return self.ranking.loc[self.ranking["top"], "display"].tolist()


def display_names(
    managers: list[str],
    *,
    named: set[str],
    real: dict[str, str],
    key: str | dict[str, str],
    anonymize: bool,
    tr: Translator | None = None,
) -> dict[str, str]:
    """Manager id -> what the report shows: the real name for ``named`` ids (or everyone when not
    ``anonymize``), else the pseudonym ``Manager <letter>``: ``key`` is the letters themselves (id -> letter,
    :func:`~kpi_toolkit.report.pseudonyms.report_letters`), or a key to letter all ``managers`` with.

    >>> display_names(["M1", "M2", "M3"], named={"M1"}, real={"M1": "Ann", "M2": "Bob", "M3": "Cat"},
    ...               key="k", anonymize=True)["M1"]
    'Ann'
    >>> sorted(display_names(["M1", "M2"], named=set(), real={}, key="k", anonymize=True).values())
    ['Manager A', 'Manager B']
    """
    tr = tr or translator("en")
    letters = pseudonym_letters(managers, key=key) if isinstance(key, str) else key
    out = {}
    for m in managers:
        if not anonymize or m in named:
            out[m] = str(real.get(m, m))
        else:
            out[m] = tr.t("manager.pseudonym", letter=letters[m])
    return out


def showcase_report(
    data: SalesData,
    *,
    period: str | Period,
    team: str | None = None,
    top_share: float = 0.25,
    anonymize: bool = True,
    min_leads: int = 20,
    tr: Translator | None = None,
) -> ShowcaseReport:
    """Compute the showcase of ``period``: ranking, profiles, regression check and practice effects.

    Practice effects pool the leads created in the reported period and the three before it (more leads,
    steadier estimates); everything else is of the reported period. ``period`` may be a range of periods
    of one kind (``2025Q4:2026Q3``): the ranking is over the whole run, and the practices pool the run (at
    least its last period and the three before it).

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> r = showcase_report(kt.from_frames(**make_demo_data()), period="2026Q3")
    >>> len(r.top), r.unranked, sorted(set(r.ranking["display"]) - set(r.top))[:2]
    (4, 1, ['Manager C', 'Manager D'])
    >>> r = showcase_report(kt.from_frames(**make_demo_data()), period="2025Q2:2026Q3")
    >>> str(r.period), [str(p) for p in r.practice_periods]
    ('2025Q2:2026Q3', ['2025Q2', '2026Q3'])
    """
    if data.leads is None:
        raise ParameterError("the showcase needs a leads table. Fix: add leads.csv to the data set.")
    p = parse_span(period, fiscal_year_start=data.fiscal_year_start)
    managers = data.managers_of(team or None)
    ranking = top_performers(data, period=p, share=top_share, min_leads=min_leads, team=team or None)
    profiles = performer_profiles(data, period=p, share=top_share, min_leads=min_leads, team=team or None)
    regression = regression_check(data, period=p, share=top_share, min_leads=min_leads, team=team or None)
    first, last = min(p.first, p.last.shift(-(PRACTICE_PERIODS - 1))), p.last
    has_activities = data.activities is not None
    if has_activities:
        window = f"{first}:{last}"
        effects = practice_effects(data, periods=window, window_days=WINDOW_DAYS, managers=managers)
        pooled = effects.attrs["pooled"]
    else:
        effects, pooled = pd.DataFrame(), pd.DataFrame()
    fingerprint = data_fingerprint(data)
    top_ids = set(ranking.loc[ranking["top"], "manager"])
    real = data.manager_info["name"].astype("string").to_dict()
    names = display_names(
        list(data.manager_ids),
        named=top_ids,
        real=real,
        key=report_letters(data, fingerprint=fingerprint),
        anonymize=anonymize,
        tr=tr,
    )
    ranked = ranking[ranking["ranked"]].copy()
    ranked["display"] = ranked["manager"].map(names)
    ranked = ranked[["manager", "display", "leads", "value", "rank", "top"]].reset_index(drop=True)
    return ShowcaseReport(
        period=p,
        team=team or None,
        top_share=top_share,
        min_leads=min_leads,
        anonymize=anonymize,
        ranking=ranked,
        unranked=int((~ranking["ranked"]).sum()),
        profiles=profiles,
        regression=regression,
        effects=effects,
        pooled=pooled,
        practice_periods=(first, last),
        window_days=WINDOW_DAYS,
        names=names,
        data_fingerprint=fingerprint,
        data_as_of=data.last_date,
        source=data.source,
        has_activities=has_activities,
    )
