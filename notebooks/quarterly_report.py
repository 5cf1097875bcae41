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
period: str = ""  # quarter to report, e.g. 2026Q3; empty: the latest complete quarter in the data
team: str = ""  # team to report on; empty: all teams
lang: str = "en"  # language of the report: en or ru
currency: str = ""  # ISO 4217 code of the amounts (RUB, USD, EUR ...); empty: amounts without a currency sign
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables
on_invalid: str = "raise"  # raise: stop at invalid rows; quarantine: set them aside and say so

# %%
from kpi_toolkit.report import shared, translator, views

tr = translator(lang, currency=currency)
data = shared.load(data_dir, mapping=mapping, on_invalid=on_invalid)  # loaded once per batch worker
report = shared.quarterly_report(data, period=period, team=team)
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
from kpi_toolkit.report import behind_plan

behind_plan.behind_plan_section(data, report, tr)

# %%
views.summary(report, tr)

# %%
views.caveats(report, tr)

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import people_views

changes = kt.team_changes(data, period=report.period, team=team or None)
people_views.team_changes_section(changes, report.kpis, names=report.names, tr=tr)

# %%
views.kpi_section(report, tr)

# %%
views.comparison_section(report, tr)

# %%
views.trend_section(report, tr)

# %%
views.ranking_section(report, tr)

# %%
from kpi_toolkit.report import comparison_views

comparison_views.differences_section(data, report, tr)

# %%
from kpi_toolkit.report import plan_gap_views

plan_gap_views.why_section(data, period=str(report.period), team=team, tr=tr, with_alerts=False)

# %%
views.provenance(
    report,
    tr,
    parameters={
        "data_dir": data_dir,
        "period": str(report.period),
        "team": team,
        "lang": lang,
        "currency": currency,
        "mapping": mapping,
        "on_invalid": on_invalid,
    },
)
