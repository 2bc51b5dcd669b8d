"""Synthetic implementation-tracking demo inputs (``mtr demo``): SYNTHETIC DEMO, not real.

Comes in: the catalogue (element → indicators) and the reporting units. Goes out, under
``<demo>/activities/``: a plan register of the regional work plans of the 15 sectoral
bodies (CSV), a register of Viet Nam's national plan with ministries and provinces (xlsx;
provinces under their old codes ``VN63-…`` and, for units left unchanged in 2025, new
codes ``VN34-…``), and filled activity reporting workbooks: regional 2023 and 2024,
national 2024 (old provinces report under old codes) and 2025 (under the new units). One
sectoral body does not report for 2024, one report is resubmitted with a later date, and
one row holds a percentage above 100 (a deliberate error the intake rejects). Every file is
labelled SYNTHETIC DEMO and the same on every run.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook

from mtr_analysis.intake import activity_template as tpl
from mtr_analysis.intake.plan_register import REGISTER_COLUMNS, PlanRegister, read_register
from mtr_analysis.intake.sources.national import save_reproducible
from mtr_analysis.paths import (
    ACTIVITIES_SUBDIR,
    DEMO_ACTIVITY_REPORT_PATTERN,
    DEMO_DIR,
    DEMO_NATIONAL_REGISTER,
    DEMO_REGIONAL_REGISTER,
)
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.reference.units import ReportingUnits, load_units

LABEL = "SYNTHETIC DEMO — not real activities or reports"
#: Elements each body's demo activities fall under (its main areas of work).
BODY_ELEMENTS = {
    "ACCSM": "A.2", "ACDM": "D.1", "ACW": "B.1", "ACWC": "B.3", "ASOEN": "C.1",
    "COP-AATHP": "C.2", "SOMHD": "D.2", "SLOM": "B.2", "SOM-ED": "B.2", "SOMSWD": "D.4",
    "SOMY": "E.1", "SOMCA": "E.2", "SOMRDPE": "B.2", "SOMS": "A.1", "SOMRI": "A.1",
    "VN-MOLISA": "B.2", "VN-MOFA": "A.1", "VN-MOET": "B.2", "VN-MOH": "D.2",
    "VN-MONRE": "C.1", "VN-MOCST": "E.2", "VN-MOHA": "A.2", "VN-MIC": "A.1",
    "VN-MARD": "C.4", "VN-CEMA": "B.1",
}  # fmt: skip
#: Provinces of the demo national plan: old codes (merged in 2025) and unchanged units.
DEMO_PROVINCES = (
    "VN63-02", "VN63-08", "VN63-35", "VN63-36", "VN63-37", "VN63-74", "VN63-79",
    "VN34-HANOI", "VN34-HUE",
)  # fmt: skip
PROVINCE_ELEMENTS = ("B.2", "D.4")
REGIONAL_PERIODS = (2023, 2024)
NATIONAL_PERIODS = (2024, 2025)
#: The sectoral body that does not report for the last regional period (compliance demo).
SILENT_BODY = "SOMY"
#: The report sent twice: the first version is replaced by the second.
RESUBMITTED = ("SOMHD", 2024)


def _rng(*keys: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32("|".join(keys).encode("utf-8")))


def _activities(unit: str, elements: tuple[str, ...], n: int, cat: Catalogue) -> list[list]:
    """``n`` register rows of one unit: dates within 2016–2025, linked indicators, budget."""
    rows = []
    for k in range(n):
        rng = _rng("register", unit, str(k))
        element = elements[k % len(elements)]
        start = int(rng.integers(2016, 2023))
        end = int(min(2025, start + rng.integers(1, 5)))
        linked = [i for i, e in cat.indicators["element"].items() if e == element][:2]
        budget = "" if rng.random() < 0.3 else str(int(rng.integers(2, 50)) * 10000)
        aid = f"{unit.replace('VN63-', 'P').replace('VN34-', '')}-{k + 1:02d}"
        title = f"DEMO activity {k + 1} of {unit} under {element}"
        rows.append([aid, title, element, "", unit, "", str(start), str(end),
                     ";".join(linked), budget])  # fmt: skip
    return rows


def write_registers(folder: Path, cat: Catalogue) -> tuple[Path, Path]:
    """The regional (CSV) and national (xlsx) demo registers."""
    folder.mkdir(parents=True, exist_ok=True)
    regional = folder / DEMO_REGIONAL_REGISTER
    lines = [",".join(REGISTER_COLUMNS)]
    for body in BODY_ELEMENTS:
        if not body.startswith("VN-"):
            lines += [",".join(r) for r in _activities(body, (BODY_ELEMENTS[body],), 3, cat)]
    regional.write_text("\n".join(lines) + "\n", encoding="utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = "Register"
    ws.append(REGISTER_COLUMNS)
    for unit, element in BODY_ELEMENTS.items():
        if unit.startswith("VN-"):
            for r in _activities(unit, (element,), 2, cat):
                ws.append(r)
    for unit in DEMO_PROVINCES:
        for r in _activities(unit, PROVINCE_ELEMENTS, 2, cat):
            ws.append(r)
    ws["L1"] = LABEL  # outside the register's columns: a visible label, never read
    national = folder / DEMO_NATIONAL_REGISTER
    save_reproducible(wb, national)
    return regional, national


def _progress(aid: str, start: int, end: int, period: int, version: int) -> dict:
    """Synthetic status and numbers of one activity at the end of ``period``."""
    rng = _rng("report", aid, str(period), str(version))
    expected = min(1.0, (period + 1 - start) / (end + 1 - start))
    draw = rng.random()
    if draw < 0.04:
        return {"status": "cancelled", "notes": "DEMO: cancelled"}
    if expected >= 1:
        status, pct = ("completed", 100) if draw < 0.7 else ("delayed", int(60 + 35 * rng.random()))
    else:
        status = "delayed" if draw < 0.2 else "ongoing"
        pct = int(max(5, min(95, 100 * expected + rng.normal(0, 10))))
    return {
        "status": status,
        "percent_complete": pct,
        "people_trained": int(rng.integers(0, 400)) if status != "not started" else None,
        "events_held": int(rng.integers(0, 12)),
        "evidence": "DEMO evidence (synthetic)",
    }


def _report(folder: Path, unit: str, period: int, reg: PlanRegister, units: ReportingUnits,
            version: int = 1) -> Path:  # fmt: skip
    acts = tpl.unit_activities(reg, unit, period, units)
    filled = {
        aid: _progress(aid, a["planned_start"].year, a["planned_end"].year, period, version)
        for aid, a in acts.iterrows()
    }
    date = dt.date(period + 1, 1, 31) + dt.timedelta(days=30 * (version - 1))
    name = DEMO_ACTIVITY_REPORT_PATTERN.format(unit=unit, period=period, n=version)
    return tpl.write(unit, period, folder / name, reg, units, LABEL, filled, date)


def write_activity_demo(out_dir: Path | str, catalogue: Catalogue | None = None) -> list[Path]:
    """Write the demo registers and reports under ``out_dir/activities`` (see module doc)."""
    cat, units = catalogue or load_catalogue(), load_units()
    folder = Path(out_dir) / ACTIVITIES_SUBDIR
    regional, national = write_registers(folder, cat)
    reg_r, reg_n = read_register(regional, cat, units), read_register(national, cat, units)
    reports = folder / "reports"
    files = [regional, national]
    bodies = [b for b in BODY_ELEMENTS if not b.startswith("VN-")]
    for period in REGIONAL_PERIODS:
        for body in bodies:
            if body == SILENT_BODY and period == REGIONAL_PERIODS[-1]:
                continue
            files.append(_report(reports, body, period, reg_r, units))
    files.append(_report(reports, *RESUBMITTED, reg_r, units, version=2))
    ministries = [u for u in BODY_ELEMENTS if u.startswith("VN-")]
    for period in NATIONAL_PERIODS:
        provinces = list(DEMO_PROVINCES)
        if period >= 2025:  # from 1 July 2025 the new units report
            provinces = sorted(set(units.roll_up(pd.Series(provinces))))
        for unit in ministries + provinces:
            files.append(_report(reports, unit, period, reg_n, units))
    _deliberate_error(files[2])
    (folder / "README.md").write_text(
        f"# {LABEL}\n\nPlan registers and activity reports generated by `mtr demo` "
        "(mtr_analysis.intake.demo_activities): made up, for demonstration only.\n",
        encoding="utf-8",
    )
    return [*files, folder / "README.md"]


def _deliberate_error(path: Path) -> None:
    """Percent complete 120 in the first activity row: the intake must reject it."""
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb[tpl.SHEET][tpl.cell("percent_complete", tpl.HEADER_ROW + 1)] = 120
    save_reproducible(wb, path)


def default_register(unit: str, units: ReportingUnits | None = None) -> Path:
    """The demo register a unit reports against (``mtr template`` without ``--register``)."""
    units = units or load_units()
    scope = units.units["scope"].get(unit, "ASEAN")
    name = DEMO_REGIONAL_REGISTER if scope == "ASEAN" else DEMO_NATIONAL_REGISTER
    return DEMO_DIR / ACTIVITIES_SUBDIR / name
