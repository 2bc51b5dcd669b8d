"""Fingerprints behind the report cache (:mod:`mtr_analysis.run.cache`)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from mtr_analysis import provenance
from mtr_analysis.intake import store
from mtr_analysis.run import cache


def test_frame_hash_ignores_row_and_column_order_but_not_values():
    a = pd.DataFrame({"x": [1.0, 2.0, float("nan")], "y": ["a", "b", "c"]})
    assert provenance.frame_hash(a) == provenance.frame_hash(a.iloc[::-1][["y", "x"]])
    b = a.copy()
    b.loc[0, "x"] = 1.5
    assert provenance.frame_hash(a) != provenance.frame_hash(b)
    assert provenance.frame_hash(a) != provenance.frame_hash(a.rename(columns={"y": "z"}))


def test_country_hashes_change_only_for_the_changed_country(demo_store):
    obs = store.read_store(demo_store)
    intake = provenance.read_intake(demo_store)
    before = provenance.country_data_hashes(obs, intake)
    assert set(before) >= {"VNM", "THA", "LAO"} and len(set(before.values())) == len(before)
    changed = obs.copy()
    row = changed.index[changed["country"].eq("THA")][0]
    changed.loc[row, "value"] = float(changed.loc[row, "value"]) + 1
    after = provenance.country_data_hashes(changed, intake)
    assert after["THA"] != before["THA"]
    assert {k: v for k, v in after.items() if k != "THA"} == {
        k: v for k, v in before.items() if k != "THA"
    }
    # Shuffling the store's rows changes nothing.
    assert provenance.country_data_hashes(obs.sample(frac=1, random_state=1), intake) == before


def test_country_hash_covers_the_intake_record_of_its_files(demo_store):
    obs = store.read_store(demo_store)
    intake = provenance.read_intake(demo_store)
    national = next(r for r in intake if r["path"].startswith("national/VNM"))
    edited = [dict(r, sha256="0" * 64) if r is national else r for r in intake]
    before = provenance.country_data_hashes(obs, intake, ["VNM", "THA"])
    after = provenance.country_data_hashes(obs, edited, ["VNM", "THA"])
    assert after["VNM"] != before["VNM"] and after["THA"] == before["THA"]
    assert provenance.country_data_hashes(obs, intake, ["BRN"]).keys() == {"BRN"}


def test_code_hash_tracks_package_files(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.j2").write_text("{{ x }}")
    (tmp_path / "notes.txt").write_text("ignored")
    first = provenance.code_hash(tmp_path)
    (tmp_path / "notes.txt").write_text("still ignored")
    assert provenance.code_hash(tmp_path) == first
    (tmp_path / "templates" / "t.j2").write_text("{{ y }}")
    assert provenance.code_hash(tmp_path) != first


def test_cache_key_is_canonical():
    assert cache.cache_key({"a": 1, "b": [1, 2]}) == cache.cache_key({"b": [1, 2], "a": 1})
    assert cache.cache_key({"a": 1}) != cache.cache_key({"a": 2})


def test_records_round_trip(tmp_path):
    path = cache.write_record(tmp_path / "c" / "VNM.json", {"key": "k", "result": {"x": 1}})
    assert cache.read_record(path) == {"key": "k", "result": {"x": 1}}
    path.write_text("{broken")
    assert cache.read_record(path) is None
    assert cache.read_record(tmp_path / "none.json") is None


def test_package_versions_and_git_commit(tmp_path):
    versions = provenance.package_versions()
    assert versions["python"].count(".") == 2 and versions["pandas"] == pd.__version__
    assert provenance.package_versions(("surely-not-installed-pkg",))[
        "surely-not-installed-pkg"
    ] == ("not installed")
    assert provenance.git_commit(tmp_path) == "unknown"  # not a repository


def test_store_hashes(demo_store, tmp_path):
    hashes = provenance.store_hashes(demo_store)
    assert set(hashes) == {"observations.parquet", "intake.json"}
    assert hashes["intake.json"] == provenance.file_sha256(demo_store / "intake.json")
    assert provenance.store_hashes(tmp_path) == {}


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        (["WDI, updated 2025-07-01", "WDI (DEMO), updated 2026-01-01"], "2026-01-01"),
        (["GSO, vintage 2024"], "2024"),
        (["UN SDG Global Database, release 2019.Q2.G.01"], "2019.Q2.G.01"),
        (["no date here"], ""),
    ],
)
def test_source_vintage(sources, expected):
    assert provenance.source_vintage(sources) == expected


def test_read_intake(demo_store, tmp_path):
    assert provenance.read_intake(tmp_path) == []
    files = provenance.read_intake(demo_store)
    raw = json.loads((demo_store / "intake.json").read_text(encoding="utf-8"))["files"]
    assert files == raw


def test_country_hashes_equal_the_hash_of_each_countrys_rows(demo_store):
    """By definition: SHA-256 over frame_hash of the country's rows alone, then the intake
    records of the files they came from (the function hashes the store in one pass)."""
    obs = store.read_store(demo_store)
    intake = provenance.read_intake(demo_store)
    by_file = {r["path"]: r for r in intake}
    got = provenance.country_data_hashes(obs, intake, countries=["VNM", "THA", "SGP", "XXX"])
    for country, digest in got.items():
        rows = obs.loc[obs["country"].astype(str) == country]
        records = [by_file[f] for f in sorted(set(rows["file"].astype(str))) if f in by_file]
        want = hashlib.sha256(provenance.frame_hash(rows).encode())
        want.update(json.dumps(records, sort_keys=True, ensure_ascii=False).encode())
        assert digest == want.hexdigest(), country
