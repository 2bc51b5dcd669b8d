"""Data availability over a review window: what each country × indicator series can support.

:func:`availability` summarises every country × indicator pair of a grid (observations in
the window, baseline and latest points, gaps, source changes) and puts it in a
:data:`GAP_CATEGORIES` category. :func:`rollup` counts those categories per characteristic,
element, country or for the whole region, and :func:`regional_assessability` applies the
ESCAP selection rule (an indicator is assessed for the region only when more than
``escap.min_share`` of the member states have at least ``escap.min_points`` data points).
Thresholds (baseline tolerance, staleness, the ESCAP share and point count) come from the
method settings (:class:`mtr_analysis.settings.Settings`, ``config/methods.yaml``).

All functions are pure (DataFrame in, DataFrame out) and vectorised over series, so they
scale to hundreds of thousands of country × indicator pairs.

Rules of :func:`availability`
-----------------------------
Window: ``W = [b - τ, c]`` with ``b`` the requested baseline year, ``τ`` the settings'
``availability.baseline_tolerance`` and ``c`` the cut-off year; observations after ``c``
are ignored entirely.

Baseline (UNSD progress-chart rule "if 2015 is missing use the nearest year that still
gives two values", methods note 3.1): among the observed years ``y`` in ``W`` — and, when
the window holds two or more points, strictly before ``latest_year`` — take the one
minimising ``|y - b|``; on a tie the later year wins. A series with a single point in ``W``
gets that point as both baseline and latest.

Latest: the last observation in a year ``<= c``; when ``W`` is empty this may be an older
value (``n_obs`` is then 0 and the category ``"no_data"``). ``lag = c - latest_year``.

Categories, first match wins: ``"no_data"`` if ``n_obs = 0``; ``"single_point"`` if
``n_obs = 1``; ``"stale"`` if ``lag > stale_after`` (settings'
``availability.stale_after``); else ``"sufficient"``.

Longest gap: ``max_i (y_{i+1} - y_i - 1)`` over consecutive observed years in ``W`` (0 when
the years are consecutive or there is one point, ``<NA>`` without data). A break
(``has_break``) is a change of ``source`` or ``source_series`` between observations in
``W``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd

from mtr_analysis.intake.schema import require_columns
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import Settings, or_default

#: Categories of :func:`availability`, from most to least usable.
GAP_CATEGORIES: tuple[str, ...] = ("sufficient", "stale", "single_point", "no_data")

#: Output columns of :func:`availability`, in order.
AVAILABILITY_COLUMNS: list[str] = [
    "country",
    "indicator",
    "n_obs",
    "first_year",
    "latest_year",
    "latest_value",
    "lag",
    "baseline_year",
    "baseline_value",
    "longest_gap",
    "n_sources",
    "has_break",
    "gap_category",
]

#: Groupings accepted by :func:`rollup`.
ROLLUP_BY: tuple[str, ...] = ("characteristic", "element", "country", "region")

#: Label of the single group produced by ``rollup(..., by="region")``.
REGION_LABEL = "ASEAN"

_REQUIRED_OBS = ("country", "indicator", "year", "value", "source")
_REQUIRED_AVAIL = ("country", "indicator", "n_obs", "gap_category")


# --------------------------------------------------------------------------- validation
def _check_int(name: str, value: object, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _axis(observed: pd.Series, given: Iterable[str] | None, name: str) -> list[str]:
    """Grid axis: ``given`` de-duplicated in order, or the sorted distinct observed values."""
    if given is None:
        return sorted(str(v) for v in pd.unique(observed.dropna()))
    if isinstance(given, str):
        raise TypeError(f"{name} must be a list of codes, not a single string {given!r}")
    axis = list(dict.fromkeys(str(v) for v in given))
    if not axis:
        raise ValueError(f"{name} is empty: pass None for the codes found in obs")
    return axis


def _nullable_int(values: np.ndarray, valid: np.ndarray) -> pd.arrays.IntegerArray:
    """``Int64`` array holding ``values`` where ``valid`` and ``<NA>`` elsewhere."""
    data = np.where(valid, values, 0).astype(np.int64)
    return pd.arrays.IntegerArray(data, ~valid.astype(bool))


def axis_codes(values: pd.Series, axis: Sequence[str]) -> np.ndarray:
    """Position of each of ``values`` in ``axis`` (int64; -1 when absent or missing).

    Factorises ``values`` first, so the string lookup runs once per distinct value: fast
    on millions of rows of a few hundred codes.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return np.full(len(codes), -1, dtype=np.int64)
    lookup = pd.Index(list(axis)).get_indexer(pd.Index(uniques).astype(str))
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)], -1).astype(np.int64)


def _factor_codes(values: pd.Series) -> np.ndarray:
    """Integer code per row (missing values share the code of ``""``)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    codes = codes.astype(np.int64)
    missing = codes < 0
    if missing.any():
        empty = np.flatnonzero(pd.Index(uniques).astype(str) == "")
        codes[missing] = empty[0] if len(empty) else len(uniques)
    return codes


def _distinct_per_group(codes: np.ndarray, group: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Number of distinct ``codes`` per contiguous group (``group`` ids 0..k-1).

    Most groups hold one code: only groups where some row differs from the group's first
    row are counted exactly (by sorting their (group, code) pairs).
    """
    out = np.ones(len(starts), dtype=np.int64)
    differs = codes != codes[starts][group]
    if differs.any():
        mixed = np.zeros(len(starts), dtype=bool)
        mixed[group[differs]] = True
        rows = mixed[group]
        sub = np.unique(np.stack([group[rows], codes[rows]]), axis=1)
        out[mixed] = np.bincount(sub[0], minlength=len(starts))[mixed]
    return out


def _scatter(n: int, positions: np.ndarray, values: np.ndarray, fill: object) -> np.ndarray:
    """Array of length ``n`` filled with ``fill`` and ``values`` at ``positions``."""
    out = np.full(n, fill, dtype=np.asarray(values).dtype if len(values) else np.float64)
    out[positions] = values
    return out


# --------------------------------------------------------------------------- availability
class _Rows(NamedTuple):
    """Observations of the grid as parallel arrays, sorted by pair then year."""

    pair: np.ndarray  # grid pair: country position × n_indicators + indicator position
    year: np.ndarray
    value: np.ndarray
    source: np.ndarray  # factor codes of ``source``
    series: np.ndarray  # factor codes of ``source_series`` (zeros without the column)

    def where(self, mask: np.ndarray) -> _Rows:
        return _Rows(*(a[mask] for a in self))


def availability(
    obs: pd.DataFrame,
    baseline_year: int = 2015,
    cutoff_year: int = 2020,
    countries: Iterable[str] | None = None,
    indicators: Iterable[str] | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Summarise data availability per country × indicator over a review window.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy observations as returned by :func:`mtr_analysis.intake.store.for_analysis`:
        ``country`` (ISO3), ``indicator`` (catalogue id), ``year`` (int), ``value`` (float,
        indicator unit), ``source`` and optionally ``source_series``; one row per country ×
        indicator × year. Rows with a missing ``value`` are ignored.
    baseline_year, cutoff_year : int
        Requested baseline year and last year of the review window (calendar years,
        ``baseline_year <= cutoff_year``); later observations are ignored entirely.
    countries, indicators : list of str, optional
        Axes of the output grid (default: the distinct values of ``obs``, sorted). Pass the
        full lists to get a row for every pair; observations outside the grid are ignored.
    settings : Settings, optional
        Method settings (default: ``config/methods.yaml``): ``availability.baseline_tolerance``
        (years a baseline may lie before ``baseline_year``) and ``availability.stale_after``
        (years of lag beyond which a series is ``"stale"``).

    Returns
    -------
    pandas.DataFrame
        One row per grid pair (countries outer, indicators inner, in axis order), columns
        :data:`AVAILABILITY_COLUMNS`: ``country``, ``indicator``; ``n_obs`` (int64,
        observations in the window); ``first_year`` (Int64); ``latest_year`` (Int64) and
        ``latest_value`` (float), the last observation up to ``cutoff_year`` (possibly
        before the window when ``n_obs`` is 0); ``lag`` (Int64, years, ``cutoff_year -
        latest_year``); ``baseline_year`` (Int64), ``baseline_value`` (float);
        ``longest_gap`` (Int64, years); ``n_sources`` (int64); ``has_break`` (bool:
        ``source`` or ``source_series`` changes in the window); ``gap_category`` (one of
        :data:`GAP_CATEGORIES`). See the module docstring for the rules.

    Raises
    ------
    TypeError
        A year, axis or settings argument of the wrong type.
    ValueError
        ``baseline_year > cutoff_year``, an empty axis list, or ``obs`` without a required
        column, with missing years or with a duplicated country × indicator × year.
    """
    rules = or_default(settings).availability
    baseline_year, cutoff_year = _check_window(obs, baseline_year, cutoff_year)
    country_axis = _axis(obs["country"], countries, "countries")
    indicator_axis = _axis(obs["indicator"], indicators, "indicators")
    n_pairs = len(country_axis) * len(indicator_axis)
    rows = _grid_rows(obs, country_axis, indicator_axis, cutoff_year)
    has_latest, latest_year, latest_value = _latest(rows, n_pairs)
    window = rows.where(rows.year >= baseline_year - rules.baseline_tolerance)
    stats = _window_stats(window, n_pairs)
    baseline = _baseline(window, stats["n_obs"], latest_year, baseline_year, n_pairs)
    lag = cutoff_year - latest_year
    category = np.select(
        [stats["n_obs"] == 0, stats["n_obs"] == 1, lag > rules.stale_after],
        ["no_data", "single_point", "stale"],
        default="sufficient",
    )
    in_data = stats["n_obs"] > 0
    columns = {  # in the order of AVAILABILITY_COLUMNS
        "n_obs": stats["n_obs"],
        "first_year": _nullable_int(stats["first_year"], in_data),
        "latest_year": _nullable_int(latest_year, has_latest),
        "latest_value": np.where(has_latest, latest_value, np.nan),
        "lag": _nullable_int(lag, has_latest),
        "baseline_year": _nullable_int(baseline[0], in_data),
        "baseline_value": np.where(in_data, baseline[1], np.nan),
        "longest_gap": _nullable_int(stats["longest_gap"], in_data),
        "n_sources": stats["n_sources"],
        "has_break": stats["has_break"],
        "gap_category": pd.array(category, dtype="string"),
    }
    return _grid_frame(country_axis, indicator_axis, columns)


def _grid_frame(
    country_axis: list[str], indicator_axis: list[str], columns: dict[str, object]
) -> pd.DataFrame:
    """Frame of one row per grid pair (countries outer) with ``columns`` after the keys."""
    keys = {
        "country": pd.array(np.repeat(country_axis, len(indicator_axis)), dtype="string"),
        "indicator": pd.array(np.tile(indicator_axis, len(country_axis)), dtype="string"),
    }
    return pd.DataFrame({**keys, **columns})


def _check_window(obs: pd.DataFrame, baseline_year: int, cutoff_year: int) -> tuple[int, int]:
    """Validate the review window and the observation columns of :func:`availability`."""
    baseline_year = _check_int("baseline_year", baseline_year)
    cutoff_year = _check_int("cutoff_year", cutoff_year)
    if baseline_year > cutoff_year:
        raise ValueError(f"baseline_year ({baseline_year}) must be <= cutoff_year ({cutoff_year})")
    require_columns(obs, _REQUIRED_OBS, "obs")
    if obs["year"].isna().any():
        raise ValueError("obs has rows with a missing year")
    return baseline_year, cutoff_year


def _grid_rows(
    obs: pd.DataFrame, country_axis: list[str], indicator_axis: list[str], cutoff_year: int
) -> _Rows:
    """Valued observations of the grid up to the cut-off, sorted by pair and year.

    Raises ValueError on a duplicated country × indicator × year.
    """
    n_ind = len(indicator_axis)
    c_code = axis_codes(obs["country"], country_axis)
    i_code = axis_codes(obs["indicator"], indicator_axis)
    year_all = obs["year"].to_numpy(dtype=np.int64)
    value_all = obs["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    keep = (c_code >= 0) & (i_code >= 0) & (year_all <= cutoff_year) & ~np.isnan(value_all)
    if "source_series" in obs:
        series = _factor_codes(obs["source_series"])[keep]
    else:
        series = np.zeros(int(keep.sum()), dtype=np.int64)
    rows = _Rows(
        c_code[keep].astype(np.int64) * n_ind + i_code[keep],
        year_all[keep],
        value_all[keep],
        _factor_codes(obs["source"])[keep],
        series,
    )
    if not len(rows.year):
        return rows
    # Sort by pair, then year (the store is usually sorted already: checked in O(n)).
    y0 = int(rows.year.min())
    key = rows.pair * (int(rows.year.max()) - y0 + 1) + (rows.year - y0)
    if not bool(np.all(key[1:] >= key[:-1])):
        order = np.argsort(key, kind="stable")
        key, rows = key[order], rows.where(order)
    same_as_previous = key[1:] == key[:-1]
    if same_as_previous.any():
        at = int(np.argmax(same_as_previous)) + 1
        raise ValueError(
            f"obs has {int(same_as_previous.sum())} duplicated country × indicator × year "
            f"row(s), e.g. {country_axis[rows.pair[at] // n_ind]} "
            f"{indicator_axis[rows.pair[at] % n_ind]} {rows.year[at]}: pass the output of "
            "mtr_analysis.intake.store.for_analysis"
        )
    return rows


def _latest(rows: _Rows, n_pairs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(has_latest, latest_year, latest_value)`` per pair: the last row of each pair."""
    pair = rows.pair
    is_last = np.r_[pair[1:] != pair[:-1], True] if len(pair) else np.zeros(0, bool)
    has_latest = np.zeros(n_pairs, dtype=bool)
    has_latest[pair[is_last]] = True
    latest_year = _scatter(n_pairs, pair[is_last], rows.year[is_last], 0)
    latest_value = _scatter(n_pairs, pair[is_last], rows.value[is_last], np.nan)
    return has_latest, latest_year, latest_value.astype(np.float64)


def _window_stats(window: _Rows, n_pairs: int) -> dict[str, np.ndarray]:
    """Per pair: ``n_obs``, ``first_year``, ``longest_gap``, ``n_sources``, ``has_break``.

    Rows of a pair are contiguous and sorted by year, so group statistics are reductions
    over run starts.
    """
    wp, wy = window.pair, window.year
    n_obs = np.bincount(wp, minlength=n_pairs).astype(np.int64)
    is_first = np.r_[True, wp[1:] != wp[:-1]] if len(wp) else np.zeros(0, bool)
    starts = np.flatnonzero(is_first)
    group_pair = wp[starts]
    longest_gap = np.zeros(n_pairs, dtype=np.int64)
    n_sources = np.zeros(n_pairs, dtype=np.int64)
    n_series = np.zeros(n_pairs, dtype=np.int64)
    if len(wp):
        gap = np.r_[0, np.where(is_first[1:], 0, wy[1:] - wy[:-1] - 1)]
        longest_gap[group_pair] = np.maximum.reduceat(gap, starts)
        group = np.cumsum(is_first) - 1
        n_sources[group_pair] = _distinct_per_group(window.source, group, starts)
        n_series[group_pair] = _distinct_per_group(window.series, group, starts)
    return {
        "n_obs": n_obs,
        "first_year": _scatter(n_pairs, group_pair, wy[starts], 0),
        "longest_gap": longest_gap,
        "n_sources": n_sources,
        "has_break": (n_sources > 1) | (n_series > 1),
    }


def _baseline(
    window: _Rows, n_obs: np.ndarray, latest_year: np.ndarray, baseline_year: int, n_pairs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Baseline year and value per pair (UNSD rule, see the module docstring).

    Closest to the requested year, later year on ties, before the latest year when the
    window holds two or more points. The score ``2·|y − b| + [y < b]`` is distinct for
    distinct years, so its minimum per pair picks exactly one row.
    """
    wp, wy = window.pair, window.year
    candidate = ~((n_obs[wp] > 1) & (wy == latest_year[wp]))
    cp, cy, cv = wp[candidate], wy[candidate], window.value[candidate]
    found_year = np.zeros(n_pairs, dtype=np.int64)
    found_value = np.full(n_pairs, np.nan)
    if len(cp):
        score = 2 * np.abs(cy - baseline_year) + (cy < baseline_year)
        c_starts = np.flatnonzero(np.r_[True, cp[1:] != cp[:-1]])
        best_score = np.minimum.reduceat(score, c_starts)
        best = score == np.repeat(best_score, np.diff(np.r_[c_starts, len(cp)]))
        found_year[cp[best]] = cy[best]
        found_value[cp[best]] = cv[best]
    return found_year, found_value


# --------------------------------------------------------------------------- roll-ups
def _indicator_table(catalogue: Catalogue | pd.DataFrame) -> pd.DataFrame:
    table = catalogue.indicators if isinstance(catalogue, Catalogue) else catalogue
    if not isinstance(table, pd.DataFrame):
        raise TypeError("catalogue must be a Catalogue or its indicators DataFrame")
    return table


def _attach_structure(avail: pd.DataFrame, catalogue: Catalogue | pd.DataFrame) -> pd.DataFrame:
    """Add ``characteristic`` and ``element`` from the catalogue; error on unknown ids."""
    table = _indicator_table(catalogue)
    unknown = sorted(set(avail["indicator"].astype(str)) - set(table.index.astype(str)))
    if unknown:
        raise ValueError(f"avail has indicator(s) not in the catalogue: {', '.join(unknown)}")
    out = avail.copy()
    ids = out["indicator"].astype(str)
    out["characteristic"] = ids.map(table["characteristic"].astype(str)).astype("string")
    out["element"] = ids.map(table["element"].astype(str)).astype("string")
    return out


def rollup(avail: pd.DataFrame, catalogue: Catalogue | pd.DataFrame, by: str) -> pd.DataFrame:
    """Count gap categories per characteristic, element, country or for the whole region.

    Parameters
    ----------
    avail : pandas.DataFrame
        Output of :func:`availability` (at least ``country``, ``indicator``, ``n_obs``,
        ``gap_category``).
    catalogue : Catalogue or pandas.DataFrame
        The catalogue (or its ``indicators`` table indexed by id) giving each indicator's
        ``characteristic`` and ``element``.
    by : {"characteristic", "element", "country", "region"}
        Grouping; ``"region"`` gives a single row labelled :data:`REGION_LABEL`.

    Returns
    -------
    pandas.DataFrame
        One row per group present in ``avail`` (sorted), columns: ``by``, one count
        column per category of :data:`GAP_CATEGORIES` (int64), ``n_pairs`` (int64),
        ``share_sufficient`` and ``share_assessable`` (float, fractions in [0, 1]).

    Raises
    ------
    ValueError
        When ``by`` is not allowed, a column is missing or an indicator is unknown.

    Notes
    -----
    ``share_sufficient = n_sufficient / n_pairs``;
    ``share_assessable = #{pairs with n_obs >= 2} / n_pairs`` (a stale series with two
    points is assessable but not sufficient).
    """
    if by not in ROLLUP_BY:
        raise ValueError(f"by must be one of {', '.join(ROLLUP_BY)}; got {by!r}")
    require_columns(avail, _REQUIRED_AVAIL, "avail")
    frame = _attach_structure(avail, catalogue)
    if by == "region":
        frame["region"] = pd.Series(REGION_LABEL, index=frame.index, dtype="string")
    unknown = sorted(set(frame["gap_category"].dropna()) - set(GAP_CATEGORIES))
    if unknown:
        raise ValueError(f"avail has unknown gap_category value(s): {', '.join(unknown)}")
    category = pd.Categorical(frame["gap_category"], categories=list(GAP_CATEGORIES))
    counts = pd.crosstab(frame[by], category, dropna=False).reindex(
        columns=list(GAP_CATEGORIES), fill_value=0
    )
    counts.columns = list(GAP_CATEGORIES)
    assessable = (frame["n_obs"] >= 2).groupby(frame[by]).sum()
    out = counts.astype(np.int64)
    out["n_pairs"] = out[list(GAP_CATEGORIES)].sum(axis=1).astype(np.int64)
    out["share_sufficient"] = out["sufficient"] / out["n_pairs"]
    out["share_assessable"] = assessable.reindex(out.index).to_numpy() / out["n_pairs"]
    out = out.rename_axis(by).reset_index()
    out[by] = out[by].astype("string")
    return out.sort_values(by, kind="stable").reset_index(drop=True)


def regional_assessability(
    avail: pd.DataFrame, min_points: int | None = None, settings: Settings | None = None
) -> pd.DataFrame:
    """Apply the ESCAP rule: assess an indicator regionally only with enough countries.

    Parameters
    ----------
    avail : pandas.DataFrame
        Output of :func:`availability` (``country``, ``indicator``, ``n_obs``); pass the
        full grid of member states so that countries without data count in the
        denominator.
    min_points : int, optional
        Data points a country needs in the window (>= 1). Default: the settings'
        ``escap.min_points``.
    settings : Settings, optional
        Method settings (default :func:`mtr_analysis.settings.default_settings`):
        ``escap.min_points`` and ``escap.min_share``.

    Returns
    -------
    pandas.DataFrame
        One row per indicator (sorted), columns ``indicator``, ``n_countries`` (distinct
        countries in ``avail``), ``n_with_min_points`` (countries with
        ``n_obs >= min_points``), ``share`` (fraction in [0, 1]) and ``assessable`` (bool).

    Notes
    -----
    ``share = n_with_min_points / n_countries``; ``assessable = share > escap.min_share``:
    "two or more data points exist for more than 50 % of the countries" (ESCAP Progress
    Assessment Methodology, methods note 1.1). Exactly the share is not enough.
    """
    escap = or_default(settings).escap
    if min_points is None:
        min_points = escap.min_points
    min_points = _check_int("min_points", min_points, minimum=1)
    require_columns(avail, ("country", "indicator", "n_obs"), "avail")
    per_pair = (
        avail.assign(_enough=avail["n_obs"].to_numpy() >= min_points)
        .groupby(["indicator", "country"], sort=False, observed=True)["_enough"]
        .any()
        .reset_index()
    )
    out = per_pair.groupby("indicator", sort=True, observed=True)["_enough"].agg(
        n_countries="size", n_with_min_points="sum"
    )
    out = out.astype(np.int64).reset_index()
    out["indicator"] = out["indicator"].astype("string")
    out["share"] = out["n_with_min_points"] / out["n_countries"]
    out["assessable"] = (out["share"] > escap.min_share).astype(bool)
    return out[["indicator", "n_countries", "n_with_min_points", "share", "assessable"]]
