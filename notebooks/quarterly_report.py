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
plan_metric: str = ""  # KPI of the plan: sales_volume, net_sales or gross_margin; empty: the data set's
output_dir: str = ""  # folder for the report's record and kpis.csv (kpi-report sets it); empty: none

# %% [markdown] tags=["analysis"]
# # Quarterly report: worksheet
#
# Cells tagged `analysis` (like this one) show the numbers behind each section; they are left out of the
# rendered report. Each polished section below is drawn from the frames named here: change one (sort it,
# filter it) and rerun the section's cell to see the effect. `report` is
# `kpi_toolkit.report.quarterly_report(data, period=period, team=team)`; each of its frames is the result of
# the public call named beside it, and the sections below are drawn from the frames as named here.

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import margin_reports, margin_views, outputs, people_views, shared, translator, views
from kpi_toolkit.report import quarterly_kpi_views as kpi_views
from kpi_toolkit.report import quarterly_ranking_views as ranking_views
from kpi_toolkit.report import quarterly_trend_views as trend_views

tr = translator(lang, currency=currency)
data = shared.load(  # kt.load, once per batch worker
    data_dir, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric
)
report = shared.quarterly_report(data, period=period, team=team)  # computed once per batch worker

# %%
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
margin_reports.plan_metric_note(data.plan_metric, tr)  # which KPI the plan is on (none: volume)

# %%
from kpi_toolkit.report import behind_plan

behind_plan.behind_plan_section(data, report, tr)

# %% tags=["analysis"]
margin_tests = margin_views.margin_tests(data, period=report.period, team=team)  # kt.compare_managers
margin_tests  # metric="margin_rate": each manager's margin rate against the rest (None without costs)

# %%
margin_views.margin_section(report.kpis, margin_tests, names=report.names, tr=tr)

# %%
views.summary(report, tr)

# %%
views.caveats(report, tr)

# %% tags=["analysis"]
changes = kt.team_changes(data, period=report.period, team=team or None)  # joiners, leavers, moves
changes

# %%
people_views.team_changes_section(changes, report.kpis, names=report.names, tr=tr)

# %% tags=["analysis"]
kpis = report.kpis  # kt.manager_kpis(data, period=report.period, team=team): one row per manager
kpis

# %% tags=["analysis"]
totals = report.totals  # kt.total_kpis of kt.manager_kpis / kt.year_to_date_kpis, one row per column
totals

# %%
kpi_views.kpis_section(kpis, totals, period=report.period, names=report.names, teams=report.teams, tr=tr)

# %%
kpi_views.totals_section(totals, period=report.period, tr=tr)

# %% tags=["analysis"]
history = report.history  # kt.kpi_history(data, periods=<the 8 quarters to report.period>, team=team)
history

# %% tags=["analysis"]
history_totals = report.history_totals  # kt.total_kpis of each period of history
history_totals

# %%
trend_views.history_section(history, history_totals, names=report.names, tr=tr)

# %% tags=["analysis"]
ranking = report.ranking  # kt.attainment_ranking(data, period=report.period, team=team)
ranking

# %%
ranking_views.attainment_section(ranking, period=report.period, names=report.names, tr=tr)

# %%
from kpi_toolkit.report import quarterly_links  # sections that name another report: links in a site

quarterly_links.differences_section(data, report, tr)

# %%
quarterly_links.why_section(data, report, tr)

# %%
views.related_reports(report, tr)

# %%
parameters = {
    "data_dir": data_dir,
    "period": str(report.period),
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
    record=outputs.report_record("quarterly", report, views, tr, parameters=parameters, team=team),
    data=data,
    files={"kpis.csv": report.kpis.reset_index()},
)
