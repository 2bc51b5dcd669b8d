"""Reporting frameworks as data (issue 13, item 3): the shipped files, every validation
message, the grouping of a hand-made assessment, the README's worked example and one real
run of Viet Nam's Đề án 161 report in Vietnamese."""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from mtr_analysis import paths
from mtr_analysis.cli import main
from mtr_analysis.reference.frameworks import (
    FrameworkError,
    find_framework,
    label_groups,
    load_framework,
    read_framework,
)

ROOT = Path(__file__).resolve().parents[1]

#: Đề án 161's focus areas → catalogue ids, copied by hand from the spec's table
#: (../shared/spec/ascc_framework.md §4.1, "Focus areas → catalogue").
SPEC_161 = {
    "Poverty reduction": ["b_poverty_national", "b_poverty_multidim_national", "b_poverty_intl",
                          "b_gini", "b_bottom40_growth", "d_social_protection_coverage"],
    "Safe drinking water and sanitation": ["b_water_safely_managed",
                                           "b_sanitation_safely_managed"],
    "Maternal and infant survival": ["b_mmr", "b_skilled_birth", "b_nmr", "b_imr", "b_u5mr",
                                     "b_stunting"],
    "School attendance": ["b_out_of_school_primary", "b_primary_completion",
                          "b_lowersec_completion"],
    "Sustainable employment": ["b_unemployment", "b_youth_neet", "b_informal_employment",
                               "d_social_insurance_coverage", "b_female_lfpr"],
    "Environmental protection": ["c_forest_area", "c_terrestrial_protected", "c_pm25_mean",
                                 "c_air_pollution_mortality", "c_water_stress",
                                 "c_ghg_per_capita", "c_renewable_share_tfec"],
}  # fmt: skip
#: The glossary's Vietnamese terms for the six areas (../shared/spec/product.md §8).
GLOSSARY_VI = ["Giảm nghèo", "Nước uống an toàn và vệ sinh", "Tỷ lệ sống của bà mẹ và trẻ sơ sinh",
               "Trẻ em được đến trường", "Việc làm bền vững", "Bảo vệ môi trường"]  # fmt: skip


def _catalogue_rows() -> dict[str, dict]:
    """``config/indicators.csv`` read with the csv module (independent of the catalogue)."""
    with open(paths.INDICATORS_FILE, encoding="utf-8", newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


# --- the shipped frameworks ---------------------------------------------------------------


def test_ascc_framework_is_the_catalogue_characteristics():
    fw = load_framework("ascc")
    spec = yaml.safe_load(paths.FRAMEWORK_FILE.read_text(encoding="utf-8"))
    assert list(fw.groups["code"]) == [c["code"] for c in spec["characteristics"]]
    assert list(fw.groups["name_vi"]) == [c["name_vi"] for c in spec["characteristics"]]
    rows = _catalogue_rows()
    assert fw.mapping.to_dict() == {i: r["characteristic"] for i, r in rows.items()}
    assert not fw.national and fw.path == paths.FRAMEWORKS_DIR / "ascc.yaml"


def test_de_an_161_maps_the_spec_focus_areas_onto_catalogue_ids():
    fw = load_framework("de-an-161")
    assert fw.countries == ["VNM"] and fw.national
    assert list(fw.groups["name"]) == list(SPEC_161)
    assert [n.lower() for n in fw.groups["name_vi"]] == [n.lower() for n in GLOSSARY_VI]
    rows = _catalogue_rows()
    for code, name in zip(fw.groups["code"], fw.groups["name"], strict=True):
        ids = sorted(fw.mapping[fw.mapping == code].index)
        assert ids == sorted(SPEC_161[name]), name
        assert all(i in rows for i in ids)
    assert fw.text("group_label", "vi") == "lĩnh vực trọng tâm"


def test_a_name_is_found_in_the_data_folder_after_the_package(tmp_path):
    own = tmp_path / paths.DATA_FRAMEWORKS_SUBDIR
    own.mkdir()
    shutil.copy(paths.FRAMEWORKS_DIR / "de-an-161.yaml", own / "mine.yaml")
    (own / "ascc.yaml").write_text("not: used", encoding="utf-8")
    assert find_framework("mine", tmp_path) == (own / "mine.yaml").resolve()
    assert find_framework("ascc", tmp_path) == paths.FRAMEWORKS_DIR / "ascc.yaml"
    assert load_framework(own / "mine.yaml").name == "de-an-161"  # a path works too
    with pytest.raises(FrameworkError, match=r"unknown framework 'nope'; available: ascc, "
                       r"de-an-161, mine"):  # fmt: skip
        find_framework("nope", tmp_path)


# --- validation: every message names the file and the entry -------------------------------

GOOD = {
    "name": "t", "title": "T", "title_vi": "T vi", "group_label": "theme",
    "group_label_vi": "chủ đề", "countries": [],
    "groups": [
        {"code": "H", "name": "Health", "name_vi": "Sức khỏe", "description": "d",
         "indicators": ["b_mmr", "b_u5mr"]},
        {"code": "S", "name": "School", "name_vi": "Trường", "description": "d",
         "indicators": ["b_primary_completion"]},
    ],
}  # fmt: skip


def _broken(change) -> dict:
    doc = json.loads(json.dumps(GOOD))
    change(doc)
    return doc


BAD = [
    (lambda d: d["groups"][1].update(indicators=["b_primary"]),
     r"group 2 \('S'\): unknown indicator id\(s\) \['b_primary'\]"),
    (lambda d: d["groups"][0].update(indicators=[]),
     r"group 1 \('H'\): no indicators; list at least one catalogue id"),
    (lambda d: d["groups"][1].update(code="H"), r"group 2 \('H'\): duplicate code"),
    (lambda d: d["groups"][1].pop("name_vi"),
     r"group 2 \('S'\): missing Vietnamese name \('name_vi'\)"),
    (lambda d: d["groups"][1].update(indicators=["b_mmr"]),
     r"group 2 \('S'\): indicator 'b_mmr' is already in group 'H'"),
    (lambda d: d.pop("title_vi"), r"key 'title_vi': missing"),
    (lambda d: d.update(countries=["XYZ"]), r"countries entry 'XYZ': not an ASEAN member state"),
    (lambda d: d.update(groups=[]), r"groups: must be a non-empty list"),
    (lambda d: d.update(groups_from="element"), r"groups: give either 'groups'"),
    (lambda d: (d.pop("groups"), d.update(groups_from="element")),
     r"groups_from: 'element'; allowed: characteristic"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), BAD)
def test_each_mistake_is_named_with_the_file_and_the_entry(tmp_path, change, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(_broken(change), allow_unicode=True), encoding="utf-8")
    with pytest.raises(FrameworkError, match=rf"^framework file {re.escape(str(path))}: {message}"):
        read_framework(path)


def test_unreadable_yaml_and_a_missing_file_are_named(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("groups: [unclosed\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match=rf"{re.escape(str(path))}: not valid YAML"):
        read_framework(path)
    path.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(FrameworkError, match="top level: must be a mapping"):
        read_framework(path)
    with pytest.raises(FrameworkError, match=r"gone\.yaml: not found"):
        load_framework(tmp_path / "gone.yaml")


# --- grouping -------------------------------------------------------------------------------


def test_label_groups_of_a_hand_made_assessment(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    fw = read_framework(path)
    assessment = pd.DataFrame({
        "country": ["VNM"] * 4,
        "indicator": ["b_primary_completion", "c_forest_area", "b_u5mr", "b_mmr"],
        "status": ["on_track", "regressing", "accelerate", "on_track"],
    })  # fmt: skip
    out = label_groups(assessment, fw, lang="vi")
    # c_forest_area is in no group: dropped; groups in the file's order, rows kept in order.
    assert list(out["indicator"]) == ["b_u5mr", "b_mmr", "b_primary_completion"]
    assert list(out["group"]) == ["H", "H", "S"]
    assert list(out["group_name"]) == ["Sức khỏe", "Sức khỏe", "Trường"]
    kept = label_groups(assessment, fw, keep_all=True)
    assert list(kept["indicator"])[-1] == "c_forest_area" and kept["group"].isna().sum() == 1


def test_framed_review_groups_status_shares_by_focus_area(demo_store):
    from mtr_analysis.analysis.review import load_review
    from mtr_analysis.reporting.figures import status_shares
    from mtr_analysis.reporting.grouping import framed

    fw = load_framework("de-an-161")
    data = framed(load_review(demo_store, 2015, 2020, review="mid-term"), fw, "vi")
    a = data.assessment
    assert set(a["indicator"]) <= set(fw.mapping.index)
    assert (a["characteristic"] == a["group"]).all()
    assert list(data.catalogue.characteristics.index) == ["1", "2", "3", "4", "5", "6"]
    vnm = a.loc[a["country"] == "VNM"]
    shares = status_shares(vnm, data.catalogue, "characteristic")
    # Independent count: per group, the share of each status among its rows.
    for code, rows in vnm.groupby("group"):
        expected = rows["status"].value_counts(normalize=True) * 100
        for status, pct in expected.items():
            assert shares.at[code, status] == pytest.approx(pct)


# --- runs -----------------------------------------------------------------------------------


def _readme_example() -> tuple[str, str]:
    """(file name, YAML text) of the README's worked example."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Adding your own framework\n(.*?)(?=^## )", readme, re.S | re.M)
    assert section, 'README.md has no "## Adding your own framework" section'
    name = re.search(r"`data/processed/frameworks/([\w.-]+\.yaml)`", section.group(1))
    block = re.search(r"^```yaml\n(.*?)^```", section.group(1), re.S | re.M)
    assert name and block
    return name.group(1), block.group(1)


def test_readme_example_loads_and_runs(demo_store, tmp_path, capsys):
    data = tmp_path / "store"
    shutil.copytree(demo_store, data)
    file_name, text = _readme_example()
    (data / "frameworks").mkdir()
    (data / "frameworks" / file_name).write_text(text, encoding="utf-8")
    fw = load_framework(Path(file_name).stem, data)
    assert list(fw.groups["code"]) == ["H", "S"]
    out = tmp_path / "out"
    code = main(["run", "--data", str(data), "--out", str(out), "--countries", "VNM,THA",
                 "--framework", fw.name, "--jobs", "1"])  # fmt: skip
    assert code == 0, capsys.readouterr()
    review = out / "mid-term"
    assert not (review / "THA.html").exists()  # out of the framework's scope
    assert not (review / "regional.html").exists()  # a national framework: no synthesis
    page = (review / "VNM.html").read_text(encoding="utf-8")
    assert "Progress by theme" in page
    assert "H. Survival of mothers and infants" in page and "S. Children at school" in page
    assert "Engages and Benefits the People" not in page
    manifest = json.loads((review / paths.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["framework"]["name"] == "mothers-and-children"
    assert manifest["countries"] == ["VNM"]
    assert manifest["parameters"]["country"]["framework"] == "mothers-and-children"


def test_a_framework_out_of_scope_or_unknown_is_refused(demo_store, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--data", str(demo_store), "--out", str(out), "--countries", "LAO",
                 "--framework", "de-an-161"])  # fmt: skip
    assert code == 2
    assert "framework 'de-an-161' is a national plan's, for VNM only" in capsys.readouterr().err
    code = main(["run", "--data", str(demo_store), "--out", str(out), "--framework", "nope"])
    assert code == 2
    assert "unknown framework 'nope'; available: ascc, de-an-161" in capsys.readouterr().err
    assert not (out / "mid-term" / "VNM.html").exists()


def test_every_focus_area_has_real_data_for_viet_nam(real_store_build):
    from mtr_analysis.intake import store

    folder, _, _ = real_store_build
    obs = store.read_store(folder)
    have = set(obs.loc[obs["country"] == "VNM", "indicator"].astype(str))
    fw = load_framework("de-an-161")
    for code in fw.groups.index:
        ids = set(fw.mapping[fw.mapping == code].index)
        assert ids & have, f"focus area {code} has no Viet Nam data in the real store"


def test_de_an_161_report_in_vietnamese_on_the_real_store(real_store_build, tmp_path, capsys):
    folder, _, _ = real_store_build
    out = tmp_path / "out"
    code = main(["run", "--data", str(folder), "--out", str(out), "--framework", "de-an-161",
                 "--countries", "VNM", "--lang", "vi", "--review", "end-term"])  # fmt: skip
    assert code == 0, capsys.readouterr()
    review = out / "end-term"
    assert sorted(p.name for p in review.glob("*.html")) == ["VNM.html", "index.html"]
    page = (review / "VNM.html").read_text(encoding="utf-8")
    assert "Tiến độ theo lĩnh vực trọng tâm" in page
    for code_, name in zip("123456", GLOSSARY_VI, strict=True):
        assert f"{code_}. {name}" in page
    ascc = yaml.safe_load(paths.FRAMEWORK_FILE.read_text(encoding="utf-8"))["characteristics"]
    for char in ascc:  # no Blueprint characteristic heading, in either language
        assert char["name_vi"] not in page and f"{char['code']}. {char['name']}" not in page
    # The findings file holds the report's findings: summaries by focus area, not by
    # Blueprint characteristic (the runner frames the review as the notebook does).
    saved = json.loads((review / "findings" / "VNM.json").read_text(encoding="utf-8"))
    items = saved["findings"] if isinstance(saved, dict) else saved
    summaries = [f["text"] for f in items if f["kind"] == "progress_summary"]
    assert summaries and all(html.escape(t) in page for t in summaries)
    assert all(char["name_vi"] not in t for t in summaries for char in ascc)
    manifest = json.loads((review / paths.MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["framework"]["name"] == "de-an-161"
    assert manifest["framework"]["groups"] == ["1", "2", "3", "4", "5", "6"]
