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
metric: str = ""  # one KPI (conversion, average_check, margin_rate, new_customers); empty: all on one page
alpha: float = 0.05  # level of the verdicts: the chance that anyone is flagged when all are alike
lang: str = "en"  # language of the report: en or ru
currency: str = ""  # ISO 4217 code of the amounts (RUB, USD, EUR ...); empty: amounts without a currency sign
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables
on_invalid: str = "raise"  # raise: stop at invalid rows; quarantine: set them aside and say so
plan_metric: str = ""  # KPI of the plan: sales_volume, net_sales or gross_margin; empty: the data set's
output_dir: str = ""  # folder for the record and manager_tests.csv (kpi-report sets it); empty: none

# %% [markdown] tags=["analysis"]
# # Manager comparison: worksheet
#
# Cells tagged `analysis` (like this one) show the numbers behind each section; they are left out of the
# rendered report. `report` is `kpi_toolkit.report.comparison_report.comparison_report(...)`; each of its
# frames is the result of the public call named beside it.

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import comparison_amount_views as amount_views
from kpi_toolkit.report import comparison_appendix_views as appendix_views
from kpi_toolkit.report import comparison_conclusion_views as conclusion_views
from kpi_toolkit.report import comparison_conversion_views as conversion_views
from kpi_toolkit.report import comparison_verdict_views as verdict_views
from kpi_toolkit.report import comparison_views as views
from kpi_toolkit.report import outputs, shared, translator
from kpi_toolkit.report.comparison_report import comparison_report

tr = translator(lang, currency=currency)
data = shared.covered(
    shared.load(data_dir, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric), period
)
report = comparison_report(data, period=period, metric=metric, team=team, alpha=alpha)

# %%
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
views.first_screen(report, tr)

# %%
views.caveats(report, tr)

# %%
views.introduction(report, tr)

# %%
conclusion_views.conclusions(report, tr)

# %% tags=["analysis"]
global_tests = report.global_tests  # kt.global_test(data, period=period, metric=..., team=team) per metric
global_tests

# %%
verdict_views.global_section(report, tr)

# %% tags=["analysis"]
# each KPI of the page (report.metrics), stacked: kt.compare_managers(data, period=period, metric=m,
# team=team, alpha=alpha / len(report.metrics)) with p_adjusted times len(report.metrics) (the page's family)
table = report.page_tests
table

# %%
verdict_views.verdicts_section(report, tr)

# %% tags=["analysis"]
funnel = report.funnel  # kt.funnel(...): conversion only (None for the other metrics)
funnel

# %%
conversion_views.funnel_section(report, tr)

# %% tags=["analysis"]
shrunk = report.shrunk  # kt.shrunk_rates(...): conversion only (None for the other metrics)
shrunk

# %%
conversion_views.ranking_section(report, tr)

# %% tags=["analysis"]
diagnostics = report.diagnostics  # kt.average_check_diagnostics(...): average check only
diagnostics

# %%
amount_views.amounts_section(report, tr)

# %%
appendix_views.reading_guide(report, tr)

# %%
parameters = {
    "data_dir": data_dir,
    "period": period,
    "team": team,
    "metric": metric,
    "alpha": alpha,
    "lang": lang,
    "currency": currency,
    "mapping": mapping,
    "on_invalid": on_invalid,
    "plan_metric": plan_metric,
}
appendix_views.provenance(report, tr, parameters=parameters)

# %% tags=["analysis"]
tests = report.tests  # kt.compare_managers for every metric the data allow, stacked: manager_tests.csv
tests

# %%
written = outputs.write_outputs(
    output_dir,
    record=outputs.report_record(
        "comparison", report, views, tr, parameters=parameters, team=team, subject=metric
    ),
    data=data,
    files={"manager_tests.csv": report.manager_tests},
)
