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

# %% [markdown]
# # Why did we miss?
#
# A worksheet, not a report: each step asks one question, answers it with one public call of the toolkit
# and shows the frame it returned (sort it, filter it, add a cell). Set the parameters below and run all
# cells; `manager` empty follows the manager who contributes most to the team's miss.

# %% tags=["parameters"]
data_dir: str = "../data/demo"  # folder of the data set (orders.csv, leads.csv, plans.csv, managers.csv)
period: str = "2026Q3"  # the period that missed, e.g. 2026Q3 (quarter) or 2026-07 (month)
team: str = ""  # the team to investigate; empty: all teams
manager: str = ""  # the manager to look at closely (their id, e.g. M10); empty: the largest contributor
mapping: str = ""  # mapping file for a real export (see docs/mappings.md); empty: the contract's own files
plan_metric: str = ""  # KPI of the plan: sales_volume, net_sales or gross_margin; empty: the data set's

# %%
import pandas as pd

import kpi_toolkit as kt
from kpi_toolkit.figures import plot_customer_bridge
from kpi_toolkit.gap import plot_gap_waterfall

data = kt.load(data_dir, mapping=mapping or None, plan_metric=plan_metric or None)
p = data.period(period)
team = team or None  # every team when empty
METRICS = ("conversion", "average_check", "new_customers")

# %% [markdown]
# ## 1. How far is the team from plan, and which drivers carry the gap?
#
# `kt.plan_gap` splits each manager's gap to plan into the effects of leads, conversion, orders per win and
# the average check; the effects add up to the gap. The `TOTAL` row is the team.

# %%
gap = kt.plan_gap(data, period=period, team=team)
kt.show(gap)

# %%
plot_gap_waterfall(gap, manager="TOTAL")
# %% [markdown]
# ## 2. Which managers drive it, and who misses plan systematically rather than by chance?
#
# The managers sorted by their gap (largest shortfall first), and `kt.systematic_misses` over the last eight
# periods: a manager whose attainment stays below plan by more than the noise of their sales.

# %%
by_gap = gap[gap["manager"] != "TOTAL"].sort_values("gap").reset_index(drop=True)
by_gap[["manager", "actual", "baseline_value", "gap"]]

# %%
misses = kt.systematic_misses(data, periods=f"{p.shift(-7)}:{p}", team=team)
misses

# %% [markdown]
# ## 3. One manager: which drivers moved, month by month?
#
# The manager with the largest shortfall unless `manager` is set. First their drivers' effects on the gap
# (largest loss first) with their 95 % bootstrap intervals (`within_noise`: the interval holds 0, the effect
# could be chance), then their KPIs month by month over this period and the one before.

# %%
focus = manager or by_gap["manager"].iloc[0]
focus

# %%
intervals = gap.attrs["effect_intervals"]
drivers = intervals[intervals["manager"] == focus].sort_values("estimate").reset_index(drop=True)
drivers

# %%
history = kt.kpi_history(data, periods=f"{p.previous().months[0]}:{p.months[-1]}", team=team)
history.loc[focus]

# %% [markdown]
# ## 4. Are the leads few, lost, or lost late?
#
# `kt.lead_outcomes`: the leads the manager closed in the period, won and lost, by how old they were when
# they closed, next to the team's (`TOTAL`). Where the leads table has a source or channel column, the same
# by source follows.

# %%
leads = kt.lead_outcomes(data, period=period, team=team, manager=focus)
leads

# %%
source = [c for c in ("source", "channel", "lead_source") if c in data.leads.columns]
by_source = kt.lead_outcomes(data, period=period, team=team, manager=focus, by="source") if source else None
by_source

# %% [markdown]
# ## 5. Which customers are behind the change?
#
# `kt.customer_bridge`: the change in volume against the previous period, split into new customers, lost
# customers, and customers who bought more or less (the manager's as a waterfall); then
# `kt.customer_changes`, the manager's customers with the largest gains and losses.

# %%
bridge = kt.customer_bridge(data, period=period, team=team)
kt.show(bridge)

# %%
plot_customer_bridge(bridge, manager=focus)
# %%
changes = kt.customer_changes(data, period=period, team=team, manager=focus, n=10)
changes

# %% [markdown]
# ## 6. Which practices differ from the colleagues'?
#
# `kt.practice_differences`: how the manager's leads created in the period were worked in their first two
# weeks, against the spread of the colleagues' averages (`rank` 1 is the highest). A difference is a lead to
# follow, not a cause: `kt.practice_effects` tests which practices go with winning.

# %%
practices = kt.practice_differences(data, periods=period, manager=focus, team=team)
practices

# %% [markdown]
# ## 7. Is the manager really different, or could it be chance?
#
# `kt.compare_managers`: the manager against the rest of the team on conversion, average check and new
# customers, with the confidence interval of the difference, the p-value adjusted for the number of
# managers, and the verdict (`no difference` when the data cannot tell).

# %%
verdicts = pd.concat([kt.compare_managers(data, period=period, metric=m, team=team) for m in METRICS])
verdicts[verdicts["manager"] == focus]
