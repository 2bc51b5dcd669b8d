"""Check that a refactoring left every output byte-identical.

Run the pipeline with the code before and after a change, then compare::

    # before the change (e.g. in a clone at the earlier commit)
    python benchmarks/compare_outputs.py make --raw ../shared/data/real --dest /tmp/before
    # after the change
    python benchmarks/compare_outputs.py make --raw ../shared/data/real --dest /tmp/after
    python benchmarks/compare_outputs.py compare /tmp/before /tmp/after

``make`` runs ``mtr build`` into ``DEST/processed`` and ``mtr run`` into ``DEST/outputs``.
``compare`` requires byte-identical data products (store, intake accounting, review tables,
findings JSON) and HTML that differs only in the stamps that name the package version and
the code hash. Exit status: 0 identical, 1 differences (listed), 2 usage error.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

#: Data products that must be byte-identical, as glob patterns under DEST.
EXACT = (
    "processed/observations.parquet",
    "processed/intake.json",
    "outputs/*/assessment.csv",
    "outputs/*/aggregates.csv",
    "outputs/*/beneficiaries.csv",
    "outputs/*/findings/*.json",
)
#: Reports compared after removing version and code-hash stamps.
STAMPED = ("outputs/*/*.html",)
_STAMPS = (
    re.compile(r"mtr-analysis \d+\.\d+\.\d+\S*"),
    re.compile(r"\b[0-9a-f]{12,64}\b"),
    re.compile(r"\d+(\.\d+)? ?s\b"),  # run times on the index page
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?\S*"),  # run timestamps
    re.compile(r"cell-id=[\w-]+"),  # papermill's random id of the injected-parameters cell
    re.compile(r"<td class=\"num\">\d+(\.\d+)?</td>"),  # run times in the index table
)


def _normalise(text: str, root: Path) -> str:
    text = text.replace(str(root.resolve()), "<root>").replace(str(root), "<root>")
    for pattern in _STAMPS:
        text = pattern.sub("<stamp>", text)
    return text


def _files(root: Path, patterns: tuple[str, ...]) -> dict[str, Path]:
    return {str(p.relative_to(root)): p for pat in patterns for p in sorted(root.glob(pat))}


def compare(before: Path, after: Path) -> list[str]:
    """Return one line per difference between two output trees (empty when identical)."""
    problems: list[str] = []
    for patterns, same in ((EXACT, bytes.__eq__), (STAMPED, None)):
        old, new = _files(before, patterns), _files(after, patterns)
        for name in sorted(old.keys() ^ new.keys()):
            problems.append(f"{name}: only in {'before' if name in old else 'after'}")
        for name in sorted(old.keys() & new.keys()):
            a, b = old[name].read_bytes(), new[name].read_bytes()
            if same is not None:
                equal = a == b
            else:
                equal = _normalise(a.decode("utf-8"), before) == _normalise(
                    b.decode("utf-8"), after
                )
            if not equal:
                problems.append(f"{name}: differs")
    if not _files(before, EXACT):
        problems.append(f"{before}: no outputs found (run 'make' first)")
    return problems


def make(raw: Path, dest: Path, review: str) -> None:
    """Build the store from ``raw`` and run every report of ``review`` into ``dest``."""
    mtr = Path(sys.executable).with_name("mtr")
    processed, outputs = dest / "processed", dest / "outputs"
    # Exit 3 (data problems such as unrecognised files) still builds a store to compare.
    build = subprocess.run([mtr, "build", "--raw", raw, "--out", processed, "--allow-rejects"])
    if build.returncode not in (0, 3):
        raise SystemExit(f"mtr build failed with exit code {build.returncode}")
    cmd = [mtr, "run", "--data", processed, "--out", outputs, "--review", review, "--no-cache"]
    subprocess.run(cmd, check=False)  # a failing report shows up in the comparison


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make", help="build and run into DEST with the installed code")
    m.add_argument("--raw", type=Path, required=True)
    m.add_argument("--dest", type=Path, required=True)
    m.add_argument("--review", default="mid-term")
    c = sub.add_parser("compare", help="compare two trees written by 'make'")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "make":
        make(args.raw, args.dest, args.review)
        return 0
    problems = compare(args.before, args.after)
    for line in problems:
        print(line)
    print("identical" if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
