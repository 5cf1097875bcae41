"""Keeping one report from the next in a reused kernel: record a fresh kernel's state once, restore it before
every report.

A batch (:mod:`kpi_toolkit.report.batch`) renders many reports in each long-lived kernel, so that imports and
the shared analysis happen once. A report must not see anything an earlier one left behind, so before each
report :func:`reset` restores what a fresh kernel would have:

- the user namespace: emptied by IPython's ``%reset -f`` (the batch runs it just before :func:`reset`);
  imported modules stay loaded, which is the point;
- matplotlib: every figure closed (numbering starts again at 1), and every rcParam (style, seaborn themes,
  palettes) back to the value it had when the worker started: matplotlib's rc file plus the inline backend's
  ``InlineBackend.rc``, i.e. ``matplotlib.rcdefaults()`` plus the inline settings when no ``matplotlibrc``
  is installed, and the user's own file when one is, as in a fresh kernel;
- random generators: the global ``random`` and ``numpy.random`` states are re-seeded from the operating
  system's entropy, as a new process's are. The toolkit seeds nothing globally (it uses
  ``numpy.random.default_rng(seed)``), so its outputs never depend on them; re-seeding makes sure no report
  can replay another's numbers;
- numpy's print options and floating-point error handling, pandas' options, the warning filters, the
  working directory and ``sys.path``;
- the memoised data of :mod:`kpi_toolkit.report.shared` is kept on purpose: it is keyed by its exact inputs
  and read-only.

:func:`snapshot` records the state, once, right after the worker's start-up imports.
"""

from __future__ import annotations

import os
import random
import sys
import warnings
from typing import Any

__all__ = ["reset", "snapshot"]

_fresh: dict[str, Any] = {}


def snapshot() -> None:
    """Record the state of this (freshly started, just warmed-up) kernel for :func:`reset`."""
    import matplotlib
    import numpy as np

    _fresh.clear()
    _fresh.update(
        rc=dict(matplotlib.rcParams),
        printoptions=np.get_printoptions(),
        errstate=np.geterr(),
        warnings=list(warnings.filters),
        cwd=os.getcwd(),
        path=list(sys.path),
    )


def reset(*, cwd: str | None = None) -> None:
    """Restore the state :func:`snapshot` recorded; ``cwd`` is the report notebook's working directory.

    Examples
    --------
    >>> import matplotlib
    >>> snapshot()
    >>> before = matplotlib.rcParams["axes.facecolor"]
    >>> matplotlib.rcParams["axes.facecolor"] = "black"
    >>> reset()
    >>> matplotlib.rcParams["axes.facecolor"] == before
    True
    """
    if not _fresh:
        raise RuntimeError("isolation.reset() before isolation.snapshot(): record the fresh state first")
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    plt.close("all")
    rc = matplotlib.rcParams
    changed = {k: v for k, v in _fresh["rc"].items() if k not in rc or rc[k] != v}
    if changed:
        rc.update(changed)
    np.set_printoptions(**_fresh["printoptions"])
    np.seterr(**_fresh["errstate"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns about its deprecated options while resetting them
        pd.reset_option("all")
    warnings.filters[:] = _fresh["warnings"]
    mutated = getattr(warnings, "_filters_mutated", None)  # so that "once" registries see the filters
    if mutated is not None:
        mutated()
    random.seed()
    np.random.seed()  # noqa: NPY002 - re-seeds the legacy global state from entropy, as a new process does
    sys.path[:] = _fresh["path"]
    os.chdir(cwd or _fresh["cwd"])
