"""WHO Global Health Observatory: CSV exports (2018 layout) and OData API JSON responses.

In: a GHO CSV export or a GHO OData response. Out: raw records
(:data:`~mtr_analysis.intake.sources.RECORD_COLUMNS`).

**CSV export** (``NCDMORT3070.csv``): quoted header ``"GHO","PUBLISHSTATE","YEAR",
"REGION",…,"COUNTRY",["SEX",…],"Display Value","Numeric","Low","High","Comments"``; the
dimension columns differ per indicator (``WORLDBANKINCOMEGROUP``, ``UNREGION``, ``SEX``,
``AGEGROUP``, …). ``Display Value`` is the published text: ``32.1``, ``95.1 [85.1-104.3]``
(value with its uncertainty interval) or a censored ``>=80``.

**OData JSON** (``https://ghoapi.azureedge.net/api/<code>``): ``{"@odata.context": …,
"value": [{"IndicatorCode", "SpatialDimType", "SpatialDim", "TimeDimType", "TimeDim",
"Dim1Type", "Dim1", "Dim2Type", "Dim2", "Dim3Type", "Dim3", "Value", "NumericValue",
"Low", "High", "Comments", "Date", …}]}``. This is also the reader of what
:mod:`mtr_analysis.intake.fetch` downloads from the GHO API.

Records: one per observation with a value. ``series`` = the GHO indicator code
(``NCDMORT3070``; the catalogue maps it through its ``gho_code`` column), ``country`` =
``COUNTRY``/``SpatialDim`` (ISO3), ``year`` = ``YEAR``/``TimeDim``, ``raw`` = the value:
CSV ``Display Value`` without its interval (else ``Numeric``), OData ``NumericValue``
(else ``Value``); ``lower``/``upper`` = the interval of the display text, else
``Low``/``High``. ``source`` = ``"WHO Global Health Observatory, CSV export"`` or
``"WHO Global Health Observatory (OData API), <Date>"`` (the record's publication date is
its vintage). ``note`` = ``Comments``. ``locator`` = ``"line N, column Display Value"`` or
``"value[i]"`` (0-based position in the JSON list).

Dimensions: sex ``BTSX``/``SEX_BTSX`` → total, ``MLE`` → male, ``FMLE`` → female. Another
dimension (age group, residence area, …) with one single value in the file defines the
series (``AGEGROUP_YEARS30-69`` for NCDMORT3070): it is noted and the record stays a total;
with several values it is appended to ``series`` (``NCDMORT3070 [AGEGROUP=…]``) so a
breakdown is never taken for the total. Regions, income groups and the world
(``SpatialDimType`` other than ``COUNTRY``, or a CSV row without ``COUNTRY``) are out of
scope (``skip``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import (
    csv_rows,
    decode,
    excel_number_text,
    file_kind,
    first_csv_row,
    head_text,
    rel_path,
)

FORMAT = "who_gho"
PRODUCER = "WHO Global Health Observatory"
AGGREGATE = "regional aggregate or income group"
_SEX = {"BTSX": "total", "MLE": "male", "FMLE": "female"}
_CSV_FIXED = {
    "GHO", "PUBLISHSTATE", "YEAR", "REGION", "WORLDBANKINCOMEGROUP", "UNREGION", "COUNTRY",
    "SEX", "DISPLAY VALUE", "NUMERIC", "LOW", "HIGH", "COMMENTS",
}  # fmt: skip
_NUM = r"[-+]?(?:\d+(?:[.,]\d+)*|\.\d+)(?:[eE][-+]?\d+)?"
_INTERVAL = re.compile(rf"^\s*(.*?)\s*\[\s*({_NUM})\s*-\s*({_NUM})\s*\]\s*$")


def split_display(text: str) -> tuple[str, str, str]:
    """``"95.1 [85.1-104.3]"`` → ``("95.1", "85.1", "104.3")``; text without an interval →
    ``(text, "", "")``."""
    if m := _INTERVAL.match(text or ""):
        return m.group(1), m.group(2), m.group(3)
    return (text or "").strip(), "", ""


def _scalar(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return excel_number_text(v)
    return str(v).strip()


def _is_odata(path: Path) -> bool:
    head = head_text(path, 65536).lstrip()
    return head[:1] == "{" and '"SpatialDim"' in head and '"value"' in head


def _is_csv(header: list[str]) -> bool:
    names = {h.strip().upper() for h in header}
    return "GHO" in names and "DISPLAY VALUE" in names and bool({"COUNTRY", "REGION"} & names)


def sniff(path: Path) -> bool:
    """True for a GHO OData response (JSON object with ``value`` records carrying
    ``SpatialDim``) or a GHO CSV export (``GHO``, ``Display Value`` and ``COUNTRY`` or
    ``REGION`` columns)."""
    try:
        if file_kind(path) != "text":
            return False
        return _is_odata(path) or _is_csv(first_csv_row(path, 65536))
    except Exception:  # a probe never raises
        return False


def dimension_labels(rows: list[dict]) -> None:
    """Fold each row's private ``_dims`` (name → code) into ``series`` or ``note``.

    A dimension with one value over the whole file defines the series (noted, e.g.
    ``"AGEGROUP: YEARS30-69 (series definition)"``); with several it is appended to
    ``series`` as ``[NAME=code]``. Rows are changed in place.
    """
    seen: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        for k, v in r.get("_dims", {}).items():
            seen[k].add(v)
    for r in rows:
        dims = r.pop("_dims", {})
        notes = [r["note"]] if r.get("note") else []
        varying = [f"{k}={v}" for k, v in dims.items() if len(seen[k]) > 1]
        notes += [f"{k}: {v} (series definition)" for k, v in dims.items() if len(seen[k]) == 1]
        if varying:
            r["series"] = f"{r['series']} [{', '.join(varying)}]"
        r["note"] = " | ".join(notes)


def _csv_records(path: Path, rel: str) -> list[dict]:
    rows = csv_rows(decode(path.read_bytes()))
    first = next(rows, None)
    header = [h.strip() for h in first[1]] if first else []
    if not _is_csv(header):
        raise SourceError(f"{rel}, line 1: not a GHO CSV header (GHO, COUNTRY, Display Value)")
    col = {h.upper(): j for j, h in reversed(list(enumerate(header)))}
    dim_cols = [(j, h) for j, h in enumerate(header) if h and h.upper() not in _CSV_FIXED]
    out = []
    for line, cells in rows:

        def get(name: str, cells=cells) -> str:
            j = col.get(name)
            return cells[j].strip() if j is not None and j < len(cells) else ""

        display = get("DISPLAY VALUE")
        raw, lower, upper = split_display(display) if display else (get("NUMERIC"), "", "")
        if not raw:
            continue
        country = get("COUNTRY")
        sex = get("SEX")
        out.append({
            "country": country or get("REGION") or get("WORLDBANKINCOMEGROUP"),
            "series": get("GHO"), "year": get("YEAR"), "raw": raw,
            "lower": lower or get("LOW"), "upper": upper or get("HIGH"),
            "sex": _SEX.get(sex, sex.lower() or "total"),
            "source": f"{PRODUCER}, CSV export", "note": get("COMMENTS"), "file": rel,
            "locator": f"line {line}, column {'Display Value' if display else 'Numeric'}",
            "skip": "" if country else AGGREGATE,
            "_dims": {h: cells[j].strip() for j, h in dim_cols if j < len(cells) and cells[j]},
        })  # fmt: skip
    return out


def odata_records(doc: object, rel: str, source: str = f"{PRODUCER} (OData API)") -> list[dict]:
    """Raw records of a GHO OData document ``{"value": [...]}`` (see the module docstring).

    Raises
    ------
    SourceError
        When ``doc`` has no ``value`` list of objects.
    """
    items = doc.get("value") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise SourceError(f"{rel}: no 'value' list (not a GHO OData response)")
    out = []
    for i, rec in enumerate(items):
        if not isinstance(rec, dict):
            raise SourceError(f"{rel}: value[{i}] is a {type(rec).__name__}, not an object")
        numeric, text = rec.get("NumericValue"), _scalar(rec.get("Value"))
        raw = _scalar(numeric) if numeric is not None else split_display(text)[0]
        if not raw:
            continue  # a null observation: no value cell
        dims, sex = {}, "total"
        for k in ("Dim1", "Dim2", "Dim3"):
            kind, code = _scalar(rec.get(f"{k}Type")), _scalar(rec.get(k))
            if kind.upper() == "SEX":
                sex = _SEX.get(code.removeprefix("SEX_"), code.lower())
            elif kind and code:
                dims[kind] = code.removeprefix(f"{kind}_")
        date = _scalar(rec.get("Date"))[:10]
        spatial = _scalar(rec.get("SpatialDimType")).upper()
        out.append({
            "country": _scalar(rec.get("SpatialDim")), "series": _scalar(rec.get("IndicatorCode")),
            "year": _scalar(rec.get("TimeDim"))[:4], "raw": raw, "sex": sex,
            "lower": _scalar(rec.get("Low")), "upper": _scalar(rec.get("High")),
            "source": f"{source}, {date}" if date else source,
            "note": _scalar(rec.get("Comments")), "file": rel, "locator": f"value[{i}]",
            "skip": "" if spatial in ("", "COUNTRY") else f"{AGGREGATE} ({spatial})",
            "_dims": dims,
        })  # fmt: skip
    return out


def finish(rows: list[dict]) -> pd.DataFrame:
    """Records with dimensions folded (:func:`dimension_labels`) and years as integers."""
    dimension_labels(rows)
    for r in rows:
        r["year"] = int(r["year"]) if re.fullmatch(r"\d{4}", str(r["year"])) else None
    return records_frame(rows)


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a GHO CSV export or OData JSON response into raw records.

    Raises
    ------
    SourceError
        When the file is neither (the message names the file and what was expected).
    """
    rel = rel_path(path, root)
    if file_kind(path) == "text" and head_text(path, 64).lstrip()[:1] == "{":
        try:
            doc = json.loads(decode(path.read_bytes()))
        except json.JSONDecodeError as exc:
            raise SourceError(f"{rel}: not valid JSON ({exc})") from exc
        return finish(odata_records(doc, rel))
    return finish(_csv_records(path, rel))
