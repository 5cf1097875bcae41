"""The ``kpi-report`` command: render reports and make the demo data.

A report is computed once, in its notebook: a command checks its options, executes the report's notebook
(whose last cell writes the report's record and data files into a staging folder, see
:mod:`kpi_toolkit.report.outputs`), names the files and publishes the set (:mod:`kpi_toolkit.report.publish`).
This process never loads the data itself.

Errors of the toolkit (bad data, bad parameters, a failed notebook), files that cannot be read or written
and mistyped options are printed in a line or two, without a traceback, and end the command with exit status
2 (1 is left to unexpected crashes). Ctrl-C and SIGTERM stop a command with exit status 130 and one line
saying whether the report was published: a report's files are published together or not at all
(:mod:`kpi_toolkit.report.publish`).

This module runs the command (:func:`main`) and words its errors; the commands are in
:mod:`kpi_toolkit.cli_commands`, the options they share in :mod:`kpi_toolkit.cli_options`, and how one report
is rendered and published in :mod:`kpi_toolkit.cli_render`.
"""

from __future__ import annotations

import re

import typer

from kpi_toolkit.cli_commands import app
from kpi_toolkit.cli_render import _err
from kpi_toolkit.errors import KpiToolkitError
from kpi_toolkit.interrupts import Interrupted, handling_signals, interrupted_line

__all__ = ["app", "main"]


#: Python parameters named in the toolkit's messages that are options of the command line.
_CLI_OPTIONS = ("metric", "period", "team", "manager", "alpha", "baseline", "history", "as_of", "by", "jobs",
                "lang", "currency", "on_invalid", "top_share", "min_leads",
                "plan_metric")  # fmt: skip
_PYTHON_PARAMETER = re.compile(rf"\b({'|'.join(_CLI_OPTIONS)})=('([^']*)'|\"([^\"]*)\"|([\w.:-]+))")


def _cli_words(message: str) -> str:
    """A toolkit message as the command line speaks: ``metric='average_check'`` becomes ``--metric
    average_check``.

    >>> _cli_words("or compare metric='average_check' (on_invalid='x')")
    'or compare --metric average_check (--on-invalid x)'
    """

    def option(match: re.Match[str]) -> str:
        value = next(v for v in match.group(3, 4, 5) if v is not None)
        return f"--{match.group(1).replace('_', '-')} {value}"

    return _PYTHON_PARAMETER.sub(option, message)


def main() -> None:
    """Entry point of ``kpi-report``: run the command; print errors, interruptions and usage mistakes in a
    line or two, without a traceback."""
    try:
        with handling_signals():
            code = app(standalone_mode=False)
    except Interrupted as exc:
        _err.print(interrupted_line(exc), markup=False, highlight=False)
        raise SystemExit(130) from None
    except KpiToolkitError as exc:
        _err.print("error:", style="bold red", end=" ")
        _err.print(_cli_words(str(exc)), markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except OSError as exc:  # a file that cannot be read or written, named by the system's message
        where = f"{exc.filename}: " if exc.filename else ""
        _err.print("error:", style="bold red", end=" ")
        _err.print(f"{where}{exc.strerror or exc}", markup=False, highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except (typer.Abort, KeyboardInterrupt):
        _err.print(interrupted_line(), markup=False, highlight=False)
        raise SystemExit(130) from None
    except typer.TyperException as exc:  # usage errors (an unknown option such as --perod): click's message
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        raise SystemExit(getattr(exc, "exit_code", 2)) from None
    if isinstance(code, int) and code:
        if code == 130:
            _err.print(interrupted_line(), markup=False, highlight=False)
        raise SystemExit(code)
