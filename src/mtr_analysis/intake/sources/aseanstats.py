"""ASEANstats exports (``Cambodia [KH]`` names, space thousands separators).

Layout of a CSV export from the ASEANstats data portal (``dulich-Data.csv``, tourism)::

    "","","Year","","",…                       preamble: the label over the year columns
    "Destination Country","Origin Country","2016","2017",…   header
    "Brunei Darussalam","Cambodia [KH]","318","356",…
    "","Indonesia [ID]","20 844","22 420",…    blank leading cell = same as the row above
    …
    "","Total Intra-ASEAN","117 525",…

* Leading (label) columns come before the year columns; a blank label cell repeats the
  value above it (merged cells in the portal's table).
* Country names may carry their ISO2 code in brackets (``Cambodia [KH]``); numbers use a
  space as thousands separator (``20 844``). ``raw`` keeps the text as written: cleaning
  parses ``"1 234"``.
* Detection (content only): a header row with at least two year columns after one or more
  label columns, and at least one ``Name [XX]`` label in the first rows.

Records: one per non-empty year cell. ``country`` is the first label column whose header
names a country (``Destination Country``), else the first label column; when the name has a
bracketed ISO2 code, ``country`` is that code and ``country_name`` the name as written.
``series`` is built from the other label columns: the value alone when the column is an
indicator/series column, else ``"<header>: <value>"`` (``"Origin Country: Cambodia [KH]"``).
The export carries no measure name, unit or date, so ``unit`` is empty and ``source`` is
``"ASEANstats (ASEAN Secretariat) data portal export"``. ``locator`` = ``"line N, column
YYYY"``.
A non-empty cell under a header that is not a year is out of scope; one beyond the header
(a ragged row) or under an empty header is rejected with the line and the number of cells.

Re-saved copies read the same: the ``Year`` preamble removed or padded with commas (the
header is searched in the first rows), an unnamed index column in front (pandas
``to_csv``, R ``write.csv``) dropped, cells quoted twice lose one level of quotes, numbers
re-saved without the space separator (``20844``). Country names before and after renames
(``Viet Nam [VN]``/``Vietnam [VN]``) give the same ISO2 code; without brackets the name is
matched by the member-state aliases at intake.
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
    head_text,
    rel_path,
    unquote,
    unread_cells,
)

FORMAT = "aseanstats"
SOURCE = "ASEANstats (ASEAN Secretariat) data portal export"
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_ISO2_NAME = re.compile(r"^(.*\S)\s*\[([A-Z]{2})\]$")
_SERIES_HEADERS = {"indicator", "series", "variable", "indicator name", "series name"}
_SCAN_ROWS = 15


def _header_layout(cells: list[str]) -> tuple[int, list[tuple[int, int]]] | None:
    """(number of label columns, [(column, year)]) when ``cells`` is a header row."""
    cells = [unquote(c) for c in cells]
    years = [(j, int(c)) for j, c in enumerate(cells) if _YEAR.match(c)]
    if len(years) < 2:
        return None
    first_year = years[0][0]
    labels = cells[:first_year]
    if not labels or not all(labels) or any(_YEAR.match(c) for c in labels):
        return None
    return first_year, years


def _find_header(rows: list[tuple[int, list[str]]]) -> int | None:
    for i, (_, cells) in enumerate(rows[:_SCAN_ROWS]):
        if _header_layout(cells) is not None:
            return i
    return None


def _without_index(rows: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """The rows without the unnamed index column of a table re-saved with pandas or R.

    The column is dropped when the header row, less its first cell, is an ASEANstats
    header, that first cell is an index header (``""``, ``Unnamed: 0``, ``index``) and every
    cell below it is a row number (digits). Line numbers are kept; year columns keep their
    names, so locators do not change.
    """
    for i, (_, cells) in enumerate(rows[:_SCAN_ROWS]):
        if (
            len(cells) > 3
            and unquote(cells[0]).lower() in INDEX_HEADERS
            and _header_layout(cells[1:]) is not None
            and all(unquote(c[0]).isdigit() for _, c in rows[i + 1 :] if c and any(c))
        ):
            return [(line, c[1:]) for line, c in rows]
    return rows


def sniff(path: Path) -> bool:
    """True for an ASEANstats-style table: a ``label…, YYYY, YYYY…`` header in the first rows
    followed by label cells of the form ``Name [XX]``."""
    try:
        if file_kind(path) != "text":
            return False
        lines = head_text(path, 16000).splitlines()[: _SCAN_ROWS + 20]
        rows = _without_index(list(csv_rows("\n".join(lines))))
        h = _find_header(rows)
        if h is None:
            return False
        n_labels, _ = _header_layout(rows[h][1])
        labels = (unquote(c) for _, cells in rows[h + 1 :] for c in cells[:n_labels])
        return any(_ISO2_NAME.match(c) for c in labels)
    except Exception:  # a probe never raises
        return False


def _country(value: str) -> tuple[str, str]:
    m = _ISO2_NAME.match(value.strip())
    return (m.group(2), value.strip()) if m else (value.strip(), value.strip())


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read an ASEANstats CSV export into raw records (one per non-empty year cell).

    Raises
    ------
    SourceError
        When no header row (labels followed by year columns) is found.
    """
    rel = rel_path(path, root)
    rows = _without_index(list(csv_rows(decode(path.read_bytes()))))
    h = _find_header(rows)
    if h is None:
        raise SourceError(
            f"{rel}: no header row with label columns followed by year columns in the first "
            f"{_SCAN_ROWS} rows"
        )
    header = rows[h][1]
    n_labels, year_cols = _header_layout(header)
    labels = [unquote(c) for c in header[:n_labels]]
    country_j = next((j for j, name in enumerate(labels) if "country" in name.lower()), 0)
    other = [j for j in range(n_labels) if j != country_j]
    current = [""] * n_labels
    # Non-year columns after the labels are not read: their cells are out of scope, and
    # a cell beyond the header (a ragged row) is rejected, so that none vanishes.
    extra = extra_columns(header, {*range(n_labels), *(j for j, _ in year_cols)})
    out = []
    for line, cells in rows[h + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        for j in range(n_labels):
            value = unquote(cells[j]) if j < len(cells) else ""
            if value:
                current[j] = value
                for k in range(j + 1, n_labels):  # a new outer label resets inner ones
                    if not (unquote(cells[k]) if k < len(cells) else ""):
                        current[k] = ""
        country, country_name = _country(current[country_j])
        parts = [
            current[j] if labels[j].lower() in _SERIES_HEADERS else f"{labels[j]}: {current[j]}"
            for j in other
            if current[j]
        ]
        series = "; ".join(parts)
        base = {"country": country, "country_name": country_name, "series": series,
                "source": SOURCE, "file": rel}  # fmt: skip
        out += unread_cells(cells, line, header, extra, base)
        for j, year in year_cols:
            raw = unquote(cells[j]) if j < len(cells) else ""
            if not raw:
                continue
            out.append(
                {
                    "country": country,
                    "country_name": country_name,
                    "series": series,
                    "year": year,
                    "raw": raw,
                    "source": SOURCE,
                    "file": rel,
                    "locator": f"line {line}, column {year}",
                }
            )
    return records_frame(out)
