"""Stopping a run cleanly on SIGINT (Ctrl-C) and SIGTERM, without orphan processes.

:func:`catch_signals` turns both signals into :class:`Interrupted` (a ``KeyboardInterrupt``,
so the ``except Exception`` that isolates one report's failure never swallows it) while a
run executes; once the run only has its index and manifest left to write,
:meth:`SignalGuard.defer` makes a further signal wait until they are written.

The processes a run starts are its pool workers and, under them (or under the runner itself
with ``--jobs 1``), the Jupyter kernels, which ``jupyter_client`` starts in their own
session so that a terminal's Ctrl-C never reaches them. :func:`stop_descendants` finds every
process below the runner in ``/proc`` (Linux), kills them and waits until they are gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType

#: Seconds to wait for the killed processes of an interrupted run to be gone.
GRACE_SECONDS = 3.0
#: Signals that stop a run.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run received ``signum``; raised in the main thread by :func:`catch_signals`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class SignalGuard:
    """The first stop signal a run received, and whether it still raises.

    Attributes
    ----------
    signum : int or None
        The first SIGINT/SIGTERM received (``None``: none yet).
    deferred : bool
        When True a signal is only noted, not raised.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.deferred = False

    @property
    def name(self) -> str:
        """``"SIGINT"`` or ``"SIGTERM"``; ``""`` when no signal was received."""
        return signal.Signals(self.signum).name if self.signum is not None else ""

    def note(self, exc: BaseException) -> None:
        """Remember a ``KeyboardInterrupt`` raised without the handler (e.g. in a thread)."""
        if self.signum is None:
            self.signum = getattr(exc, "signum", signal.SIGINT)

    def defer(self) -> None:
        """From now on, signals are noted only (the run is writing its last files)."""
        self.deferred = True

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """Signal handler: note the signal, and raise :class:`Interrupted` unless deferred."""
        if self.signum is None:
            self.signum = signum
        if not self.deferred:
            raise Interrupted(signum)


@contextlib.contextmanager
def catch_signals() -> Iterator[SignalGuard]:
    """Raise :class:`Interrupted` on SIGINT and SIGTERM inside the block; restore after.

    Handlers can only be installed in the main thread; elsewhere the guard is returned
    without them (a SIGTERM then ends the process as usual).
    """
    guard = SignalGuard()
    if threading.current_thread() is not threading.main_thread():
        yield guard
        return
    previous = {s: signal.signal(s, guard.handle) for s in STOP_SIGNALS}
    try:
        yield guard
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _parents() -> dict[int, int]:
    """pid → parent pid of every process visible in ``/proc`` (Linux)."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as fh:
                stat = fh.read()
        except OSError:  # the process ended meanwhile
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and brackets, so split after it.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1:
            out[int(entry)] = int(fields[1])
    return out


def descendants(pid: int | None = None) -> list[int]:
    """Every process below ``pid`` (default: this process), parents before children."""
    root = os.getpid() if pid is None else pid
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    queue = [root]
    while queue:
        for child in children.get(queue.pop(0), []):
            found.append(child)
            queue.append(child)
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, ended but not yet reaped, is not alive)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as fh:
            state = fh.read().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _helpers() -> set[int]:
    """Processes below this one that are not work: multiprocessing's resource tracker.

    It ignores SIGINT/SIGTERM, ends by itself with this process, and killing it would only
    make multiprocessing start a new one (with a warning) while the pool shuts down.
    """
    from multiprocessing import resource_tracker

    pid = getattr(getattr(resource_tracker, "_resource_tracker", None), "_pid", None)
    return {pid} if pid else set()


def stop_descendants(grace: float = GRACE_SECONDS) -> list[int]:
    """Kill every process below this one (pool workers, Jupyter kernels) and wait for them.

    The work of an interrupted report is discarded, so there is nothing for these
    processes to save: SIGKILL, which no kernel can catch and turn into a traceback on the
    terminal. The list is taken before any signal is sent: a kernel whose worker dies is
    re-parented and would no longer be found below this process.

    Returns
    -------
    list of int
        The pids that were stopped.
    """
    pids = [p for p in descendants() if p not in _helpers()]
    _signal_all(pids, signal.SIGKILL)
    deadline = time.monotonic() + grace
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    _reap(pids)
    return pids


def _reap(pids: list[int]) -> None:
    """Collect the exit status of stopped children (a kernel started with ``--jobs 1``).

    Pool workers are left to the pool, which joins them; waiting here would race with it.
    """
    import multiprocessing

    workers = {p.pid for p in multiprocessing.active_children()}
    for pid in pids:
        if pid not in workers:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
