"""The next plan's baseline (issue 13, item 4): baseline values near 2025, gaps, pace.

Pace numbers are worked by hand in the comments (required change and CAGR from the
baseline value to the target by 2030; observed CAGR between two points, UNSD's formula).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis import paths
from mtr_analysis.analysis.baseline import baseline_table, review_window
from mtr_analysis.reference.catalogue import load_catalogue
from mtr_analysis.settings import load_settings

CAT = load_catalogue()


def _obs(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["country", "indicator", "year", "value"]).assign(
        source="hand"
    )


def _row(table: pd.DataFrame, country: str, indicator: str) -> pd.Series:
    hit = table.loc[table["country"].eq(country) & table["indicator"].eq(indicator)]
    assert len(hit) == 1
    return hit.iloc[0]


def _one(rows, indicator="b_u5mr", settings=None, horizon=2030) -> pd.Series:
    obs = _obs([("VNM", indicator, y, v) for y, v in rows])
    table = baseline_table(obs, CAT, ["VNM"], 2025, horizon, settings=settings)
    return _row(table, "VNM", indicator)


def test_hand_worked_pace_must_accelerate():
    # Under-five mortality (decrease desirable, target 25 per 1,000 by 2030):
    # 50 in 2019, 40 in 2024. Required: (25 − 40)/(2030 − 2024) = −2.5 per year;
    # CAGR_req = (25/40)^(1/6) − 1 = −0.075344; observed CAGR = (40/50)^(1/5) − 1 = −0.043648;
    # ratio = 0.043648/0.075344 = 0.5793 → between 0 and 1: must accelerate.
    row = _one([(2019, 50.0), (2024, 40.0)])
    assert (row["baseline_year"], row["baseline_value"], row["source"]) == (2024, 40.0, "hand")
    assert row["target_value"] == 25.0
    assert row["required_change"] == pytest.approx(-2.5)
    assert row["required_cagr"] == pytest.approx(0.625 ** (1 / 6) - 1)
    assert row["required_cagr"] == pytest.approx(-0.075344, abs=1e-6)
    assert row["observed_change"] == pytest.approx(-2.0)
    assert row["observed_cagr"] == pytest.approx(-0.043648, abs=1e-6)
    assert row["pace_ratio"] == pytest.approx(0.579306, abs=1e-6)
    assert (row["pace_basis"], row["pace"], row["gap"]) == ("cagr", "must_accelerate", "")


def test_on_pace_and_must_reverse():
    # 60 (2020) → 40 (2024): CAGR (2/3)^(1/4) − 1 = −0.09638 vs −0.075344 needed: ratio 1.279.
    row = _one([(2020, 60.0), (2024, 40.0)])
    assert row["pace_ratio"] == pytest.approx(((2 / 3) ** 0.25 - 1) / (0.625 ** (1 / 6) - 1))
    assert row["pace"] == "on_pace"
    # 35 (2020) → 40 (2024): rising mortality, ratio < 0: must reverse.
    row = _one([(2020, 35.0), (2024, 40.0)])
    assert row["pace_ratio"] < 0
    assert row["pace"] == "must_reverse"


def test_zero_target_uses_annual_change():
    # Child marriage, target 0 by 2030: a CAGR towards 0 is undefined, so the pace is the
    # annual change: required (0 − 10)/6 = −1.6667; observed (10 − 12)/4 = −0.5; ratio 0.3.
    row = _one([(2020, 12.0), (2024, 10.0)], indicator="b_child_marriage")
    assert math.isnan(row["required_cagr"])
    assert row["required_change"] == pytest.approx(-10 / 6)
    assert row["observed_change"] == pytest.approx(-0.5)
    assert row["pace_ratio"] == pytest.approx(0.3)
    assert (row["pace_basis"], row["pace"]) == ("change", "must_accelerate")


def test_near_2025_rule_and_gaps():
    # near_years = 2: 2023 is accepted; 2022 is stale; 2026 is after the baseline year.
    row = _one([(2018, 50.0), (2023, 40.0), (2026, 10.0)])
    assert (row["baseline_year"], row["baseline_value"], row["gap"]) == (2023, 40.0, "")
    assert row["observed_start_year"] == 2018 and row["n_recent"] == 2
    row = _one([(2018, 50.0), (2022, 40.0)])
    assert pd.isna(row["baseline_value"]) and row["latest_year"] == 2022
    assert (row["gap"], row["pace"]) == ("stale", "insufficient_data")
    # A wider window (settings) accepts 2022.
    wide = load_settings(overrides={"baseline": {"near_years": 3}})
    row = _one([(2018, 50.0), (2022, 40.0)], settings=wide)
    assert (row["baseline_year"], row["gap"]) == (2022, "")
    # One value: a baseline but no trend.
    row = _one([(2025, 40.0)])
    assert (row["baseline_value"], row["gap"], row["pace"]) == (40.0, "too_few_points",
                                                                 "insufficient_data")  # fmt: skip
    assert row["required_change"] == pytest.approx(-3.0)  # (25 − 40)/5
    # A point older than trend_years (5) before the baseline is outside the recent span.
    row = _one([(2015, 80.0), (2024, 40.0)])
    assert (row["n_recent"], row["gap"]) == (1, "too_few_points")
    # No value at all.
    row = _one([(2024, 40.0)], indicator="b_u5mr")
    table = baseline_table(_obs([("VNM", "b_u5mr", 2024, 40.0)]), CAT, ["VNM", "THA"], 2025, 2030)
    other = _row(table, "THA", "b_u5mr")
    assert (other["gap"], other["pace"]) == ("no_data", "insufficient_data")
    assert len(table) == 2 * len(CAT.indicators)


def test_met_no_target_and_relative_target():
    # Already below the target: met whatever the trend.
    assert _one([(2020, 20.0), (2024, 22.0)])["pace"] == "already_met"
    # Directional target (UHC index, increase): a direction, no number.
    row = _one([(2020, 60.0), (2024, 70.0)], indicator="b_uhc_index")
    assert math.isnan(row["target_value"]) and row["direction"] == "increase"
    assert row["pace"] == "no_target" and row["observed_change"] == pytest.approx(2.5)
    # Relative target: halve national poverty from its 2015 value (0.5 × 20 = 10).
    row = _one([(2015, 20.0), (2020, 16.0), (2024, 14.0)], indicator="b_poverty_national")
    assert row["target_value"] == pytest.approx(10.0)
    assert row["required_change"] == pytest.approx((10 - 14) / 6)


def test_horizon_override_and_review_window():
    assert review_window(CAT, "next-plan") == (2025, 2030)
    assert review_window(CAT, "next-plan", 2035) == (2025, 2035)
    with pytest.raises(ValueError, match="not of kind 'baseline'.*next-plan"):
        review_window(CAT, "mid-term")
    with pytest.raises(ValueError, match="horizon year 2024 must be after"):
        review_window(CAT, "next-plan", 2024)
    # Horizon 2035: required (25 − 40)/11 per year.
    row = _one([(2019, 50.0), (2024, 40.0)], horizon=2035)
    assert row["required_change"] == pytest.approx(-15 / 11)
    assert row["horizon_year"] == 2035


def test_settings_refuse_inverted_pace_cutoffs():
    from mtr_analysis.settings import SettingsError

    with pytest.raises(SettingsError, match="baseline.*reverse_ratio"):
        load_settings(overrides={"baseline": {"reverse_ratio": 2.0}})


# ----------------------------------------------------------------------------- real data
SANITATION = Path("wdi") / "api_indicator" / "API_SH.STA.SMSS.ZS_DS2_en_csv_v2_33860.csv"


def _raw_wdi(path: Path, iso3: str) -> dict[int, float]:
    """{year: value} of one economy in a WDI API CSV, read with the csv module only."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    at = next(i for i, r in enumerate(rows) if r[:2] == ["Country Name", "Country Code"])
    header, row = rows[at], next(r for r in rows[at + 1 :] if len(r) > 1 and r[1] == iso3)
    return {
        int(header[j]): float(row[j])
        for j in range(4, min(len(header), len(row)))
        if header[j].strip().isdigit() and row[j].strip()
    }


def _expected_sanitation(real_dir: Path) -> dict[str, object]:
    """Viet Nam's safely managed sanitation (target 100 % by 2030) worked from the raw file:
    the latest year up to 2025, the recent span's first year (latest − 5), the paces."""
    raw = _raw_wdi(real_dir / SANITATION, "VNM")
    b = max(y for y in raw if y <= 2025)
    a = min(y for y in raw if b - 5 <= y)
    v_b, v_a = raw[b], raw[a]
    req_cagr = (100 / v_b) ** (1 / (2030 - b)) - 1
    obs_cagr = (v_b / v_a) ** (1 / (b - a)) - 1
    return {"b": b, "a": a, "v_b": v_b, "req": (100 - v_b) / (2030 - b),
            "req_cagr": req_cagr, "ratio": obs_cagr / req_cagr}  # fmt: skip


@pytest.mark.notebook
def test_real_baseline_run_for_viet_nam(real_dir, real_store_build, tmp_path, capsys):
    """``mtr run --review next-plan --countries VNM`` on the real store: the baseline
    notebook runs (papermill) for Viet Nam and the region, baseline.csv holds the value of
    the raw WDI file, and a repeated run reuses both reports. About 70 s: four notebook
    executions on the whole real store (the acceptance run of the issue's "Done when")."""
    from mtr_analysis.cli import main

    store_dir, _intake, _code = real_store_build
    out = tmp_path / "out"
    args = ["run", "--data", str(store_dir), "--review", "next-plan", "--countries", "VNM",
            "--out", str(out), "--jobs", "2"]  # fmt: skip
    assert main(args) == 0
    folder = out / "next-plan"
    table = pd.read_csv(folder / paths.BASELINE_FILE)
    row = _row(table, "VNM", "b_sanitation_safely_managed")
    hand = _expected_sanitation(real_dir)
    assert (row["baseline_year"], row["observed_start_year"]) == (hand["b"], hand["a"])
    assert float(row["baseline_value"]) == pytest.approx(hand["v_b"], rel=1e-6)
    assert float(row["required_change"]) == pytest.approx(hand["req"], rel=1e-6)
    assert float(row["required_cagr"]) == pytest.approx(hand["req_cagr"], rel=1e-5)
    assert float(row["pace_ratio"]) == pytest.approx(hand["ratio"], rel=1e-5)
    assert row["pace"] == "must_accelerate"  # about a tenth of the pace needed
    page = (folder / "VNM.html").read_text(encoding="utf-8")
    assert "Viet Nam — baseline of the next plan" in page and "data:image/png" in page
    assert "ASEAN — baseline of the next plan" in (folder / "regional.html").read_text("utf-8")
    found = json.loads((folder / "findings" / "VNM.json").read_text(encoding="utf-8"))
    assert {f["kind"] for f in found} == {"baseline"} and found[0]["country"] == "VNM"
    index = (folder / paths.INDEX_FILE).read_text(encoding="utf-8")
    assert "VNM.html" in index and "regional.html" in index
    assert main(args + ["--horizon", "2035"]) == 0  # a new horizon re-runs …
    row = _row(pd.read_csv(folder / paths.BASELINE_FILE), "VNM", "b_sanitation_safely_managed")
    assert row["horizon_year"] == 2035
    assert float(row["required_change"]) == pytest.approx((100 - hand["v_b"]) / (2035 - hand["b"]))
    manifest = json.loads((folder / paths.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["review"] == "next-plan"
    capsys.readouterr()
    assert main(args + ["--horizon", "2035"]) == 0  # … the same inputs reuse both reports
    assert "2 report(s) ok (2 reused" in capsys.readouterr().out


def test_bad_horizon_is_refused_before_anything_runs(demo_store, tmp_path, capsys):
    from mtr_analysis.cli import main

    code = main(["run", "--data", str(demo_store), "--review", "next-plan", "--countries",
                 "VNM", "--out", str(tmp_path / "out"), "--horizon", "2020"])  # fmt: skip
    assert code == 2
    assert "horizon year 2020 must be after the baseline year 2025" in capsys.readouterr().err
    assert not (tmp_path / "out" / "next-plan").exists()


def test_review_choices_come_from_the_catalogue_and_the_notebook_signature():
    import papermill as pm

    from mtr_analysis.cli import parser
    from mtr_analysis.run.parameters import notebook_parameters

    args = parser().parse_args(["run", "--review", "next-plan", "--horizon", "2035"])
    assert (args.review, args.horizon) == ("next-plan", 2035)
    with pytest.raises(SystemExit):
        parser().parse_args(["run", "--review", "final"])
    declared = pm.inspect_notebook(str(paths.BASELINE_NOTEBOOK))
    assert set(declared) == {"country", "review", "horizon_year", "countries", "data_dir",
                             "lang", "settings_file"}  # fmt: skip
    assert set(notebook_parameters(paths.BASELINE_NOTEBOOK)) == set(declared)
    assert all(p["help"] for p in declared.values())
