"""Readers checked against the raw bytes of real files with an independent parse."""

import csv

import pandas as pd
import pytest

from mtr_analysis.intake.sources import SourceError, detect_format, national, wdi
from mtr_analysis.intake.sources.text import TALLY
from mtr_analysis.reference import registry

SMSS = "wdi/api_indicator/API_SH.STA.SMSS.ZS_DS2_en_csv_v2_33860.csv"


def _raw_cells(path):
    """Independent parse: skip to the header line, split with the csv module."""
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('"Country Name"'))
    rows = list(csv.reader(lines[start:]))
    return rows[0], {r[1]: (i + start + 1, r) for i, r in enumerate(rows[1:], start=1) if r}


def test_wdi_reader_matches_raw_file(real_dir):
    path = real_dir / SMSS
    records = wdi.read(path, real_dir)
    header, rows = _raw_cells(path)
    line_no, vnm = rows["VNM"]
    got = records[records["country"] == "VNM"].set_index("year")
    for j, h in enumerate(header):
        if h.isdigit():
            if vnm[j]:
                assert got.loc[int(h), "raw"] == vnm[j]
                assert got.loc[int(h), "locator"] == f"line {line_no}, column {h}"
            else:
                assert int(h) not in got.index
    assert got["source"].iloc[0] == "World Bank World Development Indicators, updated 2026-07-13"
    assert got["country_name"].iloc[0] == "Viet Nam"
    non_empty = sum(1 for _, r in rows.values() for h, c in zip(header, r) if h.isdigit() and c)
    # Member states (and Timor-Leste) are records; every other economy's cells are counted
    # per economy without a record each (a bulk file would not fit in memory otherwise).
    tally = records.attrs[TALLY].set_index("country")["cells"]
    assert len(records) + tally.sum() == non_empty
    members = set(registry.iso3_codes(include_optional=True))
    assert set(records["country"]) <= members and not members & set(tally.index)
    for code in ("EAS", "WLD", "USA", "ZWE"):
        _line, row = rows[code]
        assert tally[code] == sum(1 for h, c in zip(header, row) if h.isdigit() and c)


def test_format_detected_from_content_not_name(real_dir, tmp_path):
    src = real_dir / SMSS
    renamed = tmp_path / "download.csv"
    renamed.write_bytes(src.read_bytes())
    assert detect_format(renamed)[0] == "wdi_csv"
    fake = tmp_path / "API_SH.STA.SMSS.ZS_DS2_en_csv_v2_1.csv"
    fake.write_text("a,b\n1,2\n", encoding="utf-8")
    fmt, reason = detect_format(fake)
    assert fmt is None and reason.startswith("layout: line 1 (2 columns: 'a', 'b')")
    meta = next((real_dir / "wdi/api_indicator").glob("Metadata_Country_*.csv"))
    assert detect_format(meta)[0] == "wdi_metadata"


def test_wdi_reader_windows_1252_and_missing_header(tmp_path):
    text = ('"Data Source","World Development Indicators",\r\n\r\n'
            '"Country Name","Country Code","Indicator Name","Indicator Code","2015","2016",\r\n'
            '"Côte d\'Ivoire","CIV","x","SH.STA.MMRT","1","",\r\n')  # fmt: skip
    p = tmp_path / "a.csv"
    p.write_bytes(text.encode("cp1252"))
    rec = wdi.read(p)
    # A non-member economy is counted, not recorded: its name still decodes from cp1252.
    assert rec.empty
    assert rec.attrs[TALLY].values.tolist() == [["CIV", "Côte d'Ivoire", "", 1]]
    bad = tmp_path / "b.csv"
    bad.write_text('"Data Source","WDI",\n"a","b"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="b.csv: no WDI header row"):
        wdi.read(bad)


def test_national_template_round_trip(tmp_path):
    values = pd.DataFrame(
        {"indicator": ["b_mmr", "b_mmr", "c_forest_area"], "year": [2015, 2019, 2020],
         "value": [46.0, 43.5, 42.1], "source": ["GSO", "GSO", "MARD"], "note": ["", "", "n"]}
    )  # fmt: skip
    path = national.write_template("Vietnam", tmp_path / "vn.xlsx", values=values)
    assert detect_format(path)[0] == "national_workbook"
    rec = national.read(path, tmp_path)
    assert len(rec) == 3
    mmr = rec[rec["series"] == "b_mmr"].set_index("year")
    assert float(mmr.loc[2019, "raw"]) == 43.5
    assert mmr.loc[2015, "source"] == "National submission VNM: GSO"
    # b_mmr is catalogue row 17 → sheet row 6 + 17 = 23; 2015 is column E + 5 = J
    assert mmr.loc[2015, "locator"] == "Data!J23"


def test_national_template_layout_change_is_explained(tmp_path):
    from openpyxl import load_workbook

    path = national.write_template("THA", tmp_path / "th.xlsx")
    wb = load_workbook(path)
    wb["Data"]["F6"] = "Year 2011"
    wb.save(path)
    with pytest.raises(SourceError, match=r"th.xlsx, sheet Data, cell F6: layout changed.*'2011'"):
        national.read(path)


def test_template_has_number_validation_on_year_cells(tmp_path):
    from openpyxl import load_workbook

    ws = load_workbook(national.write_template("KHM", tmp_path / "kh.xlsx"))["Data"]
    dvs = ws.data_validations.dataValidation
    assert len(dvs) == 1 and dvs[0].type == "decimal"
    assert str(dvs[0].sqref) == "E7:T74"  # 16 year columns × 68 indicators
