"""Links between the reports of a site, and one index per language (issue 20, item 10).

A report's navigation bar (written by :func:`kpi_toolkit.report.site.build_site`) links to the reports that
answer its reader's next question, when they have been rendered into the same folder, in the same language:

* the quarterly report -> the manager comparison (of the quarter, or of the year it belongs to), the plan-gap
  report and the KPI card of the same period and team, and the per-manager reports of the period (their row
  in the index: there are many);
* a per-manager report -> the plan-gap report about that manager (else the team's), and the KPI card of the
  period.

The same links go into a report's body: its paragraph of related reports (:func:`body_links`: the commands,
or for a reader who runs none plain words, when alone), and the words of a sentence that name another report
(:func:`report_ref`, :func:`link_words`: plain words when alone). :func:`set_body_links` fills both.

The links are relative (a copied folder keeps working) and are rebuilt with the site, so a report rendered
later is linked from the reports rendered before it. The index is written once per language that has
reports: ``index.html`` in the site's default language and ``index.<lang>.html`` in the others
(:func:`index_name`), so its language never follows the last command run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import escape

from kpi_toolkit.report.i18n import Translator

__all__ = [
    "DEFAULT_LANG",
    "body_links",
    "index_name",
    "link_words",
    "related_links",
    "report_ref",
    "set_body_links",
]

#: The language of ``index.html``; every other language's index is ``index.<lang>.html``.
DEFAULT_LANG = "en"


def index_name(lang: str, default: str = DEFAULT_LANG) -> str:
    """The file name of the site's index in ``lang``.

    >>> index_name("en"), index_name("ru")
    ('index.html', 'index.ru.html')
    """
    return "index.html" if lang == default else f"index.{lang}.html"


def _href(target: Path, start: Path) -> str:
    return quote(Path(os.path.relpath(target, start)).as_posix())


def _anchor(period: str) -> str:
    return "p-" + re.sub(r"[^A-Za-z0-9-]", "-", period)


def _manager_of(record: Any) -> str | None:
    """The manager a report is about: its ``manager`` parameter (a per-manager report's subject reads
    "Name (id)", a plan gap's the id alone), else its subject."""
    return record.parameters.get("manager") or record.subject


def related_links(
    path: Path,
    record: Any,
    reports: Iterable[tuple[Path, Any]],
    tr: Translator,
    *,
    index: Path,
) -> list[dict[str, str]]:
    """The links (``href``, ``label``, ``kind``, ``period``) from the report of ``record`` (its record file at
    ``path``) to the related reports among ``reports`` (the newest record of each report, as ``(record path,
    record)``).

    ``index`` is the index in the report's language, which the link to the per-manager reports points into.
    """
    here = path.parent
    same = [
        (p, r)
        for p, r in reports
        if r.status == "ok" and r.lang == record.lang and (p, r) != (path, record) and r.file
    ]

    def link(p: Path, r: Any, label: str) -> dict[str, str]:
        return {"href": _href(p.parent / r.file, here), "label": label, "kind": r.kind, "period": r.period}

    def of_period(r: Any) -> bool:
        return r.period == record.period

    links: list[dict[str, str]] = []
    team = record.team or None
    if record.kind == "quarterly":
        year = record.period[:4]
        comparisons = [
            (p, r)
            for p, r in same
            if r.kind == "comparison" and (r.team or None) == team and (of_period(r) or r.period == year)
        ]
        comparisons.sort(key=lambda item: (item[1].period != record.period, item[1].subject or ""))
        for p, r in comparisons:
            metric = r.subject or ""
            label = tr.kind("comparison")
            if metric and tr.has(f"kpi.{metric}"):
                label = tr.t("site_links.comparison_of", kind=label, kpi=tr.t(f"kpi.{metric}"))
            links.append(link(p, r, label))
        for kind in ("plan_gap", "card"):
            found = [
                (p, r)
                for p, r in same
                if r.kind == kind and of_period(r) and (r.team or None) == team and not r.subject
            ]
            if found:
                links.append(link(*found[0], tr.kind(kind)))
        managers = [r for _, r in same if r.kind == "manager" and of_period(r)]
        if managers:
            href = _href(index, here) + "#" + _anchor(record.period)
            label = tr.t("site_links.managers", count=len(managers))
            links.append({"href": href, "label": label, "kind": "manager", "period": record.period})
    elif record.kind == "manager":
        gaps = [(p, r) for p, r in same if r.kind == "plan_gap" and of_period(r)]
        own = [(p, r) for p, r in gaps if r.subject and _manager_of(r) == _manager_of(record)]
        teams = [(p, r) for p, r in gaps if not r.subject and (r.team or None) in (None, team)]
        if own or teams:
            p, r = (own or sorted(teams, key=lambda item: item[1].team is None))[0]
            label = "own_gap" if own else "team_gap" if r.team else "all_gap"
            links.append(link(p, r, tr.t(f"site_links.{label}")))
        cards = [(p, r) for p, r in same if r.kind == "card" and of_period(r) and not r.subject]
        if cards:
            p, r = sorted(cards, key=lambda item: item[1].team is not None)[0]
            links.append(link(p, r, tr.t("site_links.bonus")))
    return links


#: The paragraph of a report's body that names its related reports (:func:`body_links`): the site fills it
#: with links; without any related report in the site it keeps the commands that would make them.
_BODY = re.compile(r'<p class="kpi-related" data-fallback="(?P<fallback>[^"]*)">(?P<inner>.*?)</p>', re.S)


def body_links(fallback: str) -> str:
    """The body's paragraph of related reports as a report renders it alone: ``fallback`` (plain text, the
    commands that make them), kept in an attribute so that the site can put it back when no related report
    is left.

    >>> body_links("kpi-report compare")
    '<p class="kpi-related" data-fallback="kpi-report compare">kpi-report compare</p>'
    """
    text = str(escape(fallback))
    return f'<p class="kpi-related" data-fallback="{text}">{text}</p>'


#: Words of a report's body that name another report (:func:`report_ref`): plain words when the report is
#: alone, a link once the site holds that report (:func:`set_body_links`). The attributes stand in
#: alphabetical order, as the page's renderer writes them back (an empty value may lose its ``=""``).
_REF = re.compile(
    r'<(?P<tag>span|a) class="kpi-ref" data-period(?:="(?P<period>[^"]*)")? data-ref="(?P<kind>[^"]*)"'
    r'(?: href="[^"]*")?>(?P<words>[^<]*)</(?P=tag)>'
)


def report_ref(words: str, kind: str, period: str = "") -> str:
    """``words`` (plain text, escaped here) that name the report of ``kind`` (of ``period``: any when empty)
    in a sentence of a report's body, as the report renders them alone: plain words, which the site turns
    into a link to that report (:func:`set_body_links`) when it holds one in the same language.

    >>> report_ref("the plan-gap report", "plan_gap")
    '<span class="kpi-ref" data-period="" data-ref="plan_gap">the plan-gap report</span>'
    """
    return (
        f'<span class="kpi-ref" data-period="{escape(period)}" data-ref="{escape(kind)}">'
        f"{escape(words)}</span>"
    )


def link_words(fragment: str, sentence: str, words: str, *, kind: str, period: str = "") -> str:
    """``fragment`` (safe HTML) with ``words`` inside its ``sentence`` (both plain text, as the fragment's
    escaped prose shows them) marked as naming the report of ``kind`` (:func:`report_ref`); ``fragment``
    unchanged when it does not hold that sentence, or the sentence not those words.

    >>> link_words("<p>See the plan-gap report.</p>", "See the plan-gap report.", "the plan-gap report",
    ...            kind="plan_gap")
    '<p>See <span class="kpi-ref" data-period="" data-ref="plan_gap">the plan-gap report</span>.</p>'
    """
    shown, named = str(escape(sentence)), str(escape(words))
    if shown not in fragment or named not in shown:
        return fragment
    marked = shown.replace(named, report_ref(words, kind, period), 1)
    return fragment.replace(shown, marked, 1)


def _fill_refs(page: str, related: list[dict[str, str]]) -> str:
    """``page`` with each of its :func:`report_ref` words linking to the first of ``related`` of their kind
    (and period, when they name one), else back to plain words."""

    def fill(match: re.Match[str]) -> str:
        kind, period, words = match.group("kind"), match.group("period") or "", match.group("words")
        found = [
            link for link in related if link["kind"] == kind and (not period or link.get("period") == period)
        ]
        if not found:
            return f'<span class="kpi-ref" data-period="{period}" data-ref="{kind}">{words}</span>'
        href = escape(found[0]["href"])
        return f'<a class="kpi-ref" data-period="{period}" data-ref="{kind}" href="{href}">{words}</a>'

    return _REF.sub(fill, page)


def set_body_links(page: str, related: list[dict[str, str]], tr: Translator) -> str:
    """``page`` with its paragraph of related reports (:func:`body_links`) linking to ``related`` (as
    :func:`related_links` gives them), or back to its command text when there is none, and the words of its
    body that name a related report (:func:`report_ref`) linking to it, or back to plain words; ``page``
    unchanged without either.

    >>> page = body_links("kpi-report plan-gap") + report_ref("the plan gap", "plan_gap")
    >>> from kpi_toolkit.report.i18n import translator
    >>> linked = set_body_links(page, [{"href": "plan_gap.html", "label": "Plan gap", "kind": "plan_gap"}],
    ...                         translator("en"))
    >>> '<a href="plan_gap.html" data-related="plan_gap">Plan gap</a>' in linked
    True
    >>> 'data-ref="plan_gap" href="plan_gap.html">the plan gap</a>' in linked
    True
    >>> set_body_links(linked, [], translator("en")) == page
    True
    """

    def fill(match: re.Match[str]) -> str:
        fallback = match.group("fallback")
        if not related:
            return f'<p class="kpi-related" data-fallback="{fallback}">{fallback}</p>'
        links = ", ".join(
            f'<a href="{escape(link["href"])}" data-related="{escape(link["kind"])}">'
            f"{escape(link['label'])}</a>"
            for link in related
        )
        lead = escape(tr.t("report_links.linked"))
        return f'<p class="kpi-related" data-fallback="{fallback}">{lead} {links}.</p>'

    return _fill_refs(_BODY.sub(fill, page), related)
