"""Intake fault corpus: every bad or odd input cell is read or accounted for, with the reason.

Each case is a small file generated here; the test asserts the exact outcome: the value
read, the rejection or out-of-scope reason, or the message naming the specific cause.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from mtr_analysis import paths
from mtr_analysis.cli import DATA_PROBLEMS, main
from mtr_analysis.intake.build import build, detect
from mtr_analysis.intake.sources import ENCRYPTED, SourceError, databank, national, unsdg
from mtr_analysis.reference import registry

HEADER = "Country Name,Country Code,Series Name,Series Code"
LE = "Life expectancy at birth, total (years)"
FOOTER = "\n\nData from database: World Development Indicators\nLast Updated: 07/13/2026\n"


def _databank(path, years: str, rows: list[str], sep: str = ",", newline: str = "\n") -> None:
    lines = [f"{HEADER},{years}".replace(",", sep), *rows]
    path.write_text(newline.join(lines) + FOOTER.replace("\n", newline), encoding="utf-8")


def _value(store: pd.DataFrame, country: str, year: int) -> float:
    row = store[store["country"].eq(country) & store["year"].eq(year)]
    return float(row["value"].iloc[0])


# --- year headers, non-year headers, ragged rows ------------------------------------------


def test_databank_year_headers_in_every_written_form_are_read(tmp_path):
    path = tmp_path / "db.csv"
    _databank(path, "YR2015,2016 [YR2016],2017.0,Notes",
              [f'Viet Nam,VNM,"{LE}",SP.DYN.LE00.IN,73.1,73.2,73.3,provisional,74.0']
              )  # fmt: skip
    rec = databank.read(path, tmp_path)
    years = rec.loc[rec["issue"].eq("") & rec["skip"].eq(""), ["year", "raw"]]
    assert years.values.tolist() == [[2015, "73.1"], [2016, "73.2"], [2017, "73.3"]]
    notes = rec.loc[rec["skip"].ne("")]
    assert notes[["raw", "skip", "locator"]].values.tolist() == [
        ["provisional", "column 'Notes' is not a year", "line 2, column 8"]
    ]
    ragged = rec.loc[rec["issue"].ne("")]
    assert ragged[["raw", "issue"]].values.tolist() == [
        ["74.0", "cell beyond the header (line 2 has 9 cells, the header 8)"]
    ]


def test_build_counts_non_year_and_ragged_cells(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _databank(raw / "db.csv", "YR2015,Notes",
              [f'Viet Nam,VNM,"{LE}",SP.DYN.LE00.IN,73.1,provisional,74.0,75.0']
              )  # fmt: skip
    result = build([raw], tmp_path / "out")
    (f,) = result.files
    assert (f.records_read, f.accepted, f.rejected, f.out_of_scope) == (4, 1, 2, 1)
    assert f.out_of_scope_reasons == {"column 'Notes' is not a year": 1}
    assert (
        result.rejects["reason"].tolist()
        == ["cell beyond the header (line 2 has 8 cells, the header 6)"] * 2
    )
    assert result.rejects["locator"].tolist() == ["line 2, column 7", "line 2, column 8"]


# --- formula cells without a cached value --------------------------------------------------


def test_formula_without_cached_value_is_rejected_with_its_cell(tmp_path):
    raw = tmp_path / "raw"
    path = national.write_template("VNM", raw / "vn.xlsx")
    wb = load_workbook(path)
    ws = wb["Data"]
    row = next(r for r in range(7, ws.max_row + 1) if ws.cell(r, 1).value == "b_mmr")
    ws[f"E{row}"] = "=40+6"  # openpyxl writes no cached value: data_only reads None
    ws[f"F{row}"] = 45
    wb.save(path)
    result = build([raw], tmp_path / "out")
    assert result.rejects[["locator", "value", "reason"]].values.tolist() == [
        [f"Data!E{row}", "=40+6", national.FORMULA_NO_CACHE]
    ]
    assert national.FORMULA_NO_CACHE == "formula without a cached value (open and save in Excel)"
    assert _value(result.observations, "VNM", 2011) == 45.0


# --- invisible characters in codes and names ------------------------------------------------


@pytest.mark.parametrize(
    "text", ["VNM\u200b", "V\u200bNM", "\ufeffVNM", "VNM\u00a0", "Viet\u00a0Nam", "Viet\u200dNam"]
)
def test_invisible_characters_never_hide_a_member_state(text):
    assert registry.to_iso3(text) == "VNM"


def test_clean_text_removes_invisible_characters_only():
    assert registry.clean_text("V\u200bNM\u2060") == "VNM"
    assert registry.clean_text("Viet\u00a0Nam") == "Viet Nam"
    assert registry.clean_text(" Lao PDR ") == "Lao PDR"


def test_normalised_keys_are_listed_in_intake_json(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _databank(raw / "db.csv", "2015 [YR2015]",
              [f'Viet Nam,V\u200bNM,"{LE}",SP.DYN.LE00.IN\u200b,73.1',
               f'Thailand,THA,"{LE}",SP.DYN.LE00.IN,76.0'])  # fmt: skip
    result = build([raw], tmp_path / "out")
    assert _value(result.observations, "VNM", 2015) == 73.1
    assert result.files[0].accepted == 2
    listed = json.loads((tmp_path / "out" / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    assert listed["normalised_keys"] == [
        {"path": "db.csv", "column": "country", "found": "V\\u200bNM", "read_as": "VNM",
         "records": 1},
        {"path": "db.csv", "column": "series", "found": "SP.DYN.LE00.IN\\u200b",
         "read_as": "SP.DYN.LE00.IN", "records": 1},
    ]  # fmt: skip


# --- whole files: encoding, separator, line endings ---------------------------------------


ROWS = [f'Viet Nam,VNM,"{LE}",SP.DYN.LE00.IN,73.5']


@pytest.mark.parametrize(
    ("codec", "note"),
    [
        ("utf-16", "encoding UTF-16 (with BOM) detected, read as UTF-16"),
        ("utf-16-le", "encoding UTF-16 (without BOM) detected, read as UTF-16"),
    ],
)
def test_utf16_text_is_read_and_noted(tmp_path, codec, note):
    raw = tmp_path / "raw"
    raw.mkdir()
    text = f"{HEADER},2015 [YR2015]\n" + "\n".join(ROWS) + FOOTER
    (raw / "db.csv").write_bytes(text.encode(codec))
    result = build([raw], tmp_path / "out")
    assert result.files[0].format == "databank_csv"
    assert result.files[0].notes == [note]
    assert _value(result.observations, "VNM", 2015) == 73.5


def test_semicolon_csv_with_decimal_comma_is_read(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _databank(raw / "db.csv", "2015 [YR2015];2016 [YR2016]",
              [f'Viet Nam;VNM;"{LE}";SP.DYN.LE00.IN;73,955;1.234,5'], sep=";")  # fmt: skip
    result = build([raw], tmp_path / "out")
    assert result.files[0].notes == ["separator ';' detected (decimal commas read as points)"]
    assert _value(result.observations, "VNM", 2015) == 73.955  # not 73 955
    # 1.234,5 is read as 1234.5 (not 1.2345), which the life-expectancy bound then rejects.
    assert result.rejects[["locator", "value", "reason"]].values.tolist() == [
        ["line 2, column 2016", "1234.5", "implausible: b_life_expectancy above 100 (1234.5)"]
    ]


def test_cr_only_line_endings_are_read(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _databank(raw / "db.csv", "2015 [YR2015]", ROWS, newline="\r")
    result = build([raw], tmp_path / "out")
    assert result.files[0].notes == ["CR-only line endings, read as line breaks"]
    assert _value(result.observations, "VNM", 2015) == 73.5
    assert result.observations["source"].iloc[0] == (
        "World Bank World Development Indicators, updated 2026-07-13 (DataBank export)"
    )


# --- whole files that cannot be read: the specific cause ----------------------------------


def test_edited_template_title_says_what_was_expected(tmp_path):
    path = national.write_template("VNM", tmp_path / "vn.xlsx")
    wb = load_workbook(path)
    wb["Data"]["A1"] = "Viet Nam data 2025"
    wb.save(path)
    assert detect(path) == (
        None,
        "layout: sheet 'Data' looks like the national template but cell A1 holds "
        "'Viet Nam data 2025', expected a title starting with "
        "'mtr-analysis national data template' (do not edit the title; regenerate the "
        "workbook with `mtr template`)",
    )


def test_encrypted_workbook_is_named(tmp_path):
    path = tmp_path / "vn.xlsx"
    # An OLE/CFB container whose directory names the EncryptedPackage stream, as Excel
    # writes a password-protected .xlsx.
    body = b"\x00" * 1000 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + body)
    assert detect(path) == (None, ENCRYPTED)
    assert ENCRYPTED.startswith("workbook is password-protected")


def test_json_whose_records_are_strings(tmp_path):
    flat = tmp_path / "list.json"
    flat.write_text('["VNM 2015 73.1", "THA 2015 76.0"]', encoding="utf-8")
    assert detect(flat) == (
        None,
        "JSON records are not objects (found a str: 'VNM 2015 73.1'); expected a UNSD "
        "per-series JSON with refAreas",
    )
    unsd = tmp_path / "sdg.json"
    unsd.write_text(json.dumps({"seriesCode": "SH_STA_MORT", "refAreas": ["VNM"]}))
    assert detect(unsd) == ("unsdg", "")
    with pytest.raises(SourceError, match=r"sdg.json: records are not objects \(refAreas\[0\]"):
        unsdg.read(unsd, tmp_path)


# --- conflicting duplicates ---------------------------------------------------------------


def _national(path, value: float) -> None:
    national.write_template("VNM", path)
    wb = load_workbook(path)
    ws = wb["Data"]
    row = next(r for r in range(7, ws.max_row + 1) if ws.cell(r, 1).value == "b_mmr")
    ws[f"J{row}"] = value  # 2015
    wb.save(path)


def test_resubmissions_and_duplicates_in_a_file_are_listed_with_the_rule(tmp_path):
    raw = tmp_path / "raw"
    _national(raw / "VNM_2025-01.xlsx", 46.0)
    _national(raw / "VNM_2025-06.xlsx", 52.0)
    _databank(raw / "db.csv", "2015 [YR2015]",
              [f'Thailand,THA,"{LE}",SP.DYN.LE00.IN,76.0',
               f'Thailand,THA,"{LE}",SP.DYN.LE00.IN,77.5'])  # fmt: skip
    result = build([raw], tmp_path / "out")
    listed = pd.read_csv(tmp_path / "out" / paths.CONFLICTS_FILE)
    got = listed[["country", "selected_value", "other_value", "conflict", "rule"]]
    assert sorted(got.values.tolist()) == [
        ["THA", 76.0, 77.5, "within one file",
         "same file: first cell kept (line 2, column 2015 over line 3, column 2015)"],
        ["VNM", 52.0, 46.0, "between resubmissions",
         "same date and source: later file name 'VNM_2025-06.xlsx'"],
    ]  # fmt: skip
    assert result.intake["totals"]["conflicts"] == 2


# --- exit codes ---------------------------------------------------------------------------


def _clean_raw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _databank(raw / "db.csv", "2015 [YR2015]", ROWS)
    return raw


def test_build_exit_codes(tmp_path, capsys):
    raw = _clean_raw(tmp_path)
    out = str(tmp_path / "out")
    assert main(["build", "--raw", str(raw), "--out", out, "--quiet"]) == 0
    (raw / "bad.csv").write_text(f"{HEADER},2015 [YR2015]\n{ROWS[0][:-4]}abc\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["build", "--raw", str(raw), "--out", out, "--quiet"]) == DATA_PROBLEMS == 3
    captured = capsys.readouterr()
    assert "  bad.csv: 1 read, 0 accepted, 1 rejected, 0 out of scope" in captured.out
    assert "mtr build: 0 file(s) not read, 1 value(s) rejected (exit 3;" in captured.err
    assert main(["build", "--raw", str(raw), "--out", out, "--quiet", "--allow-rejects"]) == 0
    (raw / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
                                      + "EncryptedPackage".encode("utf-16-le"))  # fmt: skip
    capsys.readouterr()
    assert main(["build", "--raw", str(raw), "--out", out, "--quiet", "--allow-rejects"]) == 3
    assert f"  NOT READ locked.xlsx: not recognised: {ENCRYPTED}" in capsys.readouterr().out


def test_build_usage_error_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["build", "--no-such-option"])
    assert exc.value.code == 2
    assert main(["build", "--raw", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 2


def test_validate_exit_codes(tmp_path, capsys):
    raw = _clean_raw(tmp_path)
    assert main(["validate", str(raw / "db.csv")]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER},2015 [YR2015]\n{ROWS[0][:-4]}abc\n", encoding="utf-8")
    assert main(["validate", str(bad)]) == 3
    assert "bad.csv, line 2, column 2015: not a number: abc" in capsys.readouterr().out
    flat = tmp_path / "list.json"
    flat.write_text('["a"]', encoding="utf-8")
    assert main(["validate", str(flat)]) == 3
    assert "JSON records are not objects" in capsys.readouterr().err
    assert main(["validate", str(tmp_path / "nope.csv")]) == 2


# --- ragged rows in the other CSV readers (same reason text as WDI/DataBank) --------------

SDG_HEADER = "Goal,Target,Indicator,SeriesCode,GeoAreaCode,GeoAreaName,TimePeriod,Value,Units"
SDG_ROW = "3,3.2,3.2.1,SH_DYN_MORT,704,Viet Nam,2015,21.7,PER_1000_LIVE_BIRTHS"
HDR_HEADER = "iso3,country,hdicode,region,le_2015,le_2016,le_2017,le_2018,le_2019"
ASEAN_HEADER = "Destination Country,Origin Country,2016,2017"

RAGGED_CASES = {
    # file name: (text, reasons, (read, accepted, rejected, out of scope))
    "sdg.csv": (
        f"{SDG_HEADER}\n{SDG_ROW},21.9,provisional\n{SDG_ROW.replace('2015', '2016')}\n",
        ["cell beyond the header (line 2 has 11 cells, the header 9)"] * 2,
        (4, 2, 2, 0),
    ),
    "hdr.csv": (
        f"{HDR_HEADER}\nVNM,Viet Nam,High,EAP,73.1,73.2,73.3,73.4,73.5,73.6\n",
        ["cell beyond the header (line 2 has 10 cells, the header 9)"],
        (6, 5, 1, 0),
    ),
    "asean.csv": (
        f'{ASEAN_HEADER}\n"Brunei Darussalam","Cambodia [KH]","318","356","400"\n',
        ["cell beyond the header (line 2 has 5 cells, the header 4)"],
        (3, 0, 1, 2),
    ),
}


@pytest.mark.parametrize("name", sorted(RAGGED_CASES))
def test_ragged_rows_are_rejected_and_counted(tmp_path, name):
    text, reasons, counts = RAGGED_CASES[name]
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / name).write_text(text, encoding="utf-8")
    result = build([raw], tmp_path / "out")
    (f,) = result.files
    assert (f.records_read, f.accepted, f.rejected, f.out_of_scope) == counts
    assert f.records_read == f.accepted + f.rejected + f.out_of_scope
    assert result.rejects["reason"].tolist() == reasons


def test_sdg_xlsx_formula_without_cached_value_is_rejected_with_its_cell(tmp_path):
    from openpyxl import Workbook

    raw = tmp_path / "raw"
    raw.mkdir()
    wb = Workbook()
    ws = wb.active
    ws.title = "Goal3"
    ws.append(SDG_HEADER.split(","))
    ws.append([*SDG_ROW.split(",")[:6], 2015, "=20+1.7", "PER_1000_LIVE_BIRTHS"])
    ws.append([*SDG_ROW.split(",")[:6], 2016, 20.9, "PER_1000_LIVE_BIRTHS"])
    wb.save(raw / "sdg.xlsx")  # openpyxl writes no cached value: data_only reads None
    result = build([raw], tmp_path / "out")
    (f,) = result.files
    assert (f.records_read, f.accepted, f.rejected, f.out_of_scope) == (2, 1, 1, 0)
    assert result.rejects[["locator", "value", "reason"]].values.tolist() == [
        ["Goal3!H2", "=20+1.7", "formula without a cached value (open and save in Excel)"]
    ]
    assert _value(result.observations, "VNM", 2016) == 20.9
