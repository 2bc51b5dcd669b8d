"""Cleaning quirks, each checked on the real file where it occurs (read independently)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtr_analysis.intake import clean
from mtr_analysis.intake.build import read_file
from mtr_analysis.intake.clean import parse_values
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.reference.registry import iso3_codes

AMS = set(iso3_codes())
DEFC = "unsdg/unstats_countryprofiles_2019Q2/Indicator_2.1.1_Series_SN_ITK_DEFC.json"
PARL = "wdi/api_indicator/API_SG.GEN.PARL.ZS_DS2_en_csv_v2_3731396.csv"
POV = "wdi/api_indicator/API_SI.POV.DDAY_DS2_en_csv_v2_5349804.csv"
POV_XLS = "wdi/api_indicator/API_SI.POV.DDAY_DS2_en_excel_v2_5346041.xls"


def _wdi_rows(path):
    """Independent parse of a WDI CSV: header and rows keyed by country code, with line no."""
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('"Country Name"'))
    rows = list(csv.reader(lines[start:]))
    return rows[0], {r[1]: (start + i + 1, r) for i, r in enumerate(rows[1:], 1) if len(r) > 1}


def test_numbers_missing_markers_censored_and_separators():
    raw = pd.Series(["1.5", "", "..", "n.a.", "N", "-", "<2.5", ">95", "1 234 567", "1,234.5",
                     "abc", "-3e2", " 7 ", "1,23", None, "20\u00a0844"])  # fmt: skip
    out = parse_values(raw)
    expected = [1.5, None, None, None, None, None, 2.5, 95, 1234567, 1234.5, None, -300, 7, None,
                None, 20844]  # fmt: skip
    for got, exp in zip(out["value"], expected):
        assert (math.isnan(got) and exp is None) or got == exp
    assert out["missing"].tolist() == [False, True, True, True, True, True, False, False, False,
                                       False, False, False, False, False, True, False]  # fmt: skip
    assert out.loc[6, "flag"] == "censored_lt" and out.loc[7, "flag"] == "censored_gt"
    assert out.loc[10, "reason"] == "not a number: abc"
    assert out.loc[13, "reason"] == "not a number: 1,23"  # not a thousands grouping
    assert (out.loc[out["missing"], "reason"] == "").all()


def test_missing_marker_dots_in_real_databank_export(real_dir):
    text = (real_dir / "wdi/databank_asean_2026/yte-Data.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines()))
    years = [j for j, h in enumerate(rows[0]) if re.match(r"\d{4} \[YR\d{4}\]", h)]
    cells = pd.Series([r[j] for r in rows[1:] if len(r) > 4 and r[1] for j in years])
    out = parse_values(cells)
    dots = cells.eq("..")
    assert dots.sum() > 50
    assert out["missing"].equals(dots)
    assert (out.loc[~dots, "value"] == cells[~dots].astype(float)).all()
    assert out["reason"].eq("").all()


def test_censored_and_na_values_in_real_unsd_json(real_dir):
    data = json.loads((real_dir / DEFC).read_text(encoding="utf-8"))
    obs = [(a["ISO3"], o) for a in data["refAreas"] if a.get("ISO3") in AMS for o in a["data"]]
    detail = pd.Series([o["value_detail"] for _, o in obs])
    out = parse_values(detail)
    censored = detail.str.startswith("<")
    assert censored.sum() > 0  # Brunei: "<2.5"
    assert (out.loc[censored, "flag"] == "censored_lt").all()
    numeric = pd.Series([o["value_numeric_part"] for _, o in obs], dtype="float64")
    assert (out.loc[censored, "value"] == numeric[censored]).all()
    na = detail.eq("NA")  # Singapore: not available
    assert na.sum() > 0 and out.loc[na, "missing"].all()
    rest = ~censored & ~na
    assert (out.loc[rest, "value"] == numeric[rest]).all()


def test_censored_value_reaches_the_store_as_bound_with_flag(real_dir, tmp_path):
    path = real_dir / DEFC
    _records, t = read_file(path, real_dir, "unsdg", load_catalogue())
    brn = t.observations[t.observations["country"].eq("BRN")]
    data = json.loads(path.read_text(encoding="utf-8"))
    raw = next(a for a in data["refAreas"] if a.get("ISO3") == "BRN")["data"]
    expected = {o["timePeriod"]: o["value_numeric_part"] for o in raw if o["value_is_censored"]}
    got = brn.loc[brn["flag"].eq("censored_lt")]
    assert dict(zip(got["year"], got["value"])) == expected


def test_space_thousands_separators_in_real_aseanstats_export(real_dir):
    text = (real_dir / "other/aseanstats/dulich-Data.csv").read_text(encoding="utf-8-sig")
    cells = pd.Series([c for r in list(csv.reader(text.splitlines()))[2:] for c in r[2:] if c])
    grouped = cells.str.contains(" ")
    assert grouped.sum() > 100  # "20 844", "4 257 189"
    out = parse_values(cells)
    assert out["reason"].eq("").all()
    assert (out["value"] == cells.str.replace(" ", "").astype(float)).all()


def test_excel_serial_date_of_real_xls_download(real_dir):
    import xlrd

    sheet = xlrd.open_workbook(str(real_dir / POV_XLS)).sheet_by_name("Data")
    label, serial = sheet.row_values(1)[:2]
    assert label == "Last Updated Date" and serial == 44986.0
    assert clean.excel_serial_to_date(serial) == dt.date(2023, 3, 1)
    # Whether the reader converts the serial or passes it on, the vintage is the same.
    got = clean.vintage_date(pd.Series(["World Bank WDI, updated 44986", "updated 2023-03-01"]))
    assert got.tolist() == [pd.Timestamp("2023-03-01")] * 2
    records, _ = read_file(real_dir / POV_XLS, real_dir, "wdi_csv", load_catalogue())
    assert set(clean.vintage_date(records["source"])) == {pd.Timestamp("2023-03-01")}


def test_vintage_dates_from_real_footers_and_releases(real_dir):
    footer = (real_dir / "wdi/databank_asean_2026/yte-Data.csv").read_text(encoding="utf-8-sig")
    last_updated = next(line for line in footer.splitlines() if line.startswith("Last Updated"))
    release = json.loads((real_dir / DEFC).read_text(encoding="utf-8"))["release"]
    got = clean.vintage_date(pd.Series([last_updated, f"UN SDG database, release {release}",
                                        "HDR 2023/24", "no date here"]))  # fmt: skip
    assert got[0] == pd.Timestamp("2026-07-13")  # "07/13/2026": month first
    assert got[1] == pd.Timestamp("2019-04-01")  # 2019.Q2 → first day of the quarter
    assert got[2] == pd.Timestamp("2023-01-01") and pd.isna(got[3])


def test_carried_forward_repeats_flagged_in_real_parliament_file(real_dir):
    path = real_dir / PARL
    _records, t = read_file(path, real_dir, "wdi_csv", load_catalogue())
    header, rows = _wdi_rows(path)
    expected = set()
    for code in AMS:
        row = rows[code][1]
        prev = None
        for h, c in zip(header, row):
            if h.isdigit() and c:
                year = int(h)
                if prev == (year - 1, c) and float(c) not in (0.0, 100.0):
                    expected.add((code, year))
                prev = (year, c)
    obs = t.observations
    flagged = set(zip(*obs.loc[obs["flag"].eq("carried_forward"), ["country", "year"]].T.values))
    assert flagged == expected
    assert {("BRN", 2018), ("BRN", 2019), ("BRN", 2020)} <= flagged
    assert ("BRN", 2017) not in flagged  # the first value of the run is kept as it is
    brn = obs[obs["country"].eq("BRN")].set_index("year")["value"]
    assert brn[2017] == brn[2018] == brn[2020]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(2000, 2012), st.sampled_from([0.0, 1.0, 2.0, 100.0])),
                min_size=1, max_size=12, unique_by=lambda t: t[0]))  # fmt: skip
def test_carried_forward_rule(points):
    obs = pd.DataFrame(
        {"file": "f", "source": "s", "source_series": "X", "country": "VNM", "indicator": "i",
         "sex": "total", "age": "total", "location": "total", "flag": "",
         "year": [p[0] for p in points], "value": [p[1] for p in points]}
    )  # fmt: skip
    out = clean.flag_carried_forward(obs)
    values = dict(points)
    for year, value, flag in zip(out["year"], out["value"], out["flag"]):
        repeat = values.get(year - 1) == value and value not in (0.0, 100.0)
        assert (flag == "carried_forward") == repeat


def test_real_2023_poverty_file_is_tagged_2017_ppp_from_its_metadata(real_dir, tmp_path):
    _records, t = read_file(real_dir / POV, real_dir, "wdi_csv", load_catalogue())
    obs = t.observations
    assert len(obs) > 0
    assert set(obs["source_series"]) == {"SI.POV.DDAY ($2.15, 2017 PPP)"}
    assert obs["note"].str.contains("from the series name").all()  # Metadata_Indicator
    alone = tmp_path / POV.rsplit("/", 1)[1]
    alone.write_bytes((real_dir / POV).read_bytes())  # without its metadata file
    _records, t = read_file(alone, tmp_path, "wdi_csv", load_catalogue())
    assert set(t.observations["source_series"]) == {"SI.POV.DDAY ($2.15, 2017 PPP)"}
    assert t.observations["note"].str.contains("from the vintage 2023-03-01").all()


@pytest.mark.parametrize(
    "date, ppp",
    [("2015-09-30", 2005), ("2015-10-01", 2011), ("2022-08-31", 2011), ("2022-09-01", 2017),
     ("2025-05-31", 2017), ("2025-06-01", 2021), ("2026-07-13", 2021), (None, None)],
)  # fmt: skip
def test_ppp_base_follows_the_world_bank_updates(date, ppp):
    assert clean.ppp_base_from_date(pd.Timestamp(date) if date else None) == ppp


def test_poverty_line_from_text_wins_and_sdg_code_is_never_dated():
    obs = pd.DataFrame(
        {"source_series": ["SI.POV.DDAY", "SI.POV.DDAY", "SI_POV_DAY1", "SI_POV_DAY1",
                           "SI.POV.LMIC", "SH.STA.MMRT"],
         "source": ["WB, updated 2026-07-13", "WB, updated 2024-01-01", "UN SDG, saved 2026-01-01",
                    "UN SDG", "WB, updated 2021-06-30", "WB, updated 2026-07-13"],
         "note": ["", "at $2.15 a day", "", "below $3.00 a day", "", ""]}
    )  # fmt: skip
    out = clean.tag_poverty_lines(obs)
    assert out["source_series"].tolist() == [
        "SI.POV.DDAY ($3.00, 2021 PPP)",
        "SI.POV.DDAY ($2.15, 2017 PPP)",
        "SI_POV_DAY1 (poverty line unknown)",
        "SI_POV_DAY1 ($3.00, 2021 PPP)",
        "SI.POV.LMIC ($3.20, 2011 PPP)",
        "SH.STA.MMRT",
    ]
    assert out.loc[1, "note"].startswith("at $2.15 a day; poverty line $2.15")
    assert clean.poverty_ppp(out["source_series"]).tolist()[:4] == [2021.0, 2017.0, 0.0, 2021.0]
    assert math.isnan(clean.poverty_ppp(out["source_series"])[5])


def test_name_variants_and_m49_codes_of_real_files(real_dir):
    data = json.loads((real_dir / DEFC).read_text(encoding="utf-8"))
    areas = [a for a in data["refAreas"] if a.get("ISO3")]
    for a in areas:
        want = a["ISO3"] if a["ISO3"] in AMS else None
        code = a["geoAreaCode"]  # zero-padded text, e.g. "096"
        assert registry.to_iso3(code) == want, code
        assert registry.to_iso3(int(code)) == want and registry.to_iso3(float(code)) == want
        if want:
            assert registry.to_iso3(a["geoAreaName"]) == want  # "Lao People's Democratic Republic"
    assert sum(a["ISO3"] in AMS for a in areas) == 10
    # ASEANstats: "Cambodia [KH]"; the ISO2 in brackets must agree with the mapping.
    text = (real_dir / "other/aseanstats/dulich-Data.csv").read_text(encoding="utf-8-sig")
    names = {r[1] for r in csv.reader(text.splitlines()) if len(r) > 1 and "[" in r[1]}
    for name in names:
        iso2 = re.search(r"\[(\w\w)\]", name)[1]
        iso3 = registry.to_iso3(name)
        if iso2 == "TL":
            assert iso3 is None and registry.to_iso3(name, include_optional=True) == "TLS"
        else:
            assert iso3 is not None and registry.get(iso3).iso2 == iso2, name
    # WDI 2023 names "Vietnam", "Lao PDR"; 2026 "Viet Nam".
    for rel in ("wdi/api_indicator/API_SH.STA.MMRT_DS2_en_csv_v2_5872348.csv",
                "wdi/api_indicator/API_SH.STA.SMSS.ZS_DS2_en_csv_v2_33860.csv"):  # fmt: skip
        _header, rows = _wdi_rows(real_dir / rel)
        for code in AMS:
            assert registry.to_iso3(rows[code][1][0]) == code


@pytest.mark.parametrize(
    ("text", "value", "flag"),
    [
        ("<2.5", 2.5, "censored_lt"),
        ("<= 5", 5.0, "censored_lt"),
        ("≤0.1", 0.1, "censored_lt"),
        ("=<3", 3.0, "censored_lt"),
        (">95", 95.0, "censored_gt"),
        (">=80", 80.0, "censored_gt"),
        ("≥ 99.5", 99.5, "censored_gt"),
        ("=>1,234", 1234.0, "censored_gt"),
    ],
)
def test_censored_values_in_every_spelling_are_kept_with_their_flag(text, value, flag):
    out = parse_values(pd.Series([text]))
    assert out.loc[0, "value"] == value and out.loc[0, "flag"] == flag
    assert out.loc[0, "reason"] == "" and not out.loc[0, "missing"]


def test_a_sign_without_a_number_is_still_rejected():
    out = parse_values(pd.Series([">=", "<abc", ">=>5"]))
    assert out["value"].isna().all() and out["flag"].eq("").all()
    assert out["reason"].tolist() == ["not a number: >=", "not a number: <abc",
                                      "not a number: >=>5"]  # fmt: skip


def test_real_who_uhc_index_greater_equal_80_is_a_censored_80(real_dir):
    """UHC_INDEX_REPORTED writes ``>=80`` for high-coverage countries (Canada, 2015)."""
    rows = list(csv.reader((real_dir / "who_gho/UHC_INDEX_REPORTED.csv").open(encoding="utf-8")))
    j = rows[0].index("Display Value")
    cells = pd.Series([r[j] for r in rows[1:]])
    ge = cells.str.startswith(">=")
    assert ge.sum() > 10
    out = parse_values(cells)
    assert out.loc[ge, "value"].eq(80.0).all() and out.loc[ge, "flag"].eq("censored_gt").all()
    assert out["reason"].eq("").all()
