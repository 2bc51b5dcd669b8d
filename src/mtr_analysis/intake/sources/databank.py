"""World Bank DataBank exports (country-first or series-first, footers, appended metadata).

Layout of a DataBank CSV download (databank.worldbank.org, "Download options → CSV")::

    Country Name,Country Code,Series Name,Series Code,2015 [YR2015],2016 [YR2016],…
    Brunei Darussalam,BRN,"Life expectancy at birth, total (years)",SP.DYN.LE00.IN,74.88,…
    …
    ,,,,,…                                    (blank rows)
    Data from database: World Development Indicators,,,…
    Last Updated: 07/13/2026,,,…

* The four identifier columns may come in any order (``Series Name, Series Code, Country
  Name, Country Code, …`` when the export puts series first); year columns are
  ``YYYY [YRYYYY]``; ``YRYYYY``, plain ``YYYY`` and ``YYYY.0`` (a header re-saved by Excel)
  are accepted too.
* Nothing vanishes: a non-empty cell under a header that is not a year is a record out of
  scope ("column 'Notes' is not a year"); one under an empty header or beyond the header
  (a ragged row) is a record rejected with the line and the number of cells.
* ``..`` marks a missing value; it is kept as a record (cleaning classifies it).
* The data block ends at the first blank row (or a footer line). The footer names the
  database and its "Last Updated" date (``MM/DD/YYYY``), which goes into ``source`` as
  ``"World Bank World Development Indicators, updated 2026-07-13 (DataBank export)"``.
* Some saves append the export's metadata table after the footer (``Code, License Type,
  Indicator Name, Long definition, Source, Topic, …``) in the same CSV, sometimes with broken
  quoting; nothing after the data block produces records.
* Encoding is UTF-8 (with or without BOM) or Windows-1252.

``locator`` is ``"line N, column YYYY"`` (1-based line in the file).

Companion files (format ``"databank_metadata"``: documentation, no observations):

* the export's metadata table on its own (``Code, License Type, Indicator Name, Long
  definition, Source, …``) and "Definition and Source" tables (``Code, Indicator Name,
  Long definition, Source``), as CSV, or workbooks whose every sheet is such a sheet;
* ``… - Metadata.csv`` saved as the data block *plus* the metadata table when a sibling file
  in the same folder holds the same data block (same header and identifier cells, row by
  row) without the table: its values are that sibling's (read once, never twice). Without
  such a sibling the file is read as data, so no value is lost.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import (
    INDEX_HEADERS,
    csv_rows,
    decode,
    extra_columns,
    file_kind,
    first_csv_row,
    iso_date,
    rel_path,
    unquote,
    unread_cells,
)

FORMAT = "databank_csv"
ID_COLUMNS = ("Country Name", "Country Code", "Series Name", "Series Code")
_YEAR_HEADER = re.compile(r"^(?:(\d{4})(?: \[YR\1\]|\.0+)?|YR(\d{4}))$", re.IGNORECASE)
_FOOTER_DB = re.compile(r"^\s*Data from database:\s*(.+?)\s*$", re.IGNORECASE)
_FOOTER_UPDATED = re.compile(r"^\s*Last Updated:\s*(.+?)\s*$", re.IGNORECASE)
_METADATA_HEADER = ("Code", "License Type")
COMPANION_FORMATS = ("databank_metadata",)
#: Header cells (lower case) that only a metadata / "Definition and Source" table has.
_DOC_COLUMNS = frozenset({"long definition", "license type", "development relevance"})
#: Sheet names (lower case) of the documentation sheets of World Bank Excel downloads.
_DOC_SHEETS = frozenset({
    "definition and source", "series - metadata", "country - metadata",
    "metadata - countries", "metadata - indicators", "metadata",
})  # fmt: skip
#: Largest data file compared with its siblings when looking for a duplicate (bytes).
_SIBLING_LIMIT = 50_000_000


def _header_layout(cells: list[str]) -> tuple[dict[str, int], list[tuple[int, int]]] | None:
    """(id column → index, [(index, year)]) when ``cells`` is a DataBank header row."""
    names = [unquote(c) for c in cells]
    ids = {c: names.index(c) for c in ID_COLUMNS if c in names}
    if "Country Code" not in ids and "Country Name" not in ids:
        return None
    if "Series Code" not in ids and "Series Name" not in ids:
        return None
    years = []
    bracketed = False
    for j, h in enumerate(names):
        m = _YEAR_HEADER.match(h)
        if m:
            years.append((j, int(m.group(1) or m.group(2))))
            bracketed = bracketed or "YR" in h.upper()
    # Plain "2015" headers are accepted only with all four id columns (WDI's own CSV has
    # "Indicator Name/Code" instead of "Series Name/Code", so it never matches here).
    if not years or not (bracketed or len(ids) == 4):
        return None
    return ids, years


def sniff(path: Path) -> bool:
    """True when the first line of a text file is a DataBank header (ids + year columns),
    unless the file is the data-plus-metadata twin of a sibling (:func:`sniff_companion`)."""
    try:
        first = first_csv_row(path, 8000)
        return bool(first) and _header_layout(first) is not None and not _twin_of_sibling(path)
    except Exception:  # a probe never raises
        return False


def _split(rows: list[tuple[int, list[str]]]) -> tuple[list[list[str]], bool]:
    """(identifier-and-header rows of the data block, whether a metadata table follows)."""
    block: list[list[str]] = []
    ended = False
    for _line, cells in rows:
        if tuple(c.strip() for c in cells[:2]) == _METADATA_HEADER:
            return block, True
        if not ended and (_is_blank(cells) or _is_footer_or_metadata(cells)):
            ended = True
        if not ended:
            block.append([c.strip() for c in cells[: 4 if block else None]])
    return block, False


def _block(path: Path) -> tuple[list[list[str]], bool]:
    return _split(list(csv_rows(decode(path.read_bytes()))))


def _twin_of_sibling(path: Path) -> bool:
    """True when ``path`` holds a data block and an appended metadata table, and a sibling
    DataBank file holds the same data block (header and identifiers) without the table."""
    if path.stat().st_size > _SIBLING_LIMIT:
        return False
    block, has_table = _block(path)
    if not has_table or len(block) < 2:
        return False
    for sib in sorted(path.parent.iterdir()):
        if sib == path or not sib.is_file() or sib.stat().st_size > _SIBLING_LIMIT:
            continue
        first = first_csv_row(sib, 8000)
        if first and _header_layout(first) is not None and _block(sib) == (block, False):
            return True
    return False


def sniff_companion(path: Path) -> str | None:
    """``"databank_metadata"`` for a metadata or "Definition and Source" table (CSV or a
    workbook of such sheets) and for the data-plus-metadata twin of a sibling data file."""
    try:
        kind = file_kind(path)
        if kind in ("zip", "ole"):
            names = _sheet_names(path, kind)
            ok = bool(names) and all(n.strip().lower() in _DOC_SHEETS for n in names)
            return "databank_metadata" if ok else None
        if kind != "text":
            return None
        first = {c.strip().lower() for c in first_csv_row(path, 8000)}
        if first & _DOC_COLUMNS or _twin_of_sibling(path):
            return "databank_metadata"
    except Exception:  # a probe never raises
        return None
    return None


def _sheet_names(path: Path, kind: str) -> list[str]:
    """Sheet names of an ``.xlsx`` (zip) or ``.xls`` (OLE) workbook; ``[]`` if unreadable."""
    if kind == "zip":
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            return list(book.sheetnames)
        finally:
            book.close()
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        return list(book.sheet_names())
    finally:
        book.release_resources()


def _is_blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


def _is_footer_or_metadata(cells: list[str]) -> bool:
    first = cells[0] if cells else ""
    return bool(
        _FOOTER_DB.match(first)
        or _FOOTER_UPDATED.match(first)
        or tuple(c.strip() for c in cells[:2]) == _METADATA_HEADER
    )


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a DataBank CSV export into raw records (one per non-empty year cell).

    ``country`` is the Country Code (the name when the code is empty), ``series`` the
    Series Code (the name when the code is empty). Rows after the data block (blank rows,
    footer, appended metadata table) produce no records.

    Raises
    ------
    SourceError
        When the first row is not a DataBank header, or a data row is shorter than the
        identifier columns.
    """
    rel = rel_path(path, root)
    rows = csv_rows(decode(path.read_bytes()))
    first = next(rows, None)
    layout = _header_layout(first[1]) if first else None
    if layout is None:
        raise SourceError(
            f"{rel}, line 1: not a DataBank header (expected {', '.join(ID_COLUMNS)} and "
            "year columns such as '2015 [YR2015]')"
        )
    ids, year_cols = layout
    width = max(ids.values()) + 1
    data: list[tuple[int, list[str]]] = []
    database = updated = ""
    ended = False
    for line, cells in rows:
        if not ended:
            if _is_blank(cells) or _is_footer_or_metadata(cells):
                ended = True
            else:
                if len(cells) < width:
                    raise SourceError(
                        f"{rel}, line {line}: {len(cells)} cells, the identifier columns need "
                        f"{width}"
                    )
                data.append((line, cells))
                continue
        if tuple(c.strip() for c in cells[:2]) == _METADATA_HEADER:
            break  # the appended metadata table: nothing below is data or footer
        first_cell = cells[0] if cells else ""
        if m := _FOOTER_DB.match(first_cell):
            database = m.group(1)
        elif m := _FOOTER_UPDATED.match(first_cell):
            updated = iso_date(m.group(1))
    source = f"World Bank {database or 'DataBank'}"
    source += f", updated {updated} (DataBank export)" if updated else " (DataBank export)"

    def cell(cells: list[str], col: str) -> str:
        j = ids.get(col)
        return cells[j].strip() if j is not None and j < len(cells) else ""

    header = [unquote(c) for c in first[1]]
    # An unnamed first column (the index pandas writes when a user splits an export) holds
    # row numbers, not values: it is read like an identifier column.
    index = {0} if header[0].lower() in INDEX_HEADERS and 0 not in ids.values() else set()
    extra = extra_columns(header, {*ids.values(), *index, *(j for j, _ in year_cols)})
    # A file quoted twice has literal quotes in every cell: remove them row by row.
    requote = any(c.strip().startswith('"') for c in first[1])
    out = []
    for line, cells in data:
        cells = [unquote(c) for c in cells] if requote else cells
        name, code = cell(cells, "Country Name"), cell(cells, "Country Code")
        series = cell(cells, "Series Code") or cell(cells, "Series Name")
        base = {"country": code or name, "country_name": name or code, "series": series,
                "source": source, "file": rel}  # fmt: skip
        for j, year in year_cols:
            raw = cells[j] if j < len(cells) else ""
            if not raw.strip():
                continue
            out.append({**base, "year": year, "raw": raw, "locator": f"line {line}, column {year}"})
        out += unread_cells(cells, line, header, extra, base)
    return records_frame(out)
