"""``mtr validate`` and ``mtr build`` on a filled national workbook: one set of rules."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from mtr_analysis import paths
from mtr_analysis.cli import DATA_PROBLEMS, main
from mtr_analysis.intake.build import build
from mtr_analysis.intake.sources import national
from mtr_analysis.settings import default_settings


def _row_of(ws, ind_id: str) -> int:
    return next(r for r in range(national.HEADER_ROW + 1, ws.max_row + 1)
                if ws.cell(r, 1).value == ind_id)  # fmt: skip


def _col(year: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(len(national.FIXED_COLUMNS) + 1 + year - national.YEARS[0])


@pytest.fixture
def filled(tmp_path):
    """A Viet Nam workbook with valid values and one example of every problem."""
    raw = tmp_path / "raw"
    path = national.write_template("VNM", raw / "vn.xlsx")
    wb = load_workbook(path)
    ws = wb["Data"]
    mmr, pov = _row_of(ws, "b_mmr"), _row_of(ws, "b_poverty_national")
    va, growth = _row_of(ws, "a_voice_accountability"), _row_of(ws, "b_bottom40_growth")
    tert = _row_of(ws, "e_tertiary_enrolment")
    last = ws.max_row
    cells = {
        f"{_col(2015)}{mmr}": 46,  # valid
        f"{_col(2016)}{mmr}": "about 45",  # text in a number cell
        f"{_col(2017)}{mmr}": -3,  # negative ratio
        f"{_col(2015)}{pov}": 150,  # percentage above 100
        f"{_col(2016)}{pov}": 6.7,  # valid
        f"{_col(2015)}{va}": -1.2,  # valid: the index runs from -2.5
        f"{_col(2016)}{va}": 3.1,  # outside the index range
        f"{_col(2015)}{growth}": -2.0,  # valid: growth may be negative
        f"{_col(2015)}{tert}": 104.5,  # valid: % gross may exceed 100
        "W6": "2026",  # a year column outside the template's years
        f"W{mmr}": 40,
        f"Y{mmr}": 41,  # a value in a column without a header
        f"A{last + 1}": "z_made_up",  # an id that is not in the catalogue
        f"{_col(2015)}{last + 1}": 1,
        f"A{last + 2}": "b_mmr",  # the same indicator in a second row
        f"{_col(2018)}{last + 2}": 44,
    }
    for ref, v in cells.items():
        ws[ref] = v
    wb.save(path)
    wgi_high = default_settings().plausibility.bounds["a_voice_accountability"][1]
    assert 3.1 > wgi_high  # the cell below breaks the published range
    expected = {
        f"Data!{_col(2016)}{mmr}": "not a number: about 45",
        # Impossible values: the plausibility rules shared by every source (methods.yaml).
        f"Data!{_col(2017)}{mmr}": "implausible: rate or count below 0 (-3)",
        f"Data!{_col(2015)}{pov}": "implausible: share above 100 % (150)",
        f"Data!{_col(2016)}{va}": f"implausible: a_voice_accountability above {wgi_high:g} (3.1)",
        f"Data!W{mmr}": "year 2026 outside the template's 2010–2025",
        f"Data!Y{mmr}": "value in a column without a year header",
        f"Data!{_col(2015)}{last + 1}": "unknown indicator id 'z_made_up' in column A (not in "
        "the catalogue)",
        f"Data!{_col(2018)}{last + 2}": f"indicator 'b_mmr' repeated (first in row {mmr})",
    }
    valid = {("b_mmr", 2015): 46.0, ("b_poverty_national", 2016): 6.7,
             ("a_voice_accountability", 2015): -1.2, ("b_bottom40_growth", 2015): -2.0,
             ("e_tertiary_enrolment", 2015): 104.5}  # fmt: skip
    return raw, path, expected, valid


def test_validate_explains_every_problem_by_sheet_and_cell(filled, capsys):
    _raw, path, expected, _valid = filled
    assert main(["validate", str(path)]) == DATA_PROBLEMS
    out = capsys.readouterr().out.splitlines()
    problems = {line.split(": ", 1)[0].split(", ")[1]: line.split(": ", 1)[1]
                for line in out if line.startswith("vn.xlsx, Data!")}  # fmt: skip
    assert problems == expected
    assert out[-1] == (
        f"vn.xlsx (national_workbook): {len(expected) + 5} values, 5 valid, "
        f"{len(expected)} problem(s), 0 out of scope"
    )


def test_build_rejects_the_same_cells_with_the_same_reasons(filled, tmp_path):
    raw, _path, expected, valid = filled
    result = build([raw], tmp_path / "out")
    rejects = pd.read_csv(tmp_path / "out" / paths.REJECTS_FILE, dtype=str)
    assert dict(zip(rejects["locator"], rejects["reason"])) == expected
    assert set(rejects["file"]) == {"vn.xlsx"}
    obs = result.observations
    assert dict(zip(zip(obs["indicator"], obs["year"]), obs["value"])) == valid
    assert obs["source"].str.startswith("National submission VNM").all()
    intake = json.loads((tmp_path / "out" / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    (f,) = intake["files"]
    assert (f["records_read"], f["accepted"], f["rejected"]) == (13, 5, 8)
    assert f["accepted"] + f["rejected"] + f["out_of_scope"] == f["records_read"]


def test_clean_workbook_validates_with_exit_zero(tmp_path, capsys):
    values = pd.DataFrame({"indicator": ["b_mmr", "c_forest_area"], "year": [2015, 2020],
                           "value": [46.0, 42.1], "source": ["GSO", "MARD"], "note": ["", ""]})  # fmt: skip
    path = national.write_template("THA", tmp_path / "th.xlsx", values=values)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.strip() == (
        "th.xlsx (national_workbook): 2 values, 2 valid, 0 problem(s), 0 out of scope"
    )


def test_changed_layout_names_every_changed_header_cell(tmp_path, capsys):
    raw = tmp_path / "raw"
    path = national.write_template("KHM", raw / "kh.xlsx")
    other = national.write_template("LAO", raw / "la.xlsx",
                                    values=pd.DataFrame({"indicator": ["b_mmr"], "year": [2015],
                                                         "value": [100.0]}))  # fmt: skip
    wb = load_workbook(path)
    wb["Data"]["B6"] = "name"
    wb["Data"]["G6"] = "Year 2012"
    wb["Data"]["H6"] = "2013"  # fine: still a year
    wb.save(path)
    assert main(["validate", str(path)]) == DATA_PROBLEMS
    out = capsys.readouterr().out
    assert "sheet Data, cell B6: layout changed, found 'name', expected 'indicator'" in out
    assert "cell G6: layout changed, found 'Year 2012', expected '2012'" in out
    assert "H6" not in out
    result = build([raw], tmp_path / "out")
    by_path = {f.path: f for f in result.files}
    assert "cell B6: layout changed" in by_path["kh.xlsx"].error
    assert by_path[other.name].accepted == 1  # one broken workbook never stops the others


def test_date_in_a_number_cell_is_explained(tmp_path, capsys):
    import datetime as dt

    path = national.write_template("MYS", tmp_path / "my.xlsx")
    wb = load_workbook(path)
    ws = wb["Data"]
    ws[f"{_col(2015)}{_row_of(ws, 'b_mmr')}"] = dt.datetime(2015, 3, 1)
    wb.save(path)
    assert main(["validate", str(path)]) == DATA_PROBLEMS
    assert "not a number: date 2015-03-01T00:00:00" in capsys.readouterr().out


def test_template_refuses_unknown_country(tmp_path, capsys):
    assert main(["template", "--country", "Atlantis", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "unknown country 'Atlantis'" in capsys.readouterr().err


def test_validate_counts_every_cell_of_a_real_wdi_file(real_dir, capsys):
    """Cells of non-member economies are tallied (not recorded) but still counted by
    ``mtr validate``: values = every filled year cell of the raw file."""

    path = real_dir / "wdi" / "api_indicator" / "API_SI.POV.GINI_DS2_en_csv_v2_499.csv"
    raw = pd.read_csv(path, skiprows=4)
    filled = int(raw[[c for c in raw.columns if c.strip().isdigit()]].notna().sum().sum())
    assert main(["validate", str(path)]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    n_values = int(last.split(": ")[1].split(" values")[0])
    n_valid = int(last.split(", ")[1].split(" valid")[0])
    n_out = int(last.split(", ")[3].split(" out of scope")[0])
    assert n_values == filled and n_valid + n_out == filled
