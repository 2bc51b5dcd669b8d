import filecmp

import pandas as pd

from mtr_analysis import paths
from mtr_analysis.analysis import gaps
from mtr_analysis.intake import store
from mtr_analysis.intake.demo import DEMO_LABEL, write_demo
from mtr_analysis.reference.registry import iso3_codes


def test_regenerating_gives_identical_files(demo_raw, tmp_path):
    write_demo(tmp_path)
    a = sorted(p.relative_to(demo_raw) for p in demo_raw.rglob("*") if p.is_file())
    b = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert a == b and len(a) > 50
    match, mismatch, errors = filecmp.cmpfiles(
        demo_raw, tmp_path, [str(p) for p in a], shallow=False
    )
    assert mismatch == [] and errors == []


def test_every_demo_file_says_it_is_synthetic(demo_raw):
    for p in (demo_raw / "wdi").glob("*.csv"):
        assert DEMO_LABEL in p.read_text(encoding="utf-8-sig").splitlines()[0]
    from openpyxl import load_workbook

    xlsx = next((demo_raw / "national").glob("*.xlsx"))
    assert load_workbook(xlsx)["Data"]["B4"].value == DEMO_LABEL


def test_demo_store_is_flagged_demo_in_every_value(demo_store):
    obs = store.read_store(demo_store)
    assert store.is_demo(obs)
    assert obs["source"].str.contains("DEMO").all()


def test_demo_has_the_realistic_gaps(demo_store):
    obs = store.for_analysis(store.read_store(demo_store))
    avail = gaps.availability(obs, 2015, 2020, countries=iso3_codes(),
                              indicators=sorted(obs["indicator"].unique()))  # fmt: skip
    cats = set(avail["gap_category"])
    assert {"no_data", "single_point", "stale", "sufficient"} <= cats
    assert (avail["baseline_year"] >= 2018).any()  # no value near the baseline year
    assert avail["has_break"].any()  # national submission replaces WDI inside the window
    assert set(obs["country"]) == set(iso3_codes())  # Timor-Leste out of scope by default


def test_real_data_never_needed_for_demo(demo_raw):
    files = [p for p in demo_raw.rglob("*") if p.is_file()]
    assert not any(str(paths.SHARED_REAL_DIR) in p.read_text(errors="ignore") for p in files
                   if p.suffix == ".csv")  # fmt: skip
    assert pd.read_csv(next((demo_raw / "wdi").glob("*.csv")), skiprows=4).shape[0] == 18
