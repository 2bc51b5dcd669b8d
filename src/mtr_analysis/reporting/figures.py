"""Figures for the country profiles and the regional synthesis (product spec, section 6).

The trend small multiples are written as SVG (:mod:`mtr_analysis.reporting.svg`: about a
hundredth of matplotlib's drawing time for 60 panels, sharp text, the same bytes on every
run); save one with ``Path("chart.svg").write_text(chart.data)``. The other functions return
a :class:`matplotlib.figure.Figure` built with the object-oriented API (``Figure(...)``, not
``pyplot``): nothing is shown, no global style is changed and figures are not kept alive by
pyplot, so notebooks run in parallel without leaking memory; :func:`render` draws one into
a PNG for the report, and passes an SVG chart through. Layout is ``constrained`` so labels
and legends do not overlap.

Colours and sizes come from :mod:`mtr_analysis.reporting.style` (one fixed colour per
status, gap category and heatmap state, so the same status looks the same in every report),
and every word from the ``figures`` section of the word catalogues
(:mod:`mtr_analysis.reporting.i18n`); every chart also carries a legend.
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mtr_analysis.analysis.aggregates import GROUP_ASEAN10, GROUP_ASEAN11, group_name
from mtr_analysis.analysis.gaps import GAP_CATEGORIES
from mtr_analysis.analysis.status import STATUS_ORDER, shown_statuses
from mtr_analysis.intake.schema import require_columns
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue
from mtr_analysis.reporting import i18n, svg
from mtr_analysis.reporting.style import (
    BAND_ALPHA,
    BASELINE_COLOUR,
    GAP_COLOURS,
    GRID_COLOUR,
    HIGHLIGHT_COLOUR,
    MAX_LABEL,
    MUTED_COLOUR,
    PACE_COLOURS,
    PRESENCE_COLOURS,
    REPORT_DPI,
    RULE_COLOUR,
    SERIES_COLOUR,
    STATUS_COLOURS,
)

if TYPE_CHECKING:  # matplotlib is imported by the functions that draw with it (see _new_figure)
    from matplotlib.figure import Figure

#: Cell states of :func:`availability_heatmap`: who reported the value, or whether it is an
#: estimate, or missing.
PRESENCE = ("national", "international", "estimate", "missing")
#: Flag of a value kept at intake but out of line with its series (marked in trend charts).
SUSPECT_FLAG = "suspect"
#: Flags drawn as "estimate" (lighter) in the heatmap.
ESTIMATE_FLAGS = frozenset({"estimate", "modelled", "imputed", "carried_forward"})

_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


# --------------------------------------------------------------------------- helpers
def _text(lang: str) -> dict[str, str]:
    """Chart words in ``lang`` (``ValueError`` naming the allowed languages)."""
    return i18n.words("figures", lang)  # type: ignore[return-value]


def truncate(text: str, max_len: int = MAX_LABEL) -> str:
    """Cut ``text`` to at most ``max_len`` characters, ending with an ellipsis if cut."""
    text = str(text)
    return text if len(text) <= max_len else text[: max_len - 1].rstrip() + "…"


def short_name(
    catalogue: Catalogue, indicator: str, max_len: int = MAX_LABEL, lang: str = "en"
) -> str:
    """Label of an indicator in ``lang``: ``short_name`` column if any (English), else the
    name (:func:`mtr_analysis.reporting.i18n.indicator_name`).

    A trailing parenthesis is dropped when the name is too long, then the text is cut to
    ``max_len`` characters with an ellipsis. Unknown ids are returned as they are.
    """
    table = catalogue.indicators
    if indicator not in table.index:
        return truncate(str(indicator), max_len)
    if (
        lang == "en"
        and "short_name" in table
        and str(table.at[indicator, "short_name"] or "").strip()
    ):
        name = str(table.at[indicator, "short_name"])
    else:
        name = i18n.indicator_name(catalogue, indicator, lang)
    if len(name) > max_len:
        name = _TRAILING_PAREN.sub("", name) or name
    return truncate(name, max_len)


def ordered_indicators(catalogue: Catalogue, indicators: Iterable[str] | None = None) -> list[str]:
    """Catalogue ids ordered by characteristic, then element, then catalogue order.

    With ``indicators``, only those ids (unknown ids are dropped).
    """
    table = catalogue.indicators
    frame = pd.DataFrame(
        {
            "id": table.index.astype(str),
            "characteristic": table["characteristic"].astype(str).to_numpy(),
            "element": table["element"].astype(str).to_numpy(),
            "pos": np.arange(len(table)),
        }
    )
    if indicators is not None:
        wanted = {str(i) for i in indicators}
        frame = frame.loc[frame["id"].isin(wanted)]
    frame = frame.sort_values(["characteristic", "element", "pos"], kind="stable")
    return list(frame["id"])


def _country_name(iso3: str, lang: str) -> str:
    try:
        return registry.display_name(iso3, lang)
    except KeyError:
        return str(iso3)


def _new_figure(width: float, height: float) -> Figure:
    # Imported here: the SVG charts need no matplotlib, and importing it cost every
    # process (runner, each kernel) about half a CPU-second.
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height))
    fig.set_layout_engine("constrained")
    return fig


def _empty_figure(title: str, lang: str) -> Figure:
    fig = _new_figure(6, 3)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        _text(lang)["no_data"],
        ha="center",
        va="center",
        fontsize=12,
        transform=ax.transAxes,
    )
    fig.suptitle(title)
    return fig


def _rgb(colour: str) -> tuple[float, float, float]:
    """A ``#rrggbb`` colour (or any matplotlib colour) as red, green, blue in 0–1."""
    if len(colour) == 7 and colour.startswith("#"):
        return tuple(int(colour[k : k + 2], 16) / 255 for k in (1, 3, 5))  # type: ignore[return-value]
    from matplotlib.colors import to_rgb

    return to_rgb(colour)


def _text_colour(colour: str) -> str:
    r, g, b = _rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


@dataclass
class _Matrix:
    """A categorical grid to draw: ``codes[r, c]`` indexes ``states`` (and ``colours``)."""

    codes: np.ndarray
    rows: list[str]  # row labels (indicator names)
    cols: list[str]  # column labels (years or member states)
    groups: list[str]  # the characteristic of each row (labelled on the right)
    states: list[str]  # the words of each code (legend, tooltips)
    colours: list[str]
    keys: list[str]  # data-row value of each row (indicator ids)
    col_keys: list[str]  # data-col value of each column


# Layout of the matrices, in pixels.
_ROW_H, _LABEL_SIZE, _MAX_LABEL_W = 20, 11, 330


def _matrix_svg(m: _Matrix, title: str, cell_w: float, slanted: bool) -> svg.SVG:
    """Rows × columns of coloured cells with row labels on the left, characteristic
    groups on the right (separated by lines), column labels below (``slanted``: at 45°),
    the title above and a legend of the states below; each cell a ``<rect class="cell">``
    with ``data-row``, ``data-col``, ``data-state`` and a tooltip."""
    label_w = min(_MAX_LABEL_W, max(svg.text_width(r, _LABEL_SIZE) for r in m.rows) + 12)
    left, top = label_w, 42
    width = left + cell_w * len(m.cols) + 40
    col_h = (max(svg.text_width(c, _LABEL_SIZE) for c in m.cols) * 0.72 + 14) if slanted else 22
    legend_top = top + _ROW_H * len(m.rows) + col_h + 8
    c = svg.Canvas(max(width, 560), legend_top + 30, title=title)
    c.text(c.width / 2, 24, title, 15, anchor="middle", cls="title")
    for r, (label, key) in enumerate(zip(m.rows, m.keys, strict=True)):
        y = top + _ROW_H * r
        c.text(left - 6, y + 14, label, _LABEL_SIZE, anchor="end", cls="row-label")
        for k, (col, col_key) in enumerate(zip(m.cols, m.col_keys, strict=True)):
            code = int(m.codes[r, k])
            c.rect(left + cell_w * k, y, cell_w, _ROW_H, m.colours[code], stroke="#ffffff",
                   stroke_width=1, cls="cell", data_row=key, data_col=col_key,
                   data_state=str(code), tip=f"{label}, {col}: {m.states[code]}")  # fmt: skip
    _matrix_groups(c, m, (left, left + cell_w * len(m.cols)), top)
    bottom = top + _ROW_H * len(m.rows)
    for k, col in enumerate(m.cols):
        x = left + cell_w * (k + 0.5)
        if slanted:
            c.text(x + 4, bottom + 12, col, _LABEL_SIZE, anchor="end", rotate=-45, cls="col-label")
        else:
            c.text(x, bottom + 15, col, _LABEL_SIZE, anchor="middle", cls="col-label")
    _legend_row(c, list(zip(m.states, m.colours, strict=True)), legend_top)
    return c.render()


def _matrix_groups(c: svg.Canvas, m: _Matrix, span: tuple[float, float], top: float) -> None:
    """A line between characteristic groups across the grid, each group's code on the right."""
    starts = [k for k in range(len(m.groups)) if k == 0 or m.groups[k] != m.groups[k - 1]]
    ends = starts[1:] + [len(m.groups)]
    for s, e in zip(starts, ends, strict=True):
        if s:
            c.line(span[0], top + _ROW_H * s, span[1], top + _ROW_H * s, "#000000", stroke_width=1)
        y = top + _ROW_H * (s + e) / 2 + 4
        c.text(span[1] + 8, y, m.groups[s], _LABEL_SIZE, cls="group-label")


def _legend_row(c: svg.Canvas, items: list[tuple[str, str]], top: float) -> None:
    """Colour keys with their words in one row (two if they do not fit), centred."""
    widths = [svg.text_width(label, _LABEL_SIZE) + 34 for label, _ in items]
    per_row = len(items) if sum(widths) <= c.width - 20 else math.ceil(len(items) / 2)
    rows = [items[i : i + per_row] for i in range(0, len(items), per_row)]
    with c.group(cls="legend"):
        for r, row in enumerate(rows):
            span = sum(widths[i] for i in range(len(row)))
            x, y = (c.width - span) / 2, top + 20 * r
            for label, colour in row:
                c.rect(x, y + 2, 14, 12, colour, stroke="#808080", stroke_width=0.6)
                c.text(x + 19, y + 12, label, _LABEL_SIZE, cls="legend-label")
                x += svg.text_width(label, _LABEL_SIZE) + 34
    c.height = top + 20 * len(rows) + 8


class PNG:
    """A rendered figure: shows as an embedded PNG image in notebooks and HTML reports.

    Attributes
    ----------
    data : bytes
        The PNG file.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data

    def _repr_png_(self) -> bytes:
        return self.data

    def __repr__(self) -> str:
        return f"<PNG image, {len(self.data)} bytes>"


def render(
    fig: Figure | svg.SVG, dpi: int = REPORT_DPI, colours: int | None = 128
) -> PNG | svg.SVG:
    """Draw ``fig`` once into a PNG image for the report (an SVG chart is returned as it is).

    Faster than letting the notebook's inline backend draw the figure: no ``bbox_inches=
    "tight"`` pass (layouts here already fit their text) and a screen resolution. The image
    is reduced to a palette of ``colours`` colours, which makes it about three times smaller
    (reports are e-mailed) without a visible change for these flat-coloured charts.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : int
        Pixels per inch (default :data:`REPORT_DPI`).
    colours : int or None
        Palette size (2–256); ``None`` keeps full colour.

    Returns
    -------
    PNG
        Displayed as an image when it is the last expression of a cell or passed to
        ``IPython.display.display``.
    """
    if isinstance(fig, svg.SVG):
        return fig
    if not isinstance(dpi, int) or dpi < 10:
        raise ValueError(f"dpi must be an integer of at least 10; got {dpi!r}")
    if colours is not None and not (isinstance(colours, int) and 2 <= colours <= 256):
        raise ValueError(f"colours must be None or an integer from 2 to 256; got {colours!r}")
    if colours is None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
        return PNG(buf.getvalue())
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    # Draw once into memory and quantize the pixels directly (no intermediate PNG).
    fig.set_dpi(dpi)
    fig.patch.set_facecolor("white")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    small = image.convert("RGB").quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
    out = io.BytesIO()
    small.save(out, format="PNG")
    return PNG(out.getvalue())


# --------------------------------------------------------------------------- availability
def availability_heatmap(
    obs: pd.DataFrame,
    catalogue: Catalogue,
    country: str,
    years: Iterable[int] | None = None,
    indicators: Iterable[str] | None = None,
    review: str = "mid-term",
    include_empty: bool = False,
    lang: str = "en",
) -> svg.SVG:
    """Indicator × year grid showing which values exist for one member state, by source.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy observations (``country``, ``indicator``, ``year``, ``value``; ``flag``
        optional), e.g. from :func:`mtr_analysis.intake.store.for_analysis`.
    catalogue : Catalogue
        Only its indicators are drawn, ordered by characteristic then element.
    country : str
        ISO3 code.
    years : iterable of int, optional
        Columns; default ``range(2010, cutoff + 1)`` with the cut-off of ``review``.
    indicators : iterable of str, optional
        Rows to consider (default: the whole catalogue).
    review : str
        Review whose cut-off year sets the default ``years``.
    include_empty : bool
        Also draw indicators without any value in ``years`` (default: only those with data).
    lang : {"en", "vi"}

    Returns
    -------
    mtr_analysis.reporting.svg.SVG
        Cells coloured by :data:`PRESENCE` (see :func:`presence_codes`): national
        submission, international database, estimate (flag ``estimate``, ``modelled``,
        ``imputed`` or ``carried_forward``) or missing; ``data-state`` is the code.
    """
    tx = _text(lang)
    require_columns(obs, ("country", "indicator", "year", "value"), "obs")
    if years is None:
        cutoff = int(catalogue.review(review)["cutoff_year"])
        years = range(2010, cutoff + 1)
    years = sorted({int(y) for y in years})
    if not years:
        raise ValueError("years is empty")
    name = _country_name(country, lang)
    title = tx["availability"].format(country=name, y0=years[0], y1=years[-1])

    cells = _presence_cells(obs, country, years)
    candidates = ordered_indicators(catalogue, indicators)
    with_data = set(cells.index.get_level_values("indicator"))
    rows = [i for i in candidates if include_empty or i in with_data]
    if not rows:
        return _empty_svg(title, lang)

    grid = cells.unstack("year").reindex(index=rows, columns=years)
    codes = grid.fillna(PRESENCE.index("missing")).to_numpy(dtype=float)

    m = _Matrix(
        codes=codes.astype(int),
        rows=[short_name(catalogue, i, lang=lang) for i in rows],
        cols=[str(y) for y in years],
        groups=[str(catalogue.indicators.at[i, "characteristic"]) for i in rows],
        states=[tx[p] for p in PRESENCE],
        colours=[PRESENCE_COLOURS[p] for p in PRESENCE],
        keys=list(rows),
        col_keys=[str(y) for y in years],
    )
    return _matrix_svg(m, title, 34, slanted=len(years) > 16)


def _presence_cells(obs: pd.DataFrame, country: str, years: Sequence[int]) -> pd.Series:
    """Heatmap state per ``(indicator, year)`` of one country: the smallest code of its values."""
    rows_obs = obs.loc[
        (obs["country"].astype(str) == str(country))
        & obs["year"].isin(years)
        & obs["value"].notna()
    ]
    state = presence_codes(rows_obs)
    return (
        pd.DataFrame(
            {
                "indicator": rows_obs["indicator"].astype(str),
                "year": rows_obs["year"].astype(int),
                "state": state,
            }
        )
        .groupby(["indicator", "year"])["state"]
        .min()
    )


def presence_codes(obs: pd.DataFrame) -> pd.Series:
    """Heatmap state of each observation, as a position in :data:`PRESENCE`.

    ``estimate`` (2) when the flag is one of :data:`ESTIMATE_FLAGS`; otherwise ``national``
    (0) when the source is a national submission and ``international`` (1) for any other
    source. Where several values share a cell the smallest code is drawn, so a reported
    national value wins over an international one and both win over an estimate.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations with ``source`` (optional: all international) and ``flag`` (optional).

    Returns
    -------
    pandas.Series of int
        Same index as ``obs``.
    """
    from mtr_analysis.intake.store import source_kind

    if "source" in obs:
        national = source_kind(obs["source"].astype("string").fillna("")).eq("national")
    else:
        national = pd.Series(False, index=obs.index)
    flag = obs["flag"].astype(str) if "flag" in obs else pd.Series("", index=obs.index)
    code = np.where(national.to_numpy(dtype=bool), 0, 1)
    code = np.where(flag.isin(ESTIMATE_FLAGS).to_numpy(), 2, code)
    return pd.Series(code, index=obs.index, dtype=int)


def regional_availability_matrix(
    avail: pd.DataFrame,
    catalogue: Catalogue,
    countries: Iterable[str] | None = None,
    indicators: Iterable[str] | None = None,
    lang: str = "en",
) -> svg.SVG:
    """Indicator (rows) × member state (columns) matrix coloured by ``gap_category``.

    Parameters
    ----------
    avail : pandas.DataFrame
        Output of ``gaps.availability`` (``country``, ``indicator``, ``gap_category``).
    catalogue : Catalogue
    countries : iterable of str, optional
        Columns, in this order (default: the countries of ``avail``, sorted).
    indicators : iterable of str, optional
        Rows (default: the catalogue indicators present in ``avail``), ordered by
        characteristic then element.
    lang : {"en", "vi"}

    Returns
    -------
    mtr_analysis.reporting.svg.SVG
        As :func:`availability_heatmap`; pairs missing from ``avail`` are drawn as
        ``no_data``.
    """
    tx = _text(lang)
    require_columns(avail, ("country", "indicator", "gap_category"), "avail")
    title = tx["regional_availability"]
    cols = (
        list(dict.fromkeys(str(c) for c in countries))
        if countries is not None
        else sorted(avail["country"].astype(str).unique())
    )
    present = set(avail["indicator"].astype(str))
    rows = ordered_indicators(catalogue, indicators if indicators is not None else present)
    if not rows or not cols:
        return _empty_svg(title, lang)
    code_of = {g: k for k, g in enumerate(GAP_CATEGORIES)}
    cells = avail.assign(
        _code=avail["gap_category"].astype(str).map(code_of),
        _ind=avail["indicator"].astype(str),
        _cty=avail["country"].astype(str),
    ).drop_duplicates(["_ind", "_cty"])
    grid = cells.pivot(index="_ind", columns="_cty", values="_code").reindex(
        index=rows, columns=cols
    )
    codes = grid.fillna(code_of["no_data"]).to_numpy(dtype=float)

    m = _Matrix(
        codes=codes.astype(int),
        rows=[short_name(catalogue, i, lang=lang) for i in rows],
        cols=[_country_name(c, lang) for c in cols],
        groups=[str(catalogue.indicators.at[i, "characteristic"]) for i in rows],
        states=[i18n.gap_label(g, lang) for g in GAP_CATEGORIES],
        colours=[GAP_COLOURS[g] for g in GAP_CATEGORIES],
        keys=list(rows),
        col_keys=list(cols),
    )
    return _matrix_svg(m, title, 44, slanted=True)


# --------------------------------------------------------------------------- trends
def asean_band(
    obs: pd.DataFrame, min_countries: int = 2, countries: Sequence[str] | None = None
) -> pd.DataFrame:
    """Range of member states' values per indicator and year: the shaded band of trend charts.

    Computed once for all indicators (one group-by), then looked up per panel.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations of all member states (``country``, ``indicator``, ``year``, ``value``).
    min_countries : int
        Years where fewer member states report are left out.
    countries : sequence of str, optional
        The group's member states (ISO3); values of other countries are left out. Default:
        the countries present in ``obs``.

    Returns
    -------
    pandas.DataFrame
        Index ``(indicator, year)``; columns ``lo`` (minimum), ``hi`` (maximum) and ``n``
        (number of values), sorted by index. ``attrs["group"]`` names the group
        (:func:`mtr_analysis.analysis.aggregates.group_name`: "ASEAN-10", "ASEAN-11 incl.
        Timor-Leste" or the ISO3 codes), which the chart's legend shows
        (:func:`group_label`).
    """
    require_columns(obs, ("country", "indicator", "year", "value"), "obs")
    rows = obs.loc[obs["value"].notna()]
    if countries is not None:
        rows = rows.loc[rows["country"].astype(str).isin([str(c) for c in countries])]
    members = sorted({str(c) for c in (rows["country"] if countries is None else countries)})
    grouped = rows.groupby([rows["indicator"].astype(str), rows["year"].astype(int)])["value"]
    band = pd.DataFrame({"lo": grouped.min(), "hi": grouped.max(), "n": grouped.size()})
    band.index.names = ["indicator", "year"]
    band = band.loc[band["n"] >= min_countries].sort_index()
    band.attrs["group"] = group_name(members) if members else ""
    return band


def group_label(group: str, lang: str = "en") -> str:
    """Display name of an aggregate group code (``aggregates.csv`` column ``group``).

    "ASEAN-10" and "ASEAN-11 incl. Timor-Leste" come from the word catalogues
    (``group_asean10``/``group_asean11``); any other group (a list of ISO3 codes) is shown
    as it is, so a partial group is never called ASEAN.
    """
    key = {GROUP_ASEAN10: "group_asean10", GROUP_ASEAN11: "group_asean11"}.get(str(group))
    return i18n.text(key, lang) if key else str(group)


def _band_words(
    tx: dict[str, str], band: pd.DataFrame | None, asean_obs: pd.DataFrame | None, lang: str
) -> dict[str, str]:
    """Chart words with the band's legend naming its group ("ASEAN-10 range (min–max)").

    The group comes from the band (``attrs["group"]``) or else from the countries of
    ``asean_obs``; without either the generic "ASEAN range" stays.
    """
    group = band.attrs.get("group", "") if band is not None else ""
    if band is None and asean_obs is not None and len(asean_obs):
        group = group_name(sorted({str(c) for c in asean_obs["country"]}))
    if not group:
        return tx
    return {**tx, "asean_range": tx["group_range"].format(group=group_label(group, lang))}


def _wrap_title(text: str, width: int = 38, lines: int = 2) -> str:
    wrapped = textwrap.wrap(text, width)
    if len(wrapped) > lines:
        wrapped = wrapped[: lines - 1] + [truncate(" ".join(wrapped[lines - 1 :]), width)]
    return "\n".join(wrapped)


# Layout of the trend grid, in pixels (CSS px, 96 per inch): fixed, so nothing is measured.
_CELL_W, _CELL_H = 365, 274  # one panel with its title, badge, tick labels and unit
_PLOT_LEFT, _PLOT_RIGHT, _PLOT_TOP, _PLOT_BOTTOM = 84, 14, 64, 30  # the plot area in a cell
_TITLE_H, _LEGEND_ROW_H = 38, 22
_TITLE_SIZE, _PANEL_TITLE_SIZE, _TICK_SIZE, _BADGE_SIZE = 16, 12, 10.5, 10


def trend_grid(
    obs: pd.DataFrame,
    assessment: pd.DataFrame,
    catalogue: Catalogue,
    country: str,
    indicators: Iterable[str] | None = None,
    max_panels: int = 12,
    asean_obs: pd.DataFrame | None = None,
    ncols: int = 3,
    lang: str = "en",
    band: pd.DataFrame | None = None,
    title: str | None = None,
) -> svg.SVG:
    """Small multiples of one member state's series with baseline, target and projection.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy observations (``country``, ``indicator``, ``year``, ``value``).
    assessment : pandas.DataFrame
        Output of ``trends.assess``; gives ``status``, baseline, latest point,
        ``target_value``/``target_year`` and ``projected_value``.
    catalogue : Catalogue
    country : str
        ISO3 code.
    indicators : iterable of str, optional
        Panels, in this order (default: catalogue indicators with data, catalogue order).
        Indicators without data are skipped.
    max_panels : int
        At most this many panels (the first ones).
    asean_obs : pandas.DataFrame, optional
        Observations of all member states; their min–max per year (where two or more
        countries report) is shaded behind the series. Ignored when ``band`` is given.
    ncols : int
        Panels per row.
    lang : {"en", "vi"}
    band : pandas.DataFrame, optional
        Precomputed :func:`asean_band` (pass it when drawing several grids from the same
        observations, so the band is computed once).
    title : str, optional
        Figure title (default: "Trends, <country>").

    Returns
    -------
    mtr_analysis.reporting.svg.SVG
        One ``<g class="panel">`` per panel (``data-indicator``, ``data-status``, the plot
        box ``data-box`` in pixels and its value range ``data-y0``/``data-y1``), each mark
        with its class (``band``, ``series``, ``target``, …); a legend of the marks drawn;
        "No data to plot" when no indicator has data. Title: the indicator's name; status:
        the coloured badge above the plot; hovering a point shows its year and value.

    Notes
    -----
    Target: dashed horizontal line at ``target_value`` (from ``assessment``, else the
    catalogue). Projection: dotted line from (``latest_year``, ``latest_value``) to
    (``target_year``, ``projected_value``). Values flagged ``suspect`` at intake carry a
    cross (own legend entry). Written as SVG (:mod:`mtr_analysis.reporting.svg`): a
    country's five grids cost milliseconds instead of about six CPU-seconds through
    matplotlib, and the text stays sharp.
    """
    tx = _band_words(_text(lang), band, asean_obs, lang)
    _check_grid_args(obs, assessment, max_panels, ncols)
    name = _country_name(country, lang)
    series_of = _country_series(obs, country, indicators)
    suspect_of = _suspect_years(obs, country)
    panels = _panel_indicators(catalogue, series_of, indicators)
    base_title = title or tx["trends"].format(country=name)
    if not panels:
        return _empty_svg(base_title, lang)
    shown = panels[:max_panels]
    if len(shown) < len(panels):
        base_title = title or tx["trends_more"].format(country=name, k=len(shown), n=len(panels))
    a = _country_assessment(assessment, country)
    band_of = _bands_of(band, asean_obs, shown)
    panels_shown = [
        _Panel(ind, series_of[ind], a.get(ind, {}), band_of.get(ind), suspect_of.get(ind, ()))
        for ind in shown
    ]  # fmt: skip
    return _draw_grid(panels_shown, catalogue, min(ncols, len(shown)), base_title, tx, name, lang)


def _draw_grid(
    panels: list[_Panel], catalogue: Catalogue, ncols: int, title: str, tx: dict, name: str,
    lang: str,
) -> svg.SVG:  # fmt: skip
    """The panels row by row under the title, then the legend of the marks drawn."""
    nrows = math.ceil(len(panels) / ncols)
    canvas = svg.Canvas(_CELL_W * ncols, _TITLE_H + _CELL_H * nrows, title=title)
    canvas.text(canvas.width / 2, 25, title, _TITLE_SIZE, anchor="middle", cls="title")
    drawn: set[str] = set()
    for i, panel in enumerate(panels):
        origin = (_CELL_W * (i % ncols), _TITLE_H + _CELL_H * (i // ncols))
        drawn |= _draw_panel(canvas, origin, panel, catalogue, lang)
    _grid_legend(canvas, drawn, tx, name)
    return canvas.render()


def _empty_svg(title: str, lang: str) -> svg.SVG:
    """A titled chart saying "No data to plot"."""
    canvas = svg.Canvas(576, 200, title=title)
    canvas.text(288, 25, title, _TITLE_SIZE, anchor="middle", cls="title")
    canvas.text(288, 110, _text(lang)["no_data"], 16, anchor="middle", cls="no-data")
    return canvas.render()


def _check_grid_args(
    obs: pd.DataFrame, assessment: pd.DataFrame, max_panels: object, ncols: object
) -> None:
    require_columns(obs, ("country", "indicator", "year", "value"), "obs")
    require_columns(assessment, ("country", "indicator"), "assessment")
    if not isinstance(max_panels, int) or max_panels < 1:
        raise ValueError(f"max_panels must be a positive integer; got {max_panels!r}")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer; got {ncols!r}")


def _country_series(
    obs: pd.DataFrame, country: str, indicators: Iterable[str] | None = None
) -> dict[str, pd.Series]:
    """Indicator → the country's values by year (first value of a year, years sorted), for
    ``indicators`` (default: every indicator)."""
    mine = obs.loc[
        (obs["country"].astype(str) == str(country)) & obs["value"].notna(),
        ["indicator", "year", "value"],
    ]
    if indicators is not None:
        mine = mine.loc[mine["indicator"].astype(str).isin({str(i) for i in indicators})]
    # One group-by over (indicator, year), then numpy slices: a pandas selection per
    # indicator was most of a grid's time once the drawing itself was cheap.
    first = mine.groupby([mine["indicator"].astype(str), "year"], sort=True)["value"].first()
    return _slices(first.index.get_level_values(0), first.index.get_level_values(1),
                   {"value": first.to_numpy()}, dict.fromkeys(mine["indicator"].astype(str)))  # fmt: skip


def _slices(inds: pd.Index, years: pd.Index, columns: dict, wanted: Iterable[str]) -> dict:
    """Per wanted indicator, its rows of sorted ``(indicator, year)`` columns: a Series
    (one column) or a DataFrame, indexed by year."""
    keys = inds.to_numpy(dtype=object)
    year = years.to_numpy()
    out = {}
    for ind in wanted:
        lo, hi = np.searchsorted(keys, ind, "left"), np.searchsorted(keys, ind, "right")
        index = pd.Index(year[lo:hi], name="year")
        if len(columns) == 1:
            ((name, values),) = columns.items()
            out[ind] = pd.Series(values[lo:hi], index=index, name=name)
        else:
            out[ind] = pd.DataFrame({k: v[lo:hi] for k, v in columns.items()}, index=index)
    return out


def _suspect_years(obs: pd.DataFrame, country: str) -> dict[str, tuple[int, ...]]:
    """Indicator → years of the country's values flagged ``suspect`` at intake."""
    if "flag" not in obs:
        return {}
    sus = obs.loc[
        (obs["country"].astype(str) == str(country))
        & (obs["flag"].astype(str) == SUSPECT_FLAG)
        & obs["value"].notna(),
        ["indicator", "year"],
    ]
    return {
        str(ind): tuple(sorted({int(y) for y in grp["year"]}))
        for ind, grp in sus.groupby(sus["indicator"].astype(str))
    }


def _panel_indicators(
    catalogue: Catalogue, series_of: dict[str, pd.Series], indicators: Iterable[str] | None
) -> list[str]:
    """Indicators with data, in the given order or else in catalogue order."""
    if indicators is None:
        candidates = ordered_indicators(catalogue, series_of)
    else:
        candidates = list(dict.fromkeys(str(i) for i in indicators))
    return [i for i in candidates if i in series_of]


#: The assessment fields a trend panel reads.
_PANEL_FIELDS = (
    "status", "latest_year", "latest_value", "baseline_year", "baseline_value",
    "target_value", "target_year", "projected_value",
)  # fmt: skip


def _country_assessment(assessment: pd.DataFrame, country: str) -> dict[str, dict[str, Any]]:
    """Indicator → the panel fields of the country's assessment row (first row per
    indicator); plain dictionaries, as a panel reads a handful of fields one by one."""
    fields = [c for c in _PANEL_FIELDS if c in assessment.columns]
    a = assessment.loc[assessment["country"].astype(str) == str(country), ["indicator", *fields]]
    a = a.assign(indicator=a["indicator"].astype(str)).drop_duplicates("indicator")
    return a.set_index("indicator").to_dict("index")


def _bands_of(
    band: pd.DataFrame | None, asean_obs: pd.DataFrame | None, shown: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """Indicator → its ASEAN range by year (``lo``, ``hi``), for the panels shown."""
    if band is None and asean_obs is not None:
        band = asean_band(asean_obs.loc[asean_obs["indicator"].astype(str).isin(shown)])
    if band is None or not len(band):
        return {}
    columns = {"lo": band["lo"].to_numpy(dtype=float), "hi": band["hi"].to_numpy(dtype=float)}
    return _slices(band.index.get_level_values(0), band.index.get_level_values(1), columns, shown)


@dataclass
class _Panel:
    """What one trend panel shows: an indicator's series, its assessment row, the band."""

    indicator: str
    series: pd.Series
    row: Mapping[str, Any]
    band: pd.DataFrame | None
    suspect: Sequence[int] = ()


@dataclass
class _Marks:
    """A panel's values to draw (years and values in data units; ``None``: not drawn)."""

    years: np.ndarray
    values: np.ndarray
    latest: tuple[float, float]
    baseline: tuple[float, float] | None
    target: float | None
    projection: tuple[float, float] | None  # (target year, projected value)
    band: pd.DataFrame | None
    suspect: pd.Series


def _marks(panel: _Panel, catalogue: Catalogue) -> _Marks:
    """The marks of a panel: latest point, baseline, target (assessment, else catalogue)
    and projection to the target year when that year is after the latest."""
    series, row, table = panel.series, panel.row, catalogue.indicators
    ly, lv = _value(row, "latest_year"), _value(row, "latest_value")
    if ly is None or lv is None:
        ly, lv = float(series.index[-1]), float(series.iloc[-1])
    by, bv = _value(row, "baseline_year"), _value(row, "baseline_value")
    ind = panel.indicator
    target = _value(row, "target_value")
    if target is None and ind in table.index and pd.notna(table.at[ind, "target_value"]):
        target = float(table.at[ind, "target_value"])
    target_year = _value(row, "target_year")
    if target_year is None and ind in table.index and pd.notna(table.at[ind, "target_year"]):
        target_year = float(table.at[ind, "target_year"])
    projected = _value(row, "projected_value")
    projection = None
    if projected is not None and target_year is not None and target_year > ly:
        projection = (float(target_year), projected)
    band = panel.band if panel.band is not None and len(panel.band) else None
    years = [y for y in panel.suspect if y in series.index]
    return _Marks(series.index.to_numpy(dtype=float), series.to_numpy(dtype=float), (ly, lv),
                  None if by is None or bv is None else (by, bv), target, projection, band,
                  series.loc[years] if years else series.iloc[:0])  # fmt: skip


def _years_shown(m: _Marks) -> tuple[int, int]:
    """First and last year of a panel: the series, the latest point, the projection."""
    first = min(int(m.years.min()), int(m.latest[0]))
    last = max(int(m.years.max()), int(m.projection[0]) if m.projection else 0)
    return first, last


def _visible_band(m: _Marks) -> pd.DataFrame | None:
    """The band's years inside the panel's years (``None`` when none is)."""
    if m.band is None:
        return None
    first, last = _years_shown(m)
    inside = m.band.loc[(m.band.index >= first) & (m.band.index <= last)]
    return inside if len(inside) else None


def _value_range(m: _Marks, band: pd.DataFrame | None) -> tuple[float, float]:
    """Lowest and highest value a panel shows (``band``: :func:`_visible_band`)."""
    values = [*m.values, m.latest[1]]
    values += [m.baseline[1]] if m.baseline else []
    values += [m.target] if m.target is not None else []
    values += [m.projection[1]] if m.projection else []
    if band is not None:
        values += [*band["lo"], *band["hi"]]
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return min(finite), max(finite)


def _draw_panel(
    c: svg.Canvas, origin: tuple[float, float], panel: _Panel, catalogue: Catalogue, lang: str
) -> set[str]:
    """One trend panel at ``origin`` (its cell's top left); returns the marks drawn."""
    m = _marks(panel, catalogue)
    first, last = _years_shown(m)
    band = _visible_band(m)
    ticks = svg.nice_ticks(*_value_range(m, band), max_ticks=5)
    ox, oy = origin
    box = (ox + _PLOT_LEFT, oy + _PLOT_TOP, ox + _CELL_W - _PLOT_RIGHT, oy + _CELL_H - _PLOT_BOTTOM)
    x = svg.linear((first - 0.5, last + 0.5), (box[0], box[2]))
    y = svg.linear((ticks[0], ticks[-1]), (box[3], box[1]))
    status = str(panel.row.get("status", "no_data"))
    status = status if status in STATUS_COLOURS else "no_data"
    with c.group(cls="panel", data_indicator=panel.indicator, data_status=status,
                 data_box=" ".join(f"{v:g}" for v in box), data_y0=f"{ticks[0]:.12g}",
                 data_y1=f"{ticks[-1]:.12g}", data_x0=f"{first - 0.5:g}",
                 data_x1=f"{last + 0.5:g}"):  # fmt: skip
        _panel_frame(c, box, ticks, _year_ticks(first, last), x, y)
        _label_panel(c, origin, box, panel, catalogue, status, lang)
        return _panel_marks(c, m, band, box, x, y)


def _panel_frame(c: svg.Canvas, box, ticks: list[float], years: list[int], x, y) -> None:
    """Value gridlines and tick labels, year ticks and labels, the plot frame."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    for t in ticks:
        c.line(box[0], y(t), box[2], y(t), GRID_COLOUR, stroke_width=0.8)
        c.text(box[0] - 5, y(t) + 3.5, svg.tick_label(t, step), _TICK_SIZE, anchor="end")
    for year in years:
        c.line(x(year), box[3], x(year), box[3] + 4, "#555555", stroke_width=0.8)
        c.text(x(year), box[3] + 16, str(year), _TICK_SIZE, anchor="middle")
    c.rect(box[0], box[1], box[2] - box[0], box[3] - box[1], "none", stroke="#888888",
           stroke_width=0.8)  # fmt: skip


def _label_panel(
    c: svg.Canvas, origin, box, panel: _Panel, catalogue: Catalogue, status: str, lang: str
) -> None:
    """Indicator name as title, the status badge above the plot, unit as y label."""
    ind, ox, oy = panel.indicator, origin[0], origin[1]
    # 42 characters of 12 px bold text fill the cell's width (≈ 0.66 em each).
    title = _wrap_title(short_name(catalogue, ind, 76, lang), width=42)
    c.text(ox + 14, oy + 17, title, _PANEL_TITLE_SIZE, weight="bold", cls="panel-title")
    label = i18n.status_label(status, lang)
    badge = STATUS_COLOURS[status]
    width = svg.text_width(label, _BADGE_SIZE) + 10
    c.rect(box[0], box[1] - 21, width, 16, badge, rx=3, cls="badge")
    c.text(box[0] + 5, box[1] - 9, label, _BADGE_SIZE, fill=_text_colour(badge), cls="badge")
    unit = i18n.indicator_unit(catalogue, ind, lang) if ind in catalogue.indicators.index else ""
    lines = textwrap.wrap(unit, 28)[:3]
    mid = (box[1] + box[3]) / 2
    x0 = ox + 14 + 6 * (3 - len(lines))
    c.text(x0, mid, "\n".join(lines), _TICK_SIZE, anchor="middle", rotate=-90, cls="unit")


def _panel_marks(c: svg.Canvas, m: _Marks, band: pd.DataFrame | None, box, x, y) -> set[str]:
    """Band (:func:`_visible_band`), target, series, projection, baseline, latest and
    suspect marks; their names."""
    drawn = {"series", "latest"}
    if band is not None:
        lo = [(x(yr), y(v)) for yr, v in zip(band.index, band["lo"], strict=True)]
        hi = [(x(yr), y(v)) for yr, v in zip(band.index, band["hi"], strict=True)]
        c.polygon(lo + hi[::-1], MUTED_COLOUR, opacity=BAND_ALPHA, cls="band")
        drawn.add("asean_range")
    if m.target is not None:
        c.line(box[0], y(m.target), box[2], y(m.target), STATUS_COLOURS["target_met"],
               stroke_width=1.6, stroke_dasharray="6 4", cls="target",
               tip=f"{_number(m.target)}")  # fmt: skip
        drawn.add("target")
    if m.projection is not None:
        pts = [(x(m.latest[0]), y(m.latest[1])), (x(m.projection[0]), y(m.projection[1]))]
        c.polyline(pts, SERIES_COLOUR, stroke_width=1.8, stroke_dasharray="2 3",
                   cls="projection", tip=f"{m.projection[0]:g}: {_number(m.projection[1])}")  # fmt: skip
        drawn.add("projection")
    pts = [(x(yr), y(v)) for yr, v in zip(m.years, m.values, strict=True)]
    c.polyline(pts, SERIES_COLOUR, stroke_width=1.8, cls="series")
    for (px, py), yr, v in zip(pts, m.years, m.values, strict=True):
        c.circle(px, py, 2.6, SERIES_COLOUR, cls="point", tip=f"{yr:g}: {_number(v)}")
    if m.baseline is not None:
        c.circle(x(m.baseline[0]), y(m.baseline[1]), 6.5, "none", stroke=BASELINE_COLOUR,
                 stroke_width=2, cls="baseline")  # fmt: skip
        drawn.add("baseline")
    c.diamond(x(m.latest[0]), y(m.latest[1]), 5.5, SERIES_COLOUR, cls="latest")
    for yr, v in m.suspect.items():
        c.cross(x(yr), y(v), 6, HIGHLIGHT_COLOUR, stroke="black", stroke_width=0.6,
                cls="suspect", tip=f"{yr:g}: {_number(v)}")  # fmt: skip
        drawn.add("suspect")
    return drawn


def _number(value: float) -> str:
    """A value as a tooltip shows it: up to 6 significant digits, thousands separated."""
    return f"{value:,.6g}"


#: Legend order of the trend grid (after the country's own series).
_LEGEND_KEYS = ("asean_range", "baseline", "latest", "target", "projection", "suspect")


def _grid_legend(c: svg.Canvas, drawn: set[str], tx: dict, name: str) -> None:
    """One legend below the panels, with every mark drawn somewhere, in a fixed order;
    grows the canvas by its rows."""
    keys = ["series"] + [k for k in _LEGEND_KEYS if k in drawn]
    labels = [tx["series"].format(country=name)] + [tx[k] for k in keys[1:]]
    widest = max(svg.text_width(label, 11) for label in labels) + 44
    cols = max(1, min(len(keys), int(c.width // widest)))
    col_w = c.width / cols
    top = c.height + 6
    with c.group(cls="legend"):
        for i, (key, label) in enumerate(zip(keys, labels, strict=True)):
            lx, ly = col_w * (i % cols) + 12, top + _LEGEND_ROW_H * (i // cols) + 11
            _legend_key(c, key, lx, ly)
            c.text(lx + 30, ly + 4, label, 11, cls="legend-label")
    c.height = top + _LEGEND_ROW_H * math.ceil(len(keys) / cols) + 6


def _legend_key(c: svg.Canvas, key: str, x: float, y: float) -> None:
    """The small drawing of one legend entry, 24 px wide, centred on height ``y``."""
    if key == "asean_range":
        c.rect(x, y - 6, 24, 12, MUTED_COLOUR, opacity=BAND_ALPHA)
    elif key == "baseline":
        c.circle(x + 12, y, 6, "none", stroke=BASELINE_COLOUR, stroke_width=2)
    elif key == "latest":
        c.diamond(x + 12, y, 5.5, SERIES_COLOUR)
    elif key == "target":
        c.line(x, y, x + 24, y, STATUS_COLOURS["target_met"], stroke_width=1.6,
               stroke_dasharray="6 4")  # fmt: skip
    elif key == "projection":
        c.line(x, y, x + 24, y, SERIES_COLOUR, stroke_width=1.8, stroke_dasharray="2 3")
    elif key == "suspect":
        c.cross(x + 12, y, 6, HIGHLIGHT_COLOUR, stroke="black", stroke_width=0.6)
    else:
        c.line(x, y, x + 24, y, SERIES_COLOUR, stroke_width=1.8)
        c.circle(x + 12, y, 2.6, SERIES_COLOUR)


def _year_ticks(first: int, last: int, max_ticks: int = 5) -> list[int]:
    """Integer year ticks: every 1, 2, 5, 10 or 20 years so that at most ``max_ticks`` fit."""
    span = max(last - first, 0)
    step = next((s for s in (1, 2, 5, 10, 20, 50) if span / s < max_ticks), 100)
    start = math.ceil(first / step) * step
    return list(range(start, last + 1, step)) or [first]


def _value(row: Mapping[str, Any], col: str) -> float | None:
    if col not in row:
        return None
    v = row[col]
    return None if pd.isna(v) else float(v)


# --------------------------------------------------------------------------- status
def status_shares(
    assessment: pd.DataFrame, catalogue: Catalogue, by: str = "characteristic"
) -> pd.DataFrame:
    """Percentage of rows per status (columns, ``STATUS_ORDER`` order) per group (rows).

    Rows of ``assessment`` are indicators (one country) or country × indicator pairs;
    each group's shares add up to 100.
    """
    if by not in ("characteristic", "element"):
        raise ValueError(f"by must be 'characteristic' or 'element'; got {by!r}")
    require_columns(assessment, ("indicator", "status"), "assessment")
    ids = assessment["indicator"].astype(str)
    group = ids.map(catalogue.indicators[by])
    if by in assessment:
        given = assessment[by].astype("string").fillna("")
        group = given.where(given.ne(""), group)
    frame = pd.DataFrame(
        {"group": group.astype("string"), "status": assessment["status"].astype(str)}
    )
    frame = frame.dropna(subset=["group"])
    counts = pd.crosstab(frame["group"], frame["status"]).reindex(
        columns=list(STATUS_ORDER), fill_value=0
    )
    shares = counts.div(counts.sum(axis=1), axis=0) * 100
    shares.index = shares.index.astype(str)
    return shares.sort_index()


def status_bar(
    assessment: pd.DataFrame,
    catalogue: Catalogue,
    by: str = "characteristic",
    lang: str = "en",
    country: str | None = None,
    group_label: str | None = None,
) -> svg.SVG:
    """Horizontal stacked bars: share of indicators per status, per characteristic.

    Parameters
    ----------
    assessment : pandas.DataFrame
        Output of ``trends.assess`` (``indicator``, ``status``; ``characteristic`` or
        ``element`` optional, else taken from the catalogue). With several countries the
        shares are of country × indicator pairs.
    catalogue : Catalogue
    by : {"characteristic", "element"}
        Bars; labelled by characteristic name (``name_vi`` for Vietnamese) or element code
        and title.
    lang : {"en", "vi"}
    country : str, optional
        ISO3: keep that member state's rows and name it in the title.
    group_label : str, optional
        What a bar is called in the title when the report follows another framework
        ("focus area"); default the word for ``by``.

    Returns
    -------
    mtr_analysis.reporting.svg.SVG
        :func:`stacked_bars` of the shares (%), one segment per status of the method.
    """
    tx = _text(lang)
    if by not in ("characteristic", "element"):
        raise ValueError(f"by must be 'characteristic' or 'element'; got {by!r}")
    by_word = group_label or tx[by]
    if country is not None:
        require_columns(assessment, ("country",), "assessment")
        assessment = assessment.loc[assessment["country"].astype(str) == str(country)]
        title = tx["status_bar_country"].format(by=by_word, country=_country_name(country, lang))
    else:
        title = tx["status_bar"].format(by=by_word)
    shares = status_shares(assessment, catalogue, by)
    if shares.empty:
        return _empty_svg(title, lang)
    statuses = method_statuses(assessment)
    return stacked_bars(
        shares[statuses], _bar_labels(shares, catalogue, by, lang),
        [i18n.status_label(st, lang) for st in statuses],
        [STATUS_COLOURS[st] for st in statuses], title, tx["share"],
    )  # fmt: skip


def _bar_labels(shares: pd.DataFrame, catalogue: Catalogue, by: str, lang: str) -> list[str]:
    """Bar labels: code and wrapped characteristic name, or element code and short title."""
    if by == "characteristic":
        chars = catalogue.characteristics
        col = "name_vi" if lang == "vi" else "name"
        names = [str(chars.at[g, col]) if g in chars.index else g for g in shares.index]
        return [
            f"{g}. " + "\n".join(textwrap.wrap(n, 28))
            for g, n in zip(shares.index, names, strict=True)
        ]
    els = catalogue.elements
    return [
        f"{g} " + truncate(str(els.at[g, "title"]), 30) if g in els.index else g
        for g in shares.index
    ]


def method_statuses(assessment: pd.DataFrame) -> list[str]:
    """The statuses a legend shows: those of the assessment's method (its ``method``
    column: ESCAP's classes for ``escap``, UNSD's levels otherwise), plus any other status
    present; every status when the method is unknown or mixed."""
    methods = set(assessment["method"].dropna().astype(str)) if "method" in assessment else set()
    return shown_statuses(methods, set(assessment["status"].dropna().astype(str)))


# Layout of the stacked bars, in pixels.
_BAR_W, _BAR_H, _BAR_GAP, _LEGEND_W = 520, 26, 14, 230


def stacked_bars(
    shares: pd.DataFrame,
    labels: Sequence[str],
    names: Sequence[str],
    colours: Sequence[str],
    title: str,
    x_label: str,
) -> svg.SVG:
    """Horizontal bars of shares (%) stacked in column order, one bar per row of ``shares``.

    Each segment is a ``<rect class="segment">`` with ``data-row`` (the row's index value),
    ``data-segment`` (the column), ``data-share`` (%), and a tooltip; its share is written
    on it when it is 7 % or more. ``labels`` (one per row, ``\n`` for more lines) go on the
    left, the legend (``names`` with ``colours``, one per column) on the right.
    """
    lines = [str(label).split("\n") for label in labels]
    label_w = max(svg.text_width(t, _LABEL_SIZE) for ls in lines for t in ls) + 16
    row_h = max(_BAR_H + _BAR_GAP, max(len(ls) for ls in lines) * 13 + 10)
    left, top = label_w, 44
    height = top + row_h * len(shares) + 44
    c = svg.Canvas(left + _BAR_W + _LEGEND_W, max(height, top + 18 * len(names) + 10), title)
    c.text(c.width / 2, 24, title, 15, anchor="middle", cls="title")
    x = svg.linear((0, 100), (left, left + _BAR_W))
    bottom = top + row_h * len(shares)
    for tick in range(0, 101, 20):
        c.line(x(tick), top, x(tick), bottom, GRID_COLOUR, stroke_width=0.8)
        c.text(x(tick), bottom + 15, str(tick), _LABEL_SIZE, anchor="middle")
    c.text(x(50), bottom + 34, x_label, _LABEL_SIZE, anchor="middle", cls="x-label")
    for r, (key, values) in enumerate(shares.iterrows()):
        y = top + row_h * r + (row_h - _BAR_H) / 2
        first = y + _BAR_H / 2 + 4 - 6.5 * (len(lines[r]) - 1)
        c.text(left - 8, first, "\n".join(lines[r]), _LABEL_SIZE, anchor="end", cls="row-label")
        start = 0.0
        for col, name, colour in zip(shares.columns, names, colours, strict=True):
            share = float(values[col])
            _segment(c, (x(start), y, x(start + share) - x(start)), colour, share,
                     {"data_row": str(key), "data_segment": str(col), "tip": f"{name}: {share:.0f} %"})  # fmt: skip
            start += share
    _legend_column(c, list(zip(names, colours, strict=True)), left + _BAR_W + 16, top)
    return c.render()


def _segment(c: svg.Canvas, box: tuple[float, float, float], colour: str, share: float,
             attrs: dict) -> None:  # fmt: skip
    """One bar segment (``box`` = x, y, width) with its share written on it from 7 %."""
    x0, y, width = box
    # Near-white segments ("no data") are outlined so the bar shows.
    r, g, b = _rgb(colour)
    edge = MUTED_COLOUR if 0.299 * r + 0.587 * g + 0.114 * b > 0.9 else "#ffffff"
    c.rect(x0, y, width, _BAR_H, colour, stroke=edge, stroke_width=0.6, cls="segment",
           data_share=f"{share:.12g}", **attrs)  # fmt: skip
    if share >= 7:
        c.text(x0 + width / 2, y + _BAR_H / 2 + 4, f"{share:.0f}", 10, anchor="middle",
               fill=_text_colour(colour))  # fmt: skip


def _legend_column(c: svg.Canvas, items: list[tuple[str, str]], x: float, top: float) -> None:
    """Colour keys with their words, one per line, from ``top`` down at ``x``."""
    with c.group(cls="legend"):
        for k, (label, colour) in enumerate(items):
            y = top + 18 * k
            c.rect(x, y, 14, 12, colour, stroke="#808080", stroke_width=0.6)
            c.text(x + 19, y + 10.5, label, _LABEL_SIZE, cls="legend-label")


# --------------------------------------------------------------------------- position
def position_scores(
    assessment_all: pd.DataFrame, catalogue: Catalogue, indicators: Iterable[str] | None = None
) -> pd.DataFrame:
    """Latest values scaled to 0–1 within each indicator across member states.

    Returns ``indicator``, ``country``, ``latest_value``, ``score`` with
    ``score = (v − min) / (max − min)`` for increase-desirable indicators and
    ``1 − that`` for decrease-desirable ones (1 = best); 0.5 when all values are equal.
    Only catalogue indicators with values for two or more countries.
    """
    require_columns(assessment_all, ("country", "indicator", "latest_value"), "assessment_all")
    frame = assessment_all.loc[
        assessment_all["latest_value"].notna(), ["country", "indicator", "latest_value"]
    ]
    frame = frame.assign(
        country=frame["country"].astype(str),
        indicator=frame["indicator"].astype(str),
        latest_value=frame["latest_value"].astype(float),
    ).drop_duplicates(["indicator", "country"])
    keep = ordered_indicators(
        catalogue, indicators if indicators is not None else frame["indicator"]
    )
    frame = frame.loc[frame["indicator"].isin(keep)]
    n = frame.groupby("indicator")["country"].transform("size")
    frame = frame.loc[n >= 2]
    grouped = frame.groupby("indicator")["latest_value"]
    lo, hi = grouped.transform("min"), grouped.transform("max")
    span = hi - lo
    score = ((frame["latest_value"] - lo) / span.where(span > 0)).fillna(0.5)
    decrease = frame["indicator"].map(catalogue.indicators["direction"]).eq("decrease")
    score = score.where(~decrease, 1 - score)
    out = frame.assign(score=score)
    order = {ind: k for k, ind in enumerate(keep)}
    out = out.assign(_o=out["indicator"].map(order)).sort_values(["_o", "country"], kind="stable")
    return out.drop(columns="_o").reset_index(drop=True)


def country_position(
    assessment_all: pd.DataFrame,
    catalogue: Catalogue,
    country: str,
    indicators: Iterable[str] | None = None,
    lang: str = "en",
) -> svg.SVG:
    """Dot strips: where a member state's latest value sits among all member states.

    Parameters
    ----------
    assessment_all : pandas.DataFrame
        ``trends.assess`` output for all member states (``country``, ``indicator``,
        ``latest_value``).
    catalogue : Catalogue
        Gives the desirable direction (decrease-desirable indicators are reversed).
    country : str
        ISO3 of the highlighted member state.
    indicators : iterable of str, optional
        Rows (default: every catalogue indicator with values for this country and at
        least one other), ordered by characteristic then element.
    lang : {"en", "vi"}

    Returns
    -------
    mtr_analysis.reporting.svg.SVG
        One row per indicator: the other member states as grey dots (``class="other"``),
        the country as a large orange dot (``class="mine"``), each with ``data-score``
        (:func:`position_scores`) and a tooltip with the country and its latest value.
    """
    tx = _text(lang)
    name = _country_name(country, lang)
    title = tx["position"].format(country=name)
    scores = position_scores(assessment_all, catalogue, indicators)
    mine = scores.loc[scores["country"] == str(country)]
    rows = [i for i in dict.fromkeys(scores["indicator"]) if i in set(mine["indicator"])]
    if not rows:
        return _empty_svg(title, lang)
    scores = scores.loc[scores["indicator"].isin(rows)]
    others = scores.loc[scores["country"] != str(country)]
    mine = mine.loc[mine["indicator"].isin(rows)]

    labels = [short_name(catalogue, i, lang=lang) for i in rows]
    # Plain tuples per row (a pandas row per dot was most of this chart's time).
    dots_of, mine_of = _dots(others), _dots(mine)
    names = {c: _country_name(c, lang) for c in set(others["country"])}
    label_w = max(svg.text_width(t, _LABEL_SIZE) for t in labels) + 16
    row_h, plot_w, top = 22, 460, 44
    c = svg.Canvas(label_w + plot_w + 30, top + row_h * len(rows) + 70, title=title)
    c.text(c.width / 2, 24, title, 15, anchor="middle", cls="title")
    x = svg.linear((-0.05, 1.05), (label_w, label_w + plot_w))
    bottom = top + row_h * len(rows)
    for tick, text in ((0, "0"), (0.5, "0.5"), (1, "1")):
        c.line(x(tick), top, x(tick), bottom + 4, "#bbbbbb", stroke_width=0.8)
        c.text(x(tick), bottom + 17, text, _LABEL_SIZE, anchor="middle")
    c.text(x(0.5), bottom + 35, tx["position_x"], _LABEL_SIZE, anchor="middle", cls="x-label")
    for k, (ind, label) in enumerate(zip(rows, labels, strict=True)):
        y = top + row_h * (k + 0.5)
        c.line(x(-0.05), y, x(1.05), y, RULE_COLOUR, stroke_width=0.8)
        c.text(label_w - 8, y + 4, label, _LABEL_SIZE, anchor="end", cls="row-label")
        for cty, score, value in dots_of.get(ind, ()):
            c.circle(x(score), y, 3.6, MUTED_COLOUR, opacity=0.8, cls="other", data_row=ind,
                     data_score=f"{score:.12g}", tip=f"{names[cty]}: {_number(value)}")  # fmt: skip
        for _cty, score, value in mine_of.get(ind, ()):
            c.circle(x(score), y, 6, HIGHLIGHT_COLOUR, stroke="black", stroke_width=0.6,
                     cls="mine", data_row=ind, data_score=f"{score:.12g}",
                     tip=f"{name}: {_number(value)}")  # fmt: skip
    with c.group(cls="legend"):
        c.circle(c.width / 2 - 150, bottom + 55, 3.6, MUTED_COLOUR)
        c.text(c.width / 2 - 140, bottom + 59, tx["others"], _LABEL_SIZE, cls="legend-label")
        c.circle(c.width / 2 + 30, bottom + 55, 6, HIGHLIGHT_COLOUR, stroke="black")
        c.text(c.width / 2 + 42, bottom + 59, name, _LABEL_SIZE, cls="legend-label")
    return c.render()


def _dots(scores: pd.DataFrame) -> dict[str, list[tuple[str, float, float]]]:
    """Indicator → (country, score, latest value) of each member state, in row order."""
    out: dict[str, list[tuple[str, float, float]]] = {}
    rows = zip(scores["indicator"], scores["country"], scores["score"], scores["latest_value"],
               strict=True)  # fmt: skip
    for ind, cty, score, value in rows:
        out.setdefault(str(ind), []).append((str(cty), float(score), float(value)))
    return out


# --------------------------------------------------------------------------- current status
def current_status_chart(
    assessment: pd.DataFrame, catalogue: Catalogue, by: str = "characteristic", lang: str = "en"
) -> svg.SVG:
    """ESCAP Current Status Index per group: progress made since the base year as a share
    of the distance to the target, against the share expected for the years elapsed.

    Parameters
    ----------
    assessment : pandas.DataFrame
        Output of ``trends.assess`` (``current_status``, ``expected_status``, ``by``).
    catalogue : Catalogue
    by : {"characteristic", "element"}
    lang : {"en", "vi"}

    Returns
    -------
    svg.SVG
        One horizontal bar per group (``<rect class="csi-bar">`` from 0 to the index in %;
        a bar left of 0 means the group regressed), a vertical tick per bar at the expected
        share (``class="expected"``), and the number of series averaged next to each bar
        (:func:`mtr_analysis.analysis.escap.current_status_index`). The plot area is a
        ``<g class="plot">`` with ``data-box`` (pixels) and ``data-x0``/``data-x1`` (% at its
        left and right edges).
    """
    from mtr_analysis.analysis.escap import current_status_index

    tx = _text(lang)
    title = tx["csi_title"].format(by=tx[by])
    index = current_status_index(assessment, by)
    if index.empty:
        return _empty_svg(title, lang)
    labels = _bar_labels(index.set_index(by), catalogue, by, lang)
    csi = index["csi"].to_numpy(dtype=float) * 100
    rows = list(zip(labels, csi, index["expected"].to_numpy(dtype=float) * 100,
                    index["n_series"], strict=True))  # fmt: skip
    domain = (min(-10.0, float(np.nanmin(csi)) - 5), 110.0)
    return _index_bars(rows, domain, title, tx)


def _index_bars(
    rows: list[tuple[str, float, float, int]], domain: tuple[float, float], title: str, tx: dict
) -> svg.SVG:
    """Bars of (label, index %, expected %, series) over ``domain`` (%), legend on the right."""
    lines = [label.split("\n") for label, *_ in rows]
    left = max(svg.text_width(t, _LABEL_SIZE) for ls in lines for t in ls) + 16
    row_h = max(_BAR_H + _BAR_GAP, max(len(ls) for ls in lines) * 13 + 10)
    top, bottom = 44, 44 + row_h * len(rows)
    c = svg.Canvas(left + _BAR_W + _LEGEND_W, bottom + 44, title)
    c.text(c.width / 2, 24, title, 15, anchor="middle", cls="title")
    x = svg.linear(domain, (left, left + _BAR_W))
    ticks = svg.nice_ticks(*domain)
    step = ticks[1] - ticks[0]
    for tick in (t for t in ticks if domain[0] <= t <= domain[1]):
        c.line(x(tick), top, x(tick), bottom, GRID_COLOUR, stroke_width=0.8)
        label = svg.tick_label(tick, step)
        c.text(x(tick), bottom + 15, label, _LABEL_SIZE, anchor="middle", cls="tick-label")
    c.line(x(0), top, x(0), bottom, MUTED_COLOUR, stroke_width=0.8, cls="zero")
    c.text(x((domain[0] + domain[1]) / 2), bottom + 34, tx["csi_axis"], _LABEL_SIZE,
           anchor="middle", cls="x-label")  # fmt: skip
    made, regressed = STATUS_COLOURS["maintain_progress"], STATUS_COLOURS["reverse_trend"]
    box = f"{left:g} {top:g} {left + _BAR_W:g} {bottom:g}"
    with c.group(cls="plot", data_box=box, data_x0=f"{domain[0]:g}", data_x1=f"{domain[1]:g}"):
        for r, (_label, value, expected, n) in enumerate(rows):
            y = top + row_h * r + (row_h - _BAR_H) / 2
            first = y + _BAR_H / 2 + 4 - 6.5 * (len(lines[r]) - 1)
            c.text(left - 8, first, "\n".join(lines[r]), _LABEL_SIZE, anchor="end",
                   cls="row-label")  # fmt: skip
            c.rect(min(x(0), x(value)), y, abs(x(value) - x(0)), _BAR_H,
                   regressed if value < 0 else made, cls="csi-bar", data_csi=f"{value:.12g}",
                   tip=f"{tx['csi_made']}: {value:.0f} %")  # fmt: skip
            if np.isfinite(expected):
                c.line(x(expected), y - 4, x(expected), y + _BAR_H + 4, SERIES_COLOUR,
                       stroke_width=2.5, cls="expected", data_expected=f"{expected:.12g}",
                       tip=f"{tx['csi_expected']}: {expected:.0f} %")  # fmt: skip
            end = max(value, expected if np.isfinite(expected) else 0, 0)
            c.text(x(end) + 6, y + _BAR_H / 2 + 4, f"n = {n}", 10, cls="n-series")
    _csi_legend(c, tx, left + _BAR_W + 16, top)
    return c.render()


def _csi_legend(c: svg.Canvas, tx: dict, x: float, top: float) -> None:
    """Keys: a bar for the progress made, a tick for the expected share."""
    with c.group(cls="legend"):
        c.rect(x, top, 14, 12, STATUS_COLOURS["maintain_progress"], stroke="#808080",
               stroke_width=0.6)  # fmt: skip
        c.text(x + 19, top + 10.5, tx["csi_made"], _LABEL_SIZE, cls="legend-label")
        c.line(x + 7, top + 16, x + 7, top + 32, SERIES_COLOUR, stroke_width=2.5)
        c.text(x + 19, top + 28.5, tx["csi_expected"], _LABEL_SIZE, cls="legend-label")


# --------------------------------------------------------------------------- baseline pace
def _pace_percent(table: pd.DataFrame, kind: str) -> np.ndarray:
    """Pace in % per year: the CAGR where the table compares CAGRs, else the annual change
    as a share of the baseline value (a 0 target has no CAGR)."""
    rate = table[f"{kind}_cagr"].to_numpy(float)
    change = table[f"{kind}_change"].to_numpy(float) / table["baseline_value"].abs().to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return 100 * np.where(table["pace_basis"].eq("cagr").to_numpy(bool), rate, change)


def pace_chart(table: pd.DataFrame, catalogue: Catalogue, title: str, lang: str = "en") -> Figure:
    """Required against observed pace per indicator (one country's baseline table).

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`mtr_analysis.analysis.baseline.baseline_table` for one country.
    catalogue : Catalogue
    title : str
    lang : {"en", "vi"}

    Returns
    -------
    matplotlib.figure.Figure
        Paired horizontal bars for each indicator with a required pace (``pace_basis`` not
        empty): required pace (grey) and observed recent pace (coloured by the pace label),
        in % per year: compound rates (CAGR) where defined, else the annual change as a
        share of the baseline value. An empty figure when no indicator has both.
    """
    words = i18n.words("text", lang)
    rows = table.loc[table["pace_basis"].fillna("").ne("")]
    rows = rows.set_index("indicator").reindex(
        [i for i in ordered_indicators(catalogue) if i in set(rows["indicator"])]
    ).reset_index()  # fmt: skip
    if rows.empty:
        return _empty_figure(title, lang)
    fig = _new_figure(9.5, 1.6 + 0.42 * len(rows))
    ax = fig.add_subplot()
    y = np.arange(len(rows))
    ax.barh(y - 0.2, _pace_percent(rows, "required"), height=0.4, color=PACE_COLOURS["required"],
            label=str(words["baseline_required_pace"]))  # fmt: skip
    ax.barh(y + 0.2, _pace_percent(rows, "observed"), height=0.4,
            color=[PACE_COLOURS.get(str(p), PACE_COLOURS["other"]) for p in rows["pace"]],
            label=str(words["baseline_observed_pace"]))  # fmt: skip
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [short_name(catalogue, i, lang=lang) for i in rows["indicator"]])
    ax.invert_yaxis()
    ax.set_xlabel(textwrap.fill(str(words["baseline_pace_axis"]), 100))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------- comparison
def transition_matrix_chart(
    comparison: pd.DataFrame, catalogue: Catalogue, lang: str = "en", country: str | None = None
) -> Figure:
    """Mid-term status (rows) × end-term status (columns), one panel per characteristic.

    Parameters
    ----------
    comparison : pandas.DataFrame
        :func:`mtr_analysis.analysis.comparison.compare` (``characteristic``,
        ``status_mid_term``, ``status_end_term``, ``transition``).
    catalogue : Catalogue
        Gives the characteristics' names (``name_vi`` for Vietnamese).
    lang : {"en", "vi"}
    country : str, optional
        ISO3: keep that member state's rows.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per characteristic with pairs; each non-empty cell holds the count of
        pairs (:func:`mtr_analysis.analysis.comparison.transition_matrix`) on the colour
        of its transition (``style.TRANSITION_COLOURS``). Rows and columns are the
        statuses present in any review, in :data:`STATUS_ORDER`.
    """
    from matplotlib.patches import Rectangle

    from mtr_analysis.analysis.comparison import TRANSITIONS, transition_matrix, transitions
    from mtr_analysis.reporting.style import TRANSITION_COLOURS

    tx = _text(lang)
    require_columns(
        comparison, ("characteristic", "status_mid_term", "status_end_term"), "comparison"
    )
    if country is not None:
        comparison = comparison.loc[comparison["country"].astype(str) == str(country)]
    chars = sorted(c for c in comparison["characteristic"].astype(str).unique() if c)
    if not chars:
        return _empty_figure(tx["transition_matrix"], lang)
    present = set(comparison["status_mid_term"]) | set(comparison["status_end_term"])
    shown = [s for s in STATUS_ORDER if s in present]
    ncols = min(3, len(chars))
    nrows = math.ceil(len(chars) / ncols)
    side = 1.2 + 0.32 * len(shown)
    fig = _new_figure(max(9.5, ncols * (side + 1.6)), 1.0 + nrows * (side + 1.4))
    labels = [truncate(i18n.status_label(s, lang), 24) for s in shown]
    moved = transitions(pd.Series(np.repeat(shown, len(shown))), pd.Series(shown * len(shown)))
    cell_colour = np.array([TRANSITION_COLOURS[m] for m in moved]).reshape(len(shown), len(shown))
    for k, code in enumerate(chars):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        counts = transition_matrix(comparison, code).loc[shown, shown].to_numpy()
        for (i, j), n in np.ndenumerate(counts):
            if n:
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, i - 0.5), 1, 1, facecolor=cell_colour[i, j], edgecolor="white"
                    )
                )
                ax.text(j, i, str(n), ha="center", va="center", fontsize=7,
                        color=_text_colour(cell_colour[i, j]))  # fmt: skip
        ax.set_xlim(-0.5, len(shown) - 0.5)
        ax.set_ylim(len(shown) - 0.5, -0.5)
        ax.set_xticks(range(len(shown)), labels=labels, rotation=60, ha="right", fontsize=6)
        ax.set_yticks(range(len(shown)), labels=labels if k % ncols == 0 else [], fontsize=6)
        ax.grid(True, color=RULE_COLOUR, linewidth=0.4)
        ax.set_axisbelow(True)
        ax.set_title(f"{code}. " + truncate(_char_title(catalogue, code, lang), 34), fontsize=8)
        ax.set_xlabel(tx["transition_cols"], fontsize=7)
        if k % ncols == 0:
            ax.set_ylabel(tx["transition_rows"], fontsize=7)
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=TRANSITION_COLOURS[m], edgecolor=MUTED_COLOUR,
              label=i18n.text(f"transition_{m}", lang))
        for m in TRANSITIONS
    ]  # fmt: skip
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), frameon=False,
               fontsize=8)  # fmt: skip
    fig.suptitle(tx["transition_matrix"])
    return fig


def _char_title(catalogue: Catalogue, code: str, lang: str) -> str:
    """Name of a characteristic in ``lang`` (its code when unknown)."""
    chars = catalogue.characteristics
    col = "name_vi" if lang == "vi" and "name_vi" in chars else "name"
    return str(chars.at[code, col]) if code in chars.index else str(code)
