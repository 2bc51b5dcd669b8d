"""One call that gives a notebook everything it analyses for a review window.

Notebooks stay thin: they call :func:`load_review` and then plot and narrate its frames.
"""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pandas as pd

from mtr_analysis import gaps, registry, store, trends
from mtr_analysis.catalogue import Catalogue, load_catalogue
from mtr_analysis.paths import INTAKE_FILE, OBSERVATIONS_FILE

DEMO_BANNER = "Demo data — synthetic, not official statistics"
DEMO_BANNER_VI = "Dữ liệu minh họa — tổng hợp, không phải số liệu thống kê chính thức"
PACKAGES = ("mtr-analysis", "pandas", "numpy", "statsmodels", "seaborn", "matplotlib",
            "papermill", "nbconvert")  # fmt: skip


@dataclass(frozen=True)
class ReviewData:
    """The analysed data of one review window for all member states.

    Attributes
    ----------
    observations : pandas.DataFrame
        Selected total values used for analysis (see :func:`store.for_analysis`) for the
        member states, up to the cut-off year.
    availability : pandas.DataFrame
        :func:`gaps.availability` on the full member state × catalogue indicator grid.
    assessment : pandas.DataFrame
        :func:`trends.assess` of ``availability``.
    catalogue : Catalogue
    demo : bool
        True when any value comes from the synthetic demo inputs.
    """

    observations: pd.DataFrame
    availability: pd.DataFrame
    assessment: pd.DataFrame
    catalogue: Catalogue
    countries: list[str]
    baseline_year: int
    cutoff_year: int
    demo: bool
    data_dir: Path


def load_review(
    data_dir: Path | str,
    baseline_year: int = 2015,
    cutoff_year: int = 2020,
    countries: list[str] | None = None,
) -> ReviewData:
    """Read the store in ``data_dir`` and compute availability and assessment.

    ``countries`` defaults to the 10 member states of the Blueprint 2025 reviews.
    """
    cat = load_catalogue()
    countries = list(countries or registry.iso3_codes())
    obs_all = store.read_store(data_dir)
    obs = store.for_analysis(obs_all)
    # Values after the cut-off were not available to the review: leave them out everywhere.
    keep = obs["country"].isin(countries) & obs["year"].le(cutoff_year)
    obs = obs.loc[keep].reset_index(drop=True)
    avail = gaps.availability(
        obs,
        baseline_year=baseline_year,
        cutoff_year=cutoff_year,
        countries=countries,
        indicators=list(cat.indicators.index),
    )
    assessment = trends.assess(avail, cat)
    return ReviewData(
        observations=obs,
        availability=avail,
        assessment=assessment,
        catalogue=cat,
        countries=countries,
        baseline_year=baseline_year,
        cutoff_year=cutoff_year,
        demo=store.is_demo(obs_all),
        data_dir=Path(data_dir),
    )


def demo_banner_html(demo: bool, lang: str = "en") -> str:
    """A prominent HTML banner for reports made from demo data ("" otherwise)."""
    if not demo:
        return ""
    text = DEMO_BANNER_VI if lang == "vi" else DEMO_BANNER
    return (
        '<div style="background:#fff3cd;border:2px solid #d39e00;padding:10px 14px;'
        'font-size:1.15em;font-weight:bold;color:#5c4400;margin:8px 0">'
        f"⚠ {html.escape(text)}</div>"
    )


def provenance_table(data_dir: Path | str) -> pd.DataFrame:
    """Input files behind the store with format, counts and SHA-256 (from ``intake.json``)."""
    import json

    path = Path(data_dir) / INTAKE_FILE
    if not path.exists():
        return pd.DataFrame(columns=["file", "format", "accepted", "sha256"])
    files = json.loads(path.read_text(encoding="utf-8"))["files"]
    df = pd.DataFrame(files)
    df = df.loc[df["accepted"] > 0, ["path", "format", "records_read", "accepted", "sha256"]]
    return df.rename(columns={"path": "file"}).reset_index(drop=True)


def environment_table(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Python and package versions, and the store's checksum, for the report annex."""
    rows = [("python", platform.python_version())]
    for pkg in PACKAGES:
        try:
            rows.append((pkg, metadata.version(pkg)))
        except metadata.PackageNotFoundError:
            rows.append((pkg, "not installed"))
    if data_dir is not None and (Path(data_dir) / OBSERVATIONS_FILE).exists():
        import hashlib

        digest = hashlib.sha256((Path(data_dir) / OBSERVATIONS_FILE).read_bytes()).hexdigest()
        rows.append(("observations.parquet sha256", digest[:16]))
    return pd.DataFrame(rows, columns=["item", "version"])


def findings_html(items: list) -> str:
    """Findings as an HTML list; text is escaped because it quotes source names from files.

    Priority and warning findings are marked so they stand out in the report.
    """
    if not items:
        return "<p><em>No findings: not enough data.</em></p>"
    marks = {"priority": "❗ ", "warning": "⚠ "}
    lis = "".join(
        f"<li>{marks.get(getattr(f, 'severity', ''), '')}{html.escape(f.text)}</li>" for f in items
    )
    return f"<ul>{lis}</ul>"
