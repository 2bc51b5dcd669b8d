"""The review's machine-readable tables: ``assessment.csv`` and ``aggregates.csv``.

:func:`write_review_tables` writes them into a review's output folder (``mtr run`` calls it
for ``outputs/<review>/``). The bytes depend only on the data: rows in a fixed order, floats
with a fixed format, ``"\\n"`` line endings and UTF-8 without BOM, so two runs on the same
store give identical files that can be compared or checksummed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mtr_analysis.analysis.aggregates import regional_aggregates
from mtr_analysis.analysis.trends import ASSESSMENT_COLUMNS
from mtr_analysis.intake.schema import require_columns
from mtr_analysis.reference.catalogue import Catalogue

ASSESSMENT_FILE = "assessment.csv"
AGGREGATES_FILE = "aggregates.csv"

#: printf format of every float in the tables (6 significant digits).
FLOAT_FORMAT = "%.6g"


def assessment_table(
    assessment: pd.DataFrame, catalogue: Catalogue | pd.DataFrame, countries: Sequence[str]
) -> pd.DataFrame:
    """The rows and columns of ``assessment.csv``.

    Parameters
    ----------
    assessment : pandas.DataFrame
        Output of :func:`mtr_analysis.analysis.trends.assess`, one row per country × indicator.
    catalogue : Catalogue or pandas.DataFrame
        Gives the indicator order (catalogue order).
    countries : list of str
        Member states to keep (ISO3).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`mtr_analysis.analysis.trends.ASSESSMENT_COLUMNS` exactly, rows sorted by
        country code, then catalogue order of the indicator; index 0…n−1.

    Raises
    ------
    ValueError
        When a column is missing, an indicator is not in the catalogue or a country ×
        indicator pair appears twice.
    """
    require_columns(assessment, ASSESSMENT_COLUMNS, "assessment")
    table = catalogue.indicators if isinstance(catalogue, Catalogue) else catalogue
    order = pd.Index([str(i) for i in table.index])
    frame = assessment.loc[assessment["country"].astype(str).isin(set(countries))]
    rank = order.get_indexer(frame["indicator"].astype(str))
    if (rank < 0).any():
        bad = sorted(set(frame["indicator"].astype(str)[rank < 0]))
        raise ValueError(f"assessment has indicator(s) not in the catalogue: {', '.join(bad)}")
    if frame.duplicated(["country", "indicator"]).any():
        raise ValueError("assessment holds a country × indicator pair more than once")
    frame = frame.assign(_rank=rank).sort_values(["country", "_rank"], kind="stable")
    return frame[ASSESSMENT_COLUMNS].reset_index(drop=True)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic CSV bytes: :data:`FLOAT_FORMAT`, ``""`` for missing, ``"\\n"``, UTF-8.

    Negative zeros are written as ``0``.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == np.float64:
            out[column] = out[column] + 0.0  # -0.0 + 0.0 == +0.0
    text = out.to_csv(index=False, float_format=FLOAT_FORMAT, na_rep="", lineterminator="\n")
    return text.encode("utf-8")


def write_review_tables(
    obs: pd.DataFrame,
    avail: pd.DataFrame,
    assessment: pd.DataFrame,
    catalogue: Catalogue | pd.DataFrame,
    countries: Sequence[str],
    out_dir: Path | str,
) -> dict[str, Path]:
    """Write ``assessment.csv`` and ``aggregates.csv`` for one review into ``out_dir``.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations used for the review (member states, years up to the cut-off),
        including the ``x_population`` weight series.
    avail : pandas.DataFrame
        :func:`mtr_analysis.analysis.gaps.availability` on the member state × indicator grid; the
        assessment must hold exactly its pairs.
    assessment : pandas.DataFrame
        :func:`mtr_analysis.analysis.trends.assess` of ``avail``.
    catalogue : Catalogue or pandas.DataFrame
    countries : list of str
        The member states (ISO3) of the review.
    out_dir : pathlib.Path or str
        Folder of the review's outputs (created if needed), e.g. ``outputs/mid-term``.

    Returns
    -------
    dict of str to pathlib.Path
        ``{"assessment": …/assessment.csv, "aggregates": …/aggregates.csv}``.

    Raises
    ------
    ValueError
        When ``assessment`` and ``avail`` cover different country × indicator pairs, or
        on the errors of :func:`assessment_table` and
        :func:`mtr_analysis.analysis.aggregates.regional_aggregates`.

    Notes
    -----
    ``assessment.csv``: one row per country × indicator, the issue's columns in order
    (:data:`mtr_analysis.analysis.trends.ASSESSMENT_COLUMNS`), sorted by country then catalogue
    order. ``aggregates.csv``: :func:`mtr_analysis.analysis.aggregates.regional_aggregates` with
    population weights and the 2/3 coverage rule. Floats use ``%.6g``; missing values are
    empty cells.
    """
    require_columns(avail, ("country", "indicator"), "avail")
    keys_avail = set(zip(avail["country"].astype(str), avail["indicator"].astype(str), strict=True))
    keys_assess = set(
        zip(assessment["country"].astype(str), assessment["indicator"].astype(str), strict=True)
    )
    if keys_avail != keys_assess:
        raise ValueError(
            f"assessment and avail cover different country × indicator pairs "
            f"({len(keys_assess - keys_avail)} only in assessment, "
            f"{len(keys_avail - keys_assess)} only in avail)"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "assessment": assessment_table(assessment, catalogue, countries),
        "aggregates": regional_aggregates(obs, catalogue, countries),
    }
    paths = {"assessment": out_dir / ASSESSMENT_FILE, "aggregates": out_dir / AGGREGATES_FILE}
    for name, frame in tables.items():
        paths[name].write_bytes(to_csv_bytes(frame))
    return paths
