"""WDI ``.xls`` download and Metadata_Country aggregates, checked against the CSV twin and
the raw workbook cells (parsed independently with the csv module and xlrd)."""

import csv
import datetime as dt

import pytest

from mtr_analysis.intake.sources import detect_format, wdi

API = "wdi/api_indicator/"
XLS = API + "API_SI.POV.DDAY_DS2_en_excel_v2_5346041.xls"
CSV = API + "API_SI.POV.DDAY_DS2_en_csv_v2_5349804.csv"
META_2023 = API + "Metadata_Country_API_SI.POV.DDAY_DS2_en_csv_v2_5349804.csv"
META_2026 = API + "Metadata_Country_API_SH.STA.SMSS.ZS_DS2_en_csv_v2_33860.csv"


@pytest.fixture(scope="module")
def xls_records(real_dir):
    return wdi.read(real_dir / XLS, real_dir)


def _csv_table(path):
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('"Country Name"'))
    rows = list(csv.reader(lines[start:]))
    return rows[0], {r[1]: r for r in rows[1:] if r}


def _a1(cell):
    """``"AS9"`` → (row index 8, column index 44), zero-based as xlrd counts."""
    letters = "".join(ch for ch in cell if ch.isalpha())
    colx = 0
    for ch in letters:
        colx = colx * 26 + ord(ch) - 64
    return int(cell[len(letters) :]) - 1, colx - 1


def test_xls_detected_from_content(real_dir, tmp_path):
    renamed = tmp_path / "poverty_download.bin"
    renamed.write_bytes((real_dir / XLS).read_bytes())
    assert detect_format(renamed) == ("wdi_csv", "")
    # An OLE2 (xls) signature with no workbook behind it: not WDI, and no exception.
    fake = tmp_path / "API_SI.POV.DDAY_DS2_en_excel_v2_1.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    fmt, reason = detect_format(fake)
    assert fmt is None and reason.startswith("layout: an Excel 97-2003")
    # An SDG workbook named like a WDI download is not taken for WDI.
    sdg = tmp_path / "API_SH.STA.MMRT_DS2_en_excel_v2_1.xls"
    sdg.write_bytes((real_dir / "unsdg/goal_exports/Flavio-Mangione/Goal5.xlsx").read_bytes())
    assert detect_format(sdg)[0] == "unsdg"


def test_xls_values_equal_the_csv_twin_and_the_cells(real_dir, xls_records):
    import xlrd

    header, rows = _csv_table(real_dir / CSV)
    sheet = xlrd.open_workbook(str(real_dir / XLS)).sheet_by_name("Data")
    for code in ("VNM", "IDN", "EAS"):
        got = xls_records[xls_records["country"] == code].set_index("year")
        expected = {int(h): c for h, c in zip(header, rows[code]) if h.isdigit() and c}
        assert len(expected) >= 5
        assert set(got.index) == set(expected)
        for year, text in expected.items():
            assert got.loc[year, "raw"] == text  # "24.4" as in the CSV, "45" for 45.0
            locator = got.loc[year, "locator"]
            sheet_name, cell = locator.split("!")
            assert sheet_name == "Data"
            row, colx = _a1(cell)
            assert sheet.cell_value(row, colx) == float(text)
            assert sheet.cell_value(row, 1) == code
            assert sheet.cell_value(3, colx) == str(year)  # the header row
    non_empty = sum(1 for r in rows.values() for h, c in zip(header, r) if h.isdigit() and c)
    assert len(xls_records) == non_empty


def test_xls_source_date_from_the_excel_serial(real_dir, xls_records):
    import xlrd

    sheet = xlrd.open_workbook(str(real_dir / XLS)).sheet_by_name("Data")
    assert sheet.cell_value(1, 0) == "Last Updated Date"
    serial = sheet.cell_value(1, 1)
    date = (dt.date(1899, 12, 30) + dt.timedelta(days=int(serial))).isoformat()
    assert date == "2023-03-01"
    assert set(xls_records["source"]) == {
        f"World Bank World Development Indicators, updated {date}"
    }
    # The CSV twin of the same vintage gives the same source string.
    assert set(wdi.read(real_dir / CSV, real_dir)["source"]) == set(xls_records["source"])


def _aggregates_by_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return {r["Country Code"] for r in rows if not r["Region"]}, {r["Country Code"] for r in rows}


@pytest.mark.parametrize("meta", [META_2023, META_2026])
def test_aggregate_codes_are_rows_without_region(real_dir, meta):
    expected, all_codes = _aggregates_by_csv(real_dir / meta)
    got = wdi.aggregate_codes(real_dir / meta)
    assert got == expected
    assert {"EAS", "WLD", "LMY"} <= got
    assert not got & {"VNM", "THA", "LAO", "TLS"}
    assert "INX" not in all_codes  # "Not classified": in data files, absent from metadata


def test_aggregate_codes_from_the_xls_sheet(real_dir):
    assert wdi.aggregate_codes(real_dir / XLS) == wdi.aggregate_codes(real_dir / META_2023)


def test_aggregate_codes_refuses_other_files(real_dir):
    with pytest.raises(wdi.SourceError, match="Metadata_Country header"):
        wdi.aggregate_codes(real_dir / CSV)
