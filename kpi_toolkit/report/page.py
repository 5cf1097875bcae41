"""What every page of the report site shares: its style sheet, its one small script, its content security
policy and the slot of the site's navigation bar.

Pages are self-contained: the style sheet and the script (``static/``) are inlined, figures are data URIs,
and the content security policy forbids every request to anywhere (``default-src 'none'``) except images
from data URIs, and every script except the toolkit's own table sorter, named by its sha256. So even a string
that escaped escaping could neither run nor load anything.

The navigation bar (back to the index, the previous and next period, the other languages) sits between
:data:`NAV_START` and :data:`NAV_END` at the top of each report; :mod:`kpi_toolkit.report.site` rewrites it
whenever the site is rebuilt, so a report rendered before its successor still links to it.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

__all__ = ["NAV_END", "NAV_START", "STATIC_DIR", "content_security_policy", "script", "style"]

STATIC_DIR = Path(__file__).parent / "static"
#: Markers around a report's navigation bar (only the toolkit's templates write HTML comments: data is
#: escaped, so ``<!--`` in a name shows as text and can never fake a marker).
NAV_START = "<!--kpi-site-nav-->"
NAV_END = "<!--/kpi-site-nav-->"


@cache
def style() -> str:
    """The style sheet of reports and index: screen, a 375-px phone, and A4 print."""
    return (STATIC_DIR / "report.css").read_text(encoding="utf-8")


@cache
def script() -> str:
    """The one script of a page: sorts tables marked ``sortable`` (about 40 lines, no network)."""
    return (STATIC_DIR / "sort.js").read_text(encoding="utf-8")


@cache
def content_security_policy() -> str:
    """The page's content security policy: nothing from any network, only the toolkit's own script.

    >>> content_security_policy().startswith("default-src 'none'; img-src data:;")
    True
    """
    digest = base64.b64encode(hashlib.sha256(script().encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
