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
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables
on_invalid: str = "raise"  # raise: stop at invalid rows; quarantine: set them aside and say so
plan_metric: str = ""  # KPI of the plan: sales_volume, net_sales or gross_margin; empty: the data set's
output_dir: str = ""  # folder for the report's record and plan_gap.csv (kpi-report sets it); empty: none

# %% [markdown] tags=["analysis"]
# # Plan gap: worksheet
#
# Cells tagged `analysis` (like this one) show the numbers behind each section; they are left out of the
# rendered report. `report` is `kpi_toolkit.report.plan_gap_report.plan_gap_report(...)`: every number in
# it is of the data as it stood at the end of `report.as_of`, and each frame is the result of the public
# call named beside it. The sections below are drawn from the frames as named here (the report gives the
# context: period, baseline, names, the manager in focus).

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import first_screens, outputs, pipeline_views, shared, translator
from kpi_toolkit.report import plan_gap_alert_views as alert_views
from kpi_toolkit.report import plan_gap_driver_views as driver_views
from kpi_toolkit.report import plan_gap_figures as figures
from kpi_toolkit.report import plan_gap_margin_views as margin_views
from kpi_toolkit.report import plan_gap_miss_views as miss_views
from kpi_toolkit.report import plan_gap_views as views
from kpi_toolkit.report.customer_views import customer_bridge_section
from kpi_toolkit.report.plan_gap_report import data_as_of, plan_gap_report

tr = translator(lang, currency=currency)
data = shared.covered(
    shared.load(data_dir, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric), period
)
report = plan_gap_report(
    data, period=period, team=team, manager=manager, baseline=baseline, history=history, as_of=as_of
)

# %%
views.title(report, tr)

# %%
views.headline(report, tr)

# %% tags=["analysis"]
alerts = report.alerts  # kt.alerts(data, period=report.period, history=history, team=team, as_of=...)
alerts

# %%
first_screens.plan_gap_answer(report, tr)

# %%
alert_views.alerts_section(
    report,
    tr,
    alerts=alerts,
    extra=pipeline_views.pipeline_alerts(
        report.pipeline, report.pacing, names=report.names, tr=tr, manager=report.manager
    ),
)

# %%
views.introduction(report, tr)

# %% tags=["analysis"]
gap = report.gap  # kt.plan_gap(data, period=report.period, baseline=baseline, team=team): per manager
gap

# %% tags=["analysis"]
sources = report.sources  # kt.volume_sources(data, period=report.period, team=team)
sources

# %%
driver_views.gap_section(report, tr, gap=gap, sources=sources)

# %% tags=["analysis"]
# sales, returns, net sales, gross margin and margin rate; the plan's metric: kpis.attrs["plan_metric"]
kpis = kt.manager_kpis(data_as_of(data, report.as_of), period=report.period, team=team or None)
kpis

# %%
margin_views.margin_section(report, tr, kpis=kpis, gap=gap)

# %% tags=["analysis"]
bridge = kt.customer_bridge(data_as_of(data, report.as_of), period=report.period, team=team or None)
bridge  # the customers behind the change: new, lost, grown and shrunk

# %%
customer_bridge_section(bridge, tr, names=report.names, manager=manager or None)

# %%
driver_views.managers_section(report, tr, gap=gap)

# %% tags=["analysis"]
evidence = report.evidence  # kt.gap.miss_evidence over kt.miss_series(data, periods=report.window, team=team)
evidence

# %%
miss_views.misses_section(report, tr, evidence=evidence)

# %% tags=["analysis"]
pace = report.pacing  # kt.pacing(data, period=report.pacing_period, as_of=report.as_of, team=team)
pace

# %%
miss_views.pacing_section(report, tr, pacing=pace)

# %% tags=["analysis"]
open_pipeline = (
    report.pipeline
)  # kt.pipeline(data, period=report.pacing_period, as_of=report.as_of, team=team)
open_pipeline

# %% tags=["analysis"]
cycles = report.cycles  # kt.cycle_times(data, periods=report.window[-4:], team=team, as_of=report.as_of)
cycles

# %%
pipeline_views.pipeline_section(open_pipeline, cycles, names=report.names, tr=tr, manager=report.manager)

# %%
parameters = {
    "data_dir": data_dir,
    "period": str(report.period),
    "team": team,
    "manager": manager,
    "baseline": baseline,
    "history": history,
    "as_of": as_of,
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
        "plan_gap", report, views, tr, parameters=parameters, team=team, subject=manager
    ),
    data=data,
    files={"plan_gap.csv": report.gap.round(2)},  # money in cents for people
)
