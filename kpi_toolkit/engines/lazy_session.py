"""What a lazy load holds while it validates, and how it fetches counts and first rows from the engine.

:class:`_Session` keeps the lazy tables (orders, leads) and the small pandas ones, their files, row counts and
the dates the validation query counts; its :meth:`_Session.hits` turns a query of broken rows into the count,
the first rows (:data:`FIRST_ROWS`) and a few values a :class:`~kpi_toolkit.errors.Violation` shows. Used by
:mod:`kpi_toolkit.engines.lazy_table_checks` (one table's checks) and
:mod:`kpi_toolkit.engines.lazy_references` (the cross-table rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import pandas as pd

from kpi_toolkit.engines.handover import to_pandas
from kpi_toolkit.engines.tables import Backend, LazyTable
from kpi_toolkit.errors import DataValidationError, Violation
from kpi_toolkit.reading import ROW

#: How many rows of each broken rule are fetched (and shown; ``n_rows`` counts them all).
FIRST_ROWS = 20


@dataclass
class _Session:
    backend: Backend
    lazy: dict[str, LazyTable] = field(default_factory=dict)
    small: dict[str, pd.DataFrame] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    dates: dict[str, Any] = field(default_factory=dict)

    def collect(self, frame: nw.LazyFrame, table: LazyTable | None = None) -> pd.DataFrame:
        try:
            return to_pandas(frame)
        except Exception as exc:
            found = None if table is None else self.backend.read_error(exc, table)
            if found is None:
                raise
            raise DataValidationError([found]) from None

    def hits(
        self, table: str, frame: nw.LazyFrame, column: str, shown_as: str, n: int | None = None
    ) -> tuple[int, tuple[int, ...], tuple[str, ...]]:
        """Count of ``frame``'s rows, its first rows and up to three values of ``shown_as`` among them."""
        if n is None:
            n = int(self.collect(frame.select(nw.len().alias("_n")))["_n"].iloc[0])
        if not n:
            return 0, (), ()
        raw = self.lazy[table].raw if table in self.lazy else None
        if raw is not None and shown_as not in frame.collect_schema().names():
            # the cells as found are looked up in the file by row, for the first rows only
            rows = self.collect(frame.select(ROW).sort(ROW).head(FIRST_ROWS))[ROW].tolist()
            found = raw.filter(nw.col(ROW).is_in([int(r) for r in rows])).select(ROW, shown_as)
            first = self.collect(found, self.lazy[table]).sort_values(ROW, ignore_index=True)
        else:
            first = self.collect(frame.select(ROW, shown_as).sort(ROW).head(FIRST_ROWS))
        examples = first[shown_as].astype("string").dropna().head(3).tolist()
        return n, tuple(int(r) for r in first[ROW]), tuple(str(e) for e in examples)

    def violation(
        self,
        table: str,
        column: str,
        rule: str,
        fix: str,
        found: tuple[int, tuple[int, ...], tuple[str, ...]],
    ) -> Violation:
        n, rows, examples = found
        return Violation(table, self.sources[table], column, rule, rows, n, examples, fix)

    def frame(self, table: str) -> nw.LazyFrame:
        if table in self.lazy:
            assert self.lazy[table].frame is not None
            return self.lazy[table].frame
        return nw.from_native(self.small[table].reset_index(drop=True), eager_only=True).lazy()
