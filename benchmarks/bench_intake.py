"""Benchmark ``mtr build`` on a WDI bulk download against the straightforward pandas read.

Writes a synthetic file in the layout of the World Bank's bulk ``WDICSV.csv`` (every
economy × about 1,500 series, one row each, years 1960–2023 as columns, about 60 % of the
cells filled with WDI-style 15-digit numbers; member states, Timor-Leste, aggregates and
other economies in the proportions of the real file: 11 of 266 rows are in scope), then
measures, each in its own child process, in one session:

1. **baseline** — ``pandas.read_csv`` of the whole file, then ``melt`` to one row per cell
   and ``dropna`` (what a consultant would write first);
2. **mtr build** — ``mtr build --raw DIR --out OUT --quiet`` on a folder holding the file.

Wall time (``time.perf_counter``) and peak memory (the child's maximum resident set size,
``os.wait4`` → ``ru_maxrss``, KiB on Linux) are printed as figures and ratios.

Targets (issue 11, item 8): ``mtr build`` on 200 MB under 60 s and under 2 GB peak on 2 cores.

Usage::

    .venv/bin/python benchmarks/bench_intake.py [--mb 200] [--work DIR] [--skip-baseline]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
YEARS = list(range(1960, 2024))
#: Member states and Timor-Leste as WDI names them, then aggregates (regions, income groups).
IN_SCOPE = [
    ("Brunei Darussalam", "BRN"), ("Cambodia", "KHM"), ("Indonesia", "IDN"),
    ("Lao PDR", "LAO"), ("Malaysia", "MYS"), ("Myanmar", "MMR"), ("Philippines", "PHL"),
    ("Singapore", "SGP"), ("Thailand", "THA"), ("Viet Nam", "VNM"), ("Timor-Leste", "TLS"),
]  # fmt: skip
AGGREGATES = [
    ("World", "WLD"), ("East Asia & Pacific", "EAS"), ("High income", "HIC"),
    ("Low income", "LIC"), ("Euro area", "EMU"), ("South Asia", "SAS"),
    ("Sub-Saharan Africa", "SSF"), ("Upper middle income", "UMC"),
]  # fmt: skip
N_ECONOMIES = 266
#: Catalogue series placed among the synthetic ones, so the build accepts some values.
KNOWN_SERIES = ["SP.DYN.LE00.IN", "SH.STA.MMRT", "SE.ADT.LITR.ZS", "SL.UEM.1524.ZS"]

BASELINE = """
import sys, pandas as pd
df = pd.read_csv(sys.argv[1])
long = df.melt(id_vars=list(df.columns[:4]), var_name="year", value_name="value").dropna(
    subset=["value"])
print(len(long))
"""


def economies() -> list[tuple[str, str]]:
    """266 economies: the 11 in scope, 8 aggregates and invented other countries."""
    others = [(f"Economy {i:03d}, Republic of", f"X{i:02d}") for i in range(N_ECONOMIES)]
    return sorted(IN_SCOPE + AGGREGATES + others[: N_ECONOMIES - 19], key=lambda e: e[1])


def write_bulk(path: Path, mb: float, seed: int = 11) -> int:
    """Write a WDI-bulk-layout CSV of about ``mb`` megabytes; returns the filled cells."""
    rng = random.Random(seed)
    target = int(mb * 1e6)
    econ = economies()
    row_bytes = 60 + len(YEARS) * 0.6 * 17  # ids + filled cells of ~16 characters
    n_series = max(len(KNOWN_SERIES), int(target / (row_bytes * len(econ))))
    series = KNOWN_SERIES + [f"SYN.S{i:04d}.ZS" for i in range(n_series - len(KNOWN_SERIES))]
    filled = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
                          + [str(y) for y in YEARS]) + "\n")  # fmt: skip
        for name, code in econ:
            quoted = f'"{name}"' if "," in name else name
            for s in series:
                cells = [repr(rng.uniform(0, 100)) if rng.random() < 0.6 else "" for _ in YEARS]
                filled += sum(1 for c in cells if c)
                fh.write(f'{quoted},{code},"Indicator {s}, total (%)",{s},{",".join(cells)}\n')
    return filled


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):  # 3: build found data problems, still a complete build
        print(f"  ! exit {code}: {' '.join(cmd[:3])} ... {proc.stderr.read().decode()[-300:]}")
    proc.stderr.close()
    return seconds, usage.ru_maxrss / 1024, code


def main(argv: list[str] | None = None) -> int:
    """Write the file, run both, print time, peak memory and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=200.0, help="file size (default 200)")
    ap.add_argument("--work", type=Path, help="work folder (default: a temporary one)")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="bench_intake_"))
    raw = work / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / "WDICSV.csv"
    start = time.perf_counter()
    cells = write_bulk(path, args.mb)
    size = path.stat().st_size / 1e6
    print(f"{path}: {size:.0f} MB, {cells:,} filled cells ({time.perf_counter() - start:.0f} s)")
    results = {}
    if not args.skip_baseline:
        results["pandas read_csv + melt"] = measure([sys.executable, "-c", BASELINE, str(path)])
    results["mtr build"] = measure(
        [str(BIN / "mtr"), "build", "--raw", str(raw), "--out", str(work / "out"), "--quiet"]
    )
    print("\nresults")
    for name, (sec, mem, _code) in results.items():
        print(f"  {name:24s} {sec:7.1f} s  peak {mem:8.0f} MB  ({mem / size:5.1f}x the file)")
    build_s, build_mb, _ = results["mtr build"]
    if "pandas read_csv + melt" in results:
        base_s, base_mb, _ = results["pandas read_csv + melt"]
        print(f"  time ratio baseline/build:   {base_s / build_s:5.2f}x")
        print(f"  memory ratio baseline/build: {base_mb / build_mb:5.2f}x")
    print(f"  build under 60 s: {'yes' if build_s < 60 else 'NO'}; "
          f"under 2 GB: {'yes' if build_mb < 2048 else 'NO'}")  # fmt: skip
    print(f"  load average after: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
