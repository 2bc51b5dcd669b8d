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
    row = by_key(regional_aggregates(example_obs(), load_catalogue(), MEMBERS)).loc[("b_mmr", 2020)]
    # AAA 10 and BBB 40 report: mean = median = 25; weights 100 + 50 of 1,000 = 0.15,
    # below the publication rule (World Bank: 2/3).
    assert 0.15 < RULES.min_coverage
    assert row["n_reporting"] == 2
    assert row["country_coverage"] == pytest.approx(2 / 3)
    assert row["mean"] == 25.0 and row["median"] == 25.0
    assert row["weight_coverage"] == pytest.approx(0.15)
    assert not row["weighted_published"]
    assert np.isnan(row["weighted_mean"])
    assert not row["weight_from_nearest_year"]


def test_weighted_mean_by_hand():
    out = by_key(regional_aggregates(example_obs(), load_catalogue(), MEMBERS))
    row = out.loc[("b_gini", 2020)]
    # AAA 30 (w 100) and CCC 40 (w 850): coverage 950/1,000; (3,000 + 34,000)/950.
    assert 0.95 >= RULES.min_coverage
    assert row["weight_coverage"] == pytest.approx(0.95)
    assert row["weighted_published"]
    assert row["weighted_mean"] == pytest.approx(37_000 / 950)
    assert row["mean"] == 35.0 and row["median"] == 35.0


def test_weight_from_the_nearest_year_is_flagged():
    row = by_key(regional_aggregates(example_obs(), load_catalogue(), MEMBERS)).loc[
        ("b_gini", 2021)
    ]
    # 2021 weights: AAA 110, BBB 50 (from 2020, flagged), CCC 860; total 1,020.
    assert 2021 - 2020 <= RULES.weight_year_tolerance
    # (110·31 + 50·20 + 860·41)/1,020 = 39,670/1,020; mean 92/3, median 31.
    assert row["weight_from_nearest_year"]
    assert row["weight_coverage"] == pytest.approx(1.0)
    assert row["weighted_mean"] == pytest.approx(39_670 / 1_020)
    assert row["mean"] == pytest.approx(92 / 3)
    assert row["median"] == 31.0


def test_member_without_weight_within_the_tolerance_blocks_publication():
    row = by_key(regional_aggregates(example_obs(), load_catalogue(), MEMBERS)).loc[
        ("b_gini", 2023)
    ]
    # BBB's only population is 2020, 3 years away: the regional total is unknown.
    assert 2023 - 2020 > RULES.weight_year_tolerance
    assert row["n_reporting"] == 1 and row["mean"] == 42.0
    assert np.isnan(row["weight_coverage"])
    assert not row["weighted_published"] and np.isnan(row["weighted_mean"])


def test_min_coverage_setting():
    looser = load_settings(overrides={"aggregates": {"min_coverage": 0.1}})
    out = regional_aggregates(example_obs(), load_catalogue(), MEMBERS, settings=looser)
    row = by_key(out).loc[("b_mmr", 2020)]
    assert row["weighted_published"]
    assert row["weighted_mean"] == pytest.approx((100 * 10 + 50 * 40) / 150)  # = 20
    with pytest.raises(SettingsError, match="aggregates.min_coverage"):
        load_settings(overrides={"aggregates": {"min_coverage": 0.0}})
    with pytest.raises(TypeError, match="settings"):
        regional_aggregates(example_obs(), load_catalogue(), MEMBERS, settings={})


def test_weight_year_tolerance_setting():
    # With a tolerance of 3 years BBB's 2020 population counts for 2023 (flagged): the
    # weights are AAA 110 (2021, 2 years), BBB 50, CCC 870; only CCC reports (870/1,030).
    wider = load_settings(overrides={"aggregates": {"weight_year_tolerance": 3}})
    row = by_key(regional_aggregates(example_obs(), load_catalogue(), MEMBERS, settings=wider))
    row = row.loc[("b_gini", 2023)]
    assert row["weight_from_nearest_year"]
    assert row["weight_coverage"] == pytest.approx(870 / 1_030)
    # Tolerance 0: BBB has no 2021 population, so 2021 has no regional total.
    exact = load_settings(overrides={"aggregates": {"weight_year_tolerance": 0}})
    row = by_key(regional_aggregates(example_obs(), load_catalogue(), MEMBERS, settings=exact))
    assert np.isnan(row.loc[("b_gini", 2021), "weight_coverage"])


def test_tie_between_years_takes_the_later_weight():
    obs = make_obs([("AAA", "b_gini", 2020, 10.0), ("BBB", "b_gini", 2020, 20.0)])
    weights = make_obs([("AAA", "w", 2019, 1.0), ("AAA", "w", 2021, 3.0), ("BBB", "w", 2020, 1.0)])[
        ["country", "year", "value"]
    ]
    row = regional_aggregates(obs, load_catalogue(), ["AAA", "BBB"], weights=weights).iloc[0]
    # AAA: 2019 and 2021 are both 1 year away → 2021 (3). (3·10 + 1·20)/4 = 12.5.
    assert row["weighted_mean"] == pytest.approx(12.5)
    assert row["weight_from_nearest_year"]


def test_weights_by_series_id():
    obs = example_obs()
    obs = pd.concat(
        [obs, make_obs([("AAA", "x_births", 2020, 1.0), ("CCC", "x_births", 2020, 3.0),
                        ("BBB", "x_births", 2020, 4.0)])],
        ignore_index=True,
    )  # fmt: skip
    row = by_key(regional_aggregates(obs, load_catalogue(), MEMBERS, weights="x_births")).loc[
        ("b_gini", 2020)
    ]
    # AAA 30 (w 1) and CCC 40 (w 3) of total 8: coverage 0.5, below the rule → not published.
    assert 0.5 < RULES.min_coverage
    assert row["weight_coverage"] == pytest.approx(0.5)
    assert not row["weighted_published"]


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
