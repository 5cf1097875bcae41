"""What the top-performers showcase shows, one function per section, each returning safe :class:`Html`.

Every function takes the showcase's numbers (:class:`~kpi_toolkit.report.showcase.ShowcaseReport`, whose
names are already the display names: pseudonyms outside the showcased group when anonymised) and a
:class:`~kpi_toolkit.report.i18n.Translator`. Every word comes from the catalogues (``showcase.*`` in
``locales/<lang>.yml``); numbers are formatted by the translator; data is escaped by
:mod:`kpi_toolkit.report.html`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

import kpi_toolkit
from kpi_toolkit.practices.effects import N_PERMUTATIONS
from kpi_toolkit.practices.features import PRACTICES
from kpi_toolkit.practices.figures import plot_practice_effects, plot_profile, plot_win_rates
from kpi_toolkit.practices.performers import HABITS
from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.report_words import parameter_rows
from kpi_toolkit.report.showcase import ShowcaseReport
from kpi_toolkit.report.site import KeyFigure

__all__ = [
    "caveats",
    "headline",
    "key_figures",
    "measure_label",
    "page_title",
    "practices_figure",
    "practices_section",
    "practices_table",
    "profile_figure",
    "profile_section",
    "provenance",
    "recommendations",
    "regression_section",
    "title",
    "top_section",
]

#: Measures of the profile where a lower value is better (a faster cycle, a quicker first touch).
LOWER_IS_BETTER = ("days_to_close", "hours_to_first_touch")


def _tr(tr: Translator | None) -> Translator:
    return tr or translator("en")


def _share(value: float, tr: Translator) -> str:
    return tr.pct(value)


def measure_label(measure: str, tr: Translator) -> str:
    """The display name of a profile measure or practice (a KPI, a practice, a habit)."""
    for prefix in ("kpi", "showcase.practice", "showcase.habit"):
        if tr.has(f"{prefix}.{measure}"):
            return tr.t(f"{prefix}.{measure}")
    return measure


def page_title(r: ShowcaseReport, tr: Translator | None = None) -> str:
    """The report's title as plain text (the page's ``<title>``, the site's index)."""
    tr = _tr(tr)
    if r.team:
        return tr.t("showcase.title_team", period=tr.period(r.period), team=r.team)
    return tr.t("showcase.title", period=tr.period(r.period))


def title(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """Title and subtitle (scope, how many managers ranked, data as of)."""
    tr = _tr(tr)
    scope = tr.t("showcase.scope_team", team=r.team) if r.team else tr.t("showcase.scope_all")
    subtitle = tr.t(
        "showcase.subtitle",
        scope=scope,
        managers=tr.t("showcase.managers", count=len(r.ranking)),
        date=tr.date(r.data_as_of),
    )
    return html.heading(page_title(r, tr), level=1) + html.paragraphs([subtitle])


def _positive(r: ShowcaseReport) -> pd.DataFrame:
    if r.effects.empty:
        return r.effects
    return r.effects[r.effects["verdict"] == "positive"]


def key_figures(r: ShowcaseReport, tr: Translator | None = None) -> list[KeyFigure]:
    """Key figures: the size of the top group, practices with evidence, leads analysed (no names)."""
    tr = _tr(tr)
    top = len(r.top)
    leads = int(r.effects["n_leads"].max()) if not r.effects.empty else 0
    first, last = r.practice_periods
    return [
        KeyFigure(
            key="top",
            label=tr.t("showcase.figure.top"),
            value=float(top),
            text=tr.t("showcase.figure.top_text", top=tr.count(top), ranked=tr.count(len(r.ranking))),
        ),
        KeyFigure(
            key="practices",
            label=tr.t("showcase.figure.practices"),
            value=float(len(_positive(r))),
            text=tr.count(len(_positive(r))),
        ),
        KeyFigure(
            key="leads",
            label=tr.t("showcase.figure.leads"),
            value=float(leads),
            text=tr.count(leads),
            note=tr.t("showcase.figure.leads_note", first=tr.period(first), last=tr.period(last)),
        ),
    ]


def headline(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """The key figures as a row of labelled numbers."""
    tr = _tr(tr)
    return html.figures_list(key_figures(r, tr), label=tr.t("showcase.key_figures"))


def top_section(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """The ranking: showcased managers by name, the others by pseudonym when anonymised."""
    tr = _tr(tr)
    key = "showcase.top.intro" if r.anonymize else "showcase.top.intro_named"
    intro = [
        tr.t(key, period=tr.period(r.period), share=_share(r.top_share, tr), min_leads=tr.count(r.min_leads))
    ]
    if r.unranked:
        intro.append(tr.t("showcase.top.unranked", count=r.unranked))
    frame = r.ranking.assign(
        group=r.ranking["top"].map({True: tr.t("showcase.top.showcased"), False: tr.t("showcase.top.rest")})
    )
    table = html.table(
        frame,
        columns={  # the name first: it stays in view while the table scrolls sideways on a phone
            "display": tr.t("showcase.top.manager"),
            "rank": tr.t("showcase.top.rank"),
            "value": tr.t("showcase.top.attainment"),
            "leads": tr.t("showcase.top.leads"),
            "group": tr.t("showcase.top.group"),
        },
        formats={"rank": tr.count, "value": tr.rate, "leads": tr.count},
        caption=tr.t("showcase.top.caption", period=tr.period(r.period)),
        row_class=lambda row: "highlight" if row["top"] else "",
        sortable=True,
    )
    return html.section(tr.t("showcase.top.heading"), intro) + table


def _p(value: float, tr: Translator) -> str:
    return tr.p_value(value)


def _mean(measure: str, value: float, tr: Translator) -> str:
    if measure in ("conversion", "plan_attainment"):
        return tr.rate(value)
    if measure in ("touched_within_24h", "had_meeting", "discount"):
        return tr.pct(value, digits=1)
    if measure in ("sales_volume", "average_check"):
        return tr.money(value)
    return tr.number(value, digits=1)


def profile_section(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """The top group against the rest on every measure (descriptive), with Hedges' g and a figure."""
    tr = _tr(tr)
    frame = r.profiles.copy()
    frame["label"] = [measure_label(m, tr) for m in frame["measure"]]
    frame["kind"] = [tr.t(f"showcase.profile.kind.{g}") for g in frame["group"]]
    frame["top_text"] = [_mean(m, v, tr) for m, v in zip(frame["measure"], frame["top_mean"], strict=True)]
    frame["rest_text"] = [_mean(m, v, tr) for m, v in zip(frame["measure"], frame["rest_mean"], strict=True)]
    table = html.table(
        frame,
        columns={
            "label": tr.t("showcase.profile.measure"),
            "kind": tr.t("showcase.profile.group"),
            "top_text": tr.t("showcase.profile.top_mean"),
            "rest_text": tr.t("showcase.profile.rest_mean"),
            "hedges_g": tr.t("showcase.profile.hedges_g"),
            "p_value": tr.t("showcase.profile.p_value"),
        },
        formats={"hedges_g": lambda v: tr.number(v, digits=2), "p_value": lambda v: _p(v, tr)},
        caption=tr.t("showcase.profile.caption", period=tr.period(r.period)),
        sortable=True,
    )
    return html.section(tr.t("showcase.profile.heading"), [tr.t("showcase.profile.intro")]) + table


def profile_figure(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """Hedges' g of every measure as bars (the profile table drawn)."""
    tr = _tr(tr)
    labels = {m: measure_label(m, tr) for m in r.profiles["measure"]}
    ax = plot_profile(
        r.profiles,
        labels=labels,
        xlabel=tr.t("showcase.profile.hedges_g"),
        lower_is_better=LOWER_IS_BETTER,
        number=lambda v: _ratio(v, tr),  # the locale's decimal comma, as few decimals as the tick has
    )
    caption = tr.t("showcase.profile.caption", period=tr.period(r.period))
    return html.figure(ax.figure, alt=caption, caption=caption)


def regression_section(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """Regression to the mean: the top group chosen on the previous period, judged on this one."""
    tr = _tr(tr)
    reg = r.regression.set_index("group")
    previous, current = tr.period(r.period.previous()), tr.period(r.period)
    top, rest = reg.loc["top"], reg.loc["rest"]
    if top["n_managers"] == 0 or rest["n_managers"] == 0 or math.isnan(top["expected_change"]):
        text = tr.t("showcase.regression.missing", previous=previous, current=current)
    else:
        text = tr.t(
            "showcase.regression.text",
            previous=previous,
            current=current,
            top_before=tr.rate(top["previous_mean"]),
            top_after=tr.rate(top["current_mean"]),
            rest_before=tr.rate(rest["previous_mean"]),
            rest_after=tr.rate(rest["current_mean"]),
            expected=tr.pp(100 * top["expected_change"]),
        )
    return html.section(tr.t("showcase.regression.heading"), [text])


def _or(row: pd.Series, tr: Translator) -> str:
    if math.isnan(row["odds_ratio"]):
        return "–"
    interval = tr.t(
        "common.range", low=tr.number(row["ci_low"], digits=2), high=tr.number(row["ci_high"], digits=2)
    )
    return f"{tr.number(row['odds_ratio'], digits=2)} ({interval})"


def practices_table(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """One row per practice: leads, win rates with and without, odds ratio with its interval, verdict."""
    tr = _tr(tr)
    first, last = r.practice_periods
    frame = r.effects.copy()
    frame["label"] = [measure_label(p, tr) for p in frame["practice"]]
    frame["or_text"] = [_or(row, tr) for _, row in frame.iterrows()]
    frame["verdict_text"] = [tr.verdict(v) for v in frame["verdict"]]
    return html.table(
        frame,
        columns={
            "label": tr.t("showcase.practices.practice"),
            "n_leads": tr.t("showcase.practices.leads"),
            "with_rate": tr.t("showcase.practices.with_rate"),
            "without_rate": tr.t("showcase.practices.without_rate"),
            "or_text": tr.t("showcase.practices.odds_ratio"),
            "p_adjusted": tr.t("showcase.practices.p_adjusted"),
            "verdict_text": tr.t("showcase.practices.verdict"),
        },
        formats={
            "n_leads": tr.count,
            "with_rate": tr.rate,
            "without_rate": tr.rate,
            "p_adjusted": lambda v: _p(v, tr),
        },
        sort_by={"or_text": "odds_ratio"},
        caption=tr.t("showcase.practices.caption", first=tr.period(first), last=tr.period(last)),
        row_class=lambda row: "highlight" if row["verdict"] == "positive" else "",
        sortable=True,
    )


def practices_figure(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """Forest plot of the practices' within-manager odds ratios."""
    tr = _tr(tr)
    if r.effects.empty:
        return html.Html("")
    first, last = r.practice_periods
    labels = {p: measure_label(p, tr) for p in r.effects["practice"]}
    ax = plot_practice_effects(
        r.effects, labels=labels, xlabel=tr.t("showcase.practices.odds_ratio"), number=lambda v: _ratio(v, tr)
    )
    caption = tr.t("showcase.practices.caption", first=tr.period(first), last=tr.period(last))
    return html.figure(ax.figure, alt=caption, caption=caption)


def _ratio(value: float, tr: Translator) -> str:
    """An odds ratio as an axis tick: 1, 1,5, 0,75 (as few decimals as it has)."""
    digits = 0 if float(value).is_integer() else 1 if round(value * 10, 6).is_integer() else 2
    return tr.number(value, digits=digits)


def win_rate_figure(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """The win rate with and without each practice to teach (a positive verdict): a figure for a slide."""
    tr = _tr(tr)
    positive = _positive(r)
    if positive.empty:
        return html.Html("")
    labels = {p: measure_label(p, tr) for p in positive["practice"]}
    ax = plot_win_rates(
        positive,
        labels=labels,
        with_label=tr.t("showcase_slide.with"),
        without_label=tr.t("showcase_slide.without"),
        xlabel=tr.t("showcase_slide.xlabel"),
        number=lambda v: tr.rate(v),
    )
    items = [
        tr.t(
            "showcase_slide.alt_item",
            practice=labels[row["practice"]],
            with_rate=tr.rate(row["with_rate"]),
            without_rate=tr.rate(row["without_rate"]),
        )
        for _, row in positive.iterrows()
    ]
    alt = tr.t("showcase_slide.alt", items="; ".join(items))
    return html.figure(ax.figure, alt=alt, caption=tr.t("showcase_slide.caption"))


def practices_section(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """The practices' heading, method, table and, for practices with evidence, the pooled comparison."""
    tr = _tr(tr)
    heading = tr.t("showcase.practices.heading")
    if not r.has_activities or r.effects.empty:
        return html.section(heading, [tr.t("showcase.practices.no_activities")])
    first, last = r.practice_periods
    intro = [
        tr.t(
            "showcase.practices.intro",
            days=tr.count(r.window_days),
            first=tr.period(first),
            last=tr.period(last),
        )
    ]
    pooled = r.pooled.set_index("practice")
    for practice in _positive(r)["practice"]:
        row = pooled.loc[practice]
        if tr.number(row["pooled_odds_ratio"], digits=2) == tr.number(row["odds_ratio"], digits=2):
            continue  # the managers' mix does not change the picture: nothing to say
        intro.append(
            measure_label(practice, tr)
            + ": "
            + tr.t(
                "showcase.practices.pooled",
                pooled=tr.number(row["pooled_odds_ratio"], digits=2),
                within=tr.number(row["odds_ratio"], digits=2),
            )
        )
    return html.section(heading, intro) + practices_table(r, tr)


def recommendations(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """Concrete points a trainer can present: the practices with evidence, and what sets the group apart."""
    tr = _tr(tr)
    items = []
    if not r.effects.empty:
        for _, row in r.effects[r.effects["verdict"] != "no evidence"].iterrows():
            items.append(
                tr.t(
                    f"showcase.recommend.{row['verdict']}",
                    practice=measure_label(row["practice"], tr),
                    with_rate=tr.rate(row["with_rate"]),
                    without_rate=tr.rate(row["without_rate"]),
                    odds_ratio=tr.number(row["odds_ratio"], digits=2),
                    p=_p(row["p_adjusted"], tr),
                )
            )
    if not items:
        items.append(tr.t("showcase.recommend.none"))
    apart = r.profiles[r.profiles["measure"].isin(list(PRACTICES) + list(HABITS))].dropna(subset=["hedges_g"])
    apart = apart.loc[apart["hedges_g"].abs().sort_values(ascending=False, kind="stable").index].head(2)
    if len(apart):
        items.append(
            tr.t(
                "showcase.recommend.apart",
                measures=tr.names(
                    tr.t("report_words.quoted", name=measure_label(m, tr)) for m in apart["measure"]
                ),
            )
        )
    return html.section(tr.t("showcase.recommend.heading"), items)


def caveats(r: ShowcaseReport, tr: Translator | None = None) -> html.Html:
    """What a trainer must say before presenting the findings."""
    tr = _tr(tr)
    items = [tr.t("showcase.caveats.descriptive"), tr.t("showcase.caveats.association")]
    if len(r.ranking) < 20:
        items.append(tr.t("showcase.caveats.few"))
    return html.notes(items, title=tr.t("showcase.caveats.heading"))


def provenance(
    r: ShowcaseReport, tr: Translator | None = None, *, parameters: Mapping[str, Any]
) -> html.Html:
    """How the report was made: parameters, data source, fingerprint, data as of, toolkit version."""
    tr = _tr(tr)
    rows = [{"what": what, "value": value} for what, value in parameter_rows(parameters, tr, empty="–")]
    rows += [
        {"what": tr.t("showcase.provenance.source"), "value": r.source},
        {"what": tr.t("showcase.provenance.fingerprint"), "value": r.data_fingerprint},
        {"what": tr.t("showcase.provenance.data_as_of"), "value": tr.date(r.data_as_of)},
        {"what": tr.t("showcase.provenance.permutations"), "value": tr.count(N_PERMUTATIONS)},
        {"what": tr.t("showcase.provenance.version"), "value": kpi_toolkit.__version__},
    ]
    table = html.table(
        pd.DataFrame(rows),
        columns={"what": tr.t("showcase.provenance.what"), "value": tr.t("showcase.provenance.value")},
        caption=tr.t("showcase.provenance.caption"),
    )
    return html.heading(tr.t("showcase.provenance.heading")) + table
