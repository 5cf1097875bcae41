"""A pool of long-lived Jupyter kernels, each executing many report notebooks, one at a time.

Rendering a report one at a time (:func:`kpi_toolkit.report.render_notebook`, or papermill from the command
line) starts a kernel, imports pandas, matplotlib, seaborn, scipy and the toolkit, loads and validates the
data, runs the report and stops the kernel: most of the time goes to the start and the imports. A
:class:`KernelPool` starts ``size`` ordinary ``python3`` kernels once, warms each up (the imports; and it
turns on :mod:`kpi_toolkit.report.shared`, so the data and each team's numbers are computed once per kernel),
records the fresh state (:func:`kpi_toolkit.report.isolation.snapshot`) and then executes notebook after
notebook in them with nbclient, exactly as papermill does (the notebook parameterised by papermill, its cells
executed in order, any error failing the notebook), only without the start-up.

Before each notebook a kernel runs ``%reset -f`` and :func:`kpi_toolkit.report.isolation.reset`, so nothing
of one report reaches the next (see that module). A kernel that dies or times out is restarted and warmed up
again; the report it was running fails, the others go on.
"""

from __future__ import annotations

import ast
import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from kpi_toolkit.errors import ReportError

__all__ = ["PRELOAD", "KernelPool", "NotebookFailed", "imported_modules"]

#: Modules every kernel imports once, when it starts (besides those the notebooks import, see
#: :func:`imported_modules`).
PRELOAD = ("kpi_toolkit", "kpi_toolkit.report.views")
#: Extra arguments of every kernel: its start-up chatter (e.g. the note on TCP transport) is not the user's
#: concern; errors in cells still come back as errors (the same arguments as ``render_notebook``).
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=CRITICAL",)

_WARM_UP = """\
import importlib as _kpi_importlib
for _kpi_module in {modules!r}:
    try:
        _kpi_importlib.import_module(_kpi_module)
    except ImportError:  # a name imported from a module, not a module: the notebook will say if it is wrong
        pass
from kpi_toolkit.report import isolation as _kpi_isolation, shared as _kpi_shared
_kpi_shared.enable()
_kpi_isolation.snapshot()
import gc as _kpi_gc
_kpi_gc.collect()
_kpi_gc.freeze()  # the imported modules are there to stay: spare them the collections of every %reset
"""
_RESET = """\
get_ipython().run_line_magic("reset", "-f")
from kpi_toolkit.report import isolation as _kpi_isolation
_kpi_isolation.reset(cwd={cwd!r})
del _kpi_isolation
"""


def imported_modules(notebooks: Sequence[nbformat.NotebookNode]) -> list[str]:
    r"""The modules the code cells of ``notebooks`` import (for ``from a import b`` also ``a.b``, in case
    ``b`` is a module), in order: what a kernel can import once for all of them.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     "import pandas as pd\nfrom kpi_toolkit.report import shared, views\nx = 1")])
    >>> imported_modules([nb])
    ['pandas', 'kpi_toolkit.report', 'kpi_toolkit.report.shared', 'kpi_toolkit.report.views']
    """
    modules: list[str] = []
    for notebook in notebooks:
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:  # IPython syntax (magics): nothing to learn from this cell
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules += [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return list(dict.fromkeys(modules))


class NotebookFailed(ReportError):
    """A notebook failed in a pool's kernel: a cell raised (``ename``, ``evalue``) or the kernel died."""

    def __init__(self, message: str, *, ename: str = "", evalue: str = "") -> None:
        super().__init__(message)
        self.ename, self.evalue = ename, evalue


@dataclass
class _Kernel:
    number: int
    manager: AsyncKernelManager
    client: Any = None
    language_info: dict[str, Any] = field(default_factory=dict)
    notebooks: int = 0


class KernelPool:
    """``size`` long-lived ``python3`` kernels that execute notebooks; use it as an async context manager.

    Parameters
    ----------
    size
        How many kernels (notebooks executed at the same time).
    cwd
        The kernels' working directory when they start (each notebook runs in its own, see :meth:`execute`).
    preload
        Modules each kernel imports when it starts.
    startup_timeout
        Seconds a kernel may take to start.
    cell_timeout
        Seconds a cell may run; ``None``: no limit (as papermill's default).

    Notes
    -----
    ``async with KernelPool(2, cwd=folder) as pool: nb = await pool.execute(notebook, cwd=folder)``;
    :func:`kpi_toolkit.report.batch.run_batch` shows the whole of it, ``tests/test_batch.py`` a test.
    """

    def __init__(
        self,
        size: int,
        *,
        cwd: Path,
        preload: Sequence[str] = PRELOAD,
        startup_timeout: float = 120,
        cell_timeout: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError(f"size={size}: a pool needs at least one kernel")
        self.size, self.cwd, self.preload = size, Path(cwd), tuple(preload)
        self.startup_timeout, self.cell_timeout = startup_timeout, cell_timeout
        self._kernels: list[_Kernel] = []
        self._idle: asyncio.Queue[_Kernel] = asyncio.Queue()

    async def __aenter__(self) -> KernelPool:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def notebooks_per_kernel(self) -> list[int]:
        """How many notebooks each kernel has executed."""
        return [k.notebooks for k in self._kernels]

    async def start(self) -> None:
        """Start and warm up every kernel (at the same time)."""
        self._kernels = [
            _Kernel(number=i, manager=AsyncKernelManager(kernel_name="python3")) for i in range(self.size)
        ]
        try:
            await asyncio.gather(*(self._start(k) for k in self._kernels))
        except Exception as exc:
            await self.close()
            raise ReportError(
                f"the report kernels did not start ({type(exc).__name__}: {exc}). Fix: check that ipykernel "
                "is installed in this environment (python -m ipykernel install --sys-prefix)."
            ) from exc
        except BaseException:
            await self.close()
            raise
        for kernel in self._kernels:
            self._idle.put_nowait(kernel)

    async def _start(self, kernel: _Kernel) -> None:
        await kernel.manager.start_kernel(extra_arguments=list(KERNEL_ARGUMENTS), cwd=str(self.cwd))
        await self._connect(kernel)

    async def _connect(self, kernel: _Kernel) -> None:
        kernel.client = kernel.manager.client()
        kernel.client.start_channels()
        await kernel.client.wait_for_ready(timeout=self.startup_timeout)
        kernel.client.allow_stdin = False
        info = await kernel.client.kernel_info(reply=True, timeout=self.startup_timeout)
        kernel.language_info = info["content"].get("language_info", {})
        await self._run(kernel, _WARM_UP.format(modules=list(self.preload)), timeout=self.startup_timeout)

    async def _restart(self, kernel: _Kernel) -> None:
        if kernel.client is not None:
            kernel.client.stop_channels()
        await kernel.manager.restart_kernel(now=True)
        await self._connect(kernel)

    async def close(self) -> None:
        """Stop every kernel."""
        for kernel in self._kernels:
            if kernel.client is not None:
                kernel.client.stop_channels()
                kernel.client = None
        await asyncio.gather(
            *(k.manager.shutdown_kernel(now=True) for k in self._kernels if k.manager.has_kernel),
            return_exceptions=True,
        )
        self._kernels = []
        self._idle = asyncio.Queue()

    async def _run(self, kernel: _Kernel, code: str, *, timeout: float | None = None) -> None:
        reply = await kernel.client.execute(
            code, silent=False, store_history=False, allow_stdin=False, reply=True, timeout=timeout
        )
        content = reply["content"]
        if content["status"] != "ok":
            raise NotebookFailed(
                f"kernel {kernel.number}: {content.get('ename')}: {content.get('evalue')}",
                ename=str(content.get("ename", "")),
                evalue=str(content.get("evalue", "")),
            )

    async def run_code(self, code: str) -> None:
        """Run ``code`` in the next idle kernel (a test uses it to leave state behind in a kernel)."""
        kernel = await self._idle.get()
        try:
            await self._run(kernel, code, timeout=self.cell_timeout)
        finally:
            self._idle.put_nowait(kernel)

    async def execute(self, notebook: nbformat.NotebookNode, *, cwd: Path) -> nbformat.NotebookNode:
        """Execute ``notebook`` (parameterised) in the next idle kernel, in ``cwd``; returns it executed.

        Raises
        ------
        NotebookFailed
            When a cell raises (with the error's name and value, as papermill reports it), or the kernel
            dies or times out (it is then restarted for the next notebook).
        """
        kernel = await self._idle.get()
        try:
            await self._run(kernel, _RESET.format(cwd=str(cwd)), timeout=self.startup_timeout)
            notebook.metadata["language_info"] = dict(kernel.language_info)
            client = NotebookClient(
                notebook,
                km=kernel.manager,
                kernel_name="python3",
                timeout=self.cell_timeout,
                resources={"metadata": {"path": str(cwd)}},
            )
            client.kc = kernel.client
            count = 0
            for index, cell in enumerate(notebook.cells):
                if cell.cell_type == "code":
                    count += 1
                await client.async_execute_cell(cell, index, execution_count=count)
            kernel.notebooks += 1
            return notebook
        except CellExecutionError as exc:
            raise NotebookFailed(f"{exc.ename}: {exc.evalue}", ename=exc.ename, evalue=exc.evalue) from None
        except NotebookFailed:
            raise
        except Exception as exc:  # a dead kernel, a timeout: start this kernel afresh for the next notebook
            await self._restart(kernel)
            message = f"the kernel failed ({type(exc).__name__}: {exc}); it was restarted"
            raise NotebookFailed(message) from None
        finally:
            self._idle.put_nowait(kernel)
