"""A seeded synthetic sales company for demos, tests and the bundled report.

Two teams of seven managers sell for two years, 1 October 2024 to 30 September 2026 (eight quarters,
2024Q4-2026Q3), joined by a rep hired in August 2026 and one who left in May 2026, while one rep moves team
in August 2026 (:data:`PLANTED_PEOPLE`), with fixed dates so that the data is the same on every machine and
every day. Leads arrive with seasonality (strong autumn and December, weak January-February), are won or
lost some weeks later, and a won lead becomes an order from a new or an existing customer; customers then
come back with repeat orders. Order amounts are log-normal (skewed). Plans are set per manager and quarter
before the quarter, from the volume the manager is expected to sell (lead flow, season, conversion, check,
customer base), with planning noise; they are not fitted to what was sold, so some managers beat them and
some miss, by chance. The teams' own targets are 5 % above their members'.

The differences that the analyses must find are planted on purpose (:data:`PLANTED`); every other manager
shares the same conversion probability and the same distribution of order amounts, so a method that flags
anyone else is flagging noise.

- :mod:`~kpi_toolkit.demo.planted`: what is planted, by manager id.
- :mod:`~kpi_toolkit.demo.company`: dates, managers, shared parameters, profiles, random streams.
- :mod:`~kpi_toolkit.demo.leads`: leads, and their pipeline columns.
- :mod:`~kpi_toolkit.demo.orders`: orders, their cost of goods, returns.
- :mod:`~kpi_toolkit.demo.activities`: calls, emails and meetings (how the planted practice is simulated
  without changing the leads).
- :mod:`~kpi_toolkit.demo.plans`: the managers' and the teams' targets.
- :mod:`~kpi_toolkit.demo.tables`: the tables put together (:func:`make_demo_data`) and written
  (:func:`write_demo_data`).
"""

from kpi_toolkit.demo.company import DEMO_END, DEMO_START
from kpi_toolkit.demo.leads import DEMO_STAGES
from kpi_toolkit.demo.planted import PLANTED, PLANTED_PEOPLE, PLANTED_PIPELINE, PLANTED_PRACTICES
from kpi_toolkit.demo.tables import make_demo_data, write_demo_data

__all__ = [
    "DEMO_END",
    "DEMO_STAGES",
    "DEMO_START",
    "PLANTED",
    "PLANTED_PEOPLE",
    "PLANTED_PIPELINE",
    "PLANTED_PRACTICES",
    "make_demo_data",
    "write_demo_data",
]
