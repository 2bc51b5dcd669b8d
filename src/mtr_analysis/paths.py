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

# --------------------------------------------------------------------------------------
# Reference data (config files read by mtr_analysis.reference and the intake stage)

#: Member states: codes, display names and the aliases used by the sources.
REGISTRY_FILE = CONFIG_DIR / "member_states.yaml"
#: Blueprint structure: characteristics, elements and the review calendar.
FRAMEWORK_FILE = CONFIG_DIR / "ascc_framework.yaml"
#: Indicator catalogue: one row per indicator with its source series codes.
INDICATORS_FILE = CONFIG_DIR / "indicators.csv"
#: Auxiliary series (population and its structure) used as weights and denominators.
AUXILIARY_FILE = CONFIG_DIR / "auxiliary_series.csv"
#: Default source priority of ``mtr build`` (the only place it is written down).
PRIORITY_FILE = CONFIG_DIR / "source_priority.yaml"

# --------------------------------------------------------------------------------------
# Intake outputs (``mtr build``, in the processed folder beside OBSERVATIONS_FILE)

#: Values of series not in the catalogue: kept with provenance, never analysed.
OUT_OF_SCOPE_FILE = "out_of_scope.parquet"
#: Disagreements between sources above the priority's tolerance.
CONFLICTS_FILE = "conflicts.csv"
#: Revisions between vintages of one source above the revision tolerance.
REVISIONS_FILE = "revisions.csv"
#: The intake report: a readable page made from INTAKE_FILE.
INTAKE_HTML = "intake.html"

# --------------------------------------------------------------------------------------
# Raw inputs written by ``mtr demo`` and ``mtr fetch``

#: Hidden file written last by ``mtr demo``: the demo folder is complete (``make report``).
COMPLETE_MARKER = ".complete"
#: Sub-folder of a raw folder for World Bank WDI downloads (demo and fetch).
WDI_SUBDIR = "wdi"
#: Sub-folder of a raw folder for UN SDG exports (fetch).
UNSDG_SUBDIR = "unsdg"
#: Sub-folder of the demo folder for national workbooks.
NATIONAL_SUBDIR = "national"
#: The demo folder's README (says the data are synthetic).
DEMO_README = "README.md"
#: Demo WDI download of one series; ``{code}`` is the WDI code.
DEMO_WDI_PATTERN = "API_{code}_DS2_en_csv_v2_DEMO.csv"
#: Demo national workbook; ``{iso3}`` is the member state.
DEMO_NATIONAL_PATTERN = "{iso3}_national_template_DEMO.xlsx"
#: Default output folder of ``mtr fetch``.
FETCHED_DIR = RAW_DIR / "fetched"
#: Fetched WDI series, written in the WDI download layout; ``{code}`` is the WDI code.
FETCHED_WDI_PATTERN = "API_{code}_DS2_en_csv_v2_mtrfetch.csv"
#: Fetched UN SDG series, written in the SDG export layout; ``{code}`` is the series code.
FETCHED_SDG_PATTERN = "SDG_{code}.csv"
#: Prefix of the WDI indicator-metadata companion of a data file (``<prefix><data file>``).
WDI_INDICATOR_METADATA_PREFIX = "Metadata_Indicator_"
#: Suffix of a file being downloaded; renamed to its final name once complete.
PARTIAL_SUFFIX = ".part"

# --------------------------------------------------------------------------------------
# Run stage (``mtr run``): the layout of ``outputs/<review>/``.
#: Index page listing every report of a run.
INDEX_FILE = "index.html"
#: Run manifest: parameters, settings, input checksums, versions and timings.
MANIFEST_FILE = "manifest.json"
#: Executed notebooks (kept even when a run fails).
EXECUTED_DIR = "executed"
#: A review analysed by the runner, handed to its kernels (:mod:`mtr_analysis.analysis.memo`),
#: named ``<sha256 of the call>`` + this, in a temporary folder of the run.
REVIEW_SEED_SUFFIX = ".review.pkl"
#: In the seed folder while the runner is still analysing: kernels wait for their seed
#: instead of analysing the store themselves.
SEED_PENDING_FILE = "pending"
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

# --------------------------------------------------------------------------------------
# Configuration read by analysis and reporting

#: Denominators of rate indicators (which population a rate counts), for head counts.
DENOMINATORS_FILE = CONFIG_DIR / "denominators.csv"
#: Word catalogues of the reports, one YAML file per language (translators edit these).
WORDS_DIR = PACKAGE_DIR / "reporting" / "words"
#: Lock file in a review's output folder: one ``mtr run`` at a time writes there.
RUN_LOCK_FILE = ".mtr-run.lock"

# --------------------------------------------------------------------------------------
# Snapshot of public international data (``mtr snapshot``, the default of ``make report``)

#: The shipped snapshot: member-state rows of real downloads in their original formats.
SNAPSHOT_DIR = DATA_DIR / "snapshot"
#: Hidden marker written by ``mtr snapshot`` (JSON: latest vintage, files); ``mtr build``
#: records it in ``intake.json`` so that reports show the snapshot banner.
SNAPSHOT_MARKER = ".snapshot.json"
#: The snapshot's provenance: producer, vintage, licence, attribution, sha256 per file.
SNAPSHOT_PROVENANCE = "PROVENANCE.md"
# Implementation tracking (issue 12): reporting units, plan registers, activity reports

#: Reporting units (sectoral bodies, ministries) and the activity status vocabulary.
REPORTING_UNITS_FILE = CONFIG_DIR / "reporting_units.yaml"
#: Viet Nam's 63 old provinces → 34 provincial-level units from 1 July 2025.
VN_PROVINCES_FILE = CONFIG_DIR / "vn_provinces_2025.csv"
#: Sub-folder of the demo folder for plan registers and activity reports.
ACTIVITIES_SUBDIR = "activities"
#: Demo plan registers: the regional work plans and Viet Nam's national plan.
DEMO_REGIONAL_REGISTER = "register_ascc_work_plans_DEMO.csv"
DEMO_NATIONAL_REGISTER = "register_VNM_de_an_161_DEMO.xlsx"
#: Demo activity report of one unit and period.
DEMO_ACTIVITY_REPORT_PATTERN = "{unit}_{period}_{n}_activity_report_DEMO.xlsx"
#: ``mtr build`` outputs of implementation tracking (in the processed folder).
PLAN_REGISTER_FILE = "plan_register.csv"
ACTIVITIES_FILE = "activities.csv"
ACTIVITY_REJECTS_FILE = "activity_rejects.csv"
ACTIVITY_REPLACEMENTS_FILE = "activity_replacements.csv"
ACTIVITY_INTAKE_FILE = "activity_intake.json"
#: The national implementation report of one country's plan (by ministry and province).
NATIONAL_IMPLEMENTATION_NOTEBOOK = NOTEBOOKS_DIR / "national_implementation.ipynb"
#: Between an archive's name and a member's path in the name of a file read from a zip
#: download: ``wdi/API_SP.POP.TOTL_DS2_en_csv_v2_1217749.zip!API_SP.POP.TOTL_….csv``.
ARCHIVE_MEMBER_SEP = "!"
#: Fetched WHO GHO series, written as the OData answer itself; ``{code}`` is the GHO code.
FETCHED_GHO_PATTERN = "GHO_{code}.json"
#: Sub-folder of ``mtr fetch``'s output for WHO GHO series.
WHO_GHO_SUBDIR = "who_gho"
#: Fetched ILOSTAT series, written as the bulk CSV the ILO API answers; ``{code}`` is the
#: indicator id with its frequency suffix (``SDG_0831_SEX_ECO_RT_A``).
FETCHED_ILOSTAT_PATTERN = "ILO_{code}.csv"
#: Sub-folder of ``mtr fetch``'s output for ILOSTAT series.
ILOSTAT_SUBDIR = "ilostat"
#: Name of a national implementation report of ``mtr run`` (its HTML, executed notebook,
#: findings and cache record): ``VNM_implementation.html``; ``{iso3}`` is the country.
NATIONAL_IMPLEMENTATION_NAME = "{iso3}_implementation"
#: ``mtr build`` outputs of implementation tracking that a run's cache keys cover.
ACTIVITY_FILES = (
    PLAN_REGISTER_FILE,
    ACTIVITIES_FILE,
    ACTIVITY_REJECTS_FILE,
    ACTIVITY_REPLACEMENTS_FILE,
    ACTIVITY_INTAKE_FILE,
)

#: Reporting frameworks shipped with the package: one YAML per framework (``ascc.yaml``,
#: ``de-an-161.yaml``), named by ``mtr run --framework NAME``.
FRAMEWORKS_DIR = CONFIG_DIR / "frameworks"
#: A data folder's own frameworks (``<data_dir>/frameworks/<name>.yaml``), looked up after
#: :data:`FRAMEWORKS_DIR`.
DATA_FRAMEWORKS_SUBDIR = "frameworks"
#: Suffix of a framework file.
FRAMEWORK_SUFFIX = ".yaml"
#: The framework of a run without ``--framework``.
DEFAULT_FRAMEWORK = "ascc"
#: The explore notebook (issue 13): widgets to pick a review, country, indicator and method.
#: Not a report: ``mtr run`` never executes it; ``make lab`` opens it.
EXPLORE_NOTEBOOK = NOTEBOOKS_DIR / "explore.ipynb"
#: Output folder of a review run "as of" a date (``mtr run --as-of``), beside the review's own
#: folder so that today's reports are never overwritten: ``mid-term_as-of_2020-10-01``.
AS_OF_FOLDER = "{review}_as-of_{date}"
#: The baseline report of a review of kind ``baseline`` (``next-plan``): one notebook,
#: run per member state and once for the region (``country="ASEAN"``).
BASELINE_NOTEBOOK = NOTEBOOKS_DIR / "baseline_report.ipynb"
#: Baseline table of a baseline review (per member state × indicator), written with the
#: regional baseline report.
BASELINE_FILE = "baseline.csv"
#: Review-to-review comparison written with the end-term review's tables (issue 13): one row
#: per country × indicator, mid-term and end-term status, transition, data gaps closed/opened.
COMPARISON_FILE = "comparison.csv"
