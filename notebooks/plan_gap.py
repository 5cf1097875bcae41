# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
data_dir: str = "../data/demo"  # folder of the data set (orders.csv, leads.csv, plans.csv, managers.csv)
period: str = "2026Q3"  # period to explain, e.g. 2026Q3 (quarter) or 2026-07 (month)
team: str = ""  # team to explain; empty: all teams
manager: str = ""  # one manager to focus on (their id, e.g. M10); empty: every manager
baseline: str = "plan"  # what the actual is measured against: plan, previous, last_year or team
history: int = 8  # periods judged for systematic misses (ending with the last complete one)
as_of: str = ""  # day the pacing is judged at, e.g. 2026-08-15; empty: the end of the data
lang: str = "en"  # language of the report: en or ru
currency: str = ""  # ISO 4217 code of the amounts (RUB, USD, EUR ...); empty: amounts without a currency sign

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import first_screens, translator
from kpi_toolkit.report import plan_gap_views as views
from kpi_toolkit.report.plan_gap_report import plan_gap_report

tr = translator(lang, currency=currency)
data = kt.load(data_dir)
report = plan_gap_report(
    data, period=period, team=team, manager=manager, baseline=baseline, history=history, as_of=as_of
)
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
first_screens.plan_gap_answer(report, tr)

# %%
views.alerts_section(report, tr)

# %%
views.introduction(report, tr)

# %%
views.gap_section(report, tr)

# %%
views.managers_section(report, tr)

# %%
views.misses_section(report, tr)

# %%
views.pacing_section(report, tr)

# %%
views.provenance(
    report,
    tr,
    parameters={
        "data_dir": data_dir,
        "period": str(report.period),
        "team": team,
        "manager": manager,
        "baseline": baseline,
        "history": history,
        "as_of": as_of,
        "lang": lang,
        "currency": currency,
    },
)
