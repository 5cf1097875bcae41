"""The toolkit's own exceptions.

Every error the toolkit raises on bad input derives from :class:`KpiToolkitError`, so a caller (or the
``kpi-report`` command) can catch them all in one place and show the message without a traceback. A message
always says *what* was wrong, *where* (file, column, rows, or parameter) and *how to fix it*.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "DataValidationError",
    "KpiToolkitError",
    "ParameterError",
    "ReportError",
    "Violation",
]


class KpiToolkitError(Exception):
    """Base class of every error raised by kpi_toolkit on bad input or a failed step."""


class ParameterError(KpiToolkitError, ValueError):
    """A function or command was called with an invalid parameter value."""


class ReportError(KpiToolkitError):
    """A report could not be rendered (the notebook failed, or its parameters were wrong)."""


@dataclass(frozen=True)
class Violation:
    """One broken validation rule: where, what, how many rows, and how to fix it.

    ``rows`` are row numbers as the user sees them in the file (for a CSV the line number, the header being
    line 1; for a Parquet file or an in-memory frame the 1-based row position).
    """

    table: str
    source: str
    column: str | None
    rule: str
    rows: tuple[int, ...] = ()
    n_rows: int = 0
    examples: tuple[str, ...] = ()
    fix: str = ""

    def describe(self, *, max_rows: int = 5) -> str:
        where = f"{self.source}"
        if self.column:
            where += f", column '{self.column}'"
        if self.n_rows:
            shown = ", ".join(str(r) for r in self.rows[:max_rows])
            more = f" and {self.n_rows - max_rows} more" if self.n_rows > max_rows else ""
            noun = "row" if self.n_rows == 1 else "rows"
            where += f", {noun} {shown}{more} ({self.n_rows} in all)"
        text = f"{where}: {self.rule}"
        if self.examples:
            text += " (found " + ", ".join(repr(e) for e in self.examples[:3]) + ")"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


@dataclass
class DataValidationError(KpiToolkitError):
    """The input data broke one or more rules of the data contract.

    ``violations`` lists every broken rule; the message shows all of them.
    """

    violations: list[Violation] = field(default_factory=list)

    def __str__(self) -> str:
        n = len(self.violations)
        head = f"the sales data broke {n} rule{'s' if n != 1 else ''} of the data contract:"
        return "\n".join([head, *(f"  - {v.describe()}" for v in self.violations)])
