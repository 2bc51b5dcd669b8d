"""World Bank WDI per-indicator (and per-country) CSV downloads.

Layout: optional UTF-8 BOM, a preamble (``"Data Source","World Development Indicators",``,
``"Last Updated Date","2026-07-13",`` with blank lines), then a header
``"Country Name","Country Code","Indicator Name","Indicator Code","1960",…`` and one row
per economy with a trailing comma. Blank cells are missing values.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from mtr_analysis.sources import SourceError, records_frame

FORMAT = "wdi_csv"
_HEADER = ["Country Name", "Country Code", "Indicator Name", "Indicator Code"]
_YEAR = re.compile(r"^\d{4}$")


def decode(data: bytes) -> str:
    """Decode bytes as UTF-8 (with or without BOM), falling back to Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _head_lines(path: Path, n: int = 12) -> list[str]:
    with open(path, "rb") as fh:
        return decode(fh.read(20000)).splitlines()[:n]


def sniff(path: Path) -> bool:
    """True when the file is a WDI data CSV (header row of the WDI layout near the top)."""
    if path.suffix.lower() != ".csv":
        return False
    for line in _head_lines(path):
        cells = next(csv.reader([line]), [])
        if cells[:4] == _HEADER:
            return True
    return False


def sniff_companion(path: Path) -> str | None:
    """``"wdi_metadata"`` for the ``Metadata_Country_*`` / ``Metadata_Indicator_*`` files."""
    if path.suffix.lower() != ".csv":
        return None
    head = next(csv.reader(_head_lines(path, 1)), [])
    if head[:2] in (["Country Code", "Region"], ["INDICATOR_CODE", "INDICATOR_NAME"]):
        return "wdi_metadata"
    return None


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a WDI data CSV into raw records (one per non-empty year cell).

    ``locator`` is ``"line N, column YYYY"`` with N the 1-based line in the file.
    ``source`` is ``"World Bank <Data Source>, updated <Last Updated Date>"``.

    Raises
    ------
    SourceError
        When the header row is missing or a data row has the wrong number of cells.
    """
    rel = str(path.relative_to(root)) if root else path.name
    text = decode(path.read_bytes())
    rows = list(csv.reader(io.StringIO(text)))
    meta: dict[str, str] = {}
    header_at = None
    for i, cells in enumerate(rows):
        if cells[:4] == _HEADER:
            header_at = i
            break
        if len(cells) >= 2 and cells[0]:
            meta[cells[0]] = cells[1]
    if header_at is None:
        raise SourceError(f"{rel}: no WDI header row ({', '.join(_HEADER)}) found")
    header = rows[header_at]
    year_cols = [(j, int(h)) for j, h in enumerate(header) if _YEAR.match(h.strip())]
    source = f"World Bank {meta.get('Data Source', 'World Development Indicators')}"
    if meta.get("Last Updated Date"):
        source += f", updated {meta['Last Updated Date']}"
    out = []
    for i in range(header_at + 1, len(rows)):
        cells = rows[i]
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < len(year_cols) + 4 - 1:
            raise SourceError(
                f"{rel}, line {i + 1}: {len(cells)} cells, expected {len(header)} as in the header"
            )
        name, code, _ind_name, series = cells[:4]
        for j, year in year_cols:
            raw = cells[j].strip() if j < len(cells) else ""
            if raw == "":
                continue
            out.append(
                {
                    "country": code or name,
                    "country_name": name,
                    "series": series,
                    "year": year,
                    "raw": raw,
                    "source": source,
                    "file": rel,
                    "locator": f"line {i + 1}, column {year}",
                    "note": "",
                }
            )
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
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")

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
    del w
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
