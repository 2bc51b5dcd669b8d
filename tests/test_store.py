"""Source priority, vintages, poverty lines, conflicts and revisions in the store."""

from __future__ import annotations

import csv
from dataclasses import replace

import pandas as pd
import pytest
import yaml

from mtr_analysis import paths
from mtr_analysis.cli import main
from mtr_analysis.intake import store
from mtr_analysis.intake.build import build
from mtr_analysis.intake.schema import conform

WB_OLD = "World Bank World Development Indicators, updated 2023-09-19"
WB_NEW = "World Bank World Development Indicators, updated 2026-07-13"
SDG = "UN SDG Global Database, release 2024.Q2.G.01"
NAT = "National submission VNM: GSO"


def _obs(rows):
    """Observations from (country, indicator, year, value, source[, source_series]) tuples."""
    df = pd.DataFrame(
        [
            {"country": r[0], "indicator": r[1], "year": r[2], "value": r[3], "source": r[4],
             "source_series": r[5] if len(r) > 5 else "X", "file": f"f{i}.csv",
             "locator": f"line {i}"}
            for i, r in enumerate(rows)
        ]
    )  # fmt: skip
    return conform(df).drop(columns="selected")


def _chosen(obs):
    sel = obs.loc[obs["selected"]]
    return dict(zip(zip(sel["country"], sel["indicator"], sel["year"]), sel["source"]))


def test_national_first_then_newest_vintage():
    obs = store.select(_obs([
        ("VNM", "b_mmr", 2019, 46.0, NAT), ("VNM", "b_mmr", 2019, 52.0, WB_NEW),
        ("VNM", "b_mmr", 2019, 134.0, WB_OLD), ("VNM", "b_mmr", 2019, 50.0, SDG),
        ("THA", "b_mmr", 2019, 30.0, WB_OLD), ("THA", "b_mmr", 2019, 29.0, WB_NEW),
        ("THA", "b_mmr", 2018, 31.0, WB_OLD),
    ]))  # fmt: skip
    assert _chosen(obs) == {
        ("VNM", "b_mmr", 2019): NAT,
        ("THA", "b_mmr", 2019): WB_NEW,  # the newer vintage replaces the older ...
        ("THA", "b_mmr", 2018): WB_OLD,  # ... which stays where it is the only value
    }
    assert len(obs) == 7 and obs["selected"].sum() == 3  # every value is kept


def test_priority_is_configurable_by_list_and_by_file(tmp_path):
    obs = _obs([("VNM", "b_mmr", 2019, 46.0, NAT), ("VNM", "b_mmr", 2019, 52.0, WB_NEW),
                ("VNM", "b_mmr", 2019, 50.0, SDG)])  # fmt: skip
    assert set(_chosen(store.select(obs, store.load_priority("wdi,national"))).values()) == {WB_NEW}
    yaml_file = tmp_path / "p.yaml"
    yaml_file.write_text("priority: [unsdg, national]\ntolerance: 0.1\n", encoding="utf-8")
    p = store.load_priority(yaml_file)
    assert p.order == ("unsdg", "national") and p.tolerance == 0.1
    assert set(_chosen(store.select(obs, p)).values()) == {SDG}
    # The shipped file is the default: read it here without the module's parser.
    shipped = yaml.safe_load(paths.PRIORITY_FILE.read_text(encoding="utf-8"))
    assert store.load_priority().order == tuple(shipped["priority"])
    assert p.kinds == tuple((k["kind"], k["pattern"]) for k in shipped["kinds"])  # inherited
    assert p.revision_tolerance == shipped["revision_tolerance"]
    with pytest.raises(ValueError, match="unknown source kind.*'census'"):
        store.load_priority("national,census")
    bad = tmp_path / "bad.yaml"
    bad.write_text("priority: [national]\ntolerance: 5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="tolerance must be a number in"):
        store.load_priority(bad)


def test_shipped_priority_file_must_give_every_key(tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("priority: national\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'priority' must be a list"):
        store.load_priority(bad)
    partial = tmp_path / "source_priority.yaml"
    partial.write_text("priority: [national, wdi]\ntolerance: 0.05\n", encoding="utf-8")
    monkeypatch.setattr(store, "PRIORITY_FILE", partial)
    store.default_priority.cache_clear()
    try:
        with pytest.raises(ValueError, match="missing 'kinds', 'revision_tolerance'"):
            store.default_priority()
    finally:
        store.default_priority.cache_clear()


def test_source_kinds_are_read_from_source_text():
    kinds = store.source_kind(pd.Series([NAT, "DEMO national submission VNM: x", WB_OLD, SDG,
                                         "ASEANstats", "UNDP HDR 2023/24", "International Labour "
                                         "Organization", "WHO Global Health Observatory, CSV "
                                         "export", "Eurostat"]))  # fmt: skip
    assert kinds.tolist() == ["national", "national", "wdi", "unsdg", "asean", "hdr", "ilo",
                              "who", "other"]  # fmt: skip


def test_poverty_lines_are_never_spliced():
    old, new = "SI.POV.DDAY ($2.15, 2017 PPP)", "SI.POV.DDAY ($3.00, 2021 PPP)"
    obs = store.select(_obs([
        ("THA", "b_poverty_intl", 2018, 0.1, WB_OLD, old),
        ("THA", "b_poverty_intl", 2020, 0.2, WB_OLD, old),
        ("THA", "b_poverty_intl", 2020, 1.5, WB_NEW, new),
        ("IDN", "b_poverty_intl", 2020, 2.5, WB_OLD, old),  # no newer line for IDN
        ("THA", "b_poverty_intl", 2021, 9.9, SDG, "SI_POV_DAY1 (poverty line unknown)"),
    ]))  # fmt: skip
    sel = obs[obs["selected"]]
    tha = sel[sel["country"].eq("THA")]
    assert tha["source_series"].tolist() == [new]  # 2018 and 2021 stay unselected
    assert sel.loc[sel["country"].eq("IDN"), "source_series"].tolist() == [old]
    assert len(store.for_analysis(obs)) == 2


def test_conflicts_beyond_tolerance_are_listed():
    obs = store.select(_obs([
        ("VNM", "b_mmr", 2019, 46.0, NAT), ("VNM", "b_mmr", 2019, 52.0, WB_NEW),
        ("VNM", "b_mmr", 2019, 47.0, SDG), ("VNM", "b_mmr", 2019, 134.0, WB_OLD),
        ("VNM", "b_mmr", 2018, 40.0, NAT), ("VNM", "b_mmr", 2018, 40.8, WB_NEW),
    ]))  # fmt: skip
    c = store.conflicts(obs, replace(store.default_priority(), tolerance=0.05))
    # 46 vs 52: |6|/52 = 0.115 > 0.05; 46 vs 47: 0.021; 40 vs 40.8: 0.0196; the older WDI
    # vintage (134) is not the best WDI value and is a revision, not a conflict.
    assert c[["year", "selected_value", "other_value", "other_kind"]].values.tolist() == [
        [2019, 46.0, 52.0, "wdi"]
    ]
    assert c.loc[0, "rel_diff"] == pytest.approx(6 / 52)
    assert len(store.conflicts(obs, replace(store.default_priority(), tolerance=0.01))) == 3


def test_revisions_between_vintages_are_listed():
    obs = store.select(_obs([
        ("VNM", "b_mmr", 2019, 52.0, WB_NEW), ("VNM", "b_mmr", 2019, 134.0, WB_OLD),
        ("VNM", "b_mmr", 2018, 53.0, WB_NEW), ("VNM", "b_mmr", 2018, 53.5, WB_OLD),
    ]))  # fmt: skip
    r = store.revisions(obs)
    assert r[["year", "new_value", "old_value", "new_vintage", "old_vintage"]].values.tolist() == [
        [2019, 52.0, 134.0, "2026-07-13", "2023-09-19"]
    ]
    assert r.loc[0, "rel_change"] == pytest.approx(-82 / 134)


def test_for_analysis_only_catalogue_indicators():
    obs = store.select(_obs([("VNM", "b_mmr", 2019, 1.0, NAT), ("VNM", "", 2019, 2.0, NAT)]))
    assert store.for_analysis(obs)["indicator"].tolist() == ["b_mmr"]


def test_real_revision_between_wdi_vintages_matches_both_raw_files(real_dir, tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    api = "API_SH.STA.MMRT_DS2_en_csv_v2_5872348.csv"
    (raw / api).write_bytes((real_dir / "wdi/api_indicator" / api).read_bytes())
    (raw / "yte-Data.csv").write_bytes((real_dir / "wdi/databank_asean_2026/yte-Data.csv")
                                       .read_bytes())  # fmt: skip
    result = build([raw], tmp_path / "out")
    old = _raw_wdi(raw / api, "VNM", "SH.STA.MMRT")
    new = _raw_databank(raw / "yte-Data.csv", "VNM", "SH.STA.MMRT")
    both = sorted(set(old) & set(new))
    assert both, "the two vintages overlap"
    rev = result.revisions
    rev = rev[rev["country"].eq("VNM") & rev["indicator"].eq("b_mmr")]
    expected = {y: (new[y], old[y]) for y in both
                if abs(new[y] - old[y]) / max(abs(new[y]), abs(old[y])) > 0.05}  # fmt: skip
    assert dict(zip(rev["year"], zip(rev["new_value"], rev["old_value"]))) == expected
    sel = result.observations
    sel = sel[sel["selected"] & sel["country"].eq("VNM") & sel["indicator"].eq("b_mmr")]
    for year in both:  # the 2026 vintage is selected wherever it has a value
        assert sel.set_index("year").loc[year, "value"] == new[year]
    listed = pd.read_csv(tmp_path / "out" / paths.REVISIONS_FILE)
    assert len(listed) == len(result.revisions)


def _raw_wdi(path, code, series):
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('"Country Name"'))
    rows = list(csv.reader(lines[start:]))
    row = next(r for r in rows if len(r) > 3 and r[1] == code and r[3] == series)
    return {int(h): float(c) for h, c in zip(rows[0], row) if h.isdigit() and c}


def _raw_databank(path, code, series):
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    row = next(r for r in rows if len(r) > 3 and r[1] == code and r[3] == series)
    return {int(h[:4]): float(c) for h, c in zip(rows[0], row) if h[:4].isdigit() and c != ".."}


def test_build_priority_option_changes_the_selection(demo_raw, tmp_path, capsys):
    assert main(["build", "--raw", str(demo_raw), "--out", str(tmp_path / "a"),
                 "--priority", "wdi,national", "--allow-rejects"]) == 0  # fmt: skip
    obs = store.read_store(tmp_path / "a")
    vnm = obs[obs["country"].eq("VNM")]
    keys = vnm.groupby(["indicator", "year"])["source"].nunique()
    both = keys[keys > 1].index
    assert len(both) > 0
    sel = vnm[vnm["selected"]].set_index(["indicator", "year"]).loc[both, "source"]
    assert not sel.str.contains("national submission").any()
    out = capsys.readouterr().out
    assert paths.INTAKE_HTML in out and "conflicting values (between sources" in out
    assert main(["build", "--raw", str(demo_raw), "--out", str(tmp_path / "b"),
                 "--priority", "national,nowhere"]) == 2  # fmt: skip
    assert "unknown source kind" in capsys.readouterr().err
    assert not (tmp_path / "b" / paths.OBSERVATIONS_FILE).exists()
