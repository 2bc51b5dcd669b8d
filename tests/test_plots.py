"""Figures: structure (axes, rows, ticks, titles) and the numbers they draw."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection, QuadMesh  # noqa: E402
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
def test_availability_heatmap_rows_years_and_cells(obs, catalogue):
    fig = figures.availability_heatmap(obs, catalogue, "VNM", years=range(2010, 2021))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert "Viet Nam" in fig.get_suptitle() and "2010–2020" in fig.get_suptitle()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Maternal mortality ratio (modeled)", "Forest area"]
    assert [t.get_text() for t in ax.get_xticklabels()] == [str(y) for y in range(2010, 2021)]
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    codes = np.asarray(mesh.get_array()).reshape(2, 11)
    years = list(range(2010, 2021))
    # 0 = national submission, 1 = international database, 2 = estimate, 3 = no value.
    expected = np.full((2, 11), 3)
    expected[0, [years.index(y) for y in (2015, 2017, 2020)]] = 1
    expected[0, years.index(2018)] = 2
    expected[1, years.index(2012)] = 1
    expected[1, years.index(2019)] = 2
    np.testing.assert_array_equal(codes, expected)
    assert fig.legends, "a legend explains the colours"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["national submission", "international database",
                      "estimate, modelled or imputed", "no value"]  # fmt: skip


def test_availability_heatmap_colours_national_values(obs, catalogue):
    national = obs.copy()
    national.loc[national["year"].eq(2017), "source"] = "DEMO national submission VNM: GSO"
    # Same cell reported twice: the national value wins over the international one.
    both = pd.concat([national, obs.loc[obs["year"].eq(2017)]], ignore_index=True)
    fig = figures.availability_heatmap(both, catalogue, "VNM", years=range(2015, 2021))
    (mesh,) = [c for c in fig.axes[0].collections if isinstance(c, QuadMesh)]
    codes = np.asarray(mesh.get_array()).reshape(2, 6)
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
    fig = figures.availability_heatmap(obs, catalogue, "VNM")
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "2010" and ticks[-1] == "2020" and len(ticks) == 11


def test_availability_heatmap_height_grows_and_empty_rows(obs, catalogue):
    small = figures.availability_heatmap(obs, catalogue, "VNM", years=range(2010, 2021))
    full = figures.availability_heatmap(
        obs, catalogue, "VNM", years=range(2010, 2021), include_empty=True
    )
    assert len(full.axes[0].get_yticklabels()) == 5
    assert full.get_size_inches()[1] > small.get_size_inches()[1]


def test_availability_heatmap_no_data(obs, catalogue):
    fig = figures.availability_heatmap(obs, catalogue, "KHM", years=range(2010, 2021))
    assert len(fig.axes) == 1
    assert "No data to plot" in [t.get_text() for t in fig.axes[0].texts]
    assert "Cambodia" in fig.get_suptitle()


def test_regional_availability_matrix(catalogue):
    avail = pd.DataFrame(
        {
            "country": ["VNM", "VNM", "THA", "THA"],
            "indicator": ["b_mmr", "c_forest", "b_mmr", "c_forest"],
            "gap_category": ["sufficient", "stale", "single_point", "no_data"],
        }
    )
    fig = figures.regional_availability_matrix(avail, catalogue)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Thailand", "Viet Nam"]
    assert len(ax.get_yticklabels()) == 2
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    order = list(GAP_CATEGORIES)
    expected = [
        [order.index("single_point"), order.index("sufficient")],
        [order.index("no_data"), order.index("stale")],
    ]
    np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(2, 2), expected)
    legend_labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "no data" in legend_labels


# --------------------------------------------------------------------------- trends
def _panel(fig: Figure, name: str):
    return next(ax for ax in fig.axes if ax.get_title().startswith(name))


def _badge(ax) -> str:
    (text,) = [t for t in ax.texts if t.get_bbox_patch() is not None]
    return text.get_text()


def test_trend_grid_panels_target_projection_band(obs, assessment, catalogue):
    fig = figures.trend_grid(obs, assessment, catalogue, "VNM", asean_obs=obs)
    # Indicators with data for Viet Nam: b_mmr, b_water (2005 only), c_forest.
    assert len(fig.axes) == 3
    assert "Viet Nam" in fig.get_suptitle()
    ax = _panel(fig, "Maternal mortality ratio")
    assert _badge(ax) == "on track"
    badge = next(t for t in ax.texts if t.get_bbox_patch() is not None)
    assert badge.get_bbox_patch().get_facecolor()[:3] == pytest.approx(
        matplotlib.colors.to_rgb(style.STATUS_COLOURS["on_track"])
    )
    assert _badge(_panel(fig, "Forest area")) == "stagnation"
    assert ax.get_ylabel().replace("\n", " ") == "deaths per 100,000 live births"
    horizontal = [ln for ln in ax.get_lines() if np.allclose(ln.get_ydata(), 70.0)]
    assert horizontal and horizontal[0].get_linestyle() == "--"
    dotted = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(dotted) == 1
    np.testing.assert_allclose(dotted[0].get_xdata(), [2020, 2030])
    np.testing.assert_allclose(dotted[0].get_ydata(), [95.2, 60.0])
    assert any(isinstance(c, PolyCollection) for c in ax.collections), "ASEAN band"
    # No target for forest area: no dashed line.
    forest = _panel(fig, "Forest area")
    assert not [ln for ln in forest.get_lines() if ln.get_linestyle() == "--"]
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_trend_grid_max_panels_and_order(obs, assessment, catalogue):
    fig = figures.trend_grid(
        obs, assessment, catalogue, "VNM", indicators=["c_forest", "b_mmr", "b_gini"],
        max_panels=1,
    )  # fmt: skip
    assert len(fig.axes) == 1
    assert fig.axes[0].get_title().startswith("Forest area")
    assert "1 of 2" in fig.get_suptitle()


def test_trend_grid_band_is_min_max_of_member_states(obs, assessment, catalogue):
    band = figures.asean_band(obs)
    # b_mmr 2015: VNM 121, THA 30, LAO 200; 2017 has one country only: left out.
    assert band.loc[("b_mmr", 2015)].tolist() == [30.0, 200.0, 3]
    assert ("b_mmr", 2017) not in band.index
    a = figures.trend_grid(obs, assessment, catalogue, "VNM", asean_obs=obs)
    b = figures.trend_grid(obs, assessment, catalogue, "VNM", band=band)
    poly_a = next(c for c in _panel(a, "Maternal").collections if isinstance(c, PolyCollection))
    poly_b = next(c for c in _panel(b, "Maternal").collections if isinstance(c, PolyCollection))
    np.testing.assert_allclose(poly_a.get_paths()[0].vertices, poly_b.get_paths()[0].vertices)


def test_trend_grid_legend_and_vietnamese(obs, assessment, catalogue):
    fig = figures.trend_grid(obs, assessment, catalogue, "VNM", asean_obs=obs, lang="vi")
    assert fig.get_suptitle() == "Xu hướng, Việt Nam"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == "Việt Nam"
    # The band names its group (issue 10): three countries here, so their codes, not "ASEAN".
    for label in ("khoảng giá trị LAO, THA, VNM (thấp nhất–cao nhất)", "giá trị cơ sở", "mục tiêu",
                  "dự báo đến năm mục tiêu"):  # fmt: skip
        assert label in legend
    assert _badge(_panel(fig, "Maternal mortality ratio")) == "đúng tiến độ"


def test_trend_grid_panels_do_not_overlap(obs, assessment, catalogue):
    ids = ["b_mmr", "c_forest", "b_water"]
    fig = figures.trend_grid(obs, assessment, catalogue, "VNM", indicators=ids, ncols=2)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    for i, one in enumerate(boxes):
        for other in boxes[i + 1 :]:
            assert not one.overlaps(other), "panels (with titles and labels) overlap"
    figure_box = fig.bbox
    for box in boxes:
        assert box.x0 >= figure_box.x0 - 1 and box.x1 <= figure_box.x1 + 1


def test_trend_panel_title_clears_offset_text_and_badge(catalogue):
    """Titles sit at a fixed height (no automatic placement, issue 15): a panel whose values
    need an axis offset text ("1e7") must still show the title above it and the badge."""
    values = [12_100_000.0, 12_900_000.0, 13_400_000.0, 14_800_000.0]
    big = _obs([("VNM", "b_mmr", y, v, "") for y, v in zip(range(2015, 2019), values)])
    a = pd.DataFrame([_assess("VNM", "b_mmr", "on_track", (2018, values[-1]), (2015, values[0]))])
    fig = figures.trend_grid(big, a, catalogue, "VNM")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    offset = ax.yaxis.offsetText
    assert offset.get_text(), "values in the tens of millions carry an offset text"
    title = ax.title.get_window_extent(renderer)
    badge = next(t for t in ax.texts if t.get_bbox_patch() is not None)
    assert title.y0 > offset.get_window_extent(renderer).y1
    assert title.y0 > badge.get_bbox_patch().get_window_extent(renderer).y1
    assert title.y0 > ax.get_window_extent(renderer).y1
    # At most 6 value ticks inside the panel (fewer texts to draw).
    lo, hi = ax.get_ylim()
    assert 2 <= sum(lo <= t <= hi for t in ax.get_yticks()) <= 6


def test_year_ticks_are_integers_and_few():
    assert figures._year_ticks(2000, 2030) == [2000, 2010, 2020, 2030]
    assert figures._year_ticks(2013, 2020) == [2014, 2016, 2018, 2020]
    assert figures._year_ticks(2014, 2014) == [2014]


def test_render_embeds_png(obs, catalogue):
    png = figures.render(figures.availability_heatmap(obs, catalogue, "VNM"))
    assert png.data.startswith(b"\x89PNG") and png._repr_png_() is png.data
    full = figures.render(figures.availability_heatmap(obs, catalogue, "VNM"), colours=None)
    assert len(png.data) < len(full.data)
    with pytest.raises(ValueError, match="dpi"):
        figures.render(Figure(), dpi=0)


def test_trend_grid_no_data(obs, assessment, catalogue):
    fig = figures.trend_grid(obs, assessment, catalogue, "KHM")
    assert len(fig.axes) == 1
    assert [t.get_text() for t in fig.axes[0].texts] == ["No data to plot"]


# --------------------------------------------------------------------------- status
def test_status_bar_widths_are_shares(assessment, catalogue):
    fig = figures.status_bar(assessment, catalogue, country="VNM")
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert "Viet Nam" in fig.get_suptitle()
    assert ax.get_xlabel() == "% of indicators"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Inclusive" in labels[0] and "Sustainable" in labels[1]
    widths = {c.get_label(): [p.get_width() for p in c] for c in ax.containers}
    # Viet Nam, Inclusive: 3 indicators (target met, on track, regression) → 1/3 each;
    # Sustainable: 2 (stagnation, no data) → 1/2 each.
    assert widths["target met"] == pytest.approx([100 / 3, 0])
    assert widths["on track"] == pytest.approx([100 / 3, 0])
    assert widths["regression"] == pytest.approx([100 / 3, 0])
    assert widths["stagnation"] == pytest.approx([0, 50])
    assert widths["no data"] == pytest.approx([0, 50])
    assert sum(sum(w) for w in widths.values()) == pytest.approx(200)
    # Segments are stacked: regression starts after target met + on track.
    regression = next(c for c in ax.containers if c.get_label() == "regression")
    assert regression[0].get_x() == pytest.approx(200 / 3)


def test_status_bar_regional_and_vietnamese(assessment, catalogue):
    fig = figures.status_bar(assessment, catalogue, lang="vi")
    ax = fig.axes[0]
    assert "đặc điểm" in fig.get_suptitle()
    assert "Cộng đồng hòa nhập" in ax.get_yticklabels()[0].get_text()
    widths = {c.get_label(): [p.get_width() for p in c] for c in ax.containers}
    # All countries, Inclusive: 7 pairs, 3 on track; Sustainable: 3 pairs, 1 on track.
    assert widths["đúng tiến độ"] == pytest.approx([300 / 7, 100 / 3])
    assert ax.get_xlabel() == "% chỉ số"


def test_status_bar_names_another_frameworks_groups(assessment, catalogue):
    fig = figures.status_bar(assessment, catalogue, lang="vi", group_label="lĩnh vực trọng tâm")
    assert fig.get_suptitle() == "Tình trạng tiến độ của các chỉ số theo lĩnh vực trọng tâm"
    assert "đặc điểm" not in fig.get_suptitle()


def test_status_bar_by_element(assessment, catalogue):
    fig = figures.status_bar(assessment, catalogue, by="element", country="VNM")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert [lab.split()[0] for lab in labels] == ["B.1", "B.2", "C.1", "C.2"]
    with pytest.raises(ValueError, match="by must be"):
        figures.status_bar(assessment, catalogue, by="country")


# --------------------------------------------------------------------------- position
def test_country_position_normalised_and_reversed(assessment, catalogue):
    fig = figures.country_position(assessment, catalogue, "VNM")
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert "Viet Nam" in fig.get_suptitle()
    assert ax.get_xlabel() == "position among member states (right = better)"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    # c_forest: VNM and LAO have values; b_gini has one country only: no row.
    assert rows == [
        "Maternal mortality ratio (modeled)",
        figures.short_name(catalogue, "b_water"),
        "Forest area",
    ]
    others, mine = ax.collections[:2]
    x = mine.get_offsets()[:, 0]
    # b_mmr (decrease): 1 − (95.2 − 25) / (170 − 25); b_water: (45 − 30) / (90 − 30);
    # c_forest: VNM is the minimum of 45.5 and 60.
    assert list(x) == pytest.approx([1 - 70.2 / 145, 0.25, 0.0])
    assert len(others.get_offsets()) == 5


def test_country_position_no_data(assessment, catalogue):
    fig = figures.country_position(assessment, catalogue, "KHM")
    assert "No data to plot" in [t.get_text() for t in fig.axes[0].texts]


def test_lang_is_checked(obs, catalogue):
    with pytest.raises(ValueError, match="lang must be one of en, vi"):
        figures.availability_heatmap(obs, catalogue, "VNM", lang="fr")


def test_trend_grid_marks_suspect_values_with_a_legend_entry(obs, assessment, catalogue):
    flagged = obs.copy()
    flagged.loc[flagged["country"].eq("VNM") & flagged["year"].eq(2017), "flag"] = "suspect"
    flagged.loc[flagged["country"].eq("THA") & flagged["year"].eq(2015), "flag"] = "suspect"
    fig = figures.trend_grid(flagged, assessment, catalogue, "VNM")
    crosses = [line for line in _panel(fig, "Maternal").get_lines() if line.get_marker() == "X"]
    assert len(crosses) == 1
    np.testing.assert_array_equal(crosses[0].get_xdata(), [2017.0])  # not Thailand's 2015
    np.testing.assert_array_equal(crosses[0].get_ydata(), [110.0])
    assert not [ln for ln in _panel(fig, "Forest").get_lines() if ln.get_marker() == "X"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[-1] == "suspect value (check the source)"
    vi = figures.trend_grid(flagged, assessment, catalogue, "VNM", lang="vi")
    assert "giá trị đáng ngờ (cần kiểm tra nguồn)" in [
        t.get_text() for t in vi.legends[0].get_texts()
    ]
    # Without suspect values, no cross and no legend entry.
    plain = figures.trend_grid(obs, assessment, catalogue, "VNM")
    assert "suspect value (check the source)" not in [
        t.get_text() for t in plain.legends[0].get_texts()
    ]
