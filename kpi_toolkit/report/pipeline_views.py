"""The plan-gap report's pipeline section and pipeline alert, built from public frames.

:func:`pipeline_section` takes the frames of :func:`kpi_toolkit.pipeline` and :func:`kpi_toolkit.cycle_times`;
:func:`pipeline_alerts` those of :func:`kpi_toolkit.pipeline` and :func:`kpi_toolkit.pacing`. Every word comes
from the catalogues' ``pipeline:`` section, every number is formatted by the translator, names are escaped by
:mod:`kpi_toolkit.report.html`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from kpi_toolkit.report import html
from kpi_toolkit.report.i18n import Translator, translator

__all__ = ["pipeline_alerts", "pipeline_section", "short_of_plan"]

TOTAL = "TOTAL"


def short_of_plan(pipe: pd.DataFrame, pace: pd.DataFrame) -> pd.DataFrame:
    """The managers whose open pipeline cannot close what is left of the plan.

    A manager with something still to make (``remaining_target > 0``) whose pacing pipeline projection
    (the volume to date plus the weighted open leads expected to be won by the period's end, calibrated on
    earlier periods: :func:`kpi_toolkit.pacing`) stays below the target even at the top of its interval
    (``pipeline_high < target``). A weighted coverage below 1 alone is no alarm in the middle of a period:
    the leads still to be created and repeat orders are not in the pipeline; the calibrated projection
    counts them as earlier periods did. Without a pipeline projection (no leads, too little history, a
    complete period) nobody is named. Rows of ``pipe`` (without ``TOTAL``) joined with the projection's
    ``pipeline_high``.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> pipe = kt.pipeline(data, period="2026Q3", as_of="2026-08-15")
    >>> pace = kt.pacing(data, period="2026Q3", as_of="2026-08-15")
    >>> short_of_plan(pipe, pace)["manager"].tolist()
    ['M05', 'M06', 'M07', 'M10', 'M11', 'M15']
    """
    rows = pipe[pipe["manager"] != TOTAL].merge(
        pace[["manager", "pipeline_high"]].astype({"manager": "string"}), on="manager", how="left"
    )
    short = (rows["remaining_target"] > 0) & (rows["pipeline_high"] < rows["target"])
    return rows[short.fillna(False)].reset_index(drop=True)


def pipeline_alerts(
    pipe: pd.DataFrame | None,
    pace: pd.DataFrame,
    *,
    names: Mapping[str, str],
    tr: Translator | None = None,
    manager: str | None = None,
) -> list[str]:
    """One sentence per manager of :func:`short_of_plan` (only ``manager`` when given), as the plan-gap
    report's alert list shows it; none without a pipeline (``pipe`` is ``None``: no leads)."""
    tr = tr or translator("en")
    if pipe is None:
        return []
    short = short_of_plan(pipe, pace)
    if manager:
        short = short[short["manager"] == manager]
    items = []
    for _, row in short.iterrows():
        what = tr.t(
            "pipeline.alert",
            weighted=tr.money(row["weighted_value"]),
            remaining=tr.money(row["remaining_target"]),
            coverage=tr.pct(row["weighted_coverage"]),
            high=tr.money(row["pipeline_high"]),
            target=tr.money(row["target"]),
        )
        manager = str(row["manager"])
        items.append(tr.t("pipeline.alert_item", name=names.get(manager, manager), what=what))
    return items


def _interval(tr: Translator, low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "–"
    return tr.t("pipeline.days_range", low=tr.number(low), high=tr.number(high))


def pipeline_section(
    pipe: pd.DataFrame | None,
    cycles: pd.DataFrame | None,
    *,
    names: Mapping[str, str],
    tr: Translator | None = None,
    manager: str | None = None,
) -> html.Html:
    """The open pipeline per manager (coverage of the plan still to make, stale leads) and deal cycle times;
    nothing without them (``None``: the data set has no leads).

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> data = kt.from_frames(**make_demo_data())
    >>> pipe = kt.pipeline(data, period="2026Q3", as_of="2026-08-15")
    >>> cycles = kt.cycle_times(data, periods="2025Q4:2026Q3", as_of="2026-08-15")
    >>> page = pipeline_section(pipe, cycles, names={"M05": "Elena <Smirnova>"})
    >>> "Elena &lt;Smirnova&gt;" in page and "<table" in page
    True
    """
    tr = tr or translator("en")
    if pipe is None or cycles is None:
        return html.Html("")
    attrs = pipe.attrs
    total = pipe[pipe["manager"] == TOTAL].iloc[0]
    rows = pipe[pipe["manager"] != TOTAL]
    if manager:
        rows = rows[rows["manager"] == manager]
    rows = rows.assign(name=[names.get(str(m), str(m)) for m in rows["manager"]])
    rows = rows.sort_values(["weighted_coverage", "manager"], na_position="last", kind="stable")
    when = {"period": tr.period(attrs.get("period", "")), "date": tr.date(attrs.get("as_of"))}
    intro = []
    if total["remaining_target"] > 0:
        intro.append(
            tr.t(
                "pipeline.intro",
                **when,
                open=tr.count(total["open_leads"]),
                value=tr.money(total["open_value"]),
                weighted=tr.money(total["weighted_value"]),
                remaining=tr.money(total["remaining_target"]),
                coverage=tr.pct(total["weighted_coverage"]),
            )
        )
    else:
        intro.append(
            tr.t(
                "pipeline.intro_met",
                **when,
                open=tr.count(total["open_leads"]),
                value=tr.money(total["open_value"]),
                weighted=tr.money(total["weighted_value"]),
            )
        )
    intro.append(tr.t(f"pipeline.chance_{attrs.get('chance_by', 'age')}"))
    intro.append(tr.t("pipeline.weighted_note"))
    stale = rows[rows["stale_leads"] > 0].sort_values("stale_leads", ascending=False, kind="stable")
    if len(stale):
        most = [
            tr.t("pipeline.stale_item", name=n, count=tr.count(k))
            for n, k in zip(stale["name"].head(3), stale["stale_leads"].head(3), strict=True)
        ]
        intro.append(tr.t("pipeline.stale", count=int(stale["stale_leads"].sum()), names=tr.names(most)))
    money = ("open_value", "weighted_value", "remaining_target")
    table = html.table(
        rows,
        columns={
            "name": tr.t("pipeline.col.manager"),
            "open_leads": tr.t("pipeline.col.open_leads"),
            "open_value": tr.t("pipeline.col.open_value"),
            "weighted_value": tr.t("pipeline.col.weighted_value"),
            "remaining_target": tr.t("pipeline.col.remaining"),
            "coverage": tr.t("pipeline.col.coverage"),
            "weighted_coverage": tr.t("pipeline.col.weighted_coverage"),
            "median_age_days": tr.t("pipeline.col.median_age"),
            "stale_leads": tr.t("pipeline.col.stale"),
        },
        formats={
            **{c: tr.money for c in money},
            "open_leads": tr.count,
            "stale_leads": tr.count,
            "coverage": tr.pct,
            "weighted_coverage": tr.pct,
            "median_age_days": tr.number,
        },
        sortable=True,
        caption=tr.t("pipeline.caption"),
    )
    times = cycles[cycles["manager"] != TOTAL]
    if manager:
        times = times[times["manager"] == manager]
    times = times.assign(
        name=[names.get(str(m), str(m)) for m in times["manager"]],
        interval=[
            _interval(tr, lo, hi) for lo, hi in zip(times["median_low"], times["median_high"], strict=True)
        ],
    )
    team = cycles[cycles["manager"] == TOTAL].iloc[0]
    cycle_intro = [
        tr.t(
            "pipeline.cycle_intro",
            periods=tr.names([tr.period(p) for p in cycles.attrs.get("periods", [])]),
            date=tr.date(cycles.attrs.get("as_of")),
            median=tr.number(team["median_days_to_win"]),
            interval=_interval(tr, team["median_low"], team["median_high"]),
        )
    ]
    cycle_table = html.table(
        times,
        columns={
            "name": tr.t("pipeline.col.manager"),
            "won": tr.t("pipeline.col.won"),
            "lost": tr.t("pipeline.col.lost"),
            "open": tr.t("pipeline.col.open"),
            "median_days_to_win": tr.t("pipeline.col.median_to_win"),
            "interval": tr.t("pipeline.col.interval"),
            "median_days_to_close": tr.t("pipeline.col.median_to_close"),
        },
        formats={
            "won": tr.count,
            "lost": tr.count,
            "open": tr.count,
            "median_days_to_win": tr.number,
            "median_days_to_close": tr.number,
        },
        sort_by={"interval": "median_low"},
        sortable=True,
        caption=tr.t("pipeline.cycle_caption"),
    )
    return (
        html.section(tr.t("pipeline.heading"), intro)
        + table
        + html.section(tr.t("pipeline.cycle_heading"), cycle_intro, level=3)
        + cycle_table
    )
