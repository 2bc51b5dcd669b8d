"""The shipped snapshot (data/snapshot) against the real downloads it was made from.

The member-state lists below are written out by hand (not taken from the code under test):
the 10 ASEAN Member States and Timor-Leste, by ISO3 and by M49 code.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from mtr_analysis import paths
from mtr_analysis.intake import snapshot

SNAP = paths.SNAPSHOT_DIR
ISO3 = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"}
M49 = {96, 116, 360, 418, 458, 104, 608, 702, 764, 704, 626}
MEMBERS_10 = ISO3 - {"TLS"}


def _snapshot_files(ext: str) -> list[Path]:
    return sorted(p for p in SNAP.rglob(f"*.{ext}") if p.is_file())


def _provenance_rows() -> dict[str, list[str]]:
    """File → cells of the "Files" table of data/snapshot/PROVENANCE.md."""
    text = (SNAP / paths.SNAPSHOT_PROVENANCE).read_text(encoding="utf-8")
    files = text.split("## Files", 1)[1].split("## Left out", 1)[0]
    rows = {}
    for line in files.splitlines():
        m = re.match(r"\| `([^`]+)` \|(.*)\|$", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def test_snapshot_is_under_15_mb():
    size = sum(p.stat().st_size for p in SNAP.rglob("*") if p.is_file())
    assert 0 < size < 15 * 1024 * 1024


def test_provenance_lists_every_file_with_a_licence():
    rows = _provenance_rows()
    shipped = {
        p.relative_to(SNAP).as_posix()
        for p in SNAP.rglob("*")
        if p.is_file() and p.name not in (paths.SNAPSHOT_PROVENANCE, paths.SNAPSHOT_MARKER)
    }
    assert shipped == set(rows)
    licences = {"CC BY 4.0", "CC BY-NC-SA 3.0 IGO"}
    for name, cells in rows.items():
        producer, _vintage, licence, _rows, sha = cells
        assert licence in licences or licence.startswith(("United Nations", "UNDP")), name
        assert re.fullmatch(r"`[0-9a-f]{64}`", sha), name
    text = (SNAP / paths.SNAPSHOT_PROVENANCE).read_text(encoding="utf-8")
    assert "Latest source vintage: **2026-07-13**" in text
    marker = json.loads((SNAP / paths.SNAPSHOT_MARKER).read_text(encoding="utf-8"))
    assert marker["vintage"] == "2026-07-13"


def test_provenance_hashes_are_the_originals(real_dir):
    import hashlib

    for name, cells in _provenance_rows().items():
        original = hashlib.sha256((real_dir / name).read_bytes()).hexdigest()
        assert cells[-1] == f"`{original}`", name


def _key_column(header: list[str]) -> tuple[int, str]:
    for col, kind in (("Country Code", "iso3"), ("iso3", "iso3"), ("REF_AREA", "iso3"),
                      ("ref_area", "iso3"), ("COUNTRY", "iso3"), ("GeoAreaCode", "m49")):  # fmt: skip
        if col in header:
            return header.index(col), kind
    raise AssertionError(f"no key column in {header}")


def test_csv_rows_are_original_lines_of_member_states_only(real_dir):
    checked = 0
    for path in _snapshot_files("csv"):
        rel = path.relative_to(SNAP)
        original = set((real_dir / rel).read_bytes().splitlines(keepends=True))
        data = path.read_bytes()
        for line in data.splitlines(keepends=True):
            assert line in original, f"{rel}: {line[:60]!r} is not a line of the original"
        if rel.name.startswith("Metadata_"):
            continue
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"))))
        at = next(i for i, r in enumerate(rows) if _key_column_or_none(r))
        key, kind = _key_column(rows[at])
        codes = {r[key] for r in rows[at + 1 :] if len(r) > key and r[key]}
        allowed = {str(c) for c in M49} if kind == "m49" else ISO3
        assert codes and codes <= allowed, f"{rel}: {codes - allowed}"
        checked += 1
    assert checked >= 40


def _key_column_or_none(row: list[str]) -> bool:
    try:
        _key_column(row)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize(
    "rel",
    [
        "wdi/api_indicator_more/API_SP.DYN.IMRT.IN_DS2_en_csv_v2_80621.csv",
        "wdi/api_indicator/API_SH.STA.SMSS.ZS_DS2_en_csv_v2_33860.csv",
    ],
)
def test_wdi_snapshot_keeps_every_member_row_of_the_raw_file(real_dir, rel):
    raw = pd.read_csv(real_dir / rel, skiprows=4, encoding="utf-8-sig")
    snap = pd.read_csv(SNAP / rel, skiprows=4, encoding="utf-8-sig")
    expected = raw.loc[raw["Country Code"].isin(ISO3)].reset_index(drop=True)
    assert sorted(snap["Country Code"]) == sorted(ISO3)
    pd.testing.assert_frame_equal(snap, expected)
    # The preamble (Data Source, Last Updated Date), BOM and CRLF line ends are kept.
    assert (SNAP / rel).read_bytes()[:200] == (real_dir / rel).read_bytes()[:200]


def test_databank_keeps_its_footer(real_dir):
    rel = "wdi/databank_asean_2026/yte-Data.csv"
    assert (SNAP / rel).read_bytes() == (real_dir / rel).read_bytes()  # 11 economies only


def test_json_snapshots_keep_member_records_only(real_dir):
    rel = "api/worldbank_v2/SP.POP.TOTL.json"
    raw = json.loads((real_dir / rel).read_text(encoding="utf-8"))
    snap = json.loads((SNAP / rel).read_text(encoding="utf-8"))
    assert snap[0] == raw[0]
    assert snap[1] == [r for r in raw[1] if r["countryiso3code"] in ISO3]
    assert {r["countryiso3code"] for r in snap[1]} == {"BRN", "KHM", "IDN"}
    rel = "unsdg/unstats_countryprofiles_2019Q2/Indicator_3.2.2_Series_SH_DYN_NMRT.json"
    snap = json.loads((SNAP / rel).read_text(encoding="utf-8"))
    assert {a["ISO3"] for a in snap["refAreas"]} == ISO3
    assert snap["release"] == "2019.Q2.G.01"


def test_xlsx_snapshot_keeps_member_rows(real_dir):
    rel = "unsdg/goal_exports/Flavio-Mangione/Goal5.xlsx"
    raw = pd.read_excel(real_dir / rel, sheet_name=None)
    snap = pd.read_excel(SNAP / rel, sheet_name=None)
    assert list(snap) == list(raw)
    for name, frame in raw.items():
        expected = frame.loc[frame["GeoAreaCode"].isin(M49)].reset_index(drop=True)
        pd.testing.assert_frame_equal(snap[name], expected, check_dtype=False)


# --------------------------------------------------------------------------------------
# Building from the snapshot: a few of its files, so that the test stays fast.

SUBSET = (
    "wdi/api_indicator_more/API_SP.DYN.IMRT.IN_DS2_en_csv_v2_80621.csv",
    "wdi/databank_asean_2026/yte-Data.csv",
    "unsdg/unstats_countryprofiles_2019Q2/Indicator_3.2.2_Series_SH_DYN_NMRT.json",
)


@pytest.fixture(scope="module")
def snapshot_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mtr_analysis.intake.build import build

    raw = tmp_path_factory.mktemp("snapshot_raw")
    for rel in (*SUBSET, paths.SNAPSHOT_MARKER):
        (raw / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SNAP / rel, raw / rel)
    out = tmp_path_factory.mktemp("snapshot_store")
    build([raw], out)
    return out


def test_build_from_snapshot_has_member_values_as_in_the_raw_files(snapshot_store, real_dir):
    obs = pd.read_parquet(snapshot_store / paths.OBSERVATIONS_FILE)
    for ind in ("b_imr", "b_life_expectancy", "b_nmr"):
        assert obs.loc[obs["indicator"] == ind, "country"].nunique() >= 8, ind
    raw = pd.read_csv(real_dir / SUBSET[0], skiprows=4, encoding="utf-8-sig")
    raw = raw.set_index("Country Code")["2019"]
    imr = obs.loc[(obs["indicator"] == "b_imr") & (obs["year"] == 2019)]
    assert set(imr["country"]) == MEMBERS_10
    for row in imr.itertuples():
        assert row.value == pytest.approx(raw[row.country]), row.country
    raw = pd.read_csv(real_dir / SUBSET[1]).set_index(["Series Code", "Country Code"])
    le = obs.loc[(obs["indicator"] == "b_life_expectancy") & (obs["year"] == 2020)]
    assert len(le) == 10
    for row in le.itertuples():
        expected = float(raw.loc[("SP.DYN.LE00.IN", row.country), "2020 [YR2020]"])
        assert row.value == pytest.approx(expected), row.country
    intake = json.loads((snapshot_store / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    assert intake["snapshot"] == {"vintage": "2026-07-13"}


@pytest.mark.parametrize(
    "lang, text",
    [
        ("en", "Public international data, snapshot of 2026-07-13; national submissions"),
        ("vi", "Dữ liệu quốc tế công khai, bản chụp ngày 2026-07-13"),
    ],
)
def test_report_from_snapshot_shows_snapshot_banner_not_demo(snapshot_store, lang, text):
    from mtr_analysis.analysis.review import load_review
    from mtr_analysis.reporting import html, i18n

    data = load_review(snapshot_store)
    for header in (html.regional_header(data, lang), html.country_header(data, "VNM", lang)):
        assert text in header
        assert 'class="mtr-snapshot"' in header
        assert "mtr-demo" not in header
        assert i18n.text("demo_banner", lang) not in header


def test_no_snapshot_banner_without_marker(tmp_path):
    from mtr_analysis.reporting import html

    (tmp_path / paths.INTAKE_FILE).write_text('{"snapshot": null, "files": []}', "utf-8")
    assert html.data_banner_html(False, tmp_path) == ""
    assert "mtr-demo" in html.data_banner_html(True, tmp_path)


def test_snapshot_of_needs_every_folder_to_be_a_snapshot(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / paths.SNAPSHOT_MARKER).write_text('{"vintage": "2025-01-02"}', "utf-8")
    assert snapshot.snapshot_of([tmp_path / "a"]) == {"vintage": "2025-01-02"}
    # A second folder (e.g. national workbooks): national submissions may be included.
    assert snapshot.snapshot_of([tmp_path / "a", tmp_path / "b"]) is None


# --------------------------------------------------------------------------------------
# mtr snapshot on a small source folder


def test_make_snapshot_on_a_small_folder(real_dir, tmp_path):
    src = tmp_path / "src"
    rel = "wdi/api_indicator/API_SP.URB.TOTL.IN.ZS_DS2_en_csv_v2_33901.csv"
    (src / "wdi").mkdir(parents=True)
    shutil.copy(real_dir / rel, src / "wdi" / "urban.csv")
    (src / "notes.md").write_text("# notes\n", "utf-8")
    out = tmp_path / "snap"
    result = snapshot.make_snapshot(src, out)
    assert result.vintage == "2026-07-13"
    lines = (out / "wdi" / "urban.csv").read_bytes().splitlines(keepends=True)
    assert len(lines) == 5 + 11  # preamble (4 lines), header, 10 members and Timor-Leste
    text = (out / paths.SNAPSHOT_PROVENANCE).read_text("utf-8")
    assert "| `wdi/urban.csv` | World Bank, World Development Indicators | 2026-07-13 |" in text
    assert "| 11 / 265 |" in text
    assert "`notes.md` | documentation" in text
    assert not (out / "notes.md").exists()
    # Refreshing replaces the previous snapshot; any other non-empty folder is refused.
    snapshot.make_snapshot(src, out)
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine", "utf-8")
    with pytest.raises(ValueError, match="not a snapshot folder"):
        snapshot.make_snapshot(src, other)
    assert (other / "keep.txt").read_text("utf-8") == "mine"


def test_cli_snapshot_missing_source(tmp_path, capsys):
    from mtr_analysis.cli import main

    assert main(["snapshot", "--from", str(tmp_path / "nope"), "--out", str(tmp_path / "s")]) == 2
    assert "source folder" in capsys.readouterr().err


def test_index_page_shows_the_snapshot_banner(tmp_path):
    """The run's index page carries the same banner as its reports (demo banner wins)."""
    from mtr_analysis.run.index import write_index
    from mtr_analysis.run.results import RunSummary

    page = write_index(RunSummary("mid-term", tmp_path, snapshot="2026-07-13"), "t", "en")
    text = page.read_text(encoding="utf-8")
    assert "snapshot of 2026-07-13; national submissions not included" in text
    demo = write_index(RunSummary("mid-term", tmp_path, demo=True, snapshot="x"), "t", "en")
    assert "snapshot of x" not in demo.read_text(encoding="utf-8")
    plain = write_index(RunSummary("mid-term", tmp_path), "t", "en")
    assert "national submissions" not in plain.read_text(encoding="utf-8")
