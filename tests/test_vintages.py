"""``--as-of``: the store as it stood on a date, and status changes attributed to revisions.

A small hand-made store checks the rules of :mod:`mtr_analysis.analysis.vintages`; the real
files check one revision by hand: Viet Nam's maternal mortality for 2015, 109 in the WDI
release of 2023-09-19 and 58 in the DataBank export of 2026-07-13 (issue 13).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis.analysis import revision_effect, vintages
from mtr_analysis.analysis.review import load_review
from mtr_analysis.intake import store
from mtr_analysis.intake.schema import conform

WDI_2020 = "World Bank World Development Indicators, updated 2020-07-01"
WDI_2023 = "World Bank World Development Indicators, updated 2023-09-19"
UNDATED = "World Bank World Development Indicators"
NATIONAL_2022 = "National submission VNM, reporting date 2022-03-31"


def _row(indicator: str, year: int, value: float, source: str, **extra: str) -> dict:
    return {"country": "VNM", "indicator": indicator, "year": year, "value": value,
            "source": source, "file": source[:12] + ".csv", "locator": f"r{year}", **extra}  # fmt: skip


def _store(rows: list[dict]) -> pd.DataFrame:
    """A store as ``mtr build`` leaves it: every row, one selected per key."""
    return store.select(conform(pd.DataFrame(rows)).drop(columns="selected"))


def _selected(obs: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    rows = obs.loc[obs["selected"] & obs["indicator"].eq(indicator) & obs["year"].eq(year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


@pytest.fixture()
def small_store() -> pd.DataFrame:
    return _store(
        [
            _row("b_mmr", 2015, 45.0, WDI_2020),
            _row("b_mmr", 2015, 109.0, WDI_2023),
            _row("b_mmr", 2015, 60.0, NATIONAL_2022),
            _row("b_mmr", 2016, 44.0, WDI_2020),
            _row("b_mmr", 2017, 43.0, UNDATED),
        ]
    )


def test_as_of_keeps_only_vintages_released_by_the_date(small_store: pd.DataFrame) -> None:
    # Today the national submission wins (source priority: national first).
    assert _selected(small_store, "b_mmr", 2015)["value"] == 60.0
    then, summary = vintages.as_of_with_summary(small_store, "2021-06-30")
    # On 2021-06-30 only the WDI release of 2020-07-01 existed: 45, chosen again.
    assert _selected(then, "b_mmr", 2015)["value"] == 45.0
    assert _selected(then, "b_mmr", 2016)["value"] == 44.0
    # The undated row is left out (rule 3) and counted by source.
    assert not then["year"].eq(2017).any()
    assert summary.rows_total == 5
    assert (summary.rows_kept, summary.rows_later, summary.rows_undated) == (2, 2, 1)
    assert summary.undated_sources == {UNDATED: 1}
    assert summary.newest_vintage == "2020-07-01"


def test_as_of_release_day_counts_and_priority_is_the_stores(small_store: pd.DataFrame) -> None:
    # Released on the day itself: known. The national value (2022-03-31) is not yet.
    on_day = vintages.as_of(small_store, "2020-07-01")
    assert _selected(on_day, "b_mmr", 2015)["value"] == 45.0
    # After the national submission, it wins over the newer WDI release, as in the store.
    later = vintages.as_of(small_store, "2023-12-31")
    assert _selected(later, "b_mmr", 2015)["value"] == 60.0
    # A priority putting WDI first picks the newest WDI vintage instead.
    wdi_first = store.load_priority("wdi,national")
    assert (
        _selected(vintages.as_of(small_store, "2023-12-31", wdi_first), "b_mmr", 2015)["value"]
        == 109.0
    )
    # Before any release: nothing.
    assert vintages.as_of(small_store, "2019-12-31").empty


def test_as_of_rederives_derived_indicators_from_components_known_then() -> None:
    sdg_2019 = "UN SDG Global Database, release 2019.Q2"  # → 2019-04-01
    sdg_2023 = "UN SDG Global Database, release 2023.Q3"  # → 2023-07-01
    rows = [
        _row("x_disaster_deaths", 2018, 30.0, sdg_2019),
        _row("x_disaster_missing", 2018, 10.0, sdg_2019),
        _row("x_disaster_deaths", 2018, 50.0, sdg_2023),  # revised count
        _row("x_population", 2018, 2_000_000.0, WDI_2020),
    ]
    today = _store(rows)
    from mtr_analysis.intake.derive import add_derived
    from mtr_analysis.reference.catalogue import load_catalogue

    today = add_derived(today, load_catalogue())
    # Today: (50 + 10) / 2,000,000 × 100,000 = 3.0.
    assert _selected(today, "d_disaster_deaths", 2018)["value"] == pytest.approx(3.0)
    # Before the population vintage (2020-07-01) the rate could not be derived.
    early, summary = vintages.as_of_with_summary(today, "2020-01-01")
    assert not early["indicator"].eq("d_disaster_deaths").any()
    assert summary.derived_dropped == 1 and summary.derived_rederived == 0
    # In 2021: the 2019 counts, (30 + 10) / 2,000,000 × 100,000 = 2.0, derived again.
    mid, summary = vintages.as_of_with_summary(today, "2021-01-01")
    assert _selected(mid, "d_disaster_deaths", 2018)["value"] == pytest.approx(2.0)
    assert summary.derived_rederived == 1


@pytest.mark.parametrize("bad", ["2020-13-01", "01/10/2020", "yesterday", ""])
def test_as_of_bad_date_names_the_text_and_form(small_store: pd.DataFrame, bad: str) -> None:
    with pytest.raises(ValueError, match=r"YYYY-MM-DD") as err:
        vintages.as_of(small_store, bad)
    assert repr(bad) in str(err.value)


def test_revision_effect_separates_revisions_from_new_years() -> None:
    # Hand-made: a "decrease" indicator (b_mmr, target 70) in the mid-term window
    # 2015-2020. Then (release 2020-07-01): 2015 = 100, 2019 = 120 → worse than baseline.
    # Now (release 2023-09-19): 2015 revised to 150, a new year 2020 = 60.
    rows = [
        _row("b_mmr", 2015, 100.0, WDI_2020),
        _row("b_mmr", 2019, 120.0, WDI_2020),
        _row("b_mmr", 2015, 150.0, WDI_2023),
        _row("b_mmr", 2019, 120.0, WDI_2023),
        _row("b_mmr", 2020, 60.0, WDI_2023),
    ]
    effect = revision_effect.revision_effect(_store(rows), "2021-01-01", "mid-term",
                                             countries=["VNM"])  # fmt: skip
    row = effect.set_index("indicator").loc["b_mmr"]
    # Then: 100 → 120 moves away from the target: regression. Revised only (150 → 120):
    # progress, not yet at 70. Now: 150 → 60, below the target 70: target met.
    assert row["status_as_of"] == "regression"
    assert row["status_revised_only"] not in ("regression", "target_met")
    assert row["status_today"] == "target_met"
    assert row["cause"] == "revision_and_new_data" and bool(row["changed"])
    assert row["revised_years"] == "2015" and row["new_years"] == "2020"
    unchanged = effect.loc[effect["indicator"].ne("b_mmr")]
    assert unchanged["cause"].eq("unchanged").all()


# --------------------------------------------------------------------------------------
# Real files: Viet Nam's maternal mortality for 2015, checked by hand


def _wdi_csv_value(path: Path, iso3: str, code: str, year: int) -> tuple[float, str]:
    """(value, "Last Updated Date") read from a WDI API CSV with the csv module."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    updated = next(r[1] for r in rows if r and r[0] == "Last Updated Date")
    header = next(r for r in rows if r and r[0] == "Country Name")
    row = next(r for r in rows if len(r) > 3 and r[1] == iso3 and r[3] == code)
    return float(row[header.index(str(year))]), updated


def _databank_value(path: Path, iso3: str, code: str, year: int) -> float:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        row = next(r for r in reader if r["Country Code"] == iso3 and r["Series Code"] == code)
    return float(row[f"{year} [YR{year}]"])


def test_real_vnm_maternal_mortality_2015_revision_by_hand(real_store_build, real_dir) -> None:
    data_dir = real_store_build[0]
    old, updated = _wdi_csv_value(
        real_dir / "wdi/api_indicator/API_SH.STA.MMRT_DS2_en_csv_v2_5872348.csv",
        "VNM", "SH.STA.MMRT", 2015,
    )  # fmt: skip
    old_2020, _ = _wdi_csv_value(
        real_dir / "wdi/api_indicator/API_SH.STA.MMRT_DS2_en_csv_v2_5872348.csv",
        "VNM", "SH.STA.MMRT", 2020,
    )  # fmt: skip
    new = _databank_value(real_dir / "wdi/databank_asean_2026/yte-Data.csv",
                          "VNM", "SH.STA.MMRT", 2015)  # fmt: skip
    new_2020 = _databank_value(real_dir / "wdi/databank_asean_2026/yte-Data.csv",
                               "VNM", "SH.STA.MMRT", 2020)  # fmt: skip
    assert (old, new, updated) == (109.0, 58.0, "2023-09-19")
    between = "2024-01-01"  # after the 2023-09-19 release, before 2026-07-13

    then = load_review(data_dir, 2015, 2020, ["VNM"], "mid-term", as_of=between)
    now = load_review(data_dir, 2015, 2020, ["VNM"], "mid-term")
    pick = {"country": "VNM", "indicator": "b_mmr"}

    def value(data, year: int) -> float:
        o = data.observations
        hit = o.loc[o["country"].eq("VNM") & o["indicator"].eq("b_mmr") & o["year"].eq(year)]
        return float(hit["value"].iloc[0])

    assert value(then, 2015) == old and value(then, 2020) == old_2020
    assert value(now, 2015) == new and value(now, 2020) == new_2020
    assert then.as_of is not None and then.as_of.date == between and now.as_of is None

    obs_all = store.read_store(data_dir)
    effect = revision_effect.revision_effect(obs_all, between, "mid-term", countries=["VNM"])
    row = effect.loc[effect["indicator"].eq(pick["indicator"])].iloc[0]
    # By hand: then 109 (2015) → 124 (2020) rises for a "decrease" indicator: regression;
    # now 58 → 51 is below the SDG 3.1 target of 70: target met. Same years then and now,
    # so the change is due to the revision alone.
    assert old_2020 > old and new_2020 < 70
    assert row["status_as_of"] == "regression" and row["status_today"] == "target_met"
    assert row["cause"] == "revision" and row["new_years"] == ""
    assert "2015" in row["revised_years"].split(", ")
    revised = revision_effect.revised_values(then.observations, now.observations)
    r2015 = revised.loc[revised["indicator"].eq("b_mmr") & revised["year"].eq(2015)].iloc[0]
    assert (r2015["old_value"], r2015["new_value"]) == (old, new)
    assert (r2015["old_vintage"], r2015["new_vintage"]) == ("2023-09-19", "2026-07-13")
    # The assessment as of the mid-term review's data date has the normal frame's shape.
    mid = revision_effect.assess_as_of(data_dir, None, "mid-term", countries=["VNM"])
    assert list(mid.columns) == list(now.assessment.columns)
    assert len(mid) == len(now.assessment)
