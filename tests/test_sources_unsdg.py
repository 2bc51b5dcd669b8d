"""UN SDG Global Database exports (xlsx, csv) and UNSD per-series JSON, checked against the
raw files read independently (openpyxl, csv, json)."""

import csv
import datetime as dt
import io
import json

import pytest
from openpyxl import Workbook, load_workbook

from mtr_analysis.intake.sources import detect_format, unsdg

G5 = "unsdg/goal_exports/Flavio-Mangione/Goal5.xlsx"
G1_AAYUSH = "unsdg/goal_exports/29aayush/Goal1.xlsx"
G1_PATTANYJ = "unsdg/goal_exports/pattanyj/Goal1.xlsx"
G8 = "unsdg/goal_exports/LD9797/Goal8.csv"
JSON_DIR = "unsdg/unstats_countryprofiles_2019Q2/"
DEFC = JSON_DIR + "Indicator_2.1.1_Series_SN_ITK_DEFC.json"
NEET = JSON_DIR + "Indicator_8.6.1_Series_SL_TLF_NEET.json"
WATER = JSON_DIR + "Indicator_6.1.1_Series_SH_H2O_SAFE.json"


@pytest.fixture(scope="module")
def goal5(real_dir):
    return unsdg.read(real_dir / G5, real_dir)


def _sheet_rows(path, sheet=None):
    wb = load_workbook(path, read_only=True)
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    return rows


# --- detection ------------------------------------------------------------------------


def test_every_variant_detected_from_content(real_dir, tmp_path):
    for i, rel in enumerate([G5, G1_PATTANYJ, G8, DEFC]):
        renamed = tmp_path / f"download_{i}.dat"
        renamed.write_bytes((real_dir / rel).read_bytes())
        assert detect_format(renamed) == ("unsdg", ""), rel


def test_look_alikes_are_not_sdg(tmp_path):
    wb = Workbook()
    wb.active.append(["SeriesCode", "GeoAreaName", "Sum of Value"])  # a pivot, no TimePeriod
    wb.active.append(["SG_GEN_PARL", "Viet Nam", 30.3])
    wb.save(tmp_path / "Goal5.xlsx")
    assert detect_format(tmp_path / "Goal5.xlsx")[0] is None
    other_json = tmp_path / "Indicator_3.2.2_Series_SH_DYN_NMRT.json"
    other_json.write_text(json.dumps({"seriesCode": "SH_DYN_NMRT", "data": []}), encoding="utf-8")
    assert detect_format(other_json)[0] is None
    text = tmp_path / "Goal8.csv"
    text.write_text("Goal,Target,SeriesCode,GeoAreaName,Value\n8,8.1,NY_GDP_PCAP,World,3\n")
    assert detect_format(text)[0] is None


# --- long format, xlsx -----------------------------------------------------------------


def test_goal5_values_locators_and_m49_codes(real_dir, goal5):
    wb = load_workbook(real_dir / G5)  # full (not read-only) load: cells by coordinate
    ws = wb["Goal5"]
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header) if h}
    raw_rows = [
        (i, [c.value for c in row])
        for i, row in enumerate(ws.iter_rows(min_row=2), start=2)
        if row[col["GeoAreaCode"]].value == 704 and row[col["SeriesCode"]].value == "SG_GEN_PARL"
    ]
    assert len(raw_rows) >= 20
    got = goal5[(goal5["country"] == "704") & (goal5["series"] == "SG_GEN_PARL")]
    assert len(got) == len(raw_rows)
    by_locator = got.set_index("locator")
    for i, values in raw_rows:
        rec = by_locator.loc[f"Goal5!I{i}"]
        assert ws[f"I{i}"].value == values[col["Value"]] == rec["raw"]  # "26.00" as written
        assert rec["year"] == values[col["TimePeriod"]]
        assert rec["unit"] == values[col["Units"]] == "PERCENT"
        assert rec["country_name"] == "Viet Nam"
        assert values[col["Source"]] in rec["note"]
    assert str(real_dir / G5).endswith(got["file"].iloc[0])
    # The women's share is always FEMALE: a reference dimension, not a breakdown.
    assert set(got["sex"]) == {"total"}
    assert got["note"].str.contains("Sex: FEMALE (series definition)", regex=False).all()
    # Every row with a value is a record; nothing else.
    n_values = sum(1 for row in ws.iter_rows(min_row=2, values_only=True) if row[col["Value"]])
    assert len(goal5) == n_values
    # M49 codes as written (integers in this file); the region South-eastern Asia is 35.
    assert {"96", "116", "360", "418", "458", "104", "608", "702", "764", "704"} <= set(
        goal5["country"]
    )
    assert goal5.loc[goal5["country"] == "35", "country_name"].iloc[0] == "South-Eastern Asia"


def test_source_has_the_file_save_date(real_dir, goal5):
    import zipfile

    core = zipfile.ZipFile(real_dir / G5).read("docProps/core.xml").decode()
    assert "<dcterms:modified" in core and "2024-04-13T" in core
    assert set(goal5["source"]) == {"UN SDG Global Database export, file saved 2024-04-13"}


def test_sex_and_age_breakdown_mapped(real_dir):
    path = real_dir / G1_PATTANYJ
    records = unsdg.read(path, real_dir)
    rows = _sheet_rows(path, "data")
    header = rows[0]
    col = {h: i for i, h in enumerate(header) if h}
    vnm = [(i, r) for i, r in enumerate(rows[1:], start=2) if r[col["GeoAreaCode"]] == 704]
    assert len(vnm) == 9 * 19  # 3 sexes x 3 age groups x 2000-2018
    got = records.set_index("locator")
    sex_map = {"BOTHSEX": "total", "FEMALE": "female", "MALE": "male"}
    for i, r in vnm:
        rec = got.loc[f"data!I{i}"]
        assert rec["raw"] == r[col["Value"]]
        assert rec["sex"] == sex_map[r[col["Sex"]]]
        assert rec["age"] == r[col["Age"]]  # "15-24", "25+", "15+": a real breakdown, kept
        assert rec["series"] == "SI_POV_EMP1"
    # The sheet "CodeDescriptions" gives no records.
    assert not records["locator"].str.startswith("CodeDescriptions").any()
    assert set(records["source"]) == {"UN SDG Global Database export"}  # no document date


def test_location_and_extra_dimensions(real_dir):
    path = real_dir / G1_AAYUSH
    records = unsdg.read(path, real_dir)
    rows = _sheet_rows(path)
    col = {h: i for i, h in enumerate(rows[0]) if h}
    loc_map = {"ALLAREA": "total", "URBAN": "urban", "RURAL": "rural"}
    got = records.set_index("locator")
    water = [
        (i, r)
        for i, r in enumerate(rows[1:], start=2)
        if r[col["GeoAreaCode"]] == 418 and r[col["SeriesCode"]] == "SP_ACS_BSRVH2O"
    ]
    assert {r[col["Location"]] for _, r in water} == set(loc_map)
    for i, r in water:
        assert got.loc[f"Sheet1!I{i}", "location"] == loc_map[r[col["Location"]]]
        assert got.loc[f"Sheet1!I{i}", "raw"] == r[col["Value"]]
    # Quantile Q1 (poorest quintile) must never pass for the series total.
    q1 = [(i, r) for i, r in enumerate(rows[1:], start=2) if r[col["Quantile"]] == "Q1"]
    assert q1
    for i, r in q1[:50]:
        assert got.loc[f"Sheet1!I{i}", "series"] == f"{r[col['SeriesCode']]} [Quantile=Q1]"
        assert "Quantile: Q1" in got.loc[f"Sheet1!I{i}", "note"]
    totals = [(i, r) for i, r in enumerate(rows[1:], start=2) if r[col["Quantile"]] == "_T"]
    for i, r in totals[:50]:
        assert got.loc[f"Sheet1!I{i}", "series"] == r[col["SeriesCode"]]


def _synthetic_workbook(path):
    wb = Workbook()
    wb.active.title = "Notes"
    wb.active["A1"] = "Downloaded from the SDG Global Database"
    pivot = wb.create_sheet("Pivot")
    pivot.append(["SeriesCode", "GeoAreaName", "Sum of Value"])
    ws = wb.create_sheet("data")
    ws.append(["Goal 5 export"])
    ws.append([])
    header = ["Goal", "SeriesCode", "GeoAreaCode", "GeoAreaName", "TimePeriod", "Value",
              "Time_Detail", "Source", "FootNote", "[Sex]", "[Age]", "[Location]",
              "[Quantile]", "Nature", "Units"]  # fmt: skip
    ws.append(header)
    rows = [
        ["5", "SH_X", "096", "Brunei Darussalam", 42005, 12.5, "2015", "NSO", "fn", "FEMALE",
         "Y15T24", "URBAN", "_T", "C", "PERCENT"],
        ["5", "SH_X", "096", "Brunei Darussalam", dt.datetime(2016, 1, 1), "<2.5", "2016",
         "NSO", "", "MALE", "Y15T24", "RURAL", "_T", "E", "PERCENT"],
        ["5", "SH_X", "096", "Brunei Darussalam", 2015, 40.0, "2014-2016", "NSO", "", "BOTHSEX",
         "Y_GE15", "ALLAREA", "_T", "C", "PERCENT"],
        ["5", "SH_X", "096", "Brunei Darussalam", 2015, "3.3", "2015", "NSO", "", "BOTHSEX",
         "Y_GE15", "ALLAREA", "Q1", "C", "PERCENT"],
        ["5", "SH_Y", "096", "Brunei Darussalam", 2015, "9.1", "2015", "IPU", "", "FEMALE", "",
         "", "", "C", "PERCENT"],
        ["5", "SH_Y", "096", "Brunei Darussalam", 2016, "", "2016", "IPU", "", "FEMALE", "", "",
         "", "C", "PERCENT"],
        ["5", "SH_Z", "096", "Brunei Darussalam", None, "7", 42736, "NSO", "", "", "", "", "",
         "C", "NUMBER"],
    ]  # fmt: skip
    for r in rows:
        ws.append(r)
    wb.save(path)
    return rows


def test_any_sheet_layout_serial_dates_and_bracketed_dimensions(tmp_path):
    path = tmp_path / "export.xlsx"
    _synthetic_workbook(path)
    assert detect_format(path)[0] == "unsdg"
    rec = unsdg.read(path, tmp_path).set_index("locator")
    assert list(rec.index) == ["data!F4", "data!F5", "data!F6", "data!F7", "data!F8", "data!F10"]
    # serial 42005, a date, ints; no TimePeriod in row 10: Time_Detail (serial 42736) instead
    assert rec["year"].tolist() == [2015, 2016, 2015, 2015, 2015, 2017]
    assert rec["raw"].tolist() == ["12.5", "<2.5", "40", "3.3", "9.1", "7"]
    assert "Time_Detail" not in rec.loc["data!F10", "note"]
    assert rec.loc["data!F10", "unit"] == "NUMBER"
    assert rec.loc["data!F4", ["sex", "age", "location"]].tolist() == ["female", "15-24", "urban"]
    assert rec.loc["data!F5", ["sex", "age", "location"]].tolist() == ["male", "15-24", "rural"]
    assert rec.loc["data!F6", ["sex", "age", "location"]].tolist() == ["total", "15+", "total"]
    assert rec.loc["data!F6", "series"] == "SH_X"
    assert "Time_Detail: 2014-2016" in rec.loc["data!F6", "note"]
    assert rec.loc["data!F7", "series"] == "SH_X [Quantile=Q1]"
    assert "Quantile: Q1" in rec.loc["data!F7", "note"]
    assert set(rec["country"]) == {"096"}  # zero-padded M49 kept as written
    # SH_Y is FEMALE throughout: the dimension defines the series.
    assert rec.loc["data!F8", "sex"] == "total"
    assert "Sex: FEMALE (series definition)" in rec.loc["data!F8", "note"]
    assert "(series definition)" not in " ".join(rec.loc[["data!F4", "data!F5"], "note"])
    assert rec.loc["data!F4", "note"].startswith("fn | Source: NSO | Nature: C")


def test_dimension_code_mapping():
    assert [unsdg.map_sex(c) for c in ("BOTHSEX", "_T", "F", "FEMALE", "M", "", None)] == [
        "total", "total", "female", "female", "male", "total", "total"
    ]  # fmt: skip
    assert [unsdg.map_location(c) for c in ("ALLAREA", "_T", "U", "RURAL")] == [
        "total", "total", "urban", "rural"
    ]  # fmt: skip
    assert [unsdg.map_age(c) for c in ("ALLAGE", "_T", "Y15T24\r\n", "Y_GE65", "15+")] == [
        "total", "total", "15-24", "65+", "15+"
    ]  # fmt: skip
    assert unsdg.year_of(43831) == 2020 and unsdg.year_of("2019.0") == 2019
    assert unsdg.year_of("2014-2016") == 2014 and unsdg.year_of("n/a") is None


# --- long format, csv ------------------------------------------------------------------


def test_csv_export_windows_1252(real_dir):
    path = real_dir / G8
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    rows = list(csv.reader(io.StringIO(data.decode("cp1252"))))
    header = rows[0]
    col = {h: i for i, h in enumerate(header) if h}
    records = unsdg.read(path, real_dir)
    assert len(records) == sum(1 for r in rows[1:] if r[col["Value"]])
    assert "Côte d'Ivoire" in set(records["country_name"])
    got = records.set_index("locator")
    lao = [(n, r) for n, r in enumerate(rows[1:], start=2) if r[col["GeoAreaCode"]] == "418"]
    assert len(lao) == 22
    for n, r in lao:
        rec = got.loc[f"line {n}, column Value"]
        assert (rec["country"], rec["year"], rec["raw"]) == ("418", int(r[7]), r[col["Value"]])
    assert set(records["source"]) == {"UN SDG Global Database export"}


# --- UNSD per-series JSON --------------------------------------------------------------


def _json_points(path):
    doc = json.loads(path.read_bytes())
    n = 0
    for area in doc["refAreas"]:
        for point in area["data"]:
            n += 1
            yield n, area, point


def test_json_values_censored_and_markers(real_dir):
    path = real_dir / DEFC
    records = unsdg.read(path, real_dir).set_index("locator")
    points = list(_json_points(path))
    assert len(records) == len(points)  # every point has a value_detail
    for n, area, point in points:
        if area["ISO3"] in ("VNM", "MYS") or area["geoAreaCode"] in ("001", "035"):
            rec = records.loc[f"record {n}"]
            assert rec["raw"] == point["value_detail"]
            assert rec["year"] == point["timePeriod"]
            assert rec["country"] == (area["ISO3"] or area["geoAreaCode"])
            assert rec["country_name"] == area["geoAreaName"]
    censored = [(n, p) for n, _, p in points if p["value_is_censored"] and p["value_numeric_part"]]
    assert censored
    n, p = censored[0]
    assert records.loc[f"record {n}", "raw"] == p["value_detail"] == "<2.5"
    assert {"NA", "N"} <= set(records["raw"])  # markers are records; cleaning classifies them
    doc = json.loads(path.read_bytes())
    assert set(records["source"]) == {f"UN SDG Global Database, release {doc['release']}"}
    assert set(records["unit"]) == {"PERCENT"}
    assert records.loc[records["country"] == "001", "country_name"].iloc[0] == "World"


def test_json_dimensions(real_dir):
    neet = unsdg.read(real_dir / NEET, real_dir).set_index("locator")
    sexes = {"_T": "total", "F": "female", "M": "male"}
    for n, _, point in _json_points(real_dir / NEET):
        rec = neet.loc[f"record {n}"]
        assert rec["sex"] == sexes[point["sexCode"]]
        # One age band per country-year: the series' population, not a breakdown.
        assert rec["age"] == "total"
        assert f"Age: {point['ageCode'].strip()} (series definition)" in rec["note"]
    water = unsdg.read(real_dir / WATER, real_dir).set_index("locator")
    locations = {"_T": "total", "U": "urban", "R": "rural"}
    for n, _, point in _json_points(real_dir / WATER):
        assert water.loc[f"record {n}", "location"] == locations[point["locationCode"]]


# --- UNSD 2017 per-series GeoJSON -------------------------------------------------------

GEO_DIR = "unsdg/sdgs_data_2017/"


@pytest.mark.parametrize("name", ["ER_MRN_MPA", "SG_REG_BRTH", "SL_TLF_CHDLBR", "SP_DYN_MRBF18"])
def test_real_geojson_values_years_and_locators_match_the_features(real_dir, name):
    path = real_dir / GEO_DIR / f"{name}.json"
    assert detect_format(path) == ("unsdg", "")
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    rec = unsdg.read(path, real_dir).set_index("locator")
    assert len(rec) == len(features)
    for i, f in enumerate(features):
        p = f["properties"]
        got = rec.loc[f"features[{i}]"]
        # Independent: epoch milliseconds → UTC year; a range in TIME_DETAIL is noted.
        year = dt.datetime.fromtimestamp(p["TIME_PERIOD"] / 1000, tz=dt.UTC).year
        assert got["year"] == year
        if p["TIME_DETAIL"] != str(year):
            assert f"Time_Detail: {p['TIME_DETAIL']}" in got["note"]
        assert float(got["raw"]) == p["OBS_VALUE"]
        assert (got["country"], got["series"], got["unit"]) == (p["REF_AREA"], name, p["UNIT"])
    assert (rec[["sex", "age", "location"]] == "total").all().all()  # series definitions


def test_real_geojson_child_marriage_definition_and_notes(real_dir):
    path = real_dir / GEO_DIR / "SP_DYN_MRBF18.json"
    rec = unsdg.read(path, real_dir)
    vnm = rec[rec["country"].eq("VNM")].iloc[0]
    assert vnm["year"] == 2014 and vnm["raw"] == "10.6"
    assert "Sex: F (series definition)" in vnm["note"]
    assert "Age: Y20T24 (series definition)" in vnm["note"]  # 020_005_Y = ages 20-24
    assert "Source: " in vnm["note"] and "NULL" not in vnm["note"]
    assert vnm["source"] == "UN SDG Global Database, 2017 per-series GeoJSON (sdgs-data)"


def test_geojson_helpers_and_bad_features(tmp_path):
    assert unsdg.epoch_year(946684800000) == 2000
    assert unsdg.epoch_year(1451606399999) == 2015  # the last millisecond of 2015
    assert [unsdg.geo_age(c) for c in ("000_099_Y", "020_005_Y", "005_013_Y", "15+")] == [
        "_T", "Y20T24", "Y5T17", "15+"]  # fmt: skip
    path = tmp_path / "x.json"
    path.write_text('{"type": "FeatureCollection", "features": [{"properties": {"SERIES": "X",'
                    ' "TIME_PERIOD": 0, "OBS_VALUE": ">=80", "REF_AREA": "LAO", "SEX": "F"}},'
                    ' {"properties": {"SERIES": "X", "TIME_PERIOD": 0, "OBS_VALUE": null}},'
                    ' 7]}', encoding="utf-8")  # fmt: skip
    assert detect_format(path) == ("unsdg", "")
    with pytest.raises(unsdg.SourceError, match=r"x\.json: features\[2\] has no properties"):
        unsdg.read(path, tmp_path)
