"""Who benefited: turn rates into numbers of people.

For each rate indicator the catalogue names the population it refers to
(``config/denominators.csv``) and how that population is measured from auxiliary series
(``config/auxiliary_series.csv``: total population by sex and age structure, crude birth
rate, labour-force participation, urban share). Estimates use the assessment's baseline and
latest years, so they describe the same change the progress status judges.

Formulas (rate ``r`` in the indicator's unit, ``s`` its scale — 100 for %, 1,000 or
100,000 for "per 1,000/100,000" — denominator ``D``, baseline ``b``, latest ``l``)::

    people_t               = r_t / s · D_t
    change                 = people_l − people_b
    change_due_to_rate     = (r_l − r_b) / s · D_l
    change_due_to_population = r_b / s · (D_l − D_b)
    change = change_due_to_rate + change_due_to_population     (exact)
    averted                = (r_b − r_l) / s · D_l             (poverty, mortality, incidence)

``averted`` is the number of people lifted out of poverty, lives saved or cases avoided
in the latest year relative to baseline rates (e.g. (MMR_b − MMR_l) / 100,000 × live births).

Written as whole persons so that every row adds up exactly as published (issue 10 item 6):
``people_b``, ``people_l`` and ``change_due_to_population`` are rounded first (nearest
integer), then ``change = people_l − people_b``, ``change_due_to_rate = change −
change_due_to_population`` and ``averted = −change_due_to_rate`` are derived from them
(each within 1.5 persons of its exact formula); ``low``/``high`` are rounded and widened, if
need be, to contain ``change``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from mtr_analysis.intake.schema import require_columns
from mtr_analysis.paths import DENOMINATORS_FILE
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.settings import Settings, or_default

KINDS = ("share", "poverty", "mortality", "incidence", "none")
#: Kinds for which a decrease of the rate means people spared (``averted``).
AVERTING_KINDS = frozenset({"poverty", "mortality", "incidence"})
COLUMNS = [
    "country", "indicator", "baseline_year", "latest_year", "people_baseline",
    "people_latest", "change", "change_due_to_rate", "change_due_to_population", "low",
    "high", "denominator_series", "flags", "kind", "averted",
]  # fmt: skip


@dataclass(frozen=True)
class Denominator:
    """A population that rates refer to, as a formula over auxiliary series."""

    needs: tuple[str, ...]
    formula: Callable[[dict[str, pd.DataFrame]], pd.DataFrame]
    text: str
    approximated: bool = False


def _adults(a: dict[str, pd.DataFrame], base: str) -> pd.DataFrame:
    return a[base] * (1 - a["x_share_0014"] / 100)


_YOUTH_SHARES = ("x_share_1519_fe", "x_share_2024_fe", "x_share_1519_ma", "x_share_2024_ma")


def _youth(a: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Population aged 15–24 (persons) = F·(f15–19 + f20–24)/100 + (P − F)·(m15–19 + m20–24)/100."""
    female = a["x_population_female"]
    male = a["x_population"] - female
    return (
        female * (a["x_share_1519_fe"] + a["x_share_2024_fe"]) / 100
        + male * (a["x_share_1519_ma"] + a["x_share_2024_ma"]) / 100
    )


DENOMINATORS: dict[str, Denominator] = {
    "total_population": Denominator(("x_population",), lambda a: a["x_population"], "x_population"),
    "live_births": Denominator(
        ("x_crude_birth_rate", "x_population"),
        lambda a: a["x_crude_birth_rate"] / 1000 * a["x_population"],
        "x_crude_birth_rate / 1000 × x_population",
    ),
    "under5": Denominator(
        ("x_population", "x_share_0014"),
        lambda a: a["x_population"] * a["x_share_0014"] / 100 / 3,
        "x_population × x_share_0014 / 100 / 3",
        approximated=True,
    ),
    "women_15plus": Denominator(
        ("x_population_female", "x_share_0014"),
        lambda a: _adults(a, "x_population_female"),
        "x_population_female × (1 − x_share_0014 / 100)",
        approximated=True,
    ),
    "labour_force": Denominator(
        ("x_lfpr_total", "x_population", "x_share_0014"),
        lambda a: a["x_lfpr_total"] / 100 * _adults(a, "x_population"),
        "x_lfpr_total / 100 × x_population × (1 − x_share_0014 / 100)",
    ),
    # Youth 15–24 from the WDI five-year age shares (SP.POP.1519/2024.{FE,MA}.5Y, % of the
    # female/male population, back to 1960) × the female and male populations: the total
    # SP.POP.1524.TO.UN is missing from most downloads.
    "youth_1524": Denominator(
        ("x_population", "x_population_female", *_YOUTH_SHARES),
        _youth,
        "x_population_female × (x_share_1519_fe + x_share_2024_fe) / 100 + (x_population − "
        "x_population_female) × (x_share_1519_ma + x_share_2024_ma) / 100",
    ),
    "urban_population": Denominator(
        ("x_population", "x_share_urban"),
        lambda a: a["x_population"] * a["x_share_urban"] / 100,
        "x_population × x_share_urban / 100",
    ),
    "older_65plus": Denominator(
        ("x_population", "x_share_65up"),
        lambda a: a["x_population"] * a["x_share_65up"] / 100,
        "x_population × x_share_65up / 100",
        approximated=True,
    ),
}


class DenominatorError(ValueError):
    """``denominators.csv`` is invalid; the message names the row and the field."""


@lru_cache(maxsize=2)
def _load(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def load_denominators(catalogue: Catalogue, path: Path | str = DENOMINATORS_FILE) -> pd.DataFrame:
    """Read and validate the denominator table, one row per catalogue indicator.

    Raises
    ------
    DenominatorError
        Naming the file row of an unknown indicator, kind or denominator, a rate without a
        denominator, or a catalogue indicator that is missing.
    """
    path = Path(path)
    table = _load(path.resolve())
    for pos, row in enumerate(table.itertuples(index=False), start=2):
        where = f"{path.name}, row {pos} ({row.indicator!r})"
        if row.indicator not in catalogue.indicators.index:
            raise DenominatorError(f"{where}: not a catalogue indicator")
        if row.kind not in KINDS:
            raise DenominatorError(f"{where}: kind {row.kind!r} not in {', '.join(KINDS)}")
        if row.kind != "none" and row.denominator not in DENOMINATORS:
            raise DenominatorError(
                f"{where}: denominator {row.denominator!r} not in {', '.join(DENOMINATORS)}"
            )
        if row.kind != "none" and _scale(catalogue.indicators.loc[row.indicator, "unit"]) is None:
            raise DenominatorError(f"{where}: the indicator's unit is not a rate")
        if row.aggregate_weight not in DENOMINATORS:
            raise DenominatorError(
                f"{where}: aggregate_weight {row.aggregate_weight!r} not in "
                f"{', '.join(DENOMINATORS)}"
            )
    missing = sorted(set(catalogue.indicators.index) - set(table["indicator"]))
    if missing:
        raise DenominatorError(f"{path.name}: no row for {', '.join(missing)}")
    return table.set_index("indicator", drop=False)


def aggregate_weights(path: Path | str = DENOMINATORS_FILE) -> dict[str, str]:
    """Weight of each indicator in regional aggregates: ``{indicator: denominator name}``.

    The ``aggregate_weight`` column of ``config/denominators.csv`` names a population of
    :data:`DENOMINATORS` (the World Bank weights a ratio by its own denominator: live births
    for deaths per 1,000 live births, the youth population for NEET shares…); indicators
    without a natural denominator are weighted by the total population. Validated with the
    rest of the table by :func:`load_denominators`.
    """
    table = _load(Path(path).resolve())
    return dict(zip(table["indicator"], table["aggregate_weight"], strict=True))


def _scale(unit: str) -> float | None:
    """Scale of a rate from its unit: "%…" → 100, "per 1,000…" → 1000, "per 100,000…" → 1e5."""
    u = str(unit).strip().lower()
    if u.startswith("%"):
        return 100.0
    for text, value in (("per 100,000", 1e5), ("per 1,000", 1e3)):
        if text in u:
            return value
    return None


def denominator_tables(
    obs: pd.DataFrame, countries: list[str], years: range, settings: Settings | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Auxiliary series as country × year tables, gap-filled, with flags and brackets.

    Inside a series' observed range missing years are interpolated linearly; outside it the
    nearest observed value is carried at most ``beneficiaries.nearest_limit`` years of the
    method ``settings`` (default :func:`mtr_analysis.settings.default_settings`).

    Returns
    -------
    (values, method, (low, high))
        ``values[aux]`` filled table; ``method[aux]`` "observed", "interpolated",
        "nearest" or "" per cell; ``low``/``high`` the bracketing observed values of
        interpolated cells (equal to the value elsewhere).
    """
    require_columns(obs, ("country", "indicator", "year", "value"), "obs")
    limit = or_default(settings).beneficiaries.nearest_limit
    aux = obs.loc[obs["indicator"].str.startswith("x_")]
    values, method, brackets = {}, {}, {}
    grid = pd.MultiIndex.from_product([countries, list(years)])
    for aux_id, part in aux.groupby("indicator"):
        wide = (
            part.groupby(["country", "year"])["value"].last().reindex(grid).unstack().astype(float)
        )
        observed = wide.notna()
        inside = wide.interpolate(axis=1, limit_area="inside")
        filled = inside.ffill(axis=1, limit=limit).bfill(axis=1, limit=limit)
        # numpy, not DataFrame.mask on strings: a tenth of the time of the estimate.
        seen, within = observed.to_numpy(), inside.notna().to_numpy()
        interp = within & ~seen
        how = np.where(seen, "observed", np.where(within, "interpolated",
                       np.where(filled.notna().to_numpy(), "nearest", "")))  # fmt: skip
        kind = pd.DataFrame(how, index=wide.index, columns=wide.columns, dtype=object)
        prev, nxt = wide.ffill(axis=1), wide.bfill(axis=1)
        lo = filled.mask(interp, np.minimum(prev, nxt))
        hi = filled.mask(interp, np.maximum(prev, nxt))
        values[aux_id], method[aux_id], brackets[aux_id] = filled, kind, (lo, hi)
    return values, method, brackets


def estimate(
    assessment: pd.DataFrame,
    obs: pd.DataFrame,
    catalogue: Catalogue,
    denominators: pd.DataFrame | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """People covered at baseline and latest year, and the decomposition of the change.

    Parameters
    ----------
    assessment : pandas.DataFrame
        ``trends.assess`` output (``country``, ``indicator``, ``baseline_year``,
        ``baseline_value``, ``latest_year``, ``latest_value``).
    obs : pandas.DataFrame
        Observations including the auxiliary ``x_`` series (``review.load_review`` keeps
        them; ``store.for_analysis`` of the store has them).
    denominators : pandas.DataFrame, optional
        :func:`load_denominators` (default: the project's table).
    settings : Settings, optional
        Method settings (default :func:`mtr_analysis.settings.default_settings`):
        ``beneficiaries.nearest_limit``, see :func:`denominator_tables`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, one row per country × rate indicator with a baseline and a
        latest value distinct in time. ``low``/``high`` bound ``change`` when a
        denominator had to be interpolated or the rates carry bounds (NaN otherwise).
        ``flags`` lists ``denominator_interpolated``, ``denominator_nearest_year``,
        ``denominator_approximated``, ``rate_bounds`` and ``no_denominator_data``
        (``;``-separated).

    Notes
    -----
    See the module docstring for the formulas; the decomposition adds up exactly. Range:
    an interpolated denominator ``D_t`` is replaced by the observed values that bracket it
    (``D_t,lo``, ``D_t,hi``), and a rate with published bounds by its bounds (``r_t,lo``,
    ``r_t,hi``; UN SDG ``LowerBound``/``UpperBound``); then
    ``change ∈ [r_l,lo/s·D_l,lo − r_b,hi/s·D_b,hi, r_l,hi/s·D_l,hi − r_b,lo/s·D_b,lo]``.
    """
    require_columns(
        assessment,
        ("country", "indicator", "baseline_year", "baseline_value", "latest_year", "latest_value"),
        "assessment",
    )
    den = denominators if denominators is not None else load_denominators(catalogue)
    a = _rate_rows(assessment, den)
    if a.empty:
        return pd.DataFrame(columns=COLUMNS)
    countries = sorted(a["country"].unique())
    tables = denominator_tables(obs, countries, _grid_years(a, obs), settings)
    rows = []
    for name, d in DENOMINATORS.items():
        part = a.loc[a["indicator"].map(den["denominator"]).eq(name)]
        if not part.empty:
            rows.append(_with_denominator(part, d, *tables))
    return _head_counts(pd.concat(rows).sort_index(), obs, catalogue, den)


def _rate_rows(assessment: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """Assessment rows of rate indicators with a baseline strictly before the latest year."""
    a = assessment.loc[assessment["baseline_year"].notna() & assessment["latest_year"].notna()]
    a = a.loc[a["baseline_year"] < a["latest_year"]]
    return a.loc[a["indicator"].map(den["kind"]).fillna("none").ne("none")].copy()


def _grid_years(a: pd.DataFrame, obs: pd.DataFrame) -> range:
    """Years of the denominator grid: the estimates' years and the auxiliary series' years,
    so that interpolation sees both neighbours."""
    aux_years = obs.loc[obs["indicator"].str.startswith("x_"), "year"]
    first = min(int(a["baseline_year"].min()), int(aux_years.min()) if len(aux_years) else 9999)
    last = max(int(a["latest_year"].max()), int(aux_years.max()) if len(aux_years) else 0)
    return range(first, last + 1)


def _lookup(table: pd.DataFrame, countries: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``table.at[c, y]`` for each pair of ``countries`` and ``years`` (vectorised)."""
    rows = table.index.get_indexer(countries)
    cols = table.columns.get_indexer(years)
    if (rows < 0).any() or (cols < 0).any():
        raise KeyError("country or year outside the denominator grid")
    return table.to_numpy()[rows, cols]


def _with_denominator(
    part: pd.DataFrame,
    d: Denominator,
    values: dict[str, pd.DataFrame],
    method: dict[str, pd.DataFrame],
    brackets: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
) -> pd.DataFrame:
    """``part`` with the denominator at both years (``_D_b``, ``_D_l``), its brackets
    (``_lo_*``, ``_hi_*``), the flags and the formula text."""
    if any(n not in values for n in d.needs):
        nan = {c: np.nan for c in ("_D_b", "_D_l", "_lo_b", "_hi_b", "_lo_l", "_hi_l")}
        return part.assign(**nan, _flags="no_denominator_data", denominator_series=d.text)
    table = d.formula({n: values[n] for n in d.needs})
    lo = d.formula({n: brackets[n][0] for n in d.needs})
    hi = d.formula({n: brackets[n][1] for n in d.needs})
    ci = part["country"].to_numpy()
    by = part["baseline_year"].astype(int).to_numpy()
    ly = part["latest_year"].astype(int).to_numpy()

    def at(t: pd.DataFrame, years: np.ndarray) -> np.ndarray:
        return _lookup(t, ci, years).astype(float)

    how = [_lookup(method[n], ci, years) for n in d.needs for years in (by, ly)]
    flags = {
        "denominator_interpolated": np.logical_or.reduce([h == "interpolated" for h in how]),
        "denominator_nearest_year": np.logical_or.reduce([h == "nearest" for h in how]),
        "denominator_approximated": np.full(len(part), d.approximated),
        "no_denominator_data": np.isnan(at(table, by)) | np.isnan(at(table, ly)),
    }
    text = [";".join(f for f, on in zip(flags, row) if on) for row in zip(*flags.values())]
    return part.assign(
        _D_b=at(table, by), _D_l=at(table, ly), _lo_b=at(lo, by), _hi_b=at(hi, by),
        _lo_l=at(lo, ly), _hi_l=at(hi, ly), _flags=text, denominator_series=d.text,
    )  # fmt: skip


def _head_counts(
    df: pd.DataFrame, obs: pd.DataFrame, catalogue: Catalogue, den: pd.DataFrame
) -> pd.DataFrame:
    """People, change, decomposition, range and averted per row (module docstring)."""
    scale = df["indicator"].map(catalogue.indicators["unit"]).map(_scale).astype(float)
    r_b, r_l = df["baseline_value"] / scale, df["latest_value"] / scale
    people_b, people_l = r_b * df["_D_b"], r_l * df["_D_l"]
    bounds = _rate_bounds(obs, df)
    lo_b = (bounds["lower_b"] / scale).fillna(r_b)
    hi_b = (bounds["upper_b"] / scale).fillna(r_b)
    lo_l = (bounds["lower_l"] / scale).fillna(r_l)
    hi_l = (bounds["upper_l"] / scale).fillna(r_l)
    has_bounds = bounds.notna().any(axis=1)
    flags = df["_flags"].where(~has_bounds, (df["_flags"] + ";rate_bounds").str.lstrip(";"))
    ranged = flags.str.contains("denominator_interpolated") | has_bounds
    low = (lo_l * df["_lo_l"] - hi_b * df["_hi_b"]).where(ranged)
    high = (hi_l * df["_hi_l"] - lo_b * df["_lo_b"]).where(ranged)
    kind = df["indicator"].map(den["kind"])
    # Whole persons, parts rounded first and the totals derived from them, so that every
    # written row adds up exactly (a float format of 6 significant digits did not).
    people_b, people_l = _persons(people_b), _persons(people_l)
    change = people_l - people_b
    due_to_population = _persons(r_b * (df["_D_l"] - df["_D_b"]))
    due_to_rate = change - due_to_population
    # Averted = (r_b − r_l)·D_l is minus the rate part: written as exactly its negative so
    # the two columns never disagree by a rounding person; the range is widened to hold the
    # derived change (it can move by one person from the exact formula).
    averted = (-due_to_rate).where(kind.isin(AVERTING_KINDS).to_numpy())
    low = _persons(low).where(lambda x: x.isna() | (x <= change), change)
    high = _persons(high).where(lambda x: x.isna() | (x >= change), change)
    out = pd.DataFrame(
        {
            "country": df["country"],
            "indicator": df["indicator"],
            "baseline_year": df["baseline_year"].astype("Int64"),
            "latest_year": df["latest_year"].astype("Int64"),
            "people_baseline": people_b,
            "people_latest": people_l,
            "change": change,
            "change_due_to_rate": due_to_rate,
            "change_due_to_population": due_to_population,
            "low": low,
            "high": high,
            "denominator_series": df["denominator_series"],
            "flags": flags,
            "kind": kind,
            "averted": averted,
        }
    )
    return out[COLUMNS].reset_index(drop=True)


def _persons(values: pd.Series) -> pd.Series:
    """Whole persons (nearest integer, halves to even) as ``Int64``; NaN stays missing.

    Integers are written with all their digits whatever the CSV float format, and sums of
    them are exact.
    """
    return pd.Series(np.round(values.to_numpy(dtype=np.float64)), index=values.index).astype(
        "Int64"
    )


def _rate_bounds(obs: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Lower/upper bounds of the rates at the baseline and latest years, from ``obs``.

    Bounds come from sources that publish them (UN SDG ``LowerBound``/``UpperBound``);
    NaN where there are none (or ``obs`` has no bound columns).
    """
    cols = ["lower_b", "upper_b", "lower_l", "upper_l"]
    if not {"lower", "upper"} <= set(obs.columns):
        return pd.DataFrame(np.nan, index=rows.index, columns=cols)
    has = obs.loc[obs["lower"].notna() | obs["upper"].notna()]
    table = has.groupby(["country", "indicator", "year"])[["lower", "upper"]].last()
    out = {}
    for suffix, year_col in (("b", "baseline_year"), ("l", "latest_year")):
        key = pd.MultiIndex.from_arrays(
            [rows["country"], rows["indicator"], rows[year_col].astype("int64")]
        )
        found = table.reindex(key)
        out[f"lower_{suffix}"] = found["lower"].to_numpy()
        out[f"upper_{suffix}"] = found["upper"].to_numpy()
    return pd.DataFrame(out, index=rows.index)[cols]


def regional_totals(benef: pd.DataFrame, obs: pd.DataFrame, countries: list[str]) -> pd.DataFrame:
    """Sums over member states per indicator, with the population coverage of the sum.

    ``population_coverage`` = population (latest year of each estimate) of the countries in
    the sum ÷ population of all ``countries`` in the same years; NaN without population.
    Only estimates without ``no_denominator_data`` enter the sums.
    """
    ok = benef.loc[~benef["flags"].str.contains("no_denominator_data")]
    sums = ok.groupby("indicator")[
        ["people_baseline", "people_latest", "change", "change_due_to_rate",
         "change_due_to_population", "averted"]
    ].sum(min_count=1)  # fmt: skip
    sums.insert(0, "n_countries", ok.groupby("indicator")["country"].nunique())
    pop = obs.loc[obs["indicator"].eq("x_population") & obs["country"].isin(countries)]
    pop = pop.groupby(["country", "year"])["value"].last()
    cover = {}
    for ind, part in ok.groupby("indicator"):
        year = int(part["latest_year"].max())
        at_year = pop.xs(year, level="year") if year in pop.index.get_level_values(1) else None
        if at_year is None or at_year.sum() == 0:
            cover[ind] = np.nan
        else:
            cover[ind] = float(at_year.reindex(part["country"]).sum() / at_year.sum())
    sums["population_coverage"] = pd.Series(cover)
    return sums.reset_index()
