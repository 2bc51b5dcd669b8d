"""The activity reporting workbook: one unit's progress report for one period.

Comes in: a reporting unit, a period (year) and the plan register. Goes out (``write``):
an ``.xlsx`` whose sheet ``Activities`` lists the unit's activities pre-filled (id,
title, element, planned dates) with cells to fill — status (a drop-down of the five
statuses), percent complete (0–100), outputs as numbers (people trained, events held,
documents produced), evidence, notes — and the reporting date in cell B4; a hidden sheet
``_mtr`` carries :data:`MARKER`, by which ``mtr build`` recognises the file whatever its
name. ``read`` returns the raw cells of a filled workbook, each with its cell reference;
validation happens in :mod:`mtr_analysis.intake.activities`.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.plan_register import PlanRegister
from mtr_analysis.reference.units import ReportingUnits, load_units

# openpyxl is imported where a workbook is written or read: ``mtr run`` reads this module's
# layout constants (through the activity tables) and need not pay openpyxl's import.

FORMAT = "activity_report"
MARKER = "mtr-analysis activity report"
VERSION = 1
SHEET = "Activities"
META_SHEET = "_mtr"
HEADER_ROW = 9
#: Preamble cells: reporting unit, period, reporting date, data status.
UNIT_CELL, PERIOD_CELL, DATE_CELL, STATUS_CELL = "B2", "B3", "B4", "B5"
PREFILLED = ("activity_id", "title", "element", "planned_start", "planned_end")
OUTPUTS = ("people_trained", "events_held", "documents_produced")
FILLED = ("status", "percent_complete", *OUTPUTS, "evidence", "notes")
HEADER = (*PREFILLED, *FILLED)
#: Labels of the status drop-down (English; Vietnamese labels are accepted when typed).
STATUS_LABELS = ("not started", "ongoing", "completed", "delayed", "cancelled")


@dataclass
class RawReport:
    """The cells of one filled workbook, as typed (validated later).

    ``rows`` holds one dict per data row with any content: column name → value, plus
    ``_row`` (the sheet row). ``problems`` lists layout problems naming their cell.
    """

    file: str
    unit: object
    period: object
    reporting_date: object
    status: str
    rows: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def unit_activities(
    register: PlanRegister, unit: str, period: int, units: ReportingUnits
) -> pd.DataFrame:
    """The register rows a unit reports on for a period: its own
    (:meth:`~mtr_analysis.reference.units.ReportingUnits.reports_for`) and already started
    by the end of the period."""
    acts = register.activities
    mine = units.reports_for(unit, acts["responsible_unit"])
    started = acts["planned_start"].dt.year <= period
    return acts.loc[mine & started].sort_index()


def write(
    unit: str,
    period: int,
    path: Path | str,
    register: PlanRegister,
    units: ReportingUnits | None = None,
    status: str = "",
    filled: dict[str, dict] | None = None,
    reporting_date: dt.date | None = None,
) -> Path:
    """Write the reporting workbook of ``unit`` for ``period``.

    Parameters
    ----------
    unit : str
        A reporting unit code (``SOMHD``, ``VN-MOLISA``, ``VN34-HANOI``, ``VN63-34``).
    period : int
        The reporting year.
    filled : dict, optional
        Activity id → values of :data:`FILLED` columns (the demo generator fills them).
    reporting_date : date, optional
        Written into B4 (left empty for the unit to fill otherwise).

    Raises
    ------
    ValueError
        When ``unit`` is not a known reporting unit.
    """
    units = units or load_units()
    unit = units.canonical(unit)
    if not units.is_known(unit):
        raise ValueError(f"unknown reporting unit {unit!r}; see config/reporting_units.yaml")
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    from mtr_analysis.intake.sources.national import save_reproducible

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"{MARKER} — {units.name(unit)}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"], ws[UNIT_CELL] = "Reporting unit (code)", unit
    ws["A3"], ws[PERIOD_CELL] = "Reporting period (year)", int(period)
    ws["A4"], ws[DATE_CELL] = "Reporting date (YYYY-MM-DD)", reporting_date
    ws["A5"], ws[STATUS_CELL] = "Data status", status
    ws["A6"], ws["B6"] = "Template version", VERSION
    ws["A7"] = (
        "Fill status, percent complete (0-100) and outputs (numbers only) for each activity; "
        "a later report for the same unit and period replaces this one."
    )
    for j, name in enumerate(HEADER, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=name)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    acts = unit_activities(register, unit, int(period), units)
    filled = filled or {}
    for i, (aid, act) in enumerate(acts.iterrows(), start=HEADER_ROW + 1):
        values = {
            "activity_id": aid,
            "title": act["title"],
            "element": act["element"],
            "planned_start": act["planned_start"].date().isoformat(),
            "planned_end": act["planned_end"].date().isoformat(),
            **filled.get(aid, {}),
        }
        for j, name in enumerate(HEADER, start=1):
            ws.cell(row=i, column=j, value=values.get(name))
    _validations(ws, HEADER_ROW + max(len(acts), 1) + 50)
    meta = wb.create_sheet(META_SHEET)
    meta["A1"], meta["A2"] = MARKER, VERSION
    meta.sheet_state = "hidden"
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 26, 48
    wb.properties.creator = "mtr-analysis"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_reproducible(wb, path)
    return path


def _validations(ws, last_row: int) -> None:
    """Drop-down of statuses, whole percentages 0–100, non-negative output numbers."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    col = {name: get_column_letter(j) for j, name in enumerate(HEADER, start=1)}
    first = HEADER_ROW + 1
    status = DataValidation(
        type="list", formula1='"' + ",".join(STATUS_LABELS) + '"', allow_blank=True
    )
    status.add(f"{col['status']}{first}:{col['status']}{last_row}")
    pct = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True,
        showErrorMessage=True, error="Percent complete is a number from 0 to 100.",
    )  # fmt: skip
    pct.add(f"{col['percent_complete']}{first}:{col['percent_complete']}{last_row}")
    out = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
        showErrorMessage=True, error="Outputs are numbers (no units or text).",
    )  # fmt: skip
    out.add(f"{col[OUTPUTS[0]]}{first}:{col[OUTPUTS[-1]]}{last_row}")
    for dv in (status, pct, out):
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=first, column=len(PREFILLED) + 1)


def sniff(path: Path) -> bool:
    """True for an ``.xlsx`` with a sheet ``_mtr`` holding :data:`MARKER`.

    Reads small parts of the zip (the sheet list, the ``_mtr`` sheet and the shared
    strings) instead of loading the workbook: ``mtr build`` asks this of every file. The
    marker may be an inline string (openpyxl) or a shared string (Excel re-saves).
    """
    if path.suffix.lower() != ".xlsx" or not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            book = z.read("xl/workbook.xml") if "xl/workbook.xml" in names else b""
            m = re.search(
                rb'<sheet [^>]*name="' + META_SHEET.encode() + rb'"[^>]*r:id="([^"]+)"', book
            )
            rels = z.read("xl/_rels/workbook.xml.rels") if m else b""
            # Attribute order differs between writers: find the element, then its Target.
            rel = (
                re.search(rb'<Relationship [^>]*Id="' + m.group(1) + rb'"[^>]*>', rels)
                if m
                else None
            )
            t = re.search(rb'Target="([^"]+)"', rel.group(0)) if rel else None
            if t is None:
                return False
            target = t.group(1).decode().lstrip("/")
            target = target if target.startswith("xl/") else f"xl/{target}"
            parts = [target, "xl/sharedStrings.xml"]
            text = b"".join(z.read(n) for n in parts if n in names)
    except (OSError, zipfile.BadZipFile, KeyError):
        return False
    return f">{MARKER}<".encode() in text


def read(path: Path, root: Path | None = None) -> RawReport:
    """The raw cells of a filled reporting workbook (see :class:`RawReport`)."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    rel = str(path.relative_to(root)) if root else path.name
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if SHEET not in wb.sheetnames:
            return RawReport(rel, None, None, None, "", problems=[f"no sheet {SHEET!r}"])
        rows = [list(r) for r in wb[SHEET].iter_rows(values_only=True)]
    finally:
        wb.close()

    def at(ref: str) -> object:
        r, c = int(ref[1:]) - 1, ord(ref[0]) - ord("A")
        return rows[r][c] if r < len(rows) and c < len(rows[r]) else None

    report = RawReport(
        rel, at(UNIT_CELL), at(PERIOD_CELL), at(DATE_CELL), str(at(STATUS_CELL) or "")
    )
    header = [
        str(v or "").strip() for v in (rows[HEADER_ROW - 1] if len(rows) >= HEADER_ROW else [])
    ]
    for j, expected in enumerate(HEADER):
        found = header[j] if j < len(header) else ""
        if found != expected:
            cell = f"{get_column_letter(j + 1)}{HEADER_ROW}"
            report.problems.append(
                f"sheet {SHEET}, cell {cell}: layout changed, found {found!r}, expected {expected!r}"
            )
    if report.problems:
        return report
    for i, cells in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        values = {name: (cells[j] if j < len(cells) else None) for j, name in enumerate(HEADER)}
        if any(v is not None and str(v).strip() for v in values.values()):
            report.rows.append({**values, "_row": i})
    return report


def cell(column: str, row: int) -> str:
    """The cell reference of a column name in a data row, e.g. ``G12``."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(HEADER.index(column) + 1)}{row}"
