"""Figures for the country profiles and the regional synthesis (product spec, section 6).

Every function returns a :class:`matplotlib.figure.Figure` built with the object-oriented
API (``Figure(...)``, not ``pyplot``): nothing is shown, no global style is changed and
figures are not kept alive by pyplot, so notebooks run in parallel without leaking memory.
Display a figure by making it the last expression of a cell, save it with
``fig.savefig(...)``. Layout is ``constrained`` so labels and legends do not overlap.

Colours are fixed per category (:data:`STATUS_COLOURS`, :data:`GAP_COLOURS`,
:data:`PRESENCE_COLOURS`) so the same status looks the same in every report; the
on-track greens lean to teal and the regression red is dark, so the two ends stay apart
for red–green colour-blind readers, and every chart also carries a legend.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from mtr_analysis import registry
from mtr_analysis.catalogue import Catalogue
from mtr_analysis.findings import STATUS_LABELS, STATUSES
from mtr_analysis.schema import require_columns

LANGS = ("en", "vi")
MAX_LABEL = 45

#: One fixed colour per ``trends.assess`` status.
STATUS_COLOURS: dict[str, str] = {
    "target_met": "#01665e",  # dark teal green
    "on_track": "#5ab4ac",  # light teal green
    "moderate_progress": "#f6d55c",  # yellow
    "marginal_progress": "#ef8a3c",  # orange
    "stagnation": "#bf9b7a",  # grey-orange
    "regression": "#b2182b",  # dark red
    "insufficient_data": "#bdbdbd",  # light grey
    "no_data": "#f0f0f0",  # very light grey
}
#: One fixed colour per ``gaps.availability`` gap category.
GAP_CATEGORIES = ("sufficient", "stale", "single_point", "no_data")
GAP_COLOURS: dict[str, str] = {
    "sufficient": "#2166ac",
    "stale": "#92c5de",
    "single_point": "#f4a582",
    "no_data": "#e6e6e6",
}
#: Cell states of :func:`availability_heatmap`.
PRESENCE = ("value", "estimate", "missing")
PRESENCE_COLOURS: dict[str, str] = {
    "value": "#2b5d8c",
    "estimate": "#9ecae1",
    "missing": "#f2f2f2",
}
#: Flags drawn as "estimate" (lighter) in the heatmap.
ESTIMATE_FLAGS = frozenset({"estimate", "modelled", "imputed", "carried_forward"})

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "availability": "Data availability, {country}, {y0}–{y1}",
        "regional_availability": "Data availability by member state and indicator",
        "trends": "Trends, {country}",
        "trends_more": "Trends, {country} (first {k} of {n} indicators with data)",
        "status_bar": "Progress status of indicators by {by}",
        "status_bar_country": "Progress status of indicators by {by}, {country}",
        "characteristic": "characteristic",
        "element": "element",
        "share": "% of indicators",
        "position": "{country} among member states: latest values",
        "position_x": "position among member states (right = better)",
        "others": "other member states",
        "no_data": "No data to plot",
        "year": "year",
        "value": "value",
        "estimate": "estimate, modelled or imputed",
        "missing": "no value",
        "sufficient": "sufficient",
        "stale": "stale (no recent value)",
        "single_point": "single data point",
        "gap_no_data": "no data",
        "series": "{country}",
        "baseline": "baseline",
        "latest": "latest value",
        "target": "target",
        "projection": "projection to target year",
        "asean_range": "ASEAN range (min–max)",
    },
    "vi": {
        "availability": "Tình trạng sẵn có dữ liệu, {country}, {y0}–{y1}",
        "regional_availability": "Tình trạng sẵn có dữ liệu theo nước thành viên ASEAN và chỉ số",
        "trends": "Xu hướng, {country}",
        "trends_more": "Xu hướng, {country} ({k} trên {n} chỉ số có dữ liệu)",
        "status_bar": "Tình trạng tiến độ của các chỉ số theo {by}",
        "status_bar_country": "Tình trạng tiến độ của các chỉ số theo {by}, {country}",
        "characteristic": "đặc điểm",
        "element": "thành tố",
        "share": "% chỉ số",
        "position": "{country} so với các nước thành viên ASEAN: giá trị mới nhất",
        "position_x": "vị trí trong các nước thành viên ASEAN (bên phải = tốt hơn)",
        "others": "các nước thành viên ASEAN khác",
        "no_data": "Không có dữ liệu để vẽ",
        "year": "năm",
        "value": "có giá trị",
        "estimate": "ước tính, mô hình hóa hoặc quy nạp",
        "missing": "không có giá trị",
        "sufficient": "đủ dữ liệu",
        "stale": "dữ liệu cũ (không có giá trị gần đây)",
        "single_point": "một điểm dữ liệu",
        "gap_no_data": "không có dữ liệu",
        "series": "{country}",
        "baseline": "giá trị cơ sở",
        "latest": "giá trị mới nhất",
        "target": "mục tiêu",
        "projection": "dự báo đến năm mục tiêu",
        "asean_range": "khoảng giá trị ASEAN (thấp nhất–cao nhất)",
    },
}
_GAP_TEXT = {"no_data": "gap_no_data"}
_TRAILING_PAREN = re.compile(r"\s*\([^()]*\)\s*$")


# --------------------------------------------------------------------------- helpers
def _text(lang: str) -> dict[str, str]:
    if lang not in TEXT:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return TEXT[lang]


def truncate(text: str, max_len: int = MAX_LABEL) -> str:
    """Cut ``text`` to at most ``max_len`` characters, ending with an ellipsis if cut."""
    text = str(text)
    return text if len(text) <= max_len else text[: max_len - 1].rstrip() + "…"


def short_name(catalogue: Catalogue, indicator: str, max_len: int = MAX_LABEL) -> str:
    """Label of an indicator: ``short_name`` column if any, else the name.

    A trailing parenthesis is dropped when the name is too long, then the text is cut to
    ``max_len`` characters with an ellipsis. Unknown ids are returned as they are.
    """
    table = catalogue.indicators
    if indicator not in table.index:
        return truncate(str(indicator), max_len)
    if "short_name" in table and str(table.at[indicator, "short_name"] or "").strip():
        name = str(table.at[indicator, "short_name"])
    else:
        name = str(table.at[indicator, "name"])
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


def _text_colour(colour: str) -> str:
    r, g, b = to_rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def _group_labels(ax, catalogue: Catalogue, rows: Sequence[str]) -> None:
    """Separate characteristic groups with lines; label each group on the right side."""
    chars = [str(catalogue.indicators.at[i, "characteristic"]) for i in rows]
    starts = [k for k in range(len(chars)) if k == 0 or chars[k] != chars[k - 1]]
    ends = starts[1:] + [len(chars)]
    for s in starts[1:]:
        ax.axhline(s - 0.5, color="black", linewidth=0.8)
    ax.set_yticks(
        [(s + e - 1) / 2 for s, e in zip(starts, ends, strict=True)],
        labels=[chars[s] for s in starts],
        minor=True,
    )
    ax.yaxis.remove_overlapping_locs = False  # keep group labels that sit on a row
    ax.tick_params(
        axis="y",
        which="minor",
        left=False,
        right=False,
        labelleft=False,
        labelright=True,
        labelsize=9,
    )


def _categorical_mesh(ax, codes: np.ndarray, colours: Sequence[str]) -> None:
    cmap = ListedColormap(list(colours))
    norm = BoundaryNorm(np.arange(len(colours) + 1) - 0.5, cmap.N)
    ny, nx = codes.shape
    ax.pcolormesh(
        np.arange(nx + 1) - 0.5,
        np.arange(ny + 1) - 0.5,
        codes,
        cmap=cmap,
        norm=norm,
        edgecolors="white",
        linewidth=0.5,
    )
    ax.set_xlim(-0.5, nx - 0.5)
    ax.set_ylim(ny - 0.5, -0.5)


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
) -> Figure:
    """Indicator × year grid showing which values exist for one member state.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy observations (``country``, ``indicator``, ``year``, ``value``; ``flag``
        optional), e.g. from :func:`mtr_analysis.store.for_analysis`.
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
    matplotlib.figure.Figure
        One axes; cells are "value", "estimate" (flag ``estimate``, ``modelled``,
        ``imputed`` or ``carried_forward``) or "missing".
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

    rows_obs = obs.loc[
        (obs["country"].astype(str) == str(country))
        & obs["year"].isin(years)
        & obs["value"].notna()
    ]
    flag = (
        rows_obs["flag"].astype(str) if "flag" in rows_obs else pd.Series("", index=rows_obs.index)
    )
    # 0 = value, 1 = estimate, 2 = missing; an unflagged value wins over an estimate.
    state = flag.isin(ESTIMATE_FLAGS).astype(int)
    cells = (
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
    candidates = ordered_indicators(catalogue, indicators)
    with_data = set(cells.index.get_level_values("indicator"))
    rows = [i for i in candidates if include_empty or i in with_data]
    if not rows:
        return _empty_figure(title, lang)

    grid = cells.unstack("year").reindex(index=rows, columns=years)
    codes = grid.fillna(2).to_numpy(dtype=float)

    labels = [short_name(catalogue, i) for i in rows]
    fig = _new_figure(max(6.0, 3.6 + 0.32 * len(years)), 1.8 + 0.28 * len(rows))
    ax = fig.add_subplot()
    _categorical_mesh(ax, codes, [PRESENCE_COLOURS[p] for p in PRESENCE])
    ax.set_yticks(range(len(rows)), labels=labels, fontsize=8)
    rotate = 90 if len(years) > 12 else 0
    ax.set_xticks(range(len(years)), labels=[str(y) for y in years], fontsize=8, rotation=rotate)
    ax.tick_params(axis="both", which="major", length=0)
    _group_labels(ax, catalogue, rows)
    fig.suptitle(title)
    handles = [
        Patch(facecolor=PRESENCE_COLOURS[p], edgecolor="grey", label=tx[p]) for p in PRESENCE
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=3, frameon=False, fontsize=8)
    return fig


def regional_availability_matrix(
    avail: pd.DataFrame,
    catalogue: Catalogue,
    countries: Iterable[str] | None = None,
    indicators: Iterable[str] | None = None,
    lang: str = "en",
) -> Figure:
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
    matplotlib.figure.Figure
        One axes; pairs missing from ``avail`` are drawn as ``no_data``.
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
        return _empty_figure(title, lang)
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

    fig = _new_figure(max(7.0, 4.5 + 0.45 * len(cols)), 2.0 + 0.26 * len(rows))
    ax = fig.add_subplot()
    _categorical_mesh(ax, codes, [GAP_COLOURS[g] for g in GAP_CATEGORIES])
    ax.set_yticks(range(len(rows)), labels=[short_name(catalogue, i) for i in rows], fontsize=8)
    ax.set_xticks(
        range(len(cols)),
        labels=[_country_name(c, lang) for c in cols],
        fontsize=8,
        rotation=45,
        ha="right",
    )
    ax.tick_params(axis="both", which="major", length=0)
    _group_labels(ax, catalogue, rows)
    fig.suptitle(title)
    handles = [
        Patch(facecolor=GAP_COLOURS[g], edgecolor="grey", label=tx[_GAP_TEXT.get(g, g)])
        for g in GAP_CATEGORIES
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig


# --------------------------------------------------------------------------- trends
def _first(rows: pd.DataFrame, col: str) -> float | None:
    if col not in rows or rows.empty:
        return None
    v = rows[col].iloc[0]
    return None if pd.isna(v) else float(v)


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
) -> Figure:
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
        countries report) is shaded behind the series.
    ncols : int
        Panels per row.
    lang : {"en", "vi"}

    Returns
    -------
    matplotlib.figure.Figure
        One axes per panel (unused grid cells removed); a centred "No data to plot" text
        when no indicator has data.

    Notes
    -----
    Target: dashed horizontal line at ``target_value`` (from ``assessment``, else the
    catalogue). Projection: dotted line from (``latest_year``, ``latest_value``) to
    (``target_year``, ``projected_value``).
    """
    tx = _text(lang)
    require_columns(obs, ("country", "indicator", "year", "value"), "obs")
    require_columns(assessment, ("country", "indicator"), "assessment")
    if not isinstance(max_panels, int) or max_panels < 1:
        raise ValueError(f"max_panels must be a positive integer; got {max_panels!r}")
    if not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer; got {ncols!r}")
    name = _country_name(country, lang)
    mine = obs.loc[(obs["country"].astype(str) == str(country)) & obs["value"].notna()]
    mine = mine.assign(indicator=mine["indicator"].astype(str))
    with_data = set(mine["indicator"])
    if indicators is None:
        candidates = ordered_indicators(catalogue, with_data)
    else:
        candidates = list(dict.fromkeys(str(i) for i in indicators))
    panels = [i for i in candidates if i in with_data]
    if not panels:
        return _empty_figure(tx["trends"].format(country=name), lang)
    shown = panels[:max_panels]
    title = (
        tx["trends"].format(country=name)
        if len(shown) == len(panels)
        else tx["trends_more"].format(country=name, k=len(shown), n=len(panels))
    )
    a = assessment.loc[assessment["country"].astype(str) == str(country)]
    a = a.assign(indicator=a["indicator"].astype(str))
    band_obs = None
    if asean_obs is not None:
        require_columns(asean_obs, ("country", "indicator", "year", "value"), "asean_obs")
        band_obs = asean_obs.loc[asean_obs["value"].notna()]
        band_obs = band_obs.assign(indicator=band_obs["indicator"].astype(str))

    ncols = min(ncols, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    fig = _new_figure(3.8 * ncols, 2.9 * nrows + 1.0)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(shown) :]:
        fig.delaxes(ax)
    colour = "#1f4e79"
    table = catalogue.indicators
    for ax, ind in zip(axes, shown, strict=False):
        series = mine.loc[mine["indicator"] == ind].groupby("year")["value"].first().sort_index()
        row = a.loc[a["indicator"] == ind]
        status = str(row["status"].iloc[0]) if "status" in row and len(row) else "no_data"
        x_max = int(series.index.max())
        if band_obs is not None:
            band = band_obs.loc[band_obs["indicator"] == ind].groupby("year")["value"]
            stats = pd.DataFrame({"lo": band.min(), "hi": band.max(), "n": band.size()})
            stats = stats.loc[stats["n"] >= 2]
            if len(stats):
                ax.fill_between(
                    stats.index.to_numpy(dtype=float),
                    stats["lo"],
                    stats["hi"],
                    color="#9e9e9e",
                    alpha=0.25,
                    linewidth=0,
                    label=tx["asean_range"],
                )
        ax.plot(
            series.index,
            series.to_numpy(),
            marker="o",
            markersize=3.5,
            color=colour,
            linewidth=1.5,
            label=tx["series"].format(country=name),
        )
        by, bv = _first(row, "baseline_year"), _first(row, "baseline_value")
        if by is not None and bv is not None:
            ax.plot(
                [by],
                [bv],
                marker="o",
                markersize=9,
                markerfacecolor="none",
                markeredgecolor="#e08214",
                markeredgewidth=2,
                linestyle="none",
                label=tx["baseline"],
            )
        ly, lv = _first(row, "latest_year"), _first(row, "latest_value")
        if ly is None or lv is None:
            ly, lv = float(series.index[-1]), float(series.iloc[-1])
        ax.plot(
            [ly], [lv], marker="D", markersize=6, color=colour, linestyle="none", label=tx["latest"]
        )
        target = _first(row, "target_value")
        if target is None and ind in table.index and pd.notna(table.at[ind, "target_value"]):
            target = float(table.at[ind, "target_value"])
        target_year = _first(row, "target_year")
        if target_year is None and ind in table.index and pd.notna(table.at[ind, "target_year"]):
            target_year = float(table.at[ind, "target_year"])
        if target is not None:
            ax.axhline(
                target,
                color=STATUS_COLOURS["target_met"],
                linestyle="--",
                linewidth=1.2,
                label=tx["target"],
            )
        projected = _first(row, "projected_value")
        if projected is not None and target_year is not None and target_year > ly:
            ax.plot(
                [ly, target_year],
                [lv, projected],
                linestyle=":",
                color=colour,
                linewidth=1.5,
                label=tx["projection"],
            )
            x_max = max(x_max, int(target_year))
        ax.set_xlim(min(int(series.index.min()), int(ly)) - 0.5, x_max + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.tick_params(labelsize=8)
        label = STATUS_LABELS[lang].get(status, status)
        ax.set_title(f"{short_name(catalogue, ind, 40)}\n{label}", fontsize=9)
        unit = str(table.at[ind, "unit"]) if ind in table.index else ""
        ax.set_ylabel("\n".join(textwrap.wrap(unit, 30)), fontsize=8)
        ax.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    # One legend for the figure, with every element that was drawn somewhere.
    seen: dict[str, object] = {}
    for ax in axes[: len(shown)]:
        for handle, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            seen.setdefault(lab, handle)
    fig.legend(
        list(seen.values()),
        list(seen.keys()),
        loc="outside lower center",
        ncols=min(len(seen), 6),
        frameon=False,
        fontsize=8,
    )
    fig.suptitle(title)
    return fig


# --------------------------------------------------------------------------- status
def status_shares(
    assessment: pd.DataFrame, catalogue: Catalogue, by: str = "characteristic"
) -> pd.DataFrame:
    """Percentage of rows per status (columns, :data:`STATUSES` order) per group (rows).

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
        columns=list(STATUSES), fill_value=0
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
) -> Figure:
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

    Returns
    -------
    matplotlib.figure.Figure
        One axes; one bar container per status (label = status label), widths in %.
    """
    tx = _text(lang)
    if by not in ("characteristic", "element"):
        raise ValueError(f"by must be 'characteristic' or 'element'; got {by!r}")
    if country is not None:
        require_columns(assessment, ("country",), "assessment")
        assessment = assessment.loc[assessment["country"].astype(str) == str(country)]
        title = tx["status_bar_country"].format(by=tx[by], country=_country_name(country, lang))
    else:
        title = tx["status_bar"].format(by=tx[by])
    shares = status_shares(assessment, catalogue, by)
    if shares.empty:
        return _empty_figure(title, lang)
    if by == "characteristic":
        chars = catalogue.characteristics
        col = "name_vi" if lang == "vi" else "name"
        names = [str(chars.at[g, col]) if g in chars.index else g for g in shares.index]
        labels = [
            f"{g}. " + "\n".join(textwrap.wrap(n, 28))
            for g, n in zip(shares.index, names, strict=True)
        ]
    else:
        els = catalogue.elements
        labels = [
            f"{g} " + truncate(str(els.at[g, "title"]), 30) if g in els.index else g
            for g in shares.index
        ]
    fig = _new_figure(9.5, 1.6 + 0.6 * len(shares))
    ax = fig.add_subplot()
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    for status in STATUSES:
        widths = shares[status].to_numpy(dtype=float)
        colour = STATUS_COLOURS[status]
        ax.barh(
            y,
            widths,
            left=left,
            color=colour,
            edgecolor="white",
            linewidth=0.6,
            label=STATUS_LABELS[lang][status],
            height=0.7,
        )
        for yi, (l0, w) in enumerate(zip(left, widths, strict=True)):
            if w >= 7:
                ax.text(
                    l0 + w / 2,
                    yi,
                    f"{w:.0f}",
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=_text_colour(colour),
                )
        left = left + widths
    ax.set_yticks(y, labels=labels, fontsize=9)
    ax.set_ylim(len(shares) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel(tx["share"])
    fig.suptitle(title)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    return fig


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
) -> Figure:
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
    matplotlib.figure.Figure
        One axes; the other countries form the first scatter collection, the selected
        country the second. Scores as in :func:`position_scores`.
    """
    tx = _text(lang)
    name = _country_name(country, lang)
    title = tx["position"].format(country=name)
    scores = position_scores(assessment_all, catalogue, indicators)
    mine = scores.loc[scores["country"] == str(country)]
    rows = [i for i in dict.fromkeys(scores["indicator"]) if i in set(mine["indicator"])]
    if not rows:
        return _empty_figure(title, lang)
    scores = scores.loc[scores["indicator"].isin(rows)]
    ypos = {ind: k for k, ind in enumerate(rows)}
    others = scores.loc[scores["country"] != str(country)]
    mine = mine.loc[mine["indicator"].isin(rows)]

    fig = _new_figure(8.5, 1.6 + 0.34 * len(rows))
    ax = fig.add_subplot()
    for k in range(len(rows)):
        ax.axhline(k, color="#e6e6e6", linewidth=0.8, zorder=0)
    ax.scatter(
        others["score"],
        others["indicator"].map(ypos),
        s=28,
        color="#9e9e9e",
        alpha=0.8,
        label=tx["others"],
        zorder=2,
    )
    ax.scatter(
        mine["score"],
        mine["indicator"].map(ypos),
        s=80,
        color="#d95f02",
        edgecolor="black",
        linewidth=0.6,
        label=name,
        zorder=3,
    )
    ax.set_yticks(range(len(rows)), labels=[short_name(catalogue, i) for i in rows], fontsize=8)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xticks([0, 0.5, 1])
    ax.set_xlabel(tx["position_x"])
    fig.suptitle(title)
    ax.tick_params(axis="y", length=0)
    fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=8)
    return fig
