"""UNDP Human Development Report composite-indices time series (wide ``<var>_<year>``).

Layout (``HDR23-24_Composite_indices_complete_time_series.csv``): one row per country or
aggregate, identifier columns ``iso3, country, hdicode, region`` and then one column per
variable and year: ``hdi_1990 … hdi_2022, le_1990 …, pop_total_2022, hdi_rank_2022, …``.
Aggregates (development groups, regions, world) have codes such as ``ZZA.VHHD`` and
``ZZK.WORLD``. Encoding is Windows-1252 (``Côte d'Ivoire``) or UTF-8.

Records: one per non-empty ``<var>_<year>`` cell. ``country`` = ``iso3`` as written,
``country_name`` = ``country``, ``series`` = the variable name (``hdi``, ``le``,
``pop_total``, ``hdi_rank``), ``year`` from the column name, ``raw`` = the cell text
(``NaN`` cells are kept: cleaning classifies them), ``unit`` from :data:`UNITS` (HDR
technical notes; empty when the unit depends on the report's PPP base, e.g. ``gnipc``),
``locator`` = ``"line N, column le_2015"``. A non-empty cell beyond the header (a ragged
row) or under an empty header is a rejected record with the line and the number of cells. ``source`` =
``"UNDP Human Development Report Office, HDR 2023/24 composite indices time series (data to
2022)"``: the report edition comes from the file name when it has one (``HDR23-24``), the
last year from the columns.

Re-saved copies read the same: an unnamed index column in front (pandas ``to_csv``, R
``write.csv``) is skipped, cells quoted twice (read as ``"iso3"`` with its quotes) lose one level of quotes,
Windows-1252 or UTF-8 with or without BOM, trailing empty columns ignored. Country names
do not matter when ``iso3`` is filled (``Viet Nam``/``Vietnam``, ``Türkiye``/``Turkey``).
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
    first_csv_row,
    rel_path,
    unquote,
    unread_cells,
)

FORMAT = "undp_hdr"
PRODUCER = "UNDP Human Development Report Office"
_VAR_YEAR = re.compile(r"^([A-Za-z][A-Za-z0-9_]*?)_((?:19|20)\d{2})$")
_MIN_VAR_COLUMNS = 5
_EDITION = re.compile(r"HDR[ _-]?(\d{2})[-_](\d{2})", re.IGNORECASE)

#: Units of the HDR variables (HDR technical notes). Variables not listed get no unit.
UNITS = {
    "hdi": "index (0-1)", "hdi_f": "index (0-1)", "hdi_m": "index (0-1)",
    "ihdi": "index (0-1)", "phdi": "index (0-1)", "gdi": "ratio (female/male HDI)",
    "gii": "index (0-1)",
    "le": "years", "le_f": "years", "le_m": "years",
    "eys": "years", "eys_f": "years", "eys_m": "years",
    "mys": "years", "mys_f": "years", "mys_m": "years",
    "mmr": "deaths per 100,000 live births", "abr": "births per 1,000 women ages 15-19",
    "se_f": "% of females ages 25+", "se_m": "% of males ages 25+",
    "pr_f": "% of seats", "pr_m": "% of seats",
    "lfpr_f": "% of females ages 15+", "lfpr_m": "% of males ages 15+",
    "co2_prod": "tonnes per capita", "mf": "tonnes per capita",
    "pop_total": "millions",
    "coef_ineq": "%", "loss": "%", "ineq_le": "%", "ineq_edu": "%", "ineq_inc": "%",
    "diff_hdi_phdi": "%",
    "hdi_rank": "rank", "gii_rank": "rank", "rankdiff_hdi_phdi": "rank difference",
}  # fmt: skip


def _layout(header: list[str]) -> tuple[int, int, list[tuple[int, str, int]]] | None:
    """(iso3 column, country column, [(column, variable, year)]) for an HDR header.

    Header cells are compared after :func:`~.text.unquote` (a second quoting pass leaves
    ``"iso3"`` with its quotes), so a re-saved file reads like the download.
    """
    names = [unquote(h).lower() for h in header]
    if "iso3" not in names or "country" not in names:
        return None
    cols = []
    for j, h in enumerate(header):
        m = _VAR_YEAR.match(unquote(h))
        if m:
            cols.append((j, m.group(1), int(m.group(2))))
    if len(cols) < _MIN_VAR_COLUMNS:
        return None
    return names.index("iso3"), names.index("country"), cols


def _index_column(header: list[str], iso_j: int, name_j: int) -> set[int]:
    """``{0}`` when the first column is the unnamed index of a table re-saved with pandas or
    R (``""``, ``Unnamed: 0``) in front of the identifier columns, else empty."""
    first = unquote(header[0]).lower() if header else "iso3"
    return {0} if first in INDEX_HEADERS and min(iso_j, name_j) > 0 else set()


def sniff(path: Path) -> bool:
    """True when a text file's first row has ``iso3``, ``country`` and ``<var>_<year>``
    columns (at least five)."""
    try:
        first = first_csv_row(path, 65536)
        return bool(first) and _layout(first) is not None
    except Exception:  # a probe never raises
        return False


def _source(path: Path, last_year: int) -> str:
    m = _EDITION.search(path.name)
    edition = f"HDR 20{m.group(1)}/{m.group(2)} " if m else ""
    return f"{PRODUCER}, {edition}composite indices time series (data to {last_year})"


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read an HDR composite-indices CSV into raw records (one per non-empty value cell).

    Raises
    ------
    SourceError
        When the first row is not an HDR header.
    """
    rel = rel_path(path, root)
    rows = csv_rows(decode(path.read_bytes()))
    first = next(rows, None)
    layout = _layout(first[1]) if first else None
    if layout is None:
        raise SourceError(
            f"{rel}, line 1: not an HDR header (expected iso3, country and <var>_<year> columns)"
        )
    iso_j, name_j, cols = layout
    header = first[1]
    source = _source(path, max(year for _, _, year in cols))
    # Only cells beyond the header (or under an empty one) are accounted for here: the
    # other identifier columns (hdicode, region) carry no values, as before; the row
    # numbers of a re-saved table's index column are not values either.
    named = {j for j, h in enumerate(header) if unquote(h)}
    extra = extra_columns(header, named | _index_column(header, iso_j, name_j))
    out = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        code = unquote(cells[iso_j]) if iso_j < len(cells) else ""
        name = unquote(cells[name_j]) if name_j < len(cells) else ""
        base = {"country": code or name, "country_name": name or code, "series": "",
                "source": source, "file": rel}  # fmt: skip
        out += unread_cells(cells, line, header, extra, base)
        for j, var, year in cols:
            raw = unquote(cells[j]) if j < len(cells) else ""
            if not raw:
                continue
            out.append(
                {
                    "country": code or name,
                    "country_name": name or code,
                    "series": var,
                    "year": year,
                    "raw": raw,
                    "unit": UNITS.get(var, ""),
                    "source": source,
                    "file": rel,
                    "locator": f"line {line}, column {unquote(header[j])}",
                }
            )
    return records_frame(out)
