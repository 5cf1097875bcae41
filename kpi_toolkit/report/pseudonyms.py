"""Pseudonyms for managers: "Manager A", "Manager B", ... instead of their names.

A manager's own report shows their own name and figures against their team's; the colleagues appear under
letters. The showcase names its top group and letters everyone else. Both take the letters from one function,
:func:`report_letters`: the letters of *every* manager of the data set, keyed by the data fingerprint, so that

- one person has one letter in every report made from the same data: colleague M05 is "Manager D" in each
  per-manager report of the team, in every period of a batch, and in the showcase of the same data (letters
  are never given within a team or a report's own subset, which would give one person two letters);
- the letters are not the order of the ids or of the names (which a reader could guess): the managers are
  ordered by a keyed hash, sha256(key, id);
- they are independent of the reader: the reader's own letter is simply not shown, so the letters seen in
  one report have gaps (a team sees the letters its members have in the whole data set).

This is pseudonymisation, not anonymisation: a colleague's figures can still identify them to someone who
knows them, and anyone holding the data (or the fingerprint and the ids) can recompute the letters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kpi_toolkit.data import SalesData

__all__ = ["letter", "pseudonym_letters", "report_letters"]


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


def report_letters(data: SalesData, *, fingerprint: str | None = None) -> dict[str, str]:
    """The letter of every manager of ``data``, as every report kind shows it (the one pseudonym function).

    All the data set's managers are lettered together (:func:`pseudonym_letters` keyed by the data
    fingerprint), whatever team or subset a report shows. ``fingerprint``: the data's fingerprint when the
    caller has it already (it is computed otherwise).

    >>> import kpi_toolkit as kt
    >>> from kpi_toolkit.demo import make_demo_data
    >>> letters = report_letters(kt.from_frames(**make_demo_data()))
    >>> len(letters), sorted(letters.values())[:3]
    (16, ['A', 'B', 'C'])
    """
    from kpi_toolkit.fingerprint import data_fingerprint

    key = fingerprint if fingerprint is not None else data_fingerprint(data)
    return pseudonym_letters(data.manager_ids, key=key)
