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
period: str = "2026Q3"  # period to pay, of the card's kind: 2026Q3 (quarter), 2026-07 (month) or 2026 (year)
card: str = "../data/cards/sales_manager.yml"  # path to the KPI card (YAML), see docs/kpi_card.md
team: str = ""  # team to pay; empty: all teams
lang: str = "en"  # language of the report: en or ru
currency: str = ""  # ISO 4217 code of the amounts (RUB, USD, EUR ...); empty: amounts without a currency sign
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import card_explain, first_screens, translator
from kpi_toolkit.report import card_views as views
from kpi_toolkit.report.card_report import card_report

tr = translator(lang, currency=currency)
data = kt.load(data_dir, mapping=mapping or None)
report = card_report(data, period=period, card=card, team=team)
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
first_screens.card_answer(report, tr)

# %%
views.caveats(report, tr)

# %%
views.introduction(report, tr)

# %%
views.card_section(report, tr)

# %%
views.curve_section(report, tr)

# %%
views.scorecard_section(report, tr)

# %%
views.payouts_section(report, tr)

# %%
card_explain.bonus_sentences(report, tr)

# %%
views.cost_section(report, tr)

# %%
views.provenance(
    report,
    tr,
    parameters={
        "data_dir": data_dir,
        "period": str(report.period),
        "card": card,
        "team": team,
        "lang": lang,
        "currency": currency,
        "mapping": mapping,
    },
)
