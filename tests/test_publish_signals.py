"""A signal that arrives just as a staging folder is made leaves no folder behind (issue 21's promise: a
report set is published whole or not at all, and nothing half done stays in ``--out``)."""

from __future__ import annotations

import logging
import os
import signal
import tempfile

import pytest

from kpi_toolkit.interrupts import Interrupted, handling_signals
from kpi_toolkit.report.publish import ReportSet, prepare_out


def _mkdtemp_then_signal(monkeypatch, signum):
    """Each staging folder is made, then the signal arrives before the caller takes the name back."""
    real = tempfile.mkdtemp

    def made(*args, **kwargs):
        path = real(*args, **kwargs)
        os.kill(os.getpid(), signum)  # the handler runs at once unless the caller defers it
        return path

    monkeypatch.setattr(tempfile, "mkdtemp", made)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_folder_is_probed_leaves_nothing(tmp_path, monkeypatch, signum):
    _mkdtemp_then_signal(monkeypatch, signum)
    with pytest.raises(Interrupted) as caught, handling_signals():
        prepare_out(tmp_path)
    assert caught.value.signum == signum and not caught.value.published
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_staging_folder_is_made_leaves_nothing(tmp_path, monkeypatch, signum):
    out = tmp_path / "reports"
    out.mkdir()
    with handling_signals():
        probe_done = prepare_out(out)  # the probe before, undisturbed
    assert probe_done == out
    _mkdtemp_then_signal(monkeypatch, signum)
    with pytest.raises(Interrupted) as caught, handling_signals():
        with ReportSet(out, "2026Q3"):
            pytest.fail("the block must not run: the signal came while the set was being made")
    assert not caught.value.published
    assert list(out.iterdir()) == []


def test_once_stopping_asyncio_keeps_the_dead_kernels_traceback_to_itself():
    """A kernel killed by the same SIGINT in the middle of a cell leaves nbclient's waiting task with an
    exception that asyncio would print as a traceback when the task is collected; after the command's one
    line nothing more is said (seen once in the kill test under load)."""
    logger = logging.getLogger("asyncio")
    level = logger.level
    try:
        with pytest.raises(Interrupted), handling_signals():
            os.kill(os.getpid(), signal.SIGINT)
        assert not logger.isEnabledFor(logging.CRITICAL)
    finally:
        logger.setLevel(level)  # setLevel, not an attribute: it also clears logging's cache
