"""Plausibility rules: impossible values rejected with the rule named, suspect ones flagged."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from mtr_analysis import paths
from mtr_analysis.intake import plausibility
from mtr_analysis.intake.build import build
from mtr_analysis.intake.clean import parse_values
from mtr_analysis.intake.sources import wdi
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.settings import load_settings


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def _reasons(catalogue, pairs, settings=None) -> list[str]:
    ind = pd.Series([p[0] for p in pairs], dtype="object")
    val = pd.Series([p[1] for p in pairs], dtype="float64")
    return plausibility.implausible_reasons(ind, val, catalogue, settings).tolist()


# ----------------------------------------------------------------------------- rejected
@pytest.mark.parametrize(
    ("indicator", "value", "reason"),
    [
        ("b_sanitation_safely_managed", 150.0, "implausible: share above 100 % (150)"),
        ("b_sanitation_safely_managed", -5.0, "implausible: share below 0 % (-5)"),
        ("b_sanitation_safely_managed", 100.0, ""),
        ("d_tb_incidence", -3.0, "implausible: rate or count below 0 (-3)"),
        ("x_population", -1.0, "implausible: rate or count below 0 (-1)"),
        ("b_u5mr", 1500.0, "implausible: probability per 1,000 above 1000 (1500)"),
        ("b_life_expectancy", 73955.0, "implausible: b_life_expectancy above 100 (73955)"),
        ("b_life_expectancy", 5.0, "implausible: b_life_expectancy below 10 (5)"),
        ("b_life_expectancy", 18.9, ""),  # Cambodia 1977 in WDI: real
        ("e_human_capital_index", 1.2, "implausible: e_human_capital_index above 1 (1.2)"),
        ("a_gov_effectiveness", 3.5, "implausible: a_gov_effectiveness above 3 (3.5)"),
        ("a_gov_effectiveness", -2.4, ""),  # a signed index may be negative
        ("b_gini", 101.0, "implausible: b_gini above 100 (101)"),
        ("b_primary_completion", 123.6, ""),  # gross ratios exceed 100
        ("b_primary_completion", 350.0, "implausible: gross ratio above 300 % (350)"),
        ("b_bottom40_growth", -5.0, ""),  # % per year: a rate of change
        ("d_disaster_econ_loss", 226.0, ""),  # % of GDP (Dominica 2017)
        ("x_population", 1e300, "implausible: magnitude above 1e+15 (1e+300)"),
        ("b_u5mr", -1e300, "implausible: magnitude above 1e+15 (-1e+300)"),
        ("b_u5mr", math.inf, "implausible: not a finite number (inf)"),
        ("b_u5mr", -math.inf, "implausible: not a finite number (-inf)"),
        (None, 1e300, "implausible: magnitude above 1e+15 (1e+300)"),  # not in the catalogue
        (None, -5.0, ""),
        ("b_u5mr", math.nan, ""),  # not a number: judged (and named) by parse_values
    ],
)
def test_each_rule_rejects_with_its_name(catalogue, indicator, value, reason):
    assert _reasons(catalogue, [(indicator, value)]) == [reason]


def test_rules_and_bounds_are_settings(catalogue):
    tight = load_settings(
        overrides={
            "plausibility": {
                "bounds": {"b_sanitation_safely_managed": [0, 50]},
                "max_magnitude": 1000,
            }
        }
    )
    assert _reasons(catalogue, [("b_sanitation_safely_managed", 60.0), ("x_population", 2e3)],
                    tight) == ["implausible: b_sanitation_safely_managed above 50 (60)",
                               "implausible: magnitude above 1000 (2000)"]  # fmt: skip
    # The shipped per-indicator bounds are still there (the user file adds one key).
    assert _reasons(catalogue, [("b_life_expectancy", 120.0)], tight) == [
        "implausible: b_life_expectancy above 100 (120)"
    ]
    rules = [{"rule": "anything", "pattern": ".", "lower": None, "upper": None, "symbol": ""}]
    loose = load_settings(overrides={"plausibility": {"units": rules}})
    assert _reasons(catalogue, [("b_sanitation_safely_managed", 150.0)], loose) == [""]


def test_every_bounded_id_is_in_the_catalogue(catalogue):
    ids = set(catalogue.indicators.index) | set(catalogue.auxiliary.index)
    p = load_settings().plausibility
    assert set(p.bounds) <= ids
    table = plausibility.bounds(catalogue)
    assert set(table.index) == ids  # every catalogue id has a rule
    assert table.loc["b_water_safely_managed", ["rule", "lower", "upper"]].tolist() == [
        "share",
        0.0,
        100.0,
    ]


# ----------------------------------------------------------------------------- suspect
def _series(values, indicator="b_water_safely_managed", start=2010, flag=""):
    n = len(values)
    return pd.DataFrame(
        {
            "file": "f.csv", "source": "World Bank WDI", "source_series": "S",
            "country": "VNM", "indicator": indicator, "sex": "total", "age": "total",
            "location": "total", "year": range(start, start + n),
            "value": np.array(values, dtype="float64"), "flag": flag, "note": "",
        }
    )  # fmt: skip


def _suspects(frame, settings=None) -> dict[int, str]:
    out = plausibility.flag_suspect(frame, settings)
    hit = out.loc[out["flag"].eq("suspect")]
    return dict(zip(hit["year"], hit["note"]))


def test_share_typed_as_a_fraction_is_suspect():
    assert _suspects(_series([44.0, 45.0, 0.45, 46.0, 47.0])) == {
        2012: "suspect: looks scaled by 1/100 (0.45 in a series with median 45)"
    }


def test_rate_multiplied_by_100_is_suspect():
    frame = _series([40.0, 42.0, 4300.0, 44.0, 45.0], indicator="d_tb_incidence")
    assert _suspects(frame) == {
        2012: "suspect: looks scaled by 100 (4300 in a series with median 44)"
    }


def test_fast_real_growth_and_signed_indices_are_not_suspect():
    internet = [0.01, 0.05, 0.3, 1.0, 3.0, 8.0, 15.0, 25.0, 36.0, 45.0]
    assert _suspects(_series(internet, indicator="e_internet_users")) == {}
    # A signed index drifting through zero: ratios to neighbours and median mean nothing.
    wgi = [-0.04, -0.02, -0.0021, 0.018, 0.04, 0.06]
    assert _suspects(_series(wgi, indicator="a_voice_accountability")) == {}
    # A level shift (new definition) is not a spike: the values stay at the new level.
    assert _suspects(_series([50.0, 51.0, 52.0, 70.0, 71.0, 72.0, 73.0])) == {}


def test_spike_and_end_jump_are_suspect():
    spike = _series([50.0, 51.0, 52.0, 90.0, 53.0, 54.0, 55.0])
    assert _suspects(spike) == {2013: "suspect: jump of 38 a year against a typical 2.65 (90)"}
    end = _series([50.0, 51.0, 52.0, 53.0, 54.0, 95.0])
    assert _suspects(end) == {2015: "suspect: jump of 41 a year against a typical 2.625 (95)"}
    # Too short a history to call anything a jump.
    assert _suspects(_series([50.0, 51.0, 95.0, 53.0])) == {}


def test_suspect_keeps_the_earlier_flag_in_the_note_and_thresholds_are_settings():
    frame = _series([50.0, 51.0, 52.0, 90.0, 53.0, 54.0, 55.0], flag="estimate")
    assert _suspects(frame)[2013].endswith("(90) (was estimate)")
    lenient = load_settings(overrides={"plausibility": {"jump_factor": 20}})
    assert _suspects(frame, lenient) == {}


def test_series_are_not_mixed_across_files():
    a = _series([44.0, 45.0, 46.0])
    b = _series([0.45], start=2013).assign(file="g.csv")
    assert _suspects(pd.concat([a, b], ignore_index=True)) == {}


# ----------------------------------------------------------------------------- in a build
WDI_META = {"Data Source": "World Development Indicators", "Last Updated Date": "2026-07-13"}
YEARS = list(range(2010, 2020))


def _write_wdi(path, code, name, rows):
    table = pd.DataFrame([[n, c, *cells] for n, c, cells in rows], columns=["name", "code", *YEARS])
    wdi.write(path, code, name, table, WDI_META)


@pytest.fixture(scope="module")
def hostile_build(demo_raw, tmp_path_factory):
    """The demo inputs plus a newer WDI download with impossible and suspect values."""
    raw = tmp_path_factory.mktemp("plaus_raw")
    u5 = ["30", "29", "28", "27", "26", "25", "24", "23", "22", "-1e300"]
    water = ["44", "45", "46", "0.47", "48", "49", "50", "51", "52", "53"]
    sanitation = ["150", "-5", "40", "41", "42", "43", "44", "45", "46", "47"]
    life = ["73,955", "75.1", "75.2", "75.3", "75.4", "75.5", "75.6", "75.7", "75.8", "75.9"]
    _write_wdi(
        raw / "API_SH.DYN.MORT_DS2_en_csv_v2_1.csv",
        "SH.DYN.MORT",
        "Mortality rate, under-5 (per 1,000 live births)",
        [("Viet Nam", "VNM", u5)],
    )
    _write_wdi(
        raw / "API_SH.H2O.SMDW.ZS_DS2_en_csv_v2_1.csv",
        "SH.H2O.SMDW.ZS",
        "People using safely managed drinking water services (% of population)",
        [("Viet Nam", "VNM", water)],
    )
    _write_wdi(
        raw / "API_SH.STA.SMSS.ZS_DS2_en_csv_v2_1.csv",
        "SH.STA.SMSS.ZS",
        "People using safely managed sanitation services (% of population)",
        [("Viet Nam", "VNM", sanitation)],
    )
    _write_wdi(raw / "API_SP.DYN.LE00.IN_DS2_en_csv_v2_1.csv", "SP.DYN.LE00.IN",
               "Life expectancy at birth, total (years)", [("Viet Nam", "VNM", life)])  # fmt: skip
    out = tmp_path_factory.mktemp("plaus_out")
    result = build([demo_raw, raw], out)
    return result, out


def test_build_rejects_impossible_values_from_a_download(hostile_build):
    result, out = hostile_build
    rejects = pd.read_csv(out / paths.REJECTS_FILE, dtype=str, keep_default_na=False)
    mine = rejects.loc[rejects["file"].str.startswith("API_")].sort_values("locator")
    assert sorted(zip(mine["file"].str[4:18], mine["value"], mine["reason"])) == sorted([
        ("SH.DYN.MORT_DS", "-1e300", "implausible: magnitude above 1e+15 (-1e+300)"),
        ("SH.STA.SMSS.ZS", "150", "implausible: share above 100 % (150)"),
        ("SH.STA.SMSS.ZS", "-5", "implausible: share below 0 % (-5)"),
        ("SP.DYN.LE00.IN", "73,955", "implausible: b_life_expectancy above 100 (73955)"),
    ])  # fmt: skip
    intake = json.loads((out / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    for f in intake["files"]:
        assert f["accepted"] + f["rejected"] + f["out_of_scope"] == f["records_read"], f["path"]
    by_file = {f["path"]: f for f in intake["files"]}
    assert by_file["API_SH.STA.SMSS.ZS_DS2_en_csv_v2_1.csv"]["rejected"] == 2
    rules = intake["plausibility"]["rejected_by_rule"]
    assert rules["share above 100 %"] == 1 and rules["b_life_expectancy above 100"] == 1


def test_build_flags_and_lists_the_percentage_typed_as_a_fraction(hostile_build):
    result, out = hostile_build
    obs = pd.read_parquet(out / paths.OBSERVATIONS_FILE)
    mine = obs.loc[obs["file"].eq("API_SH.H2O.SMDW.ZS_DS2_en_csv_v2_1.csv")]
    flagged = mine.loc[mine["flag"].eq("suspect")]
    assert flagged[["year", "value"]].values.tolist() == [[2013, 0.47]]
    assert (
        flagged["note"].iloc[0]
        == "suspect: looks scaled by 1/100 (0.47 in a series with median 48.5)"
    )
    intake = json.loads((out / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    listed = [s for s in intake["plausibility"]["suspect"] if s["file"].startswith("API_SH.H2O")]
    assert listed == [{"file": "API_SH.H2O.SMDW.ZS_DS2_en_csv_v2_1.csv", "locator": listed[0]["locator"],
                       "country": "VNM", "indicator": "b_water_safely_managed", "year": 2013,
                       "value": 0.47,
                       "rule": "looks scaled by 1/100 (0.47 in a series with median 48.5)"}]  # fmt: skip
    page = (out / paths.INTAKE_HTML).read_text(encoding="utf-8")
    assert "Suspect values (kept, flagged)" in page
    assert "looks scaled by 1/100 (0.47 in a series with median 48.5)" in page


def test_minus_1e300_under_five_mortality_never_reaches_assessment_csv(hostile_build, tmp_path):
    from mtr_analysis.analysis.review import load_review
    from mtr_analysis.reporting.outputs import write_review_outputs

    result, out = hostile_build
    obs = pd.read_parquet(out / paths.OBSERVATIONS_FILE)
    assert obs["value"].abs().max() < 1e15
    data = load_review(out, cutoff_year=2020)
    files = write_review_outputs(data, tmp_path, "mid-term")
    table = pd.read_csv(files["assessment"])
    row = table.loc[table["country"].eq("VNM") & table["indicator"].eq("b_u5mr")].iloc[0]
    # 2019 is the newest vintage's impossible value: the latest value is the demo's own.
    vnm = obs.loc[obs["selected"] & obs["country"].eq("VNM") & obs["indicator"].eq("b_u5mr")]
    latest = vnm.loc[vnm["year"].le(2020)].sort_values("year").iloc[-1]
    assert row["latest_value"] == pytest.approx(latest["value"], rel=1e-5)
    assert row["latest_value"] > 0
    for path in files.values():
        assert "1e+300" not in path.read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- real data
_IMPLAUSIBLE = re.compile(r"^implausible: (.+?) (above|below) (\S+)(?: %)? \((\S+)\)$")


def test_real_build_rejects_only_what_is_truly_out_of_bounds(real_store_build):
    out, _intake, _code = real_store_build
    cat = load_catalogue()
    table = plausibility.bounds(cat)
    # Every value accepted is inside its bounds: nothing impossible gets through ...
    obs = pd.read_parquet(out / paths.OBSERVATIONS_FILE)
    known = table.reindex(obs["indicator"])
    inside = obs["value"].to_numpy() >= known["lower"].to_numpy()
    inside &= obs["value"].to_numpy() <= known["upper"].to_numpy()
    assert inside.all(), obs.loc[~inside, ["file", "locator", "value"]].head()
    # ... and every implausible reject is out of bounds by its raw value, rule by rule.
    written = pd.read_csv(out / paths.REJECTS_FILE, dtype=str, keep_default_na=False)
    rejects = written.loc[written["reason"].str.startswith("implausible")]
    counts: dict[str, int] = {}
    for raw, reason in zip(rejects["value"], rejects["reason"]):
        m = _IMPLAUSIBLE.match(reason)
        assert m, reason
        rule, side, bound, _shown = m.groups()
        value = parse_values(pd.Series([str(raw)]))["value"].iloc[0]
        assert (value > float(bound)) if side == "above" else (value < float(bound)), reason
        counts[f"{rule} {side}"] = counts.get(f"{rule} {side}", 0) + 1
    assert counts == {}  # the real files hold no impossible value
    # Suspect values are rare in real data: a flag to check, never a flood.
    suspect = obs["flag"].eq("suspect").sum()
    assert 0 < suspect < 0.005 * len(obs)
