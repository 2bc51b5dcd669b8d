"""Files written with a review's reports: review tables (CSV) and findings (JSON).

``mtr run`` writes them from the same library calls the notebooks make (the notebooks only
display): ``<out_dir>/<review>/assessment.csv``, ``aggregates.csv``, ``beneficiaries.csv``
(:func:`write_review_outputs`) and ``findings/<ISO3>.json``, ``findings/regional.json``
(:func:`write_findings`). The same inputs give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from mtr_analysis.analysis import beneficiaries
from mtr_analysis.analysis.review import ReviewData, beneficiary_estimates
from mtr_analysis.paths import BENEFICIARIES_FILE, FINDINGS_DIR, REGIONAL_NAME
from mtr_analysis.reference import registry
from mtr_analysis.reporting import tables
from mtr_analysis.reporting.findings import Finding, findings_to_json
from mtr_analysis.reporting.html import SAFE_NAME


def write_review_outputs(data: ReviewData, out_dir: Path | str, review: str) -> dict[str, Path]:
    """Write ``assessment.csv``, ``aggregates.csv`` and ``beneficiaries.csv`` of a review.

    Files go to ``<out_dir>/<review>/``; the same inputs give the same bytes.
    """
    folder = findings_path(out_dir, review, REGIONAL_NAME).parent.parent
    paths = tables.write_review_tables(
        data.observations, data.availability, data.assessment, data.catalogue,
        data.countries, folder, settings=data.settings,
    )  # fmt: skip
    est = beneficiary_estimates(data).sort_values(["country", "indicator"], kind="stable")
    path = folder / BENEFICIARIES_FILE
    path.write_bytes(tables.to_csv_bytes(est[beneficiaries.COLUMNS]))
    return {**paths, "beneficiaries": path}


def findings_path(out_dir: Path | str, review: str, name: str) -> Path:
    """``<out_dir>/<review>/findings/<name>.json``; ``name`` is an ISO3 code or "regional".

    Raises
    ------
    ValueError
        When ``review`` or ``name`` could leave the output folder (path separators, ``..``)
        or ``name`` is neither a member state nor ``"regional"``.
    """
    if not SAFE_NAME.match(str(review)):
        raise ValueError(f"review must be letters, digits, '-' or '_'; got {review!r}")
    if name != REGIONAL_NAME:
        name = registry.get(name).iso3  # KeyError naming the known codes
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
    path.write_text(findings_to_json(items) + "\n", encoding="utf-8")
    return path


def read_findings_file(path: Path | str) -> list[dict]:
    """The findings of a file written by :func:`write_findings`, as dicts."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
