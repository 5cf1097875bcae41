"""Exact counts of distinct and known ids on DuckDB, cheaper than its distinct count and anti-join.

:class:`DistinctCounts` gives :class:`kpi_toolkit.engines.duckdb.DuckDBBackend` the validation's counts of
ids: bitmaps over the range of integer ids (:meth:`DistinctCounts.distinct_integers`,
:meth:`DistinctCounts.all_known`) and a sort of 64-bit hashes in NumPy on every core
(:meth:`DistinctCounts.distinct_hashes`, :func:`sort_on_every_core`), each within a size
(:data:`BITMAP_BITS`, :data:`SORTED_HASHES`) beyond which DuckDB's own count decides.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import narwhals as nw
import numpy as np

from kpi_toolkit.engines.duckdb_sql import _ident

#: The widest range of integer ids whose uniqueness is checked with a bitmap (bits: 32 MiB per thread).
BITMAP_BITS = 1 << 28
#: The most hashed ids whose distinct hashes are counted by a sort in NumPy (8 bytes each: 512 MiB).
SORTED_HASHES = 1 << 26
#: The fewest hashes per part when they are sorted in parts on several cores (fewer: one sort).
SORTED_PART = 1 << 18


class DistinctCounts:
    """The counts of distinct and known ids of :class:`kpi_toolkit.engines.duckdb.DuckDBBackend`."""

    def distinct_integers(self, frame: nw.LazyFrame, column: str, low: int, high: int) -> int | None:
        """How many distinct values the integer ``column`` has (all in ``low .. high``), by a bitmap.

        ``bitstring_agg`` sets one bit per value in a bitmap of ``high - low + 1`` bits and ``bit_count``
        counts them: exact, and about a seventh of the CPU of a distinct count, which is a hash aggregate
        with a group per id (2 million integer ids: 0.03 s against 0.23 s). ``None`` when the range is wider
        than :data:`BITMAP_BITS` (sparse ids: the distinct count is then cheaper in memory).

        Examples
        --------
        >>> from kpi_toolkit.engines.duckdb import DuckDBBackend, connect
        >>> frame = nw.from_native(connect().sql("SELECT * FROM (VALUES (3), (5), (3), (NULL)) t(x)"))
        >>> DuckDBBackend().distinct_integers(frame, "x", 3, 5)
        2
        """
        if high - low >= BITMAP_BITS:
            return None
        x = _ident(column)
        relation = frame.to_native().filter(f"{x} IS NOT NULL")
        [(bits,)] = relation.aggregate(f"bit_count(bitstring_agg({x}, {int(low)}, {int(high)}))").fetchall()
        return int(bits or 0)

    def distinct_hashes(
        self, frame: nw.LazyFrame, column: str, values: int, *, present: str | None = None
    ) -> int | None:
        """How many distinct values the ``values`` present 64-bit hashes of ``column`` take, sorted in NumPy.

        The hashes come back as one ``uint64`` array (8 bytes per id) and are sorted; every neighbour that
        differs starts a new value. Exact for the hashes, and cheaper than DuckDB's distinct count on
        millions of ids, a hash aggregate with a group per id whose table leaves the caches (10 million text
        ids: 1.0 s of CPU against 1.8 s in the counting query). Equal hashes prove nothing about the ids:
        the caller then groups the ids themselves. ``None`` (DuckDB's distinct count, which can spill to
        disk, decides) for more than :data:`SORTED_HASHES` values, whose array would hold too much memory.
        ``present``: a column missing exactly where the hash is (the id it hashes); the scan skips the missing
        ids by it, which DuckDB can do as it reads the file (10 million text ids: 0.1 s less CPU than testing
        the hash, an expression of the id).

        Examples
        --------
        >>> from kpi_toolkit.engines.duckdb import DuckDBBackend, connect
        >>> frame = nw.from_native(connect().sql("SELECT * FROM (VALUES (7), (2), (7), (NULL)) t(h)"))
        >>> DuckDBBackend().distinct_hashes(frame, "h", 3)
        2
        """
        if values > SORTED_HASHES:
            return None
        x = _ident(column)
        where = _ident(present) if present is not None else x
        hashes = frame.to_native().filter(f"{where} IS NOT NULL").project(x).fetchnumpy()[column]
        hashes = np.asarray(hashes)
        hashes = hashes if hashes.flags.writeable else hashes.copy()
        sort_on_every_core(hashes)  # in place: the fetched array is ours
        return int(np.count_nonzero(hashes[1:] != hashes[:-1])) + int(hashes.size > 0)

    def all_known(self, rows: nw.LazyFrame, known: nw.LazyFrame, column: str) -> bool:
        """Whether every present integer ``column`` of ``rows`` is among ``known``'s, by two bitmaps.

        The bitmaps of both (``bitstring_agg`` over the range of ``known``'s values) are compared bit by bit:
        no bit of ``rows`` outside ``known``'s means no unknown value (exact). A seventh of the CPU of the
        anti-join on 2 million orders' lead ids; ``False`` (the anti-join decides) where a value lies outside
        that range or the range is wider than :data:`BITMAP_BITS`.

        Examples
        --------
        >>> from kpi_toolkit.engines.duckdb import DuckDBBackend, connect
        >>> con = connect()
        >>> leads = nw.from_native(con.sql("SELECT * FROM (VALUES (2), (5), (7)) t(x)"))
        >>> orders = nw.from_native(con.sql("SELECT * FROM (VALUES (5), (NULL), (7), (5)) t(x)"))
        >>> DuckDBBackend(con).all_known(orders, leads, "x")
        True
        >>> DuckDBBackend(con).all_known(leads, orders, "x")
        False
        """
        x = _ident(column)
        a, b = rows.to_native(), known.to_native()
        [(low, high)] = b.aggregate(f"min({x}), max({x})").fetchall()
        [(first, last)] = a.aggregate(f"min({x}), max({x})").fetchall()
        if first is None:
            return True  # no value to look up
        if low is None or first < low or last > high or high - low >= BITMAP_BITS:
            return False
        bits = f"bitstring_agg({x}, {int(low)}, {int(high)})"
        a, b = a.filter(f"{x} IS NOT NULL").aggregate(f"{bits} AS a"), b.aggregate(f"{bits} AS b")
        [(unknown,)] = a.cross(b).aggregate("bit_count(a & ~b)").fetchall()
        return unknown == 0


def sort_on_every_core(values: np.ndarray) -> None:
    """Sort ``values`` in place, using every core the process may run on.

    NumPy's sort runs on one core. Here each of several parts (at least :data:`SORTED_PART` values) is sorted
    in a thread of its own (NumPy releases the GIL while it sorts), and one stable sort then merges the
    sorted runs (Timsort finds them and merges in linear time). 10 million hashes on 2 cores: 0.66 -> 0.39 s
    of wall time; 2 million: 0.11 -> 0.07 s.

    Examples
    --------
    >>> values = np.array([5, 3, 9, 1], dtype=np.uint64)
    >>> sort_on_every_core(values)
    >>> values.tolist()
    [1, 3, 5, 9]
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    parts = min(cores, values.size // SORTED_PART)
    if parts < 2:
        values.sort()
        return
    bounds = np.linspace(0, values.size, parts + 1).astype(np.int64).tolist()
    with ThreadPoolExecutor(parts) as pool:
        list(pool.map(np.ndarray.sort, [values[a:b] for a, b in itertools.pairwise(bounds)]))
    values.sort(kind="stable")
