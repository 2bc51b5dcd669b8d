"""Issue 12 acceptance: 40 reporting workbooks through ``mtr build``, checked by hand counts.

The test writes a national plan register (10 ministries with 2 activities each, 11 old
provinces with 1 each) and 40 workbooks: 2024 reports of 9 ministries (one ministry never
reports) and of the 11 old provinces under their old codes, plus 3 resubmissions; 2025
reports of the 10 ministries and of the 6 new units under their new codes, plus 1
resubmission. One 2025 row holds percent complete 150. The expected completion shares,
compliance and roll-up are counted directly from what the test wrote (the latest report
per unit and period replaces earlier ones as a whole), never through the library.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis.analysis import implementation as im
from mtr_analysis.intake import activity_template as tpl
from mtr_analysis.intake.activities import load_outputs
from mtr_analysis.intake.build import build
from mtr_analysis.intake.plan_register import REGISTER_COLUMNS, read_register

MINISTRIES = ["VN-MOLISA", "VN-MOFA", "VN-MOET", "VN-MOH", "VN-MONRE", "VN-MOCST",
              "VN-MOHA", "VN-MIC", "VN-MARD", "VN-CEMA"]  # fmt: skip
SILENT = "VN-CEMA"
#: Old province → new unit, written out by hand from Resolution 202/2025/QH15, Article 1.
OLD_TO_NEW = {
    "VN63-02": "VN34-TUYENQUANG", "VN63-08": "VN34-TUYENQUANG",
    "VN63-35": "VN34-NINHBINH", "VN63-36": "VN34-NINHBINH", "VN63-37": "VN34-NINHBINH",
    "VN63-74": "VN34-HOCHIMINH", "VN63-77": "VN34-HOCHIMINH", "VN63-79": "VN34-HOCHIMINH",
    "VN63-01": "VN34-HANOI", "VN63-46": "VN34-HUE", "VN63-04": "VN34-CAOBANG",
}  # fmt: skip
CYCLE = ["completed", "ongoing", "delayed", "not started", "cancelled", "completed", "ongoing"]
CODE = {"not started": "not_started"}


def _activities() -> dict[str, tuple[str, str]]:
    """Activity id → (responsible unit, element)."""
    acts = {}
    for m in MINISTRIES:
        acts[f"{m}-1"] = (m, "B.2")
        acts[f"{m}-2"] = (m, "D.4")
    for old in OLD_TO_NEW:
        acts[f"{old}-1"] = (old, "B.2")
    return acts


def _values(status: str) -> dict:
    pct = {"ongoing": 50, "delayed": 30, "not started": 0}.get(status)
    return {"status": status, "percent_complete": pct, "people_trained": 10}


def _write_inputs(raw: Path) -> tuple[list, dict]:
    """Register + 40 workbooks; returns (report list, latest filled values per unit × period)."""
    acts = _activities()
    lines = [",".join(REGISTER_COLUMNS)]
    lines += [f"{a},t,{e},,{u},,2024,2025,," for a, (u, e) in acts.items()]
    (raw / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = read_register(raw / "register.csv")
    plan = []  # (unit, period, version, {activity: values})
    k = 0
    units_2025 = MINISTRIES + sorted(set(OLD_TO_NEW.values()))
    for period, reporters in ((2024, [m for m in MINISTRIES if m != SILENT] + list(OLD_TO_NEW)),
                              (2025, units_2025)):  # fmt: skip
        for unit in reporters:
            mine = [a for a, (u, _) in acts.items() if u == unit or OLD_TO_NEW.get(u) == unit]
            filled = {}
            for a in mine:
                filled[a] = _values(CYCLE[k % len(CYCLE)])
                k += 1
            plan.append((unit, period, 1, filled))
    # Resubmissions: later date; the first drops one activity (a whole-report replacement).
    for unit, period, keep in (("VN-MOLISA", 2024, 1), ("VN-MOH", 2024, 2),
                               ("VN63-37", 2024, 1), ("VN34-NINHBINH", 2025, 4)):  # fmt: skip
        earlier = next(p for p in plan if p[0] == unit and p[1] == period)
        filled = {a: _values("completed") for a in list(earlier[3])[:keep]}
        plan.append((unit, period, 2, filled))
    hcm = next(p for p in plan if p[0] == "VN34-HOCHIMINH" and p[1] == 2025)
    hcm[3][next(iter(hcm[3]))]["percent_complete"] = 150  # one bad row in a 2025 report
    assert len(plan) == 40
    for unit, period, version, filled in plan:
        date = dt.date(period + 1, 1, 15) + dt.timedelta(days=40 * (version - 1))
        name = f"{unit}_{period}_v{version}.xlsx"
        tpl.write(unit, period, raw / name, reg, filled=filled, reporting_date=date)
    latest = {}
    for unit, period, _version, filled in sorted(plan, key=lambda p: p[2]):
        latest[(unit, period)] = filled  # version 2 written last: it replaces version 1
    return plan, latest


# Module-scoped: the 40 workbooks are written and built once (about 15 s on a shared core),
# which is what the acceptance asks for; the four tests only read the result.
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    out = tmp_path_factory.mktemp("out")
    plan, latest = _write_inputs(raw)
    result = build([raw], out)
    return plan, latest, result, out


def _expected_rows(latest: dict) -> dict[tuple[str, int], tuple[str, str]]:
    """(activity, period) → (status code, reporting unit), skipping the row with 150 %."""
    rows = {}
    for (unit, period), filled in latest.items():
        for a, v in filled.items():
            if (v["percent_complete"] or 0) <= 100:
                rows[(a, period)] = (CODE.get(v["status"], v["status"]), unit)
    return rows


def test_completion_shares_by_element_match_hand_counts(built):
    _plan, latest, _result, out = built
    acts = _activities()
    expected = _expected_rows(latest)
    reg, rows = load_outputs(out)
    comp = im.completion(im.progress(reg, rows), "element").set_index(["element", "period"])
    for period in (2024, 2025):
        for element in ("B.2", "D.4"):
            statuses = [
                s for (a, p), (s, _u) in expected.items() if p == period and acts[a][1] == element
            ]
            n = Counter(statuses)
            row = comp.loc[(element, period)]
            assert row["activities"] == len(statuses)
            for code in ("completed", "ongoing", "delayed", "not_started", "cancelled"):
                assert row[f"n_{code}"] == n[code], (element, period, code)
                assert row[f"share_{code}"] == pytest.approx(n[code] / len(statuses))


def test_compliance_names_the_missing_unit(built):
    _plan, latest, _result, out = built
    reg, rows = load_outputs(out)
    comp = im.compliance(reg, rows)
    missing = comp.loc[~comp["reported"], ["period", "unit"]].to_records(index=False).tolist()
    assert missing == [(2024, SILENT)]
    expected_2024 = set(MINISTRIES) | set(OLD_TO_NEW.values())
    assert set(comp.loc[comp["period"] == 2024, "unit"]) == expected_2024
    by = comp.set_index(["period", "unit"])["reported_by"]
    assert by[(2024, "VN34-NINHBINH")] == "VN63-35;VN63-36;VN63-37"
    assert by[(2025, "VN34-NINHBINH")] == "VN34-NINHBINH"


def test_roll_up_and_replacements(built):
    plan, latest, result, out = built
    reg, rows = load_outputs(out)
    got = rows.set_index(["activity_id", "period"])
    expected = _expected_rows(latest)
    assert set(got.index) == set(expected)
    for (a, p), (status, unit) in expected.items():
        assert got.loc[(a, p), "status"] == status
        assert got.loc[(a, p), "reporting_unit"] == unit
        assert got.loc[(a, p), "unit"] == OLD_TO_NEW.get(unit, unit)
    rolled = rows.loc[rows["rolled_up"]].groupby("unit").size().to_dict()
    by_hand = Counter(OLD_TO_NEW[u] for (_a, p), (_s, u) in expected.items() if u in OLD_TO_NEW)
    assert rolled == dict(by_hand)
    summary = json.loads((out / "activity_intake.json").read_text(encoding="utf-8"))
    earlier = [p for p in plan if p[2] == 1 and (p[0], p[1]) in
               {(q[0], q[1]) for q in plan if q[2] == 2}]  # fmt: skip
    assert summary["totals"]["replaced"] == sum(len(p[3]) for p in earlier)
    assert sorted((r["reporting_unit"], r["period"]) for r in summary["replacements"]) == sorted(
        (p[0], p[1]) for p in earlier
    )
    assert summary["roll_up"]  # the outputs say which old codes were rolled up


def test_every_row_accounted_and_the_bad_percentage_rejected(built):
    plan, _latest, result, out = built
    files = [f for f in result.files if f.format == tpl.FORMAT]
    assert len(files) == 40
    for f in files:
        assert f.records_read == f.accepted + f.rejected + f.out_of_scope, f.path
    # Each workbook lists all of its unit's activities; rows left empty are out of scope.
    acts = _activities()
    listed = sum(
        sum(1 for u, _e in acts.values() if u == p[0] or OLD_TO_NEW.get(u) == p[0]) for p in plan
    )
    assert sum(f.records_read for f in files) == listed
    assert sum(f.out_of_scope for f in files) == listed - sum(len(p[3]) for p in plan)
    rejects = pd.read_csv(out / "rejects.csv")
    assert (
        rejects["reason"].str.contains(r"percent complete 150 in cell G\d+ outside 0–100").sum()
        == 1
    )
    assert result.intake["activities"]["rejected"] == 1
