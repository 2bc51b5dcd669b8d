"""World Bank Data360 CSV downloads (the newer distribution of WDI), long and wide layouts.

In: a Data360 CSV. Out: raw records (:data:`~mtr_analysis.intake.sources.RECORD_COLUMNS`).

**Long layout** (``WB_WDI_SH_TBS_INCD.csv``): SDMX-style columns ``STRUCTURE, STRUCTURE_ID,
ACTION, FREQ, REF_AREA, REF_AREA_LABEL, INDICATOR, INDICATOR_LABEL, SEX, AGE,
URBANISATION, UNIT_MEASURE, COMP_BREAKDOWN_1..3, TIME_PERIOD, OBS_VALUE, …, UNIT_MULT,
OBS_STATUS, …`` (each code column may have a ``*_LABEL`` twin); one row per economy ×
period × disaggregation. **Wide layout** (``country_populations.csv``): the same code and
label columns without ``TIME_PERIOD``/``OBS_VALUE``, then one column per year (``1960`` …
``2024``); values may be written in scientific notation (``9.5176977E7``), which the
cleaning step reads as an ordinary number.

Records: one per non-empty value cell. ``series`` = the Data360 indicator id as written
(``WB_WDI_SH_TBS_INCD``: the catalogue maps it through its ``data360_code`` column),
``country`` = ``REF_AREA``, ``country_name`` = ``REF_AREA_LABEL``, ``year`` = the
``TIME_PERIOD`` (long; ``2015``, ``2015-01`` → 2015) or the column (wide), ``unit`` =
``UNIT_MEASURE_LABEL`` (else the code) with ``× 10^n`` when ``UNIT_MULT`` is not 0,
``source`` = ``"World Bank Data360, <DATABASE_ID_LABEL>"`` (the file states no vintage),
``locator`` = ``"line N, column OBS_VALUE"`` or ``"line N, column 2015"``.

Disaggregations (SDMX codes, as used by Data360): ``SEX`` ``_T``/``F``/``M`` → total,
female, male; ``URBANISATION`` ``_T``/``U``/``R`` → total, urban, rural; ``AGE`` ``_T`` →
total, ``Y15T24`` → ``15-24``, ``Y_GE65`` → ``65+``. A row with any other value of these,
or a ``COMP_BREAKDOWN_n`` other than ``_Z``/``_T``, is kept *out of scope* with the reason
(``skip``) because the store has no column for it; an ``OBS_STATUS`` other than ``A``
(normal) goes into ``note`` with its label.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import (
    csv_rows,
    decode,
    extra_columns,
    first_csv_row,
    rel_path,
    unread_cells,
)

FORMAT = "data360"
PRODUCER = "World Bank Data360"
_YEAR = re.compile(r"^(1[89]|20)\d{2}$")
_MIN_YEAR_COLUMNS = 3
_TOTAL = {"", "_T", "_Z"}
_SEX = {"F": "female", "M": "male"}
_URBANISATION = {"U": "urban", "R": "rural"}
_BREAKDOWNS = ("COMP_BREAKDOWN_1", "COMP_BREAKDOWN_2", "COMP_BREAKDOWN_3")


def _layout(header: list[str]) -> str | None:
    """``"long"``, ``"wide"`` or ``None`` for a first row."""
    names = {h.strip() for h in header}
    if not {"REF_AREA", "INDICATOR"} <= names:
        return None
    if {"TIME_PERIOD", "OBS_VALUE"} <= names:
        return "long"
    if sum(bool(_YEAR.match(h.strip())) for h in header) >= _MIN_YEAR_COLUMNS:
        return "wide"
    return None


def sniff(path: Path) -> bool:
    """True when the first row has ``REF_AREA`` and ``INDICATOR`` and either
    ``TIME_PERIOD``/``OBS_VALUE`` (long) or at least three year columns (wide)."""
    try:
        first = first_csv_row(path, 65536)
        return bool(first) and _layout(first) is not None
    except Exception:  # a probe never raises
        return False


def map_age(code: str) -> str | None:
    """SDMX age code → the store's band text: ``_T`` → ``total``, ``Y15T24`` → ``15-24``,
    ``Y_GE65``/``Y65T`` → ``65+``, ``Y_LT5`` → ``<5``; ``None`` for other codes."""
    code = code.strip()
    if code in _TOTAL:
        return "total"
    if m := re.fullmatch(r"Y(\d+)T(\d+)", code):
        return f"{int(m.group(1))}-{int(m.group(2))}"
    if m := re.fullmatch(r"Y_?GE(\d+)|Y(\d+)T", code):
        return f"{int(m.group(1) or m.group(2))}+"
    if m := re.fullmatch(r"Y_?LT(\d+)", code):
        return f"<{int(m.group(1))}"
    return None


def disaggregation(get) -> tuple[dict[str, str], str]:
    """(sex/age/location of a row, out-of-scope reason or ``""``); ``get(column)`` → text."""
    sex, urb, age = get("SEX").strip(), get("URBANISATION").strip(), get("AGE").strip()
    dims = {
        "sex": "total" if sex in _TOTAL else _SEX.get(sex, ""),
        "location": "total" if urb in _TOTAL else _URBANISATION.get(urb, ""),
        "age": map_age(age) or "",
    }
    written = {"sex": f"SEX={sex}", "location": f"URBANISATION={urb}", "age": f"AGE={age}"}
    bad = [written[k] for k, v in dims.items() if not v]
    bad += [f"{c}={get(c).strip()}" for c in _BREAKDOWNS if get(c).strip() not in _TOTAL]
    why = f"disaggregation the store does not hold ({', '.join(bad)})" if bad else ""
    return {k: v or "total" for k, v in dims.items()}, why


def _unit(get) -> str:
    unit = get("UNIT_MEASURE_LABEL").strip() or get("UNIT_MEASURE").strip()
    mult = get("UNIT_MULT").strip()
    return f"{unit} (× 10^{mult})" if mult not in ("", "0") else unit


def _note(get) -> str:
    status = get("OBS_STATUS").strip()
    if status in ("", "A"):
        return ""
    return f"OBS_STATUS: {status} ({get('OBS_STATUS_LABEL').strip() or 'no label'})"


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a Data360 CSV (long or wide) into raw records (one per non-empty value cell).

    Raises
    ------
    SourceError
        When the first row is not a Data360 header.
    """
    rel = rel_path(path, root)
    rows = csv_rows(decode(path.read_bytes()))
    first = next(rows, None)
    header = [h.strip() for h in first[1]] if first else []
    layout = _layout(header)
    if layout is None:
        raise SourceError(
            f"{rel}, line 1: not a Data360 header (expected REF_AREA, INDICATOR and "
            "TIME_PERIOD/OBS_VALUE or year columns)"
        )
    col = {h: j for j, h in reversed(list(enumerate(header))) if h}
    if layout == "long":
        values = [(col["OBS_VALUE"], None)]
    else:
        values = [(j, int(h)) for j, h in enumerate(header) if _YEAR.match(h)]
    extra = extra_columns(header, {j for j, h in enumerate(header) if h})
    out: list[dict] = []
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue

        def get(name: str, cells=cells) -> str:
            j = col.get(name)
            return cells[j] if j is not None and j < len(cells) else ""

        dims, why = disaggregation(get)
        base = {"country": get("REF_AREA").strip() or get("REF_AREA_LABEL").strip(),
                "country_name": get("REF_AREA_LABEL").strip() or get("REF_AREA").strip(),
                "series": get("INDICATOR").strip(), "unit": _unit(get), "note": _note(get),
                "source": f"{PRODUCER}, {get('DATABASE_ID_LABEL').strip() or 'WDI'}",
                "file": rel, **dims}  # fmt: skip
        out += unread_cells(cells, line, header, extra, base)
        for j, year in values:
            raw = cells[j] if j < len(cells) else ""
            if not raw.strip():
                continue
            if year is None:
                m = re.match(r"\s*(\d{4})", get("TIME_PERIOD"))
                year = int(m.group(1)) if m else None
            out.append({**base, "year": year, "raw": raw, "skip": why,
                        "locator": f"line {line}, column {header[j]}"})  # fmt: skip
    return records_frame(out)
