"""The next plan's baseline (issue 13, item 4): baseline values near 2025, gaps, pace.

Pace numbers are worked by hand in the comments (required change and CAGR from the
baseline value to the target by 2030; observed CAGR between two points, UNSD's formula).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mtr_analysis.analysis.baseline import baseline_table, review_window
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.settings import load_settings

CAT = load_catalogue()


def _obs(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["country", "indicator", "year", "value"]).assign(
        source="hand"
    )


def _row(table: pd.DataFrame, country: str, indicator: str) -> pd.Series:
    hit = table.loc[table["country"].eq(country) & table["indicator"].eq(indicator)]
    assert len(hit) == 1
    return hit.iloc[0]


def _one(rows, indicator="b_u5mr", settings=None, horizon=2030) -> pd.Series:
    obs = _obs([("VNM", indicator, y, v) for y, v in rows])
    table = baseline_table(obs, CAT, ["VNM"], 2025, horizon, settings=settings)
    return _row(table, "VNM", indicator)


def test_hand_worked_pace_must_accelerate():
    # Under-five mortality (decrease desirable, target 25 per 1,000 by 2030):
    # 50 in 2019, 40 in 2024. Required: (25 − 40)/(2030 − 2024) = −2.5 per year;
    # CAGR_req = (25/40)^(1/6) − 1 = −0.075344; observed CAGR = (40/50)^(1/5) − 1 = −0.043648;
    # ratio = 0.043648/0.075344 = 0.5793 → between 0 and 1: must accelerate.
    row = _one([(2019, 50.0), (2024, 40.0)])
    assert (row["baseline_year"], row["baseline_value"], row["source"]) == (2024, 40.0, "hand")
    assert row["target_value"] == 25.0
    assert row["required_change"] == pytest.approx(-2.5)
    assert row["required_cagr"] == pytest.approx(0.625 ** (1 / 6) - 1)
    assert row["required_cagr"] == pytest.approx(-0.075344, abs=1e-6)
    assert row["observed_change"] == pytest.approx(-2.0)
    assert row["observed_cagr"] == pytest.approx(-0.043648, abs=1e-6)
    assert row["pace_ratio"] == pytest.approx(0.579306, abs=1e-6)
    assert (row["pace_basis"], row["pace"], row["gap"]) == ("cagr", "must_accelerate", "")


def test_on_pace_and_must_reverse():
    # 60 (2020) → 40 (2024): CAGR (2/3)^(1/4) − 1 = −0.09638 vs −0.075344 needed: ratio 1.279.
    row = _one([(2020, 60.0), (2024, 40.0)])
    assert row["pace_ratio"] == pytest.approx(((2 / 3) ** 0.25 - 1) / (0.625 ** (1 / 6) - 1))
    assert row["pace"] == "on_pace"
    # 35 (2020) → 40 (2024): rising mortality, ratio < 0: must reverse.
    row = _one([(2020, 35.0), (2024, 40.0)])
    assert row["pace_ratio"] < 0
    assert row["pace"] == "must_reverse"


def test_zero_target_uses_annual_change():
    # Child marriage, target 0 by 2030: a CAGR towards 0 is undefined, so the pace is the
    # annual change: required (0 − 10)/6 = −1.6667; observed (10 − 12)/4 = −0.5; ratio 0.3.
    row = _one([(2020, 12.0), (2024, 10.0)], indicator="b_child_marriage")
    assert math.isnan(row["required_cagr"])
    assert row["required_change"] == pytest.approx(-10 / 6)
    assert row["observed_change"] == pytest.approx(-0.5)
    assert row["pace_ratio"] == pytest.approx(0.3)
    assert (row["pace_basis"], row["pace"]) == ("change", "must_accelerate")


def test_near_2025_rule_and_gaps():
    # near_years = 2: 2023 is accepted; 2022 is stale; 2026 is after the baseline year.
    row = _one([(2018, 50.0), (2023, 40.0), (2026, 10.0)])
    assert (row["baseline_year"], row["baseline_value"], row["gap"]) == (2023, 40.0, "")
    assert row["observed_start_year"] == 2018 and row["n_recent"] == 2
    row = _one([(2018, 50.0), (2022, 40.0)])
    assert pd.isna(row["baseline_value"]) and row["latest_year"] == 2022
    assert (row["gap"], row["pace"]) == ("stale", "insufficient_data")
    # A wider window (settings) accepts 2022.
    wide = load_settings(overrides={"baseline": {"near_years": 3}})
    row = _one([(2018, 50.0), (2022, 40.0)], settings=wide)
    assert (row["baseline_year"], row["gap"]) == (2022, "")
    # One value: a baseline but no trend.
    row = _one([(2025, 40.0)])
    assert (row["baseline_value"], row["gap"], row["pace"]) == (40.0, "too_few_points",
                                                                 "insufficient_data")  # fmt: skip
    assert row["required_change"] == pytest.approx(-3.0)  # (25 − 40)/5
    # A point older than trend_years (5) before the baseline is outside the recent span.
    row = _one([(2015, 80.0), (2024, 40.0)])
    assert (row["n_recent"], row["gap"]) == (1, "too_few_points")
    # No value at all.
    row = _one([(2024, 40.0)], indicator="b_u5mr")
    table = baseline_table(_obs([("VNM", "b_u5mr", 2024, 40.0)]), CAT, ["VNM", "THA"], 2025, 2030)
    other = _row(table, "THA", "b_u5mr")
    assert (other["gap"], other["pace"]) == ("no_data", "insufficient_data")
    assert len(table) == 2 * len(CAT.indicators)


def test_met_no_target_and_relative_target():
    # Already below the target: met whatever the trend.
    assert _one([(2020, 20.0), (2024, 22.0)])["pace"] == "already_met"
    # Directional target (UHC index, increase): a direction, no number.
    row = _one([(2020, 60.0), (2024, 70.0)], indicator="b_uhc_index")
    assert math.isnan(row["target_value"]) and row["direction"] == "increase"
    assert row["pace"] == "no_target" and row["observed_change"] == pytest.approx(2.5)
    # Relative target: halve national poverty from its 2015 value (0.5 × 20 = 10).
    row = _one([(2015, 20.0), (2020, 16.0), (2024, 14.0)], indicator="b_poverty_national")
    assert row["target_value"] == pytest.approx(10.0)
    assert row["required_change"] == pytest.approx((10 - 14) / 6)


def test_horizon_override_and_review_window():
    assert review_window(CAT, "next-plan") == (2025, 2030)
    assert review_window(CAT, "next-plan", 2035) == (2025, 2035)
    with pytest.raises(ValueError, match="not of kind 'baseline'.*next-plan"):
        review_window(CAT, "mid-term")
    with pytest.raises(ValueError, match="horizon year 2024 must be after"):
        review_window(CAT, "next-plan", 2024)
    # Horizon 2035: required (25 − 40)/11 per year.
    row = _one([(2019, 50.0), (2024, 40.0)], horizon=2035)
    assert row["required_change"] == pytest.approx(-15 / 11)
    assert row["horizon_year"] == 2035


def test_settings_refuse_inverted_pace_cutoffs():
    from mtr_analysis.settings import SettingsError

    with pytest.raises(SettingsError, match="baseline.*reverse_ratio"):
        load_settings(overrides={"baseline": {"reverse_ratio": 2.0}})
