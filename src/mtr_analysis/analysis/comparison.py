"""Review-to-review comparison: what changed between the mid-term and the end-term review.

Comes in: two assessment frames of the same store (``ReviewData.assessment`` of
:func:`mtr_analysis.analysis.review.load_review`, one row per country × indicator with
``status`` and the ``gap_category`` of :func:`mtr_analysis.analysis.gaps.availability`), and
optionally a third, the mid-term review *as it could have been computed then* (only the data
vintages released by the mid-term date). Goes out: one row per country × indicator
(:func:`compare`), transition counts and matrices per characteristic
(:func:`transition_counts`, :func:`transition_matrix`). :func:`review_comparison` is the one
call the end-term notebooks and the runner make: it derives the mid-term review from the
end-term review's observations (no second read of the store, :func:`mid_term_review`) and
compares the two. Nothing here formats or writes anything.

Columns of :func:`compare` (and of ``comparison.csv``, :data:`COMPARISON_COLUMNS`)
---------------------------------------------------------------------------------
``country``, ``indicator``
    The pair (regional rows, when an assessment has them, keep their own ``country`` code).
``characteristic``, ``element``
    Blueprint structure of the indicator (from the end-term frame, else the mid-term one).
``status_mid_term``, ``status_end_term``
    Status codes of :data:`mtr_analysis.analysis.status.STATUS_ORDER`; a pair missing from
    one frame counts as ``no_data`` there.
``transition``
    One of :data:`TRANSITIONS`. Both statuses assessable
    (:data:`~mtr_analysis.analysis.status.ASSESSABLE`): ``improved`` when the end-term status
    comes earlier in ``STATUS_ORDER`` (best first, which is each method's own ordinal order:
    UNSD target met > on track > moderate > marginal > stagnation > regression; ESCAP
    maintain > accelerate > reverse), ``worsened`` when later, ``unchanged`` when equal.
    ``newly_assessable``: not assessable at mid-term, assessable at end-term;
    ``no_longer_assessable``: the reverse; ``unchanged`` when assessable in neither review.
``gap_mid_term``, ``gap_end_term``
    ``gap_category`` of each review (:data:`~mtr_analysis.analysis.gaps.GAP_CATEGORIES`).
``gap_change``
    One of :data:`GAP_CHANGES`: ``closed`` when the pair was a data gap at mid-term
    (:data:`DATA_GAPS`: no data, a single point or no recent value) and is ``sufficient`` at
    end-term; ``opened`` for the reverse; ``none`` otherwise.
``status_mid_term_then``, ``change_source`` (only with ``mid_term_then``)
    The mid-term status computed from the vintages of the mid-term date, and
    :data:`CHANGE_SOURCES`: ``revision`` when ``status_mid_term_then`` differs from
    ``status_mid_term`` (the same years, revised values), ``new_data`` when
    ``status_mid_term`` differs from ``status_end_term`` (years added after the mid-term
    cut-off), ``both`` when both differ, ``none`` when neither does.

Examples
--------
>>> import pandas as pd
>>> mid = pd.DataFrame({"country": ["VNM"], "indicator": ["a"], "status": ["stagnation"],
...                     "gap_category": ["stale"]})
>>> end = mid.assign(status="on_track", gap_category="sufficient")
>>> compare(mid, end)[["transition", "gap_change"]].iloc[0].tolist()
['improved', 'closed']
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from mtr_analysis.analysis import gaps, revision_effect, trends
from mtr_analysis.analysis.gaps import GAP_CATEGORIES
from mtr_analysis.analysis.review import ReviewData
from mtr_analysis.analysis.status import ASSESSABLE, STATUS_ORDER
from mtr_analysis.intake.clean import vintage_date
from mtr_analysis.intake.derive import DERIVED_FLAG
from mtr_analysis.intake.schema import require_columns

#: Review compared by :func:`review_comparison`, per review (the end-term review relates to
#: the mid-term review; other reviews have no earlier review to compare with).
COMPARED_WITH: dict[str, str] = {"end-term": "mid-term"}

#: Values of the ``transition`` column, in the order tables and charts show them.
TRANSITIONS: tuple[str, ...] = (
    "improved",
    "unchanged",
    "worsened",
    "newly_assessable",
    "no_longer_assessable",
)
#: Values of the ``gap_change`` column.
GAP_CHANGES: tuple[str, ...] = ("closed", "opened", "none")
#: Values of the ``change_source`` column (with a ``mid_term_then`` assessment).
CHANGE_SOURCES: tuple[str, ...] = ("none", "new_data", "revision", "both")
#: Gap categories that are a data gap (the same as the findings' data gaps): every category
#: of :data:`~mtr_analysis.analysis.gaps.GAP_CATEGORIES` except ``sufficient``.
DATA_GAPS: frozenset[str] = frozenset(GAP_CATEGORIES) - {"sufficient"}

#: Columns of :func:`compare` without ``mid_term_then``, in order.
COMPARISON_COLUMNS: list[str] = [
    "country",
    "indicator",
    "characteristic",
    "element",
    "status_mid_term",
    "status_end_term",
    "transition",
    "gap_mid_term",
    "gap_end_term",
    "gap_change",
]
#: Columns :func:`compare` appends when given ``mid_term_then``.
THEN_COLUMNS: list[str] = ["status_mid_term_then", "change_source"]

_KEYS = ["country", "indicator"]
_RANK = {status: rank for rank, status in enumerate(STATUS_ORDER)}


def _check_frame(frame: pd.DataFrame, name: str, gap: bool = True) -> pd.DataFrame:
    """The key, status (and gap) columns of ``frame``, checked: known statuses, unique pairs."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame, got {type(frame).__name__}")
    needed = (*_KEYS, "status", *(("gap_category",) if gap else ()))
    require_columns(frame, needed, name)
    out = frame.loc[:, [c for c in frame.columns if c in (*needed, "characteristic", "element")]]
    out = out.assign(country=out["country"].astype(str), indicator=out["indicator"].astype(str))
    unknown = sorted(set(out["status"].astype(str)) - set(STATUS_ORDER))
    if unknown:
        raise ValueError(
            f"{name}: unknown status {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(STATUS_ORDER)}"
        )
    twice = out.duplicated(_KEYS)
    if twice.any():
        first = out.loc[twice].iloc[0]
        raise ValueError(
            f"{name}: country × indicator {first['country']} × {first['indicator']} "
            f"appears more than once"
        )
    return out


def transitions(status_from: pd.Series, status_to: pd.Series) -> np.ndarray:
    """The ``transition`` of each pair of statuses (rules in the module docstring).

    Parameters
    ----------
    status_from, status_to : pandas.Series
        Status codes (:data:`~mtr_analysis.analysis.status.STATUS_ORDER`), aligned.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`TRANSITIONS` per pair.
    """
    a = status_from.astype(str).to_numpy()
    b = status_to.astype(str).to_numpy()
    ok_a = np.isin(a, list(ASSESSABLE))
    ok_b = np.isin(b, list(ASSESSABLE))
    rank_a = np.array([_RANK[s] for s in a], dtype=np.int64)
    rank_b = np.array([_RANK[s] for s in b], dtype=np.int64)
    both = ok_a & ok_b
    return np.select(
        [both & (rank_b < rank_a), both & (rank_b > rank_a), ~ok_a & ok_b, ok_a & ~ok_b],
        ["improved", "worsened", "newly_assessable", "no_longer_assessable"],
        default="unchanged",
    )


def _gap_change(gap_from: pd.Series, gap_to: pd.Series) -> np.ndarray:
    """``closed`` (gap → sufficient), ``opened`` (sufficient → gap) or ``none``."""
    was_gap = gap_from.isin(DATA_GAPS).to_numpy()
    is_gap = gap_to.isin(DATA_GAPS).to_numpy()
    was_ok = gap_from.eq("sufficient").to_numpy()
    is_ok = gap_to.eq("sufficient").to_numpy()
    return np.select([was_gap & is_ok, was_ok & is_gap], ["closed", "opened"], default="none")


def _structure(mid: pd.DataFrame, end: pd.DataFrame, merged: pd.DataFrame) -> pd.DataFrame:
    """``characteristic`` and ``element`` of each merged pair: end-term's, else mid-term's."""
    for col in ("characteristic", "element"):
        values = pd.Series("", index=merged.index, dtype=object)
        for frame in (mid, end):  # end-term last: its structure wins
            if col in frame:
                found = merged[_KEYS].merge(frame[[*_KEYS, col]], on=_KEYS, how="left")[col]
                found.index = merged.index
                values = found.where(found.notna() & found.astype(str).ne(""), values)
        merged[col] = values.astype(str)
    return merged


def compare(
    mid_term: pd.DataFrame,
    end_term: pd.DataFrame,
    mid_term_then: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Mid-term and end-term status side by side per country × indicator, with the change.

    Parameters
    ----------
    mid_term, end_term : pandas.DataFrame
        Assessments of the two reviews (``country``, ``indicator``, ``status``,
        ``gap_category``; ``characteristic`` and ``element`` when present), as
        ``ReviewData.assessment``. Regional rows are compared like any other ``country``.
    mid_term_then : pandas.DataFrame, optional
        The mid-term assessment computed from the data vintages released by the mid-term
        date (``country``, ``indicator``, ``status``). Adds :data:`THEN_COLUMNS`; a pair
        it lacks counts as ``no_data``.

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS` (then :data:`THEN_COLUMNS`), one row per pair of either
        frame, sorted by country then indicator; rules in the module docstring.

    Raises
    ------
    TypeError, ValueError
        A frame that is not a DataFrame, lacks a column, holds an unknown status or a
        country × indicator twice (the message names the frame and the pair).
    """
    mid = _check_frame(mid_term, "mid_term")
    end = _check_frame(end_term, "end_term")
    merged = mid[[*_KEYS, "status", "gap_category"]].merge(
        end[[*_KEYS, "status", "gap_category"]], on=_KEYS, how="outer", suffixes=("_m", "_e")
    )
    # A pair one review lacks (e.g. an indicator added to the catalogue) had no data there.
    merged = merged.fillna("no_data").sort_values(_KEYS, kind="stable").reset_index(drop=True)
    merged = _structure(mid, end, merged)
    out = pd.DataFrame(
        {
            "country": merged["country"],
            "indicator": merged["indicator"],
            "characteristic": merged["characteristic"],
            "element": merged["element"],
            "status_mid_term": merged["status_m"].astype(str),
            "status_end_term": merged["status_e"].astype(str),
            "transition": transitions(merged["status_m"], merged["status_e"]),
            "gap_mid_term": merged["gap_category_m"].astype(str),
            "gap_end_term": merged["gap_category_e"].astype(str),
            "gap_change": _gap_change(merged["gap_category_m"], merged["gap_category_e"]),
        }
    )
    if mid_term_then is not None:
        out = _with_then(out, _check_frame(mid_term_then, "mid_term_then", gap=False))
    return out


def _with_then(out: pd.DataFrame, then: pd.DataFrame) -> pd.DataFrame:
    """``out`` with ``status_mid_term_then`` and ``change_source`` (module docstring)."""
    status = out[_KEYS].merge(then[[*_KEYS, "status"]], on=_KEYS, how="left")["status"]
    status = status.fillna("no_data").astype(str).to_numpy()
    revised = status != out["status_mid_term"].to_numpy()
    new_years = out["status_mid_term"].to_numpy() != out["status_end_term"].to_numpy()
    source = np.select(
        [revised & new_years, revised, new_years], ["both", "revision", "new_data"], "none"
    )
    return out.assign(status_mid_term_then=status, change_source=source)


def transition_counts(comparison: pd.DataFrame, by: str = "characteristic") -> pd.DataFrame:
    """Pairs per transition and data gaps closed and opened, per group.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`compare`.
    by : {"characteristic", "element", "country"}

    Returns
    -------
    pandas.DataFrame
        Column ``by`` then one column per :data:`TRANSITIONS` and ``gaps_closed``,
        ``gaps_opened`` (counts of pairs), one row per group in sorted order.
    """
    if by not in ("characteristic", "element", "country"):
        raise ValueError(f"by must be 'characteristic', 'element' or 'country'; got {by!r}")
    require_columns(comparison, (by, "transition", "gap_change"), "comparison")
    counts = pd.crosstab(comparison[by].astype(str), comparison["transition"].astype(str))
    counts = counts.reindex(columns=list(TRANSITIONS), fill_value=0)
    change = comparison["gap_change"].astype(str)
    groups = comparison[by].astype(str)
    counts["gaps_closed"] = change.eq("closed").groupby(groups).sum()
    counts["gaps_opened"] = change.eq("opened").groupby(groups).sum()
    counts = counts.sort_index().astype("int64")
    counts.columns.name = None
    return counts.rename_axis(by).reset_index()


def transition_matrix(comparison: pd.DataFrame, characteristic: str | None = None) -> pd.DataFrame:
    """Counts of pairs by mid-term status (rows) × end-term status (columns).

    Parameters
    ----------
    comparison : pandas.DataFrame
        Output of :func:`compare`.
    characteristic : str, optional
        Keep the pairs of this characteristic (default: every pair).

    Returns
    -------
    pandas.DataFrame
        Square, index ``status_mid_term`` and columns ``status_end_term``, both in
        :data:`~mtr_analysis.analysis.status.STATUS_ORDER`; int64 counts (0 where none).
        The diagonal holds unchanged statuses; above it (later end-term status) worsened.
    """
    require_columns(comparison, ("status_mid_term", "status_end_term"), "comparison")
    rows = comparison
    if characteristic is not None:
        require_columns(comparison, ("characteristic",), "comparison")
        rows = comparison.loc[comparison["characteristic"].astype(str) == str(characteristic)]
    matrix = pd.crosstab(rows["status_mid_term"].astype(str), rows["status_end_term"].astype(str))
    matrix = matrix.reindex(index=STATUS_ORDER, columns=STATUS_ORDER, fill_value=0)
    matrix.index.name, matrix.columns.name = "status_mid_term", "status_end_term"
    return matrix.astype("int64")


def mid_term_review(data: ReviewData, review: str = "mid-term") -> ReviewData:
    """The earlier review of the same store, from the observations already in ``data``.

    The end-term review's observations hold every selected value up to its cut-off; those
    up to the earlier review's cut-off are exactly what ``load_review`` would read for it
    (the same rows of the same store), so availability and assessment are recomputed from
    them with the same settings, without reading the store again.

    Parameters
    ----------
    data : ReviewData
        A later review (the end-term review).
    review : str
        Name of the earlier review; its window comes from the catalogue's ``reviews``
        (``config/ascc_framework.yaml``).

    Returns
    -------
    ReviewData
        The earlier review: ``observations``, ``availability`` and ``assessment`` (the
        columns of :func:`mtr_analysis.analysis.trends.assess`, without the robustness
        columns, which need every vintage of the store) for the member states of ``data``.

    Raises
    ------
    ValueError
        When ``review`` is unknown or its cut-off is after the cut-off of ``data``.
    """
    window = data.catalogue.review(review)
    baseline, cutoff = int(window["baseline_year"]), int(window["cutoff_year"])
    if cutoff > data.cutoff_year:
        raise ValueError(
            f"the {review} review (cut-off {cutoff}) is not earlier than the {data.review} "
            f"review (cut-off {data.cutoff_year})"
        )
    obs = data.observations.loc[data.observations["year"].le(cutoff)].reset_index(drop=True)
    avail = gaps.availability(
        obs,
        baseline_year=baseline,
        cutoff_year=cutoff,
        countries=data.countries,
        indicators=list(data.catalogue.indicators.index),
        settings=data.settings,
    )
    assessment = trends.assess(avail, data.catalogue, obs=obs, settings=data.settings)
    return replace(
        data,
        observations=obs,
        availability=avail,
        assessment=assessment,
        baseline_year=baseline,
        cutoff_year=cutoff,
        review=review,
    )


def review_comparison(
    data: ReviewData, mid_term_then: pd.DataFrame | None = None, with_revisions: bool = True
) -> pd.DataFrame | None:
    """:func:`compare` of ``data``'s earlier review (:data:`COMPARED_WITH`) with ``data``.

    The one call the end-term notebooks and the runner's ``comparison.csv`` make.

    Parameters
    ----------
    data : ReviewData
        The end-term review.
    mid_term_then : pandas.DataFrame, optional
        The mid-term assessment from the vintages released by the mid-term date (see
        :func:`compare`); default :func:`earlier_review_then` when ``with_revisions``.
    with_revisions : bool
        Compute ``mid_term_then`` when not given (one more read and assessment of the
        store), so the comparison tells revisions from new data.

    Returns
    -------
    pandas.DataFrame or None
        :func:`compare`'s frame; ``None`` when ``data.review`` has no earlier review.
    """
    earlier = COMPARED_WITH.get(data.review)
    if earlier is None:
        return None
    mid = mid_term_review(data, earlier)
    if mid_term_then is None and with_revisions:
        mid_term_then = earlier_review_then(data, earlier)
    if mid_term_then is not None:
        mid_term_then = _undated_as_known(mid_term_then, mid, earlier)
    return compare(mid.assessment, data.assessment, mid_term_then)


def _undated_as_known(then: pd.DataFrame, mid: ReviewData, earlier: str) -> pd.DataFrame:
    """``then`` with the recomputed earlier status for pairs whose values have no release date.

    An as-of store leaves out values without a release date (a WDI file without its "Last
    Updated" line, a WHO CSV export): whether they were known at the earlier review cannot
    be told. Such a pair keeps the status recomputed on today's data, so a change is put
    down to a revision only on dated evidence.
    """
    obs = mid.observations
    undated = vintage_date(obs["source"]).isna() & obs["flag"].astype(str).ne(DERIVED_FLAG)
    pairs = obs.loc[undated, _KEYS].drop_duplicates()
    if pairs.empty:
        return then
    now = mid.assessment.set_index(_KEYS)["status"]
    out = then.set_index(_KEYS)
    hit = out.index.intersection(pd.MultiIndex.from_frame(pairs)).intersection(now.index)
    out.loc[hit, "status"] = now.loc[hit].astype(str).to_numpy()
    return out.reset_index()


def earlier_review_then(data: ReviewData, earlier: str) -> pd.DataFrame:
    """The ``earlier`` review's assessment as it could have been computed on its data date.

    Only the vintages released by the review's ``data_date`` (2020-10-01 for the mid-term
    review; :func:`~mtr_analysis.analysis.revision_effect.assess_as_of`), or by ``data``'s
    own as-of date when that is earlier. Compared with the earlier review recomputed on
    today's data, it separates status changes due to revised old years from those due to
    new years (:func:`compare`'s ``change_source``).
    """
    date = revision_effect.review_data_date(earlier)
    if data.as_of is not None:
        date = min(str(date), str(data.as_of.date))
    return revision_effect.assess_as_of(
        data.data_dir, date, earlier, list(data.countries), data.settings
    )
