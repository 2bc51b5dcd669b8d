"""``mtr fetch``: download the catalogue's series for the member states from the web APIs.

Three sources:

* **World Bank Indicators API v2** — ``GET https://api.worldbank.org/v2/country/BRN;KHM;…/
  indicator/<code>?format=json&per_page=20000&date=2000:2025``. The answer is a JSON list
  ``[page header, observations]``; the header carries ``page``, ``pages``, ``total`` and
  ``lastupdated`` (the vintage); each observation has ``indicator {id, value}``,
  ``country {id, value}``, ``countryiso3code``, ``date``, ``value`` (``null`` when there is
  none). An error is a one-item list ``[{"message": [{"id", "key", "value"}]}]``. Pages
  are parsed by the API v2 reader (:mod:`mtr_analysis.intake.sources.wb_api`, the one
  home of that parsing: a saved answer builds through the same code) and written as a WDI download
  (``wdi/API_<code>_DS2_en_csv_v2_mtrfetch.csv`` with its ``Metadata_Indicator_`` twin)
  through :func:`mtr_analysis.intake.sources.wdi.write`, so the WDI reader reads it and the
  vintage reaches ``source``.
* **UN SDG API** — ``GET https://unstats.un.org/sdgapi/v1/sdg/Series/Data?seriesCode=<code>
  &areaCode=96&areaCode=116…&page=1&pageSize=10000``. The answer is an object with
  ``totalPages`` and ``data``: observations with ``goal``/``target``/``indicator`` lists,
  ``series``, ``seriesDescription``, ``geoAreaCode``, ``geoAreaName``,
  ``timePeriodStart``, ``value``, bounds, ``source``, ``footnotes``, ``attributes``
  (Nature, Units) and ``dimensions`` (Sex, Age, Location, Reporting Type). Written in the
  long layout of the SDG Global Database export (``unsdg/SDG_<code>.csv``).
* **WHO Global Health Observatory OData API** — ``GET https://ghoapi.azureedge.net/api/
  <code>?$filter=SpatialDim in ('BRN','KHM',…)``; the answer is ``{"value": [...]}`` with
  ``@odata.nextLink`` when more follows. Checked with the GHO reader
  (:mod:`mtr_analysis.intake.sources.who_gho`) and written as the answer itself, all pages'
  ``value`` lists joined (``who_gho/GHO_<code>.json``), which that reader reads at build.
  Codes come from the catalogue's ``gho_code`` column when it has one.
* **ILOSTAT data API** — ``GET https://rplumber.ilo.org/data/indicator/?id=<code>_A&
  ref_area=BRN+KHM+…&timefrom=2000&timeto=2025&type=code&format=.csv``; the answer is the
  bulk-download CSV, checked with the ILOSTAT reader
  (:mod:`mtr_analysis.intake.sources.ilostat`) and written as it came
  (``ilostat/ILO_<code>_A.csv``). Codes come from the catalogue's ``ilostat_code`` column.

Each written file gets a provenance sidecar ``<file>.provenance.json``: source, series,
URLs, retrieval time (UTC, ISO 8601), SHA-256 of the file, vintage when the API gives one.

The HTTP getter is a parameter (``get(url, timeout) -> bytes``): tests replay recorded
responses; nothing in the tests or in ``make report`` touches the network. A failing
series is reported and the others continue; after a few consecutive network failures
(no connection at all) the remaining series are skipped with that reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from mtr_analysis.paths import (
    FETCHED_DIR,
    FETCHED_GHO_PATTERN,
    FETCHED_ILOSTAT_PATTERN,
    FETCHED_SDG_PATTERN,
    FETCHED_WDI_PATTERN,
    ILOSTAT_SUBDIR,
    PARTIAL_SUFFIX,
    PROVENANCE_SUFFIX,
    UNSDG_SUBDIR,
    WDI_INDICATOR_METADATA_PREFIX,
    WDI_SUBDIR,
    WHO_GHO_SUBDIR,
)
from mtr_analysis.provenance import file_sha256
from mtr_analysis.reference import registry
from mtr_analysis.reference.catalogue import Catalogue, load_catalogue

WB_BASE = "https://api.worldbank.org/v2"
SDG_BASE = "https://unstats.un.org/sdgapi/v1/sdg/Series/Data"
GHO_BASE = "https://ghoapi.azureedge.net/api"
ILO_BASE = "https://rplumber.ilo.org/data/indicator/"
TIMEOUT = 60.0
WB_PER_PAGE = 20000
SDG_PAGE_SIZE = 10000
DEFAULT_OUT = FETCHED_DIR
SOURCES = ("wdi", "unsdg", "who_gho", "ilostat")
#: Catalogue column holding each source's series codes (a missing column gives none).
CODE_COLUMNS = {
    "wdi": "wdi_code", "unsdg": "unsdg_series", "who_gho": "gho_code", "ilostat": "ilostat_code",
}  # fmt: skip
#: Most pages followed for one series (a server that keeps sending "next" links).
MAX_PAGES = 100
#: Consecutive network failures (no answer at all) after which the rest is skipped.
MAX_NETWORK_FAILURES = 3

Getter = Callable[[str, float], bytes]


class FetchError(RuntimeError):
    """A download failed; the message names the URL and why."""


class NetworkError(FetchError):
    """No answer from the server at all (no connection, DNS, timeout)."""


def http_get(url: str, timeout: float = TIMEOUT) -> bytes:
    """GET ``url`` with the standard library; raise :class:`FetchError` with a clear reason."""
    from mtr_analysis import __version__

    req = urllib.request.Request(
        url, headers={"User-Agent": f"mtr-analysis/{__version__}", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - https only
            return resp.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        why = getattr(exc, "reason", exc)
        raise NetworkError(
            f"{url}: network error ({why}); check the internet connection or proxy settings"
        ) from None


def wdi_url(code: str, iso3: list[str], start: int, end: int, page: int = 1) -> str:
    """URL of one page of a World Bank API v2 indicator query for ``iso3`` countries."""
    countries = ";".join(iso3)
    query = urllib.parse.urlencode(
        {"format": "json", "per_page": WB_PER_PAGE, "date": f"{start}:{end}", "page": page}
    )
    return f"{WB_BASE}/country/{countries}/indicator/{urllib.parse.quote(code)}?{query}"


def sdg_url(code: str, m49: list[int], page: int = 1) -> str:
    """URL of one page of a UN SDG API series query for the ``m49`` areas."""
    params = [("seriesCode", code)] + [("areaCode", str(c)) for c in m49]
    params += [("page", str(page)), ("pageSize", str(SDG_PAGE_SIZE))]
    return f"{SDG_BASE}?{urllib.parse.urlencode(params)}"


@dataclass
class Fetched:
    """The outcome for one series: ``status`` is ``ok``, ``empty`` or ``failed``."""

    source: str
    series: str
    status: str
    path: Path | None = None
    records: int = 0
    message: str = ""
    urls: list[str] = field(default_factory=list)


@dataclass
class FetchReport:
    """All series tried by :func:`fetch`."""

    items: list[Fetched]

    @property
    def failed(self) -> list[Fetched]:
        return [i for i in self.items if i.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed


def _json(data: bytes, url: str) -> object:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        head = data[:80].decode("utf-8", errors="replace")
        raise FetchError(
            f"{url}: the answer is not JSON ({exc}); it starts with {head!r}"
        ) from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _safe(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", code)


def _text(v: object) -> str:
    """A JSON value as cell text: floats in their shortest exact form, None as empty."""
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v) if not v.is_integer() else repr(v).removesuffix(".0")
    return str(v)


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + PARTIAL_SUFFIX)
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_provenance(path: Path, info: dict) -> Path:
    """Write ``<file>.provenance.json`` beside ``path`` with its SHA-256 and ``info``."""
    digest = file_sha256(path)
    side = path.with_name(path.name + PROVENANCE_SUFFIX)
    body = {"file": path.name, "sha256": digest, **info}
    side.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return side


# --------------------------------------------------------------------------------------
# World Bank


def wdi_pages(
    code: str, iso3: list[str], get: Getter, start: int, end: int
) -> tuple[dict, list, list]:
    """All pages of one indicator: (header of page 1, observations, URLs).

    Each page is parsed by :func:`mtr_analysis.intake.sources.wb_api.page_parts`.
    """
    from mtr_analysis.intake.sources import SourceError, wb_api

    header: dict = {}
    rows: list = []
    urls: list[str] = []
    page, pages = 1, 1
    while page <= min(pages, MAX_PAGES):
        url = wdi_url(code, iso3, start, end, page)
        urls.append(url)
        try:
            info, page_rows = wb_api.page_parts(_json(get(url, TIMEOUT), url), url)
        except SourceError as exc:
            raise FetchError(str(exc)) from None
        if page == 1:
            header = info
            pages = int(info.get("pages") or 0)
        rows += page_rows
        page += 1
    return header, rows, urls


def wdi_table(
    rows: list[dict], start: int, end: int, iso3: list[str] | None = None
) -> tuple[str, pd.DataFrame]:
    """API observations → (series name, table with ``name``, ``code`` and year columns).

    Observations are read by :func:`mtr_analysis.intake.sources.wb_api.api_records` (nulls
    and non-annual dates dropped there); years outside ``start``–``end`` and, when
    ``iso3`` is given, economies not asked for (an answer for "all") are left out.
    """
    from mtr_analysis.intake.sources import wb_api

    years = list(range(start, end + 1))
    cells: dict[tuple[str, str], dict[int, str]] = {}
    for r in wb_api.api_records([({}, rows)], "API answer"):
        if r["skip"] or r["year"] not in years or (iso3 and r["country"] not in iso3):
            continue  # quarterly/monthly dates, outside the window, not asked for
        cname = str(r["country_name"]).replace('"', "'")
        cells.setdefault((cname, r["country"]), {})[r["year"]] = r["raw"]
    name = next(
        (str((r.get("indicator") or {}).get("value") or "") for r in rows if isinstance(r, dict)),
        "",
    ).replace('"', "'")
    table = pd.DataFrame(
        [{"name": n, "code": c, **{y: v.get(y, "") for y in years}} for (n, c), v in cells.items()],
        columns=["name", "code", *years],
    )
    return name, table.sort_values("code").reset_index(drop=True)


def fetch_wdi(
    code: str,
    iso3: list[str],
    out_dir: Path,
    get: Getter = http_get,
    start: int = 2000,
    end: int = 2025,
    clock: Callable[[], dt.datetime] = _now,
) -> Fetched:
    """Download one WDI series and write it as a WDI CSV download plus provenance."""
    from mtr_analysis.intake.sources import wdi

    header, rows, urls = wdi_pages(code, iso3, get, start, end)
    name, table = wdi_table(rows, start, end, iso3)
    filled = table[[y for y in range(start, end + 1)]].ne("").to_numpy().sum() if len(table) else 0
    if not filled:
        return Fetched("wdi", code, "empty", None, 0, "no values for these countries", urls)
    vintage = str(header.get("lastupdated") or "")
    path = Path(out_dir) / WDI_SUBDIR / FETCHED_WDI_PATTERN.format(code=_safe(code))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + PARTIAL_SUFFIX)
    meta = {"Data Source": "World Development Indicators", "Last Updated Date": vintage}
    wdi.write(tmp, code, name or code, table, meta)
    os.replace(tmp, path)
    meta_path = path.with_name(f"{WDI_INDICATOR_METADATA_PREFIX}{path.name}")
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    w.writerow(["INDICATOR_CODE", "INDICATOR_NAME", "SOURCE_NOTE", "SOURCE_ORGANIZATION"])
    w.writerow([code, name, "", ""])
    _write_atomic(meta_path, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    retrieved = clock().astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    info = {
        "source": "World Bank Indicators API v2",
        "series": code,
        "series_name": name,
        "url": urls[0],
        "urls": urls,
        "retrieved_at": retrieved,
        "vintage": vintage,
        "source_id": str(header.get("sourceid") or ""),
        "countries": iso3,
        "values": int(filled),
    }
    write_provenance(path, info)
    write_provenance(meta_path, {**info, "values": 0})
    return Fetched("wdi", code, "ok", path, int(filled), "", urls)


# --------------------------------------------------------------------------------------
# UN SDG

SDG_FIXED = (
    "Goal", "Target", "Indicator", "SeriesCode", "SeriesDescription", "GeoAreaCode",
    "GeoAreaName", "TimePeriod", "Value", "Time_Detail", "TimeCoverage", "UpperBound",
    "LowerBound", "BasePeriod", "Source", "GeoInfoUrl", "FootNote",
)  # fmt: skip


def sdg_pages(code: str, m49: list[int], get: Getter) -> tuple[list[dict], list[str]]:
    """All pages of one SDG series: (observations, URLs)."""
    rows: list[dict] = []
    urls: list[str] = []
    page, pages = 1, 1
    while page <= pages:
        url = sdg_url(code, m49, page)
        urls.append(url)
        payload = _json(get(url, TIMEOUT), url)
        if not isinstance(payload, dict) or "data" not in payload:
            msg = payload.get("message") if isinstance(payload, dict) else None
            raise FetchError(f"{url}: UN SDG API error: {msg or 'no data field in the answer'}")
        rows += payload.get("data") or []
        pages = int(payload.get("totalPages") or 1)
        page += 1
    return rows, urls


def _joined(v: object) -> str:
    if isinstance(v, list):
        return ", ".join(_text(x) for x in v)
    return _text(v)


def sdg_table(rows: list[dict], start: int, end: int) -> pd.DataFrame:
    """API observations → the long layout of an SDG Global Database export (text cells)."""
    dims = sorted({k for r in rows for k in (r.get("dimensions") or {})} - {"Reporting Type"})
    attrs = sorted({k for r in rows for k in (r.get("attributes") or {})} - {"Nature", "Units"})
    columns = [*SDG_FIXED, *dims, "Nature", *attrs, "Reporting Type", "Units"]
    out = []
    for r in rows:
        try:
            year = int(float(r.get("timePeriodStart")))
        except (TypeError, ValueError):
            continue
        if not start <= year <= end:
            continue
        d, a = r.get("dimensions") or {}, r.get("attributes") or {}
        rec = {
            "Goal": _joined(r.get("goal")),
            "Target": _joined(r.get("target")),
            "Indicator": _joined(r.get("indicator")),
            "SeriesCode": _text(r.get("series")),
            "SeriesDescription": _text(r.get("seriesDescription")),
            "GeoAreaCode": _text(r.get("geoAreaCode")),
            "GeoAreaName": _text(r.get("geoAreaName")),
            "TimePeriod": str(year),
            "Value": _text(r.get("value")),
            "Time_Detail": _text(r.get("time_detail")),
            "TimeCoverage": _text(r.get("timeCoverage")),
            "UpperBound": _text(r.get("upperBound")),
            "LowerBound": _text(r.get("lowerBound")),
            "BasePeriod": _text(r.get("basePeriod")),
            "Source": _text(r.get("source")),
            "GeoInfoUrl": _text(r.get("geoInfoUrl")),
            "FootNote": "; ".join(map(_text, r.get("footnotes") or []))
            if isinstance(r.get("footnotes"), list)
            else _text(r.get("footnotes")),
            "Nature": _text(a.get("Nature")),
            "Reporting Type": _text(d.get("Reporting Type")),
            "Units": _text(a.get("Units")),
            **{k: _text(d.get(k)) for k in dims},
            **{k: _text(a.get(k)) for k in attrs},
        }
        out.append(rec)
    return pd.DataFrame(out, columns=columns)


def fetch_unsdg(
    code: str,
    iso3: list[str],
    out_dir: Path,
    get: Getter = http_get,
    start: int = 2000,
    end: int = 2025,
    clock: Callable[[], dt.datetime] = _now,
) -> Fetched:
    """Download one SDG series and write it as an SDG export CSV plus provenance."""
    m49 = [registry.get(c).m49 for c in iso3]
    rows, urls = sdg_pages(code, m49, get)
    table = sdg_table(rows, start, end)
    if table.empty:
        return Fetched("unsdg", code, "empty", None, 0, "no values for these countries", urls)
    path = Path(out_dir) / UNSDG_SUBDIR / FETCHED_SDG_PATTERN.format(code=_safe(code))
    buf = io.StringIO()
    table.to_csv(buf, index=False, lineterminator="\r\n")
    _write_atomic(path, buf.getvalue().encode("utf-8"))
    retrieved = clock().astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    write_provenance(
        path,
        {
            "source": "UN SDG API (unstats.un.org/sdgapi v1)",
            "series": code,
            "url": urls[0],
            "urls": urls,
            "retrieved_at": retrieved,
            "vintage": "",
            "countries": iso3,
            "values": len(table),
        },
    )
    return Fetched("unsdg", code, "ok", path, len(table), "", urls)


# --------------------------------------------------------------------------------------
# WHO Global Health Observatory


def gho_url(code: str, iso3: list[str]) -> str:
    """URL of a GHO OData query for one indicator and the ``iso3`` countries."""
    places = ",".join(f"'{c}'" for c in iso3)
    query = urllib.parse.urlencode({"$filter": f"SpatialDim in ({places})"}, safe="$(),'")
    return f"{GHO_BASE}/{urllib.parse.quote(code)}?{query}"


def gho_pages(code: str, iso3: list[str], get: Getter) -> tuple[dict, list[str]]:
    """All pages of one GHO indicator as one OData document ``{"value": [...]}``, and URLs.

    Follows ``@odata.nextLink`` (at most :data:`MAX_PAGES` pages); an answer without a
    ``value`` list is an error that quotes the API's own message when it gives one.
    """
    url: str | None = gho_url(code, iso3)
    values: list = []
    urls: list[str] = []
    context = ""
    while url and len(urls) < MAX_PAGES:
        urls.append(url)
        payload = _json(get(url, TIMEOUT), url)
        if not isinstance(payload, dict) or not isinstance(payload.get("value"), list):
            err = payload.get("error") if isinstance(payload, dict) else None
            msg = err.get("message") if isinstance(err, dict) else err
            raise FetchError(f"{url}: WHO GHO API error: {msg or 'no value list in the answer'}")
        context = context or str(payload.get("@odata.context") or "")
        values += payload["value"]
        url = payload.get("@odata.nextLink")
    return {"@odata.context": context, "value": values}, urls


def fetch_gho(
    code: str,
    iso3: list[str],
    out_dir: Path,
    get: Getter = http_get,
    start: int = 2000,
    end: int = 2025,
    clock: Callable[[], dt.datetime] = _now,
) -> Fetched:
    """Download one GHO indicator and write the OData answer (years ``start``–``end``)."""
    from mtr_analysis.intake.sources import SourceError, who_gho

    doc, urls = gho_pages(code, iso3, get)
    doc["value"] = [
        v for v in doc["value"]
        if not isinstance(v, dict) or start <= int(v.get("TimeDim") or 0) <= end
    ]  # fmt: skip
    try:
        records = who_gho.odata_records(doc, f"GHO answer for {code}")
    except SourceError as exc:
        raise FetchError(f"{urls[0]}: {exc}") from None
    if not records:
        return Fetched("who_gho", code, "empty", None, 0, "no values for these countries", urls)
    path = Path(out_dir) / WHO_GHO_SUBDIR / FETCHED_GHO_PATTERN.format(code=_safe(code))
    _write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"))
    dates = sorted(str(v.get("Date") or "")[:10] for v in doc["value"] if isinstance(v, dict))
    retrieved = clock().astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    write_provenance(
        path,
        {
            "source": "WHO Global Health Observatory OData API (ghoapi.azureedge.net)",
            "series": code,
            "url": urls[0],
            "urls": urls,
            "retrieved_at": retrieved,
            "vintage": dates[-1] if dates else "",
            "countries": iso3,
            "values": len(records),
        },
    )
    return Fetched("who_gho", code, "ok", path, len(records), "", urls)


# --------------------------------------------------------------------------------------
# ILOSTAT


def ilo_id(code: str) -> str:
    """The API's dataset id: the indicator with its annual suffix (``…_RT`` → ``…_RT_A``);
    a catalogue code naming one breakdown item (``…_RT:ECO_AGNAG_NAG``) downloads the whole
    indicator, whose reader then reads that item as its own series."""
    code = code.split(":", 1)[0]
    return code if code.endswith("_A") else f"{code}_A"


def ilo_url(code: str, iso3: list[str], start: int, end: int) -> str:
    """URL of an ILOSTAT data-API query (bulk CSV layout, codes not labels)."""
    query = urllib.parse.urlencode(
        {
            "id": ilo_id(code),
            "ref_area": "+".join(iso3),
            "timefrom": start,
            "timeto": end,
            "type": "code",
            "format": ".csv",
        },  # fmt: skip
        safe="+",
    )
    return f"{ILO_BASE}?{query}"


def fetch_ilostat(
    code: str,
    iso3: list[str],
    out_dir: Path,
    get: Getter = http_get,
    start: int = 2000,
    end: int = 2025,
    clock: Callable[[], dt.datetime] = _now,
) -> Fetched:
    """Download one ILOSTAT indicator and write the bulk CSV as it came, plus provenance."""
    from mtr_analysis.intake.sources import SourceError, ilostat

    url = ilo_url(code, iso3, start, end)
    data = get(url, TIMEOUT)
    path = Path(out_dir) / ILOSTAT_SUBDIR / FETCHED_ILOSTAT_PATTERN.format(code=_safe(ilo_id(code)))
    tmp = path.with_name(path.name + PARTIAL_SUFFIX)
    _write_atomic(tmp, data)
    try:
        records = ilostat.read(tmp, tmp.parent)
    except SourceError as exc:
        tmp.unlink()
        head = data[:80].decode("utf-8", errors="replace")
        raise FetchError(f"{url}: not an ILOSTAT CSV ({exc}); it starts with {head!r}") from None
    if records.empty:
        tmp.unlink()
        return Fetched("ilostat", code, "empty", None, 0, "no values for these countries", [url])
    os.replace(tmp, path)
    retrieved = clock().astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    write_provenance(
        path,
        {
            "source": "ILOSTAT data API (rplumber.ilo.org)",
            "series": code,
            "url": url,
            "urls": [url],
            "retrieved_at": retrieved,
            "vintage": "",
            "countries": iso3,
            "values": int(records["skip"].eq("").sum()),
        },
    )
    return Fetched("ilostat", code, "ok", path, int(records["skip"].eq("").sum()), "", [url])


# --------------------------------------------------------------------------------------
# The command


def catalogue_series(catalogue: Catalogue, source: str) -> list[str]:
    """Series codes of one source (:data:`SOURCES`) in the catalogue, incl. auxiliary.

    The codes are in the column :data:`CODE_COLUMNS` names; a table without that column
    (``gho_code`` before the catalogue has it) contributes none.
    """
    col = CODE_COLUMNS[source]
    frames = [f for f in (catalogue.indicators, catalogue.auxiliary) if col in f.columns]
    codes = {c.strip() for f in frames for v in f[col].astype(str) for c in v.split(";")}
    return sorted(c for c in codes if c and c.lower() != "nan")


def fetch(
    source: str = "all",
    out_dir: Path | str = DEFAULT_OUT,
    countries: str | list[str] = "all",
    series: list[str] | None = None,
    get: Getter | None = None,
    catalogue: Catalogue | None = None,
    start: int = 2000,
    end: int = 2025,
    clock: Callable[[], dt.datetime] = _now,
    log: Callable[[str], None] | None = None,
) -> FetchReport:
    """Download the catalogue's series for the member states.

    Parameters
    ----------
    source : {"wdi", "unsdg", "who_gho", "ilostat", "all"}
    out_dir : path
        Files go to ``out_dir/wdi``, ``out_dir/unsdg``, ``out_dir/who_gho`` and
        ``out_dir/ilostat``;
        ``mtr build --raw out_dir`` reads them.
    countries : "all" or ISO3 codes
        Member states to ask for (10 by default).
    series : list of str, optional
        Only these series codes (default: every code of the catalogue for the source).
    get : callable, optional
        ``get(url, timeout) -> bytes``; :func:`http_get` by default, recorded answers in
        tests.

    Returns
    -------
    FetchReport
        One :class:`Fetched` per series; failures carry the reason and never stop the
        other series, except that after :data:`MAX_NETWORK_FAILURES` consecutive network
        failures the remaining series are marked failed without trying.
    """
    if source not in (*SOURCES, "all"):
        raise ValueError(f"unknown source {source!r}; use one of: {', '.join(SOURCES)}, all")
    getter = get or http_get
    cat = catalogue or load_catalogue()
    iso3 = registry.parse_countries(countries)
    log = log or (lambda _msg: None)
    wanted = [s for s in SOURCES if source in (s, "all")]
    jobs = []
    for src in wanted:
        codes = catalogue_series(cat, src)
        if series:
            codes = [c for c in codes if c in series] + [
                c for c in series if c not in codes and (_looks_like(src, c) or source == src)
            ]
        jobs += [(src, c) for c in codes]
    funcs = {"wdi": fetch_wdi, "unsdg": fetch_unsdg, "who_gho": fetch_gho,
             "ilostat": fetch_ilostat}  # fmt: skip
    items: list[Fetched] = []
    network_failures = 0
    for src, code in jobs:
        if network_failures >= MAX_NETWORK_FAILURES:
            items.append(
                Fetched(src, code, "failed", message="skipped: no network (see the errors above)")
            )
            continue
        try:
            item = funcs[src](code, iso3, Path(out_dir), getter, start, end, clock)
            network_failures = 0
        except NetworkError as exc:
            network_failures += 1
            item = Fetched(src, code, "failed", message=str(exc))
        except FetchError as exc:
            network_failures = 0
            item = Fetched(src, code, "failed", message=str(exc))
        items.append(item)
        detail = f"{item.records} values → {item.path}" if item.status == "ok" else item.message
        log(f"{src} {code}: {item.status}: {detail}")
    return FetchReport(items)


def _looks_like(source: str, code: str) -> bool:
    """WDI codes use dots (``SH.STA.MMRT``), SDG codes underscores (``SH_STA_MORT``).

    A code asked for by name that the catalogue does not list goes to WDI (dots) or the
    SDG API (underscores) only: GHO codes (``NCDMORT3070``, ``MDG_0000000020``) cannot be
    told from SDG codes, so one is fetched from the GHO API only under ``--source
    who_gho`` (see :func:`fetch`).
    """
    if source in ("who_gho", "ilostat"):
        return False
    return ("." in code) if source == "wdi" else ("_" in code and "." not in code)
