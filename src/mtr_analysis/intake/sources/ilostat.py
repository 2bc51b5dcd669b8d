"""ILOSTAT bulk-download CSV (``<INDICATOR>_A.csv``: one indicator, annual, every area).

In: an ILOSTAT bulk CSV. Out: raw records (:data:`~mtr_analysis.intake.sources.RECORD_COLUMNS`).

Layout (``SDG_0831_SEX_ECO_RT_A.csv``, UTF-8 with BOM): ``ref_area, indicator, source,
sex, classif1[, classif2], time, obs_value, obs_status, note_classif, note_indicator,
note_source``. ``source`` is ILOSTAT's survey code (``BA:15715``: a labour force survey),
``sex`` is ``SEX_T``/``SEX_M``/``SEX_F``/``SEX_O``, ``classif1`` a breakdown such as
economic activity, written as ``<family>_<item>`` (``ECO_AGNAG_TOTAL``, ``ECO_SECTOR_IND``,
``ECO_AGGREGATE_MAN``). The same total is repeated once per classification family.

Records: one per non-empty ``obs_value``. ``series`` = the ``indicator`` column as written
(``SDG_0831_SEX_ECO_RT``, without the file name's ``_A`` frequency suffix; the catalogue
maps it through its ``ilostat_code`` column), ``country`` = ``ref_area``, ``year`` =
``time`` (``2021``; a monthly ``2021M03`` or quarterly ``2021Q1`` period is out of scope),
``sex`` = total/male/female, ``source`` = ``"ILOSTAT bulk download"`` (the file states
no vintage; the file name stays out of it because a name such as ``SDG_0831_…`` would
make the source look like the UN SDG database to the source-priority patterns), ``note`` = ``"ILOSTAT source BA:15715"`` plus ``obs_status`` and
the note codes, ``locator`` = ``"line N, column obs_value"``.

Totals are selected for analysis; everything else stays counted, out of scope, with its
reason (``skip``):

* a breakdown item (``ECO_SECTOR_IND``): "economic-activity breakdown … (the store keeps
  totals)", except the items of :data:`SERIES_ITEMS`, read as their own series
  ``<indicator>:<item>`` (``SDG_0831_SEX_ECO_RT:ECO_AGNAG_NAG``, non-agricultural employment);
* a total repeated by another classification family: only the first of
  :data:`TOTAL_PREFERENCE` present for the same area, year, sex and survey is kept;
* sex ``SEX_O`` (other), which the store has no code for.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from mtr_analysis.intake.sources import SourceError, records_frame
from mtr_analysis.intake.sources.text import csv_rows, decode, first_csv_row, rel_path

FORMAT = "ilostat"
PRODUCER = "ILOSTAT bulk download"
_REQUIRED = {"ref_area", "indicator", "time", "obs_value"}
_SEX = {"SEX_T": "total", "SEX_M": "male", "SEX_F": "female"}
_CLASSIF = ("classif1", "classif2")
#: Which classification family's total is kept when several repeat it (the broadest
#: family first: ILOSTAT's aggregate economic activity, then sector, then agri/non-agri).
TOTAL_PREFERENCE = ("AGGREGATE", "SECTOR", "AGNAG")
#: Breakdown items that are indicators in their own right, read as the series
#: ``<indicator>:<item>``: the informal share of NON-AGRICULTURAL employment is the World
#: Bank's SL.ISV.IFRM.ZS (ILO is its source), which the catalogue maps this way.
SERIES_ITEMS = frozenset({"ECO_AGNAG_NAG"})


def sniff(path: Path) -> bool:
    """True when the first row has ``ref_area``, ``indicator``, ``time`` and ``obs_value``."""
    try:
        return _REQUIRED <= {h.strip() for h in first_csv_row(path, 65536)}
    except Exception:  # a probe never raises
        return False


def _is_total(code: str) -> bool:
    return code == "" or code.endswith("_TOTAL") or code.endswith("_T")


def _family_rank(codes: tuple[str, ...]) -> int:
    """Position of a total's family in :data:`TOTAL_PREFERENCE` (unknown families last)."""
    family = next((c.split("_")[1] for c in codes if c.count("_") >= 2), "")
    return TOTAL_PREFERENCE.index(family) if family in TOTAL_PREFERENCE else len(TOTAL_PREFERENCE)


def _scope(sex: str, codes: tuple[str, ...], time: str) -> str:
    """Out-of-scope reason from sex, classification and period alone (``""`` if none)."""
    if not re.fullmatch(r"\d{4}", time):
        return f"period {time!r} is not a year (annual values only)"
    if sex not in _SEX and sex:
        return f"sex {sex} not held by the store (total, male, female)"
    breakdown = [c for c in codes if not _is_total(c)]
    if breakdown and not (len(breakdown) == 1 and breakdown[0] in SERIES_ITEMS):
        return (
            f"economic-activity breakdown {'/'.join(breakdown)} (the store keeps totals)"
            if any(c.startswith("ECO_") for c in breakdown)
            else f"breakdown {'/'.join(breakdown)} (the store keeps totals)"
        )
    return ""


def _notes(get) -> str:
    notes = [f"ILOSTAT source {get('source')}" if get("source") else ""]
    if get("obs_status"):
        notes.append(f"obs_status: {get('obs_status')}")
    for key in ("note_classif", "note_indicator", "note_source"):
        if get(key):
            notes.append(f"{key}: {get(key)}")
    return " | ".join(n for n in notes if n)


def _drop_repeated_totals(out: list[dict]) -> None:
    """Mark every total but the preferred family's as out of scope (in place)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in out:
        if not r["skip"]:
            groups[r.pop("_key")].append(r)
        else:
            r.pop("_key")
    for rows in groups.values():
        rows.sort(key=lambda r: _family_rank(r["_codes"]))
        for r in rows[1:]:
            r["skip"] = (
                f"total repeated by classification {'/'.join(r['_codes'])} "
                f"(kept: {'/'.join(rows[0]['_codes'])})"
            )
    for r in out:
        r.pop("_codes")


def read(path: Path, root: Path | None = None) -> pd.DataFrame:
    """Read an ILOSTAT bulk CSV into raw records (one per non-empty ``obs_value``).

    Raises
    ------
    SourceError
        When the first row lacks ``ref_area``, ``indicator``, ``time`` or ``obs_value``.
    """
    rel = rel_path(path, root)
    rows = csv_rows(decode(path.read_bytes()))
    first = next(rows, None)
    header = [h.strip() for h in first[1]] if first else []
    if not _REQUIRED <= set(header):
        missing = ", ".join(sorted(_REQUIRED - set(header)))
        raise SourceError(f"{rel}, line 1: not an ILOSTAT bulk header (missing {missing})")
    col = {h: j for j, h in reversed(list(enumerate(header)))}
    value_j = col["obs_value"]
    out: list[dict] = []
    for line, cells in rows:

        def get(name: str, cells=cells) -> str:
            j = col.get(name)
            return cells[j].strip() if j is not None and j < len(cells) else ""

        raw = cells[value_j] if value_j < len(cells) else ""
        if not raw.strip():
            continue
        sex, time = get("sex"), get("time")
        codes = tuple(get(c) for c in _CLASSIF if c in col)
        item = next((c for c in codes if c in SERIES_ITEMS), "")
        out.append({
            "country": get("ref_area"),
            "series": f"{get('indicator')}:{item}" if item else get("indicator"),
            "year": int(time) if re.fullmatch(r"\d{4}", time) else None, "raw": raw,
            "sex": _SEX.get(sex, "total"), "source": PRODUCER,
            "note": _notes(get), "file": rel, "locator": f"line {line}, column obs_value",
            "skip": _scope(sex, codes, time), "_codes": codes,
            "_key": (get("ref_area"), get("indicator"), item, time, sex, get("source")),
        })  # fmt: skip
    _drop_repeated_totals(out)
    return records_frame(out)
