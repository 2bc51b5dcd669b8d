"""One run at a time per output folder: a lock file held with :func:`fcntl.flock`.

Two ``mtr run`` writing the same review folder would delete and rewrite each other's
reports. :func:`run_lock` takes an exclusive, non-blocking ``flock`` on
``<out>/<review>/.mtr-run.lock`` (:data:`mtr_analysis.paths.RUN_LOCK_FILE`) and writes the
holder's pid and start time into it, for the message the second run shows. The kernel
releases the lock when the holder exits, however it exits, so a lock file left by a
dead process is simply taken over. Linux (POSIX) only.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from mtr_analysis import paths


class RunLocked(RuntimeError):
    """Another run holds the lock of the output folder (the message says which)."""


def _holder(fd: int) -> str:
    """What the lock file says about its holder (``"pid N since T"``), or ``""``."""
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""
    return " ".join(text.split())


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[Path]:
    """Hold the run lock of ``folder`` for the ``with`` block.

    Parameters
    ----------
    folder : pathlib.Path
        A review's output folder; it must exist.

    Yields
    ------
    pathlib.Path
        The lock file.

    Raises
    ------
    RunLocked
        When another live process holds the lock: ``"another mtr run is writing to
        <folder> (pid N since <time>)"``.
    """
    path = folder / paths.RUN_LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            raise RunLocked(
                f"another mtr run is writing to {folder}"
                + (f" ({holder})" if holder else "")
                + "; wait for it to finish or use another --out"
            ) from None
        since = _dt.datetime.now().replace(microsecond=0).isoformat()
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {since}\n".encode(), 0)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)  # the lock is released with the descriptor below
    finally:
        os.close(fd)
