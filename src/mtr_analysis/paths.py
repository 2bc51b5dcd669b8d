"""The project's folder layout: the only module that knows where things live.

Functions elsewhere take paths as arguments and use these constants as defaults.
Set ``MTR_ROOT`` to point the defaults at another project folder.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_DIR = PACKAGE_DIR / "config"


def _find_root() -> Path:
    env = os.environ.get("MTR_ROOT")
    if env:
        return Path(env).resolve()
    # Editable install: src/mtr_analysis/paths.py -> project root two levels up.
    candidate = PACKAGE_DIR.parents[1]
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


ROOT = _find_root()
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
DEMO_DIR = RAW_DIR / "demo"
PROCESSED_DIR = DATA_DIR / "processed"
OUTPUTS_DIR = ROOT / "outputs"
NOTEBOOKS_DIR = ROOT / "notebooks"
SHARED_REAL_DIR = ROOT.parent / "shared" / "data" / "real"

OBSERVATIONS_FILE = "observations.parquet"
INTAKE_FILE = "intake.json"
REJECTS_FILE = "rejects.csv"
#: Sidecar next to a downloaded file: where, when and how it was fetched (``mtr fetch``).
PROVENANCE_SUFFIX = ".provenance.json"

COUNTRY_NOTEBOOK = NOTEBOOKS_DIR / "country_profile.ipynb"
REGIONAL_NOTEBOOK = NOTEBOOKS_DIR / "regional_synthesis.ipynb"

#: Method settings (thresholds and rule parameters), read by :mod:`mtr_analysis.settings`.
METHODS_FILE = CONFIG_DIR / "methods.yaml"

# Run stage (``mtr run``): the layout of ``outputs/<review>/``.
#: Index page listing every report of a run.
INDEX_FILE = "index.html"
#: Run manifest: parameters, settings, input checksums, versions and timings.
MANIFEST_FILE = "manifest.json"
#: Executed notebooks (kept even when a run fails).
EXECUTED_DIR = "executed"
#: Cache records, one per report.
CACHE_DIR = "cache"
#: Findings JSON, one file per report (``<ISO3>.json``, ``regional.json``).
FINDINGS_DIR = "findings"
#: The review tables written with every run.
ASSESSMENT_FILE = "assessment.csv"
AGGREGATES_FILE = "aggregates.csv"
BENEFICIARIES_FILE = "beneficiaries.csv"
#: Name of the regional report (its HTML, notebook, findings and cache files).
REGIONAL_NAME = "regional"
#: Suffix of the report version that shows the code (``mtr run --with-code``).
CODE_SUFFIX = ".code.html"
#: nbconvert templates and the index page's style sheet.
TEMPLATES_DIR = PACKAGE_DIR / "templates"
REPORT_TEMPLATE = "mtr_report"
INDEX_CSS = TEMPLATES_DIR / "mtr_index" / "index.css"
