"""Tests for mtr_analysis.analysis.trends: statuses and numbers are worked out by hand in each test.

The UNSD default first, then the ESCAP and OLS methods, special units and properties.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mtr_analysis.analysis.trends import (
    ASSESSMENT_EXTRA_COLUMNS,
    STATUS_ORDER,
    assess,
    cagr,
    natural_bounds,
    summarise_status,
)
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.settings import default_settings, load_settings

#: The shipped UNSD rules (config/methods.yaml): tests of a cut-off read it from here.
UNSD = default_settings().unsd

EXPECTED_COLUMNS = [
    "country", "indicator", "characteristic", "element", "n_obs", "baseline_year",
    "baseline_value", "latest_year", "latest_value", "gap_category", "cagr", "target_value",
    "target_year", "projected_value", "progress_ratio", "status",
]  # fmt: skip


def avail_rows(rows: list[tuple]) -> pd.DataFrame:
    """Availability frame from (indicator, baseline_year, baseline_value, latest_year,
    latest_value[, n_obs]) tuples; ``None`` years mean no data."""
    records = []
    for i, row in enumerate(rows):
        indicator, by, bv, ly, lv, *rest = row
        n_obs = rest[0] if rest else (0 if ly is None else (1 if by == ly else 2))
        records.append(
            {
                "country": f"C{i:02d}",
                "indicator": indicator,
                "n_obs": n_obs,
                "baseline_year": by,
                "baseline_value": np.nan if bv is None else bv,
                "latest_year": ly,
                "latest_value": np.nan if lv is None else lv,
                "gap_category": "sufficient" if n_obs >= 2 else "single_point",
            }
        )
    df = pd.DataFrame(records)
    df["baseline_year"] = df["baseline_year"].astype("Int64")
    df["latest_year"] = df["latest_year"].astype("Int64")
    return df


def assess_one(indicator: str, by, bv, ly, lv, **kwargs) -> pd.Series:
    return assess(avail_rows([(indicator, by, bv, ly, lv)]), load_catalogue(), **kwargs).iloc[0]


def toy_catalogue() -> pd.DataFrame:
    """Two target-less indicators that differ only in the desirable direction."""
    return pd.DataFrame(
        {
            "characteristic": ["X", "X"],
            "element": ["X.1", "X.1"],
            "direction": ["increase", "decrease"],
            "target_value": [np.nan, np.nan],
            "target_year": pd.array([pd.NA, pd.NA], dtype="Int64"),
            "target_kind": ["", ""],
        },
        index=pd.Index(["x_up", "x_down"], name="id"),
    )


# ----------------------------------------------------------------------------- cagr
def test_cagr_hand_numbers():
    assert cagr(50.0, 60.0, 2015, 2020) == pytest.approx(1.2**0.2 - 1, rel=1e-12)
    assert cagr(50.0, 60.0, 2015, 2020) == pytest.approx(0.0371372893, rel=1e-9)
    assert cagr(100.0, 200.0, 2010, 2020) == pytest.approx(0.0717734625, rel=1e-9)
    assert cagr(80.0, 40.0, 2015, 2016) == pytest.approx(-0.5, rel=1e-12)


@pytest.mark.parametrize(
    ("v_start", "v_end", "t_start", "t_end"),
    [
        (50.0, 60.0, 2020, 2020),  # no time elapsed
        (50.0, 60.0, 2020, 2015),  # reversed years
        (0.0, 60.0, 2015, 2020),  # zero start
        (50.0, -1.0, 2015, 2020),  # negative end
        (np.nan, 60.0, 2015, 2020),  # missing value
        (50.0, 60.0, np.nan, 2020),  # missing year
    ],
)
def test_cagr_undefined_cases_are_nan(v_start, v_end, t_start, t_end):
    assert math.isnan(cagr(v_start, v_end, t_start, t_end))


def test_cagr_is_vectorised_and_keeps_the_series_index():
    v0 = pd.Series([50.0, 0.0, 100.0], index=["a", "b", "c"])
    t1 = pd.Series([2020, 2020, pd.NA], index=["a", "b", "c"], dtype="Int64")
    out = cagr(v0, np.array([60.0, 60.0, 110.0]), 2015, t1)
    assert isinstance(out, pd.Series)
    assert list(out.index) == ["a", "b", "c"]
    assert out["a"] == pytest.approx(1.2**0.2 - 1)
    assert np.isnan(out["b"]) and np.isnan(out["c"])
    arr = cagr(np.array([1.0, 4.0]), np.array([2.0, 1.0]), np.array([0, 0]), np.array([1, 2]))
    np.testing.assert_allclose(arr, [1.0, -0.5])


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(1e-3, 1e6),
    b=st.floats(1e-3, 1e6),
    k=st.floats(1e-3, 1e3),
    years=st.integers(1, 40),
)
def test_cagr_is_scale_invariant(a, b, k, years):
    assert cagr(k * a, k * b, 2000, 2000 + years) == pytest.approx(
        cagr(a, b, 2000, 2000 + years), rel=1e-9, abs=1e-12
    )


@settings(max_examples=200, deadline=None)
@given(v0=st.floats(1e-2, 1e4), g=st.floats(-0.5, 1.0), n=st.integers(1, 30))
def test_cagr_recovers_the_growth_rate(v0, g, n):
    assert cagr(v0, v0 * (1 + g) ** n, 1990, 1990 + n) == pytest.approx(g, abs=1e-9)


# ----------------------------------------------------------------------------- statuses
# a_women_parliament: increase desirable, target 50 % by 2030 (interpretive).
# Baseline 2020, latest 2025: the projection runs 2025 → 2030, as long as the observed
# period, so v̂ = v_t · (v_t / v_b) and r = (v̂ − v_b) / (50 − v_b).
@pytest.mark.parametrize(
    ("v_b", "v_t", "projected", "ratio", "status"),
    [
        (20.0, 40.0, 80.0, 60.0 / 30.0, "on_track"),  # 40·2 = 80; (80−20)/30 = 2
        (20.0, 30.0, 45.0, 25.0 / 30.0, "moderate_progress"),  # 30·1.5 = 45; 25/30
        (20.0, 22.0, 24.2, 4.2 / 30.0, "marginal_progress"),  # 22·1.1 = 24.2; 0.14
        (20.0, 20.5, 21.0125, 1.0125 / 30.0, "stagnation"),  # 20.5·1.025; 0.03375
        (20.0, 18.0, 16.2, -3.8 / 30.0, "regression"),  # 18·0.9 = 16.2; −0.1267
    ],
)
def test_numeric_target_statuses_by_hand(v_b, v_t, projected, ratio, status):
    row = assess_one("a_women_parliament", 2020, v_b, 2025, v_t)
    assert row["cagr"] == pytest.approx((v_t / v_b) ** (1 / 5) - 1)
    assert row["target_value"] == 50.0
    assert row["target_year"] == 2030
    assert row["projected_value"] == pytest.approx(projected)
    assert row["progress_ratio"] == pytest.approx(ratio)
    assert row["status"] == status


def test_target_met_overrides_a_falling_trend():
    # 60 → 52 is a fall, but 52 >= 50 already meets the target.
    row = assess_one("a_women_parliament", 2015, 60.0, 2020, 52.0)
    assert row["status"] == "target_met"


def test_insufficient_and_no_data():
    out = assess(
        avail_rows(
            [
                ("a_women_parliament", 2018, 30.0, 2018, 30.0),  # one point
                ("a_women_parliament", 2018, 55.0, 2018, 55.0),  # one point, meets target
                ("a_women_parliament", None, None, None, None),  # nothing
            ]
        ),
        load_catalogue(),
    )
    assert list(out["status"]) == ["insufficient_data", "insufficient_data", "no_data"]
    assert out["projected_value"].isna().all() and out["cagr"].isna().all()


def test_decrease_direction_target_mmr():
    # b_mmr: decrease desirable, target 70 by 2030. 100 (2015) → 80 (2020):
    # CAGR = 0.8^(1/5) − 1; v̂ = 80 · 0.8^(10/5) = 51.2; r = (51.2 − 100)/(70 − 100) = 1.6267.
    row = assess_one("b_mmr", 2015, 100.0, 2020, 80.0)
    assert row["cagr"] == pytest.approx(0.8**0.2 - 1)
    assert row["projected_value"] == pytest.approx(51.2)
    assert row["progress_ratio"] == pytest.approx(48.8 / 30.0)
    assert row["status"] == "on_track"


@pytest.mark.parametrize(
    ("v_t", "projected", "status"),
    [
        (90.0, 72.9, "moderate_progress"),  # 90·0.81 = 72.9; r = 27.1/30 = 0.903
        (95.0, 85.7375, "marginal_progress"),  # 95·0.9025; r = 14.2625/30 = 0.475
        (110.0, 133.1, "regression"),  # 110·1.21 = 133.1; r = −33.1/30 = −1.103
        (65.0, None, "target_met"),  # 65 <= 70
    ],
)
def test_decrease_direction_other_statuses(v_t, projected, status):
    row = assess_one("b_mmr", 2015, 100.0, 2020, v_t)
    if projected is not None:
        assert row["projected_value"] == pytest.approx(projected)
        assert row["progress_ratio"] == pytest.approx((100.0 - projected) / 30.0)
    assert row["status"] == status


# b_gini: decrease desirable, no target → bands on d = −CAGR over 2015 → 2020.
@pytest.mark.parametrize(
    ("v_t", "d", "status"),
    [
        (36.0, 1 - 0.9**0.2, "on_track"),  # d = 2.09 %
        (38.0, 1 - 0.95**0.2, "moderate_progress"),  # d = 1.02 %
        (39.0, 1 - 0.975**0.2, "marginal_progress"),  # d = 0.505 %
        (40.0, 0.0, "stagnation"),
        (42.0, 1 - 1.05**0.2, "regression"),  # d = −0.98 %
    ],
)
def test_no_target_bands_decrease_direction(v_t, d, status):
    row = assess_one("b_gini", 2015, 40.0, 2020, v_t)
    assert -row["cagr"] == pytest.approx(d, abs=1e-12)
    assert np.isnan(row["target_value"]) and np.isnan(row["progress_ratio"])
    assert row["status"] == status


def test_no_target_increase_direction():
    # b_female_lfpr: increase desirable, no target. 50 → 60 over 5 years: 3.71 % → on track.
    row = assess_one("b_female_lfpr", 2015, 50.0, 2020, 60.0)
    assert row["cagr"] == pytest.approx(1.2**0.2 - 1)
    assert row["projected_value"] == pytest.approx(60.0 * 1.2**2)  # 2020 → 2030
    assert row["status"] == "on_track"


def test_relative_target_is_made_numeric_from_the_baseline():
    # b_poverty_national: "halve vs 2015" (factor 0.5, base 2015). 20 (2015) → 18 (2020):
    # V* = 0.5·20 = 10; CAGR = 0.9^(1/5) − 1; v̂(2030) = 18·0.9^2 = 14.58 (= 20·0.9^3);
    # r = (14.58 − 20)/(10 − 20) = 0.542 → moderate progress (0.5 <= r < 0.95).
    row = assess_one("b_poverty_national", 2015, 20.0, 2020, 18.0)
    assert row["target_value"] == pytest.approx(10.0)
    assert -row["cagr"] == pytest.approx(1 - 0.9**0.2)  # 18/20 = 0.9 over 5 years: 2.09 %
    assert row["projected_value"] == pytest.approx(20.0 * 0.9**3)
    assert row["progress_ratio"] == pytest.approx((20.0 * 0.9**3 - 20.0) / (10.0 - 20.0))
    assert row["status"] == "moderate_progress"


# ----------------------------------------------------------------------------- fallbacks
def test_linear_fallback_without_target_for_negative_values():
    # a_voice_accountability (WGI, −2.5…2.5), increase, no target: −1.0 (2015) → −0.9 (2020).
    # CAGR undefined; Δ = 0.1/5 = 0.02 a year; v̂ = −0.9 + 0.02·10 = −0.7;
    # arc rate = 0.02 / ((1.0 + 0.9)/2) = 0.02105 → on track (>= 2 %).
    row = assess_one("a_voice_accountability", 2015, -1.0, 2020, -0.9)
    assert np.isnan(row["cagr"])
    assert row["projected_value"] == pytest.approx(-0.7)
    assert row["status"] == "on_track"
    # −1.0 → −0.95: Δ = 0.01, arc rate = 0.01/0.975 = 1.03 % → moderate progress.
    assert assess_one("a_voice_accountability", 2015, -1.0, 2020, -0.95)["status"] == (
        "moderate_progress"
    )


def test_linear_fallback_with_target_for_zero_baseline():
    # b_birth_registration: increase, target 100 by 2030. 0 (2015) → 10 (2020):
    # Δ = 2 a year; v̂ = 10 + 2·10 = 30; r = (30 − 0)/(100 − 0) = 0.3 → marginal progress.
    row = assess_one("b_birth_registration", 2015, 0.0, 2020, 10.0)
    assert np.isnan(row["cagr"])
    assert row["projected_value"] == pytest.approx(30.0)
    assert row["progress_ratio"] == pytest.approx(0.3)
    assert row["status"] == "marginal_progress"


def test_target_equal_to_baseline_has_no_division_by_zero():
    # b_out_of_school_primary: decrease, target 0. 0 (2015) → 2 (2020): moved off the target.
    # Linear: Δ = 0.4 a year, v̂ = 2 + 0.4·10 = 6; r undefined → regression.
    row = assess_one("b_out_of_school_primary", 2015, 0.0, 2020, 2.0)
    assert row["projected_value"] == pytest.approx(6.0)
    assert np.isnan(row["progress_ratio"])
    assert row["status"] == "regression"
    # Staying on the target is target_met, not a 0/0.
    assert assess_one("b_out_of_school_primary", 2015, 0.0, 2020, 0.0)["status"] == "target_met"


def test_baseline_beyond_target_then_falling_back_is_regression():
    # a_women_parliament: 55 % (2015, above the 50 % target) → 45 % (2020).
    row = assess_one("a_women_parliament", 2015, 55.0, 2020, 45.0)
    assert np.isnan(row["progress_ratio"])
    assert row["status"] == "regression"


def test_passed_target_year_is_judged_at_the_target_year():
    # c_marine_protected: increase, target 10 by 2020. 4 (2015) → 6 (2022), no obs: the
    # value in 2020 lies on the CAGR path, v(2020) = 4·1.5^(5/7) = 5.3436;
    # r = (5.3436 − 4)/(10 − 4) = 0.2239 → marginal progress (not the latest value's 1/3).
    row = assess_one("c_marine_protected", 2015, 4.0, 2022, 6.0)
    v_2020 = 4.0 * 1.5 ** (5 / 7)
    assert row["target_year"] == 2020 and row["assessed_year"] == 2020
    assert row["projected_value"] == pytest.approx(v_2020)
    assert row["progress_ratio"] == pytest.approx((v_2020 - 4.0) / 6.0)
    assert row["status"] == "marginal_progress"
    # With the observations, the 2020 value is read (here observed: 9.8, within 1 point of
    # nothing: 9.8 < 10 → r = 5.8/6 = 0.967 → on track, though 2022 fell back to 6).
    obs_row = assess_series(
        [("c_marine_protected", {2015: 4.0, 2020: 9.8, 2022: 6.0})], "unsd", cutoff_year=2022
    ).iloc[0]
    assert obs_row["assessed_value"] == pytest.approx(9.8)
    assert obs_row["progress_ratio"] == pytest.approx(5.8 / 6)
    assert obs_row["status"] == "on_track"
    # A value met in 2020 counts as target met even if it fell back later.
    met = assess_series(
        [("c_marine_protected", {2015: 4.0, 2019: 9.0, 2021: 12.0, 2022: 6.0})], "unsd",
        cutoff_year=2022,
    ).iloc[0]  # fmt: skip
    assert met["assessed_value"] == pytest.approx(10.5)  # (9 + 12)/2, interpolated
    assert met["status"] == "target_met"


def test_target_year_default_is_used_when_the_catalogue_has_none():
    # c_pm25_mean: decrease, target 5 with no year. 40 (2015) → 32 (2020), default 2025:
    # v̂ = 32 · 0.8 = 25.6; r = (25.6 − 40)/(5 − 40) = 14.4/35 = 0.411 → marginal.
    horizon = load_settings(overrides={"assessment": {"target_year_default": 2025}})
    row = assess_one("c_pm25_mean", 2015, 40.0, 2020, 32.0, settings=horizon)
    assert row["target_year"] == 2025
    assert row["projected_value"] == pytest.approx(25.6)
    assert row["progress_ratio"] == pytest.approx(14.4 / 35)
    assert row["status"] == "marginal_progress"


def test_custom_thresholds_and_bands():
    # r = 25/30 = 0.833: on track when the first cut-off is 0.8 (custom settings).
    cuts = load_settings(overrides={"unsd": {"thresholds": [0.8, 0.5, 0.1, -0.1]}})
    row = assess_one("a_women_parliament", 2020, 20.0, 2025, 30.0, settings=cuts)
    assert row["progress_ratio"] == pytest.approx(25 / 30)
    assert row["status"] == "on_track"
    assert assess_one("a_women_parliament", 2020, 20.0, 2025, 30.0)["status"] == (
        reference_band(25 / 30, UNSD.thresholds)
    )
    # d = 1.02 % (b_gini 40 → 38): on track with a 1 % first band.
    bands = load_settings(overrides={"unsd": {"cagr_bands": [0.01, 0.007, 0.005, -0.005]}})
    row = assess_one("b_gini", 2015, 40.0, 2020, 38.0, settings=bands)
    assert row["status"] == "on_track"
    assert assess_one("b_gini", 2015, 40.0, 2020, 38.0)["status"] == reference_band(1 - 0.95**0.2)


# ----------------------------------------------------------------------------- properties
def reference_band(d: float, cuts: tuple[float, ...] = UNSD.cagr_bands) -> str:
    """UNSD five levels written out independently of the module; the cut-offs are the
    shipped settings' (``unsd.cagr_bands`` by default)."""
    labels = ("on_track", "moderate_progress", "marginal_progress", "stagnation")
    for cut, label in zip(cuts, labels, strict=True):
        if d >= cut:
            return label
    return "regression"


def away_from_cuts(rate: float, tol: float) -> bool:
    """True when ``|rate|`` is not within ``tol`` of a band edge (rounding decides there)."""
    return all(abs(abs(rate) - abs(c)) > tol for c in UNSD.cagr_bands)


@settings(max_examples=200, deadline=None)
@given(v_b=st.floats(0.1, 1000.0), factor=st.floats(0.2, 5.0), years=st.integers(1, 15))
def test_direction_symmetry_without_target(v_b, factor, years):
    v_t = v_b * factor
    g = factor ** (1 / years) - 1
    assume(away_from_cuts(g, 1e-9))
    avail = avail_rows([("x_up", 2010, v_b, 2010 + years, v_t)] * 1)
    avail = pd.concat([avail, avail.assign(indicator="x_down")], ignore_index=True)
    out = assess(avail, toy_catalogue())
    up, down = out["status"].tolist()
    assert out["cagr"].iloc[0] == pytest.approx(out["cagr"].iloc[1])
    assert up == reference_band(g)
    assert down == reference_band(-g)  # reversing the direction flips the sign of d
    rank_up, rank_down = STATUS_ORDER.index(up), STATUS_ORDER.index(down)
    if g >= 0:
        assert rank_up <= rank_down
    else:
        assert rank_up >= rank_down


@settings(max_examples=100, deadline=None)
@given(v_b=st.floats(1.0, 100.0), v_t=st.floats(50.0, 100.0))
def test_target_met_whatever_the_trend(v_b, v_t):
    # a_women_parliament: any latest value >= 50 meets the target.
    assert assess_one("a_women_parliament", 2015, v_b, 2020, v_t)["status"] == "target_met"


# ----------------------------------------------------------------------------- output shape
def test_output_columns_dtypes_and_catalogue_fields():
    out = assess(
        avail_rows([("b_mmr", 2015, 100.0, 2020, 80.0), ("b_gini", None, None, None, None)]),
        load_catalogue(),
    )
    assert list(out.columns)[: len(EXPECTED_COLUMNS)] == EXPECTED_COLUMNS
    assert list(out["characteristic"]) == ["B", "B"]
    assert list(out["element"]) == ["B.2", "B.1"]
    assert out["baseline_year"].dtype == "Int64" and out["target_year"].dtype == "Int64"
    assert set(out["status"]) <= set(STATUS_ORDER)


def test_status_order_and_labels():
    assert STATUS_ORDER[0] == "target_met" and STATUS_ORDER[-1] == "no_data"


def test_summarise_status_counts():
    assessment = pd.DataFrame(
        {
            "country": ["VNM", "VNM", "THA", "THA", "LAO"],
            "characteristic": ["A", "B", "B", "B", "C"],
            "status": ["on_track", "on_track", "regression", "no_data", "target_met"],
        }
    )
    out = summarise_status(assessment).set_index("characteristic")
    assert list(out.columns) == STATUS_ORDER + ["n_pairs"]
    assert out.loc["B", "on_track"] == 1
    assert out.loc["B", "regression"] == 1
    assert out.loc["B", "no_data"] == 1
    assert out.loc["B", "stagnation"] == 0
    assert out.loc["B", "n_pairs"] == 3
    assert out.loc["C", "target_met"] == 1
    by_country = summarise_status(assessment, by="country").set_index("country")
    assert by_country.loc["VNM", "on_track"] == 2
    region = summarise_status(assessment, by="region")
    assert region.loc[0, "n_pairs"] == 5
    with pytest.raises(ValueError, match="by must be"):
        summarise_status(assessment, by="goal")


def test_assess_takes_settings_not_a_dict():
    # Cut-offs are validated when the settings load (tests/test_settings.py); a plain dict
    # would skip that validation, so it is refused.
    with pytest.raises(TypeError, match="settings"):
        assess(
            avail_rows([("b_mmr", 2015, 100.0, 2020, 80.0)]),
            load_catalogue(),
            settings={"unsd": {"thresholds": [0.5, 0.95, 0.1, -0.1]}},
        )


def test_assess_rejects_unknown_indicator():
    with pytest.raises(ValueError, match="x_unknown"):
        assess(avail_rows([("x_unknown", 2015, 1.0, 2020, 2.0)]), load_catalogue())


def test_projection_of_a_share_is_clipped_at_100_percent():
    # b_skilled_birth is "% of births" without target: 50 → 90 over 5 years has CAGR
    # 1.8**0.2 − 1 ≈ 12.5 %/yr; unclipped 90·1.125^10 ≈ 292 % by 2030.
    row = assess_one("b_skilled_birth", 2015, 50.0, 2020, 90.0)
    assert row["projected_value"] == 100.0
    assert math.isclose(row["cagr"], 1.8**0.2 - 1)
    # "% gross" enrolment can exceed 100 and is not clipped.
    gross = assess_one("e_tertiary_enrolment", 2015, 50.0, 2020, 90.0)
    assert math.isclose(gross["projected_value"], 90.0 * 1.8**2)


# ============================================================================= methods
# The ESCAP and OLS methods need the observations; ``obs_series`` builds them and the
# availability table from (indicator, {year: value}) with the gaps module, as the runner does.
def obs_frame(series: list[tuple[str, dict[int, float]]]) -> pd.DataFrame:
    """Observations of countries C00, C01, ... from (indicator, {year: value}) pairs."""
    rows = [
        {"country": f"C{i:02d}", "indicator": ind, "year": y, "value": v, "source": "test"}
        for i, (ind, values) in enumerate(series)
        for y, v in values.items()
    ]
    frame = pd.DataFrame(rows, columns=["country", "indicator", "year", "value", "source"])
    return frame.astype({"year": "int64", "value": "float64"})


def assess_series(
    series: list[tuple[str, dict[int, float]]],
    method: str,
    catalogue=None,
    baseline_year: int = 2015,
    cutoff_year: int = 2020,
    **kwargs,
) -> pd.DataFrame:
    from mtr_analysis.analysis.gaps import availability

    obs = obs_frame(series)
    countries = [f"C{i:02d}" for i in range(len(series))]
    catalogue = load_catalogue() if catalogue is None else catalogue
    out = []
    for i, (ind, _) in enumerate(series):  # one grid per series: keep only its own pair
        avail = availability(
            obs.loc[obs["country"] == countries[i]],
            baseline_year,
            cutoff_year,
            countries=[countries[i]],
            indicators=[ind],
        )
        out.append(avail)
    avail = pd.concat(out, ignore_index=True)
    return assess(avail, catalogue, method=method, obs=obs, **kwargs)


def test_method_argument_is_validated():
    avail = avail_rows([("b_mmr", 2015, 100.0, 2020, 80.0)])
    with pytest.raises(ValueError, match="method must be one of"):
        assess(avail, load_catalogue(), method="sdsn")
    with pytest.raises(ValueError, match="obs="):
        assess(avail, load_catalogue(), method="escap")
    # Without a method argument the settings choose it: ESCAP, which needs obs=.
    escap = load_settings(overrides={"assessment": {"method": "escap"}})
    with pytest.raises(ValueError, match="method 'escap' needs the observations"):
        assess(avail, load_catalogue(), settings=escap)
    default = assess(avail, load_catalogue())
    assert default.loc[0, "method"] == default_settings().assessment.method


def test_unsd_extra_columns():
    out = assess(avail_rows([("b_mmr", 2015, 100.0, 2020, 80.0)]), load_catalogue())
    row = out.iloc[0]
    assert list(out.columns) == EXPECTED_COLUMNS + ASSESSMENT_EXTRA_COLUMNS
    assert row["method"] == "unsd" and row["n_fit"] == 2 and row["fit_scale"] == "log"
    assert row["slope"] == pytest.approx(math.log(0.8) / 5)  # ln(1 + g) per year
    assert row["trend_rate"] == pytest.approx(0.8**0.2 - 1)
    assert np.isnan(row["slope_ci_low"]) and np.isnan(row["projected_ci_high"])


def test_escap_weighted_regression_by_hand():
    # b_mmr (decrease, target 70 by 2030), points 2000: 300, 2020: 270, 2025: 251.25.
    # w_i = (T − t_min)/(T − t_i) with T = 2030, t_min = 2000: 30/30, 30/10, 30/5 = 1, 3, 6.
    # x = t − 2000 = 0, 20, 25: Σw = 10, x̄ = (0 + 60 + 150)/10 = 21,
    # ȳ = (300 + 3·270 + 6·251.25)/10 = 261.75; dx = −21, −1, 4;
    # Sxx = 441 + 3 + 96 = 540; Sxy = Σ w·dx·y = −6300 − 810 + 6030 = −1080 → β = −2.
    # ŷ(2030) = 261.75 − 2·(30 − 21) = 243.75. Baseline (window 2012–2025): 2020, 270.
    # r = (243.75 − 270)/(70 − 270) = 0.13125 → marginal progress.
    # Here the unit is made signed ("index (-1000 to 1000)") so ESCAP fits linearly.
    # ESCAP's base is the 2015 value from the trend: 261.75 − 2·(15 − 21) = 273.75;
    # r = (243.75 − 273.75)/(70 − 273.75) = 0.14724 → accelerate progress.
    cat = load_catalogue().indicators.copy()
    cat.loc["b_mmr", "unit"] = "index (-1000 to 1000)"
    row = assess_series(
        [("b_mmr", {2000: 300.0, 2020: 270.0, 2025: 251.25})], "escap", catalogue=cat,
        cutoff_year=2025,
    ).iloc[0]  # fmt: skip
    assert row["n_fit"] == 3 and row["fit_scale"] == "linear"
    assert row["slope"] == pytest.approx(-2.0)
    assert row["projected_value"] == pytest.approx(243.75)
    assert row["reference_year"] == 2015 and row["reference_value"] == pytest.approx(273.75)
    assert row["progress_ratio"] == pytest.approx(30 / 203.75)
    assert row["status"] == "accelerate_progress"
    # Unweighted OLS on the same three points gives another slope: −637.5/350.
    ols = assess_series(
        [("b_mmr", {2000: 300.0, 2020: 270.0, 2025: 251.25})], "ols", cutoff_year=2025,
        fit_start=2000,
    ).iloc[0]  # fmt: skip
    assert ols["slope"] == pytest.approx(-637.5 / 350)


def test_escap_logit_for_shares_by_hand():
    # a_women_parliament is "% of seats" (target 50 by 2030): fitted on the logit scale.
    # 2010: 20 % (odds 1/4), 2020: 25 % (odds 1/3): two points, so the line passes through
    # both whatever the weights; odds grow ×4/3 per decade → 2030 odds 4/9 → 4/13 = 30.77 %.
    # ESCAP's 2015 value is read from the trend: odds (1/4)·(4/3)^0.5 → share p15;
    # r = (400/13 − p15)/(50 − p15) = 0.29 → accelerate progress.
    row = assess_series([("a_women_parliament", {2010: 20.0, 2020: 25.0})], "escap").iloc[0]
    odds_2015 = 0.25 * (4 / 3) ** 0.5
    p15 = 100 * odds_2015 / (1 + odds_2015)
    assert row["fit_scale"] == "logit"
    assert row["slope"] == pytest.approx(math.log(4 / 3) / 10)
    assert row["projected_value"] == pytest.approx(400 / 13)
    assert row["reference_value"] == pytest.approx(p15)
    assert row["progress_ratio"] == pytest.approx((400 / 13 - p15) / (50 - p15))
    assert row["status"] == "accelerate_progress"
    # UNSD needs two points in the review window: this series has one.
    unsd = assess_series([("a_women_parliament", {2010: 20.0, 2020: 25.0})], "unsd").iloc[0]
    assert unsd["status"] == "insufficient_data"


def test_escap_logit_keeps_projections_inside_0_100():
    # A share rising 10 points a year would pass 100 % linearly; on the logit scale it
    # approaches 100 % (clip 0.1 %–99.9 % keeps 100 % itself finite).
    row = assess_series(
        [("b_skilled_birth", {2016: 60.0, 2017: 70.0, 2018: 80.0, 2019: 90.0, 2020: 100.0})],
        "escap",
    ).iloc[0]
    assert 90.0 < row["projected_value"] < 100.0
    assert row["status"] == "no_target"  # no quantitative target: ESCAP leaves it out


def test_escap_start_year_comes_from_the_settings():
    values = {2000: 300.0, 2010: 280.0, 2015: 200.0, 2018: 190.0, 2020: 170.0}
    start = default_settings().escap.start_year
    row = assess_series([("b_mmr", values)], "escap").iloc[0]
    assert row["n_fit"] == sum(year >= start for year in values)
    later = load_settings(overrides={"escap": {"start_year": 2015}})
    assert assess_series([("b_mmr", values)], "escap", settings=later).iloc[0]["n_fit"] == 3
    # An explicit fit_start wins over the settings.
    row = assess_series([("b_mmr", values)], "escap", settings=later, fit_start=2010).iloc[0]
    assert row["n_fit"] == 4


@pytest.mark.parametrize("clip", [None, 0.01])
def test_escap_logit_clip_comes_from_the_settings(clip):
    # b_skilled_birth (share) 50 % (2015) → 100 % (2020): 100 % is clipped to 1 − c, so
    # the logit line rises from ln(1) = 0 to ln((1 − c)/c) over 5 years.
    settings = load_settings(overrides={"escap": {"logit_clip": clip}} if clip else None)
    c = settings.escap.logit_clip
    row = assess_series(
        [("b_skilled_birth", {2015: 50.0, 2020: 100.0})], "escap", settings=settings
    ).iloc[0]
    assert row["fit_scale"] == "logit"
    assert row["slope"] == pytest.approx(math.log((1 - c) / c) / 5, rel=1e-12)


def test_escap_passed_target_year_uses_latest_value():
    # c_marine_protected: target 10 by 2020; data to 2023 with cut-off 2025.
    row = assess_series(
        [("c_marine_protected", {2015: 4.0, 2018: 5.0, 2023: 6.0})], "escap", cutoff_year=2025
    ).iloc[0]
    # The value in 2020 is interpolated between 2018 (5) and 2023 (6): 5.4; the fit stops
    # there. r = (5.4 − 4)/(10 − 4) = 0.2333 → accelerate progress.
    assert row["target_year"] == 2020 and row["assessed_year"] == 2020
    assert row["projected_value"] == pytest.approx(5.4)
    assert row["progress_ratio"] == pytest.approx(1.4 / 6)
    assert row["n_fit"] == 2
    assert row["status"] == "accelerate_progress"
    assert np.isnan(row["projected_ci_low"])


def test_regression_methods_no_data_and_insufficient_data():
    out = assess_series(
        [
            ("b_mmr", {2005: 300.0, 2008: 280.0}),  # nothing in the window 2012–2020
            ("b_mmr", {2018: 120.0}),  # one point
        ],
        "escap",
    )
    assert list(out["status"]) == ["no_data", "insufficient_data"]
    ols = assess_series([("b_mmr", {2010: 300.0, 2018: 120.0})], "ols").iloc[0]
    # OLS fits the review window (baseline year onwards): one point → insufficient.
    assert ols["n_fit"] == 1 and ols["status"] == "insufficient_data"


def test_ols_matches_statsmodels_on_several_series():
    sm = pytest.importorskip("statsmodels.api")
    rng = np.random.default_rng(7)
    series = []
    for ind, level in [("b_mmr", 150.0), ("b_gini", 38.0), ("a_voice_accountability", -0.4)]:
        for k in range(3):
            years = sorted(int(y) for y in rng.choice(np.arange(2012, 2021), 4 + k, replace=False))
            series.append(
                (ind, {y: level * (1 + 0.03 * (y - 2015)) + rng.normal(0, 0.05 * abs(level))
                       for y in years})
            )  # fmt: skip
    out = assess_series(
        series, "ols", settings=load_settings(overrides={"ols": {"confidence": 0.9}})
    )
    for (ind, values), (_, row) in zip(series, out.iterrows(), strict=True):
        years = np.array([y for y in values if y >= row["baseline_year"]], dtype=float)
        y = np.array([values[int(t)] for t in years])
        with np.errstate(divide="ignore", invalid="ignore"):  # n = 2: no residual df
            fit = sm.OLS(y, sm.add_constant(years)).fit()
            pred = fit.get_prediction(np.array([[1.0, float(row["target_year"])]]))
        low, high = fit.conf_int(alpha=0.1)[1]
        assert row["slope"] == pytest.approx(fit.params[1], rel=1e-9)
        assert row["slope_ci_low"] == pytest.approx(low, rel=1e-9, nan_ok=True)
        assert row["slope_ci_high"] == pytest.approx(high, rel=1e-9, nan_ok=True)
        lo_b, hi_b = natural_bounds(load_catalogue().indicators.loc[ind, "unit"])
        mean_low, mean_high = np.clip(pred.conf_int(alpha=0.1)[0], lo_b, hi_b)
        assert row["projected_value"] == pytest.approx(
            np.clip(pred.predicted_mean[0], lo_b, hi_b), rel=1e-9, abs=1e-12
        )
        assert row["projected_ci_low"] == pytest.approx(mean_low, rel=1e-9, nan_ok=True)
        assert row["projected_ci_high"] == pytest.approx(mean_high, rel=1e-9, nan_ok=True)
        assert (row["n_fit"] > 2) == np.isfinite(row["slope_ci_low"])


def test_escap_matches_statsmodels_wls():
    sm = pytest.importorskip("statsmodels.api")
    values = {2001: 310.0, 2006: 280.0, 2011: 250.0, 2015: 200.0, 2017: 185.0, 2020: 170.0}
    row = assess_series([("b_mmr", values)], "escap").iloc[0]
    t = np.array(sorted(values), dtype=float)
    y = np.array([values[int(k)] for k in t])
    # Maternal mortality is a positive rate: ESCAP fits it on the log scale.
    fit = sm.WLS(np.log(y), sm.add_constant(t), weights=(2030 - t.min()) / (2030 - t)).fit()
    assert row["fit_scale"] == "log"
    assert row["slope"] == pytest.approx(fit.params[1], rel=1e-9)
    assert [row["slope_ci_low"], row["slope_ci_high"]] == pytest.approx(
        list(fit.conf_int(0.05)[1]), rel=1e-9
    )
    assert row["projected_value"] == pytest.approx(np.exp(fit.params[0] + fit.params[1] * 2030))
    assert row["reference_value"] == pytest.approx(200.0)  # 2015 observed


# ----------------------------------------------------------------------------- special units
@pytest.mark.parametrize(
    ("latest", "status"),
    [(2.5, "on_track"), (1.5, "moderate_progress"), (0.7, "marginal_progress"),
     (0.2, "stagnation"), (-1.0, "regression")],
)  # fmt: skip
def test_growth_rate_series_are_judged_by_level(latest, status):
    # b_bottom40_growth is itself a growth rate (% per year, increase desirable): its
    # latest level d = v_t/100 is banded like a growth rate; no CAGR, no projection.
    row = assess_one("b_bottom40_growth", 2015, 3.0, 2020, latest)
    assert np.isnan(row["cagr"]) and np.isnan(row["projected_value"])
    assert row["trend_rate"] == pytest.approx(latest / 100)
    assert row["status"] == status


def test_near_limit_of_a_0_or_100_percent_target_counts_as_met():
    # b_sanitation_safely_managed: "% of population", target 100: a latest value within
    # the tolerance (UNSD: 1 point; unsd.near_limit_tolerance) counts as met.
    tol = UNSD.near_limit_tolerance
    within, beyond = 100.0 - 0.8 * tol, 100.0 - 1.1 * tol
    assert assess_one("b_sanitation_safely_managed", 2015, 90.0, 2020, within)["status"] == (
        "target_met"
    )
    row = assess_one("b_sanitation_safely_managed", 2015, 90.0, 2020, beyond)
    assert row["status"] != "target_met"
    # b_poverty_intl: target 0 %, 0.8·tol is within the tolerance; tolerance 0 switches it off.
    assert assess_one("b_poverty_intl", 2015, 3.0, 2020, 0.8 * tol)["status"] == "target_met"
    off = load_settings(overrides={"unsd": {"near_limit_tolerance": 0.0}})
    strict = assess_one("b_poverty_intl", 2015, 3.0, 2020, 0.8 * tol, settings=off)
    assert strict["status"] != "target_met"
    # Not a share (deaths per 100,000): no tolerance.
    assert assess_one("b_mmr", 2015, 100.0, 2020, 70.5)["status"] != "target_met"


@pytest.mark.parametrize(
    ("unit", "bounds"),
    [
        ("% of population", (0.0, 100.0)),
        ("index (-2.5 to 2.5)", (-2.5, 2.5)),
        ("score (0-100)", (0.0, 100.0)),
        ("index (0-1)", (0.0, 1.0)),
        ("% per year", (-math.inf, math.inf)),
        ("% gross", (0.0, math.inf)),
        ("deaths per 100,000 live births", (0.0, math.inf)),
    ],
)
def test_natural_bounds(unit, bounds):
    assert natural_bounds(unit) == bounds


def test_projection_of_a_score_is_clipped_to_its_range():
    # b_wbl_index "score (1-100)", target 100: 50 → 90 would reach ~292 by 2030 → 100.
    row = assess_one("b_wbl_index", 2015, 50.0, 2020, 90.0)
    assert row["projected_value"] == 100.0
    assert row["progress_ratio"] == pytest.approx(1.0)


# ----------------------------------------------------------------------------- properties
series_strategy = st.lists(
    st.tuples(st.integers(2012, 2020), st.floats(1.0, 1000.0)),
    min_size=3,
    max_size=8,
    unique_by=lambda p: p[0],
)


@settings(max_examples=60, deadline=None)
@given(points=series_strategy, method=st.sampled_from(["ols"]))
def test_regression_direction_symmetry_without_target(points, method):
    values = dict(points)
    out = assess_series([("x_up", values), ("x_down", values)], method, toy_catalogue())
    escap = assess_series([("x_up", values)], "escap", toy_catalogue())
    assert escap["status"].tolist() == ["no_target"]  # ESCAP leaves such series out
    up, down = out.iloc[0], out.iloc[1]
    assume(not np.isnan(up["trend_rate"]))
    g = up["trend_rate"]
    assume(away_from_cuts(g, 1e-9))
    assert down["trend_rate"] == pytest.approx(g)
    assert up["status"] == reference_band(g)
    assert down["status"] == reference_band(-g)


@settings(max_examples=60, deadline=None)
@given(
    points=series_strategy,
    k=st.floats(1e-2, 1e3),
    method=st.sampled_from(["unsd", "escap", "ols"]),
)
def test_scale_invariance_of_rates_and_statuses(points, k, method):
    # Without a target and on a linear/log scale, multiplying a series by k > 0 leaves its
    # growth rate and status unchanged and multiplies the projection by k.
    values = dict(points)
    scaled = {y: k * v for y, v in values.items()}
    out = assess_series([("x_up", values), ("x_up", scaled)], method, toy_catalogue())
    a, b = out.iloc[0], out.iloc[1]
    if np.isnan(a["trend_rate"]):
        assert np.isnan(b["trend_rate"])
        return
    assume(away_from_cuts(a["trend_rate"], 1e-7))
    assert b["trend_rate"] == pytest.approx(a["trend_rate"], rel=1e-7, abs=1e-12)
    assert b["status"] == a["status"]
    assert b["projected_value"] == pytest.approx(k * a["projected_value"], rel=1e-7, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(points=st.lists(
    st.tuples(st.integers(2000, 2020), st.floats(0.0, 100.0)), min_size=2, max_size=10,
    unique_by=lambda p: p[0],
))  # fmt: skip
def test_escap_share_projection_stays_in_0_100(points):
    row = assess_series([("b_skilled_birth", dict(points))], "escap").iloc[0]
    if not np.isnan(row["projected_value"]):
        assert 0.0 <= row["projected_value"] <= 100.0
        assert row["projected_ci_low"] <= row["projected_value"] + 1e-9 or np.isnan(
            row["projected_ci_low"]
        )


def test_student_t_quantile_matches_scipy_without_importing_it():
    """The exact finite series (Abramowitz & Stegun 26.7.3/26.7.4) against scipy's ppf."""
    from scipy import stats

    from mtr_analysis.analysis.trends import _t_quantile

    for df in [*range(1, 41), 57, 120, 301]:
        for q in (0.55, 0.9, 0.95, 0.975, 0.995):
            assert _t_quantile(q, df) == pytest.approx(stats.t.ppf(q, df), rel=1e-10)
    assert _t_quantile(0.975, 2.5) == pytest.approx(stats.t.ppf(0.975, 2.5), rel=1e-12)
