"""Execute planned reports with papermill in a pool of worker processes (``--jobs`` of them).

Each worker keeps one warm kernel (:mod:`mtr_analysis.run.pool`): started once, with the
libraries imported, reset between notebooks, replaced when a notebook killed it.

Reports always run in worker processes, even with ``--jobs 1``: nbclient replaces the
SIGINT/SIGTERM handlers of the process it runs in (and leaves the default ones behind),
which would take the runner's own handling of an interrupt away; in a worker it cannot.

One failing notebook never stops the others: its error is recorded as the first line of
the notebook's exception, and its partial notebook is kept and rendered so papermill's
error banner is visible in the report. Any other fault of one report (a file that cannot be
removed or written) is recorded the same way. On SIGINT/SIGTERM
every worker and kernel is stopped before the interrupt goes on to the runner.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtr_analysis.run import pool
from mtr_analysis.run.render import render_html
from mtr_analysis.run.results import INTERRUPTED, Kind, ReportResult, Status
from mtr_analysis.run.signals import stop_descendants

KERNEL_NAME = pool.KERNEL_NAME
KERNEL_ARGUMENTS = pool.KERNEL_ARGUMENTS
#: Order in which reports are handed to the workers: the longest first (the regional
#: synthesis draws every member state; a national report reads the activity files), so
#: that no worker is left running a long report alone at the end of the run.
START_ORDER: dict[str, int] = {"regional": 0, "national": 1, "country": 2}


@dataclass(frozen=True)
class ReportTask:
    """One notebook to execute and render (picklable, sent to worker processes)."""

    name: str
    kind: Kind
    label: str
    notebook: Path
    parameters: dict[str, Any]
    executed: Path
    html: Path
    html_code: Path | None
    findings: Path
    record: Path
    title: str
    lang: str
    key: str
    vintage: str
    #: Folder of the runner's pickled reviews for this run (:mod:`mtr_analysis.analysis.memo`).
    seed: Path | None = None

    def result(self, **fields: Any) -> ReportResult:
        """A :class:`ReportResult` of this task: its identity, key and vintage, plus ``fields``."""
        identity = {"name": self.name, "kind": self.kind, "label": self.label}
        return ReportResult(**identity, cache_key=self.key, vintage=self.vintage, **fields)


def first_line(text: object) -> str:
    """The first non-blank line of ``str(text)``, stripped ("" when there is none)."""
    lines = [ln.strip() for ln in str(text).splitlines() if ln.strip()]
    return lines[0] if lines else ""


def error_line(exc: BaseException) -> str:
    """``"Name: message"`` (first line only); papermill errors report the notebook's error."""
    ename = getattr(exc, "ename", None)
    if ename is not None and hasattr(exc, "evalue"):  # papermill.PapermillExecutionError
        return first_line(f"{ename}: {exc.evalue}" if exc.evalue else ename)
    message = first_line(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _clear_stale(task: ReportTask) -> None:
    """Remove the outputs of an earlier run, so a failure never leaves an old report behind.

    The findings file is left alone: the runner writes it (:mod:`mtr_analysis.run.products`).
    """
    for path in (task.executed, task.html, task.record, task.html_code):
        if path is not None:
            path.unlink(missing_ok=True)


def _render(task: ReportTask) -> tuple[Path | None, Path | None, str | None]:
    """Render the executed notebook: (HTML, HTML with code, error line or None)."""
    html_path: Path | None = None
    code_path: Path | None = None
    try:
        html_path = render_html(task.executed, task.html, task.title, False, task.lang)
        if task.html_code is not None:
            code_path = render_html(task.executed, task.html_code, task.title, True, task.lang)
    except Exception as exc:
        return html_path, code_path, f"HTML rendering failed: {error_line(exc)}"
    return html_path, code_path, None


def run_one(task: ReportTask) -> ReportResult:
    """Execute one notebook on the worker's warm kernel (:mod:`mtr_analysis.run.pool`) and
    render it; never raises for notebook or file errors."""
    start = time.perf_counter()
    status: Status = "ok"
    error: str | None = None
    try:
        _clear_stale(task)
        pool.execute_notebook(task.notebook, task.executed, task.parameters, task.seed)
    except Exception as exc:  # one failing notebook must not stop the others
        status, error = "failed", error_line(exc)
    executed_at = time.perf_counter()
    html_path: Path | None = None
    code_path: Path | None = None
    if task.executed.is_file():
        html_path, code_path, render_error = _render(task)
        if render_error and status == "ok":
            status, error = "failed", render_error
    elif status == "ok":
        status, error = "failed", "no executed notebook was written"
    end = time.perf_counter()
    return task.result(
        status=status,
        error=error,
        seconds=round(end - start, 2),
        html=html_path,
        executed=task.executed if task.executed.is_file() else None,
        html_code=code_path,
        execute_seconds=round(executed_at - start, 2),
        render_seconds=round(end - executed_at, 2),
    )


def run_guarded(task: ReportTask) -> ReportResult:
    """:func:`run_one`, with any error it could still raise recorded as a failed report.

    ``run_one`` catches notebook and rendering errors; this catches the rest (a file that
    cannot be removed or read, e.g. a folder where the report should be), so one report's
    fault never stops the run.
    """
    start = time.perf_counter()
    try:
        return run_one(task)
    except Exception as exc:
        return crashed(task, exc, time.perf_counter() - start)


def _is_file(path: Path | None) -> Path | None:
    """``path`` if it is a file (errors such as a too-long name count as no file)."""
    try:
        return path if path is not None and path.is_file() else None
    except OSError:
        return None


def stopped(
    task: ReportTask, error: str, earlier: ReportResult | None = None, links: bool = True
) -> ReportResult:
    """Result of a report a run did not finish (status ``"interrupted"``).

    Parameters
    ----------
    task : ReportTask
    error : str
        Why, e.g. ``"run interrupted by SIGTERM"``.
    earlier : ReportResult, optional
        What the report had done when the run stopped (its timings are kept).
    links : bool
        Link the report's files that exist; ``False`` for a report about to be rewritten
        (its old files are going away).

    Returns
    -------
    ReportResult
    """

    def existing(path: Path | None) -> Path | None:
        return _is_file(path) if links else None

    return task.result(
        status=INTERRUPTED,
        error=error,
        seconds=earlier.seconds if earlier else 0.0,
        html=existing(task.html),
        executed=existing(task.executed),
        html_code=existing(task.html_code),
        execute_seconds=earlier.execute_seconds if earlier else 0.0,
        render_seconds=earlier.render_seconds if earlier else 0.0,
    )


def crashed(task: ReportTask, exc: BaseException, seconds: float) -> ReportResult:
    """Result for a task whose worker process died (e.g. killed for lack of memory)."""
    error = error_line(exc)
    if isinstance(exc, concurrent.futures.process.BrokenProcessPool):
        error = (
            "worker process died (out of memory, or run_reports called from a script "
            "without an `if __name__ == '__main__':` guard)"
        )
    return task.result(
        status="failed",
        error=error,
        seconds=round(seconds, 2),
        html=_is_file(task.html),
        executed=_is_file(task.executed),
    )


def _worker_init() -> None:
    """Pool workers ignore SIGINT: a terminal's Ctrl-C reaches the whole process group,
    and the runner alone decides how to stop (see :mod:`mtr_analysis.run.signals`).

    A worker only drives its kernel and renders; papermill imports pyarrow (and numpy with
    it) for its optional HDFS handler, ~0.15 CPU-s per worker: it is left out (papermill
    catches the ImportError). The kernels, separate processes, import pyarrow as usual.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.modules.setdefault("pyarrow", None)  # type: ignore[arg-type]


def _run_pool(
    tasks: list[ReportTask], jobs: int, done: Any, meanwhile: Callable[[], None] | None = None
) -> None:
    """Run ``tasks`` in a pool of ``jobs`` "spawn" workers, longest first
    (:data:`START_ORDER`), calling ``done`` per result; ``meanwhile`` runs in this process
    once the tasks are submitted."""
    # "spawn": fresh workers, no inherited threads or kernel sockets from the caller.
    ctx = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=ctx, initializer=_worker_init
    )
    try:
        ordered = sorted(tasks, key=lambda t: START_ORDER.get(t.kind, len(START_ORDER)))
        futures = {pool.submit(run_guarded, t): t for t in ordered}
        if meanwhile is not None:
            meanwhile()
        for fut in concurrent.futures.as_completed(futures):
            try:
                done(fut.result())
            except Exception as exc:
                done(crashed(futures[fut], exc, time.perf_counter() - start))
    except KeyboardInterrupt:
        # Workers and their kernels first: shutting the pool down would wait for them.
        stop_descendants()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def execute(
    tasks: list[ReportTask],
    jobs: int,
    bar: Any,
    results: dict[str, ReportResult] | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> dict[str, ReportResult]:
    """Run tasks in a pool of ``jobs`` worker processes (fewer when there are fewer tasks).

    Parameters
    ----------
    tasks : list of ReportTask
    jobs : int
        Worker processes (1: one report after the other, in one worker).
    bar : tqdm.tqdm
        Progress bar, advanced per finished report.
    results : dict, optional
        Filled with each result as it arrives (also returned), so that the caller keeps
        the finished reports when the run is interrupted.
    meanwhile : callable, optional
        Work of the caller's own (the runner analyses the review and writes the data
        products), done while the workers start their kernels and run the notebooks.

    Returns
    -------
    dict of str to ReportResult
        By report name. Every error of a report is recorded in its result.

    Raises
    ------
    KeyboardInterrupt
        On SIGINT/SIGTERM (:class:`mtr_analysis.run.signals.Interrupted`), after every
        worker and kernel process of the run has been stopped.
    """
    results = {} if results is None else results

    def done(result: ReportResult) -> None:
        results[result.name] = result
        bar.set_postfix_str(f"{result.name}: {result.status}")
        bar.update(1)

    if tasks:
        _run_pool(tasks, jobs, done, meanwhile)
    elif meanwhile is not None:
        meanwhile()
    return results
