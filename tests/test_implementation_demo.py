"""The implementation demo inputs: labelled synthetic, consolidated without surprises."""

from __future__ import annotations

from pathlib import Path

from mtr_analysis.analysis import implementation as im
from mtr_analysis.intake import activity_template as tpl
from mtr_analysis.intake.activities import consolidate
from mtr_analysis.intake.demo_activities import LABEL, SILENT_BODY
from mtr_analysis.intake.plan_register import read_register
from mtr_analysis.paths import ACTIVITIES_SUBDIR, DEMO_NATIONAL_REGISTER


def test_demo_registers_and_reports(demo_raw):
    # The session's demo folder (conftest), written once by ``mtr demo``'s write_demo.
    root = Path(demo_raw)
    files = sorted(p for p in (root / ACTIVITIES_SUBDIR).rglob("*") if p.is_file())
    reports = [f for f in files if tpl.sniff(f)]
    # Regional 15 + 14 (one body silent in 2024) + 1 resubmission; national 2024 and 2025.
    assert all(tpl.read(f).status == LABEL for f in reports)
    res = consolidate([(f, root) for f in files])
    # The one deliberate error, and nothing else, is rejected.
    assert res.rejects["reason"].tolist() == ["percent complete 120 in cell G10 outside 0–100"]
    assert not [f for f in res.files if f.error]
    assert res.replacements["reason"].tolist() == ["later report of the same unit and period"]
    # Old province codes in 2024, new units in 2025; the roll-up is listed.
    units = set(res.rows.loc[res.rows["period"] == 2024, "reporting_unit"])
    assert {"VN63-02", "VN63-08", "VN63-35"} <= units
    assert "VN34-TUYENQUANG" in set(res.rows.loc[res.rows["period"] == 2025, "reporting_unit"])
    assert set(res.roll_up["unit"]) == {"VN34-TUYENQUANG", "VN34-NINHBINH", "VN34-HOCHIMINH"}
    reg = read_register(root / ACTIVITIES_SUBDIR / DEMO_NATIONAL_REGISTER).activities
    assert set(reg["responsible_unit"]) >= {"VN63-02", "VN34-HANOI", "VN-MOLISA"}
    comp = im.compliance(res.register.activities, res.rows)
    assert comp.loc[~comp["reported"], ["period", "unit"]].values.tolist() == [[2024, SILENT_BODY]]
