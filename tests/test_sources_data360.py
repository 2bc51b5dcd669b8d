"""Data360 reader: long and wide layouts checked cell by cell against the raw files."""

from __future__ import annotations

import csv

import pytest

from mtr_analysis.intake.build import triage
from mtr_analysis.intake.sources import data360, detect_format
from mtr_analysis.reference.catalogue import load_catalogue

LONG = "wdi/data360/WB_WDI_SH_TBS_INCD.csv"
WIDE = "wdi/data360/country_populations.csv"


def _rows(path):
    """Independent parse: (header, data rows with their 1-based line)."""
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    return rows[0], [(i, r) for i, r in enumerate(rows[1:], start=2)]


def test_real_long_file_values_years_and_locators_match_the_raw_rows(real_dir):
    assert detect_format(real_dir / LONG) == ("data360", "")
    header, rows = _rows(real_dir / LONG)
    c = {h: j for j, h in enumerate(header)}
    raw = {(r[c["REF_AREA"]], int(r[c["TIME_PERIOD"]])): (i, r[c["OBS_VALUE"]])
           for i, r in rows if r[c["OBS_VALUE"]]}  # fmt: skip
    rec = data360.read(real_dir / LONG, real_dir)
    assert len(rec) == len(raw) == 5429
    vnm = rec[rec["country"].eq("VNM")].set_index("year")
    assert vnm.loc[2000, "raw"] == raw[("VNM", 2000)][1] == "296.0"
    assert vnm.loc[2000, "locator"] == f"line {raw[('VNM', 2000)][0]}, column OBS_VALUE"
    for r in rec[rec["country"].isin(["IDN", "PHL", "THA"])].itertuples():
        assert raw[(r.country, r.year)][1] == r.raw
    assert set(rec["series"]) == {"WB_WDI_SH_TBS_INCD"}  # the Data360 id, unchanged
    assert set(rec["unit"]) == {"Per 100 000 persons"}
    assert set(rec["source"]) == {"World Bank Data360, World Development Indicators (WDI)"}
    assert rec["skip"].eq("").all() and (rec[["sex", "age", "location"]] == "total").all().all()


def test_real_wide_file_reads_scientific_notation_as_the_number(real_dir):
    header, rows = _rows(real_dir / WIDE)
    c = {h: j for j, h in enumerate(header)}
    vnm = next(r for _, r in rows if r[c["REF_AREA"]] == "VNM")
    assert vnm[c["2023"]] == "1.00352192E8"
    rec = data360.read(real_dir / WIDE, real_dir)
    cells = sum(1 for _, r in rows for h, j in c.items() if h.isdigit() and r[j])
    assert len(rec) == cells
    got = rec[rec["country"].eq("VNM")].set_index("year")
    assert got.loc[2023, "raw"] == "1.00352192E8"
    assert got.loc[2023, "country_name"] == vnm[c["REF_AREA_LABEL"]] == "Vietnam"
    # Through triage: the catalogue maps WB_WDI_<code with _> in this test only (the
    # catalogue engineer adds a data360_code column).
    cat = load_catalogue()
    series_map = cat.series_map()
    code = "WB_WDI_SP_POP_TOTL"
    wdi = "SP.POP.TOTL"
    if code not in series_map and wdi not in series_map:
        pytest.skip("catalogue maps neither SP.POP.TOTL nor its Data360 id")
    mapped = rec.assign(series=rec["series"].where(rec["series"].ne(code), wdi))
    if wdi not in series_map:
        mapped["series"] = code
    obs = triage(mapped, cat).observations
    v = obs[obs["country"].eq("VNM") & obs["year"].eq(2023)]
    assert v["value"].tolist() == [100352192.0]


def _write(tmp_path, header, rows):
    path = tmp_path / "d360.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_disaggregations_are_mapped_or_kept_out_of_scope_with_the_reason(tmp_path):
    header = ["REF_AREA", "REF_AREA_LABEL", "INDICATOR", "SEX", "AGE", "URBANISATION",
              "COMP_BREAKDOWN_1", "UNIT_MEASURE", "UNIT_MULT", "TIME_PERIOD", "OBS_VALUE",
              "OBS_STATUS", "OBS_STATUS_LABEL"]  # fmt: skip
    rows = [
        ["VNM", "Viet Nam", "WB_X", "_T", "_T", "_T", "_Z", "PT", "0", "2020", "1.5", "A", ""],
        ["VNM", "Viet Nam", "WB_X", "F", "Y15T24", "R", "_Z", "PT", "3", "2020-01", "2", "E",
         "Estimated value"],
        ["VNM", "Viet Nam", "WB_X", "_T", "_T", "_T", "Q1", "PT", "0", "2020", "3", "A", ""],
        ["VNM", "Viet Nam", "WB_X", "O", "_T", "_T", "_Z", "PT", "0", "2020", "4", "A", ""],
        ["VNM", "Viet Nam", "WB_X", "_T", "_T", "_T", "_Z", "PT", "0", "2021", "", "A", ""],
    ]  # fmt: skip
    rec = data360.read(_write(tmp_path, header, rows), tmp_path)
    assert rec["raw"].tolist() == ["1.5", "2", "3", "4"]  # the empty cell is no record
    assert rec[["sex", "age", "location"]].iloc[1].tolist() == ["female", "15-24", "rural"]
    assert rec["year"].tolist() == [2020] * 4
    assert rec["unit"].tolist()[:2] == ["PT", "PT (× 10^3)"]
    assert rec["note"].iloc[1] == "OBS_STATUS: E (Estimated value)"
    assert rec["skip"].tolist() == [
        "", "",
        "disaggregation the store does not hold (COMP_BREAKDOWN_1=Q1)",
        "disaggregation the store does not hold (SEX=O)",
    ]  # fmt: skip


def test_wide_layout_ragged_cell_is_rejected_not_lost(tmp_path):
    path = _write(tmp_path, ["REF_AREA", "INDICATOR", "2019", "2020", "2021"],
                  [["LAO", "WB_X", "1", "2", "3", "9"]])  # fmt: skip
    rec = data360.read(path, tmp_path)
    assert rec["raw"].tolist() == ["9", "1", "2", "3"]
    assert rec["issue"].iloc[0].startswith("cell beyond the header (line 2 has 6 cells")


def test_not_a_data360_header_is_a_clear_error(tmp_path):
    path = _write(tmp_path, ["REF_AREA", "INDICATOR", "foo"], [["LAO", "X", "1"]])
    assert not data360.sniff(path)
    with pytest.raises(data360.SourceError, match=r"d360\.csv, line 1: not a Data360 header"):
        data360.read(path, tmp_path)


def test_map_age_codes():
    got = [data360.map_age(c) for c in ("_T", "Y15T24", "Y_GE65", "Y65T", "Y_LT5", "odd")]
    assert got == ["total", "15-24", "65+", "65+", "<5", None]
