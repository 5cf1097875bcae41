# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
data_dir: str = "../data/demo"  # folder of the data set (orders.csv, leads.csv, plans.csv, managers.csv)
period: str = ""  # quarter to report, e.g. 2026Q3; empty: the latest complete quarter in the data
team: str = ""  # team to report on; empty: all teams

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import quarterly_report, views

data = kt.load(data_dir)
report = quarterly_report(data, period=period, team=team)
views.title(report)

# %%
views.summary(report)

# %%
views.caveats(report)

# %% [markdown]
# ## KPIs by manager
#
# Sales volume, plan and attainment, orders, average check, conversion of closed leads (with the number of
# leads won and closed behind each rate) and customers who bought for the first time. Attainment below plan is
# shown in red.

# %%
views.kpi_table(report)

# %% [markdown]
# ## Against earlier periods
#
# The quarter against the previous quarter, the same quarter a year before, and the fiscal year to date
# against the same months a year before. Changes of rates are in percentage points (pp).

# %%
views.comparison_table(report)

# %% [markdown]
# ## Trend

# %%
views.trend_figures(report)

# %% [markdown]
# ## Ranking by plan attainment
#
# A quarter's sales depend on a handful of large orders, so attainment carries noise. Each attainment comes with
# a 95 % interval and each rank with the range of ranks the manager could plausibly hold: managers whose
# ranges overlap cannot be told apart on this quarter's numbers alone.

# %%
views.attainment_figure(report)

# %%
views.ranking_table(report)

# %% [markdown]
# ## How this report was made

# %%
views.provenance(report, {"data_dir": data_dir, "period": str(report.period), "team": team or "all"})
