"""World Bank Indicators API v2 JSON responses (``[page information, [records]]``).

In: a response saved as a file (or the pages :mod:`mtr_analysis.intake.fetch` downloads).
Out: raw records (:data:`~mtr_analysis.intake.sources.RECORD_COLUMNS`). This is the one
home of the API v2 parsing: ``mtr fetch`` uses :func:`page_parts` and
:func:`api_records` too.

Layout (``SP.POP.TOTL.json``): ``[{"page": 1, "pages": 2, "per_page": 10000, "total":
17556, "sourceid": "2", "lastupdated": "2026-02-24"}, [{"indicator": {"id", "value"},
"country": {"id", "value"}, "countryiso3code", "date", "value", "unit", "obs_status",
"decimal"}, …]]``. An error answer is ``[{"message": [{"id", "key", "value"}]}]``. A file
may hold one page (``pages`` says whether more exist) or several pages concatenated as a
JSON list of such lists.

Records: one per record with a non-null ``value``: ``series`` = ``indicator.id``
(``SP.POP.TOTL``), ``country`` = ``countryiso3code`` (else ``country.id``),
``country_name`` = ``country.value``, ``year`` = ``date`` (``2024``; ``2024Q1``/``2024M01``
periods are out of scope), ``raw`` = the value as text, ``unit`` = ``unit``,
``source`` = ``"World Bank Indicators API v2, lastupdated <date>"`` (the vintage),
``note`` = ``obs_status`` when set, plus "page 1 of 2" when the file holds only part of
the answer, ``locator`` = ``"page P, record N"`` (1-based).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import (
    decode,
    excel_number_text,
    file_kind,
    head_text,
    rel_path,
)

FORMAT = "wb_api_v2"
PRODUCER = "World Bank Indicators API v2"


class ApiError(SourceError):
    """The answer is an API error message (``[{"message": [...]}]``)."""


def sniff(path: Path) -> bool:
    """True for a JSON list whose first item is an object with ``page`` and ``pages``
    (or a list of such pages)."""
    try:
        if file_kind(path) != "text":
            return False
        head = re.sub(r"\s+", "", head_text(path, 4096))
        return re.match(r'^\[+\{"page":\d+,"pages":\d+', head) is not None
    except Exception:  # a probe never raises
        return False


def page_parts(payload: object, where: str) -> tuple[dict, list]:
    """(page information, records) of one API v2 page.

    Raises
    ------
    ApiError
        For an error answer, with the API's own message.
    SourceError
        When the answer is not ``[page information, records]``.
    """
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], dict):
        raise SourceError(f"{where}: unexpected answer (not a [page information, records] list)")
    if "message" in payload[0]:
        msgs = payload[0]["message"]
        text = "; ".join(
            f"{m.get('id', '')} {m.get('key', '')}: {m.get('value', '')}".strip()
            for m in (msgs if isinstance(msgs, list) else [msgs])
            if isinstance(m, dict)
        )
        raise ApiError(f"{where}: World Bank API error: {text or msgs}")
    rows = payload[1] if len(payload) > 1 and isinstance(payload[1], list) else []
    return payload[0], rows


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return excel_number_text(v)
    return str(v)


def api_records(pages: list[tuple[dict, list]], rel: str) -> list[dict]:
    """Raw records of API v2 pages ``[(page information, records), …]``."""
    out = []
    for info, rows in pages:
        page, total_pages = info.get("page", 1), info.get("pages", 1)
        vintage = _text(info.get("lastupdated"))
        source = f"{PRODUCER}, lastupdated {vintage}" if vintage else PRODUCER
        partial = f"page {page} of {total_pages} only" if len(pages) < int(total_pages or 1) else ""
        for n, r in enumerate(rows, start=1):
            if not isinstance(r, dict):
                raise SourceError(f"{rel}: page {page}, record {n} is not an object")
            raw = _text(r.get("value"))
            if not raw.strip():
                continue  # null: no value for this country and year
            country = r.get("country") or {}
            date = _text(r.get("date")).strip()
            code = _text(r.get("countryiso3code")).strip() or _text(country.get("id")).strip()
            annual = re.fullmatch(r"\d{4}", date) is not None
            out.append({
                "country": code, "country_name": _text(country.get("value")).strip() or code,
                "series": _text((r.get("indicator") or {}).get("id")).strip(),
                "year": int(date) if annual else None, "raw": raw,
                "unit": _text(r.get("unit")).strip(), "source": source,
                "note": " | ".join(x for x in (_text(r.get("obs_status")).strip(), partial) if x),
                "file": rel, "locator": f"page {page}, record {n}",
                "skip": "" if annual else f"period {date!r} is not a year",
            })  # fmt: skip
    return out


def load_pages(doc: object, rel: str) -> list[tuple[dict, list]]:
    """The pages of a saved answer: one page ``[info, rows]`` or a list of pages."""
    if isinstance(doc, list) and doc and all(isinstance(p, list) for p in doc):
        return [page_parts(p, f"{rel}, page {i}") for i, p in enumerate(doc, start=1)]
    return [page_parts(doc, rel)]


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read a saved World Bank API v2 answer into raw records.

    Raises
    ------
    SourceError
        When the file is not valid JSON, is an API error answer, or lacks the layout.
    """
    rel = rel_path(path, root)
    try:
        doc = json.loads(decode(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise SourceError(f"{rel}: not valid JSON ({exc})") from exc
    return records_frame(api_records(load_pages(doc, rel), rel))
