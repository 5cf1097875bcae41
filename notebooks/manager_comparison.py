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
period: str = "2026"  # period to compare: year (2026, tells most), quarter (2026Q3) or month (2026-07)
team: str = ""  # team whose managers are compared; empty: all managers
metric: str = "conversion"  # KPI to compare: conversion, average_check or new_customers
alpha: float = 0.05  # level of the verdicts: the chance that anyone is flagged when all are alike
lang: str = "en"  # language of the report: en or ru
currency: str = ""  # ISO 4217 code of the amounts (RUB, USD, EUR ...); empty: amounts without a currency sign
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import comparison_views as views
from kpi_toolkit.report import translator
from kpi_toolkit.report.comparison_report import comparison_report

tr = translator(lang, currency=currency)
data = kt.load(data_dir, mapping=mapping or None)
report = comparison_report(data, period=period, metric=metric, team=team, alpha=alpha)
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
views.caveats(report, tr)

# %%
views.introduction(report, tr)

# %%
views.conclusions(report, tr)

# %%
views.global_section(report, tr)

# %%
views.verdicts_section(report, tr)

# %%
views.funnel_section(report, tr)

# %%
views.ranking_section(report, tr)

# %%
views.amounts_section(report, tr)

# %%
views.reading_guide(report, tr)

# %%
views.provenance(
    report,
    tr,
    parameters={
        "data_dir": data_dir,
        "period": period,
        "team": team,
        "metric": metric,
        "alpha": alpha,
        "lang": lang,
        "currency": currency,
        "mapping": mapping,
    },
)
