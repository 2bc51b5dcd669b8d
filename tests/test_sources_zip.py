"""Zip downloads: each member detected, read and accounted as ``archive.zip!member``."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile

from mtr_analysis import paths
from mtr_analysis.intake.build import build, expand_archives, is_archive

ZIP = "wdi/zipped/API_SP.POP.TOTL_DS2_en_csv_v2_1217749.zip"
DATA = "API_SP.POP.TOTL_DS2_en_csv_v2_1217749.csv"


def test_real_world_bank_zip_members_are_accounted_as_their_own_files(real_dir, tmp_path):
    raw = tmp_path / "raw"
    (raw / "wdi").mkdir(parents=True)
    shutil.copy(real_dir / ZIP, raw / "wdi" / "pop.zip")
    out = tmp_path / "out"
    result = build([raw], out)
    intake = json.loads((out / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    files = {f["path"]: f for f in intake["files"]}
    assert set(files) == {
        f"wdi/pop.zip!{DATA}",
        f"wdi/pop.zip!Metadata_Indicator_{DATA}",
        f"wdi/pop.zip!Metadata_Country_{DATA}",
    }
    assert files[f"wdi/pop.zip!{DATA}"]["format"] == "wdi_csv"
    assert {files[f"wdi/pop.zip!Metadata_{k}_{DATA}"]["format"] for k in ("Indicator", "Country")
            } == {"wdi_metadata"}  # fmt: skip
    assert intake["unrecognised"] == [] and intake["unreadable"] == []
    assert all(f["raw_dir"] == str(raw) for f in files.values())
    data = files[f"wdi/pop.zip!{DATA}"]
    assert data["records_read"] == data["accepted"] + data["rejected"] + data["out_of_scope"]
    # Values equal the member's own cells (parsed independently from the zip).
    with zipfile.ZipFile(real_dir / ZIP) as zf:
        text = zf.read(DATA).decode("utf-8-sig")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('"Country Name"'))
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
    vnm = dict(zip(rows[0], next(r for r in rows if r[1] == "VNM")))
    obs = result.observations
    got = obs[obs["country"].eq("VNM") & obs["source_series"].eq("SP.POP.TOTL")]
    assert len(got) > 0 and set(got["file"]) == {f"wdi/pop.zip!{DATA}"}
    for r in got.itertuples():
        assert r.value == float(vnm[str(r.year)])
    assert got["source"].str.contains("2020-07-01").all()
    # The member's sha256 is the member's, not the archive's.
    import hashlib

    with zipfile.ZipFile(real_dir / ZIP) as zf:
        assert data["sha256"] == hashlib.sha256(zf.read(DATA)).hexdigest()


def test_unsafe_and_bookkeeping_members_are_skipped_and_xlsx_is_no_archive(tmp_path):
    z = tmp_path / "raw" / "a.zip"
    z.parent.mkdir()
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../evil.csv", "x")
        zf.writestr("__MACOSX/._d.csv", "x")
        zf.writestr("sub/", "")
        zf.writestr("sub/d.csv", "a,b\n")
    walk = expand_archives([(z, z.parent)], tmp_path / "work")
    assert [str(p.relative_to(root)) for p, root, _ in walk] == ["a.zip!sub/d.csv"]
    assert walk[0][2] == z.parent
    x = tmp_path / "book.xlsx"
    with zipfile.ZipFile(x, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
    assert is_archive(z) and not is_archive(x)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert not is_archive(broken)


def _member_state_cells(text: str) -> int:
    """Non-empty year cells of the ten member states in a WDI CSV (csv module)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('"Country Name"'))
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
    ams = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM"}
    return sum(1 for r in rows[1:] if len(r) > 4 and r[1] in ams for v in r[4:] if v.strip())


def test_validate_a_real_zip_explains_each_member(real_dir, capsys):
    from mtr_analysis.cli import main

    assert main(["validate", str(real_dir / ZIP)]) == 0
    out = capsys.readouterr().out.splitlines()
    name = ZIP.rsplit("/", 1)[1]
    assert out[0] == f"{name}: zip archive with 3 member(s) to check"
    for meta in ("Indicator", "Country"):
        assert (
            f"{name}!Metadata_{meta}_{DATA} (wdi_metadata): documentation of a download, "
            "no values to check"
        ) in out
    with zipfile.ZipFile(real_dir / ZIP) as zf:
        valid = _member_state_cells(zf.read(DATA).decode("utf-8-sig"))
    assert valid == 600  # 10 member states × 1960–2019, read straight from the member
    data_line = next(line for line in out if line.startswith(f"{name}!{DATA} (wdi_csv)"))
    assert f", {valid} valid, 0 problem(s)," in data_line


def _bomb(path, size: int) -> None:
    """A zip whose member inflates to ``size`` bytes of zeros (a few kB compressed)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("small.csv", "a,b\n1,2\n")
        with zf.open("huge.csv", "w") as fh:
            chunk = b"0" * 1_000_000
            for _ in range(size // len(chunk)):
                fh.write(chunk)


def test_oversized_member_is_rejected_naming_member_and_limit(tmp_path, monkeypatch, capsys):
    from mtr_analysis.intake import build as build_module
    from mtr_analysis.settings import default_settings

    # The limit's one home is methods.yaml (archives.max_member_mb, MB = 10**6 bytes).
    assert build_module.member_limit_bytes() == default_settings().archives.max_member_mb * 10**6
    raw = tmp_path / "raw"
    raw.mkdir()
    _bomb(raw / "archive.zip", 5_000_000)
    assert (raw / "archive.zip").stat().st_size < 50_000
    problems: dict = {}
    walk = expand_archives([(raw / "archive.zip", raw)], tmp_path / "w", problems, 2_000_000)
    names = {str(p.relative_to(root)): p for p, root, _ in walk}
    assert set(names) == {"archive.zip!small.csv", "archive.zip!huge.csv"}
    huge = names["archive.zip!huge.csv"]
    assert set(problems) == {huge} and huge.stat().st_size == 0  # nothing kept
    assert problems[huge] == (
        "not extracted: larger than the limit of 2 MB per archive member "
        "(archives.max_member_mb in config/methods.yaml); it declares 5,000,000 bytes "
        "uncompressed"
    )
    # A build accounts for the member as unreadable with that reason; mtr validate says it.
    monkeypatch.setattr(build_module, "member_limit_bytes", lambda settings=None: 2_000_000)
    build([raw], tmp_path / "out")
    intake = json.loads((tmp_path / "out" / paths.INTAKE_FILE).read_text(encoding="utf-8"))
    bad = {u["path"]: u["reason"] for u in intake["unreadable"]}
    assert bad == {"archive.zip!huge.csv": problems[huge]}
    from mtr_analysis.cli import DATA_PROBLEMS, main

    assert main(["validate", str(raw / "archive.zip")]) == DATA_PROBLEMS
    said = capsys.readouterr()
    assert f"archive.zip!huge.csv: {problems[huge]}" in said.out
    # The other member is still checked (an unknown two-column table: not data).
    assert "archive.zip!small.csv: not a readable data file" in said.err
