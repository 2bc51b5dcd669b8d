"""Activity reporting workbooks: written, read, validated cell by cell, consolidated."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from mtr_analysis.intake import activity_template as tpl
from mtr_analysis.intake.activities import consolidate, detect
from mtr_analysis.intake.plan_register import REGISTER_COLUMNS, read_register

REGISTER = [
    ("R1", "Train nurses", "B.2", "SOMHD", "2020", "2023"),
    ("R2", "Vaccination drive", "D.2", "SOMHD", "2021", "2026"),
    ("R3", "Haze patrols", "C.2", "COP-AATHP", "2021", "2025"),
    ("N1", "Job fairs", "B.2", "VN63-02", "2022", "2024"),
    ("N2", "Vocational training", "B.2", "VN34-TUYENQUANG", "2024", "2026"),
    ("N3", "Literacy classes", "B.2", "VN63-08", "2022", "2024"),
]


def _register(tmp_path: Path) -> Path:
    lines = [",".join(REGISTER_COLUMNS)]
    lines += [f"{a},{t},{e},,{u},,{s},{en},," for a, t, e, u, s, en in REGISTER]
    path = tmp_path / "raw" / "register.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _report(tmp_path, name, unit, period, filled, date=dt.date(2025, 1, 31)) -> Path:
    reg = read_register(_register(tmp_path))
    return tpl.write(unit, period, tmp_path / "raw" / name, reg, filled=filled, reporting_date=date)


def _edit(path: Path, cells: dict[str, object]) -> None:
    wb = load_workbook(path)
    for ref, value in cells.items():
        wb[tpl.SHEET][ref] = value
    wb.save(path)


def _run(tmp_path):
    root = tmp_path / "raw"
    return consolidate([(p, root) for p in sorted(root.iterdir())])


def test_template_prefills_the_units_activities_with_dropdown(tmp_path):
    path = _report(tmp_path, "a.xlsx", "SOMHD", 2024, {})
    assert detect(path) == tpl.FORMAT and detect(_register(tmp_path)) == "plan_register"
    wb = load_workbook(path)
    ws = wb[tpl.SHEET]
    assert [ws[f"A{r}"].value for r in (10, 11, 12)] == ["R1", "R2", None]
    assert ws["B2"].value == "SOMHD" and ws["B3"].value == 2024
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert lists[0].formula1 == '"not started,ongoing,completed,delayed,cancelled"'
    assert wb[tpl.META_SHEET].sheet_state == "hidden"
    # An old province lists its own activities and those of its new unit, not its sibling's.
    old = _report(tmp_path, "b.xlsx", "VN63-02", 2024, {})
    ids = [c.value for c in load_workbook(old)[tpl.SHEET]["A"][tpl.HEADER_ROW :] if c.value]
    assert ids == ["N1", "N2"]


def test_bad_cells_rejected_with_file_and_cell(tmp_path):
    path = _report(tmp_path, "a.xlsx", "SOMHD", 2024, {"R1": {"status": "completed"}})
    _edit(path, {
        "A12": "R9", "F12": "ongoing",          # unknown activity
        "A13": "R3", "F13": "ongoing",          # another unit's activity
        "A14": "R2", "F14": "done",             # unknown status (R2 row 11 is empty)
        "A15": "R1", "F15": "ongoing",          # repeated
    })  # fmt: skip
    res = _run(tmp_path)
    got = dict(zip(res.rejects["locator"], res.rejects["reason"], strict=True))
    assert got == {
        "Activities!A12": "unknown activity id 'R9' in cell A12 (not in the plan register)",
        "Activities!A13": "activity 'R3' (cell A13) belongs to COP-AATHP, "
        "not to the reporting unit SOMHD",
        "Activities!A14": "unknown status 'done' in cell F14 (allowed: not started, ongoing, "
        "completed, delayed, cancelled)",
        "Activities!A15": "activity 'R1' repeated in cell A15 (first in row 10)",
    }
    assert set(res.rejects["file"]) == {"a.xlsx"}
    report = next(f for f in res.files if f.path == "a.xlsx")
    # Rows 10–15 have content; row 11 (R2) has nothing filled in → out of scope.
    assert (report.records_read, report.accepted, report.rejected, report.out_of_scope) == (
        6,
        1,
        4,
        1,
    )


def test_unknown_unit_and_missing_date_reject_every_row(tmp_path):
    a = _report(tmp_path, "a.xlsx", "SOMHD", 2024, {"R1": {"status": "ongoing"}})
    _edit(a, {"B2": "WHO"})
    b = _report(tmp_path, "b.xlsx", "COP-AATHP", 2024, {"R3": {"status": "ongoing"}}, date=None)
    res = _run(tmp_path)
    reasons = dict(zip(res.rejects["file"], res.rejects["reason"], strict=True))
    assert reasons["a.xlsx"] == "unknown reporting unit 'WHO' in cell B2"
    assert reasons["b.xlsx"].startswith("no reporting date in cell B4")
    assert res.rows.empty and b.exists()


def test_resubmission_replaces_and_old_codes_roll_up(tmp_path):
    _report(
        tmp_path,
        "a1.xlsx",
        "SOMHD",
        2024,
        {"R1": {"status": "ongoing", "percent_complete": 50}, "R2": {"status": "ongoing"}},
    )
    _report(tmp_path, "a2.xlsx", "SOMHD", 2024, {"R1": {"status": "completed"}},
            date=dt.date(2025, 3, 1))  # fmt: skip
    _report(
        tmp_path, "p.xlsx", "VN63-02", 2024, {"N1": {"status": "hoàn thành", "people_trained": 30}}
    )
    res = _run(tmp_path)
    rows = res.rows.set_index("activity_id")
    # The later report replaces the whole earlier one (R2 was only in the earlier one).
    assert sorted(rows.index) == ["N1", "R1"]
    assert rows.loc["R1", "status"] == "completed" and rows.loc["R1", "percent_complete"] == 100
    rep = res.replacements.iloc[0]
    assert (rep.replaced_file, rep.kept_file, rep.rows) == ("a1.xlsx", "a2.xlsx", 2)
    assert rows.loc["N1", "unit"] == "VN34-TUYENQUANG" and bool(rows.loc["N1", "rolled_up"])
    assert rows.loc["N1", "people_trained"] == 30
    assert res.roll_up.to_dict("records") == [
        {"reporting_unit": "VN63-02", "unit": "VN34-TUYENQUANG", "period": 2024, "rows": 1}
    ]


@pytest.mark.parametrize("value", ["abc", -1, 100.5])
def test_percent_must_be_a_number_from_0_to_100(tmp_path, value):
    path = _report(tmp_path, "a.xlsx", "SOMHD", 2024, {"R1": {"status": "ongoing"}})
    _edit(path, {"G10": value})
    reason = _run(tmp_path).rejects["reason"].iloc[0]
    assert "in cell G10" in reason and ("not a number" in reason or "outside 0–100" in reason)


def test_mtr_validate_explains_a_report_by_cell(tmp_path, capsys):
    from mtr_analysis.cli import main

    path = _report(tmp_path, "a.xlsx", "somhd", 2024, {"R1": {"status": "ongoing"}})
    _edit(path, {"G10": "half"})
    assert main(["validate", str(path)]) == 3
    out = capsys.readouterr().out
    assert "a.xlsx, Activities!A10: percent complete 'half' in cell G10 is not a number" in out
    assert "(activity report, SOMHD 2024): 2 rows, 0 valid, 1 problem(s), 1 not filled in" in out
    assert main(["validate", str(tmp_path / "raw" / "register.csv")]) == 0
