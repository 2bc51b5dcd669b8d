"""UN SDG Global Database exports (xlsx/csv, long format) and UNSD per-series JSON.

**Long format** (unstats.un.org/sdgs/dataportal downloads, ``.xlsx`` or re-saved ``.csv``):
one row per observation with the columns ``Goal, Target, Indicator, SeriesCode,
SeriesDescription, GeoAreaCode, GeoAreaName, TimePeriod, Value, Time_Detail, TimeCoverage,
UpperBound, LowerBound, BasePeriod, Source, GeoInfoUrl, FootNote, Nature, Observation Status,
Reporting Type, Units`` plus dimension columns whose names and number vary by series
(``Sex``, ``Age``, ``Location``, ``Quantile``, …, written ``[Sex]`` in newer exports). Column
names are matched ignoring case, spaces, underscores and brackets. The data sheet is found by
its header (any sheet, header row anywhere in the first 30 rows); every sheet with that
header is read, other sheets (pivot tables, code lists) are ignored.

**UNSD 2017 per-series GeoJSON** (``UNStats-SDGs/sdgs-data`` ``series/data/<code>.json``):
``{"type": "FeatureCollection", "features": [{"properties": {"SERIES", "REF_AREA" (ISO3),
"sdgArea_Name", "TIME_PERIOD" (epoch milliseconds, UTC: ``946684800000`` = 2000-01-01),
"TIME_DETAIL", "OBS_VALUE", "UNIT", "SEX", "LOCATION", "AGE_GROUP", "NATURE",
"FOOTNOTES", "SOURCE_DETAIL", …}}]}``. ``AGE_GROUP`` is written ``<start>_<width>_Y``
(``020_005_Y`` = ages 20-24, ``005_013_Y`` = 5-17, ``000_099_Y`` = all ages); the text
``"NULL"`` means empty. See :func:`epoch_year` and :func:`geo_age`.

**UNSD per-series JSON** (SDG Country Profiles extracts): ``{"seriesCode", "release",
"refAreas": [{"geoAreaCode", "geoAreaName", "ISO3", "data": [{"timePeriod",
"value_detail", "value_numeric_part", "sexCode", "ageCode", "locationCode", …}]}]}``.

Records
-------
* One record per observation with a non-empty value (``Value`` cell, or the JSON
  ``value_detail`` text, else ``value_numeric_part``). Censored values (``<2.5``) and
  markers (``NA``, ``N``) keep their text in ``raw``.
* ``country``: the ISO3 code when the file gives one (JSON), else ``GeoAreaCode`` as written
  (M49, ``"704"`` or zero-padded ``"004"``); ``country_name`` = ``GeoAreaName``.
* ``year``: ``TimePeriod`` (an int, a ``YYYY…`` text, a date cell, or an Excel serial date,
  which is converted to its year).
* ``unit``: the ``Units`` code (``PERCENT``, ``NUMBER``; JSON ``unitsCode``).
* ``source``: ``"UN SDG Global Database, release 2019.Q2.G.01"`` (JSON ``release``) or
  ``"UN SDG Global Database export, file saved YYYY-MM-DD"`` (xlsx document properties; the
  exports carry no release stamp, so the save date is an upper bound on the vintage) or
  ``"UN SDG Global Database export"`` (csv). The custodian agency (``Source`` column) goes
  into ``note``, never into ``source``.
* ``note``: ``FootNote``, then ``Source: …``, ``Nature: …`` and, when present,
  ``Time_Detail``, ``BasePeriod``, bounds, a non-global ``Reporting Type`` and the
  dimension notes below, joined with ``" | "``.
* ``locator``: ``"Sheet!I12"`` (the Value cell), ``"line N, column Value"`` (csv),
  ``"record N"`` (JSON: the N-th data point in file order, counting every area's ``data``
  list in turn) or ``"features[i]"`` (GeoJSON, 0-based).

Dimensions
----------
* ``Sex``/``sexCode``: BOTHSEX, ``_T`` → ``"total"``; FEMALE, ``F`` → ``"female"``; MALE,
  ``M`` → ``"male"``. ``Location``: ALLAREA, ``_T`` → ``"total"``; URBAN/``U`` →
  ``"urban"``; RURAL/``R`` → ``"rural"``. ``Age``: ALLAGE, ``_T`` → ``"total"``; ``Y15T24``
  → ``"15-24"``, ``Y_GE15`` → ``"15+"``; other text as written (``"15+"``). Empty → total.
* **Reference dimensions.** When a dimension defines a series rather than breaking it down
  (``SG_GEN_PARL`` is always ``FEMALE``: it *is* the women's share; ``SH_DYN_NMRT`` is
  always age ``M0``; ``SL_TLF_NEET`` is age 15-24 with a few national variants), it is set
  to ``"total"`` and the value as written is kept in ``note`` (``"Sex: FEMALE (series
  definition)"``), so that the series lines up with the same indicator from other sources.
  The rule is in :func:`collapse_reference_dimensions`. Series that do break down by the
  dimension (``SI_POV_EMP1`` by age and sex) keep the mapped values.
* Other dimensions (``Quantile``, ``Education level``, …): a total value (empty, ``_T``,
  ``ALL…``, ``_Z``) is dropped; any other value is appended to ``series``
  (``"SI_COV_SOCAST [Quantile=Q1]"``) and to ``note``, so that a quintile value can never be
  taken for the series total.
* ``UpperBound``/``LowerBound``, ``GeoInfoUrl``, ``TimeCoverage`` and ``Observation Status``
  are not kept except as noted above.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from collections import defaultdict
from itertools import zip_longest
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import (
    FORMULA_NO_CACHE,
    csv_rows,
    decode,
    excel_number_text,
    extra_columns,
    file_kind,
    head_text,
    rel_path,
    unread_cells,
)

FORMAT = "unsdg"
PRODUCER = "UN SDG Global Database"
_HEADER_SCAN_ROWS = 30
_REQUIRED = {"seriescode", "timeperiod", "value"}
_AREA = {"geoareacode", "geoareaname"}
_KNOWN = {
    "goal", "target", "indicator", "seriescode", "seriesdescription", "geoareacode",
    "geoareaname", "timeperiod", "value", "timedetail", "timecoverage", "upperbound",
    "lowerbound", "baseperiod", "source", "geoinfourl", "footnote", "nature",
    "observationstatus", "reportingtype", "units",
}  # fmt: skip
_CANONICAL = {"sex": "sex", "age": "age", "agegroup": "age", "location": "location"}
_TOTAL_CODES = {"", "_T", "T", "_Z", "TOTAL", "ALL", "ALLAGE", "ALLAREA", "BOTHSEX"}
_SEX = {"FEMALE": "female", "F": "female", "MALE": "male", "M": "male"}
_LOCATION = {"URBAN": "urban", "U": "urban", "RURAL": "rural", "R": "rural"}
_JSON_NON_DIMENSIONS = {"natureCode", "unitsCode", "reportingTypeCode"}


def _norm(header: object) -> str:
    return re.sub(r"[\s_\[\]]", "", str(header or "")).lower()


def _is_header(values: list[object]) -> bool:
    names = {_norm(v) for v in values}
    return _REQUIRED <= names and bool(_AREA & names)


# --- detection --------------------------------------------------------------------------


def _json_head_matches(path: Path) -> bool:
    head = head_text(path, 65536).lstrip()
    return (
        head[:1] in ("{", "[")
        and re.search(r'"seriesCode"\s*:', head) is not None
        and re.search(r'"refAreas"\s*:', head) is not None
    )


def _geojson_head_matches(path: Path) -> bool:
    head = head_text(path, 65536).lstrip()
    return (
        head[:1] == "{"
        and re.search(r'"FeatureCollection"', head) is not None
        and re.search(r'"SERIES"\s*:', head) is not None
        and re.search(r'"TIME_PERIOD"\s*:', head) is not None
    )


def near_miss(path: Path) -> str | None:
    """The specific reason a JSON file is not read, or ``None`` for other files.

    A JSON array of strings or numbers (records that are not objects) is named as such;
    other JSON (e.g. a World Bank API page) is named as JSON without the UNSD structure.
    """
    if file_kind(path) != "text" or head_text(path, 64).lstrip()[:1] not in ("[", "{"):
        return None
    try:
        doc = json.loads(decode(path.read_bytes()))
    except ValueError as exc:
        return f"not valid JSON ({exc})"
    items = doc if isinstance(doc, list) else doc.get("data") if isinstance(doc, dict) else None
    scalar = (str, int, float, bool)
    if isinstance(items, list) and items and any(isinstance(x, scalar) for x in items):
        bad = next(x for x in items if isinstance(x, scalar))
        return (
            f"JSON records are not objects (found a {type(bad).__name__}: {str(bad)[:40]!r}); "
            "expected a UNSD per-series JSON with refAreas"
        )
    return "JSON without the UNSD per-series structure (seriesCode, refAreas)"


def _workbook_bytes(path: Path) -> io.BytesIO:
    """The workbook as a file object: openpyxl refuses paths whose name is not ``.xlsx``."""
    return io.BytesIO(Path(path).read_bytes())


def _xlsx_data_sheets(path: Path) -> list[tuple[str, int]]:
    """(sheet name, 1-based header row) of every sheet that holds the long-format header."""
    from openpyxl import load_workbook

    wb = load_workbook(_workbook_bytes(path), read_only=True, data_only=True)
    try:
        found = []
        for ws in wb.worksheets:
            rows = ws.iter_rows(max_row=_HEADER_SCAN_ROWS, values_only=True)
            for i, row in enumerate(rows, start=1):
                if _is_header(list(row)):
                    found.append((ws.title, i))
                    break
        return found
    finally:
        wb.close()


def _csv_header_line(text: str) -> int | None:
    for n, (_, cells) in enumerate(csv_rows(text)):
        if n >= _HEADER_SCAN_ROWS:
            return None
        if _is_header(cells):
            return n
    return None


def sniff(path: Path) -> bool:
    """True for a long-format SDG export (xlsx sheet or CSV with the SDG header in its first
    30 rows) or a UNSD per-series JSON (``seriesCode`` and ``refAreas`` keys). Content only."""
    try:
        kind = file_kind(path)
        if kind == "zip":
            return zipfile.is_zipfile(path) and bool(_xlsx_data_sheets(path))
        if kind != "text":
            return False
        if _json_head_matches(path) or _geojson_head_matches(path):
            return True
        head = head_text(path, 65536)
        if "\n" in head and len(head) >= 65536:
            head = head[: head.rindex("\n")]
        return _csv_header_line(head) is not None
    except Exception:
        return False


# --- value helpers ----------------------------------------------------------------------


def _text(value: object) -> str:
    """Cell text as written: numbers as integer text or ``repr``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return excel_number_text(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _serial_year(serial: float) -> int:
    return (dt.datetime(1899, 12, 30) + dt.timedelta(days=float(serial))).year


def year_of(value: object) -> int | None:
    """The year of a ``TimePeriod`` cell: int, ``"2015"``, ``"2015-01-01"``, a date, or an
    Excel serial date (e.g. 42005 → 2015). ``None`` when it holds no year."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (dt.datetime, dt.date)):
        return value.year
    if isinstance(value, (int, float)):
        if 1000 <= value < 3000 and float(value).is_integer():
            return int(value)
        if 3000 <= value < 2958466:  # Excel serial day numbers up to 9999-12-31
            return _serial_year(value)
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        return int(text[:4])
    if re.fullmatch(r"\d{4,7}(\.\d+)?", text):
        return year_of(float(text))
    m = re.match(r"(\d{4})\b", text)
    return int(m.group(1)) if m else None


def _same_year_serial(value: object, year: int | None) -> bool:
    """True when ``value`` is a date or Excel serial number falling in ``year``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, dt.date)):
        return False
    return year_of(value) == year


def _code(value: object) -> str:
    return str(value or "").strip()


def map_sex(value: object) -> str:
    """SDG sex code → ``total``/``female``/``male`` (other codes lower-cased)."""
    code = _code(value).upper()
    if code in _TOTAL_CODES:
        return "total"
    return _SEX.get(code, code.lower())


def map_location(value: object) -> str:
    """SDG location code → ``total``/``urban``/``rural`` (other codes lower-cased)."""
    code = _code(value).upper()
    if code in _TOTAL_CODES:
        return "total"
    return _LOCATION.get(code, code.lower())


def map_age(value: object) -> str:
    """SDG age code → ``total`` or band text: ``Y15T24`` → ``15-24``, ``Y_GE15`` → ``15+``,
    ``Y_LT5`` → ``<5``; anything else as written (``15+``, ``M0``)."""
    code = _code(value)
    if code.upper() in _TOTAL_CODES:
        return "total"
    if m := re.fullmatch(r"Y(\d+)T(\d+)", code):
        return f"{int(m.group(1))}-{int(m.group(2))}"
    if m := re.fullmatch(r"Y_?GE(\d+)", code):
        return f"{int(m.group(1))}+"
    if m := re.fullmatch(r"Y_?LT(\d+)", code):
        return f"<{int(m.group(1))}"
    return code


_MAPPERS = {"sex": map_sex, "age": map_age, "location": map_location}
_LABELS = {"sex": "Sex", "age": "Age", "location": "Location"}


#: Share of a series' observations that must carry the same age band for age to count as
#: the series' definition when national variants exist (SL_TLF_NEET: 15-24, some 16-24).
DOMINANT_AGE_SHARE = 0.9


def collapse_reference_dimensions(rows: list[dict]) -> list[dict]:
    """Set sex/age/location to ``"total"`` where they define the series, not a breakdown.

    A dimension of a series is a *reference dimension* when, in this file,

    * the series never has the total value for it (no BOTHSEX, ALLAREA, ALLAGE, ``_T``),
    * no (country, year, other dimensions) group of the series has two different values, and
    * for sex and location, the series has one single value (SG_GEN_PARL: FEMALE only);
      for age, one value or one value in at least :data:`DOMINANT_AGE_SHARE` of the
      observations (SL_TLF_NEET: 15-24, with national 16-24 or 15-29 variants).

    Its values become ``"total"`` and the value as written is added to ``note``
    (``"Sex: FEMALE (series definition)"``). Rows are changed in place and returned; each row
    needs the private key ``_orig`` (dimension → code as written) and ``_notes``.
    """
    dims = ("sex", "age", "location")
    by_series: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_series[r["series"]].append(r)
    for series_rows in by_series.values():
        for dim in dims:
            counts: dict[str, int] = defaultdict(int)
            groups: dict[tuple, set] = defaultdict(set)
            for r in series_rows:
                counts[r[dim]] += 1
                others = tuple(r[d] for d in dims if d != dim)
                groups[(r["country"], r["year"], others)].add(r[dim])
            if "total" in counts or any(len(v) > 1 for v in groups.values()):
                continue
            top = max(counts.values())
            if len(counts) > 1 and (dim != "age" or top < DOMINANT_AGE_SHARE * len(series_rows)):
                continue
            for r in series_rows:
                r["_notes"].append(f"{_LABELS[dim]}: {r['_orig'][dim]} (series definition)")
                r[dim] = "total"
    return rows


def _source_note(text: str) -> str:
    """``"Source: <custodian text>"`` (without doubling a leading "Source:"), or ``""``."""
    text = text.strip()
    if not text:
        return ""
    return text if text.lower().startswith("source:") else f"Source: {text}"


def _finish(rows: list[dict]) -> pd.DataFrame:
    # Cells the reader could not use (a ragged row) carry no dimensions: they take no part
    # in deciding which dimensions define a series.
    collapse_reference_dimensions([r for r in rows if "_orig" in r])
    for r in rows:
        if "_orig" in r:
            r["note"] = " | ".join(n for n in r.pop("_notes") if n)
            r.pop("_orig")
    return records_frame(rows)


class _Uncached(str):
    """The formula text of a cell whose cached value is empty (see :func:`_read_xlsx`)."""


def _record(
    *,
    series: str,
    country: str,
    country_name: str,
    year: int | None,
    raw: str,
    unit: str,
    source: str,
    notes: list[str],
    dims: dict[str, object],
    rel: str,
    locator: str,
) -> dict:
    """One raw record; ``dims`` maps dimension names as written to their codes."""
    canon = {"sex": "total", "age": "total", "location": "total"}
    orig: dict[str, str] = {}
    extra = []
    for name, value in dims.items():
        key = _CANONICAL.get(_norm(name))
        if key:
            canon[key] = _MAPPERS[key](value)
            orig[key] = _code(value)
        elif _code(value).upper() not in _TOTAL_CODES and not _code(value).upper().startswith(
            "ALL"
        ):
            extra.append(f"{name.strip().strip('[]').strip()}={_code(value)}")
    if extra:
        series = f"{series} [{', '.join(extra)}]"
        notes = [*notes, *(e.replace("=", ": ", 1) for e in extra)]
    if year is None:
        notes = [*notes, "TimePeriod holds no year"]
    return {
        "country": country,
        "country_name": country_name,
        "series": series,
        "year": year,
        "raw": raw,
        "unit": unit,
        "source": source,
        "_notes": list(notes),
        "_orig": orig,
        "file": rel,
        "locator": locator,
        **canon,
    }


# --- long format (xlsx, csv) ------------------------------------------------------------


def _saved_date(path: Path) -> str:
    """Modified (else created) date from an xlsx's document properties, ``""`` if none."""
    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return ""
    for tag in ("modified", "created"):
        m = re.search(rf"<dcterms:{tag}[^>]*>\s*(\d{{4}}-\d{{2}}-\d{{2}})", core)
        if m:
            return m.group(1)
    return ""


def _long_rows(
    header: list[object],
    rows,
    *,
    rel: str,
    source: str,
    locate,
    ragged: bool = False,
) -> list[dict]:
    """Records from long-format data rows. ``rows`` yields (position, values).

    With ``ragged`` (CSV rows, all text), a non-empty cell beyond the header or under an
    empty header is a rejected record (:func:`~.text.unread_cells`), so none vanishes. A
    Value cell holding :class:`_Uncached` formula text is rejected with
    :data:`~.text.FORMULA_NO_CACHE`.
    """
    names = [str(h).strip() if h is not None else "" for h in header]
    col = {}
    for j, h in enumerate(names):
        n = _norm(h)
        if n and n not in col:
            col[n] = j
    dim_cols = [(j, h) for j, h in enumerate(names) if _norm(h) and _norm(h) not in _KNOWN]
    value_j = col["value"]

    def get(values, key):
        j = col.get(key)
        return values[j] if j is not None and j < len(values) else None

    extra = extra_columns(names, {j for j, h in enumerate(names) if _norm(h)})
    out = []
    for pos, values in rows:
        code = _text(get(values, "geoareacode")).strip()
        name = _text(get(values, "geoareaname")).strip()
        if ragged:
            base = {"country": code or name, "country_name": name or code, "source": source,
                    "series": _text(get(values, "seriescode")).strip(), "file": rel}  # fmt: skip
            out += unread_cells(values, pos, names, extra, base)
        cell = get(values, "value")
        raw = _text(cell)
        if not raw.strip():
            continue
        detail_cell = get(values, "timedetail")
        year = year_of(get(values, "timeperiod"))
        if year is None:  # no TimePeriod: fall back on Time_Detail ("2015", "2014-2016")
            year = year_of(detail_cell)
        notes = [_text(get(values, "footnote")).strip()]
        notes.append(_source_note(_text(get(values, "source"))))
        if nature := _text(get(values, "nature")).strip():
            notes.append(f"Nature: {nature}")
        detail = _text(detail_cell).strip()
        if detail and detail != str(year) and not _same_year_serial(detail_cell, year):
            notes.append(f"Time_Detail: {detail}")
        if base := _text(get(values, "baseperiod")).strip():
            notes.append(f"BasePeriod: {base}")
        lo, hi = _text(get(values, "lowerbound")).strip(), _text(get(values, "upperbound")).strip()
        if lo or hi:
            notes.append(f"Bounds: {lo or '?'} to {hi or '?'}")
        rtype = _text(get(values, "reportingtype")).strip()
        if rtype and rtype.upper() != "G":
            notes.append(f"Reporting Type: {rtype}")
        dims = {h: (values[j] if j < len(values) else None) for j, h in dim_cols}
        out.append(
            _record(
                series=_text(get(values, "seriescode")).strip(),
                country=code or name,
                country_name=name or code,
                year=year,
                raw=raw,
                unit=_text(get(values, "units")).strip(),
                source=source,
                notes=notes,
                dims=dims,
                rel=rel,
                locator=locate(pos, value_j),
            )
        )
        out[-1]["lower"], out[-1]["upper"] = lo, hi
        out[-1]["issue"] = FORMULA_NO_CACHE if isinstance(cell, _Uncached) else ""
    return out


def _uncached(values: tuple, formulas: tuple) -> list[object]:
    """A row's cached values, with :class:`_Uncached` formula text where a formula has no
    cached value (``values`` from ``data_only=True``, ``formulas`` from the formula view)."""
    out = []
    for v, f in zip_longest(values, formulas):
        text = getattr(f, "text", f)  # an ArrayFormula holds its text in .text
        uncached = v is None and isinstance(text, str) and text.startswith("=")
        out.append(_Uncached(text) if uncached else v)
    return out


def _read_xlsx(path: Path, rel: str) -> pd.DataFrame:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    sheets = _xlsx_data_sheets(path)
    if not sheets:
        raise SourceError(
            f"{rel}: no sheet with the SDG long-format header (SeriesCode, GeoAreaCode, "
            "TimePeriod, Value, …)"
        )
    saved = _saved_date(path)
    source = f"{PRODUCER} export" + (f", file saved {saved}" if saved else "")
    out: list[dict] = []
    wb = load_workbook(_workbook_bytes(path), read_only=True, data_only=True)
    # The formula view, read alongside: data_only gives None for a formula Excel never
    # computed, which would otherwise look like an empty cell and vanish.
    wbf = load_workbook(_workbook_bytes(path), read_only=True, data_only=False)
    try:
        for title, header_row in sheets:
            it = wb[title].iter_rows(min_row=header_row, values_only=True)
            fit = wbf[title].iter_rows(min_row=header_row, values_only=True)
            header = list(next(it))
            next(fit, None)
            pairs = zip_longest(it, fit, fillvalue=())
            rows = ((i, _uncached(v, f)) for i, (v, f) in enumerate(pairs, start=header_row + 1))

            def locate(i, j, title=title):
                return f"{title}!{get_column_letter(j + 1)}{i}"

            out += _long_rows(header, rows, rel=rel, source=source, locate=locate)
    finally:
        wb.close()
        wbf.close()
    return _finish(out)


def _read_csv(path: Path, rel: str) -> pd.DataFrame:
    text = decode(path.read_bytes())
    it = csv_rows(text)
    header = None
    for n, (_, cells) in enumerate(it):
        if n >= _HEADER_SCAN_ROWS:
            break
        if _is_header(cells):
            header = cells
            break
    if header is None:
        raise SourceError(f"{rel}: no SDG long-format header in the first {_HEADER_SCAN_ROWS} rows")
    out = _long_rows(
        header,
        it,
        rel=rel,
        source=f"{PRODUCER} export",
        locate=lambda line, j: f"line {line}, column {header[j].strip()}",
        ragged=True,
    )
    return _finish(out)


# --- UNSD per-series JSON ---------------------------------------------------------------


def _check_objects(areas: list, rel: str) -> None:
    """Raise when a refArea or one of its data records is not a JSON object."""
    for i, area in enumerate(areas):
        if not isinstance(area, dict):
            raise SourceError(
                f"{rel}: records are not objects (refAreas[{i}] is a {type(area).__name__}: "
                f"{str(area)[:40]!r}; expected {{geoAreaCode, data: [...]}})"
            )
        data = area.get("data") or []
        if not isinstance(data, list):
            raise SourceError(f"{rel}: refAreas[{i}].data is not a list of records")
        for k, point in enumerate(data):
            if not isinstance(point, dict):
                raise SourceError(
                    f"{rel}: records are not objects (refAreas[{i}].data[{k}] is a "
                    f"{type(point).__name__}: {str(point)[:40]!r}; expected "
                    "{timePeriod, value, ...})"
                )


def _read_json(path: Path, rel: str) -> pd.DataFrame:
    try:
        doc = json.loads(decode(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise SourceError(f"{rel}: not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("refAreas"), list):
        raise SourceError(f"{rel}: no refAreas list (not a UNSD per-series JSON)")
    series = str(doc.get("seriesCode") or "").strip()
    release = str(doc.get("release") or "").strip()
    source = f"{PRODUCER}, release {release}" if release else PRODUCER
    _check_objects(doc["refAreas"], rel)
    out = []
    n = 0
    for area in doc["refAreas"]:
        iso3 = str(area.get("ISO3") or "").strip()
        code = str(area.get("geoAreaCode") or "").strip()
        name = str(area.get("geoAreaName") or "").strip()
        for point in area.get("data") or []:
            n += 1
            detail, numeric = point.get("value_detail"), point.get("value_numeric_part")
            raw = _text(detail) if detail not in (None, "") else _text(numeric)
            if not raw.strip():
                continue
            notes = [str(point.get("footnotes") or "").strip()]
            notes.append(_source_note(str(point.get("source") or "")))
            if nature := str(point.get("natureCode") or "").strip():
                notes.append(f"Nature: {nature}")
            if point.get("timeDetail") not in (None, ""):
                notes.append(f"Time_Detail: {point['timeDetail']}")
            rtype = str(point.get("reportingTypeCode") or "").strip()
            if rtype and rtype.upper() != "G":
                notes.append(f"Reporting Type: {rtype}")
            dims = {
                k[:-4]: v
                for k, v in point.items()
                if k.endswith("Code") and k not in _JSON_NON_DIMENSIONS
            }
            out.append(
                _record(
                    series=series,
                    country=iso3 or code or name,
                    country_name=name or code,
                    year=year_of(point.get("timePeriod")),
                    raw=raw,
                    unit=str(point.get("unitsCode") or "").strip(),
                    source=source,
                    notes=notes,
                    dims=dims,
                    rel=rel,
                    locator=f"record {n}",
                )
            )
    return _finish(out)


# --- UNSD 2017 per-series GeoJSON --------------------------------------------------------

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: GeoJSON properties that are text "NULL" when empty.
_GEO_NULL = {"", "NULL", "NA"}


def epoch_year(value: object) -> int | None:
    """Year of an epoch-millisecond ``TIME_PERIOD`` (UTC): ``946684800000`` → 2000."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return year_of(value)
    try:
        return (_EPOCH + dt.timedelta(milliseconds=float(value))).year
    except (OverflowError, ValueError):
        return None


def geo_age(code: object) -> str:
    """``AGE_GROUP`` ``<start>_<width>_Y`` → an SDG age code for :func:`map_age`:
    ``000_099_Y`` → ``_T`` (all ages), ``020_005_Y`` → ``Y20T24``, ``005_013_Y`` →
    ``Y5T17``; anything else as written."""
    text = _code(code)
    if m := re.fullmatch(r"(\d{3})_(\d{3})_Y", text):
        start, width = int(m.group(1)), int(m.group(2))
        return "_T" if (start, width) == (0, 99) else f"Y{start}T{start + width - 1}"
    return text


def _geo_text(props: dict, key: str) -> str:
    text = _text(props.get(key)).strip()
    return "" if text.upper() in _GEO_NULL else text


def _read_geojson(path: Path, rel: str) -> pd.DataFrame:
    try:
        doc = json.loads(decode(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise SourceError(f"{rel}: not valid JSON ({exc})") from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise SourceError(f"{rel}: no features list (not a UNSD per-series GeoJSON)")
    source = f"{PRODUCER}, 2017 per-series GeoJSON (sdgs-data)"
    out = []
    for i, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise SourceError(f"{rel}: features[{i}] has no properties object")
        raw = _text(props.get("OBS_VALUE"))
        if not raw.strip():
            continue
        year = epoch_year(props.get("TIME_PERIOD"))
        detail = _geo_text(props, "TIME_DETAIL")
        notes = [_geo_text(props, "FOOTNOTES"), _source_note(_geo_text(props, "SOURCE_DETAIL"))]
        if nature := _geo_text(props, "NATURE"):
            notes.append(f"Nature: {nature}")
        if detail and detail != str(year):
            notes.append(f"Time_Detail: {detail}")
        name = _geo_text(props, "sdgArea_Name")
        out.append(
            _record(
                series=_geo_text(props, "SERIES"),
                country=_geo_text(props, "REF_AREA") or name,
                country_name=name or _geo_text(props, "REF_AREA"),
                year=year,
                raw=raw,
                unit=_geo_text(props, "UNIT"),
                source=source,
                notes=notes,
                dims={
                    "Sex": props.get("SEX"),
                    "Location": props.get("LOCATION"),
                    "Age": geo_age(props.get("AGE_GROUP")),
                },  # fmt: skip
                rel=rel,
                locator=f"features[{i}]",
            )
        )
    return _finish(out)


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read an SDG export (xlsx, csv) or a UNSD per-series JSON into raw records.

    See the module docstring for the record mapping, dimension handling and locators.

    Raises
    ------
    SourceError
        When no SDG header (or JSON structure) is found.
    """
    rel = rel_path(path, root)
    kind = file_kind(path)
    if kind == "zip":
        return _read_xlsx(path, rel)
    if kind == "text" and _json_head_matches(path):
        return _read_json(path, rel)
    if kind == "text" and _geojson_head_matches(path):
        return _read_geojson(path, rel)
    if kind == "text":
        return _read_csv(path, rel)
    raise SourceError(f"{rel}: not an SDG export (binary file that is not xlsx)")
