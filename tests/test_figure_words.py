"""The words and numbers inside the per-manager report's figures and the showcase's profile figure on a
Russian page (issue 20): Russian month names, the rouble sign, decimal commas, no English word.

Small hand-made frames (golden values that do not move with the demo company); the figures are the SVG the
page embeds, read as text.
"""

from __future__ import annotations

import base64
import html as htmllib
import re
from types import SimpleNamespace

import pandas as pd

from kpi_toolkit.periods import parse_period
from kpi_toolkit.report.i18n import translator
from kpi_toolkit.report.quarterly_trend_views import history_heatmap, volume_figure
from kpi_toolkit.report.showcase_views import profile_figure

NAMES = {"M01": "Anna Petrova", "M02": "Boris Sokolov"}
MONTHS = ["2026-07", "2026-08", "2026-09"]
_WORD = re.compile(r"(?<![\w-])[A-Za-z][A-Za-z_-]*(?![\w])")


def _svg_texts(page: str) -> list[str]:
    """The text elements of every SVG figure embedded in ``page``."""
    texts = []
    for source in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page):
        svg = base64.b64decode(source).decode("utf-8")
        texts += [
            htmllib.unescape(re.sub(r"<[^>]+>", "", t)).strip()
            for t in re.findall(r"<text\b.*?</text>", svg, re.S)
        ]
    return [t for t in texts if t]


def _latin(texts: list[str]) -> set[str]:
    """Latin words but the managers' names and one-letter statistical symbols (Hedges' g)."""
    names = {w for n in NAMES.values() for w in n.split()}
    return {w for t in texts for w in _WORD.findall(t) if len(w) > 1} - names


def test_manager_report_figures_speak_russian_with_months_and_roubles():
    tr = translator("ru", currency="RUB")
    totals = pd.DataFrame(
        {
            "sales_volume": [1_250_000.0, 980_000.0, 1_530_000.0],
            "sales_plan": [1_200_000.0, 1_100_000.0, 1.4e6],
        },
        index=pd.Index(MONTHS, name="period"),
    )
    index = pd.MultiIndex.from_product([["M01", "M02"], MONTHS], names=["manager", "period"])
    history = pd.DataFrame({"plan_attainment": [1.04, 0.89, 1.09, 0.7, 0.995, 1.2]}, index=index)
    page = volume_figure(totals, tr, caption="") + history_heatmap(history, names=NAMES, tr=tr)
    texts = _svg_texts(page)
    assert {"июль 2026", "август 2026", "сентябрь 2026"} <= set(texts), texts  # month names
    assert "Объём продаж, ₽" in texts and "RUB" not in " ".join(texts)  # the unit as a sign
    assert any(t.endswith("млн") for t in texts)  # compact money in Russian
    assert "99" in texts  # 99.5 % of plan is cut in its cell, never shown as a met plan
    assert not _latin(texts), _latin(texts)


def test_showcase_profile_ticks_use_the_decimal_comma():
    tr = translator("ru")
    profiles = pd.DataFrame(
        {"measure": ["conversion", "average_check", "days_to_close"], "hedges_g": [0.85, -0.35, -1.25]}
    )
    page = profile_figure(SimpleNamespace(profiles=profiles, period=parse_period("2026Q3")), tr)
    texts = _svg_texts(page)
    ticks = [t for t in texts if re.fullmatch(r"[−-]?\d+(,\d+)?", t)]
    assert ticks and any("," in t for t in ticks), texts
    assert not any(re.fullmatch(r"[−-]?\d+\.\d+", t) for t in texts), texts  # no decimal point
    assert "Конверсия" in texts and not _latin(texts), _latin(texts)
