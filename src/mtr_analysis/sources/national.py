"""The national data-collection workbook: written from the catalogue, read cell by cell.

Layout of sheet ``Data`` (version 1): A1 holds :data:`MARKER` and the country, B2 the ISO3
code, B3 the template version, B4 a data status (the demo generator writes "DEMO …");
row :data:`HEADER_ROW` holds the column names ``indicator_id, indicator, unit,
desirable_direction, 2010 … 2025, source, note``; one row per catalogue indicator below.
National teams fill the year cells (numbers only) and the source/note columns.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from mtr_analysis import registry
from mtr_analysis.catalogue import Catalogue, load_catalogue
from mtr_analysis.sources import SourceError, records_frame

FORMAT = "national_workbook"
MARKER = "mtr-analysis national data template"
VERSION = 1
SHEET = "Data"
HEADER_ROW = 6
YEARS = tuple(range(2010, 2026))
FIXED_COLUMNS = ("indicator_id", "indicator", "unit", "desirable_direction")
TRAILING_COLUMNS = ("source", "note")
HEADER = (*FIXED_COLUMNS, *map(str, YEARS), *TRAILING_COLUMNS)
_FIXED_TIME = dt.datetime(2020, 1, 1)


def write_template(
    country: str,
    path: Path | str,
    catalogue: Catalogue | None = None,
    values: pd.DataFrame | None = None,
    status: str = "",
) -> Path:
    """Write the national workbook for one member state.

    Parameters
    ----------
    country : str
        ISO3 (or any name the registry knows).
    path : path
        Output ``.xlsx`` file.
    values : pandas.DataFrame, optional
        Pre-filled values with columns ``indicator``, ``year``, ``value`` and optional
        ``source``/``note`` per indicator (the demo generator uses this).
    status : str
        Text for the data status cell (B4), e.g. "DEMO — synthetic, not official statistics".

    Notes
    -----
    Year cells carry an Excel decimal data validation. The file is byte-reproducible:
    document timestamps and zip entry times are fixed.
    """
    iso3 = registry.to_iso3(country, include_optional=True)
    if iso3 is None:
        raise ValueError(f"unknown country {country!r}; use an ISO3 code such as VNM")
    cat = catalogue or load_catalogue()
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws["A1"] = f"{MARKER} — {registry.display_name(iso3)}"
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"], ws["B2"] = "Country (ISO3)", iso3
    ws["A3"], ws["B3"] = "Template version", VERSION
    ws["A4"], ws["B4"] = "Data status", status
    ws["A5"] = (
        "Enter numbers only in the year columns (no units, no text); leave unknown years empty."
    )
    for j, name in enumerate(HEADER, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=name)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    filled = _value_lookup(values)
    first_year_col = len(FIXED_COLUMNS) + 1
    for i, (ind_id, ind) in enumerate(cat.indicators.iterrows(), start=HEADER_ROW + 1):
        ws.cell(row=i, column=1, value=str(ind_id))
        ws.cell(row=i, column=2, value=str(ind["name"])).alignment = Alignment(wrap_text=False)
        ws.cell(row=i, column=3, value=str(ind["unit"]))
        ws.cell(row=i, column=4, value=str(ind["direction"]))
        for k, year in enumerate(YEARS):
            v = filled.get((str(ind_id), year))
            if v is not None:
                ws.cell(row=i, column=first_year_col + k, value=v)
        meta = filled.get((str(ind_id), "meta"), {})
        ws.cell(row=i, column=first_year_col + len(YEARS), value=meta.get("source") or None)
        ws.cell(row=i, column=first_year_col + len(YEARS) + 1, value=meta.get("note") or None)
    last_row = HEADER_ROW + len(cat.indicators)
    dv = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1000000000000",
        formula2="1000000000000",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Number expected",
        error="Enter a number only (no units or text); leave the cell empty if unknown.",
    )
    first = get_column_letter(first_year_col)
    last = get_column_letter(first_year_col + len(YEARS) - 1)
    dv.add(f"{first}{HEADER_ROW + 1}:{last}{last_row}")
    ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=first_year_col)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 28
    wb.properties.creator = "mtr-analysis"
    wb.properties.created = _FIXED_TIME
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    _make_reproducible(path)
    return path


def _value_lookup(values: pd.DataFrame | None) -> dict:
    out: dict = {}
    if values is None:
        return out
    for r in values.itertuples(index=False):
        out[(r.indicator, int(r.year))] = float(r.value)
        meta = {"source": getattr(r, "source", ""), "note": getattr(r, "note", "")}
        out.setdefault((r.indicator, "meta"), meta)
    return out


def _make_reproducible(path: Path) -> None:
    """Fix zip entry times and the document's modified stamp so equal content → equal bytes."""
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>2020-01-01T00:00:00Z\g<2>",
                    data,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(2020, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)


def sniff(path: Path) -> bool:
    """True when the file is an ``.xlsx`` whose ``Data`` sheet starts with :data:`MARKER`."""
    if path.suffix.lower() != ".xlsx" or not zipfile.is_zipfile(path):
        return False
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if SHEET not in wb.sheetnames:
            return False
        a1 = wb[SHEET]["A1"].value
        return isinstance(a1, str) and a1.startswith(MARKER)
    finally:
        wb.close()


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a filled national workbook into raw records (one per non-empty year cell).

    ``locator`` is ``"Data!F7"``. ``source`` is ``"National submission <ISO3>: <source
    column>"``, prefixed with the data status when it says DEMO.

    Raises
    ------
    SourceError
        When the layout differs from the template (names the sheet, cell and the expected
        header) or the country cell is not a member state.
    """
    rel = str(path.relative_to(root)) if root else path.name
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb[SHEET]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    iso3 = registry.to_iso3(rows[1][1] if len(rows) > 1 else None, include_optional=True)
    if iso3 is None:
        raise SourceError(f"{rel}, sheet {SHEET}, cell B2: {rows[1][1]!r} is not a member state")
    status = str(rows[3][1] or "") if len(rows) > 3 else ""
    header = [("" if v is None else str(v).strip()) for v in rows[HEADER_ROW - 1]]
    header = header[: len(HEADER)]
    if tuple(header) != HEADER:
        bad = next(j for j, (a, b) in enumerate(zip(header + [""] * len(HEADER), HEADER)) if a != b)
        cell = f"{get_column_letter(bad + 1)}{HEADER_ROW}"
        raise SourceError(
            f"{rel}, sheet {SHEET}, cell {cell}: layout changed, found {header[bad] if bad < len(header) else ''!r}, "
            f"expected {HEADER[bad]!r} (regenerate the workbook with `mtr template`)"
        )
    producer = "DEMO national submission" if "DEMO" in status.upper() else "National submission"
    out = []
    first_year_col = len(FIXED_COLUMNS)
    for i, row in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        if not row or row[0] is None:
            continue
        src_text = (
            row[first_year_col + len(YEARS)] if len(row) > first_year_col + len(YEARS) else None
        )
        note = (
            row[first_year_col + len(YEARS) + 1]
            if len(row) > first_year_col + len(YEARS) + 1
            else None
        )
        source = f"{producer} {iso3}: {src_text or 'national statistics'}"
        for k, year in enumerate(YEARS):
            j = first_year_col + k
            v = row[j] if j < len(row) else None
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            out.append(
                {
                    "country": iso3,
                    "series": str(row[0]).strip(),
                    "year": year,
                    "raw": repr(v) if isinstance(v, float) else str(v),
                    "unit": str(row[2] or ""),
                    "source": source,
                    "note": str(note or ""),
                    "file": rel,
                    "locator": f"{SHEET}!{get_column_letter(j + 1)}{i}",
                }
            )
    return records_frame(out)
