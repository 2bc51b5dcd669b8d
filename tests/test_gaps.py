"""Tests for mtr_analysis.analysis.gaps: expected numbers are worked out by hand in each test."""

from __future__ import annotations

import pandas as pd
import pytest

from mtr_analysis.analysis.gaps import (
    AVAILABILITY_COLUMNS,
    GAP_CATEGORIES,
    availability,
    regional_assessability,
    rollup,
)
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.settings import default_settings, load_settings

# The shipped rules (config/methods.yaml): tests of a rule derive their years from these.
TOL = default_settings().availability.baseline_tolerance
STALE = default_settings().availability.stale_after
ESCAP = default_settings().escap


def make_obs(rows: list[tuple]) -> pd.DataFrame:
    """Observation frame from (country, indicator, year, value[, source[, series]]) tuples."""
    records = []
    for row in rows:
        country, indicator, year, value, *rest = row
        source = rest[0] if len(rest) > 0 else "World Bank WDI (2026-07-13)"
        series = rest[1] if len(rest) > 1 else "SH.STA.MMRT"
        records.append(
            {
                "country": country,
                "indicator": indicator,
                "year": year,
                "value": value,
                "source": source,
                "source_series": series,
                "flag": "",
            }
        )
    df = pd.DataFrame(records)
    df["year"] = df["year"].astype("int64")
    df["value"] = df["value"].astype("float64")
    for col in ("country", "indicator", "source", "source_series", "flag"):
        df[col] = df[col].astype("string")
    return df


def one_series(years: list[int], values: list[float] | None = None, **kwargs) -> pd.Series:
    """Availability row of a single VNM/b_mmr series observed in ``years``."""
    values = values if values is not None else [float(y) for y in years]
    obs = make_obs([("VNM", "b_mmr", y, v) for y, v in zip(years, values, strict=True)])
    out = availability(obs, **kwargs)
    assert len(out) == 1
    return out.iloc[0]


# ----------------------------------------------------------------------------- baseline
@pytest.mark.parametrize(
    ("years", "expected_baseline"),
    [
        ([2015, 2016, 2019], 2015),  # exact baseline year
        ([2013, 2016, 2019], 2016),  # 2016 is 1 year away, 2013 is 2
        ([2014, 2016, 2019], 2016),  # tie (1 year each side) → the later year
        ([2015 - TOL, 2015 + TOL, 2020], 2015 + TOL),  # tie at the tolerance edge → later
        ([2013, 2016], 2013),  # 2016 is closer but is the latest point
        ([2015 - TOL - 1, 2013, 2019], 2013),  # one year beyond the tolerance: ignored
        ([2018, 2019], 2018),  # no earlier point: the closest one before the latest
    ],
)
def test_baseline_is_closest_year_with_ties_to_the_later_year(years, expected_baseline):
    row = one_series(years)
    assert row["baseline_year"] == expected_baseline
    assert row["baseline_value"] == float(expected_baseline)  # values equal the years here


def test_baseline_never_more_than_tolerance_years_before():
    # One year before the window (2015 − tolerance) → ignored; 2017 is the only point left.
    row = one_series([2015 - TOL - 1, 2017], [11.0, 17.0])
    assert row["baseline_year"] == 2017
    assert row["baseline_value"] == 17.0
    assert row["n_obs"] == 1
    assert row["gap_category"] == "single_point"


def test_tolerance_setting_widens_the_window():
    # With tolerance 4 (custom settings), 2011 becomes admissible and is the only point
    # before 2017.
    wider = load_settings(overrides={"availability": {"baseline_tolerance": 4}})
    row = one_series([2011, 2017], [11.0, 17.0], settings=wider)
    assert row["baseline_year"] == 2011
    assert row["n_obs"] == 2


def test_single_point_is_both_baseline_and_latest():
    row = one_series([2018], [42.0])
    assert row["baseline_year"] == 2018 and row["latest_year"] == 2018
    assert row["baseline_value"] == 42.0 and row["latest_value"] == 42.0


# ----------------------------------------------------------------------------- latest and lag
def test_latest_ignores_years_after_cutoff():
    row = one_series([2016, 2019, 2022], [1.0, 2.0, 3.0], cutoff_year=2020)
    assert row["latest_year"] == 2019
    assert row["latest_value"] == 2.0
    assert row["lag"] == 1  # 2020 - 2019
    assert row["n_obs"] == 2  # 2022 is not counted
    assert row["first_year"] == 2016


def test_lag_against_a_later_cutoff():
    row = one_series([2015, 2017], cutoff_year=2025)
    assert row["lag"] == 8  # 2025 - 2017
    assert row["gap_category"] == ("stale" if 8 > STALE else "sufficient")


def test_longest_gap_on_a_series_with_holes():
    # In-window years 2013, 2014, 2017, 2018, 2020: holes 2015–2016 (2 years) and 2019 (1).
    # The 2005 point lies before the window (2015 − tolerance … 2020) and must not create a
    # 7-year gap.
    row = one_series([2005, 2013, 2014, 2017, 2018, 2020])
    assert row["longest_gap"] == 2
    assert row["first_year"] == 2013
    assert row["n_obs"] == 5


def test_longest_gap_is_zero_for_consecutive_years():
    assert one_series([2016, 2017, 2018])["longest_gap"] == 0


# ----------------------------------------------------------------------------- categories
def test_each_gap_category():
    obs = make_obs(
        [
            ("KHM", "b_mmr", 2015, 1.0),  # single_point
            ("LAO", "b_mmr", 2014, 1.0),  # stale: lag STALE + 1 > STALE
            ("LAO", "b_mmr", 2020 - STALE - 1, 1.0),
            ("THA", "b_mmr", 2014, 1.0),  # sufficient: lag STALE is not > STALE
            ("THA", "b_mmr", 2020 - STALE, 1.0),
            ("VNM", "b_gini", 2016, 1.0),  # gives VNM a row; VNM × b_mmr has no data
        ]
    )
    out = availability(obs, indicators=["b_mmr"]).set_index("country")
    assert out.loc["KHM", "gap_category"] == "single_point"
    assert out.loc["LAO", "gap_category"] == "stale"
    assert out.loc["LAO", "lag"] == STALE + 1
    assert out.loc["THA", "gap_category"] == "sufficient"
    assert out.loc["THA", "lag"] == STALE
    assert out.loc["VNM", "gap_category"] == "no_data"
    assert out.loc["VNM", "n_obs"] == 0
    assert set(out["gap_category"]) == set(GAP_CATEGORIES)


def test_stale_after_setting():
    lenient = load_settings(overrides={"availability": {"stale_after": 4}})
    row = one_series([2015, 2016], settings=lenient)  # lag 4 is not > 4
    assert row["gap_category"] == "sufficient"
    strict = load_settings(overrides={"availability": {"stale_after": 3}})
    assert one_series([2015, 2016], settings=strict)["gap_category"] == "stale"


def test_no_data_when_only_values_before_the_window():
    # A 2008 value is the latest value up to the cutoff, but the window 2012–2020 is empty.
    row = one_series([2008], [5.0])
    assert row["n_obs"] == 0
    assert row["gap_category"] == "no_data"
    assert row["latest_year"] == 2008
    assert pd.isna(row["baseline_year"])
    assert pd.isna(row["first_year"])


# ----------------------------------------------------------------------------- sources
def test_has_break_when_source_changes():
    obs = make_obs(
        [
            ("VNM", "b_mmr", 2015, 1.0, "World Bank WDI (2026-07-13)", "SH.STA.MMRT"),
            ("VNM", "b_mmr", 2018, 1.0, "UN SDG database (2026-05-01)", "SH.STA.MMRT"),
            ("THA", "b_mmr", 2015, 1.0, "World Bank WDI (2026-07-13)", "SH.STA.MMRT"),
            ("THA", "b_mmr", 2018, 1.0, "World Bank WDI (2026-07-13)", "SH_STA_MORT"),
            ("LAO", "b_mmr", 2015, 1.0, "World Bank WDI (2026-07-13)", "SH.STA.MMRT"),
            ("LAO", "b_mmr", 2018, 1.0, "World Bank WDI (2026-07-13)", "SH.STA.MMRT"),
            # A different source before the window does not count as a break.
            ("LAO", "b_mmr", 2005, 1.0, "National statistics office", "NSO"),
        ]
    )
    out = availability(obs).set_index("country")
    assert out.loc["VNM", "has_break"]
    assert out.loc["VNM", "n_sources"] == 2
    assert out.loc["THA", "has_break"]  # same source, series code changed
    assert out.loc["THA", "n_sources"] == 1
    assert not out.loc["LAO", "has_break"]
    assert out.loc["LAO", "n_sources"] == 1


# ----------------------------------------------------------------------------- grid
def test_full_grid_includes_no_data_pairs():
    obs = make_obs([("VNM", "b_mmr", 2016, 50.0), ("VNM", "b_mmr", 2019, 45.0)])
    countries = ["KHM", "LAO", "VNM"]
    indicators = ["b_mmr", "b_gini"]
    out = availability(obs, countries=countries, indicators=indicators)
    assert list(out.columns) == AVAILABILITY_COLUMNS
    assert len(out) == 6
    assert list(zip(out["country"], out["indicator"], strict=True)) == [
        (c, i) for c in countries for i in indicators
    ]
    empty = out.loc[~((out["country"] == "VNM") & (out["indicator"] == "b_mmr"))]
    assert (empty["n_obs"] == 0).all()
    assert (empty["gap_category"] == "no_data").all()
    assert empty["latest_year"].isna().all()
    assert not empty["has_break"].any()
    for col in ("first_year", "latest_year", "lag", "baseline_year", "longest_gap"):
        assert out[col].dtype == "Int64", col


def test_default_grid_is_observed_countries_by_observed_indicators():
    obs = make_obs([("VNM", "b_mmr", 2016, 1.0), ("THA", "b_gini", 2016, 1.0)])
    out = availability(obs)
    assert len(out) == 4  # 2 countries × 2 indicators
    assert out["n_obs"].sum() == 2


def test_observations_outside_the_given_grid_are_ignored():
    obs = make_obs([("VNM", "b_mmr", 2016, 1.0), ("SGP", "b_mmr", 2016, 1.0)])
    out = availability(obs, countries=["VNM"])
    assert list(out["country"]) == ["VNM"]


# ----------------------------------------------------------------------------- rollup
def avail_frame(rows: list[tuple[str, str, int, str]]) -> pd.DataFrame:
    """Hand-made availability rows: (country, indicator, n_obs, gap_category)."""
    return pd.DataFrame(rows, columns=["country", "indicator", "n_obs", "gap_category"])


def test_rollup_counts_by_characteristic_and_region():
    avail = avail_frame(
        [
            ("VNM", "b_mmr", 5, "sufficient"),
            ("THA", "b_mmr", 3, "stale"),
            ("LAO", "b_mmr", 1, "single_point"),
            ("VNM", "b_gini", 0, "no_data"),
            ("VNM", "a_women_parliament", 4, "sufficient"),
            ("THA", "a_women_parliament", 2, "sufficient"),
        ]
    )
    cat = load_catalogue()
    out = rollup(avail, cat, "characteristic").set_index("characteristic")
    # A: 2 pairs, both sufficient. B: 4 pairs, 1 of each category; n_obs >= 2: VNM, THA.
    assert out.loc["A", "sufficient"] == 2 and out.loc["A", "n_pairs"] == 2
    assert out.loc["A", "share_sufficient"] == 1.0
    assert out.loc["A", "share_assessable"] == 1.0
    for category in GAP_CATEGORIES:
        assert out.loc["B", category] == 1
    assert out.loc["B", "n_pairs"] == 4
    assert out.loc["B", "share_sufficient"] == pytest.approx(1 / 4)
    assert out.loc["B", "share_assessable"] == pytest.approx(2 / 4)

    region = rollup(avail, cat, "region")
    assert len(region) == 1
    assert region.loc[0, "n_pairs"] == 6
    assert region.loc[0, "sufficient"] == 3
    assert region.loc[0, "share_assessable"] == pytest.approx(4 / 6)


def test_rollup_by_element_and_country():
    avail = avail_frame(
        [
            ("VNM", "b_mmr", 5, "sufficient"),  # B.2
            ("VNM", "b_gini", 0, "no_data"),  # B.1
            ("THA", "b_gini", 2, "stale"),  # B.1
        ]
    )
    cat = load_catalogue()
    by_element = rollup(avail, cat, "element").set_index("element")
    assert by_element.loc["B.1", "n_pairs"] == 2
    assert by_element.loc["B.1", "stale"] == 1 and by_element.loc["B.1", "no_data"] == 1
    assert by_element.loc["B.2", "sufficient"] == 1
    by_country = rollup(avail, cat, "country").set_index("country")
    assert by_country.loc["VNM", "share_sufficient"] == pytest.approx(0.5)
    assert by_country.loc["THA", "share_assessable"] == 1.0
    assert by_country.loc["THA", "share_sufficient"] == 0.0


def test_rollup_rejects_bad_by_and_unknown_indicator():
    avail = avail_frame([("VNM", "x_unknown", 1, "single_point")])
    with pytest.raises(ValueError, match="by must be one of"):
        rollup(avail, load_catalogue(), "goal")
    with pytest.raises(ValueError, match="x_unknown"):
        rollup(avail, load_catalogue(), "country")


# ----------------------------------------------------------------------------- ESCAP rule
def test_regional_rule_exactly_the_share_is_not_assessable_one_more_country_is():
    # ESCAP: "two or more data points for more than 50 % of the countries" (methods note
    # 1.1); the point count and the share are read from the settings.
    countries = [f"C{i:02d}" for i in range(10)]
    k = round(ESCAP.min_share * len(countries))  # countries at exactly the share
    assert k / len(countries) == ESCAP.min_share
    rows = []
    for i, c in enumerate(countries):
        rows.append((c, "b_mmr", ESCAP.min_points if i < k else ESCAP.min_points - 1, ""))
        rows.append((c, "b_gini", ESCAP.min_points + 1 if i <= k else 0, ""))
    out = regional_assessability(avail_frame(rows)).set_index("indicator")
    assert out.loc["b_mmr", "n_countries"] == 10
    assert out.loc["b_mmr", "n_with_min_points"] == k
    assert out.loc["b_mmr", "share"] == ESCAP.min_share
    assert not out.loc["b_mmr", "assessable"]
    assert out.loc["b_gini", "n_with_min_points"] == k + 1
    assert out.loc["b_gini", "share"] == pytest.approx((k + 1) / 10)
    assert out.loc["b_gini", "assessable"]


def test_regional_rule_min_points_argument():
    rows = [("A", "b_mmr", 3, ""), ("B", "b_mmr", 2, ""), ("C", "b_mmr", 3, "")]
    out = regional_assessability(avail_frame(rows), min_points=3)
    assert out.loc[0, "n_with_min_points"] == 2
    assert out.loc[0, "assessable"] == (2 / 3 > ESCAP.min_share)
    # The same rule from custom settings instead of the argument.
    custom = load_settings(overrides={"escap": {"min_points": 3}})
    pd.testing.assert_frame_equal(regional_assessability(avail_frame(rows), settings=custom), out)


def test_regional_rule_share_from_settings():
    rows = [("A", "b_mmr", 3, ""), ("B", "b_mmr", 2, ""), ("C", "b_mmr", 0, "")]  # 2 of 3
    stricter = load_settings(overrides={"escap": {"min_share": 0.7}})
    assert not regional_assessability(avail_frame(rows), settings=stricter).loc[0, "assessable"]
    looser = load_settings(overrides={"escap": {"min_share": 0.6}})
    assert regional_assessability(avail_frame(rows), settings=looser).loc[0, "assessable"]


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"baseline_year": 2021, "cutoff_year": 2020}, ValueError, "baseline_year"),
        ({"settings": {"availability": {"stale_after": 2}}}, TypeError, "settings"),
        ({"cutoff_year": 2020.5}, TypeError, "cutoff_year"),
        ({"countries": []}, ValueError, "countries"),
        ({"indicators": "b_mmr"}, TypeError, "indicators"),
    ],
)
def test_argument_validation_names_the_argument(kwargs, error, message):
    obs = make_obs([("VNM", "b_mmr", 2016, 1.0)])
    with pytest.raises(error, match=message):
        availability(obs, **kwargs)


def test_missing_column_and_duplicates_are_reported():
    obs = make_obs([("VNM", "b_mmr", 2016, 1.0), ("VNM", "b_mmr", 2016, 2.0)])
    with pytest.raises(ValueError, match="duplicated"):
        availability(obs)
    with pytest.raises(ValueError, match="source"):
        availability(obs.drop(columns="source"))
    with pytest.raises(ValueError, match="min_points"):
        regional_assessability(avail_frame([("A", "b_mmr", 1, "")]), min_points=0)


# ----------------------------------------------------------------------------- order, sources
def test_row_order_of_obs_does_not_matter():
    rows = [
        ("VNM", "b_mmr", 2013, 5.0), ("VNM", "b_mmr", 2016, 4.0), ("VNM", "b_mmr", 2019, 3.0),
        ("THA", "b_mmr", 2015, 9.0), ("THA", "b_gini", 2018, 1.0), ("THA", "b_gini", 2020, 2.0),
        ("LAO", "b_gini", 2012, 7.0), ("LAO", "b_gini", 2017, 6.0),
    ]  # fmt: skip
    obs = make_obs(rows)
    shuffled = obs.sample(frac=1.0, random_state=3).reset_index(drop=True)
    pd.testing.assert_frame_equal(availability(obs), availability(shuffled))
    reversed_rows = availability(obs.iloc[::-1].reset_index(drop=True))
    pd.testing.assert_frame_equal(availability(obs), reversed_rows)


def test_three_sources_are_counted_and_missing_source_equals_empty():
    obs = make_obs(
        [
            ("VNM", "b_mmr", 2015, 1.0, "A", "S"),
            ("VNM", "b_mmr", 2016, 1.0, "B", "S"),
            ("VNM", "b_mmr", 2017, 1.0, "C", "S"),
            ("VNM", "b_mmr", 2018, 1.0, "A", "S"),
            ("THA", "b_mmr", 2015, 1.0, "", "S"),
            ("THA", "b_mmr", 2016, 1.0, "", "S"),
        ]
    )
    obs.loc[5, "source"] = pd.NA  # a missing source is the same as an empty one
    out = availability(obs).set_index("country")
    assert out.loc["VNM", "n_sources"] == 3
    assert out.loc["VNM", "has_break"]
    assert out.loc["THA", "n_sources"] == 1
    assert not out.loc["THA", "has_break"]


def test_categorical_and_object_columns_give_the_same_result():
    obs = make_obs([("VNM", "b_mmr", 2015, 1.0), ("VNM", "b_mmr", 2019, 2.0)])
    as_category = obs.astype({"country": "category", "indicator": "category"})
    as_object = obs.astype({"country": object, "indicator": object, "source": object})
    expected = availability(obs, countries=["THA", "VNM"])
    pd.testing.assert_frame_equal(availability(as_category, countries=["THA", "VNM"]), expected)
    pd.testing.assert_frame_equal(availability(as_object, countries=["THA", "VNM"]), expected)
