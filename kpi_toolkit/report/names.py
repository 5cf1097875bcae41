"""File names from team and manager names: one rule for every command, unique, never another name's file.

A name becomes a file-name part by :func:`slug` (``North & Co`` -> ``north-co``). Two names can give the same
slug (``North`` and ``north!``), so :func:`unique_slugs` gives each name of a data set its own one, in the
names' sorted order (``north``, ``north-2``): the same data gives the same file names on every run, whichever
command renders them, and whether one team is rendered or all of them.

A report's record (``<name>.report.json``) keeps the name(s) its file name was made from (its ``owner``), so
a later run never overwrites a file another name produced: :func:`claim` skips a file name whose file belongs
to another name (or to no report at all, say the user's own page) and takes the next one, ``-2``, ``-3`` ...
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

__all__ = ["FOREIGN", "claim", "file_part", "owner_in_folder", "period_folder", "slug", "unique_slugs"]

#: What :func:`owner_in_folder` returns for a file that exists but that no report record claims.
FOREIGN = "\x00foreign"


def slug(text: str, *, empty: str = "x") -> str:
    """A file-name part from a team or manager name: lower-case words joined by ``-``.

    >>> slug("North & Co"), slug("north!"), slug("Юг"), slug("***")
    ('north-co', 'north', 'юг', 'x')
    """
    return re.sub(r"[\W_]+", "-", str(text)).strip("-").lower() or empty


def period_folder(period: object) -> str:
    """The folder of a period's reports: its label, with a range's ``:`` (not allowed in file names on
    Windows, and a scheme in a link) written ``_``.

    >>> period_folder("2026Q3"), period_folder("2025Q4:2026Q3"), period_folder("2025-10:2026-09")
    ('2026Q3', '2025Q4_2026Q3', '2025-10_2026-09')
    """
    return str(period).replace(":", "_")


def unique_slugs(names: Iterable[str]) -> dict[str, str]:
    """A distinct slug per name, the same on every run: names in sorted order, a taken slug gets ``-2``...

    >>> unique_slugs(["north!", "North", "South"])
    {'North': 'north', 'South': 'south', 'north!': 'north-2'}
    """
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(dict.fromkeys(str(n) for n in names)):
        base = candidate = slug(name)
        n = 1
        while candidate in used:
            n += 1
            candidate = f"{base}-{n}"
        used.add(candidate)
        out[name] = candidate
    return out


def claim(base: str, *, owner: str, path_of: Callable[[str], Path], taken: Collection[str] = ()) -> str:
    """The first of ``base``, ``base-2``, ``base-3`` ... whose file ``path_of(candidate)`` is absent or
    already ``owner``'s (by its record), and that is not in ``taken`` (the other names' slugs, and those
    given out earlier in the same run).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "quarterly_north.html").write_text("my own page")
    >>> claim("north", owner="North", path_of=lambda s: folder / f"quarterly_{s}.html")
    'north-2'
    """
    candidate, n = base, 1
    while candidate in taken or owner_in_folder(path_of(candidate)) not in (None, owner):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def owner_in_folder(html: Path) -> str | None:
    """Who owns the report file ``html``: the ``owner`` its record names, :data:`FOREIGN` for a file no
    record claims (say, the user's own), ``None`` when there is no such file."""
    from kpi_toolkit.report.site import sidecar_path

    sidecar = sidecar_path(html)
    if sidecar.is_file():
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return FOREIGN
        if isinstance(data, dict):
            owner = data.get("owner")
            if isinstance(owner, str) and owner:
                return owner
            return "|".join(str(data.get(k) or "") for k in ("team", "subject"))  # an older record
        return FOREIGN
    return FOREIGN if html.exists() else None


def file_part(
    folder: Path, prefix: str, lang: str, names: Sequence[tuple[str, Sequence[str]]]
) -> tuple[str, str]:
    """The part of a report's file name that names its team (or team and manager), and its owner.

    ``names`` pairs each name with all the names of its kind in the data set (the teams, the manager ids):
    each name's slug is unique among them (:func:`unique_slugs`), and a file in ``folder`` that another name
    produced is never taken (:func:`claim`). ``("", "")`` for a report on everybody.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> file_part(folder, "quarterly", "en", [("north!", ["North", "north!", "South"])])
    ('_north-2', 'north!')
    >>> file_part(folder, "quarterly", "en", [("", ["North"])])
    ('', '')
    """
    given = [(name, universe) for name, universe in names if name]
    if not given:
        return "", ""
    slugs = [unique_slugs([*universe, name]) for name, universe in given]
    base = "_".join(s[name] for s, (name, _) in zip(slugs, given, strict=True))
    # a slug another name of the data set goes by is not free, even when its file does not exist yet
    others = set(slugs[0].values()) - {base} if len(given) == 1 else set()
    owner = "|".join(name for name, _ in given)
    ext = ".html" if lang == "en" else f".{lang}.html"
    part = claim(base, owner=owner, path_of=lambda s: folder / f"{prefix}_{s}{ext}", taken=others)
    return "_" + part, owner
