"""Regional aggregates per indicator and year: unweighted and population-weighted.

:func:`regional_aggregates` summarises the member states' values of every catalogue
indicator in every year with data, the way the official producers publish regional
figures, and always says how much of the region the figure covers:

- unweighted mean and median of the reporting member states (ESCAP uses simple averages
  "to avoid the result being driven by large countries"; UNECE reads the region from the
  median), ``spec/methods.md`` section 1.2;
- the population-weighted mean (UN SDG Report regional figures, section 3.1), published
  only when the reporting countries hold at least ``aggregates.min_coverage`` of the weight
  (World Bank WDI aggregation rule for weighted averages of ratios, section 3.3).

Formulas, for indicator ``i`` and year ``y``, with ``R`` the reporting members, ``M`` all
members and ``w_c`` the weight of member ``c`` in year ``y`` (else the nearest year within
± ``aggregates.weight_year_tolerance``, later year first on ties; flagged):

- ``mean = (1/|R|) Σ_{c∈R} x_c`` (ESCAP simple average), ``median`` of ``{x_c : c ∈ R}``
  (UNECE); ``country_coverage = |R| / |M|``;
- ``weight_coverage = Σ_{c∈R} w_c / Σ_{c∈M} w_c``;
- ``weighted_mean = Σ_{c∈R} w_c x_c / Σ_{c∈R} w_c``, published when
  ``weight_coverage >= aggregates.min_coverage``: the World Bank computes no weighted
  aggregate when missing data account for more than a third of the weights. The mean over
  reporting countries equals the World Bank's estimate in which missing countries are
  assumed to equal the average of the others.

Population is a proxy weight: the World Bank weights a ratio by its own denominator (births
for maternal mortality, land area for forest cover), which can be passed as ``weights``.
Years with no reporting member give no row.

Pure function, vectorised over indicators and years. The publication rule and the weight-year
tolerance come from the method settings (``aggregates`` in ``config/methods.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mtr_analysis.analysis.gaps import axis_codes
from mtr_analysis.intake.schema import require_columns
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import Settings, or_default

#: Auxiliary series used as the default weight (WDI SP.POP.TOTL, persons).
POPULATION_ID = "x_population"

#: Output columns of :func:`regional_aggregates`, in order.
AGGREGATE_COLUMNS: list[str] = [
    "indicator",
    "year",
    "n_members",
    "n_reporting",
    "country_coverage",
    "mean",
    "median",
    "weighted_mean",
    "weight_coverage",
    "weighted_published",
    "weight_from_nearest_year",
]


def _weight_matrix(
    weights: pd.DataFrame, countries: list[str], years: np.ndarray, tolerance: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weight per member state × year, filled from the nearest year within ``tolerance``.

    Returns ``(W, filled)``: ``W[c, j]`` the weight of ``countries[c]`` for ``years[j]``
    (NaN when none within the tolerance) and ``filled[c, j]`` True when it comes from
    another year. Offsets are tried in the order 0, +1, −1, +2, −2, …: the later year
    wins a tie, as for baselines in :func:`mtr_analysis.analysis.gaps.availability`.
    """
    y0 = int(years.min()) - tolerance
    span = int(years.max()) + tolerance - y0 + 1
    raw = np.full((len(countries), span), np.nan)
    c = axis_codes(weights["country"], countries)
    y = weights["year"].to_numpy(dtype=np.int64) - y0
    w = weights["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    ok = (c >= 0) & (y >= 0) & (y < span) & np.isfinite(w) & (w > 0)
    raw[c[ok], y[ok]] = w[ok]
    cols = years.astype(np.int64) - y0
    out = np.full((len(countries), len(years)), np.nan)
    filled = np.zeros(out.shape, dtype=bool)
    for offset in [0] + [s * k for k in range(1, tolerance + 1) for s in (1, -1)]:
        take = np.isnan(out)
        if not take.any():
            break
        candidate = raw[:, cols + offset]
        use = take & ~np.isnan(candidate)
        out[use] = candidate[use]
        filled |= use & (offset != 0)
    return out, filled


def regional_aggregates(
    obs: pd.DataFrame,
    catalogue: Catalogue | pd.DataFrame,
    countries: Sequence[str],
    weights: pd.DataFrame | str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Regional mean, median and population-weighted mean per indicator × year.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy observations (``country``, ``indicator``, ``year``, ``value``; one row per
        country × indicator × year, as :func:`mtr_analysis.intake.store.for_analysis` gives),
        including the weight series (``x_population``, persons) when ``weights`` is None.
    catalogue : Catalogue or pandas.DataFrame
        Gives the indicators to aggregate (its ``indicators`` table, in catalogue order);
        auxiliary series are never aggregated.
    countries : list of str
        ISO3 codes of the member states: the region. Values of other countries are
        ignored; members without a value count as not reporting.
    weights : pandas.DataFrame, str or None
        ``None``: the ``x_population`` rows of ``obs``. A string: another series id of
        ``obs`` (e.g. the denominator of a ratio, as the World Bank recommends). A
        DataFrame: ``country``, ``year``, ``value`` (must be > 0).
    settings : Settings, optional
        Method settings (default :func:`mtr_analysis.settings.default_settings`):
        ``aggregates.min_coverage`` (share of the region's total weight the reporting
        countries must hold for the weighted mean to be published) and
        ``aggregates.weight_year_tolerance`` (years a weight may be taken from when the
        value's own year has none).

    Returns
    -------
    pandas.DataFrame
        One row per catalogue indicator × year in which at least one member state
        reports (catalogue order, then years ascending), columns :data:`AGGREGATE_COLUMNS`:
        ``indicator`` (string), ``year`` (int64); ``n_members``, ``n_reporting`` (int64)
        and ``country_coverage`` (fraction); ``mean``, ``median`` (indicator unit,
        unweighted, of reporting members); ``weighted_mean`` (NaN unless published);
        ``weight_coverage`` (fraction; NaN when some member has no weight within the
        tolerance); ``weighted_published`` (``weight_coverage >= min_coverage``);
        ``weight_from_nearest_year`` (some member's weight came from another year). See
        the module docstring for the formulas.

    Raises
    ------
    TypeError, ValueError
        On missing columns, an empty ``countries``, bad ``settings`` or duplicated
        country × indicator × year rows.
    """
    require_columns(obs, ("country", "indicator", "year", "value"), "obs")
    rules = or_default(settings).aggregates
    members = _members(countries)
    indicator_axis = _indicator_axis(catalogue)
    weight_rows = _weight_rows(obs, weights)
    data = _member_values(obs, members, indicator_axis)
    if data.empty:
        return _empty()

    years = np.unique(data["year"].to_numpy())
    w_matrix, filled = _weight_matrix(weight_rows, members, years, rules.weight_year_tolerance)
    sums = _sums_per_indicator_year(data, w_matrix, years)
    return _aggregate_frame(sums, indicator_axis, w_matrix, filled, years, rules.min_coverage)


def _aggregate_frame(
    out: pd.DataFrame,
    indicator_axis: list[str],
    w_matrix: np.ndarray,
    filled: np.ndarray,
    years: np.ndarray,
    min_coverage: float,
) -> pd.DataFrame:
    """Output of :func:`regional_aggregates` from the sums per indicator × year: coverage,
    the publication rule and the weighted mean."""
    pos = np.searchsorted(years, out["year"].to_numpy())
    total = w_matrix.sum(axis=0)  # NaN when any member lacks a weight
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = out["w"].to_numpy() / total[pos]
        weighted = out["wx"].to_numpy() / out["w"].to_numpy()
    published = coverage >= min_coverage  # False where coverage is NaN
    n_members = w_matrix.shape[0]
    result = pd.DataFrame(
        {
            "indicator": pd.array(np.asarray(indicator_axis)[out["i"].to_numpy()], dtype="string"),
            "year": out["year"].to_numpy(dtype=np.int64),
            "n_members": np.full(len(out), n_members, dtype=np.int64),
            "n_reporting": out["n_reporting"].to_numpy(dtype=np.int64),
            "country_coverage": out["n_reporting"].to_numpy(dtype=np.float64) / n_members,
            "mean": out["mean"].to_numpy(dtype=np.float64),
            "median": out["median"].to_numpy(dtype=np.float64),
            "weighted_mean": np.where(published, weighted, np.nan),
            "weight_coverage": coverage,
            "weighted_published": published.astype(bool),
            "weight_from_nearest_year": filled.any(axis=0)[pos].astype(bool),
        }
    )
    return result[AGGREGATE_COLUMNS]


def _members(countries: Sequence[str]) -> list[str]:
    """The member states, de-duplicated in order; error on a string or an empty list."""
    if isinstance(countries, str):
        raise TypeError("countries must be a list of ISO3 codes, not a single string")
    members = list(dict.fromkeys(str(c) for c in countries))
    if not members:
        raise ValueError("countries is empty")
    return members


def _indicator_axis(catalogue: Catalogue | pd.DataFrame) -> list[str]:
    """Catalogue indicator ids in catalogue order."""
    table = catalogue.indicators if isinstance(catalogue, Catalogue) else catalogue
    if not isinstance(table, pd.DataFrame):
        raise TypeError("catalogue must be a Catalogue or its indicators DataFrame")
    return [str(i) for i in table.index]


def _weight_rows(obs: pd.DataFrame, weights: pd.DataFrame | str | None) -> pd.DataFrame:
    """The weight observations (``country``, ``year``, ``value``) named by ``weights``."""
    if weights is None or isinstance(weights, str):
        weight_id = POPULATION_ID if weights is None else weights
        return obs.loc[obs["indicator"].astype("string").eq(weight_id).fillna(False)]
    if isinstance(weights, pd.DataFrame):
        require_columns(weights, ("country", "year", "value"), "weights")
        return weights
    raise TypeError("weights must be None, a series id or a DataFrame")


def _member_values(
    obs: pd.DataFrame, members: list[str], indicator_axis: list[str]
) -> pd.DataFrame:
    """Valued member observations of catalogue indicators: ``i`` (indicator position),
    ``year``, ``c`` (member position), ``value``; error on duplicated rows."""
    c_code = axis_codes(obs["country"], members)
    i_code = axis_codes(obs["indicator"], indicator_axis)
    year = obs["year"].to_numpy(dtype=np.int64)
    value = obs["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    keep = (c_code >= 0) & (i_code >= 0) & ~np.isnan(value)
    data = pd.DataFrame(
        {"i": i_code[keep], "year": year[keep], "c": c_code[keep], "value": value[keep]}
    )
    if data.duplicated(["i", "year", "c"]).any():
        raise ValueError(
            "obs has duplicated country × indicator × year rows: pass the output of "
            "mtr_analysis.intake.store.for_analysis"
        )
    return data


def _sums_per_indicator_year(
    data: pd.DataFrame, w_matrix: np.ndarray, years: np.ndarray
) -> pd.DataFrame:
    """Per indicator × year: ``n_reporting``, ``mean``, ``median`` of the values and the
    sums ``w`` (weights) and ``wx`` (weighted values) of the reporting members."""
    year_pos = np.searchsorted(years, data["year"].to_numpy())
    w = w_matrix[data["c"].to_numpy(), year_pos]
    data = data.assign(w=w, wx=w * data["value"].to_numpy())
    grouped = data.groupby(["i", "year"], sort=True)
    out = grouped["value"].agg(n_reporting="size", mean="mean", median="median")
    sums = grouped[["w", "wx"]].sum(min_count=1)
    return out.join(sums).reset_index()


def _empty() -> pd.DataFrame:
    dtypes = {
        "indicator": "string", "year": "int64", "n_members": "int64", "n_reporting": "int64",
        "country_coverage": "float64", "mean": "float64", "median": "float64",
        "weighted_mean": "float64", "weight_coverage": "float64",
        "weighted_published": "bool", "weight_from_nearest_year": "bool",
    }  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in AGGREGATE_COLUMNS})
