"""``mtr snapshot``: the member-state rows of real downloads, kept in their original formats.

In: a folder of real downloads (``../shared/data/real``, or a ``mtr fetch`` folder). Out: a
snapshot folder (default ``data/snapshot/``) with, for every usable file, only the rows of the
ASEAN member states and Timor-Leste, in the file's own format so that the whole intake path
runs on it; a ``PROVENANCE.md`` (per file: producer, vintage, source URL pattern, licence,
required attribution, original file and its SHA-256, rows kept) and a hidden marker
(:data:`mtr_analysis.paths.SNAPSHOT_MARKER`) that ``mtr build`` records in ``intake.json``,
so that reports say "public international data, snapshot of <vintage>".

How each format is filtered:

* **CSV** (WDI with its preamble, BOM and CRLF; DataBank; WGI; HDR; UNSD; Data360; WHO GHO;
  ILOSTAT): lines before the header and the header are copied byte for byte; after it, a
  record is kept when its country key (``Country Code``, ``iso3``, ``REF_AREA``,
  ``ref_area``, ``COUNTRY``, or the M49 ``GeoAreaCode``) is a member state, or when it holds
  no data (blank separators, DataBank's "Last Updated" footer). Kept records are the original
  bytes. Bulk files (more than :data:`BULK_SERIES` series, e.g. the WDI per-country downloads
  with some 1,430) keep only the series that the catalogue or the auxiliary series name.
* **JSON**: the records array is filtered (UNSD ``refAreas``, GeoJSON ``features``, World
  Bank API v2 ``[page, records]``, WHO GHO OData ``value``); everything else is unchanged.
* **xlsx**: every sheet is rewritten with the rows above the header, the header and the
  member-state rows (values only, sheet names and order kept).
* **zip**: every member is filtered as above and the archive rewritten with the same names.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

import pandas as pd

from mtr_analysis import paths
from mtr_analysis.reference import registry

#: Country-key columns of the CSV and xlsx layouts: column → "iso3" or "m49".
KEY_COLUMNS = {
    "Country Code": "iso3",
    "iso3": "iso3",
    "REF_AREA": "iso3",
    "ref_area": "iso3",
    "COUNTRY": "iso3",
    "GeoAreaCode": "m49",
}
#: Series columns of the WDI-style CSV layouts (WDI, WGI, DataBank).
SERIES_COLUMNS = ("Indicator Code", "Series Code")
#: A file with more distinct series than this among its member rows is a bulk download
#: (WDI per-country files carry about 1,430): only catalogue and auxiliary series are kept.
BULK_SERIES = 100
#: Records searched for the header line (WDI puts it on line 5, after a 4-line preamble).
HEADER_SEARCH = 30
#: Files of the source folder that are not copied, with the reason written to PROVENANCE.md.
SKIPPED = (
    ("*.md", "documentation of the source folder (this file replaces it)"),
    ("*.txt", "documentation"),
    ("*.provenance.json", "copied with its data file"),
    ("*-Metadata.csv", "DataBank export saved with its metadata: the same data as -Data.csv"),
    ("*.xls", "duplicate of the CSV download; BIFF .xls cannot be rewritten in its format"),
    ("*aseanstats*", "tourism arrivals: outside the ASCC catalogue"),
)
#: Companion files copied whole (documentation read beside the data: names, definitions).
WHOLE = ("Metadata_Indicator_*", "Metadata_Country_*")


@dataclass(frozen=True)
class Producer:
    """Who publishes a file, under which licence, and how to cite it."""

    name: str
    licence: str
    attribution: str
    url: str


PRODUCERS = {
    "wdi": Producer(
        "World Bank, World Development Indicators",
        "CC BY 4.0",
        "World Bank, World Development Indicators (series code, vintage), CC BY 4.0",
        "https://api.worldbank.org/v2/en/indicator/<code>?downloadformat=csv",
    ),
    "databank": Producer(
        "World Bank, World Development Indicators (DataBank export)",
        "CC BY 4.0",
        "World Bank, World Development Indicators (series code, vintage), CC BY 4.0",
        "https://databank.worldbank.org/source/world-development-indicators",
    ),
    "wgi": Producer(
        "World Bank, Worldwide Governance Indicators",
        "CC BY 4.0",
        "Kaufmann and Kraay, Worldwide Governance Indicators, World Bank, CC BY 4.0",
        "https://www.worldbank.org/en/publication/worldwide-governance-indicators",
    ),
    "wb_api": Producer(
        "World Bank, World Development Indicators (API v2)",
        "CC BY 4.0",
        "World Bank, World Development Indicators (series code, lastupdated), CC BY 4.0",
        "https://api.worldbank.org/v2/country/<iso3>/indicator/<code>?format=json",
    ),
    "data360": Producer(
        "World Bank, Data360",
        "CC BY 4.0",
        "World Bank, Data360 (indicator id), CC BY 4.0",
        "https://data360.worldbank.org/en/indicator/<id>",
    ),
    "unsd": Producer(
        "UN Statistics Division, Global SDG Indicators Database",
        "United Nations terms of use (free use with attribution)",
        "UN Statistics Division, Global SDG Indicators Database (series code, release), "
        "and the custodian agency named in each record's source",
        "https://unstats.un.org/sdgs/dataportal (API: /sdgapi/v1/sdg/Series/Data)",
    ),
    "hdr": Producer(
        "UNDP Human Development Report Office",
        "UNDP HDRO terms: free reuse with attribution (usually CC BY 3.0 IGO; not stated in "
        "the file)",
        "UNDP Human Development Report Office, Human Development Report (edition)",
        "https://hdr.undp.org/data-center/documentation-and-downloads",
    ),
    "who": Producer(
        "WHO, Global Health Observatory",
        "CC BY-NC-SA 3.0 IGO",
        "World Health Organization, Global Health Observatory (indicator code), "
        "CC BY-NC-SA 3.0 IGO: non-commercial use, share alike",
        "https://ghoapi.azureedge.net/api/<code>",
    ),
    "ilo": Producer(
        "ILO, ILOSTAT",
        "CC BY 4.0",
        "International Labour Organization, ILOSTAT (indicator id), CC BY 4.0",
        "https://rplumber.ilo.org/data/indicator/?id=<id>&format=.csv",
    ),
    "unknown": Producer("not identified", "not identified", "check before publishing", ""),
}


@dataclass
class SnapshotFile:
    """One source file's account in the snapshot."""

    source: str
    out: str = ""
    producer: str = "unknown"
    vintage: str = ""
    sha256: str = ""
    rows_read: int = 0
    rows_kept: int = 0
    skipped: str = ""


@dataclass
class SnapshotResult:
    """What :func:`make_snapshot` wrote."""

    out_dir: Path
    files: list[SnapshotFile] = field(default_factory=list)

    @property
    def vintage(self) -> str:
        """The latest source vintage (an ISO date) of the files kept."""
        dates = [f.vintage[:10] for f in self.files if f.out and _ISO.match(f.vintage)]
        return max(dates, default="")

    @property
    def size(self) -> int:
        """Bytes written under the snapshot folder."""
        return sum(p.stat().st_size for p in self.out_dir.rglob("*") if p.is_file())


_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def member_keys() -> tuple[frozenset[str], frozenset[str]]:
    """ISO3 codes and M49 codes (as text, without leading zeros) of the members and TLS."""
    members = registry.member_states(include_optional=True)
    return frozenset(m.iso3 for m in members), frozenset(str(int(m.m49)) for m in members)


def wanted_series(
    indicators: Path = paths.INDICATORS_FILE, auxiliary: Path = paths.AUXILIARY_FILE
) -> frozenset[str]:
    """Every source code in the catalogue and the auxiliary series (any ``*code``/``*series``/
    ``*variable`` column, several codes per cell separated by ``;``, ``|`` or spaces)."""
    codes: set[str] = set()
    for path in (indicators, auxiliary):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        cols = [c for c in table if re.search(r"(code|series|variable)s?$", c)]
        for col in cols:
            if col == "verified_code":
                continue
            for cell in table[col]:
                codes.update(t for t in re.split(r"[;|,\s]+", cell) if t)
    return frozenset(codes)


# --------------------------------------------------------------------------------------
# CSV


def csv_records(data: bytes) -> list[bytes]:
    """The records of a CSV file as their original bytes (line ends included).

    A record spans several lines when a quoted field holds a line break (an odd number of
    quote characters so far); doubled quotes inside a field count twice and cancel out.
    """
    out: list[bytes] = []
    buf, inside = b"", False
    for line in data.splitlines(keepends=True):
        buf += line
        if line.count(b'"') % 2:
            inside = not inside
        if not inside:
            out.append(buf)
            buf = b""
    if buf:
        out.append(buf)
    return out


def _fields(record: bytes) -> list[str]:
    """Parsed fields of one record (latin-1 maps every byte; the key columns are ASCII)."""
    text = record.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
    rows = list(csv.reader(io.StringIO(text)))
    return [v.strip() for v in rows[0]] if rows else []


def _header(records: list[bytes]) -> tuple[int, list[str]] | None:
    """Position and fields of the first record naming a country-key column."""
    for i, rec in enumerate(records[:HEADER_SEARCH]):
        names = _fields(rec)
        if any(n in KEY_COLUMNS for n in names):
            return i, names
    return None


def _key_index(names: list[str]) -> tuple[int, str]:
    for col, kind in KEY_COLUMNS.items():
        if col in names:
            return names.index(col), kind
    raise ValueError("no country-key column")


def _is_member(value: str, kind: str, keys: tuple[frozenset[str], frozenset[str]]) -> bool:
    iso3, m49 = keys
    if kind == "m49":
        return value.isdigit() and str(int(value)) in m49
    return value.upper() in iso3


def filter_csv(
    data: bytes, keys: tuple[frozenset[str], frozenset[str]], series: frozenset[str] | None
) -> tuple[bytes, int, int, list[str]] | None:
    """Member-state records of a CSV file, byte for byte (``None``: no country-key column).

    Returns
    -------
    (bytes, int, int, list of str)
        The filtered file, data records read, data records kept, and the header fields.
    """
    records = csv_records(data)
    found = _header(records)
    if found is None:
        return None
    at, names = found
    key, kind = _key_index(names)
    ser = next((names.index(c) for c in SERIES_COLUMNS if c in names), None)
    rows: list[tuple[bytes, str | None]] = []  # (record, series code or None: not data)
    read = 0
    for rec in records[at + 1 :]:
        values = _fields(rec)
        if key >= len(values) or not values[key]:
            # No country: a blank separator or a footer ("Last Updated: …") when the other
            # fields are empty too; an aggregate row (WHO regions) otherwise.
            if not any(values[1:]):
                rows.append((rec, None))
            continue
        read += 1
        if _is_member(values[key], kind, keys):
            code = values[ser] if ser is not None and ser < len(values) else ""
            rows.append((rec, code))
    codes = {c for _, c in rows if c}
    bulk = series is not None and len(codes) > BULK_SERIES
    rows = [(r, c) for r, c in rows if not (bulk and c is not None and c not in series)]
    n_kept = sum(c is not None for _, c in rows)
    return b"".join(records[: at + 1] + [r for r, _ in rows]), read, n_kept, names


def csv_kind(names: list[str], data: bytes, name: str) -> str:
    """The producer key of a CSV layout, from its header (and the file name for WGI)."""
    cols = set(names)
    if "GHO" in cols:
        return "who"
    if {"ref_area", "obs_value"} <= cols:
        return "ilo"
    if "REF_AREA" in cols:
        return "data360"
    if "GeoAreaCode" in cols:
        return "unsd"
    if "iso3" in cols:
        return "hdr"
    if "Series Code" in cols:
        return "databank"
    if "WGI" in name.upper() or b'"VA.EST"' in data[:200_000]:
        return "wgi"
    return "wdi"


def csv_vintage(data: bytes) -> str:
    """The vintage a CSV states: WDI's "Last Updated Date" or DataBank's footer (ISO date)."""
    head = data[:2000].decode("latin-1")
    m = re.search(r'Last Updated Date"?,"?(\d{4}-\d{2}-\d{2})', head)
    if m:
        return m.group(1)
    m = re.search(r"Last Updated: (\d{1,2})/(\d{1,2})/(\d{4})", data[-2000:].decode("latin-1"))
    if m:
        return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    return ""


# --------------------------------------------------------------------------------------
# JSON


def _json_member(rec: dict, keys: tuple[frozenset[str], frozenset[str]]) -> bool:
    """A record of one of the JSON layouts belongs to a member state."""
    props = rec.get("properties", rec) if isinstance(rec, dict) else {}
    for col in ("ISO3", "countryiso3code", "SpatialDim", "REF_AREA"):
        if props.get(col):
            return str(props[col]).upper() in keys[0]
    code = props.get("geoAreaCode")
    return code is not None and _is_member(str(code), "m49", keys)


def filter_json(
    data: bytes, keys: tuple[frozenset[str], frozenset[str]]
) -> tuple[bytes, int, int, str, str] | None:
    """Member-state records of a JSON file: (bytes, read, kept, producer, vintage) or None."""
    doc = json.loads(data.decode("utf-8-sig"))
    if isinstance(doc, list) and len(doc) == 2 and isinstance(doc[1], list):
        # World Bank API v2: [page information, records]; the page keeps its counts.
        recs, kind, vintage = doc[1], "wb_api", str(doc[0].get("lastupdated", ""))
        kept = [r for r in recs if _json_member(r, keys)]
        doc = [doc[0], kept]
    elif isinstance(doc, dict):
        arr = next((k for k in ("refAreas", "features", "value") if k in doc), None)
        if arr is None:
            return None
        recs = doc[arr]
        kept = [r for r in recs if _json_member(r, keys)]
        kind = "who" if arr == "value" else "unsd"
        vintage = str(doc.get("release", ""))
        if arr == "value":
            vintage = max((str(r.get("Date") or "")[:10] for r in kept), default="")
        doc = {**doc, arr: kept}
    else:
        return None
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8"), len(recs), len(kept), kind, vintage


# --------------------------------------------------------------------------------------
# xlsx


def filter_xlsx(
    path: Path, out: Path, keys: tuple[frozenset[str], frozenset[str]]
) -> tuple[int, int, str] | None:
    """Rewrite a workbook with the member-state rows of every sheet: (read, kept, producer).

    Sheets without a country-key column (code descriptions, pivot tables) are copied whole.
    """
    from openpyxl import Workbook, load_workbook

    from mtr_analysis.intake.sources.national import save_reproducible

    src = load_workbook(path, read_only=True, data_only=True)
    dst = Workbook()
    dst.remove(dst.active)
    read = kept = 0
    kind = "unknown"
    for ws in src.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        out_ws = dst.create_sheet(ws.title)
        head = next(
            (i for i, r in enumerate(rows[:HEADER_SEARCH]) if any(c in KEY_COLUMNS for c in r)),
            None,
        )
        if head is None:
            for r in rows:
                out_ws.append(list(r))
            continue
        names = [str(c) if c is not None else "" for c in rows[head]]
        key, kind_key = _key_index(names)
        kind = "unsd" if kind_key == "m49" else kind
        for r in rows[: head + 1]:
            out_ws.append(list(r))
        for r in rows[head + 1 :]:
            value = "" if key >= len(r) or r[key] is None else str(r[key]).split(".")[0]
            read += bool(value)
            if value and _is_member(value, kind_key, keys):
                out_ws.append(list(r))
                kept += 1
    src.close()
    save_reproducible(dst, out)
    return read, kept, kind


# --------------------------------------------------------------------------------------
# zip and the whole folder


def _filter_bytes(
    name: str, data: bytes, keys: tuple, series: frozenset[str]
) -> tuple[bytes, int, int, str, str] | None:
    """Filter one CSV or JSON file's bytes: (bytes, read, kept, producer, vintage) or None."""
    if any(fnmatch(Path(name).name, p) for p in WHOLE):
        return data, 0, 0, "wdi", csv_vintage(data)
    if name.lower().endswith(".json"):
        return filter_json(data, keys)
    found = filter_csv(data, keys, series)
    if found is None:
        return None
    out, read, kept, names = found
    return out, read, kept, csv_kind(names, data, name), csv_vintage(data)


def filter_zip(path: Path, out: Path, keys: tuple, series: frozenset[str]) -> SnapshotFile:
    """Rewrite a zip download with every member filtered (same member names and order)."""
    info = SnapshotFile(source="")
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for member in src.infolist():
            found = _filter_bytes(member.filename, src.read(member), keys, series)
            if found is None:
                continue
            data, read, kept, kind, vintage = found
            # The member's original date keeps the archive reproducible.
            dst.writestr(zipfile.ZipInfo(member.filename, member.date_time), data)
            info.rows_read += read
            info.rows_kept += kept
            if read:
                info.producer, info.vintage = kind, vintage
    out.write_bytes(buffer.getvalue())
    return info


def snapshot_file(
    path: Path, rel: str, out_dir: Path, keys: tuple, series: frozenset[str]
) -> SnapshotFile:
    """Write the filtered copy of one source file; its account for PROVENANCE.md."""
    skip = next((why for pattern, why in SKIPPED if fnmatch(rel, pattern)), "")
    info = SnapshotFile(source=rel, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
    if skip:
        info.skipped = skip
        return info
    out = out_dir / rel
    out.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    try:
        if suffix == ".zip":
            z = filter_zip(path, out, keys, series)
            info.rows_read, info.rows_kept, info.producer, info.vintage = (
                z.rows_read, z.rows_kept, z.producer, z.vintage)  # fmt: skip
        elif suffix == ".xlsx":
            found = filter_xlsx(path, out, keys)
            if found:
                info.rows_read, info.rows_kept, info.producer = found
        else:
            found = _filter_bytes(rel, path.read_bytes(), keys, series)
            if found is None:
                info.skipped = "no country-key column or records array recognised"
                return info
            data, info.rows_read, info.rows_kept, info.producer, info.vintage = found
            out.write_bytes(data)
    except (ValueError, OSError, zipfile.BadZipFile, KeyError) as exc:
        info.skipped = f"could not be read: {type(exc).__name__}: {exc}"
        out.unlink(missing_ok=True)
        return info
    is_doc = any(fnmatch(path.name, p) for p in WHOLE)
    if not info.rows_kept and not is_doc:
        info.skipped = "no member-state rows"
        out.unlink(missing_ok=True)
        return info
    info.out = rel
    sidecar = path.with_name(path.name + paths.PROVENANCE_SUFFIX)
    if sidecar.is_file():
        (out_dir / (rel + paths.PROVENANCE_SUFFIX)).write_bytes(sidecar.read_bytes())
    return info


def _clear(out_dir: Path) -> None:
    """Empty a previous snapshot folder; refuse any other non-empty folder."""
    if not out_dir.exists():
        return
    if any(out_dir.iterdir()) and not (out_dir / paths.SNAPSHOT_MARKER).is_file():
        raise ValueError(
            f"{out_dir} is not empty and holds no {paths.SNAPSHOT_MARKER}: not a snapshot "
            "folder, nothing was written (choose an empty or a snapshot folder)"
        )
    for p in sorted(out_dir.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()


def make_snapshot(
    src_dir: Path | str = paths.SHARED_REAL_DIR, out_dir: Path | str = paths.SNAPSHOT_DIR
) -> SnapshotResult:
    """Filter every file under ``src_dir`` to the member states into ``out_dir``.

    Parameters
    ----------
    src_dir : path
        Real downloads (``../shared/data/real``) or a ``mtr fetch`` folder.
    out_dir : path
        Snapshot folder; emptied first (only when it is empty or a previous snapshot).

    Returns
    -------
    SnapshotResult
        Also written: the filtered files under their relative paths, ``PROVENANCE.md`` and
        the marker :data:`mtr_analysis.paths.SNAPSHOT_MARKER` (JSON: vintage, files).
    """
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    if not src_dir.is_dir():
        raise FileNotFoundError(f"source folder {src_dir} does not exist")
    _clear(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    keys, series = member_keys(), wanted_series()
    result = SnapshotResult(out_dir)
    for path in sorted(p for p in src_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(src_dir).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        result.files.append(snapshot_file(path, rel, out_dir, keys, series))
    (out_dir / paths.SNAPSHOT_PROVENANCE).write_text(provenance_markdown(result), "utf-8")
    marker = {"vintage": result.vintage, "files": [f.out for f in result.files if f.out]}
    (out_dir / paths.SNAPSHOT_MARKER).write_text(json.dumps(marker, indent=1) + "\n", "utf-8")
    return result


def read_marker(raw_dir: Path | str) -> dict | None:
    """The snapshot marker of a raw folder (``None`` when it is not a snapshot)."""
    path = Path(raw_dir) / paths.SNAPSHOT_MARKER
    if not path.is_file():
        return None
    try:
        return dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError):
        return None


def snapshot_of(raw_dirs: list[Path | str]) -> dict | None:
    """``{"vintage": …}`` when every raw folder is a snapshot (so no national submission
    can be among the inputs), else ``None``; recorded as ``snapshot`` in ``intake.json``."""
    markers = [read_marker(d) for d in raw_dirs]
    if not markers or any(m is None for m in markers):
        return None
    return {"vintage": max(str(m.get("vintage", "")) for m in markers if m)}


def provenance_markdown(result: SnapshotResult) -> str:
    """``PROVENANCE.md`` of a snapshot: one row per file kept, then the files left out."""
    kept = [f for f in result.files if f.out]
    lines = [
        "# Provenance of the data snapshot",
        "",
        "Generated by `mtr snapshot` (mtr_analysis.intake.snapshot); do not edit by hand, "
        "refresh with `make snapshot`. Each file keeps only the rows of the ASEAN Member "
        "States and Timor-Leste of the original download, in its original format.",
        "",
        f"Latest source vintage: **{result.vintage or 'not stated'}**. "
        "National submissions are not included.",
        "",
        "## Licences and required attribution",
        "",
        "| producer | licence | required attribution | source URL pattern |",
        "|---|---|---|---|",
    ]
    for key in sorted({f.producer for f in kept}):
        p = PRODUCERS.get(key, PRODUCERS["unknown"])
        lines.append(f"| {p.name} | {p.licence} | {p.attribution} | `{p.url}` |")
    lines += [
        "",
        "## Files",
        "",
        "| file | producer | vintage | licence | rows kept / read | original sha256 |",
        "|---|---|---|---|---:|---|",
    ]
    for f in kept:
        p = PRODUCERS.get(f.producer, PRODUCERS["unknown"])
        lines.append(
            f"| `{f.out}` | {p.name} | {f.vintage or 'not stated in the file'} | {p.licence} "
            f"| {f.rows_kept} / {f.rows_read} | `{f.sha256}` |"
        )
    lines += ["", "## Left out", "", "| original file | reason | sha256 |", "|---|---|---|"]
    lines += [f"| `{f.source}` | {f.skipped} | `{f.sha256}` |" for f in result.files if not f.out]
    return "\n".join(lines) + "\n"
