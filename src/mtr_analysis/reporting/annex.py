"""The annex tables of a report: parameters and method settings, input files, software.

Each function returns a plain DataFrame that :func:`mtr_analysis.reporting.html.table`
shows; together they let a reader trace a report to its inputs and code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from mtr_analysis import provenance
from mtr_analysis.analysis.review import ReviewData
from mtr_analysis.paths import OBSERVATIONS_FILE
from mtr_analysis.settings import Settings, settings_rows


def parameters_table(params: Mapping[str, Any], settings: Settings | None = None) -> pd.DataFrame:
    """The notebook's parameters, then the method settings, as ``parameter`` / ``value`` rows.

    Parameters
    ----------
    params : mapping
        Parameter name → value (lists joined by commas).
    settings : mtr_analysis.settings.Settings, optional
        The method settings the report used: one row per dotted key
        (:func:`mtr_analysis.settings.settings_rows`, e.g. ``availability.stale_after``),
        preceded by the progress method and its edition (the UNSD Progress Chart technical
        note or ESCAP's SDG Progress Report technical notes); its thresholds are the keys
        of its section (``unsd.thresholds``, ``escap.maintain_ratio`` …).
    """
    rows = [
        (str(k), ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v))
        for k, v in params.items()
    ]
    if settings is not None:
        method = settings.assessment.method
        rows.append(("progress method", method))
        rows.append(("method edition", settings.method_edition()))
        rows += settings_rows(settings)  # the method's thresholds are its section's keys
    return pd.DataFrame(rows, columns=["parameter", "value"])


def provenance_table(data_dir: Path | str, files: Iterable[str] | None = None) -> pd.DataFrame:
    """Input files behind the store with format, counts and SHA-256 (from ``intake.json``).

    Parameters
    ----------
    data_dir : path-like
        Store folder.
    files : iterable of str, optional
        Keep only these files (paths as in the store's ``file`` column), e.g. the files a
        country's values come from.
    """
    cols = ["file", "format", "records_read", "accepted", "sha256"]
    records = provenance.read_intake(data_dir)
    if not records:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(records)
    df = df.loc[df["accepted"] > 0].rename(columns={"path": "file"})
    if files is not None:
        df = df.loc[df["file"].isin(set(map(str, files)))]
    return df[cols].sort_values("file", kind="stable").reset_index(drop=True)


def environment_table(
    data_dir: Path | str | None = None, country: str | None = None, data: ReviewData | None = None
) -> pd.DataFrame:
    """Python and package versions, git commit and data checksums for the report annex.

    Parameters
    ----------
    data_dir : path-like, optional
        Store folder; adds the SHA-256 of ``observations.parquet``.
    country : str, optional
        With ``data``: adds the hash of the country's rows (the data part of the cache key).
    data : ReviewData, optional

    Returns
    -------
    pandas.DataFrame
        ``item``, ``version``.
    """
    rows = list(provenance.package_versions().items())
    rows.append(("git commit", provenance.git_commit()))
    if data is not None and data.store_sha256:
        rows.append((OBSERVATIONS_FILE + " sha256", data.store_sha256))
    elif data_dir is not None and (Path(data_dir) / OBSERVATIONS_FILE).exists():
        rows.append((OBSERVATIONS_FILE + " sha256", provenance.file_sha256(Path(data_dir) / OBSERVATIONS_FILE)))  # fmt: skip
    if country is not None and data is not None and country in data.country_hashes:
        rows.append((f"{country} data hash", data.country_hashes[country]))
    if data is not None and data.as_of is not None:
        # An as-of review must say which data it could see: the date, the rule, what was left out.
        a = data.as_of
        rows.append(("as of", f"{a.date}: data vintages released by then only"))
        rows.append(("as of: newest vintage used", a.newest_vintage or "–"))
        rows.append(("as of: values left out (released later, undated)",
                     f"{a.rows_later}, {a.rows_undated}"))  # fmt: skip
    return pd.DataFrame(rows, columns=["item", "version"])
