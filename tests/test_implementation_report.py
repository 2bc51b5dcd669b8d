"""The Implementation chapter and the national implementation report blocks (en and vi)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from mtr_analysis import paths
from mtr_analysis.intake import activity_template as tpl
from mtr_analysis.intake.activities import consolidate, write_outputs
from mtr_analysis.intake.plan_register import REGISTER_COLUMNS, read_register
from mtr_analysis.reporting import implementation as ri

NATIONAL_NOTEBOOK = paths.NATIONAL_IMPLEMENTATION_NOTEBOOK
# B.2: three SLOM activities linked to b_u5mr; SOMHD's activity in 2024 never reported.
REGISTER = [
    ("S1", "B.2", "SLOM", "b_u5mr"), ("S2", "B.2", "SLOM", "b_u5mr"),
    ("S3", "B.2", "SLOM", "b_u5mr"), ("H1", "D.2", "SOMHD", ""),
    ("M1", "B.2", "VN-MOLISA", ""), ("P1", "B.2", "VN63-02", ""),
]  # fmt: skip


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("raw")
    lines = [",".join(REGISTER_COLUMNS)]
    lines += [f"{a},t,{e},,{u},,2022,2025,{i}," for a, e, u, i in REGISTER]
    (raw / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = read_register(raw / "register.csv")
    date = dt.date(2025, 1, 31)
    done = {"status": "completed"}
    tpl.write("SLOM", 2024, raw / "slom.xlsx", reg, filled={"S1": done, "S2": done,
              "S3": {"status": "ongoing", "percent_complete": 40}}, reporting_date=date)  # fmt: skip
    tpl.write("VN-MOLISA", 2024, raw / "m.xlsx", reg, filled={"M1": done}, reporting_date=date)
    tpl.write("VN63-02", 2024, raw / "p.xlsx", reg, filled={"P1": done}, reporting_date=date)
    out = tmp_path_factory.mktemp("processed")
    write_outputs(consolidate([(p, raw) for p in sorted(raw.iterdir())]), out)
    return out


ASSESSMENT = pd.DataFrame(
    {"country": ["VNM", "THA", "LAO"], "indicator": ["b_u5mr"] * 3,
     "status": ["regression", "regression", "on_track"]}
)  # fmt: skip


def _texts(blocks) -> str:
    return "\n".join(str(b) for b in blocks if isinstance(b, str))


def test_regional_chapter_states_divergence_and_missing_report(processed):
    blocks = ri.chapter(processed, ASSESSMENT, "ASEAN", "en")
    text = _texts(blocks)
    assert '<h2 id="sec-implementation">Implementation of the plan</h2>' in text
    # By hand: 2 of 3 B.2 activities completed (≥ 60 %), 2 of 3 assessable b_u5mr rows regressing.
    assert (
        "2 of 3 activities under B.2 are completed (2024), yet 2 of its 3 assessable outcome "
        "indicators are regressing." in text
    )
    assert (
        "1 of 2 reporting units did not report for 2024: Senior Officials Meeting on Health "
        "Development (SOMHD)." in text
    )
    facts = ri.findings(
        ri.im.results_chain(ri.scoped_progress(processed, "ASEAN")[2], ASSESSMENT),
        ri.im.compliance(*ri.scoped_progress(processed, "ASEAN")[:2]),
    )
    assert [(f.kind, f.indicators, f.years) for f in facts] == [
        ("implementation_completed_but_regressing", ["b_u5mr"], [2024]),
        ("implementation_missing_reports", [], [2024]),
    ]
    assert all(f.sources == [ri.SOURCE] for f in facts)


def test_national_blocks_in_vietnamese_with_roll_up(processed):
    blocks = ri.national_blocks(processed, ASSESSMENT.iloc[:1], "VNM", "vi")
    text = _texts(blocks)
    assert "Tình hình triển khai kế hoạch quốc gia, Việt Nam" in text
    assert "Báo cáo của 1 tỉnh lập trước ngày 1/7/2025" in text
    assert "Mức độ hoàn thành theo tỉnh, thành phố (34 đơn vị cấp tỉnh)" in text
    tables = [b for b in blocks if hasattr(b, "to_html")]
    province = tables[-1].data
    assert province.iloc[:, 0].tolist() == ["Tuyên Quang (VN34-TUYENQUANG)"]


def test_country_without_a_plan_gets_one_sentence(processed):
    blocks = ri.chapter(processed, ASSESSMENT, "THA", "en")
    assert len(blocks) == 2 and "No activity reports for this plan" in _texts(blocks)


def test_national_notebook_parameters_and_story_only():
    params = pm.inspect_notebook(str(NATIONAL_NOTEBOOK))
    assert set(params) == {"country", "review", "baseline_year", "cutoff_year", "data_dir",
                           "lang", "settings_file", "as_of"}  # fmt: skip
    nb = nbformat.read(NATIONAL_NOTEBOOK, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for writer in ("write_", "to_csv", "to_parquet", "open(", "Markdown(", "HTML("):
        assert writer not in code
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_report_findings_for_the_findings_json(processed):
    """What the runner appends to findings/<name>.json: same facts, country stamped."""
    regional = ri.report_findings(processed, ASSESSMENT, "ASEAN", "en")
    assert [(f.kind, f.country) for f in regional] == [
        ("implementation_completed_but_regressing", ""),
        ("implementation_missing_reports", ""),
    ]
    assert ri.report_findings(processed, ASSESSMENT, "THA", "en") == []
    national = ri.report_findings(processed, ASSESSMENT.iloc[:1], "VNM", "vi")
    assert all(f.country == "VNM" for f in national)
