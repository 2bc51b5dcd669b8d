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
from openpyxl.worksheet.worksheet import Worksheet

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import EXCEL_EPOCH, FORMULA_NO_CACHE, iso_date, rel_path
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue

FORMAT = "national_workbook"
MARKER = "mtr-analysis national data template"
VERSION = 1
SHEET = "Data"
HEADER_ROW = 6
YEARS = tuple(range(2010, 2026))
FIXED_COLUMNS = ("indicator_id", "indicator", "unit", "desirable_direction")
TRAILING_COLUMNS = ("source", "note")
HEADER = (*FIXED_COLUMNS, *map(str, YEARS), *TRAILING_COLUMNS)
#: Column of the first year cell (1-based): right after the fixed columns.
FIRST_YEAR_COLUMN = len(FIXED_COLUMNS) + 1
#: Document creation time written into every workbook, so regenerating gives equal bytes.
FIXED_TIME = dt.datetime(2020, 1, 1)


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
    _write_preamble(ws, iso3, status)
    _write_indicator_rows(ws, cat, _value_lookup(values))
    _add_number_validation(ws, HEADER_ROW + len(cat.indicators))
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=FIRST_YEAR_COLUMN)
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
    ws.column_dimensions["C"].width = 28
    wb.properties.creator = "mtr-analysis"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_reproducible(wb, path)
    return path


def save_reproducible(wb: Workbook, path: Path) -> None:
    """Save a workbook so that equal content gives equal bytes (fixed document times)."""
    wb.properties.created = FIXED_TIME
    wb.save(path)
    _make_reproducible(path)


def _write_preamble(ws: Worksheet, iso3: str, status: str) -> None:
    """Marker and country (A1), ISO3 (B2), version (B3), status (B4), hint (A5), header row."""
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


def _write_indicator_rows(ws: Worksheet, cat: Catalogue, filled: dict) -> None:
    """One row per catalogue indicator: id, name, unit, direction, year cells, source, note."""
    after_years = FIRST_YEAR_COLUMN + len(YEARS)
    for i, (ind_id, ind) in enumerate(cat.indicators.iterrows(), start=HEADER_ROW + 1):
        ws.cell(row=i, column=1, value=str(ind_id))
        ws.cell(row=i, column=2, value=str(ind["name"])).alignment = Alignment(wrap_text=False)
        ws.cell(row=i, column=3, value=str(ind["unit"]))
        ws.cell(row=i, column=4, value=str(ind["direction"]))
        for k, year in enumerate(YEARS):
            v = filled.get((str(ind_id), year))
            if v is not None:
                ws.cell(row=i, column=FIRST_YEAR_COLUMN + k, value=v)
        meta = filled.get((str(ind_id), "meta"), {})
        ws.cell(row=i, column=after_years, value=meta.get("source") or None)
        ws.cell(row=i, column=after_years + 1, value=meta.get("note") or None)


def _add_number_validation(ws: Worksheet, last_row: int) -> None:
    """An Excel decimal data validation on every year cell (numbers only, blanks allowed)."""
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
    first = get_column_letter(FIRST_YEAR_COLUMN)
    last = get_column_letter(FIRST_YEAR_COLUMN + len(YEARS) - 1)
    dv.add(f"{first}{HEADER_ROW + 1}:{last}{last_row}")
    ws.add_data_validation(dv)


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


def near_miss(path: Path) -> str | None:
    """Why a workbook that looks like the national template is not read as one, or ``None``.

    A ``.xlsx`` with a ``Data`` sheet whose row :data:`HEADER_ROW` starts with
    ``indicator_id`` but whose title cell A1 was edited is named as such, with what A1 must
    start with (detection relies on that title).
    """
    if not zipfile.is_zipfile(path):
        return None
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - not a workbook openpyxl can open: no opinion
        return None
    try:
        if SHEET not in wb.sheetnames:
            return None
        ws = wb[SHEET]
        a1, a6 = ws["A1"].value, ws[f"A{HEADER_ROW}"].value
    finally:
        wb.close()
    if _header_text(a6) != FIXED_COLUMNS[0]:
        return None
    return (
        f"layout: sheet {SHEET!r} looks like the national template but cell A1 holds "
        f"{a1!r}, expected a title starting with {MARKER!r} (do not edit the title; "
        "regenerate the workbook with `mtr template`)"
    )


def _uncached_formulas(path: Path, rows: list[tuple]) -> dict[tuple[int, int], str]:
    """(1-based row, 0-based column) → formula text of formula cells whose cached value
    is empty in ``rows`` (the sheet read with ``data_only=True``)."""
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        formulas = list(wb[SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    out = {}
    for i, row in enumerate(formulas[HEADER_ROW:], start=HEADER_ROW + 1):
        cached = rows[i - 1] if i - 1 < len(rows) else ()
        for j, v in enumerate(row):
            text = getattr(v, "text", v)  # an ArrayFormula holds its text in .text
            if (
                isinstance(text, str)
                and text.startswith("=")
                and (j >= len(cached) or cached[j] is None)
            ):
                out[(i, j)] = text
    return out


def _header_text(v: object) -> str:
    """Text of a header cell; a year header that Excel turned into a date is the year again
    (:func:`_year_of_date`), ``2015.0`` is ``2015``."""
    if isinstance(v, dt.datetime | dt.date):
        return _year_of_date(v)
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    text = "" if v is None else str(v).strip()
    if re.fullmatch(r"\d{4}\.0+", text):
        return text.split(".")[0]
    if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text):  # typed as a date: 1/1/2015
        return _year_of_date(dt.date.fromisoformat(iso_date(text)))
    return text


def _year_of_date(v: dt.date) -> str:
    """The year a date in a year header stands for.

    Excel shows the number 2015 in a date-formatted cell as 1905-07-07 (day 2015 after its
    1899-12-30 epoch): such a date gives its serial number back. A 1 January date (a year
    typed as ``1/1/2015``) gives its year. Any other date stays a date (a layout problem).
    """
    day = v.date() if isinstance(v, dt.datetime) else v
    serial = (day - EXCEL_EPOCH).days
    if 1900 <= serial <= 2100:
        return str(serial)
    if (day.month, day.day) == (1, 1):
        return str(day.year)
    return day.isoformat()


def _layout(header: list[str]) -> tuple[dict[int, int | None], dict[str, int], list[str]]:
    """Columns of the header row: value columns (index → year, None when the header is
    empty), trailing columns (name → index) and the layout problems, each naming its cell."""
    problems: list[str] = []
    for j, expected in enumerate(FIXED_COLUMNS):
        found = header[j] if j < len(header) else ""
        if found != expected:
            problems.append(
                f"cell {get_column_letter(j + 1)}{HEADER_ROW}: layout changed, "
                f"found {found!r}, expected {expected!r}"
            )
    values: dict[int, int | None] = {}
    trailing: dict[str, int] = {}
    seen: dict[int, int] = {}
    for j in range(len(FIXED_COLUMNS), len(header)):
        h, cell = header[j], f"{get_column_letter(j + 1)}{HEADER_ROW}"
        if h == "":
            values[j] = None
        elif re.fullmatch(r"\d{4}", h):
            year = int(h)
            if year in seen:
                problems.append(
                    f"cell {cell}: layout changed, year {year} appears twice "
                    f"(also in column {get_column_letter(seen[year] + 1)})"
                )
            seen[year] = j
            values[j] = year
        elif h.lower() in TRAILING_COLUMNS and h.lower() not in trailing:
            trailing[h.lower()] = j
        else:
            expected = HEADER[j] if j < len(HEADER) else "a year, 'source' or 'note'"
            problems.append(f"cell {cell}: layout changed, found {h!r}, expected {expected!r}")
    return values, trailing, problems


def _raw_text(v: object) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, dt.datetime | dt.date):
        return f"date {v.isoformat()}"
    return str(v)


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a filled national workbook into raw records (one per non-empty value cell).

    Every non-empty cell right of column D is a record: cells under a year header (any
    4-digit year; :func:`check` rejects years outside 2010–2025) and cells under an empty
    header (``year`` empty; rejected by :func:`check`). ``series`` is the indicator id in
    column A (empty when missing). ``locator`` is ``"Data!F7"``. ``source`` is
    ``"National submission <ISO3>: <source column>"``, prefixed with DEMO when the data
    status cell says so. Dates typed into number cells come as ``"date 2020-01-01"``.

    Raises
    ------
    SourceError
        When the layout differs from the template: names the sheet, each changed header
        cell and what was expected; or when the country cell is not a member state.
    """
    rel = rel_path(path, root)
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        if SHEET not in wb.sheetnames:
            raise SourceError(f"{rel}: no sheet {SHEET!r} (sheets: {', '.join(wb.sheetnames)})")
        rows = list(wb[SHEET].iter_rows(values_only=True))
    finally:
        wb.close()
    iso3 = registry.to_iso3(rows[1][1] if len(rows) > 1 else None, include_optional=True)
    if iso3 is None:
        found = rows[1][1] if len(rows) > 1 and len(rows[1]) > 1 else None
        raise SourceError(f"{rel}, sheet {SHEET}, cell B2: {found!r} is not a member state")
    status = str(rows[3][1] or "") if len(rows) > 3 else ""
    header = [_header_text(v) for v in rows[HEADER_ROW - 1]] if len(rows) >= HEADER_ROW else []
    values, trailing, problems = _layout(header)
    if problems:
        raise SourceError(
            f"{rel}, sheet {SHEET}, "
            + "; ".join(problems)
            + " (regenerate the workbook with `mtr template`)"
        )
    producer = "DEMO national submission" if "DEMO" in status.upper() else "National submission"
    src_col, note_col = trailing.get("source"), trailing.get("note")
    formulas = _uncached_formulas(path, rows)
    out = []
    for i, row in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        if not row:
            continue

        def cell(j: int | None, row: tuple = row) -> object:
            return row[j] if j is not None and j < len(row) else None

        ind = "" if row[0] is None else str(row[0]).strip()
        source = f"{producer} {iso3}: {cell(src_col) or 'national statistics'}"
        note = str(cell(note_col) or "")
        unit = str(cell(2) or "")
        for j in range(len(FIXED_COLUMNS), len(row)):
            if j not in values and j >= len(header):
                values[j] = None  # a cell right of the last header
            if j not in values:
                continue
            v, issue = row[j], ""
            if v is None and (i, j) in formulas:
                v, issue = formulas[(i, j)], FORMULA_NO_CACHE
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            out.append(
                {
                    "country": iso3,
                    "series": ind,
                    "year": values[j],
                    "issue": issue,
                    "raw": _raw_text(v),
                    "unit": unit,
                    "source": source,
                    "note": note,
                    "file": rel,
                    "locator": f"{SHEET}!{get_column_letter(j + 1)}{i}",
                }
            )
    return records_frame(out)


def check(records: pd.DataFrame, catalogue: Catalogue | None = None) -> pd.Series:
    """Why each record of a national workbook cannot be accepted (``""`` when it can).

    ``mtr validate`` prints these reasons and ``mtr build`` rejects the records with them
    (one function for both). Rules, first that applies wins:

    * column A empty or not a catalogue id → "no/unknown indicator id … in column A";
    * a value under an empty header → "value in a column without a year";
    * a year outside 2010–2025 → "year Y outside the template's 2010–2025";
    * text in a number cell → "not a number: …" (see :func:`mtr_analysis.intake.clean.parse_values`);
    * the same indicator in a second row → "indicator … repeated (first in row N)";
    * an impossible value for the indicator (a share above 100 %, a negative rate, a value
      outside a published range…): the plausibility rules shared by every source,
      :func:`mtr_analysis.intake.plausibility.implausible_reasons`.

    """
    from mtr_analysis.intake.clean import parse_values
    from mtr_analysis.intake.plausibility import implausible_reasons

    cat = catalogue or load_catalogue()
    reason = pd.Series("", index=records.index, dtype="string")

    def add(mask: pd.Series, text: pd.Series | str) -> None:
        nonlocal reason
        reason = reason.mask(reason.eq("") & mask.fillna(False).astype(bool), text)

    series = records["series"].astype("string").fillna("").str.strip()
    year = pd.to_numeric(records["year"], errors="coerce")
    parsed = parse_values(records["raw"])
    value = parsed["value"]
    add(series.eq(""), "no indicator id in column A")
    add(
        ~series.isin(cat.known_ids),
        "unknown indicator id '" + series + "' in column A (not in the catalogue)",
    )
    add(year.isna(), "value in a column without a year header")
    add(
        ~year.between(YEARS[0], YEARS[-1]),
        "year " + year.astype("Int64").astype("string") + f" outside the template's "
        f"{YEARS[0]}–{YEARS[-1]}",
    )
    add(parsed["reason"].ne(""), parsed["reason"])
    row = records["locator"].astype("string").str.extract(r"(\d+)$")[0].astype("Int64")
    first_row = row.groupby(series).transform("min")
    add(
        row.ne(first_row),
        "indicator '" + series + "' repeated (first in row " + first_row.astype("string") + ")",
    )
    # Impossible values: the shared rules of every source (config/methods.yaml).
    add(pd.Series(True, index=records.index), implausible_reasons(series, value, cat))
    return reason
