"""Reporting units, the 63 → 34 province map and plan registers (issue 12, item 1)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from mtr_analysis import paths
from mtr_analysis.intake.plan_register import (
    REGISTER_COLUMNS,
    RegisterError,
    is_register,
    read_register,
)
from mtr_analysis.reference.units import load_units


def test_province_map_matches_resolution_202():
    """63 old units → 34 new ones: 11 unchanged, 23 formed from 52 (Resolution 202/2025/QH15)."""
    raw = pd.read_csv(paths.VN_PROVINCES_FILE, dtype=str, comment="#")
    assert len(raw) == 63 and raw["old_code"].is_unique
    sizes = raw.groupby("new_code").size()
    assert len(sizes) == 34
    assert (sizes == 1).sum() == 11 and sizes[sizes > 1].sum() == 52
    kinds = raw.drop_duplicates("new_code")["new_kind"].value_counts()
    assert kinds.to_dict() == {"province": 28, "city": 6}
    # Three hand-checked mergers from Article 1 of the Resolution.
    members = raw.groupby("new_name")["old_name"].agg(lambda s: sorted(s)).to_dict()
    assert members["Ninh Bình"] == ["Hà Nam", "Nam Định", "Ninh Bình"]
    assert members["Hồ Chí Minh"] == ["Bà Rịa - Vũng Tàu", "Bình Dương", "Hồ Chí Minh"]
    assert members["Quảng Trị"] == ["Quảng Bình", "Quảng Trị"]


def test_units_roll_up_and_statuses():
    units = load_units()
    kinds = units.units["kind"].value_counts()
    assert kinds["sectoral_body"] == 15 and kinds["old_province"] == 63
    rolled = units.roll_up(pd.Series(["VN63-02", "VN63-08", "VN34-HANOI", "SOMHD"]))
    assert rolled.tolist() == ["VN34-TUYENQUANG", "VN34-TUYENQUANG", "VN34-HANOI", "SOMHD"]
    assert units.status_code(" Completed ") == "completed"
    assert units.status_code("chậm tiến độ") == "delayed"
    assert units.status_code("finished") is None
    # Codes typed in another case are read as the configured code.
    assert units.canonical(" somhd ") == "SOMHD" and units.canonical("who") == "who"


def _write_csv(path: Path, rows: list[list[object]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(REGISTER_COLUMNS)
        w.writerows(rows)
    return path


GOOD = ["A1", "Train inspectors", "B.2", "", "SLOM", "ILO", "2021", "2023-06-30", "b_u5mr", "1000"]


def test_register_csv_read(tmp_path):
    path = _write_csv(
        tmp_path / "reg.csv",
        [GOOD, ["A2", "Haze patrols", "C.2", "", "ASOEN", "", "2022-01-01", "2025", "", ""]],
    )
    assert is_register(path)
    acts = read_register(path).activities
    assert list(acts.index) == ["A1", "A2"]
    assert acts.loc["A1", "planned_start"] == pd.Timestamp("2021-01-01")
    assert acts.loc["A2", "planned_end"] == pd.Timestamp("2025-12-31")
    assert acts.loc["A1", "budget"] == 1000 and pd.isna(acts.loc["A2", "budget"])
    assert acts.loc["A2", "characteristic"] == "C"


def test_register_csv_bad_cells_named(tmp_path):
    rows = [
        ["A1", "x", "B.9", "", "NOBODY", "", "2023", "2021", "b_nothing", "-5"],
        ["A1", "", "B.2", "", "SLOM", "", "someday", "2024", "", "lots"],
    ]
    with pytest.raises(RegisterError) as err:
        read_register(_write_csv(tmp_path / "bad.csv", rows))
    msg = str(err.value)
    for part in (
        "bad.csv: 9 problem(s)",
        "row 2, column element: unknown element 'B.9'",
        "row 2, column responsible_unit: unknown responsible unit 'NOBODY'",
        "row 2, column indicator_ids: unknown indicator id 'b_nothing'",
        "row 2, column planned_end: planned end 2021-12-31 is before planned start 2023-01-01",
        "row 2, column budget: budget -5 is negative",
        "row 3, column title: title is empty",
        "row 3, column planned_start: 'someday' is not a date",
        "row 3, column budget: 'lots' is not a number",
        "row 3, column activity_id: activity id 'A1' repeated (first in row 2)",
    ):
        assert part in msg, part


def test_register_xlsx_cells_named(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(REGISTER_COLUMNS)
    ws.append(GOOD)
    ws.append(["A2", "t", "B.2", "", "VN63-99", "", 2021, 2022, "", None])
    path = tmp_path / "reg.xlsx"
    wb.save(path)
    assert is_register(path)
    with pytest.raises(
        RegisterError, match=r"sheet Register, cell E3: unknown responsible unit 'VN63-99'"
    ):
        read_register(path)
