"""Plan registers: the planned activities of a work plan, read and validated cell by cell.

Comes in: a CSV file or an ``.xlsx`` workbook (sheet ``Register``) whose first row holds
:data:`REGISTER_COLUMNS`: ``activity_id, title, element, strategic_measure,
responsible_unit, partners, planned_start, planned_end, indicator_ids, budget``. One row
per activity; ``indicator_ids`` are catalogue ids separated by ``;``; dates are ISO dates
(``2021-03-31``) or years (a start year means 1 January, an end year 31 December);
``budget`` is an optional non-negative number in the plan's currency.
Goes out: :class:`PlanRegister`, one validated row per activity, or a
:class:`RegisterError` listing every bad cell (file, sheet, cell, reason).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

# openpyxl is imported where a workbook is read: ``mtr run`` uses this module's constants
# (through the activity tables) and need not pay openpyxl's import.
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue
from mtr_analysis.reference.units import ReportingUnits, load_units

SHEET = "Register"
REGISTER_COLUMNS = (
    "activity_id", "title", "element", "strategic_measure", "responsible_unit",
    "partners", "planned_start", "planned_end", "indicator_ids", "budget",
)  # fmt: skip
REQUIRED = ("activity_id", "title", "element", "responsible_unit", "planned_start", "planned_end")
#: How many problems a register error lists (the count says how many there were).
MAX_LISTED = 30
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class RegisterError(ValueError):
    """A register cannot be used; the message lists each bad cell and why."""


@dataclass(frozen=True)
class PlanRegister:
    """Validated activities.

    Attributes
    ----------
    activities : pandas.DataFrame
        Indexed by ``activity_id``: the register columns (dates as ``datetime64``,
        ``budget`` float, NaN when not given), plus ``characteristic`` (from the element),
        ``file`` and ``locator`` (sheet and row, or CSV row).
    """

    activities: pd.DataFrame


def is_register(path: Path) -> bool:
    """True for a CSV or ``.xlsx`` whose header starts ``activity_id, title, element``."""
    want = list(REGISTER_COLUMNS[:3])
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            with open(path, encoding="utf-8-sig", newline="") as fh:
                first = next(csv.reader(fh), [])
            return [c.strip().lower() for c in first[:3]] == want
        if suffix == ".xlsx" and zipfile.is_zipfile(path):
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True)
            try:
                if SHEET not in wb.sheetnames:
                    return False
                first = next(wb[SHEET].iter_rows(max_row=1, values_only=True), ())
            finally:
                wb.close()
            return [str(c or "").strip().lower() for c in first[:3]] == want
    except (OSError, UnicodeDecodeError, StopIteration, ValueError):
        return False
    return False


def _raw_rows(path: Path) -> tuple[list[str], list[tuple[int, list[object]]], bool]:
    """(header, [(row number, cells)], is_xlsx): rows as in the file, header = row 1."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            if SHEET not in wb.sheetnames:
                raise RegisterError(f"{path.name}: no sheet {SHEET!r} (sheets: {wb.sheetnames})")
            rows = [list(r) for r in wb[SHEET].iter_rows(values_only=True)]
        finally:
            wb.close()
        xlsx = True
    else:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = [list(r) for r in csv.reader(fh)]
        xlsx = False
    header = [str(c or "").strip().lower() for c in (rows[0] if rows else [])]
    body = [(i, r) for i, r in enumerate(rows[1:], start=2) if any(str(c or "").strip() for c in r)]
    return header, body, xlsx


def _date(value: object, end: bool) -> dt.date | None:
    """A cell as a date: a date cell, ``YYYY-MM-DD`` text, or a year (1 Jan / 31 Dec)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 12, 31) if end else dt.date(int(text), 1, 1)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


class _Checker:
    """Collects problems of one register, each naming its cell."""

    def __init__(self, path: Path, header: list[str], xlsx: bool) -> None:
        self.path, self.header, self.xlsx = path, header, xlsx
        self.problems: list[str] = []

    def where(self, row: int, column: str) -> str:
        j = self.header.index(column)
        if self.xlsx:
            from openpyxl.utils import get_column_letter

            return f"sheet {SHEET}, cell {get_column_letter(j + 1)}{row}"
        return f"row {row}, column {column}"

    def add(self, row: int, column: str, reason: str) -> None:
        self.problems.append(f"{self.where(row, column)}: {reason}")


def _text(cells: list[object], header: list[str], column: str) -> str:
    j = header.index(column) if column in header else -1
    value = cells[j] if 0 <= j < len(cells) else None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _check_row(
    ck: _Checker, row: int, cells: list[object], cat: Catalogue, units: ReportingUnits
) -> dict:
    """One activity's values; problems go to ``ck``."""
    h = ck.header
    rec = {c: _text(cells, h, c) for c in REGISTER_COLUMNS if c in h}
    for c in REQUIRED:
        if not rec.get(c):
            ck.add(row, c, f"{c} is empty")
    if rec["activity_id"] and not _ID_RE.match(rec["activity_id"]):
        ck.add(row, "activity_id", f"{rec['activity_id']!r} is not an id (letters, digits, . _ -)")
    if rec["element"] and rec["element"] not in cat.elements.index:
        ck.add(row, "element", f"unknown element {rec['element']!r} (e.g. B.2)")
    unit = rec["responsible_unit"] = units.canonical(rec["responsible_unit"])
    if unit and not units.is_known(unit):
        ck.add(row, "responsible_unit", f"unknown responsible unit {unit!r}")
    ids = [s.strip() for s in rec.get("indicator_ids", "").split(";") if s.strip()]
    for bad in [i for i in ids if i not in cat.indicators.index]:
        ck.add(row, "indicator_ids", f"unknown indicator id {bad!r} (not in the catalogue)")
    j = {c: h.index(c) for c in ("planned_start", "planned_end")}
    start = _date(cells[j["planned_start"]], end=False) if rec["planned_start"] else None
    end = _date(cells[j["planned_end"]], end=True) if rec["planned_end"] else None
    for col, raw, value in (
        ("planned_start", rec["planned_start"], start),
        ("planned_end", rec["planned_end"], end),
    ):
        if raw and value is None:
            ck.add(row, col, f"{raw!r} is not a date (YYYY-MM-DD) or a year")
    if start and end and end < start:
        ck.add(row, "planned_end", f"planned end {end} is before planned start {start}")
    budget = float("nan")
    if rec.get("budget"):
        try:
            budget = float(rec["budget"].replace(",", ""))
        except ValueError:
            ck.add(row, "budget", f"{rec['budget']!r} is not a number")
        else:
            if budget < 0:
                ck.add(row, "budget", f"budget {budget:g} is negative")
    return {**rec, "indicator_ids": ";".join(ids), "planned_start": start,
            "planned_end": end, "budget": budget}  # fmt: skip


def read_register(
    path: Path | str,
    catalogue: Catalogue | None = None,
    units: ReportingUnits | None = None,
    root: Path | None = None,
) -> PlanRegister:
    """Read and validate a plan register (CSV or ``.xlsx``).

    Raises
    ------
    RegisterError
        Listing every problem as ``<file>, sheet Register, cell E7: unknown responsible
        unit 'XYZ'`` (CSV: ``row 7, column responsible_unit``): missing columns, empty
        required cells, unknown elements, units or indicator ids, dates that are not
        dates, an end before the start, a negative or non-numeric budget, repeated ids.
    """
    path = Path(path)
    name = str(path.relative_to(root)) if root else path.name
    cat, units = catalogue or load_catalogue(), units or load_units()
    header, body, xlsx = _raw_rows(path)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RegisterError(f"{name}: header row lacks column(s) {', '.join(missing)}")
    ck = _Checker(path, header, xlsx)
    rows, first_row = [], {}
    for row, cells in body:
        rec = _check_row(ck, row, cells, cat, units)
        aid = rec["activity_id"]
        if aid in first_row:
            ck.add(
                row, "activity_id", f"activity id {aid!r} repeated (first in row {first_row[aid]})"
            )
        first_row.setdefault(aid, row)
        loc = f"{SHEET}!row {row}" if xlsx else f"row {row}"
        rows.append({**rec, "file": name, "locator": loc})
    if ck.problems:
        listed = ck.problems[:MAX_LISTED]
        more = (
            f" (and {len(ck.problems) - MAX_LISTED} more)" if len(ck.problems) > MAX_LISTED else ""
        )
        raise RegisterError(f"{name}: {len(ck.problems)} problem(s): " + "; ".join(listed) + more)
    return PlanRegister(_frame(rows, cat))


def _frame(rows: list[dict], cat: Catalogue) -> pd.DataFrame:
    cols = [*REGISTER_COLUMNS, "characteristic", "file", "locator"]
    df = pd.DataFrame(rows).reindex(columns=cols)
    for c in ("strategic_measure", "partners", "indicator_ids"):
        df[c] = df[c].fillna("").astype(str)
    df["characteristic"] = df["element"].map(cat.elements["characteristic"])
    df["planned_start"] = pd.to_datetime(df["planned_start"])
    df["planned_end"] = pd.to_datetime(df["planned_end"])
    df["budget"] = pd.to_numeric(df["budget"], errors="coerce")
    return df.set_index("activity_id", drop=False)


def combine(registers: list[PlanRegister]) -> PlanRegister:
    """One register from several (the regional and a national plan).

    Raises
    ------
    RegisterError
        When an activity id appears in two registers (ids must be unique across plans).
    """
    frames = [r.activities for r in registers]
    if not frames:
        return PlanRegister(_frame([], load_catalogue()))
    df = pd.concat(frames)
    dup = df.loc[df.index.duplicated(keep=False)]
    if len(dup):
        first = dup.iloc[0]
        files = sorted(set(dup.loc[dup.index == first.name, "file"]))
        raise RegisterError(f"activity id {first.name!r} appears in several registers: {files}")
    return PlanRegister(df)
