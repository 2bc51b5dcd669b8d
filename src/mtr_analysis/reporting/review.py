"""Everything a report notebook shows, one call per block, in English or Vietnamese.

Notebooks stay thin: they call :func:`load_review` once, then one function per block of the
report — a heading (:func:`section`), key numbers, a table (:func:`table` of a frame built
here), a figure (:func:`mtr_analysis.reporting.figures.render`) or findings (:func:`findings_html`) —
and the result shows as the cell's output.

All text that comes from data files (source names, notes, file names, error messages) is
HTML-escaped here: tables go through :func:`table` (escaping pandas ``Styler``) and
headings, banners and findings through :func:`html.escape`. Words of the report come from
:mod:`mtr_analysis.reporting.i18n`, so ``lang="vi"`` translates headings, labels and table headers.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mtr_analysis import provenance
from mtr_analysis.analysis import beneficiaries, gaps, trends
from mtr_analysis.intake import store
from mtr_analysis.paths import OBSERVATIONS_FILE
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.reporting import i18n, tables
from mtr_analysis.reporting.findings import (
    ASSESSABLE,
    NEEDS_ACCELERATION,
    ON_TRACK,
    REGRESSING,
    STATUS_LABELS,
    STATUSES,
    Finding,
    findings_to_json,
    format_number,
)

DEMO_BANNER = "Demo data — synthetic, not official statistics"
DEMO_BANNER_VI = "Dữ liệu minh họa — số liệu tổng hợp, không phải số liệu thống kê chính thức"
#: Kept for callers of earlier versions; see :data:`mtr_analysis.run.provenance.PACKAGES`.
PACKAGES = provenance.PACKAGES
#: Years since the latest value after which a series counts as stale (``gaps``' default).
STALE_AFTER = 3
FINDINGS_DIR = "findings"
REGIONAL_NAME = "regional"

_STATUS_COLOURS = {  # same colours as the charts (figures.STATUS_COLOURS)
    "target_met": "#01665e",
    "on_track": "#5ab4ac",
    "moderate_progress": "#f6d55c",
    "marginal_progress": "#ef8a3c",
    "stagnation": "#bf9b7a",
    "regression": "#b2182b",
    "insufficient_data": "#bdbdbd",
    "no_data": "#f0f0f0",
}
_YEAR_COLUMNS = frozenset(
    {"year", "first_year", "baseline_year", "latest_year", "target_year", "agg_year0", "agg_year1"}
)
_PERCENT_COLUMNS = frozenset(
    {
        "cagr",
        "share_sufficient",
        "share_assessable",
        "share",
        "agg_weight_coverage",
        "population_coverage",
    }  # fmt: skip
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_DIRECTION_KEYS = {"increase": "higher_better", "decrease": "lower_better"}


class Html(str):
    """A string of (already escaped) HTML that notebooks display as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


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
        :func:`trends.assess` of ``availability``.
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
        (:func:`mtr_analysis.run.provenance.country_data_hashes`).
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

    Returns
    -------
    ReviewData
    """
    cat = load_catalogue()
    countries = list(countries or registry.iso3_codes())
    obs_all = store.read_store(data_dir)
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
        stale_after=STALE_AFTER,
    )
    assessment = trends.assess(avail, cat)
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
    )


# --------------------------------------------------------------------------- text blocks
def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def demo_banner_html(demo: bool, lang: str = "en") -> str:
    """A prominent HTML banner for reports made from demo data ("" otherwise)."""
    i18n.check_lang(lang)
    if not demo:
        return ""
    text = DEMO_BANNER_VI if lang == "vi" else DEMO_BANNER
    return f'<div class="mtr-demo" role="alert">⚠ {_esc(text)}</div>'


def heading(text: str, anchor: str, level: int = 2) -> Html:
    """An HTML heading with a stable ``id`` (the report's table of contents links to it).

    Parameters
    ----------
    text : str
        Heading text (escaped here).
    anchor : str
        The ``id``; letters, digits, ``-`` and ``_`` only.
    level : int
        1 to 4.
    """
    if level not in (1, 2, 3, 4):
        raise ValueError(f"level must be 1, 2, 3 or 4; got {level!r}")
    if not _NAME.match(anchor):
        raise ValueError(f"anchor must be letters, digits, '-' or '_'; got {anchor!r}")
    return Html(f'<h{level} id="{anchor}">{_esc(text)}</h{level}>')


def section(
    key: str, lang: str = "en", level: int = 2, lead: str | None = None, **fields: object
) -> Html:
    """Heading of a report section in ``lang``, followed by its lead paragraph if it has one.

    Parameters
    ----------
    key : str
        A key of :data:`mtr_analysis.reporting.i18n.TEXT` (``"summary"``, ``"availability"``, ...);
        the lead paragraph is the text ``<key>_lead`` when it exists.
    lang : {"en", "vi"}
    level : int
        Heading level (2 = chapter, 3 = sub-section).
    lead : str, optional
        Key of the lead paragraph instead of ``<key>_lead``; ``""`` for none.
    **fields
        Values for placeholders of the heading or lead (e.g. ``country="Viet Nam"``).

    Returns
    -------
    Html
    """
    fields = {"lag": STALE_AFTER, **fields}
    out = heading(i18n.text(key, lang, **fields), f"sec-{key.replace('_', '-')}", level)
    lead = f"{key}_lead" if lead is None else lead
    if lead and lead in i18n.TEXT[i18n.check_lang(lang)]:
        out += f"<p>{_esc(i18n.text(lead, lang, **fields))}</p>"
    return Html(out)


def characteristic_heading(catalogue: Catalogue, code: str, lang: str = "en") -> Html:
    """``<h3>`` "A. Engages and Benefits the People" (Vietnamese name with ``lang="vi"``)."""
    chars = catalogue.characteristics
    col = "name_vi" if lang == "vi" and "name_vi" in chars else "name"
    name = str(chars.at[code, col]) if code in chars.index else str(code)
    return heading(f"{code}. {name}", f"char-{code}", 3)


def note(text: str) -> Html:
    """A short italic note (escaped)."""
    return Html(f'<p class="mtr-note">{_esc(text)}</p>')


def data_vintage(obs: pd.DataFrame) -> str:
    """Vintage of the data behind a report (:func:`mtr_analysis.run.provenance.source_vintage`)."""
    if "source" not in obs or obs.empty:
        return ""
    return provenance.source_vintage(obs["source"].dropna().astype(str).unique())


def country_header(data: ReviewData, country: str, lang: str = "en") -> Html:
    """Title, demo banner and review window line of a country profile."""
    name = registry.display_name(country, lang)
    mine = data.observations.loc[data.observations["country"] == country]
    return _header(i18n.text("country_title", lang, country=name), data, mine, lang)


def regional_header(data: ReviewData, lang: str = "en") -> Html:
    """Title, demo banner, review window line and lead paragraph of the regional synthesis."""
    out = _header(i18n.text("regional_title", lang), data, data.observations, lang)
    return Html(out + f"<p>{_esc(i18n.text('regional_lead', lang, n=len(data.countries)))}</p>")


def _header(title: str, data: ReviewData, obs: pd.DataFrame, lang: str) -> Html:
    subtitle = i18n.text(
        "subtitle",
        lang,
        blueprint=i18n.text("blueprint", lang),
        review=data.review_label(lang),
        baseline=data.baseline_year,
        cutoff=data.cutoff_year,
    )
    vintage = data_vintage(obs)
    if vintage:
        subtitle += f" · {i18n.text('vintage', lang).lower()}: {vintage}"
    return Html(
        heading(title, "title", 1)
        + demo_banner_html(data.demo, lang)
        + f'<p class="mtr-meta">{_esc(subtitle)}</p>'
    )


# --------------------------------------------------------------------------- key numbers
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
        escap = gaps.regional_assessability(av)
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


def key_numbers_html(data: ReviewData, country: str | None = None, lang: str = "en") -> Html:
    """:func:`key_numbers` as a row of cards."""
    frame = key_numbers(data, country)
    cards = "".join(
        f"<div><b>{_esc(v)}</b>{_esc(i18n.text(k, lang))}</div>"
        for k, v in zip(frame["key"], frame["value"], strict=True)
    )
    return Html(f'<div class="mtr-keynumbers">{cards}</div>')


# --------------------------------------------------------------------------- tables
def _names(catalogue: Catalogue, ids: pd.Series) -> pd.Series:
    return ids.astype(str).map(catalogue.indicators["name"]).fillna(ids.astype(str))


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


def serious_gaps(data: ReviewData, country: str, limit: int = 15) -> pd.DataFrame:
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
            "indicator": _names(cat, av["indicator"]).to_numpy(),
            "element": av["indicator"].astype(str).map(cat.indicators["element"]).to_numpy(),
            "gap_category": av["gap_category"].astype(str).to_numpy(),
            "n_obs": av["n_obs"].to_numpy(),
            "latest_year": av["latest_year"].to_numpy(),
            "target_value": av["target_value"].to_numpy(),
        }
    )
    return out


def status_table(data: ReviewData, country: str) -> pd.DataFrame:
    """Status of every catalogue indicator of a member state, in catalogue order.

    Returns
    -------
    pandas.DataFrame
        ``indicator`` (name), ``element``, ``unit``, ``baseline_year``, ``baseline_value``,
        ``latest_year``, ``latest_value``, ``cagr`` (fraction), ``target_value``,
        ``status``.
    """
    cat = data.catalogue
    a = data.assessment.loc[data.assessment["country"] == country].copy()
    a["_pos"] = a["indicator"].astype(str).map({k: i for i, k in enumerate(cat.indicators.index)})
    a = a.sort_values(["characteristic", "element", "_pos"], kind="stable")
    return pd.DataFrame(
        {
            "indicator": _names(cat, a["indicator"]).to_numpy(),
            "element": a["element"].astype(str).to_numpy(),
            "unit": a["indicator"].astype(str).map(cat.indicators["unit"]).to_numpy(),
            "baseline_year": a["baseline_year"].to_numpy(),
            "baseline_value": a["baseline_value"].to_numpy(),
            "latest_year": a["latest_year"].to_numpy(),
            "latest_value": a["latest_value"].to_numpy(),
            "cagr": a["cagr"].to_numpy(),
            "target_value": a["target_value"].to_numpy(),
            "status": a["status"].astype(str).to_numpy(),
        }
    )


def status_counts(data: ReviewData, by: str = "characteristic") -> pd.DataFrame:
    """Counts of country × indicator pairs per status (:data:`STATUSES` order) per group.

    ``by`` is ``"characteristic"``, ``"element"`` or ``"country"``; groups are labelled
    ``"A. Inclusive"``-style for characteristics, ``"A.1 title"`` for elements and by the
    member state's ISO3 code for countries. A last row holds the totals.
    """
    if by not in ("characteristic", "element", "country"):
        raise ValueError(f"by must be 'characteristic', 'element' or 'country'; got {by!r}")
    a = data.assessment
    counts = pd.crosstab(a[by].astype(str), a["status"].astype(str))
    counts = counts.reindex(columns=list(STATUSES), fill_value=0).sort_index()
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


def escap_table(data: ReviewData) -> pd.DataFrame:
    """ESCAP rule per indicator: member states with two or more values, and the verdict."""
    escap = gaps.regional_assessability(data.availability)
    escap = escap.assign(name=_names(data.catalogue, escap["indicator"]))
    keep = ["name", "n_countries", "n_with_min_points", "share", "assessable"]
    return escap[keep].rename(columns={"name": "indicator"}).reset_index(drop=True)


def definitions_table(data: ReviewData, indicators: Iterable[str] | None = None) -> pd.DataFrame:
    """Catalogue definitions: id, name, unit, desirable direction, element, SDG and target."""
    table = data.catalogue.indicators
    ids = list(indicators) if indicators is not None else list(table.index)
    cols = ["id", "name", "unit", "direction", "element", "sdg", "target_value", "target_year",
            "target_source"]  # fmt: skip
    frame = table.loc[[i for i in ids if i in table.index]]
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


def parameters_table(params: Mapping[str, Any]) -> pd.DataFrame:
    """The notebook's parameters as ``parameter`` / ``value`` rows (lists joined by commas)."""
    rows = [
        (str(k), ", ".join(map(str, v)) if isinstance(v, list | tuple) else str(v))
        for k, v in params.items()
    ]
    return pd.DataFrame(rows, columns=["parameter", "value"])


def provenance_table(data_dir: Path | str, files: Iterable[str] | None = None) -> pd.DataFrame:
    """Input files behind the store with format, counts and SHA-256 (from ``intake.json``).

    Parameters
    ----------
    data_dir : path-like
        Store folder.
    files : iterable of str, optional
        Keep only these files (paths as in the store's ``file`` column), e.g. the files a
        country's values come from.
    """
    cols = ["file", "format", "records_read", "accepted", "sha256"]
    records = provenance.read_intake(data_dir)
    if not records:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(records)
    df = df.loc[df["accepted"] > 0].rename(columns={"path": "file"})
    if files is not None:
        df = df.loc[df["file"].isin(set(map(str, files)))]
    return df[cols].sort_values("file", kind="stable").reset_index(drop=True)


def environment_table(
    data_dir: Path | str | None = None, country: str | None = None, data: ReviewData | None = None
) -> pd.DataFrame:
    """Python and package versions, git commit and data checksums for the report annex.

    Parameters
    ----------
    data_dir : path-like, optional
        Store folder; adds the SHA-256 of ``observations.parquet``.
    country : str, optional
        With ``data``: adds the hash of the country's rows (the data part of the cache key).
    data : ReviewData, optional

    Returns
    -------
    pandas.DataFrame
        ``item``, ``version``.
    """
    rows = list(provenance.package_versions().items())
    rows.append(("git commit", provenance.git_commit()))
    if data is not None and data.store_sha256:
        rows.append((OBSERVATIONS_FILE + " sha256", data.store_sha256))
    elif data_dir is not None and (Path(data_dir) / OBSERVATIONS_FILE).exists():
        rows.append((OBSERVATIONS_FILE + " sha256", provenance.file_sha256(Path(data_dir) / OBSERVATIONS_FILE)))  # fmt: skip
    if country is not None and data is not None and country in data.country_hashes:
        rows.append((f"{country} data hash", data.country_hashes[country]))
    return pd.DataFrame(rows, columns=["item", "version"])


def aggregates_summary(data: ReviewData) -> pd.DataFrame:
    """Regional aggregates at the baseline and the latest year, with their coverage.

    Uses :func:`mtr_analysis.analysis.aggregates.regional_aggregates` (unweighted mean and median,
    population-weighted mean published under the two-thirds coverage rule) and keeps, per
    indicator, the year closest to the baseline (later year on ties) and the latest year.

    Returns
    -------
    pandas.DataFrame
        One row per catalogue indicator with any value, in catalogue order: ``indicator``
        (name), ``element``, ``unit``, ``agg_year0``, ``agg_mean0``, ``agg_year1``, ``agg_mean1``,
        ``agg_median1``, ``agg_weighted1`` (NaN when not published), ``agg_reporting``
        ("k of n" member states reporting in the latest year) and ``agg_weight_coverage``
        (fraction of the region's population they hold).
    """
    from mtr_analysis.analysis import aggregates

    cols = ["indicator", "element", "unit", "agg_year0", "agg_mean0", "agg_year1", "agg_mean1",
            "agg_median1", "agg_weighted1", "agg_reporting", "agg_weight_coverage"]  # fmt: skip
    agg = aggregates.regional_aggregates(data.observations, data.catalogue, data.countries)
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
            "indicator": [str(table.at[i, "name"]) for i in order],
            "element": [str(table.at[i, "element"]) for i in order],
            "unit": [str(table.at[i, "unit"]) for i in order],
            "agg_year0": first["year"].to_numpy(),
            "agg_mean0": first["mean"].to_numpy(),
            "agg_year1": last["year"].to_numpy(),
            "agg_mean1": last["mean"].to_numpy(),
            "agg_median1": last["median"].to_numpy(),
            "agg_weighted1": last["weighted_mean"].to_numpy(),
            "agg_reporting": [
                f"{int(k)} / {int(n)}"
                for k, n in zip(last["n_reporting"], last["n_members"], strict=True)
            ],
            "agg_weight_coverage": last["weight_coverage"].to_numpy(),
        }
    )
    return out[cols]


def regional_aggregates_table(data: ReviewData, lang: str = "en") -> Any:
    """:func:`aggregates_summary` as a report table.

    Shows a clearly marked notice instead when :mod:`mtr_analysis.analysis.aggregates` is not
    installed, so the regional report still renders.
    """
    try:
        summary = aggregates_summary(data)
    except ImportError as exc:
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return Html(
            f'<div class="mtr-pending">{_esc(i18n.text("aggregates_pending", lang, reason=reason))}'
            "</div>"
        )
    return table(summary, lang, "aggregates")


# --------------------------------------------------------------------------- who benefited
BENEFICIARIES_FILE = "beneficiaries.csv"
_BENEFICIARY_COLUMNS = ["indicator", "name", "baseline_year", "latest_year", "people_baseline",
                        "people_latest", "change", "change_due_to_rate",
                        "change_due_to_population", "averted", "flags"]  # fmt: skip


def beneficiary_estimates(data: ReviewData) -> pd.DataFrame:
    """:func:`mtr_analysis.analysis.beneficiaries.estimate` for every member state of the review."""
    return beneficiaries.estimate(data.assessment, data.observations, data.catalogue)


def beneficiaries_html(data: ReviewData, country: str | None = None, lang: str = "en") -> Html:
    """Plain statements on people reached (one country, or regional totals when ``None``).

    Each statement is escaped; countries without estimates get a one-line note.
    """
    est = beneficiary_estimates(data)
    den = beneficiaries.load_denominators(data.catalogue)
    if country is not None:
        est = est.loc[est["country"].eq(country)]
    else:
        totals = beneficiaries.regional_totals(est, data.observations, data.countries)
        years = est.groupby("indicator")[["baseline_year", "latest_year"]].agg(
            {"baseline_year": "min", "latest_year": "max"}
        )
        est = totals.join(years, on="indicator").assign(
            low=np.nan, high=np.nan, flags="", country=""
        )
    lines = beneficiaries.statements(est, den, lang)
    if not lines:
        return Html(f"<p>{_esc(i18n.text('beneficiaries_none', lang))}</p>")
    items = "".join(f"<li>{_esc(text)}</li>" for _, text in lines)
    return Html(f"<ul>{items}</ul>")


def beneficiaries_table(data: ReviewData, country: str | None = None) -> pd.DataFrame:
    """Estimates for one country (or regional totals with coverage when ``None``)."""
    est = beneficiary_estimates(data)
    if country is None:
        out = beneficiaries.regional_totals(est, data.observations, data.countries)
        return out.assign(name=_names(data.catalogue, out["indicator"]))[
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
    return est.assign(name=_names(data.catalogue, est["indicator"]))[_BENEFICIARY_COLUMNS]


def write_review_outputs(data: ReviewData, out_dir: Path | str, review: str) -> dict[str, Path]:
    """Write ``assessment.csv``, ``aggregates.csv`` and ``beneficiaries.csv`` of a review.

    Files go to ``<out_dir>/<review>/``; the same inputs give the same bytes.
    """
    folder = findings_path(out_dir, review, REGIONAL_NAME).parent.parent
    paths = tables.write_review_tables(
        data.observations, data.availability, data.assessment, data.catalogue,
        data.countries, folder,
    )  # fmt: skip
    est = beneficiary_estimates(data).sort_values(["country", "indicator"], kind="stable")
    path = folder / BENEFICIARIES_FILE
    path.write_bytes(tables.to_csv_bytes(est[beneficiaries.COLUMNS]))
    return {**paths, "beneficiaries": path}


# --------------------------------------------------------------------------- presentation
def _format(value: object, column: str, lang: str) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if isinstance(value, bool | np.bool_):
        return i18n.text("yes" if value else "no", lang)
    if column in _YEAR_COLUMNS:
        return str(int(value))
    if column in _PERCENT_COLUMNS and isinstance(value, int | float | np.number):
        return format_number(100 * float(value), lang)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return format_number(float(value), lang)
    return str(value)


def table(frame: pd.DataFrame, lang: str = "en", name: str = "t", max_rows: int | None = None):
    """Present a frame built here as a report table: translated, formatted and escaped.

    Column headers are translated (:func:`mtr_analysis.reporting.i18n.column_labels`); ``status``,
    ``gap_category`` and ``direction`` values become labels (status cells coloured as in the
    charts); numbers are formatted for ``lang`` (years without separators, ``cagr`` and
    shares as percentages); every cell is HTML-escaped, so text from data files cannot
    inject markup.

    Parameters
    ----------
    frame : pandas.DataFrame
    lang : {"en", "vi"}
    name : str
        Identifier of the table in the page (letters, digits, ``-``, ``_``).
    max_rows : int, optional
        Show only the first rows.

    Returns
    -------
    pandas.io.formats.style.Styler
        Displays as an HTML table without the index.
    """
    i18n.check_lang(lang)
    if not _NAME.match(name):
        raise ValueError(f"name must be letters, digits, '-' or '_'; got {name!r}")
    frame = frame.reset_index(drop=True)
    if max_rows is not None:
        frame = frame.head(max_rows)
    shown = pd.DataFrame(index=frame.index)
    colours: dict[str, pd.Series] = {}
    for col in frame.columns:
        values = frame[col]
        if col == "status":
            codes = values.astype(str)
            shown[col] = codes.map(STATUS_LABELS[lang]).fillna(codes)
            colours[col] = codes.map(_STATUS_COLOURS)
        elif col == "gap_category":
            shown[col] = values.astype(str).map(lambda v: i18n.gap_label(v, lang))
        elif col == "direction":
            shown[col] = values.astype(str).map(
                lambda v: i18n.text(_DIRECTION_KEYS[v], lang) if v in _DIRECTION_KEYS else v
            )
        else:
            shown[col] = [_format(v, col, lang) for v in values]
    headers = i18n.column_labels(shown.columns, lang)
    shown = shown.rename(columns=headers)
    from pandas.io.formats.style import Styler

    # Cell ids only where a cell is styled: keeps long tables (the data table) small.
    styler = Styler(shown, uuid=name, cell_ids=False).hide(axis="index").format(escape="html")
    for col, colour in colours.items():
        if colour.notna().any():
            css = colour.map(
                lambda c: f"background-color: {c}; color: {_ink(c)}" if isinstance(c, str) else ""
            )
            styler = styler.apply(lambda _s, css=css: css.to_numpy(), subset=[headers[col]])
    if "level" in frame:  # coverage tables: characteristic rows in bold, elements below them
        bold = ~frame["level"].astype(str).str.contains(".", regex=False)
        weights = np.where(bold.to_numpy(), "font-weight: bold", "")
        styler = styler.apply(lambda _d: np.tile(weights[:, None], (1, shown.shape[1])), axis=None)
    return styler


def _ink(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


# --------------------------------------------------------------------------- findings
def findings_html(items: Sequence[Finding], lang: str = "en") -> Html:
    """Findings as an HTML list; text is escaped because it quotes source names from files.

    Priority (❗) and warning (⚠) findings are marked so they stand out in the report.
    """
    if not items:
        return Html(f"<p><em>{_esc(i18n.text('no_findings', lang))}</em></p>")
    marks = {"priority": "❗ ", "warning": "⚠ "}
    lis = "".join(
        f'<li class="{_esc(getattr(f, "severity", "info"))}">'
        f"{marks.get(getattr(f, 'severity', ''), '')}{_esc(f.text)}</li>"
        for f in items
    )
    return Html(f'<ul class="mtr-findings">{lis}</ul>')


def top_findings(items: Sequence[Finding], n: int = 5) -> list[Finding]:
    """The findings for the summary: priorities and regressions first, then the others.

    Keeps the order of ``items`` within each group (deterministic).
    """
    rank = {"priority": 0, "warning": 1, "info": 2}
    ordered = sorted(enumerate(items), key=lambda p: (rank.get(p[1].severity, 3), p[0]))
    return [f for _, f in ordered[:n]]


def findings_path(out_dir: Path | str, review: str, name: str) -> Path:
    """``<out_dir>/<review>/findings/<name>.json``; ``name`` is an ISO3 code or "regional".

    Raises
    ------
    ValueError
        When ``review`` or ``name`` could leave the output folder (path separators, ``..``)
        or ``name`` is neither a member state nor ``"regional"``.
    """
    if not _NAME.match(str(review)):
        raise ValueError(f"review must be letters, digits, '-' or '_'; got {review!r}")
    if name != REGIONAL_NAME:
        name = registry.get(name).iso3  # KeyError naming the known codes
    return Path(out_dir) / str(review) / FINDINGS_DIR / f"{name}.json"


def write_findings(items: Sequence[Finding], out_dir: Path | str, review: str, name: str) -> Path:
    """Write findings as deterministic JSON (:func:`findings_to_json`) for reuse.

    Parameters
    ----------
    items : sequence of Finding
    out_dir : path-like
        Output root (``mtr run --out``); the file goes to :func:`findings_path`.
    review : str
    name : str
        ISO3 code of the member state, or ``"regional"``.

    Returns
    -------
    pathlib.Path
        The written file; same inputs give the same bytes.
    """
    path = findings_path(out_dir, review, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(findings_to_json(items) + "\n", encoding="utf-8")
    return path


def read_findings_file(path: Path | str) -> list[dict]:
    """The findings of a file written by :func:`write_findings`, as dicts."""
    return json.loads(Path(path).read_text(encoding="utf-8"))
