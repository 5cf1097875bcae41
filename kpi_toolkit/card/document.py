"""A card as written: its YAML with the line of every key, overrides merged in, and its values read.

:mod:`kpi_toolkit.card.validate` checks the plain mapping this module gives it and reports each problem at a
key path (``kpis[1].weight``); this module knows where that key path was written: a line of the YAML file,
the ``overrides``, or a dict (no line). It also rejects what ``yaml.safe_load`` would silently accept: a key
written twice in one mapping (safe_load keeps the last). :class:`Reader` reads typed values (numbers, text,
true/false, mappings with known keys) and records a located problem for each wrong one.
"""

from __future__ import annotations

import copy
import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from kpi_toolkit.errors import ParameterError
from kpi_toolkit.yamlfiles import YamlTooLarge, compose

__all__ = [
    "MISSING",
    "CardError",
    "CardProblem",
    "Document",
    "KeyPath",
    "Reader",
    "format_key",
    "merge_overrides",
    "parse_yaml",
    "show",
]

KeyPath = tuple[str | int, ...]
#: What :meth:`Reader.get` returns for a key the mapping does not have.
MISSING = object()


def format_key(path: KeyPath) -> str:
    """Write a key path as a reader finds it in the card: ``kpis[1].weight``.

    Examples
    --------
    >>> format_key(("kpis", 1, "weight")), format_key(())
    ('kpis[1].weight', '(the card)')
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(the card)"


@dataclass(frozen=True)
class CardProblem:
    """One thing wrong with a card: the key path, where it was written, what is wrong and how to fix it."""

    key: str
    problem: str
    fix: str = ""
    line: int | None = None
    from_overrides: bool = False

    def describe(self) -> str:
        where = "overrides" if self.from_overrides else (f"line {self.line}" if self.line else "")
        text = f"{where}, {self.key}" if where else self.key
        text += f": {self.problem}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


class CardError(ParameterError):
    """A KPI card is invalid; ``problems`` lists every problem found, each with its key path and line."""

    def __init__(self, source: str, problems: Sequence[CardProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        n = len(self.problems)
        head = f"the KPI card {source} has {n} problem{'s' if n != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {p.describe()}" for p in self.problems)]))


@dataclass(frozen=True)
class Document:
    """A card as written: the plain mapping, the line of each key path, and the paths set by overrides."""

    mapping: Mapping[str, Any]
    source: str
    lines: Mapping[KeyPath, int] = field(default_factory=dict)
    overridden: frozenset[KeyPath] = frozenset()

    def problem(self, path: KeyPath, problem: str, fix: str = "") -> CardProblem:
        """A problem at ``path``, located at the line of the key, or of the nearest enclosing key."""
        from_overrides = any(path[:n] in self.overridden for n in range(len(path) + 1))
        line = next((self.lines[path[:n]] for n in range(len(path), -1, -1) if path[:n] in self.lines), None)
        return CardProblem(format_key(path), problem, fix, None if from_overrides else line, from_overrides)


def parse_yaml(text: str, *, source: str) -> Document:
    """Parse a card's YAML text into a :class:`Document` with the (1-based) line of every key and item.

    Raises
    ------
    CardError
        When the text is not YAML, holds more than one document, or writes a key twice in one mapping.

    Examples
    --------
    >>> doc = parse_yaml("name: A\\nkpis:\\n  - metric: orders\\n    weight: 1\\n", source="<string>")
    >>> doc.mapping["kpis"][0]["weight"], doc.lines[("kpis", 0, "weight")]
    (1, 4)
    """
    try:
        root = compose(text)
    except YamlTooLarge as exc:
        fix = "write the values out, or use fewer aliases"
        raise CardError(source, [CardProblem("(the card)", str(exc), fix)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        fix = "check the indentation, colons and brackets around that line"
        raise CardError(source, [CardProblem("(the card)", f"not valid YAML: {what}", fix, line)]) from None
    lines: dict[KeyPath, int] = {}
    problems: list[CardProblem] = []
    mapping = {} if root is None else _to_python(root, (), lines, problems)
    if root is not None:
        lines[()] = root.start_mark.line + 1
    if problems:
        raise CardError(source, problems)
    return Document(mapping, source, lines)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _to_python(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], problems: list) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _CONSTRUCTOR.construct_object(key_node, deep=True)
            key = key if isinstance(key, str) else str(key)
            line = key_node.start_mark.line + 1
            if key in out:
                problems.append(
                    CardProblem(
                        format_key((*path, key)),
                        f"the key is written twice (lines "
                        f"{lines[(*path, key)]} and {line}); YAML would keep only the last",
                        "keep one of them",
                        line,
                    )
                )
                continue
            lines[(*path, key)] = line
            out[key] = _to_python(value_node, (*path, key), lines, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            items.append(_to_python(item, (*path, i), lines, problems))
        return items
    return _CONSTRUCTOR.construct_object(node, deep=True)


def merge_overrides(document: Document, overrides: Mapping[str, Any] | None) -> Document:
    """Deep-merge ``overrides`` into the card, recording which key paths they set.

    Mappings merge key by key; any other value replaces what was there; ``None`` removes the key (e.g.
    ``{"gate": None}`` drops the gate). ``kpis`` may be given as a list (replacing the card's KPIs) or as a
    mapping from metric to changes, merged into the KPI with that metric: ``{"kpis": {"conversion":
    {"weight": 0.4}}}``.

    Raises
    ------
    ParameterError
        When ``overrides`` is not a mapping.
    CardError
        When ``kpis`` names a metric the card has no KPI for.

    Examples
    --------
    >>> doc = Document({"defaults": {"cap": 1.2, "cap_factor": 1.5}}, "<dict>")
    >>> merge_overrides(doc, {"defaults": {"cap": 1.3}}).mapping
    {'defaults': {'cap': 1.3, 'cap_factor': 1.5}}
    """
    if overrides is None:
        return document
    if not isinstance(overrides, Mapping):
        raise ParameterError(
            f"overrides must be a mapping (a dict merged into the card), got {type(overrides).__name__}. "
            'Fix: pass e.g. overrides={"defaults": {"cap": 1.3}}.'
        )
    touched: set[KeyPath] = set(document.overridden)
    problems: list[CardProblem] = []
    mapping = _merge(document.mapping, overrides, (), touched, problems)
    if problems:
        raise CardError(document.source, problems)
    return Document(mapping, document.source, document.lines, frozenset(touched))


def _merge(base: Any, change: Any, path: KeyPath, touched: set[KeyPath], problems: list) -> Any:
    if path == ("kpis",) and isinstance(change, Mapping):
        return _merge_kpis(base, change, touched, problems)
    if not (isinstance(change, Mapping) and isinstance(base, Mapping)):
        touched.add(path)
        return copy.deepcopy(change)
    out = dict(base)
    for key, value in change.items():
        if value is None:
            out.pop(key, None)
            touched.add((*path, key))
        else:
            out[key] = _merge(base.get(key), value, (*path, key), touched, problems)
    return out


def _merge_kpis(base: Any, change: Mapping[str, Any], touched: set[KeyPath], problems: list) -> Any:
    kpis = list(base) if isinstance(base, list) else []
    metrics = [k.get("metric") if isinstance(k, Mapping) else None for k in kpis]
    for metric, value in change.items():
        if metric not in metrics:
            problems.append(
                CardProblem(
                    f"kpis.{metric}",
                    f"the card has no KPI with metric {metric!r}",
                    f"name one of {[m for m in metrics if m]}, or give kpis as a list to replace them all",
                    from_overrides=True,
                )
            )
            continue
        if not isinstance(value, Mapping):
            problems.append(
                CardProblem(
                    f"kpis.{metric}",
                    f"changes to a KPI must be a mapping, got {show(value)}",
                    "give e.g. {'weight': 0.4}; to remove or add KPIs give kpis as a list",
                    from_overrides=True,
                )
            )
            continue
        i = metrics.index(metric)
        kpis[i] = _merge(kpis[i], value, ("kpis", i), touched, problems)
    return kpis


#: How many characters of a value a message quotes (a file that is no card must not be echoed whole).
SHOWN = 60


def show(value: Any) -> str:
    """A value as a message shows it: ``'week' (text)``; a long one cut short, with its length.

    >>> show("week"), show(["x"] * 3)
    ("'week' (text)", "['x', 'x', 'x'] (a list)")
    >>> show("root:x:0:0:root:/root:/bin/bash " * 40)
    "'root:x:0:0:root:/root:/bin/bash root:x:0:0:root:/root:/bin…' (text of 1280 characters)"
    """
    kind = {str: "text", bool: "true/false", list: "a list", dict: "a mapping", type(None): "empty"}
    text = repr(value)
    if len(text) > SHOWN:
        size = f"{len(value)} characters" if isinstance(value, str) else f"{len(value)} items"
        size = size if isinstance(value, str | list | dict) else f"{len(text)} characters"
        what = kind.get(type(value), type(value).__name__)
        return f"{text[: SHOWN - 1]}…{text[0] if isinstance(value, str) else ''} ({what} of {size})"
    return f"{text} ({kind[type(value)]})" if type(value) in kind else text


class Reader:
    """Reads typed values out of a document, recording a located problem for each one that is wrong."""

    def __init__(self, document: Document) -> None:
        self.doc = document
        self.problems: list[CardProblem] = []

    def add(self, path: KeyPath, problem: str, fix: str = "") -> None:
        self.problems.append(self.doc.problem(path, problem, fix))

    def mapping(self, value: Any, path: KeyPath, allowed: tuple[str, ...]) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.add(
                path,
                f"must be a mapping of keys, got {show(value)}",
                f"write keys among {', '.join(allowed)}",
            )
            return None
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.add(
                    (*path, str(key)[:SHOWN]),
                    f"unknown key {repr(key)[:SHOWN]}{hint}",
                    f"use only {', '.join(allowed)}",
                )
        return value

    def get(self, m: Mapping[str, Any], path: KeyPath, key: str, *, required: bool, fix: str = "") -> Any:
        if key not in m:
            if required:
                self.add((*path, key), f"{key} is missing", fix)
            return MISSING
        return m[key]

    def number(
        self, m: Mapping[str, Any], path: KeyPath, key: str, *, required: bool = False, fix: str = ""
    ) -> float | None:
        value = self.get(m, path, key, required=required, fix=fix)
        if value is MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add((*path, key), f"{key} must be a number, got {show(value)}", fix)
            return None
        if not math.isfinite(value):
            self.add((*path, key), f"{key} must be a finite number, got {value}", fix)
            return None
        return float(value)

    def flag(self, m: Mapping[str, Any], path: KeyPath, key: str) -> bool | None:
        value = self.get(m, path, key, required=False)
        if value is MISSING:
            return None
        if not isinstance(value, bool):
            self.add((*path, key), f"{key} must be true or false, got {show(value)}", "write true or false")
            return None
        return value

    def text(self, m: Mapping[str, Any], path: KeyPath, key: str, *, required: bool, fix: str) -> str | None:
        value = self.get(m, path, key, required=required, fix=fix)
        if value is MISSING:
            return None
        if not isinstance(value, str) or not value.strip():
            self.add((*path, key), f"{key} must be non-empty text, got {show(value)}", fix)
            return None
        return value.strip()
