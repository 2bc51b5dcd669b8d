"""Why a status changed since a past date: new years of data, or revised old years.

In: every stored row (all vintages), an as-of date, a review window, the settings. Out:
one row per country × indicator with the status computed from the data known on the date
(:func:`mtr_analysis.analysis.vintages.as_of`), the status from today's data for the same
window, and the cause of any change (:func:`revision_effect`); the revised values
themselves, year by year (:func:`revised_values`); and the as-of assessment in the shape of
the normal one (:func:`assess_as_of`), for the review-to-review comparison.

Attribution (issue 13, item 2). Three statuses are computed with the same method and window:

* ``status_as_of``: the as-of data;
* ``status_revised_only``: today's values, but only for the years the as-of data had
  (old years as revised, no new years);
* ``status_today``: today's data.

The change from ``status_as_of`` to ``status_revised_only`` is due to revisions of old
years; the change from ``status_revised_only`` to ``status_today`` is due to new years of
data. ``cause`` is ``unchanged``, ``revision``, ``new_data`` or ``revision_and_new_data``
(both steps change the status).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from mtr_analysis.analysis import gaps, trends, vintages
from mtr_analysis.analysis.review import load_review
from mtr_analysis.intake import store
from mtr_analysis.intake.clean import vintage_date
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.settings import Settings, default_settings

#: Causes of a status change, in the order of :func:`revision_effect`'s rule.
CAUSES = ("unchanged", "revision", "new_data", "revision_and_new_data")
#: Columns of :func:`revision_effect`.
EFFECT_COLUMNS = [
    "country", "indicator", "status_as_of", "status_revised_only", "status_today",
    "changed", "cause", "revised", "revised_years", "new_years",
]  # fmt: skip
#: Columns of :func:`revised_values`.
REVISED_COLUMNS = [
    "country", "indicator", "year", "old_value", "new_value", "old_vintage", "new_vintage",
    "old_source", "new_source",
]  # fmt: skip
_KEY = ["country", "indicator", "year"]


def review_data_date(review: str, catalogue: Catalogue | None = None) -> str:
    """The data date of ``review`` (key ``data_date`` in the reviews of
    ``config/ascc_framework.yaml``): what the review could have known.

    Raises
    ------
    ValueError
        For an unknown review, or one without a ``data_date``.
    """
    settings = (catalogue or load_catalogue()).review(review)
    if not settings.get("data_date"):
        raise ValueError(
            f"review {review!r} has no data_date in config/ascc_framework.yaml; "
            "pass an as-of date (YYYY-MM-DD)"
        )
    return vintages.parse_date(str(settings["data_date"])).isoformat()


def assess_as_of(
    data_dir: Path | str,
    date: str | dt.date | None = None,
    review: str = "mid-term",
    countries: list[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The assessment of ``review`` as it could have been computed on ``date``.

    Same frame as ``load_review(...).assessment`` (status, robustness columns, …), from the
    vintages released by ``date`` only; ``date=None`` takes the review's ``data_date``
    (:func:`review_data_date`, 2020-10-01 for the mid-term review).
    """
    cat = load_catalogue()
    window = cat.review(review)
    day = vintages.parse_date(date) if date else review_data_date(review, cat)
    data = load_review(
        data_dir, int(window["baseline_year"]), int(window["cutoff_year"]), countries,
        review, settings, as_of=str(day),
    )  # fmt: skip
    return data.assessment


def _window_obs(obs_all: pd.DataFrame, countries: list[str], cutoff: int) -> pd.DataFrame:
    """Selected totals of ``countries`` up to ``cutoff``, as :func:`load_review` keeps them."""
    obs = store.for_analysis(obs_all)
    keep = obs["country"].isin(countries) & obs["year"].le(cutoff)
    return obs.loc[keep].reset_index(drop=True)


def _status(
    obs: pd.DataFrame, cat: Catalogue, countries: list[str], window: tuple[int, int],
    settings: Settings,
) -> pd.Series:  # fmt: skip
    """Status per (country, indicator) of the whole grid, as :func:`load_review` computes it."""
    avail = gaps.availability(
        obs, baseline_year=window[0], cutoff_year=window[1], countries=countries,
        indicators=list(cat.indicators.index), settings=settings,
    )  # fmt: skip
    out = trends.assess(avail, cat, obs=obs, settings=settings)
    return out.set_index(["country", "indicator"])["status"].astype(str)


def revised_values(then: pd.DataFrame, now: pd.DataFrame) -> pd.DataFrame:
    """Values of one year known both then and now that differ (beyond floating noise).

    Parameters
    ----------
    then, now : pandas.DataFrame
        Analysis observations (one value per country × indicator × year).

    Returns
    -------
    pandas.DataFrame
        :data:`REVISED_COLUMNS`, vintages as ``YYYY-MM-DD`` (``""`` when undated).
    """
    cols = [*_KEY, "value", "source"]
    pairs = then[cols].merge(now[cols], on=_KEY, suffixes=("_old", "_new"))
    rel = store.relative_difference(pairs["value_new"], pairs["value_old"])
    pairs = pairs.loc[rel > store.SAME_SOURCE_LIMIT].reset_index(drop=True)
    out = pairs[_KEY].copy()
    out["old_value"], out["new_value"] = pairs["value_old"], pairs["value_new"]
    for side in ("old", "new"):
        day = vintage_date(pairs[f"source_{side}"])
        out[f"{side}_vintage"] = day.dt.strftime("%Y-%m-%d").fillna("")
        out[f"{side}_source"] = pairs[f"source_{side}"].astype(str)
    return out[REVISED_COLUMNS].sort_values(_KEY).reset_index(drop=True)


def _years_text(frame: pd.DataFrame) -> pd.Series:
    """``"2015, 2016"`` per (country, indicator) of the years in ``frame``."""
    if frame.empty:
        return pd.Series(dtype=str)
    return frame.groupby(["country", "indicator"])["year"].agg(
        lambda ys: ", ".join(str(int(y)) for y in sorted(set(ys)))
    )


def _cause(then: pd.Series, middle: pd.Series, now: pd.Series) -> np.ndarray:
    """One of :data:`CAUSES` per row (see the module docstring)."""
    by_revision, by_new = then.ne(middle), middle.ne(now)
    return np.select(
        [then.eq(now), by_revision & by_new, by_revision, by_new],
        ["unchanged", "revision_and_new_data", "revision", "new_data"],
        default="unchanged",
    )


def revision_effect(
    obs_all: pd.DataFrame,
    date: str | dt.date,
    review: str,
    settings: Settings | None = None,
    countries: list[str] | None = None,
    priority: store.Priority | None = None,
) -> pd.DataFrame:
    """Status then vs now per country × indicator, and whether revisions or new data moved it.

    Parameters
    ----------
    obs_all : pandas.DataFrame
        Every stored row (all vintages).
    date : str or datetime.date
        The as-of date (``YYYY-MM-DD``).
    review : str
        Review whose window (baseline and cut-off years) both statuses use.
    settings : Settings, optional
        Method settings (default ``config/methods.yaml``).
    countries : list of str, optional
        ISO3 codes; default every member state.
    priority : Priority, optional
        The store's source priority (:func:`mtr_analysis.analysis.vintages.store_priority`).

    Returns
    -------
    pandas.DataFrame
        :data:`EFFECT_COLUMNS`: the three statuses, ``changed`` (then ≠ now), ``cause``
        (:data:`CAUSES`), ``revised`` (a value of a year known then differs now),
        ``revised_years`` and ``new_years`` (years up to the cut-off, comma-separated,
        including years before the baseline that a regression method may fit). The values
        themselves: :func:`revised_values`.
    """
    settings = settings or default_settings()
    cat = load_catalogue()
    countries = list(countries or registry.iso3_codes())
    spec = cat.review(review)
    window = (int(spec["baseline_year"]), int(spec["cutoff_year"]))
    then = _window_obs(vintages.as_of(obs_all, date, priority, cat), countries, window[1])
    now = _window_obs(obs_all, countries, window[1])
    known = now.merge(then[_KEY], on=_KEY, how="inner")
    statuses = {
        "status_as_of": _status(then, cat, countries, window, settings),
        "status_revised_only": _status(known, cat, countries, window, settings),
        "status_today": _status(now, cat, countries, window, settings),
    }
    out = pd.DataFrame(statuses)
    out["changed"] = out["status_as_of"].ne(out["status_today"])
    out["cause"] = _cause(*(out[c] for c in statuses))
    revised = _years_text(revised_values(then, now))
    new = now.merge(then[_KEY], on=_KEY, how="left", indicator=True)
    added = _years_text(new.loc[new["_merge"].eq("left_only")])
    out["revised_years"] = revised.reindex(out.index).fillna("")
    out["revised"] = out["revised_years"].ne("")
    out["new_years"] = added.reindex(out.index).fillna("")
    return out.reset_index()[EFFECT_COLUMNS]
