"""Exploring one series: what ``notebooks/explore.ipynb`` shows for a selection.

In: a :class:`~mtr_analysis.analysis.review.ReviewData` (one review window, one progress
method) and a selection (member state, catalogue indicator); for the provenance, the stored
rows of ``observations.parquet``. Out: plain DataFrames with codes rather than words (the
values analysed, the status under each method and variant, the sources, every stored row
with its file, locator and vintage, the ASEAN range of the latest values and the country's
place in it), the series chart (:func:`mtr_analysis.reporting.figures.trend_grid` with one
panel), the display blocks of a selection (:func:`selection_view`), and
:func:`build_ui`, the thin ipywidgets layer: four dropdowns (review, country, indicator,
method) whose changes redraw the view. Reviews are loaded once per review × method.

Nothing here writes files; the notebook is not a report (``mtr run`` never runs it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from mtr_analysis.analysis import trends
from mtr_analysis.analysis.review import ReviewData, load_review
from mtr_analysis.analysis.robustness import ROBUSTNESS_COLUMNS
from mtr_analysis.intake import store
from mtr_analysis.intake.clean import vintage_date
from mtr_analysis.intake.schema import TOTAL
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reporting import figures, html, i18n, svg, tables
from mtr_analysis.settings import load_settings

#: Status columns of the assessment (``analysis/robustness.py``) shown per selection, in
#: this order: each method, the chosen method with the baseline year moved by ∓1, and the
#: chosen method on an earlier data vintage.
VARIANTS: tuple[str, ...] = tuple(c for c in ROBUSTNESS_COLUMNS if c.startswith("status_"))
#: Columns of :func:`provenance`: one row per stored value of the series.
PROVENANCE_COLUMNS: list[str] = [
    "year", "value", "flag", "selected", "source", "vintage", "source_series", "file", "locator",
]  # fmt: skip


def _check_selection(data: ReviewData, country: str, indicator: str) -> None:
    """Raise a ``ValueError`` naming the value and the allowed ones when not in the review."""
    if country not in data.countries:
        raise ValueError(
            f"country {country!r} is not a member state of this review; "
            f"one of {', '.join(data.countries)}"
        )
    if indicator not in data.catalogue.indicators.index:
        raise ValueError(f"indicator {indicator!r} is not in the catalogue (config/indicators.csv)")


def _rows(frame: pd.DataFrame, country: str, indicator: str) -> pd.DataFrame:
    keep = frame["country"].astype(str).eq(country) & frame["indicator"].astype(str).eq(indicator)
    return frame.loc[keep]


# --------------------------------------------------------------------------- choices
def choices(data: ReviewData, lang: str = "en") -> dict[str, list[tuple[str, str]]]:
    """The dropdowns' options as ``(label, value)`` pairs.

    Returns
    -------
    dict
        ``review`` (catalogue reviews, their display labels), ``country`` (the review's
        member states by display name), ``indicator`` (catalogue order, "id — name") and
        ``method`` (:data:`mtr_analysis.analysis.trends.METHODS`).
    """
    cat = data.catalogue
    reviews = [
        (str(cat.reviews[r].get("label_vi" if lang == "vi" else "label", r)), r)
        for r in cat.reviews
    ]
    countries = [(registry.display_name(c, lang), c) for c in data.countries]
    indicators = [(f"{i} — {i18n.indicator_name(cat, i, lang)}", i) for i in cat.indicators.index]
    methods = [(i18n.text(f"explore_method_{m}", lang), m) for m in trends.METHODS]
    return {"review": reviews, "country": countries, "indicator": indicators, "method": methods}


# --------------------------------------------------------------------------- frames
def series_values(data: ReviewData, country: str, indicator: str) -> pd.DataFrame:
    """The values the review analyses for one series (one per year, up to the cut-off).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``value``, ``unit``, ``flag``, ``source``, sorted by year.
    """
    _check_selection(data, country, indicator)
    rows = _rows(data.observations, country, indicator).sort_values("year", kind="stable")
    cols = [c for c in ("year", "value", "unit", "flag", "source") if c in rows]
    return rows[cols].reset_index(drop=True)


def method_statuses(data: ReviewData, country: str, indicator: str) -> pd.DataFrame:
    """The series' status under each method and variant (the robustness columns).

    Returns
    -------
    pandas.DataFrame
        ``variant`` (a name of :data:`VARIANTS` without ``status_``), ``status`` (code;
        ``""`` where the variant was not computed, e.g. no earlier vintage) and
        ``chosen`` (True on the row of the review's own method), then one last row
        ``robustness`` whose ``status`` is the robustness code.
    """
    _check_selection(data, country, indicator)
    row = _rows(data.assessment, country, indicator).iloc[0]
    chosen = f"status_{data.settings.assessment.method}"
    out = pd.DataFrame(
        {
            "variant": [v.removeprefix("status_") for v in VARIANTS] + ["robustness"],
            "status": [_code(row.get(v)) for v in VARIANTS] + [_code(row.get("robustness"))],
            "chosen": [v == chosen for v in VARIANTS] + [False],
        }
    )
    return out


def _code(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def sources(data: ReviewData, country: str, indicator: str) -> pd.DataFrame:
    """:func:`mtr_analysis.reporting.tables.sources_table` of the series' values alone."""
    _check_selection(data, country, indicator)
    own = dataclasses.replace(data, observations=_rows(data.observations, country, indicator))
    return tables.sources_table(own, country)


def stored_rows(data: ReviewData) -> pd.DataFrame:
    """Every row of the review's store (``observations.parquet``), for :func:`provenance`."""
    return store.read_store(data.data_dir)


def provenance(
    data: ReviewData, country: str, indicator: str, stored: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every stored value of the series up to the cut-off, with where it came from.

    All sources and vintages are listed, not only the value chosen for analysis
    (``selected``), so a revision or a disagreement between sources shows.

    Parameters
    ----------
    data : ReviewData
    country, indicator : str
    stored : pandas.DataFrame, optional
        :func:`stored_rows` (read here when not given; pass it to avoid re-reading).

    Returns
    -------
    pandas.DataFrame
        :data:`PROVENANCE_COLUMNS`; ``vintage`` is the release date written in the source
        (:func:`mtr_analysis.intake.clean.vintage_date`, ``YYYY-MM-DD``, ``""`` when the
        source gives none). Totals only (sex, age and location ``total``), sorted by year,
        then vintage, source, file and locator.
    """
    _check_selection(data, country, indicator)
    rows = _rows(stored_rows(data) if stored is None else stored, country, indicator)
    total = rows[["sex", "age", "location"]].astype(str).eq(TOTAL).all(axis=1)
    rows = rows.loc[total & rows["year"].le(data.cutoff_year)]
    vintage = vintage_date(rows["source"]).dt.strftime("%Y-%m-%d").fillna("")
    out = rows.assign(vintage=vintage.to_numpy())[PROVENANCE_COLUMNS]
    out = out.sort_values(["year", "vintage", "source", "file", "locator"], kind="stable")
    return out.reset_index(drop=True)


def asean_latest(data: ReviewData, indicator: str) -> pd.DataFrame:
    """Each member state's latest value of an indicator in the review window, best first.

    Returns
    -------
    pandas.DataFrame
        ``country``, ``latest_year``, ``latest_value``, ``rank`` (1 = best in the
        indicator's desirable direction; ties share the best rank), for the member states
        with a value, sorted by rank then country.
    """
    a = data.assessment.loc[data.assessment["indicator"].astype(str).eq(indicator)]
    a = a.loc[a["latest_value"].notna() & a["country"].isin(data.countries)]
    out = a[["country", "latest_year", "latest_value"]].astype({"country": str})
    decrease = data.catalogue.indicators.at[indicator, "direction"] == "decrease"
    rank = out["latest_value"].rank(method="min", ascending=decrease)
    out = out.assign(latest_year=out["latest_year"].astype(int), rank=rank.astype(int))
    return out.sort_values(["rank", "country"], kind="stable").reset_index(drop=True)


def asean_range(data: ReviewData, country: str, indicator: str) -> pd.DataFrame:
    """Min, median and max of the member states' latest values, and the country in them.

    Returns
    -------
    pandas.DataFrame
        One row: ``n_countries`` (member states with a latest value), ``range_min``,
        ``range_median``, ``range_max``, the country's ``latest_year`` and
        ``latest_value`` (NaN without one), its ``rank`` among them (1 = best, 0 without a
        value) and ``position_score`` (:func:`mtr_analysis.reporting.figures.position_scores`:
        0 = worst, 1 = best; NaN with fewer than two member states).
    """
    _check_selection(data, country, indicator)
    latest = asean_latest(data, indicator)
    values = latest["latest_value"].astype(float)
    mine = latest.loc[latest["country"].eq(country)]
    scores = figures.position_scores(data.assessment, data.catalogue, [indicator])
    score = scores.loc[scores["country"].astype(str).eq(country), "score"]
    row = {
        "n_countries": len(latest),
        "range_min": values.min(),
        "range_median": values.median(),
        "range_max": values.max(),
        "latest_year": int(mine["latest_year"].iloc[0]) if len(mine) else None,
        "latest_value": float(mine["latest_value"].iloc[0]) if len(mine) else float("nan"),
        "rank": int(mine["rank"].iloc[0]) if len(mine) else 0,
        "position_score": float(score.iloc[0]) if len(score) else float("nan"),
    }
    return pd.DataFrame([row])


def series_figure(
    data: ReviewData,
    country: str,
    indicator: str,
    lang: str = "en",
    band: pd.DataFrame | None = None,
) -> svg.SVG:
    """The series chart: one panel of :func:`mtr_analysis.reporting.figures.trend_grid`
    (values, baseline, latest, target, projection, status, the ASEAN band)."""
    _check_selection(data, country, indicator)
    if band is None:
        band = figures.asean_band(data.observations, countries=data.countries)
    return figures.trend_grid(
        data.observations, data.assessment, data.catalogue, country,
        indicators=[indicator], max_panels=1, ncols=1, lang=lang, band=band,
        title=i18n.indicator_name(data.catalogue, indicator, lang),
    )  # fmt: skip


# --------------------------------------------------------------------------- view
def selection_view(
    data: ReviewData,
    country: str,
    indicator: str,
    lang: str = "en",
    stored: pd.DataFrame | None = None,
) -> list[Any]:
    """Display blocks of one selection, in order: heading, chart, statuses, ASEAN range,
    values, sources, provenance (``IPython.display.display`` each)."""
    name = registry.display_name(country, lang)
    title = i18n.indicator_name(data.catalogue, indicator, lang)
    statuses = method_statuses(data, country, indicator)
    robust = statuses["variant"].eq("robustness") & statuses["status"].ne("")
    statuses.loc[robust, "status"] = [
        i18n.text(f"robustness_{c}", lang) for c in statuses.loc[robust, "status"]
    ]
    statuses["variant"] = [i18n.text(f"explore_variant_{v}", lang) for v in statuses["variant"]]
    return [
        html.heading(f"{name} · {indicator} — {title}", "explore-selection", 2),
        html.note(i18n.text("explore_window", lang, review=data.review_label(lang),
                            baseline=data.baseline_year, cutoff=data.cutoff_year)),
        figures.render(series_figure(data, country, indicator, lang)),
        html.section("explore_statuses", lang, level=3),
        html.table(statuses, lang, "explore-statuses"),
        html.section("explore_range", lang, level=3, country=name),
        html.table(asean_range(data, country, indicator), lang, "explore-range"),
        html.table(_named(asean_latest(data, indicator), lang), lang, "explore-latest"),
        html.section("explore_values", lang, level=3),
        html.table(series_values(data, country, indicator), lang, "explore-values"),
        html.section("explore_sources", lang, level=3),
        html.table(sources(data, country, indicator), lang, "explore-sources"),
        html.section("explore_provenance", lang, level=3),
        html.table(provenance(data, country, indicator, stored), lang, "explore-provenance"),
    ]  # fmt: skip


def _named(latest: pd.DataFrame, lang: str) -> pd.DataFrame:
    return latest.assign(country=[registry.display_name(c, lang) for c in latest["country"]])


# --------------------------------------------------------------------------- loading
def load(data_dir: Path | str, review: str, method: str) -> ReviewData:
    """:func:`load_review` for a catalogue review (its window) and a progress method.

    Raises
    ------
    ValueError
        Unknown review (naming the allowed ones) or method.
    """
    window = load_catalogue().review(review)
    if method not in trends.METHODS:
        raise ValueError(f"unknown method {method!r}; one of {', '.join(trends.METHODS)}")
    return load_review(
        data_dir, int(window["baseline_year"]), int(window["cutoff_year"]), review=review,
        settings=load_settings(method=method),
    )  # fmt: skip


class Explorer:
    """The loaded reviews (one per review × method) and the store rows, kept for redraws."""

    def __init__(self, data_dir: Path | str, loader: Callable[..., ReviewData] = load) -> None:
        self.data_dir = Path(data_dir)
        self._loader = loader
        self._reviews: dict[tuple[str, str], ReviewData] = {}
        self._stored: pd.DataFrame | None = None

    def review(self, review: str, method: str) -> ReviewData:
        """The review window analysed with ``method`` (loaded on first use)."""
        key = (review, method)
        if key not in self._reviews:
            self._reviews[key] = self._loader(self.data_dir, review, method)
        return self._reviews[key]

    def stored(self, data: ReviewData) -> pd.DataFrame:
        """The store's rows (read once)."""
        if self._stored is None:
            self._stored = stored_rows(data)
        return self._stored

    def view(self, review: str, country: str, indicator: str, method: str, lang: str) -> list:
        """:func:`selection_view` of a selection."""
        data = self.review(review, method)
        return selection_view(data, country, indicator, lang, self.stored(data))


def build_ui(
    data_dir: Path | str,
    review: str,
    country: str,
    indicator: str,
    method: str,
    lang: str = "en",
    explorer: Explorer | None = None,
) -> Any:
    """Dropdowns for review, country, indicator and method above the view of the selection.

    The initial selection is drawn before the widget is returned, so a headless run
    (papermill) records it; each change of a dropdown redraws the view.

    Returns
    -------
    ipywidgets.VBox
        ``children``: the row of dropdowns, then the ``Output`` holding the view.
        ``ui.dropdowns`` maps each selection key to its dropdown.
    """
    import ipywidgets as widgets
    from IPython.display import display

    i18n.check_lang(lang)
    explorer = explorer or Explorer(data_dir)
    opts = choices(explorer.review(review, method), lang)
    start = {"review": review, "country": country, "indicator": indicator, "method": method}
    for key, value in start.items():
        if value not in [v for _, v in opts[key]]:
            raise ValueError(f"{key} {value!r} is not one of {', '.join(v for _, v in opts[key])}")
    dropdowns = {
        key: widgets.Dropdown(options=opts[key], value=start[key],
                              description=i18n.text(f"explore_{key}", lang))
        for key in start
    }  # fmt: skip
    out = widgets.Output()

    def redraw(_change: object = None) -> None:
        out.clear_output(wait=True)
        with out:
            pick = {key: d.value for key, d in dropdowns.items()}
            for block in explorer.view(lang=lang, **pick):
                display(block)

    for d in dropdowns.values():
        d.observe(redraw, names="value")
    redraw()
    ui = widgets.VBox([widgets.HBox(list(dropdowns.values())), out])
    ui.dropdowns = dropdowns
    return ui
