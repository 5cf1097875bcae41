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
data_dir: str = "../data/demo"  # folder of the data set (orders.csv, leads.csv, activities.csv ...)
period: str = "2026Q3"  # period to showcase, e.g. 2026Q3 (quarter) or 2026-07 (month)
team: str = ""  # team to showcase; empty: all teams
top_share: float = 0.25  # share of the ranked managers showcased, e.g. 0.25 for the top quarter
anonymize: bool = True  # name only the showcased group; everyone else appears as Manager A, B ...
min_leads: int = 20  # managers with fewer closed leads in the period are not ranked at all
lang: str = "en"  # language of the report: en or ru
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables
on_invalid: str = "raise"  # raise: stop at invalid rows; quarantine: set them aside and say so
plan_metric: str = ""  # KPI of the plan: sales_volume, net_sales or gross_margin; empty: the data set's
currency: str = ""  # ISO 4217 code of the amounts, e.g. RUB (empty: no currency sign)
output_dir: str = ""  # folder for the report's record and practices.csv (kpi-report sets it); empty: none

# %% [markdown] tags=["analysis"]
# # Top performers: worksheet
#
# Cells tagged `analysis` (like this one) show the numbers behind each section; they are left out of the
# rendered report. `report` is `kpi_toolkit.report.showcase.showcase_report(...)`; its frames carry display
# names only (pseudonyms outside the showcased group when `anonymize`).

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import first_screens, outputs, shared, translator
from kpi_toolkit.report import showcase_views as views
from kpi_toolkit.report.showcase import showcase_report

tr = translator(lang, currency=currency)
data = shared.covered(
    shared.load(data_dir, mapping=mapping, on_invalid=on_invalid, plan_metric=plan_metric), period
)
report = showcase_report(
    data, period=period, team=team, top_share=top_share, anonymize=anonymize, min_leads=min_leads, tr=tr
)

# %%
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
first_screens.showcase_answer(report, tr)

# %%
views.caveats(report, tr)

# %% tags=["analysis"]
ranking = report.ranking  # kt.top_performers(data, period=period, share=top_share, min_leads=min_leads)
ranking

# %%
views.top_section(report, tr)

# %%
views.recommendations(report, tr)

# %% tags=["analysis"]
effects = report.effects  # kt.practice_effects over the period and the three before it
effects

# %%
views.win_rate_figure(report, tr)

# %%
views.practices_section(report, tr)

# %%
views.practices_figure(report, tr)

# %% tags=["analysis"]
profiles = report.profiles  # kt.performer_profiles: the top group's practices against the rest's
profiles

# %%
views.profile_section(report, tr)

# %%
views.profile_figure(report, tr)

# %% tags=["analysis"]
regression = report.regression  # kt.regression_check: the practices together, per lead
regression

# %%
views.regression_section(report, tr)

# %%
parameters = {
    "data_dir": data_dir,
    "period": str(report.period),
    "team": team,
    "top_share": top_share,
    "anonymize": anonymize,
    "min_leads": min_leads,
    "lang": lang,
    "mapping": mapping,
    "on_invalid": on_invalid,
    "plan_metric": plan_metric,
}
views.provenance(report, tr, parameters=parameters)

# %%
written = outputs.write_outputs(
    output_dir,
    record=outputs.report_record("showcase", report, views, tr, parameters=parameters, team=team),
    data=data,
    files={"practices.csv": report.effects},
)
