"""``python -m kpi_toolkit`` runs the ``kpi-report`` command."""

from kpi_toolkit.cli import main

if __name__ == "__main__":
    main()
