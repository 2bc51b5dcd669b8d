"""Benchmark ``mtr run`` against the loop a consultant would write, on the same demo store.

Measured in one session, on the same machine and data:

1. **baseline** — for each of the 10 member states, then the regional synthesis, one after
   the other: ``papermill`` on the notebook, then ``jupyter nbconvert --to html --no-input``
   on its output (two subprocesses per notebook, as in a shell script);
2. **mtr run, cold** — ``mtr run --countries all --jobs N`` with an empty output folder (no
   cached reports);
3. **mtr run, warm** — the same command again, nothing changed (every report reused).

Targets (issue 5): cold at least 2x faster than the baseline on 2 cores; warm under 5 s.

Usage::

    .venv/bin/python benchmarks/bench_run.py [--jobs N] [--countries all|VNM,THA]
                                             [--skip-baseline] [--work DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mtr_analysis import paths
from mtr_analysis.intake.build import build
from mtr_analysis.intake.demo import write_demo
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue

BIN = Path(sys.executable).parent


def _run(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        print(f"  ! exit {proc.returncode}: {' '.join(cmd[:3])} ... {' | '.join(tail)}")
    return seconds, proc.returncode


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


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the timings and speed-ups."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--countries", default="all")
    p.add_argument("--skip-baseline", action="store_true")
    p.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    args = p.parse_args(argv)
    countries = registry.parse_countries(args.countries)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_run_"))
    raw, store, out_base, out_mtr = (work / n for n in ("raw", "store", "baseline", "mtr"))
    for folder in (raw, store, out_base, out_mtr):
        shutil.rmtree(folder, ignore_errors=True)

    print(f"demo store in {store}; {len(countries)} countries + regional; jobs={args.jobs}; "
          f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    write_demo(raw)
    build([raw], store)
    # Warm the disk cache and byte-code for both contenders alike.
    _run([sys.executable, "-c", "import papermill, nbconvert, mtr_analysis.reporting.html"])

    base = None
    if not args.skip_baseline:
        print("baseline: papermill + jupyter nbconvert per notebook, one after another")
        base = baseline(store, out_base, countries)
    cold, code_cold = mtr_run(store, out_mtr, countries, args.jobs)
    print(f"mtr run cold (no cache): {cold:6.1f} s (exit {code_cold})")
    warm, code_warm = mtr_run(store, out_mtr, countries, args.jobs)
    print(f"mtr run warm (unchanged): {warm:6.1f} s (exit {code_warm})")

    print("\nresults")
    if base is not None:
        print(f"  baseline (sequential CLI loop) {base:7.1f} s")
    print(f"  mtr run, cold                  {cold:7.1f} s")
    print(f"  mtr run, warm                  {warm:7.1f} s")
    if base is not None:
        print(f"  speed-up cold: {base / cold:4.2f}x (target >= 2x)")
        print(f"  speed-up warm: {base / warm:4.1f}x")
    print(f"  warm under 5 s: {'yes' if warm < 5 else 'NO'}")
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if code_cold == 0 and code_warm == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
