"""The KPI card: its model (frozen dataclasses), and loading it from a YAML file, YAML text or a dict.

``docs/kpi_card.md`` documents every key; ``data/cards/sales_manager.yml`` is a commented example. Loading
validates the whole card and reports every problem at once, each with its key path and YAML line
(:class:`CardError`); a key the card does not know, such as ``treshold``, is an error, never ignored.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

from kpi_toolkit.card.document import CardError, CardProblem, Document, merge_overrides, parse_yaml
from kpi_toolkit.card.rule import payout_factor
from kpi_toolkit.card.validate import check_card
from kpi_toolkit.errors import ParameterError
from kpi_toolkit.periods import Period, parse_period

__all__ = [
    "Card",
    "CardError",
    "CardKpi",
    "CardLike",
    "CardProblem",
    "Gate",
    "PayoutCurve",
    "load_card",
    "parse_card",
]

PeriodKind = Literal["month", "quarter", "year"]
Target = float | Literal["plan"]
_EXAMPLE_LABEL = {"month": "2026-07", "quarter": "2026Q3", "year": "2026"}


@dataclass(frozen=True)
class PayoutCurve:
    """The four numbers that turn an achievement into a payout factor (see :func:`payout_factor`)."""

    threshold: float
    threshold_factor: float
    cap: float
    cap_factor: float

    def factor(self, achievement: float) -> float:
        """The payout factor at ``achievement`` (0 for NaN).

        Examples
        --------
        >>> PayoutCurve(0.8, 0.5, 1.2, 1.5).factor(0.9)
        0.75
        """
        return payout_factor(
            achievement,
            threshold=self.threshold,
            threshold_factor=self.threshold_factor,
            cap=self.cap,
            cap_factor=self.cap_factor,
        )


@dataclass(frozen=True)
class CardKpi:
    """One KPI of a card; ``curve`` is resolved (the card's defaults with this KPI's own values on top)."""

    metric: str
    weight: float
    target: Target
    curve: PayoutCurve
    lower_is_better: bool = False


@dataclass(frozen=True)
class Gate:
    """No bonus at all unless the achievement of ``metric`` is at least ``min_achievement``.

    ``target`` is None when the gate uses the achievement of the card's own KPI on ``metric``;
    ``lower_is_better`` is resolved (the card KPI's direction unless the gate sets its own).
    """

    metric: str
    min_achievement: float
    target: Target | None = None
    lower_is_better: bool = False


@dataclass(frozen=True)
class Card:
    """A validated KPI card. Build it with :func:`load_card`; never by hand (nothing would check it).

    Attributes
    ----------
    name, description
        What the card is called and what it is for.
    period
        The period the card pays for: ``"month"``, ``"quarter"`` or ``"year"``.
    kpis
        The KPIs in the card's order (the order of every result).
    defaults
        The payout curve of a KPI that sets none of its own.
    base_bonus, base_bonus_column
        One of them: the base bonus per period for everyone, or the managers table's column holding each
        manager's own.
    gate
        The gate, or None.
    source
        Where the card came from (a path, ``<string>`` or ``<dict>``), for messages.
    document
        The card as written, with the line of each key: what ``load_card(card, overrides=...)`` merges into.
    """

    name: str
    period: PeriodKind
    kpis: tuple[CardKpi, ...]
    defaults: PayoutCurve
    base_bonus: float | None = None
    base_bonus_column: str | None = None
    gate: Gate | None = None
    description: str = ""
    source: str = field(default="<dict>", compare=False)
    document: Document | None = field(default=None, compare=False, repr=False)

    @property
    def metrics(self) -> tuple[str, ...]:
        """The metrics of the card's KPIs, in the card's order."""
        return tuple(k.metric for k in self.kpis)

    @property
    def required_metrics(self) -> tuple[str, ...]:
        """The KPI columns scoring needs: the card's metrics, then the gate's if it is not on the card."""
        gate = (self.gate.metric,) if self.gate and self.gate.metric not in self.metrics else ()
        return self.metrics + gate

    @property
    def plan_metrics(self) -> tuple[str, ...]:
        """The metrics that need each manager's plan target (``target: plan``), card order then gate."""
        out = [k.metric for k in self.kpis if k.target == "plan"]
        if self.gate and self.gate.target == "plan" and self.gate.metric not in out:
            out.append(self.gate.metric)
        return tuple(out)

    def check_period(self, period: str | Period) -> None:
        """Fail unless ``period`` is of the kind the card pays for.

        Raises
        ------
        ParameterError
            When e.g. a month is passed to a quarterly card.

        Examples
        --------
        >>> card = load_card({"name": "A", "period": "quarter", "base_bonus": 1,
        ...                   "kpis": [{"metric": "orders", "weight": 1, "target": 10}]})
        >>> card.check_period("2026Q3")
        >>> card.check_period("2026-07")
        Traceback (most recent call last):
        ...
        kpi_toolkit.errors.ParameterError: period='2026-07' is a month, but the card 'A' pays per quarter. ...
        """
        parsed = parse_period(period)
        if len(parsed.periods) > 1:  # a Span (2025Q4:2026Q3): a card pays one period
            raise ParameterError(
                f"period={str(period)!r} is a range, but the card {self.name!r} pays one {self.period} at a "
                f"time. Fix: pay each period of the range in turn (e.g. {parsed.last})."
            )
        kind = parsed.kind
        if kind != self.period:
            raise ParameterError(
                f"period={str(period)!r} is a {kind}, but the card {self.name!r} pays per {self.period}. "
                f"Fix: pass a {self.period} (e.g. {_EXAMPLE_LABEL[self.period]}), or use a card for a {kind}."
            )

    def to_dict(self) -> dict[str, Any]:
        """The card as a plain mapping that loads back to an equal card, every curve written out.

        Examples
        --------
        >>> card = load_card({"name": "A", "period": "year", "base_bonus": 5,
        ...                   "kpis": [{"metric": "orders", "weight": 1, "target": 10}]})
        >>> load_card(card.to_dict()) == card
        True
        """
        out: dict[str, Any] = {"name": self.name, "period": self.period}
        if self.description:
            out["description"] = self.description
        if self.base_bonus is not None:
            out["base_bonus"] = self.base_bonus
        else:
            out["base_bonus_column"] = self.base_bonus_column
        out["defaults"] = _curve_dict(self.defaults)
        out["kpis"] = [
            {
                "metric": k.metric,
                "weight": k.weight,
                "target": k.target,
                "lower_is_better": k.lower_is_better,
                **_curve_dict(k.curve),
            }
            for k in self.kpis
        ]
        if self.gate is not None:
            gate = {"metric": self.gate.metric, "min_achievement": self.gate.min_achievement}
            if self.gate.target is not None:
                gate.update(target=self.gate.target, lower_is_better=self.gate.lower_is_better)
            out["gate"] = gate
        return out


def _curve_dict(curve: PayoutCurve) -> dict[str, float]:
    return {f.name: getattr(curve, f.name) for f in fields(curve)}


CardLike = Card | Mapping[str, Any] | str | os.PathLike[str]


def load_card(source: CardLike, *, overrides: Mapping[str, Any] | None = None) -> Card:
    """Load and validate a KPI card from a YAML file, YAML text, a dict, or a card (to apply overrides).

    Parameters
    ----------
    source
        A path to a YAML file (``str`` or :class:`os.PathLike`); YAML text (a ``str`` spanning more than one
        line; see :func:`parse_card` for one-line text); a mapping of the same keys; or a :class:`Card`.
    overrides
        What-if changes deep-merged into the card before it is validated, e.g. ``{"defaults": {"cap": 1.3}}``;
        ``None`` as a value removes a key; ``kpis`` may map a metric to changes of that KPI:
        ``{"kpis": {"conversion": {"weight": 0.4}}}``. Problems in them are reported as "overrides".

    Returns
    -------
    Card
        The validated card, its curves resolved.

    Raises
    ------
    CardError
        Listing every problem of the card, each with its key path and the YAML line it is on (see
        ``docs/kpi_card.md`` for the rules).
    ParameterError
        When the file does not exist or ``overrides`` is not a mapping.

    Notes
    -----
    A missing curve key falls back to the card's ``defaults``, then to the neutral curve (threshold 0,
    threshold_factor 0, cap 1, cap_factor 1: pay in proportion to achievement, never more than the base), so
    a card pays accelerators only where it says so.

    Examples
    --------
    >>> card = load_card('''
    ... name: Sales manager card
    ... period: quarter
    ... base_bonus: 100000
    ... kpis:
    ...   - {metric: sales_volume, weight: 0.5, target: plan}
    ...   - {metric: conversion, weight: 0.5, target: 0.25}
    ... defaults: {threshold: 0.8, threshold_factor: 0.5, cap: 1.2, cap_factor: 1.5}
    ... ''')
    >>> card.metrics, card.plan_metrics, card.kpis[1].curve.cap
    (('sales_volume', 'conversion'), ('sales_volume',), 1.2)
    >>> load_card(card, overrides={"defaults": {"cap": 1.3}}).kpis[1].curve.cap
    1.3
    >>> load_card(card, overrides={"defaults": {"treshold": 0.9}})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kpi_toolkit.card.document.CardError: the KPI card <string> has 1 problem:
      - overrides, defaults.treshold: unknown key 'treshold' (did you mean 'threshold'?)...
    """
    if isinstance(source, Card):
        if overrides is None:
            return source
        if source.document is None:
            document = Document(source.to_dict(), source.source)
        else:
            document = source.document
    elif isinstance(source, Mapping):
        document = Document(copy.deepcopy(dict(source)), "<dict>")
    elif isinstance(source, str) and "\n" in source:
        document = parse_yaml(source, source="<string>")
    elif isinstance(source, str | os.PathLike):
        document = parse_yaml(_read(Path(source)), source=str(source))
    else:
        raise ParameterError(
            f"card must be a path, YAML text, a mapping or a Card, got {type(source).__name__}. "
            "Fix: pass e.g. card='data/cards/sales_manager.yml'."
        )
    return _build(merge_overrides(document, overrides))


def parse_card(text: str, *, source: str = "<string>", overrides: Mapping[str, Any] | None = None) -> Card:
    """Load a card from YAML text (any number of lines); ``source`` names it in messages.

    Examples
    --------
    >>> parse_card("{name: A, period: month, base_bonus: 10, kpis: [{metric: orders, weight: 1, "
    ...            "target: 20}]}").kpis[0].target
    20.0
    """
    return _build(merge_overrides(parse_yaml(text, source=source), overrides))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise ParameterError(
            f"card file {str(path)!r} does not exist. Fix: pass the path of a card's YAML file, e.g. "
            "data/cards/sales_manager.yml (YAML text must span more than one line; or use parse_card)."
        ) from None
    except UnicodeDecodeError as exc:
        problem = CardProblem("(the card)", f"the file is not UTF-8 text ({exc.reason})", "save it as UTF-8")
        raise CardError(str(path), [problem]) from None
    except OSError as exc:  # unreadable, a loop of symbolic links ...
        raise ParameterError(
            f"card file {str(path)!r} cannot be read ({exc.strerror or exc}). Fix: check the path and the "
            "file's permissions."
        ) from None


def _build(document: Document) -> Card:
    checked, problems = check_card(document)
    if problems:
        in_order = sorted(problems, key=lambda p: (p.from_overrides, p.line or 0))
        raise CardError(document.source, in_order)
    curve = PayoutCurve(**checked["defaults"])
    kpis = tuple(
        CardKpi(k["metric"], k["weight"], k["target"], PayoutCurve(**k["curve"]), k["lower_is_better"])
        for k in checked["kpis"]
    )
    gate = Gate(**checked["gate"]) if checked["gate"] is not None else None
    return Card(
        name=checked["name"],
        period=checked["period"],
        kpis=kpis,
        defaults=curve,
        base_bonus=checked["base_bonus"],
        base_bonus_column=checked["base_bonus_column"],
        gate=gate,
        description=checked["description"],
        source=document.source,
        document=document,
    )
