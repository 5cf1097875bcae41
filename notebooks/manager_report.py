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
plan_metric: str = ""  # KPI of the plan: sales_volume, net_sales or gross_margin; empty: the data set's
output_dir: str = ""  # folder for the report's record (the batch sets it); empty: none

# %% [markdown] tags=["analysis"]
# # One manager's report: worksheet
#
# Cells tagged `analysis` (like this one) show the numbers behind each section; they are left out of the
# rendered report. `team` is `kpi_toolkit.report.quarterly_report(data, period=period, team=<the manager's
# team>)`; `report` is `kpi_toolkit.report.manager.manager_report(team, manager=manager)`: the manager's
# numbers against the team's, every colleague under a pseudonym.

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import first_screens, margin_reports, outputs, people_views, shared, translator
from kpi_toolkit.report import manager_views as views
from kpi_toolkit.report.manager import manager_report, team_of

tr = translator(lang, currency=currency)
data = shared.load(  # loaded once per batch worker
    data_dir, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric
)
team = shared.quarterly_report(data, period=period, team=team_of(data, manager))  # once per team
report = manager_report(team, manager=manager)

# %%
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
margin_reports.plan_metric_note(data.plan_metric, tr)  # which KPI the plan is on (none: volume)

# %%
first_screens.manager_alerts(data, report, tr)

# %%
views.summary(report, tr)

# %%
views.caveats(report, tr)

# %% tags=["analysis"]
versus = report.versus  # the manager's KPIs against the team's median manager and the team's total
versus

# %% tags=["analysis"]
changes = kt.team_changes(data, period=report.period, team=report.team)  # joiners, leavers, moves
team_kpis = kt.manager_kpis(data, period=report.period, team=report.team)  # pro-rated plans in .attrs
changes

# %%
people_views.team_changes_section(changes, team_kpis, names={manager: report.name}, manager=manager, tr=tr)

# %%
views.versus_section(report, tr)

# %%
margin_reports.manager_margin_section(report, views.display_names(report, tr), tr)  # from team_kpis

# %% tags=["analysis"]
team_kpis = report.team_report.kpis  # kt.manager_kpis of the team, colleagues under pseudonyms
team_kpis

# %%
views.team_section(report, tr)

# %% tags=["analysis"]
own_history = report.own_history  # the manager's rows of kt.kpi_history over the trend's quarters
own_history

# %%
views.trend_section(report, tr)

# %% tags=["analysis"]
ranking = report.team_report.ranking  # kt.attainment_ranking of the team, colleagues under pseudonyms
ranking

# %%
views.ranking_section(report, tr)

# %%
views.related_reports(report, tr)  # the plan gap about the manager, the bonuses: links in a site

# %%
parameters = {
    "data_dir": data_dir,
    "period": str(report.period),
    "manager": manager,
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
    record=outputs.report_record(
        "manager",
        report,
        views,
        tr,
        parameters=parameters,
        team=report.team,
        numbers=team,
        subject=outputs.manager_subject(data, manager),
    ),
    data=data,
)
