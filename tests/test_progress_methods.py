"""Issue 10: relative targets, passed target years, ESCAP scales, classes and Current Status
Index, the method as a choice, and the robustness of every status.

Every expected number is worked out by hand in the comment above it (or by statsmodels),
never taken from the code's earlier output.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from test_trends import assess_one, assess_series

from mtr_analysis.analysis import escap, robustness, trends
from mtr_analysis.analysis.status import ROBUSTNESS_ORDER, STATUS_ORDER
from mtr_analysis.reference.catalogue import CatalogueError, load_catalogue, validate_indicators
from mtr_analysis.settings import SettingsError, load_settings


# ----------------------------------------------------------------------------- catalogue
def test_every_quantified_relative_target_has_a_factor_and_base_year():
    ind = load_catalogue().indicators
    expected = {  # id: (factor, base year) from the catalogue's target_source text
        "b_poverty_national": (0.5, 2015),  # halve vs 2015
        "b_poverty_multidim_national": (0.5, 2015),
        "b_stunting": (0.6, 2012),  # 40 % fewer stunted children vs 2012
        "b_ncd_mortality": (0.6667, 2015),  # reduce by one third
        "c_forest_area": (1.0, 2015),  # halt deforestation: no loss from 2015
        "c_energy_intensity": (0.68, 2005),  # −32 % vs 2005
        "d_tb_incidence": (0.2, 2015),  # −80 % by 2030 vs 2015
        "d_hiv_incidence": (0.1, 2010),  # UNAIDS fast-track: −90 % vs 2010
    }
    got = ind.loc[ind["target_factor"].notna(), ["target_factor", "target_base_year"]]
    assert {i: (float(f), int(y)) for i, (f, y) in got.iterrows()} == expected
    # every relative target is numeric; the others give a direction only (growth bands)
    assert set(got.index) == set(ind.index[ind["target_kind"] == "relative"])


def _catalogue_rows(**changes: str) -> pd.DataFrame:
    row = {
        "id": "b_test", "name": "Test", "unit": "% of population", "direction": "decrease",
        "characteristic": "B", "element": "B.1", "sdg": "", "wdi_code": "", "unsdg_series": "",
        "target_value": "", "target_year": "2030", "target_kind": "relative",
        "target_source": "", "verified_code": "", "gho_code": "", "ilostat_code": "",
        "data360_code": "", "former_series": "", "name_vi": "Thử", "unit_vi": "% dân số",
        "target_factor": "0.5", "target_base_year": "2015",
    }  # fmt: skip
    row.update(changes)
    return pd.DataFrame([row])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"target_factor": "half"}, "row 2 .*'target_factor': 'half' is not a number"),
        ({"target_factor": "-1"}, "'target_factor': '-1' must be > 0"),
        ({"target_base_year": ""}, "give both or neither"),
        ({"target_base_year": "15"}, "'target_base_year': '15' is not a year"),
        ({"target_kind": ""}, "only a relative target has a factor"),
        ({"target_kind": "directional"}, "only a relative target has a factor"),
        ({"target_factor": "", "target_base_year": ""}, "a relative target needs a factor"),
    ],
)
def test_relative_target_columns_are_validated(changes, message):
    elements = load_catalogue().elements
    with pytest.raises(CatalogueError, match=message):
        validate_indicators(_catalogue_rows(**changes), elements, load_catalogue_path())
    out = validate_indicators(_catalogue_rows(), elements, load_catalogue_path())
    assert out.loc["b_test", "target_factor"] == 0.5


def load_catalogue_path():
    from mtr_analysis.paths import INDICATORS_FILE

    return INDICATORS_FILE


# ----------------------------------------------------------------------------- UNSD
def test_relative_target_base_year_other_than_the_baseline():
    # b_stunting: 40 % fewer vs 2012, target year 2025. Observed 2012: 40, 2015: 36,
    # 2020: 30. V* = 0.6·40 = 24. UNSD CAGR 2015→2020: (30/36)^(1/5) − 1;
    # v̂(2025) = 30·(30/36) = 25; r = (25 − 36)/(24 − 36) = 11/12 = 0.9167 → moderate.
    row = assess_series([("b_stunting", {2012: 40.0, 2015: 36.0, 2020: 30.0})], "unsd").iloc[0]
    assert row["target_value"] == pytest.approx(24.0)
    assert row["projected_value"] == pytest.approx(25.0)
    assert row["progress_ratio"] == pytest.approx(11 / 12)
    assert row["status"] == "moderate_progress"


def test_unsd_ratio_equals_the_direct_formula():
    # d_tb_incidence (−80 % by 2030 vs 2015): 200 (2015) → 150 (2020).
    v_b, v_t = 200.0, 150.0
    target = 0.2 * v_b
    projected = v_t * (v_t / v_b) ** (10 / 5)
    row = assess_one("d_tb_incidence", 2015, v_b, 2020, v_t)
    assert row["target_value"] == pytest.approx(40.0)
    assert row["progress_ratio"] == pytest.approx((projected - v_b) / (target - v_b))


def test_values_at_interpolates_and_uses_the_nearest_within_tolerance():
    avail = pd.DataFrame({"country": ["A", "B", "C"], "indicator": ["x", "x", "x"]})
    obs = pd.DataFrame(
        {"country": ["A", "A", "B", "C"], "indicator": ["x"] * 4,
         "year": [2010, 2020, 2018, 2016], "value": [10.0, 20.0, 5.0, 7.0]}
    )  # fmt: skip
    points = trends.series_points(avail, obs)
    # A: 10 + (20 − 10)·(2014 − 2010)/10 = 14; B: only 2018, 4 years away (> 2) → NaN;
    # C: 2016 is 1 year from 2015 → 7 (nearest).
    got = trends.values_at(points, np.array([2014.0, 2014.0, 2015.0]), tolerance=2)
    assert got[0] == pytest.approx(14.0) and np.isnan(got[1]) and got[2] == 7.0
    exact = trends.values_at(points, np.array([2014.0, 2018.0, 2015.0]), interpolate=False)
    assert np.isnan(exact[0]) and exact[1] == 5.0 and np.isnan(exact[2])


# ----------------------------------------------------------------------------- ESCAP
@pytest.mark.parametrize(
    ("unit", "scale"),
    [("% of population", 3), ("index (0-100)", 3), ("deaths per 100,000", 1),
     ("% gross", 1), ("index (-2.5 to 2.5)", 2), ("% per year", 2)],
)  # fmt: skip
def test_fit_scale_follows_the_unit(unit, scale):
    low, high = trends.natural_bounds(unit)
    assert int(trends.preferred_scale(low, high)) == scale


def test_escap_log_scale_keeps_a_falling_rate_above_zero():
    # b_mmr falling 100 a year from 600 (2015) to 100 (2020): a linear fit would reach
    # −900 by 2030. ESCAP fits ln(value); checked against statsmodels WLS on ln(value).
    sm = pytest.importorskip("statsmodels.api")
    values = {2015: 600.0, 2016: 500.0, 2017: 400.0, 2018: 300.0, 2019: 200.0, 2020: 100.0}
    row = assess_series([("b_mmr", values)], "escap").iloc[0]
    t = np.array(sorted(values), dtype=float)
    y = np.log([values[int(k)] for k in t])
    fit = sm.WLS(y, sm.add_constant(t), weights=(2030 - t.min()) / (2030 - t)).fit()
    expected = math.exp(fit.params[0] + fit.params[1] * 2030)
    assert row["fit_scale"] == "log" and row["projected_value"] == pytest.approx(expected)
    assert 0 < row["projected_value"] < 70  # reaches the target 70 without going negative
    assert row["status"] == "maintain_progress"


def test_escap_series_with_a_zero_is_fitted_linearly_and_clipped():
    # A rate that touched 0 cannot be logged: linear fit, projection clipped at 0.
    row = assess_series([("b_mmr", {2015: 20.0, 2018: 10.0, 2020: 0.0})], "escap").iloc[0]
    assert row["fit_scale"] == "linear" and row["projected_value"] == 0.0


def _prog(**arrays):
    base = {
        "numeric_target": np.array([True]), "met": np.array([False]),
        "ratio": np.array([np.nan]), "ratio_defined": np.array([False]),
        "moved_away": np.array([False]), "growth": np.array([False]),
        "required": np.array([1.0]),
    }  # fmt: skip
    base.update({k: np.array([v]) for k, v in arrays.items()})
    return base


@pytest.mark.parametrize(
    ("prog", "status"),
    [
        ({"met": True}, "maintain_progress"),
        ({"ratio": 1.0, "ratio_defined": True}, "maintain_progress"),  # r >= 1
        ({"ratio": 0.99, "ratio_defined": True}, "accelerate_progress"),
        ({"ratio": 0.0, "ratio_defined": True}, "reverse_trend"),  # r <= 0
        ({"moved_away": True}, "reverse_trend"),  # base met the target, now away
        ({"numeric_target": False}, "no_target"),
    ],
)
def test_escap_classes_by_hand(prog, status):
    settings = load_settings().escap
    code = escap.classify(
        np.array([True]), np.array([True]), _prog(**prog), np.array([0.0]), settings,
        STATUS_ORDER.index,
    )  # fmt: skip
    assert STATUS_ORDER[int(code[0])] == status


def test_escap_class_thresholds_come_from_the_settings():
    with pytest.raises(SettingsError, match="reverse_ratio"):
        load_settings(overrides={"escap": {"maintain_ratio": 0.0, "reverse_ratio": 0.5}})
    loose = load_settings(overrides={"escap": {"maintain_ratio": 0.9}}).escap
    code = escap.classify(
        np.array([True]), np.array([True]), _prog(ratio=0.95, ratio_defined=True),
        np.array([0.0]), loose, STATUS_ORDER.index,
    )  # fmt: skip
    assert STATUS_ORDER[int(code[0])] == "maintain_progress"


def test_current_status_index_by_hand():
    # b_mmr 300 (2015) → 200 (2020), target 70 by 2030: CS = (300 − 200)/(300 − 70) = 0.4348;
    # expected share (2020 − 2015)/(2030 − 2015) = 1/3. a_women_parliament 20 → 30 %,
    # target 50: CS = 10/30 = 1/3. Mean for characteristic "B": 0.4348; for "A": 1/3.
    out = assess_series(
        [("b_mmr", {2015: 300.0, 2020: 200.0}),
         ("a_women_parliament", {2015: 20.0, 2020: 30.0})], "unsd",
    )  # fmt: skip
    assert out.loc[0, "current_status"] == pytest.approx(100 / 230)
    assert out.loc[0, "expected_status"] == pytest.approx(1 / 3)
    assert out.loc[1, "current_status"] == pytest.approx(1 / 3)
    index = escap.current_status_index(out, "characteristic")
    assert list(index["characteristic"]) == ["A", "B"]
    assert index["csi"].tolist() == pytest.approx([1 / 3, 100 / 230])
    assert index["n_series"].tolist() == [1, 1] and index["regressed"].tolist() == [0, 0]


# ----------------------------------------------------------------------------- robustness
def test_robustness_codes_by_hand():
    frame = pd.DataFrame(
        {
            "status_unsd": ["on_track", "on_track", "on_track", "on_track", "no_data"],
            "status_escap": ["maintain_progress", "accelerate_progress", "no_target",
                             "maintain_progress", "no_data"],
            "status_ols": ["target_met", "on_track", "on_track", "on_track", "no_data"],
            "status_baseline_minus1": ["on_track", "on_track", "stagnation", "on_track", ""],
            "status_baseline_plus1": ["on_track"] * 4 + [""],
            "status_vintage": ["", "", "", "regression", ""],
        }
    )  # fmt: skip
    codes = robustness._codes(frame, "status_unsd")
    assert list(codes) == [
        "robust", "method_sensitive", "baseline_sensitive", "vintage_sensitive",
        "not_assessed",
    ]  # fmt: skip
    assert set(codes) <= set(ROBUSTNESS_ORDER)


def test_earlier_vintage_drops_the_newest_release_only_where_an_older_one_exists():
    obs_all = pd.DataFrame(
        {"country": ["A", "A", "B"], "indicator": ["x", "x", "x"],
         "source": ["WDI (2023-09-19)", "WDI (2026-07-13)", "WDI (2026-07-13)"]}
    )  # fmt: skip
    older = robustness.earlier_vintage(obs_all)
    assert older is not None
    assert list(older["source"]) == ["WDI (2023-09-19)", "WDI (2026-07-13)"]


# ----------------------------------------------------------------------------- method choice
def test_method_is_a_choice_on_the_command_line_and_in_the_settings():
    from mtr_analysis import cli
    from mtr_analysis.run.parameters import COUNTRY_OPTIONAL, REGIONAL_OPTIONAL

    args = cli.parser().parse_args(["run", "--method", "escap"])
    assert args.method == "escap"
    with pytest.raises(SystemExit):
        cli.parser().parse_args(["run", "--method", "sdsn"])
    settings = load_settings(method="escap")
    assert settings.assessment.method == "escap"
    assert settings.method_edition().startswith("UN ESCAP, Asia and the Pacific SDG Progress")
    assert load_settings(method="").assessment.method == "unsd"
    assert "method" in COUNTRY_OPTIONAL and "method" in REGIONAL_OPTIONAL


def test_notebooks_declare_the_method_parameter():
    from mtr_analysis.paths import COUNTRY_NOTEBOOK, REGIONAL_NOTEBOOK
    from mtr_analysis.run.parameters import notebook_parameters

    for notebook in (COUNTRY_NOTEBOOK, REGIONAL_NOTEBOOK):
        assert notebook_parameters(notebook)["method"]["default"] == '""'


def test_annex_names_the_method_edition_and_thresholds():
    from mtr_analysis.reporting.annex import parameters_table

    table = parameters_table({}, load_settings(method="escap"))
    rows = dict(zip(table["parameter"], table["value"], strict=True))
    assert rows["progress method"] == "escap"
    assert rows["method edition"].startswith("UN ESCAP")
    assert rows["escap.maintain_ratio"] == "1" and rows["escap.reverse_ratio"] == "0"


def chart_texts(chart, cls: str) -> list:
    import xml.etree.ElementTree as ET

    return [e for e in ET.fromstring(chart.data).iter() if cls in (e.get("class") or "").split()]


def test_status_legend_shows_the_method_own_labels():
    from mtr_analysis.reporting import figures

    frame = pd.DataFrame({"indicator": ["b_mmr"], "status": ["maintain_progress"],
                          "method": ["escap"]})  # fmt: skip
    chart = figures.status_bar(frame, load_catalogue())
    labels = [e.text for e in chart_texts(chart, "legend-label")]
    assert "maintain progress (ESCAP)" in labels and "on track" not in labels
    unsd = figures.method_statuses(frame.assign(status="on_track", method="unsd"))
    assert "maintain_progress" not in unsd and "on_track" in unsd


# ----------------------------------------------------------------------------- findings
def _robustness_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "country": ["VNM", "VNM", "VNM"],
            "indicator": ["b_mmr", "b_u5mr", "a_women_parliament"],
            "method": ["unsd"] * 3,
            "latest_year": [2020, 2020, 2020],
            "baseline_year": [2015, 2015, 2015],
            "status_unsd": ["on_track", "target_met", "stagnation"],
            "status_escap": ["maintain_progress", "accelerate_progress", "reverse_trend"],
            "status_ols": ["on_track", "stagnation", "stagnation"],
            "robustness": ["robust", "method_sensitive", "not_assessed"],
        }
    )


def test_findings_say_on_track_under_all_methods_or_under_one_only():
    from mtr_analysis.reporting import findings, i18n

    t = i18n.words("findings", "en")
    out = findings._robust_on_track(_robustness_frame(), load_catalogue(), t, "VNM", 10)
    assert [f.kind for f in out] == ["robust_on_track", "fragile_on_track"]
    assert out[0].text.startswith("On track under all three methods") and out[0].indicators == [
        "b_mmr"
    ]
    assert out[1].text.startswith("On track under UNSD only: treat with caution")
    assert out[1].indicators == ["b_u5mr"] and out[1].severity == "warning"


def test_regional_counts_distinguish_robust_statuses():
    from mtr_analysis.reporting import findings, i18n

    t = i18n.words("findings", "en")
    (item,) = findings._regional_robustness(_robustness_frame(), t)
    # Judged: b_mmr (robust) and b_u5mr (method-sensitive): 1 of 2 = 50 %; on track under
    # all three methods: b_mmr only.
    assert item.text.startswith("Of 2 statuses judged, 1 (50%) are the same")
    assert "1 country × indicator pairs are on track under all three methods" in item.text
