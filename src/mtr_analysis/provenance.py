"""Provenance fingerprints: file and data hashes, code hash, package versions, git commit.

The one home of every SHA-256 helper. :mod:`mtr_analysis.run.cache` sums these up in one
cache key so that ``mtr run`` reuses a report when nothing it depends on has changed:

- the notebook file and the report template;
- the parameters (except folder paths: the data they point to is hashed instead);
- the data: for a country report, the country's rows of the store
  (:func:`country_data_hashes`) plus the intake records of the files they come from; for the
  regional report, the whole store file and ``intake.json``;
- the code of :mod:`mtr_analysis` (:func:`code_hash`) and the versions of the packages
  that execute and render notebooks (:func:`package_versions`).

The same fingerprints stamp every report's annex and the run manifest, so a reader can tell
which data and software produced it.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from mtr_analysis.paths import INTAKE_FILE, OBSERVATIONS_FILE, PACKAGE_DIR, ROOT

#: Packages whose versions can change a report (analysis, figures, execution, rendering).
PACKAGES = (
    "mtr-analysis", "pandas", "numpy", "pyarrow", "statsmodels", "matplotlib", "seaborn",
    "papermill", "nbconvert", "nbformat", "nbclient", "ipykernel", "jupyter_client",
    "jinja2", "mistune", "pyyaml",
)  # fmt: skip
#: File types of the package that count as code for :func:`code_hash`.
CODE_SUFFIXES = (".py", ".yaml", ".yml", ".csv", ".json", ".j2", ".css")


def file_sha256(path: Path | str) -> str:
    """SHA-256 (hex) of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_hash(frame: pd.DataFrame) -> str:
    """Order-independent SHA-256 of a DataFrame's values (columns by name, rows sorted).

    Uses :func:`pandas.util.hash_pandas_object` (fixed hash key), so the result is the same
    in every process and session.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    str
        Hex digest; also covers the column names.

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    >>> frame_hash(a) == frame_hash(a.iloc[::-1][["y", "x"]])
    True
    """
    cols, _, row_hashes = _sorted_rows(frame)
    return _digest(cols, row_hashes)


def _sorted_rows(frame: pd.DataFrame) -> tuple[list[str], pd.DataFrame, np.ndarray]:
    """(column names sorted, the rows sorted by every column, one uint64 hash per row)."""
    cols = sorted(str(c) for c in frame.columns)
    ordered = frame[cols].sort_values(cols, kind="stable", na_position="first")
    values = pd.util.hash_pandas_object(ordered, index=False, categorize=True)
    return cols, ordered, values.to_numpy()


def _digest(cols: list[str], row_hashes: np.ndarray) -> str:
    digest = hashlib.sha256(json.dumps(cols).encode())
    digest.update(row_hashes.tobytes())
    return digest.hexdigest()


def read_intake(data_dir: Path | str) -> list[dict]:
    """The per-file records of ``intake.json`` in ``data_dir`` (empty when missing)."""
    path = Path(data_dir) / INTAKE_FILE
    if not path.is_file():
        return []
    return list(json.loads(path.read_text(encoding="utf-8")).get("files", []))


def country_data_hashes(
    obs: pd.DataFrame, intake: list[dict] | None = None, countries: list[str] | None = None
) -> dict[str, str]:
    """One hash per country of its rows in the store and of the files they were read from.

    Parameters
    ----------
    obs : pandas.DataFrame
        The whole store (:func:`mtr_analysis.intake.store.read_store`).
    intake : list of dict, optional
        :func:`read_intake`; the records of the files a country's rows come from (path,
        SHA-256, counts) are hashed with its rows.
    countries : list of str, optional
        Countries to return (a country without rows gets the hash of an empty frame).

    Returns
    -------
    dict
        ISO3 → hex digest. Changing, adding or removing any row of one country changes
        that country's hash only.
    """
    by_file = {str(rec.get("path")): rec for rec in intake or []}
    wanted = countries if countries is not None else sorted(obs["country"].dropna().unique())
    # Sorting and hashing the whole store once gives each country's rows in the order
    # frame_hash sorts them in (a subsequence of a sorted sequence is sorted): one sort,
    # not one per country.
    cols, ordered, row_hashes = _sorted_rows(obs)
    country_of = ordered["country"].astype(str).to_numpy()
    file_of = ordered["file"].to_numpy() if "file" in obs else None
    has_file = ordered["file"].notna().to_numpy() if "file" in obs else None
    out: dict[str, str] = {}
    for country in wanted:
        mine = country_of == str(country)
        files = sorted({str(f) for f in file_of[mine & has_file]}) if file_of is not None else []
        records = [by_file[f] for f in files if f in by_file]
        digest = hashlib.sha256(_digest(cols, row_hashes[mine]).encode())
        digest.update(json.dumps(records, sort_keys=True, ensure_ascii=False).encode())
        out[str(country)] = digest.hexdigest()
    return out


def store_hashes(data_dir: Path | str) -> dict[str, str]:
    """SHA-256 of ``observations.parquet`` and ``intake.json`` (the files that exist)."""
    out = {}
    for name in (OBSERVATIONS_FILE, INTAKE_FILE):
        path = Path(data_dir) / name
        if path.is_file():
            out[name] = file_sha256(path)
    return out


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str]:
    """Python and package versions (``"not installed"`` for missing packages)."""
    out = {"python": platform.python_version()}
    for pkg in packages:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def code_hash(package_dir: Path | str = PACKAGE_DIR) -> str:
    """SHA-256 over the source, configuration and template files of :mod:`mtr_analysis`.

    Catches code changes that do not bump the package version (editable installs).
    """
    base = Path(package_dir)
    digest = hashlib.sha256()
    for path in sorted(base.rglob("*")):
        if path.suffix in CODE_SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def git_commit(root: Path | str = ROOT) -> str:
    """The checked-out commit of the project (``git rev-parse HEAD``), or ``"unknown"``.

    Read-only: takes no git lock, so it is safe while others use the repository.
    """
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = proc.stdout.strip()
    return commit if proc.returncode == 0 and len(commit) >= 7 else "unknown"


_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_VINTAGE = re.compile(
    r"\b(?:updated|vintage|version|accessed|released?|saved)\s*:?\s*([\w\-.]+(?: [\w\-.]+)*)",
    re.I,
)


def source_vintage(sources: Iterable[str]) -> str:
    """Vintage of data from these sources: the latest release date they name.

    Sources name their vintage ("World Bank WDI ..., updated 2026-01-01"); the latest ISO
    date found is returned, else the distinct words after "updated", "vintage", "version",
    "accessed", "release(d)" or "saved", else ``""``.

    Examples
    --------
    >>> source_vintage(["WDI, updated 2025-07-01", "WDI, updated 2026-01-01", "GSO"])
    '2026-01-01'
    """
    texts = sorted({str(s) for s in sources if s is not None})
    dates = sorted({d for s in texts for d in _DATE.findall(s)})
    if dates:
        return dates[-1]
    words = sorted({m.group(1).strip() for s in texts if (m := _VINTAGE.search(s))})
    return ", ".join(words)
