"""Faults a run must survive without lying about its outputs (issue 14, part 4).

Each test builds its own fault: a folder where a report should be, a truncated report, an
emptied table, a run stopped by SIGTERM/SIGINT/SIGKILL, a second run on the same folder,
an output folder that is a file or cannot be written, a non-UTF-8 locale. The notebooks are
tiny (a parameters cell and a print); the subprocess tests point ``MTR_ROOT`` at a folder
holding them, so ``mtr run`` uses them as its default notebooks.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from nbfiles import write_notebook
from nbformat.v4 import new_code_cell, new_markdown_cell

from mtr_analysis import paths, provenance
from mtr_analysis.cli import main
from mtr_analysis.reporting import outputs
from mtr_analysis.run import index, runner
from mtr_analysis.run.results import ReportResult, RunSummary
from mtr_analysis.run.signals import alive, descendants

MTR = [sys.executable, "-m", "mtr_analysis.cli"]
VI_TEXT = "Báo cáo thử nghiệm tiếng Việt: đầy đủ dấu"

# The notebook writes "<kernel pid> <kernel's parent pid>" into $MTR_TEST_MARKERS/<name>
# when it starts, then sleeps $MTR_TEST_SLEEP seconds: the signal tests know which
# processes to look for, and when the first report is running.
BODY = """\
import os, pathlib, time
markers = os.environ.get("MTR_TEST_MARKERS")
if markers:
    pathlib.Path(markers, NAME).write_text(f"{os.getpid()} {os.getppid()}", encoding="utf-8")
time.sleep(float(os.environ.get("MTR_TEST_SLEEP", "0")))
print(TEXT, NAME, review)
"""


def _notebook(path: Path, params: str, name: str) -> Path:
    cell = new_code_cell(params)
    cell.metadata["tags"] = ["parameters"]
    body = BODY.replace("NAME", name).replace("TEXT", repr(VI_TEXT))
    return write_notebook(path, [new_markdown_cell("# Test"), cell, new_code_cell(body)])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder (``MTR_ROOT``) whose notebooks are the tiny test notebooks."""
    root = tmp_path_factory.mktemp("project")
    (root / "notebooks").mkdir()
    common = 'review: str = "mid-term"\ndata_dir: str = ""\nlang: str = "en"\n'
    _notebook(root / "notebooks" / paths.COUNTRY_NOTEBOOK.name,
              'country: str = "VNM"\n' + common, "country")  # fmt: skip
    _notebook(root / "notebooks" / paths.REGIONAL_NOTEBOOK.name,
              common + "countries: list = []\n", "'regional'")  # fmt: skip
    # The demo store holds Viet Nam's national plan: a VNM run has a national report too.
    _notebook(root / "notebooks" / paths.NATIONAL_IMPLEMENTATION_NOTEBOOK.name,
              'country: str = "VNM"\n' + common, "country + '_implementation'")  # fmt: skip
    return root


@pytest.fixture()
def store(demo_store: Path, tmp_path: Path) -> Path:
    """A private copy of the demo store."""
    folder = tmp_path / "store"
    shutil.copytree(demo_store, folder)
    return folder


def _run(project: Path, store: Path, out: Path, countries: list[str], **kw) -> RunSummary:
    nbs = project / "notebooks"
    return runner.run_reports(
        countries, "mid-term", store, out, progress=False,
        country_notebook=nbs / paths.COUNTRY_NOTEBOOK.name,
        regional_notebook=nbs / paths.REGIONAL_NOTEBOOK.name,
        national_notebook=nbs / paths.NATIONAL_IMPLEMENTATION_NOTEBOOK.name, **kw,
    )  # fmt: skip


def _env(project: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "MTR_ROOT": str(project), **extra}


def _manifest(out: Path) -> dict:
    return json.loads((out / "mid-term" / paths.MANIFEST_FILE).read_text(encoding="utf-8"))


def _statuses(out: Path) -> dict[str, str]:
    return {r["name"]: r["status"] for r in _manifest(out)["results"]}


# ------------------------------------------------------------------ per-report faults


@pytest.mark.notebook
def test_file_faults_fail_one_report_each_with_jobs_1(project, store, tmp_path):
    out = tmp_path / "out"
    review = out / "mid-term"
    (review / "THA.html").mkdir(parents=True)  # unlink() raises IsADirectoryError
    (review / "findings" / "VNM.json").mkdir(parents=True)  # the findings write fails
    summary = _run(project, store, out, ["VNM", "THA", "LAO"], jobs=1)
    by = {r.name: r for r in summary.results}
    assert by["THA"].status == "failed"
    assert by["THA"].error.startswith("IsADirectoryError: [Errno 21] Is a directory")
    assert by["VNM"].status == "failed"
    assert by["VNM"].error.startswith("findings or review tables not written: IsADirectoryError")
    assert by["LAO"].ok and by["regional"].ok
    assert (review / "LAO.html").is_file() and (review / "regional.html").is_file()
    assert _statuses(out) == {
        "VNM": "failed", "THA": "failed", "LAO": "ok", "VNM_implementation": "ok", "regional": "ok",
    }  # fmt: skip
    page = (review / paths.INDEX_FILE).read_text(encoding="utf-8")
    assert "5 reports: 3 ok, 2 failed." in page
    assert not (review / "cache" / "THA.json").exists()
    assert not (review / "cache" / "VNM.json").exists()


# ------------------------------------------------------------------ cache checksums


@pytest.mark.notebook
def test_cache_reruns_a_truncated_report_or_an_emptied_table(project, store, tmp_path):
    out = tmp_path / "out"
    review = out / "mid-term"
    first = _run(project, store, out, ["THA"], jobs=1)
    assert first.ok and not any(r.cached for r in first.results)
    record = json.loads((review / "cache" / "THA.json").read_text(encoding="utf-8"))
    assert record["outputs"] == {
        name: provenance.file_sha256(review / name)
        for name in ("executed/THA.ipynb", "THA.html", "findings/THA.json")
    }
    regional = json.loads((review / "cache" / "regional.json").read_text(encoding="utf-8"))
    assert set(regional["outputs"]) == {
        "executed/regional.ipynb", "regional.html", "findings/regional.json",
        "assessment.csv", "aggregates.csv", "beneficiaries.csv",
    }  # fmt: skip
    html = (review / "THA.html").read_bytes()
    table = (review / "assessment.csv").read_bytes()

    (review / "THA.html").write_bytes(html[: len(html) // 2])  # truncated, still there
    second = _run(project, store, out, ["THA"], jobs=1)
    assert {r.name: r.cached for r in second.results} == {"THA": False, "regional": True}
    assert second.ok and len((review / "THA.html").read_bytes()) > len(html) // 2

    (review / "assessment.csv").write_bytes(b"")  # emptied, still there
    third = _run(project, store, out, ["THA"], jobs=1)
    assert {r.name: r.cached for r in third.results} == {"THA": True, "regional": False}
    assert (review / "assessment.csv").read_bytes() == table


# ------------------------------------------------------------------ atomic index and manifest


def test_index_and_manifest_are_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    ok = ReportResult("VNM", "country", "Viet Nam", "ok", None, 1.0, tmp_path / "VNM.html", None)
    summary = RunSummary("mid-term", tmp_path, [ok], finished="2025-01-01T00:00:00")
    index.write_index(summary, "before")
    index.write_manifest(summary)
    before = {p: p.read_bytes() for p in (summary.index_path, summary.manifest_path)}

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # fails after part of the file is written
    summary.results[0].status = "failed"
    with pytest.raises(OSError, match="No space left"):
        index.write_index(summary, "after")
    with pytest.raises(OSError, match="No space left"):
        index.write_manifest(summary)
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "manifest.json"]


def test_atomic_write_keeps_utf8_whatever_the_locale(tmp_path):
    path = outputs.atomic_write_text(tmp_path / "x.json", VI_TEXT)
    assert path.read_bytes() == VI_TEXT.encode("utf-8")
    assert oct(path.stat().st_mode & 0o777) == "0o644"


# ------------------------------------------------------------------ signals


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _start(project: Path, store: Path, out: Path, markers: Path, jobs: int, sleep: str):
    markers.mkdir(exist_ok=True)
    return subprocess.Popen(
        [*MTR, "run", "--countries", "VNM,THA", "--jobs", str(jobs), "--data", str(store),
         "--out", str(out)],
        env=_env(project, MTR_TEST_MARKERS=str(markers), MTR_TEST_SLEEP=sleep),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _kill_leftovers(pids: list[int]) -> None:
    """Tidy up after a failing test: the processes this test started."""
    for pid in pids:
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.notebook
@pytest.mark.parametrize(
    ("jobs", "signum", "code"),
    [(1, signal.SIGTERM, 143), (2, signal.SIGTERM, 143), (2, signal.SIGINT, 130)],
)
def test_signal_stops_workers_and_marks_reports_interrupted(
    project, store, tmp_path, jobs, signum, code
):
    out, markers = tmp_path / "out", tmp_path / "markers"
    proc = _start(project, store, out, markers, jobs, sleep="300")
    started: list[int] = []
    try:
        _wait_for(lambda: len(list(markers.iterdir())) >= min(jobs, 2), 180, "reports to start")
        started = descendants(proc.pid)  # workers, kernels (and the pool's helpers)
        kernels = {int(p.read_text().split()[0]) for p in markers.iterdir()}
        workers = {int(p.read_text().split()[1]) for p in markers.iterdir()} - {proc.pid}
        assert kernels <= set(started) and workers <= set(started)
        assert len(workers) == jobs  # one worker per running report, even with --jobs 1
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == code, err
        _wait_for(lambda: not any(alive(p) for p in started), 5, "no process left")
    finally:
        if proc.poll() is None:
            proc.kill()
        _kill_leftovers(started)
    assert "Traceback" not in err
    assert err.strip().endswith(
        f"mtr run: interrupted by {signal.Signals(signum).name}: 4 report(s) not finished "
        "(marked interrupted in the index)"
    )
    manifest = _manifest(out)
    assert manifest["interrupted"] == signal.Signals(signum).name and manifest["ok"] is False
    assert _statuses(out) == {
        "VNM": "interrupted",
        "THA": "interrupted",
        "VNM_implementation": "interrupted",
        "regional": "interrupted",
    }
    page = (out / "mid-term" / paths.INDEX_FILE).read_text(encoding="utf-8")
    assert f"The run was stopped ({signal.Signals(signum).name}) before it finished: 4" in page
    assert 'class="ok"' not in page
    assert not list((out / "mid-term" / "cache").glob("*.json"))


@pytest.mark.notebook
def test_killed_run_leaves_no_index_claiming_the_reports_it_was_rewriting(project, store, tmp_path):
    out, markers = tmp_path / "out", tmp_path / "markers"
    done = subprocess.run(
        [*MTR, "run", "--countries", "VNM", "--jobs", "1", "--data", str(store), "--out",
         str(out)], env=_env(project), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _statuses(out) == {"VNM": "ok", "VNM_implementation": "ok", "regional": "ok"}
    markers.mkdir()
    proc = subprocess.Popen(
        [*MTR, "run", "--countries", "VNM", "--jobs", "1", "--no-cache", "--data", str(store),
         "--out", str(out)],
        env=_env(project, MTR_TEST_MARKERS=str(markers), MTR_TEST_SLEEP="300"),
    )  # fmt: skip
    started: list[int] = []
    first = "regional"  # reports start longest first (execute.START_ORDER)
    try:
        _wait_for(lambda: (markers / first).exists(), 180, "the first report to start")
        started = descendants(proc.pid)
        proc.kill()  # SIGKILL: no chance to write anything
        proc.wait(timeout=30)
    finally:
        _kill_leftovers(started)
    assert not (out / "mid-term" / f"{first}.html").exists()  # removed before re-running
    assert _statuses(out) == {
        "VNM": "interrupted", "VNM_implementation": "interrupted", "regional": "interrupted",
    }  # fmt: skip
    page = (out / "mid-term" / paths.INDEX_FILE).read_text(encoding="utf-8")
    assert "The run has not finished (still running, or stopped without notice): 3" in page
    assert 'href="VNM.html"' not in page and f'href="{first}.html"' not in page


# ------------------------------------------------------------------ one run per folder


def test_second_run_on_the_same_folder_is_refused(demo_store, tmp_path, capsys):
    review = tmp_path / "out" / "mid-term"
    review.mkdir(parents=True)
    lock = review / paths.RUN_LOCK_FILE
    with open(lock, "w", encoding="utf-8") as fh:  # another run holds the lock
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fh.write(f"pid {os.getpid()} since 2025-01-02T03:04:05\n")
        fh.flush()
        code = main(["run", "--countries", "VNM", "--data", str(demo_store),
                     "--out", str(tmp_path / "out")])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"mtr run: error: another mtr run is writing to {review} (pid {os.getpid()} since "
        "2025-01-02T03:04:05); wait for it to finish or use another --out\n"
    )
    assert sorted(p.name for p in review.iterdir()) == [paths.RUN_LOCK_FILE]


@pytest.mark.notebook
def test_stale_lock_of_a_dead_process_is_taken_over(project, store, tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    review = tmp_path / "out" / "mid-term"
    review.mkdir(parents=True)
    (review / paths.RUN_LOCK_FILE).write_text(f"pid {dead.pid} since 2020-01-01T00:00:00\n")
    summary = _run(project, store, tmp_path / "out", ["VNM"], jobs=1)
    assert summary.ok
    assert (review / paths.RUN_LOCK_FILE).read_text(encoding="utf-8") == ""  # released


# ------------------------------------------------------------------ one-line errors


def _one_line_error(capsys, argv: list[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_out_pointing_at_a_file(demo_store, tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("not a folder", encoding="utf-8")
    err = _one_line_error(capsys, ["run", "--data", str(demo_store), "--out", str(target)])
    assert err == (
        f"mtr run: error: output folder {target} is not a folder ({target} is a file); "
        "pass a folder to --out\n"
    )
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_out_inside_a_file(demo_store, tmp_path, capsys):
    target = tmp_path / "report.txt"
    target.write_text("x", encoding="utf-8")
    err = _one_line_error(capsys, ["run", "--data", str(demo_store), "--out", str(target / "sub")])
    assert f"({target} is a file); pass a folder to --out" in err


def test_unwritable_out_folder(demo_store, tmp_path, capsys, monkeypatch):
    out = tmp_path / "readonly"
    out.mkdir()
    out.chmod(0o555)
    if os.geteuid() == 0:  # root ignores permission bits: refuse as a read-only mount does
        real_mkdir = Path.mkdir

        def mkdir(self: Path, *args, **kwargs) -> None:
            if self.is_relative_to(out) and self != out:
                raise PermissionError(13, "Permission denied", str(self))
            real_mkdir(self, *args, **kwargs)

        monkeypatch.setattr(Path, "mkdir", mkdir)
    try:
        err = _one_line_error(capsys, ["run", "--data", str(demo_store), "--out", str(out)])
    finally:
        out.chmod(0o755)
    assert (
        err
        == f"mtr run: error: cannot write to output folder {out / 'mid-term'}: Permission denied\n"
    )


def test_missing_store_file(tmp_path, capsys):
    (tmp_path / "data").mkdir()
    err = _one_line_error(capsys, ["run", "--data", str(tmp_path / "data"), "--out",
                                   str(tmp_path / "out")])  # fmt: skip
    assert "run `mtr build` first" in err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ locale


@pytest.mark.notebook
def test_run_under_c_locale_writes_a_vietnamese_report(project, store, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run(
        [*MTR, "run", "--countries", "VNM", "--jobs", "1", "--lang", "vi", "--data", str(store),
         "--out", str(out)],
        env=_env(project, LC_ALL="C", LANG="C", PYTHONUTF8="0"),
        capture_output=True, text=True, encoding="utf-8", timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    review = out / "mid-term"
    page = (review / "VNM.html").read_text(encoding="utf-8")
    assert VI_TEXT in page and "Việt Nam" in page and 'lang="vi"' in page
    index_page = (review / paths.INDEX_FILE).read_text(encoding="utf-8")
    assert "3 báo cáo: 3 thành công, 0 lỗi." in index_page
    findings = json.loads((review / "findings" / "VNM.json").read_text(encoding="utf-8"))
    assert findings and any("Việt Nam" in json.dumps(f, ensure_ascii=False) for f in findings)
    assert _statuses(out) == {"VNM": "ok", "VNM_implementation": "ok", "regional": "ok"}
