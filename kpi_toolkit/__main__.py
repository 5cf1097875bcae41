"""``python -m kpi_toolkit`` and the ``kpi-report`` command.

The signal handlers are installed before the toolkit is imported (pandas and the rest take seconds to
import), so that Ctrl-C or SIGTERM at any moment ends the command with one line and exit status 130.
"""

from __future__ import annotations


def main() -> None:
    """Run ``kpi-report`` (:func:`kpi_toolkit.cli.main`), stopping cleanly when interrupted while loading."""
    from kpi_toolkit.interrupts import Interrupted, handling_signals, report_interruption

    with handling_signals():
        try:
            from kpi_toolkit.cli import main as run

            run()
        except Interrupted as exc:
            report_interruption(exc)
            raise SystemExit(130) from None


if __name__ == "__main__":
    main()
