"""Pseudonyms for colleagues in a per-manager report: "Manager A", "Manager B", ... instead of their names.

A manager's own report shows their own name and figures against their team's; the colleagues appear under
letters. The letters are a function of the team's member ids and a key (by default the data fingerprint), so
that they are

- stable within a report and across every report made from the same data: in a batch, colleague M05 is
  "Manager D" in each of the team's per-manager reports, in every period of the batch;
- not the order of the ids or of the names (which a reader could guess): the members are ordered by a keyed
  hash, sha256(key, id);
- independent of the reader: letters are given to the whole team, the reader included, and the reader's own
  letter is simply not shown (so the letters seen in one report have one gap).

This is pseudonymisation, not anonymisation: a colleague's figures can still identify them to someone who
knows them, and anyone holding the data (or the fingerprint and the ids) can recompute the letters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

__all__ = ["letter", "pseudonym_letters"]


def letter(index: int) -> str:
    """The ``index``-th letter code from 0: ``A`` ... ``Z``, then ``AA``, ``AB`` ... (as spreadsheet columns).

    >>> [letter(i) for i in (0, 1, 25, 26, 27, 701, 702)]
    ['A', 'B', 'Z', 'AA', 'AB', 'ZZ', 'AAA']
    """
    if index < 0:
        raise ValueError(f"index={index} is negative")
    code = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        code = chr(ord("A") + rest) + code
    return code


def pseudonym_letters(managers: Iterable[str], *, key: str) -> dict[str, str]:
    """A letter code for each manager id: the ids ordered by sha256 of ``key`` and the id, lettered A, B, ...

    Parameters
    ----------
    managers
        The ids of one team's managers (duplicates are ignored).
    key
        What makes the order: the same key and ids give the same letters. The per-manager report uses the
        data fingerprint, so every report made from the same data agrees.

    Returns
    -------
    dict
        Manager id -> letter code, in the order of the letters.

    Examples
    --------
    >>> letters = pseudonym_letters(["M01", "M02", "M03"], key="sha256:ab")
    >>> sorted(letters.values())
    ['A', 'B', 'C']
    >>> letters == pseudonym_letters(["M03", "M01", "M02", "M01"], key="sha256:ab")
    True
    """
    ids = sorted(set(map(str, managers)))
    ranked = sorted(ids, key=lambda m: (hashlib.sha256(f"{key}\x1f{m}".encode()).hexdigest(), m))
    return {m: letter(i) for i, m in enumerate(ranked)}
