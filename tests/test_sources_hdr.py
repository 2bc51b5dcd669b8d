"""UNDP HDR composite-indices time series checked against the raw CSV (csv module, cp1252)."""

import csv
import io
import re

import pytest

from mtr_analysis.intake.sources import SourceError, detect_format, hdr
from mtr_analysis.reference.catalogue import load_catalogue

HDR = "other/undp_hdr/HDR23-24_Composite_indices_complete_time_series.csv"


@pytest.fixture(scope="module")
def raw_table(real_dir):
    data = (real_dir / HDR).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # Windows-1252 ("Côte d'Ivoire")
    rows = list(csv.reader(io.StringIO(data.decode("cp1252"))))
    return rows[0], {r[0]: (n, r) for n, r in enumerate(rows[1:], start=2)}


@pytest.fixture(scope="module")
def records(real_dir):
    return hdr.read(real_dir / HDR, real_dir)


def test_detected_from_content(real_dir, tmp_path):
    renamed = tmp_path / "hdi_download.dat"
    renamed.write_bytes((real_dir / HDR).read_bytes())
    assert detect_format(renamed) == ("undp_hdr", "")
    looks_alike = tmp_path / "HDR23-24_Composite_indices.csv"
    looks_alike.write_text("iso3,country,hdicode,region,hdi\nVNM,Viet Nam,High,EAP,0.7\n")
    assert detect_format(looks_alike)[0] is None


def test_values_and_locators_equal_the_raw_row(raw_table, records):
    header, rows = raw_table
    line, vnm = rows["VNM"]
    got = records[records["country"] == "VNM"]
    for var in ("le", "hdi", "pop_total", "mmr", "lfpr_f"):
        cols = {int(h.rsplit("_", 1)[1]): j for j, h in enumerate(header)
                if re.fullmatch(rf"{var}_\d{{4}}", h)}  # fmt: skip
        series = got[got["series"] == var].set_index("year")
        expected = {y: vnm[j] for y, j in cols.items() if vnm[j]}
        assert len(expected) >= 20, var
        assert series["raw"].to_dict() == expected
        for y in expected:
            assert series.loc[y, "locator"] == f"line {line}, column {var}_{y}"
    assert got.set_index(["series", "year"]).loc[("pop_total", 2022), "unit"] == "millions"
    assert set(got["country_name"]) == {"Viet Nam"}
    assert set(got["sex"]) == set(got["age"]) == set(got["location"]) == {"total"}
    non_empty = sum(
        1
        for _, r in rows.values()
        for h, c in zip(header, r)
        if re.fullmatch(r".+_\d{4}", h) and c.strip()
    )
    assert len(records) == non_empty


def test_encoding_aggregates_and_source(raw_table, records):
    _, rows = raw_table
    assert rows["CIV"][1][1] == "Côte d'Ivoire"
    assert "Côte d'Ivoire" in set(records["country_name"])
    aggregates = [code for code in rows if code.startswith("ZZ")]
    assert len(aggregates) == 11 and "ZZK.WORLD" in aggregates
    world = records[records["country"] == "ZZK.WORLD"]
    assert set(world["country_name"]) == {"World"} and len(world) > 0
    assert set(records["source"]) == {
        "UNDP Human Development Report Office, HDR 2023/24 composite indices time series "
        "(data to 2022)"
    }
    # hdi_rank_2022 is one variable ("hdi_rank"), not "hdi" for a year "rank_2022".
    rank = records[(records["country"] == "VNM") & (records["series"] == "hdi_rank")]
    assert rank["year"].tolist() == [2022] and rank["raw"].tolist() == [rows["VNM"][1][4]]
    assert (records["raw"] == "NaN").sum() == 1  # kept: cleaning classifies it


def test_catalogue_maps_hdr_variables():
    m = load_catalogue().series_map()
    assert m["le"] == "b_life_expectancy"
    assert m["mmr"] == "b_mmr"
    assert m["lfpr_f"] == "b_female_lfpr"
    # Not mapped: HDR counts both houses of bicameral parliaments, SG.GEN.PARL.ZS the lower one.
    assert "pr_f" not in m
    assert "nan" not in m and "" not in m


def test_not_an_hdr_file(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(SourceError, match=r"x.csv, line 1: not an HDR header"):
        hdr.read(bad)
