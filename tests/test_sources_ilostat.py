"""ILOSTAT bulk CSV reader, checked against the raw file (parsed independently)."""

from __future__ import annotations

import csv

import pytest

from mtr_analysis.intake.sources import detect_format, ilostat
from mtr_analysis.intake.store import source_kind
from mtr_analysis.reference.registry import iso3_codes

ILO = "ilo/SDG_0831_SEX_ECO_RT_A.csv"
AMS = set(iso3_codes())


@pytest.fixture(scope="module")
def real(real_dir):
    rows = list(csv.DictReader((real_dir / ILO).read_text(encoding="utf-8-sig").splitlines()))
    return rows, ilostat.read(real_dir / ILO, real_dir)


def test_real_file_is_detected_and_every_value_is_a_record(real_dir, real):
    assert detect_format(real_dir / ILO) == ("ilostat", "")
    rows, rec = real
    assert len(rec) == sum(1 for r in rows if r["obs_value"])
    # the indicator column, no _A; the non-agricultural item as its own series
    assert set(rec["series"]) == {"SDG_0831_SEX_ECO_RT", "SDG_0831_SEX_ECO_RT:ECO_AGNAG_NAG"}
    assert set(rec["source"]) == {"ILOSTAT bulk download"}
    assert set(source_kind(rec["source"])) == {"ilo"}  # not taken for the UN SDG database


def test_real_one_total_per_area_year_sex_is_selected_and_equals_the_raw(real):
    rows, rec = real
    kept = rec[rec["skip"].eq("") & rec["country"].isin(AMS)]
    assert not kept.duplicated(["series", "country", "year", "sex"]).any()
    kept = kept[kept["series"] == "SDG_0831_SEX_ECO_RT"]
    # Independent: the ECO_AGGREGATE_TOTAL row, else the only total (ECO_AGNAG_TOTAL).
    expected = {}
    for r in rows:
        if r["ref_area"] in AMS and r["sex"] in ("SEX_T", "SEX_M", "SEX_F") and r["obs_value"]:
            key = (r["ref_area"], int(r["time"]), {"SEX_T": "total", "SEX_M": "male",
                                                   "SEX_F": "female"}[r["sex"]])  # fmt: skip
            if r["classif1"] == "ECO_AGGREGATE_TOTAL" or (
                r["classif1"] == "ECO_AGNAG_TOTAL" and key not in expected
            ):
                expected[key] = r["obs_value"]
    got = {(r.country, r.year, r.sex): r.raw for r in kept.itertuples()}
    assert got == expected and len(got) > 50
    vnm = kept[kept["country"].eq("VNM") & kept["year"].eq(2022) & kept["sex"].eq("total")]
    assert vnm["note"].iloc[0].startswith("ILOSTAT source BA:1788")


def test_real_breakdowns_and_repeated_totals_are_out_of_scope_with_reasons(real):
    _rows, rec = real
    skip = rec["skip"]
    assert skip.str.startswith("economic-activity breakdown ECO_").sum() > 30000
    rep = skip[skip.str.startswith("total repeated by classification")]
    assert set(rep) == {
        "total repeated by classification ECO_SECTOR_TOTAL (kept: ECO_AGGREGATE_TOTAL)",
        "total repeated by classification ECO_AGNAG_TOTAL (kept: ECO_AGGREGATE_TOTAL)",
    }
    assert skip.str.startswith("sex SEX_O not held by the store").sum() > 0


def test_synthetic_periods_sex_and_bad_header(tmp_path):
    path = tmp_path / "X_A.csv"
    path.write_text(
        "ref_area,indicator,source,sex,classif1,time,obs_value\n"
        "LAO,X_RT,BA:1,SEX_F,ECO_AGNAG_TOTAL,2019,12.5\n"
        "LAO,X_RT,BA:1,SEX_F,AGE_YTHADULT_Y15-24,2019,3\n"
        "LAO,X_RT,BA:1,SEX_T,ECO_AGNAG_TOTAL,2019M03,4\n"
        "LAO,X_RT,BA:1,SEX_T,ECO_AGNAG_TOTAL,2020,\n",
        encoding="utf-8",
    )
    rec = ilostat.read(path, tmp_path)
    assert rec["raw"].tolist() == ["12.5", "3", "4"]
    assert rec["sex"].tolist()[0] == "female" and rec["year"].tolist()[0] == 2019
    assert rec["skip"].tolist() == [
        "",
        "breakdown AGE_YTHADULT_Y15-24 (the store keeps totals)",
        "period '2019M03' is not a year (annual values only)",
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("ref_area,indicator,time\nLAO,X,2019\n", encoding="utf-8")
    assert not ilostat.sniff(bad)
    with pytest.raises(ilostat.SourceError, match=r"bad\.csv, line 1: .*missing obs_value"):
        ilostat.read(bad, tmp_path)


def test_non_agricultural_item_is_its_own_series_as_in_the_raw_file(real_dir):
    """ECO_AGNAG_NAG rows (informal share of non-agricultural employment, the World Bank's
    SL.ISV.IFRM.ZS) are read as ``SDG_0831_SEX_ECO_RT:ECO_AGNAG_NAG`` and reach the
    catalogue's informal-employment indicator; other breakdown items stay out of scope."""
    import csv

    from mtr_analysis.intake.fetch import ilo_id
    from mtr_analysis.reference.catalogue import load_catalogue

    path = real_dir / "ilo" / "SDG_0831_SEX_ECO_RT_A.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        raw = [r for r in csv.DictReader(fh)
               if r["classif1"] == "ECO_AGNAG_NAG" and r["obs_value"].strip()
               and r["sex"] != "SEX_O"]  # fmt: skip
    recs = ilostat.read(path, path.parent)
    nag = recs[recs["series"].eq("SDG_0831_SEX_ECO_RT:ECO_AGNAG_NAG") & recs["skip"].eq("")]
    assert len(nag) == len(raw)
    vnm = {(r["time"], r["sex"]): r["obs_value"] for r in raw if r["ref_area"] == "VNM"}
    got = nag[nag["country"] == "VNM"]
    assert len(got) == len(vnm) > 0
    sex = {"total": "SEX_T", "male": "SEX_M", "female": "SEX_F"}
    assert all(vnm[(str(r.year), sex[r.sex])] == r.raw for r in got.itertuples())
    assert (
        recs.loc[recs["series"] == "SDG_0831_SEX_ECO_RT", "skip"]
        .str.contains("ECO_AGNAG_AGR")
        .any()
    )
    mapped = load_catalogue().series_map()
    assert mapped["SDG_0831_SEX_ECO_RT:ECO_AGNAG_NAG"] == "b_informal_employment"
    assert ilo_id("SDG_0831_SEX_ECO_RT:ECO_AGNAG_NAG") == "SDG_0831_SEX_ECO_RT_A"
