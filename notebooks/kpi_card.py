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
on_invalid: str = "raise"  # raise: stop at invalid rows; quarantine: set them aside and say so
plan_metric: str = ""  # KPI of the plan: sales_volume, net_sales or gross_margin; empty: the data set's
output_dir: str = ""  # folder for the record, bonuses.xlsx and bonuses.csv (kpi-report sets it); empty: none

# %% [markdown] tags=["analysis"]
# # KPI card: worksheet
#
# Cells tagged `analysis` (like this one) show the numbers behind each section; they are left out of the
# rendered report. `report` is `kpi_toolkit.report.card_report.card_report(...)`; each of its frames is the
# result of the public call named beside it.

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import card_definition_views as definition_views
from kpi_toolkit.report import card_explain, first_screens, margin_reports, outputs, shared, translator
from kpi_toolkit.report import card_payout_views as payout_views
from kpi_toolkit.report import card_views as views
from kpi_toolkit.report.card_report import card_report, payroll_files

tr = translator(lang, currency=currency)
data = shared.covered(
    shared.load(data_dir, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric), period
)
report = card_report(data, period=period, card=card, team=team)

# %%
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
margin_reports.card_plan_metric_note(report.card.required_metrics, data.plan_metric, tr)

# %% tags=["analysis"]
curve = report.curve  # kt.card.payout_curve of each KPI of the card: the knots of its payout curve
curve

# %%
definition_views.card_section(report, tr)

# %%
definition_views.curve_section(report, tr)

# %% tags=["analysis"]
scorecard = report.scorecard  # kt.scorecard(data, period=period, card=card, team=team): manager x KPI
scorecard

# %%
payout_views.scorecard_section(report, tr)

# %% tags=["analysis"]
payouts = report.payouts  # kt.bonuses(data, period=period, card=card, team=team): one row per manager
payouts

# %%
payout_views.payouts_section(report, tr)

# %%
card_explain.bonus_sentences(report, tr)

# %% tags=["analysis"]
kpis = kt.manager_kpis(data, period=report.period, team=team or None)  # returns, net sales, margin
kpis

# %%
margin_reports.card_margin_section(kpis, report.names, tr)  # nothing without returns or costs

# %%
payout_views.cost_section(report, tr)

# %%
parameters = {
    "data_dir": data_dir,
    "period": str(report.period),
    "card": card,
    "team": team,
    "lang": lang,
    "currency": currency,
    "mapping": mapping,
    "on_invalid": on_invalid,
    "plan_metric": plan_metric,
}
views.provenance(report, tr, parameters=parameters)

# %%
written = outputs.write_outputs(
    output_dir,
    record=outputs.report_record("card", report, views, tr, parameters=parameters, team=team),
    data=data,
    files=payroll_files(report, tr),  # bonuses.xlsx/.csv; bonuses.ru.xlsx/.csv in Russian
)
