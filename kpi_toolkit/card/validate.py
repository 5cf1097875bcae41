"""The rules a KPI card must keep, checked all at once, each broken rule located at its key and line.

:func:`check_card` turns a :class:`~kpi_toolkit.card.document.Document` into the plain values that
:mod:`kpi_toolkit.card.spec` builds the card from, and lists every problem. ``docs/kpi_card.md`` lists
the rules.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from typing import Any

from kpi_toolkit.card.document import MISSING, CardProblem, Document, KeyPath, Reader, format_key, show
from kpi_toolkit.kpis import KPI_COLUMNS
from kpi_toolkit.schema import PLAN_METRICS

__all__ = [
    "CARD_METRICS",
    "CURVE_KEYS",
    "GATE_KEYS",
    "KPI_KEYS",
    "NEUTRAL_CURVE",
    "PERIOD_KINDS",
    "TOP_KEYS",
    "WEIGHT_TOLERANCE",
    "check_card",
]

#: Metrics a card may pay for: the columns of ``manager_kpis`` except ``sales_plan`` (a target, not a result).
CARD_METRICS = tuple(column for column in KPI_COLUMNS if column != "sales_plan")
PERIOD_KINDS = ("month", "quarter", "year")
#: How far the sum of the weights may be from 1 (floating-point noise only: 0.1 + 0.2 + 0.7 passes).
WEIGHT_TOLERANCE = 1e-9
CURVE_KEYS = ("threshold", "threshold_factor", "cap", "cap_factor")
#: The curve of a card that sets none: pay in proportion to achievement, never more than the base.
NEUTRAL_CURVE = {"threshold": 0.0, "threshold_factor": 0.0, "cap": 1.0, "cap_factor": 1.0}
TOP_KEYS = ("name", "description", "period", "base_bonus", "base_bonus_column", "kpis", "defaults", "gate")
KPI_KEYS = ("metric", "weight", "target", "lower_is_better", *CURVE_KEYS)
GATE_KEYS = ("metric", "min_achievement", "target", "lower_is_better")
Resolved = dict[str, tuple[float, KeyPath | None]]


def check_card(document: Document) -> tuple[dict[str, Any], list[CardProblem]]:
    """Check a card document; return its values (valid only when there are no problems) and the problems.

    Examples
    --------
    >>> doc = Document({"name": "A", "period": "week", "base_bonus": 1,
    ...                 "kpis": [{"metric": "orders", "weight": 1, "target": 5}]}, "<dict>")
    >>> print(check_card(doc)[1][0].describe())
    period: period must be month, quarter or year, got 'week' (text). Fix: write the period the card pays for
    """
    return _Checker(document).card()


class _Checker(Reader):
    """Reads a card document and records every broken rule."""

    def metric(self, m: Mapping[str, Any], path: KeyPath) -> str | None:
        allowed = ", ".join(CARD_METRICS)
        value = self.get(m, path, "metric", required=True, fix=f"name one of {allowed}")
        if value is MISSING:
            return None
        if value not in CARD_METRICS:
            close = difflib.get_close_matches(str(value), CARD_METRICS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            self.add(
                (*path, "metric"),
                f"unknown metric {value!r}{hint}; allowed: {allowed}",
                "use one of the allowed metric names",
            )
            return None
        return value

    def target(self, m: Mapping[str, Any], path: KeyPath, metric: str | None, *, required: bool) -> Any:
        fix = "write target: plan (the manager's plan for this metric) or a number above 0, e.g. 0.25"
        value = self.get(m, path, "target", required=required, fix=fix)
        if value is MISSING or value == "plan":
            if value == "plan" and metric is not None and metric not in PLAN_METRICS:
                plans = [p for p in PLAN_METRICS if p in CARD_METRICS]
                self.add(
                    (*path, "target"),
                    f"target: plan, but plans hold no target for {metric!r} (they hold {', '.join(plans)})",
                    "give the target as a number",
                )
            return None if value is MISSING else "plan"
        number = self.number(m, path, "target", fix=fix)
        if number is not None and number <= 0:
            self.add(
                (*path, "target"), f"target must be above 0 (achievement divides by it), got {number:g}", fix
            )
            return None
        return number

    def curve(self, m: Mapping[str, Any], path: KeyPath) -> Resolved | None:
        """The curve keys set at ``path``, each checked on its own; None if any is invalid."""
        rules = {
            "threshold": (lambda v: v >= 0, "at least 0"),
            "threshold_factor": (lambda v: 0 <= v <= 1, "from 0 to 1 (the factor paid at the threshold)"),
            "cap": (lambda v: v >= 1, "at least 1 (the target)"),
            "cap_factor": (lambda v: v >= 1, "at least 1 (the factor at the target)"),
        }
        values: Resolved = {}
        valid = True
        for key, (ok, allowed) in rules.items():
            value = self.number(m, path, key, fix=f"write {key} as a number {allowed}")
            if value is None:
                valid = valid and key not in m
            elif not ok(value):
                self.add((*path, key), f"{key} must be {allowed}, got {value:g}", f"set {key} {allowed}")
                valid = False
            else:
                values[key] = (value, (*path, key))
        return values if valid else None

    def cross_check(self, curve: Resolved, own: Resolved) -> None:
        """Rules between the keys of a resolved curve, reported where one of them is set by ``own``."""
        (th, th_at), (cap, cap_at), (cf, cf_at) = curve["threshold"], curve["cap"], curve["cap_factor"]

        def where(at: KeyPath | None) -> str:
            return format_key(at) if at else "the neutral default"

        if th > cap and ("threshold" in own or "cap" in own):
            self.add(
                own["threshold" if "threshold" in own else "cap"][1] or (),
                f"threshold {th:g} ({where(th_at)}) is above cap {cap:g} ({where(cap_at)})",
                "keep threshold <= 1 <= cap, e.g. threshold 0.8 and cap 1.2",
            )
        elif th > 1 and "threshold" in own:
            self.add(
                own["threshold"][1] or (),
                f"threshold {th:g} is above 1: the factor reaches 1 at the target (achievement 1), so "
                "the threshold must be at or below it",
                "set threshold to at most 1, e.g. 0.8",
            )
        if cap == 1 and cf != 1 and ("cap" in own or "cap_factor" in own):
            self.add(
                own["cap_factor" if "cap_factor" in own else "cap"][1] or (),
                f"cap is 1 ({where(cap_at)}) but cap_factor is {cf:g} ({where(cf_at)}): the factor "
                "would jump at the target",
                "raise cap above 1, or set cap_factor to 1",
            )

    def card(self) -> tuple[dict[str, Any], list[CardProblem]]:
        root = self.mapping(self.doc.mapping, (), TOP_KEYS)
        if root is None:
            return {}, self.problems
        out: dict[str, Any] = {
            "name": self.text(root, (), "name", required=True, fix="give the card a name"),
            "description": self.text(root, (), "description", required=False, fix="describe the card"),
        }
        out["description"] = out["description"] or ""
        period = self.get(root, (), "period", required=True, fix="add period: month, quarter or year")
        if period is not MISSING and period not in PERIOD_KINDS:
            self.add(
                ("period",),
                f"period must be month, quarter or year, got {show(period)}",
                "write the period the card pays for",
            )
        out["period"] = period
        self.base_bonus(root, out)
        own: Resolved | None = {}
        if "defaults" in root:
            given = self.mapping(root["defaults"], ("defaults",), CURVE_KEYS)
            own = None if given is None else self.curve(given, ("defaults",))
        defaults = None if own is None else {k: (v, None) for k, v in NEUTRAL_CURVE.items()} | own
        if defaults is not None and own is not None:
            self.cross_check(defaults, own)
        out["defaults"] = {k: v for k, (v, _) in (defaults or {}).items()}
        out["kpis"] = self.kpis(root, defaults)
        out["gate"] = self.gate(root, out["kpis"]) if "gate" in root else None
        return out, self.problems

    def base_bonus(self, root: Mapping[str, Any], out: dict[str, Any]) -> None:
        fix = (
            "keep one: base_bonus (one amount per period for everyone) or base_bonus_column (a column of "
            "the managers table with each manager's own)"
        )
        if "base_bonus" in root and "base_bonus_column" in root:
            self.add(("base_bonus_column",), "both base_bonus and base_bonus_column are given", fix)
        elif "base_bonus" not in root and "base_bonus_column" not in root:
            self.add(
                (),
                "neither base_bonus nor base_bonus_column is given",
                "add base_bonus: 100000 (per period, for everyone) or base_bonus_column: bonus_base",
            )
        out["base_bonus"] = self.number(root, (), "base_bonus", fix="write the amount, e.g. 100000")
        if out["base_bonus"] is not None and out["base_bonus"] < 0:
            self.add(
                ("base_bonus",), f"base_bonus is negative ({out['base_bonus']:g})", "write an amount >= 0"
            )
        out["base_bonus_column"] = self.text(
            root,
            (),
            "base_bonus_column",
            required=False,
            fix="name a column of the managers table, e.g. bonus_base",
        )

    def kpis(self, root: Mapping[str, Any], defaults: Resolved | None) -> list[dict[str, Any]]:
        items = self.get(
            root, (), "kpis", required=True, fix="list the KPIs, each with metric, weight, target"
        )
        if items is MISSING:
            return []
        if not isinstance(items, list) or not items:
            self.add(
                ("kpis",),
                f"kpis must be a non-empty list, got {show(items)}",
                "list the KPIs, each with metric, weight and target",
            )
            return []
        out, seen, weights = [], {}, []
        for i, item in enumerate(items):
            path: KeyPath = ("kpis", i)
            m = self.mapping(item, path, KPI_KEYS)
            if m is None:
                weights.append(None)
                continue
            metric = self.metric(m, path)
            if metric is not None and metric in seen:
                self.add(
                    (*path, "metric"),
                    f"metric {metric!r} is on the card twice (kpis[{seen[metric]}] and kpis[{i}])",
                    "keep one KPI per metric",
                )
            elif metric is not None:
                seen[metric] = i
            weight = self.number(m, path, "weight", required=True, fix="write a weight from 0 to 1")
            if weight is not None and weight < 0:
                self.add(
                    (*path, "weight"),
                    f"weight is negative ({weight:g})",
                    "use weights from 0 to 1 that add up to 1",
                )
                weight = None
            weights.append(weight)
            target = self.target(m, path, metric, required=True)
            own = self.curve(m, path)
            curve = None if own is None or defaults is None else defaults | own
            if curve is not None and own:
                self.cross_check(curve, own)
            out.append(
                {
                    "metric": metric,
                    "weight": weight,
                    "target": target,
                    "lower_is_better": bool(self.flag(m, path, "lower_is_better")),
                    "curve": {k: v for k, (v, _) in (curve or {}).items()},
                }
            )
        if None not in weights and abs(math.fsum(weights) - 1) > WEIGHT_TOLERANCE:
            terms = " + ".join(f"{w:g}" for w in weights)
            self.add(
                ("kpis",),
                f"the weights add up to {math.fsum(weights):g} ({terms}), not 1",
                "change the weights so that they add up to 1 (within 1e-9)",
            )
        return out

    def gate(self, root: Mapping[str, Any], kpis: list[dict[str, Any]]) -> dict[str, Any] | None:
        m = self.mapping(root["gate"], ("gate",), GATE_KEYS)
        if m is None:
            return None
        metric = self.metric(m, ("gate",))
        floor = self.number(
            m,
            ("gate",),
            "min_achievement",
            required=True,
            fix="write the lowest achievement that lets a bonus through, e.g. 0.7",
        )
        if floor is not None and floor < 0:
            self.add(
                ("gate", "min_achievement"), f"min_achievement is negative ({floor:g})", "use a value >= 0"
            )
        target = self.target(m, ("gate",), metric, required=False)
        lower = self.flag(m, ("gate",), "lower_is_better")
        on_card = {k["metric"]: k for k in kpis if k["metric"] is not None}
        if metric is not None and "target" not in m:
            if metric not in on_card:
                self.add(
                    ("gate", "metric"),
                    f"the gate's metric {metric!r} is not on the card and the gate has no target of its own",
                    "add target: plan (or a number) to the gate, or gate on "
                    f"one of the card's metrics ({', '.join(on_card) or 'none'})",
                )
            elif lower is not None:
                self.add(
                    ("gate", "lower_is_better"),
                    "lower_is_better on a gate without its own target: the "
                    "gate uses the card KPI's achievement",
                    "set it on the KPI, or give the gate a target",
                )
        if lower is None:
            lower = on_card[metric]["lower_is_better"] if metric in on_card else False
        return {"metric": metric, "min_achievement": floor, "target": target, "lower_is_better": lower}
