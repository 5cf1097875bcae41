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
manager: str = "M01"  # id of the manager the report is for (column 'manager'); colleagues get pseudonyms
lang: str = "en"  # language of the report: en or ru
currency: str = ""  # ISO 4217 code of the amounts (RUB, USD, EUR ...); empty: amounts without a currency sign
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables
on_invalid: str = "raise"  # raise: stop at invalid rows; quarantine: set them aside and say so

# %%
from kpi_toolkit.report import first_screens, shared, translator
from kpi_toolkit.report import manager_views as views
from kpi_toolkit.report.manager import manager_report, team_of

tr = translator(lang, currency=currency)
data = shared.load(data_dir, mapping=mapping, on_invalid=on_invalid)  # loaded once per batch worker
team = shared.quarterly_report(data, period=period, team=team_of(data, manager))  # once per team
report = manager_report(team, manager=manager)
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
first_screens.manager_alerts(data, report, tr)

# %%
views.summary(report, tr)

# %%
views.caveats(report, tr)

# %%
views.versus_section(report, tr)

# %%
views.team_section(report, tr)

# %%
views.trend_section(report, tr)

# %%
views.ranking_section(report, tr)

# %%
views.provenance(
    report,
    tr,
    parameters={
        "data_dir": data_dir,
        "period": str(report.period),
        "manager": manager,
        "lang": lang,
        "currency": currency,
        "mapping": mapping,
        "on_invalid": on_invalid,
    },
)
