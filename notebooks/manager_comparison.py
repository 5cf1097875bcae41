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
metric: str = "conversion"  # KPI to compare: conversion, average_check or new_customers
alpha: float = 0.05  # level of the verdicts: the chance that anyone is flagged when all are alike
currency: str = ""  # ISO 4217 code of the amounts (RUB, USD, EUR ...); empty: amounts without a currency sign
mapping: str = ""  # mapping (YAML) that reads an export in data_dir; empty: canonical tables

# %%
import kpi_toolkit as kt
from kpi_toolkit.report import comparison_views as views
from kpi_toolkit.report import translator
from kpi_toolkit.report.comparison_report import comparison_report

tr = translator("en", currency=currency)
data = kt.load(data_dir, mapping=mapping or None)
report = comparison_report(data, period=period, metric=metric, team=team, alpha=alpha)
views.title(report, tr)

# %%
views.headline(report, tr)

# %%
views.caveats(report, tr)

# %% [markdown]
# CRM dashboards rank managers by their raw numbers, and a manager with 4 wins out of 5 leads tops the table
# while one with 36 out of 200 looks worst. This report asks which differences between managers are real:
# does a manager truly convert worse, or sell bigger checks, than the rest of the team, or could chance
# alone have made the numbers differ this much? It first states what the data say in plain words, then shows
# the tests behind each statement, a funnel plot and a ranking that allows for how many leads each manager
# had. The file `manager_tests.csv` beside this report holds every test, for every KPI.

# %%
views.conclusions(report, tr)

# %%
views.global_section(report, tr)

# %%
views.verdicts_section(report, tr)

# %%
views.funnel_section(report, tr)

# %%
views.ranking_section(report, tr)

# %%
views.amounts_section(report, tr)

# %% [markdown]
# ## Reading the tests and the funnel plot
#
# **Why a funnel signal and a test verdict can disagree.** They answer different questions. The test asks
# whether one manager differs from the *rest* of the team (the others pooled, without any colleague who
# clearly differs), and its p-values are adjusted for the number of managers tested, so that when all
# managers are alike the chance of flagging anyone is at most the chosen level. The funnel plot asks whether a
# manager's rate is unusual for *the team as a whole* (the manager's own leads included in the center), one
# manager at a time, with no adjustment: with 20 managers, one is expected outside the 95 % limits by chance
# alone. So a manager can be outside the 95 % limits ("watch") without a verdict, a manager can sit just
# inside the 99.8 % limits and still be called below (the rest without the manager is a sharper reference than
# the team's center), and a manager with very few leads gets wide limits in the funnel but "insufficient data"
# from the test. Read the funnel as a picture of who to look at, and the verdict as the finding that survives
# chance across the whole team.
#
# **What each test assumes, and when not to trust it.**
#
# - *Conversion* (chi-square with Yates' correction, Fisher's exact test for small counts; funnel limits from
#   the binomial distribution): every lead converts independently, at one rate per manager over the period.
#   Distrust it when many leads belong to one account or campaign (they win or lose together, and the test
#   is too quick to flag), when leads are not assigned alike (one manager gets the hard segment: the test
#   then compares segments, not people), or when the rate changed within the period.
# - *Average check* (Welch's t-test on log amounts): orders are independent and roughly log-normal; the test
#   compares typical orders (geometric means), not totals. Distrust it with fewer than about 30 orders per
#   manager, with a few very large repeat orders of one customer, or with amounts piled up near zero. The
#   checks beside it (Mann-Whitney, the bootstrap of the ratio of average checks, Cliff's delta) do not
#   decide anything; when they disagree with the verdict, look at the distributions.
# - *New customers* (exact test of Poisson counts): customers arrive independently over the period. The count
#   reflects workload as much as skill: a manager with fewer leads wins fewer new customers.
# - *All of them*: "no difference" means no evidence of a difference, not proof of equality; the sentence on
#   the size a test can detect says how large a difference could still hide. A quarter of leads detects only
#   large differences in conversion; a year detects much smaller ones. The shrunk ranking assumes the managers
#   are alike a priori (exchangeable); its intervals are a little narrow with fewer than about ten managers.

# %%
views.provenance(
    report,
    tr,
    parameters={
        "data_dir": data_dir,
        "period": period,
        "team": team,
        "metric": metric,
        "alpha": alpha,
        "currency": currency,
        "mapping": mapping,
    },
)
