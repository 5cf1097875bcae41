"""The customer bridge in the reports: the customers behind a change in sales volume, in the report's
language.

Section builders take the frame of :func:`kpi_toolkit.customer_bridge` (plus display names and a
translator) and return HTML, so a notebook shows the same frame it renders.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib.pyplot as plt
import pandas as pd

from kpi_toolkit.figures import plot_customer_bridge
from kpi_toolkit.report import figure_text, html
from kpi_toolkit.report.i18n import Translator, translator
from kpi_toolkit.report.plan_gap_messages import signed

__all__ = ["customer_bridge_section"]

TOTAL = "TOTAL"
_PARTS = ("new", "lost", "increased", "decreased")


def customer_bridge_section(
    bridge: pd.DataFrame,
    tr: Translator | None = None,
    *,
    names: Mapping[str, str] | None = None,
    manager: str | None = None,
) -> html.Html:
    """The change in sales volume split by customers: a sentence for the team (or ``manager``) and a table.

    ``bridge`` is :func:`kpi_toolkit.customer_bridge`'s frame (its ``attrs`` name the periods); ``names``
    maps manager ids to the names shown.

    Examples
    --------
    >>> import kpi_toolkit as kt
    >>> plt.close("all")
    >>> orders = pd.DataFrame({"order_id": ["1", "2", "3"], "manager": ["ann"] * 3,
    ...                        "customer_id": ["a", "a", "b"], "amount": [100.0, 80.0, 50.0],
    ...                        "ordered_at": ["2026-04-01", "2026-08-01", "2026-09-01"]})
    >>> bridge = kt.customer_bridge(kt.from_frames(orders), period="2026Q3")
    >>> section = customer_bridge_section(bridge, translator("en"))
    >>> "from 100 to 130 (+30)" in section, "brought +50" in section
    (True, True)
    """
    tr = tr or translator("en")
    names = dict(names or {})
    period, reference = bridge.attrs.get("period", ""), bridge.attrs.get("reference_period", "")
    rows = bridge.set_index("manager")
    focus = manager if manager and manager in rows.index else TOTAL
    row = rows.loc[focus]
    who = names.get(focus, focus) if focus != TOTAL else tr.t("customer_bridge.everyone")
    if math.isnan(row["baseline"]):
        start = tr.date(pd.Timestamp(bridge.attrs["data_starts"]))
        intro = [tr.t("customer_bridge.unknown", date=start, reference=tr.period(reference))]
    else:
        intro = [
            tr.t(
                "customer_bridge.sentence",
                who=who,
                reference=tr.period(reference),
                baseline=tr.money(row["baseline"]),
                actual=tr.money(row["actual"]),
                change=signed(tr, row["actual"] - row["baseline"]),
                **{part: signed(tr, row[part]) for part in _PARTS},
            )
        ]
    managers = bridge[bridge["manager"] != TOTAL].copy()
    managers["name"] = [names.get(m, m) for m in managers["manager"]]
    managers["_change"] = managers["actual"] - managers["baseline"]
    managers = managers.sort_values(["_change", "manager"], kind="stable", na_position="last")
    total = bridge[bridge["manager"] == TOTAL].assign(name=tr.t("customer_bridge.everyone"))
    columns = {
        "name": tr.t("customer_bridge.col.manager"),
        "baseline": tr.t("customer_bridge.col.baseline", reference=tr.period(reference)),
        **{part: tr.t(f"customer_bridge.col.{part}") for part in _PARTS},
        "actual": tr.t("customer_bridge.col.actual", period=tr.period(period)),
    }
    formats = {part: (lambda v: signed(tr, v)) for part in _PARTS} | {
        "baseline": tr.money,
        "actual": tr.money,
    }
    table = html.table(
        managers,
        columns=columns,
        formats=formats,
        caption=tr.t("customer_bridge.caption"),
        sortable=True,
        footer=total,
    )
    figure = _figure(bridge, tr, focus=focus, who=who, period=period, reference=reference)
    note = html.notes([tr.t("customer_bridge.note")])
    return html.section(tr.t("customer_bridge.heading"), intro) + figure + table + note


def _figure(
    bridge: pd.DataFrame, tr: Translator, *, focus: str, who: str, period: str, reference: str
) -> html.Html:
    """``focus``'s bridge as a waterfall, its values in the alternative text (none without a baseline)."""
    row = bridge.set_index("manager").loc[focus]
    if math.isnan(row["baseline"]):
        return html.Html("")
    _, ax = plt.subplots(figsize=(7.5, 3.8), layout="constrained")
    plot_customer_bridge(
        bridge, manager=focus, ax=ax, **figure_text.bridge(tr, period=period, reference=reference)
    )
    steps = tr.names(f"{tr.t(f'customer_bridge.col.{part}')} {signed(tr, row[part])}" for part in _PARTS)
    alt = tr.t(
        "customer_bridge.figure_alt",
        who=who,
        reference=tr.period(reference),
        baseline=tr.money(row["baseline"]),
        steps=steps,
        actual=tr.money(row["actual"]),
        period=tr.period(period),
    )
    return html.figure(ax.figure, alt=alt, caption=tr.t("customer_bridge.figure_caption"))
