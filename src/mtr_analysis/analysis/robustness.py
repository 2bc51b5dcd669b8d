"""How robust each status is: the same series judged by every method, baseline and vintage.

In: the observations of a review, the catalogue, the review window and the settings (and
optionally the observations as an earlier data vintage would have given them). Out: one row
per country × indicator with its status under each method (``status_unsd``,
``status_escap``, ``status_ols``), under the chosen method with the baseline year moved by
−1 and +1 (``status_baseline_minus1``, ``status_baseline_plus1``), under an earlier vintage
(``status_vintage``, empty where the store holds none) and the ``robustness`` code of
:data:`mtr_analysis.analysis.status.ROBUSTNESS_ORDER`.

Statuses are compared by group (on track / needs acceleration / regressing, see
:func:`mtr_analysis.analysis.status.status_group`) because the methods have their own
labels (ESCAP's "maintain progress" is UNSD's "on track"). A method that cannot judge a
series (no target for ESCAP, too few points in the window for OLS) does not count as a
disagreement. Each variant is one vectorised :func:`~mtr_analysis.analysis.trends.assess`
call on the whole grid, so the cost is six assessments, not a loop over series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mtr_analysis.analysis import gaps, trends
from mtr_analysis.analysis.status import NOT_ASSESSABLE, status_group
from mtr_analysis.intake.clean import vintage_date
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import Settings

#: Columns of :func:`robustness` after ``country`` and ``indicator``.
ROBUSTNESS_COLUMNS: list[str] = [
    "status_unsd",
    "status_escap",
    "status_ols",
    "status_baseline_minus1",
    "status_baseline_plus1",
    "status_vintage",
    "robustness",
]


def earlier_vintage(obs_all: pd.DataFrame) -> pd.DataFrame | None:
    """The store without the newest vintage of every series that has an older one.

    Parameters
    ----------
    obs_all : pandas.DataFrame
        Every stored row (``country``, ``indicator``, ``source`` with a release date).

    Returns
    -------
    pandas.DataFrame or None
        The rows left (to pass through ``store.for_analysis``); None when no series has
        two dated vintages.
    """
    vintage = vintage_date(obs_all["source"])
    key = [obs_all["country"].astype(str), obs_all["indicator"].astype(str)]
    frame = pd.DataFrame({"v": vintage}, index=obs_all.index)
    newest = frame.groupby(key)["v"].transform("max")
    distinct = frame.groupby(key)["v"].transform("nunique")
    drop = (distinct >= 2) & frame["v"].eq(newest)
    if not drop.any():
        return None
    return obs_all.loc[~drop]


def robustness(
    obs: pd.DataFrame,
    catalogue: Catalogue,
    countries: list[str],
    baseline_year: int,
    cutoff_year: int,
    settings: Settings,
    vintage_obs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Status of every country × indicator under each method, baseline ±1 and vintage.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations used by the review (one value per country × indicator × year).
    catalogue : Catalogue
    countries : list of str
    baseline_year, cutoff_year : int
        The review window.
    settings : Settings
        Method settings; ``assessment.method`` is the method of the baseline and vintage
        variants.
    vintage_obs : pandas.DataFrame, optional
        The observations as an earlier vintage gives them (same columns as ``obs``).

    Returns
    -------
    pandas.DataFrame
        ``country``, ``indicator`` and :data:`ROBUSTNESS_COLUMNS`, one row per pair of
        the grid, in the grid's order.
    """
    indicators = list(catalogue.indicators.index)

    def run(data: pd.DataFrame, base: int, method: str) -> pd.Series:
        avail = gaps.availability(
            data, baseline_year=base, cutoff_year=cutoff_year, countries=countries,
            indicators=indicators, settings=settings,
        )  # fmt: skip
        out = trends.assess(avail, catalogue, method=method, obs=data, settings=settings)
        return out.set_index(["country", "indicator"])["status"].astype(str)

    chosen = settings.assessment.method
    columns = {f"status_{m}": run(obs, baseline_year, m) for m in trends.METHODS}
    columns["status_baseline_minus1"] = run(obs, baseline_year - 1, chosen)
    columns["status_baseline_plus1"] = run(obs, baseline_year + 1, chosen)
    frame = pd.DataFrame(columns)
    if vintage_obs is not None:
        frame["status_vintage"] = run(vintage_obs, baseline_year, chosen)
    else:
        frame["status_vintage"] = ""
    frame["robustness"] = _codes(frame, f"status_{chosen}")
    return frame.reset_index()[["country", "indicator", *ROBUSTNESS_COLUMNS]]


def _groups(statuses: pd.Series) -> pd.Series:
    """Status group per row, ``""`` where the status judges nothing (or is absent)."""
    return statuses.map(lambda s: "" if not s or s in NOT_ASSESSABLE else status_group(s))


def _differs(reference: pd.Series, other: pd.Series) -> np.ndarray:
    """True where both judge progress and their groups differ."""
    return ((reference != "") & (other != "") & (reference != other)).to_numpy()


def _codes(frame: pd.DataFrame, chosen: str) -> np.ndarray:
    """Robustness code per row (``not_assessed`` first, then method, baseline, vintage)."""
    ref = _groups(frame[chosen])
    by_method = np.zeros(len(frame), dtype=bool)
    for m in trends.METHODS:
        by_method |= _differs(ref, _groups(frame[f"status_{m}"]))
    by_base = _differs(ref, _groups(frame["status_baseline_minus1"])) | _differs(
        ref, _groups(frame["status_baseline_plus1"])
    )
    by_vintage = _differs(ref, _groups(frame["status_vintage"]))
    return np.select(
        [ref.eq("").to_numpy(), by_method, by_base, by_vintage],
        ["not_assessed", "method_sensitive", "baseline_sensitive", "vintage_sensitive"],
        default="robust",
    )
