"""World Bank WDI per-indicator (and per-country) downloads: CSV and the ``.xls`` twin.

CSV layout: optional UTF-8 BOM, a preamble (``"Data Source","World Development Indicators",``,
``"Last Updated Date","2026-07-13",`` with blank lines), then a header
``"Country Name","Country Code","Indicator Name","Indicator Code","1960",…`` and one row
per economy with a trailing comma. Blank cells are missing values.

The Excel download (BIFF ``.xls``, read with xlrd) has the same layout in sheet ``Data``
(the "Last Updated Date" is an Excel date cell there) plus the sheets ``Metadata -
Countries`` and ``Metadata - Indicators``. Both layouts give the same records; the Excel
locator is ``"Data!E5"``.

Companion files (no observations): ``Metadata_Country_*`` (economy list with region and
income group; see :func:`aggregate_codes`) and ``Metadata_Indicator_*`` (definitions); the
bulk download's ``WDICountry``, ``WDISeries``, ``WDIcountry-series``, ``WDIseries-time``
and ``WDIfootnote`` tables.

The bulk download's ``WDICSV.csv`` (every economy, ≈1,500 series, ≈250 MB, header on line
1) has the same layout without the preamble and is streamed (see :func:`read`).

Text and CSV helpers shared with the other readers live in :mod:`mtr_analysis.intake.sources.text`.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import (
    TALLY,
    excel_number_text,
    extra_columns,
    file_kind,
    first_line_cells,
    index_column,
    iso_date,
    iter_csv_rows,
    read_csv_rows,
    rel_path,
    tally_frame,
    unquote,
    unread_cells,
)
from mtr_analysis.reference import registry

FORMAT = "wdi_csv"
_HEADER = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
_YEAR = re.compile(r"^\d{4}$")
#: The ASCII characters that ``str.strip`` removes.
_ASCII_SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"
_COUNTRY_META_HEADER = ["Country Code", "Region"]
_INDICATOR_META_HEADER = ["INDICATOR_CODE", "INDICATOR_NAME"]
#: First two header cells of the companions of the bulk download (``WDI_CSV.zip``):
#: WDICountry, WDISeries, WDIcountry-series, WDIseries-time and WDIfootnote.
_BULK_COMPANIONS = (
    ["Country Code", "Short Name"], ["Series Code", "Topic"], ["CountryCode", "SeriesCode"],
    ["SeriesCode", "Year"],
)  # fmt: skip


def sniff(path: Path) -> bool:
    """True when the file is a WDI data download: CSV (the header row of the WDI layout near
    the top) or the BIFF ``.xls`` twin (a sheet with that header row). Decided from content.
    """
    try:
        kind = file_kind(path)
        if kind == "ole":
            return _xls_data_sheet(path) is not None
        if kind != "text":
            return False
        return any(_header_offset(cells) is not None for cells in first_line_cells(path))
    except Exception:  # a probe never raises: other formats' files must stay detectable
        return False


def sniff_companion(path: Path) -> str | None:
    """``"wdi_metadata"`` for the ``Metadata_Country_*`` / ``Metadata_Indicator_*`` files
    and the companions of the bulk download (``WDICountry.csv``, ``WDISeries.csv``,
    ``WDIcountry-series.csv``, ``WDIseries-time.csv``, ``WDIfootnote.csv``)."""
    try:
        if file_kind(path) != "text":
            return None
        cells = first_line_cells(path, 1)
    except Exception:
        return None
    head = [unquote(c) for c in cells[0]] if cells else []
    if head[:2] in (_COUNTRY_META_HEADER, _INDICATOR_META_HEADER, *_BULK_COMPANIONS):
        return "wdi_metadata"
    return None


def aggregate_codes(path: Path) -> set[str]:
    """Codes of the aggregates listed in a WDI ``Metadata_Country_*`` file.

    WDI lists every economy and every aggregate (regions, income groups, "World", …) in
    ``Metadata_Country_*.csv`` (and in sheet ``Metadata - Countries`` of the ``.xls``
    download). Aggregates are the rows whose ``Region`` is empty; economies always have a
    region. Use this to tell aggregates from countries by code, e.g.
    ``"EAS" in aggregate_codes(meta)``.

    Notes
    -----
    A code that appears in a data file but not in the metadata (``INX`` "Not classified" in
    the 2026 downloads) is in neither set: callers must treat unknown codes themselves.

    Raises
    ------
    SourceError
        When the file has no ``Country Code, Region`` header.
    """
    path = Path(path)
    if file_kind(path) == "ole":
        import xlrd

        book = xlrd.open_workbook(str(path), on_demand=True)
        try:
            for name in book.sheet_names():
                sheet = book.sheet_by_name(name)
                if sheet.nrows and [str(v) for v in sheet.row_values(0)[:2]] == (
                    _COUNTRY_META_HEADER
                ):
                    rows = [[str(v) for v in sheet.row_values(r)] for r in range(sheet.nrows)]
                    break
            else:
                raise SourceError(f"{path.name}: no sheet with a Country Code, Region header")
        finally:
            book.release_resources()
    else:
        rows = read_csv_rows(path)
    if not rows or rows[0][:2] != _COUNTRY_META_HEADER:
        raise SourceError(f"{path.name}: no WDI Metadata_Country header (Country Code, Region)")
    return {r[0].strip() for r in rows[1:] if len(r) >= 2 and r[0].strip() and not r[1].strip()}


def _source(meta: dict[str, str]) -> str:
    source = f"World Bank {meta.get('Data Source') or 'World Development Indicators'}"
    if meta.get("Last Updated Date"):
        source += f", updated {iso_date(meta['Last Updated Date'])}"
    return source


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a WDI data download (CSV or ``.xls``) into raw records (one per non-empty year cell).

    ``locator`` is ``"line N, column YYYY"`` with N the 1-based line in the CSV file, or
    ``"Data!E5"`` for the Excel download. ``source`` is ``"World Bank <Data Source>, updated
    <Last Updated Date>"`` for both (the Excel date cell is converted to ``YYYY-MM-DD``).
    Numeric Excel cells are written as the integer text or ``repr(float)``.

    The CSV is streamed row by row (the bulk ``WDICSV.csv`` holds every economy and about
    1,500 series, ≈250 MB): rows of economies that are not member states (Timor-Leste
    included) make no records; their non-empty cells are counted in
    ``records.attrs[TALLY]`` (:func:`~mtr_analysis.intake.sources.text.tally_frame`), so
    the build still accounts for every cell.

    Raises
    ------
    SourceError
        When the header row is missing or a data row has the wrong number of cells.
    """
    if file_kind(path) == "ole":
        return _read_xls(path, root)
    rel = rel_path(path, root)
    rows = iter_csv_rows(path)
    meta: dict[str, str] = {}
    header, offset = None, 0
    for _line, cells in rows:
        if (found := _header_offset(cells)) is not None:
            offset, header = found, cells[found:]
            break
        if len(cells) >= 2 and unquote(cells[0]):
            meta[unquote(cells[0])] = unquote(cells[1])
    if header is None:
        raise SourceError(f"{rel}: no WDI header row ({', '.join(_HEADER)}) found")
    # A file quoted twice has literal quotes in every cell: remove them row by row.
    requote = any(c.strip().startswith('"') for c in header[:4])
    table = _Table([unquote(c) for c in header], _source(meta), rel)
    for line, cells in rows:
        cells = cells[offset:] if offset else cells
        table.add(line, [unquote(c) for c in cells] if requote else cells)
    return table.frame()


def _header_offset(cells: list[str]) -> int | None:
    """Where the WDI header starts in a row: 0, 1 after an unnamed index column (a table
    re-saved with pandas), or ``None`` when the row is not the header. Header cells are
    compared without spaces, BOM and the literal quotes of a second quoting pass."""
    if len(cells) < 4:
        return None
    k = index_column(cells, _HEADER)
    return k if [unquote(c) for c in cells[k : k + 4]] == _HEADER else None


def _member(country: str, cache: dict[str, bool]) -> bool:
    """True when ``country`` is a member state or Timor-Leste (cached per distinct text)."""
    hit = cache.get(country)
    if hit is None:
        hit = cache[country] = registry.to_iso3(country, include_optional=True) is not None
    return hit


class _Table:
    """The data rows of a WDI CSV, collected column by column (a dict per record would cost
    about ten times the memory on a bulk file)."""

    def __init__(self, header: list[str], source: str, rel: str) -> None:
        self.header = header
        self.years = [(j, int(h)) for j, h in enumerate(header) if _YEAR.match(h.strip())]
        self.extra = extra_columns(header, {0, 1, 2, 3, *(j for j, _ in self.years)})
        #: Extra columns with a header text: their cells are out of scope for that reason.
        self.named = {j: f"column {h!r} is not a year" for j, h in self.extra.items() if h}
        self.source, self.rel = source, rel
        self.cols: dict[str, list] = {k: [] for k in ("country", "country_name", "series",
                                                      "year", "raw", "locator")}  # fmt: skip
        self.unread: list[dict] = []
        self.tally: dict[tuple[str, str, str], int] = {}
        self.members: dict[str, bool] = {}

    def add(self, line: int, cells: list[str]) -> None:
        """Records (member-state rows) or tallies (any other economy) of one data row."""
        # A blank row (or one of blank cells) is skipped; rows are tested for blankness only
        # when short, since a long blank row has no member code and tallies nothing.
        if len(cells) < len(self.years) + 4 - 1:
            if not any(c.strip() for c in cells):
                return
            raise SourceError(
                f"{self.rel}, line {line}: {len(cells)} cells, expected {len(self.header)} "
                "as in the header"
            )
        name, code, _ind_name, series = cells[:4]
        country = code or name
        if not _member(country, self.members):
            self._count(country, name, cells)
            return
        width = len(cells)
        found = [(y, raw) for j, y in self.years if j < width and (raw := cells[j].strip())]
        cols, n = self.cols, len(found)
        cols["country"] += [country] * n
        cols["country_name"] += [name] * n
        cols["series"] += [series] * n
        cols["year"] += [y for y, _ in found]
        cols["raw"] += [raw for _, raw in found]
        cols["locator"] += [f"line {line}, column {y}" for y, _ in found]
        base = {"country": country, "country_name": name, "series": series,
                "source": self.source, "file": self.rel}  # fmt: skip
        self.unread += unread_cells(cells, line, self.header, self.extra, base)

    def _count(self, country: str, name: str, cells: list[str]) -> None:
        """Count the non-empty cells of a row out of scope (by the build's own rules)."""
        values = cells[4:]
        filled = len(values) - values.count("")
        joined = "".join(values)
        # Rare: a cell of spaces is empty; count exactly only when any space is present
        # (str.strip's ASCII spaces, or any non-ASCII text, checked by fast substring tests).
        if not joined.isascii() or any(ch in joined for ch in _ASCII_SPACES):
            filled = sum(map(bool, map(str.strip, values)))
        for j, why in self.named.items():
            if j < len(cells) and cells[j].strip():
                key = (country, name, why)
                self.tally[key] = self.tally.get(key, 0) + 1
                filled -= 1
        if filled:
            key = (country, name, "")
            self.tally[key] = self.tally.get(key, 0) + filled

    def frame(self) -> pd.DataFrame:
        """The records, with the tally in ``attrs``."""
        cells = pd.DataFrame(self.cols)
        cells["source"], cells["file"], cells["note"] = self.source, self.rel, ""
        out = records_frame([])
        out = pd.concat([out, cells, records_frame(self.unread)], ignore_index=True)
        for col, default in (("unit", ""), ("sex", "total"), ("age", "total"),
                             ("location", "total"), ("lower", ""), ("upper", ""),
                             ("issue", ""), ("skip", "")):  # fmt: skip
            out[col] = out[col].fillna(default)
        out.attrs[TALLY] = tally_frame(self.tally)
        return out


def _xls_header_row(sheet, max_rows: int = 12) -> int | None:
    for r in range(min(max_rows, sheet.nrows)):
        if [str(v).strip() for v in sheet.row_values(r, 0, 4)] == _HEADER:
            return r
    return None


def _xls_data_sheet(path: Path) -> str | None:
    """Name of the sheet holding the WDI data table in a ``.xls`` download, if any."""
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        names = book.sheet_names()
        for name in sorted(names, key=lambda n: n != "Data"):  # "Data" first
            if _xls_header_row(book.sheet_by_name(name)) is not None:
                return name
            book.unload_sheet(name)
        return None
    finally:
        book.release_resources()


def _read_xls(path: Path, root: Path | None) -> pd.DataFrame:
    import xlrd
    from openpyxl.utils import get_column_letter

    rel = rel_path(path, root)
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:
        raise SourceError(f"{rel}: not a readable .xls workbook ({exc})") from exc
    try:
        name = next(
            (
                n
                for n in sorted(book.sheet_names(), key=lambda n: n != "Data")
                if _xls_header_row(book.sheet_by_name(n)) is not None
            ),
            None,
        )
        if name is None:
            raise SourceError(f"{rel}: no sheet with a WDI header row ({', '.join(_HEADER)})")
        sheet = book.sheet_by_name(name)
        header_at = _xls_header_row(sheet)
        meta: dict[str, str] = {}
        for r in range(header_at):
            cells = sheet.row(r)
            if len(cells) < 2 or cells[0].ctype != xlrd.XL_CELL_TEXT or not cells[0].value:
                continue
            value = cells[1]
            if value.ctype == xlrd.XL_CELL_DATE:
                text = xlrd.xldate_as_datetime(value.value, book.datemode).date().isoformat()
            elif value.ctype == xlrd.XL_CELL_NUMBER:
                text = excel_number_text(value.value)
            else:
                text = iso_date(str(value.value))  # a date typed as text: "7/1/2025"
            meta[str(cells[0].value).strip()] = text
        header = [str(v).strip() for v in sheet.row_values(header_at)]
        year_cols = [(j, int(h)) for j, h in enumerate(header) if _YEAR.match(h)]
        source = _source(meta)
        out = []
        for r in range(header_at + 1, sheet.nrows):
            cells = sheet.row(r)
            ids = [str(c.value).strip() for c in cells[:4]]
            if not any(ids) and all(
                c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) for c in cells
            ):
                continue
            name_, code, _ind_name, series = (ids + [""] * 4)[:4]
            for j, year in year_cols:
                if j >= len(cells):
                    continue
                cell = cells[j]
                if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    continue
                if cell.ctype == xlrd.XL_CELL_NUMBER:
                    raw = excel_number_text(cell.value)
                elif cell.ctype == xlrd.XL_CELL_TEXT:
                    raw = cell.value
                    if not raw.strip():
                        continue
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    raw = xlrd.error_text_from_code.get(cell.value, "#ERROR")
                else:
                    raw = str(cell.value)
                out.append(
                    {
                        "country": code or name_,
                        "country_name": name_,
                        "series": series,
                        "year": year,
                        "raw": raw,
                        "source": source,
                        "file": rel,
                        "locator": f"{name}!{get_column_letter(j + 1)}{r + 1}",
                        "note": "",
                    }
                )
    finally:
        book.release_resources()
    return records_frame(out)


def write(path: Path, series: str, series_name: str, table: pd.DataFrame, meta: dict) -> None:
    """Write a table in the WDI download layout (used by the demo generator).

    Parameters
    ----------
    table : pandas.DataFrame
        Columns ``name``, ``code`` and one column per year (int), values already formatted
        as text ("" for missing).
    meta : dict
        ``Data Source`` and ``Last Updated Date`` preamble values.
    """
    years = [c for c in table.columns if isinstance(c, int)]
    buf = io.StringIO()

    def line(cells: list[str]) -> None:
        # WDI rows end with a trailing comma.
        buf.write(",".join(f'"{c}"' for c in cells) + ",\r\n")

    line(["Data Source", meta["Data Source"]])
    buf.write("\r\n")
    line(["Last Updated Date", meta["Last Updated Date"]])
    buf.write("\r\n")
    line(_HEADER + [str(y) for y in years])
    for r in table.itertuples(index=False):
        rec = r._asdict()
        line([rec["name"], rec["code"], series_name, series] + [table_val for table_val in r[2:]])
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
