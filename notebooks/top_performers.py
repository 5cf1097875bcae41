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
currency: str = ""  # ISO 4217 code of the amounts, e.g. RUB (empty: no currency sign)

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import first_screens, translator
from kpi_toolkit.report import showcase_views as views
from kpi_toolkit.report.showcase import showcase_report

tr = translator(lang, currency=currency)
data = kt.load(data_dir)
report = showcase_report(
    data, period=period, team=team, top_share=top_share, anonymize=anonymize, min_leads=min_leads, tr=tr
)
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
first_screens.showcase_answer(report, tr)

# %%
views.caveats(report, tr)

# %%
views.top_section(report, tr)

# %%
views.recommendations(report, tr)

# %%
views.win_rate_figure(report, tr)

# %%
views.practices_section(report, tr)

# %%
views.practices_figure(report, tr)

# %%
views.profile_section(report, tr)

# %%
views.profile_figure(report, tr)

# %%
views.regression_section(report, tr)

# %%
views.provenance(
    report,
    tr,
    parameters={
        "data_dir": data_dir,
        "period": str(report.period),
        "team": team,
        "top_share": top_share,
        "anonymize": anonymize,
        "min_leads": min_leads,
        "lang": lang,
    },
)
