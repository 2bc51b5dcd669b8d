"""Tests for mtr_analysis.analysis.aggregates: every expected number is worked out in the comments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtr_analysis.analysis.aggregates import AGGREGATE_COLUMNS, regional_aggregates
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.settings import SettingsError, default_settings, load_settings

#: The shipped rules (config/methods.yaml): min_coverage, weight_year_tolerance.
RULES = default_settings().aggregates

MEMBERS = ["AAA", "BBB", "CCC"]

# Population (persons): AAA 2019–2021, BBB only 2020, CCC 2020–2022.
POPULATION = [
    ("AAA", 2019, 100.0), ("AAA", 2020, 100.0), ("AAA", 2021, 110.0),
    ("BBB", 2020, 50.0),
    ("CCC", 2020, 850.0), ("CCC", 2021, 860.0), ("CCC", 2022, 870.0),
]  # fmt: skip


def make_obs(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["country", "indicator", "year", "value"])
    return frame.astype({"year": "int64", "value": "float64"})


def example_obs() -> pd.DataFrame:
    rows = [(c, "x_population", y, v) for c, y, v in POPULATION]
    rows += [
        ("AAA", "b_mmr", 2020, 10.0), ("BBB", "b_mmr", 2020, 40.0),
        ("AAA", "b_gini", 2020, 30.0), ("CCC", "b_gini", 2020, 40.0),
        ("AAA", "b_gini", 2021, 31.0), ("BBB", "b_gini", 2021, 20.0), ("CCC", "b_gini", 2021, 41.0),
        ("CCC", "b_gini", 2023, 42.0),
        ("ZZZ", "b_gini", 2020, 99.0),  # not a member: ignored
    ]  # fmt: skip
    return make_obs(rows)


def by_key(out: pd.DataFrame) -> pd.DataFrame:
    return out.set_index(["indicator", "year"])


def test_columns_rows_and_order():
    out = regional_aggregates(example_obs(), load_catalogue(), MEMBERS)
    assert list(out.columns) == AGGREGATE_COLUMNS
    # Catalogue order puts b_gini (B.1) before b_mmr (B.2); years ascending; no row for
    # b_mmr 2021/2023 (nobody reports) nor for x_population (auxiliary, never aggregated).
    assert list(zip(out["indicator"], out["year"], strict=True)) == [
        ("b_gini", 2020), ("b_gini", 2021), ("b_gini", 2023), ("b_mmr", 2020),
    ]  # fmt: skip
    assert (out["n_members"] == 3).all()


def test_low_weight_coverage_is_not_published():
    out = regional_aggregates(example_obs(), load_catalogue(), MEMBERS, weights="x_population")
    row = by_key(out).loc[("b_mmr", 2020)]
    # AAA 10 and BBB 40 report: weights 100 + 50 of 1,000 = 0.15, below the publication
    # rule (World Bank: 2/3). Two reporters are fewer than min_reporting: no mean/median.
    assert 0.15 < RULES.min_coverage and RULES.min_reporting == 3
    assert row["n_reporting"] == 2
    assert row["country_coverage"] == pytest.approx(2 / 3)
    assert np.isnan(row["mean"]) and np.isnan(row["median"])
    assert row["weight_coverage"] == pytest.approx(0.15)
    assert not row["weighted_published"]
    assert np.isnan(row["weighted_mean"])
    assert not row["weight_from_nearest_year"]


def test_weighted_mean_by_hand():
    out = by_key(
        regional_aggregates(example_obs(), load_catalogue(), MEMBERS, weights="x_population")
    )
    row = out.loc[("b_gini", 2020)]
    # AAA 30 (w 100) and CCC 40 (w 850): coverage 950/1,000; (3,000 + 34,000)/950.
    assert 0.95 >= RULES.min_coverage
    assert row["weight_coverage"] == pytest.approx(0.95)
    assert row["weighted_published"]
    assert row["weighted_mean"] == pytest.approx(37_000 / 950)
    assert row["weight"] == "x_population" and row["n_weighted"] == 3


def test_weight_from_the_nearest_year_is_flagged():
    out = regional_aggregates(example_obs(), load_catalogue(), MEMBERS, weights="x_population")
    row = by_key(out).loc[("b_gini", 2021)]
    # 2021 weights: AAA 110, BBB 50 (carried from 2020, flagged), CCC 860; total 1,020.
    assert 2021 - 2020 <= RULES.weight_year_tolerance
    # (110·31 + 50·20 + 860·41)/1,020 = 39,670/1,020; three reporters: mean 92/3, median 31.
    assert row["weight_from_nearest_year"] and not row["weight_interpolated"]
    assert row["weight_coverage"] == pytest.approx(1.0)
    assert row["weighted_mean"] == pytest.approx(39_670 / 1_020)
    assert row["mean"] == pytest.approx(92 / 3)
    assert row["median"] == 31.0


def test_member_without_weight_no_longer_blocks_the_others():
    out = regional_aggregates(example_obs(), load_catalogue(), MEMBERS, weights="x_population")
    row = by_key(out).loc[("b_gini", 2023)]
    # BBB's only population is 2020, 3 years away: BBB has no weight. Coverage is computed
    # on the members with a weight: AAA 110 (2021, carried 2 years), CCC 870 (2022, 1 year);
    # only CCC reports: 870/980 >= 2/3 → published, = CCC's value 42.
    assert 2023 - 2020 > RULES.weight_year_tolerance
    assert row["n_reporting"] == 1 and np.isnan(row["mean"])
    assert row["n_weighted"] == 2
    assert row["weight_coverage"] == pytest.approx(870 / 980)
    assert row["weighted_published"] and row["weighted_mean"] == pytest.approx(42.0)


def test_min_coverage_setting():
    looser = load_settings(overrides={"aggregates": {"min_coverage": 0.1}})
    out = regional_aggregates(
        example_obs(), load_catalogue(), MEMBERS, weights="x_population", settings=looser
    )
    row = by_key(out).loc[("b_mmr", 2020)]
    assert row["weighted_published"]
    assert row["weighted_mean"] == pytest.approx((100 * 10 + 50 * 40) / 150)  # = 20
    with pytest.raises(SettingsError, match="aggregates.min_coverage"):
        load_settings(overrides={"aggregates": {"min_coverage": 0.0}})
    with pytest.raises(TypeError, match="settings"):
        regional_aggregates(example_obs(), load_catalogue(), MEMBERS, settings={})


def test_min_reporting_setting():
    two = load_settings(overrides={"aggregates": {"min_reporting": 2}})
    out = regional_aggregates(
        example_obs(), load_catalogue(), MEMBERS, weights="x_population", settings=two
    )
    row = by_key(out).loc[("b_mmr", 2020)]
    assert row["mean"] == 25.0 and row["median"] == 25.0  # (10 + 40) / 2
    with pytest.raises(SettingsError, match="aggregates.min_reporting"):
        load_settings(overrides={"aggregates": {"min_reporting": 0}})


def test_weight_year_tolerance_setting():
    # Tolerance 0: BBB has no 2021 population, so it has no weight in 2021; the others
    # (AAA 110, CCC 860) hold all the known weight.
    exact = load_settings(overrides={"aggregates": {"weight_year_tolerance": 0}})
    out = regional_aggregates(
        example_obs(), load_catalogue(), MEMBERS, weights="x_population", settings=exact
    )
    row = by_key(out).loc[("b_gini", 2021)]
    assert row["n_weighted"] == 2 and not row["weight_from_nearest_year"]
    assert row["weighted_mean"] == pytest.approx((110 * 31 + 860 * 41) / 970)


def test_weight_between_observed_years_is_interpolated_and_flagged():
    obs = make_obs([("AAA", "b_gini", 2020, 10.0), ("BBB", "b_gini", 2020, 20.0)])
    weights = make_obs([("AAA", "w", 2019, 1.0), ("AAA", "w", 2021, 3.0), ("BBB", "w", 2020, 1.0)])[
        ["country", "year", "value"]
    ]
    row = regional_aggregates(obs, load_catalogue(), ["AAA", "BBB"], weights=weights).iloc[0]
    # AAA 2020 = (1 + 3)/2 = 2, interpolated. (2·10 + 1·20)/3 = 40/3.
    assert row["weighted_mean"] == pytest.approx(40 / 3)
    assert row["weight_interpolated"] and not row["weight_from_nearest_year"]


def own_denominator_obs() -> pd.DataFrame:
    """Neonatal mortality (per 1,000 live births) with population and crude birth rates."""
    rows = [
        ("AAA", "x_population", 2020, 1000.0), ("BBB", "x_population", 2020, 2000.0),
        ("CCC", "x_population", 2020, 500.0),
        ("AAA", "x_crude_birth_rate", 2020, 20.0), ("BBB", "x_crude_birth_rate", 2020, 10.0),
        ("CCC", "x_crude_birth_rate", 2020, 30.0),
        ("AAA", "b_nmr", 2020, 10.0), ("BBB", "b_nmr", 2020, 20.0), ("CCC", "b_nmr", 2020, 30.0),
    ]  # fmt: skip
    return make_obs(rows)


def test_ratio_weighted_by_its_own_denominator():
    out = regional_aggregates(own_denominator_obs(), load_catalogue(), MEMBERS)
    row = by_key(out).loc[("b_nmr", 2020)]
    # Live births = CBR/1,000 × population: AAA 20, BBB 20, CCC 15 (total 55).
    # Weighted = (20·10 + 20·20 + 15·30)/55 = 1,050/55 ≈ 19.09; by population it would be
    # (1,000·10 + 2,000·20 + 500·30)/3,500 = 65,000/3,500 ≈ 18.57.
    assert row["weight"] == "live_births"
    assert row["weighted_mean"] == pytest.approx(1_050 / 55)
    assert row["mean"] == 20.0 and row["median"] == 20.0
    by_pop = by_key(
        regional_aggregates(
            own_denominator_obs(), load_catalogue(), MEMBERS, weights="x_population"
        )
    ).loc[("b_nmr", 2020)]
    assert by_pop["weighted_mean"] == pytest.approx(65_000 / 3_500)


def test_one_member_without_its_denominator():
    obs = own_denominator_obs()
    obs = obs.loc[~((obs["country"] == "CCC") & (obs["indicator"] == "x_crude_birth_rate"))]
    row = by_key(regional_aggregates(obs, load_catalogue(), MEMBERS)).loc[("b_nmr", 2020)]
    # CCC has no births: weighted over AAA and BBB only, (20·10 + 20·20)/40 = 15, coverage
    # 40/40 of the known weights; the unweighted mean still counts CCC: (10 + 20 + 30)/3.
    assert row["n_weighted"] == 2 and row["weight_coverage"] == pytest.approx(1.0)
    assert row["weighted_mean"] == pytest.approx(15.0)
    assert row["mean"] == 20.0


@pytest.mark.parametrize(("w_ccc", "published"), [(1.0, True), (1.0001, False)])
def test_two_thirds_coverage_boundary(w_ccc, published):
    obs = make_obs([("AAA", "b_gini", 2020, 10.0), ("BBB", "b_gini", 2020, 40.0)])
    weights = make_obs(
        [("AAA", "w", 2020, 1.0), ("BBB", "w", 2020, 1.0), ("CCC", "w", 2020, w_ccc)]
    )
    row = regional_aggregates(obs, load_catalogue(), MEMBERS, weights=weights).iloc[0]
    # Coverage 2/(2 + w_CCC): exactly 2/3 is published (">= 2/3"), 2/3.0001 is not.
    assert row["weight_coverage"] == pytest.approx(2 / (2 + w_ccc))
    assert bool(row["weighted_published"]) is published
    assert (
        (row["weighted_mean"] == pytest.approx(25.0))
        if published
        else np.isnan(row["weighted_mean"])
    )


def test_group_names_the_membership():
    from mtr_analysis.analysis.aggregates import GROUP_ASEAN10, GROUP_ASEAN11, group_name
    from mtr_analysis.reference import registry

    asean = registry.iso3_codes()
    assert group_name(asean) == GROUP_ASEAN10 == "ASEAN-10"
    assert group_name([*asean, "TLS"]) == GROUP_ASEAN11 == "ASEAN-11 incl. Timor-Leste"
    assert group_name(["VNM", "LAO"]) == "LAO, VNM"
    out = regional_aggregates(example_obs(), load_catalogue(), MEMBERS)
    assert set(out["group"]) == {"AAA, BBB, CCC"}


def test_empty_and_invalid_inputs():
    out = regional_aggregates(make_obs([]), load_catalogue(), MEMBERS)
    assert list(out.columns) == AGGREGATE_COLUMNS and out.empty
    with pytest.raises(ValueError, match="countries"):
        regional_aggregates(example_obs(), load_catalogue(), [])
    with pytest.raises(TypeError, match="countries"):
        regional_aggregates(example_obs(), load_catalogue(), "AAA")
    duplicated = pd.concat([example_obs(), example_obs()], ignore_index=True)
    with pytest.raises(ValueError, match="duplicated"):
        regional_aggregates(duplicated, load_catalogue(), MEMBERS)


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.floats(-100, 100), min_size=3, max_size=3),
    weights=st.lists(st.floats(1.0, 1e9), min_size=3, max_size=3),
)
def test_weighted_mean_lies_between_the_values_and_equals_mean_for_equal_weights(values, weights):
    obs = make_obs([(c, "b_gini", 2020, v) for c, v in zip(MEMBERS, values, strict=True)])
    w = make_obs([(c, "w", 2020, x) for c, x in zip(MEMBERS, weights, strict=True)])
    row = regional_aggregates(obs, load_catalogue(), MEMBERS, weights=w).iloc[0]
    assert row["weight_coverage"] == pytest.approx(1.0)
    assert row["weighted_mean"] == pytest.approx(np.dot(values, weights) / sum(weights))
    assert min(values) - 1e-9 <= row["weighted_mean"] <= max(values) + 1e-9
    equal = w.assign(value=7.0)
    row = regional_aggregates(obs, load_catalogue(), MEMBERS, weights=equal).iloc[0]
    assert row["weighted_mean"] == pytest.approx(row["mean"], abs=1e-9)


def test_on_the_demo_store(demo_store):
    from mtr_analysis.intake import store
    from mtr_analysis.reference import registry

    obs = store.for_analysis(store.read_store(demo_store))
    out = regional_aggregates(obs, load_catalogue(), registry.iso3_codes())
    assert len(out) > 0
    assert out["weight_coverage"].between(0, 1).all()
    assert (out["n_reporting"] >= 1).all()
    published = out["weighted_published"]
    assert out.loc[published, "weighted_mean"].notna().all()
    assert out.loc[~published, "weighted_mean"].isna().all()
    assert (out.loc[published, "weight_coverage"] >= RULES.min_coverage).all()


def test_charts_name_the_group_of_the_range():
    """The trend charts' band says which group it spans (issue 10 item 5), in both languages."""
    from test_plots import _legend

    from mtr_analysis.reference import registry
    from mtr_analysis.reporting import figures

    asean10 = registry.iso3_codes()
    # Members 30, 31, ... 39 in code order; Timor-Leste 50, the highest.
    rows = [(c, "b_gini", 2020, 30.0 + k) for k, c in enumerate(asean10)]
    obs = make_obs([*rows, ("TLS", "b_gini", 2020, 50.0)])
    # Band over the 10 members only: TLS's value is left out.
    band10 = figures.asean_band(obs, countries=asean10)
    assert band10.attrs["group"] == "ASEAN-10"
    assert band10.loc[("b_gini", 2020)].tolist() == [30.0, 39.0, 10]
    band11 = figures.asean_band(obs)  # default: the countries present, here all eleven
    assert band11.attrs["group"] == "ASEAN-11 incl. Timor-Leste"
    assert band11.loc[("b_gini", 2020)].tolist() == [30.0, 50.0, 11]
    assessment = pd.DataFrame({"country": ["VNM"], "indicator": ["b_gini"]})
    cat = load_catalogue()
    for band, lang, label in (
        (band10, "en", "ASEAN-10 range (min–max)"),
        (band11, "en", "ASEAN-11 incl. Timor-Leste range (min–max)"),
        (band11, "vi", "khoảng giá trị ASEAN-11 gồm cả Timor-Leste (thấp nhất–cao nhất)"),
    ):
        chart = figures.trend_grid(obs, assessment, cat, "VNM", band=band, lang=lang)
        assert label in _legend(chart)
    assert figures.group_label("LAO, VNM", "vi") == "LAO, VNM"  # never called ASEAN
