"""Regional aggregates per indicator and year, computed as the UN and the World Bank do.

In: tidy observations (values and the auxiliary population series), the catalogue, the
member states and the method settings. Out: one row per indicator × year with a reporting
member (:data:`AGGREGATE_COLUMNS`), which ``aggregates.csv`` holds.

:func:`regional_aggregates` summarises the member states' values of every catalogue
indicator in every year with data, and always says how much of the region the figure covers
and which group it describes (``group``: "ASEAN-10", or "ASEAN-11 incl. Timor-Leste" when
Timor-Leste is a member of the run, the membership of the UN's South-eastern Asia):

- unweighted mean and median of the reporting member states (ESCAP uses simple averages
  "to avoid the result being driven by large countries"; UNECE reads the region from the
  median), ``spec/methods.md`` section 1.2, published only when at least
  ``aggregates.min_reporting`` members report;
- the weighted mean, each ratio weighted by **its own denominator** (World Bank WDI
  "Aggregation rules", weighted averages of ratios: "ratios are generally aggregated as
  weighted averages using the value of the denominator or, in some cases, another indicator
  as a weight", https://datahelpdesk.worldbank.org/knowledgebase/articles/198549; UN IGME
  weights child mortality by live births, WUENIC immunisation by surviving infants, ILO the
  NEET rate by the youth population): the ``aggregate_weight`` of
  ``config/denominators.csv``, a formula of :data:`mtr_analysis.analysis.beneficiaries.DENOMINATORS`
  over the auxiliary series (total population for indicators without a natural denominator).

Formulas, for indicator ``i`` and year ``y``, with ``R`` the reporting members, ``M`` all
members, ``W ⊆ M`` the members with a weight and ``w_c`` the weight of member ``c`` in
year ``y``:

- ``mean = (1/|R|) Σ_{c∈R} x_c``, ``median`` of ``{x_c : c ∈ R}``, both NaN when
  ``|R| < aggregates.min_reporting``; ``country_coverage = |R| / |M|``;
- ``weight_coverage = Σ_{c∈R∩W} w_c / Σ_{c∈W} w_c`` (computed on the weights: a member
  without a weight no longer blocks the others; ``n_weighted = |W|`` says how many had one);
- ``weighted_mean = Σ_{c∈R∩W} w_c x_c / Σ_{c∈R∩W} w_c``, published when
  ``weight_coverage >= aggregates.min_coverage`` (World Bank 2/3 rule: "the aggregate is
  not calculated if missing data account for more than a third of the weights").

Missing-member assumption (stated, as the World Bank states it): members that do not
report are assumed to behave like the group's reporting members, i.e. to equal their
weighted average; the weighted mean over reporting members is exactly the group figure
under that assumption.

Weights: the auxiliary series behind a weight are interpolated linearly between two
observed years (``weight_interpolated``) and carried from the nearest observed year up to
``aggregates.weight_year_tolerance`` years beyond the first or last one
(``weight_from_nearest_year``). Years with no reporting member give no row.

Vectorised over indicators and years; all rules come from the method settings
(``aggregates`` in ``config/methods.yaml``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mtr_analysis.analysis.beneficiaries import DENOMINATORS, aggregate_weights
from mtr_analysis.analysis.gaps import axis_codes
from mtr_analysis.intake.schema import require_columns
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import AggregateSettings, Settings, or_default

#: Auxiliary series used as the weight of ``weights=None`` fallback (WDI SP.POP.TOTL, persons).
POPULATION_ID = "x_population"

#: Timor-Leste (ISO3): its membership changes the group's name.
TIMOR_LESTE = "TLS"

#: Group names written in ``aggregates.csv`` (language-neutral codes of the word catalogue).
GROUP_ASEAN10 = "ASEAN-10"
GROUP_ASEAN11 = "ASEAN-11 incl. Timor-Leste"

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
    "group",
    "weight",
    "n_weighted",
    "weight_interpolated",
]


def group_name(countries: Sequence[str]) -> str:
    """Name of the group of ``countries``: "ASEAN-10", "ASEAN-11 incl. Timor-Leste", or a list.

    The ten ASEAN member states give :data:`GROUP_ASEAN10`; with Timor-Leste
    :data:`GROUP_ASEAN11` (the membership of the UN M49 region South-eastern Asia, code 035).
    Any other set is named by its ISO3 codes, so that a partial group is never mistaken for
    ASEAN.
    """
    members = set(countries)
    asean10 = set(registry.iso3_codes())
    if members == asean10:
        return GROUP_ASEAN10
    if members == asean10 | {TIMOR_LESTE}:
        return GROUP_ASEAN11
    return ", ".join(sorted(members))


def _weight_matrix(
    weights: pd.DataFrame, countries: list[str], years: np.ndarray, tolerance: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weight per member state × year: observed, interpolated, or carried within ``tolerance``.

    Returns ``(W, nearest, interpolated)``: ``W[c, j]`` the weight of ``countries[c]`` for
    ``years[j]`` (NaN when none), ``nearest[c, j]`` True when carried from the nearest
    observed year (at most ``tolerance`` years before the first or after the last observed
    year), ``interpolated[c, j]`` True when interpolated linearly between the two observed
    years around it.
    """
    c = axis_codes(weights["country"], countries)
    y = weights["year"].to_numpy(dtype=np.int64)
    w = weights["value"].to_numpy(dtype=np.float64, na_value=np.nan)
    ok = (c >= 0) & np.isfinite(w) & (w > 0)
    y0 = int(min(years.min(), y[ok].min() if ok.any() else years.min()))
    y1 = int(max(years.max(), y[ok].max() if ok.any() else years.max()))
    raw = np.full((len(countries), y1 - y0 + 1), np.nan)
    raw[c[ok], y[ok] - y0] = w[ok]
    wide = pd.DataFrame(raw, columns=range(y0, y1 + 1))
    observed = wide.notna()
    inside = wide.interpolate(axis=1, limit_area="inside")
    filled = inside
    if tolerance > 0:  # pandas refuses limit=0
        filled = inside.ffill(axis=1, limit=tolerance).bfill(axis=1, limit=tolerance)
    cols = years.astype(np.int64) - y0
    out = filled.to_numpy()[:, cols]
    interpolated = (inside.notna() & ~observed).to_numpy()[:, cols]
    nearest = (filled.notna() & inside.isna()).to_numpy()[:, cols]
    return out, nearest, interpolated


def regional_aggregates(
    obs: pd.DataFrame,
    catalogue: Catalogue | pd.DataFrame,
    countries: Sequence[str],
    weights: pd.DataFrame | str | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Regional mean, median and denominator-weighted mean per indicator × year.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy observations (``country``, ``indicator``, ``year``, ``value``; one row per
        country × indicator × year, as :func:`mtr_analysis.intake.store.for_analysis` gives),
        including the auxiliary ``x_`` series the weights are made of.
    catalogue : Catalogue or pandas.DataFrame
        Gives the indicators to aggregate (its ``indicators`` table, in catalogue order);
        auxiliary series are never aggregated.
    countries : list of str
        ISO3 codes of the member states: the group. Values of other countries are
        ignored; members without a value count as not reporting.
    weights : pandas.DataFrame, str or None
        ``None``: each indicator's own denominator (``aggregate_weight`` of
        ``config/denominators.csv``, see the module docstring). A string: one series id of
        ``obs`` for every indicator. A DataFrame: ``country``, ``year``, ``value`` (> 0).
    settings : Settings, optional
        Method settings (default :func:`mtr_analysis.settings.default_settings`):
        ``aggregates.min_coverage`` (share of the group's weight the reporting members must
        hold for the weighted mean), ``aggregates.weight_year_tolerance`` (years a weight
        may be carried beyond its observed range) and ``aggregates.min_reporting`` (members
        needed for the mean and median).

    Returns
    -------
    pandas.DataFrame
        One row per catalogue indicator × year in which at least one member state
        reports (catalogue order, then years ascending), columns :data:`AGGREGATE_COLUMNS`:
        ``indicator`` (string), ``year`` (int64); ``n_members``, ``n_reporting`` (int64)
        and ``country_coverage`` (fraction); ``mean``, ``median`` (indicator unit,
        unweighted, NaN below ``min_reporting``); ``weighted_mean`` (NaN unless
        published); ``weight_coverage`` (fraction of the weights of members with a weight;
        NaN when no member has one); ``weighted_published``; ``weight_from_nearest_year``
        and ``weight_interpolated`` (some reporting member's weight was carried or
        interpolated); ``group`` (:func:`group_name`); ``weight`` (name of the weight, a
        key of :data:`~mtr_analysis.analysis.beneficiaries.DENOMINATORS` or the series
        id); ``n_weighted`` (members with a weight that year).

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
    data = _member_values(obs, members, indicator_axis)
    if data.empty:
        return _empty()
    years = np.unique(data["year"].to_numpy())
    names, of_indicator = _weight_names(indicator_axis, weights)
    stack = [
        _named_weight(obs, name, weights, members, years, rules.weight_year_tolerance)
        for name in names
    ]
    w3 = np.stack([m[0] for m in stack])
    sums = _sums_per_indicator_year(data, w3, of_indicator, years)
    out = _aggregate_frame(sums, indicator_axis, w3, of_indicator, years, rules)
    flags = _weight_flags(data, stack, of_indicator, years, out)
    return out.assign(
        group=group_name(members),
        weight=pd.array(np.asarray(names)[of_indicator[sums["i"].to_numpy()]], dtype="string"),
        **flags,
    )[AGGREGATE_COLUMNS]


def _weight_names(
    indicator_axis: list[str], weights: pd.DataFrame | str | None
) -> tuple[list[str], np.ndarray]:
    """The distinct weights and, per indicator position, the index of its weight."""
    if weights is None:
        table = aggregate_weights()
        per = [table.get(i, "total_population") for i in indicator_axis]
    elif isinstance(weights, str):
        per = [weights] * len(indicator_axis)
    elif isinstance(weights, pd.DataFrame):
        require_columns(weights, ("country", "year", "value"), "weights")
        per = ["weights"] * len(indicator_axis)
    else:
        raise TypeError("weights must be None, a series id or a DataFrame")
    names = list(dict.fromkeys(per))
    return names, np.array([names.index(n) for n in per], dtype=np.int64)


def _series_rows(obs: pd.DataFrame, series_id: str) -> pd.DataFrame:
    return obs.loc[obs["indicator"].astype("string").eq(series_id).fillna(False)]


def _named_weight(
    obs: pd.DataFrame,
    name: str,
    weights: pd.DataFrame | str | None,
    members: list[str],
    years: np.ndarray,
    tolerance: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(W, nearest, interpolated)`` of one weight (see :func:`_weight_matrix`).

    A named denominator is its formula applied to the filled auxiliary series; a cell is
    flagged when any series behind it was carried or interpolated.
    """
    if isinstance(weights, pd.DataFrame):
        return _weight_matrix(weights, members, years, tolerance)
    if isinstance(weights, str):
        return _weight_matrix(_series_rows(obs, weights), members, years, tolerance)
    d = DENOMINATORS[name]
    parts = {n: _weight_matrix(_series_rows(obs, n), members, years, tolerance) for n in d.needs}
    with np.errstate(invalid="ignore"):
        w = np.asarray(d.formula({n: part[0] for n, part in parts.items()}), dtype=np.float64)
    w = np.where(np.isfinite(w) & (w > 0), w, np.nan)
    nearest = np.logical_or.reduce([part[1] for part in parts.values()])
    interpolated = np.logical_or.reduce([part[2] for part in parts.values()])
    return w, nearest, interpolated


def _weight_flags(
    data: pd.DataFrame,
    stack: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    of_indicator: np.ndarray,
    years: np.ndarray,
    out: pd.DataFrame,
) -> dict[str, np.ndarray]:
    """Per output row: some reporting member's weight carried / interpolated."""
    k = of_indicator[data["i"].to_numpy()]
    c, pos = data["c"].to_numpy(), np.searchsorted(years, data["year"].to_numpy())
    flags = {}
    for col, j in (("weight_from_nearest_year", 1), ("weight_interpolated", 2)):
        cube = np.stack([m[j] for m in stack])
        hit = pd.Series(cube[k, c, pos]).groupby([data["i"].to_numpy(), data["year"].to_numpy()])
        per = hit.any()
        key = pd.MultiIndex.from_arrays([out["_i"].to_numpy(), out["year"].to_numpy()])
        flags[col] = per.reindex(key).fillna(False).to_numpy(dtype=bool)
    return flags


def _aggregate_frame(
    out: pd.DataFrame,
    indicator_axis: list[str],
    w3: np.ndarray,
    of_indicator: np.ndarray,
    years: np.ndarray,
    rules: AggregateSettings,
) -> pd.DataFrame:
    """Output of :func:`regional_aggregates` from the sums per indicator × year: coverage,
    the publication rules and the weighted mean (``_i`` keeps the indicator position)."""
    pos = np.searchsorted(years, out["year"].to_numpy())
    k = of_indicator[out["i"].to_numpy()]
    member_w = w3[k, :, pos]  # rows × members
    total = np.nansum(member_w, axis=1)
    n_weighted = np.isfinite(member_w).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        coverage = np.where(n_weighted > 0, out["w"].fillna(0).to_numpy() / total, np.nan)
        weighted = out["wx"].to_numpy() / out["w"].to_numpy()
    published = (coverage >= rules.min_coverage) & np.isfinite(weighted)
    enough = out["n_reporting"].to_numpy() >= rules.min_reporting
    n_members = w3.shape[1]
    return pd.DataFrame(
        {
            "indicator": pd.array(np.asarray(indicator_axis)[out["i"].to_numpy()], dtype="string"),
            "_i": out["i"].to_numpy(),
            "year": out["year"].to_numpy(dtype=np.int64),
            "n_members": np.full(len(out), n_members, dtype=np.int64),
            "n_reporting": out["n_reporting"].to_numpy(dtype=np.int64),
            "country_coverage": out["n_reporting"].to_numpy(dtype=np.float64) / n_members,
            "mean": np.where(enough, out["mean"].to_numpy(dtype=np.float64), np.nan),
            "median": np.where(enough, out["median"].to_numpy(dtype=np.float64), np.nan),
            "weighted_mean": np.where(published, weighted, np.nan),
            "weight_coverage": coverage,
            "weighted_published": published.astype(bool),
            "n_weighted": n_weighted.astype(np.int64),
        }
    )


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
    data: pd.DataFrame, w3: np.ndarray, of_indicator: np.ndarray, years: np.ndarray
) -> pd.DataFrame:
    """Per indicator × year: ``n_reporting``, ``mean``, ``median`` of the values and the
    sums ``w`` (weights) and ``wx`` (weighted values) of the reporting members with a weight."""
    year_pos = np.searchsorted(years, data["year"].to_numpy())
    w = w3[of_indicator[data["i"].to_numpy()], data["c"].to_numpy(), year_pos]
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
        "weighted_published": "bool", "weight_from_nearest_year": "bool", "group": "string",
        "weight": "string", "n_weighted": "int64", "weight_interpolated": "bool",
    }  # fmt: skip
    return pd.DataFrame({c: pd.Series(dtype=dtypes[c]) for c in AGGREGATE_COLUMNS})
