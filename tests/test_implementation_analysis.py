"""Completion, timeliness, compliance, change and the results chain on hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from mtr_analysis.analysis import implementation as im


def _register() -> pd.DataFrame:
    rows = [
        # id, element, unit, start, end, budget, indicators
        ("a", "B.2", "SLOM", "2020-01-01", "2023-12-31", 100.0, "b_u5mr;b_mmr"),
        ("b", "B.2", "SLOM", "2021-01-01", "2025-12-31", 300.0, "b_u5mr"),
        ("c", "B.2", "SOMHD", "2022-01-01", "2024-12-31", None, ""),
        ("d", "C.2", "ASOEN", "2021-01-01", "2022-12-31", 50.0, "c_pm25"),
        ("e", "B.2", "VN63-02", "2022-01-01", "2025-12-31", None, ""),
    ]
    df = pd.DataFrame(rows, columns=["activity_id", "element", "responsible_unit",
                                     "planned_start", "planned_end", "budget", "indicator_ids"])  # fmt: skip
    df["characteristic"] = df["element"].str[0]
    df["title"] = "t"
    for c in ("planned_start", "planned_end"):
        df[c] = pd.to_datetime(df[c])
    return df.set_index("activity_id", drop=False)


def _rows() -> pd.DataFrame:
    rows = [
        ("a", 2024, "SLOM", "SLOM", "completed", 100.0),
        ("b", 2024, "SLOM", "SLOM", "ongoing", 40.0),
        ("c", 2024, "SOMHD", "SOMHD", "delayed", 60.0),
        ("d", 2024, "ASOEN", "ASOEN", "ongoing", 80.0),  # planned end passed → late
        ("a", 2023, "SLOM", "SLOM", "ongoing", 70.0),
        ("b", 2023, "SLOM", "SLOM", "not_started", 0.0),
    ]
    return pd.DataFrame(rows, columns=["activity_id", "period", "reporting_unit", "unit",
                                       "status", "percent_complete"])  # fmt: skip


def test_completion_by_element_hand_counted():
    prog = im.progress(_register(), _rows())
    assert prog.set_index(["activity_id", "period"])["timeliness"].to_dict() == {
        ("a", 2024): "completed", ("b", 2024): "on_schedule", ("c", 2024): "late",
        ("d", 2024): "late", ("a", 2023): "on_schedule", ("b", 2023): "on_schedule",
    }  # fmt: skip
    comp = im.completion(prog, "element").set_index(["element", "period"])
    b2 = comp.loc[("B.2", 2024)]
    assert (b2["activities"], b2["n_completed"], b2["n_ongoing"], b2["n_delayed"]) == (3, 1, 1, 1)
    assert b2["share_completed"] == pytest.approx(1 / 3)
    assert b2["share_on_time"] == pytest.approx(2 / 3)  # a completed, b on schedule
    assert b2["mean_percent"] == pytest.approx((100 + 40 + 60) / 3)
    # Budget-weighted: c has no budget → (100·100 + 40·300) / 400 = 55.
    assert b2["budget_weighted_percent"] == pytest.approx(55.0)
    assert comp.loc[("C.2", 2024), "n_late"] == 1
    by_unit = im.completion(prog, "responsible_unit").set_index(["responsible_unit", "period"])
    assert by_unit.loc[("SLOM", 2023), "share_not_started"] == 0.5


def test_compliance_lists_units_that_did_not_report():
    comp = im.compliance(_register(), _rows(), periods=[2024])
    got = comp.set_index("unit")[["activities_expected", "activities_reported", "reported"]]
    # Active in 2024: a (ends 2023) no; b, c, e yes; d (ends 2022) no. e's VN63-02 rolls up.
    assert got.to_dict("index") == {
        "SLOM": {"activities_expected": 1, "activities_reported": 1, "reported": True},
        "SOMHD": {"activities_expected": 1, "activities_reported": 1, "reported": True},
        "VN34-TUYENQUANG": {"activities_expected": 1, "activities_reported": 0, "reported": False},
    }


def test_period_change():
    prog = im.progress(_register(), _rows())
    ch = im.period_change(prog, "unit").set_index(["unit", "period"])
    # SLOM: 2023 0/2 completed, mean 35; 2024 1/2 completed, mean 70.
    assert ch.loc[("SLOM", 2024), "change_share_completed"] == pytest.approx(0.5)
    assert ch.loc[("SLOM", 2024), "change_mean_percent"] == pytest.approx(35.0)
    assert pd.isna(ch.loc[("SLOM", 2023), "change_share_completed"])


def test_results_chain_divergence_rule():
    reg = _register()
    rows = pd.DataFrame(
        [("a", 2024, "SLOM", "SLOM", "completed", 100.0), ("b", 2024, "SLOM", "SLOM", "completed", 100.0),
         ("c", 2024, "SOMHD", "SOMHD", "ongoing", 50.0), ("d", 2024, "ASOEN", "ASOEN", "not_started", 0.0)],
        columns=["activity_id", "period", "reporting_unit", "unit", "status", "percent_complete"],
    )  # fmt: skip
    assessment = pd.DataFrame(
        {"country": ["VNM", "THA", "VNM", "THA", "VNM"],
         "indicator": ["b_u5mr", "b_u5mr", "b_mmr", "b_mmr", "c_pm25"],
         "status": ["regression", "regression", "on_track", "no_data", "on_track"]}
    )  # fmt: skip
    chain = im.results_chain(im.progress(reg, rows), assessment).set_index("element")
    # B.2: 2 of 3 completed (0.67 ≥ 0.6); 2 of 3 assessable regressing (≥ 0.5) → divergence.
    assert chain.loc["B.2", ["assessable", "regressing", "on_track"]].tolist() == [3, 2, 1]
    assert chain.loc["B.2", "divergence"] == "completed_but_regressing"
    # C.2: 0 % completed but only 1 assessable indicator (< min_indicators 2) → no finding.
    assert chain.loc["C.2", "divergence"] == ""
    facts = im.chain_findings(chain.reset_index())
    assert facts == [{"kind": "completed_but_regressing", "element": "B.2", "period": 2024,
                      "completed": 2, "activities": 3, "regressing": 2, "on_track": 1,
                      "assessable": 3, "indicators": ["b_mmr", "b_u5mr"]}]  # fmt: skip
