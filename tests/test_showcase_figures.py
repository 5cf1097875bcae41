"""The showcase's figures read as a trainer would show them (issue 20, item 7): odds ratios on a log axis
labelled with plain numbers, a faster cycle of the top group drawn as better, and a slide of the win rate
with and without each practice to teach."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest

from kpi_toolkit.practices.figures import plot_practice_effects, plot_profile, plot_win_rates
from kpi_toolkit.report import translator
from kpi_toolkit.report.showcase_views import LOWER_IS_BETTER, practices_figure, win_rate_figure

BLUE = (0x21 / 255, 0x66 / 255, 0xAC / 255, 1.0)  # better; red (#b2182b) is worse


def test_log_axis_of_odds_ratios_is_labelled_with_plain_numbers():
    effects = pd.DataFrame({"practice": ["a", "b"], "odds_ratio": [1.93, 0.92], "ci_low": [1.70, 0.83],
                            "ci_high": [2.19, 1.02], "verdict": ["positive", "no evidence"]})  # fmt: skip
    ax = plot_practice_effects(effects, number=lambda v: translator("ru").number(v, digits=1))
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["1,0", "1,5", "2,0"] and not any("10" in t or "×" in t for t in labels)


def test_a_faster_cycle_of_the_top_group_is_not_drawn_red():
    profile = pd.DataFrame(
        {"measure": ["days_to_close", "orders", "discount"], "hedges_g": [-1.24, 1.27, 0.86]}
    )
    ax = plot_profile(profile, lower_is_better=LOWER_IS_BETTER)
    names = [t.get_text() for t in ax.get_yticklabels()]
    colours = dict(zip(names, [p.get_facecolor() for p in ax.patches], strict=True))
    assert colours["days_to_close"] == pytest.approx(BLUE) and colours["orders"] == pytest.approx(BLUE)


def test_win_rate_with_and_without_the_practice_is_a_figure_for_a_slide():
    effects = pd.DataFrame({"practice": ["had_meeting"], "with_rate": [0.376], "without_rate": [0.215]})
    ax = plot_win_rates(effects, with_label="с практикой", without_label="без неё",
                        number=translator("ru").rate)  # fmt: skip
    assert [p.get_width() for p in ax.patches] == [0.376, 0.215]
    assert sorted(t.get_text().strip() for t in ax.texts) == ["21,5\u00a0%", "37,6\u00a0%"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["с практикой", "без неё"]


def test_showcase_views_draw_the_slide_and_plain_ticks(demo_showcase):
    tr = translator("ru")
    slide = win_rate_figure(demo_showcase, tr)
    # the leads of 2025Q4-2026Q3, the leaver's and the joiner's too
    assert "«Встреча в первые дни»: 37,6\u00a0% с ней, 21,6\u00a0% без неё" in slide
    svg = base64.b64decode(re.search(r"base64,([^\"]+)", practices_figure(demo_showcase, tr)).group(1))
    assert "10⁰".encode() not in svg and b"\\times" not in svg


@pytest.fixture(scope="module")
def demo_showcase():
    import kpi_toolkit as kt
    from kpi_toolkit.demo import make_demo_data
    from kpi_toolkit.report.showcase import showcase_report

    return showcase_report(kt.from_frames(**make_demo_data()), period="2026Q3", tr=translator("ru"))
