import csv
import shutil
from pathlib import Path

import pytest

from mtr_analysis.reference.catalogue import INDICATORS_FILE, CatalogueError, load_catalogue

DRAFT = Path(__file__).resolve().parents[2] / "shared" / "spec" / "indicators_draft.csv"


def test_catalogue_has_68_indicators_counts_per_characteristic():
    cat = load_catalogue()
    assert len(cat.indicators) == 68
    counts = cat.indicators["characteristic"].value_counts().to_dict()
    assert counts == {"A": 5, "B": 29, "C": 13, "D": 15, "E": 6}
    assert len(cat.characteristics) == 5
    assert not (cat.indicators["element"] == "D.5").any()


def test_ids_match_the_draft_and_stay_stable():
    if not DRAFT.exists():
        pytest.skip("spec draft not beside the repository")
    with open(DRAFT, encoding="utf-8") as fh:
        draft = list(csv.DictReader(fh))
    cat = load_catalogue()
    assert [r["id"] for r in draft] == list(cat.indicators.index)
    for r in draft:
        row = cat.indicators.loc[r["id"]]
        assert row["wdi_code"] == r["wdi_code"]
        assert row["direction"] == r["direction"]
        if r["target_value"]:
            assert row["target_value"] == float(r["target_value"])


def test_target_kinds_parsed_from_source_prefix():
    ind = load_catalogue().indicators
    assert ind.loc["b_mmr", "target_kind"] == "absolute"
    assert ind.loc["b_mmr", "target_value"] == 70
    assert ind.loc["b_mmr", "target_year"] == 2030
    assert ind.loc["b_poverty_national", "target_kind"] == "relative"
    assert ind.loc["a_women_parliament", "target_kind"] == "interpretive"
    assert ind.loc["b_gini", "target_kind"] == ""


def test_series_map_covers_wdi_unsdg_and_ids():
    m = load_catalogue().series_map()
    assert m["SH.STA.MMRT"] == "b_mmr"
    assert m["SH_STA_MORT"] == "b_mmr"
    assert m["b_mmr"] == "b_mmr"
    assert m["VC_DSR_MTMP"] == "d_disaster_deaths"


def _broken_copy(tmp_path, column, old, new, row_id):
    dst = tmp_path / "indicators.csv"
    shutil.copy(INDICATORS_FILE, dst)
    rows = list(csv.DictReader(open(dst, encoding="utf-8")))
    for r in rows:
        if r["id"] == row_id:
            assert r[column] == old
            r[column] = new
    with open(dst, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return dst


@pytest.mark.parametrize(
    "column, old, new, message",
    [
        ("direction", "decrease", "down", r"row 18 \(id 'b_mmr'\), field 'direction'"),
        ("element", "B.2", "B.9", r"'b_mmr'.*'element'.*not a known element"),
        ("target_value", "70", "seventy", r"'b_mmr'.*'target_value'.*not a number"),
        ("target_year", "2030", "230", r"'b_mmr'.*'target_year'"),
        ("element", "B.2", "C.1", r"element belongs to another characteristic"),
    ],
)
def test_invalid_entry_named_in_error(tmp_path, column, old, new, message):
    bad = _broken_copy(tmp_path, column, old, new, "b_mmr")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(bad)


def test_duplicate_id_rejected(tmp_path):
    bad = _broken_copy(tmp_path, "id", "b_nmr", "b_mmr", "b_nmr")
    with pytest.raises(CatalogueError, match="duplicate id"):
        load_catalogue(bad)


def test_reviews_have_cutoffs():
    cat = load_catalogue()
    assert cat.review("mid-term")["cutoff_year"] == 2020
    assert cat.review("end-term")["cutoff_year"] == 2025
    with pytest.raises(ValueError, match="allowed: mid-term, end-term"):
        cat.review("final")


def test_auxiliary_population_series_is_mapped_but_not_an_indicator():
    cat = load_catalogue()
    assert cat.series_map()["SP.POP.TOTL"] == "x_population"
    assert "x_population" not in cat.indicators.index
    assert "x_population" in cat.known_ids and "b_mmr" in cat.known_ids


def test_new_source_code_columns_map_to_their_indicator():
    """Codes checked against the raw files in shared/data/real (GHO CSV ``GHO`` column,
    Data360 ``INDICATOR`` column, UNSD 2019 JSON ``seriesCode``)."""
    m = load_catalogue().series_map()
    assert m["NCDMORT3070"] == "b_ncd_mortality"  # who_gho/NCDMORT3070.csv
    assert m["MDG_0000000020"] == "d_tb_incidence"  # who_gho: TB incidence per 100 000
    assert m["UHC_INDEX_REPORTED"] == "b_uhc_index"
    assert m["WB_WDI_SH_TBS_INCD"] == "d_tb_incidence"  # data360/WB_WDI_SH_TBS_INCD.csv
    assert m["SH_STA_STUNT"] == "b_stunting"  # former SDG 2.2.1 code (release 2019.Q2)
    assert m["SDG_0861_SEX_RT"] == "b_youth_neet"


def test_counts_are_not_former_series_of_rates():
    """A count (VC_DSR_MORT) is not the per-100,000 series: it must not be mapped."""
    m = load_catalogue().series_map()
    for count in ("VC_DSR_MORT", "VC_DSR_MISS", "VC_DSR_AFFCT"):
        assert m.get(count, "x_").startswith("x_")


def test_every_indicator_has_vietnamese_name_and_unit():
    cat = load_catalogue()
    ind = cat.indicators
    assert ind["name_vi"].str.strip().ne("").all() and ind["unit_vi"].str.strip().ne("").all()
    assert cat.name("b_u5mr", "vi") == "Tỷ suất tử vong trẻ em dưới 5 tuổi"
    assert cat.unit("b_mmr", "vi") == "ca tử vong trên 100.000 trẻ đẻ sống"
    assert cat.name("b_u5mr", "en") == "Under-five mortality rate"
    assert cat.name("no_such_id", "vi") == "no_such_id"


@pytest.mark.parametrize(
    "column, old, new, message",
    [
        (
            "name_vi",
            "Tỷ số tử vong mẹ (ước tính mô hình)",
            " ",
            r"row 18 \(id 'b_mmr'\), field 'name_vi': empty",
        ),
        ("unit_vi", "ca tử vong trên 100.000 trẻ đẻ sống", "", r"'b_mmr'.*field 'unit_vi': empty"),
        (
            "gho_code",
            "MDG_0000000026",
            "WHOSIS_000003",
            r"row 21 \(id 'b_nmr'\), field 'gho_code': code 'WHOSIS_000003' already maps to "
            r"'b_mmr' \(indicators.csv, row 18, field 'gho_code'\)",
        ),
        ("former_series", "", "SH.DYN.NMRT", r"'b_nmr'.*'wdi_code'.*already maps to 'b_mmr'"),
    ],
)
def test_new_columns_validated_with_row_and_field(tmp_path, column, old, new, message):
    bad = _broken_copy(tmp_path, column, old, new, "b_mmr")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(bad)
