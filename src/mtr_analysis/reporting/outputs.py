"""Files written with a review's reports: review tables (CSV) and findings (JSON).

``mtr run`` writes them from the same library calls the notebooks make (the notebooks only
display): ``<out_dir>/<review>/assessment.csv``, ``aggregates.csv``, ``beneficiaries.csv``
and, for the end-term review, ``comparison.csv`` (:func:`write_review_outputs`), and
``findings/<ISO3>.json``, ``findings/regional.json`` (:func:`write_findings`). The same inputs give the same bytes.

Every file is written atomically (:func:`atomic_write_bytes`: a temporary file in the same
folder, then :func:`os.replace`), so a run stopped half-way leaves either the old file or
the new one, never a truncated one; text is always UTF-8, whatever the locale.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from mtr_analysis.analysis import beneficiaries
from mtr_analysis.analysis.review import ReviewData, beneficiary_estimates
from mtr_analysis.atomic_io import atomic_write_text
from mtr_analysis.paths import (
    BENEFICIARIES_FILE,
    COMPARISON_FILE,
    FINDINGS_DIR,
    NATIONAL_IMPLEMENTATION_NAME,
    REGIONAL_NAME,
)
from mtr_analysis.reference import registry
from mtr_analysis.reporting import tables
from mtr_analysis.reporting.findings import Finding, findings_to_json
from mtr_analysis.reporting.html import SAFE_NAME


def write_review_outputs(
    data: ReviewData, out_dir: Path | str, review: str, comparison: pd.DataFrame | None = None
) -> dict[str, Path]:
    """Write ``assessment.csv``, ``aggregates.csv`` and ``beneficiaries.csv`` of a review,
    and ``comparison.csv`` when given the review-to-review ``comparison``
    (:func:`mtr_analysis.analysis.comparison.review_comparison`, its columns as they are).

    Files go to ``<out_dir>/<review>/``; the same inputs give the same bytes. The tables are
    first written into a temporary folder beside them and then moved into place one by one
    (:func:`os.replace`), so no table is ever seen half-written.
    """
    folder = findings_path(out_dir, review, REGIONAL_NAME).parent.parent
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".tables.") as tmp:
        staged = tables.write_review_tables(
            data.observations, data.availability, data.assessment, data.catalogue,
            data.countries, tmp, settings=data.settings,
        )  # fmt: skip
        est = beneficiary_estimates(data).sort_values(["country", "indicator"], kind="stable")
        staged["beneficiaries"] = Path(tmp) / BENEFICIARIES_FILE
        staged["beneficiaries"].write_bytes(tables.to_csv_bytes(est[beneficiaries.COLUMNS]))
        if comparison is not None:
            staged["comparison"] = Path(tmp) / COMPARISON_FILE
            staged["comparison"].write_bytes(tables.to_csv_bytes(comparison))
        written = {}
        for name, path in staged.items():
            written[name] = folder / Path(path).name
            os.replace(path, written[name])
    return written


def findings_path(out_dir: Path | str, review: str, name: str) -> Path:
    """``<out_dir>/<review>/findings/<name>.json``; ``name`` is an ISO3 code, "regional"
    or a national implementation report's name (``VNM_implementation``).

    Raises
    ------
    ValueError
        When ``review`` or ``name`` could leave the output folder (path separators, ``..``)
        or ``name`` is neither a member state, ``"regional"`` nor a national report's name.
    """
    if not SAFE_NAME.match(str(review)):
        raise ValueError(f"review must be letters, digits, '-' or '_'; got {review!r}")
    if name != REGIONAL_NAME:
        suffix = NATIONAL_IMPLEMENTATION_NAME.format(iso3="")
        country = name.removesuffix(suffix)
        iso3 = registry.get(country).iso3  # KeyError naming the known codes
        name = NATIONAL_IMPLEMENTATION_NAME.format(iso3=iso3) if country != name else iso3
    return Path(out_dir) / str(review) / FINDINGS_DIR / f"{name}.json"


def write_findings(items: Sequence[Finding], out_dir: Path | str, review: str, name: str) -> Path:
    """Write findings as deterministic JSON (:func:`findings_to_json`) for reuse.

    Parameters
    ----------
    items : sequence of Finding
    out_dir : path-like
        Output root (``mtr run --out``); the file goes to :func:`findings_path`.
    review : str
    name : str
        ISO3 code of the member state, or ``"regional"``.

    Returns
    -------
    pathlib.Path
        The written file; same inputs give the same bytes.
    """
    path = findings_path(out_dir, review, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write_text(path, findings_to_json(items) + "\n")


def read_findings_file(path: Path | str) -> list[dict]:
    """The findings of a file written by :func:`write_findings`, as dicts."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
