"""Mappings: real exports (CRM, ERP, Excel) in, the data contract's tables out, described in YAML, not code.

:func:`read_mapping` reads and checks a mapping file; :func:`apply_mapping` reads the files it names and
builds the contract's tables, which :func:`kpi_toolkit.load` then validates like a canonical folder. The
schema, with examples, is in ``docs/mappings.md``.
"""

from kpi_toolkit.mapping.build import apply_mapping
from kpi_toolkit.mapping.reader import read_mapping
from kpi_toolkit.mapping.spec import MappingSpec

__all__ = ["MappingSpec", "apply_mapping", "read_mapping"]
