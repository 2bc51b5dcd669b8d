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


def _ordered_pairs() -> list[tuple[str, str]]:
    from mtr_analysis.settings import default_settings

    pairs = list(default_settings().plausibility.ordering)
    assert ("b_nmr", "b_imr") in pairs and ("b_imr", "b_u5mr") in pairs
    return pairs


def test_demo_wdi_files_respect_the_orderings(demo_raw):
    """Read the demo CSVs directly (every economy, every year): NMR < IMR < U5MR."""
    from mtr_analysis.reference.catalogue import load_catalogue

    codes = load_catalogue().indicators["wdi_code"]

    def table(ind: str) -> pd.DataFrame:
        path = demo_raw / "wdi" / paths.DEMO_WDI_PATTERN.format(code=codes[ind])
        wide = pd.read_csv(path, skiprows=4, encoding="utf-8-sig").set_index("Country Code")
        years = [c for c in wide.columns if c.isdigit()]
        return wide[years].stack().rename(ind)

    compared = 0
    for lower, upper in _ordered_pairs():
        both = pd.concat([table(lower), table(upper)], axis=1, join="inner").dropna()
        assert (both[lower] < both[upper]).all(), both.loc[both[lower] >= both[upper]]
        compared += len(both)
    assert compared > 300


def test_demo_store_respects_the_orderings_in_every_country_year(demo_store):
    """Every source (WDI files, the national workbook) and the values selected for analysis."""
    obs = store.read_store(demo_store)
    obs = obs.assign(kind=obs["file"].str.split("/").str[0])
    selected = store.for_analysis(obs).assign(kind="selected")
    checked = 0
    for lower, upper in _ordered_pairs():
        for frame in (obs, selected):
            keys = ["country", "year", "kind"]
            lo = frame.loc[frame["indicator"] == lower, [*keys, "value"]]
            up = frame.loc[frame["indicator"] == upper, [*keys, "value"]]
            both = lo.merge(up, on=keys, suffixes=("_lo", "_up"))
            bad = both.loc[both["value_lo"] > both["value_up"]]
            assert bad.empty, f"{lower} above {upper}:\n{bad}"
            checked += len(both)
    national = obs.loc[obs["kind"] == "national", "indicator"]
    assert checked > 300 and national.isin([i for p in _ordered_pairs() for i in p]).any()
