"""Benchmark ``mtr run`` against the loop a consultant would write, on the same demo store.

Measured in one session, on the same machine and data (wall time, and CPU-seconds of all
child processes from ``resource.getrusage(RUSAGE_CHILDREN)``, which a busy machine inflates
far less than wall time):

1. **baseline** — for each of the 10 member states, then the regional synthesis, one after
   the other: ``papermill`` on the notebook, then ``jupyter nbconvert --to html --no-input``
   on its output (two subprocesses per notebook, as in a shell script);
2. **mtr run, cold** — ``mtr run --countries all --jobs N`` with an empty output folder (no
   cached reports), ``--repeat`` times, each into a new folder; the peak RSS of each worker
   plus its kernel is sampled meanwhile;
3. **mtr run, warm** — the same command again, nothing changed (every report reused);
4. **partial** — one value of Viet Nam's national workbook changed, ``mtr build`` again,
   then ``mtr run`` on each cold run's folder: only Viet Nam's reports and the regional
   synthesis run again;
5. **units** (``--units N [M ...]``) — N reporting units: N country-profile reports (the
   member states in turn, each written under its own name) executed by the runner's pool
   (:func:`mtr_analysis.run.execute.execute`) on the demo store; prints the time per report
   and the peak RSS per worker + kernel, so that growth with N shows.

Repeated runs are reported by their median (with the fastest and slowest): a shared
machine's speed drifts within minutes, and a ten-second run can land in a slow minute.

Targets (issue 15): cold < 15 s on 2 cores and >= 7x the baseline, identical outputs
(``benchmarks/compare_outputs.py``); partial re-run < 8 s; per-report time at 100 units
within 20 % of that at 10; memory per worker (+ kernel) < 600 MB.

Usage::

    .venv/bin/python benchmarks/bench_run.py [--jobs N] [--countries all|VNM,THA]
                                             [--skip-baseline] [--units 10 100] [--work DIR]
                                             [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import psutil

from mtr_analysis import paths
from mtr_analysis.intake.build import build
from mtr_analysis.intake.demo import write_demo
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue

BIN = Path(sys.executable).parent


def _cpu() -> float:
    """CPU-seconds (user + system) of every finished child process of this one so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        print(f"  ! exit {proc.returncode}: {' '.join(cmd[:3])} ... {' | '.join(tail)}")
    if "KeyboardInterrupt" in proc.stderr:
        print("  ! stderr mentions KeyboardInterrupt")
    return seconds, proc.returncode


class PeakMemory:
    """Sample, every 0.2 s, the RSS of each pool worker plus its kernel below ``pid``;
    ``peak_mb`` is the largest such sum seen.

    A worker is a process whose children have no children of their own (its kernel); the
    runner above the workers (whose children have children) is not counted.
    """

    def __init__(self, pid: int | None = None) -> None:
        self.root = psutil.Process(pid or os.getpid())
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for proc in self.root.children(recursive=True):
                try:
                    kids = proc.children()
                    if not kids or any(k.children() for k in kids):
                        continue
                    total = sum(p.memory_info().rss for p in (proc, *kids)) / 2**20
                except psutil.Error:
                    continue
                self.peak_mb = max(self.peak_mb, total)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def baseline(store: Path, out: Path, countries: list[str], review: str = "mid-term") -> float:
    """papermill then nbconvert per notebook, sequentially, through the command line."""
    settings = load_catalogue().review(review)
    common = [
        "-p", "review", review,
        "-p", "baseline_year", str(settings["baseline_year"]),
        "-p", "cutoff_year", str(settings["cutoff_year"]),
        "-p", "data_dir", str(store),
        "-p", "lang", "en",
    ]  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(paths.COUNTRY_NOTEBOOK, iso3, ["-p", "country", iso3]) for iso3 in countries]
    jobs.append((paths.REGIONAL_NOTEBOOK, "regional", ["-y", f"countries: {countries}"]))
    total = 0.0
    for notebook, name, extra in jobs:
        executed = out / f"{name}.ipynb"
        t1, _ = _run(
            [str(BIN / "papermill"), str(notebook), str(executed), "--cwd",
             str(notebook.parent), "--no-progress-bar", *common, *extra]
        )  # fmt: skip
        t2, _ = _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                      str(executed)])  # fmt: skip
        print(f"  baseline {name}: papermill {t1:5.1f} s, nbconvert {t2:4.1f} s")
        total += t1 + t2
    return total


def mtr_run(store: Path, out: Path, countries: list[str], jobs: int) -> tuple[float, int]:
    """``mtr run`` through its console script."""
    cmd = [str(BIN / "mtr"), "run", "--data", str(store), "--out", str(out),
           "--countries", ",".join(countries), "--jobs", str(jobs)]  # fmt: skip
    return _run(cmd)


def touch_national_workbook(raw: Path) -> Path:
    """Change one value of the demo's national workbook (Viet Nam) by 1 %; return the file."""
    import openpyxl

    path = next((raw / "national").glob("*.xlsx"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Data"]
    for row in ws.iter_rows(min_row=2, min_col=4):
        for cell in row:
            if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.value = round(cell.value * 1.01, 4)
                wb.save(path)
                return path
    raise SystemExit(f"{path}: no numeric value to change")


def units_run(store: Path, out: Path, n: int, jobs: int) -> tuple[float, float, float, int]:
    """N country-profile reports through the runner's pool; (wall, CPU, peak MB, failures)."""
    from mtr_analysis.run import runner
    from mtr_analysis.run.execute import execute

    req = runner._validate(registry.iso3_codes(), "mid-term", store, out,
                           {"country": paths.COUNTRY_NOTEBOOK, "regional": paths.REGIONAL_NOTEBOOK},
                           lang="en", with_code=False, jobs=jobs, use_cache=False,
                           settings_file=None, framework=paths.DEFAULT_FRAMEWORK)  # fmt: skip
    prints = runner._fingerprint(req, None)
    runner._prepare_out(req.review_dir)
    (req.review_dir / paths.EXECUTED_DIR).mkdir(parents=True, exist_ok=True)
    tasks = [t for t, _ in runner._plan(req, prints) if t.kind == "country"]
    units = []
    for i in range(n):
        t, name = tasks[i % len(tasks)], f"unit{i:03d}"
        units.append(replace(t, name=name, executed=t.executed.with_name(f"{name}.ipynb"),
                             html=t.html.with_name(f"{name}.html")))  # fmt: skip

    class _Bar:  # the executor's progress bar, silent
        def set_postfix_str(self, *_: object) -> None: ...
        def update(self, *_: object) -> None: ...

    cpu, start = _cpu(), time.perf_counter()
    with PeakMemory() as mem:
        results = execute(units, jobs, _Bar())
    wall = time.perf_counter() - start
    failed = sum(not r.ok for r in results.values())
    return wall, _cpu() - cpu, mem.peak_mb, failed


def _timed(label: str, func, *args) -> tuple[float, float, int]:
    """Call ``func``; print and return (wall, CPU-seconds of children, exit code)."""
    cpu = _cpu()
    wall, code = func(*args)
    used = _cpu() - cpu
    print(f"{label:34s} {wall:7.1f} s wall {used:7.1f} CPU-s (exit {code})")
    return wall, used, code


def _median_of(runs: list[tuple[float, float, int]]) -> tuple[float, float, int, float, float]:
    """(median wall, median CPU-s, worst exit code, fastest wall, slowest wall) of runs."""
    walls, cpus = [r[0] for r in runs], [r[1] for r in runs]
    return (statistics.median(walls), statistics.median(cpus), max(r[2] for r in runs),
            min(walls), max(walls))  # fmt: skip


def _report(rows: dict[str, tuple], peak: float, units: dict) -> None:
    """Print the results table and the targets."""
    print("\nresults (wall s, CPU-s; repeated runs: median, fastest-slowest wall)")
    for name, (wall, cpu, *spread) in rows.items():
        extra = f"   ({spread[1]:.1f}-{spread[2]:.1f} s)" if len(spread) == 3 else ""
        print(f"  {name:32s} {wall:7.1f} {cpu:7.1f}{extra}")
    if "baseline" in rows:
        (bw, bc), (cw, cc) = rows["baseline"][:2], rows["cold"][:2]
        print(f"  speed-up cold: {bw / cw:4.2f}x wall, {bc / max(cc, 1e-9):4.2f}x CPU "
              f"(target >= 7x; cold < 15 s: {'yes' if cw < 15 else 'NO'})")  # fmt: skip
    if "partial" in rows:
        print(f"  partial re-run < 8 s: {'yes' if rows['partial'][0] < 8 else 'NO'}")
    print(f"  peak RSS per worker + kernel (cold runs): {peak:.0f} MB (target < 600 MB)")
    for n, (wall, cpu, mb, failed) in units.items():
        print(f"  units {n:4d}: {wall / n:6.2f} s/report wall, {cpu / n:6.2f} CPU-s/report, "
              f"peak {mb:.0f} MB per worker + kernel, {failed} failed")  # fmt: skip
    if len(units) >= 2:
        (n1, a), (n2, b) = sorted(units.items())[0], sorted(units.items())[-1]
        print(f"  per-report CPU at {n2} / at {n1}: {b[1] / n2 / (a[1] / n1):.2f} (target <= 1.2)")
    print(f"  load average after: {os.getloadavg()[0]:.1f}")


def _mtr_runs(
    rows: dict[str, tuple], raw: Path, store: Path, out: Path, countries: list[str],
    args: argparse.Namespace,
) -> tuple[float, bool]:  # fmt: skip
    """Cold runs (``args.repeat``, each into ``out/<i>``), a warm run, then the partial
    re-runs on each cold run's folder after one national value changed; fills ``rows``,
    returns (peak MB per worker + kernel, every cold and warm run exited 0)."""
    folders = [out / str(i) for i in range(max(1, args.repeat))]
    with PeakMemory() as mem:
        cold = [_timed(f"mtr run, cold ({i + 1})", mtr_run, store, folder, countries, args.jobs)
                for i, folder in enumerate(folders)]  # fmt: skip
    rows["cold"] = _median_of(cold)
    warm = _timed("mtr run, warm (unchanged)", mtr_run, store, folders[0], countries, args.jobs)
    rows["warm"] = warm[:2]
    if "VNM" in countries:
        touch_national_workbook(raw)
        rebuilt = _timed("mtr build after the change", lambda: (
            _run([str(BIN / "mtr"), "build", "--raw", str(raw), "--out", str(store),
                  "--allow-rejects"])))  # fmt: skip
        rows["build after the change"] = rebuilt[:2]
        partial = [_timed(f"mtr run, partial (VNM changed) ({i + 1})", mtr_run, store, folder,
                          countries, args.jobs) for i, folder in enumerate(folders)]  # fmt: skip
        rows["partial"] = _median_of(partial)
    return mem.peak_mb, rows["cold"][2] == 0 and warm[2] == 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the timings and speed-ups."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--countries", default="all")
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--units", type=int, nargs="*", default=[], help="e.g. --units 10 100")
    p.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    p.add_argument("--repeat", type=int, default=3, help="cold and partial runs (median)")
    args = p.parse_args(argv)
    countries = registry.parse_countries(args.countries)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_run_"))
    raw, store, out_base, out_mtr, out_units = (
        work / n for n in ("raw", "store", "baseline", "mtr", "units"))  # fmt: skip
    for folder in (raw, store, out_base, out_mtr, out_units):
        shutil.rmtree(folder, ignore_errors=True)
    print(f"demo store in {store}; {len(countries)} countries + regional; jobs={args.jobs}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    write_demo(raw)
    build([raw], store)
    # Warm the disk cache and byte-code for both contenders alike.
    _run([sys.executable, "-c", "import papermill, nbconvert, mtr_analysis.reporting.html"])
    rows: dict[str, tuple] = {}
    if not args.skip_baseline:
        print("baseline: papermill + jupyter nbconvert per notebook, one after another")
        rows["baseline"] = _timed("baseline (sequential CLI loop)", lambda: (
            baseline(store, out_base, countries), 0))[:2]  # fmt: skip
    peak, ok = _mtr_runs(rows, raw, store, out_mtr, countries, args)
    units = {n: units_run(store, out_units / str(n), n, args.jobs) for n in args.units}
    _report(rows, peak, units)
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
