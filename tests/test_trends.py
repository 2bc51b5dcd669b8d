"""Tests for mtr_analysis.trends: statuses and numbers are worked out by hand in each test."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from mtr_analysis.catalogue import load_catalogue
from mtr_analysis.trends import (
    STATUS_LABELS_EN,
    STATUS_ORDER,
    assess,
    cagr,
    summarise_status,
)

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


def test_relative_target_is_judged_by_bands():
    # b_poverty_national has a relative target (halve vs 2015): no numeric target yet.
    row = assess_one("b_poverty_national", 2015, 20.0, 2020, 18.0)
    assert np.isnan(row["target_value"]) and np.isnan(row["progress_ratio"])
    assert -row["cagr"] == pytest.approx(1 - 0.9**0.2)  # 18/20 = 0.9 over 5 years: 2.09 %
    assert row["status"] == "on_track"


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


def test_passed_target_year_is_judged_on_the_latest_value():
    # c_marine_protected: increase, target 10 by 2020. 4 (2015) → 6 (2022): no back-casting,
    # v̂ = 6; r = (6 − 4)/(10 − 4) = 1/3 → marginal progress.
    row = assess_one("c_marine_protected", 2015, 4.0, 2022, 6.0)
    assert row["target_year"] == 2020
    assert row["projected_value"] == pytest.approx(6.0)
    assert row["progress_ratio"] == pytest.approx(1 / 3)
    assert row["status"] == "marginal_progress"


def test_target_year_default_is_used_when_the_catalogue_has_none():
    # c_pm25_mean: decrease, target 5 with no year. 40 (2015) → 32 (2020), default 2025:
    # v̂ = 32 · 0.8 = 25.6; r = (25.6 − 40)/(5 − 40) = 14.4/35 = 0.411 → marginal.
    row = assess_one("c_pm25_mean", 2015, 40.0, 2020, 32.0, target_year_default=2025)
    assert row["target_year"] == 2025
    assert row["projected_value"] == pytest.approx(25.6)
    assert row["progress_ratio"] == pytest.approx(14.4 / 35)
    assert row["status"] == "marginal_progress"


def test_custom_thresholds_and_bands():
    # r = 25/30 = 0.833: moderate with UNSD cut-offs, on track when the first is 0.8.
    row = assess_one("a_women_parliament", 2020, 20.0, 2025, 30.0, thresholds=(0.8, 0.5, 0.1, -0.1))
    assert row["status"] == "on_track"
    # d = 1.02 % (b_gini 40 → 38): moderate by default, on track with a 1 % first band.
    row = assess_one("b_gini", 2015, 40.0, 2020, 38.0, cagr_bands=(0.01, 0.007, 0.005, -0.005))
    assert row["status"] == "on_track"


# ----------------------------------------------------------------------------- properties
def reference_band(d: float) -> str:
    """UNSD bands written out independently of the module."""
    if d >= 0.02:
        return "on_track"
    if d >= 0.01:
        return "moderate_progress"
    if d >= 0.005:
        return "marginal_progress"
    if d >= -0.005:
        return "stagnation"
    return "regression"


@settings(max_examples=200, deadline=None)
@given(v_b=st.floats(0.1, 1000.0), factor=st.floats(0.2, 5.0), years=st.integers(1, 15))
def test_direction_symmetry_without_target(v_b, factor, years):
    v_t = v_b * factor
    g = factor ** (1 / years) - 1
    assume(all(abs(abs(g) - c) > 1e-9 for c in (0.02, 0.01, 0.005)))
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
    assert list(out.columns) == EXPECTED_COLUMNS
    assert list(out["characteristic"]) == ["B", "B"]
    assert list(out["element"]) == ["B.2", "B.1"]
    assert out["baseline_year"].dtype == "Int64" and out["target_year"].dtype == "Int64"
    assert set(out["status"]) <= set(STATUS_ORDER)


def test_status_order_and_labels():
    assert STATUS_ORDER[0] == "target_met" and STATUS_ORDER[-1] == "no_data"
    assert set(STATUS_LABELS_EN) == set(STATUS_ORDER)
    assert STATUS_LABELS_EN["on_track"] == "On track"


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


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"thresholds": (0.5, 0.95, 0.1, -0.1)}, "thresholds"),
        ({"thresholds": (0.95, 0.5, 0.1)}, "thresholds"),
        ({"cagr_bands": (0.02, 0.01, 0.01, -0.005)}, "cagr_bands"),
    ],
)
def test_assess_validates_cut_offs(kwargs, message):
    with pytest.raises(ValueError, match=message):
        assess(avail_rows([("b_mmr", 2015, 100.0, 2020, 80.0)]), load_catalogue(), **kwargs)


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
