"""Execute planned reports with papermill, in this process or a pool of worker processes.

One failing notebook never stops the others: its error is recorded as the first line of
the notebook's exception, and its partial notebook is kept and rendered so papermill's
error banner is visible in the report.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtr_analysis.run.render import render_html
from mtr_analysis.run.results import Kind, ReportResult, Status

KERNEL_NAME = "python3"
#: Quieten the kernel application's own log (e.g. ipykernel's "running over TCP without
#: encryption" warning, printed once per notebook); notebook output is unaffected.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)


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


def run_one(task: ReportTask) -> ReportResult:
    """Execute one notebook and render it; never raises for notebook errors."""
    import papermill

    start = time.perf_counter()
    status: Status = "ok"
    error: str | None = None
    # The findings file is left alone: the runner writes it (run.products).
    stale = [task.executed, task.html, task.record, task.html_code]
    for path in stale:
        if path is not None:
            path.unlink(missing_ok=True)
    try:
        papermill.execute_notebook(
            str(task.notebook),
            str(task.executed),
            parameters=task.parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(task.notebook.parent),
            progress_bar=False,
            log_output=False,
            extra_arguments=list(KERNEL_ARGUMENTS),
        )
    except Exception as exc:  # one failing notebook must not stop the others
        status, error = "failed", error_line(exc)
    executed_at = time.perf_counter()
    html_path: Path | None = None
    code_path: Path | None = None
    if task.executed.is_file():
        try:
            html_path = render_html(task.executed, task.html, task.title, False, task.lang)
            if task.html_code is not None:
                code_path = render_html(task.executed, task.html_code, task.title, True, task.lang)
        except Exception as exc:
            if status == "ok":
                status, error = "failed", f"HTML rendering failed: {error_line(exc)}"
    elif status == "ok":
        status, error = "failed", "no executed notebook was written"
    end = time.perf_counter()
    return ReportResult(
        name=task.name,
        kind=task.kind,
        label=task.label,
        status=status,
        error=error,
        seconds=round(end - start, 2),
        html=html_path,
        executed=task.executed if task.executed.is_file() else None,
        html_code=code_path,
        execute_seconds=round(executed_at - start, 2),
        render_seconds=round(end - executed_at, 2),
        cache_key=task.key,
        vintage=task.vintage,
    )


def crashed(task: ReportTask, exc: BaseException, seconds: float) -> ReportResult:
    """Result for a task whose worker process died (e.g. killed for lack of memory)."""
    error = error_line(exc)
    if isinstance(exc, concurrent.futures.process.BrokenProcessPool):
        error = (
            "worker process died (out of memory, or run_reports called from a script "
            "without an `if __name__ == '__main__':` guard)"
        )
    return ReportResult(
        name=task.name,
        kind=task.kind,
        label=task.label,
        status="failed",
        error=error,
        seconds=round(seconds, 2),
        html=task.html if task.html.is_file() else None,
        executed=task.executed if task.executed.is_file() else None,
        cache_key=task.key,
        vintage=task.vintage,
    )


def execute(tasks: list[ReportTask], jobs: int, bar: Any) -> dict[str, ReportResult]:
    """Run tasks in-process (``jobs == 1`` or one task) or in a process pool."""
    results: dict[str, ReportResult] = {}

    def done(result: ReportResult) -> None:
        results[result.name] = result
        bar.set_postfix_str(f"{result.name}: {result.status}")
        bar.update(1)

    if not tasks:
        return results
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            done(run_one(task))
        return results
    # "spawn": fresh workers, no inherited threads or kernel sockets from the caller.
    ctx = multiprocessing.get_context("spawn")
    start = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=min(jobs, len(tasks)), mp_context=ctx
    ) as pool:
        futures = {pool.submit(run_one, t): t for t in tasks}
        for fut in concurrent.futures.as_completed(futures):
            try:
                done(fut.result())
            except Exception as exc:
                done(crashed(futures[fut], exc, time.perf_counter() - start))
    return results
