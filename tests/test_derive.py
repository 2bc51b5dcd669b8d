"""Derived indicators (issue 11, item 3): rates from counts and population."""

from __future__ import annotations

import pandas as pd
import pytest

from mtr_analysis.intake.derive import add_derived
from mtr_analysis.intake.schema import conform, validate_observations
from mtr_analysis.reference.catalogue import load_catalogue

UN = "UN SDG Global Database (2019.Q2)"
WB = "World Bank WDI (2026-07-13)"


def _row(country, ind, year, value, source, series, file, locator, selected=True):
    return {"country": country, "indicator": ind, "year": year, "value": value,
            "source": source, "source_series": series, "file": file, "locator": locator,
            "selected": selected}  # fmt: skip


@pytest.fixture
def store() -> pd.DataFrame:
    rows = [
        # PHL 2013 (typhoon Haiyan year): counts and population → derived.
        _row("PHL", "x_disaster_deaths", 2013, 6300.0, UN, "VC_DSR_MORT", "g1.xlsx", "data!J10"),
        _row("PHL", "x_disaster_missing", 2013, 1062.0, UN, "VC_DSR_MISS", "g1.xlsx", "data!J11"),
        _row("PHL", "x_population", 2013, 98_000_000.0, WB, "SP.POP.TOTL", "pop.csv", "row 7"),
        _row(
            "PHL",
            "x_disaster_affected",
            2013,
            16_000_000.0,
            UN,
            "VC_DSR_AFFCT",
            "g1.xlsx",
            "data!J12",
        ),
        # VNM 2017: deaths but no missing-person count → the A-1 rate cannot be derived
        # (deaths alone would understate it); affected count present.
        _row("VNM", "x_disaster_deaths", 2017, 386.0, UN, "VC_DSR_MORT", "g1.xlsx", "data!J20"),
        _row(
            "VNM",
            "x_disaster_affected",
            2017,
            4_400_000.0,
            UN,
            "VC_DSR_AFFCT",
            "g1.xlsx",
            "data!J21",
        ),
        _row("VNM", "x_population", 2017, 94_600_000.0, WB, "SP.POP.TOTL", "pop.csv", "row 9"),
        # THA 2011: the per-100,000 series itself exists → kept, nothing derived.
        _row("THA", "d_disaster_deaths", 2011, 1.2, UN, "VC_DSR_MTMP", "g2.xlsx", "data!K3"),
        _row("THA", "x_disaster_deaths", 2011, 800.0, UN, "VC_DSR_MORT", "g1.xlsx", "data!J30"),
        _row("THA", "x_disaster_missing", 2011, 3.0, UN, "VC_DSR_MISS", "g1.xlsx", "data!J31"),
        _row("THA", "x_population", 2011, 66_600_000.0, WB, "SP.POP.TOTL", "pop.csv", "row 11"),
        # An unselected alternative population is ignored.
        _row("PHL", "x_population", 2013, 1.0, "other", "SP.POP.TOTL", "bad.csv", "row 1", False),
    ]
    return conform(pd.DataFrame(rows))


def test_rates_derived_from_counts_by_hand(store):
    out = add_derived(store, load_catalogue())
    derived = out.loc[out["flag"].eq("derived")].set_index(["country", "indicator", "year"])
    # Hand-worked: (6300 + 1062) / 98,000,000 × 100,000 = 7362 / 980 = 7.5122...
    phl = derived.loc[("PHL", "d_disaster_deaths", 2013)]
    assert phl["value"] == pytest.approx(7362 / 980)
    # 16,000,000 / 98,000,000 × 100,000 = 16,326.53...
    assert derived.loc[("PHL", "d_disaster_affected", 2013), "value"] == pytest.approx(
        1_600_000_000 / 98_000
    )
    # 4,400,000 / 94,600,000 × 100,000 = 4651.16...
    assert derived.loc[("VNM", "d_disaster_affected", 2017), "value"] == pytest.approx(
        440_000_000 / 94_600
    )
    assert ("VNM", "d_disaster_deaths", 2017) not in derived.index  # missing count absent
    assert ("THA", "d_disaster_deaths", 2011) not in derived.index  # own value wins
    assert len(derived) == 3
    # Provenance of every component, in formula order.
    assert phl["source"] == f"derived from {UN}; {WB}"
    assert phl["source_series"] == "(VC_DSR_MORT + VC_DSR_MISS) / SP.POP.TOTL × 100000"
    assert phl["file"] == "g1.xlsx; g1.xlsx; pop.csv"
    assert phl["locator"] == "data!J10; data!J11; row 7"
    assert "VC_DSR_MORT = 6300, VC_DSR_MISS = 1062, SP.POP.TOTL = 9.8e+07" in phl["note"]
    assert "Sendai" in phl["note"]
    assert phl["unit"] == "per 100,000 population" and bool(phl["selected"])
    # The input rows are untouched and the result is a valid store.
    pd.testing.assert_frame_equal(out.iloc[: len(store)], store)
    validate_observations(out)


def test_nothing_to_derive_returns_the_store_unchanged(store):
    no_pop = store.loc[store["indicator"].ne("x_population")].reset_index(drop=True)
    out = add_derived(no_pop, load_catalogue())
    assert out is no_pop


def test_count_codes_are_auxiliary_components_not_the_rate():
    m = load_catalogue().series_map()
    assert m["VC_DSR_MORT"] == "x_disaster_deaths"
    assert m["VC_DSR_MISS"] == "x_disaster_missing"
    assert m["VC_DSR_AFFCT"] == "x_disaster_affected"
    assert m["VC_DSR_MTMP"] == "d_disaster_deaths"


def _wdi_cell(path, code: str, year: int) -> float:
    """One cell of a WDI download, read with the csv module (preamble, BOM, year header)."""
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header = next(r for r in rows if r[:2] == ["Country Name", "Country Code"])
    row = next(r for r in rows if len(r) > 3 and r[3] == code)
    return float(row[header.index(str(year))])


@pytest.mark.realdata
def test_hiv_incidence_derived_from_the_real_2020_download(real_dir, tmp_path):
    """d_hiv_incidence on Viet Nam's real WDI 2020 download, recomputed from its raw cells.

    The file has no SH.HIV.INCD.TL.P3 (a later series) but the UNAIDS count SH.HIV.INCD.TL
    and SP.POP.TOTL: rate = new infections / population × 1,000.
    """
    from mtr_analysis.intake.build import build

    name = "API_VNM_DS2_en_csv_v2_1227742.csv"
    raw = real_dir / "wdi" / "per_country_2020" / name
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / name).write_bytes(raw.read_bytes())
    build([tmp_path / "raw"], tmp_path / "store")
    obs = pd.read_parquet(tmp_path / "store" / "observations.parquet")
    hiv = obs.loc[obs["indicator"].eq("d_hiv_incidence")].set_index("year")
    new, pop = _wdi_cell(raw, "SH.HIV.INCD.TL", 2016), _wdi_cell(raw, "SP.POP.TOTL", 2016)
    assert (new, pop) == (8000.0, 93638724.0)  # the raw cells
    assert hiv.at[2016, "value"] == pytest.approx(new / pop * 1000)  # 0.08543...
    assert hiv.at[2016, "flag"] == "derived"
    assert hiv.at[2016, "source_series"] == "(SH.HIV.INCD.TL) / SP.POP.TOTL × 1000"
    assert hiv.at[2016, "file"] == f"{name}; {name}"
    # 2015-2018 in the end-term window: enough points for a trend.
    assert {2015, 2016, 2017, 2018} <= set(hiv.index)
