"""Stopping a command cleanly: SIGTERM is handled as Ctrl-C (SIGINT), and neither leaves a traceback.

:func:`handling_signals` makes both signals raise :class:`Interrupted`, which ``except Exception`` blocks do
not catch, so every ``finally`` (the clean-up of temporary files, the shutdown of a kernel) runs. While a
report's files are being moved into place the signals are held back (:func:`signals_deferred`) and take effect
right after, so a report set is published whole or not at all (:mod:`kpi_toolkit.report.publish`).

This module imports nothing but the standard library, so that ``kpi-report`` can install the handlers before
it imports pandas and the rest (which takes seconds).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["Interrupted", "handling_signals", "interrupted_line", "report_interruption", "signals_deferred"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """The command was stopped by SIGINT (Ctrl-C) or SIGTERM; ``published`` when the report set had already
    been published completely when the signal arrived."""

    def __init__(self, signum: int, *, published: bool = False) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.published = published
        #: What was left behind, when not "nothing was published" (a batch publishes report by report).
        self.outcome = ""


class _State:
    deferring = 0
    pending: int | None = None
    stopping = False


def _handler(signum: int, frame: FrameType | None) -> None:
    if _State.deferring or _State.stopping:
        _State.pending = _State.pending or signum  # acted on when the files are in place / already stopping
        return
    _stop()
    raise Interrupted(signum)


#: The loggers a kernel killed by the command's own signal speaks through: asyncio's (nbclient's task that
#: waited for the kernel, collected later: "Task exception was never retrieved"), papermill's (the client's
#: log: "Kernel died while waiting for execute reply.") and traitlets' (the client's, outside papermill).
_KERNEL_LOGGERS = ("asyncio", "papermill", "traitlets")


def _stop() -> None:
    """The command stops: from here on, a kernel killed by the same signal in the middle of a cell is
    expected, and what its client would print about it (:data:`_KERNEL_LOGGERS`) is not printed; the one
    line of :func:`interrupted_line` says what happened."""
    _State.stopping = True
    for name in _KERNEL_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


@contextlib.contextmanager
def handling_signals() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` (once: later signals are ignored
    while the command cleans up). Outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _handler) for s in _SIGNALS}
    _State.stopping, _State.pending, _State.deferring = False, None, 0
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def signals_deferred(*, published: bool = True) -> Iterator[None]:
    """Hold SIGINT and SIGTERM back within the block; one that arrived raises :class:`Interrupted` (with
    ``published``: True for the block that publishes, False for one that only makes or removes a staging
    folder, which must not be left half done) right after it, unless the block failed."""
    _State.deferring += 1
    try:
        yield
    finally:
        _State.deferring -= 1
    if not _State.deferring and _State.pending is not None and not _State.stopping:
        signum, _State.pending = _State.pending, None
        _stop()
        raise Interrupted(signum, published=published)


def interrupted_line(exc: Interrupted | None = None) -> str:
    """The one line an interrupted command prints.

    >>> interrupted_line(Interrupted(signal.SIGTERM))
    'interrupted (SIGTERM): nothing was published.'
    """
    if exc is None:
        return "interrupted: nothing was published."
    if exc.outcome:
        return f"interrupted ({exc}): {exc.outcome}"
    if exc.published:
        return f"interrupted ({exc}) after the report was published completely."
    return f"interrupted ({exc}): nothing was published."


def report_interruption(exc: Interrupted | None = None) -> None:
    """Print :func:`interrupted_line` on standard error."""
    print(interrupted_line(exc), file=sys.stderr, flush=True)
