"""Beneficiary estimates recomputed by hand on real series (WDI rates, DataBank population)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from mtr_analysis.analysis import beneficiaries as bf
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reporting import beneficiary_statements as bs
from mtr_analysis.settings import default_settings, load_settings

SMSS = "wdi/api_indicator/API_SH.STA.SMSS.ZS_DS2_en_csv_v2_33860.csv"
MMRT = "wdi/api_indicator/API_SH.STA.MMRT_DS2_en_csv_v2_5872348.csv"
GINI_FREE_POVERTY = "wdi/api_indicator/API_SI.POV.DDAY_DS2_en_csv_v2_5349804.csv"
DANSO = "wdi/databank_asean_2026/danso-Data.csv"


def wdi_value(path, iso3: str, year: int) -> float:
    """Independent read of one cell of a WDI download."""
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = next(r for r in rows if r[:2] == ["Country Name", "Country Code"])
    row = next(r for r in rows if len(r) > 1 and r[1] == iso3)
    return float(row[header.index(str(year))])


def databank_value(path, iso3: str, code: str, year: int) -> float:
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = rows[0]
    row = next(r for r in rows if len(r) > 3 and r[1] == iso3 and r[3] == code)
    return float(row[header.index(f"{year} [YR{year}]")])


def whole_persons(written: float, exact: float) -> bool:
    """Estimates are whole persons: people rounded (±0.5 each), changes derived from two
    rounded terms, so a written number is within 1.5 persons of the exact formula."""
    return abs(float(written) - exact) <= 1.5


def obs_frame(items: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(items, columns=["country", "indicator", "year", "value"])


def assessment_row(country, indicator, by, bv, ly, lv) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "country": country,
                "indicator": indicator,
                "baseline_year": by,
                "baseline_value": bv,
                "latest_year": ly,
                "latest_value": lv,
            }
        ]  # fmt: skip
    )


@pytest.fixture(scope="module")
def cat():
    return load_catalogue()


def test_sanitation_head_count_and_decomposition_on_real_series(real_dir, cat):
    # Viet Nam, safely managed sanitation, 2015 → 2020; population from the DataBank export.
    r15, r20 = wdi_value(real_dir / SMSS, "VNM", 2015), wdi_value(real_dir / SMSS, "VNM", 2020)
    p15 = databank_value(real_dir / DANSO, "VNM", "SP.POP.TOTL", 2015)
    p20 = databank_value(real_dir / DANSO, "VNM", "SP.POP.TOTL", 2020)
    obs = obs_frame([("VNM", "x_population", 2015, p15), ("VNM", "x_population", 2020, p20)])
    a = assessment_row("VNM", "b_sanitation_safely_managed", 2015, r15, 2020, r20)
    out = bf.estimate(a, obs, cat).iloc[0]
    assert whole_persons(out["people_baseline"], r15 / 100 * p15)
    assert whole_persons(out["people_latest"], r20 / 100 * p20)
    assert whole_persons(out["change_due_to_rate"], (r20 - r15) / 100 * p20)
    assert whole_persons(out["change_due_to_population"], r15 / 100 * (p20 - p15))
    assert out["change"] == out["change_due_to_rate"] + out["change_due_to_population"]  # exact
    assert out["change"] == out["people_latest"] - out["people_baseline"]
    assert out["flags"] == "" and pd.isna(out["low"]) and pd.isna(out["averted"])
    text = dict(bs.statements(bf.estimate(a, obs, cat), bf.load_denominators(cat)))
    expected = f"{abs(r20 / 100 * p20 - r15 / 100 * p15) / 1e6:.1f} million"
    assert expected in text["b_sanitation_safely_managed"]


def test_people_lifted_out_of_poverty_on_real_series(real_dir, cat):
    path = real_dir / GINI_FREE_POVERTY
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = next(r for r in rows if r[:2] == ["Country Name", "Country Code"])
    idn = next(r for r in rows if len(r) > 1 and r[1] == "IDN")
    years = [int(h) for h, v in zip(header, idn) if h.isdigit() and v and 2015 <= int(h) <= 2020]
    by, ly = years[0], years[-1]
    rb, rl = float(idn[header.index(str(by))]), float(idn[header.index(str(ly))])
    pb = databank_value(real_dir / DANSO, "IDN", "SP.POP.TOTL", by)
    pl = databank_value(real_dir / DANSO, "IDN", "SP.POP.TOTL", ly)
    obs = obs_frame([("IDN", "x_population", by, pb), ("IDN", "x_population", ly, pl)])
    out = bf.estimate(assessment_row("IDN", "b_poverty_intl", by, rb, ly, rl), obs, cat).iloc[0]
    assert out["kind"] == "poverty"
    assert whole_persons(out["averted"], (rb - rl) / 100 * pl)
    assert whole_persons(out["change"], rl / 100 * pl - rb / 100 * pb)


def test_maternal_lives_saved_with_real_mmr_and_population(real_dir, cat):
    # No crude birth rate in the real folder: 17 births per 1,000 people is an assumption
    # of this test (Lao PDR's order of magnitude); MMR and population are real.
    cbr = 17.0
    m15, m20 = wdi_value(real_dir / MMRT, "LAO", 2015), wdi_value(real_dir / MMRT, "LAO", 2020)
    p15 = databank_value(real_dir / DANSO, "LAO", "SP.POP.TOTL", 2015)
    p20 = databank_value(real_dir / DANSO, "LAO", "SP.POP.TOTL", 2020)
    obs = obs_frame([("LAO", "x_population", 2015, p15), ("LAO", "x_population", 2020, p20),
                     ("LAO", "x_crude_birth_rate", 2015, cbr),
                     ("LAO", "x_crude_birth_rate", 2020, cbr)])  # fmt: skip
    out = bf.estimate(assessment_row("LAO", "b_mmr", 2015, m15, 2020, m20), obs, cat).iloc[0]
    births20 = cbr / 1000 * p20
    assert whole_persons(out["averted"], (m15 - m20) / 100_000 * births20)
    assert whole_persons(out["people_latest"], m20 / 100_000 * births20)


def test_interpolated_denominator_gives_a_flagged_range(cat):
    # Population known in 2014 and 2016 only: 2015 is interpolated (100 + 110) / 2.
    obs = obs_frame([("VNM", "x_population", 2014, 100.0), ("VNM", "x_population", 2016, 110.0),
                     ("VNM", "x_population", 2020, 130.0)])  # fmt: skip
    a = assessment_row("VNM", "e_internet_users", 2015, 40.0, 2020, 60.0)
    out = bf.estimate(a, obs, cat).iloc[0]
    assert out["flags"] == "denominator_interpolated"
    assert whole_persons(out["people_baseline"], 0.40 * 105.0)
    assert whole_persons(out["low"], 0.60 * 130 - 0.40 * 110)
    assert whole_persons(out["high"], 0.60 * 130 - 0.40 * 100)
    assert out["low"] <= out["change"] <= out["high"]


def test_nearest_year_and_missing_denominators_are_flagged(cat):
    obs = obs_frame([("THA", "x_population", 2018, 70.0)])
    a = pd.concat(
        [
            assessment_row("THA", "e_internet_users", 2016, 40.0, 2020, 60.0),
            assessment_row("THA", "b_youth_neet", 2015, 15.0, 2020, 14.0),
        ]  # fmt: skip
    )
    # The 2018 population is carried 2 years to 2016 and 2020: within the shipped limit.
    assert 2 <= default_settings().beneficiaries.nearest_limit
    out = bf.estimate(a, obs, cat).set_index("indicator")
    assert out.loc["e_internet_users", "flags"] == "denominator_nearest_year"
    assert out.loc["b_youth_neet", "flags"] == "no_denominator_data"
    assert pd.isna(out.loc["b_youth_neet", "change"])


def test_nearest_limit_comes_from_the_settings(cat):
    # Population observed in 2018 only; the estimate needs 2016 and 2020 (2 years away).
    obs = obs_frame([("THA", "x_population", 2018, 70.0)])
    a = assessment_row("THA", "e_internet_users", 2016, 40.0, 2020, 60.0)
    one = load_settings(overrides={"beneficiaries": {"nearest_limit": 1}})
    out = bf.estimate(a, obs, cat, settings=one).iloc[0]
    assert "no_denominator_data" in out["flags"] and pd.isna(out["change"])
    two = load_settings(overrides={"beneficiaries": {"nearest_limit": 2}})
    out = bf.estimate(a, obs, cat, settings=two).iloc[0]
    assert out["flags"] == "denominator_nearest_year"
    assert whole_persons(out["change"], 0.60 * 70.0 - 0.40 * 70.0)


def test_indices_and_money_ratios_get_no_head_count(cat):
    den = bf.load_denominators(cat)
    assert set(den.index) == set(cat.indicators.index)
    for ind in ("a_voice_accountability", "b_gini", "c_energy_intensity", "e_rd_expenditure"):
        assert den.at[ind, "kind"] == "none"
    obs = obs_frame([("VNM", "x_population", 2015, 1.0), ("VNM", "x_population", 2020, 1.0)])
    a = assessment_row("VNM", "b_gini", 2015, 35.0, 2020, 36.0)
    assert bf.estimate(a, obs, cat).empty


def test_regional_totals_sum_countries_with_population_coverage(cat):
    obs = obs_frame([(c, "x_population", y, p) for c, p in (("VNM", 100.0), ("THA", 50.0),
                     ("LAO", 50.0)) for y in (2015, 2020)])  # fmt: skip
    a = pd.concat(
        [
            assessment_row("VNM", "e_internet_users", 2015, 40.0, 2020, 60.0),
            assessment_row("THA", "e_internet_users", 2015, 50.0, 2020, 70.0),
        ]  # fmt: skip
    )
    b = bf.estimate(a, obs, cat)
    tot = bf.regional_totals(b, obs, ["VNM", "THA", "LAO"]).set_index("indicator")
    assert tot.at["e_internet_users", "change"] == pytest.approx(20.0 + 10.0)
    assert tot.at["e_internet_users", "population_coverage"] == pytest.approx(150 / 200)
    assert tot.at["e_internet_users", "n_countries"] == 2


def test_statement_wording_and_vietnamese(cat):
    obs = obs_frame([("VNM", "x_population", 2015, 90e6), ("VNM", "x_population", 2020, 97e6)])
    a = assessment_row("VNM", "b_sanitation_safely_managed", 2015, 40.0, 2020, 46.0)
    b = bf.estimate(a, obs, cat)
    den = bf.load_denominators(cat)
    en = dict(bs.statements(b, den))["b_sanitation_safely_managed"]
    # 0.46·97e6 − 0.40·90e6 = 8.62e6; due to rate 0.06·97e6 = 5.82e6
    assert en == ("About 8.6 million more people using safely managed sanitation in 2020 than "
                  "in 2015; 5.8 million of the difference because the rate rose.")  # fmt: skip
    vi = dict(bs.statements(b, den, lang="vi"))["b_sanitation_safely_managed"]
    assert vi.startswith("Khoảng 8,6 triệu người sử dụng dịch vụ vệ sinh")


def test_denominator_table_errors_name_the_row(tmp_path, cat):
    bad = tmp_path / "den.csv"
    text = bf.DENOMINATORS_FILE.read_text(encoding="utf-8").replace(
        "b_mmr,mortality,live_births", "b_mmr,mortality,births_total"
    )
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(bf.DenominatorError, match=r"den.csv, row \d+ \('b_mmr'\): denominator"):
        bf.load_denominators(cat, bad)


def test_published_bounds_of_the_rates_give_a_range(cat):
    # MMR with UN SDG bounds: baseline 54 (44–65), latest 43 (35–53) per 100,000 births.
    obs = obs_frame([("VNM", "x_population", 2015, 92e6), ("VNM", "x_population", 2020, 97e6),
                     ("VNM", "x_crude_birth_rate", 2015, 16.0),
                     ("VNM", "x_crude_birth_rate", 2020, 15.0)])  # fmt: skip
    bounds = pd.DataFrame(
        [("VNM", "b_mmr", 2015, 54.0, 44.0, 65.0), ("VNM", "b_mmr", 2020, 43.0, 35.0, 53.0)],
        columns=["country", "indicator", "year", "value", "lower", "upper"],
    )
    obs = pd.concat([obs.assign(lower=float("nan"), upper=float("nan")), bounds])
    out = bf.estimate(assessment_row("VNM", "b_mmr", 2015, 54.0, 2020, 43.0), obs, cat).iloc[0]
    births15, births20 = 16.0 / 1000 * 92e6, 15.0 / 1000 * 97e6
    assert out["flags"] == "rate_bounds"
    assert whole_persons(out["change"], 43 / 1e5 * births20 - 54 / 1e5 * births15)
    assert whole_persons(out["low"], 35 / 1e5 * births20 - 65 / 1e5 * births15)
    assert whole_persons(out["high"], 53 / 1e5 * births20 - 44 / 1e5 * births15)
    text = dict(bs.statements(bf.estimate(assessment_row("VNM", "b_mmr", 2015, 54.0, 2020,
                                                         43.0), obs, cat),
                              bf.load_denominators(cat)))["b_mmr"]  # fmt: skip
    assert "given the published bounds of the rates" in text


def test_unsdg_bounds_reach_the_store(tmp_path):
    from mtr_analysis.intake.build import build

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "Goal3.csv").write_text(
        "Goal,Target,Indicator,SeriesCode,SeriesDescription,GeoAreaCode,GeoAreaName,TimePeriod,"
        "Value,Time_Detail,TimeCoverage,UpperBound,LowerBound,BasePeriod,Source,GeoInfoUrl,"
        "FootNote,Nature,Units\n"
        "3,3.1,3.1.1,SH_STA_MORT,Maternal mortality ratio,704,Viet Nam,2015,54,2015,,65,44,,"
        "WHO,,,E,PER_100000_LIVE_BIRTHS\n",
        encoding="utf-8",
    )
    obs = build([raw], tmp_path / "out").observations
    row = obs.loc[obs["indicator"].eq("b_mmr")].iloc[0]
    assert (row["value"], row["lower"], row["upper"]) == (54.0, 44.0, 65.0)


def test_written_rows_add_up_exactly_on_a_real_series(real_dir, cat):
    # Viet Nam's sanitation head count is ~37 million people: six significant digits (the
    # tables' float format) would drop the last two digits. Parsed as written, the parts
    # must sum to the written change, and the change to latest − baseline.
    import io

    from mtr_analysis.reporting.tables import to_csv_bytes

    r15, r20 = wdi_value(real_dir / SMSS, "VNM", 2015), wdi_value(real_dir / SMSS, "VNM", 2020)
    p15 = databank_value(real_dir / DANSO, "VNM", "SP.POP.TOTL", 2015)
    p20 = databank_value(real_dir / DANSO, "VNM", "SP.POP.TOTL", 2020)
    obs = obs_frame([("VNM", "x_population", 2015, p15), ("VNM", "x_population", 2020, p20)])
    a = assessment_row("VNM", "b_sanitation_safely_managed", 2015, r15, 2020, r20)
    written = pd.read_csv(io.BytesIO(to_csv_bytes(bf.estimate(a, obs, cat))), dtype=str).iloc[0]
    n = {k: int(written[k]) for k in ("people_baseline", "people_latest", "change",
                                        "change_due_to_rate", "change_due_to_population")}  # fmt: skip
    assert n["change"] == n["change_due_to_rate"] + n["change_due_to_population"]
    assert n["change"] == n["people_latest"] - n["people_baseline"]
    assert abs(n["people_baseline"] - r15 / 100 * p15) <= 0.5


PER_COUNTRY_VNM = "wdi/per_country_2020/API_VNM_DS2_en_csv_v2_1227742.csv"


def per_country_value(path, code: str, year: int) -> float:
    """Independent read of one cell of a WDI per-country download (row = indicator code)."""
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    header = next(r for r in rows if r[:2] == ["Country Name", "Country Code"])
    row = next(r for r in rows if len(r) > 3 and r[3] == code)
    return float(row[header.index(str(year))])


def test_youth_population_from_five_year_age_shares_on_real_files(real_dir, cat, tmp_path):
    # Viet Nam's per-country WDI file has no SP.POP.1524.TO.UN but the five-year shares of
    # the female and male populations (SP.POP.1519/2024.{FE,MA}.5Y) from 1960: the intake
    # keeps them (config/auxiliary_series.csv) and youth = F·(f1519 + f2024)/100 +
    # (P − F)·(m1519 + m2024)/100. NEET rates 2000 and 2019 are illustrative (8 %, 7 %).
    from mtr_analysis.intake import store
    from mtr_analysis.intake.build import build

    path = real_dir / PER_COUNTRY_VNM
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / path.name).symlink_to(path)
    build([tmp_path / "raw"], tmp_path / "out")
    obs = store.for_analysis(store.read_store(tmp_path / "out"))

    def youth(year: int) -> float:
        p, f = (per_country_value(path, c, year) for c in ("SP.POP.TOTL", "SP.POP.TOTL.FE.IN"))
        fs = sum(per_country_value(path, f"SP.POP.{a}.FE.5Y", year) for a in ("1519", "2024"))
        ms = sum(per_country_value(path, f"SP.POP.{a}.MA.5Y", year) for a in ("1519", "2024"))
        return f * fs / 100 + (p - f) * ms / 100

    shares = obs.loc[obs["indicator"].eq("x_share_1519_fe")]
    assert shares["year"].min() <= 2000  # back to 2000 at least
    a = assessment_row("VNM", "b_youth_neet", 2000, 8.0, 2019, 7.0)
    out = bf.estimate(a, obs, cat).iloc[0]
    assert out["flags"] == "" and out["denominator_series"].startswith("x_population_female")
    assert whole_persons(out["people_baseline"], 0.08 * youth(2000))
    assert whole_persons(out["people_latest"], 0.07 * youth(2019))
    assert 13e6 < youth(2019) < 14e6  # 13.6 million 15–24-year-olds: a plausible order
