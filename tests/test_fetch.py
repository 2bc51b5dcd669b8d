"""``mtr fetch`` against recorded (synthetic) API answers; the network is never touched."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import urllib.parse
from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis import paths
from mtr_analysis.cli import main
from mtr_analysis.intake import fetch
from mtr_analysis.intake.build import build

FIXTURES = Path(__file__).parent / "fixtures" / "fetch"
CLOCK = dt.datetime(2026, 11, 22, 8, 30, 0, tzinfo=dt.UTC)
HTTP_GET = fetch.http_get  # the real getter, before the guard below replaces it


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any real HTTP call in these tests is a bug."""

    def refuse(url, timeout=None):  # pragma: no cover - only runs if a test is wrong
        raise AssertionError(f"test tried to reach the network: {url}")

    monkeypatch.setattr(fetch, "http_get", refuse)
    monkeypatch.setattr("urllib.request.urlopen", refuse)


class Replay:
    """An HTTP getter that answers from tests/fixtures/fetch and records the URLs asked."""

    def __init__(self, fail: dict[str, Exception] | None = None):
        self.urls: list[str] = []
        self.fail = fail or {}

    def __call__(self, url: str, timeout: float) -> bytes:
        self.urls.append(url)
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qs(parts.query)
        page = query.get("page", ["1"])[0]
        if parts.netloc == "api.worldbank.org":
            code = urllib.parse.unquote(parts.path.rsplit("/", 1)[1])
            name = f"wb_{code}_page{page}.json"
        else:
            code = query["seriesCode"][0]
            name = f"sdg_{code}_page{page}.json"
        if code in self.fail:
            raise self.fail[code]
        path = FIXTURES / name
        if not path.exists():
            raise fetch.FetchError(f"{url}: HTTP 404 Not Found")
        return path.read_bytes()


def _run(tmp_path, getter, source="all", series=None, countries="VNM,THA"):
    return fetch.fetch(
        source=source,
        out_dir=tmp_path / "fetched",
        countries=countries,
        series=series,
        get=getter,
        clock=lambda: CLOCK,
    )


def test_urls_follow_the_documented_apis():
    url = fetch.wdi_url("SH.STA.MMRT", ["BRN", "VNM"], 2000, 2025)
    assert url.startswith("https://api.worldbank.org/v2/country/BRN;VNM/indicator/SH.STA.MMRT?")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert q["format"] == ["json"] and q["date"] == ["2000:2025"] and q["per_page"] == ["20000"]
    url = fetch.sdg_url("SH_STA_MORT", [96, 704])
    parts = urllib.parse.urlsplit(url)
    assert parts.netloc == "unstats.un.org" and parts.path == "/sdgapi/v1/sdg/Series/Data"
    q = urllib.parse.parse_qs(parts.query)
    assert q["seriesCode"] == ["SH_STA_MORT"] and q["areaCode"] == ["96", "704"]


def test_wdi_series_written_as_wdi_download_with_provenance(tmp_path):
    getter = Replay()
    report = _run(tmp_path, getter, source="wdi", series=["SH.STA.MMRT"])
    (item,) = report.items
    assert item.status == "ok" and item.records == 4  # the null value is not a value
    assert len(getter.urls) == 2  # both pages were asked for
    assert "country/VNM;THA/indicator/SH.STA.MMRT" in getter.urls[0]
    text = item.path.read_text(encoding="utf-8-sig")
    assert '"Last Updated Date","2025-07-01"' in text
    rows = {r[1]: r for r in csv.reader(text.splitlines()) if len(r) > 4}
    header = rows["Country Code"]
    vnm = dict(zip(header, rows["VNM"]))
    assert vnm["2021"] == "111.1" and vnm["2020"] == "122.2" and vnm["2019"] == ""
    assert dict(zip(header, rows["THA"]))["2020"] == "44"
    side = json.loads(Path(str(item.path) + ".provenance.json").read_text(encoding="utf-8"))
    assert side["sha256"] == hashlib.sha256(item.path.read_bytes()).hexdigest()
    assert side["url"] == getter.urls[0] and side["urls"] == getter.urls
    assert side["retrieved_at"] == "2026-11-22T08:30:00Z"
    assert side["vintage"] == "2025-07-01" and side["source"] == "World Bank Indicators API v2"


def test_fetched_files_build_into_the_store_with_their_values(tmp_path):
    report = _run(
        tmp_path,
        Replay(),
        series=["SH.STA.MMRT", "SI.POV.DDAY", "SH_STA_MORT", "SN_ITK_DEFC"],
    )
    assert report.ok and {i.status for i in report.items} == {"ok"}
    out = tmp_path / "store"
    result = build([tmp_path / "fetched"], out)
    intake = json.loads((out / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    assert intake["unrecognised"] == [] and intake["unreadable"] == []
    sidecars = [f for f in intake["files"] if f["path"].endswith(".provenance.json")]
    assert sidecars and {f["format"] for f in sidecars} == {"provenance"}
    obs = result.observations
    wdi = obs[obs["source"].str.contains("updated 2025-07-01")]
    got = dict(zip(zip(wdi["country"], wdi["indicator"], wdi["year"]), wdi["value"]))
    assert got[("VNM", "b_mmr", 2021)] == 111.1 and got[("THA", "b_mmr", 2020)] == 44.0
    pov = wdi[wdi["indicator"].eq("b_poverty_intl")]
    assert set(pov["source_series"]) == {"SI.POV.DDAY ($3.00, 2021 PPP)"}
    sdg = obs[obs["source_series"].isin(["SH_STA_MORT", "SN_ITK_DEFC"])]
    sdg_values = dict(zip(zip(sdg["source_series"], sdg["country"], sdg["sex"]), sdg["value"]))
    assert sdg_values[("SH_STA_MORT", "VNM", "total")] == 99.9
    assert sdg_values[("SN_ITK_DEFC", "VNM", "female")] == 7.7
    brn = sdg[sdg["country"].eq("BRN")].iloc[0]
    assert brn["value"] == 2.5 and brn["flag"] == "censored_lt"
    # The SDG export has no release date: the retrieval date of the sidecar stands in.
    assert sdg["source"].str.endswith("retrieved 2026-11-22").all()


def test_api_error_and_empty_answer_are_reported_and_others_continue(tmp_path):
    report = _run(tmp_path, Replay(), source="wdi", series=["NO.SUCH.CODE", "SH.DYN.NMRT",
                                                             "SH.STA.MMRT"])  # fmt: skip
    status = {i.series: i for i in report.items}
    assert status["NO.SUCH.CODE"].status == "failed"
    assert "World Bank API error: 120 Invalid value" in status["NO.SUCH.CODE"].message
    assert status["SH.DYN.NMRT"].status == "empty" and status["SH.DYN.NMRT"].path is None
    assert status["SH.STA.MMRT"].status == "ok"
    assert not report.ok
    assert not list((tmp_path / "fetched").rglob("*NO.SUCH*"))


def test_network_errors_give_a_clear_message_and_stop_after_repeated_failures(tmp_path):
    down = fetch.NetworkError("https://api.worldbank.org/...: network error (timed out)")
    fail = {c: down for c in ("SH.DYN.NMRT", "SH.IMM.IDPT", "SH.STA.MMRT")}
    getter = Replay(fail=fail)
    series = ["SH.DYN.NMRT", "SH.IMM.IDPT", "SH.STA.MMRT", "SI.POV.DDAY", "NO.SUCH.CODE"]
    report = _run(tmp_path, getter, source="wdi", series=series)
    assert [i.series for i in report.items] == series
    assert len(report.items) == 5
    assert len(getter.urls) == fetch.MAX_NETWORK_FAILURES  # no point hammering a dead line
    assert all(i.status == "failed" for i in report.items)
    assert "network error (timed out)" in report.items[0].message
    assert report.items[-1].message.startswith("skipped: no network")


def test_one_network_failure_does_not_stop_the_next_series(tmp_path):
    down = fetch.NetworkError("network error (connection reset)")
    report = _run(tmp_path, Replay(fail={"SH.STA.MMRT": down}), source="wdi",
                  series=["SH.STA.MMRT", "SI.POV.DDAY"])  # fmt: skip
    assert [i.status for i in report.items] == ["failed", "ok"]


def test_http_get_turns_url_errors_into_network_errors(monkeypatch):
    import urllib.error

    def offline(req, timeout):
        assert timeout == 1.0
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(fetch.NetworkError, match="network error .*name resolution.*internet"):
        HTTP_GET("https://api.worldbank.org/v2/x", 1.0)


def test_cli_fetch_exits_non_zero_when_a_series_failed(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fetch, "http_get", Replay())
    code = main(["fetch", "--source", "wdi", "--series", "SH.STA.MMRT,NO.SUCH.CODE",
                 "--countries", "VNM,THA", "--out", str(tmp_path / "f")])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert "1 series written" in captured.out and "1 failed" in captured.out
    assert "FAILED wdi NO.SUCH.CODE" in captured.err
    code = main(["fetch", "--source", "wdi", "--series", "SH.STA.MMRT",
                 "--countries", "VNM", "--out", str(tmp_path / "g")])  # fmt: skip
    assert code == 0


def test_catalogue_series_lists_every_code_of_the_source():
    from mtr_analysis.reference.catalogue import load_catalogue

    cat = load_catalogue()
    wdi = fetch.catalogue_series(cat, "wdi")
    sdg = fetch.catalogue_series(cat, "unsdg")
    cells = pd.concat([cat.indicators, cat.auxiliary])["wdi_code"].astype(str)
    expected = {c.strip() for cell in cells for c in cell.split(";") if c.strip()}
    assert set(wdi) == expected and "SP.POP.TOTL" in wdi
    assert "SH_STA_MORT" in sdg and all("." not in c for c in sdg)


# --------------------------------------------------------------------------------------
# Real API answers (../shared/data/real/api) replayed as the server's responses

WB_REAL = "api/worldbank_v2/SP.POP.TOTL.json"
GHO_REAL = "api/who_gho_odata/NCDMORT3070.json"


def test_real_world_bank_answer_is_paged_and_keeps_lastupdated_and_nulls(real_dir, tmp_path):
    """The real page 1 (pages: 2) is served for page 1; page 2 is an empty page, so the
    pagination is followed and the values written equal the real page's values."""
    real = json.loads((real_dir / WB_REAL).read_text(encoding="utf-8"))
    page2 = json.dumps([{**real[0], "page": 2}, []]).encode()
    urls: list[str] = []

    def get(url, timeout):
        urls.append(url)
        page = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["page"][0]
        return (real_dir / WB_REAL).read_bytes() if page == "1" else page2

    report = _run(tmp_path, get, source="wdi", series=["SP.POP.TOTL"], countries="BRN,KHM,IDN")
    (item,) = report.items
    assert item.status == "ok" and len(urls) == 2
    expected = {(r["countryiso3code"], r["date"]): r["value"] for r in real[1]
                if r["countryiso3code"] in {"BRN", "KHM", "IDN"}
                and 2000 <= int(r["date"]) <= 2025}  # fmt: skip
    nulls = [k for k, v in expected.items() if v is None]
    assert item.records == len(expected) - len(nulls)
    text = item.path.read_text(encoding="utf-8-sig")
    assert '"Last Updated Date","2026-02-24"' in text
    rows = {r[1]: r for r in csv.reader(text.splitlines()) if len(r) > 4}
    header = rows["Country Code"]
    for (iso, year), value in expected.items():
        cell = dict(zip(header, rows[iso]))[year]
        assert cell == ("" if value is None else str(value))
    side = json.loads(Path(str(item.path) + ".provenance.json").read_text(encoding="utf-8"))
    assert side["vintage"] == "2026-02-24" and side["urls"] == urls


def test_saved_world_bank_answer_and_fetched_file_give_the_same_values(real_dir, tmp_path):
    """One home for API v2 parsing: the saved answer (wb_api reader) and what fetch wrote
    (WDI reader) build into the same values for the same countries and years."""
    from mtr_analysis.intake.sources import wb_api, wdi

    real = (real_dir / WB_REAL).read_bytes()
    page2 = json.dumps([{"page": 2, "pages": 2}, []]).encode()

    def get(url, timeout):
        return real if "page=1" in url else page2

    (item,) = _run(tmp_path, get, source="wdi", series=["SP.POP.TOTL"], countries="KHM").items
    saved = wb_api.read(real_dir / WB_REAL, real_dir)
    saved = saved[saved["country"].eq("KHM") & saved["year"].between(2000, 2025)]
    written = wdi.read(item.path, item.path.parent)
    written = written[written["country"].eq("KHM") & written["year"].notna()]
    a = dict(zip(saved["year"].astype(int), saved["raw"].astype(float)))
    b = dict(zip(written["year"].astype(int), written["raw"].astype(float)))
    assert a == b and len(a) > 20


def test_real_gho_odata_answer_is_fetched_written_and_builds(real_dir, tmp_path):
    real = json.loads((real_dir / GHO_REAL).read_text(encoding="utf-8"))
    mine = [v for v in real["value"] if v["SpatialDim"] in ("VNM", "THA")]
    # Two pages: the server's next link is followed.
    first = {
        "@odata.context": real["@odata.context"],
        "value": mine[:5],
        "@odata.nextLink": "https://ghoapi.azureedge.net/api/NCDMORT3070?$skip=5",
    }
    second = {"@odata.context": real["@odata.context"], "value": mine[5:]}  # fmt: skip
    urls: list[str] = []

    def get(url, timeout):
        urls.append(url)
        return json.dumps(second if "$skip=5" in url else first).encode()

    report = _run(tmp_path, get, source="who_gho", series=["NCDMORT3070"])
    (item,) = report.items
    assert item.status == "ok" and len(urls) == 2
    assert urls[0] == (
        "https://ghoapi.azureedge.net/api/NCDMORT3070?$filter=SpatialDim+in+('VNM','THA')"
    )
    in_window = [v for v in mine if 2000 <= v["TimeDim"] <= 2025]
    assert item.records == len(in_window) and item.path.name == "GHO_NCDMORT3070.json"
    side = json.loads(Path(str(item.path) + ".provenance.json").read_text(encoding="utf-8"))
    assert side["vintage"] == max(v["Date"][:10] for v in in_window)
    assert side["sha256"] == hashlib.sha256(item.path.read_bytes()).hexdigest()
    out = tmp_path / "store"
    build([tmp_path / "fetched"], out)
    intake = json.loads((out / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    assert intake["unrecognised"] == [] and intake["unreadable"] == []
    (f,) = [f for f in intake["files"] if f["path"] == "who_gho/GHO_NCDMORT3070.json"]
    assert f["format"] == "who_gho" and f["records_read"] == len(in_window)


def test_gho_error_answer_and_catalogue_column(tmp_path):
    def get(url, timeout):
        return b'{"error": {"code": "404", "message": "Resource not found for the segment"}}'

    (item,) = _run(tmp_path, get, source="who_gho", series=["NO_SUCH"]).items
    assert item.status == "failed"
    assert "WHO GHO API error: Resource not found for the segment" in item.message
    import copy

    from mtr_analysis.reference.catalogue import load_catalogue

    cat = copy.deepcopy(load_catalogue())  # never change the shared catalogue
    if "gho_code" not in cat.indicators.columns:  # before the catalogue gains the column
        assert fetch.catalogue_series(cat, "who_gho") == []
    cat.indicators["gho_code"] = ""
    cat.indicators.iloc[0, cat.indicators.columns.get_loc("gho_code")] = "NCDMORT3070; X_1"
    assert {"NCDMORT3070", "X_1"} <= set(fetch.catalogue_series(cat, "who_gho"))


def test_ilostat_answer_is_checked_written_as_bulk_csv_and_builds(real_dir, tmp_path):
    """The ILO data API answers with the bulk CSV: the real file's VNM/THA rows stand in."""
    lines = (real_dir / "ilo/SDG_0831_SEX_ECO_RT_A.csv").read_text(encoding="utf-8-sig")
    rows = lines.splitlines()
    answer = "\n".join([rows[0], *(r for r in rows[1:] if r[:4] in ("VNM,", "THA,"))]) + "\n"
    urls: list[str] = []

    def get(url, timeout):
        urls.append(url)
        return answer.encode()

    (item,) = _run(tmp_path, get, source="ilostat", series=["SDG_0831_SEX_ECO_RT"]).items
    assert item.status == "ok" and item.path.name == "ILO_SDG_0831_SEX_ECO_RT_A.csv"
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(urls[0]).query)
    assert q["id"] == ["SDG_0831_SEX_ECO_RT_A"] and q["ref_area"] == ["VNM THA"]
    assert q["type"] == ["code"] and q["format"] == [".csv"]
    assert item.path.read_text(encoding="utf-8") == answer
    parsed = list(csv.DictReader(io.StringIO(answer)))
    totals = {(r["ref_area"], r["time"], r["sex"]) for r in parsed
              if r["classif1"].endswith("_TOTAL") and r["sex"] != "SEX_O"
              and r["obs_value"]}  # fmt: skip
    # plus the non-agricultural item, read as its own series (ilostat.SERIES_ITEMS)
    non_agri = [r for r in parsed if r["classif1"] == "ECO_AGNAG_NAG" and r["sex"] != "SEX_O"
                and r["obs_value"]]  # fmt: skip
    assert item.records == len(totals) + len(non_agri)
    side = json.loads(Path(str(item.path) + ".provenance.json").read_text(encoding="utf-8"))
    assert side["sha256"] == hashlib.sha256(answer.encode()).hexdigest()
    build([tmp_path / "fetched"], tmp_path / "store")
    intake = json.loads((tmp_path / "store" / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    (f,) = [f for f in intake["files"] if f["path"].endswith("ILO_SDG_0831_SEX_ECO_RT_A.csv")]
    assert f["format"] == "ilostat"
    assert f["records_read"] == sum(1 for r in parsed if r["obs_value"])  # empty: no value


def test_ilostat_html_answer_is_a_clear_failure(tmp_path):
    def get(url, timeout):
        return b"<html><body>Service unavailable</body></html>"

    (item,) = _run(tmp_path, get, source="ilostat", series=["X_RT"]).items
    assert item.status == "failed" and "not an ILOSTAT CSV" in item.message
    assert "<html>" in item.message and not list((tmp_path / "fetched").rglob("*.csv*"))
