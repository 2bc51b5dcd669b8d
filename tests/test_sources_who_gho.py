"""WHO GHO reader: CSV exports and the OData response, checked against the raw files."""

from __future__ import annotations

import csv
import json

import pytest

from mtr_analysis.intake.build import triage
from mtr_analysis.intake.sources import detect_format, who_gho
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reference.registry import iso3_codes

AMS = set(iso3_codes())
TB = "who_gho/MDG_0000000020.csv"
NCD = "who_gho/NCDMORT3070.csv"
UHC = "who_gho/UHC_INDEX_REPORTED.csv"
ODATA = "api/who_gho_odata/NCDMORT3070.json"


def _csv(path):
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    return [dict(zip(rows[0], r)) | {"_line": i} for i, r in enumerate(rows[1:], start=2)]


@pytest.mark.parametrize("rel", [TB, NCD, UHC, ODATA])
def test_real_gho_files_are_detected_from_content(real_dir, rel):
    assert detect_format(real_dir / rel) == ("who_gho", "")


def test_real_tb_display_value_gives_value_and_interval(real_dir):
    raw = [r for r in _csv(real_dir / TB) if r["COUNTRY"] in AMS]
    assert raw
    rec = who_gho.read(real_dir / TB, real_dir).set_index("locator")
    for r in raw:
        got = rec.loc[f"line {r['_line']}, column Display Value"]
        # Independent split of "95.1 [85.1-104.3]"
        value, interval = r["Display Value"].split(" [")
        lower, upper = interval.rstrip("]").split("-")
        assert (got["raw"], got["lower"], got["upper"]) == (value, lower, upper)
        assert (got["country"], got["year"]) == (r["COUNTRY"], int(r["YEAR"]))
        assert float(got["raw"]) == pytest.approx(float(r["Numeric"]))
    assert set(rec["series"]) == {"MDG_0000000020"}


def test_real_ncd_csv_sex_codes_and_comments(real_dir):
    raw = [r for r in _csv(real_dir / NCD) if r["COUNTRY"] == "VNM"]
    rec = who_gho.read(real_dir / NCD, real_dir)
    vnm = rec[rec["country"].eq("VNM")]
    assert len(vnm) == len(raw)
    sexes = {"BTSX": "total", "MLE": "male", "FMLE": "female"}
    got = {(r.year, r.sex): r.raw for r in vnm.itertuples()}
    assert got == {(int(r["YEAR"]), sexes[r["SEX"]]): r["Display Value"] for r in raw}
    assert vnm["note"].str.startswith("Global Health Estimates 2016").all()
    regions = rec[rec["skip"].ne("")]
    assert len(regions) > 0 and regions["skip"].eq(who_gho.AGGREGATE).all()


def test_real_uhc_index_censored_value_reaches_triage_as_80_with_flag(real_dir):
    rec = who_gho.read(real_dir / UHC, real_dir)
    can = rec[rec["country"].eq("CAN")]
    assert can["raw"].tolist() == [">=80"]
    # The catalogue engineer maps GHO codes (gho_code); this test maps the UHC index's
    # SDG series code by hand, and stands Canada's row in for a member state.
    cat = load_catalogue()
    obs = triage(rec.assign(series="SH_ACS_UNHC", country="VNM"), cat).observations
    line = int(can["locator"].iloc[0].split()[1].rstrip(","))
    hit = obs[obs["locator"].eq(f"line {line}, column Display Value")]
    assert hit["value"].tolist() == [80.0] and hit["flag"].tolist() == ["censored_gt"]


def test_real_odata_response_values_bounds_and_vintage(real_dir):
    doc = json.loads((real_dir / ODATA).read_text(encoding="utf-8"))
    rec = who_gho.read(real_dir / ODATA, real_dir).set_index("locator")
    assert len(rec) == sum(v["NumericValue"] is not None for v in doc["value"])
    mine = [(i, v) for i, v in enumerate(doc["value"]) if v["SpatialDim"] in AMS]
    assert len(mine) > 100
    for i, v in mine:
        got = rec.loc[f"value[{i}]"]
        assert float(got["raw"]) == v["NumericValue"]
        assert float(got["lower"]) == v["Low"] and float(got["upper"]) == v["High"]
        assert got["year"] == v["TimeDim"] and got["country"] == v["SpatialDim"]
        assert got["source"] == f"WHO Global Health Observatory (OData API), {v['Date'][:10]}"
        assert got["sex"] == "total" and got["series"] == "NCDMORT3070"
        assert "AGEGROUP: YEARS30-69 (series definition)" in got["note"]
    kinds = {v["SpatialDimType"] for v in doc["value"]} - {"COUNTRY"}
    skipped = rec[rec["skip"].ne("")]["skip"]
    assert set(skipped) == {f"{who_gho.AGGREGATE} ({k})" for k in kinds}


def test_varying_extra_dimension_becomes_part_of_the_series(tmp_path):
    doc = {"value": [
        {"IndicatorCode": "X", "SpatialDimType": "COUNTRY", "SpatialDim": "LAO", "TimeDim": 2019,
         "Dim1Type": "SEX", "Dim1": "SEX_FMLE", "Dim2Type": "RESIDENCEAREATYPE",
         "Dim2": "RESIDENCEAREATYPE_RUR", "NumericValue": 1.5, "Value": "1.5", "Low": None,
         "High": None, "Date": None},
        {"IndicatorCode": "X", "SpatialDimType": "COUNTRY", "SpatialDim": "LAO", "TimeDim": 2019,
         "Dim1Type": "SEX", "Dim1": "SEX_MLE", "Dim2Type": "RESIDENCEAREATYPE",
         "Dim2": "RESIDENCEAREATYPE_URB", "NumericValue": None, "Value": ">=80"},
        {"IndicatorCode": "X", "SpatialDimType": "COUNTRY", "SpatialDim": "LAO", "TimeDim": 2020,
         "NumericValue": None, "Value": None},
    ]}  # fmt: skip
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    rec = who_gho.read(path, tmp_path)
    assert rec["series"].tolist() == ["X [RESIDENCEAREATYPE=RUR]", "X [RESIDENCEAREATYPE=URB]"]
    assert rec["sex"].tolist() == ["female", "male"] and rec["raw"].tolist() == ["1.5", ">=80"]
    assert rec["source"].tolist() == ["WHO Global Health Observatory (OData API)"] * 2


def test_split_display_and_bad_input(tmp_path):
    assert who_gho.split_display("95.1 [85.1-104.3]") == ("95.1", "85.1", "104.3")
    assert who_gho.split_display("-1.5 [-3.2--0.4]") == ("-1.5", "-3.2", "-0.4")
    assert who_gho.split_display(">=80") == (">=80", "", "")
    bad = tmp_path / "bad.json"
    bad.write_text('{"value": [1, 2]}', encoding="utf-8")
    with pytest.raises(who_gho.SourceError, match=r"bad\.json: value\[0\] is a int"):
        who_gho.read(bad, tmp_path)
