"""Warm kernels reused across notebooks (issue 15): nothing leaks, a dead kernel is replaced.

The notebooks are generated here. The leak test runs a notebook that leaves a variable, a
changed rcParam, an open pyplot figure and a changed working folder behind, then a probe
notebook on the same kernel, and compares the probe's outputs with those of the probe on a
fresh kernel (papermill's own) and with the values a fresh Python has (independent).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
from nbfiles import write_notebook
from nbformat.v4 import new_code_cell

from mtr_analysis import paths
from mtr_analysis.run import pool, runner
from mtr_analysis.run.signals import alive

PROBE = """\
import os
import matplotlib
import matplotlib.pyplot as plt
print("leak" in dir(), matplotlib.rcParams["lines.linewidth"], plt.get_fignums(),
      os.getcwd() == HERE, get_ipython().execution_count)
"""
DIRTY = """\
import os
import matplotlib
import matplotlib.pyplot as plt
leak = 1
matplotlib.rcParams["lines.linewidth"] = 7.0
plt.figure()
os.chdir("/")
"""


def _notebook(path: Path, body: str, params: str = 'name: str = "x"\n') -> Path:
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    return write_notebook(path, [cell, new_code_cell(body)])


def _texts(executed: Path) -> list[str]:
    """The stream and text outputs of every code cell."""
    nb = nbformat.read(str(executed), as_version=4)
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream" and o.get("name") == "stdout":
                out.append(o["text"])
            elif "data" in o:
                out.append(o["data"].get("text/plain", ""))
    return out


@pytest.mark.notebook
def test_second_notebook_on_a_reused_kernel_sees_what_a_fresh_kernel_sees(tmp_path):
    here = tmp_path.resolve()
    probe = _notebook(tmp_path / "probe.ipynb", PROBE.replace("HERE", repr(str(here))))
    dirty = _notebook(tmp_path / "dirty.ipynb", DIRTY)
    # matplotlib's default line width, read from a fresh interpreter (not from this code).
    default_width = subprocess.run(
        [sys.executable, "-c", "import matplotlib; print(matplotlib.rcParams['lines.linewidth'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    try:
        pool.execute_notebook(dirty, tmp_path / "dirty.out.ipynb", {"name": "a"})
        first = pool.warm_kernel(tmp_path).pid
        pool.execute_notebook(probe, tmp_path / "warm.ipynb", {"name": "b"})
        assert pool.warm_kernel(tmp_path).pid == first  # the same kernel ran both
    finally:
        pool.close_kernel()
    papermill.execute_notebook(
        str(probe), str(tmp_path / "fresh.ipynb"), parameters={"name": "b"},
        cwd=str(tmp_path), progress_bar=False, kernel_name="python3",
    )  # fmt: skip
    warm, fresh = _texts(tmp_path / "warm.ipynb"), _texts(tmp_path / "fresh.ipynb")
    assert warm == fresh == [f"False {default_width} [] True 4\n"]
    # During its third cell IPython's counter already says 4. The cells are numbered as on a fresh kernel (papermill takes the kernel's counter).
    counts = [
        c.get("execution_count") for c in nbformat.read(str(tmp_path / "warm.ipynb"), 4).cells
    ]
    assert counts == [1, 2, 3]


DIES = """\
import os, pathlib
pathlib.Path(MARKERS, country).write_text(f"{os.getpid()} {os.getppid()}", encoding="utf-8")
if country == "THA":
    os._exit(3)
print("alive", country)
"""


@pytest.mark.notebook
def test_a_notebook_killing_its_kernel_fails_alone_and_the_kernel_is_replaced(demo_store, tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    common = 'review: str = "mid-term"\ndata_dir: str = ""\nlang: str = "en"\n'
    body = DIES.replace("MARKERS", repr(str(markers)))
    country = _notebook(nbs / "country.ipynb", body, 'country: str = "VNM"\n' + common)
    regional = _notebook(
        nbs / "regional.ipynb",
        body.replace("country", "'regional'"),
        common + "countries: list = []\n",
    )
    summary = runner.run_reports(
        ["VNM", "THA", "LAO"], "mid-term", demo_store, tmp_path / "out", jobs=1,
        progress=False, country_notebook=country, regional_notebook=regional,
        national_notebook=None,
    )  # fmt: skip
    status = {r.name: r.status for r in summary.results}
    assert status == {"VNM": "ok", "THA": "failed", "LAO": "ok", paths.REGIONAL_NAME: "ok"}
    error = next(r.error for r in summary.results if r.name == "THA")
    assert "DeadKernelError" in error or "died" in error.lower(), error
    pids = {p.name: tuple(map(int, p.read_text().split())) for p in markers.iterdir()}
    kernel = {name: pid for name, (pid, _) in pids.items()}
    workers = {parent for _, parent in pids.values()}
    assert len(workers) == 1  # --jobs 1: one worker ran every report
    # Reports start longest first (execute.START_ORDER): regional, VNM, THA (dies), LAO.
    assert kernel["regional"] == kernel["VNM"] == kernel["THA"]  # reused ...
    assert kernel["LAO"] != kernel["THA"]  # ... and replaced once dead
    assert not any(alive(pid) for pid in kernel.values())  # closed at the worker's exit


@pytest.mark.notebook
def test_the_executed_notebook_keeps_what_ran_after_a_failed_cell_or_a_dead_kernel(tmp_path):
    """The warm engine writes the executed notebook once, at the end: it must still hold
    papermill's error markers after a failing cell, and what ran before the kernel died."""
    fails = write_notebook(tmp_path / "fails.ipynb", [
        new_code_cell('print("before")'), new_code_cell("1 / 0"), new_code_cell('print("never")')
    ])  # fmt: skip
    dies = write_notebook(tmp_path / "dies.ipynb", [
        new_code_cell('print("before")'), new_code_cell("import os\nos._exit(3)"),
    ])  # fmt: skip
    try:
        with pytest.raises(papermill.PapermillExecutionError, match="ZeroDivisionError"):
            pool.execute_notebook(fails, tmp_path / "fails.out.ipynb", {})
        with pytest.raises(Exception, match="(?i)dead|died"):
            pool.execute_notebook(dies, tmp_path / "dies.out.ipynb", {})
    finally:
        pool.close_kernel()
    failed = nbformat.read(str(tmp_path / "fails.out.ipynb"), as_version=4)
    tags = [t for c in failed.cells for t in c.metadata.get("tags", [])]
    assert "papermill-error-cell-tag" in tags  # papermill's "An Exception was encountered"
    assert "before\n" in _texts(tmp_path / "fails.out.ipynb")
    assert "never\n" not in _texts(tmp_path / "fails.out.ipynb")
    assert _texts(tmp_path / "dies.out.ipynb") == ["before\n"]


def test_workers_render_reports_without_pandas_or_the_iri_grammar():
    """A worker only drives its kernel and renders: importing what it runs must not load
    pandas (the kernel has it), pyarrow and numpy (papermill's HDFS handler), nor
    rfc3987-syntax's grammar through nbformat's jsonschema (~3 CPU-s per process)."""
    code = (
        "from mtr_analysis.run import execute\n"
        "execute._worker_init()  # as the pool starts a worker\n"
        "import papermill, nbconvert, jupyter_client.manager\n"
        "from mtr_analysis.run import pool, render\n"
        "render._html_exporter(False, 'en')\n"
        "pool._register_engine()\n"
    )
    assert _loaded_after(code, ("pandas", "pyarrow", "numpy", "rfc3987_syntax", "lark")) == []


def test_the_runner_plans_a_run_without_openpyxl():
    """Until the pool starts, the runner works alone on one core: its command line, the
    national plans it looks up (the activity tables) and the parameters it checks must not
    import openpyxl (~0.3 CPU-s), needed only to read or write workbooks in ``mtr build``."""
    code = (
        "from mtr_analysis import cli\n"
        "from mtr_analysis.run import products, runner\n"
        "from mtr_analysis.intake import activities, activity_template, plan_register\n"
        "cli.parser()\n"
    )
    assert _loaded_after(code, ("openpyxl",)) == []


def _loaded_after(code: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``code``."""
    probe = (
        f"import json, sys\n{code}"
        f"print(json.dumps(sorted(m for m in {modules!r} if sys.modules.get(m))))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)
