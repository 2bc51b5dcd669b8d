"""The review's tables: the machine-readable CSV files and the tables a report shows.

:func:`write_review_tables` writes ``assessment.csv`` and ``aggregates.csv`` into a review's
output folder. The bytes depend only on the data: rows in a fixed order, floats with a
fixed format, ``"\\n"`` line endings and UTF-8 without BOM, so two runs on the same store
give identical files that can be compared or checksummed.

The other functions build one report table each from a
:class:`~mtr_analysis.analysis.review.ReviewData` (key numbers, coverage, gaps, statuses,
the national comparison, the ESCAP rule, definitions, sources, the data, aggregates and
beneficiaries), as plain DataFrames with codes rather than words;
:func:`mtr_analysis.reporting.html.table` translates, formats and escapes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mtr_analysis import provenance
from mtr_analysis.analysis import beneficiaries, gaps
from mtr_analysis.analysis.aggregates import regional_aggregates
from mtr_analysis.analysis.review import ReviewData, beneficiary_estimates
from mtr_analysis.analysis.status import (
    ASSESSABLE,
    NEEDS_ACCELERATION,
    ON_TRACK,
    REGRESSING,
    shown_statuses,
)
from mtr_analysis.analysis.trends import ASSESSMENT_COLUMNS
from mtr_analysis.csv_safety import neutralise
from mtr_analysis.intake.schema import require_columns
from mtr_analysis.paths import AGGREGATES_FILE, ASSESSMENT_FILE
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.reporting import i18n
from mtr_analysis.settings import Settings, default_settings

#: printf format of every float in the tables (6 significant digits).
FLOAT_FORMAT = "%.6g"


#: Columns of ``assessment.csv`` after :data:`~mtr_analysis.analysis.trends.ASSESSMENT_COLUMNS`
#: (issue 10): the method and its edition, the point judged (the target year's value when
#: it has passed), the base progress is measured from (ESCAP: 2015), the Current Status
#: Index, and the robustness code (``""`` when the assessment has no robustness columns).
ASSESSMENT_CSV_EXTRA: list[str] = [
    "method",
    "method_edition",
    "assessed_year",
    "assessed_value",
    "reference_year",
    "reference_value",
    "current_status",
    "robustness",
]


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
        Columns :data:`mtr_analysis.analysis.trends.ASSESSMENT_COLUMNS` then
        :data:`ASSESSMENT_CSV_EXTRA`, rows sorted by country code, then catalogue order of
        the indicator; index 0…n−1.

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
    for column in ASSESSMENT_CSV_EXTRA:  # assessments from before issue 10 lack some
        if column not in frame.columns:
            frame[column] = pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[ASSESSMENT_COLUMNS + ASSESSMENT_CSV_EXTRA].reset_index(drop=True)


def _min_coverage(settings: Settings | None) -> float:
    """Share of the population reporting countries must hold for a weighted mean (fraction)."""
    return (settings or default_settings()).aggregates.min_coverage


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic CSV bytes: :data:`FLOAT_FORMAT`, ``""`` for missing, ``"\\n"``, UTF-8.

    Negative zeros are written as ``0``; text cells that a spreadsheet would run as a
    formula get a leading ``'`` (:func:`mtr_analysis.csv_safety.neutralise`).
    """
    out = neutralise(frame)
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
    settings: Settings | None = None,
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
    settings : mtr_analysis.settings.Settings, optional
        Method settings (default: ``config/methods.yaml``); gives the aggregates' coverage
        rule (``aggregates.min_coverage``).

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
        "aggregates": regional_aggregates(obs, catalogue, countries, settings=settings),
    }
    paths = {"assessment": out_dir / ASSESSMENT_FILE, "aggregates": out_dir / AGGREGATES_FILE}
    for name, frame in tables.items():
        paths[name].write_bytes(to_csv_bytes(frame))
    return paths


# --------------------------------------------------------------------------- report tables
def data_vintage(obs: pd.DataFrame) -> str:
    """Vintage of the data behind a report (:func:`mtr_analysis.provenance.source_vintage`)."""
    if "source" not in obs or obs.empty:
        return ""
    return provenance.source_vintage(obs["source"].dropna().astype(str).unique())


def key_numbers(data: ReviewData, country: str | None = None) -> pd.DataFrame:
    """Headline counts of a country profile (``country``) or of the regional synthesis.

    Returns
    -------
    pandas.DataFrame
        Columns ``key`` (a key of :data:`mtr_analysis.reporting.i18n.TEXT`, ``kn_*``) and ``value``
        (int, or a share as ``"k of n"`` text for the regional ESCAP count).
    """
    a = data.assessment
    av = data.availability
    if country is not None:
        a = a.loc[a["country"] == country]
        av = av.loc[av["country"] == country]
    status = a["status"].astype(str)
    rows: list[tuple[str, object]] = []
    if country is None:
        escap = gaps.regional_assessability(av, settings=data.settings)
        rows += [
            ("kn_countries", len(data.countries)),
            ("kn_indicators", len(data.catalogue.indicators)),
            ("kn_escap", f"{int(escap['assessable'].sum())} / {len(escap)}"),
            ("kn_pairs", int(status.isin(ASSESSABLE).sum())),
        ]
    else:
        rows += [
            ("kn_indicators", len(data.catalogue.indicators)),
            ("kn_with_data", int((av["n_obs"] > 0).sum())),
            ("kn_assessable", int(status.isin(ASSESSABLE).sum())),
        ]
    rows += [
        ("kn_on_track", int(status.isin(ON_TRACK).sum())),
        ("kn_acceleration", int(status.isin(NEEDS_ACCELERATION).sum())),
        ("kn_regressing", int(status.isin(REGRESSING).sum())),
        ("kn_gaps", int(av["gap_category"].astype(str).ne("sufficient").sum())),
    ]
    if country is not None:
        rows.append(("kn_breaks", int(av["has_break"].fillna(False).astype(bool).sum())))
        latest = av["latest_year"].dropna()
        rows.append(("kn_latest", int(latest.max()) if len(latest) else "–"))
    return pd.DataFrame(rows, columns=["key", "value"])


def _names(catalogue: Catalogue, ids: pd.Series, lang: str = "en") -> pd.Series:
    """Indicator names in ``lang`` (:func:`~mtr_analysis.reporting.i18n.indicator_name`)."""
    return ids.astype(str).map(lambda i: i18n.indicator_name(catalogue, i, lang))


def _units(catalogue: Catalogue, ids: pd.Series, lang: str = "en") -> pd.Series:
    return ids.astype(str).map(lambda i: i18n.indicator_unit(catalogue, i, lang))


def coverage_table(data: ReviewData, country: str | None = None) -> pd.DataFrame:
    """Gap categories per characteristic, then per element (country, or all countries).

    Returns
    -------
    pandas.DataFrame
        ``level`` ("A" for a characteristic, "A.1" for an element, in that order),
        ``title``, one count column per gap category, ``n_pairs`` and ``share_assessable``
        (fraction).
    """
    av = data.availability
    if country is not None:
        av = av.loc[av["country"] == country]
    cat = data.catalogue
    by_char = gaps.rollup(av, cat, by="characteristic").rename(columns={"characteristic": "level"})
    by_char["title"] = by_char["level"].map(cat.characteristics["name"])
    by_el = gaps.rollup(av, cat, by="element").rename(columns={"element": "level"})
    by_el["title"] = by_el["level"].map(cat.elements["title"])
    both = pd.concat([by_char, by_el], ignore_index=True)
    both["_order"] = both["level"].astype(str)
    both = both.sort_values("_order", kind="stable").drop(columns="_order")
    cols = ["level", "title", *gaps.GAP_CATEGORIES, "n_pairs", "share_assessable"]
    return both[cols].reset_index(drop=True)


def serious_gaps(data: ReviewData, country: str, limit: int = 15, lang: str = "en") -> pd.DataFrame:
    """The most serious data gaps of a member state.

    Indicators that are not ``sufficient``, those with a target first, then by severity
    (no data, single data point, stale), then in catalogue order; at most ``limit`` rows.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` (name), ``element``, ``gap_category``, ``n_obs``, ``latest_year``,
        ``target_value``.
    """
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a positive integer; got {limit!r}")
    cat = data.catalogue
    av = data.availability.loc[
        (data.availability["country"] == country)
        & data.availability["gap_category"].astype(str).ne("sufficient")
    ].copy()
    ids = av["indicator"].astype(str)
    av["target_value"] = ids.map(cat.indicators["target_value"])
    av["_no_target"] = av["target_value"].isna()
    av["_severity"] = (
        av["gap_category"].astype(str).map({"no_data": 0, "single_point": 1, "stale": 2})
    )
    av["_pos"] = ids.map({k: i for i, k in enumerate(cat.indicators.index)})
    av = av.sort_values(["_no_target", "_severity", "_pos"], kind="stable").head(limit)
    out = pd.DataFrame(
        {
            "indicator": _names(cat, av["indicator"], lang).to_numpy(),
            "element": av["indicator"].astype(str).map(cat.indicators["element"]).to_numpy(),
            "gap_category": av["gap_category"].astype(str).to_numpy(),
            "n_obs": av["n_obs"].to_numpy(),
            "latest_year": av["latest_year"].to_numpy(),
            "target_value": av["target_value"].to_numpy(),
        }
    )
    return out


def status_table(data: ReviewData, country: str, lang: str = "en") -> pd.DataFrame:
    """Status of every catalogue indicator of a member state, in catalogue order.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` (name), ``element``, ``unit``, ``baseline_year``, ``baseline_value``,
        ``latest_year``, ``latest_value``, ``cagr`` (fraction), ``target_value``,
        ``status`` and ``robustness`` (a ``†`` marker where the status group differs between
        methods, baseline years or data vintages, explained by the text
        ``robustness_marker``; empty otherwise or without robustness columns).
    """
    cat = data.catalogue
    a = data.assessment.loc[data.assessment["country"] == country].copy()
    a["_pos"] = a["indicator"].astype(str).map({k: i for i, k in enumerate(cat.indicators.index)})
    a = a.sort_values(["characteristic", "element", "_pos"], kind="stable")
    return pd.DataFrame(
        {
            "indicator": _names(cat, a["indicator"], lang).to_numpy(),
            "element": a["element"].astype(str).to_numpy(),
            "unit": _units(cat, a["indicator"], lang).to_numpy(),
            "baseline_year": a["baseline_year"].to_numpy(),
            "baseline_value": a["baseline_value"].to_numpy(),
            "latest_year": a["latest_year"].to_numpy(),
            "latest_value": a["latest_value"].to_numpy(),
            "cagr": a["cagr"].to_numpy(),
            "target_value": a["target_value"].to_numpy(),
            "status": a["status"].astype(str).to_numpy(),
            "robustness": _robustness_marker(a),
        }
    )


#: Robustness codes marked ``†`` in the status tables (the status is not the same under
#: every method, baseline year ±1 and data vintage tried).
SENSITIVE = ("method_sensitive", "baseline_sensitive", "vintage_sensitive")


def _robustness_marker(a: pd.DataFrame) -> np.ndarray:
    """``"†"`` where the robustness code is a sensitive one, ``""`` otherwise."""
    if "robustness" not in a.columns:
        return np.full(len(a), "", dtype=object)
    return np.where(a["robustness"].astype(str).isin(SENSITIVE), "†", "").astype(object)


def status_counts(data: ReviewData, by: str = "characteristic") -> pd.DataFrame:
    """Counts of country × indicator pairs per status (:data:`~mtr_analysis.analysis.status.STATUS_ORDER` order) per group.

    The status columns are those of the assessment's method
    (:func:`~mtr_analysis.analysis.status.shown_statuses`): ESCAP's classes for ESCAP.

    ``by`` is ``"characteristic"``, ``"element"`` or ``"country"``; groups are labelled
    ``"A. Inclusive"``-style for characteristics, ``"A.1 title"`` for elements and by the
    member state's ISO3 code for countries. A last row holds the totals. With the
    assessment's ``robustness`` column, a last column ``robust`` counts the judged statuses
    that are the same under every method, baseline year ±1 and vintage tried.
    """
    if by not in ("characteristic", "element", "country"):
        raise ValueError(f"by must be 'characteristic', 'element' or 'country'; got {by!r}")
    a = data.assessment
    counts = pd.crosstab(a[by].astype(str), a["status"].astype(str))
    methods = set(a["method"].dropna().astype(str)) if "method" in a.columns else set()
    shown = shown_statuses(methods, set(a["status"].dropna().astype(str)))
    counts = counts.reindex(columns=shown, fill_value=0).sort_index()
    if "robustness" in a.columns:
        robust = a["robustness"].astype(str).eq("robust").groupby(a[by].astype(str)).sum()
        counts["robust"] = robust.reindex(counts.index, fill_value=0).astype(np.int64)
    counts.loc["Σ"] = counts.sum(axis=0)
    counts.index.name = by
    return counts.reset_index()


def national_comparison(data: ReviewData, lang: str = "en") -> pd.DataFrame:
    """Per member state: indicators on track, needing acceleration, regressing, and gaps.

    Returns
    -------
    pandas.DataFrame
        ``country`` (display name in ``lang``), ``on_track_or_met``,
        ``needs_acceleration``, ``regressing``, ``not_assessable`` (too few or no values),
        ``share_assessable`` and ``share_sufficient`` (fractions), in the order of
        ``data.countries``.
    """
    a = data.assessment
    status = a["status"].astype(str)
    grouped = pd.DataFrame(
        {
            "country": a["country"].astype(str),
            "on_track_or_met": status.isin(ON_TRACK),
            "needs_acceleration": status.isin(NEEDS_ACCELERATION),
            "regressing": status.isin(REGRESSING),
            "not_assessable": ~status.isin(ASSESSABLE),
        }
    ).groupby("country")
    out = grouped.sum().astype(int)
    roll = gaps.rollup(data.availability, data.catalogue, by="country").set_index("country")
    out["share_assessable"] = roll["share_assessable"]
    out["share_sufficient"] = roll["share_sufficient"]
    out = out.reindex(data.countries).reset_index()
    out["country"] = [registry.display_name(c, lang) for c in out["country"]]
    return out


def escap_table(data: ReviewData, lang: str = "en") -> pd.DataFrame:
    """ESCAP rule per indicator: member states with two or more values, and the verdict."""
    escap = gaps.regional_assessability(data.availability, settings=data.settings)
    escap = escap.assign(name=_names(data.catalogue, escap["indicator"], lang))
    keep = ["name", "n_countries", "n_with_min_points", "share", "assessable"]
    return escap[keep].rename(columns={"name": "indicator"}).reset_index(drop=True)


def definitions_table(
    data: ReviewData, indicators: Iterable[str] | None = None, lang: str = "en"
) -> pd.DataFrame:
    """Catalogue definitions: id, name, unit, desirable direction, element, SDG and target."""
    table = data.catalogue.indicators
    ids = list(indicators) if indicators is not None else list(table.index)
    cols = ["id", "name", "unit", "direction", "element", "sdg", "target_value", "target_year",
            "target_source"]  # fmt: skip
    frame = table.loc[[i for i in ids if i in table.index]]
    frame = frame.assign(
        name=_names(data.catalogue, frame["id"], lang),
        unit=_units(data.catalogue, frame["id"], lang),
    )
    return frame[[c for c in cols if c in frame]].reset_index(drop=True)


def _source_refs(obs: pd.DataFrame) -> dict[str, str]:
    """Short reference ("S1", "S2", ...) of each source, in sorted order of the sources."""
    names = sorted(set(obs["source"].astype(str)))
    return {name: f"S{k}" for k, name in enumerate(names, start=1)}


def sources_table(data: ReviewData, country: str | None = None) -> pd.DataFrame:
    """Sources behind the values with their vintage, number of values and years covered.

    Returns
    -------
    pandas.DataFrame
        ``ref`` (the short reference used by :func:`data_table`), ``source`` (as in the
        data files), ``vintage`` (:func:`data_vintage` of that source), ``n_values``,
        ``n_indicators``, ``years`` ("2000–2020").
    """
    obs = data.observations
    if country is not None:
        obs = obs.loc[obs["country"] == country]
    refs = _source_refs(obs)
    rows = []
    for source, grp in obs.groupby(obs["source"].astype(str), sort=True):
        years = grp["year"].astype(int)
        rows.append(
            {
                "ref": refs[source],
                "source": source,
                "vintage": data_vintage(grp),
                "n_values": len(grp),
                "n_indicators": grp["indicator"].nunique(),
                "years": f"{years.min()}–{years.max()}",
            }
        )
    cols = ["ref", "source", "vintage", "n_values", "n_indicators", "years"]
    return pd.DataFrame(rows, columns=cols)


def data_table(data: ReviewData, country: str) -> pd.DataFrame:
    """Every value used for a member state, with flag, note, file and cell or row.

    The source is given by its short reference (``ref``) in :func:`sources_table` for the
    same country, which keeps the long source names out of a long table.
    """
    cols = ["indicator", "year", "value", "unit", "ref", "flag", "note", "file", "locator"]
    obs = data.observations.loc[data.observations["country"] == country]
    obs = obs.sort_values(["indicator", "year"], kind="stable")
    obs = obs.assign(ref=obs["source"].astype(str).map(_source_refs(obs)))
    return obs[[c for c in cols if c in obs]].reset_index(drop=True)


def aggregates_summary(data: ReviewData, lang: str = "en") -> pd.DataFrame:
    """Regional aggregates at the baseline and the latest year, with their coverage.

    Uses :func:`mtr_analysis.analysis.aggregates.regional_aggregates` (unweighted mean and
    median from ``aggregates.min_reporting`` members; weighted mean, each indicator weighted
    by its own denominator, published under the two-thirds coverage rule) and keeps, per
    indicator, the year closest to the baseline (later year on ties) and the latest year.

    Returns
    -------
    pandas.DataFrame
        One row per catalogue indicator with any value, in catalogue order: ``indicator``
        (name), ``element``, ``unit``, ``agg_year0``, ``agg_mean0``, ``agg_year1``, ``agg_mean1``,
        ``agg_median1``, ``agg_weighted1`` (NaN when not published), ``agg_weight`` (the
        weight used, in ``lang``: "live births", "total population"…), ``agg_reporting``
        ("k of n" member states reporting in the latest year) and ``agg_weight_coverage``
        (fraction of the group's weight they hold).
    """
    cols = ["indicator", "element", "unit", "agg_year0", "agg_mean0", "agg_year1", "agg_mean1",
            "agg_median1", "agg_weighted1", "agg_weight", "agg_reporting",
            "agg_weight_coverage"]  # fmt: skip
    # Imported here so that a report still renders (with a notice) without the module.
    from mtr_analysis.analysis import aggregates

    agg = aggregates.regional_aggregates(
        data.observations, data.catalogue, data.countries, settings=data.settings
    )
    if agg.empty:
        return pd.DataFrame(columns=cols)
    agg = agg.assign(indicator=agg["indicator"].astype(str))
    score = 2 * (agg["year"] - data.baseline_year).abs() + (agg["year"] < data.baseline_year)
    first = agg.assign(_s=score).sort_values(["indicator", "_s"], kind="stable")
    first = first.drop_duplicates("indicator").set_index("indicator")
    last = agg.sort_values(["indicator", "year"], kind="stable").drop_duplicates(
        "indicator", keep="last"
    )
    last = last.set_index("indicator")
    order = [i for i in data.catalogue.indicators.index if i in last.index]
    first, last = first.reindex(order), last.reindex(order)
    table = data.catalogue.indicators
    out = pd.DataFrame(
        {
            "indicator": [i18n.indicator_name(data.catalogue, i, lang) for i in order],
            "element": [str(table.at[i, "element"]) for i in order],
            "unit": [i18n.indicator_unit(data.catalogue, i, lang) for i in order],
            "agg_year0": first["year"].to_numpy(),
            "agg_mean0": first["mean"].to_numpy(),
            "agg_year1": last["year"].to_numpy(),
            "agg_mean1": last["mean"].to_numpy(),
            "agg_median1": last["median"].to_numpy(),
            "agg_weighted1": last["weighted_mean"].to_numpy(),
            "agg_weight": [_weight_words(w, lang) for w in last["weight"]],
            "agg_reporting": [
                f"{int(k)} / {int(n)}"
                for k, n in zip(last["n_reporting"], last["n_members"], strict=True)
            ],
            "agg_weight_coverage": last["weight_coverage"].to_numpy(),
        }
    )
    return out[cols]


def _weight_words(weight: object, lang: str) -> str:
    """Display name of an aggregate weight (``weight_<name>`` words; else the name)."""
    key = f"weight_{weight}"
    return i18n.text(key, lang) if key in i18n.TEXT[i18n.check_lang(lang)] else str(weight)


_BENEFICIARY_COLUMNS = ["indicator", "name", "baseline_year", "latest_year", "people_baseline",
                        "people_latest", "change", "change_due_to_rate",
                        "change_due_to_population", "averted", "flags"]  # fmt: skip


def beneficiaries_table(
    data: ReviewData, country: str | None = None, lang: str = "en"
) -> pd.DataFrame:
    """Estimates for one country (or regional totals with coverage when ``None``)."""
    est = beneficiary_estimates(data)
    if country is None:
        out = beneficiaries.regional_totals(est, data.observations, data.countries)
        return out.assign(name=_names(data.catalogue, out["indicator"], lang))[
            [
                "indicator",
                "name",
                "n_countries",
                "people_baseline",
                "people_latest",
                "change",
                "change_due_to_rate",
                "change_due_to_population",
                "averted",
                "population_coverage",
            ]  # fmt: skip
        ]
    est = est.loc[est["country"].eq(country)]
    return est.assign(name=_names(data.catalogue, est["indicator"], lang))[_BENEFICIARY_COLUMNS]
