"""One review window, loaded and analysed: the data every report block starts from.

:func:`load_review` reads the store, keeps the member states' values up to the cut-off year
and computes data availability (:func:`mtr_analysis.analysis.gaps.availability`) and
progress (:func:`mtr_analysis.analysis.trends.assess`) on the full member state × catalogue
indicator grid. The notebooks call it once; the runner calls it once per run to write the
review tables and findings. Nothing here formats or writes anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis import provenance
from mtr_analysis.analysis import beneficiaries, gaps, memo, robustness, trends, vintages
from mtr_analysis.intake import store
from mtr_analysis.paths import OBSERVATIONS_FILE
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.settings import Settings, default_settings


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
        :func:`trends.assess` of ``availability``, then the columns of
        :func:`robustness.robustness` (``status_unsd`` … ``robustness``).
    catalogue : Catalogue
    countries : list of str
        ISO3 codes of the member states analysed.
    baseline_year, cutoff_year : int
        The review window.
    demo : bool
        True when any value comes from the synthetic demo inputs.
    data_dir : pathlib.Path
        The store folder.
    review : str
        Review name (``"mid-term"``, ``"end-term"``).
    store_sha256 : str
        SHA-256 of ``observations.parquet``.
    country_hashes : dict
        ISO3 → hash of the country's rows in the store and of the files they come from
        (:func:`mtr_analysis.provenance.country_data_hashes`).
    settings : mtr_analysis.settings.Settings
        The method settings the analysis used (thresholds, staleness, coverage rule).
    as_of : mtr_analysis.analysis.vintages.AsOfSummary or None
        Set when the review was loaded "as of" a date (vintages released by then only):
        the date and what was kept and left out; ``None`` for today's data.
    derived : dict
        Results computed from this review and kept with it (:func:`beneficiary_estimates`),
        keyed by what they were computed from: the runner computes them once and hands
        them to its kernels with the review.
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
    review: str = "mid-term"
    store_sha256: str = ""
    country_hashes: dict[str, str] = field(default_factory=dict)
    settings: Settings = field(default_factory=default_settings)
    as_of: vintages.AsOfSummary | None = None
    derived: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    def review_label(self, lang: str = "en") -> str:
        """Display name of the review ("Mid-term review (2020)")."""
        settings = self.catalogue.reviews.get(self.review, {})
        label = settings.get("label_vi" if lang == "vi" else "label")
        return str(label or self.review)


def load_review(
    data_dir: Path | str,
    baseline_year: int = 2015,
    cutoff_year: int = 2020,
    countries: list[str] | None = None,
    review: str = "mid-term",
    settings: Settings | None = None,
    as_of: str | None = None,
) -> ReviewData:
    """Read the store in ``data_dir`` and compute availability and assessment.

    Parameters
    ----------
    data_dir : path-like
        Folder written by ``mtr build``.
    baseline_year, cutoff_year : int
        The review window; values after the cut-off are left out everywhere.
    countries : list of str, optional
        ISO3 codes; default the 10 member states of the Blueprint 2025 reviews.
    review : str
        Name of the review (for labels only).
    settings : mtr_analysis.settings.Settings, optional
        Method settings (default: ``config/methods.yaml``): the staleness and baseline
        rules of the gaps, the progress method and its cut-offs.
    as_of : str, optional
        ``YYYY-MM-DD``: analyse the store as it stood on that date, with the vintages
        released by then only (:func:`mtr_analysis.analysis.vintages.as_of`); ``None``:
        every vintage (the newest wins).

    Returns
    -------
    ReviewData
    """
    settings = settings or default_settings()
    cat = load_catalogue()
    countries = list(countries or registry.iso3_codes())
    obs_all = store.read_store(data_dir)
    summary = None
    if as_of:
        priority = vintages.store_priority(data_dir)
        obs_all, summary = vintages.as_of_with_summary(obs_all, as_of, priority, cat)
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
        settings=settings,
    )
    assessment = _assess(avail, cat, obs, settings)
    assessment = _with_robustness(
        assessment, obs, obs_all, cat, countries, baseline_year, cutoff_year, settings
    )
    return ReviewData(
        observations=obs,
        availability=avail,
        assessment=assessment,
        catalogue=cat,
        countries=countries,
        baseline_year=int(baseline_year),
        cutoff_year=int(cutoff_year),
        demo=store.is_demo(obs_all),
        data_dir=Path(data_dir),
        review=review,
        store_sha256=provenance.file_sha256(Path(data_dir) / OBSERVATIONS_FILE),
        country_hashes=provenance.country_data_hashes(
            obs_all, provenance.read_intake(data_dir), countries=countries
        ),
        settings=settings,
        as_of=summary,
    )


def _assess(
    avail: pd.DataFrame, cat: Catalogue, obs: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """:func:`mtr_analysis.analysis.trends.assess` with the method and cut-offs of ``settings``.

    The regression methods (ESCAP, OLS) fit the observations; the UNSD method uses the two
    points of ``avail``, and the observations for the value in a passed target year and in
    the base year of a relative target. ESCAP fits data from ``escap.start_year`` on.
    """
    return trends.assess(avail, cat, obs=obs, settings=settings)


def _with_robustness(
    assessment: pd.DataFrame,
    obs: pd.DataFrame,
    obs_all: pd.DataFrame,
    cat: Catalogue,
    countries: list[str],
    baseline_year: int,
    cutoff_year: int,
    settings: Settings,
) -> pd.DataFrame:
    """``assessment`` with the columns of :func:`robustness.robustness` (status under each
    method, baseline ±1 and an earlier vintage; the ``robustness`` code) appended."""
    earlier = robustness.earlier_vintage(obs_all)
    vintage_obs = None
    if earlier is not None:
        vintage_obs = store.for_analysis(earlier)
        keep = vintage_obs["country"].isin(countries) & vintage_obs["year"].le(cutoff_year)
        vintage_obs = vintage_obs.loc[keep].reset_index(drop=True)
    table = robustness.robustness(
        obs, cat, countries, baseline_year, cutoff_year, settings, vintage_obs
    )
    merged = assessment.merge(table, on=["country", "indicator"], how="left", validate="1:1")
    merged.index = assessment.index
    return merged


def beneficiary_estimates(data: ReviewData) -> pd.DataFrame:
    """:func:`mtr_analysis.analysis.beneficiaries.estimate` for every member state of the review.

    Computed once per set of assessment rows and kept in ``data.derived``: the key hashes
    the columns the estimate reads, row order aside, so a review regrouped by a framework
    (same rows, other order) finds it too; each estimate depends on its own row only, and
    the rows come back in this review's assessment order, as a fresh call would give them.
    """
    used = ["country", "indicator", "baseline_year", "baseline_value", "latest_year",
            "latest_value"]  # fmt: skip
    rows = data.assessment[used].sort_values(["country", "indicator"], kind="stable")
    digest = pd.util.hash_pandas_object(rows, index=False).to_numpy().tobytes()
    key = "beneficiaries:" + hashlib.sha256(digest).hexdigest()
    if key not in data.derived:
        data.derived[key] = beneficiaries.estimate(
            data.assessment, data.observations, data.catalogue, settings=data.settings
        )
    est = data.derived[key]
    pairs = pd.MultiIndex.from_frame(data.assessment[["country", "indicator"]].astype(str))
    position = pd.Series(range(len(pairs)), index=pairs)
    own = position.reindex(pd.MultiIndex.from_frame(est[["country", "indicator"]].astype(str)))
    return est.iloc[own.to_numpy().argsort(kind="stable")].reset_index(drop=True)


def _canonical(arguments: dict) -> dict:
    """One spelling of a ``load_review`` call for the memo: the default member states
    listed in full are the default (the regional notebook lists them)."""
    countries = arguments.get("countries")
    if countries is not None and list(countries) == registry.iso3_codes():
        return {**arguments, "countries": None}
    return arguments


# The runner's warm kernels analyse a store once per run (off unless switched on there).
load_review = memo.remembered(load_review, canonical=_canonical)
