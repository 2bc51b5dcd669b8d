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
