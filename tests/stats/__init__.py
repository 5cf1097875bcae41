"""Tests of kpi_toolkit.stats (a package, so that its module names cannot clash with tests/test_*.py)."""
