"""Warm kernels: one long-lived Jupyter kernel per worker process, reused across notebooks.

In: a notebook, its parameters and where to write the executed copy (from
:func:`mtr_analysis.run.execute.run_one`). Out: the executed notebook, as papermill writes
it, with the same outputs a fresh kernel would give.

Starting a kernel and importing pandas, statsmodels and matplotlib costs each report about
4 CPU-seconds, and every country profile analyses the same store again. A worker therefore
starts its kernel once (:func:`warm_kernel`), imports the libraries the notebooks use,
switches on the store memo (:mod:`mtr_analysis.analysis.memo`) and then runs notebook after
notebook in it through papermill (its parameter injection, error cells and metadata are
unchanged; the ``mtr-warm`` engine only hands nbclient the running kernel).

Before each notebook the kernel is reset to the state a fresh kernel has after those imports
(:func:`reset_kernel`, run inside the kernel): the user namespace emptied (``%reset -f``),
matplotlib's rcParams restored to the values it has when first imported (``rcParamsOrig``),
every pyplot figure closed, the working folder set. A kernel that died (a notebook calling ``os._exit``, out of
memory) fails only its own notebook and is replaced before the next one. At the worker's
exit the kernel is shut down with a shutdown request only: ``jupyter_client`` would first
send an idle kernel SIGINT, which ipykernel reports as "KeyboardInterrupt caught in kernel".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

KERNEL_NAME = "python3"
#: Quieten the kernel application's own log (e.g. ipykernel's "running over TCP without
#: encryption" warning); notebook output is unaffected.
KERNEL_ARGUMENTS = ("--IPKernelApp.log_level=ERROR",)
#: A warm kernel keeps no input history: its counter restarts at 1 per notebook (as in a
#: fresh kernel), which an SQLite history would refuse as duplicate line numbers.
WARM_ARGUMENTS = (*KERNEL_ARGUMENTS, "--HistoryManager.enabled=False")
#: papermill engine name of :class:`_WarmEngine`.
ENGINE = "mtr-warm"
#: Seconds to wait for a kernel to start and for the reset code.
START_TIMEOUT = 60
RESET_TIMEOUT = 60

#: Modules the notebooks import, imported once per kernel (the point of a warm kernel).
WARM_IMPORTS = (
    "IPython.display",
    "mtr_analysis.analysis.review",
    "mtr_analysis.reference.registry",
    "mtr_analysis.reporting.annex",
    "mtr_analysis.reporting.figures",
    "mtr_analysis.reporting.findings",
    "mtr_analysis.reporting.html",
    "mtr_analysis.reporting.i18n",
    "mtr_analysis.reporting.implementation",
    "mtr_analysis.reporting.tables",
    "mtr_analysis.settings",
)

# ----------------------------------------------------------------- inside the kernel


def warm_up() -> None:
    """In the kernel: import :data:`WARM_IMPORTS`, switch the store memo on, and move what
    exists now out of the garbage collector's sight (:func:`gc.freeze`)."""
    import gc
    import importlib

    for name in WARM_IMPORTS:
        importlib.import_module(name)
    from mtr_analysis.analysis import memo

    memo.remember(True)
    # The imported modules live as long as the kernel: the garbage collector need not scan
    # them again. IPython's %reset (before each notebook) runs a full collection, which
    # would otherwise walk them all (~0.1 CPU-s per notebook).
    gc.freeze()


def reset_kernel(cwd: str, seed: str = "") -> None:
    """In the kernel: forget the last notebook (namespace, figures, rcParams); enter ``cwd``;
    look for the runner's analysed reviews in ``seed`` (a folder; ``""``: none)."""
    import sys

    from IPython import get_ipython

    from mtr_analysis.analysis import memo

    shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("reset", "-f")
        shell.execution_count = 1  # papermill numbers the cells by the kernel's counter
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    matplotlib = sys.modules.get("matplotlib")
    if matplotlib is not None:  # imported by a notebook (the SVG charts do without it)
        # rcParamsOrig: the values a fresh kernel has after importing matplotlib.
        # dict.update: they are already validated, and some keys warn when set.
        dict.update(matplotlib.rcParams, matplotlib.rcParamsOrig)
    memo.seed_from(seed or None)
    os.chdir(cwd)


def _call(function: str, *args: Any) -> str:
    """Kernel code calling ``function`` of this module, leaving no name behind."""
    return f"__import__({__name__!r}, fromlist=['_']).{function}(*{args!r})"


# ----------------------------------------------------------------- in the worker


class KernelError(RuntimeError):
    """The warm kernel could not be started, warmed up or reset."""


class WarmKernel:
    """A started kernel with its client, warmed up; :meth:`run` executes one notebook."""

    def __init__(self, cwd: Path) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        self._sync = run_sync
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME)
        run_sync(self.km.start_kernel)(extra_arguments=list(WARM_ARGUMENTS), cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            run_sync(self.kc.wait_for_ready)(timeout=START_TIMEOUT)
            self._run_code(_call("warm_up"))
        except Exception:
            self.close()
            raise

    @property
    def pid(self) -> int | None:
        """The kernel's process id (``None`` when it was not started)."""
        process = getattr(self.km.provisioner, "process", None)
        return getattr(process, "pid", None)

    def alive(self) -> bool:
        """True while the kernel process runs."""
        try:
            return bool(self._sync(self.km.is_alive)())
        except Exception:
            return False

    def _run_code(self, code: str) -> None:
        """Run ``code`` silently in the kernel; KernelError if it fails or the kernel died."""

        async def run() -> dict:
            msg_id = self.kc.execute(code, silent=True, store_history=False)
            while True:
                reply = await self.kc.get_shell_msg(timeout=RESET_TIMEOUT)
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]

        try:
            content = self._sync(run)()
        except Exception as exc:  # queue.Empty on timeout: the kernel is gone or stuck
            raise KernelError(f"kernel did not answer: {type(exc).__name__}") from None
        if content.get("status") != "ok":
            raise KernelError(f"{content.get('ename')}: {content.get('evalue')}")

    def run(
        self, notebook: Path, output: Path, parameters: dict[str, Any], seed: Path | None = None
    ) -> None:
        """Reset the kernel (seed folder ``seed``), then execute ``notebook`` with papermill
        into ``output``."""
        import papermill

        self._run_code(_call("reset_kernel", str(notebook.parent), str(seed or "")))
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            engine_name=ENGINE,
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            km=self.km,
            kc=self.kc,
        )

    def close(self) -> None:
        """Stop the kernel at once (SIGKILL), quietly, and remove its connection file.

        A warm kernel holds nothing to save (its notebooks are written by the worker,
        history is off); a polite shutdown request would wait for its interpreter to tear
        pandas and the rest down, 0.3-1.5 s at the end of every run.
        """
        try:
            self.kc.stop_channels()
            if self.alive():
                self._sync(self.km.shutdown_kernel)(now=True)
            self._sync(self.km.cleanup_resources)()
        except Exception:  # the kernel is gone either way; nothing to report
            pass


def _register_engine() -> None:
    """Register :data:`ENGINE` with papermill: nbclient on the kernel given as ``km``/``kc``."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class _WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, **kwargs: Any) -> Any:
            km, kc = kwargs.pop("km"), kwargs.pop("kc")
            from papermill.log import logger

            client = PapermillNotebookClient(
                nb_man,
                km=km,  # a client given its kernel manager never shuts the kernel down
                kernel_name=kernel_name,
                log=logger,
                log_output=kwargs.get("log_output", False),
                stdout_file=None,
                stderr_file=None,
                startup_timeout=START_TIMEOUT,
                timeout=kwargs.get("execution_timeout"),
            )
            client.kc = kc  # reuse the open channels (nbclient would open new ones)
            # papermill writes the whole notebook before and after every cell (two JSON
            # dumps per cell, ~0.6 CPU-s per report) and again when the notebook completes;
            # when the engine returns, papermill.execute_notebook writes it anyway (with its
            # error markers after a failed cell), so it is written once, at the end. Only
            # when the engine itself fails (dead kernel, timeout) does notebook_complete
            # write what ran.
            save, nb_man.save = nb_man.save, lambda **kwargs: None
            try:
                return client.execute()
            except BaseException:
                nb_man.save = save
                raise

    papermill_engines.register(ENGINE, _WarmEngine)


_worker: dict[str, WarmKernel] = {}


def warm_kernel(cwd: Path) -> WarmKernel:
    """This worker's kernel: started (and papermill's engine registered) on first use,
    replaced when it died."""
    kernel = _worker.get("kernel")
    if kernel is not None and kernel.alive():
        return kernel
    if kernel is not None:
        kernel.close()
    else:
        _register_engine()
        _close_at_exit()
    _worker["kernel"] = kernel = WarmKernel(cwd)
    return kernel


def close_kernel() -> None:
    """Shut this worker's kernel down (at the worker's exit)."""
    kernel = _worker.pop("kernel", None)
    if kernel is not None:
        kernel.close()


def _close_at_exit() -> None:
    """Close the kernel when the worker ends: multiprocessing runs its finalizers at a
    worker's exit (a pool worker never runs ``atexit``)."""
    from multiprocessing import util

    util.Finalize(None, close_kernel, exitpriority=10)


def execute_notebook(
    notebook: Path, output: Path, parameters: dict[str, Any], seed: Path | None = None
) -> None:
    """Execute ``notebook`` into ``output`` on this worker's warm kernel; the kernel's memo
    looks for the runner's analysed reviews in ``seed`` (:mod:`mtr_analysis.analysis.memo`).

    Raises whatever papermill raises for the notebook (``PapermillExecutionError``,
    ``DeadKernelError``) or :class:`KernelError`; the next call starts a new kernel if this
    one died.
    """
    warm_kernel(notebook.parent).run(notebook, output, parameters, seed)
