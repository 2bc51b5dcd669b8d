"""Figures: structure (axes, rows, ticks, titles) and the numbers they draw."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from toy import catalogue_bc  # noqa: E402

from mtr_analysis.analysis.gaps import GAP_CATEGORIES  # noqa: E402
from mtr_analysis.analysis.status import STATUS_ORDER  # noqa: E402
from mtr_analysis.reference.catalogue import Catalogue  # noqa: E402
from mtr_analysis.reporting import figures, style  # noqa: E402

NAN = math.nan
LONG_NAME = "Mortality attributed to household and ambient air pollution, age-standardized rate"


def make_catalogue() -> Catalogue:
    rows = [
        ("b_gini", "Gini index (income or consumption)", "index (0-100)", "decrease", "B", "B.1", NAN, None),
        ("b_mmr", "Maternal mortality ratio (modeled)", "deaths per 100,000 live births", "decrease", "B", "B.2", 70.0, 2030),
        ("b_water", "People using safely managed drinking water services", "% of population", "increase", "B", "B.2", 100.0, 2030),
        ("c_forest", "Forest area", "% of land area", "increase", "C", "C.1", NAN, None),
        ("c_air", LONG_NAME, "deaths per 100,000", "decrease", "C", "C.2", NAN, None),
    ]  # fmt: skip
    cols = ["id", "name", "unit", "direction", "characteristic", "element", "target_value",
            "target_year"]  # fmt: skip
    ind = pd.DataFrame(rows, columns=cols)
    ind["target_year"] = ind["target_year"].astype("Int64")
    ind["target_kind"] = np.where(ind["target_value"].notna(), "absolute", "")
    return catalogue_bc(ind)


@pytest.fixture
def catalogue() -> Catalogue:
    return make_catalogue()


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _obs(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["country", "indicator", "year", "value", "flag"])
    frame["source"] = "World Bank WDI"
    return frame


@pytest.fixture
def obs() -> pd.DataFrame:
    return _obs(
        [
            ("VNM", "b_mmr", 2015, 121.0, ""),
            ("VNM", "b_mmr", 2017, 110.0, ""),
            ("VNM", "b_mmr", 2018, 104.0, "modelled"),
            ("VNM", "b_mmr", 2020, 95.2, ""),
            ("VNM", "c_forest", 2012, 44.0, ""),
            ("VNM", "c_forest", 2019, 45.5, "estimate"),
            ("VNM", "b_water", 2005, 50.0, ""),  # outside 2010–2020: no row
            ("VNM", "other_id", 2015, 1.0, ""),  # not in the catalogue: no row
            ("THA", "b_gini", 2015, 36.0, ""),  # another country: no row
            ("THA", "b_mmr", 2015, 30.0, ""),
            ("THA", "b_mmr", 2020, 25.0, ""),
            ("LAO", "b_mmr", 2015, 200.0, ""),
            ("LAO", "b_mmr", 2020, 180.0, ""),
        ]
    )


def _assess(country, ind, status, latest=(NAN, NAN), base=(NAN, NAN), target=NAN, ty=NAN, proj=NAN):
    return {
        "country": country, "indicator": ind, "characteristic": ind[0].upper(),
        "status": status, "baseline_year": base[0], "baseline_value": base[1],
        "latest_year": latest[0], "latest_value": latest[1], "target_value": target,
        "target_year": ty, "projected_value": proj,
    }  # fmt: skip


@pytest.fixture
def assessment() -> pd.DataFrame:
    return pd.DataFrame(
        [
            _assess("VNM", "b_mmr", "on_track", (2020, 95.2), (2015, 121.0), 70.0, 2030, 60.0),
            _assess("VNM", "b_water", "regression", (2020, 45.0), (2015, 50.0), 100.0, 2030, 35.0),
            _assess("VNM", "b_gini", "target_met", (2020, 30.0), (2015, 35.0)),
            _assess("VNM", "c_forest", "stagnation", (2019, 45.5), (2015, 45.0)),
            _assess("VNM", "c_air", "no_data"),
            _assess("THA", "b_mmr", "regression", (2020, 25.0), (2015, 30.0), 70.0),
            _assess("THA", "b_water", "on_track", (2020, 90.0), (2015, 80.0), 100.0),
            _assess("LAO", "b_mmr", "on_track", (2020, 170.0), (2015, 200.0), 70.0),
            _assess("LAO", "b_water", "moderate_progress", (2020, 30.0), (2015, 25.0), 100.0),
            _assess("LAO", "c_forest", "on_track", (2020, 60.0), (2015, 58.0)),
        ]
    )


# --------------------------------------------------------------------------- helpers
def test_every_category_has_its_own_colour():
    for codes, colours in (
        (STATUS_ORDER, style.STATUS_COLOURS),
        (GAP_CATEGORIES, style.GAP_COLOURS),
        (figures.PRESENCE, style.PRESENCE_COLOURS),
    ):
        assert set(colours) == set(codes)
        assert len(set(colours.values())) == len(codes)
        for colour in colours.values():
            matplotlib.colors.to_rgb(colour)  # a valid colour


def test_short_name_truncates_with_ellipsis(catalogue):
    label = figures.short_name(catalogue, "c_air")
    assert len(label) <= 45 and label.endswith("…")
    assert label.startswith("Mortality attributed to household")
    assert figures.short_name(catalogue, "c_forest") == "Forest area"


def test_ordered_indicators_by_characteristic_then_element(catalogue):
    order = figures.ordered_indicators(catalogue, ["c_forest", "b_water", "b_gini", "nope"])
    assert order == ["b_gini", "b_water", "c_forest"]


# --------------------------------------------------------------------------- heatmap
def _matrix(chart) -> tuple[list[str], list[str], np.ndarray]:
    """(row labels, column labels, codes) of a matrix chart, read from its SVG."""
    root = _tree(chart)
    rows = [_text_of(e) for e in _cls(root, "row-label")]
    cols = [_text_of(e) for e in _cls(root, "col-label")]
    keys = list(dict.fromkeys(e.get("data-row") for e in _cls(root, "cell")))
    col_keys = list(dict.fromkeys(e.get("data-col") for e in _cls(root, "cell")))
    codes = np.full((len(keys), len(col_keys)), -1)
    for e in _cls(root, "cell"):
        codes[keys.index(e.get("data-row")), col_keys.index(e.get("data-col"))] = int(
            e.get("data-state")
        )
    return rows, cols, codes


def test_availability_heatmap_rows_years_and_cells(obs, catalogue):
    chart = figures.availability_heatmap(obs, catalogue, "VNM", years=range(2010, 2021))
    assert "Viet Nam" in _title(chart) and "2010–2020" in _title(chart)
    labels, cols, codes = _matrix(chart)
    assert labels == ["Maternal mortality ratio (modeled)", "Forest area"]
    assert cols == [str(y) for y in range(2010, 2021)]
    years = list(range(2010, 2021))
    # 0 = national submission, 1 = international database, 2 = estimate, 3 = no value.
    expected = np.full((2, 11), 3)
    expected[0, [years.index(y) for y in (2015, 2017, 2020)]] = 1
    expected[0, years.index(2018)] = 2
    expected[1, years.index(2012)] = 1
    expected[1, years.index(2019)] = 2
    np.testing.assert_array_equal(codes, expected)
    # Each cell has the colour of its state, and a tooltip naming it.
    cell = next(e for e in _cls(_tree(chart), "cell") if e.get("data-col") == "2018")
    assert cell.get("fill") == style.PRESENCE_COLOURS["estimate"]
    assert cell[0].text == "Maternal mortality ratio (modeled), 2018: estimate, modelled or imputed"
    assert _legend(chart) == ["national submission", "international database",
                              "estimate, modelled or imputed", "no value"]  # fmt: skip
    assert [_text_of(e) for e in _cls(_tree(chart), "group-label")] == ["B", "C"]


def test_availability_heatmap_colours_national_values(obs, catalogue):
    national = obs.copy()
    national.loc[national["year"].eq(2017), "source"] = "DEMO national submission VNM: GSO"
    # Same cell reported twice: the national value wins over the international one.
    both = pd.concat([national, obs.loc[obs["year"].eq(2017)]], ignore_index=True)
    chart = figures.availability_heatmap(both, catalogue, "VNM", years=range(2015, 2021))
    codes = _matrix(chart)[2]
    assert codes[0].tolist() == [1, 3, 0, 2, 3, 1]  # 2015 intl, 2017 national, 2018 estimate


def test_presence_codes():
    frame = pd.DataFrame(
        {
            "source": ["National submission LAO", "World Bank WDI", "World Bank WDI", "x"],
            "flag": ["", "", "modelled", "imputed"],
        }
    )
    assert figures.presence_codes(frame).tolist() == [0, 1, 2, 2]
    assert figures.presence_codes(frame[["flag"]]).tolist() == [1, 1, 2, 2]


def test_availability_heatmap_default_years_from_review(obs, catalogue):
    cols = _matrix(figures.availability_heatmap(obs, catalogue, "VNM"))[1]
    assert cols[0] == "2010" and cols[-1] == "2020" and len(cols) == 11


def test_availability_heatmap_height_grows_and_empty_rows(obs, catalogue):
    small = figures.availability_heatmap(obs, catalogue, "VNM", years=range(2010, 2021))
    full = figures.availability_heatmap(
        obs, catalogue, "VNM", years=range(2010, 2021), include_empty=True
    )
    assert len(_matrix(full)[0]) == 5
    assert float(_tree(full).get("height")) > float(_tree(small).get("height"))


def test_availability_heatmap_no_data(obs, catalogue):
    chart = figures.availability_heatmap(obs, catalogue, "KHM", years=range(2010, 2021))
    assert [_text_of(e) for e in _cls(_tree(chart), "no-data")] == ["No data to plot"]
    assert "Cambodia" in _title(chart)


def test_regional_availability_matrix(catalogue):
    avail = pd.DataFrame(
        {
            "country": ["VNM", "VNM", "THA", "THA"],
            "indicator": ["b_mmr", "c_forest", "b_mmr", "c_forest"],
            "gap_category": ["sufficient", "stale", "single_point", "no_data"],
        }
    )
    chart = figures.regional_availability_matrix(avail, catalogue)
    rows, cols, codes = _matrix(chart)
    assert cols == ["Thailand", "Viet Nam"]
    assert len(rows) == 2
    order = list(GAP_CATEGORIES)
    expected = [
        [order.index("single_point"), order.index("sufficient")],
        [order.index("no_data"), order.index("stale")],
    ]
    np.testing.assert_array_equal(codes, expected)
    assert "no data" in _legend(chart)


# --------------------------------------------------------------------------- trends
SVG_NS = "{http://www.w3.org/2000/svg}"


def _tree(chart):
    """The chart's SVG parsed (fails on markup that is not well-formed)."""
    return ET.fromstring(chart.data)


def _text_of(element) -> str:
    """An SVG text's words, its ``<tspan>`` lines joined by a space (tooltips left out)."""
    parts = [element.text or ""] + [t.text or "" for t in element.iter(f"{SVG_NS}tspan")]
    return " ".join(p for p in parts if p)


def _cls(root, name: str) -> list:
    return [e for e in root.iter() if name in (e.get("class") or "").split()]


def _panel(chart, name: str):
    root = _tree(chart)
    return next(g for g in _cls(root, "panel")
                if _text_of(_cls(g, "panel-title")[0]).startswith(name))  # fmt: skip


def _badge(panel) -> str:
    return next(_text_of(e) for e in _cls(panel, "badge") if e.tag == f"{SVG_NS}text")


def _title(chart) -> str:
    return _text_of(_cls(_tree(chart), "title")[0])


def _legend(chart) -> list[str]:
    return [_text_of(e) for e in _cls(_tree(chart), "legend-label")]


def _points(element) -> np.ndarray:
    return np.array([[float(v) for v in p.split(",")] for p in element.get("points").split()])


def _to_data(panel, px: np.ndarray) -> np.ndarray:
    """Pixel (x, y) pairs of a panel back to (year, value), from its box and ranges."""
    x0, y0, x1, y1 = (float(v) for v in panel.get("data-box").split())
    lo, hi = float(panel.get("data-y0")), float(panel.get("data-y1"))
    first, last = float(panel.get("data-x0")), float(panel.get("data-x1"))
    years = first + (px[:, 0] - x0) / (x1 - x0) * (last - first)
    values = lo + (y1 - px[:, 1]) / (y1 - y0) * (hi - lo)
    return np.column_stack([years, values])


def test_trend_grid_panels_target_projection_band(obs, assessment, catalogue):
    chart = figures.trend_grid(obs, assessment, catalogue, "VNM", asean_obs=obs)
    assert figures.render(chart) is chart  # SVG charts are embedded as they are
    # Indicators with data for Viet Nam: b_mmr, b_water (2005 only), c_forest.
    assert len(_cls(_tree(chart), "panel")) == 3
    assert "Viet Nam" in _title(chart)
    panel = _panel(chart, "Maternal mortality ratio")
    assert _badge(panel) == "on track" and panel.get("data-status") == "on_track"
    (badge,) = [e for e in _cls(panel, "badge") if e.tag == f"{SVG_NS}rect"]
    assert badge.get("fill") == style.STATUS_COLOURS["on_track"]
    assert _badge(_panel(chart, "Forest area")) == "stagnation"
    assert _text_of(_cls(panel, "unit")[0]) == "deaths per 100,000 live births"
    (target,) = _cls(panel, "target")
    assert target.get("stroke-dasharray")
    line = np.array([[float(target.get("x1")), float(target.get("y1"))],
                     [float(target.get("x2")), float(target.get("y2"))]])  # fmt: skip
    np.testing.assert_allclose(_to_data(panel, line)[:, 1], [70.0, 70.0], atol=0.3)
    (projection,) = _cls(panel, "projection")
    np.testing.assert_allclose(_to_data(panel, _points(projection)), [[2020, 95.2], [2030, 60.0]],
                               atol=0.3)  # fmt: skip
    series = _to_data(panel, _points(_cls(panel, "series")[0]))
    np.testing.assert_allclose(series, [[2015, 121], [2017, 110], [2018, 104], [2020, 95.2]],
                               atol=0.3)  # fmt: skip
    assert [t.text for t in _cls(panel, "point")[0]] == ["2015: 121"]  # hover: year and value
    assert _cls(panel, "band"), "ASEAN band"
    # No target for forest area: no dashed line.
    assert not _cls(_panel(chart, "Forest area"), "target")
    bottom = float(panel.get("data-box").split()[3])
    years = [e.text for e in panel.iter(f"{SVG_NS}text") if float(e.get("y")) > bottom + 8]
    assert years == ["2015", "2020", "2025", "2030"]  # integer years, from the series to the target


def test_trend_grid_max_panels_and_order(obs, assessment, catalogue):
    chart = figures.trend_grid(
        obs, assessment, catalogue, "VNM", indicators=["c_forest", "b_mmr", "b_gini"],
        max_panels=1,
    )  # fmt: skip
    (panel,) = _cls(_tree(chart), "panel")
    assert panel.get("data-indicator") == "c_forest"
    assert _text_of(_cls(panel, "panel-title")[0]).startswith("Forest area")
    assert "1 of 2" in _title(chart)


def test_trend_grid_band_is_min_max_of_member_states(obs, assessment, catalogue):
    band = figures.asean_band(obs)
    # b_mmr 2015: VNM 121, THA 30, LAO 200; 2017 has one country only: left out.
    assert band.loc[("b_mmr", 2015)].tolist() == [30.0, 200.0, 3]
    assert ("b_mmr", 2017) not in band.index
    a = figures.trend_grid(obs, assessment, catalogue, "VNM", asean_obs=obs)
    b = figures.trend_grid(obs, assessment, catalogue, "VNM", band=band)
    panel = _panel(a, "Maternal")
    (poly_a,) = _cls(panel, "band")
    (poly_b,) = _cls(_panel(b, "Maternal"), "band")
    assert poly_a.get("points") == poly_b.get("points")
    # The band's corners are the member states' min and max by year (2015 and 2020).
    corners = _to_data(panel, _points(poly_a))
    expected = [[2015, 30], [2020, 25], [2020, 180], [2015, 200]]  # lo forward, hi back
    np.testing.assert_allclose(corners, expected, atol=0.5)


def test_trend_grid_legend_and_vietnamese(obs, assessment, catalogue):
    chart = figures.trend_grid(obs, assessment, catalogue, "VNM", asean_obs=obs, lang="vi")
    assert _title(chart) == "Xu hướng, Việt Nam"
    legend = _legend(chart)
    assert legend[0] == "Việt Nam"
    # The band names its group (issue 10): three countries here, so their codes, not "ASEAN".
    for label in ("khoảng giá trị LAO, THA, VNM (thấp nhất–cao nhất)", "giá trị cơ sở", "mục tiêu",
                  "dự báo đến năm mục tiêu"):  # fmt: skip
        assert label in legend
    assert _badge(_panel(chart, "Maternal mortality ratio")) == "đúng tiến độ"


def _cells(chart) -> list[tuple[float, float, float, float]]:
    """Each panel's area with its title, badge, tick labels and unit: the plot box widened
    by the fixed margins of the layout."""
    boxes = []
    for g in _cls(_tree(chart), "panel"):
        x0, y0, x1, y1 = (float(v) for v in g.get("data-box").split())
        boxes.append((x0 - figures._PLOT_LEFT, y0 - figures._PLOT_TOP,
                      x1 + figures._PLOT_RIGHT, y1 + figures._PLOT_BOTTOM))  # fmt: skip
    return boxes


def test_trend_grid_panels_do_not_overlap(obs, assessment, catalogue):
    ids = ["b_mmr", "c_forest", "b_water"]
    chart = figures.trend_grid(obs, assessment, catalogue, "VNM", indicators=ids, ncols=2)
    root = _tree(chart)
    width, height = float(root.get("width")), float(root.get("height"))
    boxes = _cells(chart)
    assert len(boxes) == 3  # two rows of two cells, the last one empty
    for i, one in enumerate(boxes):
        assert one[0] >= 0 and one[2] <= width and one[1] >= 0 and one[3] <= height
        for other in boxes[i + 1 :]:
            apart = one[2] <= other[0] or other[2] <= one[0] or one[3] <= other[1]
            assert apart or other[3] <= one[1], "panels overlap"
    # Every text of a panel stays inside its own area (titles wrapped, labels estimated).
    from mtr_analysis.reporting.svg import text_width

    for g, (x0, y0, x1, y1) in zip(_cls(root, "panel"), boxes, strict=True):
        for t in g.iter(f"{SVG_NS}text"):
            x, y = float(t.get("x")), float(t.get("y"))
            if t.get("transform"):
                continue  # the rotated unit: checked by its wrap width
            w = max(text_width(line, float(t.get("font-size"))) for line in _text_of(t).split())
            assert x0 - 1 <= x and y0 <= y <= y1 + 1 and x - w <= x1, _text_of(t)


def test_trend_panel_title_clears_badge_and_plot(catalogue):
    """Titles, badge and plot area sit at fixed heights (nothing measured at drawing time):
    a two-line title ends above the badge, the badge above the plot, even for values in
    the tens of millions (short tick labels: "12M")."""
    values = [12_100_000.0, 12_900_000.0, 13_400_000.0, 14_800_000.0]
    big = _obs([("VNM", "c_air", y, v, "") for y, v in zip(range(2015, 2019), values)])
    a = pd.DataFrame([_assess("VNM", "c_air", "on_track", (2018, values[-1]), (2015, values[0]))])
    chart = figures.trend_grid(big, a, catalogue, "VNM")
    (panel,) = _cls(_tree(chart), "panel")
    title = _cls(panel, "panel-title")[0]
    lines = [title, *title.iter(f"{SVG_NS}tspan")]
    assert len(lines) == 2, "the long name is wrapped on two lines"
    title_bottom = float(title.get("y")) + 1.2 * 12 * (len(lines) - 1) + 3
    badge = next(e for e in _cls(panel, "badge") if e.tag == f"{SVG_NS}rect")
    plot_top = float(panel.get("data-box").split()[1])
    assert title_bottom < float(badge.get("y"))
    assert float(badge.get("y")) + float(badge.get("height")) < plot_top
    ticks = [e.text for e in panel.iter(f"{SVG_NS}text") if (e.text or "").endswith("M")]
    assert 2 <= len(ticks) <= 6 and all(len(t) <= 6 for t in ticks)


def test_year_ticks_are_integers_and_few():
    assert figures._year_ticks(2000, 2030) == [2000, 2010, 2020, 2030]
    assert figures._year_ticks(2013, 2020) == [2014, 2016, 2018, 2020]
    assert figures._year_ticks(2014, 2014) == [2014]


def _line_figure() -> Figure:
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().plot([2015, 2020], [1.0, 2.0], color=style.SERIES_COLOUR)
    return fig


def test_render_embeds_png():
    png = figures.render(_line_figure())
    assert png.data.startswith(b"\x89PNG") and png._repr_png_() is png.data
    full = figures.render(_line_figure(), colours=None)
    assert len(png.data) < len(full.data)
    with pytest.raises(ValueError, match="dpi"):
        figures.render(Figure(), dpi=0)


def test_trend_grid_no_data(obs, assessment, catalogue):
    chart = figures.trend_grid(obs, assessment, catalogue, "KHM")
    assert not _cls(_tree(chart), "panel")
    assert [_text_of(e) for e in _cls(_tree(chart), "no-data")] == ["No data to plot"]


# --------------------------------------------------------------------------- status
def _bars(chart) -> tuple[list[str], dict[str, list[float]], dict[str, list[float]]]:
    """(row labels, share per segment name by row, left edge per segment name by row)."""
    root = _tree(chart)
    rows = [_text_of(e) for e in _cls(root, "row-label")]
    keys = list(dict.fromkeys(e.get("data-row") for e in _cls(root, "segment")))
    names = dict(zip([e.get("data-segment") for e in _cls(root, "segment")],
                     [e[0].text.rsplit(":", 1)[0] for e in _cls(root, "segment")]))  # fmt: skip
    widths: dict[str, list[float]] = {n: [0.0] * len(keys) for n in names.values()}
    lefts: dict[str, list[float]] = {n: [0.0] * len(keys) for n in names.values()}
    for e in _cls(root, "segment"):
        name, row = names[e.get("data-segment")], keys.index(e.get("data-row"))
        widths[name][row] = float(e.get("data-share"))
        lefts[name][row] = float(e.get("x"))
    return rows, widths, lefts


def test_status_bar_widths_are_shares(assessment, catalogue):
    chart = figures.status_bar(assessment, catalogue, country="VNM")
    assert "Viet Nam" in _title(chart)
    assert _text_of(_cls(_tree(chart), "x-label")[0]) == "% of indicators"
    labels, widths, lefts = _bars(chart)
    assert "Inclusive" in labels[0] and "Sustainable" in labels[1]
    # Viet Nam, Inclusive: 3 indicators (target met, on track, regression) → 1/3 each;
    # Sustainable: 2 (stagnation, no data) → 1/2 each.
    assert widths["target met"] == pytest.approx([100 / 3, 0])
    assert widths["on track"] == pytest.approx([100 / 3, 0])
    assert widths["regression"] == pytest.approx([100 / 3, 0])
    assert widths["stagnation"] == pytest.approx([0, 50])
    assert widths["no data"] == pytest.approx([0, 50])
    assert sum(sum(w) for w in widths.values()) == pytest.approx(200)
    # Segments are stacked: regression starts two thirds along the bar.
    start, end = lefts["target met"][0], lefts["regression"][0]
    bar_w = figures._BAR_W
    assert end - start == pytest.approx(bar_w * 2 / 3, abs=0.2)
    assert _legend(chart)[:2] == ["target met", "on track"]


def test_status_bar_regional_and_vietnamese(assessment, catalogue):
    chart = figures.status_bar(assessment, catalogue, lang="vi")
    assert "đặc điểm" in _title(chart)
    labels, widths, _ = _bars(chart)
    assert "Cộng đồng hòa nhập" in labels[0]
    # All countries, Inclusive: 7 pairs, 3 on track; Sustainable: 3 pairs, 1 on track.
    assert widths["đúng tiến độ"] == pytest.approx([300 / 7, 100 / 3])
    assert _text_of(_cls(_tree(chart), "x-label")[0]) == "% chỉ số"


def test_status_bar_names_another_frameworks_groups(assessment, catalogue):
    chart = figures.status_bar(assessment, catalogue, lang="vi", group_label="lĩnh vực trọng tâm")
    assert _title(chart) == "Tình trạng tiến độ của các chỉ số theo lĩnh vực trọng tâm"


def test_status_bar_by_element(assessment, catalogue):
    chart = figures.status_bar(assessment, catalogue, by="element", country="VNM")
    labels = _bars(chart)[0]
    assert [lab.split()[0] for lab in labels] == ["B.1", "B.2", "C.1", "C.2"]
    with pytest.raises(ValueError, match="by must be"):
        figures.status_bar(assessment, catalogue, by="country")


# --------------------------------------------------------------------------- position
def test_country_position_normalised_and_reversed(assessment, catalogue):
    chart = figures.country_position(assessment, catalogue, "VNM")
    root = _tree(chart)
    assert "Viet Nam" in _title(chart)
    assert _text_of(_cls(root, "x-label")[0]) == "position among member states (right = better)"
    rows = [_text_of(e) for e in _cls(root, "row-label")]
    # c_forest: VNM and LAO have values; b_gini has one country only: no row.
    assert rows == [
        "Maternal mortality ratio (modeled)",
        figures.short_name(catalogue, "b_water"),
        "Forest area",
    ]
    mine = [float(e.get("data-score")) for e in _cls(root, "mine")]
    # b_mmr (decrease): 1 − (95.2 − 25) / (170 − 25); b_water: (45 − 30) / (90 − 30);
    # c_forest: VNM is the minimum of 45.5 and 60.
    assert mine == pytest.approx([1 - 70.2 / 145, 0.25, 0.0])
    assert len(_cls(root, "other")) == 5
    # Dots sit on their score: x grows with the score.
    xs = [float(e.get("cx")) for e in _cls(root, "mine")]
    assert xs[0] > xs[1] > xs[2]


def test_country_position_no_data(assessment, catalogue):
    chart = figures.country_position(assessment, catalogue, "KHM")
    assert [_text_of(e) for e in _cls(_tree(chart), "no-data")] == ["No data to plot"]


def test_lang_is_checked(obs, catalogue):
    with pytest.raises(ValueError, match="lang must be one of en, vi"):
        figures.availability_heatmap(obs, catalogue, "VNM", lang="fr")


def test_trend_grid_marks_suspect_values_with_a_legend_entry(obs, assessment, catalogue):
    flagged = obs.copy()
    flagged.loc[flagged["country"].eq("VNM") & flagged["year"].eq(2017), "flag"] = "suspect"
    flagged.loc[flagged["country"].eq("THA") & flagged["year"].eq(2015), "flag"] = "suspect"
    chart = figures.trend_grid(flagged, assessment, catalogue, "VNM")
    panel = _panel(chart, "Maternal")
    (cross,) = _cls(panel, "suspect")  # not Thailand's 2015
    centre = _to_data(panel, _points(cross).mean(axis=0, keepdims=True))
    np.testing.assert_allclose(centre, [[2017.0, 110.0]], atol=0.3)
    assert not _cls(_panel(chart, "Forest"), "suspect")
    assert _legend(chart)[-1] == "suspect value (check the source)"
    vi = figures.trend_grid(flagged, assessment, catalogue, "VNM", lang="vi")
    assert "giá trị đáng ngờ (cần kiểm tra nguồn)" in _legend(vi)
    # Without suspect values, no cross and no legend entry.
    plain = figures.trend_grid(obs, assessment, catalogue, "VNM")
    assert "suspect value (check the source)" not in _legend(plain)


def test_trend_grid_escapes_indicator_names(obs, assessment):
    """Data text (names, units) cannot inject markup into the report's SVG."""
    cat = make_catalogue()
    cat.indicators.loc["b_mmr", "name"] = 'Maternal <script>alert("x")</script> & ratio'
    chart = figures.trend_grid(obs, assessment, cat, "VNM")
    assert "<script>" not in chart.data
    assert _text_of(_cls(_panel(chart, "Maternal"), "panel-title")[0]).startswith(
        'Maternal <script>alert("x")'
    )


def _csi_bars(chart) -> tuple[list[str], list[tuple[float, float]], list[float], list[str]]:
    """(row labels, each bar's [left, right] in %, expected ticks in %, "n = k" texts), read
    from the pixels of the SVG and the plot's box and range."""
    root = _tree(chart)
    plot = _cls(root, "plot")[0]
    x0, _, x1, _ = (float(v) for v in plot.get("data-box").split())
    lo, hi = float(plot.get("data-x0")), float(plot.get("data-x1"))

    def pct(px: float) -> float:
        return lo + (px - x0) / (x1 - x0) * (hi - lo)

    bars = [(pct(float(r.get("x"))), pct(float(r.get("x")) + float(r.get("width"))))
            for r in _cls(root, "csi-bar")]  # fmt: skip
    expected = [pct(float(e.get("x1"))) for e in _cls(root, "expected")]
    rows = [_text_of(e) for e in _cls(root, "row-label")]
    return rows, bars, expected, [_text_of(e) for e in _cls(root, "n-series")]


def test_current_status_chart_draws_the_mean_index_and_expected_share(catalogue):
    frame = pd.DataFrame({
        "characteristic": ["A", "A", "B", "C"],
        "current_status": [0.2, 0.4, -0.3, NAN],  # C has no index: no bar
        "expected_status": [0.5, 0.5, 0.625, 0.5],
    })  # fmt: skip
    chart = figures.current_status_chart(frame, catalogue, "characteristic", "en")
    rows, bars, expected, counts = _csi_bars(chart)
    assert [r.split(".")[0] for r in rows] == ["A", "B"]
    # Means by hand: A (0.2 + 0.4) / 2 = 30 %, B −30 % (a bar left of zero, another colour).
    # Pixels are written to 0.1 px (0.023 % here).
    assert bars == [pytest.approx((0, 30), abs=0.03), pytest.approx((-30, 0), abs=0.03)]
    assert expected == pytest.approx([50, 62.5], abs=0.03)
    assert counts == ["n = 2", "n = 1"]
    fills = [r.get("fill") for r in _cls(_tree(chart), "csi-bar")]
    assert fills == [
        style.STATUS_COLOURS["maintain_progress"],
        style.STATUS_COLOURS["reverse_trend"],
    ]
    assert _legend(chart) == [figures._text("en")["csi_made"], figures._text("en")["csi_expected"]]
    empty = figures.current_status_chart(frame.iloc[3:], catalogue, "characteristic", "vi")
    assert _cls(_tree(empty), "no-data") and not _cls(_tree(empty), "csi-bar")
