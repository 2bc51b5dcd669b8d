"""Every CSV the product writes is safe to open in a spreadsheet (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pytest

from mtr_analysis import paths
from mtr_analysis.csv_safety import neutralise, safe_cell, write_csv
from mtr_analysis.intake.build import build
from mtr_analysis.intake.sources import wdi
from mtr_analysis.reporting.tables import to_csv_bytes

HOSTILE = ["=cmd|' /C calc'!A0", "@SUM(1,2)", "+1", "-1+2", "\t=1", "\r=1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("cell", HOSTILE)
def test_hostile_text_gets_a_leading_quote(cell):
    assert safe_cell(cell) == "'" + cell.replace("\r", "\n")


def test_a_carriage_return_inside_a_cell_cannot_start_a_row(tmp_path):
    assert safe_cell("a\r=1") == "a\n=1" and safe_cell("a\r\nb") == "a\nb"
    path = write_csv(pd.DataFrame({"f": ["a\r=1", "ok"], "n": [1, 2]}), tmp_path / "x.csv")
    assert _cells(path) == [["f", "n"], ["a\n=1", "1"], ["ok", "2"]]


@pytest.mark.parametrize("cell", ["-3.2", "-5", "-1.5e3", "-.5", "World Bank", "", "a=b"])
def test_harmless_text_is_unchanged(cell):
    assert safe_cell(cell) == cell


def test_fullwidth_signs_are_neutralised_too():
    assert safe_cell("\uff1dSUM(1,2)") == "'\uff1dSUM(1,2)"


def test_numbers_stay_numbers():
    frame = pd.DataFrame(
        {"value": [-3.2, 1.0, np.nan], "n": [-1, 2, 3], "text": ["-1+2", "-3.2", None]}
    )
    out = neutralise(frame)
    assert out["value"].dtype == np.float64 and out["value"].iloc[0] == -3.2
    assert out["n"].tolist() == [-1, 2, 3]
    assert out["text"].tolist()[:2] == ["'-1+2", "-3.2"] and pd.isna(out["text"].iloc[2])
    rows = list(csv.reader(io.StringIO(to_csv_bytes(frame).decode("utf-8"))))
    assert rows[1] == ["-3.2", "-1", "'-1+2"]
    assert rows[2] == ["1", "2", "-3.2"]
    assert frame["text"].iloc[0] == "-1+2"  # the caller's frame is not changed


def test_string_dtype_columns(tmp_path):
    frame = pd.DataFrame({"s": pd.Series(["@x", "ok"], dtype="string")})
    path = write_csv(frame, tmp_path / "x.csv")
    assert path.read_text(encoding="utf-8").splitlines() == ["s", "'@x", "ok"]


# ----------------------------------------------------------------------------- a real build
def _write(path, source, updated, cells):
    table = pd.DataFrame(
        [["Viet Nam", "VNM", *cells]], columns=["name", "code", *range(2010, 2016)]
    )
    meta = {"Data Source": source, "Last Updated Date": updated}
    wdi.write(path, "SH.DYN.MORT", "Mortality rate, under-5 (per 1,000 live births)", table, meta)


@pytest.fixture(scope="module")
def hostile_outputs(demo_raw, tmp_path_factory):
    """A build whose file names and cells are hostile, and the review tables made from it."""
    from mtr_analysis.analysis.review import load_review
    from mtr_analysis.reporting.outputs import write_review_outputs

    raw = tmp_path_factory.mktemp("hostile_raw")
    # File names carry the hostile text into the file columns of rejects, conflicts and
    # revisions; cells carry it into rejects' value column.
    names = ["=cmd|' /C calc'!A0.csv", "@SUM(1,2).csv", "+1.csv", "-1+2.csv", "\t=1.csv",
             "\r=1.csv"]  # fmt: skip
    for k, name in enumerate(names):
        path = raw / name
        path.parent.mkdir(parents=True, exist_ok=True)
        # Two kinds of source (World Bank, and "SDG" = UN SDG) disagree: conflicts; vintages
        # of one kind differ: revisions.
        source = "World Development Indicators" if k % 2 else "SDG database"
        cells = [str(40 - k * 3 - y) for y in range(5)] + [HOSTILE[k]]
        if k == 0:
            cells[0] = "-5"  # impossible, rejected: its raw value must stay a number
        _write(path, source, f"2026-0{k + 1}-01", cells)
    out = tmp_path_factory.mktemp("hostile_out")
    build([demo_raw, raw], out)
    review = load_review(out, cutoff_year=2020)
    tables = write_review_outputs(review, tmp_path_factory.mktemp("hostile_review"), "mid-term")
    files = {name: out / name for name in (paths.REJECTS_FILE, paths.CONFLICTS_FILE,
                                           paths.REVISIONS_FILE)}  # fmt: skip
    files.update({path.name: path for path in tables.values()})
    return files


def _cells(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_csv_of_a_build_and_a_review_is_neutralised(hostile_outputs):
    assert set(hostile_outputs) == {
        paths.REJECTS_FILE, paths.CONFLICTS_FILE, paths.REVISIONS_FILE,
        paths.ASSESSMENT_FILE, paths.AGGREGATES_FILE, paths.BENEFICIARIES_FILE,
    }  # fmt: skip
    for name, path in hostile_outputs.items():
        rows = _cells(path)
        assert len(rows) > 1, f"{name} is empty: the test would prove nothing"
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(DANGEROUS) or _is_number(cell), (name, cell)


def test_hostile_cells_are_kept_readable_with_a_quote(hostile_outputs):
    rejects = pd.read_csv(hostile_outputs[paths.REJECTS_FILE], dtype=str, keep_default_na=False)
    hostile = rejects.loc[rejects["locator"].eq("line 6, column 2015")]
    # "+1" is the number 1 (accepted); every other hostile cell is rejected and kept as
    # text (the WDI reader strips the tab and carriage return around a cell).
    expected = ["'" + c.strip() for c in HOSTILE if c != "+1"]
    assert sorted(hostile["value"]) == sorted(expected)
    assert sorted(hostile["reason"]) == sorted("not a number: " + c.strip() for c in HOSTILE
                                               if c != "+1")  # fmt: skip
    # A genuine negative number in the raw-value column stays a number.
    negative = rejects.loc[
        rejects["file"].eq("'=cmd|' /C calc'!A0.csv") & rejects["value"].eq("-5")
    ]
    assert negative["reason"].tolist() == ["implausible: probability per 1,000 below 0 (-5)"]
    assert "'=cmd|' /C calc'!A0.csv" in set(rejects["file"])
    revisions = pd.read_csv(hostile_outputs[paths.REVISIONS_FILE], dtype=str)
    assert {"'@SUM(1,2).csv", "'-1+2.csv"} <= set(revisions["old_file"])
    conflicts = pd.read_csv(hostile_outputs[paths.CONFLICTS_FILE], dtype=str)
    # The newest file of each kind is compared: UN SDG (selected) against the World Bank.
    assert "'\t=1.csv" in set(conflicts["selected_file"])
    assert "'\n=1.csv" in set(conflicts["other_file"])


def test_negative_numbers_stay_numeric(hostile_outputs):
    revisions = pd.read_csv(hostile_outputs[paths.REVISIONS_FILE])
    assert revisions["rel_change"].dtype == np.float64
    assert (revisions["rel_change"] < 0).any()  # newer vintages are lower: negative changes
    assessment = pd.read_csv(hostile_outputs[paths.ASSESSMENT_FILE])
    assert assessment["cagr"].dtype == np.float64 and (assessment["cagr"] < 0).any()
