"""Publishing a report's files together, and stopping cleanly on Ctrl-C or SIGTERM.

A report is a set of files: the HTML page, its data (``kpis.csv``, ``bonuses.xlsx`` ...), its record
(``.report.json``) and the site's ``index.html``. :class:`ReportSet` has every file written into a hidden
staging folder inside ``--out`` (``OUT/.publish-*``, on the same file system), then moves them into
``OUT/<period>/`` one after the other with the signals held back (the record last, so that the site sees the
report only once its files are in place) and rebuilds the site. A reader, and a command stopped at any point,
finds the complete old set or the complete new one, never a mix; if a move fails (a read-only folder), the
moves done so far are undone. The staging folder is removed however the command ends.

While the files are being moved, SIGINT and SIGTERM are held back
(:func:`kpi_toolkit.interrupts.signals_deferred`) and take effect right after.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from kpi_toolkit.errors import ReportError
from kpi_toolkit.interrupts import signals_deferred
from kpi_toolkit.report.names import period_folder
from kpi_toolkit.report.site import (
    ReportRecord,
    Site,
    build_site,
    check_index_owned,
    sidecar_path,
    write_record,
)

__all__ = [
    "STAGING_PREFIX",
    "ReportSet",
    "prepare_out",
]

#: Prefix of the staging folders in ``--out`` (hidden: the site skips them).
STAGING_PREFIX = ".publish-"


def prepare_out(out: Path, *, force: bool = False) -> Path:
    """Check, before anything is computed, that the reports folder ``out`` can take a report.

    Nothing is created: a folder that does not exist yet must be creatable (its nearest existing parent a
    folder one may write to). Raises :class:`ReportError` when ``out`` is a file, cannot be written, or
    holds an ``index.html`` the toolkit did not write (unless ``force``).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ReportError(f"--out {out} is a file, not a folder. Fix: pass a folder for the reports.")
    problem = ""
    if out.is_dir():
        try:
            with signals_deferred(published=False):  # a signal between making and removing it would leave it
                os.rmdir(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
        except OSError as exc:
            problem = exc.strerror or str(exc)
    else:
        parent = out.absolute().parent
        while not parent.exists() and parent != parent.parent:
            parent = parent.parent
        if not parent.is_dir():
            problem = f"{parent} is not a folder"
        elif not os.access(parent, os.W_OK | os.X_OK):
            problem = f"{parent} may not be written to"
    if problem:
        raise ReportError(
            f"--out {out} cannot be written ({problem}). Fix: pass a folder you may write to, or change "
            "its permissions."
        )
    check_index_owned(out, force=force)
    return out


class ReportSet:
    """The files of one report, written into a staging folder inside ``out`` and published together.

    Use it as a context manager: write each file to :meth:`path`, then call :meth:`publish`; leaving the
    block in any other way (an error, a signal) removes the staging folder and publishes nothing.
    """

    def __init__(self, out: Path, period: str = "", *, force: bool = False) -> None:
        """``period``: the report's period label (a range's folder is :func:`period_folder`'s); empty when
        it is known only once the report is computed (:meth:`for_period`)."""
        self.out = Path(out)
        self.folder = self.out / period_folder(period)
        self.force = force
        self.staging: Path | None = None
        self._made_out = False

    def for_period(self, period: str) -> ReportSet:
        """Publish into ``OUT/<period>/`` (for a set whose period is known only once its report is
        computed, e.g. the latest complete quarter)."""
        self.folder = self.out / period_folder(period)
        self._check_folder()
        return self

    def _check_folder(self) -> None:
        if self.folder != self.out and self.folder.exists() and not self.folder.is_dir():
            raise ReportError(f"{self.folder} is a file, not a folder. Fix: move it away.")

    def __enter__(self) -> ReportSet:
        prepare_out(self.out, force=self.force)
        self._check_folder()
        self._made_out = not self.out.exists()
        try:
            # the folder and its name in self.staging come together: a signal waits until both are there
            with signals_deferred(published=False):
                self.out.mkdir(parents=True, exist_ok=True)
                self.staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=self.out))
        except OSError as exc:
            raise ReportError(
                f"--out {self.out} cannot be written ({exc.strerror or exc}). Fix: pass a folder you may "
                "write to, or change its permissions."
            ) from None
        except BaseException:  # the signal that waited: `with` calls no __exit__ when __enter__ raises
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
            if self._made_out:  # nothing was published: a reports folder made for nothing goes too
                with contextlib.suppress(OSError):
                    self.out.rmdir()

    def path(self, name: str) -> Path:
        """Where to write the file ``name`` of the set (it is published as ``OUT/<period>/<name>``)."""
        if self.staging is None:
            raise RuntimeError("ReportSet.path() outside its with block")
        return self.staging / name

    def published(self, name: str) -> Path:
        """Where the file ``name`` of the set ends up."""
        return self.folder / name

    def publish(self, html: Path, record: ReportRecord, *, owner: str = "") -> Site:
        """Record the report ``html`` (a file of the set), move every file into ``OUT/<period>/`` and
        rebuild the site; returns the site."""
        if self.staging is None:
            raise RuntimeError("ReportSet.publish() outside its with block")
        write_record(replace(record, owner=owner), html)
        record_name = sidecar_path(html).name
        names = sorted(
            (p.name for p in self.staging.iterdir() if p.is_file() and not p.name.startswith(".")),
            key=lambda n: n == record_name,  # the record last: the site sees the report once it is whole
        )
        if self.folder == self.out:
            raise RuntimeError("ReportSet.publish() before its period is known (see for_period)")
        with signals_deferred():
            self._move(names)
            self._made_out = False
            site = build_site(self.out, force=self.force)  # the site's language, not this report's
        return site

    def _move(self, names: list[str]) -> None:
        assert self.staging is not None
        backup = self.staging / ".previous"
        done: list[str] = []
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            backup.mkdir()
            for name in names:
                target = self.folder / name
                if target.exists() or target.is_symlink():
                    os.replace(target, backup / name)
                os.replace(self.staging / name, target)
                done.append(name)
        except OSError as exc:
            for name in reversed(done):  # undo: the old set comes back whole
                with contextlib.suppress(OSError):
                    os.replace(self.folder / name, self.staging / name)
            for old in backup.iterdir() if backup.is_dir() else ():
                with contextlib.suppress(OSError):
                    os.replace(old, self.folder / old.name)
            with contextlib.suppress(OSError):
                self.folder.rmdir()  # only when it is empty: a folder made for nothing
            raise ReportError(
                f"the report could not be published into {self.folder} ({exc.strerror or exc}); nothing "
                "was changed there. Fix: check that you may write to that folder."
            ) from None
